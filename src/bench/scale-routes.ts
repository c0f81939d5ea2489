// FIB scale: memory per route, build time and lookup rate of Lpm4 / Lpm6 with N routes, the
// lookup rate as a ratio to one typed-array read per address measured in the same run (absolute
// rates drift on shared machines, the ratio much less). Used by bench/routes.mjs and
// `triode bench --scale`.

import { Lpm4 } from '../l3/lpm4.js';
import { Lpm6 } from '../l3/lpm6.js';

export type RouteDistribution = 'dfz' | 'synthetic';

export interface MeasureRoutesOptions {
  routes: number;
  family: 4 | 6;
  /** 'dfz' (default): prefix lengths as in the real table; 'synthetic': bench/forward.mjs's mix. */
  distribution?: RouteDistribution;
  /** Time budget of the lookup measurement (default 2 s). */
  seconds?: number;
}

export interface RouteScale {
  family: 4 | 6;
  routes: number;
  /** Every byte of the FIB's typed arrays (Lpm4/Lpm6.memoryBytes()): trie and exact-match store. */
  bytes: number;
  bytesPerRoute: number;
  buildSeconds: number;
  /** Lookups of addresses inside random routes (every lookup ends at a route). */
  lookupsPerSecond: number;
  /** lookupsPerSecond / the rate of one Int32Array read per address (16 Mi entries, 24 address bits). */
  lookupRatioToArrayRead: number;
}

/** Routes as flat arrays: prefixes (uint32, or 16 bytes each for IPv6), lengths, values. */
export interface RouteSet {
  family: 4 | 6;
  prefixes: Uint32Array | Uint8Array;
  lens: Uint8Array;
  count: number;
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

// IPv4 prefix lengths of the default-free zone, per million routes: rounded from the
// prefix-length distribution of the BGP table as published by the CIDR Report / bgp.potaroo.net
// (AS65000/AS131072 views, 2024, when the table passed 1M entries): ~60% /24, ~12% /22, ~10% /23,
// 5% /21, 4% /20, 2.6% /19, 1.4% /16, the rest /8–/18. Longer than /24 is filtered out of the
// DFZ; the 0.1% here stands for a router's own links, loopbacks and hosts (/25–/32).
const DFZ4_PER_MILLION: [len: number, count: number][] = [
  [8, 20], [9, 15], [10, 40], [11, 100], [12, 300], [13, 600], [14, 1200], [15, 2100],
  [16, 13500], [17, 8500], [18, 14500], [19, 26000], [20, 43000], [21, 52000], [22, 120000], [23, 100000],
  [24, 617125], [25, 150], [26, 150], [27, 100], [28, 100], [29, 100], [30, 150], [31, 50], [32, 200],
];

/** Cumulative thresholds over 2^32 for picking a length with one random word. */
function lengthPicker(table: [number, number][]): (r: number) => number {
  const total = table.reduce((s, [, c]) => s + c, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const [, c] of table) cum.push(((acc += c) / total) * 2 ** 32);
  return (r) => {
    let i = 0;
    while (i < cum.length - 1 && r >= cum[i]!) i++;
    return table[i]![0];
  };
}

/**
 * n unique IPv4 routes in random insertion order. 'dfz': lengths from DFZ4_PER_MILLION, placed
 * uniformly over the unicast space (1–223.x except 10/8 and 127/8); uniform placement puts a
 * node in nearly every /16, which is harsher than the real table, whose more-specifics cluster.
 * 'synthetic': bench/forward.mjs's mix (60% /24, 25% /16–/23, 15% /25–/32 over 11.0.0.0–
 * 223.255.255.255), with eight times the DFZ's share of nodes below /24.
 */
export function routes4(n: number, distribution: RouteDistribution = 'dfz', seed = 1): RouteSet {
  const rnd = prng(seed);
  const pick = lengthPicker(DFZ4_PER_MILLION);
  const one = (): number => {
    let len: number;
    let a: number;
    if (distribution === 'dfz') {
      len = pick(rnd());
      let top: number;
      do top = 1 + (rnd() % 223);
      while (top === 10 || top === 127);
      a = ((top << 24) | (rnd() & 0xffffff)) >>> 0;
    } else {
      const u = rnd() / 2 ** 32;
      len = u < 0.6 ? 24 : u < 0.85 ? 16 + (rnd() % 8) : 25 + (rnd() % 8);
      a = 0x0b000000 + Math.floor((rnd() / 2 ** 32) * (0xdf000000 - 0x0b000000));
    }
    const p = (a & (len === 0 ? 0 : -1 << (32 - len))) >>> 0;
    return p * 64 + len;
  };
  const keys = uniqueKeys(n, one, rnd);
  const prefixes = new Uint32Array(n);
  const lens = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lens[i] = keys[i]! % 64;
    prefixes[i] = (keys[i]! - lens[i]!) / 64;
  }
  return { family: 4, prefixes, lens, count: n };
}

