/**
 * IPv6 (RFC 8200): fixed header accessors, validation and the extension
 * header walk (hop-by-hop 0, routing 43, fragment 44, destination options 60,
 * AH 51). The walk stops at ESP (50), no-next-header (59) and any other
 * (upper-layer) protocol.
 */
import { formatIpv6, readU32, writeIpv6Addr, writeU32 } from './addr.js';
import {
  IP_PROTO_AH, IP_PROTO_DSTOPTS, IP_PROTO_FRAGMENT, IP_PROTO_HOPOPT, IP_PROTO_ROUTING,
} from './ipv4.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const IPV6_HEADER_LEN = 40;
export const IPV6_VERSION = 6;
export const IPV6_SRC_OFFSET = 8;
export const IPV6_DST_OFFSET = 24;
export const IPV6_FRAGMENT_HEADER_LEN = 8;
/** Chains longer than this are `ipv6_bad_extension_header`. */
export const IPV6_MAX_EXTENSIONS = 16;

export const IPV6_OK = 0;
export const IPV6_TRUNCATED = 1;
export const IPV6_BAD_VERSION = 2;
export const IPV6_BAD_PAYLOAD_LENGTH = 3;
export const IPV6_BAD_EXTENSION_HEADER = 4;
/** Error code -> drop-reason counter name. */
export const IPV6_ERRORS = [
  'ok', 'ipv6_truncated', 'ipv6_bad_version', 'ipv6_bad_payload_length', 'ipv6_bad_extension_header',
] as const;

export function ipv6Version(b: Uint8Array, off: number): number {
  return b[off]! >>> 4;
}
export function ipv6TrafficClass(b: Uint8Array, off: number): number {
  return ((b[off]! & 0x0f) << 4) | (b[off + 1]! >>> 4);
}
export function ipv6FlowLabel(b: Uint8Array, off: number): number {
  return ((b[off + 1]! & 0x0f) << 16) | (b[off + 2]! << 8) | b[off + 3]!;
}
export function ipv6PayloadLen(b: Uint8Array, off: number): number {
  return (b[off + 4]! << 8) | b[off + 5]!;
}
export function ipv6NextHeader(b: Uint8Array, off: number): number {
  return b[off + 6]!;
}
export function ipv6HopLimit(b: Uint8Array, off: number): number {
  return b[off + 7]!;
}
/** Decrements the hop limit (no checksum in IPv6); returns the new value. */
export function ipv6DecrementHopLimit(b: Uint8Array, off: number): number {
  const h = (b[off + 7]! - 1) & 0xff;
  b[off + 7] = h;
  return h;
}
/** True if the destination address is multicast (ff00::/8). */
export function ipv6DstIsMulticast(b: Uint8Array, off: number): boolean {
  return b[off + IPV6_DST_OFFSET] === 0xff;
}

/** True if `nh` is an extension header the walk steps over. */
export function isIpv6Extension(nh: number): boolean {
  return nh === IP_PROTO_HOPOPT || nh === IP_PROTO_ROUTING || nh === IP_PROTO_FRAGMENT
    || nh === IP_PROTO_DSTOPTS || nh === IP_PROTO_AH;
}

/**
 * Hot-path validator of the fixed header: version, and 40 + payload length
 * <= len (`len` may include Ethernet padding). Returns an IPV6_* code.
 */
export function checkIpv6(b: Uint8Array, off: number, len: number): number {
  if (len < IPV6_HEADER_LEN) return IPV6_TRUNCATED;
  if (b[off]! >>> 4 !== IPV6_VERSION) return IPV6_BAD_VERSION;
  if (IPV6_HEADER_LEN + ipv6PayloadLen(b, off) > len) return IPV6_BAD_PAYLOAD_LENGTH;
  return IPV6_OK;
}

/** Indices into the scratch array filled by `ipv6WalkExtensions`. */
export const IPV6_OUT_PROTOCOL = 0;
export const IPV6_OUT_OFFSET = 1;
/** Fragment offset in bytes, or -1 if there is no fragment header. */
export const IPV6_OUT_FRAG_OFFSET = 2;
/** 1 if the M (more fragments) flag is set. */
export const IPV6_OUT_FRAG_MORE = 3;
/** Fragment identification (as int32; `>>> 0` to read it unsigned). */
export const IPV6_OUT_FRAG_ID = 4;
/** Number of extension headers walked. */
export const IPV6_OUT_EXT_COUNT = 5;
/** Offset of the byte holding the last next-header value (for rewriting). */
export const IPV6_OUT_NEXT_HEADER_OFFSET = 6;
export const IPV6_OUT_LEN = 7;

