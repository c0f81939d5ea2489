// Timing a built scenario: its frames are fed one vector at a time, as the
// runner feeds a capture, for a given time of one of two clocks. No CLI
// dependencies, so a worker thread can run it on a setup of its own.
import { VECTOR_SIZE } from '../packet/batch.js';
import { AccountingError, type ScenarioSetup } from './setup.js';

/**
 * wall: elapsed time. cpu: this process's CPU time (process.cpuUsage, user +
 * system, all its threads): on a machine shared with other jobs it counts
 * only the time this process ran, so figures move less with the load.
 */
export type Clock = 'wall' | 'cpu';
export const CLOCKS: readonly Clock[] = ['wall', 'cpu'];

export interface Measurement {
  packets: number;
  /** Time of the clock spent feeding and processing them (untimed wraps excluded). */
  seconds: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Milliseconds of the clock. */
export function clockMs(clock: Clock): () => number {
  return clock === 'cpu' ? cpuMs : () => performance.now();
}

/**
 * Feeds the setup's frames, VECTOR_SIZE at a time, each vector followed by
 * `step` (run the graph, or release the frames for the memcpy ceiling), until
 * `seconds` of the clock have been spent; `wrap` runs untimed each time the
 * input starts over. The clock is read once per vector, never per packet,
 * and nothing is allocated per packet. A wall-clock limit (3× the time, 10×
 * for the CPU clock of a starved process) ends it regardless; at least one
 * vector is always fed, and no more than `maxPackets` (a fixed amount of work:
 * tests, which must not depend on time).
 */
export function feed(s: ScenarioSetup, seconds: number, clock: Clock, step: () => void, wrap?: () => void, maxPackets = Infinity): Measurement {
  const now = clockMs(clock);
  const budget = seconds * 1000;
  const wallLimit = performance.now() + budget * (clock === 'cpu' ? 10 : 3);
  const dev = s.dev;
  const port = s.inPort;
  const { buf, offs, lens, count } = s.frames;
  if (count === 0 || count % VECTOR_SIZE !== 0) throw new Error(`benchmark input of ${count} frames is not a whole number of ${VECTOR_SIZE}-frame vectors`);
  let packets = 0;
  let k = 0;
  let busy = 0;
  let t0 = now();
  do {
    for (let i = 0; i < VECTOR_SIZE; i++) dev.inject(port, buf, offs[k + i], lens[k + i], 1, 0);
    step();
    packets += VECTOR_SIZE;
    k += VECTOR_SIZE;
    const t1 = now();
    busy += t1 - t0;
    t0 = t1;
    if (k === count) {
      k = 0;
      if (wrap) {
        wrap();
        t0 = now();
      }
    }
  } while (busy < budget && packets < maxPackets && performance.now() < wallLimit);
  return { packets, seconds: busy / 1000 };
}

/**
 * One timed measurement of a scenario, then its accounting: every packet
 * taken in must have left by the expected port (throws AccountingError).
 */
export function measureScenario(s: ScenarioSetup, seconds: number, clock: Clock = 'wall', maxPackets = Infinity): Measurement {
  const acct = s.dev.graph.acct;
  const in0 = acct.in;
  const out0 = s.delivered();
  s.wrap?.();
  const dev = s.dev;
  const m = feed(s, seconds, clock, () => dev.runBatch(), s.wrap, maxPackets);
  s.check();
  const taken = acct.in - in0;
  const sent = s.delivered() - out0;
  if (taken !== m.packets || sent !== m.packets) {
    throw new AccountingError(`${s.spec.scenario} ${s.spec.size} ${s.spec.backend}: ${m.packets} frames fed, ${taken} taken in, ${sent} sent`);
  }
  return m;
}
