import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadScenarioFile, loadScenarioText } from './scenario.js';
import { loadJunosText } from './junos-device.js';
import { ConfigError, formatLoc } from './model.js';
import { strip } from './testing.js';

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

/** A Proxmox node (linux-frr): VNet 10 over EVPN with an anycast gateway, VNet 20 flood-and-learn. */
const PROXMOX = `devices:
  PVE1:
    profile: linux-frr
    interfaces:
      lo: { inet: [10.255.0.11/32] }
      eth0: { inet: [192.0.2.11/24] }
      tap100i0: { encapsulation: ethernet-bridge }
      tap101i0: { encapsulation: ethernet-bridge }
      tap102i0: { vlan-tagging: true, units: { 20: { vlan-id: 20, encapsulation: vlan-bridge } } }
      irb:
        units:
          10:
            inet: [10.0.10.2/24]
            inet6: [2001:db8:10::2/64]
            virtual-gateway: { address: [10.0.10.1, 2001:db8:10::1], mac: 00:00:5e:00:01:01, accept-data: true }
    routes:
      - { prefix: 10.255.0.0/24, next-hop: 192.0.2.1 }
    routing-instances:
      vnets:
        type: mac-vrf
        vtep-source: lo
        evpn: true
        service-type: vlan-aware
        bridge-domains:
          vnet10: { vlan-id: 10, vni: 10010, interfaces: [tap100i0, tap101i0], routing-interface: irb.10,
                    mac-limit: 1000, interface-mac-limit: 100, aging-time: 300, arp-suppression: false }
          vnet20: { vlan-id: 20, vni: 10020, interfaces: [tap102i0.20], remote-vteps: [10.255.0.12, 10.255.0.13],
                    udp-port: 8472, learning: false }
    evpn:
      - { type: 2, vni: 10010, mac: "02:00:00:00:0a:02", ip: 10.0.10.20, vtep: 10.255.0.12 }
      - { type: 2, vni: 10010, mac: 0200.0000.0a03, vtep: 10.255.0.12 }
      - { type: 3, vni: 10010, vtep: 10.255.0.12 }
  PE1:
    config: evpn-vxlan-pe1.conf
    profile: junos
    evpn:
      - { type: 3, vni: 10020, vtep: 12.1.1.2 }
`;

describe('YAML bridging', () => {
  const s = loadScenarioText(PROXMOX, fixture('evpn.yaml'));
  const [pve, pe1] = s.devices;

  test('a Proxmox node: bridged units, an irb gateway, a mac-vrf with an EVPN and a flood-and-learn VNet', () => {
    expect(pve!.profile).toBe('linux-frr');
    expect(pve!.ifds.flatMap((i) => i.units).map((u) => [u.name, u.bridged ?? false])).toEqual([
      ['lo.0', false],
      ['eth0.0', false],
      ['tap100i0.0', true],
      ['tap101i0.0', true],
      ['tap102i0.20', true],
      ['irb.10', false],
    ]);
    const irb = pve!.ifds.find((i) => i.name === 'irb')!.units[0]!;
    expect(strip({ ...irb.virtualGateway! } as never)).toEqual({
      v4: ['10.0.10.1'],
      v6: ['2001:db8:10::1'],
      v4Mac: '00:00:5e:00:01:01',
      v6Mac: '00:00:5e:00:01:01',
      acceptData: true,
    });
    const [master, vnets] = pve!.instances;
    expect(master!.interfaces).toEqual(['lo.0', 'eth0.0', 'irb.10']);
    expect(strip({ ...vnets! } as never)).toEqual({
      name: 'vnets',
      type: 'mac-vrf',
      interfaces: ['tap100i0.0', 'tap101i0.0', 'tap102i0.20'],
      routes: [],
      l2: {
        serviceType: 'vlan-aware',
        evpn: true,
        vtepSource: 'lo.0',
        noArpSuppression: false,
        bridgeDomains: [
          {
            name: 'vnet10',
            vlanId: 10,
            vni: 10010,
            interfaces: ['tap100i0.0', 'tap101i0.0'],
            routingInterface: 'irb.10',
            staticRemoteVteps: [],
            macTableSize: 1000,
            interfaceMacLimit: 100,
            macTableAgingTime: 300,
            noMacLearning: false,
            noArpSuppression: true,
          },
          {
            name: 'vnet20',
            vlanId: 20,
            vni: 10020,
            interfaces: ['tap102i0.20'],
            staticRemoteVteps: ['10.255.0.12', '10.255.0.13'],
            udpPort: 8472,
            noMacLearning: true,
            noArpSuppression: false,
          },
        ],
      },
    });
  });

  test('evpn routes: type 2 (MAC, MAC+IP) and type 3, with their locations; also next to config', () => {
    const file = fixture('evpn.yaml');
    expect(pve!.evpnRoutes).toEqual([
      { type: 2, vni: 10010, mac: '02:00:00:00:0a:02', ip: '10.0.10.20', vtep: '10.255.0.12', loc: { file, line: 30, col: 9 } },
      { type: 2, vni: 10010, mac: '02:00:00:00:0a:03', vtep: '10.255.0.12', loc: { file, line: 31, col: 9 } },
      { type: 3, vni: 10010, vtep: '10.255.0.12', loc: { file, line: 32, col: 9 } },
    ]);
    expect(pe1!.evpnRoutes).toEqual([{ type: 3, vni: 10020, vtep: '12.1.1.2', loc: { file, line: 37, col: 9 } }]);
    expect(pe1!.instances[1]!.l2!.bridgeDomains.map((b) => b.vni)).toEqual([10010, 10020]);
  });

  test('the YAML form and the Junos form of one device build the same model', () => {
    const junos = loadJunosText(
      `interfaces {
    lo0 { unit 0 { family inet { address 10.255.0.1/32; } } }
    xe-0/0/0 { vlan-tagging; unit 10 { encapsulation vlan-bridge; vlan-id 10; } }
    irb { unit 10 { virtual-gateway-accept-data; family inet { address 10.0.10.2/24 { virtual-gateway-address 10.0.10.1; } } } }
}
routing-instances {
    MV {
        instance-type mac-vrf;
        protocols { evpn { encapsulation vxlan; } }
        vtep-source-interface lo0.0;
        bridge-domains { V10 { vlan-id 10; interface xe-0/0/0.10; routing-interface irb.10; vxlan { vni 5010; } bridge-options { no-mac-learning; } } }
    }
}`,
      'r.conf',
      { deviceName: 'R' },
    );
    const yaml = loadScenarioText(
      `devices:
  R:
    interfaces:
      lo0: { inet: [10.255.0.1/32] }
      xe-0/0/0: { vlan-tagging: true, units: { 10: { encapsulation: vlan-bridge, vlan-id: 10 } } }
      irb: { units: { 10: { inet: [10.0.10.2/24], virtual-gateway: { address: 10.0.10.1, accept-data: true } } } }
    routing-instances:
      MV:
        type: mac-vrf
        evpn: true
        vtep-source: lo0.0
        bridge-domains: { V10: { vlan-id: 10, interfaces: [xe-0/0/0.10], routing-interface: irb.10, vni: 5010, learning: false } }
`,
      'r.yaml',
    ).devices[0]!;
    expect(strip(yaml)).toEqual(strip(junos));
  });
});

