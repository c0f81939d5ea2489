// Builds the VXLAN/EVPN bridging cases under pcaps/evpn/ from the descriptions
// below (scripts/cases-lib.mjs builds, checks and writes them): learning and
// unicast forwarding, flooding by ingress replication, aging, MAC limits,
// ARP/ND suppression under the junos and linux-frr profiles, routing between
// domains through the anycast gateway, VXLAN header checks, VXLAN over
// inline IPsec (the seed's two-PE lab), an IPv6 underlay and UDP port 8472.
// Every intent decodes what the ports sent (MACs, VLAN tags, outer headers,
// VNI, UDP ports, the inner frame) before anything is written.
//
//   npm run cases                              (all generators)
//   node scripts/make-evpn-cases.mjs [name-filter]
//   DUMP=1 node scripts/make-evpn-cases.mjs aging     (prints every port's frames before the intent)

import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arpFrame, eth, icmp6, icmpEcho, ip4, ip6, naFrame, nsFrame, pattern, ping4, ping6, udp } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { decodeFrame } from '../dist/packet/decode.js';
import { cat, hex, inetSum, ipv6Text, main, padded, u32 } from './cases-lib.mjs';

export const AREA = 'evpn';
export const GENERATOR = 'scripts/make-evpn-cases.mjs';
const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

// ---------------------------------------------------------------- the network
//
//   host A (et-0/0/1, untagged) ┐
//   host B (et-0/0/2, untagged) ├ [R1: mac-vrf MV, domain V10 = VLAN 10, VNI 10010] et-0/0/0 — P (192.0.2.254) — VTEPs 10.255.0.2..4
//   host C (et-0/0/3, VLAN 10)  ┘        VTEP source lo0.0: 10.255.0.1, 2001:db8:ff00::1
//
// Remote VTEPs are reached through P (static route, static ARP/NDP entries),
// so nothing but the case's own frames is on the wires.

const mac = (dev, ifd) => formatMac(derivedMac(dev, ifd));
const R1_CORE = mac('R1', 'et-0/0/0');
const R1_IRB = mac('R1', 'irb');
const P = '02:00:00:00:0f:fe';
const A = '02:00:00:00:0a:01';
const A2 = '02:00:00:00:0a:02';
const A3 = '02:00:00:00:0a:03';
const B = '02:00:00:00:0b:01';
const C = '02:00:00:00:0c:01';
const D = '02:00:00:00:0d:01';
/** A host behind a remote VTEP. */
const R = '02:00:00:00:0e:01';
const NOBODY = '02:00:00:00:99:99';
const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';
const VGA4_MAC = '00:00:5e:00:01:01';
const VGA6_MAC = '00:00:5e:00:02:01';
const P0 = 'et-0/0/0';
const P1 = 'et-0/0/1';
const P2 = 'et-0/0/2';
const P3 = 'et-0/0/3';
const LO4 = '10.255.0.1';
const LO6 = '2001:db8:ff00::1';
const VTEP2 = '10.255.0.2';
const VTEP3 = '10.255.0.3';
const VTEP4 = '10.255.0.4';
const VTEP6 = '2001:db8:ff00::2';

/**
 * R1 in Junos text. `domains`: [{ name, vlan, vni, ports: [IFL], irb, vteps: [A], udpPort, options: 'bridge-options { ... }', extra }];
 * `irbs`: unit -> its statements; `vrf`: IRB units routed in a vrf instance; `evpn`: the instance runs EVPN.
 */
function r1Config({ domains, irbs = {}, vrf = [], evpn = false, port4 = false, comment }) {
  const d = (x) => `      ${x.name} {
        vlan-id ${x.vlan};
${x.ports.map((p) => `        interface ${p};`).join('\n')}${x.irb ? `\n        routing-interface ${x.irb};` : ''}${x.extra ? `\n        ${x.extra}` : ''}
        vxlan { vni ${x.vni};${x.vteps?.length ? ` static-remote-vtep-list [ ${x.vteps.join(' ')} ];` : ''}${x.udpPort ? ` destination-udp-port ${x.udpPort};` : ''} }${x.options ? `\n        ${x.options}` : ''}
      }`;
  const irbUnits = Object.entries(irbs).map(([u, s]) => `    unit ${u} { ${s} }`).join('\n');
  return `/* ${comment ?? 'R1 of the EVPN/VXLAN cases'} (scripts/make-evpn-cases.mjs) */
system { host-name R1; }
interfaces {
  et-0/0/0 { description core; unit 0 {
    family inet { address 192.0.2.1/24 { arp 192.0.2.254 mac ${P}; } }
    family inet6 { address 2001:db8:ff::1/64 { ndp 2001:db8:ff::fe mac ${P}; } } } }
  et-0/0/1 { encapsulation ethernet-bridge; unit 0; }
  et-0/0/2 { encapsulation ethernet-bridge; unit 0; }
  et-0/0/3 { vlan-tagging; encapsulation flexible-ethernet-services;
    unit 10 { encapsulation vlan-bridge; vlan-id 10; }
    unit 20 { encapsulation vlan-bridge; vlan-id 20; }${port4 ? '\n    unit 30 { encapsulation vlan-bridge; vlan-id 30; }' : ''} }${port4 ? `
  et-0/0/4 { vlan-tagging; encapsulation flexible-ethernet-services;
    unit 20 { encapsulation vlan-bridge; vlan-id 20; }
    unit 30 { encapsulation vlan-bridge; vlan-id 30; } }` : ''}
  lo0 { unit 0 { family inet { address ${LO4}/32; } family inet6 { address ${LO6}/128; } } }${irbUnits ? `\n  irb {\n${irbUnits}\n  }` : ''}
}
routing-options {
  static { route 10.255.0.0/24 next-hop 192.0.2.254; }
  rib inet6.0 { static { route 2001:db8:ff00::/64 next-hop 2001:db8:ff::fe; } }
}
routing-instances {
  MV {
    instance-type mac-vrf;
    service-type vlan-aware;${evpn ? '\n    protocols { evpn { encapsulation vxlan; } }' : ''}
    vtep-source-interface lo0.0;
    bridge-domains {
${domains.map(d).join('\n')}
    }
  }${vrf.length ? `
  VRF1 {
    instance-type vrf;
${vrf.map((i) => `    interface ${i};`).join('\n')}
  }` : ''}
}
`;
}

// ---------------------------------------------------------------- packets

const ARP = 0x0806;
const tagged = (e, vlan) => ({ ...e, vlans: [vlan] });
/** An ARP request from `m` (`ip`) for `target`, broadcast. */
const arpReq = (m, ip, target, vlan) => arpFrame({ src: m, dst: BCAST, vlans: vlan ? [vlan] : undefined }, 1, m, ip, ZERO, target);
/** An ARP reply from `m` (`ip`) to `to` (`toIp`). */
const arpRep = (m, ip, to, toIp, vlan) => arpFrame({ src: m, dst: to, vlans: vlan ? [vlan] : undefined }, 2, m, ip, to, toIp);
/** A small UDP packet between two hosts, bridged. */
const udpFrame = (e, src, dst, n = 18) => eth(e, 0x0800, ip4({ src, dst, id: n }, 17, udp(src, dst, 40000, 9, pattern(n))));