/**
 * n distinct keys from gen(), in random order: deduplicated by sorting rather than in a Set
 * (1M routes stay a few MB), then shuffled before any surplus is cut, so the cut is unbiased.
 */
function uniqueKeys(n: number, gen: () => number, rnd: () => number): Float64Array {
  let keys = new Float64Array(0);
  while (keys.length < n) {
    const more = new Float64Array(keys.length + Math.ceil((n - keys.length) * 1.05) + 16);
    more.set(keys);
    for (let i = keys.length; i < more.length; i++) more[i] = gen();
    more.sort();
    let m = 0;
    for (let i = 0; i < more.length; i++) if (i === 0 || more[i] !== more[i - 1]) more[m++] = more[i]!;
    keys = more.slice(0, m);
  }
  shuffle(keys, rnd);
  return keys.subarray(0, n);
}

function shuffle(a: Float64Array | Uint32Array, rnd: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * n unique IPv6 routes. 'dfz' (bench/lpm.mjs's model): organisations hold a /32 or /29 out of
 * RIR /12s and hand out sites roughly in sequence; lengths as in the IPv6 BGP table (mostly /48
 * and /32–/44) plus a FIB's longer routes; once repeats are dropped: /29 3%, /32 5%, /36–/44
 * 17%, /48 61%, /56 5%, /64 9%, /128 1%.
 * 'synthetic': bench/forward.mjs's mix (2001–2004::/16 with 32 random bits, 70% /48, the rest
 * /32–/63).
 */
export function routes6(n: number, distribution: RouteDistribution = 'dfz', seed = 2): RouteSet {
  const rnd = prng(seed);
  const prefixes = new Uint8Array(16 * n);
  const lens = new Uint8Array(n);
  const seen = new Set<string>();
  const a = new Uint8Array(16);
  const rir = [0x2400, 0x2600, 0x2800, 0x2a00, 0x2c00];
  const orgs: { hi: number; lo: number; n48: number }[] = [];
  if (distribution === 'dfz') {
    for (let i = 0, nOrgs = Math.max(16, Math.floor(n / 16)); i < nOrgs; i++) {
      orgs.push({ hi: rir[rnd() % rir.length]! | (rnd() & 0xf), lo: rnd() & 0xfff8, n48: 1 + (rnd() % 8) });
    }
  }
  let count = 0;
  let i = 0;
  while (count < n) {
    a.fill(0);
    let len: number;
    if (distribution === 'dfz') {
      const org = orgs[rnd() % orgs.length]!;
      a[0] = org.hi >> 8;
      a[1] = org.hi & 255;
      a[2] = org.lo >> 8;
      a[3] = org.lo & 255;
      const r = rnd() % 100;
      if (r < 12) len = 32;
      else if (r < 15) len = 29;
      else {
        const site = org.n48++ + (rnd() % 4 === 0 ? rnd() % 64 : 0);
        a[4] = (site >> 8) & 255;
        a[5] = site & 255;
        if (r < 37) len = [36, 40, 44][rnd() % 3]!;
        else if (r < 88) len = 48;
        else {
          a[6] = rnd() & 255;
          a[7] = rnd() & 255;
          if (r < 92) len = 56;
          else if (r < 99) len = 64;
          else {
            for (let j = 8; j < 16; j++) a[j] = rnd() & 255;
            len = 128;
          }
        }
      }
    } else {
      a[0] = 0x20;
      a[1] = 0x01 + (i++ & 3);
      const v = rnd();
      a[2] = v >>> 24;
      a[3] = v >>> 16;
      a[4] = v >>> 8;
      a[5] = v;
      len = rnd() / 2 ** 32 < 0.7 ? 48 : 32 + (rnd() % 32);
    }
    for (let b = len; b < 128; b++) a[b >> 3] = a[b >> 3]! & ~(0x80 >> (b & 7));
    const k = Buffer.from(a).toString('latin1') + len;
    if (seen.has(k)) continue;
    seen.add(k);
    prefixes.set(a, 16 * count);
    lens[count++] = len;
  }
  return { family: 6, prefixes, lens, count: n };
}

/** The FIB of a route set, route i → value i (distinct values: no two runs merge by accident). */
export function buildFib(set: RouteSet): Lpm4 | Lpm6 {
  if (set.family === 4) {
    const t = new Lpm4({ expectedRoutes: set.count });
    const p = set.prefixes as Uint32Array;
    for (let i = 0; i < set.count; i++) t.insert(p[i]!, set.lens[i]!, i);
    return t;
  }
  const t = new Lpm6({ expectedRoutes: set.count });
  const p = set.prefixes as Uint8Array;
  for (let i = 0; i < set.count; i++) t.insert(p.subarray(16 * i, 16 * i + 16), set.lens[i]!, i);
  return t;
}

/** Random addresses inside random routes of the set: uint32 for IPv4, 16 bytes each for IPv6. */
function addresses(set: RouteSet, n: number, rnd: () => number): Uint32Array | Uint8Array {
  if (set.family === 4) {
    const p = set.prefixes as Uint32Array;
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const j = rnd() % set.count;
      const l = set.lens[j]!;
      out[i] = (p[j]! | (l === 32 ? 0 : rnd() >>> l)) >>> 0;
    }
    return out;
  }
  const p = set.prefixes as Uint8Array;
  const out = new Uint8Array(16 * n);
  for (let i = 0; i < n; i++) {
    const j = rnd() % set.count;
    const l = set.lens[j]!;
    const o = 16 * i;
    out.set(p.subarray(16 * j, 16 * j + 16), o);
    for (let b = l >> 3; b < 16; b++) out[o + b] = out[o + b]! | (rnd() & (b === l >> 3 ? 0xff >> (l & 7) : 0xff));
  }
  return out;
}

