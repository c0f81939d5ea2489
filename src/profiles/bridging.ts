// How a device learns MAC+IP bindings and suppresses ARP/ND: the rules in
// which implementations differ, and which users compare (README, "ARP/ND
// suppression"). One row per profile; issue 8's profiles extend this table.

export interface BridgingProfile {
  /**
   * MAC+IP bindings are learned by snooping ARP (sender IP and MAC) and ND
   * (NS source + SLLA, NA target + TLLA) on access ports. Junos: "the device
   * learns MAC+IP bindings by snooping ARP and NDP packets" (EVPN proxy ARP
   * and ARP suppression, Junos EVPN user guide).
   */
  snoopArpNd: boolean;
  /**
   * MAC+IP bindings come from IP packets the bridge domain's IRB (Linux: the
   * VNet's SVI) receives: the kernel neighbour table, which FRR's zebra turns
   * into type-2 MAC+IP routes. ARP packets are not IP and teach nothing
   * (Proxmox VE, "EVPN ARP/ND suppression": ARP between guests is flooded
   * until a guest talks IP to the gateway).
   */
  learnFromIrbIp: boolean;
  /** IPv6 link-local bindings are learned only when the IRB has family inet6 (the bridge interface has IPv6 on). */
  linkLocalNeedsInet6: boolean;
  /**
   * A domain without an IRB address suppresses nothing: no subnet/gateway on
   * the VNet, no neighbour entries, no MAC+IP routes (Proxmox VE).
   */
  suppressNeedsGateway: boolean;
}

const JUNOS: BridgingProfile = { snoopArpNd: true, learnFromIrbIp: false, linkLocalNeedsInet6: false, suppressNeedsGateway: false };
const LINUX_FRR: BridgingProfile = { snoopArpNd: false, learnFromIrbIp: true, linkLocalNeedsInet6: true, suppressNeedsGateway: true };

/** The bridging rules of a profile (profiles without rules of their own bridge as Junos does). */
export function bridgingProfile(profile: string): BridgingProfile {
  return profile === 'linux-frr' ? LINUX_FRR : JUNOS;
}
