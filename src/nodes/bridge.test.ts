// The bridge end to end on small cases a reader can check by hand (VLAN
// normalisation, MAC moves, the IRB, split horizon), and a property: no
// sequence of frames — random MACs, tags, ethertypes, truncations, VXLAN with
// random VNIs and flags — makes a run throw or lose count, and the MAC table
// stays consistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ping4, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';

const CORE_MAC = '02:00:00:00:00:01';
const P = '02:00:00:00:00:02';
const CONFIG = `
interfaces {
    et-0/0/0 { mac ${CORE_MAC}; unit 0 { family inet { address 192.0.2.1/24 { arp 192.0.2.2 mac ${P}; } } } }
    et-0/0/1 { flexible-vlan-tagging; encapsulation flexible-ethernet-services;
               unit 10 { encapsulation vlan-bridge; vlan-id 10; } unit 20 { encapsulation vlan-bridge; vlan-id 20; } }
    et-0/0/2 { encapsulation ethernet-bridge; unit 0; }
    et-0/0/3 { flexible-vlan-tagging; encapsulation flexible-ethernet-services; unit 20 { encapsulation vlan-bridge; vlan-id 120; } }
    irb { unit 10 { virtual-gateway-accept-data; family inet { address 10.10.0.1/24 { virtual-gateway-address 10.10.0.254; } } }
          unit 20 { family inet { address 10.20.0.1/24; } } }
    lo0 { unit 0 { family inet { address 10.255.0.1/32; } } }
}
routing-options { static { route 10.255.0.0/24 next-hop 192.0.2.2; } }
routing-instances {
    EVI {
        instance-type virtual-switch;
        vtep-source-interface lo0.0;
        bridge-domains {
            V10 { vlan-id 10; interface et-0/0/1.10; interface et-0/0/2.0; routing-interface irb.10; vxlan { vni 1010; static-remote-vtep-list [ 10.255.0.2 10.255.0.3 ]; } }
            V20 { vlan-id 20; interface et-0/0/1.20; interface et-0/0/3.20; routing-interface irb.20; vxlan { vni 1020; static-remote-vtep-list 10.255.0.2; } }
        }
    }
}`;

const A = '02:00:00:00:0a:01';
const B = '02:00:00:00:0b:01';
const IRB_MAC = formatMac(derivedMac('R1', 'irb'));

function vxlan(vni: number, inner: Uint8Array, from = '10.255.0.2', flags = 0x08): Uint8Array {
  const v = new Uint8Array(8 + inner.length);
  v[0] = flags;
  v[4] = vni >> 16;
  v[5] = (vni >> 8) & 0xff;
  v[6] = vni & 0xff;
  v.set(inner, 8);
  return udp4Frame({ dst: CORE_MAC, src: P }, { src: from, dst: '10.255.0.1' }, 50000, 4789, v);
}

const run = (inputs: Record<string, TimedFrame[]>) => runFrames(junosScenario(CONFIG), inputs);

