import { describe, expect, test } from 'vitest';
import { loadJunosText } from './junos-device.js';
import { errors, strip } from './testing.js';

/** The model without source locations (and file names). */

/** `r.conf:line:col` of the n-th (0-based) occurrence of `needle` in `text`. */
function at(text: string, needle: string, nth = 0): string {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, i).split('\n');
  return `r.conf:${before.length}:${before[before.length - 1]!.length + 1}`;
}

const GOOD_SET = `set interfaces et-0/0/0 unit 0 family inet address 10.12.0.1/30
set interfaces et-0/0/0 unit 0 family mpls
set interfaces lo0 unit 0 family inet address 192.168.255.1/32
set interfaces lo0 unit 0 family inet6 address 2001:db8:ff::1/128
set interfaces gr-0/0/0 unit 0 tunnel source 192.168.255.1
set interfaces gr-0/0/0 unit 0 tunnel destination 192.168.255.2
set interfaces gr-0/0/0 unit 0 tunnel routing-instance destination CORE
set interfaces gr-0/0/0 unit 0 tunnel ttl 32
set interfaces gr-0/0/0 unit 0 family inet address 10.255.0.1/30
set interfaces gr-0/0/0 unit 0 family mpls
set interfaces gr-0/0/0 unit 1 tunnel source 2001:db8:ff::1
set interfaces gr-0/0/0 unit 1 tunnel destination 2001:db8:ff::2
set interfaces gr-0/0/0 unit 1 tunnel allow-fragmentation
set interfaces gr-0/0/0 unit 1 family inet6
set interfaces et-0/0/1 unit 0 family inet address 10.9.0.1/24
set routing-instances CORE instance-type virtual-router
set routing-instances CORE interface et-0/0/1.0
set routing-options static route 10.2.0.0/24 static-lsp-next-hop TO-PE2
set routing-options rib inet6.0 static route 2001:db8:2::/64 static-lsp-next-hop TO-PE2-ETH
set protocols mpls no-propagate-ttl
set protocols mpls interface gr-0/0/0.0
set protocols mpls interface et-0/0/0
set protocols mpls static-label-switched-path TO-PE2 ingress next-hop gr-0/0/0.0
set protocols mpls static-label-switched-path TO-PE2 ingress to 192.168.255.2
set protocols mpls static-label-switched-path TO-PE2 ingress push 1000200
set protocols mpls static-label-switched-path TO-PE2-ETH ingress next-hop 10.12.0.2
set protocols mpls static-label-switched-path TO-PE2-ETH ingress to 192.168.255.2
set protocols mpls static-label-switched-path TO-PE2-ETH ingress push 16
set protocols mpls static-label-switched-path FROM-PE2 transit 1000100 pop
set protocols mpls static-label-switched-path FROM-PE2 transit 1000101 swap 1048575
set protocols mpls static-label-switched-path FROM-PE2 transit 1000101 next-hop 10.12.0.2/et-0/0/0.0
set protocols isis interface all
`;

const GOOD_CURLY = `interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.1/30; } family mpls; } }
  lo0 { unit 0 { family inet { address 192.168.255.1/32; } family inet6 { address 2001:db8:ff::1/128; } } }
  gr-0/0/0 {
    unit 0 {
      tunnel { source 192.168.255.1; destination 192.168.255.2; routing-instance destination CORE; ttl 32; }
      family inet { address 10.255.0.1/30; }
      family mpls;
    }
    unit 1 { tunnel { source 2001:db8:ff::1; destination 2001:db8:ff::2; allow-fragmentation; } family inet6; }
  }
  et-0/0/1 { unit 0 { family inet { address 10.9.0.1/24; } } }
}
routing-instances { CORE { instance-type virtual-router; interface et-0/0/1.0; } }
routing-options {
  static { route 10.2.0.0/24 static-lsp-next-hop TO-PE2; }
  rib inet6.0 { static { route 2001:db8:2::/64 static-lsp-next-hop TO-PE2-ETH; } }
}
protocols {
  mpls {
    no-propagate-ttl;
    interface gr-0/0/0.0;
    interface et-0/0/0;
    static-label-switched-path TO-PE2 { ingress { next-hop gr-0/0/0.0; to 192.168.255.2; push 1000200; } }
    static-label-switched-path TO-PE2-ETH { ingress { next-hop 10.12.0.2; to 192.168.255.2; push 16; } }
    static-label-switched-path FROM-PE2 {
      transit 1000100 { pop; }
      transit 1000101 { swap 1048575; next-hop 10.12.0.2/et-0/0/0.0; }
    }
  }
  isis { interface all; }
}`;

