// IPv4 longest-prefix-match FIB: prefix/len → value (an adjacency index, 0 ≤ v < 2^31; -1 = no match).
//
// Structure: a multibit trie with controlled prefix expansion (Srinivasan & Varghese), whose
// root stride adapts to the table's size, then 8-bit strides:
//
//   root stride  8: 8-8-8-8    root 256 entries (1.3 KB)  — a VRF with a handful of routes
//   root stride 16: 16-8-8     root 64 Ki entries (320 KB)
//   root stride 24: 24-8       root 16 Mi entries (80 MB) — DIR-24-8 (Gupta et al.) for big tables
//
// A table starts small (or at the stride `expectedRoutes` asks for) and is rebuilt from the
// exact-match store with the next root stride once its 256-entry chunks would cost about as
// much memory as the bigger root (see GROW_AT); it never shrinks back. So a per-VRF table with
// a few routes costs a few KB, and a full table is DIR-24-8: most lookups are one read.
//
// Every entry is an int32 in a typed array: value ≥ 0 is a leaf, -1 is "no route", and any
// other negative number is ~base of a 256-entry child chunk in one growable Int32Array pool
// (chunk 0 is reserved so ~base < -1). A parallel Uint8Array keeps, per entry, the length of
// the prefix that wrote it; insertion overwrites entries whose length is ≤ the new one, and
// removal rewrites entries of exactly the removed length with the covering prefix (the longest
// shorter one in the exact-match store). Chunks left with nothing longer than their parent's
// stride are folded back into the parent and recycled.
//
// lookup(): one root read, then one read per 8-bit level while the entry is a child pointer;
// no allocation, monomorphic, small enough to be inlined.

/** @internal Growth policy: chunks in use at which a root of stride s is replaced by the next. */
const GROW_AT: Record<number, number> = {
  8: 256, // 256 chunks ≈ 320 KB ≈ one 16-bit root
  16: 32768, // 32 Ki chunks ≈ 40 MB ≈ half a DIR-24 root (64 MB + 16 MB lengths)
};

const CHUNK = 256;

/**
 * @internal Shared multibit-trie core for Lpm4 and Lpm6: keys are big-endian bytes, the root
 * has `rootStride` bits (8, 16 or 24), every further level 8 bits. The subclasses own the
 * exact-match store and the lookup; this class only maintains the expanded tables.
 */
export abstract class StrideTrie {
  /** Root table, 2^rootStride entries. */
  protected root: Int32Array;
  protected rootLen: Uint8Array;
  /** Child chunks, 256 entries each, addressed by base offset; chunk 0 is never used. */
  protected pool: Int32Array;
  protected poolLen: Uint8Array;
  /** 32 - rootStride: Lpm4 indexes the root with addr >>> rootShift. */
  protected rootShift: number;
  /** 16 - rootStride (for strides ≤ 16): Lpm6 indexes the root with (b0 << 8 | b1) >>> rootShift16. */
  protected rootShift16: number;
  /** Root stride in whole bytes. */
  protected rootBytes: number;
  private stride: number;
  private nextChunk = CHUNK; // bump allocator, in entries
  private freeChunks: number[] = [];
  private readonly keyBits: number;
  private readonly maxStride: number;
  // removal path scratch: chunk bases and the slots pointing at them
  private readonly pathChunk: Int32Array;
  private readonly pathSlot: Int32Array;

  protected constructor(keyBits: number, rootStride: number, maxStride: number) {
    this.keyBits = keyBits;
    this.maxStride = maxStride;
    const depth = 2 + (keyBits >> 3);
    this.pathChunk = new Int32Array(depth);
    this.pathSlot = new Int32Array(depth);
    this.stride = rootStride;
    this.rootShift = 32 - rootStride;
    this.rootShift16 = 16 - rootStride;
    this.rootBytes = rootStride >> 3;
    this.root = new Int32Array(0);
    this.rootLen = new Uint8Array(0);
    this.pool = new Int32Array(0);
    this.poolLen = new Uint8Array(0);
    this.reset(rootStride);
  }

  /** Drops every entry and sets up an empty trie with the given root stride. */
  protected reset(rootStride: number): void {
    this.stride = rootStride;
    this.rootShift = 32 - rootStride;
    this.rootShift16 = 16 - rootStride;
    this.rootBytes = rootStride >> 3;
    this.root = new Int32Array(1 << rootStride).fill(-1);
    this.rootLen = new Uint8Array(1 << rootStride);
    const cap = rootStride >= 16 ? 64 : 4;
    this.pool = new Int32Array(cap * CHUNK);
    this.poolLen = new Uint8Array(cap * CHUNK);
    this.nextChunk = CHUNK;
    this.freeChunks = [];
  }

  /** Chunks in use (excluding the root). */
  protected get chunks(): number {
    return this.nextChunk / CHUNK - 1 - this.freeChunks.length;
  }

  protected get rootStrideBits(): number {
    return this.stride;
  }

