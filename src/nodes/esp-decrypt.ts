// esp-decrypt: ESP (RFC 4303) with AES-GCM (RFC 4106) on the inbound side,
// tunnel and transport mode, IPv4 and IPv6 outer headers in one body.
//
// Per vector: a first pass parses each packet, finds its SA, infers the ESN
// high bits and checks the anti-replay window (before any crypto, RFC 4303
// 3.4.3), writing nonce and AAD into the slot's scratch space and appending a
// descriptor; then ONE backend open() for the whole vector; then a last pass
// moves the window of each packet whose ICV verified, checks its trailer and
// strips ESP.
//
// Drop reasons, which are also the SA counters (Junos `show security ipsec
// statistics`), by case:
//   bad_headers                  outer header not IPv4/IPv6 carrying ESP, an outer fragment, a length
//                                beyond the frame, SPI 0, or less than ESP header + IV (16 bytes):
//                                nothing an SA could be named for (counted in the unattributed totals)
//   unknown_spi                  no inbound SA for the SPI (and outer destination)
//   esp_decryption_failures      the SA's framing cannot fit: the rest after ESP header + IV is shorter
//                                than the SA's ICV + pad length + next header (an ICV shorter than the
//                                SA's), or the ciphertext does not end on a 4-byte boundary (RFC 4303
//                                2.4). Both are checked before crypto; the window does not move
//   replay_errors                sequence number 0, outside or already in the window, or an inferred
//                                ESN outside 0 .. 2^64 - 1; also a copy of a packet accepted earlier in
//                                the same vector (found when the window is updated after open)
//   esp_authentication_failures  ICV check failed
//   bad_trailers                 pad length longer than the payload, pad bytes not 1, 2, 3 ..., a next
//                                header other than 4 / 41 in tunnel mode or not matching the inner IP
//                                version (the window has moved: the packet was authentic)
// Next header 59 (a dummy packet, RFC 4303 2.6) is taken in silently and
// counted as `dummy_packets` (consumed, not dropped).

import { GraphNode } from '../graph/node.js';
import { type Batch, F_TRACED, SLOT_COUNT } from '../packet/batch.js';
import { ipv4HeaderChecksum } from '../packet/checksum.js';
import { DESC_WORDS, D_AAD, D_AAD_LEN, D_DATA, D_DATA_LEN, D_KEY, D_NONCE, D_TAG, D_TAG_LEN, OPEN_OK } from '../crypto/aead.js';
import { formatSeq, inferSeqHi, SEQ_HI_NONE } from '../ipsec/esn.js';
import { REPLAY_OK } from '../ipsec/replay.js';
import {
  C_BAD_HEADERS, C_UNKNOWN_SPI, SA_COPY_OUTER_DSCP, SA_ESN, SA_STAT_SLOTS, SA_TUNNEL, S_AUTH_FAILURES, S_BAD_TRAILERS, S_BYTES,
  S_DECRYPTION_FAILURES, S_DUMMY_PACKETS, S_PACKETS, S_REPLAY_ERRORS, type SaDatabase,
} from '../ipsec/sa.js';
import { ESP_HDR_IV_LEN, ESP_SCRATCH_LEN, SCRATCH_AAD, SCRATCH_NONCE, slabView } from './esp-encrypt.js';

const E_BAD_HEADERS = 0;
const E_UNKNOWN_SPI = 1;
const E_DECRYPTION = 2;
const E_REPLAY = 3;
const E_AUTH = 4;
const E_BAD_TRAILERS = 5;
const E_NO_SPACE = 6;

/** Node counter: dummy packets taken in. */
const K_DUMMY = 0;

export interface EspDecryptOptions {
  /** Node name: 'esp-decrypt' by default ('esp4-decrypt' / 'esp6-decrypt' when a graph wants per-family names). */
  name?: string;
  /** Next node of decrypted packets that are IPv4 (the inner packet in tunnel mode, the rebuilt one in transport mode). */
  next4: string;
  /** Next node of decrypted IPv6 packets (may be the same node). */
  next6: string;
}

/**
 * Nonce (salt || IV from the packet) and AAD into `scratch` and descriptor `k`
 * for the ESP packet at `esp` whose ciphertext is `ctLen` bytes followed by an
 * `icvLen`-byte ICV. Shared by the node and the known-answer tests.
 */
export function frameEspOpen(
  d: Uint8Array, desc: Uint32Array, k: number, keyHandle: number, salt: number,
  seqHi: number, esn: boolean, esp: number, ctLen: number, icvLen: number, scratch: number,
): void {
  frameOpen(slabView(d), desc, k, keyHandle, salt, seqHi, esn, esp, ctLen, icvLen, scratch);
}

