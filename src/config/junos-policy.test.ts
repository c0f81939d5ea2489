import { describe, expect, test } from 'vitest';
import { loadJunosText } from './junos-device.js';
import { errors, strip } from './testing.js';
import { applyPath } from './junos-policy.js';
import { parseJunos } from './junos-parser.js';

// The policy-options of the multihomed IP VPN seed, as its PEs and CPEs carry them.
const JUNO = `set policy-options policy-statement multihomed-ipvpn term no-cpe-originated from community cpe-originated-route
set policy-options policy-statement multihomed-ipvpn term no-cpe-originated then reject
set policy-options policy-statement multihomed-ipvpn term accept-rest then accept
set policy-options policy-statement multihomed-ipvpn-primary then local-preference 150
set policy-options policy-statement multihomed-ipvpn-primary then accept
set policy-options community cpe-originated-route members origin:1000:1000
`;

const LUNA = `set interfaces lo0 unit 8 description LUNA
set interfaces lo0 unit 8 family inet address 10.0.0.8/32
set policy-options prefix-list direct-lo0 apply-path "logical-systems Luna interfaces lo0 unit <*> family inet address <*>"
set policy-options policy-statement bgp-export term direct from protocol direct
set policy-options policy-statement bgp-export term direct from prefix-list direct-lo0
set policy-options policy-statement bgp-export term direct then community add cpe-originated-route
set policy-options policy-statement bgp-export term direct then accept
set policy-options policy-statement bgp-export term Saturn-prefix from protocol direct
set policy-options policy-statement bgp-export term Saturn-prefix from route-filter 192.168.1.0/24 exact
set policy-options policy-statement bgp-export term Saturn-prefix then community add cpe-originated-route
set policy-options policy-statement bgp-export term Saturn-prefix then accept
set policy-options policy-statement bgp-export term Saturn-Lo0 from protocol static
set policy-options policy-statement bgp-export term Saturn-Lo0 then community add cpe-originated-route
set policy-options policy-statement bgp-export term Saturn-Lo0 then accept
set policy-options policy-statement cpe-connection term all then next-hop self
set policy-options community cpe-originated-route members origin:1000:1000
`;

const LUNA_CURLY = `interfaces {
    lo0 {
        unit 8 {
            description LUNA;
            family inet {
                address 10.0.0.8/32;
            }
        }
    }
}
policy-options {
    prefix-list direct-lo0 {
        apply-path "logical-systems Luna interfaces lo0 unit <*> family inet address <*>";
    }
    policy-statement bgp-export {
        term direct {
            from {
                protocol direct;
                prefix-list direct-lo0;
            }
            then {
                community add cpe-originated-route;
                accept;
            }
        }
        term Saturn-prefix {
            from {
                protocol direct;
                route-filter 192.168.1.0/24 exact;
            }
            then {
                community add cpe-originated-route;
                accept;
            }
        }
        term Saturn-Lo0 {
            from protocol static;
            then {
                community add cpe-originated-route;
                accept;
            }
        }
    }
    policy-statement cpe-connection {
        term all {
            then next-hop self;
        }
    }
    community cpe-originated-route members origin:1000:1000;
}
`;

const at = (file: string, line: number, col: number) => ({ file, line, col });