/** The same frame with an 802.1Q tag (or with its tag removed: vlan 0). */
function retag(f, vlan) {
  const tags = (f[12] === 0x81 && f[13] === 0) ? 1 : 0;
  const body = f.subarray(12 + 4 * tags);
  return vlan ? cat(f.subarray(0, 12), [0x81, 0, vlan >> 8, vlan & 0xff], body) : cat(f.subarray(0, 12), body);
}

/**
 * A VXLAN packet from a remote VTEP to R1 on the core port: outer IPv4 (or
 * IPv6) / UDP (checksum computed) / VXLAN (`flags` byte, `reserved`: the 24
 * bits after the flags and the 8 after the VNI) / the inner frame.
 */
function vxlanIn(vtep, vni, inner, { flags = 0x08, reserved = [0, 0, 0, 0], dport = 4789, sport = 50000, to } = {}) {
  const hdr = Uint8Array.of(flags, reserved[0], reserved[1], reserved[2], vni >> 16, (vni >> 8) & 0xff, vni & 0xff, reserved[3]);
  const payload = cat(hdr, inner);
  if (vtep.includes(':')) {
    const dst = to ?? LO6;
    return eth({ src: P, dst: R1_CORE }, 0x86dd, ip6({ src: vtep, dst, hlim: 63 }, 17, udp(vtep, dst, sport, dport, payload)));
  }
  const dst = to ?? LO4;
  return eth({ src: P, dst: R1_CORE }, 0x0800, ip4({ src: vtep, dst, ttl: 63, id: 7, df: true }, 17, udp(vtep, dst, sport, dport, payload)));
}

// ---------------------------------------------------------------- decoding what was sent

const macAt = (f, o) => formatMac(f, o);
/** A frame's MACs, VLAN (0: untagged), ethertype and where its payload starts. */
function l2(f) {
  const tagged = f[12] === 0x81 && f[13] === 0;
  const o = tagged ? 16 : 12;
  return { dst: macAt(f, 0), src: macAt(f, 6), vlan: tagged ? ((f[14] << 8) | f[15]) & 0xfff : 0, type: (f[o] << 8) | f[o + 1], p: o + 2 };
}
/** An ARP frame's fields. */
function arpOf(f) {
  const e = l2(f);
  assert.equal(e.type, ARP, `not ARP: ethertype 0x${e.type.toString(16)}`);
  const a = f.subarray(e.p);
  const ip = (o) => [...a.subarray(o, o + 4)].join('.');
  return { ...e, op: (a[6] << 8) | a[7], sha: macAt(a, 8), spa: ip(14), tha: macAt(a, 18), tpa: ip(24) };
}

/**
 * A VXLAN packet as sent: outer MACs, IP family, addresses, TTL / hop limit,
 * DF, UDP ports, length and checksum (and whether it verifies), the VXLAN
 * flags, reserved bytes and VNI, and the inner frame.
 */
function vxlanOf(f) {
  const e = l2(f);
  assert.equal(e.vlan, 0, 'the core port sends untagged');
  const l3 = f.subarray(e.p);
  let u;
  let o;
  if (e.type === 0x0800) {
    assert.equal(l3[9], 17, 'outer IPv4 carries UDP');
    assert.equal(inetSum(l3.subarray(0, 20)), 0, 'outer IPv4 header checksum');
    u = l3.subarray((l3[0] & 15) * 4);
    o = {
      family: 4, src: [...l3.subarray(12, 16)].join('.'), dst: [...l3.subarray(16, 20)].join('.'), ttl: l3[8], df: (l3[6] & 0x40) !== 0,
    };
  } else {
    assert.equal(e.type, 0x86dd, 'outer IP');
    assert.equal(l3[6], 17, 'outer IPv6 carries UDP');
    u = l3.subarray(40, 40 + ((l3[4] << 8) | l3[5]));
    o = { family: 6, src: ipv6Text(l3.subarray(8, 24)), dst: ipv6Text(l3.subarray(24, 40)), ttl: l3[7] };
    const pseudo = cat(l3.subarray(8, 40), u32(u.length), [0, 0, 0, 17]);
    o.udpChecksumOk = inetSum(cat(pseudo, u)) === 0;
  }
  const x = u.subarray(8);
  return {
    ...o,
    outerSrcMac: e.src,
    outerDstMac: e.dst,
    sport: (u[0] << 8) | u[1],
    dport: (u[2] << 8) | u[3],
    udpLen: (u[4] << 8) | u[5],
    udpChecksum: (u[6] << 8) | u[7],
    flags: x[0],
    reserved: hex([x[1], x[2], x[3], x[7]]),
    vni: (x[4] << 16) | (x[5] << 8) | x[6],
    inner: x.subarray(8),
  };
}

const isArp = (f) => l2(f).type === ARP;

/** Checks a VXLAN copy: from R1's VTEP to `vtep`, VNI, I flag only, the UDP port, a source port in 49152-65535, the inner frame untagged. */
function assertVxlan(v, { vtep, vni, dport = 4789, inner, what = 'VXLAN' }) {
  assert.equal(v.outerSrcMac, R1_CORE, `${what}: outer source MAC is R1's core port`);
  assert.equal(v.outerDstMac, P, `${what}: outer destination MAC is P (the next hop)`);
  assert.equal(v.src, vtep.includes(':') ? LO6 : LO4, `${what}: outer source is R1's VTEP address`);
  assert.equal(v.dst, vtep, `${what}: outer destination`);
  assert.equal(v.ttl, 64, `${what}: TTL / hop limit 64`);
  if (v.family === 4) {
    assert.equal(v.df, true, `${what}: DF set (RFC 7348 4.3)`);
    assert.equal(v.udpChecksum, 0, `${what}: UDP checksum zero over IPv4 (RFC 7348 5)`);
  } else {
    assert.ok(v.udpChecksum !== 0 && v.udpChecksumOk, `${what}: UDP checksum computed and valid over IPv6`);
  }
  assert.equal(v.dport, dport, `${what}: UDP destination port`);
  assert.ok(v.sport >= 49152 && v.sport <= 65535, `${what}: UDP source port ${v.sport} in 49152-65535`);
  assert.equal(v.flags, 0x08, `${what}: flags: the I flag alone`);
  assert.equal(v.reserved, '00000000', `${what}: reserved bits zero`);
  assert.equal(v.vni, vni, `${what}: VNI`);
  assert.equal(v.udpLen, 16 + v.inner.length, `${what}: UDP length`);
  if (inner) assert.equal(hex(v.inner), hex(inner), `${what}: the inner frame, untagged`);
}

/** The frame on an access port: `f` as it was sent in, with the port's tag (vlan) or untagged, padded to 60 bytes. */
const onPort = (f, vlan = 0) => retag(f, vlan);

/** The frames each port sent, decoded on one line each (DUMP=1). */
function dump(o, ports) {
  for (const p of ports) {
    const fs = o.timed(p);
    if (!fs.length) continue;
    console.log(`  ${p}:`);
    for (const [t, f] of fs) console.log(`    ${t.toFixed(6)} ${decodeFrame(f, 0, f.length)}`);
  }
  console.log('  drops', JSON.stringify(o.stats.drops));
}

// ---------------------------------------------------------------- the cases

const CASES = [];
export { CASES };

