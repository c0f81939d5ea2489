// ARP and neighbour discovery end to end: answering, learning, and holding
// packets while a next hop is resolved (one request per second, three at most).
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, naFrame, nsFrame, ping4, ping6 } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { show } from '../cli/show.js';
import { formatMac } from '../packet/addr.js';
import { HOLD_QUEUE_LIMIT } from '../l3/neighbor.js';

const mac = (ifd: string): string => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const HOST0 = '02:00:00:00:00:02';
const HOST9 = '02:00:00:00:01:09'; // 10.1.0.9 / 2001:db8:1::9 on et-0/0/1, learned dynamically
const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';

const CONF = `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${HOST0}; } }
                      family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${HOST0}; } } } }
  et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.5 mac 02:00:00:00:01:05; } }
                      family inet6 { address 2001:db8:1::1/64; } } }
}`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const pad60 = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
const run = (inputs: Record<string, TimedFrame[]>) => runFrames(junosScenario(CONF), inputs);
const from0 = { src: HOST0, dst: M0 };
const toHost9 = (seq: number) => ping4(from0, { src: '10.0.0.2', dst: '10.1.0.9', id: seq }, 1, seq);
const toHost9Out = (seq: number) => ping4({ src: M1, dst: HOST9 }, { src: '10.0.0.2', dst: '10.1.0.9', id: seq, ttl: 63 }, 1, seq);
const arpRequest9 = pad60(arpFrame({ src: M1, dst: BCAST }, 1, M1, '10.1.0.1', ZERO, '10.1.0.9'));
const arpReply9 = arpFrame({ src: HOST9, dst: M1 }, 2, HOST9, '10.1.0.9', M1, '10.1.0.1');
const arpEntries = (r: ReturnType<typeof run>) =>
  r.devices[0].nbrs.all.filter((n) => n.family === 4).map((n) => `${n.ipText()} ${n.macText()} ${n.state}`);

describe('ARP input', () => {
  it('answers a request for its address with an exact reply and learns the requester', () => {
    const req = arpFrame({ src: '02:00:00:00:01:07', dst: BCAST }, 1, '02:00:00:00:01:07', '10.1.0.7', ZERO, '10.1.0.1');
    const r = run({ 'et-0/0/1': [{ t: 5, frame: req }] });
    const want = pad60(arpFrame({ src: M1, dst: '02:00:00:00:01:07' }, 2, M1, '10.1.0.1', '02:00:00:00:01:07', '10.1.0.7'));
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)])).toEqual([[5, hex(want)]]);
    expect(arpEntries(r)).toEqual(['10.0.0.2 02:00:00:00:00:02 static', '10.1.0.5 02:00:00:00:01:05 static', '10.1.0.7 02:00:00:00:01:07 reachable']);
    expect(show(r.devices[0], 'arp')).toContain('02:00:00:00:01:07 10.1.0.7');
    expect(show(r.devices[0], 'arp')).toMatch(/Total entries: 3$/);
    expect(r.stats.devices.R1.nodes['arp-input'].counters)
      .toEqual({ arp_requests_received: 1, arp_replies_sent: 1, arp_entries_learned: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 1, dropped: 0, linked: 0 });
  });

  it('takes in a request for another host without replying or learning', () => {
    const req = arpFrame({ src: '02:00:00:00:01:07', dst: BCAST }, 1, '02:00:00:00:01:07', '10.1.0.7', ZERO, '10.1.0.8');
    const r = run({ 'et-0/0/1': [{ t: 5, frame: req }] });
    expect(r.out).toEqual({});
    expect(arpEntries(r)).toEqual(['10.0.0.2 02:00:00:00:00:02 static', '10.1.0.5 02:00:00:00:01:05 static']);
    expect(r.stats.accounting).toEqual({ in: 1, generated: 0, out: 0, consumed: 1, dropped: 0, linked: 0 });
  });

  it('a gratuitous ARP updates an existing dynamic entry, and traffic follows the new MAC; a static entry stays', () => {
    const req = arpFrame({ src: '02:00:00:00:01:07', dst: BCAST }, 1, '02:00:00:00:01:07', '10.1.0.7', ZERO, '10.1.0.1');
    const garp = arpFrame({ src: '02:00:00:00:01:77', dst: BCAST }, 1, '02:00:00:00:01:77', '10.1.0.7', ZERO, '10.1.0.7');
    const garpStatic = arpFrame({ src: '02:00:00:00:01:55', dst: BCAST }, 1, '02:00:00:00:01:55', '10.1.0.5', ZERO, '10.1.0.5');
    const r = run({
      'et-0/0/1': [{ t: 1, frame: req }, { t: 2, frame: garp }, { t: 2.5, frame: garpStatic }],
      'et-0/0/0': [{ t: 3, frame: ping4(from0, { src: '10.0.0.2', dst: '10.1.0.7' }) }],
    });
    expect(arpEntries(r)).toContain('10.1.0.7 02:00:00:00:01:77 reachable');
    expect(arpEntries(r)).toContain('10.1.0.5 02:00:00:00:01:05 static');
    // The reply to the request, then the ping straight to the new MAC (no ARP request).
    expect(r.out['et-0/0/1'].map((f) => [f.t, formatMac(f.frame, 0), (f.frame[12] << 8) | f.frame[13]]))
      .toEqual([[1, '02:00:00:00:01:07', 0x0806], [3, '02:00:00:00:01:77', 0x0800]]);
    expect(r.stats.accounting).toEqual({ in: 4, generated: 1, out: 2, consumed: 3, dropped: 0, linked: 0 });
  });

  it('an unsolicited reply creates no entry: the next packet to that host still needs an ARP request', () => {
    const r = run({
      'et-0/0/1': [{ t: 1, frame: arpReply9 }],
      'et-0/0/0': [{ t: 2, frame: toHost9(1) }],
    });
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(arpRequest9)]);
    expect(r.stats.drops).toEqual({ arp_resolution_failed: 1 });
    expect(r.stats.balanced).toBe(true);
  });

  // A vector spans at most 100 µs of input time, so a reply at t=1 is taken in
  // before the packet at t=2 needs resolving: it answers nothing.
  it('an unsolicited reply a second before the traffic creates no entry', () => {
    const r = run({ 'et-0/0/1': [{ t: 1, frame: arpReply9 }], 'et-0/0/0': [{ t: 2, frame: toHost9(1) }] });
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(arpRequest9)]);
  });
});

