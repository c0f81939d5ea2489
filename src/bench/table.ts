// The terminal table of a benchmark run: medians with the repetitions' range,
// and the ratios to both ceilings.
import type { BenchResult } from './schema.js';

export const TABLE_COLUMNS = ['scenario', 'size', 'backend', 'Mpps', 'min-max', 'Gbps', 'ns/pkt', 'ceiling', 'ratio', '±', '/aes-gcm', '/memcpy'] as const;

/** Mpps and Gbps with 3 significant digits, ns with none after the point. */
export function fmtRate(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** The row of one result, as strings in TABLE_COLUMNS order. */
export function tableRow(r: BenchResult): string[] {
  const s = r.spread;
  return [
    r.scenario,
    r.size,
    r.backend,
    fmtRate(r.mpps),
    `${fmtRate(s.mpps.min)}-${fmtRate(s.mpps.max)}`,
    fmtRate(r.gbps),
    r.nsPerPacket.toFixed(0),
    r.ceiling,
    r.ratioToCeiling.toFixed(3),
    `${(s.ratioToCeiling.rel * 50).toFixed(0)}%`,
    r.ratios.aesGcm === null ? '-' : r.ratios.aesGcm.toFixed(3),
    r.ratios.memcpy.toFixed(3),
  ];
}

const LEFT = new Set([0, 1, 2, 7]);

/** With workers: the replicas, their scaling over one replica, and one replica's Mpps, after the other columns. */
const WORKER_COLUMNS = ['workers', 'scaling', '1-worker Mpps'];
const workerCells = (r: BenchResult): string[] => [String(r.workers ?? 1), r.scaling === undefined ? '-' : r.scaling.toFixed(2), r.oneWorkerMpps === undefined ? '-' : fmtRate(r.oneWorkerMpps)];

/** Columns padded to their widest cell; text columns left-aligned, figures right-aligned. */
export function formatTable(results: readonly BenchResult[]): string {
  const parallel = results.some((r) => (r.workers ?? 1) > 1);
  const head: string[] = parallel ? [...TABLE_COLUMNS, ...WORKER_COLUMNS] : [...TABLE_COLUMNS];
  const rows = [head, ...results.map((r) => (parallel ? [...tableRow(r), ...workerCells(r)] : tableRow(r)))];
  const w = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (LEFT.has(c) ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd()).join('\n');
}

/** What the columns mean, printed under the table. */
export const TABLE_LEGEND = `Mpps, Gbps, ns/pkt: medians over the repetitions; min-max: range of Mpps. Gbps: frame bytes with the FCS × 8, no preamble or gap (ESP: the cleartext frames).
ratio: median of Mpps / the ceiling's Mpps in the same repetition, ± half its range; /aes-gcm: the backend sealing the same inner sizes, no framing; /memcpy: frames into the slab and out, no processing.
With --workers n: figures of n pipeline replicas, ratios to n × the ceiling; scaling: n replicas' Mpps / one replica's in the same repetition.`;

/**
 * Scenarios measured with a baseline (ixp with ixp-plain, the same path
 * without its features), one line each: the median over repetitions of its
 * Mpps over the baseline's in the same repetition (measured back to back, so
 * a drift of the machine cancels), the range of that ratio, and both Mpps.
 * Empty when the run has none.
 */
export function formatBaselines(results: readonly BenchResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const b = r.baseline;
    if (b === undefined) continue;
    lines.push(`${r.scenario} / ${b.scenario} at ${r.size}: ${b.ratio.toFixed(3)} (${b.spread.min.toFixed(3)}-${b.spread.max.toFixed(3)}) of the Mpps: ${fmtRate(r.mpps)} / ${fmtRate(b.mpps)}, each repetition's pair measured back to back`);
  }
  return lines.join('\n');
}
