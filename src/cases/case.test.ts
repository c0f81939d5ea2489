// The case format's loader and runner: schema errors with locations, and a
// case that does not hold failing where it should (a copy of a library case,
// altered), with masks and counters by path.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/model.js';
import { PcapWriter } from '../pcap/writer.js';
import { findCases, loadCase, loadCaseText } from './case.js';
import { counterValue, formatFailures, readFrames, runCase } from './run-case.js';
import { applyMasks } from './masks.js';
import type { RunStats } from '../run/stats.js';

const LIBRARY_CASE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pcaps', 'ipsec', 'decrypt-v4');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A copy of a library case whose case.yaml is edited by `edit`. */
function copyCase(edit: (yaml: string) => string = (y) => y): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'triode-case-')), 'decrypt-v4');
  dirs.push(dirname(dir));
  cpSync(LIBRARY_CASE, dir, { recursive: true });
  const f = join(dir, 'case.yaml');
  writeFileSync(f, edit(readFileSync(f, 'utf8')));
  return dir;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('case.yaml loader', () => {
  it('reports every problem at once, each with file:line:column', () => {
    const dir = copyCase();
    const text = [
      'description: [not, text]',
      'config: nope.conf',
      'inputs:',
      '  et-0/0/0: in-et-0_0_0.pcap',
      '  et-0/0/9: missing.pcap',
      'expected: [a, b]',
      'counters:',
      '  ipsec.replay_errors: many',
      '  notapath: 1',
      'masks: [ipv4.id, ipv4.flavour]',
      'profile: cisco',
      'colour: blue',
    ].join('\n');
    const msgs = problems(() => loadCaseText(text, join(dir, 'case.yaml')));
    const f = join(dir, 'case.yaml');
    expect(msgs).toEqual(expect.arrayContaining([
      `${f}:2:9: config: no file nope.conf in ${dir}`,
      `${f}:5:13: inputs: et-0/0/9: no file missing.pcap in ${dir}`,
      `${f}:6:11: expected: expected a mapping`,
      `${f}:8:24: counters: ipsec.replay_errors: expected an integer in 0..${Number.MAX_SAFE_INTEGER}`,
      `${f}:9:3: counters: 'notapath' is not a dotted path into the --stats JSON (e.g. ipsec.replay_errors, drops.unknown_spi)`,
      expect.stringMatching(new RegExp(`^${f}:10:18: masks: unknown field 'ipv4.flavour' \\(expected one of: timestamp, ipv4.id, `)),
      expect.stringMatching(new RegExp(`^${f}:11:10: profile: unknown profile 'cisco'`)),
      expect.stringMatching(new RegExp(`^${f}:12:1: case: unknown key 'colour'`)),
    ]));
    expect(msgs).toContain(`${f}:1:14: description: expected a string`);
    expect(msgs).toHaveLength(9);
  });

  it('needs config, inputs and expected; YAML syntax errors have their place', () => {
    const f = '/x/case.yaml';
    expect(problems(() => loadCaseText('description: d\n', f))).toEqual([
      `${f}:1:1: case: missing 'config' (a Junos configuration or a scenario .yaml)`,
      `${f}:1:1: case: missing 'inputs' (port: pcap file)`,
      `${f}:1:1: case: missing 'expected' (port: pcap file)`,
    ]);
    expect(problems(() => loadCaseText('config: [\n', f))[0]).toMatch(/^\/x\/case\.yaml:\d+:\d+: YAML: /);
  });

  it('loads a library case; findCases finds case directories recursively', () => {
    const c = loadCase(LIBRARY_CASE);
    expect(c.name).toBe('decrypt-v4');
    expect(c.inputs.map((i) => i.port)).toEqual(['et-0/0/0']);
    expect(c.expected.map((i) => i.port)).toEqual(['et-0/0/1']);
    expect(c.saFile).toMatch(/decrypt-v4\/esp_sa$/);
    expect(c.counters.find((k) => k.key === 'ipsec.decrypted_packets')?.value).toBe(5);
    expect(findCases(dirname(LIBRARY_CASE))).toContain(LIBRARY_CASE);
  });
});

