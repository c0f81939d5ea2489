// BGP between a scenario's devices (exchange.ts, speaker.ts, table-rib.ts) on
// small scenarios of Junos routers, checked with exact values: which path a
// packet follows, what each side advertises under Junos's export rules, what
// import hides, route reflection, VPN routes and their label stack on the
// wire, and session/link events with traffic in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ping4, ping6 } from '../craft/craft.js';
import { runFrames, scenarioFromFiles, type FramesRunResult, type TimedFrame } from '../craft/frames-run.js';
import { show } from '../cli/show.js';
import type { Scenario } from '../config/model.js';
import type { DeviceRt } from '../device/device.js';
import { derivedMac } from '../device/mac.js';
import { formatMac, parseIpv4 } from '../packet/addr.js';
import { decodeFrame } from '../packet/decode.js';
import { Run } from '../run/runner.js';
import { compare } from './best-path.js';
import type { BgpPath } from './path.js';

const dir = mkdtempSync(join(tmpdir(), 'triode-bgpx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const lab = (files: Record<string, string>, yaml: string): Scenario => scenarioFromFiles(dir, `s${n++}`, files, yaml);
const dev = (devices: readonly DeviceRt[], name: string): DeviceRt => devices.find((d) => d.name === name)!;
/** What device `d` holds from peer `peer` (after import), by prefix: the attributes the tests compare. */
const got = (d: DeviceRt, peer: string): Record<string, Partial<BgpPath>> => {
  const s = d.bgp!.sessions.find((x) => x.cfg.peer === peer)!;
  const o: Record<string, Partial<BgpPath>> = {};
  for (const p of s.adjIn.values()) {
    o[p.rd ? `${p.rd}:${p.prefix}` : p.prefix] = { nextHop: p.nextHop, asPath: p.asPath, med: p.med, localPref: p.localPref, communities: p.communities, originatorId: p.originatorId, clusterList: p.clusterList, ...(p.label !== undefined ? { label: p.label } : {}) };
  }
  return o;
};
const seq = (...asns: number[]) => [{ type: 'sequence', asns }];

/** A Junos router: AS, router ID, interfaces (IFD, address[, static ARP neighbour]) and any other lines. */
function rtr(as: number, rid: string, ifs: [string, string, string?][], ...lines: string[]): string {
  const out = [`set routing-options autonomous-system ${as}`, `set routing-options router-id ${rid}`];
  let mac = 0x20;
  for (const [ifd, addr, arp] of ifs) {
    out.push(`set interfaces ${ifd} unit 0 family inet address ${addr}${arp ? ` arp ${arp} mac 02:00:00:00:00:${(mac++).toString(16)}` : ''}`);
  }
  return [...out, ...lines].join('\n') + '\n';
}

// R1 (AS 65001) has an eBGP session to R2 (AS 65002, a scenario device, linked on ge-0/0/0) and one to X
// (10.2.0.2, AS 65003, outside the scenario: its paths are given); hosts behind ge-0/0/2.
const R1_IFS: [string, string, string?][] = [['ge-0/0/0', '10.1.0.1/30', '10.1.0.2'], ['ge-0/0/1', '10.2.0.1/30', '10.2.0.2'], ['ge-0/0/2', '192.168.0.1/24', '192.168.0.10']];
const R1_EXT = ['set protocols bgp group ext type external', 'set protocols bgp group ext neighbor 10.1.0.2 peer-as 65002', 'set protocols bgp group ext neighbor 10.2.0.2 peer-as 65003'];
const R2 = rtr(65002, '2.2.2.2', [['ge-0/0/0', '10.1.0.2/30'], ['lo0', '10.255.0.2/32']],
  'set routing-options static route 10.50.0.0/24 discard',
  'set policy-options policy-statement out term s from protocol static',
  'set policy-options policy-statement out term s then accept',
  'set protocols bgp group ext type external', 'set protocols bgp group ext export out', 'set protocols bgp group ext neighbor 10.1.0.1 peer-as 65001');
const pairYaml = (r1Extra = '', timeline = '') => `devices:
  R1:
    config: r1.set
    bgp-paths:
      - { prefix: 10.50.0.0/24, peer: 10.2.0.2, as-path: "65003 65004" }${r1Extra}
  R2:
    config: r2.set
links:
  - [R1:ge-0/0/0, R2:ge-0/0/0]
${timeline}`;

const HOST_MAC = '02:00:00:00:00:22'; // R1's static ARP for 192.168.0.10 (third interface of rtr())
const echo = (t: number, dst = '10.50.0.5', seqNo = 1): TimedFrame => ({
  t, frame: ping4({ src: HOST_MAC, dst: formatMac(derivedMac('R1', 'ge-0/0/2')) }, { src: '192.168.0.10', dst, ttl: 64 }, 7, seqNo),
});
/** Echo requests out of each of R1's uplinks, by sequence number. */
const uplinks = (r: FramesRunResult): { r2: number[]; x: number[] } => {
  const seqs = (port: string) => (r.out[port] ?? []).map((f) => decodeFrame(f.frame, 0, f.frame.length)).filter((s) => s.includes('echo request')).map((s) => Number(/seq (\d+)/.exec(s)![1]));
  return { r2: seqs('R1:ge-0/0/0'), x: seqs('R1:ge-0/0/1') };
};
const balanced = (r: FramesRunResult): void => {
  const a = r.stats.accounting;
  expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
  expect(r.stats.balanced).toBe(true);
};

describe('best path into the FIB', () => {
  it("a packet follows the BGP best: R2's path (AS path 65002) beats X's (65003 65004) and the echo leaves towards R2", () => {
    const r = runFrames(lab({ 'r1.set': rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT), 'r2.set': R2 }, pairYaml()), { 'R1:ge-0/0/2': [echo(1000)] });
    const r1 = dev(r.devices, 'R1');
    expect(r1.bgp!.entries('inet.0', '10.50.0.0/24').map((e) => [e.path.peer, e.active, e.reason, e.via])).toEqual([
      ['10.1.0.2', true, '', 'to 10.1.0.2 via ge-0/0/0.0'],
      ['10.2.0.2', false, 'AS path', 'to 10.2.0.2 via ge-0/0/1.0'],
    ]);
    expect(uplinks(r)).toEqual({ r2: [1], x: [] });
    const f = r.out['R1:ge-0/0/0']!.map((x) => decodeFrame(x.frame, 0, x.frame.length));
    expect(f).toEqual([`${formatMac(derivedMac('R1', 'ge-0/0/0'))} > 02:00:00:00:00:20, IPv4 192.168.0.10 > 10.50.0.5 ttl 63 ICMP echo request id 7 seq 1`]);
    balanced(r);
  });

  it('a static route for the same prefix wins over BGP (Route Preference 5 < 170): the packet follows the static', () => {
    const r1 = rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT, 'set routing-options static route 10.50.0.0/24 next-hop 10.2.0.2');
    const r = runFrames(lab({ 'r1.set': r1, 'r2.set': R2 }, pairYaml()), { 'R1:ge-0/0/2': [echo(1000)] });
    expect(uplinks(r)).toEqual({ r2: [], x: [1] });
    expect(show(dev(r.devices, 'R1'), 'route 10.50.0.0/24').split('\n').slice(3)).toEqual([
      '10.50.0.0/24       *[Static/5] 00:00:00',
      '                    >  to 10.2.0.2 via ge-0/0/1.0',
      '                    [BGP/170] 00:00:00, localpref 100',
      '                      AS path: 65002 I, validation-state: unverified',
      '                    > to 10.1.0.2 via ge-0/0/0.0',
      '                    [BGP/170] 00:00:00, localpref 100',
      '                      AS path: 65003 65004 I, validation-state: unverified',
      '                    > to 10.2.0.2 via ge-0/0/1.0',
    ]);
    balanced(r);
  });

  it("a path whose next hop does not resolve is not installed ('Unusable path'): the packet has no route", () => {
    const r1 = rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT);
    const s = lab({ 'r1.set': r1, 'r2.set': R2 }, pairYaml(`
      - { prefix: 10.60.0.0/24, peer: 10.2.0.2, next-hop: 10.99.0.1, as-path: "65003" }`));
    const r = runFrames(s, { 'R1:ge-0/0/2': [echo(1000, '10.60.0.1')] });
    const d = dev(r.devices, 'R1');
    expect(d.bgp!.entries('inet.0', '10.60.0.0/24').map((e) => [e.path.peer, e.active, e.reason, e.via])).toEqual([['10.2.0.2', false, 'Unusable path', 'Next hop unresolved']]);
    expect(d.table('master', 4).lpm4!.lookup(parseIpv4('10.60.0.1'))).toBe(-1);
    expect(r.stats.drops).toEqual({ ip4_no_route: 1 });
    expect(uplinks(r)).toEqual({ r2: [], x: [] });
    expect(r.stats.accounting.dropped).toBe(1);
    balanced(r);
  });
});

