// VRRP groups (RFC 3768 / 5798) in both front ends: Junos `vrrp-group` /
// `vrrp-inet6-group` under an interface address and `protocols vrrp`, and the
// YAML unit key `vrrp:`. Both build VrrpGroup (model.ts) and share the checks.

import type { Node } from 'yaml';
import type { Family, Ifl, SourceLoc, VrrpGroup } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, wordLoc, type BuildContext, type HandlerTable, type StatementHandler } from './junos-build.js';
import type { AddressTarget } from './junos-interfaces.js';
import type { YamlReader } from './yaml-reader.js';
import { parseInterfaceAddress, parseIntIn, parseIp, sameSubnet } from './values.js';

/** Junos ranges (CLI reference: vrrp-group, priority, advertise-interval, fast-interval, inet6-advertise-interval). */
export const VRRP_GROUP_MAX = 255;
export const VRRP_PRIORITY_DEFAULT = 100;
export const VRRP_OWNER_PRIORITY = 255;
export const VRRP_INTERVAL_DEFAULT_MS = 1000;
const ADVERTISE_INTERVAL = { min: 1, max: 255 }; // seconds
const FAST_INTERVAL = { min: 10, max: 40950 }; // ms
const INET6_ADVERTISE_INTERVAL = { min: 100, max: 40950 }; // ms

interface GroupTarget {
  g: VrrpGroup;
  ctx: BuildContext;
}

function intervalHandler(what: string, lo: number, hi: number, scale: number): StatementHandler<GroupTarget> {
  return (n, t, ctx, p) => {
    const text = single(ctx, n, p, what);
    if (text === undefined) return;
    const v = parseIntIn(text, lo, hi);
    if (v === undefined) error(ctx, wordLoc(n, 1), `${what} '${text}' is not in ${lo}..${hi}`);
    else t.g.advertiseIntervalMs = v * scale;
  };
}

function virtualAddress(family: Family): StatementHandler<GroupTarget> {
  return (n, t, ctx) => {
    for (let i = 1; i < n.words.length; i++) {
      const w = n.words[i]!;
      const ip = parseIp(w);
      if (!ip || ip.family !== family) {
        error(ctx, wordLoc(n, i), `${n.words[0]}: '${w}' is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`);
        continue;
      }
      t.g.virtualAddresses.push(w);
    }
  };
}

const GROUP_HANDLERS: HandlerTable<GroupTarget> = {
  'virtual-address': virtualAddress('inet'),
  'virtual-inet6-address': virtualAddress('inet6'),
  'virtual-link-local-address': (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'address');
    if (text === undefined) return;
    const ip = parseIp(text);
    if (!ip || ip.family !== 'inet6' || (ip.value >> 118n) !== 0x3fan) error(ctx, wordLoc(n, 1), `virtual-link-local-address '${text}' is not an IPv6 link-local address (fe80::/10)`);
    else t.g.virtualLinkLocal = text;
  },
  priority: (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'priority');
    if (text === undefined) return;
    const v = parseIntIn(text, 1, VRRP_OWNER_PRIORITY);
    if (v === undefined) error(ctx, wordLoc(n, 1), `priority '${text}' is not in 1..${VRRP_OWNER_PRIORITY}`);
    else t.g.priority = v;
  },
  preempt: (n, t) => {
    t.g.preempt = true;
    // `preempt { hold-time S; }`: the hold time is not emulated (reported).
    for (const c of n.children) ignore(t.ctx, c, ['preempt']);
  },
  'no-preempt': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.g.preempt = false;
  },
  'accept-data': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.g.acceptData = true;
  },
  'no-accept-data': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.g.acceptData = false;
  },
  'advertise-interval': intervalHandler('advertise-interval', ADVERTISE_INTERVAL.min, ADVERTISE_INTERVAL.max, 1000),
  'fast-interval': intervalHandler('fast-interval', FAST_INTERVAL.min, FAST_INTERVAL.max, 1),
  'inet6-advertise-interval': intervalHandler('inet6-advertise-interval', INET6_ADVERTISE_INTERVAL.min, INET6_ADVERTISE_INTERVAL.max, 1),
};

