// The BGP RIB of one routing table: every path per prefix, the best one (best-path.ts), and the
// changes of best path a FIB follows.
//
// Sized for a full table on a router with a few sessions (1,000,000 prefixes with two paths each):
// no object per path. A path is a slot in typed arrays (prefix, attribute set, next path of the
// same prefix, reason, position in its peer's list: 17 bytes); what a peer sent is interned once as
// an attribute set (the BgpPath it came from, less the prefix, plus its selection keys), as BIRD's
// rta or FRR's attr hash do, since a full feed has a few hundred thousand distinct sets at most and
// usually far fewer. Prefixes are slots too (IPv4 network and length, or the IPv6 text), found by
// a Map keyed by a number (IPv4) or the text (IPv6). Each peer keeps the list of its path slots, so
// a session going down revisits only its prefixes.
//
// A session down keeps the peer's paths but takes them out of selection; up puts them back (the
// scenario's routes are what the peer re-advertises). Changes of best path go to a sink object
// (one method call per changed prefix, with handles, no closure per prefix), and withdrawPeer /
// restorePeer / recomputeAll return the prefixes whose best path changed.

import { formatIpv4, formatIpv6 } from '../packet/addr.js';
import { formatPrefix, parsePrefix } from '../l3/table.js';
import { INACTIVE_REASONS, R_NONE, SelectionKeys, Selector, compareAddr, type SelectionContext } from './best-path.js';
import type { BgpPath } from './path.js';

/** Told of each change of a prefix's best path: `best` is a path handle, -1 when no path is left. */
export interface BestChangeSink {
  bestChanged(rib: Rib, prefix: number, best: number): void;
  /** Called before a batch's bestChanged calls (a session event, recomputeAll), when there is at least one. */
  beginBatch?(): void;
  /** Called after them, also when one throws: a FIB applies the batch here (FibSink). */
  endBatch?(): void;
}

/** A path as `show route detail` lists it: the active one first, then in the order they lost, latest step first. */
export interface RibEntry {
  path: BgpPath;
  active: boolean;
  /** Junos's "Inactive reason:" ('' for the active path). */
  reason: string;
}

interface Peer {
  address: string;
  up: boolean;
  /** Path slots of this peer, [0, count). */
  paths: Int32Array;
  count: number;
}

export class Rib {
  private readonly keys = new SelectionKeys();
  private readonly selector: Selector;
  sink: BestChangeSink | null = null;

  // Attribute sets: the path each was interned from (prefix irrelevant), by interning key.
  private readonly attrs: BgpPath[] = [];
  private readonly attrIds = new Map<string, number>();
  // Next hops and peers.
  private readonly nextHops: string[] = [];
  private readonly nextHopIds = new Map<string, number>();
  private readonly peers: Peer[] = [];
  private readonly peerIds = new Map<string, number>();

  // Prefix slots.
  private prefixCount = 0;
  private pNet4 = new Uint32Array(1024);
  private pLen = new Uint8Array(1024);
  private pHead = new Int32Array(1024);
  private pBest = new Int32Array(1024);
  private pBestAttr = new Int32Array(1024);
  private readonly p6Text: (string | undefined)[] = [];
  private readonly prefix4 = new Map<number, number>();
  private readonly prefix6 = new Map<string, number>();

  // Path slots; free ones chained through `next`.
  private slotCount = 0;
  private free = -1;
  private sPrefix = new Int32Array(2048);
  private sAttr = new Int32Array(2048);
  private sNext = new Int32Array(2048);
  private sReason = new Uint8Array(2048);
  private sPeerPos = new Int32Array(2048);

  // Scratch for one prefix's selection.
  private cand = new Int32Array(16);
  private candSlot = new Int32Array(16);
  private candReason = new Uint8Array(16);
  private changed = new Int32Array(1024);
  private changedCount = 0;
  /** In a batch (session down/up, recomputeAll): changes go to the sink at the end, in address order. */
  private deferSink = false;

