// MPLS over GRE over IPsec end to end, as the seed lists it: two PEs from
// Junos text, a gr- tunnel between their loopbacks whose destination routes
// via st0.1 (route-based inline IPsec, manual SAs), CE traffic pushed with a
// label by a static LSP over the gr- unit. Also plain GRE (IPv4 and IPv6
// inside, IPv4 and IPv6 outside) and static LSPs on Ethernet (push, swap,
// pop across three routers), loops, unknown labels and TTL expiry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eth, ip4, pattern, ping4, ping6, udp4Frame } from '../craft/craft.js';
import { junosScenario, runFrames, scenarioFromFiles, type TimedFrame } from '../craft/frames-run.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { writeMpls } from '../packet/mpls.js';
import { writeGre } from '../packet/gre.js';
import { PcapWriter } from '../pcap/writer.js';
import { runEspSaFile } from '../cli/run.js';
import { show } from '../cli/show.js';
import { formatTrace } from '../graph/trace-format.js';
import { PY, scapyAvailable, tsharkAvailable } from '../craft/peers.js';

const haveScapy = scapyAvailable('gre-mpls.test: scapy checks', 'scapy.layers.ipsec, scapy.contrib.mpls, cryptography');
const haveTshark = tsharkAvailable('gre-mpls.test: tshark check');

const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
const PE2_LAN = formatMac(derivedMac('PE2', 'et-0/0/1'));
const KEY_OUT = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_IN = 'f0e0d0c0b0a090807060504030201000f1e1d1c1b1a191817161514131211101';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const padded = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
const timed = (frames: Uint8Array[], t0 = 10): TimedFrame[] => frames.map((frame, i) => ({ t: t0 + i / 1000, frame }));

const from1 = { src: CE1, dst: PE1_LAN };
const to2 = { src: PE2_LAN, dst: CE2 };
/** CE1's packets (IPv4 and IPv6, sizes that pad differently) with a given TTL / hop limit. */
const flows = (e: { src: string; dst: string }, ttl: number): Uint8Array[] => [
  ping4(e, { src: '10.1.0.2', dst: '10.2.0.2', id: 11, ttl }, 7, 1),
  udp4Frame(e, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 12, ttl }, 40000, 9, pattern(1)),
  udp4Frame(e, { src: '10.1.0.2', dst: '10.2.0.2', id: 13, ttl }, 40000, 9, pattern(1000)),
  ping6(e, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: ttl }, 7, 2, pattern(50)),
  ping6(e, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: ttl }, 7, 3, pattern(3)),
];
const sent = flows(from1, 64);
/** What CE2 gets: two IP hops (PE1, PE2) in the uniform TTL model, new MACs. */
const received = flows(to2, 62).map(padded);
/** IP packets as PE1 labels them (TTL once decremented). */
const inner = flows(from1, 63).map((f) => f.subarray(14));
const innerBytes = inner.reduce((s, f) => s + f.length, 0);

const LAN = (n: 1 | 2): string => {
  const ce = n === 1 ? CE1 : CE2;
  return `et-0/0/1 { unit 0 {
    family inet { address 10.${n}.0.1/24 { arp 10.${n}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${n}::1/64 { ndp 2001:db8:${n}::2 mac ${ce}; } } } }`;
};

/**
 * A PE of the MPLS over GRE over IPsec pair: the gr- tunnel between the
 * loopbacks, the far loopback routed into st0.1, the far LAN prefixes via the
 * ingress static LSP over gr-0/0/0.0, the label the far PE pushes popped here.
 */
