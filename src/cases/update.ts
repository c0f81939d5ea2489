// `triode test --update`: a failing case's expected pcaps (and its golden
// trace, when case.yaml has `trace:`) rewritten from what triode sends now,
// for a reviewed change of behaviour. Only expected pcaps and the trace file
// are rewritten: counters are the case's declared intent (what the author
// says must happen), so a counter that differs stays a failure to be edited
// by hand. Refused when the run cannot be trusted: the case does not run, or
// the accounting identity does not hold (a bug, never a new expectation).
// STF and decode cases are not updated: their expectations are the .stf file
// and another tool's output.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { PcapWriter } from '../pcap/writer.js';
import { findPort, portFileName } from '../run/ports.js';
import type { CaseSpec } from './case.js';
import { executeCase, readFrames, renderCaseTrace, type CaseOutcome } from './run-case.js';

/** Why a failing case's expected files may not be rewritten, or null when they may. */
export function updateRefusal(o: CaseOutcome): string | null {
  if (o.spec.stf) return 'an STF case: its expectations are the .stf file (edit it)';
  if (o.spec.kind === 'decode') return "a decode case: its expectations are another tool's output";
  if (o.failures.some((f) => f.kind === 'accounting')) return 'the accounting identity does not hold (a bug in triode, not a new expectation)';
  if (!o.execution || o.failures.some((f) => f.kind === 'setup' && f.port === undefined)) return 'the case does not run';
  return null;
}

function sameBytes(a: string, b: string): boolean {
  try {
    return Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
  } catch {
    return false;
  }
}

/**
 * Runs the case and rewrites the expected pcap of every port whose output
 * changed: a port listed in case.yaml gets its file rewritten (emptied when
 * it now sends nothing), a port not listed that now sends is added to
 * `expected:` as `expected-<port>.pcap`; the golden trace file (case.yaml
 * `trace:`) is rewritten too. Files that would not change are not touched. Returns one note per file changed.
 */
export function updateExpected(spec: CaseSpec): string[] {
  const notes: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'triode-update-'));
  try {
    const ex = executeCase(spec, { outDir });
    const listed = new Map<string, string>();
    for (const e of spec.expected) listed.set(findPort(ex.result.devices, e.port).name, e.file);
    const added: [string, string][] = [];
    for (const [port, out] of ex.outputFiles) {
      const n = ex.outputs.get(port)?.length ?? 0;
      let target = listed.get(port);
      if (target === undefined) {
        target = join(spec.dir, `expected-${portFileName(port)}`);
        added.push([port, basename(target)]);
      }
      if (sameBytes(out, target)) continue;
      copyFileSync(out, target);
      notes.push(`${port}: ${basename(target)} rewritten (${n} packets)${listed.has(port) ? '' : ', added to expected in case.yaml'}`);
    }
    for (const [port, file] of listed) {
      if (ex.outputFiles.has(port)) continue;
      let had = 0;
      try {
        had = readFrames(file).length;
      } catch {
        had = -1;
      }
      if (had === 0) continue;
      new PcapWriter(file).close();
      notes.push(`${port}: ${basename(file)} emptied (the port now sends nothing)`);
    }
    if (spec.trace) {
      const text = renderCaseTrace(ex);
      let had: string | undefined;
      try {
        had = readFileSync(spec.trace.file, 'utf8');
      } catch {
        had = undefined;
      }
      if (had !== text) {
        writeFileSync(spec.trace.file, text);
        notes.push(`trace: ${basename(spec.trace.file)} rewritten (${ex.result.trace.traces.length} packets traced)`);
      }
    }
    if (added.length) {
      const doc = parseDocument(readFileSync(spec.file, 'utf8'));
      for (const [port, file] of added) {
        const exp = doc.get('expected', true);
        if (isMap(exp)) exp.set(port, file);
        else doc.set('expected', doc.createNode({ [port]: file }));
      }
      writeFileSync(spec.file, String(doc));
    }
    return notes;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