  constructor(readonly table: string, private readonly ctx: SelectionContext, sink?: BestChangeSink) {
    this.selector = new Selector(this.keys, ctx);
    this.sink = sink ?? null;
  }

  get prefixes(): number {
    return this.prefixCount;
  }

  get pathCount(): number {
    let n = 0;
    for (const p of this.peers) n += p.count;
    return n;
  }

  get attributeSets(): number {
    return this.attrs.length;
  }

  // ---- interning ----

  /** The attribute set of a path (its prefix and source location ignored): the same handle for the same attributes. */
  intern(p: BgpPath): number {
    const key = attrKey(p);
    let id = this.attrIds.get(key);
    if (id !== undefined) return id;
    id = this.attrs.length;
    this.attrs.push({ ...p, prefix: '' });
    this.attrIds.set(key, id);
    this.keys.set(id, p, this.nextHopId(p.nextHop), this.peerId(p.peer));
    return id;
  }

  private nextHopId(nh: string): number {
    let id = this.nextHopIds.get(nh);
    if (id !== undefined) return id;
    id = this.nextHops.length;
    this.nextHops.push(nh);
    this.nextHopIds.set(nh, id);
    this.keys.ensureNextHops(id + 1);
    const cost = this.ctx.igpCost(nh);
    this.keys.nhOk[id] = cost === undefined ? 0 : 1;
    this.keys.nhCost[id] = cost ?? 0;
    return id;
  }

  private peerId(address: string): number {
    let id = this.peerIds.get(address);
    if (id !== undefined) return id;
    id = this.peers.length;
    this.peers.push({ address, up: true, paths: new Int32Array(64), count: 0 });
    this.peerIds.set(address, id);
    // Re-rank by address (the last tie-break); peers are few and come first.
    this.keys.ensurePeers(this.peers.length);
    const order = this.peers.map((_, i) => i).sort((a, b) => compareAddr(this.peers[a]!.address, this.peers[b]!.address));
    order.forEach((p, rank) => (this.keys.peerRank[p] = rank));
    return id;
  }

  /** The prefix handle, created if new; throws on bad text. */
  prefix(text: string): number {
    const p = parsePrefix(text);
    if (p.family === 4) return this.prefix4Handle(p.net4, p.len);
    const key = formatPrefix(p);
    let h = this.prefix6.get(key);
    if (h === undefined) {
      h = this.newPrefix(0, p.len);
      this.p6Text[h] = key;
      this.prefix6.set(key, h);
    }
    return h;
  }

  /** The handle of an IPv4 prefix given as numbers (network uint32, host bits clear), created if new. */
  prefix4Handle(net: number, len: number): number {
    const key = net * 64 + len;
    let h = this.prefix4.get(key);
    if (h === undefined) {
      h = this.newPrefix(net, len);
      this.prefix4.set(key, h);
    }
    return h;
  }