// Timed loops, one per shape so that each call site stays monomorphic.
function lookups4(t: Lpm4, addrs: Uint32Array): number {
  let acc = 0;
  for (let i = 0; i < addrs.length; i++) acc = (acc + t.lookup(addrs[i]!)) | 0;
  return acc;
}

function lookups6(t: Lpm6, buf: Uint8Array): number {
  let acc = 0;
  for (let o = 0; o < buf.length; o += 16) acc = (acc + t.lookup(buf, o)) | 0;
  return acc;
}

function ceiling4(arr: Int32Array, addrs: Uint32Array): number {
  let acc = 0;
  for (let i = 0; i < addrs.length; i++) acc = (acc + arr[addrs[i]! >>> 8]!) | 0;
  return acc;
}

function ceiling6(arr: Int32Array, buf: Uint8Array): number {
  let acc = 0;
  for (let o = 0; o < buf.length; o += 16) acc = (acc + arr[(buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!]!) | 0;
  return acc;
}

let sink = 0;

/**
 * Builds a FIB of `routes` routes and measures it: memory from the structure's own accounting,
 * build time, and lookups/s of addresses inside random routes next to one Int32Array read per
 * address over a 16 Mi-entry array (the DIR-24 shape), passes alternating, best of each (CPU time).
 */
export function measureRoutes(opts: MeasureRoutesOptions): RouteScale {
  const { routes, family } = opts;
  if (!Number.isInteger(routes) || routes < 1) throw new RangeError(`routes must be a positive integer, got ${routes}`);
  const set = family === 4 ? routes4(routes, opts.distribution) : routes6(routes, opts.distribution);
  const t0 = performance.now();
  const fib = buildFib(set);
  return measureFib(set, fib, (performance.now() - t0) / 1000, opts.seconds ?? 2);
}

/** measureRoutes() on a FIB already built from `set` (bench/routes.mjs measures the process memory around the build). */
export function measureFib(set: RouteSet, fib: Lpm4 | Lpm6, buildSeconds: number, seconds: number): RouteScale {
  const family = set.family;
  const bytes = fib.memoryBytes();
  const n = 1 << 20;
  const addrs = addresses(set, n, prng(3));
  const arr = new Int32Array(1 << 24);
  const rnd = prng(4);
  for (let i = 0; i < arr.length; i++) arr[i] = rnd() & 0x7fffffff; // touch every page
  // Process CPU time, not wall time: on a shared machine a pass that loses the CPU would
  // otherwise count the other tenants' time; the best pass of each is kept.
  const run = (ceiling: boolean): number => {
    const s = process.cpuUsage();
    if (family === 4) sink ^= ceiling ? ceiling4(arr, addrs as Uint32Array) : lookups4(fib as Lpm4, addrs as Uint32Array);
    else sink ^= ceiling ? ceiling6(arr, addrs as Uint8Array) : lookups6(fib as Lpm6, addrs as Uint8Array);
    const d = process.cpuUsage(s);
    return (d.user + d.system) / 1e6;
  };
  let bestCeiling = Infinity;
  let bestLookup = Infinity;
  const deadline = performance.now() + seconds * 1000;
  for (let pass = 0; pass < 5 || performance.now() < deadline; pass++) {
    bestCeiling = Math.min(bestCeiling, run(true));
    bestLookup = Math.min(bestLookup, run(false));
  }
  const lookupsPerSecond = n / bestLookup;
  return {
    family,
    routes: set.count,
    bytes,
    bytesPerRoute: bytes / set.count,
    buildSeconds,
    lookupsPerSecond,
    lookupRatioToArrayRead: lookupsPerSecond / (n / bestCeiling),
  };
}
