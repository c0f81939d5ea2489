import { GraphNode } from '../graph/node.js';
import { F_FROM_IRB, F_FROM_VXLAN, F_LOCAL_ORIGIN, F_NO_L2, F_TRACED, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { pseudoHeaderSumFromIpv6, transportChecksum } from '../packet/checksum.js';
import { formatIpv6, readU32 } from '../packet/addr.js';
import { flowHash4, flowHash6 } from './flow-hash.js';
import { writeIp6Header } from './icmp6.js';

/** Outer IPv4 + UDP + VXLAN, and with IPv6. */
const ENCAP4 = 20 + 8 + 8;
const ENCAP6 = 40 + 8 + 8;
/** TTL / hop limit of VXLAN packets (Junos and Linux `ttl auto`: 64). */
const VXLAN_TTL = 64;
/** RFC 7348 5: the source port comes from a hash of the inner frame, in the dynamic range 49152-65535. */
const SPORT_BASE = 49152;
/** The constant words of the outer IPv4 header, summed: 0x4500, DF (0x4000), TTL 64 and UDP (0x4011). */
const CONST_SUM4 = 0x4500 + 0x4000 + ((VXLAN_TTL << 8) | 17);

/**
 * vxlan-encap: a bridged frame for a remote VTEP (b.adj) is sent untagged
 * inside outer IPv4 or IPv6 / UDP (source port from the inner flow's hash,
 * destination the domain's port) / VXLAN (I flag, the domain's VNI), from
 * the VTEP source address, and routed in the underlay table like any packet
 * the device originates — which may take it into st0 and ESP (VXLAN over
 * IPsec). DF is set: RFC 7348 4.3 says VTEPs do not fragment. The outer UDP
 * checksum is zero over IPv4 (RFC 7348 5) and computed over IPv6 (RFC 8200
 * 8.1; Linux's default without udp6zerocsumtx).
 */
export class VxlanEncap extends GraphNode {
  readonly name = 'vxlan-encap';
  readonly nextNames = ['ip4-lookup', 'ip6-lookup'];
  override readonly errorNames = ['vxlan_no_source_address'];
  override readonly counterNames = ['vxlan_encapsulated'];
  private ident = 0;

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const br = this.dev.bridge!;
    const domains = br.domains;
    const vteps = br.vteps.all;
    let done = 0;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const dom = domains[b.aux[slot]];
      const vt = vteps[b.adj[slot]];
      const off = b.off[slot];
      const l3 = b.l3[slot];
      const end = off + b.len[slot];
      const inner = l3 - 14; // the inner frame goes untagged
      if (inner !== off) d.copyWithin(inner, off, off + 12);
      const type = (d[l3 - 2] << 8) | d[l3 - 1];
      const h = type === 0x0800 ? flowHash4(d, l3) : type === 0x86dd ? flowHash6(d, l3) : macHash(d, inner);
      const sport = SPORT_BASE + (h & 0x3fff);
      let o: number;
      if (vt.family === 4) {
        const src = dom.src4;
        if (src < 0) { this.drop(b, slot, 0); continue; }
        o = inner - ENCAP4;
        const total = end - o;
        const dst = vt.ip4;
        const id = (this.ident = (this.ident + 1) & 0xffff);
        // The header checksum from its varying words only: version/IHL/TOS, DF, TTL/protocol are constant (RFC 1071 sum).
        let sum = CONST_SUM4 + total + id + (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = ~((sum & 0xffff) + (sum >>> 16)) & 0xffff;
        d[o] = 0x45;
        d[o + 1] = 0;
        d[o + 2] = total >> 8;
        d[o + 3] = total & 0xff;
        d[o + 4] = id >> 8;
        d[o + 5] = id & 0xff;
        d[o + 6] = 0x40;
        d[o + 7] = 0;
        d[o + 8] = VXLAN_TTL;
        d[o + 9] = 17;
        d[o + 10] = sum >> 8;
        d[o + 11] = sum & 0xff;
        d[o + 12] = src >>> 24;
        d[o + 13] = (src >> 16) & 0xff;
        d[o + 14] = (src >> 8) & 0xff;
        d[o + 15] = src & 0xff;
        d[o + 16] = dst >>> 24;
        d[o + 17] = (dst >> 16) & 0xff;
        d[o + 18] = (dst >> 8) & 0xff;
        d[o + 19] = dst & 0xff;
        writeUdpVxlan(d, o + 20, sport, dom.udpPort, total - 20, dom.vni);
        b.table[slot] = dom.underlay4;
      } else {
        if (dom.src6 === null) { this.drop(b, slot, 0); continue; }
        o = inner - ENCAP6;
        const plen = end - o - 40;
        writeIp6Header(d, o, plen, 17, VXLAN_TTL, dom.src6, 0, vt.ip6!, 0);
        writeUdpVxlan(d, o + 40, sport, dom.udpPort, plen, dom.vni);
        const c = transportChecksum(d, o + 40, plen, pseudoHeaderSumFromIpv6(d, o, 17, plen)) || 0xffff;
        d[o + 46] = c >> 8;
        d[o + 47] = c & 0xff;
        b.table[slot] = dom.underlay6;
      }
      b.off[slot] = o;
      b.l3[slot] = o;
      b.len[slot] = end - o;
      b.flags[slot] = (b.flags[slot] & ~(F_FROM_VXLAN | F_FROM_IRB)) | F_LOCAL_ORIGIN | F_NO_L2;
      if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `vni ${dom.vni} to vtep ${vt.text} sport ${sport}`);
      done++;
      this.enqueue(vt.family === 4 ? 0 : 1, slot);
    }
    this.counters[0] += done;
  }
}

