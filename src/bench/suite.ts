// A benchmark run: which (scenario, size, backend) to measure, and for each,
// repetitions of the scenario alternated with its ceilings, reduced to
// medians and spreads. No CLI dependencies.
import { aesGcmCeiling, memcpyCeiling, type Ceiling } from './ceilings.js';
import { measureScenario, type Clock, type Measurement } from './measure.js';
import { BENCH_SCHEMA, machineInfo, triodeVersion, type BenchMachine, type BenchReport, type BenchResult } from './schema.js';
import { scenarioDef, setupScenario } from './scenarios.js';
import { BenchInputError } from './json-text.js';
import { backendUnavailable, type BackendName, type ScenarioSetup, type ScenarioSpec } from './setup.js';
import { summarize } from './stats.js';
import { ParallelRig } from './parallel.js';
import { DEFAULT_VXLAN_MACS } from './scenario-vxlan.js';

export interface BenchConfig {
  scenarios: readonly string[];
  sizes: readonly string[];
  backends: readonly BackendName[];
  /** The user named the backends: one that cannot run is an error, not a skip. */
  backendsExplicit: boolean;
  reps: number;
  duration: number;
  clock: Clock;
  vpns: number;
  routes: number;
  /** MAC table entries of the VXLAN scenarios (default DEFAULT_VXLAN_MACS). */
  macs?: number;
  /** Pipeline replicas in worker threads (1: the scenario runs in this thread). */
  workers: number;
  /** The user named the scenarios: one that cannot run on `workers` replicas is an error, not a skip. */
  scenariosExplicit?: boolean;
}

export interface BenchPlan {
  specs: ScenarioSpec[];
  skipped: { backend: string; reason: string }[];
  /** Scenarios left out of the run, and why (bridging scenarios with --workers). */
  notes: string[];
}

/** Every (scenario, size, backend) of the config; crypto-less scenarios once, with backend "none". */
export function planBench(cfg: BenchConfig): BenchPlan {
  const skipped: BenchPlan['skipped'] = [];
  const usable: BackendName[] = [];
  for (const b of cfg.backends) {
    const why = backendUnavailable(b);
    if (why === undefined) usable.push(b);
    else if (cfg.backendsExplicit) throw new BenchInputError(`triode bench: --backend ${b}: the ${b} crypto backend is not available here: ${why}`);
    else skipped.push({ backend: b, reason: why });
  }
  const specs: ScenarioSpec[] = [];
  const notes: string[] = [];
  const macs = cfg.macs ?? DEFAULT_VXLAN_MACS;
  for (const scenario of cfg.scenarios) {
    const def = scenarioDef(scenario);
    if (cfg.workers > 1 && !def.replicable) {
      const why = `${scenario} bridges, and bridge domains run on one replica only for now (as triode run --workers)`;
      if (cfg.scenariosExplicit) throw new BenchInputError(`triode bench: --workers ${cfg.workers}: ${why}: use --workers 1`);
      notes.push(`leaving out ${why}`);
      continue;
    }
    const sizes = def.sizes ? cfg.sizes.filter((x) => def.sizes!.names.includes(x)) : cfg.sizes;
    if (sizes.length < cfg.sizes.length) {
      const left = cfg.sizes.filter((x) => !sizes.includes(x)).join(', ');
      const only = `${scenario} runs at sizes ${def.sizes!.names.join(', ')} only: ${def.sizes!.why}`;
      if (sizes.length === 0 && cfg.scenariosExplicit) throw new BenchInputError(`triode bench: --size ${cfg.sizes.join(',')}: ${only}`);
      notes.push(`leaving out ${scenario} at ${left} (${only})`);
    }
    for (const size of sizes) {
      for (const backend of def.crypto ? usable : ['none' as const]) specs.push({ scenario, size, backend, vpns: cfg.vpns, routes: cfg.routes, macs });
    }
  }
  return { specs, skipped, notes };
}

export const specKey = (s: { scenario: string; size: string; backend: string }): string => `${s.scenario}/${s.size}/${s.backend}`;

const mppsOf = (m: Measurement): number => m.packets / m.seconds / 1e6;
const sig = (x: number): number => Number(x.toPrecision(4));
const spreadSig = (s: { min: number; max: number; rel: number }) => ({ min: sig(s.min), max: sig(s.max), rel: sig(s.rel) });

