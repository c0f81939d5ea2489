// A device's BGP at run time: its sessions, what each peer sent (Adj-RIB-In,
// after import policy), a RIB per routing table whose best paths program the
// FIB, the VPN routes (bgp.l3vpn.0) and what the device advertises to each
// peer (export). BGP is not spoken: paths come from the scenario (bgp-paths:)
// and from the scenario's other devices (exchange.ts carries the adverts).
//
// The rules are Junos's (RFC 4271, 4456, 4364 where Junos follows them):
// - import: a path whose AS path holds the local AS, or whose originator ID
//   or cluster list names this router, is hidden; then the import policies;
// - export: only active routes; BGP routes by default, others only where a
//   policy accepts them; paths from internal peers not to internal peers
//   unless this router reflects (cluster); not back to the peer they came
//   from, nor to an external peer in the AS they came from (advertise-peer-as
//   off); to external peers the local AS is prepended (after as-override),
//   the next hop is this side's address, local preference and originator are
//   dropped and MED is sent only when set (metric-out, policy);
// - VRFs: active routes that did not come from the VPN are exported as VPN
//   routes (RD, vrf-target, the VRF's vrf-table-label, next hop self); VPN
//   routes received are imported into every VRF whose targets they carry.

import type { RoutingInstance } from '../config/model.js';
import { routerIdOf } from '../config/scenario-bgp.js';
import type { DeviceRt } from '../device/device.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import { ADJ_GLEAN, type Adjacency } from '../l3/adjacency.js';
import { formatPrefix, mask4, maskBytes6, type Route, type RouteTable } from '../l3/table.js';
import { resolveNextHop } from '../l3/routing.js';
import { selectBest } from './best-path.js';
import { DEFAULT_LOCAL_PREF, type BgpPath } from './path.js';
import { asOverride, evaluate } from './policy.js';
import { attrKey } from './rib.js';
import { BGP_PREFERENCE, TableRib } from './table-rib.js';
import { bgpSessions, type BgpSession } from './session.js';

export { BGP_PREFERENCE, TableRib };
/** The VPN table's name. */
export const VPN_TABLE = 'bgp.l3vpn.0';

/** A session at run time: configuration, state and what came in on it. */
export class SessionRt {
  /** This side's state: false after a timeline event, a link down, or the hold time running out. */
  up = true;
  /** This side's address on the session: local-address, else the address of the interface facing the peer. */
  readonly localAddress: string | undefined;
  /** Accepted paths (after import policy) by table, RD and prefix. */
  adjIn = new Map<string, BgpPath>();
  /** Paths received (last advert), accepted, rejected by policy, not used as loops (AS path, originator ID, cluster list). */
  received = 0;
  accepted = 0;
  rejected = 0;
  looped = 0;
  /**
   * Of the looped, those whose AS path holds the local AS: Junos does not keep
   * them at all (`keep` statement, default: "Keep all route information that
   * was learned from BGP, except for routes whose AS path is looped and whose
   * loop includes the local AS"), so they are not among the hidden routes.
   */
  asPathLooped = 0;
  /** A reflector's client (the group has `cluster`). */
  readonly client: boolean;

  constructor(readonly cfg: BgpSession, dev: DeviceRt) {
    this.localAddress = cfg.localAddress ?? facingAddress(dev, cfg.instance, cfg.peer);
    this.client = cfg.cluster !== undefined;
  }

  get key(): string {
    return this.cfg.instance === 'master' ? this.cfg.peer : `${this.cfg.instance}/${this.cfg.peer}`;
  }

  carries(family: BgpSession['families'][number]): boolean {
    return this.cfg.families.includes(family);
  }
}

