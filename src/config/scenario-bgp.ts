// YAML BGP: a YAML-described device's (or VRF's) `bgp:` sessions, mirroring
// the Junos statements, and any device's `bgp-paths:`, the paths it has
// received (BGP is not spoken). A path names its peer by address; the peer's
// AS and whether the session is internal come from the configured session.
// The format is in docs/configuration.md ("BGP sessions and received paths").

import { isScalar, type Node } from 'yaml';
import type { BgpConfig, BgpFamily, BgpGroup, BgpNeighbor, BgpOptions, Device, RoutingInstance, SourceLoc } from './model.js';
import type { AsPathSegment, BgpPath, Origin } from '../bgp/path.js';
import type { FieldLocs } from './device-checks.js';
import type { MapEntry, YamlReader } from './yaml-reader.js';
import { bgpSessions, type BgpSession } from '../bgp/session.js';
import { formatIp, isRouteDistinguisher, parseIp, parseIpv4, parsePrefix } from './values.js';
import { LABEL_MAX, UNRESERVED_LABEL_MIN } from './junos-mpls.js';

const U32 = 0xffffffff;
const OPTION_KEYS = ['type', 'peer-as', 'local-as', 'local-address', 'family', 'import', 'export', 'as-override', 'metric-out', 'cluster', 'multipath', 'hold-time', 'description'];
/** `family:` values, as Junos writes them. */
const FAMILY_WORDS: Record<string, BgpFamily> = {
  'inet unicast': 'inet-unicast',
  'inet6 unicast': 'inet6-unicast',
  'inet-vpn unicast': 'inet-vpn-unicast',
  'inet6-vpn unicast': 'inet6-vpn-unicast',
  'evpn signaling': 'evpn-signaling',
};

/** `KEY:` or `KEY: null` (no options). */
const isEmpty = (n: Node | null): boolean => n === null || (isScalar(n) && n.value === null);

function names(y: YamlReader, node: Node | null, what: string): string[] {
  return y.seq(node, what, true).flatMap((n) => y.str(n, what) ?? []);
}

function option(y: YamlReader, locs: FieldLocs, o: BgpOptions, e: MapEntry, what: string): void {
  const { key, value } = e;
  const at = y.loc(e.keyNode);
  const w = `bgp ${what} ${key}`;
  switch (key) {
    case 'type': {
      const t = y.str(value, w, at);
      if (t === 'internal' || t === 'external') o.type = t;
      else if (t !== undefined) y.error(value, `${w}: expected internal or external, not '${t}'`);
      break;
    }
    case 'peer-as':
    case 'local-as': {
      const v = y.int(value, `${w} (an AS number)`, 1, U32, at);
      if (v === undefined) break;
      if (key === 'peer-as') o.peerAs = v;
      else o.localAs = v;
      locs.set(o, key === 'peer-as' ? 'peerAs' : 'localAs', y.loc(value, at));
      break;
    }
    case 'local-address': {
      const t = y.str(value, w, at);
      const ip = t === undefined ? undefined : parseIp(t);
      if (t !== undefined && !ip) y.error(value, `${w}: '${t}' is not an IP address`);
      else if (ip) o.localAddress = formatIp(ip);
      break;
    }
    case 'family':
      o.families = [];
      for (const n of y.seq(value, w, true, at)) {
        const t = y.str(n, w);
        const f = t === undefined ? undefined : FAMILY_WORDS[t];
        if (t !== undefined && !f) y.error(n, `${w}: '${t}' is not one of ${Object.keys(FAMILY_WORDS).join(', ')}`);
        else if (f && !o.families.includes(f)) o.families.push(f);
      }
      break;
    case 'import':
    case 'export':
      o[key] = names(y, value, w);
      break;
    case 'as-override':
      o.asOverride = y.bool(value, w, at);
      break;
    case 'metric-out':
      o.metricOut = y.int(value, w, 0, U32, at);
      break;
    case 'cluster': {
      const t = y.str(value, w, at);
      if (t !== undefined && parseIpv4(t) === undefined) y.error(value, `${w}: '${t}' is not an IPv4 address`);
      else o.cluster = t;
      break;
    }
    case 'multipath': {
      const v = value !== null && y.isMap(value) ? undefined : (value as { value?: unknown } | null)?.value;
      if (v === true || v === 'multiple-as') o.multipath = { multipleAs: v === 'multiple-as' };
      else if (v !== false) y.error(value, `${w}: expected true, false or multiple-as`, at);
      break;
    }
    case 'hold-time': {
      const v = y.int(value, `${w} (0 or 3..65535 seconds)`, 0, 65535, at);
      if (v !== undefined && v > 0 && v < 3) y.error(value, `${w}: ${v} is not 0 or 3..65535 seconds`, at);
      else o.holdTime = v;
      break;
    }
    case 'description':
      o.description = y.str(value, w, at);
      break;
  }
}