function ipsecPe(n: 1 | 2): string {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const far = n === 1 ? 2 : 1;
  const [out, inn] = n === 1 ? [[4097, KEY_OUT, 'cafebabe'], [8194, KEY_IN, 'deadbeef']] : [[8194, KEY_IN, 'deadbeef'], [4097, KEY_OUT, 'cafebabe']];
  return `
system { host-name PE${n}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${me}/16; } } }
  ${LAN(n)}
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
  ipsec {
    vpn VPN-R { bind-interface st0.1; df-bit copy;
      manual { gateway ${peer}; external-interface et-0/0/0.0; protocol esp;
        outbound { spi ${out[0]}; encryption { algorithm aes-256-gcm; key hexadecimal "${out[1]}${out[2]}"; } }
        inbound { spi ${inn[0]}; encryption { algorithm aes-256-gcm; key hexadecimal "${inn[1]}${inn[2]}"; } } } }
  }
}`;
}

const TWO_PE = `devices:
  PE1: { config: pe1.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, PE2:et-0/0/0]
`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-gre-mpls-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (name: string, files: Record<string, string>, yaml: string) => scenarioFromFiles(dir, name, files, yaml);

function writePcap(file: string, frames: TimedFrame[]): void {
  const w = new PcapWriter(file);
  for (const f of frames) w.write(f.frame, 0, f.frame.length, Math.floor(f.t), Math.round((f.t % 1) * 1e6));
  w.close();
}

/** A GRE header (written by the codec) for a payload, the checksum covering both. */
function greHeaderBytes(h: Parameters<typeof writeGre>[2], payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(16 + payload.length);
  const probe = writeGre(new Uint8Array(16), 0, { ...h, checksum: false });
  const len = probe + (h.checksum ? 4 : 0);
  buf.set(payload, len);
  writeGre(buf, 0, { ...h, payloadLength: payload.length });
  return buf.slice(0, len);
}

const isArp = (f: Uint8Array): boolean => f[12] === 0x08 && f[13] === 0x06;
const ipProto = (f: Uint8Array): number => (f[12] === 0x08 && f[13] === 0x00 ? f[14 + 9] : -1);

