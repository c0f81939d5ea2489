import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ring } from './ring.js';

describe('Ring (single producer, single consumer, shared memory)', () => {
  it('rejects a capacity that is not a power of two', () => {
    expect(() => new Ring(1000)).toThrow(/power of two/);
    expect(() => new Ring(32)).toThrow(/power of two/);
  });

  it('hands records over in order across many wraps, with skip marks, and refuses what does not fit', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 7 }), (sizes, burst) => {
      const prod = new Ring(1024);
      const cons = new Ring(prod.sab); // another view of the same memory, as a worker has
      const got: number[][] = [];
      let next = 0;
      while (got.length < sizes.length) {
        // The producer writes up to `burst` records, stopping when the ring is full.
        for (let k = 0; k < burst && next < sizes.length; k++) {
          const n = sizes[next];
          const at = prod.reserve(n);
          if (at < 0) break;
          for (let i = 0; i < n; i++) prod.data[at + i] = (next + i) & 0xff;
          prod.commit();
          next++;
        }
        for (let at = cons.peek(); at >= 0; at = cons.peek()) {
          got.push(Array.from(cons.data.subarray(at, at + cons.length)));
          cons.advance();
        }
      }
      expect(cons.empty).toBe(true);
      got.forEach((rec, j) => expect(rec).toEqual(Array.from({ length: sizes[j] }, (_, i) => (j + i) & 0xff)));
    }));
  });

  it('is full when the consumer lags, and has room again once it moves on', () => {
    const r = new Ring(256);
    let n = 0;
    while (r.reserve(60) >= 0) { r.commit(); n++; }
    expect(n).toBe(4); // 4 × (4 + 60) = 256
    expect(r.peek()).toBeGreaterThanOrEqual(0);
    r.advance();
    expect(r.reserve(60)).toBe(-1); // the consumer has not given the room back yet
    r.release();
    expect(r.reserve(60)).toBeGreaterThanOrEqual(0);
  });

  it('refuses a record larger than half the ring', () => {
    expect(() => new Ring(256).reserve(200)).toThrow(/does not fit/);
  });
});