/** `bgp: { <options>, groups: { NAME: { <options>, neighbors: { ADDRESS: { <options> } | null } } } }` */
export function yamlBgp(y: YamlReader, locs: FieldLocs, node: Node | null, where: string, keyLoc?: SourceLoc): BgpConfig {
  const b: BgpConfig = { groups: [], loc: y.loc(node, keyLoc) };
  const seen = new Map<string, BgpNeighbor>();
  for (const e of y.map(node, `${where} bgp`, [...OPTION_KEYS, 'groups'], keyLoc)) {
    if (e.key !== 'groups') {
      option(y, locs, b, e, '');
      continue;
    }
    for (const ge of y.map(e.value, `${where} bgp groups`, undefined, y.loc(e.keyNode))) {
      const g: BgpGroup = { name: ge.key, neighbors: [], loc: y.loc(ge.keyNode) };
      b.groups.push(g);
      for (const o of isEmpty(ge.value) ? [] : y.map(ge.value, `bgp group ${g.name}`, [...OPTION_KEYS, 'neighbors'])) {
        if (o.key !== 'neighbors') {
          option(y, locs, g, o, `group ${g.name}`);
          continue;
        }
        for (const ne of y.map(o.value, `bgp group ${g.name} neighbors`, undefined, y.loc(o.keyNode))) {
          const ip = parseIp(ne.key);
          if (!ip) {
            y.error(ne.keyNode, `bgp group ${g.name}: neighbor '${ne.key}' is not an IP address`);
            continue;
          }
          const address = formatIp(ip);
          const loc = y.loc(ne.keyNode);
          const prev = seen.get(address);
          if (prev) {
            y.error(ne.keyNode, `bgp neighbor ${address} is configured twice (also at ${prev.loc?.line}:${prev.loc?.col})`);
            continue;
          }
          const nb: BgpNeighbor = { address, loc };
          seen.set(address, nb);
          g.neighbors.push(nb);
          for (const x of isEmpty(ne.value) ? [] : y.map(ne.value, `bgp neighbor ${address}`, OPTION_KEYS)) option(y, locs, nb, x, `neighbor ${address}`);
        }
      }
    }
  }
  return b;
}

/** Routing-instance keys of a VRF's BGP side. */
export const VRF_BGP_KEYS = ['bgp', 'vrf-table-label', 'vrf-import', 'vrf-export'];

export function yamlVrfBgpKey(y: YamlReader, locs: FieldLocs, inst: RoutingInstance, e: MapEntry): void {
  const at = y.loc(e.keyNode);
  if (inst.type !== 'vrf') y.error(e.keyNode, `routing instance ${inst.name}: ${e.key} is only valid in a vrf instance`);
  else if (e.key === 'bgp') inst.bgp = yamlBgp(y, locs, e.value, `routing instance ${inst.name}`, at);
  else if (e.key === 'vrf-table-label') inst.vrfTableLabel = y.bool(e.value, e.key, at);
  else if (e.key === 'vrf-import') inst.vrfImport = names(y, e.value, e.key);
  else inst.vrfExport = names(y, e.value, e.key);
}

// ---- bgp-paths ----

const PATH_KEYS = [
  'prefix', 'next-hop', 'peer', 'peer-router-id', 'table', 'local-pref', 'as-path', 'origin', 'med', 'communities', 'originator-id', 'cluster-list', 'rd', 'label',
];
const WELL_KNOWN = new Set(['no-export', 'no-advertise', 'no-export-subconfed']);

