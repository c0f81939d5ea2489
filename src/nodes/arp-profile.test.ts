// ARP by vendor profile (src/profiles/arp.ts) end to end: the same frames
// into the same device under junos, ios, nxos and linux, with exact replies,
// drop reasons and counters; proxy ARP per unit; gratuitous ARP; ageing of
// learned entries; the Junos and YAML syntax. And a property: random ARP
// floods under every profile with random switch settings never throw and
// always balance the accounting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ping4 } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { loadScenarioText } from '../config/scenario.js';
import { loadJunosText } from '../config/junos-device.js';
import { ConfigError } from '../config/model.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { PROFILES } from '../profiles/switch.js';
import { ARP_SWITCHES } from '../profiles/arp.js';
import { SATURN_IP, SATURN_MAC, SATURN_PORT, VIP, VMAC4, labYaml } from '../vrrp/testing.js';

// R1: et-0/0/0 a trunk with the SVI-like unit 100 (10.100.0.1/24), et-0/0/1
// towards a router 10.1.0.254 that has 198.51.100.0/24 behind it, lo0.
const M0 = formatMac(derivedMac('R1', 'et-0/0/0'));
const M1 = formatMac(derivedMac('R1', 'et-0/0/1'));
const IVE = '02:00:00:00:0e:01';
const H = '02:00:00:00:01:07';
const HNEW = '02:00:00:00:01:77';
const GW = '02:00:00:00:01:fe';
const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';
const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';
const T = 1_700_000_000;

function scenario(profile: string, opts: { switches?: string; unit100?: string; inet100?: string } = {}): ReturnType<typeof loadScenarioText> {
  return loadScenarioText(`devices:
  R1:
    profile: ${profile}
    switches: { ${opts.switches ?? ''} }
    interfaces:
      et-0/0/0:
        vlan-tagging: true
        units:
          100: { vlan-id: 100, inet: [${opts.inet100 ?? '10.100.0.1/24'}]${opts.unit100 ?? ''} }
      et-0/0/1: { inet: [10.1.0.1/24], arp: { 10.1.0.254: "${GW}" } }
      lo0: { inet: [192.0.2.1/32] }
    routes:
      - { prefix: 198.51.100.0/24, next-hop: 10.1.0.254 }
`, 'arp.yaml');
}

/** A request on VLAN 100 (P0) or untagged (P1). */
const req = (port: string, mac: string, spa: string, tpa: string, dst = BCAST): Uint8Array =>
  arpFrame({ src: mac, dst, vlans: port === P0 ? [100] : undefined }, 1, mac, spa, ZERO, tpa);
/** R1's reply to a request, from `rmac` for `tpa`. */
const rep = (port: string, rmac: string, tpa: string, mac: string, spa: string): Uint8Array =>
  pad(arpFrame({ src: rmac, dst: mac, vlans: port === P0 ? [100] : undefined }, 2, rmac, tpa, mac, spa));
const pad = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
const hex = (fs: TimedFrame[] | undefined): string[] => (fs ?? []).map((f) => Buffer.from(f.frame).toString('hex'));
const hx = (...fs: Uint8Array[]): string[] => fs.map((f) => Buffer.from(f).toString('hex'));
const at = (t: number, frame: Uint8Array): TimedFrame => ({ t: T + t, frame });
/** arp-input's counters, zeros included (--stats lists only those that moved). */
function counters(r: ReturnType<typeof runFrames>): Record<string, number> {
  const node = r.devices[0].graph.node('arp-input');
  return Object.fromEntries(node.counterNames.map((k, i) => [k, node.counters[i]]));
}

