import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from './addr.js';

describe('MAC', () => {
  it('round trips and normalises case', () => {
    expect(formatMac(parseMac('AA:bb:0c:dd:ee:FF'), 0)).toBe('aa:bb:0c:dd:ee:ff');
    expect(formatMac(parseMac('02-00-00-00-00-01'), 0)).toBe('02:00:00:00:00:01');
  });
  it('rejects invalid text', () => {
    for (const t of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa:bb:cc:dd:ee:fg', 'aaa:bb:cc:dd:ee:ff']) {
      expect(() => parseMac(t)).toThrow();
    }
  });
});

describe('IPv4', () => {
  it('round trips', () => {
    expect(parseIpv4('1.2.3.4')).toBe(0x01020304);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    fc.assert(fc.property(fc.nat(0xffffffff), (v) => { expect(parseIpv4(formatIpv4(v))).toBe(v); }));
  });
  it('rejects invalid text', () => {
    for (const t of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', '01.2.3.4', 'a.b.c.d', '1..3.4']) {
      expect(() => parseIpv4(t)).toThrow();
    }
  });
});

describe('IPv6', () => {
  const fmt = (t: string): string => formatIpv6(parseIpv6(t), 0);
  it('RFC 5952 recommended forms', () => {
    expect(fmt('2001:0db8:0000:0000:0000:0000:0002:0001')).toBe('2001:db8::2:1'); // 4.1 leading zeros
    expect(fmt('2001:db8:0:0:0:0:2:1')).toBe('2001:db8::2:1'); // 4.2.1 longest
    expect(fmt('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // 4.2.2 no :: for one group
    expect(fmt('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // 4.2.3 longest run
    expect(fmt('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // 4.2.3 first on tie
    expect(fmt('2001:DB8::AbCd')).toBe('2001:db8::abcd'); // 4.3 lower case
    expect(fmt('::')).toBe('::');
    expect(fmt('::1')).toBe('::1');
    expect(fmt('1::')).toBe('1::');
    expect(fmt('fe80::1')).toBe('fe80::1');
    expect(fmt('ff02:0:0:0:0:1:ff00:1')).toBe('ff02::1:ff00:1');
    expect(fmt('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4'); // 5: IPv4-mapped
    expect(fmt('::ffff:0102:0304')).toBe('::ffff:1.2.3.4');
    expect(fmt('64:ff9b::192.0.2.1')).toBe('64:ff9b::c000:201');
    expect(fmt('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(fmt('1:0:0:0:0:0:0:0')).toBe('1::');
  });
  it('parses embedded IPv4', () => {
    expect(Array.from(parseIpv6('::ffff:10.0.0.1').subarray(10))).toEqual([0xff, 0xff, 10, 0, 0, 1]);
    expect(Array.from(parseIpv6('1:2:3:4:5:6:1.2.3.4').subarray(12))).toEqual([1, 2, 3, 4]);
  });
  it('rejects invalid text', () => {
    for (const t of ['', ':', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1',
      '1:2:3:4:5:6:7::8', '::1.2.3', '::1.2.3.4:5', 'fe80::1%eth0', '1:2:3:4:5:6:7:1.2.3.4']) {
      expect(() => parseIpv6(t), t).toThrow();
    }
  });
  it('round trips random addresses, biased towards zero groups', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.nat(0xffff));
    fc.assert(fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (words) => {
      const b = new Uint8Array(16);
      words.forEach((w, i) => { b[2 * i] = w >>> 8; b[2 * i + 1] = w & 0xff; });
      const text = formatIpv6(b, 0);
      expect(Array.from(parseIpv6(text))).toEqual(Array.from(b));
      expect(formatIpv6(parseIpv6(text), 0)).toBe(text); // canonical is a fixed point
      expect(text).not.toMatch(/:::|(^|:)0[0-9a-f]/);
    }));
  });
});