/** "65001 65002 {65003 65004}" → segments; a string of the problem otherwise. */
export function parseAsPath(text: string): AsPathSegment[] | string {
  const out: AsPathSegment[] = [];
  for (const tok of text.match(/\{[^}]*\}|[^\s{}]+|[{}]/g) ?? []) {
    const set = tok.startsWith('{');
    const words = set ? tok.slice(1, -1).trim().split(/\s+/).filter(Boolean) : [tok];
    if (tok === '{' || tok === '}' || (set && !tok.endsWith('}'))) return `unbalanced braces in '${text}'`;
    const asns: number[] = [];
    for (const w of words) {
      const n = /^\d{1,10}$/.test(w) ? Number(w) : NaN;
      if (!(n >= 1 && n <= U32)) return `'${w}' is not an AS number (1..${U32})`;
      asns.push(n);
    }
    if (set) out.push({ type: 'set', asns });
    else if (out.length && out[out.length - 1]!.type === 'sequence') out[out.length - 1]!.asns.push(...asns);
    else out.push({ type: 'sequence', asns });
  }
  return out;
}

/** A community as Junos writes it: "65000:100", a well-known name, "target:ADMIN:N", "origin:ADMIN:N". */
export function communityProblem(text: string): string | undefined {
  if (WELL_KNOWN.has(text)) return undefined;
  const std = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (std) return Number(std[1]) <= 0xffff && Number(std[2]) <= 0xffff ? undefined : `community '${text}': each half is 0..65535`;
  const ext = /^(target|origin):(.+):(\d{1,10})$/.exec(text);
  if (!ext) return `community '${text}' is not AS:N, target:ADMIN:N, origin:ADMIN:N or ${[...WELL_KNOWN].join(', ')}`;
  const admin = ext[2]!.replace(/L$/, '');
  const n = Number(ext[3]);
  // RFC 4360: 2-byte AS with a 4-byte number, or an IPv4 address / 4-byte AS with a 2-byte number.
  const asn = /^\d{1,10}$/.test(admin) ? Number(admin) : undefined;
  if (asn !== undefined && asn <= 0xffff && !ext[2]!.endsWith('L')) return n <= U32 ? undefined : `community '${text}': the number is 0..${U32}`;
  if ((asn !== undefined && asn <= U32) || parseIpv4(admin) !== undefined) return n <= 0xffff ? undefined : `community '${text}': with a 4-byte administrator the number is 0..65535`;
  return `community '${text}': '${ext[2]}' is not an AS number or an IPv4 address`;
}

/** Where a path goes: its table name, the instance whose session it came on, whether it is a VPN route. */
interface Table {
  table: string;
  instance: string;
  vpn: boolean;
}

function tableOf(y: YamlReader, d: Device, node: Node | null, text: string | undefined, v6: boolean): Table | undefined {
  const af = v6 ? 'inet6.0' : 'inet.0';
  if (text === undefined || text === af) return { table: af, instance: 'master', vpn: false };
  if (text === (v6 ? 'bgp.l3vpn-inet6.0' : 'bgp.l3vpn.0')) return { table: text, instance: 'master', vpn: true };
  const name = text.endsWith(`.${af}`) ? text.slice(0, -af.length - 1) : text;
  const inst = d.instances.find((i) => i.name === name && i.type === 'vrf');
  if (!inst) {
    const vrfs = d.instances.filter((i) => i.type === 'vrf').map((i) => i.name);
    y.error(node, `bgp path: table '${text}' is not ${af}, ${v6 ? 'bgp.l3vpn-inet6.0' : 'bgp.l3vpn.0'} or a VRF of ${d.name}${vrfs.length ? ` (${vrfs.join(', ')})` : ''}`);
    return undefined;
  }
  return { table: `${name}.${af}`, instance: name, vpn: false };
}

