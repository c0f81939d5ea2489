// The `triode` command as users run it: `node bin/triode.js` in a child
// process, after a build. Output files, --stats, --trace, --show, and the
// one-line errors (no stack traces) for bad input.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ping4 } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { PcapWriter } from '../pcap/writer.js';

const root = join(import.meta.dirname, '..', '..');
let dir = '';

function triode(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'triode.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, TRIODE_DEBUG: '' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function pcap(name: string, frames: Uint8Array[], linkType?: number): string {
  const file = join(dir, name);
  const w = new PcapWriter(file, { linkType });
  frames.forEach((f, i) => w.write(f, 0, f.length, 1_700_000_000 + i, 0));
  w.close();
  return file;
}

const CONF = `interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.10 mac 02:00:00:00:0a:0a; } } } }
  et-0/0/1 { unit 0 { family inet { address 10.12.0.1/30 { arp 10.12.0.2 mac 02:00:00:00:0c:02; } } } }
}
routing-options { static { route 10.2.0.0/24 next-hop 10.12.0.2; } }
`;
const toR1 = { src: '02:00:00:00:0a:0a', dst: formatMac(derivedMac('R1', 'et-0/0/0')) };
let inA = '';

/** The one line an error prints: exit status 2, nothing on stdout's error path, no stack trace. */
function expectOneLineError(r: { status: number; stderr: string }): string {
  expect(r.status).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'triode-cli-'));
  writeFileSync(join(dir, 'R1.conf'), CONF);
  inA = pcap('a.pcap', [1, 2, 3].map((seq) => ping4(toR1, { src: '10.1.0.10', dst: '10.2.0.20' }, 7, seq)));
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('triode run', () => {
  it('writes one pcap per port (et-0/0/1 -> et-0_0_1.pcap) and a --stats JSON that balances', () => {
    const out = join(dir, 'out1');
    const r = triode('run', 'R1.conf', '--in', `et-0/0/0=${inA}`, '--out-dir', out, '--stats', join(dir, 's.json'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out)).toEqual(['et-0_0_1.pcap']);
    expect(r.stdout).toContain('in 3 + generated 0 = out 3 + consumed 0 + dropped 0');
    expect(r.stdout).toContain(`et-0/0/1: 3 packets -> ${join(out, 'et-0_0_1.pcap')}`);
    const stats = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(stats.balanced).toBe(true);
    expect(stats.accounting).toEqual({ in: 3, generated: 0, out: 3, consumed: 0, dropped: 0, linked: 0 });
    expect(stats.devices.R1.interfaces['et-0/0/0.0']).toEqual({ inputPackets: 3, inputBytes: 222, outputPackets: 0, outputBytes: 0 });
    expect(stats.devices.R1.interfaces['et-0/0/1.0']).toEqual({ inputPackets: 0, inputBytes: 0, outputPackets: 3, outputBytes: 222 });
    expect(readFileSync(join(out, 'et-0_0_1.pcap')).length).toBe(24 + 3 * (16 + 74));
  });

  it('names scenario outputs <device>_<ifd> (R1:et-0/0/0 -> R1_et-0_0_0.pcap)', () => {
    const out = join(dir, 'out2');
    const r = triode('run', join(root, 'examples/demo/scenario.yaml'), '--in', `R1:et-0/0/0=${join(root, 'examples/demo/host-a.pcap')}`,
      '--in', `R2:et-0/0/1=${join(root, 'examples/demo/host-b.pcap')}`, '--out-dir', out);
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['R1_et-0_0_0.pcap', 'R1_et-0_0_1.pcap', 'R2_et-0_0_0.pcap', 'R2_et-0_0_1.pcap']);
    expect(r.stdout).toContain('in 14 + generated 12 = out 12 + consumed 9 + dropped 5 (8 crossed links)');
  });

  it('--trace 2 prints the path of the first two packets', () => {
    const r = triode('run', 'R1.conf', '--in', `et-0/0/0=${inA}`, '--trace', '2');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^Packet \d+ {2}in (R1:)?et-0\/0\/0  at 17000000\d\d\.000000000$/gm)).toHaveLength(2);
    const paths = r.stdout.split('\n').filter((l) => l.trim().startsWith('path:'));
    expect(paths).toEqual(Array(2).fill('  path: et-0/0/0.0 → ip4-lookup 10.2.0.0/24 via 10.12.0.2 et-0/0/1.0 → et-0/0/1.0'));
  });

  it('--show "interfaces terse" and --show "route 10.2.0.0/24" print Junos-style tables', () => {
    const r = triode('run', 'R1.conf', '--in', `et-0/0/0=${inA}`, '--show', 'interfaces terse', '--show', 'route 10.2.0.0/24');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('> show interfaces terse\nInterface               Admin Link Proto    Local                 Remote\n');
    expect(r.stdout).toMatch(/^et-0\/0\/0\.0 +up +up +inet +10\.1\.0\.1\/24$/m);
    expect(r.stdout).toMatch(/^et-0\/0\/1\.0 +up +up +inet +10\.12\.0\.1\/30$/m);
    expect(r.stdout).toContain('> show route 10.2.0.0/24\ninet.0: 5 destinations, 5 routes (5 active, 0 holddown, 0 hidden)');
    expect(r.stdout).toMatch(/^10\.2\.0\.0\/24 +\*\[Static\/5\] 00:00:00\n +> +to 10\.12\.0\.2 via et-0\/0\/1\.0$/m);
  });
});

