// The one typed device model. Junos text and the YAML scenario are front ends
// that build it; the dataplane is built from it and never sees syntax.

import type { SwitchSetting } from '../profiles/switch.js';
import type { BgpPath } from '../bgp/path.js';

/** Where a statement came from, for error messages (1-based line and column). */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

export type Family = 'inet' | 'inet6';

export interface InterfaceAddress {
  /** Address text as configured, without the prefix length: "10.0.0.1", "2001:db8::1". */
  address: string;
  prefixLength: number;
  /** Junos `primary` / `preferred` flags; the first address is primary when none is marked. */
  primary: boolean;
  preferred: boolean;
  loc?: SourceLoc;
}

export interface StaticNeighbor {
  /** IPv4 address (family inet `arp`) or IPv6 address (family inet6 `ndp`). */
  ip: string;
  mac: string; // "aa:bb:cc:dd:ee:ff"
  /** Junos `arp <ip> mac <mac> publish`: also answer ARP requests for this IP (proxy). */
  publish?: boolean;
  loc?: SourceLoc;
}

export interface FamilyConfig {
  addresses: InterfaceAddress[];
  /** Family MTU (Junos `family inet mtu`): the largest L3 packet sent on this IFL. */
  mtu?: number;
  neighbors: StaticNeighbor[];
}

/** A logical interface (Junos unit). Its name is `<ifd>.<unit>`. */
export interface Ifl {
  name: string;
  unit: number;
  description?: string;
  /** 802.1Q tag; with `vlanIdInner` the pair is a QinQ (`vlan-tags outer N inner M`). */
  vlanId?: number;
  vlanIdInner?: number;
  encapsulation?: string;
  inet?: FamilyConfig;
  inet6?: FamilyConfig;
  /**
   * Junos `service-domain inside|outside` on a service IFL (si-F/P/N.U): the
   * side of a next-hop service set it stands for (inside: clear traffic routed
   * in to be encrypted; outside: the ESP side).
   */
  serviceDomain?: ServiceDomain;
  /** `tunnel { ... }` on a gr- unit: a GRE tunnel (see GreTunnel). */
  tunnel?: GreTunnel;
  /** `family mpls`: the IFL takes and sends labelled packets (when also listed under `protocols mpls`). */
  mpls?: { loc?: SourceLoc };
  /**
   * A bridged (layer-2) unit: `encapsulation vlan-bridge` (or `family bridge` /
   * `family ethernet-switching`). Its frames are switched in the bridge domain
   * that lists it, not routed; it has no inet/inet6.
   */
  bridged?: boolean;
  /** On an irb unit: the anycast gateway (`virtual-gateway-address` on its addresses, the MACs and accept-data). */
  virtualGateway?: VirtualGateway;
  /** Junos `proxy-arp [restricted|unrestricted]` on the unit, YAML `proxy-arp:`; absent: the profile's switch proxy-arp. */
  proxyArp?: 'off' | 'restricted' | 'unrestricted';
  /** VRRP groups on the unit's addresses (`vrrp-group` / `vrrp-inet6-group`), in configuration order. */
  vrrp?: VrrpGroup[];
  loc?: SourceLoc;
}

/**
 * A VRRP group (RFC 3768 / 5798) on one of an IFL's addresses: Junos
 * `family inet address A/L { vrrp-group G { ... } }` or
 * `family inet6 address A/L { vrrp-inet6-group G { ... } }`.
 */
export interface VrrpGroup {
  family: Family;
  /** The group (VRID), 0..255 as Junos takes it: the virtual MAC's last byte. */
  group: number;
  /** The interface address (no length) the group is configured under, and its prefix length. */
  address: string;
  prefixLength: number;
  /** `virtual-address` / `virtual-inet6-address`: one or more, in the address's subnet. */
  virtualAddresses: string[];
  /** inet6 `virtual-link-local-address` (default: fe80::200:5eff:fe00:2NN, the virtual MAC's EUI-64). */
  virtualLinkLocal?: string;
  /** `priority N` (1..255, default 100); 255 is the address owner's (a virtual address equal to the interface address). */
  priority?: number;
  /** False with `no-preempt` (default: preempt). */
  preempt: boolean;
  /** `accept-data`: a master that is not the owner answers packets to the virtual addresses (default: no-accept-data). */
  acceptData: boolean;
  /** Advertisement interval in ms: `advertise-interval S` (inet), `inet6-advertise-interval MS`, `fast-interval MS`; default 1000. */
  advertiseIntervalMs?: number;
  loc?: SourceLoc;
}

