// The `triode bench --json` output, schema "triode-bench/1": a stable
// interface (CI gates read earlier runs as baselines). Fields may be added in
// a later version of the same schema; none is removed or changes meaning
// without a new schema name.
import type { ScaleReport } from './scale.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, loadavg, platform, release } from 'node:os';
import type { Clock } from './measure.js';
import type { BackendName, CeilingKind } from './setup.js';
import type { Spread } from './stats.js';
import { BenchInputError, formatProblems, parseJsonText } from './json-text.js';
import { isArrayOf, isLiteral, isNumber, isObject, isOneOf, isString, nullable, type Validator } from './validate.js';
import type { Problem } from './json-text.js';

export const BENCH_SCHEMA = 'triode-bench/1';

export interface BenchMachine {
  /** Stable hash of CPU model, core count and host name: equal ids mean absolute figures compare. */
  id: string;
  cpu: string;
  cores: number;
  /** Node.js version (process.version). */
  node: string;
  /** platform, kernel release, architecture. */
  os: string;
  /** 1, 5 and 15-minute load averages when the run started (how shared the machine was). */
  loadavg: number[];
}

export interface BenchOptionsRecord {
  scenarios: string[];
  sizes: string[];
  backends: string[];
  reps: number;
  /** Seconds of each measurement. */
  duration: number;
  clock: Clock;
  vpns: number;
  routes: number;
  /** MAC table entries of the VXLAN scenarios (absent in reports made before they existed). */
  macs?: number;
  /** Pipeline replicas (worker threads) each figure ran on. */
  workers: number;
  /** Gates file and baseline of a gate run (null otherwise). */
  gate: string | null;
  baseline: string | null;
}

export interface BenchResult {
  scenario: string;
  size: string;
  backend: BackendName;
  /** Mean frame size of the input with the FCS (cleartext frames for ESP): Gbps = Mpps × this × 8 / 1000. */
  meanFrameBytes: number;
  /** Medians over the repetitions. */
  mpps: number;
  gbps: number;
  nsPerPacket: number;
  /** Median over repetitions of (Mpps / the ceiling's Mpps in the same repetition). */
  ratioToCeiling: number;
  ceiling: CeilingKind;
  /** Both ratios, medians likewise; aesGcm is null without a crypto backend (l3). */
  ratios: { aesGcm: number | null; memcpy: number };
  /** The ceilings' own medians, Mpps. */
  ceilingMpps: { aesGcm: number | null; memcpy: number };
  spread: { mpps: Spread; gbps: Spread; nsPerPacket: Spread; ratioToCeiling: Spread; scaling?: Spread };
  reps: number;
  /** Packets measured in the scenario over all repetitions. */
  packets: number;
  /**
   * Pipeline replicas (worker threads) the figures are of. With more than
   * one, the ratios are to N × the ceiling (N cores' worth), and:
   */
  workers: number;
  /** Median over repetitions of (N replicas' Mpps / one replica's Mpps in the same repetition). */
  scaling?: number;
  /** One replica's Mpps, median (same harness, same run). */
  oneWorkerMpps?: number;
  /**
   * A scenario with a baseline (ixp: ixp-plain, the same path without its
   * features): the baseline measured in every repetition next to it, its
   * median Mpps, and the median over repetitions of (this Mpps / the
   * baseline's in the same repetition), with that ratio's spread.
   */
  baseline?: { scenario: string; mpps: number; ratio: number; spread: Spread };
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  /** triode's version (package.json). */
  triode: string;
  /** ISO 8601 time the run started. */
  date: string;
  machine: BenchMachine;
  options: BenchOptionsRecord;
  /** Backends not run, each with the reason (the native addon did not load). */
  skipped: { backend: string; reason: string }[];
  results: BenchResult[];
  /** `--scale`: memory per SA, route and MAC entry, and throughput at scale (scale.ts). */
  scale?: ScaleReport;
}

export function triodeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export function machineInfo(): BenchMachine {
  const c = cpus();
  const cpu = c[0]?.model.trim() ?? 'unknown';
  const id = createHash('sha256').update(`${cpu}\n${c.length}\n${hostname()}`).digest('hex').slice(0, 16);
  return { id, cpu, cores: c.length, node: process.version, os: `${platform()} ${release()} ${arch()}`, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
}

const spread = isObject({ min: isNumber, max: isNumber, rel: isNumber });
const result: Validator = isObject({
  scenario: isString,
  size: isString,
  backend: isOneOf(['native', 'js', 'none'], 'backend'),
  meanFrameBytes: isNumber,
  mpps: isNumber,
  gbps: isNumber,
  nsPerPacket: isNumber,
  ratioToCeiling: isNumber,
  ceiling: isOneOf(['aes-gcm', 'memcpy'], 'ceiling'),
  ratios: isObject({ aesGcm: nullable(isNumber), memcpy: isNumber }),
  ceilingMpps: isObject({ aesGcm: nullable(isNumber), memcpy: isNumber }),
  spread: isObject({ mpps: spread, gbps: spread, nsPerPacket: spread, ratioToCeiling: spread }, [], true),
  reps: isNumber,
  packets: isNumber,
}, [], true);

/** Checks the parts of a report a gate reads; later fields of the same schema are let through. */
export const benchReportShape: Validator = isObject({
  schema: isLiteral(BENCH_SCHEMA),
  triode: isString,
  date: isString,
  machine: isObject({ id: isString, cpu: isString, cores: isNumber, node: isString, os: isString }, [], true),
  options: isObject({}, [], true),
  results: isArrayOf(result),
}, [], true);

/** Reads a `--json` output (a gate's baseline); bad files throw BenchInputError with every problem located. */
export function readBenchReport(text: string, file: string): BenchReport {
  const { value: v, positions } = parseJsonText(text, file);
  const problems: Problem[] = [];
  benchReportShape(v, [], problems);
  if (problems.length) throw new BenchInputError(formatProblems(text, positions, file, problems));
  return v as BenchReport;
}
