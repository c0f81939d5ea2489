// Builds the GRE and static MPLS cases under pcaps/mpls-gre/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them):
// GRE encapsulation and decapsulation (IPv4 and IPv6 inside and outside),
// bad GRE, static LSPs pushing, swapping and popping labels across three
// routers in the uniform and pipe TTL models, and MPLS drops. (MPLS over GRE
// over IPsec is pcaps/ipsec/mpls-gre-ipsec.)
//
//   npm run cases                              (all generators)
//   node scripts/make-mpls-gre-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { eth, ip4, ip6, pattern, ping4, ping6, udp4Frame } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { at, cat, hex, hop, inetSum, ipFrame, main } from './cases-lib.mjs';

export const AREA = 'mpls-gre';
export const GENERATOR = 'scripts/make-mpls-gre-cases.mjs';

const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const lanMac = (dev) => formatMac(derivedMac(dev, 'et-0/0/1'));
const isArpOrNd = (f) => (f[12] === 0x08 && f[13] === 0x06) || (f[12] === 0x86 && f[13] === 0xdd && f[20] === 58);

/** A CE's LAN unit on a PE (static ARP / NDP for the CE). */
const lanUnit = (n) => {
  const ce = n === 1 ? CE1 : CE2;
  return `et-0/0/1 { unit 0 {
    family inet { address 10.${n}.0.1/24 { arp 10.${n}.0.2 mac ${ce}; } address 10.${n + 2}.0.1/24 { arp 10.${n + 2}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${n}::1/64 { ndp 2001:db8:${n}::2 mac ${ce}; } } } }`;
};

/** A GRE header (RFC 2784; key RFC 2890) and payload; with `checksum` the checksum over both. */
function gre(proto, payload, { key, checksum = false } = {}) {
  const h = [(checksum ? 0x80 : 0) | (key !== undefined ? 0x20 : 0), 0, proto >> 8, proto & 255];
  if (checksum) h.push(0, 0, 0, 0);
  if (key !== undefined) h.push(key >>> 24, (key >>> 16) & 255, (key >>> 8) & 255, key & 255);
  const g = cat(h, payload);
  if (checksum) { const c = inetSum(g); g[4] = c >> 8; g[5] = c & 255; }
  return g;
}

/** An MPLS label stack entry (RFC 3032). */
const lse = (label, ttl, bottom = true, tc = 0) => Uint8Array.of(label >>> 12, (label >>> 4) & 255, ((label & 15) << 4) | (tc << 1) | (bottom ? 1 : 0), ttl);

/** CE1's packets (IPv4, IPv6, sizes that pad differently) with a TTL / hop limit. */
const flows = (e, ttl) => [
  ping4(e, { src: '10.1.0.2', dst: '10.2.0.2', id: 11, ttl }, 7, 1),
  udp4Frame(e, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 12, ttl }, 40000, 9, pattern(1)),
  udp4Frame(e, { src: '10.1.0.2', dst: '10.2.0.2', id: 13, ttl }, 40000, 9, pattern(1000)),
  ping6(e, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: ttl }, 7, 2, pattern(50)),
  ping6(e, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: ttl }, 7, 3, pattern(3)),
];
const ipOf = (f) => f.subarray(14);

// ---------------------------------------------------------------- GRE between two PEs

/**
 * A PE of the GRE pair: gr-0/0/0.0 between the IPv4 loopbacks carries IPv4
 * (a route to the unit) and IPv6 (a route to an address on its subnet);
 * gr-0/0/0.1 between the IPv6 loopbacks carries IPv4 (a recursive route via
 * its subnet). The loopbacks route over the Ethernet core, resolved by ARP
 * and ND across the link.
 */
