import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferSeqHi, joinSeq, SEQ_HI_NONE, seqDiff, splitSeq } from './esn.js';
import { REPLAY_DUPLICATE, REPLAY_OK, REPLAY_TOO_OLD, REPLAY_ZERO, ReplayStore, ReplayWindow, ringBits } from './replay.js';

/** The obviously-correct model: every accepted number in a Set, and RFC 4303 3.4.3's rules. */
class ReferenceWindow {
  readonly seen = new Set<bigint>();
  top = 0n;
  constructor(readonly w: bigint, seed = 0n) {
    this.top = seed;
    if (seed > 0n) this.seen.add(seed);
  }
  accepts(s: bigint): boolean {
    if (s === 0n) return false;
    if (s > this.top) return true;
    if (this.top - s >= this.w) return false;
    return !this.seen.has(s);
  }
  accept(s: bigint): void {
    this.seen.add(s);
    if (s > this.top) this.top = s;
  }
}

/**
 * A stream of steps around a moving front: small and medium steps forward
 * (the ring of words wraps within a run), bursts of consecutive numbers (dense
 * bitmaps), steps back into and past the window, repeats, jumps larger than
 * the window, and numbers around the window's lower edge.
 */
function streamArb(w: number) {
  const step = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ kind: 'fwd' as const, n })) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.max(2, w >> 2) }).map((n) => ({ kind: 'fwd' as const, n })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.integer({ min: 8, max: Math.max(96, Math.min(w >> 2, 4096)) }), fc.integer({ min: 1, max: 3 }))
        .map(([n, stride]) => ({ kind: 'burst' as const, n, stride })),
    },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: w + 40 }).map((n) => ({ kind: 'back' as const, n })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'dup' as const, n: 0 }) },
    { weight: 1, arbitrary: fc.integer({ min: w - 2, max: 3 * w }).map((n) => ({ kind: 'jump' as const, n })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 31 }).map((n) => ({ kind: 'edge' as const, n })) },
  );
  return fc.array(step, { minLength: 1, maxLength: 400 });
}

function runAgainstModel(w: number, seed: bigint, steps: { kind: string; n: number; stride?: number }[], icvFails: boolean[]): void {
  const rw = new ReplayWindow(w);
  const [sh, sl] = splitSeq(seed);
  rw.seed(sh, sl);
  const ref = new ReferenceWindow(BigInt(w), seed);
  let cur = seed > 0n ? seed : 1n;
  let last = cur;
  const max = 0xffffffffffffffffn;
  const numbers: { kind: string; n: number }[] = [];
  for (const st of steps) {
    if (st.kind === 'burst') for (let k = 0; k < st.n; k++) numbers.push({ kind: 'fwd', n: st.stride ?? 1 });
    else numbers.push(st);
  }
  numbers.forEach((st, i) => {
    let s: bigint;
    switch (st.kind) {
      case 'fwd': s = cur + BigInt(st.n); break;
      case 'back': s = cur - BigInt(st.n); break;
      case 'dup': s = last; break;
      case 'jump': s = cur + BigInt(st.n); break;
      default: s = ref.top - BigInt(w) + BigInt(st.n) - 15n; // around the window's lower edge
    }
    if (s < 0n) s = 0n;
    if (s > max) s = max;
    last = s;
    if (s > cur) cur = s;
    const hi = Number(s >> 32n);
    const lo = Number(s & 0xffffffffn);
    const want = ref.accepts(s);
    expect(rw.check(hi, lo) === REPLAY_OK, `check ${s} (step ${i}, top ${ref.top})`).toBe(want);
    // A failed ICV never moves the window.
    if (!want || icvFails[i % icvFails.length]) return;
    expect(rw.update(hi, lo), `update ${s}`).toBe(REPLAY_OK);
    ref.accept(s);
    expect(joinSeq(rw.topHi, rw.topLo)).toBe(ref.top);
  });
}