  /** The longest prefix with a best path holding `addr` (an IPv4 address), as its length; -1 when none. For traces, not the FIB. */
  longest4(addr: number): number {
    for (let len = 32; len >= 0; len--) {
      const net = len === 0 ? 0 : (addr & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
      const h = this.prefix4.get(net * 64 + len);
      if (h !== undefined && this.pBest[h]! >= 0) return len;
    }
    return -1;
  }

  /** longest4 for an IPv6 address. */
  longest6(addr: Uint8Array): number {
    for (let len = 128; len >= 0; len--) {
      const h = this.prefix6.get(formatPrefix(parsePrefix(`${formatIpv6(addr, 0)}/${len}`)));
      if (h !== undefined && this.pBest[h]! >= 0) return len;
    }
    return -1;
  }

  private findPrefix(text: string): number {
    const p = parsePrefix(text);
    return (p.family === 4 ? this.prefix4.get(p.net4 * 64 + p.len) : this.prefix6.get(formatPrefix(p))) ?? -1;
  }

  private newPrefix(net: number, len: number): number {
    const h = this.prefixCount++;
    if (h === this.pHead.length) {
      const n = h * 2;
      this.pNet4 = grow(this.pNet4, n);
      this.pLen = grow(this.pLen, n);
      this.pHead = grow(this.pHead, n);
      this.pBest = grow(this.pBest, n);
      this.pBestAttr = grow(this.pBestAttr, n);
    }
    this.pNet4[h] = net;
    this.pLen[h] = len;
    this.pHead[h] = -1;
    this.pBest[h] = -1;
    this.pBestAttr[h] = -1;
    return h;
  }

  // ---- paths in and out ----

  /** Adds a path (replacing the one its peer sent before for that prefix); returns whether the best path changed. */
  add(p: BgpPath): boolean {
    return this.addPath(this.prefix(p.prefix), this.intern(p));
  }

  /** add() with handles: the fast way in for a feed that shares attribute sets. */
  addPath(prefix: number, attr: number): boolean {
    const peer = this.keys.peer[attr]!;
    let s = this.pHead[prefix]!;
    while (s >= 0 && this.keys.peer[this.sAttr[s]!] !== peer) s = this.sNext[s]!;
    if (s >= 0) {
      if (this.sAttr[s] === attr) return false;
      this.sAttr[s] = attr; // implicit withdraw: the new path replaces the old in its slot
    } else {
      s = this.newSlot();
      this.sPrefix[s] = prefix;
      this.sAttr[s] = attr;
      this.sNext[s] = this.pHead[prefix]!;
      this.pHead[prefix] = s;
      const pr = this.peers[peer]!;
      if (pr.count === pr.paths.length) pr.paths = grow(pr.paths, pr.count * 2);
      this.sPeerPos[s] = pr.count;
      pr.paths[pr.count++] = s;
    }
    if (!this.peers[peer]!.up) return false;
    this.changedCount = 0;
    return this.recompute(prefix);
  }

  /** Withdraws the path `peer` sent for `prefix`; returns whether the best path changed. */
  withdraw(prefix: string, peer: string): boolean {
    const h = this.findPrefix(prefix);
    const pid = this.peerIds.get(peer);
    if (h < 0 || pid === undefined) return false;
    let prev = -1;
    let s = this.pHead[h]!;
    while (s >= 0 && this.keys.peer[this.sAttr[s]!] !== pid) {
      prev = s;
      s = this.sNext[s]!;
    }
    if (s < 0) return false;
    if (prev < 0) this.pHead[h] = this.sNext[s]!;
    else this.sNext[prev] = this.sNext[s]!;
    const pr = this.peers[pid]!;
    const pos = this.sPeerPos[s]!;
    const last = pr.paths[--pr.count]!;
    pr.paths[pos] = last;
    this.sPeerPos[last] = pos;
    this.sNext[s] = this.free;
    this.free = s;
    this.sAttr[s] = -1;
    this.changedCount = 0;
    return this.recompute(h);
  }

  /** Session down: the peer's paths leave selection. Returns the prefixes whose best path changed. */
  withdrawPeer(peer: string): Int32Array {
    return this.setPeer(peer, false);
  }

  /** Session up again: the peer's paths are candidates again. Returns the prefixes whose best path changed. */
  restorePeer(peer: string): Int32Array {
    return this.setPeer(peer, true);
  }

  private setPeer(peer: string, up: boolean): Int32Array {
    const pid = this.peerIds.get(peer);
    this.changedCount = 0;
    if (pid === undefined || this.peers[pid]!.up === up) return new Int32Array(0);
    const pr = this.peers[pid]!;
    pr.up = up;
    const paths = pr.paths;
    const sPrefix = this.sPrefix;
    this.deferSink = true;
    for (let i = 0; i < pr.count; i++) this.recompute(sPrefix[paths[i]!]!);
    return this.deliver();
  }

  /**
   * Hands a batch's changes to the sink (if any) in address order (the FIB's inserts then walk its trie
   * nodes in order: a quarter less time for a million rewrites of a DFZ-like table than in arrival
   * order), and returns them. The order is by IPv4 network, then length: one native sort of
   * 64-bit words (network high, length and handle low), no comparator. The sink is told
   * beginBatch/endBatch around the changes, so a FIB can apply them all at once (FibSink).
   */
  private deliver(): Int32Array {
    this.deferSink = false;
    const n = this.changedCount;
    const out = this.changed.slice(0, n);
    if (this.sink && n > 1024 && this.prefixCount < 1 << 26) {
      const w = new Uint32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const h = out[i]!;
        w[2 * i] = ((this.pLen[h]! << 26) | h) >>> 0;
        w[2 * i + 1] = this.pNet4[h]!;
      }
      if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('big-endian host: no packed sort');
      new BigUint64Array(w.buffer).sort();
      for (let i = 0; i < n; i++) out[i] = w[2 * i]! & ((1 << 26) - 1);
    }
    const sink = this.sink;
    if (sink && n > 0) {
      sink.beginBatch?.();
      try {
        for (let i = 0; i < n; i++) sink.bestChanged(this, out[i]!, this.pBest[out[i]!]!);
      } finally {
        sink.endBatch?.();
      }
    }
    return out;
  }