describe('the seed: a shared-IVS host ARPs for the SVI from another subnet', () => {
  const ive = req(P0, IVE, '172.16.5.10', '10.100.0.1');
  const answer = rep(P0, M0, '10.100.0.1', IVE, '172.16.5.10');
  it('ios and linux answer; nxos and junos stay silent, counted under arp_sender_not_on_subnet', () => {
    for (const [profile, answers] of [['ios', true], ['linux', true], ['nxos', false], ['junos', false]] as const) {
      const r = runFrames(scenario(profile), { [P0]: [at(0, ive)] });
      expect(hex(r.out[P0]), profile).toEqual(answers ? hx(answer) : []);
      expect(r.stats.drops, profile).toEqual(answers ? {} : { arp_sender_not_on_subnet: 1 });
      expect(counters(r).arp_replies_sent, profile).toBe(answers ? 1 : 0);
      // Answered, but off every subnet of the unit: not learned (a learned entry is a host route).
      expect(counters(r).arp_entries_learned, profile).toBe(0);
      expect(r.stats.balanced).toBe(true);
    }
  });

  it('nxos answers once a /31 secondary covers the host, and learns it: a ping to it then leaves without ARP', () => {
    const s = scenario('nxos', { inet100: '10.100.0.1/24, 172.16.5.11/31' });
    const ping = ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst: '172.16.5.10' });
    const r = runFrames(s, { [P0]: [at(0, ive)], [P1]: [at(1, ping)] });
    const out = ping4({ src: M0, dst: IVE, vlans: [100] }, { src: '198.51.100.7', dst: '172.16.5.10', ttl: 63 });
    expect(hex(r.out[P0])).toEqual(hx(answer, out));
    expect(r.stats.drops).toEqual({});
    expect(counters(r).arp_entries_learned).toBe(1);
  });
});

describe('arp-ignore', () => {
  const forSvi = req(P1, H, '10.1.0.7', '10.100.0.1');
  const forLo = req(P1, H, '10.1.0.7', '192.0.2.1');
  it("0 (linux) answers for any address in the IFL's routing instance, with the receiving port's MAC; 1 (junos, ios, nxos) only for the IFL's own", () => {
    const linux = runFrames(scenario('linux'), { [P1]: [at(0, forSvi), at(0.1, forLo)] });
    expect(hex(linux.out[P1])).toEqual(hx(rep(P1, M1, '10.100.0.1', H, '10.1.0.7'), rep(P1, M1, '192.0.2.1', H, '10.1.0.7')));
    for (const p of ['junos', 'nxos']) {
      const r = runFrames(scenario(p), { [P1]: [at(0, forSvi), at(0.1, forLo), at(0.2, req(P1, H, '10.1.0.7', '10.1.0.99'))] });
      expect(r.out[P1] ?? [], p).toEqual([]);
      expect(r.stats.drops, p).toEqual({ arp_target_not_on_interface: 2 });
      expect(r.stats.accounting.consumed, p).toBe(1);
    }
    // ios answers them all the same, by proxy ARP (on by default): its other addresses are routed out other interfaces.
    const ios = runFrames(scenario('ios'), { [P1]: [at(0, forSvi), at(0.1, forLo)] });
    expect(hex(ios.out[P1])).toEqual(hex(linux.out[P1]));
    expect(counters(ios).arp_proxy_replies_sent).toBe(2);
    expect(runFrames(scenario('ios', { switches: 'proxy-arp: "off"' }), { [P1]: [at(0, forSvi)] }).stats.drops).toEqual({ arp_target_not_on_interface: 1 });
  });

  it('2: the sender must be in the subnet of the address asked for (a secondary covering the sender is not enough for the primary)', () => {
    const s = scenario('linux', { switches: 'arp-ignore: 2', inet100: '10.100.0.1/24, 172.16.5.11/31' });
    const r = runFrames(s, { [P0]: [at(0, req(P0, IVE, '172.16.5.10', '10.100.0.1')), at(0.1, req(P0, IVE, '172.16.5.10', '172.16.5.11'))] });
    expect(hex(r.out[P0])).toEqual(hx(rep(P0, M0, '172.16.5.11', IVE, '172.16.5.10')));
    expect(r.stats.drops).toEqual({ arp_sender_not_on_target_subnet: 1 });
  });
});