describe('anti-replay window (RFC 4303 3.4.3, RFC 6479 bitmap) against a Set model', () => {
  for (const w of [32, 64, 100, 1000, 4096, 5000, 65536]) {
    it(`window ${w}: reordering, duplicates, jumps past the window`, () => {
      fc.assert(
        fc.property(streamArb(w), fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), (steps, fails) => {
          runAgainstModel(w, 0n, steps, fails);
        }),
        { numRuns: w >= 4096 ? 60 : 200 },
      );
    });
    it(`window ${w}: across the 2^32 boundary (seeded near 0xfffffff0)`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0xffffff00n, max: 0xfffffffen }), streamArb(w), (seed, steps) => {
          runAgainstModel(w, seed, steps, [false]);
        }),
        { numRuns: w >= 4096 ? 60 : 200 },
      );
    });
  }

  for (const w of [32, 64, 4096, 65536]) {
    it(`window ${w}: words reused by the ring hold no stale bits`, () => {
      // A dense run, then a run of even numbers only over several turns of the ring:
      // every odd number inside the final window must still be acceptable.
      const rw = new ReplayWindow(w);
      for (let s = 1; s <= 4 * w; s++) rw.update(0, s);
      for (let s = 4 * w + 2; s <= 8 * w; s += 2) expect(rw.update(0, s)).toBe(REPLAY_OK);
      let bad = 0;
      for (let s = 8 * w - w + 1; s < 8 * w; s++) if (rw.check(0, s) !== (s % 2 === 1 ? REPLAY_OK : REPLAY_DUPLICATE)) bad++;
      expect(bad).toBe(0);
      expect(rw.check(0, 7 * w)).toBe(REPLAY_TOO_OLD);
    });
  }

  it('a ring of W bits rounded up to a power of two: 512 bytes for the default 4096', () => {
    expect([32, 33, 64, 100, 4096, 4097, 65536, 1 << 20].map(ringBits)).toEqual([32, 64, 64, 128, 4096, 8192, 65536, 1 << 20]);
    const st = new ReplayStore();
    st.resize(3);
    st.init(0, 4096, true);
    st.init(1, 64, false);
    st.init(2, 100, true);
    expect(st.bitsUsed).toBe(128 + 4);
  });

  it('many windows in one store: each as its own model, whatever the others do', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ w: fc.constantFrom(32, 64, 100, 4096), on: fc.boolean() }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -300, max: 300 })), { minLength: 1, maxLength: 600 }),
        (wins, steps) => {
          const st = new ReplayStore();
          st.resize(wins.length);
          wins.forEach((x, i) => st.init(i, x.w, x.on));
          const refs = wins.map((x) => new ReferenceWindow(BigInt(x.on ? x.w : 2 ** 40)));
          const front = wins.map(() => 200n);
          for (const [who, d] of steps) {
            const i = who % wins.length;
            const s = front[i]! + BigInt(d);
            if (d > 0) front[i] = s;
            if (s <= 0n) continue;
            const lo = Number(s);
            const want = refs[i]!.accepts(s) || !wins[i]!.on;
            expect(st.check(i, 0, lo) === REPLAY_OK, `window ${i} check ${s}`).toBe(want);
            if (want) {
              expect(st.update(i, 0, lo)).toBe(REPLAY_OK);
              refs[i]!.accept(s);
            }
            expect(BigInt(st.lo[i]!)).toBe(refs[i]!.top);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('classifies: zero, too old, duplicate', () => {
    const rw = new ReplayWindow(32);
    expect(rw.check(0, 0)).toBe(REPLAY_ZERO);
    expect(rw.update(0, 100)).toBe(REPLAY_OK);
    expect(rw.check(0, 100)).toBe(REPLAY_DUPLICATE);
    expect(rw.check(0, 69)).toBe(REPLAY_OK); // 100 - 69 = 31 < 32
    expect(rw.check(0, 68)).toBe(REPLAY_TOO_OLD);
    expect(rw.update(0, 100)).toBe(REPLAY_DUPLICATE); // two copies in one vector: caught at update
  });

  it('moves only on update(), and a large jump clears the ring', () => {
    const rw = new ReplayWindow(64);
    for (let s = 1; s <= 64; s++) rw.update(0, s);
    expect(rw.check(0, 200)).toBe(REPLAY_OK);
    expect(rw.top).toBe(64); // check changed nothing
    rw.update(0, 10_000);
    for (let s = 10_000 - 63; s < 10_000; s++) expect(rw.check(0, s)).toBe(REPLAY_OK);
    expect(rw.check(0, 10_000 - 64)).toBe(REPLAY_TOO_OLD);
  });

  it('window sizes 32 .. 2^20 are accepted, others refused', () => {
    expect(() => new ReplayWindow(31)).toThrow(/32/);
    expect(() => new ReplayWindow(65536)).not.toThrow();
    expect(() => new ReplayWindow(1 << 20)).not.toThrow();
    expect(() => new ReplayWindow((1 << 20) + 1)).toThrow();
  });

  it('anti-replay off accepts repeats but tracks the top (for ESN)', () => {
    const rw = new ReplayWindow(4096, false);
    expect(rw.update(0, 5)).toBe(REPLAY_OK);
    expect(rw.check(0, 5)).toBe(REPLAY_OK);
    expect(rw.update(0, 3)).toBe(REPLAY_OK);
    expect(rw.top).toBe(5);
    expect(rw.check(0, 0)).toBe(REPLAY_ZERO);
  });
});

