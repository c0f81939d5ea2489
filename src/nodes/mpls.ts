// Static MPLS (RFC 3031/3032):
//
//   ethernet-input (ethertype 0x8847) or gre-input (GRE protocol 0x8847)
//     → mpls-input    MPLS enabled on the receiving IFL; the stack ends (S bit) in the packet
//     → mpls-lookup   mpls.0 by the top label: swap (→ mpls-output) or pop; the last pop
//                     hands the payload to ip4/ip6-input in the master instance
//                     (a VRF label, vrf-table-label: in that VRF's tables)
//   ip4/ip6-lookup (a route with static-lsp-next-hop, or a VPN route) → mpls-output (push)
//   mpls-output       push (a VPN route: its VPN label, then the transport label on top);
//                     then out by the link adjacency: Ethernet (ethertype 0x8847,
//                     held in ip4-arp while the neighbour resolves) or gre-encap
//
// TTL (RFC 3443): the uniform model by default, as Junos: a pushed label takes
// the IP TTL (already decremented by the lookup), a swap decrements the label
// TTL, and the last pop copies the label TTL into the IP header, which the IP
// lookup then decrements. With `no-propagate-ttl` (pipe) a pushed label has
// TTL 255 and the IP TTL is left alone. Every label pushed onto an IP packet
// at once (VPN and transport) takes that same TTL; TC (EXP) is 0, the
// best-effort queue's, as no class of service is modelled. A label TTL that would reach 0 is
// dropped (mpls_ttl_expired); no ICMP is sent for labelled packets.

import { GraphNode } from '../graph/node.js';
import { F_MPLS, F_NO_L2, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { ADJ_GRE, ADJ_INCOMPLETE, ADJ_MPLS, ADJ_REWRITE } from '../l3/adjacency.js';
import { mplsLabel, mplsStackDepth, writeMplsEntry } from '../packet/mpls.js';
import type { LabelEntry } from '../l3/mpls.js';

/** mpls-input: labelled packets are taken only on IFLs with MPLS enabled, and only with a whole stack. */
export class MplsInput extends GraphNode {
  readonly name = 'mpls-input';
  readonly nextNames = ['mpls-lookup'];
  // 1, 2: mplsStackDepth's codes (MPLS_TRUNCATED, MPLS_STACK_TOO_DEEP).
  override readonly errorNames = ['mpls_not_enabled', 'mpls_truncated', 'mpls_stack_too_deep'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const enabled = this.dev.mpls?.enabled;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      if (enabled === undefined || enabled[b.rxIfl[slot]] === 0) { this.drop(b, slot, 0); continue; }
      const l3 = b.l3[slot];
      const depth = mplsStackDepth(d, l3, b.off[slot] + b.len[slot] - l3);
      if (depth < 0) { this.drop(b, slot, -depth); continue; }
      b.flags[slot] |= F_MPLS;
      this.enqueue(0, slot);
    }
  }
}

const NEXT_OUTPUT = 0;
const NEXT_IP4 = 1;
const NEXT_IP6 = 2;

const E_UNKNOWN = 0;
const E_TTL = 1;
const E_PAYLOAD = 2;

