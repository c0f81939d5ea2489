import type { DeviceRt } from '../device/device.js';
import type { RunResult } from './runner.js';

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
  accounting: DeviceRt['graph']['acct'];
  interfaces: Record<string, IflStats>;
  nodes: Record<string, NodeStats>;
  drops: Record<string, number>;
}

/** The `--stats` JSON: the run's accounting, drops by reason, and per device its IFLs, nodes and drops. */
export interface RunStats {
  accounting: RunResult['accounting'];
  /** in + generated === out + consumed + dropped, always: a false here is a bug. */
  balanced: boolean;
  drops: Record<string, number>;
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
  return { accounting: { ...dev.graph.acct }, interfaces, nodes, drops: dev.graph.dropsByReason() };
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
  return {
    accounting: a,
    balanced: a.in + a.generated === a.out + a.consumed + a.dropped,
    drops,
    outputs: r.outputs,
    devices,
  };
}