/** `vrrp-group G { ... }` / `vrrp-inet6-group G { ... }` under `family inet|inet6 address A/L`. */
export const vrrpGroup: StatementHandler<AddressTarget> = (n, t, ctx, p) => {
  const kw = n.words[0]!;
  const want: Family = kw === 'vrrp-group' ? 'inet' : 'inet6';
  if (t.family !== want) return error(ctx, n.loc, `${kw} is not valid under family ${t.family}`);
  const text = n.words[1];
  if (text === undefined) return error(ctx, n.loc, `${kw}: missing group number`);
  const group = parseIntIn(text, 0, VRRP_GROUP_MAX);
  if (group === undefined) return error(ctx, wordLoc(n, 1), `${kw} '${text}' is not in 0..${VRRP_GROUP_MAX}`);
  const g: VrrpGroup = {
    family: want, group, address: t.addr.address, prefixLength: t.addr.prefixLength, virtualAddresses: [], preempt: true, acceptData: false, loc: n.loc,
  };
  dispatch(GROUP_HANDLERS, n, { g, ctx }, ctx, [...p, ...n.words]);
  for (const problem of vrrpGroupProblems(t.ifl, g)) error(ctx, problem.loc ?? n.loc, problem.message);
  (t.ifl.vrrp ??= []).push(g);
};

/** `protocols vrrp { version-3; }`; the other statements (traceoptions, startup-silent-period, ...) are reported. */
export function protocolsVrrp(node: ConfNode, ctx: BuildContext, path: string[]): void {
  for (const c of node.children) {
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...path, ...node.words, ...c.words].join(' ')}`, loc: c.loc });
    } else if (c.words[0] === 'version-3') {
      flag(ctx, c, [...path, ...node.words]);
      ctx.device.vrrpVersion3 = true;
    } else ignore(ctx, c, [...path, ...node.words]);
  }
}

/**
 * The checks both front ends make: at least one virtual address, each in the
 * subnet of the address the group is under; priority 255 only for the address
 * owner (a virtual address that is the interface address); a group number
 * once per IFL and family.
 */
export function vrrpGroupProblems(ifl: Ifl, g: VrrpGroup): { loc?: SourceLoc; message: string }[] {
  const out: { loc?: SourceLoc; message: string }[] = [];
  const kw = g.family === 'inet' ? 'vrrp-group' : 'vrrp-inet6-group';
  const where = `${ifl.name} ${kw} ${g.group}`;
  if (g.virtualAddresses.length === 0) out.push({ loc: g.loc, message: `${where}: no ${g.family === 'inet' ? 'virtual-address' : 'virtual-inet6-address'}` });
  const own = parseInterfaceAddress(`${g.address}/${g.prefixLength}`);
  for (const v of g.virtualAddresses) {
    const ip = parseIp(v);
    if (typeof own !== 'string' && ip && !sameSubnet(own.ip, ip, g.prefixLength)) {
      out.push({ loc: g.loc, message: `${where}: virtual address ${v} is not in the subnet of ${g.address}/${g.prefixLength}` });
    }
  }
  if (g.priority === VRRP_OWNER_PRIORITY && !isOwner(g)) {
    out.push({ loc: g.loc, message: `${where}: priority 255 is the address owner's (a virtual address equal to ${g.address}); use 1..254` });
  }
  if (ifl.vrrp?.some((x) => x.family === g.family && x.group === g.group)) out.push({ loc: g.loc, message: `${where} is configured twice` });
  return out;
}

/** The address owner: one of the virtual addresses is the interface address itself (RFC 3768 section 1). */
export function isOwner(g: VrrpGroup): boolean {
  const own = parseIp(g.address);
  return g.virtualAddresses.some((v) => {
    const ip = parseIp(v);
    return ip !== undefined && own !== undefined && ip.value === own.value && ip.family === own.family;
  });
}

const YAML_GROUP_KEYS = ['group', 'virtual-address', 'virtual-link-local-address', 'priority', 'preempt', 'accept-data', 'advertise-interval', 'fast-interval'];

/**
 * YAML unit key `vrrp:` — a list of groups:
 * `{ group: 1, virtual-address: 10.0.0.1, priority: 200, preempt: true, accept-data: false, advertise-interval: 1 }`.
 * The family comes from the virtual address; the group is under the unit's
 * address whose subnet holds it.
 */
