// The bridging and EVPN show commands over a device that ran real frames:
// Junos text, one mac-vrf with an EVPN VNI and its IRB anycast gateway, one
// virtual-switch of flood and learn, EVPN routes given by the scenario.
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { show } from './show.js';

const CONF = `
system { host-name PE1; }
interfaces {
  et-0/0/0 { flexible-vlan-tagging; encapsulation flexible-ethernet-services;
    unit 10 { encapsulation vlan-bridge; vlan-id 10; } }
  et-0/0/1 { unit 0 { family bridge; } }
  et-0/0/2 { unit 0 { family inet { address 10.9.0.1/24 { arp 10.9.0.2 mac 02:00:00:00:09:02; } } } }
  et-0/0/3 { unit 0 { family bridge; } }
  lo0 { unit 0 { family inet { address 12.1.1.1/32; } } }
  irb { unit 10 { virtual-gateway-accept-data;
    family inet { address 13.11.1.1/24 { virtual-gateway-address 13.11.1.254; } } } }
}
routing-instances {
  evpn_vxlan_1 {
    instance-type mac-vrf;
    protocols { evpn { encapsulation vxlan; } }
    vtep-source-interface lo0.0;
    service-type vlan-aware;
    route-distinguisher 12.1.1.1:1;
    vrf-target target:64512:1;
    bridge-domains {
      V_10 { vlan-id 10; interface et-0/0/0.10; interface et-0/0/1.0; routing-interface irb.10; vxlan { vni 10010; } }
    }
  }
  vs_flood { instance-type virtual-switch; vtep-source-interface lo0.0;
    bridge-domains { V_30 { vlan-id 30; interface et-0/0/3.0; vxlan { vni 10030; static-remote-vtep-list [ 12.1.1.3 ]; } } } }
  vrf_1 { instance-type vrf; interface irb.10; }
}
routing-options { router-id 12.1.1.1; autonomous-system 64512;
  static { route 12.1.1.0/24 next-hop 10.9.0.2; } }
`;

const HOST_A = '02:00:00:00:0a:01'; // 13.11.1.10, et-0/0/0.10 (tagged 10)
const HOST_B = '02:00:00:00:0b:01'; // 13.11.1.11, et-0/0/1.0 (untagged)
const HOST_C = '02:00:00:00:0c:01'; // 13.11.1.12, behind 12.1.1.2 (EVPN route)
const HOST_D = '02:00:00:00:0d:01'; // et-0/0/3.0, V_30
const HOST_E = '02:00:00:00:0e:01'; // behind 12.1.1.3, V_30 (learned from VXLAN)
const BCAST = 'ff:ff:ff:ff:ff:ff';
const T0 = 1_732_740_760; // Nov 27 2024 20:52:40 UTC

function vxlan(vni: number, inner: Uint8Array): Uint8Array {
  const v = new Uint8Array(8 + inner.length);
  v[0] = 0x08;
  v[4] = vni >>> 16;
  v[5] = (vni >>> 8) & 0xff;
  v[6] = vni & 0xff;
  v.set(inner, 8);
  return v;
}

function runPe1() {
  const sc = junosScenario(CONF, 'PE1');
  sc.devices[0].evpnRoutes.push(
    { type: 3, vni: 10010, vtep: '12.1.1.2' },
    { type: 2, vni: 10010, vtep: '12.1.1.2', mac: HOST_C, ip: '13.11.1.12' },
    { type: 2, vni: 10010, vtep: '12.1.1.2', mac: 'a4:7f:1b:ce:2a:91' },
  );
  const pe2 = formatMac(derivedMac('PE1', 'et-0/0/2'));
  const at = (k: number, frame: Uint8Array): TimedFrame => ({ t: T0 + k, frame });
  return runFrames(sc, {
    'et-0/0/0': [
      // Host A asks for the anycast gateway: its ARP is snooped (a MAC+IP binding), the IRB answers.
      at(0, arpFrame({ src: HOST_A, dst: BCAST, vlans: [10] }, 1, HOST_A, '13.11.1.10', '00:00:00:00:00:00', '13.11.1.254')),
      // A unicast frame to the remote host: VXLAN to 12.1.1.2.
      at(2, eth({ src: HOST_A, dst: HOST_C, vlans: [10] }, 0x88b5, new Uint8Array(46))),
    ],
    // Host B asks for host A: answered from the binding (suppression), B's binding learned.
    'et-0/0/1': [at(1, arpFrame({ src: HOST_B, dst: BCAST }, 1, HOST_B, '13.11.1.11', '00:00:00:00:00:00', '13.11.1.10'))],
    'et-0/0/3': [at(3, eth({ src: HOST_D, dst: BCAST }, 0x88b5, new Uint8Array(46)))],
    // Flood and learn: a frame from 12.1.1.3 teaches host E behind that VTEP.
    'et-0/0/2': [at(4, udp4Frame({ src: '02:00:00:00:09:02', dst: pe2 }, { src: '12.1.1.3', dst: '12.1.1.1' }, 49152, 4789,
      vxlan(10030, eth({ src: HOST_E, dst: HOST_D }, 0x88b5, new Uint8Array(46)))))],
  });
}

