// One case of `triode test`, from its directory to a report: load case.yaml
// (a bad one is a failure of the case, with file:line:column), run it
// in-process (a pcap case, an STF case or a decode case), and when it fails,
// run it again with every input packet traced to show, for each port that
// differs, both packets decoded field by field and the trace of the input
// packet that produced the differing output. With `update`, rewrite the
// expected pcaps of a failing case (src/cases/update.ts). Never throws: the
// report is plain data, posted back from a worker thread as it is.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { ConfigError, type SourceLoc } from '../config/model.js';
import type { PacketTrace } from '../graph/trace.js';
import { findPort } from '../run/ports.js';
import { loadCase, type CaseSpec } from './case.js';
import type { MaskField } from './masks.js';
import { OutputTraceIds, renderFrame, renderFrameDiff, renderHexDiff, renderTrace } from './report.js';
import { executeCase, readFrames, runCase, type CapturedFrame, type CaseFailure, type CaseOutcome } from './run-case.js';
import { runStfCase } from './stf.js';
import { updateExpected, updateRefusal } from './update.js';

export type CaseStatus = 'pass' | 'fail' | 'skip' | 'updated';

export interface ReportedFailure {
  kind: CaseFailure['kind'];
  /** The failure's first line. */
  message: string;
  /** file:line:column, when the failure has a place. */
  where?: string;
  port?: string;
  index?: number;
}

export interface CaseReport {
  name: string;
  dir: string;
  /** The case.yaml. */
  file: string;
  description?: string;
  status: CaseStatus;
  /** Input packets run (none for a case that runs no device: a decode case). */
  packets?: number;
  /** Load, run and check (not the report's rendering or a re-run for traces). */
  ms: number;
  skipReason?: string;
  failures: ReportedFailure[];
  /** Everything about the failures as text: one block per failure (indented lines). */
  details: string;
  /** What --update did or why it did not. */
  notes: string[];
}

export interface HarnessOptions {
  update?: boolean;
  /** Input packets traced when a failing case is re-run (default TRACE_BUDGET). */
  traceBudget?: number;
  /** Locations are shown relative to this directory when under it (default the process's). */
  cwd?: string;
}

/** Input packets traced in a failing case's re-run: enough for any case meant to be read, bounded for huge captures. */
export const TRACE_BUDGET = 20_000;
/** Output failures shown in detail per case (the others are listed by their message). */
const MAX_DETAILED = 4;

const GENERATED = /^#.*[Gg]enerated by (\S+)/;

function whereOf(loc: SourceLoc | undefined, cwd: string): string | undefined {
  if (!loc) return undefined;
  const r = relative(cwd, loc.file);
  const file = r && !r.startsWith('..') && !isAbsolute(r) ? r : loc.file;
  return `${file}:${loc.line}:${loc.col}`;
}

interface TraceInfo {
  ids: OutputTraceIds;
  traces: PacketTrace[];
  multi: boolean;
  budget: number;
}

/** The case run again with its first `budget` input packets traced, noting which traced packet each output is. */
function traceRun(spec: CaseSpec, budget: number): TraceInfo | undefined {
  const ids = new OutputTraceIds();
  try {
    const ex = executeCase(spec, { trace: budget, onRun: ids.attach });
    return { ids, traces: ex.result.trace.traces, multi: ex.result.devices.length > 1, budget };
  } catch {
    return undefined;
  }
}

function traceBlock(title: string, t: PacketTrace, multi: boolean): string[] {
  return [`  ${title}:`, ...renderTrace(t, multi).map((l) => `    ${l}`)];
}

function traceOfOutput(info: TraceInfo | undefined, port: string, index: number): string[] {
  if (!info) return ['  trace: the case could not be run again with tracing'];
  const id = info.ids.of(port, index);
  if (id < 0) return [`  trace: none (a packet the device made itself, or from past the first ${info.budget} input packets, which alone are traced)`];
  return traceBlock(`trace of input packet ${id + 1}, which sent it`, info.traces[id], info.multi);
}

function traceOfFirstDrop(info: TraceInfo | undefined): string[] {
  const t = info?.traces.find((x) => x.fates.some((f) => f.startsWith('dropped')));
  if (!info) return ['  trace: the case could not be run again with tracing'];
  if (!t) return ['  trace: no traced input packet was dropped'];
  return traceBlock(`trace of input packet ${t.id + 1}, the first dropped`, t, info.multi);
}

/** Every failure as text; output failures with both packets decoded and the trace. */
function renderDetails(o: CaseOutcome, expectedOf: (port: string) => CapturedFrame[], masks: readonly MaskField[], cwd: string, budget: number): string {
  const lines: string[] = [];
  let info: TraceInfo | undefined;
  let traced = false;
  let detailed = 0;
  for (const f of o.failures) {
    const where = whereOf(f.loc, cwd);
    const [first, ...rest] = f.message.split('\n');
    lines.push(`  ${where ? `${where}: ` : ''}${first}`, ...rest.map((l) => `  ${l}`));
    if (f.kind !== 'output' || f.port === undefined || f.index === undefined || !o.execution) continue;
    if (detailed++ >= MAX_DETAILED) continue;
    if (!traced) {
      info = traceRun(o.spec, budget);
      traced = true;
    }
    const i = f.index;
    const want = expectedOf(f.port)[i];
    const got = o.execution.outputs.get(f.port)?.[i];
    const at = `port ${f.port}, packet ${i + 1} (index ${i})`;
    if (want && got) {
      lines.push(`  ${at}, field by field (< expected, > got):`, ...renderFrameDiff(want, got, masks).map((l) => `  ${l}`));
      const hex = renderHexDiff(want.data, got.data, masks);
      if (hex.length) lines.push('  bytes that differ:', ...hex.map((l) => `  ${l}`));
      lines.push(...traceOfOutput(info, f.port, i));
    } else if (got) {
      lines.push(`  ${at}, sent but not expected:`, ...renderFrame(got).map((l) => `  ${l}`));
      lines.push(...traceOfOutput(info, f.port, i));
    } else if (want) {
      lines.push(`  ${at}, expected but not sent:`, ...renderFrame(want).map((l) => `  ${l}`));
      lines.push(...traceOfFirstDrop(info));
    }
  }
  return lines.join('\n');
}

