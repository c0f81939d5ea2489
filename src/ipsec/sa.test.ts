import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aeadBackends } from '../crypto/backend.js';
import { type SaConfig, SaDatabase, SA_COUNTER_NAMES, C_UNKNOWN_SPI, S_PACKETS, S_REPLAY_ERRORS } from './sa.js';

const key = new Uint8Array(16).fill(1);
const salt = Uint8Array.of(1, 2, 3, 4);
const base: SaConfig = { spi: 0x1000, direction: 'inbound', mode: 'tunnel', cipher: 'aes-128-gcm', key, salt };

describe('SA database', () => {
  const be = aeadBackends().at(-1)!;

  it('finds inbound SAs by SPI, and by destination when SPIs are shared', () => {
    const db = new SaDatabase(be);
    const a = db.add({ ...base, tunnelDst: '10.0.0.1' });
    const b = db.add({ ...base, tunnelDst: '2001:db8::1' });
    const c = db.add({ ...base, spi: 0x2000 });
    const o = db.add({ ...base, direction: 'outbound', tunnelSrc: '10.0.0.1', tunnelDst: '10.0.0.2' });
    const pkt = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 9);
    expect(db.lookupInbound(0x1000, pkt, 0, 4)).toBe(a.index);
    expect(db.lookupInbound(0x1000, pkt, 4, 4)).toBe(-1);
    const v6 = new Uint8Array(16);
    v6.set([0x20, 0x01, 0x0d, 0xb8], 0);
    v6[15] = 1;
    expect(db.lookupInbound(0x1000, v6, 0, 16)).toBe(b.index);
    expect(db.lookupInbound(0x2000, pkt, 4, 4)).toBe(c.index); // no destination configured: any
    expect(db.lookupInbound(0x3000, pkt, 0, 4)).toBe(-1);
    expect(db.findInbound(0x1000, '2001:db8::1')?.index).toBe(b.index);
    expect(db.outbound(o.index)?.index).toBe(o.index);
    expect(db.outbound(a.index)).toBeUndefined();
    expect(o.outerFamily).toBe(4);
    expect(b.outerFamily).toBe(6);
    db.close();
  });

  it('counters per SA and in total, with Junos names', () => {
    const db = new SaDatabase(be);
    const a = db.add(base);
    const b = db.add({ ...base, spi: 0x1001 });
    const o = db.add({ ...base, spi: 0x1002, direction: 'outbound', tunnelSrc: '10.0.0.1', tunnelDst: '10.0.0.2' });
    a.stats[S_REPLAY_ERRORS]! += 2;
    b.stats[S_REPLAY_ERRORS]! += 3;
    a.stats[S_PACKETS]! += 7;
    o.stats[S_PACKETS]! += 9;
    db.unattributed[C_UNKNOWN_SPI]! += 4;
    const t = db.totals();
    expect(Object.keys(t)).toEqual([...SA_COUNTER_NAMES]);
    expect(t.replay_errors).toBe(5);
    expect(t.unknown_spi).toBe(4);
    expect(t.decrypted_packets).toBe(7);
    expect(t.encrypted_packets).toBe(9);
    expect(a.counters().replay_errors).toBe(2);
    expect(o.counters()).toMatchObject({ encrypted_packets: 9, decrypted_packets: 0, replay_errors: 0 });
  });

  it('seeds: outbound next sequence number (default 1), inbound highest seen, 64-bit as BigInt', () => {
    const db = new SaDatabase(be);
    expect([db.add({ ...base, direction: 'outbound', mode: 'transport' }).seqLo]).toEqual([1]);
    const o = db.add({ ...base, spi: 0x1001, direction: 'outbound', mode: 'transport', esn: true, seq: 0x1_0000_0005n });
    expect([o.seqHi, o.seqLo]).toEqual([1, 5]);
    const i = db.add({ ...base, spi: 0x1002, esn: true, highestSeen: 0xffff_ffff_ffff_fff0n });
    expect([i.replay.topHi, i.replay.topLo]).toEqual([0xffffffff, 0xfffffff0]);
    expect(i.replay.size).toBe(4096);
  });

  it('lists every configuration problem at once', () => {
    const db = new SaDatabase(be);
    expect(() =>
      db.add({
        ...base, spi: 0, cipher: 'aes-256-gcm', salt: Uint8Array.of(1), icvLength: 10 as 16, replayWindowSize: 16,
        direction: 'outbound', seq: 0x1_0000_0000n, tunnelSrc: '10.0.0.1', tunnelDst: '2001:db8::1',
      }),
    ).toThrow(/SPI 0 is reserved.*32-byte key.*salt must be 4 bytes.*ICV length 10.*different address families.*window size 16.*needs ESN/);
    db.add(base);
    expect(() => db.add(base)).toThrow(/same destination/);
    expect(() => db.add({ ...base, direction: 'outbound', spi: 0x5000 })).toThrow(/needs tunnelSrc and tunnelDst/);
  });

  it('gives back its configuration (addresses as they were spelled, the key for esp_sa files)', () => {
    const db = new SaDatabase(be);
    const cfg: SaConfig = {
      name: 'V1', spi: 0xfedcba98, direction: 'outbound', mode: 'tunnel', cipher: 'aes-256-gcm', icvLength: 12,
      key: Uint8Array.from({ length: 32 }, (_, i) => i), salt: Uint8Array.of(9, 8, 7, 6), esn: true, antiReplay: false,
      replayWindowSize: 1024, dfBit: 'set', copyOuterDscp: true, tunnelSrc: '2001:DB8:0::1', tunnelDst: '2001:db8::2',
    };
    const sa = db.add(cfg);
    expect(sa.config).toEqual(cfg);
    expect([sa.outerFamily, sa.icvLen, sa.esn, sa.cipher, sa.spi]).toEqual([6, 12, true, 'aes-256-gcm', 0xfedcba98]);
    const t = db.add({ ...base, mode: 'transport' });
    expect(t.config).toEqual({ ...base, mode: 'transport', icvLength: 16, esn: false, antiReplay: true, replayWindowSize: 4096, dfBit: 'copy', copyOuterDscp: false });
    expect(t.outerFamily).toBe(0);
    db.close();
  });

  it('inbound lookups over thousands of SAs (shared SPIs by destination, SPIs above 2^31) match a Map, before and after trim()', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ spi: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 0xffffffff })), dst: fc.integer({ min: 0, max: 3 }), out: fc.boolean() }), { maxLength: 3000 }),
      (list) => {
        const db = new SaDatabase(be);
        const model = new Map<string, number>();
        const dsts = ['10.0.0.1', '10.0.0.2', '2001:db8::1', undefined];
        for (const x of list) {
          const dst = dsts[x.dst];
          const k = `${x.spi}/${dst}`;
          if (!x.out && model.has(k)) continue;
          const sa = db.add({ ...base, spi: x.spi, direction: x.out ? 'outbound' : 'inbound', mode: 'transport', tunnelDst: dst });
          if (!x.out) model.set(k, sa.index);
        }
        const pkt = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3);
        const v6 = new Uint8Array(16);
        v6.set([0x20, 0x01, 0x0d, 0xb8], 0);
        v6[15] = 1;
        const check = (): void => {
          for (const x of list) {
            const want = (d: number): number => model.get(`${x.spi}/${dsts[d]}`) ?? model.get(`${x.spi}/undefined`) ?? -1;
            expect(db.lookupInbound(x.spi, pkt, 0, 4)).toBe(want(0));
            expect(db.lookupInbound(x.spi, pkt, 4, 4)).toBe(want(1));
            expect(db.lookupInbound(x.spi, pkt, 8, 4)).toBe(model.get(`${x.spi}/undefined`) ?? -1);
            expect(db.lookupInbound(x.spi, v6, 0, 16)).toBe(want(2));
          }
          expect(db.lookupInbound(0, pkt, 0, 4)).toBe(-1);
        };
        check();
        db.trim();
        check();
        db.close();
      },
    ), { numRuns: 25 });
  });
});
