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

import { BitmapTrie, checkFibValue, checkPrefixLen, popcnt, rootStrideFor, step, type LpmMemory } from './bitmap-trie.js';
import { PrefixStore } from './prefix-store.js';

export { checkFibValue, checkPrefixLen } from './bitmap-trie.js';

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
    let cv = -1;
    let cl = 0;
    for (let l = len - 1; l >= 0; l--) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      k[0] = p & mask4(l);
      const v = t.get(k);
      if (v >= 0) {
        cv = v;
        cl = l;
        break;
      }
    }
    this.trieRemove(this.keyOf(p), len, cv, cl);
    this.maybeCompact();
    return true;
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
