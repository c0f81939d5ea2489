// Malformed and foreign frames end to end: each is counted under its named
// reason, the run goes on, later good packets are still forwarded, and the
// accounting balances for any input at all (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ip4, ip6, naFrame, nsFrame, pattern, ping4, ping6, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';

const mac = (ifd: string): string => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const M2 = mac('et-0/0/2');
const HOST0 = '02:00:00:00:00:02';
const HOST1 = '02:00:00:00:01:02';

const CONF = `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${HOST0}; } }
                      family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${HOST0}; } } } }
  et-0/0/1 { unit 0 { family inet { mtu 1400; address 10.1.0.1/24 { arp 10.1.0.2 mac ${HOST1}; } }
                      family inet6 { address 2001:db8:1::1/64; } } }
  et-0/0/2 { vlan-tagging; unit 7 { vlan-id 7; family inet { address 10.7.0.1/24; } } unit 8 { vlan-id 8; } }
  lo0 { unit 0 { family inet { address 1.1.1.1/32; } } }
}
routing-options { static { route 0.0.0.0/0 next-hop 10.1.0.9; route 192.0.2.0/24 reject; } }`;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const from0 = { src: HOST0, dst: M0 };
const good = ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2' });
const goodOut = ping4({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 63 });
/** A valid IPv4 ping with one header byte replaced (the checksum left as it was unless `fix`). */
function ip4With(byte: number, value: number): Uint8Array {
  const f = good.slice();
  f[14 + byte] = value;
  return f;
}
const run = (frames: Uint8Array[], port = 'et-0/0/0') =>
  runFrames(junosScenario(CONF), { [port]: frames.map((frame, i): TimedFrame => ({ t: 100 + i / 1000, frame })) });

