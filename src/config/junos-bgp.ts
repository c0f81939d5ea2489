// `protocols bgp` (default instance and VRFs) → BgpConfig: the one reader of
// Junos BGP configuration. Read at every level (bgp, group, neighbor): type,
// peer-as, local-as, local-address, family (inet / inet6 / inet-vpn /
// inet6-vpn unicast, evpn signaling), import, export, as-override, metric-out,
// cluster, multipath, hold-time (how long a peer keeps a session whose other
// side went away), description. What only the wire would use (
// authentication-key, passive, log-updown, bfd-liveness-detection, ...) is
// listed as ignored. Checks that need the whole device (peer-as of an external
// session, the local AS of an internal one) are in bgp-checks.ts; the EVPN
// neighbours (Device.evpnPeers) are derived there from the sessions.

import type { BgpConfig, BgpFamily, BgpGroup, BgpNeighbor, BgpOptions } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, word, wordLoc, type BuildContext, type HandlerTable, type StatementHandler } from './junos-build.js';
import { formatIp, parseIntIn, parseIp, parseIpv4 } from './values.js';

const U32 = 0xffffffff;

/** `65000` or asdot `1.10` → a 4-byte AS number (1..4294967295), or undefined. */
export function parseAsNumber(text: string): number | undefined {
  const dot = /^(\d+)\.(\d+)$/.exec(text);
  if (dot) {
    const hi = parseIntIn(dot[1]!, 0, 0xffff);
    const lo = parseIntIn(dot[2]!, 0, 0xffff);
    const v = hi === undefined || lo === undefined ? undefined : hi * 65536 + lo;
    return v !== undefined && v >= 1 ? v : undefined;
  }
  return parseIntIn(text, 1, U32);
}

/** Junos family words → the families modelled; others (labeled-unicast, flow, l2vpn, route-target, ...) are ignored. */
const FAMILIES: Record<string, { sub: string; family: BgpFamily }> = {
  inet: { sub: 'unicast', family: 'inet-unicast' },
  inet6: { sub: 'unicast', family: 'inet6-unicast' },
  'inet-vpn': { sub: 'unicast', family: 'inet-vpn-unicast' },
  'inet6-vpn': { sub: 'unicast', family: 'inet6-vpn-unicast' },
  evpn: { sub: 'signaling', family: 'evpn-signaling' },
};

/** A level's target: the options it sets, and whether a family statement was seen at this level (the first one replaces what is inherited). */
interface Level {
  opts: BgpOptions;
  what: string;
}

function addFamily(ctx: BuildContext, lv: Level, n: ConfNode, p: string[]): void {
  const name = word(ctx, n, 1, 'address family');
  if (name === undefined) return;
  const here = [...p, ...n.words];
  const f = FAMILIES[name];
  if (!f || n.words.length > 2) return ignore(ctx, n, p);
  // `family inet;` alone (no sub-statement) is read as its unicast (evpn: signaling, its only mode).
  let found = !n.children.some((c) => !c.inactive);
  for (const c of n.children) {
    if (c.inactive) ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
    else if (c.words[0] !== f.sub) ignore(ctx, c, here); // multicast, labeled-unicast, any, ...
    else {
      found = true;
      // `unicast { prefix-limit ...; }` (or its set form, one leaf): options not emulated.
      if (c.words.length > 1) ignore(ctx, c, here);
      for (const x of c.children) ignore(ctx, x, [...here, f.sub]);
    }
  }
  if (!found) return;
  lv.opts.families ??= [];
  if (!lv.opts.families.includes(f.family)) lv.opts.families.push(f.family);
}

function policyList(field: 'import' | 'export'): StatementHandler<Level> {
  return (n, lv, ctx) => {
    if (word(ctx, n, 1, 'policy name') === undefined) return;
    lv.opts[field] ??= [];
    lv.opts[field]!.push(...n.words.slice(1));
    ctx.locs.set(lv.opts, field, wordLoc(n, 1));
  };
}

function asNumber(field: 'peerAs' | 'localAs'): StatementHandler<Level> {
  return (n, lv, ctx, p) => {
    const text = word(ctx, n, 1, 'AS number');
    if (text === undefined) return;
    if (n.words.length > 2 || n.children.length) ignore(ctx, n, p); // local-as N private|alias|loops ...
    const asn = parseAsNumber(text);
    if (asn === undefined) error(ctx, wordLoc(n, 1), `bgp ${lv.what}: ${n.words[0]} '${text}' is not an AS number (1..${U32})`);
    else {
      lv.opts[field] = asn;
      ctx.locs.set(lv.opts, field, wordLoc(n, 1));
    }
  };
}

