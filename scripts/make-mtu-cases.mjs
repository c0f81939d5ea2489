// Builds the MTU cases under pcaps/mtu/ from the descriptions below
// (scripts/cases-lib.mjs builds, checks and writes them): IPv4 fragmentation
// with options copied by their copy bit, DF and ICMP fragmentation needed,
// IPv6 packet too big, frames longer than the media MTU. (The st0 MTU and ESP
// sequence-number wrap cases are IPsec's: pcaps/ipsec.)
//
//   npm run cases                          (all generators)
//   node scripts/make-mtu-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { eth, icmp6, ip4, ip6, pattern, udp, udp4Frame } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { writeIcmp } from '../dist/packet/icmp.js';
import { at, hop, inetSum, ipFrame, main } from './cases-lib.mjs';

export const AREA = 'mtu';
export const GENERATOR = 'scripts/make-mtu-cases.mjs';

//   H0 (10.0.0.2, 2001:db8::2) — et-0/0/0 (mtu 9192) [R1] et-0/0/1 (family inet mtu 1400, inet6 mtu 1400) — H1

const mac = (ifd) => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const H0 = '02:00:00:00:00:02';
const H1 = '02:00:00:00:01:02';
const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';

const CONFIG = `/* R1 of the MTU cases (scripts/make-mtu-cases.mjs) */
system { host-name R1; }
interfaces {
  et-0/0/0 { mtu 9192; unit 0 {
    family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${H0}; } }
    family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${H0}; } } } }
  et-0/0/1 { unit 0 {
    family inet { mtu 1400; address 10.1.0.1/24 { arp 10.1.0.2 mac ${H1}; } }
    family inet6 { mtu 1400; address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac ${H1}; } } } }
}
routing-options {
  static { route 10.9.0.0/16 next-hop 10.1.0.2; }
  rib inet6.0 { static { route 2001:db8:9::/48 next-hop 2001:db8:1::2; } }
}
`;
const base = { config: CONFIG };
const from0 = { src: H0, dst: M0 };
const to0 = { src: M0, dst: H0 };
const toH1 = { src: M1, dst: H1 };

/** An IPv4 fragment as RFC 791 makes it: `h` (with the options it carries), offset in bytes, MF, this data. */
function fragment(h, proto, offset, more, data) {
  const p = ip4(h, proto, data);
  p[6] = (more ? 0x20 : 0) | ((offset / 8) >> 8);
  p[7] = (offset / 8) & 0xff;
  p[10] = 0; p[11] = 0;
  const c = inetSum(p.subarray(0, (p[0] & 15) * 4));
  p[10] = c >> 8; p[11] = c & 0xff;
  return p;
}