  /** True when the table has outgrown its root and should be rebuilt with `nextStride()`. */
  protected shouldGrow(): boolean {
    return this.stride < this.maxStride && this.chunks >= (GROW_AT[this.stride] ?? Infinity);
  }

  protected nextStride(): number {
    return this.stride + 8;
  }

  protected trieStats(): { rootStride: number; chunks: number; bytes: number } {
    return {
      rootStride: this.stride,
      chunks: this.chunks,
      bytes: this.root.byteLength + this.rootLen.byteLength + this.pool.byteLength + this.poolLen.byteLength,
    };
  }

  private rootIndex(key: Uint8Array): number {
    let i = 0;
    for (let b = 0; b < this.rootBytes; b++) i = (i << 8) | key[b]!;
    return i;
  }

  private allocChunk(value: number, len: number): number {
    let base = this.freeChunks.pop();
    if (base === undefined) {
      base = this.nextChunk;
      this.nextChunk += CHUNK;
      if (this.nextChunk > this.pool.length) {
        const cap = Math.max(this.nextChunk, Math.ceil((this.pool.length * 1.5) / CHUNK) * CHUNK);
        const pool = new Int32Array(cap);
        pool.set(this.pool);
        const lens = new Uint8Array(cap);
        lens.set(this.poolLen);
        this.pool = pool;
        this.poolLen = lens;
      }
    }
    this.pool.fill(value, base, base + CHUNK);
    this.poolLen.fill(len, base, base + CHUNK);
    return base;
  }

  /**
   * Writes value/len into the expanded entries of `key/len` (key has zero host bits).
   * Replaces an equal prefix; never touches entries written by longer prefixes.
   */
  protected trieInsert(key: Uint8Array, len: number, value: number): void {
    let inRoot = true;
    let tbl = this.root;
    let lens = this.rootLen;
    let idx = this.rootIndex(key);
    let end = this.stride;
    while (len > end) {
      let e = tbl[idx]!;
      if (e >= -1) {
        const child = this.allocChunk(e, lens[idx]!); // may grow the pool
        if (!inRoot) {
          tbl = this.pool;
          lens = this.poolLen;
        }
        e = ~child;
        tbl[idx] = e;
      }
      inRoot = false;
      tbl = this.pool;
      lens = this.poolLen;
      idx = ~e + key[end >> 3]!;
      end += 8;
    }
    this.fillRange(tbl, lens, idx, 1 << (end - len), value, len);
  }

  /**
   * Controlled prefix expansion: entries [from, from + n) of a table, and the
   * chunks below them, take `value` where no longer prefix holds them.
   */
  private fillRange(tbl: Int32Array, lens: Uint8Array, from: number, n: number, value: number, len: number): void {
    for (let i = from; i < from + n; i++) {
      const e = tbl[i]!;
      if (e < -1) this.fillRange(this.pool, this.poolLen, ~e, CHUNK, value, len);
      else if (lens[i]! <= len) {
        tbl[i] = value;
        lens[i] = len;
      }
    }
  }

  /**
   * Rewrites the expanded entries of `key/len` (which must have been inserted) with the
   * covering prefix's value and length (-1 and 0 when there is none), then folds chunks that
   * no longer hold anything longer than their parent's stride.
   */
  protected trieRemove(key: Uint8Array, len: number, coverValue: number, coverLen: number): void {
    let tbl = this.root;
    let lens = this.rootLen;
    let idx = this.rootIndex(key);
    let end = this.stride;
    let depth = 0;
    while (len > end) {
      const e = tbl[idx]!;
      if (e >= -1) throw new Error('lpm: internal error, removed prefix has no chunk');
      this.pathSlot[depth] = idx;
      this.pathChunk[depth] = ~e;
      depth++;
      tbl = this.pool;
      lens = this.poolLen;
      idx = ~e + key[end >> 3]!;
      end += 8;
    }
    const n = 1 << (end - len);
    for (let i = idx; i < idx + n; i++) {
      const e = tbl[i]!;
      if (e < -1) this.resetChunk(~e, len, coverValue, coverLen);
      else if (lens[i] === len) {
        tbl[i] = coverValue;
        lens[i] = coverLen;
      }
    }
    // Fold chunks on the path, deepest first. The chunk at depth d spans bits
    // (stride + 8d, stride + 8d + 8]; it can go when it holds no child pointer and nothing
    // longer than stride + 8d, because then every entry holds the same covering prefix.
    for (let d = depth - 1; d >= 0; d--) {
      const base = this.pathChunk[d]!;
      if (!this.foldable(base, this.stride + 8 * d)) break;
      const slot = this.pathSlot[d]!;
      const ptbl = d === 0 ? this.root : this.pool;
      const plen = d === 0 ? this.rootLen : this.poolLen;
      ptbl[slot] = this.pool[base]!;
      plen[slot] = this.poolLen[base]!;
      this.freeChunks.push(base);
    }
  }

