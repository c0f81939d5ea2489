// GRE (RFC 2784, RFC 2890) and MPLS label entries (RFC 3032): header building
// against hand-worked bytes from the RFC layouts, round trips, and malformed input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GRE_BAD_CHECKSUM, GRE_BAD_FLAGS, GRE_BAD_VERSION, GRE_OK, GRE_TRUNCATED, checkGre, greHeaderLen, greProtocol, parseGre, writeGre,
} from './gre.js';
import { mplsEntry, writeMplsEntry } from './mpls.js';
import { checksumVerifies } from './checksum.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('GRE header building', () => {
  it('the base header is flags/version 0 and the protocol type: 0x0800, 0x86dd, 0x8847', () => {
    const buf = new Uint8Array(4);
    for (const [proto, want] of [[0x0800, '00000800'], [0x86dd, '000086dd'], [0x8847, '00008847']] as const) {
      expect(writeGre(buf, 0, { protocolType: proto })).toBe(4);
      expect(hex(buf)).toBe(want);
      expect(checkGre(buf, 0, 4)).toBe(GRE_OK);
      expect([greHeaderLen(buf, 0), greProtocol(buf, 0)]).toEqual([4, proto]);
    }
  });

  it('checksum, key and sequence number come in RFC order (C, K, S), each 4 bytes; the checksum covers header and payload', () => {
    const buf = new Uint8Array(16 + 6);
    buf.set([1, 2, 3, 4, 5, 6], 16); // the payload, already in place
    expect(writeGre(buf, 0, { protocolType: 0x8847, checksum: true, key: 0xdeadbeef, seq: 7, payloadLength: 6 })).toBe(16);
    expect(hex(buf.subarray(0, 4))).toBe('b0008847');
    expect(hex(buf.subarray(6, 16))).toBe('0000deadbeef00000007');
    expect(checksumVerifies(buf, 0, buf.length)).toBe(true);
    expect(parseGre(buf, 0, buf.length)).toEqual({
      ok: true,
      value: {
        checksumPresent: true, keyPresent: true, seqPresent: true, version: 0, protocolType: 0x8847, headerLen: 16,
        checksum: (buf[4]! << 8) | buf[5]!, checksumOk: true, key: 0xdeadbeef, seq: 7,
      },
    });
    buf[20] ^= 1;
    expect(checkGre(buf, 0, buf.length)).toBe(GRE_BAD_CHECKSUM);
  });

  it('malformed headers: truncated, version other than 0, reserved or routing bits set', () => {
    expect(checkGre(Uint8Array.of(0, 0, 8), 0, 3)).toBe(GRE_TRUNCATED);
    expect(checkGre(Uint8Array.of(0x20, 0, 8, 0, 0), 0, 5)).toBe(GRE_TRUNCATED); // K set, no room for the key
    expect(checkGre(Uint8Array.of(0, 1, 8, 0), 0, 4)).toBe(GRE_BAD_VERSION);
    expect(checkGre(Uint8Array.of(0x40, 0, 8, 0), 0, 4)).toBe(GRE_BAD_FLAGS);
    expect(checkGre(Uint8Array.of(0, 0x80, 8, 0), 0, 4)).toBe(GRE_BAD_FLAGS);
  });

  it('never throws on garbage, and a valid verdict means the header fits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const code = checkGre(b, 0, b.length);
      const p = parseGre(b, 0, b.length);
      if (code === GRE_OK) expect(greHeaderLen(b, 0)).toBeLessThanOrEqual(b.length);
      expect(p.ok).toBe(code === GRE_OK || code === GRE_BAD_CHECKSUM);
    }));
  });
});

describe('MPLS label entry building (RFC 3032: label 20, TC 3, S 1, TTL 8 bits)', () => {
  it('hand-worked entries', () => {
    const b = new Uint8Array(4);
    writeMplsEntry(b, 0, 1000200, 0, true, 63); // 1000200 = 0xf4308
    expect(hex(b)).toBe('f430813f');
    writeMplsEntry(b, 0, 16, 5, false, 255);
    expect(hex(b)).toBe('00010aff');
    writeMplsEntry(b, 0, 1048575, 7, true, 1);
    expect(mplsEntry(b, 0)).toBe(0xffffff01);
  });
});