// ---- export and import: R1 (AS 65001) with eBGP to R2 (65002) and X (65003, given paths), iBGP to R3 and R4 ----

const X_PATH = `
      - { prefix: 10.70.0.0/24, peer: 10.2.0.2, as-path: "65003", med: 5, communities: ["65003:1"] }`;
const R1_IBGP = ['set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp neighbor 10.3.0.2', 'set protocols bgp group ibgp neighbor 10.4.0.2'];
const R1_ALL: [string, string, string?][] = [...R1_IFS, ['ge-0/0/3', '10.3.0.1/30'], ['ge-0/0/4', '10.4.0.1/30']];
const ibgpPeer = (rid: string, addr: string, ...lines: string[]) =>
  rtr(65001, rid, [['ge-0/0/0', addr]], 'set protocols bgp group ibgp type internal', `set protocols bgp group ibgp neighbor ${addr.replace(/\.2\/30$/, '.1')}`, ...lines);
const R3 = ibgpPeer('3.3.3.3', '10.3.0.2/30', 'set routing-options static route 10.80.0.0/24 discard',
  'set policy-options policy-statement st term s from protocol static', 'set policy-options policy-statement st term s then accept', 'set protocols bgp group ibgp export st');
const R4 = ibgpPeer('4.4.4.4', '10.4.0.2/30');

/** The export lab: R1's configuration lines added to its base; R2, R3, R4 as above. */
function exportLab(...r1Lines: string[]): Run {
  const r1 = rtr(65001, '1.1.1.1', R1_ALL, ...R1_EXT, ...R1_IBGP,
    'set policy-options policy-statement lp200 then local-preference 200', 'set policy-options policy-statement lp200 then accept',
    'set protocols bgp group ext neighbor 10.2.0.2 import lp200', ...r1Lines);
  return new Run(lab({ 'r1.set': r1, 'r2.set': R2, 'r3.set': R3, 'r4.set': R4 }, `devices:
  R1:
    config: r1.set
    bgp-paths:${X_PATH}
  R2:
    config: r2.set
  R3:
    config: r3.set
  R4:
    config: r4.set
`));
}
/** What R1 sends on the session with `peer`, by prefix. */
const sent = (r: Run, peer: string): Record<string, Partial<BgpPath>> => {
  const d = dev(r.devices, 'R1');
  const o: Record<string, Partial<BgpPath>> = {};
  for (const p of d.bgp!.advertise(d.bgp!.session('master', peer)!)) o[p.prefix] = { nextHop: p.nextHop, asPath: p.asPath, med: p.med, localPref: p.localPref, communities: p.communities };
  return o;
};

