// What `triode test` shows about a failing case: both packets decoded field
// by field in a `tshark -V`-like layout with the lines that differ marked
// (`<` expected, `>` got), the 16-byte rows of the frames that differ, and the
// trace through the graph of the input packet that produced the output.
// Off the hot path: allocates freely.

import { formatTrace } from '../graph/trace-format.js';
import type { PacketTrace } from '../graph/trace.js';
import { F_TRACED } from '../packet/batch.js';
import { decodeFrameFields } from '../packet/decode.js';
import { portName } from '../run/ports.js';
import type { Run } from '../run/runner.js';
import { applyMasks, MASK_FIELDS, type MaskField } from './masks.js';
import type { CapturedFrame } from './run-case.js';

/** tshark's protocol titles for the decoder's layers. */
const LAYER_TITLES: Record<string, string> = {
  eth: 'Ethernet II',
  vlan: '802.1Q Virtual LAN',
  arp: 'Address Resolution Protocol',
  ip: 'Internet Protocol Version 4',
  ipv6: 'Internet Protocol Version 6',
  icmp: 'Internet Control Message Protocol',
  icmpv6: 'Internet Control Message Protocol v6',
  udp: 'User Datagram Protocol',
  tcp: 'Transmission Control Protocol',
  esp: 'Encapsulating Security Payload',
  vxlan: 'Virtual eXtensible Local Area Network',
  gre: 'Generic Routing Encapsulation',
  mpls: 'MultiProtocol Label Switching Header',
};

const ts = (f: CapturedFrame): string => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;

interface DecodedLine {
  text: string;
  /** What is compared: the text, or for a masked field its name only. */
  key: string;
}

/** A frame as tshark -V lays it out: a Frame line, then each protocol with its fields indented. */
export function decodedLines(f: CapturedFrame, masks: readonly MaskField[] = []): DecodedLine[] {
  const maskedNames = new Set<string>();
  for (const m of masks) {
    const d = (MASK_FIELDS[m] as { decoded?: string }).decoded;
    if (d !== undefined) maskedNames.add(d);
  }
  const timeMasked = masks.includes('timestamp');
  const frame = `Frame: ${f.data.length} bytes`;
  const out: DecodedLine[] = [{ text: `${frame}, ${ts(f)}${timeMasked ? ' (masked)' : ''}`, key: timeMasked ? frame : `${frame}, ${ts(f)}` }];
  for (const l of decodeFrameFields(f.data, 0, f.data.length)) {
    const title = LAYER_TITLES[l.layer] ?? l.layer;
    out.push({ text: title, key: title });
    for (const fld of l.fields) {
      const text = `    ${fld.name}: ${fld.value}`;
      if (maskedNames.has(fld.name) || (fld.name.endsWith('.status') && maskedNames.has(fld.name.slice(0, -7)))) {
        out.push({ text: `${text} (masked)`, key: `    ${fld.name}` });
      } else out.push({ text, key: text });
    }
  }
  return out;
}

/** Longest-common-subsequence alignment of two line lists: ' ' both, '<' only a, '>' only b. */
export function alignLines<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): { mark: ' ' | '<' | '>'; item: T }[] {
  const n = a.length;
  const m = b.length;
  const ka = a.map(key);
  const kb = b.map(key);
  if (n * m > 4_000_000) {
    // Too long to align: pair by position.
    const out: { mark: ' ' | '<' | '>'; item: T }[] = [];
    for (let i = 0; i < Math.max(n, m); i++) {
      if (i < n && i < m && ka[i] === kb[i]) out.push({ mark: ' ', item: a[i] });
      else {
        if (i < n) out.push({ mark: '<', item: a[i] });
        if (i < m) out.push({ mark: '>', item: b[i] });
      }
    }
    return out;
  }
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = ka[i] === kb[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out: { mark: ' ' | '<' | '>'; item: T }[] = [];
  let i = 0;
  let j = 0;
  // Within a run of changes, the expected lines come before the got lines, as in diff(1).
  let pendingA: T[] = [];
  let pendingB: T[] = [];
  const flush = (): void => {
    for (const x of pendingA) out.push({ mark: '<', item: x });
    for (const x of pendingB) out.push({ mark: '>', item: x });
    pendingA = [];
    pendingB = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) {
      flush();
      out.push({ mark: ' ', item: a[i] });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) pendingA.push(a[i++]);
    else pendingB.push(b[j++]);
  }
  flush();
  return out;
}