function writeUdpVxlan(d: Uint8Array, u: number, sport: number, dport: number, udpLen: number, vni: number): void {
  d[u] = sport >> 8;
  d[u + 1] = sport & 0xff;
  d[u + 2] = dport >> 8;
  d[u + 3] = dport & 0xff;
  d[u + 4] = udpLen >> 8;
  d[u + 5] = udpLen & 0xff;
  d[u + 6] = 0;
  d[u + 7] = 0;
  d[u + 8] = 0x08; // I flag; the rest of the flags and reserved bits are zero on transmit
  d[u + 9] = 0;
  d[u + 10] = 0;
  d[u + 11] = 0;
  d[u + 12] = vni >> 16;
  d[u + 13] = (vni >> 8) & 0xff;
  d[u + 14] = vni & 0xff;
  d[u + 15] = 0;
}

/** A hash of the inner MACs for frames that are not IP (ARP): the same pair, the same source port. */
function macHash(d: Uint8Array, o: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < 12; k++) h = Math.imul(h ^ d[o + k], 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}

const E_TRUNCATED = 0;
const E_NO_VNI = 1;
const E_UNKNOWN_VNI = 2;
const E_INNER_VLAN = 3;

/**
 * vxlan-input: UDP to an own address on a VXLAN port (from ip4-local /
 * ip6-local; b.aux: where UDP starts, from l3). Checks the I flag (other
 * flag and reserved bits are ignored, RFC 7348 5), maps the VNI to its
 * bridge domain (unknown VNIs are dropped and counted), notes the VTEP it
 * came from (known, or new), and hands the inner frame to bridge-input.
 * Inner frames with a VLAN tag are dropped, as Junos does without
 * decapsulate-accept-inner-vlan.
 */
export class VxlanInput extends GraphNode {
  readonly name = 'vxlan-input';
  readonly nextNames = ['bridge-input'];
  override readonly errorNames = ['vxlan_truncated', 'vxlan_no_vni', 'vxlan_unknown_vni', 'vxlan_inner_vlan_tagged'];
  override readonly counterNames = ['vxlan_decapsulated'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const br = this.dev.bridge!;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const u = l3 + b.aux[slot];
      const end = b.off[slot] + b.len[slot];
      const x = u + 8;
      if (end - x < 8 + 14) { this.drop(b, slot, E_TRUNCATED); continue; }
      if ((d[x] & 0x08) === 0) { this.drop(b, slot, E_NO_VNI); continue; }
      const vni = (d[x + 4] << 16) | (d[x + 5] << 8) | d[x + 6];
      const bd = br.bdOfVni.get(vni);
      if (bd === undefined) {
        if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `vni ${vni}`);
        this.drop(b, slot, E_UNKNOWN_VNI);
        continue;
      }
      const inner = x + 8;
      const type = (d[inner + 12] << 8) | d[inner + 13];
      if (type === 0x8100 || type === 0x88a8 || type === 0x9100) { this.drop(b, slot, E_INNER_VLAN); continue; }
      const v4 = d[l3] >> 4 === 4;
      let vtep = v4 ? br.vteps.find4(readU32(d, l3 + 12)) : br.vteps.find6(d, l3 + 8);
      if (vtep < 0) vtep = v4 ? br.vteps.of4(readU32(d, l3 + 12), 'data').index : br.vteps.of6At(d, l3 + 8, 'data').index;
      if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `vni ${vni} from vtep ${v4 ? br.vteps.all[vtep].text : formatIpv6(d, l3 + 8)}`);
      b.off[slot] = inner;
      b.len[slot] = end - inner;
      b.l3[slot] = inner + 14;
      b.aux[slot] = bd;
      b.adj[slot] = vtep;
      b.flags[slot] = (b.flags[slot] & F_TRACED) | F_FROM_VXLAN;
      this.counters[0]++;
      this.enqueue(0, slot);
    }
  }
}
