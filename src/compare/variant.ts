// One variant of `triode compare`: the configuration or scenario loaded
// afresh, a profile applied as `triode run --profile` applies it, every input
// packet traced (up to a cap), and every frame each port sends kept with the
// trace it belongs to. Off the hot path but for the sink tap, which only
// copies what a port sends.

import { join } from 'node:path';
import { loadConfigFile } from '../config/scenario.js';
import type { PacketTrace } from '../graph/trace.js';
import { F_TRACED } from '../packet/batch.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { applyProfiles } from '../profiles/catalog.js';
import type { ProfileSpec, SwitchSetting, SwitchValue } from '../profiles/switch.js';
import { portName } from '../run/ports.js';
import { Run, type RunInput, type RunResult } from '../run/runner.js';
import { runStats, type RunStats } from '../run/stats.js';

/** A frame a port sent, and the traced input packet it came from (-1: none, or past the trace cap). */
export interface SentFrame {
  port: string;
  traceId: number;
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
}

/** Per device: its profile, the switches set away from the profile's defaults, and every switch's value. */
export interface VariantDevice {
  name: string;
  profile: string;
  overridden: SwitchSetting[];
  switches: { name: string; value: SwitchValue }[];
  /** Drop reasons each node declares, by node name: which node of a trace could have dropped it. */
  errorNames: Map<string, readonly string[]>;
}

export interface VariantRun {
  /** The profile spec as written: `nxos`, `R1:ios,arp-ignore=1`. */
  name: string;
  devices: VariantDevice[];
  traces: PacketTrace[];
  sent: SentFrame[];
  stats: RunStats;
  result: RunResult;
}

/** How many frames the inputs hold (the trace budget of a variant). */
export function countInputFrames(inputs: readonly RunInput[]): number {
  let n = 0;
  const rec = newCaptureRecord();
  for (const i of inputs) {
    const r = CaptureReader.open(i.file);
    try {
      while (r.next(rec)) n++;
    } finally {
      r.close();
    }
  }
  return n;
}

/** A variant's output directory under --out-dir: its spec with characters outside [A-Za-z0-9.,=-] as "_". */
export function variantDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9.,=-]/g, '_');
}

export interface VariantOptions {
  /** Trace the first N input packets. */
  trace: number;
  /** --out-dir: the variant's pcaps go into <outDir>/<variantDirName>/. */
  outDir?: string;
}

/** Runs the inputs under one profile spec. Throws ConfigError / CaptureError / Error with a one-line reason on bad input. */
export function runVariant(config: string, spec: ProfileSpec, inputs: readonly RunInput[], opts: VariantOptions): VariantRun {
  const scenario = loadConfigFile(config);
  applyProfiles(scenario.devices, [spec]);
  const run = new Run(scenario, { trace: opts.trace, outDir: opts.outDir === undefined ? undefined : join(opts.outDir, variantDirName(spec.text)) });
  const sent = tapPorts(run);
  let result: RunResult;
  try {
    result = run.execute([...inputs]);
  } finally {
    for (const d of run.devices) d.ipsec?.close();
  }
  return {
    name: spec.text,
    devices: run.devices.map((d) => ({
      name: d.name,
      profile: d.behaviour.profile,
      overridden: [...d.behaviour.overridden],
      switches: d.behaviour.all(),
      errorNames: new Map(d.graph.nodes.map((n) => [n.name, n.errorNames])),
    })),
    traces: result.trace.traces,
    sent,
    stats: runStats(result),
    result,
  };
}

/**
 * Wraps every port sink of the run (as `triode test` does to learn trace
 * ids) to keep a copy of each frame sent with its trace id: the frames a
 * packet produced, port by port, whichever node built them.
 */
function tapPorts(run: Run): SentFrame[] {
  const sent: SentFrame[] = [];
  for (const dev of run.devices) {
    dev.sinks.forEach((sink, ifd) => {
      if (sink === null) return;
      const port = portName(run.devices, dev, ifd);
      dev.sinks[ifd] = (data, off, len, tsSec, tsNsec, b, slot) => {
        const traceId = (b.flags[slot] & F_TRACED) !== 0 ? b.traceId[slot] : -1;
        sent.push({ port, traceId, tsSec, tsNsec, data: data.slice(off, off + len) });
        sink(data, off, len, tsSec, tsNsec, b, slot);
      };
    });
  }
  return sent;
}
