// How a device answers and learns from ARP: the rules in which Junos, IOS,
// NX-OS and Linux differ (README, "ARP behaviour by profile"). The seed:
// "IVE ARP'd on for too long" (netquirks.co.uk, 2019-01-14): a Cisco 6500
// answered a shared-IVS host's ARP from another subnet, the Nexus that
// replaced it did not, until a /31 secondary covered the host's address.

import type { Behaviour, SwitchDef } from './switch.js';

const LINUX_SYSCTL = 'Linux Documentation/networking/ip-sysctl.rst';
const JUNOS_PROXY = 'Junos "Restricted and Unrestricted Proxy ARP Overview" (Network Interfaces guide; the 9.4 "Unrestricted Proxy ARP Overview")';
const NXOS_ARP_STATS = 'NX-OS `show ip arp statistics`, received drops "Source address mismatch with subnet" (as parsed by CiscoTestAutomation/genieparser src/genie/libs/parser/nxos/show_arp.py)';

export const PROXY_ARP_MODES = ['off', 'restricted', 'unrestricted'] as const;
export type ProxyArpMode = (typeof PROXY_ARP_MODES)[number];

export const ARP_SWITCHES: SwitchDef[] = [
  {
    name: 'arp-ignore',
    type: { kind: 'int', min: 0, max: 2 },
    defaults: { junos: 1, ios: 1, nxos: 1, linux: 0, 'linux-frr': 0 },
    what: "Which requests for the device's own addresses are answered, as Linux arp_ignore: 0, any address of the device in the receiving IFL's routing instance; 1, only an address of the receiving IFL (primary or secondary); 2, as 1 and the sender must be in that address's subnet.",
    evidence: `${LINUX_SYSCTL}, arp_ignore: 0 (default) replies for a local address configured on any interface, 1 only for one on the incoming interface, 2 also needs the sender in that address's subnet. Junos: ${JUNOS_PROXY}, and the proxy-arp statement's Default: without proxy ARP the device answers only for a destination address local to the incoming interface. IOS and NX-OS answer for another interface's address only by proxy ARP (switch proxy-arp).`,
  },
  {
    name: 'arp-sender-check',
    type: { kind: 'enum', values: ['none', 'interface-subnets'] },
    defaults: { junos: 'interface-subnets', ios: 'none', nxos: 'interface-subnets', linux: 'none', 'linux-frr': 'none' },
    what: 'interface-subnets: a request whose sender IP is outside every subnet (primary or secondary) of the receiving IFL is dropped as arp_sender_not_on_subnet; none: the sender address is not checked.',
    evidence: `NX-OS: ${NXOS_ARP_STATS}; the seed's Nexus stayed silent to the IVE's off-subnet sender until a /31 secondary covered it. IOS: the seed's Cisco 6500 answered it. Junos: ${JUNOS_PROXY} and EX "Understanding Proxy ARP on EX Series Switches" (note): for security reasons the source address of an ARP request must be on the subnet of the interface it is received on. Linux: no sender subnet check (${LINUX_SYSCTL}: only arp_ignore=2 compares the sender).`,
  },
  {
    name: 'arp-filter',
    type: { kind: 'bool' },
    defaults: { junos: false, ios: false, nxos: false, linux: false, 'linux-frr': false },
    what: "A request for a local address is answered only when the route back to the sender leaves by the receiving IFL (a FIB lookup of the sender in the IFL's table); else dropped as arp_filtered.",
    evidence: `${LINUX_SYSCTL}, arp_filter: 1 answers a request on an interface only if the kernel would route a packet to the sender out of that interface; 0 is the default. No such check is documented for Junos, IOS or NX-OS.`,
  },
  {
    name: 'proxy-arp',
    type: { kind: 'enum', values: PROXY_ARP_MODES },
    defaults: { junos: 'off', ios: 'restricted', nxos: 'off', linux: 'off', 'linux-frr': 'off' },
    what: "Proxy ARP on every IFL without its own setting (Junos `unit N proxy-arp`, YAML `proxy-arp:`): restricted answers, with the receiving port's MAC, for a target routed out a different IFL and not in a subnet shared with the sender; unrestricted for any target with a route.",
    evidence: `${JUNOS_PROXY} and the proxy-arp statement (interfaces unit): off by default; restricted answers only when source and target are on different physical networks, not in one subnet, with a route to the target; unrestricted answers for any local or remote target it has a route to; a bare \`proxy-arp\` is unrestricted (EX). IOS: a default \`show ip interface\` says Proxy ARP is enabled, Local Proxy ARP disabled (Catalyst 3550 software configuration guide, "Proxy ARP"): it answers for hosts routed through another interface. NX-OS: the NX-API REST SDK's ARP interface defaults have proxyArp disabled ("Configuring ARP"). Linux: ${LINUX_SYSCTL}, proxy_arp (default 0); when on, the kernel answers only for targets routed out another device.`,
  },
  {
    name: 'arp-garp-update',
    type: { kind: 'enum', values: ['none', 'requests', 'requests-and-replies'] },
    defaults: { junos: 'requests', ios: 'requests-and-replies', nxos: 'requests-and-replies', linux: 'requests-and-replies', 'linux-frr': 'requests-and-replies' },
    what: 'Which gratuitous ARPs (sender IP = target IP) update an existing entry with their sender MAC; the others are taken in and change nothing (counted arp_garp_ignored). The device never answers one.',
    evidence: 'Junos `gratuitous-arp-reply` (interfaces) and "Configuring Gratuitous ARP": updating the ARP cache from gratuitous ARP replies is off by default on Ethernet interfaces; requests update a known sender, as RFC 826 merges any sender already in the table. NX-OS: the NX-API REST SDK\'s ARP interface defaults have gratuitousUpdate enabled ("Configuring ARP"). Linux: a known neighbour is updated from any ARP, a gratuitous one overriding locktime (net/ipv4/arp.c). IOS: no default documented beyond the RFC 826 merge.',
  },
  {
    name: 'arp-garp-learn',
    type: { kind: 'bool' },
    defaults: { junos: false, ios: false, nxos: false, linux: false, 'linux-frr': false },
    what: "A gratuitous ARP from an unknown sender on one of the receiving IFL's subnets creates an entry (Linux arp_accept=1).",
    evidence: `${LINUX_SYSCTL}, arp_accept: 0 (default) creates no new entry from a gratuitous ARP, 1 does. RFC 826 creates entries only from requests addressed to the device; Junos creates none from gratuitous replies (gratuitous-arp-reply, off by default); no creating default is documented for IOS or NX-OS.`,
  },
  {
    name: 'arp-cache-timeout',
    type: { kind: 'int', min: 0, max: 86400 },
    defaults: { junos: 1200, ios: 14400, nxos: 1500, linux: 0, 'linux-frr': 0 },
    what: 'Seconds a dynamic ARP entry lives without being confirmed by an ARP from its owner; then it is removed (counted arp_entries_aged) and the next packet to it ARPs again. 0: entries never age out. Junos `system arp aging-timer MINUTES` overrides it.',
    evidence: 'Junos `arp` (system) statement: aging-timer in minutes, default 20, range 1 to 240. IOS `arp timeout` (Cisco IOS in a Nutshell): default 14400 seconds, 4 hours. NX-OS: the NX-API REST SDK\'s global and interface ARP timeout defaults are 1500 s (Nexus 3000/9000, "Configuring ARP"). Linux: a neighbour is REACHABLE for base_reachable_time (30 s, randomised), then STALE, still used and re-validated by unicast probes; stale entries are garbage-collected only above gc_thresh1 (128) entries, so a small table keeps them: modelled as 0 (no ageing) rather than a made-up time.',
  },
];

/** The ARP rules of a device, read from its behaviour once (arp-input's constructor). */
export interface ArpProfile {
  ignore: number;
  senderCheck: boolean;
  filter: boolean;
  proxy: ProxyArpMode;
  garpUpdateRequests: boolean;
  garpUpdateReplies: boolean;
  garpLearn: boolean;
  cacheTimeoutSec: number;
}

export function arpProfile(b: Behaviour): ArpProfile {
  const garp = b.choice('arp-garp-update');
  return {
    ignore: b.int('arp-ignore'),
    senderCheck: b.choice('arp-sender-check') === 'interface-subnets',
    filter: b.bool('arp-filter'),
    proxy: b.choice('proxy-arp') as ProxyArpMode,
    garpUpdateRequests: garp !== 'none',
    garpUpdateReplies: garp === 'requests-and-replies',
    garpLearn: b.bool('arp-garp-learn'),
    cacheTimeoutSec: b.int('arp-cache-timeout'),
  };
}
