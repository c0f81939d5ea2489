import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCommand } from './run.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

export const DEMO_HELP = `Usage: triode demo seed|evpn|basic [--out-dir <dir>]

Runs a bundled scenario and shows what happened: the traced packets' paths,
the routers' show outputs and the accounting. The output pcaps go to <dir>
(default out/<demo>). \`npm start\` runs \`triode demo seed\`.

  seed   the seed's lab, examples/seed: CE1 - PE1 - P1 - PE2 - CE2,
         PE1 and PE2 from Junos text with the route-based inline IPsec setup
         (st0.1, si-0/1/0, service set, IKE gateway, AES-256-GCM with ESN),
         keys from examples/seed/esp_sa (IKE is not emulated), IS-IS and BGP
         replaced by static routes. IPv4 and IPv6 traffic from CE1 leaves PE2
         decrypted; the links through P1 carry ESP only.
  evpn   the seed's EVPN-VXLAN over inline IPsec lab, examples/evpn-ipsec:
         PE1 - P1 - PE2, mac-vrf bridge domains V_10/V_20 (VNIs 10010/10020)
         with anycast-gateway IRBs in vrf_1, VXLAN between the loopbacks
         routed into st0.1. The CE ports' traffic is the golden case
         pcaps/evpn/vxlan-over-ipsec: an ARP flooded to PE2, bridged VLAN 10
         traffic, a ping routed by PE1's gateway into VLAN 20; the core links
         carry ESP only.
  basic  two routers, examples/demo: R1 from Junos text, R2 from set commands,
         joined by a core link, with host A's and host B's traffic: ARP and ND,
         recursive and discard/reject routes, TTL expiry, ICMP errors.`;

/** The demos: the arguments of `triode run` for each, given the output directory. */
const DEMOS: Record<string, (outDir: string) => { args: string[]; after?: string }> = {
  seed: (outDir) => {
    const dir = join(EXAMPLES, 'seed');
    const espSa = join(dir, 'esp_sa');
    return {
      args: [
        join(dir, 'scenario.yaml'),
        '--sa-file', espSa,
        '--in', `PE1:et-0/2/10=${join(dir, 'ce1.pcap')}`,
        '--in', `PE2:et-0/2/10=${join(dir, 'ce2.pcap')}`,
        '--out-dir', outDir,
        // CE1's first two packets: an IPv4 and an IPv6 ping to CE2.
        '--trace', '2',
        '--show', 'PE1: interfaces st0.1 extensive',
        '--show', 'PE1: interfaces si-0/1/0.0 extensive',
        '--show', 'PE1: interfaces si-0/1/0.1 extensive',
        '--show', 'PE1: security ipsec security-associations detail',
        '--show', 'PE1: security ipsec statistics',
        '--show', 'PE2: route',
      ],
      after: `The core links' pcaps (${join(outDir, 'P1_ae0.pcap')}, ${join(outDir, 'P1_ae1.pcap')}, ...) carry ESP only;
Wireshark decrypts them with the SAs of ${espSa} (Preferences > Protocols > ESP > ESP SAs),
tshark with  -o esp.enable_encryption_decode:TRUE -o 'uat:esp_sa:<each line of that file>'.`,
    };
  },
  evpn: (outDir) => {
    const dir = join(EXAMPLES, 'evpn-ipsec');
    const ce = join(EXAMPLES, '..', 'pcaps', 'evpn', 'vxlan-over-ipsec');
    const espSa = join(dir, 'esp_sa');
    return {
      args: [
        join(dir, 'scenario.yaml'),
        '--sa-file', espSa,
        '--in', `PE1:et-0/2/10=${join(ce, 'in-PE1_et-0_2_10.pcap')}`,
        '--in', `PE2:et-0/0/4=${join(ce, 'in-PE2_et-0_0_4.pcap')}`,
        '--out-dir', outDir,
        // A's ARP for B (flooded over VXLAN and ESP), B's reply (unicast back), A to B.
        '--trace', '3',
        '--show', 'PE2: mac-vrf forwarding mac-table',
        '--show', 'PE2: mac-vrf forwarding mac-ip-table',
        '--show', 'PE1: bgp l2vpn evpn route type macip',
        '--show', 'PE1: security ipsec statistics',
        '--show', 'PE1: errors',
      ],
      after: `The core links' pcaps (${join(outDir, 'P1_ae0.pcap')}, ${join(outDir, 'P1_ae1.pcap')}) carry ESP only: decrypted
with the SAs of ${espSa} (Wireshark: Preferences > Protocols > ESP > ESP SAs) they hold VXLAN (UDP 4789).`,
    };
  },
  basic: (outDir) => {
    const dir = join(EXAMPLES, 'demo');
    return {
      args: [
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
      ],
    };
  },
};

export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'out-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const names = Object.keys(DEMOS).join(', ');
  if (positionals.length !== 1) throw new Error(`demo takes the name of one demo (${names}; see triode demo --help)`);
  const name = positionals[0];
  const demo = DEMOS[name];
  if (!demo) throw new Error(`unknown demo "${name}" (demos: ${names})`);
  const { args, after } = demo(values['out-dir'] ?? join('out', name));
  const status = await runCommand(args);
  if (status === 0 && after) console.log(`\n${after}`);
  return status;
}
