// The outputs of a run: the --json document (every field, its type), the
// terminal table, and the HTML report (well-formed, one chart per scenario and
// one series per backend, text escaped, nothing external).
import { beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from './report.js';
import { benchReportShape, BENCH_SCHEMA, type BenchReport, type BenchResult } from './schema.js';
import type { Problem } from './json-text.js';
import { benchReport, measureSpec, type BenchConfig } from './suite.js';
import { fmtRate, formatTable, TABLE_COLUMNS, tableRow } from './table.js';

const cfg: BenchConfig = { scenarios: ['l3', 'esp-encrypt'], sizes: ['64', '1420'], backends: ['native', 'js'], backendsExplicit: false, reps: 2, duration: 0.005, clock: 'wall', vpns: 1, routes: 2000, workers: 1 };
let report: BenchReport;

beforeAll(() => {
  const results: BenchResult[] = [];
  for (const size of cfg.sizes) results.push(measureSpec({ scenario: 'l3', size, backend: 'none', vpns: 1, routes: cfg.routes }, cfg));
  for (const size of cfg.sizes) for (const backend of ['native', 'js'] as const) results.push(measureSpec({ scenario: 'esp-encrypt', size, backend, vpns: 1, routes: cfg.routes }, cfg));
  report = benchReport(cfg, results, [], { date: new Date().toISOString() });
});

const spread = { min: expect.any(Number), max: expect.any(Number), rel: expect.any(Number) };

describe('--json document (triode-bench/1)', () => {
  it('has every documented field with its type', () => {
    expect(report).toEqual({
      schema: BENCH_SCHEMA,
      triode: expect.stringMatching(/^\d+\.\d+\.\d+/),
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      machine: { id: expect.stringMatching(/^[0-9a-f]{16}$/), cpu: expect.any(String), cores: expect.any(Number), node: process.version, os: expect.any(String), loadavg: [expect.any(Number), expect.any(Number), expect.any(Number)] },
      options: { scenarios: ['l3', 'esp-encrypt'], sizes: ['64', '1420'], backends: ['native', 'js'], reps: 2, duration: 0.005, clock: 'wall', vpns: 1, routes: 2000, macs: 1000000, workers: 1, gate: null, baseline: null },
      skipped: [],
      results: expect.any(Array),
    });
    expect(report.results).toHaveLength(6);
    for (const r of report.results) {
      const crypto = r.scenario !== 'l3';
      expect(r).toEqual({
        scenario: expect.any(String),
        size: expect.any(String),
        backend: crypto ? expect.stringMatching(/^(native|js)$/) : 'none',
        meanFrameBytes: Number(r.size),
        mpps: expect.any(Number),
        gbps: expect.any(Number),
        nsPerPacket: expect.any(Number),
        ratioToCeiling: crypto ? r.ratios.aesGcm : r.ratios.memcpy,
        ceiling: crypto ? 'aes-gcm' : 'memcpy',
        ratios: { aesGcm: crypto ? expect.any(Number) : null, memcpy: expect.any(Number) },
        ceilingMpps: { aesGcm: crypto ? expect.any(Number) : null, memcpy: expect.any(Number) },
        spread: { mpps: spread, gbps: spread, nsPerPacket: spread, ratioToCeiling: spread },
        reps: 2,
        packets: expect.any(Number),
        workers: 1,
      });
      expect(r.packets % 256).toBe(0);
      expect(r.packets).toBeGreaterThanOrEqual(2 * 256);
      for (const v of [r.mpps, r.gbps, r.nsPerPacket, r.ratioToCeiling]) expect(v).toBeGreaterThan(0);
      expect(r.spread.mpps.min).toBeLessThanOrEqual(r.mpps);
      expect(r.spread.mpps.max).toBeGreaterThanOrEqual(r.mpps);
      // Gbps and ns/packet are the same measurements seen otherwise (4 significant digits).
      expect(r.gbps).toBeCloseTo((r.mpps * r.meanFrameBytes * 8) / 1000, 1);
      // (with an even number of repetitions the medians are means of the middle two: not exact reciprocals)
      expect(r.nsPerPacket).toBeGreaterThanOrEqual((1000 / r.spread.mpps.max) * 0.999);
      expect(r.nsPerPacket).toBeLessThanOrEqual((1000 / r.spread.mpps.min) * 1.001);
      expect(r.spread.nsPerPacket.min * r.spread.mpps.max).toBeCloseTo(1000, -1);
    }
    const back = JSON.parse(JSON.stringify(report));
    const problems: Problem[] = [];
    benchReportShape(back, [], problems);
    expect(problems).toEqual([]);
  });

  it('the shape check names what is wrong in a bad document', () => {
    const bad = JSON.parse(JSON.stringify(report));
    bad.results[1].mpps = '2.5';
    delete bad.results[2].spread;
    bad.schema = 'triode-bench/0';
    const problems: Problem[] = [];
    benchReportShape(bad, [], problems);
    expect(problems.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'schema: expected "triode-bench/1", not "triode-bench/0"',
      'results.1.mpps: expected a number, not "2.5"',
      'results.2: missing field "spread"',
    ]);
  });
});

