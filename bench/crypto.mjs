// AES-GCM throughput of the hot crypto path: batches of 256 packets in one
// slab (ESP-like: nonce 12 | AAD 8 | payload | ICV 16, unaligned stride).
//
//   native seal / open   one N-API call per batch (crates/triode-crypto), on the
//                        path the addon chose: gcm128 (OpenSSL's AES-NI + GCM128
//                        functions directly) or evp-params / evp-init (EVP)
//   native seal [path]   the same on each other path that works here (withPath)
//   js backend seal      the fallback: noble's AES + GHASH driven over the slab
//   noble gcm()          @noble/ciphers the usual way: gcm(key, nonce, aad).encrypt(pt) per packet
//   node:crypto          createCipheriv per packet, the usual way
//   ceiling              native seal of the same bytes as ONE message (no per-packet cost)
//
// Ratios, not absolute numbers, are what to compare across machines. Passes
// alternate between the methods and the best of each is kept (shared, noisy
// machine). Run: npm run build && node bench/crypto.mjs
//   SIZES=64,1420  PASSES=5  SECONDS=0.2  KEY_BITS=128|256
import { createCipheriv, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { DESC_WORDS } from '../dist/crypto/aead.js';
import { createJsBackend } from '../dist/crypto/js.js';
import { loadNativeBackends } from '../dist/crypto/native.js';

const SIZES = (process.env.SIZES ?? '64,512,1420,9000').split(',').map(Number);
const PASSES = Number(process.env.PASSES ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 0.2);
const KEY_BITS = Number(process.env.KEY_BITS ?? 128);
const N = 256;
const TAG = 16;

let native, others = [];
try {
  [native, ...others] = loadNativeBackends();
} catch (e) {
  console.log(`native backend unavailable (${e.message}); native rows and ratios are skipped`);
}
if (process.env.NO_OTHER_PATHS) others = [];
if (native) {
  const src = native.path === 'gcm128' ? 'src/gcm128.rs' : 'src/evp.rs';
  console.log(`native addon: path '${native.path}' (crates/triode-crypto/${src}); working paths: ${native.paths.join(', ')}` +
    `${native.gcm128Unavailable ? `; gcm128 unavailable: ${native.gcm128Unavailable}` : ''}` +
    `${process.env.TRIODE_CRYPTO_EVP ? ` (TRIODE_CRYPTO_EVP=${process.env.TRIODE_CRYPTO_EVP})` : ''}`);
}
const jsBe = createJsBackend();
const key = new Uint8Array(randomBytes(KEY_BITS / 8));
const alg = `aes-${KEY_BITS}-gcm`;

function layout(size) {
  const stride = 12 + 8 + size + TAG + 3; // +3: packets start at every alignment
  const slab = new Uint8Array(randomBytes(stride * N));
  const descFor = (h) => {
    const d = new Uint32Array(N * DESC_WORDS);
    for (let i = 0; i < N; i++) {
      const o = i * stride;
      d.set([h, o, o + 12, 8, o + 20, size, o + 20 + size, TAG], i * DESC_WORDS);
    }
    return d;
  };
  return { slab, descFor, stride };
}

/** Times fn (one batch of N packets) for ~SECONDS; returns ns per packet. */
function time(fn, iters) {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < iters; k++) fn();
  return Number(process.hrtime.bigint() - t0) / (iters * N);
}

