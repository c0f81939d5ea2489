// Builds the ARP-by-profile cases under pcaps/arp-profiles/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them),
// and the input of the bundled example examples/ive-arp/. Each family of
// cases feeds the same input to the profiles (or switch settings) that
// differ on it, so the cases side by side show the difference: the seed's
// IVE request (arp-sender-check), arp-ignore, arp-filter, proxy ARP,
// gratuitous ARP and the ageing of the ARP cache.
//
//   npm run cases                              (all generators)
//   node scripts/make-arp-profile-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arpFrame, ping4 } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { isMain, main, writePcap } from './cases-lib.mjs';

export const AREA = 'arp-profiles';
export const GENERATOR = 'scripts/make-arp-profile-cases.mjs';

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'ive-arp');
const EXAMPLE = readFileSync(join(EXAMPLE_DIR, 'scenario.yaml'), 'utf8');

const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';
const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';
const IVE = '02:00:00:00:0e:01';
const H = '02:00:00:00:01:07';
const HNEW = '02:00:00:00:01:77';
const HNEW2 = '02:00:00:00:01:78';
const H8 = '02:00:00:00:01:08';
const GW = '02:00:00:00:01:fe';

/** A request on VLAN 100 (et-0/0/0) or untagged (et-0/0/1). */
const req = (port, mac, spa, tpa) => arpFrame({ src: mac, dst: BCAST, vlans: port === P0 ? [100] : undefined }, 1, mac, spa, ZERO, tpa);
/** A device's reply (from `rmac`) to a request. */
const rep = (port, rmac, tpa, mac, spa) => arpFrame({ src: rmac, dst: mac, vlans: port === P0 ? [100] : undefined }, 2, rmac, tpa, mac, spa);
/** The device's own request for `tpa`. */
const ask = (port, rmac, spa, tpa) => arpFrame({ src: rmac, dst: BCAST, vlans: port === P0 ? [100] : undefined }, 1, rmac, spa, ZERO, tpa);

// ---------------------------------------------------------------- the seed: examples/ive-arp

const SW = (ifd) => formatMac(derivedMac('SW1', ifd));
/** The IVE's request for its gateway from its shared-auth address, and its retry a second later. */
const IVE_INPUT = [[0, req(P0, IVE, '172.16.5.10', '10.100.0.1')], [1, req(P0, IVE, '172.16.5.10', '10.100.0.1')]];
const IVE_REPLY = rep(P0, SW(P0), '10.100.0.1', IVE, '172.16.5.10');
const ARP_RECORD = ['devices.SW1.nodes.arp-input.counters'];

function iveScenario(profile, secondary) {
  let s = EXAMPLE.replace('    profile: nxos\n', `    profile: ${profile}\n`);
  if (secondary) s = s.replace('# - 172.16.5.11/31', '- 172.16.5.11/31');
  assert.ok(s.includes(`    profile: ${profile}\n`) && (!secondary || !s.includes('# - 172.16.5.11/31')), 'the example scenario has the lines this script edits');
  return `# examples/ive-arp/scenario.yaml as profile ${profile}${secondary ? ', with the /31 secondary' : ''} (scripts/make-arp-profile-cases.mjs)\n${s}`;
}

const iveCase = (name, profile, secondary, answers, why) => ({
  name,
  description: `The seed's IVE (shared-IVS) ARPs for its gateway, the SVI 10.100.0.1 on VLAN 100, from 172.16.5.10 (another VLAN's subnet), at 0 s and again at 1 s; profile ${profile}${secondary ? ' with a /31 secondary 172.16.5.11/31 on the SVI' : ''}: ${why}`,
  files: { 'scenario.yaml': iveScenario(profile, secondary) },
  configFile: 'scenario.yaml',
  inputs: { [P0]: IVE_INPUT },
  record: ARP_RECORD,
  intent(o) {
    if (answers) o.sendsAt(P0, [[0, IVE_REPLY], [1, IVE_REPLY]]);
    else o.silent(P0);
    o.onlyPorts(answers ? [P0] : []);
    o.drops(answers ? {} : { arp_sender_not_on_subnet: 2 });
    o.counters({
      'devices.SW1.nodes.arp-input.counters.arp_requests_received': 2,
      'devices.SW1.nodes.arp-input.counters.arp_replies_sent': answers ? 2 : 0,
      'devices.SW1.nodes.arp-input.counters.arp_entries_learned': secondary ? 1 : 0,
    });
  },
});

