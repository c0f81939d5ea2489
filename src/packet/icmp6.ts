/**
 * ICMPv6 (RFC 4443) and Neighbor Discovery messages (RFC 4861): router
 * solicitation 133, router advertisement 134, neighbor solicitation 135,
 * neighbor advertisement 136, redirect 137. Options live in nd-options.ts.
 */
import { formatIpv6, readU32, writeIpv6Addr, writeU32 } from './addr.js';
import { checksumAdd, checksumFold, type IpPseudoHeader, pseudoHeaderSum, transportChecksum } from './checksum.js';
import { IP_PROTO_ICMPV6 } from './ipv4.js';
import { type NdOption, ndOptionsValid, parseNdOptions, writeNdOptions } from './nd-options.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export * from './nd-options.js';

export const ICMP6_HEADER_LEN = 8;

export const ICMP6_DEST_UNREACHABLE = 1;
export const ICMP6_PACKET_TOO_BIG = 2;
export const ICMP6_TIME_EXCEEDED = 3;
export const ICMP6_PARAMETER_PROBLEM = 4;
export const ICMP6_ECHO_REQUEST = 128;
export const ICMP6_ECHO_REPLY = 129;
export const ICMP6_MLD_QUERY = 130;
export const ICMP6_MLD_REPORT = 131;
export const ICMP6_MLD_DONE = 132;
export const ND_ROUTER_SOLICIT = 133;
export const ND_ROUTER_ADVERT = 134;
export const ND_NEIGHBOR_SOLICIT = 135;
export const ND_NEIGHBOR_ADVERT = 136;
export const ND_REDIRECT = 137;
export const ICMP6_MLDV2_REPORT = 143;

// Destination unreachable codes.
export const ICMP6_UNREACH_NO_ROUTE = 0;
export const ICMP6_UNREACH_ADMIN = 1;
export const ICMP6_UNREACH_ADDRESS = 3;
export const ICMP6_UNREACH_PORT = 4;
// Time exceeded codes.
export const ICMP6_TIME_EXCEED_TRANSIT = 0;
export const ICMP6_TIME_EXCEED_REASSEMBLY = 1;

/** NA flags (byte 4). */
export const ND_NA_FLAG_ROUTER = 0x80;
export const ND_NA_FLAG_SOLICITED = 0x40;
export const ND_NA_FLAG_OVERRIDE = 0x20;
/** RA flags (byte 5); preference is bits 0x18. */
export const ND_RA_FLAG_MANAGED = 0x80;
export const ND_RA_FLAG_OTHER = 0x40;
export const ND_RA_FLAG_HOME_AGENT = 0x20;

/** Hop limit every ND message must arrive with. */
export const ND_HOP_LIMIT = 255;

export const ICMP6_OK = 0;
export const ICMP6_TRUNCATED = 1;
export const ICMP6_BAD_CHECKSUM = 2;
export const ICMP6_BAD_ND_OPTION = 3;
export const ICMP6_ND_BAD_HOP_LIMIT = 4;
export const ICMP6_ND_BAD_CODE = 5;
export const ICMP6_ND_BAD_TARGET = 6;
export const ICMP6_ERRORS = [
  'ok', 'icmp6_truncated', 'icmp6_bad_checksum', 'icmp6_bad_nd_option', 'icmp6_nd_bad_hop_limit',
  'icmp6_nd_bad_code', 'icmp6_nd_bad_target',
] as const;