describe('triode run --workers', () => {
  it('runs the demo scenario on 3 replicas: the same files, frames, counters and show output as one', () => {
    const args = [join(root, 'examples/demo/scenario.yaml'), '--in', `R1:et-0/0/0=${join(root, 'examples/demo/host-a.pcap')}`,
      '--in', `R2:et-0/0/1=${join(root, 'examples/demo/host-b.pcap')}`, '--show', 'R2: arp', '--show', 'R1: interfaces terse'];
    const one = triode('run', ...args, '--out-dir', join(dir, 'w1'), '--stats', join(dir, 'w1.json'));
    const three = triode('run', ...args, '--out-dir', join(dir, 'w3'), '--stats', join(dir, 'w3.json'), '--workers', '3');
    expect(three.status).toBe(0);
    expect(three.stdout).toContain('in 14 + generated 12 = out 12 + consumed 9 + dropped 5 (8 crossed links)');
    expect(three.stdout.match(/^ {2}replica \d: \d+ frames taken in, \d+ packets handed to SA owners$/gm)).toHaveLength(3);
    const show = (s: string) => s.slice(s.indexOf('R2> show arp'), s.indexOf('in 14'));
    expect(show(three.stdout)).toBe(show(one.stdout));
    expect(readdirSync(join(dir, 'w3')).sort()).toEqual(readdirSync(join(dir, 'w1')).sort());
    const frames = (f: string) => readFileSync(f).subarray(24);
    for (const f of readdirSync(join(dir, 'w1'))) expect(frames(join(dir, 'w3', f)).length, f).toBe(frames(join(dir, 'w1', f)).length);
    const stats = (f: string) => { const s = JSON.parse(readFileSync(join(dir, f), 'utf8')); delete s.outputs; for (const d of Object.values<{ nodes: unknown }>(s.devices)) delete d.nodes; return s; };
    expect(stats('w3.json')).toEqual(stats('w1.json'));
  });

  it('a truncated capture is the same one-line error with replicas, and none is left running', () => {
    const whole = readFileSync(inA);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = triode('run', 'R1.conf', '--in', `et-0/0/0=${cut}`, '--out-dir', join(dir, 'wcut'), '--workers', '2');
    expect(expectOneLineError(r)).toMatch(new RegExp(`^triode: ${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: byte \\d+: truncated record body`));
  });

  it('--workers takes 1 to 64, and --trace needs one replica', () => {
    expect(expectOneLineError(triode('run', 'R1.conf', '--in', `et-0/0/0=${inA}`, '--workers', '0'))).toContain('--workers takes a whole number from 1 to 64, not "0"');
    expect(expectOneLineError(triode('run', 'R1.conf', '--in', `et-0/0/0=${inA}`, '--workers', '2', '--trace', '1'))).toContain('--trace follows packets through one pipeline: use it with --workers 1');
    expect(expectOneLineError(triode('run', join(root, 'src/craft/testdata/vxlan-kernel.conf'), '--in', `et-0/0/1=${inA}`,
      '--out-dir', join(dir, 'wevpn'), '--workers', '2'))).toBe('triode: --workers 2: vxlan-kernel has bridge domains, which run on one replica only for now (use --workers 1)');
    const sflow = join(root, 'pcaps/lag-sflow/sflow-1-in-8');
    expect(expectOneLineError(triode('run', join(sflow, 'r1.conf'), '--in', `et-0/0/0=${join(sflow, 'in-et-0_0_0.pcap')}`,
      '--out-dir', join(dir, 'wsflow'), '--workers', '2'))).toBe('triode: --workers 2: r1 has sFlow, which run on one replica only for now (use --workers 1)');
  });
});

