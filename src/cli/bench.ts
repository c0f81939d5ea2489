import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateGates, formatGateLines, gateExitStatus, readGates, type GateLine } from '../bench/gate.js';
import { BenchInputError } from '../bench/json-text.js';
import { CLOCKS, type Clock } from '../bench/measure.js';
import { writeReport } from '../bench/report.js';
import { BENCH_SCHEMA, machineInfo, readBenchReport } from '../bench/schema.js';
import { BACKEND_NAMES, SCENARIO_NAMES, SCENARIOS, SIZE_NAMES } from '../bench/scenarios.js';
import { AccountingError, backendUnavailable, type BackendName } from '../bench/setup.js';
import { benchReport, planBench, runBench, specKey, type BenchConfig } from '../bench/suite.js';
import { formatBaselines, formatTable, TABLE_LEGEND } from '../bench/table.js';
import { formatScale, runScale } from '../bench/scale.js';

export const BENCH_HELP = `Usage: triode bench [options]

Measures throughput (Mpps, Gbps, ns/packet) of the forwarding and inline-IPsec
paths through a device's whole graph, each against a ceiling measured in the
same run, and prints a table. With --gate, checks the results against a gates
file (CI performance gates).

  --scenario <a,b>   scenarios (default all): ${SCENARIO_NAMES.join(', ')}
  --size <x,y>       frame sizes with the FCS (captured frame = size - 4 B; default all):
                     ${SIZE_NAMES.join(', ')} (imix: 7:4:1 of 64/594/1518 B, interleaved);
                     ixp and ixp-plain run up to 1420 (a peering LAN's 1500-byte payloads)
  --backend <a,b>    crypto backends of the ESP scenarios (default: native,js; one that
                     cannot load is skipped with the reason unless named here). l3 has
                     no crypto: it runs once, backend "none"
  --duration <s>     seconds of each measurement (default 0.5)
  --reps <k>         repetitions per figure, alternated with the ceilings (default 5);
                     figures are medians, with min, max and relative spread
  --clock wall|cpu   wall: elapsed time (default); cpu: this process's CPU time, which
                     moves less on a machine shared with other jobs
  --vpns <n>         VPNs of the IPsec hub, frames in round robin (default 1)
  --routes <n>       IPv4 routes in the l3 FIB (default 100000)
  --workers <n>      run each figure on n pipeline replicas in worker threads (frames
                     spread by RSS, an SA owned by one replica), and on one replica in
                     the same harness: reports the n replicas' figures and the scaling
                     (wall clock; ratios are to n x the ceiling). One flow stays on one
                     core: use many (--vpns well above n for the ESP scenarios). The VXLAN
                     and ixp scenarios are left out (bridging runs on one replica only)
  --scale            instead of the scenarios: memory per SA, per VPN, per route and per
                     MAC entry, inline-IPsec throughput at --scale-vpns VPNs, lookups and
                     forwarding at --routes routes (default 1000000 here), MAC table rates
                     at --macs entries; against the targets (<= 1 KB per SA, <= 64 B per
                     IPv4 route). Minutes, and several GB of memory at 100,000 VPNs
  --scale-vpns <a,b> VPN counts of --scale (default 2000,10000,100000; 2 SAs each)
  --macs <n>         MAC table entries of the VXLAN scenarios and of --scale (default 1000000)
  --json <file>      write the results (schema ${BENCH_SCHEMA}) to <file>
  --report <dir>     write <dir>/index.html (charts and tables, self-contained) and
                     <dir>/results.json
  --gate <file>      run the checks of a gates file (triode-gates/1) and only what they
                     name; exit 1 when one regresses
  --baseline <file>  with --gate: an earlier --json output to compare against (ratios
                     always; Mpps when it is from this machine)
  --list             list the scenarios, sizes and backends
  --quiet            no table (gate checks are still printed)
  -h, --help         this text

Gbps counts frame bytes with the FCS x 8, no preamble or inter-frame gap.
Exit status: 0, 1 when a gate check regressed or could not run, 2 on bad
input, 3 when a measurement lost packets (a defect).`;

