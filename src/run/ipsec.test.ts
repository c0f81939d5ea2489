// The route-based inline IPsec pipeline end to end: two PEs from Junos text in
// a YAML scenario, joined by a core link; CE1's packets are encrypted on PE1
// (route via st0.1), cross the core as ESP only, and are decrypted on PE2
// towards CE2. Keys from an esp_sa file (IKE is not emulated) or manual SAs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pattern, ping4, ping6, udp4Frame } from '../craft/craft.js';
import { runFrames, type TimedFrame } from '../craft/frames-run.js';
import { loadConfigFile } from '../config/scenario.js';
import { readEspSaFile, type EspSaRecord } from '../config/esp-sa-file.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { PcapWriter } from '../pcap/writer.js';
import { runEspSaFile } from '../cli/run.js';
import { show } from '../cli/show.js';
import { PY, scapyAvailable, tsharkAvailable } from '../craft/peers.js';

const haveScapy = scapyAvailable('ipsec.test: scapy check');
const haveTshark = tsharkAvailable('ipsec.test: tshark check');

const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
const PE2_LAN = formatMac(derivedMac('PE2', 'et-0/0/1'));
const KEY_OUT = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY_IN = 'f0e0d0c0b0a090807060504030201000f1e1d1c1b1a191817161514131211101';
const ESP_SA = [
  `"IPv4","13.10.1.1","13.10.2.2","0x36c700ce","AES-GCM with 16 octet ICV [RFC4106]","0x${KEY_OUT}cafebabe","NULL",""`,
  `"IPv4","13.10.2.2","13.10.1.1","0x5a5a0001","AES-GCM with 16 octet ICV [RFC4106]","0x${KEY_IN}deadbeef","NULL",""`,
].join('\n');

/** A PE: LAN et-0/0/1, core et-0/0/0, si-0/1/0 and st0.1, a service set and an IKE gateway. */
function pe(n: 1 | 2): string {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const lan = n === 1 ? 1 : 2;
  const far = n === 1 ? 2 : 1;
  const ce = n === 1 ? CE1 : CE2;
  // PE1 resolves its IPv4 route recursively (via 12.1.1.2 via st0.1); PE2 routes directly into st0.1.
  const v4routes = n === 1
    ? `route 12.1.1.2/32 next-hop st0.1; route 10.${far}.0.0/24 next-hop 12.1.1.2;`
    : `route 10.${far}.0.0/24 next-hop st0.1;`;
  return `
system { host-name PE${n}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${me}/16; } } }
  et-0/0/1 { unit 0 {
    family inet { address 10.${lan}.0.1/24 { arp 10.${lan}.0.2 mac ${ce}; } }
    family inet6 { address 2001:db8:${lan}::1/64 { ndp 2001:db8:${lan}::2 mac ${ce}; } } } }
  si-0/1/0 {
    unit 0 { family inet; family inet6; service-domain inside; }
    unit 1 { family inet; family inet6; service-domain outside; } }
  st0 { unit 1 { family inet; family inet6; } }
}
routing-options {
  static { ${v4routes} }
  rib inet6.0 { static { route 2001:db8:${far}::/64 next-hop st0.1; } }
}
services { service-set IPSEC-SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn VPN-R; } }
security {
  ike { gateway GW { address ${peer}; local-address ${me}; external-interface et-0/0/0.0; version v2-only; } }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    vpn VPN-R { bind-interface st0.1; df-bit copy; ike { gateway GW; ipsec-policy POL; } }
  }
}`;
}

const SCENARIO = `devices:
  PE1: { config: pe1.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, PE2:et-0/0/0]
`;

