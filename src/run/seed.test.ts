// The bundled seed scenario (examples/seed, what `npm start` runs), end to end
// in-process: CE1 - PE1 - P1 - PE2 - CE2 with the seed's inline IPsec setup on
// the PEs, keys from the bundled esp_sa file, the bundled ce1.pcap / ce2.pcap.
// Every packet is checked against the input: out of the far PE identical apart
// from TTL / hop limit, IPv4 checksum and MACs; on the core, ESP only, whose
// payload (decrypted here with node:crypto, independently of triode's ESP
// code, and by tshark) is the inner packet with its DSCP on the outer header.
import { createDecipheriv } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/scenario.js';
import { readEspSaFile, type EspSaRecord } from '../config/esp-sa-file.js';
import { derivedMac } from '../device/mac.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { ipv4UpdateChecksum } from '../packet/ipv4.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { Run, type RunResult } from './runner.js';
import { runStats, type RunStats } from './stats.js';
import { formatTrace } from '../graph/trace-format.js';
import { show } from '../cli/show.js';
import { tsharkAvailable } from '../craft/peers.js';

const haveTshark = tsharkAvailable('seed.test: the tshark decryption of the P1 link captures');

const SEED = join(import.meta.dirname, '..', '..', 'examples', 'seed');
const CE1_PORT = 'PE1:et-0/2/10';
const CE2_PORT = 'PE2:et-0/2/10';
const CE1 = '02:00:00:00:c1:01';
const CE2 = '02:00:00:00:c2:02';
const PE1_LAN = formatMac(derivedMac('PE1', 'et-0/2/10'));
const PE2_LAN = formatMac(derivedMac('PE2', 'et-0/2/10'));
const SPI_1TO2 = 0x36c700ce;
const SPI_2TO1 = 0x8e1d52a4;

interface Rec {
  sec: number;
  nsec: number;
  frame: Uint8Array;
}

