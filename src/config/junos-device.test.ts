import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadJunosFile, loadJunosText } from './junos-device.js';
import { errors, strip } from './testing.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The model without source locations (and file names). */

describe('realistic MX configuration', () => {
  const curly = loadJunosFile(fixture('mx-pe1.conf'));
  const set = loadJunosFile(fixture('mx-pe1.set'));

  test('curly and set forms build deep-equal devices', () => {
    expect(strip(set)).toEqual(strip(curly));
  });

  test('device, interfaces, MTUs (group-inherited jumbo on et-*), VLAN units', () => {
    expect(curly.name).toBe('mx-pe1');
    expect(curly.profile).toBe('junos');
    expect(curly.routerId).toBe('1.1.1.1');
    expect(curly.autonomousSystem).toBe(65000);
    expect(curly.ifds.map((i) => [i.name, i.mtu, i.vlanTagging])).toEqual([
      ['et-0/0/0', 9192, 'none'],
      ['et-0/0/1', 9192, 'none'],
      ['et-0/0/2', 9192, 'flexible-vlan-tagging'],
      ['ae0', 9192, 'vlan-tagging'],
      ['lo0', undefined, 'none'],
    ]);
    const et2 = curly.ifds[2]!;
    expect(et2.description).toBe('customer CE1');
    expect(et2.encapsulation).toBe('flexible-ethernet-services');
    expect(et2.units.map((u) => [u.name, u.vlanId, u.vlanIdInner])).toEqual([
      ['et-0/0/2.100', 100, undefined],
      ['et-0/0/2.200', 200, 21],
    ]);
    const u200 = et2.units[1]!;
    expect(u200.inet!.mtu).toBe(1500);
    expect(u200.inet!.neighbors).toEqual([{ ip: '192.168.200.2', mac: '02:00:00:00:02:00', loc: { file: fixture('mx-pe1.conf'), line: 53, col: 21 } }]);
    expect(u200.inet6!.addresses).toMatchObject([{ address: '2001:db8:200::1', prefixLength: 64, primary: true }]);
    expect(curly.ifds[0]!.description).toBe('core: to P1 #1');
  });

  test('routing: default instance, VRF, statics incl. recursive, discard, reject, IPv6 rib', () => {
    const [master, vrf] = curly.instances;
    expect(master!.interfaces).toEqual(['ae0.0', 'lo0.0']);
    expect(master!.routes.map((r) => [r.family, r.prefix, r.action, r.nextHops, r.preference])).toEqual([
      ['inet6', '::/0', 'forward', [{ address: '2001:db8::' }], undefined],
      ['inet', '0.0.0.0/0', 'forward', [{ address: '10.0.0.0' }], undefined],
      ['inet', '100.64.0.0/10', 'forward', [{ address: '2.2.2.2' }], 10],
      ['inet', '192.0.2.0/24', 'discard', [], undefined],
      ['inet', '198.51.100.0/24', 'reject', [], undefined],
    ]);
    expect(vrf).toMatchObject({
      name: 'CUST-A',
      type: 'vrf',
      interfaces: ['et-0/0/2.100', 'et-0/0/2.200'],
      routeDistinguisher: '65000:100',
      vrfTarget: 'target:65000:100',
    });
    expect(vrf!.routes.map((r) => r.prefix)).toEqual(['172.16.0.0/16', '2001:db8:a::/48']);
  });

  test('statements not emulated are listed with their lines', () => {
    expect(curly.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '2:1 version 21.4R3-S5.4',
      '15:5 system root-authentication',
      '74:13 interfaces ae0 unit 0 family iso',
      '111:5 protocols isis',
      '125:5 protocols lldp',
    ]);
    expect(set.ignored.map((i) => i.path)).toEqual(curly.ignored.map((i) => i.path));
  });

  test('the same configuration text parses the same from a file or a string', () => {
    const text = readFileSync(fixture('mx-pe1.conf'), 'utf8');
    expect(strip(loadJunosText(text, 'x', { deviceName: 'PE1' }))).toEqual({ ...(strip(curly) as object), name: 'PE1' });
  });
});

