import { describe, expect, it } from 'vitest';
import { checkEsp, ESP_BAD_SPI, ESP_OK, espSeq, espSpi, isNonEspMarker, parseEsp, writeEsp } from './esp.js';
import {
  checkGre, GRE_BAD_CHECKSUM, GRE_BAD_FLAGS, GRE_BAD_VERSION, GRE_OK, greHeaderLen, greKey, greProtocol, greSeq,
  parseGre, writeGre,
} from './gre.js';
import {
  checkTcp, formatTcpFlags, parseTcp, TCP_BAD_CHECKSUM, TCP_BAD_DATA_OFFSET, TCP_FLAG_ACK, TCP_FLAG_PSH, TCP_FLAG_SYN,
  TCP_OK, tcpDataOffset, tcpFlags, writeTcp,
} from './tcp.js';
import { checkUdp, parseUdp, UDP_BAD_CHECKSUM, UDP_BAD_LENGTH, UDP_OK, UDP_TRUNCATED, udpDstPort, writeUdp } from './udp.js';
import { checkVxlan, parseVxlan, VXLAN_NO_VNI, VXLAN_OK, vxlanVni, writeVxlan, writeVxlanVni } from './vxlan.js';
import { pseudoHeaderSum } from './checksum.js';

const v4 = { src: '10.0.0.1', dst: '10.0.0.2' };
const v6 = { src: '2001:db8::1', dst: '2001:db8::2' };

describe('UDP', () => {
  it('round trips with IPv4 and IPv6 pseudo-header checksums', () => {
    for (const p of [v4, v6]) {
      const buf = new Uint8Array(64);
      writeUdp(buf, 1, { srcPort: 49152, dstPort: 4789, payload: Uint8Array.of(1, 2, 3) }, p);
      expect(parseUdp(buf, 1, 11, p)).toMatchObject({ ok: true, value: { srcPort: 49152, dstPort: 4789, length: 11, checksumOk: true } });
      expect(checkUdp(buf, 1, 11, pseudoHeaderSum(p, 17, 11))).toBe(UDP_OK);
      expect(udpDstPort(buf, 1)).toBe(4789);
      buf[10] ^= 1;
      expect(checkUdp(buf, 1, 11, pseudoHeaderSum(p, 17, 11))).toBe(UDP_BAD_CHECKSUM);
      expect(parseUdp(buf, 1, 11, p)).toEqual({ ok: false, error: 'udp_bad_checksum' });
    }
  });

  it('reports truncation and bad lengths; zero checksum rules', () => {
    const buf = new Uint8Array(16);
    writeUdp(buf, 0, { srcPort: 1, dstPort: 2, length: 16 });
    for (let l = 0; l < 8; l++) expect(checkUdp(buf, 0, l)).toBe(UDP_TRUNCATED);
    for (let l = 8; l < 16; l++) expect(parseUdp(buf, 0, l)).toEqual({ ok: false, error: 'udp_bad_length' });
    buf[5] = 7;
    expect(checkUdp(buf, 0, 16)).toBe(UDP_BAD_LENGTH);
    buf[5] = 16;
    expect(checkUdp(buf, 0, 16, 0)).toBe(UDP_OK); // zero checksum: not computed (IPv4)
    expect(checkUdp(buf, 0, 16, 0, false)).toBe(UDP_BAD_CHECKSUM); // IPv6 requires one
  });
});

describe('TCP', () => {
  it('round trips ports, flags, data offset and options with checksum', () => {
    const buf = new Uint8Array(100);
    const options = Uint8Array.of(2, 4, 0x05, 0xb4, 1, 3, 3, 7); // MSS 1460, NOP, WS 7
    const h = writeTcp(buf, 0, { srcPort: 1234, dstPort: 80, seq: 0xfffffff0, ack: 5, flags: TCP_FLAG_SYN | TCP_FLAG_ACK, window: 1000, options, payload: Uint8Array.of(9, 9) }, v4);
    expect(h).toBe(28);
    const r = parseTcp(buf, 0, 30, v4);
    expect(r).toMatchObject({ ok: true, value: { srcPort: 1234, dstPort: 80, seq: 0xfffffff0, ack: 5, dataOffset: 28, flags: 0x12, window: 1000, options, checksumOk: true } });
    expect([tcpDataOffset(buf, 0), tcpFlags(buf, 0)]).toEqual([28, 0x12]);
    expect(formatTcpFlags(TCP_FLAG_SYN | TCP_FLAG_ACK)).toBe('S.');
    expect(formatTcpFlags(TCP_FLAG_PSH | TCP_FLAG_ACK)).toBe('P.');
    for (let l = 0; l < 28; l++) expect(parseTcp(buf, 0, l).ok).toBe(false);
    writeTcp(buf, 0, { srcPort: 1, dstPort: 2, flags: TCP_FLAG_SYN }, v6);
    expect(checkTcp(buf, 0, 20, pseudoHeaderSum(v6, 6, 20))).toBe(TCP_OK);
    expect(checkTcp(buf, 0, 20, pseudoHeaderSum(v4, 6, 20))).toBe(TCP_BAD_CHECKSUM);
    buf[12] = 0x40;
    expect(checkTcp(buf, 0, 20)).toBe(TCP_BAD_DATA_OFFSET);
    expect(parseTcp(buf, 0, 20)).toEqual({ ok: false, error: 'tcp_bad_data_offset' });
  });
});