describe("the seed's policies", () => {
  test('Juno: multihomed-ipvpn (two terms) and multihomed-ipvpn-primary (a final unnamed term)', () => {
    const d = loadJunosText(JUNO, 'juno.set');
    const cpe = { name: 'cpe-originated-route', members: ['origin:1000:1000'], loc: at('juno.set', 6, 20) };
    expect(d.communities).toEqual([cpe]);
    expect(d.prefixLists).toEqual([]);
    expect(d.policies).toEqual([
      {
        name: 'multihomed-ipvpn',
        loc: at('juno.set', 1, 20),
        terms: [
          { name: 'no-cpe-originated', from: { communities: [cpe] }, then: { flow: 'reject', communities: [] }, loc: at('juno.set', 1, 54) },
          { name: 'accept-rest', then: { flow: 'accept', communities: [] }, loc: at('juno.set', 3, 54) },
        ],
      },
      {
        name: 'multihomed-ipvpn-primary',
        loc: at('juno.set', 4, 20),
        terms: [{ then: { localPreference: 150, flow: 'accept', communities: [] }, loc: at('juno.set', 4, 62) }],
      },
    ]);
    expect(d.ignored).toEqual([]);
  });

  test("Ceres: the same with local-preference 10", () => {
    const d = loadJunosText(JUNO.replace(/multihomed-ipvpn-primary then local-preference 150/, 'multihomed-ipvpn-secondary then local-preference 10').replace(/-primary/g, '-secondary'), 'ceres.set');
    expect(d.policies!.map((p) => [p.name, p.terms.map((t) => [t.name, t.then.localPreference, t.then.flow])])).toEqual([
      ['multihomed-ipvpn', [['no-cpe-originated', undefined, 'reject'], ['accept-rest', undefined, 'accept']]],
      ['multihomed-ipvpn-secondary', [[undefined, 10, 'accept']]],
    ]);
  });

  test('Luna: bgp-export (protocol, prefix-list from apply-path, route-filter exact, community add) and cpe-connection (next-hop self)', () => {
    const d = loadJunosText(LUNA, 'luna.set');
    expect(d.prefixLists).toEqual([
      {
        name: 'direct-lo0',
        prefixes: ['10.0.0.8/32'],
        applyPath: 'logical-systems Luna interfaces lo0 unit <*> family inet address <*>',
        loc: at('luna.set', 3, 20),
      },
    ]);
    const [exp, nhs] = d.policies!;
    expect(exp!.terms.map((t) => [t.name, t.from?.protocols, t.from?.prefixLists?.map((p) => p.name), t.from?.routeFilters?.map((r) => [r.prefix, r.match, r.min, r.max]), t.then.communities.map((c) => `${c.op} ${c.community.name}`), t.then.flow])).toEqual([
      ['direct', ['direct'], ['direct-lo0'], undefined, ['add cpe-originated-route'], 'accept'],
      ['Saturn-prefix', ['direct'], undefined, [['192.168.1.0/24', 'exact', 24, 24]], ['add cpe-originated-route'], 'accept'],
      ['Saturn-Lo0', ['static'], undefined, undefined, ['add cpe-originated-route'], 'accept'],
    ]);
    expect(nhs).toEqual({ name: 'cpe-connection', loc: at('luna.set', 15, 20), terms: [{ name: 'all', then: { nextHop: 'self', communities: [] }, loc: at('luna.set', 15, 52) }] });
    expect(d.ignored).toEqual([]);
  });

  test('Orcus: apply-path names its own loopback', () => {
    const d = loadJunosText(LUNA.replace(/unit 8/g, 'unit 11').replace('10.0.0.8/32', '10.0.0.11/32').replace('LUNA', 'ORCUS').replace('Luna', 'Orcus'), 'orcus.set');
    expect(d.prefixLists![0]!.prefixes).toEqual(['10.0.0.11/32']);
  });

  test('curly and set forms build the same policies', () => {
    expect(strip(loadJunosText(LUNA_CURLY, 'luna.conf'))).toEqual(strip(loadJunosText(LUNA, 'luna.set')));
  });
});

describe('apply-path', () => {
  const tree = (text: string) => parseJunos(text, 'r.set').tree;
  test('wildcards and globs; logical-systems of this configuration; inactive statements skipped', () => {
    const t = tree(`set interfaces lo0 unit 0 family inet address 10.255.0.1/32
set interfaces lo0 unit 1 family inet address 10.255.0.2/32
set interfaces lo0 unit 1 family inet6 address 2001:db8::1/128
set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24
deactivate interfaces lo0 unit 1
set logical-systems LS1 interfaces lo0 unit 5 family inet address 10.9.9.9/32
`);
    expect(applyPath(t, 'interfaces <*> unit <*> family inet address <*>')).toEqual(['10.255.0.1/32', '192.0.2.1/24']);
    expect(applyPath(t, 'interfaces <lo*> unit <*> family inet address <*>')).toEqual(['10.255.0.1/32']);
    // LS1 exists here: its own interfaces; Other does not: read from the top.
    expect(applyPath(t, 'logical-systems LS1 interfaces lo0 unit <*> family inet address <*>')).toEqual(['10.9.9.9/32']);
    expect(applyPath(t, 'logical-systems Other interfaces lo0 unit <*> family inet address <*>')).toEqual(['10.255.0.1/32']);
  });

  test('an interface address in a prefix list is its subnet', () => {
    const d = loadJunosText(
      `set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24
set policy-options prefix-list PL apply-path "interfaces <*> unit <*> family inet address <*>"
set policy-options prefix-list PL 198.51.100.0/24`,
      'r.set',
    );
    expect(d.prefixLists![0]!.prefixes).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
  });
});

