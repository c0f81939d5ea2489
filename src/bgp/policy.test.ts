import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { loadJunosFile, loadJunosText } from '../config/junos-device.js';
import type { PolicyStatement, RouteFilter } from '../config/model.js';
import { asOverride, evaluate, routeFiltersMatch, type PolicyContext } from './policy.js';
import type { BgpPath } from './path.js';

/** The policies of a Junos text, by name. */
function policies(text: string): (...names: string[]) => PolicyStatement[] {
  const d = loadJunosText(text, 'r.set');
  return (...names) => names.map((n) => d.policies!.find((p) => p.name === n)!);
}

function path(prefix: string, o: Partial<BgpPath> = {}): BgpPath {
  return {
    prefix,
    table: 'inet.0',
    nextHop: '4.0.0.22',
    peer: '4.0.0.22',
    peerAs: 1,
    internal: false,
    peerRouterId: '10.0.0.5',
    asPath: [{ type: 'sequence', asns: [1] }],
    origin: 'igp',
    communities: [],
    clusterList: [],
    ...o,
  };
}

/** Deep-freezes a path so that a test fails if evaluation writes to its input. */
function frozen(p: BgpPath): BgpPath {
  Object.freeze(p.communities);
  p.asPath.forEach((s) => Object.freeze(s.asns));
  Object.freeze(p.asPath);
  return Object.freeze(p);
}

const IMPORT: PolicyContext = { direction: 'import' };
const exportTo = (localAddress: string, protocol = 'bgp'): PolicyContext => ({ direction: 'export', localAddress, protocol });

// The seed's PE (Juno, Ceres) and CPE (Luna) policies, from the seed's configurations (src/config/fixtures/seed-ipvpn).
const SEED_DEVICES = ['juno', 'ceres', 'luna'].map((n) => loadJunosFile(join(import.meta.dirname, '..', 'config', 'fixtures', 'seed-ipvpn', `${n}.set`)));
const SEED = (...names: string[]): PolicyStatement[] => names.map((n) => SEED_DEVICES.map((d) => d.policies?.find((p) => p.name === n)).find((p) => p !== undefined)!);

describe("the seed's policies", () => {
  test('Juno imports the CPE routes with local preference 150, Ceres with 10', () => {
    const saturn = frozen(path('10.0.0.12/32', { peer: '4.0.0.21', nextHop: '4.0.0.21', peerAs: 65500, asPath: [{ type: 'sequence', asns: [65500] }], communities: ['origin:1000:1000'] }));
    const juno = evaluate(SEED('multihomed-ipvpn-primary'), saturn, IMPORT);
    expect(juno).toEqual({ accepted: true, path: { ...saturn, localPref: 150 }, decidedBy: 'multihomed-ipvpn-primary' });
    const ceres = evaluate(SEED('multihomed-ipvpn-secondary'), saturn, IMPORT);
    expect(ceres.path.localPref).toBe(10);
    expect(saturn.localPref).toBeUndefined();
  });

  test('the PEs export to the CPEs everything but what a CPE originated (site of origin origin:1000:1000)', () => {
    const exp = SEED('multihomed-ipvpn');
    const genius = path('10.0.0.3/32', { communities: ['target:1:1'] });
    expect(evaluate(exp, genius, exportTo('4.0.0.22'))).toMatchObject({ accepted: true, decidedBy: 'multihomed-ipvpn term accept-rest' });
    const luna = path('10.0.0.8/32', { communities: ['target:1:1', 'origin:1000:1000'] });
    expect(evaluate(exp, luna, exportTo('4.0.0.22'))).toMatchObject({ accepted: false, decidedBy: 'multihomed-ipvpn term no-cpe-originated' });
  });

  test("Luna's bgp-export advertises its loopback, Saturn's prefix and the static route, marked cpe-originated; other direct routes are not advertised; BGP routes by the default", () => {
    const exp = SEED('bgp-export');
    const ctx = (protocol: string) => exportTo('4.0.0.21', protocol);
    const lo0 = evaluate(exp, frozen(path('10.0.0.8/32')), ctx('direct'));
    expect(lo0).toMatchObject({ accepted: true, decidedBy: 'bgp-export term direct' });
    expect(lo0.path.communities).toEqual(['origin:1000:1000']);
    expect(evaluate(exp, path('192.168.1.0/24'), ctx('direct'))).toMatchObject({ accepted: true, decidedBy: 'bgp-export term Saturn-prefix', path: { communities: ['origin:1000:1000'] } });
    expect(evaluate(exp, path('10.0.0.12/32'), ctx('static'))).toMatchObject({ accepted: true, decidedBy: 'bgp-export term Saturn-Lo0' });
    // The PE link's subnet is direct but in neither term: the export default rejects it.
    expect(evaluate(exp, path('4.0.0.20/30'), ctx('direct'))).toMatchObject({ accepted: false, decidedBy: 'default export' });
    // Saturn's /24 as a longer direct route does not match `exact`.
    expect(evaluate(exp, path('192.168.1.0/25'), ctx('direct')).accepted).toBe(false);
    // A BGP route (Genius's, from Orcus) matches no term: the BGP export default advertises it, unmarked.
    const viaOrcus = evaluate(exp, path('10.0.0.3/32'), ctx('bgp'));
    expect(viaOrcus).toMatchObject({ accepted: true, decidedBy: 'default export', path: { communities: [] } });
  });

  test("cpe-connection (Luna to Orcus, internal) sets the next hop to Luna's address and leaves the decision to the default", () => {
    const genius = frozen(path('10.0.0.3/32', { med: 10 }));
    const r = evaluate(SEED('cpe-connection'), genius, exportTo('192.168.1.3'));
    expect(r).toEqual({ accepted: true, path: { ...genius, nextHop: '192.168.1.3', communities: [] }, decidedBy: 'default export' });
    // Applied to a direct route it would still not be advertised.
    expect(evaluate(SEED('cpe-connection'), genius, exportTo('192.168.1.3', 'direct')).accepted).toBe(false);
  });
});

