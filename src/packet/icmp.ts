/** ICMP for IPv4 (RFC 792, RFC 1191 for "fragmentation needed" MTU). */
import { formatIpv4, readU32, writeU32 } from './addr.js';
import { checksumVerifies, internetChecksum } from './checksum.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const ICMP_HEADER_LEN = 8;

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ROUTER_ADVERTISEMENT = 9;
export const ICMP_ROUTER_SOLICITATION = 10;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETER_PROBLEM = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMP_REPLY = 14;

// Destination unreachable codes.
export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_UNREACH_NEEDFRAG = 4;
export const ICMP_UNREACH_ADMIN_PROHIBITED = 13;
// Time exceeded codes.
export const ICMP_TIMXCEED_INTRANS = 0;
export const ICMP_TIMXCEED_REASS = 1;

export const ICMP_OK = 0;
export const ICMP_TRUNCATED = 1;
export const ICMP_BAD_CHECKSUM = 2;
export const ICMP_ERRORS = ['ok', 'icmp_truncated', 'icmp_bad_checksum'] as const;

export function icmpType(b: Uint8Array, off: number): number {
  return b[off]!;
}
export function icmpCode(b: Uint8Array, off: number): number {
  return b[off + 1]!;
}
export function icmpChecksum(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
/** Echo identifier (echo request/reply). */
export function icmpEchoId(b: Uint8Array, off: number): number {
  return (b[off + 4]! << 8) | b[off + 5]!;
}
/** Echo sequence number (echo request/reply). */
export function icmpEchoSeq(b: Uint8Array, off: number): number {
  return (b[off + 6]! << 8) | b[off + 7]!;
}
/** True for the error messages that quote an offending datagram. */
export function icmpIsError(type: number): boolean {
  return type === ICMP_DEST_UNREACHABLE || type === ICMP_SOURCE_QUENCH || type === ICMP_REDIRECT
    || type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETER_PROBLEM;
}

/** Hot-path validator: length and (optionally) checksum over the whole message. */
export function checkIcmp(b: Uint8Array, off: number, len: number, verifyChecksum = true): number {
  if (len < ICMP_HEADER_LEN) return ICMP_TRUNCATED;
  if (verifyChecksum && !checksumVerifies(b, off, len)) return ICMP_BAD_CHECKSUM;
  return ICMP_OK;
}

export interface IcmpMessage {
  type: number;
  code: number;
  checksum: number;
  checksumOk: boolean;
  /** The 32-bit "rest of header" word. */
  rest: number;
  /** Echo / timestamp / information id and sequence. */
  id?: number;
  seq?: number;
  /** Next-hop MTU (destination unreachable, fragmentation needed). */
  mtu?: number;
  /** Gateway address (redirect). */
  gateway?: string;
  /** Pointer (parameter problem). */
  pointer?: number;
  /** Bytes after the 8-byte header (echo data, or the quoted datagram of an error). */
  payloadLength: number;
}

export function parseIcmp(b: Uint8Array, off: number, len: number): ParseResult<IcmpMessage> {
  if (!rangeOk(b, off, len) || len < ICMP_HEADER_LEN) return { ok: false, error: 'icmp_truncated' };
  const type = b[off]!;
  const code = b[off + 1]!;
  const rest = readU32(b, off + 4);
  const m: IcmpMessage = {
    type, code, checksum: icmpChecksum(b, off), checksumOk: checksumVerifies(b, off, len), rest,
    payloadLength: len - ICMP_HEADER_LEN,
  };
  if (type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY || type === ICMP_TIMESTAMP || type === ICMP_TIMESTAMP_REPLY) {
    m.id = rest >>> 16;
    m.seq = rest & 0xffff;
  } else if (type === ICMP_DEST_UNREACHABLE && code === ICMP_UNREACH_NEEDFRAG) {
    m.mtu = rest & 0xffff;
  } else if (type === ICMP_REDIRECT) {
    m.gateway = formatIpv4(rest);
  } else if (type === ICMP_PARAMETER_PROBLEM) {
    m.pointer = rest >>> 24;
  }
  return { ok: true, value: m };
}

export interface IcmpWrite {
  type: number;
  code: number;
  /** Raw rest-of-header word; overridden by id/seq, mtu, gateway or pointer when given. */
  rest?: number;
  id?: number;
  seq?: number;
  mtu?: number;
  gateway?: number;
  pointer?: number;
  /** Copied after the header. */
  payload?: Uint8Array;
  /** When no `payload` is given: length of a payload already in `buf` after the header. */
  payloadLength?: number;
}

/** Writes header (+ payload) and the checksum over the whole message; returns bytes written. */
export function writeIcmp(buf: Uint8Array, off: number, h: IcmpWrite): number {
  buf[off] = h.type & 0xff;
  buf[off + 1] = h.code & 0xff;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  let rest = h.rest ?? 0;
  if (h.id !== undefined || h.seq !== undefined) rest = (((h.id ?? 0) & 0xffff) << 16 | ((h.seq ?? 0) & 0xffff)) >>> 0;
  else if (h.mtu !== undefined) rest = h.mtu & 0xffff;
  else if (h.gateway !== undefined) rest = h.gateway >>> 0;
  else if (h.pointer !== undefined) rest = ((h.pointer & 0xff) << 24) >>> 0;
  writeU32(buf, off + 4, rest);
  let plen = h.payloadLength ?? 0;
  if (h.payload) {
    buf.set(h.payload, off + ICMP_HEADER_LEN);
    plen = h.payload.length;
  }
  const c = internetChecksum(buf, off, ICMP_HEADER_LEN + plen);
  buf[off + 2] = c >>> 8;
  buf[off + 3] = c & 0xff;
  return ICMP_HEADER_LEN + plen;
}

/**
 * Turns the echo request at `off` (length `len`) into an echo reply in place,
 * patching the checksum incrementally (type 8 -> 0 changes one word).
 */
export function icmpEchoToReplyInPlace(b: Uint8Array, off: number): void {
  b[off] = ICMP_ECHO_REPLY;
  // Sum changes by -(8 << 8); the checksum (its complement) grows by 0x0800.
  let c = ((b[off + 2]! << 8) | b[off + 3]!) + 0x0800;
  c = (c & 0xffff) + (c >>> 16);
  b[off + 2] = c >>> 8;
  b[off + 3] = c & 0xff;
}
