// esp-encrypt: ESP (RFC 4303) with AES-GCM (RFC 4106) on the outbound side,
// tunnel and transport mode, IPv4 and IPv6 outer headers in one body.
//
// Per vector: one pass gives each packet its sequence number, lays out
// headers, padding, trailer, nonce and AAD around it in its slot, appends a
// descriptor and sends it on; then ONE backend seal() for the whole vector
// (before any next node runs). Nothing is allocated per packet.
//
// Slot layout of an encrypted packet (tunnel mode shown):
//   slotStart: [nonce 12][pad 4][AAD 8|12] ... [outer IP][ESP hdr 8][IV 8][inner packet][pad][pl][nh][ICV]
// The IV is the 64-bit sequence number (the RFC 8750 choice, carried
// explicitly as RFC 4106 requires): unique per key without any state beyond
// the counter the SA has anyway.

import { GraphNode } from '../graph/node.js';
import { type Batch, F_TRACED, SLOT_COUNT } from '../packet/batch.js';
import { ipv4HeaderChecksum } from '../packet/checksum.js';
import { DESC_WORDS, D_AAD, D_AAD_LEN, D_DATA, D_DATA_LEN, D_KEY, D_NONCE, D_TAG, D_TAG_LEN } from '../crypto/aead.js';
import { formatSeq } from '../ipsec/esn.js';
import {
  DF_COPY, DF_SET, SA_ESN, SA_EXHAUSTED, SA_OUTBOUND, SA_STAT_SLOTS, SA_TUNNEL, S_BYTES, S_PACKETS, S_SEQ_CYCLED, type Sa, type SaDatabase,
} from '../ipsec/sa.js';

/** ESP header (SPI, sequence number) + the explicit 8-byte IV. */
export const ESP_HDR_IV_LEN = 16;
/** Scratch space at the start of each slot: nonce at +0 (12 bytes), AAD at +16 (8 or 12 bytes). */
export const ESP_SCRATCH_LEN = 32;
export const SCRATCH_NONCE = 0;
export const SCRATCH_AAD = 16;

const E_SEQ_CYCLED = 0;
const E_NO_SA = 1;
const E_BAD_INNER = 2;
const E_NO_SPACE = 3;

export interface EspEncryptOptions {
  /** Node name: 'esp-encrypt' by default ('esp4-encrypt' / 'esp6-encrypt' when a graph wants per-family names). */
  name?: string;
  /** Next node of packets that leave with an outer IPv4 header. */
  next4: string;
  /** Next node of packets that leave with an outer IPv6 header (may be the same node). */
  next6: string;
  /**
   * Test seam only: writes the 8-byte IV at d[at, at + 8) in place of the
   * sequence number, to reproduce published vectors whose IV is arbitrary.
   */
  ivOverride?: (sa: Sa, seqHi: number, seqLo: number, d: Uint8Array, at: number) => void;
}

/**
 * ESP framing around a payload already in place at d[dataOff, dataEnd), with
 * the IV already written at d[dataOff - 8, dataOff): the ESP header in front of
 * the IV, self-describing padding 1, 2, 3 ... to a 4-byte boundary, pad length
 * and next header behind the payload, nonce (salt || IV) and AAD (SPI || seq,
 * or SPI || seq_hi || seq_lo with ESN, RFC 4106 section 5) at `scratch`, and
 * descriptor `k` of `desc`. Returns the ICV's offset; the packet ends `icvLen`
 * bytes after it. Shared by the node and the known-answer tests.
 */
export function frameEspSeal(
  d: Uint8Array, desc: Uint32Array, k: number, keyHandle: number, salt: number, spi: number,
  seqHi: number, seqLo: number, esn: boolean, dataOff: number, dataEnd: number, nextHeader: number,
  icvLen: number, scratch: number,
): number {
  return frameSeal(slabView(d), d, desc, k, keyHandle, salt, spi, seqHi, seqLo, esn, dataOff, dataEnd, nextHeader, icvLen, scratch);
}

