/** ESP header (RFC 4303): SPI and sequence number; NAT-T UDP encapsulation (RFC 3948). */
import { readU32, writeU32 } from './addr.js';
import { type ParseResult, rangeOk } from './parse-result.js';

export const ESP_HEADER_LEN = 8;
/** Pad length + next header bytes at the end of the (decrypted) payload. */
export const ESP_TRAILER_LEN = 2;
/** UDP port for IKE and ESP-in-UDP (RFC 3948). */
export const UDP_PORT_IPSEC_NAT_T = 4500;
export const UDP_PORT_IKE = 500;
/** Length of the non-ESP marker that flags IKE on port 4500. */
export const NON_ESP_MARKER_LEN = 4;

export const ESP_OK = 0;
export const ESP_TRUNCATED = 1;
export const ESP_BAD_SPI = 2;
export const ESP_ERRORS = ['ok', 'esp_truncated', 'esp_bad_spi'] as const;

export function espSpi(b: Uint8Array, off: number): number {
  return readU32(b, off);
}
export function espSeq(b: Uint8Array, off: number): number {
  return readU32(b, off + 4);
}

/**
 * True if the UDP/4500 payload at `off` starts with the 4-byte non-ESP marker
 * (i.e. it is IKE, not ESP). Needs `len` >= 4; a 1-byte 0xff payload is a NAT-keepalive.
 */
export function isNonEspMarker(b: Uint8Array, off: number, len: number): boolean {
  return len >= NON_ESP_MARKER_LEN && (b[off]! | b[off + 1]! | b[off + 2]! | b[off + 3]!) === 0;
}

/** Header fits and SPI is not 0 (reserved, "MUST NOT be sent on the wire", RFC 4303 section 2.1). */
export function checkEsp(b: Uint8Array, off: number, len: number): number {
  if (len < ESP_HEADER_LEN) return ESP_TRUNCATED;
  if (espSpi(b, off) === 0) return ESP_BAD_SPI;
  return ESP_OK;
}

export interface EspHeader {
  spi: number;
  seq: number;
  /** Bytes after the header (IV, ciphertext, padding, ICV). */
  payloadLength: number;
}

export function parseEsp(b: Uint8Array, off: number, len: number): ParseResult<EspHeader> {
  if (!rangeOk(b, off, len)) return { ok: false, error: 'esp_truncated' };
  const code = checkEsp(b, off, len);
  if (code !== ESP_OK) return { ok: false, error: ESP_ERRORS[code] };
  return { ok: true, value: { spi: espSpi(b, off), seq: espSeq(b, off), payloadLength: len - ESP_HEADER_LEN } };
}

export interface EspWrite {
  spi: number;
  seq: number;
}

/** Writes SPI and sequence number; returns 8. */
export function writeEsp(buf: Uint8Array, off: number, h: EspWrite): number {
  writeU32(buf, off, h.spi >>> 0);
  writeU32(buf, off + 4, h.seq >>> 0);
  return ESP_HEADER_LEN;
}
