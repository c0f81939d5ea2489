import { describe, expect, it } from 'vitest';
import { checksumVerifies } from './checksum.js';
import {
  checkIcmp, ICMP_BAD_CHECKSUM, ICMP_DEST_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_OK, ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED, ICMP_UNREACH_NEEDFRAG, icmpEchoId, icmpEchoSeq, icmpEchoToReplyInPlace, icmpType, parseIcmp,
  writeIcmp,
} from './icmp.js';
import {
  checkIpv4, IP_PROTO_AH, IP_PROTO_DSTOPTS, IP_PROTO_ESP, IP_PROTO_FRAGMENT, IP_PROTO_HOPOPT, IP_PROTO_ICMPV6,
  IP_PROTO_NONE, IP_PROTO_ROUTING, IP_PROTO_TCP, IP_PROTO_UDP, IPV4_BAD_CHECKSUM, IPV4_BAD_IHL,
  IPV4_BAD_TOTAL_LENGTH, IPV4_BAD_VERSION, IPV4_ERRORS, IPV4_OK, IPV4_OPT_NOP, IPV4_OPT_RA, IPV4_OPT_RR,
  IPV4_TRUNCATED, ipv4Dst, ipv4HeaderLen, ipv4IsFragment, ipv4Protocol, ipv4UpdateChecksum, ipv4Src, ipv4TotalLen, ipv4Ttl, parseIpv4,
  writeIpv4,
} from './ipv4.js';
import {
  checkIpv6, IPV6_BAD_EXTENSION_HEADER, IPV6_BAD_PAYLOAD_LENGTH, IPV6_BAD_VERSION, IPV6_OK, IPV6_OUT_EXT_COUNT,
  IPV6_OUT_FRAG_ID, IPV6_OUT_FRAG_MORE, IPV6_OUT_FRAG_OFFSET, IPV6_OUT_LEN, IPV6_OUT_NEXT_HEADER_OFFSET,
  IPV6_OUT_OFFSET, IPV6_OUT_PROTOCOL, IPV6_TRUNCATED, ipv6HopLimit, ipv6PayloadLen, ipv6WalkExtensions,
  parseIpv6, writeIpv6,
} from './ipv6.js';