describe('builder details', () => {
  test('defaults: media MTU 1514 on Ethernet IFDs; first address primary; host-name absent → file name', () => {
    const d = loadJunosText('interfaces { ge-0/0/0 { unit 0 { family inet { address 10.0.0.1/24; address 10.0.1.1/24 { preferred; } } } } }', 'lab/r9.conf');
    expect(d.name).toBe('r9');
    expect(d.ifds[0]!.mtu).toBe(1514);
    expect(d.ifds[0]!.units[0]!.inet!.addresses.map((a) => [a.primary, a.preferred])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  test('inactive statements are kept out of the model and listed', () => {
    const d = loadJunosText('interfaces { ge-0/0/0 { inactive: unit 1 { family inet { address 10.0.0.1/24; } } unit 0; } }', 'r');
    expect(d.ifds[0]!.units.map((u) => u.name)).toEqual(['ge-0/0/0.0']);
    expect(d.ignored.map((i) => i.path)).toEqual(['inactive: interfaces ge-0/0/0 unit 1']);
  });

  test('next-hop interface, qualified-next-hop, next-table, IPv6 under plain static, ndp, publish', () => {
    const d = loadJunosText(
      `set interfaces xe-0/0/0 unit 0 family inet6 address 2001:db8::1/64 ndp 2001:db8::2 mac 00:00:5e:00:53:01
set interfaces xe-0/0/0 unit 0 family inet address 10.1.0.1/24 arp 10.1.0.9 mac 0000.5e00.5302 publish
set routing-options static route 10.2.0.0/16 next-hop xe-0/0/0
set routing-options static route 10.3.0.0/16 qualified-next-hop 10.1.0.2 interface xe-0/0/0.0
set routing-options static route 10.4.0.0/16 next-table other.inet.0
set routing-options static route 2001:db8:9::/48 next-hop 2001:db8::2
set routing-options static route 10.5.0.0/16 next-hop 10.1.0.3
set routing-options static route 10.5.0.0/16 tag 5`,
      'r',
    );
    const routes = d.instances[0]!.routes;
    expect(routes.map((r) => [r.family, r.action, r.nextHops, r.nextTable])).toEqual([
      ['inet', 'forward', [{ interface: 'xe-0/0/0.0' }], undefined],
      ['inet', 'forward', [{ address: '10.1.0.2', interface: 'xe-0/0/0.0' }], undefined],
      ['inet', 'next-table', [], 'other.inet.0'],
      ['inet6', 'forward', [{ address: '2001:db8::2' }], undefined],
      ['inet', 'forward', [{ address: '10.1.0.3' }], undefined],
    ]);
    const u = d.ifds[0]!.units[0]!;
    expect(u.inet6!.neighbors).toMatchObject([{ ip: '2001:db8::2', mac: '00:00:5e:00:53:01' }]);
    expect(u.inet!.neighbors).toMatchObject([{ ip: '10.1.0.9', mac: '00:00:5e:00:53:02', publish: true }]);
    expect(d.ignored.map((i) => i.path)).toEqual(['routing-options static route 10.5.0.0/16 tag 5']);
  });
});

describe('errors: all collected, each with file:line:column', () => {
  test('values', () => {
    expect(
      errors(`interfaces {
    et-0/0/0 {
        mac 00:11:22:33:44;
        mtu 10000;
        vlan-tagging;
        unit 99999;
        unit 1 { vlan-id 4095; family inet { address 10.0.0.300/24; mtu 9300; } }
        unit 2 { vlan-id 7; family inet6 { address 10.0.0.1/24; } family inet { address 10.1.0.1/33; } }
    }
}
routing-options { static { route 10.0.0.0/40 discard; route 10.1.0.0/16 next-hop 2001:db8::1; route 10.2.0.0/16; } router-id 1.2.3; }`),
    ).toEqual([
      "r.conf:3:13: '00:11:22:33:44' is not a valid MAC address",
      "r.conf:4:13: mtu '10000' is not in 256..9216",
      "r.conf:6:14: unit '99999' is not in 0..16385",
      "r.conf:7:26: VLAN id '4095' is not in 1..4094",
      "r.conf:7:54: '10.0.0.300/24' is not a valid IPv4 address",
      "r.conf:7:73: family inet mtu '9300' is not in 68..9216",
      "r.conf:8:52: '10.0.0.1/24' is not an IPv6 address (family inet6)",
      "r.conf:8:89: prefix length '33' is not in 0..32",
      "r.conf:11:34: static route: prefix length '40' is not in 0..32",
      'r.conf:11:82: static route 10.1.0.0/16: next-hop 2001:db8::1 is not an IPv4 address',
      'r.conf:11:95: static route 10.2.0.0/16: needs next-hop, discard, reject, next-table or static-lsp-next-hop',
      "r.conf:11:126: router-id '1.2.3' is not an IPv4 address",
    ]);
  });

  test('cross references: instances, next-hop interfaces, duplicates, MTUs, VLANs, neighbours', () => {
    expect(
      errors(`set interfaces ge-0/0/0 mtu 1514
set interfaces ge-0/0/0 unit 0 family inet mtu 1501
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24 arp 10.9.0.2 mac 00:11:22:33:44:55
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set interfaces ge-0/0/1 unit 5 vlan-id 5
set interfaces ge-0/0/2 vlan-tagging
set interfaces ge-0/0/2 unit 1 vlan-id 8
set interfaces ge-0/0/2 unit 2 vlan-id 8
set routing-instances A instance-type vrf
set routing-instances A interface ge-0/0/2.1
set routing-instances A interface ge-0/0/9.0
set routing-instances B instance-type virtual-router
set routing-instances B interface ge-0/0/2.1
set routing-instances C interface ge-0/0/2.2
set routing-options static route 0.0.0.0/0 next-hop ge-0/0/7.0`),
    ).toEqual([
      'r.conf:2:48: ge-0/0/0.0: family inet mtu 1501 is larger than the media mtu 1514 minus the 14-byte Ethernet header (1500)',
      'r.conf:3:68: arp 10.9.0.2 is not in the subnet of address 10.0.0.1/24',
      'r.conf:4:44: duplicate address 10.0.0.1: already on ge-0/0/0.0 (at 3:44)',
      'r.conf:5:40: ge-0/0/1.5: a VLAN id needs vlan-tagging, flexible-vlan-tagging or stacked-vlan-tagging on ge-0/0/1',
      'r.conf:8:40: ge-0/0/2.2: VLAN 8 is already used by ge-0/0/2.1 (at 7:40)',
      'r.conf:11:35: routing instance A: interface ge-0/0/9.0 does not exist',
      'r.conf:13:35: interface ge-0/0/2.1 is in routing instance A (at 10:35) and B',
      'r.conf:14:23: routing instance C: missing instance-type',
      'r.conf:15:53: static route 0.0.0.0/0: next-hop interface ge-0/0/7.0 does not exist',
    ]);
  });

  test('errors from groups point into the group', () => {
    expect(errors('groups {\n  G { interfaces { <ge-*> { mtu 99; } } }\n}\napply-groups G;\ninterfaces { ge-0/0/0; }')).toEqual([
      "r.conf:2:33: mtu '99' is not in 256..9216",
    ]);
  });
});
