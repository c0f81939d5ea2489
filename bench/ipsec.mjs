// Inline IPsec (route-based, st0 + si-) throughput through the whole graph of
// one device, one core, against the raw AES-GCM ceiling of the same backend
// measured in the same run (sealing the same inner-packet sizes, no framing).
//
//   encrypt (device A): ethernet-input → ip4-input → ip4-lookup → st0-output →
//     esp-encrypt → si-outside-input → outer ip4-lookup → ip4-rewrite →
//     interface-output (the core port's sink counts frames, writes nothing)
//   decrypt (device A): ESP to A's gateway address → ip4-local →
//     si-outside-input → esp-decrypt (anti-replay) → st0-input → ip4-input →
//     ip4-lookup → ip4-rewrite → interface-output (the LAN port's sink)
//
// Device A is the hub of src/bench/ipsec-hub.ts: N VPNs (N = 1, 2,000 and
// 10,000: st0.1 .. st0.N on one si- pair, IKE gateways to N remote gateway
// addresses, N routes into the st0 units; beyond 16,384 VPNs they share st0
// units with traffic selectors), keys from an esp_sa file of 2N records;
// frames go to the VPNs in round robin. Each N reports the time to build the hub (esp_sa, Junos text,
// DeviceRt) and memory after it (RSS, JS heap, typed-array memory; after a
// full GC). The decrypt input is made once, untimed, by device B (the N
// spokes, the mirror configuration) encrypting frames with rising sequence
// numbers; each time the input wraps, A's inbound replay windows are re-seeded
// (untimed) so anti-replay never rejects. Any drop throws.
//
// Sizes are Ethernet frame sizes with the FCS, as in bench/forward.mjs (a
// "64 B" frame is 60 bytes captured); the inner IP packet is size - 18 bytes,
// and that is what the ceiling seals. IMIX: 7:4:1 of 64/594/1518 B frames.
// The core port has mtu 9192 so that 1518 B frames' ESP packets are not
// fragmented. Gbps counts the cleartext frames (size × 8, no preamble/IFG).
//
// Run: npm run build && node bench/ipsec.mjs     COUNTS=1,2000,10000 CASES=64,IMIX,1420 DIRS=enc,dec
//   PASSES=5 SECONDS=0.3 RAW_SECONDS CLOCK=cpu RUNTIME=1 (per-node ns/packet) BUILD_ONLY=1 (configuration
//   build time and memory only), FRAMES=N (input frames; default 16 per VPN: cap it for 100,000 VPNs).
//   About 2.5 minutes with the defaults; COUNTS=1,2000 is quicker.
// SCALE=1: memory per SA and per VPN, build time and encrypt / decrypt throughput at 2,000 / 10,000 /
//   100,000 VPNs (COUNTS), 64 and 1420 B (CASES), input capped at FRAMES (default 131,072) frames
//   (src/bench/scale-sas.ts, measureSas). About 6 minutes; needs ~4 GB of memory at 100,000 VPNs.
import { getAeadBackend } from '../dist/crypto/backend.js';
import { DESC_WORDS } from '../dist/crypto/aead.js';
import { buildHub, hubCleartext, hubEspSaText, portIndex } from '../dist/bench/ipsec-hub.js';
import { packFrames } from '../dist/bench/packed.js';
import { measureSas } from '../dist/bench/scale-sas.js';
import { parseEspSaFile } from '../dist/config/esp-sa-file.js';
import { SLOT_SIZE, VECTOR_SIZE } from '../dist/packet/batch.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full GC, so memory figures are what is live. */
const gc = runInNewContext('gc');

