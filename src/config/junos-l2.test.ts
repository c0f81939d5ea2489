import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadJunosFile, loadJunosText } from './junos-device.js';
import { errors, strip } from './testing.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("the seed's EVPN-VXLAN PE1 (evpn-vxlan-pe1.conf: group IPSec_EVPN_VxLAN as printed)", () => {
  const d = loadJunosFile(fixture('evpn-vxlan-pe1.conf'));
  const ifd = (name: string) => d.ifds.find((i) => i.name === name)!;

  test('loads with no problems: mac-vrf evpn_vxlan_1 with bridge domains V_10 and V_20', () => {
    expect(d.name).toBe('PE1');
    expect(d).toMatchObject({ routerId: '12.1.1.1', autonomousSystem: 64512 });
    const [master, macVrf, vrf] = d.instances;
    expect(strip(macVrf!)).toEqual({
      name: 'evpn_vxlan_1',
      type: 'mac-vrf',
      interfaces: ['et-0/2/10.10', 'et-0/2/10.20'],
      routes: [],
      routeDistinguisher: '12.1.1.1:1',
      vrfTarget: 'target:64512:1',
      l2: {
        serviceType: 'vlan-aware',
        evpn: true,
        vtepSource: 'lo0.0',
        noArpSuppression: false,
        bridgeDomains: [
          {
            name: 'V_10',
            vlanId: 10,
            vni: 10010,
            interfaces: ['et-0/2/10.10'],
            routingInterface: 'irb.10',
            staticRemoteVteps: [],
            noMacLearning: false,
            noArpSuppression: false,
          },
          {
            name: 'V_20',
            vlanId: 20,
            vni: 10020,
            interfaces: ['et-0/2/10.20'],
            routingInterface: 'irb.20',
            staticRemoteVteps: [],
            noMacLearning: false,
            noArpSuppression: false,
          },
        ],
      },
    });
    expect(vrf).toMatchObject({ name: 'vrf_1', type: 'vrf', interfaces: ['irb.10', 'irb.20'], routeDistinguisher: '12.1.1.1:10' });
    expect(vrf!.l2).toBeUndefined();
    // The bridged units are in no routed instance.
    expect(master!.interfaces).toEqual(['lo0.0', 'si-0/1/0.0', 'si-0/1/0.1', 'st0.1', 'ae0.0']);
    expect(master!.routes.map((r) => [r.prefix, r.nextHops])).toEqual([['12.1.1.2/32', [{ interface: 'st0.1' }]]]);
  });

  test('bridged units on a flexible-ethernet-services IFD; irb units with the anycast gateway', () => {
    expect(ifd('et-0/2/10')).toMatchObject({ vlanTagging: 'flexible-vlan-tagging', encapsulation: 'flexible-ethernet-services', mtu: 9192 });
    expect(ifd('et-0/2/10').units.map((u) => [u.name, u.encapsulation, u.vlanId, u.bridged, u.inet])).toEqual([
      ['et-0/2/10.10', 'vlan-bridge', 10, true, undefined],
      ['et-0/2/10.20', 'vlan-bridge', 20, true, undefined],
    ]);
    expect(ifd('irb').units.map((u) => [u.name, u.bridged, u.inet!.addresses.map((a) => `${a.address}/${a.prefixLength}`), u.virtualGateway])).toEqual([
      ['irb.10', undefined, ['13.11.1.1/24'], { v4: ['13.11.1.254'], v6: [], acceptData: true, loc: { file: fixture('evpn-vxlan-pe1.conf'), line: 151, col: 21 } }],
      ['irb.20', undefined, ['13.11.2.1/24'], { v4: ['13.11.2.254'], v6: [], acceptData: true, loc: { file: fixture('evpn-vxlan-pe1.conf'), line: 159, col: 21 } }],
    ]);
    expect(d.ifds.flatMap((i) => i.units).filter((u) => u.bridged).map((u) => u.name)).toEqual(['et-0/2/10.10', 'et-0/2/10.20']);
  });

  test('the BGP group with family evpn gives the EVPN peer; the group is modelled (junos-bgp.ts)', () => {
    expect(d.evpnPeers).toEqual([{ address: '12.1.1.2', loc: { file: fixture('evpn-vxlan-pe1.conf'), line: 232, col: 30 } }]);
    expect(d.evpnRoutes).toEqual([]);
    expect(d.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '6:9 chassis',
      '30:17 security ike proposal ike_proposal',
      '34:17 security ike policy ike_policy',
      '50:21 security ipsec proposal ipsec_proposal description IPSec Proposal at PE1',
      '62:25 security ipsec vpn ipsec_evpn_vxlan ike anti-replay-window-size 4096',
      '75:21 interfaces lo0 unit 0 family iso',
      '127:25 interfaces ae0 aggregated-ether-options lacp periodic fast',
      '134:21 interfaces ae0 unit 0 family iso',
      '179:25 policy-options policy-statement pplb term pplb then load-balance per-flow',
      '235:13 protocols isis',
      '246:13 protocols lldp',
      '257:13 routing-options forwarding-table',
    ]);
  });
});

