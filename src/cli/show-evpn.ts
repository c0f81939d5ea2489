import type { DeviceRt } from '../device/device.js';
import { vtepAddress, type Bridge, type BridgeDomainRt } from '../l2/bridge.js';
import type { MacEntry } from '../l2/mac-table.js';
import type { Vtep } from '../l2/vtep.js';
import { ipText, type MacIpEntry } from '../evpn/mac-ip.js';
import { routeDistinguisher, routeTarget, routerId } from '../evpn/rd.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';

// `show` commands of bridging and EVPN, in the layouts of the devices that
// print them: Junos (QFX/MX with mac-vrf) for the MAC table, the MAC+IP table
// and the EVPN database; FRR (`show bgp l2vpn evpn route`) for the EVPN
// routes. Only the fields the emulator models are filled; columns it has no
// value for (GBP tag, next-hop index) stay blank, as Junos leaves them for
// entries without one.

/** Junos numbers VXLAN tunnel IFLs from 32769 in the order remote VTEPs are discovered. */
const VTEP_UNIT_BASE = 32769;

function vtepIfl(v: Vtep): string {
  return `vtep.${VTEP_UNIT_BASE + v.index}`;
}

function noBridging(dev: DeviceRt): string | null {
  return dev.bridge && dev.bridge.domains.length > 0 ? null : `error: the l2-learning subsystem is not running (${dev.name} has no bridge domains)`;
}

/** Domains grouped by routing instance, in configuration order. */
function byInstance(br: Bridge, keep: (d: BridgeDomainRt) => boolean = () => true): [string, BridgeDomainRt[]][] {
  const out = new Map<string, BridgeDomainRt[]>();
  for (const d of br.domains) {
    if (!keep(d)) continue;
    (out.get(d.instance) ?? out.set(d.instance, []).get(d.instance)!).push(d);
  }
  return [...out];
}

const cmp = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

// ---------------------------------------------------------------------------
// show mac-vrf forwarding mac-table / show ethernet-switching table

const MAC_FLAGS_LEGEND = [
  '',
  'MAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static, C - Control MAC',
  '           SE - statistics enabled, NM - non configured MAC, R - remote PE MAC, O - ovsdb MAC,',
  '           B - Blocked MAC)',
  '',
];

/**
 * Junos `show mac-vrf forwarding mac-table` (QFX layout): per routing instance,
 * every MAC of its bridge domains with its flags — S static (the IRB's MAC and
 * its anycast gateway MACs), D dynamic, L learned on a local IFL of an EVPN
 * domain, R behind a remote VTEP learned from EVPN (a VTEP of flood and
 * learn is D alone) — the logical interface (access IFL, IRB or vtep.N) and
 * the remote VTEP's address as the active source.
 */
