// Exact-match store of an LPM table, the source of truth for get(), entries(), the covering
// prefix on removal and rebuilds: prefix/len → value, one hash table per prefix length.
//
// Each length's table is open addressing with linear probing in a single Int32Array: a slot is
// the masked prefix's first ceil(len/32) 32-bit words followed by the value (-1 = empty slot;
// values are ≥ 0). Keeping the length out of the key costs nothing (the table is per length)
// and saves a byte per slot; an IPv4 route costs one 8-byte slot, an IPv6 /48 a 12-byte one.
// The JS Maps this replaces cost 43 B per IPv4 route (Map<number, number>) and 66 B per IPv6
// route (Map<string, number> with its strings), measured as heap growth at 1M routes.
// Deletion is backward-shift (Knuth 6.4 Algorithm R): no tombstones, so probe sequences never
// degrade under churn. Tables grow 1.5× at load 0.8 (load stays in 0.53–0.8) and shrink when a
// quarter full; capacities need not be powers of two because the hash is mapped to a slot by
// multiply-shift, so the load is what we chose.

const MAX_LOAD = 0.8;
const MIN_CAP = 4;

/** Home slot of the key words src[so..so+wpk) in a table of cap slots. */
function homeSlot(src: Int32Array, so: number, wpk: number, cap: number): number {
  let h = 0x2545f491;
  for (let w = 0; w < wpk; w++) h = Math.imul(h ^ src[so + w]!, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  // multiply-shift onto [0, cap): exact in doubles (2^32 × cap < 2^53)
  return Math.floor(((h >>> 0) * cap) / 4294967296);
}

/** One prefix length's open-addressing table. */
export class LenTable {
  /** cap slots of (wpk key words, value). */
  slots: Int32Array;
  cap: number;
  count = 0;
  /** Key words per slot: ceil(len / 32). */
  readonly wpk: number;
  /** Words per slot: wpk + 1. */
  readonly stride: number;

  constructor(wpk: number) {
    this.wpk = wpk;
    this.stride = wpk + 1;
    this.cap = MIN_CAP;
    this.slots = new Int32Array(MIN_CAP * this.stride).fill(-1);
  }

  /** Slot index holding the key at src[so..], or the first empty slot on its probe sequence as ~index. */
  find(src: Int32Array, so: number): number {
    const { slots, stride, wpk, cap } = this;
    let i = homeSlot(src, so, wpk, cap);
    for (;;) {
      const o = i * stride;
      if (slots[o + wpk]! < 0) return ~i;
      let w = 0;
      while (w < wpk && slots[o + w] === src[so + w]) w++;
      if (w === wpk) return i;
      if (++i === cap) i = 0;
    }
  }

  get(key: Int32Array): number {
    const i = this.find(key, 0);
    return i < 0 ? -1 : this.slots[i * this.stride + this.wpk]!;
  }

  /** Sets key → value; returns true when the key was new. */
  set(key: Int32Array, value: number): boolean {
    return this.put(key, value) < 0;
  }

  /** Sets key → value; returns the value it replaces, -1 when the key was new (one probe for both). */
  put(key: Int32Array, value: number): number {
    let i = this.find(key, 0);
    if (i >= 0) {
      const o = i * this.stride + this.wpk;
      const old = this.slots[o]!;
      this.slots[o] = value;
      return old;
    }
    if (this.count + 1 > this.cap * MAX_LOAD) {
      this.resize(Math.ceil(this.cap * 1.5));
      i = this.find(key, 0);
    }
    const o = ~i * this.stride;
    for (let w = 0; w < this.wpk; w++) this.slots[o + w] = key[w]!;
    this.slots[o + this.wpk] = value;
    this.count++;
    return -1;
  }

  /** Removes key; returns its value, or -1 when absent. */
  delete(key: Int32Array): number {
    const i = this.find(key, 0);
    if (i < 0) return -1;
    const { slots, stride, wpk, cap } = this;
    const value = slots[i * stride + wpk]!;
    // Backward shift: move later members of the cluster into the hole when their home slot
    // does not lie cyclically in (hole, j].
    let hole = i;
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      const oj = j * stride;
      if (slots[oj + wpk]! < 0) break;
      const home = homeSlot(slots, oj, wpk, cap);
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (between) continue;
      slots.copyWithin(hole * stride, oj, oj + stride);
      hole = j;
    }
    slots[hole * stride + wpk] = -1;
    this.count--;
    if (this.cap > MIN_CAP && this.count < this.cap * 0.25) this.resize(Math.max(MIN_CAP, Math.ceil(this.count / 0.6)));
    return value;
  }

  private resize(cap: number): void {
    const old = this.slots;
    const { stride, wpk } = this;
    this.cap = cap;
    this.slots = new Int32Array(cap * stride).fill(-1);
    for (let o = 0; o < old.length; o += stride) {
      if (old[o + wpk]! < 0) continue;
      const d = ~this.find(old, o) * stride;
      for (let w = 0; w <= wpk; w++) this.slots[d + w] = old[o + w]!;
    }
  }

  get bytes(): number {
    return this.slots.byteLength;
  }
}

/** Per-length exact-match tables for prefixes of up to maxLen bits. */
export class PrefixStore {
  private readonly tables: (LenTable | undefined)[];
  size = 0;

  constructor(readonly maxLen: number) {
    this.tables = new Array<LenTable | undefined>(maxLen + 1).fill(undefined);
  }

  table(len: number): LenTable | undefined {
    return this.tables[len];
  }

  get(key: Int32Array, len: number): number {
    return this.tables[len]?.get(key) ?? -1;
  }

  /** Returns true when the prefix was new. */
  set(key: Int32Array, len: number, value: number): boolean {
    return this.put(key, len, value) < 0;
  }

  /** Sets the prefix's value; returns the one it replaces, -1 when the prefix was new. */
  put(key: Int32Array, len: number, value: number): number {
    let t = this.tables[len];
    if (t === undefined) t = this.tables[len] = new LenTable((len + 31) >> 5);
    const old = t.put(key, value);
    if (old < 0) this.size++;
    return old;
  }

  /** Returns the removed value, or -1. */
  delete(key: Int32Array, len: number): number {
    const t = this.tables[len];
    if (t === undefined) return -1;
    const v = t.delete(key);
    if (v >= 0) {
      this.size--;
      if (t.count === 0) this.tables[len] = undefined;
    }
    return v;
  }

  /** Bytes held by the tables' typed arrays. */
  get bytes(): number {
    let b = 0;
    for (const t of this.tables) if (t) b += t.bytes;
    return b;
  }
}