describe('export (Junos rules)', () => {
  it('eBGP: the local AS prepended, next hop this side, local preference dropped, the received MED not passed on (RFC 4271 5.1.4)', () => {
    const r = exportLab();
    // Import policy lp200 gave X's path local preference 200 on R1; R2 gets none of it (R2 defaults it to 100).
    expect(sent(r, '10.1.0.2')['10.70.0.0/24']).toEqual({ nextHop: '10.1.0.1', asPath: seq(65001, 65003), med: undefined, localPref: undefined, communities: ['65003:1'] });
    expect(got(dev(r.devices, 'R2'), '10.1.0.1')['10.70.0.0/24']).toMatchObject({ nextHop: '10.1.0.1', asPath: seq(65001, 65003), med: undefined, localPref: 100 });
  });

  it('eBGP MED: from metric-out, else from a policy metric (which wins over metric-out)', () => {
    expect(sent(exportLab('set protocols bgp group ext neighbor 10.1.0.2 metric-out 20'), '10.1.0.2')['10.70.0.0/24']!.med).toBe(20);
    const pol = ['set policy-options policy-statement m then metric 30', 'set policy-options policy-statement m then accept'];
    expect(sent(exportLab(...pol, 'set protocols bgp group ext neighbor 10.1.0.2 export m'), '10.1.0.2')['10.70.0.0/24']!.med).toBe(30);
    expect(sent(exportLab(...pol, 'set protocols bgp group ext neighbor 10.1.0.2 export m', 'set protocols bgp group ext neighbor 10.1.0.2 metric-out 20'), '10.1.0.2')['10.70.0.0/24']!.med).toBe(30);
    expect(got(dev(exportLab('set protocols bgp group ext neighbor 10.1.0.2 metric-out 20').devices, 'R2'), '10.1.0.1')['10.70.0.0/24']!.med).toBe(20);
  });

  it('iBGP: next hop, MED and local preference kept; `then next-hop self` sets this side\'s address', () => {
    const r = exportLab();
    expect(sent(r, '10.3.0.2')['10.70.0.0/24']).toEqual({ nextHop: '10.2.0.2', asPath: seq(65003), med: 5, localPref: 200, communities: ['65003:1'] });
    expect(got(dev(r.devices, 'R3'), '10.3.0.1')['10.70.0.0/24']).toMatchObject({ nextHop: '10.2.0.2', asPath: seq(65003), med: 5, localPref: 200 });
    const nhs = exportLab('set policy-options policy-statement nhs then next-hop self', 'set protocols bgp group ibgp export nhs');
    expect(sent(nhs, '10.3.0.2')['10.70.0.0/24']).toEqual({ nextHop: '10.3.0.1', asPath: seq(65003), med: 5, localPref: 200, communities: ['65003:1'] });
    expect(got(dev(nhs.devices, 'R4'), '10.4.0.1')['10.70.0.0/24']!.nextHop).toBe('10.4.0.1');
  });

  it("iBGP-learned paths are not re-advertised to iBGP peers (no cluster); they go to eBGP peers", () => {
    const r = exportLab();
    expect(got(dev(r.devices, 'R1'), '10.3.0.2')['10.80.0.0/24']).toMatchObject({ nextHop: '10.3.0.2', asPath: [], localPref: 100 });
    expect(Object.keys(sent(r, '10.4.0.2')).sort()).toEqual(['10.50.0.0/24', '10.70.0.0/24']);
    expect(got(dev(r.devices, 'R4'), '10.4.0.1')['10.80.0.0/24']).toBeUndefined();
    expect(sent(r, '10.1.0.2')['10.80.0.0/24']).toMatchObject({ nextHop: '10.1.0.1', asPath: seq(65001) });
  });

  it("as-override: the peer's AS in the path becomes the local AS (else the peer would drop it as a loop)", () => {
    const path = `
      - { prefix: 10.71.0.0/24, peer: 10.2.0.2, as-path: "65003 65002" }`;
    const r1 = (...l: string[]) => rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT, ...l);
    const plain = new Run(lab({ 'r1.set': r1(), 'r2.set': R2 }, pairYaml(path)));
    expect(sent(plain, '10.1.0.2')['10.71.0.0/24']!.asPath).toEqual(seq(65001, 65003, 65002));
    const r2 = dev(plain.devices, 'R2');
    expect(got(r2, '10.1.0.1')['10.71.0.0/24']).toBeUndefined();
    expect(r2.bgp!.session('master', '10.1.0.1')!.looped).toBe(1);
    const over = new Run(lab({ 'r1.set': r1('set protocols bgp group ext neighbor 10.1.0.2 as-override'), 'r2.set': R2 }, pairYaml(path)));
    expect(sent(over, '10.1.0.2')['10.71.0.0/24']!.asPath).toEqual(seq(65001, 65003, 65001));
    expect(got(dev(over.devices, 'R2'), '10.1.0.1')['10.71.0.0/24']!.asPath).toEqual(seq(65001, 65003, 65001));
  });

  it('`community add` adds to what the path carries; a policy `reject` term keeps the route in', () => {
    const r = exportLab('set policy-options community c1 members 65001:100',
      'set policy-options policy-statement e term no from route-filter 10.50.0.0/24 exact', 'set policy-options policy-statement e term no then reject',
      'set policy-options policy-statement e term tag from protocol bgp', 'set policy-options policy-statement e term tag then community add c1', 'set policy-options policy-statement e term tag then accept',
      'set protocols bgp group ibgp export e');
    expect(sent(r, '10.3.0.2')).toEqual({ '10.70.0.0/24': { nextHop: '10.2.0.2', asPath: seq(65003), med: 5, localPref: 200, communities: ['65003:1', '65001:100'] } });
  });

  it('default export: BGP routes only; direct and static routes go out where a policy accepts them, Local (an address\'s /32) never', () => {
    const st = 'set routing-options static route 10.90.0.0/24 discard';
    expect(Object.keys(sent(exportLab(st), '10.1.0.2')).sort()).toEqual(['10.70.0.0/24', '10.80.0.0/24']);
    const r = exportLab(st, 'set policy-options policy-statement loc term d from protocol [ direct static ]', 'set policy-options policy-statement loc term d then accept',
      'set policy-options policy-statement loc term b from protocol bgp', 'set policy-options policy-statement loc term b then accept', 'set protocols bgp group ext export loc');
    const out = sent(r, '10.1.0.2');
    expect(Object.keys(out).sort()).toEqual(['10.1.0.0/30', '10.2.0.0/30', '10.3.0.0/30', '10.4.0.0/30', '10.70.0.0/24', '10.80.0.0/24', '10.90.0.0/24', '192.168.0.0/24']);
    expect(out['10.90.0.0/24']).toEqual({ nextHop: '10.1.0.1', asPath: seq(65001), med: undefined, localPref: undefined, communities: [] });
  });

  it("not back to an external peer in the AS the path came from (advertise-peer-as off), nor to the peer it came from", () => {
    const r = exportLab();
    // 10.70/24 came from X (AS 65003); 10.50.0.0/24 is R2's and R3's 10.80/24 is internal: X gets those.
    expect(Object.keys(sent(r, '10.2.0.2')).sort()).toEqual(['10.50.0.0/24', '10.80.0.0/24']);
    const r2 = new Run(lab({ 'r1.set': rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT), 'r2.set': R2 }, pairYaml(X_PATH)));
    expect(Object.keys(sent(r2, '10.2.0.2')).sort()).toEqual(['10.50.0.0/24']);
    expect(Object.keys(sent(r2, '10.1.0.2')).sort()).toEqual(['10.70.0.0/24']);
  });
});

