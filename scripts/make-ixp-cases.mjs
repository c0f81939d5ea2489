// Builds the Internet-exchange edge cases under pcaps/ixp/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them):
// one per rule family of an edge port (link-local protocols by name,
// ethertypes and LLC, non-unicast, the MAC allow-list and limit, the 1500-byte
// payload limit), flap dampening from a timeline, quarantine and the ARP
// sponge. Every intent says which frames leave which port, and the drops by
// reason, before anything is written.
//
//   npm run cases                              (all generators)
//   node scripts/make-ixp-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { arpFrame, eth, icmp6, ip4, ip6, nsFrame, pattern, ping4, ping6, udp4Frame } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { main } from './cases-lib.mjs';

export const AREA = 'ixp';
export const GENERATOR = 'scripts/make-ixp-cases.mjs';

// ---------------------------------------------------------------- the exchange
//
//   member A (et-0/0/1: MAC allow-list [A])      ┐
//   member B (et-0/0/2: defaults, first MAC kept) ├ [IX: virtual-switch FABRIC, domain PEERING (VLAN 100), 192.0.2.0/24]
//   member C (et-0/0/3: defaults)                 ┘
//   test port (et-0/0/4): domain QUARANTINE (VLAN 999)

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const X = '02:00:00:00:00:99';
const T = '02:00:00:00:00:0e';
const BCAST = 'ff:ff:ff:ff:ff:ff';

function scenario({ ports = {}, sponge = '', timeline = '' } = {}) {
  const edge = { 'et-0/0/1': `{ mac: [${A}] }`, 'et-0/0/2': '{}', 'et-0/0/3': '{}', ...ports };
  return `# The exchange: three member ports on the peering LAN, a test port in the quarantine domain.
devices:
  IX:
    interfaces:
      et-0/0/1: { encapsulation: ethernet-bridge }
      et-0/0/2: { encapsulation: ethernet-bridge }
      et-0/0/3: { encapsulation: ethernet-bridge }
      et-0/0/4: { encapsulation: ethernet-bridge }
    routing-instances:
      FABRIC:
        type: virtual-switch
        bridge-domains:
          PEERING: { vlan-id: 100, interfaces: [et-0/0/1, et-0/0/2, et-0/0/3], arp-suppression: false }
          QUARANTINE: { vlan-id: 999, interfaces: [et-0/0/4], arp-suppression: false }
    edge:
${Object.entries(edge).map(([p, r]) => `      ${p}: ${r}`).join('\n')}
${sponge}${timeline}`;
}

const ping = (src, dst, ipSrc = '192.0.2.1', ipDst = '192.0.2.2', n = 32) => ping4({ dst, src }, { src: ipSrc, dst: ipDst }, 1, 1, pattern(n));
const llc = (dst, src, header) => eth({ dst, src }, header.length + 20, Uint8Array.from([...header, ...pattern(20)]));
const arpReq = (src, spa, tpa) => arpFrame({ dst: BCAST, src }, 1, src, spa, '00:00:00:00:00:00', tpa);
const timed = (frames, step = 0.001, start = 0) => frames.map((f, i) => [start + i * step, f]);
const files = (y) => ({ 'scenario.yaml': y });