describe('YAML bridging errors, each with file:line:column', () => {
  test('bridge domains, gateways and instance keys get the checks of the Junos form', () => {
    expect(
      errors(`devices:
  H:
    interfaces:
      lo: { inet: [10.255.0.1/32] }
      eth0: { inet: [10.0.0.1/24] }
      eth1: { encapsulation: ethernet-bridge, inet: [10.1.0.1/24] }
      irb: { units: { 1: { inet: [10.9.0.2/24], virtual-gateway: { address: [10.8.0.1, 10.9.0.2, gw], mac: 00-00-5e, colour: red } } } }
    routing-instances:
      r: { type: vrf, vtep-source: lo }
      v:
        type: mac-vrf
        bridge-domains:
          a: { vni: 0, vlan-id: 5000, interfaces: [eth0, eth9], remote-vteps: [1.2.3], udp-port: 0, learning: maybe }
          b: { vni: 7, interfaces: eth1, routing-interface: eth0 }
          c: { vni: 7, mac-limit: 8, aging-time: 5, interface-mac-limit: 0 }
      w: { type: l2vpn }
`),
    ).toEqual([
      "s.yaml:6:47: eth1.0: a bridged unit cannot have family inet (route through the bridge domain's routing-interface)",
      "s.yaml:7:78: irb.1: virtual-gateway-address 10.8.0.1 is not in the subnet of the unit's address (10.9.0.2/24)",
      "s.yaml:7:88: irb.1: virtual-gateway-address 10.9.0.2 is the unit's own address",
      "s.yaml:7:98: irb.1 virtual-gateway address: 'gw' is not an IP address",
      "s.yaml:7:108: irb.1 virtual-gateway mac: '00-00-5e' is not a valid MAC address",
      "s.yaml:7:118: irb.1 virtual-gateway: unknown key 'colour' (expected one of: address, mac, accept-data)",
      's.yaml:9:23: routing instance r: vtep-source is only valid in a mac-vrf or virtual-switch instance',
      's.yaml:13:21: bridge domain a vni: expected an integer in 1..16777215',
      's.yaml:13:33: bridge domain a vlan-id: expected an integer in 1..4094',
      's.yaml:13:52: bridge domain a: interface eth0.0 is not bridged (encapsulation vlan-bridge or family bridge)',
      's.yaml:13:58: bridge domain a: interface eth9.0 does not exist',
      "s.yaml:13:80: bridge domain a remote-vteps: '1.2.3' is not an IP address",
      's.yaml:13:98: bridge domain a udp-port: expected an integer in 1..65535',
      's.yaml:13:111: bridge domain a learning: expected true or false',
      's.yaml:14:21: routing instance v: bridge domain b has a VNI but the instance has no vtep-source-interface',
      's.yaml:14:61: bridge domain b: routing-interface eth0.0 is not an existing irb unit',
      's.yaml:15:21: VNI 7 is used by bridge domains b (at 14:21) and c',
      's.yaml:15:35: bridge domain c mac-limit: expected an integer in 16..1048575',
      's.yaml:15:50: bridge domain c aging-time: expected an integer in 10..1000000',
      's.yaml:15:74: bridge domain c interface-mac-limit: expected an integer in 1..131071',
      's.yaml:16:18: routing instance w: type must be vrf, virtual-router, forwarding, mac-vrf or virtual-switch',
    ]);
  });

  test('evpn routes: types, VNIs, MACs, addresses; evpn goes with config and junos', () => {
    expect(
      errors(`devices:
  A:
    junos: "set interfaces lo0 unit 0 family inet address 10.0.0.1/32"
    evpn:
      - { type: 5, vni: 1, vtep: 10.0.0.2 }
      - { type: 2, vni: 16777216, vtep: 10.0.0.2, mac: 00:11 }
      - { type: 2, vni: 10, vtep: vtep2, ip: 10.0.0.300 }
      - { type: 3, vni: 10, vtep: 10.0.0.2, mac: "00:00:00:00:00:01" }
      - { vni: 10, vtep: 10.0.0.2, next-hop: 1.1.1.1 }
  B:
    evpn: []
`),
    ).toEqual([
      's.yaml:5:17: evpn route type: expected an integer in 2..3',
      's.yaml:6:25: evpn route vni: expected an integer in 1..16777215',
      "s.yaml:6:56: evpn route: mac '00:11' is not a valid MAC address",
      's.yaml:7:9: evpn route: type 2 needs a mac',
      "s.yaml:7:35: evpn route: vtep 'vtep2' is not an IP address",
      "s.yaml:7:46: evpn route: ip '10.0.0.300' is not an IP address",
      's.yaml:8:45: evpn route: type 3 has no mac',
      "s.yaml:9:9: evpn route: missing 'type'",
      "s.yaml:9:36: evpn route: unknown key 'next-hop' (expected one of: type, vni, mac, ip, vtep)",
      's.yaml:10:3: device B: needs config (a Junos file), junos (inline Junos text) or interfaces',
    ]);
  });
});