describe('import', () => {
  it("a path carrying the local AS is not used: counted in `looped`, and not kept as hidden (Junos `keep` default)", () => {
    const r = new Run(lab({ 'r1.set': rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT), 'r2.set': R2 }, pairYaml(`
      - { prefix: 10.71.0.0/24, peer: 10.2.0.2, as-path: "65003 65002" }`)));
    const r2 = dev(r.devices, 'R2');
    const s = r2.bgp!.session('master', '10.1.0.1')!;
    expect([s.received, s.accepted, s.rejected, s.looped]).toEqual([1, 0, 0, 1]);
    expect(r2.bgp!.tables.get('inet.0')?.rib.entries('10.71.0.0/24') ?? []).toEqual([]);
    expect([s.asPathLooped]).toEqual([1]);
    // Junos `keep` (protocols bgp), default: "Keep all route information that was learned from BGP, except for routes whose
    // AS path is looped and whose loop includes the local AS": not among the hidden (the seed's Ceres: 0 hidden).
    expect(show(r2, 'route').split('\n')[0]).toBe('inet.0: 4 destinations, 4 routes (4 active, 0 holddown, 0 hidden)');
    // A path rejected by import policy is kept, hidden.
    const rej = new Run(lab({ 'r1.set': rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT, 'set policy-options policy-statement no then reject',
      'set protocols bgp group ext neighbor 10.2.0.2 import no'), 'r2.set': R2 }, pairYaml()));
    const x = dev(rej.devices, 'R1').bgp!.session('master', '10.2.0.2')!;
    expect([x.received, x.accepted, x.rejected, x.looped]).toEqual([1, 0, 1, 0]);
    expect(show(dev(rej.devices, 'R1'), 'route').split('\n')[0]).toBe('inet.0: 7 destinations, 7 routes (7 active, 0 holddown, 1 hidden)');
  });

  it('import policy local-preference: X\'s path at 200 beats R2\'s shorter AS path', () => {
    const r1 = rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT, 'set policy-options policy-statement lp200 then local-preference 200',
      'set policy-options policy-statement lp200 then accept', 'set protocols bgp group ext neighbor 10.2.0.2 import lp200');
    const r = runFrames(lab({ 'r1.set': r1, 'r2.set': R2 }, pairYaml()), { 'R1:ge-0/0/2': [echo(1000)] });
    expect(dev(r.devices, 'R1').bgp!.entries('inet.0', '10.50.0.0/24').map((e) => [e.path.peer, e.path.localPref, e.active, e.reason])).toEqual([
      ['10.2.0.2', 200, true, ''],
      ['10.1.0.2', 100, false, 'Local Preference'],
    ]);
    expect(uplinks(r)).toEqual({ r2: [], x: [1] });
    balanced(r);
  });
});