/** The address of the device's interface (in `instance`) whose subnet holds `peer` (IPv4 or IPv6), if any. */
function facingAddress(dev: DeviceRt, instance: string, peer: string): string | undefined {
  if (peer.includes(':')) {
    const ip = parseIpv6(peer);
    const table = dev.table(instance, 6);
    for (const l of dev.ifs.ifls) {
      if (l.table6 !== table.index) continue;
      for (const a of l.v6) if (a.len < 128 && maskBytes6(a.ip, a.len).every((b, i) => b === maskBytes6(ip, a.len)[i])) return formatIpv6(a.ip, 0);
    }
    return undefined;
  }
  const ip = parseIpv4(peer);
  const table = dev.table(instance, 4);
  for (const l of dev.ifs.ifls) {
    if (l.table4 !== table.index) continue;
    for (const a of l.v4) if (a.len < 32 && ((a.ip & mask4(a.len)) >>> 0) === ((ip & mask4(a.len)) >>> 0)) return formatIpv4(a.ip);
  }
  return undefined;
}

/** The routing instance of a table: "master" for inet.0 / inet6.0 / bgp.l3vpn.0, else the VRF ("ipvpn.inet.0" → "ipvpn"). */
export function instanceOfTable(table: string): string {
  const i = table.indexOf('.inet');
  return i < 0 || table === 'inet.0' || table === 'inet6.0' ? 'master' : table.slice(0, i);
}

/** A VPN path (bgp.l3vpn.0) as `show route table bgp.l3vpn.0` keys it: "RD:prefix". */
const vpnKey = (p: BgpPath): string => `${p.rd}:${p.prefix}`;

export class BgpSpeaker {
  readonly sessions: SessionRt[];
  readonly routerId: string;
  readonly localAs: number | undefined;
  /** RIBs by table name (inet.0, ipvpn.inet.0, ...): created for each table a path can reach. */
  readonly tables = new Map<string, TableRib>();
  /** bgp.l3vpn.0: VPN paths received, by "RD:prefix", then by session key. */
  readonly vpn = new Map<string, Map<string, BgpPath>>();
  /** Routes given in the scenario (bgp-paths), by session key: what that peer sends from outside the scenario. */
  private readonly given = new Map<string, BgpPath[]>();
  private readonly cluster: string | undefined;

  constructor(readonly dev: DeviceRt) {
    const m = dev.model;
    this.sessions = bgpSessions(m).map((s) => new SessionRt(s, dev));
    this.routerId = routerIdOf(m) ?? '0.0.0.0';
    this.localAs = this.sessions.find((s) => s.cfg.localAs !== undefined)?.cfg.localAs ?? m.autonomousSystem;
    this.cluster = this.sessions.find((s) => s.cfg.cluster !== undefined)?.cfg.cluster;
    for (const p of m.bgpPaths ?? []) {
      const s = this.sessionOfPath(p);
      if (!s) continue; // the configuration checks reported it
      let list = this.given.get(s.key);
      if (!list) this.given.set(s.key, (list = []));
      list.push(p);
    }
    for (const s of this.sessions) if (this.given.has(s.key)) this.receive(s, []);
  }

  session(instance: string, peer: string): SessionRt | undefined {
    return this.sessions.find((s) => s.cfg.instance === instance && s.cfg.peer === peer);
  }

  private sessionOfPath(p: BgpPath): SessionRt | undefined {
    return this.session(instanceOfTable(p.table), p.peer) ?? this.session('master', p.peer);
  }

  /** The RIB of a table by name, created on first use (null: no such table on the device). */
  tableRib(name: string): TableRib | null {
    let t = this.tables.get(name);
    if (t) return t;
    const table = this.dev.tableByName.get(name);
    if (!table) return null;
    const instance = instanceOfTable(name);
    // A VRF's paths are its CE's (next hop in the VRF) or VPN routes (next hop a PE, through an LSP).
    const ok = (nh: string): boolean => this.reachable(nh, instance) || (instance !== 'master' && this.reachable(nh, 'vpn'));
    t = new TableRib(table, instance, { igpCost: (nh) => (ok(nh) ? 0 : undefined) }, (p) => this.resolve(p, instance));
    const rib = t.rib;
    table.bgpLongest4 = (a) => rib.longest4(a);
    table.bgpLongest6 = (a) => rib.longest6(a);
    this.tables.set(name, t);
    return t;
  }

  // ---- in ----

