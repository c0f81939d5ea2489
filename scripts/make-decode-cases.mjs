// Writes the read-only decode cases under pcaps/third-party/: one case.yaml
// each (kind: decode), naming a capture in ../shared/pcaps (tcpdump, zeek,
// suricata-verify; see ../shared/pcaps/SOURCES.md), the output another tool
// printed for it, and that output's format. No pcap is copied: the captures
// stay outside the repository, and a case whose capture is absent is skipped
// when run. Each case is run after writing and must pass where its capture is
// present (src/cases/decode-case.ts compares).
//
//   npm run cases                       (all generators)
//   node scripts/make-decode-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCase } from '../dist/cases/case.js';
import { formatFailures, runCase } from '../dist/cases/run-case.js';
import { isMain, PCAPS } from './cases-lib.mjs';

const AREA = 'third-party';
const GENERATOR = 'scripts/make-decode-cases.mjs';
/** ../shared/pcaps as seen from pcaps/third-party/<case>/. */
const SHARED = '../../../../shared/pcaps';

const tcpdump = (name, pcap, out, args, description) => ({
  name: `tcpdump-${name}`, description, capture: `tcpdump/${pcap}`, expected: `tcpdump/${out}`, format: 'tcpdump',
  args: `tcpdump -# -n -tttt -r ${pcap}${args ? ` ${args}` : ''}`,
});
const zeekEvents = (name, pcap, description) => ({
  name: `zeek-${name}`, description, capture: `zeek/${pcap}`, expected: 'zeek/Baseline_core.icmp.icmp6-events_output', format: 'zeek-icmp6-events',
  args: 'zeek btest core.icmp.icmp6-events (its baseline covers several captures)',
});
const suricata = (name, pcap, description) => ({
  name: `suricata-${name}`, description, capture: pcap.includes('/') ? pcap : `suricata-verify/${pcap}`, expected: `suricata-verify/${name}_test.yaml`,
  format: 'suricata-checks', args: `suricata-verify tests/${name}`,
});

