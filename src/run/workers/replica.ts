// One pipeline replica of a parallel run, in its own worker thread: every
// device of the scenario, fed by the reader's ring with the frames RSS gave
// it, handing packets of SAs it does not own to their owner, writing its
// ports' frames to its own pcaps (the run merges them by timestamp).

import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigFile } from '../../config/scenario.js';
import { SWITCHES, applyProfiles } from '../../profiles/catalog.js';
import { parseProfileSpec } from '../../profiles/switch.js';
import type { EspSaRecord } from '../../config/esp-sa-file.js';
import { Run } from '../runner.js';
import { findPort } from '../ports.js';
import { Ring } from './ring.js';
import {
  attachReplica, CTRL_ARRIVED, CTRL_GENERATION, CTRL_INFLIGHT, CTRL_INPUT_DONE, CTRL_MORE, Mailbox, ctrlBell, messageEpoch, ownersOf, takeMessage,
} from './handoff.js';
import { snapshotDevice, type DeviceSnapshot } from './snapshot.js';

export interface ReplicaInit {
  /** `--profile` specs, applied to the loaded scenario as the one-replica run applied them. */
  profiles?: string[];
  index: number;
  replicas: number;
  config: string;
  saRecords?: EspSaRecord[];
  /** Port of each input, and the input's bytes (the whole capture file). */
  ports: string[];
  inputs: SharedArrayBuffer[];
  /** The reader's ring to this replica: 7 words per frame (input, offset lo/hi, caplen, origLen, tsSec, tsNsec), and epoch marks. */
  inRing: SharedArrayBuffer;
  /** rings[from][to]: handoff rings between replicas (null on the diagonal). */
  rings: (SharedArrayBuffer | null)[][];
  ctrl: SharedArrayBuffer;
  outDir?: string;
  nanosecond: boolean;
}

export interface ReplicaResult {
  /** Frames RSS gave this replica, and packets it handed to other replicas (all devices). */
  frames: number;
  shipped: number;
  devices: DeviceSnapshot[];
  linked: number;
  outputs: { port: string; file: string; packets: number; bytes: number }[];
}

/** A frame's descriptor in the reader's ring. */
export const IN_DESC_BYTES = 28;

/** Descriptor `input` value of an epoch mark: the reader starts a new vector here. */
export const EPOCH_MARK = 0xffffffff;

/**
 * The replica's loop, in epochs: epoch e is the e-th vector a one-replica run
 * would make of the inputs (the reader marks where each begins). A replica
 * takes in its frames of the epoch and runs a round; then all replicas meet
 * at a barrier and, while any handed packets or neighbour news to another,
 * take those in and run another round, as a one-replica run delivers link
 * traffic in rounds until none is in flight. Messages carry the step (barrier
 * count) they were sent in and are taken in at the next, so outputs do not
 * depend on the threads' timing.
 */
