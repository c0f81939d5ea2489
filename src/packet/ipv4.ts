/** IPv4 (RFC 791): header accessors, validation, options, header checksum, TTL decrement. */
import { formatIpv4, ipv4Value, readU32, writeU32 } from './addr.js';
import { checksumIncrementalUpdate, checksumVerifies, ipv4HeaderChecksum } from './checksum.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_HEADER_LEN = 60;
export const IPV4_VERSION = 4;

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers"), shared with IPv6.
export const IP_PROTO_HOPOPT = 0;
export const IP_PROTO_ICMP = 1;
export const IP_PROTO_IGMP = 2;
export const IP_PROTO_IPIP = 4;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;
export const IP_PROTO_IPV6 = 41;
export const IP_PROTO_ROUTING = 43;
export const IP_PROTO_FRAGMENT = 44;
export const IP_PROTO_GRE = 47;
export const IP_PROTO_ESP = 50;
export const IP_PROTO_AH = 51;
export const IP_PROTO_ICMPV6 = 58;
export const IP_PROTO_NONE = 59;
export const IP_PROTO_DSTOPTS = 60;
export const IP_PROTO_MPLS = 137;

// Flags/fragment field.
export const IPV4_FLAG_RESERVED = 0x8000;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;

// Option types.
export const IPV4_OPT_EOL = 0;
export const IPV4_OPT_NOP = 1;
export const IPV4_OPT_RR = 7;
export const IPV4_OPT_TS = 68;
export const IPV4_OPT_LSRR = 131;
export const IPV4_OPT_SSRR = 137;
export const IPV4_OPT_RA = 148;

export const IPV4_OK = 0;
export const IPV4_TRUNCATED = 1;
export const IPV4_BAD_VERSION = 2;
export const IPV4_BAD_IHL = 3;
export const IPV4_BAD_TOTAL_LENGTH = 4;
export const IPV4_BAD_CHECKSUM = 5;
export const IPV4_BAD_OPTIONS = 6;
/** Error code -> drop-reason counter name. */
export const IPV4_ERRORS = [
  'ok', 'ipv4_truncated', 'ipv4_bad_version', 'ipv4_bad_ihl', 'ipv4_bad_total_length', 'ipv4_bad_checksum',
  'ipv4_bad_options',
] as const;