describe('the subset', () => {
  test('every condition and action, route-filter match types, lists', () => {
    const d = loadJunosText(
      `policy-options {
    community A members [ 65000:1 target:65000:2 ];
    community B members no-export;
    prefix-list P { 10.1.0.0/16; 2001:db8::/32; }
    policy-statement X {
        term t1 {
            from {
                community [ A B ];
                protocol [ bgp static ];
                neighbor [ 192.0.2.1 2001:DB8::1 ];
                route-filter 10.0.0.0/8 exact;
                route-filter 10.0.0.0/8 longer;
                route-filter 10.0.0.0/8 orlonger;
                route-filter 10.0.0.0/8 upto /24;
                route-filter 10.0.0.0/8 prefix-length-range /16-/20;
                route-filter 10.1.2.3 exact;
                prefix-list P;
            }
            then {
                local-preference 0;
                metric 4294967295;
                community set A;
                community delete B;
                community add B;
                next-hop 192.0.2.99;
                next term;
            }
        }
        term t2 { then next policy; }
        from protocol bgp;
        then reject;
    }
}`,
      'r.conf',
    );
    const [t1, t2, last] = d.policies![0]!.terms;
    expect(t1!.from!.communities!.map((c) => c.name)).toEqual(['A', 'B']);
    expect(d.communities!.map((c) => c.members)).toEqual([['65000:1', 'target:65000:2'], ['no-export']]);
    expect(t1!.from!.protocols).toEqual(['bgp', 'static']);
    expect(t1!.from!.neighbors).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(t1!.from!.routeFilters!.map((r) => `${r.prefix} ${r.match} ${r.min}-${r.max}`)).toEqual([
      '10.0.0.0/8 exact 8-8',
      '10.0.0.0/8 longer 9-32',
      '10.0.0.0/8 orlonger 8-32',
      '10.0.0.0/8 upto 8-24',
      '10.0.0.0/8 prefix-length-range 16-20',
      '10.1.2.3/32 exact 32-32',
    ]);
    expect(t1!.from!.prefixLists![0]!.prefixes).toEqual(['10.1.0.0/16', '2001:db8::/32']);
    expect(t1!.then).toMatchObject({ localPreference: 0, metric: 4294967295, nextHop: '192.0.2.99', flow: 'next-term' });
    expect(t1!.then.communities.map((c) => `${c.op} ${c.community.name}`)).toEqual(['set A', 'delete B', 'add B']);
    expect(t2!.then.flow).toBe('next-policy');
    expect(last!.name).toBeUndefined();
    expect(last).toMatchObject({ from: { protocols: ['bgp'] }, then: { flow: 'reject' } });
    expect(d.ignored).toEqual([]);
  });

  test('statements outside the subset are listed as ignored with their location; an unmodelled condition makes its term match nothing', () => {
    const d = loadJunosText(
      `set policy-options as-path AP "65000 .*"
set policy-options policy-statement X term a from as-path AP
set policy-options policy-statement X term a then accept
set policy-options policy-statement X term b from route-filter 10.0.0.0/8 through 10.1.0.0/16
set policy-options policy-statement X term c from route-filter 10.0.0.0/8 orlonger accept
set policy-options policy-statement X term d to neighbor 192.0.2.1
set policy-options policy-statement X term e then as-path-prepend 65000
set policy-options policy-statement X term e then metric add 5
set policy-options policy-statement X term e then next-hop peer-address
set policy-options policy-statement X term e then load-balance per-packet
set policy-options policy-statement X term e then accept
deactivate policy-options policy-statement X term e then metric add 5`,
      'r.set',
    );
    expect(d.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '1:20 policy-options as-path AP 65000 .*',
      '2:51 policy-options policy-statement X term a from as-path AP',
      '4:51 policy-options policy-statement X term b from route-filter 10.0.0.0/8 through 10.1.0.0/16',
      '5:51 policy-options policy-statement X term c from route-filter 10.0.0.0/8 orlonger accept',
      '6:46 policy-options policy-statement X term d to',
      '7:51 policy-options policy-statement X term e then as-path-prepend 65000',
      '8:51 inactive: policy-options policy-statement X term e then metric add 5',
      '9:51 policy-options policy-statement X term e then next-hop peer-address',
      '10:51 policy-options policy-statement X term e then load-balance per-packet',
    ]);
    expect(d.policies![0]!.terms.map((t) => [t.name, !!t.from?.unmodelled])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['d', true],
      ['e', false],
    ]);
    expect(d.policies![0]!.terms[4]!.then).toEqual({ flow: 'accept', communities: [] });
  });
});

