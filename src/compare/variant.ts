// One variant of `triode compare`: the configuration or scenario loaded
// afresh, a profile applied as `triode run --profile` applies it, every input
// packet traced (up to a cap), and every frame each port sends kept with the
// trace it belongs to. Off the hot path but for the sink tap, which only
// copies what a port sends.

import { createHash } from 'node:crypto';
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

/** A frame a port sent, and the traced input packet it came from. */
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
  /** Frames of traced packets, whole, in the order sent. */
  sent: SentFrame[];
  /** Every frame sent, traced or not, by port: a digest of its time and bytes → how many times (the port table; small beside the frames). */
  portFrames: Map<string, Map<string, number>>;
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
  const { sent, portFrames } = tapPorts(run);
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
    portFrames,
    stats: runStats(result),
    result,
  };
}

/** A frame's time and bytes as a short key: frames alike on a port across variants have the same one. */
export function frameDigest(tsSec: number, tsNsec: number, data: Uint8Array): string {
  return createHash('sha256').update(`${tsSec}.${tsNsec} `).update(data).digest('base64');
}

/**
 * Wraps every port sink of the run (as `triode test` does to learn trace
 * ids): a traced packet's frames are kept whole with its trace id (what it
 * produced, port by port, whichever node built them); every frame is counted
 * by port and digest.
 */
function tapPorts(run: Run): { sent: SentFrame[]; portFrames: Map<string, Map<string, number>> } {
  const sent: SentFrame[] = [];
  const portFrames = new Map<string, Map<string, number>>();
  for (const dev of run.devices) {
    dev.sinks.forEach((sink, ifd) => {
      if (sink === null) return;
      const port = portName(run.devices, dev, ifd);
      const counts = new Map<string, number>();
      portFrames.set(port, counts);
      dev.sinks[ifd] = (data, off, len, tsSec, tsNsec, b, slot) => {
        const frame = data.subarray(off, off + len);
        const digest = frameDigest(tsSec, tsNsec, frame);
        counts.set(digest, (counts.get(digest) ?? 0) + 1);
        if ((b.flags[slot] & F_TRACED) !== 0) sent.push({ port, traceId: b.traceId[slot], tsSec, tsNsec, data: frame.slice() });
        sink(data, off, len, tsSec, tsNsec, b, slot);
      };
    });
  }
  return { sent, portFrames };
}