/** `bgp-paths: [ { prefix, peer, ... } ]` of device `d` (already built) → its received paths, each checked against d's sessions. */
export function yamlBgpPaths(y: YamlReader, node: Node | null, d: Device, keyLoc?: SourceLoc): BgpPath[] {
  const out: BgpPath[] = [];
  const sessions = bgpSessions(d);
  const seen = new Map<string, SourceLoc | undefined>();
  for (const item of y.seq(node, `device ${d.name} bgp-paths`, false, keyLoc)) {
    const e = new Map(y.map(item, 'bgp path', PATH_KEYS).map((x) => [x.key, x]));
    const loc = y.loc(item);
    const val = (k: string): Node | null => e.get(k)?.value ?? null;
    const str = (k: string): string | undefined => (e.has(k) ? y.str(val(k), `bgp path ${k}`, loc) : undefined);
    let ok = true;
    const bad = (n: Node | null, message: string): void => {
      y.error(n ?? item, message, loc);
      ok = false;
    };
    for (const k of ['prefix', 'peer']) if (!e.has(k)) bad(item, `bgp path: missing '${k}'`);
    const prefixText = str('prefix');
    const peerText = str('peer');
    if (prefixText === undefined || peerText === undefined) continue;
    const p = parsePrefix(prefixText);
    if (typeof p === 'string') {
      bad(val('prefix'), `bgp path: ${p}`);
      continue;
    }
    const what = `bgp path ${p.prefix}`;
    const t = tableOf(y, d, val('table'), str('table'), p.family === 'inet6');
    if (!t) continue;
    const peerIp = parseIp(peerText);
    if (!peerIp) {
      bad(val('peer'), `${what}: peer '${peerText}' is not an IP address`);
      continue;
    }
    const peer = formatIp(peerIp);
    // A VRF's path comes from one of its PE–CE sessions, or is a VPN route from a PE (a default-instance session carrying inet-vpn).
    const vpnFamily: BgpFamily = p.family === 'inet' ? 'inet-vpn-unicast' : 'inet6-vpn-unicast';
    let s: BgpSession | undefined = sessions.find((x) => x.instance === t.instance && x.peer === peer);
    let vpn = t.vpn;
    if (!s && t.instance !== 'master') {
      s = sessions.find((x) => x.instance === 'master' && x.peer === peer);
      vpn = s !== undefined;
    }
    if (!s) {
      const inInst = t.instance === 'master' ? '' : ` in routing instance ${t.instance} (nor of the default instance)`;
      bad(val('peer'), `${what}: peer ${peer} is not a configured BGP neighbor of ${d.name}${inInst}`);
      continue;
    }
    const family: BgpFamily = vpn ? vpnFamily : p.family === 'inet' ? 'inet-unicast' : 'inet6-unicast';
    if (!s.families.includes(family)) bad(val('peer'), `${what}: the session with ${peer} does not carry family ${family.replace(/-(unicast)$/, ' $1')} (it carries ${s.families.map((f) => f.replace(/-(unicast|signaling)$/, ' $1')).join(', ')})`);
    if (s.peerAs === undefined) bad(val('peer'), `${what}: the AS of the session with ${peer} is unknown (set routing-options autonomous-system or peer-as)`);
    const path: BgpPath = {
      prefix: p.prefix, table: t.table, nextHop: peer, peer, peerAs: s.peerAs ?? 0, internal: s.internal, peerRouterId: '', asPath: [], origin: 'igp', communities: [], clusterList: [], loc,
    };
    const nh = str('next-hop');
    if (nh !== undefined) {
      const ip = parseIp(nh);
      if (!ip || ip.family !== p.family) bad(val('next-hop'), `${what}: next-hop '${nh}' is not an ${p.family === 'inet' ? 'IPv4' : 'IPv6'} address`);
      else path.nextHop = formatIp(ip);
    }
    const rid = str('peer-router-id');
    if (rid !== undefined) {
      if (parseIpv4(rid) === undefined) bad(val('peer-router-id'), `${what}: peer-router-id '${rid}' is not an IPv4 address`);
      else path.peerRouterId = rid;
    }
    if (e.has('local-pref')) {
      path.localPref = y.int(val('local-pref'), `${what} local-pref`, 0, U32, loc);
      // RFC 4271 5.1.5: LOCAL_PREF is not sent to (and is ignored from) an external peer.
      if (!s.internal) bad(e.get('local-pref')!.keyNode, `${what}: local-pref is not carried on the external session with ${peer} (RFC 4271 5.1.5); an import policy sets it`);
    }
    if (e.has('med')) path.med = y.int(val('med'), `${what} med`, 0, U32, loc);
    if (e.has('as-path')) {
      const n = val('as-path');
      const raw = n !== null && 'value' in n ? (n as { value: unknown }).value : undefined;
      const text = typeof raw === 'number' ? String(raw) : raw === null || raw === '' ? '' : str('as-path');
      const segs = text === undefined ? undefined : parseAsPath(text);
      if (typeof segs === 'string') bad(n, `${what}: as-path: ${segs}`);
      else if (segs) path.asPath = segs;
    }
    // RFC 4271 5.1.2: a speaker prepends its own AS on an external session, so such a path is never empty.
    if (!s.internal && path.asPath.length === 0 && ok) bad(e.get('as-path')?.keyNode ?? item, `${what}: as-path is empty, but the external peer ${peer} puts its AS (${s.peerAs}) first (RFC 4271 5.1.2)`);
    const origin = str('origin');
    if (origin !== undefined) {
      if (origin === 'igp' || origin === 'egp' || origin === 'incomplete') path.origin = origin as Origin;
      else bad(val('origin'), `${what}: origin '${origin}' is not igp, egp or incomplete`);
    }
    for (const n of e.has('communities') ? y.seq(val('communities'), `${what} communities`, true, loc) : []) {
      const c = y.str(n, `${what} community`);
      if (c === undefined) continue;
      const problem = communityProblem(c);
      if (problem) bad(n, `${what}: ${problem}`);
      else path.communities.push(c);
    }
    const reflected = e.has('originator-id') || e.has('cluster-list');
    // RFC 4456 8: ORIGINATOR_ID and CLUSTER_LIST are not sent outside the AS.
    if (reflected && !s.internal) bad((e.get('originator-id') ?? e.get('cluster-list'))!.keyNode, `${what}: originator-id and cluster-list come only on internal sessions (RFC 4456), not from ${peer}`);
    const orig = str('originator-id');
    if (orig !== undefined) {
      if (parseIpv4(orig) === undefined) bad(val('originator-id'), `${what}: originator-id '${orig}' is not an IPv4 address`);
      else path.originatorId = orig;
    }
    for (const n of e.has('cluster-list') ? y.seq(val('cluster-list'), `${what} cluster-list`, true, loc) : []) {
      const c = y.str(n, `${what} cluster-list`);
      if (c !== undefined && parseIpv4(c) === undefined) bad(n, `${what}: cluster-list: '${c}' is not an IPv4 address`);
      else if (c !== undefined) path.clusterList.push(c);
    }
    const rd = str('rd');
    if (rd !== undefined) {
      if (!isRouteDistinguisher(rd)) bad(val('rd'), `${what}: rd '${rd}' is not ASN:number or IPv4:number`);
      else path.rd = rd;
    }
    if (e.has('label')) path.label = y.int(val('label'), `${what} label`, UNRESERVED_LABEL_MIN, LABEL_MAX, loc);
    if (vpn && (!e.has('rd') || !e.has('label'))) bad(item, `${what}: a VPN route (${t.table} from ${peer}) needs rd and label`);
    if (!vpn && (e.has('rd') || e.has('label'))) bad((e.get('rd') ?? e.get('label'))!.keyNode, `${what}: rd and label belong to VPN routes (table bgp.l3vpn.0, or a VRF's from a PE)`);
    const key = `${path.table} ${path.prefix} ${peer} ${path.rd ?? ''}`;
    if (seen.has(key)) {
      const prev = seen.get(key);
      bad(item, `${what} from ${peer} in ${path.table} is given twice${prev ? ` (also at ${prev.line}:${prev.col})` : ''}`);
    }
    seen.set(key, loc);
    if (ok) out.push(path);
  }
  return out;
}

