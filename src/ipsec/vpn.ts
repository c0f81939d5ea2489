// Route-based inline IPsec VPNs at run time (an MX with Trio inline IPsec):
// each `security ipsec vpn` bound to an st0 unit and served by a next-hop
// service set becomes a VpnRt: its st0 IFL, the service set's inside and
// outside si- IFLs, its outbound and inbound SAs in the device's SaDatabase,
// its outer addresses and the table the outer packets are looked up in.
//
// Keys: IKE is not emulated. A `manual` VPN carries its keys; an IKE VPN takes
// them from esp_sa records (`triode run --sa-file`), matched by the gateway's
// addresses: outbound = local-address → gateway address, inbound = gateway
// address → local-address. A VPN with no keys is a configuration error naming
// the VPN and where it is configured; all such errors are reported together.

import type { Device, IpsecCipher, IpsecVpn, SourceLoc } from '../config/model.js';
import type { EspSaRecord } from '../config/esp-sa-file.js';
import { ESP_CIPHER_KEY_LEN, type SaConfig, type SaDatabase } from './sa.js';
import { parseIp } from '../config/values.js';
import { mask4, parsePrefix } from '../l3/table.js';

/**
 * A traffic selector at run time (`traffic-selector TS { local-ip P; remote-ip P; }`):
 * IPv4 prefixes as network + mask numbers, IPv6 as 16 masked bytes + length,
 * so matching a packet allocates nothing.
 */
export interface TsRt {
  /** The VPN (index in the device) the selector belongs to. */
  vpn: number;
  name: string;
  family: 4 | 6;
  local4: number;
  localMask4: number;
  remote4: number;
  remoteMask4: number;
  local6: Uint8Array;
  localLen: number;
  remote6: Uint8Array;
  remoteLen: number;
  /** The prefixes as configured (normalised), for routes and show. */
  localIp: string;
  remoteIp: string;
  /** The selector's own SA pair: IKE negotiates one per traffic selector. */
  outSa: number;
  inSa: number;
}

/**
 * One IPsec tunnel: an SA pair, with the traffic selector it was negotiated
 * for (none: the VPN takes whatever is routed into its st0 unit). `show
 * security ipsec security-associations` lists one ID per tunnel.
 */
export interface TunnelRt {
  id: number;
  outSa: number;
  inSa: number;
  /** The traffic selectors the pair carries: one (IKE), all of the VPN's (manual), or none. */
  selectors: TsRt[];
}

/** Junos numbers route-based tunnels from 131073 (0x20001) in `show security ipsec security-associations`. */
export const FIRST_TUNNEL_ID = 131073;

/** Whether the IPv6 address at d[off, off + 16) is within net/len (net masked). */
export function inPrefix6(d: Uint8Array, off: number, net: Uint8Array, len: number): boolean {
  let k = 0;
  for (; len >= 8; len -= 8, k++) if (d[off + k] !== net[k]) return false;
  return len === 0 || (d[off + k] & ((0xff00 >> len) & 0xff)) === net[k];
}

/** Whether IPv4 `src` → `dst` of a packet sent into the tunnel matches the selector (src in local-ip, dst in remote-ip). */
export function tsMatchOut4(t: TsRt, src: number, dst: number): boolean {
  return ((src & t.localMask4) >>> 0) === t.local4 && ((dst & t.remoteMask4) >>> 0) === t.remote4;
}

/** IPv6 source at d[s, s + 16), destination at d[s + 16, s + 32): src in local-ip, dst in remote-ip. */
export function tsMatchOut6(t: TsRt, d: Uint8Array, s: number): boolean {
  return inPrefix6(d, s, t.local6, t.localLen) && inPrefix6(d, s + 16, t.remote6, t.remoteLen);
}

/** The IPv6 prefix bytes of IPv4 selectors (never read: one shared array, not two per selector). */
const NO_NET6 = new Uint8Array(16);

/** The selectors of VPNs without any: one shared (frozen) empty list, not two per VPN. */
const NO_SELECTORS = Object.freeze([]) as unknown as TsRt[];

