import { GraphNode } from '../graph/node.js';
import { F_FROM_IRB, type Batch } from '../packet/batch.js';
import { macEquals, readVlanTags } from '../packet/ethernet.js';
import type { DeviceRt } from '../device/device.js';
import { PORT_DOWN_REASONS, PORT_UP, type IfdRt } from '../device/interfaces.js';
import type { Lag } from '../l2/lag.js';
import type { SflowAgent } from './sflow.js';
import { isVirtualMac, type VrrpRt } from '../vrrp/vrrp.js';

const NEXT_IP4 = 0;
const NEXT_IP6 = 1;
const NEXT_ARP = 2;

const E_TRUNCATED = 0;
const E_TOO_LONG = 1;
const E_DMAC = 2;
const E_VLAN = 3;
const E_ETHERTYPE = 4;
const E_NO_INET = 5;
const E_NO_INET6 = 6;
/** Errors 7.. are PORT_DOWN_REASONS, by IfdRt.down - 1. */
const E_PORT_DOWN = 6;

/**
 * ethernet-input: checks the frame against its port (length, MTU, destination
 * MAC), maps its VLAN tags to the IFL, counts IFL input and dispatches by
 * ethertype. Link-local control frames (01:80:c2:00:00:0x: STP, LACP, LLDP)
 * are taken by the device, as a router's control plane takes them.
 */
