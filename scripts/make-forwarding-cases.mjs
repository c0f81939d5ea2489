// Builds the forwarding conformance cases under pcaps/forwarding/ from the
// descriptions below (see scripts/cases-lib.mjs for how a case is built,
// checked against its intent and written). Every intent compares what R1
// sends with frames built here independently with src/craft: MACs, TTL /
// hop limit, checksums recomputed in full, ICMP errors quoting the packet.
//
//   npm run cases                              (all generators)
//   node scripts/make-forwarding-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { eth, icmp6, icmpEcho, ip4, ip6, pattern, ping4, ping6, udp, udp4Frame } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { writeIcmp } from '../dist/packet/icmp.js';
import { at, hex, hop, inetSum, ipFrame, main, padded } from './cases-lib.mjs';

export const AREA = 'forwarding';
export const GENERATOR = 'scripts/make-forwarding-cases.mjs';

// ---------------------------------------------------------------- the network
//
//   H0 (10.0.0.2, 2001:db8::2) — et-0/0/0 [R1] et-0/0/1 — H1 10.1.0.2, H1B .3, H1C .4, H1D .5 (2001:db8:1::2, ::3)
//   et-0/0/2: 802.1Q units 100 and 200;  et-0/0/3: QinQ units outer 10 inner 20 / 30
//   et-0/0/4, et-0/0/5: in routing instance red (VRF)
// Static ARP / NDP entries for every host, so nothing is resolved here (pcaps/arp-nd does that).

const mac = (ifd) => formatMac(derivedMac('R1', ifd));
const M = { 0: mac('et-0/0/0'), 1: mac('et-0/0/1'), 2: mac('et-0/0/2'), 3: mac('et-0/0/3'), 4: mac('et-0/0/4'), 5: mac('et-0/0/5') };
const H0 = '02:00:00:00:00:02';
const H1 = '02:00:00:00:01:02';
const H1B = '02:00:00:00:01:03';
const H1C = '02:00:00:00:01:04';
const H1D = '02:00:00:00:01:05';
const V100 = '02:00:00:00:64:02';
const V200 = '02:00:00:00:c8:02';
const Q20 = '02:00:00:00:14:02';
const Q30 = '02:00:00:00:1e:02';
const H4 = '02:00:00:00:04:02';
const H5 = '02:00:00:00:05:02';

