/** UDP (RFC 768) with IPv4/IPv6 pseudo-header checksums. */
import { checksumAdd, checksumFold, type IpPseudoHeader, pseudoHeaderSum, transportChecksum } from './checksum.js';
import { IP_PROTO_UDP } from './ipv4.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const UDP_HEADER_LEN = 8;

export const UDP_OK = 0;
export const UDP_TRUNCATED = 1;
export const UDP_BAD_LENGTH = 2;
export const UDP_BAD_CHECKSUM = 3;
export const UDP_ERRORS = ['ok', 'udp_truncated', 'udp_bad_length', 'udp_bad_checksum'] as const;

export function udpSrcPort(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}
export function udpDstPort(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
export function udpLength(b: Uint8Array, off: number): number {
  return (b[off + 4]! << 8) | b[off + 5]!;
}
export function udpChecksum(b: Uint8Array, off: number): number {
  return (b[off + 6]! << 8) | b[off + 7]!;
}
export function setUdpLength(b: Uint8Array, off: number, v: number): void {
  b[off + 4] = (v >>> 8) & 0xff;
  b[off + 5] = v & 0xff;
}

/**
 * Hot-path validator. `len` is the bytes available (the IP payload length).
 * The UDP length must be 8..len. With `pseudoSum` >= 0 (pseudo-header sum
 * including the UDP length) a non-zero checksum is verified; over IPv6 a zero
 * checksum is invalid (RFC 8200) -- pass `zeroChecksumOk` false then.
 */
export function checkUdp(b: Uint8Array, off: number, len: number, pseudoSum = -1, zeroChecksumOk = true): number {
  if (len < UDP_HEADER_LEN) return UDP_TRUNCATED;
  const ulen = udpLength(b, off);
  if (ulen < UDP_HEADER_LEN || ulen > len) return UDP_BAD_LENGTH;
  if (pseudoSum >= 0) {
    if (udpChecksum(b, off) === 0) return zeroChecksumOk ? UDP_OK : UDP_BAD_CHECKSUM;
    if (checksumFold(checksumAdd(b, off, ulen, pseudoSum)) !== 0xffff) return UDP_BAD_CHECKSUM;
  }
  return UDP_OK;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  /** Present when parse was given the pseudo-header; true for checksum 0 (not computed). */
  checksumOk?: boolean;
}

export function parseUdp(b: Uint8Array, off: number, len: number, pseudo?: IpPseudoHeader): ParseResult<UdpHeader> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'udp_truncated' };
  const code = checkUdp(b, off, len);
  if (code !== UDP_OK) return { ok: false, error: UDP_ERRORS[code] };
  const h: UdpHeader = { srcPort: udpSrcPort(b, off), dstPort: udpDstPort(b, off), length: udpLength(b, off), checksum: udpChecksum(b, off) };
  if (pseudo !== undefined) {
    h.checksumOk = checkUdp(b, off, len, pseudoHeaderSum(pseudo, IP_PROTO_UDP, h.length)) === UDP_OK;
    if (!h.checksumOk) return { ok: false, error: 'udp_bad_checksum' };
  }
  return { ok: true, value: h };
}

export interface UdpWrite {
  srcPort: number;
  dstPort: number;
  /** Header + payload; defaults to 8 + payload length. */
  length?: number;
  /** Copied after the header. */
  payload?: Uint8Array;
}

/**
 * Writes the header (and payload if given). With `pseudo`, computes the
 * checksum over header + payload (which must already be in `buf` if no
 * `payload` is given); otherwise the checksum is 0. Returns 8.
 */
export function writeUdp(buf: Uint8Array, off: number, h: UdpWrite, pseudo?: IpPseudoHeader): number {
  const length = h.length ?? UDP_HEADER_LEN + (h.payload?.length ?? 0);
  buf[off] = (h.srcPort >>> 8) & 0xff;
  buf[off + 1] = h.srcPort & 0xff;
  buf[off + 2] = (h.dstPort >>> 8) & 0xff;
  buf[off + 3] = h.dstPort & 0xff;
  setUdpLength(buf, off, length);
  buf[off + 6] = 0;
  buf[off + 7] = 0;
  if (h.payload) buf.set(h.payload, off + UDP_HEADER_LEN);
  if (pseudo !== undefined) udpSetChecksum(buf, off, length, pseudoHeaderSum(pseudo, IP_PROTO_UDP, length));
  return UDP_HEADER_LEN;
}

/** Computes and stores the checksum over `length` bytes given the pseudo-header sum (0 is sent as 0xffff). */
export function udpSetChecksum(b: Uint8Array, off: number, length: number, pseudoSum: number): void {
  b[off + 6] = 0;
  b[off + 7] = 0;
  const c = transportChecksum(b, off, length, pseudoSum) || 0xffff;
  b[off + 6] = c >>> 8;
  b[off + 7] = c & 0xff;
}
