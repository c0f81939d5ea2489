// BGP configuration front ends: the seed's multihomed IP VPN in Junos text
// (sessions, VRF PE–CE groups, what is reported as ignored), Junos and YAML
// mistakes with file:line:column, YAML `bgp:` and `bgp-paths:` to the exact
// model, and timeline session events parsed and recorded at run time.

import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { loadJunosFile, loadJunosText } from './junos-device.js';
import { loadScenarioText } from './scenario.js';
import { ConfigError, formatLoc } from './model.js';
import { errors } from './testing.js';
import { bgpSessions } from '../bgp/session.js';
import { runFrames } from '../craft/frames-run.js';
import { ping4 } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { Run } from '../run/runner.js';

const seed = (name: string) => join(__dirname, 'fixtures', 'seed-ipvpn', `${name}.set`);
const noLoc = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'loc' ? undefined : v)));

function scenarioErrors(text: string): string[] {
  try {
    loadScenarioText(text, 's.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${formatLoc(p.loc)}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("the seed's multihomed IP VPN (fixtures/seed-ipvpn)", () => {
  test('Juno: the reflector group of the default instance and the CPE group of VRF ipvpn, as configured', () => {
    const d = loadJunosFile(seed('juno'));
    expect(noLoc(d.bgp)).toEqual({
      groups: [
        {
          name: 'reflector', type: 'internal', localAddress: '10.0.0.5', families: ['inet-unicast', 'inet-vpn-unicast'], peerAs: 1, holdTime: 0,
          neighbors: [{ address: '10.0.0.4', description: 'Janus' }, { address: '10.0.0.2', description: 'Ceres' }],
        },
      ],
    });
    const vrf = d.instances.find((i) => i.name === 'ipvpn')!;
    expect(vrf).toMatchObject({ routeDistinguisher: '1:1', vrfTarget: 'target:1:1', vrfTableLabel: true });
    expect(noLoc(vrf.bgp)).toEqual({
      groups: [
        {
          name: 'CPE', type: 'external', peerAs: 65500, asOverride: true,
          neighbors: [{ address: '4.0.0.21', metricOut: 10, import: ['multihomed-ipvpn-primary'], export: ['multihomed-ipvpn'] }],
        },
      ],
    });
    expect(d.routerId).toBe('10.0.0.5');
    expect(d.autonomousSystem).toBe(1);
  });

  test('Juno: the resolved sessions (group values inherited, the default family inet unicast)', () => {
    const d = loadJunosFile(seed('juno'));
    expect(bgpSessions(d).map((s) => noLoc(s))).toEqual([
      { instance: 'master', group: 'reflector', peer: '10.0.0.4', internal: true, peerAs: 1, localAs: 1, localAddress: '10.0.0.5', families: ['inet-unicast', 'inet-vpn-unicast'], import: [], export: [], asOverride: false, holdTime: 0, description: 'Janus' },
      { instance: 'master', group: 'reflector', peer: '10.0.0.2', internal: true, peerAs: 1, localAs: 1, localAddress: '10.0.0.5', families: ['inet-unicast', 'inet-vpn-unicast'], import: [], export: [], asOverride: false, holdTime: 0, description: 'Ceres' },
      {
        instance: 'ipvpn', group: 'CPE', peer: '4.0.0.21', internal: false, peerAs: 65500, localAs: 1, families: ['inet-unicast'],
        import: ['multihomed-ipvpn-primary'], export: ['multihomed-ipvpn'], asOverride: true, metricOut: 10, holdTime: 90,
      },
    ]);
    expect(bgpSessions(d)[2]!.loc).toEqual({ file: seed('juno'), line: 69, col: 62 });
  });

  test('Juno: what is accepted but not emulated is listed with its place (wire-only BGP statements, IS-IS, family iso)', () => {
    const d = loadJunosFile(seed('juno'));
    expect(d.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '11:34 interfaces xe-2/0/0 unit 119 family iso',
      '17:34 interfaces xe-2/0/1 unit 102 family iso',
      '23:34 interfaces xe-2/0/1 unit 105 family iso',
      '28:34 interfaces xe-2/0/1 unit 114 family iso',
      '43:35 protocols bgp group reflector authentication-key $9$example',
      '45:35 protocols bgp group reflector bfd-liveness-detection',
      '48:15 protocols isis',
      '65:53 routing-instances ipvpn protocols bgp group CPE passive',
      '66:53 routing-instances ipvpn protocols bgp group CPE authentication-key $9$example',
    ]);
  });

  test('Ceres reflects (cluster 10.0.0.2) and is the backup PE (metric-out 150); Liber is a client with no VRF sessions', () => {
    const ceres = bgpSessions(loadJunosFile(seed('ceres')));
    expect(ceres.map((s) => [s.instance, s.peer, s.cluster, s.metricOut, s.import])).toEqual([
      ['master', '10.0.0.7', '10.0.0.2', undefined, []],
      ['master', '10.0.0.4', '10.0.0.2', undefined, []],
      ['master', '10.0.0.5', '10.0.0.2', undefined, []],
      ['ipvpn', '4.0.0.45', undefined, 150, ['multihomed-ipvpn-secondary']],
    ]);
    const liber = loadJunosFile(seed('liber'));
    expect(bgpSessions(liber).map((s) => s.peer)).toEqual(['10.0.0.4', '10.0.0.2']);
    expect(liber.instances[1]).toMatchObject({ name: 'ipvpn', vrfTableLabel: true });
    expect(liber.instances[1]!.bgp).toBeUndefined();
  });

  test('Luna and Orcus: eBGP to their PE, iBGP to each other; Luna (no autonomous-system shown) takes its AS from the internal group', () => {
    const luna = bgpSessions(loadJunosFile(seed('luna')));
    expect(luna.map((s) => [s.peer, s.internal, s.peerAs, s.localAs, s.export])).toEqual([
      ['4.0.0.22', false, 1, 65500, ['bgp-export']],
      ['192.168.1.2', true, 65500, 65500, ['cpe-connection']],
    ]);
    const orcus = bgpSessions(loadJunosFile(seed('orcus')));
    expect(orcus.map((s) => [s.peer, s.internal, s.peerAs, s.localAs])).toEqual([
      ['4.0.0.46', false, 1, 65500],
      ['192.168.1.3', true, 65500, 65500],
    ]);
  });
});