/** `--scale`: the scale suite, its table, and the scale section of --json / --report. */
function scaleRun(cfg: BenchConfig, vpns: number[], macs: number, json: string | undefined, reportDir: string | undefined, quiet: boolean): number {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const log = quiet ? undefined : (line: string) => console.error(`triode bench --scale: ${line}`);
  const scale = runScale({ vpns, routes: cfg.routes, macs, duration: cfg.duration, clock: cfg.clock, log });
  const report = { ...benchReport(cfg, [], [], { date, machine }), scale };
  if (!quiet) console.log(`triode bench --scale: ${machine.cpu}, ${machine.cores} cores, Node.js ${machine.node}; ${cfg.duration} s per rate (${cfg.clock} clock)`);
  console.log(formatScale(scale));
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  if (reportDir !== undefined) {
    const page = writeReport(reportDir, report);
    if (!quiet) console.log(`report: ${page}`);
  }
  return 0;
}

/** A comma-separated (and repeatable) option as a list of known values; unknown ones exit 2 with the valid list. */
function listOption(values: string[] | undefined, name: string, valid: readonly string[], what: string): string[] | undefined {
  if (values === undefined) return undefined;
  const out: string[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const t = v.trim().toLowerCase();
    if (!valid.includes(t)) throw new BenchInputError(`triode bench: --${name}: unknown ${what} "${v.trim()}" (${what}s: ${valid.join(', ')})`);
    if (!out.includes(t)) out.push(t);
  }
  if (out.length === 0) throw new BenchInputError(`triode bench: --${name} is empty (${what}s: ${valid.join(', ')})`);
  return out;
}

function numberOption(v: string | undefined, name: string, dflt: number, min: number, max: number, integer: boolean): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new BenchInputError(`triode bench: --${name} takes ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not "${v}"`);
  }
  return n;
}

function listText(): string {
  const lines = ['scenarios:'];
  for (const s of SCENARIOS) lines.push(`  ${s.name.padEnd(12)} ${s.summary} (ceiling ${s.ceiling})`);
  lines.push(`sizes: ${SIZE_NAMES.join(', ')}`);
  lines.push(`backends: ${BACKEND_NAMES.map((b) => { const why = backendUnavailable(b); return why ? `${b} (unavailable: ${why})` : b; }).join(', ')}`);
  return lines.join('\n');
}

export async function benchCommand(argv: string[]): Promise<number> {
  try {
    return await bench(argv);
  } catch (e) {
    if (e instanceof BenchInputError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`triode bench: ${e.message.split('\n')[0]}`); // parseArgs adds hints on further lines
      return 2;
    }
    if (e instanceof AccountingError) {
      console.error(`triode bench: ${e.message}: a benchmark that loses packets is a defect`);
      return 3;
    }
    throw e;
  }
}

