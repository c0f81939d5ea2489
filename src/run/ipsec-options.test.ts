// st0 MTU, copy-outer-dscp and the IPv4-mapped IPv6 next hop on the inline
// IPsec path, end to end: two PEs with manual SAs, CE1 behind PE1, CE2
// behind PE2.
import { describe, expect, it } from 'vitest';
import { ping4, ping6, pattern, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import type { Scenario } from '../config/model.js';
import { loadJunosText } from '../config/junos-device.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { show } from '../cli/show.js';
import { checksumVerifies, ipv4HeaderChecksum } from '../packet/checksum.js';

const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
const KEY_A = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe';
const KEY_B = 'f0e0d0c0b0a090807060504030201000f1e1d1c1b1a191817161514131211101deadbeef';

function pe(n: 1 | 2, vpnExtra = '', st0Family = 'family inet { mtu 1400; } family inet6 { mtu 1300; }', v6Route?: string): string {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const lan = n;
  const far = 3 - n;
  const ce = n === 1 ? CE1 : CE2;
  const [o, i] = n === 1 ? [[4097, KEY_A], [8194, KEY_B]] : [[8194, KEY_B], [4097, KEY_A]];
  return `
system { host-name PE${n}; }
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet { address ${me}/16 { arp ${peer} mac ${formatMac(derivedMac(`PE${3 - n}`, 'et-0/0/0'))}; } } } }
  et-0/0/1 { mtu 9192; unit 0 {
    family inet { address 10.${lan}.0.1/24 { arp 10.${lan}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${lan}::1/64 { ndp 2001:db8:${lan}::2 mac ${ce}; } } } }
  si-0/1/0 { unit 0 { family inet; family inet6; service-domain inside; } unit 1 { family inet; family inet6; service-domain outside; } }
  st0 { unit 1 { ${st0Family} } }
}
routing-options {
  static { route 10.${far}.0.0/24 next-hop st0.1; }
  rib inet6.0 { static { ${v6Route ?? `route 2001:db8:${far}::/64 next-hop st0.1;`} } }
}
services { service-set SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn V; } }
security { ipsec { vpn V { bind-interface st0.1; ${vpnExtra}
  manual { gateway ${peer}; external-interface et-0/0/0.0; protocol esp;
    outbound { spi ${o[0]}; encryption { algorithm aes-256-gcm; key hexadecimal "${o[1]}"; } }
    inbound { spi ${i[0]}; encryption { algorithm aes-256-gcm; key hexadecimal "${i[1]}"; } } } } } }`;
}

function twoPes(pe1: string, pe2: string): Scenario {
  return {
    devices: [loadJunosText(pe1, 'pe1.conf', { deviceName: 'PE1' }), loadJunosText(pe2, 'pe2.conf', { deviceName: 'PE2' })],
    links: [{ a: { device: 'PE1', ifd: 'et-0/0/0' }, b: { device: 'PE2', ifd: 'et-0/0/0' } }],
  };
}

const from1 = { src: CE1, dst: PE1_LAN };
const timed = (frames: Uint8Array[]): TimedFrame[] => frames.map((frame, i) => ({ t: 10 + i / 1000, frame }));

function balanced(r: ReturnType<typeof runFrames>): void {
  expect(r.stats.balanced).toBe(true);
  for (const d of Object.values(r.stats.devices)) {
    const a = d.accounting;
    expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
  }
}

describe('st0 MTU (the inner packet, before encryption)', () => {
  it('IPv4 with DF over the st0 MTU: ICMP fragmentation needed with MTU 1400 back to CE1, quoting the packet as sent; nothing encrypted', () => {
    const big = udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 77, ttl: 64 }, 5000, 9, pattern(1401 - 28));
    const ok = udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 78, ttl: 64 }, 5000, 9, pattern(1400 - 28));
    const r = runFrames(twoPes(pe(1), pe(2)), { 'PE1:et-0/0/1': timed([big, ok]) });
    const back = r.out['PE1:et-0/0/1'];
    expect(back).toHaveLength(1);
    const f = back[0].frame;
    expect(formatMac(f.subarray(0, 6))).toBe(CE1);
    expect([...f.subarray(26, 34)]).toEqual([10, 1, 0, 1, 10, 1, 0, 2]); // PE1's LAN address → CE1
    expect(f[23]).toBe(1);
    expect([f[34], f[35]]).toEqual([3, 4]);
    expect((f[40] << 8) | f[41]).toBe(1400);
    // The quoted header is CE1's, TTL 64 as sent, checksum intact.
    expect(Buffer.from(f.subarray(42, 62)).equals(Buffer.from(big.subarray(14, 34)))).toBe(true);
    expect(checksumVerifies(f, 14, 20)).toBe(true);
    // Exactly 1400 bytes passes and arrives at CE2.
    expect(r.out['PE2:et-0/0/1']).toHaveLength(1);
    expect(r.out['PE2:et-0/0/1'][0].frame.length).toBe(14 + 1400);
    expect(r.stats.devices.PE1.interfaces['st0.1'].outputPackets).toBe(1);
    expect(r.stats.devices.PE1.drops).toMatchObject({ st0_mtu_exceeded_df: 1 });
    expect(r.stats.devices.PE1.ipsec!.totals.encrypted_packets).toBe(1);
    balanced(r);
  });

  it('IPv6 over the st0 MTU: ICMPv6 packet too big with MTU 1300', () => {
    const big = ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 1, 1, pattern(1301 - 48));
    const r = runFrames(twoPes(pe(1), pe(2)), { 'PE1:et-0/0/1': timed([big]) });
    const back = r.out['PE1:et-0/0/1'];
    expect(back).toHaveLength(1);
    const f = back[0].frame;
    expect(f[20]).toBe(58);
    expect([f[54], f[55]]).toEqual([2, 0]);
    expect(((f[58] << 24) | (f[59] << 16) | (f[60] << 8) | f[61]) >>> 0).toBe(1300);
    expect(f[62 + 7]).toBe(64); // quoted hop limit as sent
    expect(r.out['PE2:et-0/0/1'] ?? []).toHaveLength(0);
    expect(r.stats.devices.PE1.drops).toMatchObject({ st0_packet_too_big: 1 });
    balanced(r);
  });

  it('IPv4 without DF over the st0 MTU is fragmented before encryption: each fragment its own ESP packet, reassembling at CE2 to the original', () => {
    const payload = pattern(3000);
    const big = udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 99, ttl: 64 }, 5000, 9, payload);
    const r = runFrames(twoPes(pe(1), pe(2)), { 'PE1:et-0/0/1': timed([big]) });
    const esp = r.out['PE1:et-0/0/0'].filter((x) => x.frame[12] === 8 && x.frame[13] === 0 && x.frame[23] === 50);
    expect(esp).toHaveLength(3);
    const frags = r.out['PE2:et-0/0/1'].map((x) => x.frame);
    expect(frags).toHaveLength(3);
    const inner = big.subarray(14);
    const ihl = 20;
    let data: number[] = [];
    frags.forEach((fr, k) => {
      const ip = fr.subarray(14);
      const total = (ip[2] << 8) | ip[3];
      expect(total).toBeLessThanOrEqual(1400);
      expect(ip[8]).toBe(62);
      const off = (((ip[6] & 0x1f) << 8) | ip[7]) * 8;
      expect(off).toBe(data.length);
      expect((ip[6] & 0x20) !== 0).toBe(k < 2);
      expect((ip[4] << 8) | ip[5]).toBe(99);
      expect(checksumVerifies(ip, 0, 20)).toBe(true);
      data = data.concat([...ip.subarray(ihl, total)]);
    });
    expect(Buffer.from(data).equals(Buffer.from(inner.subarray(ihl)))).toBe(true);
    expect(r.stats.devices.PE1.interfaces['st0.1'].outputPackets).toBe(3);
    expect(r.stats.devices.PE1.accounting.generated).toBe(2);
    balanced(r);
  });

  it('st0 without a family MTU takes 9192, the Junos default for st0 units', () => {
    const big = udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 1 }, 5000, 9, pattern(8000));
    const r = runFrames(twoPes(pe(1, '', 'family inet; family inet6;'), pe(2, '', 'family inet; family inet6;')), { 'PE1:et-0/0/1': timed([big]) });
    expect(r.stats.devices.PE1.interfaces['st0.1'].outputPackets).toBe(1);
    expect(r.out['PE2:et-0/0/1'].map((x) => x.frame.length)).toEqual([big.length]);
    balanced(r);
  });
});

