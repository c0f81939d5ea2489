// `triode run --workers N` against a one-replica run of the same input: the
// outputs must be the same frames, apart from the order across flows.
//
// What "apart from the order across flows" allows, exactly:
//  - frames of one port may come in another order where their timestamps tie;
//  - two flows sharing an SA may reach it in another order, so their ESP
//    sequence numbers are dealt out differently: per SA the numbers used are
//    the same set, every ESP packet decrypts (node:crypto, not triode's code)
//    to an inner packet of the one-replica run, and within each inner flow
//    the packets keep their order;
//  - an ARP request / NS carries the time of the first packet that needed the
//    neighbour, which depends on which flow got there first, and so does the
//    answer (ARP and ND frames are compared without their timestamps), at whose time the packets held for it leave (ESP packets are
//    compared without their timestamps for this reason: in the seed the
//    first packets of both flows wait for P1's MAC);
//  - ICMP errors a device originates take their IPv4 ID from a counter per
//    replica (as each PFE keeps its own): the ID and checksum are masked.
// Everything else is byte-for-byte and timestamp-for-timestamp, and the
// counters (accounting, drops, interfaces, IPsec) are equal.
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/scenario.js';
import { readEspSaFile, type EspSaRecord } from '../../config/esp-sa-file.js';
import { buildHub, hubCleartext, hubEspSa, hubEspSaText, hubJunos, portIndex } from '../../bench/ipsec-hub.js';
import { derivedMac } from '../../device/mac.js';
import { arpFrame, ping4, udp4Frame, pattern } from '../../craft/craft.js';
import { formatMac } from '../../packet/addr.js';
import { CaptureReader, newCaptureRecord } from '../../pcap/reader.js';
import { PcapWriter } from '../../pcap/writer.js';
import { Run, type RunInput, type RunResult } from '../runner.js';
import { runStats } from '../stats.js';
import { runParallel } from './parallel.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'triode-par-'));
  dirs.push(d);
  return d;
};

interface Frame { ts: string; bytes: Uint8Array }

