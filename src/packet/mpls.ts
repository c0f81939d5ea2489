/** MPLS label stack entries (RFC 3032): label(20) TC(3) S(1) TTL(8). */
import { readU32, writeU32 } from './addr.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const MPLS_LABEL_LEN = 4;
/** Deeper stacks are `mpls_stack_too_deep`. */
export const MPLS_MAX_LABELS = 16;

export const MPLS_LABEL_IPV4_EXPLICIT_NULL = 0;
export const MPLS_LABEL_ROUTER_ALERT = 1;
export const MPLS_LABEL_IPV6_EXPLICIT_NULL = 2;
export const MPLS_LABEL_IMPLICIT_NULL = 3;
export const MPLS_LABEL_ENTROPY_INDICATOR = 7;
export const MPLS_LABEL_GAL = 13;
export const MPLS_LABEL_OAM_ALERT = 14;
/** First label value that is not reserved. */
export const MPLS_LABEL_FIRST_UNRESERVED = 16;

export const MPLS_OK = 0;
export const MPLS_TRUNCATED = 1;
export const MPLS_STACK_TOO_DEEP = 2;
export const MPLS_ERRORS = ['ok', 'mpls_truncated', 'mpls_stack_too_deep'] as const;

export function mplsLabel(b: Uint8Array, off: number): number {
  return (b[off]! << 12) | (b[off + 1]! << 4) | (b[off + 2]! >>> 4);
}
/** Traffic class (formerly EXP). */
export function mplsTc(b: Uint8Array, off: number): number {
  return (b[off + 2]! >>> 1) & 7;
}
/** Bottom-of-stack bit. */
export function mplsBos(b: Uint8Array, off: number): boolean {
  return (b[off + 2]! & 1) === 1;
}
export function mplsTtl(b: Uint8Array, off: number): number {
  return b[off + 3]!;
}
/** Writes one entry. */
export function writeMplsEntry(b: Uint8Array, off: number, label: number, tc: number, bos: boolean, ttl: number): void {
  writeU32(b, off, (((label & 0xfffff) << 12) | ((tc & 7) << 9) | (bos ? 0x100 : 0) | (ttl & 0xff)) >>> 0);
}

/**
 * Hot-path walk: returns the number of entries up to and including the one
 * with S set (so the payload is at off + 4 * n), or a negative MPLS_* code
 * (-MPLS_TRUNCATED, -MPLS_STACK_TOO_DEEP).
 */
export function mplsStackDepth(b: Uint8Array, off: number, len: number): number {
  for (let n = 0; ; n++) {
    if (n === MPLS_MAX_LABELS) return -MPLS_STACK_TOO_DEEP;
    if ((n + 1) * MPLS_LABEL_LEN > len) return -MPLS_TRUNCATED;
    if (b[off + n * 4 + 2]! & 1) return n + 1;
  }
}

/** Validator: the stack ends (S bit) within `len` and MPLS_MAX_LABELS. */
export function checkMpls(b: Uint8Array, off: number, len: number): number {
  const n = mplsStackDepth(b, off, len);
  return n < 0 ? -n : MPLS_OK;
}

export interface MplsLabelEntry {
  label: number;
  tc: number;
  /** Bottom of stack; parse fills it, write sets it on the last entry only. */
  bos?: boolean;
  ttl: number;
}

export interface MplsStack {
  labels: MplsLabelEntry[];
  /** Bytes of the stack (payload offset relative to `off`). */
  headerLen: number;
}

export function parseMpls(b: Uint8Array, off: number, len: number): ParseResult<MplsStack> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'mpls_truncated' };
  const n = mplsStackDepth(b, off, len);
  if (n < 0) return { ok: false, error: MPLS_ERRORS[-n] };
  const labels: MplsLabelEntry[] = [];
  for (let i = 0; i < n; i++) {
    const p = off + 4 * i;
    labels.push({ label: mplsLabel(b, p), tc: mplsTc(b, p), bos: mplsBos(b, p), ttl: mplsTtl(b, p) });
  }
  return { ok: true, value: { labels, headerLen: 4 * n } };
}

/** Writes the stack (outermost first), S set on the last entry only; returns bytes written. */
export function writeMpls(buf: Uint8Array, off: number, labels: readonly MplsLabelEntry[]): number {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    writeMplsEntry(buf, off + 4 * i, l.label, l.tc, i === labels.length - 1, l.ttl);
  }
  return 4 * labels.length;
}

/** The raw 32-bit entry at `off`. */
export function mplsEntry(b: Uint8Array, off: number): number {
  return readU32(b, off);
}