describe('MPLS over GRE over IPsec, two PEs', () => {
  const run = () => runFrames(scenario('ipsec', { 'pe1.conf': ipsecPe(1), 'pe2.conf': ipsecPe(2) }, TWO_PE), { 'PE1:et-0/0/1': timed(sent) });

  it('CE1 → PE1 (push over gr-, GRE into st0.1, ESP) → core → PE2 (ESP, GRE, pop) → CE2: identical apart from TTL and MACs', () => {
    const r = run();
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(received.map(hex));
    // The core carries ESP (and ARP) only.
    const core = [...r.out['PE1:et-0/0/0'], ...(r.out['PE2:et-0/0/0'] ?? [])].map((f) => f.frame);
    expect(core.every((f) => isArp(f) || ipProto(f) === 50)).toBe(true);
    expect(core.filter((f) => ipProto(f) === 50)).toHaveLength(5);
    // Accounting: every packet out, per device and for the run.
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 5, out: 5, dropped: 0 });
    for (const d of Object.values(r.stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    }
    expect(r.stats.drops).toEqual({});
    const p1 = r.stats.devices.PE1.interfaces;
    const p2 = r.stats.devices.PE2.interfaces;
    // gr-0/0/0.0 counts the labelled packets (4 bytes of label each); st0.1 and si- inside the GRE packets (24 more).
    expect(p1['gr-0/0/0.0']).toMatchObject({ outputPackets: 5, outputBytes: innerBytes + 5 * 4, inputPackets: 0 });
    expect(p1['st0.1']).toMatchObject({ outputPackets: 5, outputBytes: innerBytes + 5 * 28 });
    expect(p1['si-0/1/0.0']).toMatchObject({ inputPackets: 5, inputBytes: innerBytes + 5 * 28 });
    expect(p1['si-0/1/0.1'].inputPackets).toBe(5);
    expect(p2['si-0/1/0.1'].inputPackets).toBe(5);
    expect(p2['st0.1']).toMatchObject({ inputPackets: 5, inputBytes: innerBytes + 5 * 28 });
    expect(p2['gr-0/0/0.0']).toMatchObject({ inputPackets: 5, inputBytes: innerBytes + 5 * 4, outputPackets: 0 });
    expect(p2['si-0/1/0.0'].inputPackets).toBe(0);
    expect(p2['et-0/0/1.0'].outputPackets).toBe(5);
    expect(r.stats.devices.PE1.nodes['mpls-output'].counters).toEqual({ labels_pushed: 5 });
    expect(r.stats.devices.PE2.nodes['mpls-lookup'].counters).toEqual({ labels_popped: 5 });
    expect(r.stats.ipsec).toMatchObject({ encrypted_packets: 5, decrypted_packets: 5 });

    const [pe1, pe2] = r.devices;
    expect(show(pe1, 'interfaces gr-0/0/0.0 extensive')).toMatch(/Output packets\s*:\s+5/);
    expect(show(pe1, 'interfaces gr-0/0/0.0 extensive')).toContain('IP-Header 192.168.255.2:192.168.255.1:47:df:64:0000000000000000 Encapsulation: GRE-NULL');
    expect(show(pe2, 'interfaces gr-0/0/0.0 extensive')).toMatch(/Input  packets\s*:\s+5/);
    expect(show(pe2, 'interfaces gr-0/0/0.0 extensive')).toContain('Protocol mpls');
    expect(show(pe1, 'route 10.2.0.2')).toContain('>  via gr-0/0/0.0, Push 1000200');
    expect(show(pe2, 'route table mpls.0')).toMatch(/1000200\s+\*\[MPLS\/6\] 00:00:00, metric 1\n\s+Pop/);
    expect(show(pe1, 'mpls lsp')).toMatch(/TO-PE2\s+192\.168\.255\.2\s+Up\s+1000200/);
  });

  it('a traced packet shows the whole path: push, GRE, st0, ESP, then ESP, GRE, pop on the far PE', () => {
    const r = runFrames(scenario('ipsec-trace', { 'pe1.conf': ipsecPe(1), 'pe2.conf': ipsecPe(2) }, TWO_PE), { 'PE1:et-0/0/1': timed(sent.slice(0, 1)) }, { trace: 1 });
    const text = formatTrace(r.run.trace.traces[0]!, true);
    expect(text).toContain('PE1:gre-encap         gr-0/0/0.0 192.168.255.1 → 192.168.255.2 proto 0x8847 | MPLS label 1000200 exp 0 ttl 63 [S], IPv4 10.1.0.2 > 10.2.0.2');
    expect(text).toContain('→ ip4-lookup 10.2.0.0/24 gr-0/0/0.0 → mpls-output push 1000200 ttl 63 → gre-encap gr-0/0/0.0 192.168.255.1 → 192.168.255.2 proto 0x8847'
      + ' → ip4-lookup 192.168.255.2/32 st0.1 → st0-output st0.1 → si-0/1/0.0 (inside) vpn VPN-R → esp-encrypt spi 0x00001001 seq 1');
    expect(text).toContain('→ st0-input st0.1 vpn VPN-R → gre-input gr-0/0/0.0 192.168.255.1 → 192.168.255.2 proto 0x8847'
      + ' → mpls-lookup pop (TO-PE2): IPv4 to inet.0 → ip4-lookup 10.2.0.0/24 via 10.2.0.2 et-0/0/1.0 → PE2:et-0/0/1.0');
  });

  it.skipIf(!haveTshark)('tshark decrypts the core with the --write-esp-sa file: ICV good, GRE 0x8847, label, inner addresses', () => {
    const r = run();
    const file = join(dir, 'core-mpls.pcap');
    writePcap(file, r.out['PE1:et-0/0/0'].filter((f) => !isArp(f.frame)));
    const lines = runEspSaFile(r.devices).split('\n').filter((l) => l.startsWith('"'));
    const text = execFileSync('tshark', ['-r', file, '-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE',
      ...lines.flatMap((l) => ['-o', `uat:esp_sa:${l}`]), '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
      '-e', 'esp.icv_good', '-e', 'gre.proto', '-e', 'mpls.label', '-e', 'mpls.bottom', '-e', 'mpls.ttl', '-e', 'ip.dst', '-e', 'ipv6.dst'], { encoding: 'utf8' });
    const rows = text.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((x) => x.slice(0, 5))).toEqual(Array(5).fill(['1', '0x8847', '1000200', '1', '63']));
    expect(rows.map((x) => x[5])).toEqual([...Array(3).fill('13.10.2.2,192.168.255.2,10.2.0.2'), '13.10.2.2,192.168.255.2', '13.10.2.2,192.168.255.2']);
    expect(rows.slice(3).map((x) => x[6])).toEqual(['2001:db8:2::2', '2001:db8:2::2']);
  });

  it.skipIf(!haveScapy)('scapy decrypts the core ESP and decodes GRE → MPLS → the inner packets as PE1 labelled them', () => {
    const r = run();
    const file = join(dir, 'core-mpls-scapy.pcap');
    writePcap(file, r.out['PE1:et-0/0/0'].filter((f) => !isArp(f.frame)));
    const script = `
import sys
from scapy.all import rdpcap, IP, GRE, raw
from scapy.contrib.mpls import MPLS
from scapy.layers.ipsec import SecurityAssociation, ESP
sa = SecurityAssociation(ESP, spi=4097, crypt_algo='AES-GCM', crypt_key=bytes.fromhex('${KEY_OUT}cafebabe'), auth_algo='NULL',
                         tunnel_header=IP(src='13.10.1.1', dst='13.10.2.2'))
for p in rdpcap(sys.argv[1]):
    gre_ip = sa.decrypt(p[IP])
    g = gre_ip[GRE]
    m = MPLS(raw(g.payload))
    print(gre_ip.src, gre_ip.dst, gre_ip.ttl, gre_ip.flags.DF, hex(g.proto), m.label, m.s, m.ttl, raw(m.payload).hex())
`;
    const lines = execFileSync(PY, ['-c', script, file], { encoding: 'utf8' }).trim().split('\n');
    expect(lines).toEqual(inner.map((f) => `192.168.255.1 192.168.255.2 64 True 0x8847 1000200 1 63 ${hex(f)}`));
  });
});

