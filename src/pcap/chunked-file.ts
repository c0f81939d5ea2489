// One open capture file read through one reused chunk buffer.
//
// The readers parse records in place inside `buf`; `ensure(n)` makes n bytes
// available at `pos`, sliding the unread tail to the front and refilling with
// one large fs.readSync. The buffer is replaced only when a single record or
// block is larger than it (callers bound that size first), so reading a file
// of any size uses constant memory.

import * as fs from 'node:fs';

/** A corrupt, truncated or unsupported capture file. `offset` is the file offset of the bad header, record or block. */
export class CaptureError extends Error {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super(`${file}: byte ${offset}: ${reason}`);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** Default chunk size: large enough that refills (one syscall each) are rare. */
export const DEFAULT_CHUNK_SIZE = 4 << 20;
/** Smallest chunk accepted (tests use tiny chunks to exercise refills across record boundaries). */
export const MIN_CHUNK_SIZE = 64;

export class ChunkedFile {
  readonly path: string;
  readonly size: number;
  /**
   * The chunk. Valid bytes are [pos, end); buf[0] is file offset `base`. A
   * plain Uint8Array, not a Buffer: records point into it, and their readers
   * copy what they keep with slice(), which on a Buffer is a view (shared with
   * every other "copy" and overwritten by the next refill).
   */
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  end = 0;
  base = 0;
  private fd: number;

  constructor(path: string, chunkSize: number) {
    this.path = path;
    this.fd = fs.openSync(path, 'r');
    try {
      this.size = fs.fstatSync(this.fd).size;
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
    const cap = Math.max(MIN_CHUNK_SIZE, Math.floor(chunkSize));
    this.buf = new Uint8Array(cap);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** File offset of the next unread byte. */
  get position(): number {
    return this.base + this.pos;
  }

  get capacity(): number {
    return this.buf.length;
  }

  /** A CaptureError for this file. */
  error(offset: number, reason: string): CaptureError {
    return new CaptureError(this.path, offset, reason);
  }

  /**
   * Makes at least `n` bytes available at `pos` unless the file ends first;
   * returns how many are available. May move the data (so re-read `pos`,
   * `buf` and `dv` afterwards) and invalidates records handed out earlier.
   */
  ensure(n: number): number {
    let avail = this.end - this.pos;
    if (avail >= n) return avail;
    if (this.pos + n > this.buf.length) {
      if (n > this.buf.length) this.grow(n);
      else this.compact();
    }
    while (avail < n) {
      const room = this.buf.length - this.end;
      const got = fs.readSync(this.fd, this.buf, this.end, room, this.base + this.end);
      if (got === 0) break;
      this.end += got;
      avail += got;
    }
    return avail;
  }

  /** Advances `n` bytes, which need not be buffered (large blocks are skipped without reading them). */
  skip(n: number): void {
    if (this.pos + n <= this.end) {
      this.pos += n;
      return;
    }
    this.base += this.pos + n;
    this.pos = 0;
    this.end = 0;
  }

  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }

  private compact(): void {
    if (this.pos === 0) return;
    this.buf.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.buf.length * 2);
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(this.pos, this.end));
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}
