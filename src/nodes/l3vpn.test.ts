// MPLS L3VPN dataplane primitives on real packets, programmed directly (not
// through BGP): the ingress PE's VPN routes push [transport, VPN] (or the VPN
// label alone towards a directly connected PE), P pops the transport label
// (penultimate hop popping: the egress PE's label is implicit null), and the
// egress PE's VRF labels (vrf-table-label) pop and look the packet up in the
// VRF. Two VRFs with the same customer addresses show that the label, not the
// address, picks the VRF.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eth, pattern, ping4, ping6, udp4Frame } from '../craft/craft.js';
import { runFrames, scenarioFromFiles, type TimedFrame } from '../craft/frames-run.js';
import { tsharkAvailable } from '../craft/peers.js';
import type { DeviceRt } from '../device/device.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { writeMpls } from '../packet/mpls.js';
import { PcapWriter } from '../pcap/writer.js';
import { parsePrefix, type Route } from '../l3/table.js';
import { show } from '../cli/show.js';
import { formatTrace } from '../graph/trace-format.js';

const haveTshark = tsharkAvailable('l3vpn.test: tshark decode');

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const padded = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
const timed = (frames: Uint8Array[], t0 = 10): TimedFrame[] => frames.map((frame, i) => ({ t: t0 + i / 1000, frame }));
const mac = (dev: string, ifd: string): string => formatMac(derivedMac(dev, ifd));

/** The CEs: each VRF's customer site uses the same addresses (10.1.0.2 behind PE1, 10.2.0.2 behind PE2). */
const CE = { red1: '02:00:00:00:c1:01', blue1: '02:00:00:00:b1:01', red2: '02:00:00:00:c2:02', blue2: '02:00:00:00:b2:02' };

/** A PE: core et-0/0/0 (MPLS), VRF red on et-0/0/1.0 and VRF blue on et-0/0/2.0, both 10.N.0.1/24 and 2001:db8:N::1/64. */
function pe(n: 1 | 2, core: string, lsp: string): string {
  const site = (ifd: string, ce: string): string => `${ifd} { unit 0 {
    family inet { address 10.${n}.0.1/24 { arp 10.${n}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${n}::1/64 { ndp 2001:db8:${n}::2 mac ${ce}; } } } }`;
  return `
system { host-name PE${n}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${core}; } family mpls; } }
  ${site('et-0/0/1', n === 1 ? CE.red1 : CE.red2)}
  ${site('et-0/0/2', n === 1 ? CE.blue1 : CE.blue2)}
  lo0 { unit 0 { family inet { address 192.168.255.${n}/32; } } }
}
routing-instances {
  red { instance-type vrf; interface et-0/0/1.0; }
  blue { instance-type vrf; interface et-0/0/2.0; }
}
protocols { mpls { interface et-0/0/0.0; ${lsp} } }`;
}

/** P: the transport LSP's penultimate hop pops its label and sends the VPN label on to PE2. */
const P = `
system { host-name P; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.2/30; } family mpls; } }
  et-0/0/1 { unit 0 { family inet { address 10.23.0.2/30; } family mpls; } }
}
protocols { mpls { interface all;
  static-label-switched-path PE1-PE2 { transit 1000144 { pop; next-hop 10.23.0.1; } } } }`;

const TRANSPORT = 1000144;
const PE1_LSP = `static-label-switched-path PE1-PE2 { ingress { next-hop 10.12.0.2; to 192.168.255.2; push ${TRANSPORT}; } }`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-l3vpn-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (name: string, files: Record<string, string>, yaml: string) => scenarioFromFiles(dir, name, files, yaml);

const THREE = `devices:
  PE1: { config: pe1.conf }
  P: { config: p.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, P:et-0/0/0]
  - [P:et-0/0/1, PE2:et-0/0/0]
`;

/** A VPN route as BGP would install it: [BGP/170], the VPN next hop's adjacency. */
function vpnRoute(dev: DeviceRt, table: string, prefix: string, nh: { adj: number; via: string }): void {
  const p = parsePrefix(prefix);
  const r: Route = { family: p.family, net4: p.net4, net6: p.net6, len: p.len, protocol: 'BGP', preference: 170, adj: nh.adj, via: [nh.via] };
  dev.tableByName.get(table)!.add(r);
}

const byName = (devs: DeviceRt[], name: string): DeviceRt => devs.find((d) => d.name === name)!;

