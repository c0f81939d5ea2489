// Security associations (RFC 4301 section 4.4.2, the SAD) for ESP with
// AES-GCM (RFC 4106): the configured parameters, the sequence-number and
// anti-replay state, the AEAD key handle and the per-SA counters, named as
// Junos prints them in `show security ipsec statistics`.

import type { AeadBackend } from '../crypto/aead.js';
import { formatIpv4, formatIpv6, ipv4Value, parseIpv6 } from '../packet/addr.js';
import { splitSeq } from './esn.js';
import { REPLAY_WINDOW_DEFAULT, ReplayStore, ReplayWindow } from './replay.js';

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

/**
 * IPsec counters, `show security ipsec statistics` names in snake_case; the
 * C_* constants index them in totals and `unattributed` (per SA: S_* slots).
 */
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

/**
 * Per-SA counter slots: a row of SA_STAT_SLOTS doubles per SA (one cache
 * line), laid out by direction, since no SA counts both ways (bad_headers and
 * unknown_spi name no SA: they are the database's `unattributed`).
 */
export const SA_STAT_SLOTS = 8;
/** Outbound: encrypted, inbound: decrypted bytes / packets. */
export const S_BYTES = 0;
export const S_PACKETS = 1;
/** Outbound only. */
export const S_SEQ_CYCLED = 2;
/** Inbound only. */
export const S_AUTH_FAILURES = 2;
export const S_DECRYPTION_FAILURES = 3;
export const S_REPLAY_ERRORS = 4;
export const S_BAD_TRAILERS = 5;
export const S_DUMMY_PACKETS = 6;

/** SaDatabase.flags bits. */
export const SA_OUTBOUND = 1;
export const SA_TUNNEL = 2;
export const SA_ESN = 4;
export const SA_COPY_OUTER_DSCP = 8;
/** Outbound: the number space is used up (2^32 - 1 sent without ESN, 2^64 - 1 with). */
export const SA_EXHAUSTED = 16;
/** Anti-replay as configured (outbound SAs keep it for `config`; only inbound ones have a window). */
export const SA_ANTI_REPLAY = 32;

const CIPHERS: readonly EspCipher[] = ['aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm'];
const DF_NAMES: readonly DfBitMode[] = ['clear', 'set', 'copy'];
/** Key bytes kept per SA (the longest AES key), for esp_sa files and `config`. */
const KEY_SLOT = 32;

/**
 * One SA, as a view of its row in the database (made on demand for
 * configuration, `show` and tests; the hot path reads the database's arrays).
 */
export class Sa {
  constructor(readonly db: SaDatabase, readonly index: number) {}

