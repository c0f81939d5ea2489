import type { DeviceRt } from '../device/device.js';
import type { RunResult } from './runner.js';
import type { SaCounters } from '../ipsec/sa.js';
import type { MacCounters } from '../l2/mac-table.js';
import { vrrpStats, type VrrpStats } from '../vrrp/vrrp.js';
import { bgpStats, type BgpStats } from '../bgp/bgp-stats.js';

export interface IflStats {
  inputPackets: number;
  inputBytes: number;
  outputPackets: number;
  outputBytes: number;
}

export interface NodeStats {
  calls: number;
  packets: number;
  counters: Record<string, number>;
}

export interface DeviceStats {
  /** The behaviour profile, and the switches set away from its defaults. */
  profile: string;
  switches?: Record<string, boolean | number | string>;
  /** Link transitions of the timeline, by port (ports that had none are left out). */
  linkTransitions?: Record<string, number>;
  /** BGP session transitions of the timeline, by session ("4.0.0.22", "ipvpn/4.0.0.21"); sessions that had none are left out. */
  bgpSessionTransitions?: Record<string, number>;
  accounting: DeviceRt['graph']['acct'];
  interfaces: Record<string, IflStats>;
  nodes: Record<string, NodeStats>;
  drops: Record<string, number>;
  /** Devices with IPsec VPNs: `show security ipsec statistics` totals and per-SA figures. */
  ipsec?: IpsecStats;
  /** Devices with bridge domains: the MAC table's entries and events, MAC+IP bindings, remote VTEPs, per domain. */
  bridge?: BridgeStats;
  /** Devices with LAG bundles: per bundle its members up and per member frames in and out (src/l2/lag.ts). */
  lag?: Record<string, LagBundleStats>;
  /** Devices with sFlow: the agent's totals and per sampled port (src/nodes/sflow.ts). */
  sflow?: SflowStats;
  /** Devices with VRRP groups: per group instance, its state at the end, transitions, advertisements (src/vrrp). */
  vrrp?: VrrpStats;
  /** Devices with BGP: sessions, per table its paths, VPN routes (src/bgp). */
  bgp?: BgpStats;
}

export interface BridgeStats {
  /** Entries in the MAC table (learned, static and remote), and MAC+IP bindings. */
  macs: number;
  macIp: number;
  /** Remote VTEPs known (static, EVPN, or from VXLAN taken in). */
  vteps: number;
  /** Learned, refreshed, moved, refused (by a domain's or a port's limit), aged, removed. */
  table: MacCounters;
  /** Per bridge domain (instance/name): its VNI (-1: none), learned MACs, flood-list VTEPs. */
  domains: Record<string, { vni: number; learned: number; floodVteps: number }>;
}

export interface IpsecSaStats {
  vpn: string;
  direction: 'inbound' | 'outbound';
  spi: string;
  src: string;
  dst: string;
  /** The tunnel ID `show security ipsec security-associations` gives the SA's pair, and its traffic selector. */
  tunnel: number;
  trafficSelector?: string;
  counters: SaCounters;
}

export interface IpsecStats {
  totals: SaCounters;
  sas: IpsecSaStats[];
}

/** The `--stats` JSON: the run's accounting, drops by reason, and per device its IFLs, nodes and drops. */
export interface RunStats {
  accounting: RunResult['accounting'];
  /** in + generated === out + consumed + dropped, always: a false here is a bug. */
  balanced: boolean;
  drops: Record<string, number>;
  /** IPsec counters summed over every device (present when any device has VPNs). */
  ipsec?: SaCounters;
  outputs: RunResult['outputs'];
  devices: Record<string, DeviceStats>;
}

export function deviceStats(dev: DeviceRt): DeviceStats {
  const ifs = dev.ifs;
  const interfaces: Record<string, IflStats> = {};
  for (const ifl of ifs.ifls) {
    interfaces[ifl.name] = {
      inputPackets: ifs.rxPackets[ifl.index],
      inputBytes: ifs.rxBytes[ifl.index],
      outputPackets: ifs.txPackets[ifl.index],
      outputBytes: ifs.txBytes[ifl.index],
    };
  }
  const nodes: Record<string, NodeStats> = {};
  for (const n of dev.graph.nodes) {
    const counters: Record<string, number> = {};
    n.counterNames.forEach((c, i) => { if (n.counters[i]) counters[c] = n.counters[i]; });
    nodes[n.name] = { calls: n.calls, packets: n.packets, counters };
  }
  const s: DeviceStats = { profile: dev.behaviour.profile, accounting: { ...dev.graph.acct }, interfaces, nodes, drops: dev.graph.dropsByReason() };
  if (dev.behaviour.overridden.length) s.switches = Object.fromEntries(dev.behaviour.overridden.map((o) => [o.name, o.value]));
  const flaps = ifs.ifds.filter((p) => dev.linkTransitions[p.index] > 0);
  if (flaps.length) s.linkTransitions = Object.fromEntries(flaps.map((p) => [p.name, dev.linkTransitions[p.index]]));
  if (dev.bgpSessionTransitions.size) s.bgpSessionTransitions = Object.fromEntries(dev.bgpSessionTransitions);
  if (dev.vrrp) s.vrrp = vrrpStats(dev.vrrp);
  if (dev.bgp) s.bgp = bgpStats(dev.bgp, dev.bgpHoldExpired);
  if (dev.ipsec) s.ipsec = ipsecStats(dev);
  if (dev.bridge) s.bridge = bridgeStats(dev);
  if (dev.lag) s.lag = lagStats(dev);
  if (dev.sflow) s.sflow = sflowStats(dev);
  return s;
}

