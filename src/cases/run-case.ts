// Running a conformance case in-process: the case's configuration or scenario
// through the same Run as `triode run`, its inputs fed by port, and then
// checked: every port's output against its expected pcap packet by packet
// (masked fields aside), every other port silent, the expected counters
// against the `--stats` JSON, and the accounting identity, per device and for
// the run. A case never throws: whatever goes wrong is a failure of the case.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEspSaFile } from '../config/esp-sa-file.js';
import { loadConfigFile } from '../config/scenario.js';
import { ConfigError, type Scenario, type SourceLoc } from '../config/model.js';
import { formatTrace } from '../graph/trace-format.js';
import { decodeFrame, decodeFrameFields } from '../packet/decode.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { Run, type RunResult } from '../run/runner.js';
import { findPort } from '../run/ports.js';
import { runStats, type RunStats } from '../run/stats.js';
import type { CaseSaState, CaseSpec } from './case.js';
import { runDecodeCase } from './decode-case.js';
import { applyMasks, type MaskField } from './masks.js';
import { runStfCase } from './stf.js';
import type { DeviceRt } from '../device/device.js';
import { splitSeq } from '../ipsec/esn.js';

/** A frame as a pcap holds it. */
export interface CapturedFrame {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
}

export interface CaseExecution {
  scenario: Scenario;
  /** The run (its devices' SAs are closed: read IPsec figures from `stats`). */
  result: RunResult;
  stats: RunStats;
  /** What each port that sent anything sent, in order, by canonical port name. */
  outputs: Map<string, CapturedFrame[]>;
  /** The output pcap of each such port (in the execution's outDir; gone when none was given). */
  outputFiles: Map<string, string>;
}

export interface CaseFailure {
  kind: 'setup' | 'output' | 'counter' | 'accounting' | 'trace';
  message: string;
  loc?: SourceLoc;
  port?: string;
  /** Output: index (from 0) of the first packet that differs. */
  index?: number;
}

export interface CaseOutcome {
  spec: CaseSpec;
  passed: boolean;
  /** Set when the case could not be run here, and why (a decode case whose capture is absent); `passed` is then false and `failures` empty. */
  skipped?: string;
  failures: CaseFailure[];
  /** Absent when the case could not run (a setup failure). */
  execution?: CaseExecution;
}

export interface ExecuteOptions {
  /** Keep the output pcaps here (the generator copies them as expected files); default a temporary directory. */
  outDir?: string;
  /** Trace the first N packets (the trace is in execution.result.trace). */
  trace?: number;
  /** Called with the Run once it is built, before any packet (triode test wraps the port sinks to learn which traced packet each output is). */
  onRun?: (run: Run) => void;
}

/** Every frame of a pcap/pcapng file. */
export function readFrames(file: string): CapturedFrame[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: CapturedFrame[] = [];
  try {
    while (r.next(rec)) out.push({ tsSec: rec.tsSec, tsNsec: rec.tsNsec, data: rec.buf.slice(rec.offset, rec.offset + rec.caplen) });
  } finally {
    r.close();
  }
  return out;
}

class SetupError extends Error {
  constructor(message: string, readonly loc?: SourceLoc) {
    super(message);
  }
}

const where = (loc: SourceLoc | undefined): string => (loc ? `${loc.file}:${loc.line}:${loc.col}: ` : '');

/**
 * Runs a case's inputs through its configuration. Throws ConfigError (bad
 * configuration or esp_sa file), CaptureError (a corrupt input pcap) or an
 * Error naming the case.yaml line of a port that does not exist.
 */
