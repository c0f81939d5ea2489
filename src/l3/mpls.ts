// Static MPLS at run time: which IFLs take labelled packets, the label table
// (Junos's mpls.0) of transit static LSPs, and the ingress static LSPs that
// routes with `static-lsp-next-hop` push onto.
//
// A labelled packet leaves by a "link adjacency": a gr- unit's GRE adjacency
// (the label stack becomes GRE protocol 0x8847), or an IPv4 neighbour's MPLS
// adjacency (ethertype 0x8847 to the neighbour's MAC, resolved by ARP like
// the neighbour's IP adjacency), as VPP keeps one adjacency per link type.

import { formatIpv4, parseIpv4 } from '../packet/addr.js';
import { MPLS_LABEL_FIRST_UNRESERVED, MPLS_LABEL_IMPLICIT_NULL } from '../packet/mpls.js';
import { isGreUnit, mplsEnabled, resolveLspNextHop } from '../config/mpls-checks.js';
import type { LspNextHop } from '../config/model.js';
import { ADJ_GLEAN, ADJ_MPLS, type Adjacency } from './adjacency.js';
import { greAdj } from './gre.js';
import type { DeviceRt } from '../device/device.js';

/** Preference of static LSP routes in mpls.0, as Junos shows them (`[MPLS/6]`). */
export const STATIC_LSP_PREFERENCE = 6;

/** A transit entry of mpls.0: the incoming label, pop or swap, and where the packet goes next. */
export interface LabelEntry {
  label: number;
  lsp: string;
  pop: boolean;
  /** The label swapped in (swap), or -1 (pop). */
  outLabel: number;
  /**
   * The link adjacency the labelled packet leaves by (swap; pop with labels
   * left), or -1: a pop exposing IP hands the packet to the IP lookup.
   */
  adj: number;
  /** "to 10.0.0.2 via et-0/0/1.0" or "via gr-0/0/0.0", or "" without a next hop; "via lsi.0 (red)" for a VRF label. */
  via: string;
  /**
   * A VRF's label (vrf-table-label): the routing instance whose tables the
   * exposed IPv4/IPv6 packet is looked up in, or '' (static LSP: the master
   * instance). Shown as `[VPN/0]` in mpls.0.
   */
  vrf: string;
  table4: number;
  table6: number;
}

/** Where a VPN route's labelled packets go after the VPN label: an ingress LSP, or straight to a neighbour (optionally with a transport label). */
export type VpnVia =
  | { lsp: string }
  | { nextHop: string; ifl?: string; push?: number };

/** A VPN route's forwarding: the adjacency to install and its next hop as `show route` prints it. */
export interface VpnNextHop {
  adj: number;
  via: string;
}

/** An ingress static LSP: the label it pushes and its label-imposition adjacencies (one per payload family). */
export interface IngressLsp {
  name: string;
  to: string;
  push: number;
  adj4: Adjacency;
  adj6: Adjacency;
  via: string;
}

export class MplsRt {
  /** 1 for IFLs that take and send labelled packets: `family mpls`, listed under `protocols mpls`. */
  readonly enabled: Uint8Array;
  /** RFC 3443 uniform model (Junos's default): the IP TTL goes into a pushed label and comes back at the last pop. */
  readonly uniform: boolean;
  /** mpls.0: transit entries by incoming label. */
  readonly labels = new Map<number, LabelEntry>();
  readonly ingress = new Map<string, IngressLsp>();
  /** The master instance's tables, where a payload exposed by the last pop is looked up. */
  readonly table4: number;
  readonly table6: number;
  /** VRF labels by routing instance (vrf-table-label), in allocation order: lsi.0 is the first. */
  readonly vrfLabels = new Map<string, LabelEntry>();
  /** VPN adjacencies by family, VPN label and what follows it: every route with the same pair shares one. */
  private readonly vpnAdjs = new Map<string, VpnNextHop>();
  /** Next label vrf-table-label may take (Junos allocates them from 16 upward, one per VRF). */
  private nextVrfLabel = MPLS_LABEL_FIRST_UNRESERVED;

  constructor(private readonly dev: DeviceRt) {
    const m = dev.model.mpls;
    this.enabled = Uint8Array.from(dev.ifs.ifls, (l) => (mplsEnabled(dev.model, l.model) ? 1 : 0));
    this.uniform = !m?.noPropagateTtl;
    this.table4 = dev.table('master', 4).index;
    this.table6 = dev.table('master', 6).index;
  }

