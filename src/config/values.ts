// Value checks shared by the Junos and YAML front ends: IP addresses and
// prefixes, MAC addresses, integer ranges, and the MTU rules.
// Each parser returns the value or a message (string) saying what is wrong.

import type { Family } from './model.js';

export interface IpValue {
  family: Family;
  /** The address as a number (IPv4) or bigint (IPv6), for comparisons. */
  value: bigint;
  bits: 32 | 128;
}

/** Junos media MTU range (bytes, Ethernet header included, FCS excluded). */
export const MEDIA_MTU_MIN = 256;
export const MEDIA_MTU_MAX = 9216;
/** Default media MTU of Ethernet IFDs (et-, xe-, ge-, ae, ...): 1500 + 14. */
export const DEFAULT_ETHERNET_MTU = 1514;
export const ETHERNET_HEADER_LEN = 14;
/** Smallest family MTU: RFC 791 (68) and RFC 8200 (1280). */
export const FAMILY_MTU_MIN: Record<Family, number> = { inet: 68, inet6: 1280 };
/** Junos `unit` range for ordinary interfaces. */
export const UNIT_MAX = 16385;

export function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIpv6(s: string): bigint | undefined {
  let tail: bigint | undefined;
  let body = s;
  if (s.includes('.')) {
    const lc = s.lastIndexOf(':');
    if (lc < 0) return undefined;
    tail = parseIpv4(s.slice(lc + 1));
    if (tail === undefined) return undefined;
    body = s.slice(0, lc + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  if (!/^[0-9a-fA-F:]*$/.test(body) || body.includes(':::')) return undefined;
  const want = tail === undefined ? 8 : 6;
  const dbl = body.split('::');
  if (dbl.length > 2) return undefined;
  const head = dbl[0] ? dbl[0].split(':') : [];
  const rest = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  let groups = head;
  if (dbl.length === 2) {
    const fill = want - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...Array<string>(fill).fill('0'), ...rest];
  }
  if (groups.length !== want) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined) v = (v << 32n) | tail;
  return v;
}

export function parseIp(s: string): IpValue | undefined {
  if (s.includes(':')) {
    const v = parseIpv6(s);
    return v === undefined ? undefined : { family: 'inet6', value: v, bits: 128 };
  }
  const v = parseIpv4(s);
  return v === undefined ? undefined : { family: 'inet', value: v, bits: 32 };
}

export function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

/** RFC 5952 text form. */
export function formatIpv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatIp(ip: IpValue): string {
  return ip.family === 'inet' ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

function maskOf(bits: number, len: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return len === 0 ? 0n : all ^ ((1n << BigInt(bits - len)) - 1n);
}

export function sameSubnet(a: IpValue, b: IpValue, len: number): boolean {
  const m = maskOf(a.bits, len);
  return a.family === b.family && (a.value & m) === (b.value & m);
}

export interface AddressValue {
  ip: IpValue;
  /** The address text without the length, as written. */
  address: string;
  prefixLength: number;
}

function parseLength(text: string, bits: number): number | string {
  if (!/^\d{1,3}$/.test(text) || Number(text) > bits) return `prefix length '${text}' is not in 0..${bits}`;
  return Number(text);
}

/** An interface address `10.0.0.1/24` (no length: /32 or /128). */
export function parseInterfaceAddress(text: string, family?: Family): AddressValue | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr);
  if (!ip) return `'${text}' is not a valid ${family === 'inet6' ? 'IPv6' : family === 'inet' ? 'IPv4' : 'IP'} address`;
  if (family && ip.family !== family) return `'${text}' is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address (family ${family})`;
  const len = slash < 0 ? ip.bits : parseLength(text.slice(slash + 1), ip.bits);
  if (typeof len === 'string') return len;
  return { ip, address: addr, prefixLength: len };
}

export interface PrefixValue {
  family: Family;
  /** Canonical text with host bits cleared: "10.0.0.0/8", "2001:db8::/32". */
  prefix: string;
  length: number;
}

/** A route prefix `10.0.0.0/8`; host bits are cleared (Junos normalizes the same way). */
export function parsePrefix(text: string, family?: Family): PrefixValue | string {
  const a = parseInterfaceAddress(text, family);
  if (typeof a === 'string') return a.replace(/ address/, ' prefix');
  const net: IpValue = { ...a.ip, value: a.ip.value & maskOf(a.ip.bits, a.prefixLength) };
  return { family: a.ip.family, prefix: `${formatIp(net)}/${a.prefixLength}`, length: a.prefixLength };
}

/** MAC address: `00:11:22:33:44:55`, `00-11-22-33-44-55` or `0011.2233.4455` → lower-case colon form. */
export function parseMac(text: string): string | undefined {
  let hex: string | undefined;
  if (/^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2}){5}$/.test(text)) {
    hex = text
      .split(/[:-]/)
      .map((b) => b.padStart(2, '0'))
      .join('');
  } else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) {
    hex = text.replace(/\./g, '');
  }
  return hex?.toLowerCase().match(/../g)!.join(':');
}

/** A decimal integer in lo..hi, or undefined. */
export function parseIntIn(text: string, lo: number, hi: number): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= lo && n <= hi ? n : undefined;
}

/** IFDs whose default media MTU is Ethernet's 1514. */
export function isEthernetIfd(name: string): boolean {
  return /^(et|xe|ge|fe|mge|ae|eth|ens|enp|eno|em|fxp|irb|reth)/.test(name) && !/^(lo|st|si)/.test(name);
}

/** Route distinguisher: `65000:1`, `4200000000L:1`, `192.0.2.1:1`. */
export function isRouteDistinguisher(text: string): boolean {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) return false;
  const [, admin, num] = m;
  if (parseIpv4(admin!) !== undefined) return Number(num) <= 0xffff;
  const asn = admin!.replace(/L$/, '');
  if (!/^\d+$/.test(asn)) return false;
  const big = admin!.endsWith('L') || Number(asn) > 0xffff;
  return Number(asn) <= 0xffffffff && Number(num) <= (big ? 0xffff : 0xffffffff);
}
