// VRRP packets: advertisements (RFC 3768 section 5 for VRRPv2, RFC 5798
// section 5 for VRRPv3), the gratuitous ARP and unsolicited NA a new master
// sends, and the checks a received advertisement must pass (RFC 3768 7.1,
// RFC 5798 7.1).

import { writeIpv4Header } from '../packet/ipv4.js';
import { checksumAdd, checksumFold, pseudoHeaderSumFromIpv4, pseudoHeaderSumFromIpv6 } from '../packet/checksum.js';
import { writeU32 } from '../packet/addr.js';
import { icmp6Checksum, writeIp6Header } from '../nodes/icmp6.js';

export const IPPROTO_VRRP = 112;
/** 224.0.0.18 (RFC 3768 5.2.2) and ff02::12 (RFC 5798 5.1.2.2), and their Ethernet group addresses. */
export const VRRP_GROUP4 = 0xe0000012;
export const VRRP_GROUP6 = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12);
const MAC_GROUP4 = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x12);
const MAC_GROUP6 = Uint8Array.of(0x33, 0x33, 0x00, 0x00, 0x00, 0x12);
const ALL_NODES = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
const MAC_ALL_NODES = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** TTL / hop limit of every VRRP packet; a received one with any other is discarded (RFC 3768 7.1, RFC 5798 7.1). */
export const VRRP_TTL = 255;
/** IPv4 TOS of advertisements: precedence 6, internetwork control (as routers send their control traffic). */
export const VRRP_TOS = 0xc0;
/** VRRPv2's authentication data (8 bytes, all zero: no authentication, RFC 3768 5.3.10). */
const V2_AUTH_LEN = 8;

/** The virtual router MAC: 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6), RFC 3768 7.3 / RFC 5798 7.3. */
export function virtualMac(family: 4 | 6, vrid: number): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid);
}

/** fe80::200:5eff:fe00:2NN: the EUI-64 link-local address of the IPv6 virtual MAC (the default virtual link-local). */
export function virtualLinkLocal(vrid: number): Uint8Array {
  return Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x02, vrid);
}

/** What an advertisement says. */
export interface AdvertFields {
  version: 2 | 3;
  vrid: number;
  priority: number;
  /** VRRPv2: Adver Int in seconds; VRRPv3: Max Adver Int in centiseconds (12 bits). */
  interval: number;
  /** IPv4 addresses as uint32, or IPv6 addresses (16 bytes each). */
  addrs4: readonly number[];
  addrs6: readonly Uint8Array[];
}

/** Bytes of the VRRP message (no IP header). */
export function vrrpLength(f: AdvertFields): number {
  return 8 + f.addrs4.length * 4 + f.addrs6.length * 16 + (f.version === 2 ? V2_AUTH_LEN : 0);
}

/** Writes the VRRP message at `o` with its checksum zero; returns its length. */
function writeVrrp(d: Uint8Array, o: number, f: AdvertFields): number {
  d[o] = (f.version << 4) | 1; // type 1: ADVERTISEMENT
  d[o + 1] = f.vrid;
  d[o + 2] = f.priority;
  d[o + 3] = f.addrs4.length + f.addrs6.length;
  if (f.version === 2) {
    d[o + 4] = 0; // auth type 0: none
    d[o + 5] = f.interval;
  } else {
    d[o + 4] = (f.interval >> 8) & 0x0f; // 4 reserved bits, then Max Adver Int
    d[o + 5] = f.interval & 0xff;
  }
  d[o + 6] = 0;
  d[o + 7] = 0;
  let p = o + 8;
  for (const a of f.addrs4) {
    writeU32(d, p, a);
    p += 4;
  }
  for (const a of f.addrs6) {
    d.set(a, p);
    p += 16;
  }
  if (f.version === 2) {
    d.fill(0, p, p + V2_AUTH_LEN);
    p += V2_AUTH_LEN;
  }
  return p - o;
}

/**
 * An IPv4 advertisement in an Ethernet frame at `o`: destination
 * 01:00:5e:00:00:12, source the virtual MAC, then `l2` (the IFL's VLAN tags
 * and ethertype, as DeviceRt.l2Header writes them from byte 12). VRRPv2's
 * checksum covers the VRRP message (RFC 3768 5.3.8); VRRPv3's adds the
 * pseudo-header (RFC 5798 5.2.8). Returns the frame's length.
 */
export function writeAdvert4(d: Uint8Array, o: number, l2: Uint8Array, vmac: Uint8Array, src: number, ident: number, f: AdvertFields): number {
  d.set(l2, o);
  d.set(MAC_GROUP4, o);
  d.set(vmac, o + 6);
  const ip = o + l2.length;
  const v = ip + 20;
  const vlen = writeVrrp(d, v, f);
  const total = 20 + vlen;
  writeIpv4Header(d, ip, VRRP_TOS, total, ident, 0, VRRP_TTL, IPPROTO_VRRP, src, VRRP_GROUP4);
  const pseudo = f.version === 3 ? pseudoHeaderSumFromIpv4(d, ip, IPPROTO_VRRP, vlen) : 0;
  const c = ~checksumFold(checksumAdd(d, v, vlen, pseudo)) & 0xffff;
  d[v + 6] = c >> 8;
  d[v + 7] = c & 0xff;
  return l2.length + total;
}