/**
 * The plain GRE pair (no IPsec) is the configuration of the library case
 * pcaps/mpls-gre/gre-v4-v6 (written by scripts/make-mpls-gre-cases.mjs, where
 * it is described): gr-0/0/0.0 between the IPv4 loopbacks carries IPv4 and
 * IPv6, gr-0/0/0.1 between the IPv6 loopbacks carries IPv4.
 */
function grePe(n: 1 | 2): string {
  return readFileSync(fileURLToPath(new URL(`../../pcaps/mpls-gre/gre-v4-v6/pe${n}.conf`, import.meta.url)), 'utf8');
}

describe('plain GRE: IPv4 and IPv6 inside, IPv4 and IPv6 outside', () => {
  const greSent = [
    ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 21 }, 7, 1),
    udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 22, df: true }, 40000, 9, pattern(1000)),
    ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 7, 2, pattern(50)),
    ping4(from1, { src: '10.1.0.2', dst: '10.4.0.2', id: 23 }, 7, 3),
  ];
  const ttl = (f: Uint8Array, e: { src: string; dst: string }, t: number): Uint8Array => {
    const g = Uint8Array.from(f);
    g.set([...(e.dst.split(':').map((x) => parseInt(x, 16))), ...(e.src.split(':').map((x) => parseInt(x, 16)))], 0);
    if (g[12] === 0x08) {
      g[14 + 8] = t;
      g[14 + 10] = 0;
      g[14 + 11] = 0;
      let s = 0;
      for (let i = 0; i < 20; i += 2) s += (g[14 + i] << 8) | g[15 + i];
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      g[24] = (~s >> 8) & 0xff;
      g[25] = ~s & 0xff;
    } else g[14 + 7] = t;
    return g;
  };
  const run = () => runFrames(scenario('gre', { 'pe1.conf': grePe(1), 'pe2.conf': grePe(2) }, TWO_PE), { 'PE1:et-0/0/1': timed(greSent) });

  it('CE1 → PE1 → GRE over the core → PE2 → CE2, packets identical apart from TTL and MACs; counters and accounting exact', () => {
    const r = run();
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(greSent.map((f) => hex(padded(ttl(f, to2, 62)))));
    const core = r.out['PE1:et-0/0/0'].map((f) => f.frame);
    const data = core.filter((f) => ipProto(f) === 47 || (f[12] === 0x86 && f[14 + 6] === 47));
    expect(data).toHaveLength(4);
    // What is not GRE on the core is ARP and ND for the loopback routes' next hops.
    expect(core.length - data.length).toBe(core.filter((f) => isArp(f) || (f[12] === 0x86 && f[14 + 6] === 58)).length);
    expect(r.stats.drops).toEqual({});
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 4, out: 4, dropped: 0 });
    for (const d of Object.values(r.stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    }
    const p1 = r.stats.devices.PE1.interfaces;
    const p2 = r.stats.devices.PE2.interfaces;
    const innerLen = (f: Uint8Array): number => f.length - 14;
    expect(p1['gr-0/0/0.0']).toMatchObject({ outputPackets: 3, outputBytes: greSent.slice(0, 3).reduce((s, f) => s + innerLen(f), 0) });
    expect(p1['gr-0/0/0.1']).toMatchObject({ outputPackets: 1, outputBytes: innerLen(greSent[3]) });
    expect(p2['gr-0/0/0.0']).toMatchObject({ inputPackets: 3, outputPackets: 0 });
    expect(p2['gr-0/0/0.1']).toMatchObject({ inputPackets: 1, inputBytes: innerLen(greSent[3]) });
    expect(show(r.devices[0], 'route 10.2.0.2')).toContain('>  via gr-0/0/0.0');
    expect(show(r.devices[0], 'interfaces gr-0/0/0.1 extensive')).toContain('IP-Header 2001:db8:ff::2:2001:db8:ff::1:47:df:64:0000000000000000');
  });

  it.skipIf(!haveScapy)('scapy decodes the core: outer addresses, DF, TTL 64, GRE protocol, and the inner packets PE1 forwarded', () => {
    const r = run();
    const file = join(dir, 'core-gre.pcap');
    writePcap(file, r.out['PE1:et-0/0/0'].filter((f) => ipProto(f.frame) === 47 || (f.frame[12] === 0x86 && f.frame[14 + 6] === 47)));
    const script = `
import sys
from scapy.all import rdpcap, IP, IPv6, GRE, raw
for p in rdpcap(sys.argv[1]):
    o = p[IP] if IP in p and p[IP].proto == 47 else p[IPv6]
    g = o[GRE]
    df = str(o.flags.DF) if o.version == 4 else '-'
    hops = o.ttl if o.version == 4 else o.hlim
    print(o.src, o.dst, df, hops, hex(g.proto), g.chksum_present, g.key_present, raw(g.payload).hex())
`;
    const lines = execFileSync(PY, ['-c', script, file], { encoding: 'utf8' }).trim().split('\n');
    const innerOf = (f: Uint8Array): string => hex(ttl(f, from1, 63).subarray(14));
    expect(lines).toEqual([
      `192.168.255.1 192.168.255.2 True 64 0x800 0 0 ${innerOf(greSent[0])}`,
      `192.168.255.1 192.168.255.2 True 64 0x800 0 0 ${innerOf(greSent[1])}`,
      `192.168.255.1 192.168.255.2 True 64 0x86dd 0 0 ${innerOf(greSent[2])}`,
      `2001:db8:ff::1 2001:db8:ff::2 - 64 0x800 0 0 ${innerOf(greSent[3])}`,
    ]);
  });
});