/** The domain most cases use: VLAN 10, VNI 10010, the three access ports, `vteps` static. */
const V10 = (over = {}) => ({ name: 'V10', vlan: 10, vni: 10010, ports: [`${P1}.0`, `${P2}.0`, `${P3}.10`], vteps: [VTEP2], ...over });
const IP_A = '10.0.10.11';
const IP_B = '10.0.10.12';
const IP_C = '10.0.10.13';
const IP_R = '10.0.10.21';
/** The bridge-input and l2-flood counters, and the VXLAN ones, in case.yaml. */
const BRIDGE_RECORD = ['devices.R1.nodes.bridge-input.counters', 'devices.R1.nodes.l2-flood.counters', 'devices.R1.nodes.vxlan-encap.counters'];
const PORTS = [P0, P1, P2, P3];

/** A case whose intent first prints the ports' frames when DUMP is set. */
function add(c) {
  CASES.push({
    ...c,
    intent(o) {
      if (process.env.DUMP) { console.log(c.name); dump(o, c.ports ?? PORTS); }
      c.intent(o);
    },
  });
}

// ---------------------------------------------------------------- 1. learning and unicast

{
  const arpAB = arpReq(A, IP_A, IP_B);
  const replyBA = arpRep(B, IP_B, A, IP_A);
  const ab = udpFrame({ src: A, dst: B }, IP_A, IP_B);
  const aUnknown = udpFrame({ src: A, dst: NOBODY }, IP_A, '10.0.10.99');
  const ra = udpFrame({ src: R, dst: A }, IP_R, IP_A, 20);
  const ar = udpFrame({ src: A, dst: R }, IP_A, IP_R, 21);
  const ca = udpFrame({ src: C, dst: A, vlans: [10] }, IP_C, IP_A, 22);
  const a2a = udpFrame({ src: A2, dst: A }, '10.0.10.10', IP_A, 23);
  const bc = udpFrame({ src: B, dst: C }, IP_B, IP_C, 24);
  add({
    name: 'learning-unicast',
    description: 'Learning: A\'s ARP request is flooded to the other access ports (et-0/0/3 tagged VLAN 10) and to the remote VTEP; B\'s reply goes to A\'s port only; then A->B is unicast to B\'s port only; a frame for an unknown MAC is flooded (unknown_unicast_flooded); a host behind VTEP 10.255.0.2 is learned from its VXLAN packet and A\'s frame to it is VXLAN to that VTEP only; C (VLAN 10 tagged) reaches A untagged; a frame for A from another host on A\'s own port is filtered (l2_same_interface)',
    config: r1Config({ domains: [V10()] }),
    inputs: {
      [P1]: [[0, arpAB], [0.002, ab], [0.003, aUnknown], [0.005, ar], [0.007, a2a]],
      [P2]: [[0.001, replyBA], [0.008, bc]],
      [P3]: [[0.006, ca]],
      [P0]: [[0.004, vxlanIn(VTEP2, 10010, ra)]],
    },
    record: BRIDGE_RECORD,
    intent(o) {
      // A's ARP and the unknown unicast: every other access port (VLAN normalised) and one VXLAN copy each.
      o.sends(P2, [arpAB, ab, aUnknown]);
      o.sends(P3, [onPort(arpAB, 10), onPort(aUnknown, 10), onPort(bc, 10)]);
      o.sends(P1, [replyBA, ra, onPort(ca, 0)]);
      const vx = o.frames(P0).map(vxlanOf);
      assert.equal(vx.length, 3, 'three VXLAN packets: the ARP, the unknown unicast, A->R');
      assertVxlan(vx[0], { vtep: VTEP2, vni: 10010, inner: arpAB, what: 'flooded ARP' });
      assertVxlan(vx[1], { vtep: VTEP2, vni: 10010, inner: aUnknown, what: 'unknown unicast' });
      assertVxlan(vx[2], { vtep: VTEP2, vni: 10010, inner: ar, what: 'A->R, R learned behind 10.255.0.2' });
      o.drops({ l2_same_interface: 1 });
      o.counters({
        'devices.R1.nodes.bridge-input.counters.mac_learned': 5, // A, B, R (behind the VTEP), C, and A2 (learned, then its frame filtered)
        'devices.R1.nodes.bridge-input.counters.unknown_unicast_flooded': 1,
        'devices.R1.nodes.bridge-input.counters.arp_flooded': 1,
      });
    },
  });
}

// ---------------------------------------------------------------- 2. flooding by ingress replication

{
  const bcast = udpFrame({ src: A, dst: BCAST }, IP_A, '10.0.10.255', 30);
  const mcast = eth({ src: C, dst: '01:00:5e:01:01:01', vlans: [10] }, 0x0800, ip4({ src: IP_C, dst: '239.1.1.1', id: 31, ttl: 1 }, 17, udp(IP_C, '239.1.1.1', 40000, 9, pattern(20))));
  const remote = udpFrame({ src: R, dst: BCAST }, IP_R, '10.0.10.255', 32);
  const vteps = [VTEP2, VTEP3, VTEP4];
  add({
    name: 'flooding-ingress-replication',
    description: 'Ingress replication: a broadcast from an access port goes to the other access ports (VLAN 10 tag on et-0/0/3) and as one VXLAN copy to each VTEP of the static-remote-vtep-list (10.255.0.2, .3, .4: outer destination, VNI 10010, I flag, UDP 4789, source port 49152-65535, DF, TTL 64, zero UDP checksum); a tagged multicast frame likewise, untagged inside VXLAN; a broadcast arriving over VXLAN from 10.255.0.3 goes to the local ports only (split horizon)',
    config: r1Config({ domains: [V10({ vteps })] }),
    inputs: {
      [P1]: [[0, bcast]],
      [P3]: [[0.001, mcast]],
      [P0]: [[0.002, vxlanIn(VTEP3, 10010, remote)]],
    },
    record: BRIDGE_RECORD,
    intent(o) {
      o.sends(P1, [onPort(mcast, 0), remote]);
      o.sends(P2, [bcast, onPort(mcast, 0), remote]);
      o.sends(P3, [onPort(bcast, 10), onPort(remote, 10)]);
      const vx = o.frames(P0).map(vxlanOf);
      assert.equal(vx.length, 6, 'two floods, three copies each; nothing back into VXLAN');
      vx.slice(0, 3).forEach((v, i) => assertVxlan(v, { vtep: vteps[i], vni: 10010, inner: bcast, what: `broadcast copy ${i + 1}` }));
      vx.slice(3).forEach((v, i) => assertVxlan(v, { vtep: vteps[i], vni: 10010, inner: onPort(mcast, 0), what: `multicast copy ${i + 1}` }));
      assert.equal(new Set(vx.slice(0, 3).map((v) => v.sport)).size, 1, 'the copies of one frame share a source port (one flow)');
      o.drops({});
      o.counters({ 'devices.R1.nodes.l2-flood.counters.flooded': 3, 'devices.R1.nodes.vxlan-encap.counters.vxlan_encapsulated': 6 });
    },
  });
}

// ---------------------------------------------------------------- 3. aging

