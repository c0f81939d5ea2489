// Classic pcap writing: a streaming PcapWriter (little-endian, buffered
// through one reused buffer, flushed with fs.writeSync) and encodePcap() for
// building whole files in memory in tests and scripts.

import { ByteCopier } from '../packet/byte-copier.js';
import * as fs from 'node:fs';
import { LINKTYPE_ETHERNET } from './linktype.js';

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
export const DEFAULT_SNAPLEN = 262144;
const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const DEFAULT_BUFFER_SIZE = 1 << 20;

export interface PcapWriteOptions {
  /** Nanosecond timestamps (magic 0xa1b23c4d). Default false: microseconds, tsNsec truncated to µs. */
  nanosecond?: boolean;
  /** Packets longer than this are truncated (origLen keeps the full length). Default 262144. */
  snaplen?: number;
  /** Link-layer header type. Default 1 (Ethernet). */
  linkType?: number;
}

export interface PcapEncodeOptions extends PcapWriteOptions {
  /** Byte order of the file. Default true; false writes a big-endian ("swapped" on x86) file. */
  littleEndian?: boolean;
}

/** One packet for encodePcap(). */
export interface PcapPacket {
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
  /** Length on the wire; default data.length. */
  origLen?: number;
}

function checkOptions(opts: PcapWriteOptions): { nanosecond: boolean; snaplen: number; linkType: number } {
  const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
  const linkType = opts.linkType ?? LINKTYPE_ETHERNET;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x7fffffff) throw new RangeError(`pcap snaplen ${snaplen} is out of range`);
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffffffff) throw new RangeError(`pcap link type ${linkType} is out of range`);
  return { nanosecond: opts.nanosecond ?? false, snaplen, linkType };
}

function writeFileHeader(dv: DataView, off: number, le: boolean, nanosecond: boolean, snaplen: number, linkType: number): void {
  dv.setUint32(off, nanosecond ? MAGIC_NSEC : MAGIC_USEC, le);
  dv.setUint16(off + 4, 2, le);
  dv.setUint16(off + 6, 4, le);
  dv.setInt32(off + 8, 0, le); // thiszone
  dv.setUint32(off + 12, 0, le); // sigfigs
  dv.setUint32(off + 16, snaplen, le);
  dv.setUint32(off + 20, linkType, le);
}

/** Validates a record's fields; throws RangeError (a caller bug, not packet data). */
function checkRecord(len: number, tsSec: number, tsNsec: number, origLen: number): void {
  if (!(tsSec >= 0 && tsSec <= 0xffffffff && Number.isInteger(tsSec))) throw new RangeError(`pcap timestamp seconds ${tsSec} is out of range`);
  if (!(tsNsec >= 0 && tsNsec < 1e9 && Number.isInteger(tsNsec))) throw new RangeError(`pcap timestamp nanoseconds ${tsNsec} is out of range`);
  if (!(origLen >= 0 && origLen <= 0xffffffff && Number.isInteger(origLen))) {
    throw new RangeError(`pcap original length ${origLen} is out of range for a ${len}-byte packet`);
  }
}

function writeRecordHeader(
  dv: DataView, off: number, le: boolean, nanosecond: boolean,
  tsSec: number, tsNsec: number, caplen: number, origLen: number,
): void {
  dv.setUint32(off, tsSec, le);
  dv.setUint32(off + 4, nanosecond ? tsNsec : Math.floor(tsNsec / 1000), le);
  dv.setUint32(off + 8, caplen, le);
  dv.setUint32(off + 12, origLen, le);
}

/** Streams a classic pcap file (little-endian). Call close() to flush. */
export class PcapWriter {
  readonly path: string;
  readonly nanosecond: boolean;
  readonly snaplen: number;
  readonly linkType: number;
  private fd: number;
  private readonly buf: Buffer;
  private readonly copier: ByteCopier;
  private readonly dv: DataView;
  private pos = 0;
  private nPackets = 0;
  private nBytes = 0;

  constructor(path: string, opts: PcapWriteOptions = {}) {
    const o = checkOptions(opts);
    this.path = path;
    this.nanosecond = o.nanosecond;
    this.snaplen = o.snaplen;
    this.linkType = o.linkType;
    this.buf = Buffer.allocUnsafeSlow(DEFAULT_BUFFER_SIZE);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.copier = new ByteCopier(this.buf);
    this.fd = fs.openSync(path, 'w');
    writeFileHeader(this.dv, 0, true, this.nanosecond, this.snaplen, this.linkType);
    this.pos = PCAP_FILE_HEADER_LEN;
  }

  /** Packets written. */
  get packets(): number {
    return this.nPackets;
  }

  /** Packet bytes written (sum of captured lengths, record headers not included). */
  get bytes(): number {
    return this.nBytes;
  }

  /** Appends buf[off, off + len) as one packet; it is truncated to the snaplen, origLen defaults to len. */
  write(buf: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, origLen: number = len): void {
    if (this.fd < 0) throw new Error(`${this.path}: write after close`);
    checkRecord(len, tsSec, tsNsec, origLen);
    const caplen = len < this.snaplen ? len : this.snaplen;
    const need = PCAP_RECORD_HEADER_LEN + caplen;
    if (this.pos + need > this.buf.length) this.flush();
    writeRecordHeader(this.dv, this.pos, true, this.nanosecond, tsSec, tsNsec, caplen, origLen);
    this.pos += PCAP_RECORD_HEADER_LEN;
    if (need > this.buf.length) {
      // Larger than the whole buffer (snaplen > 1 MiB): write it straight through.
      this.flush();
      this.writeAll(buf, off, caplen);
    } else {
      this.copier.copy(this.pos, buf, off, caplen);
      this.pos += caplen;
    }
    this.nPackets++;
    this.nBytes += caplen;
  }

  /** Writes buffered records to the file. */
  flush(): void {
    if (this.pos > 0) {
      this.writeAll(this.buf, 0, this.pos);
      this.pos = 0;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  private writeAll(buf: Uint8Array, off: number, len: number): void {
    while (len > 0) {
      const n = fs.writeSync(this.fd, buf, off, len);
      off += n;
      len -= n;
    }
  }
}

/** A whole classic pcap file in memory. */
export function encodePcap(packets: Iterable<PcapPacket>, opts: PcapEncodeOptions = {}): Uint8Array {
  const o = checkOptions(opts);
  const le = opts.littleEndian ?? true;
  const list = Array.from(packets);
  let size = PCAP_FILE_HEADER_LEN;
  for (const pkt of list) size += PCAP_RECORD_HEADER_LEN + Math.min(pkt.data.length, o.snaplen);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  writeFileHeader(dv, 0, le, o.nanosecond, o.snaplen, o.linkType);
  let pos = PCAP_FILE_HEADER_LEN;
  for (const pkt of list) {
    const origLen = pkt.origLen ?? pkt.data.length;
    checkRecord(pkt.data.length, pkt.tsSec, pkt.tsNsec, origLen);
    const caplen = Math.min(pkt.data.length, o.snaplen);
    writeRecordHeader(dv, pos, le, o.nanosecond, pkt.tsSec, pkt.tsNsec, caplen, origLen);
    out.set(pkt.data.subarray(0, caplen), pos + PCAP_RECORD_HEADER_LEN);
    pos += PCAP_RECORD_HEADER_LEN + caplen;
  }
  return out;
}
