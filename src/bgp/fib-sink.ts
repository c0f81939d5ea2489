// Programs a routing table's FIB from a BGP RIB's changes of best path: the same LPM insert a
// static route ends in (RouteTable.add -> lpm4/lpm6.insert), with one adjacency per BGP next hop,
// resolved once per next hop (the caller's resolver: recursive resolution in the device) and cached
// by next-hop index, so a session down that moves a million prefixes makes a million inserts and
// no other work per prefix. The RIB hands over a session event's changes as one batch
// (beginBatch/endBatch): the LPM updates its exact-match store per prefix and re-encodes each trie
// node once at the end, not once per prefix (a node of a full table holds ~18 prefixes).
//
// What it does not do yet (dataplane integration): the RouteTable's own route lists (`show route`,
// the preference contest with direct and static routes for the same prefix) are not told; a prefix
// also configured as a static or direct route is overwritten in the FIB by BGP here.

import { parsePrefix, type RouteTable } from '../l3/table.js';
import type { BestChangeSink, Rib } from './rib.js';

export class FibSink implements BestChangeSink {
  private adj = new Int32Array(16).fill(-1);
  /** Inserts and removes made, for tests and benchmarks. */
  inserts = 0;
  removes = 0;

  /** `resolve(nextHop)` gives the adjacency index forwarding to a BGP next hop (-1: drop the route). */
  constructor(readonly table: RouteTable, private readonly resolve: (nextHop: string) => number) {}

  /** Forget the cached adjacencies (after an IGP or neighbour change); then Rib.recomputeAll(). */
  invalidate(): void {
    this.adj.fill(-1);
  }

  /** A RIB batch begins: the LPM defers its trie work to endBatch(), one re-encode per trie node. */
  beginBatch(): void {
    this.table.lpm4?.beginBatch();
    this.table.lpm6?.beginBatch();
  }

  endBatch(): void {
    this.table.lpm4?.endBatch();
    this.table.lpm6?.endBatch();
  }

  bestChanged(rib: Rib, prefix: number, best: number): void {
    const adj = best < 0 ? -1 : this.adjacency(rib, rib.nextHopIndex(best));
    if (!rib.isIpv6(prefix)) {
      const lpm = this.table.lpm4!;
      if (adj >= 0) {
        lpm.insert(rib.prefixNet4(prefix), rib.prefixLen(prefix), adj);
        this.inserts++;
      } else if (lpm.remove(rib.prefixNet4(prefix), rib.prefixLen(prefix))) this.removes++;
      return;
    }
    const p = parsePrefix(rib.prefixText(prefix));
    const lpm = this.table.lpm6!;
    if (adj >= 0) {
      lpm.insert(p.net6!, p.len, adj);
      this.inserts++;
    } else if (lpm.remove(p.net6!, p.len)) this.removes++;
  }

  private adjacency(rib: Rib, nh: number): number {
    if (nh >= this.adj.length) {
      const a = new Int32Array(Math.max(nh + 1, this.adj.length * 2)).fill(-1);
      a.set(this.adj);
      this.adj = a;
    }
    let a = this.adj[nh]!;
    if (a < 0) this.adj[nh] = a = this.resolve(rib.nextHopText(nh));
    return a;
  }
}
