// A single-producer single-consumer ring of variable-length records in a
// SharedArrayBuffer: how frames, handed-off packets and neighbour news move
// between the reader and the pipeline replicas without a message per packet.
//
// Layout: head (Int32) in the first cache line, tail (Int32) in the second,
// then `capacity` bytes. head and tail are byte counts that only grow (mod
// 2^32); a record is a 4-byte length then its payload, padded to 4 bytes. A
// record that would cross the end of the buffer is preceded by a skip marker
// (length -1) and starts again at 0.
//
// Each side keeps its own copy of the other's counter and reads the shared
// one only when its copy says the ring is full (producer) or empty
// (consumer), and publishes its own once per batch (commit) or every
// RELEASE_EVERY records and when it catches up (consumer): head and tail
// would otherwise bounce between the two cores' caches on every record.

const HEAD = 0;
const TAIL = 16;
const HDR_BYTES = 128;
const SKIP = -1;
const RELEASE_EVERY = 256;

export class Ring {
  readonly sab: SharedArrayBuffer;
  readonly capacity: number;
  /** Payload bytes; a record's payload starts at the offset reserve() or peek() returns. */
  readonly data: Uint8Array;
  readonly dv: DataView;
  private readonly idx: Int32Array;
  /** Producer: bytes reserved since the last commit, and the tail as last read. */
  private pending = 0;
  private tailSeen = 0;
  /** Consumer: its read position (published as tail now and then), the head as last read, records not yet published. */
  private readPos = 0;
  private headSeen = 0;
  private took = 0;
  private unreleased = 0;

  /** A new ring of `capacity` bytes (a power of two), or a view of one made elsewhere (its SharedArrayBuffer). */
  constructor(capacityOrSab: number | SharedArrayBuffer) {
    this.sab = typeof capacityOrSab === 'number' ? new SharedArrayBuffer(HDR_BYTES + capacityOrSab) : capacityOrSab;
    this.capacity = this.sab.byteLength - HDR_BYTES;
    // A power of two, so positions stay right when the 32-bit counters wrap.
    if (this.capacity < 64 || (this.capacity & (this.capacity - 1)) !== 0) throw new Error(`ring: capacity ${this.capacity} is not a power of two of at least 64`);
    this.idx = new Int32Array(this.sab, 0, HDR_BYTES / 4);
    this.data = new Uint8Array(this.sab, HDR_BYTES);
    this.dv = new DataView(this.sab, HDR_BYTES);
    this.tailSeen = Atomics.load(this.idx, TAIL);
    this.readPos = this.tailSeen;
    this.headSeen = Atomics.load(this.idx, HEAD);
  }

  /**
   * Producer: room for a payload of `n` bytes after those reserved so far;
   * returns its offset in `data`, or -1 when the ring is too full (commit,
   * then try again after the consumer moves on). Nothing is visible to the
   * consumer until commit(), which publishes every record reserved since the
   * last one.
   */
  reserve(n: number): number {
    const need = 4 + ((n + 3) & ~3);
    if (need > this.capacity / 2) throw new Error(`ring: a ${n}-byte record does not fit a ${this.capacity}-byte ring`);
    const head = (Atomics.load(this.idx, HEAD) + this.pending) | 0;
    let at = head & (this.capacity - 1);
    let skip = 0;
    if (at + need > this.capacity) {
      skip = this.capacity - at;
      at = 0;
    }
    if (((head - this.tailSeen) | 0) + skip + need > this.capacity) {
      this.tailSeen = Atomics.load(this.idx, TAIL);
      if (((head - this.tailSeen) | 0) + skip + need > this.capacity) return -1;
    }
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
    if (this.readPos === this.headSeen) {
      this.headSeen = Atomics.load(this.idx, HEAD);
      if (this.readPos === this.headSeen) {
        this.release();
        return -1;
      }
    }
    let at = this.readPos & (this.capacity - 1);
    let n = this.dv.getInt32(at, true);
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

  /** Consumer: done with the record peek() returned (its room goes back to the producer soon, or at release()). */
  advance(): void {
    this.readPos = (this.readPos + this.took) | 0;
    this.took = 0;
    if (++this.unreleased >= RELEASE_EVERY) this.release();
  }

  /** Consumer: gives the room of every record advanced past back to the producer. */
  release(): void {
    if (this.unreleased === 0) return;
    Atomics.store(this.idx, TAIL, this.readPos);
    this.unreleased = 0;
  }

  /** Consumer: nothing published is left to read. */
  get empty(): boolean {
    return this.readPos === Atomics.load(this.idx, HEAD);
  }
}
