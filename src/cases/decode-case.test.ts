// Decode cases (kind: decode): the loader's checks, a case that agrees, one
// whose expected output is altered (it must fail, naming the packet and the
// fact), and one whose capture is absent (skipped with the reason, never
// passed). The library's decode cases themselves run in library.test.ts.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/model.js';
import { loadCase, loadCaseText } from './case.js';
import { formatFailures, runCase } from './run-case.js';

const SHARED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'pcaps');
const haveShared = existsSync(join(SHARED, 'tcpdump', 'vxlan.pcap'));
if (!haveShared) console.warn(`decode-case.test: ${SHARED} not found: the checks against real captures are SKIPPED`);
const tmp = mkdtempSync(join(tmpdir(), 'triode-decode-case-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function caseDir(name: string, yaml: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'case.yaml'), yaml);
  return dir;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.loc?.line}:${p.loc?.col}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('kind: decode', () => {
  it('loads capture, expected_decode, format and tool_args; files may be absent', () => {
    const dir = caseDir('ok', 'kind: decode\ndescription: d\ncapture: nope.pcap\nexpected_decode: nope.out\nformat: tcpdump\ntool_args: "-e"\n');
    const spec = loadCase(dir);
    expect(spec.kind).toBe('decode');
    expect(spec.decode).toMatchObject({ capture: join(dir, 'nope.pcap'), expectedDecode: join(dir, 'nope.out'), format: 'tcpdump', toolArgs: '-e' });
  });

  it('reports unknown keys, a missing or unknown format and an unknown kind, with locations', () => {
    const f = join(tmp, 'x', 'case.yaml');
    expect(problems(() => loadCaseText('kind: decode\ncapture: a.pcap\nexpected_decode: a.out\nformat: wireshark\ninputs: {}\n', f))).toEqual([
      "5:1: case (kind: decode): unknown key 'inputs' (expected one of: kind, description, capture, expected_decode, format, tool_args)",
      "4:9: format: unknown format 'wireshark' (expected one of: tcpdump, zeek-ipv6-esp, zeek-icmp6-events, zeek-icmp6-nd-options, zeek-conn-log, suricata-checks)",
    ]);
    expect(problems(() => loadCaseText('kind: decode\ncapture: a.pcap\n', f))).toEqual([
      "1:1: case: missing 'expected_decode' (a decode case names its capture and the other tool's output)",
      "1:1: case: missing 'format' (one of: tcpdump, zeek-ipv6-esp, zeek-icmp6-events, zeek-icmp6-nd-options, zeek-conn-log, suricata-checks)",
    ]);
    expect(problems(() => loadCaseText('kind: replay\nconfig: r1.conf\ninputs: {}\nexpected: {}\n', f))).toContain("1:7: kind: unknown kind 'replay' (expected run or decode)");
  });

  it('is skipped, with the reason, when its capture is absent: never passed, never failed', () => {
    const o = runCase(loadCase(caseDir('absent', 'kind: decode\ncapture: ../../nowhere/vxlan.pcap\nexpected_decode: vxlan.out\nformat: tcpdump\n')));
    expect(o).toMatchObject({ passed: false, failures: [] });
    expect(o.skipped).toMatch(/^capture \.\.\/\.\.\/nowhere\/vxlan\.pcap is not here/);
  });

  it.skipIf(!haveShared)('agrees with tcpdump on vxlan.pcap, and fails naming the packet and the fact when the .out says otherwise', () => {
    const dir = caseDir('vxlan', 'kind: decode\ncapture: vxlan.pcap\nexpected_decode: vxlan.out\nformat: tcpdump\ntool_args: "-e"\n');
    copyFileSync(join(SHARED, 'tcpdump', 'vxlan.pcap'), join(dir, 'vxlan.pcap'));
    const out = readFileSync(join(SHARED, 'tcpdump', 'vxlan.out'), 'utf8');
    writeFileSync(join(dir, 'vxlan.out'), out);
    const good = runCase(loadCase(dir));
    expect(formatFailures(good)).toBe('');
    expect(good.passed).toBe(true);
    // Packet 1's VNI 100 becomes 101, and one packet goes missing from the .out.
    const lines = out.split('\n');
    lines[0] = lines[0]!.replace('vni 100', 'vni 101');
    writeFileSync(join(dir, 'vxlan.out'), lines.join('\n'));
    const bad = runCase(loadCase(dir));
    expect(bad.passed).toBe(false);
    expect(bad.failures[0]!.message).toMatch(/^packet 1: tcpdump says "VXLAN vni 101"; triode decodes: .*VXLAN vni 100: /);
    expect(bad.failures[0]!.index).toBe(0);
  });

  it.skipIf(!haveShared)('suricata checks: a wrong flow count fails; checks on events not derived from a decode are listed as not compared', () => {
    const dir = caseDir('esp', 'kind: decode\ncapture: esp.pcap\nexpected_decode: test.yaml\nformat: suricata-checks\n');
    copyFileSync(join(SHARED, 'suricata-verify', 'eve-flow-esp_input.pcap'), join(dir, 'esp.pcap'));
    const yaml = readFileSync(join(SHARED, 'suricata-verify', 'eve-flow-esp_test.yaml'), 'utf8');
    writeFileSync(join(dir, 'test.yaml'), yaml);
    const good = runCase(loadCase(dir)) as ReturnType<typeof runCase> & { notes?: string[] };
    expect(good.passed).toBe(true);
    expect(good.notes).toHaveLength(4);
    expect(good.notes![0]).toMatch(/netflow events.*not compared/);
    writeFileSync(join(dir, 'test.yaml'), yaml.replace('flow.pkts_toserver: 2', 'flow.pkts_toserver: 3'));
    const bad = runCase(loadCase(dir));
    expect(formatFailures(bad)).toMatch(/^check 1: suricata expects 1 events \{event_type: flow, spi: 123, src_ip: 190\.0\.0\.1, dest_ip: 190\.0\.0\.2, flow\.pkts_toserver: 3, flow\.pkts_toclient: 0\}, triode's decode gives 0/);
  });
});