describe('triode demo (npm start = triode demo seed)', () => {
  it('seed: the traced paths of an IPv4 and an IPv6 packet from CE1 to CE2, the show outputs, a balanced accounting', () => {
    const out = join(dir, 'seed-out');
    const r = triode('demo', 'seed', '--out-dir', out);
    expect(r.status).toBe(0);
    const paths = r.stdout.split('\n').filter((l) => l.trim().startsWith('path:'));
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(/^ {2}path: \[PE1\] → et-0\/2\/10\.0 → ip4-lookup 60\.1\.1\.0\/24 .*esp-encrypt spi 0x36c700ce seq 1 .*\[P1\] .*\[PE2\] .*esp-decrypt spi 0x36c700ce seq 1 .*→ PE2:et-0\/2\/10\.0$/);
    expect(paths[1]).toMatch(/^ {2}path: \[PE1\] → et-0\/2\/10\.0 → ip6-lookup 2001:db8:60::\/64 .*esp-encrypt spi 0x36c700ce seq 2 .*\[P1\] .*\[PE2\] .*esp-decrypt spi 0x36c700ce seq 2 .*→ PE2:et-0\/2\/10\.0$/);
    for (const h of ['PE1> show interfaces st0.1 extensive', 'PE1> show interfaces si-0/1/0.0 extensive', 'PE1> show interfaces si-0/1/0.1 extensive',
      'PE1> show security ipsec security-associations detail', 'PE1> show security ipsec statistics', 'PE2> show route']) {
      expect(r.stdout).toContain(`\n${h}\n`);
    }
    expect(r.stdout).toContain('in 22 + generated 8 = out 22 + consumed 8 + dropped 0 (40 crossed links)');
    expect(readdirSync(out).sort()).toEqual(['P1_ae0.pcap', 'P1_ae1.pcap', 'PE1_ae0.pcap', 'PE1_et-0_2_10.pcap', 'PE2_ae0.pcap', 'PE2_et-0_2_10.pcap']);
    // What the configurations hold that is not emulated is said, never an error.
    expect(r.stderr).not.toMatch(/error|isis|bgp/i);
  });

  it('evpn: VXLAN over inline IPsec between the PEs, the bridge tables and EVPN routes, a balanced accounting', () => {
    const out = join(dir, 'evpn-out');
    const r = triode('demo', 'evpn', '--out-dir', out);
    expect(r.status).toBe(0);
    const paths = r.stdout.split('\n').filter((l) => l.trim().startsWith('path:'));
    expect(paths).toHaveLength(3);
    expect(paths[0]).toMatch(/^ {2}path: \[PE1\] → et-0\/2\/10\.10 → bridge-input .*vxlan-encap vni 10010 to vtep 12\.1\.1\.2 .*esp-encrypt spi .*\[P1\] .*\[PE2\] .*esp-decrypt .*vxlan-input vni 10010 from vtep 12\.1\.1\.1 .*→ PE2:et-0\/0\/4\.10$/);
    for (const h of ['PE2> show mac-vrf forwarding mac-table', 'PE2> show mac-vrf forwarding mac-ip-table', 'PE1> show bgp l2vpn evpn route type macip',
      'PE1> show security ipsec statistics', 'PE1> show errors']) {
      expect(r.stdout).toContain(`\n${h}\n`);
    }
    expect(r.stdout).toMatch(/in 5 \+ generated \d+ = out \d+ \+ consumed \d+ \+ dropped 0 \(\d+ crossed links\)/);
    expect(readdirSync(out)).toContain('P1_ae0.pcap');
    expect(r.stderr).not.toMatch(/error/i);
  });

  it('basic: the two-router demo; a demo name is required', () => {
    const r = triode('demo', 'basic', '--out-dir', join(dir, 'basic-out'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('in 14 + generated 12 = out 12 + consumed 9 + dropped 5 (8 crossed links)');
    expect(expectOneLineError(triode('demo'))).toBe('triode: demo takes the name of one demo (seed, evpn, basic; see triode demo --help)');
    expect(expectOneLineError(triode('demo', 'nope'))).toBe('triode: unknown demo "nope" (demos: seed, evpn, basic)');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start).toBe('node bin/triode.js demo seed');
  });

  it('the seed\'s input pcaps are what scripts/make-seed.mjs writes', () => {
    const d = mkdtempSync(join(dir, 'seed-pcaps-'));
    execFileSync(process.execPath, [join(root, 'scripts', 'make-seed.mjs'), d], { stdio: 'pipe' });
    for (const f of ['ce1.pcap', 'ce2.pcap']) expect(readFileSync(join(d, f)).equals(readFileSync(join(root, 'examples', 'seed', f))), f).toBe(true);
  });
});

describe('triode errors: one line on stderr, no stack trace, exit 2', () => {
  it('a truncated pcap names the file and the byte offset', () => {
    const whole = readFileSync(inA);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 30));
    const line = expectOneLineError(triode('run', 'R1.conf', '--in', `et-0/0/0=${cut}`, '--out-dir', join(dir, 'o3')));
    expect(line).toMatch(new RegExp(`^triode: ${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: byte ${24 + 2 * 90}: `));
  });

  it('a pcap that is not Ethernet is a link type error', () => {
    const raw = pcap('raw.pcap', [new Uint8Array(20)], 101);
    const line = expectOneLineError(triode('run', 'R1.conf', '--in', `et-0/0/0=${raw}`));
    expect(line).toBe(`triode: ${raw}: byte 0: link type 101 (RAW) is not supported: triode reads Ethernet (link type 1) captures`);
  });

  it('a configuration syntax error gives file:line:column', () => {
    writeFileSync(join(dir, 'bad.conf'), 'interfaces {\n  et-0/0/0 {\n    unit 0 { family inet { address 10.0.0.1/33; } }\n  }\n}\n');
    const r = triode('run', 'bad.conf', '--in', `et-0/0/0=${inA}`);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/bad\.conf:3:\d+: /);
  });

  it('an unknown port names the ports there are', () => {
    const line = expectOneLineError(triode('run', 'R1.conf', '--in', `et-9/9/9=${inA}`));
    expect(line).toBe('triode: unknown interface "et-9/9/9" on R1 (ports: et-0/0/0, et-0/0/1)');
  });

  it('a missing input file and a missing configuration file', () => {
    expect(expectOneLineError(triode('run', 'R1.conf', '--in', `et-0/0/0=${join(dir, 'nope.pcap')}`))).toBe(`triode: ${join(dir, 'nope.pcap')}: no such file`);
    expect(expectOneLineError(triode('run', 'nope.conf', '--in', `et-0/0/0=${inA}`))).toBe('triode: nope.conf: no such file');
    expect(existsSync(join(dir, 'nope.pcap'))).toBe(false);
  });

  it('an unknown option and an unknown command', () => {
    expect(expectOneLineError(triode('run', 'R1.conf', '--frobnicate'))).toMatch(/^triode run: .*--frobnicate/);
    expect(expectOneLineError(triode('frobnicate'))).toBe('triode: unknown command "frobnicate" (commands: run, demo, esp, test, compare, profiles, bench)');
  });
});

