// `triode test` as users run it: a child process, cases on worker threads.
// It runs a private build (tsc into a temporary directory beside links to
// node_modules and the native addon), so that it never reads dist/ while
// another test file rebuilds it. The bundled library passes; a copy of a case
// with one expected TTL changed fails naming the port, the packet, the marked
// ip.ttl lines and the trace; a bad case.yaml fails with file:line:column and
// the run goes on; JUnit XML parses with the right counts; --update fixes the
// changed case (and nothing else) and refuses a case that does not run;
// --filter; STF cases pass and fail, and --from-stf converts one.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCases } from '../cases/case.js';
import { readFrames } from '../cases/run-case.js';
import { STF_EPOCH_SEC } from '../cases/stf.js';
import { nameMatcher } from './test.js';

const root = join(import.meta.dirname, '..', '..');
const LIBRARY = join(root, 'pcaps', 'ipsec');
const STF = join(import.meta.dirname, 'testdata', 'demo-r1.stf');
const R1 = join(root, 'examples', 'demo', 'r1.conf');
let build = '';
let work = '';

function triode(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string; lines: string[] } {
  const r = spawnSync(process.execPath, [join(build, 'triode.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, TRIODE_DEBUG: '' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.trimEnd().split('\n') };
}

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));

/** Lowers by one the TTL (byte 22) of packet k of a pcap. */
function lowerTtl(file: string, k: number): void {
  const b = readFileSync(file);
  let off = 24;
  for (let i = 0; i < k; i++) off += 16 + b.readUInt32LE(off + 8);
  b[off + 16 + 22]--;
  writeFileSync(file, b);
}

/** A directory of three cases: decrypt-v4 with packet 2's expected TTL lowered, encrypt-v4-in-v4 as it is, and one with a bad case.yaml. */
function suite(name: string): string {
  const dir = join(work, name);
  cpSync(join(LIBRARY, 'decrypt-v4'), join(dir, 'decrypt-v4'), { recursive: true });
  cpSync(join(LIBRARY, 'encrypt-v4-in-v4'), join(dir, 'encrypt-v4-in-v4'), { recursive: true });
  lowerTtl(join(dir, 'decrypt-v4', 'expected-et-0_0_1.pcap'), 1);
  mkdirSync(join(dir, 'bad-yaml'));
  writeFileSync(join(dir, 'bad-yaml', 'case.yaml'), 'config: r1.conf\ninputs:\n  et-0/0/1: in.pcap\nexpected: {}\ncolour: blue\n');
  return dir;
}

beforeAll(() => {
  build = mkdtempSync(join(tmpdir(), 'triode-test-build-'));
  execFileSync('npx', ['tsc', '-p', join(root, 'tsconfig.json'), '--outDir', join(build, 'dist')], { cwd: root, stdio: 'pipe' });
  writeFileSync(join(build, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(root, 'node_modules'), join(build, 'node_modules'));
  symlinkSync(join(root, 'native'), join(build, 'native'));
  writeFileSync(join(build, 'triode.mjs'), "import { main } from './dist/cli/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  work = mkdtempSync(join(tmpdir(), 'triode-test-cmd-'));
}, 120_000);
afterAll(() => {
  for (const d of [build, work]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('triode test', () => {
  it('passes the bundled pcaps/ipsec library on worker threads, one line per case in name order, the summary last', () => {
    const names = findCases(LIBRARY).map((d) => `pcaps/ipsec/${d.slice(LIBRARY.length + 1)}`).sort();
    const r = triode(root, 'test', 'pcaps/ipsec', '--jobs', '2');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.lines.at(-1)).toBe(`${names.length} passed, 0 failed`);
    expect(r.lines.at(-2)).toMatch(new RegExp(`^${names.length} cases in \\d+\\.\\d\\d s on 2 threads$`));
    expect(r.lines.slice(0, -2).map((l) => /^PASS (\S+) \(\d+ packets, \d+ ms\)$/.exec(l)?.[1])).toEqual(names);
    // The same lines, in the same order, in one thread.
    const one = triode(root, 'test', 'pcaps/ipsec', '--jobs', '1');
    expect(one.lines.at(-2)).toMatch(/ on 1 thread$/);
    expect(one.lines.slice(0, -2).map((l) => l.split(' ')[1])).toEqual(names);
  });

  it('fails a changed case with the port, the packet, the differing fields marked and the trace; a bad case.yaml is a located failure; the others run', () => {
    const dir = suite('fail');
    const r = triode(dir, 'test', '.');
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toBe('1 passed, 2 failed');
    const out = r.stdout;
    // In name order: bad-yaml, decrypt-v4, encrypt-v4-in-v4.
    expect(r.lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l))).toEqual([
      'FAIL bad-yaml', 'FAIL decrypt-v4', expect.stringMatching(/^PASS encrypt-v4-in-v4 \(5 packets, \d+ ms\)$/),
    ]);
    expect(out).toContain("  bad-yaml/case.yaml:5:1: case: unknown key 'colour'");
    expect(out).toContain('decrypt-v4/case.yaml:8:3: port et-0/0/1: packet 2 of 5 differs: byte 22 (ip.ttl) is 0x3f, expected 0x3e');
    expect(out).toContain('  port et-0/0/1, packet 2 (index 1), field by field (< expected, > got):');
    expect(out).toMatch(/^ {2}< +ip\.ttl: 62$/m);
    expect(out).toMatch(/^ {2}> +ip\.ttl: 63$/m);
    expect(out).not.toMatch(/^ {2}[<>] +ip\.src:/m);
    expect(out).toMatch(/^ {2}bytes that differ:\n {2}< {3}0010 .*\n {2}> {3}0010 .*\n +\^\^$/m);
    expect(out).toContain('  trace of input packet 2, which sent it:');
    expect(out).toMatch(/^ {4}Packet 2 {2}in et-0\/0\/0 /m);
    expect(out).toMatch(/^ {6}esp-decrypt +spi 0x5a5a0001 seq 2 /m);
    expect(out).toMatch(/^ {6}path: .* → et-0\/0\/1\.0$/m);
  });

  it('writes JUnit XML that python3 parses, with the counts, the failure message and the rendered diff', () => {
    const dir = suite('junit');
    const r = triode(dir, 'test', '.', '--junit', 'report.xml');
    expect(r.status).toBe(1);
    const py = spawnSync('python3', ['-c', `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = [{'name': c.get('name'), 'failure': c.find('failure').get('message') if c.find('failure') is not None else None,
          'text': c.find('failure').text if c.find('failure') is not None else None} for c in root.iter('testcase')]
print(json.dumps({'tests': root.get('tests'), 'failures': root.get('failures'), 'skipped': root.get('skipped'), 'cases': cases}))
`, join(dir, 'report.xml')], { encoding: 'utf8' });
    if (py.error) {
      console.warn('test-command.test: python3 not found: JUnit XML not parsed (SKIPPED)');
      return;
    }
    const j = JSON.parse(py.stdout);
    expect(j).toMatchObject({ tests: '3', failures: '2', skipped: '0' });
    expect(j.cases.map((c: { name: string }) => c.name)).toEqual(['bad-yaml', 'decrypt-v4', 'encrypt-v4-in-v4']);
    expect(j.cases[1].failure).toMatch(/^decrypt-v4\/case\.yaml:8:3: port et-0\/0\/1: packet 2 of 5 differs/);
    expect(j.cases[1].text).toMatch(/< +ip\.ttl: 62/);
    expect(j.cases[2].failure).toBeNull();
  });

  it('--update rewrites the changed case only, which then passes; it refuses a case that does not run', () => {
    const dir = suite('update');
    const untouched = snapshot(join(dir, 'encrypt-v4-in-v4'));
    const mtime = statSync(join(dir, 'encrypt-v4-in-v4', 'expected-et-0_0_0.pcap')).mtimeMs;
    // A fourth case that does not run: an input on a port the configuration does not have.
    cpSync(join(LIBRARY, 'decrypt-v4'), join(dir, 'no-port'), { recursive: true });
    const y = join(dir, 'no-port', 'case.yaml');
    writeFileSync(y, readFileSync(y, 'utf8').replace('  et-0/0/0: in-et-0_0_0.pcap', '  et-0/0/9: in-et-0_0_0.pcap'));
    lowerTtl(join(dir, 'no-port', 'expected-et-0_0_1.pcap'), 0);
    const noPort = snapshot(join(dir, 'no-port'));

    const r = triode(dir, 'test', '.', '--update');
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toBe('1 passed, 2 failed, 1 updated');
    expect(r.stdout).toMatch(/^UPDATED decrypt-v4 \(5 packets, \d+ ms\)\n {2}et-0\/0\/1: expected-et-0_0_1\.pcap rewritten \(5 packets\)\n {2}note: case\.yaml says it is generated by scripts\/make-ipsec-cases\.mjs/m);
    expect(r.stdout).toMatch(/^FAIL no-port\n {2}no-port\/case\.yaml:\d+:\d+: unknown interface "et-0\/0\/9"/m);
    expect(r.stdout).toContain('  not updated: the case does not run');
    expect(r.stdout).toContain('  not updated: case.yaml has errors');
    expect(readFileSync(join(dir, 'decrypt-v4', 'expected-et-0_0_1.pcap'))).toEqual(readFileSync(join(LIBRARY, 'decrypt-v4', 'expected-et-0_0_1.pcap')));
    expect(snapshot(join(dir, 'encrypt-v4-in-v4'))).toEqual(untouched);
    expect(statSync(join(dir, 'encrypt-v4-in-v4', 'expected-et-0_0_0.pcap')).mtimeMs).toBe(mtime);
    expect(snapshot(join(dir, 'no-port'))).toEqual(noPort);

    const again = triode(dir, 'test', 'decrypt-v4');
    expect(again.status).toBe(0);
    expect(again.lines.at(-1)).toBe('1 passed, 0 failed');
  });

  it('--filter selects by substring, or by glob on the whole name or its end after a /', () => {
    const esn = triode(root, 'test', 'pcaps/ipsec', '--filter', 'esn-*');
    expect(esn.status).toBe(0);
    const esnNames = findCases(LIBRARY).map((d) => d.slice(LIBRARY.length + 1)).filter((n) => n.startsWith('esn-')).map((n) => `pcaps/ipsec/${n}`).sort();
    expect(esnNames.length).toBeGreaterThanOrEqual(2);
    expect(esn.lines.filter((l) => l.startsWith('PASS')).map((l) => l.split(' ')[1])).toEqual(esnNames);
    const sub = triode(root, 'test', 'pcaps/ipsec', '--filter', 'replay', '--filter', 'ipsec/ts-*');
    expect(sub.lines.filter((l) => l.startsWith('PASS')).map((l) => l.split(' ')[1])).toEqual([
      'pcaps/ipsec/replay-disabled', 'pcaps/ipsec/replay-window-4096', 'pcaps/ipsec/replay-window-64', 'pcaps/ipsec/ts-decrypt', 'pcaps/ipsec/ts-encrypt',
    ]);
    const none = triode(root, 'test', 'pcaps/ipsec', '--filter', 'no-such-case');
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toBe('triode: no case matches --filter no-such-case');
    expect(nameMatcher('[et]*-v4')('pcaps/ipsec/decrypt-v4')).toBe(false);
    expect(nameMatcher('[de]*-v4')('pcaps/ipsec/decrypt-v4')).toBe(true);
    expect(nameMatcher('pcaps/*/decrypt-v?')('pcaps/ipsec/decrypt-v6')).toBe(true);
    expect(nameMatcher('decrypt')('pcaps/ipsec/decrypt-v6')).toBe(true);
  });

  it('runs an STF case (handwritten, over the demo R1) and fails it at the STF line when an expectation is wrong', () => {
    const dir = join(work, 'stf', 'demo-r1');
    mkdirSync(dir, { recursive: true });
    cpSync(STF, join(dir, 'demo-r1.stf'));
    writeFileSync(join(dir, 'case.yaml'), `description: R1 of the demo by a handwritten STF file\nconfig: ${JSON.stringify(R1)}\nstf: demo-r1.stf\nports: { 0: et-0/0/0, 1: et-0/0/1 }\n`);
    const ok = triode(join(work, 'stf'), 'test', '.');
    expect(ok.stdout).toMatch(/^PASS demo-r1 \(3 packets, \d+ ms\)$/m);
    expect(ok.status).toBe(0);
    // The time exceeded goes to 10.1.0.11 instead, says the STF now.
    const f = join(dir, 'demo-r1.stf');
    writeFileSync(f, readFileSync(f, 'utf8').replace('0a010001 0a01000a  0b00', '0a010001 0a01000b  0b00'));
    const bad = triode(join(work, 'stf'), 'test', '.');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^ {2}demo-r1\/demo-r1\.stf:\d+:1: port et-0\/0\/0: packet 3 of 3 differs: byte 33 \(ip\.dst\) is 0x0a, expected 0x0b$/m);
    expect(bad.stdout).toMatch(/^ {2}< +ip\.dst: 10\.1\.0\.11$/m);
    expect(bad.stdout).toMatch(/^ {2}> +ip\.dst: 10\.1\.0\.10$/m);
    // The wildcards: IP id and checksums are whatever triode sent, so only ip.dst (and what depends on it) differs.
    expect(bad.stdout).not.toMatch(/^ {2}[<>] +(ip\.id|icmp\.checksum):/m);
    expect(bad.stdout).toMatch(/^ {6}ip4-icmp-error +reply generated/m);
  });

  it('--from-stf converts an STF file into a pcap case that passes, inputs 1 ms apart', () => {
    const out = join(work, 'converted');
    const r = triode(work, 'test', '--from-stf', STF, '--config', R1, '--out', out, '--port', '0=et-0/0/0', '--port', '1=et-0/0/1');
    expect(r.status).toBe(0);
    expect(r.lines[0]).toBe('wrote converted/case.yaml');
    expect(r.lines.at(-1)).toBe('1 passed, 0 failed');
    expect(readdirSync(out).sort()).toEqual(['case.yaml', 'expected-et-0_0_0.pcap', 'in-et-0_0_0.pcap']);
    expect(readFrames(join(out, 'in-et-0_0_0.pcap')).map((f) => [f.tsSec, f.tsNsec])).toEqual([[STF_EPOCH_SEC, 0], [STF_EPOCH_SEC, 1_000_000], [STF_EPOCH_SEC, 2_000_000]]);
    expect(readFrames(join(out, 'expected-et-0_0_0.pcap'))).toHaveLength(3);
    // A pcap case like any other: it runs without the STF file.
    const again = triode(out, 'test', 'case.yaml');
    expect(again.status).toBe(0);
  });

  it('rejects usage errors with one line and exit status 2', () => {
    for (const args of [['test'], ['test', 'no/such/dir'], ['test', 'pcaps', '--jobs', '0'], ['test', 'pcaps', '--config', 'x'], ['test', 'README.md']]) {
      const r = triode(root, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
