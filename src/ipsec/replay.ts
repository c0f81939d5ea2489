// Anti-replay windows (RFC 4303 section 3.4.3) for many SAs at once: the
// state of every window lives in a few typed arrays of one ReplayStore (no
// object per SA), the bits of all windows in one shared Uint32Array pool.
// O(1) per packet whatever the window size. The window only moves when a
// packet has passed its ICV check, so the work is split into check() before
// crypto and update() after.
//
// The bitmap of a window of size W is a ring of R = W rounded up to a power
// of two bits (at least 32): bit (s mod R) says whether number s was
// received, for every s in (top - R, top]. W = 4096 (the Junos default) takes
// 512 bytes. RFC 6479's ring keeps one word more, so that moving the top
// clears whole words; this one clears just the bits of the numbers that
// leave the ring (those the new top's numbers take over), a word at a time,
// and so needs no spare word: half the memory of a power-of-two RFC 6479 ring
// (1 KB for W = 4096). R divides 2^32, so a number's bit depends on its low
// 32 bits only and stays put across the ESN wrap.
//
// Sequence numbers are 64-bit (ESN) or 32-bit with a zero high half, carried
// as (hi, lo) uint32 pairs.

import { seqDiff, TWO_32 } from './esn.js';

export const REPLAY_WINDOW_MIN = 32;
export const REPLAY_WINDOW_MAX = 1 << 20;
/** Junos's default anti-replay-window-size. */
export const REPLAY_WINDOW_DEFAULT = 4096;

/** Results of check() / update(). */
export const REPLAY_OK = 0;
/** Sequence number 0, never sent (RFC 4303 2.2: the first packet has number 1). */
export const REPLAY_ZERO = 1;
/** Older than the window's lower edge. */
export const REPLAY_TOO_OLD = 2;
/** Inside the window and already received. */
export const REPLAY_DUPLICATE = 3;

/** Bits in the ring of a window of `size`: the next power of two, at least 32. */
export function ringBits(size: number): number {
  return size <= 32 ? 32 : 1 << (32 - Math.clz32(size - 1)); // size <= 2^20
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < REPLAY_WINDOW_MIN || size > REPLAY_WINDOW_MAX) {
    throw new Error(`anti-replay window size ${size} is not an integer in ${REPLAY_WINDOW_MIN} .. ${REPLAY_WINDOW_MAX}`);
  }
}

/**
 * The windows of many SAs, indexed like them (an SA database's store also
 * holds its outbound SAs' sequence counters in `hi`/`lo`; their windows are
 * off and take no bits). Arrays are replaced when they grow: read them from
 * the store, never keep them across additions.
 */
export class ReplayStore {
  /** Highest accepted number (T in RFC 4303 Appendix A), as (hi, lo). */
  hi: Uint32Array = new Uint32Array(0);
  lo: Uint32Array = new Uint32Array(0);
  /** Window size W: numbers down to top - W + 1 are checked against the bits. */
  size: Uint32Array = new Uint32Array(0);
  /** 1: anti-replay on; 0: off (every number is accepted, only the top is tracked: ESN needs it). */
  on: Uint8Array = new Uint8Array(0);
  /** First word of the window's ring in `bits`. */
  at: Uint32Array = new Uint32Array(0);
  /** Every ring, back to back. */
  bits: Uint32Array = new Uint32Array(0);
  /** Words of `bits` in use. */
  bitsUsed = 0;