describe('running a case', () => {
  it('a copy of a library case passes', () => {
    const o = runCase(loadCase(copyCase()));
    expect(formatFailures(o)).toBe('');
    expect(o.passed).toBe(true);
  });

  it('a changed expected packet fails at its port and index, naming the field; masking the field lets it pass', () => {
    const dir = copyCase();
    const file = join(dir, 'expected-et-0_0_1.pcap');
    const frames = readFrames(file);
    frames[1].data[14 + 8]--; // packet 2's TTL
    const w = new PcapWriter(file);
    for (const f of frames) w.write(f.data, 0, f.data.length, f.tsSec, f.tsNsec);
    w.close();
    const o = runCase(loadCase(dir));
    expect(o.passed).toBe(false);
    expect(o.failures).toHaveLength(1);
    expect(o.failures[0]).toMatchObject({ kind: 'output', port: 'et-0/0/1', index: 1 });
    expect(o.failures[0].message).toMatch(/^port et-0\/0\/1: packet 2 of 5 differs: byte 22 \(ip\.ttl\) is 0x3f, expected 0x3e\n  expected: .*ttl 62.*\n  got: .*ttl 63/);
    expect(o.failures[0].loc?.line).toBeGreaterThan(1);
    const masked = runCase(loadCase(copyCaseFrom(dir, (y) => `${y}masks: [ipv4.ttl]\n`)));
    expect(formatFailures(masked)).toBe('');
    expect(runCase(loadCase(copyCaseFrom(dir, (y) => `${y}masks: [ipv4.id]\n`))).passed).toBe(false);
  });

  it('a port that sends what no expected file holds fails; so do a wrong counter, an unknown counter and a broken expectation of silence', () => {
    const dir = copyCase((y) => y
      .replace(/expected:\n {2}et-0\/0\/1: expected-et-0_0_1\.pcap/, 'expected: {}')
      .replace('ipsec.decrypted_packets: 5', 'ipsec.decrypted_packets: 4')
      .replace('counters:\n', 'counters:\n  drops.no_such_reason: 0\n  ipsec.no_such_counter: 0\n'));
    const o = runCase(loadCase(dir));
    const text = formatFailures(o);
    expect(text).toMatch(/port et-0\/0\/1: sent 5 packets, expected none; first: .*10\.2\.0\.2 > 10\.1\.0\.2/);
    expect(text).toMatch(/case\.yaml:\d+:\d+: counter ipsec\.decrypted_packets is 5, expected 4/);
    expect(text).toMatch(/case\.yaml:\d+:\d+: counter ipsec\.no_such_counter: no such value in the --stats JSON/);
    expect(text).not.toMatch(/drops\.no_such_reason/); // a drop reason never counted is 0
    expect(o.failures.map((f) => f.kind).sort()).toEqual(['counter', 'counter', 'output']);
  });

  it('a port that does not exist, or a configuration that does not load, is a setup failure with its place', () => {
    const o = runCase(loadCase(copyCase((y) => y.replace('inputs:\n  et-0/0/0:', 'inputs:\n  xe-9/9/9:'))));
    expect(o.passed).toBe(false);
    expect(o.failures[0].kind).toBe('setup');
    expect(formatFailures(o)).toMatch(/case\.yaml:\d+:3: unknown interface "xe-9\/9\/9" on R1/);
    const dir = copyCase();
    writeFileSync(join(dir, 'esp_sa'), '');
    const noKeys = runCase(loadCase(dir));
    expect(formatFailures(noKeys)).toMatch(/r1\.conf:\d+:\d+: vpn VPN-1: no keys/);
  });
});

describe('counters by path and masks by name', () => {
  const stats = {
    accounting: { in: 3 },
    drops: { unknown_spi: 1 },
    devices: { R1: { interfaces: { 'st0.1': { inputPackets: 2 }, 'si-0/1/0.1': { inputPackets: 3 } }, nodes: { 'esp-decrypt': { counters: {} } } } },
  } as unknown as RunStats;
  it('names with dots are matched whole; drop reasons and node counters not listed are 0', () => {
    expect(counterValue(stats, 'accounting.in')).toBe(3);
    expect(counterValue(stats, 'devices.R1.interfaces.st0.1.inputPackets')).toBe(2);
    expect(counterValue(stats, 'devices.R1.interfaces.si-0/1/0.1.inputPackets')).toBe(3);
    expect(counterValue(stats, 'drops.unknown_spi')).toBe(1);
    expect(counterValue(stats, 'drops.replay_errors')).toBe(0);
    expect(counterValue(stats, 'devices.R1.nodes.esp-decrypt.counters.dummy_packets')).toBe(0);
    expect(counterValue(stats, 'devices.R1.interfaces.st0.2.inputPackets')).toBeUndefined();
    expect(counterValue(stats, 'accounting')).toBeUndefined();
  });

  it('esp.iv masks everything after the sequence number; ipv4.id only the identification', () => {
    const f = readFrames(join(LIBRARY_CASE, 'in-et-0_0_0.pcap'))[0].data;
    const m = applyMasks(f, ['esp.iv']);
    expect(Buffer.from(m.subarray(0, 14 + 20 + 8)).equals(Buffer.from(f.subarray(0, 42)))).toBe(true);
    expect(m.subarray(42).every((b) => b === 0)).toBe(true);
    const id = applyMasks(f, ['ipv4.id']);
    expect([...id.subarray(18, 20)]).toEqual([0, 0]);
    expect(Buffer.from(id.subarray(20)).equals(Buffer.from(f.subarray(20)))).toBe(true);
  });
});

/** Another copy of an (already copied) case directory with its case.yaml edited. */
function copyCaseFrom(src: string, edit: (yaml: string) => string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'triode-case-')), 'c');
  dirs.push(dirname(dir));
  cpSync(src, dir, { recursive: true });
  const f = join(dir, 'case.yaml');
  writeFileSync(f, edit(readFileSync(f, 'utf8')));
  return dir;
}
