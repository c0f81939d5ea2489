// Streaming capture reader: classic pcap (both byte orders, µs and ns magic)
// and pcapng (see pcapng.ts), sniffed by the file's first four bytes.
//
// Constant memory: the file is read through one reused chunk buffer
// (chunked-file.ts) and `next()` fills a caller-owned CaptureRecord whose
// `buf`/`offset` point into that chunk. Nothing is allocated per packet; a
// record is valid only until the next call to `next()` (copy what you keep).

import { ChunkedFile, DEFAULT_CHUNK_SIZE } from './chunked-file.js';
import { LINKTYPE_ETHERNET, unsupportedLinkTypeReason } from './linktype.js';
import { PcapngDecoder } from './pcapng.js';

export { CaptureError } from './chunked-file.js';
export { linkTypeName, LINKTYPE_ETHERNET } from './linktype.js';

/** One captured packet. Filled in place by CaptureReader.next(). */
export interface CaptureRecord {
  /** The reader's chunk buffer: packet bytes are buf[offset, offset + caplen). */
  buf: Uint8Array;
  offset: number;
  /** Bytes captured (present in buf). */
  caplen: number;
  /** Length of the packet on the wire (>= caplen when the capture was truncated by a snaplen). */
  origLen: number;
  /** Timestamp: seconds since the Unix epoch and nanoseconds (0 ≤ tsNsec < 1e9), exact integers. */
  tsSec: number;
  tsNsec: number;
  /**
   * Interface index. 0 for classic pcap. For pcapng, interfaces are numbered
   * across the whole file in IDB order (a later section's interface 0 follows
   * the earlier sections' interfaces), as Wireshark's frame.interface_id does.
   */
  ifIndex: number;
  /** Link-layer header type (1 = Ethernet). */
  linkType: number;
}

export function newCaptureRecord(): CaptureRecord {
  return { buf: new Uint8Array(0), offset: 0, caplen: 0, origLen: 0, tsSec: 0, tsNsec: 0, ifIndex: 0, linkType: 0 };
}

export interface CaptureReaderOptions {
  /** Reject captures (pcap header or pcapng IDB) whose link type is not Ethernet. Default true. */
  requireEthernet?: boolean;
  /** Chunk buffer size in bytes. Default 4 MiB. */
  chunkSize?: number;
  /** Largest captured length accepted for one packet; larger is a corrupt-file error. Default 262144 (libpcap's limit). */
  maxCaplen?: number;
}

/** libpcap's MAXIMUM_SNAPLEN: no capture tool writes a larger record for Ethernet. */
export const MAX_CAPLEN = 262144;

const PCAP_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;
const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const MAGIC_USEC_SWAPPED = 0xd4c3b2a1;
const MAGIC_NSEC_SWAPPED = 0x4d3cb2a1;
const MAGIC_PCAPNG_SHB = 0x0a0d0d0a;
/** libpcap's LT_LINKTYPE: the upper bits of the pcap header's link type hold FCS information. */
const LINKTYPE_MASK = 0x03ffffff;

export class CaptureReader {
  readonly path: string;
  readonly format: 'pcap' | 'pcapng';
  /** Classic pcap: link type and snaplen from the file header. pcapng: -1 and 0 (each record carries its interface's linkType). */
  readonly linkType: number;
  readonly snaplen: number;

  private readonly file: ChunkedFile;
  private readonly ng: PcapngDecoder | null;
  private readonly pcapNsec: boolean;
  private readonly maxCaplen: number;
  /** Classic pcap: byte order of the file. */
  private readonly le: boolean;

