// The Internet-exchange edge end to end on real frames: each rule's drop
// under its own reason, quarantine, flap dampening from a timeline, the ARP
// sponge, configuration mistakes with file:line:column, and a property: no
// sequence of link events and frames (ARP floods included) on edge ports
// makes a run throw or lose count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ip4, ip6, icmp6, nsFrame, ping4, ping6, udp4Frame, pattern } from '../craft/craft.js';
import { runFrames, type TimedFrame } from '../craft/frames-run.js';
import { loadScenarioText } from '../config/scenario.js';
import { ConfigError } from '../config/model.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import type { BridgeInput } from './bridge.js';
import type { EdgeInput } from './edge.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const Q = '02:00:00:00:00:0d';
const T = '02:00:00:00:00:0e';
const BCAST = 'ff:ff:ff:ff:ff:ff';

function ix(extra = '', timeline = ''): string {
  return `
devices:
  IX:
    interfaces:
      et-0/0/1: { encapsulation: ethernet-bridge }
      et-0/0/2: { encapsulation: ethernet-bridge }
      et-0/0/3: { encapsulation: ethernet-bridge }
      et-0/0/4: { encapsulation: ethernet-bridge }
      et-0/0/5: { encapsulation: ethernet-bridge }
    routing-instances:
      FABRIC:
        type: virtual-switch
        bridge-domains:
          PEERING: { vlan-id: 100, interfaces: [et-0/0/1, et-0/0/2, et-0/0/3, et-0/0/5], arp-suppression: false }
          QUARANTINE: { vlan-id: 999, interfaces: [et-0/0/4] }
    edge:
      et-0/0/1: { mac: [${A}] }
      et-0/0/2: {}
      et-0/0/3: { quarantine: QUARANTINE }
${extra}${timeline}`;
}

const run = (inputs: Record<string, TimedFrame[]>, extra = '', timeline = '') => runFrames(loadScenarioText(ix(extra, timeline), 'ix.yaml'), inputs);
const at = (t: number, frame: Uint8Array): TimedFrame => ({ t, frame });
const ping = (src: string, dst = B, ipDst = '192.0.2.2', size?: number) =>
  ping4({ dst, src }, { src: '192.0.2.1', dst: ipDst }, 1, 1, size === undefined ? undefined : pattern(size));
/** An 802.3 frame (length, not ethertype) with an LLC header. */
const llc = (dst: string, src: string, header: number[]) => eth({ dst, src }, header.length + 20, Uint8Array.from([...header, ...pattern(20)]));