// ---------------------------------------------------------------- R1: the other families
//
//   VLAN 100 hosts (10.100.0.0/24) — et-0/0/0.100 [R1] et-0/0/1 — 10.1.0.0/24 + secondary 172.16.9.0/24,
//   the router GW 10.1.0.254 (static ARP) with 198.51.100.0/24 behind it; lo0 192.0.2.1.

const R1 = (ifd) => formatMac(derivedMac('R1', ifd));
const M0 = R1(P0);
const M1 = R1(P1);

function r1Scenario(profile, switches = '', unit100 = '') {
  return `# R1 of the ARP-by-profile cases (scripts/make-arp-profile-cases.mjs)
devices:
  R1:
    profile: ${profile}
    switches: { ${switches} }
    interfaces:
      et-0/0/0:
        vlan-tagging: true
        units:
          100: { vlan-id: 100, inet: [10.100.0.1/24]${unit100} }
      et-0/0/1: { inet: [10.1.0.1/24, 172.16.9.1/24], arp: { 10.1.0.254: "${GW}" } }
      lo0: { inet: [192.0.2.1/32] }
    routes:
      - { prefix: 198.51.100.0/24, next-hop: 10.1.0.254 }
`;
}

/** The same device as Junos text, with `extra` statements on unit 100 and under system. */
function r1Junos(unit100 = '', system = '') {
  return `/* R1 of the ARP-by-profile cases (scripts/make-arp-profile-cases.mjs) */
system { host-name R1;${system} }
interfaces {
  et-0/0/0 { vlan-tagging; unit 100 { vlan-id 100;${unit100} family inet { address 10.100.0.1/24; } } }
  et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.254 mac ${GW}; } address 172.16.9.1/24; } } }
  lo0 { unit 0 { family inet { address 192.0.2.1/32; } } }
}
routing-options { static { route 198.51.100.0/24 next-hop 10.1.0.254; } }
`;
}

const R1_RECORD = ['devices.R1.nodes.arp-input.counters'];
const yamlCase = (c) => ({ ...c, files: { 'scenario.yaml': c.scenario }, configFile: 'scenario.yaml', record: R1_RECORD });
const arpCounters = (o, want) => o.counters(Object.fromEntries(Object.entries(want).map(([k, v]) => [`devices.R1.nodes.arp-input.counters.${k}`, v])));

// arp-ignore: a host on et-0/0/1 asks for the device's addresses on unit 100, lo0, its own primary and its secondary.
const IGNORE_INPUT = [
  [0, req(P1, H, '10.1.0.7', '10.100.0.1')],
  [0.1, req(P1, H, '10.1.0.7', '192.0.2.1')],
  [0.2, req(P1, H, '10.1.0.7', '10.1.0.1')],
  [0.3, req(P1, H, '10.1.0.7', '172.16.9.1')],
];
const ignoreReply = (t, tpa) => [t, rep(P1, M1, tpa, H, '10.1.0.7')];
const IGNORE_DESC = 'A host on et-0/0/1 (10.1.0.7) ARPs for R1\'s 10.100.0.1 (unit 100), 192.0.2.1 (lo0), 10.1.0.1 (et-0/0/1) and 172.16.9.1 (et-0/0/1\'s secondary)';