/** Every modelled statement, in the curly form ... */
const CURLY = `interfaces {
    lo0 { unit 0 { family inet { address 10.255.0.1/32; } family inet6 { address 2001:db8:ff::1/128; } } }
    xe-0/0/0 {
        vlan-tagging;
        encapsulation flexible-ethernet-services;
        unit 10 { encapsulation vlan-bridge; vlan-id 10; }
        unit 11 { encapsulation vlan-bridge; vlan-id 110; }
        unit 30 { vlan-id 30; family bridge { interface-mode access; } }
    }
    xe-0/0/1 { encapsulation ethernet-bridge; unit 0; }
    xe-0/0/2 { vlan-tagging; encapsulation extended-vlan-bridge; unit 40 { vlan-id 40; } unit 50 { vlan-id 50; } }
    xe-0/0/3 { unit 0 { family ethernet-switching; } }
    irb {
        unit 10 {
            virtual-gateway-accept-data;
            virtual-gateway-v4-mac 00:00:5e:00:01:0a;
            virtual-gateway-v6-mac 0000.5e00.020a;
            family inet { address 192.0.2.2/24 { virtual-gateway-address 192.0.2.1; } }
            family inet6 { address 2001:db8:10::2/64 { virtual-gateway-address 2001:db8:10::1; } }
        }
        unit 30 { family inet { address 198.51.100.2/24 { virtual-gateway-address 198.51.100.1; } } }
    }
}
routing-instances {
    MV {
        instance-type mac-vrf;
        service-type vlan-based;
        protocols { evpn { encapsulation vxlan; default-gateway advertise; no-arp-suppression; } }
        vtep-source-interface lo0;
        switch-options { mac-table-size 2000; interface-mac-limit { limit 100; } mac-table-aging-time 600; }
        route-distinguisher 10.255.0.1:1;
        vrf-target target:65000:1;
        bridge-domains {
            BD10 {
                vlan-id 10;
                interface xe-0/0/0.10;
                interface xe-0/0/0.11;
                routing-interface irb.10;
                vxlan { vni 5010; ingress-node-replication; }
            }
        }
        vlans {
            BD30 {
                vlan-id none;
                interface xe-0/0/0.30;
                routing-interface irb.30;
                no-arp-suppression;
                vxlan { vni 5030; static-remote-vtep-list [ 10.255.0.2 2001:db8:ff::3 ]; destination-udp-port 8472; }
                bridge-options { mac-table-size { limit 64; packet-action drop; } interface-mac-limit 8; mac-table-aging-time 30; no-mac-learning; }
            }
        }
    }
    VS {
        instance-type virtual-switch;
        vtep-source-interface lo0.0;
        bridge-domains {
            B40 { vlan-id 40; interface xe-0/0/2.40; vxlan { vni 5040; } }
            B50 { vlan-id 50; interface xe-0/0/2.50; interface xe-0/0/1.0; interface xe-0/0/3.0; }
        }
    }
}
protocols {
    bgp {
        group OVERLAY { type internal; family evpn { signaling; } neighbor 10.255.0.2; neighbor 2001:db8:ff::3; }
        group UNDERLAY { type external; peer-as 65001; family inet { unicast; } neighbor 192.0.2.9; neighbor 192.0.2.10 { family evpn { signaling; } } }
    }
}`;

