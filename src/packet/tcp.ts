/** TCP (RFC 9293) header: ports, sequence numbers, data offset, flags, checksum. */
import { readU32, writeU32 } from './addr.js';
import { checksumAdd, checksumFold, type IpPseudoHeader, pseudoHeaderSum, transportChecksum } from './checksum.js';
import { IP_PROTO_TCP } from './ipv4.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const TCP_HEADER_LEN = 20;
export const TCP_MAX_HEADER_LEN = 60;

export const TCP_FLAG_FIN = 0x01;
export const TCP_FLAG_SYN = 0x02;
export const TCP_FLAG_RST = 0x04;
export const TCP_FLAG_PSH = 0x08;
export const TCP_FLAG_ACK = 0x10;
export const TCP_FLAG_URG = 0x20;
export const TCP_FLAG_ECE = 0x40;
export const TCP_FLAG_CWR = 0x80;

export const TCP_OK = 0;
export const TCP_TRUNCATED = 1;
export const TCP_BAD_DATA_OFFSET = 2;
export const TCP_BAD_CHECKSUM = 3;
export const TCP_ERRORS = ['ok', 'tcp_truncated', 'tcp_bad_data_offset', 'tcp_bad_checksum'] as const;

export function tcpSrcPort(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}
export function tcpDstPort(b: Uint8Array, off: number): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}
export function tcpSeq(b: Uint8Array, off: number): number {
  return readU32(b, off + 4);
}
export function tcpAck(b: Uint8Array, off: number): number {
  return readU32(b, off + 8);
}
/** Header length in bytes (data offset * 4). */
export function tcpDataOffset(b: Uint8Array, off: number): number {
  return (b[off + 12]! >>> 4) << 2;
}
/** The 8 flag bits CWR..FIN (the NS/AE bit is in `b[off+12] & 1`). */
export function tcpFlags(b: Uint8Array, off: number): number {
  return b[off + 13]!;
}
export function tcpWindow(b: Uint8Array, off: number): number {
  return (b[off + 14]! << 8) | b[off + 15]!;
}
export function tcpChecksum(b: Uint8Array, off: number): number {
  return (b[off + 16]! << 8) | b[off + 17]!;
}

/** Validator: header fits, 20 <= data offset <= len; with `pseudoSum` >= 0 the checksum over `len` bytes. */
export function checkTcp(b: Uint8Array, off: number, len: number, pseudoSum = -1): number {
  if (len < TCP_HEADER_LEN) return TCP_TRUNCATED;
  const d = tcpDataOffset(b, off);
  if (d < TCP_HEADER_LEN) return TCP_BAD_DATA_OFFSET;
  if (d > len) return TCP_TRUNCATED;
  if (pseudoSum >= 0 && checksumFold(checksumAdd(b, off, len, pseudoSum)) !== 0xffff) return TCP_BAD_CHECKSUM;
  return TCP_OK;
}

/** tcpdump-style flag string: "S", "S.", "P.", "F.", "R", "." ... */
export function formatTcpFlags(flags: number): string {
  let s = '';
  if (flags & TCP_FLAG_FIN) s += 'F';
  if (flags & TCP_FLAG_SYN) s += 'S';
  if (flags & TCP_FLAG_RST) s += 'R';
  if (flags & TCP_FLAG_PSH) s += 'P';
  if (flags & TCP_FLAG_URG) s += 'U';
  if (flags & TCP_FLAG_ECE) s += 'E';
  if (flags & TCP_FLAG_CWR) s += 'W';
  if (flags & TCP_FLAG_ACK) s += '.';
  return s || 'none';
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Header length in bytes. */
  dataOffset: number;
  flags: number;
  window: number;
  checksum: number;
  urgentPointer: number;
  /** Raw option bytes (dataOffset - 20). */
  options: Uint8Array;
  checksumOk?: boolean;
}

/** Parses a TCP header; `len` is the segment length (for the checksum when `pseudo` is given). */
export function parseTcp(b: Uint8Array, off: number, len: number, pseudo?: IpPseudoHeader): ParseResult<TcpHeader> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'tcp_truncated' };
  const code = checkTcp(b, off, len);
  if (code !== TCP_OK) return { ok: false, error: TCP_ERRORS[code] };
  const d = tcpDataOffset(b, off);
  const h: TcpHeader = {
    srcPort: tcpSrcPort(b, off), dstPort: tcpDstPort(b, off), seq: tcpSeq(b, off), ack: tcpAck(b, off),
    dataOffset: d, flags: tcpFlags(b, off), window: tcpWindow(b, off), checksum: tcpChecksum(b, off),
    urgentPointer: (b[off + 18]! << 8) | b[off + 19]!, options: b.slice(off + TCP_HEADER_LEN, off + d),
  };
  if (pseudo !== undefined) {
    h.checksumOk = checkTcp(b, off, len, pseudoHeaderSum(pseudo, IP_PROTO_TCP, len)) === TCP_OK;
    if (!h.checksumOk) return { ok: false, error: 'tcp_bad_checksum' };
  }
  return { ok: true, value: h };
}

export interface TcpWrite {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  urgentPointer?: number;
  /** Option bytes, padded with zeros (EOL) to a multiple of 4. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** Without `payload`: length of a payload already in `buf` after the header (for the checksum). */
  payloadLength?: number;
}

/** Writes the header (+ payload); with `pseudo` computes the checksum. Returns the header length. */
export function writeTcp(buf: Uint8Array, off: number, h: TcpWrite, pseudo?: IpPseudoHeader): number {
  const optLen = ((h.options?.length ?? 0) + 3) & ~3;
  const hlen = TCP_HEADER_LEN + optLen;
  if (hlen > TCP_MAX_HEADER_LEN) throw new Error('TCP options longer than 40 bytes');
  buf[off] = (h.srcPort >>> 8) & 0xff;
  buf[off + 1] = h.srcPort & 0xff;
  buf[off + 2] = (h.dstPort >>> 8) & 0xff;
  buf[off + 3] = h.dstPort & 0xff;
  writeU32(buf, off + 4, h.seq ?? 0);
  writeU32(buf, off + 8, h.ack ?? 0);
  buf[off + 12] = (hlen >>> 2) << 4;
  buf[off + 13] = h.flags & 0xff;
  const w = h.window ?? 65535;
  buf[off + 14] = (w >>> 8) & 0xff;
  buf[off + 15] = w & 0xff;
  buf[off + 16] = 0;
  buf[off + 17] = 0;
  const u = h.urgentPointer ?? 0;
  buf[off + 18] = (u >>> 8) & 0xff;
  buf[off + 19] = u & 0xff;
  buf.fill(0, off + TCP_HEADER_LEN, off + hlen);
  if (h.options) buf.set(h.options, off + TCP_HEADER_LEN);
  let plen = h.payloadLength ?? 0;
  if (h.payload) {
    buf.set(h.payload, off + hlen);
    plen = h.payload.length;
  }
  if (pseudo !== undefined) {
    const c = transportChecksum(buf, off, hlen + plen, pseudoHeaderSum(pseudo, IP_PROTO_TCP, hlen + plen));
    buf[off + 16] = c >>> 8;
    buf[off + 17] = c & 0xff;
  }
  return hlen;
}