/** An IPv6 (VRRPv3) advertisement to ff02::12 from the IFL's link-local address `src`; returns the frame's length. */
export function writeAdvert6(d: Uint8Array, o: number, l2: Uint8Array, vmac: Uint8Array, src: Uint8Array, f: AdvertFields): number {
  d.set(l2, o);
  d.set(MAC_GROUP6, o);
  d.set(vmac, o + 6);
  const ip = o + l2.length;
  const v = ip + 40;
  const vlen = writeVrrp(d, v, f);
  writeIp6Header(d, ip, vlen, IPPROTO_VRRP, VRRP_TTL, src, 0, VRRP_GROUP6, 0);
  const c = ~checksumFold(checksumAdd(d, v, vlen, pseudoHeaderSumFromIpv6(d, ip, IPPROTO_VRRP, vlen))) & 0xffff;
  d[v + 6] = c >> 8;
  d[v + 7] = c & 0xff;
  return l2.length + 40 + vlen;
}

/** A gratuitous ARP request for `vip` from the virtual MAC, broadcast (RFC 3768 6.4.1). Returns the frame's length. */
export function writeGratuitousArp(d: Uint8Array, o: number, l2: Uint8Array, vmac: Uint8Array, vip: number): number {
  d.set(l2, o);
  d.set(BROADCAST, o);
  d.set(vmac, o + 6);
  const p = o + l2.length;
  d.set([0, 1, 0x08, 0, 6, 4, 0, 1], p);
  d.set(vmac, p + 8);
  writeU32(d, p + 14, vip);
  d.fill(0, p + 18, p + 24);
  writeU32(d, p + 24, vip);
  return l2.length + 28;
}

/**
 * An unsolicited neighbour advertisement for `vip` to all nodes, router and
 * override flags set, solicited clear, target link-layer address the virtual
 * MAC (RFC 5798 6.4.1). From the IFL's link-local address `src`.
 */
export function writeUnsolicitedNa(d: Uint8Array, o: number, l2: Uint8Array, vmac: Uint8Array, src: Uint8Array, vip: Uint8Array): number {
  d.set(l2, o);
  d.set(MAC_ALL_NODES, o);
  d.set(vmac, o + 6);
  const ip = o + l2.length;
  writeIp6Header(d, ip, 32, 58, VRRP_TTL, src, 0, ALL_NODES, 0);
  const q = ip + 40;
  d.fill(0, q, q + 8);
  d[q] = 136;
  d[q + 4] = 0x80 | 0x20; // router, override
  d.set(vip, q + 8);
  d[q + 24] = 2; // target link-layer address option
  d[q + 25] = 1;
  d.set(vmac, q + 26);
  icmp6Checksum(d, ip);
  return l2.length + 72;
}

/** Why a received advertisement is discarded (RFC 3768 7.1, RFC 5798 7.1), as drop reasons; 0: valid. */
export const ADVERT_ERRORS = ['', 'vrrp_bad_ttl', 'vrrp_truncated', 'vrrp_bad_version', 'vrrp_bad_checksum', 'vrrp_unknown_group'] as const;
export const ADVERT_OK = 0;
export const ADVERT_BAD_TTL = 1;
export const ADVERT_TRUNCATED = 2;
export const ADVERT_BAD_VERSION = 3;
export const ADVERT_BAD_CHECKSUM = 4;
export const ADVERT_UNKNOWN_GROUP = 5;

/**
 * Checks the advertisement in the IP packet at `l3` (IPv4 when `family` is
 * 4): TTL/hop limit 255, type 1, version 2 or 3 (2 only over IPv4), length
 * for its address count, checksum. Returns an ADVERT_* code; the VRID is
 * d[vrrp + 1] for the caller's group lookup.
 */
export function checkAdvert(d: Uint8Array, l3: number, end: number, family: 4 | 6): number {
  let v: number;
  let plen: number;
  if (family === 4) {
    if (d[l3 + 8] !== VRRP_TTL) return ADVERT_BAD_TTL;
    v = l3 + ((d[l3] & 15) << 2);
    plen = end - v;
  } else {
    if (d[l3 + 7] !== VRRP_TTL) return ADVERT_BAD_TTL;
    v = l3 + 40;
    plen = end - v;
  }
  if (plen < 8) return ADVERT_TRUNCATED;
  const version = d[v] >> 4;
  if ((d[v] & 15) !== 1 || (version !== 2 && version !== 3) || (version === 2 && family === 6)) return ADVERT_BAD_VERSION;
  const need = 8 + d[v + 3] * (family === 4 ? 4 : 16) + (version === 2 ? V2_AUTH_LEN : 0);
  if (plen < need) return ADVERT_TRUNCATED;
  const pseudo = version === 2 ? 0 : family === 4 ? pseudoHeaderSumFromIpv4(d, l3, IPPROTO_VRRP, plen) : pseudoHeaderSumFromIpv6(d, l3, IPPROTO_VRRP, plen);
  if (checksumFold(checksumAdd(d, v, plen, pseudo)) !== 0xffff) return ADVERT_BAD_CHECKSUM;
  return ADVERT_OK;
}