{
  const aHello = udpFrame({ src: A, dst: BCAST }, IP_A, '10.0.10.255', 40);
  const cHello = (t) => udpFrame({ src: C, dst: BCAST, vlans: [10] }, IP_C, '10.0.10.255', 41 + t);
  const ba = (n) => udpFrame({ src: B, dst: A }, IP_B, IP_A, n);
  const bc = udpFrame({ src: B, dst: C }, IP_B, IP_C, 60);
  add({
    name: 'aging',
    description: 'Aging (mac-table-aging-time 10, the least Junos takes): A is learned at t=0 and says nothing more; B->A at t=5 is unicast to A\'s port; B->A at t=21 (A unseen for 21 s) is flooded again (unknown_unicast_flooded), to the access ports and VTEP 10.255.0.2; C, seen every 8 s, is still known at t=21: B->C is unicast to et-0/0/3',
    config: r1Config({ domains: [V10({ options: 'bridge-options { mac-table-aging-time 10; }' })] }),
    inputs: {
      [P1]: [[0, aHello]],
      [P2]: [[5, ba(50)], [21, ba(51)], [21.001, bc]],
      [P3]: [[0.001, cHello(0)], [8, cHello(8)], [16, cHello(16)]],
    },
    record: BRIDGE_RECORD,
    intent(o) {
      o.sendsAt(P1, [[0.001, onPort(cHello(0), 0)], [5, ba(50)], [8, onPort(cHello(8), 0)], [16, onPort(cHello(16), 0)], [21, ba(51)]]);
      o.sendsAt(P3, [[0, onPort(aHello, 10)], [21, onPort(ba(51), 10)], [21.001, onPort(bc, 10)]]);
      const vx = o.timed(P0).map(([t, f]) => [t, vxlanOf(f)]);
      assert.deepEqual(vx.map(([t, v]) => [t, hex(v.inner)]), [
        [0, hex(aHello)], [0.001, hex(onPort(cHello(0), 0))], [8, hex(onPort(cHello(8), 0))], [16, hex(onPort(cHello(16), 0))], [21, hex(ba(51))],
      ], 'VXLAN: the broadcasts and, at t=21, B->A flooded');
      o.drops({});
      o.counters({ 'devices.R1.nodes.bridge-input.counters.unknown_unicast_flooded': 1 });
    },
  });
}

// ---------------------------------------------------------------- 4. interface-mac-limit

{
  const from = (m, n) => udpFrame({ src: m, dst: BCAST }, IP_A, '10.0.10.255', n);
  const b = (m, n) => udpFrame({ src: B, dst: m }, IP_B, IP_A, n);
  add({
    name: 'mac-limit',
    description: 'interface-mac-limit 2: A1 and A2 are learned on et-0/0/1, a third source MAC A3 there is not (mac_learn_refused) yet its frame is still bridged; B->A1 and B->A2 are unicast to et-0/0/1, B->A3 is flooded as unknown unicast (to et-0/0/1, et-0/0/3 and the VTEP)',
    config: r1Config({ domains: [V10({ options: 'bridge-options { interface-mac-limit 2; }' })] }),
    inputs: {
      [P1]: [[0, from(A, 70)], [0.001, from(A2, 71)], [0.002, from(A3, 72)]],
      [P2]: [[0.003, b(A, 73)], [0.004, b(A2, 74)], [0.005, b(A3, 75)]],
    },
    record: BRIDGE_RECORD,
    intent(o) {
      o.sends(P1, [b(A, 73), b(A2, 74), b(A3, 75)]);
      o.sends(P2, [from(A, 70), from(A2, 71), from(A3, 72)]);
      o.sends(P3, [70, 71, 72].map((n, i) => onPort(from([A, A2, A3][i], n), 10)).concat([onPort(b(A3, 75), 10)]));
      assert.deepEqual(o.frames(P0).map(vxlanOf).map((v) => hex(v.inner)), [from(A, 70), from(A2, 71), from(A3, 72), b(A3, 75)].map(hex), 'VXLAN: the three broadcasts and B->A3');
      o.drops({});
      o.counters({
        'devices.R1.nodes.bridge-input.counters.mac_learned': 3, // A1, A2, B
        'devices.R1.nodes.bridge-input.counters.mac_learn_refused': 1,
        'devices.R1.nodes.bridge-input.counters.unknown_unicast_flooded': 1,
      });
    },
  });
}

// ---------------------------------------------------------------- 5, 6. ARP/ND suppression by profile

const P4 = 'et-0/0/4';
const A6 = '2001:db8:10::11';
const B6 = '2001:db8:10::12';
const LL_B = 'fe80::b';
const IP_E = '10.0.20.15';
const IP_F = '10.0.20.16';
const E = '02:00:00:00:0e:05';
const F = '02:00:00:00:0f:06';
const G = '02:00:00:00:30:07';
const H = '02:00:00:00:30:08';
/** ICMPv6 echo from `e` with IPv6 addresses. */
const echo6 = (e, src, dst, seq) => ping6(e, { src, dst, hlim: 64 }, 0x66, seq);

/**
 * R1 for the suppression cases: V10 (VLAN 10, irb.10 10.0.10.2/24 and
 * 2001:db8:10::2/64, anycast gateway .1 / ::1 with accept-data), V20 (VLAN
 * 20, et-0/0/3.20 + et-0/0/4.20, no IRB) and V30 (VLAN 30, et-0/0/3.30 +
 * et-0/0/4.30, irb.30 with IPv4 only).
 */
const SUPPRESSION_CONFIG = r1Config({
  port4: true,
  domains: [
    V10({ irb: 'irb.10' }),
    { name: 'V20', vlan: 20, vni: 10020, ports: [`${P3}.20`, `${P4}.20`], vteps: [VTEP2] },
    { name: 'V30', vlan: 30, vni: 10030, ports: [`${P3}.30`, `${P4}.30`], irb: 'irb.30', vteps: [VTEP2] },
  ],
  irbs: {
    10: `virtual-gateway-accept-data;
      family inet { address 10.0.10.2/24 { virtual-gateway-address 10.0.10.1; } }
      family inet6 { address 2001:db8:10::2/64 { virtual-gateway-address 2001:db8:10::1; } }`,
    30: 'family inet { address 10.0.30.2/24; }',
  },
  comment: 'R1 of the ARP/ND suppression cases: V10 with an anycast gateway (IPv4 and IPv6), V20 without an IRB, V30 with an IPv4-only IRB',
});

/**
 * The inputs both profiles get. V10, the seed's sequence: A ARPs for B, B
 * replies, A ARPs again; B pings the anycast gateway (the IRB ARPs for B
 * first: B's reply); A ARPs for B once more. Then IPv6: A's NS for B, B's NA,
 * A's NS again; B's NS for the IPv6 gateway from its link-local address, A's
 * NS for that link-local address; A's ARP and NS for the gateway addresses.
 * V20 (no IRB): E ARPs for F, F replies, E ARPs again. V30 (IRB without
 * inet6): G pings the IRB's MAC over IPv6 from fe80::30:7, H's NS for it.
 */
function suppressionInputs() {
  const v20 = (f) => retag(f, 20);
  const v30 = (f) => retag(f, 30);
  return {
    [P1]: [
      [0, arpReq(A, IP_A, IP_B)],
      [0.002, arpReq(A, IP_A, IP_B)],
      [0.006, arpReq(A, IP_A, IP_B)],
      [0.010, nsFrame(A, A6, B6)],
      [0.012, nsFrame(A, A6, B6)],
      [0.014, nsFrame(A, A6, LL_B)],
      [0.015, arpReq(A, IP_A, '10.0.10.1')],
      [0.016, nsFrame(A, A6, '2001:db8:10::1')],
    ],
    [P2]: [
      [0.001, arpRep(B, IP_B, A, IP_A)],
      [0.003, ping4({ src: B, dst: VGA4_MAC }, { src: IP_B, dst: '10.0.10.1', id: 0x300 }, 0x62, 1)],
      [0.004, arpRep(B, IP_B, R1_IRB, '10.0.10.2')],
      [0.011, naFrame({ src: B, dst: A }, B6, A6, B6, B)],
      [0.013, nsFrame(B, LL_B, '2001:db8:10::1')],
    ],
    [P3]: [
      [0.020, v20(arpReq(E, IP_E, IP_F))],
      [0.022, v20(arpReq(E, IP_E, IP_F))],
      [0.030, v30(echo6({ src: G, dst: R1_IRB }, 'fe80::30:7', 'fe80::1', 1))],
    ],
    [P4]: [
      [0.021, v20(arpRep(F, IP_F, E, IP_E))],
      [0.031, v30(nsFrame(H, 'fe80::30:8', 'fe80::30:7'))],
    ],
  };
}

