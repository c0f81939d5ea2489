import { describe, expect, it } from 'vitest';
import type { SelectionContext } from './best-path.js';
import { TableRib } from './table-rib.js';
import { Rib, type BestChangeSink } from './rib.js';
import { testPath } from './testing.js';
import { RouteTable } from '../l3/table.js';
import { parseIpv4 } from '../packet/addr.js';

const ctx: SelectionContext = { igpCost: (nh) => ({ '192.168.0.1': 10, '192.168.0.2': 20 })[nh] };
// The seed's choice on Luna: Juno's paths (local preference 150) over Orcus's.
const juno = (prefix: string) =>
  testPath(prefix, { peer: '192.168.0.1', nextHop: '192.168.0.1', peerAs: 65000, internal: true, peerRouterId: '10.255.0.1', localPref: 150 });
const orcus = (prefix: string) =>
  testPath(prefix, { peer: '192.168.0.2', nextHop: '192.168.0.2', peerAs: 65000, internal: true, peerRouterId: '10.255.0.2' });

const ADJ: Record<string, number> = { '192.168.0.1': 5, '192.168.0.2': 6 };

describe('TableRib', () => {
  it('moves every prefix to the other peer in one LPM batch on session down and back on up', () => {
    const table = new RouteTable(0, 'inet.0', 4, 5000);
    const fib = table.lpm4!;
    table.lpm4!.insert(parseIpv4('192.168.0.0') >>> 0, 24, 1); // the IGP route the next hops resolve over
    const batches: string[] = [];
    const sink = new TableRib(table, 'master', ctx, ({ nextHop: nh }) => {
      // A resolver that looks up the same FIB while the batch is open is answered correctly.
      batches.push(`resolve ${nh} batching=${fib.batching} via ${fib.lookup(parseIpv4(nh))}`);
      return { adj: ADJ[nh]!, via: `to ${nh}` };
    });
    const rib = sink.rib;
    const prefixes: string[] = [];
    for (let i = 0; i < 2000; i++) prefixes.push(`10.${i >> 8}.${i & 255}.0/24`, `10.${i >> 8}.${i & 255}.128/25`);
    for (const p of prefixes) {
      rib.add(orcus(p));
      rib.add(juno(p));
    }
    const at = (a: string): number => fib.lookup(parseIpv4(a));
    expect([at('10.0.0.1'), at('10.0.0.129'), at('10.7.207.200'), at('10.8.0.1')]).toEqual([5, 5, 5, -1]);
    batches.length = 0;
    const begin = fib.beginBatch.bind(fib);
    let opened = 0;
    fib.beginBatch = () => {
      opened++;
      begin();
    };
    expect(rib.withdrawPeer('192.168.0.1').length).toBe(4000);
    expect(opened).toBe(1);
    expect(fib.batching).toBe(false);
    expect(batches).toEqual([]); // Orcus's adjacency was resolved and cached when its paths came in
    expect([at('10.0.0.1'), at('10.0.0.129'), at('10.7.207.200'), at('10.8.0.1'), at('192.168.0.2')]).toEqual([6, 6, 6, -1, 1]);
    expect(sink.inserts).toBe(4000 * 2 + 4000);
    expect(rib.restorePeer('192.168.0.1').length).toBe(4000);
    expect(opened).toBe(2);
    const igp = parseIpv4('192.168.0.0') >>> 0;
    expect([...fib.entries()].filter(([p]) => p !== igp).every(([, , v]) => v === 5)).toBe(true);
    expect(fib.size).toBe(4001);
  });

  it('resolves a new next hop by a lookup in the FIB it is programming, mid-batch', () => {
    const table = new RouteTable(0, 'inet.0', 4);
    const fib = table.lpm4!;
    fib.insert(parseIpv4('192.168.0.0') >>> 0, 24, 1);
    const seen: string[] = [];
    const sink = new TableRib(table, 'master', ctx, ({ nextHop: nh }) => {
      const via = fib.lookup(parseIpv4(nh));
      seen.push(`${nh} via ${via} batching=${fib.batching}`);
      return via < 0 ? null : { adj: ADJ[nh]!, via: `to ${nh}` };
    });
    const rib = sink.rib;
    for (const p of ['10.0.0.0/24', '10.0.1.0/24', '192.168.0.0/25']) rib.add(juno(p));
    rib.add(orcus('10.0.0.0/24'));
    seen.length = 0;
    sink.invalidate(); // forgets what was resolved and reselects
    expect(seen).toEqual([]); // nothing changed best path: no batch, no resolution
    // Session down: resolving Orcus's next hop looks up the FIB mid-batch, and sees it as it is at
    // that point (Juno's 192.168.0.0/25 is still in: its removal comes later in address order).
    rib.withdrawPeer('192.168.0.1');
    expect(seen).toEqual(['192.168.0.2 via 5 batching=true']);
    expect([fib.lookup(parseIpv4('10.0.0.1')), fib.lookup(parseIpv4('10.0.1.1')), fib.lookup(parseIpv4('192.168.0.2'))]).toEqual([6, -1, 1]);
  });

  it('hands a batch of more than 1024 changes over in (network, length) order, inside one beginBatch/endBatch', () => {
    const log: string[] = [];
    const seen: [number, number][] = [];
    const sink: BestChangeSink = {
      beginBatch: () => log.push('begin'),
      endBatch: () => log.push('end'),
      bestChanged: (rib, h) => {
        seen.push([rib.prefixNet4(h) >>> 0, rib.prefixLen(h)]);
      },
    };
    const rib = new Rib('inet.0', ctx);
    // Arrival order scrambled: networks across the whole space, several lengths on one network.
    const want: [number, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const net = Math.imul(i, 0x9e3779b1) >>> 8 << 8 >>> 0;
      for (const len of i % 5 === 0 ? [24, 16, 8] : [24]) {
        const m = (net & (len === 0 ? 0 : -1 << (32 - len))) >>> 0;
        if (want.some(([n, l]) => n === m && l === len)) continue;
        want.push([m, len]);
        const text = `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${len}`;
        rib.add(orcus(text));
        rib.add(juno(text));
      }
    }
    rib.sink = sink;
    expect(rib.withdrawPeer('192.168.0.1').length).toBe(want.length);
    expect(log).toEqual(['begin', 'end']);
    want.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(seen).toEqual(want);
  });
});
