/**
 * MAC, IPv4 and IPv6 address text <-> bytes/uint32. These parsers are for
 * configuration and test time: they throw on invalid text. The formatters are
 * used by decoders and by `parseX` result objects (off the hot path).
 */

const HEX = '0123456789abcdef';

function hex2(v: number): string {
  return HEX[(v >>> 4) & 0xf]! + HEX[v & 0xf]!;
}

/** "aa:bb:cc:dd:ee:ff" (also "-" separated) -> 6 bytes. Throws on invalid text. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`invalid MAC address "${text}"`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new Error(`invalid MAC address "${text}"`);
    out[i] = parseInt(p, 16);
  }
  return out;
}

/** 6 bytes at `off` -> "aa:bb:cc:dd:ee:ff" (lower case). */
export function formatMac(b: Uint8Array, off = 0): string {
  let s = hex2(b[off]!);
  for (let i = 1; i < 6; i++) s += ':' + hex2(b[off + i]!);
  return s;
}

/** Copies a MAC (text or 6 bytes) into `b` at `off`. */
export function writeMac(b: Uint8Array, off: number, mac: string | Uint8Array): void {
  b.set(typeof mac === 'string' ? parseMac(mac) : mac.subarray(0, 6), off);
}

/** Dotted quad -> uint32 (host number, big-endian meaning). Throws on invalid text. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${text}"`);
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) throw new Error(`invalid IPv4 address "${text}"`);
    const n = Number(p);
    if (n > 255) throw new Error(`invalid IPv4 address "${text}"`);
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** uint32 -> dotted quad. */
export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** Reads a big-endian uint32 at `off`. */
export function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Writes a big-endian uint32 at `off`. */
export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Reads a big-endian uint16 at `off`. */
export function readU16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Writes a big-endian uint16 at `off`. */
export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** Accepts an IPv4 address as text or uint32 and returns the uint32. */
export function ipv4Value(a: string | number): number {
  return typeof a === 'number' ? a >>> 0 : parseIpv4(a);
}

/**
 * IPv6 text -> 16 bytes. Handles "::" compression and an embedded dotted quad
 * in the last 32 bits ("::ffff:1.2.3.4", "64:ff9b::192.0.2.1"). Zone ids
 * ("%eth0") are rejected. Throws on invalid text.
 */
export function parseIpv6(text: string): Uint8Array {
  const bad = (): Error => new Error(`invalid IPv6 address "${text}"`);
  if (text.length === 0 || text.length > 45) throw bad();
  const out = new Uint8Array(16);
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) throw bad();
  const head = dbl === -1 ? text : text.slice(0, dbl);
  const tail = dbl === -1 ? '' : text.slice(dbl + 2);
  const toWords = (part: string, allowV4: boolean): number[] => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v = parseIpv4(g);
        words.push(v >>> 16, v & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
        words.push(parseInt(g, 16));
      }
    }
    return words;
  };
  let hw: number[];
  let tw: number[];
  try {
    hw = toWords(head, dbl === -1);
    tw = toWords(tail, true);
  } catch {
    throw bad();
  }
  if (dbl === -1) {
    if (hw.length !== 8) throw bad();
  } else if (hw.length + tw.length > 7) {
    throw bad();
  }
  const words = new Array<number>(8).fill(0);
  for (let i = 0; i < hw.length; i++) words[i] = hw[i]!;
  for (let i = 0; i < tw.length; i++) words[8 - tw.length + i] = tw[i]!;
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >>> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/**
 * 16 bytes at `off` -> RFC 5952 text: lower case, leading zeros dropped, the
 * longest run (first on ties) of two or more zero groups replaced with "::",
 * and IPv4-mapped addresses (::ffff:0:0/96) shown with a dotted quad.
 */
export function formatIpv6(b: Uint8Array, off = 0): string {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      const len = i - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped: ::ffff:a.b.c.d (RFC 5952 section 5).
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) mapped = false;
  if (mapped && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += (((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!)).toString(16);
  }
  return s;
}

/** Copies an IPv6 address (text or 16 bytes) into `b` at `off`. */
export function writeIpv6Addr(b: Uint8Array, off: number, a: string | Uint8Array): void {
  b.set(typeof a === 'string' ? parseIpv6(a) : a.subarray(0, 16), off);
}

/** Lower-case hex of a byte range (for nonces, SPIs in decoders, ...). */
export function formatHex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += hex2(b[off + i]!);
  return s;
}