  /**
   * A peer's advertisement (the whole of it, replacing the last): import checks
   * and policy, then the changes into the RIBs. Returns whether what the
   * session holds changed. The scenario's own paths for that peer come first.
   */
  receive(s: SessionRt, advert: readonly BgpPath[]): boolean {
    const next = new Map<string, BgpPath>();
    const chain = this.policies(s.cfg.import);
    s.received = s.rejected = s.looped = s.asPathLooped = 0;
    for (const raw of [...(this.given.get(s.key) ?? []), ...advert]) {
      s.received++;
      const loop = this.looped(raw);
      if (loop) {
        s.looped++;
        if (loop === 'as-path') s.asPathLooped++;
        continue;
      }
      const r = evaluate(chain, raw, { direction: 'import' });
      if (!r.accepted) {
        s.rejected++;
        continue;
      }
      const p = r.path.localPref === undefined ? { ...r.path, localPref: DEFAULT_LOCAL_PREF } : r.path;
      next.set(`${p.table} ${p.rd ?? ''} ${p.prefix}`, p);
    }
    s.accepted = next.size;
    let changed = false;
    for (const [k, old] of s.adjIn) {
      if (next.has(k)) continue;
      this.remove(s, old);
      changed = true;
    }
    for (const [k, p] of next) {
      const old = s.adjIn.get(k);
      if (old && attrKey(old) === attrKey(p)) continue;
      this.insert(s, p);
      changed = true;
    }
    s.adjIn = next;
    return changed;
  }

  /** RFC 4271 9.1.2 / RFC 4456 8: a path through this AS, or reflected back to its originator or cluster, is not used. */
  private looped(p: BgpPath): 'as-path' | 'reflection' | null {
    if (!p.internal && this.localAs !== undefined && p.asPath.some((seg) => seg.asns.includes(this.localAs!))) return 'as-path';
    if (p.originatorId === this.routerId) return 'reflection';
    return this.cluster !== undefined && p.clusterList.includes(this.cluster) ? 'reflection' : null;
  }

  private insert(s: SessionRt, p: BgpPath): void {
    if (p.table !== VPN_TABLE) {
      this.tableRib(p.table)?.rib.add(p);
      return;
    }
    let m = this.vpn.get(vpnKey(p));
    if (!m) this.vpn.set(vpnKey(p), (m = new Map()));
    m.set(s.key, p);
    for (const inst of this.importingVrfs(p)) this.tableRib(`${inst.name}.inet.0`)?.rib.add({ ...p, table: `${inst.name}.inet.0` });
  }

  private remove(s: SessionRt, p: BgpPath): void {
    if (p.table !== VPN_TABLE) {
      this.tableRib(p.table)?.rib.withdraw(p.prefix, p.peer);
      return;
    }
    const m = this.vpn.get(vpnKey(p));
    m?.delete(s.key);
    if (m?.size === 0) this.vpn.delete(vpnKey(p));
    for (const inst of this.importingVrfs(p)) this.tableRib(`${inst.name}.inet.0`)?.rib.withdraw(p.prefix, p.peer);
  }

  /** VRFs that import a VPN path: vrf-import policies where configured, else a target the path carries. */
  private importingVrfs(p: BgpPath): RoutingInstance[] {
    return this.dev.model.instances.filter((i) => {
      if (i.type !== 'vrf') return false;
      if (i.vrfImport?.length) return evaluate(this.policies(i.vrfImport), p, { direction: 'import' }).accepted;
      return i.vrfTarget !== undefined && p.communities.includes(i.vrfTarget);
    });
  }

  /** Session down on this side: the peer's paths leave selection (kept: they come back with the session). */
  setUp(s: SessionRt, up: boolean): void {
    if (s.up === up) return;
    s.up = up;
    const peer = s.cfg.peer;
    for (const t of this.tables.values()) {
      if (up) t.rib.restorePeer(peer);
      else t.rib.withdrawPeer(peer);
    }
    // bgp.l3vpn.0 keeps the peer's VPN paths (reflection skips sessions that are down); the VRFs drop them with the peer above.
  }

  // ---- out ----