export function executeCase(spec: CaseSpec, opts: ExecuteOptions = {}): CaseExecution {
  const scenario = loadConfigFile(spec.config);
  if (spec.profile !== undefined) {
    if (scenario.devices.length !== 1) throw new SetupError('profile: applies to a one-device configuration; in a scenario give each device its profile', spec.configLoc);
    scenario.devices[0].profile = spec.profile;
  }
  const saRecords = spec.saFile !== undefined ? readEspSaFile(spec.saFile) : undefined;
  const outDir = opts.outDir ?? mkdtempSync(join(tmpdir(), 'triode-case-'));
  // A golden trace needs every input packet traced: one more than the cap tells a case that has too many.
  const trace = spec.trace ? Math.max(opts.trace ?? 0, TRACE_CAP + 1) : opts.trace;
  try {
    const run = new Run(scenario, { outDir, trace, saRecords });
    applySaState(run.devices, spec.saState ?? []);
    opts.onRun?.(run);
    const portOf = (p: { port: string; loc: SourceLoc }): string => {
      try {
        return findPort(run.devices, p.port).name;
      } catch (e) {
        throw new SetupError((e as Error).message, p.loc);
      }
    };
    const inputs = spec.inputs.map((i) => ({ port: portOf(i), file: i.file }));
    for (const e of spec.expected) portOf(e);
    let result: RunResult;
    let stats: RunStats;
    try {
      result = run.execute(inputs);
      stats = runStats(result);
    } finally {
      // The SAs' keys live in the crypto backend (native memory): freed once the counters are read.
      for (const d of run.devices) d.ipsec?.close();
    }
    const outputs = new Map<string, CapturedFrame[]>();
    const outputFiles = new Map<string, string>();
    for (const o of result.outputs) {
      outputs.set(o.port, readFrames(o.file));
      outputFiles.set(o.port, o.file);
    }
    return { scenario, result, stats, outputs, outputFiles };
  } finally {
    if (opts.outDir === undefined) rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * case.yaml `sa_state`, a test-only knob no router has: the outbound SAs with
 * an SPI start at `seq`, the inbound ones have `highestSeen` as the highest
 * number received (so a case can start next to the 2^32 wrap). Numbers above
 * 2^32 - 1 need an ESN SA; an SPI no SA has is an error.
 */
function applySaState(devices: readonly DeviceRt[], states: readonly CaseSaState[]): void {
  for (const s of states) {
    const spi = `0x${s.spi.toString(16).padStart(8, '0')}`;
    let found = 0;
    for (const d of devices) {
      for (const sa of d.ipsec?.sas ?? []) {
        if (sa.spi !== s.spi) continue;
        const v = sa.outbound ? s.seq : s.highestSeen;
        if (v === undefined) continue;
        const [hi, lo] = splitSeq(v, sa.outbound ? 'seq' : 'highest_seen');
        if (hi !== 0 && !sa.esn) throw new SetupError(`sa_state: ${spi}: ${v} needs more than 32 bits, and ${sa.name} has no extended sequence numbers`, s.loc);
        if (sa.outbound) [sa.seqHi, sa.seqLo] = [hi, lo];
        else sa.replay.seed(hi, lo);
        found++;
      }
    }
    if (found === 0) {
      throw new SetupError(`sa_state: no ${s.seq !== undefined ? 'outbound' : 'inbound'} SA has SPI ${spi}`, s.loc);
    }
  }
}

/**
 * A value of the `--stats` JSON by dotted path. Names that contain dots
 * (`st0.1`, `et-0/0/1.0`) are matched whole, longest first. Drop reasons and
 * node counters are listed only when non-zero, so a missing one is 0; any
 * other missing path is undefined.
 */
export function counterValue(stats: RunStats, key: string): number | undefined {
  const parts = key.split('.');
  let cur: unknown = stats;
  let parent = '';
  let i = 0;
  while (i < parts.length) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const obj = cur as Record<string, unknown>;
    let j = parts.length;
    for (; j > i; j--) if (Object.hasOwn(obj, parts.slice(i, j).join('.'))) break;
    if (j === i) return (parent === 'drops' || parent === 'counters') && i === parts.length - 1 ? 0 : undefined;
    parent = parts.slice(i, j).join('.');
    cur = obj[parent];
    i = j;
  }
  return typeof cur === 'number' ? cur : undefined;
}

/** The name of the decoded field that holds byte `at` of a frame (the innermost one decoded), or ''. */
function fieldAt(frame: Uint8Array, at: number): string {
  let name = '';
  for (const l of decodeFrameFields(frame, 0, frame.length)) {
    for (const f of l.fields) if (f.length > 0 && at >= f.offset && at < f.offset + f.length) name = f.name;
  }
  return name;
}

const ts = (f: CapturedFrame): string => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
const line = (f: CapturedFrame): string => `${ts(f)} ${decodeFrame(f.data, 0, f.data.length)}`;

/** How two frames differ, or null when they are equal under the masks. */
export function frameDifference(exp: CapturedFrame, got: CapturedFrame, masks: readonly MaskField[]): string | null {
  const a = applyMasks(exp.data, masks);
  const b = applyMasks(got.data, masks);
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a[k] === b[k]) k++;
  if (k === n && a.length === b.length) {
    if (!masks.includes('timestamp') && (exp.tsSec !== got.tsSec || exp.tsNsec !== got.tsNsec)) return `timestamp ${ts(got)}, expected ${ts(exp)}`;
    return null;
  }
  if (k === n) return `length ${b.length}, expected ${a.length}`;
  const field = fieldAt(exp.data, k);
  return `byte ${k}${field ? ` (${field})` : ''} is 0x${b[k].toString(16).padStart(2, '0')}, expected 0x${a[k].toString(16).padStart(2, '0')}${a.length !== b.length ? `; length ${b.length}, expected ${a.length}` : ''}`;
}