function readPcap(file: string): Rec[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Rec[] = [];
  while (r.next(rec)) out.push({ sec: rec.tsSec, nsec: rec.tsNsec, frame: rec.buf.slice(rec.offset, rec.offset + rec.caplen) });
  r.close();
  return out;
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

interface SeedRun {
  out: Record<string, Rec[]>;
  stats: RunStats;
  result: RunResult;
  dir: string;
}

/** Runs the bundled scenario as `triode demo seed` does, on the given inputs (default: the bundled pcaps). */
function runSeed(inputs?: Record<string, Rec[]>, trace = 0): SeedRun {
  const dir = mkdtempSync(join(tmpdir(), 'triode-seed-'));
  dirs.push(dir);
  const files = inputs
    ? Object.entries(inputs).map(([port, recs]) => {
      const file = join(dir, `in-${port.replace(/[^A-Za-z0-9.-]/g, '_')}.pcap`);
      const w = new PcapWriter(file, { nanosecond: true });
      for (const r of recs) w.write(r.frame, 0, r.frame.length, r.sec, r.nsec);
      w.close();
      return { port, file };
    })
    : [{ port: CE1_PORT, file: join(SEED, 'ce1.pcap') }, { port: CE2_PORT, file: join(SEED, 'ce2.pcap') }];
  const run = new Run(loadConfigFile(join(SEED, 'scenario.yaml')), { outDir: join(dir, 'out'), saRecords: records, trace });
  const result = run.execute(files);
  const out: Record<string, Rec[]> = {};
  for (const o of result.outputs) out[o.port] = readPcap(o.file);
  return { out, stats: runStats(result), result, dir };
}

const records: EspSaRecord[] = readEspSaFile(join(SEED, 'esp_sa'));
const ce1In = readPcap(join(SEED, 'ce1.pcap'));
const ce2In = readPcap(join(SEED, 'ce2.pcap'));
const etherType = (f: Uint8Array): number => (f[12] << 8) | f[13];
/** Neighbour discovery (ICMPv6 133-137, no extension headers here). */
const isNd = (f: Uint8Array): boolean => etherType(f) === 0x86dd && f[20] === 58 && f[54] >= 133 && f[54] <= 137;
/** IPv4 or IPv6, neighbour discovery aside. */
const isIp = (f: Uint8Array): boolean => etherType(f) === 0x0800 || (etherType(f) === 0x86dd && !isNd(f));
/** CE1's and CE2's IP packets (the rest are their ARP replies and NAs to the PEs). */
const ce1Ip = ce1In.map((r) => r.frame).filter(isIp);
const ce2Ip = ce2In.map((r) => r.frame).filter(isIp);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const macBytes = (m: string): number[] => m.split(':').map((x) => parseInt(x, 16));

/** The IP packet of a frame without the Ethernet padding. */
function ipPacket(f: Uint8Array): Uint8Array {
  const ip = f.subarray(14);
  return etherType(f) === 0x0800 ? ip.subarray(0, (ip[2] << 8) | ip[3]) : ip.subarray(0, 40 + ((ip[4] << 8) | ip[5]));
}

/** An IP packet `hops` routers later: TTL / hop limit decremented, IPv4 checksum recomputed. */
function afterHops(ip: Uint8Array, hops: number): Uint8Array {
  const p = Uint8Array.from(ip);
  if (p[0] >> 4 === 4) {
    p[8] -= hops;
    ipv4UpdateChecksum(p, 0);
  } else p[7] -= hops;
  return p;
}

/** A frame as it leaves a PE's LAN port: new MACs, TTL / hop limit 2 lower, the rest identical. */
function expectedOut(f: Uint8Array, dst: string, src: string): string {
  const out = Uint8Array.from(f);
  out.set(macBytes(dst), 0);
  out.set(macBytes(src), 6);
  out.set(afterHops(f.subarray(14, 14 + ipPacket(f).length), 2), 14);
  return hex(out);
}

/** DSCP and ECN of an IP packet: the IPv4 TOS byte or the IPv6 traffic class. */
const tos = (ip: Uint8Array): number => (ip[0] >> 4 === 4 ? ip[1] : ((ip[0] & 0x0f) << 4) | (ip[1] >> 4));

interface Esp {
  outer: Uint8Array;
  spi: number;
  seq: number;
  nextHeader: number;
  inner: Uint8Array;
}

/**
 * Opens an ESP frame with node:crypto (not triode's ESP code): RFC 4106
 * AES-GCM, nonce = salt || IV, AAD = SPI || ESN high word (0 here) || seq
 * (the VPNs use extended-sequence-number), RFC 4303 trailer.
 */
function openEsp(f: Uint8Array): Esp {
  const outer = ipPacket(f);
  expect(outer[0] >> 4).toBe(4);
  expect(outer[9]).toBe(50);
  const hl = (outer[0] & 0x0f) * 4;
  const esp = outer.subarray(hl);
  const spi = ((esp[0] << 24) | (esp[1] << 16) | (esp[2] << 8) | esp[3]) >>> 0;
  const seq = ((esp[4] << 24) | (esp[5] << 16) | (esp[6] << 8) | esp[7]) >>> 0;
  const sa = records.find((r) => r.spi === spi)!;
  expect(sa, `an esp_sa record for SPI 0x${spi.toString(16)}`).toBeDefined();
  const d = createDecipheriv('aes-256-gcm', sa.key, Buffer.concat([sa.salt, esp.subarray(8, 16)]));
  d.setAAD(Buffer.concat([esp.subarray(0, 4), Buffer.alloc(4), esp.subarray(4, 8)]));
  d.setAuthTag(esp.subarray(esp.length - 16));
  const pt = Buffer.concat([d.update(esp.subarray(16, esp.length - 16)), d.final()]);
  const padLen = pt[pt.length - 2];
  for (let i = 0; i < padLen; i++) expect(pt[pt.length - 2 - padLen + i]).toBe(i + 1);
  return { outer, spi, seq, nextHeader: pt[pt.length - 1], inner: new Uint8Array(pt.subarray(0, pt.length - 2 - padLen)) };
}

/** The IPv4 address at `at` in a packet. */
const v4At = (b: Uint8Array, at: number): string => formatIpv4(((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0);
/** The IPv4 address at `at` after the Ethernet header of a frame. */
const ip4 = (f: Uint8Array, at: number): string => v4At(f, 14 + at);

describe('the seed scenario (examples/seed, `npm start`)', () => {
  const full = runSeed();
  const { out, stats } = full;
  const [pe1, p1, pe2] = full.result.devices;

  it('the bundled inputs: IPv4 and IPv6 from CE1 of several sizes and DSCP values, replies from CE2', () => {
    expect([pe1.name, p1.name, pe2.name]).toEqual(['PE1', 'P1', 'PE2']);
    expect(ce1Ip.filter((f) => etherType(f) === 0x0800)).toHaveLength(6);
    expect(ce1Ip.filter((f) => etherType(f) === 0x86dd)).toHaveLength(6);
    expect(ce2Ip).toHaveLength(6);
    expect(Math.max(...ce1Ip.map((f) => ipPacket(f).length))).toBe(1500);
    expect(new Set(ce1Ip.map((f) => tos(ipPacket(f)) >> 2))).toEqual(new Set([0, 18, 34, 46, 48]));
    // TCP SYNs in both families.
    expect(ce1Ip.filter((f) => (etherType(f) === 0x0800 ? f[23] : f[20]) === 6)).toHaveLength(2);
  });

  it('every CE1 packet leaves PE2 towards CE2 identical apart from TTL / hop limit (-2), IPv4 checksum and MACs; CE2 replies reach CE1 the same way', () => {
    const toCe2 = out[CE2_PORT].map((r) => r.frame).filter(isIp);
    expect(toCe2.map(hex)).toEqual(ce1Ip.map((f) => expectedOut(f, CE2, PE2_LAN)));
    const toCe1 = out[CE1_PORT].map((r) => r.frame).filter(isIp);
    expect(toCe1.map(hex)).toEqual(ce2Ip.map((f) => expectedOut(f, CE1, PE1_LAN)));
    // The rest the PEs send on the LAN ports: their ARP requests and NSs for the CEs (answered in the inputs).
    const rest = [...out[CE2_PORT], ...out[CE1_PORT]].map((r) => r.frame).filter((f) => !isIp(f));
    expect(rest.map((f) => (etherType(f) === 0x0806 ? `arp who-has ${ip4(f, 24)}` : `ns ${formatIpv6(f, 62)}`))).toEqual([
      'arp who-has 60.1.1.2', 'ns 2001:db8:60::2', 'arp who-has 10.10.10.2', 'ns 2001:db8:10::2',
    ]);
  });

  it('the links through P1 carry only ESP between the gateways, and ARP for the core next hops', () => {
    const core = ['PE1:ae0', 'P1:ae0', 'P1:ae1', 'PE2:ae0'];
    expect(Object.keys(out).sort()).toEqual([...core, CE1_PORT, CE2_PORT].sort());
    for (const port of core) {
      for (const { frame: f } of out[port]) {
        if (etherType(f) === 0x0806) {
          expect([ip4(f, 14), ip4(f, 24)].every((a) => /^13\.10\.[12]\.[12]$/.test(a)), `${port}: ARP ${ip4(f, 14)} ${ip4(f, 24)}`).toBe(true);
          continue;
        }
        expect(etherType(f), `${port}: only IPv4 ESP and ARP`).toBe(0x0800);
        expect(f[14 + 9], `${port}: protocol`).toBe(50);
        expect([ip4(f, 12), ip4(f, 16)].sort()).toEqual(['13.10.1.1', '13.10.2.2']);
      }
    }
    const espCount = (port: string): number => out[port].filter((r) => etherType(r.frame) === 0x0800).length;
    expect(core.map(espCount)).toEqual([12, 6, 12, 6]);
  });

  it('the ESP on the core is each inner packet in order (next header 4 / 41), its DSCP and DF on the outer header', () => {
    for (const [port, spi, sent] of [['P1:ae1', SPI_1TO2, ce1Ip], ['P1:ae0', SPI_2TO1, ce2Ip]] as const) {
      const esp = out[port].map((r) => r.frame).filter((f) => etherType(f) === 0x0800).map(openEsp);
      expect(esp.map((e) => [e.spi, e.seq])).toEqual(sent.map((_, i) => [spi, i + 1]));
      esp.forEach((e, i) => {
        const ip = ipPacket(sent[i]);
        expect(hex(e.inner), `${port} seq ${e.seq}`).toBe(hex(afterHops(ip, 1)));
        expect(e.nextHeader).toBe(ip[0] >> 4 === 4 ? 4 : 41);
        expect(tos(e.outer) >> 2, `${port} seq ${e.seq}: outer DSCP`).toBe(tos(ip) >> 2);
        expect(tos(e.outer)).toBe(tos(ip)); // ECN too
        // df-bit copy: the outer DF is the inner IPv4 packet's.
        if (ip[0] >> 4 === 4) expect(e.outer[6] & 0x40).toBe(ip[6] & 0x40);
        // P1 decremented the outer TTL once.
        expect(e.outer[8]).toBe(63);
      });
    }
  });

  it('counters: PE1 st0.1 output = si-0/1/0.0 input; si-0/1/0.1 input = encrypted + received ESP; PE2 st0.1 input = decrypted', () => {
    const i1 = stats.devices.PE1.interfaces;
    const i2 = stats.devices.PE2.interfaces;
    const s1 = stats.devices.PE1.ipsec!.totals;
    const s2 = stats.devices.PE2.ipsec!.totals;
    expect(i1['st0.1'].outputPackets).toBe(12);
    expect(i1['si-0/1/0.0'].inputPackets).toBe(12);
    expect(i1['si-0/1/0.0'].inputBytes).toBe(i1['st0.1'].outputBytes);
    expect(i1['st0.1'].outputBytes).toBe(ce1Ip.reduce((s, f) => s + ipPacket(f).length, 0));
    expect(s1).toMatchObject({ encrypted_packets: 12, decrypted_packets: 6 });
    expect(i1['si-0/1/0.1'].inputPackets).toBe(s1.encrypted_packets + s1.decrypted_packets);
    expect(i1['st0.1'].inputPackets).toBe(s1.decrypted_packets);
    expect(s2).toMatchObject({ encrypted_packets: 6, decrypted_packets: 12 });
    expect(i2['st0.1'].inputPackets).toBe(s2.decrypted_packets);
    expect(i2['si-0/1/0.1'].inputPackets).toBe(18);
    expect(i2['si-0/1/0.0'].inputPackets).toBe(6);
    for (const t of [s1, s2]) {
      expect(t).toMatchObject({ esp_authentication_failures: 0, esp_decryption_failures: 0, replay_errors: 0, bad_headers: 0, bad_trailers: 0 });
    }
    // P1 forwards ESP like anything else: no IPsec there.
    expect(p1.ipsec?.sas ?? []).toEqual([]);
    expect(stats.devices.P1.interfaces['ae0.0']).toMatchObject({ inputPackets: 13, outputPackets: 7 });
    expect(stats.devices.P1.interfaces['ae1.0']).toMatchObject({ inputPackets: 7, outputPackets: 13 });
  });

  it('with CE1 sending alone, PE1 st0.1 output = si-0/1/0.0 input = si-0/1/0.1 input, and PE2 st0.1 input = decrypted', () => {
    const before = (recs: Rec[]): Rec[] => recs.filter((r) => r.sec === recs[0].sec && r.nsec < 400_000_000);
    const r = runSeed({ [CE1_PORT]: before(ce1In), [CE2_PORT]: before(ce2In) });
    const i1 = r.stats.devices.PE1.interfaces;
    const i2 = r.stats.devices.PE2.interfaces;
    expect([i1['st0.1'].outputPackets, i1['si-0/1/0.0'].inputPackets, i1['si-0/1/0.1'].inputPackets]).toEqual([10, 10, 10]);
    expect([i2['st0.1'].inputPackets, r.stats.devices.PE2.ipsec!.totals.decrypted_packets, i2['si-0/1/0.1'].inputPackets]).toEqual([10, 10, 10]);
    expect(i2['si-0/1/0.0'].inputPackets).toBe(0);
    expect(r.out[CE2_PORT].map((x) => x.frame).filter(isIp)).toHaveLength(10);
    expect(r.stats.balanced).toBe(true);
  });

  it('the accounting: in + generated = out + consumed + dropped on every device and for the run, nothing dropped', () => {
    expect(stats.balanced).toBe(true);
    expect(stats.accounting).toEqual({ in: 22, generated: 8, out: 22, consumed: 8, dropped: 0, linked: 40 });
    expect(stats.drops).toEqual({});
    for (const [name, d] of Object.entries(stats.devices)) {
      const a = d.accounting;
      expect(a.in + a.generated, name).toBe(a.out + a.consumed + a.dropped);
      expect(a.dropped, name).toBe(0);
    }
  });

  it('routes: static routes in place of IS-IS, CE2 networks through st0.1 (IPv4 via 12.1.1.2, IPv6 via ::ffff:12.1.1.2)', () => {
    expect(show(pe1, 'route 60.1.1.0/24')).toMatch(/^60\.1\.1\.0\/24 +\*\[Static\/5\].*\n +> +to 12\.1\.1\.2 via st0\.1$/m);
    // IPv6 through the IPv4 tunnel, as the seed does it: an IPv4-mapped next hop resolved through the IPv4 route.
    expect(show(pe1, 'route 2001:db8:60::/64')).toMatch(/^2001:db8:60::\/64 +\*\[Static\/5\].*\n +> +to ::ffff:12\.1\.1\.2 via st0\.1$/m);
    expect(show(pe2, 'route 2001:db8:10::/64')).toMatch(/> +to ::ffff:12\.1\.1\.1 via st0\.1$/m);
    expect(show(pe2, 'route 10.10.10.0/24')).toMatch(/> +to 12\.1\.1\.1 via st0\.1$/m);
    expect(show(pe1, 'route 13.10.2.0/30')).toMatch(/> +to 13\.10\.1\.2 via ae0\.0$/m);
    expect(show(p1, 'route 2.2.2.2')).toMatch(/> +to 13\.10\.2\.2 via ae1\.0$/m);
    // The configurations ask for nothing the emulator ignores but the IKE negotiation, chassis, LAG and version statements.
    const sc = loadConfigFile(join(SEED, 'scenario.yaml'));
    const paths = sc.devices.flatMap((d) => d.ignored.map((i) => `${d.name}: ${i.path}`));
    expect(paths.filter((p) => !/: (version .*|chassis|interfaces \S+ (gigether-options|aggregated-ether-options)|security ike (proposal|policy) \S+)$/.test(p))).toEqual([]);
  });

  it('the trace of CE1\'s first IPv4 and IPv6 packets crosses PE1 (st0.1, si-0/1/0.0, esp-encrypt, si-0/1/0.1), P1 and PE2 (esp-decrypt, st0.1) to CE2', () => {
    const r = runSeed(undefined, 2);
    const paths = r.result.trace.traces.map((t) => formatTrace(t, true).split('\n').find((l) => l.trim().startsWith('path:'))!);
    expect(paths).toHaveLength(2);
    for (const [i, p] of paths.entries()) {
      const fam = i === 0 ? 'ip4' : 'ip6';
      const dst = i === 0 ? '60.1.1.0/24' : '2001:db8:60::/64';
      expect(p).toContain(`[PE1] → et-0/2/10.0 → ${fam}-lookup ${dst}`);
      expect(p).toContain(`st0-output st0.1 → si-0/1/0.0 (inside) vpn VPN-R2 → esp-encrypt spi 0x36c700ce seq ${i + 1} → si-outside-input si-0/1/0.1 (outside)`);
      expect(p).toContain('[P1] → ae0.0 → ip4-lookup 13.10.2.0/30 via 13.10.2.2 ae1.0');
      expect(p).toContain(`[PE2] → ae0.0 → si-outside-input si-0/1/0.1 (outside) → esp-decrypt spi 0x36c700ce seq ${i + 1} → st0-input st0.1 vpn VPN-R1`);
      expect(p.endsWith('→ PE2:et-0/2/10.0')).toBe(true);
    }
  });

  it.skipIf(!haveTshark)('tshark decrypts the P1 link captures with the bundled esp_sa: next header 4 / 41, inner addresses as sent', () => {
    const uat = readFileSync(join(SEED, 'esp_sa'), 'utf8').split('\n').filter((l) => l.startsWith('"')).flatMap((l) => ['-o', `uat:esp_sa:${l}`]);
    // tshark 4.0 leaves ESN out of the ICV's AAD (../shared/vectors/esp_sa-format.md), so only decryption is checked here.
    for (const [file, sent] of [['P1_ae1.pcap', ce1Ip], ['P1_ae0.pcap', ce2Ip]] as const) {
      const text = execFileSync('tshark', ['-r', join(full.dir, 'out', file), '-Y', 'esp', '-o', 'esp.enable_encryption_decode:TRUE', ...uat,
        '-T', 'fields', '-E', 'separator=|', '-e', 'esp.protocol', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const rows = text.trim().split('\n').map((l) => l.split('|'));
      const expected = sent.map((f) => {
        const ip = ipPacket(f);
        const [outerSrc, outerDst] = file === 'P1_ae1.pcap' ? ['13.10.1.1', '13.10.2.2'] : ['13.10.2.2', '13.10.1.1'];
        return ip[0] >> 4 === 4
          ? ['4', `${outerSrc},${v4At(ip, 12)}`, `${outerDst},${v4At(ip, 16)}`, '', '']
          : ['41', outerSrc, outerDst, formatIpv6(ip, 8), formatIpv6(ip, 24)];
      });
      expect(rows.map((r) => [String(parseInt(r[0], 16)), ...r.slice(1)]), file).toEqual(expected);
    }
  });
});