export const CASES = [
  tcpdump('vxlan', 'vxlan.pcap', 'vxlan.out', '-e', 'VXLAN (UDP 4789, VNI 100) carrying ICMP echo and ARP: MACs, addresses, ports, VNI, ARP and ICMP agree with tcpdump'),
  tcpdump('vxlan-port-8472', 'vxlan_port_8472.pcap', 'vxlan_port_8472.out', '-e', 'The same VXLAN traffic on the Linux legacy port 8472'),
  tcpdump('gso-ipv4-vxlan-ipv4', 'gso-ipv4-vxlan-ipv4.pcap', 'gso-ipv4-vxlan-ipv4.out', '-v', 'Outer IPv4 / VXLAN / inner IPv4 TCP (a large GSO frame)'),
  tcpdump('gso-ipv4-vxlan-ipv6', 'gso-ipv4-vxlan-ipv6.pcap', 'gso-ipv4-vxlan-ipv6.out', '-v', 'Outer IPv4 / VXLAN / inner IPv6 TCP'),
  tcpdump('gso-ipv6-vxlan-ipv4', 'gso-ipv6-vxlan-ipv4.pcap', 'gso-ipv6-vxlan-ipv4.out', '-v', 'Outer IPv6 / VXLAN / inner IPv4'),
  tcpdump('gso-ipv6-vxlan-ipv6', 'gso-ipv6-vxlan-ipv6.pcap', 'gso-ipv6-vxlan-ipv6.out', '-v', 'Outer IPv6 / VXLAN / inner IPv6'),
  tcpdump('esp0', '02-sunrise-sunset-esp.pcap', 'esp0.out', '', 'ESP, SPI 0x12345678, sequence numbers 1..8 (not decrypted)'),
  tcpdump('espudp1', 'espudp1.pcap', 'espudp1.out', '-E "file esp-secrets.txt"', 'NAT-T ESP in UDP 4500: SPI and sequence numbers (triode does not decrypt 3DES/AES-CBC; tcpdump\'s decrypted inner packets are not printed here)'),
  tcpdump('esp-truncated', 'esp_truncated.pcap', 'esp_truncated.out', '', 'A truncated UDP-encapsulated ESP packet: read and marked, not thrown on'),
  tcpdump('isakmp4500', 'isakmp4500.pcap', 'isakmp4.out', '-E "file esp-secrets.txt"', 'IKE on UDP 4500, UDP-encapsulated ESP and ARP'),
  tcpdump('arp-too-long-tha', 'arp-too-long-tha.pcap', 'arp-too-long-tha.out', '-v', 'ARP in an 802.1ad frame with an over-long hardware address length'),
  tcpdump('icmpv6', 'icmpv6.pcap', 'icmpv6.out', '-vv', 'Router advertisements with prefix, RDNSS, DNSSL, MTU and source link-layer options; MLDv2'),
  tcpdump('icmpv6-ns-nonce-v0', 'icmpv6-ns-nonce.pcap', 'icmpv6-ns-nonce-v0.out', '', 'A DAD neighbour solicitation (from ::) with a nonce option'),
  tcpdump('icmpv6-ns-nonce-v1', 'icmpv6-ns-nonce.pcap', 'icmpv6-ns-nonce-v1.out', '-v', 'The DAD neighbour solicitation, tcpdump -v'),
  tcpdump('icmpv6-ns-nonce-v2', 'icmpv6-ns-nonce.pcap', 'icmpv6-ns-nonce-v2.out', '-vv', 'The DAD neighbour solicitation, tcpdump -vv'),
  tcpdump('icmpv6-ra-pref64-v1', 'icmpv6-ra-pref64.pcap', 'icmpv6-ra-pref64-v1.out', '-v', 'Router advertisements with the PREF64 option (one with an invalid prefix length code)'),
  tcpdump('icmpv6-ra-pref64-v2', 'icmpv6-ra-pref64.pcap', 'icmpv6-ra-pref64-v2.out', '-vv', 'The PREF64 router advertisements, tcpdump -vv'),
  tcpdump('icmpv6-opt24', 'icmpv6_opt24.pcap', 'icmpv6_opt24-v.out', '-v', 'Router advertisements with the route information option (type 24)'),
  {
    name: 'zeek-ipv6-esp', description: '120 ESP packets in IPv6: addresses, hop limit, payload length, SPI and sequence number of each agree with zeek',
    capture: 'zeek/ip6_esp.pcap', expected: 'zeek/Baseline_core.ipv6_esp_output', format: 'zeek-ipv6-esp', args: 'zeek btest core.ipv6_esp',
  },
  zeekEvents('icmp6-neighbor-solicit', 'icmp_icmp6-neighbor-solicit.pcap', 'A neighbour solicitation: type, addresses, hop limit and target agree with zeek\'s event'),
  zeekEvents('icmp6-neighbor-advert', 'icmp_icmp6-neighbor-advert.pcap', 'A neighbour advertisement: target and the router / solicited / override flags agree with zeek\'s event'),
  zeekEvents('icmp6-router-solicit', 'icmp_icmp6-router-solicit.pcap', 'A router solicitation agrees with zeek\'s event'),
  zeekEvents('icmp6-router-advert', 'icmp_icmp6-router-advert.pcap', 'A router advertisement agrees with zeek\'s event'),
  zeekEvents('icmp6-redirect', 'icmp_icmp6-redirect.pcap', 'A redirect: target and destination agree with zeek\'s event'),
  {
    name: 'zeek-icmp6-nd-options', description: '20 ND messages: every NA and RA that carries options agrees with zeek on each option\'s type, length, link-layer address, MTU and prefix',
    capture: 'zeek/icmp_icmp6-nd-options.pcap', expected: 'zeek/Baseline_core.icmp.icmp6-nd-options_output', format: 'zeek-icmp6-nd-options',
    args: 'zeek btest core.icmp.icmp6-nd-options (its baseline covers several captures)',
  },
  {
    name: 'zeek-tunnels-vxlan', description: 'VXLAN (VNI 123) with ARP and ICMP inside: every connection zeek logged (outer UDP to 4789 as service vxlan, the inner ICMP with its tunnel parents), packets and IP bytes each way, and no other',
    capture: 'zeek/tunnels_vxlan.pcap', expected: 'zeek/Baseline_core.tunnels.vxlan_conn.log', format: 'zeek-conn-log', args: 'zeek btest core.tunnels.vxlan (conn.log)',
  },
  suricata('decode-arp-1', 'decode-arp-1_input.pcap', 'One ARP frame: suricata\'s ethernet and ARP decoder counts'),
  suricata('decode-arp-2', 'decode-arp-2_arp.pcap', 'Four ARP frames among ICMP: suricata\'s ARP events (opcode, addresses, frame numbers)'),
  suricata('decode-arp-3', 'decode-arp-3_arp-encap.pcap', 'ARP over GRE over 802.1Q: suricata\'s ARP event'),
  suricata('eve-flow-esp', 'eve-flow-esp_input.pcap', 'ESP flows told apart by SPI (IPv4 and IPv6): suricata\'s flow events, two packets each'),
  suricata('vxlan-decoder-01', 'vxlan-decoder-01_input.pcap', 'VXLAN (VNI 37) with DNS inside, and a UDP flow beside it: suricata\'s flows'),
  suricata('vxlan-decoder-02', 'tcpdump/vxlan.pcap', 'tcpdump\'s vxlan.pcap as suricata reads it: one ICMP flow (4 packets each way) inside, 4 outer flows to port 4789'),
  suricata('vxlan-decoder-07-arp', 'tcpdump/vxlan.pcap', 'ARP over VXLAN in tcpdump\'s vxlan.pcap: suricata\'s 2 ARP events and the flows'),
  suricata('vxlan-decoder-03', 'vxlan-decoder-03_vxlan.pcap', 'An AWS traffic mirror (VXLAN, one way): suricata\'s flows to port 4789'),
  suricata('vxlan-non-zero-reserved-fields', 'vxlan-non-zero-reserved-fields_input.pcap', 'VXLAN whose reserved bits are set (ignored on receipt, RFC 7348): the inner TCP flow, the outer flow and suricata\'s VXLAN decoder count'),
];

