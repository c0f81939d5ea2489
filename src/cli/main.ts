import { ConfigError } from '../config/model.js';
import { CaptureError } from '../pcap/reader.js';
import { RUN_HELP, runCommand } from './run.js';
import { demoCommand, DEMO_HELP } from './demo.js';
import { espCommand, ESP_HELP } from './esp.js';
import { testCommand, TEST_HELP } from './test.js';
import { benchCommand, BENCH_HELP } from './bench.js';
import { profilesCommand, PROFILES_HELP } from './profiles.js';
import { compareCommand, COMPARE_HELP } from './compare.js';

const HELP = `triode — a router's forwarding engine, pcap in, pcap out

Usage: triode <command> [options]

Commands:
  run       run packets through a Junos-configured device or a YAML scenario
  demo      run a bundled scenario and show what happened: seed (the seed's
            IPsec lab, what npm start runs) or basic (two routers)
  esp       ESP encrypt or decrypt the packets of a capture (AES-GCM, esp_sa files)
  test      run conformance cases (case.yaml directories, STF files): pass/fail per
            case, the differing packets decoded and traced, JUnit XML, --update
  compare   run the same input under several vendor profiles and show, packet by
            packet, where the outputs differ and why; counters side by side, HTML report
  profiles  the behaviour switches of the vendor profiles (ios, nxos, junos, linux,
            linux-frr), their defaults and the evidence for each
  bench     throughput of forwarding and inline IPsec against in-run ceilings:
            table, JSON, HTML report, CI performance gates (--gate)
  help      this text; "triode <command> --help" for a command's options`;

const COMMANDS: Record<string, { run: (argv: string[]) => number | Promise<number>; help: string }> = {
  run: { run: runCommand, help: RUN_HELP },
  demo: { run: demoCommand, help: DEMO_HELP },
  esp: { run: espCommand, help: ESP_HELP },
  test: { run: testCommand, help: TEST_HELP },
  compare: { run: compareCommand, help: COMPARE_HELP },
  profiles: { run: profilesCommand, help: PROFILES_HELP },
  bench: { run: benchCommand, help: BENCH_HELP },
};

/** The `triode` command. Returns the exit status; bad input gives a one-line reason (a list for configurations). */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(rest[0] && COMMANDS[rest[0]] ? COMMANDS[rest[0]].help : HELP);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`triode: unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await c.run(rest);
  } catch (e) {
    if (e instanceof ConfigError) {
      // One line per problem, each file:line:column: message.
      console.error(e.message);
      return 2;
    }
    if (e instanceof CaptureError) {
      console.error(`triode: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`triode: ${(e as NodeJS.ErrnoException).path ?? ''}: no such file`);
      return 2;
    }
    if (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`triode ${cmd}: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && !process.env.TRIODE_DEBUG) {
      console.error(`triode: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
