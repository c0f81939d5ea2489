import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Lpm4 } from './lpm4.js';

// Obviously-correct reference: a list of prefixes, linear scan for the longest match.
class RefLpm4 {
  routes: { prefix: number; len: number; value: number }[] = [];
  static mask(len: number): number {
    return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  }
  insert(prefix: number, len: number, value: number): void {
    const p = (prefix & RefLpm4.mask(len)) >>> 0;
    const r = this.routes.find((x) => x.prefix === p && x.len === len);
    if (r) r.value = value;
    else this.routes.push({ prefix: p, len, value });
  }
  remove(prefix: number, len: number): boolean {
    const p = (prefix & RefLpm4.mask(len)) >>> 0;
    const i = this.routes.findIndex((x) => x.prefix === p && x.len === len);
    if (i < 0) return false;
    this.routes.splice(i, 1);
    return true;
  }
  lookup(addr: number): number {
    let best = -1;
    let bestLen = -1;
    for (const r of this.routes) {
      if (((addr & RefLpm4.mask(r.len)) >>> 0) === r.prefix && r.len > bestLen) {
        best = r.value;
        bestLen = r.len;
      }
    }
    return best;
  }
}

const EDGE = [0, 0xffffffff, 0x80000000, 0x7fffffff, 0x0a000000, 0xc0a80101];
const OPTS = [undefined, { expectedRoutes: 1000 }, { expectedRoutes: 1_000_000 }] as const;

/** Probe addresses: every seed, and every seed with one bit flipped. */
function probes(seeds: number[]): number[] {
  const out = [0, 0xffffffff];
  for (const s of seeds) {
    out.push(s);
    for (let b = 0; b < 32; b++) out.push((s ^ (1 << b)) >>> 0);
  }
  return out;
}

function checkAll(t: Lpm4, ref: RefLpm4, probeAddrs: number[]): void {
  for (const a of probeAddrs) {
    const want = ref.lookup(a);
    if (t.lookup(a) !== want) expect({ addr: a, got: t.lookup(a) }).toEqual({ addr: a, got: want });
    expect(t.lookup(a | 0)).toBe(want); // int32 view of the same bits
  }
  expect(t.size).toBe(ref.routes.length);
  for (const r of ref.routes) expect(t.get(r.prefix, r.len)).toBe(r.value);
  const want = ref.routes
    .map((r) => [r.prefix, r.len, r.value] as [number, number, number])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  expect([...t.entries()]).toEqual(want);
}

const lenArb = fc.oneof(fc.constantFrom(0, 1, 8, 15, 16, 17, 23, 24, 25, 31, 32), fc.integer({ min: 0, max: 32 }));
const cmdArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constant('ins' as const), fc.nat(9), lenArb, fc.integer({ min: 0, max: 0x7fffffff })) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('del' as const), fc.nat(9), lenArb, fc.constant(0)) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('look' as const), fc.nat(9), fc.integer({ min: -1, max: 31 }), fc.constant(0)) },
);