describe('edge-input: each rule under its own reason', () => {
  it('drops link-local protocols by name, other ethertypes and LLC, non-unicast, and what is too long', () => {
    const frames: [string, Uint8Array][] = [
      ['edge_stp', llc('01:80:c2:00:00:00', A, [0x42, 0x42, 0x03, 0, 0])],
      ['edge_stp', llc('01:00:0c:cc:cc:cd', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x01, 0x0b])],
      ['edge_lldp', eth({ dst: '01:80:c2:00:00:0e', src: A }, 0x88cc, pattern(30))],
      ['edge_cdp_vtp_dtp', llc('01:00:0c:cc:cc:cc', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00])],
      ['edge_cdp_vtp_dtp', llc('01:00:0c:cc:cc:cc', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x04])],
      ['edge_cisco_keepalive', eth({ dst: A, src: A }, 0x9000, pattern(40))],
      ['edge_dec_mop', eth({ dst: 'ab:00:00:02:00:00', src: A }, 0x6002, pattern(40))],
      ['edge_isis', llc('01:80:c2:00:00:15', A, [0xfe, 0xfe, 0x03, 0x83])],
      ['edge_llc_snap', llc(B, A, [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00])],
      ['edge_igmp', eth({ dst: '01:00:5e:00:00:01', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.1', ttl: 1 }, 2, pattern(8)))],
      ['edge_dhcp', udp4Frame({ dst: BCAST, src: A }, { src: '0.0.0.0', dst: '255.255.255.255' }, 68, 67, pattern(240))],
      ['edge_ipv6_ra', eth({ dst: '33:33:00:00:00:01', src: A }, 0x86dd, ip6({ src: 'fe80::a', dst: 'ff02::1', hlim: 255 }, 58,
        icmp6('fe80::a', 'ff02::1', { type: 134, code: 0, payload: pattern(12) } as never)))],
      ['edge_ospf', eth({ dst: '01:00:5e:00:00:05', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.5', ttl: 1 }, 89, pattern(24)))],
      ['edge_eigrp', eth({ dst: '01:00:5e:00:00:0a', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.10', ttl: 1 }, 88, pattern(20)))],
      ['edge_ethertype', eth({ dst: B, src: A }, 0x8847, pattern(40))],
      ['edge_non_unicast', ping(A, BCAST, '192.0.2.255')],
      ['edge_non_unicast', ping(A, B, '255.255.255.255')],
      ['edge_non_unicast', arpFrame({ dst: '01:00:5e:00:00:01', src: A }, 1, A, '192.0.2.1', '00:00:00:00:00:00', '192.0.2.2')],
      ['edge_non_unicast', ping6({ dst: '33:33:00:00:00:01', src: A }, { src: 'fe80::a', dst: 'ff02::1' })],
      ['edge_mac_not_allowed', ping(C)],
      ['edge_payload_too_large', ping(A, B, '192.0.2.2', 1501 - 28)],
    ];
    const r = run({ 'et-0/0/1': frames.map(([, f], i) => at(1 + i * 0.001, f)) });
    const want: Record<string, number> = {};
    for (const [reason] of frames) want[reason] = (want[reason] ?? 0) + 1;
    expect(r.stats.drops).toEqual(want);
    expect(r.out).toEqual({});
    expect(r.stats.balanced).toBe(true);
  });

  it('passes unicast, broadcast ARP and multicast ND, and a 1500-byte payload; counts the unit input', () => {
    const frames = [
      ping(A, B, '192.0.2.2', 1500 - 28),
      arpFrame({ dst: BCAST, src: A }, 1, A, '192.0.2.1', '00:00:00:00:00:00', '192.0.2.2'),
      nsFrame(A, 'fe80::a', 'fe80::b'),
      ping6({ dst: B, src: A }, { src: '2001:db8::a', dst: '2001:db8::b' }),
    ];
    const r = run({ 'et-0/0/1': frames.map((f, i) => at(1 + i * 0.001, f)) });
    expect(r.stats.drops).toEqual({});
    // Unknown unicast and broadcast are flooded to the peering LAN's other members (et-0/0/3 is in quarantine).
    expect(r.out['et-0/0/2'].map((f) => [...f.frame])).toEqual(frames.map((f) => [...f, ...new Array<number>(Math.max(0, 60 - f.length)).fill(0)]));
    expect(r.out['et-0/0/3']).toBeUndefined();
    expect(r.stats.devices.IX.interfaces['et-0/0/1.0'].inputPackets).toBe(4);
  });

  it('locks the first MAC of a port without a list (mac-limit 1) and drops any other as edge_mac_limit', () => {
    const r = run({ 'et-0/0/2': [at(1, ping(B, A)), at(2, ping(C, A)), at(3, ping(B, A))] });
    expect(r.stats.drops).toEqual({ edge_mac_limit: 1 });
    expect(r.stats.devices.IX.nodes['edge-input'].counters).toEqual({ edge_mac_locked: 1 });
    expect(r.out['et-0/0/1']).toHaveLength(2);
  });

  it('takes its own IEEE 802.1 frames (LACP) as any port does; a port without edge rules keeps ethernet-input\'s behaviour', () => {
    const lacp = eth({ dst: '01:80:c2:00:00:02', src: A }, 0x8809, pattern(110));
    const bpdu = llc('01:80:c2:00:00:00', C, [0x42, 0x42, 0x03, 0, 0]);
    const r = run({ 'et-0/0/1': [at(1, lacp)], 'et-0/0/5': [at(1, bpdu), at(2, eth({ dst: A, src: C }, 0x8847, pattern(40)))] });
    // LACP and the BPDU taken in; the MPLS frame bridged on the port without rules (flooded to two members).
    expect(r.stats.accounting).toMatchObject({ in: 3, consumed: 2, generated: 1, out: 2, dropped: 0 });
    expect(r.stats.drops).toEqual({});
  });

  it('allows ethertypes and payload sizes as configured per port', () => {
    const r = run({ 'et-0/0/2': [at(1, eth({ dst: A, src: B }, 0x8847, pattern(40))), at(2, ping(B, A, '192.0.2.1', 1000)), at(3, ping(B, A, '192.0.2.1', 900))] },
      '', '').stats; // defaults first
    expect(r.drops).toEqual({ edge_ethertype: 1 });
    const yaml = ix().replace('et-0/0/2: {}', 'et-0/0/2: { ethertypes: [0x0800, 0x8847], max-payload: 1000 }');
    const r2 = runFrames(loadScenarioText(yaml, 'ix.yaml'), { 'et-0/0/2': [at(1, eth({ dst: A, src: B }, 0x8847, pattern(40))), at(2, ping(B, A, '192.0.2.1', 1000)), at(3, ping(B, A, '192.0.2.1', 900))] });
    expect(r2.stats.drops).toEqual({ edge_payload_too_large: 1 });
  });
});

describe('quarantine', () => {
  it('bridges a quarantined port in the quarantine domain only: none of its frames reach the peering LAN, none of the LAN\'s reach it', () => {
    const arpQ = arpFrame({ dst: BCAST, src: Q }, 1, Q, '192.0.2.30', '00:00:00:00:00:00', '192.0.2.1');
    const arpA = arpFrame({ dst: BCAST, src: A }, 1, A, '192.0.2.1', '00:00:00:00:00:00', '192.0.2.30');
    const r = run({ 'et-0/0/3': [at(1, arpQ), at(3, ping(Q, T, '192.0.2.99'))], 'et-0/0/1': [at(2, arpA)], 'et-0/0/4': [at(2.5, ping(T, Q, '192.0.2.30'))] });
    expect(Object.keys(r.out).sort()).toEqual(['et-0/0/2', 'et-0/0/3', 'et-0/0/4', 'et-0/0/5']);
    expect(r.out['et-0/0/4'].map((f) => f.t)).toEqual([1, 3]);
    expect(r.out['et-0/0/3'].map((f) => f.t)).toEqual([2.5]);
    expect(r.out['et-0/0/2'].map((f) => f.t)).toEqual([2]);
    expect(r.stats.drops).toEqual({});
  });
});

describe('flap dampening (timeline link events)', () => {
  const flaps = (times: number[], port = 'et-0/0/2') =>
    `timeline:\n${times.map((t, i) => `  - { at: ${t}, ${i % 2 ? 'link-up' : 'link-down'}: IX:${port} }`).join('\n')}\n`;

  it('4 transitions in 5 s disable the port for 10 s: packets in and out dropped port_dampened, then it forwards again', () => {
    const r = run({
      'et-0/0/2': [at(100, ping(B, A)), at(104.5, ping(B, A)), at(113.9, ping(B, A)), at(114.1, ping(B, A))],
      'et-0/0/1': [at(105, arpFrame({ dst: BCAST, src: A }, 1, A, '192.0.2.1', '00:00:00:00:00:00', '192.0.2.2'))],
    }, '', flaps([1, 2, 3, 4]));
    expect(r.stats.drops).toEqual({ port_dampened: 3 });
    expect(r.out['et-0/0/1'].map((f) => f.t)).toEqual([100, 114.1]);
    // At 114.1 A is known (learned at 105 on et-0/0/1): unicast, not flooded.
    expect(r.out['et-0/0/5'].map((f) => f.t)).toEqual([100, 105]);
    const edge = r.devices[0].graph.node('edge-input') as unknown as EdgeInput;
    const port = r.devices[0].ifs.ifd('et-0/0/2');
    expect(edge.ports.dampenedEvents[port]).toBe(1);
    expect(edge.ports.reenabledEvents[port]).toBe(1);
    expect(r.stats.devices.IX.nodes['edge-input'].counters).toEqual({ edge_mac_locked: 1, port_dampening_disabled: 1, port_dampening_reenabled: 1 });
    expect(r.stats.balanced).toBe(true);
  });

  it('3 transitions in 5 s, or 4 spread over more than 5 s, do not', () => {
    const inputs = { 'et-0/0/2': [at(100, ping(B, A)), at(106, ping(B, A))] };
    // Down, up, down: the port is down (link_down), not dampened.
    expect(run(inputs, '', flaps([1, 2, 3])).stats.drops).toEqual({ link_down: 1 });
    const spread = run({ 'et-0/0/2': [at(100, ping(B, A)), at(107, ping(B, A))] }, '', flaps([1, 2.5, 4, 6.1]));
    expect(spread.stats.drops).toEqual({});
    expect(spread.out['et-0/0/1']).toHaveLength(2);
  });

  it('is configurable per port, and off with dampening: false', () => {
    const cfg = ix().replace('et-0/0/2: {}', 'et-0/0/2: { dampening: { transitions: 1, window: 1, hold-down: 2.5 } }');
    const r = runFrames(loadScenarioText(cfg + flaps([1, 1.5]), 'ix.yaml'), { 'et-0/0/2': [at(100, ping(B, A)), at(103.9, ping(B, A)), at(104.1, ping(B, A))] });
    expect(r.stats.drops).toEqual({ port_dampened: 1 });
    const off = ix().replace('et-0/0/2: {}', 'et-0/0/2: { dampening: false }');
    const r2 = runFrames(loadScenarioText(off + flaps([1, 1.5, 2, 2.5]), 'ix.yaml'), { 'et-0/0/2': [at(100, ping(B, A)), at(103, ping(B, A))] });
    expect(r2.stats.drops).toEqual({});
  });

  it('releases on input time: with no frame after the hold-down, the port is still dampened when the run ends', () => {
    const r = run({ 'et-0/0/2': [at(100, ping(B, A)), at(105, ping(B, A))] }, '', flaps([1, 2, 3, 4]));
    expect(r.devices[0].ifs.ifds[r.devices[0].ifs.ifd('et-0/0/2')].dampened).toBe(true);
    // A later timeline event runs the timers at its own time: the release happens then.
    const r2 = run({ 'et-0/0/2': [at(100, ping(B, A)), at(105, ping(B, A))] }, '', flaps([1, 2, 3, 4]) + '  - { at: 20, link-down: IX:et-0/0/5 }\n');
    expect(r2.devices[0].ifs.ifds[r2.devices[0].ifs.ifd('et-0/0/2')].dampened).toBe(false);
  });
});

describe('ARP sponge', () => {
  const SPONGE = '    arp-sponge:\n      PEERING: { network: 192.0.2.0/24, queue-depth: 5, rate: 50, pending: 2, learn-time: 0 }\n';
  const SPONGE_MAC = formatMac(derivedMac('IX', 'arp-sponge/PEERING'));
  const req = (t: number, tpa = '192.0.2.9', from = A, spa = '192.0.2.1') => at(t, arpFrame({ dst: BCAST, src: from }, 1, from, spa, '00:00:00:00:00:00', tpa));
  const spongeOf = (r: ReturnType<typeof run>) => (r.devices[0].graph.node('bridge-input') as unknown as BridgeInput).sponges![0]!;

  it('sponges an address whose requests fill the queue at 50/min or more and stay unanswered while pending; answers later requests with its MAC', () => {
    const reqs = Array.from({ length: 10 }, (_, i) => req(1 + i * 0.5));
    const r = run({ 'et-0/0/1': reqs }, SPONGE);
    // Pending at the 5th request (t=3, 5 requests at 120/min), sponged 2 s later: the requests at 5 and 5.5 are answered.
    const c = r.stats.devices.IX.nodes['bridge-input'].counters;
    expect(c).toMatchObject({ arp_sponge_pending: 1, arp_sponge_sponged: 1, arp_sponge_replies: 2 });
    const replies = r.out['et-0/0/1'];
    expect(replies.map((f) => f.t)).toEqual([5, 5.5]);
    const want = arpFrame({ dst: A, src: SPONGE_MAC }, 2, SPONGE_MAC, '192.0.2.9', A, '192.0.2.1');
    expect([...replies[0].frame]).toEqual([...want, ...new Array<number>(60 - want.length).fill(0)]);
    // The requests themselves are still flooded.
    expect(r.out['et-0/0/2']).toHaveLength(10);
    expect(spongeOf(r).stateOf('192.0.2.9')).toBe('sponged');
    // Each request flooded to et-0/0/2 and et-0/0/5 (et-0/0/3 is in quarantine): one copy generated; two replies.
    expect(r.stats.accounting).toMatchObject({ in: 10, generated: 10 + 2, out: 20 + 2, consumed: 0, dropped: 0 });
  });

  it('is sponged by the timer even when no one asks, and unsponged by any IPv4 packet from the address', () => {
    const reqs = Array.from({ length: 5 }, (_, i) => req(1 + i * 0.5));
    const r = run({ 'et-0/0/1': [...reqs, req(6), req(7)], 'et-0/0/2': [at(5.5, ping(B, A, '192.0.2.9')), at(6.5, ping4({ dst: A, src: B }, { src: '192.0.2.9', dst: '192.0.2.1' }))] }, SPONGE);
    const c = r.stats.devices.IX.nodes['bridge-input'].counters;
    expect(c).toMatchObject({ arp_sponge_sponged: 1, arp_sponge_replies: 1, arp_sponge_unsponged: 1 });
    expect(spongeOf(r).stateOf('192.0.2.9')).toBe('alive');
    expect(r.out['et-0/0/1'].filter((f) => f.frame[12] === 0x08 && f.frame[13] === 0x06).map((f) => f.t)).toEqual([6]);
  });

  it('unsponges on a gratuitous ARP and on a probe from 0.0.0.0; an answer while pending keeps the address alive', () => {
    const fill = (t0: number) => Array.from({ length: 5 }, (_, i) => req(t0 + i * 0.5));
    const garp = at(10, arpFrame({ dst: BCAST, src: C }, 1, C, '192.0.2.9', '00:00:00:00:00:00', '192.0.2.9'));
    const probe = at(20, arpFrame({ dst: BCAST, src: B }, 1, B, '0.0.0.0', '00:00:00:00:00:00', '192.0.2.9'));
    const answer = at(24, arpFrame({ dst: A, src: B }, 2, B, '192.0.2.9', A, '192.0.2.1'));
    const r = run({ 'et-0/0/1': [...fill(1), req(9), ...fill(11), req(19), ...fill(21), req(34)], 'et-0/0/2': [probe, answer], 'et-0/0/5': [garp] }, SPONGE);
    const c = r.stats.devices.IX.nodes['bridge-input'].counters;
    expect(c).toMatchObject({ arp_sponge_pending: 3, arp_sponge_sponged: 2, arp_sponge_unsponged: 2, arp_sponge_replies: 2 });
    expect(spongeOf(r).stateOf('192.0.2.9')).toBe('alive');
  });

  it('takes in frames sent to its MAC; learns only during learn-time; ignores addresses outside its network', () => {
    const toSponge = ping4({ dst: SPONGE_MAC, src: A }, { src: '192.0.2.1', dst: '192.0.2.9' });
    const learn = SPONGE.replace('learn-time: 0', 'learn-time: 10');
    const r = run({ 'et-0/0/1': [...Array.from({ length: 8 }, (_, i) => req(1 + i * 0.5)), ...Array.from({ length: 8 }, (_, i) => req(1 + i * 0.5 + 0.01, '198.51.100.9')), at(9, toSponge)] }, learn);
    const c = r.stats.devices.IX.nodes['bridge-input'].counters;
    expect(c.arp_sponge_pending ?? 0).toBe(0);
    expect(c.arp_sponge_consumed).toBe(1);
    expect(r.stats.accounting.consumed).toBe(1);
    expect(spongeOf(r).stateOf('198.51.100.9')).toBeUndefined();
  });

  it('flood protection: one sender asking faster than 3/s is thinned out of the queue, and never gets an address pending alone', () => {
    const pending = (x: ReturnType<typeof run>) => x.stats.devices.IX.nodes['bridge-input'].counters.arp_sponge_pending ?? 0;
    const flood = Array.from({ length: 30 }, (_, i) => req(1 + i * 0.1));
    expect(pending(run({ 'et-0/0/1': flood }, SPONGE))).toBe(0);
    expect(pending(run({ 'et-0/0/1': flood }, SPONGE.replace('learn-time: 0', 'learn-time: 0, flood-protection: 0')))).toBe(1);
    // Five senders at 2/s each (10/s in all) are not thinned: pending at the 5th request.
    const senders = Array.from({ length: 5 }, (_, i) => `192.0.2.${10 + i}`);
    const many = Array.from({ length: 5 }, (_, i) => req(1 + i * 0.1, '192.0.2.9', A, senders[i]));
    const r = run({ 'et-0/0/1': many }, SPONGE);
    expect(pending(r)).toBe(1);
    expect(spongeOf(r).stateOf('192.0.2.9')).toBe('pending');
  });
});

describe('configuration mistakes, with file:line:column', () => {
  it('reports each, all together', () => {
    const yaml = ix(`    arp-sponge:
      NOPE: { rate: -1, network: 10.0.0.0/33 }
`).replace('et-0/0/2: {}', 'et-0/0/2: { mac: [01:00:5e:00:00:01, 02:00:00:00:00:01, 02:00:00:00:00:02], mac-limit: 2, ethertypes: [0x0100], colour: red, quarantine: PEERING }')
      .replace('et-0/0/3: { quarantine: QUARANTINE }', 'et-0/0/3: { quarantine: QUARANTINE }\n      et-9/9/9: {}\n      et-0/0/4: { dampening: { window: 0 } }');
    let err: ConfigError | undefined;
    try { loadScenarioText(yaml, 'ix.yaml'); } catch (e) { err = e as ConfigError; }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = err!.message.split('\n');
    expect(lines).toHaveLength(9);
    for (const m of [
      /ix\.yaml:18:\d+: edge et-0\/0\/2 mac: '01:00:5e:00:00:01' is not a unicast MAC address/,
      /ix\.yaml:18:\d+: edge et-0\/0\/2 ethertypes: expected an ethertype 0x0600\.\.0xffff/,
      /ix\.yaml:18:\d+: edge et-0\/0\/2: unknown key 'colour'/,
      /ix\.yaml:18:\d+: edge et-0\/0\/2 quarantine: PEERING is the domain the port is already in/,
      /ix\.yaml:20:7: edge et-9\/9\/9: device IX has no interface 'et-9\/9\/9'/,
      /ix\.yaml:21:\d+: edge et-0\/0\/4 dampening window: expected a number of seconds above 0/,
      /ix\.yaml:23:7: arp-sponge NOPE: no bridge domain 'NOPE'/,
      /ix\.yaml:23:\d+: arp-sponge NOPE rate: expected an integer in 0\.\.1000000/,
      /ix\.yaml:23:\d+: arp-sponge NOPE network: /,
    ]) expect(lines.some((l) => m.test(l)), String(m)).toBe(true);
  });

  it('refuses an edge port whose units are routed, or in no bridge domain', () => {
    const yaml = ix().replace('et-0/0/5: { encapsulation: ethernet-bridge }', 'et-0/0/5: { inet: [192.0.2.250/24] }\n      et-0/0/6: { encapsulation: ethernet-bridge }')
      + '' ;
    const withPorts = yaml.replace('et-0/0/3: { quarantine: QUARANTINE }', 'et-0/0/3: { quarantine: QUARANTINE }\n      et-0/0/6: {}')
      .replace('interfaces: [et-0/0/1, et-0/0/2, et-0/0/3, et-0/0/5]', 'interfaces: [et-0/0/1, et-0/0/2, et-0/0/3]')
      .replace("      et-0/0/6: {}", "      et-0/0/6: {}\n      et-0/0/5: {}");
    expect(() => loadScenarioText(withPorts, 'ix.yaml')).toThrow(ConfigError);
    expect(() => loadScenarioText(withPorts, 'ix.yaml')).toThrow(/ix\.yaml:\d+:7: edge et-0\/0\/6: unit et-0\/0\/6\.0 is in no bridge domain/);
    expect(() => loadScenarioText(withPorts, 'ix.yaml')).toThrow(/ix\.yaml:\d+:7: edge et-0\/0\/5: an edge port's units must all be bridged/);
  });
});

describe('property: link events and frames on edge ports', () => {
  const MACS = [A, B, C, Q, T, '02:00:00:00:01:01'];
  const frameArb = fc.oneof(
    fc.record({ k: fc.constant('arp'), src: fc.constantFrom(...MACS), tpa: fc.integer({ min: 1, max: 6 }), spa: fc.integer({ min: 0, max: 6 }) }).map((x) =>
      arpFrame({ dst: BCAST, src: x.src }, 1, x.src, x.spa ? `192.0.2.${x.spa}` : '0.0.0.0', '00:00:00:00:00:00', `192.0.2.${x.tpa}`)),
    fc.record({ src: fc.constantFrom(...MACS), dst: fc.constantFrom(...MACS, BCAST, '01:80:c2:00:00:00', '01:00:0c:cc:cc:cc', '33:33:00:00:00:01'), type: fc.constantFrom(0x0800, 0x0806, 0x86dd, 0x9000, 0x6002, 0x88cc, 0x8100, 0x0040, 0x8847), n: fc.integer({ min: 0, max: 1600 }) })
      .map((x) => eth({ dst: x.dst, src: x.src }, x.type, pattern(x.n))),
    fc.record({ src: fc.constantFrom(...MACS), dst: fc.constantFrom(...MACS), ip: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 0, max: 1500 }) })
      .map((x) => ping4({ dst: x.dst, src: x.src }, { src: `192.0.2.${x.ip}`, dst: '192.0.2.1' }, 1, 1, pattern(x.n))),
    fc.uint8Array({ minLength: 0, maxLength: 80 }),
  );
  const PORTS = ['et-0/0/1', 'et-0/0/2', 'et-0/0/3', 'et-0/0/4', 'et-0/0/5'];

  it('never throws or loses count', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ port: fc.constantFrom(...PORTS), t: fc.integer({ min: 0, max: 4000 }), frame: frameArb }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.record({ t: fc.integer({ min: 0, max: 4000 }), up: fc.boolean(), port: fc.constantFrom(...PORTS) }), { maxLength: 12 }),
      (frames, events) => {
        const inputs: Record<string, TimedFrame[]> = {};
        for (const f of [...frames].sort((a, b) => a.t - b.t)) (inputs[f.port] ??= []).push(at(100 + f.t / 100, f.frame));
        const timeline = events.length ? `timeline:\n${events.map((e) => `  - { at: ${e.t / 100}, ${e.up ? 'link-up' : 'link-down'}: IX:${e.port} }`).join('\n')}\n` : '';
        const sponge = '    arp-sponge:\n      PEERING: { queue-depth: 3, rate: 1, pending: 1, learn-time: 0 }\n';
        const r = run(inputs, sponge, timeline);
        expect(r.stats.balanced).toBe(true);
        const a = r.stats.accounting;
        expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
      },
    ), { numRuns: 60 });
  });
});

describe('edge rules on a LAG bundle', () => {
  it('apply to frames taken in on any of its members', () => {
    const y = `
devices:
  IX:
    interfaces:
      et-0/0/1: { lag: ae0 }
      et-0/0/2: { lag: ae0 }
      et-0/0/3: { encapsulation: ethernet-bridge }
      ae0: { encapsulation: ethernet-bridge }
    routing-instances:
      FABRIC:
        type: virtual-switch
        bridge-domains:
          PEERING: { vlan-id: 100, interfaces: [ae0, et-0/0/3], arp-suppression: false }
    edge:
      ae0: { mac: [${A}] }
`;
    const r = runFrames(loadScenarioText(y, 'ix.yaml'), {
      'et-0/0/1': [at(1, eth({ dst: '01:80:c2:00:00:0e', src: A }, 0x88cc, pattern(30))), at(2, ping(A))],
      'et-0/0/2': [at(3, ping(C)), at(4, ping(A))],
    });
    expect(r.stats.drops).toEqual({ edge_lldp: 1, edge_mac_not_allowed: 1 });
    expect(r.out['et-0/0/3'].map((f) => f.t)).toEqual([2, 4]);
    expect(r.stats.balanced).toBe(true);
  });
});