export const CASES = [
  (() => {
    // Router alert (type 148: copy bit set) and record route (type 7: not copied); 3000 bytes of UDP.
    const RA = { type: 148, data: Uint8Array.of(0, 0) };
    const RR = { type: 7, data: Uint8Array.of(4, 0, 0, 0, 0) };
    const h = { src: '10.0.0.2', dst: '10.9.1.1', id: 0xbeef, ttl: 64, options: [RA, RR] };
    const data = Uint8Array.from({ length: 2972 }, (_, i) => (i * 7) & 0xff);
    const orig = udp4Frame(from0, h, 4000, 5000, data);
    const udpBytes = udp(h.src, h.dst, 4000, 5000, data);
    const plain = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.2', id: 0xcafe }, 4000, 5001, pattern(1600));
    const plainUdp = udp('10.0.0.2', '10.9.1.2', 4000, 5001, pattern(1600));
    // Security (type 130: copied, 11 bytes): later fragments carry it padded with a NOP to 12.
    const SEC = { type: 130, data: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0) };
    const hs = { src: '10.0.0.2', dst: '10.9.1.3', id: 0xd00d, options: [SEC] };
    const sec = udp4Frame(from0, hs, 4000, 5002, pattern(1500));
    const secUdp = udp(hs.src, hs.dst, 4000, 5002, pattern(1500));
    return {
      ...base, name: 'ipv4-fragment',
      description: 'DF clear, too big for family inet mtu 1400: fragmented (RFC 791) into fragments of at most 1400 bytes, data in multiples of 8, ID kept, MF on all but the last, TTL down by one; the first carries all options (IHL 8), later ones only router alert, whose copy bit is set (record route is not copied; IHL 6); the security option (copied, 11 bytes) is NOP-padded to 12 in later fragments; a packet without options is fragmented too; every fragment\'s checksum is right',
      inputs: { [P0]: at([orig, plain, sec]) },
      record: ['devices.R1.nodes.ip4-fragment.counters'],
      intent(o) {
        // First fragment: 32-byte header (RA 4 + RR 7 + padding), 1368 bytes of data; later: 24-byte header (router alert), 1368 at most.
        const first = { ...h, ttl: 63 };
        const later = { ...h, ttl: 63, options: [RA] };
        const want = [
          fragment(first, 17, 0, true, udpBytes.subarray(0, 1368)),
          fragment(later, 17, 1368, true, udpBytes.subarray(1368, 2736)),
          fragment(later, 17, 2736, false, udpBytes.subarray(2736)),
          fragment({ src: '10.0.0.2', dst: '10.9.1.2', id: 0xcafe, ttl: 63 }, 17, 0, true, plainUdp.subarray(0, 1376)),
          fragment({ src: '10.0.0.2', dst: '10.9.1.2', id: 0xcafe, ttl: 63 }, 17, 1376, false, plainUdp.subarray(1376)),
          fragment({ ...hs, ttl: 63 }, 17, 0, true, secUdp.subarray(0, 1368)),
          fragment({ ...hs, ttl: 63, options: [SEC, { type: 1 }] }, 17, 1368, false, secUdp.subarray(1368)),
        ];
        assert.equal(want[1][0], 0x46, 'later fragments: IHL 6');
        o.sends(P1, want.map((p) => ipFrame(toH1, p)), 'the fragments');
        for (const f of o.frames(P1)) assert.ok(f.length - 14 <= 1400, 'each fragment fits the MTU');
        o.drops({});
        o.accounting({ in: 3, generated: 4, out: 7, consumed: 0, dropped: 0 });
      },
    };
  })(),
  (() => {
    const big = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', df: true, id: 3 }, 1, 2, pattern(1401 - 28));
    const fits = udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', df: true, id: 4 }, 1, 2, pattern(1400 - 28));
    return {
      ...base, name: 'ipv4-frag-needed',
      description: 'DF set and one byte too big for family inet mtu 1400: ICMP destination unreachable, fragmentation needed (type 3 code 4) with next-hop MTU 1400 (RFC 1191) from 10.0.0.1, quoting as much of the packet as fits in 576 bytes; dropped as ip4_mtu_exceeded_df; 1400 bytes with DF passes',
      inputs: { [P0]: at([big, fits]) },
      intent(o) {
        const q = big.subarray(14, 14 + 576 - 28);
        const m = new Uint8Array(8 + q.length);
        writeIcmp(m, 0, { type: 3, code: 4, mtu: 1400, payload: q });
        o.sends(P0, [eth(to0, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 1 }, 1, m))], 'fragmentation needed, MTU 1400');
        o.sends(P1, [ipFrame(toH1, hop(fits.subarray(14)))], 'the packet that fits');
        o.drops({ ip4_mtu_exceeded_df: 1 });
      },
    };
  })(),
  (() => {
    const big = eth(from0, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8:9::1' }, 17, udp('2001:db8::2', '2001:db8:9::1', 1, 2, pattern(1401 - 48))));
    const fits = eth(from0, 0x86dd, ip6({ src: '2001:db8::2', dst: '2001:db8:9::1' }, 17, udp('2001:db8::2', '2001:db8:9::1', 1, 3, pattern(1400 - 48))));
    return {
      ...base, name: 'ipv6-packet-too-big',
      description: 'IPv6 one byte too big for family inet6 mtu 1400 (routers do not fragment IPv6): ICMPv6 packet too big (type 2) with MTU 1400 from 2001:db8::1, quoting as much as keeps the error within 1280 bytes (RFC 4443); dropped as ip6_packet_too_big; 1400 bytes passes',
      inputs: { [P0]: at([big, fits]) },
      intent(o) {
        const q = big.subarray(14, 14 + 1280 - 48);
        const err = eth(to0, 0x86dd, ip6({ src: '2001:db8::1', dst: '2001:db8::2', hlim: 64 }, 58, icmp6('2001:db8::1', '2001:db8::2', { type: 2, code: 0, mtu: 1400, payload: q })));
        assert.equal(err.length - 14, 1280, 'the error is 1280 bytes');
        o.sends(P0, [err], 'packet too big, MTU 1400');
        o.sends(P1, [ipFrame(toH1, hop(fits.subarray(14)))], 'the packet that fits');
        o.drops({ ip6_packet_too_big: 1 });
      },
    };
  })(),
  (() => {
    const fromH1 = { src: H1, dst: M1 };
    const big = udp4Frame(fromH1, { src: '10.1.0.2', dst: '10.0.0.2' }, 1, 2, pattern(1515 - 42));
    const ok = udp4Frame(fromH1, { src: '10.1.0.2', dst: '10.0.0.2' }, 1, 2, pattern(1514 - 42));
    return {
      ...base, name: 'frame-too-long',
      description: 'A 1515-byte frame on et-0/0/1, whose media MTU is the default 1514 (the frame without FCS), is dropped on input as frame_too_long and not counted on the IFL; a 1514-byte frame is forwarded to et-0/0/0',
      inputs: { [P1]: at([big, ok]) },
      record: ['devices.R1.interfaces.et-0/0/1.0'],
      intent(o) {
        assert.equal(big.length, 1515);
        o.sends(P0, [ipFrame(to0, hop(ok.subarray(14)))], 'the frame that fits');
        o.drops({ frame_too_long: 1 });
        o.counters({ 'devices.R1.interfaces.et-0/0/1.0.inputPackets': 1 });
      },
    };
  })(),
];

main(import.meta.url, AREA, GENERATOR, CASES);