export function yamlVrrp(y: YamlReader, ifl: Ifl, node: Node | null, keyLoc?: SourceLoc): void {
  for (const item of y.seq(node, `${ifl.name} vrrp`, false, keyLoc)) {
    const e = new Map(y.map(item, `${ifl.name} vrrp group`, YAML_GROUP_KEYS).map((x) => [x.key, x]));
    const loc = y.loc(item);
    const gk = e.get('group');
    if (!gk) {
      y.error(item, `${ifl.name} vrrp: missing 'group'`);
      continue;
    }
    const group = y.int(gk.value, `${ifl.name} vrrp group`, 0, VRRP_GROUP_MAX);
    if (group === undefined) continue;
    const vips: string[] = [];
    const vk = e.get('virtual-address');
    for (const n of vk ? y.seq(vk.value, `${ifl.name} vrrp ${group} virtual-address`, true) : []) {
      const t = y.str(n, `${ifl.name} vrrp ${group} virtual-address`);
      if (t === undefined) continue;
      if (!parseIp(t)) y.error(n, `${ifl.name} vrrp ${group}: '${t}' is not an IP address`);
      else vips.push(t);
    }
    if (!vk || vips.length === 0) {
      if (!vk) y.error(item, `${ifl.name} vrrp ${group}: missing 'virtual-address'`);
      continue;
    }
    const first = parseIp(vips[0])!;
    const family: Family = first.family;
    if (vips.some((v) => parseIp(v)!.family !== family)) {
      y.error(vk.value, `${ifl.name} vrrp ${group}: virtual addresses of one group are all IPv4 or all IPv6`);
      continue;
    }
    const fam = ifl[family];
    const under = fam?.addresses.find((a) => {
      const own = parseInterfaceAddress(`${a.address}/${a.prefixLength}`);
      return typeof own !== 'string' && sameSubnet(own.ip, first, a.prefixLength);
    });
    if (!under) {
      y.error(vk.value, `${ifl.name} vrrp ${group}: virtual address ${vips[0]} is not in the subnet of any ${family} address of the unit`);
      continue;
    }
    const g: VrrpGroup = {
      family, group, address: under.address, prefixLength: under.prefixLength, virtualAddresses: vips, preempt: true, acceptData: false, loc,
    };
    const bool = (k: string): boolean | undefined => (e.has(k) ? y.bool(e.get(k)!.value, `${ifl.name} vrrp ${group} ${k}`) : undefined);
    g.preempt = bool('preempt') ?? true;
    g.acceptData = bool('accept-data') ?? false;
    if (e.has('priority')) g.priority = y.int(e.get('priority')!.value, `${ifl.name} vrrp ${group} priority`, 1, VRRP_OWNER_PRIORITY);
    if (e.has('advertise-interval')) {
      const s = y.int(e.get('advertise-interval')!.value, `${ifl.name} vrrp ${group} advertise-interval (seconds)`, ADVERTISE_INTERVAL.min, ADVERTISE_INTERVAL.max);
      if (s !== undefined) g.advertiseIntervalMs = s * 1000;
    }
    if (e.has('fast-interval')) {
      g.advertiseIntervalMs = y.int(e.get('fast-interval')!.value, `${ifl.name} vrrp ${group} fast-interval (ms)`, FAST_INTERVAL.min, FAST_INTERVAL.max);
    }
    if (e.has('virtual-link-local-address')) {
      const t = y.str(e.get('virtual-link-local-address')!.value, `${ifl.name} vrrp ${group} virtual-link-local-address`);
      const ip = t === undefined ? undefined : parseIp(t);
      if (t !== undefined && (!ip || ip.family !== 'inet6' || (ip.value >> 118n) !== 0x3fan || family !== 'inet6')) {
        y.error(e.get('virtual-link-local-address')!.value, `${ifl.name} vrrp ${group}: virtual-link-local-address '${t}' is not an IPv6 link-local address of an IPv6 group`);
      } else g.virtualLinkLocal = t;
    }
    for (const p of vrrpGroupProblems(ifl, g)) y.error(item, p.message);
    (ifl.vrrp ??= []).push(g);
  }
}