function readPcap(file: string): Frame[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Frame[] = [];
  while (r.next(rec)) out.push({ ts: `${rec.tsSec}.${String(rec.tsNsec).padStart(9, '0')}`, bytes: rec.buf.slice(rec.offset, rec.offset + rec.caplen) });
  r.close();
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

async function runBoth(config: string, inputs: RunInput[], saRecords: EspSaRecord[] | undefined, workers: number): Promise<{ one: RunResult; par: RunResult }> {
  const oneDir = tmp();
  const one = new Run(loadConfigFile(config), { outDir: oneDir, saRecords }).execute(inputs);
  const par = await runParallel(config, new Run(loadConfigFile(config), { saRecords }), inputs, { workers, outDir: tmp(), saRecords });
  return { one, par };
}

/** An ESP frame (IPv4 outer) opened with node:crypto: RFC 4106 AES-GCM, ESN high word 0 when the SA uses ESN. */
function openEsp(f: Uint8Array, records: EspSaRecord[], esn: boolean): { spi: number; seq: number; inner: Uint8Array } {
  const hl = (f[14] & 15) * 4;
  const esp = f.subarray(14 + hl);
  const spi = u32(esp, 0);
  const sa = records.find((r) => r.spi === spi)!;
  expect(sa, `an esp_sa record for SPI ${spi.toString(16)}`).toBeDefined();
  const d = createDecipheriv(sa.key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', sa.key, Buffer.concat([sa.salt, esp.subarray(8, 16)]));
  d.setAAD(esn ? Buffer.concat([esp.subarray(0, 4), Buffer.alloc(4), esp.subarray(4, 8)]) : esp.subarray(0, 8));
  d.setAuthTag(esp.subarray(esp.length - 16));
  const pt = Buffer.concat([d.update(esp.subarray(16, esp.length - 16)), d.final()]);
  return { spi, seq: u32(esp, 4), inner: new Uint8Array(pt.subarray(0, pt.length - 2 - pt[pt.length - 2])) };
}

/** The inner flow of a decrypted packet: addresses, protocol, ports (or ICMP id), as text. */
function flowOf(ip: Uint8Array): string {
  if (ip[0] >> 4 === 4) {
    const l4 = (ip[0] & 15) * 4;
    return `4 ${hex(ip.subarray(12, 20))} ${ip[9]} ${hex(ip.subarray(l4, l4 + 4))}`;
  }
  return `6 ${hex(ip.subarray(8, 40))} ${ip[6]} ${hex(ip.subarray(40, 44))}`;
}

const isEsp = (f: Uint8Array) => f[12] === 8 && f[13] === 0 && f[23] === 50;
/** ARP, or an IPv6 NS / NA. */
const isNeighborDiscovery = (f: Uint8Array) => (f[12] === 8 && f[13] === 6) || (f[12] === 0x86 && f[13] === 0xdd && f[20] === 58 && (f[54] === 135 || f[54] === 136));
const isSolicitation = (f: Uint8Array) => (f[12] === 8 && f[13] === 6 && f[21] === 1) || (f[12] === 0x86 && f[13] === 0xdd && f[20] === 58 && f[54] === 135);
const isIcmpError = (f: Uint8Array) => f[12] === 8 && f[13] === 0 && f[23] === 1 && [3, 11, 12].includes(f[14 + (f[14] & 15) * 4]);

/** Asserts the parallel run's port outputs equal the one-replica run's apart from the order across flows (see the top). */
function expectSameOutputs(one: RunResult, par: RunResult, records: EspSaRecord[], esn: boolean): void {
  const ports = (r: RunResult) => r.outputs.map((o) => o.port).sort();
  expect(ports(par)).toEqual(ports(one));
  for (const o of one.outputs) {
    const a = readPcap(o.file);
    const b = readPcap(par.outputs.find((p) => p.port === o.port)!.file);
    expect(b.length, o.port).toBe(a.length);
    const plain = (fs: Frame[]) => fs.filter((f) => !isEsp(f.bytes) && !isNeighborDiscovery(f.bytes) && !isIcmpError(f.bytes)).map((f) => `${f.ts} ${hex(f.bytes)}`).sort();
    expect(plain(b), `${o.port}: frames other than ESP, ARP/ND and ICMP errors`).toEqual(plain(a));
    const nd = (fs: Frame[]) => fs.filter((f) => isNeighborDiscovery(f.bytes)).map((f) => hex(f.bytes)).sort();
    expect(nd(b), `${o.port}: ARP and NS/NA`).toEqual(nd(a));
    const icmpErrors = (fs: Frame[]) => fs.filter((f) => isIcmpError(f.bytes)).map((f) => {
      const m = f.bytes.slice();
      m.fill(0, 18, 20); // IPv4 ID
      m.fill(0, 24, 26); // header checksum
      return `${f.ts} ${hex(m)}`;
    }).sort();
    expect(icmpErrors(b), `${o.port}: ICMP errors`).toEqual(icmpErrors(a));
    const esp = (fs: Frame[]) => {
      const seqs = new Map<number, number[]>();
      const inner: string[] = [];
      const flows = new Map<string, string[]>();
      for (const f of fs.filter((x) => isEsp(x.bytes))) {
        const e = openEsp(f.bytes, records, esn);
        seqs.set(e.spi, [...(seqs.get(e.spi) ?? []), e.seq]);
        // The outer header up to its ID (which is the sequence number's low 16 bits), then the inner packet.
        inner.push(`${hex(f.bytes.subarray(0, 18))} ${hex(e.inner)}`);
        const k = `${e.spi} ${flowOf(e.inner)}`;
        flows.set(k, [...(flows.get(k) ?? []), `${e.seq}:${hex(e.inner)}`]);
      }
      for (const [k, v] of flows) flows.set(k, v.sort((x, y) => Number(x.split(':')[0]) - Number(y.split(':')[0])).map((x) => x.split(':')[1]));
      return {
        seqs: [...seqs].map(([spi, s]) => `${spi}: ${s.sort((x, y) => x - y).join(',')}`).sort(),
        inner: inner.sort(),
        flows: Object.fromEntries([...flows].sort()),
      };
    };
    const ea = esp(a);
    const eb = esp(b);
    expect(eb.seqs, `${o.port}: ESP sequence numbers per SA`).toEqual(ea.seqs);
    expect(eb.inner, `${o.port}: decrypted ESP`).toEqual(ea.inner);
    expect(eb.flows, `${o.port}: order within each inner flow`).toEqual(ea.flows);
  }
  const sa = runStats(one);
  const sb = runStats(par);
  expect(sb.accounting).toEqual(sa.accounting);
  expect(sb.balanced).toBe(true);
  expect(sb.drops).toEqual(sa.drops);
  expect(sb.ipsec).toEqual(sa.ipsec);
  for (const [name, d] of Object.entries(sa.devices)) {
    expect(sb.devices[name].accounting, name).toEqual(d.accounting);
    expect(sb.devices[name].interfaces, name).toEqual(d.interfaces);
    expect(sb.devices[name].drops, name).toEqual(d.drops);
    expect(sb.devices[name].ipsec?.sas.map((s) => s.counters), name).toEqual(d.ipsec?.sas.map((s) => s.counters));
  }
}

describe('run --workers: the seed scenario (two flows of each family share one SA)', () => {
  const SEED = join(import.meta.dirname, '..', '..', '..', 'examples', 'seed');
  const records = readEspSaFile(join(SEED, 'esp_sa'));
  const inputs = [
    { port: 'PE1:et-0/2/10', file: join(SEED, 'ce1.pcap') },
    { port: 'PE2:et-0/2/10', file: join(SEED, 'ce2.pcap') },
  ];
  for (const workers of [2, 3]) {
    it(`${workers} replicas give the one-replica outputs apart from the order across flows`, async () => {
      const { one, par } = await runBoth(join(SEED, 'scenario.yaml'), inputs, records, workers);
      expect(one.accounting.dropped).toBe(0);
      expect(one.outputs.find((o) => o.port === 'PE2:et-0/2/10')!.packets).toBeGreaterThan(8);
      expectSameOutputs(one, par, records, true);
    });
  }
});

describe('run --workers: a hub of 32 VPNs, one flow per SA, ARP resolved by replica 0, ICMP errors', () => {
  const N = 32;
  const dir = tmp();
  const config = join(dir, 'A.conf'); // the device takes its name from the file: A, whose MACs the frames use
  // A LAN host resolved by ARP (no static entry) behind 40.0.0.0/8.
  writeFileSync(config, hubJunos('A', N).replace('route 13.0.0.0/8 next-hop 13.10.2.2;', 'route 13.0.0.0/8 next-hop 13.10.2.2; route 40.0.0.0/8 next-hop 10.0.0.3;'));
  writeFileSync(join(dir, 'esp_sa'), hubEspSaText(N));
  const records = hubEspSa(N);
  // Inputs: LAN frames to every VPN (encrypt), ESP from the spokes (decrypt, made by the mirror device), plain
  // frames from the core to the ARP-resolved host, a TTL-1 packet per VPN (time exceeded), and the host's ARP reply.
  const B = buildHub('B', N, records);
  const esp: Uint8Array[] = [];
  B.dev.sinks[portIndex(B.dev, 'et-0/0/0')] = (d, off, len) => { esp.push(d.slice(off, off + len)); };
  const spokes = hubCleartext('B', N, [64, 594, 1518, 200], N * 6);
  for (let k = 0; k < spokes.length; k += 128) {
    for (const f of spokes.slice(k, k + 128)) B.dev.inject(portIndex(B.dev, 'et-0/0/1'), f, 0, f.length, 1, 0);
    B.dev.runBatch();
  }
  B.dev.ipsec?.close();
  expect(esp.length).toBe(N * 6);
  const lanMac = formatMac(derivedMac('A', 'et-0/0/1'));
  const coreMac = formatMac(derivedMac('A', 'et-0/0/0'));
  const lan = hubCleartext('A', N, [64, 594, 1518, 1420, 100, 300], N * 6);
  const lanRecs: { t: number; f: Uint8Array }[] = lan.map((f, i) => ({ t: 1000 + i * 7, f }));
  for (let v = 1; v <= N; v++) {
    lanRecs.push({ t: 1003 + v * 40, f: ping4({ src: '02:00:00:00:c1:02', dst: lanMac }, { src: '10.0.0.2', dst: `20.0.${v}.9`, ttl: 1 }, v, 1) });
  }
  lanRecs.push({ t: 2900, f: arpFrame({ src: '02:00:00:00:c1:03', dst: lanMac }, 2, '02:00:00:00:c1:03', '10.0.0.3', lanMac, '10.0.0.1') });
  const coreRecs: { t: number; f: Uint8Array }[] = esp.map((f, i) => ({ t: 1001 + i * 5, f }));
  for (let i = 0; i < 40; i++) {
    coreRecs.push({ t: 2000 + i * 3, f: udp4Frame({ src: formatMac(derivedMac('B', 'et-0/0/0')), dst: coreMac }, { src: `13.20.0.${1 + (i % 7)}`, dst: `40.0.${i % 5}.1`, id: i }, 1000 + i, 53, pattern(60)) });
  }
  const write = (name: string, recs: { t: number; f: Uint8Array }[]) => {
    const file = join(dir, name);
    const w = new PcapWriter(file, { nanosecond: true });
    for (const r of recs.sort((x, y) => x.t - y.t)) w.write(r.f, 0, r.f.length, 1_700_000_000, r.t * 1000);
    w.close();
    return file;
  };
  const inputs = [
    { port: 'et-0/0/1', file: write('lan.pcap', lanRecs) },
    { port: 'et-0/0/0', file: write('core.pcap', coreRecs) },
  ];
  for (const workers of [2, 4]) {
    it(`${workers} replicas give the one-replica outputs`, async () => {
      const { one, par } = await runBoth(config, inputs, records, workers);
      // The input does what it is meant to: everything encrypted and decrypted, the host resolved late, ICMP errors sent.
      const s = runStats(one);
      expect(s.drops).toEqual({ ip4_ttl_expired: N });
      expect(s.ipsec?.['encrypted_packets']).toBe(N * 6);
      expect(s.ipsec?.['decrypted_packets']).toBe(N * 6);
      const lanOut = readPcap(one.outputs.find((o) => o.port === 'et-0/0/1')!.file);
      expect(lanOut.filter((f) => isIcmpError(f.bytes))).toHaveLength(N);
      expect(lanOut.filter((f) => isSolicitation(f.bytes))).toHaveLength(1);
      expect(lanOut.filter((f) => f.bytes[0] === 2 && f.bytes[5] === 3 && f.bytes[23] === 17)).toHaveLength(40);
      expectSameOutputs(one, par, records, false);
      // RSS spread the frames, and SAs were handed to their owners.
      expect(par.replicas).toHaveLength(workers);
      expect(par.replicas!.reduce((x, r) => x + r.frames, 0)).toBe(lanRecs.length + coreRecs.length);
      for (const r of par.replicas!) expect(r.frames).toBeGreaterThan(0);
      expect(par.replicas!.reduce((x, r) => x + r.shipped, 0)).toBeGreaterThan(0);
    });
  }
});