const P = policies(`set policy-options community A members 65000:1
set policy-options community AB members [ 65000:1 65000:2 ]
set policy-options community NOEXP members no-export
set policy-options community RT members target:65000:9
set policy-options prefix-list PL 10.1.0.0/16
set policy-options prefix-list PL 2001:db8::/32
set policy-options policy-statement comm-ab from community AB
set policy-options policy-statement comm-ab then accept
set policy-options policy-statement comm-or from community [ AB NOEXP ]
set policy-options policy-statement comm-or then accept
set policy-options policy-statement proto from protocol [ static aggregate ]
set policy-options policy-statement proto then accept
set policy-options policy-statement nbr from neighbor [ 192.0.2.1 2001:db8::1 ]
set policy-options policy-statement nbr then accept
set policy-options policy-statement pl from prefix-list PL
set policy-options policy-statement pl then accept
set policy-options policy-statement pl-or-rf from prefix-list PL
set policy-options policy-statement pl-or-rf from route-filter 172.16.0.0/12 orlonger
set policy-options policy-statement pl-or-rf then accept
set policy-options policy-statement both from protocol bgp
set policy-options policy-statement both from community A
set policy-options policy-statement both then accept
set policy-options policy-statement gotcha from route-filter 192.168.0.0/16 orlonger
set policy-options policy-statement gotcha from route-filter 192.168.254.0/23 exact
set policy-options policy-statement gotcha then accept
set policy-options policy-statement same-prefix term t from route-filter 0.0.0.0/0 upto /7
set policy-options policy-statement same-prefix term t from route-filter 0.0.0.0/0 upto /24
set policy-options policy-statement same-prefix term t then accept
set policy-options policy-statement v6 from route-filter 2001:db8::/32 longer
set policy-options policy-statement v6 then accept
set policy-options policy-statement set-all term a then local-preference 200
set policy-options policy-statement set-all term a then metric 77
set policy-options policy-statement set-all term a then community add A
set policy-options policy-statement set-all term a then community add RT
set policy-options policy-statement set-all term a then next-hop 198.51.100.1
set policy-options policy-statement set-all term b from community RT
set policy-options policy-statement set-all term b then reject
set policy-options policy-statement add-dup then community add A
set policy-options policy-statement add-dup then community add NOEXP
set policy-options policy-statement replace then community set RT
set policy-options policy-statement del then community delete AB
set policy-options policy-statement skip term a then next policy
set policy-options policy-statement skip term b then reject
set policy-options policy-statement nt term a then local-preference 5
set policy-options policy-statement nt term a then next term
set policy-options policy-statement nt term b then local-preference 6
set policy-options policy-statement lp-only then local-preference 300
set policy-options policy-statement rej then reject
set policy-options policy-statement acc then accept
set policy-options policy-statement nhs then next-hop self
set policy-options policy-statement unmodelled term a from as-path-group X
set policy-options policy-statement unmodelled term a then reject`);

