// Traffic-selector mode of the route-based inline IPsec pipeline: PE1 binds
// two VPNs to st0.1, each with its own traffic selectors and SA pair (esp_sa
// records between the same two gateways, taken in file order). Packets routed
// into st0.1 leave in the SA of the VPN whose selector they match; a packet
// matching none is dropped; the selectors' remote-ip prefixes are routes
// ([ARI-TS/5]) via st0.1; a decrypted packet outside its VPN's selectors is
// dropped on the receiving PE.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ping4, ping6, udp4Frame, pattern } from '../craft/craft.js';
import { runFrames, type TimedFrame } from '../craft/frames-run.js';
import { loadConfigFile } from '../config/scenario.js';
import { readEspSaFile } from '../config/esp-sa-file.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { show } from '../cli/show.js';
import { inPrefix6 } from '../ipsec/vpn.js';
import { parseIpv6 } from '../packet/addr.js';
import { maskBytes6 } from '../l3/table.js';

const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/0/1'));
const KEY = (b: number): string => Array.from({ length: 32 }, (_, i) => ((i * 7 + b) & 0xff).toString(16).padStart(2, '0')).join('');
const rec = (src: string, dst: string, spi: string, b: number): string =>
  `"IPv4","${src}","${dst}","${spi}","AES-GCM with 16 octet ICV [RFC4106]","0x${KEY(b)}0000${b.toString(16).padStart(4, '0')}","NULL",""`;
// Three SA pairs between the same gateways, one per traffic selector as IKE negotiates them, taken in
// file order: VPN-A's selector gets the a pair, VPN-B's first selector the b pair, its second the c pair.
const ESP_SA = [
  rec('13.10.1.1', '13.10.2.2', '0x0000a001', 1),
  rec('13.10.2.2', '13.10.1.1', '0x0000a002', 2),
  rec('13.10.1.1', '13.10.2.2', '0x0000b001', 3),
  rec('13.10.2.2', '13.10.1.1', '0x0000b002', 4),
  rec('13.10.1.1', '13.10.2.2', '0x0000c001', 5),
  rec('13.10.2.2', '13.10.1.1', '0x0000c002', 6),
].join('\n');

interface Selectors { a: [string, string][]; b: [string, string][] }
/** PE1's selectors (local, remote) and PE2's mirror. */
const SEL1: Selectors = {
  a: [['10.1.0.0/24', '10.2.0.0/24']],
  b: [['10.1.0.0/24', '10.3.0.0/24'], ['2001:db8:1::/64', '2001:db8:3::/64']],
};
const SEL2: Selectors = {
  a: [['10.2.0.0/24', '10.1.0.0/24']],
  b: [['10.3.0.0/24', '10.1.0.0/24'], ['2001:db8:3::/64', '2001:db8:1::/64']],
};

function pe(n: 1 | 2, sel: Selectors): string {
  const me = n === 1 ? '13.10.1.1' : '13.10.2.2';
  const peer = n === 1 ? '13.10.2.2' : '13.10.1.1';
  const lan = n === 1
    ? `family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac ${CE1}; } }
       family inet6 { address 2001:db8:1::1/64 { ndp 2001:db8:1::2 mac ${CE1}; } }`
    : `family inet { address 10.2.0.1/24 { arp 10.2.0.2 mac ${CE2}; } address 10.3.0.1/24 { arp 10.3.0.2 mac ${CE2}; } }
       family inet6 { address 2001:db8:3::1/64 { ndp 2001:db8:3::2 mac ${CE2}; } }`;
  const ts = (list: [string, string][]): string =>
    list.map(([l, r], i) => `traffic-selector TS${i + 1} { local-ip ${l}; remote-ip ${r}; }`).join(' ');
  // PE1 also routes 10.9.0.0/24 into st0.1, which no selector covers.
  const statics = n === 1 ? 'routing-options { static { route 10.9.0.0/24 next-hop st0.1; } }' : '';
  return `
system { host-name PE${n}; }
interfaces {
  et-0/0/0 { unit 0 { family inet { address ${me}/16; } } }
  et-0/0/1 { unit 0 { ${lan} } }
  si-0/1/0 {
    unit 0 { family inet; family inet6; service-domain inside; }
    unit 1 { family inet; family inet6; service-domain outside; } }
  st0 { unit 1 { family inet; family inet6; } }
}
${statics}
services { service-set IPSEC-SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn VPN-A; ipsec-vpn VPN-B; } }
security {
  ike { gateway GW { address ${peer}; local-address ${me}; external-interface et-0/0/0.0; version v2-only; } }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    vpn VPN-A { bind-interface st0.1; ike { gateway GW; ipsec-policy POL; } ${ts(sel.a)} }
    vpn VPN-B { bind-interface st0.1; ike { gateway GW; ipsec-policy POL; } ${ts(sel.b)} }
  }
}`;
}

