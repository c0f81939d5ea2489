// `routing-options` (static routes, ribs, router-id, AS) and `routing-instances`.

import type { Family, RoutingInstance, StaticNextHop, StaticRoute } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, word, wordLoc, type BuildContext, type HandlerTable } from './junos-build.js';
import { isRouteDistinguisher, parseIntIn, parseIp, parseIpv4, parsePrefix } from './values.js';
import { L2_INSTANCE_HANDLERS, L2_INSTANCE_TYPES, instanceProtocols } from './junos-l2.js';

export interface RoutingTarget {
  instance: RoutingInstance;
  /** True for the default instance (top-level routing-options). */
  master: boolean;
  /** Family required by the rib (`rib inet6.0`); undefined under plain `static`: taken from each prefix. */
  family?: Family;
}

export interface RouteTarget {
  route: StaticRoute;
  discard: boolean;
  reject: boolean;
  /** Set when an action the emulator does not model was seen (`receive`): the route is dropped. */
  unmodelled: boolean;
  /** A next hop was rejected (already reported): no further errors for this route. */
  bad: boolean;
}

const U32 = 0xffffffff;

function nextHop(ctx: BuildContext, node: ConfNode, i: number, route: StaticRoute): StaticNextHop | undefined {
  const text = node.words[i]!;
  const loc = wordLoc(node, i);
  const ip = parseIp(text);
  if (ip) {
    if (ip.family !== route.family) {
      error(ctx, loc, `static route ${route.prefix}: next-hop ${text} is not an ${route.family === 'inet' ? 'IPv4' : 'IPv6'} address`);
      return undefined;
    }
    return { address: text };
  }
  if (!/^[a-z][a-z0-9-]*[0-9/:]*(\.\d+)?$/i.test(text) || /^[\d.:]+$/.test(text)) {
    error(ctx, loc, `static route ${route.prefix}: next-hop '${text}' is neither an address nor an interface name`);
    return undefined;
  }
  const nh: StaticNextHop = { interface: text };
  ctx.locs.set(nh, 'interface', loc);
  return nh;
}

export const QUALIFIED_NEXT_HOP_HANDLERS: HandlerTable<{ nh: StaticNextHop }> = {
  interface: (n, t, ctx, p) => {
    const name = single(ctx, n, p, 'interface');
    if (name === undefined) return;
    t.nh.interface = name;
    ctx.locs.set(t.nh, 'interface', wordLoc(n, 1));
  },
};

export const ROUTE_HANDLERS: HandlerTable<RouteTarget> = {
  'next-hop': (n, t, ctx, p) => {
    const w = word(ctx, n, 1, 'next hop');
    if (w === undefined) return;
    for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
    for (let i = 1; i < n.words.length; i++) {
      const nh = nextHop(ctx, n, i, t.route);
      if (nh) t.route.nextHops.push(nh);
      else t.bad = true;
    }
  },
  'qualified-next-hop': (n, t, ctx, p) => {
    if (word(ctx, n, 1, 'next hop') === undefined) return;
    const nh = nextHop(ctx, n, 1, t.route);
    if (!nh) {
      t.bad = true;
      return;
    }
    t.route.nextHops.push(nh);
    dispatch(QUALIFIED_NEXT_HOP_HANDLERS, n, { nh }, ctx, [...p, ...n.words]);
  },
  discard: (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.discard = true;
  },
  reject: (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.reject = true;
  },
  receive: (n, t, ctx, p) => {
    ignore(ctx, n, p);
    t.unmodelled = true;
  },
  'next-table': (n, t, ctx, p) => {
    t.route.nextTable = single(ctx, n, p, 'table name');
  },
  'static-lsp-next-hop': (n, t, ctx, p) => {
    t.route.lsp = single(ctx, n, p, 'LSP name');
    ctx.locs.set(t.route, 'lsp', wordLoc(n, 1));
  },
  preference: (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'preference');
    if (text === undefined) return;
    const v = parseIntIn(text, 0, U32);
    if (v === undefined) error(ctx, wordLoc(n, 1), `preference '${text}' is not in 0..${U32}`);
    else t.route.preference = v;
  },
};

/** An instance's static routes by prefix, kept beside the list so 10,000 routes are not checked pairwise; rebuilt if the list changed elsewhere. */
const routesByPrefix = new WeakMap<StaticRoute[], { byPrefix: Map<string, StaticRoute>; len: number }>();