function caseYaml(c) {
  return [
    `# Generated by ${GENERATOR}: do not edit; regenerate with \`npm run cases\`. The capture is third-party (../shared/pcaps/SOURCES.md).`,
    'kind: decode',
    `description: ${JSON.stringify(c.description)}`,
    `capture: ${SHARED}/${c.capture}`,
    `expected_decode: ${SHARED}/${c.expected}`,
    `format: ${c.format}`,
    `tool_args: ${JSON.stringify(c.args)}`,
    '',
  ].join('\n');
}

export function generateDecodeCases(filter) {
  const root = join(PCAPS, AREA);
  const names = new Set(CASES.map((c) => c.name));
  assert.equal(names.size, CASES.length, 'case names are unique');
  mkdirSync(root, { recursive: true });
  if (!filter) for (const d of readdirSync(root)) if (!names.has(d) && existsSync(join(root, d, 'case.yaml'))) rmSync(join(root, d), { recursive: true });
  let failed = 0;
  for (const c of CASES) {
    if (filter && !c.name.includes(filter)) continue;
    const dir = join(root, c.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'case.yaml'), caseYaml(c));
    const o = runCase(loadCase(dir, c.name));
    const label = `${AREA}/${c.name}`.padEnd(46);
    if (o.skipped) console.log(`${label} written, not checked: ${o.skipped}`);
    else if (o.passed) console.log(`${label} agrees${o.notes ? ` (${o.notes.length} check(s) not compared)` : ''}`);
    else {
      failed++;
      console.error(`${label} DOES NOT AGREE:\n${formatFailures(o)}`);
    }
  }
  return failed;
}

if (isMain(import.meta.url)) {
  const failed = generateDecodeCases(process.argv[2]);
  if (failed) {
    console.error(`${failed} decode case(s) do not agree`);
    process.exit(1);
  }
}