describe('IPv4', () => {
  const base = { tos: 0x10, totalLength: 40, id: 0x1234, flags: 2, fragmentOffset: 0, ttl: 64, protocol: IP_PROTO_UDP, src: '10.0.0.1', dst: '192.168.1.254' };

  it('round trips a plain header and its checksum', () => {
    const buf = new Uint8Array(64);
    expect(writeIpv4(buf, 1, base)).toBe(20);
    expect(checkIpv4(buf, 1, 40)).toBe(IPV4_OK);
    const r = parseIpv4(buf, 1, 40);
    expect(r).toEqual({
      ok: true,
      value: { version: 4, headerLen: 20, ...base, checksum: (buf[11]! << 8) | buf[12]!, checksumOk: true, options: [] },
    });
    expect([ipv4Ttl(buf, 1), ipv4Protocol(buf, 1), ipv4Src(buf, 1), ipv4Dst(buf, 1), ipv4TotalLen(buf, 1)])
      .toEqual([64, 17, 0x0a000001, 0xc0a801fe, 40]);
    expect(ipv4IsFragment(buf, 1)).toBe(false);
  });

  it('round trips options (NOP, router alert, record route) padded to 4 bytes', () => {
    const options = [
      { type: IPV4_OPT_NOP, data: new Uint8Array(0) },
      { type: IPV4_OPT_RA, data: Uint8Array.of(0, 0) },
      { type: IPV4_OPT_RR, data: Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0) },
    ];
    const buf = new Uint8Array(80);
    const hl = writeIpv4(buf, 0, { ...base, totalLength: 60, options, flags: 1, fragmentOffset: 100 });
    expect(hl).toBe(36);
    expect(ipv4HeaderLen(buf, 0)).toBe(36);
    const r = parseIpv4(buf, 0, 60);
    expect(r.ok && r.value.options).toEqual(options);
    expect(r.ok && [r.value.flags, r.value.fragmentOffset]).toEqual([1, 100]);
    expect(ipv4IsFragment(buf, 0)).toBe(true);
    // Bad option length inside a header with a good checksum.
    const bad = buf.slice();
    bad[22] = 40;
    ipv4UpdateChecksum(bad, 0);
    expect(parseIpv4(bad, 0, 60)).toEqual({ ok: false, error: 'ipv4_bad_options' });
  });

  it('reports every malformation with its counter name', () => {
    const buf = new Uint8Array(40);
    writeIpv4(buf, 0, base);
    for (let l = 0; l < 40; l++) {
      const r = parseIpv4(buf, 0, l);
      expect(r.ok).toBe(false);
      expect(['ipv4_truncated', 'ipv4_bad_total_length']).toContain(r.ok ? '' : r.error);
      expect(checkIpv4(buf, 0, l)).toBe(l < 20 ? IPV4_TRUNCATED : IPV4_BAD_TOTAL_LENGTH);
    }
    const v = buf.slice(); v[0] = 0x65;
    expect(checkIpv4(v, 0, 40)).toBe(IPV4_BAD_VERSION);
    expect(parseIpv4(v, 0, 40)).toEqual({ ok: false, error: 'ipv4_bad_version' });
    const ihl = buf.slice(); ihl[0] = 0x44;
    expect(checkIpv4(ihl, 0, 40)).toBe(IPV4_BAD_IHL);
    expect(parseIpv4(ihl, 0, 40)).toEqual({ ok: false, error: 'ipv4_bad_ihl' });
    const ihlLong = buf.slice(); ihlLong[0] = 0x4f; // 60-byte header in a 40-byte packet
    expect(checkIpv4(ihlLong, 0, 40)).toBe(IPV4_TRUNCATED);
    const tl = buf.slice(); tl[3] = 19; // total length < header length
    expect(checkIpv4(tl, 0, 40, false)).toBe(IPV4_BAD_TOTAL_LENGTH);
    const ck = buf.slice(); ck[8] = 63;
    expect(checkIpv4(ck, 0, 40)).toBe(IPV4_BAD_CHECKSUM);
    expect(checkIpv4(ck, 0, 40, false)).toBe(IPV4_OK);
    expect(parseIpv4(ck, 0, 40)).toEqual({ ok: false, error: 'ipv4_bad_checksum' });
    expect(parseIpv4(ck, 0, 40, { verifyChecksum: false }).ok).toBe(true);
    expect(checkIpv4(buf, 0, 60)).toBe(IPV4_OK); // Ethernet padding after the datagram is fine
    expect(IPV4_ERRORS).toEqual(['ok', 'ipv4_truncated', 'ipv4_bad_version', 'ipv4_bad_ihl', 'ipv4_bad_total_length', 'ipv4_bad_checksum', 'ipv4_bad_options']);
    expect(parseIpv4(buf, 30, 20)).toEqual({ ok: false, error: 'ipv4_truncated' }); // range outside the buffer
  });
});

