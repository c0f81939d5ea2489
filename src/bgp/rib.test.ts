import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectBest, type SelectionContext } from './best-path.js';
import type { BgpPath } from './path.js';
import { Rib, type BestChangeSink } from './rib.js';
import { testPath } from './testing.js';

const costs: Record<string, number> = { '10.0.0.1': 0, '10.0.0.2': 0, '192.168.0.1': 10, '192.168.0.2': 20 };
const ctx: SelectionContext = { igpCost: (nh) => costs[nh] };

const path = testPath;
// The seed's choice on Luna: Juno's path (local preference 150, MED 10) over Orcus's (MED 150).
const juno = (prefix: string, over: Partial<BgpPath> = {}) =>
  path(prefix, { peer: '192.168.0.1', nextHop: '192.168.0.1', peerAs: 65000, internal: true, peerRouterId: '10.255.0.1', localPref: 150, med: 10, ...over });
const orcus = (prefix: string, over: Partial<BgpPath> = {}) =>
  path(prefix, { peer: '192.168.0.2', nextHop: '192.168.0.2', peerAs: 65000, internal: true, peerRouterId: '10.255.0.2', med: 150, ...over });

class Recorder implements BestChangeSink {
  log: string[] = [];
  bestChanged(rib: Rib, prefix: number, best: number): void {
    this.log.push(`${rib.prefixText(prefix)} ${best < 0 ? '-' : rib.nextHopText(rib.nextHopIndex(best))}`);
  }
}

