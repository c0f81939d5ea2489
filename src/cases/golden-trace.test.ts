// Golden traces (case.yaml `trace:`): every input packet traced, rendered as
// `triode run --trace N` prints it, compared with the file line for line; a
// difference fails at the file's line with a unified-style diff; --update
// rewrites the file; a missing file is a located load error.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/model.js';
import { loadCase } from './case.js';
import { executeCase, formatFailures, renderCaseTrace, runCase, TRACE_FILE } from './run-case.js';
import { updateExpected } from './update.js';

const LIBRARY_CASE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pcaps', 'ipsec', 'decrypt-v4');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A copy of the library case with `trace: <name>` added, and the golden file written by `golden` (none when undefined). */
function traceCase(golden: ((text: string) => string) | undefined, name = TRACE_FILE): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'triode-trace-')), 'decrypt-v4');
  dirs.push(dirname(dir));
  cpSync(LIBRARY_CASE, dir, { recursive: true });
  const f = join(dir, 'case.yaml');
  writeFileSync(f, `${readFileSync(f, 'utf8')}trace: ${name}\n`);
  if (golden) {
    // The run's own trace, through a case that names a placeholder file.
    writeFileSync(join(dir, name), '');
    const text = renderCaseTrace(executeCase(loadCase(dir)));
    writeFileSync(join(dir, name), golden(text));
  }
  return dir;
}

describe('golden traces', () => {
  it('every input packet is traced as triode run --trace prints it, and a matching file passes', () => {
    const dir = traceCase((t) => t);
    const text = readFileSync(join(dir, TRACE_FILE), 'utf8');
    expect(text.match(/^Packet \d+ {2}in et-0\/0\/0 {2}at \d+\.\d{9}$/gm)).toHaveLength(5); // the case has 5 inputs
    expect(text.split('\n\n').filter(Boolean).every((b) => /\n {2}path: .*et-0\/0\/1/.test(b))).toBe(true);
    expect(text.endsWith('\n\n')).toBe(true);
    const o = runCase(loadCase(dir));
    expect(formatFailures(o)).toBe('');
    expect(o.passed).toBe(true);
  });

  it('an altered line fails the case at that line of the file, with a unified diff of it', () => {
    let changed = 0;
    let original = '';
    const dir = traceCase((t) => {
      const lines = t.split('\n');
      changed = lines.findIndex((l) => l.includes('path:'));
      original = lines[changed];
      lines[changed] = original.replace('et-0/0/1', 'et-0/0/9');
      return lines.join('\n');
    });
    const o = runCase(loadCase(dir));
    expect(o.passed).toBe(false);
    expect(o.failures).toHaveLength(1);
    const f = o.failures[0];
    expect(f.kind).toBe('trace');
    expect(f.loc).toEqual({ file: join(dir, TRACE_FILE), line: changed + 1, col: 1 });
    const msg = f.message.split('\n');
    expect(msg[0]).toBe(`trace: line ${changed + 1} differs`);
    expect(msg[1]).toBe(`--- ${join(dir, TRACE_FILE)}`);
    expect(msg[2]).toBe('+++ the run');
    expect(msg[3]).toBe(`@@ -${changed - 2},7 +${changed - 2},7 @@`);
    expect(msg.slice(4)).toEqual([
      ...readFileSync(join(dir, TRACE_FILE), 'utf8').split('\n').slice(changed - 3, changed).map((l) => ` ${l}`),
      `-${original.replace('et-0/0/1', 'et-0/0/9')}`,
      `+${original}`,
      ...readFileSync(join(dir, TRACE_FILE), 'utf8').split('\n').slice(changed + 1, changed + 4).map((l) => ` ${l}`),
    ]);
    expect(formatFailures(o).split('\n')[0]).toBe(`${join(dir, TRACE_FILE)}:${changed + 1}:1: trace: line ${changed + 1} differs`);
  });

  it('a shorter or a longer file fails where the two part', () => {
    const short = traceCase((t) => t.split('\n').slice(0, 4).join('\n'));
    const s = runCase(loadCase(short)).failures[0];
    expect(s.message.split('\n')[0]).toBe("trace: the run's trace goes on past the file's 4 lines");
    expect(s.loc?.line).toBe(4);
    const long = traceCase((t) => `${t}Packet 6\n`);
    const l = runCase(loadCase(long)).failures[0];
    expect(l.kind).toBe('trace');
    expect(l.message.split('\n')[0]).toMatch(/^trace: (line \d+ differs|the run's trace ends)/);
    expect(l.message).toContain('-Packet 6');
  });

  it('--update rewrites the trace file, and the case then passes', () => {
    const dir = traceCase((t) => t.replace('Packet 3 ', 'Packet 33 '));
    expect(runCase(loadCase(dir)).passed).toBe(false);
    expect(updateExpected(loadCase(dir))).toEqual([`trace: ${TRACE_FILE} rewritten (5 packets traced)`]);
    expect(runCase(loadCase(dir)).passed).toBe(true);
  });

  it('a trace file that does not exist is a load error at its place in case.yaml', () => {
    const dir = traceCase(undefined, 'nope.txt');
    const f = join(dir, 'case.yaml');
    const line = readFileSync(f, 'utf8').split('\n').length - 1;
    let msgs: string[] = [];
    try {
      loadCase(dir);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      msgs = e.message.split('\n');
    }
    expect(msgs).toEqual([`${f}:${line}:8: trace: no file nope.txt in ${dir}`]);
  });
});