const SUPPRESSION_RECORD = [...BRIDGE_RECORD, 'devices.R1.nodes.irb-input.counters'];
const SUPPRESSION_PORTS = [P0, P1, P2, P3, P4];

add({
  name: 'suppression-junos',
  ports: SUPPRESSION_PORTS,
  description: 'ARP/ND suppression, profile junos (MAC+IP bindings snooped from ARP and ND on access ports). V10: A\'s first ARP for B is flooded (arp_flooded) and teaches A; B\'s reply teaches B; A\'s second ARP is answered by R1 itself with B\'s MAC (arp_suppressed), not flooded; B\'s ping to the anycast gateway is answered at once (the snooped binding is the IRB\'s ARP entry: no ARP from the IRB; B\'s later reply to the IRB is taken in); likewise IPv6: the first NS for B is flooded (nd_flooded), B\'s NA teaches B, the second NS is answered with a solicited+override NA carrying B\'s MAC (nd_suppressed); B\'s NS for the gateway teaches fe80::b (answered by the IRB with 00:00:5e:00:02:01) and A\'s NS for fe80::b is answered; A\'s ARP and NS for the anycast gateway addresses are answered by the IRB with 00:00:5e:00:01:01 / 00:00:5e:00:02:01, not flooded. V20, with no IRB, suppresses all the same: E\'s second ARP for F is answered',
  config: SUPPRESSION_CONFIG,
  inputs: suppressionInputs(),
  record: SUPPRESSION_RECORD,
  intent(o) {
    const s = suppressionExpected();
    o.sendsAt(P1, [[0.001, s.replyBA], [0.002, s.replyBA], [0.006, s.replyBA], [0.011, s.naBA], [0.012, s.naBA], [0.014, s.naLL], [0.015, s.vgaArp], [0.016, s.vgaNa]], 'A: B\'s reply, then R1\'s answers for B (ARP, NS, NS for fe80::b) and for the gateway');
    s.p2(o, [[0, s.arpAB], [0.003, 'echo'], [0.010, s.nsAB], [0.013, s.vgaNaB]]);
    o.sendsAt(P3, [[0, s.v10(s.arpAB)], [0.010, s.v10(s.nsAB)], [0.021, s.v20(s.replyFE)], [0.022, s.v20(s.replyFE)], [0.031, s.v30(s.nsHG)]], 'et-0/0/3: the floods of V10, F\'s reply and R1\'s answer for F (V20), H\'s NS (V30)');
    o.sendsAt(P4, [[0.020, s.v20(s.arpEF)]], 'et-0/0/4: E\'s first ARP only');
    s.vxlan(o, [[0, 10010, s.arpAB], [0.010, 10010, s.nsAB], [0.020, 10020, s.arpEF], [0.031, 10030, s.nsHG]]);
    o.drops({ inet6_not_configured: 2 }); // G's echo to irb.30 and the copy of H's NS the IRB gets: irb.30 has no inet6
    o.counters({
      'devices.R1.nodes.bridge-input.counters.arp_flooded': 2, // A's first ARP for B, E's first for F
      'devices.R1.nodes.bridge-input.counters.arp_suppressed': 3, // A's second and third, E's second
      'devices.R1.nodes.bridge-input.counters.nd_flooded': 2, // A's first NS for B, H's NS for G
      'devices.R1.nodes.bridge-input.counters.nd_suppressed': 2, // A's second NS for B, for fe80::b
      'devices.R1.nodes.irb-input.counters.macip_learned_from_ip': 0,
    });
  },
});

add({
  name: 'suppression-linux-frr',
  ports: SUPPRESSION_PORTS,
  description: 'ARP/ND suppression, profile linux-frr (Proxmox VE / FRR: MAC+IP bindings come from IP packets the IRB receives, ARP teaches nothing). The same input as suppression-junos. V10: A\'s first and second ARP for B are both flooded (no binding from ARP); B pings the anycast gateway (the IRB ARPs for B, B replies, the echo reply goes to B) and is learned from that IP packet (macip_learned_from_ip); A\'s third ARP is answered by R1 with B\'s MAC; B\'s NS to the IRB teaches fe80::b (the IRB has inet6) and A\'s NS for it is answered. V20 (no IRB address) suppresses nothing: E\'s second ARP for F is flooded. V30 (IRB without inet6): G\'s IPv6 to the IRB teaches nothing, H\'s NS for G\'s link-local address is flooded',
  files: { 'r1.conf': SUPPRESSION_CONFIG, 'scenario.yaml': '# R1 as a Linux/FRR VTEP (Proxmox VE EVPN zone): same configuration, linux-frr bridging rules\ndevices:\n  R1: { config: r1.conf, profile: linux-frr }\n' },
  configFile: 'scenario.yaml',
  inputs: suppressionInputs(),
  record: SUPPRESSION_RECORD,
  intent(o) {
    const s = suppressionExpected();
    o.sendsAt(P1, [[0.001, s.replyBA], [0.003, s.irbArp], [0.006, s.replyBA], [0.011, s.naBA], [0.014, s.naLL], [0.015, s.vgaArp], [0.016, s.vgaNa]], 'A: B\'s replies, R1\'s answer to the third ARP and the NS for fe80::b, the gateway\'s answers');
    s.p2(o, [[0, s.arpAB], [0.002, s.arpAB], [0.003, s.irbArp], [0.004, 'echo'], [0.010, s.nsAB], [0.012, s.nsAB], [0.013, s.vgaNaB]]);
    o.sendsAt(P3, [[0, s.v10(s.arpAB)], [0.002, s.v10(s.arpAB)], [0.003, s.v10(s.irbArp)], [0.010, s.v10(s.nsAB)], [0.012, s.v10(s.nsAB)], [0.021, s.v20(s.replyFE)], [0.031, s.v30(s.nsHG)]], 'et-0/0/3: the floods of V10, F\'s reply (V20), H\'s NS (V30)');
    o.sendsAt(P4, [[0.020, s.v20(s.arpEF)], [0.022, s.v20(s.arpEF)]], 'et-0/0/4: both of E\'s ARPs (V20 suppresses nothing)');
    s.vxlan(o, [[0, 10010, s.arpAB], [0.002, 10010, s.arpAB], [0.003, 10010, s.irbArp], [0.010, 10010, s.nsAB], [0.012, 10010, s.nsAB],
      [0.020, 10020, s.arpEF], [0.022, 10020, s.arpEF], [0.031, 10030, s.nsHG]]);
    o.drops({ inet6_not_configured: 2 }); // G's echo to irb.30 and the copy of H's NS the IRB gets: irb.30 has no inet6
    o.counters({
      'devices.R1.nodes.bridge-input.counters.macip_learned': 0, // nothing from ARP or ND
      'devices.R1.nodes.bridge-input.counters.arp_flooded': 2, // A's first two ARPs for B (V20 counts nothing: no suppression there)
      'devices.R1.nodes.bridge-input.counters.arp_suppressed': 1, // A's third, after B pinged the gateway
      'devices.R1.nodes.bridge-input.counters.nd_flooded': 3, // A's two NS for B, H's NS for G
      'devices.R1.nodes.bridge-input.counters.nd_suppressed': 1, // A's NS for fe80::b
    });
  },
});

