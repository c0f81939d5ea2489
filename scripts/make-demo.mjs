// Writes the demo's input pcaps from the packet list below (run after `npm run build`).
// Deterministic: the same list gives the same bytes.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { arpFrame, nsFrame, naFrame, ping4, ping6, udp4Frame, pattern } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { PcapWriter } from '../dist/pcap/writer.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'demo');
const r1 = formatMac(derivedMac('R1', 'et-0/0/0'), 0);
const r2 = formatMac(derivedMac('R2', 'et-0/0/1'), 0);
const hostA = '02:00:00:00:0a:0a';
const hostB = '02:00:00:00:0b:14';
const T0 = 1_700_000_000;
const toR1 = { src: hostA, dst: r1 };
const toR2 = { src: hostB, dst: r2 };

const hostAPackets = [
  [0.000, arpFrame({ src: hostA, dst: 'ff:ff:ff:ff:ff:ff' }, 1, hostA, '10.1.0.10', '00:00:00:00:00:00', '10.1.0.1')],
  [0.001, ping4(toR1, { src: '10.1.0.10', dst: '10.2.0.20' }, 7, 1)],
  [0.002, nsFrame(hostA, '2001:db8:1::10', '2001:db8:1::1')],
  [0.003, ping6(toR1, { src: '2001:db8:1::10', dst: '2001:db8:2::20' }, 7, 1)],
  [1.000, ping4(toR1, { src: '10.1.0.10', dst: '10.2.0.20' }, 7, 2)],
  [1.001, ping4(toR1, { src: '10.1.0.10', dst: '10.2.0.20', ttl: 1 }, 7, 3)],
  [1.002, ping4(toR1, { src: '10.1.0.10', dst: '203.0.113.9' }, 7, 4)],
  [1.003, udp4Frame(toR1, { src: '10.1.0.10', dst: '192.0.2.1' }, 40000, 53, pattern(20))],
  [1.004, ping4(toR1, { src: '10.1.0.10', dst: '1.1.1.1' }, 7, 5)],
  [1.005, Uint8Array.from([...ping4(toR1, { src: '10.1.0.10', dst: '10.2.0.20' }, 7, 6)].map((b, i) => (i === 14 ? 0x43 : b)))],
  [1.006, ping4(toR1, { src: '10.1.0.10', dst: '198.51.100.7' }, 7, 7)],
];
const hostBPackets = [
  [0.500, arpFrame({ src: hostB, dst: r2 }, 2, hostB, '10.2.0.20', r2, '10.2.0.1')],
  [0.501, naFrame(toR2, '2001:db8:2::20', '2001:db8:2::1', '2001:db8:2::20', hostB)],
  [2.000, ping4(toR2, { src: '10.2.0.20', dst: '10.1.0.10' }, 9, 1)],
];

function write(file, packets) {
  const w = new PcapWriter(join(dir, file));
  for (const [t, frame] of packets) {
    const us = Math.round(t * 1e6);
    w.write(frame, 0, frame.length, T0 + Math.floor(us / 1e6), (us % 1e6) * 1000);
  }
  w.close();
}
write('host-a.pcap', hostAPackets);
write('host-b.pcap', hostBPackets);
console.log(`wrote ${dir}/host-a.pcap (${hostAPackets.length} packets), host-b.pcap (${hostBPackets.length} packets)`);
