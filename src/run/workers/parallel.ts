// `triode run --workers N`: N pipeline replicas in worker threads, fed by
// receive-side scaling. The reader (this thread) loads each capture into
// shared memory once, merges the inputs by timestamp as a one-replica run
// does, and puts a 28-byte descriptor per frame in the ring of the replica
// RSS picks; replicas read the frame bytes in place. At the end the replicas'
// port pcaps are merged by timestamp (stable, so a flow keeps its order) and
// their counters folded into one set of devices for stats and `show`.

import { closeSync, mkdirSync, openSync, readSync, rmSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CaptureReader } from '../../pcap/reader.js';
import { MergedCaptures } from '../../pcap/merge.js';
import { PcapWriter } from '../../pcap/writer.js';
import { Run, VectorCut, type RunInput, type RunOptions, type RunResult } from '../runner.js';
import { findPort, portFileName } from '../ports.js';
import { Ring } from './ring.js';
import { CTRL_INPUT_DONE, CTRL_WORDS, ctrlBell } from './handoff.js';
import { rssReplica } from './rss.js';
import { absorbDevice } from './snapshot.js';
import { EPOCH_MARK, IN_DESC_BYTES, type ReplicaInit, type ReplicaResult } from './replica.js';


/** Reader → replica ring: 1 Mi descriptors' worth. Replica → replica: room for several vectors of jumbo frames. */
const IN_RING_BYTES = 32 << 20;
const HANDOFF_RING_BYTES = 64 << 20;

/** The replica's script: beside this module once built; from dist/ when this module runs as TypeScript (tests). */
const REPLICA_SCRIPT = import.meta.url.endsWith('.ts')
  ? new URL('../../../dist/run/workers/replica.js', import.meta.url)
  : new URL('./replica.js', import.meta.url);

export interface ParallelOptions extends Omit<RunOptions, 'trace'> {
  workers: number;
  /** `--profile` specs the replicas apply to the scenario they load. */
  profiles?: string[];
}