/** ... and the set form of the same configuration. */
const SET = `set interfaces lo0 unit 0 family inet address 10.255.0.1/32
set interfaces lo0 unit 0 family inet6 address 2001:db8:ff::1/128
set interfaces xe-0/0/0 vlan-tagging
set interfaces xe-0/0/0 encapsulation flexible-ethernet-services
set interfaces xe-0/0/0 unit 10 encapsulation vlan-bridge
set interfaces xe-0/0/0 unit 10 vlan-id 10
set interfaces xe-0/0/0 unit 11 encapsulation vlan-bridge
set interfaces xe-0/0/0 unit 11 vlan-id 110
set interfaces xe-0/0/0 unit 30 vlan-id 30
set interfaces xe-0/0/0 unit 30 family bridge interface-mode access
set interfaces xe-0/0/1 encapsulation ethernet-bridge
set interfaces xe-0/0/1 unit 0
set interfaces xe-0/0/2 vlan-tagging
set interfaces xe-0/0/2 encapsulation extended-vlan-bridge
set interfaces xe-0/0/2 unit 40 vlan-id 40
set interfaces xe-0/0/2 unit 50 vlan-id 50
set interfaces xe-0/0/3 unit 0 family ethernet-switching
set interfaces irb unit 10 virtual-gateway-accept-data
set interfaces irb unit 10 virtual-gateway-v4-mac 00:00:5e:00:01:0a
set interfaces irb unit 10 virtual-gateway-v6-mac 0000.5e00.020a
set interfaces irb unit 10 family inet address 192.0.2.2/24 virtual-gateway-address 192.0.2.1
set interfaces irb unit 10 family inet6 address 2001:db8:10::2/64 virtual-gateway-address 2001:db8:10::1
set interfaces irb unit 30 family inet address 198.51.100.2/24 virtual-gateway-address 198.51.100.1
set routing-instances MV instance-type mac-vrf
set routing-instances MV service-type vlan-based
set routing-instances MV protocols evpn encapsulation vxlan
set routing-instances MV protocols evpn default-gateway advertise
set routing-instances MV protocols evpn no-arp-suppression
set routing-instances MV vtep-source-interface lo0
set routing-instances MV switch-options mac-table-size 2000
set routing-instances MV switch-options interface-mac-limit limit 100
set routing-instances MV switch-options mac-table-aging-time 600
set routing-instances MV route-distinguisher 10.255.0.1:1
set routing-instances MV vrf-target target:65000:1
set routing-instances MV bridge-domains BD10 vlan-id 10
set routing-instances MV bridge-domains BD10 interface xe-0/0/0.10
set routing-instances MV bridge-domains BD10 interface xe-0/0/0.11
set routing-instances MV bridge-domains BD10 routing-interface irb.10
set routing-instances MV bridge-domains BD10 vxlan vni 5010
set routing-instances MV bridge-domains BD10 vxlan ingress-node-replication
set routing-instances MV vlans BD30 vlan-id none
set routing-instances MV vlans BD30 interface xe-0/0/0.30
set routing-instances MV vlans BD30 routing-interface irb.30
set routing-instances MV vlans BD30 no-arp-suppression
set routing-instances MV vlans BD30 vxlan vni 5030
set routing-instances MV vlans BD30 vxlan static-remote-vtep-list [ 10.255.0.2 2001:db8:ff::3 ]
set routing-instances MV vlans BD30 vxlan destination-udp-port 8472
set routing-instances MV vlans BD30 bridge-options mac-table-size limit 64
set routing-instances MV vlans BD30 bridge-options mac-table-size packet-action drop
set routing-instances MV vlans BD30 bridge-options interface-mac-limit 8
set routing-instances MV vlans BD30 bridge-options mac-table-aging-time 30
set routing-instances MV vlans BD30 bridge-options no-mac-learning
set routing-instances VS instance-type virtual-switch
set routing-instances VS vtep-source-interface lo0.0
set routing-instances VS bridge-domains B40 vlan-id 40
set routing-instances VS bridge-domains B40 interface xe-0/0/2.40
set routing-instances VS bridge-domains B40 vxlan vni 5040
set routing-instances VS bridge-domains B50 vlan-id 50
set routing-instances VS bridge-domains B50 interface xe-0/0/2.50
set routing-instances VS bridge-domains B50 interface xe-0/0/1.0
set routing-instances VS bridge-domains B50 interface xe-0/0/3.0
set protocols bgp group OVERLAY type internal
set protocols bgp group OVERLAY family evpn signaling
set protocols bgp group OVERLAY neighbor 10.255.0.2
set protocols bgp group OVERLAY neighbor 2001:db8:ff::3
set protocols bgp group UNDERLAY type external
set protocols bgp group UNDERLAY peer-as 65001
set protocols bgp group UNDERLAY family inet unicast
set protocols bgp group UNDERLAY neighbor 192.0.2.9
set protocols bgp group UNDERLAY neighbor 192.0.2.10 family evpn signaling`;

