import type { StaticRoute } from '../config/model.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import {
  ADJ_DROP, ADJ_GLEAN, ADJ_LOCAL, ADJ_MULTIPATH, ADJ_NEXT_TABLE, ADJ_REJECT, ADJ_TUNNEL, type Adjacency,
} from './adjacency.js';
import { PREFERENCE, RouteTable, mask4, maskBytes6, parsePrefix, type Route } from './table.js';
import type { DeviceRt } from '../device/device.js';
import { greAdj } from './gre.js';
import { lspRoute } from './mpls.js';

/** Largest chain of recursive next hops followed (a static via a static via ...). */
const MAX_RECURSION = 8;

/**
 * Fills the device's tables from its configuration: Direct and Local routes
 * of every IFL address, then static routes, whose next-hop addresses resolve
 * recursively through the table (as with Junos `resolve`). A static route
 * whose next hop does not resolve is left out and reported.
 */
export function buildRoutes(dev: DeviceRt): string[] {
  const warnings: string[] = [];
  for (const ifl of dev.ifs.ifls) {
    const t4 = dev.tables[ifl.table4];
    const t6 = dev.tables[ifl.table6];
    for (const a of ifl.v4) {
      if (a.len < 32) {
        t4.add(route4((a.ip & mask4(a.len)) >>> 0, a.len, 'Direct', linkAdj(dev, 4, ifl.index), [`via ${ifl.name}`]));
      }
      // Junos shows a loopback's /32 as a Direct route (what `from protocol direct` exports), not a Local one.
      if (a.len === 32 && isLoopback(ifl.name)) t4.add(route4(a.ip, 32, 'Direct', local(dev, 4), [`via ${ifl.name}`]));
      else t4.add(route4(a.ip, 32, 'Local', local(dev, 4), [`Local via ${ifl.name}`]));
      if (a.len < 31) {
        const bcast = (a.ip | ~mask4(a.len)) >>> 0;
        const drop = dev.adjs.add(ADJ_DROP, 4);
        drop.reason = 'ip4_directed_broadcast';
        t4.add(route4(bcast, 32, 'Broadcast', drop, ['Broadcast'], 0));
      }
    }
    for (const a of ifl.v6) {
      if (a.len < 128) {
        t6.add(route6(maskBytes6(a.ip, a.len), a.len, 'Direct', linkAdj(dev, 6, ifl.index), [`via ${ifl.name}`]));
      }
      t6.add(route6(a.ip, 128, 'Local', local(dev, 6), [`Local via ${ifl.name}`]));
    }
    gatewayRoutes(dev, ifl.index);
  }
  installSelectorRoutes(dev);
  for (const inst of dev.model.instances) {
    const pending = inst.routes.slice();
    // Statics may resolve through each other in any order: retry until no progress.
    for (let pass = 0; pass < MAX_RECURSION && pending.length; pass++) {
      for (let i = 0; i < pending.length; ) {
        if (installStatic(dev, inst.name, pending[i])) pending.splice(i, 1);
        else i++;
      }
    }
    for (const r of pending) warnings.push(`${where(r)}static route ${r.prefix}: next hop does not resolve; route not installed`);
  }
  return warnings;
}

/**
 * An IRB's anycast gateway addresses: local with virtual-gateway-accept-data
 * (they answer pings), else packets to them are dropped — they exist for ARP/ND.
 */
function gatewayRoutes(dev: DeviceRt, i: number): void {
  const ifl = dev.ifs.ifls[i];
  const gw = ifl.model.virtualGateway;
  if (!gw) return;
  const adj = (family: 4 | 6): Adjacency => {
    if (gw.acceptData) return local(dev, family);
    const drop = dev.adjs.add(ADJ_DROP, family);
    drop.reason = 'virtual_gateway_no_accept_data';
    return drop;
  };
  const via = [`Local via ${ifl.name} (virtual gateway)`];
  for (const v of gw.v4) dev.tables[ifl.table4].add(route4(parseIpv4(v), 32, 'Local', adj(4), via));
  for (const v of gw.v6) dev.tables[ifl.table6].add(route6(parseIpv6(v), 128, 'Local', adj(6), via));
}

/**
 * Junos auto route insertion for traffic selectors: a route to each
 * selector's remote-ip through its VPN's st0 unit, in st0's table, shown as
 * `[ARI-TS/5]` (the protocol and preference Junos gives these routes).
 * Installed before the static routes, so statics may resolve through them.
 */
export const ARI_TS = 'ARI-TS';

function installSelectorRoutes(dev: DeviceRt): void {
  for (const v of dev.vpns) {
    const st0 = dev.ifs.ifls[v.st0];
    for (const ts of v.selectors) {
      const adj = dev.adjs.add(ADJ_TUNNEL, ts.family);
      adj.ifl = v.st0;
      adj.vpn = v.index;
      const via = [`via ${st0.name}`];
      if (ts.family === 4) dev.tables[st0.table4].add(route4(ts.remote4, ts.remoteLen, ARI_TS, adj, via, 5));
      else dev.tables[st0.table6].add(route6(ts.remote6, ts.remoteLen, ARI_TS, adj, via, 5));
    }
  }
}

