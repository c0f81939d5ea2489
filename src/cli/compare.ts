import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compareRuns } from '../compare/diff.js';
import { compareReport } from '../compare/html.js';
import { formatComparison } from '../compare/text.js';
import { countInputFrames, runVariant, type VariantRun } from '../compare/variant.js';
import { SWITCHES } from '../profiles/catalog.js';
import { parseProfileSpec } from '../profiles/switch.js';
import type { RunInput } from '../run/runner.js';

/** Traces kept per variant unless --max-packets says otherwise: each holds a copy of the packet per node it passed. */
const DEFAULT_MAX_PACKETS = 10_000;

export const COMPARE_HELP = `Usage: triode compare --profile <spec> --profile <spec> [...] <config-or-scenario> --in <port>=<file.pcap> ... [options]

Runs the same input under each profile (a variant) and prints, packet by
packet, where the outputs differ and why: per variant the node where it went
its own way (with that node's note, or the drop reason), then what became of
the packet (drops, consumes, replies, each frame sent, decoded). Packets that
leave the same way in every variant are counted. Then each port's frames per
variant and how many are identical, and the counters side by side (* where
they differ). Exit status 0 when the runs worked, whatever they differ in.

  --profile <spec>     a variant: [DEVICE:]NAME[,SWITCH=VALUE...], as triode run --profile
                       (profiles ios, nxos, junos, linux, linux-frr; switches: triode profiles).
                       At least two; the same profile with other switches is a variant too
  --in <port>=<file>   input capture for a port, as triode run; repeat for more ports
  --out-dir <dir>      write each variant's output pcaps into <dir>/<variant>/ ("/" and ":"
                       in the spec become "_": <dir>/nxos,arp-ignore=1/)
  --report <file.html> the same comparison as one self-contained HTML page, with each
                       variant's trace of every packet that differs
  --max-packets <N>    trace at most the first N input packets (default ${DEFAULT_MAX_PACKETS}); later
                       ones count only in the port and counter tables
  -h, --help           this text`;

export function compareCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      profile: { type: 'string', multiple: true },
      in: { type: 'string', multiple: true },
      'out-dir': { type: 'string' },
      report: { type: 'string' },
      'max-packets': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new Error('compare takes one configuration or scenario file (see triode compare --help)');
  const specs = (values.profile ?? []).map((p) => parseProfileSpec(p, SWITCHES));
  if (specs.length < 2) throw new Error(`compare needs at least two --profile variants, not ${specs.length}`);
  const twice = specs.find((s, i) => specs.findIndex((o) => o.text === s.text) !== i);
  if (twice) throw new Error(`--profile ${twice.text} is given twice: each variant once`);
  const inputs: RunInput[] = (values.in ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new Error(`--in takes <port>=<file.pcap>, not "${spec}"`);
    return { port: spec.slice(0, eq), file: spec.slice(eq + 1) };
  });
  if (!inputs.length) throw new Error('compare needs an input: --in <port>=<file.pcap>');
  const max = values['max-packets'] === undefined ? DEFAULT_MAX_PACKETS : Number(values['max-packets']);
  if (!Number.isInteger(max) || max < 1) throw new Error(`--max-packets takes a whole number from 1, not "${values['max-packets']}"`);
  const frames = countInputFrames(inputs);
  const trace = Math.min(frames, max);
  const runs: VariantRun[] = [];
  const warned = new Set<string>();
  for (const spec of specs) {
    const r = runVariant(positionals[0], spec, inputs, { trace, outDir: values['out-dir'] });
    for (const d of r.result.devices) for (const w of d.warnings) warned.add(w);
    runs.push(r);
  }
  for (const w of warned) console.error(`warning: ${w}`);
  const comparison = compareRuns(runs, frames);
  console.log(formatComparison(comparison));
  if (values.report !== undefined) writeFileSync(values.report, compareReport(comparison, { config: positionals[0], inputs }));
  const unbalanced = runs.filter((r) => !r.stats.balanced);
  if (unbalanced.length) {
    console.error(`triode: accounting does not balance in ${unbalanced.map((r) => r.name).join(', ')}: this is a bug`);
    return 3;
  }
  return 0;
}
