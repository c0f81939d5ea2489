// CI performance gates: a gates file names (scenario, size, backend) checks
// with a floor on the ratio to the ceiling and a largest regression against a
// baseline run. Ratios are compared on any machine; absolute Mpps only
// against a baseline from the same machine (same machine.id), and with the
// same clock.
import { BenchInputError, formatProblems, parseJsonText, type Problem } from './json-text.js';
import type { BenchReport, BenchResult } from './schema.js';
import { scenarioDef, SCENARIO_NAMES, SIZE_NAMES } from './scenarios.js';
import type { BackendName } from './setup.js';
import { specKey } from './suite.js';
import { isArrayOf, isLiteral, isNumberIn, isObject, isOneOf, type Validator } from './validate.js';

export const GATES_SCHEMA = 'triode-gates/1';
/** Regression allowed against a baseline when neither the gate nor the file's defaults say. */
export const DEFAULT_MAX_REGRESSION = 0.15;
/** Cap of the noise allowance, so that a noisy run cannot wave a 2× slowdown through. */
export const DEFAULT_MAX_NOISE = 0.25;

export interface GateLimits {
  /** Floor of the median ratio to the scenario's ceiling. */
  minRatio?: number;
  /** Largest fractional drop of the ratio (and of Mpps on the same machine) against the baseline, before noise. */
  maxRegression?: number;
  /** Cap of the noise allowance added to maxRegression. */
  maxNoise?: number;
}

export interface Gate extends GateLimits {
  scenario: string;
  size: string;
  /** "none" for scenarios without crypto (may be left out in the file). */
  backend: BackendName;
}

export interface GatesFile {
  schema: typeof GATES_SCHEMA;
  defaults?: GateLimits;
  gates: Gate[];
}

const limits: Record<keyof GateLimits, Validator> = {
  minRatio: isNumberIn(0, 1000),
  maxRegression: isNumberIn(0, 1),
  maxNoise: isNumberIn(0, 1),
};
const gateShape = isObject({
  scenario: isOneOf(SCENARIO_NAMES, 'scenario'),
  size: isOneOf(SIZE_NAMES, 'size'),
  backend: isOneOf(['native', 'js', 'none'], 'backend'),
  ...limits,
}, ['backend', 'minRatio', 'maxRegression', 'maxNoise']);
const fileShape = isObject({
  schema: isLiteral(GATES_SCHEMA),
  defaults: isObject(limits, Object.keys(limits)),
  gates: isArrayOf(gateShape, true),
}, ['defaults']);

/** Reads a gates file; every problem is reported at once, each at file:line:col with its path. */
export function readGates(text: string, file: string): GatesFile {
  const { value: v, positions } = parseJsonText(text, file);
  const problems: Problem[] = [];
  fileShape(v, [], problems);
  if (problems.length === 0) {
    const f = v as GatesFile;
    const seen = new Map<string, number>();
    f.gates.forEach((g, i) => {
      const def = scenarioDef(g.scenario);
      const crypto = def.crypto;
      if (def.sizes && !def.sizes.names.includes(g.size)) problems.push({ path: ['gates', i, 'size'], message: `scenario ${g.scenario} runs at sizes ${def.sizes.names.join(', ')} only` });
      if (g.backend === undefined && !crypto) g.backend = 'none';
      if (crypto && (g.backend === undefined || g.backend === 'none')) problems.push({ path: ['gates', i], message: `scenario ${g.scenario} needs "backend": "native" or "js"` });
      if (!crypto && g.backend !== 'none') problems.push({ path: ['gates', i, 'backend'], message: `scenario ${g.scenario} has no crypto backend: leave "backend" out or make it "none"` });
      if (g.minRatio === undefined && f.defaults?.minRatio === undefined && g.maxRegression === undefined && f.defaults?.maxRegression === undefined) {
        problems.push({ path: ['gates', i], message: 'checks nothing: give minRatio or maxRegression (here or in "defaults")' });
      }
      const k = specKey(g);
      if (seen.has(k)) problems.push({ path: ['gates', i], message: `same check as gates[${seen.get(k)}] (${k})` });
      else seen.set(k, i);
    });
  }
  if (problems.length) throw new BenchInputError(formatProblems(text, positions, file, problems));
  return v as GatesFile;
}

