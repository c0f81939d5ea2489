import { describe, expect, it } from 'vitest';
import { measureMacs } from './scale-macs.js';

// No figure is judged (timing belongs to benchmarks): every key learned as new and found again
// (measureMacs throws otherwise), and the numbers are what they claim to be.
describe('measureMacs', () => {
  it('learns every entry, finds every one, and reports consistent figures', () => {
    const r = measureMacs({ entries: 20_000, seconds: 0.02 });
    expect(r.entries).toBe(20_000);
    expect(r.bytesPerEntry).toBeCloseTo(r.bytes / r.entries, 9);
    expect(r.load).toBeCloseTo(r.entries / r.capacity, 9);
    expect(r.load).toBeGreaterThan(0.5);
    expect(r.load).toBeLessThanOrEqual(0.8);
    // 16-byte slots at the load above, and the tallies of 4,096 domains and 1,088 ports.
    expect(r.bytes).toBeGreaterThanOrEqual(r.capacity * 16);
    for (const x of [r.learnsPerSecond, r.refreshesPerSecond, r.lookupsPerSecond, r.arrayReadsPerSecond]) expect(x).toBeGreaterThan(0);
    expect(r.ratioToArrayRead).toBeCloseTo(r.lookupsPerSecond / r.arrayReadsPerSecond, 9);
  });
});
