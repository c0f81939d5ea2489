// Shared core of Lpm4 and Lpm6: a multibit trie with a direct-indexed root and 8-bit strides
// below, whose nodes are compressed as in Poptrie (Asai & Ohara, SIGCOMM 2015): runs of equal
// entries are stored once and found by popcount.
//
// Why compressed nodes. A full IPv4 table spreads ~1M prefixes over ~56K /16s, so nearly every
// /16 needs a node for bits 16-23: as plain 256-entry int32 chunks that is 56 MB before the
// exact-match store, and DIR-24-8 (the previous design) was 80 MB for its root alone (2^24 int32
// plus a length byte each), 128 B per route in all. But a node holds few distinct results: the
// DFZ-like table puts ~18 prefixes in a /16, ~40 runs out of 256 entries, so a node is ~300 B
// and 1M routes take ~16 MB of nodes, ~32 B per route with the store (bench/routes.mjs). The
// price is a second dependent read per node level (the group word, then the run's slot) and a
// popcount: at 1M routes a random-address lookup runs at ~0.4 of one array read where DIR-24-8
// ran at ~0.6-0.7. The root stays direct: 2^16 int32 (256 KB, L2-resident) once the table is
// big, 2^8 while it is small, so a VRF with a handful of routes costs ~3 KB. Strides stay 8 bits
// so that Lpm6 reads one address byte per level straight from the packet.
//
// Three node kinds share one Int32Array pool, in 8-word (32-byte) blocks. The parent holds a
// reference p = block offset + kind (root entries hold ~p, so a root entry < -1 is a node and
// ≥ -1 a leaf value):
//
// Bitmap node (p = b): the general case.
//   b + 3w + 0   childvec word w: bit k set ⇔ entry 32w+k is a child node    (w = 0..7)
//   b + 3w + 1   leafvec word w:  bit k set ⇔ a run of equal leaves starts at entry 32w+k
//   b + 3w + 2   ranks: low 16 bits = offset from b of the slot before word w's first child,
//                high 16 bits = offset from b of the last run started before word w
//   b + 24 ...   C child references, then L run values, then L run prefix lengths (4 per word)
// A lookup step for entry x (w = x >> 5, sh = 31 - (x & 31)) shifts the word left by sh, so
// bit x lands on the sign bit (child test is `< 0`) and popcount counts the bits at or below x:
//   child: pool[b + (ranks & 0xffff) + popcnt(childvec << sh)]
//   leaf:  pool[b + (ranks >>> 16) + popcnt(leafvec << sh)]
// The three words of a group are adjacent, so a step reads the group and one slot, with no
// per-node count or base to fetch first.
//
// Tiny node (p = b + 1): at most four items, an item being a run of equal leaves or one child.
// Most nodes of an IPv6 table and of a FIB with routes past /24 are like this (a child in a
// uniform leaf; cover, prefix, cover), and there a bitmap node's 96-byte header would be most of
// the node and a second cache line per level. 32 bytes:
//   b + 0   starts of items 1-3 (9 bits each, 256 = absent) | child mask of items 0-3 << 27
//   b + 1   the items' prefix lengths, 8 bits each (updates only)
//   b + 2.. the items' values or child references
// A step is branch-free: item i = Σ [x ≥ start_j], then pool[b + 2 + i] and mask bit i.
//
// Direct node (p = b + 2): when a bitmap node would be ≥ 240 words (dense nodes, such as an IPv6
// table's top levels with hundreds of children), the 256 entries as they are, in the form a step
// returns (leaf value ≥ -1, or ~child), then their prefix lengths: one read per step, at most a
// third more memory than the bitmap node it replaces.
//
// A run's prefix length is kept because insert and remove need it: insertion overwrites entries
// whose length is ≤ the new one; removal rewrites entries of exactly the removed length with the
// covering prefix. Runs are keyed by (value, length), so compression loses nothing.
//
// Updates decode the one node they change into a scratch frame (runs and children), edit it as
// the uncompressed trie would be edited, and re-encode it into a new block of whichever kind
// fits; the parent's reference is patched in place unless its shape changed too (a new child or
// a folded one). A node whose entries all hold one prefix no longer than its parent's stride is
// folded back into the parent entry, so removing everything leaves no node behind. Blocks are
// recycled through exact-size free lists; when free blocks exceed a quarter of the live words
// the pool is compacted by copying the tree (between operations, never inside one).

/** Words of a bitmap node's header: 8 groups of (childvec, leafvec, ranks). */
const HEADER = 24;
/** Largest node: header, 256 runs with their lengths, no children (or 256 children). */
const MAX_NODE = HEADER + 256 + 256 / 4;
/** Words of a tiny node, and the block size every node is rounded to. */
const TINY = 8;
/** A tiny node's absent start: no entry index reaches it. */
const NO_START = 256;
/** Words of a direct node: 256 entries and their prefix lengths (4 per word). */
const DIRECT = 256 + 64;
/** Bitmap nodes this big or bigger are stored direct instead: at most a third more memory. */
const DIRECT_AT = 240;
/** Parent locations (see refAt): a root index i is ROOT | i. */
const ROOT = -0x80000000;
const INVERTED = -0x40000000;
/** Node levels below the smallest root: 120 bits of IPv6 in 8-bit strides. */
const MAX_DEPTH = 16;
/** Live node words at which a root of stride 8 is replaced by one of 16: as big as that root. */
const GROW_WORDS = 1 << 16;