/**
 * Both frames decoded field by field: lines the same in both once, lines that
 * differ marked `<` (expected) and `>` (got). Masked fields are never marked.
 */
export function renderFrameDiff(exp: CapturedFrame, got: CapturedFrame, masks: readonly MaskField[] = []): string[] {
  return alignLines(decodedLines(exp, masks), decodedLines(got, masks), (l) => l.key).map(({ mark, item }) => `${mark}   ${item.text}`);
}

/** One frame decoded field by field (a packet only one side has). */
export function renderFrame(f: CapturedFrame): string[] {
  return decodedLines(f).map((l) => `    ${l.text}`);
}

const hexRow = (d: Uint8Array, off: number): string => {
  const cells: string[] = [];
  for (let k = off; k < off + 16 && k < d.length; k++) cells.push(d[k].toString(16).padStart(2, '0'));
  return `${off.toString(16).padStart(4, '0')}  ${cells.join(' ')}`;
};

/** The 16-byte rows in which the frames differ (masked bytes aside): `<` expected, `>` got, `^^` under each differing byte. */
export function renderHexDiff(exp: Uint8Array, got: Uint8Array, masks: readonly MaskField[] = [], maxRows = 8): string[] {
  const a = applyMasks(exp, masks);
  const b = applyMasks(got, masks);
  const len = Math.max(a.length, b.length);
  const out: string[] = [];
  let rows = 0;
  let more = 0;
  for (let off = 0; off < len; off += 16) {
    let differs = false;
    let carets = '';
    for (let k = off; k < off + 16 && k < len; k++) {
      const d = k >= a.length || k >= b.length || a[k] !== b[k];
      differs ||= d;
      carets += `${d ? '^^' : '  '} `;
    }
    if (!differs) continue;
    if (rows++ >= maxRows) {
      more++;
      continue;
    }
    out.push(`<   ${off < exp.length ? hexRow(exp, off) : `${off.toString(16).padStart(4, '0')}  (ends)`}`);
    out.push(`>   ${off < got.length ? hexRow(got, off) : `${off.toString(16).padStart(4, '0')}  (ends)`}`);
    out.push(`          ${carets.trimEnd()}`);
  }
  if (more) out.push(`    ... ${more} more rows differ`);
  return out;
}

/** Which traced packet each output frame of each port came from (-1: not traced), learnt by wrapping the Run's port sinks. */
export class OutputTraceIds {
  readonly byPort = new Map<string, number[]>();

  /** Wraps every port sink of the run (pass as ExecuteOptions.onRun). */
  attach = (run: Run): void => {
    for (const dev of run.devices) {
      dev.sinks.forEach((sink, ifd) => {
        if (sink === null) return;
        const ids: number[] = [];
        this.byPort.set(portName(run.devices, dev, ifd), ids);
        dev.sinks[ifd] = (data, off, len, tsSec, tsNsec, b, slot) => {
          ids.push((b.flags[slot] & F_TRACED) !== 0 ? b.traceId[slot] : -1);
          sink(data, off, len, tsSec, tsNsec, b, slot);
        };
      });
    }
  };

  /** The trace id of a port's output frame `index`, or -1. */
  of(port: string, index: number): number {
    return this.byPort.get(port)?.[index] ?? -1;
  }
}

/** A trace as text, indented. */
export function renderTrace(t: PacketTrace, multiDevice: boolean): string[] {
  return formatTrace(t, multiDevice).split('\n');
}
