// IPv6 longest-prefix-match FIB: prefix/len → value (an adjacency index, 0 ≤ v < 2^31; -1 = no match).
//
// Structure: a poptrie (Asai & Ohara, "Poptrie: A Compressed Trie with Population Count for
// Fast and Scalable Software IP Routing Table Lookup", SIGCOMM 2015) — a direct-pointing root
// indexed by the first `rootStride` bits (8 while the table is small, 16 once it grows), then
// 6-bit strides whose 64 slots are described by two 64-bit bitmaps instead of 64 entries:
//
//   vector   bit v set ⇔ slot v leads to a child node; the children of a node are contiguous,
//            so child(v) = nodeBase + popcount(vector & bits ≤ v) - 1
//   leafvec  bit v set ⇔ slot v is a leaf slot that starts a new run of equal leaves; the
//            leaves of a node are contiguous and run-length deduplicated (controlled prefix
//            expansion writes the same leaf into up to 32 neighbouring slots, and a slot
//            without a more specific route repeats its neighbour's), so
//            leaf(v) = leaves[leafBase + popcount(leafvec & bits ≤ v) - 1]
//
// Why poptrie rather than a path/level-compressed trie or binary search on prefix lengths:
// a realistic IPv6 table is sparse below /32 and dense in runs of sequential /48s. The old
// byte-stride trie spent a 256-entry (1.25 KB) chunk on every level of every path — 878 MB
// for 1M prefixes — and each lookup took 4–15 dependent cache misses into that. A poptrie
// node is 32 bytes whatever its fan-out (6.5× fewer bytes per level than a 256-entry chunk
// that mostly repeats one value), its leaves are deduplicated, and children sit next to each
// other, so 1M prefixes fit in a few tens of MB, i.e. mostly in the last-level cache, and
// the ~6 dependent reads of a /48 lookup mostly hit it. Waldvogel's binary search needs ~3–4
// hash probes per lookup, each a random miss into a table the size of the route set (plus
// markers), and a separate structure above /64; a path-compressed trie saves less memory
// (its nodes still expand) and needs a final full-prefix compare. Poptrie lookups are
// branch-light and allocation-free, and updates stay local to one path.
//
// Layout (all typed arrays, nothing per node on the JS heap):
//   root      Int32Array, 2^rootStride entries: value ≥ -1 is a leaf (-1 = no route), any
//             other negative number is ~index of a node; rootLen (Uint8Array) keeps the
//             length of the prefix that wrote each leaf entry.
//   nodes     Int32Array, 8 words per node (32 bytes), split into two 32-slot halves so that
//             JavaScript only ever counts bits of 32-bit words:
//               [vecHi, leafHi, nodeBaseHi, leafBaseHi, vecLo, leafLo, nodeBaseLo, leafBaseLo]
//             slot v (0..63, taken MSB first from the address) lives in half v >> 5 at bit
//             31 - (v & 31); the Lo half's bases are pre-offset by the Hi half's popcounts,
//             so a lookup reads one 16-byte half and counts one word. Node 0 is unused.
//   leaves    Int32Array of values, with leafLen (Uint8Array) = length of the prefix that
//             wrote each leaf (needed by updates only).
//
// Updates keep the same rules as the Lpm4 trie (see lpm4.ts): insertion overwrites slots
// whose length is ≤ the new one (descending into child nodes), removal rewrites slots of
// exactly the removed length with the covering prefix taken from the exact-match store, and
// nodes left with nothing longer than their own start bit are folded back into their parent.
// A changed node is decoded into 64 scratch slots and re-encoded; a node whose child or leaf
// count changes moves its child/leaf block (children are 32-byte copies — their own blocks
// stay put). Blocks of 1..64 nodes or leaves come from bump-allocated pools with exact-size
// free lists; when more than a third of a pool is free, the trie is copied compactly.
//
// lookup(): one root read, then per level one 16-byte node half, one bit test and one
// popcount; the final leaf read. Address bits come straight out of the packet buffer (two
// bytes per level), no 128-bit key is assembled.