  /** Re-reads every next hop's IGP cost and reachability from the context and reselects everywhere. */
  recomputeAll(): Int32Array {
    for (let i = 0; i < this.nextHops.length; i++) {
      const cost = this.ctx.igpCost(this.nextHops[i]!);
      this.keys.nhOk[i] = cost === undefined ? 0 : 1;
      this.keys.nhCost[i] = cost ?? 0;
    }
    this.changedCount = 0;
    this.deferSink = true;
    for (let h = 0; h < this.prefixCount; h++) this.recompute(h);
    return this.deliver();
  }

  peerUp(peer: string): boolean {
    const pid = this.peerIds.get(peer);
    return pid !== undefined && this.peers[pid]!.up;
  }

  private newSlot(): number {
    if (this.free >= 0) {
      const s = this.free;
      this.free = this.sNext[s]!;
      return s;
    }
    const s = this.slotCount++;
    if (s === this.sPrefix.length) {
      const n = s * 2;
      this.sPrefix = grow(this.sPrefix, n);
      this.sAttr = grow(this.sAttr, n);
      this.sNext = grow(this.sNext, n);
      this.sReason = grow(this.sReason, n);
      this.sPeerPos = grow(this.sPeerPos, n);
    }
    return s;
  }

  /** Reselects one prefix; records and reports a change of best path. */
  private recompute(h: number): boolean {
    let n = 0;
    const keys = this.keys;
    for (let s = this.pHead[h]!; s >= 0; s = this.sNext[s]!) {
      const a = this.sAttr[s]!;
      if (!this.peers[keys.peer[a]!]!.up) continue;
      if (n === this.cand.length) {
        this.cand = grow(this.cand, n * 2);
        this.candSlot = grow(this.candSlot, n * 2);
        this.candReason = grow(this.candReason, n * 2);
      }
      this.cand[n] = a;
      this.candSlot[n++] = s;
    }
    const win = n === 0 ? -1 : this.selector.select(this.cand, n, this.pBestAttr[h]!, this.candReason);
    for (let i = 0; i < n; i++) this.sReason[this.candSlot[i]!] = this.candReason[i]!;
    const best = win < 0 ? -1 : this.candSlot[win]!;
    const bestAttr = win < 0 ? -1 : this.cand[win]!;
    if (best === this.pBest[h] && bestAttr === this.pBestAttr[h]) return false;
    this.pBest[h] = best;
    this.pBestAttr[h] = bestAttr;
    if (this.changedCount === this.changed.length) this.changed = grow(this.changed, this.changedCount * 2);
    this.changed[this.changedCount++] = h;
    if (!this.deferSink) this.sink?.bestChanged(this, h, best);
    return true;
  }

  // ---- reading ----

  /** The best path for a prefix, or null. */
  best(prefix: string): BgpPath | null {
    const h = this.findPrefix(prefix);
    return h < 0 ? null : this.pathOf(this.pBest[h]!);
  }