  private resetChunk(base: number, len: number, coverValue: number, coverLen: number): void {
    const pool = this.pool;
    const lens = this.poolLen;
    for (let i = base; i < base + CHUNK; i++) {
      const e = pool[i]!;
      if (e < -1) this.resetChunk(~e, len, coverValue, coverLen);
      else if (lens[i] === len) {
        pool[i] = coverValue;
        lens[i] = coverLen;
      }
    }
  }

  private foldable(base: number, parentEnd: number): boolean {
    const pool = this.pool;
    const lens = this.poolLen;
    for (let i = base; i < base + CHUNK; i++) {
      if (pool[i]! < -1 || lens[i]! > parentEnd) return false;
    }
    return true;
  }
}

/** Throws unless 0 ≤ value < 2^31 is an integer. */
export function checkFibValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new RangeError(`lpm: value must be an integer in [0, 2^31), got ${value}`);
  }
}

/** @internal Throws unless 0 ≤ len ≤ max is an integer. */
export function checkPrefixLen(len: number, max: number): void {
  if (!Number.isInteger(len) || len < 0 || len > max) {
    throw new RangeError(`lpm: prefix length must be an integer in [0, ${max}], got ${len}`);
  }
}

/** Network mask for a prefix length, as int32. */
function mask4(len: number): number {
  return len === 0 ? 0 : -1 << (32 - len);
}

/** @internal Initial root stride for a table expected to hold `expectedRoutes`. */
export function rootStrideFor(expectedRoutes: number | undefined, big: number, max: number): number {
  if (expectedRoutes === undefined || expectedRoutes <= 128) return 8;
  if (expectedRoutes < big || max === 16) return 16;
  return 24;
}

/**
 * IPv4 FIB. Prefixes are uint32 in host order; host bits beyond `len` are ignored (cleared).
 * `entries()` yields in ascending (prefix, len) order.
 */
export class Lpm4 extends StrideTrie {
  /** Exact-match store, the source of truth: byLen[len] maps (prefix | 0) → value. */
  private readonly byLen: (Map<number, number> | undefined)[] = new Array(33).fill(undefined);
  private count = 0;
  private readonly key = new Uint8Array(4);

  constructor(opts?: { expectedRoutes?: number }) {
    super(32, rootStrideFor(opts?.expectedRoutes, 100_000, 24), 24);
  }

  /** Value of the longest prefix covering `addr` (uint32 or int32 bits), -1 if none. */
  lookup(addr: number): number {
    const e = this.root[addr >>> this.rootShift]!;
    return e >= -1 ? e : this.lookupChunks(addr, e);
  }

  /** The rest of lookup() once the root entry is a child pointer, kept out of line. */
  private lookupChunks(addr: number, e: number): number {
    const pool = this.pool;
    let s = this.rootShift;
    do {
      s -= 8;
      e = pool[~e + ((addr >>> s) & 255)]!;
    } while (e < -1);
    return e;
  }

  get size(): number {
    return this.count;
  }

  insert(prefix: number, len: number, value: number): void {
    checkPrefixLen(len, 32);
    checkFibValue(value);
    const p = prefix & mask4(len);
    let m = this.byLen[len];
    if (m === undefined) m = this.byLen[len] = new Map();
    const had = m.has(p);
    m.set(p, value);
    if (!had) this.count++;
    this.trieInsert(this.keyOf(p), len, value);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
  }

  remove(prefix: number, len: number): boolean {
    checkPrefixLen(len, 32);
    const p = prefix & mask4(len);
    const m = this.byLen[len];
    if (m === undefined || !m.delete(p)) return false;
    this.count--;
    let cv = -1;
    let cl = 0;
    for (let l = len - 1; l >= 0; l--) {
      const v = this.byLen[l]?.get(p & mask4(l));
      if (v !== undefined) {
        cv = v;
        cl = l;
        break;
      }
    }
    this.trieRemove(this.keyOf(p), len, cv, cl);
    return true;
  }

  get(prefix: number, len: number): number {
    checkPrefixLen(len, 32);
    return this.byLen[len]?.get(prefix & mask4(len)) ?? -1;
  }

  *entries(): IterableIterator<[prefix: number, len: number, value: number]> {
    const keys = new Float64Array(this.count);
    let n = 0;
    for (let l = 0; l <= 32; l++) {
      const m = this.byLen[l];
      if (m) for (const p of m.keys()) keys[n++] = (p >>> 0) * 64 + l;
    }
    keys.sort();
    for (let i = 0; i < n; i++) {
      const len = keys[i]! % 64;
      const prefix = (keys[i]! - len) / 64;
      const v = this.byLen[len]?.get(prefix | 0);
      if (v !== undefined) yield [prefix, len, v];
    }
  }

  /** Root stride, chunks in use and bytes held by the expanded tables (not the exact-match store). */
  stats(): { rootStride: number; chunks: number; bytes: number } {
    return this.trieStats();
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
      const m = this.byLen[l];
      if (m) for (const [p, v] of m) this.trieInsert(this.keyOf(p), l, v);
    }
  }
}

