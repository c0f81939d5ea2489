import { GraphNode } from '../graph/node.js';
import type { Batch } from '../packet/batch.js';
import { readVlanTags } from '../packet/ethernet.js';
import type { DeviceRt } from '../device/device.js';
import { EdgePorts, MAC_LIMIT, MAC_LOCKED, MAC_NOT_ALLOWED, MAC_OK } from '../l2/edge-ports.js';

// Drop reasons (errorNames order).
const E_TRUNCATED = 0;
const E_TOO_LONG = 1;
const E_VLAN = 2;
const E_STP = 3;
const E_LLDP = 4;
const E_CDP = 5;
const E_KEEPALIVE = 6;
const E_MOP = 7;
const E_ISIS = 8;
const E_LLC = 9;
const E_IGMP = 10;
const E_DHCP = 11;
const E_RA = 12;
const E_OSPF = 13;
const E_EIGRP = 14;
const E_ETHERTYPE = 15;
const E_NON_UNICAST = 16;
const E_MAC_NOT_ALLOWED = 17;
const E_MAC_LIMIT = 18;
const E_PAYLOAD = 19;

/** classify(): none of the named protocols. */
const PASS = -1;
/** classify(): an IEEE 802.1 link-local frame for the switch itself (LACP, pause, 802.1X): taken in, as on any port. */
const CONSUME = -2;

const C_MAC_LOCKED = 0;

/**
 * edge-input: the Internet-exchange rules of a member's port (scenario
 * `edge:`), for frames ethernet-input took in on an edge port (up, at least
 * an Ethernet header). In order, each drop under its own reason:
 *  1. link-local protocols by name: STP/RSTP/PVST BPDUs, LLDP, Cisco's
 *     CDP/VTP/DTP, Cisco keepalives (0x9000), DEC MOP, IS-IS, any other
 *     802.2 LLC/SNAP frame, IGMP (and MLD), DHCP (and DHCPv6), IPv6 router
 *     advertisements, OSPF, EIGRP;
 *  2. the ethertype allow-list;
 *  3. non-unicast: only broadcast ARP and multicast ND (NS/NA) pass; an IPv4
 *     limited broadcast in a unicast frame neither;
 *  4. the MAC allow-list and limit (a new MAC within the limit is locked in);
 *  5. the payload limit (1500 bytes by default), then the port's MTU.
 * What passes is mapped to its unit by VLAN, counted as the unit's input and
 * bridged (every unit of an edge port is bridged).
 */
export class EdgeInput extends GraphNode {
  readonly name = 'edge-input';
  readonly nextNames = ['bridge-input'];
  override readonly errorNames = [
    'ethernet_truncated', 'frame_too_long', 'unknown_vlan',
    'edge_stp', 'edge_lldp', 'edge_cdp_vtp_dtp', 'edge_cisco_keepalive', 'edge_dec_mop', 'edge_isis', 'edge_llc_snap',
    'edge_igmp', 'edge_dhcp', 'edge_ipv6_ra', 'edge_ospf', 'edge_eigrp',
    'edge_ethertype', 'edge_non_unicast', 'edge_mac_not_allowed', 'edge_mac_limit', 'edge_payload_too_large',
  ];
  override readonly counterNames = ['edge_mac_locked', 'port_dampening_disabled', 'port_dampening_reenabled'];
  readonly ports: EdgePorts;
  /** ICMPv6 type of the frame classify() looked at last (-1: not ICMPv6). */
  private icmp6 = -1;

  constructor(private readonly dev: DeviceRt) {
    super();
    this.ports = new EdgePorts(dev, this);
  }

  /** The bundle of a LAG member port, by port (-1: none); null without LAGs. */
  private bundleOf: Int32Array | null = null;

  override init(): void {
    this.bundleOf = this.dev.lag?.bundleIfdOfPort ?? null;
  }