/** The programming BGP will do: PE2 gives each VRF its table label; PE1 installs the far site's prefixes with those labels. */
function program(devs: DeviceRt[], via: (vpn: number) => Parameters<NonNullable<DeviceRt['mpls']>['vpnAdjacency']>[1]): { red: number; blue: number } {
  const pe1 = byName(devs, 'PE1');
  const pe2 = byName(devs, 'PE2');
  const red = pe2.mpls!.vrfTableLabel('red');
  const blue = pe2.mpls!.vrfTableLabel('blue');
  for (const [vrf, label] of [['red', red], ['blue', blue]] as const) {
    vpnRoute(pe1, `${vrf}.inet.0`, '10.2.0.0/24', pe1.mpls!.vpnAdjacency(label, via(label), 4));
    vpnRoute(pe1, `${vrf}.inet6.0`, '2001:db8:2::/64', pe1.mpls!.vpnAdjacency(label, via(label), 6));
  }
  return { red, blue };
}

/** Each site's packets (IPv4 and IPv6, sizes that pad differently), told apart by IP ID / payload. */
const flows = (e: { src: string; dst: string }, ttl: number, id: number): Uint8Array[] => [
  ping4(e, { src: '10.1.0.2', dst: '10.2.0.2', id, ttl }, 7, 1),
  udp4Frame(e, { src: '10.1.0.2', dst: '10.2.0.2', id: id + 1, ttl, df: true }, 40000, 9, pattern(1000)),
  ping6(e, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: ttl }, id, 2, pattern(3)),
];
const from = (ce: string, ifd: string) => ({ src: ce, dst: mac('PE1', ifd) });
const to = (ce: string, ifd: string) => ({ src: mac('PE2', ifd), dst: ce });
const RED_ID = 100;
const BLUE_ID = 200;

/** A frame carrying `ip` (no Ethernet header) under a label stack (outermost first; S set on the last). */
function labelled(e: { src: string; dst: string }, stack: { label: number; ttl: number; tc?: number }[], ip: Uint8Array): Uint8Array {
  const s = new Uint8Array(4 * stack.length);
  writeMpls(s, 0, stack.map((l) => ({ label: l.label, tc: l.tc ?? 0, ttl: l.ttl })));
  return eth(e, 0x8847, Uint8Array.from([...s, ...ip]));
}

const isMpls = (f: Uint8Array): boolean => f[12] === 0x88 && f[13] === 0x47;
const isArp = (f: Uint8Array): boolean => f[12] === 0x08 && f[13] === 0x06;