describe('route reflection (RFC 4456)', () => {
  const st = (p: string) => ['set routing-options static route ' + p + ' discard', 'set policy-options policy-statement st term s from protocol static',
    'set policy-options policy-statement st term s then accept', 'set protocols bgp group ibgp export st'];

  it('a client\'s path goes to the other client and to non-clients with originator ID (the client\'s router ID) and cluster list [cluster]; a non-client\'s path to clients only', () => {
    const rr = rtr(65001, '1.1.1.1', [['ge-0/0/3', '10.3.0.1/30'], ['ge-0/0/4', '10.4.0.1/30'], ['ge-0/0/5', '10.5.0.1/30'], ['ge-0/0/6', '10.6.0.1/30']],
      'set protocols bgp group clients type internal', 'set protocols bgp group clients cluster 1.1.1.1',
      'set protocols bgp group clients neighbor 10.3.0.2', 'set protocols bgp group clients neighbor 10.4.0.2',
      'set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp neighbor 10.5.0.2', 'set protocols bgp group ibgp neighbor 10.6.0.2');
    const files = {
      'rr.set': rr, 'r3.set': R3, 'r4.set': R4,
      'r5.set': ibgpPeer('5.5.5.5', '10.5.0.2/30', ...st('10.85.0.0/24')), 'r6.set': ibgpPeer('6.6.6.6', '10.6.0.2/30'),
    };
    const r = new Run(lab(files, `devices:\n${['RR', 'R3', 'R4', 'R5', 'R6'].map((d) => `  ${d}:\n    config: ${d.toLowerCase()}.set\n`).join('')}`));
    const reflected = { nextHop: '10.3.0.2', asPath: [], med: undefined, localPref: 100, communities: [], originatorId: '3.3.3.3', clusterList: ['1.1.1.1'] };
    expect(got(dev(r.devices, 'R4'), '10.4.0.1')).toEqual({ '10.80.0.0/24': reflected, '10.85.0.0/24': { ...reflected, nextHop: '10.5.0.2', originatorId: '5.5.5.5' } });
    expect(got(dev(r.devices, 'R5'), '10.5.0.1')).toEqual({ '10.80.0.0/24': reflected });
    expect(got(dev(r.devices, 'R6'), '10.6.0.1')).toEqual({ '10.80.0.0/24': reflected });
    expect(got(dev(r.devices, 'R3'), '10.3.0.1')).toEqual({ '10.85.0.0/24': { ...reflected, nextHop: '10.5.0.2', originatorId: '5.5.5.5' } });
  });

  it('the originator drops its own path reflected back to it (originator ID = its router ID): hidden, counted as looped', () => {
    // R3 is a client of RR1 (cluster 1.1.1.1) and of RR7 (cluster 7.7.7.7) but sends RR7 nothing; RR1 and RR7 are non-clients of each other.
    const r3 = rtr(65001, '3.3.3.3', [['ge-0/0/0', '10.3.0.2/30'], ['ge-0/0/1', '10.37.0.2/30']], ...st('10.80.0.0/24'),
      'set protocols bgp group ibgp neighbor 10.3.0.1', 'set protocols bgp group ibgp type internal',
      'set policy-options policy-statement none then reject',
      'set protocols bgp group rr7 type internal', 'set protocols bgp group rr7 export none', 'set protocols bgp group rr7 neighbor 10.37.0.1');
    const rr1 = rtr(65001, '1.1.1.1', [['ge-0/0/3', '10.3.0.1/30'], ['ge-0/0/7', '10.17.0.1/30']],
      'set protocols bgp group clients type internal', 'set protocols bgp group clients cluster 1.1.1.1', 'set protocols bgp group clients neighbor 10.3.0.2',
      'set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp neighbor 10.17.0.2');
    const rr7 = rtr(65001, '7.7.7.7', [['ge-0/0/0', '10.37.0.1/30'], ['ge-0/0/1', '10.17.0.2/30']],
      'set protocols bgp group clients type internal', 'set protocols bgp group clients cluster 7.7.7.7', 'set protocols bgp group clients neighbor 10.37.0.2',
      'set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp neighbor 10.17.0.1',
      'set routing-options static route 10.3.0.0/30 next-hop 10.17.0.1'); // R3's next hop must resolve for RR7 to use (and reflect) the path
    const r = new Run(lab({ 'r3.set': r3, 'rr1.set': rr1, 'rr7.set': rr7 }, 'devices:\n  R3:\n    config: r3.set\n  RR1:\n    config: rr1.set\n  RR7:\n    config: rr7.set\n'));
    expect(got(dev(r.devices, 'RR7'), '10.17.0.1')['10.80.0.0/24']).toMatchObject({ originatorId: '3.3.3.3', clusterList: ['1.1.1.1'] });
    const back = dev(r.devices, 'RR7').bgp!.advertise(dev(r.devices, 'RR7').bgp!.session('master', '10.37.0.2')!);
    expect(back.map((p) => [p.prefix, p.originatorId, p.clusterList])).toEqual([['10.80.0.0/24', '3.3.3.3', ['7.7.7.7', '1.1.1.1']]]);
    const s = dev(r.devices, 'R3').bgp!.session('master', '10.37.0.1')!;
    expect([s.received, s.accepted, s.looped]).toEqual([1, 0, 1]);
    expect(show(dev(r.devices, 'R3'), 'route 10.80.0.0/24').split('\n').slice(0, 1)).toEqual(['inet.0: 5 destinations, 5 routes (5 active, 0 holddown, 1 hidden)']);
  });
});

// ---- VPN: PE1 exports VRF red's static route as a VPN route; PE2 imports it into red by target, not into blue ----

const PE1 = rtr(65000, '10.0.0.1', [['lo0', '10.0.0.1/32'], ['ge-0/0/0', '10.12.0.1/30'], ['ge-0/0/1', '10.9.9.1/30', '10.9.9.2']],
  'set routing-options static route 10.0.0.2/32 next-hop 10.12.0.2', 'set interfaces ge-0/0/0 unit 0 family mpls', 'set protocols mpls interface ge-0/0/0.0',
  'set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp local-address 10.0.0.1', 'set protocols bgp group ibgp family inet-vpn unicast',
  'set protocols bgp group ibgp neighbor 10.0.0.2',
  'set routing-instances red instance-type vrf', 'set routing-instances red interface ge-0/0/1.0', 'set routing-instances red route-distinguisher 65000:1',
  'set routing-instances red vrf-target target:65000:1', 'set routing-instances red vrf-table-label',
  'set routing-instances red routing-options static route 10.9.0.0/24 next-hop 10.9.9.2');
