// What a benchmark scenario is made of, independent of which scenario it is:
// the serializable spec it is built from (so a worker thread can build its own
// copy), the frame sizes, the crypto backends by name, and the counting sink
// and accounting check every scenario's output goes through.
import type { AeadBackend } from '../crypto/aead.js';
import { aeadBackends, nativeUnavailableReason } from '../crypto/backend.js';
import type { DeviceRt } from '../device/device.js';
import { SLOT_COUNT } from '../packet/batch.js';
import type { PackedFrames } from './packed.js';

export type BackendName = 'native' | 'js' | 'none';
export type CeilingKind = 'aes-gcm' | 'memcpy';

/** Everything a scenario is built from: plain data, so it can be posted to a worker. */
export interface ScenarioSpec {
  scenario: string;
  /** A key of FRAME_SIZES: "64", "imix", "1420", "9000". */
  size: string;
  /** Crypto backend of the device; "none" for scenarios without crypto (l3, vxlan-encap, vxlan-decap). */
  backend: BackendName;
  /** Route-based VPNs of the IPsec hub (ESP scenarios). */
  vpns: number;
  /** FIB size (l3). */
  routes: number;
  /** MAC table entries of the VXLAN scenarios (default 1,000,000). */
  macs?: number;
}

/** A scenario built and ready to measure (see measure.ts). */
export interface ScenarioSetup {
  readonly spec: ScenarioSpec;
  readonly dev: DeviceRt;
  /** Port (IFD index) the frames are injected on, and the one every packet must leave by. */
  readonly inPort: number;
  readonly outPort: number;
  /** The input, a multiple of VECTOR_SIZE frames, fed in order and wrapped around. */
  readonly frames: PackedFrames;
  /** Frame size (with FCS) of each frame of the input, in order; the AES-GCM ceiling seals these less 18. */
  readonly frameSizes: readonly number[];
  /** Mean frame size of the input, with the FCS: Gbps = Mpps × this × 8 / 1000. */
  readonly meanFrameBytes: number;
  readonly ceilingKind: CeilingKind;
  /** The device's AEAD backend (null: no crypto). */
  readonly aead: AeadBackend | null;
  /** Runs untimed before each measurement and each time the input starts over (re-seeds replay windows). */
  readonly wrap?: () => void;
  /** Packets the expected output port has sent since the setup was made. */
  delivered(): number;
  /** Throws an AccountingError unless every packet taken in so far left by the expected port. */
  check(): void;
  /** Frees what the setup holds outside the JS heap (SA key schedules). */
  close(): void;
}

/**
 * Frame sizes on the wire with the FCS, no preamble or inter-frame gap: a
 * "64" frame is 60 bytes captured. IMIX is 7:4:1 of 64/594/1518, interleaved
 * so that every vector sees the mix.
 */
export const FRAME_SIZES: Readonly<Record<string, readonly number[]>> = {
  '64': [64],
  imix: [64, 64, 64, 594, 64, 64, 594, 64, 594, 64, 594, 1518],
  '1420': [1420],
  '9000': [9000],
};

/** Size names in the order of their mean frame size (object keys would put "imix" last). */
export const SIZE_ORDER: readonly string[] = ['64', 'imix', '1420', '9000'];

/** Bytes a frame's size counts that a capture does not hold (the FCS). */
export const FCS_BYTES = 4;

/** A backend by name; throws with the reason when it cannot be used here. */
export function aeadByName(name: BackendName): AeadBackend {
  const be = aeadBackends().find((b) => b.name === name);
  if (!be) {
    throw new Error(name === 'native'
      ? `the native crypto backend is not available: ${nativeUnavailableReason() ?? 'unknown reason'}`
      : `no crypto backend "${name}"`);
  }
  return be;
}

/** Why a backend cannot run here (undefined: it can). */
export function backendUnavailable(name: BackendName): string | undefined {
  if (name !== 'native') return undefined;
  return nativeUnavailableReason();
}

/** A benchmark that loses packets is a defect, never a figure. */
export class AccountingError extends Error {
  override readonly name = 'AccountingError';
}

/**
 * Points the output port's sink at a counter (nothing is written) and returns
 * the counter and the accounting check: in + generated = out + consumed +
 * dropped, no drops, nothing left in the batch, and every packet taken in
 * sent by `outPort` and nothing sent elsewhere.
 */
export function countOutput(dev: DeviceRt, outPort: number, what: string): Pick<ScenarioSetup, 'delivered' | 'check'> {
  let delivered = 0;
  for (let p = 0; p < dev.sinks.length; p++) dev.sinks[p] = null;
  dev.sinks[outPort] = () => { delivered++; };
  const check = (): void => {
    const a = dev.graph.acct;
    const problems: string[] = [];
    if (a.in + a.generated !== a.out + a.consumed + a.dropped) problems.push('in + generated != out + consumed + dropped');
    if (a.dropped !== 0) problems.push(`${a.dropped} dropped ${JSON.stringify(dev.graph.dropsByReason())}`);
    if (a.generated !== 0 || a.consumed !== 0) problems.push(`${a.generated} generated, ${a.consumed} consumed`);
    if (delivered !== a.in) problems.push(`${a.in} taken in but ${delivered} sent by ${dev.ifs.ifds[outPort].name}`);
    if (a.out !== delivered) problems.push(`${a.out - delivered} sent by other ports`);
    if (dev.graph.batch.free !== SLOT_COUNT) problems.push(`${SLOT_COUNT - dev.graph.batch.free} slots not released`);
    if (problems.length) throw new AccountingError(`${what}: ${problems.join('; ')} (accounting ${JSON.stringify(a)})`);
  };
  return { delivered: () => delivered, check };
}

/** Mean of frame sizes (with FCS). ESP scenarios count the cleartext frames, whatever they feed. */
export function meanOf(sizes: readonly number[]): number {
  let s = 0;
  for (const x of sizes) s += x;
  return s / sizes.length;
}

/** Frame sizes of `count` frames following `pattern`. */
export function frameSizesOf(pattern: readonly number[], count: number): number[] {
  return Array.from({ length: count }, (_, i) => pattern[i % pattern.length]);
}
