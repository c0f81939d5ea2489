import { it } from 'vitest';
import { junosScenario, runFrames } from '../craft/frames-run.js';
import { udp4Frame, pattern } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
const conf = `interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:02; } } } }
  et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac 02:00:00:00:01:02; arp 10.1.0.3 mac 02:00:00:00:01:03; } } } }
  et-0/0/4 { unit 0 { family inet { address 10.4.0.1/24 { arp 10.4.0.2 mac 02:00:00:00:04:02; } } } }
}
routing-options { static {
  route 10.20.0.0/16 next-hop [ 10.1.0.2 10.1.0.3 ];
  route 172.17.0.0/16 next-hop [ 10.20.0.1 10.0.0.2 ];
  route 203.0.113.0/24 next-table red.inet.0;
  route 172.18.0.0/16 next-hop 203.0.113.1;
} }
routing-instances { red { instance-type vrf; interface et-0/0/4.0;
  routing-options { static { route 203.0.113.0/24 next-table inet.0; } } } }`;
for (const dst of ['172.17.0.1', '172.18.0.1', '203.0.113.5']) it(dst, () => {
  const m0 = formatMac(derivedMac('R1', 'et-0/0/0'));
  const frames = [];
  for (let i = 0; i < 20; i++) frames.push({ t: 1, frame: udp4Frame({ src: '02:00:00:00:00:02', dst: m0 }, { src: '10.0.0.2', dst }, 1000 + i, 53, pattern(10)) });
  const r = runFrames(junosScenario(conf), { 'et-0/0/0': frames });
  console.log(dst, r.devices[0].warnings, JSON.stringify(r.stats.accounting), r.stats.balanced, r.stats.drops, Object.fromEntries(Object.entries(r.out).map(([k, v]) => [k, v.length])));
});
