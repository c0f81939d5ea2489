// The model of `triode compare`: the same input run under several variants
// (profiles), compared packet by packet (each input packet's fates and the
// frames it produced), port by port, and counter by counter. Text and HTML
// render this model; neither computes anything of its own.

import type { PacketTrace, TraceStep } from '../graph/trace.js';
import { decodeStep } from '../graph/trace-format.js';
import { decodeFrame, decodeFrameFields } from '../packet/decode.js';
import type { SwitchValue } from '../profiles/switch.js';
import type { RunStats } from '../run/stats.js';
import type { SentFrame, VariantRun } from './variant.js';

/** One thing that happened to a packet in one variant: a fate, with the frame it sent for an "out". */
export interface OutcomeEvent {
  text: string;
  frame?: SentFrame;
  /** The frame decodes as the first variant's at this event but its bytes differ: the fields that do (`ip.id 0x0004 (junos 0x0002)`). */
  bytesDiffer?: string;
}

/** What one variant did with one input packet. */
export interface Outcome {
  /** Why, in one line: the node (and its note) where this variant went its own way, or the fate that decided. */
  why: string;
  /** The fates (drops and consumes with the node that decided them) and the frames sent, in order; the one `why` names is left out. */
  events: OutcomeEvent[];
  /** What is compared between variants: every fate, and every frame sent (port, time, bytes). */
  key: string;
  /** The fates alone (one a line), frames left out. */
  fates: string;
  trace?: PacketTrace;
}

export interface PacketDiff {
  /** The trace id: the same input packet in every variant (inputs are identical). Shown from 1. */
  id: number;
  origin: string;
  tsSec: number;
  tsNsec: number;
  /** One-line decode of the packet as it came in. */
  input: string;
  outcomes: Outcome[];
  differs: boolean;
  /** It differs, but every variant met the same fates: only the bytes of frames sent differ (an IP id, a checksum). */
  bytesOnly: boolean;
}

export interface PortDiff {
  port: string;
  /** Frames the port sent, per variant. */
  frames: number[];
  /** Frames (time and bytes) every variant sent on the port, counted as many times as each sent them. */
  identical: number;
}

export interface CounterRow {
  /** The --stats JSON path, as case.yaml `counters:` names it: `devices.R1.nodes.arp-input.counters.arp_replies`. */
  name: string;
  values: number[];
  differs: boolean;
}

export interface SwitchRow {
  device: string;
  name: string;
  values: SwitchValue[];
}

export interface VariantSummary {
  name: string;
  /** Per device: its profile and the switches set away from the profile's defaults (`arp-ignore=1`). */
  devices: { name: string; profile: string; overridden: string[] }[];
}

export interface Comparison {
  variants: VariantSummary[];
  multiDevice: boolean;
  /** Input frames, and how many were traced (fewer when --max-packets cut them). */
  inputFrames: number;
  traced: number;
  /** Every traced input packet, in trace order. */
  packets: PacketDiff[];
  ports: PortDiff[];
  /** Switches whose value is not the same in every variant. */
  switches: SwitchRow[];
  counters: CounterRow[];
}

const nodeName = (s: TraceStep, multi: boolean): string => (multi ? `${s.device}:${s.node}` : s.node);
const stepKey = (s: TraceStep): string => `${s.device}\u0000${s.node}\u0000${s.note}`;

/** The first step index at which the variants' traces part (node or note), or -1 when they never do. */
function divergence(traces: (PacketTrace | undefined)[]): number {
  const steps = traces.map((t) => t?.steps ?? []);
  const n = Math.max(...steps.map((s) => s.length));
  for (let i = 0; i < n; i++) {
    const first = steps[0][i] === undefined ? '' : stepKey(steps[0][i]);
    if (steps.some((s) => (s[i] === undefined ? '' : stepKey(s[i])) !== first)) return i;
  }
  return -1;
}

/**
 * The step of the node that decided fate k: the last one recorded before the
 * fate whose node declares the drop reason (a flooded packet's copies
 * interleave their steps), else the last one before the fate.
 */
