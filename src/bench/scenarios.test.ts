// Every benchmark scenario at every size really forwards, encrypts or
// decrypts: a fixed number of packets (never a time) through a built setup,
// its output checked packet by packet (ESP decrypted back with node:crypto)
// and its accounting exactly.
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pattern } from '../craft/craft.js';
import { aesGcmCeiling, memcpyCeiling } from './ceilings.js';
import { hubEspSa } from './ipsec-hub.js';
import { measureScenario } from './measure.js';
import { SCENARIO_NAMES, setupScenario } from './scenarios.js';
import { AccountingError, FRAME_SIZES, SIZE_ORDER, type BackendName, type ScenarioSetup, type ScenarioSpec } from './setup.js';

const PACKETS = 2048; // 8 vectors: the 768-frame ESP inputs wrap twice

const spec = (scenario: string, size: string, backend: BackendName, vpns = 1): ScenarioSpec => ({ scenario, size, backend, vpns, routes: 5000 });

/** Sets a setup up with its output port's frames captured (as well as counted). */
function captured(s: ScenarioSetup): Uint8Array[] {
  const out: Uint8Array[] = [];
  const count = s.dev.sinks[s.outPort]!;
  s.dev.sinks[s.outPort] = (d, off, len, sec, nsec, b, slot) => { out.push(d.slice(off, off + len)); count(d, off, len, sec, nsec, b, slot); };
  return out;
}

function expectBalanced(s: ScenarioSetup, packets: number): void {
  const a = s.dev.graph.acct;
  expect(a).toEqual({ in: packets, generated: 0, out: packets, consumed: 0, dropped: 0 });
  expect(s.delivered()).toBe(packets);
}

/** Frame length captured (no FCS; the 64 B frame is the 60-byte minimum). */
const capturedLen = (size: number) => size - 4;
const dv = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset, f.byteLength);
const ip4Dst = (f: Uint8Array, at = 14) => dv(f).getUint32(at + 16);

describe('l3', () => {
  it.each(SIZE_ORDER)('size %s: every frame forwarded to the neighbour with TTL 63, accounting exact', (size) => {
    const s = setupScenario(spec('l3', size, 'none'));
    const out = captured(s);
    const m = measureScenario(s, 60, 'wall', PACKETS);
    expect(m.packets).toBe(PACKETS);
    expect(m.seconds).toBeGreaterThan(0);
    expectBalanced(s, PACKETS);
    expect(out).toHaveLength(PACKETS);
    const inBuf = s.frames;
    for (let i = 0; i < PACKETS; i++) {
      const f = out[i];
      const k = i % inBuf.count;
      const src = inBuf.buf.subarray(inBuf.offs[k], inBuf.offs[k] + inBuf.lens[k]);
      expect(f.length).toBe(capturedLen(s.frameSizes[k]));
      expect(Array.from(f.subarray(0, 6))).toEqual([2, 0, 0, 0, 1, 2]); // the neighbour's MAC
      expect(f[14 + 8]).toBe(63);
      expect(ip4Dst(f)).toBe(ip4Dst(src));
      expect(Buffer.from(f.subarray(34)).equals(Buffer.from(src.subarray(34)))).toBe(true);
    }
    expect(s.meanFrameBytes).toBeCloseTo(FRAME_SIZES[size].reduce((a, b) => a + b, 0) / FRAME_SIZES[size].length, 6);
    s.close();
  });

  it('destinations are spread over the FIB, not one route', () => {
    const s = setupScenario(spec('l3', '64', 'none'));
    const dsts = new Set<number>();
    for (let i = 0; i < s.frames.count; i++) dsts.add(ip4Dst(s.frames.buf.subarray(s.frames.offs[i])) >>> 8);
    expect(dsts.size).toBeGreaterThan(s.frames.count / 2);
  });
});

/** Decrypts a hub's ESP frame (outer Ethernet + IPv4 + ESP) with node:crypto; returns the SPI and the inner IPv4 packet. */
function openEsp(f: Uint8Array, keys: Map<number, { key: Uint8Array; salt: Uint8Array }>): { spi: number; seq: number; inner: Uint8Array } {
  expect(dv(f).getUint16(12)).toBe(0x0800);
  expect(f[14 + 9]).toBe(50); // ESP
  const esp = 14 + (f[14] & 15) * 4;
  const spi = dv(f).getUint32(esp);
  const seq = dv(f).getUint32(esp + 4);
  const k = keys.get(spi);
  if (!k) throw new Error(`no key for SPI 0x${spi.toString(16)}`);
  const iv = f.subarray(esp + 8, esp + 16);
  const d = createDecipheriv('aes-256-gcm', k.key, Buffer.concat([k.salt, iv]));
  d.setAAD(f.subarray(esp, esp + 8));
  d.setAuthTag(f.subarray(f.length - 16));
  const plain = Buffer.concat([d.update(f.subarray(esp + 16, f.length - 16)), d.final()]);
  const padLen = plain[plain.length - 2];
  expect(plain[plain.length - 1]).toBe(4); // next header: IPv4
  return { spi, seq, inner: plain.subarray(0, plain.length - 2 - padLen) };
}