/**
 * The anycast gateway of an irb unit (Junos EVPN `virtual-gateway-address`):
 * every PE of the domain answers ARP/ND for these addresses with the same MAC.
 */
export interface VirtualGateway {
  /** `family inet address A/L { virtual-gateway-address V; }`: the V of each address. */
  v4: string[];
  /** `family inet6 address A/L { virtual-gateway-address V; }`. */
  v6: string[];
  /** `virtual-gateway-v4-mac M` (default 00:00:5e:00:01:01). */
  v4Mac?: string;
  /** `virtual-gateway-v6-mac M` (default 00:00:5e:00:02:01). */
  v6Mac?: string;
  /** `virtual-gateway-accept-data`: the gateway addresses answer pings (else packets to them are dropped). */
  acceptData: boolean;
  loc?: SourceLoc;
}

export type ServiceDomain = 'inside' | 'outside';

/** A physical interface (IFD): et-0/2/10, ae0, lo0. */
export interface Ifd {
  name: string;
  description?: string;
  /** MAC as "aa:bb:cc:dd:ee:ff"; when absent one is derived from device and IFD name. */
  mac?: string;
  /** Junos media MTU: the largest frame including the Ethernet header (no FCS). */
  mtu?: number;
  vlanTagging: 'none' | 'vlan-tagging' | 'flexible-vlan-tagging' | 'stacked-vlan-tagging';
  encapsulation?: string;
  disabled: boolean;
  units: Ifl[];
  /** Link aggregation member (`gigether-options { 802.3ad ae0; }`, YAML `lag: ae0`): the bundle this port belongs to (src/l2/lag.ts). */
  lag?: string;
  /** On an aeN bundle: `aggregated-ether-options { lacp ...; minimum-links N; }`. */
  aggregatedEther?: AggregatedEther;
  loc?: SourceLoc;
}

/** `aggregated-ether-options` of a bundle. LACP is accepted, not spoken: members are in the bundle while their link is up. */
export interface AggregatedEther {
  lacp?: 'active' | 'passive';
  /** Members that must be up for the bundle to be up (Junos default 1). */
  minimumLinks?: number;
  loc?: SourceLoc;
}

/** `protocols sflow { ... }` (src/nodes/sflow.ts): ingress packet sampling exported as sFlow v5 datagrams. */
export interface SflowConfig {
  /** `agent-id A`: the agent address in each datagram. */
  agentId?: string;
  /** `source-ip A`: the datagrams' IPv4 source. */
  sourceIp?: string;
  collectors: { address: string; udpPort: number; loc?: SourceLoc }[];
  /** `sample-rate { ingress N; }` (or `sample-rate N`): 1 in N packets taken in on each listed port. */
  sampleRateIngress?: number;
  /** `polling-interval S` (accepted; counter samples are not sent). */
  pollingInterval?: number;
  /** `interfaces X { sample-rate { ingress N; } }`: the ports sampled (IFD names; a unit name means its port). */
  interfaces: { port: string; sampleRateIngress?: number; loc?: SourceLoc }[];
  loc?: SourceLoc;
}

export interface StaticNextHop {
  /** A next-hop address (resolved recursively) ... */
  address?: string;
  /** ... or a next-hop interface (IFL name), or both (address qualified by interface). */
  interface?: string;
}