  private constructor(file: ChunkedFile, opts: CaptureReaderOptions) {
    this.file = file;
    this.path = file.path;
    this.maxCaplen = opts.maxCaplen ?? MAX_CAPLEN;
    const requireEthernet = opts.requireEthernet ?? true;
    const have = file.ensure(PCAP_HEADER_LEN);
    if (have < 4) throw file.error(0, `truncated file header (${have} bytes): not a pcap or pcapng file`);
    const magicBE = file.dv.getUint32(0, false);
    if (magicBE === MAGIC_PCAPNG_SHB) {
      this.format = 'pcapng';
      this.ng = new PcapngDecoder(file, this.maxCaplen, requireEthernet);
      this.pcapNsec = false;
      this.linkType = -1;
      this.snaplen = 0;
      this.le = true;
      this.ng.prime();
      return;
    }
    this.format = 'pcap';
    this.ng = null;
    if (magicBE === MAGIC_USEC || magicBE === MAGIC_NSEC) this.le = false;
    else if (magicBE === MAGIC_USEC_SWAPPED || magicBE === MAGIC_NSEC_SWAPPED) this.le = true;
    else throw file.error(0, badMagicReason(file.buf, Math.min(have, 4)));
    this.pcapNsec = magicBE === MAGIC_NSEC || magicBE === MAGIC_NSEC_SWAPPED;
    if (have < PCAP_HEADER_LEN) throw file.error(0, `truncated pcap file header (${have} of ${PCAP_HEADER_LEN} bytes)`);
    const le = this.le;
    const major = file.dv.getUint16(4, le);
    const minor = file.dv.getUint16(6, le);
    if (major !== 2) throw file.error(0, `unsupported pcap version ${major}.${minor} (expected 2.x)`);
    this.snaplen = file.dv.getUint32(16, le);
    this.linkType = file.dv.getUint32(20, le) & LINKTYPE_MASK;
    if (requireEthernet && this.linkType !== LINKTYPE_ETHERNET) {
      throw file.error(0, unsupportedLinkTypeReason(this.linkType));
    }
    file.pos = PCAP_HEADER_LEN;
  }

  /** Opens a pcap or pcapng file (sniffed by magic) and reads its header. Throws CaptureError for a bad file. */
  static open(path: string, opts: CaptureReaderOptions = {}): CaptureReader {
    const file = new ChunkedFile(path, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    try {
      return new CaptureReader(file, opts);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /**
   * True when timestamps are finer than microseconds: the ns pcap magic, or a
   * pcapng interface with if_tsresol finer than 10^-6 among the IDBs seen so
   * far (open() reads every block before the first packet).
   */
  get nanosecond(): boolean {
    return this.ng === null ? this.pcapNsec : this.ng.nanosecond;
  }

  /** Classic pcap: byte order of the file. pcapng: of the current section. */
  get littleEndian(): boolean {
    return this.ng === null ? this.le : this.ng.littleEndian;
  }

  /** File offset of rec.buf[0] for the record read last (so rec.offset + bufferBase is where its bytes are in the file). */
  get bufferBase(): number {
    return this.file.base;
  }

  /** File offset of the next unread byte (for progress). */
  get position(): number {
    return this.file.position;
  }

  /** File size in bytes at open. */
  get size(): number {
    return this.file.size;
  }

  /** Current chunk buffer size; it changes only if one record or block is larger than the chunk. */
  get bufferCapacity(): number {
    return this.file.capacity;
  }

  /** Fills `rec` with the next packet. Returns false at a clean end of file; throws CaptureError for a corrupt one. */
  next(rec: CaptureRecord): boolean {
    if (this.ng !== null) return this.ng.next(rec);
    const f = this.file;
    let p = f.pos;
    if (f.end - p < PCAP_RECORD_HEADER_LEN) {
      const have = f.ensure(PCAP_RECORD_HEADER_LEN);
      if (have === 0) return false;
      if (have < PCAP_RECORD_HEADER_LEN) {
        throw f.error(f.position, `truncated record header (${have} of ${PCAP_RECORD_HEADER_LEN} bytes)`);
      }
      p = f.pos;
    }
    const le = this.le;
    let dv = f.dv;
    const caplen = dv.getUint32(p + 8, le);
    if (caplen > this.maxCaplen) {
      throw f.error(f.position, `record caplen ${caplen} exceeds the maximum of ${this.maxCaplen} bytes`);
    }
    const total = PCAP_RECORD_HEADER_LEN + caplen;
    if (f.end - p < total) {
      const have = f.ensure(total);
      if (have < total) {
        throw f.error(f.position, `truncated record body (${have - PCAP_RECORD_HEADER_LEN} of ${caplen} bytes)`);
      }
      p = f.pos;
      dv = f.dv;
    }
    rec.buf = f.buf;
    rec.offset = p + PCAP_RECORD_HEADER_LEN;
    rec.caplen = caplen;
    rec.origLen = dv.getUint32(p + 12, le);
    rec.tsSec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    rec.tsNsec = this.pcapNsec ? frac : frac * 1000;
    rec.ifIndex = 0;
    rec.linkType = this.linkType;
    f.pos = p + total;
    return true;
  }

  close(): void {
    this.file.close();
  }
}

function badMagicReason(buf: Uint8Array, n: number): string {
  let hex = '';
  for (let i = 0; i < n; i++) hex += buf[i].toString(16).padStart(2, '0');
  if (buf[0] === 0x1f && buf[1] === 0x8b) return `bad magic 0x${hex}: file is gzip-compressed; decompress it first`;
  return `bad magic 0x${hex}: not a pcap or pcapng file`;
}