describe('esp-encrypt', () => {
  const keys = new Map(hubEspSa(3).map((r) => [r.spi, { key: r.key, salt: r.salt }]));
  const cases: [string, BackendName, number][] = [...SIZE_ORDER.map((s): [string, BackendName, number] => [s, 'native', 1]), ['64', 'js', 1], ['imix', 'native', 3]];
  it.each(cases)('size %s, %s backend, %i VPN(s): every frame leaves the core port as ESP that node:crypto decrypts back', (size, backend, vpns) => {
    const s = setupScenario(spec('esp-encrypt', size, backend, vpns));
    expect(s.aead?.name).toBe(backend);
    const out = captured(s);
    measureScenario(s, 60, 'wall', PACKETS);
    expectBalanced(s, PACKETS);
    expect(out).toHaveLength(PACKETS);
    const seqs = new Map<number, number>();
    for (let i = 0; i < PACKETS; i++) {
      const { spi, seq, inner } = openEsp(out[i], keys);
      expect(seq).toBe((seqs.get(spi) ?? 0) + 1); // rising per SA, none lost
      seqs.set(spi, seq);
      const id = dv(inner).getUint16(4);
      const k = id % s.frames.count;
      const src = s.frames.buf.subarray(s.frames.offs[k], s.frames.offs[k] + s.frames.lens[k]);
      expect(inner.length).toBe(src.length - 14);
      expect(inner[8]).toBe(63); // forwarded once by the hub
      expect(ip4Dst(inner, 0)).toBe(ip4Dst(src));
      expect(Buffer.from(inner.subarray(20)).equals(Buffer.from(src.subarray(34)))).toBe(true);
      expect(spi).toBe(0x1000000 + (k % vpns) + 1); // round robin over the VPNs
    }
    expect(seqs.size).toBe(vpns);
    s.close();
  });
});

describe('esp-decrypt', () => {
  const cases: [string, BackendName][] = [...SIZE_ORDER.map((s): [string, BackendName] => [s, 'native']), ['64', 'js']];
  it.each(cases)('size %s, %s backend: every ESP frame decrypted to the LAN port, through two wraps of the input', (size, backend) => {
    const s = setupScenario(spec('esp-decrypt', size, backend));
    expect(s.frames.count).toBe(768);
    const out = captured(s);
    measureScenario(s, 60, 'wall', PACKETS);
    expectBalanced(s, PACKETS);
    expect(out).toHaveLength(PACKETS);
    const ipsec = s.dev.ipsec!.totals();
    expect(ipsec).toMatchObject({ replay_errors: 0 });
    for (let i = 0; i < PACKETS; i++) {
      const f = out[i];
      const k = i % s.frames.count;
      expect(f.length).toBe(capturedLen(s.frameSizes[k]));
      expect(Array.from(f.subarray(0, 6))).toEqual([2, 0, 0, 0, 0xc1, 2]); // the hub's LAN neighbour
      expect(f[14 + 9]).toBe(17);
      expect(ip4Dst(f) >>> 24).toBe(30);
      expect(Buffer.from(f.subarray(42)).equals(Buffer.from(pattern(s.frameSizes[k] - 4 - 42)))).toBe(true);
    }
    s.close();
  });

  it('without the replay windows re-seeded at each wrap, the replayed input is dropped and the measurement throws', () => {
    const s = setupScenario(spec('esp-decrypt', '64', 'native'));
    const noWrap = { ...s, wrap: undefined };
    expect(() => measureScenario(noWrap, 60, 'wall', PACKETS)).toThrow(AccountingError);
    expect(() => measureScenario(noWrap, 60, 'wall', PACKETS)).toThrow(/dropped/);
    s.close();
  });
});

describe('ceilings', () => {
  it('aes-gcm: seals a fixed number of vectors of the setup\'s inner sizes', () => {
    const s = setupScenario(spec('esp-encrypt', 'imix', 'native'));
    const c = aesGcmCeiling(s.aead!, s.frameSizes);
    expect(c.measure(60, 'wall', 1024)).toMatchObject({ packets: 1024 });
    expect(c.measure(60, 'cpu', 256).packets).toBe(256);
    c.close();
    s.close();
  });

  it('memcpy: copies frames in and out of the batch, leaving the accounting balanced and the batch empty', () => {
    const s = setupScenario(spec('l3', '1420', 'none'));
    const c = memcpyCeiling(s);
    expect(c.measure(60, 'wall', 1536).packets).toBe(1536);
    expectBalanced(s, 0);
    measureScenario(s, 60, 'wall', 512);
    expectBalanced(s, 512);
  });
});

describe('setupScenario', () => {
  it('names the scenarios there are when asked for one that is not', () => {
    expect(() => setupScenario(spec('vxlan-encap', '64', 'native'))).toThrow(`unknown scenario "vxlan-encap" (scenarios: ${SCENARIO_NAMES.join(', ')})`);
  });
  it('refuses a backend the scenario does not take, and an unknown size', () => {
    expect(() => setupScenario(spec('l3', '64', 'native'))).toThrow(/backend "none"/);
    expect(() => setupScenario(spec('esp-encrypt', '64', 'none'))).toThrow(/native or js/);
    expect(() => setupScenario(spec('l3', '128', 'none'))).toThrow(/unknown size "128" \(sizes: 64, imix, 1420, 9000\)/);
  });
  it('is built from plain data (what a worker thread would be posted)', () => {
    const sp = spec('esp-encrypt', '64', 'js');
    expect(JSON.parse(JSON.stringify(sp))).toEqual(sp);
    expect(structuredClone(sp)).toEqual(sp);
  });
});