const SCENARIO = `devices:
  PE1: { config: pe1.conf }
  PE2: { config: pe2.conf }
links:
  - [PE1:et-0/0/0, PE2:et-0/0/0]
`;

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function run(sel1: Selectors, inputs: Record<string, Uint8Array[]>, sel2: Selectors = SEL2) {
  const dir = mkdtempSync(join(tmpdir(), 'triode-ipsec-ts-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'pe1.conf'), pe(1, sel1));
  writeFileSync(join(dir, 'pe2.conf'), pe(2, sel2));
  writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
  writeFileSync(join(dir, 'esp_sa'), `${ESP_SA}\n`);
  const timed: Record<string, TimedFrame[]> = {};
  for (const [port, frames] of Object.entries(inputs)) timed[port] = frames.map((frame, i) => ({ t: 10 + i / 1000, frame }));
  return runFrames(loadConfigFile(join(dir, 'scenario.yaml')), timed, { saRecords: readEspSaFile(join(dir, 'esp_sa')) });
}

const from1 = { src: CE1, dst: PE1_LAN };
const espOf = (frames: { frame: Uint8Array }[]): Uint8Array[] =>
  frames.map((f) => f.frame).filter((f) => f[12] === 0x08 && f[13] === 0x00 && f[14 + 9] === 50);
const spi = (f: Uint8Array): string => Buffer.from(f.subarray(34, 38)).toString('hex');

describe('inline IPsec with traffic selectors: two VPNs on st0.1', () => {
  it('each remote prefix leaves in its own VPN\'s SA; no matching selector → traffic_selector_mismatch; ARI-TS routes', () => {
    const r = run(SEL1, {
      'PE1:et-0/0/1': [
        ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 1 }, 7, 1), // VPN-A
        udp4Frame(from1, { src: '10.1.0.2', dst: '10.3.0.2', id: 2 }, 4000, 9, pattern(100)), // VPN-B
        ping6(from1, { src: '2001:db8:1::2', dst: '2001:db8:3::2' }, 7, 3, pattern(20)), // VPN-B (IPv6 selector)
        ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 4 }, 7, 4), // VPN-A
        ping4(from1, { src: '10.1.0.2', dst: '10.9.0.2', id: 5 }, 7, 5), // static via st0.1, no selector
        ping4(from1, { src: '10.7.0.2', dst: '10.3.0.2', id: 6 }, 7, 6), // ARI-TS route, source outside every local-ip
      ],
    });
    // SPIs on the core link: VPN-A's outbound SA a001, VPN-B's b001 (IPv4 selector) and c001 (IPv6 selector).
    expect(espOf(r.out['PE1:et-0/0/0']).map(spi)).toEqual(['0000a001', '0000b001', '0000c001', '0000a001']);
    const out2 = r.out['PE2:et-0/0/1'].map((f) => f.frame);
    expect(out2).toHaveLength(4);
    expect(out2.filter((f) => f[13] === 0x00).map((f) => Array.from(f.subarray(30, 34)).join('.'))).toEqual(['10.2.0.2', '10.3.0.2', '10.2.0.2']);
    expect(r.stats.drops).toEqual({ traffic_selector_mismatch: 2 });
    expect(r.stats.devices.PE1.drops).toEqual({ traffic_selector_mismatch: 2 });
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 6, out: 4, dropped: 2 });
    for (const d of Object.values(r.stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    }
    // Counters: the dropped packets never reach st0.1 output.
    const p1 = r.stats.devices.PE1.interfaces;
    const p2 = r.stats.devices.PE2.interfaces;
    expect(p1['st0.1'].outputPackets).toBe(4);
    expect(p1['si-0/1/0.0'].inputPackets).toBe(4);
    expect(p1['si-0/1/0.1'].inputPackets).toBe(4);
    expect(p2['si-0/1/0.1'].inputPackets).toBe(4);
    expect(p2['st0.1'].inputPackets).toBe(4);
    // Per SA: VPN-A 2 packets, VPN-B 1 in each of its selectors' SAs.
    const sas = (d: 'PE1' | 'PE2') => r.stats.devices[d].ipsec!.sas.map((s) => [s.vpn, s.direction, s.spi]);
    expect(sas('PE1')).toEqual([
      ['VPN-A', 'outbound', '0x0000a001'], ['VPN-A', 'inbound', '0x0000a002'],
      ['VPN-B', 'outbound', '0x0000b001'], ['VPN-B', 'inbound', '0x0000b002'],
      ['VPN-B', 'outbound', '0x0000c001'], ['VPN-B', 'inbound', '0x0000c002'],
    ]);
    expect(sas('PE2')).toEqual([
      ['VPN-A', 'outbound', '0x0000a002'], ['VPN-A', 'inbound', '0x0000a001'],
      ['VPN-B', 'outbound', '0x0000b002'], ['VPN-B', 'inbound', '0x0000b001'],
      ['VPN-B', 'outbound', '0x0000c002'], ['VPN-B', 'inbound', '0x0000c001'],
    ]);
    expect(r.stats.devices.PE2.ipsec!.sas.map((s) => s.counters.decrypted_packets)).toEqual([0, 2, 0, 1, 0, 1]);
    // One tunnel ID per SA pair, each with its selector, in the Junos layout.
    const detail = show(r.devices[0], 'security ipsec security-associations detail');
    expect(detail).toContain('Total active tunnels: 3');
    expect(detail).toMatch(/ID: 131074 Virtual-system: root, VPN Name: VPN-B\n[^\n]*\n\s*Traffic Selector Name: TS1\n\s*Local Identity: ipv4\(10\.1\.0\.0-10\.1\.0\.255\)\n\s*Remote Identity: ipv4\(10\.3\.0\.0-10\.3\.0\.255\)/);
    expect(detail).toMatch(/ID: 131075 Virtual-system: root, VPN Name: VPN-B\n[^\n]*\n\s*Traffic Selector Name: TS2\n\s*Local Identity: ipv6\(2001:db8:1::-2001:db8:1:0:ffff:ffff:ffff:ffff\)/);
    expect(show(r.devices[0], 'security ipsec security-associations')).toMatch(/>131075 ESP:aes-gcm-256\/None\s+0000c001/);
    expect(r.stats.devices.PE1.ipsec!.totals).toMatchObject({ encrypted_packets: 4 });
    expect(r.stats.devices.PE2.ipsec!.totals).toMatchObject({ decrypted_packets: 4 });
    // Routes from the selectors.
    const [pe1, pe2] = r.devices;
    const rt1 = show(pe1, 'route');
    expect(rt1).toMatch(/10\.2\.0\.0\/24\s+\*\[ARI-TS\/5\][^\n]*\n\s*>?\s*via st0\.1/);
    expect(rt1).toMatch(/10\.3\.0\.0\/24\s+\*\[ARI-TS\/5\]/);
    expect(rt1).toMatch(/2001:db8:3::\/64\s+\*\[ARI-TS\/5\]/);
    expect(rt1).toMatch(/10\.9\.0\.0\/24\s+\*\[Static\/5\]/);
    expect(show(pe2, 'route')).toMatch(/10\.1\.0\.0\/24\s+\*\[ARI-TS\/5\]/);
  });

  it('a decrypted packet outside its VPN\'s selectors is dropped on the receiving PE (traffic_selector_mismatch)', () => {
    // PE1's selectors are wider than PE2's: VPN-A remote 10.2.0.0/16 (PE2 takes 10.2.0.0/24 in),
    // VPN-B local 10.0.0.0/8 (PE2 takes sources in 10.1.0.0/24 only).
    const wide: Selectors = { a: [['10.1.0.0/24', '10.2.0.0/16']], b: [['10.0.0.0/8', '10.3.0.0/24'], SEL1.b[1]] };
    const r = run(wide, {
      'PE1:et-0/0/1': [
        ping4(from1, { src: '10.1.0.2', dst: '10.2.0.2', id: 1 }, 7, 1), // within PE2's selectors
        ping4(from1, { src: '10.1.0.2', dst: '10.2.7.2', id: 2 }, 7, 2), // destination outside PE2's VPN-A local-ip
        ping4(from1, { src: '10.7.0.2', dst: '10.3.0.2', id: 3 }, 7, 3), // source outside PE2's VPN-B remote-ip
      ],
    });
    expect(espOf(r.out['PE1:et-0/0/0']).map(spi)).toEqual(['0000a001', '0000a001', '0000b001']);
    expect(r.out['PE2:et-0/0/1'].map((f) => Array.from(f.frame.subarray(30, 34)).join('.'))).toEqual(['10.2.0.2']);
    expect(r.stats.devices.PE1.drops).toEqual({});
    expect(r.stats.devices.PE2.drops).toEqual({ traffic_selector_mismatch: 2 });
    expect(r.stats.devices.PE2.ipsec!.totals).toMatchObject({ decrypted_packets: 3, esp_authentication_failures: 0 });
    // st0.1 input counts the decrypted packets its VPNs' selectors let in.
    expect(r.stats.devices.PE2.interfaces['si-0/1/0.1'].inputPackets).toBe(3);
    expect(r.stats.devices.PE2.interfaces['st0.1'].inputPackets).toBe(1);
    expect(r.stats.balanced).toBe(true);
    expect(r.stats.accounting).toMatchObject({ in: 3, out: 1, dropped: 2 });
  });
});