describe('mistakes, each with its location', () => {
  test('undefined references, bad prefixes, bad match types and lengths, bad values', () => {
    expect(
      errors(`set policy-options community C members 65000:1
set policy-options community BAD members 70000:1
set policy-options community RE members "^65000:.*$"
set policy-options community EMPTY invert-match
set policy-options prefix-list PL 10.0.0.300/8
set policy-options policy-statement X term a from community NOPE
set policy-options policy-statement X term a from prefix-list NOPL
set policy-options policy-statement X term a from protocol bgpp
set policy-options policy-statement X term a from neighbor 10.0.0
set policy-options policy-statement X term a from route-filter 10.0.0.0/33 exact
set policy-options policy-statement X term a from route-filter 10.0.0.0/8 exactly
set policy-options policy-statement X term a from route-filter 10.0.0.0/8 upto /4
set policy-options policy-statement X term a from route-filter 10.0.0.0/8 upto 24
set policy-options policy-statement X term a from route-filter 10.0.0.0/8 prefix-length-range /20-/16
set policy-options policy-statement X term a from route-filter 10.0.0.0/8
set policy-options policy-statement X term b then local-preference 4294967296
set policy-options policy-statement X term b then metric -1
set policy-options policy-statement X term b then community add NOPE
set policy-options policy-statement X term b then community replace C
set policy-options policy-statement X term b then next skip
set policy-options policy-statement X term c then accept
set policy-options policy-statement X term c then reject`),
    ).toEqual([
      "r.conf:2:42: community BAD: member '70000:1' is not a community value (AS:N, target:X:N, origin:X:N or a well-known name; regular expressions are not modelled)",
      "r.conf:3:41: community RE: member '^65000:.*$' is not a community value (AS:N, target:X:N, origin:X:N or a well-known name; regular expressions are not modelled)",
      'r.conf:4:20: community EMPTY: no members',
      'r.conf:4:36: community EMPTY: invert-match is not modelled',
      "r.conf:5:35: prefix-list PL: '10.0.0.300/8' is not a valid IP prefix",
      'r.conf:6:61: policy-statement X term a: community NOPE is not defined',
      'r.conf:7:63: policy-statement X term a: prefix-list NOPL is not defined',
      "r.conf:8:60: policy-statement X term a: 'bgpp' is not a protocol (access, access-internal, aggregate, arp, bgp, direct, dvmrp, evpn, frr, isis, l2circuit, l2vpn, ldp, local, mpls, msdp, ospf, ospf2, ospf3, pim, rip, ripng, rsvp, static, vrrp)",
      "r.conf:9:60: policy-statement X term a: neighbor '10.0.0' is not an IP address",
      "r.conf:10:64: policy-statement X term a: route-filter: prefix length '33' is not in 0..32",
      "r.conf:11:75: policy-statement X term a: route-filter 10.0.0.0/8: 'exactly' is not a match type (exact, longer, orlonger, upto /N, prefix-length-range /A-/B)",
      "r.conf:12:80: policy-statement X term a: route-filter 10.0.0.0/8 upto: '/4' is not a length /8../32",
      "r.conf:13:80: policy-statement X term a: route-filter 10.0.0.0/8 upto: '24' is not a length /8../32",
      "r.conf:14:95: policy-statement X term a: route-filter 10.0.0.0/8 prefix-length-range: '/20-/16' is not /A-/B with 8 <= A <= B <= 32",
      'r.conf:15:51: policy-statement X term a: route-filter 10.0.0.0/8: missing match type (exact, longer, orlonger, upto /N, prefix-length-range /A-/B)',
      "r.conf:16:68: policy-statement X term b: local-preference '4294967296' is not 0..4294967295",
      "r.conf:17:58: policy-statement X term b: metric '-1' is not 0..4294967295",
      'r.conf:18:65: policy-statement X term b: community NOPE is not defined',
      "r.conf:19:61: policy-statement X term b: community: 'replace' is not add, set or delete",
      "r.conf:20:56: policy-statement X term b: 'next skip' is not 'next term' or 'next policy'",
      "r.conf:22:51: policy-statement X term c: 'reject' conflicts with 'accept'",
    ]);
  });
});
