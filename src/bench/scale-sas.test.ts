import { describe, expect, it } from 'vitest';
import { aeadBackends } from '../crypto/backend.js';
import { measureSas } from './scale-sas.js';

// Figures are not judged here (timing belongs to benchmarks); only that every
// packet went through and the numbers are what they claim to be.
describe('measureSas', () => {
  const aead = aeadBackends()[0]!;

  it('memory per SA and per VPN, build time, encrypt and decrypt of every packet, with and without traffic selectors', () => {
    const rows = [
      ...measureSas({ counts: [8, 24], sizes: [64, 1420], seconds: 0.01, passes: 1, frames: 512, aead }),
      ...measureSas({ counts: [20], sizes: [64], seconds: 0.01, passes: 1, frames: 256, selectors: true, aead }),
    ];
    expect(rows.map((r) => [r.vpns, r.sas, r.selectors])).toEqual([[8, 16, false], [24, 48, false], [20, 40, true]]);
    for (const r of rows) {
      // Round robin over all VPNs, whole vectors: at least one pass through the input each way.
      expect(r.frames % 256).toBe(0);
      expect(r.encrypt.packets).toBeGreaterThanOrEqual(r.frames);
      expect(r.decrypt.packets).toBeGreaterThanOrEqual(r.frames);
      for (const x of [r.encrypt, r.decrypt]) {
        expect(x.mpps).toBeGreaterThan(0);
        expect(x.ratioToCeiling).toBeGreaterThan(0);
        expect(x.ratioToCeiling).toBeCloseTo(x.mpps / r.ceiling.mpps, 9);
        expect(x.ns).toBeCloseTo(1e3 / x.mpps, 3);
      }
      expect(r.buildSeconds).toBeGreaterThan(0);
      expect(r.buildSeconds).toBeCloseTo(r.build.espSa + r.build.text + r.build.parse + r.build.device, 9);
      // An SA: tens of bytes of rows, a key record (native: 448 B), an inbound one its 4096-bit window.
      expect(r.bytesPerSaExact).toBeGreaterThan(100);
      expect(r.bytesPerSaInbound).toBeGreaterThan(r.bytesPerSaOutbound + 500);
      expect(r.bytesPerSaExact).toBeCloseTo((r.bytesPerSaInbound + r.bytesPerSaOutbound) / 2, 6);
      expect(Number.isFinite(r.bytesPerSa) && Number.isFinite(r.bytesPerVpn)).toBe(true);
      expect(r.bytesPerVpn).toBeCloseTo(r.bytesPerVpnModel + r.bytesPerVpnDevice, 6);
    }
  });

  it('memory only', () => {
    const [r] = measureSas({ counts: [4], memoryOnly: true, aead });
    expect(r!.encrypt.packets).toBe(0);
    expect(Number.isNaN(r!.encrypt.mpps)).toBe(true);
    expect(r!.bytesPerSaExact).toBeGreaterThan(0);
  });
});