export function macTable(dev: DeviceRt): string {
  const none = noBridging(dev);
  if (none) return none;
  const br = dev.bridge!;
  const lines = [...MAC_FLAGS_LEGEND];
  for (const [instance, domains] of byInstance(br)) {
    const rows: { vlan: string; e: MacEntry }[] = [];
    for (const d of domains) for (const e of br.macs.entries(d.index)) rows.push({ vlan: d.name, e });
    rows.sort((a, b) => cmp(a.vlan, b.vlan) || cmp(a.e.mac, b.e.mac));
    const learned = rows.filter((r) => !r.e.static).length;
    lines.push('', `Ethernet switching table : ${rows.length} entries, ${learned} learned`, `Routing instance : ${instance}`);
    lines.push('   Vlan                MAC                 MAC       GBP    Logical                SVLBNH/      Active');
    lines.push('   name                address             flags     tag    interface              VENH Index   source');
    for (const { vlan, e } of rows) {
      const evpn = br.domains[e.domain].evpn;
      const flags = e.static ? 'S' : e.remote ? (evpn ? 'DR' : 'D') : evpn ? 'DL' : 'D';
      const vtep = e.remote ? br.vteps.all[e.port] : undefined;
      const ifl = vtep ? vtepIfl(vtep) : dev.ifs.ifls[e.port].name;
      lines.push(`   ${vlan.padEnd(20)}${e.mac.padEnd(20)}${flags.padEnd(10)}${''.padEnd(7)}${ifl.padEnd(23)}${''.padEnd(13)}${vtep?.text ?? ''}`.trimEnd());
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// show mac-vrf forwarding mac-ip-table

const MAC_IP_FLAGS_LEGEND = [
  '',
  'MAC IP flags  (S - Static, D - Dynamic, L - Local , R - Remote, Lp - Local Proxy,',
  '               Rp - Remote Proxy,  K - Kernel, RT - Dest Route, (N)AD - (Not) Advt to remote,',
  '               RE - Re-ARP/ND, RO - Router, OV - Override, Ur - Unresolved, B - Blocked,',
  '               RTS - Dest Route Skipped, RGw - Remote Gateway, RTF - Dest Route Forced,',
  '               SC - Static Config, P - Probe, NLC - No Local Config, LD - Local Down)',
];

interface MacIpRow {
  family: 4 | 6;
  ip: string;
  mac: string;
  flags: string;
  ifl: string;
  source: string;
}

/** The IRB's own addresses (its IFD's MAC) and its anycast gateway addresses: static bindings of the domain. */
function irbBindings(dev: DeviceRt, d: BridgeDomainRt): MacIpRow[] {
  if (d.irb < 0) return [];
  const rt = dev.ifs.ifls[d.irb];
  const mac = formatMac(dev.ifs.ifds[rt.ifd].mac);
  const rows: MacIpRow[] = [];
  const row = (family: 4 | 6, ip: string, m: string): number => rows.push({ family, ip, mac: m, flags: 'S,K', ifl: rt.name, source: '' });
  for (const a of rt.v4) row(4, formatIpv4(a.ip), mac);
  for (const a of rt.v6) row(6, formatIpv6(a.ip), mac);
  const gw = dev.bridge!.gateways[d.irb];
  if (gw) {
    for (const a of gw.v4) row(4, formatIpv4(a), formatMac(gw.mac4));
    for (const a of gw.v6) row(6, formatIpv6(a), formatMac(gw.mac6));
  }
  return rows;
}

function learnedBinding(dev: DeviceRt, d: BridgeDomainRt, e: MacIpEntry): MacIpRow {
  const br = dev.bridge!;
  const vtep = e.local ? undefined : br.vteps.all[e.port];
  return {
    family: e.family,
    ip: ipText(e),
    mac: formatMac(e.mac),
    // Local bindings of an EVPN domain are advertised (AD) as type-2 MAC+IP routes.
    flags: vtep ? 'DR,K' : `DL,K${d.evpn ? ',AD' : ''}`,
    ifl: vtep ? vtepIfl(vtep) : dev.ifs.ifls[e.port].name,
    source: vtep?.text ?? '',
  };
}

/**
 * Junos `show mac-vrf forwarding mac-ip-table`: per bridge domain, the
 * MAC+IP bindings — the IRB's and its gateway's (S,K), those snooped from
 * ARP/ND or IRB traffic on local IFLs (DL,K, and AD when advertised by EVPN),
 * and those of EVPN type-2 routes (DR,K, behind vtep.N).
 */
export function macIpTable(dev: DeviceRt): string {
  const none = noBridging(dev);
  if (none) return none;
  const br = dev.bridge!;
  const learned = br.macIp.entries();
  const lines: string[] = [];
  for (const d of br.domains) {
    const rows = [...irbBindings(dev, d), ...learned.filter((e) => e.bd === d.index).map((e) => learnedBinding(dev, d, e))];
    if (rows.length === 0) continue;
    rows.sort((a, b) => cmp(a.mac, b.mac) || a.family - b.family || cmp(a.ip, b.ip));
    lines.push(...MAC_IP_FLAGS_LEGEND, ` Routing instance : ${d.instance}`, ` Bridging domain : ${d.name}`);
    lines.push('   IP                           MAC                  Flags              GBP    Logical            Active');
    lines.push('   address                      address                                 Tag    Interface          source');
    for (const r of rows) lines.push(`   ${r.ip.padEnd(29)}${r.mac.padEnd(21)}${r.flags.padEnd(19)}${''.padEnd(7)}${r.ifl.padEnd(19)}${r.source}`.trimEnd());
  }
  return lines.length ? lines.join('\n') : MAC_IP_FLAGS_LEGEND.join('\n');
}

// ---------------------------------------------------------------------------
// show evpn database (show mac-vrf routing database)

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Junos's `Nov 27 20:54:39` (UTC here: a capture carries no time zone). */
function timestamp(sec: number): string {
  const t = new Date(sec * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[t.getUTCMonth()]} ${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

/** The ESI Junos gives an anycast gateway MAC: type 5 (AS-based), the AS, the VNI as discriminator. */
function gatewayEsi(as: number, vni: number): string {
  const b = [5, as >>> 24, (as >>> 16) & 0xff, (as >>> 8) & 0xff, as & 0xff, vni >>> 24, (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * Junos `show evpn database`: per EVPN instance, each MAC of its VNIs with its
 * active source (local IFL, IRB, remote VTEP address, or the anycast gateway's
 * ESI), when it was learned or last refreshed, and its IP addresses. Entries
 * no packet taught (configuration, EVPN routes installed at start) carry the
 * earliest time of the others: the device keeps no time of its start.
 */
export function evpnDatabase(dev: DeviceRt): string {
  const none = noBridging(dev);
  if (none) return none;
  const br = dev.bridge!;
  const instances = byInstance(br, (d) => d.evpn && d.vni >= 0);
  if (instances.length === 0) return `${dev.name} has no EVPN bridge domains`;
  const bindings = br.macIp.entries();
  let start = Infinity;
  for (const e of br.macs.entries()) if (!e.static && e.seen > 0) start = Math.min(start, e.seen);
  if (start === Infinity) start = 0;
  const as = dev.model.autonomousSystem ?? 0;
  const out: string[] = [];
  for (const [instance, domains] of instances) {
    if (out.length) out.push('');
    out.push(`Instance: ${instance}`, 'VLAN  DomainId  MAC address        Active source                  Timestamp        IP address');
    const rows: { vni: number; mac: string; source: string; seen: number; ips: string[] }[] = [];
    for (const d of domains) {
      const irbRows = irbBindings(dev, d);
      const gw = d.irb >= 0 ? br.gateways[d.irb] : null;
      const gwMacs = gw ? [...(gw.v4.length ? [formatMac(gw.mac4)] : []), ...(gw.v6.length ? [formatMac(gw.mac6)] : [])] : [];
      for (const e of br.macs.entries(d.index)) {
        let source: string;
        if (e.remote) source = br.vteps.all[e.port].text;
        else if (e.static && gwMacs.includes(e.mac)) source = gatewayEsi(as, d.vni);
        else source = dev.ifs.ifls[e.port].name;
        const ips = e.static
          ? irbRows.filter((r) => r.mac === e.mac).sort((a, b) => a.family - b.family).map((r) => r.ip)
          : bindings.filter((b) => b.bd === d.index && b.local === !e.remote && formatMac(b.mac) === e.mac).map(ipText);
        rows.push({ vni: d.vni, mac: e.mac, source, seen: e.seen > 0 ? e.seen : start, ips });
      }
    }
    rows.sort((a, b) => a.vni - b.vni || cmp(a.mac, b.mac));
    for (const r of rows) {
      out.push(`     ${String(r.vni).padEnd(11)}${r.mac.padEnd(19)}${r.source.padEnd(31)}${timestamp(r.seen).padEnd(17)}${r.ips[0] ?? ''}`.trimEnd());
      for (const ip of r.ips.slice(1)) out.push(`${''.padEnd(83)}${ip}`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// show bgp l2vpn evpn route [type macip|multicast]

interface EvpnRouteRow {
  rd: string;
  type: 2 | 3;
  mac?: string;
  ip?: string;
  nextHop: string;
  rt: string;
  local: boolean;
}

/**
 * The RD of a route given by the scenario (`evpn:`), which names none (those
 * of peers in the scenario carry their sender's): taken to follow the local
 * convention with the remote VTEP's address as the originator's router ID (a
 * configured `A.B.C.D:N` keeps its N, as in `lo0:1` on both PEs; the
 * automatic one keeps the VNI's index).
 */
function receivedRd(dev: DeviceRt, d: BridgeDomainRt, vtep: string): string {
  const own = routeDistinguisher(dev, d);
  const m = /^\d+\.\d+\.\d+\.\d+:(\d+)$/.exec(own);
  return m ? `${vtep}:${m[1]}` : routeDistinguisher(dev, d, vtep);
}

function evpnRoutes(dev: DeviceRt): EvpnRouteRow[] {
  const br = dev.bridge!;
  const rows = new Map<string, EvpnRouteRow>();
  const add = (r: EvpnRouteRow): void => {
    rows.set(`${r.rd}|${r.local}|${prefixText(r)}`, r);
  };
  const bindings = br.macIp.entries();
  for (const d of br.domains) {
    if (!d.evpn || d.vni < 0) continue;
    const rd = routeDistinguisher(dev, d);
    const rt = routeTarget(dev, d);
    const nextHop = vtepAddress(d);
    if (d.irb >= 0) add({ rd, type: 2, mac: formatMac(dev.ifs.ifds[dev.ifs.ifls[d.irb].ifd].mac), nextHop, rt, local: true });
    for (const e of br.macs.entries(d.index)) if (!e.remote && !e.static) add({ rd, type: 2, mac: e.mac, nextHop, rt, local: true });
    for (const e of bindings) if (e.bd === d.index && e.local) add({ rd, type: 2, mac: formatMac(e.mac), ip: ipText(e), nextHop, rt, local: true });
    add({ rd, type: 3, nextHop, rt, local: true });
  }
  for (const r of br.received) {
    const bd = br.bdOfVni.get(r.vni);
    if (bd === undefined) continue;
    const d = br.domains[bd];
    add({ rd: r.rd ?? receivedRd(dev, d, r.vtep), type: r.type, mac: r.mac, ip: r.ip, nextHop: r.vtep, rt: routeTarget(dev, d), local: false });
  }
  return [...rows.values()];
}

function prefixText(r: EvpnRouteRow): string {
  if (r.type === 3) return `[3]:[0]:[${r.nextHop.includes(':') ? 128 : 32}]:[${r.nextHop}]`;
  const mac = `[2]:[0]:[48]:[${r.mac}]`;
  return r.ip === undefined ? mac : `${mac}:[${r.ip.includes(':') ? 128 : 32}]:[${r.ip}]`;
}

/** Sort key of an RD as BGP orders them: type 0 (AS2:N), 1 (IP:N), 2 (AS4:N). */
function rdKey(rd: string): [number, number, number] {
  const [a, n] = [rd.slice(0, rd.lastIndexOf(':')), Number(rd.slice(rd.lastIndexOf(':') + 1))];
  if (a.includes('.')) return [1, a.split('.').reduce((s, o) => s * 256 + Number(o), 0), n];
  return [Number(a) <= 0xffff ? 0 : 2, Number(a), n];
}

function compareRoutes(a: EvpnRouteRow, b: EvpnRouteRow): number {
  const ipLen = (r: EvpnRouteRow): number => (r.ip === undefined ? 0 : r.ip.includes(':') ? 128 : 32);
  return a.type - b.type || cmp(a.mac ?? a.nextHop, b.mac ?? b.nextHop) || ipLen(a) - ipLen(b) || cmp(a.ip ?? '', b.ip ?? '');
}

const EVPN_HEADER = [
  'Status codes: s suppressed, d damped, h history, * valid, > best, i - internal',
  'Origin codes: i - IGP, e - EGP, ? - incomplete',
  'EVPN type-1 prefix: [1]:[EthTag]:[ESI]:[IPlen]:[VTEP-IP]:[Frag-id]',
  'EVPN type-2 prefix: [2]:[EthTag]:[MAClen]:[MAC]:[IPlen]:[IP]',
  'EVPN type-3 prefix: [3]:[EthTag]:[IPlen]:[OrigIP]',
  'EVPN type-4 prefix: [4]:[ESI]:[IPlen]:[OrigIP]',
  'EVPN type-5 prefix: [5]:[EthTag]:[IPlen]:[IP]',
  '',
  '   Network          Next Hop            Metric LocPrf Weight Path',
  '                    Extended Community',
];

/**
 * FRR `show bgp l2vpn evpn route [type macip|multicast]`: the EVPN routes the
 * device advertises (weight 32768: each locally learned MAC of an EVPN domain
 * and its IRB's MAC, each local MAC+IP binding, a type-3 route per VNI, the
 * local VTEP as next hop) and those it received (*>i, LocPrf 100: from its
 * EVPN peers in the scenario or given by it), grouped by RD.
 */
export function bgpEvpnRoutes(dev: DeviceRt, type?: 2 | 3): string {
  if (!dev.bridge || dev.bridge.domains.length === 0) return `No EVPN prefixes ${type ? '(of requested type) ' : ''}exist (${dev.name} has no bridge domains)`;
  const routes = evpnRoutes(dev).filter((r) => type === undefined || r.type === type);
  if (routes.length === 0) return `No EVPN prefixes ${type ? '(of requested type) ' : ''}exist`;
  const rds = [...new Set(routes.map((r) => r.rd))].sort((a, b) => {
    const x = rdKey(a), y = rdKey(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  const lines = [`BGP table version is ${routes.length}, local router ID is ${routerId(dev)}`, ...EVPN_HEADER];
  const prefixes = new Set<string>();
  for (const rd of rds) {
    lines.push(`Route Distinguisher: ${rd}`);
    for (const r of routes.filter((x) => x.rd === rd).sort((a, b) => compareRoutes(a, b) || Number(b.local) - Number(a.local))) {
      prefixes.add(`${rd}|${prefixText(r)}`);
      lines.push(`${r.local ? '*> ' : '*>i'}${prefixText(r)}`);
      const nh = r.nextHop.length > 16 ? `${r.nextHop}\n${''.padEnd(36)}` : r.nextHop.padEnd(16);
      const attrs = r.local ? `${''.padEnd(10)}${''.padEnd(7)}${'32768'.padStart(7)} i` : `${''.padEnd(10)}${'100'.padStart(7)}${'0'.padStart(7)} i`;
      lines.push(`${''.padEnd(20)}${nh}${attrs}`);
      lines.push(`${''.padEnd(20)}${r.local ? `ET:8 RT:${r.rt}` : `RT:${r.rt} ET:8`}`);
    }
  }
  lines.push('', `Displayed ${prefixes.size} prefixes (${routes.length} paths)${type ? ' (of requested type)' : ''}`);
  return lines.join('\n');
}

/** The EVPN route type a `type` word names (FRR: macip / multicast, or the number). */
export function evpnRouteType(word: string): 2 | 3 {
  if (word === 'macip' || word === '2') return 2;
  if (word === 'multicast' || word === '3') return 3;
  throw new Error(`show bgp l2vpn evpn route type: "${word}" is not emulated (macip or 2, multicast or 3)`);
}
