import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrameFields } from './decode.js';
import { writeArp, ARP_OP_REQUEST } from './arp.js';
import { writeEsp } from './esp.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_MPLS, ETHERTYPE_QINQ, writeEthernet } from './ethernet.js';
import { writeGre } from './gre.js';
import { ICMP_ECHO_REQUEST, writeIcmp } from './icmp.js';
import { ND_NEIGHBOR_SOLICIT, ND_OPT_SOURCE_LINK_ADDR, writeIcmp6 } from './icmp6.js';
import { IP_PROTO_ESP, IP_PROTO_GRE, IP_PROTO_ICMP, IP_PROTO_ICMPV6, IP_PROTO_UDP, writeIpv4 } from './ipv4.js';
import { writeIpv6 } from './ipv6.js';
import { writeMpls } from './mpls.js';
import { writeUdp } from './udp.js';
import { writeVxlan } from './vxlan.js';
import { readTcpdumpOut, tcpdumpFacts } from '../cases/decode-case.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pcapDir = path.resolve(repoRoot, '..', 'shared', 'pcaps');
const havePcaps = existsSync(pcapDir);
if (!havePcaps) console.warn(`decode.test: ${pcapDir} not found; skipping third-party capture tests`);
let haveTshark = false;
try {
  execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  haveTshark = true;
} catch {
  console.warn('decode.test: tshark not found on PATH; skipping the tshark cross-check');
}