function grePe(n) {
  const far = 3 - n;
  return `system { host-name PE${n}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 172.16.0.${n}/24; } family inet6 { address 2001:db8:c::${n}/64; } } }
  ${lanUnit(n)}
  lo0 { unit 0 { family inet { address 192.168.255.${n}/32; } family inet6 { address 2001:db8:ff::${n}/128; } } }
  gr-0/0/0 {
    unit 0 { tunnel { source 192.168.255.${n}; destination 192.168.255.${far}; }
      family inet { address 10.255.0.${n}/30; } family inet6 { address 2001:db8:255::${n}/64; } }
    unit 1 { tunnel { source 2001:db8:ff::${n}; destination 2001:db8:ff::${far}; } family inet { address 10.254.0.${n}/30; } }
  }
}
routing-options {
  static {
    route 192.168.255.${far}/32 next-hop 172.16.0.${far};
    route 10.${far}.0.0/24 next-hop gr-0/0/0.0;
    route 10.${far + 2}.0.0/24 next-hop 10.254.0.${far};
  }
  rib inet6.0 { static {
    route 2001:db8:ff::${far}/128 next-hop 2001:db8:c::${far};
    route 2001:db8:${far}::/64 next-hop 2001:db8:255::${far};
  } }
}
`;
}
const TWO_PE = 'devices:\n  PE1: { config: pe1.conf }\n  PE2: { config: pe2.conf }\nlinks:\n  - [PE1:et-0/0/0, PE2:et-0/0/0]\n';

// ---------------------------------------------------------------- static LSPs across three routers

function lsr(name, pipe) {
  const mpls = pipe ? 'no-propagate-ttl; ' : '';
  if (name === 'P') {
    return `system { host-name P; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.2/24; } family mpls; } }
  et-0/0/1 { unit 0 { family inet { address 10.23.0.2/24; } family mpls; } }
}
protocols { mpls { ${mpls}interface all;
  static-label-switched-path PE1-PE2 { transit 1000100 { swap 1000101; next-hop 10.23.0.3; } } } }
`;
  }
  const n = name === 'PE1' ? 1 : 2;
  const lsp = n === 1
    ? 'static-label-switched-path PE1-PE2 { ingress { next-hop 10.12.0.2; to 192.168.255.2; push 1000100; } }'
    : 'static-label-switched-path PE1-PE2 { transit 1000101 { pop; } }';
  const routes = n === 1
    ? `routing-options {
  static { route 10.2.0.0/24 static-lsp-next-hop PE1-PE2; }
  rib inet6.0 { static { route 2001:db8:2::/64 static-lsp-next-hop PE1-PE2; } }
}
`
    : '';
  return `system { host-name ${name}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${n === 1 ? '10.12.0.1/24' : '10.23.0.3/24'}; } family mpls; } }
  ${lanUnit(n)}
}
${routes}protocols { mpls { ${mpls}interface et-0/0/0.0; ${lsp} } }
`;
}
const THREE = 'devices:\n  PE1: { config: pe1.conf }\n  P: { config: p.conf }\n  PE2: { config: pe2.conf }\nlinks:\n  - [PE1:et-0/0/0, P:et-0/0/0]\n  - [P:et-0/0/1, PE2:et-0/0/0]\n';

/** [label, S, TTL] of a labelled frame's top entry. */
const top = (f) => [(f[14] << 12) | (f[15] << 4) | (f[16] >> 4), f[16] & 1, f[17]];
const isMpls = (f) => f[12] === 0x88 && f[13] === 0x47;