import { checkFibValue, checkPrefixLen } from './lpm4.js';

/** Nodes in use at which a root of 8 bits is replaced by one of 16 bits (320 KB). */
const GROW_AT = 2048;
const LEAF = -1; // scratch kid[] markers
const NEW = -2;
/** Deepest node level: strides of 6 from an 8-bit root reach bit 128 after 20 levels. */
const MAX_LEVELS = 24;

/** Number of set bits in a 32-bit word. */
function popcnt(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

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

/** The 6 bits of a 16-byte key starting at bit d (bits past 127 read as 0). */
function bits6(k: Uint8Array, d: number): number {
  const i = d >> 3;
  return ((((k[i]! << 8) | (i < 15 ? k[i + 1]! : 0)) >>> (10 - (d & 7))) & 63);
}

/**
 * IPv6 FIB. Prefixes are 16-byte arrays; host bits beyond `len` are ignored (cleared).
 * `entries()` yields fresh 16-byte arrays in ascending (address, len) order.
 */
export class Lpm6 {
  /** Exact-match store, the source of truth: byLen[len] maps wordKey(prefix) → value. */
  private readonly byLen: (Map<string, number> | undefined)[] = new Array(129).fill(undefined);
  private count = 0;
  private readonly key = new Uint8Array(16);

  private rootBits = 8;
  private rootShift = 16; // root index = (b0 << 16 | b1 << 8 | b2) >>> rootShift
  private root = new Int32Array(0);
  private rootLen = new Uint8Array(0);

  private nodes = new Int32Array(0);
  private nodeTop = 1; // bump pointer, in nodes; node 0 is never used
  private nodesUsed = 0;
  private nodesFree = 0;
  private nodeFree: number[][] = [];

  private leaves = new Int32Array(0);
  private leafLen = new Uint8Array(0);
  private leafTop = 0;
  private leavesUsed = 0;
  private leavesFree = 0;
  private leafFree: number[][] = [];

  // Decoded nodes, 64 slots per level of recursion: kid = child node index, LEAF or NEW.
  private readonly kid = new Int32Array(64 * MAX_LEVELS);
  private readonly sval = new Int32Array(64 * MAX_LEVELS);
  private readonly slen = new Uint8Array(64 * MAX_LEVELS);
  // Removal path: nodes from the root down and the slot pointing at each.
  private readonly pathNode = new Int32Array(MAX_LEVELS);
  private readonly pathSlot = new Int32Array(MAX_LEVELS);

  constructor(opts?: { expectedRoutes?: number }) {
    const e = opts?.expectedRoutes;
    this.reset(e !== undefined && e > 128 ? 16 : 8);
  }

  /** Value of the longest prefix covering the 16-byte address at buf[off], -1 if none. */
  lookup(buf: Uint8Array, off: number): number {
    let e = this.root[((buf[off]! << 16) | (buf[off + 1]! << 8) | buf[off + 2]!) >>> this.rootShift]!;
    if (e >= -1) return e;
    const N = this.nodes;
    let n = ~e;
    let d = this.rootBits;
    for (;;) {
      const i = off + (d >> 3);
      const v = (((buf[i]! << 8) | (d < 120 ? buf[i + 1]! : 0)) >>> (10 - (d & 7))) & 63;
      const p = (n << 3) | ((v & 32) >> 3);
      const s = 31 - (v & 31);
      const x = N[p]! >>> s;
      if ((x & 1) === 0) return this.leaves[N[p + 3]! + popcnt(N[p + 1]! >>> s) - 1]!;
      n = N[p + 2]! + popcnt(x) - 1;
      d += 6;
    }
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
    if (this.rootBits === 8 && this.nodesUsed >= GROW_AT) this.rebuild(16);
    else this.maybeCompact();
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
    this.maybeCompact();
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

  /**
   * Root stride, poptrie nodes in use (`chunks`), leaves in use, and bytes held by the lookup
   * structure (root, node and leaf pools as allocated; not the exact-match store).
   */
  stats(): { rootStride: number; chunks: number; leaves: number; bytes: number } {
    return {
      rootStride: this.rootBits,
      chunks: this.nodesUsed,
      leaves: this.leavesUsed,
      bytes:
        this.root.byteLength + this.rootLen.byteLength + this.nodes.byteLength + this.leaves.byteLength + this.leafLen.byteLength,
    };
  }

  // ---- structure ----------------------------------------------------------------------

  private reset(rootBits: number): void {
    this.rootBits = rootBits;
    this.rootShift = 24 - rootBits;
    this.root = new Int32Array(1 << rootBits).fill(-1);
    this.rootLen = new Uint8Array(1 << rootBits);
    const big = rootBits > 8;
    this.nodes = new Int32Array((big ? 1024 : 8) * 8);
    this.nodeTop = 1;
    this.nodesUsed = 0;
    this.nodesFree = 0;
    this.nodeFree = Array.from({ length: 65 }, () => []);
    this.leaves = new Int32Array(big ? 4096 : 16);
    this.leafLen = new Uint8Array(this.leaves.length);
    this.leafTop = 0;
    this.leavesUsed = 0;
    this.leavesFree = 0;
    this.leafFree = Array.from({ length: 65 }, () => []);
  }

  private static grown(cur: number, need: number): number {
    return Math.max(need, cur < 1 << 16 ? cur * 2 : Math.ceil(cur * 1.25));
  }

  private allocNodes(k: number): number {
    if (k === 0) return 0;
    this.nodesUsed += k;
    const f = this.nodeFree[k]!.pop();
    if (f !== undefined) {
      this.nodesFree -= k;
      return f;
    }
    const n = this.nodeTop;
    this.nodeTop += k;
    if (this.nodeTop * 8 > this.nodes.length) {
      const a = new Int32Array(Lpm6.grown(this.nodes.length, this.nodeTop * 8));
      a.set(this.nodes);
      this.nodes = a;
    }
    return n;
  }

  private freeNodes(n: number, k: number): void {
    if (k === 0) return;
    this.nodesUsed -= k;
    this.nodesFree += k;
    this.nodeFree[k]!.push(n);
  }

  private allocLeaves(m: number): number {
    if (m === 0) return 0;
    this.leavesUsed += m;
    const f = this.leafFree[m]!.pop();
    if (f !== undefined) {
      this.leavesFree -= m;
      return f;
    }
    const l = this.leafTop;
    this.leafTop += m;
    if (this.leafTop > this.leaves.length) {
      const cap = Lpm6.grown(this.leaves.length, this.leafTop);
      const a = new Int32Array(cap);
      a.set(this.leaves);
      this.leaves = a;
      const b = new Uint8Array(cap);
      b.set(this.leafLen);
      this.leafLen = b;
    }
    return l;
  }

  private freeLeaves(l: number, m: number): void {
    if (m === 0) return;
    this.leavesUsed -= m;
    this.leavesFree += m;
    this.leafFree[m]!.push(l);
  }

  /** Writes node n as a single run of one leaf: no children, every slot = value/len. */
  private initNode(n: number, value: number, len: number): void {
    const l = this.allocLeaves(1);
    this.leaves[l] = value;
    this.leafLen[l] = len;
    const N = this.nodes;
    const p = n << 3;
    N[p] = 0;
    N[p + 1] = 0x80000000 | 0;
    N[p + 2] = 0;
    N[p + 3] = l;
    N[p + 4] = 0;
    N[p + 5] = 0;
    N[p + 6] = 0;
    N[p + 7] = l + 1;
  }

  /** Child node at slot v of node n, or -1 when the slot is a leaf. */
  private childAt(n: number, v: number): number {
    const N = this.nodes;
    const p = (n << 3) | ((v & 32) >> 3);
    const x = N[p]! >>> (31 - (v & 31));
    return (x & 1) === 0 ? -1 : N[p + 2]! + popcnt(x) - 1;
  }

  /** Decodes node n into the 64 scratch slots at s. */
  private decode(n: number, s: number): void {
    const N = this.nodes;
    const L = this.leaves;
    const LL = this.leafLen;
    const K = this.kid;
    const V = this.sval;
    const LN = this.slen;
    for (let h = 0; h < 2; h++) {
      const p = (n << 3) | (h << 2);
      const vec = N[p]!;
      const lv = N[p + 1]!;
      let c = N[p + 2]!;
      let l = N[p + 3]! - 1;
      for (let b = 0; b < 32; b++) {
        const bit = 0x80000000 >>> b;
        const i = s + (h << 5) + b;
        if ((vec & bit) !== 0) {
          K[i] = c++;
        } else {
          if ((lv & bit) !== 0) l++;
          K[i] = LEAF;
          V[i] = L[l]!;
          LN[i] = LL[l]!;
        }
      }
    }
  }

  /**
   * Re-encodes node n from the scratch slots at s: rebuilds the bitmaps, moves its children
   * to a new block when they changed (creating NEW ones as single-leaf nodes, and writing
   * every child's new index back into kid[]), and rewrites its leaves, reallocating the leaf
   * block when the number of runs changed.
   */
  private encode(n: number, s: number): void {
    const K = this.kid;
    const V = this.sval;
    const LN = this.slen;
    let N = this.nodes;
    const p = n << 3;
    const nb0 = N[p + 2]!;
    const k0 = popcnt(N[p]!) + popcnt(N[p + 4]!);
    const lb0 = N[p + 3]!;
    const m0 = popcnt(N[p + 1]!) + popcnt(N[p + 5]!);
    let vh = 0;
    let vl = 0;
    let lh = 0;
    let ll = 0;
    let k = 0;
    let m = 0;
    let same = true;
    let pv = 0;
    let pl = -1;
    for (let v = 0; v < 64; v++) {
      const kd = K[s + v]!;
      const bit = 0x80000000 >>> (v & 31);
      if (kd !== LEAF) {
        if (v < 32) vh |= bit;
        else vl |= bit;
        if (kd !== nb0 + k) same = false;
        k++;
      } else if (m === 0 || V[s + v] !== pv || LN[s + v] !== pl) {
        if (v < 32) lh |= bit;
        else ll |= bit;
        m++;
        pv = V[s + v]!;
        pl = LN[s + v]!;
      }
    }
    let nb = nb0;
    if (!same || k !== k0) {
      nb = this.allocNodes(k);
      let j = 0;
      for (let v = 0; v < 64; v++) {
        const kd = K[s + v]!;
        if (kd === LEAF) continue;
        const dst = nb + j++;
        if (kd === NEW) this.initNode(dst, V[s + v]!, LN[s + v]!);
        else this.nodes.copyWithin(dst << 3, kd << 3, (kd << 3) + 8);
        K[s + v] = dst;
      }
      this.freeNodes(nb0, k0);
    }
    let lb = lb0;
    if (m !== m0) {
      this.freeLeaves(lb0, m0);
      lb = this.allocLeaves(m);
    }
    const L = this.leaves;
    const LL = this.leafLen;
    let l = lb - 1;
    for (let v = 0; v < 64; v++) {
      if (K[s + v] !== LEAF) continue;
      const bit = 0x80000000 >>> (v & 31);
      if (((v < 32 ? lh : ll) & bit) !== 0) {
        l++;
        L[l] = V[s + v]!;
        LL[l] = LN[s + v]!;
      }
    }
    N = this.nodes;
    N[p] = vh;
    N[p + 1] = lh;
    N[p + 2] = nb;
    N[p + 3] = lb;
    N[p + 4] = vl;
    N[p + 5] = ll;
    N[p + 6] = nb + popcnt(vh);
    N[p + 7] = lb + popcnt(lh);
  }

  private trieInsert(key: Uint8Array, len: number, value: number): void {
    const rb = this.rootBits;
    const ri = ((key[0]! << 16) | (key[1]! << 8) | key[2]!) >>> this.rootShift;
    if (len <= rb) {
      const end = ri + (1 << (rb - len));
      for (let i = ri; i < end; i++) {
        const e = this.root[i]!;
        if (e < -1) this.fill(~e, value, len, 0);
        else if (this.rootLen[i]! <= len) {
          this.root[i] = value;
          this.rootLen[i] = len;
        }
      }
      return;
    }
    let e = this.root[ri]!;
    if (e >= -1) {
      const n = this.allocNodes(1);
      this.initNode(n, e, this.rootLen[ri]!);
      e = ~n;
      this.root[ri] = e;
    }
    let n = ~e;
    let d = rb;
    while (len > d + 6) {
      const v = bits6(key, d);
      let c = this.childAt(n, v);
      if (c < 0) {
        this.decode(n, 0);
        this.kid[v] = NEW;
        this.encode(n, 0);
        c = this.kid[v]!;
      }
      n = c;
      d += 6;
    }
    const v0 = bits6(key, d);
    const end = v0 + (1 << (d + 6 - len));
    this.decode(n, 0);
    for (let v = v0; v < end; v++) {
      const c = this.kid[v]!;
      if (c !== LEAF) this.fill(c, value, len, 1);
      else if (this.slen[v]! <= len) {
        this.sval[v] = value;
        this.slen[v] = len;
      }
    }
    this.encode(n, 0);
  }

  /** Writes value/len into every slot of the subtree at n whose length is ≤ len. */
  private fill(n: number, value: number, len: number, level: number): void {
    const s = level << 6;
    this.decode(n, s);
    for (let v = s; v < s + 64; v++) {
      const c = this.kid[v]!;
      if (c !== LEAF) this.fill(c, value, len, level + 1);
      else if (this.slen[v]! <= len) {
        this.sval[v] = value;
        this.slen[v] = len;
      }
    }
    this.encode(n, s);
  }

  /** Rewrites every slot of the subtree at n written by a prefix of length len. */
  private unfill(n: number, len: number, cv: number, cl: number, level: number): void {
    const s = level << 6;
    this.decode(n, s);
    for (let v = s; v < s + 64; v++) {
      const c = this.kid[v]!;
      if (c !== LEAF) this.unfill(c, len, cv, cl, level + 1);
      else if (this.slen[v] === len) {
        this.sval[v] = cv;
        this.slen[v] = cl;
      }
    }
    this.encode(n, s);
  }

  /**
   * Rewrites the slots of `key/len` (which must have been inserted) with the covering prefix
   * (-1/0 when there is none), then folds nodes on the path that no longer hold anything
   * longer than their start bit.
   */
  private trieRemove(key: Uint8Array, len: number, cv: number, cl: number): void {
    const rb = this.rootBits;
    const ri = ((key[0]! << 16) | (key[1]! << 8) | key[2]!) >>> this.rootShift;
    if (len <= rb) {
      const end = ri + (1 << (rb - len));
      for (let i = ri; i < end; i++) {
        const e = this.root[i]!;
        if (e < -1) this.unfill(~e, len, cv, cl, 0);
        else if (this.rootLen[i] === len) {
          this.root[i] = cv;
          this.rootLen[i] = cl;
        }
      }
      return;
    }
    const e = this.root[ri]!;
    if (e >= -1) throw new Error('lpm6: internal error, removed prefix has no node');
    let n = ~e;
    let d = rb;
    let depth = 0;
    this.pathSlot[0] = ri;
    this.pathNode[0] = n;
    while (len > d + 6) {
      const v = bits6(key, d);
      n = this.childAt(n, v);
      if (n < 0) throw new Error('lpm6: internal error, removed prefix has no node');
      depth++;
      this.pathSlot[depth] = v;
      this.pathNode[depth] = n;
      d += 6;
    }
    const v0 = bits6(key, d);
    const end = v0 + (1 << (d + 6 - len));
    this.decode(n, 0);
    for (let v = v0; v < end; v++) {
      const c = this.kid[v]!;
      if (c !== LEAF) this.unfill(c, len, cv, cl, 1);
      else if (this.slen[v] === len) {
        this.sval[v] = cv;
        this.slen[v] = cl;
      }
    }
    this.encode(n, 0);
    // Fold nodes on the path, deepest first. The node at depth i starts at bit rb + 6i; it
    // can go when it has no children and a single leaf no longer than that.
    for (let i = depth; i >= 0; i--) {
      const m = this.pathNode[i]!;
      const p = m << 3;
      const N = this.nodes;
      if ((N[p]! | N[p + 4]!) !== 0 || popcnt(N[p + 1]!) + popcnt(N[p + 5]!) !== 1) break;
      const lb = N[p + 3]!;
      const fl = this.leafLen[lb]!;
      if (fl > rb + 6 * i) break;
      const fv = this.leaves[lb]!;
      this.freeLeaves(lb, 1);
      if (i === 0) {
        this.root[this.pathSlot[0]!] = fv;
        this.rootLen[this.pathSlot[0]!] = fl;
        this.freeNodes(m, 1);
      } else {
        const parent = this.pathNode[i - 1]!;
        this.decode(parent, 0);
        const v = this.pathSlot[i]!;
        this.kid[v] = LEAF;
        this.sval[v] = fv;
        this.slen[v] = fl;
        this.encode(parent, 0);
      }
    }
  }

  /** Copies the trie into right-sized pools when more than a third of a pool is free. */
  private maybeCompact(): void {
    const nodeWaste = this.nodesFree > 4096 && this.nodesFree * 2 > this.nodesUsed;
    const leafWaste = this.leavesFree > 16384 && this.leavesFree * 2 > this.leavesUsed;
    if (nodeWaste || leafWaste) this.compact();
  }

  private compact(): void {
    const oldN = this.nodes;
    const oldL = this.leaves;
    const oldLL = this.leafLen;
    const nUsed = this.nodesUsed;
    const lUsed = this.leavesUsed;
    const nodes = new Int32Array((nUsed + 1 + (nUsed >> 3) + 64) * 8);
    const lcap = lUsed + (lUsed >> 3) + 256;
    const leaves = new Int32Array(lcap);
    const leafLen = new Uint8Array(lcap);
    let nt = 1;
    let lt = 0;
    // Copies node src's leaves and children into the new pools; dst already reserved.
    const copy = (src: number, dst: number): void => {
      const sp = src << 3;
      const dp = dst << 3;
      const k = popcnt(oldN[sp]!) + popcnt(oldN[sp + 4]!);
      const m = popcnt(oldN[sp + 1]!) + popcnt(oldN[sp + 5]!);
      const nb = k === 0 ? 0 : nt;
      nt += k;
      const lb = m === 0 ? 0 : lt;
      lt += m;
      const olb = oldN[sp + 3]!;
      leaves.set(oldL.subarray(olb, olb + m), lb);
      leafLen.set(oldLL.subarray(olb, olb + m), lb);
      nodes[dp] = oldN[sp]!;
      nodes[dp + 1] = oldN[sp + 1]!;
      nodes[dp + 2] = nb;
      nodes[dp + 3] = lb;
      nodes[dp + 4] = oldN[sp + 4]!;
      nodes[dp + 5] = oldN[sp + 5]!;
      nodes[dp + 6] = nb + popcnt(oldN[sp]!);
      nodes[dp + 7] = lb + popcnt(oldN[sp + 1]!);
      const onb = oldN[sp + 2]!;
      for (let j = 0; j < k; j++) copy(onb + j, nb + j);
    };
    const root = this.root;
    for (let i = 0; i < root.length; i++) {
      const e = root[i]!;
      if (e >= -1) continue;
      const dst = nt++;
      copy(~e, dst);
      root[i] = ~dst;
    }
    this.nodes = nodes;
    this.leaves = leaves;
    this.leafLen = leafLen;
    this.nodeTop = nt;
    this.leafTop = lt;
    this.nodesFree = 0;
    this.leavesFree = 0;
    this.nodeFree = Array.from({ length: 65 }, () => []);
    this.leafFree = Array.from({ length: 65 }, () => []);
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

  private rebuild(rootBits: number): void {
    this.reset(rootBits);
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
    this.compact();
  }
}