describe('Lpm4', () => {
  for (const opts of OPTS) {
    const stride = new Lpm4(opts).stats().rootStride;
    it(`matches the reference on random insert/replace/remove sequences (root stride ${stride})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
          fc.array(cmdArb, { maxLength: 120 }),
          fc.infiniteStream(fc.nat()),
          (rnd, cmds, shuffle) => {
            const seeds = [...EDGE, ...rnd];
            const t = new Lpm4(opts);
            const ref = new RefLpm4();
            for (const [op, s, x, v] of cmds) {
              const seed = seeds[s % seeds.length]!;
              if (op === 'ins') {
                t.insert(seed, x, v);
                ref.insert(seed, x, v);
              } else if (op === 'del') {
                expect(t.remove(seed, x)).toBe(ref.remove(seed, x));
              } else {
                const a = x < 0 ? seed : (seed ^ (1 << x)) >>> 0;
                expect(t.lookup(a)).toBe(ref.lookup(a));
              }
            }
            const pr = probes(seeds);
            checkAll(t, ref, pr);
            // Tear down in a random order: the covering prefixes come back, chunks are recycled.
            const left = [...ref.routes];
            const it = shuffle[Symbol.iterator]();
            while (left.length > 0) {
              const r = left.splice(it.next().value % left.length, 1)[0]!;
              expect(t.remove(r.prefix, r.len)).toBe(true);
              ref.remove(r.prefix, r.len);
              for (const a of seeds) expect(t.lookup(a)).toBe(ref.lookup(a));
            }
            checkAll(t, ref, pr);
            expect(t.stats().chunks).toBe(0);
            expect(t.stats().rootStride).toBe(stride);
          },
        ),
        { numRuns: stride === 24 ? 25 : 300 },
      );
    });
  }

  it('restores covering prefixes whatever the removal order (nested chain, /0 to /32)', () => {
    const chain: [number, number][] = [
      [0, 0],
      [0x0a000000, 8],
      [0x0a010000, 16],
      [0x0a010000, 23],
      [0x0a010200, 24],
      [0x0a010280, 25],
      [0x0a010280, 31],
      [0x0a010281, 32],
      [0x0a010200, 32],
      [0xffffffff, 32],
      [0xff000000, 8],
    ];
    const pr = probes(chain.map((c) => c[0]));
    for (const opts of OPTS) {
      fc.assert(
        fc.property(
          fc.shuffledSubarray(chain, { minLength: chain.length }),
          fc.shuffledSubarray(chain, { minLength: chain.length }),
          (insOrder, delOrder) => {
            const t = new Lpm4(opts);
            const ref = new RefLpm4();
            insOrder.forEach(([p, l]) => {
              t.insert(p, l, l + 100);
              ref.insert(p, l, l + 100);
            });
            checkAll(t, ref, pr);
            for (const [p, l] of delOrder) {
              expect(t.remove(p, l)).toBe(true);
              expect(t.remove(p, l)).toBe(false);
              ref.remove(p, l);
              for (const a of pr) expect(t.lookup(a)).toBe(ref.lookup(a));
            }
            expect(t.size).toBe(0);
            expect(t.stats().chunks).toBe(0);
          },
        ),
        { numRuns: opts?.expectedRoutes === 1_000_000 ? 5 : 60 },
      );
    }
  });

  it('handles the default route, host routes and the edge addresses', () => {
    const t = new Lpm4();
    expect(t.lookup(0)).toBe(-1);
    expect(t.lookup(0xffffffff)).toBe(-1);
    t.insert(0, 0, 7);
    expect(t.lookup(0)).toBe(7);
    expect(t.lookup(0xffffffff)).toBe(7);
    expect(t.lookup(-1)).toBe(7);
    t.insert(0xffffffff, 32, 9);
    t.insert(0, 32, 0);
    expect(t.lookup(0xffffffff)).toBe(9);
    expect(t.lookup(0xfffffffe)).toBe(7);
    expect(t.lookup(0)).toBe(0);
    expect(t.lookup(1)).toBe(7);
    t.insert(0, 0, 8); // replace
    expect(t.size).toBe(3);
    expect(t.lookup(1)).toBe(8);
    expect(t.remove(0, 0)).toBe(true);
    expect(t.lookup(1)).toBe(-1);
    expect(t.lookup(0)).toBe(0);
    expect([...t.entries()]).toEqual([
      [0, 32, 0],
      [0xffffffff, 32, 9],
    ]);
  });

  it('clears host bits and validates its arguments', () => {
    const t = new Lpm4();
    t.insert(0x0a0102ff, 24, 5); // 10.1.2.255/24 → 10.1.2.0/24
    expect(t.get(0x0a010200, 24)).toBe(5);
    expect(t.get(0x0a010233, 24)).toBe(5);
    expect(t.get(0x0a010200, 23)).toBe(-1);
    expect([...t.entries()]).toEqual([[0x0a010200, 24, 5]]);
    expect(() => t.insert(0, 33, 1)).toThrow(RangeError);
    expect(() => t.insert(0, -1, 1)).toThrow(RangeError);
    expect(() => t.insert(0, 8, -1)).toThrow(RangeError);
    expect(() => t.insert(0, 8, 2 ** 31)).toThrow(RangeError);
    expect(() => t.insert(0, 8, 1.5)).toThrow(RangeError);
    t.insert(0, 8, 0x7fffffff);
    expect(t.lookup(0x00abcdef)).toBe(0x7fffffff);
    expect(t.remove(0x0b000000, 8)).toBe(false);
  });

  it('grows its root 8 → 16 and agrees with pre-sized tables on a big random table', () => {
    let x = 0x12345678;
    const rnd = (): number => {
      // xorshift32
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const tables = [new Lpm4(), new Lpm4({ expectedRoutes: 1000 }), new Lpm4({ expectedRoutes: 1e6 })];
    const routes: [number, number, number][] = [];
    for (let i = 0; i < 60_000; i++) {
      const r = rnd() % 100;
      const len = r < 60 ? 24 : r < 85 ? 16 + (rnd() % 8) : r < 97 ? 25 + (rnd() % 8) : 8 + (rnd() % 8);
      routes.push([rnd(), len, i]);
    }
    for (const t of tables) for (const [p, l, v] of routes) t.insert(p, l, v);
    expect(tables.map((t) => t.stats().rootStride)).toEqual([16, 16, 16]);
    // Remove a third, in an order unrelated to insertion.
    for (let i = 0; i < routes.length; i += 3) for (const t of tables) t.remove(routes[i]![0], routes[i]![1]);
    // Independent check: exact-match probing from /32 down to /0 over a Map.
    const ref = new Map<string, number>();
    const key = (p: number, l: number): string => `${(p & RefLpm4.mask(l)) >>> 0}/${l}`;
    for (const [p, l, v] of routes) ref.set(key(p, l), v);
    for (let i = 0; i < routes.length; i += 3) ref.delete(key(routes[i]![0], routes[i]![1]));
    const refLookup = (a: number): number => {
      for (let l = 32; l >= 0; l--) {
        const v = ref.get(`${(a & RefLpm4.mask(l)) >>> 0}/${l}`);
        if (v !== undefined) return v;
      }
      return -1;
    };
    for (let i = 0; i < 20_000; i++) {
      // Half near route prefixes, half uniform.
      const a = i & 1 ? rnd() : (routes[rnd() % routes.length]![0] ^ (rnd() & 0x3ff)) >>> 0;
      const want = refLookup(a);
      for (const t of tables) expect(t.lookup(a)).toBe(want);
    }
    for (const t of tables) expect(t.size).toBe(ref.size);
  });

  // Prefixes crowded into 10.1.0.0/16 and 10.1.2.0/24, so that nodes change kind as they fill
  // and empty (tiny: ≤ 4 runs or children; bitmap: more), children come and go under both
  // kinds, and removals restore the covering prefix across node levels.
  const crowdLen = fc.constantFrom(0, 1, 8, 12, 15, 16, 17, 20, 22, 23, 24, 25, 26, 28, 30, 31, 32);
  const crowdAddr = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((lo) => (0x0a010000 | lo) >>> 0),
    fc.integer({ min: 0, max: 0xff }).map((lo) => (0x0a010200 | lo) >>> 0),
    fc.integer({ min: 0, max: 0xffffffff }),
  );
  const crowdCmd = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('ins' as const), crowdAddr, crowdLen, fc.integer({ min: 0, max: 0x7fffffff })) },
    { weight: 3, arbitrary: fc.tuple(fc.constant('del' as const), crowdAddr, crowdLen, fc.nat()) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('look' as const), crowdAddr, fc.constant(0), fc.constant(0)) },
  );

  for (const opts of [undefined, { expectedRoutes: 1_000_000 }]) {
    it(`matches a naive model with prefixes crowded into shared nodes (root stride ${new Lpm4(opts).stats().rootStride})`, () => {
      fc.assert(
        fc.property(fc.array(crowdCmd, { minLength: 20, maxLength: 250 }), fc.infiniteStream(fc.nat()), (cmds, shuffle) => {
          const t = new Lpm4(opts);
          const empty = t.memoryBytes();
          const ref = new RefLpm4();
          const seen: number[] = [];
          for (const [op, a, len, v] of cmds) {
            seen.push(a);
            if (op === 'ins') {
              t.insert(a, len, v);
              ref.insert(a, len, v);
            } else if (op === 'del') {
              // Half the removals hit an existing route, so that covers are restored often.
              const r = ref.routes.length > 0 && v % 2 === 0 ? ref.routes[v % ref.routes.length]! : { prefix: a, len };
              expect(t.remove(r.prefix, r.len)).toBe(ref.remove(r.prefix, r.len));
            } else expect(t.lookup(a)).toBe(ref.lookup(a));
          }
          const pr = probes([...seen.slice(0, 12), 0x0a010000, 0x0a0102ff]);
          checkAll(t, ref, pr);
          const m = t.memory();
          expect(m.total).toBe(m.root + m.nodes + m.store + m.other);
          expect(t.memoryBytes()).toBe(m.total);
          const left = [...ref.routes];
          const it = shuffle[Symbol.iterator]();
          while (left.length > 0) {
            const r = left.splice(it.next().value % left.length, 1)[0]!;
            expect(t.remove(r.prefix, r.len)).toBe(true);
            ref.remove(r.prefix, r.len);
            for (const a of seen.slice(0, 8)) expect(t.lookup(a)).toBe(ref.lookup(a));
          }
          checkAll(t, ref, pr);
          expect(t.stats().chunks).toBe(0);
          // Nothing left behind: nodes compacted away, per-length stores dropped.
          expect(t.memoryBytes()).toBeLessThanOrEqual(empty + 1024);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('matches a naive model while a node fills up and empties again (tiny, bitmap and direct nodes)', () => {
    // Routes of /25-/32 in 10.1.2.0/24 under a /24 and a /16, inserted and removed in random
    // orders: the node for bits 24-31 grows through every kind (tiny, bitmap, direct) and back.
    const len = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(31, 32) }, { weight: 1, arbitrary: fc.integer({ min: 25, max: 30 }) });
    const route = fc.tuple(fc.integer({ min: 0, max: 255 }), len, fc.nat(1000));
    fc.assert(
      fc.property(fc.array(route, { minLength: 150, maxLength: 400 }), fc.infiniteStream(fc.nat()), (routes, shuffle) => {
        for (const opts of [undefined, { expectedRoutes: 1_000_000 }]) {
          const t = new Lpm4(opts);
          const ref = new RefLpm4();
          for (const [p, l, v] of [[0x0a010000, 16, 1], [0x0a010200, 24, 2]] as const) {
            t.insert(p, l, v);
            ref.insert(p, l, v);
          }
          // Every even /32 too (distinct values: 256 runs), so that the node is direct at its peak.
          const even = Array.from({ length: 128 }, (_, i) => [2 * i, 32, 5000 + i] as [number, number, number]);
          for (const [lo, l, v] of [...routes, ...even]) {
            t.insert(0x0a010200 | lo, l, v);
            ref.insert(0x0a010200 | lo, l, v);
          }
          const all = Array.from({ length: 256 }, (_, i) => (0x0a010200 | i) >>> 0);
          for (const a of all) expect(t.lookup(a)).toBe(ref.lookup(a));
          const left = [...ref.routes];
          const it = shuffle[Symbol.iterator]();
          while (left.length > 0) {
            const r = left.splice(it.next().value % left.length, 1)[0]!;
            expect(t.remove(r.prefix, r.len)).toBe(true);
            ref.remove(r.prefix, r.len);
            if (left.length % 16 === 0) for (const a of all) expect(t.lookup(a)).toBe(ref.lookup(a));
          }
          expect(t.stats().chunks).toBe(0);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('keeps a small table small', () => {
    const t = new Lpm4();
    t.insert(0, 0, 1);
    t.insert(0x0a000000, 8, 2);
    t.insert(0xc0a80100, 24, 3);
    t.insert(0xc0a80101, 32, 4);
    const s = t.stats();
    expect(s.rootStride).toBe(8);
    expect(s.bytes).toBeLessThan(8 * 1024);
  });
});

describe('Lpm4 batches (beginBatch/endBatch: the trie follows the store at the end)', () => {
  for (const opts of OPTS) {
    const stride = new Lpm4(opts).stats().rootStride;
    it(`ends where the same changes made one at a time end (root stride ${stride})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
          fc.array(cmdArb, { maxLength: 60 }),
          fc.array(cmdArb, { maxLength: 120 }),
          fc.boolean(),
          (rnd, before, cmds, look) => {
            // Without lookups the whole batch waits for endBatch(); with them it is applied in pieces.
            const batch = look ? cmds : cmds.filter((c) => c[0] !== 'look');
            const seeds = [...EDGE, ...rnd];
            const t = new Lpm4(opts);
            const ref = new RefLpm4();
            const run = (cmds: typeof before): void => {
              for (const [op, s, x, v] of cmds) {
                const seed = seeds[s % seeds.length]!;
                if (op === 'ins') {
                  t.insert(seed, x, v);
                  ref.insert(seed, x, v);
                } else if (op === 'del') {
                  expect(t.remove(seed, x)).toBe(ref.remove(seed, x));
                } else {
                  // A lookup inside the batch is answered from the changes made so far.
                  const a = x < 0 ? seed : (seed ^ (1 << x)) >>> 0;
                  expect(t.lookup(a)).toBe(ref.lookup(a));
                }
              }
            };
            run(before);
            t.beginBatch();
            run(batch);
            expect(t.size).toBe(ref.routes.length); // the store is exact during the batch
            t.endBatch();
            expect(t.batching).toBe(false);
            const pr = probes(seeds);
            checkAll(t, ref, pr);
            // Everything removed in one batch: no node left, the root as it was.
            t.beginBatch();
            for (const r of [...ref.routes]) {
              expect(t.remove(r.prefix, r.len)).toBe(true);
              ref.remove(r.prefix, r.len);
            }
            t.endBatch();
            checkAll(t, ref, pr);
            expect(t.stats().chunks).toBe(0);
            expect(t.stats().rootStride).toBe(stride);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('rewrites a DFZ-like table of 20,000 routes to new values exactly as single inserts do', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const routes: [number, number][] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = rnd();
      const len = [16, 19, 20, 22, 23, 24, 24, 24, 24, 25, 28, 32][r % 12]!;
      routes.push([rnd(), len]);
    }
    const single = new Lpm4({ expectedRoutes: 20_000 });
    const batched = new Lpm4({ expectedRoutes: 20_000 });
    routes.forEach(([p, l], i) => {
      single.insert(p, l, i % 7);
      batched.insert(p, l, i % 7);
    });
    // Half the routes move to other adjacencies, a tenth go, a few new ones arrive, in address order.
    const changes = routes
      .map(([p, l], i) => [p >>> 0, l, i % 10 === 0 ? -1 : i % 2 === 0 ? 7 + (i % 3) : i % 7] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const apply = (t: Lpm4): void => {
      for (const [p, l, v] of changes) {
        if (v < 0) t.remove(p, l);
        else t.insert(p, l, v);
      }
      for (let i = 0; i < 500; i++) t.insert(rnd(), 24, 11);
    };
    const s0 = seed;
    apply(single);
    seed = s0;
    batched.beginBatch();
    apply(batched);
    batched.endBatch();
    expect(batched.size).toBe(single.size);
    expect([...batched.entries()]).toEqual([...single.entries()]);
    for (const [p, l] of routes) {
      for (const a of [p, p ^ 1, p ^ 0x80, p ^ 0x8000, p | ((1 << (32 - l)) - 1)]) expect(batched.lookup(a)).toBe(single.lookup(a));
    }
    for (let i = 0; i < 50_000; i++) {
      const a = rnd();
      expect(batched.lookup(a)).toBe(single.lookup(a));
    }
  });

  it('nests, applies at the outermost endBatch, and refuses an endBatch without a beginBatch', () => {
    const t = new Lpm4();
    t.insert(0x0a000000, 8, 1);
    t.beginBatch();
    t.beginBatch();
    t.insert(0x0a010000, 16, 2);
    t.endBatch();
    expect(t.batching).toBe(true);
    expect(t.get(0x0a010000, 16)).toBe(2);
    t.insert(0x0a010200, 24, 3);
    expect(t.lookup(0x0a010203)).toBe(3); // mid-batch: pending changes applied first
    t.remove(0x0a010000, 16);
    t.endBatch();
    expect(t.batching).toBe(false);
    expect([0x0a010203, 0x0a010303, 0x0b000001].map((a) => t.lookup(a))).toEqual([3, 1, -1]);
    expect(() => t.endBatch()).toThrow(/without beginBatch/);
  });
});