describe('match conditions', () => {
  const ok = (names: string | string[], p: BgpPath, ctx: PolicyContext = IMPORT) =>
    evaluate(P(...(Array.isArray(names) ? names : [names])), p, { ...ctx, direction: 'export', localAddress: '192.0.2.254' }).decidedBy !== 'default export';

  test('community: a definition matches when the path carries all its members; a list matches on any; well-known names equal their numbers', () => {
    expect(ok('comm-ab', path('10.0.0.0/8', { communities: ['65000:2', '65000:1'] }))).toBe(true);
    expect(ok('comm-ab', path('10.0.0.0/8', { communities: ['65000:1'] }))).toBe(false);
    expect(ok('comm-or', path('10.0.0.0/8', { communities: ['65535:65281'] }))).toBe(true);
    expect(ok('comm-or', path('10.0.0.0/8', { communities: ['no-export'] }))).toBe(true);
    expect(ok('comm-or', path('10.0.0.0/8', { communities: ['65000:2'] }))).toBe(false);
  });

  test('protocol: the context names it (bgp when absent)', () => {
    expect(ok('proto', path('10.0.0.0/8'), { direction: 'export', protocol: 'static' })).toBe(true);
    expect(ok('proto', path('10.0.0.0/8'), { direction: 'export', protocol: 'aggregate' })).toBe(true);
    expect(ok('proto', path('10.0.0.0/8'), { direction: 'export' })).toBe(false);
  });

  test('neighbor: the peer the path came from, addresses compared as addresses', () => {
    expect(ok('nbr', path('10.0.0.0/8', { peer: '192.0.2.1' }))).toBe(true);
    expect(ok('nbr', path('10.0.0.0/8', { peer: '2001:DB8:0::1' }))).toBe(true);
    expect(ok('nbr', path('10.0.0.0/8', { peer: '192.0.2.2' }))).toBe(false);
  });

  test('prefix-list: exact prefixes only; with a route-filter in the same term either matches', () => {
    expect(ok('pl', path('10.1.0.0/16'))).toBe(true);
    expect(ok('pl', path('2001:db8::/32'))).toBe(true);
    expect(ok('pl', path('10.1.0.0/17'))).toBe(false);
    expect(ok('pl', path('10.0.0.0/8'))).toBe(false);
    expect(ok('pl-or-rf', path('10.1.0.0/16'))).toBe(true);
    expect(ok('pl-or-rf', path('172.16.5.0/24'))).toBe(true);
    expect(ok('pl-or-rf', path('10.2.0.0/16'))).toBe(false);
  });

  test('all conditions of a from must match', () => {
    expect(ok('both', path('10.0.0.0/8', { communities: ['65000:1'] }))).toBe(true);
    expect(ok('both', path('10.0.0.0/8', { communities: ['65000:1'] }), { direction: 'export', protocol: 'static' })).toBe(false);
    expect(ok('both', path('10.0.0.0/8'))).toBe(false);
  });

  test('route lists: the longest prefix decides; a shorter one that would match is not tried (Junos "common problem with the longest-match lookup")', () => {
    expect(ok('gotcha', path('192.168.254.0/24'))).toBe(false);
    expect(ok('gotcha', path('192.168.254.0/23'))).toBe(true);
    expect(ok('gotcha', path('192.168.1.0/24'))).toBe(true);
    // Identical prefixes are tried in order: /8 fails upto /7 but matches upto /24.
    expect(ok('same-prefix', path('10.0.0.0/8'))).toBe(true);
    expect(ok('same-prefix', path('10.0.0.0/25'))).toBe(false);
  });

  test('IPv6 route filters; families never match each other', () => {
    expect(ok('v6', path('2001:db8:1::/48'))).toBe(true);
    expect(ok('v6', path('2001:db8::/32'))).toBe(false);
    expect(ok('v6', path('32.1.13.184/32'))).toBe(false);
  });

  test('a term with a condition triode does not model matches nothing', () => {
    expect(evaluate(P('unmodelled'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: true, decidedBy: 'default import' });
  });
});

describe('route-filter match types (Junos "Route Filter Match Conditions", Table 1)', () => {
  const rf = (prefix: string, length: number, match: RouteFilter['match'], min: number, max: number): RouteFilter[] => [{ prefix, length, match, min, max }];
  test.each([
    ['exact', 8, 8, '10.0.0.0/8', true],
    ['exact', 8, 8, '10.0.0.0/9', false],
    ['exact', 8, 8, '11.0.0.0/8', false],
    ['longer', 9, 32, '10.0.0.0/8', false],
    ['longer', 9, 32, '10.128.0.0/9', true],
    ['longer', 9, 32, '10.1.2.3/32', true],
    ['orlonger', 8, 32, '10.0.0.0/8', true],
    ['orlonger', 8, 32, '10.255.255.255/32', true],
    ['orlonger', 8, 32, '0.0.0.0/0', false],
    ['upto', 8, 16, '10.0.0.0/16', true],
    ['upto', 8, 16, '10.0.0.0/17', false],
    ['prefix-length-range', 16, 20, '10.0.0.0/15', false],
    ['prefix-length-range', 16, 20, '10.0.0.0/16', true],
    ['prefix-length-range', 16, 20, '10.0.240.0/20', true],
    ['prefix-length-range', 16, 20, '10.0.0.0/21', false],
  ] as const)('10.0.0.0/8 %s (lengths %i..%i) vs %s → %s', (match, min, max, route, want) => {
    expect(routeFiltersMatch(rf('10.0.0.0/8', 8, match, min, max), route)).toBe(want);
  });

  test('one filter matches exactly the routes under its prefix with a length in min..max (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), (fa, flen, ra, rlen, x, y) => {
        const mask = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
        const txt = (a: number, len: number) => `${[24, 16, 8, 0].map((s) => ((a & mask(len)) >>> s) & 255).join('.')}/${len}`;
        const min = Math.max(flen, Math.min(x, y));
        const max = Math.max(flen, Math.max(x, y));
        const under = rlen >= flen && ((fa & mask(flen)) >>> 0) === ((ra & mask(flen)) >>> 0);
        const want = under && rlen >= min && rlen <= max;
        expect(routeFiltersMatch(rf(txt(fa, flen), flen, 'upto', min, max), txt(ra, rlen))).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('actions', () => {
  test('local-preference, metric (MED), community add, next-hop address apply in a term without a flow action and stay when a later term decides', () => {
    const p = frozen(path('10.0.0.0/8', { med: 5, communities: ['65000:1'] }));
    const r = evaluate(P('set-all'), p, IMPORT);
    expect(r).toEqual({
      accepted: false,
      decidedBy: 'set-all term b',
      path: { ...p, localPref: 200, med: 77, nextHop: '198.51.100.1', communities: ['65000:1', 'target:65000:9'] },
    });
  });

  test('community add appends without duplicates (well-known names included); set replaces; delete removes every member', () => {
    expect(evaluate(P('add-dup'), path('10.0.0.0/8', { communities: ['65000:1', '65535:65281'] }), IMPORT).path.communities).toEqual(['65000:1', '65535:65281']);
    expect(evaluate(P('replace'), path('10.0.0.0/8', { communities: ['65000:1', 'origin:1:1'] }), IMPORT).path.communities).toEqual(['target:65000:9']);
    expect(evaluate(P('del'), path('10.0.0.0/8', { communities: ['65000:2', '65000:3', '65000:1'] }), IMPORT).path.communities).toEqual(['65000:3']);
  });

  test('next-hop self: the session local address on export; needs it; on import the path keeps its next hop', () => {
    expect(evaluate(P('nhs'), path('10.0.0.0/8'), exportTo('192.0.2.254')).path.nextHop).toBe('192.0.2.254');
    expect(() => evaluate(P('nhs'), path('10.0.0.0/8'), { direction: 'export' })).toThrow(/local address/);
    expect(evaluate(P('nhs'), path('10.0.0.0/8'), IMPORT).path.nextHop).toBe('4.0.0.22');
  });

  test('a path no action changed is returned as it came', () => {
    const p = frozen(path('10.0.0.0/8'));
    expect(evaluate(P('acc'), p, IMPORT).path).toBe(p);
  });
});

describe('flow and chains', () => {
  test('next term goes on; next policy skips the rest of the policy; accept/reject end the chain', () => {
    expect(evaluate(P('nt'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: true, decidedBy: 'default import', path: { localPref: 6 } });
    expect(evaluate(P('skip'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: true, decidedBy: 'default import' });
    expect(evaluate(P('skip', 'rej'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: false, decidedBy: 'rej' });
    expect(evaluate(P('lp-only', 'acc', 'rej'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: true, decidedBy: 'acc', path: { localPref: 300 } });
    expect(evaluate(P('rej', 'acc'), path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: false, decidedBy: 'rej' });
  });

  test('defaults: import accepts; export accepts BGP routes and rejects the others; an empty chain is the default', () => {
    expect(evaluate([], path('10.0.0.0/8'), IMPORT)).toMatchObject({ accepted: true, decidedBy: 'default import' });
    expect(evaluate([], path('10.0.0.0/8'), exportTo('192.0.2.254'))).toMatchObject({ accepted: true, decidedBy: 'default export' });
    for (const protocol of ['direct', 'static', 'local', 'aggregate', 'ospf']) {
      expect(evaluate(P('lp-only'), path('10.0.0.0/8'), exportTo('192.0.2.254', protocol))).toMatchObject({ accepted: false, decidedBy: 'default export', path: { localPref: 300 } });
    }
  });
});

describe('as-override', () => {
  test("every occurrence of the peer's AS becomes the local AS, in sequences and sets; the input is untouched", () => {
    const p = frozen(path('10.0.0.12/32', { asPath: [{ type: 'sequence', asns: [65500, 7, 65500] }, { type: 'set', asns: [65500, 8] }] }));
    const r = asOverride(p, 65500, 1);
    expect(r.asPath).toEqual([{ type: 'sequence', asns: [1, 7, 1] }, { type: 'set', asns: [1, 8] }]);
    expect(p.asPath[0]!.asns).toEqual([65500, 7, 65500]);
    expect(asOverride(p, 64999, 1).asPath).toEqual(p.asPath);
  });
});
