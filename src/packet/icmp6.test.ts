import { describe, expect, it } from 'vitest';
import { pseudoHeaderSum } from './checksum.js';
import {
  checkIcmp6, checkNd, ICMP6_BAD_CHECKSUM, ICMP6_BAD_ND_OPTION, ICMP6_ECHO_REQUEST, ICMP6_ND_BAD_CODE,
  ICMP6_ND_BAD_HOP_LIMIT, ICMP6_ND_BAD_TARGET, ICMP6_OK, ICMP6_PACKET_TOO_BIG, ICMP6_TRUNCATED, ND_NA_FLAG_OVERRIDE,
  ND_NA_FLAG_SOLICITED, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, ND_OPT_DNSSL, ND_OPT_MTU, ND_OPT_NONCE,
  ND_OPT_PREF64, ND_OPT_PREFIX_INFO, ND_OPT_RDNSS, ND_OPT_REDIRECTED_HEADER, ND_OPT_SOURCE_LINK_ADDR,
  ND_OPT_TARGET_LINK_ADDR, ND_REDIRECT, ND_ROUTER_ADVERT, ND_ROUTER_SOLICIT, ndFindOption, type Icmp6Write,
  parseIcmp6, writeIcmp6,
} from './icmp6.js';

const pseudo = { src: 'fe80::1', dst: 'ff02::1' };

function roundTrip(m: Icmp6Write): void {
  const buf = new Uint8Array(512);
  const n = writeIcmp6(buf, 3, m, pseudo);
  const r = parseIcmp6(buf, 3, n, pseudo);
  if (!r.ok) throw new Error(r.error);
  expect(r.value.checksumOk).toBe(true);
  const { payload: _p, ...rest } = m;
  const expected = { ...rest, options: rest.options?.map((o) => ({ ...o, length: expect.any(Number) })) };
  if (!rest.options) delete expected.options;
  expect(r.value).toMatchObject(expected);
  expect(checkIcmp6(buf, 3, n, pseudoHeaderSum(pseudo, 58, n))).toBe(ICMP6_OK);
  if (m.type >= 133 && m.type <= 137) expect(checkNd(buf, 3, n, 255)).toBe(ICMP6_OK);
  // Truncated at every length: never ok past the fixed part, never throws.
  for (let l = 0; l < n; l++) {
    const t = parseIcmp6(buf, 3, l);
    if (t.ok) expect(l).toBeGreaterThanOrEqual(m.type >= 133 && m.type <= 137 ? 8 : 8);
    else expect(['icmp6_truncated', 'icmp6_bad_nd_option']).toContain(t.error);
  }
}