/**
 * Walks the extension headers of the IPv6 packet at `off` (whose fixed header
 * is already checked). `len` bounds the walk (use 40 + payload length).
 * Writes into `out` (length >= IPV6_OUT_LEN) the upper-layer protocol, its
 * absolute offset, and fragment information. After a fragment header with a
 * non-zero offset the walk stops: the "upper layer" there is a fragment body.
 * Returns IPV6_OK, IPV6_TRUNCATED or IPV6_BAD_EXTENSION_HEADER (hop-by-hop not
 * first, AH length too small, chain too long or running past `len`).
 */
export function ipv6WalkExtensions(b: Uint8Array, off: number, len: number, out: Int32Array): number {
  if (len < IPV6_HEADER_LEN) return IPV6_TRUNCATED;
  const end = off + len;
  let nh = b[off + 6]!;
  let nhOff = off + 6;
  let p = off + IPV6_HEADER_LEN;
  let n = 0;
  out[IPV6_OUT_FRAG_OFFSET] = -1;
  out[IPV6_OUT_FRAG_MORE] = 0;
  out[IPV6_OUT_FRAG_ID] = 0;
  while (isIpv6Extension(nh)) {
    if (n === IPV6_MAX_EXTENSIONS) return IPV6_BAD_EXTENSION_HEADER;
    if (nh === IP_PROTO_HOPOPT && n !== 0) return IPV6_BAD_EXTENSION_HEADER;
    if (p + 8 > end) return IPV6_BAD_EXTENSION_HEADER;
    let hlen: number;
    if (nh === IP_PROTO_FRAGMENT) {
      hlen = IPV6_FRAGMENT_HEADER_LEN;
      const fo = (b[p + 2]! << 8) | b[p + 3]!;
      out[IPV6_OUT_FRAG_OFFSET] = fo & 0xfff8;
      out[IPV6_OUT_FRAG_MORE] = fo & 1;
      out[IPV6_OUT_FRAG_ID] = readU32(b, p + 4) | 0;
    } else if (nh === IP_PROTO_AH) {
      if (b[p + 1]! < 1) return IPV6_BAD_EXTENSION_HEADER;
      hlen = (b[p + 1]! + 2) << 2;
    } else {
      hlen = (b[p + 1]! + 1) << 3;
    }
    if (p + hlen > end) return IPV6_BAD_EXTENSION_HEADER;
    nhOff = p;
    nh = b[p]!;
    p += hlen;
    n++;
    if (out[IPV6_OUT_FRAG_OFFSET]! > 0) break;
  }
  out[IPV6_OUT_PROTOCOL] = nh;
  out[IPV6_OUT_OFFSET] = p;
  out[IPV6_OUT_EXT_COUNT] = n;
  out[IPV6_OUT_NEXT_HEADER_OFFSET] = nhOff;
  return IPV6_OK;
}

export interface Ipv6Extension {
  type: number;
  /** Offset of the extension header relative to the IPv6 header. */
  offset: number;
  length: number;
  /** Body after next-header and length bytes (options, routing data, AH SPI..ICV). Not for fragment. */
  data?: Uint8Array;
  fragmentOffset?: number;
  moreFragments?: boolean;
  identification?: number;
}

export interface Ipv6Header {
  version: number;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
  extensions: Ipv6Extension[];
  /** Upper-layer protocol after the extension headers (50 for ESP, 59 for none). */
  upperProtocol: number;
  /** Upper-layer offset relative to the IPv6 header. */
  upperOffset: number;
}