describe('Junos protocols bgp: mistakes, each located', () => {
  test('every mistake at once', () => {
    expect(
      errors(`routing-options { autonomous-system 65000; }
protocols {
    bgp {
        group E { type external; neighbor 192.0.2.1; neighbor 192.0.2.2 { peer-as 65001; } }
        group I { type internal; peer-as 65009; neighbor 10.0.0.1; }
        group X { type externl; peer-as 4294967296; local-address 10.0.0; cluster 7; metric-out lots; neighbor peer1; neighbor 10.0.0.1; }
        group S { type external; peer-as 65000; neighbor 192.0.2.9; }
    }
}
routing-instances {
    V { instance-type vrf; protocols { bgp { group C { type external; peer-as 65100; family evpn { signaling; } neighbor 198.51.100.1; } } } }
}`),
    ).toEqual([
      'r.conf:4:43: bgp group E neighbor 192.0.2.1: an external session needs peer-as (on the neighbor or its group)',
      'r.conf:5:42: bgp group I neighbor 10.0.0.1: type internal, but peer-as 65009 is not the local AS 65000',
      "r.conf:6:24: bgp group X: type 'externl' is not internal or external",
      "r.conf:6:41: bgp group X: peer-as '4294967296' is not an AS number (1..4294967295)",
      "r.conf:6:67: bgp group X: local-address '10.0.0' is not an IP address",
      "r.conf:6:83: bgp group X: cluster '7' is not an IPv4 address",
      "r.conf:6:97: bgp group X: metric-out 'lots' is not in 0..4294967295",
      "r.conf:6:112: bgp group X: neighbor 'peer1' is not an IP address",
      'r.conf:6:128: bgp neighbor 10.0.0.1 is configured twice (also at 5:58)',
      'r.conf:7:42: bgp group S neighbor 192.0.2.9: type external, but peer-as 65000 is the local AS',
      'r.conf:11:122: bgp group C neighbor 198.51.100.1 (routing instance V): family evpn is configured in the default instance\'s protocols bgp, not in a VRF\'s',
    ]);
  });

  test('set and curly forms give the same sessions; local-as, multipath, family inet6 and inherited bgp-level options', () => {
    const curly = `routing-options { autonomous-system 65000; }
protocols { bgp { local-address 10.0.0.1; import [ A B ]; multipath { multiple-as; }
    group G { type external; peer-as 65001; local-as 64999; family inet6 { unicast; } neighbor 2001:db8::0:2 { import C; } } } }`;
    const set = `set routing-options autonomous-system 65000
set protocols bgp local-address 10.0.0.1
set protocols bgp import A
set protocols bgp import B
set protocols bgp multipath multiple-as
set protocols bgp group G type external
set protocols bgp group G peer-as 65001
set protocols bgp group G local-as 64999
set protocols bgp group G family inet6 unicast
set protocols bgp group G neighbor 2001:db8::2 import C`;
    const a = bgpSessions(loadJunosText(curly, 'c.conf')).map(noLoc);
    expect(a).toEqual([
      {
        instance: 'master', group: 'G', peer: '2001:db8::2', internal: false, peerAs: 65001, localAs: 64999, localAddress: '10.0.0.1', families: ['inet6-unicast'],
        import: ['C'], export: [], asOverride: false, multipath: { multipleAs: true }, holdTime: 90,
      },
    ]);
    expect(bgpSessions(loadJunosText(set, 's.set')).map(noLoc)).toEqual(a);
  });
});