const MANY = Number(process.env.VPNS ?? 2000);
/** VPN counts to run (default 1, 2,000 and 10,000); CASES=IMIX,1420 and DIRS=enc / dec select a subset. */
const COUNTS = (process.env.COUNTS ?? `1,${MANY},10000`).split(',').map(Number);
const ONLY = process.env.CASES?.split(',');
const DIRS = (process.env.DIRS ?? 'enc,dec').split(',');
const PASSES = Number(process.env.PASSES ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 0.3);
/** Time of each ceiling measurement (RAW_SECONDS=0.05 keeps it out of a profile of the graph). */
const RAW_SECONDS = Number(process.env.RAW_SECONDS ?? SECONDS);
/**
 * CLOCK=cpu times with the process's CPU time (process.cpuUsage) instead of
 * the wall clock: on a machine shared with other jobs it counts only the time
 * this process ran (GC and compiler threads included), so A/B comparisons
 * stay meaningful under load. Default: wall.
 */
const CPU = process.env.CLOCK === 'cpu';
const now = CPU ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();

/** The hub (A) or the spokes (B) of n VPNs (src/bench/ipsec-hub.ts: beyond 16,384 VPNs, with traffic selectors). */
function build(role, n, records) {
  return buildHub(role, n, records);
}

const port = portIndex;

const IMIX = [64, 64, 64, 594, 64, 64, 594, 64, 594, 64, 594, 1518]; // 7:4:1, interleaved
const CASES = [
  { name: '64 B', sizes: [64] },
  { name: 'IMIX', sizes: IMIX },
  { name: '1420 B', sizes: [1420] },
].filter((c) => !ONLY || ONLY.some((o) => c.name.startsWith(o)));

/** `count` frames (a multiple of VECTOR_SIZE), frame i to VPN i mod n, size sizes[i mod len]. */
const cleartext = hubCleartext;
const pack = packFrames;

/** Feeds the packed frames, one vector at a time, for SECONDS; `wrap` runs untimed each time the input starts over. */
function measure(dev, p, inPort, wrap) {
  const { buf, offs, lens, count } = p;
  let n = 0;
  let k = 0;
  let busy = 0;
  const wall = performance.now() + SECONDS * 1000 * (CPU ? 10 : 3);
  while (busy < SECONDS * 1000 && performance.now() < wall) {
    const t0 = now();
    for (let rep = 0; rep < 16; rep++) {
      for (let i = 0; i < VECTOR_SIZE; i++) dev.inject(inPort, buf, offs[k + i], lens[k + i], 1, 0);
      dev.runBatch();
      n += VECTOR_SIZE;
      k += VECTOR_SIZE;
      if (k === count) {
        k = 0;
        const t1 = now();
        wrap?.();
        busy -= now() - t1;
      }
    }
    busy += now() - t0;
  }
  return { mpps: n / busy / 1e3, ns: (busy * 1e6) / n };
}

/**
 * RUNTIME=1: where the time goes per packet (VPP's `show runtime`): one more
 * untimed-for-the-table pass with the graph's per-node clocks on; each node's
 * wall-clock ns per packet taken in, and what is left of the pass's time
 * (inject: copying frames into the slab; the scheduler's sweeps).
 */
function runtimeOf(dev, p, inPort, wrap) {
  const g = dev.graph;
  g.enableRuntime();
  const t0 = performance.now();
  const r = measure(dev, p, inPort, wrap);
  const ms = performance.now() - t0;
  const rt = g.runtime;
  g.runtime = null;
  const pkts = (ms * 1e6) / r.ns; // packets taken in during the pass
  const parts = [];
  let inNodes = 0;
  g.nodes.forEach((node, k) => { if (rt[k] > 0) { parts.push([node.name, (rt[k] * 1e6) / pkts]); inNodes += rt[k]; } });
  parts.sort((x, y) => y[1] - x[1]);
  parts.push(['(outside the nodes: inject, scheduler)', r.ns - (inNodes * 1e6) / pkts]);
  return { total: r.ns, parts };
}

