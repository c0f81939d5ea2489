// Junos-style `show route`: every table's routes, the BGP paths among them
// (src/bgp/speaker.ts), `detail`, the VPN table bgp.l3vpn.0 and
// `receive-protocol bgp PEER`. Layouts follow the seed's outputs and Junos's
// ("+ = Active Route ..."), trimmed to what the emulator models; ages are 0.

import type { DeviceRt } from '../device/device.js';
import { formatPrefix, parsePrefix, type Route, type RouteTable } from '../l3/table.js';
import { formatAsPath, type BgpPath } from '../bgp/path.js';
import { BGP_PREFERENCE, VPN_TABLE, instanceOfTable } from '../bgp/speaker.js';
import { DEFAULT_LOCAL_PREF } from '../bgp/path.js';

/** One entry of a prefix: a route of another protocol, or a BGP path. */
type Entry =
  | { kind: 'route'; r: Route }
  | { kind: 'bgp'; p: BgpPath; via: string; reason: string };

interface Dest {
  prefix: string;
  sortKey: { family: 4 | 6; net4: number; net6: Uint8Array | null; len: number };
  entries: Entry[];
  /** Index of the active entry (-1: none, every BGP path unusable). */
  active: number;
}

export interface RouteQuery {
  prefix?: string;
  table?: string;
  detail?: boolean;
}