function routeIndex(routes: StaticRoute[]): { byPrefix: Map<string, StaticRoute>; len: number } {
  let e = routesByPrefix.get(routes);
  if (e === undefined || e.len !== routes.length) {
    const byPrefix = new Map<string, StaticRoute>();
    for (const x of routes) if (!byPrefix.has(x.prefix)) byPrefix.set(x.prefix, x);
    e = { byPrefix, len: routes.length };
    routesByPrefix.set(routes, e);
  }
  return e;
}

function route(node: ConfNode, t: RoutingTarget, ctx: BuildContext, path: string[]): void {
  const text = word(ctx, node, 1, 'prefix');
  if (text === undefined) return;
  const p = parsePrefix(text, t.family);
  if (typeof p === 'string') {
    error(ctx, wordLoc(node, 1), `static route: ${p}`);
    return;
  }
  const r: StaticRoute = { family: p.family, prefix: p.prefix, action: 'forward', nextHops: [], loc: node.loc };
  const rt: RouteTarget = { route: r, discard: false, reject: false, unmodelled: false, bad: false };
  dispatch(ROUTE_HANDLERS, node, rt, ctx, [...path, ...node.words]);
  if (rt.unmodelled || rt.bad) return;
  const actions = [r.nextHops.length > 0, rt.discard, rt.reject, r.nextTable !== undefined, r.lsp !== undefined].filter(Boolean).length;
  if (actions === 0) {
    error(ctx, node.loc, `static route ${r.prefix}: needs next-hop, discard, reject, next-table or static-lsp-next-hop`);
    return;
  }
  if (actions > 1) {
    error(ctx, node.loc, `static route ${r.prefix}: next-hop, discard, reject, next-table and static-lsp-next-hop exclude each other`);
    return;
  }
  r.action = rt.discard ? 'discard' : rt.reject ? 'reject' : r.nextTable !== undefined ? 'next-table' : r.lsp !== undefined ? 'static-lsp' : 'forward';
  const ix = routeIndex(t.instance.routes);
  const dup = ix.byPrefix.get(r.prefix);
  if (dup) {
    error(ctx, node.loc, `static route ${r.prefix} is configured twice (also at ${dup.loc?.line}:${dup.loc?.col})`);
    return;
  }
  t.instance.routes.push(r);
  ix.byPrefix.set(r.prefix, r);
  ix.len = t.instance.routes.length;
}

export const STATIC_HANDLERS: HandlerTable<RoutingTarget> = { route };

/** `rib inet6.0 { static ... }` (default instance) or `rib RED.inet6.0` (instance RED). */
function rib(node: ConfNode, t: RoutingTarget, ctx: BuildContext, path: string[]): void {
  const name = word(ctx, node, 1, 'rib name');
  if (name === undefined) return;
  const base = t.master ? '' : `${t.instance.name}.`;
  const family: Family | undefined = name === `${base}inet.0` ? 'inet' : name === `${base}inet6.0` ? 'inet6' : undefined;
  if (!family) {
    ignore(ctx, node, path);
    return;
  }
  dispatch({ static: (n, tt, c, p) => dispatch(STATIC_HANDLERS, n, tt, c, [...p, ...n.words]) }, node, { ...t, family }, ctx, [
    ...path,
    ...node.words,
  ]);
}

export const ROUTING_OPTIONS_HANDLERS: HandlerTable<RoutingTarget> = {
  static: (n, t, ctx, p) => dispatch(STATIC_HANDLERS, n, t, ctx, [...p, ...n.words]),
  rib,
  'router-id': (n, t, ctx, p) => {
    if (!t.master) return ignore(ctx, n, p);
    const text = single(ctx, n, p, 'router id');
    if (text === undefined) return;
    if (parseIpv4(text) === undefined) error(ctx, wordLoc(n, 1), `router-id '${text}' is not an IPv4 address`);
    else ctx.device.routerId = text;
  },
  'autonomous-system': (n, t, ctx, p) => {
    if (!t.master) return ignore(ctx, n, p);
    const text = word(ctx, n, 1, 'AS number');
    if (text === undefined) return;
    if (n.words.length > 2 || n.children.length) ignore(ctx, n, p); // loops, asdot-notation, ...
    const dot = /^(\d+)\.(\d+)$/.exec(text);
    const asn = dot ? parseIntIn(dot[1]!, 0, 0xffff)! * 65536 + (parseIntIn(dot[2]!, 0, 0xffff) ?? NaN) : parseIntIn(text, 1, U32);
    if (asn === undefined || !(asn >= 1 && asn <= U32)) error(ctx, wordLoc(n, 1), `autonomous-system '${text}' is not in 1..${U32}`);
    else ctx.device.autonomousSystem = asn;
  },
};