describe('GRE tunnels and static LSPs in Junos text', () => {
  const set = loadJunosText(GOOD_SET, 'r.conf');
  const curly = loadJunosText(GOOD_CURLY, 'r.conf');

  test('curly and set forms build the same model', () => {
    expect(strip(set)).toEqual(strip(curly));
  });

  test('gr- units: tunnel endpoints, routing-instance, ttl, fragmentation, family mpls', () => {
    const units = curly.ifds.find((d) => d.name === 'gr-0/0/0')!.units;
    expect(units[0]!.tunnel).toMatchObject({ source: '192.168.255.1', destination: '192.168.255.2', destinationInstance: 'CORE', ttl: 32, allowFragmentation: false });
    expect(units[0]!.mpls).toBeDefined();
    expect(units[1]!.tunnel).toMatchObject({ source: '2001:db8:ff::1', destination: '2001:db8:ff::2', allowFragmentation: true });
    expect(units[1]!.mpls).toBeUndefined();
    expect(curly.ifds[0]!.units[0]!.mpls).toBeDefined();
  });

  test('protocols mpls: interfaces, no-propagate-ttl, ingress and transit static LSPs; other protocols still ignored', () => {
    expect(curly.mpls).toMatchObject({ interfaces: ['gr-0/0/0.0', 'et-0/0/0.0'], allInterfaces: false, noPropagateTtl: true });
    const [toPe2, toPe2Eth, fromPe2] = curly.mpls!.staticLsps;
    expect(toPe2).toMatchObject({ name: 'TO-PE2', ingress: { nextHop: { interface: 'gr-0/0/0.0' }, to: '192.168.255.2', push: 1000200 }, transit: [] });
    expect(toPe2Eth!.ingress).toMatchObject({ nextHop: { address: '10.12.0.2' }, push: 16 });
    expect(fromPe2!.transit.map((t) => [t.inLabel, t.pop, t.swap, t.nextHop?.address, t.nextHop?.interface])).toEqual([
      [1000100, true, undefined, undefined, undefined],
      [1000101, false, 1048575, '10.12.0.2', 'et-0/0/0.0'],
    ]);
    expect(curly.ignored.map((i) => i.path)).toEqual(['protocols isis']);
  });

  test('static-lsp-next-hop routes, IPv4 and IPv6', () => {
    expect(curly.instances[0]!.routes.map((r) => [r.prefix, r.action, r.lsp, r.nextHops])).toEqual([
      ['10.2.0.0/24', 'static-lsp', 'TO-PE2', []],
      ['2001:db8:2::/64', 'static-lsp', 'TO-PE2-ETH', []],
    ]);
  });
});