function where(r: StaticRoute): string {
  return r.loc ? `${r.loc.file}:${r.loc.line}:${r.loc.col}: ` : '';
}

/** Drop reason of traffic routed into an interface triode does not emulate yet (st0, si-, gr- ...). */
export const TUNNEL_NOT_EMULATED = 'tunnel_not_emulated';

const isLoopback = (ifl: string): boolean => /^lo\d+\./.test(ifl);

function isLink(dev: DeviceRt, ifl: number): boolean {
  return dev.ifs.ifds[dev.ifs.ifls[ifl].ifd].ethernet;
}

/**
 * "The destination is on this IFL's link": a glean adjacency (ARP/ND for the
 * destination) on an Ethernet IFL. Secure-tunnel, service and other tunnel
 * IFLs are not emulated yet: traffic routed into them is dropped, counted as
 * tunnel_not_emulated, rather than ARPed for on a link that does not exist —
 * except an st0 IFL bound by a route-based VPN: a tunnel adjacency (st0-output),
 * and a gr- unit with a tunnel: its GRE adjacency (gre-encap).
 */
function linkAdj(dev: DeviceRt, family: 4 | 6, ifl: number): Adjacency {
  if (isLink(dev, ifl)) {
    const glean = dev.adjs.add(ADJ_GLEAN, family);
    glean.ifl = ifl;
    return glean;
  }
  const gre = greAdj(dev, family, ifl);
  if (gre) return gre;
  const vpn = dev.vpnOfSt0[ifl] ?? -1;
  if (vpn >= 0) {
    const t = dev.adjs.add(ADJ_TUNNEL, family);
    t.ifl = ifl;
    t.vpn = vpn;
    return t;
  }
  const drop = dev.adjs.add(ADJ_DROP, family);
  drop.ifl = ifl;
  drop.reason = TUNNEL_NOT_EMULATED;
  return drop;
}

function local(dev: DeviceRt, family: 4 | 6): Adjacency {
  return dev.adjs.add(ADJ_LOCAL, family);
}

function route4(net: number, len: number, protocol: keyof typeof PREFERENCE | string, adj: Adjacency, via: string[], preference?: number): Route {
  return { family: 4, net4: net >>> 0, net6: null, len, protocol, preference: preference ?? PREFERENCE[protocol as keyof typeof PREFERENCE] ?? 5, adj: adj.index, via };
}

function route6(net: Uint8Array, len: number, protocol: string, adj: Adjacency, via: string[], preference?: number): Route {
  return { family: 6, net4: 0, net6: net, len, protocol, preference: preference ?? PREFERENCE[protocol as keyof typeof PREFERENCE] ?? 5, adj: adj.index, via };
}

function installStatic(dev: DeviceRt, instance: string, r: StaticRoute): boolean {
  const p = parsePrefix(r.prefix);
  const table = dev.table(instance, p.family);
  const pref = r.preference ?? PREFERENCE.Static;
  const mk = (adj: Adjacency, via: string[]): Route =>
    p.family === 4 ? route4(p.net4, p.len, 'Static', adj, via, pref) : route6(p.net6!, p.len, 'Static', adj, via, pref);
  if (r.action === 'discard' || r.action === 'reject') {
    const adj = dev.adjs.add(r.action === 'discard' ? ADJ_DROP : ADJ_REJECT, p.family);
    adj.reason = r.action === 'discard' ? `ip${p.family === 4 ? 4 : 6}_discard_route` : `ip${p.family === 4 ? 4 : 6}_reject_route`;
    table.add(mk(adj, [r.action === 'discard' ? 'Discard' : 'Reject']));
    return true;
  }
  if (r.action === 'static-lsp') {
    const lsp = lspRoute(dev, r.lsp, p.family);
    if (!lsp) return false;
    table.add(mk(lsp.adj, [lsp.via]));
    return true;
  }
  if (r.action === 'next-table') {
    const target = dev.tableByName.get(r.nextTable ?? '');
    if (!target) return false;
    const adj = dev.adjs.add(ADJ_NEXT_TABLE, p.family);
    adj.table = target.index;
    table.add(mk(adj, [`to table ${target.name}`]));
    return true;
  }
  const members: Adjacency[] = [];
  const via: string[] = [];
  for (const nh of r.nextHops) {
    const mapped = p.family === 6 && nh.address !== undefined && nh.interface === undefined ? mappedIpv4(parseIpv6(nh.address)) : -1;
    const got = mapped >= 0
      ? resolveMapped(dev, dev.table(instance, 4), mapped)
      : resolveNextHop(dev, table, p.family, nh.address, nh.interface);
    if (!got) return false;
    // A next hop resolved through an ECMP route brings that route's members: lookup picks one member, once.
    if (got.adj.kind === ADJ_MULTIPATH) for (const m of got.adj.members) members.push(dev.adjs.all[m]);
    else members.push(got.adj);
    via.push(got.via);
  }
  if (members.length === 0) return false;
  if (members.length === 1) {
    table.add(mk(members[0], via));
    return true;
  }
  const mp = dev.adjs.add(ADJ_MULTIPATH, p.family);
  mp.members = Int32Array.from(members, (m) => m.index);
  table.add(mk(mp, via));
  return true;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2), or -1. */
