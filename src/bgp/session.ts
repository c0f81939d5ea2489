// BGP sessions as a router would have them: each configured neighbour with
// what it inherits from its group and from `protocols bgp` (Junos: a statement
// at a more specific level wins; a list such as import or family is replaced
// as a whole, not merged). BGP is not spoken: a session is up from the start
// and goes down or up only by the scenario's timeline.

import type { BgpConfig, BgpFamily, BgpGroup, BgpNeighbor, BgpOptions, Device, SourceLoc } from '../config/model.js';

export interface BgpSession {
  /** The routing instance the session is in: "master" or a VRF's name. */
  instance: string;
  group: string;
  /** The peer's address. */
  peer: string;
  internal: boolean;
  /** The peer's AS; undefined when neither peer-as nor (for an internal session) the local AS is configured. */
  peerAs?: number;
  /** This side's AS on the session (local-as, else routing-options autonomous-system, else the peer-as of an internal group of the instance). */
  localAs?: number;
  localAddress?: string;
  /** Families carried; Junos's default when none is configured is IPv4 unicast. */
  families: BgpFamily[];
  import: string[];
  export: string[];
  asOverride: boolean;
  metricOut?: number;
  cluster?: string;
  multipath?: { multipleAs: boolean };
  /** Seconds this side keeps the session when the peer's side went away without a word (its link down); 0: never. */
  holdTime: number;
  description?: string;
  loc?: SourceLoc;
}

/** Junos's default hold time (seconds). */
export const DEFAULT_HOLD_TIME = 90;

/** Junos: without `family`, a session carries IPv4 unicast only ("family inet unicast" is implied). */
export const DEFAULT_FAMILIES: readonly BgpFamily[] = ['inet-unicast'];

function pick<K extends keyof BgpOptions>(k: K, n: BgpNeighbor, g: BgpGroup, b: BgpConfig): BgpOptions[K] {
  return n[k] !== undefined ? n[k] : g[k] !== undefined ? g[k] : b[k];
}

/**
 * A device with no autonomous-system (the seed's CPEs are logical systems shown
 * without one): the peer-as of its internal groups is its AS, as their peers
 * are in the local AS by definition.
 */
function impliedAs(b: BgpConfig | undefined): number | undefined {
  for (const g of b?.groups ?? []) if ((g.type ?? b!.type) === 'internal' && (g.peerAs ?? b!.peerAs) !== undefined) return g.peerAs ?? b!.peerAs;
  return undefined;
}

/** The session of one neighbour of `bgp` (instance `instance`), with what it inherits. */
export function resolveSession(device: Device, instance: string, b: BgpConfig, g: BgpGroup, n: BgpNeighbor): BgpSession {
  const peerAsGiven = pick('peerAs', n, g, b);
  const localAs = pick('localAs', n, g, b) ?? device.autonomousSystem ?? impliedAs(instance === 'master' ? device.bgp : b);
  const type = pick('type', n, g, b);
  // Junos: a group whose type is not given is internal when the peer is in the local AS.
  const internal = type !== undefined ? type === 'internal' : peerAsGiven === undefined || peerAsGiven === localAs;
  const peerAs = peerAsGiven ?? (internal ? localAs : undefined);
  return {
    instance,
    group: g.name,
    peer: n.address,
    internal,
    peerAs,
    localAs: localAs ?? (internal ? peerAsGiven : undefined),
    localAddress: pick('localAddress', n, g, b),
    families: [...(pick('families', n, g, b) ?? DEFAULT_FAMILIES)],
    import: [...(pick('import', n, g, b) ?? [])],
    export: [...(pick('export', n, g, b) ?? [])],
    asOverride: pick('asOverride', n, g, b) ?? false,
    metricOut: pick('metricOut', n, g, b),
    cluster: pick('cluster', n, g, b),
    multipath: pick('multipath', n, g, b),
    holdTime: pick('holdTime', n, g, b) ?? DEFAULT_HOLD_TIME,
    description: pick('description', n, g, b),
    loc: n.loc,
  };
}

/** Every session of a device, default instance first, then each VRF's, in configuration order. */
export function bgpSessions(device: Device): BgpSession[] {
  const out: BgpSession[] = [];
  const add = (instance: string, b: BgpConfig | undefined): void => {
    for (const g of b?.groups ?? []) for (const n of g.neighbors) out.push(resolveSession(device, instance, b!, g, n));
  };
  add('master', device.bgp);
  for (const inst of device.instances) if (inst.name !== 'master') add(inst.name, inst.bgp);
  return out;
}

/** The session with peer `peer` in routing instance `instance`, if configured. */
export function findSession(device: Device, instance: string, peer: string): BgpSession | undefined {
  return bgpSessions(device).find((s) => s.instance === instance && s.peer === peer);
}
