/**
 * VXLAN (RFC 7348): 8-byte header {flags(8) reserved(24) VNI(24) reserved(8)}.
 * The I flag (0x08) must be set for a valid VNI; other flag and reserved bits
 * are zero on transmit and ignored on receipt.
 */
import { type ParseResult, rangeOk } from './parse-result.js';

export const VXLAN_HEADER_LEN = 8;
export const UDP_PORT_VXLAN = 4789;
/** The Linux kernel's pre-IANA VXLAN port. */
export const UDP_PORT_VXLAN_LINUX = 8472;
export const VXLAN_FLAG_I = 0x08;
export const VXLAN_MAX_VNI = 0xffffff;

export const VXLAN_OK = 0;
export const VXLAN_TRUNCATED = 1;
export const VXLAN_NO_VNI = 2;
export const VXLAN_ERRORS = ['ok', 'vxlan_truncated', 'vxlan_no_vni'] as const;

export function vxlanFlags(b: Uint8Array, off: number): number {
  return b[off]!;
}
/** True if the I flag is set. */
export function vxlanHasVni(b: Uint8Array, off: number): boolean {
  return (b[off]! & VXLAN_FLAG_I) !== 0;
}
export function vxlanVni(b: Uint8Array, off: number): number {
  return (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
}

/** Header fits and the I flag is set (reserved bits are ignored). */
export function checkVxlan(b: Uint8Array, off: number, len: number): number {
  if (len < VXLAN_HEADER_LEN) return VXLAN_TRUNCATED;
  if ((b[off]! & VXLAN_FLAG_I) === 0) return VXLAN_NO_VNI;
  return VXLAN_OK;
}

export interface VxlanHeader {
  flags: number;
  /** I flag. */
  vniValid: boolean;
  vni: number;
  /** The 24 reserved bits after the flags. */
  reserved1: number;
  /** The last 8 reserved bits. */
  reserved2: number;
}

export function parseVxlan(b: Uint8Array, off: number, len: number): ParseResult<VxlanHeader> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'vxlan_truncated' };
  const code = checkVxlan(b, off, len);
  if (code !== VXLAN_OK) return { ok: false, error: VXLAN_ERRORS[code] };
  return {
    ok: true,
    value: {
      flags: b[off]!,
      vniValid: vxlanHasVni(b, off),
      vni: vxlanVni(b, off),
      reserved1: (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!,
      reserved2: b[off + 7]!,
    },
  };
}

export interface VxlanWrite {
  vni: number;
  /** Defaults to 0x08 (I). */
  flags?: number;
  reserved1?: number;
  reserved2?: number;
}

/** Writes the header; returns 8. */
export function writeVxlan(buf: Uint8Array, off: number, h: VxlanWrite): number {
  const r1 = h.reserved1 ?? 0;
  buf[off] = (h.flags ?? VXLAN_FLAG_I) & 0xff;
  buf[off + 1] = (r1 >>> 16) & 0xff;
  buf[off + 2] = (r1 >>> 8) & 0xff;
  buf[off + 3] = r1 & 0xff;
  buf[off + 4] = (h.vni >>> 16) & 0xff;
  buf[off + 5] = (h.vni >>> 8) & 0xff;
  buf[off + 6] = h.vni & 0xff;
  buf[off + 7] = (h.reserved2 ?? 0) & 0xff;
  return VXLAN_HEADER_LEN;
}

/** Hot-path encap: writes I flag + VNI with zero reserved fields. */
export function writeVxlanVni(b: Uint8Array, off: number, vni: number): void {
  b[off] = VXLAN_FLAG_I;
  b[off + 1] = 0;
  b[off + 2] = 0;
  b[off + 3] = 0;
  b[off + 4] = (vni >>> 16) & 0xff;
  b[off + 5] = (vni >>> 8) & 0xff;
  b[off + 6] = vni & 0xff;
  b[off + 7] = 0;
}
