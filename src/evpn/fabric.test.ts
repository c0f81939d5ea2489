// The EVPN control plane between two PEs of a scenario: a MAC learned at one
// is a type-2 route the other forwards by (unicast VXLAN, no flooding), and
// when it ages out at its PE the route is withdrawn: the other PE floods
// again and lists the route no more.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../config/scenario.js';
import { ping4 } from '../craft/craft.js';
import { runFrames } from '../craft/frames-run.js';

const pe = (n: 1 | 2, peer: 1 | 2): string => `
    junos: |
      interfaces {
        et-0/0/0 { unit 0 { family inet { address 192.0.2.${n}/24; } } }
        et-0/0/1 { encapsulation ethernet-bridge; unit 0; }
        lo0 { unit 0 { family inet { address 10.255.0.${n}/32; } } }
      }
      routing-options { static { route 10.255.0.${peer}/32 next-hop 192.0.2.${peer}; } }
      protocols { bgp { group IBGP { type internal; family evpn { signaling; } neighbor 10.255.0.${peer}; } } }
      routing-instances {
        EVI {
          instance-type mac-vrf;
          protocols { evpn { encapsulation vxlan; } }
          vtep-source-interface lo0.0;
          service-type vlan-based;
          switch-options { mac-table-aging-time 10; }
          bridge-domains { BD { vlan-id none; interface et-0/0/1.0; vxlan { vni 100; } } }
        }
      }`;

const SCENARIO = `devices:
  PE1:${pe(1, 2)}
  PE2:${pe(2, 1)}
links:
  - [PE1:et-0/0/0, PE2:et-0/0/0]
`;

const A = '02:00:00:00:0a:01';
const B = '02:00:00:00:0b:01';
const toA = (t: number) => ({ t, frame: ping4({ dst: A, src: B }, { src: '10.1.1.2', dst: '10.1.1.1' }) });

describe('EVPN between the PEs of a scenario', () => {
  it('forwards to a MAC its peer learned, and floods again once the peer withdraws it on aging', () => {
    const r = runFrames(loadScenarioText(SCENARIO, 'evpn.yaml'), {
      'PE1:et-0/0/1': [{ t: 1, frame: ping4({ dst: 'ff:ff:ff:ff:ff:ff', src: A }, { src: '10.1.1.1', dst: '10.1.1.255' }) }],
      'PE2:et-0/0/1': [toA(2), toA(30)],
    });
    const pe2 = r.stats.devices.PE2;
    // t=2: A is PE1's (a type-2 route): unicast over VXLAN. t=30: A aged out at PE1 (10 s), withdrawn: flooded.
    expect(pe2.nodes['bridge-input'].counters.unknown_unicast_flooded).toBe(1);
    expect(r.out['PE1:et-0/0/1']).toHaveLength(2);
    expect(r.stats.devices.PE1.bridge?.table.aged).toBeGreaterThanOrEqual(1);
    const peer = r.devices.find((d) => d.name === 'PE2')!.bridge!;
    expect(peer.received.filter((x) => x.type === 2 && x.mac === A)).toEqual([]);
    expect(peer.received.filter((x) => x.type === 3).map((x) => [x.vni, x.vtep])).toEqual([[100, '10.255.0.1']]);
    expect(r.stats.accounting.in + r.stats.accounting.generated).toBe(r.stats.accounting.out + r.stats.accounting.consumed + r.stats.accounting.dropped);
  });
});