describe('every statement, curly and set form', () => {
  const curly = loadJunosText(CURLY, 'c.conf', { deviceName: 'R' });
  const set = loadJunosText(SET, 's.set', { deviceName: 'R' });

  test('both forms build the same model and report the same ignored statements', () => {
    expect(strip(set)).toEqual(strip(curly));
    expect(curly.ignored.map((i) => i.path)).toEqual([
      'interfaces xe-0/0/0 unit 30 family bridge interface-mode access',
      'routing-instances MV vlans BD30 bridge-options mac-table-size packet-action drop',
    ]);
    expect(set.ignored.map((i) => i.path)).toEqual(curly.ignored.map((i) => i.path));
  });

  test('bridged units: vlan-bridge, family bridge / ethernet-switching, ethernet-bridge and extended-vlan-bridge IFDs', () => {
    expect(curly.ifds.flatMap((i) => i.units).map((u) => [u.name, u.bridged ?? false])).toEqual([
      ['lo0.0', false],
      ['xe-0/0/0.10', true],
      ['xe-0/0/0.11', true],
      ['xe-0/0/0.30', true],
      ['xe-0/0/1.0', true],
      ['xe-0/0/2.40', true],
      ['xe-0/0/2.50', true],
      ['xe-0/0/3.0', true],
      ['irb.10', false],
      ['irb.30', false],
    ]);
  });

  test('irb units: v4 and v6 gateway addresses, MACs, accept-data', () => {
    const irb = curly.ifds.find((i) => i.name === 'irb')!;
    expect(irb.units.map((u) => strip({ ...u.virtualGateway! } as never))).toEqual([
      { v4: ['192.0.2.1'], v6: ['2001:db8:10::1'], v4Mac: '00:00:5e:00:01:0a', v6Mac: '00:00:5e:00:02:0a', acceptData: true },
      { v4: ['198.51.100.1'], v6: [], acceptData: false },
    ]);
  });

  test('mac-vrf and virtual-switch instances: options, bridge domains (bridge-domains and vlans), VXLAN settings; a unit of another VLAN in a vlan-based domain (xe-0/0/0.11) is accepted', () => {
    const [master, mv, vs] = curly.instances;
    expect(master!.interfaces).toEqual(['lo0.0', 'irb.10', 'irb.30']);
    expect(strip(mv!)).toEqual({
      name: 'MV',
      type: 'mac-vrf',
      interfaces: ['xe-0/0/0.10', 'xe-0/0/0.11', 'xe-0/0/0.30'],
      routes: [],
      routeDistinguisher: '10.255.0.1:1',
      vrfTarget: 'target:65000:1',
      l2: {
        serviceType: 'vlan-based',
        evpn: true,
        vtepSource: 'lo0.0',
        noArpSuppression: true,
        macTableSize: 2000,
        interfaceMacLimit: 100,
        macTableAgingTime: 600,
        bridgeDomains: [
          {
            name: 'BD10',
            vlanId: 10,
            vni: 5010,
            interfaces: ['xe-0/0/0.10', 'xe-0/0/0.11'],
            routingInterface: 'irb.10',
            staticRemoteVteps: [],
            noMacLearning: false,
            noArpSuppression: false,
          },
          {
            name: 'BD30',
            vni: 5030,
            interfaces: ['xe-0/0/0.30'],
            routingInterface: 'irb.30',
            staticRemoteVteps: ['10.255.0.2', '2001:db8:ff::3'],
            udpPort: 8472,
            macTableSize: 64,
            interfaceMacLimit: 8,
            macTableAgingTime: 30,
            noMacLearning: true,
            noArpSuppression: true,
          },
        ],
      },
    });
    expect(vs!.type).toBe('virtual-switch');
    expect(vs!.interfaces).toEqual(['xe-0/0/2.40', 'xe-0/0/2.50', 'xe-0/0/1.0', 'xe-0/0/3.0']);
    expect(vs!.l2).toMatchObject({ evpn: false, vtepSource: 'lo0.0', noArpSuppression: false });
    expect(vs!.l2!.serviceType).toBeUndefined();
    expect(vs!.l2!.bridgeDomains.map((b) => [b.name, b.vlanId, b.vni])).toEqual([
      ['B40', 40, 5040],
      ['B50', 50, undefined],
    ]);
  });

  test('EVPN peers: neighbours of groups with family evpn, and neighbours with their own', () => {
    expect(curly.evpnPeers).toEqual([
      { address: '10.255.0.2', loc: { file: 'c.conf', line: 64, col: 76 } },
      { address: '2001:db8:ff::3', loc: { file: 'c.conf', line: 64, col: 97 } },
      { address: '192.0.2.10', loc: { file: 'c.conf', line: 65, col: 110 } },
    ]);
  });
});