const CONFIG = `/* R1 of the forwarding cases (scripts/make-forwarding-cases.mjs) */
system { host-name R1; }
interfaces {
  et-0/0/0 { unit 0 {
    family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${H0}; } }
    family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${H0}; } } } }
  et-0/0/1 { unit 0 {
    family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac ${H1}; arp 10.1.0.3 mac ${H1B}; arp 10.1.0.4 mac ${H1C}; arp 10.1.0.5 mac ${H1D}; } }
    family inet6 { address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac ${H1}; ndp 2001:db8:1::3 mac ${H1B}; } } } }
  et-0/0/2 { vlan-tagging;
    unit 100 { vlan-id 100; family inet { address 10.100.0.1/24 { arp 10.100.0.2 mac ${V100}; } }
                            family inet6 { address 2001:db8:100::1/64 { ndp 2001:db8:100::2 mac ${V100}; } } }
    unit 200 { vlan-id 200; family inet { address 10.200.0.1/24 { arp 10.200.0.2 mac ${V200}; } }
                            family inet6 { address 2001:db8:200::1/64 { ndp 2001:db8:200::2 mac ${V200}; } } } }
  et-0/0/3 { stacked-vlan-tagging;
    unit 1 { vlan-tags outer 10 inner 20; family inet { address 10.20.0.1/24 { arp 10.20.0.2 mac ${Q20}; } } }
    unit 2 { vlan-tags outer 10 inner 30; family inet { address 10.30.0.1/24 { arp 10.30.0.2 mac ${Q30}; } } } }
  et-0/0/4 { unit 0 { family inet { address 10.4.0.1/24 { arp 10.4.0.2 mac ${H4}; } }
                      family inet6 { address 2001:db8:4::1/64 { ndp 2001:db8:4::2 mac ${H4}; } } } }
  et-0/0/5 { unit 0 { family inet { address 10.5.0.1/24 { arp 10.5.0.2 mac ${H5}; } }
                      family inet6 { address 2001:db8:5::1/64 { ndp 2001:db8:5::2 mac ${H5}; } } } }
  lo0 { unit 0 { family inet { address 192.168.255.1/32; } family inet6 { address 2001:db8:ff::1/128; } } }
}
routing-options {
  static {
    route 10.9.0.0/16 next-hop 10.1.0.2;
    route 10.9.5.0/24 next-hop 10.1.0.3;
    route 10.9.5.128/25 next-hop 10.1.0.4;
    route 10.9.5.200/32 next-hop 10.1.0.5;
    route 172.16.0.0/16 next-hop 10.9.0.1;
    route 10.77.0.0/16 next-hop [ 10.1.0.2 10.1.0.3 ];
    route 192.0.2.0/24 discard;
    route 198.51.100.0/24 reject;
    route 203.0.113.0/24 next-table red.inet.0;
  }
  rib inet6.0 { static {
    route 2001:db8:9::/48 next-hop 2001:db8:1::2;
    route 2001:db8:9:5::/64 next-hop 2001:db8:1::3;
    route 2001:db8:99::/48 next-hop 2001:db8:9::1;
    route 2001:db8:77::/48 next-hop [ 2001:db8:1::2 2001:db8:1::3 ];
    route 2001:db8:dead::/48 reject;
    route 2001:db8:d15c::/48 discard;
    route 2001:db8:cafe::/48 next-table red.inet6.0;
  } }
}
routing-instances {
  red { instance-type vrf; interface et-0/0/4.0; interface et-0/0/5.0;
    routing-options {
      static { route 10.9.0.0/16 next-hop 10.5.0.2; route 203.0.113.0/24 next-hop 10.5.0.2; }
      rib red.inet6.0 { static { route 2001:db8:cafe::/48 next-hop 2001:db8:5::2; } } } }
}
`;

const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';
const from0 = { src: H0, dst: M[0] };
const to0 = { src: M[0], dst: H0 };
const toH1 = (h = H1) => ({ src: M[1], dst: h });

/** An IPv4 ICMP error from R1's address `src` to H0 (10.0.0.2), R1's `id`-th error, quoting `quoted` (the IP packet as received). */
function icmp4Error(src, id, type, code, quoted, rest = 0) {
  const m = new Uint8Array(8 + Math.min(quoted.length, 576 - 28));
  writeIcmp(m, 0, { type, code, rest, payload: quoted.subarray(0, m.length - 8) });
  return eth(to0, 0x0800, ip4({ src, dst: '10.0.0.2', id }, 1, m));
}
/** An ICMPv6 error from R1's 2001:db8::1 to H0 quoting `quoted`. */
const icmp6Error = (type, code, quoted) =>
  eth(to0, 0x86dd, ip6({ src: '2001:db8::1', dst: '2001:db8::2', hlim: 64 }, 58, icmp6('2001:db8::1', '2001:db8::2', { type, code, payload: quoted })));
/** The IP packet of an untagged Ethernet frame. */
const ipOf = (f) => f.subarray(14);
const udp6Frame = (e, h, sport, dport, n) => eth(e, 0x86dd, ip6(h, 17, udp(h.src, h.dst, sport, dport, pattern(n))));
const tcp4 = (h, sport, dport) => {
  // A TCP SYN (no options), its checksum over the pseudo-header.
  const t = new Uint8Array(20);
  t.set([sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff]);
  const pseudo = Uint8Array.from([...h.src.split('.').map(Number), ...h.dst.split('.').map(Number), 0, 6, 0, 20, ...t]);
  const c = inetSum(pseudo);
  t[16] = c >> 8; t[17] = c & 255;
  return ip4(h, 6, t);
};