describe('L3VPN across PE1 — P — PE2: [transport, VPN] pushed, transport popped by P, VPN label popped into the VRF', () => {
  const files = { 'pe1.conf': pe(1, '10.12.0.1/30', PE1_LSP), 'p.conf': P, 'pe2.conf': pe(2, '10.23.0.1/30', '') };
  const red = flows(from(CE.red1, 'et-0/0/1'), 64, RED_ID);
  const blue = flows(from(CE.blue1, 'et-0/0/2'), 64, BLUE_ID);
  let labels = { red: 0, blue: 0 };
  const run = (trace = 0) => runFrames(scenario('three', files, THREE), {
    'PE1:et-0/0/1': timed(red),
    'PE1:et-0/0/2': timed(blue, 10.0005),
  }, { trace }, (devs) => { labels = program(devs, () => ({ lsp: 'PE1-PE2' })); });

  it('vrf-table-label allocates 16 and 17 (from 16 upward, one per VRF, in the order asked)', () => {
    run();
    expect(labels).toEqual({ red: 16, blue: 17 });
  });

  it('exact bytes on each link: labels, S bits, TTLs (uniform), EXP 0; each site gets its own VRF\'s packets only', () => {
    const r = run();
    const pe1Core = { src: mac('PE1', 'et-0/0/0'), dst: mac('P', 'et-0/0/0') };
    const pCore = { src: mac('P', 'et-0/0/1'), dst: mac('PE2', 'et-0/0/0') };
    // PE1 decremented the IP TTL once (63); both labels take it; VPN label at the bottom (S=1), transport on top.
    const forwarded = [...flows(pe1Core, 63, RED_ID).map((f) => [16, f] as const), ...flows(pe1Core, 63, BLUE_ID).map((f) => [17, f] as const)];
    const core1 = r.out['PE1:et-0/0/0'].map((f) => f.frame).filter(isMpls);
    expect(core1.map(hex).sort()).toEqual(forwarded.map(([vpn, f]) => hex(padded(labelled(pe1Core, [{ label: TRANSPORT, ttl: 63 }, { label: vpn, ttl: 63 }], f.subarray(14))))).sort());
    // The stacks by hand: 1000144 = 0xf42d0, TC 0, S 0, TTL 63 (0x3f); 16 = 0x00010 / 17 = 0x00011, TC 0, S 1, TTL 63.
    expect(core1.filter((f) => hex(f.subarray(14, 22)) === 'f42d003f0001013f')).toHaveLength(3);
    expect(core1.filter((f) => hex(f.subarray(14, 22)) === 'f42d003f0001113f')).toHaveLength(3);
    // P popped the transport label: the VPN label alone, its TTL the transport's less one (62).
    const core2 = r.out['P:et-0/0/1'].map((f) => f.frame).filter(isMpls);
    expect(core2.map(hex).sort()).toEqual(forwarded.map(([vpn, f]) => hex(padded(labelled(pCore, [{ label: vpn, ttl: 62 }], f.subarray(14))))).sort());
    // PE2 popped the VPN label into red / blue: IP TTL 62 from the label, 61 after PE2's lookup.
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(flows(to(CE.red2, 'et-0/0/1'), 61, RED_ID).map(padded).map(hex));
    expect(r.out['PE2:et-0/0/2'].map((f) => hex(f.frame))).toEqual(flows(to(CE.blue2, 'et-0/0/2'), 61, BLUE_ID).map(padded).map(hex));
    // Nothing else on the core but ARP (PE1 for P, P for PE2).
    expect(r.out['PE1:et-0/0/0'].every((f) => isMpls(f.frame) || isArp(f.frame))).toBe(true);
    expect(r.out['P:et-0/0/1'].every((f) => isMpls(f.frame) || isArp(f.frame))).toBe(true);
  });

  it('counters and accounting: 12 labels pushed, 6 popped by P, 6 by PE2; every device balances', () => {
    const r = run();
    const s = r.stats.devices;
    expect(r.stats.drops).toEqual({});
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 6, out: 6, dropped: 0 });
    for (const d of Object.values(s)) expect(d.accounting.in + d.accounting.generated).toBe(d.accounting.out + d.accounting.consumed + d.accounting.dropped);
    expect(s.PE1.nodes['mpls-output'].counters).toEqual({ labels_pushed: 12 });
    expect(s.P.nodes['mpls-lookup'].counters).toEqual({ labels_popped: 6 });
    expect(s.PE2.nodes['mpls-lookup'].counters).toEqual({ labels_popped: 6 });
    expect(s.PE2.interfaces['et-0/0/1.0']).toMatchObject({ outputPackets: 3 });
    expect(s.PE2.interfaces['et-0/0/2.0']).toMatchObject({ outputPackets: 3 });
    // The first labelled packet waits for P's ARP reply.
    expect(s.PE1.nodes['ip4-arp'].counters).toEqual({ arp_requests_sent: 1, packets_held: 1 });
  });

  it('show: the VPN route with Push 16, Push 1000144(top); mpls.0 with the VRF labels as [VPN/0] via lsi.N (VRF), Pop', () => {
    const r = run();
    const [pe1, , pe2] = r.devices;
    expect(show(pe1, 'route 10.2.0.2 table red.inet.0')).toBe([
      // Junos counts the whole table in the header, whatever the filter.
      'red.inet.0: 3 destinations, 3 routes (3 active, 0 holddown, 0 hidden)',
      '+ = Active Route, - = Last Active, * = Both',
      '',
      '10.2.0.0/24        *[BGP/170] 00:00:00',
      `                    >  to 10.12.0.2 via et-0/0/0.0, Push 16, Push ${TRANSPORT}(top)`,
    ].join('\n'));
    expect(show(pe1, 'route table blue.inet6.0 2001:db8:2::2')).toContain(`>  to 10.12.0.2 via et-0/0/0.0, Push 17, Push ${TRANSPORT}(top)`);
    expect(show(pe2, 'route table mpls.0')).toBe([
      'mpls.0: 2 destinations, 2 routes (2 active, 0 holddown, 0 hidden)',
      '+ = Active Route, - = Last Active, * = Both',
      '',
      '16                 *[VPN/0] 00:00:00',
      '                    >  via lsi.0 (red), Pop',
      '17                 *[VPN/0] 00:00:00',
      '                    >  via lsi.1 (blue), Pop',
    ].join('\n'));
    expect(() => show(pe1, 'route table green.inet.0')).toThrow(/no table green.inet.0/);
    // Static LSPs are listed as before; VRF labels are not transit LSPs.
    expect(show(pe2, 'mpls static-lsp')).toContain('Transit LSPs:\nLSPname                  Incoming-label   State   Label-operation\nTotal 0');
  });

  it('a traced packet: VRF lookup, push 16 and 1000144, P pops, PE2 pops 16 into red.inet.0', () => {
    const r = run(1);
    const t = formatTrace(r.run.trace.traces[0]!, true);
    expect(t).toContain('red.inet.0');
    expect(t).toContain('push 16 ttl 63');
    expect(t).toContain(`push ${TRANSPORT} ttl 63`);
    expect(t).toContain(`${TRANSPORT} pop (PE1-PE2) to 10.23.0.1 via et-0/0/1.0`);
    expect(t).toContain('16 pop (red): IPv4 to red.inet.0');
  });

  it.skipIf(!haveTshark)('tshark decodes both core links: Ethernet / MPLS / MPLS / IP, then Ethernet / MPLS / IP', () => {
    const r = run();
    const fields = (port: string): string[] => {
      const file = join(dir, `${port.replace(/[:/]/g, '_')}.pcap`);
      const w = new PcapWriter(file);
      for (const f of r.out[port].filter((x) => isMpls(x.frame))) w.write(f.frame, 0, f.frame.length, Math.floor(f.t), Math.round((f.t % 1) * 1e6));
      w.close();
      const text = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=;',
        '-e', 'mpls.label', '-e', 'mpls.exp', '-e', 'mpls.bottom', '-e', 'mpls.ttl', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'ip.id'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return text.trim().split('\n').map((l) => l.replaceAll(';', '/')).sort();
    };
    const v4 = (vpn: number, id: number): string => `${TRANSPORT},${vpn}/0,0/0,1/63,63/10.2.0.2//0x${id.toString(16).padStart(4, '0')}`;
    const v6 = (vpn: number): string => `${TRANSPORT},${vpn}/0,0/0,1/63,63//2001:db8:2::2/`;
    expect(fields('PE1:et-0/0/0')).toEqual([v4(16, RED_ID), v4(16, RED_ID + 1), v6(16), v4(17, BLUE_ID), v4(17, BLUE_ID + 1), v6(17)].sort());
    expect(fields('P:et-0/0/1')).toEqual([
      `16/0/1/62/10.2.0.2//0x${RED_ID.toString(16).padStart(4, '0')}`, `16/0/1/62/10.2.0.2//0x${(RED_ID + 1).toString(16).padStart(4, '0')}`, '16/0/1/62//2001:db8:2::2/',
      `17/0/1/62/10.2.0.2//0x${BLUE_ID.toString(16).padStart(4, '0')}`, `17/0/1/62/10.2.0.2//0x${(BLUE_ID + 1).toString(16).padStart(4, '0')}`, '17/0/1/62//2001:db8:2::2/',
    ].sort());
  });
});