function synthetic(over: Partial<BenchResult>): BenchResult {
  const s = { min: 1.9, max: 2.2, rel: 0.15 };
  return {
    scenario: 'esp-encrypt', size: '1420', backend: 'native', meanFrameBytes: 1420, mpps: 2.044, gbps: 23.22, nsPerPacket: 489.2,
    ratioToCeiling: 0.5123, ceiling: 'aes-gcm', ratios: { aesGcm: 0.5123, memcpy: 0.1301 }, ceilingMpps: { aesGcm: 3.99, memcpy: 15.7 },
    spread: { mpps: s, gbps: s, nsPerPacket: s, ratioToCeiling: { min: 0.5, max: 0.53, rel: 0.0586 } }, reps: 5, packets: 1024000, ...over,
  };
}

describe('terminal table', () => {
  it('one aligned row per result under the header, figures formatted to their scale', () => {
    const rows = [synthetic({}), synthetic({ scenario: 'l3', size: '64', backend: 'none', ceiling: 'memcpy', mpps: 0.01427, ratios: { aesGcm: null, memcpy: 0.3 }, nsPerPacket: 70070 })];
    const text = formatTable(rows);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].split(/\s+/)).toEqual([...TABLE_COLUMNS]);
    expect(lines[1].split(/\s+/)).toEqual(['esp-encrypt', '1420', 'native', '2.04', '1.90-2.20', '23.2', '489', 'aes-gcm', '0.512', '3%', '0.512', '0.130']);
    expect(tableRow(rows[1]).slice(0, 7)).toEqual(['l3', '64', 'none', '0.0143', '1.90-2.20', '23.2', '70070']);
    expect(tableRow(rows[1])[10]).toBe('-');
    // Right-aligned figures end in the same column on every line.
    const end = (l: string, word: string) => l.indexOf(word) + word.length;
    expect(end(lines[1], '2.04')).toBe(end(lines[0], 'Mpps'));
    expect(end(lines[2], '0.0143')).toBe(end(lines[0], 'Mpps'));
    expect([fmtRate(418600), fmtRate(52.21), fmtRate(0.002389)]).toEqual(['418600', '52.2', '0.00239']);
  });
});

/** Checks that every element opened is closed in order (XHTML-style page, inline SVG); returns the element names seen. */
function wellFormed(html: string): string[] {
  const body = html.replace(/^<!DOCTYPE html>\s*/, '');
  const stack: string[] = [];
  const seen: string[] = [];
  const text = body.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    expect(between, `stray markup before <${m[2]}> at ${m.index}`).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|#39);)/);
    last = tag.lastIndex;
    if (m[1]) expect(stack.pop(), `</${m[2]}> at ${m.index}`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
    if (!m[1]) seen.push(m[2]);
  }
  expect(text.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  return seen;
}

describe('HTML report', () => {
  it('is well-formed, self-contained, with one chart per scenario and one series per backend in each panel', () => {
    const html = reportHtml(report);
    const elements = wellFormed(html);
    expect(elements.filter((e) => e === 'svg')).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
    expect(html.match(/https?:\/\/[^"]+/g)).toEqual(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']); // the SVG namespace only
    const sections = html.split('<section class="scenario"').slice(1);
    expect(sections.map((s) => /id="([^"]+)"/.exec(s)![1])).toEqual(['l3', 'esp-encrypt']);
    const series = (s: string) => [...s.matchAll(/<g class="series" data-backend="([^"]+)">/g)].map((m) => m[1]);
    expect(series(sections[0])).toEqual(['none', 'none']); // Mpps and Gbps panels
    expect(series(sections[1])).toEqual(['native', 'js', 'native', 'js']);
    expect(sections[1]).toContain('native backend');
    expect(sections[1]).toContain('js backend');
    for (const s of sections) {
      expect(s).toContain('frame size (bytes, with FCS)');
      expect(s).toMatch(/>Mpps<\/text>/);
      expect(s).toMatch(/>Gbps<\/text>/);
      expect(s).toContain('<table>');
    }
    // Each result is a row of its scenario's table, with its ratio.
    for (const r of report.results) expect(html).toContain(`<td>${r.ratioToCeiling.toFixed(3)}</td>`);
  });

  it('escapes every text it puts in HTML and SVG', () => {
    const evil = '<b onclick="x">&amp;\'</b>';
    const r = synthetic({ scenario: evil });
    const rep: BenchReport = { ...report, machine: { ...report.machine, cpu: evil }, skipped: [{ backend: 'native', reason: evil }], results: [r] };
    const html = reportHtml(rep, [{ status: 'REGRESSED', check: evil, text: evil }]);
    wellFormed(html);
    expect(html).not.toContain('<b onclick');
    expect(html).toContain('&lt;b onclick=&quot;x&quot;&gt;&amp;amp;&#39;&lt;/b&gt;');
  });
});