async function bench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      size: { type: 'string', multiple: true },
      backend: { type: 'string', multiple: true },
      duration: { type: 'string' },
      reps: { type: 'string' },
      clock: { type: 'string' },
      vpns: { type: 'string' },
      routes: { type: 'string' },
      workers: { type: 'string' },
      scale: { type: 'boolean' },
      'scale-vpns': { type: 'string' },
      macs: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'string' },
      gate: { type: 'string' },
      baseline: { type: 'string' },
      list: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(BENCH_HELP); return 0; }
  if (values.list) { console.log(listText()); return 0; }
  const scenarios = listOption(values.scenario, 'scenario', SCENARIO_NAMES, 'scenario');
  const sizes = listOption(values.size, 'size', SIZE_NAMES, 'size');
  const backends = listOption(values.backend, 'backend', BACKEND_NAMES, 'backend') as BackendName[] | undefined;
  const clock = (listOption(values.clock === undefined ? undefined : [values.clock], 'clock', CLOCKS, 'clock')?.[0] ?? 'wall') as Clock;
  if (values.baseline !== undefined && values.gate === undefined) throw new BenchInputError('triode bench: --baseline compares gate checks: give --gate <file> too');
  const cfg: BenchConfig = {
    scenarios: scenarios ?? SCENARIO_NAMES,
    sizes: sizes ?? SIZE_NAMES,
    backends: backends ?? BACKEND_NAMES,
    backendsExplicit: backends !== undefined,
    reps: numberOption(values.reps, 'reps', 5, 1, 1000, true),
    duration: numberOption(values.duration, 'duration', 0.5, 0.001, 600, false),
    clock,
    vpns: numberOption(values.vpns, 'vpns', 1, 1, 65535, true),
    routes: numberOption(values.routes, 'routes', values.scale ? 1_000_000 : 100_000, 1, 10_000_000, true),
    macs: numberOption(values.macs, 'macs', 1_000_000, 2, 100_000_000, true),
    workers: numberOption(values.workers, 'workers', 1, 1, 64, true),
    scenariosExplicit: scenarios !== undefined,
  };
  if (cfg.workers > 1 && clock === 'cpu') throw new BenchInputError('triode bench: --workers times replicas by the wall clock: --clock cpu counts every thread of the process at once');
  if (values.scale) {
    if (values.gate !== undefined || cfg.workers > 1) throw new BenchInputError('triode bench: --scale runs on its own: without --gate or --workers');
    const vpns = (values['scale-vpns'] ?? '2000,10000,100000').split(',').map((v) => numberOption(v, 'scale-vpns', 0, 1, 1 << 20, true));
    return scaleRun(cfg, vpns, cfg.macs!, values.json, values.report, values.quiet === true);
  }
  if (cfg.workers > 1 && values.gate !== undefined) throw new BenchInputError('triode bench: the gates hold one-worker figures: --gate runs without --workers');

  // A gate run measures exactly what the gates name, within --scenario/--size/--backend.
  const gates = values.gate === undefined ? undefined : readGates(readFileSync(values.gate, 'utf8'), values.gate);
  const baseline = values.baseline === undefined ? undefined : readBenchReport(readFileSync(values.baseline, 'utf8'), values.baseline);
  let plan = planBench(cfg);
  if (gates) {
    const wanted = gates.gates.filter((g) => cfg.scenarios.includes(g.scenario) && cfg.sizes.includes(g.size) && (g.backend === 'none' || cfg.backends.includes(g.backend)));
    if (wanted.length === 0) throw new BenchInputError(`triode bench: no check of ${values.gate} is within the --scenario/--size/--backend given`);
    gates.gates = wanted;
    const keys = new Set(wanted.map(specKey));
    // Sizes a scenario does not run at cannot be gated (readGates refuses them): no note about leaving them out.
    plan = { specs: plan.specs.filter((s) => keys.has(specKey(s))), skipped: plan.skipped.filter((s) => wanted.some((g) => g.backend === s.backend)), notes: [] };
  }

  const date = new Date().toISOString();
  const machine = machineInfo(); // load averages as the run starts
  const quiet = values.quiet === true;
  for (const s of plan.skipped) console.error(`triode bench: skipping the ${s.backend} backend: ${s.reason}`);
  for (const n of plan.notes) console.error(`triode bench: ${n}`);
  const progress = !quiet && process.stderr.isTTY;
  const results = await runBench(plan.specs, cfg, undefined, (s, i) => {
    if (progress) process.stderr.write(`\r\x1b[Kmeasuring ${i + 1}/${plan.specs.length}: ${s.scenario} ${s.size} ${s.backend} (${cfg.reps} x ${cfg.duration} s)`);
  });
  if (progress) process.stderr.write('\r\x1b[K');
  const report = benchReport(cfg, results, plan.skipped, { date, machine, gate: values.gate, baseline: values.baseline });
  if (!quiet) {
    console.log(`triode bench: ${machine.cpu}, ${machine.cores} cores, Node.js ${machine.node}; ${cfg.reps} x ${cfg.duration} s per figure (${cfg.workers > 1 ? `${cfg.workers} pipeline replicas, wall` : cfg.clock} clock)`);
    console.log(formatTable(results));
    console.log(TABLE_LEGEND);
    const pairs = formatBaselines(results);
    if (pairs) console.log(pairs);
  }
  let lines: GateLine[] | undefined;
  if (gates) {
    const unavailable = new Map(plan.skipped.map((s) => [s.backend, `the ${s.backend} backend is not available here: ${s.reason}`]));
    lines = evaluateGates(gates, report, baseline, unavailable);
    console.log(`gate ${values.gate}${baseline ? ` against ${values.baseline}` : ''}:`);
    console.log(formatGateLines(lines));
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.report !== undefined) {
    const page = writeReport(values.report, report, lines);
    if (!quiet) console.log(`report: ${page}`);
  }
  if (!lines) return 0;
  // Closing line as `triode test` prints it: checks that passed, checks that regressed or could not run.
  const failed = lines.filter((l) => l.status === 'REGRESSED' || l.status === 'FAILED').length;
  console.log(`gate: ${lines.filter((l) => l.status === 'pass').length} passed, ${failed} failed`);
  return gateExitStatus(lines);
}
