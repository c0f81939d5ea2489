// pcapng decoding (draft-ietf-opsawg-pcapng) over a ChunkedFile.
//
// Handles SHB (each section with its own byte order; interface ids restart
// per section), IDB (link type, snaplen, if_tsresol, if_tsoffset), EPB, SPB
// and the obsolete Packet Block (type 2). Every other block type is skipped;
// blocks larger than the chunk are skipped without being read.
//
// Timestamps are converted to (seconds, nanoseconds) exactly, without BigInt,
// for resolutions 10^-k (k ≤ 9) and 2^-k (k ≤ 32): 64-bit tick counts are
// divided in 16-bit digits so every intermediate stays below 2^53. Finer or
// stranger resolutions fall back to BigInt. Sub-nanosecond remainders are
// truncated, as Wireshark does. A Simple Packet Block has no timestamp: it is
// reported as 0 s 0 ns (as Wireshark shows it) on interface 0 of its section.

import type { ChunkedFile } from './chunked-file.js';
import { LINKTYPE_ETHERNET, unsupportedLinkTypeReason } from './linktype.js';
import type { CaptureRecord } from './reader.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const SHB_MIN_LEN = 28;
const IDB_MIN_LEN = 20;
const SPB_MIN_LEN = 16;
const EPB_MIN_LEN = 32;
/** SHB and IDB are buffered whole; a longer one (options only) is taken as corrupt. */
const MAX_META_BLOCK = 16 << 20;
/** Room for options after the packet data of an EPB. */
const MAX_PACKET_BLOCK_OPTIONS = 1 << 20;
const TWO16 = 65536;
const TWO32 = 4294967296;
/** Ticks per second up to which hi * 2^32 + lo is split in 16-bit digits exactly. */
const MAX_FAST_UNITS = TWO32;

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

export class PcapngDecoder {
  /** Byte order of the current section. */
  littleEndian = true;
  /** Some interface seen so far has a timestamp resolution finer than 1 µs. */
  nanosecond = false;

  private readonly file: ChunkedFile;
  private readonly maxCaplen: number;
  private readonly requireEthernet: boolean;
  private readonly maxPacketBlock: number;
  /** Global index of this section's interface 0, and the number of interfaces defined in this section. */
  private sectionBase = 0;
  private count = 0;
  // Per interface of the current section (struct of arrays).
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  /** Ticks per second when the exact double path applies, else 0 (BigInt path). */
  private readonly ifUnits: number[] = [];
  private readonly ifUnitsBig: bigint[] = [];
  /** nsec = floor(remainder * mul / div). */
  private readonly ifMul: number[] = [];
  private readonly ifDiv: number[] = [];
  /** if_tsoffset, seconds. */
  private readonly ifOffset: number[] = [];
  // Result of convertTs().
  private sec = 0;
  private nsec = 0;

  constructor(file: ChunkedFile, maxCaplen: number, requireEthernet: boolean) {
    this.file = file;
    this.maxCaplen = maxCaplen;
    this.requireEthernet = requireEthernet;
    this.maxPacketBlock = EPB_MIN_LEN + maxCaplen + MAX_PACKET_BLOCK_OPTIONS;
  }

  /** Reads every block before the first packet (the SHB and usually all IDBs). */
  prime(): void {
    this.step(null);
  }

  next(rec: CaptureRecord): boolean {
    return this.step(rec);
  }