/** frameEspOpen with the slab's DataView `v` (the node's per-packet form). */
function frameOpen(
  v: DataView, desc: Uint32Array, k: number, keyHandle: number, salt: number,
  seqHi: number, esn: boolean, esp: number, ctLen: number, icvLen: number, scratch: number,
): void {
  const nonce = scratch + SCRATCH_NONCE;
  v.setUint32(nonce, salt);
  v.setUint32(nonce + 4, v.getUint32(esp + 8));
  v.setUint32(nonce + 8, v.getUint32(esp + 12));
  const aad = scratch + SCRATCH_AAD;
  v.setUint32(aad, v.getUint32(esp));
  let aadLen = 8;
  if (esn) {
    v.setUint32(aad + 4, seqHi);
    v.setUint32(aad + 8, v.getUint32(esp + 4));
    aadLen = 12;
  } else v.setUint32(aad + 4, v.getUint32(esp + 4));
  const w = k * DESC_WORDS;
  desc[w + D_KEY] = keyHandle;
  desc[w + D_NONCE] = nonce;
  desc[w + D_AAD] = aad;
  desc[w + D_AAD_LEN] = aadLen;
  desc[w + D_DATA] = esp + ESP_HDR_IV_LEN;
  desc[w + D_DATA_LEN] = ctLen;
  desc[w + D_TAG] = esp + ESP_HDR_IV_LEN + ctLen;
  desc[w + D_TAG_LEN] = icvLen;
}

/**
 * esp-decrypt. Input: b.l3[slot] = the outer IP header of an ESP packet.
 * Output: b.off = b.l3 = the inner packet (tunnel mode) or the IP packet with
 * ESP removed (transport mode), b.len trimmed to it, b.sa = the inbound SA;
 * to `next4` or `next6` by its IP version.
 */
export class EspDecrypt extends GraphNode {
  readonly name: string;
  readonly nextNames: readonly string[];
  override readonly errorNames = [
    'bad_headers', 'unknown_spi', 'esp_decryption_failures', 'replay_errors', 'esp_authentication_failures', 'bad_trailers',
    'no_buffer_space',
  ];
  override readonly counterNames = ['dummy_packets'];

  private readonly next4: number;
  private readonly next6: number;
  private readonly desc = new Uint32Array(SLOT_COUNT * DESC_WORDS);
  private readonly status = new Uint8Array(SLOT_COUNT);
  private readonly pendSlot = new Uint16Array(SLOT_COUNT);
  private readonly pendEsp = new Uint32Array(SLOT_COUNT);
  /** Offset of the next-header field that points at ESP (IPv4 protocol, or the last IPv6 next header). */
  private readonly pendPtr = new Uint32Array(SLOT_COUNT);
  private readonly pendCtLen = new Uint16Array(SLOT_COUNT);
  private readonly pendHi = new Uint32Array(SLOT_COUNT);
  private readonly pendLo = new Uint32Array(SLOT_COUNT);

  constructor(private readonly db: SaDatabase, opts: EspDecryptOptions) {
    super();
    this.name = opts.name ?? 'esp-decrypt';
    this.nextNames = opts.next4 === opts.next6 ? [opts.next4] : [opts.next4, opts.next6];
    this.next4 = 0;
    this.next6 = opts.next4 === opts.next6 ? 0 : 1;
  }

  /**
   * Set in a replica of several (`--workers`): keeps the packets of SAs this
   * replica owns at the front of the frame, ships the others to their owner,
   * and returns how many stay.
   */
  handoff: ((b: Batch, frame: Uint16Array, n: number) => number) | null = null;

