import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumAdd, checksumFold, checksumIncrementalUpdate, checksumIncrementalUpdate32, checksumVerifies,
  internetChecksum, ipv4HeaderChecksum, pseudoHeaderSum, pseudoHeaderSumFromIpv4, pseudoHeaderSumFromIpv6,
  pseudoHeaderSumIpv4,
} from './checksum.js';
import { parseIpv4 as parseIpv4Text } from './addr.js';
import { ipv4DecrementTtl, ipv4Ttl } from './ipv4.js';

/** Straightforward reference: sum of 16-bit words, end-around carry after each add. */
function refChecksum(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    s += (bytes[i]! << 8) | (i + 1 < bytes.length ? bytes[i + 1]! : 0);
    if (s > 0xffff) s = (s & 0xffff) + 1;
  }
  return ~s & 0xffff;
}

describe('Internet checksum', () => {
  it('RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(checksumFold(checksumAdd(b, 0, 8))).toBe(0xddf2);
    expect(internetChecksum(b, 0, 8)).toBe(0x220d);
  });

  it('known IPv4 header (4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7) has checksum b861', () => {
    const h = Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex'));
    expect(ipv4HeaderChecksum(h, 0, 20)).toBe(0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(checksumVerifies(h, 0, 20)).toBe(true);
    expect(ipv4HeaderChecksum(h, 0, 20)).toBe(0xb861); // field ignored
  });

  it('matches a reference implementation on random data, offsets and odd lengths', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(16), (data, pad) => {
      const b = new Uint8Array(pad + data.length);
      b.set(data, pad);
      expect(internetChecksum(b, pad, data.length)).toBe(refChecksum(data));
    }));
  });

  it('does not overflow on long runs of 0xff', () => {
    const b = new Uint8Array(1 << 20).fill(0xff);
    expect(internetChecksum(b, 0, b.length)).toBe(0);
  });

  it('RFC 1624 incremental update equals recomputation (TTL decrement)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 1, max: 255 }), (h, ttl) => {
      h[0] = 0x45;
      h[8] = ttl;
      const c = ipv4HeaderChecksum(h, 0, 20);
      h[10] = c >>> 8;
      h[11] = c & 0xff;
      ipv4DecrementTtl(h, 0);
      expect(ipv4Ttl(h, 0)).toBe(ttl - 1);
      expect(checksumVerifies(h, 0, 20)).toBe(true);
    }));
  });

  it('RFC 1624 section 4 example: ~(C + -m + m\') avoids the -0 result', () => {
    // RFC 1624 sec. 4: old checksum 0xdd2f, field 0x5555 -> 0x3285 gives 0x0000 (eqn 3), not 0xffff.
    expect(checksumIncrementalUpdate(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('32-bit incremental update equals recomputation (address rewrite)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(0xffffffff), (h, addr) => {
      h[0] = 0x45;
      const c = ipv4HeaderChecksum(h, 0, 20);
      const old = ((h[12]! << 24) | (h[13]! << 16) | (h[14]! << 8) | h[15]!) >>> 0;
      const n = checksumIncrementalUpdate32(c, old, addr);
      h[12] = addr >>> 24; h[13] = (addr >>> 16) & 0xff; h[14] = (addr >>> 8) & 0xff; h[15] = addr & 0xff;
      h[10] = n >>> 8;
      h[11] = n & 0xff;
      expect(checksumVerifies(h, 0, 20)).toBe(true);
    }));
  });

  it('pseudo-header sums agree between the address, text and header forms', () => {
    const ip4 = Uint8Array.from(Buffer.from('4500001c00000000401100000a0000010a000002', 'hex'));
    const a = pseudoHeaderSumIpv4(parseIpv4Text('10.0.0.1'), parseIpv4Text('10.0.0.2'), 17, 8);
    expect(checksumFold(a)).toBe(checksumFold(pseudoHeaderSumFromIpv4(ip4, 0, 17, 8)));
    expect(checksumFold(a)).toBe(checksumFold(pseudoHeaderSum({ src: '10.0.0.1', dst: '10.0.0.2' }, 17, 8)));
    const ip6 = new Uint8Array(40);
    ip6[8] = 0xfe; ip6[9] = 0x80; ip6[23] = 1; ip6[24] = 0xff; ip6[25] = 2; ip6[39] = 1;
    expect(checksumFold(pseudoHeaderSumFromIpv6(ip6, 0, 58, 32)))
      .toBe(checksumFold(pseudoHeaderSum({ src: 'fe80::1', dst: 'ff02::1' }, 58, 32)));
    expect(() => pseudoHeaderSum({ src: '10.0.0.1', dst: 'fe80::1' }, 17, 8)).toThrow();
  });
});