describe('errors: all collected, each with file:line:column', () => {
  test('units: bridged encapsulations, families on bridged units, the anycast gateway', () => {
    expect(
      errors(`set interfaces xe-0/0/0 vlan-tagging
set interfaces xe-0/0/0 unit 1 encapsulation vlan-bridge
set interfaces xe-0/0/0 unit 2 encapsulation vlan-bridge
set interfaces xe-0/0/0 unit 2 vlan-id 2
set interfaces xe-0/0/0 unit 2 family inet address 10.0.0.1/24
set interfaces xe-0/0/1 encapsulation ethernet-bridge
set interfaces xe-0/0/1 unit 1
set interfaces xe-0/0/2 vlan-tagging
set interfaces xe-0/0/2 encapsulation extended-vlan-bridge
set interfaces xe-0/0/2 unit 3
set interfaces xe-0/0/3 unit 0 family bridge
set interfaces xe-0/0/3 unit 0 family inet6
set interfaces irb unit 1 family inet address 10.1.0.1/24 virtual-gateway-address 10.2.0.1
set interfaces irb unit 1 family inet address 10.1.1.1/24 virtual-gateway-address 10.1.1.1
set interfaces irb unit 1 family inet address 10.1.2.1/24 virtual-gateway-address 2001:db8::1
set interfaces irb unit 1 virtual-gateway-v4-mac 00:00:5e:00:01
set interfaces irb unit 2 virtual-gateway-accept-data
set interfaces irb unit 2 family inet address 10.3.0.1/24
set interfaces xe-0/0/4 unit 0 family inet address 10.4.0.1/24 virtual-gateway-address 10.4.0.254`),
    ).toEqual([
      'r.conf:2:25: xe-0/0/0.1: encapsulation vlan-bridge needs a vlan-id',
      'r.conf:5:32: xe-0/0/0.2: a bridged unit cannot have family inet (route through the bridge domain\'s routing-interface)',
      'r.conf:7:25: xe-0/0/1.1: xe-0/0/1 has encapsulation ethernet-bridge: only unit 0, untagged',
      'r.conf:10:25: xe-0/0/2.3: xe-0/0/2 has encapsulation extended-vlan-bridge: the unit needs a vlan-id',
      "r.conf:12:32: xe-0/0/3.0: a bridged unit cannot have family inet6 (route through the bridge domain's routing-interface)",
      'r.conf:13:83: irb.1: virtual-gateway-address 10.2.0.1 is not in the subnet of the unit\'s address (10.1.0.1/24)',
      "r.conf:14:83: irb.1: virtual-gateway-address 10.1.1.1 is the unit's own address",
      "r.conf:15:83: irb.1: virtual-gateway-address '2001:db8::1' is not an IPv4 address",
      "r.conf:16:50: virtual-gateway-v4-mac: '00:00:5e:00:01' is not a valid MAC address",
      'r.conf:17:27: irb.2: the virtual gateway has no virtual-gateway-address',
      'r.conf:19:64: xe-0/0/4.0: a virtual gateway is only valid on an irb unit',
    ]);
  });

  test('bridge domains: interfaces, VNIs, VLANs, routing interfaces, VTEP source, VXLAN values', () => {
    expect(
      errors(`interfaces {
    lo0 { unit 0 { family inet { address 10.255.0.1/32; } } unit 1; }
    xe-0/0/0 { flexible-vlan-tagging; unit 1 { encapsulation vlan-bridge; vlan-id 1; } unit 2 { vlan-id 2; family inet; } }
    irb { unit 1 { family inet; } }
}
routing-instances {
    A {
        instance-type mac-vrf;
        service-type vlan-aware;
        vtep-source-interface lo0.0;
        interface xe-0/0/0.2;
        bridge-domains {
            B1 { vlan-id 10; interface xe-0/0/0.1; interface xe-0/0/0.9; routing-interface irb.1; vxlan { vni 100; } }
            B2 { vlan-id 10; interface xe-0/0/0.1; interface xe-0/0/0.2; routing-interface irb.1; vxlan { vni 0; } }
            B3 { vlan-id 4095; routing-interface xe-0/0/0.2; vxlan { vni 16777216; static-remote-vtep-list [ 10.0.0.1 vtep2 ]; destination-udp-port 65536; } }
        }
        vlans { B1 { vlan-id 30; } }
        switch-options { mac-table-size 8; interface-mac-limit 131072; mac-table-aging-time 9; }
    }
    B { instance-type virtual-switch; bridge-domains { B4 { vxlan { vni 100; } } B5 { vxlan { vni 200; } } } }
    C { instance-type mac-vrf; vtep-source-interface lo0.1; bridge-domains { B6 { vxlan { vni 300; } } } service-type vlan-any; }
    D { instance-type mac-vrf; vtep-source-interface lo0.7; }
    E { instance-type vrf; bridge-domains { X; } vtep-source-interface lo0.0; }
}`),
    ).toEqual([
      'r.conf:11:19: routing instance A: interface xe-0/0/0.2 is not bridged',
      'r.conf:13:62: bridge domain B1: interface xe-0/0/0.9 does not exist',
      'r.conf:14:26: routing instance A: vlan-id 10 is used by bridge domains B1 and B2',
      'r.conf:14:40: interface xe-0/0/0.1 is in bridge domains B1 (at 13:40) and B2',
      'r.conf:14:62: bridge domain B2: interface xe-0/0/0.2 is not bridged (encapsulation vlan-bridge or family bridge)',
      'r.conf:14:92: routing-interface irb.1 is used by bridge domains B1 (at 13:92) and B2',
      "r.conf:14:111: vni '0' is not in 1..16777215",
      "r.conf:15:26: vlan-id '4095' is not in 1..4094 or none",
      'r.conf:15:50: bridge domain B3: routing-interface xe-0/0/0.2 is not an existing irb unit',
      "r.conf:15:74: vni '16777216' is not in 1..16777215",
      "r.conf:15:119: static-remote-vtep-list: 'vtep2' is not an IP address",
      "r.conf:15:149: destination-udp-port '65536' is not in 1..65535",
      'r.conf:17:17: routing instance A: bridge domain B1 is configured twice (bridge-domains and vlans share names)',
      "r.conf:18:41: mac-table-size '8' is not in 16..1048575",
      "r.conf:18:64: interface-mac-limit '131072' is not in 1..131071",
      "r.conf:18:93: mac-table-aging-time '9' is not in 10..1000000",
      'r.conf:20:73: VNI 100 is used by bridge domains B1 (at 13:111) and B4',
      'r.conf:20:73: routing instance B: bridge domain B4 has a VNI but the instance has no vtep-source-interface',
      'r.conf:21:54: routing instance C: vtep-source-interface lo0.1 has no address',
      "r.conf:21:119: service-type 'vlan-any' is not vlan-based, vlan-bundle or vlan-aware",
      'r.conf:22:54: routing instance D: vtep-source-interface lo0.7 does not exist',
      'r.conf:23:28: bridge-domains is only valid in a mac-vrf or virtual-switch instance (E is vrf)',
      'r.conf:23:50: vtep-source-interface is only valid in a mac-vrf or virtual-switch instance (E is vrf)',
    ]);
  });

  test('protocols evpn and bgp', () => {
    expect(
      errors(`routing-instances {
    A { instance-type mac-vrf; protocols { evpn { encapsulation mpls; } } }
    B { instance-type mac-vrf; protocols { evpn { default-gateway do-not-advertise; extended-vni-list all; } } }
    C { instance-type mac-vrf; protocols { evpn { encapsulation gre; } } }
}
protocols {
    bgp {
        group G { family evpn { signaling; } neighbor peer1; neighbor 10.0.0.1; }
        group H { neighbor 10.0.0.1 { family evpn; } }
    }
}`),
    ).toEqual([
      'r.conf:2:65: encapsulation mpls: EVPN-MPLS is not emulated (use encapsulation vxlan)',
      'r.conf:3:44: protocols evpn: missing encapsulation vxlan (the default, MPLS, is not emulated)',
      "r.conf:4:65: encapsulation 'gre' is not vxlan or mpls",
      "r.conf:8:55: bgp group G: neighbor 'peer1' is not an IP address",
      'r.conf:9:28: bgp neighbor 10.0.0.1 is configured twice (also at 8:71)',
    ]);
  });
});