/**
 * Measures one (scenario, size, backend): builds it, warms it up (which also
 * checks its output once before anything is timed), then `reps` repetitions,
 * each of the ceilings and the scenario, in alternating order.
 */
export function measureSpec(spec: ScenarioSpec, cfg: Pick<BenchConfig, 'reps' | 'duration' | 'clock'>): BenchResult {
  const setup = setupScenario(spec);
  const ceilings: Ceiling[] = [];
  // A scenario with a baseline (ixp: ixp-plain) has it measured next to it in every repetition.
  const baseName = scenarioDef(spec.scenario).baseline;
  let base: ScenarioSetup | null = null;
  try {
    base = baseName === undefined ? null : setupScenario({ ...spec, scenario: baseName });
    const aes = setup.aead ? aesGcmCeiling(setup.aead, setup.frameSizes) : null;
    if (aes) ceilings.push(aes);
    const mem = memcpyCeiling(setup);
    ceilings.push(mem);
    const warm = Math.min(0.1, cfg.duration);
    measureScenario(setup, warm, cfg.clock);
    if (base) measureScenario(base, warm, cfg.clock);
    for (const c of ceilings) c.measure(warm, cfg.clock);

    const scen: Measurement[] = [];
    const baseM: Measurement[] = [];
    const aesM: Measurement[] = [];
    const memM: Measurement[] = [];
    const ceil = (): void => {
      if (aes) aesM.push(aes.measure(cfg.duration, cfg.clock));
      memM.push(mem.measure(cfg.duration, cfg.clock));
      if (base) baseM.push(measureScenario(base, cfg.duration, cfg.clock));
    };
    for (let r = 0; r < cfg.reps; r++) {
      if (r % 2 === 0) ceil();
      scen.push(measureScenario(setup, cfg.duration, cfg.clock));
      if (r % 2 === 1) ceil();
    }

    const mpps = scen.map(mppsOf);
    const result = resultOf(spec, setup, cfg.reps, mpps, aes ? aesM.map(mppsOf) : null, memM.map(mppsOf), 1, scen.reduce((s, x) => s + x.packets, 0));
    if (!base) return result;
    const b = baseM.map(mppsOf);
    const ratio = summarize(mpps.map((x, i) => x / b[i]));
    return { ...result, baseline: { scenario: baseName!, mpps: sig(summarize(b).median), ratio: sig(ratio.median), spread: spreadSig(ratio.spread) } };
  } finally {
    for (const c of ceilings) c.close();
    setup.close();
    base?.close();
  }
}

/**
 * Measures one (scenario, size, backend) on `cfg.workers` pipeline replicas
 * in worker threads, and on one replica in the same harness, alternated rep
 * by rep with the ceilings (which run in this thread, one core). Figures are
 * the N replicas'; ratios compare them with N cores' worth of ceiling (N ×
 * the ceiling's Mpps), so a ratio stays comparable with a one-worker run's;
 * scaling is N replicas' Mpps over one replica's, per rep, median. Wall clock.
 */
export async function measureSpecWorkers(spec: ScenarioSpec, cfg: Pick<BenchConfig, 'reps' | 'duration' | 'workers'>): Promise<BenchResult> {
  const n = cfg.workers;
  const setup = setupScenario(spec);
  const ceilings: Ceiling[] = [];
  const rigs: ParallelRig[] = [];
  try {
    const aes = setup.aead ? aesGcmCeiling(setup.aead, setup.frameSizes) : null;
    if (aes) ceilings.push(aes);
    const mem = memcpyCeiling(setup);
    ceilings.push(mem);
    const one = new ParallelRig(setup, 1);
    rigs.push(one);
    const many = new ParallelRig(setup, n);
    rigs.push(many);
    const warm = Math.min(0.1, cfg.duration);
    await one.measure(warm);
    await many.measure(warm);
    for (const c of ceilings) c.measure(warm, 'wall');
    const oneM: number[] = [];
    const manyM: number[] = [];
    const aesM: number[] = [];
    const memM: number[] = [];
    let packets = 0;
    for (let r = 0; r < cfg.reps; r++) {
      if (aes) aesM.push(mppsOf(aes.measure(cfg.duration, 'wall')));
      memM.push(mppsOf(mem.measure(cfg.duration, 'wall')));
      const a = await one.measure(cfg.duration);
      const b = await many.measure(cfg.duration);
      oneM.push(a.mpps);
      manyM.push(b.mpps);
      packets += b.packets;
    }
    const r = resultOf(spec, setup, cfg.reps, manyM, aes ? aesM : null, memM, n, packets);
    const sc = summarize(manyM.map((x, i) => x / oneM[i]));
    return { ...r, spread: { ...r.spread, scaling: spreadSig(sc.spread) }, scaling: sig(sc.median), oneWorkerMpps: sig(summarize(oneM).median) };
  } finally {
    for (const r of rigs) await r.close();
    for (const c of ceilings) c.close();
    setup.close();
  }
}

