// Security associations (RFC 4301 section 4.4.2, the SAD) for ESP with
// AES-GCM (RFC 4106): the configured parameters, the sequence-number and
// anti-replay state, the AEAD key handle and the per-SA counters, named as
// Junos prints them in `show security ipsec statistics`.

import type { AeadBackend } from '../crypto/aead.js';
import { ipv4Value, parseIpv6 } from '../packet/addr.js';
import { splitSeq } from './esn.js';
import { REPLAY_WINDOW_DEFAULT, ReplayWindow } from './replay.js';

export type SaDirection = 'inbound' | 'outbound';
export type SaMode = 'tunnel' | 'transport';
/** Junos `encryption-algorithm` names. AES-192 is accepted too (Junos has it; so do the DPDK and draft vectors). */
export type EspCipher = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
export type DfBitMode = 'clear' | 'set' | 'copy';

export const ESP_CIPHER_KEY_LEN: Readonly<Record<EspCipher, number>> = {
  'aes-128-gcm': 16,
  'aes-192-gcm': 24,
  'aes-256-gcm': 32,
};
/** RFC 4106 section 8.1: the salt is the last 4 bytes of the keying material. */
export const ESP_GCM_SALT_LEN = 4;

/** Per-SA counters, `show security ipsec statistics` names in snake_case; the index constants below. */
export const SA_COUNTER_NAMES = [
  'encrypted_bytes',
  'encrypted_packets',
  'decrypted_bytes',
  'decrypted_packets',
  'esp_authentication_failures',
  'esp_decryption_failures',
  'replay_errors',
  'bad_headers',
  'bad_trailers',
  'unknown_spi',
  'seq_cycled',
  'dummy_packets',
] as const;
export type SaCounterName = (typeof SA_COUNTER_NAMES)[number];
export type SaCounters = Record<SaCounterName, number>;

export const C_ENCRYPTED_BYTES = 0;
export const C_ENCRYPTED_PACKETS = 1;
export const C_DECRYPTED_BYTES = 2;
export const C_DECRYPTED_PACKETS = 3;
export const C_AUTH_FAILURES = 4;
export const C_DECRYPTION_FAILURES = 5;
export const C_REPLAY_ERRORS = 6;
export const C_BAD_HEADERS = 7;
export const C_BAD_TRAILERS = 8;
export const C_UNKNOWN_SPI = 9;
export const C_SEQ_CYCLED = 10;
export const C_DUMMY_PACKETS = 11;

/** What configuration gives for one SA (a front end's output, or a test's literal). */
export interface SaConfig {
  /** A name for messages and `show` output (Junos `vpn` / `security-association` name). */
  name?: string;
  spi: number;
  direction: SaDirection;
  mode: SaMode;
  /**
   * Outer addresses as they appear on the wire in this SA's direction: for an
   * outbound SA src is this device, for an inbound SA dst is. IPv4 or IPv6,
   * both the same family; required in tunnel mode (outbound), optional in
   * transport mode. An inbound SA with `dst` only matches packets sent to it.
   */
  tunnelSrc?: string;
  tunnelDst?: string;
  cipher: EspCipher;
  /** 16 by default; 8 and 12 are accepted (RFC 4106 section 8.1). */
  icvLength?: 8 | 12 | 16;
  /** The AES key alone. */
  key: Uint8Array;
  /** The 4-byte salt. */
  salt: Uint8Array;
  esn?: boolean;
  /** Outbound: the next sequence number to send (default 1). 64-bit values as BigInt. */
  seq?: number | bigint;
  /** Inbound: the highest sequence number already received (default 0: none). */
  highestSeen?: number | bigint;
  /** Anti-replay on (default) or off (Junos `no-anti-replay`). */
  antiReplay?: boolean;
  /** Anti-replay window size, 32 .. 1048576 (Junos `anti-replay-window-size`, default 4096). */
  replayWindowSize?: number;
  /** Outer IPv4 DF bit in tunnel mode: cleared, set, or copied from an IPv4 inner packet (default). */
  dfBit?: DfBitMode;
  /** Tunnel mode, inbound: the outer DSCP replaces the inner one after decryption (Junos `copy-outer-dscp`). */
  copyOuterDscp?: boolean;
}

