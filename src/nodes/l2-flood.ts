import { GraphNode } from '../graph/node.js';
import { F_FROM_IRB, F_FROM_VXLAN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { writeUnitTags } from '../packet/ethernet.js';
import type { BridgeDomainRt } from '../l2/bridge.js';

const NEXT_OUTPUT = 0;
const NEXT_ENCAP = 1;
const NEXT_IRB = 2;
const NEXT_SELF = 3;

/**
 * l2-flood: broadcast, multicast and unknown unicast of a domain go to every
 * access IFL but the one they came in on, to the IRB (broadcast and
 * multicast), and — unless they came from VXLAN (split horizon) — to every
 * remote VTEP of the domain's flood list by ingress replication. Copies are
 * generated packets; the original takes the last destination. When the
 * batch runs out of slots, the packet waits for the next sweep with its
 * progress in b.sa.
 */
export class L2Flood extends GraphNode {
  readonly name = 'l2-flood';
  readonly nextNames = ['l2-output', 'vxlan-encap', 'irb-input', 'l2-flood'];
  override readonly errorNames = ['l2_flood_no_destination'];
  override readonly counterNames = ['flooded', 'flood_copies'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const domains = this.dev.bridge!.domains;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const dom = domains[b.aux[slot]];
      const flags = b.flags[slot];
      const rx = b.rxIfl[slot];
      const members = dom.members;
      // Destinations in order: access IFLs, the IRB, VTEPs. Those excluded are counted out of `total`.
      const skipRx = (flags & F_FROM_VXLAN) === 0 && members.includes(rx) ? 1 : 0;
      const toIrb = dom.irb >= 0 && (flags & F_FROM_IRB) === 0 && (b.data[b.off[slot]] & 1) !== 0 ? 1 : 0;
      const vteps = flags & F_FROM_VXLAN ? 0 : dom.floodVteps.length;
      const total = members.length - skipRx + toIrb + vteps;
      if (total === 0) { this.drop(b, slot, 0); continue; }
      let k = b.sa[slot];
      for (; k < total - 1; k++) {
        const s = b.alloc();
        if (s < 0) break;
        this.copy(b, slot, s);
        this.counters[1]++;
        this.send(b, s, dom, k, rx, skipRx, toIrb);
      }
      if (k < total - 1) {
        b.sa[slot] = k;
        this.enqueue(NEXT_SELF, slot);
        continue;
      }
      this.counters[0]++;
      this.send(b, slot, dom, total - 1, rx, skipRx, toIrb);
    }
  }

  /** Sends `slot` to the k-th destination of the domain (see process). */
  private send(b: Batch, slot: number, dom: BridgeDomainRt, k: number, rx: number, skipRx: number, toIrb: number): void {
    const m = dom.members;
    const local = m.length - skipRx;
    if (k < local) {
      let j = 0;
      for (let c = 0; ; j++) if (!(skipRx && m[j] === rx) && c++ === k) break;
      b.txIfl[slot] = m[j];
      this.enqueue(NEXT_OUTPUT, slot);
    } else if (k < local + toIrb) {
      this.enqueue(NEXT_IRB, slot);
    } else {
      b.adj[slot] = dom.floodVteps[k - local - toIrb];
      this.enqueue(NEXT_ENCAP, slot);
    }
  }

  /** A copy of the frame in a new slot, at the same place in it (so the same headroom and alignment). */
  private copy(b: Batch, from: number, to: number): void {
    const off = b.off[from];
    const at = b.slotStart(to) + (off - b.slotStart(from));
    b.data.copyWithin(at, off, off + b.len[from]);
    b.off[to] = at;
    b.len[to] = b.len[from];
    b.l3[to] = at + (b.l3[from] - off);
    b.aux[to] = b.aux[from];
    b.adj[to] = b.adj[from];
    this.g.generated(to, from);
  }
}

/**
 * l2-output: a bridged frame leaves by an access IFL with that IFL's VLAN
 * tags (VLAN normalisation: whatever tags it came with are replaced), and is
 * dropped when it is longer than the port takes.
 */
export class L2Output extends GraphNode {
  readonly name = 'l2-output';
  readonly nextNames = ['interface-output'];
  override readonly errorNames = ['l2_frame_too_long'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const ifs = this.dev.ifs;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const rt = ifs.ifls[b.txIfl[slot]];
      const off = b.off[slot];
      const end = off + b.len[slot];
      const tags = rt.vlanId ? (rt.vlanInner ? 2 : 1) : 0;
      const start = b.l3[slot] - 14 - 4 * tags;
      if (end - start > ifs.ifds[rt.ifd].mtu + 4 * tags) { this.drop(b, slot, 0); continue; }
      if (start !== off) d.copyWithin(start, off, off + 12);
      writeUnitTags(d, start + 12, rt.vlanId, rt.vlanInner);
      b.off[slot] = start;
      b.len[slot] = end - start;
      b.flags[slot] &= ~(F_FROM_VXLAN | F_FROM_IRB);
      this.enqueue(0, slot);
    }
  }
}
