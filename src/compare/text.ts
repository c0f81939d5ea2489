// `triode compare` as text: the variants, the switches in which they differ,
// each packet that leaves differently (per variant: why, then what it became),
// the ports side by side and the counters side by side.

import { decodeSent, type Comparison, type PacketDiff } from './diff.js';

export function formatTime(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** Rows as columns: the first left-aligned, the others right-aligned. */
function table(rows: string[][], marks?: string[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => `${marks ? `${marks[i]} ` : ''}  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`.trimEnd());
}

/** What a variant is: its profile per device, and what it set away from the profile's defaults. */
export function variantLine(v: Comparison['variants'][number], multi: boolean): string {
  return v.devices
    .map((d) => `${multi ? `${d.name} ` : ''}${d.profile}${d.overridden.length ? ` (set: ${d.overridden.join(', ')})` : ''}`)
    .join(', ');
}

export function packetHeading(p: PacketDiff): string {
  return `Packet ${p.id + 1}  in ${p.origin}  at ${formatTime(p.tsSec, p.tsNsec)}: ${p.input}`;
}

function packetLines(c: Comparison, p: PacketDiff): string[] {
  const width = Math.max(...c.variants.map((v) => v.name.length)) + 1;
  const lines = [packetHeading(p)];
  if (p.bytesOnly) lines.push('  (the same fates in every variant: the frames sent differ only in their bytes)');
  p.outcomes.forEach((o, v) => {
    lines.push(`  ${`${c.variants[v].name}:`.padEnd(width)}  ${o.why}`);
    for (const e of o.events) {
      lines.push(`  ${' '.repeat(width)}  → ${e.text}${e.frame ? `: ${decodeSent(e.frame)}` : ''}`);
      if (e.bytesDiffer) lines.push(`  ${' '.repeat(width)}      differs in ${e.bytesDiffer}`);
    }
  });
  return lines;
}

export function formatComparison(c: Comparison): string {
  const out: string[] = [];
  const names = c.variants.map((v) => v.name);
  const width = Math.max(...names.map((n) => n.length));
  out.push(`${c.variants.length} variants, ${c.inputFrames} input packets`);
  for (const v of c.variants) out.push(`  ${v.name.padEnd(width)}  ${variantLine(v, c.multiDevice)}`);
  if (c.traced < c.inputFrames) {
    out.push(`note: traced the first ${c.traced} of ${c.inputFrames} input packets (--max-packets): later ones are compared only in the port and counter tables`);
  }
  out.push('');
  if (c.switches.length) {
    out.push('Switches that differ between the variants:');
    out.push(...table([['switch', ...names], ...c.switches.map((s) => [c.multiDevice ? `${s.device} ${s.name}` : s.name, ...s.values.map(String)])]));
    out.push('');
  }
  const differ = c.packets.filter((p) => p.differs);
  out.push(`Packets: ${differ.length} of ${c.traced} left differently; ${c.traced - differ.length} left the same way in every variant.`);
  out.push('');
  for (const p of differ) out.push(...packetLines(c, p), '');
  out.push('Ports: frames sent per variant, and how many every variant sent alike:');
  if (c.ports.length) out.push(...table([['port', ...names, 'identical'], ...c.ports.map((p) => [p.port, ...p.frames.map(String), String(p.identical)])]));
  else out.push('  (no port sent anything)');
  out.push('');
  out.push('Counters (* where the variants differ):');
  const rows = [['counter', ...names], ...c.counters.map((r) => [r.name, ...r.values.map(String)])];
  out.push(...table(rows, [' ', ...c.counters.map((r) => (r.differs ? '*' : ' '))]));
  return out.join('\n');
}
