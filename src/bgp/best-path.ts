// BGP best-path selection in Junos's order, with the reason each losing path lost.
//
// The order is Juniper's "Understanding BGP Path Selection" (Junos 12.3+ routing
// documentation, "The algorithm for determining the active route is as follows"):
//   1. Verify that the next hop can be resolved           -> "Unusable path"
//   2. Lowest route preference (all BGP here: 170, equal) -> not modelled
//   3. Higher local preference (missing = 100)            -> "Local Preference"
//   4. (AIGP, only when enabled)                          -> not modelled
//   5. Shortest AS path (an AS_SET counts 1)              -> "AS path"
//   6. Lower origin code: IGP < EGP < incomplete          -> "Origin"
//   7. Lowest MED; by default only among paths with the same neighbouring AS
//      (deterministic MED: Junos groups them), a missing MED is 0
//                                                         -> "Not Best in its group",
//                                    with path-selection always-compare-med: "Always compare MED"
//   8. Strictly internal paths (IGP, static, direct)      -> not modelled (all paths are BGP)
//   9. EBGP over IBGP                                     -> "Interior > Exterior > Exterior via Interior"
//  10. Lowest IGP metric to the next hop                  -> "IGP metric"
//  11. If both paths are external, the currently active one (not with
//      path-selection external-router-id; nor, here, between paths of one router ID: newer Junos
//      docs as remembered, not found in the pages searched)
//                                                         -> "Active preferred"
//  12. Primary over secondary route                       -> not modelled (no secondary routes yet)
//  13. Lowest router ID; ORIGINATOR_ID in place of it for reflected routes
//                                                         -> "Router ID"
//  14. Shortest cluster list (0 when none)                -> "Cluster list length"
//  15. Lowest peer address                                -> "Update source"
//
// The reason strings are those `show route detail` prints in "Inactive reason:": the Junos
// "Examine BGP Routes and Route Selection" verification pages show "Local Preference", "Not Best
// in its group" (a MED loss, "because the JUNOS software uses the process of deterministic MED
// selection, by default"), "Interior > Exterior > Exterior via Interior" and "IGP metric"; the rest
// are from the `show route extensive` State/Inactive-reason table ("AS path", "Origin", "Always
// compare MED", "Active preferred", "Router ID", "Cluster list length", "Unusable path": the route
// is unresolved, "Update source": last tiebreaker is the lowest IP address value).
//
// Two implementations on purpose: compare() is the readable pairwise reference over BgpPath;
// Selector is the allocation-free elimination (RFC 4271 9.1.2.2 style: every step keeps the
// candidates best on it) the RIB runs over interned attribute keys. selectBest() runs Selector, and
// the property tests check it against compare(). With the default MED rule the pairwise order is
// not transitive (MED is skipped across neighbour ASes), which is why Junos groups by neighbour AS
// and why selection eliminates step by step rather than folding compare() over the paths.

import { parseIpv4, parseIpv6 } from '../packet/addr.js';
import { asPathLength, neighborAs, DEFAULT_LOCAL_PREF, type BgpPath } from './path.js';

export interface SelectionContext {
  /** IGP cost to a BGP next hop (0 for a directly connected one); undefined when it does not resolve. */
  igpCost(nextHop: string): number | undefined;
  /** `protocols bgp path-selection always-compare-med`: MEDs compared whatever the neighbour AS. */
  alwaysCompareMed?: boolean;
  /** `protocols bgp path-selection external-router-id`: no "Active preferred" step between external paths. */
  externalRouterId?: boolean;
}

/** Reason codes, in the order of the steps (a higher code lost later, closer to the best). */
export const R_NONE = 0;
export const R_UNUSABLE = 1;
export const R_LOCAL_PREF = 2;
export const R_AS_PATH = 3;
export const R_ORIGIN = 4;
export const R_MED_GROUP = 5;
export const R_MED_ALWAYS = 6;
export const R_INTERIOR = 7;
export const R_IGP_METRIC = 8;
export const R_ACTIVE = 9;
export const R_ROUTER_ID = 10;
export const R_CLUSTER = 11;
export const R_UPDATE_SOURCE = 12;

