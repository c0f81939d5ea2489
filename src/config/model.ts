// The one typed device model. Junos text and the YAML scenario are front ends
// that build it; the dataplane is built from it and never sees syntax.

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
  loc?: SourceLoc;
}

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
  action: 'forward' | 'discard' | 'reject' | 'next-table';
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
  type: 'default' | 'vrf' | 'virtual-router' | 'forwarding';
  /** IFL names placed in this instance (the default instance gets every IFL not placed elsewhere). */
  interfaces: string[];
  routes: StaticRoute[];
  routeDistinguisher?: string;
  vrfTarget?: string;
  loc?: SourceLoc;
}

/** A statement accepted but not emulated (reported once, never silently dropped). */
export interface IgnoredStatement {
  /** The statement path, e.g. "protocols isis" or "chassis". */
  path: string;
  loc: SourceLoc;
}

export interface Device {
  name: string;
  /** Behaviour profile name (ios, nxos, junos, linux, linux-frr); junos for Junos text. */
  profile: string;
  routerId?: string;
  autonomousSystem?: number;
  ifds: Ifd[];
  /** instances[0] is always the default instance, "master". */
  instances: RoutingInstance[];
  ignored: IgnoredStatement[];
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
  source?: string;
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
