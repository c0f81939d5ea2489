// VRRP advertisements byte for byte (RFC 3768 5.1, RFC 5798 5.1), checked
// against a hand computation and decoded by tshark (an independent peer):
// version, VRID, priority, interval, addresses and a good checksum.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tsharkAvailable } from '../craft/peers.js';
import { PcapWriter } from '../pcap/writer.js';
import { formatHex, parseIpv4, parseIpv6 } from '../packet/addr.js';
import {
  ADVERT_BAD_CHECKSUM, ADVERT_BAD_TTL, ADVERT_BAD_VERSION, ADVERT_OK, ADVERT_TRUNCATED, checkAdvert, virtualLinkLocal, virtualMac,
  writeAdvert4, writeAdvert6, writeGratuitousArp, writeUnsolicitedNa,
} from './advert.js';

const L2_4 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00);
const L2_6 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x86, 0xdd);
const hex = (d: Uint8Array, n: number): string => formatHex(d, 0, n).replace(/[^0-9a-f]/g, '');

function v2(): Uint8Array {
  const d = new Uint8Array(128);
  const n = writeAdvert4(d, 0, L2_4, virtualMac(4, 1), parseIpv4('192.168.1.2'), 1, {
    version: 2, vrid: 1, priority: 200, interval: 1, addrs4: [parseIpv4('192.168.1.1')], addrs6: [],
  });
  return d.slice(0, n);
}

function v3over4(): Uint8Array {
  const d = new Uint8Array(128);
  const n = writeAdvert4(d, 0, L2_4, virtualMac(4, 7), parseIpv4('192.168.1.3'), 2, {
    version: 3, vrid: 7, priority: 100, interval: 100, addrs4: [parseIpv4('192.168.1.1')], addrs6: [],
  });
  return d.slice(0, n);
}

function v3over6(): Uint8Array {
  const d = new Uint8Array(160);
  const n = writeAdvert6(d, 0, L2_6, virtualMac(6, 1), parseIpv6('fe80::1'), {
    version: 3, vrid: 1, priority: 200, interval: 100, addrs4: [], addrs6: [virtualLinkLocal(1), parseIpv6('2001:db8:1::1')],
  });
  return d.slice(0, n);
}

describe('VRRP advertisements', () => {
  it('VRRPv2: exact bytes (Ethernet to 01:00:5e:00:00:12 from the virtual MAC, IP TTL 255 proto 112 to 224.0.0.18, checksum over the message)', () => {
    const f = v2();
    // IP header checksum by hand: 0x45c0 + 0x0028 + 0x0001 + 0xff70 + 0xc0a8 + 0x0102 + 0xe000 + 0x0012 → 0xe717, complement 0x18e8.
    // VRRP checksum by hand: 0x2101 + 0xc801 + 0x0001 + 0xc0a8 + 0x0101 = 0x1aaac → 0xaaad folded; complement 0x5552.
    expect(hex(f, f.length)).toBe(
      '01005e000012' + '00005e000101' + '0800'
      + '45c00028' + '00010000' + 'ff70' + '18e8' + 'c0a80102' + 'e0000012'
      + '2101c801' + '0001' + '5552' + 'c0a80101' + '0000000000000000',
    );
    expect(checkAdvert(f, 14, f.length, 4)).toBe(ADVERT_OK);
  });

  it('VRRPv3 over IPv4 and IPv6: the checksum includes the pseudo-header; the first IPv6 address is the virtual link-local', () => {
    const a = v3over4();
    expect(a[34]).toBe(0x31); // version 3, type 1
    expect((a[38] << 8) | a[39]).toBe(100); // Max Adver Int: 100 centiseconds
    expect(a.length).toBe(14 + 20 + 12);
    expect(checkAdvert(a, 14, a.length, 4)).toBe(ADVERT_OK);
    const b = v3over6();
    expect(hex(b.subarray(0, 6), 6)).toBe('333300000012');
    expect(b[14 + 7]).toBe(255);
    expect(hex(b.subarray(54 + 8, 54 + 24), 16)).toBe('fe80000000000000' + '02005efffe000201');
    expect(checkAdvert(b, 14, b.length, 6)).toBe(ADVERT_OK);
  });

  it('received advertisements: bad TTL, version 2 over IPv6, truncated, bad checksum are each told apart', () => {
    const ttl = v2();
    ttl[22] = 254;
    expect(checkAdvert(ttl, 14, ttl.length, 4)).toBe(ADVERT_BAD_TTL);
    const sum = v2();
    sum[40] ^= 1;
    expect(checkAdvert(sum, 14, sum.length, 4)).toBe(ADVERT_BAD_CHECKSUM);
    const short = v2();
    expect(checkAdvert(short, 14, short.length - 8, 4)).toBe(ADVERT_TRUNCATED);
    const six = v3over6();
    six[54] = 0x21;
    expect(checkAdvert(six, 14, six.length, 6)).toBe(ADVERT_BAD_VERSION);
  });

  const haveTshark = tsharkAvailable('vrrp advert.test: tshark decode');
  const dir = mkdtempSync(join(tmpdir(), 'triode-vrrp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!haveTshark)('tshark decodes them as VRRP v2/v3 with good checksums, and the GARP / NA as such', () => {
    const file = join(dir, 'adverts.pcap');
    const w = new PcapWriter(file);
    const garp = new Uint8Array(64);
    const na = new Uint8Array(128);
    const frames = [
      v2(), v3over4(), v3over6(),
      garp.slice(0, writeGratuitousArp(garp, 0, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06), virtualMac(4, 1), parseIpv4('192.168.1.1'))),
      na.slice(0, writeUnsolicitedNa(na, 0, L2_6, virtualMac(6, 1), parseIpv6('fe80::1'), parseIpv6('2001:db8:1::1'))),
    ];
    frames.forEach((f, i) => w.write(f, 0, f.length, 1000 + i, 0));
    w.close();
    const out = execFileSync('tshark', ['-r', file, '-o', 'vrrp.v3_checksum_as_in_v2:FALSE', '-T', 'fields', '-E', 'separator=|',
      '-e', 'vrrp.version', '-e', 'vrrp.virt_rtr_id', '-e', 'vrrp.prio', '-e', 'vrrp.adver_int', '-e', 'vrrp.short_adver_int', '-e', 'vrrp.checksum.status',
      '-e', 'vrrp.ip_addr', '-e', 'vrrp.ipv6_addr', '-e', 'arp.isgratuitous', '-e', 'icmpv6.nd.na.flag.r', '-e', 'icmpv6.checksum.status'],
    { encoding: 'utf8' }).trim().split('\n');
    expect(out[0]).toBe('2|1|200|1||1|192.168.1.1||||');
    expect(out[1]).toBe('3|7|100||100|1|192.168.1.1||||');
    expect(out[2]).toBe('3|1|200||100|1||fe80::200:5eff:fe00:201,2001:db8:1::1|||');
    expect(out[3]).toBe('||||||||1||');
    expect(out[4]).toMatch(/^\|+1\|1$/);
  });
});