describe('virtual addresses', () => {
  it("a VRRP backup's virtual address is answered by neither arp-ignore 0 nor proxy ARP: only the master answers, with the virtual MAC", () => {
    for (const p of ['linux', 'ios']) {
      const text = labYaml({ orcus: 'accept-data;' }).replace('  Orcus:\n    junos: |', `  Orcus:\n    profile: ${p}\n    junos: |`);
      expect(text).toContain(`profile: ${p}`);
      const ask = (t: number): TimedFrame => at(t, arpFrame({ src: SATURN_MAC, dst: BCAST }, 1, SATURN_MAC, SATURN_IP, ZERO, VIP));
      const r = runFrames(loadScenarioText(text, 'lab.yaml'), { [SATURN_PORT]: [ask(5), ask(6)] });
      const replies = (r.out[SATURN_PORT] ?? []).filter((f) => f.frame[12] === 0x08 && f.frame[13] === 0x06 && f.frame[21] === 2);
      expect(replies.map((f) => formatMac(f.frame.subarray(22, 28))), p).toEqual([VMAC4, VMAC4]);
      const orcus = r.devices.find((d) => d.name === 'Orcus')!.graph.node('arp-input');
      expect(orcus.counters[orcus.counterNames.indexOf('arp_replies_sent')], p).toBe(0);
      expect(r.stats.balanced).toBe(true);
    }
  });
});

describe('arp-filter', () => {
  it('a request for a local address is answered only when the route back to the sender leaves by the receiving IFL', () => {
    const s = scenario('linux', { switches: 'arp-filter: on' });
    // 10.1.0.7 is routed out et-0/0/1: answered; 10.100.0.9 is routed out unit 100, so its request on et-0/0/1 is filtered.
    const r = runFrames(s, { [P1]: [at(0, req(P1, H, '10.1.0.7', '10.1.0.1')), at(0.1, req(P1, H, '10.100.0.9', '10.1.0.1'))] });
    expect(hex(r.out[P1])).toEqual(hx(rep(P1, M1, '10.1.0.1', H, '10.1.0.7')));
    expect(r.stats.drops).toEqual({ arp_filtered: 1 });
    const off = runFrames(scenario('linux'), { [P1]: [at(0.1, req(P1, H, '10.100.0.9', '10.1.0.1'))] });
    expect(off.out[P1]).toHaveLength(1);
  });
});

describe('proxy ARP', () => {
  const remote = req(P0, H, '10.100.0.7', '198.51.100.7');
  const sameLan = req(P0, H, '10.100.0.7', '10.100.0.20');
  it('ios (restricted by default) answers for a target routed out another IFL with the receiving port\'s MAC; junos and nxos (off) do not', () => {
    const ios = runFrames(scenario('ios'), { [P0]: [at(0, remote), at(0.1, sameLan)] });
    expect(hex(ios.out[P0])).toEqual(hx(rep(P0, M0, '198.51.100.7', H, '10.100.0.7')));
    expect(counters(ios)).toMatchObject({ arp_proxy_replies_sent: 1, arp_proxy_requests_not_proxied: 1, arp_entries_learned: 1 });
    for (const p of ['junos', 'nxos', 'linux']) {
      const r = runFrames(scenario(p), { [P0]: [at(0, remote), at(0.1, sameLan)] });
      expect(r.out[P0] ?? [], p).toEqual([]);
      expect(counters(r).arp_proxy_requests_not_proxied, p).toBe(0);
      expect(r.stats.accounting.consumed, p).toBe(2);
    }
  });

  it("a unit's own setting overrides the profile: junos with proxy-arp unrestricted answers even for its own LAN; ios with off answers nothing", () => {
    const junos = runFrames(scenario('junos', { unit100: ', proxy-arp: unrestricted' }), { [P0]: [at(0, remote), at(0.1, sameLan)] });
    expect(hex(junos.out[P0])).toEqual(hx(rep(P0, M0, '198.51.100.7', H, '10.100.0.7'), rep(P0, M0, '10.100.0.20', H, '10.100.0.7')));
    expect(counters(junos).arp_proxy_replies_sent).toBe(2);
    const ios = runFrames(scenario('ios', { unit100: ', proxy-arp: "off"' }), { [P0]: [at(0, remote)] });
    expect(ios.out[P0] ?? []).toEqual([]);
  });

  it('no route to the target, or a gratuitous ARP: never proxied', () => {
    const r = runFrames(scenario('ios', { switches: 'proxy-arp: unrestricted' }), {
      [P0]: [at(0, req(P0, H, '10.100.0.7', '203.0.113.1')), at(0.1, req(P0, H, '198.51.100.9', '198.51.100.9'))],
    });
    expect(r.out[P0] ?? []).toEqual([]);
    expect(counters(r)).toMatchObject({ arp_proxy_replies_sent: 0, arp_garp_received: 1 });
  });
});

