import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/scenario.js';
import { espSaRecordOf, formatEspSaFile, formatEspSaLine, readEspSaFile, type EspSaRecord } from '../config/esp-sa-file.js';
import type { DeviceRt } from '../device/device.js';
import { formatTrace } from '../graph/trace-format.js';
import { Run, type RunInput } from '../run/runner.js';
import { runParallel } from '../run/workers/parallel.js';
import { runStats } from '../run/stats.js';
import { show } from './show.js';
import { progressBar } from './progress.js';
import { SWITCHES, applyProfiles } from '../profiles/catalog.js';
import { parseProfileSpec } from '../profiles/switch.js';

export const RUN_HELP = `Usage: triode run <config-or-scenario> --in <port>=<file.pcap> ... --out-dir <dir> [options]

Runs packets through the device(s) of a Junos configuration or a YAML scenario
and writes what every port sends to <dir>/<port>.pcap.

  --in <port>=<file>   input capture (pcap or pcapng) for a port; repeat for more ports.
                       A port is an interface (et-0/2/10) or, in a scenario of several
                       devices, <device>:<interface> (PE1:ae0). Inputs merge by timestamp.
  --out-dir <dir>      where output pcaps go (one per port that sent something;
                       "/" and ":" in port names become "_": et-0_2_10.pcap, PE1_ae0.pcap)
  --stats <file.json>  counters: per IFL, per node, drops by reason, and the accounting
                       { in, generated, out, consumed, dropped }
  --trace <N>          trace the first N packets and print each one's path through the nodes
  --show <what>        print Junos-style output after the run: "interfaces terse",
                       "interfaces <name> extensive", "route [<prefix>]", "arp",
                       "ipv6 neighbors", "errors", "vrrp", "security ipsec statistics",
                       "security ipsec security-associations [detail]", "mac-vrf forwarding mac-table"
                       (or "ethernet-switching table"), "mac-vrf forwarding mac-ip-table", "evpn database",
                       "bgp l2vpn evpn route [type macip|multicast]" (or "bgp evpn route type 2|3", FRR's
                       layout). Prefix with "<device>:" in a scenario to pick one device. Repeatable.
  --profile <spec>     [DEVICE:]NAME[,SWITCH=VALUE...]: the behaviour profile (ios, nxos, junos,
                       linux, linux-frr) of every device, or of DEVICE, with switches set away
                       from its defaults (triode profiles lists them). Repeatable
  --sa-file <esp_sa>   keys of IKE VPNs (IKE is not emulated): a Wireshark esp_sa file; each
                       VPN takes the records from its local-address to its gateway (outbound)
                       and back (inbound)
  --write-esp-sa <F>   write every SA of the run (all devices) as a Wireshark esp_sa file,
                       so Wireshark/tshark decrypt the ESP in the output pcaps
  --workers <N>        N pipeline replicas in worker threads, fed by flow hash (RSS); an SA
                       is owned by one replica (its sequence numbers and replay window stay
                       exact), packets of other replicas' SAs are handed to it. Outputs
                       equal a one-worker run's apart from the order across flows. Default 1
  -h, --help           this text`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      in: { type: 'string', multiple: true },
      'out-dir': { type: 'string' },
      stats: { type: 'string' },
      trace: { type: 'string' },
      show: { type: 'string', multiple: true },
      'sa-file': { type: 'string' },
      'write-esp-sa': { type: 'string' },
      workers: { type: 'string' },
      profile: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new Error('run takes one configuration or scenario file (see triode run --help)');
  const trace = values.trace === undefined ? 0 : Number(values.trace);
  if (!Number.isInteger(trace) || trace < 0) throw new Error(`--trace takes a whole number, not "${values.trace}"`);
  const inputs: RunInput[] = (values.in ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new Error(`--in takes <port>=<file.pcap>, not "${spec}"`);
    return { port: spec.slice(0, eq), file: spec.slice(eq + 1) };
  });
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`--workers takes a whole number from 1 to 64, not "${values.workers}"`);
  if (workers > 1 && trace > 0) throw new Error('--trace follows packets through one pipeline: use it with --workers 1');
  const scenario = loadConfigFile(positionals[0]);
  applyProfiles(scenario.devices, (values.profile ?? []).map((p) => parseProfileSpec(p, SWITCHES)));
  const saRecords = values['sa-file'] !== undefined ? readEspSaFile(values['sa-file']) : undefined;
  const run = new Run(scenario, { outDir: workers > 1 ? undefined : values['out-dir'], trace, progress: progressBar(), saRecords });
  for (const d of run.devices) for (const w of d.warnings) console.error(`warning: ${w}`);
  for (const d of scenario.devices) {
    for (const ig of d.ignored) console.error(`${ig.loc.file}:${ig.loc.line}:${ig.loc.col}: ${ig.path}: ignored (not emulated)`);
  }
  const result = workers > 1
    ? await runParallel(positionals[0], run, inputs, { workers, outDir: values['out-dir'], progress: progressBar(), saRecords, profiles: values.profile })
    : run.execute(inputs);
  if (values['write-esp-sa'] !== undefined) writeFileSync(values['write-esp-sa'], runEspSaFile(result.devices));
  const stats = runStats(result);
  if (values.stats) writeFileSync(values.stats, `${JSON.stringify(stats, null, 2)}\n`);
  const multi = result.devices.length > 1;
  for (const t of result.trace.traces) console.log(`${formatTrace(t, multi)}\n`);
  for (const what of values.show ?? []) {
    const m = /^([^\s:]+):\s*(.*)$/.exec(what);
    const targets = m && result.devices.some((d) => d.name === m[1]) ? result.devices.filter((d) => d.name === m[1]) : result.devices;
    const cmd = m && targets.length === 1 && multi ? m[2] : what;
    for (const d of targets) console.log(`${multi ? `${d.name}> ` : '> '}show ${cmd}\n${show(d, cmd)}\n`);
  }
  const a = stats.accounting;
  console.log(`in ${a.in} + generated ${a.generated} = out ${a.out} + consumed ${a.consumed} + dropped ${a.dropped}${a.linked ? ` (${a.linked} crossed links)` : ''}`);
  for (const o of result.outputs) console.log(`  ${o.port}: ${o.packets} packets -> ${o.file}`);
  result.replicas?.forEach((r, k) => console.log(`  replica ${k}: ${r.frames} frames taken in, ${r.shipped} packets handed to SA owners`));
  if (!stats.balanced) {
    console.error('triode: accounting does not balance: this is a bug');
    return 3;
  }
  return 0;
}

/** Every SA of a run's devices as one esp_sa file (an SA both peers hold is written once). */
export function runEspSaFile(devices: readonly DeviceRt[]): string {
  const seen = new Set<string>();
  const records: EspSaRecord[] = [];
  for (const d of devices) {
    for (const sa of d.ipsec?.sas ?? []) {
      const r = espSaRecordOf(sa.config);
      const line = formatEspSaLine(r);
      if (seen.has(line)) continue;
      seen.add(line);
      records.push(r);
    }
  }
  return formatEspSaFile(records);
}
