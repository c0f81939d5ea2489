// What a failing case shows, and the JUnit XML: the field-by-field decode
// marks exactly the lines that differ (masked fields never), the byte rows
// carry carets under the differing bytes, and the XML is well formed by an
// independent parser (python3's xml.etree) with the right counts, whatever
// characters the reports hold.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ping4 } from '../craft/craft.js';
import type { CaseReport } from './harness.js';
import { junitXml, xmlText } from './junit.js';
import { alignLines, renderFrameDiff, renderHexDiff } from './report.js';

const frame = (ttl: number, id = 1) => ({ tsSec: 1_700_000_000, tsNsec: 0, data: ping4({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, { src: '10.0.0.1', dst: '10.0.0.2', ttl, id }) });
const marked = (lines: string[]): string[] => lines.filter((l) => l[0] !== ' ').map((l) => l.replace(/\s+/g, ' ').trim());

describe('renderFrameDiff', () => {
  it('marks the lines that differ, < expected then > got, and nothing else', () => {
    const lines = renderFrameDiff(frame(62), frame(63));
    expect(lines).toContain('    Internet Protocol Version 4');
    const m = marked(lines);
    expect(m.slice(0, 2)).toEqual(['< ip.ttl: 62', '> ip.ttl: 63']);
    expect(m.slice(2)).toEqual([expect.stringMatching(/^< ip\.checksum: 0x[0-9a-f]{4}$/), expect.stringMatching(/^> ip\.checksum: 0x[0-9a-f]{4}$/)]);
  });

  it('never marks a masked field (the checksum status goes with it)', () => {
    const lines = renderFrameDiff(frame(62, 1), frame(62, 2), ['ipv4.id', 'ipv4.checksum']);
    expect(marked(lines)).toEqual([]);
    expect(lines.some((l) => /ip\.id: 0x0001 \(masked\)$/.test(l))).toBe(true);
  });

  it('aligns by the longest common subsequence', () => {
    const r = alignLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'], (s) => s);
    expect(r.map((x) => `${x.mark}${x.item}`)).toEqual([' a', '<b', '>x', ' c', ' d', '>e']);
  });
});

describe('renderHexDiff', () => {
  it('shows only the 16-byte rows that differ, with carets under the differing bytes', () => {
    const a = frame(62).data;
    const b = frame(63).data;
    const rows = renderHexDiff(a, b);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^< {3}0010 {2}/);
    expect(rows[1]).toMatch(/^> {3}0010 {2}/);
    // ttl (0x16) and the checksum (0x18, 0x19): the 7th, 9th and 10th bytes of the row
    expect(rows[2].indexOf('^^')).toBe(rows[0].indexOf('3e'));
    expect(rows[2].match(/\^\^/g)).toHaveLength(2);
    expect(renderHexDiff(a, a)).toEqual([]);
  });
});

describe('junitXml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'triode-junit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = { dir: '/x', file: '/x/case.yaml', packets: 3, ms: 12, failures: [], details: '', notes: [] };
  const reports: CaseReport[] = [
    { ...base, name: 'pcaps/ipsec/a', status: 'pass' },
    {
      ...base, name: 'pcaps/ipsec/b', status: 'fail',
      failures: [{ kind: 'output', message: 'port et-0/0/1: packet 2 of 5 differs: <&> "quoted" \u0001', where: 'b/case.yaml:8:3' }],
      details: '  <   ip.ttl: 62\n  >   ip.ttl: 63 & more ]]> \u0000 \ud800',
    },
    { ...base, name: 'pcaps/third-party/c', status: 'skip', skipReason: 'no capture <here>' },
    { ...base, name: 'top', status: 'updated', notes: ['et-0/0/0: expected-et-0_0_0.pcap rewritten (3 packets)'] },
  ];

  it('escapes what XML cannot hold as it is', () => {
    expect(xmlText('a<b>&"\'\u0001')).toBe('a&lt;b&gt;&amp;&quot;&apos;\ufffd');
  });

  it('is well formed for an independent parser, with suites per directory and the right counts', () => {
    const file = join(dir, 'junit.xml');
    writeFileSync(file, junitXml(reports, { started: new Date(0), wallMs: 1500 }));
    const py = spawnSync('python3', ['-c', `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {'root': root.tag, 'attrs': {k: root.get(k) for k in ('tests', 'failures', 'skipped', 'errors', 'time')}, 'suites': []}
for s in root.findall('testsuite'):
    out['suites'].append({'name': s.get('name'), 'tests': s.get('tests'), 'failures': s.get('failures'), 'skipped': s.get('skipped'),
        'cases': [{'classname': c.get('classname'), 'name': c.get('name'), 'time': c.get('time'),
                   'failure': (c.find('failure').get('message'), c.find('failure').text) if c.find('failure') is not None else None,
                   'skipped': c.find('skipped').get('message') if c.find('skipped') is not None else None} for c in s.findall('testcase')]})
print(json.dumps(out))
`, file], { encoding: 'utf8' });
    if (py.error) {
      console.warn('report.test: python3 not found: the JUnit XML is not parsed by an independent parser (SKIPPED)');
      return;
    }
    expect(py.stderr).toBe('');
    const j = JSON.parse(py.stdout);
    expect(j.root).toBe('testsuites');
    expect(j.attrs).toEqual({ tests: '4', failures: '1', skipped: '1', errors: '0', time: '1.500' });
    expect(j.suites.map((s: { name: string; tests: string }) => [s.name, s.tests])).toEqual([['pcaps/ipsec', '2'], ['pcaps/third-party', '1'], ['cases', '1']]);
    const b = j.suites[0].cases[1];
    expect(b).toMatchObject({ classname: 'pcaps.ipsec', name: 'b', time: '0.012' });
    expect(b.failure[0]).toBe('b/case.yaml:8:3: port et-0/0/1: packet 2 of 5 differs: <&> "quoted" \ufffd');
    expect(b.failure[1]).toContain('>   ip.ttl: 63 & more ]]> \ufffd \ufffd');
    expect(j.suites[1].cases[0].skipped).toBe('no capture <here>');
  });
});
