// Routing policy evaluation over BGP paths, with Junos semantics
// (Junos "Routing Policy Match Conditions", "How a Route List Is Evaluated",
// "Default Routing Policies and Actions"):
// - the policies of a chain are evaluated in order, the terms of a policy in
//   order (the final unnamed term last);
// - a term without `from` matches every route; the conditions of a `from` must
//   all match; the values of one condition are alternatives (`community [A B]`
//   matches a route carrying A or B; a community definition with several
//   members matches a route carrying all of them);
// - the route filters of a term are one route list: a longest-match lookup
//   over their prefixes (prefix and length only), then the match types of the
//   longest prefix, in configuration order, decide; a shorter filter that would
//   have matched is not tried. Prefix lists match exactly; a route matching
//   the route list or a prefix list matches;
// - a matching term's modifying actions apply (and stay applied); `accept` and
//   `reject` end the chain, `next policy` skips to the next policy, `next term`
//   or no flow action goes on with the next term;
// - when no policy decides, the protocol's default policy does: BGP import
//   accepts; BGP export accepts BGP routes and rejects the others (direct,
//   static, ...), which are advertised only when a policy accepts them.

import type { AsPathSegment, BgpPath } from './path.js';
import type { CommunityDef, PolicyStatement, PolicyTerm, RouteFilter } from '../config/model.js';
import { WELL_KNOWN_COMMUNITIES } from '../config/junos-policy.js';
import { parseIp } from '../config/values.js';

export interface PolicyContext {
  /** Import (routes received from a peer) or export (routes advertised to one): decides the default action. */
  direction: 'import' | 'export';
  /** The protocol the route comes from, for `from protocol` and the export default: 'bgp' unless a direct/static route is exported. */
  protocol?: string;
  /** Export: the local address of the session, what `next-hop self` sets. */
  localAddress?: string;
}

export interface PolicyResult {
  accepted: boolean;
  /** The path with the actions applied: a copy when an action changed it (the input is never modified). */
  path: BgpPath;
  /** What decided: "POLICY term T" ("POLICY" for the unnamed term), or "default import" / "default export". */
  decidedBy: string;
}

/** Evaluates a policy chain (import or export policies of a neighbour, in order) over one path. */
export function evaluate(chain: readonly PolicyStatement[], path: BgpPath, ctx: PolicyContext): PolicyResult {
  const protocol = ctx.protocol ?? 'bgp';
  const route = routeKey(path.prefix);
  let out = path;
  const writable = (): BgpPath => {
    if (out === path) out = { ...path, communities: [...path.communities] };
    return out;
  };
  for (const pol of chain) {
    terms: for (const t of pol.terms) {
      if (!termMatches(t, out, protocol, route)) continue;
      const th = t.then;
      if (th.localPreference !== undefined) writable().localPref = th.localPreference;
      if (th.metric !== undefined) writable().med = th.metric;
      for (const op of th.communities) applyCommunity(writable(), op.op, op.community);
      if (th.nextHop !== undefined) {
        if (th.nextHop !== 'self') writable().nextHop = th.nextHop;
        else if (ctx.direction === 'export') {
          if (ctx.localAddress === undefined) throw new Error(`policy ${pol.name}: next-hop self on export needs the session's local address`);
          writable().nextHop = ctx.localAddress;
        }
        // On import, next-hop self names this router: the path keeps its next hop.
      }
      const by = t.name === undefined ? pol.name : `${pol.name} term ${t.name}`;
      switch (th.flow) {
        case 'accept':
          return { accepted: true, path: out, decidedBy: by };
        case 'reject':
          return { accepted: false, path: out, decidedBy: by };
        case 'next-policy':
          break terms;
        default:
          break; // next term
      }
    }
  }
  const accepted = ctx.direction === 'import' || protocol === 'bgp';
  return { accepted, path: out, decidedBy: `default ${ctx.direction}` };
}

/**
 * `as-override` on a session to external peer AS `peerAs`: on export, every
 * occurrence of the peer's AS in the AS path is replaced by the local AS, so
 * that a customer site using the same AS at several places accepts the route
 * (the local AS is then prepended as for any external peer; not done here).
 */
