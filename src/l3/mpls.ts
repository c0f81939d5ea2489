// Static MPLS at run time: which IFLs take labelled packets, the label table
// (Junos's mpls.0) of transit static LSPs, and the ingress static LSPs that
// routes with `static-lsp-next-hop` push onto.
//
// A labelled packet leaves by a "link adjacency": a gr- unit's GRE adjacency
// (the label stack becomes GRE protocol 0x8847), or an IPv4 neighbour's MPLS
// adjacency (ethertype 0x8847 to the neighbour's MAC, resolved by ARP like
// the neighbour's IP adjacency), as VPP keeps one adjacency per link type.

import { parseIpv4 } from '../packet/addr.js';
import { isGreUnit, mplsEnabled, resolveLspNextHop } from '../config/mpls-checks.js';
import type { LspNextHop } from '../config/model.js';
import { ADJ_MPLS, type Adjacency } from './adjacency.js';
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
  /** "to 10.0.0.2 via et-0/0/1.0" or "via gr-0/0/0.0", or "" without a next hop. */
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

  constructor(dev: DeviceRt) {
    const m = dev.model.mpls;
    this.enabled = Uint8Array.from(dev.ifs.ifls, (l) => (mplsEnabled(dev.model, l.model) ? 1 : 0));
    this.uniform = !m?.noPropagateTtl;
    this.table4 = dev.table('master', 4).index;
    this.table6 = dev.table('master', 6).index;
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