  /** Room for `n` windows (copies what is there). */
  resize(n: number): void {
    const grow = <T extends Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a.subarray(0, Math.min(a.length, n)));
      return b;
    };
    this.hi = grow(this.hi, (k) => new Uint32Array(k));
    this.lo = grow(this.lo, (k) => new Uint32Array(k));
    this.size = grow(this.size, (k) => new Uint32Array(k));
    this.on = grow(this.on, (k) => new Uint8Array(k));
    this.at = grow(this.at, (k) => new Uint32Array(k));
  }

  /** Room for `words` more ring words. */
  private reserveBits(words: number): void {
    const need = this.bitsUsed + words;
    if (need <= this.bits.length) return;
    const b = new Uint32Array(Math.max(need, Math.ceil(this.bits.length * 1.5), 64));
    b.set(this.bits.subarray(0, this.bitsUsed));
    this.bits = b;
  }

  /** Shrinks the bit pool to what is used (after a bulk of additions). */
  trimBits(): void {
    if (this.bits.length !== this.bitsUsed) this.bits = this.bits.slice(0, this.bitsUsed);
  }

  /** Makes window `i` (room for it must exist): empty, top 0; an enabled one gets its ring. */
  init(i: number, size: number, enabled: boolean): void {
    checkSize(size);
    this.size[i] = size;
    this.on[i] = enabled ? 1 : 0;
    this.hi[i] = 0;
    this.lo[i] = 0;
    if (enabled) {
      const words = ringBits(size) >>> 5;
      this.reserveBits(words);
      this.at[i] = this.bitsUsed;
      this.bitsUsed += words;
    } else this.at[i] = 0;
  }

  /** Size used to infer ESN high bits: the window, or half the 32-bit space when anti-replay is off. */
  inferenceWindow(i: number): number {
    return this.on[i] !== 0 ? this.size[i]! : 0x80000000;
  }

  /**
   * Sets the highest number seen (configuration, or an SA re-keyed with its
   * state): that number counts as received, the rest of the window as not.
   */
  seed(i: number, hi: number, lo: number): void {
    this.hi[i] = hi;
    this.lo[i] = lo;
    if (this.on[i] === 0) return;
    const at = this.at[i]!;
    this.bits.fill(0, at, at + (ringBits(this.size[i]!) >>> 5));
    if ((hi | lo) !== 0) {
      const p = lo & (ringBits(this.size[i]!) - 1);
      this.bits[at + (p >>> 5)] |= 1 << (p & 31);
    }
  }

  /** Before the ICV check: may (hi, lo) be accepted by window `i`? Changes nothing. */
  check(i: number, hi: number, lo: number): number {
    if ((hi | lo) === 0) return REPLAY_ZERO;
    if (this.on[i] === 0) return REPLAY_OK;
    const ahead = seqDiff(hi, lo, this.hi[i]!, this.lo[i]!);
    if (ahead > 0) return REPLAY_OK;
    const w = this.size[i]!;
    if (-ahead >= w) return REPLAY_TOO_OLD;
    const p = lo & (ringBits(w) - 1);
    return (this.bits[this.at[i]! + (p >>> 5)]! & (1 << (p & 31))) !== 0 ? REPLAY_DUPLICATE : REPLAY_OK;
  }

  /**
   * After the ICV check: records (hi, lo) and moves window `i`. Checks again,
   * because a packet of the same vector may have moved the window (or been the
   * same number) since check(): a non-zero result means it is a replay after all
   * and nothing changed.
   */
  update(i: number, hi: number, lo: number): number {
    if ((hi | lo) === 0) return REPLAY_ZERO;
    const tLo = this.lo[i]!;
    const ahead = seqDiff(hi, lo, this.hi[i]!, tLo);
    if (this.on[i] === 0) {
      if (ahead > 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
      }
      return REPLAY_OK;
    }
    const w = this.size[i]!;
    const r = ringBits(w);
    const mask = r - 1;
    const bits = this.bits;
    const at = this.at[i]!;
    const p = lo & mask;
    const word = at + (p >>> 5);
    const bit = 1 << (p & 31);
    if (ahead > 0) {
      // The numbers top + 1 .. (hi, lo) enter the ring where top + 1 - R .. (hi, lo) - R were.
      if (ahead >= r) bits.fill(0, at, at + (r >>> 5));
      else if (ahead > 1) clearBits(bits, at, (tLo + 1) & mask, ahead, mask);
      this.hi[i] = hi;
      this.lo[i] = lo;
      bits[word] |= bit;
      return REPLAY_OK;
    }
    if (-ahead >= w) return REPLAY_TOO_OLD;
    if ((bits[word]! & bit) !== 0) return REPLAY_DUPLICATE;
    bits[word] |= bit;
    return REPLAY_OK;
  }
}

/** Clears `n` (less than the ring's size) bits of the ring at word `at`, from bit `p` on, wrapping at its end. */
function clearBits(bits: Uint32Array, at: number, p: number, n: number, mask: number): void {
  while (n > 0) {
    const b = p & 31;
    const k = n < 32 - b ? n : 32 - b;
    bits[at + (p >>> 5)] &= k === 32 ? 0 : ~(((1 << k) - 1) << b);
    p = (p + k) & mask;
    n -= k;
  }
}

/**
 * One window: a view of window `index` of a store, or a window of its own
 * (`new ReplayWindow(size, enabled)`: tests and single SAs).
 */
export class ReplayWindow {
  private readonly store: ReplayStore;
  private readonly index: number;

  constructor(size = REPLAY_WINDOW_DEFAULT, enabled = true, of?: { store: ReplayStore; index: number }) {
    if (of !== undefined) {
      this.store = of.store;
      this.index = of.index;
      return;
    }
    this.store = new ReplayStore();
    this.store.resize(1);
    this.store.init(0, size, enabled);
    this.index = 0;
  }

  /** Window size W. */
  get size(): number {
    return this.store.size[this.index]!;
  }

  /** False when anti-replay is off. */
  get enabled(): boolean {
    return this.store.on[this.index] !== 0;
  }

  /** Highest accepted number (hi, lo); setting it moves the top only (seed() also resets the bits). */
  get topHi(): number {
    return this.store.hi[this.index]!;
  }
  set topHi(v: number) {
    this.store.hi[this.index] = v;
  }

  get topLo(): number {
    return this.store.lo[this.index]!;
  }
  set topLo(v: number) {
    this.store.lo[this.index] = v;
  }

  get inferenceWindow(): number {
    return this.store.inferenceWindow(this.index);
  }

  seed(hi: number, lo: number): void {
    this.store.seed(this.index, hi, lo);
  }

  check(hi: number, lo: number): number {
    return this.store.check(this.index, hi, lo);
  }

  update(hi: number, lo: number): number {
    return this.store.update(this.index, hi, lo);
  }

  /** The highest accepted number as a double (exact below 2^53; tests and display). */
  get top(): number {
    return this.topHi * TWO_32 + this.topLo;
  }
}