let viewOf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over the slab `d`, made once per slab: big-endian 32-bit loads
 * and stores with one bounds check each, where byte stores take four.
 */
export function slabView(d: Uint8Array): DataView {
  if (d !== viewOf) {
    view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    viewOf = d;
  }
  return view;
}

/** frameEspSeal with the slab's DataView `v` (the node's per-packet form). */
function frameSeal(
  v: DataView, d: Uint8Array, desc: Uint32Array, k: number, keyHandle: number, salt: number, spi: number,
  seqHi: number, seqLo: number, esn: boolean, dataOff: number, dataEnd: number, nextHeader: number,
  icvLen: number, scratch: number,
): number {
  const esp = dataOff - ESP_HDR_IV_LEN;
  v.setUint32(esp, spi);
  v.setUint32(esp + 4, seqLo);
  const padLen = (2 - (dataEnd - dataOff)) & 3;
  let p = dataEnd;
  for (let j = 1; j <= padLen; j++) d[p++] = j;
  d[p++] = padLen;
  d[p++] = nextHeader;
  const nonce = scratch + SCRATCH_NONCE;
  v.setUint32(nonce, salt);
  v.setUint32(nonce + 4, v.getUint32(esp + 8));
  v.setUint32(nonce + 8, v.getUint32(esp + 12));
  const aad = scratch + SCRATCH_AAD;
  v.setUint32(aad, spi);
  let aadLen = 8;
  if (esn) {
    v.setUint32(aad + 4, seqHi);
    v.setUint32(aad + 8, seqLo);
    aadLen = 12;
  } else v.setUint32(aad + 4, seqLo);
  const w = k * DESC_WORDS;
  desc[w + D_KEY] = keyHandle;
  desc[w + D_NONCE] = nonce;
  desc[w + D_AAD] = aad;
  desc[w + D_AAD_LEN] = aadLen;
  desc[w + D_DATA] = dataOff;
  desc[w + D_DATA_LEN] = p - dataOff;
  desc[w + D_TAG] = p;
  desc[w + D_TAG_LEN] = icvLen;
  return p;
}

/**
 * Length of the IPv6 headers that stay in front of ESP in transport mode
 * (base header, then hop-by-hop, routing and fragment headers, RFC 4303
 * section 3.1.1; destination options go inside), or -1 when the chain runs
 * past `end`. `out[0]` gets the offset of the next-header field that is to
 * point at ESP.
 */
function ipv6TransportSplit(d: Uint8Array, l3: number, end: number, out: Int32Array): number {
  let ptr = l3 + 6;
  let off = l3 + 40;
  let nh = d[ptr]!;
  for (let k = 0; k < 8 && (nh === 0 || nh === 43 || nh === 44); k++) {
    if (off + 8 > end) return -1;
    ptr = off;
    const len = nh === 44 ? 8 : (d[off + 1]! + 1) * 8;
    nh = d[off]!;
    off += len;
  }
  if (off > end || nh === 0 || nh === 43 || nh === 44) return -1;
  out[0] = ptr;
  return off - l3;
}

/**
 * esp-encrypt. Input: the inner IP packet at b.l3[slot] .. b.off + b.len,
 * b.sa[slot] the outbound SA index. Output: b.off = b.l3 = the outer IP
 * header (no L2 header), to `next4` or `next6` by outer family.
 */
export class EspEncrypt extends GraphNode {
  readonly name: string;
  readonly nextNames: readonly string[];
  /** Names as the graph's drop reasons; `seq_cycled` is also an SA counter. */
  override readonly errorNames = ['seq_cycled', 'no_outbound_sa', 'bad_inner_packet', 'no_buffer_space'];

  private readonly next4: number;
  private readonly next6: number;
  private readonly ivOverride: EspEncryptOptions['ivOverride'];
  private readonly desc = new Uint32Array(SLOT_COUNT * DESC_WORDS);
  private readonly chain = new Int32Array(1);