const PE2 = rtr(65000, '10.0.0.2', [['lo0', '10.0.0.2/32'], ['ge-0/0/0', '10.12.0.2/30', '10.12.0.1'], ['ge-0/0/1', '192.168.0.1/24', '192.168.0.10'], ['ge-0/0/2', '172.16.0.1/24']],
  'set routing-options static route 10.0.0.1/32 next-hop 10.12.0.1', 'set interfaces ge-0/0/0 unit 0 family mpls', 'set protocols mpls interface ge-0/0/0.0',
  'set protocols bgp group ibgp type internal', 'set protocols bgp group ibgp local-address 10.0.0.2', 'set protocols bgp group ibgp family inet-vpn unicast',
  'set protocols bgp group ibgp neighbor 10.0.0.1',
  'set protocols mpls static-label-switched-path to-pe1 ingress next-hop 10.12.0.1', 'set protocols mpls static-label-switched-path to-pe1 ingress to 10.0.0.1',
  'set protocols mpls static-label-switched-path to-pe1 ingress push 1000001',
  'set routing-instances red instance-type vrf', 'set routing-instances red interface ge-0/0/1.0', 'set routing-instances red route-distinguisher 65000:2',
  'set routing-instances red vrf-target target:65000:1', 'set routing-instances red vrf-table-label',
  'set routing-instances blue instance-type vrf', 'set routing-instances blue interface ge-0/0/2.0', 'set routing-instances blue route-distinguisher 65000:9',
  'set routing-instances blue vrf-target target:65000:9', 'set routing-instances blue vrf-table-label');

describe('VPN routes', () => {
  it('PE1 exports its VRF route with RD, vrf-target and the vrf-table-label; PE2 imports it into red by target (not blue) and pushes [LSP label, VPN label] on the wire', () => {
    const s = lab({ 'pe1.set': PE1, 'pe2.set': PE2 }, 'devices:\n  PE1:\n    config: pe1.set\n  PE2:\n    config: pe2.set\n');
    const frame = ping4({ src: '02:00:00:00:00:22', dst: formatMac(derivedMac('PE2', 'ge-0/0/1')) }, { src: '192.168.0.10', dst: '10.9.0.5', ttl: 64 }, 7, 1);
    const r = runFrames(s, { 'PE2:ge-0/0/1': [{ t: 1000, frame }] });
    const pe1 = dev(r.devices, 'PE1');
    const pe2 = dev(r.devices, 'PE2');
    const label = pe1.mpls!.vrfTableLabel('red');
    expect(label).toBeGreaterThanOrEqual(16);
    const vpn = got(pe2, '10.0.0.1');
    expect(Object.keys(vpn)).toEqual(['65000:1:10.9.0.0/24', '65000:1:10.9.9.0/30']);
    expect(vpn['65000:1:10.9.0.0/24']).toEqual({ nextHop: '10.0.0.1', asPath: [], med: undefined, localPref: 100, communities: ['target:65000:1'], originatorId: undefined, clusterList: [], label });
    expect(pe2.bgp!.entries('red.inet.0', '10.9.0.0/24').map((e) => [e.path.rd, e.active, e.via])).toEqual([['65000:1', true, `to 10.12.0.1 via ge-0/0/0.0, Push ${label}, Push 1000001(top)`]]);
    expect(pe2.bgp!.tables.get('blue.inet.0')?.rib.entries('10.9.0.0/24') ?? []).toEqual([]);
    expect(pe2.table('blue', 4).lpm4!.lookup(parseIpv4('10.9.0.5'))).toBe(-1);
    expect(pe2.table('red', 4).lpm4!.lookup(parseIpv4('10.9.0.5'))).toBeGreaterThan(0);
    // PE2 red's routes go to PE1 the same way (PE1 has no LSP back: its copy is unusable, which is not what this case checks).
    const f = r.out['PE2:ge-0/0/0']!;
    expect(f).toHaveLength(1);
    const b = f[0]!.frame;
    expect([...b.subarray(0, 12)]).toEqual([2, 0, 0, 0, 0, 0x20, ...derivedMac('PE2', 'ge-0/0/0')]); // PE2's static ARP for 10.12.0.1, PE2's MAC
    const l1 = (1000001 << 12) >>> 0;
    const l2 = (label << 12) | 0x100;
    const want = [0x88, 0x47, l1 >>> 24, (l1 >>> 16) & 0xff, (l1 >>> 8) & 0xff, 63, (l2 >>> 24) & 0xff, (l2 >>> 16) & 0xff, (l2 >>> 8) & 0xff, 63, 0x45];
    expect([...b.subarray(12, 23)]).toEqual(want);
    expect(b.length).toBe(frame.length + 8);
    // The IP packet under the labels: TTL 63 (PE2 routed it), the rest as sent.
    const ip = b.subarray(22);
    expect(ip[8]).toBe(63);
    expect([...ip.subarray(12)]).toEqual([...frame.subarray(26)]);
    expect(decodeFrame(b, 0, b.length)).toBe(`${formatMac(derivedMac('PE2', 'ge-0/0/0'))} > 02:00:00:00:00:20, MPLS label 1000001 exp 0 ttl 63, label ${label} exp 0 ttl 63 [S], IPv4 192.168.0.10 > 10.9.0.5 ttl 63 ICMP echo request id 7 seq 1`);
    balanced(r);
  });
});

