// IPv6 longest-prefix-match FIB: prefix/len → value (an adjacency index, 0 ≤ v < 2^31; -1 = no match).
//
// The same trie as Lpm4 (bitmap-trie.ts: direct root of 8 bits while small, 16 once big, then
// compressed nodes of 8-bit strides), so every level is exactly one byte of the address:
// lookup() reads the destination straight out of the packet buffer and never assembles a 128-bit
// key. Prefixes /32–/64 end at node levels 2–6; a /128 takes 15 levels. IPv6 tables are where
// the compression pays most (1M routes: ~57 B per route against ~990 with 256-entry chunks),
// since most nodes hold one child in a uniform leaf (tiny nodes, one 32-byte block), and the top
// levels, dense with children, are direct nodes (one read per step). The exact-match store keeps
// ceil(len/32) key words per prefix (a /48 is a 12-byte slot).

import { BitmapTrie, checkFibValue, checkPrefixLen, rootStrideFor, step, type LpmMemory } from './bitmap-trie.js';
import { PrefixStore } from './prefix-store.js';

function checkAddr(a: Uint8Array): void {
  if (a.length < 16) throw new RangeError(`lpm: IPv6 address needs 16 bytes, got ${a.length}`);
}

/**
 * IPv6 FIB. Prefixes are 16-byte arrays; host bits beyond `len` are ignored (cleared).
 * `entries()` yields fresh 16-byte arrays in ascending (address, len) order.
 */
export class Lpm6 extends BitmapTrie {
  /** Exact-match store, the source of truth: the prefix's first ceil(len/32) words per length → value. */
  private readonly store = new PrefixStore(128);
  private readonly key = new Uint8Array(16);
  private readonly cover = new Uint8Array(16);
  private readonly words = new Int32Array(4);
  private coverV = -1;
  private coverL = 0;
  /** Changes made during the open batch: 16 key bytes and the length each. */
  private pending = new Uint8Array(0);
  private pendingCount = 0;

  constructor(opts?: { expectedRoutes?: number }) {
    super(rootStrideFor(opts?.expectedRoutes), 16);
  }

  /** Value of the longest prefix covering the 16-byte address at buf[off], -1 if none. */
  lookup(buf: Uint8Array, off: number): number {
    let e = this.root[((buf[off]! << 8) | buf[off + 1]!) >>> this.rootShift16]!;
    if (e === -2) return this.lookupInBatch(buf, off);
    const pool = this.pool;
    for (let p = off + this.rootBytes; e < -1; p++) e = step(pool, ~e, buf[p]!);
    return e;
  }

  get size(): number {
    return this.store.size;
  }

  insert(addr: Uint8Array, len: number, value: number): void {
    checkPrefixLen(len, 128);
    checkFibValue(value);
    const k = this.masked(addr, len);
    if (this.batchDepth > 0) {
      if (this.store.put(this.wordsOf(k, len), len, value) !== value) this.pend(k, len);
      return;
    }
    this.store.set(this.wordsOf(k, len), len, value);
    this.trieInsert(k, len, value);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
    else this.maybeCompact();
  }

  remove(addr: Uint8Array, len: number): boolean {
    checkPrefixLen(len, 128);
    const k = this.masked(addr, len);
    if (this.store.delete(this.wordsOf(k, len), len) < 0) return false;
    if (this.batchDepth > 0) {
      this.pend(k, len);
      return true;
    }
    this.coverOf(k, len);
    this.trieRemove(k, len, this.coverV, this.coverL);
    this.maybeCompact();
    return true;
  }

  /** The longest prefix in the store strictly covering k/len, into coverV/coverL (-1/0: none). */
  private coverOf(k: Uint8Array, len: number): void {
    // Clear one more bit at a time, longest first.
    const c = this.cover;
    c.set(k);
    this.coverV = -1;
    this.coverL = 0;
    for (let l = len - 1; l >= 0; l--) {
      c[l >> 3] = c[l >> 3]! & ~(0x80 >> (l & 7));
      const t = this.store.table(l);
      if (t === undefined) continue;
      const v = t.get(this.wordsOf(c, l));
      if (v >= 0) {
        this.coverV = v;
        this.coverL = l;
        return;
      }
    }
  }

  protected openPending(): void {
    this.pending = new Uint8Array(17 * 64);
    this.pendingCount = 0;
  }

  protected closePending(): void {
    this.pending = new Uint8Array(0);
  }

  /** A prefix changed in the store during a batch: its 16 masked bytes and length. */
  private pend(k: Uint8Array, len: number): void {
    if (17 * (this.pendingCount + 1) > this.pending.length) {
      const a = new Uint8Array(this.pending.length * 2 + 17);
      a.set(this.pending);
      this.pending = a;
    }
    this.pending.set(k, 17 * this.pendingCount);
    this.pending[17 * this.pendingCount++ + 16] = len;
  }