/** Statements of every level. */
const OPTION_HANDLERS: HandlerTable<Level> = {
  type: (n, lv, ctx, p) => {
    const t = single(ctx, n, p, 'group type');
    if (t === undefined) return;
    if (t !== 'internal' && t !== 'external') error(ctx, wordLoc(n, 1), `bgp ${lv.what}: type '${t}' is not internal or external`);
    else {
      lv.opts.type = t;
      ctx.locs.set(lv.opts, 'type', wordLoc(n, 1));
    }
  },
  'peer-as': asNumber('peerAs'),
  'local-as': asNumber('localAs'),
  'local-address': (n, lv, ctx, p) => {
    const t = single(ctx, n, p, 'address');
    if (t === undefined) return;
    const ip = parseIp(t);
    if (!ip) error(ctx, wordLoc(n, 1), `bgp ${lv.what}: local-address '${t}' is not an IP address`);
    else lv.opts.localAddress = formatIp(ip);
  },
  family: (n, lv, ctx, p) => addFamily(ctx, lv, n, p),
  import: policyList('import'),
  export: policyList('export'),
  'as-override': (n, lv, ctx, p) => {
    flag(ctx, n, p);
    lv.opts.asOverride = true;
  },
  'metric-out': (n, lv, ctx, p) => {
    const t = word(ctx, n, 1, 'metric');
    if (t === undefined) return;
    const v = parseIntIn(t, 0, U32);
    // `metric-out igp [offset]` / `minimum-igp`: the MED follows the IGP, which is not emulated.
    if (v === undefined && (t === 'igp' || t === 'minimum-igp')) return ignore(ctx, n, p);
    if (n.words.length > 2 || n.children.length) ignore(ctx, n, p);
    if (v === undefined) error(ctx, wordLoc(n, 1), `bgp ${lv.what}: metric-out '${t}' is not in 0..${U32}`);
    else lv.opts.metricOut = v;
  },
  cluster: (n, lv, ctx, p) => {
    const t = single(ctx, n, p, 'cluster identifier');
    if (t === undefined) return;
    if (parseIpv4(t) === undefined) error(ctx, wordLoc(n, 1), `bgp ${lv.what}: cluster '${t}' is not an IPv4 address`);
    else lv.opts.cluster = t;
  },
  multipath: (n, lv, ctx, p) => {
    const m = { multipleAs: false };
    if (n.words.length > 1) ignore(ctx, n, p);
    for (const c of n.children) {
      if (c.words[0] === 'multiple-as' && !c.inactive) {
        flag(ctx, c, [...p, ...n.words]);
        m.multipleAs = true;
      } else ignore(ctx, c, [...p, ...n.words]);
    }
    lv.opts.multipath = m;
  },
  'hold-time': (n, lv, ctx, p) => {
    const t = single(ctx, n, p, 'seconds');
    if (t === undefined) return;
    // Junos: 0 (no keepalives: the session never times out) or 3..65535 seconds.
    const v = parseIntIn(t, 0, 65535);
    if (v === undefined || (v > 0 && v < 3)) error(ctx, wordLoc(n, 1), `bgp ${lv.what}: hold-time '${t}' is not 0 or 3..65535 seconds`);
    else lv.opts.holdTime = v;
  },
  description: (n, lv, ctx, p) => {
    lv.opts.description = single(ctx, n, p, 'description');
  },
};

/** Neighbours already configured in this instance, by canonical address (a peer is one session). */
type Seen = Map<string, BgpNeighbor>;

function neighbor(n: ConfNode, g: BgpGroup, ctx: BuildContext, p: string[], seen: Seen): void {
  const text = word(ctx, n, 1, 'address');
  if (text === undefined) return;
  const loc = wordLoc(n, 1);
  const ip = parseIp(text);
  if (!ip) {
    error(ctx, loc, `bgp group ${g.name}: neighbor '${text}' is not an IP address`);
    return;
  }
  const address = formatIp(ip);
  const prev = seen.get(address);
  if (prev) {
    error(ctx, loc, `bgp neighbor ${address} is configured twice (also at ${prev.loc?.line}:${prev.loc?.col})`);
    return;
  }
  const nb: BgpNeighbor = { address, loc };
  seen.set(address, nb);
  g.neighbors.push(nb);
  if (n.words.length > 2) ignore(ctx, n, p);
  dispatch(OPTION_HANDLERS, n, { opts: nb, what: `neighbor ${address}` }, ctx, [...p, ...n.words]);
}

function group(n: ConfNode, b: BgpConfig, ctx: BuildContext, p: string[], seen: Seen): void {
  const name = word(ctx, n, 1, 'group name');
  if (name === undefined) return;
  if (b.groups.some((g) => g.name === name)) return; // the tree merges statements of one group
  const g: BgpGroup = { name, neighbors: [], loc: n.loc };
  b.groups.push(g);
  const here = [...p, ...n.words];
  const lv: Level = { opts: g, what: `group ${name}` };
  dispatch(
    { ...OPTION_HANDLERS, neighbor: (c, _l, cx, pp) => neighbor(c, g, cx, pp, seen) },
    n,
    lv,
    ctx,
    here,
  );
}

/** Reads `protocols bgp { ... }` (node: the bgp statement) of an instance into a new BgpConfig. */
export function junosBgp(node: ConfNode, ctx: BuildContext, path: string[]): BgpConfig {
  const b: BgpConfig = { groups: [], loc: node.loc };
  const seen: Seen = new Map();
  const here = [...path, ...node.words];
  if (node.words.length > 1) ignore(ctx, node, path);
  dispatch({ ...OPTION_HANDLERS, group: (c, _l, cx, pp) => group(c, b, cx, pp, seen) }, node, { opts: b, what: 'protocols bgp' }, ctx, here);
  return b;
}