/** Input packets a golden trace (case.yaml `trace:`) may cover: a case with more fails rather than record megabytes of text. */
export const TRACE_CAP = 10_000;
/** The file the generators and `--update` write a golden trace to. */
export const TRACE_FILE = 'expected-trace.txt';
/** Lines of context around the first differing line of a golden trace. */
const TRACE_CONTEXT = 3;

/**
 * Every traced packet of an execution as `triode run --trace N` prints it:
 * formatTrace (the multi-device form for several devices), each followed by a
 * blank line. Throws when the execution traced more than TRACE_CAP packets.
 */
export function renderCaseTrace(ex: CaseExecution): string {
  const traces = ex.result.trace.traces;
  if (traces.length > TRACE_CAP) throw new Error(`trace: the case has more than ${TRACE_CAP} input packets; a golden trace covers at most ${TRACE_CAP} (remove trace:, or split the case)`);
  const multi = ex.result.devices.length > 1;
  return traces.map((t) => `${formatTrace(t, multi)}\n\n`).join('');
}

/**
 * The golden trace against the run's: null when equal, else a failure at the
 * first differing line of the file with a unified-style diff of the lines
 * around it (`-` the file, `+` the run).
 */
export function traceDifference(file: string, loc: SourceLoc, got: string): CaseFailure | null {
  let want: string;
  try {
    want = readFileSync(file, 'utf8');
  } catch (e) {
    return { kind: 'setup', loc, message: `trace: ${(e as Error).message}` };
  }
  if (want === got) return null;
  const a = want.split('\n');
  const b = got.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // The hunk: context before, the differing lines up to where both agree again (or TRACE_CONTEXT * 2 of them), context after.
  let ea = i;
  let eb = i;
  const limit = TRACE_CONTEXT * 2;
  while ((ea < a.length || eb < b.length) && !(ea < a.length && eb < b.length && a[ea] === b[eb]) && ea - i < limit && eb - i < limit) {
    if (ea < a.length) ea++;
    if (eb < b.length) eb++;
  }
  let k = 0; // context after: lines equal again on both sides
  while (k < TRACE_CONTEXT && ea + k < a.length && eb + k < b.length && a[ea + k] === b[eb + k]) k++;
  const from = Math.max(0, i - TRACE_CONTEXT);
  const hunk = [
    `--- ${file}`,
    '+++ the run',
    `@@ -${from + 1},${ea + k - from} +${from + 1},${eb + k - from} @@`,
    ...a.slice(from, i).map((l) => ` ${l}`),
    ...a.slice(i, ea).map((l) => `-${l}`),
    ...b.slice(i, eb).map((l) => `+${l}`),
    ...a.slice(ea, ea + k).map((l) => ` ${l}`),
  ];
  const line = Math.min(i + 1, a.length);
  const what = i >= a.length ? `the run's trace goes on past the file's ${a.length} lines` : i >= b.length ? `the run's trace ends (${b.length} lines) before the file's line ${i + 1}` : `line ${i + 1} differs`;
  return { kind: 'trace', loc: { file, line, col: 1 }, message: `trace: ${what}\n${hunk.join('\n')}` };
}

