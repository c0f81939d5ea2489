// Builds the inline IPsec conformance cases under pcaps/ipsec/ from the
// descriptions below: configuration, esp_sa keys, input packets (built with
// src/craft), and what each case is meant to show. Each case is run through
// triode in-process; its intent is asserted on the outputs BEFORE anything is
// written (so a regenerated case cannot silently encode a bug); then the
// outputs become the expected pcaps, the counters go into case.yaml, and the
// case is loaded back and run as `triode test` will run it.
//
//   npm run cases                      (builds, then runs this script)
//   node scripts/make-ipsec-cases.mjs [name-filter]
//
// Deterministic: fixed keys, timestamps from the descriptions, IVs derived
// from the sequence numbers; regenerating gives the same bytes.
//
// ESP that a case feeds in (the decrypt side) is sealed here with node:crypto
// (AES-GCM, RFC 4106 framing written out below), not with triode's ESP engine,
// and the ESP triode sends is opened here the same way to check the intent.

import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { eth, ip4, ip6 } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import {
  at, cat, hex, hop, icmp4, icmp6Echo, inetSum, ipv6Text, main, u32, udp4, udp6, withTclass,
} from './cases-lib.mjs';

export const AREA = 'ipsec';
export const GENERATOR = 'scripts/make-ipsec-cases.mjs';

// ---------------------------------------------------------------- the network
//
//   HOST (LAN 10.1.0.2, 2001:db8:1::2) — et-0/0/1 [R1] et-0/0/0 — P (13.10.1.2, 2001:db8:ff::2) — … — the peer gateway
//
// R1 routes 10.2.0.0/24 and 2001:db8:2::/64 (the far LAN) into st0.1; the
// peer gateway is 13.10.2.2 (IPv4 tunnels) or 2001:db8:e2::2 (IPv6 tunnels),
// reached via P. Static ARP/NDP entries, so no port ever resolves anything.

const HOST = '02:00:00:00:0a:02';
const P = '02:00:00:00:0c:02';
const R1_LAN = formatMac(derivedMac('R1', 'et-0/0/1'));
const R1_CORE = formatMac(derivedMac('R1', 'et-0/0/0'));
const LAN = 'et-0/0/1';
const CORE = 'et-0/0/0';

const GW4 = { local: '13.10.1.1', remote: '13.10.2.2' };
const GW6 = { local: '2001:db8:ff::1', remote: '2001:db8:e2::2' };
const SPI_OUT = 0x36c700ce;
const SPI_IN = 0x5a5a0001;

/** A deterministic AES-256 key + salt: SHA-256 of a label, and 4 more bytes of it. */
function keyOf(label) {
  const h = createHash('sha256').update(label).digest();
  const salt = createHash('sha256').update(`${label}/salt`).digest().subarray(0, 4);
  return { key: Uint8Array.from(h), salt: Uint8Array.from(salt) };
}
const K_OUT = keyOf('triode ipsec cases: R1 outbound');
const K_IN = keyOf('triode ipsec cases: R1 inbound');

const spiHex = (spi) => `0x${spi.toString(16).padStart(8, '0')}`;

/** An esp_sa line (Wireshark's ESP SA table). */
function saLine(src, dst, spi, k) {
  const proto = src.includes(':') ? 'IPv6' : 'IPv4';
  return `"${proto}","${src}","${dst}","${spiHex(spi)}","AES-GCM with 16 octet ICV [RFC4106]","0x${hex(k.key)}${hex(k.salt)}","NULL",""`;
}

/** The SA pair of R1's VPN through a gateway: outbound R1 → peer, inbound peer → R1. */
function saPair(gw, out = { spi: SPI_OUT, k: K_OUT }, inn = { spi: SPI_IN, k: K_IN }) {
  return {
    out: { spi: out.spi, ...out.k, src: gw.local, dst: gw.remote },
    in: { spi: inn.spi, ...inn.k, src: gw.remote, dst: gw.local },
    lines: [saLine(gw.local, gw.remote, out.spi, out.k), saLine(gw.remote, gw.local, inn.spi, inn.k)],
  };
}

// ---------------------------------------------------------------- configuration

/**
 * R1 in Junos text. `vpns`: [{ name, st0, gw: GW4|GW6, options: 'df-bit copy; ...', selectors: [[local, remote]], esn }].
 * `st0`: unit -> its family statements. `lanMtu`: media MTU of the LAN port (default 1514). `routes4` / `routes6`: [prefix, next hop].
 */
function r1Config({ vpns, routes4 = [['10.2.0.0/24', 'st0.1']], routes6 = [['2001:db8:2::/64', 'st0.1']], st0 = { 1: 'family inet; family inet6;' }, lanMtu, comment }) {
  const gateways = [...new Map(vpns.map((v) => [v.gw.remote, v.gw])).values()];
  const gwName = (gw) => `GW-${gateways.indexOf(gw) + 1}`;
  const units = Object.entries(st0).map(([u, families]) => `    unit ${u} { ${families} }`).join('\n');
  const rt = (list) => list.map(([p, nh]) => `route ${p} next-hop ${nh};`).join(' ');
  const ts = (v) => (v.selectors ?? []).map(([l, r], i) => `\n      traffic-selector TS${i + 1} { local-ip ${l}; remote-ip ${r}; }`).join('');
  return `${comment ? `/* ${comment} */\n` : ''}system { host-name R1; }
interfaces {
  et-0/0/0 { description core; unit 0 {
    family inet { address 13.10.1.1/24 { arp 13.10.1.2 mac ${P}; } }
    family inet6 { address 2001:db8:ff::1/64 { ndp 2001:db8:ff::2 mac ${P}; } } } }
  et-0/0/1 { description LAN;${lanMtu ? ` mtu ${lanMtu};` : ''} unit 0 {
    family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac ${HOST}; } }
    family inet6 { address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac ${HOST}; } } } }
  si-0/1/0 {
    unit 0 { family inet; family inet6; service-domain inside; }
    unit 1 { family inet; family inet6; service-domain outside; } }
  st0 {
${units}
  }
}
routing-options {
  static { route 13.10.2.0/24 next-hop 13.10.1.2; ${rt(routes4)} }
  rib inet6.0 { static { route 2001:db8:e2::/64 next-hop 2001:db8:ff::2; ${rt(routes6)} } }
}
services {
  service-set IPSEC-SS {
    next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; }
${vpns.map((v) => `    ipsec-vpn ${v.name};`).join('\n')}
  }
}
security {
  ike {
${gateways.map((g) => `    gateway ${gwName(g)} { address ${g.remote}; local-address ${g.local}; external-interface et-0/0/0.0; version v2-only; }`).join('\n')}
  }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    proposal P-ESN { protocol esp; encryption-algorithm aes-256-gcm; extended-sequence-number; }
    policy POL { proposals P; }
    policy POL-ESN { proposals P-ESN; }
${vpns.map((v) => `    vpn ${v.name} {
      bind-interface st0.${v.st0 ?? 1};${v.options ? `\n      ${v.options}` : ''}
      ike { gateway ${gwName(v.gw)}; ipsec-policy ${v.esn ? 'POL-ESN' : 'POL'}; }${ts(v)}
    }`).join('\n')}
  }
}
`;
}

