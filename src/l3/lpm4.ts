// IPv4 longest-prefix-match FIB: prefix/len → value (an adjacency index, 0 ≤ v < 2^31; -1 = no match).
//
// Structure (bitmap-trie.ts): a direct root of 2^8 entries while the table is small and 2^16
// once its nodes outgrow that (or at once when `expectedRoutes` > 128), then at most two 8-bit
// levels of compressed nodes (bitmap, tiny or direct), plus an exact-match store of one typed
// open-addressing table per prefix length (prefix-store.ts).
//
// Why not DIR-24-8 any more: the target is ≤ 64 B per route at 1M routes with the exact-match
// store, and a 2^24-entry int32 root alone is 67 B per route (the old one also kept a length
// byte per entry and a JS Map as the store: 128 B per route). Any root that answers a /24 in one
// read of a 4-byte entry costs that much, so a /24 now takes the root, a node's group word and
// the run's slot: ~32 B per route for a DFZ-like table (bench/routes.mjs), lookups of random
// addresses over 1M routes at ~0.4 of one array read instead of ~0.6-0.7. Whole-device
// forwarding (bench/forward.mjs) is unchanged within noise. Values stay full 31-bit integers,
// not packed with the prefix length: the length lives beside the run and lookups never read it.
//
// lookup(): one root read; then, for a /17-/24 in a full table (the common case, written out so
// that ip4-lookup can inline it), one bitmap node step; anything else goes out of line. No
// allocation, monomorphic.
//
// Batches (beginBatch/endBatch, used by the BGP FibSink for a session event): an update decodes
// and re-encodes its trie node, ~1 µs for a node of a full table, and a session down rewrites
// ~18 prefixes of each of ~56K nodes; in a batch each node is re-encoded once, which takes the
// rewrite of 1M prefixes from ~1.2-1.8 s to ~0.5-0.7 s (bench/bgp-recompute.mjs). The store,
// the source of truth, is updated at once, so a batch only defers the trie.

import { BitmapTrie, checkFibValue, checkPrefixLen, popcnt, rootStrideFor, step, type LpmMemory } from './bitmap-trie.js';
import { PrefixStore } from './prefix-store.js';

export { checkFibValue, checkPrefixLen } from './bitmap-trie.js';

const NONE = new Int32Array(0);

/** Network mask for a prefix length, as int32. */
function mask4(len: number): number {
  return len === 0 ? 0 : -1 << (32 - len);
}

/**
 * IPv4 FIB. Prefixes are uint32 in host order; host bits beyond `len` are ignored (cleared).
 * `entries()` yields in ascending (prefix, len) order.
 */
export class Lpm4 extends BitmapTrie {
  /** Exact-match store, the source of truth: prefix (one int32 word) per length → value. */
  private readonly store = new PrefixStore(32);
  private readonly k = new Int32Array(1);
  private readonly key = new Uint8Array(4);
  private coverV = -1;
  private coverL = 0;
  /** Changes made during the open batch: prefix, length, value (-1: removed). */
  private pendP = NONE;
  private pendL = new Uint8Array(0);
  private pendV = NONE;
  private pendingCount = 0;

  constructor(opts?: { expectedRoutes?: number }) {
    super(rootStrideFor(opts?.expectedRoutes), 16);
  }

  /** Value of the longest prefix covering `addr` (uint32 or int32 bits), -1 if none. */
  lookup(addr: number): number {
    // Inline: the full-table case, a 16-bit root and a bitmap node for bits 16-23 whose entry
    // is a leaf (a route of /17-/24), with constant shifts. Small enough to be inlined into
    // ip4-lookup; every other case (small root, tiny or direct node, a level below /24) is out
    // of line.
    const p = this.root[addr >>> this.rootShift]!;
    if (p >= -1) return p;
    if ((~p & 3) === 0 && this.rootShift === 16) {
      const pool = this.pool;
      const g = ~p + 3 * ((addr >>> 13) & 7);
      const sh = ~(addr >>> 8) & 31;
      if (pool[g]! << sh >= 0) return pool[~p + (pool[g + 2]! >>> 16) + popcnt(pool[g + 1]! << sh)]!;
    }
    return this.lookupNodes(addr, ~p);
  }

  /** lookup() from node p, the root's entry: one node level per address byte. */
  private lookupNodes(addr: number, p: number): number {
    if (p === 1) return this.lookupInBatch(addr);
    const pool = this.pool;
    let e = ~p;
    for (let s = this.rootShift - 8; e < -1; s -= 8) e = step(pool, ~e, (addr >>> s) & 255);
    return e;
  }

  get size(): number {
    return this.store.size;
  }

  insert(prefix: number, len: number, value: number): void {
    checkPrefixLen(len, 32);
    checkFibValue(value);
    const p = prefix & mask4(len);
    this.k[0] = p;
    if (this.batchDepth > 0) {
      if (this.store.put(this.k, len, value) !== value) this.pend(p, len, value);
      return;
    }
    this.store.set(this.k, len, value);
    this.trieInsert(this.keyOf(p), len, value);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
    else this.maybeCompact();
  }

  remove(prefix: number, len: number): boolean {
    checkPrefixLen(len, 32);
    const p = prefix & mask4(len);
    const k = this.k;
    k[0] = p;
    if (this.store.delete(k, len) < 0) return false;
    if (this.batchDepth > 0) {
      this.pend(p, len, -1);
      return true;
    }
    this.cover(p, len);
    this.trieRemove(this.keyOf(p), len, this.coverV, this.coverL);
    this.maybeCompact();
    return true;
  }