function lspCase(pipe) {
  const sent = flows({ src: CE1, dst: lanMac('PE1') }, 64);
  return {
    name: pipe ? 'mpls-lsp-pipe' : 'mpls-lsp-uniform',
    description: pipe
      ? 'Static LSP with no-propagate-ttl (the pipe model): PE1 pushes 1000100 with TTL 255, P swaps to 1000101 (254), PE2 pops and routes; the IP TTL counts only the two PEs (CE2 gets 62)'
      : 'Static LSP across three routers (the uniform TTL model, Junos\'s default): PE1 pushes 1000100 with the IP TTL after its lookup (63), P swaps to 1000101 (62), PE2 pops, copies the label TTL into the IP header and routes (CE2 gets 61); the labelled packets wait in the ARP hold queue like IP packets; the links carry only MPLS and ARP',
    files: { 'pe1.conf': lsr('PE1', pipe), 'p.conf': lsr('P', pipe), 'pe2.conf': lsr('PE2', pipe), 'scenario.yaml': THREE },
    configFile: 'scenario.yaml',
    inputs: { 'PE1:et-0/0/1': at(sent) },
    record: ['devices.P.nodes.mpls-lookup.counters', 'devices.PE2.nodes.mpls-lookup.counters', 'devices.PE1.nodes.mpls-output.counters'],
    intent(o) {
      const to2 = { src: lanMac('PE2'), dst: CE2 };
      o.sends('PE2:et-0/0/1', sent.map((f) => ipFrame(to2, hop(ipOf(f), pipe ? 2 : 3))), 'CE2 gets the packets');
      const l1 = o.frames('PE1:et-0/0/0').filter(isMpls);
      const l2 = o.frames('P:et-0/0/1').filter(isMpls);
      assert.deepEqual(l1.map(top), Array(5).fill([1000100, 1, pipe ? 255 : 63]), 'PE1 pushes 1000100');
      assert.deepEqual(l2.map(top), Array(5).fill([1000101, 1, pipe ? 254 : 62]), 'P swaps to 1000101');
      l1.forEach((f, i) => assert.equal(hex(f.subarray(18, 18 + ipOf(sent[i]).length)), hex(hop(ipOf(sent[i]))), `label ${i + 1} carries the packet one hop on`));
      for (const port of ['PE1:et-0/0/0', 'P:et-0/0/1']) assert.ok(o.frames(port).every((f) => isMpls(f) || isArpOrNd(f)), `${port}: MPLS and ARP only`);
      o.drops({});
      o.counters({ 'devices.P.nodes.mpls-lookup.counters.labels_swapped': 5, 'devices.PE2.nodes.mpls-lookup.counters.labels_popped': 5 });
    },
  };
}

// ---------------------------------------------------------------- the cases

