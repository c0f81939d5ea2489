// BGP reconvergence: best-path recomputation and FIB update for N IPv4 prefixes with two paths
// each after a session down (issue 9: 1,000,000 prefixes, target under 2 s on one core).
//
// The RIB (src/bgp/rib.ts) holds every prefix from two iBGP peers, as on the seed's Luna: Juno's
// paths (local preference 150) are best, Orcus's the alternative; each peer's feed uses ATTRS
// distinct attribute sets (AS paths). Prefixes are a DFZ-like IPv4 table (src/bench/scale-routes.ts).
// The FIB is a RouteTable's lpm4, programmed through TableRib (what a device's BGP uses) with one adjacency per BGP next hop.
//
// Per repetition: `down` = withdrawPeer(Juno): every prefix reselected, every FIB entry rewritten
// to Orcus's adjacency; `up` = restorePeer(Juno): back. Also, in the same run:
//   recompute only  = the same down/up with no sink (selection alone),
//   ceiling         = rewriting the N FIB entries alone, as one LPM batch (beginBatch, lpm4.insert
//                     of each prefix in the order the RIB hands them over, endBatch): the FIB's
//                     share with no RIB and no sink; ratio = ceiling s / down s (1 = the RIB and
//                     the sink cost nothing on top of the FIB).
//   unbatched       = the same rewrite as single inserts (each re-encodes its trie node), once:
//                     what the FIB update cost before batches (issue 9: 1.6-2.6 s).
// `--json` prints the figures as one JSON object instead of text.
// Memory: heapUsed + external after a full GC, around building the RIB (without the FIB).
//
//   npm run build && node bench/bgp-recompute.mjs [prefixes] [--json]     REPS=5 ATTRS=1000
import v8 from 'node:v8';
import vm from 'node:vm';
import { routes4 } from '../dist/bench/scale-routes.js';
import { TableRib } from '../dist/bgp/table-rib.js';
import { RouteTable } from '../dist/l3/table.js';
import { AdjacencyTable, ADJ_REWRITE } from '../dist/l3/adjacency.js';

v8.setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? vm.runInNewContext('gc');
const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const N = Number(args.find((a) => !a.startsWith('--')) ?? 1_000_000);
const REPS = Number(process.env.REPS ?? 5);
const ATTRS = Number(process.env.ATTRS ?? 1000);