/** Junos's router ID when none is configured: the loopback's first IPv4 address (else the first interface's). */
export function routerIdOf(d: Device): string | undefined {
  if (d.routerId) return d.routerId;
  const lo = d.ifds.find((i) => i.name === 'lo0');
  const v4 = (ifds: Device['ifds']) => ifds.flatMap((i) => i.units).flatMap((u) => u.inet?.addresses ?? []).find((a) => !a.address.startsWith('127.'))?.address;
  return (lo && v4([lo])) ?? v4(d.ifds);
}

/**
 * Fills each path's peerRouterId not given: the router ID of the scenario
 * device that has the peer's address on an interface, else the peer's IPv4
 * address (what a path's router ID is compared by, when nothing else is known).
 */
export function fillPeerRouterIds(devices: Device[]): void {
  const owner = new Map<string, Device>();
  for (const d of devices) {
    for (const u of d.ifds.flatMap((i) => i.units)) {
      for (const a of [...(u.inet?.addresses ?? []), ...(u.inet6?.addresses ?? [])]) {
        const ip = parseIp(a.address);
        if (ip) owner.set(formatIp(ip), d);
      }
    }
  }
  for (const d of devices) {
    for (const p of d.bgpPaths ?? []) {
      if (p.peerRouterId) continue;
      const o = owner.get(p.peer);
      // A router ID is 32 bits: an IPv6 peer outside the scenario has none known (0.0.0.0; the peer address breaks the tie).
      p.peerRouterId = (o && routerIdOf(o)) ?? (p.peer.includes(':') ? '0.0.0.0' : p.peer);
    }
  }
}