export interface StaticRoute {
  family: Family;
  /** "10.0.0.0/8", "2001:db8::/32" */
  prefix: string;
  action: 'forward' | 'discard' | 'reject' | 'next-table' | 'static-lsp';
  /** `static-lsp-next-hop NAME`, for action static-lsp: the ingress static LSP the route pushes onto. */
  lsp?: string;
  /** ECMP when more than one. */
  nextHops: StaticNextHop[];
  /** `next-table inet.0` and the like, for action next-table. */
  nextTable?: string;
  preference?: number;
  loc?: SourceLoc;
}

export interface RoutingInstance {
  /** "master" for the default instance (tables inet.0 and inet6.0). */
  name: string;
  /** mac-vrf and virtual-switch instances are layer 2: bridge domains, no routing tables of their own. */
  type: 'default' | 'vrf' | 'virtual-router' | 'forwarding' | 'mac-vrf' | 'virtual-switch';
  /** IFL names placed in this instance (the default instance gets every IFL not placed elsewhere). */
  interfaces: string[];
  routes: StaticRoute[];
  routeDistinguisher?: string;
  vrfTarget?: string;
  /** Layer-2 instances (mac-vrf, virtual-switch): their bridge domains and EVPN/VXLAN settings. */
  l2?: L2Instance;
  /** `vrf-table-label`: one VPN label for the whole VRF (a table lookup on the egress PE) instead of one per next hop. */
  vrfTableLabel?: boolean;
  /** `vrf-import [ P ... ]` / `vrf-export [ P ... ]`: policies in place of the implicit ones of `vrf-target`. */
  vrfImport?: string[];
  vrfExport?: string[];
  /** `protocols bgp` of the instance (a VRF's PE–CE sessions); the default instance's is Device.bgp. */
  bgp?: BgpConfig;
  loc?: SourceLoc;
}

/** What makes a routing instance a set of bridge domains (Junos `instance-type mac-vrf` / `virtual-switch`). */
export interface L2Instance {
  /** `service-type vlan-based|vlan-bundle|vlan-aware` (mac-vrf; default vlan-based). */
  serviceType?: 'vlan-based' | 'vlan-bundle' | 'vlan-aware';
  /** `protocols evpn { encapsulation vxlan; }` present: MACs are advertised as EVPN routes and remote ones come from EVPN. */
  evpn: boolean;
  /** `vtep-source-interface lo0.0` (normalised unit name): the VTEP's source address is this IFL's address. */
  vtepSource?: string;
  /** `protocols evpn { no-arp-suppression; }` instance-wide (default: suppression on). */
  noArpSuppression: boolean;
  /** `switch-options { mac-table-aging-time S; }` (Junos default 300). */
  macTableAgingTime?: number;
  /** `switch-options { mac-table-size N; }` per bridge domain. */
  macTableSize?: number;
  /** `switch-options { interface-mac-limit N; }` per access IFL. */
  interfaceMacLimit?: number;
  bridgeDomains: BridgeDomain[];
  loc?: SourceLoc;
}

/** `bridge-domains NAME { ... }` (or `vlans NAME { ... }`): one broadcast domain, one VNI. */
export interface BridgeDomain {
  name: string;
  /** `vlan-id N`: the VLAN of the domain (its access units' tags); absent with `vlan-id none`. */
  vlanId?: number;
  /** `vxlan { vni V; }`: the domain is stretched over VXLAN with this VNI. */
  vni?: number;
  /** `interface IFL` (normalised unit names): the access units bridged here. */
  interfaces: string[];
  /** `routing-interface irb.N`: the domain's IRB (gateway) unit. */
  routingInterface?: string;
  /** `vxlan { static-remote-vtep-list [ A ... ]; }`: flood-and-learn remote VTEPs (no EVPN for this domain). */
  staticRemoteVteps: string[];
  /** `vxlan { destination-udp-port N; }` (default 4789; Linux's default is 8472). */
  udpPort?: number;
  /** `bridge-options { mac-table-size N; }` (overrides the instance's). */
  macTableSize?: number;
  /** `bridge-options { interface-mac-limit N; }` (overrides the instance's). */
  interfaceMacLimit?: number;
  /** `bridge-options { mac-table-aging-time S; }` (overrides the instance's). */
  macTableAgingTime?: number;
  /** `bridge-options { no-mac-learning; }`. */
  noMacLearning: boolean;
  /** `no-arp-suppression` on the domain. */
  noArpSuppression: boolean;
  loc?: SourceLoc;
}

