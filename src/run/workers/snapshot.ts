// What a pipeline replica hands back at the end of a parallel run, and how
// the run folds the replicas into one set of devices for stats and `show`:
// counters add up; an SA's sequence numbers and replay window come from the
// replica that owns it; the neighbour tables from replica 0, which resolves
// for all.

import type { DeviceRt } from '../../device/device.js';
import type { Accounting } from '../../graph/graph.js';

export interface DeviceSnapshot {
  acct: Accounting;
  /** Packets this device shipped to other replicas (each counted out here and in there). */
  shipped: number;
  rx: Float64Array[];
  nodes: { counters: Float64Array; calls: number; packets: number }[];
  drops: Record<string, number>;
  /** SAs this replica owns, by SA index. */
  sas: { index: number; stats: Float64Array; seqHi: number; seqLo: number; topHi: number; topLo: number }[];
  /** Replica 0 only: every neighbour (MAC null: still incomplete). */
  neighbors: { ifl: number; family: 4 | 6; ip4: number; ip6: Uint8Array | null; mac: Uint8Array | null; isStatic: boolean; updatedSec: number }[];
}

export function snapshotDevice(dev: DeviceRt, shipped: number, owned: (sa: number) => boolean, withNeighbors: boolean): DeviceSnapshot {
  const g = dev.graph;
  return {
    acct: { ...g.acct },
    shipped,
    rx: [dev.ifs.rxPackets, dev.ifs.rxBytes, dev.ifs.txPackets, dev.ifs.txBytes],
    nodes: g.nodes.map((n) => ({ counters: n.counters, calls: n.calls, packets: n.packets })),
    drops: g.dropsByReason(),
    sas: (dev.ipsec?.sas ?? []).flatMap((sa, index) => (owned(index)
      ? [{ index, stats: sa.stats, seqHi: sa.seqHi, seqLo: sa.seqLo, topHi: sa.replay.topHi, topLo: sa.replay.topLo }]
      : [])),
    neighbors: withNeighbors
      ? dev.nbrs.all.map((n) => ({ ifl: n.ifl, family: n.family, ip4: n.ip4, ip6: n.ip6, mac: n.mac, isStatic: n.state === 'static', updatedSec: n.updatedSec }))
      : [],
  };
}

/** Adds a replica's snapshot into `dev` (a device built from the same configuration that ran nothing). */
export function absorbDevice(dev: DeviceRt, s: DeviceSnapshot): void {
  const g = dev.graph;
  g.acct.in += s.acct.in - s.shipped;
  g.acct.generated += s.acct.generated;
  g.acct.out += s.acct.out - s.shipped;
  g.acct.consumed += s.acct.consumed;
  g.acct.dropped += s.acct.dropped;
  const mine = [dev.ifs.rxPackets, dev.ifs.rxBytes, dev.ifs.txPackets, dev.ifs.txBytes];
  mine.forEach((a, k) => { for (let i = 0; i < a.length; i++) a[i] += s.rx[k][i]; });
  g.nodes.forEach((n, k) => {
    const o = s.nodes[k];
    for (let i = 0; i < n.counters.length; i++) n.counters[i] += o.counters[i];
    n.q.calls += o.calls;
    n.q.packets += o.packets;
  });
  for (const [reason, count] of Object.entries(s.drops)) g.drops[g.reason(reason)] += count;
  for (const o of s.sas) {
    const sa = dev.ipsec!.sas[o.index];
    sa.stats.set(o.stats);
    sa.seqHi = o.seqHi;
    sa.seqLo = o.seqLo;
    sa.replay.seed(o.topHi, o.topLo); // the folded devices only show state: the window's bits need not follow
  }
  for (const n of s.neighbors) {
    if (n.isStatic) continue; // configured: the device has it already
    if (n.mac === null) {
      if (n.family === 4) dev.neighbor4(n.ifl, n.ip4);
      else dev.neighbor6(n.ifl, n.ip6!);
    } else if (n.family === 4) dev.resolve4(n.ifl, n.ip4, n.mac, n.updatedSec, 0);
    else dev.resolve6(n.ifl, n.ip6!, n.mac, n.updatedSec, 0);
  }
}
