// Scenarios of several devices joined by links: the bundled demo, and a
// three-router YAML scenario with a traced packet crossing two links.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/scenario.js';
import { arpFrame, naFrame, nsFrame, ping4, ping6 } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { formatTrace } from '../graph/trace-format.js';
import { formatMac } from '../packet/addr.js';
import { parseIpv4 } from '../packet/ipv4.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { Run, type RunResult } from './runner.js';
import { runStats } from './stats.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'triode-scenario-'));
  dirs.push(d);
  return d;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const pad60 = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
/** Every frame a port sent, from its output pcap. */
function frames(res: RunResult, port: string): { t: number; frame: Uint8Array }[] {
  const o = res.outputs.find((x) => x.port === port);
  if (!o) return [];
  const r = CaptureReader.open(o.file);
  const rec = newCaptureRecord();
  const out: { t: number; frame: Uint8Array }[] = [];
  while (r.next(rec)) out.push({ t: rec.tsSec - 1_700_000_000 + rec.tsNsec / 1e9, frame: rec.buf.slice(rec.offset, rec.offset + rec.caplen) });
  r.close();
  return out;
}
const deviceBalanced = (a: { in: number; generated: number; out: number; consumed: number; dropped: number }) =>
  a.in + a.generated === a.out + a.consumed + a.dropped;

describe('the bundled demo (examples/demo)', () => {
  const out = tempDir();
  const run = new Run(loadConfigFile('examples/demo/scenario.yaml'), { outDir: out });
  const res = run.execute([
    { port: 'R1:et-0/0/0', file: 'examples/demo/host-a.pcap' },
    { port: 'R2:et-0/0/1', file: 'examples/demo/host-b.pcap' },
  ]);
  const stats = runStats(res);
  const hostA = '02:00:00:00:0a:0a';
  const hostB = '02:00:00:00:0b:14';
  const r1core = formatMac(derivedMac('R1', 'et-0/0/1'));
  const r2core = formatMac(derivedMac('R2', 'et-0/0/0'));
  const r2lan = formatMac(derivedMac('R2', 'et-0/0/1'));

  it('host B\'s port gets host A\'s echo requests with TTL 62 (two routers), exact bytes', () => {
    const echoes = frames(res, 'R2:et-0/0/1').filter((f) => f.frame[12] === 0x08 && f.frame[13] === 0x00);
    const want = (seq: number) => ping4({ src: r2lan, dst: hostB }, { src: '10.1.0.10', dst: '10.2.0.20', ttl: 62 }, 7, seq);
    expect(echoes.map((f) => hex(f.frame))).toEqual([hex(want(1)), hex(want(2))]);
    expect(echoes.map((f) => f.t)).toEqual([0.5, 1]); // seq 1 waited for host B's ARP reply
    const ip = parseIpv4(echoes[0].frame, 14, echoes[0].frame.length - 14);
    expect(ip.ok && ip.value.ttl).toBe(62);
    const v6 = frames(res, 'R2:et-0/0/1').filter((f) => f.frame[12] === 0x86 && f.frame[20] === 58 && f.frame[54] === 128);
    expect(v6.map((f) => hex(f.frame)))
      .toEqual([hex(ping6({ src: r2lan, dst: hostB }, { src: '2001:db8:1::10', dst: '2001:db8:2::20', hlim: 62 }, 7, 1))]);
  });

  it('the core link carries the ARP and ND exchange between R1 and R2', () => {
    const r1 = frames(res, 'R1:et-0/0/1').map((f) => hex(f.frame));
    const r2 = frames(res, 'R2:et-0/0/0').map((f) => hex(f.frame));
    expect(r1[0]).toBe(hex(pad60(arpFrame({ src: r1core, dst: 'ff:ff:ff:ff:ff:ff' }, 1, r1core, '10.12.0.1', '00:00:00:00:00:00', '10.12.0.2'))));
    expect(r2[0]).toBe(hex(pad60(arpFrame({ src: r2core, dst: r1core }, 2, r2core, '10.12.0.2', r1core, '10.12.0.1'))));
    expect(r1).toContain(hex(nsFrame(r1core, '2001:db8:12::1', '2001:db8:12::2')));
    expect(r2).toContain(hex(naFrame({ src: r2core, dst: r1core }, '2001:db8:12::2', '2001:db8:12::1', '2001:db8:12::2', r2core, 0xe0)));
  });

  it('host A gets its answers: echo reply from lo0, time exceeded, unreachables, and host B\'s echo request', () => {
    const a = frames(res, 'R1:et-0/0/0').filter((f) => f.frame[12] === 0x08 && f.frame[13] === 0x00);
    expect(a.map((f) => [f.frame[34], f.frame[35]])).toEqual([[11, 0], [3, 0], [0, 0], [3, 13], [8, 0]]);
    expect(a.every((f) => formatMac(f.frame, 0) === hostA)).toBe(true);
  });

  it('balances per device and for the run, with the drops by reason', () => {
    expect(stats.accounting).toEqual({ in: 14, generated: 12, out: 12, consumed: 9, dropped: 5, linked: 8 });
    expect(stats.balanced).toBe(true);
    for (const d of Object.values(stats.devices)) expect(deviceBalanced(d.accounting)).toBe(true);
    expect(stats.devices.R1.accounting).toEqual({ in: 14, generated: 8, out: 12, consumed: 5, dropped: 5 });
    expect(stats.devices.R2.accounting).toEqual({ in: 8, generated: 4, out: 8, consumed: 4, dropped: 0 });
    expect(stats.drops).toEqual({ ipv4_bad_ihl: 1, ip4_no_route: 1, ip4_ttl_expired: 1, ip4_discard_route: 1, ip4_reject_route: 1 });
    expect(res.outputs.map((o) => o.port).sort()).toEqual(['R1:et-0/0/0', 'R1:et-0/0/1', 'R2:et-0/0/0', 'R2:et-0/0/1']);
  });
});