function methods(size) {
  const { slab, descFor, stride } = layout(size);
  const out = [];
  const hn = native?.addKey(key);
  const hj = jsBe.addKey(key);
  const dj = descFor(hj);

  // Cross-check before timing: the js batch, native batch, noble and node:crypto agree.
  const ref = slab.slice(), refN = slab.slice();
  jsBe.seal(ref, dj, N);
  const nonce = slab.subarray(0, 12), aad = slab.subarray(12, 20), pt = slab.subarray(20, 20 + size);
  const c = createCipheriv(alg, key, nonce);
  c.setAAD(aad);
  const nodeCt = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  const nobleCt = gcm(key, nonce, aad).encrypt(pt);
  if (!nodeCt.equals(ref.subarray(20, 20 + size + TAG)) || !nodeCt.equals(Buffer.from(nobleCt))) {
    throw new Error(`cross-check failed at ${size} B: js backend / noble / node:crypto differ`);
  }
  if (native) {
    const dn = descFor(hn);
    native.seal(refN, dn, N);
    if (!Buffer.from(refN).equals(Buffer.from(ref))) throw new Error(`cross-check failed at ${size} B: native != js`);
    out.push({ name: 'native batch seal', run: () => native.seal(slab, dn, N) });
    // open needs sealed input: each timed open is preceded by an untimed seal.
    const status = new Uint8Array(N);
    out.push({
      name: 'native batch open',
      timeIt(iters) {
        let ns = 0n;
        for (let k = 0; k < iters; k++) {
          native.seal(slab, dn, N);
          const t0 = process.hrtime.bigint();
          native.open(slab, dn, N, status);
          ns += process.hrtime.bigint() - t0;
        }
        if (status.some((s) => s !== 0)) throw new Error('native open failed in the bench');
        return Number(ns) / (iters * N);
      },
    });
  }
  out.push({ name: 'js backend batch seal', run: () => jsBe.seal(slab, dj, N) });
  out.push({
    name: 'noble gcm() per packet',
    run() {
      for (let i = 0; i < N; i++) {
        const o = i * stride;
        const ct = gcm(key, slab.subarray(o, o + 12), slab.subarray(o + 12, o + 20)).encrypt(slab.subarray(o + 20, o + 20 + size));
        slab.set(ct, o + 20);
      }
    },
  });
  out.push({
    name: 'node:crypto createCipheriv',
    run() {
      for (let i = 0; i < N; i++) {
        const o = i * stride;
        const c = createCipheriv(alg, key, slab.subarray(o, o + 12));
        c.setAAD(slab.subarray(o + 12, o + 20));
        slab.set(c.update(slab.subarray(o + 20, o + 20 + size)), o + 20);
        c.final();
        slab.set(c.getAuthTag(), o + 20 + size);
      }
    },
  });
  if (native) {
    // The same N × size payload bytes as one GCM message: AES-GCM with no per-packet cost.
    const big = new Uint8Array(randomBytes(12 + 8 + N * size + TAG));
    const d = Uint32Array.of(hn, 0, 12, 8, 20, N * size, 20 + N * size, TAG);
    out.push({ name: 'ceiling (one message)', ceiling: true, run: () => native.seal(big, d, 1) });
  }
  // The other native paths (seal only), to show what the chosen one gains.
  const otherKeys = others.map((be) => {
    const h = be.addKey(key);
    const d = descFor(h);
    const s = slab.slice();
    be.seal(s, d, N);
    if (!Buffer.from(s).equals(Buffer.from(ref))) throw new Error(`cross-check failed at ${size} B: native ${be.path} != js`);
    out.push({ name: `native seal [${be.path}]`, run: () => be.seal(slab, d, N) });
    return h;
  });
  return {
    out,
    done: () => {
      if (native) native.removeKey(hn);
      jsBe.removeKey(hj);
      others.forEach((be, i) => be.removeKey(otherKeys[i]));
    },
  };
}

const fmt = (x, d = 2) => x.toFixed(d).padStart(9);
const results = {};
for (const size of SIZES) {
  const { out, done } = methods(size);
  // Calibrate iterations per method to ~SECONDS per pass.
  for (const m of out) {
    const once = m.timeIt ? m.timeIt(2) : time(m.run, 2);
    m.iters = Math.max(2, Math.round((SECONDS * 1e9) / (once * N)));
    m.best = Infinity;
  }
  for (let p = 0; p < PASSES; p++) {
    for (const m of p % 2 ? [...out].reverse() : out) {
      m.best = Math.min(m.best, m.timeIt ? m.timeIt(m.iters) : time(m.run, m.iters));
    }
  }
  done();
  results[size] = out;
  const ceiling = out.find((m) => m.ceiling);
  console.log(`\n${size}-byte payloads, AES-${KEY_BITS}-GCM, ${N} packets per batch, best of ${PASSES} passes`);
  console.log(`${'method'.padEnd(28)}${'Mpps'.padStart(9)}${'Gbps'.padStart(9)}${'ns/pkt'.padStart(9)}${'÷ceiling'.padStart(10)}`);
  for (const m of out) {
    const r = ceiling ? ` ${fmt((ceiling.best / m.best) * 100, 1)}%` : '      n/a';
    console.log(`${m.name.padEnd(28)}${fmt(1e3 / m.best)}${fmt((size * 8) / m.best)}${fmt(m.best, 1)}${r}`);
  }
}

if (native && results[64]) {
  const by = (name) => results[64].find((m) => m.name === name).best;
  const r = by('node:crypto createCipheriv') / by('native batch seal');
  const rj = by('node:crypto createCipheriv') / by('js backend batch seal');
  console.log(`\n64 B: native batch seal (${native.path}) is ${r.toFixed(1)}× node:crypto createCipheriv per packet (target ≥ 30×: ${r >= 30 ? 'met' : 'NOT met'}); js backend is ${rj.toFixed(2)}×`);
  for (const be of others) {
    const ro = by('node:crypto createCipheriv') / by(`native seal [${be.path}]`);
    console.log(`64 B: native seal on ${be.path} would be ${ro.toFixed(1)}×`);
  }
}
