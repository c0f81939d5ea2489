// `policy-options`: routing policies, communities and prefix lists → Device.
//
// The subset the multihomed IP VPN seed uses, and the conditions and actions
// around it: terms with `from community|protocol|route-filter|prefix-list|
// neighbor` and `then accept|reject|next term|next policy|local-preference|
// metric|community add|set|delete|next-hop self|ADDRESS`, a final unnamed term,
// `community NAME members [...]`, `prefix-list NAME { P; }` and `prefix-list
// NAME apply-path "..."` (expanded over this configuration). References are
// resolved here (definitions may follow their use), so src/bgp/policy.ts
// evaluates a policy with nothing else at hand.
//
// What is outside the subset is listed in `device.ignored` with its location.
// An unmodelled match condition (`from as-path`, a `to` block, `route-filter P
// through Q`) also makes its term match nothing: a term that matched more
// routes than configured would change routing silently.

import type { CommunityDef, Device, PolicyFrom, PolicyStatement, PolicyTerm, PolicyThen, PrefixListDef, RouteFilter, SourceLoc } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, ignore, wordLoc, type BuildContext, type StatementHandler } from './junos-build.js';
import { formatIp, isRouteDistinguisher, parseIp, parsePrefix } from './values.js';

/** Protocol names `from protocol` accepts (Junos's list, the ones a BGP policy meets). */
const PROTOCOLS = new Set([
  'access', 'access-internal', 'aggregate', 'arp', 'bgp', 'direct', 'dvmrp', 'evpn', 'frr', 'isis', 'l2circuit', 'l2vpn',
  'ldp', 'local', 'mpls', 'msdp', 'ospf', 'ospf2', 'ospf3', 'pim', 'rip', 'ripng', 'rsvp', 'static', 'vrrp',
]);

/** Well-known communities (RFC 1997, RFC 9494) by the names Junos accepts in `members`. */
export const WELL_KNOWN_COMMUNITIES: Record<string, string> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'no-export-subconfed': '65535:65283',
  'llgr-stale': '65535:6',
  'no-llgr': '65535:7',
};

/** A community value as `members` takes it, or undefined: `AS:N` (16-bit each), `target:`/`origin:` + `AS|IPv4:N`, a well-known name. */
export function isCommunityValue(text: string): boolean {
  if (Object.prototype.hasOwnProperty.call(WELL_KNOWN_COMMUNITIES, text)) return true;
  const std = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (std) return Number(std[1]) <= 0xffff && Number(std[2]) <= 0xffff;
  const ext = /^(target|origin):(.+)$/.exec(text);
  return !!ext && isRouteDistinguisher(ext[2]!);
}

interface PolicyOptionsState {
  communities: Map<string, CommunityDef>;
  prefixLists: Map<string, PrefixListDef>;
  policies: ConfNode[];
}

const OPTIONS_HANDLERS: Record<string, StatementHandler<PolicyOptionsState>> = {
  community: (n, st, ctx, p) => {
    const name = n.words[1];
    if (name === undefined) return error(ctx, n.loc, 'community: missing name');
    const def: CommunityDef = { name, members: [], loc: n.loc };
    let bad = false;
    for (const c of n.children) {
      if (c.inactive) {
        ctx.device.ignored.push({ path: `inactive: ${[...p, ...n.words, ...c.words].join(' ')}`, loc: c.loc });
      } else if (c.words[0] === 'members' && !c.children.length) {
        for (let i = 1; i < c.words.length; i++) {
          const m = c.words[i]!;
          if (!isCommunityValue(m)) {
            bad = true;
            error(ctx, wordLoc(c, i), `community ${name}: member '${m}' is not a community value (AS:N, target:X:N, origin:X:N or a well-known name; regular expressions are not modelled)`);
          } else if (!def.members.includes(m)) def.members.push(m);
        }
      } else if (c.words[0] === 'invert-match') {
        error(ctx, c.loc, `community ${name}: invert-match is not modelled`);
      } else ignore(ctx, c, [...p, ...n.words]);
    }
    if (!def.members.length && !bad) error(ctx, n.loc, `community ${name}: no members`);
    st.communities.set(name, def);
  },
  'prefix-list': (n, st, ctx, p) => {
    const name = n.words[1];
    if (name === undefined) return error(ctx, n.loc, 'prefix-list: missing name');
    // `prefix-list P 10.0.0.0/8` is one statement per prefix (the schema's lone-word rule): merge them.
    const def: PrefixListDef = st.prefixLists.get(name) ?? { name, prefixes: [], loc: n.loc };
    const add = (prefix: string): void => {
      if (!def.prefixes.includes(prefix)) def.prefixes.push(prefix);
    };
    if (n.words.length === 3 && !n.children.length) {
      const pv = parsePrefix(n.words[2]!);
      if (typeof pv === 'string') error(ctx, wordLoc(n, 2), `prefix-list ${name}: ${pv}`);
      else add(pv.prefix);
    } else if (n.words.length > 3) ignore(ctx, n, p);
    for (const c of n.children) {
      if (c.inactive) {
        ctx.device.ignored.push({ path: `inactive: ${[...p, ...n.words, ...c.words].join(' ')}`, loc: c.loc });
      } else if (c.words[0] === 'apply-path' && c.words.length === 2) {
        def.applyPath = c.words[1]!;
        for (const v of applyPath(ctx.root, c.words[1]!)) {
          const pv = parsePrefix(v);
          if (typeof pv !== 'string') add(pv.prefix);
        }
      } else if (c.words.length === 1 && !c.children.length) {
        const pv = parsePrefix(c.words[0]!);
        if (typeof pv === 'string') error(ctx, c.loc, `prefix-list ${name}: ${pv}`);
        else add(pv.prefix);
      } else ignore(ctx, c, [...p, ...n.words]);
    }
    st.prefixLists.set(name, def);
  },
  'policy-statement': (n, st, ctx) => {
    if (n.words[1] === undefined) return error(ctx, n.loc, 'policy-statement: missing name');
    st.policies.push(n);
  },
};