const INSTANCE_TYPES = new Set(['vrf', 'virtual-router', 'forwarding', ...L2_INSTANCE_TYPES]);

export const INSTANCE_HANDLERS: HandlerTable<RoutingTarget> = {
  'instance-type': () => {}, // read before the instance is created
  interface: (n, t, ctx, p) => {
    const name = single(ctx, n, p, 'interface name');
    if (name !== undefined) ctx.placements.push({ instance: t.instance, ifl: name, loc: wordLoc(n, 1) });
  },
  'route-distinguisher': (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'route distinguisher');
    if (text === undefined) return;
    if (!isRouteDistinguisher(text)) error(ctx, wordLoc(n, 1), `route-distinguisher '${text}' is not ASN:number or IPv4:number`);
    else t.instance.routeDistinguisher = text;
  },
  'vrf-target': (n, t, ctx, p) => {
    // `vrf-target target:65000:1;` or `vrf-target { import ...; export ...; }` (the export target is kept).
    const here = [...p, ...n.words];
    let value = n.words[1];
    for (const c of n.children) {
      if (c.inactive) continue;
      if (c.words[0] === 'export') value = c.words[1];
      else if (c.words[0] === 'import') value ??= c.words[1];
      else ignore(ctx, c, here);
    }
    if (value === undefined) error(ctx, n.loc, 'vrf-target: missing target');
    else if (value !== 'auto' && !/^target:.+:\d+$/.test(value)) error(ctx, n.loc, `vrf-target '${value}' is not target:ASN:number`);
    else t.instance.vrfTarget = value;
  },
  'vrf-table-label': (n, t, ctx, p) => {
    flag(ctx, n, p); // `vrf-table-label source-class-usage` and the like: the label is still per table
    t.instance.vrfTableLabel = true;
  },
  'vrf-import': (n, t, ctx) => {
    if (word(ctx, n, 1, 'policy name') !== undefined) (t.instance.vrfImport ??= []).push(...n.words.slice(1));
  },
  'vrf-export': (n, t, ctx) => {
    if (word(ctx, n, 1, 'policy name') !== undefined) (t.instance.vrfExport ??= []).push(...n.words.slice(1));
  },
  'routing-options': (n, t, ctx, p) => dispatch(ROUTING_OPTIONS_HANDLERS, n, t, ctx, [...p, ...n.words]),
  protocols: instanceProtocols, // evpn of layer-2 instances; the rest reported as ignored
  ...L2_INSTANCE_HANDLERS, // bridge domains, VTEP source, ... (junos-l2.ts)
};

/** `routing-instances { NAME { instance-type ...; ... } }` */
export function routingInstances(node: ConfNode, _unused: unknown, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  for (const c of node.children) {
    if (c.words[0] === 'apply-groups' || c.words[0] === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const name = c.words[0]!;
    if (c.words.length !== 1) {
      ignore(ctx, c, here);
      continue;
    }
    if (name === 'master' || name === 'default' || ctx.device.instances.some((i) => i.name === name)) {
      error(ctx, c.loc, `routing instance name '${name}' is reserved or already used`);
      continue;
    }
    const typeNode = c.children.find((x) => x.words[0] === 'instance-type' && !x.inactive);
    const type = typeNode?.words[1];
    if (!typeNode || type === undefined) {
      error(ctx, c.loc, `routing instance ${name}: missing instance-type`);
      continue;
    }
    if (!INSTANCE_TYPES.has(type)) {
      // evpn, vpls, l2vpn, ...: not emulated; its interfaces stay in the default instance.
      ignore(ctx, c, here, [name, 'instance-type', type]);
      continue;
    }
    const instance: RoutingInstance = { name, type: type as RoutingInstance['type'], interfaces: [], routes: [], loc: c.loc };
    if (L2_INSTANCE_TYPES.has(type)) instance.l2 = { evpn: false, noArpSuppression: false, bridgeDomains: [], loc: c.loc };
    ctx.device.instances.push(instance);
    dispatch(INSTANCE_HANDLERS, c, { instance, master: false }, ctx, [...here, name]);
  }
}
