import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Lpm6 } from './lpm6.js';

// Obviously-correct reference: a list of prefixes, linear scan for the longest match,
// comparing bit by bit.
function bit(a: Uint8Array, off: number, i: number): number {
  return (a[off + (i >> 3)]! >> (7 - (i & 7))) & 1;
}
function covers(p: Uint8Array, len: number, a: Uint8Array, off: number): boolean {
  for (let i = 0; i < len; i++) if (bit(p, 0, i) !== bit(a, off, i)) return false;
  return true;
}
function maskAddr(a: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < len; i++) if (bit(a, 0, i)) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}
const hex = (a: Uint8Array): string => Buffer.from(a).toString('hex');

class RefLpm6 {
  routes: { prefix: Uint8Array; len: number; value: number }[] = [];
  private find(a: Uint8Array, len: number): number {
    const p = hex(maskAddr(a, len));
    return this.routes.findIndex((r) => r.len === len && hex(r.prefix) === p);
  }
  insert(a: Uint8Array, len: number, value: number): void {
    const i = this.find(a, len);
    if (i >= 0) this.routes[i]!.value = value;
    else this.routes.push({ prefix: maskAddr(a, len), len, value });
  }
  remove(a: Uint8Array, len: number): boolean {
    const i = this.find(a, len);
    if (i < 0) return false;
    this.routes.splice(i, 1);
    return true;
  }
  lookup(buf: Uint8Array, off: number): number {
    let best = -1;
    let bestLen = -1;
    for (const r of this.routes) {
      if (r.len > bestLen && covers(r.prefix, r.len, buf, off)) {
        best = r.value;
        bestLen = r.len;
      }
    }
    return best;
  }
}

function ip6(s: string): Uint8Array {
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  });
  return out;
}

const EDGE = [ip6('::'), ip6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), ip6('2001:db8::'), ip6('2001:db8:0:1::1'), ip6('8000::'), ip6('fe80::1')];
const OPTS = [undefined, { expectedRoutes: 1_000_000 }] as const;

function flip(a: Uint8Array, b: number): Uint8Array {
  const o = new Uint8Array(a);
  if (b >= 0) o[b >> 3]! ^= 0x80 >> (b & 7);
  return o;
}

/** Probe addresses packed into one buffer at odd offsets (as in a packet): seeds and one-bit flips. */
function probeBuf(seeds: Uint8Array[]): { buf: Uint8Array; offs: number[] } {
  const addrs: Uint8Array[] = [];
  for (const s of seeds) for (let b = -1; b < 128; b++) addrs.push(flip(s, b));
  const buf = new Uint8Array(3 + 22 * addrs.length);
  const offs: number[] = [];
  addrs.forEach((a, i) => {
    buf.set(a, 3 + 22 * i);
    offs.push(3 + 22 * i);
  });
  return { buf, offs };
}

function checkAll(t: Lpm6, ref: RefLpm6, pb: { buf: Uint8Array; offs: number[] }): void {
  for (const off of pb.offs) {
    const want = ref.lookup(pb.buf, off);
    if (t.lookup(pb.buf, off) !== want) {
      expect({ addr: hex(pb.buf.subarray(off, off + 16)), got: t.lookup(pb.buf, off) }).toEqual({
        addr: hex(pb.buf.subarray(off, off + 16)),
        got: want,
      });
    }
  }
  expect(t.size).toBe(ref.routes.length);
  for (const r of ref.routes) expect(t.get(r.prefix, r.len)).toBe(r.value);
  const want = ref.routes
    .map((r) => [hex(r.prefix), r.len, r.value] as [string, number, number])
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
  expect([...t.entries()].map(([a, l, v]) => [hex(a), l, v])).toEqual(want);
}

