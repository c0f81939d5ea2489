// JUnit XML of a `triode test` run, in the shape GitLab, Jenkins and GitHub
// test reporters read: <testsuites> with one <testsuite> per directory of
// cases (`pcaps/ipsec`), one <testcase> per case (classname: the directory
// with dots, name: the case's last path segment, time in seconds), a
// <failure> carrying the first problem as its message and the whole rendered
// report (decodes, byte rows, traces) as its text, <skipped> with the reason.

import { hostname } from 'node:os';
import type { CaseReport } from './harness.js';

/** Text safe inside an XML 1.0 attribute or element: escaped, characters XML cannot hold replaced by U+FFFD. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Keeps newlines inside an attribute (message) readable: XML normalizes a literal newline there to a space. */
const attr = (s: string): string => xmlText(s).replace(/\n/g, '&#10;');
const secs = (ms: number): string => (ms / 1000).toFixed(3);

function suiteOf(name: string): { suite: string; base: string } {
  const i = name.lastIndexOf('/');
  return i < 0 ? { suite: 'cases', base: name } : { suite: name.slice(0, i), base: name.slice(i + 1) };
}

/** The JUnit XML of a run's reports (in the order given), with the run's start time and wall-clock duration. */
export function junitXml(reports: readonly CaseReport[], opts: { started: Date; wallMs: number; name?: string }): string {
  const suites = new Map<string, CaseReport[]>();
  for (const r of reports) {
    const { suite } = suiteOf(r.name);
    if (!suites.has(suite)) suites.set(suite, []);
    suites.get(suite)!.push(r);
  }
  const failed = (rs: readonly CaseReport[]): number => rs.filter((r) => r.status === 'fail').length;
  const skipped = (rs: readonly CaseReport[]): number => rs.filter((r) => r.status === 'skip').length;
  const total = (rs: readonly CaseReport[]): number => rs.reduce((s, r) => s + r.ms, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(opts.name ?? 'triode test')}" tests="${reports.length}" failures="${failed(reports)}" errors="0" skipped="${skipped(reports)}" time="${secs(opts.wallMs)}" timestamp="${opts.started.toISOString().slice(0, 19)}">`,
  ];
  const host = hostname();
  let id = 0;
  for (const [suite, rs] of suites) {
    out.push(`  <testsuite name="${attr(suite)}" id="${id++}" package="${attr(suite.replace(/\//g, '.'))}" tests="${rs.length}" failures="${failed(rs)}" errors="0" skipped="${skipped(rs)}" time="${secs(total(rs))}" timestamp="${opts.started.toISOString().slice(0, 19)}" hostname="${attr(host)}">`);
    for (const r of rs) {
      const { base } = suiteOf(r.name);
      const head = `    <testcase classname="${attr(suite.replace(/\//g, '.'))}" name="${attr(base)}" time="${secs(r.ms)}" file="${attr(r.file)}"`;
      if (r.status === 'pass' || r.status === 'updated') {
        out.push(r.notes.length ? `${head}>\n      <system-out>${xmlText(r.notes.join('\n'))}</system-out>\n    </testcase>` : `${head}/>`);
      } else if (r.status === 'skip') {
        out.push(`${head}>\n      <skipped message="${attr(r.skipReason ?? '')}"/>\n    </testcase>`);
      } else {
        const f = r.failures[0];
        const message = f ? `${f.where ? `${f.where}: ` : ''}${f.message}${r.failures.length > 1 ? ` (and ${r.failures.length - 1} more)` : ''}` : 'failed';
        const body = [r.details, ...r.notes.map((n) => `  ${n}`)].filter((s) => s).join('\n');
        out.push(`${head}>\n      <failure message="${attr(message)}" type="${attr(f?.kind ?? 'failure')}">${xmlText(body)}</failure>\n    </testcase>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
