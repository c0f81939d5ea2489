import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../config/scenario.js';
import { arpFrame, ping4 } from '../craft/craft.js';
import { runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { show } from '../cli/show.js';

// Two routers on a link, each with a host port: R1 et-0/0/0 (10.0.1.0/24) —
// et-0/0/1 10.0.0.0/31 — R2 et-0/0/1, R2 et-0/0/0 (10.0.2.0/24).
const DEVICES = `devices:
  R1:
    interfaces:
      et-0/0/0: { inet: [10.0.1.1/24], arp: { 10.0.1.2: "02:00:00:00:01:02" } }
      et-0/0/1: { inet: [10.0.0.0/31] }
    routes: [{ prefix: 10.0.2.0/24, next-hop: 10.0.0.1 }]
  R2:
    interfaces:
      et-0/0/0: { inet: [10.0.2.1/24], arp: { 10.0.2.2: "02:00:00:00:02:02" } }
      et-0/0/1: { inet: [10.0.0.1/31] }
    routes: [{ prefix: 10.0.1.0/24, next-hop: 10.0.0.0 }]
links:
  - [R1:et-0/0/1, R2:et-0/0/1]
`;
const PORTS = ['R1:et-0/0/0', 'R1:et-0/0/1', 'R2:et-0/0/0', 'R2:et-0/0/1'];
const T = 1000;

const toR2 = (seq: number) => ping4({ dst: derivedMac('R1', 'et-0/0/0'), src: '02:00:00:00:01:02' }, { src: '10.0.1.2', dst: '10.0.2.2' }, 1, seq);
const arp = (ip: string) => arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:01:02' }, 1, '02:00:00:00:01:02', '10.0.1.2', '00:00:00:00:00:00', ip);

function scenario(events: { at: number; up: boolean; port: number }[]): string {
  if (!events.length) return DEVICES;
  return `${DEVICES}timeline:\n${events.map((e) => `  - { at: ${e.at}, ${e.up ? 'link-up' : 'link-down'}: ${PORTS[e.port]} }`).join('\n')}\n`;
}

describe('timeline', () => {
  it('a link event takes both ends of the wire down: pings across it are dropped, then flow again after link-up', () => {
    const s = loadScenarioText(scenario([{ at: 1, up: false, port: 1 }, { at: 2, up: true, port: 3 }]), 's.yaml');
    const r = runFrames(s, { 'R1:et-0/0/0': [0, 0.5, 1.5, 2.5].map((t, i) => ({ t: T + t, frame: toR2(i) })) });
    // R2 resolves 10.0.2.2 statically: what crosses the link leaves R2 at once.
    expect(r.out['R2:et-0/0/0'].map((f) => f.t - T)).toEqual([0, 0.5, 2.5]);
    expect(r.stats.drops).toEqual({ link_down: 1 });
    expect(r.stats.devices.R1.linkTransitions).toEqual({ 'et-0/0/1': 2 });
    expect(r.stats.devices.R2.linkTransitions).toEqual({ 'et-0/0/1': 2 });
    expect(r.stats.balanced).toBe(true);
  });

  it('show interfaces tells a port whose link is down: admin up, link down', () => {
    const s = loadScenarioText(scenario([{ at: 0.2, up: false, port: 0 }]), 's.yaml');
    const r = runFrames(s, { 'R1:et-0/0/0': [{ t: T, frame: toR2(1) }] });
    const r1 = r.devices.find((d) => d.name === 'R1')!;
    const terse = show(r1, 'interfaces terse').split('\n');
    expect(terse.filter((l) => l.startsWith('et-0/0/0'))).toEqual(['et-0/0/0                up    down', 'et-0/0/0.0              up    down inet     10.0.1.1/24']);
    expect(show(r1, 'interfaces et-0/0/0 extensive').split('\n')[0]).toBe('Physical interface: et-0/0/0, Enabled, Physical link is Down');
  });

  it('no sequence of link events and traffic makes the run throw or lose count', () => {
    const event = fc.record({ at: fc.integer({ min: 0, max: 40 }).map((x) => x / 4), up: fc.boolean(), port: fc.integer({ min: 0, max: 3 }) });
    const frame = fc.record({ t: fc.integer({ min: 0, max: 40 }).map((x) => x / 4), kind: fc.integer({ min: 0, max: 2 }), seq: fc.integer({ min: 0, max: 65535 }) });
    fc.assert(fc.property(fc.array(event, { maxLength: 12 }), fc.array(frame, { minLength: 1, maxLength: 30 }), (events, frames) => {
      const s = loadScenarioText(scenario(events), 's.yaml');
      const input: TimedFrame[] = frames
        .map((f) => ({ t: T + f.t, frame: f.kind === 0 ? toR2(f.seq) : f.kind === 1 ? arp('10.0.1.1') : arp('10.0.1.77') }))
        .sort((a, b) => a.t - b.t);
      const r = runFrames(s, { 'R1:et-0/0/0': input });
      const a = r.stats.accounting;
      expect(r.stats.balanced).toBe(true);
      expect(a.in).toBe(input.length);
      // Every event fires (those after the last frame at the end), in time order, on the port and its link peer.
      const state = new Map(PORTS.map((p) => [p, true]));
      const ordered = events.map((e, i) => ({ e, i })).sort((x, y) => x.e.at - y.e.at || x.i - y.i);
      for (const { e } of ordered) {
        const name = PORTS[e.port];
        for (const p of name.endsWith('et-0/0/1') ? ['R1:et-0/0/1', 'R2:et-0/0/1'] : [name]) state.set(p, e.up);
      }
      const final = new Map(r.devices.flatMap((d) => d.ifs.ifds.map((p) => [`${d.name}:${p.name}`, p.linkUp] as const)));
      expect(final).toEqual(state);
    }), { numRuns: 60 });
  });
});
