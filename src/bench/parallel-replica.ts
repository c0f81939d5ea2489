// One replica of `triode bench --workers N` (see parallel.ts), in its worker thread.
import { parentPort, workerData } from 'node:worker_threads';
import { VECTOR_SIZE } from '../packet/batch.js';
import { attachReplica, CTRL_INFLIGHT, Mailbox, ownersOf, takeMessage } from '../run/workers/handoff.js';
import { Ring } from '../run/workers/ring.js';
import { benchCtrl, type BenchReplicaInit, type ReplicaFigures } from './parallel.js';
import { setupScenario } from './scenarios.js';

function start(init: BenchReplicaInit): void {
  const me = init.index;
  const n = init.replicas;
  const s = setupScenario(init.spec);
  const dev = s.dev;
  const ctrl = new Int32Array(init.ctrl);
  const k = benchCtrl(n);
  const mail = new Mailbox(me, n, init.rings[me].map((r) => (r ? new Ring(r) : null)), ctrl, 1);
  const inRings = init.rings.map((row) => row[me]).filter((r): r is SharedArrayBuffer => r !== null).map((r) => new Ring(r));
  attachReplica(dev, 0, me, n, mail, ownersOf(dev, n));
  const buf = new Uint8Array(init.buf);
  const offs = new Uint32Array(init.offs);
  const lens = new Uint32Array(init.lens);
  const share = new Uint32Array(init.share);
  const port = s.inPort;
  const acct = dev.graph.acct;
  let j = 0;
  let taken = 0;
  /** Takes in what other replicas handed over; runs the batch when it fills. */
  const drain = (): void => {
    for (const ring of inRings) {
      for (let at = ring.peek(); at >= 0; at = ring.peek()) {
        if (!takeMessage(ring, at, [dev])) { run(); continue; }
        ring.advance();
        taken++;
      }
      ring.release();
    }
  };
  /** Runs the batch; only then are the packets taken in no longer in flight (what they caused is counted). */
  const run = (): void => {
    dev.runBatch();
    mail.flush();
    if (taken > 0) {
      Atomics.sub(ctrl, CTRL_INFLIGHT, taken);
      taken = 0;
    }
  };

  parentPort!.on('message', (m: { seconds: number; go: number }) => {
    try {
      s.wrap?.();
      const in0 = acct.in;
      const out0 = s.delivered();
      const shipped0 = mail.shipped[0];
      Atomics.add(ctrl, k.ready, 1);
      while (Atomics.load(ctrl, k.go) !== m.go) Atomics.wait(ctrl, k.go, m.go - 1, 10);
      const t0 = performance.now();
      const end = t0 + m.seconds * 1000;
      let packets = 0;
      if (share.length > 0) {
        do {
          for (let i = 0; i < VECTOR_SIZE; i++) {
            const f = share[j];
            dev.inject(port, buf, offs[f], lens[f], 1, 0);
            if (++j === share.length) {
              j = 0;
              // The share starts over: run what is in, then re-seed the replay windows (as a one-replica run does untimed).
              run();
              s.wrap?.();
            }
          }
          drain();
          run();
          packets += VECTOR_SIZE;
        } while (performance.now() < end);
      }
      const seconds = (performance.now() - t0) / 1000;
      // Done feeding: keep taking in handed-over packets until every replica is done and none is in flight.
      Atomics.add(ctrl, k.done, 1);
      do {
        drain();
        run();
      } while (Atomics.load(ctrl, k.done) < n || Atomics.load(ctrl, CTRL_INFLIGHT) > 0);
      const a = acct;
      if (a.in + a.generated !== a.out + a.consumed + a.dropped || a.dropped !== 0) {
        throw new Error(`replica ${me}: accounting ${JSON.stringify(a)} drops ${JSON.stringify(dev.graph.dropsByReason())}`);
      }
      const takenIn = acct.in - in0;
      const figures: ReplicaFigures = { packets, seconds, delivered: s.delivered() - out0, shipped: mail.shipped[0] - shipped0 };
      if (takenIn < packets) throw new Error(`replica ${me}: ${packets} frames fed, ${takenIn} taken in`);
      parentPort!.postMessage({ ok: figures });
    } catch (e) {
      parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  });
  parentPort!.postMessage({ ok: true });
}

if (parentPort && workerData?.benchReplica) {
  try {
    start(workerData.benchReplica as BenchReplicaInit);
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}