// A PE with a VRF and a CE session in YAML, and a second device that is the reflector.
const YAML_PE = `devices:
  PE:
    router-id: 10.0.0.5
    autonomous-system: 1
    interfaces:
      lo0: { units: { 5: { inet: [10.0.0.5/32] } } }
      xe-0/0/0: { inet: [4.0.0.58/30] }
      xe-0/0/1: { inet: [4.0.0.22/30] }
    bgp:
      groups:
        reflector:
          type: internal
          local-address: 10.0.0.5
          family: [inet unicast, inet-vpn unicast]
          neighbors: { 10.0.0.2: { description: Ceres, hold-time: 0 } }
    routing-instances:
      ipvpn:
        type: vrf
        interfaces: [xe-0/0/1.0]
        route-distinguisher: "1:1"
        vrf-target: target:1:1
        vrf-table-label: true
        bgp:
          groups:
            CPE:
              type: external
              peer-as: 65500
              as-override: true
              neighbors: { 4.0.0.21: { metric-out: 10, import: multihomed-ipvpn-primary, export: [multihomed-ipvpn] } }
`;

describe('YAML bgp and bgp-paths', () => {
  test('bgp groups of a YAML device and of its VRF give the same sessions as the Junos text', () => {
    const d = loadScenarioText(YAML_PE, 's.yaml').devices[0]!;
    const junos = loadJunosFile(seed('juno'));
    expect(bgpSessions(d).map(noLoc)).toEqual(bgpSessions(junos).filter((s) => s.peer !== '10.0.0.4').map(noLoc));
    expect(d.instances[1]).toMatchObject({ vrfTableLabel: true, routeDistinguisher: '1:1' });
    expect(bgpSessions(d)[1]!.loc).toEqual({ file: 's.yaml', line: 29, col: 28 });
  });

  test('received paths: the session gives peer AS and internal; defaults (next hop = peer, origin igp, table inet.0); the router ID of the scenario device that owns the peer address', () => {
    const s = loadScenarioText(`${YAML_PE}    bgp-paths:
      - { prefix: 10.0.0.12/32, peer: 4.0.0.21, table: ipvpn, as-path: "65500", med: 0, communities: [origin:1000:1000] }
      - prefix: 10.0.0.3/32
        peer: 10.0.0.2
        next-hop: 10.0.0.7
        table: ipvpn.inet.0
        local-pref: 100
        as-path: ""
        origin: incomplete
        communities: [target:1:1, "65000:100", no-export]
        originator-id: 10.0.0.7
        cluster-list: [10.0.0.2]
        rd: "1:1"
        label: 16
      - { prefix: 10.0.0.3/32, peer: 10.0.0.2, table: bgp.l3vpn.0, next-hop: 10.0.0.7, rd: "1:1", label: 16, as-path: "65010 {65011 65012}" }
  CE:
    router-id: 10.0.0.8
    interfaces:
      xe-0/0/0: { inet: [4.0.0.21/30] }
`, 's.yaml');
    expect(s.devices[0]!.bgpPaths).toEqual([
      {
        prefix: '10.0.0.12/32', table: 'ipvpn.inet.0', nextHop: '4.0.0.21', peer: '4.0.0.21', peerAs: 65500, internal: false, peerRouterId: '10.0.0.8',
        asPath: [{ type: 'sequence', asns: [65500] }], origin: 'igp', med: 0, communities: ['origin:1000:1000'], clusterList: [],
        loc: { file: 's.yaml', line: 31, col: 9 },
      },
      {
        prefix: '10.0.0.3/32', table: 'ipvpn.inet.0', nextHop: '10.0.0.7', peer: '10.0.0.2', peerAs: 1, internal: true, peerRouterId: '10.0.0.2',
        localPref: 100, asPath: [], origin: 'incomplete', communities: ['target:1:1', '65000:100', 'no-export'], originatorId: '10.0.0.7', clusterList: ['10.0.0.2'],
        rd: '1:1', label: 16, loc: { file: 's.yaml', line: 32, col: 9 },
      },
      {
        prefix: '10.0.0.3/32', table: 'bgp.l3vpn.0', nextHop: '10.0.0.7', peer: '10.0.0.2', peerAs: 1, internal: true, peerRouterId: '10.0.0.2',
        asPath: [{ type: 'sequence', asns: [65010] }, { type: 'set', asns: [65011, 65012] }], origin: 'igp', communities: [], clusterList: [],
        rd: '1:1', label: 16, loc: { file: 's.yaml', line: 44, col: 9 },
      },
    ]);
    // The run installs them: the CE's path is active in the VRF; the VPN path's next hop (10.0.0.7) has no LSP, so it is unusable.
    const run = new Run(s);
    const pe = run.devices[0]!.bgp!;
    expect(pe.tables.get('ipvpn.inet.0')!.rib.entries('10.0.0.12/32').map((e) => [e.path.peer, e.active, e.reason])).toEqual([['4.0.0.21', true, '']]);
    expect(pe.tables.get('ipvpn.inet.0')!.rib.entries('10.0.0.3/32').map((e) => [e.path.peer, e.active, e.reason])).toEqual([['10.0.0.2', false, 'Unusable path']]);
    expect(run.devices.flatMap((d) => d.warnings)).toEqual([]);
  });

  test('bgp-paths of a Junos device (config:), and every mistake located', () => {
    const base = `devices:
  Juno:
    config: ${seed('juno')}
    bgp-paths:
`;
    expect(scenarioErrors(`${base}      - { prefix: 10.0.0.12/32, peer: 4.0.0.99, table: ipvpn, as-path: "65500" }
      - { prefix: 10.0.0.300/32, peer: 4.0.0.21, table: ipvpn }
      - { prefix: 10.0.0.12/32, peer: 4.0.0.21, table: red }
      - { prefix: 10.0.0.13/32, peer: 4.0.0.21, table: ipvpn, local-pref: 150, as-path: "65500" }
      - { prefix: 10.0.0.14/32, peer: 4.0.0.21, table: ipvpn, as-path: "" }
      - { prefix: 10.0.0.12/32, peer: 10.0.0.2, table: ipvpn, rd: "1:1", label: 15 }
      - { prefix: 10.0.0.12/32, peer: 10.0.0.2, table: ipvpn, label: 16 }
      - { prefix: 10.0.0.12/32, peer: 10.0.0.2, rd: "1:1", label: 16 }
      - { prefix: 10.0.0.0/8, peer: 10.0.0.2, as-path: "65001 x", origin: best, communities: ["70000:1", "target:1.2.3.4:70000"], originator-id: 1 }
      - { prefix: 10.0.0.0/8, peer: 10.0.0.2 }
      - { prefix: 10.2.0.0/16, peer: 10.0.0.2, next-hop: "2001:db8::1" }
      - { prefix: 2001:db8::/32, peer: 10.0.0.2 }
      - { prefix: 10.1.0.0/16, peer: 4.0.0.21, table: ipvpn, as-path: "65500", cluster-list: [10.0.0.2] }
      - { peer: 10.0.0.2, bogus: 1 }
`)).toEqual([
      's.yaml:5:39: bgp path 10.0.0.12/32: peer 4.0.0.99 is not a configured BGP neighbor of Juno in routing instance ipvpn (nor of the default instance)',
      "s.yaml:6:19: bgp path: '10.0.0.300/32' is not a valid IP prefix",
      "s.yaml:7:56: bgp path: table 'red' is not inet.0, bgp.l3vpn.0 or a VRF of Juno (ipvpn)",
      's.yaml:8:63: bgp path 10.0.0.13/32: local-pref is not carried on the external session with 4.0.0.21 (RFC 4271 5.1.5); an import policy sets it',
      's.yaml:9:63: bgp path 10.0.0.14/32: as-path is empty, but the external peer 4.0.0.21 puts its AS (65500) first (RFC 4271 5.1.2)',
      's.yaml:10:81: bgp path 10.0.0.12/32 label: expected an integer in 16..1048575',
      's.yaml:11:9: bgp path 10.0.0.12/32: a VPN route (ipvpn.inet.0 from 10.0.0.2) needs rd and label',
      's.yaml:12:49: bgp path 10.0.0.12/32: rd and label belong to VPN routes (table bgp.l3vpn.0, or a VRF\'s from a PE)',
      "s.yaml:13:56: bgp path 10.0.0.0/8: as-path: 'x' is not an AS number (1..4294967295)",
      "s.yaml:13:75: bgp path 10.0.0.0/8: origin 'best' is not igp, egp or incomplete",
      "s.yaml:13:95: bgp path 10.0.0.0/8: community '70000:1': each half is 0..65535",
      "s.yaml:13:106: bgp path 10.0.0.0/8: community 'target:1.2.3.4:70000': with a 4-byte administrator the number is 0..65535",
      "s.yaml:13:146: bgp path 10.0.0.0/8: originator-id '1' is not an IPv4 address",
      's.yaml:14:9: bgp path 10.0.0.0/8 from 10.0.0.2 in inet.0 is given twice (also at 13:9)',
      "s.yaml:15:58: bgp path 10.2.0.0/16: next-hop '2001:db8::1' is not an IPv4 address",
      's.yaml:16:40: bgp path 2001:db8::/32: the session with 10.0.0.2 does not carry family inet6 unicast (it carries inet unicast, inet-vpn unicast)',
      's.yaml:17:80: bgp path 10.1.0.0/16: originator-id and cluster-list come only on internal sessions (RFC 4456), not from 4.0.0.21',
      "s.yaml:18:9: bgp path: missing 'prefix'",
      "s.yaml:18:27: bgp path: unknown key 'bogus' (expected one of: prefix, next-hop, peer, peer-router-id, table, local-pref, as-path, origin, med, communities, originator-id, cluster-list, rd, label)",
    ]);
  });

  test('YAML bgp mistakes are located', () => {
    expect(scenarioErrors(`devices:
  R:
    autonomous-system: 65000
    interfaces: { xe-0/0/0: { inet: [192.0.2.0/31] } }
    bgp:
      groups:
        E:
          type: externl
          family: [inet multicast]
          neighbors: { 192.0.2.1: null, peer1: null }
        F:
          type: external
          neighbors: { 192.0.2.1: { metric-out: -1 } }
        G:
          type: external
          neighbors: { 192.0.2.3: null }
    routing-instances:
      L2: { type: mac-vrf, vrf-table-label: true }
`)).toEqual([
      "s.yaml:8:17: bgp group E type: expected internal or external, not 'externl'",
      "s.yaml:9:20: bgp group E family: 'inet multicast' is not one of inet unicast, inet6 unicast, inet-vpn unicast, inet6-vpn unicast, evpn signaling",
      "s.yaml:10:41: bgp group E: neighbor 'peer1' is not an IP address",
      's.yaml:13:24: bgp neighbor 192.0.2.1 is configured twice (also at 10:24)',
      's.yaml:16:24: bgp group G neighbor 192.0.2.3: an external session needs peer-as (on the neighbor or its group)',
      's.yaml:18:28: routing instance L2: vrf-table-label is only valid in a vrf instance',
    ]);
  });
});