  /**
   * Ingress PE: the adjacency of a VPN route. It pushes `vpnLabel` (bottom of
   * stack) and then leaves by `via`: an ingress LSP (whose own label is pushed
   * on top: `Push 16, Push 300144(top)`), or a neighbour's MPLS adjacency
   * (resolved by ARP), with a transport label on top if `push` is given
   * (implicit null, 3, pushes nothing: the neighbour is the egress PE,
   * `Push 16` alone). Family is the payload's: 6 for 6VPE routes over the
   * same IPv4 core. Throws on an unknown LSP or an unreachable next hop.
   */
  vpnAdjacency(vpnLabel: number, via: VpnVia, family: 4 | 6 = 4): VpnNextHop {
    checkLabel(vpnLabel, 'VPN label');
    const key = 'lsp' in via ? `${family}/${vpnLabel}/lsp ${via.lsp}` : `${family}/${vpnLabel}/${via.nextHop}/${via.ifl ?? ''}/${via.push ?? -1}`;
    const known = this.vpnAdjs.get(key);
    if (known) return known;
    let below: Adjacency;
    let text: string;
    if ('lsp' in via) {
      const lsp = this.ingress.get(via.lsp);
      if (!lsp) throw new Error(`VPN next hop: no ingress LSP ${via.lsp}`);
      below = family === 4 ? lsp.adj4 : lsp.adj6;
      text = `${lsp.via}, Push ${vpnLabel}, Push ${lsp.push}(top)`;
    } else {
      const link = this.neighborLink(via.nextHop, via.ifl);
      below = link.adj;
      text = link.via;
      if (via.push !== undefined && via.push !== MPLS_LABEL_IMPLICIT_NULL) {
        checkLabel(via.push, 'transport label', 0);
        below = this.pushAdj(family, via.push, below);
        text += `, Push ${vpnLabel}, Push ${via.push}(top)`;
      } else {
        text += `, Push ${vpnLabel}`;
      }
    }
    const nh = { adj: this.pushAdj(family, vpnLabel, below).index, via: text };
    this.vpnAdjs.set(key, nh);
    return nh;
  }

  /**
   * Egress PE: a label of mpls.0 that pops and looks the exposed IPv4/IPv6
   * packet up in a routing instance's tables (Junos's vrf-table-label, an LSI
   * unit per VRF). Throws if the label is taken or the instance has no tables.
   */
  addVrfLabel(label: number, instance: string): LabelEntry {
    checkLabel(label, 'VRF label');
    if (this.labels.has(label)) throw new Error(`VRF label ${label} (${instance}): label already in mpls.0`);
    if (this.vrfLabels.has(instance)) throw new Error(`routing instance ${instance} already has VRF label ${this.vrfLabels.get(instance)!.label}`);
    const t4 = this.dev.tableByName.get(`${instance}.inet.0`);
    const t6 = this.dev.tableByName.get(`${instance}.inet6.0`);
    if (!t4 || !t6 || instance === 'master') throw new Error(`VRF label ${label}: no routing instance ${instance} with routing tables`);
    const e: LabelEntry = {
      label, lsp: instance, pop: true, outLabel: -1, adj: -1, via: `via lsi.${this.vrfLabels.size} (${instance})`,
      vrf: instance, table4: t4.index, table6: t6.index,
    };
    this.labels.set(label, e);
    this.vrfLabels.set(instance, e);
    return e;
  }

  /**
   * `vrf-table-label` without a static label: the instance's label, allocated
   * on first use as Junos does — the lowest free label from 16 upward, one per
   * VRF, in the order the VRFs ask (the next VRF gets 17, ...).
   */
  vrfTableLabel(instance: string): number {
    const known = this.vrfLabels.get(instance);
    if (known) return known.label;
    while (this.labels.has(this.nextVrfLabel)) this.nextVrfLabel++;
    return this.addVrfLabel(this.nextVrfLabel++, instance).label;
  }

  /** The ingress LSP whose `to` is a remote PE's address (a BGP next hop), if any. */
  lspTo(address: string): IngressLsp | undefined {
    for (const l of this.ingress.values()) if (l.to === address) return l;
    return undefined;
  }

  private pushAdj(family: 4 | 6, label: number, below: Adjacency): Adjacency {
    const a = this.dev.adjs.add(ADJ_MPLS, family);
    a.label = label;
    a.via = below.index;
    a.ifl = below.ifl;
    return a;
  }