  /** The longest prefix in the store strictly covering p/len, into coverV/coverL (-1/0: none). */
  private cover(p: number, len: number): void {
    const k = this.k;
    this.coverV = -1;
    this.coverL = 0;
    for (let l = len - 1; l >= 0; l--) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      k[0] = p & mask4(l);
      const v = t.get(k);
      if (v >= 0) {
        this.coverV = v;
        this.coverL = l;
        return;
      }
    }
  }

  protected openPending(): void {
    this.pendP = new Int32Array(1024);
    this.pendL = new Uint8Array(1024);
    this.pendV = new Int32Array(1024);
    this.pendingCount = 0;
  }

  protected closePending(): void {
    this.pendP = this.pendV = NONE;
    this.pendL = new Uint8Array(0);
  }

  /** A prefix changed in the store during a batch, to value (-1: removed). */
  private pend(p: number, len: number, value: number): void {
    const n = this.pendingCount;
    if (n === this.pendP.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
      this.pendP = grow(this.pendP, new Int32Array(2 * n));
      this.pendL = grow(this.pendL, new Uint8Array(2 * n));
      this.pendV = grow(this.pendV, new Int32Array(2 * n));
    }
    this.pendP[n] = p;
    this.pendL[n] = len;
    this.pendV[n] = value;
    this.pendingCount = n + 1;
  }

  /**
   * Applies the pending changes and restores the real root. They go to the trie sorted by
   * (prefix, len), once each, with the store's final value: when they came in that order (a RIB
   * batch does) the last of equal neighbours is the final one; otherwise they are sorted as
   * network × 64 + length (exact in a double) and the values read back from the store.
   */
  protected flushPending(): void {
    this.releaseRoot();
    const n = this.pendingCount;
    this.pendingCount = 0;
    if (n === 0) return;
    const { pendP, pendL, pendV } = this;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      const a = pendP[i - 1]! >>> 0;
      const b = pendP[i]! >>> 0;
      if (b < a || (b === a && pendL[i]! < pendL[i - 1]!)) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      const pk = new Float64Array(n);
      for (let i = 0; i < n; i++) pk[i] = (pendP[i]! >>> 0) * 64 + pendL[i]!;
      pk.sort();
      for (let i = 0; i < n; i++) {
        const p = Math.floor(pk[i]! / 64);
        pendP[i] = p;
        pendL[i] = pk[i]! - p * 64;
        pendV[i] = -2; // read from the store below
      }
    }
    const keys = new Uint8Array(4 * n);
    const lens = new Uint8Array(n);
    const vals = new Int32Array(n);
    const covV = new Int32Array(n);
    const covL = new Uint8Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const p = pendP[i]!;
      const len = pendL[i]!;
      if (i + 1 < n && pendP[i + 1] === p && pendL[i + 1] === len) continue; // the last one is final
      keys[4 * m] = p >>> 24;
      keys[4 * m + 1] = p >>> 16;
      keys[4 * m + 2] = p >>> 8;
      keys[4 * m + 3] = p;
      lens[m] = len;
      let v = pendV[i]!;
      if (v === -2) {
        this.k[0] = p;
        v = this.store.get(this.k, len);
      }
      vals[m] = v;
      if (v < 0) {
        this.cover(p, len);
        covV[m] = this.coverV;
        covL[m] = this.coverL;
      }
      m++;
    }
    this.applyBatch(keys, 4, lens, vals, covV, covL, m);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
    else this.maybeCompact();
  }

  private lookupInBatch(addr: number): number {
    return this.answerInBatch(() => this.lookup(addr));
  }

  get(prefix: number, len: number): number {
    checkPrefixLen(len, 32);
    this.k[0] = prefix & mask4(len);
    return this.store.get(this.k, len);
  }

  *entries(): IterableIterator<[prefix: number, len: number, value: number]> {
    const keys = new Float64Array(this.store.size);
    let n = 0;
    for (let l = 0; l <= 32; l++) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      const { slots, stride, wpk } = t;
      for (let o = 0; o < slots.length; o += stride) {
        if (slots[o + wpk]! >= 0) keys[n++] = (wpk === 0 ? 0 : slots[o]! >>> 0) * 64 + l;
      }
    }
    keys.sort();
    for (let i = 0; i < n; i++) {
      const len = keys[i]! % 64;
      const prefix = (keys[i]! - len) / 64;
      const v = this.get(prefix, len);
      if (v >= 0) yield [prefix, len, v];
    }
  }

  /** Root stride, nodes in use and bytes held by the trie (not the exact-match store). */
  stats(): { rootStride: number; chunks: number; bytes: number } {
    return this.trieStats();
  }

  /** Every byte of the table's typed arrays: root, node pool (capacity), exact-match store, scratch. */
  memoryBytes(): number {
    return this.memory().total;
  }

  memory(): LpmMemory {
    const { root, nodes, other } = this.trieMemory();
    const store = this.store.bytes;
    const own = this.k.byteLength + this.key.byteLength;
    return { root, nodes, store, other: other + own, total: root + nodes + store + other + own };
  }

  private keyOf(p: number): Uint8Array {
    const k = this.key;
    k[0] = p >>> 24;
    k[1] = p >>> 16;
    k[2] = p >>> 8;
    k[3] = p;
    return k;
  }

  private rebuild(stride: number): void {
    this.reset(stride);
    for (let l = 0; l <= 32; l++) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      const { slots, stride: st, wpk } = t;
      for (let o = 0; o < slots.length; o += st) {
        const v = slots[o + wpk]!;
        if (v >= 0) this.trieInsert(this.keyOf(wpk === 0 ? 0 : slots[o]!), l, v);
      }
    }
    this.maybeCompact();
  }
}