function compileSelectors(vpn: IpsecVpn, index: number): TsRt[] {
  if (vpn.trafficSelectors.length === 0) return NO_SELECTORS;
  const out: TsRt[] = [];
  for (const ts of vpn.trafficSelectors) {
    if (ts.localIp === undefined || ts.remoteIp === undefined) continue; // reported by the parser
    const l = parsePrefix(ts.localIp);
    const r = parsePrefix(ts.remoteIp);
    if (l.family !== r.family) continue;
    out.push({
      vpn: index, name: ts.name, family: l.family,
      local4: l.net4, localMask4: mask4(l.family === 4 ? l.len : 0), remote4: r.net4, remoteMask4: mask4(r.family === 4 ? r.len : 0),
      local6: l.net6 ?? NO_NET6, localLen: l.len, remote6: r.net6 ?? NO_NET6, remoteLen: r.len,
      localIp: ts.localIp, remoteIp: ts.remoteIp, outSa: -1, inSa: -1,
    });
  }
  return out;
}

export interface VpnRt {
  index: number;
  name: string;
  /** st0 IFL index (the bind interface). */
  st0: number;
  /** Service set's inside and outside si- IFL indexes. */
  siInside: number;
  siOutside: number;
  /** The first tunnel's SA pair (the only one without traffic selectors). */
  outSa: number;
  inSa: number;
  /** One per traffic selector, or one for the whole VPN. */
  tunnels: TunnelRt[];
  /** Outer addresses (this device, the peer) and family. */
  local: string;
  remote: string;
  family: 4 | 6;
  /** Table index the outer (ESP) packets are looked up in: the external interface's. */
  outerTable: number;
  /** Traffic selectors (empty: the VPN takes whatever is routed into its st0 unit). */
  selectors: TsRt[];
  model: IpsecVpn;
}

/** What the device builder needs of the run-time interfaces and tables. */
export interface VpnBuildContext {
  device: Device;
  ifl(name: string): number;
  /** Table index of an IFL for a family, or of the master instance when `ifl` < 0. */
  tableOf(ifl: number, family: 4 | 6): number;
  /** The IFL that owns an address, or -1. */
  iflOfAddress(address: string): number;
  /** A local address of an IFL in a family, or undefined. */
  addressOf(ifl: number, family: 4 | 6): string | undefined;
}

export interface VpnProblem {
  loc?: SourceLoc;
  message: string;
}

/**
 * A key equal for two (source, destination) address pairs when each address
 * is the same (any spelling); undefined if one does not parse. `memo` keeps
 * each spelling's canonical form: a hub's 2N records and N gateways name the
 * same N + 1 addresses, and parsing one is microseconds.
 */
function pairKey(src: string, dst: string, memo: Map<string, string | null>): string | undefined {
  const canon = (a: string): string | null => {
    let c = memo.get(a);
    if (c === undefined) {
      const v = parseIp(a);
      c = v ? `${v.family}/${v.value}` : null;
      memo.set(a, c);
    }
    return c;
  };
  const x = canon(src);
  const y = canon(dst);
  return x !== null && y !== null ? `${x} ${y}` : undefined;
}