describe('gratuitous ARP', () => {
  const learn = at(0, req(P1, H, '10.1.0.7', '10.1.0.1'));
  const garpReply = at(1, arpFrame({ src: HNEW, dst: BCAST }, 2, HNEW, '10.1.0.7', BCAST, '10.1.0.7'));
  const garpRequest = at(1, req(P1, HNEW, '10.1.0.7', '10.1.0.7'));
  const ping = at(2, ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst: '10.1.0.7' }));
  const pingTo = (mac: string): Uint8Array => ping4({ src: M1, dst: mac }, { src: '198.51.100.7', dst: '10.1.0.7', ttl: 63 });
  const answer = rep(P1, M1, '10.1.0.1', H, '10.1.0.7');

  it('a gratuitous reply updates the entry under linux, ios and nxos, not under junos (gratuitous-arp-reply is off by default); a gratuitous request updates it under all', () => {
    for (const [p, follows] of [['junos', false], ['ios', true], ['nxos', true], ['linux', true]] as const) {
      const r = runFrames(scenario(p), { [P1]: [learn, garpReply, ping] });
      expect(hex(r.out[P1]), p).toEqual(hx(answer, pingTo(follows ? HNEW : H)));
      expect(counters(r), p).toMatchObject({ arp_garp_received: 1, arp_garp_updated: follows ? 1 : 0, arp_garp_ignored: follows ? 0 : 1 });
      const q = runFrames(scenario(p), { [P1]: [learn, garpRequest, ping] });
      expect(hex(q.out[P1]), p).toEqual(hx(answer, pingTo(HNEW)));
    }
  });

  it('an unknown sender is learned only with arp-garp-learn (Linux arp_accept=1), and only on a subnet of the IFL; a static entry never moves', () => {
    const unknown = at(1, req(P1, HNEW, '10.1.0.7', '10.1.0.7'));
    const off = runFrames(scenario('linux'), { [P1]: [unknown, ping] });
    expect(counters(off)).toMatchObject({ arp_garp_ignored: 1, arp_garp_learned: 0 });
    expect(hex(off.out[P1])[0]).toBe(hx(pad(arpFrame({ src: M1, dst: BCAST }, 1, M1, '10.1.0.1', ZERO, '10.1.0.7')))[0]);
    const on = runFrames(scenario('linux', { switches: 'arp-garp-learn: on' }), {
      [P1]: [unknown, at(1.1, req(P1, HNEW, '172.16.0.9', '172.16.0.9')), at(1.2, req(P1, HNEW, '10.1.0.254', '10.1.0.254')), ping],
    });
    expect(counters(on)).toMatchObject({ arp_garp_learned: 1, arp_garp_ignored: 2 });
    expect(hex(on.out[P1])).toEqual(hx(pingTo(HNEW)));
  });
});

