/**
 * GRE (RFC 2784) with the key and sequence number extensions (RFC 2890):
 * C (checksum present, 0x8000), K (key, 0x2000), S (sequence, 0x1000),
 * version 0. Optional fields follow in the order checksum+reserved1, key, seq.
 */
import { readU32, writeU32 } from './addr.js';
import { checksumVerifies, internetChecksum } from './checksum.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const GRE_HEADER_LEN = 4;
export const GRE_MAX_HEADER_LEN = 16;
export const GRE_FLAG_C = 0x8000;
/** RFC 1701 routing present; not supported by RFC 2784. */
export const GRE_FLAG_R = 0x4000;
export const GRE_FLAG_K = 0x2000;
export const GRE_FLAG_S = 0x1000;
export const GRE_VERSION_MASK = 0x0007;
/** Reserved0 bits that RFC 2784 requires to be zero (besides K and S from RFC 2890). */
export const GRE_RESERVED0_MASK = 0x4ff8;

export const GRE_OK = 0;
export const GRE_TRUNCATED = 1;
export const GRE_BAD_VERSION = 2;
export const GRE_BAD_FLAGS = 3;
export const GRE_BAD_CHECKSUM = 4;
export const GRE_ERRORS = ['ok', 'gre_truncated', 'gre_bad_version', 'gre_bad_flags', 'gre_bad_checksum'] as const;

/** The 16-bit flags/version word. */
export function greFlags(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}
export function greProtocol(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
/** Header length from the C/K/S bits. */
export function greHeaderLen(b: Uint8Array, off: number): number {
  const f = b[off]!;
  return 4 + ((f & 0x80) ? 4 : 0) + ((f & 0x20) ? 4 : 0) + ((f & 0x10) ? 4 : 0);
}
/** Key (K bit must be set). */
export function greKey(b: Uint8Array, off: number): number {
  return readU32(b, off + ((b[off]! & 0x80) ? 8 : 4));
}
/** Sequence number (S bit must be set). */
export function greSeq(b: Uint8Array, off: number): number {
  return readU32(b, off + 4 + ((b[off]! & 0x80) ? 4 : 0) + ((b[off]! & 0x20) ? 4 : 0));
}

/**
 * Validator: version 0, reserved0 bits zero, header fits; with
 * `verifyChecksum` and C set, the checksum over header + payload (`len` bytes).
 */
export function checkGre(b: Uint8Array, off: number, len: number, verifyChecksum = true): number {
  if (len < GRE_HEADER_LEN) return GRE_TRUNCATED;
  const f = greFlags(b, off);
  if ((f & GRE_VERSION_MASK) !== 0) return GRE_BAD_VERSION;
  if ((f & GRE_RESERVED0_MASK) !== 0) return GRE_BAD_FLAGS;
  if (greHeaderLen(b, off) > len) return GRE_TRUNCATED;
  if (verifyChecksum && (f & GRE_FLAG_C) !== 0 && !checksumVerifies(b, off, len)) return GRE_BAD_CHECKSUM;
  return GRE_OK;
}

export interface GreHeader {
  checksumPresent: boolean;
  keyPresent: boolean;
  seqPresent: boolean;
  version: number;
  protocolType: number;
  checksum?: number;
  checksumOk?: boolean;
  key?: number;
  seq?: number;
  headerLen: number;
}

/** Parses the header; `len` covers header + payload (the checksum, if present, is over both). */
export function parseGre(b: Uint8Array, off: number, len: number): ParseResult<GreHeader> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'gre_truncated' };
  const code = checkGre(b, off, len, false);
  if (code !== GRE_OK) return { ok: false, error: GRE_ERRORS[code] };
  const f = greFlags(b, off);
  const h: GreHeader = {
    checksumPresent: (f & GRE_FLAG_C) !== 0,
    keyPresent: (f & GRE_FLAG_K) !== 0,
    seqPresent: (f & GRE_FLAG_S) !== 0,
    version: f & GRE_VERSION_MASK,
    protocolType: greProtocol(b, off),
    headerLen: greHeaderLen(b, off),
  };
  if (h.checksumPresent) {
    h.checksum = (b[off + 4]! << 8) | b[off + 5]!;
    h.checksumOk = checksumVerifies(b, off, len);
  }
  if (h.keyPresent) h.key = greKey(b, off);
  if (h.seqPresent) h.seq = greSeq(b, off);
  return { ok: true, value: h };
}

export interface GreWrite {
  protocolType: number;
  /** Set C and compute the checksum over header + `payloadLength` bytes already in `buf`. */
  checksum?: boolean;
  key?: number;
  seq?: number;
  /** Length of the payload after the header (for the checksum). */
  payloadLength?: number;
}

/** Writes the header; returns its length (4..16). */
export function writeGre(buf: Uint8Array, off: number, h: GreWrite): number {
  const f = (h.checksum ? GRE_FLAG_C : 0) | (h.key !== undefined ? GRE_FLAG_K : 0) | (h.seq !== undefined ? GRE_FLAG_S : 0);
  buf[off] = f >>> 8;
  buf[off + 1] = 0;
  buf[off + 2] = (h.protocolType >>> 8) & 0xff;
  buf[off + 3] = h.protocolType & 0xff;
  let p = off + 4;
  if (h.checksum) {
    writeU32(buf, p, 0);
    p += 4;
  }
  if (h.key !== undefined) {
    writeU32(buf, p, h.key >>> 0);
    p += 4;
  }
  if (h.seq !== undefined) {
    writeU32(buf, p, h.seq >>> 0);
    p += 4;
  }
  const hlen = p - off;
  if (h.checksum) {
    const c = internetChecksum(buf, off, hlen + (h.payloadLength ?? 0));
    buf[off + 4] = c >>> 8;
    buf[off + 5] = c & 0xff;
  }
  return hlen;
}