describe('a three-router YAML scenario (inline interfaces and routes)', () => {
  const YAML = `
devices:
  A:
    interfaces:
      eth0: { mac: "02:aa:00:00:00:00", inet: [10.0.1.1/24], arp: { 10.0.1.2: "02:00:00:00:01:02" } }
      eth1: { mac: "02:aa:00:00:00:01", inet: [10.0.12.1/30] }
    routes:
      - { prefix: 10.0.3.0/24, next-hop: 10.0.12.2 }
  B:
    interfaces:
      eth0: { mac: "02:bb:00:00:00:00", inet: [10.0.12.2/30] }
      eth1: { mac: "02:bb:00:00:00:01", inet: [10.0.23.1/30] }
    routes:
      - { prefix: 10.0.3.0/24, next-hop: 10.0.23.2 }
      - { prefix: 10.0.1.0/24, next-hop: 10.0.12.1 }
  C:
    interfaces:
      eth0: { mac: "02:cc:00:00:00:00", inet: [10.0.23.2/30] }
      eth1: { mac: "02:cc:00:00:00:01", inet: [10.0.3.1/24], arp: { 10.0.3.2: "02:00:00:00:03:02" } }
    routes:
      - { prefix: 0.0.0.0/0, next-hop: 10.0.23.1 }
links:
  - [A:eth1, B:eth0]
  - [B:eth1, C:eth0]
`;
  const dir = tempDir();
  writeFileSync(join(dir, 'lab.yaml'), YAML);
  const input = join(dir, 'in.pcap');
  const w = new PcapWriter(input);
  const ping = (seq: number) => ping4({ src: '02:00:00:00:01:02', dst: '02:aa:00:00:00:00' }, { src: '10.0.1.2', dst: '10.0.3.2' }, 1, seq);
  w.write(ping(1), 0, ping(1).length, 1_700_000_000, 0);
  w.write(ping(2), 0, ping(2).length, 1_700_000_001, 0);
  w.close();
  const run = new Run(loadConfigFile(join(dir, 'lab.yaml')), { outDir: join(dir, 'out'), trace: 1 });
  const res = run.execute([{ port: 'A:eth0', file: input }]);
  const stats = runStats(res);

  it('delivers both pings across two links with TTL 61, the first after ARP on each link', () => {
    const want = (seq: number) => ping4({ src: '02:cc:00:00:00:01', dst: '02:00:00:00:03:02' }, { src: '10.0.1.2', dst: '10.0.3.2', ttl: 61 }, 1, seq);
    expect(frames(res, 'C:eth1').map((f) => [f.t, hex(f.frame)])).toEqual([[0, hex(want(1))], [1, hex(want(2))]]);
    expect(stats.accounting).toEqual({ in: 2, generated: 4, out: 2, consumed: 4, dropped: 0, linked: 8 });
    expect(stats.balanced).toBe(true);
    for (const d of Object.values(stats.devices)) expect(deviceBalanced(d.accounting)).toBe(true);
  });

  it('traces the first packet through each device and node, and formats the path', () => {
    expect(res.trace.traces).toHaveLength(1);
    const t = res.trace.traces[0];
    expect(t.origin).toBe('A:eth0');
    expect([...new Set(t.steps.map((s) => s.device))]).toEqual(['A', 'B', 'C']);
    const text = formatTrace(t, true);
    for (const dev of ['A', 'B', 'C']) {
      for (const node of ['ethernet-input', 'ip4-input', 'ip4-lookup', 'ip4-rewrite', 'interface-output']) expect(text).toContain(`${dev}:${node}`);
    }
    expect(text).toContain('A:ip4-arp');
    expect(text).toContain('released from hold queue');
    const path = text.split('\n').find((l) => l.trim().startsWith('path:'))!;
    expect(path).toMatch(/\[A\].*\[B\].*\[C\].*eth1\.0$/);
    expect(t.fates[t.fates.length - 1]).toBe('out C:eth1.0');
  });
});
