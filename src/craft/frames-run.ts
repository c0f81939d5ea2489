import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../config/model.js';
import { loadJunosText } from '../config/junos-device.js';
import { loadConfigFile } from '../config/scenario.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { Run, type RunOptions } from '../run/runner.js';
import { runStats, type RunStats } from '../run/stats.js';
import { portFileName } from '../run/ports.js';
import type { DeviceRt } from '../device/device.js';

/** A frame at a time (seconds since the epoch, as a decimal: 1.5 is 1 s 500 ms). */
export interface TimedFrame {
  t: number;
  frame: Uint8Array;
}

export interface FramesRunResult {
  /** What each port sent, in order. */
  out: Record<string, TimedFrame[]>;
  stats: RunStats;
  devices: DeviceRt[];
  run: Run;
}

/** A one-device scenario from Junos text. */
export function junosScenario(text: string, name = 'R1'): Scenario {
  return { devices: [loadJunosText(text, `${name}.conf`, { deviceName: name })], links: [] };
}

/**
 * Runs frames through a scenario end to end, through real pcap files in a
 * temporary directory: inputs written, `Run` executed, outputs read back.
 */
export function runFrames(
  scenario: Scenario, inputs: Record<string, TimedFrame[]>, opts: RunOptions = {},
  /** Called with the built devices before any frame: a test programs state the configuration cannot give (VPN routes and labels). */
  setup?: (devices: DeviceRt[]) => void,
): FramesRunResult {
  const dir = mkdtempSync(join(tmpdir(), 'triode-'));
  try {
    const files = Object.entries(inputs).map(([port, frames]) => {
      const file = join(dir, `in-${portFileName(port)}`);
      const w = new PcapWriter(file, { nanosecond: true });
      for (const f of frames) {
        const ns = Math.round(f.t * 1e9);
        w.write(f.frame, 0, f.frame.length, Math.floor(ns / 1e9), ns % 1e9);
      }
      w.close();
      return { port, file };
    });
    const run = new Run(scenario, { ...opts, outDir: join(dir, 'out') });
    setup?.(run.devices);
    const result = run.execute(files);
    const out: Record<string, TimedFrame[]> = {};
    for (const o of result.outputs) {
      const r = CaptureReader.open(o.file);
      const rec = newCaptureRecord();
      const frames: TimedFrame[] = [];
      while (r.next(rec)) frames.push({ t: rec.tsSec + rec.tsNsec / 1e9, frame: rec.buf.slice(rec.offset, rec.offset + rec.caplen) });
      r.close();
      out[o.port] = frames;
    }
    return { out, stats: runStats(result), devices: result.devices, run };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A scenario written out as files (Junos configurations beside a
 * scenario.yaml, in `dir`/`name`) and loaded as `triode run` loads it.
 */
export function scenarioFromFiles(dir: string, name: string, files: Record<string, string>, yaml: string): Scenario {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  writeFileSync(join(d, 'scenario.yaml'), yaml);
  return loadConfigFile(join(d, 'scenario.yaml'));
}