  process(b: Batch, frame: Uint16Array, n: number): void {
    if (this.handoff !== null) n = this.handoff(b, frame, n);
    const d = b.data;
    const dv = slabView(d);
    const db = this.db;
    // The SA database's rows (struct of arrays), read once per vector.
    const flags = db.flags;
    const stats = db.stats;
    const icvs = db.icv;
    const rw = db.rw;
    const un = db.unattributed;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const slot = frame[i]!;
      const l3 = b.l3[slot]!;
      const avail = b.off[slot]! + b.len[slot]! - l3;
      const v = avail > 0 ? d[l3]! >>> 4 : 0;
      let esp = 0;
      let ptr = 0;
      let pktEnd = 0;
      let dstOff = 0;
      let dstLen = 0;
      if (v === 4 && avail >= 20) {
        const hl = (d[l3]! & 15) << 2;
        const total = (d[l3 + 2]! << 8) | d[l3 + 3]!;
        // Outer fragments are reassembled before this node; one arriving here is not decryptable as is.
        if (hl < 20 || total < hl || total > avail || d[l3 + 9] !== 50 || ((d[l3 + 6]! & 0x3f) | d[l3 + 7]!) !== 0) {
          un[C_BAD_HEADERS]!++;
          this.drop(b, slot, E_BAD_HEADERS);
          continue;
        }
        esp = l3 + hl;
        ptr = l3 + 9;
        pktEnd = l3 + total;
        dstOff = l3 + 16;
        dstLen = 4;
      } else if (v === 6 && avail >= 40) {
        pktEnd = l3 + 40 + ((d[l3 + 4]! << 8) | d[l3 + 5]!);
        ptr = l3 + 6;
        esp = l3 + 40;
        let nh = d[ptr]!;
        // Hop-by-hop, routing and destination options may precede ESP; a fragment header may not (reassembled earlier).
        for (let k = 0; k < 8 && (nh === 0 || nh === 43 || nh === 60) && esp + 8 <= pktEnd; k++) {
          ptr = esp;
          nh = d[esp]!;
          esp += (d[esp + 1]! + 1) * 8;
        }
        if (pktEnd > l3 + avail || nh !== 50 || esp > pktEnd) {
          un[C_BAD_HEADERS]!++;
          this.drop(b, slot, E_BAD_HEADERS);
          continue;
        }
        dstOff = l3 + 24;
        dstLen = 16;
      } else {
        un[C_BAD_HEADERS]!++;
        this.drop(b, slot, E_BAD_HEADERS);
        continue;
      }
      const espLen = pktEnd - esp;
      const spi = espLen >= 4 ? dv.getUint32(esp) : 0;
      if (espLen < ESP_HDR_IV_LEN || spi === 0) {
        un[C_BAD_HEADERS]!++;
        this.drop(b, slot, E_BAD_HEADERS);
        continue;
      }
      const si = db.lookupInbound(spi, d, dstOff, dstLen);
      if (si < 0) {
        un[C_UNKNOWN_SPI]!++;
        this.drop(b, slot, E_UNKNOWN_SPI);
        continue;
      }
      b.sa[slot] = si;
      const st = si * SA_STAT_SLOTS;
      const icvLen = icvs[si]!;
      const ctLen = espLen - ESP_HDR_IV_LEN - icvLen;
      if (ctLen < 2 || (ctLen & 3) !== 0) {
        stats[st + S_DECRYPTION_FAILURES]!++;
        this.drop(b, slot, E_DECRYPTION);
        continue;
      }
      const lo = dv.getUint32(esp + 4);
      const esn = (flags[si]! & SA_ESN) !== 0;
      const hi = esn ? inferSeqHi(lo, rw.hi[si]!, rw.lo[si]!, rw.inferenceWindow(si)) : 0;
      if (hi === SEQ_HI_NONE || rw.check(si, hi, lo) !== REPLAY_OK) {
        stats[st + S_REPLAY_ERRORS]!++;
        this.drop(b, slot, E_REPLAY);
        continue;
      }
      const scratch = b.slotStart(slot);
      if (l3 < scratch + ESP_SCRATCH_LEN) {
        this.drop(b, slot, E_NO_SPACE);
        continue;
      }
      frameOpen(dv, this.desc, m, db.key[si]!, db.salt[si]!, hi, esn, esp, ctLen, icvLen, scratch);
      this.pendSlot[m] = slot;
      this.pendEsp[m] = esp;
      this.pendPtr[m] = ptr;
      this.pendCtLen[m] = ctLen;
      this.pendHi[m] = hi;
      this.pendLo[m] = lo;
      m++;
    }

    if (m === 0) return;
    const status = this.status;
    db.backend.open(d, this.desc, m, status);