describe('show commands of bridging and EVPN', () => {
  const r = runPe1();
  const pe1 = r.devices[0];
  const print = (what: string): string => show(pe1, what);

  it('ran: every packet accounted for, the ARP snooped and suppressed, VXLAN both ways', () => {
    expect(r.stats.balanced).toBe(true);
    expect(formatMac(derivedMac('PE1', 'irb'))).toBe('52:bc:89:00:6e:63'); // the IRB's MAC in the tables below
    expect(r.out['et-0/0/2']).toHaveLength(2); // to 12.1.1.2 (host C), and host D's broadcast flooded to 12.1.1.3
  });

  it('mac-vrf forwarding mac-table: per instance, flags, IFL / IRB / vtep.N with the remote VTEP as active source', () => {
    expect(print('mac-vrf forwarding mac-table')).toBe(`
MAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static, C - Control MAC
           SE - statistics enabled, NM - non configured MAC, R - remote PE MAC, O - ovsdb MAC,
           B - Blocked MAC)


Ethernet switching table : 6 entries, 4 learned
Routing instance : evpn_vxlan_1
   Vlan                MAC                 MAC       GBP    Logical                SVLBNH/      Active
   name                address             flags     tag    interface              VENH Index   source
   V_10                00:00:5e:00:01:01   S                irb.10
   V_10                02:00:00:00:0a:01   DL               et-0/0/0.10
   V_10                02:00:00:00:0b:01   DL               et-0/0/1.0
   V_10                02:00:00:00:0c:01   DR               vtep.32770                          12.1.1.2
   V_10                52:bc:89:00:6e:63   S                irb.10
   V_10                a4:7f:1b:ce:2a:91   DR               vtep.32770                          12.1.1.2

Ethernet switching table : 2 entries, 2 learned
Routing instance : vs_flood
   Vlan                MAC                 MAC       GBP    Logical                SVLBNH/      Active
   name                address             flags     tag    interface              VENH Index   source
   V_30                02:00:00:00:0d:01   D                et-0/0/3.0
   V_30                02:00:00:00:0e:01   D                vtep.32769                          12.1.1.3`);
    expect(print('ethernet-switching table')).toBe(print('mac-vrf forwarding mac-table'));
  });

  it('mac-vrf forwarding mac-ip-table: the IRB and gateway bindings, ARP-snooped ones (advertised), EVPN ones', () => {
    expect(print('mac-vrf forwarding mac-ip-table')).toBe(`
MAC IP flags  (S - Static, D - Dynamic, L - Local , R - Remote, Lp - Local Proxy,
               Rp - Remote Proxy,  K - Kernel, RT - Dest Route, (N)AD - (Not) Advt to remote,
               RE - Re-ARP/ND, RO - Router, OV - Override, Ur - Unresolved, B - Blocked,
               RTS - Dest Route Skipped, RGw - Remote Gateway, RTF - Dest Route Forced,
               SC - Static Config, P - Probe, NLC - No Local Config, LD - Local Down)
 Routing instance : evpn_vxlan_1
 Bridging domain : V_10
   IP                           MAC                  Flags              GBP    Logical            Active
   address                      address                                 Tag    Interface          source
   13.11.1.254                  00:00:5e:00:01:01    S,K                       irb.10
   13.11.1.10                   02:00:00:00:0a:01    DL,K,AD                   et-0/0/0.10
   13.11.1.11                   02:00:00:00:0b:01    DL,K,AD                   et-0/0/1.0
   13.11.1.12                   02:00:00:00:0c:01    DR,K                      vtep.32770         12.1.1.2
   13.11.1.1                    52:bc:89:00:6e:63    S,K                       irb.10`);
  });

  it('evpn database: VNI, MAC, active source (IFL, IRB, VTEP, the anycast gateway ESI), timestamp, IP', () => {
    expect(print('evpn database')).toBe(`Instance: evpn_vxlan_1
VLAN  DomainId  MAC address        Active source                  Timestamp        IP address
     10010      00:00:5e:00:01:01  05:00:00:fc:00:00:00:27:1a:00  Nov 27 20:52:41  13.11.1.254
     10010      02:00:00:00:0a:01  et-0/0/0.10                    Nov 27 20:52:42  13.11.1.10
     10010      02:00:00:00:0b:01  et-0/0/1.0                     Nov 27 20:52:41  13.11.1.11
     10010      02:00:00:00:0c:01  12.1.1.2                       Nov 27 20:52:41  13.11.1.12
     10010      52:bc:89:00:6e:63  irb.10                         Nov 27 20:52:41  13.11.1.1
     10010      a4:7f:1b:ce:2a:91  12.1.1.2                       Nov 27 20:52:41`);
    expect(print('mac-vrf routing database')).toBe(print('evpn database'));
  });

  it('bgp l2vpn evpn route: the type-2 and type-3 routes advertised and received, grouped by RD', () => {
    expect(print('bgp l2vpn evpn route')).toBe(`BGP table version is 9, local router ID is 12.1.1.1
Status codes: s suppressed, d damped, h history, * valid, > best, i - internal
Origin codes: i - IGP, e - EGP, ? - incomplete
EVPN type-1 prefix: [1]:[EthTag]:[ESI]:[IPlen]:[VTEP-IP]:[Frag-id]
EVPN type-2 prefix: [2]:[EthTag]:[MAClen]:[MAC]:[IPlen]:[IP]
EVPN type-3 prefix: [3]:[EthTag]:[IPlen]:[OrigIP]
EVPN type-4 prefix: [4]:[ESI]:[IPlen]:[OrigIP]
EVPN type-5 prefix: [5]:[EthTag]:[IPlen]:[IP]

   Network          Next Hop            Metric LocPrf Weight Path
                    Extended Community
Route Distinguisher: 12.1.1.1:1
*> [2]:[0]:[48]:[02:00:00:00:0a:01]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0a:01]:[32]:[13.11.1.10]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0b:01]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0b:01]:[32]:[13.11.1.11]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[52:bc:89:00:6e:63]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [3]:[0]:[32]:[12.1.1.1]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
Route Distinguisher: 12.1.1.2:1
*>i[2]:[0]:[48]:[02:00:00:00:0c:01]:[32]:[13.11.1.12]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8
*>i[2]:[0]:[48]:[a4:7f:1b:ce:2a:91]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8
*>i[3]:[0]:[32]:[12.1.1.2]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8

Displayed 9 prefixes (9 paths)`);
    expect(print('bgp evpn route')).toBe(print('bgp l2vpn evpn route'));
  });

  it('bgp evpn route type 2 (type macip): the MAC and MAC+IP routes only', () => {
    expect(print('bgp evpn route type 2')).toBe(`BGP table version is 7, local router ID is 12.1.1.1
Status codes: s suppressed, d damped, h history, * valid, > best, i - internal
Origin codes: i - IGP, e - EGP, ? - incomplete
EVPN type-1 prefix: [1]:[EthTag]:[ESI]:[IPlen]:[VTEP-IP]:[Frag-id]
EVPN type-2 prefix: [2]:[EthTag]:[MAClen]:[MAC]:[IPlen]:[IP]
EVPN type-3 prefix: [3]:[EthTag]:[IPlen]:[OrigIP]
EVPN type-4 prefix: [4]:[ESI]:[IPlen]:[OrigIP]
EVPN type-5 prefix: [5]:[EthTag]:[IPlen]:[IP]

   Network          Next Hop            Metric LocPrf Weight Path
                    Extended Community
Route Distinguisher: 12.1.1.1:1
*> [2]:[0]:[48]:[02:00:00:00:0a:01]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0a:01]:[32]:[13.11.1.10]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0b:01]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[02:00:00:00:0b:01]:[32]:[13.11.1.11]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
*> [2]:[0]:[48]:[52:bc:89:00:6e:63]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
Route Distinguisher: 12.1.1.2:1
*>i[2]:[0]:[48]:[02:00:00:00:0c:01]:[32]:[13.11.1.12]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8
*>i[2]:[0]:[48]:[a4:7f:1b:ce:2a:91]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8

Displayed 7 prefixes (7 paths) (of requested type)`);
    expect(print('bgp l2vpn evpn route type macip')).toBe(print('bgp evpn route type 2'));
  });

  it('bgp l2vpn evpn route type multicast: one type-3 route per VNI and VTEP', () => {
    expect(print('bgp l2vpn evpn route type multicast').split('\n').slice(-10).join('\n')).toBe(`Route Distinguisher: 12.1.1.1:1
*> [3]:[0]:[32]:[12.1.1.1]
                    12.1.1.1                           32768 i
                    ET:8 RT:64512:1
Route Distinguisher: 12.1.1.2:1
*>i[3]:[0]:[32]:[12.1.1.2]
                    12.1.1.2                      100      0 i
                    RT:64512:1 ET:8

Displayed 2 prefixes (2 paths) (of requested type)`);
    expect(() => print('bgp l2vpn evpn route type ead')).toThrow(/not emulated/);
  });
});

describe('bridging show commands without bridging', () => {
  const plain = junosScenario('interfaces { et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24; } } } }', 'R1');
  const r = runFrames(plain, {});
  const dev = r.devices[0];

  it('a device with no bridge domains: one line, no crash', () => {
    const line = 'error: the l2-learning subsystem is not running (R1 has no bridge domains)';
    expect(show(dev, 'mac-vrf forwarding mac-table')).toBe(line);
    expect(show(dev, 'mac-vrf forwarding mac-ip-table')).toBe(line);
    expect(show(dev, 'evpn database')).toBe(line);
    expect(show(dev, 'bgp l2vpn evpn route')).toBe('No EVPN prefixes exist (R1 has no bridge domains)');
  });

  it('the unknown-command message names the new commands', () => {
    expect(() => show(dev, 'evpn instance')).toThrow(/mac-vrf forwarding mac-table .*mac-vrf forwarding mac-ip-table, evpn database, bgp l2vpn evpn route/);
  });
});