  /** What this device advertises on session `s` now (empty when down). */
  advertise(s: SessionRt): BgpPath[] {
    if (!s.up) return [];
    const out: BgpPath[] = [];
    const chain = this.policies(s.cfg.export);
    // Junos advertises an interface's own address (a Local route) only where a term names `from protocol local`: the seed's PEs accept every route to their CEs, whose received routes hold no Local ones.
    const local = chain.some((pol) => pol.terms.some((t) => t.from?.protocols?.includes('local')));
    const consider = (p: BgpPath, protocol: string, from: SessionRt | null): void => {
      if (from === s || (protocol === 'local' && !local)) return;
      if (from && p.internal && s.cfg.internal && !(from.client || s.client)) return; // iBGP split horizon (RFC 4456 reflection aside)
      // Junos without advertise-peer-as: not to an external peer in the AS the path came from.
      if (from && !s.cfg.internal && !p.internal && p.peerAs === s.cfg.peerAs) return;
      const r = evaluate(chain, p, { direction: 'export', protocol, localAddress: s.localAddress });
      if (r.accepted) out.push(this.outbound(s, r.path, from, chain.length > 0 && r.path.med !== p.med));
    };
    const inst = s.cfg.instance;
    // IPv4 unicast (IPv6 unicast is not exchanged yet). A VRF's VPN routes go to its CEs as plain routes: no RD, no label.
    if (s.carries('inet-unicast') || inst !== 'master') {
      for (const c of this.activeRoutes(this.dev.table(inst, 4))) consider(c.path.rd === undefined ? c.path : { ...c.path, rd: undefined, label: undefined }, c.protocol, c.from);
    }
    if (inst === 'master' && s.carries('inet-vpn-unicast')) {
      for (const c of this.vpnRoutes()) consider(c.path, 'bgp', c.from);
    }
    return out;
  }

  /**
   * A path as sent on session `s`: the attribute changes of the session's type
   * (see the header). Who sent it (peer, AS, session type) is the receiver's to
   * say (exchange.ts).
   */
  private outbound(s: SessionRt, p: BgpPath, from: SessionRt | null, policyMed: boolean): BgpPath {
    const q: BgpPath = { ...p, communities: [...p.communities], clusterList: [...p.clusterList], asPath: p.asPath.map((x) => ({ ...x, asns: [...x.asns] })) };
    // A route this router originates (a local route, or a VRF's route as a VPN route) has this side's address as next hop.
    if (q.nextHop === '') q.nextHop = s.localAddress ?? this.routerId;
    if (!s.cfg.internal) {
      const local = s.cfg.localAs ?? this.localAs ?? 0;
      let path = q;
      if (s.cfg.asOverride && s.cfg.peerAs !== undefined && local) path = asOverride(q, s.cfg.peerAs, local);
      const first = path.asPath[0];
      if (first && first.type === 'sequence') first.asns.unshift(local);
      else path.asPath.unshift({ type: 'sequence', asns: [local] });
      path.nextHop = s.localAddress ?? this.routerId;
      path.localPref = undefined;
      path.originatorId = undefined;
      path.clusterList = [];
      if (!policyMed) path.med = s.cfg.metricOut;
      return path;
    }
    if (s.cfg.metricOut !== undefined && !policyMed) q.med = s.cfg.metricOut;
    q.localPref = q.localPref ?? DEFAULT_LOCAL_PREF;
    if (from && from.cfg.internal) {
      // Reflected (RFC 4456): the originator is the router the path came in from, unless it is set.
      q.originatorId = q.originatorId ?? p.peerRouterId;
      q.clusterList = [this.cluster!, ...q.clusterList];
    }
    return q;
  }

  /** Active routes of a table as paths: BGP bests (with the session they came from) and the other protocols' routes. */
  private activeRoutes(table: RouteTable): { path: BgpPath; protocol: string; from: SessionRt | null }[] {
    const out: { path: BgpPath; protocol: string; from: SessionRt | null }[] = [];
    const rib = this.tables.get(table.name)?.rib;
    const seen = new Set<string>();
    for (const list of table.routes()) {
      const r = list[0]!;
      if (r.protocol === 'Broadcast') continue;
      const prefix = formatPrefix(r);
      seen.add(prefix);
      const best = rib?.best(prefix);
      if (best && r.preference > BGP_PREFERENCE) out.push({ path: best, protocol: 'bgp', from: this.fromOf(table, best) });
      else out.push({ path: this.localPath(prefix, table.name), protocol: r.protocol.toLowerCase(), from: null });
    }
    if (rib) {
      for (const e of rib.bestPaths()) {
        if (seen.has(e.prefix)) continue;
        out.push({ path: e, protocol: 'bgp', from: this.fromOf(table, e) });
      }
    }
    return out;
  }

