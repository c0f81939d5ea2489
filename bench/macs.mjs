// The bridge MAC table (src/l2/mac-table.ts) at 1,000,000 entries: bytes per
// entry, learns, refreshes and lookups per second (256 at a time, as a vector
// dataplane looks them up, and one by one), against one random typed-array
// read per lookup measured in the same run (src/bench/scale-macs.ts).
//
// Run: npm run build && node bench/macs.mjs      ENTRIES=1000000,100000 SECONDS=0.5 CLOCK=cpu PASSES=3
// (passes alternate; each figure is the best of its passes).
import { measureMacs } from '../dist/bench/scale-macs.js';

const entries = (process.env.ENTRIES ?? '1000000').split(',').map(Number);
const seconds = Number(process.env.SECONDS ?? 0.5);
const clock = process.env.CLOCK === 'cpu' ? 'cpu' : 'wall';
const passes = Number(process.env.PASSES ?? 3);
console.log(`MAC table, 4,096 bridge domains, 1,024 IFLs and 64 VTEPs; best of ${passes} passes of ${seconds} s${clock === 'cpu' ? ' of CPU time' : ''}`);
console.log('   entries  B/entry (measured)  load   learns M/s  refreshes M/s  lookups M/s (one by one)  array reads M/s  lookup/read');
for (const n of entries) {
  const runs = Array.from({ length: passes }, () => measureMacs({ entries: n, seconds, clock }));
  const best = (k) => Math.max(...runs.map((r) => r[k]));
  const r = runs[0];
  const f = (x, d = 2) => x.toFixed(d);
  console.log(`${String(n).padStart(10)}  ${f(r.bytesPerEntry, 1).padStart(7)} (${f(r.measuredBytesPerEntry, 1)})  ${f(r.load)} ${f(best('learnsPerSecond') / 1e6).padStart(12)} ${f(best('refreshesPerSecond') / 1e6).padStart(14)} ${f(best('lookupsPerSecond') / 1e6).padStart(12)} (${f(best('singleLookupsPerSecond') / 1e6)}) ${f(best('arrayReadsPerSecond') / 1e6).padStart(16)} ${runs.map((x) => f(x.ratioToArrayRead)).join('/').padStart(12)}`);
}