describe('Rib', () => {
  it('selects, reports changes to the sink, and lists paths the way show route detail does', () => {
    const sink = new Recorder();
    const rib = new Rib('inet.0', ctx, sink);
    expect(rib.add(orcus('10.0.0.3/32'))).toBe(true);
    expect(rib.add(juno('10.0.0.3/32'))).toBe(true);
    expect(rib.add(orcus('2001:db8::/32'))).toBe(true);
    expect(sink.log).toEqual(['10.0.0.3/32 192.168.0.2', '10.0.0.3/32 192.168.0.1', '2001:db8::/32 192.168.0.2']);
    expect(rib.best('10.0.0.3/32')?.peer).toBe('192.168.0.1');
    expect(rib.best('10.0.0.3/32')?.prefix).toBe('10.0.0.3/32');
    expect(rib.entries('10.0.0.3/32').map((e) => [e.path.peer, e.active, e.reason])).toEqual([
      ['192.168.0.1', true, ''],
      ['192.168.0.2', false, 'Local Preference'],
    ]);
    expect(rib.prefixes).toBe(2);
    expect(rib.pathCount).toBe(3);
    expect(rib.attributeSets).toBe(2); // the two peers' attributes, shared by both prefixes from Orcus
  });

  it('session down and up: the FIB follows, the changed prefixes are returned', () => {
    const sink = new Recorder();
    const rib = new Rib('inet.0', ctx, sink);
    for (const p of ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']) rib.add(orcus(p));
    rib.add(juno('10.0.0.0/24'));
    rib.add(juno('10.0.1.0/24'));
    rib.add(juno('10.9.0.0/16')); // Juno only
    sink.log = [];
    const down = rib.withdrawPeer('192.168.0.1');
    expect([...down].map((h) => rib.prefixText(h)).sort()).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.9.0.0/16']);
    expect(sink.log.sort()).toEqual(['10.0.0.0/24 192.168.0.2', '10.0.1.0/24 192.168.0.2', '10.9.0.0/16 -']);
    expect(rib.best('10.9.0.0/16')).toBeNull();
    expect(rib.entries('10.0.0.0/24').map((e) => e.path.peer)).toEqual(['192.168.0.2']);
    expect(rib.withdrawPeer('192.168.0.1').length).toBe(0); // already down
    sink.log = [];
    expect(rib.restorePeer('192.168.0.1').length).toBe(3);
    expect(sink.log.sort()).toEqual(['10.0.0.0/24 192.168.0.1', '10.0.1.0/24 192.168.0.1', '10.9.0.0/16 192.168.0.1']);
  });

  it('withdraw by prefix and peer; an update from the same peer replaces its path (implicit withdraw)', () => {
    const sink = new Recorder();
    const rib = new Rib('inet.0', ctx, sink);
    rib.add(juno('10.0.0.0/24'));
    rib.add(orcus('10.0.0.0/24'));
    expect(rib.add(juno('10.0.0.0/24', { localPref: 50 }))).toBe(true);
    expect(rib.best('10.0.0.0/24')?.peer).toBe('192.168.0.2');
    expect(rib.pathCount).toBe(2);
    expect(rib.add(juno('10.0.0.0/24', { localPref: 50 }))).toBe(false); // same attributes: nothing changes
    expect(rib.withdraw('10.0.0.0/24', '192.168.0.2')).toBe(true);
    expect(rib.best('10.0.0.0/24')?.localPref).toBe(50);
    expect(rib.withdraw('10.0.0.0/24', '192.168.0.2')).toBe(false);
    expect(rib.withdraw('10.0.0.0/24', '192.168.0.1')).toBe(true);
    expect(rib.best('10.0.0.0/24')).toBeNull();
    expect(rib.pathCount).toBe(0);
    expect(sink.log).toEqual(['10.0.0.0/24 192.168.0.1', '10.0.0.0/24 192.168.0.2', '10.0.0.0/24 192.168.0.1', '10.0.0.0/24 -']);
    // The freed slots are reused.
    rib.add(orcus('10.0.0.0/24'));
    expect(rib.best('10.0.0.0/24')?.peer).toBe('192.168.0.2');
  });

  it('a path whose next hop does not resolve is never best; recomputeAll follows IGP changes', () => {
    const igp: Record<string, number> = { '192.168.0.1': 10 };
    const rib = new Rib('inet.0', { igpCost: (nh) => igp[nh] });
    rib.add(juno('10.0.0.0/24', { localPref: 100, med: undefined }));
    rib.add(orcus('10.0.0.0/24', { med: undefined }));
    expect(rib.best('10.0.0.0/24')?.peer).toBe('192.168.0.1');
    expect(rib.entries('10.0.0.0/24')[1]!.reason).toBe('Unusable path');
    igp['192.168.0.2'] = 5;
    expect(rib.recomputeAll().length).toBe(1);
    expect(rib.best('10.0.0.0/24')?.peer).toBe('192.168.0.2');
    expect(rib.entries('10.0.0.0/24')[1]!.reason).toBe('IGP metric');
  });

  it('Junos keeps the active external path: after down and up the restored path does not take over (Active preferred)', () => {
    const a = path('10.0.0.0/24', { peerRouterId: '1.1.1.1' });
    const b = path('10.0.0.0/24', { peer: '10.0.0.2', nextHop: '10.0.0.2', peerRouterId: '2.2.2.2' });
    const rib = new Rib('inet.0', ctx);
    rib.add(a);
    rib.add(b);
    expect(rib.best('10.0.0.0/24')?.peer).toBe('10.0.0.1');
    rib.withdrawPeer('10.0.0.1');
    expect(rib.restorePeer('10.0.0.1').length).toBe(0);
    expect(rib.best('10.0.0.0/24')?.peer).toBe('10.0.0.2');
    expect(rib.entries('10.0.0.0/24')[1]!.reason).toBe('Active preferred');
    // path-selection external-router-id: the lower router ID comes back.
    const rid = new Rib('inet.0', { ...ctx, externalRouterId: true });
    rid.add(a);
    rid.add(b);
    rid.withdrawPeer('10.0.0.1');
    expect(rid.restorePeer('10.0.0.1').length).toBe(1);
    expect(rid.best('10.0.0.0/24')?.peer).toBe('10.0.0.1');
  });
});

// Random feeds: up to 4 peers, up to 6 prefixes, random attributes from small sets.
const PEERS = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'];
const arbFeed = fc.array(
  fc.record({
    prefix: fc.constantFrom('10.0.0.0/24', '10.0.1.0/24', '10.0.0.0/16', '0.0.0.0/0', '2001:db8::/32', '2001:db8:1::/48'),
    peer: fc.nat(PEERS.length - 1),
    localPref: fc.option(fc.constantFrom(90, 100, 150), { nil: undefined }),
    asLen: fc.nat(2),
    nbr: fc.constantFrom(1, 2),
    med: fc.option(fc.constantFrom(0, 10, 20), { nil: undefined }),
    internal: fc.boolean(),
    nh: fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.0.1', '192.168.0.2', '203.0.113.1'),
  }),
  { maxLength: 30 },
);
type FeedItem = typeof arbFeed extends fc.Arbitrary<(infer T)[]> ? T : never;
const toPath = (r: FeedItem): BgpPath =>
  path(r.prefix, {
    peer: PEERS[r.peer]!,
    peerRouterId: `9.9.9.${r.peer}`,
    internal: r.internal,
    localPref: r.localPref,
    med: r.med,
    nextHop: r.nh,
    asPath: [{ type: 'sequence', asns: [r.nbr, ...Array.from({ length: r.asLen }, () => 7)] }],
  });

describe('Rib properties', () => {
  it('agrees with selectBest over the paths that are left, after adds, withdraws and sessions going down', () => {
    fc.assert(
      fc.property(arbFeed, fc.array(fc.nat(PEERS.length - 1), { maxLength: 3 }), fc.boolean(), (feed, down, always) => {
        const c = { ...ctx, alwaysCompareMed: always, externalRouterId: true };
        const rib = new Rib('inet.0', c);
        const live = new Map<string, BgpPath>(); // prefix|peer -> latest path
        feed.forEach((r, i) => {
          const p = toPath(r);
          if (i % 7 === 6) {
            rib.withdraw(p.prefix, p.peer);
            live.delete(`${p.prefix}|${p.peer}`);
          } else {
            rib.add(p);
            live.set(`${p.prefix}|${p.peer}`, p);
          }
        });
        for (const d of down) rib.withdrawPeer(PEERS[d]!);
        const byPrefix = new Map<string, BgpPath[]>();
        for (const p of live.values()) if (rib.peerUp(p.peer)) byPrefix.set(p.prefix, [...(byPrefix.get(p.prefix) ?? []), p]);
        for (const [prefix, paths] of byPrefix) {
          const s = selectBest(paths, c);
          const got = rib.best(prefix);
          if (s.best < 0) expect(got).toBeNull();
          else expect(got).toEqual(paths[s.best]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('withdrawing then restoring a peer gives back the same best paths (external-router-id: no Active preferred stickiness)', () => {
    fc.assert(
      fc.property(arbFeed, fc.nat(PEERS.length - 1), fc.boolean(), (feed, peer, always) => {
        const rib = new Rib('inet.0', { ...ctx, alwaysCompareMed: always, externalRouterId: true });
        for (const r of feed) rib.add(toPath(r));
        const prefixes = [...new Set(feed.map((r) => r.prefix))];
        const before = prefixes.map((p) => rib.best(p));
        const sink = new Recorder();
        rib.sink = sink;
        const down = rib.withdrawPeer(PEERS[peer]!);
        const up = rib.restorePeer(PEERS[peer]!);
        expect(prefixes.map((p) => rib.best(p))).toEqual(before);
        // Every prefix that changed going down changed back coming up, and the sink saw both.
        expect([...up].sort()).toEqual([...down].sort());
        expect(sink.log.length).toBe(down.length + up.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('TableRib', () => {
  it('programs the table: one adjacency per next hop, replaced on session down, removed when no path is left', async () => {
    const { RouteTable } = await import('../l3/table.js');
    const { TableRib } = await import('./table-rib.js');
    const table = new RouteTable(0, 'inet.0', 4);
    const resolved: string[] = [];
    const sink = new TableRib(table, 'master', ctx, ({ nextHop: nh }) => (resolved.push(nh), { adj: nh === '192.168.0.1' ? 7 : 8, via: `to ${nh}` }));
    const rib = sink.rib;
    rib.add(juno('10.0.0.0/24'));
    rib.add(orcus('10.0.0.0/24'));
    rib.add(juno('10.9.0.0/16'));
    const lookup = (a: number) => table.lpm4!.lookup(a);
    expect([lookup(0x0a000005), lookup(0x0a090001)]).toEqual([7, 7]);
    rib.withdrawPeer('192.168.0.1');
    expect([lookup(0x0a000005), lookup(0x0a090001)]).toEqual([8, -1]);
    rib.restorePeer('192.168.0.1');
    expect([lookup(0x0a000005), lookup(0x0a090001)]).toEqual([7, 7]);
    expect(resolved).toEqual(['192.168.0.1', '192.168.0.2']); // once per next hop
    expect([sink.inserts, sink.removes]).toEqual([5, 1]); // Orcus's path lost on arrival: no FIB write
  });
});

describe('batches', () => {
  it('a session down of more than 1024 prefixes reaches the sink in address order, all of them, each once', () => {
    const sink = new Recorder();
    const rib = new Rib('inet.0', ctx, sink);
    const nets: number[] = [];
    for (let i = 0; i < 3000; i++) nets.push(((i * 2654435761) >>> 8) & 0xffffff00); // scattered /24s
    for (const n of nets) {
      const text = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/24`;
      rib.add(orcus(text));
      rib.add(juno(text));
    }
    rib.add(juno('10.0.0.0/8'));
    sink.log = [];
    const changed = rib.withdrawPeer('192.168.0.1');
    expect(changed.length).toBe(rib.prefixes);
    const order = [...changed].map((h) => rib.prefixNet4(h) * 64 + rib.prefixLen(h));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(changed).size).toBe(changed.length);
    expect(sink.log).toEqual([...changed].map((h) => `${rib.prefixText(h)} ${rib.prefixText(h) === '10.0.0.0/8' ? '-' : '192.168.0.2'}`));
  });
});