// arp-filter: a request from a sender whose route leaves by another IFL.
const FILTER_INPUT = [[0, req(P1, H, '10.1.0.7', '10.1.0.1')], [0.1, req(P1, H, '10.100.0.9', '10.1.0.1')]];
const FILTER_DESC = 'Two requests for 10.1.0.1 on et-0/0/1: from 10.1.0.7 (routed back out et-0/0/1) and from 10.100.0.9 (routed out unit 100)';

// Proxy ARP: a host on VLAN 100 asks for an address behind GW, one on its own LAN, one with no route.
const PROXY_INPUT = [
  [0, req(P0, H, '10.100.0.7', '198.51.100.7')],
  [0.1, req(P0, H, '10.100.0.7', '10.100.0.20')],
  [0.2, req(P0, H, '10.100.0.7', '203.0.113.1')],
];
const proxyReply = (t, tpa) => [t, rep(P0, M0, tpa, H, '10.100.0.7')];
const PROXY_DESC = 'A host on VLAN 100 (10.100.0.7) ARPs for 198.51.100.7 (routed out et-0/0/1), 10.100.0.20 (its own LAN) and 203.0.113.1 (no route)';

// Gratuitous ARP: H learned; a gratuitous reply moves it to HNEW; a gratuitous request to HNEW2; an unknown host announces itself.
const fromCore = (t, dst, seq) => [t, ping4({ src: GW, dst: M1 }, { src: '198.51.100.7', dst, id: seq }, 1, seq)];
const toVlan = (mac, dst, seq) => ping4({ src: M0, dst: mac, vlans: [100] }, { src: '198.51.100.7', dst, id: seq, ttl: 63 }, 1, seq);
const GARP_INPUT = {
  [P0]: [
    [0, req(P0, H, '10.100.0.7', '10.100.0.1')],
    [1, arpFrame({ src: HNEW, dst: BCAST, vlans: [100] }, 2, HNEW, '10.100.0.7', BCAST, '10.100.0.7')],
    [1.5, req(P0, H8, '10.100.0.8', '10.100.0.8')],
    [3, req(P0, HNEW2, '10.100.0.7', '10.100.0.7')],
  ],
  [P1]: [fromCore(2, '10.100.0.7', 1), fromCore(2.1, '10.100.0.8', 2), fromCore(4, '10.100.0.7', 3)],
};
const GARP_DESC = 'H (10.100.0.7) is learned from its request for the SVI at 0 s; at 1 s a gratuitous reply says 10.100.0.7 is at :77, at 1.5 s an unknown 10.100.0.8 announces itself (gratuitous request), at 3 s a gratuitous request says 10.100.0.7 is at :78; pings from the core to 10.100.0.7 at 2 s and 4 s and to 10.100.0.8 at 2.1 s';

// Ageing: H learned at 0 s; pings from the core at 600, 1300, 1600 and 15000 s.
const AGING_INPUT = {
  [P0]: [[0, req(P0, H, '10.100.0.7', '10.100.0.1')]],
  [P1]: [fromCore(600, '10.100.0.7', 1), fromCore(1300, '10.100.0.7', 2), fromCore(1600, '10.100.0.7', 3), fromCore(15000, '10.100.0.7', 4)],
};
const AGING_DESC = 'H (10.100.0.7) is learned from its request for the SVI at 0 s and never heard from again; the core pings it at 600, 1300, 1600 and 15000 s';
const agingAnswer = [0, rep(P0, M0, '10.100.0.1', H, '10.100.0.7')];
const agingAsk = (t) => [t, ask(P0, M0, '10.100.0.1', '10.100.0.7')];
const agingPing = (t, seq) => [t, toVlan(H, '10.100.0.7', seq)];