export class EthernetInput extends GraphNode {
  readonly name = 'ethernet-input';
  readonly nextNames: readonly string[];
  /** Next index of mpls-input (ethertype 0x8847), -1 on devices without MPLS. */
  private readonly nextMpls: number;
  /** Next index of bridge-input, -1 on devices without bridge domains. */
  private readonly nextBridge: number;
  /** Bridge domain of an IFL, by IFL index (-1: routed); empty without bridging. */
  private bdOfIfl: Int32Array = new Int32Array(0);
  /** Next index of edge-input (-1: no edge port), and by IFD whether the port is an edge port (nodes/edge.ts). */
  private readonly nextEdge: number;
  private edgeOf: Uint8Array = new Uint8Array(0);
  override readonly errorNames = [
    'ethernet_truncated', 'frame_too_long', 'l2_dmac_mismatch', 'unknown_vlan', 'unknown_ethertype',
    'inet_not_configured', 'inet6_not_configured', ...PORT_DOWN_REASONS, 'vrrp_not_master',
  ];
  /** Frames to a VRRP virtual MAC of a group this device is backup for (src/vrrp; null: no VRRP). */
  private readonly vrrp: VrrpRt | null;
  private readonly eVrrpNotMaster = this.errorNames.indexOf('vrrp_not_master');
  private ifds: IfdRt[] = [];
  /** By port: the LAG bundle IFD it is a member of (-1: none), and the device's bundles. */
  private bundleOfPort: Int32Array = new Int32Array(0);
  private lag: Lag | null = null;

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = ['ip4-input', 'ip6-input', 'arp-input', ...(dev.mpls ? ['mpls-input'] : []), ...(dev.bridge ? ['bridge-input'] : []),
      ...(dev.bridge && dev.model.edge?.length ? ['edge-input'] : [])];
    this.nextMpls = this.nextNames.indexOf('mpls-input');
    this.nextBridge = this.nextNames.indexOf('bridge-input');
    this.nextEdge = this.nextNames.indexOf('edge-input');
    this.vrrp = dev.vrrp;
  }

  override init(): void {
    this.ifds = this.dev.ifs.ifds;
    this.lag = this.dev.lag;
    this.bundleOfPort = this.lag?.bundleIfdOfPort ?? new Int32Array(this.ifds.length).fill(-1);
    this.bdOfIfl = this.dev.bridge?.bdOfIfl ?? new Int32Array(this.dev.ifs.ifls.length).fill(-1);
    const edge = this.nextEdge >= 0 ? (this.next[this.nextEdge] as unknown as { ports: { isEdge: Uint8Array } }) : null;
    this.edgeOf = edge ? edge.ports.isEdge : new Uint8Array(this.ifds.length);
  }

  /** Scratch for readVlanTags: the hot path allocates nothing. */
  private readonly tg = new Int32Array(5);

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const tg = this.tg;
    const ifs = this.dev.ifs;
    const ifls = ifs.ifls;
    const rxPackets = ifs.rxPackets;
    const rxBytes = ifs.rxBytes;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const off = b.off[slot];
      const len = b.len[slot];
      const port = this.ifds[b.rxPort[slot]];
      if (port.down !== PORT_UP) { this.drop(b, slot, E_PORT_DOWN + port.down); continue; }
      // A LAG member's frames are its bundle's (src/l2/lag.ts): the bundle's MAC, MTU, VLANs and units.
      const bundle = this.bundleOfPort[port.index];
      const ifd = bundle < 0 ? port : this.ifds[bundle];
      if (bundle >= 0) {
        if (ifd.down !== PORT_UP) { this.drop(b, slot, E_PORT_DOWN + ifd.down); continue; }
        this.lag!.rxPackets[port.index]++;
        this.lag!.rxBytes[port.index] += len;
      }
      if (len < 14) { this.drop(b, slot, E_TRUNCATED); continue; }
      // An Internet-exchange member's port: its rules (link-local protocols included) are edge-input's.
      if (this.edgeOf[ifd.index] !== 0) { this.enqueue(this.nextEdge, slot); continue; }
      // Unicast frames must be for this port's MAC (on a port with bridged units: those of its routed units, below).
      // A VRRP virtual MAC is checked once the IFL is known (vmac): taken in only while master of that group there.
      const vmac = this.vrrp !== null && (d[off] & 1) === 0 && isVirtualMac(d, off);
      if ((d[off] & 1) === 0) {
        if (!ifd.bridged && !vmac && !macEquals(d, off, ifd.mac, 0)) { this.drop(b, slot, E_DMAC); continue; }
      } else if (d[off] === 0x01 && d[off + 1] === 0x80 && d[off + 2] === 0xc2 && d[off + 3] === 0 && d[off + 4] === 0 && (d[off + 5] & 0xf0) === 0) {
        this.g.consume(slot, 'l2 control protocol');
        continue;
      }
      if (!readVlanTags(d, off, len, tg)) { this.drop(b, slot, E_TRUNCATED); continue; }
      const tags = tg[0];
      const outer = tg[1];
      const inner = tg[2];
      const p = tg[3];
      const type = tg[4];
      if (len > ifd.mtu + 4 * tags) { this.drop(b, slot, E_TOO_LONG); continue; }
      const ifl = tags === 0 ? ifd.untagged : tags === 1 ? ifd.byVlan[outer] : (ifd.byVlanPair.get((outer << 12) | inner) ?? -1);
      if (ifl < 0) { this.drop(b, slot, E_VLAN); continue; }
      const bd = this.bdOfIfl[ifl];
      if (bd < 0 && ifd.bridged && (d[off] & 1) === 0 && !vmac && !macEquals(d, off, ifd.mac, 0)) { this.drop(b, slot, E_DMAC); continue; }
      if (vmac && bd < 0) {
        const st = this.vrrp!.virtualMacState(ifl, d, off);
        if (st !== 1) { this.drop(b, slot, st === 0 ? this.eVrrpNotMaster : E_DMAC); continue; }
      }
      b.rxIfl[slot] = ifl;
      b.l3[slot] = p + 2;
      rxPackets[ifl]++;
      rxBytes[ifl] += len;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], ifls[ifl].name);
      if (bd >= 0) {
        b.aux[slot] = bd;
        this.enqueue(this.nextBridge, slot);
        continue;
      }
      if (type === 0x0800) {
        if (!ifls[ifl].inet) { this.drop(b, slot, E_NO_INET); continue; }
        b.table[slot] = ifls[ifl].table4;
        this.enqueue(NEXT_IP4, slot);
      } else if (type === 0x86dd) {
        if (!ifls[ifl].inet6) { this.drop(b, slot, E_NO_INET6); continue; }
        b.table[slot] = ifls[ifl].table6;
        this.enqueue(NEXT_IP6, slot);
      } else if (type === 0x0806) {
        this.enqueue(NEXT_ARP, slot);
      } else if (type === 0x8847 && this.nextMpls >= 0) {
        this.enqueue(this.nextMpls, slot);
      } else {
        this.drop(b, slot, E_ETHERTYPE);
      }
    }
  }
}

