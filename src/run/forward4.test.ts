// End to end IPv4 forwarding: frames in through real pcaps, one Junos-configured
// device, frames out compared byte for byte with frames crafted independently.
import { describe, expect, it } from 'vitest';
import { eth, icmpEcho, ip4, pattern, ping4, udp, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { checksumVerifies } from '../packet/checksum.js';
import { show } from '../cli/show.js';
import { writeIcmp } from '../packet/icmp.js';

const mac = (ifd: string): string => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const M2 = mac('et-0/0/2');
const M3 = mac('et-0/0/3');
const HOST0 = '02:00:00:00:00:02'; // 10.0.0.2 on et-0/0/0
const HOST1 = '02:00:00:00:01:02'; // 10.1.0.2 on et-0/0/1
const HOST1B = '02:00:00:00:01:03'; // 10.1.0.3 on et-0/0/1

const CONF = `
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${HOST0}; } } } }
  et-0/0/1 { unit 0 { family inet { mtu 1400; address 10.1.0.1/24 { arp 10.1.0.2 mac ${HOST1}; arp 10.1.0.3 mac ${HOST1B}; } } } }
  et-0/0/2 { vlan-tagging;
    unit 100 { vlan-id 100; family inet { address 10.100.0.1/24 { arp 10.100.0.2 mac 02:00:00:00:64:02; } } }
    unit 200 { vlan-id 200; family inet { address 10.200.0.1/24 { arp 10.200.0.2 mac 02:00:00:00:c8:02; } } } }
  et-0/0/3 { stacked-vlan-tagging;
    unit 1 { vlan-tags outer 10 inner 20; family inet { address 10.20.0.1/24 { arp 10.20.0.2 mac 02:00:00:00:14:02; } } }
    unit 2 { vlan-tags outer 10 inner 30; family inet { address 10.30.0.1/24 { arp 10.30.0.2 mac 02:00:00:00:1e:02; } } } }
  et-0/0/4 { unit 0 { family inet { address 10.4.0.1/24 { arp 10.4.0.2 mac 02:00:00:00:04:02; } } } }
  et-0/0/5 { unit 0 { family inet { address 10.5.0.1/24 { arp 10.5.0.2 mac 02:00:00:00:05:02; } } } }
  lo0 { unit 0 { family inet { address 1.1.1.1/32; } } }
}
routing-options { static {
  route 10.9.0.0/16 next-hop 10.1.0.2;
  route 172.16.0.0/16 next-hop 10.9.0.1;
  route 10.77.0.0/16 next-hop [ 10.1.0.2 10.1.0.3 ];
  route 192.0.2.0/24 discard;
  route 198.51.100.0/24 reject;
  route 203.0.113.0/24 next-table red.inet.0;
  route 10.78.0.0/16 next-hop [ 10.77.0.1 10.0.0.2 ];
  route 100.64.0.0/16 next-table red.inet.0;
} }
routing-instances { red { instance-type vrf; interface et-0/0/4.0; interface et-0/0/5.0;
  routing-options { static { route 10.9.0.0/16 next-hop 10.5.0.2; route 203.0.113.0/24 next-hop 10.5.0.2;
    route 100.64.0.0/16 next-table inet.0; } } } }`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ipOf = (frame: Uint8Array, l2 = 14): Uint8Array => frame.subarray(l2, l2 + ((frame[l2 + 2] << 8) | frame[l2 + 3]));
function icmpErr(type: number, code: number, rest: number, quoted: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + quoted.length);
  writeIcmp(m, 0, { type, code, rest, payload: quoted });
  return m;
}
const run = (frames: Uint8Array[], port = 'et-0/0/0') =>
  runFrames(junosScenario(CONF), { [port]: frames.map((frame, i): TimedFrame => ({ t: 10 + i / 1000, frame })) });
const from0 = { src: HOST0, dst: M0 };

