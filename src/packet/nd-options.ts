/**
 * Neighbor Discovery options (RFC 4861 section 4.6 and later): source/target
 * link-layer address (1/2), prefix information (3), redirected header (4),
 * MTU (5), nonce (14, RFC 3971), RDNSS (25) and DNSSL (31) (RFC 8106), PREF64
 * (38, RFC 8781). Unknown options are skipped by their length; a length of 0
 * (or an option running past the message) is malformed.
 */
import { formatIpv6, formatMac, readU32, writeIpv6Addr, writeMac, writeU32 } from './addr.js';

export const ND_OPT_SOURCE_LINK_ADDR = 1;
export const ND_OPT_TARGET_LINK_ADDR = 2;
export const ND_OPT_PREFIX_INFO = 3;
export const ND_OPT_REDIRECTED_HEADER = 4;
export const ND_OPT_MTU = 5;
export const ND_OPT_NONCE = 14;
export const ND_OPT_ROUTE_INFO = 24;
export const ND_OPT_RDNSS = 25;
export const ND_OPT_DNSSL = 31;
export const ND_OPT_PREF64 = 38;

export const ND_PREFIX_FLAG_ONLINK = 0x80;
export const ND_PREFIX_FLAG_AUTO = 0x40;
export const ND_PREFIX_FLAG_ROUTER = 0x20;

/** PREF64 prefix length code (PLC) -> prefix length (RFC 8781 section 4). */
export const PREF64_PLC_LENGTHS = [96, 64, 56, 48, 40, 32] as const;

/**
 * Validates the option area `[p, end)`: every option has a non-zero length
 * that fits, and the options this module understands have a sane length.
 * Returns true if well formed. Allocation-free.
 */
export function ndOptionsValid(b: Uint8Array, p: number, end: number): boolean {
  while (p < end) {
    if (p + 2 > end) return false;
    const t = b[p]!;
    const l = b[p + 1]! << 3;
    if (l === 0 || p + l > end) return false;
    switch (t) {
      case ND_OPT_PREFIX_INFO: if (l !== 32) return false; break;
      case ND_OPT_MTU: if (l !== 8) return false; break;
      case ND_OPT_RDNSS: if (l < 24 || ((l - 8) & 15) !== 0) return false; break;
      case ND_OPT_DNSSL: if (l < 16) return false; break;
      case ND_OPT_PREF64: if (l !== 16 || (b[p + 3]! & 7) > 5) return false; break;
      default: break;
    }
    p += l;
  }
  return true;
}

/** Offset of the first option of `type` in `[p, end)`, or -1. Assumes `ndOptionsValid`. */
export function ndFindOption(b: Uint8Array, p: number, end: number, type: number): number {
  while (p + 2 <= end) {
    const l = b[p + 1]! << 3;
    if (l === 0) return -1;
    if (b[p] === type) return p + l <= end ? p : -1;
    p += l;
  }
  return -1;
}

export interface NdOption {
  type: number;
  /** Total length in bytes (the length field times 8); filled in by parse, ignored by write. */
  length?: number;
  /** Types 1 and 2. */
  linkLayerAddress?: string;
  /** Type 3 (prefix length also for 38). */
  prefixLength?: number;
  /** Type 3 flag byte (L 0x80, A 0x40, R 0x20). */
  flags?: number;
  validLifetime?: number;
  preferredLifetime?: number;
  /** Types 3 and 38. */
  prefix?: string;
  /** Type 4: the quoted IP packet (after the 8-byte option header, padding included). */
  redirectedPacket?: Uint8Array;
  /** Type 5. */
  mtu?: number;
  /** Type 14. */
  nonce?: Uint8Array;
  /** Types 25 and 31 (seconds). */
  lifetime?: number;
  /** Type 25. */
  addresses?: string[];
  /** Type 31, each without the trailing dot. */
  domains?: string[];
  /** Type 38: scaled lifetime in units of 8 seconds. */
  scaledLifetime?: number;
  /** Unknown types: the body after the type and length bytes. */
  data?: Uint8Array;
}

function decodeDomains(b: Uint8Array, p: number, end: number): string[] | null {
  const out: string[] = [];
  while (p < end && b[p] !== 0) {
    const labels: string[] = [];
    for (;;) {
      if (p >= end) return null;
      const l = b[p]!;
      p++;
      if (l === 0) break;
      if (l > 63 || p + l > end) return null;
      labels.push(String.fromCharCode(...b.subarray(p, p + l)));
      p += l;
    }
    out.push(labels.join('.'));
  }
  for (; p < end; p++) if (b[p] !== 0) return null;
  return out;
}

/**
 * Parses the option area `[p, end)` into objects, or returns null if it is
 * malformed (the caller reports `icmp6_bad_nd_option`).
 */
