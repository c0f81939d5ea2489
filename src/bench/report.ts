// `triode bench --report DIR`: one self-contained HTML page (inline CSS and
// SVG, no script, no external asset: it opens from file://) with a chart and
// a table per scenario, and results.json beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { esc, scenarioChart } from './chart.js';
import type { GateLine } from './gate.js';
import type { BenchReport, BenchResult } from './schema.js';
import { formatScale } from './scale.js';
import { SCENARIOS, SIZE_NAMES } from './scenarios.js';
import { fmtRate } from './table.js';

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f6f6f6; }
td.t, th.t { text-align: left; }
.meta td { text-align: left; }
.chart text { font: 11px system-ui, sans-serif; fill: #333; }
.chart .title { font-size: 13px; font-weight: 600; }
.chart .label { font-size: 12px; }
.chart .grid { stroke: #eee; }
.chart .axis { stroke: #555; }
.chart .whisker { stroke-width: 1.5; }
.pass { color: #2a7a2a; } .fail { color: #b00020; font-weight: 600; }
p.note { color: #555; max-width: 900px; }
`;

const cells = (xs: readonly (string | number)[], cls?: (i: number) => string | undefined): string =>
  xs.map((x, i) => { const c = cls?.(i); return `<td${c ? ` class="${c}"` : ''}>${esc(x)}</td>`; }).join('');

function resultsTable(rs: readonly BenchResult[]): string {
  const head = ['size', 'backend', 'Mpps', 'min–max', 'Gbps', 'ns/packet', 'ceiling', 'ratio to ceiling', 'spread of ratio', 'ratio to AES-GCM', 'ratio to memcpy', 'AES-GCM Mpps', 'memcpy Mpps', 'packets'];
  const rows = rs.map((r) => `<tr>${cells([
    r.size === 'imix' ? `imix (${r.meanFrameBytes.toFixed(0)} B mean)` : r.size,
    r.backend,
    fmtRate(r.mpps),
    `${fmtRate(r.spread.mpps.min)}–${fmtRate(r.spread.mpps.max)}`,
    fmtRate(r.gbps),
    r.nsPerPacket.toFixed(0),
    r.ceiling,
    r.ratioToCeiling.toFixed(3),
    `${(r.spread.ratioToCeiling.rel * 100).toFixed(1)}%`,
    r.ratios.aesGcm === null ? '–' : r.ratios.aesGcm.toFixed(3),
    r.ratios.memcpy.toFixed(3),
    r.ceilingMpps.aesGcm === null ? '–' : fmtRate(r.ceilingMpps.aesGcm),
    fmtRate(r.ceilingMpps.memcpy),
    r.packets,
  ], (i) => (i < 2 || i === 6 ? 't' : undefined))}</tr>`);
  return `<table>\n<tr>${head.map((h, i) => `<th${i < 2 || i === 6 ? ' class="t"' : ''}>${esc(h)}</th>`).join('')}</tr>\n${rows.join('\n')}\n</table>`;
}

/** The report page. `gate` adds the gate checks of a --gate run. */
export function reportHtml(report: BenchReport, gate?: readonly GateLine[]): string {
  const m = report.machine;
  const o = report.options;
  const meta: [string, string][] = [
    ['date', report.date],
    ['triode', report.triode],
    ['machine', `${m.cpu}, ${m.cores} cores (id ${m.id}); load ${m.loadavg.join(' ')}`],
    ['software', `Node.js ${m.node}, ${m.os}`],
    ['measurement', `${o.reps} repetitions of ${o.duration} s (${o.clock} clock) per figure, alternated with the ceilings`],
    ['topology', `${o.vpns} VPN${o.vpns === 1 ? '' : 's'} (ESP scenarios), ${o.routes} routes (l3)${o.macs === undefined ? '' : `, ${o.macs} MACs (VXLAN scenarios)`}`],
  ];
  if ((o.workers ?? 1) > 1) meta.push(['replicas', `${o.workers} pipeline replicas in worker threads; ratios to ${o.workers} × the ceiling; scaling over one replica in the same run`]);
  for (const s of report.skipped) meta.push([`skipped ${s.backend}`, s.reason]);
  const sections: string[] = [];
  const scenarios = [...SCENARIOS.map((s) => s.name), ...report.results.map((r) => r.scenario)].filter((s, i, a) => a.indexOf(s) === i);
  for (const name of scenarios) {
    const rs = report.results.filter((r) => r.scenario === name);
    if (rs.length === 0) continue;
    const def = SCENARIOS.find((s) => s.name === name);
    sections.push(`<section class="scenario" id="${esc(name)}">
<h2>${esc(name)}</h2>
${def ? `<p class="note">${esc(def.summary)}. Ceiling: ${esc(def.ceiling)}.</p>` : ''}
${scenarioChart(name, rs, SIZE_NAMES)}
${resultsTable(rs)}
</section>`);
  }
  if (report.scale) sections.push(`<section id="scale"><h2>Scale</h2>\n<pre>${esc(formatScale(report.scale))}</pre></section>`);
  const gateHtml = gate?.length
    ? `<section id="gates"><h2>Gate checks</h2>\n<table>\n<tr><th class="t">status</th><th class="t">check</th><th class="t">detail</th></tr>\n${gate.map((l) => `<tr><td class="t ${l.status === 'pass' ? 'pass' : l.status === 'note' ? '' : 'fail'}">${esc(l.status)}</td><td class="t">${esc(l.check)}</td><td class="t">${esc(l.text)}</td></tr>`).join('\n')}\n</table></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>${esc(`triode bench ${report.date}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>triode bench</h1>
<table class="meta">
${meta.map(([k, v]) => `<tr><th class="t">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
</table>
<p class="note">Figures are medians over the repetitions; whiskers and ranges show the lowest and highest repetition. Gbps counts frame bytes with the FCS, no preamble or inter-frame gap (ESP scenarios: the cleartext frames). The ratio divides each repetition's Mpps by its ceiling measured in the same repetition: AES-GCM is the same backend sealing the same inner-packet sizes with no framing, memcpy copies the frames into the batch and releases them with no processing. Ratios drift far less than absolute figures on a shared machine.</p>
${sections.join('\n')}
${gateHtml}
</body>
</html>
`;
}

/** Writes DIR/index.html and DIR/results.json; returns the page's path. */
export function writeReport(dir: string, report: BenchReport, gate?: readonly GateLine[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const page = join(dir, 'index.html');
  writeFileSync(page, reportHtml(report, gate));
  return page;
}