export const CASES = [
  (() => {
    const sent = [
      ping4({ src: CE1, dst: lanMac('PE1') }, { src: '10.1.0.2', dst: '10.2.0.2', id: 21 }, 7, 1),
      udp4Frame({ src: CE1, dst: lanMac('PE1') }, { src: '10.1.0.2', dst: '10.2.0.2', id: 22, df: true }, 40000, 9, pattern(1000)),
      ping6({ src: CE1, dst: lanMac('PE1') }, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 7, 2, pattern(50)),
      ping4({ src: CE1, dst: lanMac('PE1') }, { src: '10.1.0.2', dst: '10.4.0.2', id: 23 }, 7, 3),
    ];
    return {
      name: 'gre-v4-v6',
      description: 'GRE (RFC 2784) between two PEs: IPv4 and IPv6 routed into gr-0/0/0.0 (outer IPv4 192.168.255.1 -> .2, protocol 0x0800 / 0x86DD, TTL 64, DF) and IPv4 into gr-0/0/0.1 (outer IPv6 2001:db8:ff::1 -> ::2); PE2 ends the tunnels and CE2 gets the packets two hops on; the core carries GRE and the ARP / ND that resolve the loopback routes',
      files: { 'pe1.conf': grePe(1), 'pe2.conf': grePe(2), 'scenario.yaml': TWO_PE },
      configFile: 'scenario.yaml',
      inputs: { 'PE1:et-0/0/1': at(sent) },
      record: ['devices.PE1.interfaces.gr-0/0/0.0', 'devices.PE1.interfaces.gr-0/0/0.1', 'devices.PE2.interfaces.gr-0/0/0.0', 'devices.PE2.interfaces.gr-0/0/0.1'],
      intent(o) {
        const to2 = { src: lanMac('PE2'), dst: CE2 };
        o.sends('PE2:et-0/0/1', sent.map((f) => ipFrame(to2, hop(ipOf(f), 2))), 'CE2 gets the packets two hops on');
        const core = o.frames('PE1:et-0/0/0').filter((f) => !isArpOrNd(f));
        assert.equal(core.length, 4, 'four GRE packets on the core');
        core.forEach((f, i) => {
          const inner = hop(ipOf(sent[i]));
          const proto = (inner[0] >>> 4) === 4 ? 0x0800 : 0x86dd;
          const want = i < 3
            ? ip4({ src: '192.168.255.1', dst: '192.168.255.2', ttl: 64, df: true, id: (f[18] << 8) | f[19] }, 47, gre(proto, inner))
            : ip6({ src: '2001:db8:ff::1', dst: '2001:db8:ff::2', hlim: 64 }, 47, gre(proto, inner));
          assert.equal(hex(f.subarray(14)), hex(want), `GRE packet ${i + 1}`);
        });
        o.drops({});
      },
    };
  })(),
  (() => {
    const R1 = `system { host-name R1; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:0a; } } } }
  ${lanUnit(1)}
  lo0 { unit 0 { family inet { address 192.168.255.1/32; } } }
  gr-0/0/0 {
    unit 0 { tunnel { source 192.168.255.1; destination 192.168.255.9; } family inet; }
    unit 1 { tunnel { source 192.168.255.1; destination 192.168.255.2; } family inet { address 10.255.0.1/30; } family inet6; }
  }
}
routing-options { static {
  route 192.168.255.9/32 next-hop gr-0/0/0.0;
  route 10.9.0.0/24 next-hop gr-0/0/0.0;
  route 192.168.255.2/32 next-hop 10.0.0.2;
} }
`;
    const peer = { src: '02:00:00:00:00:0a', dst: formatMac(derivedMac('R1', 'et-0/0/0')) };
    const inner4 = ping4(peer, { src: '10.3.0.2', dst: '10.1.0.2', id: 31, ttl: 9 }, 1, 1).subarray(14);
    const inner6 = ping6(peer, { src: '2001:db8:3::2', dst: '2001:db8:1::2', hlim: 9 }, 1, 2).subarray(14);
    const greIn = (src, g) => eth(peer, 0x0800, ip4({ src, dst: '192.168.255.1', ttl: 63 }, 47, g));
    const bad = gre(0x0800, inner4, { checksum: true });
    bad[bad.length - 1] ^= 0xff;
    const frames = [
      greIn('192.168.255.2', gre(0x0800, inner4)),
      greIn('192.168.255.2', gre(0x86dd, inner6)),
      greIn('192.168.255.2', gre(0x0800, inner4, { checksum: true })),
      greIn('192.168.255.7', gre(0x0800, inner4)),
      greIn('192.168.255.2', gre(0x0800, inner4, { key: 5 })),
      greIn('192.168.255.2', bad),
      ping4(peer, { src: '10.0.0.2', dst: '10.9.0.9' }, 1, 3),
    ];
    return {
      name: 'gre-decap',
      description: 'GRE to R1\'s loopback from its tunnel peer 192.168.255.2 is ended on gr-0/0/0.1 and the IPv4 and IPv6 inside forwarded to the LAN (TTL down by one: the tunnel is one hop), with a checksum too (verified); GRE from an unknown peer (gre_no_tunnel), keyed (gre_key_mismatch) or with a bad checksum (gre_bad_checksum) is dropped; a packet for 10.9.0.0/24 via gr-0/0/0.0, whose tunnel destination routes into gr-0/0/0.0 itself, is dropped as gre_tunnel_loop',
      config: R1,
      inputs: { 'et-0/0/0': at(frames) },
      record: ['devices.R1.interfaces.gr-0/0/0.0', 'devices.R1.interfaces.gr-0/0/0.1', 'devices.R1.nodes.gre-input.counters'],
      intent(o) {
        const toCe = { src: lanMac('R1'), dst: CE1 };
        o.sends('et-0/0/1', [ipFrame(toCe, hop(inner4)), ipFrame(toCe, hop(inner6)), ipFrame(toCe, hop(inner4))], 'the inner packets one hop on');
        o.onlyPorts(['et-0/0/1']);
        o.drops({ gre_no_tunnel: 1, gre_key_mismatch: 1, gre_bad_checksum: 1, gre_tunnel_loop: 1 });
        o.counters({ 'devices.R1.interfaces.gr-0/0/0.1.inputPackets': 3 });
      },
    };
  })(),
  lspCase(false),
  lspCase(true),
  (() => {
    const P = `system { host-name P; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.2/24; } family mpls; } }
  et-0/0/1 { unit 0 { family inet { address 10.23.0.2/24 { arp 10.23.0.3 mac 02:00:00:00:23:03; } } family mpls; } }
  et-0/0/2 { unit 0 { family inet { address 10.24.0.2/24; } } }
}
routing-options { static { route 10.2.0.0/24 next-hop 10.23.0.3; } }
protocols { mpls { interface et-0/0/0.0; interface et-0/0/1.0;
  static-label-switched-path A { transit 1000100 { swap 1000101; next-hop 10.23.0.3; } }
  static-label-switched-path B { transit 1000300 { pop; } } } }
`;
    const pMac = (ifd) => formatMac(derivedMac('P', ifd));
    const ip = ping4({ src: CE1, dst: CE2 }, { src: '10.1.0.2', dst: '10.2.0.2', id: 41, ttl: 40 }, 1, 1).subarray(14);
    const labelled = (ifd, label, ttl) => eth({ src: '02:00:00:00:12:01', dst: pMac(ifd) }, 0x8847, cat(lse(label, ttl), ip));
    const frames = [
      ['et-0/0/0', labelled('et-0/0/0', 1000100, 64)],
      ['et-0/0/0', labelled('et-0/0/0', 1000999, 64)],
      ['et-0/0/0', labelled('et-0/0/0', 1000100, 1)],
      ['et-0/0/0', labelled('et-0/0/0', 1000300, 20)],
      ['et-0/0/2', labelled('et-0/0/2', 1000100, 64)],
    ];
    const inputs = {};
    frames.forEach(([port, f], i) => (inputs[port] ??= []).push([i * 0.001, f]));
    return {
      name: 'mpls-transit',
      description: 'A transit LSR: label 1000100 is swapped to 1000101 (TTL 64 -> 63) towards 10.23.0.3; 1000300 is popped (the last label: its TTL 20 goes into the IP header, which the IP lookup takes to 19) and the IPv4 packet routed; an unknown label (mpls_label_unknown), a label with TTL 1 (mpls_ttl_expired, no ICMP for labelled packets) and MPLS on an IFL without family mpls (mpls_not_enabled) are dropped',
      config: P,
      inputs,
      record: ['devices.P.nodes.mpls-lookup.counters'],
      intent(o) {
        const toNh = { src: pMac('et-0/0/1'), dst: '02:00:00:00:23:03' };
        // The popped packet: TTL 40 replaced by the label's 20 (uniform model), then 19 after the IP lookup.
        const popped = Uint8Array.from(ip);
        popped[8] = 20 - 1;
        popped[10] = 0; popped[11] = 0;
        const c = inetSum(popped.subarray(0, 20));
        popped[10] = c >> 8; popped[11] = c & 255;
        o.sends('et-0/0/1', [eth(toNh, 0x8847, cat(lse(1000101, 63), ip)), ipFrame(toNh, popped)], 'the swapped label, then the popped packet');
        o.drops({ mpls_label_unknown: 1, mpls_ttl_expired: 1, mpls_not_enabled: 1 });
        o.counters({ 'devices.P.nodes.mpls-lookup.counters.labels_swapped': 1, 'devices.P.nodes.mpls-lookup.counters.labels_popped': 1 });
      },
    };
  })(),
];

main(import.meta.url, AREA, GENERATOR, CASES);