/**
 * interface-output: pads runt frames to the Ethernet minimum, counts IFL
 * output and hands the frame to the port's sink (a pcap, a link, nothing).
 */
export class InterfaceOutput extends GraphNode {
  readonly name = 'interface-output';
  readonly nextNames: readonly string[];
  /** PORT_DOWN_REASONS, by IfdRt.down - 1. */
  override readonly errorNames = [...PORT_DOWN_REASONS];
  /** Bridge domain of an IRB IFL, by IFL index (-1: not an IRB); empty without bridging. */
  private bdOfIrb: Int32Array = new Int32Array(0);

  /** By IFD: the LAG bundle index (-1: not a bundle with members), the bundles, and the sFlow agent told of sampled packets leaving. */
  private bundleOf: Int32Array = new Int32Array(0);
  private lag: Lag | null = null;
  private sflow: SflowAgent | null = null;

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = dev.bridge ? ['bridge-input'] : [];
  }

  override init(): void {
    this.bdOfIrb = this.dev.bridge?.bdOfIrb ?? new Int32Array(this.dev.ifs.ifls.length).fill(-1);
    this.lag = this.dev.lag;
    this.bundleOf = this.lag?.bundleOfIfd ?? new Int32Array(this.dev.ifs.ifds.length).fill(-1);
    this.sflow = this.dev.sflow;
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const ifs = this.dev.ifs;
    const sinks = this.dev.sinks;
    const d = b.data;
    let out = 0;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const ifl = b.txIfl[slot];
      const ifd = ifs.ifls[ifl].ifd;
      const down = ifs.ifds[ifd].down;
      if (down !== PORT_UP) { this.drop(b, slot, down - 1); continue; }
      const bd = this.bdOfIrb[ifl];
      if (bd >= 0) {
        // Sent by an IRB: into its bridge domain, as a frame from the IRB's own port.
        ifs.txPackets[ifl]++;
        ifs.txBytes[ifl] += b.len[slot];
        b.aux[slot] = bd;
        b.rxIfl[slot] = ifl;
        b.l3[slot] = b.off[slot] + 14;
        b.flags[slot] |= F_FROM_IRB;
        this.enqueue(0, slot);
        continue;
      }
      const off = b.off[slot];
      let len = b.len[slot];
      if (len < 60) {
        d.fill(0, off + len, off + 60);
        len = b.len[slot] = 60;
      }
      // A bundle sends by one member per flow (src/l2/lag.ts); it is up, so a member is.
      const bundle = this.bundleOf[ifd];
      const port = bundle < 0 ? ifd : this.lag!.pick(bundle, d, off, len);
      if (port < 0) { this.drop(b, slot, 1); continue; } // link_down: no member up (the bundle itself set up by hand)
      ifs.txPackets[ifl]++;
      ifs.txBytes[ifl] += len;
      if (b.flags[slot] & 1) this.traceOut(b, slot, ifl, port, bundle);
      if (this.sflow !== null) this.sflow.sent(b, slot, port);
      const sink = sinks[port];
      if (sink !== null) sink(d, off, len, b.tsSec[slot], b.tsNsec[slot], b, slot);
      b.release(slot);
      out++;
    }
    this.g.acct.out += out;
  }

  private traceOut(b: Batch, slot: number, ifl: number, port: number, bundle: number): void {
    const ifs = this.dev.ifs;
    const member = bundle < 0 ? '' : ` (${ifs.ifds[port].name})`;
    this.g.trace.fate(b.traceId[slot], `out ${this.dev.portPrefix}${ifs.ifls[ifl].name}${member}`);
  }
}