/** The expected frames of a pcap case's port (canonical name), read once. */
function pcapExpected(o: CaseOutcome): (port: string) => CapturedFrame[] {
  const cache = new Map<string, CapturedFrame[]>();
  return (port) => {
    let frames = cache.get(port);
    if (frames) return frames;
    frames = [];
    const devices = o.execution?.result.devices;
    for (const e of o.spec.expected) {
      try {
        if (devices && findPort(devices, e.port).name === port) frames = readFrames(e.file);
      } catch {
        // an unknown port or unreadable file is a failure of its own
      }
    }
    cache.set(port, frames);
    return frames;
  };
}

const summaryOf = (f: CaseFailure, cwd: string): ReportedFailure => ({
  kind: f.kind, message: f.message.split('\n')[0], where: whereOf(f.loc, cwd), port: f.port, index: f.index,
});

/** Runs one case directory and reports on it. Never throws. */
export function testCaseDir(dir: string, name: string, opts: HarnessOptions = {}): CaseReport {
  const cwd = opts.cwd ?? process.cwd();
  const budget = opts.traceBudget ?? TRACE_BUDGET;
  const report: CaseReport = { name, dir, file: join(dir, 'case.yaml'), status: 'fail', ms: 0, failures: [], details: '', notes: [] };
  const t0 = performance.now();
  let spec: CaseSpec;
  try {
    spec = loadCase(dir, name);
  } catch (e) {
    const failures: CaseFailure[] = e instanceof ConfigError
      ? e.problems.map((p) => ({ kind: 'setup', loc: p.loc, message: p.message }))
      : [{ kind: 'setup', message: (e as Error).message }];
    report.ms = performance.now() - t0;
    report.failures = failures.map((f) => summaryOf(f, cwd));
    report.details = failures.map((f) => `  ${whereOf(f.loc, cwd) ? `${whereOf(f.loc, cwd)}: ` : ''}${f.message}`).join('\n');
    if (opts.update) report.notes.push('not updated: case.yaml has errors');
    return report;
  }
  report.description = spec.description;
  const workDir = spec.stf ? mkdtempSync(join(tmpdir(), 'triode-stf-')) : undefined;
  try {
    let o: CaseOutcome;
    let expectedOf: (port: string) => CapturedFrame[];
    try {
      if (workDir !== undefined) {
        const r = runStfCase(spec, workDir);
        o = r.outcome;
        expectedOf = (port) => r.expected.get(port) ?? [];
      } else {
        o = runCase(spec);
        expectedOf = pcapExpected(o);
      }
    } catch (e) {
      // runCase never throws by contract; a bug in it is still only this case's failure.
      o = { spec, passed: false, failures: [{ kind: 'setup', message: `internal error: ${(e as Error).stack ?? e}` }] };
      expectedOf = () => [];
    }
    report.ms = performance.now() - t0;
    report.packets = o.execution?.stats.accounting.in;
    if (o.skipped !== undefined) {
      report.status = 'skip';
      report.skipReason = o.skipped;
      return report;
    }
    if (o.passed) {
      report.status = 'pass';
      return report;
    }
    if (opts.update) {
      const refusal = updateRefusal(o);
      if (refusal !== null) report.notes.push(`not updated: ${refusal}`);
      else {
        try {
          report.notes.push(...updateExpected(o.spec));
          const gen = GENERATED.exec(readFileSync(spec.file, 'utf8').split('\n')[0] ?? '');
          if (gen) report.notes.push(`note: case.yaml says it is generated by ${gen[1]}: regenerating the case will replace this update`);
          const again = runCase(loadCase(dir, name));
          if (again.passed) {
            report.status = 'updated';
            return report;
          }
          report.notes.push(report.notes.length
            ? 'expected pcaps rewritten; still failing: counters are not rewritten (they are the case\'s declared intent: edit case.yaml)'
            : 'no expected pcap to rewrite; still failing: counters are not rewritten (they are the case\'s declared intent: edit case.yaml)');
          o = again;
          expectedOf = pcapExpected(o);
        } catch (e) {
          report.notes.push(`not updated: ${(e as Error).message}`);
        }
      }
    }
    report.failures = o.failures.map((f) => summaryOf(f, cwd));
    try {
      report.details = renderDetails(o, expectedOf, o.spec.masks.map((m) => m.field), cwd, budget);
    } catch (e) {
      report.details = `${o.failures.map((f) => `  ${f.message}`).join('\n')}\n  (the details could not be rendered: ${(e as Error).message})`;
    }
    return report;
  } finally {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  }
}
