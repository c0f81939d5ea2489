// One routing table's BGP: its RIB, and the sink that programs the table's
// FIB from the RIB's changes of best path. The FIB entry of a prefix is the
// adjacency of its best path, resolved once per attribute set (next hop and
// VPN label) by the caller's resolver (recursive next-hop resolution in the
// device) and cached, so a session down that moves a million prefixes makes
// a million LPM updates in one batch (one trie re-encode per node) and no
// other work per prefix. A route of another protocol for the same prefix
// with a lower preference (direct, static) keeps the FIB.

import { parsePrefix, type RouteTable } from '../l3/table.js';
import type { SelectionContext } from './best-path.js';
import type { BgpPath } from './path.js';
import { Rib, type BestChangeSink } from './rib.js';

/** BGP's route preference in Junos (`[BGP/170]`). */
export const BGP_PREFERENCE = 170;

/** How a path's packets leave: the adjacency and the next hop as `show route` prints it; null when its next hop does not resolve. */
export type Resolver = (p: BgpPath) => { adj: number; via: string } | null;

export class TableRib implements BestChangeSink {
  readonly rib: Rib;
  /** Adjacency by attribute set (-1: not resolved, or unresolvable when `via` is set). */
  private adj = new Int32Array(16).fill(-1);
  private via: (string | undefined)[] = [];
  /** LPM inserts and removes made, for tests and benchmarks. */
  inserts = 0;
  removes = 0;

  constructor(readonly table: RouteTable, readonly instance: string, ctx: SelectionContext, private readonly resolve: Resolver) {
    this.rib = new Rib(table.name, ctx, this);
  }

  /** A RIB batch (session event): the LPM re-encodes each trie node once, at the end. */
  beginBatch(): void {
    this.table.lpm4?.beginBatch();
    this.table.lpm6?.beginBatch();
  }

  endBatch(): void {
    this.table.lpm4?.endBatch();
    this.table.lpm6?.endBatch();
  }

  bestChanged(rib: Rib, prefix: number, best: number): void {
    const t = this.table;
    const len = rib.prefixLen(prefix);
    if (!rib.isIpv6(prefix)) {
      const net = rib.prefixNet4(prefix);
      const other = t.preference4(net, len);
      if (other >= 0 && other <= BGP_PREFERENCE) return;
      const adj = best < 0 ? -1 : this.adjacency(best);
      if (adj >= 0) {
        t.lpm4!.insert(net, len, adj);
        this.inserts++;
      } else if (t.lpm4!.remove(net, len)) this.removes++;
      return;
    }
    const p = parsePrefix(rib.prefixText(prefix));
    const other = t.active(6, 0, p.net6, len)?.preference ?? -1;
    if (other >= 0 && other <= BGP_PREFERENCE) return;
    const adj = best < 0 ? -1 : this.adjacency(best);
    if (adj >= 0) {
      t.lpm6!.insert(p.net6!, len, adj);
      this.inserts++;
    } else if (t.lpm6!.remove(p.net6!, len)) this.removes++;
  }

  /** The adjacency of a path handle (-1: its next hop does not resolve). */
  adjacency(slot: number): number {
    const a = this.rib.attrOf(slot);
    if (a >= this.adj.length) {
      const n = new Int32Array(Math.max(a + 1, this.adj.length * 2)).fill(-1);
      n.set(this.adj);
      this.adj = n;
    }
    if (this.via[a] === undefined) {
      const f = this.resolve(this.rib.pathOf(slot)!);
      this.adj[a] = f ? f.adj : -1;
      this.via[a] = f ? f.via : '';
    }
    return this.adj[a]!;
  }

  /** After a change of reachability (a link): forget what was resolved and reselect. */
  invalidate(): void {
    this.adj.fill(-1);
    this.via = [];
    this.rib.recomputeAll();
  }
}