export function parseNdOptions(b: Uint8Array, p: number, end: number): NdOption[] | null {
  if (!ndOptionsValid(b, p, end)) return null;
  const out: NdOption[] = [];
  while (p < end) {
    const type = b[p]!;
    const length = b[p + 1]! << 3;
    const o: NdOption = { type, length };
    switch (type) {
      case ND_OPT_SOURCE_LINK_ADDR:
      case ND_OPT_TARGET_LINK_ADDR:
        if (length === 8) o.linkLayerAddress = formatMac(b, p + 2);
        else o.data = b.slice(p + 2, p + length);
        break;
      case ND_OPT_PREFIX_INFO:
        o.prefixLength = b[p + 2]!;
        o.flags = b[p + 3]!;
        o.validLifetime = readU32(b, p + 4);
        o.preferredLifetime = readU32(b, p + 8);
        o.prefix = formatIpv6(b, p + 16);
        break;
      case ND_OPT_REDIRECTED_HEADER:
        o.redirectedPacket = b.slice(p + 8, p + length);
        break;
      case ND_OPT_MTU:
        o.mtu = readU32(b, p + 4);
        break;
      case ND_OPT_NONCE:
        o.nonce = b.slice(p + 2, p + length);
        break;
      case ND_OPT_RDNSS:
        o.lifetime = readU32(b, p + 4);
        o.addresses = [];
        for (let q = p + 8; q < p + length; q += 16) o.addresses.push(formatIpv6(b, q));
        break;
      case ND_OPT_DNSSL: {
        o.lifetime = readU32(b, p + 4);
        const d = decodeDomains(b, p + 8, p + length);
        if (d === null) return null;
        o.domains = d;
        break;
      }
      case ND_OPT_PREF64: {
        const w = (b[p + 2]! << 8) | b[p + 3]!;
        o.scaledLifetime = w >>> 3;
        o.prefixLength = PREF64_PLC_LENGTHS[w & 7]!;
        const a = new Uint8Array(16);
        a.set(b.subarray(p + 4, p + 16));
        o.prefix = formatIpv6(a, 0);
        break;
      }
      default:
        o.data = b.slice(p + 2, p + length);
    }
    out.push(o);
    p += length;
  }
  return out;
}

function encodeDomains(domains: readonly string[]): number[] {
  const out: number[] = [];
  for (const d of domains) {
    for (const label of d.split('.').filter((s) => s.length > 0)) {
      if (label.length > 63) throw new Error(`DNS label too long: ${label}`);
      out.push(label.length);
      for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i) & 0xff);
    }
    out.push(0);
  }
  return out;
}

/** Writes one option; returns its length in bytes (a multiple of 8). */
export function writeNdOption(buf: Uint8Array, p: number, o: NdOption): number {
  let len: number;
  const body = p + 2;
  switch (o.type) {
    case ND_OPT_SOURCE_LINK_ADDR:
    case ND_OPT_TARGET_LINK_ADDR:
      if (o.linkLayerAddress !== undefined) {
        len = 8;
        writeMac(buf, body, o.linkLayerAddress);
      } else {
        len = writeRaw(buf, p, o.data);
      }
      break;
    case ND_OPT_PREFIX_INFO:
      len = 32;
      buf[body] = o.prefixLength ?? 64;
      buf[body + 1] = o.flags ?? 0;
      writeU32(buf, p + 4, o.validLifetime ?? 0);
      writeU32(buf, p + 8, o.preferredLifetime ?? 0);
      writeU32(buf, p + 12, 0);
      writeIpv6Addr(buf, p + 16, o.prefix ?? '::');
      break;
    case ND_OPT_REDIRECTED_HEADER: {
      const d = o.redirectedPacket ?? new Uint8Array(0);
      len = 8 + ((d.length + 7) & ~7);
      buf.fill(0, body, p + len);
      buf.set(d, p + 8);
      break;
    }
    case ND_OPT_MTU:
      len = 8;
      buf[body] = 0;
      buf[body + 1] = 0;
      writeU32(buf, p + 4, o.mtu ?? 0);
      break;
    case ND_OPT_NONCE:
      len = writeRaw(buf, p, o.nonce);
      break;
    case ND_OPT_RDNSS: {
      const a = o.addresses ?? [];
      len = 8 + 16 * a.length;
      buf[body] = 0;
      buf[body + 1] = 0;
      writeU32(buf, p + 4, o.lifetime ?? 0);
      for (let i = 0; i < a.length; i++) writeIpv6Addr(buf, p + 8 + 16 * i, a[i]!);
      break;
    }
    case ND_OPT_DNSSL: {
      const enc = encodeDomains(o.domains ?? []);
      len = 8 + ((enc.length + 7) & ~7);
      buf.fill(0, body, p + len);
      writeU32(buf, p + 4, o.lifetime ?? 0);
      buf.set(enc, p + 8);
      break;
    }
    case ND_OPT_PREF64: {
      len = 16;
      const plc = PREF64_PLC_LENGTHS.indexOf((o.prefixLength ?? 96) as 96);
      if (plc < 0) throw new Error(`PREF64 prefix length ${o.prefixLength} not in 32/40/48/56/64/96`);
      const w = (((o.scaledLifetime ?? 0) & 0x1fff) << 3) | plc;
      buf[body] = w >>> 8;
      buf[body + 1] = w & 0xff;
      const a = new Uint8Array(16);
      writeIpv6Addr(a, 0, o.prefix ?? '::');
      buf.set(a.subarray(0, 12), p + 4);
      break;
    }
    default:
      len = writeRaw(buf, p, o.data);
  }
  buf[p] = o.type;
  buf[p + 1] = len >>> 3;
  return len;
}

function writeRaw(buf: Uint8Array, p: number, data: Uint8Array | undefined): number {
  const d = data ?? new Uint8Array(0);
  const len = Math.max(8, (2 + d.length + 7) & ~7);
  buf.fill(0, p + 2, p + len);
  buf.set(d, p + 2);
  return len;
}

/** Writes a list of options; returns the total length. */
export function writeNdOptions(buf: Uint8Array, p: number, options: readonly NdOption[]): number {
  let n = 0;
  for (const o of options) n += writeNdOption(buf, p + n, o);
  return n;
}