/**
 * An EVPN route the device has received (BGP is not spoken: the scenario
 * gives them, or they come from the scenario's other devices). Type 2
 * carries a MAC (and optionally its IP) behind a VTEP; type 3 (inclusive
 * multicast) says a VTEP wants the VNI's BUM traffic.
 */
export interface EvpnRoute {
  type: 2 | 3;
  vni: number;
  /** The remote VTEP's address (IPv4 or IPv6). */
  vtep: string;
  /** Type 2: aa:bb:cc:dd:ee:ff. */
  mac?: string;
  /** Type 2 MAC+IP: the host's IPv4 or IPv6 address. */
  ip?: string;
  loc?: SourceLoc;
}

/** A statement accepted but not emulated (reported once, never silently dropped). */
export interface IgnoredStatement {
  /** The statement path, e.g. "protocols isis" or "chassis". */
  path: string;
  loc: SourceLoc;
}

// ---- Inline IPsec (Junos `security ike`, `security ipsec`, `services service-set`) ----
// IKE is not emulated: an IKE VPN's keys come at run time from an esp_sa file
// (matched by gateway addresses and SPI); a manual VPN carries its own keys.

/** AES-GCM ciphers (RFC 4106), by their Junos `encryption-algorithm` names. */
export type IpsecCipher = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

/** `security ike gateway NAME { ... }` */
export interface IkeGateway {
  name: string;
  /** `ike-policy P` (IKE policies themselves are accepted, not emulated). */
  ikePolicy?: string;
  /** `address A` (a list: the first is the primary peer, the others backups). */
  addresses: string[];
  /** `local-address L`: this device's outer address towards the peer. */
  localAddress?: string;
  /** `external-interface IFL` (normalised: `ae0` → `ae0.0`). */
  externalInterface?: string;
  /** `version v1-only|v2-only`. */
  version?: 'v1-only' | 'v2-only';
  loc?: SourceLoc;
}

/** `security ipsec proposal NAME { ... }` */
export interface IpsecProposal {
  name: string;
  protocol?: 'esp' | 'ah';
  /** As written; checked to be an AES-GCM cipher when a VPN uses the proposal. */
  encryptionAlgorithm?: string;
  lifetimeSeconds?: number;
  /** `extended-sequence-number` in the proposal (MX inline IPsec accepts it here or in the vpn). */
  extendedSequenceNumber: boolean;
  loc?: SourceLoc;
}

/** `security ipsec policy NAME { proposals [ P ... ]; }` */
export interface IpsecPolicy {
  name: string;
  proposals: string[];
  loc?: SourceLoc;
}

/** `traffic-selector NAME { local-ip P; remote-ip P; }` (prefixes normalised, host bits cleared). */
export interface TrafficSelector {
  name: string;
  localIp?: string;
  remoteIp?: string;
  loc?: SourceLoc;
}

/** One direction of a manual SA. */
export interface ManualSaKeys {
  spi: number;
  cipher: IpsecCipher;
  /** The AES key alone, lower-case hex (16, 24 or 32 bytes). */
  key: string;
  /** The 4-byte GCM salt that follows the key in the configured keying material (RFC 4106 8.1), lower-case hex. */
  salt: string;
}

/** `manual { ... }`: a statically keyed SA pair. */
export interface ManualSa {
  /** `gateway A`: the peer's outer address. */
  gateway?: string;
  /** `external-interface IFL` (normalised to a unit name). */
  externalInterface?: string;
  protocol: 'esp';
  /** Keys and SPI of packets received (`inbound { ... }`, else the shared `spi` / `encryption`). */
  inbound: ManualSaKeys;
  /** Keys and SPI of packets sent (`outbound { ... }`, else the shared `spi` / `encryption`). */
  outbound: ManualSaKeys;
  loc?: SourceLoc;
}

