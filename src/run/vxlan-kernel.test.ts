// Interop with a real VTEP: a Linux kernel vxlan device in a network namespace
// (src/craft/kernel-vtep.ts) bridges VNI 100 to a host, h1 (10.1.1.2). What
// triode encapsulates for host A (10.1.1.1, behind et-0/0/1), replayed to the
// kernel, is accepted: vxlan0 learns host A behind triode's VTEP and h1 answers.
// What the kernel encapsulates (captured with tcpdump) triode decapsulates to
// the frames h1 sent. tshark decodes what triode put on the wire. Runs only as
// root with network namespaces (as .ci/run does on the development machine);
// elsewhere it says why and skips.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arpFrame, ping4, pattern } from '../craft/craft.js';
import { kernelVtepUnavailable, withKernelVtep, type FdbEntry, type KernelVtepOptions } from '../craft/kernel-vtep.js';
import { PY, tsharkAvailable } from '../craft/peers.js';
import { loadJunosText } from '../config/junos-device.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { Run, type RunInput } from './runner.js';
import { runStats, type RunStats } from './stats.js';

const unavailable = kernelVtepUnavailable();
if (unavailable) console.warn(`vxlan-kernel.test: kernel VTEP interop: ${unavailable}: SKIPPED`);
const haveKernel = unavailable === null;
const haveTshark = haveKernel && tsharkAvailable('vxlan-kernel.test: tshark decode of the VXLAN triode sends');

const CONF = new URL('../craft/testdata/vxlan-kernel.conf', import.meta.url).pathname;
/** triode's et-0/0/0 (the kernel's underlay gateway). */
const CORE_MAC = '02:00:00:00:00:01';
/** The kernel VTEP's u0 (triode's static ARP entry for 192.0.2.2). */
const U0_MAC = '02:00:00:c0:02:02';
/** h1, the host behind the kernel VTEP. */
const H1 = { mac: '02:00:00:0a:01:02', ip: '10.1.1.2' };
/** Host A, behind triode's et-0/0/1. */
const HOST_A = { mac: '02:00:00:00:0a:01', ip: '10.1.1.1' };
const PING_ID = 0x7a11;
const PING_SEQ = 3;

const VTEP_OPTS: KernelVtepOptions = {
  vni: 100,
  udpPort: 4789,
  underlay: { address: '192.0.2.2/24', mac: U0_MAC },
  gateway: { address: '192.0.2.1', mac: CORE_MAC },
  remoteVtep: '10.255.0.1',
  host: { address: `${H1.ip}/24`, mac: H1.mac },
  hostNeighbours: [HOST_A],
};

/** One frame of a capture as scapy decodes it (scapy.layers.vxlan binds UDP 4789). */
interface Decoded {
  eth: { src: string; dst: string };
  outer?: { src: string; dst: string; proto: number };
  udp?: { sport: number; dport: number };
  vxlan?: { flags: number; vni: number };
  inner?: { src: string; dst: string; type: number; hex: string };
  ip?: { src: string; dst: string };
  icmp?: { type: number; id: number; seq: number; data: string };
  arp?: { op: number; hwsrc: string; psrc: string; hwdst: string; pdst: string };
}

const SCAPY_DECODE = `
import sys, json
from scapy.all import rdpcap, Ether, IP, UDP, ICMP, ARP, Raw
from scapy.layers.vxlan import VXLAN
out = []
for p in rdpcap(sys.argv[1]):
    d = {'eth': {'src': p[Ether].src, 'dst': p[Ether].dst}}
    if IP in p:
        d['outer'] = {'src': p[IP].src, 'dst': p[IP].dst, 'proto': p[IP].proto}
    if UDP in p:
        d['udp'] = {'sport': p[UDP].sport, 'dport': p[UDP].dport}
    if VXLAN in p:
        v = p[VXLAN]
        d['vxlan'] = {'flags': int(v.flags), 'vni': v.vni}
        i = v.payload
        d['inner'] = {'src': i.src, 'dst': i.dst, 'type': i.type, 'hex': bytes(i).hex()}
        if i.haslayer(IP):
            d['ip'] = {'src': i[IP].src, 'dst': i[IP].dst}
        if i.haslayer(ICMP):
            c = i[ICMP]
            d['icmp'] = {'type': c.type, 'id': c.id, 'seq': c.seq, 'data': bytes(c.payload).hex()}
        if i.haslayer(ARP):
            a = i[ARP]
            d['arp'] = {'op': a.op, 'hwsrc': a.hwsrc, 'psrc': a.psrc, 'hwdst': a.hwdst, 'pdst': a.pdst}
    out.append(d)
print(json.dumps(out))
`;