describe('IPv4 forwarding', () => {
  it('rewrites MACs, decrements TTL and checksum: exact bytes out to a static ARP neighbour', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 64, id: 0x1234 }, 7, 3)]);
    const want = ping4({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 63, id: 0x1234 }, 7, 3);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.out['et-0/0/1'][0].t).toBe(10);
    expect(r.stats.accounting).toEqual({ in: 1, generated: 0, out: 1, consumed: 0, dropped: 0, linked: 0 });
    expect(r.stats.balanced).toBe(true);
    const ifs = r.stats.devices.R1.interfaces;
    expect(ifs['et-0/0/0.0']).toEqual({ inputPackets: 1, inputBytes: 74, outputPackets: 0, outputBytes: 0 });
    expect(ifs['et-0/0/1.0']).toEqual({ inputPackets: 0, inputBytes: 0, outputPackets: 1, outputBytes: 74 });
  });

  it('forwards an IPv4 header with options (router alert, record route) with the options intact', () => {
    const options = [{ type: 148, data: Uint8Array.of(0, 0) }, { type: 7, data: Uint8Array.of(4, 0, 0, 0, 0) }];
    const r = run([udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', options }, 1000, 2000, pattern(20))]);
    const want = udp4Frame({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '10.9.1.1', options, ttl: 63 }, 1000, 2000, pattern(20));
    expect(want[14]).toBe(0x48); // IHL 8: 12 bytes of options
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.balanced).toBe(true);
  });

  it('802.1Q: in on vlan-id 100, out on vlan-id 200 with the tag rewritten', () => {
    const r = run([ping4({ src: '02:00:00:00:64:02', dst: M2, vlans: [100] }, { src: '10.100.0.2', dst: '10.200.0.2' })], 'et-0/0/2');
    const want = ping4({ src: M2, dst: '02:00:00:00:c8:02', vlans: [200] }, { src: '10.100.0.2', dst: '10.200.0.2', ttl: 63 });
    expect(r.out['et-0/0/2'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.devices.R1.interfaces['et-0/0/2.100'].inputPackets).toBe(1);
    expect(r.stats.devices.R1.interfaces['et-0/0/2.200'].outputPackets).toBe(1);
    expect(r.stats.balanced).toBe(true);
  });

  it('QinQ: in on outer 10 inner 20, out on outer 10 inner 30 (0x88a8 outer, 0x8100 inner)', () => {
    const r = run([ping4({ src: '02:00:00:00:14:02', dst: M3, vlans: [10, 20] }, { src: '10.20.0.2', dst: '10.30.0.2' })], 'et-0/0/3');
    const want = ping4({ src: M3, dst: '02:00:00:00:1e:02', vlans: [10, 30] }, { src: '10.20.0.2', dst: '10.30.0.2', ttl: 63 });
    expect(hex(want.subarray(12, 22))).toBe('88a8000a8100001e0800');
    expect(r.out['et-0/0/3'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.devices.R1.interfaces['et-0/0/3.2'].outputPackets).toBe(1);
  });

  it('drops a frame on a VLAN no unit has as unknown_vlan, and untagged frames on a tagged IFD too', () => {
    const r = run([
      ping4({ src: '02:00:00:00:64:02', dst: M2, vlans: [300] }, { src: '10.100.0.2', dst: '10.200.0.2' }),
      ping4({ src: '02:00:00:00:64:02', dst: M2 }, { src: '10.100.0.2', dst: '10.200.0.2' }),
      ping4({ src: '02:00:00:00:64:02', dst: M2, vlans: [100] }, { src: '10.100.0.2', dst: '10.200.0.2' }),
    ], 'et-0/0/2');
    expect(r.stats.drops).toEqual({ unknown_vlan: 2 });
    expect(r.out['et-0/0/2']).toHaveLength(1);
    expect(r.stats.accounting).toMatchObject({ in: 3, out: 1, dropped: 2 });
    expect(r.stats.balanced).toBe(true);
  });
});

describe('IPv4 routes', () => {
  it('resolves a recursive static (172.16/16 via 10.9.0.1 via 10.1.0.2)', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '172.16.5.5' })]);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(ping4({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '172.16.5.5', ttl: 63 }))]);
    // show route gives the recursive next hop and the interface it resolves to (once: not "via via").
    expect(show(r.devices[0], 'route 172.16.0.0/16')).toMatch(/^ +> +to 10\.9\.0\.1 via et-0\/0\/1\.0$/m);
  });

  it('ECMP: different flows use both next hops, one flow always the same one', () => {
    const flows = Array.from({ length: 64 }, (_, i) => udp4Frame(from0, { src: '10.0.0.2', dst: '10.77.0.9' }, 10000 + i, 53, pattern(8)));
    const r = run([...flows, ...flows, ...flows]);
    const out = r.out['et-0/0/1'].map((f) => f.frame);
    expect(out).toHaveLength(192);
    const hopOf = new Map<number, string>();
    for (const f of out) {
      const sport = (f[34] << 8) | f[35];
      const hop = formatMac(f, 0);
      expect(hopOf.get(sport) ?? hop).toBe(hop);
      hopOf.set(sport, hop);
    }
    const used = new Set(hopOf.values());
    expect([...used].sort()).toEqual([HOST1, HOST1B]);
    const toA = [...hopOf.values()].filter((h) => h === HOST1).length;
    expect(toA).toBeGreaterThan(12);
    expect(toA).toBeLessThan(52);
    expect(r.stats.balanced).toBe(true);
  });

  it('ECMP over a next hop that itself resolves through an ECMP route: every packet leaves by one of the three', () => {
    const flows = Array.from({ length: 48 }, (_, i) => udp4Frame(from0, { src: '10.0.0.2', dst: '10.78.0.9' }, 20000 + i, 53, pattern(8)));
    const r = run(flows);
    const hops = new Set(Object.values(r.out).flat().map((f) => formatMac(f.frame, 0)));
    expect([...hops].sort()).toEqual([HOST0, HOST1, HOST1B].sort());
    expect(r.stats.accounting).toEqual({ in: 48, generated: 0, out: 48, consumed: 0, dropped: 0, linked: 0 });
    expect(r.stats.balanced).toBe(true);
  });

  it('a next-table loop (inet.0 -> red.inet.0 -> inet.0) is no route, not a lost packet', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '100.64.1.1' })]);
    expect(r.stats.drops).toEqual({ ip4_no_route: 1 });
    expect(r.out['et-0/0/0']).toHaveLength(1);
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 0, dropped: 1, linked: 0 });
  });

  it('discard: silent drop as ip4_discard_route', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '192.0.2.7' })]);
    expect(r.out).toEqual({});
    expect(r.stats.drops).toEqual({ ip4_discard_route: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 0, out: 0, consumed: 0, dropped: 1, linked: 0 });
  });

  it('reject: ICMP unreachable code 13 back to the sender, original dropped as ip4_reject_route', () => {
    const orig = ping4(from0, { src: '10.0.0.2', dst: '198.51.100.7', id: 9 });
    const r = run([orig]);
    const want = eth({ src: M0, dst: HOST0 }, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, 1, icmpErr(3, 13, 0, ipOf(orig))));
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.drops).toEqual({ ip4_reject_route: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 0, dropped: 1, linked: 0 });
  });

  it('no route: ICMP net unreachable (code 0), reason ip4_no_route', () => {
    const orig = ping4(from0, { src: '10.0.0.2', dst: '8.8.8.8' });
    const r = run([orig]);
    const want = eth({ src: M0, dst: HOST0 }, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, 1, icmpErr(3, 0, 0, ipOf(orig))));
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.drops).toEqual({ ip4_no_route: 1 });
    expect(r.stats.devices.R1.nodes['ip4-icmp-error'].counters).toEqual({ icmp_errors_sent: 1 });
  });

  it('a VRF routes the same prefix differently from inet.0, and has no route to inet.0-only prefixes', () => {
    const r = runFrames(junosScenario(CONF), {
      'et-0/0/0': [{ t: 1, frame: ping4(from0, { src: '10.0.0.2', dst: '10.9.1.1' }) }],
      'et-0/0/4': [{ t: 2, frame: ping4({ src: '02:00:00:00:04:02', dst: mac('et-0/0/4') }, { src: '10.4.0.2', dst: '10.9.1.1' }) },
        { t: 3, frame: ping4({ src: '02:00:00:00:04:02', dst: mac('et-0/0/4') }, { src: '10.4.0.2', dst: '10.1.0.2' }) }],
    });
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(ping4({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '10.9.1.1', ttl: 63 }))]);
    expect(r.out['et-0/0/5'].map((f) => hex(f.frame)))
      .toEqual([hex(ping4({ src: mac('et-0/0/5'), dst: '02:00:00:00:05:02' }, { src: '10.4.0.2', dst: '10.9.1.1', ttl: 63 }))]);
    const unreach = r.out['et-0/0/4'].map((f) => f.frame);
    expect(unreach).toHaveLength(1);
    expect([unreach[0][23], unreach[0][34], unreach[0][35]]).toEqual([1, 3, 0]); // ICMP, unreachable, net
    expect(formatMac(unreach[0], 0)).toBe('02:00:00:00:04:02');
    expect(r.stats.drops).toEqual({ ip4_no_route: 1 });
  });

  it('next-table: inet.0 hands 203.0.113/24 to red.inet.0, which forwards it out of a VRF interface', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '203.0.113.9' })]);
    expect(r.out['et-0/0/5'].map((f) => hex(f.frame)))
      .toEqual([hex(ping4({ src: mac('et-0/0/5'), dst: '02:00:00:00:05:02' }, { src: '10.0.0.2', dst: '203.0.113.9', ttl: 63 }))]);
  });
});