describe('bridge-input, l2-flood, l2-output', () => {
  it('normalises VLANs: tagged 10 on the trunk leaves et-0/0/2 untagged; V20 leaves et-0/0/3 with tag 120', () => {
    const r = run({
      'et-0/0/1': [
        { t: 1, frame: ping4({ dst: B, src: A, vlans: [10] }, { src: '10.10.0.10', dst: '10.10.0.11' }) },
        { t: 2, frame: ping4({ dst: B, src: A, vlans: [20] }, { src: '10.20.0.10', dst: '10.20.0.11' }) },
      ],
    });
    const access = r.out['et-0/0/2'];
    expect(access).toHaveLength(1);
    expect((access[0].frame[12] << 8) | access[0].frame[13]).toBe(0x0800);
    const v120 = r.out['et-0/0/3'];
    expect(v120).toHaveLength(1);
    expect([(v120[0].frame[12] << 8) | v120[0].frame[13], ((v120[0].frame[14] << 8) | v120[0].frame[15]) & 0xfff]).toEqual([0x8100, 120]);
    // Unknown unicast also went to each VTEP of its domain: 2 for V10, 1 for V20.
    expect(r.out['et-0/0/0']).toHaveLength(3);
    expect(r.stats.accounting).toMatchObject({ in: 2, generated: 3, out: 5, dropped: 0 });
  });

  it('learns, unicasts to where a MAC is, filters a frame for the port it came from, and follows a move', () => {
    const r = run({
      'et-0/0/2': [
        { t: 1, frame: ping4({ dst: A, src: B }, { src: '10.10.0.11', dst: '10.10.0.10' }) }, // B on et-0/0/2
        { t: 4, frame: ping4({ dst: B, src: '02:00:00:00:0c:01' }, { src: '10.10.0.12', dst: '10.10.0.11' }) }, // C here; B is on the trunk now
      ],
      'et-0/0/1': [
        { t: 2, frame: ping4({ dst: B, src: A, vlans: [10] }, { src: '10.10.0.10', dst: '10.10.0.11' }) }, // to B only
        { t: 3, frame: ping4({ dst: A, src: B, vlans: [10] }, { src: '10.10.0.11', dst: '10.10.0.10' }) }, // B moved to the trunk: A is here too, filtered
        { t: 5, frame: ping4({ dst: B, src: '02:00:00:00:0c:01', vlans: [10] }, { src: '10.10.0.12', dst: '10.10.0.11' }) }, // C moved here too: to B, filtered
      ],
    });
    const errors = r.stats.devices.R1.nodes;
    expect(r.out['et-0/0/2']).toHaveLength(1); // A -> B at t=2
    expect(r.out['et-0/0/1'].map((f) => f.t)).toEqual([1, 4]); // B -> A flooded (A unknown), C -> B unicast to B's new port
    expect(r.stats.drops).toEqual({ l2_same_interface: 2 });
    expect(errors['bridge-input'].counters).toMatchObject({ mac_learned: 3, mac_moved: 2 });
    expect(r.stats.devices.R1.bridge).toMatchObject({
      table: { learned: 3, moves: 2, aged: 0 }, vteps: 2, // 10.255.0.2 (both domains) and .3
      domains: { 'EVI/V10': { vni: 1010, learned: 3, floodVteps: 2 }, 'EVI/V20': { vni: 1020, learned: 0, floodVteps: 1 } },
    });
  });

  it('routes between domains through the IRBs and answers the anycast gateway with 00:00:5e:00:01:01', () => {
    const r = run({
      'et-0/0/2': [
        { t: 1, frame: arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: A }, 1, A, '10.10.0.10', '00:00:00:00:00:00', '10.10.0.254') },
        { t: 2, frame: ping4({ dst: '00:00:5e:00:01:01', src: A }, { src: '10.10.0.10', dst: '10.10.0.254' }) },
      ],
    });
    const out = r.out['et-0/0/2'];
    expect(out).toHaveLength(2);
    expect([formatMac(out[0].frame, 6), formatMac(out[0].frame, 22)]).toEqual(['00:00:5e:00:01:01', '00:00:5e:00:01:01']);
    expect(out[1].frame[34]).toBe(0); // echo reply
    expect(r.out['et-0/0/0']).toBeUndefined(); // the request for the gateway was not flooded (suppression: to the IRB alone)
    expect(IRB_MAC).not.toBe('00:00:5e:00:01:01');
  });

  it('routes to a host of an EVPN type-2 MAC+IP route without ARP: the binding is the IRB\'s neighbour', () => {
    const scenario = junosScenario(CONFIG);
    scenario.devices[0].evpnRoutes.push({ type: 2, vni: 1020, vtep: '10.255.0.3', mac: B, ip: '10.20.0.11' });
    const r = runFrames(scenario, { 'et-0/0/2': [{ t: 1, frame: ping4({ dst: '00:00:5e:00:01:01', src: A }, { src: '10.10.0.10', dst: '10.20.0.11' }) }] });
    const core = r.out['et-0/0/0'];
    expect(core).toHaveLength(1);
    const f = core[0].frame;
    expect([formatMac(f, 0), (f[46] << 16) | (f[47] << 8) | f[48], formatMac(f, 50), formatMac(f, 56), f[50 + 14 + 8]])
      .toEqual([P, 1020, B, IRB_MAC, 63]); // to the VTEP's next hop, VNI 1020, to B from the IRB, TTL 63
    expect(r.stats.devices.R1.nodes['ip4-arp']?.counters.arp_requests_sent ?? 0).toBe(0);
  });

  it('never floods VXLAN back into VXLAN (split horizon), and drops unknown VNIs and frames without the I flag', () => {
    const bcast = arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: A }, 1, A, '10.10.0.10', '00:00:00:00:00:00', '10.10.0.99');
    const r = run({
      'et-0/0/0': [
        { t: 1, frame: vxlan(1010, bcast) },
        { t: 2, frame: vxlan(4242, bcast) },
        { t: 3, frame: vxlan(1010, bcast, '10.255.0.2', 0x00) },
        { t: 4, frame: vxlan(1010, bcast, '10.255.0.2', 0xff) }, // reserved bits: ignored
      ],
    });
    expect(r.out['et-0/0/0']).toBeUndefined();
    expect(r.out['et-0/0/2']).toHaveLength(2);
    expect(r.out['et-0/0/1']).toHaveLength(2);
    expect(r.stats.drops).toMatchObject({ vxlan_unknown_vni: 1, vxlan_no_vni: 1 });
  });
});