function mappedIpv4(a: Uint8Array): number {
  for (let k = 0; k < 10; k++) if (a[k] !== 0) return -1;
  if (a[10] !== 0xff || a[11] !== 0xff) return -1;
  return ((a[12] << 24) | (a[13] << 16) | (a[14] << 8) | a[15]) >>> 0;
}

/**
 * An IPv6 route whose next hop is IPv4-mapped (::ffff:12.1.1.2, as BGP gives
 * IPv6 routes learnt over IPv4 sessions) resolves through the IPv4 route to
 * 12.1.1.2 in the same instance. IPv6 can follow it only into a tunnel — an
 * st0 unit with family inet6 bound by a VPN, so the IPv6 packet rides the
 * IPv4 tunnel; resolved over Ethernet it would need an MPLS LSP (6PE), which
 * is not modelled: the route is not installed, as Junos hides it.
 */
function resolveMapped(dev: DeviceRt, table4: RouteTable, nh: number): { adj: Adjacency; via: string } | null {
  const r = table4.resolve4(nh);
  if (!r) return null;
  const a = dev.adjs.all[r.adj];
  if (a.kind !== ADJ_TUNNEL || !dev.ifs.ifls[a.ifl].inet6) return null;
  const t = dev.adjs.add(ADJ_TUNNEL, 6);
  t.ifl = a.ifl;
  t.vpn = a.vpn;
  return { adj: t, via: `to ::ffff:${formatIpv4(nh)} via ${dev.ifs.ifls[a.ifl].name}` };
}

/** Resolves one next hop to an adjacency: a neighbour on a connected subnet, or recursively via another route. */
export function resolveNextHop(
  dev: DeviceRt, table: RouteTable, family: 4 | 6, address: string | undefined, iflName: string | undefined,
): { adj: Adjacency; via: string } | null {
  const ifl = iflName !== undefined ? dev.ifs.ifl(iflName) : -1;
  if (iflName !== undefined && ifl < 0) return null;
  if (address === undefined) {
    // Next hop is an interface: every destination is on its link.
    return { adj: linkAdj(dev, family, ifl), via: `via ${iflName}` };
  }
  if (family === 4) {
    const nh = parseIpv4(address);
    if (ifl >= 0 && !isLink(dev, ifl)) return { adj: linkAdj(dev, 4, ifl), via: `to ${formatIpv4(nh)} via ${iflName}` };
    if (ifl >= 0) return { adj: dev.neighborAdj4(ifl, nh), via: `to ${formatIpv4(nh)} via ${iflName}` };
    return followRoute(dev, table.resolve4(nh), (gleanIfl) => dev.neighborAdj4(gleanIfl, nh), formatIpv4(nh));
  }
  const nh = parseIpv6(address);
  if (ifl >= 0 && !isLink(dev, ifl)) return { adj: linkAdj(dev, 6, ifl), via: `to ${formatIpv6(nh, 0)} via ${iflName}` };
  if (ifl >= 0) return { adj: dev.neighborAdj6(ifl, nh), via: `to ${formatIpv6(nh, 0)} via ${iflName}` };
  return followRoute(dev, table.resolve6(nh), (gleanIfl) => dev.neighborAdj6(gleanIfl, nh), formatIpv6(nh, 0));
}

function followRoute(
  dev: DeviceRt, via: Route | undefined, neighbor: (ifl: number) => Adjacency, nhText: string,
): { adj: Adjacency; via: string } | null {
  if (!via) return null;
  const adj = dev.adjs.all[via.adj];
  if (adj.kind === ADJ_GLEAN) {
    const n = neighbor(adj.ifl);
    return { adj: n, via: `to ${nhText} via ${dev.ifs.ifls[adj.ifl].name}` };
  }
  if (adj.kind === ADJ_DROP && adj.reason === TUNNEL_NOT_EMULATED) return { adj, via: `to ${nhText} ${via.via.join(', ')}` };
  if (adj.kind === ADJ_LOCAL || adj.kind === ADJ_DROP || adj.kind === ADJ_REJECT) return null;
  // Recursive: share the resolving route's forwarding.
  // The resolving route's "to X via IFL" / "via IFL" entries give the interfaces: "to <nh> via st0.1".
  return { adj, via: `to ${nhText} via ${via.via.map((v) => v.replace(/^(to \S+ )?via /, '')).join(', ')}` };
}