describe('ESN high-bit inference (RFC 4303 Appendix A2.2)', () => {
  /** The model: of Th - 1, Th, Th + 1, the candidate the appendix picks, computed with BigInt. */
  function model(seqLo: number, top: bigint, w: number): bigint | undefined {
    const th = top >> 32n;
    const tl = top & 0xffffffffn;
    const W = BigInt(w);
    const sl = BigInt(seqLo);
    let hi: bigint;
    if (tl >= W - 1n) hi = sl >= tl - W + 1n ? th : th + 1n;
    else hi = sl >= ((tl - W + 1n) & 0xffffffffn) ? th - 1n : th;
    return hi < 0n || hi > 0xffffffffn ? undefined : hi;
  }

  it('matches the appendix on random inputs', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(32, 64, 4096, 65536), (top, lo, w) => {
        const want = model(lo, top, w);
        const got = inferSeqHi(lo, Number(top >> 32n), Number(top & 0xffffffffn), w);
        expect(got === SEQ_HI_NONE ? undefined : BigInt(got)).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('picks the number within the window around the wrap', () => {
    // Top 0x0_fffffffe, window 64: 0x00000002 is ahead (next epoch), 0xffffffd0 is behind (this epoch).
    expect(inferSeqHi(2, 0, 0xfffffffe, 64)).toBe(1);
    expect(inferSeqHi(0xffffffd0, 0, 0xfffffffe, 64)).toBe(0);
    // Top 0x1_00000003: 0xfffffff0 is late from epoch 0, 5 is epoch 1.
    expect(inferSeqHi(0xfffffff0, 1, 3, 64)).toBe(0);
    expect(inferSeqHi(5, 1, 3, 64)).toBe(1);
    // Before the very first number, and past the last one.
    expect(inferSeqHi(0xfffffff0, 0, 3, 64)).toBe(SEQ_HI_NONE);
    expect(inferSeqHi(1, 0xffffffff, 0xffffff00, 64)).toBe(SEQ_HI_NONE);
  });

  it('seqDiff and splitSeq are exact where it matters', () => {
    expect(seqDiff(1, 2, 0, 0xffffffff)).toBe(3);
    expect(seqDiff(0, 0xffffffff, 1, 2)).toBe(-3);
    expect(seqDiff(0xffffffff, 0, 0, 0) > 2 ** 32).toBe(true);
    expect(splitSeq(0xfffffffen)).toEqual([0, 0xfffffffe]);
    expect(splitSeq(0x123456789abcdef0n)).toEqual([0x12345678, 0x9abcdef0]);
    expect(splitSeq(2 ** 40 + 5)).toEqual([256, 5]);
    expect(() => splitSeq(2 ** 64)).toThrow();
  });
});