describe('session and link events with traffic', () => {
  it('bgp-session-down at 1 s moves the echo at 2 s to X; bgp-session-up at 3 s moves the one at 4 s back to R2', () => {
    const s = lab({ 'r1.set': rtr(65001, '1.1.1.1', R1_IFS, ...R1_EXT), 'r2.set': R2 }, pairYaml('', `timeline:
  - { at: 1, bgp-session-down: "R1:10.1.0.2" }
  - { at: 3, bgp-session-up: "R1:10.1.0.2" }
`));
    const r = runFrames(s, { 'R1:ge-0/0/2': [echo(1000, '10.50.0.5', 1), echo(1002, '10.50.0.5', 2), echo(1004, '10.50.0.5', 3)] });
    expect(uplinks(r)).toEqual({ r2: [1, 3], x: [2] });
    // Both sides saw the session come back: R2 holds R1's advertisement again.
    expect(dev(r.devices, 'R2').bgp!.session('master', '10.1.0.1')!.up).toBe(true);
    balanced(r);
  });

  it("link down: the side whose port went down closes at once; the far side (across a switch) holds on for its hold time (3 s), then moves to X", () => {
    // The lab switch of the seed's example: VLAN 10 between tagged router ports.
    const sw = ['ge-0/0/0', 'ge-0/0/1'].flatMap((p) => [`set interfaces ${p} vlan-tagging`, `set interfaces ${p} encapsulation extended-vlan-bridge`, `set interfaces ${p} unit 10 vlan-id 10`,
      `set routing-instances LAB bridge-domains BD interface ${p}.10`]).join('\n') + '\nset routing-instances LAB instance-type virtual-switch\nset routing-instances LAB bridge-domains BD vlan-id 10\n';
    const tagged = (conf: string) => conf.replaceAll('ge-0/0/0 unit 0', 'ge-0/0/0 unit 10') + 'set interfaces ge-0/0/0 vlan-tagging\nset interfaces ge-0/0/0 unit 10 vlan-id 10\n';
    const r1 = tagged(rtr(65001, '1.1.1.1', [['ge-0/0/0', '10.1.0.1/30'], ...R1_IFS.slice(1)], ...R1_EXT, 'set protocols bgp group ext hold-time 3',
      `set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/30 arp 10.1.0.2 mac ${formatMac(derivedMac('R2', 'ge-0/0/0'))}`));
    const s = lab({ 'r1.set': r1, 'r2.set': tagged(R2), 'sw.set': sw }, `devices:
  R1:
    config: r1.set
    bgp-paths:
      - { prefix: 10.50.0.0/24, peer: 10.2.0.2, as-path: "65003 65004" }
  R2:
    config: r2.set
  SW:
    config: sw.set
links:
  - [R1:ge-0/0/0, SW:ge-0/0/0]
  - [SW:ge-0/0/1, R2:ge-0/0/0]
timeline:
  - { at: 1, link-down: "R2:ge-0/0/0" }
`);
    const r = runFrames(s, { 'R1:ge-0/0/2': [echo(1000, '10.50.0.5', 1), echo(1002, '10.50.0.5', 2), echo(1003.5, '10.50.0.5', 3), echo(1004.5, '10.50.0.5', 4)] });
    const r1d = dev(r.devices, 'R1');
    const r2d = dev(r.devices, 'R2');
    expect(r2d.bgp!.session('master', '10.1.0.1')!.up).toBe(false);
    expect(r1d.bgp!.session('master', '10.1.0.2')!.up).toBe(false);
    expect([r1d.bgpHoldExpired, r2d.bgpHoldExpired]).toEqual([1, 0]);
    // Echoes 2 and 3 (before 1 + 3 s) still go towards R2, through the switch to a port that is down; echo 4 goes to X.
    const seqs = (port: string) => (r.out[port] ?? []).map((f) => decodeFrame(f.frame, 0, f.frame.length)).filter((x) => x.includes('echo request')).map((x) => Number(/seq (\d+)/.exec(x)![1]));
    expect(seqs('R1:ge-0/0/0')).toEqual([1, 2, 3]);
    expect(seqs('R1:ge-0/0/1')).toEqual([4]);
    expect(seqs('SW:ge-0/0/1')).toEqual([1]);
    // Echo 1 reaches R2 (its discard route for 10.50/24), 2 and 3 die at the switch's port to R2, which is down.
    expect(r.stats.drops).toEqual({ ip4_discard_route: 1, link_down: 2 });
    balanced(r);
  });
});

