// LPM benchmark: build a 1M-route FIB per family, cross-check lookups against a slow
// reference, then time lookups over precomputed random addresses, next to a ceiling: the same
// loop doing one plain typed-array read (arr[addr >>> 8]) over a 16M-entry Int32Array.
//
//   npm run build && node --expose-gc bench/lpm.mjs [routes]
//
// Absolute numbers drift on shared machines; the ratio to the ceiling does not. Every route has
// its own value here (no runs merge), and the IPv4 mix has 4% longer than /24; bench/routes.mjs
// measures memory per route with the real table's prefix lengths.

import { Lpm4 } from '../dist/l3/lpm4.js';
import { Lpm6 } from '../dist/l3/lpm6.js';
import { routes6 } from '../dist/bench/scale-routes.js';

const ROUTES = Number(process.argv[2] ?? 1_000_000);
const LOOKUPS = 1 << 22; // 4 Mi addresses per pass
const PASSES = 7;

// Deterministic PRNG (mulberry32).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const gc = globalThis.gc ?? (() => {});
const mb = (b) => (b / 2 ** 20).toFixed(1) + ' MB';
function mem() {
  gc();
  gc();
  const m = process.memoryUsage();
  // external includes arrayBuffers: heapUsed + external is everything the table can hold
  return { used: m.heapUsed + m.external, rss: m.rss };
}

/**
 * Lookups per second of each fn (n lookups per call), best of PASSES; the fns run interleaved
 * pass by pass so that a noisy neighbour hits them alike.
 */
function timeAll(n, ...fns) {
  const best = fns.map(() => Infinity);
  let sink = 0;
  for (let p = 0; p < PASSES; p++) {
    fns.forEach((fn, i) => {
      const t0 = process.hrtime.bigint();
      sink ^= fn();
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      if (dt < best[i]) best[i] = dt;
    });
  }
  globalThis.sink = sink;
  return best.map((b) => ({ rate: n / b }));
}

/** The table's own accounting (every typed array, exact-match store included) next to the process's growth. */
function memLine(t, m0, m1, n) {
  const m = t.memory();
  console.log(
    `  memory: ${mb(m.total)} (${(m.total / n).toFixed(1)} B/route: root ${mb(m.root)}, nodes ${mb(m.nodes)}, exact-match store ${mb(m.store)}); ` +
      `process heapUsed + external +${mb(m1.used - m0.used)}, rss ${mb(m1.rss)}`,
  );
}

const fmtRate = (r) => (r / 1e6).toFixed(1) + ' M/s (' + (1e9 / r).toFixed(1) + ' ns)';

// ---- ceiling ---------------------------------------------------------------------------
const rndC = prng(7);
const ceilArr = new Int32Array(1 << 24);
for (let i = 0; i < ceilArr.length; i++) ceilArr[i] = rndC() & 0x7fffffff; // touch every page

function ceiling4(addrs) {
  const arr = ceilArr;
  let acc = 0;
  for (let i = 0; i < addrs.length; i++) acc = (acc + arr[addrs[i] >>> 8]) | 0;
  return acc;
}

function ceiling6(buf, n) {
  // Same shape for IPv6: three bytes from the packet buffer, one read in 16M entries.
  const arr = ceilArr;
  let acc = 0;
  for (let i = 0, o = 0; i < n; i++, o += 16) acc = (acc + arr[(buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]]) | 0;
  return acc;
}

// ---- IPv4 ------------------------------------------------------------------------------
function genRoutes4(n, rnd) {
  // Mostly /24, some /16–/23, some /25–/32, over 1.0.0.0–223.255.255.255; unique.
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const r = rnd() % 1000;
    const len =
      r < 600 ? 24 : r < 700 ? 23 : r < 790 ? 22 : r < 850 ? 21 : r < 900 ? 20 : r < 920 ? 19 : r < 935 ? 18 : r < 945 ? 17 : r < 960 ? 16 : 25 + (rnd() % 8);
    const top = 1 + (rnd() % 223);
    const p = (((top << 24) | (rnd() & 0xffffff)) & (-1 << (32 - len))) >>> 0;
    const k = p * 64 + len;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([p, len, out.length]);
  }
  return out;
}