/** The forwarded copy of a frame from H0: same IP packet one hop on, MACs (and tags) of the egress. */
const fwd = (e, frame) => ipFrame(e, hop(ipOf(frame)));

const base = { config: CONFIG };

export const CASES = [
  (() => {
    const pkts = [
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2', id: 0x1234 }, 7, 1),
      udp4Frame(from0, { src: '10.0.0.2', dst: '10.1.0.3', id: 0x1235, df: true, tos: 0xb8 }, 5000, 9, pattern(100)),
      eth(from0, 0x0800, tcp4({ src: '10.0.0.2', dst: '10.9.1.1', id: 0x1236, ttl: 2 }, 40000, 80)),
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2', id: 0x1237, ttl: 255 }, 7, 2, pattern(1400)),
    ];
    return {
      ...base, name: 'ipv4-forward',
      description: 'IPv4 from et-0/0/0 to hosts on et-0/0/1 (connected and via 10.9.0.0/16): TTL down by one, header checksum redone (RFC 1624), MACs rewritten to R1 -> the next hop, DSCP, DF, ID and payload untouched; ICMP, UDP, TCP, TTL 2 and 255, 1442 bytes',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.interfaces.et-0/0/0.0', 'devices.R1.interfaces.et-0/0/1.0'],
      intent(o) {
        o.sends(P1, [fwd(toH1(H1), pkts[0]), fwd(toH1(H1B), pkts[1]), fwd(toH1(H1), pkts[2]), fwd(toH1(H1), pkts[3])], 'forwarded one hop on');
        for (const f of o.frames(P1)) assert.equal(inetSum(f.subarray(14, 34)), 0, 'IPv4 header checksum');
        o.onlyPorts([P1]);
        o.drops({});
        o.accounting({ in: 4, generated: 0, out: 4, consumed: 0, dropped: 0 });
      },
    };
  })(),
  (() => {
    const pkts = [
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2' }, 9, 1),
      udp6Frame(from0, { src: '2001:db8::2', dst: '2001:db8:1::3', tc: 0xb8 }, 5000, 9, 100),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:9::1', hlim: 2 }, 9, 2),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2', hlim: 255 }, 9, 3, pattern(1400)),
    ];
    return {
      ...base, name: 'ipv6-forward',
      description: 'IPv6 from et-0/0/0 to hosts on et-0/0/1 (connected and via 2001:db8:9::/48): hop limit down by one, MACs rewritten, traffic class and payload untouched',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.interfaces.et-0/0/1.0'],
      intent(o) {
        o.sends(P1, [fwd(toH1(H1), pkts[0]), fwd(toH1(H1B), pkts[1]), fwd(toH1(H1), pkts[2]), fwd(toH1(H1), pkts[3])], 'forwarded one hop on');
        o.onlyPorts([P1]);
        o.drops({});
      },
    };
  })(),
  (() => {
    // Destination -> the next hop whose MAC the packet must leave with.
    const v4 = [['10.9.1.1', H1], ['10.9.5.1', H1B], ['10.9.5.127', H1B], ['10.9.5.128', H1C], ['10.9.5.199', H1C], ['10.9.5.200', H1D], ['10.9.5.201', H1C], ['10.9.6.1', H1]];
    const v6 = [['2001:db8:9::1', H1], ['2001:db8:9:5::1', H1B], ['2001:db8:9:6::1', H1]];
    const pkts = [
      ...v4.map(([dst], i) => ping4(from0, { src: '10.0.0.2', dst, id: i + 1 }, 1, i + 1)),
      ...v6.map(([dst], i) => ping6(from0, { src: '2001:db8::2', dst }, 2, i + 1)),
    ];
    return {
      ...base, name: 'longest-prefix-match',
      description: 'Longest prefix wins: 10.9.0.0/16 via 10.1.0.2, 10.9.5.0/24 via .3, 10.9.5.128/25 via .4, 10.9.5.200/32 via .5 (both edges of each prefix); 2001:db8:9::/48 via ::2 and 2001:db8:9:5::/64 via ::3',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        o.sends(P1, pkts.map((p, i) => fwd(toH1([...v4, ...v6][i][1]), p)), 'each by its longest prefix');
        o.drops({});
      },
    };
  })(),
  (() => {
    const flow4 = (i) => udp4Frame(from0, { src: '10.0.0.2', dst: '10.77.0.9', id: i }, 10000 + i, 9, pattern(8));
    const flow6 = (i) => udp6Frame(from0, { src: '2001:db8::2', dst: '2001:db8:77::9' }, 20000 + i, 9, 8);
    const flows = [...Array.from({ length: 16 }, (_, i) => flow4(i)), ...Array.from({ length: 16 }, (_, i) => flow6(i))];
    const pkts = [...flows, ...flows];
    return {
      ...base, name: 'ecmp',
      description: 'ECMP (route 10.77.0.0/16 and 2001:db8:77::/48 next-hop [ ::2 ::3 ]): 16 IPv4 and 16 IPv6 UDP flows (source ports differ), each sent twice: both next hops are used, both packets of a flow leave by the same one (flow hash over addresses, protocol, ports)',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        const out = o.frames(P1);
        assert.equal(out.length, pkts.length, 'every packet forwarded');
        const hopOf = new Map();
        out.forEach((f, i) => {
          const nh = formatMac(f, 0);
          assert.ok([H1, H1B].includes(nh), `packet ${i + 1} leaves to a next hop of the route`);
          assert.equal(hex(f), hex(padded(fwd({ src: M[1], dst: nh }, pkts[i]))), `packet ${i + 1} forwarded one hop on`);
          const k = i % flows.length;
          assert.equal(hopOf.get(k) ?? nh, nh, `flow ${k + 1} keeps its next hop`);
          hopOf.set(k, nh);
        });
        for (const fam of [0, 1]) {
          const used = new Set([...hopOf].filter(([k]) => (k < 16) === (fam === 0)).map(([, h]) => h));
          assert.equal(used.size, 2, `${fam ? 'IPv6' : 'IPv4'} flows use both next hops`);
        }
        o.drops({});
      },
    };
  })(),
  (() => {
    const pkts = [ping4(from0, { src: '10.0.0.2', dst: '172.16.5.5' }, 3, 1), ping6(from0, { src: '2001:db8::2', dst: '2001:db8:99::5' }, 3, 2)];
    return {
      ...base, name: 'recursive-static',
      description: 'Recursive static routes: 172.16.0.0/16 next-hop 10.9.0.1, itself via 10.9.0.0/16 -> 10.1.0.2; 2001:db8:99::/48 next-hop 2001:db8:9::1 via 2001:db8:1::2: both leave to H1',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        o.sends(P1, pkts.map((p) => fwd(toH1(H1), p)), 'resolved through the covering route');
        o.drops({});
      },
    };
  })(),
  (() => {
    const pkts = [
      ping4(from0, { src: '10.0.0.2', dst: '192.0.2.7', id: 1 }, 4, 1),
      ping4(from0, { src: '10.0.0.2', dst: '198.51.100.7', id: 2 }, 4, 2),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:d15c::1' }, 4, 3),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:dead::1' }, 4, 4),
    ];
    return {
      ...base, name: 'discard-reject',
      description: 'discard drops silently (ip4_discard_route, ip6_discard_route); reject answers ICMP destination unreachable, administratively prohibited (IPv4 type 3 code 13, ICMPv6 type 1 code 1) from the receiving interface, quoting the packet, and drops it (ip4_reject_route, ip6_reject_route)',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.nodes.ip4-icmp-error.counters', 'devices.R1.nodes.ip6-icmp-error.counters'],
      intent(o) {
        o.sends(P0, [icmp4Error('10.0.0.1', 1, 3, 13, ipOf(pkts[1])), icmp6Error(1, 1, ipOf(pkts[3]))], 'the two reject errors back to H0');
        o.onlyPorts([P0]);
        o.drops({ ip4_discard_route: 1, ip4_reject_route: 1, ip6_discard_route: 1, ip6_reject_route: 1 });
        o.accounting({ in: 4, generated: 2, out: 2, consumed: 0, dropped: 4 });
      },
    };
  })(),
  (() => {
    const from4 = { src: H4, dst: M[4] };
    const pkts = [
      [0, P0, ping4(from0, { src: '10.0.0.2', dst: '203.0.113.9' }, 5, 1)],
      [0.001, P0, ping6(from0, { src: '2001:db8::2', dst: '2001:db8:cafe::9' }, 5, 2)],
      [0.002, P0, ping4(from0, { src: '10.0.0.2', dst: '10.9.1.1' }, 5, 3)],
      [0.003, 'et-0/0/4', ping4(from4, { src: '10.4.0.2', dst: '10.9.1.1' }, 5, 4)],
      [0.004, 'et-0/0/4', ping4(from4, { src: '10.4.0.2', dst: '10.1.0.2' }, 5, 5)],
    ];
    const f = (i) => pkts[i][2];
    return {
      ...base, name: 'next-table-vrf',
      description: 'next-table: inet.0 hands 203.0.113.0/24 to red.inet.0 and 2001:db8:cafe::/48 to red.inet6.0, which forward out of VRF interface et-0/0/5; the VRF routes 10.9.0.0/16 its own way (et-0/0/5, while inet.0 uses et-0/0/1) and has no route to 10.1.0.0/24 (ICMP net unreachable from 10.4.0.1)',
      inputs: {
        [P0]: pkts.filter((p) => p[1] === P0).map(([t, , fr]) => [t, fr]),
        'et-0/0/4': pkts.filter((p) => p[1] === 'et-0/0/4').map(([t, , fr]) => [t, fr]),
      },
      intent(o) {
        const to5 = { src: M[5], dst: H5 };
        o.sends('et-0/0/5', [fwd(to5, f(0)), fwd(to5, f(1)), fwd(to5, f(3))], 'VRF red forwards by its own table');
        o.sends(P1, [fwd(toH1(H1), f(2))], 'inet.0 forwards 10.9.1.1 its own way');
        const unreach = eth({ src: M[4], dst: H4 }, 0x0800, (() => {
          const q = ipOf(f(4));
          const m = new Uint8Array(8 + q.length);
          writeIcmp(m, 0, { type: 3, code: 0, payload: q });
          return ip4({ src: '10.4.0.1', dst: '10.4.0.2', id: 1 }, 1, m);
        })());
        o.sends('et-0/0/4', [unreach], 'no route in the VRF: net unreachable');
        o.drops({ ip4_no_route: 1 });
      },
    };
  })(),
  (() => {
    const in100 = { src: V100, dst: M[2], vlans: [100] };
    const in20 = { src: Q20, dst: M[3], vlans: [10, 20] };
    const pkts = [
      [0, 'et-0/0/2', ping4(in100, { src: '10.100.0.2', dst: '10.200.0.2' }, 6, 1)],
      [0.001, 'et-0/0/2', ping6(in100, { src: '2001:db8:100::2', dst: '2001:db8:200::2' }, 6, 2)],
      [0.002, 'et-0/0/2', ping4(in100, { src: '10.100.0.2', dst: '10.1.0.2' }, 6, 3)],
      [0.003, 'et-0/0/3', ping4(in20, { src: '10.20.0.2', dst: '10.30.0.2' }, 6, 4)],
      [0.004, 'et-0/0/3', ping4(in20, { src: '10.20.0.2', dst: '10.200.0.2' }, 6, 5)],
      [0.005, 'et-0/0/2', ping4({ ...in100, vlans: [300] }, { src: '10.100.0.2', dst: '10.200.0.2' }, 6, 6)],
      [0.006, 'et-0/0/2', ping4({ src: V100, dst: M[2] }, { src: '10.100.0.2', dst: '10.200.0.2' }, 6, 7)],
    ];
    const ip = (i) => { const fr = pkts[i][2]; return fr.subarray(fr[12] === 0x88 || (fr[16] === 0x81) ? 22 : 18); };
    const inputs = {};
    for (const [t, port, fr] of pkts) (inputs[port] ??= []).push([t, fr]);
    return {
      ...base, name: 'vlan-qinq',
      description: '802.1Q and QinQ IFLs: in on et-0/0/2.100 (vlan-id 100) out on .200 with the tag rewritten (IPv4 and IPv6) and out untagged on et-0/0/1; in on et-0/0/3.1 (outer 10 inner 20, 0x88a8 + 0x8100) out on et-0/0/3.2 (outer 10 inner 30) and on .200; VLAN 300 and an untagged frame on the tagged port are dropped as unknown_vlan',
      inputs,
      record: ['devices.R1.interfaces.et-0/0/2.100', 'devices.R1.interfaces.et-0/0/2.200', 'devices.R1.interfaces.et-0/0/3.1', 'devices.R1.interfaces.et-0/0/3.2'],
      intent(o) {
        const to200 = { src: M[2], dst: V200, vlans: [200] };
        o.sends('et-0/0/2', [ipFrame(to200, hop(ip(0))), ipFrame(to200, hop(ip(1))), ipFrame(to200, hop(ip(4)))], 'out on vlan 200');
        o.sends(P1, [ipFrame(toH1(H1), hop(ip(2)))], 'out untagged');
        const out30 = ipFrame({ src: M[3], dst: Q30, vlans: [10, 30] }, hop(ip(3)));
        assert.equal(hex(out30.subarray(12, 22)), '88a8000a8100001e0800', 'QinQ: 0x88a8 outer 10, 0x8100 inner 30');
        o.sends('et-0/0/3', [out30], 'out on outer 10 inner 30');
        o.drops({ unknown_vlan: 2 });
      },
    };
  })(),
  (() => {
    const pkts = [
      udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', ttl: 1, id: 77 }, 33434, 33435, pattern(24)),
      udp4Frame(from0, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 0, id: 78 }, 33434, 33436, pattern(24)),
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2', ttl: 2 }, 8, 1),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:9::1', hlim: 1 }, 8, 2),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2', hlim: 2 }, 8, 3),
    ];
    return {
      ...base, name: 'ttl-expiry',
      description: 'TTL 1 and 0: ICMP time exceeded in transit (type 11 code 0) from the receiving interface 10.0.0.1, quoting the packet as received, original dropped as ip4_ttl_expired; hop limit 1: ICMPv6 time exceeded (type 3 code 0) from 2001:db8::1, ip6_hop_limit_expired; TTL / hop limit 2 is forwarded with 1',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.nodes.ip4-icmp-error.counters', 'devices.R1.nodes.ip6-icmp-error.counters'],
      intent(o) {
        o.sends(P0, [icmp4Error('10.0.0.1', 1, 11, 0, ipOf(pkts[0])), icmp4Error('10.0.0.1', 2, 11, 0, ipOf(pkts[1])), icmp6Error(3, 0, ipOf(pkts[3]))], 'time exceeded back to H0');
        o.sends(P1, [fwd(toH1(H1), pkts[2]), fwd(toH1(H1), pkts[4])], 'TTL 2 forwarded with 1');
        o.drops({ ip4_ttl_expired: 2, ip6_hop_limit_expired: 1 });
        o.accounting({ in: 5, generated: 3, out: 5, consumed: 0, dropped: 3 });
      },
    };
  })(),
  (() => {
    const pkts = [
      ping4(from0, { src: '10.0.0.2', dst: '8.8.8.8', id: 9 }, 9, 1),
      udp4Frame(from0, { src: '10.0.0.2', dst: '8.8.4.4', id: 10 }, 1, 2, pattern(700)),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:4444::1' }, 9, 2),
      ping4(from0, { src: '0.0.0.0', dst: '8.8.8.8' }, 9, 3),
    ];
    return {
      ...base, name: 'no-route',
      description: 'No route: ICMP destination unreachable, network (type 3 code 0) from 10.0.0.1 quoting the packet (up to 576 bytes in all), ip4_no_route; ICMPv6 destination unreachable, no route (type 1 code 0), ip6_no_route; none for a packet from 0.0.0.0 (RFC 1812 4.3.2.7)',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.nodes.ip4-icmp-error.counters', 'devices.R1.nodes.ip6-icmp-error.counters'],
      intent(o) {
        const big = icmp4Error('10.0.0.1', 2, 3, 0, ipOf(pkts[1]));
        assert.equal(big.length, 14 + 576, 'the error is 576 bytes of IP');
        o.sends(P0, [icmp4Error('10.0.0.1', 1, 3, 0, ipOf(pkts[0])), big, icmp6Error(1, 0, ipOf(pkts[2]))], 'unreachable back to H0');
        o.onlyPorts([P0]);
        o.drops({ ip4_no_route: 3, ip6_no_route: 1 });
      },
    };
  })(),
  (() => {
    const pkts = [
      ping4(from0, { src: '10.0.0.2', dst: '10.0.0.1', id: 5 }, 42, 1),
      ping4(from0, { src: '10.0.0.2', dst: '192.168.255.1', id: 6 }, 42, 2),
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.1', id: 7 }, 42, 3, pattern(1000)),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8::1' }, 42, 4),
      ping6(from0, { src: '2001:db8::2', dst: '2001:db8:ff::1' }, 42, 5),
      udp4Frame(from0, { src: '10.0.0.2', dst: '10.0.0.1', id: 8 }, 5000, 9, pattern(12)),
    ];
    const reply4 = (src, id, seq, data) => eth(to0, 0x0800, ip4({ src, dst: '10.0.0.2', id }, 1, icmpEcho(0, 42, seq, data)));
    const reply6 = (src, seq) => eth(to0, 0x86dd, ip6({ src, dst: '2001:db8::2', hlim: 64 }, 58, icmp6(src, '2001:db8::2', { type: 129, code: 0, id: 42, seq, payload: pattern(32) })));
    return {
      ...base, name: 'echo-reply',
      description: 'Echo requests to R1\'s own addresses (the receiving interface, lo0, another interface; IPv4 and IPv6) are answered from the address asked, TTL / hop limit 64, the request\'s ID and data kept; UDP to R1 gets ICMP port unreachable (type 3 code 3)',
      inputs: { [P0]: at(pkts) },
      record: ['devices.R1.nodes.ip4-local.counters', 'devices.R1.nodes.ip6-local.counters'],
      intent(o) {
        o.sends(P0, [
          reply4('10.0.0.1', 5, 1, pattern(32)), reply4('192.168.255.1', 6, 2, pattern(32)), reply4('10.1.0.1', 7, 3, pattern(1000)),
          reply6('2001:db8::1', 4), reply6('2001:db8:ff::1', 5), icmp4Error('10.0.0.1', 1, 3, 3, ipOf(pkts[5])),
        ], 'replies and the port unreachable');
        o.onlyPorts([P0]);
        o.drops({});
        o.accounting({ in: 6, generated: 6, out: 6, consumed: 6, dropped: 0 });
      },
    };
  })(),
  (() => {
    const opts = [
      [{ type: 148, data: Uint8Array.of(0, 0) }, { type: 7, data: Uint8Array.of(4, 0, 0, 0, 0) }], // router alert, record route
      [{ type: 1 }, { type: 1 }, { type: 1 }, { type: 0 }], // NOP NOP NOP EOL
      [{ type: 68, data: Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0, 0, 0) }], // timestamp
    ];
    const pkts = opts.map((options, i) => udp4Frame(from0, { src: '10.0.0.2', dst: '10.9.1.1', id: 40 + i, options }, 1000, 2000, pattern(20)));
    return {
      ...base, name: 'ipv4-options',
      description: 'IPv4 with options (router alert + record route, NOPs + EOL, timestamp; IHL 6 to 8) is forwarded with the options as they came, TTL down by one and the checksum over the longer header redone',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        o.sends(P1, pkts.map((p) => fwd(toH1(H1), p)), 'options intact');
        for (const f of o.frames(P1)) assert.ok((f[14] & 15) > 5, 'IHL > 5');
        o.drops({});
      },
    };
  })(),
  (() => {
    const bcast = { src: H0, dst: 'ff:ff:ff:ff:ff:ff' };
    const pkts = [
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.255' }, 11, 1),
      ping4(from0, { src: '10.0.0.2', dst: '10.100.0.255' }, 11, 2),
      ping4(bcast, { src: '10.0.0.2', dst: '10.1.0.2' }, 11, 3),
      ping4({ src: H0, dst: '01:00:5e:00:00:05' }, { src: '10.0.0.2', dst: '10.1.0.2' }, 11, 4),
      ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2' }, 11, 5),
    ];
    return {
      ...base, name: 'directed-broadcast',
      description: 'A directed broadcast to another subnet (10.1.0.255, 10.100.0.255) is dropped as ip4_directed_broadcast (RFC 2644: not forwarded by default); unicast IP in a link-layer broadcast or multicast frame is not forwarded (RFC 1812 5.3.4, ip4_link_broadcast); the same packet in a unicast frame is',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        o.sends(P1, [fwd(toH1(H1), pkts[4])], 'only the unicast frame');
        o.onlyPorts([P1]);
        o.drops({ ip4_directed_broadcast: 2, ip4_link_broadcast: 2 });
      },
    };
  })(),
  (() => {
    const good = ping4(from0, { src: '10.0.0.2', dst: '10.1.0.2', id: 1 }, 12, 1);
    const with4 = (byte, value) => { const f = Uint8Array.from(good); f[14 + byte] = value; return f; };
    const good6 = ping6(from0, { src: '2001:db8::2', dst: '2001:db8:1::2' }, 12, 2);
    const bad = [
      ['ipv4_bad_checksum', with4(10, good[24] ^ 0xff)],
      ['ipv4_bad_version', with4(0, 0x65)],
      ['ipv4_bad_ihl', with4(0, 0x44)],
      ['ipv4_bad_total_length', with4(3, 200)],
      ['ipv4_truncated', good.slice(0, 24)],
      ['ethernet_truncated', good.slice(0, 13)],
      ['ipv6_bad_version', (() => { const f = Uint8Array.from(good6); f[14] = 0x40; return f; })()],
      ['ipv6_bad_payload_length', (() => { const f = Uint8Array.from(good6); f[18] = 0x05; return f; })()],
      ['ipv6_truncated', good6.slice(0, 44)],
    ];
    const pkts = [...bad.map(([, f]) => f), good, good6];
    return {
      ...base, name: 'bad-headers',
      description: 'Malformed packets are dropped under their named reasons, one each: IPv4 bad header checksum, version 6 behind ethertype 0x0800, IHL 4, total length past the frame, a header cut short, a 13-byte frame; IPv6 version 4, payload length past the frame, header cut short; then a good IPv4 and IPv6 packet are forwarded',
      inputs: { [P0]: at(pkts) },
      intent(o) {
        o.sends(P1, [fwd(toH1(H1), good), fwd(toH1(H1), good6)], 'only the good packets');
        o.onlyPorts([P1]);
        o.drops(Object.fromEntries(bad.map(([r]) => [r, 1])));
        o.accounting({ in: pkts.length, generated: 0, out: 2, consumed: 0, dropped: bad.length });
      },
    };
  })(),
];

main(import.meta.url, AREA, GENERATOR, CASES);