describe('IPv4 ICMP errors and local delivery', () => {
  it('TTL 1: time exceeded from the receiving interface address quoting the original, which is dropped as ip4_ttl_expired', () => {
    const orig = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', ttl: 1, id: 77 }, 33434, 33435, pattern(24));
    const r = run([orig]);
    const want = eth({ src: M0, dst: HOST0 }, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, 1, icmpErr(11, 0, 0, ipOf(orig))));
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got.map(hex)).toEqual([hex(want)]);
    expect(checksumVerifies(got[0], 14, 20)).toBe(true);
    expect(checksumVerifies(got[0], 34, got[0].length - 34)).toBe(true);
    expect(hex(got[0].subarray(42))).toBe(hex(ipOf(orig))); // the original header and all its data
    expect(r.stats.drops).toEqual({ ip4_ttl_expired: 1 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 0, dropped: 1, linked: 0 });
  });

  it('sends no ICMP error about an ICMP error, nor about a packet from 0.0.0.0 or a multicast source', () => {
    const quoted = ip4({ src: '10.1.0.2', dst: '10.0.0.2' }, 17, udp('10.1.0.2', '10.0.0.2', 1, 2, pattern(4)));
    const r = run([
      eth(from0, 0x0800, ip4({ src: '10.0.0.2', dst: '10.9.1.1', ttl: 1 }, 1, icmpErr(3, 1, 0, quoted))),
      ping4(from0, { src: '0.0.0.0', dst: '10.9.1.1', ttl: 1 }),
      ping4(from0, { src: '224.0.0.5', dst: '10.9.1.1', ttl: 1 }),
      ping4(from0, { src: '10.0.0.2', dst: '10.9.1.1', ttl: 1 }),
    ]);
    expect(r.out['et-0/0/0']).toHaveLength(1); // only the last one gets time exceeded
    expect(r.stats.drops).toEqual({ ip4_ttl_expired: 4 });
    expect(r.stats.devices.R1.nodes['ip4-icmp-error'].counters).toEqual({ icmp_errors_sent: 1, icmp_errors_suppressed: 3 });
    expect(r.stats.accounting).toEqual({ in: 4, generated: 1, out: 1, consumed: 0, dropped: 4, linked: 0 });
  });

  it('RFC 1812 5.3.4: does not forward (nor send ICMP errors about) unicast IP received in a link-layer broadcast', () => {
    const bcast = { src: HOST0, dst: 'ff:ff:ff:ff:ff:ff' };
    const r = run([
      ping4(bcast, { src: '10.0.0.2', dst: '10.1.0.2' }),
      ping4(bcast, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 1 }),
      ping4({ src: HOST0, dst: '01:00:5e:00:00:05' }, { src: '10.0.0.2', dst: '8.8.8.8' }),
      ping4(bcast, { src: '10.0.0.2', dst: '10.0.0.1' }, 1, 9),
    ]);
    expect(r.out['et-0/0/1']).toBeUndefined();
    expect(r.out['et-0/0/0'].map((f) => f.frame[34])).toEqual([0]); // only the echo reply from the router itself
    expect(r.stats.drops).toEqual({ ip4_link_broadcast: 3 });
    expect(r.stats.accounting).toEqual({ in: 4, generated: 1, out: 1, consumed: 1, dropped: 3, linked: 0 });
  });

  it('answers echo requests to an interface address and to lo0 with valid checksums', () => {
    const r = run([ping4(from0, { src: '10.0.0.2', dst: '10.0.0.1', id: 5 }, 42, 1), ping4(from0, { src: '10.0.0.2', dst: '1.1.1.1', id: 6 }, 42, 2)]);
    const reply = (src: string, id: number, seq: number) =>
      eth({ src: M0, dst: HOST0 }, 0x0800, ip4({ src, dst: '10.0.0.2', id }, 1, icmpEcho(0, 42, seq)));
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got.map(hex)).toEqual([hex(reply('10.0.0.1', 5, 1)), hex(reply('1.1.1.1', 6, 2))]);
    for (const g of got) expect(checksumVerifies(g, 34, g.length - 34)).toBe(true);
    expect(r.stats.devices.R1.nodes['ip4-local'].counters).toEqual({ echo_requests: 2, echo_replies_sent: 2 });
    expect(r.stats.accounting).toEqual({ in: 2, generated: 2, out: 2, consumed: 2, dropped: 0, linked: 0 });
  });

  it('answers UDP to the router with ICMP port unreachable (type 3 code 3)', () => {
    const orig = udp4Frame(from0, { src: '10.0.0.2', dst: '10.0.0.1' }, 5000, 9, pattern(12));
    const r = run([orig]);
    const want = eth({ src: M0, dst: HOST0 }, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, 1, icmpErr(3, 3, 0, ipOf(orig))));
    expect(r.out['et-0/0/0'].map((f) => hex(f.frame))).toEqual([hex(want)]);
    expect(r.stats.drops).toEqual({});
    expect(r.stats.accounting).toEqual({ in: 1, generated: 1, out: 1, consumed: 1, dropped: 0, linked: 0 });
    expect(r.stats.devices.R1.nodes['ip4-local'].counters).toEqual({ udp_port_unreachable: 1 });
  });
});