describe('the bundled scenario examples/evpn-ipsec', () => {
  test('loads: two PEs with the seed group, P1, the links; each PE the mirror of the other', () => {
    const s = loadScenarioFile(fileURLToPath(new URL('../../examples/evpn-ipsec/scenario.yaml', import.meta.url)));
    expect(s.devices.map((d) => d.name)).toEqual(['PE1', 'P1', 'PE2']);
    expect(s.links.map((l) => [`${l.a.device}:${l.a.ifd}`, `${l.b.device}:${l.b.ifd}`])).toEqual([
      ['PE1:ae0', 'P1:ae0'],
      ['P1:ae1', 'PE2:ae1'],
    ]);
    const [pe1, , pe2] = s.devices;
    const summary = (d: (typeof s.devices)[number]) => ({
      peers: d.evpnPeers.map((p) => p.address),
      routes: d.instances[0]!.routes.map((r) => `${r.prefix} ${r.nextHops.map((n) => n.address ?? n.interface).join()}`),
      domains: d.instances[1]!.l2!.bridgeDomains.map((b) => [b.name, b.vlanId, b.vni, b.interfaces, b.routingInterface]),
      gateways: d.ifds.find((i) => i.name === 'irb')!.units.map((u) => u.virtualGateway!.v4),
      vrf: d.instances[2]!.interfaces,
    });
    expect(summary(pe1!)).toEqual({
      peers: ['12.1.1.2'],
      routes: ['13.10.2.0/24 13.10.1.2', '12.1.1.2/32 st0.1'],
      domains: [
        ['V_10', 10, 10010, ['et-0/2/10.10'], 'irb.10'],
        ['V_20', 20, 10020, ['et-0/2/10.20'], 'irb.20'],
      ],
      gateways: [['13.11.1.254'], ['13.11.2.254']],
      vrf: ['irb.10', 'irb.20'],
    });
    expect(summary(pe2!)).toEqual({
      peers: ['12.1.1.1'],
      routes: ['13.10.1.0/24 13.10.2.1', '12.1.1.1/32 st0.1'],
      domains: [
        ['V_10', 10, 10010, ['et-0/0/4.10'], 'irb.10'],
        ['V_20', 20, 10020, ['et-0/0/4.20'], 'irb.20'],
      ],
      gateways: [['13.11.1.254'], ['13.11.2.254']],
      vrf: ['irb.10', 'irb.20'],
    });
    expect(pe2!.security!.ikeGateways.map((g) => [g.addresses, g.localAddress, g.externalInterface])).toEqual([[['13.10.1.1'], '13.10.2.2', 'ae1.0']]);
  });
});
