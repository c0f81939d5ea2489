import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { udp4Frame, eth } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { lagHash } from './lag.js';
import { flowHash4 } from '../nodes/flow-hash.js';
import { ConfigError } from '../config/model.js';
import { loadJunosText } from '../config/junos-device.js';
import { loadScenarioText } from '../config/scenario.js';

const CONF = `
chassis { aggregated-devices { ethernet { device-count 2; } } }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:02; } } } }
  et-0/0/1 { gigether-options { 802.3ad ae0; } }
  et-0/0/2 { ether-options { 802.3ad ae0; } }
  ae0 {
    aggregated-ether-options { lacp { active; periodic fast; } minimum-links 1; }
    unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac 02:00:00:00:01:02; } } }
  }
}
routing-options { static { route 198.18.0.0/16 next-hop 10.1.0.2; } }
`;

const R1_ET0 = formatMac(derivedMac('R1', 'et-0/0/0'));
const R1_AE0 = formatMac(derivedMac('R1', 'ae0'));

/** Flow k: 10.0.0.2:(1000+k) → 198.18.0.(k%200+1):53, one frame at time t. */
function flow(k: number, t: number): TimedFrame {
  return { t, frame: udp4Frame({ dst: R1_ET0, src: '02:00:00:00:00:02' }, { src: '10.0.0.2', dst: `198.18.0.${(k % 200) + 1}` }, 1000 + k, 53, new Uint8Array(20)) };
}

/** The flow (UDP source port) of an output frame. */
const sportOf = (f: Uint8Array): number => (f[34] << 8) | f[35];