export function icmp6Type(b: Uint8Array, off: number): number {
  return b[off]!;
}
export function icmp6Code(b: Uint8Array, off: number): number {
  return b[off + 1]!;
}
export function icmp6Checksum(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
/** Offset of the NS/NA/redirect target address. */
export function ndTargetOffset(off: number): number {
  return off + 8;
}
/** True for the ND message types 133..137. */
export function isNdType(type: number): boolean {
  return type >= ND_ROUTER_SOLICIT && type <= ND_REDIRECT;
}

/** Length of the fixed part before the options of an ND message (0 if not ND). */
export function ndOptionsStart(type: number): number {
  switch (type) {
    case ND_ROUTER_SOLICIT: return 8;
    case ND_ROUTER_ADVERT: return 16;
    case ND_NEIGHBOR_SOLICIT:
    case ND_NEIGHBOR_ADVERT: return 24;
    case ND_REDIRECT: return 40;
    default: return 0;
  }
}

/**
 * Hot-path validator. `pseudoSum` is the IPv6 pseudo-header sum
 * (`pseudoHeaderSumFromIpv6(b, ipOff, 58, len)`), or -1 to skip the checksum.
 */
export function checkIcmp6(b: Uint8Array, off: number, len: number, pseudoSum: number): number {
  if (len < 4) return ICMP6_TRUNCATED;
  if (pseudoSum >= 0 && checksumFold(checksumAdd(b, off, len, pseudoSum)) !== 0xffff) return ICMP6_BAD_CHECKSUM;
  return ICMP6_OK;
}

/**
 * Hot-path RFC 4861 validation of an ND message (types 133..137) already
 * passed by `checkIcmp6`: hop limit 255, code 0, minimum length, NS/NA/redirect
 * target not multicast, well-formed options.
 */
export function checkNd(b: Uint8Array, off: number, len: number, hopLimit: number): number {
  const type = b[off]!;
  const start = ndOptionsStart(type);
  if (start === 0) return ICMP6_OK;
  if (len < start) return ICMP6_TRUNCATED;
  if (hopLimit !== ND_HOP_LIMIT) return ICMP6_ND_BAD_HOP_LIMIT;
  if (b[off + 1] !== 0) return ICMP6_ND_BAD_CODE;
  if ((type === ND_NEIGHBOR_SOLICIT || type === ND_NEIGHBOR_ADVERT) && b[off + 8] === 0xff) return ICMP6_ND_BAD_TARGET;
  if (!ndOptionsValid(b, off + start, off + len)) return ICMP6_BAD_ND_OPTION;
  return ICMP6_OK;
}

export interface Icmp6Message {
  type: number;
  code: number;
  /** Filled in by parse; computed by write. */
  checksum?: number;
  /** Present when parse was given the pseudo-header. */
  checksumOk?: boolean;
  /** Echo. */
  id?: number;
  seq?: number;
  /** Packet too big. */
  mtu?: number;
  /** Parameter problem. */
  pointer?: number;
  /** RA. */
  curHopLimit?: number;
  /** RA flag byte (M 0x80, O 0x40, H 0x20, preference 0x18) or NA flag byte (R 0x80, S 0x40, O 0x20). */
  flags?: number;
  routerLifetime?: number;
  reachableTime?: number;
  retransTimer?: number;
  /** NS, NA, redirect. */
  target?: string;
  /** Redirect. */
  destination?: string;
  /** ND messages. */
  options?: NdOption[];
  /** Non-ND messages: bytes after the 8-byte header (echo data, quoted packet). */
  payloadLength?: number;
}

/**
 * Parses an ICMPv6 message. With `pseudo` (an address pair or a precomputed
 * pseudo-header sum) the checksum is verified and a bad one is an error.
 */
export function parseIcmp6(
  b: Uint8Array, off: number, len: number, pseudo?: IpPseudoHeader | number,
): ParseResult<Icmp6Message> {
  if (!rangeOk(b, off, len) || len < 4) return { ok: false, error: 'icmp6_truncated' };
  const type = b[off]!;
  const m: Icmp6Message = { type, code: b[off + 1]!, checksum: icmp6Checksum(b, off) };
  if (pseudo !== undefined) {
    const ps = typeof pseudo === 'number' ? pseudo : pseudoHeaderSum(pseudo, IP_PROTO_ICMPV6, len);
    m.checksumOk = checkIcmp6(b, off, len, ps) === ICMP6_OK;
    if (!m.checksumOk) return { ok: false, error: 'icmp6_bad_checksum' };
  }
  const start = ndOptionsStart(type);
  if (start !== 0) {
    if (len < start) return { ok: false, error: 'icmp6_truncated' };
    if (type === ND_ROUTER_ADVERT) {
      m.curHopLimit = b[off + 4]!;
      m.flags = b[off + 5]!;
      m.routerLifetime = (b[off + 6]! << 8) | b[off + 7]!;
      m.reachableTime = readU32(b, off + 8);
      m.retransTimer = readU32(b, off + 12);
    } else if (type === ND_NEIGHBOR_ADVERT) {
      m.flags = b[off + 4]!;
    }
    if (start >= 24) m.target = formatIpv6(b, off + 8);
    if (type === ND_REDIRECT) m.destination = formatIpv6(b, off + 24);
    const options = parseNdOptions(b, off + start, off + len);
    if (options === null) return { ok: false, error: 'icmp6_bad_nd_option' };
    m.options = options;
    return { ok: true, value: m };
  }
  if (len < ICMP6_HEADER_LEN) return { ok: false, error: 'icmp6_truncated' };
  if (type === ICMP6_ECHO_REQUEST || type === ICMP6_ECHO_REPLY) {
    m.id = (b[off + 4]! << 8) | b[off + 5]!;
    m.seq = (b[off + 6]! << 8) | b[off + 7]!;
  } else if (type === ICMP6_PACKET_TOO_BIG) {
    m.mtu = readU32(b, off + 4);
  } else if (type === ICMP6_PARAMETER_PROBLEM) {
    m.pointer = readU32(b, off + 4);
  }
  m.payloadLength = len - ICMP6_HEADER_LEN;
  return { ok: true, value: m };
}

export interface Icmp6Write extends Icmp6Message {
  /** Non-ND: copied after the 8-byte header. */
  payload?: Uint8Array;
}

/**
 * Writes an ICMPv6 message (header, ND body and options, or payload). With
 * `pseudo` (the IPv6 source/destination) the checksum is computed; otherwise
 * it is left 0 (see `icmp6SetChecksum`). Returns bytes written.
 */
export function writeIcmp6(buf: Uint8Array, off: number, h: Icmp6Write, pseudo?: IpPseudoHeader): number {
  buf[off] = h.type & 0xff;
  buf[off + 1] = h.code & 0xff;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  const start = ndOptionsStart(h.type);
  let len: number;
  if (start !== 0) {
    buf.fill(0, off + 4, off + start);
    if (h.type === ND_ROUTER_ADVERT) {
      buf[off + 4] = h.curHopLimit ?? 0;
      buf[off + 5] = h.flags ?? 0;
      const rl = h.routerLifetime ?? 0;
      buf[off + 6] = (rl >>> 8) & 0xff;
      buf[off + 7] = rl & 0xff;
      writeU32(buf, off + 8, h.reachableTime ?? 0);
      writeU32(buf, off + 12, h.retransTimer ?? 0);
    } else if (h.type === ND_NEIGHBOR_ADVERT) {
      buf[off + 4] = h.flags ?? 0;
    }
    if (start >= 24) writeIpv6Addr(buf, off + 8, h.target ?? '::');
    if (h.type === ND_REDIRECT) writeIpv6Addr(buf, off + 24, h.destination ?? '::');
    len = start + writeNdOptions(buf, off + start, h.options ?? []);
  } else {
    let rest = 0;
    if (h.id !== undefined || h.seq !== undefined) rest = (((h.id ?? 0) & 0xffff) << 16 | ((h.seq ?? 0) & 0xffff)) >>> 0;
    else if (h.mtu !== undefined) rest = h.mtu >>> 0;
    else if (h.pointer !== undefined) rest = h.pointer >>> 0;
    writeU32(buf, off + 4, rest);
    let plen = h.payloadLength ?? 0;
    if (h.payload) {
      buf.set(h.payload, off + ICMP6_HEADER_LEN);
      plen = h.payload.length;
    }
    len = ICMP6_HEADER_LEN + plen;
  }
  if (pseudo !== undefined) icmp6SetChecksum(buf, off, len, pseudoHeaderSum(pseudo, IP_PROTO_ICMPV6, len));
  return len;
}

/** Computes and stores the checksum given the full pseudo-header sum (length included). */
export function icmp6SetChecksum(b: Uint8Array, off: number, len: number, pseudoSum: number): void {
  b[off + 2] = 0;
  b[off + 3] = 0;
  const c = transportChecksum(b, off, len, pseudoSum);
  b[off + 2] = c >>> 8;
  b[off + 3] = c & 0xff;
}