function lookups4(t, addrs) {
  let acc = 0;
  for (let i = 0; i < addrs.length; i++) acc = (acc + t.lookup(addrs[i])) | 0;
  return acc;
}

function bench4() {
  const rnd = prng(1);
  const routes = genRoutes4(ROUTES, rnd);
  const m0 = mem();
  let t0 = performance.now();
  const t = new Lpm4({ expectedRoutes: ROUTES });
  for (const [p, l, v] of routes) t.insert(p, l, v);
  const buildMs = performance.now() - t0;
  const m1 = mem();
  t0 = performance.now();
  const g = new Lpm4();
  for (const [p, l, v] of routes) g.insert(p, l, v);
  const growMs = performance.now() - t0;

  // Addresses: uniform over the whole space, and "routed" (inside a random route).
  const uni = new Uint32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) uni[i] = rnd();
  const routed = new Uint32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) {
    const [p, l] = routes[rnd() % routes.length];
    routed[i] = (p | (l === 32 ? 0 : rnd() >>> l)) >>> 0;
  }

  // Cross-check against exact-match probing from /32 down.
  const ref = new Map();
  for (const [p, l, v] of routes) ref.set(p * 64 + l, v);
  const refLookup = (a) => {
    for (let l = 32; l >= 0; l--) {
      const v = ref.get(((a & (l === 0 ? 0 : -1 << (32 - l))) >>> 0) * 64 + l);
      if (v !== undefined) return v;
    }
    return -1;
  };
  let hits = 0;
  for (const set of [uni, routed])
    for (let i = 0; i < 20_000; i++) {
      const want = refLookup(set[i]);
      if (t.lookup(set[i]) !== want || g.lookup(set[i]) !== want) throw new Error(`IPv4 mismatch at ${set[i]}`);
      if (set === uni && want >= 0) hits++;
    }

  const [ceil, a, b] = timeAll(
    LOOKUPS,
    () => ceiling4(uni),
    () => lookups4(t, uni),
    () => lookups4(t, routed),
  );
  const s = t.stats();
  console.log(`IPv4: ${routes.length} routes, root stride ${s.rootStride}, ${s.chunks} nodes`);
  console.log(`  build (expectedRoutes)     ${buildMs.toFixed(0)} ms`);
  console.log(`  build (growing 8→16)       ${growMs.toFixed(0)} ms`);
  memLine(t, m0, m1, routes.length);
  console.log(`  ceiling arr[addr>>>8], 16M  ${fmtRate(ceil.rate)}`);
  console.log(`  lookup uniform random      ${fmtRate(a.rate)}  ratio ${(a.rate / ceil.rate).toFixed(2)}  (${((100 * hits) / 20000).toFixed(0)}% match)`);
  console.log(`  lookup inside routes       ${fmtRate(b.rate)}  ratio ${(b.rate / ceil.rate).toFixed(2)}`);
  return uni;
}

// ---- IPv6 ------------------------------------------------------------------------------
/** The IPv6 routes of `triode bench --scale` (src/bench/scale-routes.ts, DFZ-like) as [prefix, length, value]. */
function genRoutes6(n) {
  const set = routes6(n, 'dfz');
  return Array.from({ length: set.count }, (_, k) => [set.prefixes.slice(16 * k, 16 * k + 16), set.lens[k], k]);
}

function lookups6(t, buf, n) {
  let acc = 0;
  for (let i = 0, o = 0; i < n; i++, o += 16) acc = (acc + t.lookup(buf, o)) | 0;
  return acc;
}

