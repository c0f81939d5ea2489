import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CASE_FILE, findCases } from '../cases/case.js';
import type { CaseReport } from '../cases/harness.js';
import { junitXml } from '../cases/junit.js';
import { runCases, workersAvailable, type CaseTask } from '../cases/pool.js';
import { convertStf } from '../cases/stf.js';

export const TEST_HELP = `Usage: triode test <dir|case.yaml>... [--filter PATTERN] [--junit FILE] [--update] [--jobs N]
       triode test --from-stf <file.stf> --config <config-or-scenario> --out <dir> [--sa-file F] [--port N=<port>]...

Runs conformance cases: every directory holding a case.yaml under the paths
given (see "Conformance tests" in the README). Each case runs in-process; its
ports' outputs are compared with the expected pcaps packet by packet, then its
counters and the accounting identity are checked. One line per case, in name
order (a case's name is its directory relative to the current directory):
  PASS <name> (<N> packets, <T> ms)
  FAIL <name>        then the failures: the port, the first packet that differs
                     (both decoded field by field, differing lines marked < expected
                     and > got, the bytes that differ) and the trace through the
                     graph of the input packet that produced it; a case with
                     \`trace: expected-trace.txt\` also compares every input packet's
                     trace (as \`triode run --trace N\` prints it, at most 10,000
                     packets) with that file, failing at its first differing line
                     (file:line) with a unified diff
  SKIP <name>: <reason>
and last "<N> passed, <N> failed" (", <N> skipped", ", <N> updated" when any).
Exit status 0 when every case passes, 1 when any fails, 2 for usage errors.

  --filter <pattern>   only cases whose name matches: a substring, or a glob when it holds
                       * ? or [...], matched against the whole name or its end after a "/"
                       (esn-* and ipsec/esn-* select pcaps/ipsec/esn-encrypt; * also
                       matches "/"). Repeatable: a case matching any is run
  --junit <file>       also write JUnit XML (GitLab, Jenkins, GitHub test reports)
  --update             rewrite the expected pcaps (and golden trace) of failing cases from
                       what triode does now (never touches a passing case; counters in case.yaml are not
                       rewritten). Refused, as a failure, when the case does not run or its
                       accounting identity does not hold, and for STF and decode cases
  --jobs <N>           cases run on N threads (default: the available cores, ${availableParallelism()} here);
                       --jobs 1 runs them in this thread
  --from-stf <file>    convert a BMv2/p4c STF file into a pcap case directory (--out),
                       running it once on --config (with --sa-file) to fill the expected
                       packets' * nibbles; --port 0=et-0/0/0 maps STF port numbers. Then
                       tests the new case (exit status as above)
  -h, --help           this text`;

/** A case's name: its directory relative to the current directory (itself: its base name). */
function caseName(dir: string, cwd: string): string {
  const r = relative(cwd, dir);
  if (r === '') return basename(dir);
  return (r.startsWith('..') || isAbsolute(r) ? dir : r).split('\\').join('/');
}

