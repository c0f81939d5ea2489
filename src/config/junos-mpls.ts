// GRE tunnels and static MPLS → Device:
//   interfaces gr-F/P/N unit U { tunnel { source A; destination B;
//       [routing-instance { destination RI; }] [ttl N;] [allow-fragmentation;] }
//     family inet|inet6 { ... } family mpls; }
//   protocols mpls { interface IFL|all; [no-propagate-ttl;]
//     static-label-switched-path NAME {
//       ingress { next-hop A|IFL|A/IFL; to B; push L; }
//       transit IN { next-hop A|IFL|A/IFL; pop; | swap L; } } }
//   routing-options static route P static-lsp-next-hop NAME;
//
// Label ranges as Junos documents them for static LSPs: an incoming transit
// label is 1,000,000..1,048,575 (the static label range); an outgoing label
// (push, swap) may be any unreserved label, 16..1,048,575. Checks that need the
// whole device (next hops, family mpls on the egress IFL, LSP names) are in
// mpls-checks.ts. Statements not modelled (`key`, `bandwidth`, `bypass`,
// `lsp-next-hop`, ...) are listed as ignored.

import { sflow } from './junos-sflow.js';
import type { GreTunnel, LspNextHop, MplsConfig, StaticLsp, StaticLspTransit } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, word, wordLoc, type BuildContext, type HandlerTable, type StatementHandler } from './junos-build.js';
import { iflName } from './device-checks.js';
import { junosBgp } from './junos-bgp.js';
import { protocolsVrrp } from './vrrp-config.js';
import { parseIntIn, parseIp } from './values.js';
import type { Ifl } from './model.js';

/** Junos's range of incoming labels of static LSPs (transit). */
export const STATIC_LABEL_MIN = 1_000_000;
export const LABEL_MAX = 1_048_575;
/** Labels 0..15 are reserved (RFC 3032); pushed and swapped-in labels are 16..1,048,575. */
export const UNRESERVED_LABEL_MIN = 16;

// ---- interfaces gr-* unit U tunnel ----

function tunnelAddress(n: ConfNode, t: GreTunnel, ctx: BuildContext, p: string[], field: 'source' | 'destination'): void {
  const text = single(ctx, n, p, 'address');
  if (text === undefined) return;
  if (!parseIp(text)) {
    error(ctx, wordLoc(n, 1), `tunnel ${field} '${text}' is not an IP address`);
    return;
  }
  t[field] = text;
  ctx.locs.set(t, field, wordLoc(n, 1));
}

export const GRE_TUNNEL_HANDLERS: HandlerTable<GreTunnel> = {
  source: (n, t, ctx, p) => tunnelAddress(n, t, ctx, p, 'source'),
  destination: (n, t, ctx, p) => tunnelAddress(n, t, ctx, p, 'destination'),
  'routing-instance': (n, t, ctx, p) =>
    dispatch({
      destination: (c, tt: GreTunnel, cx, pp) => {
        tt.destinationInstance = single(cx, c, pp, 'routing instance');
        cx.locs.set(tt, 'destinationInstance', wordLoc(c, 1));
      },
    }, n, t, ctx, [...p, ...n.words]),
  ttl: (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'TTL');
    if (text === undefined) return;
    const v = parseIntIn(text, 1, 255);
    if (v === undefined) error(ctx, wordLoc(n, 1), `tunnel ttl '${text}' is not in 1..255`);
    else t.ttl = v;
  },
  'allow-fragmentation': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.allowFragmentation = true;
  },
  'do-not-fragment': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.allowFragmentation = false;
  },
};

/** `tunnel { ... }` under a unit (IFL_HANDLERS). */
export const tunnel: StatementHandler<Ifl> = (n, ifl, ctx, p) => {
  const t: GreTunnel = { allowFragmentation: false, loc: n.loc };
  ifl.tunnel = t;
  dispatch(GRE_TUNNEL_HANDLERS, n, t, ctx, [...p, ...n.words]);
  if (n.words.length > 1) ignore(ctx, n, p);
};

