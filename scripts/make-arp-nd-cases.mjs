// Builds the ARP and neighbour discovery cases under pcaps/arp-nd/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them).
// Times matter here: a held packet leaves at the time of the reply that
// resolves its next hop, requests repeat once a second of input time, and
// the intents compare every frame with its time.
//
//   npm run cases                              (all generators)
//   node scripts/make-arp-nd-cases.mjs [name-filter]

import { arpFrame, eth, icmp6, ip6, naFrame, nsFrame, ping4, ping6 } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { main } from './cases-lib.mjs';

export const AREA = 'arp-nd';
export const GENERATOR = 'scripts/make-arp-nd-cases.mjs';

// ---------------------------------------------------------------- the network
//
//   H0 (10.0.0.2, 2001:db8::2, static) — et-0/0/0 [R1] et-0/0/1 — hosts learned by ARP / ND:
//   H9 10.1.0.9 / 2001:db8:1::9, H7 10.1.0.7 / 2001:db8:1::7; H5 10.1.0.5 is a static ARP entry.

const mac = (ifd) => formatMac(derivedMac('R1', ifd));
const M0 = mac('et-0/0/0');
const M1 = mac('et-0/0/1');
const H0 = '02:00:00:00:00:02';
const H9 = '02:00:00:00:01:09';
const H7 = '02:00:00:00:01:07';
const H7NEW = '02:00:00:00:01:77';
const H5 = '02:00:00:00:01:05';
const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';
const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';

const CONFIG = `/* R1 of the ARP / ND cases (scripts/make-arp-nd-cases.mjs) */
system { host-name R1; }
interfaces {
  et-0/0/0 { unit 0 {
    family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac ${H0}; } }
    family inet6 { address 2001:db8::1/64 { ndp 2001:db8::2 mac ${H0}; } } } }
  et-0/0/1 { unit 0 {
    family inet { address 10.1.0.1/24 { arp 10.1.0.5 mac ${H5}; } }
    family inet6 { address 2001:db8:1::1/64; } } }
}
`;
const base = { config: CONFIG };
const from0 = { src: H0, dst: M0 };

/** A ping from H0 to `dst`, and the same ping as R1 forwards it to `nh` on et-0/0/1. */
const ping = (dst, seq) => ping4(from0, { src: '10.0.0.2', dst, id: seq }, 1, seq);
const pingOut = (dst, seq, nh) => ping4({ src: M1, dst: nh }, { src: '10.0.0.2', dst, id: seq, ttl: 63 }, 1, seq);
const ping6In = (dst, seq) => ping6(from0, { src: '2001:db8::2', dst }, 1, seq);
const ping6Out = (dst, seq, nh) => ping6({ src: M1, dst: nh }, { src: '2001:db8::2', dst, hlim: 63 }, 1, seq);
/** R1's ARP request for `ip` on et-0/0/1, from its subnet address. */
const arpRequest = (ip) => arpFrame({ src: M1, dst: BCAST }, 1, M1, '10.1.0.1', ZERO, ip);
/** `host`'s ARP reply to R1. */
const arpReply = (host, ip) => arpFrame({ src: host, dst: M1 }, 2, host, ip, M1, '10.1.0.1');
/** R1's neighbour solicitation for `target` on et-0/0/1 (to its solicited-node group, with R1's link-layer address). */
const ns = (target) => nsFrame(M1, '2001:db8:1::1', target);
/** `host`'s solicited NA for `ip` to R1. */
const na = (host, ip, flags = 0x60) => naFrame({ src: host, dst: M1 }, ip, '2001:db8:1::1', ip, host, flags);