export interface LagBundleStats {
  up: boolean;
  minimumLinks: number;
  membersUp: string[];
  members: Record<string, { up: boolean; inputPackets: number; inputBytes: number; outputPackets: number; outputBytes: number }>;
}

export function lagStats(dev: DeviceRt): Record<string, LagBundleStats> {
  const lag = dev.lag!;
  const ifds = dev.ifs.ifds;
  const out: Record<string, LagBundleStats> = {};
  for (const b of lag.bundles) {
    const members: LagBundleStats['members'] = {};
    for (const m of b.members) {
      members[ifds[m].name] = {
        up: ifds[m].down === 0, inputPackets: lag.rxPackets[m], inputBytes: lag.rxBytes[m], outputPackets: lag.txPackets[m], outputBytes: lag.txBytes[m],
      };
    }
    out[b.name] = { up: ifds[b.ifd].down === 0, minimumLinks: b.minimumLinks, membersUp: [...b.up.subarray(0, b.upCount)].map((m) => ifds[m].name), members };
  }
  return out;
}

export interface SflowStats {
  agent: string;
  collectors: string[];
  /** Packets on sampled ports, samples taken, samples lost for want of room, datagrams sent (one per collector). */
  pool: number;
  samples: number;
  drops: number;
  datagrams: number;
  ports: Record<string, { ifIndex: number; samplingRate: number; pool: number; samples: number }>;
}

export function sflowStats(dev: DeviceRt): SflowStats {
  const a = dev.sflow!;
  const ports: SflowStats['ports'] = {};
  for (const p of dev.ifs.ifds) {
    if (a.rate[p.index] === 0) continue;
    ports[p.name] = { ifIndex: a.ifIndex[p.index], samplingRate: a.rate[p.index], pool: a.pool[p.index], samples: a.samples[p.index] };
  }
  const ip = (v: number): string => `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  return { agent: ip(a.agent), collectors: a.collectors.map((c) => c.text), ...a.counters, ports };
}

export function bridgeStats(dev: DeviceRt): BridgeStats {
  const br = dev.bridge!;
  const domains: BridgeStats['domains'] = {};
  for (const d of br.domains) domains[`${d.instance}/${d.name}`] = { vni: d.vni, learned: br.macs.domainCount(d.index), floodVteps: d.floodVteps.length };
  return { macs: br.macs.size, macIp: br.macIp.size, vteps: br.vteps.all.length, table: { ...br.macs.counters }, domains };
}

export function ipsecStats(dev: DeviceRt): IpsecStats {
  const db = dev.ipsec!;
  const tunnelOf = new Map<number, { id: number; ts?: string }>();
  for (const v of dev.vpns) {
    for (const t of v.tunnels) {
      const at = { id: t.id, ts: t.selectors.length ? t.selectors.map((x) => x.name).join(',') : undefined };
      tunnelOf.set(t.outSa, at).set(t.inSa, at);
    }
  }
  return {
    totals: db.totals(),
    sas: db.sas.map((sa) => ({
      vpn: sa.name,
      direction: sa.direction,
      spi: `0x${sa.spi.toString(16).padStart(8, '0')}`,
      src: sa.config.tunnelSrc ?? '*',
      dst: sa.config.tunnelDst ?? '*',
      tunnel: tunnelOf.get(sa.index)?.id ?? 0,
      ...(tunnelOf.get(sa.index)?.ts ? { trafficSelector: tunnelOf.get(sa.index)!.ts } : {}),
      counters: sa.counters(),
    })),
  };
}

export function runStats(r: RunResult): RunStats {
  const devices: Record<string, DeviceStats> = {};
  const drops: Record<string, number> = {};
  for (const d of r.devices) {
    const s = deviceStats(d);
    devices[d.name] = s;
    for (const [k, v] of Object.entries(s.drops)) drops[k] = (drops[k] ?? 0) + v;
  }
  const a = r.accounting;
  let ipsec: SaCounters | undefined;
  for (const d of Object.values(devices)) {
    if (!d.ipsec) continue;
    const t = d.ipsec.totals;
    ipsec ??= Object.fromEntries(Object.keys(t).map((k) => [k, 0])) as SaCounters;
    for (const k of Object.keys(t) as (keyof SaCounters)[]) ipsec[k] += t[k];
  }
  return {
    accounting: a,
    balanced: a.in + a.generated === a.out + a.consumed + a.dropped,
    drops,
    ...(ipsec ? { ipsec } : {}),
    outputs: r.outputs,
    devices,
  };
}