  /** With a record: decodes blocks until a packet fills it (true) or EOF (false). With null: stops before a packet block. */
  private step(rec: CaptureRecord | null): boolean {
    const f = this.file;
    for (;;) {
      let p = f.pos;
      if (f.end - p < 12) {
        const have = f.ensure(12);
        if (have === 0) return false;
        if (have < 12) throw f.error(f.position, `truncated block header (${have} bytes left; a block has at least 12)`);
        p = f.pos;
      }
      const start = f.base + p;
      let dv = f.dv;
      const le = this.littleEndian;
      const type = dv.getUint32(p, le);
      if (type === BT_SHB) {
        this.readSectionHeader(start);
        continue;
      }
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || (len & 3) !== 0) {
        throw f.error(start, `block type ${hex32(type)} has bad length ${len} (must be a multiple of 4 and at least 12)`);
      }
      const isPacket = type === BT_EPB || type === BT_SPB || type === BT_PB;
      if (isPacket && rec === null) return true;
      if (!isPacket && type !== BT_IDB && len > f.capacity) {
        this.skipLargeBlock(start, type, len);
        continue;
      }
      if (len > (isPacket ? this.maxPacketBlock : MAX_META_BLOCK)) {
        throw f.error(start, `block type ${hex32(type)} length ${len} exceeds the maximum for its type`);
      }
      if (f.end - p < len) {
        const have = f.ensure(len);
        if (have < len) throw f.error(start, `truncated block type ${hex32(type)} (${have} of ${len} bytes)`);
        p = f.pos;
        dv = f.dv;
      }
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        throw f.error(start, `block type ${hex32(type)}: trailing length ${trailer} does not match leading length ${len}`);
      }
      if (type === BT_EPB || type === BT_PB) {
        const out = rec as CaptureRecord;
        if (len < EPB_MIN_LEN) throw f.error(start, `packet block length ${len} is below its minimum of ${EPB_MIN_LEN}`);
        const ifId = type === BT_EPB ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le);
        if (ifId >= this.count) {
          throw f.error(start, `packet block for interface ${ifId}, but its section defines ${this.count} interface(s)`);
        }
        const caplen = dv.getUint32(p + 20, le);
        if (caplen > this.maxCaplen) {
          throw f.error(start, `packet caplen ${caplen} exceeds the maximum of ${this.maxCaplen} bytes`);
        }
        if (caplen > len - EPB_MIN_LEN) throw f.error(start, `packet caplen ${caplen} overruns its block of ${len} bytes`);
        this.convertTs(ifId, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
        out.buf = f.buf;
        out.offset = p + 28;
        out.caplen = caplen;
        out.origLen = dv.getUint32(p + 24, le);
        out.tsSec = this.sec;
        out.tsNsec = this.nsec;
        out.ifIndex = this.sectionBase + ifId;
        out.linkType = this.ifLinkType[ifId];
        f.pos = p + len;
        return true;
      }
      if (type === BT_SPB) {
        const out = rec as CaptureRecord;
        if (len < SPB_MIN_LEN) throw f.error(start, `simple packet block length ${len} is below its minimum of ${SPB_MIN_LEN}`);
        if (this.count === 0) throw f.error(start, 'simple packet block, but its section defines no interface');
        const origLen = dv.getUint32(p + 8, le);
        let caplen = Math.min(origLen, len - SPB_MIN_LEN);
        const snap = this.ifSnaplen[0];
        if (snap !== 0 && caplen > snap) caplen = snap;
        if (caplen > this.maxCaplen) {
          throw f.error(start, `packet caplen ${caplen} exceeds the maximum of ${this.maxCaplen} bytes`);
        }
        out.buf = f.buf;
        out.offset = p + 12;
        out.caplen = caplen;
        out.origLen = origLen;
        out.tsSec = 0;
        out.tsNsec = 0;
        out.ifIndex = this.sectionBase;
        out.linkType = this.ifLinkType[0];
        f.pos = p + len;
        return true;
      }
      if (type === BT_IDB) {
        this.readInterface(start, p, len);
      }
      f.pos = p + len;
    }
  }

  /** Skips a block larger than the chunk without reading its body; checks only its trailing length. */
  private skipLargeBlock(start: number, type: number, len: number): void {
    const f = this.file;
    if (start + len > f.size) {
      throw f.error(start, `truncated block type ${hex32(type)} (${f.size - start} of ${len} bytes)`);
    }
    f.skip(len - 4);
    if (f.ensure(4) < 4) throw f.error(start, `truncated block type ${hex32(type)}`);
    const trailer = f.dv.getUint32(f.pos, this.littleEndian);
    if (trailer !== len) {
      throw f.error(start, `block type ${hex32(type)}: trailing length ${trailer} does not match leading length ${len}`);
    }
    f.pos += 4;
  }

  private readSectionHeader(start: number): void {
    const f = this.file;
    let p = f.pos;
    const magic = f.dv.getUint32(p + 8, true);
    let le: boolean;
    if (magic === BYTE_ORDER_MAGIC) le = true;
    else if (magic === BYTE_ORDER_MAGIC_SWAPPED) le = false;
    else throw f.error(start, `section header block has bad byte-order magic ${hex32(f.dv.getUint32(p + 8, false))}`);
    const len = f.dv.getUint32(p + 4, le);
    if (len < SHB_MIN_LEN || (len & 3) !== 0 || len > MAX_META_BLOCK) {
      throw f.error(start, `section header block has bad length ${len}`);
    }
    const have = f.ensure(len);
    if (have < len) throw f.error(start, `truncated section header block (${have} of ${len} bytes)`);
    p = f.pos;
    const dv = f.dv;
    const trailer = dv.getUint32(p + len - 4, le);
    if (trailer !== len) {
      throw f.error(start, `section header block: trailing length ${trailer} does not match leading length ${len}`);
    }
    const major = dv.getUint16(p + 12, le);
    const minor = dv.getUint16(p + 14, le);
    if (major !== 1) throw f.error(start, `unsupported pcapng version ${major}.${minor} (expected 1.x)`);
    this.littleEndian = le;
    this.sectionBase += this.count;
    this.count = 0;
    f.pos = p + len;
  }

  private readInterface(start: number, p: number, len: number): void {
    const f = this.file;
    const dv = f.dv;
    const le = this.littleEndian;
    if (len < IDB_MIN_LEN) throw f.error(start, `interface description block length ${len} is below its minimum of ${IDB_MIN_LEN}`);
    const linkType = dv.getUint16(p + 8, le);
    if (this.requireEthernet && linkType !== LINKTYPE_ETHERNET) throw f.error(start, unsupportedLinkTypeReason(linkType));
    let tsresol = 6;
    let offset = 0;
    const end = p + len - 4;
    for (let q = p + 16; q + 4 <= end; ) {
      const code = dv.getUint16(q, le);
      const olen = dv.getUint16(q + 2, le);
      if (code === OPT_ENDOFOPT) break;
      const v = q + 4;
      if (v + olen > end) throw f.error(start, `interface description block: option ${code} overruns the block`);
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = f.buf[v];
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = dv.getInt32(le ? v + 4 : v, le);
        const lo = dv.getUint32(le ? v : v + 4, le);
        offset = hi * TWO32 + lo;
      }
      q = v + ((olen + 3) & ~3);
    }
    const i = this.count++;
    this.ifLinkType[i] = linkType;
    this.ifSnaplen[i] = dv.getUint32(p + 12, le);
    this.ifOffset[i] = offset;
    this.setResolution(start, i, tsresol);
  }

  private setResolution(start: number, i: number, tsresol: number): void {
    const binary = (tsresol & 0x80) !== 0;
    const k = tsresol & 0x7f;
    if (binary ? k > 63 : k > 19) {
      throw this.file.error(start, `interface description block: unsupported if_tsresol 0x${tsresol.toString(16)}`);
    }
    const unitsBig = binary ? 1n << BigInt(k) : 10n ** BigInt(k);
    this.ifUnitsBig[i] = unitsBig;
    if (unitsBig > 1000000n) this.nanosecond = true;
    // nsec = rem * 1e9 / units, and 1e9 = 1953125 * 2^9.
    if (!binary && k <= 9) {
      this.ifUnits[i] = 10 ** k;
      this.ifMul[i] = 10 ** (9 - k);
      this.ifDiv[i] = 1;
    } else if (binary && 2 ** k <= MAX_FAST_UNITS) {
      this.ifUnits[i] = 2 ** k;
      this.ifMul[i] = 1953125 * 2 ** Math.max(0, 9 - k);
      this.ifDiv[i] = 2 ** Math.max(0, k - 9);
    } else {
      this.ifUnits[i] = 0;
      this.ifMul[i] = 0;
      this.ifDiv[i] = 0;
    }
  }

  /** Sets sec/nsec from a 64-bit tick count hi * 2^32 + lo on interface i. */
  private convertTs(i: number, hi: number, lo: number): void {
    const units = this.ifUnits[i];
    if (units === 0) {
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      const u = this.ifUnitsBig[i];
      this.sec = Number(t / u) + this.ifOffset[i];
      this.nsec = Number(((t % u) * 1000000000n) / u);
      return;
    }
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // t < 2^53: one exact double, then fix a quotient the division rounded up.
      const t = hi * TWO32 + lo;
      sec = Math.floor(t / units);
      rem = t - sec * units;
      if (rem < 0) {
        sec--;
        rem += units;
      } else if (rem >= units) {
        sec++;
        rem -= units;
      }
    } else {
      // Long division in digits hi, lo>>>16, lo&0xffff: each dividend < units * 2^16 ≤ 2^48.
      const q1 = Math.floor(hi / units);
      const r1 = hi - q1 * units;
      const x = r1 * TWO16 + (lo >>> 16);
      let q2 = Math.floor(x / units);
      let r2 = x - q2 * units;
      if (r2 < 0) {
        q2--;
        r2 += units;
      } else if (r2 >= units) {
        q2++;
        r2 -= units;
      }
      const y = r2 * TWO16 + (lo & 0xffff);
      let q3 = Math.floor(y / units);
      rem = y - q3 * units;
      if (rem < 0) {
        q3--;
        rem += units;
      } else if (rem >= units) {
        q3++;
        rem -= units;
      }
      sec = q1 * TWO32 + q2 * TWO16 + q3;
    }
    const div = this.ifDiv[i];
    this.sec = sec + this.ifOffset[i];
    this.nsec = div === 1 ? rem * this.ifMul[i] : Math.floor((rem * this.ifMul[i]) / div);
  }
}