describe('ARP resolution', () => {
  it('sends exactly one broadcast request from the subnet address, holds the packet, and sends it at the reply\'s time', () => {
    const r = run({
      'et-0/0/0': [{ t: 10, frame: toHost9(1) }],
      'et-0/0/1': [{ t: 10.5, frame: arpReply9 }],
    });
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)])).toEqual([[10, hex(arpRequest9)], [10.5, hex(toHost9Out(1))]]);
    expect(r.stats.devices.R1.nodes['ip4-arp'].counters).toEqual({ arp_requests_sent: 1, packets_held: 1 });
    expect(r.stats.accounting).toEqual({ in: 2, generated: 1, out: 2, consumed: 1, dropped: 0, linked: 0 });
    expect(r.devices[0].heldCount()).toBe(0);
  });

  it('releases several held packets in order with one request', () => {
    const r = run({
      'et-0/0/0': [1, 2, 3, 4, 5].map((seq) => ({ t: 10 + seq / 100, frame: toHost9(seq) })),
      'et-0/0/1': [{ t: 10.5, frame: arpReply9 }],
    });
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)]))
      .toEqual([[10.01, hex(arpRequest9)], ...[1, 2, 3, 4, 5].map((seq) => [10.5, hex(toHost9Out(seq))])]);
    expect(r.stats.balanced).toBe(true);
  });

  it('with no reply: 3 requests one per second of input time, then arp_resolution_failed; a later packet starts over', () => {
    const times = [10, 10.4, 10.8, 11.0, 11.5, 12.0, 12.6, 13.1];
    const r = run({ 'et-0/0/0': times.map((t, i) => ({ t, frame: toHost9(i + 1) })) });
    // At t=13 the seven held packets have waited 3 s: dropped. The packet at 13.1 asks anew, and is dropped at the end.
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)]))
      .toEqual([[10, hex(arpRequest9)], [11, hex(arpRequest9)], [12, hex(arpRequest9)], [13.1, hex(arpRequest9)]]);
    expect(r.stats.drops).toEqual({ arp_resolution_failed: 8 });
    expect(r.stats.accounting).toEqual({ in: 8, generated: 4, out: 4, consumed: 0, dropped: 8, linked: 0 });
  });

  it(`holds at most ${HOLD_QUEUE_LIMIT} packets per neighbour: the excess is dropped as arp_hold_queue_full`, () => {
    const n = HOLD_QUEUE_LIMIT + 6;
    const r = run({
      'et-0/0/0': Array.from({ length: n }, (_, i) => ({ t: 10 + i / 10000, frame: toHost9(i + 1) })),
      'et-0/0/1': [{ t: 10.5, frame: arpReply9 }],
    });
    const fwd = r.out['et-0/0/1'].slice(1);
    expect(fwd.map((f) => hex(f.frame))).toEqual(Array.from({ length: HOLD_QUEUE_LIMIT }, (_, i) => hex(toHost9Out(i + 1))));
    expect(r.stats.drops).toEqual({ arp_hold_queue_full: 6 });
    expect(r.stats.accounting).toEqual({ in: n + 1, generated: 1, out: HOLD_QUEUE_LIMIT + 1, consumed: 1, dropped: 6, linked: 0 });
  });
});