  /** The session a best path came in on: a VRF's CE session, or the default instance's session (VPN routes). */
  private fromOf(table: RouteTable, p: BgpPath): SessionRt | null {
    return this.session(instanceOfTable(table.name), p.peer) ?? this.session('master', p.peer) ?? null;
  }

  /** A locally originated route (direct, static, local) as a path: no AS path, origin IGP, next hop this router. */
  private localPath(prefix: string, table: string): BgpPath {
    return { prefix, table, nextHop: '', peer: '', peerAs: 0, internal: true, peerRouterId: this.routerId, asPath: [], origin: 'igp', communities: [], clusterList: [], localPref: DEFAULT_LOCAL_PREF };
  }

  /**
   * What goes out as VPN routes: every VRF's active routes that did not come
   * from the VPN (vrf-export, or the vrf-target added), and — when this router
   * reflects — the best of each VPN route received.
   */
  private vpnRoutes(): { path: BgpPath; from: SessionRt | null }[] {
    const out: { path: BgpPath; from: SessionRt | null }[] = [];
    for (const inst of this.dev.model.instances) {
      if (inst.type !== 'vrf' || !inst.routeDistinguisher) continue;
      const label = inst.vrfTableLabel && this.dev.mpls ? this.dev.mpls.vrfTableLabel(inst.name) : undefined;
      if (label === undefined) continue; // per-next-hop labels are not modelled: a VRF is exported with vrf-table-label
      const chain = this.policies(inst.vrfExport ?? []);
      for (const c of this.activeRoutes(this.dev.table(inst.name, 4))) {
        // Not what came from the VPN; nor Local routes (an interface's own /32), which Junos does not advertise.
        if ((c.from && c.from.cfg.instance === 'master') || c.protocol === 'local') continue;
        // The next hop is this PE: empty here, each session's local address on the way out (outbound).
        let p: BgpPath = { ...c.path, table: VPN_TABLE, rd: inst.routeDistinguisher, label, nextHop: '', communities: [...c.path.communities] };
        if (chain.length) {
          // next-hop self leaves the next hop empty: this PE, each session's local address (outbound).
          const r = evaluate(chain, p, { direction: 'export', protocol: c.protocol, localAddress: '' });
          if (!r.accepted) continue;
          p = r.path;
        } else if (inst.vrfTarget && !p.communities.includes(inst.vrfTarget)) p.communities.push(inst.vrfTarget);
        out.push({ path: p, from: null });
      }
    }
    if (this.cluster !== undefined) {
      for (const key of this.vpn.keys()) {
        const sel = this.vpnSelection(key);
        if (sel.best < 0) continue;
        const p = sel.paths[0]!.path;
        out.push({ path: p, from: this.session('master', p.peer) ?? null });
      }
    }
    return out;
  }

  // ---- forwarding ----

  /** Whether a BGP next hop resolves in `instance` (a VRF's VPN routes: through an LSP). */
  reachable(nextHop: string, instance: string): boolean {
    return this.resolveAddress(nextHop, instance, undefined) !== null;
  }

  /** How a path's packets leave: its adjacency and next hop text, or null when its next hop does not resolve. */
  resolve(p: BgpPath, instance: string): { adj: number; via: string } | null {
    return this.resolveAddress(p.nextHop, instance, p.label);
  }