/** The ceiling: the backend sealing the inner-packet sizes with an 8-byte AAD, laid out like ESP, no framing. */
function raw(backend, sizes) {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const h = backend.addKey(key);
  const slab = new Uint8Array(SLOT_SIZE * VECTOR_SIZE);
  const vectors = Math.max(1, Math.ceil(sizes.length / VECTOR_SIZE));
  const descs = [];
  for (let v = 0; v < vectors; v++) {
    const desc = new Uint32Array(VECTOR_SIZE * DESC_WORDS);
    for (let i = 0; i < VECTOR_SIZE; i++) {
      const o = i * SLOT_SIZE;
      const size = sizes[(v * VECTOR_SIZE + i) % sizes.length] - 18;
      desc.set([h, o, o + 16, 8, o + 64, size, o + 64 + size, 16], i * DESC_WORDS);
    }
    descs.push(desc);
  }
  let n = 0;
  let v = 0;
  const t0 = now();
  const deadline = t0 + RAW_SECONDS * 1000;
  while (now() < deadline) {
    backend.seal(slab, descs[v], VECTOR_SIZE);
    v = v + 1 === vectors ? 0 : v + 1;
    n += VECTOR_SIZE;
  }
  const ms = now() - t0;
  backend.removeKey(h);
  return { mpps: n / ms / 1e3, ns: (ms * 1e6) / n };
}

function checkAcct(dev, what) {
  const a = dev.graph.acct;
  if (a.in + a.generated !== a.out + a.consumed + a.dropped || a.dropped !== 0) {
    throw new Error(`${what}: ${dev.name} lost packets: ${JSON.stringify(a)} ${JSON.stringify(dev.graph.dropsByReason())}`);
  }
}

const backend = getAeadBackend();

if (process.env.SCALE) {
  const counts = (process.env.COUNTS ?? '2000,10000,100000').split(',').map(Number);
  const cases = (process.env.CASES ?? '64,1420').split(',').map(Number);
  const rows = [];
  for (const size of cases) {
    for (const r of measureSas({
      counts, sizes: [size], seconds: SECONDS, passes: Number(process.env.PASSES ?? 3), clock: CPU ? 'cpu' : 'wall',
      frames: process.env.FRAMES ? Number(process.env.FRAMES) : undefined, selectors: process.env.SELECTORS ? true : undefined,
      memoryOnly: !!process.env.BUILD_ONLY, log: (l) => console.log(l),
    })) rows.push({ size, ...r });
  }
  const f = (x, d = 2) => x.toFixed(d);
  console.log('   VPNs size   B/SA (in / out)     B/VPN (model + device)  build s   frames   encrypt Mpps /ceiling   decrypt Mpps /ceiling   raw Mpps');
  for (const r of rows) {
    console.log(`${String(r.vpns).padStart(7)} ${String(r.size).padStart(4)}  ${f(r.bytesPerSa, 0).padStart(4)} (${f(r.bytesPerSaInbound, 0)} / ${f(r.bytesPerSaOutbound, 0)})  ${f(r.bytesPerVpn, 0).padStart(6)} (${f(r.bytesPerVpnModel, 0)} + ${f(r.bytesPerVpnDevice, 0)})  ${f(r.buildSeconds).padStart(8)} ${String(r.frames).padStart(8)}${r.selectors ? '*' : ' '} ${f(r.encrypt.mpps).padStart(12)} ${f(r.encrypt.ratioToCeiling).padStart(8)} ${f(r.decrypt.mpps).padStart(14)} ${f(r.decrypt.ratioToCeiling).padStart(8)} ${f(r.ceiling.mpps).padStart(10)}`);
  }
  console.log('* traffic selectors (VPNs share st0 units: st0 units go up to 16385)');
  process.exit(0);
}
console.log(`backend: ${backend.name}${backend.path ? ` (path ${backend.path}${backend.bulk ? `, ${backend.bulk} bulk` : ''}${backend.paths ? `; paths here: ${backend.paths.join(', ')}` : ''})` : ''}; AES-256-GCM, 16-byte ICV; best of ${PASSES} alternating passes of ${SECONDS} s${CPU ? ' of CPU time' : ''}`);