// Decode/encode scratch, one frame per node depth, shared by every table (operations never
// nest across tables, and JS runs one at a time). A frame is the node's leaf layer as runs over
// all 256 positions (start, value, prefix length; a run's value under a child position is never
// read) and its child layer (childvec words and the child offset at each child position), so an
// update costs O(runs + children), not O(256).
const FRAME_RUNS = 257;
const runStart = new Int32Array(MAX_DEPTH * FRAME_RUNS);
const runVal = new Int32Array(MAX_DEPTH * FRAME_RUNS);
const runLen = new Uint8Array(MAX_DEPTH * FRAME_RUNS);
const runCount = new Int32Array(MAX_DEPTH);
const childVec = new Int32Array(MAX_DEPTH * 8);
const childAt = new Int32Array(MAX_DEPTH * 256);
// Output of a range edit before it is copied back into its frame.
const tmpStart = new Int32Array(FRAME_RUNS + 2);
const tmpVal = new Int32Array(FRAME_RUNS + 2);
const tmpLen = new Uint8Array(FRAME_RUNS + 2);
let tmpCount = 0;
/** Run where editRange() last found its range (a hint only: checked before use). */
let runHint = 0;
/** Leaf a batch's node folded into (batchNode returns -1). */
let foldV = -1;
let foldL = 0;

/** Appends a run to the range edit's output, merging it into the previous one when equal. */
function emit(start: number, v: number, len: number): void {
  const m = tmpCount;
  if (m > 0 && tmpVal[m - 1] === v && tmpLen[m - 1] === len) return;
  tmpStart[m] = start;
  tmpVal[m] = v;
  tmpLen[m] = len;
  tmpCount = m + 1;
}

/** Range edits: which runs of the range take the new leaf. */
const FILL = 0; // prefix length ≤ the new one (insertion)
const RESET = 1; // prefix length = the removed one (removal, the new leaf is the cover)
const SET = 2; // all

/**
 * @internal What `root` holds while a batch is open: every entry -2, the ref ~1 of no node (blocks
 * below TINY are never nodes), so a lookup goes out of line and there finishes the batch's
 * pending changes first instead of answering from a stale trie (see Lpm4.lookupNodes).
 */
export const BATCH_ROOT = new Int32Array(1 << 16).fill(-2);