function bench6(uni4) {
  const rnd = prng(2);
  const routes = genRoutes6(ROUTES);
  const m0 = mem();
  const t0 = performance.now();
  const t = new Lpm6({ expectedRoutes: ROUTES });
  for (const [a, l, v] of routes) t.insert(a, l, v);
  const buildMs = performance.now() - t0;
  const m1 = mem();

  const routed = new Uint8Array(LOOKUPS * 16);
  for (let i = 0; i < LOOKUPS; i++) {
    const [a, l] = routes[rnd() % routes.length];
    const o = i * 16;
    routed.set(a, o);
    for (let b = l; b < 128; b++) if (rnd() & 1) routed[o + (b >> 3)] |= 0x80 >> (b & 7);
  }
  const uni = new Uint8Array(LOOKUPS * 16); // uniform over 2000::/3
  for (let i = 0; i < uni.length; i++) uni[i] = rnd() & 255;
  for (let o = 0; o < uni.length; o += 16) uni[o] = 0x20 | (uni[o] & 0x1f);

  // Cross-check against exact-match probing from /128 down.
  const ref = new Map();
  const hex = (a) => Buffer.from(a).toString('hex');
  for (const [a, l, v] of routes) ref.set(hex(a) + '/' + l, v);
  const refLookup = (buf, off) => {
    const a = buf.slice(off, off + 16);
    for (let l = 128; l >= 0; l--) {
      if (l < 128) a[l >> 3] &= ~(0x80 >> (l & 7));
      const v = ref.get(hex(a) + '/' + l);
      if (v !== undefined) return v;
    }
    return -1;
  };
  let hits = 0;
  for (const set of [uni, routed])
    for (let i = 0; i < 5_000; i++) {
      const want = refLookup(set, i * 16);
      if (t.lookup(set, i * 16) !== want) throw new Error(`IPv6 mismatch at ${hex(set.subarray(i * 16, i * 16 + 16))}`);
      if (set === uni && want >= 0) hits++;
    }

  const [c4, c6, a, b] = timeAll(
    LOOKUPS,
    () => ceiling4(uni4),
    () => ceiling6(routed, LOOKUPS),
    () => lookups6(t, routed, LOOKUPS),
    () => lookups6(t, uni, LOOKUPS),
  );
  const ceil4 = c4.rate;
  const s = t.stats();
  const lens = new Map();
  for (const [, l] of routes) lens.set(l, (lens.get(l) ?? 0) + 1);
  console.log(`IPv6: ${routes.length} routes, root stride ${s.rootStride}, ${s.chunks} nodes`);
  console.log(`  lengths ${[...lens].sort((x, y) => x[0] - y[0]).map(([l, c]) => `/${l}:${((100 * c) / routes.length).toFixed(0)}%`).join(' ')}`);
  console.log(`  build (expectedRoutes)     ${buildMs.toFixed(0)} ms`);
  memLine(t, m0, m1, routes.length);
  console.log(`  ceiling (3 bytes → 16M)    ${fmtRate(c6.rate)}`);
  console.log(`  lookup inside routes       ${fmtRate(a.rate)}  ratio ${(a.rate / ceil4).toFixed(2)} to arr[addr>>>8], ${(a.rate / c6.rate).toFixed(2)} to the v6-shaped ceiling`);
  console.log(`  lookup uniform 2000::/3    ${fmtRate(b.rate)}  ratio ${(b.rate / ceil4).toFixed(2)}  (${((100 * hits) / 5000).toFixed(0)}% match)`);
}

// ---- small tables (one per VRF) --------------------------------------------------------
function benchSmall() {
  const rnd = prng(3);
  const N = 1000;
  const m0 = mem();
  const keep = [];
  for (let i = 0; i < N; i++) {
    const t4 = new Lpm4();
    const t6 = new Lpm6();
    t4.insert(0, 0, 1);
    const a = new Uint8Array(16);
    a[0] = 0x20;
    t6.insert(new Uint8Array(16), 0, 1);
    for (let j = 0; j < 5; j++) {
      t4.insert(rnd(), 24 + (rnd() % 9), j);
      a[1] = rnd() & 255;
      a[5] = rnd() & 255;
      t6.insert(a, 48 + (rnd() % 17), j);
    }
    keep.push(t4, t6);
  }
  const m1 = mem();
  const per = (m1.used - m0.used) / N;
  console.log(`Small tables: ${N} VRFs × (Lpm4 + Lpm6, 6 routes each): ${(per / 1024).toFixed(1)} KB per VRF (process, both families); Lpm4 ${keep[0].memoryBytes()} B, Lpm6 ${keep[1].memoryBytes()} B of typed arrays`);
}

console.log(`node ${process.version}, ${ROUTES} routes, ${LOOKUPS} lookups/pass, best of ${PASSES}${globalThis.gc ? '' : ' (run with --expose-gc for memory figures)'}`);
const c = bench4();
bench6(c);
benchSmall();