/** `security ipsec vpn NAME { ... }` */
export interface IpsecVpn {
  name: string;
  /** `bind-interface st0.N` (route-based VPN). */
  bindInterface?: string;
  copyOuterDscp: boolean;
  dfBit?: 'clear' | 'set' | 'copy';
  /** `ike { gateway G; ipsec-policy P; }` */
  ike?: { gateway: string; ipsecPolicy?: string };
  /** False with `no-anti-replay`. */
  antiReplay: boolean;
  /** `anti-replay-window-size N` (Junos 64..65536); the engine's default (4096) applies when absent. */
  antiReplayWindowSize?: number;
  establishTunnels?: 'immediately' | 'on-traffic';
  trafficSelectors: TrafficSelector[];
  /** `extended-sequence-number` written in the vpn itself. */
  extendedSequenceNumber: boolean;
  /** Effective ESN: in the vpn, in a proposal of its ipsec-policy, or (manual) in the vpn. */
  esn: boolean;
  manual?: ManualSa;
  /** True when the configuration carries the keys (manual); false: keys must come from an esp_sa file. */
  hasManualKeys: boolean;
  loc?: SourceLoc;
}

export interface SecurityConfig {
  ikeGateways: IkeGateway[];
  ipsecProposals: IpsecProposal[];
  ipsecPolicies: IpsecPolicy[];
  ipsecVpns: IpsecVpn[];
}

/** `services service-set NAME { next-hop-service { ... } ipsec-vpn V; }` */
export interface ServiceSet {
  name: string;
  /** si- unit with service-domain inside (normalised unit name). */
  insideServiceInterface?: string;
  /** si- unit with service-domain outside. */
  outsideServiceInterface?: string;
  /** VPNs served (`ipsec-vpn V`, possibly several or none). */
  ipsecVpns: string[];
  loc?: SourceLoc;
}

export interface ServicesConfig {
  serviceSets: ServiceSet[];
}

// ---- GRE tunnels and static MPLS (Junos `interfaces gr-*`, `protocols mpls`) ----

/** `interfaces gr-F/P/N unit U tunnel { ... }`: a GRE tunnel (RFC 2784, no key, no checksum). */
export interface GreTunnel {
  /** `source A`: this device's outer address. */
  source?: string;
  /** `destination B`: the far end's outer address (same family as the source). */
  destination?: string;
  /** `routing-instance { destination RI; }`: the instance whose table routes the outer packet (default: master). */
  destinationInstance?: string;
  /** `ttl N`: outer TTL / hop limit (default 64). */
  ttl?: number;
  /** `allow-fragmentation`: outer DF clear; by default it is set (Junos drops a GRE packet too big for the egress, `do-not-fragment`). */
  allowFragmentation: boolean;
  loc?: SourceLoc;
}

/** A static LSP's `next-hop (address | interface | address/interface)`. */
export interface LspNextHop {
  address?: string;
  interface?: string;
  loc?: SourceLoc;
}

/** `ingress { next-hop A; to B; push L; }` */
export interface StaticLspIngress {
  nextHop?: LspNextHop;
  to?: string;
  push?: number;
  loc?: SourceLoc;
}

/** `transit IN { next-hop A; pop; | swap OUT; }` */
export interface StaticLspTransit {
  inLabel: number;
  nextHop?: LspNextHop;
  pop: boolean;
  swap?: number;
  loc?: SourceLoc;
}

/** `protocols mpls static-label-switched-path NAME { ... }` */
export interface StaticLsp {
  name: string;
  ingress?: StaticLspIngress;
  transit: StaticLspTransit[];
  loc?: SourceLoc;
}

/** `protocols mpls { ... }` */
export interface MplsConfig {
  /** `interface NAME` (unit names, normalised: `ae0` → `ae0.0`). */
  interfaces: string[];
  /** `interface all`. */
  allInterfaces: boolean;
  /** `no-propagate-ttl`: RFC 3443 pipe model (push with TTL 255, pop leaves the IP TTL); default uniform. */
  noPropagateTtl: boolean;
  staticLsps: StaticLsp[];
  loc?: SourceLoc;
}