describe('ESP', () => {
  it('round trips SPI and sequence number', () => {
    const buf = new Uint8Array(32);
    expect(writeEsp(buf, 4, { spi: 0x36c700ce, seq: 0xffffffff })).toBe(8);
    expect(parseEsp(buf, 4, 28)).toEqual({ ok: true, value: { spi: 0x36c700ce, seq: 0xffffffff, payloadLength: 20 } });
    expect([espSpi(buf, 4), espSeq(buf, 4)]).toEqual([0x36c700ce, 0xffffffff]);
    for (let l = 0; l < 8; l++) expect(parseEsp(buf, 4, l)).toEqual({ ok: false, error: 'esp_truncated' });
    expect(checkEsp(buf, 4, 8)).toBe(ESP_OK);
    expect(checkEsp(new Uint8Array(8), 0, 8)).toBe(ESP_BAD_SPI);
    expect(isNonEspMarker(new Uint8Array(8), 0, 8)).toBe(true);
    expect(isNonEspMarker(buf, 4, 8)).toBe(false);
  });
});

describe('VXLAN', () => {
  it('round trips flags, VNI and reserved fields; reserved bits are ignored on receipt', () => {
    const buf = new Uint8Array(16);
    expect(writeVxlan(buf, 0, { vni: 0xabcdef })).toBe(8);
    expect(parseVxlan(buf, 0, 8)).toEqual({ ok: true, value: { flags: 8, vniValid: true, vni: 0xabcdef, reserved1: 0, reserved2: 0 } });
    writeVxlan(buf, 0, { vni: 11, flags: 0xff, reserved1: 0x01d1f2, reserved2: 0x00 }); // suricata's non-zero reserved case
    expect(parseVxlan(buf, 0, 8)).toEqual({ ok: true, value: { flags: 0xff, vniValid: true, vni: 11, reserved1: 0x01d1f2, reserved2: 0 } });
    expect(checkVxlan(buf, 0, 8)).toBe(VXLAN_OK);
    writeVxlanVni(buf, 0, 100);
    expect(Array.from(buf.subarray(0, 8))).toEqual([8, 0, 0, 0, 0, 0, 100, 0]);
    expect(vxlanVni(buf, 0)).toBe(100);
    buf[0] = 0;
    expect(checkVxlan(buf, 0, 8)).toBe(VXLAN_NO_VNI);
    for (let l = 0; l < 8; l++) expect(parseVxlan(buf, 0, l)).toEqual({ ok: false, error: 'vxlan_truncated' });
  });
});

describe('GRE', () => {
  it('round trips every combination of C, K and S', () => {
    for (const c of [false, true]) for (const key of [undefined, 0xdeadbeef]) for (const seq of [undefined, 7]) {
      const buf = new Uint8Array(64);
      buf.fill(0x5a, 16, 40);
      const hl = writeGre(buf, 0, { protocolType: 0x0800, checksum: c, key, seq, payloadLength: 40 - 16 });
      expect(hl).toBe(4 + (c ? 4 : 0) + (key !== undefined ? 4 : 0) + (seq !== undefined ? 4 : 0));
      buf.copyWithin(hl, 16, 40); // payload right after the header
      writeGre(buf, 0, { protocolType: 0x0800, checksum: c, key, seq, payloadLength: 24 });
      const r = parseGre(buf, 0, hl + 24);
      if (!r.ok) throw new Error(r.error);
      expect(r.value).toMatchObject({ checksumPresent: c, keyPresent: key !== undefined, seqPresent: seq !== undefined, version: 0, protocolType: 0x0800, headerLen: hl });
      if (c) expect(r.value.checksumOk).toBe(true);
      if (key !== undefined) expect([r.value.key, greKey(buf, 0)]).toEqual([key, key]);
      if (seq !== undefined) expect([r.value.seq, greSeq(buf, 0)]).toEqual([seq, seq]);
      expect([greHeaderLen(buf, 0), greProtocol(buf, 0)]).toEqual([hl, 0x0800]);
      expect(checkGre(buf, 0, hl + 24)).toBe(GRE_OK);
      for (let l = 0; l < hl; l++) expect(parseGre(buf, 0, l)).toEqual({ ok: false, error: 'gre_truncated' });
      if (c) {
        buf[hl] ^= 0xff;
        expect(checkGre(buf, 0, hl + 24)).toBe(GRE_BAD_CHECKSUM);
      }
    }
  });

  it('rejects other versions and reserved bits (RFC 1701 routing)', () => {
    const buf = new Uint8Array(8);
    writeGre(buf, 0, { protocolType: 0x880b });
    buf[1] = 1; // version 1 (PPTP)
    expect(checkGre(buf, 0, 8)).toBe(GRE_BAD_VERSION);
    buf[1] = 0;
    buf[0] = 0x40; // R bit
    expect(checkGre(buf, 0, 8)).toBe(GRE_BAD_FLAGS);
    expect(parseGre(buf, 0, 8)).toEqual({ ok: false, error: 'gre_bad_flags' });
  });
});