function scapyDecode(file: string): Decoded[] {
  return JSON.parse(execFileSync(PY, ['-c', SCAPY_DECODE, file], { encoding: 'utf8' })) as Decoded[];
}

function readFrames(file: string): Uint8Array[] {
  if (!existsSync(file)) return [];
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Uint8Array[] = [];
  while (r.next(rec)) out.push(rec.buf.slice(rec.offset, rec.offset + rec.caplen));
  r.close();
  return out;
}

function writeFrames(file: string, frames: Uint8Array[], t0: number): void {
  const w = new PcapWriter(file);
  frames.forEach((f, i) => w.write(f, 0, f.length, t0, i * 1000));
  w.close();
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The inner Ethernet frame of an IPv4/UDP/VXLAN frame (untagged outer Ethernet). */
function innerFrame(f: Uint8Array): Uint8Array {
  const ihl = (f[14]! & 0x0f) * 4;
  return f.subarray(14 + ihl + 8 + 8);
}

/**
 * A frame as an Ethernet port sends it: zero-padded to the 60-byte minimum. The kernel bridges
 * h1's 42-byte ARP reply into VXLAN unpadded (veths do not pad); triode's interface-output pads.
 */
function onTheWire(f: Uint8Array): Uint8Array {
  if (f.length >= 60) return f;
  const out = new Uint8Array(60);
  out.set(f);
  return out;
}

function triode(inputs: RunInput[], outDir: string): RunStats {
  const device = loadJunosText(readFileSync(CONF, 'utf8'), CONF, { deviceName: 'R1' });
  return runStats(new Run({ devices: [device], links: [] }, { outDir }).execute(inputs));
}

const fdbHas = (fdb: FdbEntry[], mac: string, dst: string): boolean => fdb.some((e) => e.mac === mac && e.dst === dst);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-vxlan-kernel-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveKernel)('the kernel VTEP harness on its own (scapy-crafted VXLAN)', () => {
  it('answers a VXLAN VNI 100 echo request with a VXLAN echo reply to the sender, and learns its MAC behind the outer source', async () => {
    const probe = join(dir, 'probe.pcap');
    execFileSync(PY, ['-c', `
import sys
from scapy.all import Ether, IP, UDP, ICMP, Raw, wrpcap
from scapy.layers.vxlan import VXLAN
wrpcap(sys.argv[1], Ether(src='${CORE_MAC}', dst='${U0_MAC}') / IP(src='10.255.0.1', dst='192.0.2.2') / UDP(sport=50000, dport=4789)
       / VXLAN(flags=0x08, vni=100) / Ether(src='${HOST_A.mac}', dst='${H1.mac}') / IP(src='${HOST_A.ip}', dst='${H1.ip}')
       / ICMP(type=8, id=0x1234, seq=7) / Raw(b'kernel-vtep harness'))
`, probe]);
    const reply = join(dir, 'probe-reply.pcap');
    const { result, fdb } = await withKernelVtep(VTEP_OPTS, async (vtep) => {
      const r = await vtep.exchange(probe, reply, { answers: 1 });
      return { result: r, fdb: vtep.fdb() };
    });
    expect(result).toEqual({ injected: 1, captured: 1 });
    expect(fdbHas(fdb, HOST_A.mac, '10.255.0.1')).toBe(true);
    const [d] = scapyDecode(reply);
    expect(d).toMatchObject({
      eth: { src: U0_MAC, dst: CORE_MAC },
      outer: { src: '192.0.2.2', dst: '10.255.0.1', proto: 17 },
      udp: { dport: 4789 },
      vxlan: { flags: 0x08, vni: 100 },
      inner: { src: H1.mac, dst: HOST_A.mac, type: 0x0800 },
      ip: { src: H1.ip, dst: HOST_A.ip },
      icmp: { type: 0, id: 0x1234, seq: 7, data: Buffer.from('kernel-vtep harness').toString('hex') },
    });
  });
});