/** `policy-options { ... }` (top level). */
export function policyOptions(n: ConfNode, device: Device, ctx: BuildContext, p: string[]): void {
  const path = [...p, ...n.words];
  const st: PolicyOptionsState = { communities: new Map(), prefixLists: new Map(), policies: [] };
  dispatch(OPTIONS_HANDLERS, n, st, ctx, path);
  device.communities = [...st.communities.values()];
  device.prefixLists = [...st.prefixLists.values()];
  device.policies = st.policies.map((pn) => policyStatement(pn, st, ctx, path));
}

function policyStatement(n: ConfNode, st: PolicyOptionsState, ctx: BuildContext, p: string[]): PolicyStatement {
  const name = n.words[1]!;
  const path = [...p, ...n.words];
  const pol: PolicyStatement = { name, terms: [], loc: n.loc };
  // from/then/to directly under the statement form the final unnamed term.
  const unnamed: ConfNode[] = [];
  for (const c of n.children) {
    const kw = c.words[0]!;
    if (kw === 'apply-groups' || kw === 'apply-groups-except') continue;
    if (c.inactive) ctx.device.ignored.push({ path: `inactive: ${[...path, ...c.words].join(' ')}`, loc: c.loc });
    else if (kw === 'term' && c.words.length === 2) pol.terms.push(term(c.children, c.words[1], c.loc, st, ctx, [...path, ...c.words], `policy-statement ${name} term ${c.words[1]}`));
    else if (kw === 'from' || kw === 'then' || kw === 'to') unnamed.push(c);
    else ignore(ctx, c, path);
  }
  if (unnamed.length) pol.terms.push(term(unnamed, undefined, unnamed[0]!.loc, st, ctx, path, `policy-statement ${name}`));
  return pol;
}