export const DF_CLEAR = 0;
export const DF_SET = 1;
export const DF_COPY = 2;

/** One SA at run time. Fields the hot path reads are plain numbers and typed arrays. */
export class Sa {
  readonly name: string;
  readonly spi: number;
  readonly outbound: boolean;
  readonly tunnel: boolean;
  /** Outer address family: 4 or 6 (0 in transport mode without addresses). */
  readonly outerFamily: 0 | 4 | 6;
  /** Outer source and destination, 4 or 16 bytes each (empty when not configured). */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly cipher: EspCipher;
  readonly icvLen: number;
  /** The salt as a big-endian uint32, written in front of the IV to form the nonce. */
  readonly salt: number;
  readonly esn: boolean;
  readonly dfBit: number;
  readonly copyOuterDscp: boolean;
  /** Outbound: the next number to send, as (hi, lo). */
  seqHi = 0;
  seqLo = 1;
  /** Outbound: the number space is used up (2^32 - 1 sent without ESN, 2^64 - 1 with). */
  seqExhausted = false;
  /** Inbound: anti-replay state, holding the highest number received. */
  readonly replay: ReplayWindow;
  /** Key handle in the backend the SA database was made for. */
  readonly keyHandle: number;
  /** Counters indexed by the C_* constants. */
  readonly stats = new Float64Array(SA_COUNTER_NAMES.length);
  /** What configuration gave (for esp_sa files and `show`). */
  readonly config: SaConfig;

  constructor(readonly index: number, cfg: SaConfig, keyHandle: number) {
    this.config = cfg;
    this.name = cfg.name ?? `sa-${index}`;
    this.spi = cfg.spi >>> 0;
    this.outbound = cfg.direction === 'outbound';
    this.tunnel = cfg.mode === 'tunnel';
    this.src = cfg.tunnelSrc !== undefined ? addressBytes(cfg.tunnelSrc) : new Uint8Array(0);
    this.dst = cfg.tunnelDst !== undefined ? addressBytes(cfg.tunnelDst) : new Uint8Array(0);
    const len = this.dst.length || this.src.length;
    this.outerFamily = len === 4 ? 4 : len === 16 ? 6 : 0;
    this.cipher = cfg.cipher;
    this.icvLen = cfg.icvLength ?? 16;
    this.salt = ((cfg.salt[0]! << 24) | (cfg.salt[1]! << 16) | (cfg.salt[2]! << 8) | cfg.salt[3]!) >>> 0;
    this.esn = cfg.esn ?? false;
    this.dfBit = cfg.dfBit === 'clear' ? DF_CLEAR : cfg.dfBit === 'set' ? DF_SET : DF_COPY;
    this.copyOuterDscp = cfg.copyOuterDscp ?? false;
    this.replay = new ReplayWindow(cfg.replayWindowSize ?? REPLAY_WINDOW_DEFAULT, cfg.antiReplay ?? true);
    this.keyHandle = keyHandle;
    if (cfg.seq !== undefined) {
      [this.seqHi, this.seqLo] = splitSeq(cfg.seq, 'seq');
    }
    if (cfg.highestSeen !== undefined) {
      const [hi, lo] = splitSeq(cfg.highestSeen, 'highestSeen');
      this.replay.seed(hi, lo);
    }
  }

  get direction(): SaDirection {
    return this.outbound ? 'outbound' : 'inbound';
  }

  counters(): SaCounters {
    return countersRecord(this.stats);
  }
}

function countersRecord(stats: Float64Array): SaCounters {
  const out = {} as SaCounters;
  SA_COUNTER_NAMES.forEach((n, i) => (out[n] = stats[i]!));
  return out;
}