describe('one SA pair per traffic selector', () => {
  it('a decrypted packet is checked against its own SA\'s selector, not the VPN\'s others', () => {
    // PE1 sends both packets by its first VPN-B selector (b pair). On PE2 the b pair's selector covers
    // 10.3.0.0/25 only; its other selector (c pair) covers 10.3.0.0/24, but 10.3.0.200 did not come in that SA.
    const one: Selectors = { a: SEL1.a, b: [['10.1.0.0/24', '10.3.0.0/24'], ['10.1.0.0/24', '10.3.0.0/25']] };
    const two: Selectors = { a: SEL2.a, b: [['10.3.0.0/25', '10.1.0.0/24'], ['10.3.0.0/24', '10.1.0.0/24']] };
    const r = run(one, {
      'PE1:et-0/0/1': [
        ping4(from1, { src: '10.1.0.2', dst: '10.3.0.2', id: 1 }, 7, 1),
        ping4(from1, { src: '10.1.0.2', dst: '10.3.0.200', id: 2 }, 7, 2),
      ],
    }, two);
    expect(espOf(r.out['PE1:et-0/0/0']).map(spi)).toEqual(['0000b001', '0000b001']);
    expect(r.stats.devices.PE2.drops).toEqual({ traffic_selector_mismatch: 1 });
    expect((r.out['PE2:et-0/0/1'] ?? []).map((f) => Array.from(f.frame.subarray(30, 34)).join('.'))).toEqual(['10.3.0.2']);
    expect(r.stats.balanced).toBe(true);
  });

  it('an esp_sa file with fewer pairs than selectors is one error naming the selector left without keys', () => {
    const three: Selectors = { a: SEL1.a, b: [...SEL1.b, ['10.1.0.0/24', '10.4.0.0/24']] };
    expect(() => run(three, {})).toThrow(/pe1\.conf:\d+:\d+: vpn VPN-B: no keys for outbound 13\.10\.1\.1 → 13\.10\.2\.2 and inbound 13\.10\.2\.2 → 13\.10\.1\.1 for traffic-selector TS3/);
  });
});

describe('traffic selector matching', () => {
  it('IPv6 prefixes compare whole bytes, then the partial byte', () => {
    const net = maskBytes6(parseIpv6('2001:db8:0:10::'), 60);
    const at = (a: string): boolean => inPrefix6(parseIpv6(a), 0, net, 60);
    expect([at('2001:db8:0:10::1'), at('2001:db8:0:1f:ffff::'), at('2001:db8:0:20::'), at('2001:db9:0:10::')]).toEqual([true, true, false, false]);
    expect(inPrefix6(parseIpv6('fe80::1'), 0, new Uint8Array(16), 0)).toBe(true);
    expect(inPrefix6(parseIpv6('2001:db8::1'), 0, parseIpv6('2001:db8::1'), 128)).toBe(true);
    expect(inPrefix6(parseIpv6('2001:db8::2'), 0, parseIpv6('2001:db8::1'), 128)).toBe(false);
  });
});