/** What the suppression cases' ports send, as frames, and checks shared by both. */
function suppressionExpected() {
  const vgaMac6 = VGA6_MAC;
  const s = {
    v10: (f) => retag(f, 10),
    v20: (f) => retag(f, 20),
    v30: (f) => retag(f, 30),
    arpAB: arpReq(A, IP_A, IP_B),
    replyBA: arpRep(B, IP_B, A, IP_A),
    irbArp: arpFrame({ src: R1_IRB, dst: BCAST }, 1, R1_IRB, '10.0.10.2', ZERO, IP_B),
    nsAB: nsFrame(A, A6, B6),
    naBA: naFrame({ src: B, dst: A }, B6, A6, B6, B),
    naLL: naFrame({ src: B, dst: A }, LL_B, A6, LL_B, B),
    vgaArp: arpRep(VGA4_MAC, '10.0.10.1', A, IP_A),
    vgaNa: naFrame({ src: vgaMac6, dst: A }, '2001:db8:10::1', A6, '2001:db8:10::1', vgaMac6, 0xe0),
    vgaNaB: naFrame({ src: vgaMac6, dst: B }, '2001:db8:10::1', LL_B, '2001:db8:10::1', vgaMac6, 0xe0),
    arpEF: arpReq(E, IP_E, IP_F),
    replyFE: arpRep(F, IP_F, E, IP_E),
    nsHG: nsFrame(H, 'fe80::30:8', 'fe80::30:7'),
    /** B's port: these frames, 'echo' standing for the IRB's echo reply to B's ping of the anycast gateway. */
    p2(o, want) {
      const got = o.timed(P2);
      assert.deepEqual(got.map(([t]) => t), want.map(([t]) => t), 'et-0/0/2: frames at these times');
      want.forEach(([t, f], i) => {
        const g = got[i][1];
        if (f !== 'echo') { assert.equal(hex(g), hex(f.length >= 60 ? f : cat(f, new Uint8Array(60 - f.length))), `et-0/0/2 at ${t}`); return; }
        const e = l2(g);
        assert.deepEqual([e.dst, e.src, e.type], [B, R1_IRB, 0x0800], 'the echo reply: from the IRB\'s MAC to B');
        const ip = g.subarray(e.p);
        assert.deepEqual([ip[9], [...ip.subarray(12, 16)].join('.'), [...ip.subarray(16, 20)].join('.'), ip[20 + 0]], [1, '10.0.10.1', IP_B, 0], 'an ICMP echo reply from the anycast gateway address (accept-data)');
      });
    },
    /** The VXLAN packets to 10.255.0.2: [t, VNI, inner frame]. */
    vxlan(o, want) {
      const got = o.timed(P0).map(([t, f]) => [t, vxlanOf(f)]);
      assert.deepEqual(got.map(([t, v]) => [t, v.vni, hex(v.inner)]), want.map(([t, vni, f]) => [t, vni, hex(f)]), 'VXLAN: the floods, by VNI');
      for (const [, v] of got) assertVxlan(v, { vtep: VTEP2, vni: v.vni });
    },
  };
  return s;
}


// ---------------------------------------------------------------- 7. routing between domains through the anycast gateway

{
  const IP_D = '10.0.20.14';
  const config = r1Config({
    domains: [
      { name: 'V10', vlan: 10, vni: 10010, ports: [`${P1}.0`, `${P3}.10`], irb: 'irb.10', vteps: [VTEP2] },
      { name: 'V20', vlan: 20, vni: 10020, ports: [`${P2}.0`, `${P3}.20`], irb: 'irb.20', vteps: [VTEP2] },
    ],
    irbs: {
      10: 'virtual-gateway-accept-data; family inet { address 10.0.10.2/24 { virtual-gateway-address 10.0.10.1; } }',
      20: 'family inet { address 10.0.20.2/24 { virtual-gateway-address 10.0.20.1; } }',
    },
    vrf: ['irb.10', 'irb.20'],
    comment: 'R1 of the gateway-routing case: V10 and V20 routed by irb.10 and irb.20 in VRF1; only irb.10 has virtual-gateway-accept-data',
  });
  const aPing = (dst, seq) => ping4({ src: A, dst: VGA4_MAC }, { src: IP_A, dst, id: 0x700 + seq }, 0x71, seq);
  const dPing = (dst, seq, to = VGA4_MAC) => ping4({ src: D, dst: to }, { src: IP_D, dst, id: 0x800 + seq }, 0x72, seq);
  const echoReply = (e, src, dst, ipId, icmpId, seq) => eth(e, 0x0800, ip4({ src, dst, id: ipId }, 1, icmpEcho(0, icmpId, seq)));
  const irbArp = arpFrame({ src: R1_IRB, dst: BCAST }, 1, R1_IRB, '10.0.20.2', ZERO, IP_D);
  add({
    name: 'gateway-routing',
    description: 'Routing between bridge domains in VRF1 through the anycast gateway: A (V10) ARPs for its gateway 10.0.10.1 and gets 00:00:5e:00:01:01 from irb.10; A pings D (V20) through that MAC: irb.20 ARPs for D (flooded in V20: et-0/0/2, et-0/0/3 VLAN 20, VNI 10020), D replies to the IRB MAC, the held ping leaves for D from the IRB MAC with TTL 63; D\'s reply to A is routed back the same way; A\'s ping to the gateway address is answered (virtual-gateway-accept-data), D\'s ping to 10.0.20.1 is dropped (virtual_gateway_no_accept_data: irb.20 has no accept-data) while its ping to irb.20\'s own address 10.0.20.2 is answered',
    config,
    inputs: {
      [P1]: [[0, arpReq(A, IP_A, '10.0.10.1')], [0.001, aPing(IP_D, 1)], [0.004, aPing('10.0.10.1', 2)]],
      [P2]: [[0.002, arpRep(D, IP_D, R1_IRB, '10.0.20.2')], [0.003, dPing(IP_A, 1)], [0.005, dPing('10.0.20.1', 2)], [0.006, dPing('10.0.20.2', 3, R1_IRB)]],
    },
    record: [...BRIDGE_RECORD, 'devices.R1.nodes.irb-input.counters', 'devices.R1.interfaces.irb.10', 'devices.R1.interfaces.irb.20'],
    intent(o) {
      const ttl63 = (f, src, dst) => { const q = Uint8Array.from(f); q.set(Buffer.from(dst.replaceAll(':', ''), 'hex'), 0); q.set(Buffer.from(src.replaceAll(':', ''), 'hex'), 6); q[22] -= 1; q[24] = 0; q[25] = 0; const c = inetSum(q.subarray(14, 34)); q[24] = c >> 8; q[25] = c & 0xff; return q; };
      o.sendsAt(P1, [
        [0, arpRep(VGA4_MAC, '10.0.10.1', A, IP_A)],
        [0.003, ttl63(dPing(IP_A, 1), R1_IRB, A)],
        [0.004, echoReply({ src: R1_IRB, dst: A }, '10.0.10.1', IP_A, 0x702, 0x71, 2)],
      ], 'A: the gateway\'s ARP reply, D\'s ping routed, the gateway\'s echo reply');
      const p2 = o.timed(P2);
      assert.equal(p2.length, 3, 'D gets the IRB\'s ARP request, A\'s ping and the echo reply from 10.0.20.2');
      assert.deepEqual([p2[0][0], hex(p2[0][1])], [0.001, hex(padded(irbArp))], 'irb.20 ARPs for D (from its own MAC and address)');
      assert.deepEqual([p2[1][0], hex(p2[1][1])], [0.002, hex(ttl63(aPing(IP_D, 1), R1_IRB, D))], 'the held ping, when D answers: from the IRB MAC, TTL 63');
      assert.equal(p2[2][0], 0.006);
      assert.equal(decodeFrame(p2[2][1], 0, p2[2][1].length).includes('IPv4 10.0.20.2 > 10.0.20.14 ttl 64 ICMP echo reply'), true, 'irb.20 answers a ping to its own address');
      o.sendsAt(P3, [[0.001, retag(irbArp, 20)]], 'the ARP flood reaches the VLAN 20 port');
      const vx = o.timed(P0).map(([t, f]) => [t, vxlanOf(f)]);
      assert.deepEqual(vx.map(([t, v]) => [t, v.vni, hex(v.inner)]), [[0.001, 10020, hex(irbArp)]], 'and VNI 10020 to the VTEP');
      o.drops({ virtual_gateway_no_accept_data: 1 });
    },
  });
}

