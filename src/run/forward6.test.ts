// End to end IPv6 forwarding, ICMPv6 errors and local delivery, compared byte
// for byte with frames crafted independently (checksums recomputed in full).
import { describe, expect, it } from 'vitest';
import { eth, icmp6, ip6, pattern, ping6 } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { pseudoHeaderSumFromIpv6, transportChecksum } from '../packet/checksum.js';
import { parseIcmp6 } from '../packet/icmp6.js';
import { udp } from '../craft/craft.js';

const mac = (ifd: string): string => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const HOST0 = '02:00:00:00:00:02'; // 2001:db8::2 on et-0/0/0
const HOST1 = '02:00:00:00:01:02'; // 2001:db8:1::2 on et-0/0/1
const HOST1B = '02:00:00:00:01:03'; // 2001:db8:1::3 on et-0/0/1

const CONF = `
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${HOST0}; } } } }
  et-0/0/1 { unit 0 { family inet6 { mtu 1400; address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac ${HOST1}; ndp 2001:db8:1::3 mac ${HOST1B}; } } } }
  lo0 { unit 0 { family inet6 { address 2001:db8:ff::1/128; } } }
}
routing-options { rib inet6.0 { static {
  route 2001:db8:9::/48 next-hop 2001:db8:1::2;
  route 2001:db8:99::/48 next-hop 2001:db8:9::1;
  route 2001:db8:77::/48 next-hop [ 2001:db8:1::2 2001:db8:1::3 ];
  route 2001:db8:dead::/48 reject;
  route 2001:db8:d15c::/48 discard;
} } }`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ip6Of = (frame: Uint8Array): Uint8Array => frame.subarray(14, 14 + 40 + ((frame[18] << 8) | frame[19]));
const run = (frames: Uint8Array[], port = 'et-0/0/0') =>
  runFrames(junosScenario(CONF), { [port]: frames.map((frame, i): TimedFrame => ({ t: 20 + i / 1000, frame })) });
const from0 = { src: HOST0, dst: M0 };
/** An ICMPv6 error from the router's 2001:db8::1 back to 2001:db8::2, built from scratch. */
function icmp6ErrorFrame(type: number, code: number, quoted: Uint8Array, mtu?: number): Uint8Array {
  const m = icmp6('2001:db8::1', '2001:db8::2', { type, code, mtu, payload: quoted });
  return eth({ src: M0, dst: HOST0 }, 0x86dd, ip6({ src: '2001:db8::1', dst: '2001:db8::2', hlim: 64 }, 58, m));
}
function icmp6ChecksumOk(frame: Uint8Array): boolean {
  const plen = (frame[18] << 8) | frame[19];
  return transportChecksum(frame, 54, plen, pseudoHeaderSumFromIpv6(frame, 14, 58, plen)) === 0;
}