// ---------------------------------------------------------------- packets

const fromHost = { src: HOST, dst: R1_LAN };
const toHost = { src: R1_LAN, dst: HOST };
const fromP = { src: P, dst: R1_CORE };

const v4 = (p) => eth(fromHost, 0x0800, p);
const v6 = (p) => eth(fromHost, 0x86dd, p);
/** What R1 sends HOST after routing: MACs R1 → HOST. */
const lanOut = (p) => eth(toHost, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p);
// ---------------------------------------------------------------- ESP with node:crypto (RFC 4303 + RFC 4106)

const gcm = (key) => `aes-${key.length * 8}-gcm`;

/**
 * ESP (tunnel mode) around an inner IP packet: SPI, the low 32 bits of `seq`,
 * an 8-byte IV (here: SHA-256 of the SA and number, so not triode's choice),
 * the encrypted inner packet + padding 1, 2, ... + pad length + next header,
 * and the 16-byte ICV. AAD: SPI || seq (or SPI || seq_hi || seq_lo with ESN).
 * `sealHi` overrides the high half put in the AAD (a sender that did not wrap).
 */
function sealEsp(sa, seq, inner, { esn = false, sealHi } = {}) {
  const s = BigInt(seq);
  const lo = Number(s & 0xffffffffn);
  const hi = sealHi ?? Number(s >> 32n);
  const iv = createHash('sha256').update(`${sa.spi}/${s}`).digest().subarray(0, 8);
  const padLen = (2 - inner.length) & 3;
  const plain = cat(inner, Array.from({ length: padLen }, (_, i) => i + 1), [padLen, (inner[0] >>> 4) === 4 ? 4 : 41]);
  const c = createCipheriv(gcm(sa.key), sa.key, cat(sa.salt, iv));
  c.setAAD(esn ? cat(u32(sa.spi), u32(hi), u32(lo)) : cat(u32(sa.spi), u32(lo)));
  const ct = cat(c.update(plain), c.final());
  return cat(u32(sa.spi), u32(lo), iv, ct, c.getAuthTag());
}

/** An ESP frame from P to R1's core port: outer header by the SA's address family (`tos`: its DSCP/ECN), ESP from sealEsp. */
function espFrame(sa, seq, inner, opts = {}) {
  const esp = sealEsp(sa, seq, inner, opts);
  if (sa.src.includes(':')) return eth(fromP, 0x86dd, withTclass(ip6({ src: sa.src, dst: sa.dst, hlim: 63 }, 50, esp), opts.tos ?? 0));
  return eth(fromP, 0x0800, ip4({ src: sa.src, dst: sa.dst, ttl: 63, id: Number(BigInt(seq) & 0xffffn), tos: opts.tos }, 50, esp));
}

/** An ESP frame as sent: its outer header and ESP fields. */
function parseEsp(frame) {
  const et = (frame[12] << 8) | frame[13];
  assert.ok(et === 0x0800 || et === 0x86dd, `not IP: ethertype 0x${et.toString(16)}`);
  const l3 = frame.subarray(14);
  const family = et === 0x0800 ? 4 : 6;
  const hl = family === 4 ? (l3[0] & 15) * 4 : 40;
  const proto = family === 4 ? l3[9] : l3[6];
  assert.equal(proto, 50, 'not ESP');
  const addr = (o, n) => (n === 4 ? [...l3.subarray(o, o + 4)].join('.') : ipv6Text(l3.subarray(o, o + 16)));
  const esp = l3.subarray(hl, family === 4 ? (l3[2] << 8) | l3[3] : 40 + ((l3[4] << 8) | l3[5]));
  return {
    family,
    src: family === 4 ? addr(12, 4) : addr(8, 16),
    dst: family === 4 ? addr(16, 4) : addr(24, 16),
    tos: family === 4 ? l3[1] : ((l3[0] & 15) << 4) | (l3[1] >>> 4),
    df: family === 4 ? (l3[6] & 0x40) !== 0 : undefined,
    ttl: family === 4 ? l3[8] : l3[7],
    spi: ((esp[0] << 24) | (esp[1] << 16) | (esp[2] << 8) | esp[3]) >>> 0,
    seq: ((esp[4] << 24) | (esp[5] << 16) | (esp[6] << 8) | esp[7]) >>> 0,
    esp,
    frame,
  };
}

/** Opens ESP with node:crypto: { inner, nextHeader } or throws (bad ICV). `hi`: ESN high half, or null without ESN. */
function openEsp(sa, esp, hi = null) {
  const lo = esp.subarray(4, 8);
  const d = createDecipheriv(gcm(sa.key), sa.key, cat(sa.salt, esp.subarray(8, 16)));
  d.setAAD(hi === null ? cat(esp.subarray(0, 4), lo) : cat(esp.subarray(0, 4), u32(hi), lo));
  d.setAuthTag(esp.subarray(esp.length - 16));
  const plain = cat(d.update(esp.subarray(16, esp.length - 16)), d.final());
  const nextHeader = plain[plain.length - 1];
  const padLen = plain[plain.length - 2];
  return { inner: plain.subarray(0, plain.length - 2 - padLen), nextHeader };
}

// ---------------------------------------------------------------- intent helpers

/**
 * Encrypt intent: `port` sent one ESP packet per inner packet, in `sa`, numbers `seqs`, each opening to the inner packet one hop on
 * (`esnHi`: the ESN high half in the AAD, one for all or one per packet; null without ESN).
 */
function assertEncrypted(o, port, sa, inner, { seqs, esnHi = null, outerFamily, dfs, toss, arps = 0 } = {}) {
  const frames = o.frames(port);
  assert.equal(frames.filter((f) => f[12] === 0x08 && f[13] === 0x06).length, arps, `${port}: ${arps} ARP frames`);
  const esp = frames.filter((f) => !(f[12] === 0x08 && f[13] === 0x06)).map(parseEsp);
  assert.equal(esp.length, inner.length, `${port}: ${inner.length} ESP packets`);
  esp.forEach((e, i) => {
    assert.equal(e.spi, sa.spi, `packet ${i + 1}: SPI ${spiHex(sa.spi)}`);
    assert.equal(e.seq, seqs ? seqs[i] : i + 1, `packet ${i + 1}: sequence number`);
    assert.equal(e.src, sa.src, `packet ${i + 1}: outer source`);
    assert.equal(e.dst, sa.dst, `packet ${i + 1}: outer destination`);
    if (outerFamily) assert.equal(e.family, outerFamily, `packet ${i + 1}: outer family`);
    if (dfs) assert.equal(e.df, dfs[i], `packet ${i + 1}: outer DF`);
    if (toss) assert.equal(e.tos, toss[i], `packet ${i + 1}: outer DSCP/ECN`);
    const { inner: got, nextHeader } = openEsp(sa, e.esp, Array.isArray(esnHi) ? esnHi[i] : esnHi);
    assert.equal(hex(got), hex(hop(inner[i])), `packet ${i + 1}: decrypts to the input one hop on`);
    assert.equal(nextHeader, (inner[i][0] >>> 4) === 4 ? 4 : 41, `packet ${i + 1}: next header`);
  });
}

