import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compare, INACTIVE_REASONS, R_MED_GROUP, selectBest, type SelectionContext } from './best-path.js';
import type { BgpPath } from './path.js';
import { testPath } from './testing.js';

/** A path from an external peer 10.0.0.1 (AS 65001, router ID 1.1.1.1), AS path "65001 I"; `over` changes one thing. */
const path = (over: Partial<BgpPath> = {}): BgpPath => testPath('192.0.2.0/24', over);

const costs: Record<string, number> = { '10.0.0.1': 0, '10.0.0.2': 0, '192.168.0.1': 10, '192.168.0.2': 20 };
const ctx: SelectionContext = { igpCost: (nh) => costs[nh] };

/** Selects between a winner and a loser given in both orders; returns the loser's reason text. */
function loses(winner: BgpPath, loser: BgpPath, c: SelectionContext = ctx, active?: BgpPath): string {
  for (const order of [[winner, loser], [loser, winner]]) {
    const s = selectBest(order, c, active);
    expect(order[s.best]).toBe(winner);
    expect(s.reasons[order.indexOf(winner)]).toBe(0);
  }
  const s = selectBest([winner, loser], c, active);
  const pair = compare(winner, loser, c, active);
  expect(pair.order).toBeLessThan(0);
  expect(pair.reason).toBe(s.reasons[1]); // the reference comparison agrees on the reason
  expect(compare(loser, winner, c, active).order).toBeGreaterThan(0);
  return INACTIVE_REASONS[s.reasons[1]!]!;
}

// Second peer: same attributes, a higher address and router ID, so only the changed attribute decides
// before the router-ID step.
const b = (over: Partial<BgpPath> = {}): BgpPath => path({ peer: '10.0.0.2', nextHop: '10.0.0.2', peerRouterId: '2.2.2.2', ...over });

describe('Junos best-path order, one step at a time', () => {
  it('1. a next hop that does not resolve: Unusable path, even with a higher local preference', () => {
    expect(loses(path(), b({ nextHop: '203.0.113.9', localPref: 200 }))).toBe('Unusable path');
  });
  it('3. higher local preference (missing = 100)', () => {
    expect(loses(b({ localPref: 150 }), path())).toBe('Local Preference');
    expect(loses(b({ localPref: 100 }), path({ localPref: 99 }))).toBe('Local Preference');
  });
  it('5. shorter AS path; an AS_SET counts one', () => {
    expect(loses(b(), path({ asPath: [{ type: 'sequence', asns: [65001, 65009] }] }))).toBe('AS path');
    const set = b({ asPath: [{ type: 'sequence', asns: [65001] }, { type: 'set', asns: [1, 2, 3] }] });
    expect(loses(set, path({ asPath: [{ type: 'sequence', asns: [65001, 7, 8] }] }))).toBe('AS path');
  });
  it('6. lower origin: IGP < EGP < incomplete', () => {
    expect(loses(b(), path({ origin: 'egp' }))).toBe('Origin');
    expect(loses(b({ origin: 'egp' }), path({ origin: 'incomplete' }))).toBe('Origin');
  });
  it('7. lower MED from the same neighbour AS (missing = 0): Not Best in its group', () => {
    expect(loses(b({ med: 10 }), path({ med: 150 }))).toBe('Not Best in its group');
    expect(loses(b(), path({ med: 1 }))).toBe('Not Best in its group');
  });
  it('7. MEDs from different neighbour ASes are not compared by default; always-compare-med compares them', () => {
    const other = b({ med: 150, asPath: [{ type: 'sequence', asns: [65002] }], peerRouterId: '0.0.0.1' });
    // By default MED is skipped: the lower router ID wins despite its higher MED.
    expect(loses(other, path({ med: 10 }))).toBe('Router ID');
    expect(loses(path({ med: 10 }), other, { ...ctx, alwaysCompareMed: true })).toBe('Always compare MED');
  });
  it('9. external over internal', () => {
    expect(loses(b(), path({ internal: true, peerAs: 65000 }))).toBe('Interior > Exterior > Exterior via Interior');
  });
  it('10. lower IGP metric to the next hop', () => {
    expect(loses(b({ internal: true, nextHop: '192.168.0.1' }), path({ internal: true, nextHop: '192.168.0.2' }))).toBe('IGP metric');
  });
  it('11. between external paths, the active one stays (unless external-router-id)', () => {
    const active = b();
    expect(loses(active, path(), ctx, active)).toBe('Active preferred');
    expect(loses(path(), active, { ...ctx, externalRouterId: true }, active)).toBe('Router ID');
    // Not between internal paths.
    const ai = b({ internal: true });
    expect(loses(path({ internal: true }), ai, ctx, ai)).toBe('Router ID');
  });
  it('13. lower router ID; the originator ID stands in for it on reflected routes', () => {
    expect(loses(path({ peerRouterId: '1.1.1.1' }), b({ peerRouterId: '1.1.1.2' }))).toBe('Router ID');
    const reflected = b({ internal: true, peerRouterId: '9.9.9.9', originatorId: '0.0.0.5', clusterList: ['5.5.5.5'] });
    expect(loses(reflected, path({ internal: true, peerRouterId: '1.1.1.1' }))).toBe('Router ID');
  });
  it('14. shorter cluster list', () => {
    const x = path({ internal: true, originatorId: '3.3.3.3', clusterList: ['7.7.7.7'] });
    const y = b({ internal: true, originatorId: '3.3.3.3', clusterList: ['7.7.7.7', '8.8.8.8'] });
    expect(loses(x, y)).toBe('Cluster list length');
  });
  it('15. lower peer address (two sessions to one router)', () => {
    expect(loses(path(), b({ peerRouterId: '1.1.1.1' }))).toBe('Update source');
  });
  it('no usable path: best -1, every path Unusable path', () => {
    const s = selectBest([path({ nextHop: '203.0.113.1' }), b({ nextHop: '203.0.113.2' })], ctx);
    expect(s).toEqual({ best: -1, reasons: [1, 1] });
  });
  it('the MED rule is not transitive across neighbour ASes; selection eliminates, so the result does not depend on order', () => {
    // a (AS 1, MED 10, internal) beats c (AS 1, MED 20, external) on MED; c beats b (AS 2) on
    // external over internal; b beats a on router ID. Junos: a eliminates c in their group, then a
    // and b are compared without MED: b's lower router ID wins.
    const a = path({ peer: '10.0.0.5', peerRouterId: '5.5.5.5', internal: true, med: 10, nextHop: '10.0.0.1' });
    const c = path({ peer: '10.0.0.6', peerRouterId: '6.6.6.6', med: 20, nextHop: '10.0.0.1' });
    const bb = path({ peer: '10.0.0.7', peerRouterId: '0.0.0.7', internal: true, nextHop: '10.0.0.1', asPath: [{ type: 'sequence', asns: [2] }] });
    expect(compare(a, c, ctx).order).toBeLessThan(0);
    expect(compare(c, bb, ctx).order).toBeLessThan(0);
    expect(compare(bb, a, ctx).order).toBeLessThan(0);
    for (const order of [[a, bb, c], [c, a, bb], [bb, c, a], [c, bb, a]]) {
      const s = selectBest(order, ctx);
      expect(order[s.best]).toBe(bb);
      expect(INACTIVE_REASONS[s.reasons[order.indexOf(c)]!]).toBe('Not Best in its group');
      expect(INACTIVE_REASONS[s.reasons[order.indexOf(a)]!]).toBe('Router ID');
    }
  });
});