// Routing policy (`policy-options`; src/config/junos-policy.ts, evaluated by src/bgp/policy.ts).
// References to communities and prefix lists are resolved when the configuration is read,
// so a policy carries what it needs to be evaluated.

/** `community NAME members [ M ... ]`: a route matches when it carries every member. */
export interface CommunityDef {
  name: string;
  /** "65000:100", "target:1:1", "origin:1000:1000", or a well-known name ("no-export"). */
  members: string[];
  loc?: SourceLoc;
}

/** `prefix-list NAME { P; ... }` (or `apply-path "..."`, expanded from the configuration). */
export interface PrefixListDef {
  name: string;
  /** Canonical prefixes ("10.0.0.8/32"), host bits cleared. */
  prefixes: string[];
  /** `apply-path` text, when the list came from one. */
  applyPath?: string;
  loc?: SourceLoc;
}

/** `route-filter P exact|longer|orlonger|upto /N|prefix-length-range /A-/B`: a route under P whose length is in min..max. */
export interface RouteFilter {
  prefix: string;
  length: number;
  match: 'exact' | 'longer' | 'orlonger' | 'upto' | 'prefix-length-range';
  /** The route lengths the match type allows. */
  min: number;
  max: number;
  loc?: SourceLoc;
}

/** A term's `from`: every condition given must match; the values of one condition are alternatives. */
export interface PolicyFrom {
  /** `community [ C ... ]` (resolved definitions): any one matches. */
  communities?: CommunityDef[];
  /** `protocol [ P ... ]`: bgp, direct, static, ... */
  protocols?: string[];
  /** `route-filter` and `prefix-list` together form the term's route list (a route matching either matches). */
  routeFilters?: RouteFilter[];
  prefixLists?: PrefixListDef[];
  /** `neighbor [ A ... ]`: the peer the path was learned from. */
  neighbors?: string[];
  /** A condition triode does not model was given (listed in `ignored`): the term never matches. */
  unmodelled?: boolean;
}

/** A term's `then`. Modifying actions apply in this order: local-preference, metric, communities, next hop. */
export interface PolicyThen {
  /** Terminal (accept, reject) or flow control (next term, next policy); absent: go on with the next term. */
  flow?: 'accept' | 'reject' | 'next-term' | 'next-policy';
  localPreference?: number;
  /** `metric N`: the MED. */
  metric?: number;
  /** `community add|set|delete C`, in configuration order. */
  communities: { op: 'add' | 'set' | 'delete'; community: CommunityDef; loc?: SourceLoc }[];
  /** `next-hop self` or `next-hop ADDRESS`. */
  nextHop?: string;
}

export interface PolicyTerm {
  /** Absent for the final unnamed term (`policy-statement P { from ...; then ...; }`), evaluated after the named ones. */
  name?: string;
  /** Absent: every route matches. */
  from?: PolicyFrom;
  then: PolicyThen;
  loc?: SourceLoc;
}

/** `policy-options policy-statement NAME { term T { from {...} then {...} } ... }` */
export interface PolicyStatement {
  name: string;
  terms: PolicyTerm[];
  loc?: SourceLoc;
}

// ---- BGP sessions (Junos `protocols bgp`; YAML `bgp:`). BGP is not spoken: the
// sessions say what a received path's peer is (AS, internal or external) and which
// policies apply; the paths themselves come from the scenario (Device.bgpPaths).

/** Address families a session carries: Junos `family inet unicast`, `family inet-vpn unicast`, `family evpn signaling`, ... */
export type BgpFamily = 'inet-unicast' | 'inet6-unicast' | 'inet-vpn-unicast' | 'inet6-vpn-unicast' | 'evpn-signaling';

/**
 * What `protocols bgp`, a group and a neighbour may each set; the nearest
 * level wins, a list (import, export, family) is replaced, not merged (see
 * src/bgp/session.ts).
 */