const results = [];
for (const n of COUNTS) {
  const t0 = performance.now();
  const saText = hubEspSaText(n);
  const records = parseEspSaFile(saText, 'esp_sa');
  const tSa = (performance.now() - t0) / 1000;
  gc();
  gc();
  const m0 = process.memoryUsage();
  const k0 = backend.keyMemory().bytes ?? 0;
  const A = build('A', n, records);
  gc();
  gc();
  const m1 = process.memoryUsage();
  const k1 = backend.keyMemory().bytes ?? 0;
  const B = build('B', n, records);
  const mb = (x) => (x / 1048576).toFixed(1);
  // external includes arrayBuffers; the native key store is outside both (keyMemory()).
  console.log(`${n} VPN${n > 1 ? 's' : ''}: esp_sa of ${records.length} records made and parsed in ${tSa.toFixed(2)} s; hub device: Junos text ${(A.gen).toFixed(2)} s, parse ${A.parse.toFixed(2)} s, DeviceRt ${A.device.toFixed(2)} s (total ${(tSa + A.gen + A.parse + A.device).toFixed(2)} s); after build: RSS ${mb(m1.rss)} MB (+${mb(m1.rss - m0.rss)}), JS heap +${mb(m1.heapUsed - m0.heapUsed)} MB, external (typed arrays) +${mb(m1.external - m0.external)} MB, native keys +${mb(k1 - k0)} MB (the device's fixed costs included: per VPN and per SA, SCALE=1)`);
  if (process.env.BUILD_ONLY) continue;
  const a = A.dev;
  const b = B.dev;
  const aLan = port(a, 'et-0/0/1');
  const aCore = port(a, 'et-0/0/0');
  const bLan = port(b, 'et-0/0/1');
  const bCore = port(b, 'et-0/0/0');
  let aCoreOut = 0;
  let aLanOut = 0;
  a.sinks[aCore] = () => { aCoreOut++; };
  a.sinks[aLan] = () => { aLanOut++; };
  const db = a.ipsec;
  const reseed = () => { for (let i = 0; i < db.count; i++) if (db.rw.on[i]) db.rw.seed(i, 0, 0); };
  // Input length: a multiple of the vector, of n and (for n = 1) of the IMIX pattern.
  // FRAMES=160000 gives every N the same input size (1 VPN's 768 frames stay in cache; 10,000 VPNs'
  // 160,000 stream from memory), to tell the cost of many SAs from that of a large input.
  const count = process.env.FRAMES ? Number(process.env.FRAMES) : n === 1 ? VECTOR_SIZE * 3 : VECTOR_SIZE * Math.ceil(n / 16);
  if (count % VECTOR_SIZE) throw new Error(`FRAMES must be a multiple of ${VECTOR_SIZE} (got ${count})`);
  for (const c of CASES) {
    const enc = pack(cleartext('A', n, c.sizes, count));
    // Decrypt input: B encrypts its frames once (untimed); rising sequence numbers per SA.
    const esp = [];
    b.sinks[bCore] = (d, off, len) => { esp.push(d.slice(off, off + len)); };
    const bin = pack(cleartext('B', n, c.sizes, count));
    for (let k = 0; k < count; k += VECTOR_SIZE) {
      for (let i = 0; i < VECTOR_SIZE; i++) b.inject(bLan, bin.buf, bin.offs[k + i], bin.lens[k + i], 1, 0);
      b.runBatch();
    }
    checkAcct(b, 'decrypt input');
    if (esp.length !== count) throw new Error(`B made ${esp.length} ESP frames of ${count}`);
    const dec = pack(esp);
    const sizes = Array.from({ length: count }, (_, i) => c.sizes[i % c.sizes.length]);
    const skipped = { mpps: NaN, ns: NaN };
    const best = { raw: null, enc: DIRS.includes('enc') ? null : skipped, dec: DIRS.includes('dec') ? null : skipped };
    const keep = (k, r) => { if (!best[k] || r.mpps > best[k].mpps) best[k] = r; };
    const before = { core: aCoreOut, lan: aLanOut, acctIn: a.graph.acct.in };
    let encIn = 0;
    let decIn = 0;
    for (let p = 0; p < PASSES; p++) {
      keep('raw', raw(backend, sizes.slice(0, VECTOR_SIZE * 3)));
      let in0 = a.graph.acct.in;
      if (DIRS.includes('enc')) keep('enc', measure(a, enc, aLan));
      encIn += a.graph.acct.in - in0;
      reseed();
      in0 = a.graph.acct.in;
      if (DIRS.includes('dec')) keep('dec', measure(a, dec, aCore, reseed));
      decIn += a.graph.acct.in - in0;
      reseed();
    }
    if (process.env.RUNTIME) {
      for (const [dir, p, port, wrap] of [['encrypt', enc, aLan, undefined], ['decrypt', dec, aCore, reseed]]) {
        if (!DIRS.includes(dir.slice(0, 3))) continue;
        const in0 = a.graph.acct.in;
        const rt = runtimeOf(a, p, port, wrap);
        if (dir === 'encrypt') encIn += a.graph.acct.in - in0;
        else decIn += a.graph.acct.in - in0;
        reseed();
        console.log(`runtime ${dir} ${c.name}, ${n} VPN${n > 1 ? 's' : ''}: ${rt.total.toFixed(0)} ns/packet = ${rt.parts.map(([x, ns]) => `${x} ${ns.toFixed(0)}`).join(', ')}`);
      }
    }
    checkAcct(a, `${c.name}, ${n} VPNs`);
    if (aCoreOut - before.core !== encIn || aLanOut - before.lan !== decIn) {
      throw new Error(`${c.name}: encrypt ${encIn} in / ${aCoreOut - before.core} out, decrypt ${decIn} in / ${aLanOut - before.lan} out`);
    }
    const mean = c.sizes.reduce((s, x) => s + x, 0) / c.sizes.length;
    results.push({ n, name: c.name, mean, ...best });
  }
}