/** Junos's "Inactive reason:" text per reason code ('' for the active path). */
export const INACTIVE_REASONS: readonly string[] = [
  '',
  'Unusable path',
  'Local Preference',
  'AS path',
  'Origin',
  'Not Best in its group',
  'Always compare MED',
  'Interior > Exterior > Exterior via Interior',
  'IGP metric',
  'Active preferred',
  'Router ID',
  'Cluster list length',
  'Update source',
];

const ORIGIN_CODE = { igp: 0, egp: 1, incomplete: 2 } as const;

/** Router ID for the tie-break: the originator ID of a reflected route, else the peer's router ID. */
export function tieRouterId(p: BgpPath): number {
  return parseIpv4(p.originatorId ?? p.peerRouterId);
}

/** An address as 16 comparable bytes (IPv4 as ::ffff:a.b.c.d, so the two families order consistently). */
export function addrBytes(a: string): Uint8Array {
  if (!a.includes(':')) {
    const v = parseIpv4(a);
    return Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  return parseIpv6(a);
}

export function compareAddr(a: string, b: string): number {
  const x = addrBytes(a);
  const y = addrBytes(b);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export interface Comparison {
  /** < 0: a is preferred, > 0: b is preferred, 0: no step tells them apart (same peer). */
  order: number;
  /** The loser's inactive-reason code (R_*), R_NONE when order is 0. */
  reason: number;
}

/**
 * Pairwise comparison in Junos's order (see the header). `active` is the currently active path, for
 * step 11. A path whose next hop does not resolve loses to one whose does ("Unusable path"); two
 * unusable paths compare on the remaining steps.
 */
export function compare(a: BgpPath, b: BgpPath, ctx: SelectionContext, active?: BgpPath | null): Comparison {
  const ca = ctx.igpCost(a.nextHop);
  const cb = ctx.igpCost(b.nextHop);
  const res = (order: number, reason: number): Comparison => ({ order, reason });
  if ((ca === undefined) !== (cb === undefined)) return res(ca === undefined ? 1 : -1, R_UNUSABLE);
  const lpa = a.localPref ?? DEFAULT_LOCAL_PREF;
  const lpb = b.localPref ?? DEFAULT_LOCAL_PREF;
  if (lpa !== lpb) return res(lpb - lpa, R_LOCAL_PREF);
  const la = asPathLength(a.asPath);
  const lb = asPathLength(b.asPath);
  if (la !== lb) return res(la - lb, R_AS_PATH);
  if (a.origin !== b.origin) return res(ORIGIN_CODE[a.origin] - ORIGIN_CODE[b.origin], R_ORIGIN);
  const ma = a.med ?? 0;
  const mb = b.med ?? 0;
  if (ma !== mb) {
    if (ctx.alwaysCompareMed) return res(ma - mb, R_MED_ALWAYS);
    if (neighborAs(a) === neighborAs(b)) return res(ma - mb, R_MED_GROUP);
  }
  if (a.internal !== b.internal) return res(a.internal ? 1 : -1, R_INTERIOR);
  const ia = ca ?? 0;
  const ib = cb ?? 0;
  if (ia !== ib) return res(ia - ib, R_IGP_METRIC);
  const ra = tieRouterId(a);
  const rb = tieRouterId(b);
  if (!ctx.externalRouterId && active && !a.internal && !b.internal && ra !== rb) {
    if (active === a) return res(-1, R_ACTIVE);
    if (active === b) return res(1, R_ACTIVE);
  }
  if (ra !== rb) return res(ra - rb, R_ROUTER_ID);
  if (a.clusterList.length !== b.clusterList.length) return res(a.clusterList.length - b.clusterList.length, R_CLUSTER);
  const pa = compareAddr(a.peer, b.peer);
  if (pa !== 0) return res(pa, R_UPDATE_SOURCE);
  return res(0, R_NONE);
}

/**
 * Selection keys of interned attribute sets (struct of arrays, indexed by attribute id), and the
 * next-hop and peer tables they refer to. The RIB keeps one; selectBest() builds a small one.
 */
export class SelectionKeys {
  cap = 0;
  lpNeg = new Float64Array(0); // -local preference: every step then keeps the minimum
  asLen = new Uint32Array(0);
  origin = new Uint8Array(0);
  med = new Uint32Array(0);
  nbrAs = new Uint32Array(0);
  internal = new Uint8Array(0);
  nh = new Int32Array(0);
  rid = new Uint32Array(0);
  clusterLen = new Uint32Array(0);
  peer = new Int32Array(0);
  /** Per next hop: IGP cost, and 1 when it resolves. */
  nhCost = new Float64Array(16);
  nhOk = new Uint8Array(16);
  /** Per peer: its rank in address order (the last tie-break). */
  peerRank = new Int32Array(16);

  ensure(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, this.cap * 2, 64);
    const grow = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.lpNeg = grow(this.lpNeg);
    this.asLen = grow(this.asLen);
    this.origin = grow(this.origin);
    this.med = grow(this.med);
    this.nbrAs = grow(this.nbrAs);
    this.internal = grow(this.internal);
    this.nh = grow(this.nh);
    this.rid = grow(this.rid);
    this.clusterLen = grow(this.clusterLen);
    this.peer = grow(this.peer);
    this.cap = cap;
  }

  ensureNextHops(n: number): void {
    if (n <= this.nhCost.length) return;
    const cost = new Float64Array(Math.max(n, this.nhCost.length * 2));
    cost.set(this.nhCost);
    const ok = new Uint8Array(cost.length);
    ok.set(this.nhOk);
    this.nhCost = cost;
    this.nhOk = ok;
  }

  ensurePeers(n: number): void {
    if (n <= this.peerRank.length) return;
    const r = new Int32Array(Math.max(n, this.peerRank.length * 2));
    r.set(this.peerRank);
    this.peerRank = r;
  }

  /** Fills attribute `id`'s keys from a path; `nh` and `peer` are indexes into the next-hop and peer tables. */
  set(id: number, p: BgpPath, nh: number, peer: number): void {
    this.ensure(id + 1);
    this.lpNeg[id] = -(p.localPref ?? DEFAULT_LOCAL_PREF);
    this.asLen[id] = asPathLength(p.asPath);
    this.origin[id] = ORIGIN_CODE[p.origin];
    this.med[id] = p.med ?? 0;
    this.nbrAs[id] = neighborAs(p);
    this.internal[id] = p.internal ? 1 : 0;
    this.nh[id] = nh;
    this.rid[id] = tieRouterId(p);
    this.clusterLen[id] = p.clusterList.length;
    this.peer[id] = peer;
  }
}

/**
 * Elimination over candidate attribute ids: each step keeps the candidates best on it and gives
 * the others that step's reason. No allocation once its scratch arrays have grown to the largest
 * number of paths a prefix has had.
 */
export class Selector {
  private alive = new Int32Array(16); // positions into the candidate list still in the running
  private key = new Float64Array(16);
  private n = 0;

  constructor(private readonly k: SelectionKeys, private readonly ctx: { alwaysCompareMed?: boolean; externalRouterId?: boolean }) {}

  /**
   * cand[0..count) are attribute ids; reasons[i] receives candidate i's reason code (R_NONE for the
   * winner). `active` is the currently active attribute id or -1. Returns the winner's position, -1
   * when no candidate's next hop resolves.
   */
  select(cand: Int32Array, count: number, active: number, reasons: Uint8Array): number {
    if (this.alive.length < count) {
      this.alive = new Int32Array(count * 2);
      this.key = new Float64Array(count * 2);
    }
    const k = this.k;
    const alive = this.alive;
    let n = 0;
    for (let i = 0; i < count; i++) {
      reasons[i] = R_NONE;
      if (k.nhOk[k.nh[cand[i]!]!]) alive[n++] = i;
      else reasons[i] = R_UNUSABLE;
    }
    this.n = n;
    if (n === 0) return -1;
    const key = this.key;
    if (n > 1) {
      for (let j = 0; j < n; j++) key[j] = k.lpNeg[cand[alive[j]!]!]!;
      this.keepMin(R_LOCAL_PREF, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.asLen[cand[alive[j]!]!]!;
      this.keepMin(R_AS_PATH, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.origin[cand[alive[j]!]!]!;
      this.keepMin(R_ORIGIN, reasons);
    }
    if (this.n > 1) {
      if (this.ctx.alwaysCompareMed) {
        for (let j = 0; j < this.n; j++) key[j] = k.med[cand[alive[j]!]!]!;
        this.keepMin(R_MED_ALWAYS, reasons);
      } else this.medInGroups(cand, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.internal[cand[alive[j]!]!]!;
      this.keepMin(R_INTERIOR, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.nhCost[k.nh[cand[alive[j]!]!]!]!;
      this.keepMin(R_IGP_METRIC, reasons);
    }
    if (this.n > 1 && active >= 0 && !this.ctx.externalRouterId && !k.internal[cand[alive[0]!]!]) {
      // After step 9 the survivors are all external or all internal: here all external.
      let act = -1;
      for (let j = 0; j < this.n; j++) if (cand[alive[j]!] === active) act = j;
      if (act >= 0) {
        const rid = k.rid[active]!;
        for (let j = 0; j < this.n; j++) key[j] = j === act || k.rid[cand[alive[j]!]!] === rid ? 0 : 1;
        this.keepMin(R_ACTIVE, reasons);
      }
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.rid[cand[alive[j]!]!]!;
      this.keepMin(R_ROUTER_ID, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.clusterLen[cand[alive[j]!]!]!;
      this.keepMin(R_CLUSTER, reasons);
    }
    if (this.n > 1) {
      for (let j = 0; j < this.n; j++) key[j] = k.peerRank[k.peer[cand[alive[j]!]!]!]!;
      this.keepMin(R_UPDATE_SOURCE, reasons);
    }
    // Two paths from one peer for one prefix cannot happen (a new one replaces the old): n is 1.
    return alive[0]!;
  }

  /** Keeps the alive candidates whose key is the minimum; the others get `reason`. */
  private keepMin(reason: number, reasons: Uint8Array): void {
    const key = this.key;
    const alive = this.alive;
    const n = this.n;
    let min = key[0]!;
    for (let j = 1; j < n; j++) if (key[j]! < min) min = key[j]!;
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (key[j] === min) alive[m++] = alive[j]!;
      else reasons[alive[j]!] = reason;
    }
    this.n = m;
  }

  /** Default MED rule: a candidate is out when one of the same neighbour AS has a lower MED. */
  private medInGroups(cand: Int32Array, reasons: Uint8Array): void {
    const k = this.k;
    const alive = this.alive;
    const key = this.key;
    const n = this.n;
    for (let j = 0; j < n; j++) {
      const a = cand[alive[j]!]!;
      let out = 0;
      for (let i = 0; i < n && !out; i++) {
        const b = cand[alive[i]!]!;
        if (k.nbrAs[b] === k.nbrAs[a] && k.med[b]! < k.med[a]!) out = 1;
      }
      key[j] = out;
    }
    this.keepMin(R_MED_GROUP, reasons);
  }
}

export interface Selection {
  /** Index of the best path in the input, -1 when none is usable. */
  best: number;
  /** Per input path: its reason code (R_NONE for the best). */
  reasons: number[];
}

/** Best path among `paths` (at most one per peer); `active` is the currently active one, if any. */
export function selectBest(paths: readonly BgpPath[], ctx: SelectionContext, active?: BgpPath | null): Selection {
  const k = new SelectionKeys();
  const nextHops = new Map<string, number>();
  const peers = [...new Set(paths.map((p) => p.peer))].sort(compareAddr);
  k.ensurePeers(peers.length);
  peers.forEach((_, i) => (k.peerRank[i] = i));
  const cand = new Int32Array(paths.length);
  paths.forEach((p, i) => {
    let nh = nextHops.get(p.nextHop);
    if (nh === undefined) {
      nh = nextHops.size;
      nextHops.set(p.nextHop, nh);
      k.ensureNextHops(nh + 1);
      const cost = ctx.igpCost(p.nextHop);
      k.nhOk[nh] = cost === undefined ? 0 : 1;
      k.nhCost[nh] = cost ?? 0;
    }
    k.set(i, p, nh, peers.indexOf(p.peer));
    cand[i] = i;
  });
  const reasons = new Uint8Array(paths.length);
  const best = new Selector(k, ctx).select(cand, paths.length, active ? paths.indexOf(active) : -1, reasons);
  return { best, reasons: [...reasons] };
}
