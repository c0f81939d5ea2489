// Extended sequence numbers (RFC 4303 section 2.2.1 and Appendix A). Only the
// low 32 bits of a 64-bit sequence number travel in the ESP header; the
// receiver infers the high 32 bits from the highest number it has accepted.
// 64-bit numbers are carried as two uint32 halves (hi, lo): beyond 2^53 they
// are not exact as JS numbers, and BigInt has no place on the hot path.

/** 2^32, for turning (hi, lo) differences into doubles. */
export const TWO_32 = 4294967296;

/** Result of inferSeqHi when no high half fits (the inferred number would be below 0 or above 2^64 - 1). */
export const SEQ_HI_NONE = -1;

/**
 * RFC 4303 Appendix A2.2: the high 32 bits of a received sequence number whose
 * low 32 bits are `seqLo`, given the highest accepted number (topHi, topLo)
 * and the anti-replay window size `w`:
 *
 *   Case A (Tl >= W - 1): Seql >= Tl - W + 1 -> Th, else Th + 1 (the low half wrapped ahead)
 *   Case B (Tl <  W - 1): Seql >= Tl - W + 1 (mod 2^32) -> Th - 1 (behind, before the wrap), else Th
 *
 * Returns SEQ_HI_NONE where Th - 1 < 0 or Th + 1 > 2^32 - 1: the packet lies
 * outside the 64-bit space (a replay before the first number, or after the
 * counter would have cycled) and is rejected as a replay.
 *
 * With anti-replay off (no window), pass `w` = 2^31: the high half is then the
 * one that puts the packet nearest to the highest number seen.
 */
export function inferSeqHi(seqLo: number, topHi: number, topLo: number, w: number): number {
  const bottom = (topLo - w + 1) >>> 0;
  if (topLo >= w - 1) {
    if (seqLo >= bottom) return topHi;
    return topHi === 0xffffffff ? SEQ_HI_NONE : topHi + 1;
  }
  if (seqLo >= bottom) return topHi === 0 ? SEQ_HI_NONE : topHi - 1;
  return topHi;
}

/**
 * (aHi, aLo) - (bHi, bLo) as a double. Exact whenever |difference| < 2^53;
 * beyond that it is still on the right side of any window size, which is all
 * callers compare it with.
 */
export function seqDiff(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return (aHi - bHi) * TWO_32 + (aLo - bLo);
}

/** A 64-bit sequence number as 16 hex digits (for traces and messages; not for the hot path). */
export function formatSeq(hi: number, lo: number): string {
  return hi === 0 ? String(lo) : `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}

/** Splits a configured 64-bit sequence number (a number <= 2^53 or a BigInt) into (hi, lo). Configuration time only. */
export function splitSeq(v: number | bigint, what = 'sequence number'): [hi: number, lo: number] {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what} ${v} is not an integer in 0 .. 2^53 - 1 (give a BigInt beyond)`);
    return [Math.floor(v / TWO_32) >>> 0, v % TWO_32 >>> 0];
  }
  if (v < 0n || v > 0xffffffffffffffffn) throw new Error(`${what} ${v} is not in 0 .. 2^64 - 1`);
  return [Number(v >> 32n) >>> 0, Number(v & 0xffffffffn) >>> 0];
}

/** (hi, lo) as a BigInt: tests and configuration only. */
export function joinSeq(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
