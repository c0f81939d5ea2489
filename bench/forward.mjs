// Forwarding throughput through the whole graph (ethernet-input → ip4-input →
// ip4-lookup → ip4-rewrite → interface-output), 64-byte frames, one core,
// with a 1,000,000-route FIB. The ceiling, measured in the same run, is the
// cost of getting frames into and out of the batch with no processing at all.
import { DeviceRt } from '../dist/device/device.js';
import { loadJunosText } from '../dist/config/junos-device.js';
import { derivedMac } from '../dist/device/mac.js';
import { ping4, ping6 } from '../dist/craft/craft.js';
import { formatMac, formatIpv4, formatIpv6 } from '../dist/packet/addr.js';
import { VECTOR_SIZE } from '../dist/packet/batch.js';

const ROUTES = Number(process.env.ROUTES ?? 1_000_000);
const SECONDS = Number(process.env.SECONDS ?? 0.5);
const PASSES = Number(process.env.PASSES ?? 5);

const conf = `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24; } family inet6 { address 2001:db8::1/64; } } }
  et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac 02:00:00:00:01:02; } }
                     family inet6 { address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac 02:00:00:00:01:02; } } } }
}`;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function build() {
  const model = loadJunosText(conf, 'bench.conf', { deviceName: 'R1' });
  const dev = new DeviceRt(model, { expectedRoutes: ROUTES });
  const t4 = dev.tables[0];
  const t6 = dev.tables[1];
  const nh4 = dev.neighborAdj4(dev.ifs.ifl('et-0/0/1.0'), (10 << 24 | 1 << 16 | 2) >>> 0).index;
  const nh6 = t6.lpm6.lookup(Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), 0);
  const r = rng(1);
  const dst4 = [];
  const dst6 = [];
  const t0 = performance.now();
  for (let i = 0; i < ROUTES; i++) {
    // Realistic mix: mostly /24, some /16–/23 and /25–/32, spread over 11.0.0.0–223.255.255.255.
    const u = r();
    const len = u < 0.6 ? 24 : u < 0.85 ? 16 + Math.floor(r() * 8) : 25 + Math.floor(r() * 8);
    const base = (0x0b000000 + Math.floor(r() * (0xdf000000 - 0x0b000000))) >>> 0;
    const net = (base & (len ? (0xffffffff << (32 - len)) >>> 0 : 0)) >>> 0;
    t4.lpm4.insert(net, len, nh4);
    if (dst4.length < 65536) dst4.push(net | Math.floor(r() * 2 ** (32 - len)));
  }
  const t1 = performance.now();
  for (let i = 0; i < ROUTES; i++) {
    const a = new Uint8Array(16);
    a[0] = 0x20; a[1] = 0x01 + (i & 3);
    const v = Math.floor(r() * 2 ** 32);
    a[2] = v >>> 24; a[3] = (v >>> 16) & 0xff; a[4] = (v >>> 8) & 0xff; a[5] = v & 0xff;
    const len = r() < 0.7 ? 48 : 32 + Math.floor(r() * 32);
    t6.lpm6.insert(a, len, nh6);
    if (dst6.length < 65536) { a[15] = 1; dst6.push(a); }
  }
  const t2 = performance.now();
  return { dev, dst4, dst6, build4: (t1 - t0) / 1000, build6: (t2 - t1) / 1000 };
}

function frames(dev, dsts, v6) {
  const src = formatMac(new Uint8Array([2, 0, 0, 0, 0, 1]), 0);
  const dst = formatMac(derivedMac('R1', 'et-0/0/0'), 0);
  // 64-byte frames: 14 + 20 + 8 + 18 (v4) / 14 + 40 + 8 + 2 (v6) → 60 + FCS on the wire.
  return dsts.slice(0, 4096).map((d) => v6
    ? ping6({ src, dst }, { src: '2001:db8::100', dst: formatIpv6(d, 0) }, 1, 1, new Uint8Array(2))
    : ping4({ src, dst }, { src: '10.0.0.100', dst: formatIpv4(d) }, 1, 1, new Uint8Array(18)));
}

/** The frames laid out in one buffer, as a pcap reader's chunk holds them. */
function pack(fr) {
  const buf = new Uint8Array(fr.reduce((s, f) => s + f.length, 0));
  const offs = new Uint32Array(fr.length);
  const lens = new Uint32Array(fr.length);
  let o = 0;
  fr.forEach((f, i) => { buf.set(f, o); offs[i] = o; lens[i] = f.length; o += f.length; });
  return { buf, offs, lens };
}

function measure(dev, fr, process) {
  const { buf, offs, lens } = pack(fr);
  let n = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  let k = 0;
  while (performance.now() < deadline) {
    for (let rep = 0; rep < 16; rep++) {
      for (let i = 0; i < VECTOR_SIZE; i++) {
        dev.inject(0, buf, offs[k], lens[k], 1, 0);
        k = k + 1 === offs.length ? 0 : k + 1;
      }
      process();
      n += VECTOR_SIZE;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  return { mpps: n / secs / 1e6, nsPerPacket: (secs * 1e9) / n };
}

const { dev, dst4, dst6, build4, build6 } = build();
console.log(`FIB: ${ROUTES} IPv4 routes built in ${build4.toFixed(2)} s, ${ROUTES} IPv6 routes in ${build6.toFixed(2)} s`);
const fibMem = (t) => `${(t.memoryBytes() / 2 ** 20).toFixed(1)} MB (${(t.memoryBytes() / t.size).toFixed(1)} B/route)`;
console.log(`FIB memory (typed arrays, exact-match store included): IPv4 ${fibMem(dev.tables[0].lpm4)}, IPv6 ${fibMem(dev.tables[1].lpm6)}`);
const g = dev.graph;
const eth = g.node('ethernet-input');
dev.sinks[1] = () => {}; // frames are counted by interface-output, not written
const fr4 = frames(dev, dst4, false);
const fr6 = frames(dev, dst6, true);
// Ceiling: frames copied into the slab and released again, nothing else.
const copyOnly = () => {
  for (let i = 0; i < eth.count; i++) g.batch.release(eth.frame[i]);
  g.acct.in -= eth.count;
  eth.count = 0;
};
// Passes alternate so that all three see the same machine; the best of each is kept.
const best = { ceiling: null, ip4: null, ip6: null };
const keep = (k, r) => { if (!best[k] || r.mpps > best[k].mpps) best[k] = r; };
for (let pass = 0; pass < PASSES; pass++) {
  keep('ceiling', measure(dev, fr4, copyOnly));
  keep('ip4', measure(dev, fr4, () => dev.runBatch()));
  keep('ip6', measure(dev, fr6, () => dev.runBatch()));
}
const a = g.acct;
if (a.in + a.generated !== a.out + a.consumed + a.dropped || a.dropped !== 0) throw new Error(`forwarding lost packets: ${JSON.stringify(a)}`);
for (const name of ['ip4', 'ip6']) {
  const r = best[name];
  const gbps = (r.mpps * 1e6 * 84 * 8) / 1e9; // 64 B + preamble and IFG on the wire
  console.log(`${name} forwarding 64 B: ${r.mpps.toFixed(2)} Mpps, ${r.nsPerPacket.toFixed(1)} ns/packet, ${gbps.toFixed(2)} Gbps (wire), ratio to I/O ceiling ${(r.mpps / best.ceiling.mpps).toFixed(3)}`);
}
console.log(`ceiling (copy in/out only): ${best.ceiling.mpps.toFixed(2)} Mpps, ${best.ceiling.nsPerPacket.toFixed(1)} ns/packet; best of ${PASSES} passes of ${SECONDS} s`);
