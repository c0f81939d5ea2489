import { decodeFrame } from '../packet/decode.js';
import type { PacketTrace, TraceStep } from './trace.js';

const FAKE_L2 = 14;

/** One-line decode of a step's bytes; an L3-only packet is decoded behind a stand-in Ethernet header that is not shown. */
export function decodeStep(s: TraceStep): string {
  if (!s.l3Only) return decodeFrame(s.bytes, 0, s.bytes.length);
  const buf = new Uint8Array(FAKE_L2 + s.bytes.length);
  const nibble = s.bytes.length > 0 ? s.bytes[0] >> 4 : 4;
  // Neither IPv4 nor IPv6: a label stack (static LSP labels, 1,000,000 and up, start with 0xf).
  const type = nibble === 6 ? 0x86dd : nibble === 4 ? 0x0800 : 0x8847;
  buf[12] = type >> 8;
  buf[13] = type & 0xff;
  buf.set(s.bytes, FAKE_L2);
  const text = decodeFrame(buf, 0, buf.length);
  const i = text.indexOf(type === 0x86dd ? 'IPv6' : type === 0x0800 ? 'IPv4' : 'MPLS');
  return i >= 0 ? text.slice(i) : text;
}

function formatTime(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/**
 * What a step adds to the one-line path: the receiving IFL at ethernet-input,
 * the route at a lookup (without the table name), any other node's note.
 */
function pathStep(s: TraceStep): string[] {
  if (!s.note || s.node === 'interface-output') return [];
  if (s.node === 'ethernet-input') return [s.note.split(';')[0]];
  if (s.node.endsWith('-lookup')) return [`${s.node} ${s.note.replace(/^\S+ /, '')}`];
  return [`${s.node} ${s.note}`];
}

/** A traced packet as text: one line per node with its note and decode, then the path in one line. */
export function formatTrace(t: PacketTrace, multiDevice: boolean): string {
  const lines = [`Packet ${t.id + 1}  in ${t.origin}  at ${formatTime(t.tsSec, t.tsNsec)}`];
  const width = Math.max(16, ...t.steps.map((s) => (multiDevice ? s.device.length + 1 : 0) + s.node.length));
  const path: string[] = [];
  let lastDevice = '';
  for (const s of t.steps) {
    const name = (multiDevice ? `${s.device}:` : '') + s.node;
    lines.push(`  ${name.padEnd(width)}  ${s.note ? `${s.note} | ` : ''}${decodeStep(s)}`);
    if (multiDevice && s.device !== lastDevice) path.push(`[${s.device}]`);
    lastDevice = s.device;
    path.push(...pathStep(s));
  }
  for (const f of t.fates) lines.push(`  → ${f}`);
  const last = t.fates[t.fates.length - 1];
  if (last) path.push(last.startsWith('out ') ? last.slice(4) : last);
  lines.push(`  path: ${path.join(' → ')}`);
  return lines.join('\n');
}