describe('link aggregation', () => {
  it('spreads flows over the members by the L3/L4 hash; a flow always takes one member', () => {
    const frames: TimedFrame[] = [];
    for (let rep = 0; rep < 3; rep++) for (let k = 0; k < 64; k++) frames.push(flow(k, 1 + rep * 0.001 + k * 1e-6));
    const r = runFrames(junosScenario(CONF), { 'et-0/0/0': frames });
    const a = r.out['et-0/0/1'] ?? [];
    const b = r.out['et-0/0/2'] ?? [];
    expect(a.length + b.length).toBe(192);
    const onA = new Set(a.map((f) => sportOf(f.frame)));
    const onB = new Set(b.map((f) => sportOf(f.frame)));
    for (const s of onA) expect(onB.has(s)).toBe(false);
    // Both members carry flows (64 flows: each side gets some), every frame of a flow on the same one.
    expect(onA.size).toBeGreaterThan(16);
    expect(onB.size).toBeGreaterThan(16);
    expect(onA.size + onB.size).toBe(64);
    // Frames leave with the bundle's MAC, to the neighbour's.
    expect(formatMac(a[0]!.frame.subarray(6, 12))).toBe(R1_AE0);
    expect(formatMac(a[0]!.frame.subarray(0, 6))).toBe('02:00:00:00:01:02');
    // The member is the hash modulo 2 (members in configuration order).
    for (const f of a) expect(lagHash(f.frame, 0, f.frame.length) % 2).toBe(0);
    for (const f of b) expect(lagHash(f.frame, 0, f.frame.length) % 2).toBe(1);
    const lag = r.stats.devices.R1!.lag!.ae0!;
    expect(lag.members['et-0/0/1']!.outputPackets).toBe(a.length);
    expect(lag.members['et-0/0/2']!.outputPackets).toBe(b.length);
    expect(r.stats.devices.R1!.interfaces['ae0.0']!.outputPackets).toBe(192);
    expect(r.stats.balanced).toBe(true);
  });

  it('takes frames in on a member as the bundle\'s (its IFL and counters)', () => {
    const f = udp4Frame({ dst: R1_AE0, src: '02:00:00:00:01:02' }, { src: '198.18.0.9', dst: '10.0.0.2' }, 53, 1000, new Uint8Array(8));
    const r = runFrames(junosScenario(CONF), { 'et-0/0/2': [{ t: 1, frame: f }], 'et-0/0/1': [{ t: 2, frame: f }] });
    expect(r.out['et-0/0/0']?.length).toBe(2);
    const s = r.stats.devices.R1!;
    expect(s.interfaces['ae0.0']!.inputPackets).toBe(2);
    expect(s.lag!.ae0!.members['et-0/0/2']!.inputPackets).toBe(1);
    expect(s.lag!.ae0!.members['et-0/0/1']!.inputPackets).toBe(1);
    // A frame for another MAC is not the bundle's.
    const other = udp4Frame({ dst: '02:99:00:00:00:01', src: '02:00:00:00:01:02' }, { src: '198.18.0.9', dst: '10.0.0.2' }, 53, 1000, new Uint8Array(8));
    const r2 = runFrames(junosScenario(CONF), { 'et-0/0/1': [{ t: 1, frame: other }] });
    expect(r2.stats.drops).toEqual({ l2_dmac_mismatch: 1 });
  });

  it('a member whose link goes down leaves the hash; its flows move, the others\' stay; none up: link_down', () => {
    const sc = junosScenario(CONF);
    sc.timeline = [
      { at: 1, kind: 'link-down', port: { device: 'R1', ifd: 'et-0/0/2' } },
      { at: 2, kind: 'link-down', port: { device: 'R1', ifd: 'et-0/0/1' } },
    ];
    const frames: TimedFrame[] = [];
    for (const t of [10, 10.5, 11.5, 12.5]) for (let k = 0; k < 32; k++) frames.push(flow(k, t + k * 1e-6));
    const r = runFrames(sc, { 'et-0/0/0': frames });
    const a = r.out['et-0/0/1'] ?? [];
    const b = r.out['et-0/0/2'] ?? [];
    // Before 11 s: both; 11..12: all on et-0/0/1; after 12: nothing, dropped link_down.
    const early = (xs: TimedFrame[]) => xs.filter((f) => f.t < 11).map((f) => sportOf(f.frame));
    expect(early(a).length + early(b).length).toBe(64);
    expect(b.every((f) => f.t < 11)).toBe(true);
    expect(a.filter((f) => f.t > 11 && f.t < 12).length).toBe(32);
    expect(a.every((f) => f.t < 12)).toBe(true);
    expect(r.stats.drops).toEqual({ link_down: 32 });
    const lag = r.stats.devices.R1!.lag!.ae0!;
    expect(lag.up).toBe(false);
    expect(lag.membersUp).toEqual([]);
    expect(r.stats.devices.R1!.linkTransitions).toEqual({ 'et-0/0/1': 1, 'et-0/0/2': 1, ae0: 1 });
    expect(r.stats.balanced).toBe(true);
  });

  it('minimum-links: the bundle is down below it', () => {
    const sc = junosScenario(CONF.replace('minimum-links 1', 'minimum-links 2'));
    sc.timeline = [{ at: 1, kind: 'link-down', port: { device: 'R1', ifd: 'et-0/0/1' } }];
    const r = runFrames(sc, { 'et-0/0/0': [flow(1, 10), flow(2, 12)] });
    // The event is 1 s after the first frame: the first leaves, the second finds one member up of 2 needed.
    expect((r.out['et-0/0/1']?.length ?? 0) + (r.out['et-0/0/2']?.length ?? 0)).toBe(1);
    expect(r.stats.drops).toEqual({ link_down: 1 });
    expect(r.stats.devices.R1!.lag!.ae0).toMatchObject({ up: false, membersUp: ['et-0/0/2'], minimumLinks: 2 });
  });

  it('hashes non-IP frames by MACs, truncated IP without reading past the frame, and skips VLAN tags', () => {
    const arp = eth({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01' }, 0x0806, new Uint8Array(28));
    expect(lagHash(arp, 0, arp.length)).toBe(lagHash(arp, 0, arp.length));
    const f = udp4Frame({ dst: R1_AE0, src: '02:00:00:00:01:02' }, { src: '10.0.0.2', dst: '198.18.0.1' }, 1, 2, new Uint8Array(0));
    const tagged = udp4Frame({ dst: R1_AE0, src: '02:00:00:00:01:02', vlans: [100] }, { src: '10.0.0.2', dst: '198.18.0.1' }, 1, 2, new Uint8Array(0));
    expect(lagHash(tagged, 0, tagged.length)).toBe(lagHash(f, 0, f.length));
    // The L3/L4 part is flow-hash.ts's (the ECMP hash), re-mixed.
    expect(lagHash(f, 0, f.length)).not.toBe(flowHash4(f, 14));
    // Cut before the UDP ports: MAC hash, not a read past the end.
    expect(lagHash(f, 0, 36)).toBe(lagHash(f.slice(0, 36), 0, 36));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const h = lagHash(bytes, 0, bytes.length);
      return Number.isInteger(h) && h >= 0 && h <= 0xffffffff;
    }));
  });

  it('reports configuration mistakes with file:line:column', () => {
    const bad = `
interfaces {
  et-0/0/1 { gigether-options { 802.3ad ae1; } }
  et-0/0/2 { gigether-options { 802.3ad ae0; } unit 0 { family inet { address 10.9.0.1/24; } } }
  et-0/0/3 { gigether-options { 802.3ad xe-0/0/0; } }
  ae0 { unit 0; }
  ae3 { unit 0; }
}
chassis { aggregated-devices { ethernet { device-count 2; } } }
`;
    let err: unknown;
    try {
      loadJunosText(bad, 'r.conf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.split('\n')).toEqual([
      'r.conf:3:41: et-0/0/1: member of ae1, which is not configured under interfaces',
      'r.conf:4:48: et-0/0/2: a member of ae0 has no units of its own (unit 0): configure them on ae0',
      "r.conf:5:41: et-0/0/3: 802.3ad 'xe-0/0/0' is not an aggregated Ethernet interface (aeN)",
      'r.conf:7:3: ae3: chassis aggregated-devices ethernet device-count 2 allows ae0..ae1 (at 9:56)',
    ]);
  });

  it('YAML: lag:, lacp:, minimum-links:', () => {
    const load = (): unknown => loadScenarioText(`
devices:
  R1:
    interfaces:
      et-0/0/1: { lag: ae0 }
      et-0/0/2: { lag: ae0 }
      ae0: { lacp: active, minimum-links: 2, inet: [10.1.0.1/24] }
      et-0/0/3: { lag: ae7 }
`, 's.yaml');
    expect(load).toThrow(/s\.yaml:8:\d+: et-0\/0\/3: member of ae7, which is not configured under interfaces/);
    const ok = loadScenarioText(`
devices:
  R1:
    interfaces:
      et-0/0/1: { lag: ae0 }
      ae0: { lacp: passive, minimum-links: 1, inet: [10.1.0.1/24] }
`, 's.yaml');
    const ifds = ok.devices[0]!.ifds;
    expect(ifds[0]!.lag).toBe('ae0');
    expect(ifds[1]!.aggregatedEther).toMatchObject({ lacp: 'passive', minimumLinks: 1 });
  });
});