describe('IPv6 neighbour resolution', () => {
  const toHost9v6 = (seq: number) => ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::9' }, 1, seq);
  const ns9 = nsFrame(M1, '2001:db8:1::1', '2001:db8:1::9');
  const na9 = naFrame({ src: HOST9, dst: M1 }, '2001:db8:1::9', '2001:db8:1::1', '2001:db8:1::9', HOST9);

  it('solicits the solicited-node group with an SLLA option; the NA releases the held packets in order', () => {
    expect(hex(ns9.subarray(0, 6))).toBe('3333ff000009');
    const r = run({
      'et-0/0/0': [{ t: 10, frame: toHost9v6(1) }, { t: 10.1, frame: toHost9v6(2) }],
      'et-0/0/1': [{ t: 10.5, frame: na9 }],
    });
    const out = (seq: number) => ping6({ src: M1, dst: HOST9 }, { src: '2001:db8::2', dst: '2001:db8:1::9', hlim: 63 }, 1, seq);
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)])).toEqual([[10, hex(ns9)], [10.5, hex(out(1))], [10.5, hex(out(2))]]);
    expect(r.stats.devices.R1.nodes['ip6-nd'].counters).toEqual({ ns_sent: 1, packets_held: 2 });
    expect(show(r.devices[0], 'ipv6 neighbors')).toMatch(/2001:db8:1::9\s+02:00:00:00:01:09\s+reachable/);
    expect(r.stats.accounting).toEqual({ in: 3, generated: 1, out: 3, consumed: 1, dropped: 0, linked: 0 });
  });

  it('an NA and an ARP reply in one vector release the IPv6 and the IPv4 packets each through its own rewrite', () => {
    const r = run({
      'et-0/0/0': [{ t: 10, frame: toHost9v6(1) }, { t: 10.1, frame: toHost9(1) }],
      'et-0/0/1': [{ t: 10.5, frame: na9 }, { t: 10.50001, frame: arpReply9 }],
    });
    const out6 = ping6({ src: M1, dst: HOST9 }, { src: '2001:db8::2', dst: '2001:db8:1::9', hlim: 63 }, 1, 1);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(ns9), hex(arpRequest9), hex(out6), hex(toHost9Out(1))]);
    expect(r.stats.accounting).toEqual({ in: 4, generated: 2, out: 4, consumed: 2, dropped: 0, linked: 0 });
  });

  it('with no NA: 3 solicitations one second apart, then nd_resolution_failed', () => {
    const r = run({ 'et-0/0/0': [10, 10.5, 11, 12, 12.9].map((t, i) => ({ t, frame: toHost9v6(i + 1) })) });
    expect(r.out['et-0/0/1'].map((f) => [f.t, hex(f.frame)])).toEqual([[10, hex(ns9)], [11, hex(ns9)], [12, hex(ns9)]]);
    expect(r.stats.drops).toEqual({ nd_resolution_failed: 5 });
    expect(r.stats.balanced).toBe(true);
  });
});