describe('malformed frames are counted by reason and the run goes on', () => {
  const cases: [string, Uint8Array, string][] = [
    ['a 13-byte frame', good.slice(0, 13), 'ethernet_truncated'],
    ['a VLAN tag cut short', eth({ src: HOST0, dst: M2 }, 0x8100, Uint8Array.of(0)), 'ethernet_truncated'],
    ['an IPv4 header cut at 10 bytes', good.slice(0, 24), 'ipv4_truncated'],
    ['IHL 4 (16-byte header)', ip4With(0, 0x44), 'ipv4_bad_ihl'],
    ['version 6 behind ethertype 0x0800', ip4With(0, 0x65), 'ipv4_bad_version'],
    ['total length past the frame', ip4With(3, 200), 'ipv4_bad_total_length'],
    ['total length shorter than the header', ip4With(3, 10), 'ipv4_bad_total_length'],
    ['a wrong header checksum', ip4With(10, good[24] ^ 0xff), 'ipv4_bad_checksum'],
    ['an IPv6 header cut at 30 bytes', ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2' }).slice(0, 44), 'ipv6_truncated'],
    ['IPv6 payload length past the frame', (() => { const f = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2' }); f[18] = 0x05; return f; })(), 'ipv6_bad_payload_length'],
    ['version 4 behind ethertype 0x86dd', eth(from0, 0x86dd, ip4({ src: '10.0.0.2', dst: '10.1.0.2' }, 59, new Uint8Array(40))), 'ipv6_bad_version'],
    ['a multicast IPv6 source', ping6(from0, { src: 'ff02::1', dst: '2001:db8:1::2' }), 'ipv6_bad_source'],
    ['an ARP packet cut at 20 bytes', arpFrame(from0, 1, HOST0, '10.0.0.2', '00:00:00:00:00:00', '10.0.0.1').slice(0, 34), 'arp_truncated'],
    ['ARP for a hardware type other than Ethernet', (() => { const f = arpFrame(from0, 1, HOST0, '10.0.0.2', '00:00:00:00:00:00', '10.0.0.1'); f[15] = 6; return f; })(), 'arp_unsupported_format'],
    ['an unknown ethertype (0x88b5)', eth(from0, 0x88b5, pattern(46)), 'unknown_ethertype'],
    ['a unicast frame to a foreign MAC', ping4({ src: HOST0, dst: '02:99:99:99:99:99' }, { src: '10.0.0.2', dst: '10.1.0.2' }), 'l2_dmac_mismatch'],
  ];
  for (const [what, frame, reason] of cases) {
    it(`${what}: dropped as ${reason}, then a good packet is forwarded`, () => {
      const port = frame.length >= 14 && formatMac(frame, 0) === M2 ? 'et-0/0/2' : 'et-0/0/0';
      const inputs: Record<string, TimedFrame[]> = { 'et-0/0/0': [{ t: 101, frame: good }] };
      inputs[port] = [{ t: 100, frame }, ...(port === 'et-0/0/0' ? inputs[port] : [])];
      const r = runFrames(junosScenario(CONF), inputs);
      expect(r.stats.drops).toEqual({ [reason]: 1 });
      expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(goodOut)]);
      expect(r.stats.accounting).toEqual({ in: 2, generated: 0, out: 1, consumed: 0, dropped: 1, linked: 0 });
    });
  }

  it('takes in LLDP and STP frames (01:80:c2:00:00:0x) without forwarding or dropping them', () => {
    const r = run([
      eth({ src: HOST0, dst: '01:80:c2:00:00:0e' }, 0x88cc, pattern(46)),
      eth({ src: HOST0, dst: '01:80:c2:00:00:00' }, 0x0026, pattern(46)),
      good,
    ]);
    expect(r.stats.drops).toEqual({});
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(goodOut)]);
    expect(r.stats.accounting).toEqual({ in: 3, generated: 0, out: 1, consumed: 2, dropped: 0, linked: 0 });
  });

  it('drops IPv4 on a unit without family inet as inet_not_configured, counted on that IFL', () => {
    const r = run([ping4({ src: HOST0, dst: M2, vlans: [8] }, { src: '10.8.0.2', dst: '10.1.0.2' })], 'et-0/0/2');
    expect(r.stats.drops).toEqual({ inet_not_configured: 1 });
    expect(r.stats.devices.R1.interfaces['et-0/0/2.8'].inputPackets).toBe(1);
  });

  it('trims Ethernet padding on input and pads with zeros on output (no garbage leaks through)', () => {
    const bare = ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2' }, 1, 1, new Uint8Array(0));
    expect(bare.length).toBe(42);
    const padded = Uint8Array.from([...bare, ...new Uint8Array(18).fill(0xee)]);
    const r = run([padded]);
    const want = Uint8Array.from([...ping4({ src: M1, dst: HOST1 }, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 63 }, 1, 1, new Uint8Array(0)), ...new Uint8Array(18)]);
    expect(r.out['et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(want)]);
  });
});

describe('any input never throws and always balances (property)', () => {
  const valid: Uint8Array[] = [
    good,
    udp4Frame(from0, { src: '10.0.0.2', dst: '8.8.8.8', ttl: 1 }, 1, 2, pattern(30)),
    udp4Frame(from0, { src: '10.0.0.2', dst: '10.0.0.1' }, 1, 2, pattern(30)),
    udp4Frame(from0, { src: '10.0.0.2', dst: '10.1.0.2' }, 1, 2, pattern(1500)),
    ping4(from0, { src: '10.0.0.2', dst: '192.0.2.1', df: true }),
    ping4(from0, { src: '10.0.0.2', dst: '10.1.0.77' }),
    ping4({ src: HOST0, dst: M2, vlans: [7] }, { src: '10.7.0.2', dst: '10.7.0.1' }),
    ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::9' }),
    ping6(from0, { src: '2001:db8::2', dst: '2001:db8::1', hlim: 1 }),
    arpFrame({ src: HOST1, dst: 'ff:ff:ff:ff:ff:ff' }, 1, HOST1, '10.1.0.9', '00:00:00:00:00:00', '10.1.0.1'),
    arpFrame({ src: HOST1, dst: M1 }, 2, '02:00:00:00:01:09', '10.1.0.9', M1, '10.1.0.1'),
    nsFrame(HOST1, '2001:db8:1::9', '2001:db8:1::1'),
    naFrame({ src: HOST1, dst: M1 }, '2001:db8:1::9', '2001:db8:1::1', '2001:db8:1::9', '02:00:00:00:01:09'),
    eth({ src: HOST0, dst: M0 }, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8:1::9' }, 0, new Uint8Array([59, 0, 1, 4, 0, 0, 0, 0]))),
  ];
  const mutated = fc.tuple(
    fc.constantFrom(...valid),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat({ max: 1600 })),
  ).map(([f, flips, cut]) => {
    const out = f.slice(0, cut ?? f.length);
    for (const [at, v] of flips) if (out.length) out[at % out.length] = v;
    return out;
  });
  const frame = fc.oneof(mutated, fc.uint8Array({ maxLength: 120 }));
  const input = fc.array(fc.record({
    port: fc.constantFrom('et-0/0/0', 'et-0/0/1', 'et-0/0/2'),
    dt: fc.integer({ min: 0, max: 1500 }),
    frame,
  }), { maxLength: 40 });

  it('random and mutated frames on any port', () => {
    fc.assert(fc.property(input, (items) => {
      const inputs: Record<string, TimedFrame[]> = {};
      let t = 1000;
      for (const { port, dt, frame: f } of items) {
        t += dt / 1000;
        (inputs[port] ??= []).push({ t, frame: f });
      }
      const r = runFrames(junosScenario(CONF), inputs);
      const a = r.stats.accounting;
      expect(r.stats.balanced).toBe(true);
      expect(a.in).toBe(items.length);
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
      expect(Object.values(r.stats.drops).reduce((s, v) => s + v, 0)).toBe(a.dropped);
      expect(Object.values(r.out).reduce((s, o) => s + o.length, 0)).toBe(a.out);
      expect(r.devices[0].heldCount()).toBe(0);
      expect(r.devices[0].graph.batch.free).toBe(512);
    }), { numRuns: 150 });
  });
});