  constructor(private readonly db: SaDatabase, opts: EspEncryptOptions) {
    super();
    this.name = opts.name ?? 'esp-encrypt';
    this.nextNames = opts.next4 === opts.next6 ? [opts.next4] : [opts.next4, opts.next6];
    this.next4 = 0;
    this.next6 = opts.next4 === opts.next6 ? 0 : 1;
    this.ivOverride = opts.ivOverride;
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
    const count = db.count;
    const flags = db.flags;
    const seqHi = db.rw.hi;
    const seqLo = db.rw.lo;
    const stats = db.stats;
    const icvs = db.icv;
    const addrs = db.addrs;
    const desc = this.desc;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const slot = frame[i]!;
      const si = b.sa[slot]!;
      if (si >= count || (flags[si]! & SA_OUTBOUND) === 0) { this.drop(b, slot, E_NO_SA); continue; }
      const f = flags[si]!;
      const st = si * SA_STAT_SLOTS;
      if ((f & SA_EXHAUSTED) !== 0) {
        stats[st + S_SEQ_CYCLED]!++;
        this.drop(b, slot, E_SEQ_CYCLED);
        continue;
      }
      const l3 = b.l3[slot]!;
      const end = b.off[slot]! + b.len[slot]!;
      const innerLen = end - l3;
      const v = innerLen > 0 ? d[l3]! >>> 4 : 0;
      if ((v !== 4 || innerLen < 20) && (v !== 6 || innerLen < 40)) { this.drop(b, slot, E_BAD_INNER); continue; }

      // Where the ESP header goes, where the encrypted data starts, and its next header.
      const tunnel = (f & SA_TUNNEL) !== 0;
      let start: number; // first byte of the finished packet (outer IP header)
      let dataOff: number;
      let nh: number;
      let family: number;
      if (tunnel) {
        family = db.outerFamily(si);
        dataOff = l3;
        start = l3 - ESP_HDR_IV_LEN - (family === 4 ? 20 : 40);
        nh = v === 4 ? 4 : 41;
      } else {
        family = v;
        let hl: number;
        if (v === 4) {
          hl = (d[l3]! & 15) << 2;
          // A fragment cannot be given transport-mode ESP (RFC 4303 3.1.1: whole datagrams only).
          if (hl < 20 || hl > innerLen || ((d[l3 + 6]! & 0x3f) | d[l3 + 7]!) !== 0) { this.drop(b, slot, E_BAD_INNER); continue; }
          nh = d[l3 + 9]!;
        } else {
          hl = ipv6TransportSplit(d, l3, end, this.chain);
          if (hl < 0) { this.drop(b, slot, E_BAD_INNER); continue; }
          nh = d[this.chain[0]!]!;
        }
        dataOff = l3 + hl;
        start = l3 - ESP_HDR_IV_LEN;
      }
      const icvLen = icvs[si]!;
      const scratch = b.slotStart(slot);
      if (start < scratch + ESP_SCRATCH_LEN || end + 3 + 2 + icvLen > b.slotEnd(slot)) {
        this.drop(b, slot, E_NO_SPACE);
        continue;
      }
      if (!tunnel) {
        // The IP header (and the IPv6 headers that stay in front) moves up to make room for ESP header + IV.
        d.copyWithin(start, l3, dataOff);
        if (v === 4) d[start + 9] = 50;
        else d[this.chain[0]! - ESP_HDR_IV_LEN] = 50;
      }

      // The sequence number: never cycles (RFC 4303 3.3.3); the last one is 2^32 - 1, or 2^64 - 1 with ESN.
      const esn = (f & SA_ESN) !== 0;
      const hi = seqHi[si]!;
      const lo = seqLo[si]!;
      if (lo === 0xffffffff) {
        if (!esn || hi === 0xffffffff) flags[si] = f | SA_EXHAUSTED;
        else { seqHi[si] = hi + 1; seqLo[si] = 0; }
      } else seqLo[si] = lo + 1;

      const iv = dataOff - 8;
      dv.setUint32(iv, hi);
      dv.setUint32(iv + 4, lo);
      if (this.ivOverride !== undefined) this.ivOverride(db.get(si)!, hi, lo, d, iv);
      const spi = db.spi[si]!;
      const tag = frameSeal(dv, d, desc, m, db.key[si]!, db.salt[si]!, spi, hi, lo, esn, dataOff, end, nh, icvLen, scratch);
      const pktEnd = tag + icvLen;
      const total = pktEnd - start;

      if (tunnel) {
        // TOS / traffic class copied whole: DSCP, and ECN as RFC 6040's normal mode.
        const tos = v === 4 ? d[l3 + 1]! : ((d[l3]! & 15) << 4) | (d[l3 + 1]! >>> 4);
        const src = db.addrAt[si]!; // source address at addrs[src..], the destination right behind it
        if (family === 4) {
          const dfBit = db.df[si]!;
          const df = dfBit === DF_COPY ? (v === 4 ? d[l3 + 6]! & 0x40 : 0) : dfBit === DF_SET ? 0x40 : 0;
          // Version/IHL 0x45, TOS, total length; identification (the low 16 bits of the sequence
          // number, unique per SA within any 2^16 packets), flags (DF); TTL 64, protocol 50; addresses.
          // Written a word at a time, the checksum summed from the same words.
          const id = lo & 0xffff;
          const s32 = ((addrs[src]! << 24) | (addrs[src + 1]! << 16) | (addrs[src + 2]! << 8) | addrs[src + 3]!) >>> 0;
          const d32 = ((addrs[src + 4]! << 24) | (addrs[src + 5]! << 16) | (addrs[src + 6]! << 8) | addrs[src + 7]!) >>> 0;
          dv.setUint32(start, (0x4500 | tos) * 0x10000 + total);
          dv.setUint32(start + 4, id * 0x10000 + (df << 8));
          dv.setUint32(start + 12, s32);
          dv.setUint32(start + 16, d32);
          let c = (0x4500 | tos) + total + id + (df << 8) + 0x4032 + (s32 >>> 16) + (s32 & 0xffff) + (d32 >>> 16) + (d32 & 0xffff);
          c = (c & 0xffff) + (c >>> 16);
          c = (c & 0xffff) + (c >>> 16);
          dv.setUint32(start + 8, 0x40320000 | (~c & 0xffff));
        } else {
          const plen = total - 40;
          d[start] = 0x60 | (tos >>> 4);
          d[start + 1] = (tos & 15) << 4;
          d[start + 2] = 0;
          d[start + 3] = 0;
          d[start + 4] = plen >>> 8;
          d[start + 5] = plen;
          d[start + 6] = 50;
          d[start + 7] = 64;
          for (let j = 0; j < 16; j++) { d[start + 8 + j] = addrs[src + j]!; d[start + 24 + j] = addrs[src + 16 + j]!; }
        }
      } else if (family === 4) {
        const hl = dataOff - l3;
        d[start + 2] = total >>> 8;
        d[start + 3] = total;
        const c = ipv4HeaderChecksum(d, start, hl);
        d[start + 10] = c >>> 8;
        d[start + 11] = c;
      } else {
        const plen = total - 40;
        d[start + 4] = plen >>> 8;
        d[start + 5] = plen;
      }

      // Done but for the AEAD: the packet's metadata, counters and next node are set now (the next
      // node runs only after this one has returned, so after the one seal() below).
      stats[st + S_PACKETS]!++;
      stats[st + S_BYTES]! += innerLen;
      b.off[slot] = start;
      b.l3[slot] = start;
      b.len[slot] = total;
      if (b.flags[slot]! & F_TRACED) {
        this.g.trace.note(b.traceId[slot]!, `spi 0x${spi.toString(16).padStart(8, '0')} seq ${formatSeq(hi, lo)}`);
      }
      this.enqueue(family === 4 ? this.next4 : this.next6, slot);
      m++;
    }

    if (m > 0) db.backend.seal(d, desc, m);
  }
}
