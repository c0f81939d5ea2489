// Figures over repetitions: the median (robust to the one repetition another
// job on the machine slowed down) and the spread, which the gates read as the
// run's own measure of its noise.

export interface Spread {
  min: number;
  max: number;
  /** (max − min) / median: the relative width of what the repetitions saw (0 for one repetition). */
  rel: number;
}

export interface Summary {
  median: number;
  spread: Spread;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spreadOf(xs: readonly number[]): Spread {
  const med = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { min, max, rel: med === 0 ? 0 : (max - min) / med };
}

export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), spread: spreadOf(xs) };
}
