// MAC table scale: bytes per entry, learns and lookups per second at N
// entries, against one typed-array read per lookup measured in the same run.
//
// The keys: N distinct (bridge domain, MAC) pairs over 4,096 bridge domains,
// MACs 02:xx:xx:xx:xx:xx from a bijection of the entry number (so no two
// collide and their bits look random), on 1,024 local IFLs and 64 remote
// VTEPs. Learning: all N into an empty table of default size (it grows as it
// goes; the growth is part of the time). Lookups: hits in a random order,
// their keys laid out one after another as frames would bring them, 256 at a
// time (lookupVector, as a vector dataplane looks them up) and one at a time.
// The ceiling reads one random word of an array as large as the table per
// lookup, its index read from an array in the same way.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LEARN_NEW, MAC_MISS, MAC_REMOTE, MacTable } from '../l2/mac-table.js';

export interface ScaleMacsOptions {
  entries: number;
  /** Time of each rate measurement (default 0.5 s). */
  seconds?: number;
  /** 'cpu' times with the process's CPU time (a shared machine), 'wall' with the clock (default). */
  clock?: 'wall' | 'cpu';
}

export interface ScaleMacsResult {
  entries: number;
  /** Bytes of the table (slots and per-domain / per-port tallies). */
  bytes: number;
  bytesPerEntry: number;
  /** Slots, and entries per slot. */
  capacity: number;
  load: number;
  /** The JS heap + external growth measured around the build, per entry (a cross-check of `bytes`). */
  measuredBytesPerEntry: number;
  /** New MACs learned per second into an empty table, growth included. */
  learnsPerSecond: number;
  /** Learns of known MACs (refreshes) per second. */
  refreshesPerSecond: number;
  /** Lookups per second, a vector of 256 at a time (lookupVector, as a dataplane node would). */
  lookupsPerSecond: number;
  /** Lookups per second one at a time (lookup). */
  singleLookupsPerSecond: number;
  /** One random typed-array read per lookup (the ceiling), per second. */
  arrayReadsPerSecond: number;
  ratioToArrayRead: number;
}

const DOMAINS = 4096;