function replicaMain(init: ReplicaInit): ReplicaResult {
  if (init.outDir !== undefined) mkdirSync(init.outDir, { recursive: true });
  const me = init.index;
  const n = init.replicas;
  const ctrl = new Int32Array(init.ctrl);
  const outRings = init.rings[me].map((s) => (s ? new Ring(s) : null));
  const inRings = init.rings.map((row) => (row[me] ? new Ring(row[me]!) : null)).filter((r): r is Ring => r !== null);
  const scenario = loadConfigFile(init.config);
  applyProfiles(scenario.devices, (init.profiles ?? []).map((p) => parseProfileSpec(p, SWITCHES)));
  const run = new Run(scenario, { outDir: init.outDir, saRecords: init.saRecords });
  run.nanosecondOutput = init.nanosecond;
  const mail = new Mailbox(me, n, outRings, ctrl, run.devices.length);
  const owners = run.devices.map((dev) => ownersOf(dev, n));
  run.devices.forEach((dev, k) => attachReplica(dev, k, me, n, mail, owners[k]));

  /** Takes in every message sent before `step` (running a round whenever the batch fills). */
  const drain = (step: number) => {
    for (const ring of inRings) {
      for (let at = ring.peek(); at >= 0 && messageEpoch(ring, at) < step; at = ring.peek()) {
        if (!takeMessage(ring, at, run.devices)) {
          run.round();
          continue;
        }
        ring.advance();
        Atomics.sub(ctrl, CTRL_INFLIGHT, 1);
      }
      ring.release();
    }
  };
  /** Runs the epoch's rounds: its own, then one per step while replicas still send each other packets. */
  const endEpoch = () => {
    for (;;) {
      run.round();
      mail.flush();
      const more = barrier(ctrl, n);
      mail.epoch++;
      if (!more) return;
      drain(mail.epoch);
    }
  };

  const inRing = new Ring(init.inRing);
  const inputs = init.inputs.map((s) => new Uint8Array(s));
  const ports = init.ports.map((p) => findPort(run.devices, p));
  const bell = ctrlBell(me);
  let open = false;
  let frames = 0;
  for (;;) {
    const rung = Atomics.load(ctrl, bell);
    const done = Atomics.load(ctrl, CTRL_INPUT_DONE) === 1;
    const at = inRing.peek();
    if (at < 0) {
      if (done) break;
      Atomics.wait(ctrl, bell, rung, 5);
      continue;
    }
    const v = inRing.dv;
    const input = v.getUint32(at, true);
    const tsSec = v.getUint32(at + 20, true);
    const tsNsec = v.getUint32(at + 24, true);
    if (input === EPOCH_MARK) {
      if (open) endEpoch();
      open = true;
      for (const d of run.devices) d.runTimers(tsSec);
    } else {
      frames++;
      const p = ports[input];
      const off = v.getUint32(at + 4, true) + v.getUint32(at + 8, true) * 2 ** 32;
      const caplen = v.getUint32(at + 12, true);
      const origLen = v.getUint32(at + 16, true);
      if (!p.dev.inject(p.ifd, inputs[input], off, caplen, tsSec, tsNsec, undefined, origLen)) {
        run.round();
        p.dev.inject(p.ifd, inputs[input], off, caplen, tsSec, tsNsec, undefined, origLen);
      }
    }
    inRing.advance();
  }
  if (open) endEpoch();
  run.finish();
  run.closeOutputs();
  const res = run.result();
  return {
    frames,
    shipped: mail.shipped.reduce((x, y) => x + y, 0),
    devices: run.devices.map((dev, k) => snapshotDevice(dev, mail.shipped[k], (sa) => owners[k][sa] === me, me === 0)),
    linked: res.accounting.linked,
    outputs: res.outputs,
  };
}

/**
 * The epoch barrier: the last replica to arrive records whether messages are
 * in flight (all others are waiting, so the count is settled) and releases
 * the rest; every replica returns that same answer.
 */
function barrier(ctrl: Int32Array, n: number): boolean {
  const gen = Atomics.load(ctrl, CTRL_GENERATION);
  if (Atomics.add(ctrl, CTRL_ARRIVED, 1) === n - 1) {
    Atomics.store(ctrl, CTRL_ARRIVED, 0);
    Atomics.store(ctrl, CTRL_MORE, Atomics.load(ctrl, CTRL_INFLIGHT) > 0 ? 1 : 0);
    Atomics.add(ctrl, CTRL_GENERATION, 1);
    Atomics.notify(ctrl, CTRL_GENERATION);
  } else {
    for (let spin = 0; Atomics.load(ctrl, CTRL_GENERATION) === gen; spin++) {
      if (spin > 200) Atomics.wait(ctrl, CTRL_GENERATION, gen, 50);
    }
  }
  return Atomics.load(ctrl, CTRL_MORE) === 1;
}

if (parentPort && workerData?.replica) {
  try {
    parentPort.postMessage({ ok: replicaMain(workerData.replica as ReplicaInit) });
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack, problems: (e as { problems?: unknown }).problems } : { message: String(e) } });
  }
}
