/**
 * Ethernet II with 802.1Q / 802.1ad (QinQ) tags. Outer TPIDs accepted:
 * 0x8100 (C-tag), 0x88a8 (S-tag) and 0x9100 (pre-standard QinQ).
 */
import { formatMac, writeMac } from './addr.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const ETHERNET_HEADER_LEN = 14;
export const ETHERNET_ADDR_LEN = 6;
export const VLAN_TAG_LEN = 4;
/** Minimum frame length without FCS (the rest is padding). */
export const ETHERNET_MIN_FRAME_LEN = 60;
/** Tag stacks deeper than this are reported as `ethernet_too_many_vlans`. */
export const ETHERNET_MAX_VLANS = 8;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging (GRE)
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_9100 = 0x9100;

export const ETHERNET_OK = 0;
export const ETHERNET_TRUNCATED = 1;
export const ETHERNET_TOO_MANY_VLANS = 2;
/** Error code -> drop-reason counter name. */
export const ETHERNET_ERRORS = ['ok', 'ethernet_truncated', 'ethernet_too_many_vlans'] as const;

/** True for a TPID that introduces a VLAN tag. */
export function isVlanTpid(t: number): boolean {
  return t === ETHERTYPE_VLAN || t === ETHERTYPE_QINQ || t === ETHERTYPE_QINQ_9100;
}

/** The EtherType/TPID at offset 12 (before any tag is skipped). */
export function ethType(b: Uint8Array, off: number): number {
  return (b[off + 12]! << 8) | b[off + 13]!;
}

/** Offset of the destination MAC (== off). */
export function ethDstOffset(off: number): number {
  return off;
}

/** Offset of the source MAC. */
export function ethSrcOffset(off: number): number {
  return off + 6;
}

/** True if the destination MAC is a group (multicast/broadcast) address. */
export function ethIsMulticast(b: Uint8Array, off: number): boolean {
  return (b[off]! & 1) === 1;
}

/** True if the destination MAC is ff:ff:ff:ff:ff:ff. */
export function ethIsBroadcast(b: Uint8Array, off: number): boolean {
  return (b[off]! & b[off + 1]! & b[off + 2]! & b[off + 3]! & b[off + 4]! & b[off + 5]!) === 0xff;
}

/** Compares the 6-byte MACs at `b[o1]` and `c[o2]`. */
export function macEquals(b: Uint8Array, o1: number, c: Uint8Array, o2: number): boolean {
  return b[o1] === c[o2] && b[o1 + 1] === c[o2 + 1] && b[o1 + 2] === c[o2 + 2]
    && b[o1 + 3] === c[o2 + 3] && b[o1 + 4] === c[o2 + 4] && b[o1 + 5] === c[o2 + 5];
}

/**
 * Writes the VLAN tags of a unit at `o` (none, one 802.1Q tag, or a QinQ pair
 * with an 802.1ad outer tag) and returns the bytes written (0, 4 or 8): what
 * a routed frame's rewrite and a bridged frame's egress both put there.
 */
export function writeUnitTags(b: Uint8Array, o: number, vlanId: number, vlanInner: number): number {
  if (!vlanId) return 0;
  const tpid = vlanInner ? ETHERTYPE_QINQ : ETHERTYPE_VLAN;
  b[o] = tpid >> 8;
  b[o + 1] = tpid & 0xff;
  b[o + 2] = vlanId >> 8;
  b[o + 3] = vlanId & 0xff;
  if (!vlanInner) return VLAN_TAG_LEN;
  b[o + 4] = ETHERTYPE_VLAN >> 8;
  b[o + 5] = ETHERTYPE_VLAN & 0xff;
  b[o + 6] = vlanInner >> 8;
  b[o + 7] = vlanInner & 0xff;
  return 2 * VLAN_TAG_LEN;
}

/** VLAN id (12 bits) of the tag whose TCI starts at `tciOff`. */
export function vlanId(b: Uint8Array, tciOff: number): number {
  return ((b[tciOff]! << 8) | b[tciOff + 1]!) & 0x0fff;
}

/** Indices into the scratch array filled by `ethernetWalkTags`. */
export const ETH_OUT_ETHERTYPE = 0;
export const ETH_OUT_PAYLOAD_OFFSET = 1;
export const ETH_OUT_VLAN_COUNT = 2;
export const ETH_OUT_OUTER_VID = 3;
export const ETH_OUT_INNER_VID = 4;
export const ETH_OUT_OUTER_TPID = 5;
/** Minimum length of the scratch array for `ethernetWalkTags`. */
export const ETH_OUT_LEN = 6;

/**
 * Hot-path walk over the tag stack: writes the final EtherType, the payload
 * offset (absolute), the tag count, outer/inner VLAN id (-1 if absent) and
 * the outer TPID (0 if untagged) into `out`. Returns an ETHERNET_* code.
 */