/** Minimal classic-pcap reader (the real reader lives in src/pcap; tests here stay independent). */
function readPcap(file: string): Uint8Array[] {
  const d = readFileSync(file);
  const b = new Uint8Array(d.buffer, d.byteOffset, d.length);
  const magic = d.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && d.readUInt32BE(0) !== 0xa1b2c3d4 && d.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap`);
  // The upper bits of the link-type field may carry FCS information; the link type is the low 16 bits.
  const linktype = (le ? d.readUInt32LE(20) : d.readUInt32BE(20)) & 0xffff;
  if (linktype !== 1) throw new Error(`${file}: linktype ${linktype} is not Ethernet`);
  const out: Uint8Array[] = [];
  for (let p = 24; p + 16 <= d.length;) {
    const cap = le ? d.readUInt32LE(p + 8) : d.readUInt32BE(p + 8);
    out.push(b.subarray(p + 16, Math.min(d.length, p + 16 + cap)));
    p += 16 + cap;
  }
  return out;
}

const TCPDUMP_PAIRS: [string, string][] = [
  ['vxlan.pcap', 'vxlan.out'],
  ['vxlan_port_8472.pcap', 'vxlan_port_8472.out'],
  ['02-sunrise-sunset-esp.pcap', 'esp0.out'],
  ['espudp1.pcap', 'espudp1.out'],
  ['esp_truncated.pcap', 'esp_truncated.out'],
  ['arp-too-long-tha.pcap', 'arp-too-long-tha.out'],
  ['icmpv6.pcap', 'icmpv6.out'],
  ['icmpv6-ns-nonce.pcap', 'icmpv6-ns-nonce-v0.out'],
  ['icmpv6-ra-pref64.pcap', 'icmpv6-ra-pref64-v1.out'],
  ['gso-ipv4-vxlan-ipv4.pcap', 'gso-ipv4-vxlan-ipv4.out'],
  ['gso-ipv4-vxlan-ipv6.pcap', 'gso-ipv4-vxlan-ipv6.out'],
  ['gso-ipv6-vxlan-ipv4.pcap', 'gso-ipv6-vxlan-ipv4.out'],
  ['gso-ipv6-vxlan-ipv6.pcap', 'gso-ipv6-vxlan-ipv6.out'],
  ['isakmp4500.pcap', 'isakmp4.out'],
];

describe.skipIf(!havePcaps)('decodeFrame agrees with tcpdump on third-party captures', () => {
  for (const [pcap, out] of TCPDUMP_PAIRS) {
    it(`${pcap} vs ${out}`, () => {
      const frames = readPcap(path.join(pcapDir, 'tcpdump', pcap));
      const blocks = readTcpdumpOut(readFileSync(path.join(pcapDir, 'tcpdump', out), 'utf8'));
      expect(frames.length).toBe(blocks.length);
      let checked = 0;
      frames.forEach((f, i) => {
        const line = decodeFrame(f, 0, f.length);
        for (const fact of tcpdumpFacts(blocks[i]!)) {
          expect(line, `packet ${i + 1}: tcpdump says "${fact}"\n${blocks[i]}`).toContain(fact);
          checked++;
        }
      });
      expect(checked).toBeGreaterThan(frames.length);
    });
  }

  it('prints markers for the truncated and malformed captures instead of throwing', () => {
    const [esp] = readPcap(path.join(pcapDir, 'tcpdump', 'esp_truncated.pcap'));
    expect(decodeFrame(esp!, 0, esp!.length)).toMatch(/\[truncated ipv4\].*ESP spi 0xc0f7d4c3 \[truncated esp\]$/);
    const pref64 = readPcap(path.join(pcapDir, 'tcpdump', 'icmpv6-ra-pref64.pcap'))[1]!; // PLC 6 is invalid
    expect(decodeFrame(pref64, 0, pref64.length)).toContain('[malformed icmp6: icmp6_bad_nd_option]');
    const dnssl = readPcap(path.join(pcapDir, 'zeek', 'icmp_nd_dnssl.pcap'))[0]!; // 0xe2-byte DNS label
    expect(decodeFrame(dnssl, 0, dnssl.length)).toContain('[malformed icmp6: icmp6_bad_nd_option]');
  });

  it('decodes zeek and suricata-verify captures (ND messages, stacked VLANs, ARP over GRE, nested VXLAN)', () => {
    const first = (dir: string, f: string): string => {
      const p = readPcap(path.join(pcapDir, dir, f))[0]!;
      return decodeFrame(p, 0, p.length);
    };
    expect(first('zeek', 'icmp_icmp6-neighbor-advert.pcap')).toContain('ICMPv6 neighbor advertisement tgt is fe80::babe [router, override]');
    expect(first('zeek', 'icmp_icmp6-neighbor-solicit.pcap')).toContain('IPv6 fe80::dead > fe80::beef hlim 255 ICMPv6 neighbor solicitation who has fe80::babe');
    expect(first('zeek', 'icmp_icmp6-redirect.pcap')).toContain('ICMPv6 redirect');
    expect(first('zeek', 'icmp_icmp6-router-solicit.pcap')).toContain('ICMPv6 router solicitation');
    expect(first('suricata-verify', 'decode-arp-3_arp-encap.pcap')).toBe(
      '00:01:02:03:04:05 > 05:04:03:02:01:00, vlan 6, IPv4 1.1.1.1 > 2.2.2.2 ttl 64 GRE proto ARP: ARP who-has 0.0.0.0 tell 192.168.1.28');
    const vlans = readPcap(path.join(pcapDir, 'suricata-verify', 'arp_detect-arp-03-vlan_input.pcap'));
    expect(decodeFrame(vlans[2]!, 0, vlans[2]!.length)).toContain('vlan 1, vlan 10, vlan 100, ARP who-has');
    expect(first('zeek', 'tunnels_vxlan-triple-v2.pcap')).toMatch(/VXLAN vni 1: .*VXLAN vni 2: .*VXLAN vni 3: .*UDP 4\.4\.4\.4\.53 > 4\.4\.4\.9\.53/);
    expect(first('suricata-verify', 'vxlan-non-zero-reserved-fields_input.pcap')).toContain('VXLAN vni 11: ');
    const esp = readPcap(path.join(pcapDir, 'zeek', 'ip6_esp.pcap'))[1]!;
    expect(decodeFrame(esp, 0, esp.length)).toContain('IPv6 3ffe::1 > 3ffe::2 hlim 64 ESP spi 0x0000000a seq 1');
  });
});

/** Fields compared with tshark; multi-occurrence values (tunnels) are compared in order. */
const TSHARK_FIELDS = [
  'eth.src', 'eth.dst', 'vlan.id', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'ip.src', 'ip.dst',
  'ip.ttl', 'ip.proto', 'ip.len', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.plen', 'udp.srcport', 'udp.dstport',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'vxlan.vni', 'esp.spi', 'esp.sequence', 'icmp.type', 'icmp.ident',
  'icmp.seq', 'icmpv6.type', 'icmpv6.nd.ns.target_address', 'icmpv6.opt.prefix', 'icmpv6.opt.mtu', 'gre.proto',
];
const TSHARK_FILES = [
  'tcpdump/vxlan.pcap', 'tcpdump/02-sunrise-sunset-esp.pcap', 'tcpdump/espudp1.pcap', 'tcpdump/icmpv6.pcap',
  'tcpdump/gso-ipv6-vxlan-ipv4.pcap', 'tcpdump/icmpv6-ns-nonce.pcap', 'zeek/icmp_icmp6-nd-options.pcap',
  'zeek/tunnels_vxlan.pcap', 'zeek/arp-who-has.pcap', 'zeek/ip6_esp.pcap', 'suricata-verify/arp_detect-arp-03-vlan_input.pcap',
  'suricata-verify/decode-arp-3_arp-encap.pcap', 'suricata-verify/eve-flow-esp_input.pcap',
  'suricata-verify/vxlan-decoder-03_vxlan.pcap', 'suricata-verify/decode-arp-2_arp.pcap',
];

function norm(v: string): string {
  return /^(0x[0-9a-f]+|\d+)$/i.test(v) ? String(Number(v)) : v.toLowerCase();
}

describe.skipIf(!havePcaps || !haveTshark)('decodeFrameFields agrees with tshark', () => {
  for (const file of TSHARK_FILES) {
    it(file, () => {
      const args = ['-r', path.join(pcapDir, file), '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
      for (const f of TSHARK_FIELDS) args.push('-e', f);
      const text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = text.split('\n').filter((l) => l.length > 0);
      const frames = readPcap(path.join(pcapDir, file));
      expect(rows.length).toBe(frames.length);
      rows.forEach((row, i) => {
        const cols = row.split('\t');
        const ours = decodeFrameFields(frames[i]!, 0, frames[i]!.length).flatMap((l) => l.fields);
        TSHARK_FIELDS.forEach((name, j) => {
          const theirs = (cols[j] ?? '').split('|').filter((v) => v !== '').map(norm);
          const mine = ours.filter((f) => f.name === name).map((f) => norm(f.value));
          expect(mine, `${file} frame ${i + 1} ${name}`).toEqual(theirs);
        });
      });
    });
  }
});

/** Builds frames with the writers and checks the exact summary. */
describe('decodeFrame on generated frames', () => {
  const mac1 = '02:00:00:00:00:01';
  const mac2 = '02:00:00:00:00:02';

  function icmpEchoV4(buf: Uint8Array, off: number, src = '10.0.0.1', dst = '10.0.0.2'): number {
    const n = writeIpv4(buf, off, { totalLength: 28, ttl: 64, protocol: IP_PROTO_ICMP, src, dst });
    return n + writeIcmp(buf, off + n, { type: ICMP_ECHO_REQUEST, code: 0, id: 1, seq: 1 });
  }

  it('QinQ + IPv4 + ICMP echo', () => {
    const buf = new Uint8Array(128);
    let n = writeEthernet(buf, 0, { src: mac1, dst: mac2, vlans: [{ vid: 100, tpid: ETHERTYPE_QINQ }, { vid: 10 }], etherType: ETHERTYPE_IPV4 });
    n += icmpEchoV4(buf, n);
    expect(decodeFrame(buf, 0, n)).toBe(
      '02:00:00:00:00:01 > 02:00:00:00:00:02, vlan 100 (0x88a8), vlan 10, IPv4 10.0.0.1 > 10.0.0.2 ttl 64 ICMP echo request id 1 seq 1');
    const fields = decodeFrameFields(buf, 0, n);
    expect(fields.map((l) => l.layer)).toEqual(['eth', 'vlan', 'vlan', 'ip', 'icmp']);
    expect(fields[3]!.fields.find((f) => f.name === 'ip.ttl')).toEqual({ name: 'ip.ttl', value: '64', offset: 22 + 8, length: 1 });
    // Truncated at every length: a marker, never an exception.
    for (let l = 0; l < n; l++) expect(decodeFrame(buf, 0, l)).toMatch(/\[(truncated|malformed) /);
  });

  it('IPv6 neighbor solicitation with a source link-layer address', () => {
    const buf = new Uint8Array(128);
    let n = writeEthernet(buf, 0, { src: mac1, dst: '33:33:ff:00:00:01', etherType: ETHERTYPE_IPV6 });
    const ip = n;
    n += writeIpv6(buf, n, { payloadLength: 32, nextHeader: IP_PROTO_ICMPV6, hopLimit: 255, src: 'fe80::1', dst: 'ff02::1:ff00:1' });
    n += writeIcmp6(buf, n, { type: ND_NEIGHBOR_SOLICIT, code: 0, target: '2001:db8::1', options: [{ type: ND_OPT_SOURCE_LINK_ADDR, linkLayerAddress: mac1 }] }, { src: 'fe80::1', dst: 'ff02::1:ff00:1' });
    expect(n - ip).toBe(72);
    expect(decodeFrame(buf, 0, n)).toBe(
      '02:00:00:00:00:01 > 33:33:ff:00:00:01, IPv6 fe80::1 > ff02::1:ff00:1 hlim 255 ICMPv6 neighbor solicitation who has 2001:db8::1 [slla 02:00:00:00:00:01]');
    buf[n - 7] = 0; // option length 0
    expect(decodeFrame(buf, 0, n)).toContain('[malformed icmp6: icmp6_bad_nd_option]');
  });

  it('ESP, VXLAN, GRE with key and sequence, MPLS stack, ARP', () => {
    const buf = new Uint8Array(256);
    let n = writeEthernet(buf, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_IPV4 });
    n += writeIpv4(buf, n, { totalLength: 20 + 8 + 16, ttl: 64, protocol: IP_PROTO_ESP, src: '1.1.1.1', dst: '2.2.2.2' });
    n += writeEsp(buf, n, { spi: 0x36c700ce, seq: 1 }) + 16;
    expect(decodeFrame(buf, 0, n)).toBe('02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 1.1.1.1 > 2.2.2.2 ttl 64 ESP spi 0x36c700ce seq 1 length 24');

    n = writeEthernet(buf, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_IPV4 });
    const ip = n;
    n += 20;
    const udp = n;
    n += 8;
    n += writeVxlan(buf, n, { vni: 100 });
    n += writeEthernet(buf, n, { src: mac2, dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806 });
    n += writeArp(buf, n, { op: ARP_OP_REQUEST, senderMac: mac2, senderIp: '10.0.0.2', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.1' });
    writeIpv4(buf, ip, { totalLength: n - ip, ttl: 64, protocol: IP_PROTO_UDP, src: '1.1.1.1', dst: '2.2.2.2' });
    writeUdp(buf, udp, { srcPort: 49152, dstPort: 4789, length: n - udp }, { src: '1.1.1.1', dst: '2.2.2.2' });
    expect(decodeFrame(buf, 0, n)).toBe('02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 1.1.1.1 > 2.2.2.2 ttl 64 UDP 1.1.1.1.49152 > 2.2.2.2.4789 VXLAN vni 100: '
      + '02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff, ARP who-has 10.0.0.1 tell 10.0.0.2');

    n = writeEthernet(buf, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_IPV4 });
    const gip = n;
    n += 20;
    const gre = n;
    n += writeGre(buf, n, { protocolType: ETHERTYPE_IPV4, key: 5, seq: 3 });
    n += icmpEchoV4(buf, n, '192.168.0.1', '192.168.0.2');
    writeIpv4(buf, gip, { totalLength: n - gip, ttl: 255, protocol: IP_PROTO_GRE, src: '1.1.1.1', dst: '2.2.2.2' });
    expect(gre).toBe(34);
    expect(decodeFrame(buf, 0, n)).toBe('02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 1.1.1.1 > 2.2.2.2 ttl 255 GRE proto IPv4 key 0x00000005 seq 3: '
      + 'IPv4 192.168.0.1 > 192.168.0.2 ttl 64 ICMP echo request id 1 seq 1');

    n = writeEthernet(buf, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_MPLS });
    n += writeMpls(buf, n, [{ label: 100, tc: 0, ttl: 64 }, { label: 16, tc: 5, ttl: 63 }]);
    n += icmpEchoV4(buf, n);
    expect(decodeFrame(buf, 0, n)).toBe('02:00:00:00:00:01 > 02:00:00:00:00:02, MPLS label 100 exp 0 ttl 64, label 16 exp 5 ttl 63 [S], '
      + 'IPv4 10.0.0.1 > 10.0.0.2 ttl 64 ICMP echo request id 1 seq 1');
  });

  it('marks malformed IPv4 and IPv6 headers', () => {
    const buf = new Uint8Array(128);
    const n = writeEthernet(buf, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_IPV4 }) + icmpEchoV4(buf, 14);
    const ihl = buf.slice(); ihl[14] = 0x44;
    expect(decodeFrame(ihl, 0, n)).toMatch(/IPv4 \[malformed ipv4: ipv4_bad_ihl\]$/);
    const ver = buf.slice(); ver[14] = 0x55;
    expect(decodeFrame(ver, 0, n)).toMatch(/\[malformed ipv4: ipv4_bad_version\]$/);
    const b6 = new Uint8Array(128);
    let m = writeEthernet(b6, 0, { src: mac1, dst: mac2, etherType: ETHERTYPE_IPV6 });
    m += writeIpv6(b6, m, { payloadLength: 8, nextHeader: IP_PROTO_UDP, hopLimit: 64, src: '::1', dst: '::2', extensions: [{ type: 60 }] });
    b6[14 + 41] = 9; // destination options running past the end
    expect(decodeFrame(b6, 0, m)).toContain('[malformed ipv6: ipv6_bad_extension_header]');
  });
});

describe('no parser or decoder throws on garbage', () => {
  const entry = async (): Promise<((b: Uint8Array, o: number, l: number) => unknown)[]> => {
    const mods = await Promise.all([
      import('./ethernet.js'), import('./arp.js'), import('./ipv4.js'), import('./ipv6.js'), import('./icmp.js'),
      import('./icmp6.js'), import('./udp.js'), import('./tcp.js'), import('./esp.js'), import('./vxlan.js'),
      import('./gre.js'), import('./mpls.js'),
    ]);
    const fns: ((b: Uint8Array, o: number, l: number) => unknown)[] = [decodeFrame, decodeFrameFields];
    for (const m of mods) {
      for (const [name, f] of Object.entries(m)) {
        if (typeof f === 'function' && /^(parse|check)/.test(name)) fns.push(f as (b: Uint8Array, o: number, l: number) => unknown);
      }
    }
    const out6 = new Int32Array(16);
    const { ipv6WalkExtensions } = mods[3];
    const { ethernetWalkTags } = mods[0];
    fns.push((b, o, l) => ipv6WalkExtensions(b, o, l, out6), (b, o, l) => ethernetWalkTags(b, o, l, out6));
    return fns;
  };

  it('random bytes, offsets and lengths', async () => {
    const fns = await entry();
    expect(fns.length).toBeGreaterThan(25);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: -4, max: 320 }), fc.integer({ min: -4, max: 400 }), (b, o, l) => {
      for (const f of fns) f(b, o, l);
    }), { numRuns: 3000 });
  });

  it('random mutations and truncations of well-formed frames', () => {
    const seeds: Uint8Array[] = [];
    if (havePcaps) {
      for (const f of ['tcpdump/vxlan.pcap', 'tcpdump/icmpv6.pcap', 'tcpdump/espudp1.pcap', 'zeek/icmp_icmp6-nd-options.pcap',
        'suricata-verify/decode-arp-3_arp-encap.pcap', 'suricata-verify/arp_detect-arp-03-vlan_input.pcap', 'zeek/tunnels_vxlan-triple-v2.pcap']) {
        seeds.push(...readPcap(path.join(pcapDir, f)).slice(0, 6));
      }
    }
    const b = new Uint8Array(64);
    const n = writeEthernet(b, 0, { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: ETHERTYPE_MPLS });
    seeds.push(b.subarray(0, n + writeMpls(b, n, [{ label: 2, tc: 0, ttl: 1 }]) + 40));
    fc.assert(fc.property(
      fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { maxLength: 6 }), fc.nat(2000),
      (seed, edits, cut) => {
        const f = seed.slice();
        for (const [at, v] of edits) f[at % f.length] = v;
        const len = cut % (f.length + 1);
        expect(typeof decodeFrame(f, 0, len)).toBe('string');
        decodeFrameFields(f, 0, len);
      },
    ), { numRuns: 3000 });
  });
});