/** Runs the scenario of `configPath` over the inputs with `workers` replicas; the result has one set of devices, as a one-replica run's. */
export async function runParallel(configPath: string, base: Run, inputs: RunInput[], opts: ParallelOptions): Promise<RunResult> {
  const n = opts.workers;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers takes 1 to 64, not ${n}`);
  // A bridge domain's MAC learning and flooding would be split over the replicas: not done yet.
  const bridging = base.devices.find((d) => d.bridge !== null);
  if (bridging && n > 1) throw new Error(`--workers ${n}: ${bridging.name} has bridge domains, which run on one replica only for now (use --workers 1)`);
  // Timeline events change ports' state at input times, which the replicas would each have to see at the same frame.
  if (base.scenario.timeline?.length && n > 1) throw new Error(`--workers ${n}: the scenario has a timeline, which runs on one replica only for now (use --workers 1)`);
  // State a replica cannot keep alone: a VRRP group's mastership and adverts, one sFlow sample sequence per port, an edge port's learned MACs.
  const stateful = n > 1 ? base.devices.map((d) => [d.name, d.vrrp ? 'VRRP' : d.sflow ? 'sFlow' : d.model.edge?.length ? 'Internet-exchange edge ports' : ''] as const).find(([, what]) => what) : undefined;
  if (stateful) throw new Error(`--workers ${n}: ${stateful[0]} has ${stateful[1]}, which run on one replica only for now (use --workers 1)`);
  const ports = inputs.map((i) => findPort(base.devices, i.port));
  const readers: CaptureReader[] = [];
  try {
    for (const i of inputs) readers.push(CaptureReader.open(i.file));
    const files = inputs.map((i) => loadShared(i.file));
    const nanosecond = readers.some((r) => r.nanosecond);
    const ctrl = new SharedArrayBuffer(4 * (CTRL_WORDS + n));
    const inRings = Array.from({ length: n }, () => new Ring(IN_RING_BYTES));
    const rings = Array.from({ length: n }, (_, from) => Array.from({ length: n }, (_, to) => (from === to ? null : new Ring(HANDOFF_RING_BYTES).sab)));
    const tmp = opts.outDir !== undefined ? join(opts.outDir, `.replicas-${process.pid}`) : undefined;
    const workers = Array.from({ length: n }, (_, index) => {
      const init: ReplicaInit = {
        index, replicas: n, config: configPath, profiles: opts.profiles, saRecords: opts.saRecords ? [...opts.saRecords] : undefined,
        ports: ports.map((p) => p.name), inputs: files, inRing: inRings[index].sab, rings, ctrl,
        outDir: tmp !== undefined ? join(tmp, String(index)) : undefined, nanosecond,
      };
      return new Worker(REPLICA_SCRIPT, { workerData: { replica: init } });
    });
    const done = workers.map((w, k) => new Promise<ReplicaResult>((resolve, reject) => {
      w.once('message', (m: { ok?: ReplicaResult; error?: { message: string } }) => (m.ok ? resolve(m.ok) : reject(new Error(`replica ${k}: ${m.error?.message}`))));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`replica ${k} exited (${code}) before it finished`)));
    }));
    // Stopped replicas reject too; only the first failure is reported.
    for (const d of done) d.catch(() => {});
    // Whatever happens to the reader, the replicas are told the input ended (or stopped).
    const ctrlWords = new Int32Array(ctrl);
    try {
      distribute(readers, files, inRings, ctrlWords, opts.progress);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
      throw e;
    } finally {
      Atomics.store(ctrlWords, CTRL_INPUT_DONE, 1);
      for (let r = 0; r < n; r++) Atomics.notify(ctrlWords, ctrlBell(r));
    }
    let results: ReplicaResult[];
    try {
      results = await Promise.all(done);
    } finally {
      // A replica that failed leaves the others waiting at a barrier: stop them all.
      await Promise.all(workers.map((w) => w.terminate()));
    }
    return merge(base, results, tmp, opts.outDir, nanosecond);
  } finally {
    for (const r of readers) r.close();
  }
}

/** A capture file's bytes in shared memory, read once. */
function loadShared(file: string): SharedArrayBuffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const sab = new SharedArrayBuffer(size);
    const view = new Uint8Array(sab);
    for (let o = 0; o < size;) {
      const got = readSync(fd, view, o, Math.min(size - o, 1 << 30), o);
      if (got === 0) break;
      o += got;
    }
    return sab;
  } finally {
    closeSync(fd);
  }
}

/**
 * The reader: inputs merged by timestamp, one descriptor per frame into the
 * ring of its replica, and an epoch mark into every ring where a one-replica
 * run would start a vector (VECTOR_SIZE frames, or VECTOR_SPAN_NS of input time).
 */
function distribute(readers: CaptureReader[], files: SharedArrayBuffer[], rings: Ring[], ctrl: Int32Array, progress: RunOptions['progress']): void {
  const bytes = files.map((f) => new Uint8Array(f));
  const inputs = new MergedCaptures(readers);
  const vectors = new VectorCut();
  const total = readers.reduce((s, r) => s + r.size, 0);
  const unrung = new Int32Array(rings.length);
  let taken = 0;
  for (let k = inputs.earliest(); k >= 0; k = inputs.earliest()) {
    const rec = inputs.record(k);
    if (vectors.starts(rec.tsSec, rec.tsNsec)) {
      for (let r = 0; r < rings.length; r++) push(rings[r], ctrl, r, EPOCH_MARK, 0, 0, 0, 0, rec.tsSec, rec.tsNsec);
    }
    const off = readers[k].bufferBase + rec.offset;
    const to = rssReplica(bytes[k], off, rec.caplen, rings.length);
    push(rings[to], ctrl, to, k, off >>> 0, Math.floor(off / 2 ** 32), rec.caplen, rec.origLen, rec.tsSec, rec.tsNsec);
    if (++unrung[to] === 64) {
      unrung[to] = 0;
      ringBell(ctrl, to);
    }
    inputs.advance(k);
    if (progress && (++taken & 0xffff) === 0) progress(readers.reduce((s, r) => s + r.position, 0), total, taken);
  }
  progress?.(total, total, taken);
}

/** One descriptor into a replica's ring, waiting while the ring is full. */
function push(ring: Ring, ctrl: Int32Array, to: number, ...words: number[]): void {
  let at = ring.reserve(IN_DESC_BYTES);
  while (at < 0) {
    ringBell(ctrl, to);
    Atomics.wait(nap, 0, 0, 1); // a millisecond for the replica to catch up
    at = ring.reserve(IN_DESC_BYTES);
  }
  for (let i = 0; i < 7; i++) ring.dv.setUint32(at + 4 * i, words[i], true);
  ring.commit();
}

/** Nothing ever notifies it: waiting on it sleeps. */
const nap = new Int32Array(new SharedArrayBuffer(4));

function ringBell(ctrl: Int32Array, to: number): void {
  Atomics.add(ctrl, ctrlBell(to), 1);
  Atomics.notify(ctrl, ctrlBell(to));
}

/** Folds the replicas into `base`'s devices, and merges each port's pcaps by timestamp. */
function merge(base: Run, results: ReplicaResult[], tmp: string | undefined, outDir: string | undefined, nanosecond: boolean): RunResult {
  for (const r of results) base.devices.forEach((dev, k) => absorbDevice(dev, r.devices[k]));
  const linked = results.reduce((s, r) => s + r.linked, 0);
  const res = base.result();
  res.accounting.linked = linked;
  res.accounting.in -= linked;
  res.accounting.out -= linked;
  res.replicas = results.map((r) => ({ frames: r.frames, shipped: r.shipped }));
  const byPort = new Map<string, { file: string }[]>();
  for (const r of results) for (const o of r.outputs) byPort.set(o.port, [...(byPort.get(o.port) ?? []), o]);
  res.outputs = [];
  if (outDir !== undefined) {
    mkdirSync(outDir, { recursive: true });
    for (const [port, parts] of [...byPort].sort((a, b) => a[0].localeCompare(b[0]))) {
      const file = join(outDir, portFileName(port));
      res.outputs.push({ port, file, ...mergePcaps(parts.map((p) => p.file), file, nanosecond) });
    }
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
  return res;
}

/** Merges pcaps by timestamp into one; ties keep the order of `files` (a replica's own order is its flows' order). */
function mergePcaps(files: string[], out: string, nanosecond: boolean): { packets: number; bytes: number } {
  const readers = files.map((f) => CaptureReader.open(f));
  const w = new PcapWriter(out, { nanosecond });
  let packets = 0;
  let bytes = 0;
  try {
    const parts = new MergedCaptures(readers);
    for (let k = parts.earliest(); k >= 0; k = parts.earliest()) {
      const rec = parts.record(k);
      w.write(rec.buf, rec.offset, rec.caplen, rec.tsSec, rec.tsNsec);
      packets++;
      bytes += rec.caplen;
      parts.advance(k);
    }
  } finally {
    for (const r of readers) r.close();
    w.close();
  }
  return { packets, bytes };
}
