import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4HeaderChecksum } from '../packet/checksum.js';
import { setIpv4Ttl } from './mpls.js';

describe('setIpv4Ttl (the last pop writes the label TTL into the IPv4 header)', () => {
  it('the incremental checksum update (RFC 1624) equals a full recomputation', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(255), (h, ttl) => {
      const d = Uint8Array.from(h);
      d[0] = 0x45;
      d[10] = 0;
      d[11] = 0;
      const c = ipv4HeaderChecksum(d, 0, 20);
      d[10] = c >> 8;
      d[11] = c & 0xff;
      setIpv4Ttl(d, 0, ttl);
      expect(d[8]).toBe(ttl);
      const check = Uint8Array.from(d);
      check[10] = 0;
      check[11] = 0;
      const want = ipv4HeaderChecksum(check, 0, 20);
      // Ones' complement has two zeros: 0x0000 and 0xffff checksum the same header.
      const got = (d[10] << 8) | d[11];
      expect(got === want || (got ^ want) === 0xffff).toBe(true);
    }));
  });
});