export interface BgpOptions {
  type?: 'internal' | 'external';
  peerAs?: number;
  /** `local-as N`: the AS this side claims on the session (default: routing-options autonomous-system). */
  localAs?: number;
  localAddress?: string;
  families?: BgpFamily[];
  import?: string[];
  export?: string[];
  /** `as-override`: the peer's AS in a path sent to it is replaced by the local AS. */
  asOverride?: boolean;
  /** `metric-out N`: the MED sent to the peer. */
  metricOut?: number;
  /** `cluster ID`: this router reflects the group's routes to its clients, with this cluster ID. */
  cluster?: string;
  /** `multipath [multiple-as]`: equal paths are all installed. */
  multipath?: { multipleAs: boolean };
  /** `hold-time S`: how long a peer whose side went away (its link down) keeps this side's session, and its paths (default 90; 0: never). */
  holdTime?: number;
  description?: string;
}

export interface BgpNeighbor extends BgpOptions {
  /** The peer's address (the session's key). */
  address: string;
  loc?: SourceLoc;
}

export interface BgpGroup extends BgpOptions {
  name: string;
  neighbors: BgpNeighbor[];
  loc?: SourceLoc;
}

/** `protocols bgp { ... group G { ... neighbor A { ... } } }` of one routing instance. */
export interface BgpConfig extends BgpOptions {
  groups: BgpGroup[];
  loc?: SourceLoc;
}

export interface Device {
  name: string;
  /** Behaviour profile name (ios, nxos, junos, linux, linux-frr); junos for Junos text. */
  profile: string;
  /** Behaviour switches set away from the profile's defaults (scenario `switches:`, then `--profile NAME,S=V`). */
  switches?: SwitchSetting[];
  routerId?: string;
  autonomousSystem?: number;
  /** Junos `system arp aging-timer MINUTES`, in seconds: overrides the profile's switch arp-cache-timeout. */
  arpAgingSec?: number;
  ifds: Ifd[];
  /** instances[0] is always the default instance, "master". */
  instances: RoutingInstance[];
  ignored: IgnoredStatement[];
  /** Junos `security` (IKE gateways, IPsec proposals, policies and VPNs), when configured. */
  security?: SecurityConfig;
  /** Junos `services` (service sets), when configured. */
  services?: ServicesConfig;
  /** Junos `protocols mpls` (interfaces, static LSPs), when configured. */
  mpls?: MplsConfig;
  /**
   * Junos `protocols ldp interface NAME` (unit names). LDP is not spoken: a BGP
   * next hop whose route leaves by one of these units is taken to be directly
   * behind it, an LSP with implicit null (the VPN label alone is pushed).
   */
  ldpInterfaces?: { name: string; loc?: SourceLoc }[];
  /**
   * Addresses of the BGP neighbours with `family evpn signaling` (Junos
   * `protocols bgp group G { family evpn { signaling; } neighbor A; }`): in a
   * scenario, a neighbour that is another device's address exchanges EVPN
   * routes with this one (type 3 at start, type 2 as MACs are learned).
   */
  evpnPeers: { address: string; loc?: SourceLoc }[];
  /** EVPN routes given in the scenario (`evpn:` of a device): received as if from BGP. */
  evpnRoutes: EvpnRoute[];
  /** `protocols bgp` of the default instance (a VRF's is RoutingInstance.bgp). */
  bgp?: BgpConfig;
  /** The BGP paths the device has received (scenario `bgp-paths:`), before import policy. */
  bgpPaths?: BgpPath[];
  /** Internet-exchange edge rules by port (scenario `edge:`; src/nodes/edge.ts). */
  edge?: EdgePort[];
  /** AMS-IX style ARP sponges, one per bridge domain (scenario `arp-sponge:`; src/l2/sponge.ts). */
  arpSponges?: ArpSpongeConfig[];
  /** `protocols vrrp { version-3; }`: IPv4 groups speak VRRPv3 (RFC 5798) instead of VRRPv2 (RFC 3768); IPv6 groups always do. */
  vrrpVersion3?: boolean;
  /** `protocols sflow` / YAML `sflow:`. */
  sflow?: SflowConfig;
  /** `chassis aggregated-devices ethernet device-count N`: aeN bundles allowed are ae0..ae(N-1). */
  aggregatedDevices?: { count: number; loc?: SourceLoc };
  /** `policy-options`: routing policies, communities and prefix lists (by name), when configured. */
  policies?: PolicyStatement[];
  communities?: CommunityDef[];
  prefixLists?: PrefixListDef[];
  /** The file the device came from, if any. */
  source?: string;
}