describe('GRE and MPLS configuration mistakes: one error each, with its location', () => {
  const base = (extra: string, mpls = ''): string => `interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.1/30; } family mpls; } }
  et-0/0/1 { unit 0 { family inet { address 10.13.0.1/30; } } }
  lo0 { unit 0 { family inet { address 192.168.255.1/32; } } }
  ${extra}
}
protocols { mpls { interface all; ${mpls} } }`;
  const gr = 'gr-0/0/0 { unit 0 { tunnel { source 192.168.255.1; destination 192.168.255.2; } family inet; family mpls; } }';

  test('a gr- unit without tunnel destination (or without tunnel at all)', () => {
    const t = base('gr-0/0/0 { unit 0 { tunnel { source 192.168.255.1; } family inet; } unit 1 { family inet; } }');
    expect(errors(t)).toEqual([
      `${at(t, 'tunnel {')}: gr-0/0/0.0: a GRE unit needs tunnel { source; destination; } (missing destination)`,
      `${at(t, 'unit 1')}: gr-0/0/0.1: a GRE unit needs tunnel { source; destination; } (missing tunnel)`,
    ]);
  });

  test('a tunnel source that is not an address of the device; mixed families', () => {
    const t = base('gr-0/0/0 { unit 0 { tunnel { source 192.168.255.7; destination 192.168.255.2; } } unit 1 { tunnel { source 192.168.255.1; destination 2001:db8::2; } } }');
    expect(errors(t)).toEqual([
      `${at(t, '192.168.255.7')}: gr-0/0/0.0: tunnel source 192.168.255.7 is not an address of this device`,
      `${at(t, '2001:db8::2')}: gr-0/0/0.1: tunnel source 192.168.255.1 and destination 2001:db8::2 are not of the same family`,
    ]);
  });

  test('an LSP next hop that is not on a connected subnet, or names an interface that does not exist', () => {
    const t = base(gr, 'static-label-switched-path A { ingress { next-hop 10.99.0.2; to 192.168.255.2; push 1000200; } } '
      + 'static-label-switched-path B { transit 1000100 { swap 1000101; next-hop gr-9/9/9.0; } }');
    expect(errors(t)).toEqual([
      `${at(t, '10.99.0.2')}: static-label-switched-path A: next-hop 10.99.0.2 is not on a directly connected subnet`,
      `${at(t, 'gr-9/9/9.0')}: static-label-switched-path B: next-hop interface gr-9/9/9.0 does not exist`,
    ]);
  });

  test('the network and broadcast addresses of a connected subnet are no neighbour (as for a static route)', () => {
    const t = base(gr, 'static-label-switched-path A { transit 1000100 { swap 1000101; next-hop 10.12.0.3; } } '
      + 'static-label-switched-path B { transit 1000102 { swap 1000103; next-hop 10.12.0.0; } } '
      + 'static-label-switched-path C { transit 1000104 { swap 1000105; next-hop 10.12.0.2; } }');
    expect(errors(t)).toEqual([
      `${at(t, '10.12.0.3')}: static-label-switched-path A: next-hop 10.12.0.3 is not on a directly connected subnet`,
      `${at(t, '10.12.0.0;')}: static-label-switched-path B: next-hop 10.12.0.0 is not on a directly connected subnet`,
    ]);
  });

  test('an Ethernet next hop given by interface only is not point-to-point', () => {
    const t = base(gr, 'static-label-switched-path A { ingress { next-hop et-0/0/0.0; to 192.168.255.2; push 1000200; } }');
    expect(errors(t)).toEqual([
      `${at(t, 'et-0/0/0.0;')}: static-label-switched-path A: next-hop et-0/0/0.0 is not a point-to-point interface: give the neighbour's address`,
    ]);
  });

  test('family mpls missing on the egress IFL; an IFL not under protocols mpls', () => {
    const t = base(gr, 'static-label-switched-path A { ingress { next-hop 10.13.0.2; to 192.168.255.2; push 1000200; } }');
    expect(errors(t)).toEqual([`${at(t, '10.13.0.2')}: static-label-switched-path A: family mpls is not configured on et-0/0/1.0`]);
    const u = `interfaces { et-0/0/0 { unit 0 { family inet { address 10.12.0.1/30; } family mpls; } } }
protocols { mpls { static-label-switched-path A { ingress { next-hop 10.12.0.2; to 10.0.0.9; push 1000200; } } } }`;
    expect(errors(u)).toEqual([
      `${at(u, '10.12.0.2')}: static-label-switched-path A: et-0/0/0.0 is not under protocols mpls (interface et-0/0/0.0; or interface all;)`,
    ]);
  });

  test('static-lsp-next-hop naming an unknown LSP, or one without ingress', () => {
    const t = `${base(gr, 'static-label-switched-path T { transit 1000100 { pop; } }')}
routing-options { static { route 10.2.0.0/24 static-lsp-next-hop NOPE; route 10.3.0.0/24 static-lsp-next-hop T; } }`;
    expect(errors(t)).toEqual([
      `${at(t, 'NOPE')}: static route 10.2.0.0/24: static-lsp-next-hop NOPE is not a static-label-switched-path`,
      `${at(t, 'T;')}: static route 10.3.0.0/24: static-label-switched-path T has no ingress`,
    ]);
  });

  test('labels out of range: push and swap 16..1048575, transit (incoming) 1000000..1048575', () => {
    const t = base(gr, 'static-label-switched-path A { ingress { next-hop gr-0/0/0.0; to 192.168.255.2; push 15; } } '
      + 'static-label-switched-path B { transit 999999 { pop; } transit 1000001 { swap 1048576; next-hop gr-0/0/0.0; } }');
    expect(errors(t)).toEqual([
      `${at(t, '15;')}: push label '15' is not in 16..1048575`,
      `${at(t, '999999')}: transit label '999999' is not in 1000000..1048575 (Junos's static label range)`,
      `${at(t, '1048576')}: swap label '1048576' is not in 16..1048575`,
    ]);
  });

  test('an ingress without push; a transit with both pop and swap; swap without next-hop; a label used twice', () => {
    const t = base(gr, 'static-label-switched-path A { ingress { next-hop gr-0/0/0.0; to 192.168.255.2; } } '
      + 'static-label-switched-path B { transit 1000001 { pop; swap 1000002; next-hop gr-0/0/0.0; } transit 1000002 { swap 1000003; } } '
      + 'static-label-switched-path C { transit 1000002 { pop; } }');
    expect(errors(t)).toEqual([
      `${at(t, 'ingress')}: static-label-switched-path A ingress: missing push`,
      `${at(t, 'transit 1000001')}: static-label-switched-path B transit 1000001: needs exactly one of pop or swap`,
      `${at(t, 'transit 1000002')}: static-label-switched-path B transit 1000002: swap needs a next-hop`,
      `${at(t, 'transit 1000002', 1)}: static-label-switched-path C: transit label 1000002 is also used by B`,
    ]);
  });
});