/** The cipher a VPN's IPsec proposal names (the first proposal of its policy), if any. */
function proposalCipher(device: Device, vpn: IpsecVpn): string | undefined {
  const sec = device.security!;
  const pol = sec.ipsecPolicies.find((p) => p.name === vpn.ike?.ipsecPolicy);
  for (const name of pol?.proposals ?? []) {
    const pr = sec.ipsecProposals.find((p) => p.name === name);
    if (pr?.encryptionAlgorithm) return pr.encryptionAlgorithm;
  }
  return undefined;
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

/**
 * Builds the VPNs of a device and adds their SAs to `db`. Returns the VPNs and
 * every problem found (the caller throws them together).
 */
export function buildVpns(ctx: VpnBuildContext, db: () => SaDatabase, records: readonly EspSaRecord[]): { vpns: VpnRt[]; problems: VpnProblem[] } {
  const device = ctx.device;
  const vpns: VpnRt[] = [];
  const problems: VpnProblem[] = [];
  const sec = device.security;
  if (!sec) return { vpns, problems };
  const where = (vpn: IpsecVpn): string => (vpn.loc ? '' : `${device.name}: `);
  // esp_sa records already taken by a VPN: several VPNs between the same two
  // gateways (traffic selectors) take the matching records in file order.
  const taken = new Set<EspSaRecord>();
  // Lookups by name and address, made once (10,000 VPNs would make searches of every list per VPN quadratic).
  const recordsByPair = new Map<string, EspSaRecord[]>();
  const canon = new Map<string, string | null>();
  for (const r of records) {
    if (r.src === '*' || r.dst === '*') continue;
    const k = pairKey(r.src, r.dst, canon);
    if (k === undefined) continue;
    const list = recordsByPair.get(k);
    if (list) list.push(r);
    else recordsByPair.set(k, [r]);
  }
  const serviceSetOf = new Map<string, NonNullable<Device['services']>['serviceSets'][number]>();
  for (const s of device.services?.serviceSets ?? []) for (const v of s.ipsecVpns) if (!serviceSetOf.has(v)) serviceSetOf.set(v, s);
  const gatewayByName = new Map<string, (typeof sec.ikeGateways)[number]>();
  for (const g of sec.ikeGateways) if (!gatewayByName.has(g.name)) gatewayByName.set(g.name, g);
  for (const vpn of sec.ipsecVpns) {
    if (vpn.bindInterface === undefined) continue; // policy-based VPNs are not modelled (MX inline IPsec is route-based)
    const bad = (message: string): void => void problems.push({ loc: vpn.loc, message: `${where(vpn)}vpn ${vpn.name}: ${message}` });
    const st0 = ctx.ifl(vpn.bindInterface);
    const ss = serviceSetOf.get(vpn.name);
    if (!ss) { bad('no service set names it (services service-set ... ipsec-vpn), so no si- interface serves it'); continue; }
    const siInside = ctx.ifl(ss.insideServiceInterface ?? '');
    const siOutside = ctx.ifl(ss.outsideServiceInterface ?? '');
    if (st0 < 0 || siInside < 0 || siOutside < 0) continue; // reported by the configuration checks
    // Outer addresses and the external interface.
    let local: string | undefined;
    let remote: string | undefined;
    let extName: string | undefined;
    if (vpn.manual) {
      remote = vpn.manual.gateway;
      extName = vpn.manual.externalInterface;
      const fam = remote !== undefined ? (parseIp(remote)?.family === 'inet6' ? 6 : 4) : 4;
      if (extName !== undefined) local = ctx.addressOf(ctx.ifl(extName), fam);
      if (remote === undefined) { bad('manual SA without a gateway address'); continue; }
      if (local === undefined) { bad(`manual SA: no local ${fam === 4 ? 'IPv4' : 'IPv6'} address (give the manual SA an external-interface with one)`); continue; }
    } else if (vpn.ike) {
      const gw = gatewayByName.get(vpn.ike.gateway);
      if (!gw) continue; // reported by the configuration checks
      remote = gw.addresses[0];
      extName = gw.externalInterface;
      local = gw.localAddress;
      const fam = remote !== undefined && parseIp(remote)?.family === 'inet6' ? 6 : 4;
      if (local === undefined && extName !== undefined) local = ctx.addressOf(ctx.ifl(extName), fam);
      if (remote === undefined || local === undefined) { bad(`ike gateway ${gw.name} needs an address and a local-address (or an external-interface with one)`); continue; }
    } else {
      bad('neither ike nor manual: nothing gives it keys');
      continue;
    }
    const family: 4 | 6 = parseIp(remote)?.family === 'inet6' ? 6 : 4;
    const extIfl = extName !== undefined ? ctx.ifl(extName) : ctx.iflOfAddress(local);
    const outerTable = ctx.tableOf(extIfl, family);
    // What every SA of the VPN shares; written out per SA (a spread of a Partial costs ~10 µs here).
    const sa = (dir: 'outbound' | 'inbound', spi: number, cipher: IpsecCipher, icvLength: 8 | 12 | 16 | undefined,
      key: Uint8Array, salt: Uint8Array, tunnelSrc: string, tunnelDst: string): SaConfig => ({
      name: vpn.name, direction: dir, mode: 'tunnel', spi, cipher, icvLength, key, salt, tunnelSrc, tunnelDst,
      esn: vpn.esn, antiReplay: vpn.antiReplay, replayWindowSize: vpn.antiReplayWindowSize, dfBit: vpn.dfBit, copyOuterDscp: vpn.copyOuterDscp,
    });
    const selectors = compileSelectors(vpn, vpns.length);
    // IKE negotiates an SA pair per traffic selector; a manual VPN has its one pair.
    const pairs: [SaConfig, SaConfig][] = [];
    if (vpn.manual) {
      const m = vpn.manual;
      const mk = (dir: 'outbound' | 'inbound', k: typeof m.outbound): SaConfig =>
        sa(dir, k.spi, k.cipher as IpsecCipher, undefined, hexBytes(k.key), hexBytes(k.salt), dir === 'outbound' ? local! : remote!, dir === 'outbound' ? remote! : local!);
      pairs.push([mk('outbound', m.outbound), mk('inbound', m.inbound)]);
    } else {
      const cipher = proposalCipher(device, vpn);
      const find = (src: string, dst: string): EspSaRecord | undefined => {
        const k = pairKey(src, dst, canon);
        return k === undefined ? undefined : recordsByPair.get(k)?.find((r) => !taken.has(r));
      };
      // The database copies what it keeps (keys included): no copies here.
      const mk = (dir: 'outbound' | 'inbound', r: EspSaRecord): SaConfig => sa(dir, r.spi, r.cipher, r.icvLength, r.key, r.salt, r.src, r.dst);
      let ok = true;
      for (let k = 0; ok && k < Math.max(1, selectors.length); k++) {
        const o = find(local, remote);
        const i = find(remote, local);
        if (!o || !i) {
          const missing = [!o ? `outbound ${local} → ${remote}` : '', !i ? `inbound ${remote} → ${local}` : ''].filter(Boolean).join(' and ');
          const what = selectors.length ? `traffic-selector ${selectors[k].name} (IKE negotiates an SA pair per selector; the esp_sa file gives them in selector order)` : '';
          bad(`no keys for ${missing}${what ? ` for ${what}` : ''}: IKE is not emulated; give an esp_sa file with these SAs (triode run --sa-file FILE) or configure a manual SA`);
          ok = false;
          break;
        }
        for (const r of [o, i]) {
          if (cipher !== undefined && cipher in ESP_CIPHER_KEY_LEN && r.cipher !== cipher) {
            bad(`its ipsec proposal uses ${cipher} (a ${ESP_CIPHER_KEY_LEN[cipher as IpsecCipher]}-byte key) but the esp_sa record ${r.file ?? ''}${r.line ? `:${r.line}` : ''} for ${r.src} → ${r.dst} has a ${r.key.length}-byte key (${r.cipher})`);
            ok = false;
          }
        }
        taken.add(o).add(i);
        pairs.push([mk('outbound', o), mk('inbound', i)]);
      }
      if (!ok) continue;
    }
    const tunnels: TunnelRt[] = [];
    try {
      for (const [o, i] of pairs) tunnels.push({ id: 0, outSa: db().add(o).index, inSa: db().add(i).index, selectors: selectors.length ? [] : NO_SELECTORS });
    } catch (e) {
      bad((e as Error).message);
      continue;
    }
    // Selectors each take their pair; a manual VPN's selectors share its one pair.
    selectors.forEach((t, k) => {
      const p = tunnels[Math.min(k, tunnels.length - 1)];
      t.outSa = p.outSa;
      t.inSa = p.inSa;
      p.selectors.push(t);
    });
    const index = vpns.length;
    vpns.push({
      index, name: vpn.name, st0, siInside, siOutside, outSa: tunnels[0].outSa, inSa: tunnels[0].inSa, tunnels,
      local, remote, family, outerTable, selectors, model: vpn,
    });
  }
  let id = FIRST_TUNNEL_ID;
  for (const v of vpns) for (const t of v.tunnels) t.id = id++;
  return { vpns, problems };
}