export function ethernetWalkTags(b: Uint8Array, off: number, len: number, out: Int32Array): number {
  if (len < ETHERNET_HEADER_LEN) return ETHERNET_TRUNCATED;
  let p = off + 12;
  const end = off + len;
  let t = (b[p]! << 8) | b[p + 1]!;
  let n = 0;
  out[ETH_OUT_OUTER_VID] = -1;
  out[ETH_OUT_INNER_VID] = -1;
  out[ETH_OUT_OUTER_TPID] = isVlanTpid(t) ? t : 0;
  while (isVlanTpid(t)) {
    if (n === ETHERNET_MAX_VLANS) return ETHERNET_TOO_MANY_VLANS;
    if (p + 6 > end) return ETHERNET_TRUNCATED;
    const vid = ((b[p + 2]! << 8) | b[p + 3]!) & 0x0fff;
    if (n === 0) out[ETH_OUT_OUTER_VID] = vid;
    else if (n === 1) out[ETH_OUT_INNER_VID] = vid;
    n++;
    p += 4;
    t = (b[p]! << 8) | b[p + 1]!;
  }
  out[ETH_OUT_ETHERTYPE] = t;
  out[ETH_OUT_PAYLOAD_OFFSET] = p + 2;
  out[ETH_OUT_VLAN_COUNT] = n;
  return ETHERNET_OK;
}

export interface VlanTag {
  tpid: number;
  /** Priority code point (3 bits). */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  vid: number;
}

export interface EthernetHeader {
  dst: string;
  src: string;
  /** Outermost first. */
  vlans: VlanTag[];
  etherType: number;
  /** Bytes from `off` to the payload (14 + 4 per tag). */
  headerLen: number;
}

export function parseEthernet(b: Uint8Array, off: number, len: number): ParseResult<EthernetHeader> {
  if (!rangeOk(b, off, len) || len < ETHERNET_HEADER_LEN) return { ok: false, error: 'ethernet_truncated' };
  const vlans: VlanTag[] = [];
  let p = off + 12;
  let t = (b[p]! << 8) | b[p + 1]!;
  while (isVlanTpid(t)) {
    if (vlans.length === ETHERNET_MAX_VLANS) return { ok: false, error: 'ethernet_too_many_vlans' };
    if (p + 6 > off + len) return { ok: false, error: 'ethernet_truncated' };
    const tci = (b[p + 2]! << 8) | b[p + 3]!;
    vlans.push({ tpid: t, pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff });
    p += 4;
    t = (b[p]! << 8) | b[p + 1]!;
  }
  return {
    ok: true,
    value: { dst: formatMac(b, off), src: formatMac(b, off + 6), vlans, etherType: t, headerLen: p + 2 - off },
  };
}

export interface EthernetWrite {
  dst: string | Uint8Array;
  src: string | Uint8Array;
  vlans?: readonly { tpid?: number; pcp?: number; dei?: boolean; vid: number }[];
  etherType: number;
}

/** Writes the header (with tags, outermost first); returns bytes written. */
export function writeEthernet(buf: Uint8Array, off: number, h: EthernetWrite): number {
  writeMac(buf, off, h.dst);
  writeMac(buf, off + 6, h.src);
  let p = off + 12;
  const vlans = h.vlans ?? [];
  for (let i = 0; i < vlans.length; i++) {
    const v = vlans[i]!;
    const tpid = v.tpid ?? (i === 0 && vlans.length > 1 ? ETHERTYPE_QINQ : ETHERTYPE_VLAN);
    const tci = ((v.pcp ?? 0) << 13) | (v.dei ? 0x1000 : 0) | (v.vid & 0x0fff);
    buf[p] = tpid >>> 8;
    buf[p + 1] = tpid & 0xff;
    buf[p + 2] = tci >>> 8;
    buf[p + 3] = tci & 0xff;
    p += 4;
  }
  buf[p] = (h.etherType >>> 8) & 0xff;
  buf[p + 1] = h.etherType & 0xff;
  return p + 2 - off;
}

/**
 * The 802.1Q / 802.1ad tags of a frame as ports read them (at most two):
 * into `out` [0] the number of tags, [1] the outer and [2] the inner VLAN id,
 * [3] the offset of the ethertype after them, [4] that ethertype. False when
 * a tag is cut short. Writes into `out` so the hot path allocates nothing.
 */
export function readVlanTags(d: Uint8Array, off: number, len: number, out: Int32Array): boolean {
  let p = off + 12;
  let type = (d[p] << 8) | d[p + 1];
  let tags = 0;
  out[1] = 0;
  out[2] = 0;
  if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (len < 18) return false;
    out[1] = ((d[p + 2] << 8) | d[p + 3]) & 0xfff;
    p += 4;
    tags = 1;
    type = (d[p] << 8) | d[p + 1];
    if (type === 0x8100) {
      if (len < 22) return false;
      out[2] = ((d[p + 2] << 8) | d[p + 3]) & 0xfff;
      p += 4;
      tags = 2;
      type = (d[p] << 8) | d[p + 1];
    }
  }
  out[0] = tags;
  out[3] = p;
  out[4] = type;
  return true;
}