    for (let k = 0; k < m; k++) {
      const slot = this.pendSlot[k]!;
      const si = b.sa[slot]!;
      const st = si * SA_STAT_SLOTS;
      if (status[k] !== OPEN_OK) {
        stats[st + S_AUTH_FAILURES]!++;
        this.drop(b, slot, E_AUTH);
        continue;
      }
      // The window moves only now; a copy accepted earlier in this vector is caught here.
      if (rw.update(si, this.pendHi[k]!, this.pendLo[k]!) !== REPLAY_OK) {
        stats[st + S_REPLAY_ERRORS]!++;
        this.drop(b, slot, E_REPLAY);
        continue;
      }
      const esp = this.pendEsp[k]!;
      const ctLen = this.pendCtLen[k]!;
      const data = esp + ESP_HDR_IV_LEN;
      const tEnd = data + ctLen;
      const nh = d[tEnd - 1]!;
      const padLen = d[tEnd - 2]!;
      const innerLen = ctLen - 2 - padLen;
      let bad = innerLen < 0;
      for (let j = 1; !bad && j <= padLen; j++) bad = d[tEnd - 2 - padLen + j - 1] !== j;
      if (bad) {
        stats[st + S_BAD_TRAILERS]!++;
        this.drop(b, slot, E_BAD_TRAILERS);
        continue;
      }
      if (nh === 59) {
        stats[st + S_DUMMY_PACKETS]!++;
        this.counters[K_DUMMY]!++;
        this.g.consume(slot, 'esp dummy packet');
        continue;
      }
      let start: number;
      let len: number;
      const f = flags[si]!;
      if ((f & SA_TUNNEL) !== 0) {
        const iv = innerLen > 0 ? d[data]! >>> 4 : 0;
        if (!((nh === 4 && iv === 4) || (nh === 41 && iv === 6))) {
          stats[st + S_BAD_TRAILERS]!++;
          this.drop(b, slot, E_BAD_TRAILERS);
          continue;
        }
        start = data;
        len = innerLen;
        if ((f & SA_COPY_OUTER_DSCP) !== 0) copyOuterDscp(d, b.l3[slot]!, start);
      } else {
        // Transport: the IP header (and any IPv6 headers before ESP) moves up over ESP header + IV.
        const l3 = b.l3[slot]!;
        const ptr = this.pendPtr[k]!;
        d.copyWithin(l3 + ESP_HDR_IV_LEN, l3, esp);
        start = l3 + ESP_HDR_IV_LEN;
        d[ptr + ESP_HDR_IV_LEN] = nh;
        const hl = esp - l3;
        len = hl + innerLen;
        if ((d[start]! >>> 4) === 4) {
          d[start + 2] = len >>> 8;
          d[start + 3] = len;
          const c = ipv4HeaderChecksum(d, start, hl);
          d[start + 10] = c >>> 8;
          d[start + 11] = c;
        } else {
          const plen = len - 40;
          d[start + 4] = plen >>> 8;
          d[start + 5] = plen;
        }
      }
      b.off[slot] = start;
      b.l3[slot] = start;
      b.len[slot] = len;
      stats[st + S_PACKETS]!++;
      stats[st + S_BYTES]! += len;
      if (b.flags[slot]! & F_TRACED) {
        const seq = formatSeq(this.pendHi[k]!, this.pendLo[k]!);
        this.g.trace.note(b.traceId[slot]!, `spi 0x${db.spi[si]!.toString(16).padStart(8, '0')} seq ${seq}`);
      }
      this.enqueue((d[start]! >>> 4) === 4 ? this.next4 : this.next6, slot);
    }
  }
}

/**
 * Junos `copy-outer-dscp`: the outer header's DSCP replaces the inner one
 * after decryption (the inner ECN bits stay as they are). IPv4 inner headers
 * get an RFC 1624 checksum update.
 */
export function copyOuterDscp(d: Uint8Array, outer: number, inner: number): void {
  const dscp = d[outer]! >>> 4 === 4 ? d[outer + 1]! & 0xfc : ((d[outer]! & 15) << 4 | d[outer + 1]! >>> 4) & 0xfc;
  if (d[inner]! >>> 4 === 4) {
    const old = d[inner + 1]!;
    const tos = dscp | (old & 3);
    if (tos === old) return;
    d[inner + 1] = tos;
    // HC' = ~(~HC + ~m + m') over the 16-bit word holding version/IHL and TOS.
    const m = (d[inner]! << 8) | old;
    const m2 = (d[inner]! << 8) | tos;
    let c = (~((d[inner + 10]! << 8) | d[inner + 11]!) & 0xffff) + (~m & 0xffff) + m2;
    c = (c & 0xffff) + (c >>> 16);
    c = (c & 0xffff) + (c >>> 16);
    c = ~c & 0xffff;
    d[inner + 10] = c >>> 8;
    d[inner + 11] = c;
  } else {
    const tc = (((d[inner]! & 15) << 4) | (d[inner + 1]! >>> 4)) & 3 | dscp;
    d[inner] = 0x60 | (tc >>> 4);
    d[inner + 1] = ((tc & 15) << 4) | (d[inner + 1]! & 15);
  }
}
