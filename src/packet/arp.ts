/** ARP (RFC 826) for Ethernet/IPv4: hardware type 1, protocol type 0x0800. */
import { formatIpv4, formatMac, ipv4Value, readU32, writeMac, writeU32 } from './addr.js';
import { ETHERTYPE_IPV4 } from './ethernet.js';
import { type ParseResult, rangeOk } from './parse-result.js';

/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_HEADER_LEN = 28;
/** Length of the fixed part (htype, ptype, hlen, plen, op). */
export const ARP_FIXED_LEN = 8;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
export const ARP_OP_RARP_REQUEST = 3;
export const ARP_OP_RARP_REPLY = 4;

export const ARP_OK = 0;
export const ARP_TRUNCATED = 1;
export const ARP_UNSUPPORTED_HARDWARE = 2;
export const ARP_UNSUPPORTED_PROTOCOL = 3;
export const ARP_BAD_OPCODE = 4;
export const ARP_ERRORS = [
  'ok', 'arp_truncated', 'arp_unsupported_hardware', 'arp_unsupported_protocol', 'arp_bad_opcode',
] as const;

// Offsets inside an Ethernet/IPv4 ARP packet.
export const ARP_SHA_OFFSET = 8;
export const ARP_SPA_OFFSET = 14;
export const ARP_THA_OFFSET = 18;
export const ARP_TPA_OFFSET = 24;

export function arpHardwareType(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}
export function arpProtocolType(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
export function arpOp(b: Uint8Array, off: number): number {
  return (b[off + 6]! << 8) | b[off + 7]!;
}
/** Sender protocol (IPv4) address as uint32 (Ethernet/IPv4 layout). */
export function arpSpa(b: Uint8Array, off: number): number {
  return readU32(b, off + ARP_SPA_OFFSET);
}
/** Target protocol (IPv4) address as uint32 (Ethernet/IPv4 layout). */
export function arpTpa(b: Uint8Array, off: number): number {
  return readU32(b, off + ARP_TPA_OFFSET);
}
/** Offset of the sender hardware address. */
export function arpShaOffset(off: number): number {
  return off + ARP_SHA_OFFSET;
}
/** Offset of the target hardware address. */
export function arpThaOffset(off: number): number {
  return off + ARP_THA_OFFSET;
}

/**
 * Hot-path validator for Ethernet/IPv4 ARP: returns ARP_OK or an ARP_* code.
 * Opcodes other than request/reply are `arp_bad_opcode`.
 */
export function checkArp(b: Uint8Array, off: number, len: number): number {
  if (len < ARP_FIXED_LEN) return ARP_TRUNCATED;
  if (arpHardwareType(b, off) !== ARP_HTYPE_ETHERNET || b[off + 4] !== 6) return ARP_UNSUPPORTED_HARDWARE;
  if (arpProtocolType(b, off) !== ETHERTYPE_IPV4 || b[off + 5] !== 4) return ARP_UNSUPPORTED_PROTOCOL;
  if (len < ARP_HEADER_LEN) return ARP_TRUNCATED;
  const op = arpOp(b, off);
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) return ARP_BAD_OPCODE;
  return ARP_OK;
}

export interface ArpPacket {
  hardwareType: number;
  protocolType: number;
  hardwareLen: number;
  protocolLen: number;
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** Parses an Ethernet/IPv4 ARP packet (any opcode). */
export function parseArp(b: Uint8Array, off: number, len: number): ParseResult<ArpPacket> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'arp_truncated' };
  const code = checkArp(b, off, len);
  if (code !== ARP_OK && code !== ARP_BAD_OPCODE) return { ok: false, error: ARP_ERRORS[code] };
  return {
    ok: true,
    value: {
      hardwareType: arpHardwareType(b, off),
      protocolType: arpProtocolType(b, off),
      hardwareLen: b[off + 4]!,
      protocolLen: b[off + 5]!,
      op: arpOp(b, off),
      senderMac: formatMac(b, off + ARP_SHA_OFFSET),
      senderIp: formatIpv4(arpSpa(b, off)),
      targetMac: formatMac(b, off + ARP_THA_OFFSET),
      targetIp: formatIpv4(arpTpa(b, off)),
    },
  };
}

export interface ArpWrite {
  op: number;
  senderMac: string | Uint8Array;
  senderIp: string | number;
  targetMac: string | Uint8Array;
  targetIp: string | number;
}

/** Writes an Ethernet/IPv4 ARP packet; returns 28. */
export function writeArp(buf: Uint8Array, off: number, h: ArpWrite): number {
  buf[off] = 0;
  buf[off + 1] = ARP_HTYPE_ETHERNET;
  buf[off + 2] = ETHERTYPE_IPV4 >>> 8;
  buf[off + 3] = 0;
  buf[off + 4] = 6;
  buf[off + 5] = 4;
  buf[off + 6] = (h.op >>> 8) & 0xff;
  buf[off + 7] = h.op & 0xff;
  writeMac(buf, off + ARP_SHA_OFFSET, h.senderMac);
  writeU32(buf, off + ARP_SPA_OFFSET, ipv4Value(h.senderIp));
  writeMac(buf, off + ARP_THA_OFFSET, h.targetMac);
  writeU32(buf, off + ARP_TPA_OFFSET, ipv4Value(h.targetIp));
  return ARP_HEADER_LEN;
}

/**
 * Turns the request at `off` into a reply in place (hot path, no allocation):
 * op = reply, target := old sender, sender := (`mac` at `macOff`, old target IP).
 */
export function arpMakeReplyInPlace(b: Uint8Array, off: number, mac: Uint8Array, macOff: number): void {
  b[off + 6] = 0;
  b[off + 7] = ARP_OP_REPLY;
  for (let i = 0; i < 6; i++) b[off + ARP_THA_OFFSET + i] = b[off + ARP_SHA_OFFSET + i]!;
  for (let i = 0; i < 4; i++) {
    const t = b[off + ARP_TPA_OFFSET + i]!;
    b[off + ARP_TPA_OFFSET + i] = b[off + ARP_SPA_OFFSET + i]!;
    b[off + ARP_SPA_OFFSET + i] = t;
  }
  for (let i = 0; i < 6; i++) b[off + ARP_SHA_OFFSET + i] = mac[macOff + i]!;
}
