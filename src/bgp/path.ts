// A BGP path as the routing engine holds it: what a peer sent for a prefix
// (attributes), where it came from, and what import policy made of it. BGP
// is not spoken: the scenario gives the paths a router would have received.

import type { SourceLoc } from '../config/model.js';

export type Origin = 'igp' | 'egp' | 'incomplete';

/** An AS path segment: a sequence (counted one per AS) or a set (counted once). */
export interface AsPathSegment {
  type: 'sequence' | 'set';
  asns: number[];
}

export interface BgpPath {
  /** "10.0.0.0/24" or "2001:db8::/32"; for a VPN route the IPv4/IPv6 prefix inside the VRF. */
  prefix: string;
  /** Routing table it is in: "inet.0", "inet6.0", "<vrf>.inet.0" (after VPN import), "bgp.l3vpn.0". */
  table: string;
  /** BGP next hop (protocol next hop), an address. */
  nextHop: string;
  /** The session it came in on: the peer's address, AS, and whether the session is internal (same AS). */
  peer: string;
  peerAs: number;
  internal: boolean;
  /** The peer's BGP router ID (from the session; used to break ties). */
  peerRouterId: string;
  localPref?: number;
  asPath: AsPathSegment[];
  origin: Origin;
  med?: number;
  /** Standard communities "65000:100", and extended ones as Junos writes them: "target:65000:1", "origin:65000:2". */
  communities: string[];
  /** Reflected routes: ORIGINATOR_ID and CLUSTER_LIST (cluster IDs, the nearest first). */
  originatorId?: string;
  clusterList: string[];
  /** VPN routes (inet-vpn): the route distinguisher and the label the egress PE allocated. */
  rd?: string;
  label?: number;
  loc?: SourceLoc;
}

/** Junos's default local preference when a path carries none (and for paths from external peers). */
export const DEFAULT_LOCAL_PREF = 100;

/** AS path length for best-path selection: an AS_SET counts as one (RFC 4271 9.1.2.2 a). */
export function asPathLength(p: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of p) n += s.type === 'sequence' ? s.asns.length : s.asns.length ? 1 : 0;
  return n;
}

/** The neighbouring AS a path came from: the first AS of its path (0 when empty: a route of the local AS). */
export function neighborAs(p: BgpPath): number {
  const first = p.asPath[0];
  return first && first.type === 'sequence' && first.asns.length ? first.asns[0] : 0;
}

/** Junos's text of an AS path: "65001 65002 {65003 65004} I" style, origin letter last. */
export function formatAsPath(p: BgpPath): string {
  const segs = p.asPath.map((s) => (s.type === 'sequence' ? s.asns.join(' ') : `{${s.asns.join(' ')}}`)).filter((x) => x);
  const o = p.origin === 'igp' ? 'I' : p.origin === 'egp' ? 'E' : '?';
  return [...segs, o].join(' ');
}