describe('copy-outer-dscp (decrypt side)', () => {
  /** PE1's ESP output with the outer DSCP rewritten (the outer header is not covered by the ICV), as a DiffServ core might. */
  function remarked(dscp: number): TimedFrame[] {
    const sent = [
      ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 5, tos: 0x01 }, 1, 1),
      ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2', tc: 0x02 }, 1, 2),
    ];
    const r = runFrames(junosScenario(pe(1), 'PE1'), { 'et-0/0/1': timed(sent) });
    return r.out['et-0/0/0'].filter((x) => x.frame[23] === 50).map((x) => {
      const f = x.frame.slice();
      f[15] = (dscp << 2) | (f[15] & 3);
      f[24] = 0;
      f[25] = 0;
      const c = ipv4HeaderChecksum(f, 14, 20);
      f[24] = c >>> 8;
      f[25] = c & 0xff;
      return { t: x.t, frame: f };
    });
  }

  it('with copy-outer-dscp the outer DSCP (EF) replaces the inner one, ECN bits kept, IPv4 checksum right', () => {
    const r = runFrames(junosScenario(pe(2, 'copy-outer-dscp;'), 'PE2'), { 'et-0/0/0': remarked(46) });
    const out = r.out['et-0/0/1'].map((x) => x.frame);
    expect(out).toHaveLength(2);
    expect(out[0][15]).toBe((46 << 2) | 0x01);
    expect(checksumVerifies(out[0], 14, 20)).toBe(true);
    const tc = ((out[1][14] & 15) << 4) | (out[1][15] >>> 4);
    expect(tc).toBe((46 << 2) | 0x02);
    balanced(r);
  });

  it('without it the inner DSCP is kept as sent', () => {
    const r = runFrames(junosScenario(pe(2), 'PE2'), { 'et-0/0/0': remarked(46) });
    const out = r.out['et-0/0/1'].map((x) => x.frame);
    expect(out[0][15]).toBe(0x01);
    expect(((out[1][14] & 15) << 4) | (out[1][15] >>> 4)).toBe(0x02);
    balanced(r);
  });
});

