// Wireshark's `esp_sa` UAT (the "ESP SAs" table of the ESP protocol
// preferences; spec: ../shared/vectors/esp_sa-format.md). One SA a line, eight
// double-quoted fields separated by commas:
//
//   "Protocol","Src IP","Dest IP","SPI","Encryption","Encryption Key","Authentication","Authentication Key"
//
// For AES-GCM the encryption key is the AES key followed by the 4-byte salt
// and authentication is "NULL". Reading reports every problem of the file at
// once, each with file:line:column; writing produces lines tshark takes, in a
// file or as `-o 'uat:esp_sa:<line>'`.

import { ConfigError } from './model.js';
import { readFileSync } from 'node:fs';
import { parseIpv4, parseIpv6 } from '../packet/addr.js';
import { ESP_CIPHER_KEY_LEN, type EspCipher, type SaConfig, type SaDirection, type SaMode } from '../ipsec/sa.js';

/** Wireshark's names of the AES-GCM entries we implement, by ICV length. */
export const WIRESHARK_AES_GCM: Readonly<Record<8 | 12 | 16, string>> = {
  8: 'AES-GCM with 8 octet ICV [RFC4106]',
  12: 'AES-GCM with 12 octet ICV [RFC4106]',
  16: 'AES-GCM with 16 octet ICV [RFC4106]',
};

/** Encryption names Wireshark knows that triode does not implement (packet-ipsec.c esp_encryption_type_vals). */
const WIRESHARK_OTHER_ENCRYPTION = [
  'NULL', 'TripleDES-CBC [RFC2451]', 'AES-CBC [RFC3602]', 'AES-CTR [RFC3686]', 'DES-CBC [RFC2405]', 'CAST5-CBC [RFC2144]',
  'BLOWFISH-CBC [RFC2451]', 'TWOFISH-CBC', 'AES-GCM [RFC4106]', 'AES-GCM with IIV and 16 octet ICV [RFC4106 & RFC8750]',
  'ChaCha20 with Poly1305 [RFC7634]', 'ChaCha20 with Poly1305 and IIV [RFC7634 & RFC8750]',
];
const WIRESHARK_AUTHENTICATION = [
  'NULL', 'HMAC-SHA-1-96 [RFC2404]', 'HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]', 'HMAC-SHA-256-128 [RFC4868]',
  'HMAC-SHA-384-192 [RFC4868]', 'HMAC-SHA-512-256 [RFC4868]', 'HMAC-MD5-96 [RFC2403]', 'MAC-RIPEMD-160-96 [RFC2857]',
  'ANY 64 bit authentication [no checking]', 'ANY 96 bit authentication [no checking]',
  'ANY 128 bit authentication [no checking]', 'ANY 192 bit authentication [no checking]',
  'ANY 256 bit authentication [no checking]',
];

/** One record of an esp_sa file. */
export interface EspSaRecord {
  protocol: 'IPv4' | 'IPv6';
  /** Address text, or '*' (any). */
  src: string;
  dst: string;
  spi: number;
  cipher: EspCipher;
  icvLength: 8 | 12 | 16;
  /** The AES key alone, and the 4-byte salt that follows it in the file's key. */
  key: Uint8Array;
  salt: Uint8Array;
  /** Where the record is, for messages. */
  file?: string;
  line?: number;
}

const FIELD_NAMES = ['Protocol', 'Src IP', 'Dest IP', 'SPI', 'Encryption', 'Encryption Key', 'Authentication', 'Authentication Key'];

interface Field {
  text: string;
  col: number;
}

/**
 * Splits one line into its quoted fields. UAT strings escape '"', '\' and
 * non-printable bytes as \xHH; a backslash before any other character keeps
 * that character.
 */