/** `family mpls` under a unit (its own statements, e.g. `mtu`, are not modelled). */
export const familyMpls: StatementHandler<Ifl> = (n, ifl, ctx, p) => {
  ifl.mpls = { loc: n.loc };
  for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
};

// ---- protocols mpls ----

/** `next-hop 10.0.0.2`, `next-hop gr-0/0/0.0`, `next-hop 10.0.0.2/ge-0/0/0.0` (address on an interface). */
function lspNextHop(n: ConfNode, ctx: BuildContext, p: string[]): LspNextHop | undefined {
  const text = single(ctx, n, p, 'next hop');
  if (text === undefined) return undefined;
  const loc = wordLoc(n, 1);
  const slash = text.indexOf('/');
  const head = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(head);
  if (ip?.family === 'inet6') {
    error(ctx, loc, `next-hop ${text}: a static LSP's next hop is an IPv4 address or an interface`);
    return undefined;
  }
  if (ip) return slash < 0 ? { address: head, loc } : { address: head, interface: iflName(text.slice(slash + 1)), loc };
  if (!/^[a-z][a-z0-9-]*[0-9/:]*(\.\d+)?$/i.test(text)) {
    error(ctx, loc, `next-hop '${text}' is neither an IPv4 address nor an interface name`);
    return undefined;
  }
  return { interface: iflName(text), loc };
}

function label(n: ConfNode, ctx: BuildContext, p: string[], min: number, what: string): number | undefined {
  const text = single(ctx, n, p, 'label');
  if (text === undefined) return undefined;
  const v = parseIntIn(text, min, LABEL_MAX);
  if (v === undefined) error(ctx, wordLoc(n, 1), `${what} label '${text}' is not in ${min}..${LABEL_MAX}`);
  return v;
}

const INGRESS_HANDLERS: HandlerTable<StaticLsp> = {
  'next-hop': (n, lsp, ctx, p) => {
    lsp.ingress!.nextHop = lspNextHop(n, ctx, p);
  },
  to: (n, lsp, ctx, p) => {
    const text = single(ctx, n, p, 'address');
    if (text === undefined) return;
    if (!parseIp(text)) error(ctx, wordLoc(n, 1), `to '${text}' is not an IP address`);
    else lsp.ingress!.to = text;
  },
  push: (n, lsp, ctx, p) => {
    lsp.ingress!.push = label(n, ctx, p, UNRESERVED_LABEL_MIN, 'push');
  },
};

const TRANSIT_HANDLERS: HandlerTable<StaticLspTransit> = {
  'next-hop': (n, t, ctx, p) => {
    t.nextHop = lspNextHop(n, ctx, p);
  },
  pop: (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.pop = true;
  },
  swap: (n, t, ctx, p) => {
    t.swap = label(n, ctx, p, UNRESERVED_LABEL_MIN, 'swap');
    if (t.swap === undefined) t.pop = true; // already reported: keep the entry quiet
  },
};

const LSP_HANDLERS: HandlerTable<StaticLsp> = {
  ingress: (n, lsp, ctx, p) => {
    lsp.ingress = { loc: n.loc };
    dispatch(INGRESS_HANDLERS, n, lsp, ctx, [...p, ...n.words]);
    const missing = ['next-hop', 'to', 'push'].filter((k, i) => [lsp.ingress!.nextHop, lsp.ingress!.to, lsp.ingress!.push][i] === undefined
      && !n.children.some((c) => c.words[0] === k));
    if (missing.length) error(ctx, n.loc, `static-label-switched-path ${lsp.name} ingress: missing ${missing.join(', ')}`);
  },
  transit: (n, lsp, ctx, p) => {
    const text = word(ctx, n, 1, 'incoming label');
    if (text === undefined) return;
    const inLabel = parseIntIn(text, STATIC_LABEL_MIN, LABEL_MAX);
    if (inLabel === undefined) {
      error(ctx, wordLoc(n, 1), `transit label '${text}' is not in ${STATIC_LABEL_MIN}..${LABEL_MAX} (Junos's static label range)`);
      return;
    }
    const t: StaticLspTransit = { inLabel, pop: false, loc: n.loc };
    dispatch(TRANSIT_HANDLERS, n, t, ctx, [...p, ...n.words]);
    if (t.pop === (t.swap !== undefined)) {
      error(ctx, n.loc, `static-label-switched-path ${lsp.name} transit ${inLabel}: needs exactly one of pop or swap`);
      return;
    }
    lsp.transit.push(t);
  },
};