/** `show route [P] [table T] [detail]`. */
export function showRoute(dev: DeviceRt, q: RouteQuery): string {
  if (q.table === VPN_TABLE) return vpnTable(dev, q);
  const filter = q.prefix ? parsePrefix(q.prefix) : undefined;
  const out: string[] = [];
  for (const t of dev.tables) {
    if (q.table !== undefined && t.name !== q.table) continue;
    if (filter && filter.family !== t.family) continue;
    let dests = destinations(dev, t);
    const all = dests;
    if (filter) {
      // Junos `show route P`: the longest match for an address, or the exact prefix.
      const want = filter.family === 4 ? t.matched4(filter.net4) : t.matched6(filter.net6!);
      const exact = formatPrefix(filter);
      const hit = dests.find((d) => d.prefix === exact) ?? dests.find((d) => d.prefix === want);
      dests = hit ? [hit] : [];
    }
    if (dests.length === 0) continue;
    out.push(summary(dev, t, all));
    if (!q.detail) out.push('+ = Active Route, - = Last Active, * = Both', '');
    for (const d of dests) out.push(...(q.detail ? detailLines(dev, d) : briefLines(d)));
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** A table's first line: "inet.0: 19 destinations, 33 routes (19 active, 0 holddown, 0 hidden)". */
function summary(dev: DeviceRt, t: RouteTable, all: Dest[] = destinations(dev, t)): string {
  const routes = all.reduce((s, d) => s + d.entries.length, 0);
  const active = all.filter((d) => d.active >= 0).length;
  return `${t.name}: ${all.length} destinations, ${routes} routes (${active} active, 0 holddown, ${hidden(dev, t.name)} hidden)`;
}

/** Paths Junos keeps hidden: rejected by import policy, or reflected back (AS-path loops through the local AS are not kept: see SessionRt.asPathLooped). */
function hidden(dev: DeviceRt, table: string): number {
  let n = 0;
  for (const s of dev.bgp?.sessions ?? []) {
    const inst = instanceOfTable(table);
    if (s.cfg.instance === inst) n += s.rejected + s.looped - s.asPathLooped;
  }
  return n;
}

/** A table's destinations in prefix order: its routes and its BGP paths merged, the active one marked. */
function destinations(dev: DeviceRt, t: RouteTable): Dest[] {
  const by = new Map<string, Dest>();
  for (const list of t.routes()) {
    if (list[0]!.protocol === 'Broadcast') continue; // in the forwarding table, not `show route`
    const prefix = formatPrefix(list[0]!);
    by.set(prefix, { prefix, sortKey: list[0]!, entries: list.map((r) => ({ kind: 'route', r })), active: 0 });
  }
  const rib = dev.bgp?.tables.get(t.name)?.rib;
  for (const p of rib?.bestPaths() ?? []) {
    const entries = dev.bgp!.entries(t.name, p.prefix);
    let d = by.get(p.prefix);
    if (!d) by.set(p.prefix, (d = { prefix: p.prefix, sortKey: parsePrefix(p.prefix), entries: [], active: -1 }));
    const other = d.entries.length ? (d.entries[0] as { r: Route }).r : undefined;
    const bgpWins = !other || other.preference > BGP_PREFERENCE;
    const bgp: Entry[] = entries.map((e) => ({ kind: 'bgp', p: e.path, via: e.via, reason: e.active && !bgpWins ? 'Route Preference' : e.reason }));
    d.entries = bgpWins ? [...bgp, ...d.entries] : [...d.entries, ...bgp];
    d.active = 0;
  }
  return [...by.values()].sort((a, b) => cmp(a.sortKey, b.sortKey));
}

function cmp(a: Dest['sortKey'], b: Dest['sortKey']): number {
  if (a.family === 4) return a.net4 - b.net4 || a.len - b.len;
  for (let i = 0; i < 16; i++) if (a.net6![i] !== b.net6![i]) return a.net6![i]! - b.net6![i]!;
  return a.len - b.len;
}

const PAD = ''.padEnd(20);

/** Junos lists communities by type: route targets, then sites of origin, then standard ones. */
function byCommunityType(a: string, b: string): number {
  const rank = (c: string): number => (c.startsWith('target:') ? 0 : c.startsWith('origin:') ? 1 : 2);
  return rank(a) - rank(b);
}

function briefLines(d: Dest): string[] {
  const lines: string[] = [];
  d.entries.forEach((e, k) => {
    const first = k === 0;
    const mark = k === d.active ? '*' : ' ';
    const head = `${(first ? d.prefix : '').padEnd(19)}${mark}`;
    if (e.kind === 'route') {
      lines.push(`${head}[${e.r.protocol}/${e.r.preference}] 00:00:00`);
      for (const v of e.r.via) lines.push(`${PAD}${v.startsWith('to ') || v.startsWith('via ') ? '>  ' : '   '}${v}`);
      return;
    }
    const p = e.p;
    const attrs = [p.med !== undefined ? `MED ${p.med}` : '', `localpref ${p.localPref ?? DEFAULT_LOCAL_PREF}`, from(p, e.via)].filter((x) => x);
    lines.push(`${head}[BGP/${BGP_PREFERENCE}] 00:00:00, ${attrs.join(', ')}`);
    lines.push(`${PAD}  AS path: ${formatAsPath(p)}, validation-state: unverified`);
    lines.push(`${PAD}> ${e.via}`);
  });
  return lines;
}

/** Junos names the peer ("from 10.0.0.2") unless the packets go to the peer itself (a directly connected session). */
const from = (p: BgpPath, via: string): string => (via.startsWith(`to ${p.peer} `) ? '' : `from ${p.peer}`);

function detailLines(dev: DeviceRt, d: Dest): string[] {
  const lines = [`${d.prefix} (${d.entries.length} entr${d.entries.length === 1 ? 'y' : 'ies'}, ${d.active >= 0 ? 1 : 0} announced)`];
  d.entries.forEach((e, k) => {
    const mark = k === d.active ? '*' : ' ';
    if (e.kind === 'route') {
      lines.push(`        ${mark}${e.r.protocol.padEnd(7)}Preference: ${e.r.preference}`);
      for (const v of e.r.via) lines.push(`                Next hop: ${v.replace(/^to /, '')}`);
      lines.push(`                State: <${k === d.active ? 'Active ' : ''}Int>`);
      return;
    }
    const p = e.p;
    const lp = p.localPref ?? DEFAULT_LOCAL_PREF;
    const localAs = dev.bgp?.localAs;
    lines.push(`        ${mark}BGP    Preference: ${BGP_PREFERENCE}/-${lp + 1}`);
    if (p.rd) lines.push(`                Route Distinguisher: ${p.rd}`);
    lines.push(`                Source: ${p.peer}`);
    const [hop, ...labels] = e.via.split(', ');
    lines.push(`                Next hop: ${hop!.replace(/^to /, '')}${e.via.startsWith('to ') ? ', selected' : ''}`);
    if (labels.length) lines.push(`                Label operation: ${labels.join(', ')}`);
    lines.push(`                Protocol next hop: ${p.nextHop}`);
    lines.push(`                State: <${[k === d.active ? 'Active' : '', p.internal ? 'Int' : '', 'Ext'].filter((x) => x).join(' ')}>`);
    lines.push(`                Local AS: ${String(localAs ?? '').padStart(5)} Peer AS: ${String(p.peerAs).padStart(5)}`);
    lines.push(`                AS path: ${formatAsPath(p)}${p.originatorId ? ' (Originator)' : ''}`);
    if (p.clusterList.length) lines.push(`                Cluster list:  ${p.clusterList.join(' ')}`);
    if (p.originatorId) lines.push(`                Originator ID: ${p.originatorId}`);
    if (p.med !== undefined) lines.push(`                Metric: ${p.med}`);
    if (p.communities.length) lines.push(`                Communities: ${[...p.communities].sort(byCommunityType).join(' ')}`);
    lines.push('                Import Accepted');
    if (p.label !== undefined) lines.push(`                VPN Label: ${p.label}`);
    lines.push(`                Localpref: ${lp}`);
    lines.push(`                Router ID: ${p.peerRouterId}`);
    if (e.reason) lines.push(`                Inactive reason: ${e.reason}`);
  });
  return lines;
}

/** `show route table bgp.l3vpn.0`: the VPN routes received, "RD:prefix", every path, the best marked. */
function vpnTable(dev: DeviceRt, q: RouteQuery): string {
  const vpn = dev.bgp?.vpn ?? new Map<string, Map<string, BgpPath>>();
  const keys = [...vpn.keys()].filter((k) => !q.prefix || k.endsWith(`:${formatPrefix(parsePrefix(q.prefix))}`)).sort();
  const n = [...vpn.values()].reduce((s, m) => s + m.size, 0);
  const out = [`${VPN_TABLE}: ${vpn.size} destinations, ${n} routes (${vpn.size} active, 0 holddown, 0 hidden)`, '+ = Active Route, - = Last Active, * = Both', ''];
  for (const k of keys) {
    const sel = dev.bgp!.vpnSelection(k);
    sel.paths.forEach((x, i) => {
      const p = x.path;
      const attrs = [p.med !== undefined ? `MED ${p.med}` : '', `localpref ${p.localPref ?? DEFAULT_LOCAL_PREF}`, from(p, x.via)].filter((y) => y);
      out.push(`${(i === 0 ? k : '').padEnd(19)}${i === sel.best ? '*' : ' '}[BGP/${BGP_PREFERENCE}] 00:00:00, ${attrs.join(', ')}`);
      out.push(`${PAD}  AS path: ${formatAsPath(p)}, validation-state: unverified`);
      out.push(`${PAD}> ${x.via}`);
    });
  }
  return out.join('\n').trimEnd();
}

/** `show route receive-protocol bgp PEER [table T]`: what the peer sent that import accepted, as Junos lists it. */
export function receiveProtocol(dev: DeviceRt, peer: string, table?: string): string {
  const sessions = (dev.bgp?.sessions ?? []).filter((s) => s.cfg.peer === peer);
  if (!sessions.length) throw new Error(`show route receive-protocol bgp: ${peer} is not a BGP neighbor of ${dev.name}`);
  const out: string[] = [];
  for (const s of sessions) {
    const byTable = new Map<string, BgpPath[]>();
    for (const p of s.adjIn.values()) {
      if (table !== undefined && p.table !== table) continue;
      let l = byTable.get(p.table);
      if (!l) byTable.set(p.table, (l = []));
      l.push(p);
    }
    for (const [t, paths] of [...byTable].sort()) {
      // Junos heads each table with its `show route` summary line (the seed: "inet.0: 19 destinations, 33 routes (19 active, 0 holddown, 0 hidden)").
      const rt = dev.tableByName.get(t);
      out.push(rt ? summary(dev, rt) : vpnTable(dev, {}).split('\n')[0]!);
      out.push(`  Prefix                  Nexthop              MED     Lclpref    AS path`);
      paths.sort((a, b) => cmp(parsePrefix(a.prefix), parsePrefix(b.prefix)));
      for (const p of paths) {
        const active = dev.bgp!.isActive(p);
        const lp = s.cfg.internal ? String(p.localPref ?? DEFAULT_LOCAL_PREF) : '';
        out.push(`${active ? '*' : ' '} ${p.prefix.padEnd(23)} ${p.nextHop.padEnd(20)} ${String(p.med ?? '').padEnd(7)} ${lp.padEnd(10)} ${formatAsPath(p)}`);
      }
      out.push('');
    }
  }
  return out.join('\n').trimEnd();
}