  /** A neighbour's MPLS adjacency: on `ifl`, or on the IFL whose connected subnet (master inet.0) holds the address. */
  private neighborLink(address: string, iflName: string | undefined): { adj: Adjacency; via: string } {
    const ip = parseIpv4(address);
    let ifl = -1;
    if (iflName !== undefined) {
      ifl = this.dev.ifs.ifl(iflName);
      if (ifl < 0) throw new Error(`VPN next hop ${address}: no interface ${iflName}`);
    } else {
      const r = this.dev.tables[this.table4].resolve4(ip);
      const a = r ? this.dev.adjs.all[r.adj] : undefined;
      if (a?.kind !== ADJ_GLEAN) throw new Error(`VPN next hop ${address}: not on a connected subnet`);
      ifl = a.ifl;
    }
    if (this.enabled[ifl] === 0) throw new Error(`VPN next hop ${address}: MPLS is not enabled on ${this.dev.ifs.ifls[ifl].name}`);
    return { adj: this.dev.neighborMplsAdj4(ifl, ip), via: `to ${formatIpv4(ip)} via ${this.dev.ifs.ifls[ifl].name}` };
  }
}

/** A label this router pushes or looks up: 20 bits; VPN and VRF labels are not reserved ones (0-15). */
function checkLabel(label: number, what: string, min = MPLS_LABEL_FIRST_UNRESERVED): void {
  if (!Number.isInteger(label) || label < min || label > 0xfffff) {
    throw new Error(`${what} ${label}: not a label of ${min} through 1048575`);
  }
}

/**
 * The device's MPLS (null when it has neither `protocols mpls` nor any IFL
 * with `family mpls`). Next hops were checked with the configuration: each
 * resolves to an IFL with MPLS enabled.
 */
export function buildMpls(dev: DeviceRt): MplsRt | null {
  const m = dev.model.mpls;
  if (!m && !dev.ifs.ifls.some((l) => l.model.mpls)) return null;
  const rt = new MplsRt(dev);
  for (const lsp of m?.staticLsps ?? []) {
    const ing = lsp.ingress;
    if (ing?.nextHop && ing.push !== undefined) {
      const link = linkAdj(dev, ing.nextHop);
      const push = (family: 4 | 6): Adjacency => {
        const a = dev.adjs.add(ADJ_MPLS, family);
        a.label = ing.push!;
        a.via = link.adj.index;
        a.ifl = link.adj.ifl;
        return a;
      };
      rt.ingress.set(lsp.name, { name: lsp.name, to: ing.to ?? '', push: ing.push, adj4: push(4), adj6: push(6), via: link.via });
    }
    for (const t of lsp.transit) {
      const link = t.nextHop ? linkAdj(dev, t.nextHop) : null;
      rt.labels.set(t.inLabel, {
        label: t.inLabel, lsp: lsp.name, pop: t.pop, outLabel: t.swap ?? -1, adj: link ? link.adj.index : -1, via: link?.via ?? '',
        vrf: '', table4: -1, table6: -1,
      });
    }
  }
  return rt;
}

/** The adjacency labelled packets to a next hop leave by: the gr- unit's GRE adjacency, or the neighbour's MPLS adjacency. */
function linkAdj(dev: DeviceRt, nh: LspNextHop): { adj: Adjacency; via: string } {
  const model = resolveLspNextHop(dev.model, nh);
  if (typeof model === 'string') throw new Error(`static LSP: ${model}`); // the configuration checks report this first
  const ifl = dev.ifs.ifl(model.name);
  if (isGreUnit(model)) return { adj: greAdj(dev, 4, ifl)!, via: `via ${model.name}` };
  return { adj: dev.neighborMplsAdj4(ifl, parseIpv4(nh.address!)), via: `to ${nh.address} via ${model.name}` };
}

/** A static route's `static-lsp-next-hop NAME`: the LSP's push adjacency for the route's family. */
export function lspRoute(dev: DeviceRt, name: string | undefined, family: 4 | 6): { adj: Adjacency; via: string } | null {
  const lsp = name === undefined ? undefined : dev.mpls?.ingress.get(name);
  if (!lsp) return null;
  return { adj: family === 4 ? lsp.adj4 : lsp.adj6, via: `${lsp.via}, Push ${lsp.push}` };
}
