/** The discriminated result every `parseX` returns. `error` is a snake_case drop-reason name. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** True if `[off, off+len)` is a sane range inside `b` (integers, non-negative). */
export function rangeOk(b: Uint8Array, off: number, len: number): boolean {
  return Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && off + len <= b.length;
}