const lenArb = fc.oneof(
  fc.constantFrom(0, 1, 8, 15, 16, 17, 24, 32, 33, 48, 56, 63, 64, 65, 120, 127, 128),
  fc.integer({ min: 0, max: 128 }),
);
const cmdArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constant('ins' as const), fc.nat(9), lenArb, fc.integer({ min: 0, max: 0x7fffffff })) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('del' as const), fc.nat(9), lenArb, fc.constant(0)) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('look' as const), fc.nat(9), fc.integer({ min: -1, max: 127 }), fc.constant(0)) },
);

describe('Lpm6', () => {
  for (const opts of OPTS) {
    const stride = new Lpm6(opts).stats().rootStride;
    it(`matches the reference on random insert/replace/remove sequences (root stride ${stride})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 4, maxLength: 4 }),
          fc.array(cmdArb, { maxLength: 100 }),
          fc.infiniteStream(fc.nat()),
          (rnd, cmds, shuffle) => {
            const seeds = [...EDGE, ...rnd];
            const t = new Lpm6(opts);
            const ref = new RefLpm6();
            for (const [op, s, x, v] of cmds) {
              const seed = seeds[s % seeds.length]!;
              if (op === 'ins') {
                t.insert(seed, x, v);
                ref.insert(seed, x, v);
              } else if (op === 'del') {
                expect(t.remove(seed, x)).toBe(ref.remove(seed, x));
              } else {
                const a = flip(seed, x);
                expect(t.lookup(a, 0)).toBe(ref.lookup(a, 0));
              }
            }
            const pb = probeBuf(seeds);
            checkAll(t, ref, pb);
            const left = [...ref.routes];
            const it = shuffle[Symbol.iterator]();
            while (left.length > 0) {
              const r = left.splice(it.next().value % left.length, 1)[0]!;
              expect(t.remove(r.prefix, r.len)).toBe(true);
              ref.remove(r.prefix, r.len);
              for (const a of seeds) expect(t.lookup(a, 0)).toBe(ref.lookup(a, 0));
            }
            checkAll(t, ref, pb);
            expect(t.stats().chunks).toBe(0);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('restores covering prefixes whatever the removal order (nested chain, ::/0 to /128)', () => {
    const chain: [Uint8Array, number][] = [
      [ip6('::'), 0],
      [ip6('2000::'), 3],
      [ip6('2001:db8::'), 32],
      [ip6('2001:db8::'), 48],
      [ip6('2001:db8:0:1::'), 64],
      [ip6('2001:db8:0:1::'), 127],
      [ip6('2001:db8:0:1::1'), 128],
      [ip6('2001:db8:0:1::'), 128],
      [ip6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 128],
      [ip6('::'), 128],
    ];
    const pb = probeBuf(chain.map((c) => c[0]));
    for (const opts of OPTS) {
      fc.assert(
        fc.property(
          fc.shuffledSubarray(chain, { minLength: chain.length }),
          fc.shuffledSubarray(chain, { minLength: chain.length }),
          (insOrder, delOrder) => {
            const t = new Lpm6(opts);
            const ref = new RefLpm6();
            insOrder.forEach(([p, l]) => {
              t.insert(p, l, l + 100);
              ref.insert(p, l, l + 100);
            });
            checkAll(t, ref, pb);
            for (const [p, l] of delOrder) {
              expect(t.remove(p, l)).toBe(true);
              expect(t.remove(p, l)).toBe(false);
              ref.remove(p, l);
              for (const off of pb.offs) expect(t.lookup(pb.buf, off)).toBe(ref.lookup(pb.buf, off));
            }
            expect(t.size).toBe(0);
            expect(t.stats().chunks).toBe(0);
          },
        ),
        { numRuns: 8 },
      );
    }
  });

  it('handles ::/0, host routes, edge addresses and host bits', () => {
    const t = new Lpm6();
    const zero = ip6('::');
    const ones = ip6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(t.lookup(zero, 0)).toBe(-1);
    t.insert(zero, 0, 1);
    expect(t.lookup(ones, 0)).toBe(1);
    t.insert(ones, 128, 2);
    t.insert(ip6('2001:db8::ffff'), 32, 3); // host bits cleared
    expect(t.get(ip6('2001:db8::'), 32)).toBe(3);
    expect(t.lookup(ones, 0)).toBe(2);
    expect(t.lookup(ip6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe'), 0)).toBe(1);
    expect(t.lookup(ip6('2001:db8:1::1'), 0)).toBe(3);
    expect([...t.entries()].map(([a, l, v]) => [hex(a), l, v])).toEqual([
      ['00000000000000000000000000000000', 0, 1],
      ['20010db8000000000000000000000000', 32, 3],
      ['ffffffffffffffffffffffffffffffff', 128, 2],
    ]);
    expect(() => t.insert(zero, 129, 1)).toThrow(RangeError);
    expect(() => t.insert(zero, 64, -5)).toThrow(RangeError);
    expect(() => t.insert(new Uint8Array(4), 8, 1)).toThrow(RangeError);
  });

  // Prefixes crowded under 2001:db8::/32 (and one /64 in it), so that nodes change kind as they
  // fill and empty, long chains of single-child nodes form and fold, and removals restore the
  // covering prefix across many node levels.
  const crowd = fc
    .tuple(fc.constantFrom(0, 1, 2), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(7))
    .map(([kind, a, k]) => {
      const out = new Uint8Array(a);
      if (kind < 2) out.set([0x20, 0x01, 0x0d, 0xb8]);
      if (kind === 1) out.set([0, 1, 0, k], 4);
      return out;
    });
  const crowdLen = fc.constantFrom(0, 3, 16, 29, 32, 33, 40, 47, 48, 49, 56, 63, 64, 65, 72, 96, 120, 127, 128);
  const crowdCmd = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('ins' as const), crowd, crowdLen, fc.integer({ min: 0, max: 0x7fffffff })) },
    { weight: 3, arbitrary: fc.tuple(fc.constant('del' as const), crowd, crowdLen, fc.nat()) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('look' as const), crowd, fc.constant(0), fc.constant(0)) },
  );

  for (const opts of OPTS) {
    it(`matches a naive model with prefixes crowded into shared nodes (root stride ${new Lpm6(opts).stats().rootStride})`, () => {
      fc.assert(
        fc.property(fc.array(crowdCmd, { minLength: 20, maxLength: 150 }), fc.infiniteStream(fc.nat()), (cmds, shuffle) => {
          const t = new Lpm6(opts);
          const empty = t.memoryBytes();
          const ref = new RefLpm6();
          const seen: Uint8Array[] = [];
          for (const [op, a, len, v] of cmds) {
            seen.push(a);
            if (op === 'ins') {
              t.insert(a, len, v);
              ref.insert(a, len, v);
            } else if (op === 'del') {
              const r = ref.routes.length > 0 && v % 2 === 0 ? ref.routes[v % ref.routes.length]! : { prefix: a, len };
              expect(t.remove(r.prefix, r.len)).toBe(ref.remove(r.prefix, r.len));
            } else expect(t.lookup(a, 0)).toBe(ref.lookup(a, 0));
          }
          const pb = probeBuf(seen.slice(0, 6));
          checkAll(t, ref, pb);
          const left = [...ref.routes];
          const it = shuffle[Symbol.iterator]();
          while (left.length > 0) {
            const r = left.splice(it.next().value % left.length, 1)[0]!;
            expect(t.remove(r.prefix, r.len)).toBe(true);
            ref.remove(r.prefix, r.len);
            for (const a of seen.slice(0, 4)) expect(t.lookup(a, 0)).toBe(ref.lookup(a, 0));
          }
          checkAll(t, ref, pb);
          expect(t.stats().chunks).toBe(0);
          expect(t.memoryBytes()).toBeLessThanOrEqual(empty + 1024);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('grows its root 8 → 16 and agrees with a pre-sized table', () => {
    let x = 0x9e3779b9;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const a = new Lpm6();
    const b = new Lpm6({ expectedRoutes: 1e6 });
    const routes: [Uint8Array, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const p = new Uint8Array(16);
      p[0] = 0x20;
      p[1] = rnd() & 3;
      for (let j = 2; j < 16; j++) p[j] = rnd() & 255;
      const len = [32, 40, 44, 48, 48, 48, 56, 64, 128][rnd() % 9]!;
      routes.push([p, len]);
      a.insert(p, len, i);
      b.insert(p, len, i);
    }
    expect(a.stats().rootStride).toBe(16);
    for (let i = 0; i < routes.length; i += 2) {
      a.remove(routes[i]![0], routes[i]![1]);
      b.remove(routes[i]![0], routes[i]![1]);
    }
    const probe = new Uint8Array(16);
    for (let i = 0; i < 20_000; i++) {
      probe.set(routes[rnd() % routes.length]![0]);
      probe[2 + (rnd() % 14)]! ^= 1 << (rnd() & 7);
      expect(a.lookup(probe, 0)).toBe(b.lookup(probe, 0));
    }
    expect([...a.entries()]).toEqual([...b.entries()]);
  });
});

describe('Lpm6 batches (beginBatch/endBatch: the trie follows the store at the end)', () => {
  for (const opts of OPTS) {
    const stride = new Lpm6(opts).stats().rootStride;
    it(`ends where the same changes made one at a time end (root stride ${stride})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 4, maxLength: 4 }),
          fc.array(cmdArb, { maxLength: 50 }),
          fc.array(cmdArb, { maxLength: 100 }),
          fc.boolean(),
          (rnd, before, cmds, look) => {
            const seeds = [...EDGE, ...rnd];
            const t = new Lpm6(opts);
            const ref = new RefLpm6();
            const run = (list: typeof before): void => {
              for (const [op, s, x, v] of list) {
                const seed = seeds[s % seeds.length]!;
                if (op === 'ins') {
                  t.insert(seed, x, v);
                  ref.insert(seed, x, v);
                } else if (op === 'del') {
                  expect(t.remove(seed, x)).toBe(ref.remove(seed, x));
                } else {
                  // A lookup inside the batch is answered from the changes made so far.
                  const a = flip(seed, x);
                  expect(t.lookup(a, 0)).toBe(ref.lookup(a, 0));
                }
              }
            };
            run(before);
            t.beginBatch();
            run(look ? cmds : cmds.filter((c) => c[0] !== 'look'));
            expect(t.size).toBe(ref.routes.length);
            t.endBatch();
            expect(t.batching).toBe(false);
            const pb = probeBuf(seeds);
            checkAll(t, ref, pb);
            t.beginBatch();
            for (const r of [...ref.routes]) {
              expect(t.remove(r.prefix, r.len)).toBe(true);
              ref.remove(r.prefix, r.len);
            }
            t.endBatch();
            checkAll(t, ref, pb);
            expect(t.stats().chunks).toBe(0);
            expect(t.stats().rootStride).toBe(stride);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('nests, applies at the outermost endBatch, and refuses an endBatch without a beginBatch', () => {
    const t = new Lpm6();
    t.insert(ip6('2001:db8::'), 32, 1);
    t.beginBatch();
    t.beginBatch();
    t.insert(ip6('2001:db8:1::'), 48, 2);
    t.endBatch();
    expect(t.batching).toBe(true);
    t.insert(ip6('2001:db8:1:2::'), 64, 3);
    expect(t.lookup(ip6('2001:db8:1:2::9'), 0)).toBe(3); // mid-batch: pending changes applied first
    t.remove(ip6('2001:db8:1::'), 48);
    t.endBatch();
    expect(t.batching).toBe(false);
    expect([ip6('2001:db8:1:2::9'), ip6('2001:db8:1:3::9'), ip6('2001:db9::1')].map((a) => t.lookup(a, 0))).toEqual([3, 1, -1]);
    expect(() => t.endBatch()).toThrow(/without beginBatch/);
  });
});