// ---------------------------------------------------------------- 8. VXLAN header checks

{
  const inner = (n) => udpFrame({ src: R, dst: BCAST }, IP_R, '10.0.10.255', n);
  add({
    name: 'unknown-vni',
    description: 'VXLAN header checks on receipt: VNI 10099 (no bridge domain has it) is dropped (vxlan_unknown_vni); a header without the I flag is dropped (vxlan_no_vni); a header with the I flag and every other flag and reserved bit set is accepted (RFC 7348 5: ignored on receipt) and its broadcast goes to the three access ports; VNI 10010 with a VLAN-tagged inner frame is dropped (vxlan_inner_vlan_tagged, as Junos without decapsulate-accept-inner-vlan)',
    config: r1Config({ domains: [V10()] }),
    inputs: {
      [P0]: [
        [0, vxlanIn(VTEP2, 10099, inner(80))],
        [0.001, vxlanIn(VTEP2, 10010, inner(81), { flags: 0x00 })],
        [0.002, vxlanIn(VTEP2, 10010, inner(82), { flags: 0xff, reserved: [0xff, 0xff, 0xff, 0xff] })],
        [0.003, vxlanIn(VTEP2, 10010, retag(inner(83), 10))],
      ],
    },
    record: [...BRIDGE_RECORD, 'devices.R1.nodes.vxlan-input.counters'],
    intent(o) {
      o.sends(P1, [inner(82)]);
      o.sends(P2, [inner(82)]);
      o.sends(P3, [retag(inner(82), 10)]);
      o.silent(P0);
      o.drops({ vxlan_unknown_vni: 1, vxlan_no_vni: 1, vxlan_inner_vlan_tagged: 1 });
      o.counters({ 'devices.R1.nodes.vxlan-input.counters.vxlan_decapsulated': 1 });
    },
  });
}

// ---------------------------------------------------------------- 10. IPv6 underlay, UDP port 8472

{
  const bcast = udpFrame({ src: A, dst: BCAST }, IP_A, '10.0.10.255', 90);
  const ra = udpFrame({ src: R, dst: A }, IP_R, IP_A, 91);
  const ar = udpFrame({ src: A, dst: R }, IP_A, IP_R, 92);
  add({
    name: 'vxlan-ipv6-underlay',
    description: 'VTEPs over IPv6: the remote VTEP 2001:db8:ff00::2 gets A\'s broadcast as VXLAN in IPv6 from R1\'s lo0 address 2001:db8:ff00::1 (hop limit 64, UDP 4789, UDP checksum computed over the pseudo-header, RFC 8200 8.1); R behind that VTEP sends A a frame over IPv6 (decapsulated to A\'s port only, R learned behind the VTEP); A\'s answer to R is VXLAN over IPv6 to that VTEP only',
    config: r1Config({ domains: [V10({ vteps: [VTEP6] })] }),
    inputs: { [P1]: [[0, bcast], [0.002, ar]], [P0]: [[0.001, vxlanIn(VTEP6, 10010, ra)]] },
    record: [...BRIDGE_RECORD, 'devices.R1.nodes.vxlan-input.counters'],
    intent(o) {
      const vx = o.frames(P0).map(vxlanOf);
      assert.equal(vx.length, 2);
      assertVxlan(vx[0], { vtep: VTEP6, vni: 10010, inner: bcast, what: 'broadcast over IPv6' });
      assertVxlan(vx[1], { vtep: VTEP6, vni: 10010, inner: ar, what: 'A->R over IPv6' });
      assert.equal(vx[0].family, 6);
      o.sends(P1, [ra]);
      o.sends(P2, [bcast]);
      o.sends(P3, [retag(bcast, 10)]);
      o.drops({});
    },
  });
  add({
    name: 'vxlan-port-8472',
    description: 'A domain with destination-udp-port 8472 (the Linux kernel\'s default port): A\'s broadcast leaves as VXLAN to UDP 8472; VXLAN arriving on 8472 is decapsulated; on 4789, which no domain uses, it is not VXLAN: R1 answers with ICMP port unreachable',
    config: r1Config({ domains: [V10({ udpPort: 8472 })] }),
    inputs: {
      [P1]: [[0, bcast], [0.002, ar]],
      [P0]: [[0.001, vxlanIn(VTEP2, 10010, ra, { dport: 8472 })], [0.003, vxlanIn(VTEP2, 10010, ra, { dport: 4789 })]],
    },
    record: [...BRIDGE_RECORD, 'devices.R1.nodes.vxlan-input.counters'],
    intent(o) {
      const f = o.frames(P0);
      assert.equal(f.length, 3, 'two VXLAN packets and one ICMP error');
      assertVxlan(vxlanOf(f[0]), { vtep: VTEP2, vni: 10010, dport: 8472, inner: bcast, what: 'broadcast to 8472' });
      assertVxlan(vxlanOf(f[1]), { vtep: VTEP2, vni: 10010, dport: 8472, inner: ar, what: 'A->R to 8472' });
      const err = f[2];
      assert.equal(err[14 + 9], 1, 'ICMP');
      assert.deepEqual([err[34], err[35]], [3, 3], 'destination unreachable, port unreachable');
      o.sends(P1, [ra]);
      o.drops({});
    },
  });
}


// ---------------------------------------------------------------- 9. VXLAN over inline IPsec: the seed's two-PE lab