export const CASES = [
  iveCase('ive-ios', 'ios', false, true, 'answered (as the Cisco 6500 did: IOS checks no sender subnet); not learned (the sender is on no subnet of the SVI)'),
  iveCase('ive-nxos', 'nxos', false, false, 'both dropped as arp_sender_not_on_subnet (the Nexus: "Source address mismatch with subnet"), nothing sent'),
  iveCase('ive-nxos-secondary', 'nxos', true, true, 'the secondary puts the sender on a subnet of the SVI: both answered, and the IVE learned'),
  iveCase('ive-junos', 'junos', false, false, 'both dropped as arp_sender_not_on_subnet (Junos: the source of an ARP request must be on the subnet of the interface it arrives on)'),
  iveCase('ive-linux', 'linux', false, true, 'answered (arp_ignore 0, no sender check)'),

  yamlCase({
    name: 'ignore-linux', scenario: r1Scenario('linux'), inputs: { [P1]: IGNORE_INPUT },
    description: `${IGNORE_DESC}; profile linux (arp_ignore 0): all four answered with et-0/0/1's MAC (any address of the device in the routing instance)`,
    intent(o) {
      o.sendsAt(P1, [ignoreReply(0, '10.100.0.1'), ignoreReply(0.1, '192.0.2.1'), ignoreReply(0.2, '10.1.0.1'), ignoreReply(0.3, '172.16.9.1')]);
      o.drops({});
    },
  }),
  yamlCase({
    name: 'ignore-junos', scenario: r1Scenario('junos'), inputs: { [P1]: IGNORE_INPUT },
    description: `${IGNORE_DESC}; profile junos (arp-ignore 1, proxy ARP off): only et-0/0/1's own addresses are answered, primary and secondary; the other two are dropped as arp_target_not_on_interface`,
    intent(o) {
      o.sendsAt(P1, [ignoreReply(0.2, '10.1.0.1'), ignoreReply(0.3, '172.16.9.1')]);
      o.drops({ arp_target_not_on_interface: 2 });
    },
  }),
  yamlCase({
    name: 'ignore-ios', scenario: r1Scenario('ios'), inputs: { [P1]: IGNORE_INPUT },
    description: `${IGNORE_DESC}; profile ios (arp-ignore 1, proxy ARP restricted): all four answered, the first two by proxy ARP (R1's other addresses are routed out other interfaces)`,
    intent(o) {
      o.sendsAt(P1, [ignoreReply(0, '10.100.0.1'), ignoreReply(0.1, '192.0.2.1'), ignoreReply(0.2, '10.1.0.1'), ignoreReply(0.3, '172.16.9.1')]);
      arpCounters(o, { arp_proxy_replies_sent: 2, arp_replies_sent: 4 });
      o.drops({});
    },
  }),
  yamlCase({
    name: 'ignore-linux-2', scenario: r1Scenario('linux', 'arp-ignore: 2'), inputs: { [P1]: IGNORE_INPUT },
    description: `${IGNORE_DESC}; profile linux with arp-ignore=2: only 10.1.0.1 is answered (on the IFL and the sender in its subnet); 172.16.9.1 is the IFL's but 10.1.0.7 is not in 172.16.9.0/24 (arp_sender_not_on_target_subnet); the other two are not the IFL's`,
    intent(o) {
      o.sendsAt(P1, [ignoreReply(0.2, '10.1.0.1')]);
      o.drops({ arp_target_not_on_interface: 2, arp_sender_not_on_target_subnet: 1 });
    },
  }),

  yamlCase({
    name: 'filter-linux', scenario: r1Scenario('linux'), inputs: { [P1]: FILTER_INPUT },
    description: `${FILTER_DESC}; profile linux (arp_filter 0): both answered`,
    intent(o) {
      o.sendsAt(P1, [[0, rep(P1, M1, '10.1.0.1', H, '10.1.0.7')], [0.1, rep(P1, M1, '10.1.0.1', H, '10.100.0.9')]]);
      o.drops({});
    },
  }),
  yamlCase({
    name: 'filter-linux-on', scenario: r1Scenario('linux', 'arp-filter: on'), inputs: { [P1]: FILTER_INPUT },
    description: `${FILTER_DESC}; profile linux with arp-filter=on: the second is dropped as arp_filtered (the route back to its sender does not leave by et-0/0/1)`,
    intent(o) {
      o.sendsAt(P1, [[0, rep(P1, M1, '10.1.0.1', H, '10.1.0.7')]]);
      o.drops({ arp_filtered: 1 });
    },
  }),

  yamlCase({
    name: 'proxy-ios', scenario: r1Scenario('ios'), inputs: { [P0]: PROXY_INPUT },
    description: `${PROXY_DESC}; profile ios (proxy ARP restricted by default): the first is answered with R1's MAC on et-0/0/0; the second is on the requester's own subnet (not proxied, counted); the third has no route`,
    intent(o) {
      o.sendsAt(P0, [proxyReply(0, '198.51.100.7')]);
      arpCounters(o, { arp_proxy_replies_sent: 1, arp_proxy_requests_not_proxied: 1, arp_entries_learned: 1 });
      o.drops({});
      o.accounting({ in: 3, generated: 1, out: 1, consumed: 3, dropped: 0 }); // a reply is the request converted: consumed, and generated
    },
  }),
  yamlCase({
    name: 'proxy-nxos', scenario: r1Scenario('nxos'), inputs: { [P0]: PROXY_INPUT },
    description: `${PROXY_DESC}; profile nxos (proxy ARP off): nothing answered, all three taken in`,
    intent(o) {
      o.silent(P0);
      o.accounting({ in: 3, generated: 0, out: 0, consumed: 3, dropped: 0 });
    },
  }),
  {
    name: 'proxy-junos-restricted', config: r1Junos(' proxy-arp restricted;'), inputs: { [P0]: PROXY_INPUT }, record: R1_RECORD,
    description: `${PROXY_DESC}; Junos with \`proxy-arp restricted\` on et-0/0/0.100 (off by default): as ios, the first only`,
    intent(o) {
      o.sendsAt(P0, [proxyReply(0, '198.51.100.7')]);
      arpCounters(o, { arp_proxy_replies_sent: 1, arp_proxy_requests_not_proxied: 1 });
    },
  },
  {
    name: 'proxy-junos-unrestricted', config: r1Junos(' proxy-arp unrestricted;'), inputs: { [P0]: PROXY_INPUT }, record: R1_RECORD,
    description: `${PROXY_DESC}; Junos with \`proxy-arp unrestricted\` on et-0/0/0.100: the first two answered (unrestricted answers for any target with a route, its own LAN included), the third not (no route)`,
    intent(o) {
      o.sendsAt(P0, [proxyReply(0, '198.51.100.7'), proxyReply(0.1, '10.100.0.20')]);
      arpCounters(o, { arp_proxy_replies_sent: 2, arp_proxy_requests_not_proxied: 0 });
    },
  },

  yamlCase({
    name: 'garp-junos', scenario: r1Scenario('junos'), inputs: GARP_INPUT,
    description: `${GARP_DESC}; profile junos (gratuitous-arp-reply off, arp-garp-learn off): the gratuitous reply changes nothing (the ping at 2 s goes to :07), the request does (4 s: :78); 10.100.0.8 is not learned (R1 ARPs for it, unanswered)`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, [2, toVlan(H, '10.100.0.7', 1)], [2.1, ask(P0, M0, '10.100.0.1', '10.100.0.8')], [4, toVlan(HNEW2, '10.100.0.7', 3)]]);
      arpCounters(o, { arp_garp_received: 3, arp_garp_updated: 1, arp_garp_ignored: 2, arp_garp_learned: 0 });
      o.drops({ arp_resolution_failed: 1 });
    },
  }),
  yamlCase({
    name: 'garp-linux', scenario: r1Scenario('linux'), inputs: GARP_INPUT,
    description: `${GARP_DESC}; profile linux (arp_accept 0): both the gratuitous reply (2 s: :77) and request (4 s: :78) update the entry; 10.100.0.8 is not learned`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, [2, toVlan(HNEW, '10.100.0.7', 1)], [2.1, ask(P0, M0, '10.100.0.1', '10.100.0.8')], [4, toVlan(HNEW2, '10.100.0.7', 3)]]);
      arpCounters(o, { arp_garp_received: 3, arp_garp_updated: 2, arp_garp_ignored: 1, arp_garp_learned: 0 });
      o.drops({ arp_resolution_failed: 1 });
    },
  }),
  yamlCase({
    name: 'garp-linux-accept', scenario: r1Scenario('linux', 'arp-garp-learn: on'), inputs: GARP_INPUT,
    description: `${GARP_DESC}; profile linux with arp-garp-learn=on (arp_accept 1): as garp-linux, and 10.100.0.8 is learned from its announcement: the ping to it leaves without ARP`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, [2, toVlan(HNEW, '10.100.0.7', 1)], [2.1, toVlan(H8, '10.100.0.8', 2)], [4, toVlan(HNEW2, '10.100.0.7', 3)]]);
      arpCounters(o, { arp_garp_received: 3, arp_garp_updated: 2, arp_garp_learned: 1, arp_garp_ignored: 0 });
      o.drops({});
    },
  }),

  yamlCase({
    name: 'aging-junos', scenario: r1Scenario('junos'), inputs: AGING_INPUT,
    description: `${AGING_DESC}; profile junos (20 minutes): the ping at 600 s leaves at once; by 1300 s the entry has aged out, so R1 ARPs again (once a second while packets come: one packet, one request), unanswered; at 1600 s and 15000 s the same`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, agingPing(600, 1), agingAsk(1300), agingAsk(1600), agingAsk(15000)]);
      arpCounters(o, { arp_entries_aged: 1 });
      o.drops({ arp_resolution_failed: 3 });
    },
  }),
  yamlCase({
    name: 'aging-nxos', scenario: r1Scenario('nxos'), inputs: AGING_INPUT,
    description: `${AGING_DESC}; profile nxos (1500 s): the pings at 600 and 1300 s leave at once; by 1600 s the entry has aged out and R1 ARPs again`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, agingPing(600, 1), agingPing(1300, 2), agingAsk(1600), agingAsk(15000)]);
      arpCounters(o, { arp_entries_aged: 1 });
      o.drops({ arp_resolution_failed: 2 });
    },
  }),
  yamlCase({
    name: 'aging-ios', scenario: r1Scenario('ios'), inputs: AGING_INPUT,
    description: `${AGING_DESC}; profile ios (4 hours): the entry lives through 1600 s (three pings leave at once) and has aged out by 15000 s`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, agingPing(600, 1), agingPing(1300, 2), agingPing(1600, 3), agingAsk(15000)]);
      arpCounters(o, { arp_entries_aged: 1 });
      o.drops({ arp_resolution_failed: 1 });
    },
  }),
  yamlCase({
    name: 'aging-linux', scenario: r1Scenario('linux'), inputs: AGING_INPUT,
    description: `${AGING_DESC}; profile linux (modelled without ageing: a small table keeps its stale entries): all four leave at once`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, agingPing(600, 1), agingPing(1300, 2), agingPing(1600, 3), agingPing(15000, 4)]);
      arpCounters(o, { arp_entries_aged: 0 });
      o.drops({});
    },
  }),
  {
    name: 'aging-junos-timer', config: r1Junos('', ' arp { aging-timer 5; }'), inputs: AGING_INPUT, record: R1_RECORD,
    description: `${AGING_DESC}; Junos with \`system arp aging-timer 5\`: five minutes, so the entry has aged out by the first ping (600 s) already`,
    intent(o) {
      o.sendsAt(P0, [agingAnswer, agingAsk(600), agingAsk(1300), agingAsk(1600), agingAsk(15000)]);
      o.drops({ arp_resolution_failed: 4 });
    },
  },
];

if (isMain(import.meta.url)) writePcap(join(EXAMPLE_DIR, 'in-et-0_0_0.pcap'), IVE_INPUT);
main(import.meta.url, AREA, GENERATOR, CASES);
