// ESP throughput through the esp-encrypt and esp-decrypt nodes (framing,
// sequence numbers, IV, padding, AAD, one AEAD call per vector, anti-replay
// on decrypt), against the raw AES-GCM ceiling measured in the same run:
// the same backend sealing the same number of bytes per packet with no ESP
// framing at all. Also per payload size: native vs js backend. Encrypt times
// copying the inner packet in plus the node; decrypt times the node alone.
// Run: npm run build && node bench/esp.mjs      SIZES=64,1420 PASSES=5 SECONDS=0.3
import { Graph } from '../dist/graph/graph.js';
import { GraphNode } from '../dist/graph/node.js';
import { SLOT_SIZE, HEADROOM, VECTOR_SIZE } from '../dist/packet/batch.js';
import { aeadBackends } from '../dist/crypto/backend.js';
import { DESC_WORDS } from '../dist/crypto/aead.js';
import { SaDatabase } from '../dist/ipsec/sa.js';
import { EspEncrypt } from '../dist/nodes/esp-encrypt.js';
import { EspDecrypt } from '../dist/nodes/esp-decrypt.js';
import { ip4, udp, pattern } from '../dist/craft/craft.js';

const SIZES = (process.env.SIZES ?? '64,512,1420,9000').split(',').map(Number);
const PASSES = Number(process.env.PASSES ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 0.3);
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);
const SALT = Uint8Array.of(0xca, 0xfe, 0xba, 0xbe);

class Sink extends GraphNode {
  name = 'sink';
  nextNames = [];
  got = 0;
  keep = null;
  process(b, frame, n) {
    if (this.keep) for (let i = 0; i < n; i++) this.keep.push(b.data.slice(b.l3[frame[i]], b.off[frame[i]] + b.len[frame[i]]));
    for (let i = 0; i < n; i++) b.release(frame[i]);
    this.got += n;
    this.g.acct.out += n;
  }
}

function rig(backend, decrypt) {
  const db = new SaDatabase(backend);
  const cfg = { spi: 0x1000, mode: 'tunnel', tunnelSrc: '192.0.2.1', tunnelDst: '198.51.100.1', cipher: 'aes-128-gcm', key: KEY, salt: SALT };
  db.add({ ...cfg, direction: 'outbound' });
  db.add({ ...cfg, direction: 'inbound', replayWindowSize: 4096 });
  const g = new Graph('bench');
  const node = decrypt ? new EspDecrypt(db, { next4: 'sink', next6: 'sink' }) : new EspEncrypt(db, { next4: 'sink', next6: 'sink' });
  g.add(node);
  const sink = g.add(new Sink());
  g.wire();
  return { g, node, sink, db };
}

/** An inner IPv4/UDP packet of `size` bytes in total. */
const innerPacket = (size) => ip4({ src: '10.1.0.10', dst: '10.2.0.20' }, 17, udp('10.1.0.10', '10.2.0.20', 40000, 9, pattern(Math.max(0, size - 28))));

function put(b, node, pkt, l3Gap) {
  const slot = b.alloc();
  const at = b.slotStart(slot) + HEADROOM + l3Gap;
  b.data.set(pkt, at);
  b.off[slot] = at;
  b.l3[slot] = at;
  b.len[slot] = pkt.length;
  b.sa[slot] = 0;
  node.frame[node.count++] = slot;
}

function timeLoop(step) {
  let n = 0;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  while (performance.now() < deadline) { step(); n += VECTOR_SIZE; }
  const secs = (performance.now() - t0) / 1000;
  return { mpps: n / secs / 1e6, ns: (secs * 1e9) / n };
}

function benchEncrypt(backend, size) {
  const r = rig(backend, false);
  const pkt = innerPacket(size);
  return timeLoop(() => {
    for (let i = 0; i < VECTOR_SIZE; i++) put(r.g.batch, r.node, pkt, 0);
    r.g.run();
  });
}

function benchDecrypt(backend, size) {
  // Each vector is encrypted afresh (untimed) so sequence numbers keep rising
  // through the replay window; only the decrypt node's run is timed.
  const enc = rig(backend, false);
  enc.sink.keep = [];
  const dec = rig(backend, true);
  const pkt = innerPacket(size);
  let n = 0;
  let busy = 0;
  const deadline = performance.now() + SECONDS * 1000 * 2;
  while (performance.now() < deadline && busy < SECONDS * 1000) {
    enc.sink.keep.length = 0;
    for (let i = 0; i < VECTOR_SIZE; i++) put(enc.g.batch, enc.node, pkt, 0);
    enc.g.run();
    for (const e of enc.sink.keep) put(dec.g.batch, dec.node, e, 0);
    const t0 = performance.now();
    dec.g.run();
    busy += performance.now() - t0;
    n += VECTOR_SIZE;
    if (dec.sink.got !== n) throw new Error(`decrypt dropped packets: ${JSON.stringify(dec.g.dropsByReason())}`);
  }
  return { mpps: n / (busy / 1000) / 1e6, ns: (busy * 1e6) / n };
}

/** The ceiling: the backend sealing `size`-byte payloads with an 8-byte AAD, laid out like ESP, no framing. */
function benchRaw(backend, size) {
  const h = backend.addKey(KEY);
  const stride = SLOT_SIZE;
  const slab = new Uint8Array(stride * VECTOR_SIZE);
  const desc = new Uint32Array(VECTOR_SIZE * DESC_WORDS);
  for (let i = 0; i < VECTOR_SIZE; i++) {
    const o = i * stride;
    desc.set([h, o, o + 16, 8, o + 64, size, o + 64 + size, 16], i * DESC_WORDS);
  }
  const r = timeLoop(() => backend.seal(slab, desc, VECTOR_SIZE));
  backend.removeKey(h);
  return r;
}

const backends = aeadBackends();
console.log(`backends: ${backends.map((b) => b.name + (b.path ? ` (${b.path})` : '')).join(', ')}; best of ${PASSES} alternating passes of ${SECONDS} s`);
console.log('backend size   encrypt Mpps  Gbps  ns/pkt   decrypt Mpps  Gbps  ns/pkt   raw ceiling Mpps   enc/ceiling  dec/ceiling');
for (const be of backends) {
  for (const size of SIZES) {
    const best = { enc: null, dec: null, raw: null };
    const keep = (k, r) => { if (!best[k] || r.mpps > best[k].mpps) best[k] = r; };
    const passes = be.name === 'js' ? 1 : PASSES;
    for (let p = 0; p < passes; p++) {
      keep('raw', benchRaw(be, size));
      keep('enc', benchEncrypt(be, size));
      keep('dec', benchDecrypt(be, size));
    }
    const gbps = (r) => ((r.mpps * 1e6 * size * 8) / 1e9).toFixed(2);
    console.log(`${be.name.padEnd(7)} ${String(size).padStart(5)}   ${best.enc.mpps.toFixed(2).padStart(8)} ${gbps(best.enc).padStart(7)} ${best.enc.ns.toFixed(0).padStart(7)}   ${best.dec.mpps.toFixed(2).padStart(8)} ${gbps(best.dec).padStart(7)} ${best.dec.ns.toFixed(0).padStart(7)}   ${best.raw.mpps.toFixed(2).padStart(10)}         ${(best.enc.mpps / best.raw.mpps).toFixed(2).padStart(5)}        ${(best.dec.mpps / best.raw.mpps).toFixed(2).padStart(5)}`);
  }
}
