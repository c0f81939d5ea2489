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

/** Columns padded to their widest cell; text columns left-aligned, figures right-aligned. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = [[...TABLE_COLUMNS], ...results.map(tableRow)];
  const w = TABLE_COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (LEFT.has(c) ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd()).join('\n');
}

/** What the columns mean, printed under the table. */
export const TABLE_LEGEND = `Mpps, Gbps, ns/pkt: medians over the repetitions; min-max: range of Mpps. Gbps: frame bytes with the FCS × 8, no preamble or gap (ESP: the cleartext frames).
ratio: median of Mpps / the ceiling's Mpps in the same repetition, ± half its range; /aes-gcm: the backend sealing the same inner sizes, no framing; /memcpy: frames into the slab and out, no processing.`;