// ---------------------------------------------------------------- the cases

const PAIR4 = saPair(GW4);
const PAIR6 = saPair(GW6);
const VPN4 = { name: 'VPN-1', gw: GW4, options: 'df-bit copy;' };
const VPN6 = { name: 'VPN-1', gw: GW6, options: 'df-bit copy;' };
const out4 = { src: '10.1.0.2', dst: '10.2.0.2' };
const out6 = { src: '2001:db8:1::2', dst: '2001:db8:2::2' };
const in4 = { src: '10.2.0.2', dst: '10.1.0.2' };
const in6 = { src: '2001:db8:2::2', dst: '2001:db8:1::2' };

/** Inner packets of every padding length (inner length mod 4 = 0..3) and both DF states. */
const v4Mix = [
  icmp4({ ...out4, id: 11 }, 7, 1, 32), // 60 B: pad 2
  udp4({ ...out4, id: 12, df: true }, 1), // 29 B: pad 1
  udp4({ ...out4, id: 13 }, 2), // 30 B: pad 0
  udp4({ ...out4, id: 14, df: true }, 3), // 31 B: pad 3
  udp4({ ...out4, id: 15 }, 1000),
];
const v6Mix = [
  icmp6Echo(out6, 7, 1, 32),
  udp6(out6, 1),
  udp6(out6, 2),
  udp6(out6, 3),
  udp6(out6, 1000),
];

