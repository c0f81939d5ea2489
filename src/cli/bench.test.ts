// `triode bench` as users and CI run it: a child process over a private build
// (tsc into a temporary directory, as test-command.test.ts does, so it never
// reads dist/ while another test file rebuilds it). Tiny durations: nothing
// here asserts a figure, only exit statuses, messages and the files written.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGates } from '../bench/gate.js';
import { readBenchReport } from '../bench/schema.js';
import { fmtRate } from '../bench/table.js';

const root = join(import.meta.dirname, '..', '..');
let build = '';
let work = '';

function triode(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(build, 'triode.mjs'), ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, TRIODE_DEBUG: '' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Short runs: what is checked is the exit status and the output, not the speed. */
const QUICK = ['--duration', '0.01', '--reps', '2', '--routes', '1000'];

function gates(file: string, gs: object[]): string {
  const path = join(work, file);
  writeFileSync(path, `${JSON.stringify({ schema: 'triode-gates/1', gates: gs }, null, 2)}\n`);
  return path;
}

function oneLineError(r: { status: number; stdout: string; stderr: string }): string {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

beforeAll(() => {
  build = mkdtempSync(join(tmpdir(), 'triode-bench-build-'));
  execFileSync('npx', ['tsc', '-p', join(root, 'tsconfig.json'), '--outDir', join(build, 'dist')], { cwd: root, stdio: 'pipe' });
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(join(build, 'package.json'), JSON.stringify({ type: 'module', version }));
  symlinkSync(join(root, 'node_modules'), join(build, 'node_modules'));
  symlinkSync(join(root, 'native'), join(build, 'native'));
  writeFileSync(join(build, 'triode.mjs'), "import { main } from './dist/cli/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  work = mkdtempSync(join(tmpdir(), 'triode-bench-cli-'));
}, 120_000);
afterAll(() => {
  for (const d of [build, work]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('triode bench: bad input', () => {
  it('an unknown scenario, size, backend or clock: exit 2 and one line with the valid values', () => {
    expect(oneLineError(triode('bench', '--scenario', 'l3,vxlan-gre'))).toBe('triode bench: --scenario: unknown scenario "vxlan-gre" (scenarios: l3, esp-encrypt, esp-decrypt, vxlan-encap, vxlan-decap, vxlan-ipsec, ixp, ixp-plain)');
    expect(oneLineError(triode('bench', '--size', '128'))).toBe('triode bench: --size: unknown size "128" (sizes: 64, imix, 1420, 9000)');
    expect(oneLineError(triode('bench', '--backend', 'openssl'))).toBe('triode bench: --backend: unknown backend "openssl" (backends: native, js)');
    expect(oneLineError(triode('bench', '--clock', 'tsc'))).toBe('triode bench: --clock: unknown clock "tsc" (clocks: wall, cpu)');
  });

  it('bad numbers, a stray argument, --baseline without --gate, a missing gates file', () => {
    expect(oneLineError(triode('bench', '--duration=-1'))).toBe('triode bench: --duration takes a number from 0.001 to 600, not "-1"');
    expect(oneLineError(triode('bench', '--duration', '-1'))).toBe("triode bench: Option '--duration' argument is ambiguous.");
    expect(oneLineError(triode('bench', '--vpns', '1.5'))).toMatch(/--vpns takes a whole number from 1 to 65535, not "1.5"/);
    expect(oneLineError(triode('bench', 'l3'))).toMatch(/^triode bench: /);
    expect(oneLineError(triode('bench', '--baseline', 'b.json'))).toMatch(/give --gate <file> too/);
    expect(oneLineError(triode('bench', '--gate', 'nope.json'))).toMatch(/nope\.json: no such file/);
  });

  it('a bad gates file: exit 2, each problem at file:line:col with its path, nothing measured', () => {
    const f = gates('bad-gates.json', [{ scenario: 'esp-encrypt', size: '1420', backend: 'native', minRatio: 0.3 }, { scenario: 'l3', size: '99', minRatio: 0.1 }]);
    const r = triode('bench', '--gate', f);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toBe(`${f}:12:15: gates[1].size: "99" is not a size (64, imix, 1420, 9000)`);
    writeFileSync(join(work, 'syntax.json'), '{ "schema": "triode-gates/1",\n  "gates": [ { "scenario": "l3" ]\n}\n');
    expect(oneLineError(triode('bench', '--gate', join(work, 'syntax.json')))).toBe(`${join(work, 'syntax.json')}:2:33: not valid JSON: expected "," or "}" in an object, found "]"`);
  });
});

describe('triode bench: gates', () => {
  it('fails (exit 1) a gate that cannot be met, naming the check, and measures only what the gates name', () => {
    const f = gates('impossible.json', [{ scenario: 'l3', size: '64', minRatio: 50 }]);
    const json = join(work, 'impossible-run.json');
    const r = triode('bench', '--gate', f, ...QUICK, '--json', json);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^REGRESSED l3\/64\/none {2}ratio to memcpy \d\.\d{3} < minRatio 50\.000: REGRESSED, \d+\.\d% below the floor$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('gate: 0 passed, 1 failed');
    const rep = readBenchReport(readFileSync(json, 'utf8'), json);
    expect(rep.results.map((x) => `${x.scenario}/${x.size}/${x.backend}`)).toEqual(['l3/64/none']);
    expect(rep.options).toMatchObject({ gate: f, baseline: null, reps: 2, duration: 0.01, routes: 1000 });
  });

  it('passes (exit 0) gates that are met, then again against its own run as the baseline, with a report', () => {
    const f = gates('easy.json', [
      { scenario: 'l3', size: '64', minRatio: 0.0001, maxRegression: 1 },
      { scenario: 'esp-encrypt', size: '64', backend: 'js', minRatio: 0.0001, maxRegression: 1 },
    ]);
    const base = join(work, 'base.json');
    const first = triode('bench', '--gate', f, ...QUICK, '--json', base, '--quiet');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout.trimEnd().split('\n')).toEqual([
      `gate ${f}:`,
      expect.stringMatching(/^pass {6}l3\/64\/none {9}ratio to memcpy \d\.\d{3} ≥ minRatio 0\.000$/),
      expect.stringMatching(/^pass {6}esp-encrypt\/64\/js {2}ratio to aes-gcm \d\.\d{3} ≥ minRatio 0\.000$/),
      'gate: 2 passed, 0 failed',
    ]);
    const dir = join(work, 'report');
    const again = triode('bench', '--gate', f, '--baseline', base, ...QUICK, '--report', dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^pass {6}l3\/64\/none {9}ratio to memcpy \d\.\d{3} vs baseline \d\.\d{3}: .* within the allowance/m);
    expect(again.stdout).toMatch(/^pass {6}esp-encrypt\/64\/js {2}Mpps \d\.\d{3} vs baseline \d\.\d{3}/m); // same machine: Mpps compared too
    expect(again.stdout).toMatch(/^scenario +size +backend +Mpps/m); // the table, without --quiet
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h2>Gate checks</h2>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(readBenchReport(readFileSync(join(dir, 'results.json'), 'utf8'), 'results.json').options.baseline).toBe(base);
  });

  it('the committed bench/gates.json is valid and names the CI checks on the native backend', () => {
    const g = readGates(readFileSync(join(root, 'bench', 'gates.json'), 'utf8'), 'bench/gates.json');
    const keys = g.gates.map((x) => `${x.scenario}/${x.size}/${x.backend}`);
    expect(keys).toEqual(expect.arrayContaining(['l3/64/none', 'esp-encrypt/1420/native', 'esp-encrypt/64/native', 'esp-decrypt/1420/native', 'esp-decrypt/64/native', 'ixp/64/none']));
    for (const x of g.gates) expect(x.minRatio ?? g.defaults?.minRatio).toBeGreaterThan(0);
  });
});

describe('triode bench --workers', () => {
  it('measures on n replicas and on one in the same run: workers, scaling and one replica\'s Mpps in the table and the JSON', () => {
    const json = join(work, 'workers.json');
    const r = triode('bench', '--scenario', 'l3,esp-encrypt', '--size', '64', '--backend', 'native', '--vpns', '16', '--workers', '2', ...QUICK, '--json', json);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^scenario +size +backend +Mpps .* workers +scaling +1-worker Mpps$/m);
    expect(r.stdout).toMatch(/^l3 +64 +none +.* 2 +\d+\.\d\d +\S+$/m);
    const report = readBenchReport(readFileSync(json, 'utf8'), json);
    expect(report.options.workers).toBe(2);
    expect(report.results.map((x) => [x.scenario, x.workers])).toEqual([['l3', 2], ['esp-encrypt', 2]]);
    for (const x of report.results) {
      expect(x.scaling).toBeGreaterThan(0);
      expect(x.oneWorkerMpps).toBeGreaterThan(0);
      expect(x.spread.scaling?.max).toBeGreaterThanOrEqual(x.spread.scaling!.min);
    }
  });

  it('refuses --workers with the CPU clock or with --gate, and a bad count', () => {
    expect(oneLineError(triode('bench', '--workers', '2', '--clock', 'cpu'))).toContain('--workers times replicas by the wall clock');
    expect(oneLineError(triode('bench', '--workers', '2', '--gate', join(root, 'bench', 'gates.json')))).toContain('the gates hold one-worker figures');
    expect(oneLineError(triode('bench', '--workers', '0'))).toBe('triode bench: --workers takes a whole number from 1 to 64, not "0"');
    expect(oneLineError(triode('bench', '--workers', '2', '--scenario', 'l3,vxlan-decap'))).toBe('triode bench: --workers 2: vxlan-decap bridges, and bridge domains run on one replica only for now (as triode run --workers): use --workers 1');
  });
});

describe('triode bench --scale', () => {
  it('memory per SA, per route and per MAC entry and the rates, small: the table, the targets, the JSON scale section', () => {
    const json = join(work, 'scale.json');
    const r = triode('bench', '--scale', '--scale-vpns', '32,64', '--routes', '5000', '--macs', '20000', '--duration', '0.02', '--json', json, '--quiet');
    expect(r.status).toBe(0);
    // Measured KB per SA may be below zero at a few dozen SAs (GC noise); the exact count in brackets may not.
    expect(r.stdout).toMatch(/^ +32 +64 +-?\d+\.\d\d \(\d+\.\d\d\) /m);
    expect(r.stdout).toMatch(/^ +64 +128 +-?\d+\.\d\d \(\d+\.\d\d\) /m);
    expect(r.stdout).toMatch(/^ {2}target ≤ 1024 B per SA: (met|MISSED) \(at most \d+ B, measured or counted\)$/m);
    expect(r.stdout).toMatch(/^ {2}IPv4 +5000 +\d+\.\d /m);
    expect(r.stdout).toMatch(/^ {2}IPv6 +5000 +\d+\.\d /m);
    expect(r.stdout).toMatch(/^ {2}target ≤ 64 B per IPv4 route: (met|MISSED)$/m);
    expect(r.stdout).toMatch(/^ {2}20000 entries: \d+\.\d B per entry/m);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.results).toEqual([]);
    expect(report.scale.sas.map((x: { vpns: number; sas: number }) => [x.vpns, x.sas])).toEqual([[32, 64], [64, 128]]);
    for (const x of report.scale.sas) {
      expect(Number.isFinite(x.bytesPerSa)).toBe(true); // measured: GC noise at a few dozen SAs
      expect(x.bytesPerSaExact).toBeGreaterThan(0);
      expect(x.encrypt.packets).toBeGreaterThan(0);
      expect(x.decrypt.packets).toBeGreaterThan(0);
    }
    expect(report.scale.routes.map((x: { family: number; routes: number }) => [x.family, x.routes])).toEqual([[4, 5000], [6, 5000]]);
    expect(report.scale.forwarding.scenario).toBe('l3');
    expect(report.scale.macs.entries).toBe(20000);
    expect(report.scale.targets).toEqual({ bytesPerSa: 1024, bytesPerIpv4Route: 64 });
  });

  it('runs on its own', () => {
    expect(oneLineError(triode('bench', '--scale', '--workers', '2'))).toBe('triode bench: --scale runs on its own: without --gate or --workers');
  });
});

describe('triode bench: help', () => {
  it('is listed by triode help, has --help and --list', () => {
    expect(triode('help').stdout).toMatch(/^ {2}bench {3}/m);
    const h = triode('bench', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: triode bench/);
    const l = triode('bench', '--list');
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/^ {2}l3 {11}IPv4 forwarding/m);
    expect(l.stdout).toContain('sizes: 64, imix, 1420, 9000');
    expect(l.stdout).toMatch(/^ {2}vxlan-encap {2}EVPN-VXLAN encapsulation: .*\(ceiling memcpy\)$/m);
    expect(l.stdout).toMatch(/^ {2}vxlan-ipsec {2}.*\(ceiling aes-gcm\)$/m);
  });
});

describe('triode bench: VXLAN scenarios', () => {
  it('vxlan-encap and vxlan-decap with --macs: in the table and the JSON, the MAC count in its options', () => {
    const json = join(work, 'vxlan.json');
    const r = triode('bench', '--scenario', 'vxlan-encap,vxlan-decap', '--size', '64', '--macs', '5000', ...QUICK, '--json', json);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vxlan-encap +64 +none +\d/m);
    expect(r.stdout).toMatch(/^vxlan-decap +64 +none +\d/m);
    const report = readBenchReport(readFileSync(json, 'utf8'), json);
    expect(report.options.macs).toBe(5000);
    expect(report.results.map((x) => [x.scenario, x.ceiling])).toEqual([['vxlan-encap', 'memcpy'], ['vxlan-decap', 'memcpy']]);
    expect(oneLineError(triode('bench', '--scenario', 'vxlan-encap', '--macs', '1'))).toBe('triode bench: --macs takes a whole number from 2 to 100000000, not "1"');
  });
});

describe('triode bench: the Internet-exchange scenarios', () => {
  it('ixp and ixp-plain in one run: both rows, ixp against ixp-plain measured in its repetitions (JSON and a line under the table), 9000 left out with a note; ixp alone at 9000 is an error', () => {
    const json = join(work, 'ixp.json');
    const r = triode('bench', '--scenario', 'ixp,ixp-plain', '--size', '64,9000', ...QUICK, '--json', json);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe([
      'triode bench: leaving out ixp at 9000 (ixp runs at sizes 64, imix, 1420 only: a peering LAN carries payloads of 1500 bytes at most (the edge rule))',
      'triode bench: leaving out ixp-plain at 9000 (ixp-plain runs at sizes 64, imix, 1420 only: measured at the sizes of ixp, whose baseline it is)',
      '',
    ].join('\n'));
    expect(r.stdout).toMatch(/^ixp +64 +none +\d.* memcpy /m);
    expect(r.stdout).toMatch(/^ixp-plain +64 +none +\d/m);
    const report = readBenchReport(readFileSync(json, 'utf8'), json);
    const [ixp, plain] = report.results;
    expect([ixp.scenario, plain.scenario]).toEqual(['ixp', 'ixp-plain']);
    // ixp's figure carries ixp-plain measured next to it in each repetition; ixp-plain's own has no baseline.
    const b = ixp.baseline!;
    expect(b.scenario).toBe('ixp-plain');
    expect(b.ratio).toBeGreaterThan(0);
    expect(b.spread.min).toBeLessThanOrEqual(b.ratio);
    expect(b.spread.max).toBeGreaterThanOrEqual(b.ratio);
    expect(plain.baseline).toBeUndefined();
    const lines = r.stdout.split('\n').filter((l) => l.includes(' / ixp-plain at '));
    expect(lines).toEqual([`ixp / ixp-plain at 64: ${b.ratio.toFixed(3)} (${b.spread.min.toFixed(3)}-${b.spread.max.toFixed(3)}) of the Mpps: ${fmtRate(ixp.mpps)} / ${fmtRate(b.mpps)}, each repetition's pair measured back to back`]);
    expect(oneLineError(triode('bench', '--scenario', 'ixp', '--size', '9000'))).toBe('triode bench: --size 9000: ixp runs at sizes 64, imix, 1420 only: a peering LAN carries payloads of 1500 bytes at most (the edge rule)');
  });
});