/** Checks an execution against the case: outputs, silent ports, counters, accounting. */
export function checkCase(spec: CaseSpec, ex: CaseExecution): CaseFailure[] {
  const failures: CaseFailure[] = [];
  const masks = spec.masks.map((m) => m.field);
  const expectedPorts = new Set<string>();
  for (const e of spec.expected) {
    const port = findPort(ex.result.devices, e.port).name;
    expectedPorts.add(port);
    let want: CapturedFrame[];
    try {
      want = readFrames(e.file);
    } catch (err) {
      failures.push({ kind: 'setup', port, loc: e.loc, message: `expected pcap: ${(err as Error).message}` });
      continue;
    }
    const got = ex.outputs.get(port) ?? [];
    const n = Math.min(want.length, got.length);
    let differing = 0;
    let first = -1;
    let firstWhy = '';
    for (let i = 0; i < n; i++) {
      const why = frameDifference(want[i], got[i], masks);
      if (why === null) continue;
      differing++;
      if (first < 0) { first = i; firstWhy = why; }
    }
    if (first >= 0) {
      failures.push({
        kind: 'output', port, index: first, loc: e.loc,
        message: `port ${port}: packet ${first + 1} of ${want.length} differs: ${firstWhy}` +
          `${differing > 1 ? ` (${differing} packets differ)` : ''}\n  expected: ${line(want[first])}\n  got:      ${line(got[first])}`,
      });
    }
    if (want.length !== got.length) {
      const extra = got.length > want.length;
      const f = extra ? got[n] : want[n];
      failures.push({
        kind: 'output', port, index: n, loc: e.loc,
        message: `port ${port}: sent ${got.length} packets, expected ${want.length}; ${extra ? 'first extra' : 'first missing'}: ${line(f)}`,
      });
    }
  }
  for (const [port, frames] of ex.outputs) {
    if (expectedPorts.has(port) || frames.length === 0) continue;
    failures.push({ kind: 'output', port, index: 0, message: `port ${port}: sent ${frames.length} packets, expected none; first: ${line(frames[0])}` });
  }
  for (const c of spec.counters) {
    const v = counterValue(ex.stats, c.key);
    if (v === undefined) failures.push({ kind: 'counter', loc: c.loc, message: `counter ${c.key}: no such value in the --stats JSON` });
    else if (v !== c.value) failures.push({ kind: 'counter', loc: c.loc, message: `counter ${c.key} is ${v}, expected ${c.value}` });
  }
  if (spec.trace) {
    let got: string | undefined;
    try {
      got = renderCaseTrace(ex);
    } catch (e) {
      failures.push({ kind: 'trace', loc: spec.trace.loc, message: (e as Error).message });
    }
    const d = got === undefined ? null : traceDifference(spec.trace.file, spec.trace.loc, got);
    if (d) failures.push(d);
  }
  const a = ex.stats.accounting;
  if (!ex.stats.balanced) {
    failures.push({ kind: 'accounting', message: `accounting does not balance: in ${a.in} + generated ${a.generated} != out ${a.out} + consumed ${a.consumed} + dropped ${a.dropped}` });
  }
  for (const [name, d] of Object.entries(ex.stats.devices)) {
    const x = d.accounting;
    if (x.in + x.generated !== x.out + x.consumed + x.dropped) {
      failures.push({ kind: 'accounting', message: `${name}: accounting does not balance: in ${x.in} + generated ${x.generated} != out ${x.out} + consumed ${x.consumed} + dropped ${x.dropped}` });
    }
    const byReason = Object.values(d.drops).reduce((s, v) => s + v, 0);
    if (byReason !== x.dropped) failures.push({ kind: 'accounting', message: `${name}: drops by reason sum to ${byReason}, accounting says ${x.dropped}` });
  }
  return failures;
}

/** Loads nothing: runs a loaded case and checks it. Never throws. */
export function runCase(spec: CaseSpec, opts: Omit<ExecuteOptions, 'outDir'> = {}): CaseOutcome {
  if (spec.kind === 'decode') return runDecodeCase(spec);
  if (spec.stf) {
    // The STF file's packets become pcaps in a directory of their own for the run.
    const work = mkdtempSync(join(tmpdir(), 'triode-stf-'));
    try {
      return runStfCase(spec, work, opts).outcome;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  let ex: CaseExecution;
  try {
    ex = executeCase(spec, opts);
  } catch (e) {
    const failures: CaseFailure[] = e instanceof ConfigError
      ? e.problems.map((p) => ({ kind: 'setup', loc: p.loc, message: p.message }))
      : [{ kind: 'setup', loc: e instanceof SetupError ? e.loc : undefined, message: (e as Error).message }];
    return { spec, passed: false, failures };
  }
  const failures = checkCase(spec, ex);
  return { spec, passed: failures.length === 0, failures, execution: ex };
}

/** A case's failures as text, one per line (a location first where there is one). */
export function formatFailures(o: CaseOutcome): string {
  return o.failures.map((f) => `${where(f.loc)}${f.message}`).join('\n');
}
