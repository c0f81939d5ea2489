// `triode compare` as users run it (in process, through main): the EVPN
// suppression cases' input under junos and linux-frr (profiles that already
// differ), ARP under ios and nxos, one-line errors, --max-packets, and the
// HTML report rendered by a headless chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFrames } from '../cases/run-case.js';
import { arpFrame } from '../craft/craft.js';
import { chromiumAvailable } from '../craft/peers.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { PcapWriter } from '../pcap/writer.js';
import { main } from './main.js';

const root = join(import.meta.dirname, '..', '..');
const EVPN_JUNOS = join(root, 'pcaps', 'evpn', 'suppression-junos');
const EVPN_FRR = join(root, 'pcaps', 'evpn', 'suppression-linux-frr');
const EVPN_INPUTS = [1, 2, 3, 4].flatMap((k) => ['--in', `et-0/0/${k}=${join(EVPN_JUNOS, `in-et-0_0_${k}.pcap`)}`]);
let dir = '';

/** Runs `triode <args>` in this process: exit status and what it printed. */
async function triode(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  try {
    const status = await main(args);
    return { status, stdout: out.length ? `${out.join('\n')}\n` : '', stderr: err.length ? `${err.join('\n')}\n` : '' };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** The block of text output about packet n (its heading to the blank line). */
function packetBlock(stdout: string, n: number): string {
  const start = stdout.indexOf(`\nPacket ${n}  `);
  expect(start).toBeGreaterThanOrEqual(0);
  return stdout.slice(start + 1, stdout.indexOf('\n\n', start + 1));
}

function section(stdout: string, title: string): string[] {
  const start = stdout.indexOf(title);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = stdout.indexOf('\n\n', start);
  return stdout.slice(start, end < 0 ? undefined : end).trimEnd().split('\n').slice(1);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-compare-'));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('triode compare: EVPN ARP/ND suppression, junos vs linux-frr (the suppression cases\' input)', () => {
  let r: { status: number; stdout: string; stderr: string };
  beforeAll(async () => {
    r = await triode('compare', '--profile', 'junos', '--profile', 'linux-frr', join(EVPN_JUNOS, 'r1.conf'), ...EVPN_INPUTS,
      '--out-dir', join(dir, 'evpn'), '--report', join(dir, 'evpn.html'));
  });

  it('works (exit 0: differences are the point) and lists the variants and the switches in which they differ', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['2 variants, 18 input packets', '  junos      junos', '  linux-frr  linux-frr']);
    const sw = section(r.stdout, 'Switches that differ between the variants:');
    expect(sw[0]).toMatch(/^ {2}switch +junos +linux-frr$/);
    for (const re of [/^ {2}evpn-snoop-arp-nd +true +false$/, /^ {2}evpn-learn-from-irb-ip +false +true$/, /^ {2}evpn-suppress-needs-gateway +false +true$/]) {
      expect(sw.some((l) => re.test(l)), String(re)).toBe(true);
    }
  });

  it('reports exactly packets 3, 4, 7, 9, 14, 16 and 18 as leaving differently, the other 11 as a count', () => {
    expect(r.stdout).toContain('Packets: 7 of 18 left differently; 11 left the same way in every variant.');
    expect([...r.stdout.matchAll(/^Packet (\d+) {2}/gm)].map((m) => Number(m[1]))).toEqual([3, 4, 7, 9, 14, 16, 18]);
  });

  it("packet 3, A's second ARP for B: junos answers it from the snooped binding, linux-frr (no binding from ARP) floods it", () => {
    expect(packetBlock(r.stdout, 3)).toBe([
      'Packet 3  in et-0/0/1  at 1700000000.002000000: 02:00:00:00:0a:01 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.10.12 tell 10.0.10.11',
      '  junos:      bridge-input: arp for 10.0.10.12 suppressed: answered with 02:00:00:00:0b:01; reply generated',
      '              → bridge-input replied',
      '              → out et-0/0/1.0: 02:00:00:00:0b:01 > 02:00:00:00:0a:01, ARP reply 10.0.10.12 is-at 02:00:00:00:0b:01',
      '  linux-frr:  bridge-input: arp for 10.0.10.12: no MAC+IP binding, flooded',
      '              → consumed at arp-input: ARP request, not for the device',
      '              → out et-0/0/2.0: 02:00:00:00:0a:01 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.10.12 tell 10.0.10.11',
      '              → out et-0/0/3.10: 02:00:00:00:0a:01 > ff:ff:ff:ff:ff:ff, vlan 10, ARP who-has 10.0.10.12 tell 10.0.10.11',
      '              → out et-0/0/0.0: 9e:fa:a6:af:75:15 > 02:00:00:00:0f:fe, IPv4 10.255.0.1 > 10.255.0.2 ttl 64 UDP 10.255.0.1.63573 > 10.255.0.2.4789 VXLAN vni 10010: 02:00:00:00:0a:01 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.10.12 tell 10.0.10.11',
    ].join('\n'));
  });

  it("packet 4, B's ping to the gateway: junos replies at once (the snooped binding), linux-frr holds the reply for ARP", () => {
    const b = packetBlock(r.stdout, 4).split('\n');
    expect(b[1]).toBe('  junos:      ip4-local replied');
    expect(b[3]).toBe('  linux-frr:  ip4-arp: held: ARP for 10.0.10.12 on irb.10');
    expect(b.slice(4)).toEqual([
      '              → ip4-local replied',
      '              → released from hold queue',
      '              → out et-0/0/2.0: d6:01:c5:9e:b8:0b > 02:00:00:00:0b:01, IPv4 10.0.10.1 > 10.0.10.12 ttl 64 ICMP echo reply id 98 seq 1',
    ]);
  });

  it('packets 9 and 16: the second NS for B and the V20 ARP are suppressed by junos only; linux-frr has no gateway on V20 and suppresses nothing there', () => {
    expect(packetBlock(r.stdout, 9)).toContain('  junos:      bridge-input: ns for 2001:db8:10::12 suppressed: answered with 02:00:00:00:0b:01; reply generated');
    expect(packetBlock(r.stdout, 9)).toContain('  linux-frr:  bridge-input: ns for 2001:db8:10::12: no MAC+IP binding, flooded');
    const b16 = packetBlock(r.stdout, 16).split('\n');
    expect(b16[1]).toBe('  junos:      bridge-input: arp for 10.0.20.16 suppressed: answered with 02:00:00:00:0f:06; reply generated');
    expect(b16[4]).toBe('  linux-frr:  bridge-input: out et-0/0/4.20, out et-0/0/0.0');
  });

  it('packets 7, 14 and 18 meet the same fates but their VXLAN frames differ in the IP id (linux-frr generated more before them): said so, field by field', () => {
    for (const n of [7, 14, 18]) expect(packetBlock(r.stdout, n).split('\n')[1]).toBe('  (the same fates in every variant: the frames sent differ only in their bytes)');
    expect(packetBlock(r.stdout, 7)).toContain('\n                  differs in ip.id 0x0004 (junos 0x0002), ip.checksum 0x246f (junos 0x2471)');
    expect(packetBlock(r.stdout, 18)).toContain('→ dropped at irb-input: inet6_not_configured');
  });

  it('ports: frames per variant and how many are the same frame in both', () => {
    expect(section(r.stdout, 'Ports: frames sent per variant')).toEqual([
      '  port      junos  linux-frr  identical',
      '  et-0/0/0      4          8          1',
      '  et-0/0/1      8          7          6',
      '  et-0/0/2      4          7          3',
      '  et-0/0/3      5          7          4',
      '  et-0/0/4      1          2          1',
    ]);
  });

  it('counters side by side, * where they differ (the case.yaml figures of each case)', () => {
    const rows = section(r.stdout, 'Counters (* where the variants differ):');
    const row = (name: string): string => rows.find((l) => l.slice(4).startsWith(`${name} `))!.replace(/ +/g, ' ');
    expect(row('accounting.in')).toBe(' accounting.in 18 18');
    expect(row('accounting.generated')).toBe('* accounting.generated 18 26');
    expect(row('accounting.out')).toBe('* accounting.out 22 31');
    expect(row('drops.inet6_not_configured')).toBe(' drops.inet6_not_configured 2 2');
    expect(row('devices.R1.nodes.bridge-input.counters.arp_suppressed')).toBe('* devices.R1.nodes.bridge-input.counters.arp_suppressed 3 1');
    expect(row('devices.R1.nodes.bridge-input.counters.macip_learned')).toBe('* devices.R1.nodes.bridge-input.counters.macip_learned 8 0');
    expect(row('devices.R1.nodes.irb-input.counters.macip_learned_from_ip')).toBe('* devices.R1.nodes.irb-input.counters.macip_learned_from_ip 0 3');
    expect(row('devices.R1.nodes.l2-flood.counters.flood_copies')).toBe('* devices.R1.nodes.l2-flood.counters.flood_copies 9 19');
  });

  it("--out-dir: each variant's pcaps are its golden case's expected outputs, frame for frame", () => {
    for (const [variant, golden] of [['junos', EVPN_JUNOS], ['linux-frr', EVPN_FRR]]) {
      for (const port of [0, 1, 2, 3, 4]) {
        const got = readFrames(join(dir, 'evpn', variant, `et-0_0_${port}.pcap`));
        const want = readFrames(join(golden, `expected-et-0_0_${port}.pcap`));
        expect(got, `${variant} et-0/0/${port}`).toEqual(want);
      }
    }
  });
});

describe('triode compare: ARP for the interface from a sender on no subnet of it, ios vs nxos', () => {
  const conf = 'interfaces {\n  et-0/0/1 { unit 0 { family inet { address 10.1.1.1/24; } } }\n}\n';
  const ifMac = formatMac(derivedMac('R1', 'et-0/0/1'));
  let r: { status: number; stdout: string; stderr: string };
  beforeAll(async () => {
    writeFileSync(join(dir, 'R1.conf'), conf);
    const w = new PcapWriter(join(dir, 'arp.pcap'));
    const off = arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:05' }, 1, '02:00:00:00:00:05', '10.9.9.5', '00:00:00:00:00:00', '10.1.1.1');
    const on = arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:06' }, 1, '02:00:00:00:00:06', '10.1.1.6', '00:00:00:00:00:00', '10.1.1.1');
    w.write(off, 0, off.length, 1_700_000_000, 0);
    w.write(on, 0, on.length, 1_700_000_001, 0);
    w.close();
    r = await triode('compare', '--profile', 'ios', '--profile', 'nxos', '--profile', 'nxos,arp-sender-check=none',
      join(dir, 'R1.conf'), '--in', `et-0/0/1=${join(dir, 'arp.pcap')}`);
  });

  it('ios replies, nxos drops it under arp_sender_not_on_subnet, nxos with the switch set replies; the on-subnet request is answered by all', () => {
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  nxos,arp-sender-check=none  nxos (set: arp-sender-check=none)');
    expect(r.stdout).toContain('Packets: 1 of 2 left differently; 1 left the same way in every variant.');
    const reply = `→ out et-0/0/1.0: ${ifMac} > 02:00:00:00:00:05, ARP reply 10.1.1.1 is-at ${ifMac}`;
    expect(packetBlock(r.stdout, 1)).toBe([
      'Packet 1  in et-0/0/1  at 1700000000.000000000: 02:00:00:00:00:05 > ff:ff:ff:ff:ff:ff, ARP who-has 10.1.1.1 tell 10.9.9.5',
      '  ios:                         arp-input replied',
      `                               ${reply}`,
      '  nxos:                        dropped at arp-input: arp_sender_not_on_subnet',
      '  nxos,arp-sender-check=none:  arp-input replied',
      `                               ${reply}`,
    ].join('\n'));
    expect(section(r.stdout, 'Ports: frames sent per variant')).toEqual([
      '  port      ios  nxos  nxos,arp-sender-check=none  identical',
      '  et-0/0/1    2     1                           2          1',
    ]);
    const drops = section(r.stdout, 'Counters').find((l) => l.includes('drops.arp_sender_not_on_subnet'))!;
    expect(drops.replace(/ +/g, ' ')).toBe('* drops.arp_sender_not_on_subnet 0 1 0');
  });

  it('--max-packets: traces the first N with a note; the ports still count every frame', async () => {
    const m = await triode('compare', '--profile', 'ios', '--profile', 'nxos', join(dir, 'R1.conf'), '--in', `et-0/0/1=${join(dir, 'arp.pcap')}`, '--max-packets', '1');
    expect(m.status).toBe(0);
    expect(m.stdout).toContain('note: traced the first 1 of 2 input packets (--max-packets): later ones are compared only in the port and counter tables');
    expect(m.stdout).toContain('Packets: 1 of 1 left differently; 0 left the same way in every variant.');
    expect(section(m.stdout, 'Ports: frames sent per variant')[1]).toBe('  et-0/0/1    2     1          1');
  });

  it('bad input is one line and exit status 2', async () => {
    const cases: [string[], string][] = [
      [['--profile', 'ios'], 'triode: compare needs at least two --profile variants, not 1'],
      [['--profile', 'ios', '--profile', 'eos'], "triode: --profile eos: unknown profile 'eos' (profiles: junos, ios, nxos, linux, linux-frr)"],
      [['--profile', 'ios', '--profile', 'nxos,no-such-switch=1'], "triode: --profile nxos,no-such-switch=1: unknown switch 'no-such-switch' (see triode profiles)"],
      [['--profile', 'ios', '--profile', 'ios'], 'triode: --profile ios is given twice: each variant once'],
      [['--profile', 'ios', '--profile', 'nxos', '--max-packets', '0'], 'triode: --max-packets takes a whole number from 1, not "0"'],
      [['--profile', 'ios', '--profile', 'R9:nxos'], "triode: --profile R9:nxos: no device 'R9' (devices: R1)"],
    ];
    for (const [args, line] of cases) {
      const e = await triode('compare', ...args, join(dir, 'R1.conf'), '--in', `et-0/0/1=${join(dir, 'arp.pcap')}`);
      expect(e.status, args.join(' ')).toBe(2);
      expect(e.stderr).toBe(`${line}\n`);
    }
    const noIn = await triode('compare', '--profile', 'ios', '--profile', 'nxos', join(dir, 'R1.conf'));
    expect([noIn.status, noIn.stderr]).toEqual([2, 'triode: compare needs an input: --in <port>=<file.pcap>\n']);
  });

  it('is listed by triode help and has its own help', async () => {
    expect((await triode('help')).stdout).toMatch(/\n {2}compare {3}run the same input under several vendor profiles/);
    const h = await triode('compare', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: triode compare --profile <spec> --profile <spec>/);
  });
});

describe('triode compare: the seed\'s IVE ARP (examples/ive-arp), ios vs nxos', () => {
  it('ios (the 6500) answers the IVE\'s request from another VLAN\'s subnet and its retry; nxos drops both under arp_sender_not_on_subnet', async () => {
    const ive = join(root, 'examples', 'ive-arp');
    const r = await triode('compare', '--profile', 'ios', '--profile', 'nxos', join(ive, 'scenario.yaml'), '--in', `et-0/0/0=${join(ive, 'in-et-0_0_0.pcap')}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Packets: 2 of 2 left differently; 0 left the same way in every variant.');
    const svi = formatMac(derivedMac('SW1', 'et-0/0/0'));
    for (const [n, at] of [[1, '1700000000.000000000'], [2, '1700000001.000000000']] as const) {
      expect(packetBlock(r.stdout, n)).toBe([
        `Packet ${n}  in et-0/0/0  at ${at}: 02:00:00:00:0e:01 > ff:ff:ff:ff:ff:ff, vlan 100, ARP who-has 10.100.0.1 tell 172.16.5.10`,
        '  ios:   arp-input replied',
        `         → out et-0/0/0.100: ${svi} > 02:00:00:00:0e:01, vlan 100, ARP reply 10.100.0.1 is-at ${svi}`,
        '  nxos:  dropped at arp-input: arp_sender_not_on_subnet',
      ].join('\n'));
    }
    // The switch that decides it is among those that differ (other areas' switches may differ too).
    expect(section(r.stdout, 'Switches that differ between the variants:').map((l) => l.replace(/ +/g, ' '))).toContain(' arp-sender-check none interface-subnets');
    expect(section(r.stdout, 'Ports: frames sent per variant')).toEqual(['  port      ios  nxos  identical', '  et-0/0/0    2     0          0']);
  });
});

describe('triode compare --report', () => {
  const html = (): string => readFileSync(join(dir, 'evpn.html'), 'utf8');

  it('is one self-contained page (no external assets) and the same bytes run after run', async () => {
    const page = html();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/<link|\bsrc=|https?:\/\//);
    const again = join(dir, 'evpn2.html');
    const r = await triode('compare', '--profile', 'junos', '--profile', 'linux-frr', join(EVPN_JUNOS, 'r1.conf'), ...EVPN_INPUTS, '--report', again);
    expect(r.status).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(page);
  });

  it('escapes what comes from the run (a file name with markup in it)', async () => {
    const evil = join(dir, 'a<b>&"x.conf');
    writeFileSync(evil, readFileSync(join(dir, 'R1.conf')));
    const out = join(dir, 'evil.html');
    const r = await triode('compare', '--profile', 'ios', '--profile', 'nxos', evil, '--in', `et-0/0/1=${join(dir, 'arp.pcap')}`, '--report', out);
    expect(r.status).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('a&lt;b&gt;&amp;&quot;x.conf');
    expect(page).not.toContain('a<b>');
  });

  /** The DOM chromium built from the report (after its script ran). */
  function dumpDom(url: string): string {
    const c = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', url], { encoding: 'utf8', timeout: 90_000 });
    expect(c.status, c.stderr).toBe(0);
    return c.stdout;
  }

  const haveChromium = chromiumAvailable('triode compare --report rendered by headless chromium');

  it.skipIf(!haveChromium)('chromium renders it: the differing packets with both traces, the same ones hidden by "differences only", the counters marked', () => {
    const dom = dumpDom(`file://${join(dir, 'evpn.html')}`);
    const rows = [...dom.matchAll(/<tr class="packet ([a-z -]+)" id="packet-(\d+)"( hidden="")?>/g)].map((m) => ({ cls: m[1], n: Number(m[2]), hidden: m[3] !== undefined }));
    expect(rows).toHaveLength(18);
    expect(rows.filter((x) => x.cls.startsWith('differs')).map((x) => x.n)).toEqual([3, 4, 7, 9, 14, 16, 18]);
    // The toggle starts on: every packet that left the same way is hidden, none that differs.
    expect(rows.filter((x) => x.hidden).map((x) => x.n)).toEqual([1, 2, 5, 6, 8, 10, 11, 12, 13, 15, 17]);
    const row3 = dom.slice(dom.indexOf('id="packet-3"'), dom.indexOf('id="packet-4"'));
    expect(row3).toContain('<div class="why">bridge-input: arp for 10.0.10.12 suppressed: answered with 02:00:00:00:0b:01; reply generated</div>');
    expect(row3).toContain('<div class="why">bridge-input: arp for 10.0.10.12: no MAC+IP binding, flooded</div>');
    expect(row3.match(/<details><summary>trace<\/summary><pre>Packet 3 {2}in et-0\/0\/1/g)).toHaveLength(2);
    expect(dom).toMatch(/<tr class="differs"><td class="mono">devices\.R1\.nodes\.bridge-input\.counters\.arp_suppressed<\/td><td class="num">3<\/td><td class="num">1<\/td><\/tr>/);
    expect(dom).toMatch(/<tr class="same" hidden=""><td class="mono">accounting\.in<\/td><td class="num">18<\/td><td class="num">18<\/td><\/tr>/);
    expect(dom).toContain('<p id="packet-summary">7 of 18 packets left differently; 11 left the same way in every variant.</p>');
  });

  it.skipIf(!haveChromium)('with the toggle off (#all) every row shows', () => {
    const dom = dumpDom(`file://${join(dir, 'evpn.html')}#all`);
    expect(dom).toMatch(/<input type="checkbox" id="only-diff"[^>]*>/);
    expect(dom).not.toContain('hidden=""');
    expect([...dom.matchAll(/<tr class="packet same"/g)]).toHaveLength(11);
  });
});
