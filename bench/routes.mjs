// FIB scale: memory per route, build time and lookups/s with 1,000,000 IPv4 and IPv6 routes
// (src/bench/scale-routes.ts), for the DFZ-like and the synthetic distribution. Memory is the
// structure's own accounting (memoryBytes(): every typed array, the exact-match store included),
// cross-checked against the process's heapUsed + external (which includes arrayBuffers) around
// the build, after a full GC. Lookups are of addresses inside random routes; the ratio is to
// one Int32Array read per address in the same run.
//
//   npm run build && node bench/routes.mjs [routes]      ROUTES_FAMILIES=4 SECONDS=3
import v8 from 'node:v8';
import vm from 'node:vm';
import { routes4, routes6, buildFib, measureFib } from '../dist/bench/scale-routes.js';

v8.setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? vm.runInNewContext('gc');
const ROUTES = Number(process.argv[2] ?? 1_000_000);
const SECONDS = Number(process.env.SECONDS ?? 2);
const FAMILIES = (process.env.ROUTES_FAMILIES ?? '4,6').split(',').map(Number);

function used() {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const mb = (b) => (b / 2 ** 20).toFixed(1);
console.log(`node ${process.version}, ${ROUTES} routes per table, lookups best of alternating passes over ${SECONDS} s`);
console.log(
  'family  distribution  routes     MB (accounted / process)  B/route  build s  M lookups/s  ratio to array read  lookup ns',
);
for (const family of FAMILIES) {
  for (const dist of ['dfz', 'synthetic']) {
    const set = family === 4 ? routes4(ROUTES, dist) : routes6(ROUTES, dist);
    const before = used();
    const t0 = performance.now();
    let fib = buildFib(set);
    const build = (performance.now() - t0) / 1000;
    const processBytes = used() - before;
    const r = measureFib(set, fib, build, SECONDS);
    const cols = [
      `IPv${family}   `,
      dist.padEnd(12),
      String(r.routes).padEnd(9),
      `${mb(r.bytes).padStart(6)} / ${mb(processBytes).padStart(6)}         `,
      r.bytesPerRoute.toFixed(1).padStart(7),
      r.buildSeconds.toFixed(2).padStart(7),
      (r.lookupsPerSecond / 1e6).toFixed(1).padStart(11),
      r.lookupRatioToArrayRead.toFixed(2).padStart(19),
      (1e9 / r.lookupsPerSecond).toFixed(1).padStart(9),
    ];
    console.log(cols.join('  '));
    fib = null;
  }
}
