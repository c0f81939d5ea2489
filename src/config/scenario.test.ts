import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadConfigFile, loadScenarioFile, loadScenarioText } from './scenario.js';
import { ConfigError, formatLoc } from './model.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function errors(text: string, file = 's.yaml'): string[] {
  try {
    loadScenarioText(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${formatLoc(p.loc)}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('YAML scenario', () => {
  test('devices from a Junos file, inline Junos and YAML; links', () => {
    const s = loadScenarioFile(fixture('lab.yaml'));
    expect(s.devices.map((d) => [d.name, d.profile])).toEqual([
      ['PE1', 'junos'],
      ['R2', 'junos'],
      ['CE1', 'linux'],
    ]);
    expect(s.devices[0]!.source).toBe(fixture('mx-pe1.conf'));
    expect(s.devices[0]!.ifds).toHaveLength(5);
    expect(s.devices[1]!.ifds[0]!.units[0]!.inet!.addresses[0]!.loc).toEqual({ file: fixture('lab.yaml'), line: 11, col: 23 });
    expect(s.links.map((l) => [l.a, l.b, l.loc?.line])).toEqual([
      [{ device: 'PE1', ifd: 'ae0' }, { device: 'R2', ifd: 'et-0/0/0' }, 35],
      [{ device: 'PE1', ifd: 'et-0/0/2' }, { device: 'CE1', ifd: 'eth0' }, 36],
    ]);
    const ce = s.devices[2]!;
    expect(ce.ifds.map((i) => [i.name, i.mac, i.mtu, i.vlanTagging, i.units.map((u) => [u.name, u.vlanId])])).toEqual([
      ['eth0', '02:00:00:00:00:01', 1514, 'vlan-tagging', [['eth0.100', 100]]],
      ['eth1', undefined, 1514, 'none', [['eth1.0', undefined]]],
    ]);
    const eth1 = ce.ifds[1]!.units[0]!;
    expect(eth1.inet).toMatchObject({ addresses: [{ address: '10.9.0.1', prefixLength: 24, primary: true }], neighbors: [{ ip: '10.9.0.2', mac: '02:00:00:00:00:09' }] });
    expect(eth1.inet6!.addresses[0]!.address).toBe('2001:db8:9::1');
    expect(ce.instances.map((i) => [i.name, i.type, i.interfaces])).toEqual([
      ['master', 'default', ['eth0.100']],
      ['red', 'virtual-router', ['eth1.0']],
    ]);
    expect(ce.instances[0]!.routes.map((r) => [r.prefix, r.action, r.nextHops])).toEqual([
      ['0.0.0.0/0', 'forward', [{ address: '192.168.100.1' }]],
      ['192.0.2.0/24', 'discard', []],
      ['198.51.100.0/24', 'forward', [{ interface: 'eth1.0' }]],
    ]);
    expect(ce.instances[1]!.routes[0]).toMatchObject({ family: 'inet6', prefix: '::/0', nextHops: [{ address: '2001:db8:9::2' }] });
  });

  test('loadConfigFile: YAML by extension or content, anything else is Junos', () => {
    expect(loadConfigFile(fixture('lab.yaml')).devices).toHaveLength(3);
    const one = loadConfigFile(fixture('mx-pe1.set'));
    expect(one.devices.map((d) => d.name)).toEqual(['mx-pe1']);
    expect(one.links).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'triode-'));
    writeFileSync(join(dir, 'lab.cfg'), '# lab\ndevices:\n  H: { interfaces: { eth0: { inet: [10.0.0.1/24] } } }\n');
    expect(loadConfigFile(join(dir, 'lab.cfg')).devices[0]!.name).toBe('H');
  });

  test('unknown keys, bad values, links to unknown devices and interfaces, a port in two links', () => {
    expect(
      errors(`devices:
  A:
    interfaces:
      eth0: { mtu: 20000, speed: 10g, inet: [10.0.0.300/24] }
      eth1: { units: { 0: { vlan-id: 5000 } } }
    colour: blue
  B:
    interfaces: { eth0: {} }
  C: {}
  D: { config: nope.conf }
links:
  - [A:eth0, B:eth0]
  - [A:eth0, Z:eth0]
  - [B:eth9, B:eth0]
  - [A-eth1, B:eth0]
  - [A:eth1]
`),
    ).toEqual([
      's.yaml:4:20: eth0 mtu: expected an integer in 256..9216',
      "s.yaml:4:27: interface eth0: unknown key 'speed' (expected one of: mac, mtu, description, vlan-tagging, encapsulation, disable, units, lag, lacp, minimum-links, vlan-id, vlan-tags, inet, inet6, inet-mtu, inet6-mtu, arp, ndp, virtual-gateway, proxy-arp, vrrp)",
      "s.yaml:4:46: '10.0.0.300/24' is not a valid IPv4 address",
      's.yaml:5:38: eth1.0 vlan-id: VLAN id: expected an integer in 1..4094',
      "s.yaml:6:5: device A: unknown key 'colour' (expected one of: config, junos, profile, router-id, autonomous-system, interfaces, routes, routing-instances, vrrp-version, sflow, bgp, evpn, switches, edge, arp-sponge, bgp-paths)",
      's.yaml:9:3: device C: needs config (a Junos file), junos (inline Junos text) or interfaces',
      `s.yaml:10:16: device D: config file nope.conf not found (${join(process.cwd(), 'nope.conf')})`,
      's.yaml:13:6: port A:eth0 is already in a link (at 12:6)',
      "s.yaml:13:14: link end Z:eth0: no device 'Z'",
      "s.yaml:14:6: link end B:eth9: device B has no interface 'eth9'",
      's.yaml:14:14: port B:eth0 is already in a link (at 12:14)',
      "s.yaml:15:6: link end 'A-eth1' is not DEVICE:INTERFACE",
      's.yaml:15:14: port B:eth0 is already in a link (at 12:14)',
      's.yaml:16:5: link: expected [DEVICE:INTERFACE, DEVICE:INTERFACE]',
    ]);
  });

  test('duplicate device names and YAML syntax errors carry locations', () => {
    expect(errors('devices:\n  A: { interfaces: { e: {} } }\n  A: { interfaces: { e: {} } }\n')).toEqual(['s.yaml:3:3: YAML: Map keys must be unique']);
    expect(errors('devices:\n  A: [1, 2\n')[0]).toMatch(/^s\.yaml:\d+:\d+: YAML: /);
    expect(errors('devicez: {}\n')).toEqual([
      "s.yaml:1:1: scenario: unknown key 'devicez' (expected one of: devices, links, timeline)",
      "s.yaml:1:1: scenario: missing 'devices'",
    ]);
  });

  test('errors inside inline Junos point into the YAML file', () => {
    expect(
      errors(`devices:
  R:
    junos: |
      interfaces {
          ge-0/0/0 {
              mtu 99;
          }
      }
  S:
    junos: "set interfaces ge-0/0/0 unit 0 vlan-id 0"
`),
    ).toEqual(["s.yaml:6:19: mtu '99' is not in 256..9216", "s.yaml:10:52: VLAN id '0' is not in 1..4094"]);
  });

  test('shared checks apply to YAML devices: instances, next-hop interfaces, duplicates', () => {
    expect(
      errors(`devices:
  H:
    interfaces:
      eth0: { inet: [10.0.0.1/24], inet-mtu: 1600 }
      eth1: { inet: [10.0.0.1/24] }
    routes:
      - { prefix: 0.0.0.0/0, next-hop: eth7 }
      - { prefix: 10.1.0.0/16 }
    routing-instances:
      v: { type: vrf, interfaces: [eth9.0] }
`),
    ).toEqual([
      's.yaml:4:46: eth0.0: family inet mtu 1600 is larger than the media mtu 1514 minus the 14-byte Ethernet header (1500)',
      's.yaml:5:22: duplicate address 10.0.0.1: already on eth0.0 (at 4:22)',
      's.yaml:7:40: static route 0.0.0.0/0: next-hop interface eth7.0 does not exist',
      's.yaml:8:9: route 10.1.0.0/16: needs exactly one of next-hop/interface, discard, reject, next-table',
      's.yaml:10:36: routing instance v: interface eth9.0 does not exist',
    ]);
  });
});