let dir = '';
let records: EspSaRecord[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-ipsec-'));
  writeFileSync(join(dir, 'pe1.conf'), pe(1));
  writeFileSync(join(dir, 'pe2.conf'), pe(2));
  writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
  writeFileSync(join(dir, 'esp_sa'), `${ESP_SA}\n`);
  records = readEspSaFile(join(dir, 'esp_sa'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const from1 = { src: CE1, dst: PE1_LAN };
const to2 = { src: PE2_LAN, dst: CE2 };
/** CE1's packets: IPv4 and IPv6 of several sizes (paddings 0..3), and what CE2 must receive. */
const sent = [
  ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 11 }, 7, 1),
  udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 12 }, 40000, 9, pattern(1)),
  udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 13 }, 40000, 9, pattern(1000)),
  ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 7, 2, pattern(50)),
  ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2' }, 7, 3, pattern(3)),
];
const received = [
  ping4(to2, { src: '10.1.0.2', dst: '10.2.0.2', id: 11, ttl: 62 }, 7, 1),
  udp4Frame(to2, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 12, ttl: 62 }, 40000, 9, pattern(1)),
  udp4Frame(to2, { src: '10.1.0.2', dst: '10.2.0.2', id: 13, ttl: 62 }, 40000, 9, pattern(1000)),
  ping6(to2, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: 62 }, 7, 2, pattern(50)),
  ping6(to2, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: 62 }, 7, 3, pattern(3)),
];
/** The inner packets as PE1 encrypted them (TTL / hop limit once decremented). */
const inner = [
  ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 11, ttl: 63 }, 7, 1),
  udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', df: true, id: 12, ttl: 63 }, 40000, 9, pattern(1)),
  udp4Frame(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 13, ttl: 63 }, 40000, 9, pattern(1000)),
  ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: 63 }, 7, 2, pattern(50)),
  ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:2::2', hlim: 63 }, 7, 3, pattern(3)),
].map((f) => hex(f.subarray(14)));

/** What arrives on the wire: Ethernet frames shorter than 60 bytes are padded. */
const padded = (f: Uint8Array): Uint8Array => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));
const timed = (frames: Uint8Array[], t0 = 10): TimedFrame[] => frames.map((frame, i) => ({ t: t0 + i / 1000, frame }));
const runIt = (inputs: Record<string, TimedFrame[]>) =>
  runFrames(loadConfigFile(join(dir, 'scenario.yaml')), inputs, { saRecords: records });