describe('property: random paths on an eBGP pair', () => {
  // R1 (65001) hears X (10.2.0.2, AS 65003) and W (10.4.0.2, AS 65006) from outside and R2 (65002); R2 hears Y (10.3.0.2, AS 65004).
  // Every path comes from a different neighbouring AS, so MED is never compared and the order is total (no MED intransitivity).
  const r1 = rtr(65001, '1.1.1.1', [...R1_IFS, ['ge-0/0/4', '10.4.0.1/30', '10.4.0.2']], ...R1_EXT, 'set protocols bgp group ext neighbor 10.4.0.2 peer-as 65006');
  const r2 = rtr(65002, '2.2.2.2', [['ge-0/0/0', '10.1.0.2/30'], ['ge-0/0/1', '10.3.0.1/30']],
    'set protocols bgp group ext type external', 'set protocols bgp group ext neighbor 10.1.0.1 peer-as 65001', 'set protocols bgp group ext neighbor 10.3.0.2 peer-as 65004');
  const PREFIXES = [0, 1, 2, 3].map((k) => `10.60.${k}.0/24`);
  const path = (peerAs: number) => fc.option(fc.record({
    more: fc.array(fc.integer({ min: 64700, max: 64710 }), { maxLength: 2 }),
    med: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    origin: fc.constantFrom('igp', 'egp', 'incomplete'),
  }).map((x) => ({ ...x, peerAs })), { nil: undefined });
  const routes = fc.array(fc.record({ x: path(65003), w: path(65006), y: path(65004) }), { minLength: 4, maxLength: 4 });
  const yamlPath = (prefix: string, peer: string, p: { peerAs: number; more: number[]; med?: number; origin: string }) =>
    `\n      - { prefix: ${prefix}, peer: ${peer}, as-path: "${[p.peerAs, ...p.more].join(' ')}", origin: ${p.origin}${p.med !== undefined ? `, med: ${p.med}` : ''} }`;

  const r2Best = (run: Run, k: number): string | undefined => dev(run.devices, 'R2').bgp!.tables.get('inet.0')?.rib.best(PREFIXES[k]!)?.peer;

  it("converges; each side's best for each prefix never loses a pairwise compare() to another path it holds; session down then up gives the FIB back", () => {
    fc.assert(fc.property(routes, (rs) => {
      let onR1 = '';
      let onR2 = '';
      rs.forEach((r, k) => {
        if (r.x) onR1 += yamlPath(PREFIXES[k]!, '10.2.0.2', r.x);
        if (r.w) onR1 += yamlPath(PREFIXES[k]!, '10.4.0.2', r.w);
        if (r.y) onR2 += yamlPath(PREFIXES[k]!, '10.3.0.2', r.y);
      });
      const run = new Run(lab({ 'r1.set': r1, 'r2.set': r2 }, `devices:
  R1:
    config: r1.set${onR1 ? `\n    bgp-paths:${onR1}` : ''}
  R2:
    config: r2.set${onR2 ? `\n    bgp-paths:${onR2}` : ''}
links:
  - [R1:ge-0/0/0, R2:ge-0/0/0]
`));
      const d = dev(run.devices, 'R1');
      expect(run.devices.flatMap((x) => x.warnings)).toEqual([]);
      // Each side's best never loses a pairwise comparison to another path it holds (R2: Y's and R1's).
      for (const side of [d, dev(run.devices, 'R2')]) {
        const rib = side.bgp!.tables.get('inet.0')?.rib;
        const ctx = { igpCost: (nh: string) => (side.bgp!.reachable(nh, 'master') ? 0 : undefined) };
        for (const prefix of PREFIXES) {
          const entries = rib?.entries(prefix) ?? [];
          if (!entries.length) continue;
          const best = entries.find((e) => e.active)?.path;
          expect(best).toBeDefined();
          for (const e of entries) if (e.path !== best) expect(compare(best!, e.path, ctx, best).order).toBeLessThan(0);
        }
      }
      const rib = d.bgp!.tables.get('inet.0')?.rib;
      rs.forEach((r, k) => {
        // R2 sends its best only, and not when that best came from R1: R1 holds Y's path only where R2 prefers it.
        expect((rib?.entries(PREFIXES[k]!) ?? []).map((e) => e.path.peer).sort()).toEqual([r.y && r2Best(run, k) === '10.3.0.2' ? '10.1.0.2' : '', r.x ? '10.2.0.2' : '', r.w ? '10.4.0.2' : ''].filter((x) => x).sort());
      });
      // The forwarding table itself: the adjacency the LPM gives an address of each prefix (-1: none).
      const fib = () => PREFIXES.map((p) => d.table('master', 4).lpm4!.lookup(parseIpv4(p.replace('.0/24', '.1'))));
      const before = fib();
      d.setBgpSession('master', '10.1.0.2', false, 0, 0);
      // R2's paths are gone from R1: each prefix is on X or W, or on nothing.
      rs.forEach((r, k) => expect(fib()[k]! >= 0).toBe(Boolean(r.x || r.w)));
      d.setBgpSession('master', '10.1.0.2', true, 0, 0);
      expect(fib()).toEqual(before);
    }), { numRuns: 40 });
  });
});

describe('IPv6', () => {
  it('an IPv6 session and its paths: the local address faces the peer, the next hop resolves over IPv6, the echo follows the path', () => {
    const r1 = [
      'set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:1::1/64 ndp 2001:db8:1::2 mac 02:00:00:00:00:31',
      'set interfaces ge-0/0/2 unit 0 family inet6 address 2001:db8:99::1/64 ndp 2001:db8:99::10 mac 02:00:00:00:00:32',
      'set routing-options autonomous-system 65001',
      'set routing-options router-id 1.1.1.1',
      'set protocols bgp group ext type external',
      'set protocols bgp group ext family inet6 unicast',
      'set protocols bgp group ext neighbor 2001:db8:1::2 peer-as 65002',
    ].join('\n') + '\n';
    const s = lab({ 'r1.set': r1 }, `devices:
  R1:
    config: r1.set
    bgp-paths:
      - { prefix: "2001:db8:50::/48", peer: "2001:db8:1::2", as-path: "65002" }
`);
    const frame = ping6({ src: '02:00:00:00:00:32', dst: formatMac(derivedMac('R1', 'ge-0/0/2')) }, { src: '2001:db8:99::10', dst: '2001:db8:50::5', hopLimit: 64 });
    const r = runFrames(s, { 'R1:ge-0/0/2': [{ t: 1, frame }] });
    const d = dev(r.devices, 'R1');
    expect(d.bgp!.sessions[0]!.localAddress).toBe('2001:db8:1::1');
    expect(show(d, 'route 2001:db8:50::5')).toContain('2001:db8:50::/48   *[BGP/170] 00:00:00, localpref 100\n                      AS path: 65002 I, validation-state: unverified\n                    > to 2001:db8:1::2 via ge-0/0/0.0');
    const out = (r.out['ge-0/0/0'] ?? []).map((f) => decodeFrame(f.frame, 0, f.frame.length)); // a one-device run names ports without the device
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('2001:db8:99::10 > 2001:db8:50::5 hlim 63 ICMPv6 echo request');
    balanced(r);
  });
});