describe('GRE: loops and bad packets', () => {
  const R1 = `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:0a; } } } }
  lo0 { unit 0 { family inet { address 192.168.255.1/32; } } }
  gr-0/0/0 {
    unit 0 { tunnel { source 192.168.255.1; destination 192.168.255.9; } family inet; }
    unit 1 { tunnel { source 192.168.255.1; destination 192.168.255.2; } family inet { address 10.255.0.1/30; } }
  }
}
routing-options { static {
  route 192.168.255.9/32 next-hop gr-0/0/0.0;
  route 10.9.0.0/24 next-hop gr-0/0/0.0;
  route 192.168.255.2/32 next-hop 10.0.0.2;
} }`;
  const host = { src: '02:00:00:00:00:0a', dst: formatMac(derivedMac('R1', 'et-0/0/0')) };
  /** A GRE packet from `src` to R1's loopback carrying an echo request to R1's gr-0/0/0.1 address. */
  const greFrame = (src: string, h: Parameters<typeof writeGre>[2], corrupt = false): Uint8Array => {
    const payload = ping4(host, { src: '10.255.0.2', dst: '10.255.0.1', ttl: 9 }, 1, 1).subarray(14);
    const body = new Uint8Array(16 + payload.length);
    const gl = greHeaderBytes(h, payload);
    body.set(gl, 0);
    body.set(payload, gl.length);
    const gre = body.subarray(0, gl.length + payload.length);
    if (corrupt) gre[gre.length - 1] ^= 0xff;
    return eth(host, 0x0800, ip4({ src, dst: '192.168.255.1' }, 47, gre));
  };

  it('a tunnel destination routed into its own unit drops as gre_tunnel_loop; GRE from an unknown peer, keyed, or with a bad checksum is dropped; good GRE is answered through the tunnel', () => {
    const frames = [
      ping4(host, { src: '10.0.0.2', dst: '10.9.0.9' }),
      greFrame('192.168.255.7', { protocolType: 0x0800 }),
      greFrame('192.168.255.2', { protocolType: 0x0800, key: 5 }),
      greFrame('192.168.255.2', { protocolType: 0x0800, checksum: true }, true),
      greFrame('192.168.255.2', { protocolType: 0x0800, checksum: true }),
      greFrame('192.168.255.2', { protocolType: 0x0800 }),
    ];
    const r = runFrames(junosScenario(R1), { 'et-0/0/0': timed(frames) });
    expect(r.stats.drops).toEqual({ gre_tunnel_loop: 1, gre_no_tunnel: 1, gre_key_mismatch: 1, gre_bad_checksum: 1 });
    const ifl = r.stats.devices.R1.interfaces;
    expect(ifl['gr-0/0/0.0']).toMatchObject({ outputPackets: 1, inputPackets: 0 });
    expect(ifl['gr-0/0/0.1']).toMatchObject({ inputPackets: 2, outputPackets: 2 });
    // The echo replies go back into gr-0/0/0.1: GRE from 192.168.255.1 to 192.168.255.2, inner reply 10.255.0.1 → 10.255.0.2.
    const out = r.out['et-0/0/0'].map((f) => f.frame);
    expect(out.map((f) => [ipProto(f), hex(f.subarray(26, 34)), hex(f.subarray(34, 38)), f[38 + 9], hex(f.subarray(38 + 12, 38 + 20))])).toEqual(
      Array(2).fill([47, 'c0a8ff01c0a8ff02', '00000800', 1, '0aff00010aff0002']),
    );
    expect(r.stats.accounting).toMatchObject({ in: 6, generated: 2, out: 2, consumed: 2, dropped: 4 });
    expect(r.stats.balanced).toBe(true);
  });
});