  get name(): string {
    return this.db.names[this.index] ?? `sa-${this.index}`;
  }
  get spi(): number {
    return this.db.spi[this.index]!;
  }
  get outbound(): boolean {
    return (this.db.flags[this.index]! & SA_OUTBOUND) !== 0;
  }
  get direction(): SaDirection {
    return this.outbound ? 'outbound' : 'inbound';
  }
  get tunnel(): boolean {
    return (this.db.flags[this.index]! & SA_TUNNEL) !== 0;
  }
  /** Outer address family: 4 or 6 (0 in transport mode without addresses). */
  get outerFamily(): 0 | 4 | 6 {
    return this.db.outerFamily(this.index);
  }
  /** Outer source and destination, 4 or 16 bytes each (empty when not configured); copies. */
  get src(): Uint8Array {
    const db = this.db;
    const a = db.addrAt[this.index]!;
    return db.addrs.slice(a, a + db.srcLen[this.index]!);
  }
  get dst(): Uint8Array {
    const db = this.db;
    const a = db.addrAt[this.index]! + db.srcLen[this.index]!;
    return db.addrs.slice(a, a + db.dstLen[this.index]!);
  }
  get cipher(): EspCipher {
    return CIPHERS[this.db.cipher[this.index]!]!;
  }
  get icvLen(): number {
    return this.db.icv[this.index]!;
  }
  /** The salt as a big-endian uint32, written in front of the IV to form the nonce. */
  get salt(): number {
    return this.db.salt[this.index]!;
  }
  get esn(): boolean {
    return (this.db.flags[this.index]! & SA_ESN) !== 0;
  }
  get dfBit(): number {
    return this.db.df[this.index]!;
  }
  get copyOuterDscp(): boolean {
    return (this.db.flags[this.index]! & SA_COPY_OUTER_DSCP) !== 0;
  }
  get keyHandle(): number {
    return this.db.key[this.index]!;
  }
  /** Outbound: the next number to send, as (hi, lo). */
  get seqHi(): number {
    return this.db.rw.hi[this.index]!;
  }
  set seqHi(v: number) {
    this.db.rw.hi[this.index] = v;
  }
  get seqLo(): number {
    return this.db.rw.lo[this.index]!;
  }
  set seqLo(v: number) {
    this.db.rw.lo[this.index] = v;
  }
  get seqExhausted(): boolean {
    return (this.db.flags[this.index]! & SA_EXHAUSTED) !== 0;
  }
  set seqExhausted(v: boolean) {
    if (v) this.db.flags[this.index] |= SA_EXHAUSTED;
    else this.db.flags[this.index] &= ~SA_EXHAUSTED;
  }
  /** Inbound: anti-replay state, holding the highest number received. */
  get replay(): ReplayWindow {
    return new ReplayWindow(0, false, { store: this.db.rw, index: this.index });
  }
  /** This SA's counter slots (S_* by direction); a view, valid until the next SA is added. */
  get stats(): Float64Array {
    return this.db.stats.subarray(this.index * SA_STAT_SLOTS, (this.index + 1) * SA_STAT_SLOTS);
  }
  counters(): SaCounters {
    return this.db.counters(this.index);
  }
  /** What configuration gave (for esp_sa files and `show`), rebuilt from the database. */
  get config(): SaConfig {
    return this.db.configOf(this.index);
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

const NO_ADDRESS = new Uint8Array(0);

function formatAddress(b: Uint8Array): string {
  return b.length === 4 ? formatIpv4(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) : formatIpv6(b, 0);
}

/** Every problem with one SA's configuration (empty when it is usable). */
export function checkSaConfig(cfg: SaConfig): string[] {
  return checkSa(cfg, {});
}

/** checkSaConfig, leaving the outer addresses it parsed in `parsed` (the database keeps them). */
function checkSa(cfg: SaConfig, parsed: { src?: Uint8Array; dst?: Uint8Array }): string[] {
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
      const bytes = addressBytes(a);
      parsed[what === 'tunnelSrc' ? 'src' : 'dst'] = bytes;
      const f = bytes.length === 4 ? 4 : 6;
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
 * The SA database of one device, struct-of-arrays: one row per SA in typed
 * arrays (no object per SA: 100,000 VPNs are 200,000 SAs), anti-replay
 * windows and sequence counters in a ReplayStore, all windows' bits in its
 * one pool, inbound SPIs in an open-addressing table. SA indexes (what `b.sa`
 * holds) are dense from 0. Inbound SAs are found by SPI, and by outer
 * destination where two inbound SAs share an SPI.
 *
 * The arrays are replaced when they grow: the hot path reads them from the
 * database once per vector (no SA is added while a vector runs).
 *
 * What an SA costs here (after trim()): ~150 bytes of rows (counters 64, key
 * 32, sequence and window state 17, the rest 4 bytes or less each), plus
 * for an inbound SA the bits of its window (512 bytes at the default 4096)
 * and a slot of the SPI table; and in the native backend its key record
 * (448 bytes: crates/triode-crypto/src/gcm128.rs FastKeys).
 */
export class SaDatabase {
  /** SAs in the database. */
  count = 0;
  spi: Uint32Array = new Uint32Array(0);
  /** The salt as a big-endian uint32. */
  salt: Uint32Array = new Uint32Array(0);
  /** Key handle in the backend the database was made for. */
  key: Uint32Array = new Uint32Array(0);
  /** SA_* bits. */
  flags: Uint8Array = new Uint8Array(0);
  icv: Uint8Array = new Uint8Array(0);
  /** DF_CLEAR, DF_SET or DF_COPY. */
  df: Uint8Array = new Uint8Array(0);
  /** Index in CIPHERS. */
  cipher: Uint8Array = new Uint8Array(0);
  /** Outer source then destination address at addrs[addrAt[i]..], srcLen + dstLen bytes (0, 4 or 16 each). */
  addrAt: Uint32Array = new Uint32Array(0);
  srcLen: Uint8Array = new Uint8Array(0);
  dstLen: Uint8Array = new Uint8Array(0);
  addrs: Uint8Array = new Uint8Array(0);
  private addrsUsed = 0;
  /** Counters: SA_STAT_SLOTS per SA (S_* constants by direction). */
  stats: Float64Array = new Float64Array(0);
  /** Sequence state: outbound the next number to send (hi, lo), inbound the anti-replay window. */
  readonly rw = new ReplayStore();
  /** Names (the VPN's, shared with the configuration; undefined: `sa-<index>`). */
  readonly names: (string | undefined)[] = [];
  /** The AES keys, KEY_SLOT bytes per SA (esp_sa files; the backend holds the expanded ones). */
  private keyBytes: Uint8Array = new Uint8Array(0);
  /** Outer addresses as configured, where that spelling is not the canonical one. */
  private readonly addrText = new Map<number, [string | undefined, string | undefined]>();
  private capacity = 0;
  /** Inbound SPI table: open addressing, 0 = empty (SPI 0 is never valid); value: SA index, or -2 - k for shared[k]. */
  private spiKeys: Uint32Array = new Uint32Array(0);
  private spiVals: Int32Array = new Int32Array(0);
  private spiUsed = 0;
  /** Inbound SAs sharing an SPI (resolved by destination). */
  private readonly shared: number[][] = [];
  /** Views of every SA, made by `sas` (cold paths). */
  private views: Sa[] = [];
  /** Events not attributable to an SA (unknown SPI, headers too short to hold one), by SA_COUNTER_NAMES. */
  readonly unattributed = new Float64Array(SA_COUNTER_NAMES.length);

  constructor(readonly backend: AeadBackend) {}

  /** Adds an SA; throws with every problem of its configuration listed. */
  add(cfg: SaConfig): Sa {
    const parsed: { src?: Uint8Array; dst?: Uint8Array } = {};
    const errs = checkSa(cfg, parsed);
    const label = cfg.name ?? `SA spi 0x${(cfg.spi >>> 0).toString(16)}`;
    const src = parsed.src ?? NO_ADDRESS;
    const dst = parsed.dst ?? NO_ADDRESS;
    if (cfg.direction === 'inbound' && errs.length === 0) {
      const dup = this.inboundCandidates(cfg.spi >>> 0).find((i) => this.dstIs(i, dst));
      if (dup !== undefined) errs.push(`inbound SPI 0x${cfg.spi.toString(16)} to the same destination as ${this.names[dup] ?? `sa-${dup}`}`);
    }
    if (errs.length > 0) throw new Error(`${label}: ${errs.join('; ')}`);
    const handle = this.backend.addKey(cfg.key);
    const i = this.count;
    if (i === this.capacity) this.resize(Math.max(16, this.capacity * 2));
    this.count = i + 1;
    const outbound = cfg.direction === 'outbound';
    this.spi[i] = cfg.spi >>> 0;
    this.salt[i] = ((cfg.salt[0]! << 24) | (cfg.salt[1]! << 16) | (cfg.salt[2]! << 8) | cfg.salt[3]!) >>> 0;
    this.key[i] = handle;
    const antiReplay = cfg.antiReplay ?? true;
    this.flags[i] = (outbound ? SA_OUTBOUND : 0) | (cfg.mode === 'tunnel' ? SA_TUNNEL : 0) | (cfg.esn ? SA_ESN : 0)
      | (cfg.copyOuterDscp ? SA_COPY_OUTER_DSCP : 0) | (antiReplay ? SA_ANTI_REPLAY : 0);
    this.icv[i] = cfg.icvLength ?? 16;
    this.df[i] = cfg.dfBit === 'clear' ? DF_CLEAR : cfg.dfBit === 'set' ? DF_SET : DF_COPY;
    this.cipher[i] = CIPHERS.indexOf(cfg.cipher);
    this.keyBytes.set(cfg.key, i * KEY_SLOT);
    this.names[i] = cfg.name;
    this.reserveAddrs(src.length + dst.length);
    this.addrAt[i] = this.addrsUsed;
    this.srcLen[i] = src.length;
    this.dstLen[i] = dst.length;
    this.addrs.set(src, this.addrsUsed);
    this.addrs.set(dst, this.addrsUsed + src.length);
    this.addrsUsed += src.length + dst.length;
    const srcText = cfg.tunnelSrc !== undefined && formatAddress(src) !== cfg.tunnelSrc ? cfg.tunnelSrc : undefined;
    const dstText = cfg.tunnelDst !== undefined && formatAddress(dst) !== cfg.tunnelDst ? cfg.tunnelDst : undefined;
    if (srcText !== undefined || dstText !== undefined) this.addrText.set(i, [srcText, dstText]);
    // Outbound SAs keep their sequence counter in the store's (hi, lo) and have no window.
    this.rw.init(i, cfg.replayWindowSize ?? REPLAY_WINDOW_DEFAULT, !outbound && antiReplay);
    if (outbound) {
      const [hi, lo] = cfg.seq !== undefined ? splitSeq(cfg.seq, 'seq') : [0, 1];
      this.rw.hi[i] = hi;
      this.rw.lo[i] = lo;
    } else {
      if (cfg.highestSeen !== undefined) {
        const [hi, lo] = splitSeq(cfg.highestSeen, 'highestSeen');
        this.rw.seed(i, hi, lo);
      }
      this.addInbound(this.spi[i]!, i);
    }
    return new Sa(this, i);
  }

  /** Room for `n` SAs. */
  private resize(n: number): void {
    const u32 = (a: Uint32Array): Uint32Array => { const b = new Uint32Array(n); b.set(a.subarray(0, Math.min(a.length, n))); return b; };
    const u8 = (a: Uint8Array, k = 1): Uint8Array => { const b = new Uint8Array(n * k); b.set(a.subarray(0, Math.min(a.length, n * k))); return b; };
    this.spi = u32(this.spi);
    this.salt = u32(this.salt);
    this.key = u32(this.key);
    this.flags = u8(this.flags);
    this.icv = u8(this.icv);
    this.df = u8(this.df);
    this.cipher = u8(this.cipher);
    this.addrAt = u32(this.addrAt);
    this.srcLen = u8(this.srcLen);
    this.dstLen = u8(this.dstLen);
    this.keyBytes = u8(this.keyBytes, KEY_SLOT);
    const st = new Float64Array(n * SA_STAT_SLOTS);
    st.set(this.stats.subarray(0, Math.min(this.stats.length, n * SA_STAT_SLOTS)));
    this.stats = st;
    this.rw.resize(n);
    this.capacity = n;
  }

  private reserveAddrs(n: number): void {
    if (this.addrsUsed + n <= this.addrs.length) return;
    const b = new Uint8Array(Math.max(this.addrsUsed + n, this.addrs.length * 2, 64));
    b.set(this.addrs.subarray(0, this.addrsUsed));
    this.addrs = b;
  }

  /**
   * Gives back what growth by doubling left unused (call after adding a bulk
   * of SAs, e.g. a device's VPNs): the arrays then hold exactly `count` SAs.
   */
  trim(): void {
    if (this.capacity !== this.count) this.resize(this.count);
    if (this.addrs.length !== this.addrsUsed) this.addrs = this.addrs.slice(0, this.addrsUsed);
    this.rw.trimBits();
  }

  private addInbound(spi: number, i: number): void {
    if ((this.spiUsed + 1) * 2 > this.spiKeys.length) this.rehash(Math.max(16, this.spiKeys.length * 2));
    const slot = this.spiSlot(spi);
    if (this.spiKeys[slot] === 0) {
      this.spiKeys[slot] = spi;
      this.spiVals[slot] = i;
      this.spiUsed++;
      return;
    }
    const v = this.spiVals[slot]!;
    if (v >= 0) {
      this.shared.push([v, i]);
      this.spiVals[slot] = -2 - (this.shared.length - 1);
    } else this.shared[-2 - v]!.push(i);
  }

  private rehash(size: number): void {
    const keys = this.spiKeys;
    const vals = this.spiVals;
    this.spiKeys = new Uint32Array(size);
    this.spiVals = new Int32Array(size);
    for (let k = 0; k < keys.length; k++) {
      if (keys[k] === 0) continue;
      const slot = this.spiSlot(keys[k]!);
      this.spiKeys[slot] = keys[k]!;
      this.spiVals[slot] = vals[k]!;
    }
  }

  /** The SPI's slot in the table: where it is, or the empty slot where it would go. */
  private spiSlot(spi: number): number {
    const keys = this.spiKeys;
    const mask = keys.length - 1;
    let h = Math.imul(spi, 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const k = keys[h]!;
      if (k === spi || k === 0) return h;
      h = (h + 1) & mask;
    }
  }

  /** Inbound SAs with this SPI, in the order they were added. */
  private inboundCandidates(spi: number): number[] {
    if (this.spiKeys.length === 0 || spi === 0) return [];
    const slot = this.spiSlot(spi);
    if (this.spiKeys[slot] === 0) return [];
    const v = this.spiVals[slot]!;
    return v >= 0 ? [v] : this.shared[-2 - v]!;
  }

  /** Whether SA i's configured destination is `a` (empty: none configured). */
  private dstIs(i: number, a: Uint8Array): boolean {
    const n = this.dstLen[i]!;
    if (n !== a.length) return false;
    const at = this.addrAt[i]! + this.srcLen[i]!;
    for (let k = 0; k < n; k++) if (this.addrs[at + k] !== a[k]) return false;
    return true;
  }

  /** SA i's outer address family: 4 or 6 (0 in transport mode without addresses). */
  outerFamily(i: number): 0 | 4 | 6 {
    const len = this.dstLen[i] || this.srcLen[i];
    return len === 4 ? 4 : len === 16 ? 6 : 0;
  }

  /** SA i's outer destination as an IPv4 number, or -1 when it has none or an IPv6 one. */
  dst4(i: number): number {
    if (this.dstLen[i] !== 4) return -1;
    const at = this.addrAt[i]! + this.srcLen[i]!;
    const a = this.addrs;
    return ((a[at]! << 24) | (a[at + 1]! << 16) | (a[at + 2]! << 8) | a[at + 3]!) >>> 0;
  }

  /** Whether SA i's outer destination is the `len`-byte address at d[off..]. */
  dstAt(i: number, d: Uint8Array, off: number, len: number): boolean {
    if (this.dstLen[i] !== len) return false;
    const at = this.addrAt[i]! + this.srcLen[i]!;
    const a = this.addrs;
    for (let k = 0; k < len; k++) if (a[at + k] !== d[off + k]) return false;
    return true;
  }

  /** A view of SA `index`, or undefined. */
  get(index: number): Sa | undefined {
    return index >= 0 && index < this.count ? this.views[index] ?? new Sa(this, index) : undefined;
  }

  /** The outbound SA with this index, or undefined. */
  outbound(index: number): Sa | undefined {
    const sa = this.get(index);
    return sa !== undefined && sa.outbound ? sa : undefined;
  }

  /** Views of every SA (cold paths: `show`, statistics, tests); made once, kept while SAs are added. */
  get sas(): readonly Sa[] {
    for (let i = this.views.length; i < this.count; i++) this.views.push(new Sa(this, i));
    return this.views;
  }

  /**
   * Hot path: the index of the inbound SA for `spi`, with the packet's outer
   * destination at `d[dstOff, dstOff + dstLen)`; -1 when there is none. An SA
   * configured without a destination matches any; one with a destination of
   * the other family never matches.
   */
  lookupInbound(spi: number, d: Uint8Array, dstOff: number, dstLen: number): number {
    const keys = this.spiKeys;
    if (keys.length === 0 || spi === 0) return -1;
    const mask = keys.length - 1;
    let h = Math.imul(spi, 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const k = keys[h]!;
      if (k === spi) break;
      if (k === 0) return -1;
      h = (h + 1) & mask;
    }
    const i = this.spiVals[h]!;
    if (i >= 0) return this.dstLen[i] === 0 || this.dstAt(i, d, dstOff, dstLen) ? i : -1;
    const list = this.shared[-2 - i]!;
    let wildcard = -1;
    for (let k = 0; k < list.length; k++) {
      const j = list[k]!;
      if (this.dstLen[j] === 0) wildcard = j;
      else if (this.dstAt(j, d, dstOff, dstLen)) return j;
    }
    return wildcard;
  }

  /** Inbound SA by SPI (and destination address text), for configuration and tests. */
  findInbound(spi: number, dst?: string): Sa | undefined {
    const cands = this.inboundCandidates(spi >>> 0);
    if (dst === undefined) return this.get(cands[0] ?? -1);
    const a = addressBytes(dst);
    return this.get(cands.find((i) => this.dstIs(i, a)) ?? cands.find((i) => this.dstLen[i] === 0) ?? -1);
  }

  /** SA i's counters with their Junos names. */
  counters(i: number): SaCounters {
    const out = countersRecord(new Float64Array(SA_COUNTER_NAMES.length));
    const c = this.stats;
    const o = i * SA_STAT_SLOTS;
    if ((this.flags[i]! & SA_OUTBOUND) !== 0) {
      out.encrypted_bytes = c[o + S_BYTES]!;
      out.encrypted_packets = c[o + S_PACKETS]!;
      out.seq_cycled = c[o + S_SEQ_CYCLED]!;
    } else {
      out.decrypted_bytes = c[o + S_BYTES]!;
      out.decrypted_packets = c[o + S_PACKETS]!;
      out.esp_authentication_failures = c[o + S_AUTH_FAILURES]!;
      out.esp_decryption_failures = c[o + S_DECRYPTION_FAILURES]!;
      out.replay_errors = c[o + S_REPLAY_ERRORS]!;
      out.bad_trailers = c[o + S_BAD_TRAILERS]!;
      out.dummy_packets = c[o + S_DUMMY_PACKETS]!;
    }
    return out;
  }

  /** Counters summed over every SA plus the events no SA could be named for. */
  totals(): SaCounters {
    const sum = countersRecord(this.unattributed);
    for (let i = 0; i < this.count; i++) {
      const c = this.counters(i);
      for (const n of SA_COUNTER_NAMES) sum[n] += c[n];
    }
    return sum;
  }

  /** SA i's configuration as it was given (sequence state aside: that is the SA's own now). */
  configOf(i: number): SaConfig {
    const cipher = CIPHERS[this.cipher[i]!]!;
    const f = this.flags[i]!;
    const at = this.addrAt[i]!;
    const sl = this.srcLen[i]!;
    const dl = this.dstLen[i]!;
    const text = this.addrText.get(i);
    const s = this.salt[i]!;
    const cfg: SaConfig = {
      name: this.names[i],
      spi: this.spi[i]!,
      direction: f & SA_OUTBOUND ? 'outbound' : 'inbound',
      mode: f & SA_TUNNEL ? 'tunnel' : 'transport',
      tunnelSrc: text?.[0] ?? (sl ? formatAddress(this.addrs.subarray(at, at + sl)) : undefined),
      tunnelDst: text?.[1] ?? (dl ? formatAddress(this.addrs.subarray(at + sl, at + sl + dl)) : undefined),
      cipher,
      icvLength: this.icv[i] as 8 | 12 | 16,
      key: this.keyBytes.slice(i * KEY_SLOT, i * KEY_SLOT + ESP_CIPHER_KEY_LEN[cipher]),
      salt: Uint8Array.of(s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff),
      esn: (f & SA_ESN) !== 0,
      antiReplay: (f & SA_ANTI_REPLAY) !== 0,
      replayWindowSize: this.rw.size[i],
      dfBit: DF_NAMES[this.df[i]!],
      copyOuterDscp: (f & SA_COPY_OUTER_DSCP) !== 0,
    };
    if (cfg.name === undefined) delete cfg.name;
    if (cfg.tunnelSrc === undefined) delete cfg.tunnelSrc;
    if (cfg.tunnelDst === undefined) delete cfg.tunnelDst;
    return cfg;
  }

  /**
   * Bytes of the database's own arrays (what its SAs cost in typed arrays,
   * capacity included; the names array and the backend's key contexts are
   * not in it: see keyMemory() of the native backend).
   */
  arrayBytes(): number {
    const arrays = [
      this.spi, this.salt, this.key, this.flags, this.icv, this.df, this.cipher, this.addrAt, this.srcLen, this.dstLen,
      this.addrs, this.stats, this.keyBytes, this.spiKeys, this.spiVals,
      this.rw.hi, this.rw.lo, this.rw.size, this.rw.on, this.rw.at, this.rw.bits,
    ];
    return arrays.reduce((s, a) => s + a.byteLength, 0);
  }

  /** Bytes of the inbound SPI table (part of arrayBytes()). */
  spiTableBytes(): number {
    return this.spiKeys.byteLength + this.spiVals.byteLength;
  }

  /** Frees every key in the backend. */
  close(): void {
    for (let i = 0; i < this.count; i++) this.backend.removeKey(this.key[i]!);
    this.keyBytes.fill(0);
    this.count = 0;
    this.capacity = 0;
    this.resize(0);
    this.addrs = new Uint8Array(0);
    this.addrsUsed = 0;
    this.rw.bits = new Uint32Array(0);
    this.rw.bitsUsed = 0;
    this.names.length = 0;
    this.addrText.clear();
    this.spiKeys = new Uint32Array(0);
    this.spiVals = new Int32Array(0);
    this.spiUsed = 0;
    this.shared.length = 0;
    this.views = [];
  }
}
