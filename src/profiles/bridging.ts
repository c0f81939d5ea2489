// How a device learns MAC+IP bindings and suppresses ARP/ND: the rules in
// which EVPN implementations differ (README, "ARP/ND suppression").

import type { Behaviour, SwitchDef } from './switch.js';

const JUNOS_EVPN = 'Junos EVPN user guide, "EVPN proxy ARP and ARP suppression": the device learns MAC+IP bindings by snooping ARP and NDP packets';
const PROXMOX = 'Proxmox VE SDN, "EVPN ARP/ND suppression": bindings are the SVI\'s kernel neighbour entries, which FRR\'s zebra advertises as type-2 MAC+IP routes';

export const BRIDGING_SWITCHES: SwitchDef[] = [
  {
    name: 'evpn-snoop-arp-nd',
    type: { kind: 'bool' },
    defaults: { junos: true, ios: true, nxos: true, linux: false, 'linux-frr': false },
    what: 'MAC+IP bindings are learned by snooping ARP (sender IP and MAC) and ND (NS source + SLLA, NA target + TLLA) on access ports.',
    evidence: `${JUNOS_EVPN}; NX-OS and IOS XE EVPN ARP suppression snoop ARP likewise. Linux: ${PROXMOX}.`,
  },
  {
    name: 'evpn-learn-from-irb-ip',
    type: { kind: 'bool' },
    defaults: { junos: false, ios: false, nxos: false, linux: true, 'linux-frr': true },
    what: "MAC+IP bindings come from IP packets the domain's IRB (Linux: the VNet's SVI) takes in; ARP packets are not IP and teach nothing.",
    evidence: `${PROXMOX}: ARP between guests is flooded until a guest talks IP to the gateway. Junos: ${JUNOS_EVPN}.`,
  },
  {
    name: 'evpn-link-local-needs-inet6',
    type: { kind: 'bool' },
    defaults: { junos: false, ios: false, nxos: false, linux: true, 'linux-frr': true },
    what: 'IPv6 link-local bindings are learned only when the IRB has family inet6 (the bridge interface has IPv6 on).',
    evidence: 'Linux: a bridge with IPv6 disabled keeps no IPv6 neighbour entries (ip-sysctl.txt, disable_ipv6). Junos snoops NDP whatever the IRB carries.',
  },
  {
    name: 'evpn-suppress-needs-gateway',
    type: { kind: 'bool' },
    defaults: { junos: false, ios: false, nxos: false, linux: true, 'linux-frr': true },
    what: 'A domain without an IRB address suppresses nothing (no subnet on the VNet: no neighbour entries, no MAC+IP routes).',
    evidence: `${PROXMOX}. Junos suppresses in any EVPN domain (${JUNOS_EVPN}).`,
  },
];

/** The bridging rules of a device, read from its behaviour once. */
export interface BridgingProfile {
  snoopArpNd: boolean;
  learnFromIrbIp: boolean;
  linkLocalNeedsInet6: boolean;
  suppressNeedsGateway: boolean;
}

export function bridgingProfile(b: Behaviour): BridgingProfile {
  return {
    snoopArpNd: b.bool('evpn-snoop-arp-nd'),
    learnFromIrbIp: b.bool('evpn-learn-from-irb-ip'),
    linkLocalNeedsInet6: b.bool('evpn-link-local-needs-inet6'),
    suppressNeedsGateway: b.bool('evpn-suppress-needs-gateway'),
  };
}