describe('IPv6', () => {
  const base = { trafficClass: 0xb8, flowLabel: 0xabcde, hopLimit: 255, src: 'fe80::1', dst: 'ff02::1:ff00:1' };

  it('round trips a plain header', () => {
    const buf = new Uint8Array(64);
    expect(writeIpv6(buf, 2, { ...base, payloadLength: 8, nextHeader: IP_PROTO_UDP })).toBe(40);
    expect(checkIpv6(buf, 2, 48)).toBe(IPV6_OK);
    const r = parseIpv6(buf, 2, 48);
    expect(r).toEqual({
      ok: true,
      value: { version: 6, ...base, payloadLength: 8, nextHeader: 17, extensions: [], upperProtocol: 17, upperOffset: 40 },
    });
    expect(ipv6HopLimit(buf, 2)).toBe(255);
    expect(ipv6PayloadLen(buf, 2)).toBe(8);
  });

  it('round trips hop-by-hop, routing, fragment, destination options and AH', () => {
    const ah = Uint8Array.of(0, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    const exts = [
      { type: IP_PROTO_HOPOPT, data: Uint8Array.of(5, 2, 0, 0) }, // router alert, padded with PadN
      { type: IP_PROTO_ROUTING, data: Uint8Array.of(4, 0, 0, 0, 0, 0, ...new Array(16).fill(0xaa)) },
      { type: IP_PROTO_FRAGMENT, fragmentOffset: 0, moreFragments: true, identification: 0xdeadbeef },
      { type: IP_PROTO_AH, data: ah },
      { type: IP_PROTO_DSTOPTS, data: new Uint8Array(6) },
    ];
    const buf = new Uint8Array(200);
    const n = writeIpv6(buf, 0, { ...base, payloadLength: 8 + 24 + 8 + 24 + 8 + 8, nextHeader: IP_PROTO_TCP, extensions: exts });
    expect(n).toBe(40 + 72);
    const r = parseIpv6(buf, 0, 200);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.extensions.map((e) => [e.type, e.offset, e.length])).toEqual([
      [0, 40, 8], [43, 48, 24], [44, 72, 8], [51, 80, 24], [60, 104, 8],
    ]);
    expect(r.value.extensions[0]!.data).toEqual(Uint8Array.of(5, 2, 0, 0, 1, 0));
    expect(r.value.extensions[2]).toMatchObject({ fragmentOffset: 0, moreFragments: true, identification: 0xdeadbeef });
    expect(r.value.extensions[3]!.data).toEqual(ah);
    expect([r.value.upperProtocol, r.value.upperOffset]).toEqual([IP_PROTO_TCP, 112]);
    const out = new Int32Array(IPV6_OUT_LEN);
    expect(ipv6WalkExtensions(buf, 0, 40 + 80, out)).toBe(IPV6_OK);
    expect(Array.from(out)).toEqual([IP_PROTO_TCP, 112, 0, 1, 0xdeadbeef | 0, 5, 104]);
    expect(out[IPV6_OUT_NEXT_HEADER_OFFSET]).toBe(104);
    // Chain running past the end at every cut inside the extension headers.
    for (let l = 40; l < 112; l++) {
      expect(ipv6WalkExtensions(buf, 0, l, out)).toBe(IPV6_BAD_EXTENSION_HEADER);
    }
  });

  it('stops at ESP, no-next-header, and after a non-first fragment', () => {
    const buf = new Uint8Array(100);
    const out = new Int32Array(IPV6_OUT_LEN);
    for (const upper of [IP_PROTO_ESP, IP_PROTO_NONE, IP_PROTO_ICMPV6]) {
      writeIpv6(buf, 0, { ...base, payloadLength: 16, nextHeader: upper, extensions: [{ type: IP_PROTO_DSTOPTS }] });
      expect(ipv6WalkExtensions(buf, 0, 56, out)).toBe(IPV6_OK);
      expect([out[IPV6_OUT_PROTOCOL], out[IPV6_OUT_OFFSET], out[IPV6_OUT_FRAG_OFFSET]]).toEqual([upper, 48, -1]);
    }
    writeIpv6(buf, 0, { ...base, payloadLength: 16, nextHeader: IP_PROTO_UDP, extensions: [{ type: IP_PROTO_FRAGMENT, fragmentOffset: 1232, identification: 9 }, { type: IP_PROTO_DSTOPTS }] });
    expect(ipv6WalkExtensions(buf, 0, 56, out)).toBe(IPV6_OK);
    expect([out[IPV6_OUT_PROTOCOL], out[IPV6_OUT_OFFSET], out[IPV6_OUT_FRAG_OFFSET], out[IPV6_OUT_FRAG_MORE], out[IPV6_OUT_FRAG_ID], out[IPV6_OUT_EXT_COUNT]])
      .toEqual([IP_PROTO_DSTOPTS, 48, 1232, 0, 9, 1]);
  });

  it('reports malformations', () => {
    const buf = new Uint8Array(100);
    writeIpv6(buf, 0, { ...base, payloadLength: 16, nextHeader: IP_PROTO_UDP, extensions: [{ type: IP_PROTO_DSTOPTS }, { type: IP_PROTO_HOPOPT }] });
    expect(parseIpv6(buf, 0, 56)).toEqual({ ok: false, error: 'ipv6_bad_extension_header' }); // HBH not first
    for (let l = 0; l < 40; l++) expect(checkIpv6(buf, 0, l)).toBe(IPV6_TRUNCATED);
    expect(parseIpv6(buf, 0, 39)).toEqual({ ok: false, error: 'ipv6_truncated' });
    expect(parseIpv6(buf, 0, 55)).toEqual({ ok: false, error: 'ipv6_bad_payload_length' });
    expect(checkIpv6(buf, 0, 55)).toBe(IPV6_BAD_PAYLOAD_LENGTH);
    const v = buf.slice(); v[0] = 0x45;
    expect(checkIpv6(v, 0, 56)).toBe(IPV6_BAD_VERSION);
    expect(parseIpv6(v, 0, 56)).toEqual({ ok: false, error: 'ipv6_bad_version' });
    // Hdr Ext Len pointing past the payload.
    writeIpv6(buf, 0, { ...base, payloadLength: 8, nextHeader: IP_PROTO_UDP, extensions: [{ type: IP_PROTO_DSTOPTS }] });
    buf[41] = 3;
    expect(parseIpv6(buf, 0, 100)).toEqual({ ok: false, error: 'ipv6_bad_extension_header' });
    // AH with payload length 0.
    writeIpv6(buf, 0, { ...base, payloadLength: 16, nextHeader: IP_PROTO_UDP, extensions: [{ type: IP_PROTO_AH, data: new Uint8Array(14) }] });
    buf[41] = 0;
    expect(parseIpv6(buf, 0, 100)).toEqual({ ok: false, error: 'ipv6_bad_extension_header' });
    // 17 chained destination options headers.
    writeIpv6(buf, 0, { ...base, payloadLength: 0, nextHeader: IP_PROTO_NONE });
    const long = new Uint8Array(40 + 17 * 8);
    long.set(buf.subarray(0, 40));
    long[4] = 0; long[5] = 17 * 8; long[6] = IP_PROTO_DSTOPTS;
    for (let i = 0; i < 17; i++) long[40 + 8 * i] = i === 16 ? IP_PROTO_NONE : IP_PROTO_DSTOPTS;
    expect(parseIpv6(long, 0, long.length)).toEqual({ ok: false, error: 'ipv6_bad_extension_header' });
  });
});