function used() {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const JUNO = '192.168.0.1';
const ORCUS = '192.168.0.2';
const ctx = { igpCost: (nh) => (nh === JUNO ? 10 : nh === ORCUS ? 20 : undefined) };

function feed(peer, rid, localPref, med, i) {
  return {
    prefix: '0.0.0.0/0',
    table: 'inet.0',
    nextHop: peer,
    peer,
    peerAs: 65000,
    internal: true,
    peerRouterId: rid,
    localPref,
    asPath: [{ type: 'sequence', asns: [65100 + (i % 50), 64512 + i] }],
    origin: 'igp',
    med,
    communities: ['65000:100'],
    clusterList: [],
  };
}

const set = routes4(N, 'dfz');
// FIB: one rewrite adjacency per BGP next hop; the RIB is a TableRib's, as in a device (no sink while it is built).
const adjs = new AdjacencyTable();
adjs.add(0, 4); // index 0: drop, as in a device
const adjOf = { [JUNO]: adjs.add(ADJ_REWRITE, 4).index, [ORCUS]: adjs.add(ADJ_REWRITE, 4).index };
const table = new RouteTable(0, 'inet.0', 4, N);
const sink = new TableRib(table, 'master', ctx, (p) => ({ adj: adjOf[p.nextHop], via: `to ${p.nextHop}` }));
const rib = sink.rib;
rib.sink = null;
const before = used();
const junoAttrs = [];
const orcusAttrs = [];
for (let i = 0; i < ATTRS; i++) {
  junoAttrs.push(rib.intern(feed(JUNO, '10.255.0.1', 150, 10, i)));
  orcusAttrs.push(rib.intern(feed(ORCUS, '10.255.0.2', 100, 150, i)));
}
let t = performance.now();
for (let i = 0; i < N; i++) {
  const h = rib.prefix4Handle(set.prefixes[i], set.lens[i]);
  rib.addPath(h, orcusAttrs[i % ATTRS]);
  rib.addPath(h, junoAttrs[i % ATTRS]);
}
const buildRib = (performance.now() - t) / 1000;
const ribBytes = used() - before;

t = performance.now();
sink.beginBatch();
for (let h = 0; h < rib.prefixes; h++) sink.bestChanged(rib, h, rib.bestHandle(h));
sink.endBatch();
const buildFib = (performance.now() - t) / 1000;

function check(peerAdj) {
  // Spot check: a prefix's FIB entry is the chosen path's adjacency.
  for (let h = 0; h < rib.prefixes; h += 9973) {
    const a = table.lpm4.lookup(rib.prefixNet4(h) | 0);
    if (a !== peerAdj && rib.prefixLen(h) >= 8) {
      // A more specific prefix inside may own that address: check the exact prefix's best instead.
      if (rib.nextHopText(rib.nextHopIndex(rib.bestHandle(h))) !== (peerAdj === adjOf[JUNO] ? JUNO : ORCUS)) throw new Error(`FIB wrong at ${rib.prefixText(h)}`);
    }
  }
}

const rows = { down: [], up: [], recompute: [], ceiling: [], unbatched: [] };
let changed = 0;
for (let r = 0; r < REPS; r++) {
  rib.sink = sink;
  t = performance.now();
  const order = rib.withdrawPeer(JUNO);
  changed = order.length;
  rows.down.push((performance.now() - t) / 1000);
  if (changed !== rib.prefixes) throw new Error(`down changed ${changed} of ${rib.prefixes}`);
  check(adjOf[ORCUS]);
  t = performance.now();
  const back = rib.restorePeer(JUNO).length;
  rows.up.push((performance.now() - t) / 1000);
  if (back !== rib.prefixes) throw new Error(`up changed ${back}`);
  check(adjOf[JUNO]);

  rib.sink = null;
  t = performance.now();
  rib.withdrawPeer(JUNO);
  rows.recompute.push((performance.now() - t) / 1000);
  rib.restorePeer(JUNO);

  // Ceiling: the FIB rewrite alone, same prefixes in the order the RIB hands them to the sink.
  const lpm = table.lpm4;
  t = performance.now();
  lpm.beginBatch();
  for (let i = 0; i < order.length; i++) lpm.insert(rib.prefixNet4(order[i]), rib.prefixLen(order[i]), adjOf[ORCUS]);
  lpm.endBatch();
  rows.ceiling.push((performance.now() - t) / 1000);
  check(adjOf[ORCUS]);
  if (r === 0) {
    t = performance.now();
    for (let i = 0; i < order.length; i++) lpm.insert(rib.prefixNet4(order[i]), rib.prefixLen(order[i]), adjOf[JUNO]);
    rows.unbatched.push((performance.now() - t) / 1000);
  } else {
    lpm.beginBatch();
    for (let i = 0; i < order.length; i++) lpm.insert(rib.prefixNet4(order[i]), rib.prefixLen(order[i]), adjOf[JUNO]);
    lpm.endBatch();
  }
  check(adjOf[JUNO]);
}

const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)} s (median ${med(xs).toFixed(3)})`;
const rate = (xs) => `${((rib.prefixes / med(xs)) / 1e6).toFixed(2)} M routes/s`;
if (JSON_OUT) {
  const fig = (xs) => ({ min: Math.min(...xs), max: Math.max(...xs), median: med(xs), routesPerSecond: rib.prefixes / med(xs) });
  const out = { node: process.version, prefixes: rib.prefixes, paths: rib.pathCount, attributeSets: rib.attributeSets, reps: REPS, buildRibSeconds: buildRib, buildFibSeconds: buildFib, ribBytes, loadavg: (await import('node:os')).loadavg() };
  for (const [k, xs] of Object.entries(rows)) out[k] = fig(xs);
  out.ratioCeilingToDown = med(rows.ceiling) / med(rows.down);
  out.targetMet = med(rows.down) < 2;
  console.log(JSON.stringify(out));
} else {
  console.log(`node ${process.version}, ${rib.prefixes} IPv4 prefixes x 2 paths (${rib.pathCount} paths, ${rib.attributeSets} attribute sets), ${REPS} repetitions`);
  console.log(`build: RIB ${buildRib.toFixed(2)} s, FIB ${buildFib.toFixed(2)} s; RIB memory ${(ribBytes / 2 ** 20).toFixed(1)} MB = ${(ribBytes / rib.pathCount).toFixed(1)} B/path (typed arrays ${(rib.typedBytes() / 2 ** 20).toFixed(1)} MB)`);
  console.log(`session down (recompute + FIB):  ${range(rows.down)}  ${rate(rows.down)}`);
  console.log(`session up   (recompute + FIB):  ${range(rows.up)}  ${rate(rows.up)}`);
  console.log(`recompute only (no FIB):         ${range(rows.recompute)}  ${rate(rows.recompute)}`);
  console.log(`ceiling: FIB batch rewrite alone: ${range(rows.ceiling)}  ${rate(rows.ceiling)}`);
  console.log(`FIB rewrite, single inserts (1x): ${range(rows.unbatched)}  ${rate(rows.unbatched)}`);
  console.log(`ratio ceiling/down (median): ${(med(rows.ceiling) / med(rows.down)).toFixed(2)}; target down < 2 s: ${med(rows.down) < 2 ? 'met' : 'NOT met'}`);
}