const f = (x, d = 2) => x.toFixed(d);
console.log(' VPNs size     encrypt Mpps   Gbps  ns/pkt  /ceiling   decrypt Mpps   Gbps  ns/pkt  /ceiling   raw AES-GCM ceiling Mpps  ns/pkt');
for (const r of results) {
  const gbps = (x) => f((x.mpps * 1e6 * r.mean * 8) / 1e9);
  console.log(`${String(r.n).padStart(4)}  ${r.name.padEnd(7)} ${f(r.enc.mpps).padStart(12)} ${gbps(r.enc).padStart(6)} ${f(r.enc.ns, 0).padStart(7)} ${f(r.enc.mpps / r.raw.mpps).padStart(9)}   ${f(r.dec.mpps).padStart(12)} ${gbps(r.dec).padStart(6)} ${f(r.dec.ns, 0).padStart(7)} ${f(r.dec.mpps / r.raw.mpps).padStart(9)}   ${f(r.raw.mpps).padStart(24)} ${f(r.raw.ns, 0).padStart(7)}`);
}
const at = (n, name) => results.find((r) => r.n === n && r.name === name);
const big = at(1, '1420 B');
const imix = at(1, 'IMIX');
for (const n of COUNTS) {
  if (n === 1) continue;
  const parts = [];
  for (const r of results.filter((x) => x.n === n)) {
    const one = at(1, r.name);
    if (one) parts.push(`${r.name} ${f(r.enc.mpps / one.enc.mpps)} / ${f(r.dec.mpps / one.dec.mpps)}`);
  }
  if (parts.length) console.log(`${n} VPNs in round robin, Mpps as a fraction of 1 VPN's (encrypt / decrypt): ${parts.join(', ')}`);
}
if (big && imix) console.log(`targets: 1420 B ≥ 0.5 × ceiling: encrypt ${f(big.enc.mpps / big.raw.mpps)}, decrypt ${f(big.dec.mpps / big.raw.mpps)}; IMIX ≥ 2.5 Mpps: encrypt ${f(imix.enc.mpps)}, decrypt ${f(imix.dec.mpps)} (1 VPN)`);