export function asOverride(path: BgpPath, peerAs: number, localAs: number): BgpPath {
  const asPath: AsPathSegment[] = path.asPath.map((s) => ({ type: s.type, asns: s.asns.map((a) => (a === peerAs ? localAs : a)) }));
  return { ...path, asPath, communities: [...path.communities] };
}

/** A community for comparison: well-known names as their numeric value. */
function communityKey(c: string): string {
  return Object.prototype.hasOwnProperty.call(WELL_KNOWN_COMMUNITIES, c) ? WELL_KNOWN_COMMUNITIES[c]! : c;
}

function carriesAll(path: BgpPath, def: CommunityDef): boolean {
  for (const m of def.members) {
    const k = communityKey(m);
    if (!path.communities.some((c) => communityKey(c) === k)) return false;
  }
  return true;
}

function applyCommunity(p: BgpPath, op: 'add' | 'set' | 'delete', def: CommunityDef): void {
  if (op === 'set') p.communities = [];
  if (op === 'delete') {
    const del = new Set(def.members.map(communityKey));
    p.communities = p.communities.filter((c) => !del.has(communityKey(c)));
    return;
  }
  for (const m of def.members) if (!p.communities.some((c) => communityKey(c) === communityKey(m))) p.communities.push(m);
}

/** A prefix as family, address bits (bigint) and length; undefined when the text is not a prefix. */
interface Key {
  v6: boolean;
  bits: number;
  value: bigint;
  len: number;
}

function routeKey(prefix: string): Key | undefined {
  const slash = prefix.indexOf('/');
  const ip = parseIp(slash < 0 ? prefix : prefix.slice(0, slash));
  if (!ip) return undefined;
  const len = slash < 0 ? ip.bits : Number(prefix.slice(slash + 1));
  if (!(len >= 0 && len <= ip.bits)) return undefined;
  const host = BigInt(ip.bits - len);
  return { v6: ip.family === 'inet6', bits: ip.bits, value: (ip.value >> host) << host, len };
}

const keyCache = new WeakMap<object, Key | undefined>();
function cachedKey(o: { prefix: string }): Key | undefined {
  if (!keyCache.has(o)) keyCache.set(o, routeKey(o.prefix));
  return keyCache.get(o);
}

/** The route shares the filter's first `len` bits and is at least as long. */
function covers(f: Key, r: Key): boolean {
  if (f.v6 !== r.v6 || r.len < f.len) return false;
  const shift = BigInt(f.bits - f.len);
  return r.value >> shift === f.value >> shift;
}

/** Whether a route (prefix text) matches a term's route filters. */
export function routeFiltersMatch(filters: readonly RouteFilter[], prefix: string): boolean {
  return routeListMatch(filters, routeKey(prefix));
}

/** The route list of a term (Junos "How a Route List Is Evaluated"): longest-match lookup, then the match types of that prefix. */
function routeListMatch(filters: readonly RouteFilter[], r: Key | undefined): boolean {
  if (!r) return false;
  let best = -1;
  for (const f of filters) {
    const k = cachedKey(f);
    if (k && covers(k, r) && k.len > best) best = k.len;
  }
  if (best < 0) return false;
  for (const f of filters) {
    const k = cachedKey(f);
    if (k && k.len === best && covers(k, r) && r.len >= f.min && r.len <= f.max) return true;
  }
  return false;
}

function termMatches(t: PolicyTerm, p: BgpPath, protocol: string, route: Key | undefined): boolean {
  const f = t.from;
  if (!f) return true;
  if (f.unmodelled) return false;
  if (f.protocols && !f.protocols.includes(protocol)) return false;
  if (f.neighbors && !f.neighbors.some((n) => sameAddress(n, p.peer))) return false;
  if (f.communities && !f.communities.some((d) => carriesAll(p, d))) return false;
  if (f.routeFilters || f.prefixLists) {
    const inList = !!f.prefixLists && !!route && f.prefixLists.some((pl) => pl.prefixes.some((x) => sameRoute(x, route)));
    if (!inList && !(f.routeFilters && routeListMatch(f.routeFilters, route))) return false;
  }
  return true;
}

function sameRoute(prefix: string, r: Key): boolean {
  const k = routeKey(prefix);
  return !!k && k.v6 === r.v6 && k.len === r.len && k.value === r.value;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.family === y.family && x.value === y.value;
}