function splitLine(line: string, where: (col: number) => string, errs: string[]): Field[] | undefined {
  const out: Field[] = [];
  let i = 0;
  const n = line.length;
  const skipWs = (): void => {
    while (i < n && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  };
  for (;;) {
    skipWs();
    const col = i + 1;
    if (line[i] !== '"') {
      errs.push(`${where(col)}: expected a double-quoted field${i >= n ? ', found the end of the line' : `, found '${line[i]}'`}`);
      return undefined;
    }
    i++;
    let text = '';
    let closed = false;
    while (i < n) {
      const c = line[i]!;
      if (c === '"') { closed = true; i++; break; }
      if (c === '\\' && i + 1 < n) {
        const h = /^x([0-9a-fA-F]{2})/.exec(line.slice(i + 1, i + 4));
        if (h) { text += String.fromCharCode(parseInt(h[1]!, 16)); i += 4; continue; }
        text += line[i + 1];
        i += 2;
        continue;
      }
      text += c;
      i++;
    }
    if (!closed) {
      errs.push(`${where(col)}: unterminated quoted field`);
      return undefined;
    }
    out.push({ text, col: col + 1 });
    skipWs();
    if (i >= n) return out;
    if (line[i] !== ',') {
      errs.push(`${where(i + 1)}: expected ',' between fields, found '${line[i]}'`);
      return undefined;
    }
    i++;
  }
}

function decodeKey(text: string): Uint8Array | string {
  if (/^0[xX]/.test(text)) {
    const hex = text.slice(2);
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      return `key "${text}" is not 0x followed by an even number of hex digits`;
    }
    return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  }
  // Wireshark takes a key without 0x as its ASCII bytes.
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** Parses esp_sa text. Throws once with every problem listed, each as file:line:column. */
export function parseEspSaFile(text: string, file = 'esp_sa'): EspSaRecord[] {
  const errs: string[] = [];
  const records: EspSaRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, li) => {
    const line = raw.replace(/\r$/, '');
    const lineNo = li + 1;
    if (/^\s*(#.*)?$/.test(line)) return;
    const where = (col: number): string => `${file}:${lineNo}:${col}`;
    const fields = splitLine(line, where, errs);
    if (!fields) return;
    if (fields.length !== 8) {
      errs.push(`${where(1)}: ${fields.length} fields, expected 8 (${FIELD_NAMES.join(', ')})`);
      return;
    }
    const before = errs.length;
    const [fProto, fSrc, fDst, fSpi, fEnc, fKey, fAuth, fAuthKey] = fields as [Field, Field, Field, Field, Field, Field, Field, Field];
    const protocol = fProto.text;
    if (protocol !== 'IPv4' && protocol !== 'IPv6') errs.push(`${where(fProto.col)}: protocol "${protocol}" is not IPv4 or IPv6`);
    for (const [f, what] of [[fSrc, 'source'], [fDst, 'destination']] as const) {
      if (f.text === '*') continue;
      try {
        if (protocol === 'IPv6') parseIpv6(f.text);
        else parseIpv4(f.text);
      } catch {
        errs.push(`${where(f.col)}: ${what} "${f.text}" is not ${protocol === 'IPv6' ? 'an IPv6' : 'an IPv4'} address or *`);
      }
    }
    let spi = 0;
    if (!/^0[xX][0-9a-fA-F]{1,8}$/.test(fSpi.text)) errs.push(`${where(fSpi.col)}: SPI "${fSpi.text}" is not 0x followed by 1 to 8 hex digits`);
    else spi = parseInt(fSpi.text.slice(2), 16) >>> 0;
    let icvLength: 8 | 12 | 16 = 16;
    const gcm = (Object.entries(WIRESHARK_AES_GCM) as [string, string][]).find(([, name]) => name === fEnc.text);
    if (gcm) icvLength = Number(gcm[0]) as 8 | 12 | 16;
    else if (fEnc.text === 'AES-GCM [RFC4106]') {
      errs.push(`${where(fEnc.col)}: encryption "AES-GCM [RFC4106]" (deprecated, no ICV length) is not supported; use "${WIRESHARK_AES_GCM[16]}"`);
    } else if (WIRESHARK_OTHER_ENCRYPTION.includes(fEnc.text)) {
      errs.push(`${where(fEnc.col)}: encryption "${fEnc.text}" is not supported: triode implements ${Object.values(WIRESHARK_AES_GCM).map((s) => `"${s}"`).join(', ')}`);
    } else {
      errs.push(`${where(fEnc.col)}: unknown encryption algorithm "${fEnc.text}" (Wireshark's AES-GCM names: ${Object.values(WIRESHARK_AES_GCM).map((s) => `"${s}"`).join(', ')})`);
    }
    let key = new Uint8Array(0);
    let salt = new Uint8Array(0);
    let cipher: EspCipher = 'aes-128-gcm';
    const k = decodeKey(fKey.text);
    if (typeof k === 'string') errs.push(`${where(fKey.col)}: ${k}`);
    else {
      const c = (Object.entries(ESP_CIPHER_KEY_LEN) as [EspCipher, number][]).find(([, len]) => len + 4 === k.length);
      if (!c) errs.push(`${where(fKey.col)}: an AES-GCM key is the AES key and a 4-byte salt: 20, 28 or 36 bytes, got ${k.length}`);
      else {
        cipher = c[0];
        key = k.slice(0, c[1]);
        salt = k.slice(c[1]);
      }
    }
    if (fAuth.text !== 'NULL') {
      errs.push(
        WIRESHARK_AUTHENTICATION.includes(fAuth.text)
          ? `${where(fAuth.col)}: AES-GCM encryption can only be used with NULL authentication, got "${fAuth.text}"`
          : `${where(fAuth.col)}: unknown authentication algorithm "${fAuth.text}" (AES-GCM needs "NULL")`,
      );
    }
    if (fAuthKey.text !== '') errs.push(`${where(fAuthKey.col)}: NULL authentication takes no key, got "${fAuthKey.text}"`);
    if (errs.length === before) {
      records.push({ protocol: protocol as 'IPv4' | 'IPv6', src: fSrc.text, dst: fDst.text, spi, cipher, icvLength, key, salt, file, line: lineNo });
    }
  });
  // Each problem is already `file:line:column: message`: one line each, as for configurations.
  if (errs.length > 0) throw new ConfigError(errs.map((message) => ({ message })));
  return records;
}

export function readEspSaFile(path: string): EspSaRecord[] {
  return parseEspSaFile(readFileSync(path, 'utf8'), path);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

/** UAT string escaping: '"', '\' and bytes outside printable ASCII as \xHH. */
function esc(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += c === '"' || c === '\\' || code < 0x20 || code > 0x7e ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

/** One esp_sa line (no newline): also what `tshark -o 'uat:esp_sa:<line>'` takes. */
export function formatEspSaLine(r: EspSaRecord): string {
  const fields = [
    r.protocol, r.src, r.dst, `0x${(r.spi >>> 0).toString(16).padStart(8, '0')}`, WIRESHARK_AES_GCM[r.icvLength],
    `0x${hex(r.key)}${hex(r.salt)}`, 'NULL', '',
  ];
  return fields.map((f) => `"${esc(f)}"`).join(',');
}

/** A whole esp_sa file, with the header comment Wireshark writes. */
export function formatEspSaFile(records: readonly EspSaRecord[]): string {
  return `# This file is automatically generated, DO NOT MODIFY.\n${records.map((r) => `${formatEspSaLine(r)}\n`).join('')}`;
}

/**
 * The esp_sa record of an SA, for handing its keys to Wireshark. Addresses are
 * the SA's outer ones as they appear on the wire ('*' where it has none).
 */
export function espSaRecordOf(cfg: SaConfig): EspSaRecord {
  const v6 = (cfg.tunnelSrc ?? cfg.tunnelDst ?? '').includes(':');
  return {
    protocol: v6 ? 'IPv6' : 'IPv4',
    src: cfg.tunnelSrc ?? '*',
    dst: cfg.tunnelDst ?? '*',
    spi: cfg.spi >>> 0,
    cipher: cfg.cipher,
    icvLength: cfg.icvLength ?? 16,
    key: cfg.key,
    salt: cfg.salt,
  };
}

/**
 * An SA configuration from an esp_sa record. The file has no direction, mode,
 * ESN or sequence state: the caller gives them.
 */
export function saConfigOf(
  r: EspSaRecord,
  extra: { direction: SaDirection; mode: SaMode } & Partial<Omit<SaConfig, 'spi' | 'cipher' | 'key' | 'salt' | 'icvLength'>>,
): SaConfig {
  return {
    name: extra.name ?? (r.file ? `${r.file}:${r.line}` : undefined),
    tunnelSrc: r.src === '*' ? undefined : r.src,
    tunnelDst: r.dst === '*' ? undefined : r.dst,
    ...extra,
    spi: r.spi,
    cipher: r.cipher,
    icvLength: r.icvLength,
    key: r.key,
    salt: r.salt,
  };
}