/** A link joins two ports; what one sends, the other receives in the same run. */
export interface Link {
  a: PortRef;
  b: PortRef;
  loc?: SourceLoc;
}

export interface PortRef {
  device: string;
  ifd: string;
}

export interface Scenario {
  devices: Device[];
  links: Link[];
  /** Events at times of the input (`timeline:`), in time order. */
  timeline?: TimelineEvent[];
  source?: string;
}

/**
 * An event of the scenario's timeline, `at` seconds after the first input
 * frame. A link event takes a port (and the other end of its link, the same
 * wire) down or up; a BGP session event takes one of a device's sessions
 * down (its paths withdrawn) or up (restored).
 */
export type TimelineEvent = LinkEvent | BgpSessionEvent;

export interface LinkEvent {
  at: number;
  kind: 'link-down' | 'link-up';
  port: PortRef;
  loc?: SourceLoc;
}

export interface BgpSessionEvent {
  at: number;
  kind: 'bgp-session-down' | 'bgp-session-up';
  /** The device, the routing instance of the session ("master" or a VRF) and the peer's address. */
  session: { device: string; instance: string; peer: string };
  loc?: SourceLoc;
}

/**
 * The rules an Internet exchange enforces on a member's port (scenario
 * `edge:`): what it may send into the peering LAN. Defaults are filled in by
 * the front end (src/config/scenario-edge.ts).
 */
export interface EdgePort {
  /** The IFD (every unit of it bridged). */
  ifd: string;
  /** MAC allow-list (L2 ACL): source MACs the port may send from, as configured. */
  macs: string[];
  /** Most source MACs the port may send from: the listed ones, then the first others seen (locked once seen). */
  macLimit: number;
  /** Ethertypes allowed (after any VLAN tags); 802.2 LLC/SNAP frames never are. */
  ethertypes: number[];
  /** Largest Ethernet payload (the frame without its header and tags) taken in. */
  maxPayload: number;
  /** In quarantine: the port's units bridge in this domain instead of the one that lists them. */
  quarantine?: string;
  /** Flap dampening: more than `transitions` link transitions within `windowSec` disables the port for `holdDownSec`; null: off. */
  dampening: { transitions: number; windowSec: number; holdDownSec: number } | null;
  loc?: SourceLoc;
}

/**
 * An ARP sponge on a bridge domain (AMS-IX arpsponge): ARP requests for an
 * address that go unanswered at a high enough rate get the address sponged,
 * answered with the sponge's MAC, until the address shows life.
 */
export interface ArpSpongeConfig {
  /** The bridge domain it listens in. */
  domain: string;
  /** Addresses sponged (arpsponge's NETPREFIX/LEN): "A.B.C.D/L"; none: any. */
  network?: string;
  /** The sponge's MAC (default: derived from the device name). */
  mac?: string;
  /** Requests remembered per address; the rate is over them and nothing is sponged before the queue is full. */
  queueDepth: number;
  /** Requests per minute (averaged over the queue) at or above which the address goes pending. */
  rate: number;
  /** Seconds an address stays pending, with no sign of life, before it is sponged. */
  pendingSec: number;
  /** Seconds after the sponge's first frame during which it only learns. */
  learnSec: number;
  /** Requests per second from one source above which its requests are thinned out of a full queue (0: off). */
  floodProtection: number;
  loc?: SourceLoc;
}

/**
 * A configuration mistake. Thrown once per load, listing every problem found,
 * each with file:line:column.
 */
export class ConfigError extends Error {
  constructor(public readonly problems: { loc?: SourceLoc; message: string }[]) {
    super(problems.map((p) => `${p.loc ? `${p.loc.file}:${p.loc.line}:${p.loc.col}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatLoc(loc: SourceLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}