describe('timeline: BGP session events', () => {
  const SC = `devices:
  Juno:
    config: ${seed('juno')}
  Liber:
    config: ${seed('liber')}
`;

  test('DEVICE:PEER finds the session in its instance; mistakes located', () => {
    const s = loadScenarioText(`${SC}timeline:
  - { at: 1, bgp-session-down: "Juno:4.0.0.21" }
  - { at: 2, bgp-session-up: "Juno:ipvpn:4.0.0.21" }
  - { at: 0.5, bgp-session-down: "Liber:10.0.0.2" }
`, 's.yaml');
    expect(s.timeline!.map(noLoc)).toEqual([
      { at: 0.5, kind: 'bgp-session-down', session: { device: 'Liber', instance: 'master', peer: '10.0.0.2' } },
      { at: 1, kind: 'bgp-session-down', session: { device: 'Juno', instance: 'ipvpn', peer: '4.0.0.21' } },
      { at: 2, kind: 'bgp-session-up', session: { device: 'Juno', instance: 'ipvpn', peer: '4.0.0.21' } },
    ]);
    expect(scenarioErrors(`${SC}timeline:
  - { at: 1, bgp-session-down: "Juno:4.0.0.99" }
  - { at: 1, bgp-session-down: "Mars:4.0.0.21" }
  - { at: 1, bgp-session-up: "Juno:master:4.0.0.21" }
  - { at: 1, bgp-session-up: "Juno:peer" }
  - { at: 1, bgp-session-up: "4.0.0.21" }
`)).toEqual([
      's.yaml:7:32: bgp-session-down Juno:4.0.0.99: 4.0.0.99 is not a BGP neighbor of Juno',
      "s.yaml:8:32: bgp-session-down Mars:4.0.0.21: no device 'Mars'",
      's.yaml:9:30: bgp-session-up Juno:master:4.0.0.21: 4.0.0.21 is not a BGP neighbor of Juno in routing instance master',
      "s.yaml:10:30: bgp-session-up Juno:peer: 'peer' is not an IP address",
      's.yaml:11:30: bgp-session-up 4.0.0.21: name the session as DEVICE:PEER-ADDRESS',
    ]);
  });

  test('the run tells the device at the event time, records the state and counts transitions in --stats; link events unchanged', () => {
    const s = loadScenarioText(`${SC}timeline:
  - { at: 1, bgp-session-down: "Juno:4.0.0.21" }
  - { at: 1.5, bgp-session-down: "Juno:4.0.0.21" }
  - { at: 2, bgp-session-up: "Juno:4.0.0.21" }
  - { at: 2.5, bgp-session-down: "Juno:10.0.0.2" }
`, 's.yaml');
    const seen: string[] = [];
    const T = 1000;
    const frame = ping4({ dst: derivedMac('Juno', 'xe-2/0/1'), src: '02:00:00:00:00:01' }, { src: '4.0.0.21', dst: '4.0.0.22' }, 1, 1);
    const r = runFrames(s, { 'Juno:xe-2/0/1': [0, 3].map((t) => ({ t: T + t, frame })) }, {}, (devs) => {
      const juno = devs.find((d) => d.name === 'Juno')!;
      juno.bgpSessionListeners.push((inst, peer, up, sec, nsec) => seen.push(`${sec - T}.${nsec} ${inst} ${peer} ${up ? 'up' : 'down'} [${[...juno.bgpSessionsDown].join(',')}]`));
    });
    // The repeated down at 1.5 is no change: not told, not counted.
    expect(seen).toEqual(['1.0 ipvpn 4.0.0.21 down [ipvpn/4.0.0.21]', '2.0 ipvpn 4.0.0.21 up []', '2.500000000 master 10.0.0.2 down [10.0.0.2]']);
    expect(r.stats.devices.Juno.bgpSessionTransitions).toEqual({ 'ipvpn/4.0.0.21': 2, '10.0.0.2': 1 });
    expect(r.stats.devices.Liber.bgpSessionTransitions).toBeUndefined();
    expect(r.stats.devices.Juno.linkTransitions).toBeUndefined();
    expect(r.stats.balanced).toBe(true);
  });
});