function addressBytes(text: string): Uint8Array {
  if (text.includes(':')) return parseIpv6(text);
  const v = ipv4Value(text);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Every problem with one SA's configuration (empty when it is usable). */
export function checkSaConfig(cfg: SaConfig): string[] {
  const errs: string[] = [];
  if (!Number.isInteger(cfg.spi) || cfg.spi < 0 || cfg.spi > 0xffffffff) errs.push(`SPI ${cfg.spi} is not a 32-bit number`);
  // RFC 4303 2.1: SPI 0 is for local use and MUST NOT be sent. (1 .. 255 are IANA-reserved but
  // appear in published vectors, e.g. DPDK's 0x34, so they are accepted.)
  else if (cfg.spi === 0) errs.push('SPI 0 is reserved for local use and never sent (RFC 4303 section 2.1)');
  if (cfg.direction !== 'inbound' && cfg.direction !== 'outbound') errs.push(`direction "${cfg.direction}" is not inbound or outbound`);
  if (cfg.mode !== 'tunnel' && cfg.mode !== 'transport') errs.push(`mode "${cfg.mode}" is not tunnel or transport`);
  const keyLen = ESP_CIPHER_KEY_LEN[cfg.cipher];
  if (keyLen === undefined) errs.push(`cipher "${cfg.cipher}" is not one of ${Object.keys(ESP_CIPHER_KEY_LEN).join(', ')}`);
  else if (!(cfg.key instanceof Uint8Array) || cfg.key.length !== keyLen) {
    errs.push(`${cfg.cipher} needs a ${keyLen}-byte key, got ${cfg.key?.length ?? 'none'}`);
  }
  if (!(cfg.salt instanceof Uint8Array) || cfg.salt.length !== ESP_GCM_SALT_LEN) errs.push(`the salt must be 4 bytes, got ${cfg.salt?.length ?? 'none'}`);
  if (cfg.icvLength !== undefined && cfg.icvLength !== 8 && cfg.icvLength !== 12 && cfg.icvLength !== 16) {
    errs.push(`ICV length ${cfg.icvLength} is not 8, 12 or 16`);
  }
  let fam = 0;
  for (const [what, a] of [['tunnelSrc', cfg.tunnelSrc], ['tunnelDst', cfg.tunnelDst]] as const) {
    if (a === undefined) continue;
    try {
      const f = addressBytes(a).length === 4 ? 4 : 6;
      if (fam !== 0 && f !== fam) errs.push('tunnelSrc and tunnelDst are of different address families');
      fam = f;
    } catch (e) {
      errs.push(`${what}: ${(e as Error).message}`);
    }
  }
  if (cfg.mode === 'tunnel' && cfg.direction === 'outbound' && (cfg.tunnelSrc === undefined || cfg.tunnelDst === undefined)) {
    errs.push('an outbound tunnel-mode SA needs tunnelSrc and tunnelDst');
  }
  const w = cfg.replayWindowSize;
  if (w !== undefined && (!Number.isInteger(w) || w < 32 || w > 1 << 20)) errs.push(`anti-replay window size ${w} is not in 32 .. 1048576`);
  if (cfg.dfBit !== undefined && cfg.dfBit !== 'clear' && cfg.dfBit !== 'set' && cfg.dfBit !== 'copy') errs.push(`dfBit "${cfg.dfBit}" is not clear, set or copy`);
  for (const [what, v] of [['seq', cfg.seq], ['highestSeen', cfg.highestSeen]] as const) {
    if (v === undefined) continue;
    try {
      const [hi, lo] = splitSeq(v, what);
      if (!cfg.esn && hi !== 0) errs.push(`${what} ${v} needs ESN (more than 32 bits)`);
      if (what === 'seq' && hi === 0 && lo === 0) errs.push('seq 0 is never sent (RFC 4303 section 2.2: the first packet has number 1)');
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  return errs;
}

/**
 * The SA database of one device. SA indexes (what `b.sa` holds) are dense
 * from 0. Inbound SAs are found by SPI, and by outer destination where two
 * inbound SAs share an SPI.
 */
export class SaDatabase {
  readonly sas: Sa[] = [];
  /** Inbound SPI -> SA index; -2 when several SAs share the SPI (then `shared` resolves by destination). */
  private readonly bySpi = new Map<number, number>();
  private readonly shared = new Map<number, Sa[]>();
  /** Events not attributable to an SA (unknown SPI, headers too short to hold one). */
  readonly unattributed = new Float64Array(SA_COUNTER_NAMES.length);

  constructor(readonly backend: AeadBackend) {}

  /** Adds an SA; throws with every problem of its configuration listed. */
  add(cfg: SaConfig): Sa {
    const errs = checkSaConfig(cfg);
    const label = cfg.name ?? `SA spi 0x${(cfg.spi >>> 0).toString(16)}`;
    if (cfg.direction === 'inbound' && errs.length === 0) {
      const dup = this.inboundCandidates(cfg.spi).find((s) => sameBytes(s.dst, cfg.tunnelDst !== undefined ? addressBytes(cfg.tunnelDst) : new Uint8Array(0)));
      if (dup) errs.push(`inbound SPI 0x${cfg.spi.toString(16)} to the same destination as ${dup.name}`);
    }
    if (errs.length > 0) throw new Error(`${label}: ${errs.join('; ')}`);
    const sa = new Sa(this.sas.length, cfg, this.backend.addKey(cfg.key));
    this.sas.push(sa);
    if (!sa.outbound) {
      const prev = this.bySpi.get(sa.spi);
      if (prev === undefined) this.bySpi.set(sa.spi, sa.index);
      else {
        const list = prev >= 0 ? [this.sas[prev]!] : this.shared.get(sa.spi)!;
        list.push(sa);
        this.shared.set(sa.spi, list);
        this.bySpi.set(sa.spi, -2);
      }
    }
    return sa;
  }

  get(index: number): Sa | undefined {
    return this.sas[index];
  }

  /** The outbound SA with this index, or undefined. */
  outbound(index: number): Sa | undefined {
    const sa = this.sas[index];
    return sa !== undefined && sa.outbound ? sa : undefined;
  }

  private inboundCandidates(spi: number): Sa[] {
    const i = this.bySpi.get(spi >>> 0);
    if (i === undefined) return [];
    return i >= 0 ? [this.sas[i]!] : this.shared.get(spi >>> 0)!;
  }

  /**
   * Hot path: the index of the inbound SA for `spi`, with the packet's outer
   * destination at `d[dstOff, dstOff + dstLen)`; -1 when there is none. An SA
   * configured without a destination matches any; one with a destination of
   * the other family never matches.
   */
  lookupInbound(spi: number, d: Uint8Array, dstOff: number, dstLen: number): number {
    const i = this.bySpi.get(spi);
    if (i === undefined) return -1;
    if (i >= 0) {
      const sa = this.sas[i]!;
      return sa.dst.length === 0 || matchAt(sa.dst, d, dstOff, dstLen) ? i : -1;
    }
    const list = this.shared.get(spi)!;
    let wildcard = -1;
    for (let k = 0; k < list.length; k++) {
      const sa = list[k]!;
      if (sa.dst.length === 0) wildcard = sa.index;
      else if (matchAt(sa.dst, d, dstOff, dstLen)) return sa.index;
    }
    return wildcard;
  }

  /** Inbound SA by SPI (and destination address text), for configuration and tests. */
  findInbound(spi: number, dst?: string): Sa | undefined {
    const cands = this.inboundCandidates(spi);
    if (dst === undefined) return cands[0];
    const a = addressBytes(dst);
    return cands.find((s) => sameBytes(s.dst, a)) ?? cands.find((s) => s.dst.length === 0);
  }

  /** Counters summed over every SA plus the events no SA could be named for. */
  totals(): SaCounters {
    const sum = Float64Array.from(this.unattributed);
    for (const sa of this.sas) for (let i = 0; i < sum.length; i++) sum[i]! += sa.stats[i]!;
    return countersRecord(sum);
  }

  /** Frees every key in the backend. */
  close(): void {
    for (const sa of this.sas) this.backend.removeKey(sa.keyHandle);
    this.sas.length = 0;
    this.bySpi.clear();
    this.shared.clear();
  }
}

function matchAt(a: Uint8Array, d: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let k = 0; k < len; k++) if (a[k] !== d[off + k]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
