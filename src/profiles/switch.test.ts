import { describe, expect, it } from 'vitest';
import { Behaviour, parseProfileSpec, switchValue, type SwitchDef } from './switch.js';
import { SWITCHES, applyProfiles, behaviourOf } from './catalog.js';
import { loadScenarioText } from '../config/scenario.js';
import { ConfigError } from '../config/model.js';
import { runFrames } from '../craft/frames-run.js';
import { ping4 } from '../craft/craft.js';
import { switchesMarkdown } from '../cli/profiles.js';
import { derivedMac } from '../device/mac.js';

const DEF: SwitchDef = {
  name: 'x-level', type: { kind: 'int', min: 0, max: 2 },
  defaults: { junos: 1, ios: 0, nxos: 2, linux: 0, 'linux-frr': 0 }, what: 'w', evidence: 'e',
};

describe('behaviour switches', () => {
  it('values are checked against the switch type', () => {
    expect(switchValue(DEF, '2')).toBe(2);
    expect(switchValue(DEF, 1)).toBe(1);
    expect(switchValue(DEF, '3')).toEqual({ error: "switch x-level takes a whole number from 0 to 2, not '3'" });
    const b: SwitchDef = { ...DEF, name: 'b', type: { kind: 'bool' } };
    expect([switchValue(b, 'on'), switchValue(b, 'no'), switchValue(b, true)]).toEqual([true, false, true]);
    expect(switchValue(b, 'maybe')).toEqual({ error: "switch b takes true or false, not 'maybe'" });
    const e: SwitchDef = { ...DEF, name: 'e', type: { kind: 'enum', values: ['a', 'b'] } };
    expect(switchValue(e, 'b')).toBe('b');
    expect(switchValue(e, 'c')).toEqual({ error: "switch e takes one of a, b, not 'c'" });
  });

  it('a behaviour is the profile defaults, then the settings in order; only real changes count as overridden', () => {
    const b = new Behaviour('junos', [DEF], [{ name: 'x-level', value: 2 }, { name: 'x-level', value: 1 }]);
    expect(b.int('x-level')).toBe(1);
    expect(b.overridden).toEqual([]);
    const n = new Behaviour('nxos', [DEF], [{ name: 'x-level', value: 0 }]);
    expect(n.int('x-level')).toBe(0);
    expect(n.overridden).toEqual([{ name: 'x-level', value: 0 }]);
    expect(() => n.bool('x-level')).toThrow("behaviour switch 'x-level' is int, not bool");
    expect(() => n.int('nope')).toThrow("no behaviour switch 'nope'");
  });

  it('--profile specs: device, profile, switches, and one-line errors', () => {
    const name = SWITCHES[0].name;
    expect(parseProfileSpec(`R1:nxos,${name}=off`, SWITCHES)).toEqual({ device: 'R1', profile: 'nxos', switches: [{ name, value: false }], text: `R1:nxos,${name}=off` });
    expect(parseProfileSpec('ios', SWITCHES)).toMatchObject({ device: undefined, profile: 'ios', switches: [] });
    expect(() => parseProfileSpec('cisco', SWITCHES)).toThrow("--profile cisco: unknown profile 'cisco' (profiles: junos, ios, nxos, linux, linux-frr)");
    expect(() => parseProfileSpec('ios,frob=1', SWITCHES)).toThrow("--profile ios,frob=1: unknown switch 'frob'");
    expect(() => parseProfileSpec(`ios,${name}`, SWITCHES)).toThrow(`switch ${name} needs a value`);
    const devices = [{ name: 'A', profile: 'junos' }, { name: 'B', profile: 'junos', switches: [{ name, value: true }] }];
    applyProfiles(devices, [parseProfileSpec(`B:linux,${name}=off`, SWITCHES)]);
    expect(devices).toEqual([{ name: 'A', profile: 'junos' }, { name: 'B', profile: 'linux', switches: [{ name, value: true }, { name, value: false }] }]);
    expect(() => applyProfiles(devices, [parseProfileSpec('C:ios', SWITCHES)])).toThrow("--profile C:ios: no device 'C' (devices: A, B)");
  });

  it('every switch has a default for every profile, of its type, and the README table lists them all', () => {
    for (const d of SWITCHES) {
      for (const p of ['junos', 'ios', 'nxos', 'linux', 'linux-frr'] as const) {
        expect(switchValue(d, d.defaults[p]), `${d.name} ${p}`).toBe(d.defaults[p]);
      }
      expect(d.what.length > 10 && d.evidence.length > 10, d.name).toBe(true);
    }
    expect(new Set(SWITCHES.map((d) => d.name)).size).toBe(SWITCHES.length);
    expect(behaviourOf('linux').all().length).toBe(SWITCHES.length);
    expect(switchesMarkdown().split('\n').length).toBe(SWITCHES.length + 2);
  });
});

