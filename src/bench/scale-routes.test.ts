import { describe, expect, it } from 'vitest';
import { Lpm4 } from '../l3/lpm4.js';
import { Lpm6 } from '../l3/lpm6.js';
import { buildFib, measureRoutes, routes4, routes6 } from './scale-routes.js';

/**
 * Bytes of every distinct ArrayBuffer reachable from an object through its fields, arrays and
 * nested objects: an independent count of what memoryBytes() claims to sum.
 */
function reachableBufferBytes(root: object): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      buffers.add(v.buffer);
      return;
    }
    for (const k of Object.getOwnPropertyNames(v)) visit((v as Record<string, unknown>)[k]);
  };
  visit(root);
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

describe('measureRoutes', () => {
  for (const family of [4, 6] as const) {
    for (const distribution of ['dfz', 'synthetic'] as const) {
      it(`IPv${family} ${distribution}: figures are consistent and in range`, () => {
        const r = measureRoutes({ routes: 3000, family, distribution, seconds: 0 });
        expect(r.family).toBe(family);
        expect(r.routes).toBe(3000);
        expect(r.bytesPerRoute).toBeCloseTo(r.bytes / 3000, 6);
        // A 16-bit root (320 KB) dominates 3,000 routes; the nodes and the store add the rest.
        expect(r.bytes).toBeGreaterThan(320 * 1024);
        expect(r.bytesPerRoute).toBeLessThan(1000);
        expect(r.buildSeconds).toBeGreaterThan(0);
        for (const x of [r.lookupsPerSecond, r.lookupRatioToArrayRead]) {
          expect(Number.isFinite(x)).toBe(true);
          expect(x).toBeGreaterThan(0);
        }
      });
    }
  }

  it('reports what the structure holds: memoryBytes() = every typed array reachable from the table', () => {
    const sets = [routes4(20_000, 'dfz'), routes4(20_000, 'synthetic'), routes6(20_000, 'dfz'), routes6(20_000, 'synthetic')];
    for (const set of sets) {
      const fib = buildFib(set);
      expect(fib.memoryBytes()).toBe(reachableBufferBytes(fib));
      const m = fib.memory();
      expect(m.root + m.nodes + m.store + m.other).toBe(m.total);
      expect(m.nodes).toBeGreaterThan(0);
      expect(m.store).toBeGreaterThanOrEqual(8 * set.count); // at least one 8-byte slot per route
      // Remove every other route: free lists, compaction and shrunk stores stay accounted.
      for (let i = 0; i < set.count; i += 2) {
        if (fib instanceof Lpm4) fib.remove((set.prefixes as Uint32Array)[i]!, set.lens[i]!);
        else (fib as Lpm6).remove((set.prefixes as Uint8Array).subarray(16 * i, 16 * i + 16), set.lens[i]!);
      }
      expect(fib.size).toBe(set.count / 2);
      expect(fib.memoryBytes()).toBe(reachableBufferBytes(fib));
    }
  });

  it('generates the distributions it describes', () => {
    const share = (lens: Uint8Array, f: (l: number) => boolean): number => lens.filter(f).length / lens.length;
    const dfz = routes4(200_000, 'dfz');
    const keys = new Set<number>();
    let bad = 0;
    for (let i = 0; i < dfz.count; i++) {
      const p = (dfz.prefixes as Uint32Array)[i]!;
      const l = dfz.lens[i]!;
      const top = p >>> 24;
      if (p % 2 ** (32 - l) !== 0 || top === 0 || top === 10 || top === 127 || top >= 224) bad++; // host bits, non-unicast
      keys.add(p * 64 + l);
    }
    expect(bad).toBe(0);
    expect(keys.size).toBe(dfz.count);
    expect(share(dfz.lens, (l) => l === 24)).toBeCloseTo(0.617, 2);
    expect(share(dfz.lens, (l) => l === 22)).toBeCloseTo(0.12, 2);
    expect(share(dfz.lens, (l) => l > 24)).toBeLessThan(0.002);
    expect(share(dfz.lens, (l) => l < 16)).toBeLessThan(0.006);
    const syn = routes4(200_000, 'synthetic');
    expect(share(syn.lens, (l) => l > 24)).toBeCloseTo(0.15, 1);
    const v6 = routes6(50_000, 'dfz');
    expect(share(v6.lens, (l) => l === 48)).toBeCloseTo(0.61, 1);
  });
});