describe('IPv6 through the IPv4 tunnel with an IPv4-mapped next hop (as the seed routes IPv6)', () => {
  const mappedPe1 = (st0 = 'family inet; family inet6;', extra = ''): string =>
    pe(1, '', st0, 'route 2001:db8:2::/64 next-hop ::ffff:12.1.1.2;')
      .replace('static { route 10.2.0.0/24 next-hop st0.1; }', `static { route 10.2.0.0/24 next-hop st0.1; ${extra || 'route 12.1.1.2/32 next-hop st0.1;'} }`);

  it('::ffff:12.1.1.2 resolves through the IPv4 route 12.1.1.2/32 via st0.1: IPv6 from CE1 reaches CE2 through the IPv4 ESP tunnel', () => {
    const sent = ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 4, 4);
    const r = runFrames(twoPes(mappedPe1(), pe(2, '', 'family inet; family inet6;')), { 'PE1:et-0/0/1': timed([sent]) });
    const core = r.out['PE1:et-0/0/0'].filter((x) => x.frame[23] === 50);
    expect(core).toHaveLength(1);
    const out = r.out['PE2:et-0/0/1'];
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0].frame.subarray(14 + 8)).equals(Buffer.from(sent.subarray(14 + 8)))).toBe(true);
    expect(out[0].frame[14 + 7]).toBe(62);
    expect(show(r.devices[0], 'route 2001:db8:2::/64')).toContain('to ::ffff:12.1.1.2 via st0.1');
    balanced(r);
  });

  it('not installed when the IPv4 route leads to an Ethernet neighbour (that would need 6PE) or st0 has no family inet6', () => {
    for (const cfg of [mappedPe1('family inet; family inet6;', 'route 12.1.1.2/32 next-hop 13.10.2.2;'), mappedPe1('family inet;')]) {
      const r = runFrames(junosScenario(cfg, 'PE1'), { 'et-0/0/1': timed([ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' })]) });
      expect(show(r.devices[0], 'route 2001:db8:2::/64')).not.toContain('12.1.1.2');
      expect(r.stats.devices.PE1.interfaces['st0.1'].outputPackets).toBe(0);
      balanced(r);
    }
  });
});