export const CASES = [
  {
    ...base, name: 'arp-hold-release',
    description: 'Packets to 10.1.0.9 (no ARP entry) are held; one ARP request leaves at once (broadcast, from 10.1.0.1); H9\'s reply at 0.5 s releases the three held packets, in order, stamped with the reply\'s time; the next packet goes straight out',
    inputs: {
      [P0]: [[0, ping('10.1.0.9', 1)], [0.01, ping('10.1.0.9', 2)], [0.02, ping('10.1.0.9', 3)], [0.7, ping('10.1.0.9', 4)]],
      [P1]: [[0.5, arpReply(H9, '10.1.0.9')]],
    },
    record: ['devices.R1.nodes.ip4-arp.counters', 'devices.R1.nodes.arp-input.counters'],
    intent(o) {
      o.sendsAt(P1, [[0, arpRequest('10.1.0.9')], [0.5, pingOut('10.1.0.9', 1, H9)], [0.5, pingOut('10.1.0.9', 2, H9)], [0.5, pingOut('10.1.0.9', 3, H9)], [0.7, pingOut('10.1.0.9', 4, H9)]]);
      o.onlyPorts([P1]);
      o.drops({});
      o.counters({ 'devices.R1.nodes.ip4-arp.counters.arp_requests_sent': 1, 'devices.R1.nodes.ip4-arp.counters.packets_held': 3 });
      o.accounting({ in: 5, generated: 1, out: 5, consumed: 1, dropped: 0 });
    },
  },
  {
    ...base, name: 'arp-resolution-failed',
    description: 'No reply for 10.1.0.9: a request at 0, 1 and 2 s of input time (three at most) while packets keep coming; at 3 s the held packets are dropped as arp_resolution_failed; the packet at 3.1 s asks anew and is dropped at the end of the run',
    inputs: { [P0]: [0, 0.4, 0.8, 1.0, 1.5, 2.0, 2.6, 3.1].map((t, i) => [t, ping('10.1.0.9', i + 1)]) },
    record: ['devices.R1.nodes.ip4-arp.counters'],
    intent(o) {
      o.sendsAt(P1, [[0, arpRequest('10.1.0.9')], [1, arpRequest('10.1.0.9')], [2, arpRequest('10.1.0.9')], [3.1, arpRequest('10.1.0.9')]]);
      o.drops({ arp_resolution_failed: 8 });
      o.accounting({ in: 8, generated: 4, out: 4, consumed: 0, dropped: 8 });
    },
  },
  {
    ...base, name: 'arp-request-answered',
    description: 'An ARP request for R1\'s 10.1.0.1 is answered (reply from R1\'s MAC to the requester, padded to 60 bytes) and the requester learned: a packet to it then leaves without ARP; a request for another host (10.1.0.8) is taken in, not answered, and teaches nothing: a packet to that host still needs resolving',
    inputs: {
      [P1]: [[0, arpFrame({ src: H7, dst: BCAST }, 1, H7, '10.1.0.7', ZERO, '10.1.0.1')], [0.1, arpFrame({ src: H9, dst: BCAST }, 1, H9, '10.1.0.9', ZERO, '10.1.0.8')]],
      [P0]: [[0.2, ping('10.1.0.7', 1)], [0.3, ping('10.1.0.9', 2)]],
    },
    record: ['devices.R1.nodes.arp-input.counters'],
    intent(o) {
      o.sendsAt(P1, [
        [0, arpFrame({ src: M1, dst: H7 }, 2, M1, '10.1.0.1', H7, '10.1.0.7')],
        [0.2, pingOut('10.1.0.7', 1, H7)],
        [0.3, arpRequest('10.1.0.9')],
      ]);
      o.drops({ arp_resolution_failed: 1 });
      o.counters({ 'devices.R1.nodes.arp-input.counters.arp_replies_sent': 1, 'devices.R1.nodes.arp-input.counters.arp_entries_learned': 1 });
    },
  },
  {
    ...base, name: 'gratuitous-arp',
    description: 'A gratuitous ARP (sender = target 10.1.0.7, new MAC 02:00:00:00:01:77) updates the learned entry and traffic follows the new MAC; one for the static entry 10.1.0.5 changes nothing; an unsolicited reply for 10.1.0.9 creates no entry (the packet to it needs a request, and fails)',
    inputs: {
      [P1]: [
        [0, arpFrame({ src: H7, dst: BCAST }, 1, H7, '10.1.0.7', ZERO, '10.1.0.1')],
        [1, arpFrame({ src: H7NEW, dst: BCAST }, 1, H7NEW, '10.1.0.7', ZERO, '10.1.0.7')],
        [1.5, arpFrame({ src: '02:00:00:00:01:55', dst: BCAST }, 1, '02:00:00:00:01:55', '10.1.0.5', ZERO, '10.1.0.5')],
        [1.6, arpReply(H9, '10.1.0.9')],
      ],
      [P0]: [[2, ping('10.1.0.7', 1)], [2.1, ping('10.1.0.5', 2)], [2.2, ping('10.1.0.9', 3)]],
    },
    intent(o) {
      o.sendsAt(P1, [
        [0, arpFrame({ src: M1, dst: H7 }, 2, M1, '10.1.0.1', H7, '10.1.0.7')],
        [2, pingOut('10.1.0.7', 1, H7NEW)],
        [2.1, pingOut('10.1.0.5', 2, H5)],
        [2.2, arpRequest('10.1.0.9')],
      ]);
      o.drops({ arp_resolution_failed: 1 });
    },
  },
  {
    ...base, name: 'nd-resolution',
    description: 'IPv6 to 2001:db8:1::9 (no neighbour entry): the packets are held, a neighbour solicitation goes to the solicited-node group ff02::1:ff00:9 (33:33:ff:00:00:09) with R1\'s link-layer address; H9\'s solicited NA at 0.5 s releases them stamped 0.5 s; the next packet goes straight out',
    inputs: {
      [P0]: [[0, ping6In('2001:db8:1::9', 1)], [0.1, ping6In('2001:db8:1::9', 2)], [0.8, ping6In('2001:db8:1::9', 3)]],
      [P1]: [[0.5, na(H9, '2001:db8:1::9')]],
    },
    record: ['devices.R1.nodes.ip6-nd.counters'],
    intent(o) {
      o.sendsAt(P1, [[0, ns('2001:db8:1::9')], [0.5, ping6Out('2001:db8:1::9', 1, H9)], [0.5, ping6Out('2001:db8:1::9', 2, H9)], [0.8, ping6Out('2001:db8:1::9', 3, H9)]]);
      o.drops({});
      o.counters({ 'devices.R1.nodes.ip6-nd.counters.ns_sent': 1, 'devices.R1.nodes.ip6-nd.counters.packets_held': 2 });
    },
  },
  (() => {
    const solicit = eth({ src: H7, dst: '33:33:ff:00:00:01' }, 0x86dd, ip6({ src: '2001:db8:1::7', dst: 'ff02::1:ff00:1', hlim: 255 }, 58,
      icmp6('2001:db8:1::7', 'ff02::1:ff00:1', { type: 135, code: 0, target: '2001:db8:1::1', options: [{ type: 1, linkLayerAddress: H7 }] })));
    const dad = eth({ src: H9, dst: '33:33:ff:00:00:01' }, 0x86dd, ip6({ src: '::', dst: 'ff02::1:ff00:1', hlim: 255 }, 58,
      icmp6('::', 'ff02::1:ff00:1', { type: 135, code: 0, target: '2001:db8:1::1' })));
    const other = nsFrame(H9, '2001:db8:1::9', '2001:db8:1::8');
    const naTo = (dst, dstMac, flags) => eth({ src: M1, dst: dstMac }, 0x86dd, ip6({ src: '2001:db8:1::1', dst, hlim: 255 }, 58,
      icmp6('2001:db8:1::1', dst, { type: 136, code: 0, flags, target: '2001:db8:1::1', options: [{ type: 2, linkLayerAddress: M1 }] })));
    return {
      ...base, name: 'ns-answered',
      description: 'A neighbour solicitation for R1\'s 2001:db8:1::1 is answered with a solicited NA (flags router, solicited, override; target link-layer address R1\'s MAC) to the solicitor, who is learned (a packet to it leaves without solicitation); a DAD probe (from ::) is answered to all-nodes ff02::1 without the solicited flag; an NS for another address is taken in, unanswered',
      inputs: {
        [P1]: [[0, solicit], [0.1, dad], [0.2, other]],
        [P0]: [[0.3, ping6In('2001:db8:1::7', 1)]],
      },
      record: ['devices.R1.nodes.ip6-nd.counters'],
      intent(o) {
        o.sendsAt(P1, [
          [0, naTo('2001:db8:1::7', H7, 0xe0)],
          [0.1, naTo('ff02::1', '33:33:00:00:00:01', 0xa0)],
          [0.3, ping6Out('2001:db8:1::7', 1, H7)],
        ]);
        o.drops({});
        o.accounting({ in: 4, generated: 2, out: 3, consumed: 3, dropped: 0 });
      },
    };
  })(),
  {
    ...base, name: 'unsolicited-na',
    description: 'An unsolicited NA (override, not solicited) with a new link-layer address updates a learned neighbour (2001:db8:1::9 resolved by NS/NA first) and traffic follows it; an unsolicited NA for an unknown address (2001:db8:1::7) creates no entry: a packet to it still solicits, and fails',
    inputs: {
      [P0]: [[0, ping6In('2001:db8:1::9', 1)], [2, ping6In('2001:db8:1::9', 2)], [2.1, ping6In('2001:db8:1::7', 3)]],
      [P1]: [
        [0.5, na(H9, '2001:db8:1::9')],
        [1, naFrame({ src: H7NEW, dst: '33:33:00:00:00:01' }, '2001:db8:1::9', 'ff02::1', '2001:db8:1::9', H7NEW, 0x20)],
        [1.5, naFrame({ src: H7, dst: '33:33:00:00:00:01' }, '2001:db8:1::7', 'ff02::1', '2001:db8:1::7', H7, 0x20)],
      ],
    },
    intent(o) {
      o.sendsAt(P1, [
        [0, ns('2001:db8:1::9')],
        [0.5, ping6Out('2001:db8:1::9', 1, H9)],
        [2, ping6Out('2001:db8:1::9', 2, H7NEW)],
        [2.1, ns('2001:db8:1::7')],
      ]);
      o.drops({ nd_resolution_failed: 1 });
    },
  },
  {
    ...base, name: 'nd-resolution-failed',
    description: 'No NA for 2001:db8:1::9: solicitations at 0, 1 and 2 s while packets keep coming, then the held packets are dropped as nd_resolution_failed',
    inputs: { [P0]: [0, 0.5, 1, 2, 2.9].map((t, i) => [t, ping6In('2001:db8:1::9', i + 1)]) },
    intent(o) {
      o.sendsAt(P1, [[0, ns('2001:db8:1::9')], [1, ns('2001:db8:1::9')], [2, ns('2001:db8:1::9')]]);
      o.drops({ nd_resolution_failed: 5 });
      o.accounting({ in: 5, generated: 3, out: 3, consumed: 0, dropped: 5 });
    },
  },
];

main(import.meta.url, AREA, GENERATOR, CASES);
