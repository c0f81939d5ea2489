// esp-encrypt and esp-decrypt: inline IPsec through the whole graph of the
// hub of ipsec-hub.ts (as bench/ipsec.mjs), frames to the VPNs in round robin.
//
//   esp-encrypt: LAN → ethernet-input → ip4-input → ip4-lookup → st0-output →
//     esp-encrypt → si-outside-input → outer ip4-lookup → ip4-rewrite →
//     interface-output (core port)
//   esp-decrypt: ESP to the hub's gateway address → ip4-local →
//     si-outside-input → esp-decrypt (anti-replay) → st0-input → ip4-input →
//     ip4-lookup → ip4-rewrite → interface-output (LAN port)
//
// The decrypt input is made once, untimed, by device B (the spokes) with
// rising sequence numbers per SA; the hub's inbound replay windows are
// re-seeded, untimed, each time that input starts over.
import type { AeadBackend } from '../crypto/aead.js';
import { VECTOR_SIZE } from '../packet/batch.js';
import { buildHub, hubCleartext, hubEspSa, portIndex } from './ipsec-hub.js';
import { packFrames } from './packed.js';
import { aeadByName, countOutput, FRAME_SIZES, frameSizesOf, meanOf, type ScenarioSetup, type ScenarioSpec } from './setup.js';

/**
 * Input frames: at least 3 vectors, and 16 frames per VPN beyond 48 VPNs so
 * that every SA is used in every pass (1 VPN: 768 frames, 2,000: 32,000).
 */
export function espInputCount(vpns: number): number {
  return VECTOR_SIZE * Math.max(3, Math.ceil(vpns / 16));
}

function backendOf(spec: ScenarioSpec): AeadBackend {
  if (spec.backend === 'none') throw new Error(`${spec.scenario} needs a crypto backend (native or js)`);
  return aeadByName(spec.backend);
}

export function setupEspEncrypt(spec: ScenarioSpec): ScenarioSetup {
  const aead = backendOf(spec);
  const { dev } = buildHub('A', spec.vpns, hubEspSa(spec.vpns), aead);
  const count = espInputCount(spec.vpns);
  const frameSizes = frameSizesOf(FRAME_SIZES[spec.size], count);
  const frames = packFrames(hubCleartext('A', spec.vpns, FRAME_SIZES[spec.size], count));
  const inPort = portIndex(dev, 'et-0/0/1');
  const outPort = portIndex(dev, 'et-0/0/0');
  return {
    spec,
    dev,
    inPort,
    outPort,
    frames,
    frameSizes,
    meanFrameBytes: meanOf(frameSizes),
    ceilingKind: 'aes-gcm',
    aead,
    ...countOutput(dev, outPort, `esp-encrypt ${spec.size} ${spec.backend}`),
    close: () => dev.ipsec?.close(),
  };
}

export function setupEspDecrypt(spec: ScenarioSpec): ScenarioSetup {
  const aead = backendOf(spec);
  const records = hubEspSa(spec.vpns);
  const { dev } = buildHub('A', spec.vpns, records, aead);
  const count = espInputCount(spec.vpns);
  const frameSizes = frameSizesOf(FRAME_SIZES[spec.size], count);

  // The spokes encrypt the input once; any frame they do not send is a defect of the setup.
  const b = buildHub('B', spec.vpns, records, aead).dev;
  const esp: Uint8Array[] = [];
  const bCore = portIndex(b, 'et-0/0/0');
  const bLan = portIndex(b, 'et-0/0/1');
  const clear = packFrames(hubCleartext('B', spec.vpns, FRAME_SIZES[spec.size], count));
  b.sinks[bCore] = (d, off, len) => { esp.push(d.slice(off, off + len)); };
  for (let k = 0; k < count; k += VECTOR_SIZE) {
    for (let i = 0; i < VECTOR_SIZE; i++) b.inject(bLan, clear.buf, clear.offs[k + i], clear.lens[k + i], 1, 0);
    b.runBatch();
  }
  const a = b.graph.acct;
  if (esp.length !== count || a.dropped !== 0) {
    throw new Error(`esp-decrypt ${spec.size}: the spokes made ${esp.length} ESP frames of ${count} (${JSON.stringify(b.graph.dropsByReason())})`);
  }
  b.ipsec?.close();
  const frames = packFrames(esp);

  const inbound = dev.ipsec!.sas.filter((s) => !s.outbound);
  const inPort = portIndex(dev, 'et-0/0/0');
  const outPort = portIndex(dev, 'et-0/0/1');
  return {
    spec,
    dev,
    inPort,
    outPort,
    frames,
    frameSizes,
    meanFrameBytes: meanOf(frameSizes),
    ceilingKind: 'aes-gcm',
    aead,
    wrap: () => { for (const s of inbound) s.replay.seed(0, 0); },
    ...countOutput(dev, outPort, `esp-decrypt ${spec.size} ${spec.backend}`),
    close: () => dev.ipsec?.close(),
  };
}
