// The ceilings a scenario's throughput is divided by, measured in the same run
// and alternated with it so that both see the same machine: absolute figures
// drift on a shared machine, ratios far less.
//
//   aes-gcm: the scenario's own backend sealing the same inner-packet sizes
//     (frame − 14 B Ethernet − 4 B FCS) with an 8-byte AAD, 256 per call, laid
//     out in slots as ESP would be, no framing (bench/ipsec.mjs raw()).
//   memcpy:  the scenario's frames copied into the batch slab and released
//     again, no processing (bench/forward.mjs copyOnly).
import type { AeadBackend } from '../crypto/aead.js';
import { DESC_WORDS } from '../crypto/aead.js';
import { SLOT_SIZE, VECTOR_SIZE } from '../packet/batch.js';
import { AccountingError, type CeilingKind, type ScenarioSetup } from './setup.js';
import { clockMs, feed, type Clock, type Measurement } from './measure.js';

export interface Ceiling {
  readonly kind: CeilingKind;
  /** Times the ceiling; `maxPackets` bounds the work (tests). */
  measure(seconds: number, clock: Clock, maxPackets?: number): Measurement;
  close(): void;
}

/** Vectors of sizes the AES-GCM ceiling cycles through: 768 frames, a whole number of IMIX patterns. */
const AES_VECTORS = 3;

export function aesGcmCeiling(backend: AeadBackend, frameSizes: readonly number[]): Ceiling {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i); // AES-256, as the hub's SAs
  const h = backend.addKey(key);
  const slab = new Uint8Array(SLOT_SIZE * VECTOR_SIZE);
  const vectors = Math.min(AES_VECTORS, Math.ceil(frameSizes.length / VECTOR_SIZE));
  const descs: Uint32Array[] = [];
  for (let v = 0; v < vectors; v++) {
    const desc = new Uint32Array(VECTOR_SIZE * DESC_WORDS);
    for (let i = 0; i < VECTOR_SIZE; i++) {
      const o = i * SLOT_SIZE;
      const len = frameSizes[(v * VECTOR_SIZE + i) % frameSizes.length] - 18;
      // key, nonce at o, 8-byte AAD at o+16, data at o+64, tag after it
      desc.set([h, o, o + 16, 8, o + 64, len, o + 64 + len, 16], i * DESC_WORDS);
    }
    descs.push(desc);
  }
  return {
    kind: 'aes-gcm',
    measure(seconds: number, clock: Clock, maxPackets = Infinity): Measurement {
      const now = clockMs(clock);
      const budget = seconds * 1000;
      const wallLimit = performance.now() + budget * (clock === 'cpu' ? 10 : 3);
      let packets = 0;
      let v = 0;
      const t0 = now();
      let busy = 0;
      do {
        backend.seal(slab, descs[v], VECTOR_SIZE);
        v = v + 1 === vectors ? 0 : v + 1;
        packets += VECTOR_SIZE;
        busy = now() - t0;
      } while (busy < budget && packets < maxPackets && performance.now() < wallLimit);
      return { packets, seconds: busy / 1000 };
    },
    close: () => backend.removeKey(h),
  };
}

/** Frames into the slab and straight back out: the cost of taking a packet in, which no scenario avoids. */
export function memcpyCeiling(s: ScenarioSetup): Ceiling {
  const g = s.dev.graph;
  const eth = g.node('ethernet-input');
  const b = g.batch;
  let released = 0;
  const step = (): void => {
    const n = eth.count;
    const frame = eth.frame;
    for (let i = 0; i < n; i++) b.release(frame[i]);
    g.acct.in -= n; // never processed: not taken in, so the device's accounting still balances
    eth.count = 0;
    released += n;
  };
  return {
    kind: 'memcpy',
    measure(seconds: number, clock: Clock, maxPackets = Infinity): Measurement {
      const r0 = released;
      // sFlow samples as frames are taken in (inject): part of the scenario's cost, not of copying.
      const sflow = s.dev.sflow;
      s.dev.sflow = null;
      let m: Measurement;
      try {
        m = feed(s, seconds, clock, step, undefined, maxPackets);
      } finally {
        s.dev.sflow = sflow;
      }
      if (released - r0 !== m.packets) throw new AccountingError(`memcpy ceiling: ${m.packets} frames fed, ${released - r0} copied in`);
      s.check();
      return m;
    },
    close: () => {},
  };
}