describe('ARP cache ageing', () => {
  const learn = at(0, req(P1, H, '10.1.0.7', '10.1.0.1'));
  const ping = (t: number, seq: number): TimedFrame => at(t, ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst: '10.1.0.7', id: seq }, 1, seq));
  const out = (seq: number): Uint8Array => ping4({ src: M1, dst: H }, { src: '198.51.100.7', dst: '10.1.0.7', id: seq, ttl: 63 }, 1, seq);
  const ask = pad(arpFrame({ src: M1, dst: BCAST }, 1, M1, '10.1.0.1', ZERO, '10.1.0.7'));
  const answer = rep(P1, M1, '10.1.0.1', H, '10.1.0.7');

  it('junos: an entry not confirmed for 1200 s is removed and the next packet ARPs again; ios (4 hours) still has it', () => {
    const junos = runFrames(scenario('junos'), { [P1]: [learn, ping(1199, 1), ping(1200, 2)] });
    expect(hex(junos.out[P1])).toEqual(hx(answer, out(1), ask));
    expect(counters(junos).arp_entries_aged).toBe(1);
    expect(junos.stats.drops).toEqual({ arp_resolution_failed: 1 });
    const ios = runFrames(scenario('ios'), { [P1]: [learn, ping(1199, 1), ping(1200, 2), ping(14399, 3)] });
    expect(hex(ios.out[P1])).toEqual(hx(answer, out(1), out(2), out(3)));
    expect(counters(ios).arp_entries_aged).toBe(0);
    const nxos = runFrames(scenario('nxos'), { [P1]: [learn, ping(1499, 1), ping(1500, 2)] });
    expect(hex(nxos.out[P1])).toEqual(hx(answer, out(1), ask));
  });

  it('an ARP from the owner confirms the entry (its time starts again); static entries never age; arp-cache-timeout 0 never ages', () => {
    const r = runFrames(scenario('junos'), { [P1]: [learn, at(1000, req(P1, H, '10.1.0.7', '10.1.0.1')), ping(2100, 1), ping(2300, 2)] });
    expect(hex(r.out[P1])).toEqual(hx(answer, answer, out(1), ask));
    const gw = ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst: '10.1.0.254' });
    const s = runFrames(scenario('junos'), { [P1]: [learn, at(5000, gw)] });
    expect(s.out[P1]).toHaveLength(2);
    expect(counters(s).arp_entries_aged).toBe(1);
    const never = runFrames(scenario('junos', { switches: 'arp-cache-timeout: 0' }), { [P1]: [learn, ping(90000, 1)] });
    expect(hex(never.out[P1])).toEqual(hx(answer, out(1)));
  });

  it('Junos system arp aging-timer (minutes) overrides the profile', () => {
    const conf = `system { arp { aging-timer 5; } }
interfaces { et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.254 mac ${GW}; } } } } }
routing-options { static { route 198.51.100.0/24 next-hop 10.1.0.254; } }`;
    const r = runFrames(junosScenario(conf), { [P1]: [learn, ping(299, 1), ping(300, 2)] });
    expect(hex(r.out[P1])).toEqual(hx(answer, out(1), ask));
  });
});

describe('configuration', () => {
  it('Junos: proxy-arp on a unit (bare: unrestricted), system arp aging-timer; mistakes with their place', () => {
    const d = loadJunosText(`system { arp { aging-timer 30; } }
interfaces { et-0/0/0 { vlan-tagging; unit 0 { vlan-id 2; proxy-arp restricted; family inet { address 10.0.0.1/24; } }
                        unit 1 { proxy-arp; vlan-id 1; } } }`, 'r.conf');
    expect(d.arpAgingSec).toBe(1800);
    expect(d.ifds[0].units.map((u) => u.proxyArp)).toEqual(['restricted', 'unrestricted']);
    let err: unknown;
    try {
      loadJunosText('system { arp { aging-timer 241; } }\ninterfaces { et-0/0/0 { unit 0 { proxy-arp sometimes; } } }', 'b.conf');
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.split('\n')).toEqual([
      "b.conf:1:28: arp aging-timer '241' is not 1..240 minutes",
      "b.conf:2:44: proxy-arp 'sometimes' is not restricted or unrestricted",
    ]);
  });

  it('YAML: proxy-arp on a unit, checked', () => {
    let err: unknown;
    try {
      loadScenarioText('devices:\n  R1:\n    interfaces:\n      et-0/0/0: { inet: [10.0.0.1/24], proxy-arp: always }\n', 'p.yaml');
    } catch (e) { err = e; }
    expect((err as Error).message).toBe("p.yaml:4:51: et-0/0/0.0 proxy-arp: expected off, restricted or unrestricted, not 'always'");
  });
});

