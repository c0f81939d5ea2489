import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run.js';

export const DEMO_HELP = `Usage: triode demo [--out-dir <dir>]

Runs the bundled demo (examples/demo): two routers, R1 from Junos text and R2
from set commands, joined by a core link, with host A's and host B's traffic
from bundled pcaps. Prints the traced packets' paths, the routers' show
outputs and the accounting; the output pcaps go to <dir> (default out/demo).`;

export function demoCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(DEMO_HELP);
    return 0;
  }
  const i = argv.indexOf('--out-dir');
  const outDir = i >= 0 && argv[i + 1] ? argv[i + 1] : join('out', 'demo');
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'demo');
  return runCommand([
    join(dir, 'scenario.yaml'),
    '--in', `R1:et-0/0/0=${join(dir, 'host-a.pcap')}`,
    '--in', `R2:et-0/0/1=${join(dir, 'host-b.pcap')}`,
    '--out-dir', outDir,
    '--trace', '4',
    '--show', 'R1: route',
    '--show', 'R1: interfaces terse',
    '--show', 'R2: arp',
    '--show', 'R2: ipv6 neighbors',
    '--show', 'R1: errors',
    '--show', 'R1: interfaces et-0/0/1.0 extensive',
  ]);
}
