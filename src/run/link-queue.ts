import type { Port } from './ports.js';

/**
 * Frames in flight on links between devices, held until the next round: one
 * growable byte arena and struct-of-arrays metadata, reused every round, so
 * a frame crossing a link costs a copy and no allocation.
 */
export class LinkQueue {
  bytes = new Uint8Array(1 << 20);
  used = 0;
  count = 0;
  to: Port[] = [];
  off = new Uint32Array(1024);
  len = new Uint32Array(1024);
  tsSec = new Uint32Array(1024);
  tsNsec = new Uint32Array(1024);
  traceId = new Int32Array(1024);

  push(to: Port, data: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, traceId: number): void {
    if (this.used + len > this.bytes.length) this.bytes = grow(this.bytes, this.used + len);
    if (this.count === this.off.length) {
      this.off = grow(this.off, this.count + 1);
      this.len = grow(this.len, this.count + 1);
      this.tsSec = grow(this.tsSec, this.count + 1);
      this.tsNsec = grow(this.tsNsec, this.count + 1);
      this.traceId = grow(this.traceId, this.count + 1);
    }
    const k = this.count++;
    this.to[k] = to;
    this.off[k] = this.used;
    this.len[k] = len;
    this.tsSec[k] = tsSec;
    this.tsNsec[k] = tsNsec;
    this.traceId[k] = traceId;
    this.bytes.set(data.subarray(off, off + len), this.used);
    this.used += len;
  }

  clear(): void {
    this.count = 0;
    this.used = 0;
  }
}

function grow<T extends Uint8Array | Uint32Array | Int32Array>(a: T, need: number): T {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