export function parseIpv6(b: Uint8Array, off: number, len: number): ParseResult<Ipv6Header> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'ipv6_truncated' };
  const code = checkIpv6(b, off, len);
  if (code !== IPV6_OK) return { ok: false, error: IPV6_ERRORS[code] };
  const plen = ipv6PayloadLen(b, off);
  const out = new Int32Array(IPV6_OUT_LEN);
  const wcode = ipv6WalkExtensions(b, off, IPV6_HEADER_LEN + plen, out);
  if (wcode !== IPV6_OK) return { ok: false, error: IPV6_ERRORS[wcode] };
  const extensions: Ipv6Extension[] = [];
  let nh = ipv6NextHeader(b, off);
  let p = off + IPV6_HEADER_LEN;
  for (let i = 0; i < out[IPV6_OUT_EXT_COUNT]!; i++) {
    const next = b[p]!;
    if (nh === IP_PROTO_FRAGMENT) {
      const fo = (b[p + 2]! << 8) | b[p + 3]!;
      extensions.push({
        type: nh, offset: p - off, length: 8,
        fragmentOffset: fo & 0xfff8, moreFragments: (fo & 1) === 1, identification: readU32(b, p + 4),
      });
      p += 8;
    } else {
      const hlen = nh === IP_PROTO_AH ? (b[p + 1]! + 2) << 2 : (b[p + 1]! + 1) << 3;
      extensions.push({ type: nh, offset: p - off, length: hlen, data: b.slice(p + 2, p + hlen) });
      p += hlen;
    }
    nh = next;
  }
  return {
    ok: true,
    value: {
      version: 6,
      trafficClass: ipv6TrafficClass(b, off),
      flowLabel: ipv6FlowLabel(b, off),
      payloadLength: plen,
      nextHeader: ipv6NextHeader(b, off),
      hopLimit: ipv6HopLimit(b, off),
      src: formatIpv6(b, off + IPV6_SRC_OFFSET),
      dst: formatIpv6(b, off + IPV6_DST_OFFSET),
      extensions,
      upperProtocol: out[IPV6_OUT_PROTOCOL]!,
      upperOffset: out[IPV6_OUT_OFFSET]! - off,
    },
  };
}

export interface Ipv6ExtensionWrite {
  type: number;
  /**
   * Body after the next-header and length bytes. Hop-by-hop/destination
   * options/routing: 6 + 8k bytes; AH: 2 reserved + SPI + seq + ICV (10 + 4k, total a multiple of 8 for IPv6).
   * A short options body is padded with PadN/Pad1 to a multiple of 8.
   */
  data?: Uint8Array;
  fragmentOffset?: number;
  moreFragments?: boolean;
  identification?: number;
}

export interface Ipv6Write {
  trafficClass?: number;
  flowLabel?: number;
  /** The payload length field (extension headers + upper layer). */
  payloadLength: number;
  hopLimit: number;
  /** Upper-layer protocol after the extensions (the fixed header's next header if none). */
  nextHeader: number;
  src: string | Uint8Array;
  dst: string | Uint8Array;
  extensions?: readonly Ipv6ExtensionWrite[];
}

function writePadding(buf: Uint8Array, p: number, n: number): void {
  if (n === 1) buf[p] = 0; // Pad1
  else if (n > 1) {
    buf[p] = 1; // PadN
    buf[p + 1] = n - 2;
    buf.fill(0, p + 2, p + n);
  }
}

/** Writes the fixed header and extension headers; returns bytes written (40 + extensions). */
export function writeIpv6(buf: Uint8Array, off: number, h: Ipv6Write): number {
  const tc = h.trafficClass ?? 0;
  const fl = h.flowLabel ?? 0;
  writeU32(buf, off, ((6 << 28) | ((tc & 0xff) << 20) | (fl & 0xfffff)) >>> 0);
  buf[off + 4] = (h.payloadLength >>> 8) & 0xff;
  buf[off + 5] = h.payloadLength & 0xff;
  buf[off + 7] = h.hopLimit & 0xff;
  writeIpv6Addr(buf, off + IPV6_SRC_OFFSET, h.src);
  writeIpv6Addr(buf, off + IPV6_DST_OFFSET, h.dst);
  const exts = h.extensions ?? [];
  let nhOff = off + 6;
  let p = off + IPV6_HEADER_LEN;
  for (const e of exts) {
    buf[nhOff] = e.type;
    nhOff = p;
    if (e.type === IP_PROTO_FRAGMENT) {
      buf[p + 1] = 0;
      const fo = ((e.fragmentOffset ?? 0) & 0xfff8) | (e.moreFragments ? 1 : 0);
      buf[p + 2] = fo >>> 8;
      buf[p + 3] = fo & 0xff;
      writeU32(buf, p + 4, e.identification ?? 0);
      p += 8;
    } else if (e.type === IP_PROTO_AH) {
      const d = e.data ?? new Uint8Array(10);
      const total = 2 + d.length;
      if (total < 12 || total % 4 !== 0) throw new Error('AH length must be a multiple of 4 and at least 12');
      buf[p + 1] = (total >>> 2) - 2;
      buf.set(d, p + 2);
      p += total;
    } else {
      const d = e.data ?? new Uint8Array(0);
      const total = Math.max(8, (2 + d.length + 7) & ~7);
      buf[p + 1] = (total >>> 3) - 1;
      buf.set(d, p + 2);
      if (e.type === IP_PROTO_ROUTING) buf.fill(0, p + 2 + d.length, p + total);
      else writePadding(buf, p + 2 + d.length, total - 2 - d.length);
      p += total;
    }
  }
  buf[nhOff] = h.nextHeader & 0xff;
  return p - off;
}