describe('property: ARP floods', () => {
  // Addresses inside and outside R1's subnets, its own, 0.0.0.0.
  const IPS = ['10.100.0.1', '10.100.0.9', '10.1.0.1', '10.1.0.7', '10.1.0.254', '172.16.5.10', '172.16.5.11', '192.0.2.1', '198.51.100.7', '203.0.113.1', '0.0.0.0'];
  const MACS = [IVE, H, HNEW, GW, BCAST, M0];
  const ip = fc.constantFrom(...IPS);
  const mac = fc.constantFrom(...MACS);
  const frame = fc.record({
    port: fc.constantFrom(P0, P1),
    op: fc.constantFrom(1, 2, 3, 0),
    sha: mac, spa: ip, tpa: ip, garp: fc.boolean(),
    dst: fc.constantFrom(BCAST, M0, M1, H),
    vlan: fc.constantFrom(undefined, 100, 200),
    cut: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    dt: fc.double({ min: 0, max: 900, noNaN: true }),
  });
  const settings = fc.record({
    profile: fc.constantFrom(...PROFILES),
    ignore: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }),
    sender: fc.option(fc.constantFrom('none', 'interface-subnets'), { nil: undefined }),
    filter: fc.option(fc.boolean(), { nil: undefined }),
    proxy: fc.option(fc.constantFrom('off', 'restricted', 'unrestricted'), { nil: undefined }),
    garp: fc.option(fc.constantFrom('none', 'requests', 'requests-and-replies'), { nil: undefined }),
    learn: fc.option(fc.boolean(), { nil: undefined }),
    timeout: fc.option(fc.constantFrom(0, 60, 1200), { nil: undefined }),
    secondary: fc.boolean(),
  });

  it('never throw and always balance, whatever the profile and switches', () => {
    fc.assert(fc.property(settings, fc.array(frame, { maxLength: 40 }), (s, frames) => {
      const sw = [
        s.ignore !== undefined && `arp-ignore: ${s.ignore}`, s.sender && `arp-sender-check: ${s.sender}`,
        s.filter !== undefined && `arp-filter: ${s.filter}`, s.proxy && `proxy-arp: "${s.proxy}"`,
        s.garp && `arp-garp-update: ${s.garp}`, s.learn !== undefined && `arp-garp-learn: ${s.learn}`,
        s.timeout !== undefined && `arp-cache-timeout: ${s.timeout}`,
      ].filter(Boolean).join(', ');
      const sc = scenario(s.profile, { switches: sw, inet100: s.secondary ? '10.100.0.1/24, 172.16.5.11/31' : undefined });
      const inputs: Record<string, TimedFrame[]> = { [P0]: [], [P1]: [] };
      let t = T;
      for (const f of frames) {
        t += f.dt;
        const tpa = f.garp ? f.spa : f.tpa;
        let bytes = arpFrame({ src: f.sha === BCAST ? H : f.sha, dst: f.dst, vlans: f.vlan ? [f.vlan] : undefined }, 1, f.sha, f.spa, ZERO, tpa);
        const o = f.vlan ? 18 : 14;
        bytes[o + 7] = f.op;
        if (f.cut !== undefined) bytes = bytes.slice(0, Math.min(bytes.length, f.cut));
        if (bytes.length < 14) bytes = eth({ src: H, dst: BCAST }, 0x0806, bytes);
        inputs[f.port].push({ t, frame: bytes });
        // Traffic that needs the ARP cache, now and then.
        if (f.dt > 600) inputs[P1].push({ t, frame: ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst: f.tpa === '0.0.0.0' ? '10.1.0.7' : f.tpa }) });
      }
      const r = runFrames(sc, inputs);
      expect(r.stats.balanced).toBe(true);
      const c = counters(r);
      expect(c.arp_garp_received).toBe(c.arp_garp_updated + c.arp_garp_learned + c.arp_garp_ignored);
      expect(c.arp_proxy_replies_sent).toBeLessThanOrEqual(c.arp_replies_sent);
    }), { numRuns: 60 });
  });

  it('every switch of the area is read by arp-input (a typo in a name fails at construction)', () => {
    expect(ARP_SWITCHES.map((d) => d.name)).toEqual(['arp-ignore', 'arp-sender-check', 'arp-filter', 'proxy-arp', 'arp-garp-update', 'arp-garp-learn', 'arp-cache-timeout']);
  });
});
