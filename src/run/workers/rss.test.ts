import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ip4, nsFrame, ping6, udp4Frame, pattern } from '../../craft/craft.js';
import { rssReplica, saOwner } from './rss.js';

const e = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const at = (f: Uint8Array, n: number) => rssReplica(f, 0, f.length, n);

describe('RSS: which replica takes a frame', () => {
  it('keeps a flow on one replica and spreads many flows over all of them', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const f = udp4Frame(e, { src: `10.0.${i >> 8}.${i & 255}`, dst: '20.0.0.1', id: i }, 40000 + (i % 7), 53, pattern(10));
      const r = at(f, 4);
      // Same flow, another packet (other IP ID, other payload): same replica.
      expect(at(udp4Frame(e, { src: `10.0.${i >> 8}.${i & 255}`, dst: '20.0.0.1', id: i + 1 }, 40000 + (i % 7), 53, pattern(30)), 4)).toBe(r);
      counts[r]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(at(udp4Frame(e, { src: '10.0.0.1', dst: '20.0.0.1' }, 1, 2, pattern(4)), 1)).toBe(0);
  });

  it('sends ESP to the replica owning its SA (by SPI), whatever the outer addresses', () => {
    for (const spi of [1, 0x36c700ce, 0x8e1d52a4, 0xffffffff]) {
      const esp = new Uint8Array(24);
      new DataView(esp.buffer).setUint32(0, spi);
      for (const src of ['13.0.0.1', '13.0.0.2']) {
        expect(at(eth(e, 0x0800, ip4({ src, dst: '13.0.0.9' }, 50, esp)), 3)).toBe(saOwner(spi, 3));
      }
    }
    expect(saOwner(0x1234, 1)).toBe(0);
  });

  it('sends ARP and neighbour discovery to replica 0, and ICMPv6 echo by its addresses', () => {
    expect(at(arpFrame(e, 1, e.src, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'), 4)).toBe(0);
    expect(at(nsFrame(e.src, 'fe80::1', '2001:db8::2'), 4)).toBe(0);
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) seen.add(at(ping6(e, { src: `2001:db8::${i + 1}`, dst: '2001:db8:1::1' }, i), 4));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('keeps the fragments of one datagram together (a later fragment has no ports)', () => {
    const first = eth(e, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 77 }, 17, pattern(40)));
    first[14 + 6] = 0x20; // MF
    const later = eth(e, 0x0800, ip4({ src: '10.0.0.1', dst: '10.0.0.2', id: 77 }, 17, pattern(40)));
    later[14 + 7] = 5; // offset 40
    for (const n of [2, 3, 5]) expect(at(later, n)).toBe(at(first, n));
  });

  it('takes truncated frames without reading past them', () => {
    const f = udp4Frame(e, { src: '10.0.0.1', dst: '10.0.0.2' }, 1, 2, pattern(4));
    for (let len = 0; len < f.length; len++) expect(at(f.subarray(0, len), 4)).toBeLessThan(4);
  });
});