describe('IPv4 MTU', () => {
  it('DF set and too big for family inet mtu 1400: ICMP fragmentation needed carrying MTU 1400', () => {
    const orig = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', df: true, id: 3 }, 1, 2, pattern(1500 - 28));
    const r = run([orig]);
    const got = r.out['et-0/0/0'].map((f) => f.frame);
    expect(got).toHaveLength(1);
    expect(r.out['et-0/0/1']).toBeUndefined();
    const icmp = got[0].subarray(34);
    expect([icmp[0], icmp[1], (icmp[6] << 8) | icmp[7]]).toEqual([3, 4, 1400]);
    expect(checksumVerifies(got[0], 34, got[0].length - 34)).toBe(true);
    expect(got[0].length).toBe(14 + 576); // RFC 1812: as much as fits in 576 bytes
    const quoted = icmp.subarray(8);
    const o = ipOf(orig);
    expect(hex(quoted.subarray(12, 20))).toBe(hex(o.subarray(12, 20))); // addresses
    expect(hex(quoted.subarray(20))).toBe(hex(o.subarray(20, 548))); // data after the header
    expect(r.stats.drops).toEqual({ ip4_mtu_exceeded_df: 1 });
    expect(r.stats.balanced).toBe(true);
  });

  it('DF clear, 3000 bytes: fragments of at most 1400, offsets in 8-byte units, MF right, reassembling to the original', () => {
    const data = Uint8Array.from({ length: 2972 }, (_, i) => (i * 7) & 0xff);
    const orig = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', id: 0xbeef }, 4000, 5000, data);
    expect(ipOf(orig).length).toBe(3000);
    const r = run([orig]);
    const frags = r.out['et-0/0/1'].map((f) => f.frame);
    expect(frags).toHaveLength(3);
    const whole = new Uint8Array(2980);
    let last = -1;
    frags.forEach((f, k) => {
      expect(formatMac(f, 0)).toBe(HOST1);
      const ip = ipOf(f);
      expect(ip.length).toBeLessThanOrEqual(1400);
      expect(checksumVerifies(ip, 0, 20)).toBe(true);
      expect([(ip[4] << 8) | ip[5], ip[8]]).toEqual([0xbeef, 63]);
      const ff = (ip[6] << 8) | ip[7];
      const off = (ff & 0x1fff) * 8;
      expect((ff & 0x2000) !== 0).toBe(k < 2);
      expect(off).toBe([0, 1376, 2752][k]);
      whole.set(ip.subarray(20), off);
      last = off + ip.length - 20;
    });
    expect(last).toBe(2980);
    expect(hex(whole)).toBe(hex(ipOf(orig).subarray(20)));
    expect(r.stats.devices.R1.nodes['ip4-fragment'].counters).toEqual({ fragments_created: 3 });
    expect(r.stats.accounting).toEqual({ in: 1, generated: 2, out: 3, consumed: 0, dropped: 0, linked: 0 });
  });

  it('drops a frame longer than the input IFD media MTU as frame_too_long, then forwards the next', () => {
    const big = udp4Frame({ src: HOST1, dst: M1 }, { src: '10.1.0.2', dst: '10.0.0.2' }, 1, 2, pattern(1515 - 42));
    expect(big.length).toBe(1515);
    const ok = udp4Frame({ src: HOST1, dst: M1 }, { src: '10.1.0.2', dst: '10.0.0.2' }, 1, 2, pattern(1514 - 42));
    const r = run([big, ok], 'et-0/0/1');
    expect(r.stats.drops).toEqual({ frame_too_long: 1 });
    expect(r.out['et-0/0/0']).toHaveLength(1);
    expect(r.stats.devices.R1.interfaces['et-0/0/1.0'].inputPackets).toBe(1);
    expect(r.stats.balanced).toBe(true);
  });
});