describe.skipIf(!haveKernel)('triode and a Linux kernel VTEP (VNI 100, static ingress replication)', () => {
  // Host A asks for h1's MAC (broadcast: flooded to the remote VTEP), then pings it.
  const arpRequest = arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: HOST_A.mac }, 1, HOST_A.mac, HOST_A.ip, '00:00:00:00:00:00', H1.ip);
  const echoRequest = ping4({ dst: H1.mac, src: HOST_A.mac }, { src: HOST_A.ip, dst: H1.ip, id: 0x4242 }, PING_ID, PING_SEQ, pattern(48));
  const hostAFrames = [arpRequest, echoRequest];

  /** What triode sent towards the kernel (et-0/0/0) for host A's frames. */
  let encapsulated: Uint8Array[] = [];
  let statsA: RunStats;
  /** What the kernel sent back on the wire, and its vxlan0 fdb afterwards. */
  let kernelFile = '';
  let kernelFrames: Uint8Array[] = [];
  let fdb: FdbEntry[] = [];
  let injected = 0;

  beforeAll(async () => {
    const hostAFile = join(dir, 'host-a.pcap');
    writeFrames(hostAFile, hostAFrames, 1000);
    statsA = triode([{ port: 'et-0/0/1', file: hostAFile }], join(dir, 'a'));
    const toKernel = join(dir, 'a', 'et-0_0_0.pcap');
    encapsulated = readFrames(toKernel);
    if (encapsulated.length === 0) return; // the tests below say what triode did instead
    kernelFile = join(dir, 'kernel.pcap');
    await withKernelVtep(VTEP_OPTS, async (vtep) => {
      // h1 answers both: its ARP reply and its echo reply.
      injected = (await vtep.exchange(toKernel, kernelFile, { answers: 2 })).injected;
      fdb = vtep.fdb();
    });
    kernelFrames = readFrames(kernelFile);
  });

  const needEncap = (): void => {
    expect(encapsulated.length, `triode sent nothing on et-0/0/0; drops: ${JSON.stringify(statsA.drops)}`).toBeGreaterThan(0);
  };

  it('triode encapsulates both of host A\'s frames, unchanged, towards 192.0.2.2 (static ARP: MAC 02:00:00:c0:02:02)', () => {
    needEncap();
    expect(statsA.accounting).toMatchObject({ in: 2, out: 2, dropped: 0 });
    expect(statsA.balanced).toBe(true);
    expect(encapsulated.map((f) => hex(f.subarray(0, 12)))).toEqual(hostAFrames.map(() => hex(Buffer.from((U0_MAC + CORE_MAC).replace(/:/g, ''), 'hex'))));
    expect(encapsulated.map((f) => hex(innerFrame(f)))).toEqual(hostAFrames.map(hex));
  });

  it('A: the kernel accepts what triode encapsulates: vxlan0 learns host A behind 10.255.0.1', () => {
    needEncap();
    expect(injected).toBe(encapsulated.length);
    expect(fdb.filter((e) => e.mac === HOST_A.mac && e.dst !== undefined).map((e) => e.dst)).toEqual(['10.255.0.1']);
  });

  it('A: h1 answers through the kernel VTEP: VXLAN VNI 100 to 10.255.0.1 carrying its ARP reply and the echo reply with the request\'s id, seq and data', () => {
    needEncap();
    const d = scapyDecode(kernelFile);
    for (const f of d) {
      expect(f).toMatchObject({
        eth: { src: U0_MAC, dst: CORE_MAC },
        outer: { src: '192.0.2.2', dst: '10.255.0.1', proto: 17 },
        udp: { dport: 4789 },
        vxlan: { flags: 0x08, vni: 100 },
        inner: { src: H1.mac, dst: HOST_A.mac },
      });
    }
    expect(d.filter((f) => f.arp).map((f) => f.arp)).toEqual([{ op: 2, hwsrc: H1.mac, psrc: H1.ip, hwdst: HOST_A.mac, pdst: HOST_A.ip }]);
    expect(d.filter((f) => f.icmp).map((f) => [f.ip, f.icmp])).toEqual([
      [{ src: H1.ip, dst: HOST_A.ip }, { type: 0, id: PING_ID, seq: PING_SEQ, data: hex(pattern(48)) }],
    ]);
    expect(d).toHaveLength(2);
  });

  it('B: triode decapsulates what the kernel encapsulated: et-0/0/1 sends each inner frame byte for byte, every packet accounted for', () => {
    needEncap();
    expect(kernelFrames).toHaveLength(2);
    const stats = triode([{ port: 'et-0/0/0', file: kernelFile }], join(dir, 'b'));
    // Host A is unknown to this run's MAC table: the replies are flooded to the domain's only access port.
    expect(readFrames(join(dir, 'b', 'et-0_0_1.pcap')).map(hex)).toEqual(kernelFrames.map((f) => hex(onTheWire(innerFrame(f)))));
    // The echo reply is longer than the minimum: exactly the kernel's inner frame.
    expect(kernelFrames.map((f) => innerFrame(f).length)).toEqual([42, 14 + 20 + 8 + 48]);
    expect(existsSync(join(dir, 'b', 'et-0_0_0.pcap'))).toBe(false); // split horizon: nothing back to the VTEP
    expect(stats.accounting).toMatchObject({ in: 2, out: 2, dropped: 0 });
    expect(stats.balanced).toBe(true);
    expect(stats.drops).toEqual({});
    expect(stats.devices.R1!.interfaces['et-0/0/0.0']).toMatchObject({ inputPackets: 2 });
    expect(stats.devices.R1!.interfaces['et-0/0/1.0']).toMatchObject({ outputPackets: 2 });
  });

  it('B: the round trip in one run: host A\'s frames out to the kernel, the kernel\'s answers back to host A only', () => {
    needEncap();
    // The kernel's capture is stamped with the wall clock, long after t = 1000: it merges in after host A's frames.
    const stats = triode([{ port: 'et-0/0/1', file: join(dir, 'host-a.pcap') }, { port: 'et-0/0/0', file: kernelFile }], join(dir, 'ab'));
    expect(readFrames(join(dir, 'ab', 'et-0_0_0.pcap')).map(hex)).toEqual(encapsulated.map(hex));
    expect(readFrames(join(dir, 'ab', 'et-0_0_1.pcap')).map(hex)).toEqual(kernelFrames.map((f) => hex(onTheWire(innerFrame(f)))));
    expect(stats.accounting).toMatchObject({ in: 4, out: 4, dropped: 0 });
    expect(stats.balanced).toBe(true);
  });

  it.skipIf(!haveTshark)('tshark decodes what triode sent: VNI 100 with the I flag, UDP 4789 from a port in 49152-65535, 10.255.0.1 > 192.0.2.2, nothing malformed or bad', () => {
    needEncap();
    const file = join(dir, 'a', 'et-0_0_0.pcap');
    const rows = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f',
      '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'vxlan.flag_i', '-e', 'vxlan.vni',
      '-e', 'eth.src', '-e', 'eth.dst'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('|'));
    expect(rows).toHaveLength(hostAFrames.length);
    for (const [src, dst, sport, dport, flagI, vni] of rows) {
      // tshark 4.0 prints a set boolean as 1, later versions as True.
      expect({ src, dst, dport, flagI: flagI === '1' || flagI === 'True', vni }).toEqual({ src: '10.255.0.1', dst: '192.0.2.2', dport: '4789', flagI: true, vni: '100' });
      expect(Number(sport)).toBeGreaterThanOrEqual(49152);
      expect(Number(sport)).toBeLessThanOrEqual(65535);
    }
    // The inner frames as tshark sees them: host A's ARP request and echo request.
    const inner = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=l',
      '-e', 'eth.src', '-e', 'eth.dst', '-e', '_ws.col.Protocol', '-e', 'icmp.ident', '-e', 'icmp.seq'], { encoding: 'utf8' })
      .trim().split('\n');
    expect(inner).toEqual([`${HOST_A.mac}|ff:ff:ff:ff:ff:ff|ARP||`, `${HOST_A.mac}|${H1.mac}|ICMP|${PING_ID}|${PING_SEQ}`]);
    const bad = execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-Y', '_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad"'],
    { encoding: 'utf8' }).trim();
    expect(bad).toBe('');
  });
});