  /** Every prefix's best path, in prefix-handle order (for export; not the FIB path). */
  bestPaths(): BgpPath[] {
    const out: BgpPath[] = [];
    for (let h = 0; h < this.prefixCount; h++) if (this.pBest[h]! >= 0) out.push(this.pathOf(this.pBest[h]!)!);
    return out;
  }

  /** Best path handle of a prefix handle (-1 when none). */
  bestHandle(prefix: number): number {
    return this.pBest[prefix]!;
  }

  /** The BgpPath of a path handle (a new object: for show, tests and front ends, not the FIB path). */
  pathOf(slot: number): BgpPath | null {
    if (slot < 0) return null;
    return { ...this.attrs[this.sAttr[slot]!]!, prefix: this.prefixText(this.sPrefix[slot]!) };
  }

  /** Paths of a prefix from peers that are up, active first, then by the step they lost at, latest first. */
  entries(prefix: string): RibEntry[] {
    const h = this.findPrefix(prefix);
    if (h < 0) return [];
    const out: { slot: number; reason: number }[] = [];
    for (let s = this.pHead[h]!; s >= 0; s = this.sNext[s]!) {
      if (this.peers[this.keys.peer[this.sAttr[s]!]!]!.up) out.push({ slot: s, reason: s === this.pBest[h] ? R_NONE : this.sReason[s]! });
    }
    out.sort((a, b) => (a.reason === R_NONE ? -1 : b.reason === R_NONE ? 1 : b.reason - a.reason));
    return out.map((e) => ({ path: this.pathOf(e.slot)!, active: e.slot === this.pBest[h], reason: INACTIVE_REASONS[e.reason]! }));
  }

  prefixText(h: number): string {
    return this.p6Text[h] ?? `${formatIpv4(this.pNet4[h]!)}/${this.pLen[h]}`;
  }

  /** IPv4 network (uint32) and length of a prefix handle, for programming an Lpm4. */
  prefixNet4(h: number): number {
    return this.pNet4[h]!;
  }

  prefixLen(h: number): number {
    return this.pLen[h]!;
  }

  isIpv6(h: number): boolean {
    return this.p6Text[h] !== undefined;
  }

  /** Next-hop index of a path handle (into nextHopText), for one adjacency per next hop. */
  /** The attribute set of a path handle (what a FIB can key its forwarding by: next hop and label). */
  attrOf(slot: number): number {
    return this.sAttr[slot]!;
  }

  nextHopIndex(slot: number): number {
    return this.keys.nh[this.sAttr[slot]!]!;
  }

  nextHopText(nh: number): string {
    return this.nextHops[nh]!;
  }

  get nextHopCount(): number {
    return this.nextHops.length;
  }

  /** Bytes held in typed arrays (path and prefix slots, peer lists, keys); Maps and attribute objects not included. */
  typedBytes(): number {
    let b = 0;
    for (const a of [this.pNet4, this.pLen, this.pHead, this.pBest, this.pBestAttr, this.sPrefix, this.sAttr, this.sNext, this.sReason, this.sPeerPos]) b += a.byteLength;
    for (const p of this.peers) b += p.paths.byteLength;
    return b;
  }
}

function grow<T extends Uint32Array | Uint8Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

/** Everything of a path that takes part in selection or forwarding, the prefix and source location aside. */
export function attrKey(p: BgpPath): string {
  const as = p.asPath.map((s) => (s.type === 'set' ? `{${s.asns.join(' ')}}` : s.asns.join(' '))).join(' ');
  return [
    p.table,
    p.nextHop,
    p.peer,
    p.peerAs,
    p.internal ? 'i' : 'e',
    p.peerRouterId,
    p.localPref ?? '',
    as,
    p.origin,
    p.med ?? '',
    p.communities.join(' '),
    p.originatorId ?? '',
    p.clusterList.join(' '),
    p.rd ?? '',
    p.label ?? '',
  ].join('|');
}