describe('interfaces that are not Ethernet ports (st0, si-, lo0)', () => {
  const TUNNEL_CONF = `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${HOST0}; } } } }
  si-0/1/0 { unit 0 { family inet; service-domain inside; } unit 1 { family inet; service-domain outside; } }
  st0 { unit 1 { family inet { address 12.1.1.1/29; } } }
  lo0 { unit 0 { family inet { address 1.1.1.1/32; } } }
}
routing-options { static { route 12.1.1.2/32 next-hop st0.1; route 60.1.1.0/24 next-hop 12.1.1.2; } }`;

  it('traffic routed into st0 (directly, recursively, or to its subnet) is dropped as tunnel_not_emulated, never ARPed for', () => {
    const dsts = ['60.1.1.7', '12.1.1.2', '12.1.1.5'];
    const r = runFrames(junosScenario(TUNNEL_CONF), { 'et-0/0/0': dsts.map((dst, i) => ({ t: i, frame: ping4(from0, { src: '10.0.0.2', dst }) })) });
    expect(r.out).toEqual({});
    expect(r.stats.drops).toEqual({ tunnel_not_emulated: 3 });
    expect(r.stats.accounting).toEqual({ in: 3, generated: 0, out: 0, consumed: 0, dropped: 3, linked: 0 });
    expect(r.devices[0].warnings).toEqual([
      'si-0/1/0.0, si-0/1/0.1, st0.1: tunnel and service interfaces are not emulated yet: traffic routed into them is dropped as tunnel_not_emulated',
    ]);
  });

  it('a non-Ethernet interface cannot be given as an input port', () => {
    expect(() => runFrames(junosScenario(TUNNEL_CONF), { st0: [] })).toThrow('"st0" on R1 is not a port: it carries no Ethernet frames of its own');
    expect(() => runFrames(junosScenario(TUNNEL_CONF), { lo0: [] })).toThrow('"lo0" on R1 is not a port');
  });
});