function term(children: ConfNode[], name: string | undefined, loc: SourceLoc, st: PolicyOptionsState, ctx: BuildContext, p: string[], what: string): PolicyTerm {
  const t: PolicyTerm = { then: { communities: [] }, loc };
  if (name !== undefined) t.name = name;
  for (const c of children) {
    const kw = c.words[0]!;
    if (kw === 'apply-groups' || kw === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...p, ...c.words].join(' ')}`, loc: c.loc });
    } else if (kw === 'from' && c.words.length === 1) {
      t.from = from(c, t.from ?? {}, st, ctx, [...p, 'from'], what);
    } else if (kw === 'then' && c.words.length === 1) {
      then(c, t.then, st, ctx, [...p, 'then'], what);
    } else {
      // `to` (and anything else here) is not modelled: reported, and the term matches nothing.
      ignore(ctx, c, p);
      if (kw !== 'then') (t.from ??= {}).unmodelled = true;
    }
  }
  return t;
}

const listOf = <T>(arr: T[] | undefined): T[] => arr ?? [];
const MODELLED_FROM = new Set(['community', 'protocol', 'prefix-list', 'neighbor', 'route-filter']);

function from(n: ConfNode, f: PolicyFrom, st: PolicyOptionsState, ctx: BuildContext, p: string[], what: string): PolicyFrom {
  for (const c of n.children) {
    const kw = c.words[0]!;
    const args = c.words.slice(1);
    if (kw === 'apply-groups' || kw === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...p, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const known = MODELLED_FROM.has(kw) && !c.children.length;
    if (!known) {
      ignore(ctx, c, p);
      f.unmodelled = true;
      continue;
    }
    if (args.length === 0) {
      error(ctx, c.loc, `${what}: from ${kw}: missing value`);
      continue;
    }
    switch (kw) {
      case 'community':
        args.forEach((name, i) => {
          const def = st.communities.get(name);
          if (!def) error(ctx, wordLoc(c, i + 1), `${what}: community ${name} is not defined`);
          else (f.communities = listOf(f.communities)).push(def);
        });
        break;
      case 'protocol':
        args.forEach((proto, i) => {
          if (!PROTOCOLS.has(proto)) error(ctx, wordLoc(c, i + 1), `${what}: '${proto}' is not a protocol (${[...PROTOCOLS].join(', ')})`);
          else if (!listOf(f.protocols).includes(proto)) (f.protocols = listOf(f.protocols)).push(proto);
        });
        break;
      case 'prefix-list':
        args.forEach((name, i) => {
          const def = st.prefixLists.get(name);
          if (!def) error(ctx, wordLoc(c, i + 1), `${what}: prefix-list ${name} is not defined`);
          else (f.prefixLists = listOf(f.prefixLists)).push(def);
        });
        break;
      case 'neighbor':
        args.forEach((a, i) => {
          const ip = parseIp(a);
          if (!ip) error(ctx, wordLoc(c, i + 1), `${what}: neighbor '${a}' is not an IP address`);
          else (f.neighbors = listOf(f.neighbors)).push(formatIp(ip));
        });
        break;
      case 'route-filter': {
        const rf = routeFilter(c, ctx, p, what);
        if (rf === 'unmodelled') f.unmodelled = true;
        else if (rf) (f.routeFilters = listOf(f.routeFilters)).push(rf);
        break;
      }
    }
  }
  return f;
}

/** `route-filter P TYPE [ARG]`; the route lengths each match type allows (Junos "Route Filter Match Conditions", Table 1). */
function routeFilter(c: ConfNode, ctx: BuildContext, p: string[], what: string): RouteFilter | 'unmodelled' | undefined {
  const pv = parsePrefix(c.words[1]!);
  if (typeof pv === 'string') return void error(ctx, wordLoc(c, 1), `${what}: route-filter: ${pv}`);
  const bits = pv.family === 'inet' ? 32 : 128;
  const type = c.words[2];
  const base = { prefix: pv.prefix, length: pv.length, loc: c.loc };
  let rf: RouteFilter;
  let used = 3;
  const lengthArg = (text: string | undefined, i: number): number | undefined => {
    const m = text === undefined ? null : /^\/(\d{1,3})$/.exec(text);
    const n = m ? Number(m[1]) : NaN;
    if (!(n >= pv.length && n <= bits)) {
      error(ctx, wordLoc(c, i), `${what}: route-filter ${pv.prefix} ${type}: '${text ?? ''}' is not a length /${pv.length}../${bits}`);
      return undefined;
    }
    return n;
  };
  switch (type) {
    case 'exact':
      rf = { ...base, match: 'exact', min: pv.length, max: pv.length };
      break;
    case 'longer':
      rf = { ...base, match: 'longer', min: pv.length + 1, max: bits };
      break;
    case 'orlonger':
      rf = { ...base, match: 'orlonger', min: pv.length, max: bits };
      break;
    case 'upto': {
      const n = lengthArg(c.words[3], 3);
      if (n === undefined) return undefined;
      rf = { ...base, match: 'upto', min: pv.length, max: n };
      used = 4;
      break;
    }
    case 'prefix-length-range': {
      const m = /^\/(\d{1,3})-\/(\d{1,3})$/.exec(c.words[3] ?? '');
      const a = m ? Number(m[1]) : NaN;
      const b = m ? Number(m[2]) : NaN;
      if (!(a >= pv.length && a <= b && b <= bits)) {
        return void error(ctx, wordLoc(c, 3), `${what}: route-filter ${pv.prefix} prefix-length-range: '${c.words[3] ?? ''}' is not /A-/B with ${pv.length} <= A <= B <= ${bits}`);
      }
      rf = { ...base, match: 'prefix-length-range', min: a, max: b };
      used = 4;
      break;
    }
    case 'through':
    case 'address-mask':
      ignore(ctx, c, p);
      return 'unmodelled';
    default:
      return void error(
        ctx,
        type === undefined ? c.loc : wordLoc(c, 2),
        `${what}: route-filter ${pv.prefix}: ${type === undefined ? 'missing match type' : `'${type}' is not a match type`} (exact, longer, orlonger, upto /N, prefix-length-range /A-/B)`,
      );
  }
  if (c.words.length > used) {
    // Actions on a route filter would decide for the term: not modelled, so the term matches nothing.
    ignore(ctx, c, p);
    return 'unmodelled';
  }
  return rf;
}

const U32_MAX = 4294967295;

function then(n: ConfNode, t: PolicyThen, st: PolicyOptionsState, ctx: BuildContext, p: string[], what: string): void {
  const flow = (c: ConfNode, f: NonNullable<PolicyThen['flow']>): void => {
    if (t.flow !== undefined && t.flow !== f) error(ctx, c.loc, `${what}: '${c.words.join(' ')}' conflicts with '${t.flow.replace('-', ' ')}'`);
    else t.flow = f;
  };
  const u32 = (c: ConfNode, field: 'localPreference' | 'metric'): void => {
    const v = c.words[1]!;
    if (c.words.length !== 2) return ignore(ctx, c, p); // `metric add N`, `local-preference subtract N`, `metric igp`: not modelled
    if (!/^\d{1,10}$/.test(v) || Number(v) > U32_MAX) return error(ctx, wordLoc(c, 1), `${what}: ${c.words[0]} '${v}' is not 0..${U32_MAX}`);
    t[field] = Number(v);
  };
  for (const c of n.children) {
    const kw = c.words[0]!;
    if (kw === 'apply-groups' || kw === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...p, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    if (c.children.length) {
      ignore(ctx, c, p);
      continue;
    }
    switch (kw) {
      case 'accept':
      case 'reject':
        if (c.words.length > 1) ignore(ctx, c, p);
        else flow(c, kw);
        break;
      case 'next':
        if (c.words[1] === 'term' && c.words.length === 2) flow(c, 'next-term');
        else if (c.words[1] === 'policy' && c.words.length === 2) flow(c, 'next-policy');
        else error(ctx, wordLoc(c, 1), `${what}: 'next ${c.words.slice(1).join(' ')}' is not 'next term' or 'next policy'`);
        break;
      case 'local-preference':
        if (c.words.length >= 2) u32(c, 'localPreference');
        else error(ctx, c.loc, `${what}: local-preference: missing value`);
        break;
      case 'metric':
        if (c.words.length >= 2) u32(c, 'metric');
        else error(ctx, c.loc, `${what}: metric: missing value`);
        break;
      case 'community': {
        const op = c.words[1];
        if (op !== 'add' && op !== 'set' && op !== 'delete') {
          error(ctx, op === undefined ? c.loc : wordLoc(c, 1), `${what}: community: '${op ?? ''}' is not add, set or delete`);
          break;
        }
        if (c.words.length < 3) error(ctx, c.loc, `${what}: community ${op}: missing community name`);
        for (let i = 2; i < c.words.length; i++) {
          const def = st.communities.get(c.words[i]!);
          if (!def) error(ctx, wordLoc(c, i), `${what}: community ${c.words[i]} is not defined`);
          else t.communities.push({ op, community: def, loc: c.loc });
        }
        break;
      }
      case 'next-hop': {
        const v = c.words[1];
        if (c.words.length !== 2) error(ctx, c.loc, `${what}: next-hop: expected 'self' or an address`);
        else if (v === 'self') t.nextHop = 'self';
        else {
          const ip = parseIp(v!);
          if (ip) t.nextHop = formatIp(ip);
          else ignore(ctx, c, p); // peer-address, discard, reject: not modelled
        }
        break;
      }
      default:
        ignore(ctx, c, p);
    }
  }
}

/**
 * The values an `apply-path` names in this configuration: `<*>` (or `<glob*>`)
 * stands for any word. A path that starts `logical-systems NAME` where the
 * configuration has no such logical system is read from the top: the
 * configuration is that logical system's own (the seed's routers are logical
 * systems of one MX, each given here as a device).
 */
export function applyPath(root: ConfNode | undefined, text: string): string[] {
  if (!root) return [];
  let tokens = text.trim().split(/\s+/);
  if (tokens[0] === 'logical-systems' && tokens.length > 2) {
    const ls = root.children.find((c) => c.words[0] === 'logical-systems' && !c.inactive);
    const named = ls?.children.some((c) => !c.inactive && wordMatches(tokens[1]!, c.words[0]!));
    if (!named) tokens = tokens.slice(2);
  }
  const out: string[] = [];
  const walk = (node: ConfNode, i: number): void => {
    for (const c of node.children) {
      if (c.inactive || i + c.words.length > tokens.length) continue;
      if (!c.words.every((w, j) => wordMatches(tokens[i + j]!, w))) continue;
      const next = i + c.words.length;
      if (next === tokens.length) out.push(c.words[c.words.length - 1]!);
      else walk(c, next);
    }
  };
  walk(root, 0);
  return out;
}

function wordMatches(pattern: string, word: string): boolean {
  const m = /^<(.*)>$/.exec(pattern);
  if (!m) return pattern === word;
  const glob = m[1]!.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${glob.join('.*')}$`).test(word);
}
