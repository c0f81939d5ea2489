// GRE tunnels at run time: one per gr- unit with a `tunnel`, with the outer
// header's fields ready to write, the table that routes the outer packet,
// and the lookups a received GRE packet needs (by outer source, destination
// and table) without allocating.

import { parseIp } from '../config/values.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import { ADJ_GRE, type Adjacency } from './adjacency.js';
import type { DeviceRt } from '../device/device.js';

/** Outer TTL / hop limit when the tunnel sets none (Junos's default for gr- tunnels). */
export const GRE_DEFAULT_TTL = 64;

export interface GreTunnelRt {
  index: number;
  /** The gr- IFL. */
  ifl: number;
  /** Outer family, from the tunnel source/destination. */
  family: 4 | 6;
  src4: number;
  dst4: number;
  src6: Uint8Array;
  dst6: Uint8Array;
  ttl: number;
  /** Outer DF bit (IPv4): set unless `allow-fragmentation`. */
  df: boolean;
  /** Table of the outer family in the `routing-instance destination` instance (default master). */
  outerTable: number;
  /** GRE adjacencies, one per inner family (-1 until a route uses it). */
  adj4: number;
  adj6: number;
  /** Identification of the next outer IPv4 header. */
  ident: number;
  /** "10.0.0.1 → 10.0.0.2", for traces and show. */
  text: string;
}

export class GreTunnels {
  readonly all: GreTunnelRt[] = [];
  /** Tunnel index by IFL index (-1: not a GRE unit). */
  readonly ofIfl: Int32Array;
  private readonly byLocal4 = new Map<number, GreTunnelRt[]>();
  private readonly v6: GreTunnelRt[] = [];

  constructor(iflCount: number) {
    this.ofIfl = new Int32Array(iflCount).fill(-1);
  }

  add(t: GreTunnelRt): void {
    this.all.push(t);
    this.ofIfl[t.ifl] = t.index;
    if (t.family === 6) this.v6.push(t);
    else {
      let list = this.byLocal4.get(t.src4);
      if (!list) this.byLocal4.set(t.src4, (list = []));
      list.push(t);
    }
  }

  /** The tunnel of a received IPv4 GRE packet: its source is the tunnel's destination, its destination the tunnel's source. */
  find4(src: number, dst: number, table: number): GreTunnelRt | null {
    const list = this.byLocal4.get(dst);
    if (list === undefined) return null;
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      if (t.dst4 === src && t.outerTable === table) return t;
    }
    return null;
  }

  /** The same for IPv6: source at d[srcOff], destination at d[srcOff + 16]. */
  find6(d: Uint8Array, srcOff: number, table: number): GreTunnelRt | null {
    for (let i = 0; i < this.v6.length; i++) {
      const t = this.v6[i];
      if (t.outerTable !== table) continue;
      let k = 0;
      while (k < 16 && t.dst6[k] === d[srcOff + k] && t.src6[k] === d[srcOff + 16 + k]) k++;
      if (k === 16) return t;
    }
    return null;
  }
}

/** The device's GRE tunnels (null: it has none). The configuration checks made sure each is complete. */
export function buildGreTunnels(dev: DeviceRt): GreTunnels | null {
  let gre: GreTunnels | null = null;
  for (const ifl of dev.ifs.ifls) {
    const t = ifl.model.tunnel;
    if (!/^gr-/.test(ifl.name) || !t || t.source === undefined || t.destination === undefined) continue;
    gre ??= new GreTunnels(dev.ifs.ifls.length);
    const family = parseIp(t.source)!.family === 'inet' ? 4 : 6;
    const rt: GreTunnelRt = {
      index: gre.all.length,
      ifl: ifl.index,
      family,
      src4: family === 4 ? parseIpv4(t.source) >>> 0 : 0,
      dst4: family === 4 ? parseIpv4(t.destination) >>> 0 : 0,
      src6: family === 6 ? parseIpv6(t.source) : new Uint8Array(16),
      dst6: family === 6 ? parseIpv6(t.destination) : new Uint8Array(16),
      ttl: t.ttl ?? GRE_DEFAULT_TTL,
      df: !t.allowFragmentation,
      outerTable: dev.table(t.destinationInstance ?? 'master', family).index,
      adj4: -1,
      adj6: -1,
      ident: 0,
      text: '',
    };
    rt.text = family === 4 ? `${formatIpv4(rt.src4)} → ${formatIpv4(rt.dst4)}` : `${formatIpv6(rt.src6, 0)} → ${formatIpv6(rt.dst6, 0)}`;
    gre.add(rt);
  }
  return gre;
}

/** The GRE adjacency of a gr- IFL for an inner family (created on first use), or null when the IFL is no GRE tunnel. */
export function greAdj(dev: DeviceRt, family: 4 | 6, ifl: number): Adjacency | null {
  const k = dev.gre?.ofIfl[ifl] ?? -1;
  if (k < 0) return null;
  const t = dev.gre!.all[k];
  const have = family === 4 ? t.adj4 : t.adj6;
  if (have >= 0) return dev.adjs.all[have];
  const a = dev.adjs.add(ADJ_GRE, family);
  a.ifl = ifl;
  a.tunnel = k;
  if (family === 4) t.adj4 = a.index;
  else t.adj6 = a.index;
  return a;
}