{
  const ex = (f) => readFileSync(join(EXAMPLES, 'evpn-ipsec', f), 'utf8');
  const saLines = ex('esp_sa').split('\n').filter((l) => l.startsWith('"'));
  /** An SA from its esp_sa line: addresses, SPI, AES key and salt. */
  const saOf = (line) => {
    const f = line.split(',').map((x) => x.replaceAll('"', ''));
    const k = Buffer.from(f[5].slice(2), 'hex');
    return { src: f[1], dst: f[2], spi: parseInt(f[3], 16), key: k.subarray(0, 32), salt: k.subarray(32) };
  };
  const SA12 = saOf(saLines.find((l) => l.includes('"13.10.1.1","13.10.2.2"')));
  const SA21 = saOf(saLines.find((l) => l.includes('"13.10.2.2","13.10.1.1"')));
  const CE1 = 'PE1:et-0/2/10';
  const CE2 = 'PE2:et-0/0/4';
  const PE1_IRB = mac('PE1', 'irb');
  const [hA, hB, hD] = ['02:00:00:01:0a:0b', '02:00:00:02:0b:0b', '02:00:00:02:0d:0d'];
  const [ipA, ipB, ipD] = ['13.11.1.11', '13.11.1.12', '13.11.2.14'];
  const arpAB = arpReq(hA, ipA, ipB, 10);
  const replyBA = arpRep(hB, ipB, hA, ipA, 10);
  const ab = udpFrame({ src: hA, dst: hB, vlans: [10] }, ipA, ipB, 100);
  const pingAD = ping4({ src: hA, dst: VGA4_MAC, vlans: [10] }, { src: ipA, dst: ipD, id: 0x900 }, 0x91, 1);
  const replyD = arpRep(hD, ipD, PE1_IRB, '13.11.2.1', 20);
  const irbArp = arpFrame({ src: PE1_IRB, dst: BCAST }, 1, PE1_IRB, '13.11.2.1', ZERO, ipD);
  /** Opens an ESP packet (tunnel mode, AES-256-GCM, ESN high half 0) with node:crypto: the inner IPv4 packet. */
  const openEsp = (sa, frame) => {
    const e = l2(frame);
    assert.equal(e.type, 0x0800, 'ESP over IPv4');
    const ip = frame.subarray(e.p);
    assert.equal(ip[9], 50, 'ESP');
    assert.deepEqual([[...ip.subarray(12, 16)].join('.'), [...ip.subarray(16, 20)].join('.')], [sa.src, sa.dst], 'ESP between the gateways');
    const esp = ip.subarray((ip[0] & 15) * 4, (ip[2] << 8) | ip[3]);
    assert.equal(((esp[0] << 24) | (esp[1] << 16) | (esp[2] << 8) | esp[3]) >>> 0, sa.spi, 'SPI');
    const d = createDecipheriv('aes-256-gcm', sa.key, cat(sa.salt, esp.subarray(8, 16)));
    d.setAAD(cat(esp.subarray(0, 4), u32(0), esp.subarray(4, 8)));
    d.setAuthTag(esp.subarray(esp.length - 16));
    const plain = cat(d.update(esp.subarray(16, esp.length - 16)), d.final());
    assert.equal(plain[plain.length - 1], 4, 'next header: IPv4');
    return plain.subarray(0, plain.length - 2 - plain[plain.length - 2]);
  };
  /** The VXLAN inside an inner IPv4 packet: between the loopbacks, UDP 4789, I flag; [VNI, inner frame]. */
  const vxlanInside = (p, from, to) => {
    const v = vxlanOf(cat(new Uint8Array(12), [8, 0], p));
    assert.deepEqual([v.src, v.dst, v.dport, v.flags], [from, to, 4789, 0x08], 'VXLAN between the PE loopbacks, UDP 4789, I flag');
    assert.ok(v.sport >= 49152, 'VXLAN source port in the dynamic range');
    return [v.vni, hex(v.inner)];
  };
  add({
    name: 'vxlan-over-ipsec',
    ports: [CE1, CE2, 'PE1:ae0', 'P1:ae0', 'P1:ae1', 'PE2:ae1'],
    description: 'The seed\'s EVPN-VXLAN over inline IPsec lab (examples/evpn-ipsec: CE1 - PE1 - P1 - PE2 - CE2, the PEs EVPN peers, VXLAN between the loopbacks 12.1.1.1/.2 routed into st0.1): A\'s ARP for B (VLAN 10) is flooded to PE2 (type-3 flood list) and reaches CE2 on VLAN 10; B\'s reply is unicast back (A is a type-2 route from PE1), A->B is unicast (B is one from PE2); A pings D (VLAN 20, routed by PE1\'s anycast gateway): irb.20 ARPs for D through VNI 10020, D answers PE1\'s IRB MAC (a type-2 route at PE2), the ping reaches CE2 on VLAN 20, one hop on. The core links carry ARP for the next hop and ESP only; each ESP packet opens (node:crypto, the esp_sa keys, ESN) to IPv4/UDP 4789/VXLAN with the VNI of its domain and the frame as the CE port sent it, untagged',
    files: { 'pe1.conf': ex('pe1.conf'), 'pe2.conf': ex('pe2.conf'), 'p1.conf': ex('p1.conf'), 'scenario.yaml': ex('scenario.yaml') },
    configFile: 'scenario.yaml',
    sa: saLines,
    inputs: {
      [CE1]: [[0, arpAB], [0.020, ab], [0.030, pingAD]],
      [CE2]: [[0.010, replyBA], [0.040, replyD]],
    },
    record: ['devices.PE1.nodes.bridge-input.counters', 'devices.PE2.nodes.bridge-input.counters', 'devices.PE1.nodes.vxlan-encap.counters', 'devices.PE2.nodes.vxlan-input.counters'],
    intent(o) {
      const notArp = (port) => o.frames(port).filter((f) => !isArp(f));
      const esp12 = notArp('PE1:ae0').map((f) => vxlanInside(openEsp(SA12, f), '12.1.1.1', '12.1.1.2'));
      const untag = (f) => hex(retag(f, 0));
      assert.deepEqual(esp12, [[10010, untag(arpAB)], [10010, untag(ab)], [10020, untag(irbArp)], [10020, untag(retag(hop4(pingAD, PE1_IRB, hD), 0))]],
        'PE1 -> PE2 ESP: A\'s ARP (VNI 10010), A->B, irb.20\'s ARP for D (VNI 10020), the routed ping');
      const esp21 = notArp('PE2:ae1').map((f) => vxlanInside(openEsp(SA21, f), '12.1.1.2', '12.1.1.1'));
      assert.deepEqual(esp21, [[10010, untag(replyBA)], [10020, untag(replyD)]], 'PE2 -> PE1 ESP: B\'s reply, D\'s reply to PE1\'s IRB');
      for (const port of ['PE1:ae0', 'PE2:ae1', 'P1:ae0', 'P1:ae1']) {
        for (const f of o.frames(port)) assert.ok(isArp(f) || f[23] === 50, `${port}: ARP or ESP only`);
      }
      o.sends(CE2, [arpAB, ab, retag(irbArp, 20), retag(hop4(pingAD, PE1_IRB, hD), 20)]);
      o.sends(CE1, [replyBA, retag(irbArp, 20)]); // B's reply, and irb.20's ARP flooded to PE1's own VLAN 20 port too
      o.drops({});
    },
  });
}

/** An IPv4 frame one hop on, with new MACs (the tag, if any, kept). */
function hop4(f, src, dst) {
  const q = Uint8Array.from(f);
  q.set(Buffer.from(dst.replaceAll(':', ''), 'hex'), 0);
  q.set(Buffer.from(src.replaceAll(':', ''), 'hex'), 6);
  const ip = l2(q).p;
  q[ip + 8] -= 1;
  q[ip + 10] = 0;
  q[ip + 11] = 0;
  const c = inetSum(q.subarray(ip, ip + 20));
  q[ip + 10] = c >> 8;
  q[ip + 11] = c & 0xff;
  return q;
}

main(import.meta.url, AREA, GENERATOR, CASES);
