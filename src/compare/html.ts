// `triode compare --report`: the comparison as one self-contained HTML page
// (inline CSS, a few lines of inline JS for the "differences only" toggle;
// without JS every row shows). Every text from the run is HTML-escaped. The
// page holds nothing of the moment it was made: same run, same bytes.

import { formatTrace } from '../graph/trace-format.js';
import type { RunInput } from '../run/runner.js';
import { decodeSent, type Comparison, type Outcome, type PacketDiff } from './diff.js';
import { formatTime, variantLine } from './text.js';

export function esc(s: string | number | boolean): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
td.nw { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.differs > td:first-child { border-left: 4px solid #c0392b; }
tr.differs td.num { background: #fdecea; }
.mono, pre { font-family: ui-monospace, monospace; font-size: 12px; }
pre { margin: .3em 0; white-space: pre-wrap; }
.why { font-weight: 600; }
ul.events { margin: .2em 0; padding-left: 1.2em; }
.meta { color: #555; }
.bytes { color: #c0392b; }
`;

const SCRIPT = `
(function () {
  var box = document.getElementById('only-diff');
  if (location.hash === '#all') box.checked = false;
  function apply() {
    var rows = document.querySelectorAll('tr.same');
    for (var i = 0; i < rows.length; i++) rows[i].hidden = box.checked;
  }
  box.addEventListener('change', apply);
  apply();
})();
`;

function outcomeCell(o: Outcome, multi: boolean, withTrace: boolean): string {
  const events = o.events.map((e) => `<li>${esc(e.text)}${e.frame ? `: <span class="mono">${esc(decodeSent(e.frame))}</span>` : ''}${e.bytesDiffer ? `<br><span class="bytes">differs in ${esc(e.bytesDiffer)}</span>` : ''}</li>`).join('');
  const trace = withTrace && o.trace ? `<details><summary>trace</summary><pre>${esc(formatTrace(o.trace, multi))}</pre></details>` : '';
  return `<td class="outcome"><div class="why">${esc(o.why)}</div>${events ? `<ul class="events">${events}</ul>` : ''}${trace}</td>`;
}

function packetRow(c: Comparison, p: PacketDiff): string {
  const head = `<td class="num">${p.id + 1}</td><td class="mono nw">${esc(p.origin)}</td><td class="mono nw">${esc(formatTime(p.tsSec, p.tsNsec))}</td><td class="mono">${esc(p.input)}</td>`;
  if (p.differs) return `<tr class="packet differs${p.bytesOnly ? ' bytes-only' : ''}" id="packet-${p.id + 1}">${head}${p.outcomes.map((o) => outcomeCell(o, c.multiDevice, true)).join('')}</tr>`;
  // The same in every variant: one cell across the variants' columns.
  const o = p.outcomes[0];
  const events = o.events.map((e) => esc(e.text)).join('; ');
  return `<tr class="packet same" id="packet-${p.id + 1}">${head}<td colspan="${c.variants.length}"><span class="why">same in every variant:</span> ${esc(o.why)}${events ? `; ${events}` : ''}</td></tr>`;
}

export interface ReportContext {
  config: string;
  inputs: readonly RunInput[];
}

export function compareReport(c: Comparison, ctx: ReportContext): string {
  const names = c.variants.map((v) => v.name);
  const th = (cells: string[]): string => `<tr>${cells.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>`;
  const differ = c.packets.filter((p) => p.differs).length;
  const parts: string[] = [];
  parts.push(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>triode compare: ${esc(names.join(' vs '))}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>triode compare: ${esc(names.join(' vs '))}</h1>`);
  parts.push(`<p class="meta">${esc(ctx.config)}; inputs ${ctx.inputs.map((i) => `<span class="mono">${esc(i.port)}=${esc(i.file)}</span>`).join(', ')}; ${c.inputFrames} input packets</p>`);
  if (c.traced < c.inputFrames) parts.push(`<p class="meta" id="capped">Traced the first ${c.traced} of ${c.inputFrames} input packets (--max-packets): later ones count only in the port and counter tables.</p>`);
  parts.push(`<table id="variants">${th(['variant', 'profile and switches set'])}${c.variants.map((v) => `<tr><td class="mono">${esc(v.name)}</td><td>${esc(variantLine(v, c.multiDevice))}</td></tr>`).join('')}</table>`);
  if (c.switches.length) {
    parts.push('<h2>Switches that differ between the variants</h2>');
    parts.push(`<table id="switches">${th(['switch', ...names])}${c.switches.map((s) => `<tr><td class="mono">${esc(c.multiDevice ? `${s.device} ${s.name}` : s.name)}</td>${s.values.map((x) => `<td class="mono">${esc(x)}</td>`).join('')}</tr>`).join('')}</table>`);
  }
  parts.push('<h2>Packets</h2>');
  parts.push(`<p id="packet-summary">${differ} of ${c.traced} packets left differently; ${c.traced - differ} left the same way in every variant.</p>`);
  parts.push('<p><label><input type="checkbox" id="only-diff" checked> differences only (packets, ports, counters)</label></p>');
  parts.push(`<table id="packets"><thead>${th(['#', 'in', 'time', 'packet', ...names])}</thead><tbody>${c.packets.map((p) => packetRow(c, p)).join('\n')}</tbody></table>`);
  parts.push('<h2>Ports</h2><p>Frames sent per variant, and how many (time and bytes) every variant sent alike.</p>');
  parts.push(`<table id="ports">${th(['port', ...names, 'identical'])}${c.ports.map((p) => `<tr class="${p.frames.every((n) => n === p.identical) ? 'same' : 'differs'}"><td class="mono">${esc(p.port)}</td>${p.frames.map((n) => `<td class="num">${n}</td>`).join('')}<td class="num">${p.identical}</td></tr>`).join('')}</table>`);
  parts.push('<h2>Counters</h2><p>The <span class="mono">--stats</span> paths (as case.yaml <span class="mono">counters:</span> names them); marked rows differ.</p>');
  parts.push(`<table id="counters">${th(['counter', ...names])}${c.counters.map((r) => `<tr class="${r.differs ? 'differs' : 'same'}"><td class="mono">${esc(r.name)}</td>${r.values.map((x) => `<td class="num">${x}</td>`).join('')}</tr>`).join('')}</table>`);
  parts.push(`<script>${SCRIPT}</script></body></html>\n`);
  return parts.join('\n');
}
