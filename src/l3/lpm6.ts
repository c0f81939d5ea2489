// IPv6 longest-prefix-match FIB: prefix/len → value (an adjacency index, 0 ≤ v < 2^31; -1 = no match).
//
// The same multibit trie with controlled prefix expansion as Lpm4 (see the header of lpm4.ts
// for the entry encoding and the insert/remove rules): the root has 8 bits while the table is
// small (a VRF with a few routes costs a few KB) and 16 bits once its chunks outgrow a 16-bit
// root; every further level is 8 bits, i.e. exactly one byte of the address. lookup() reads
// the destination address straight out of the packet buffer, one byte per level, so it never
// assembles a 128-bit key: root[(b0 << 8 | b1) >>> shift], then pool[~e + b[k]] while the
// entry is a child pointer. Prefixes /32–/64 end at levels 2–6; a /128 takes 15 reads.

import { StrideTrie, checkFibValue, checkPrefixLen, rootStrideFor } from './lpm4.js';

/** Exact-match key for the first ceil(len/16) 16-bit words of a masked address. */
function wordKey(a: Uint8Array, len: number): string {
  let s = '';
  const words = (len + 15) >> 4;
  for (let w = 0; w < words; w++) s += String.fromCharCode((a[2 * w]! << 8) | a[2 * w + 1]!);
  return s;
}

function checkAddr(a: Uint8Array): void {
  if (a.length < 16) throw new RangeError(`lpm: IPv6 address needs 16 bytes, got ${a.length}`);
}

/**
 * IPv6 FIB. Prefixes are 16-byte arrays; host bits beyond `len` are ignored (cleared).
 * `entries()` yields fresh 16-byte arrays in ascending (address, len) order.
 */
export class Lpm6 extends StrideTrie {
  /** Exact-match store, the source of truth: byLen[len] maps wordKey(prefix) → value. */
  private readonly byLen: (Map<string, number> | undefined)[] = new Array(129).fill(undefined);
  private count = 0;
  private readonly key = new Uint8Array(16);

  constructor(opts?: { expectedRoutes?: number }) {
    super(128, rootStrideFor(opts?.expectedRoutes, 0, 16), 16);
  }

  /** Value of the longest prefix covering the 16-byte address at buf[off], -1 if none. */
  lookup(buf: Uint8Array, off: number): number {
    let e = this.root[((buf[off]! << 8) | buf[off + 1]!) >>> this.rootShift16]!;
    if (e >= -1) return e;
    const pool = this.pool;
    let p = off + this.rootBytes;
    do e = pool[~e + buf[p++]!]!;
    while (e < -1);
    return e;
  }

  get size(): number {
    return this.count;
  }

  insert(addr: Uint8Array, len: number, value: number): void {
    checkPrefixLen(len, 128);
    checkFibValue(value);
    const k = this.masked(addr, len);
    const wk = wordKey(k, len);
    let m = this.byLen[len];
    if (m === undefined) m = this.byLen[len] = new Map();
    const had = m.has(wk);
    m.set(wk, value);
    if (!had) this.count++;
    this.trieInsert(k, len, value);
    if (this.shouldGrow()) this.rebuild(this.nextStride());
  }

  remove(addr: Uint8Array, len: number): boolean {
    checkPrefixLen(len, 128);
    const k = this.masked(addr, len);
    const m = this.byLen[len];
    if (m === undefined || !m.delete(wordKey(k, len))) return false;
    this.count--;
    // Covering prefix: clear one more bit at a time, longest first.
    const c = new Uint8Array(k);
    let cv = -1;
    let cl = 0;
    for (let l = len - 1; l >= 0; l--) {
      c[l >> 3] = c[l >> 3]! & ~(0x80 >> (l & 7));
      const v = this.byLen[l]?.get(wordKey(c, l));
      if (v !== undefined) {
        cv = v;
        cl = l;
        break;
      }
    }
    this.trieRemove(k, len, cv, cl);
    return true;
  }

  get(addr: Uint8Array, len: number): number {
    checkPrefixLen(len, 128);
    return this.byLen[len]?.get(wordKey(this.masked(addr, len), len)) ?? -1;
  }

  *entries(): IterableIterator<[addr: Uint8Array, len: number, value: number]> {
    // Word keys padded to 8 words compare like the addresses; ties go by length.
    const all: [padded: string, wk: string, len: number, value: number][] = [];
    for (let l = 0; l <= 128; l++) {
      const m = this.byLen[l];
      if (m) for (const [wk, v] of m) all.push([wk.padEnd(8, '\0'), wk, l, v]);
    }
    all.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[2] - y[2]));
    for (const [, wk, l, v] of all) {
      const a = new Uint8Array(16);
      for (let w = 0; w < wk.length; w++) {
        const c = wk.charCodeAt(w);
        a[2 * w] = c >>> 8;
        a[2 * w + 1] = c & 255;
      }
      yield [a, l, v];
    }
  }

  /** Root stride, chunks in use and bytes held by the expanded tables (not the exact-match store). */
  stats(): { rootStride: number; chunks: number; bytes: number } {
    return this.trieStats();
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

  private rebuild(stride: number): void {
    this.reset(stride);
    const k = new Uint8Array(16);
    for (let l = 0; l <= 128; l++) {
      const m = this.byLen[l];
      if (!m) continue;
      for (const [wk, v] of m) {
        k.fill(0);
        for (let w = 0; w < wk.length; w++) {
          const c = wk.charCodeAt(w);
          k[2 * w] = c >>> 8;
          k[2 * w + 1] = c & 255;
        }
        this.trieInsert(k, l, v);
      }
    }
  }
}