export function ipv4Version(b: Uint8Array, off: number): number {
  return b[off]! >>> 4;
}
/** Header length in bytes (IHL * 4). */
export function ipv4HeaderLen(b: Uint8Array, off: number): number {
  return (b[off]! & 0x0f) << 2;
}
export function ipv4Tos(b: Uint8Array, off: number): number {
  return b[off + 1]!;
}
export function ipv4TotalLen(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
export function ipv4Id(b: Uint8Array, off: number): number {
  return (b[off + 4]! << 8) | b[off + 5]!;
}
/** The 16-bit flags + fragment offset field. */
export function ipv4FlagsFragment(b: Uint8Array, off: number): number {
  return (b[off + 6]! << 8) | b[off + 7]!;
}
/** True if MF is set or the fragment offset is non-zero. */
export function ipv4IsFragment(b: Uint8Array, off: number): boolean {
  return (ipv4FlagsFragment(b, off) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
}
export function ipv4Ttl(b: Uint8Array, off: number): number {
  return b[off + 8]!;
}
export function ipv4Protocol(b: Uint8Array, off: number): number {
  return b[off + 9]!;
}
export function ipv4Checksum(b: Uint8Array, off: number): number {
  return (b[off + 10]! << 8) | b[off + 11]!;
}
export function ipv4Src(b: Uint8Array, off: number): number {
  return readU32(b, off + 12);
}
export function ipv4Dst(b: Uint8Array, off: number): number {
  return readU32(b, off + 16);
}
export function setIpv4Src(b: Uint8Array, off: number, v: number): void {
  writeU32(b, off + 12, v);
}
export function setIpv4Dst(b: Uint8Array, off: number, v: number): void {
  writeU32(b, off + 16, v);
}

/**
 * A 20-byte IPv4 header (no options) at `off`, checksum included, for the
 * packets a device builds: ICMP errors, GRE, VRRP, sFlow. `flagsFrag` is the
 * 16-bit flags + fragment offset field (0x4000: DF).
 */
export function writeIpv4Header(b: Uint8Array, off: number, tos: number, totalLen: number, id: number, flagsFrag: number, ttl: number, protocol: number, src: number, dst: number): void {
  b[off] = 0x45;
  b[off + 1] = tos;
  b[off + 2] = totalLen >>> 8;
  b[off + 3] = totalLen & 0xff;
  b[off + 4] = (id >>> 8) & 0xff;
  b[off + 5] = id & 0xff;
  b[off + 6] = flagsFrag >>> 8;
  b[off + 7] = flagsFrag & 0xff;
  b[off + 8] = ttl;
  b[off + 9] = protocol;
  b[off + 10] = 0;
  b[off + 11] = 0;
  writeU32(b, off + 12, src);
  writeU32(b, off + 16, dst);
  const c = ipv4HeaderChecksum(b, off, 20);
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 0xff;
}

/** Recomputes and stores the header checksum. */
export function ipv4UpdateChecksum(b: Uint8Array, off: number): void {
  const c = ipv4HeaderChecksum(b, off, ipv4HeaderLen(b, off));
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 0xff;
}

/**
 * Decrements the TTL and patches the checksum incrementally (RFC 1624).
 * Returns the new TTL. The caller checks for TTL <= 1 first.
 */
export function ipv4DecrementTtl(b: Uint8Array, off: number): number {
  const oldWord = (b[off + 8]! << 8) | b[off + 9]!;
  const ttl = (b[off + 8]! - 1) & 0xff;
  b[off + 8] = ttl;
  const c = checksumIncrementalUpdate(ipv4Checksum(b, off), oldWord, (ttl << 8) | b[off + 9]!);
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 0xff;
  return ttl;
}

/**
 * Hot-path validator. `len` is the bytes available from `off` (the L2
 * payload length, possibly with Ethernet padding). Checks version, IHL,
 * total length (IHL*4 <= total <= len) and, if `verifyChecksum`, the header
 * checksum. Options are not walked (see `checkIpv4Options`).
 */
export function checkIpv4(b: Uint8Array, off: number, len: number, verifyChecksum = true): number {
  if (len < IPV4_HEADER_LEN) return IPV4_TRUNCATED;
  if (b[off]! >>> 4 !== IPV4_VERSION) return IPV4_BAD_VERSION;
  const hlen = (b[off]! & 0x0f) << 2;
  if (hlen < IPV4_HEADER_LEN) return IPV4_BAD_IHL;
  if (hlen > len) return IPV4_TRUNCATED;
  const total = (b[off + 2]! << 8) | b[off + 3]!;
  if (total < hlen || total > len) return IPV4_BAD_TOTAL_LENGTH;
  if (verifyChecksum && !(hlen === IPV4_HEADER_LEN ? ipv4Header20Verifies(b, off) : checksumVerifies(b, off, hlen))) return IPV4_BAD_CHECKSUM;
  return IPV4_OK;
}

/** checksumVerifies for a 20-byte header, unrolled: the hot path's common case. */
function ipv4Header20Verifies(b: Uint8Array, o: number): boolean {
  let s = ((b[o]! << 8) | b[o + 1]!) + ((b[o + 2]! << 8) | b[o + 3]!) + ((b[o + 4]! << 8) | b[o + 5]!)
    + ((b[o + 6]! << 8) | b[o + 7]!) + ((b[o + 8]! << 8) | b[o + 9]!) + ((b[o + 10]! << 8) | b[o + 11]!)
    + ((b[o + 12]! << 8) | b[o + 13]!) + ((b[o + 14]! << 8) | b[o + 15]!) + ((b[o + 16]! << 8) | b[o + 17]!)
    + ((b[o + 18]! << 8) | b[o + 19]!);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

/** Walks the options of a header already checked by `checkIpv4`; returns IPV4_OK or IPV4_BAD_OPTIONS. */
export function checkIpv4Options(b: Uint8Array, off: number): number {
  const end = off + ipv4HeaderLen(b, off);
  let p = off + IPV4_HEADER_LEN;
  while (p < end) {
    const t = b[p]!;
    if (t === IPV4_OPT_EOL) break;
    if (t === IPV4_OPT_NOP) {
      p++;
      continue;
    }
    if (p + 2 > end) return IPV4_BAD_OPTIONS;
    const l = b[p + 1]!;
    if (l < 2 || p + l > end) return IPV4_BAD_OPTIONS;
    p += l;
  }
  return IPV4_OK;
}

export interface Ipv4Option {
  type: number;
  /** Option data after the type and length bytes (empty for NOP/EOL). */
  data: Uint8Array;
}

export interface Ipv4Header {
  version: number;
  headerLen: number;
  tos: number;
  totalLength: number;
  id: number;
  /** The 3 flag bits as in the header (IPV4_FLAG_* >> 13): 0b010 = DF. */
  flags: number;
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  checksumOk: boolean;
  src: string;
  dst: string;
  /** Options in order; NOPs are kept, EOL ends the list (not included). */
  options: Ipv4Option[];
}

export interface ParseIpv4Options {
  /** Reject a bad header checksum (`ipv4_bad_checksum`). Default true. */
  verifyChecksum?: boolean;
}

export function parseIpv4(b: Uint8Array, off: number, len: number, opts: ParseIpv4Options = {}): ParseResult<Ipv4Header> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'ipv4_truncated' };
  let code = checkIpv4(b, off, len, opts.verifyChecksum ?? true);
  if (code === IPV4_OK) code = checkIpv4Options(b, off);
  if (code !== IPV4_OK) return { ok: false, error: IPV4_ERRORS[code] };
  const hlen = ipv4HeaderLen(b, off);
  const options: Ipv4Option[] = [];
  let p = off + IPV4_HEADER_LEN;
  while (p < off + hlen) {
    const t = b[p]!;
    if (t === IPV4_OPT_EOL) break;
    if (t === IPV4_OPT_NOP) {
      options.push({ type: t, data: new Uint8Array(0) });
      p++;
      continue;
    }
    const l = b[p + 1]!;
    options.push({ type: t, data: b.slice(p + 2, p + l) });
    p += l;
  }
  const ff = ipv4FlagsFragment(b, off);
  return {
    ok: true,
    value: {
      version: 4,
      headerLen: hlen,
      tos: ipv4Tos(b, off),
      totalLength: ipv4TotalLen(b, off),
      id: ipv4Id(b, off),
      flags: ff >>> 13,
      fragmentOffset: ff & IPV4_FRAG_OFFSET_MASK,
      ttl: ipv4Ttl(b, off),
      protocol: ipv4Protocol(b, off),
      checksum: ipv4Checksum(b, off),
      checksumOk: checksumVerifies(b, off, hlen),
      src: formatIpv4(ipv4Src(b, off)),
      dst: formatIpv4(ipv4Dst(b, off)),
      options,
    },
  };
}

export interface Ipv4Write {
  tos?: number;
  /** Total length (header + payload). */
  totalLength: number;
  id?: number;
  /** 3 flag bits (0b010 = DF). */
  flags?: number;
  fragmentOffset?: number;
  ttl: number;
  protocol: number;
  src: string | number;
  dst: string | number;
  /** Options; the area is padded with EOL (zeros) to a multiple of 4 bytes. */
  options?: readonly { type: number; data?: Uint8Array }[];
}

/** Size of the options area for `options` (padded to 4 bytes). */
export function ipv4OptionsLen(options: readonly { type: number; data?: Uint8Array }[] | undefined): number {
  let n = 0;
  for (const o of options ?? []) n += o.type === IPV4_OPT_NOP || o.type === IPV4_OPT_EOL ? 1 : 2 + (o.data?.length ?? 0);
  return (n + 3) & ~3;
}

/** Writes the header and its checksum; returns the header length. Throws if options exceed 40 bytes. */
export function writeIpv4(buf: Uint8Array, off: number, h: Ipv4Write): number {
  const hlen = IPV4_HEADER_LEN + ipv4OptionsLen(h.options);
  if (hlen > IPV4_MAX_HEADER_LEN) throw new Error('IPv4 options longer than 40 bytes');
  buf[off] = 0x40 | (hlen >>> 2);
  buf[off + 1] = (h.tos ?? 0) & 0xff;
  buf[off + 2] = (h.totalLength >>> 8) & 0xff;
  buf[off + 3] = h.totalLength & 0xff;
  const id = h.id ?? 0;
  buf[off + 4] = (id >>> 8) & 0xff;
  buf[off + 5] = id & 0xff;
  const ff = (((h.flags ?? 0) & 7) << 13) | ((h.fragmentOffset ?? 0) & IPV4_FRAG_OFFSET_MASK);
  buf[off + 6] = ff >>> 8;
  buf[off + 7] = ff & 0xff;
  buf[off + 8] = h.ttl & 0xff;
  buf[off + 9] = h.protocol & 0xff;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  writeU32(buf, off + 12, ipv4Value(h.src));
  writeU32(buf, off + 16, ipv4Value(h.dst));
  let p = off + IPV4_HEADER_LEN;
  for (const o of h.options ?? []) {
    buf[p++] = o.type;
    if (o.type === IPV4_OPT_NOP || o.type === IPV4_OPT_EOL) continue;
    const d = o.data ?? new Uint8Array(0);
    buf[p++] = 2 + d.length;
    buf.set(d, p);
    p += d.length;
  }
  while (p < off + hlen) buf[p++] = 0;
  ipv4UpdateChecksum(buf, off);
  return hlen;
}
