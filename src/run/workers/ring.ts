// A single-producer single-consumer ring of variable-length records in a
// SharedArrayBuffer: how frames, handed-off packets and neighbour news move
// between the reader and the pipeline replicas without a message per packet.
//
// Layout: Int32 [head, tail] then `capacity` bytes. head and tail are byte
// counts that only grow (mod 2^32); a record is a 4-byte length then its
// payload, padded to 4 bytes. A record that would cross the end of the buffer
// is preceded by a skip marker (length -1) and starts again at 0.

const HEAD = 0;
const TAIL = 1;
const HDR_BYTES = 8;
const SKIP = -1;

export class Ring {
  readonly sab: SharedArrayBuffer;
  readonly capacity: number;
  /** Payload bytes; a record's payload starts at the offset reserve() or peek() returns. */
  readonly data: Uint8Array;
  readonly dv: DataView;
  private readonly idx: Int32Array;
  private pending = 0;
  private took = 0;

  /** A new ring of `capacity` bytes (a power of two), or a view of one made elsewhere (its SharedArrayBuffer). */
  constructor(capacityOrSab: number | SharedArrayBuffer) {
    this.sab = typeof capacityOrSab === 'number' ? new SharedArrayBuffer(HDR_BYTES + capacityOrSab) : capacityOrSab;
    this.capacity = this.sab.byteLength - HDR_BYTES;
    // A power of two, so positions stay right when the 32-bit counters wrap.
    if (this.capacity < 64 || (this.capacity & (this.capacity - 1)) !== 0) throw new Error(`ring: capacity ${this.capacity} is not a power of two of at least 64`);
    this.idx = new Int32Array(this.sab, 0, 2);
    this.data = new Uint8Array(this.sab, HDR_BYTES);
    this.dv = new DataView(this.sab, HDR_BYTES);
  }

  /**
   * Producer: room for a payload of `n` bytes after those reserved so far;
   * returns its offset in `data`, or -1 when the ring is too full (commit,
   * then try again after the consumer moves on). Nothing is visible to the
   * consumer until commit(), which publishes every record reserved since the
   * last one (one shared-memory write per batch of records, not per record).
   */
  reserve(n: number): number {
    const need = 4 + ((n + 3) & ~3);
    if (need > this.capacity / 2) throw new Error(`ring: a ${n}-byte record does not fit a ${this.capacity}-byte ring`);
    const head = (Atomics.load(this.idx, HEAD) + this.pending) | 0;
    const used = (head - Atomics.load(this.idx, TAIL)) | 0;
    let at = head & (this.capacity - 1);
    let skip = 0;
    if (at + need > this.capacity) {
      skip = this.capacity - at;
      at = 0;
    }
    if (used + skip + need > this.capacity) return -1;
    if (skip) this.dv.setInt32(this.capacity - skip, SKIP, true);
    this.dv.setInt32(at, n, true);
    this.pending += skip + need;
    return at + 4;
  }

  /** Producer: publishes the records reserved since the last commit. */
  commit(): void {
    if (this.pending === 0) return;
    Atomics.add(this.idx, HEAD, this.pending);
    this.pending = 0;
  }

  /** Consumer: the offset of the next record's payload (its length in `length`), or -1 when empty. */
  peek(): number {
    const head = Atomics.load(this.idx, HEAD);
    const tail = Atomics.load(this.idx, TAIL);
    if (head === tail) return -1;
    let at = tail & (this.capacity - 1);
    let n = this.capacity - at >= 4 ? this.dv.getInt32(at, true) : SKIP;
    let skip = 0;
    if (n === SKIP) {
      skip = this.capacity - at;
      at = 0;
      n = this.dv.getInt32(0, true);
    }
    this.length = n;
    this.took = skip + 4 + ((n + 3) & ~3);
    return at + 4;
  }

  /** Payload length of the record peek() returned. */
  length = 0;

  /** Consumer: done with the record peek() returned. */
  advance(): void {
    Atomics.add(this.idx, TAIL, this.took);
    this.took = 0;
  }

  get empty(): boolean {
    return Atomics.load(this.idx, HEAD) === Atomics.load(this.idx, TAIL);
  }
}