export interface GateLine {
  status: 'pass' | 'REGRESSED' | 'FAILED' | 'note';
  check: string;
  text: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const fix = (x: number): string => x.toFixed(3);

/**
 * The noise allowance of a comparison: half the sum of the two runs' relative
 * spreads, i.e. how far each median can sit from the truth when the
 * repetitions range that widely, capped at maxNoise.
 */
export function noiseAllowance(relNow: number, relBase: number, maxNoise = DEFAULT_MAX_NOISE): number {
  return Math.min(maxNoise, (relNow + relBase) / 2);
}

/** One comparison against the baseline: fails when the drop exceeds maxRegression + noise. */
function compare(check: string, what: string, now: number, base: number, relNow: number, relBase: number, l: Required<Pick<GateLimits, 'maxRegression' | 'maxNoise'>>): GateLine {
  const drop = base > 0 ? 1 - now / base : 0;
  const noise = noiseAllowance(relNow, relBase, l.maxNoise);
  const allowance = l.maxRegression + noise;
  const how = `allowance ${pct(allowance)} = maxRegression ${pct(l.maxRegression)} + noise ${pct(noise)} (spreads ${pct(relNow)} now, ${pct(relBase)} baseline)`;
  if (drop > allowance) return { status: 'REGRESSED', check, text: `${what} ${fix(now)} vs baseline ${fix(base)}: REGRESSED by ${pct(drop)}, beyond the ${how}` };
  return { status: 'pass', check, text: `${what} ${fix(now)} vs baseline ${fix(base)}: ${drop > 0 ? `${pct(drop)} lower` : `${pct(-drop)} higher`}, within the ${how}` };
}

/**
 * Every check of every gate against this run's results (and the baseline's).
 * `unavailable` gives why a backend did not run; a gate whose result is
 * missing fails, since it could not be checked.
 */
export function evaluateGates(gates: GatesFile, report: BenchReport, baseline?: BenchReport, unavailable: ReadonlyMap<string, string> = new Map()): GateLine[] {
  const lines: GateLine[] = [];
  const find = (rs: readonly BenchResult[], g: Gate) => rs.find((r) => specKey(r) === specKey(g));
  const sameMachine = baseline !== undefined && baseline.machine.id === report.machine.id;
  const bo = baseline?.options as Partial<BenchReport['options']> | undefined;
  const optionDiff = bo === undefined ? [] : (['vpns', 'routes', 'macs'] as const).filter((k) => bo[k] !== undefined && bo[k] !== report.options[k]);
  for (const g of gates.gates) {
    const check = specKey(g);
    const l = { ...gates.defaults, ...stripUndefined(g) };
    const r = find(report.results, g);
    if (!r) {
      const why = unavailable.get(g.backend) ?? 'not in this run';
      lines.push({ status: 'FAILED', check, text: `not measured: ${why}` });
      continue;
    }
    if (l.minRatio !== undefined) {
      const ok = r.ratioToCeiling >= l.minRatio;
      lines.push({
        status: ok ? 'pass' : 'REGRESSED',
        check,
        text: ok
          ? `ratio to ${r.ceiling} ${fix(r.ratioToCeiling)} ≥ minRatio ${fix(l.minRatio)}`
          : `ratio to ${r.ceiling} ${fix(r.ratioToCeiling)} < minRatio ${fix(l.minRatio)}: REGRESSED, ${pct(1 - r.ratioToCeiling / l.minRatio)} below the floor`,
      });
    }
    if (!baseline) {
      if (l.minRatio === undefined) lines.push({ status: 'note', check, text: 'only maxRegression, and no --baseline: nothing checked' });
      continue;
    }
    if (optionDiff.length) {
      lines.push({ status: 'note', check, text: `baseline not compared: it was measured with ${optionDiff.map((k) => `${k} ${bo![k]}`).join(', ')}, this run with ${optionDiff.map((k) => `${k} ${report.options[k]}`).join(', ')}` });
      continue;
    }
    const b = find(baseline.results, g);
    if (!b) {
      lines.push({ status: 'note', check, text: 'no result for it in the baseline: nothing to compare' });
      continue;
    }
    const lim = { maxRegression: l.maxRegression ?? DEFAULT_MAX_REGRESSION, maxNoise: l.maxNoise ?? DEFAULT_MAX_NOISE };
    lines.push(compare(check, `ratio to ${r.ceiling}`, r.ratioToCeiling, b.ratioToCeiling, r.spread.ratioToCeiling.rel, b.spread.ratioToCeiling.rel, lim));
    if (!sameMachine) {
      lines.push({ status: 'note', check, text: `Mpps not compared: the baseline is from another machine (id ${baseline.machine.id}, ${baseline.machine.cpu}; this one ${report.machine.id})` });
    } else if (bo?.clock !== undefined && bo.clock !== report.options.clock) {
      lines.push({ status: 'note', check, text: `Mpps not compared: the baseline was timed with the ${bo.clock} clock, this run with ${report.options.clock}` });
    } else {
      lines.push(compare(check, 'Mpps', r.mpps, b.mpps, r.spread.mpps.rel, b.spread.mpps.rel, lim));
    }
  }
  return lines;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** 1 when any check regressed or could not run, else 0. */
export function gateExitStatus(lines: readonly GateLine[]): number {
  return lines.some((l) => l.status === 'REGRESSED' || l.status === 'FAILED') ? 1 : 0;
}

export function formatGateLines(lines: readonly GateLine[]): string {
  const w = Math.max(0, ...lines.map((l) => l.check.length));
  return lines.map((l) => `${l.status.padEnd(9)} ${l.check.padEnd(w)}  ${l.text}`).join('\n');
}