function deciderOf(v: VariantRun, t: PacketTrace, k: number, reason?: string): TraceStep | undefined {
  const at = t.fateAt[k];
  if (reason !== undefined) {
    for (let i = at - 1; i >= 0; i--) {
      const s = t.steps[i];
      if (v.devices.find((d) => d.name === s.device)?.errorNames.get(s.node)?.includes(reason)) return s;
    }
  }
  return at > 0 ? t.steps[at - 1] : undefined;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const frameKey = (f: SentFrame): string => `${f.port} ${f.tsSec}.${f.tsNsec} ${hex(f.data)}`;

/** A packet's fates as events, each drop and consume with its node, each "out" with the frame the port sent. */
function eventsOf(v: VariantRun, t: PacketTrace, frames: SentFrame[], multi: boolean): OutcomeEvent[] {
  const events: OutcomeEvent[] = [];
  let next = 0;
  t.fates.forEach((f, k) => {
    if (f.startsWith('out ')) {
      // interface-output records the fate and then hands the frame to the port's sink: they pair in order.
      events.push({ text: f, frame: frames[next++] });
    } else if (f.startsWith('dropped: ')) {
      const reason = f.slice(9);
      const s = deciderOf(v, t, k, reason);
      events.push({ text: s ? `dropped at ${nodeName(s, multi)}: ${reason}` : f });
    } else if (f === 'consumed' || f.startsWith('consumed: ')) {
      const s = deciderOf(v, t, k);
      const where = s ? nodeName(s, multi) : '';
      if (f === 'consumed' && s?.note.includes('reply generated')) events.push({ text: `${where} replied` });
      else events.push({ text: s ? `consumed at ${where}${f.slice(8)}` : f });
    } else {
      events.push({ text: f });
    }
  });
  // Frames sent under this trace with no "out" fate of their own (none expected) still count.
  for (; next < frames.length; next++) events.push({ text: `sent on ${frames[next].port}`, frame: frames[next] });
  return events;
}

function outcomeOf(v: VariantRun, t: PacketTrace | undefined, frames: SentFrame[], split: number, multi: boolean): Outcome {
  if (!t) return { why: 'not traced', events: [], key: 'not traced', fates: '' };
  const events = eventsOf(v, t, frames, multi);
  const key = events.map((e) => (e.frame ? `${e.text} ${frameKey(e.frame)}` : e.text)).join('\n');
  const fates = events.map((e) => e.text).join('\n');
  const s = split >= 0 ? t.steps[split] : undefined;
  if (s && s.note && s.note !== 'reply generated') return { why: `${nodeName(s, multi)}: ${s.note}`, events, key, fates, trace: t };
  // No note where the paths part: the first drop, consume or reply says why; else the node there and where it sent the packet.
  const k = events.findIndex((e) => !e.frame);
  if (k >= 0) return { why: events[k].text, events: events.filter((_, i) => i !== k), key, fates, trace: t };
  if (events.length === 0) return { why: 'no fate recorded', events, key, fates, trace: t };
  const outs = events.map((e) => e.text).join(', ');
  return { why: s ? `${nodeName(s, multi)}: ${outs}` : outs, events, key, fates, trace: t };
}

/**
 * Where two frames that decode alike differ: the decoded fields whose values
 * differ (`ip.id 0x0004 (junos 0x0002)`), else the first byte offset.
 */
export function fieldDiff(f: Uint8Array, ref: Uint8Array, refName: string): string {
  const flat = (b: Uint8Array): { name: string; value: string }[] => decodeFrameFields(b, 0, b.length).flatMap((l) => l.fields);
  const a = flat(f);
  const r = flat(ref);
  if (a.length === r.length && a.every((x, i) => x.name === r[i].name)) {
    const fields = a.filter((x, i) => x.value !== r[i].value && !x.name.endsWith('.status')).map((x) => {
      const i = a.indexOf(x);
      return `${x.name} ${x.value} (${refName} ${r[i].value})`;
    });
    if (fields.length) return fields.join(', ');
  }
  let k = 0;
  while (k < f.length && k < ref.length && f[k] === ref[k]) k++;
  return `bytes from offset ${k} (${f.length} bytes, ${refName} ${ref.length})`;
}

/** Marks, in every variant after the first, a frame that decodes as the first variant's at the same event but is not the same bytes. */
function markByteDiffs(outcomes: Outcome[], refName: string): void {
  const ref = outcomes[0].events;
  for (const o of outcomes.slice(1)) {
    o.events.forEach((e, i) => {
      const r = ref[i];
      if (!e.frame || !r?.frame || e.text !== r.text) return;
      if (frameKey(e.frame) === frameKey(r.frame) || decodeSent(e.frame) !== decodeSent(r.frame)) return;
      e.bytesDiffer = fieldDiff(e.frame.data, r.frame.data, refName);
    });
  }
}

/** Flattens a run's --stats into counter paths → values (node call and packet figures left out: they follow vector sizes). */
function flatCounters(stats: RunStats, multi: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (prefix: string, o: unknown): void => {
    if (typeof o === 'number') out.set(prefix, o);
    else if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) walk(prefix ? `${prefix}.${k}` : k, v);
    }
  };
  walk('accounting', stats.accounting);
  walk('drops', stats.drops);
  if (stats.ipsec) walk('ipsec', stats.ipsec);
  for (const [name, d] of Object.entries(stats.devices)) {
    const p = `devices.${name}`;
    if (multi) {
      walk(`${p}.accounting`, d.accounting);
      walk(`${p}.drops`, d.drops);
    }
    walk(`${p}.interfaces`, d.interfaces);
    for (const [n, s] of Object.entries(d.nodes)) walk(`${p}.nodes.${n}.counters`, s.counters);
    if (d.linkTransitions) walk(`${p}.linkTransitions`, d.linkTransitions);
    if (d.bgpSessionTransitions) walk(`${p}.bgpSessionTransitions`, d.bgpSessionTransitions);
    if (d.bridge) walk(`${p}.bridge`, { macs: d.bridge.macs, macIp: d.bridge.macIp, vteps: d.bridge.vteps, table: d.bridge.table });
    if (d.ipsec) walk(`${p}.ipsec`, d.ipsec.totals);
  }
  return out;
}