describe('IPv6 forwarding', () => {
  it('forwards to a static ndp neighbour: MACs rewritten, hop limit - 1, exact bytes', () => {
    const r = run([ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2', hlim: 64 }, 9, 4)]);
    const want = ping6({ src: M1, dst: HOST1 }, { src: '2001:db8::2', dst: '2001:db8:1::2', hlim: 63 }, 9, 4);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.accounting).toEqual({ in: 1, generated: 0, out: 1, consumed: 0, dropped: 0, linked: 0 });
    expect(r.stats.devices.R1.interfaces['et-0/0/1.0']).toEqual({ inputPackets: 0, inputBytes: 0, outputPackets: 1, outputBytes: want.length });
    expect(r.stats.balanced).toBe(true);
  });

  it('resolves a recursive static (2001:db8:99::/48 via 2001:db8:9::1 via 2001:db8:1::2)', () => {
    const r = run([ping6(from0, { src: '2001:db8::2', dst: '2001:db8:99::5' })]);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame)))
      .toEqual([hex(ping6({ src: M1, dst: HOST1 }, { src: '2001:db8::2', dst: '2001:db8:99::5', hlim: 63 }))]);
  });

  it('ECMP: flows spread over both next hops, each flow pinned to one', () => {
    const flow = (sport: number) => eth(from0, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8:77::1' }, 17, udp('2001:db8::2', '2001:db8:77::1', sport, 53, pattern(8))));
    const flows = Array.from({ length: 64 }, (_, i) => flow(30000 + i));
    const r = run([...flows, ...flows]);
    const hopOf = new Map<number, string>();
    for (const { frame } of r.out['et-0/0/1']) {
      const sport = (frame[54] << 8) | frame[55];
      expect(hopOf.get(sport) ?? formatMac(frame, 0)).toBe(formatMac(frame, 0));
      hopOf.set(sport, formatMac(frame, 0));
    }
    expect(hopOf.size).toBe(64);
    expect(new Set(hopOf.values())).toEqual(new Set([HOST1, HOST1B]));
    expect(r.stats.balanced).toBe(true);
  });

  it('discard drops silently as ip6_discard_route', () => {
    const r = run([ping6(from0, { src: '2001:db8::2', dst: '2001:db8:d15c::1' })]);
    expect(r.out).toEqual({});
    expect(r.stats.drops).toEqual({ ip6_discard_route: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 0, out: 0, consumed: 0, dropped: 1, linked: 0 });
  });
});

describe('ICMPv6 errors', () => {
  it('no route: destination unreachable code 0 quoting the packet, reason ip6_no_route', () => {
    const orig = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:4444::1' });
    const r = run([orig]);
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(icmp6ErrorFrame(1, 0, ip6Of(orig)))]);
    expect(r.stats.drops).toEqual({ ip6_no_route: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 0, dropped: 1, linked: 0 });
  });

  it('reject: destination unreachable code 1 (administratively prohibited), reason ip6_reject_route', () => {
    const orig = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:dead::1' });
    const r = run([orig]);
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(icmp6ErrorFrame(1, 1, ip6Of(orig)))]);
    expect(r.stats.drops).toEqual({ ip6_reject_route: 1 });
  });

  it('hop limit 1: time exceeded (type 3 code 0) from the receiving interface, original dropped as ip6_hop_limit_expired', () => {
    const orig = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:9::1', hlim: 1 });
    const r = run([orig]);
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got.map(hex)).toEqual([hex(icmp6ErrorFrame(3, 0, ip6Of(orig)))]);
    expect(icmp6ChecksumOk(got[0])).toBe(true);
    expect(r.stats.drops).toEqual({ ip6_hop_limit_expired: 1 });
    expect(r.stats.devices.R1.nodes['ip6-icmp-error'].counters).toEqual({ icmp6_errors_sent: 1 });
  });

  it('sends no ICMPv6 error about an ICMPv6 error or from the unspecified address', () => {
    const quoted = ip6({ src: '2001:db8:1::2', dst: '2001:db8::2' }, 59, new Uint8Array(8));
    const err = icmp6('2001:db8::2', '2001:db8:9::1', { type: 1, code: 3, payload: quoted });
    const r = run([
      eth(from0, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8:9::1', hlim: 1 }, 58, err)),
      ping6(from0, { src: '::', dst: '2001:db8:9::1', hlim: 1 }),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:4444::1' }),
    ]);
    expect(r.out['et-0/0/0']).toHaveLength(1);
    expect(r.stats.drops).toEqual({ ip6_hop_limit_expired: 2, ip6_no_route: 1 });
    expect(r.stats.devices.R1.nodes['ip6-icmp-error'].counters).toEqual({ icmp6_errors_sent: 1, icmp6_errors_suppressed: 2 });
    expect(r.stats.balanced).toBe(true);
  });

  it('too big for family inet6 mtu 1400: packet too big (type 2) with MTU 1400, within the 1280-byte minimum MTU', () => {
    const orig = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:9::1' }, 1, 1, pattern(1500 - 48));
    const r = run([orig]);
    expect(r.out['et-0/0/1']).toBeUndefined();
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got).toHaveLength(1);
    const ip = ip6Of(got[0]);
    expect(ip.length).toBe(1280);
    const m = parseIcmp6(ip, 40, ip.length - 40, { src: '2001:db8::1', dst: '2001:db8::2' });
    expect(m).toMatchObject({ ok: true, value: { type: 2, code: 0, mtu: 1400, checksumOk: true } });
    const o = ip6Of(orig);
    expect(hex(ip.subarray(48 + 8, 48 + 40))).toBe(hex(o.subarray(8, 40))); // quoted addresses
    expect(hex(ip.subarray(48 + 40))).toBe(hex(o.subarray(40, 1280 - 48))); // quoted payload
    expect(r.stats.drops).toEqual({ ip6_packet_too_big: 1 });
    expect(r.stats.balanced).toBe(true);
  });

  it('drops a packet to a link-local address that is not the router\'s: ipv6_link_local_not_ours', () => {
    const r = run([ping6(from0, { src: 'fe80::2', dst: 'fe80::99' }), ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2' })]);
    expect(r.stats.drops).toEqual({ ipv6_link_local_not_ours: 1 });
    expect(r.out['et-0/0/1']).toHaveLength(1);
  });
});