const LINK_LOCAL = [
  ['edge_stp', llc('01:80:c2:00:00:00', A, [0x42, 0x42, 0x03, 0, 0])],
  ['edge_stp', llc('01:00:0c:cc:cc:cd', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x01, 0x0b])],
  ['edge_lldp', eth({ dst: '01:80:c2:00:00:0e', src: A }, 0x88cc, pattern(30))],
  ['edge_cdp_vtp_dtp', llc('01:00:0c:cc:cc:cc', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00])],
  ['edge_cdp_vtp_dtp', llc('01:00:0c:cc:cc:cc', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x03])],
  ['edge_cdp_vtp_dtp', llc('01:00:0c:cc:cc:cc', A, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x04])],
  ['edge_cisco_keepalive', eth({ dst: A, src: A }, 0x9000, pattern(40))],
  ['edge_dec_mop', eth({ dst: 'ab:00:00:02:00:00', src: A }, 0x6002, pattern(40))],
  ['edge_isis', llc('01:80:c2:00:00:15', A, [0xfe, 0xfe, 0x03, 0x83])],
  ['edge_igmp', eth({ dst: '01:00:5e:00:00:01', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.1', ttl: 1 }, 2, pattern(8)))],
  ['edge_dhcp', udp4Frame({ dst: BCAST, src: A }, { src: '0.0.0.0', dst: '255.255.255.255' }, 68, 67, pattern(240))],
  ['edge_ipv6_ra', eth({ dst: '33:33:00:00:00:01', src: A }, 0x86dd, ip6({ src: 'fe80::a', dst: 'ff02::1', hlim: 255 }, 58,
    icmp6('fe80::a', 'ff02::1', { type: 134, code: 0, payload: pattern(12) })))],
  ['edge_ospf', eth({ dst: '01:00:5e:00:00:05', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.5', ttl: 1 }, 89, pattern(24)))],
  ['edge_eigrp', eth({ dst: '01:00:5e:00:00:0a', src: A }, 0x0800, ip4({ src: '192.0.2.1', dst: '224.0.0.10', ttl: 1 }, 88, pattern(20)))],
];
const tally = (pairs) => pairs.reduce((m, [r]) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {});
const RECORD = ['devices.IX.nodes.edge-input.counters', 'devices.IX.nodes.bridge-input.counters'];

export const CASES = [];

{
  const ok = ping(A, B);
  CASES.push({
    name: 'link-local',
    description: 'A member port sends STP, PVST+, LLDP, CDP/VTP/DTP, a Cisco keepalive, DEC MOP, IS-IS, IGMP, DHCP, an IPv6 RA, OSPF and EIGRP: each is dropped under its own reason; its unicast IPv4 is bridged',
    files: files(scenario()), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': timed([...LINK_LOCAL.map(([, f]) => f), ok]) },
    record: RECORD,
    intent(o) {
      o.drops(tally(LINK_LOCAL));
      o.sends('et-0/0/2', [ok]);
      o.sends('et-0/0/3', [ok]);
      o.onlyPorts(['et-0/0/2', 'et-0/0/3']);
    },
  });
}

{
  const mpls = eth({ dst: B, src: A }, 0x8847, pattern(40));
  const snap = llc(B, A, [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
  const novell = llc(B, A, [0xe0, 0xe0, 0x03]);
  const good = [ping(A, B), arpReq(A, '192.0.2.1', '192.0.2.2'), ping6({ dst: B, src: A }, { src: '2001:db8::a', dst: '2001:db8::b' })];
  CASES.push({
    name: 'ethertype-llc',
    description: 'Only IPv4, ARP and IPv6 ethertypes enter the peering LAN: MPLS is dropped as edge_ethertype, 802.2 LLC/SNAP frames as edge_llc_snap',
    files: files(scenario()), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': timed([mpls, snap, novell, ...good]) },
    record: RECORD,
    intent(o) {
      o.drops({ edge_ethertype: 1, edge_llc_snap: 2 });
      o.sends('et-0/0/2', good);
    },
  });
}

{
  const bcastPing = ping(A, BCAST, '192.0.2.1', '192.0.2.255');
  const limited = ping(A, B, '192.0.2.1', '255.255.255.255');
  const mcastArp = arpFrame({ dst: '01:00:5e:00:00:01', src: A }, 1, A, '192.0.2.1', '00:00:00:00:00:00', '192.0.2.2');
  const rs = eth({ dst: '33:33:00:00:00:02', src: A }, 0x86dd, ip6({ src: 'fe80::a', dst: 'ff02::2', hlim: 255 }, 58, icmp6('fe80::a', 'ff02::2', { type: 133, code: 0, payload: pattern(4) })));
  const arp = arpReq(A, '192.0.2.1', '192.0.2.2');
  const ns = nsFrame(A, 'fe80::a', 'fe80::b');
  CASES.push({
    name: 'non-unicast',
    description: 'Non-unicast is only broadcast ARP and multicast ND (NS/NA): a directed broadcast, an IPv4 limited broadcast, ARP to a multicast MAC and a router solicitation are dropped as edge_non_unicast',
    files: files(scenario()), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': timed([bcastPing, limited, mcastArp, rs, arp, ns]) },
    record: RECORD,
    intent(o) {
      o.drops({ edge_non_unicast: 4 });
      o.sends('et-0/0/2', [arp, ns]);
      o.sends('et-0/0/3', [arp, ns]);
    },
  });
}

{
  const a = ping(A, C);
  const x1 = ping(X, C, '192.0.2.9');
  const b = ping(B, C, '192.0.2.2', '192.0.2.3');
  const x2 = ping(X, C, '192.0.2.9', '192.0.2.3');
  CASES.push({
    name: 'mac-acl',
    description: 'The MAC allow-list (L2 ACL): et-0/0/1 lists A only, so X is dropped as edge_mac_not_allowed; et-0/0/2 keeps the first MAC it sees (mac-limit 1), so X after B is dropped as edge_mac_limit',
    files: files(scenario()), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': timed([a, x1]), 'et-0/0/2': timed([b, x2], 0.001, 0.01) },
    record: RECORD,
    intent(o) {
      o.drops({ edge_mac_not_allowed: 1, edge_mac_limit: 1 });
      o.sends('et-0/0/3', [a, b]);
      o.counters({ 'devices.IX.nodes.edge-input.counters.edge_mac_locked': 1 });
    },
  });
}

{
  const full = ping(A, B, '192.0.2.1', '192.0.2.2', 1500 - 28);
  const over = ping(A, B, '192.0.2.1', '192.0.2.2', 1501 - 28);
  CASES.push({
    name: 'payload-1500',
    description: 'The 1500-byte payload limit of a peering port: a 1500-byte IPv4 packet is bridged, a 1501-byte one is dropped as edge_payload_too_large',
    files: files(scenario()), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': timed([full, over]) },
    record: RECORD,
    intent(o) {
      o.drops({ edge_payload_too_large: 1 });
      o.sends('et-0/0/2', [full]);
      assert.equal(o.frames('et-0/0/2')[0].length, 1514);
    },
  });
}

{
  const flaps = 'timeline:\n  - { at: 1, link-down: IX:et-0/0/2 }\n  - { at: 2, link-up: IX:et-0/0/2 }\n  - { at: 3, link-down: IX:et-0/0/2 }\n  - { at: 4, link-up: IX:et-0/0/2 }\n';
  const fromB = (n) => ping(B, A, '192.0.2.2', '192.0.2.1', n);
  const arpA = arpReq(A, '192.0.2.1', '192.0.2.2');
  CASES.push({
    name: 'dampening',
    description: 'Flap dampening: et-0/0/2 goes down and up twice within 4 s (4 transitions in 5 s): it is disabled for 10 s, frames in and out of it dropped as port_dampened, and forwards again at 14 s',
    files: files(scenario({ timeline: flaps })), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/2': [[0, fromB(10)], [4.5, fromB(11)], [13.9, fromB(12)], [14.1, fromB(13)]], 'et-0/0/1': [[5, arpA]] },
    record: RECORD,
    intent(o) {
      o.drops({ port_dampened: 3 });
      o.sendsAt('et-0/0/1', [[0, fromB(10)], [14.1, fromB(13)]]);
      o.sendsAt('et-0/0/3', [[0, fromB(10)], [5, arpA]]);
    },
  });
}

{
  const q = arpReq(X, '192.0.2.99', '192.0.2.1');
  const a = arpReq(A, '192.0.2.1', '192.0.2.99');
  const t = ping(T, X, '192.0.2.250', '192.0.2.99');
  const reply = ping(X, T, '192.0.2.99', '192.0.2.250');
  CASES.push({
    name: 'quarantine',
    description: 'A new member in quarantine: et-0/0/3 bridges in the QUARANTINE domain with the test port et-0/0/4; none of its frames reach the peering LAN and none of the LAN\'s reach it',
    files: files(scenario({ ports: { 'et-0/0/3': `{ mac: [${X}], quarantine: QUARANTINE }` } })), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/3': [[0, q], [0.003, reply]], 'et-0/0/1': [[0.001, a]], 'et-0/0/4': [[0.002, t]] },
    record: RECORD,
    intent(o) {
      o.drops({});
      o.sends('et-0/0/4', [q, reply]);
      o.sends('et-0/0/3', [t]);
      o.sends('et-0/0/2', [a]);
      o.onlyPorts(['et-0/0/2', 'et-0/0/3', 'et-0/0/4']);
    },
  });
}

{
  const SPONGE_MAC = formatMac(derivedMac('IX', 'arp-sponge/PEERING'));
  const sponge = '    arp-sponge:\n      PEERING: { network: 192.0.2.0/24, queue-depth: 5, rate: 50, pending: 2, learn-time: 0 }\n';
  const req = arpReq(A, '192.0.2.1', '192.0.2.9');
  const answer = arpFrame({ dst: A, src: SPONGE_MAC }, 2, SPONGE_MAC, '192.0.2.9', A, '192.0.2.1');
  const toSponge = ping(A, SPONGE_MAC, '192.0.2.1', '192.0.2.9');
  const back = ping(C, A, '192.0.2.9', '192.0.2.1');
  const reqs = Array.from({ length: 10 }, (_, i) => [1 + i * 0.5, req]);
  CASES.push({
    name: 'arp-sponge',
    description: 'The ARP sponge (AMS-IX arpsponge): 5 unanswered requests for 192.0.2.9 at 120/min put it pending; 2 s later it is sponged and requests are answered with the sponge\'s MAC; a packet to that MAC is taken in; a packet from 192.0.2.9 unsponges it',
    files: files(scenario({ sponge })), configFile: 'scenario.yaml',
    inputs: { 'et-0/0/1': [...reqs, [5.2, toSponge], [6, req], [7, req]], 'et-0/0/3': [[6.5, back]] },
    record: RECORD,
    intent(o) {
      o.drops({});
      // Replies at 5, 5.5 and 6 (sponged at 5); none at 7, after the packet from .9 at 6.5.
      o.sendsAt('et-0/0/1', [[5, answer], [5.5, answer], [6, answer], [6.5, back]]);
      assert.equal(o.frames('et-0/0/2').length, 12, 'every request still flooded');
      o.counters({
        'devices.IX.nodes.bridge-input.counters.arp_sponge_pending': 1,
        'devices.IX.nodes.bridge-input.counters.arp_sponge_sponged': 1,
        'devices.IX.nodes.bridge-input.counters.arp_sponge_replies': 3,
        'devices.IX.nodes.bridge-input.counters.arp_sponge_unsponged': 1,
        'devices.IX.nodes.bridge-input.counters.arp_sponge_consumed': 1,
        'accounting.consumed': 1,
      });
    },
  });
}

main(import.meta.url, AREA, GENERATOR, CASES);
