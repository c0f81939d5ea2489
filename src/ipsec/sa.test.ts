import { describe, expect, it } from 'vitest';
import { aeadBackends } from '../crypto/backend.js';
import { type SaConfig, SaDatabase, SA_COUNTER_NAMES, C_REPLAY_ERRORS, C_UNKNOWN_SPI } from './sa.js';

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
    expect(db.findInbound(0x1000, '2001:db8::1')).toBe(b);
    expect(db.outbound(o.index)).toBe(o);
    expect(db.outbound(a.index)).toBeUndefined();
    expect(o.outerFamily).toBe(4);
    expect(b.outerFamily).toBe(6);
    db.close();
  });

  it('counters per SA and in total, with Junos names', () => {
    const db = new SaDatabase(be);
    const a = db.add(base);
    const b = db.add({ ...base, spi: 0x1001 });
    a.stats[C_REPLAY_ERRORS]! += 2;
    b.stats[C_REPLAY_ERRORS]! += 3;
    db.unattributed[C_UNKNOWN_SPI]! += 4;
    const t = db.totals();
    expect(Object.keys(t)).toEqual([...SA_COUNTER_NAMES]);
    expect(t.replay_errors).toBe(5);
    expect(t.unknown_spi).toBe(4);
    expect(a.counters().replay_errors).toBe(2);
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
});