let gcFn: (() => void) | undefined;
function heapNow(): number {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Entry i's MAC (6 bytes at out[at..]): 02 then a byte and a 32-bit bijection of i. */
function putMac(out: Uint8Array, at: number, i: number): void {
  const x = Math.imul(i, 0x9e3779b1) >>> 0;
  out[at] = 0x02;
  out[at + 1] = (i / 2 ** 32) & 0xff;
  out[at + 2] = x >>> 24;
  out[at + 3] = (x >>> 16) & 0xff;
  out[at + 4] = (x >>> 8) & 0xff;
  out[at + 5] = x & 0xff;
}

/** xorshift32: a fixed pseudo-random order. */
function shuffled(n: number, seed: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

export function measureMacs(opts: ScaleMacsOptions): ScaleMacsResult {
  const n = opts.entries;
  if (!Number.isInteger(n) || n < 1) throw new Error(`measureMacs: ${n} entries`);
  const seconds = opts.seconds ?? 0.5;
  const now = opts.clock === 'cpu'
    ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
    : () => performance.now();

  // Keys in entry order (for learning) and, laid out again, in a random lookup order.
  const macs = new Uint8Array(n * 6);
  const doms = new Uint16Array(n);
  const dests = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    putMac(macs, i * 6, i);
    doms[i] = i % DOMAINS;
    dests[i] = i % 4 === 3 ? MAC_REMOTE | (i % 64) : i % 1024;
  }
  const order = shuffled(n, 0x2545f491);
  const qMacs = new Uint8Array(n * 6);
  const qDoms = new Uint16Array(n);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    qMacs.set(macs.subarray(i * 6, i * 6 + 6), j * 6);
    qDoms[j] = doms[i]!;
  }

  const h0 = heapNow();
  const table = new MacTable();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    if (table.learn(doms[i]!, macs, i * 6, dests[i]!, 1) !== LEARN_NEW) throw new Error(`measureMacs: entry ${i} was not learned as new`);
  }
  const learnMs = now() - t0;
  const measured = (heapNow() - h0) / n;
  if (table.size !== n) throw new Error(`measureMacs: ${table.size} entries of ${n}`);

  // Refreshes: the same frames again, a second later.
  let refreshes = 0;
  let k = 0;
  const r0 = now();
  while (now() - r0 < seconds * 1000) {
    for (let c = 0; c < 4096; c++) {
      table.learn(doms[k]!, macs, k * 6, dests[k]!, 2);
      if (++k === n) k = 0;
    }
    refreshes += 4096;
  }
  const refreshMs = now() - r0;

  // Lookups against the ceiling, alternated; the best of three each.
  const words = table.bytes() >>> 2;
  const arr = new Uint32Array(words);
  for (let i = 0; i < words; i++) arr[i] = i;
  const idx = new Uint32Array(n);
  let s = 0x9e3779b9;
  for (let j = 0; j < n; j++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    idx[j] = (s >>> 0) % words;
  }
  const V = 256;
  const offs = new Uint32Array(n);
  for (let j = 0; j < n; j++) offs[j] = j * 6;
  const vectors = Math.floor(n / V);
  const vDoms = Array.from({ length: vectors }, (_, v) => qDoms.subarray(v * V, v * V + V));
  const vOffs = Array.from({ length: vectors }, (_, v) => offs.subarray(v * V, v * V + V));
  const out = new Int32Array(V);
  let bestLookups = 0;
  let bestSingle = 0;
  let bestReads = 0;
  let sink = 0;
  for (let pass = 0; pass < 3; pass++) {
    let done = 0;
    let v = 0;
    const v0 = now();
    if (vectors > 0) {
      while (now() - v0 < seconds * 1000) {
        for (let c = 0; c < 16; c++) {
          table.lookupVector(V, vDoms[v]!, qMacs, vOffs[v]!, out);
          for (let k = 0; k < V; k++) {
            if (out[k] === MAC_MISS) throw new Error(`measureMacs: lookup ${v * V + k} missed`);
            sink += out[k]!;
          }
          if (++v === vectors) v = 0;
        }
        done += 16 * V;
      }
      bestLookups = Math.max(bestLookups, done / ((now() - v0) / 1000));
    }
    done = 0;
    let j = 0;
    const l0 = now();
    while (now() - l0 < seconds * 1000) {
      for (let c = 0; c < 4096; c++) {
        const d = table.lookup(qDoms[j]!, qMacs, j * 6);
        if (d === MAC_MISS) throw new Error(`measureMacs: lookup ${j} missed`);
        sink += d;
        if (++j === n) j = 0;
      }
      done += 4096;
    }
    bestSingle = Math.max(bestSingle, done / ((now() - l0) / 1000));
    done = 0;
    j = 0;
    const a0 = now();
    while (now() - a0 < seconds * 1000) {
      for (let c = 0; c < 4096; c++) {
        sink += arr[idx[j]!]!;
        if (++j === n) j = 0;
      }
      done += 4096;
    }
    bestReads = Math.max(bestReads, done / ((now() - a0) / 1000));
  }
  if (vectors === 0) bestLookups = bestSingle; // fewer entries than a vector
  if (sink === -1) throw new Error('unreachable'); // keeps the reads
  const bytes = table.bytes();
  return {
    entries: n,
    bytes,
    bytesPerEntry: bytes / n,
    capacity: table.capacity,
    load: n / table.capacity,
    measuredBytesPerEntry: measured,
    learnsPerSecond: n / (learnMs / 1000),
    refreshesPerSecond: refreshes / (refreshMs / 1000),
    lookupsPerSecond: bestLookups,
    singleLookupsPerSecond: bestSingle,
    arrayReadsPerSecond: bestReads,
    ratioToArrayRead: bestLookups / bestReads,
  };
}