/**
 * Static LSPs on Ethernet across three routers: PE1 pushes 1000100 towards
 * P (ARP-resolved across the link while the packets wait), P swaps it for
 * 1000101 towards PE2, PE2 pops the last label and routes the IP packet.
 */
function ethLsr(name: 'PE1' | 'P' | 'PE2', pipe = false): string {
  const mpls = pipe ? 'no-propagate-ttl;' : '';
  if (name === 'P') {
    return `
system { host-name P; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.12.0.2/30; } family mpls; } }
  et-0/0/1 { unit 0 { family inet { address 10.23.0.2/30; } family mpls; } }
}
protocols { mpls { ${mpls} interface all;
  static-label-switched-path PE1-PE2 { transit 1000100 { swap 1000101; next-hop 10.23.0.1; } } } }`;
  }
  const n = name === 'PE1' ? 1 : 2;
  const core = n === 1 ? '10.12.0.1/30' : '10.23.0.1/30';
  const lsp = n === 1
    ? 'static-label-switched-path PE1-PE2 { ingress { next-hop 10.12.0.2; to 192.168.255.2; push 1000100; } }'
    : 'static-label-switched-path PE1-PE2 { transit 1000101 { pop; } }';
  const routes = n === 1
    ? `routing-options { static { route 10.2.0.0/24 static-lsp-next-hop PE1-PE2; }
         rib inet6.0 { static { route 2001:db8:2::/64 static-lsp-next-hop PE1-PE2; } } }`
    : '';
  return `
system { host-name ${name}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${core}; } family mpls; } }
  ${LAN(n as 1 | 2)}
}
${routes}
protocols { mpls { ${mpls} interface et-0/0/0.0; ${lsp} } }`;
}

