// Anti-replay window (RFC 4303 section 3.4.3) with the RFC 6479 bitmap: a ring
// of 32-bit words, O(1) per packet whatever the window size. The window only
// moves when a packet has passed its ICV check, so the work is split into
// check() before crypto and update() after.
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

export class ReplayWindow {
  /** Window size W: numbers down to top - W + 1 are checked against the bitmap. */
  readonly size: number;
  /** False when anti-replay is off: every number is accepted, only the top is tracked (ESN needs it). */
  readonly enabled: boolean;
  /** Highest accepted number (T in RFC 4303 Appendix A). */
  topHi = 0;
  topLo = 0;
  private readonly bitmap: Uint32Array;
  /** Words in the ring - 1 (a power of two minus one). */
  private readonly mask: number;

  constructor(size = REPLAY_WINDOW_DEFAULT, enabled = true) {
    if (!Number.isInteger(size) || size < REPLAY_WINDOW_MIN || size > REPLAY_WINDOW_MAX) {
      throw new Error(`anti-replay window size ${size} is not an integer in ${REPLAY_WINDOW_MIN} .. ${REPLAY_WINDOW_MAX}`);
    }
    this.size = size;
    this.enabled = enabled;
    // RFC 6479: one word more than the window needs, so the word being
    // advanced into never holds bits still inside the window.
    let words = 1;
    while (words < Math.ceil(size / 32) + 1) words <<= 1;
    this.bitmap = new Uint32Array(enabled ? words : 1);
    this.mask = enabled ? words - 1 : 0;
  }

  /** Size used to infer ESN high bits: the window, or half the 32-bit space when anti-replay is off. */
  get inferenceWindow(): number {
    return this.enabled ? this.size : 0x80000000;
  }

  /**
   * Sets the highest number seen (configuration, or an SA re-keyed with its
   * state): that number counts as received, the rest of the window as not.
   */
  seed(hi: number, lo: number): void {
    this.bitmap.fill(0);
    this.topHi = hi >>> 0;
    this.topLo = lo >>> 0;
    if ((hi | lo) !== 0 && this.enabled) this.bitmap[(lo >>> 5) & this.mask] |= 1 << (lo & 31);
  }

  /** Before the ICV check: may (hi, lo) be accepted? Changes nothing. */
  check(hi: number, lo: number): number {
    if ((hi | lo) === 0) return REPLAY_ZERO;
    if (!this.enabled) return REPLAY_OK;
    const ahead = seqDiff(hi, lo, this.topHi, this.topLo);
    if (ahead > 0) return REPLAY_OK;
    if (-ahead >= this.size) return REPLAY_TOO_OLD;
    return (this.bitmap[(lo >>> 5) & this.mask] & (1 << (lo & 31))) !== 0 ? REPLAY_DUPLICATE : REPLAY_OK;
  }

  /**
   * After the ICV check: records (hi, lo) and moves the window. Checks again,
   * because a packet of the same vector may have moved the window (or been the
   * same number) since check(): a non-zero result means it is a replay after all
   * and nothing changed.
   */
  update(hi: number, lo: number): number {
    if ((hi | lo) === 0) return REPLAY_ZERO;
    const ahead = seqDiff(hi, lo, this.topHi, this.topLo);
    if (!this.enabled) {
      if (ahead > 0) {
        this.topHi = hi >>> 0;
        this.topLo = lo >>> 0;
      }
      return REPLAY_OK;
    }
    const bm = this.bitmap;
    const mask = this.mask;
    const word = (lo >>> 5) & mask;
    const bit = 1 << (lo & 31);
    if (ahead > 0) {
      // Clear the words between the old top's word (exclusive) and the new one (inclusive).
      const words = mask + 1;
      if (ahead >= words * 32) bm.fill(0);
      else {
        // Word-index distance; (lo >>> 5) is 27 bits wide, and a difference of less than 2^32 spans one wrap at most.
        const steps = ((lo >>> 5) - (this.topLo >>> 5)) & 0x7ffffff;
        if (steps >= words) bm.fill(0);
        else for (let k = 1, w = ((this.topLo >>> 5) + 1) & mask; k <= steps; k++, w = (w + 1) & mask) bm[w] = 0;
      }
      this.topHi = hi >>> 0;
      this.topLo = lo >>> 0;
      bm[word] |= bit;
      return REPLAY_OK;
    }
    if (-ahead >= this.size) return REPLAY_TOO_OLD;
    if ((bm[word] & bit) !== 0) return REPLAY_DUPLICATE;
    bm[word] |= bit;
    return REPLAY_OK;
  }

  /** The highest accepted number as a double (exact below 2^53; tests and display). */
  get top(): number {
    return this.topHi * TWO_32 + this.topLo;
  }
}