const MPLS_HANDLERS: HandlerTable<MplsConfig> = {
  interface: (n, m, ctx, p) => {
    const name = word(ctx, n, 1, 'interface name');
    if (name === undefined) return;
    if (n.words.length > 2 || n.children.length) ignore(ctx, n, p);
    if (name === 'all') m.allInterfaces = true;
    else {
      const ifl = iflName(name);
      m.interfaces.push(ifl);
      ctx.locs.set(m, `interface ${ifl}`, wordLoc(n, 1));
    }
  },
  'no-propagate-ttl': (n, m, ctx, p) => {
    flag(ctx, n, p);
    m.noPropagateTtl = true;
  },
  'static-label-switched-path': (n, m, ctx, p) => {
    const name = word(ctx, n, 1, 'LSP name');
    if (name === undefined) return;
    if (m.staticLsps.some((l) => l.name === name)) {
      error(ctx, n.loc, `static-label-switched-path ${name} is configured twice`);
      return;
    }
    const lsp: StaticLsp = { name, transit: [], loc: n.loc };
    m.staticLsps.push(lsp);
    dispatch(LSP_HANDLERS, n, lsp, ctx, [...p, ...n.words]);
  },
};

/**
 * `protocols { ... }`: mpls is modelled; every other protocol is reported once
 * by its name ("protocols isis"); bgp is read in junos-bgp.ts.
 */
/**
 * `protocols ldp`: only its `interface NAME` statements are read (LDP is not
 * spoken; see Device.ldpInterfaces); the rest is listed as ignored.
 */
function ldp(node: ConfNode, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  const list = (ctx.device.ldpInterfaces ??= []);
  if (node.words.length > 1) ignore(ctx, node, path);
  for (const c of node.children) {
    const name = c.words[0] === 'interface' && !c.inactive ? word(ctx, c, 1, 'interface name') : undefined;
    if (name === undefined || name === 'all') {
      ignore(ctx, c, here);
      continue;
    }
    if (c.words.length > 2 || c.children.length) ignore(ctx, c, here);
    list.push({ name: iflName(name), loc: wordLoc(c, 1) });
  }
}

export function protocols(node: ConfNode, _d: unknown, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  if (node.children.length === 0) return ignore(ctx, node, path);
  for (const c of node.children) {
    if (c.words[0] === 'bgp' && !c.inactive) {
      ctx.device.bgp = junosBgp(c, ctx, here);
      continue;
    }
    if (c.words[0] === 'sflow' && !c.inactive) {
      sflow(c, ctx, here);
      continue;
    }
    if (c.words[0] === 'vrrp' && !c.inactive) {
      protocolsVrrp(c, ctx, here); // vrrp-config.ts
      continue;
    }
    if (c.words[0] === 'ldp' && !c.inactive) {
      ldp(c, ctx, here);
      continue;
    }
    if (c.words[0] !== 'mpls') {
      ignore(ctx, c, here, c.words.slice(0, 1));
      continue;
    }
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const m: MplsConfig = ctx.device.mpls ?? { interfaces: [], allInterfaces: false, noPropagateTtl: false, staticLsps: [], loc: c.loc };
    ctx.device.mpls = m;
    dispatch(MPLS_HANDLERS, c, m, ctx, [...here, ...c.words]);
  }
}
