/**
 * Internet checksum (RFC 1071) over byte ranges of a Uint8Array, IPv4 header
 * checksum, pseudo-header sums for UDP/TCP/ICMPv6 over IPv4 and IPv6, and the
 * RFC 1624 incremental update.
 *
 * Sums are carried as plain numbers and folded at the end; every function here
 * is allocation-free and safe for the hot path (except `pseudoHeaderSum`, which
 * accepts text addresses and is meant for packet generation).
 */
import { parseIpv4, parseIpv6 } from './addr.js';

/**
 * Adds the 16-bit big-endian words of `b[off .. off+len)` to `sum` (an odd
 * trailing byte is padded with zero). Returns the unfolded running sum; pass it
 * to `checksumFold` or back into `checksumAdd`. Note: ranges after an odd-length
 * range must be summed separately (the byte alignment restarts at `off`).
 */
export function checksumAdd(b: Uint8Array, off: number, len: number, sum = 0): number {
  let s = sum;
  const end = off + len - 1;
  let i = off;
  for (; i < end; i += 2) {
    s += (b[i]! << 8) | b[i + 1]!;
    // Keep the sum well inside 2^53 and cheap to fold: fold every so often.
    if (s > 0x7fffffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  }
  if (i === end) s += b[i]! << 8;
  return s;
}

/** Folds a running sum to 16 bits (end-around carry). Not complemented. */
export function checksumFold(sum: number): number {
  let s = sum;
  if (s <= 0x7fffffff) {
    // The usual case (a header's worth of words): two integer folds, no division.
    s = (s & 0xffff) + (s >>> 16);
    return (s & 0xffff) + (s >>> 16);
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The Internet checksum of a byte range: ~fold(sum + initial) & 0xffff. */
export function internetChecksum(b: Uint8Array, off: number, len: number, initial = 0): number {
  return ~checksumFold(checksumAdd(b, off, len, initial)) & 0xffff;
}

/** True if the ones-complement sum over the range (checksum field included) is 0xffff. */
export function checksumVerifies(b: Uint8Array, off: number, len: number, initial = 0): boolean {
  return checksumFold(checksumAdd(b, off, len, initial)) === 0xffff;
}

/** IPv4 header checksum of the header at `off` with length `hlen`, treating the checksum field as zero. */
export function ipv4HeaderChecksum(b: Uint8Array, off: number, hlen: number): number {
  let s = checksumAdd(b, off, 10);
  s = checksumAdd(b, off + 12, hlen - 12, s);
  return ~checksumFold(s) & 0xffff;
}

/** Pseudo-header sum for IPv4 (RFC 768/793): src, dst, zero, protocol, upper-layer length. */
export function pseudoHeaderSumIpv4(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (length & 0xffff) + (length >>> 16);
}

/**
 * Pseudo-header sum for IPv6 (RFC 8200 section 8.1) with the 16-byte
 * addresses read from `b` at `srcOff` and `dstOff` (usually inside the IPv6
 * header: off+8 and off+24).
 */
export function pseudoHeaderSumIpv6(
  b: Uint8Array, srcOff: number, dstOff: number, protocol: number, length: number,
): number {
  let s = checksumAdd(b, srcOff, 16);
  s = checksumAdd(b, dstOff, 16, s);
  return s + (length >>> 16) + (length & 0xffff) + protocol;
}

/** Pseudo-header sum for an IPv4 header at `ipOff` (addresses read from the header). */
export function pseudoHeaderSumFromIpv4(b: Uint8Array, ipOff: number, protocol: number, length: number): number {
  return checksumAdd(b, ipOff + 12, 8) + protocol + (length & 0xffff) + (length >>> 16);
}

/** Pseudo-header sum for an IPv6 header at `ipOff` (addresses read from the header). */
export function pseudoHeaderSumFromIpv6(b: Uint8Array, ipOff: number, protocol: number, length: number): number {
  return pseudoHeaderSumIpv6(b, ipOff + 8, ipOff + 24, protocol, length);
}

/** Address pair for a pseudo-header: IPv4 as uint32 or text, IPv6 as 16 bytes or text. */
export interface IpPseudoHeader {
  src: number | string | Uint8Array;
  dst: number | string | Uint8Array;
}

function addrBytes(a: number | string | Uint8Array): Uint8Array {
  if (a instanceof Uint8Array) return a;
  if (typeof a === 'number') {
    return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
  }
  if (a.includes(':')) return parseIpv6(a);
  const v = parseIpv4(a);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Pseudo-header sum from an address pair (packet generation; allocates). */
export function pseudoHeaderSum(p: IpPseudoHeader, protocol: number, length: number): number {
  const s = addrBytes(p.src);
  const d = addrBytes(p.dst);
  if (s.length !== d.length || (s.length !== 4 && s.length !== 16)) {
    throw new Error('pseudo-header addresses must both be IPv4 or both IPv6');
  }
  return checksumAdd(s, 0, s.length, checksumAdd(d, 0, d.length)) + protocol + (length & 0xffff) + (length >>> 16);
}

/**
 * Transport checksum (UDP/TCP/ICMPv6) of `b[off .. off+len)` plus a pseudo-header
 * sum; the checksum field inside the range must be zero when computing.
 */
export function transportChecksum(b: Uint8Array, off: number, len: number, pseudoSum: number): number {
  return ~checksumFold(checksumAdd(b, off, len, pseudoSum)) & 0xffff;
}

/**
 * RFC 1624 eqn. 3 incremental update: HC' = ~(~HC + ~m + m'), where m is the
 * old 16-bit field and m' the new one. Returns the new checksum.
 */
export function checksumIncrementalUpdate(oldChecksum: number, oldWord: number, newWord: number): number {
  const s = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~checksumFold(s) & 0xffff;
}

/** Same as `checksumIncrementalUpdate` for a 32-bit field (e.g. an address rewrite). */
export function checksumIncrementalUpdate32(oldChecksum: number, oldValue: number, newValue: number): number {
  const s = (~oldChecksum & 0xffff)
    + (~(oldValue >>> 16) & 0xffff) + (~oldValue & 0xffff)
    + (newValue >>> 16) + (newValue & 0xffff);
  return ~checksumFold(s) & 0xffff;
}
