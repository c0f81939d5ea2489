// SVG charts for the HTML report: throughput against frame size, one series
// per backend, the repetitions' range as whiskers. Plain SVG text, no script,
// so the report opens from file:// and in a mail attachment alike.
import type { BenchResult } from './schema.js';

/** Text for HTML or SVG, attribute values included. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const SERIES_COLORS: Readonly<Record<string, string>> = { native: '#1f77b4', js: '#ff7f0e', none: '#2ca02c' };
const color = (backend: string, i: number) => SERIES_COLORS[backend] ?? ['#9467bd', '#8c564b', '#e377c2'][i % 3];

/** Round upper bound and step for an axis from 0 to at least `max` in about 5 steps. */
export function niceAxis(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

const num = (x: number) => Number(x.toFixed(2));
const tickLabel = (x: number, step: number) => (step >= 1 ? x.toFixed(0) : x.toFixed(Math.min(4, Math.ceil(-Math.log10(step)) + 1)).replace(/\.?0+$/, ''));

interface Panel {
  title: string;
  value: (r: BenchResult) => number;
  min: (r: BenchResult) => number;
  max: (r: BenchResult) => number;
}

const W = 360;
const H = 250;
const M = { left: 56, right: 12, top: 28, bottom: 52 };

/** One panel's SVG elements, at x offset `ox`. */
function panel(p: Panel, results: readonly BenchResult[], sizes: readonly string[], backends: readonly string[], ox: number): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const { top, step } = niceAxis(Math.max(...results.map(p.max)));
  const x = (i: number) => num(ox + M.left + (pw * (i + 0.5)) / sizes.length);
  const y = (v: number) => num(M.top + ph - (ph * v) / top);
  const out: string[] = [];
  out.push(`<text class="title" x="${num(ox + M.left + pw / 2)}" y="16" text-anchor="middle">${esc(p.title)}</text>`);
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line class="grid" x1="${ox + M.left}" y1="${y(v)}" x2="${ox + M.left + pw}" y2="${y(v)}" />`);
    out.push(`<text class="tick" x="${ox + M.left - 6}" y="${num(y(v) + 4)}" text-anchor="end">${esc(tickLabel(v, step))}</text>`);
  }
  out.push(`<line class="axis" x1="${ox + M.left}" y1="${M.top}" x2="${ox + M.left}" y2="${M.top + ph}" />`);
  out.push(`<line class="axis" x1="${ox + M.left}" y1="${M.top + ph}" x2="${ox + M.left + pw}" y2="${M.top + ph}" />`);
  sizes.forEach((s, i) => {
    const mean = results.find((r) => r.size === s)?.meanFrameBytes;
    const label = s === 'imix' && mean ? `IMIX (${mean.toFixed(0)} B)` : s;
    out.push(`<text class="tick" x="${x(i)}" y="${M.top + ph + 16}" text-anchor="middle">${esc(label)}</text>`);
  });
  out.push(`<text class="label" x="${num(ox + M.left + pw / 2)}" y="${H - 10}" text-anchor="middle">frame size (bytes, with FCS)</text>`);
  out.push(`<text class="label" transform="translate(${ox + 14} ${num(M.top + ph / 2)}) rotate(-90)" text-anchor="middle">${esc(p.title)}</text>`);
  backends.forEach((b, bi) => {
    const c = color(b, bi);
    const pts: string[] = [];
    const marks: string[] = [];
    sizes.forEach((s, i) => {
      const r = results.find((q) => q.size === s && q.backend === b);
      if (!r) return;
      pts.push(`${x(i)},${y(p.value(r))}`);
      marks.push(`<line class="whisker" x1="${x(i)}" y1="${y(p.min(r))}" x2="${x(i)}" y2="${y(p.max(r))}" stroke="${c}" />`);
      marks.push(`<circle cx="${x(i)}" cy="${y(p.value(r))}" r="3.5" fill="${c}"><title>${esc(`${b} ${s}: ${p.value(r)} ${p.title} (${p.min(r)}–${p.max(r)})`)}</title></circle>`);
    });
    out.push(`<g class="series" data-backend="${esc(b)}">`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-width="2" />`);
    out.push(...marks, '</g>');
  });
  return out.join('\n');
}

/** The chart of one scenario's results: Mpps and Gbps side by side, a legend under them. */
export function scenarioChart(scenario: string, results: readonly BenchResult[], sizeOrder: readonly string[]): string {
  const sizes = sizeOrder.filter((s) => results.some((r) => r.size === s));
  const backends = [...new Set(results.map((r) => r.backend))];
  const panels: Panel[] = [
    { title: 'Mpps', value: (r) => r.mpps, min: (r) => r.spread.mpps.min, max: (r) => r.spread.mpps.max },
    { title: 'Gbps', value: (r) => r.gbps, min: (r) => r.spread.gbps.min, max: (r) => r.spread.gbps.max },
  ];
  const legendY = H + 8;
  const legend = backends.map((b, i) => {
    const lx = M.left + i * 140;
    return `<g class="legend-item"><rect x="${lx}" y="${legendY}" width="14" height="10" fill="${color(b, i)}" /><text class="tick" x="${lx + 20}" y="${legendY + 9}">${esc(b === 'none' ? 'no crypto' : `${b} backend`)}</text></g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${2 * W}" height="${H + 24}" viewBox="0 0 ${2 * W} ${H + 24}" role="img" aria-label="${esc(`${scenario}: throughput against frame size`)}">`,
    `<title>${esc(`${scenario}: Mpps and Gbps against frame size, one series per backend; whiskers: range over the repetitions`)}</title>`,
    ...panels.map((p, i) => panel(p, results, sizes, backends, i * W)),
    `<g class="legend">`,
    ...legend,
    `<text class="tick" x="${M.left + backends.length * 140}" y="${legendY + 9}">whiskers: min–max over repetitions</text>`,
    '</g>',
    '</svg>',
  ].join('\n');
}