// Random paths: few distinct values per attribute so that ties reach the late steps.
const arbPath = (i: number) =>
  fc.record({
    localPref: fc.option(fc.constantFrom(90, 100, 150), { nil: undefined }),
    asPath: fc.array(fc.constantFrom(1, 2, 3), { minLength: 0, maxLength: 3 }),
    set: fc.boolean(),
    origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
    med: fc.option(fc.constantFrom(0, 10, 20), { nil: undefined }),
    internal: fc.boolean(),
    nh: fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.0.1', '192.168.0.2', '203.0.113.1'),
    rid: fc.constantFrom('1.1.1.1', '2.2.2.2', '3.3.3.3'),
    orig: fc.option(fc.constantFrom('1.1.1.1', '4.4.4.4'), { nil: undefined }),
    cluster: fc.nat(2),
  }).map((r): BgpPath =>
    path({
      peer: `10.1.0.${i + 1}`,
      peerRouterId: r.rid,
      localPref: r.localPref,
      asPath: r.asPath.length ? [{ type: 'sequence', asns: r.asPath }, ...(r.set ? [{ type: 'set' as const, asns: [9, 8] }] : [])] : [],
      origin: r.origin,
      med: r.med,
      internal: r.internal,
      nextHop: r.nh,
      originatorId: r.orig,
      clusterList: Array.from({ length: r.cluster }, (_, k) => `7.7.7.${k}`),
    }),
  );
const arbPaths = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbPath(i))));

describe('properties', () => {
  it('with always-compare-med (a total order) the best never loses a pairwise comparison', () => {
    const c = { ...ctx, alwaysCompareMed: true };
    fc.assert(
      fc.property(arbPaths, (paths) => {
        const s = selectBest(paths, c);
        if (s.best < 0) return paths.every((p) => costs[p.nextHop] === undefined);
        return paths.every((p, i) => i === s.best || (compare(paths[s.best]!, p, c).order < 0 && compare(paths[s.best]!, p, c).reason === s.reasons[i]));
      }),
      { numRuns: 2000 },
    );
  });
  it('default MED rule: the best never loses a pairwise comparison to a path not put out within its neighbour-AS group', () => {
    fc.assert(
      fc.property(arbPaths, (paths) => {
        const s = selectBest(paths, ctx);
        if (s.best < 0) return true;
        return paths.every((p, i) => i === s.best || s.reasons[i] === R_MED_GROUP || compare(paths[s.best]!, p, ctx).order < 0);
      }),
      { numRuns: 2000 },
    );
  });
  it('selection does not depend on the order of the paths', () => {
    fc.assert(
      fc.property(arbPaths, fc.boolean(), fc.infiniteStream(fc.nat()), (paths, always, rnd) => {
        const c = { ...ctx, alwaysCompareMed: always };
        const s = selectBest(paths, c);
        const shuffled = [...paths];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rnd.next().value! % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const t = selectBest(shuffled, c);
        if (s.best < 0) return t.best < 0;
        return shuffled[t.best] === paths[s.best] && paths.every((p, i) => t.reasons[shuffled.indexOf(p)] === s.reasons[i]);
      }),
      { numRuns: 2000 },
    );
  });
});