function encryptCase(name, description, pair, vpn, inner, opts = {}) {
  return {
    name, description,
    config: r1Config({ vpns: [vpn] }),
    sa: pair.lines,
    inputs: { [LAN]: at(inner.map((p) => eth(fromHost, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
    intent(o) {
      assertEncrypted(o, CORE, pair.out, inner, { outerFamily: pair.out.src.includes(':') ? 6 : 4, ...opts });
      o.silent(LAN);
      o.drops({});
      o.counters({
        'ipsec.encrypted_packets': inner.length,
        'devices.R1.interfaces.st0.1.outputPackets': inner.length,
        'devices.R1.interfaces.si-0/1/0.0.inputPackets': inner.length,
        'devices.R1.interfaces.si-0/1/0.1.inputPackets': inner.length,
      });
    },
  };
}

function decryptCase(name, description, pair, vpn, inner, extra = {}) {
  return {
    name, description,
    config: r1Config({ vpns: [vpn] }),
    sa: pair.lines,
    inputs: { [CORE]: at(inner.map((p, i) => espFrame(pair.in, i + 1, p))) },
    intent(o) {
      o.sends(LAN, inner.map((p) => lanOut(hop(p))), 'LAN: the inner packets one hop on');
      o.silent(CORE);
      o.drops({});
      o.counters({
        'ipsec.decrypted_packets': inner.length,
        'devices.R1.interfaces.si-0/1/0.1.inputPackets': inner.length,
        'devices.R1.interfaces.st0.1.inputPackets': inner.length,
        'devices.R1.interfaces.si-0/1/0.0.inputPackets': 0,
      });
    },
    ...extra,
  };
}

/** Replay cases: ESP numbered `seqs` from the peer; `accepted[i]`: whether packet i gets through. */
function replayCase(name, description, options, seqs, accepted, { esn = false } = {}) {
  const inner = seqs.map((s) => udp4({ ...in4, id: Number(BigInt(s) & 0xffffn) }, 20 + (Number(BigInt(s) % 13n))));
  return {
    name, description,
    config: r1Config({ vpns: [{ ...VPN4, options, esn }] }),
    sa: PAIR4.lines,
    inputs: { [CORE]: at(seqs.map((s, i) => espFrame(PAIR4.in, s, inner[i], { esn }))) },
    intent(o) {
      o.sends(LAN, inner.filter((_, i) => accepted[i]).map((p) => lanOut(hop(p))), 'LAN: the accepted packets, in order');
      const rejected = accepted.filter((a) => !a).length;
      o.drops(rejected ? { replay_errors: rejected } : {});
      o.counters({ 'ipsec.replay_errors': rejected, 'ipsec.decrypted_packets': accepted.filter(Boolean).length });
    },
  };
}

const CASES = [
  encryptCase('encrypt-v4-in-v4',
    'IPv4 routed into st0.1 leaves the core port as ESP in IPv4 (13.10.1.1 -> 13.10.2.2, SPI 0x36c700ce, sequence 1..5); every padding length; the LAN port sends nothing',
    PAIR4, VPN4, v4Mix),
  encryptCase('encrypt-v6-in-v4',
    'IPv6 routed into st0.1 leaves as ESP in IPv4 (next header 41), sequence 1..5',
    PAIR4, VPN4, v6Mix),
  encryptCase('encrypt-v4-over-v6',
    'IPv4 into st0.1 of a VPN whose gateways are IPv6 (2001:db8:ff::1 -> 2001:db8:e2::2): ESP in IPv6, next header 4',
    PAIR6, VPN6, v4Mix),
  encryptCase('encrypt-v6-over-v6',
    'IPv6 into st0.1 of a VPN whose gateways are IPv6: ESP in IPv6, next header 41',
    PAIR6, VPN6, v6Mix),
  decryptCase('decrypt-v4',
    'ESP in IPv4 from the peer gateway (SPI 0x5a5a0001, sequence 1..5) decrypts to IPv4 that leaves the LAN port one hop on; si outside and st0.1 count it, si inside does not',
    PAIR4, VPN4, [
      icmp4({ ...in4, id: 21 }, 9, 1), udp4({ ...in4, id: 22, df: true }, 1), udp4({ ...in4, id: 23 }, 2),
      udp4({ ...in4, id: 24 }, 3), udp4({ ...in4, id: 25 }, 1200),
    ]),
  decryptCase('decrypt-v6',
    'ESP in IPv4 carrying IPv6 (next header 41) decrypts to IPv6 that leaves the LAN port one hop on',
    PAIR4, VPN4, [icmp6Echo(in6, 9, 1), udp6(in6, 1), udp6(in6, 2), udp6(in6, 3), udp6(in6, 1200)]),
  decryptCase('decrypt-over-v6',
    'ESP in IPv6 from an IPv6 gateway, carrying IPv4 and IPv6, decrypts and leaves the LAN port',
    PAIR6, VPN6, [icmp4({ ...in4, id: 31 }, 9, 1), icmp6Echo(in6, 9, 2), udp4({ ...in4, id: 32 }, 77), udp6(in6, 77)]),
  {
    ...encryptCase('esn-encrypt',
      'A VPN with extended-sequence-number: sequence 1..3 on the wire, the high half (0) in the AAD: the ICV verifies only with ESN',
      PAIR4, { ...VPN4, esn: true }, v4Mix.slice(0, 3), { esnHi: 0 }),
    extraIntent(o) {
      // Without the high half in the AAD the ICV fails: ESN really is in use.
      for (const e of o.esp(CORE)) assert.throws(() => openEsp(PAIR4.out, e.esp, null), 'opens without ESN');
    },
  },
  (() => {
    // The peer's numbers climb to the 2^32 wrap (a receiver follows a jump ahead; it cannot start near 2^32,
    // which RFC 4303 Appendix A places before the first number) and cross it; then a replay from before the
    // wrap, and a packet sealed by a sender that did not wrap (high half 0 in the AAD).
    const seqs = [1n, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n, 0x100000001n, 0x100000002n];
    const inner = seqs.map((s, i) => udp4({ ...in4, id: 40 + i }, 10 + i));
    const replayed = udp4({ ...in4, id: 60 }, 5);
    const notWrapped = udp4({ ...in4, id: 61 }, 6);
    return {
      name: 'esn-decrypt-wrap',
      description: 'ESN across the 32-bit wrap on decrypt: numbers 1, 2^31, 2^32-2, 2^32-1, 2^32, 2^32+1, 2^32+2 accepted (the receiver infers the high half); a replay of 2^32-1 after the wrap is a replay error; low half 3 sealed with high half 0 fails the ICV',
      config: r1Config({ vpns: [{ ...VPN4, esn: true }] }),
      sa: PAIR4.lines,
      inputs: {
        [CORE]: at([
          ...seqs.map((s, i) => espFrame(PAIR4.in, s, inner[i], { esn: true })),
          espFrame(PAIR4.in, 0xffffffffn, replayed, { esn: true }),
          espFrame(PAIR4.in, 3n, notWrapped, { esn: true }),
        ]),
      },
      intent(o) {
        o.sends(LAN, inner.map((p) => lanOut(hop(p))), 'LAN: the seven numbered packets');
        o.drops({ replay_errors: 1, esp_authentication_failures: 1 });
        o.counters({ 'ipsec.decrypted_packets': 7, 'ipsec.replay_errors': 1, 'ipsec.esp_authentication_failures': 1 });
      },
    };
  })(),
  (() => {
    // case.yaml sa_state starts the outbound SA at 2^32 - 2: a test-only knob (a router starts every SA at 1).
    const inner = [1, 2, 3, 4].map((i) => udp4({ ...out4, id: 70 + i }, 20 + i));
    return {
      name: 'esn-encrypt-wrap',
      description: 'ESN across the 32-bit wrap on encrypt (the outbound SA started at 2^32-2 by the test-only sa_state): the wire carries the low halves 4294967294, 4294967295, 0, 1; the AAD carries the high half 0, 0, 1, 1, so each packet opens only with its own high half',
      config: r1Config({ vpns: [{ ...VPN4, esn: true }] }),
      sa: PAIR4.lines,
      saState: { [spiHex(SPI_OUT)]: { seq: 0xfffffffe } },
      inputs: { [LAN]: at(inner.map(v4)) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, inner, { seqs: [0xfffffffe, 0xffffffff, 0, 1], esnHi: [0, 0, 1, 1] });
        const esp = o.esp(CORE);
        for (const i of [2, 3]) assert.throws(() => openEsp(PAIR4.out, esp[i].esp, 0), `packet ${i + 1} does not open with high half 0`);
        o.silent(LAN);
        o.drops({});
        o.counters({ 'ipsec.encrypted_packets': 4, 'ipsec.seq_cycled': 0 });
      },
    };
  })(),
  (() => {
    const inner = [1, 2, 3, 4].map((i) => udp4({ ...out4, id: 80 + i }, 20 + i));
    return {
      name: 'seq-cycled',
      description: 'Without ESN an outbound SA stops at 2^32-1 rather than wrap (RFC 4303 3.3.3): started at 2^32-2 by the test-only sa_state, it sends 4294967294 and 4294967295, then drops the next packets as seq_cycled',
      config: r1Config({ vpns: [VPN4] }),
      sa: PAIR4.lines,
      saState: { [spiHex(SPI_OUT)]: { seq: 0xfffffffe } },
      inputs: { [LAN]: at(inner.map(v4)) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, inner.slice(0, 2), { seqs: [0xfffffffe, 0xffffffff] });
        o.silent(LAN);
        o.drops({ seq_cycled: 2 });
        o.counters({ 'ipsec.encrypted_packets': 2, 'ipsec.seq_cycled': 2 });
      },
    };
  })(),
  replayCase('replay-window-64',
    'anti-replay-window-size 64: a duplicate is dropped; reordered numbers inside the window are accepted; once the top is 80, 16 (80-64) is too old and 17 is accepted; after 100, 36 is too old and 37 accepted',
    'df-bit copy; anti-replay-window-size 64;',
    [1, 2, 3, 3, 10, 5, 5, 4, 80, 16, 17, 17, 100, 36, 37, 99],
    [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1].map(Boolean)),
  replayCase('replay-window-4096',
    'anti-replay-window-size 4096 (the Junos default): after 5000, 905 is the oldest accepted and 904 is too old; duplicates of the top and of a number inside the window are dropped',
    'df-bit copy; anti-replay-window-size 4096;',
    [1, 5000, 905, 904, 5000, 4999, 905, 2, 6000, 1905, 1904],
    [1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0].map(Boolean)),
  replayCase('replay-disabled',
    'no-anti-replay: duplicates and numbers far behind are all accepted',
    'df-bit copy; no-anti-replay;',
    [1, 1, 5000, 2, 2],
    [1, 1, 1, 1, 1].map(Boolean)),
  (() => {
    // Two VPNs on st0.1 with traffic selectors, to the same gateway. IKE negotiates an SA pair per selector:
    // the esp_sa records are taken in file order, VPNs in configuration order, each VPN's selectors in order.
    const pair = (name, o, i) => saPair(GW4, { spi: o, k: keyOf(`ts ${name} out`) }, { spi: i, k: keyOf(`ts ${name} in`) });
    const a1 = pair('A', 0xa001, 0xa002);
    const b1 = pair('B', 0xb001, 0xb002);
    const b2 = pair('B2', 0xb101, 0xb102);
    const inner = [
      icmp4({ ...out4, id: 1 }, 7, 1), // VPN-A TS1
      udp4({ src: '10.1.0.2', dst: '10.3.0.2', id: 2 }, 100), // VPN-B TS1
      icmp6Echo({ src: '2001:db8:1::2', dst: '2001:db8:3::2' }, 7, 3), // VPN-B TS2 (IPv6)
      icmp4({ src: '10.1.0.2', dst: '10.9.0.2', id: 4 }, 7, 4), // routed into st0.1, no selector
      icmp4({ ...out4, id: 5 }, 7, 5), // VPN-A TS1
    ];
    return {
      name: 'ts-encrypt',
      description: 'Two VPNs with traffic selectors on st0.1, an SA pair per selector: 10.2.0.0/24 leaves in VPN-A TS1 (SPI 0xa001), 10.3.0.0/24 in VPN-B TS1 (0xb001), 2001:db8:3::/64 in VPN-B TS2 (0xb101); 10.9.0.2, routed into st0.1 by a static route but in no selector, is dropped as traffic_selector_mismatch before st0.1 counts it',
      config: r1Config({
        vpns: [
          { name: 'VPN-A', gw: GW4, options: 'df-bit copy;', selectors: [['10.1.0.0/24', '10.2.0.0/24']] },
          { name: 'VPN-B', gw: GW4, options: 'df-bit copy;', selectors: [['10.1.0.0/24', '10.3.0.0/24'], ['2001:db8:1::/64', '2001:db8:3::/64']] },
        ],
        routes4: [['10.9.0.0/24', 'st0.1']],
        routes6: [],
      }),
      sa: [...a1.lines, ...b1.lines, ...b2.lines],
      inputs: { [LAN]: at(inner.map((p) => eth(fromHost, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
      intent(o) {
        const esp = o.esp(CORE);
        assert.deepEqual(esp.map((e) => spiHex(e.spi)), ['0x0000a001', '0x0000b001', '0x0000b101', '0x0000a001'], 'SPIs by selector');
        assert.deepEqual(esp.map((e) => e.seq), [1, 1, 1, 2], 'sequence numbers per SA');
        const sas = [a1.out, b1.out, b2.out, a1.out];
        const sent = [inner[0], inner[1], inner[2], inner[4]];
        esp.forEach((e, i) => assert.equal(hex(openEsp(sas[i], e.esp).inner), hex(hop(sent[i])), `ESP ${i + 1} opens with its VPN's key`));
        o.silent(LAN);
        o.drops({ traffic_selector_mismatch: 1 });
        o.counters({ 'ipsec.encrypted_packets': 4, 'devices.R1.interfaces.st0.1.outputPackets': 4 });
      },
    };
  })(),
  (() => {
    const A = { out: { spi: 0xa001, k: keyOf('ts A out') }, in: { spi: 0xa002, k: keyOf('ts A in') } };
    const pa = saPair(GW4, A.out, A.in);
    const inner = [
      icmp4({ ...in4, id: 1 }, 9, 1), // inside the selector
      icmp4({ src: '10.2.7.2', dst: '10.1.0.2', id: 2 }, 9, 2), // source outside remote-ip 10.2.0.0/24
      icmp4({ src: '10.2.0.2', dst: '10.1.0.99', id: 3 }, 9, 3), // inside
      icmp4({ src: '10.2.0.2', dst: '10.1.1.2', id: 4 }, 9, 4), // destination outside local-ip 10.1.0.0/24
      icmp6Echo(in6, 9, 5), // no IPv6 selector
    ];
    return {
      name: 'ts-decrypt',
      description: 'A VPN with selector 10.1.0.0/24 <-> 10.2.0.0/24: decrypted packets inside it leave the LAN port; a source outside remote-ip, a destination outside local-ip and an IPv6 packet are dropped after decryption as traffic_selector_mismatch (decrypted by the ESP engine, not counted on st0.1)',
      config: r1Config({
        vpns: [{ name: 'VPN-A', gw: GW4, options: 'df-bit copy;', selectors: [['10.1.0.0/24', '10.2.0.0/24']] }],
        routes4: [['10.1.1.0/24', '10.1.0.3']], routes6: [],
      }).replace(`arp 10.1.0.2 mac ${HOST};`, `arp 10.1.0.2 mac ${HOST}; arp 10.1.0.99 mac ${HOST}; arp 10.1.0.3 mac ${HOST};`),
      sa: pa.lines,
      inputs: { [CORE]: at(inner.map((p, i) => espFrame(pa.in, i + 1, p))) },
      intent(o) {
        o.sends(LAN, [inner[0], inner[2]].map((p) => lanOut(hop(p))), 'LAN: the two packets inside the selector');
        o.drops({ traffic_selector_mismatch: 3 });
        o.counters({ 'ipsec.decrypted_packets': 5, 'devices.R1.interfaces.st0.1.inputPackets': 2, 'devices.R1.interfaces.si-0/1/0.1.inputPackets': 5 });
      },
    };
  })(),
  (() => {
    const toss = [0xb8, 0x88, 0x22, 0x03, 0x00];
    const inner = [
      icmp4({ ...out4, id: 1, tos: 0xb8 }, 7, 1), // EF
      udp4({ ...out4, id: 2, tos: 0x88 }, 40), // AF41
      udp4({ ...out4, id: 3, tos: 0x22 }, 40), // CS1 + ECT(0)
      icmp6Echo(out6, 7, 4, 32, 0x03), // CE only
      icmp6Echo(out6, 7, 5, 32, 0x00),
    ];
    return {
      name: 'dscp-copy',
      description: 'On encrypt the inner DSCP and ECN (IPv4 TOS, IPv6 traffic class) are copied to the outer IPv4 header: EF, AF41, CS1+ECT(0), CE, 0',
      config: r1Config({ vpns: [VPN4] }),
      sa: PAIR4.lines,
      inputs: { [LAN]: at(inner.map((p) => eth(fromHost, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, inner, { toss });
        o.drops({});
      },
    };
  })(),
  ...['clear', 'set', 'copy'].map((mode) => {
    const inner = [udp4({ ...out4, id: 1, df: true }, 100), udp4({ ...out4, id: 2 }, 100), udp6(out6, 100)];
    const dfs = { clear: [false, false, false], set: [true, true, true], copy: [true, false, false] }[mode];
    return {
      name: `df-bit-${mode}`,
      description: `df-bit ${mode}: the outer IPv4 DF bit for an inner IPv4 packet with DF, one without, and an IPv6 packet is ${dfs.map((d) => (d ? 'set' : 'clear')).join(', ')}`,
      config: r1Config({ vpns: [{ ...VPN4, options: `df-bit ${mode};` }] }),
      sa: PAIR4.lines,
      inputs: { [LAN]: at(inner.map((p) => eth(fromHost, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, inner, { dfs });
        o.drops({});
      },
    };
  }),
  (() => {
    const stranger = { ...PAIR4.in, spi: 0x0badf00d };
    const inner = [icmp4({ ...in4, id: 1 }, 9, 1), icmp4({ ...in4, id: 2 }, 9, 2), icmp4({ ...in4, id: 3 }, 9, 3)];
    return {
      name: 'unknown-spi',
      description: 'ESP to the gateway address with an SPI no inbound SA has (0x0badf00d) is dropped as unknown_spi; the packets of the known SPI around it get through',
      config: r1Config({ vpns: [VPN4] }),
      sa: PAIR4.lines,
      inputs: { [CORE]: at([espFrame(PAIR4.in, 1, inner[0]), espFrame(stranger, 1, inner[1]), espFrame(PAIR4.in, 2, inner[2])]) },
      intent(o) {
        o.sends(LAN, [inner[0], inner[2]].map((p) => lanOut(hop(p))), 'LAN: the known SPI\'s packets');
        o.drops({ unknown_spi: 1 });
        o.counters({ 'ipsec.unknown_spi': 1, 'ipsec.decrypted_packets': 2, 'devices.R1.interfaces.st0.1.inputPackets': 2 });
      },
    };
  })(),
  (() => {
    const inner = [1, 2, 3, 4, 5].map((i) => udp4({ ...in4, id: 50 + i }, 40));
    const flip = (f, at) => { const g = Uint8Array.from(f); g[at < 0 ? g.length + at : at] ^= 0x01; return g; };
    const wrongKey = { ...PAIR4.in, key: keyOf('not the key').key };
    return {
      name: 'auth-failure',
      description: 'ESP with a flipped ICV bit, a flipped ciphertext bit, or sealed with another key fails authentication (esp_authentication_failures) and does not move the replay window: the genuine packets with those numbers that follow are accepted',
      config: r1Config({ vpns: [VPN4] }),
      sa: PAIR4.lines,
      inputs: {
        [CORE]: at([
          espFrame(PAIR4.in, 1, inner[0]),
          flip(espFrame(PAIR4.in, 2, inner[1]), -1), // last ICV byte
          espFrame(PAIR4.in, 2, inner[1]),
          flip(espFrame(PAIR4.in, 3, inner[2]), 14 + 20 + 16 + 5), // a ciphertext byte
          espFrame(PAIR4.in, 3, inner[2]),
          espFrame(wrongKey, 4, inner[3]),
          espFrame(PAIR4.in, 4, inner[3]),
          espFrame(PAIR4.in, 5, inner[4]),
        ]),
      },
      intent(o) {
        o.sends(LAN, inner.map((p) => lanOut(hop(p))), 'LAN: the five genuine packets');
        o.drops({ esp_authentication_failures: 3 });
        o.counters({ 'ipsec.esp_authentication_failures': 3, 'ipsec.decrypted_packets': 5, 'ipsec.replay_errors': 0 });
      },
    };
  })(),
];

// ---------------------------------------------------------------- st0 MTU and copy-outer-dscp

const ST0_MTU = { 1: 'family inet { mtu 1400; } family inet6 { mtu 1300; }' };

CASES.push(
  (() => {
    const big = udp4({ ...out4, id: 77, df: true }, 1401 - 28);
    const fits = udp4({ ...out4, id: 78, df: true }, 1400 - 28);
    return {
      name: 'st0-mtu-df',
      description: 'st0.1 family inet mtu 1400 applies to the inner packet: 1401 bytes with DF gets ICMP fragmentation needed (type 3 code 4, MTU 1400) from R1\'s LAN address back to the sender, quoting the packet as sent, and is dropped as st0_mtu_exceeded_df; 1400 bytes is encrypted',
      config: r1Config({ vpns: [VPN4], st0: ST0_MTU }),
      sa: PAIR4.lines,
      inputs: { [LAN]: at([v4(big), v4(fits)]) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, [fits]);
        const back = o.frames(LAN);
        assert.equal(back.length, 1, 'one ICMP error back to the sender');
        const f = back[0];
        assert.equal(hex(f.subarray(0, 14)), hex(eth(toHost, 0x0800, new Uint8Array(0))), 'R1 -> HOST, IPv4');
        const ip = f.subarray(14, 14 + ((f[16] << 8) | f[17]));
        assert.deepEqual([...ip.subarray(12, 20)], [10, 1, 0, 1, 10, 1, 0, 2], '10.1.0.1 -> 10.1.0.2');
        assert.equal(ip[9], 1, 'ICMP');
        assert.equal(inetSum(ip.subarray(0, 20)), 0, 'IPv4 header checksum');
        const icmp = ip.subarray(20);
        assert.deepEqual([icmp[0], icmp[1], (icmp[6] << 8) | icmp[7]], [3, 4, 1400], 'fragmentation needed, MTU 1400');
        assert.equal(inetSum(icmp), 0, 'ICMP checksum');
        assert.equal(hex(icmp.subarray(8, 36)), hex(big.subarray(0, 28)), 'quotes the header as sent (TTL 64) and 8 bytes');
        o.drops({ st0_mtu_exceeded_df: 1 });
        o.counters({ 'accounting.generated': 1, 'devices.R1.interfaces.st0.1.outputPackets': 1 });
      },
    };
  })(),
  (() => {
    const big = icmp6Echo(out6, 1, 1, 1301 - 48);
    const fits = icmp6Echo(out6, 1, 2, 1300 - 48);
    return {
      name: 'st0-mtu-v6',
      description: 'st0.1 family inet6 mtu 1300: a 1301-byte IPv6 packet gets ICMPv6 packet too big (MTU 1300) back to the sender, quoting the packet as sent (hop limit 64), dropped as st0_packet_too_big; 1300 bytes is encrypted',
      config: r1Config({ vpns: [VPN4], st0: ST0_MTU }),
      sa: PAIR4.lines,
      inputs: { [LAN]: at([v6(big), v6(fits)]) },
      intent(o) {
        assertEncrypted(o, CORE, PAIR4.out, [fits]);
        const back = o.frames(LAN);
        assert.equal(back.length, 1, 'one ICMPv6 error back to the sender');
        const ip = back[0].subarray(14);
        assert.equal(hex(back[0].subarray(0, 14)), hex(eth(toHost, 0x86dd, new Uint8Array(0))), 'R1 -> HOST, IPv6');
        assert.equal(ipv6Text(ip.subarray(8, 24)), '2001:db8:1::1', 'from R1\'s LAN address');
        assert.equal(ipv6Text(ip.subarray(24, 40)), '2001:db8:1::2', 'to the sender');
        assert.equal(ip[6], 58, 'ICMPv6');
        const m = ip.subarray(40);
        assert.deepEqual([m[0], m[1], ((m[4] << 24) | (m[5] << 16) | (m[6] << 8) | m[7]) >>> 0], [2, 0, 1300], 'packet too big, MTU 1300');
        assert.equal(hex(m.subarray(8, 48)), hex(big.subarray(0, 40)), 'quotes the header as sent');
        assert.ok(40 + m.length <= 1280, 'the error fits in 1280 bytes');
        o.drops({ st0_packet_too_big: 1 });
        o.counters({ 'accounting.generated': 1, 'devices.R1.interfaces.st0.1.outputPackets': 1 });
      },
    };
  })(),
  (() => {
    const big = udp4({ ...out4, id: 99 }, 3000);
    return {
      name: 'st0-mtu-fragment',
      description: 'st0.1 family inet mtu 1400, a 3028-byte IPv4 packet without DF (the LAN port has mtu 9192): fragmented before encryption into 3 fragments of at most 1400 bytes, each its own ESP packet (sequence 1..3); the fragments reassemble to the packet one hop on',
      config: r1Config({ vpns: [VPN4], st0: ST0_MTU, lanMtu: 9192 }),
      sa: PAIR4.lines,
      inputs: { [LAN]: at([v4(big)]) },
      intent(o) {
        const esp = o.esp(CORE);
        assert.deepEqual(esp.map((e) => e.seq), [1, 2, 3], 'three ESP packets, sequence 1..3');
        const want = hop(big);
        let data = [];
        esp.forEach((e, k) => {
          const { inner: ip } = openEsp(PAIR4.out, e.esp);
          const total = (ip[2] << 8) | ip[3];
          assert.ok(total <= 1400, `fragment ${k + 1}: ${total} <= 1400 bytes`);
          assert.equal(inetSum(ip.subarray(0, 20)), 0, `fragment ${k + 1}: header checksum`);
          assert.equal(ip[8], 63, `fragment ${k + 1}: TTL one hop on`);
          assert.equal((ip[4] << 8) | ip[5], 99, `fragment ${k + 1}: identification kept`);
          assert.equal((((ip[6] & 0x1f) << 8) | ip[7]) * 8, data.length, `fragment ${k + 1}: offset`);
          assert.equal((ip[6] & 0x20) !== 0, k < 2, `fragment ${k + 1}: more fragments`);
          assert.equal(ip[6] & 0x40, 0, `fragment ${k + 1}: no DF`);
          data = data.concat([...ip.subarray(20, total)]);
        });
        assert.equal(hex(Uint8Array.from(data)), hex(want.subarray(20)), 'the fragments reassemble to the packet');
        o.silent(LAN);
        o.drops({});
        o.counters({ 'accounting.generated': 2, 'ipsec.encrypted_packets': 3, 'devices.R1.interfaces.st0.1.outputPackets': 3 });
      },
    };
  })(),
  ...[true, false].map((on) => {
    // The outer DSCP set by the peer (or re-marked in the core: the outer header is not covered by the ICV).
    const inner = [
      icmp4({ ...in4, id: 1, tos: 0x01 }, 9, 1), // inner DSCP 0, ECT(1); outer EF
      udp4({ ...in4, id: 2, tos: 0x48 }, 40), // inner AF21; outer 0
      icmp6Echo(in6, 9, 3, 32, 0x02), // inner DSCP 0, ECT(0); outer AF41 + CE
    ];
    const outer = [0xb8, 0x00, 0x8b];
    const result = inner.map((p, i) => {
      if (!on) return p;
      const tos = (outer[i] & 0xfc) | (((p[0] >>> 4) === 4 ? p[1] : ((p[0] & 15) << 4) | (p[1] >>> 4)) & 3);
      if ((p[0] >>> 4) === 6) return withTclass(p, tos);
      return i === 0 ? icmp4({ ...in4, id: 1, tos }, 9, 1) : udp4({ ...in4, id: 2, tos }, 40);
    });
    return {
      name: on ? 'copy-outer-dscp' : 'copy-outer-dscp-off',
      description: on
        ? 'copy-outer-dscp: after decryption the outer DSCP (EF, 0, AF41) replaces the inner one (0, AF21, 0), IPv4 and IPv6 inner, inner ECN bits kept, IPv4 checksum redone'
        : 'Without copy-outer-dscp the inner DSCP and ECN leave as the sender set them, whatever the outer header says',
      config: r1Config({ vpns: [{ ...VPN4, options: on ? 'df-bit copy; copy-outer-dscp;' : 'df-bit copy;' }] }),
      sa: PAIR4.lines,
      inputs: { [CORE]: at(inner.map((p, i) => espFrame(PAIR4.in, i + 1, p, { tos: outer[i] }))) },
      intent(o) {
        o.sends(LAN, result.map((p) => lanOut(hop(p))), on ? 'LAN: inner packets with the outer DSCP' : 'LAN: inner packets as sent');
        o.drops({});
      },
    };
  }),
);

// ---------------------------------------------------------------- a scenario: two PEs end to end

function peConfig(n) {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const lan = n;
  const far = 3 - n;
  const ce = n === 1 ? CE1 : CE2;
  return `system { host-name PE${n}; }
interfaces {
  et-0/0/0 { description core; unit 0 { family inet { address ${me}/16; } } }
  et-0/0/1 { description LAN; unit 0 {
    family inet { address 10.${lan}.0.1/24 { arp 10.${lan}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${lan}::1/64 { ndp 2001:db8:${lan}::2 mac ${ce}; } } } }
  si-0/1/0 {
    unit 0 { family inet; family inet6; service-domain inside; }
    unit 1 { family inet; family inet6; service-domain outside; } }
  st0 { unit 1 { family inet; family inet6; } }
}
routing-options {
  static { route 12.1.1.2/32 next-hop st0.1; route 10.${far}.0.0/24 next-hop 12.1.1.2; }
  rib inet6.0 { static { route 2001:db8:${far}::/64 next-hop ::ffff:12.1.1.2; } }
}
services { service-set IPSEC-SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn VPN-R; } }
security {
  ike { gateway GW { address ${peer}; local-address ${me}; external-interface et-0/0/0.0; version v2-only; } }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    vpn VPN-R { bind-interface st0.1; df-bit copy; anti-replay-window-size 4096; ike { gateway GW; ipsec-policy POL; } }
  }
}
`;
}
const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
{
  const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
  const PE2_LAN = formatMac(derivedMac('PE2', 'et-0/0/1'));
  const a = { src: '10.1.0.2', dst: '10.2.0.2' };
  const a6 = { src: '2001:db8:1::2', dst: '2001:db8:2::2' };
  const inner = [icmp4({ ...a, id: 1 }, 7, 1), udp4({ ...a, id: 2, df: true }, 500), icmp6Echo(a6, 7, 3), udp6(a6, 3)];
  const pe1 = { spi: SPI_OUT, ...K_OUT, src: '13.10.1.1', dst: '13.10.2.2' };
  CASES.push({
    name: 'e2e-two-pe',
    description: 'Scenario: CE1 -> PE1 (routes via 12.1.1.2 and ::ffff:12.1.1.2, 12.1.1.2/32 via st0.1: encrypt, as the seed) -> core link (ARP for the gateway, then ESP only) -> PE2 (decrypt) -> CE2; IPv4 and IPv6 arrive identical apart from TTL/hop limit (two hops) and MACs',
    files: { 'pe1.conf': peConfig(1), 'pe2.conf': peConfig(2), 'scenario.yaml': 'devices:\n  PE1: { config: pe1.conf }\n  PE2: { config: pe2.conf }\nlinks:\n  - [PE1:et-0/0/0, PE2:et-0/0/0]\n' },
    configFile: 'scenario.yaml',
    sa: [saLine('13.10.1.1', '13.10.2.2', SPI_OUT, K_OUT), saLine('13.10.2.2', '13.10.1.1', SPI_IN, K_IN)],
    inputs: { 'PE1:et-0/0/1': at(inner.map((p) => eth({ src: CE1, dst: PE1_LAN }, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
    intent(o) {
      // The link carries PE1's ARP request for PE2's gateway address, PE2's reply, and ESP only.
      assertEncrypted(o, 'PE1:et-0/0/0', pe1, inner, { arps: 1 });
      const back = o.frames('PE2:et-0/0/0');
      assert.equal(back.length, 1, 'PE2 sends PE1 one frame');
      assert.equal(hex(back[0].subarray(12, 14)) + hex(back[0].subarray(20, 22)), '08060002', 'an ARP reply');
      o.sends('PE2:et-0/0/1', inner.map((p) => eth({ src: PE2_LAN, dst: CE2 }, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, hop(p, 2))), 'CE2 receives the packets two hops on');
      o.silent('PE1:et-0/0/1');
      o.drops({});
      o.counters({
        'devices.PE1.interfaces.st0.1.outputPackets': 4, 'devices.PE2.interfaces.st0.1.inputPackets': 4,
        'devices.PE1.ipsec.totals.encrypted_packets': 4, 'devices.PE2.ipsec.totals.decrypted_packets': 4,
      });
    },
  });
}

// ---------------------------------------------------------------- MPLS over GRE over IPsec, as the seed lists it

/** A PE whose gr- tunnel between loopbacks routes into st0.1; the far LAN via a static LSP over gr-0/0/0.0. */
function mplsGrePe(n) {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const far = 3 - n;
  const ce = n === 1 ? CE1 : CE2;
  return `system { host-name PE${n}; }
interfaces {
  et-0/0/0 { description core; unit 0 { family inet { address ${me}/16; } } }
  et-0/0/1 { description LAN; unit 0 {
    family inet { address 10.${n}.0.1/24 { arp 10.${n}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${n}::1/64 { ndp 2001:db8:${n}::2 mac ${ce}; } } } }
  lo0 { unit 0 { family inet { address 192.168.255.${n}/32; } } }
  gr-0/0/0 { unit 0 {
    tunnel { source 192.168.255.${n}; destination 192.168.255.${far}; }
    family inet { address 10.255.0.${n}/30; }
    family mpls; } }
  si-0/1/0 {
    unit 0 { family inet; family inet6; service-domain inside; }
    unit 1 { family inet; family inet6; service-domain outside; } }
  st0 { unit 1 { family inet; } }
}
routing-options {
  static {
    route 192.168.255.${far}/32 next-hop st0.1;
    route 10.${far}.0.0/24 static-lsp-next-hop TO-PE${far};
  }
  rib inet6.0 { static { route 2001:db8:${far}::/64 static-lsp-next-hop TO-PE${far}; } }
}
protocols {
  mpls {
    interface gr-0/0/0.0;
    static-label-switched-path TO-PE${far} { ingress { next-hop gr-0/0/0.0; to 192.168.255.${far}; push ${1000000 + far * 100}; } }
    static-label-switched-path TO-PE${n} { transit ${1000000 + n * 100} { pop; } }
  }
}
services { service-set IPSEC-SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn VPN-R; } }
security {
  ike { gateway GW { address ${peer}; local-address ${me}; external-interface et-0/0/0.0; version v2-only; } }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    vpn VPN-R { bind-interface st0.1; df-bit copy; ike { gateway GW; ipsec-policy POL; } }
  }
}
`;
}
{
  const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
  const PE2_LAN = formatMac(derivedMac('PE2', 'et-0/0/1'));
  const a = { src: '10.1.0.2', dst: '10.2.0.2' };
  const a6 = { src: '2001:db8:1::2', dst: '2001:db8:2::2' };
  const inner = [icmp4({ ...a, id: 1 }, 7, 1), udp4({ ...a, id: 2, df: true }, 1), udp4({ ...a, id: 3 }, 700), icmp6Echo(a6, 7, 4), udp6(a6, 3)];
  const pe1 = { spi: SPI_OUT, ...K_OUT, src: '13.10.1.1', dst: '13.10.2.2' };
  CASES.push({
    name: 'mpls-gre-ipsec',
    description: 'MPLS over GRE over IPsec (scenario): PE1 pushes label 1000200 (static LSP over gr-0/0/0.0), GRE 192.168.255.1 -> 192.168.255.2 routed into st0.1, ESP to PE2; PE2 decrypts, ends GRE, pops the label, CE2 gets IPv4 and IPv6 two hops on',
    files: {
      'pe1.conf': mplsGrePe(1), 'pe2.conf': mplsGrePe(2),
      'scenario.yaml': 'devices:\n  PE1: { config: pe1.conf }\n  PE2: { config: pe2.conf }\nlinks:\n  - [PE1:et-0/0/0, PE2:et-0/0/0]\n',
    },
    configFile: 'scenario.yaml',
    sa: [saLine('13.10.1.1', '13.10.2.2', SPI_OUT, K_OUT), saLine('13.10.2.2', '13.10.1.1', SPI_IN, K_IN)],
    inputs: { 'PE1:et-0/0/1': at(inner.map((p) => eth({ src: CE1, dst: PE1_LAN }, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p))) },
    intent(o) {
      const frames = o.frames('PE1:et-0/0/0');
      assert.equal(frames.filter((f) => f[12] === 0x08 && f[13] === 0x06).length, 1, 'one ARP request for PE2');
      const esp = frames.filter((f) => !(f[12] === 0x08 && f[13] === 0x06)).map(parseEsp);
      assert.deepEqual(esp.map((e) => [spiHex(e.spi), e.seq]), inner.map((_, i) => [spiHex(SPI_OUT), i + 1]), 'one ESP packet each, SPI and sequence');
      esp.forEach((e, i) => {
        const { inner: gre, nextHeader } = openEsp(pe1, e.esp);
        assert.equal(nextHeader, 4, `ESP ${i + 1}: carries IPv4 (GRE)`);
        assert.deepEqual([gre[9], ...gre.subarray(12, 20)], [47, 192, 168, 255, 1, 192, 168, 255, 2], `ESP ${i + 1}: GRE 192.168.255.1 -> .2`);
        const g = gre.subarray((gre[0] & 15) * 4);
        assert.equal(hex(g.subarray(0, 4)), '00008847', `ESP ${i + 1}: GRE carrying MPLS`);
        const lse = ((g[4] << 24) | (g[5] << 16) | (g[6] << 8) | g[7]) >>> 0;
        assert.equal(lse >>> 12, 1000200, `ESP ${i + 1}: label 1000200`);
        assert.equal((lse >>> 8) & 1, 1, `ESP ${i + 1}: bottom of stack`);
        assert.equal(hex(g.subarray(8)), hex(hop(inner[i])), `ESP ${i + 1}: the packet one hop on under the label`);
      });
      o.sends('PE2:et-0/0/1', inner.map((p) => eth({ src: PE2_LAN, dst: CE2 }, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, hop(p, 2))), 'CE2 receives the packets two hops on');
      o.silent('PE1:et-0/0/1');
      o.drops({});
    },
  });
}

/** The cases, their intents given `o.esp(port)`: the port's frames as ESP (outer header and ESP fields). */
export const IPSEC_CASES = CASES.map((c) => ({
  ...c,
  intent(o) {
    o.esp = (port) => o.frames(port).map(parseEsp);
    c.intent(o);
  },
}));

main(import.meta.url, AREA, GENERATOR, IPSEC_CASES);