/** --filter: a glob (* ? [...]) matched against the whole name, or else a substring. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!/[*?[]/.test(pattern)) return (name) => name.includes(pattern);
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  // The whole name, or its tail after any "/": `esn-*` and `ipsec/esn-*` both select pcaps/ipsec/esn-encrypt.
  const rx = new RegExp(`(^|/)${re}$`);
  return (name) => rx.test(name);
}

/** The cases under the paths given, sorted by name, each once. Throws a one-line reason for a path that is neither. */
export function discoverCases(paths: readonly string[], cwd = process.cwd()): CaseTask[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new Error(`${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) {
      const found = findCases(abs);
      if (found.length === 0) throw new Error(`${p}: no case (no directory holding a ${CASE_FILE}) under it`);
      for (const d of found) dirs.add(d);
    } else if (basename(abs) === CASE_FILE) dirs.add(dirname(abs));
    else throw new Error(`${p}: not a directory or a ${CASE_FILE}`);
  }
  return [...dirs].map((dir) => ({ dir, name: caseName(dir, cwd) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One case's lines as printed. */
export function formatReport(r: CaseReport): string {
  const timing = `(${r.packets !== undefined ? `${r.packets} packets, ` : ''}${Math.round(r.ms)} ms)`;
  const notes = r.notes.map((n) => `  ${n}`);
  switch (r.status) {
    case 'pass': return `PASS ${r.name} ${timing}`;
    case 'skip': return `SKIP ${r.name}: ${r.skipReason ?? ''}`;
    case 'updated': return [`UPDATED ${r.name} ${timing}`, ...notes].join('\n');
    default: return [`FAIL ${r.name}`, ...(r.details ? [r.details] : []), ...notes].join('\n');
  }
}

/** The closing line: "N passed, N failed" (", N skipped", ", N updated" when any). */
export function summaryLine(reports: readonly CaseReport[]): string {
  const n = (s: CaseReport['status']): number => reports.filter((r) => r.status === s).length;
  return `${n('pass')} passed, ${n('fail')} failed${n('skip') ? `, ${n('skip')} skipped` : ''}${n('updated') ? `, ${n('updated')} updated` : ''}`;
}

function parsePortMap(specs: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new Error(`--port takes <stf-port>=<port>, not "${s}"`);
    m.set(s.slice(0, eq), s.slice(eq + 1));
  }
  return m;
}

export async function testCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      filter: { type: 'string', multiple: true },
      junit: { type: 'string' },
      update: { type: 'boolean' },
      jobs: { type: 'string' },
      'from-stf': { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      'sa-file': { type: 'string' },
      port: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TEST_HELP);
    return 0;
  }
  let jobs = availableParallelism();
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!/^\d+$/.test(values.jobs) || jobs < 1) throw new Error(`--jobs takes a whole number of at least 1, not "${values.jobs}"`);
  }
  const paths = [...positionals];
  if (values['from-stf'] !== undefined) {
    if (values.config === undefined || values.out === undefined) throw new Error('--from-stf needs --config <config-or-scenario> and --out <dir>');
    if (positionals.length) throw new Error('--from-stf converts one STF file: give no case paths with it');
    const c = convertStf(values['from-stf'], values.config, values.out, { saFile: values['sa-file'], ports: parsePortMap(values.port ?? []) });
    console.log(`wrote ${relative(process.cwd(), c.caseFile) || c.caseFile}${c.passed ? '' : ' (triode does not meet the STF expectations: see below)'}`);
    paths.push(values.out);
  } else {
    for (const k of ['config', 'out', 'sa-file', 'port'] as const) if (values[k] !== undefined) throw new Error(`--${k} goes with --from-stf`);
  }
  if (paths.length === 0) throw new Error('test takes case directories or case.yaml files (see triode test --help)');
  let tasks = discoverCases(paths);
  const filters = (values.filter ?? []).map(nameMatcher);
  if (filters.length) {
    tasks = tasks.filter((t) => filters.some((f) => f(t.name)));
    if (tasks.length === 0) throw new Error(`no case matches --filter ${values.filter!.join(', ')}`);
  }

  const started = new Date();
  const t0 = performance.now();
  // Print in name order as results arrive: a case's lines go out once every case before it is done.
  const done: (CaseReport | undefined)[] = new Array(tasks.length);
  let printed = 0;
  const reports = await runCases(tasks, jobs, { update: values.update === true }, (i, r) => {
    done[i] = r;
    while (printed < tasks.length && done[printed]) console.log(formatReport(done[printed++]!));
  });
  const wallMs = performance.now() - t0;
  if (values.junit !== undefined) writeFileSync(values.junit, junitXml(reports, { started, wallMs }));
  const threads = Math.min(jobs, tasks.length) > 1 && workersAvailable() ? Math.min(jobs, tasks.length) : 1;
  console.log(`${tasks.length} case${tasks.length === 1 ? '' : 's'} in ${(wallMs / 1000).toFixed(2)} s on ${threads} thread${threads === 1 ? '' : 's'}`);
  console.log(summaryLine(reports));
  return reports.some((r) => r.status === 'fail') ? 1 : 0;
}