describe('route-based inline IPsec, two PEs', () => {
  it('CE1 → PE1 (encrypt via st0.1) → core ESP → PE2 (decrypt) → CE2: identical packets apart from TTL/hop limit and MACs', () => {
    const r = runIt({ 'PE1:et-0/0/1': timed(sent) });
    expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(received.map(padded).map(hex));
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 5, out: 5, dropped: 0 });
    for (const d of Object.values(r.stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    }
    // The core carries ESP and ARP only: nothing in clear.
    const core = [...r.out['PE1:et-0/0/0'], ...(r.out['PE2:et-0/0/0'] ?? [])].map((f) => f.frame);
    const esp = core.filter((f) => f[12] === 0x08 && f[13] === 0x00);
    expect(core.every((f) => (f[12] === 0x08 && f[13] === 0x06) || (f[12] === 0x08 && f[13] === 0x00 && f[14 + 9] === 50))).toBe(true);
    expect(esp).toHaveLength(5);
    // Counters: st0.1 output = si inside input = si outside input on PE1; st0.1 input = decrypted on PE2.
    const p1 = r.stats.devices.PE1.interfaces;
    const p2 = r.stats.devices.PE2.interfaces;
    expect(p1['st0.1'].outputPackets).toBe(5);
    expect(p1['si-0/1/0.0'].inputPackets).toBe(5);
    expect(p1['si-0/1/0.1'].inputPackets).toBe(5);
    expect(p1['st0.1'].outputBytes).toBe(p1['si-0/1/0.0'].inputBytes);
    expect(p2['st0.1'].inputPackets).toBe(5);
    expect(p2['si-0/1/0.1'].inputPackets).toBe(5);
    expect(p2['si-0/1/0.0'].inputPackets).toBe(0);
    expect(p2['et-0/0/1.0'].outputPackets).toBe(5);
    expect(r.stats.devices.PE1.ipsec!.totals).toMatchObject({ encrypted_packets: 5, decrypted_packets: 0 });
    expect(r.stats.devices.PE2.ipsec!.totals).toMatchObject({ decrypted_packets: 5, esp_authentication_failures: 0 });
    expect(r.stats.ipsec).toMatchObject({ encrypted_packets: 5, decrypted_packets: 5 });
    expect(r.stats.devices.PE1.ipsec!.sas.map((s) => [s.direction, s.spi])).toEqual([['outbound', '0x36c700ce'], ['inbound', '0x5a5a0001']]);
    // Outer header: 13.10.1.1 → 13.10.2.2, SPI from the esp_sa file, sequence 1, 2, ...
    expect(esp.map((f) => hex(f.subarray(26, 42)))).toEqual([1, 2, 3, 4, 5].map((s) => `0d0a01010d0a020236c700ce${s.toString(16).padStart(8, '0')}`));

    const [pe1, pe2] = r.devices;
    expect(show(pe1, 'security ipsec statistics')).toContain('Encrypted packets:           5');
    expect(show(pe2, 'security ipsec statistics')).toMatch(/Decrypted packets:\s+5/);
    expect(show(pe2, 'security ipsec statistics')).toContain('ESP authentication failures: 0, ESP decryption failures: 0');
    const sas = show(pe1, 'security ipsec security-associations');
    expect(sas).toContain('  <131073 ESP:aes-gcm-256/None 5a5a0001 3600/ unlim - root 500 13.10.2.2');
    expect(sas).toContain('  >131073 ESP:aes-gcm-256/None 36c700ce 3600/ unlim - root 500 13.10.2.2');
    expect(sas).toContain('Total active tunnels: 1     Total Ipsec sas: 1');
    const detail = show(pe2, 'security ipsec security-associations detail');
    expect(detail).toContain('Bind-interface: st0.1');
    expect(detail).toContain('Replay window size: 4096');
    expect(detail).toContain('State: installed');
    expect(detail).toContain('ID: 131073 Virtual-system: root, VPN Name: VPN-R');
    expect(detail).toContain('Local Identity: ipv4(0.0.0.0-255.255.255.255)');
    expect(detail).toContain('Direction: inbound, SPI: 36c700ce');
    expect(show(pe2, 'security ipsec statistics index 131073')).toMatch(/Decrypted packets:\s+5/);
    expect(show(pe1, 'interfaces terse')).toMatch(/st0\.1/);
    expect(show(pe1, 'interfaces st0.1 extensive')).toMatch(/Output packets\s*:\s+5/);
    expect(show(pe2, 'interfaces si-0/1/0.1 extensive')).toMatch(/Input  packets\s*:\s+5/);
  });

  it.skipIf(!haveTshark)('tshark decrypts the core link with the --write-esp-sa file: ICV good, inner addresses', () => {
    const r = runIt({ 'PE1:et-0/0/1': timed(sent) });
    const file = join(dir, 'core.pcap');
    const w = new PcapWriter(file);
    for (const f of r.out['PE1:et-0/0/0']) w.write(f.frame, 0, f.frame.length, Math.floor(f.t), 0);
    w.close();
    const lines = runEspSaFile(r.devices).split('\n').filter((l) => l.startsWith('"'));
    expect(lines).toHaveLength(2);
    const text = execFileSync('tshark', ['-r', file, '-Y', 'esp', '-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE',
      ...lines.flatMap((l) => ['-o', `uat:esp_sa:${l}`]), '-T', 'fields', '-e', 'esp.spi', '-e', 'esp.icv_good', '-e', 'ip.dst', '-e', 'ipv6.dst'], { encoding: 'utf8' });
    const rows = text.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((x) => x[1])).toEqual(['1', '1', '1', '1', '1']);
    expect(rows.map((x) => x[2])).toEqual(['13.10.2.2,10.2.0.2', '13.10.2.2,10.2.0.2', '13.10.2.2,10.2.0.2', '13.10.2.2', '13.10.2.2']);
    expect(rows[3][3]).toBe('2001:db8:2::2');
  });

  it.skipIf(!haveScapy)('scapy decrypts the core link ESP to the original inner packets', () => {
    const r = runIt({ 'PE1:et-0/0/1': timed(sent) });
    const file = join(dir, 'core-scapy.pcap');
    const w = new PcapWriter(file);
    for (const f of r.out['PE1:et-0/0/0']) if (f.frame[13] === 0x00) w.write(f.frame, 0, f.frame.length, Math.floor(f.t), 0);
    w.close();
    const script = `
import sys
from scapy.all import rdpcap, IP, raw
from scapy.layers.ipsec import SecurityAssociation, ESP
sa = SecurityAssociation(ESP, spi=0x36c700ce, crypt_algo='AES-GCM', crypt_key=bytes.fromhex('${KEY_OUT}cafebabe'), auth_algo='NULL',
                         tunnel_header=IP(src='13.10.1.1', dst='13.10.2.2'))
for p in rdpcap(sys.argv[1]):
    print(raw(sa.decrypt(p[IP])).hex())
`;
    expect(execFileSync(PY, ['-c', script, file], { encoding: 'utf8' }).trim().split('\n')).toEqual(inner);
  });

  it('ESP to the gateway with a bad ICV is counted as esp_authentication_failures and dropped', () => {
    const r = runIt({ 'PE1:et-0/0/1': timed(sent.slice(0, 1)) });
    const espFrame = r.out['PE1:et-0/0/0'].map((f) => f.frame).find((f) => f[13] === 0x00)!;
    const bad = Uint8Array.from(espFrame); // (a Buffer's slice() is a view)
    bad[bad.length - 1] ^= 0x01;
    const r2 = runIt({ 'PE2:et-0/0/0': timed([bad, espFrame], 20) });
    expect(r2.stats.drops).toEqual({ esp_authentication_failures: 1 });
    expect(r2.stats.devices.PE2.ipsec!.totals).toMatchObject({ esp_authentication_failures: 1, decrypted_packets: 1 });
    expect(r2.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual([hex(padded(received[0]))]);
    expect(r2.stats.devices.PE2.interfaces['si-0/1/0.1'].inputPackets).toBe(2);
    expect(r2.stats.devices.PE2.interfaces['st0.1'].inputPackets).toBe(1);
    expect(r2.stats.balanced).toBe(true);
    expect(show(r2.devices[1], 'security ipsec statistics')).toContain('ESP authentication failures: 1');
  });

  it('a VPN without keys is one configuration error naming the VPN and where it is configured', () => {
    const sc = loadConfigFile(join(dir, 'scenario.yaml'));
    let msg = '';
    try {
      runFrames(sc, {}, {});
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/pe1\.conf:\d+:\d+: vpn VPN-R: no keys for outbound 13\.10\.1\.1 → 13\.10\.2\.2 and inbound 13\.10\.2\.2 → 13\.10\.1\.1/);
    expect(msg).toMatch(/pe2\.conf:\d+:\d+: vpn VPN-R: no keys/);
    expect(msg).toContain('--sa-file');
  });

  it('manual SAs in the configuration need no esp_sa file', () => {
    const manual = (n: 1 | 2): string => {
      const [o, i] = n === 1 ? [['0x1001', KEY_OUT, 'cafebabe'], ['0x2002', KEY_IN, 'deadbeef']] : [['0x2002', KEY_IN, 'deadbeef'], ['0x1001', KEY_OUT, 'cafebabe']];
      return pe(n).replace(/ike \{ gateway GW; ipsec-policy POL; \}/, `manual { gateway ${n === 1 ? '13.10.2.2' : '13.10.1.1'}; external-interface et-0/0/0.0; protocol esp;
        outbound { spi ${parseInt(o[0], 16)}; encryption { algorithm aes-256-gcm; key hexadecimal "${o[1]}${o[2]}"; } }
        inbound { spi ${parseInt(i[0], 16)}; encryption { algorithm aes-256-gcm; key hexadecimal "${i[1]}${i[2]}"; } } }`);
    };
    const d = mkdtempSync(join(tmpdir(), 'triode-ipsec-manual-'));
    try {
      writeFileSync(join(d, 'pe1.conf'), manual(1));
      writeFileSync(join(d, 'pe2.conf'), manual(2));
      writeFileSync(join(d, 'scenario.yaml'), SCENARIO);
      const r = runFrames(loadConfigFile(join(d, 'scenario.yaml')), { 'PE1:et-0/0/1': timed(sent) });
      expect(r.out['PE2:et-0/0/1'].map((f) => hex(f.frame))).toEqual(received.map(padded).map(hex));
      expect(r.stats.devices.PE1.ipsec!.sas.map((s) => s.spi)).toEqual(['0x00001001', '0x00002002']);
      expect(r.stats.balanced).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