/**
 * A result from per-repetition Mpps of the scenario and of its ceilings:
 * medians and spreads; ratios against `cores` × the ceiling (the ceilings run
 * on one core; N replicas have N).
 */
function resultOf(spec: ScenarioSpec, setup: ScenarioSetup, reps: number, mpps: number[], aesM: number[] | null, memM: number[], cores: number, packets: number): BenchResult {
  const toGbps = setup.meanFrameBytes * 8 / 1000;
  const ratioAes = aesM ? mpps.map((x, i) => x / (cores * aesM[i])) : null;
  const ratioMem = mpps.map((x, i) => x / (cores * memM[i]));
  const m = summarize(mpps);
  const g = summarize(mpps.map((x) => x * toGbps));
  const ns = summarize(mpps.map((x) => 1e3 / x));
  const rc = summarize(setup.ceilingKind === 'aes-gcm' ? ratioAes! : ratioMem);
  return {
    scenario: spec.scenario,
    size: spec.size,
    backend: spec.backend,
    meanFrameBytes: sig(setup.meanFrameBytes),
    mpps: sig(m.median),
    gbps: sig(g.median),
    nsPerPacket: sig(ns.median),
    ratioToCeiling: sig(rc.median),
    ceiling: setup.ceilingKind,
    ratios: { aesGcm: ratioAes ? sig(summarize(ratioAes).median) : null, memcpy: sig(summarize(ratioMem).median) },
    ceilingMpps: { aesGcm: aesM ? sig(summarize(aesM).median) : null, memcpy: sig(summarize(memM).median) },
    spread: { mpps: spreadSig(m.spread), gbps: spreadSig(g.spread), nsPerPacket: spreadSig(ns.spread), ratioToCeiling: spreadSig(rc.spread) },
    reps,
    packets,
    workers: cores,
  };
}

/** Measures every spec in turn; `onResult` sees each result as it is made (progress, a live table). */
export async function runBench(specs: readonly ScenarioSpec[], cfg: BenchConfig, onResult?: (r: BenchResult, i: number) => void, onStart?: (s: ScenarioSpec, i: number) => void): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [i, spec] of specs.entries()) {
    onStart?.(spec, i);
    const r = cfg.workers > 1 ? await measureSpecWorkers(spec, cfg) : measureSpec(spec, cfg);
    out.push(r);
    onResult?.(r, i);
  }
  return out;
}

/** The --json document of a run (schema triode-bench/1). */
export function benchReport(cfg: BenchConfig, results: BenchResult[], skipped: BenchPlan['skipped'], run: { date: string; machine?: BenchMachine; gate?: string; baseline?: string }): BenchReport {
  return {
    schema: BENCH_SCHEMA,
    triode: triodeVersion(),
    date: run.date,
    machine: run.machine ?? machineInfo(),
    options: {
      scenarios: [...cfg.scenarios],
      sizes: [...cfg.sizes],
      backends: [...cfg.backends],
      reps: cfg.reps,
      duration: cfg.duration,
      clock: cfg.clock,
      vpns: cfg.vpns,
      routes: cfg.routes,
      macs: cfg.macs ?? DEFAULT_VXLAN_MACS,
      workers: cfg.workers,
      gate: run.gate ?? null,
      baseline: run.baseline ?? null,
    },
    skipped,
    results,
  };
}