  private resolveAddress(nextHop: string, instance: string, label: number | undefined): { adj: number; via: string } | null {
    const dev = this.dev;
    if (label !== undefined || instance === 'vpn') {
      // A VPN route: the VPN label, then an LSP to the PE (static LSP `to`, or LDP: a next hop directly behind an LDP interface).
      const mpls = dev.mpls;
      if (!mpls) return null;
      const lsp = mpls.lspTo(nextHop);
      try {
        if (lsp) return label === undefined ? { adj: lsp.adj4.index, via: lsp.via } : mpls.vpnAdjacency(label, { lsp: lsp.name });
        const ldp = this.ldpNextHop(nextHop);
        if (!ldp) return null;
        return label === undefined ? { adj: 0, via: ldp.via } : mpls.vpnAdjacency(label, { nextHop: ldp.neighbor, ifl: ldp.ifl });
      } catch {
        return null;
      }
    }
    const family = nextHop.includes(':') ? 6 : 4;
    let got: { adj: Adjacency; via: string } | null;
    try {
      got = resolveNextHop(dev, dev.table(instance, family), family, nextHop, undefined);
    } catch {
      return null;
    }
    return got ? { adj: got.adj.index, via: got.via } : null;
  }

  /** LDP stand-in: the default instance's route to `address` leaves by a neighbour on an LDP interface. */
  private ldpNextHop(address: string): { neighbor: string; ifl: string; via: string } | null {
    const ldp = this.dev.model.ldpInterfaces ?? [];
    if (!ldp.length) return null;
    const ip = parseIpv4(address);
    const table = this.dev.table('master', 4);
    const r: Route | undefined = table.resolve4(ip);
    if (!r) return null;
    const a = this.dev.adjs.all[r.adj]!;
    // A static route's next hop (a neighbour adjacency) or a connected subnet (glean: the address itself).
    const ifl = a.ifl;
    if (ifl < 0 || !ldp.some((l) => l.name === this.dev.ifs.ifls[ifl]!.name)) return null;
    const neighbor = a.kind === ADJ_GLEAN ? address : neighborAddress(r);
    if (!neighbor) return null;
    return { neighbor, ifl: this.dev.ifs.ifls[ifl]!.name, via: `to ${neighbor} via ${this.dev.ifs.ifls[ifl]!.name}` };
  }

  policies(names: readonly string[]) {
    const all = this.dev.model.policies ?? [];
    return names.map((n) => all.find((p) => p.name === n)).filter((p): p is NonNullable<typeof p> => p !== undefined);
  }

  /** bgp.l3vpn.0's paths of one "RD:prefix" (sessions up), the best first, with how each would be forwarded. */
  vpnSelection(key: string): { paths: { path: BgpPath; via: string }[]; best: number } {
    const m = this.vpn.get(key);
    const live = [...(m?.entries() ?? [])].filter(([k]) => this.sessions.find((x) => x.key === k)?.up).map(([, p]) => p);
    const sel = selectBest(live, { igpCost: (nh) => (this.reachable(nh, 'vpn') ? 0 : undefined) });
    const order = live.map((p, i) => ({ p, i })).sort((x, y) => (x.i === sel.best ? -1 : y.i === sel.best ? 1 : sel.reasons[y.i]! - sel.reasons[x.i]!));
    return {
      paths: order.map(({ p }) => ({ path: p, via: this.resolve(p, 'vpn')?.via ?? 'Next hop unresolved' })),
      best: sel.best < 0 ? -1 : 0,
    };
  }

  /** Whether a path received is the one in use: its table's best (bgp.l3vpn.0: the best of its RD and prefix). */
  isActive(p: BgpPath): boolean {
    if (p.table === VPN_TABLE) {
      const sel = this.vpnSelection(vpnKey(p));
      return sel.best === 0 && sel.paths[0]!.path.peer === p.peer;
    }
    const best = this.tables.get(p.table)?.rib.best(p.prefix);
    return best !== null && best !== undefined && best.peer === p.peer;
  }

  /** `show route` lines of a table's BGP paths for a prefix (active first), each with its forwarding. */
  entries(table: string, prefix: string): { path: BgpPath; active: boolean; reason: string; via: string }[] {
    const t = this.tables.get(table);
    if (!t) return [];
    return t.rib.entries(prefix).map((e) => {
      const f = this.resolve(e.path, t.instance);
      return { ...e, via: f?.via ?? 'Next hop unresolved' };
    });
  }
}

/** The neighbour a static route's "to A via IFL" next hop names. */
function neighborAddress(r: Route): string | undefined {
  const m = /^to (\S+) via /.exec(r.via[0] ?? '');
  return m?.[1];
}