describe('bridging never throws nor loses count', () => {
  const mac = fc.constantFrom(A, B, '02:00:00:00:0c:01', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', IRB_MAC, '00:00:5e:00:01:01', '03:00:00:00:00:01');
  const inner = fc.record({ dst: mac, src: mac, vlans: fc.constantFrom(undefined, [10], [20], [120], [10, 20], [99]), kind: fc.nat(4), cut: fc.nat(80) })
    .map(({ dst, src, vlans, kind, cut }) => {
      const e = { dst, src, vlans };
      const f = kind === 0 ? ping4(e, { src: '10.10.0.10', dst: '10.20.0.11' })
        : kind === 1 ? arpFrame(e, 1, src, '10.10.0.10', '00:00:00:00:00:00', '10.10.0.11')
          : kind === 2 ? arpFrame(e, 2, src, '10.10.0.11', A, '10.10.0.10')
            : kind === 3 ? eth(e, 0x88b5, new Uint8Array(46)) : ping4(e, { src: '10.10.0.10', dst: '10.10.0.254' });
      return cut > 0 && cut < f.length ? f.subarray(0, Math.max(14, f.length - cut)) : f;
    });
  const frame = fc.oneof(
    fc.record({ port: fc.constantFrom('et-0/0/1', 'et-0/0/2', 'et-0/0/3'), f: inner }),
    fc.record({ port: fc.constant('et-0/0/0'), f: fc.tuple(fc.constantFrom(1010, 1020, 7), inner, fc.constantFrom(0x08, 0x00, 0x0c)).map(([v, i, fl]) => vxlan(v, i, '10.255.0.3', fl)) }),
    // VXLAN with 0 to 21 bytes after its header: too short for an inner Ethernet header below 14 (vxlan_truncated).
    fc.record({ port: fc.constant('et-0/0/0'), f: fc.nat(21).map((k) => vxlan(1010, new Uint8Array(k))) }),
  );

  it('in + generated = out + consumed + dropped, and the MAC table verifies', () => {
    fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 60 }), (frames) => {
      const inputs: Record<string, TimedFrame[]> = {};
      frames.forEach((x, k) => (inputs[x.port] ??= []).push({ t: 1 + k * 0.5, frame: x.f }));
      const r = run(inputs);
      const a = r.stats.accounting;
      expect(a.in).toBe(frames.length);
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
      r.devices[0].bridge!.macs.verify();
    }), { numRuns: 40 });
  });

  it('counts VXLAN too short for an inner Ethernet header as vxlan_truncated', () => {
    const r = run({ 'et-0/0/0': [0, 8, 13].map((k, i) => ({ t: 1 + i, frame: vxlan(1010, new Uint8Array(k)) })) });
    expect(r.stats.drops).toEqual({ vxlan_truncated: 3 });
  });
});