describe('ICMPv6 and ND', () => {
  it('round trips echo and packet too big', () => {
    roundTrip({ type: ICMP6_ECHO_REQUEST, code: 0, id: 7, seq: 9, payload: Uint8Array.of(1, 2, 3), payloadLength: 3 });
    roundTrip({ type: ICMP6_PACKET_TOO_BIG, code: 0, mtu: 1280, payload: new Uint8Array(48), payloadLength: 48 });
  });

  it('round trips RS, RA, NS, NA and redirect with every option type', () => {
    roundTrip({ type: ND_ROUTER_SOLICIT, code: 0, options: [{ type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:01' }] });
    roundTrip({
      type: ND_ROUTER_ADVERT, code: 0, curHopLimit: 64, flags: 0xc8, routerLifetime: 1800, reachableTime: 30000, retransTimer: 1000,
      options: [
        { type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:01' },
        { type: ND_OPT_MTU, mtu: 1500 },
        { type: ND_OPT_PREFIX_INFO, prefixLength: 64, flags: 0xc0, validLifetime: 2592000, preferredLifetime: 604800, prefix: '2001:db8:1::' },
        { type: ND_OPT_RDNSS, lifetime: 300, addresses: ['2001:db8::53', '2001:db8::54'] },
        { type: ND_OPT_DNSSL, lifetime: 300, domains: ['example.com', 'corp.example.org'] },
        { type: ND_OPT_PREF64, scaledLifetime: 225, prefixLength: 96, prefix: '64:ff9b::' },
        { type: ND_OPT_PREF64, scaledLifetime: 1, prefixLength: 56, prefix: '2001:db8:100::' },
        { type: 24, data: Uint8Array.of(48, 0x08, 0, 0, 0, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0) }, // unknown: kept raw
      ],
    });
    roundTrip({
      type: ND_NEIGHBOR_SOLICIT, code: 0, target: '2001:db8::1',
      options: [{ type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:01' }, { type: ND_OPT_NONCE, nonce: Uint8Array.of(1, 2, 3, 4, 5, 6) }],
    });
    roundTrip({
      type: ND_NEIGHBOR_ADVERT, code: 0, flags: ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE, target: '2001:db8::1',
      options: [{ type: ND_OPT_TARGET_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:02' }],
    });
    roundTrip({
      type: ND_REDIRECT, code: 0, target: 'fe80::2', destination: '2001:db8::99',
      options: [{ type: ND_OPT_TARGET_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:02' }, { type: ND_OPT_REDIRECTED_HEADER, redirectedPacket: new Uint8Array(48).fill(0x60) }],
    });
  });

  it('finds options without allocating', () => {
    const buf = new Uint8Array(128);
    const n = writeIcmp6(buf, 0, {
      type: ND_NEIGHBOR_SOLICIT, code: 0, target: '2001:db8::1',
      options: [{ type: ND_OPT_NONCE, nonce: new Uint8Array(6) }, { type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:01' }],
    }, pseudo);
    expect(ndFindOption(buf, 24, n, ND_OPT_SOURCE_LINK_ADDR)).toBe(32);
    expect(ndFindOption(buf, 24, n, ND_OPT_TARGET_LINK_ADDR)).toBe(-1);
  });

  it('rejects option length 0, options past the end, bad known-option sizes and bad DNSSL labels', () => {
    const buf = new Uint8Array(128);
    const n = writeIcmp6(buf, 0, {
      type: ND_NEIGHBOR_SOLICIT, code: 0, target: '2001:db8::1',
      options: [{ type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: '02:00:00:00:00:01' }],
    }, pseudo);
    const z = buf.slice(); z[25] = 0;
    expect(parseIcmp6(z, 0, n)).toEqual({ ok: false, error: 'icmp6_bad_nd_option' });
    expect(checkNd(z, 0, n, 255)).toBe(ICMP6_BAD_ND_OPTION);
    const past = buf.slice(); past[25] = 2;
    expect(parseIcmp6(past, 0, n)).toEqual({ ok: false, error: 'icmp6_bad_nd_option' });
    expect(parseIcmp6(buf, 0, n - 1)).toEqual({ ok: false, error: 'icmp6_bad_nd_option' });
    const mtu = new Uint8Array(64);
    const m = writeIcmp6(mtu, 0, { type: ND_ROUTER_ADVERT, code: 0, options: [{ type: ND_OPT_MTU, mtu: 1500 }, { type: 99 }] });
    mtu[17] = 2; // MTU option claiming 16 bytes
    expect(parseIcmp6(mtu, 0, m)).toEqual({ ok: false, error: 'icmp6_bad_nd_option' });
    const d = new Uint8Array(64);
    const dl = writeIcmp6(d, 0, { type: ND_ROUTER_ADVERT, code: 0, options: [{ type: ND_OPT_DNSSL, lifetime: 1, domains: ['a.b'] }] });
    d[24] = 0xc0; // compression pointer is not allowed in DNSSL
    expect(parseIcmp6(d, 0, dl)).toEqual({ ok: false, error: 'icmp6_bad_nd_option' });
  });

  it('validates ND hop limit, code, target, checksum and length', () => {
    const buf = new Uint8Array(64);
    const n = writeIcmp6(buf, 0, { type: ND_NEIGHBOR_SOLICIT, code: 0, target: '2001:db8::1' }, pseudo);
    expect(checkNd(buf, 0, n, 64)).toBe(ICMP6_ND_BAD_HOP_LIMIT);
    const c = buf.slice(); c[1] = 1;
    expect(checkNd(c, 0, n, 255)).toBe(ICMP6_ND_BAD_CODE);
    const t = buf.slice(); t[8] = 0xff;
    expect(checkNd(t, 0, n, 255)).toBe(ICMP6_ND_BAD_TARGET);
    expect(checkNd(buf, 0, 23, 255)).toBe(ICMP6_TRUNCATED);
    expect(checkIcmp6(c, 0, n, pseudoHeaderSum(pseudo, 58, n))).toBe(ICMP6_BAD_CHECKSUM);
    expect(parseIcmp6(c, 0, n, pseudo)).toEqual({ ok: false, error: 'icmp6_bad_checksum' });
    expect(parseIcmp6(buf, 0, n, { src: 'fe80::2', dst: 'ff02::1' })).toEqual({ ok: false, error: 'icmp6_bad_checksum' });
  });
});
