// `triode bench --workers N`: the scenario on N pipeline replicas in worker
// threads, as `triode run --workers` runs a capture. The frames are laid out
// once in shared memory and spread by RSS (rssReplica, untimed: a NIC does it
// in hardware); each replica builds its own device from the scenario's spec,
// feeds its share one vector at a time, and hands packets of SAs it does not
// own to their owner through the same rings as a run. All replicas start
// together; the figure is the packets of all over the wall time of the
// slowest. Scaling is that figure over one replica's, measured in the same run.

import { Worker } from 'node:worker_threads';
import { rssReplica } from '../run/workers/rss.js';
import { Ring } from '../run/workers/ring.js';
import { CTRL_WORDS } from '../run/workers/handoff.js';
import type { ScenarioSetup, ScenarioSpec } from './setup.js';
import { AccountingError } from './setup.js';

/** Replica → replica rings: room for many vectors of jumbo frames in flight. */
const HANDOFF_RING_BYTES = 32 << 20;

/** Control words after the run's (CTRL_WORDS + a doorbell per replica): ready, go, done. */
export const benchCtrl = (replicas: number) => ({ ready: CTRL_WORDS + replicas, go: CTRL_WORDS + replicas + 1, done: CTRL_WORDS + replicas + 2, words: CTRL_WORDS + replicas + 3 });

export interface BenchReplicaInit {
  index: number;
  replicas: number;
  spec: ScenarioSpec;
  /** The frames (shared), where each starts and how long it is, and this replica's share (frame indexes, in order). */
  buf: SharedArrayBuffer;
  offs: SharedArrayBuffer;
  lens: SharedArrayBuffer;
  share: SharedArrayBuffer;
  rings: (SharedArrayBuffer | null)[][];
  ctrl: SharedArrayBuffer;
}

export interface ReplicaFigures {
  /** Frames of its share it took in, the time it fed them, packets it sent and handed to other replicas. */
  packets: number;
  seconds: number;
  delivered: number;
  shipped: number;
}

export interface ParallelMeasurement {
  replicas: number;
  packets: number;
  seconds: number;
  mpps: number;
  perReplica: ReplicaFigures[];
}

const SCRIPT = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/bench/parallel-replica.js', import.meta.url)
  : new URL('./parallel-replica.js', import.meta.url);

/** N replicas of a scenario, built once and measured as often as asked. */
export class ParallelRig {
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array;
  private readonly k: ReturnType<typeof benchCtrl>;
  private readonly ready: Promise<unknown>;
  /** Frames RSS gave each replica. */
  readonly shares: number[];

  constructor(readonly setup: ScenarioSetup, readonly replicas: number) {
    const f = setup.frames;
    const buf = new SharedArrayBuffer(f.bytes);
    new Uint8Array(buf).set(f.buf.subarray(0, f.bytes));
    const offs = new SharedArrayBuffer(4 * f.count);
    const lens = new SharedArrayBuffer(4 * f.count);
    new Uint32Array(offs).set(f.offs);
    new Uint32Array(lens).set(f.lens);
    const byReplica: number[][] = Array.from({ length: replicas }, () => []);
    for (let i = 0; i < f.count; i++) byReplica[rssReplica(f.buf, f.offs[i], f.lens[i], replicas)].push(i);
    this.shares = byReplica.map((s) => s.length);
    this.k = benchCtrl(replicas);
    const ctrl = new SharedArrayBuffer(4 * this.k.words);
    this.ctrl = new Int32Array(ctrl);
    const rings = Array.from({ length: replicas }, (_, a) => Array.from({ length: replicas }, (_, b) => (a === b ? null : new Ring(HANDOFF_RING_BYTES).sab)));
    this.workers = byReplica.map((share, index) => {
      const sh = new SharedArrayBuffer(4 * share.length);
      new Uint32Array(sh).set(share);
      const init: BenchReplicaInit = { index, replicas, spec: setup.spec, buf, offs, lens, share: sh, rings, ctrl };
      return new Worker(SCRIPT, { workerData: { benchReplica: init } });
    });
    this.ready = Promise.all(this.workers.map((w) => this.reply(w)));
  }

  private reply(w: Worker): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { ok?: unknown; error?: string }) => {
        w.off('error', reject);
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.ok);
      };
      w.once('message', onMessage);
      w.once('error', reject);
    });
  }

  /** All replicas feed their share for `seconds` of wall time, starting together; then they finish what is in flight. */
  async measure(seconds: number): Promise<ParallelMeasurement> {
    await this.ready;
    const { ready, go, done } = this.k;
    Atomics.store(this.ctrl, ready, 0);
    Atomics.store(this.ctrl, done, 0);
    const replies = this.workers.map((w) => this.reply(w));
    const gen = Atomics.load(this.ctrl, go);
    for (const w of this.workers) w.postMessage({ seconds, go: gen + 1 });
    while (Atomics.load(this.ctrl, ready) < this.replicas) await new Promise((r) => setTimeout(r, 1));
    Atomics.store(this.ctrl, go, gen + 1);
    Atomics.notify(this.ctrl, go);
    const per = (await Promise.all(replies)) as ReplicaFigures[];
    const packets = per.reduce((s, r) => s + r.packets, 0);
    const delivered = per.reduce((s, r) => s + r.delivered, 0);
    if (delivered !== packets) {
      throw new AccountingError(`${this.setup.spec.scenario} ${this.setup.spec.size} on ${this.replicas} replicas: ${packets} frames fed, ${delivered} sent`);
    }
    const secs = Math.max(...per.map((r) => r.seconds));
    return { replicas: this.replicas, packets, seconds: secs, mpps: packets / secs / 1e6, perReplica: per };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