  /** Scratch for readVlanTags: the hot path allocates nothing. */
  private readonly tg = new Int32Array(5);

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const tg = this.tg;
    const ifs = this.dev.ifs;
    const ifds = ifs.ifds;
    const bdOfIfl = this.dev.bridge!.bdOfIfl;
    const e = this.ports;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const off = b.off[slot];
      const len = b.len[slot];
      const end = off + len;
      // A LAG member's frames are its bundle's: the bundle is the edge port.
      const member = b.rxPort[slot];
      const port = this.bundleOf !== null && this.bundleOf[member] >= 0 ? this.bundleOf[member] : member;
      if (!readVlanTags(d, off, len, tg)) { this.drop(b, slot, E_TRUNCATED); continue; }
      const tags = tg[0];
      const outer = tg[1];
      const inner = tg[2];
      const p = tg[3];
      const type = tg[4];
      const l3 = p + 2;
      const why = this.classify(d, off, l3, end, type);
      if (why === CONSUME) { this.g.consume(slot, 'l2 control protocol'); continue; }
      if (why !== PASS) { this.drop(b, slot, why); continue; }
      if (!allowed(e.ethertypes[port], type)) { this.drop(b, slot, E_ETHERTYPE); continue; }
      if (d[off] & 1) {
        const arpBroadcast = type === 0x0806 && d[off] === 0xff && d[off + 1] === 0xff && d[off + 2] === 0xff && d[off + 3] === 0xff && d[off + 4] === 0xff && d[off + 5] === 0xff;
        const nd = type === 0x86dd && d[off] === 0x33 && d[off + 1] === 0x33 && (this.icmp6 === 135 || this.icmp6 === 136);
        if (!arpBroadcast && !nd) { this.drop(b, slot, E_NON_UNICAST); continue; }
      } else if (type === 0x0800 && end - l3 >= 20 && d[l3 + 16] === 0xff && d[l3 + 17] === 0xff && d[l3 + 18] === 0xff && d[l3 + 19] === 0xff) {
        this.drop(b, slot, E_NON_UNICAST);
        continue;
      }
      const m = e.checkMac(port, d, off + 6);
      if (m !== MAC_OK) {
        if (m === MAC_NOT_ALLOWED) { this.drop(b, slot, E_MAC_NOT_ALLOWED); continue; }
        if (m === MAC_LIMIT) { this.drop(b, slot, E_MAC_LIMIT); continue; }
        if (m === MAC_LOCKED) this.counters[C_MAC_LOCKED]++;
      }
      if (end - l3 > e.maxPayload[port]) { this.drop(b, slot, E_PAYLOAD); continue; }
      const ifd = ifds[port];
      if (len > ifd.mtu + 4 * tags) { this.drop(b, slot, E_TOO_LONG); continue; }
      const ifl = tags === 0 ? ifd.untagged : tags === 1 ? ifd.byVlan[outer] : (ifd.byVlanPair.get((outer << 12) | inner) ?? -1);
      const bd = ifl < 0 ? -1 : bdOfIfl[ifl];
      if (bd < 0) { this.drop(b, slot, E_VLAN); continue; }
      b.rxIfl[slot] = ifl;
      b.l3[slot] = l3;
      b.aux[slot] = bd;
      ifs.rxPackets[ifl]++;
      ifs.rxBytes[ifl] += len;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], ifs.ifls[ifl].name);
      this.enqueue(0, slot);
    }
  }

  /**
   * The named link-local protocols: the drop reason of the frame, PASS, or
   * CONSUME. `type` is the ethertype after the tags, or an 802.3 length
   * (below 0x0600: an LLC frame). Sets `icmp6` for the non-unicast rule.
   */
  private classify(d: Uint8Array, off: number, l3: number, end: number, type: number): number {
    this.icmp6 = -1;
    if (d[off] & 1) {
      const m0 = d[off], m1 = d[off + 1], m2 = d[off + 2], m3 = d[off + 3], m4 = d[off + 4], m5 = d[off + 5];
      if (m0 === 0x01 && m1 === 0x80 && m2 === 0xc2 && m3 === 0 && m4 === 0) {
        if (m5 === 0x00 || m5 === 0x08) return E_STP; // 802.1D/Q bridge and provider bridge group addresses
        if (m5 === 0x0e || type === 0x88cc) return E_LLDP;
        if (m5 === 0x14 || m5 === 0x15) return E_ISIS; // all level 1 / level 2 intermediate systems
        if (m5 < 0x10) return CONSUME;
      }
      if (m0 === 0x01 && m1 === 0x00 && m2 === 0x0c && m3 === 0xcc && m4 === 0xcc) {
        if (m5 === 0xcc) return E_CDP; // CDP, VTP, DTP, PAgP, UDLD
        if (m5 === 0xcd) return E_STP; // PVST+
      }
      if (m0 === 0x09 && m1 === 0x00 && m2 === 0x2b && m3 === 0 && m4 === 0 && (m5 === 0x04 || m5 === 0x05)) return E_ISIS; // all ES / all IS
    }
    if (type < 0x0600) {
      // 802.3 length: an LLC frame (DSAP 0x42 spanning tree, 0xfe OSI/IS-IS, 0xaa SNAP).
      if (l3 < end && d[l3] === 0x42) return E_STP;
      if (l3 < end && d[l3] === 0xfe) return E_ISIS;
      return E_LLC;
    }
    switch (type) {
      case 0x88cc: return E_LLDP;
      case 0x9000: return E_KEEPALIVE; // Ethernet configuration testing protocol (Cisco keepalive/loopback)
      case 0x6001: case 0x6002: return E_MOP; // DEC MOP dump/load, remote console
      case 0x0800: return end - l3 >= 20 ? this.ip4(d, l3, end) : PASS;
      case 0x86dd: return end - l3 >= 40 ? this.ip6(d, l3, end) : PASS;
    }
    return PASS;
  }

  private ip4(d: Uint8Array, l3: number, end: number): number {
    const proto = d[l3 + 9];
    if (proto === 2) return E_IGMP;
    if (proto === 89) return E_OSPF;
    if (proto === 88) return E_EIGRP;
    if (proto === 17 && (((d[l3 + 6] & 0x1f) | d[l3 + 7]) === 0)) {
      const u = l3 + (d[l3] & 15) * 4;
      if (u + 4 <= end) {
        const dport = (d[u + 2] << 8) | d[u + 3];
        if (dport === 67 || dport === 68) return E_DHCP;
      }
    }
    return PASS;
  }

  private ip6(d: Uint8Array, l3: number, end: number): number {
    let nh = d[l3 + 6];
    let q = l3 + 40;
    // Hop-by-hop, routing and destination options (MLD comes behind a hop-by-hop router alert).
    for (let k = 0; k < 4 && (nh === 0 || nh === 43 || nh === 60) && q + 2 <= end; k++) {
      const next = d[q];
      q += (d[q + 1] + 1) * 8;
      nh = next;
    }
    if (nh === 58 && q < end) {
      const t = d[q];
      this.icmp6 = t;
      if (t === 134) return E_RA;
      if (t === 130 || t === 131 || t === 132 || t === 143) return E_IGMP; // MLD, IPv6's IGMP
      return PASS;
    }
    if (nh === 89) return E_OSPF;
    if (nh === 88) return E_EIGRP;
    if (nh === 17 && q + 4 <= end) {
      const dport = (d[q + 2] << 8) | d[q + 3];
      if (dport === 546 || dport === 547) return E_DHCP;
    }
    return PASS;
  }
}

function allowed(list: Uint16Array, type: number): boolean {
  for (let k = 0; k < list.length; k++) if (list[k] === type) return true;
  return false;
}
