import { describe, expect, it } from 'vitest';
import { niceAxis } from './chart.js';
import { median, spreadOf, summarize } from './stats.js';

describe('median and spread', () => {
  it('median of odd and even counts, unsorted input left alone', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });

  it('spread: min, max and (max − min) / median', () => {
    expect(spreadOf([2, 1, 3])).toEqual({ min: 1, max: 3, rel: 1 });
    expect(spreadOf([10, 11, 9, 10, 10])).toEqual({ min: 9, max: 11, rel: 0.2 });
    expect(spreadOf([4])).toEqual({ min: 4, max: 4, rel: 0 });
    expect(spreadOf([0, 0])).toEqual({ min: 0, max: 0, rel: 0 });
  });

  it('summarize: one outlier moves the spread, not the median', () => {
    const s = summarize([1.0, 1.02, 0.98, 0.4, 1.01]);
    expect(s.median).toBe(1);
    expect(s.spread.min).toBe(0.4);
    expect(s.spread.rel).toBeCloseTo(0.62, 12);
  });
});

describe('niceAxis', () => {
  it('rounds the top up to a whole number of 1/2/2.5/5 × 10^n steps', () => {
    expect(niceAxis(2.27)).toEqual({ top: 2.5, step: 0.5 });
    expect(niceAxis(13.1)).toEqual({ top: 15, step: 5 });
    expect(niceAxis(10)).toEqual({ top: 10, step: 2 });
    expect(niceAxis(0.0031).top).toBeCloseTo(0.004, 12);
    expect(niceAxis(0.0031).step).toBeCloseTo(0.001, 12);
    expect(niceAxis(0)).toEqual({ top: 1, step: 0.2 });
  });
});