/** Counters side by side: every path any variant has (in first-seen order), 0 where one lacks it; rows all zero left out. */
function counterRows(runs: readonly VariantRun[], multi: boolean): CounterRow[] {
  const flats = runs.map((r) => flatCounters(r.stats, multi));
  const names: string[] = [];
  const seen = new Set<string>();
  for (const f of flats) for (const k of f.keys()) if (!seen.has(k)) { seen.add(k); names.push(k); }
  // Grouped as --stats is (run accounting, drops, IPsec, then devices), first-seen order within a group.
  const rank = (n: string): number => ['accounting', 'drops', 'ipsec', 'devices'].indexOf(n.slice(0, n.indexOf('.')));
  names.sort((a, b) => rank(a) - rank(b));
  const rows: CounterRow[] = [];
  for (const name of names) {
    const values = flats.map((f) => f.get(name) ?? 0);
    if (values.every((x) => x === 0)) continue;
    rows.push({ name, values, differs: values.some((x) => x !== values[0]) });
  }
  return rows;
}

function portRows(runs: readonly VariantRun[]): PortDiff[] {
  const ports = [...new Set(runs.flatMap((r) => [...r.portFrames].filter(([, m]) => m.size > 0).map(([p]) => p)))].sort();
  return ports.map((port) => {
    const counts = runs.map((r) => r.portFrames.get(port) ?? new Map<string, number>());
    let identical = 0;
    for (const [k, n] of counts[0]) identical += Math.min(n, ...counts.slice(1).map((m) => m.get(k) ?? 0));
    return { port, frames: counts.map((m) => [...m.values()].reduce((a, b) => a + b, 0)), identical };
  });
}

function switchRows(runs: readonly VariantRun[]): SwitchRow[] {
  const rows: SwitchRow[] = [];
  for (const d of runs[0].devices) {
    const per = runs.map((r) => r.devices.find((x) => x.name === d.name)?.switches ?? []);
    for (const { name } of d.switches) {
      const values = per.map((sw) => sw.find((s) => s.name === name)?.value ?? '');
      if (values.some((x) => x !== values[0])) rows.push({ device: d.name, name, values });
    }
  }
  return rows;
}

/** Compares variant runs of the same input. `inputFrames`: how many frames the inputs held (traced may be fewer). */
export function compareRuns(runs: readonly VariantRun[], inputFrames: number): Comparison {
  const multi = runs[0].devices.length > 1;
  // The frames each trace produced, per variant, in the order the ports sent them.
  const byTrace = runs.map((r) => {
    const m = new Map<number, SentFrame[]>();
    for (const f of r.sent) {
      let l = m.get(f.traceId);
      if (!l) m.set(f.traceId, (l = []));
      l.push(f);
    }
    return m;
  });
  const traced = Math.max(...runs.map((r) => r.traces.length));
  const packets: PacketDiff[] = [];
  for (let id = 0; id < traced; id++) {
    const traces = runs.map((r) => r.traces[id]);
    const t0 = traces.find((t) => t !== undefined)!;
    const split = divergence(traces);
    const outcomes = runs.map((r, v) => outcomeOf(r, traces[v], byTrace[v].get(id) ?? [], split, multi));
    markByteDiffs(outcomes, runs[0].name);
    packets.push({
      id,
      origin: t0.origin,
      tsSec: t0.tsSec,
      tsNsec: t0.tsNsec,
      input: t0.steps.length ? decodeStep(t0.steps[0]) : '',
      outcomes,
      differs: outcomes.some((o) => o.key !== outcomes[0].key),
      bytesOnly: outcomes.some((o) => o.key !== outcomes[0].key) && outcomes.every((o) => o.fates === outcomes[0].fates),
    });
  }
  return {
    variants: runs.map((r) => ({
      name: r.name,
      devices: r.devices.map((d) => ({ name: d.name, profile: d.profile, overridden: d.overridden.map((o) => `${o.name}=${String(o.value)}`) })),
    })),
    multiDevice: multi,
    inputFrames,
    traced,
    packets,
    ports: portRows(runs),
    switches: switchRows(runs),
    counters: counterRows(runs, multi),
  };
}

/** One-line decode of a frame a port sent. */
export function decodeSent(f: SentFrame): string {
  return decodeFrame(f.data, 0, f.data.length);
}