describe('ICMP', () => {
  it('round trips echo, frag-needed, redirect and time exceeded', () => {
    const buf = new Uint8Array(64);
    const payload = Uint8Array.of(1, 2, 3, 4, 5);
    expect(writeIcmp(buf, 1, { type: ICMP_ECHO_REQUEST, code: 0, id: 1, seq: 2, payload })).toBe(13);
    expect(checkIcmp(buf, 1, 13)).toBe(ICMP_OK);
    const r = parseIcmp(buf, 1, 13);
    expect(r.ok && r.value).toMatchObject({ type: 8, code: 0, id: 1, seq: 2, checksumOk: true, payloadLength: 5 });
    expect([icmpType(buf, 1), icmpEchoId(buf, 1), icmpEchoSeq(buf, 1)]).toEqual([8, 1, 2]);
    icmpEchoToReplyInPlace(buf, 1);
    expect(icmpType(buf, 1)).toBe(ICMP_ECHO_REPLY);
    expect(checksumVerifies(buf, 1, 13)).toBe(true);
    writeIcmp(buf, 0, { type: ICMP_DEST_UNREACHABLE, code: ICMP_UNREACH_NEEDFRAG, mtu: 1400, payloadLength: 28 });
    expect(parseIcmp(buf, 0, 36)).toMatchObject({ ok: true, value: { mtu: 1400, checksumOk: true } });
    writeIcmp(buf, 0, { type: ICMP_REDIRECT, code: 1, gateway: 0x0a000001 });
    expect(parseIcmp(buf, 0, 8)).toMatchObject({ ok: true, value: { gateway: '10.0.0.1' } });
    writeIcmp(buf, 0, { type: ICMP_TIME_EXCEEDED, code: 0 });
    expect(parseIcmp(buf, 0, 8)).toMatchObject({ ok: true, value: { type: 11, rest: 0 } });
    for (let l = 0; l < 8; l++) expect(parseIcmp(buf, 0, l)).toEqual({ ok: false, error: 'icmp_truncated' });
    buf[4] = 9;
    expect(checkIcmp(buf, 0, 8)).toBe(ICMP_BAD_CHECKSUM);
  });
});