/** Set bits of a 32-bit word (SWAR; V8 has no popcount intrinsic reachable from JS). */
export function popcnt(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Item of a tiny node whose header word is w holding entry x: how many of starts 1-3 are ≤ x. */
function tinyItem(w: number, x: number): number {
  return (((w & 511) - x - 1) >>> 31) + ((((w >>> 9) & 511) - x - 1) >>> 31) + ((((w >>> 18) & 511) - x - 1) >>> 31);
}

/**
 * One lookup step: entry x (0-255) of node ref p. Returns the leaf value (≥ -1) or, when the
 * entry is a child node, ~(its ref) (< -1). Small enough to be inlined into every lookup loop.
 */
export function step(pool: Int32Array, p: number, x: number): number {
  if (p & 1) {
    const w = pool[p - 1]!;
    const i = tinyItem(w, x);
    const e = pool[p + 1 + i]!;
    return (w >>> (27 + i)) & 1 ? ~e : e;
  }
  if (p & 2) return pool[p - 2 + x]!;
  const g = p + 3 * (x >>> 5);
  const sh = ~x & 31;
  const c = pool[g]! << sh;
  if (c >= 0) return pool[p + (pool[g + 2]! >>> 16) + popcnt(pool[g + 1]! << sh)]!;
  return ~pool[p + (pool[g + 2]! & 0xffff) + popcnt(c)]!;
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

/** @internal Initial root stride for a table expected to hold `expectedRoutes`. */
export function rootStrideFor(expectedRoutes: number | undefined): number {
  return expectedRoutes === undefined || expectedRoutes <= 128 ? 8 : 16;
}

/**
 * Bytes of a table's typed arrays: the root (entries and their prefix lengths), the node pool
 * (its capacity), the exact-match store, and small per-table scratch (`other`). JS object
 * headers add a few hundred bytes per table; the decode scratch (~20 KB) is shared by all.
 */
export interface LpmMemory {
  root: number;
  nodes: number;
  store: number;
  other: number;
  total: number;
}

/**
 * @internal Keys are big-endian bytes; the root has `rootStride` bits (8 or 16), every further
 * level 8 bits. Subclasses own the exact-match store and the lookup; this class maintains the
 * trie. Entries: root[i] ≥ -1 is a leaf value (-1 = no route), root[i] < -1 is ~(node ref);
 * leaf values in nodes are ≥ -1 as well. Nodes sit in 8-word blocks; a node ref p is the block
 * offset plus the kind: + 0 bitmap, + 1 tiny, + 2 direct.
 */
export abstract class BitmapTrie {
  protected root: Int32Array;
  protected rootLen: Uint8Array;
  protected pool: Int32Array;
  /** 32 - rootStride: Lpm4 indexes the root with addr >>> rootShift. */
  protected rootShift = 0;
  /** 16 - rootStride: Lpm6 indexes the root with (b0 << 8 | b1) >>> rootShift16. */
  protected rootShift16 = 0;
  /** Root stride in whole bytes. */
  protected rootBytes = 0;
  private stride = 0;
  private top = TINY; // bump pointer in words; offsets below TINY are never a node
  private live = 0; // words in live nodes
  private nodeCount = 0;
  /** Words in free blocks (and, before the pool is big enough for free lists, dead ones). */
  private freeWords = 0;
  /** Head of the free list of blocks of each size (0 = empty); only once the pool is big. */
  private freeHeads: Int32Array | null = null;
  private readonly maxStride: number;
  /** Open beginBatch() calls; while > 0 the trie lags the store and `root` is BATCH_ROOT. */
  protected batchDepth = 0;
  /** The real root while a batch is open. */
  protected heldRoot: Int32Array | null = null;
  // path of the current removal: node ref, where it is held (see childLoc) and the entry taken
  private readonly pathNode = new Int32Array(MAX_DEPTH);
  private readonly pathRef = new Int32Array(MAX_DEPTH);
  private readonly pathX = new Int32Array(MAX_DEPTH);

  /**
   * Starts a batch of inserts and removes (nested calls count): they update the exact-match store
   * at once (get, size, entries stay exact) and the trie only at endBatch(), each trie node being
   * re-encoded once for all its changes instead of once per change. A lookup while the batch is
   * open stays correct: it applies the changes pending so far first (slow, meant for the odd
   * next-hop resolution, not for forwarding).
   */
  beginBatch(): void {
    if (this.batchDepth++ > 0) return;
    this.openPending();
    this.holdRoot();
  }

  /** Ends a batch: the outermost call brings the trie up to date with the store. */
  endBatch(): void {
    if (this.batchDepth === 0) throw new Error('lpm: endBatch() without beginBatch()');
    if (--this.batchDepth > 0) return;
    this.flushPending();
    this.closePending();
  }

  /** True while a batch is open. */
  get batching(): boolean {
    return this.batchDepth > 0;
  }

  /** A batch's record of changed prefixes: made at its start, dropped at its end. */
  protected abstract openPending(): void;
  protected abstract closePending(): void;
  /** Restores the real root (releaseRoot) and applies the pending changes to the trie. */
  protected abstract flushPending(): void;

  /** Puts the batch root (every lookup a miss that leads to answerInBatch) in place of the real one. */
  private holdRoot(): void {
    this.heldRoot = this.root;
    this.root = BATCH_ROOT;
  }

  protected releaseRoot(): void {
    this.root = this.heldRoot!;
    this.heldRoot = null;
  }

  /** A lookup while a batch is open: bring the trie up to date, answer, and keep batching. */
  protected answerInBatch(lookup: () => number): number {
    if (this.batchDepth === 0) throw new Error('lpm: internal error, batch root outside a batch');
    this.flushPending();
    const v = lookup();
    this.holdRoot();
    return v;
  }

  protected constructor(rootStride: number, maxStride: number) {
    this.maxStride = maxStride;
    this.root = new Int32Array(0);
    this.rootLen = new Uint8Array(0);
    this.pool = new Int32Array(0);
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
    this.pool = new Int32Array(rootStride >= 16 ? 1 << 14 : 256);
    this.top = TINY;
    this.live = 0;
    this.nodeCount = 0;
    this.freeWords = 0;
    this.freeHeads = null;
  }

  /** True when the table has outgrown its root and should be rebuilt with `nextStride()`. */
  protected shouldGrow(): boolean {
    return this.stride < this.maxStride && this.live >= GROW_WORDS;
  }

  protected nextStride(): number {
    return this.stride + 8;
  }

  protected trieStats(): { rootStride: number; chunks: number; bytes: number } {
    const m = this.trieMemory();
    return { rootStride: this.stride, chunks: this.nodeCount, bytes: m.root + m.nodes };
  }

  /**
   * Bytes of the trie's typed arrays: root and its lengths; node pool at its capacity (free
   * blocks and growth room included) and free-list heads; the removal path.
   */
  protected trieMemory(): { root: number; nodes: number; other: number } {
    return {
      root: (this.heldRoot ?? this.root).byteLength + this.rootLen.byteLength,
      nodes: this.pool.byteLength + (this.freeHeads?.byteLength ?? 0),
      other: this.pathNode.byteLength + this.pathRef.byteLength + this.pathX.byteLength,
    };
  }

  // ---- node pool ---------------------------------------------------------------------------

  /** Words of a bitmap node with c children and l runs, in whole 8-word (32-byte) blocks. */
  private static sizeOf(c: number, l: number): number {
    return (HEADER + c + l + ((l + 3) >> 2) + TINY - 1) & -TINY;
  }

  /** Children of bitmap node b, from the last group's ranks. */
  private childCount(b: number): number {
    return (this.pool[b + 23]! & 0xffff) - (HEADER - 1) + popcnt(this.pool[b + 21]!);
  }

  /** Runs of bitmap node b with c children, from the last group's ranks. */
  private runCountOf(b: number, c: number): number {
    return (this.pool[b + 23]! >>> 16) - (HEADER - 1) - c + popcnt(this.pool[b + 22]!);
  }

  private nodeSize(p: number): number {
    if (p & 1) return TINY;
    if (p & 2) return DIRECT;
    const c = this.childCount(p);
    return BitmapTrie.sizeOf(c, this.runCountOf(p, c));
  }

  /** Items of tiny node block b (1-4). */
  private tinyItems(b: number): number {
    const w = this.pool[b]!;
    let n = 1;
    for (let j = 0; j < 27; j += 9) if (((w >>> j) & 511) !== NO_START) n++;
    return n;
  }

  /**
   * Whether node p has no child and every leaf's prefix length is above `len` (when `above`)
   * or differs from it: then a FILL or RESET with that length cannot change it.
   */
  private untouched(p: number, len: number, above: boolean): boolean {
    const pool = this.pool;
    if (p & 1) {
      const b = p - 1;
      if (pool[b]! >>> 27 !== 0) return false;
      const lens = pool[b + 1]!;
      for (let i = 0, n = this.tinyItems(b); i < n; i++) {
        const rl = (lens >>> (i << 3)) & 255;
        if (above ? rl <= len : rl === len) return false;
      }
      return true;
    }
    if (p & 2) {
      const b = p - 2;
      for (let x = 0; x < 256; x++) {
        const rl = (pool[b + 256 + (x >> 2)]! >>> ((x & 3) << 3)) & 255;
        if (pool[b + x]! < -1 || (above ? rl <= len : rl === len)) return false;
      }
      return true;
    }
    const c = this.childCount(p);
    if (c !== 0) return false;
    const l = this.runCountOf(p, c);
    const lens = p + HEADER + l;
    for (let i = 0; i < l; i++) {
      const rl = (pool[lens + (i >> 2)]! >>> ((i & 3) << 3)) & 255;
      if (above ? rl <= len : rl === len) return false;
    }
    return true;
  }

  /** A block of `size` words (a multiple of TINY: every block is 32-byte aligned). */
  private alloc(size: number): number {
    this.live += size;
    this.nodeCount++;
    const heads = this.freeHeads;
    if (heads !== null) {
      const b = heads[size]!;
      if (b !== 0) {
        heads[size] = this.pool[b]!;
        this.freeWords -= size;
        return b;
      }
    }
    const b = this.top;
    if (b + size > this.pool.length) {
      const cap = Math.max(b + size, this.pool.length + (this.pool.length >> 2), 1024);
      const pool = new Int32Array(cap);
      pool.set(this.pool.subarray(0, this.top));
      this.pool = pool;
      if (this.freeHeads === null && cap >= 1 << 16) this.freeHeads = new Int32Array(MAX_NODE + 1);
    }
    this.top = b + size;
    return b;
  }

  private free(p: number): void {
    const size = this.nodeSize(p);
    const b = p & -TINY;
    this.live -= size;
    this.nodeCount--;
    this.freeWords += size;
    const heads = this.freeHeads;
    if (heads !== null) {
      this.pool[b] = heads[size]!;
      heads[size] = b;
    }
  }

  /**
   * Between operations: copies the live tree into a right-sized pool once free blocks exceed a
   * quarter of the live words, or once nothing is live (an emptied table gives its pool back).
   */
  protected maybeCompact(): void {
    if (this.freeWords === 0 || (this.live !== 0 && this.freeWords <= (this.live >> 2) + 256)) return;
    const from = this.pool;
    const to = new Int32Array(Math.max(256, TINY + this.live + ((this.live >> 3) & -TINY)));
    let top = TINY;
    const copy = (p: number): number => {
      if (p & 1) {
        const b = p - 1;
        const nb = top;
        top += TINY;
        to.set(from.subarray(b, b + TINY), nb);
        const mask = from[b]! >>> 27;
        for (let i = 0; i < 4; i++) if ((mask >>> i) & 1) to[nb + 2 + i] = copy(from[b + 2 + i]!);
        return nb + 1;
      }
      if (p & 2) {
        const b = p - 2;
        const nb = top;
        top += DIRECT;
        to.set(from.subarray(b, b + DIRECT), nb);
        for (let x = 0; x < 256; x++) if (from[b + x]! < -1) to[nb + x] = ~copy(~from[b + x]!);
        return nb + 2;
      }
      const c = this.childCount(p);
      const size = BitmapTrie.sizeOf(c, this.runCountOf(p, c));
      const nb = top;
      top += size;
      to.set(from.subarray(p, p + size), nb);
      for (let i = 0; i < c; i++) to[nb + HEADER + i] = copy(from[p + HEADER + i]!);
      return nb;
    };
    const root = this.root;
    for (let i = 0; i < root.length; i++) if (root[i]! < -1) root[i] = ~copy(~root[i]!);
    this.pool = to;
    this.freeWords = 0;
    this.top = top;
    this.freeHeads = to.length >= 1 << 16 ? new Int32Array(MAX_NODE + 1) : null;
  }

  // ---- encode / decode ---------------------------------------------------------------------

  /** Expands node p into frame d. */
  private decode(p: number, d: number): void {
    if (p & 1) {
      this.decodeTiny(p - 1, d);
      return;
    }
    if (p & 2) {
      this.decodeDirect(p - 2, d);
      return;
    }
    const pool = this.pool;
    const c = this.childCount(p);
    const l = this.runCountOf(p, c);
    const ro = d * FRAME_RUNS;
    const po = d << 8;
    let ci = p + HEADER;
    const lf = p + HEADER + c;
    const lens = lf + l;
    let run = 0;
    for (let w = 0; w < 8; w++) {
      let m = pool[p + 3 * w]!;
      childVec[(d << 3) + w] = m;
      while (m !== 0) {
        childAt[po + (w << 5) + 31 - Math.clz32(m & -m)] = pool[ci++]!;
        m &= m - 1;
      }
      m = pool[p + 3 * w + 1]!;
      while (m !== 0) {
        runStart[ro + run] = (w << 5) + 31 - Math.clz32(m & -m);
        runVal[ro + run] = pool[lf + run]!;
        runLen[ro + run] = pool[lens + (run >> 2)]! >>> ((run & 3) << 3);
        run++;
        m &= m - 1;
      }
    }
    runCount[d] = run;
  }

  private decodeDirect(b: number, d: number): void {
    const pool = this.pool;
    const ro = d * FRAME_RUNS;
    childVec.fill(0, d << 3, (d << 3) + 8);
    let run = 0;
    for (let x = 0; x < 256; x++) {
      const e = pool[b + x]!;
      if (e < -1) {
        this.setChild(d, x, ~e);
        continue;
      }
      const len = (pool[b + 256 + (x >> 2)]! >>> ((x & 3) << 3)) & 255;
      if (run > 0 && runVal[ro + run - 1] === e && runLen[ro + run - 1] === len) continue;
      runStart[ro + run] = run === 0 ? 0 : x;
      runVal[ro + run] = e;
      runLen[ro + run] = len;
      run++;
    }
    runCount[d] = run;
  }

  private decodeTiny(b: number, d: number): void {
    const pool = this.pool;
    const w0 = pool[b]!;
    const lens = pool[b + 1]!;
    const ro = d * FRAME_RUNS;
    childVec.fill(0, d << 3, (d << 3) + 8);
    let run = 0;
    for (let i = 0, n = this.tinyItems(b); i < n; i++) {
      const start = i === 0 ? 0 : (w0 >>> (9 * (i - 1))) & 511;
      const v = pool[b + 2 + i]!;
      if ((w0 >>> (27 + i)) & 1) {
        this.setChild(d, start, v);
        continue;
      }
      const len = (lens >>> (i << 3)) & 255;
      // The leaf layer under a child is never read: runs continue across it, and the first run
      // starts at 0 even when item 0 is a child.
      if (run > 0 && runVal[ro + run - 1] === v && runLen[ro + run - 1] === len) continue;
      runStart[ro + run] = run === 0 ? 0 : start;
      runVal[ro + run] = v;
      runLen[ro + run] = len;
      run++;
    }
    runCount[d] = run;
  }

  /** Frame d as a single leaf everywhere, no child. */
  private leafFrame(d: number, v: number, len: number): void {
    const ro = d * FRAME_RUNS;
    runStart[ro] = 0;
    runVal[ro] = v;
    runLen[ro] = len;
    runCount[d] = 1;
    childVec.fill(0, d << 3, (d << 3) + 8);
  }

  /** First child position of frame d at or after x, 256 if none. */
  private nextChild(d: number, x: number): number {
    for (let w = x >> 5; w < 8; w++) {
      let m = childVec[(d << 3) + w]!;
      if (w === x >> 5) m &= -1 << (x & 31);
      if (m !== 0) return (w << 5) + 31 - Math.clz32(m & -m);
    }
    return 256;
  }

  /**
   * Items of frame d as a tiny node would hold them (segments of equal leaves, and children),
   * into tmp*; returns their count, or 5 as soon as there are more than four.
   */
  private tinyItemsOf(d: number): number {
    const ro = d * FRAME_RUNS;
    const nr = runCount[d]!;
    let n = 0;
    let r = 0;
    let x = 0;
    let child = this.nextChild(d, 0);
    while (x < 256) {
      if (n > 4) return 5;
      if (x === child) {
        tmpStart[n] = x;
        tmpVal[n] = childAt[(d << 8) + x]!;
        tmpLen[n] = 255; // marks a child
        n++;
        child = this.nextChild(d, ++x);
        continue;
      }
      while (r + 1 < nr && runStart[ro + r + 1]! <= x) r++;
      const v = runVal[ro + r]!;
      const len = runLen[ro + r]!;
      if (n === 0 || tmpLen[n - 1] === 255 || tmpVal[n - 1] !== v || tmpLen[n - 1] !== len) {
        tmpStart[n] = x;
        tmpVal[n] = v;
        tmpLen[n] = len;
        n++;
      }
      const nextRun = r + 1 < nr ? runStart[ro + r + 1]! : 256;
      x = nextRun < child ? nextRun : child;
    }
    return n;
  }

  /** Compresses frame d into a new node of whichever kind fits; returns its reference. */
  private encode(d: number): number {
    const n = this.tinyItemsOf(d);
    if (n <= 4) {
      const b = this.alloc(TINY);
      const pool = this.pool;
      let w0 = 0;
      let lens = 0;
      for (let i = 0; i < 4; i++) {
        if (i > 0) w0 |= (i < n ? tmpStart[i]! : NO_START) << (9 * (i - 1));
        if (i < n && tmpLen[i] === 255) w0 |= 1 << (27 + i);
        else if (i < n) lens |= tmpLen[i]! << (i << 3);
        pool[b + 2 + i] = i < n ? tmpVal[i]! : -1;
      }
      pool[b] = w0;
      pool[b + 1] = lens;
      pool[b + 6] = 0;
      pool[b + 7] = 0;
      return b + 1;
    }
    const co = d << 3;
    let c = 0;
    for (let w = 0; w < 8; w++) c += popcnt(childVec[co + w]!);
    const l = runCount[d]!;
    if (BitmapTrie.sizeOf(c, l) >= DIRECT_AT) return this.encodeDirect(d);
    const b = this.alloc(BitmapTrie.sizeOf(c, l));
    const pool = this.pool;
    const ro = d * FRAME_RUNS;
    const po = d << 8;
    let ci = b + HEADER;
    const lf = b + HEADER + c;
    const lens = lf + l;
    pool.fill(0, lens, b + BitmapTrie.sizeOf(c, l));
    let run = 0;
    for (let w = 0; w < 8; w++) {
      pool[b + 3 * w + 2] = (ci - b - 1) | ((lf + run - 1 - b) << 16);
      let m = childVec[co + w]!;
      pool[b + 3 * w] = m;
      while (m !== 0) {
        pool[ci++] = childAt[po + (w << 5) + 31 - Math.clz32(m & -m)]!;
        m &= m - 1;
      }
      let lv = 0;
      const lim = (w + 1) << 5;
      while (run < l && runStart[ro + run]! < lim) {
        lv |= 1 << (runStart[ro + run]! & 31);
        pool[lf + run] = runVal[ro + run]!;
        pool[lens + (run >> 2)] |= runLen[ro + run]! << ((run & 3) << 3);
        run++;
      }
      pool[b + 3 * w + 1] = lv;
    }
    return b;
  }

  /** Frame d as a direct node: entries in step()'s form (leaf value, or ~child), then lengths. */
  private encodeDirect(d: number): number {
    const b = this.alloc(DIRECT);
    const pool = this.pool;
    const ro = d * FRAME_RUNS;
    const nr = runCount[d]!;
    pool.fill(0, b + 256, b + DIRECT);
    for (let r = 0; r < nr; r++) {
      const v = runVal[ro + r]!;
      const len = runLen[ro + r]!;
      for (let x = runStart[ro + r]!, e = r + 1 < nr ? runStart[ro + r + 1]! : 256; x < e; x++) {
        pool[b + x] = v;
        pool[b + 256 + (x >> 2)] |= len << ((x & 3) << 3);
      }
    }
    for (let w = 0; w < 8; w++) {
      for (let m = childVec[(d << 3) + w]!; m !== 0; m &= m - 1) {
        const x = (w << 5) + 31 - Math.clz32(m & -m);
        pool[b + x] = ~childAt[(d << 8) + x]!;
      }
    }
    return b + 2;
  }

  /** Re-encodes frame d in place of node p (freed); returns the new reference. */
  private replace(p: number, d: number): number {
    const np = this.encode(d);
    this.free(p);
    return np;
  }

  /**
   * Runs of frame d overlapping [x, x + n) take (v, len) where `mode` says so (FILL: their length
   * ≤ match; RESET: their length = match; SET: all); equal neighbours merge. Returns whether
   * any entry changed.
   */
  private editRange(d: number, x: number, n: number, mode: number, match: number, v: number, len: number): boolean {
    const ro = d * FRAME_RUNS;
    const nr = runCount[d]!;
    const xe = x + n;
    // Fast path, most inserts: the range lies inside one run, which is split in place. The search
    // starts at the last edit's run when that one starts at or before x (a batch edits a node's
    // entries in ascending order; any run starting ≤ x is a valid start).
    let r = runHint < nr && runStart[ro + runHint]! <= x ? runHint : 0;
    while (r + 1 < nr && runStart[ro + r + 1]! <= x) r++;
    runHint = r;
    const re = r + 1 < nr ? runStart[ro + r + 1]! : 256;
    if (xe <= re) return this.splitRun(d, r, re, x, xe, mode, match, v, len);
    let changed = false;
    tmpCount = 0;
    for (let i = 0; i < nr; i++) {
      const s = runStart[ro + i]!;
      const e = i + 1 < nr ? runStart[ro + i + 1]! : 256;
      const rv = runVal[ro + i]!;
      const rl = runLen[ro + i]!;
      if (e <= x || s >= xe) {
        emit(s, rv, rl);
        continue;
      }
      if (s < x) emit(s, rv, rl);
      if (mode === SET || (mode === FILL ? rl <= match : rl === match)) {
        if (rv !== v || rl !== len) changed = true;
        emit(s < x ? x : s, v, len);
      } else emit(s < x ? x : s, rv, rl);
      if (e > xe) emit(xe, rv, rl);
    }
    runStart.set(tmpStart.subarray(0, tmpCount), ro);
    runVal.set(tmpVal.subarray(0, tmpCount), ro);
    runLen.set(tmpLen.subarray(0, tmpCount), ro);
    runCount[d] = tmpCount;
    return changed;
  }

  /**
   * editRange() when [x, xe) lies inside run r, which spans [rs, re): the run becomes up to
   * three, A = [rs, x) and C = [xe, re) keeping it and B = [x, xe) taking (v, len); B merges into
   * run r-1 when A is empty and r-1 holds (v, len), into run r+1 likewise (frames are canonical:
   * no two neighbouring runs are equal, so A and C never merge).
   */
  private splitRun(
    d: number,
    r: number,
    re: number,
    x: number,
    xe: number,
    mode: number,
    match: number,
    v: number,
    len: number,
  ): boolean {
    const ro = d * FRAME_RUNS;
    const rv = runVal[ro + r]!;
    const rl = runLen[ro + r]!;
    if (!(mode === SET || (mode === FILL ? rl <= match : rl === match)) || (rv === v && rl === len)) return false;
    const nr = runCount[d]!;
    const rs = runStart[ro + r]!;
    const hasA = x > rs;
    const hasC = xe < re;
    const mergePrev = !hasA && r > 0 && runVal[ro + r - 1] === v && runLen[ro + r - 1] === len;
    const mergeNext = !hasC && r + 1 < nr && runVal[ro + r + 1] === v && runLen[ro + r + 1] === len;
    let k = 0; // runs that replace run r, staged in tmp*
    if (hasA) {
      tmpStart[k] = rs;
      tmpVal[k] = rv;
      tmpLen[k++] = rl;
    }
    if (!mergePrev && !mergeNext) {
      tmpStart[k] = x;
      tmpVal[k] = v;
      tmpLen[k++] = len;
    }
    if (hasC) {
      tmpStart[k] = xe;
      tmpVal[k] = rv;
      tmpLen[k++] = rl;
    }
    let drop = 1; // run r goes; with both merges run r+1 too (run r-1 absorbs it)
    if (mergeNext) {
      if (mergePrev) drop = 2;
      else runStart[ro + r + 1] = x;
    }
    if (k !== drop) {
      runStart.copyWithin(ro + r + k, ro + r + drop, ro + nr);
      runVal.copyWithin(ro + r + k, ro + r + drop, ro + nr);
      runLen.copyWithin(ro + r + k, ro + r + drop, ro + nr);
    }
    for (let i = 0; i < k; i++) {
      runStart[ro + r + i] = tmpStart[i]!;
      runVal[ro + r + i] = tmpVal[i]!;
      runLen[ro + r + i] = tmpLen[i]!;
    }
    runCount[d] = nr + k - drop;
    return true;
  }

  /** The one leaf of frame d when it has no child and a single run, else -2 (no leaf is -2). */
  private uniform(d: number): number {
    if (runCount[d] !== 1) return -2;
    for (let w = 0; w < 8; w++) if (childVec[(d << 3) + w] !== 0) return -2;
    return runVal[d * FRAME_RUNS]!;
  }

  private setChild(d: number, x: number, p: number): void {
    childVec[(d << 3) + (x >> 5)] |= 1 << (x & 31);
    childAt[(d << 8) + x] = p;
  }

  /**
   * Where entry x of node p holds its child, or 0 when the entry is a leaf. A location is a pool
   * slot holding the ref (≥ 0: bitmap and tiny nodes), ~slot of a slot holding ~ref (between
   * INVERTED and 0: direct nodes), or ROOT | root index (the root holds ~ref as well).
   */
  private childLoc(p: number, x: number): number {
    const pool = this.pool;
    if (p & 1) {
      const w = pool[p - 1]!;
      const i = tinyItem(w, x);
      return (w >>> (27 + i)) & 1 ? p + 1 + i : 0;
    }
    if (p & 2) return pool[p - 2 + x]! < -1 ? ~(p - 2 + x) : 0;
    const g = p + 3 * (x >> 5);
    const c = pool[g]! << (~x & 31);
    return c < 0 ? p + (pool[g + 2]! & 0xffff) + popcnt(c) : 0;
  }

  /** The node ref held at a location (see childLoc). */
  private refAt(loc: number): number {
    if (loc >= 0) return this.pool[loc]!;
    return loc > INVERTED ? ~this.pool[~loc]! : ~this.root[loc - ROOT]!;
  }

  private setRef(loc: number, p: number): void {
    if (loc >= 0) this.pool[loc] = p;
    else if (loc > INVERTED) this.pool[~loc] = ~p;
    else this.root[loc - ROOT] = ~p;
  }

  // ---- insert --------------------------------------------------------------------------------

  private rootIndex(key: Uint8Array): number {
    return this.stride === 16 ? (key[0]! << 8) | key[1]! : key[0]!;
  }

  /**
   * Writes value/len into the expanded entries of `key/len` (key has zero host bits).
   * Replaces an equal prefix; never touches entries written by longer prefixes.
   */
  protected trieInsert(key: Uint8Array, len: number, value: number): void {
    const ri = this.rootIndex(key);
    let end = this.stride;
    if (len <= end) {
      const root = this.root;
      const lens = this.rootLen;
      for (let i = ri, n = ri + (1 << (end - len)); i < n; i++) {
        const e = root[i]!;
        if (e < -1) root[i] = ~this.fillNode(~e, 0, value, len);
        else if (lens[i]! <= len) {
          root[i] = value;
          lens[i] = len;
        }
      }
      return;
    }
    const e = this.root[ri]!;
    if (e >= -1) {
      this.root[ri] = ~this.chain(key, 0, end, len, value, e, this.rootLen[ri]!);
      return;
    }
    let p = ~e;
    let ref = ROOT | ri;
    for (let d = 0; ; d++, end += 8) {
      const x = key[end >> 3]!;
      if (len <= end + 8) {
        this.decode(p, d);
        this.fillEntries(d, x, 1 << (end + 8 - len), value, len);
        this.setRef(ref, this.replace(p, d));
        return;
      }
      const loc = this.childLoc(p, x);
      if (loc !== 0) {
        ref = loc;
        p = this.refAt(loc);
        continue;
      }
      // A leaf where the new prefix needs a subtree: this node gains a child, which starts out
      // holding that leaf everywhere (the leaf layer under it keeps the leaf too).
      this.decode(p, d);
      const ro = d * FRAME_RUNS;
      let r = 0;
      while (r + 1 < runCount[d]! && runStart[ro + r + 1]! <= x) r++;
      this.setChild(d, x, this.chain(key, d + 1, end + 8, len, value, runVal[ro + r]!, runLen[ro + r]!));
      this.setRef(ref, this.replace(p, d));
      return;
    }
  }

  /**
   * New nodes from depth d (bits end..) down to the one where `key/len` ends, every entry
   * holding the leaf (v, l) it replaces except the new prefix's; returns the top node.
   */
  private chain(key: Uint8Array, d: number, end: number, len: number, value: number, v: number, l: number): number {
    const x = key[end >> 3]!;
    const below = len <= end + 8 ? 0 : this.chain(key, d + 1, end + 8, len, value, v, l);
    this.leafFrame(d, v, l);
    if (below === 0) this.editRange(d, x, 1 << (end + 8 - len), SET, 0, value, len);
    else this.setChild(d, x, below);
    return this.encode(d);
  }

  /** Entries [x, x + n) of frame d, and the nodes below them, take value/len unless longer prefixes hold them. */
  private fillEntries(d: number, x: number, n: number, value: number, len: number): boolean {
    const changed = this.editRange(d, x, n, FILL, len, value, len);
    return this.eachChild(d, x, n, FILL, len, value, len) || changed;
  }

  /** Applies a range edit to the nodes under the child positions of [x, x + n) of frame d. */
  private eachChild(d: number, x: number, n: number, mode: number, match: number, v: number, len: number): boolean {
    let changed = false;
    for (let w = x >> 5, we = (x + n - 1) >> 5; w <= we; w++) {
      let m = childVec[(d << 3) + w]!;
      if (n < 32) m &= ((1 << n) - 1) << (x & 31);
      while (m !== 0) {
        const i = (d << 8) + (w << 5) + 31 - Math.clz32(m & -m);
        m &= m - 1;
        const old = childAt[i]!;
        const np = mode === FILL ? this.fillNode(old, d + 1, v, len) : this.resetNode(old, d + 1, match, v, len);
        if (np !== old) {
          childAt[i] = np;
          changed = true;
        }
      }
    }
    return changed;
  }

  /** fillEntries over all of node p (at depth d); returns its reference, new if it changed. */
  private fillNode(p: number, d: number, value: number, len: number): number {
    if (this.untouched(p, len, true)) return p;
    this.decode(p, d);
    return this.fillEntries(d, 0, 256, value, len) ? this.replace(p, d) : p;
  }

  // ---- batch -------------------------------------------------------------------------------

  /**
   * Applies a batch of prefix changes, each trie node being decoded and re-encoded once however
   * many of its prefixes change (a session down rewrites ~18 prefixes per /16 node of a full
   * table: one encode instead of 18). Item i is the key bytes keys[i*kb ..], lens[i] and vals[i]
   * (≥ 0: insert or replace; -1: remove, the entries taking the cover covV[i]/covL[i], -1/0 when
   * none). Items are sorted by (key, len) and unique, and give the final state (the store's):
   * every item is then a valid insert or remove on its own, and applying them in this order,
   * a node's items together, ends in the trie that inserting and removing one at a time would
   * build (range edits keyed by prefix length commute, and covers are the final ones).
   */
  protected applyBatch(keys: Uint8Array, kb: number, lens: Uint8Array, vals: Int32Array, covV: Int32Array, covL: Uint8Array, n: number): void {
    const stride = this.stride;
    const rb = this.rootBytes;
    const one = new Uint8Array(kb);
    for (let i = 0; i < n; ) {
      const len = lens[i]!;
      if (len <= stride) {
        // A root entry range: as a single operation (no node decoded at this level).
        one.set(keys.subarray(i * kb, i * kb + kb));
        if (vals[i]! >= 0) this.trieInsert(one, len, vals[i]!);
        else this.trieRemove(one, len, covV[i]!, covL[i]!);
        i++;
        continue;
      }
      const ri = stride === 16 ? (keys[i * kb]! << 8) | keys[i * kb + 1]! : keys[i * kb]!;
      let j = i + 1;
      while (j < n && lens[j]! > stride && keys[j * kb]! === keys[i * kb]! && (rb === 1 || keys[j * kb + 1]! === keys[i * kb + 1]!)) j++;
      const e = this.root[ri]!;
      const r = this.batchNode(e < -1 ? ~e : -1, e, this.rootLen[ri]!, 0, stride, keys, kb, lens, vals, covV, covL, i, j);
      if (r >= 0) this.root[ri] = ~r;
      else {
        this.root[ri] = foldV;
        this.rootLen[ri] = foldL;
      }
      i = j;
    }
  }

  /**
   * Items [i, j), all ending below the entry that holds node p (or, when p < 0, the leaf v/l),
   * applied to that node at depth d (bits end..end+8). Returns the new node ref, or -1 when the
   * node folds into a leaf no longer than `end` (then in foldV/foldL).
   */
  private batchNode(
    p: number,
    v: number,
    l: number,
    d: number,
    end: number,
    keys: Uint8Array,
    kb: number,
    lens: Uint8Array,
    vals: Int32Array,
    covV: Int32Array,
    covL: Uint8Array,
    i: number,
    j: number,
  ): number {
    if (p >= 0) this.decode(p, d);
    else this.leafFrame(d, v, l);
    const byte = end >> 3;
    const ro = d * FRAME_RUNS;
    while (i < j) {
      const len = lens[i]!;
      const x = keys[i * kb + byte]!;
      if (len <= end + 8) {
        const n = 1 << (end + 8 - len);
        if (vals[i]! >= 0) this.fillEntries(d, x, n, vals[i]!, len);
        else {
          this.editRange(d, x, n, RESET, len, covV[i]!, covL[i]!);
          this.eachChild(d, x, n, RESET, len, covV[i]!, covL[i]!);
        }
        i++;
        continue;
      }
      // The items below entry x: contiguous in (key, len) order.
      let k = i + 1;
      while (k < j && lens[k]! > end + 8 && keys[k * kb + byte]! === x) k++;
      const ci = (d << 8) + x;
      let r: number;
      if ((childVec[(d << 3) + (x >> 5)]! >>> (x & 31)) & 1) {
        r = this.batchNode(childAt[ci]!, 0, 0, d + 1, end + 8, keys, kb, lens, vals, covV, covL, i, k);
      } else {
        let q = 0;
        while (q + 1 < runCount[d]! && runStart[ro + q + 1]! <= x) q++;
        r = this.batchNode(-1, runVal[ro + q]!, runLen[ro + q]!, d + 1, end + 8, keys, kb, lens, vals, covV, covL, i, k);
      }
      if (r >= 0) this.setChild(d, x, r);
      else {
        childVec[(d << 3) + (x >> 5)] &= ~(1 << (x & 31));
        this.editRange(d, x, 1, SET, 0, foldV, foldL);
      }
      i = k;
    }
    // Fold as a removal does: a node holding one prefix no longer than its parent's stride goes.
    const u = this.uniform(d);
    if (u !== -2 && runLen[ro]! <= end) {
      if (p >= 0) this.free(p);
      foldV = u;
      foldL = runLen[ro]!;
      return -1;
    }
    const np = this.encode(d);
    if (p >= 0) this.free(p);
    return np;
  }

  // ---- remove --------------------------------------------------------------------------------

  /**
   * Rewrites the expanded entries of `key/len` (which must have been inserted) with the covering
   * prefix's value and length (-1 and 0 when there is none), then folds the nodes on its path
   * that are left holding a single prefix no longer than their parent's stride.
   */
  protected trieRemove(key: Uint8Array, len: number, coverValue: number, coverLen: number): void {
    const ri = this.rootIndex(key);
    let end = this.stride;
    if (len <= end) {
      const root = this.root;
      const lens = this.rootLen;
      for (let i = ri, n = ri + (1 << (end - len)); i < n; i++) {
        const e = root[i]!;
        if (e < -1) root[i] = ~this.resetNode(~e, 0, len, coverValue, coverLen);
        else if (lens[i] === len) {
          root[i] = coverValue;
          lens[i] = coverLen;
        }
      }
      return;
    }
    const e = this.root[ri]!;
    if (e >= -1) throw new Error('lpm: internal error, removed prefix has no node');
    let p = ~e;
    let ref = ROOT | ri;
    let d = 0;
    for (; ; d++, end += 8) {
      this.pathNode[d] = p;
      this.pathRef[d] = ref;
      const x = key[end >> 3]!;
      this.pathX[d] = x;
      if (len <= end + 8) break;
      ref = this.childLoc(p, x);
      if (ref === 0) throw new Error('lpm: internal error, removed prefix has no node');
      p = this.refAt(ref);
    }
    // Target node: entries of exactly this length in range take the cover.
    this.decode(p, d);
    const x = this.pathX[d]!;
    const n = 1 << (end + 8 - len);
    this.editRange(d, x, n, RESET, len, coverValue, coverLen);
    this.eachChild(d, x, n, RESET, len, coverValue, coverLen);
    // Fold upwards: node d spans bits (end, end + 8]; it can go when it holds a single prefix no
    // longer than end, which is then what its parent entry holds.
    for (;;) {
      const v = this.uniform(d);
      const l = runLen[d * FRAME_RUNS]!;
      if (v === -2 || l > end) {
        this.setRef(this.pathRef[d]!, this.replace(this.pathNode[d]!, d));
        return;
      }
      this.free(this.pathNode[d]!);
      if (d === 0) {
        this.root[ri] = v;
        this.rootLen[ri] = l;
        return;
      }
      d--;
      end -= 8;
      const px = this.pathX[d]!;
      this.decode(this.pathNode[d]!, d);
      childVec[(d << 3) + (px >> 5)] &= ~(1 << (px & 31));
      this.editRange(d, px, 1, SET, 0, v, l);
    }
  }

  /** Entries of node p (depth d) and below holding exactly `len` take the cover; returns its reference. */
  private resetNode(p: number, d: number, len: number, coverValue: number, coverLen: number): number {
    if (this.untouched(p, len, false)) return p;
    this.decode(p, d);
    const changed = this.editRange(d, 0, 256, RESET, len, coverValue, coverLen);
    return this.eachChild(d, 0, 256, RESET, len, coverValue, coverLen) || changed ? this.replace(p, d) : p;
  }
}