describe('triode esp', () => {
  const SA = '"IPv4","192.0.2.1","198.51.100.1","0x36c700ce","AES-GCM with 16 octet ICV [RFC4106]","0x000102030405060708090a0b0c0d0e0fcafebabe","NULL",""';

  it('encrypts and decrypts back, with --seq/--esn, --stats and --write-esp-sa', () => {
    writeFileSync(join(dir, 'esp_sa'), `${SA}\n`);
    const enc = triode('esp', 'encrypt', '--sa-file', 'esp_sa', '--esn', '--seq', '0xfffffffe', '--stats', 'enc.json', '--write-esp-sa', 'written_sa', inA, 'enc.pcap');
    expect(enc.stderr).toBe('');
    expect(enc.stdout).toBe('encrypted 3 packets (180 bytes); in 3 = out 3 + consumed 0 + dropped 0\n');
    const stats = JSON.parse(readFileSync(join(dir, 'enc.json'), 'utf8'));
    expect(stats.balanced).toBe(true);
    expect(stats.ipsec.sas[0]).toMatchObject({ spi: '0x36c700ce', direction: 'outbound', counters: { encrypted_packets: 3, encrypted_bytes: 180 } });
    expect(readFileSync(join(dir, 'written_sa'), 'utf8')).toContain(SA);
    // A fresh receiver places 0xfffffffe and 0xffffffff in epoch -1 (RFC 4303 Appendix A), which does not
    // exist, and the third at 0, which is never sent: all three are replay errors, before any crypto.
    const fresh = triode('esp', 'decrypt', '--sa-file', 'esp_sa', '--esn', 'enc.pcap', 'fresh.pcap');
    expect(fresh.stdout).toBe('decrypted 0 packets (0 bytes); in 3 = out 0 + consumed 0 + dropped 3 {"replay_errors":3}\n');
    // Seeded as having received up to 0xfffffff0, it infers the high bits and recovers the input exactly.
    const dec = triode('esp', 'decrypt', '--sa-file', 'esp_sa', '--esn', '--seq', '0xfffffff0', 'enc.pcap', 'dec.pcap');
    expect(dec.stdout).toBe('decrypted 3 packets (180 bytes); in 3 = out 3 + consumed 0 + dropped 0\n');
    expect(readFileSync(join(dir, 'dec.pcap'))).toEqual(readFileSync(inA));
  });

  it('a bad esp_sa file is a located one-line error; --spi picks an SA that exists', () => {
    writeFileSync(join(dir, 'bad_sa'), '"IPv4","192.0.2.1","198.51.100.1","0x1","AES-CBC [RFC3602]","0x000102030405060708090a0b0c0d0e0fcafebabe","NULL",""\n');
    expect(expectOneLineError(triode('esp', 'encrypt', '--sa-file', 'bad_sa', inA, 'x.pcap'))).toMatch(/^bad_sa:1:42: encryption "AES-CBC \[RFC3602\]" is not supported/);
    writeFileSync(join(dir, 'esp_sa'), `${SA}\n`);
    expect(expectOneLineError(triode('esp', 'encrypt', '--sa-file', 'esp_sa', '--spi', '0x99', inA, 'x.pcap'))).toBe('triode: esp_sa: no SA with SPI 0x99');
  });
});

describe('triode --help', () => {
  it('prints the commands at the top level and the options for run', () => {
    const top = triode('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/^triode — /);
    expect(top.stdout).toMatch(/^ {2}run {5}/m);
    const run = triode('run', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: triode run /);
    for (const opt of ['--in <port>=<file>', '--out-dir <dir>', '--stats <file.json>', '--trace <N>', '--show <what>']) expect(run.stdout).toContain(opt);
    expect(triode('help', 'run').stdout).toBe(run.stdout);
  });
});