describe('IPv6 local delivery', () => {
  it('answers echo requests to an interface address and to lo0 with a correct checksum', () => {
    const r = run([
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8::1' }, 3, 1),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:ff::1' }, 3, 2),
    ]);
    const reply = (src: string, seq: number) => eth({ src: M0, dst: HOST0 }, 0x86dd,
      ip6({ src, dst: '2001:db8::2', hlim: 64 }, 58, icmp6(src, '2001:db8::2', { type: 129, code: 0, id: 3, seq, payload: pattern(32) })));
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got.map(hex)).toEqual([hex(reply('2001:db8::1', 1)), hex(reply('2001:db8:ff::1', 2))]);
    for (const g of got) expect(icmp6ChecksumOk(g)).toBe(true);
    expect(r.stats.devices.R1.nodes['ip6-local'].counters).toEqual({ echo_requests: 2, echo_replies_sent: 2 });
    expect(r.stats.accounting).toEqual({ in: 2, generated: 2, out: 2, consumed: 2, dropped: 0, linked: 0 });
  });

  it('answers UDP to the router with port unreachable (type 1 code 4)', () => {
    const orig = eth(from0, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8::1' }, 17, udp('2001:db8::2', '2001:db8::1', 4000, 7, pattern(10))));
    const r = run([orig]);
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(icmp6ErrorFrame(1, 4, ip6Of(orig)))]);
    expect(r.stats.drops).toEqual({});
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 1, dropped: 0, linked: 0 });
  });

  it('answers a neighbour solicitation for its address with a solicited NA, and learns the solicitor', () => {
    const ns = eth({ src: '02:00:00:00:00:05', dst: '33:33:ff:00:00:01' }, 0x86dd, ip6({ src: '2001:db8::5', dst: 'ff02::1:ff00:1', hlim: 255 }, 58,
      icmp6('2001:db8::5', 'ff02::1:ff00:1', { type: 135, code: 0, target: '2001:db8::1', options: [{ type: 1, linkLayerAddress: '02:00:00:00:00:05' }] })));
    const r = run([ns]);
    const na = eth({ src: M0, dst: '02:00:00:00:00:05' }, 0x86dd, ip6({ src: '2001:db8::1', dst: '2001:db8::5', hlim: 255 }, 58,
      icmp6('2001:db8::1', '2001:db8::5', { type: 136, code: 0, flags: 0xe0, target: '2001:db8::1', options: [{ type: 2, linkLayerAddress: M0 }] })));
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(na)]);
    const learned = r.devices[0].nbrs.all.filter((n) => n.family === 6 && n.ipText() === '2001:db8::5');
    expect(learned.map((n) => [n.state, n.macText()])).toEqual([['reachable', '02:00:00:00:00:05']]);
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 1, dropped: 0, linked: 0 });
  });
});