/** mpls-lookup: the label table (mpls.0) of transit static LSPs. */
export class MplsLookup extends GraphNode {
  readonly name = 'mpls-lookup';
  readonly nextNames = ['mpls-output', 'ip4-input', 'ip6-input'];
  override readonly errorNames = ['mpls_label_unknown', 'mpls_ttl_expired', 'mpls_bad_payload'];
  override readonly counterNames = ['labels_swapped', 'labels_popped'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const mpls = this.dev.mpls!;
    const labels = mpls.labels;
    const uniform = mpls.uniform;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const end = b.off[slot] + b.len[slot];
      let p = b.l3[slot];
      let ttl = d[p + 3];
      // One pass per label this router pops; the stack was checked to end within the packet.
      for (;;) {
        const e = labels.get(mplsLabel(d, p));
        if (e === undefined) {
          if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `label ${mplsLabel(d, p)}: not in mpls.0`);
          this.drop(b, slot, E_UNKNOWN);
          break;
        }
        if (!e.pop) {
          if (ttl <= 1) { this.drop(b, slot, E_TTL); break; }
          const out = e.outLabel;
          d[p] = out >>> 12;
          d[p + 1] = (out >>> 4) & 0xff;
          d[p + 2] = ((out & 15) << 4) | (d[p + 2] & 0x0f); // TC and S kept
          d[p + 3] = ttl - 1;
          this.counters[0]++;
          b.l3[slot] = p;
          b.adj[slot] = e.adj;
          if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${e.label} swap ${out} (${e.lsp}) ${e.via}`);
          this.enqueue(NEXT_OUTPUT, slot);
          break;
        }
        this.counters[1]++;
        const bottom = (d[p + 2] & 1) === 1;
        p += 4;
        if (bottom) {
          this.exposeIp(b, slot, p, end, ttl, uniform, e);
          break;
        }
        // A VRF label is the last one: a packet still labelled under it has no table to go to.
        if (e.table4 >= 0) { this.drop(b, slot, E_PAYLOAD); break; }
        // Labels left: uniform carries the TTL down to the new top label; pipe uses that label's own.
        if (uniform) d[p + 3] = ttl;
        else ttl = d[p + 3];
        if (e.adj >= 0) {
          // Popped with a next hop (penultimate hop): the rest of the stack goes there.
          if (ttl <= 1) { this.drop(b, slot, E_TTL); break; }
          d[p + 3] = ttl - 1;
          b.off[slot] = p;
          b.l3[slot] = p;
          b.len[slot] = end - p;
          b.adj[slot] = e.adj;
          if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${e.label} pop (${e.lsp}) ${e.via}`);
          this.enqueue(NEXT_OUTPUT, slot);
          break;
        }
      }
    }
  }

  /**
   * The last pop: the payload is IP, looked up like a packet received (on the
   * same IFL) in the master instance, or in the VRF of a VRF label.
   */
  private exposeIp(b: Batch, slot: number, p: number, end: number, ttl: number, uniform: boolean, e: LabelEntry): void {
    const d = b.data;
    const v = p < end ? d[p] >>> 4 : 0;
    if ((v !== 4 || end - p < 20) && (v !== 6 || end - p < 40)) { this.drop(b, slot, E_PAYLOAD); return; }
    const mpls = this.dev.mpls!;
    if (uniform) {
      if (v === 4) setIpv4Ttl(d, p, ttl);
      else d[p + 7] = ttl;
    }
    b.off[slot] = p;
    b.l3[slot] = p;
    b.len[slot] = end - p;
    b.flags[slot] = (b.flags[slot] & ~F_MPLS) | F_NO_L2;
    b.table[slot] = e.table4 < 0 ? (v === 4 ? mpls.table4 : mpls.table6) : v === 4 ? e.table4 : e.table6;
    if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${e.label} pop (${e.lsp}): IPv${v} to ${this.dev.tables[b.table[slot]].name}`);
    this.enqueue(v === 4 ? NEXT_IP4 : NEXT_IP6, slot);
  }
}

/** Sets the IPv4 TTL with the RFC 1624 incremental checksum update (TTL is the high byte of its 16-bit word). */
export function setIpv4Ttl(d: Uint8Array, l3: number, ttl: number): void {
  const old = d[l3 + 8];
  if (old === ttl) return;
  d[l3 + 8] = ttl;
  // HC' = ~(~HC + ~m + m')
  let c = (~((d[l3 + 10] << 8) | d[l3 + 11]) & 0xffff) + (~(old << 8) & 0xffff) + (ttl << 8);
  c = (c & 0xffff) + (c >>> 16);
  c = (c & 0xffff) + (c >>> 16);
  c = ~c & 0xffff;
  d[l3 + 10] = c >>> 8;
  d[l3 + 11] = c & 0xff;
}

const OUT_INTERFACE = 0;
const OUT_ARP = 1;
const OUT_GRE = 2;

const E_UNUSABLE = 0;
const E_MTU = 1;
const E_NO_SPACE = 2;

/**
 * mpls-output: pushes the label of an ingress static LSP, or a VPN route's
 * labels (b.adj an mpls adjacency, chained to the next label's: S set on the
 * first only, TTL per the model), then sends the labelled packet by its
 * link adjacency: Ethernet (the neighbour's MPLS rewrite; too big for the
 * IFL's MTU → mpls_mtu_exceeded, labelled packets are not fragmented), ARP
 * (held in ip4-arp until the neighbour resolves, then released here), or GRE.
 */
export class MplsOutput extends GraphNode {
  readonly name = 'mpls-output';
  // ip4-arp must come after this node in the sweep: it then sees the neighbour as mpls-output saw it.
  readonly nextNames = ['interface-output', 'ip4-arp', 'gre-encap'];
  override readonly errorNames = ['mpls_next_hop_unusable', 'mpls_mtu_exceeded', 'mpls_no_buffer_space'];
  override readonly counterNames = ['labels_pushed'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const adjs = this.dev.adjs.all;
    const ifls = this.dev.ifs.ifls;
    const uniform = this.dev.mpls!.uniform;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      let a = adjs[b.adj[slot]];
      if (a.kind === ADJ_MPLS) {
        // An IP packet: each mpls adjacency in the chain pushes one label (the
        // first, bottom of stack, is a VPN route's VPN label or an LSP's own).
        let l3 = b.l3[slot];
        const end = b.off[slot] + b.len[slot];
        const start = b.slotStart(slot);
        const ttl = !uniform ? 255 : d[l3] >>> 4 === 4 ? d[l3 + 8] : d[l3 + 7];
        let pushed = 0;
        do {
          if (l3 - 4 < start) break;
          l3 -= 4;
          writeMplsEntry(d, l3, a.label, 0, pushed === 0, ttl);
          pushed++;
          if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `push ${a.label} ttl ${ttl}`);
          a = adjs[a.via];
        } while (a.kind === ADJ_MPLS);
        if (a.kind === ADJ_MPLS) { this.drop(b, slot, E_NO_SPACE); continue; }
        this.counters[0] += pushed;
        // The labels may cover the tail of the received Ethernet header: the packet now starts at the top label.
        b.len[slot] = end - l3;
        b.off[slot] = l3;
        b.l3[slot] = l3;
        b.flags[slot] |= F_MPLS;
        b.adj[slot] = a.index;
      }
      const kind = a.kind;
      if (kind === ADJ_GRE) { this.enqueue(OUT_GRE, slot); continue; }
      if (kind === ADJ_INCOMPLETE) { this.enqueue(OUT_ARP, slot); continue; }
      if (kind !== ADJ_REWRITE) { this.drop(b, slot, E_UNUSABLE); continue; }
      const l3 = b.l3[slot];
      const len = b.off[slot] + b.len[slot] - l3;
      if (len > ifls[a.ifl].mtu4) { this.drop(b, slot, E_MTU); continue; }
      const rw = a.rewrite;
      const start = l3 - rw.length;
      for (let k = 0; k < rw.length; k++) d[start + k] = rw[k];
      b.off[slot] = start;
      b.len[slot] = len + rw.length;
      b.txIfl[slot] = a.ifl;
      this.enqueue(OUT_INTERFACE, slot);
    }
  }
}