const TWO_PORTS = `devices:
  R1:
    switches: { ${SWITCHES[0].name}: off }
    interfaces:
      et-0/0/0: { inet: [10.0.0.1/24] }
      et-0/0/1: { inet: [10.0.1.1/24], arp: { 10.0.1.2: "02:00:00:00:00:02" } }
`;

describe('scenario switches and timeline', () => {
  it('switches and timeline events are read with locations; mistakes are reported with file:line:column', () => {
    const s = loadScenarioText(`${TWO_PORTS}timeline:\n  - { at: 2, link-up: et-0/0/1 }\n  - { at: 1.5, link-down: R1:et-0/0/1 }\n`, 's.yaml');
    expect(s.devices[0].switches).toEqual([{ name: SWITCHES[0].name, value: false, loc: { file: 's.yaml', line: 3, col: 17 } }]);
    expect(s.timeline!.map((e) => [e.at, e.kind, e.port.ifd])).toEqual([[1.5, 'link-down', 'et-0/0/1'], [2, 'link-up', 'et-0/0/1']]);
    const bad = `devices:\n  R1:\n    switches: { frob: 1, ${SWITCHES[0].name}: 7 }\n    interfaces: { et-0/0/0: {} }\ntimeline:\n  - { at: -1, link-down: et-0/0/0 }\n  - { at: 1, link-down: et-9 }\n  - { at: 1 }\n`;
    let err: unknown;
    try { loadScenarioText(bad, 'b.yaml'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.split('\n')).toEqual([
      "b.yaml:3:17: device R1: unknown switch 'frob' (triode profiles lists them)",
      `b.yaml:3:${28 + SWITCHES[0].name.length}: device R1: switch ${SWITCHES[0].name} takes true or false, not '7'`,
      'b.yaml:6:11: timeline event: at: expected a number of seconds, 0 or more',
      "b.yaml:7:25: link-down et-9: device R1 has no interface 'et-9'",
      'b.yaml:8:5: timeline event: needs exactly one of link-down, link-up, bgp-session-down, bgp-session-up',
    ]);
  });

  it('a port whose link is down drops what it takes in and what it is given to send, and comes back up', () => {
    const s = loadScenarioText(`${TWO_PORTS}timeline:\n  - { at: 1, link-down: et-0/0/1 }\n  - { at: 2, link-up: et-0/0/1 }\n  - { at: 2.5, link-down: et-0/0/0 }\n`, 's.yaml');
    const dst = derivedMac('R1', 'et-0/0/0');
    const p = (t: number) => ({ t, frame: ping4({ dst, src: '02:00:00:00:00:01' }, { src: '10.0.0.2', dst: '10.0.1.2' }) });
    const r = runFrames(s, { 'et-0/0/0': [100, 100.5, 101.5, 102.2, 103].map(p) });
    expect(r.out['et-0/0/1'].map((f) => f.t)).toEqual([100, 100.5, 102.2]);
    expect(r.stats.drops).toEqual({ link_down: 2 });
    expect(r.stats.devices.R1.interfaces['et-0/0/1.0'].outputPackets).toBe(3);
    expect(r.stats.devices.R1.linkTransitions).toEqual({ 'et-0/0/0': 1, 'et-0/0/1': 2 });
    expect(r.stats.devices.R1.switches).toEqual({ [SWITCHES[0].name]: false });
    expect(r.stats.balanced).toBe(true);
  });
});