const THREE = `devices:
  PE1: { config: pe1.conf }
  P: { config: p.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, P:et-0/0/0]
  - [P:et-0/0/1, PE2:et-0/0/0]
`;

describe('static LSPs on Ethernet: push, swap, pop across three routers', () => {
  const isMpls = (f: Uint8Array): boolean => f[12] === 0x88 && f[13] === 0x47;
  const label = (f: Uint8Array): [number, number, number] => [(f[14] << 12) | (f[15] << 4) | (f[16] >> 4), f[16] & 1, f[17]];
  const run = (pipe: boolean, frames = sent) =>
    runFrames(scenario(pipe ? 'eth-pipe' : 'eth', { 'pe1.conf': ethLsr('PE1', pipe), 'p.conf': ethLsr('P', pipe), 'pe2.conf': ethLsr('PE2', pipe) }, THREE),
      { 'PE1:et-0/0/1': timed(frames) });

  it('uniform TTL (Junos default): labels 1000100 → 1000101, TTL 63 → 62, CE2 gets TTL 61; ARP holds and releases labelled packets', () => {
    const r = run(false);
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(flows(to2, 61).map(padded).map(hex));
    const l1 = r.out['PE1:et-0/0/0'].map((f) => f.frame).filter(isMpls);
    const l2 = r.out['P:et-0/0/1'].map((f) => f.frame).filter(isMpls);
    expect(l1.map(label)).toEqual(Array(5).fill([1000100, 1, 63]));
    expect(l2.map(label)).toEqual(Array(5).fill([1000101, 1, 62]));
    // The payload under the label is the IP packet as PE1 forwarded it.
    expect(l1.map((f) => hex(f.subarray(18, 18 + inner[0].length)))[0]).toBe(hex(inner[0]));
    // Everything else on the links is ARP (each router resolving its LSP next hop).
    expect(r.out['PE1:et-0/0/0'].every((f) => isMpls(f.frame) || isArp(f.frame))).toBe(true);
    expect(r.stats.drops).toEqual({});
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 5, out: 5, dropped: 0 });
    for (const d of Object.values(r.stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    }
    // The first labelled packet waits for P's ARP reply, which is back before the next one (1 ms later) is sent.
    expect(r.stats.devices.PE1.nodes['ip4-arp'].counters).toEqual({ arp_requests_sent: 1, packets_held: 1 });
    expect(r.stats.devices.P.nodes['ip4-arp'].counters).toEqual({ arp_requests_sent: 1, packets_held: 1 });
    expect(r.stats.devices.P.nodes['mpls-lookup'].counters).toEqual({ labels_swapped: 5 });
    expect(r.stats.devices.PE2.nodes['mpls-lookup'].counters).toEqual({ labels_popped: 5 });
    expect(r.stats.devices.P.interfaces['et-0/0/1.0'].outputPackets).toBe(5 + 1); // + its ARP request
    const [pe1, p] = r.devices;
    expect(show(pe1, 'route 2001:db8:2::2')).toContain('>  to 10.12.0.2 via et-0/0/0.0, Push 1000100');
    expect(show(p, 'route table mpls.0')).toContain('>  to 10.23.0.1 via et-0/0/1.0, Swap 1000101');
    expect(show(p, 'mpls static-lsp')).toMatch(/PE1-PE2\s+1000100\s+Up\s+Swap 1000101/);
  });

  it('pipe model (no-propagate-ttl): the label starts at 255 and the IP TTL only counts the two PEs', () => {
    const r = run(true);
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(flows(to2, 62).map(padded).map(hex));
    expect(r.out['PE1:et-0/0/0'].map((f) => f.frame).filter(isMpls).map(label)).toEqual(Array(5).fill([1000100, 1, 255]));
    expect(r.out['P:et-0/0/1'].map((f) => f.frame).filter(isMpls).map(label)).toEqual(Array(5).fill([1000101, 1, 254]));
    expect(r.stats.balanced).toBe(true);
  });

  it.skipIf(!haveScapy)('scapy decodes the P → PE2 link as Ethernet / MPLS / IP', () => {
    const r = run(false);
    const file = join(dir, 'p-pe2.pcap');
    writePcap(file, r.out['P:et-0/0/1'].filter((f) => isMpls(f.frame)));
    const script = `
import sys
from scapy.all import rdpcap, Ether, IP, IPv6, raw
from scapy.contrib.mpls import MPLS
for p in rdpcap(sys.argv[1]):
    m = p[MPLS]
    ip = m.payload
    print(hex(p[Ether].type), m.label, m.s, m.ttl, ip.name, ip.dst)
`;
    expect(execFileSync(PY, ['-c', script, file], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      ...Array(3).fill('0x8847 1000101 1 62 IP 10.2.0.2'),
      ...Array(2).fill('0x8847 1000101 1 62 IPv6 2001:db8:2::2'),
    ]);
  });

  it('an unknown label, an expiring TTL, and MPLS on an IFL without it are dropped and counted', () => {
    const pMac = formatMac(derivedMac('P', 'et-0/0/0'));
    const pe1Lan = formatMac(derivedMac('PE1', 'et-0/0/1'));
    const labelled = (dst: string, l: number, ttl: number): Uint8Array => {
      const ip = ping4({ src: CE1, dst }, { src: '10.1.0.2', dst: '10.2.0.2' }).subarray(14);
      const stack = new Uint8Array(4);
      writeMpls(stack, 0, [{ label: l, tc: 0, ttl }]);
      return eth({ src: CE1, dst }, 0x8847, Uint8Array.from([...stack, ...ip]));
    };
    const sc = scenario('eth-bad', { 'pe1.conf': ethLsr('PE1'), 'p.conf': ethLsr('P'), 'pe2.conf': ethLsr('PE2') }, THREE);
    const r = runFrames(sc, {
      'P:et-0/0/0': timed([labelled(pMac, 1000999, 64), labelled(pMac, 1000100, 1), labelled(pMac, 1000100, 2)]),
      'PE1:et-0/0/1': timed([labelled(pe1Lan, 1000100, 64)], 20),
    });
    expect(r.stats.devices.PE1.drops).toEqual({ mpls_not_enabled: 1 });
    expect(r.stats.devices.P.drops).toEqual({ mpls_label_unknown: 1, mpls_ttl_expired: 1 });
    // The one with TTL 2 is swapped (TTL 1) and popped: PE2 copies TTL 1 into the IP header and the IP
    // lookup drops it as expired; its ICMP time exceeded to 10.1.0.2 finds no route on PE2.
    expect(r.stats.devices.PE2.drops).toEqual({ ip4_ttl_expired: 1, ip4_no_route: 1 });
    expect(r.stats.devices.PE2.nodes['ip4-icmp-error'].counters).toEqual({ icmp_errors_sent: 1, icmp_errors_suppressed: 1 });
    expect(r.stats.balanced).toBe(true);
  });
});