  /** Applies the pending changes (sorted, unique, as the store has them now) and restores the real root. */
  protected flushPending(): void {
    this.releaseRoot();
    const n = this.pendingCount;
    this.pendingCount = 0;
    if (n === 0) return;
    const pk = this.pending;
    const cmp = (a: number, b: number): number => {
      for (let i = 0; i < 17; i++) if (pk[17 * a + i] !== pk[17 * b + i]) return pk[17 * a + i]! - pk[17 * b + i]!;
      return 0;
    };
    const order = Array.from({ length: n }, (_, i) => i).sort(cmp);
    const keys = new Uint8Array(16 * n);
    const lens = new Uint8Array(n);
    const vals = new Int32Array(n);
    const covV = new Int32Array(n);
    const covL = new Uint8Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const o = order[i]!;
      if (i > 0 && cmp(o, order[i - 1]!) === 0) continue;
      const k = pk.subarray(17 * o, 17 * o + 16);
      const len = pk[17 * o + 16]!;
      keys.set(k, 16 * m);
      lens[m] = len;
      const v = this.store.get(this.wordsOf(k, len), len);
      vals[m] = v;
      if (v < 0) {
        this.coverOf(k, len);
        covV[m] = this.coverV;
        covL[m] = this.coverL;
      }
      m++;
    }
    this.applyBatch(keys, 16, lens, vals, covV, covL, m);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
    else this.maybeCompact();
  }

  private lookupInBatch(buf: Uint8Array, off: number): number {
    return this.answerInBatch(() => this.lookup(buf, off));
  }

  get(addr: Uint8Array, len: number): number {
    checkPrefixLen(len, 128);
    return this.store.get(this.wordsOf(this.masked(addr, len), len), len);
  }

  *entries(): IterableIterator<[addr: Uint8Array, len: number, value: number]> {
    const all: { a: Uint8Array; len: number; v: number }[] = [];
    for (let l = 0; l <= 128; l++) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      const { slots, stride, wpk } = t;
      for (let o = 0; o < slots.length; o += stride) {
        const v = slots[o + wpk]!;
        if (v < 0) continue;
        const a = new Uint8Array(16);
        for (let w = 0; w < wpk; w++) {
          const x = slots[o + w]!;
          a[4 * w] = x >>> 24;
          a[4 * w + 1] = x >>> 16;
          a[4 * w + 2] = x >>> 8;
          a[4 * w + 3] = x;
        }
        all.push({ a, len: l, v });
      }
    }
    all.sort((x, y) => {
      for (let i = 0; i < 16; i++) if (x.a[i] !== y.a[i]) return x.a[i]! - y.a[i]!;
      return x.len - y.len;
    });
    for (const e of all) yield [e.a, e.len, e.v];
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
    const own = this.key.byteLength + this.cover.byteLength + this.words.byteLength;
    return { root, nodes, store, other: other + own, total: root + nodes + store + other + own };
  }

  /** Copies addr into the scratch key with host bits beyond len cleared. */
  private masked(addr: Uint8Array, len: number): Uint8Array {
    checkAddr(addr);
    const k = this.key;
    for (let i = 0; i < 16; i++) {
      const bits = len - 8 * i;
      k[i] = bits >= 8 ? addr[i]! : bits <= 0 ? 0 : addr[i]! & (0xff00 >> bits);
    }
    return k;
  }

  /** The store's key for a masked prefix: its first ceil(len/32) big-endian words. */
  private wordsOf(k: Uint8Array, len: number): Int32Array {
    const w = this.words;
    for (let i = 0, n = (len + 31) >> 5; i < n; i++) {
      w[i] = (k[4 * i]! << 24) | (k[4 * i + 1]! << 16) | (k[4 * i + 2]! << 8) | k[4 * i + 3]!;
    }
    return w;
  }

  private rebuild(stride: number): void {
    this.reset(stride);
    const k = new Uint8Array(16);
    for (let l = 0; l <= 128; l++) {
      const t = this.store.table(l);
      if (t === undefined) continue;
      const { slots, stride: st, wpk } = t;
      for (let o = 0; o < slots.length; o += st) {
        const v = slots[o + wpk]!;
        if (v < 0) continue;
        k.fill(0);
        for (let w = 0; w < wpk; w++) {
          const x = slots[o + w]!;
          k[4 * w] = x >>> 24;
          k[4 * w + 1] = x >>> 16;
          k[4 * w + 2] = x >>> 8;
          k[4 * w + 3] = x;
        }
        this.trieInsert(k, l, v);
      }
    }
    this.maybeCompact();
  }
}