describe('L3VPN between directly connected PEs: the VPN label alone (the transport label is implicit null)', () => {
  const TWO = `devices:
  PE1: { config: pe1.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, PE2:et-0/0/0]
`;
  const files = { 'pe1.conf': pe(1, '10.12.0.1/30', ''), 'pe2.conf': pe(2, '10.12.0.2/30', '') };
  const red = flows(from(CE.red1, 'et-0/0/1'), 64, RED_ID);

  it('Push 16 to 10.12.0.2 (resolved by ARP): one label, S=1, TTL 63; PE2 pops it into red', () => {
    const r = runFrames(scenario('two', files, TWO), { 'PE1:et-0/0/1': timed(red) }, {}, (devs) => {
      program(devs, () => ({ nextHop: '10.12.0.2', push: 3 }));
    });
    const core = r.out['PE1:et-0/0/0'].map((f) => f.frame).filter(isMpls);
    const e = { src: mac('PE1', 'et-0/0/0'), dst: mac('PE2', 'et-0/0/0') };
    expect(core.map(hex)).toEqual(flows(from(CE.red1, ''), 63, RED_ID).map((f) => hex(padded(labelled(e, [{ label: 16, ttl: 63 }], f.subarray(14))))));
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(flows(to(CE.red2, 'et-0/0/1'), 62, RED_ID).map(padded).map(hex));
    expect(r.out['PE2:et-0/0/2']).toBeUndefined();
    expect(show(r.devices[0], 'route 10.2.0.2 table red.inet.0')).toContain('>  to 10.12.0.2 via et-0/0/0.0, Push 16\n'.trimEnd());
    expect(show(r.devices[0], 'route 10.2.0.2 table red.inet.0')).not.toContain('(top)');
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.drops).toEqual({});
  });

  it('with a transport label given on the next hop: pushed on top (explicit transport, no LSP)', () => {
    const r = runFrames(scenario('two-t', files, TWO), { 'PE1:et-0/0/1': timed(red.slice(0, 1)) }, {}, (devs) => {
      vpnRoute(byName(devs, 'PE1'), 'red.inet.0', '10.2.0.0/24', byName(devs, 'PE1').mpls!.vpnAdjacency(16, { nextHop: '10.12.0.2', ifl: 'et-0/0/0.0', push: 300144 }));
    });
    const core = r.out['PE1:et-0/0/0'].map((f) => f.frame).filter(isMpls);
    expect(core.map((f) => hex(f.subarray(14, 22)))).toEqual(['4947003f0001013f']); // 300144 = 0x49470, S 0; 16, S 1; TTL 63
    // PE2 has no label 300144: dropped and counted.
    expect(r.stats.devices.PE2.drops).toEqual({ mpls_label_unknown: 1 });
    expect(show(r.devices[0], 'route table red.inet.0')).toContain('>  to 10.12.0.2 via et-0/0/0.0, Push 16, Push 300144(top)');
    expect(r.stats.balanced).toBe(true);
  });

  it('unknown labels, a VRF label that is not the bottom of the stack, and a payload that is not IP are dropped under their reasons', () => {
    const e = { src: '02:00:00:00:00:99', dst: mac('PE2', 'et-0/0/0') };
    const ip = red[0].subarray(14);
    const frames = [
      labelled(e, [{ label: 99, ttl: 64 }], ip), // no such label
      labelled(e, [{ label: 16, ttl: 64 }, { label: 17, ttl: 64 }], ip), // VRF label with a label under it
      labelled(e, [{ label: 17, ttl: 64 }], Uint8Array.from([0x00, ...pattern(40)])), // not IPv4/IPv6 under the VRF label
      labelled(e, [{ label: 17, ttl: 64 }], ip), // good: to blue's CE
    ];
    const r = runFrames(scenario('two-bad', files, TWO), { 'PE2:et-0/0/0': timed(frames) }, {}, (devs) => { program(devs, () => ({ nextHop: '10.12.0.2' })); });
    expect(r.stats.devices.PE2.drops).toEqual({ mpls_label_unknown: 1, mpls_bad_payload: 2 });
    expect(r.out['PE2:et-0/0/2'].map((f) => hex(f.frame))).toEqual([hex(padded(flows(to(CE.blue2, 'et-0/0/2'), 63, RED_ID)[0]))]);
    expect(r.stats.accounting).toMatchObject({ in: 4, out: 1, dropped: 3 });
    expect(r.stats.balanced).toBe(true);
  });

  it('API mistakes throw with a reason: reserved VPN label, unknown LSP, label taken, next hop off-link', () => {
    runFrames(scenario('two-api', files, TWO), {}, {}, (devs) => {
      const m = byName(devs, 'PE1').mpls!;
      expect(() => m.vpnAdjacency(3, { nextHop: '10.12.0.2' })).toThrow(/VPN label 3: not a label of 16 through 1048575/);
      expect(() => m.vpnAdjacency(16, { lsp: 'NOPE' })).toThrow(/no ingress LSP NOPE/);
      expect(() => m.vpnAdjacency(16, { nextHop: '10.9.9.9' })).toThrow(/not on a connected subnet/);
      expect(() => m.vpnAdjacency(16, { nextHop: '10.1.0.2', ifl: 'et-0/0/1.0' })).toThrow(/MPLS is not enabled on et-0\/0\/1.0/);
      expect(m.vpnAdjacency(16, { nextHop: '10.12.0.2' })).toBe(m.vpnAdjacency(16, { nextHop: '10.12.0.2' }));
      expect(m.vrfTableLabel('red')).toBe(16);
      expect(m.vrfTableLabel('red')).toBe(16);
      expect(() => m.addVrfLabel(16, 'blue')).toThrow(/label already in mpls.0/);
      expect(() => m.addVrfLabel(20, 'green')).toThrow(/no routing instance green/);
      expect(m.addVrfLabel(20, 'blue').via).toBe('via lsi.1 (blue)');
    });
  });
});
