import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';
import { udp4Frame } from '../craft/craft.js';
import { tsharkAvailable } from '../craft/peers.js';
import { derivedMac } from '../device/mac.js';
import { DeviceRt } from '../device/device.js';
import { formatIpv4, formatMac } from '../packet/addr.js';
import { PcapWriter } from '../pcap/writer.js';
import { parseSflowDatagram, writeFlowSample, writeSflowDatagramHeader, flowSampleLen, type SflowDatagram } from '../packet/sflow.js';
import { loadJunosText } from '../config/junos-device.js';
import { loadScenarioText } from '../config/scenario.js';

const CONF = (rate = 10, extra = '') => `
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:02; } } } }
  et-0/0/1 { unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac 02:00:00:00:01:02; } } } }
  et-0/0/9 { unit 0 { family inet { address 10.9.0.1/24 { arp 10.9.0.2 mac 02:00:00:00:09:02; } } } }
  lo0 { unit 0 { family inet { address 192.0.2.1/32; } } }
}
routing-options { static { route 198.18.0.0/16 next-hop 10.1.0.2; } }
protocols {
  sflow {
    agent-id 192.0.2.1;
    source-ip 192.0.2.1;
    collector 10.9.0.2 { udp-port 6343; }
    sample-rate { ingress ${rate}; }
    interfaces et-0/0/0;
    ${extra}
  }
}
`;

const ET0 = formatMac(derivedMac('R1', 'et-0/0/0'));

function frame(k: number, t: number, payload = 20): TimedFrame {
  return { t, frame: udp4Frame({ dst: ET0, src: '02:00:00:00:00:02' }, { src: '10.0.0.2', dst: `198.18.${k >> 8}.${k & 0xff}` }, 1000 + (k & 0x3fff), 53, new Uint8Array(payload)) };
}

/** The sFlow datagrams in a port's output: IPv4/UDP to the collector, decoded. */
function datagrams(out: TimedFrame[]): SflowDatagram[] {
  return out.map((f) => {
    const d = f.frame;
    expect((d[12] << 8) | d[13]).toBe(0x0800);
    expect(d[23]).toBe(17);
    expect((d[34] << 8) | d[35]).toBe(6343);
    expect((d[36] << 8) | d[37]).toBe(6343);
    const udpLen = (d[38] << 8) | d[39];
    const dg = parseSflowDatagram(d, 42, udpLen - 8);
    if (typeof dg === 'string') throw new Error(dg);
    return dg;
  });
}

describe('sFlow v5 codec', () => {
  it('writes a datagram with one flow sample, byte for byte', () => {
    const buf = new Uint8Array(200);
    const hdr = Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    let n = writeSflowDatagramHeader(buf, 0, 0xc0000201, 0, 7, 1500, 1);
    n += writeFlowSample(buf, n, {
      sequence: 3, sourceIfIndex: 1, samplingRate: 10, samplePool: 30, drops: 0, input: 1, output: 2, frameLength: 64, stripped: 4,
    }, hdr, 0, 5);
    expect(n).toBe(28 + flowSampleLen(5));
    const hex = Buffer.from(buf.subarray(0, n)).toString('hex');
    expect(hex).toBe([
      '00000005', '00000001', 'c0000201', '00000000', '00000007', '000005dc', '00000001', // version, IPv4, agent, sub-agent, seq, uptime, 1 sample
      '00000001', '00000040', // flow_sample (0,1), 64 bytes
      '00000003', '00000001', '0000000a', '0000001e', '00000000', '00000001', '00000002', '00000001', // seq, source 0:1, rate, pool, drops, in, out, 1 record
      '00000001', '00000018', // sampled_header (0,1), 24 bytes
      '00000001', '00000040', '00000004', '00000005', 'aabbccddee000000', // Ethernet, frame length 64, stripped 4, 5 header bytes padded
    ].join(''));
    const dg = parseSflowDatagram(buf, 0, n) as SflowDatagram;
    expect(dg).toMatchObject({ version: 5, agent: 0xc0000201, sequence: 7, uptimeMs: 1500, otherSamples: 0 });
    expect(dg.flowSamples[0]).toMatchObject({ sequence: 3, sourceIfIndex: 1, samplingRate: 10, samplePool: 30, input: 1, output: 2, frameLength: 64, stripped: 4 });
    expect([...dg.flowSamples[0]!.header]).toEqual([...hdr]);
  });

  it('reads malformed datagrams as an error string, never a throw or a read past the end', () => {
    const buf = new Uint8Array(100);
    const n = writeSflowDatagramHeader(buf, 0, 1, 0, 1, 0, 1) + writeFlowSample(buf, 28, {
      sequence: 1, sourceIfIndex: 1, samplingRate: 1, samplePool: 1, drops: 0, input: 1, output: 0, frameLength: 8, stripped: 4,
    }, new Uint8Array(4), 0, 4);
    for (let cut = 0; cut < n; cut++) expect(typeof parseSflowDatagram(buf.slice(0, cut), 0, cut)).toBe('string');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = parseSflowDatagram(bytes, 0, bytes.length);
      return typeof r === 'string' || r.version === 5;
    }));
  });
});

describe('sFlow agent', () => {
  it('samples 1 in N packets taken in, and exports them as datagrams routed to the collector', () => {
    const frames: TimedFrame[] = [];
    for (let k = 0; k < 100; k++) frames.push(frame(k, 1 + k * 1e-4));
    const r = runFrames(junosScenario(CONF(10)), { 'et-0/0/0': frames });
    expect(r.out['et-0/0/1']?.length).toBe(100); // the sampled packets go on unchanged
    const out = r.out['et-0/0/9']!;
    const dgs = datagrams(out);
    const samples = dgs.flatMap((d) => d.flowSamples);
    expect(samples.length).toBe(10);
    // Leaves by the FIB towards the collector: et-0/0/9's MAC to the collector's, from source-ip.
    expect(formatMac(out[0]!.frame.subarray(0, 6))).toBe('02:00:00:00:09:02');
    expect(formatIpv4((out[0]!.frame[26] << 24 | out[0]!.frame[27] << 16 | out[0]!.frame[28] << 8 | out[0]!.frame[29]) >>> 0)).toBe('192.0.2.1');
    expect(dgs.map((d) => d.sequence)).toEqual(dgs.map((_, i) => i + 1));
    for (const d of dgs) expect(formatIpv4(d.agent)).toBe('192.0.2.1');
    expect(samples.map((s) => s.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const [i, s] of samples.entries()) {
      expect(s).toMatchObject({ sourceIfIndex: 1, input: 1, output: 2, samplingRate: 10, drops: 0, headerProtocol: 1, stripped: 4 });
      // One per block of 10: the sample pool is in the sample's block.
      expect(s.samplePool).toBeGreaterThan(i * 10);
      expect(s.samplePool).toBeLessThanOrEqual((i + 1) * 10);
      const k = s.samplePool - 1;
      const f = frames[k]!.frame;
      expect(s.frameLength).toBe(f.length + 4);
      expect(Buffer.from(s.header).equals(Buffer.from(f))).toBe(true);
    }
    const st = r.stats.devices.R1!;
    expect(st.sflow).toMatchObject({ agent: '192.0.2.1', collectors: ['10.9.0.2:6343'], pool: 100, samples: 10, drops: 0, datagrams: dgs.length });
    expect(st.sflow!.ports['et-0/0/0']).toEqual({ ifIndex: 1, samplingRate: 10, pool: 100, samples: 10 });
    expect(r.stats.accounting).toMatchObject({ in: 100, generated: dgs.length, out: 100 + dgs.length });
    expect(r.stats.balanced).toBe(true);
  });

  it('is deterministic: the same input gives the same datagrams, byte for byte', () => {
    const frames: TimedFrame[] = [];
    for (let k = 0; k < 300; k++) frames.push(frame(k, 1 + k * 1e-3, k % 200));
    const a = runFrames(junosScenario(CONF(7)), { 'et-0/0/0': frames }).out['et-0/0/9']!;
    const b = runFrames(junosScenario(CONF(7)), { 'et-0/0/0': frames }).out['et-0/0/9']!;
    expect(a.length).toBeGreaterThan(1);
    expect(b.map((f) => Buffer.from(f.frame).toString('hex'))).toEqual(a.map((f) => Buffer.from(f.frame).toString('hex')));
  });

  it('batches into 1400-byte datagrams, sends one whose first sample is 1 s old, and the rest at the end; uptime in ms from the first input', () => {
    const frames: TimedFrame[] = [];
    for (let k = 0; k < 40; k++) frames.push(frame(k, 100 + k * 1e-3, 200)); // 242-byte frames: 128-byte headers, 7 samples a datagram
    frames.push(frame(40, 102.5));
    const r = runFrames(junosScenario(CONF(1)), { 'et-0/0/0': frames });
    const out = r.out['et-0/0/9']!;
    const dgs = datagrams(out);
    expect(dgs.map((d) => d.flowSamples.length)).toEqual([7, 7, 7, 7, 7, 5, 1]);
    for (const f of out) expect(f.frame.length - 42).toBeLessThanOrEqual(1400);
    // Full ones at the sample that did not fit; the 6th when the frame at 102.5 s comes (its first sample > 1 s old); the last at the end.
    expect(out.map((f) => Math.round((f.t - 100) * 1000))).toEqual([7, 14, 21, 28, 35, 2500, 2500]);
    expect(dgs.map((d) => d.uptimeMs)).toEqual([7, 14, 21, 28, 35, 2500, 2500]);
    expect(dgs[0]!.flowSamples.every((s) => s.header.length === 128 && s.frameLength === 246)).toBe(true);
  });

  it('N packets in M give floor(M/N) or ceil(M/N) samples; accounting balances', () => {
    const dev = new DeviceRt(loadJunosText(CONF(1), 'R1.conf', { deviceName: 'R1' }));
    const f = frame(1, 1).frame;
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 3000 }), (n, m) => {
      const d = new DeviceRt(loadJunosText(CONF(n), 'R1.conf', { deviceName: 'R1' }));
      for (let i = 0; i < m; i++) {
        if (!d.inject(0, f, 0, f.length, 1, i)) {
          d.runBatch();
          d.inject(0, f, 0, f.length, 1, i);
        }
      }
      d.runBatch();
      d.endInput();
      d.runBatch();
      const got = d.sflow!.samples[0]!;
      const a = d.graph.acct;
      return got >= Math.floor(m / n) && got <= Math.ceil(m / n) && a.in + a.generated === a.out + a.consumed + a.dropped;
    }), { numRuns: 40 });
    void dev;
  });

  it('a sampled packet dropped or taken in by the device has output 0 (unknown)', () => {
    const toUs = udp4Frame({ dst: ET0, src: '02:00:00:00:00:02' }, { src: '10.0.0.2', dst: '10.0.0.1' }, 1, 9, new Uint8Array(8));
    const noRoute = udp4Frame({ dst: ET0, src: '02:00:00:00:00:02' }, { src: '10.0.0.2', dst: '203.0.113.1' }, 1, 9, new Uint8Array(8));
    const r = runFrames(junosScenario(CONF(1)), { 'et-0/0/0': [{ t: 1, frame: toUs }, { t: 1.001, frame: noRoute }] });
    const s = datagrams(r.out['et-0/0/9']!).flatMap((d) => d.flowSamples);
    expect(s.map((x) => [x.input, x.output])).toEqual([[1, 0], [1, 0]]);
  });

  it('reports sFlow configuration mistakes with file:line:column', () => {
    const bad = `
interfaces { et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24; } } } }
protocols {
  sflow {
    sample-rate { ingress 0; }
    collector 10.9.0.2 { udp-port 99999; }
    interfaces et-0/0/7;
  }
}
`;
    expect(() => loadJunosText(bad, 'r.conf')).toThrow([
      'r.conf:4:3: sflow: no agent address: set agent-id or source-ip (or routing-options router-id, or an lo0.0 inet address)',
      "r.conf:5:27: sflow sample-rate '0' is not in 1..16777215",
      "r.conf:6:35: sflow collector 10.9.0.2: udp-port '99999' is not in 1..65535",
      'r.conf:7:16: sflow interfaces et-0/0/7: no such interface',
    ].join('\n'));
    expect(() => loadJunosText('interfaces { et-0/0/0; } protocols { sflow { agent-id 1.2.3.4; interfaces et-0/0/0; } }', 'c.conf')).toThrow(
      'c.conf:1:38: sflow: no collector (collector A { udp-port P; })',
    );
  });

  it('YAML sflow: is the same model', () => {
    const sc = loadScenarioText(`
devices:
  R1:
    interfaces:
      et-0/0/0: { inet: [10.0.0.1/24] }
      et-0/0/9: { inet: [10.9.0.1/24] }
    sflow:
      agent-id: 192.0.2.1
      collectors: [10.9.0.2, { address: 10.9.0.3, udp-port: 9999 }]
      sample-rate: 100
      interfaces: [et-0/0/0, { et-0/0/9: { sample-rate: 5 } }]
`, 's.yaml');
    expect(sc.devices[0]!.sflow).toMatchObject({
      agentId: '192.0.2.1', sampleRateIngress: 100,
      collectors: [{ address: '10.9.0.2', udpPort: 6343 }, { address: '10.9.0.3', udpPort: 9999 }],
      interfaces: [{ port: 'et-0/0/0' }, { port: 'et-0/0/9', sampleRateIngress: 5 }],
    });
    expect(() => loadScenarioText(`
devices:
  R1:
    interfaces: { et-0/0/0: { inet: [10.0.0.1/24] } }
    sflow: { agent-id: 300.1.1.1, collectors: [10.9.0.2], interfaces: [et-0/0/0] }
`, 'b.yaml')).toThrow(/b\.yaml:5:\d+: sflow agent-id: '300\.1\.1\.1' is not an IPv4 address/);
  });

  it('tshark decodes the datagrams: version 5, the agent, the rate, the samples, the sampled Ethernet/IPv4 header; nothing malformed', () => {
    if (!tsharkAvailable('sFlow tshark decode')) return;
    const frames: TimedFrame[] = [];
    for (let k = 0; k < 30; k++) frames.push(frame(k, 1 + k * 1e-3));
    const r = runFrames(junosScenario(CONF(3)), { 'et-0/0/0': frames });
    const out = r.out['et-0/0/9']!;
    const dir = mkdtempSync(join(tmpdir(), 'triode-sflow-'));
    try {
      const file = join(dir, 'sflow.pcap');
      const w = new PcapWriter(file);
      for (const f of out) w.write(f.frame, 0, f.frame.length, Math.floor(f.t), Math.round((f.t % 1) * 1e9));
      w.close();
      const fields = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|',
        '-e', 'sflow_245.version', '-e', 'sflow_245.agent', '-e', 'sflow_245.numsamples', '-e', 'sflow.flow_sample.sampling_rate',
        '-e', 'sflow.flow_sample.input_interface', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.srcport'], { encoding: 'utf8' });
      expect(fields.status, fields.stderr).toBe(0);
      const lines = fields.stdout.trim().split('\n');
      expect(lines.length).toBe(out.length);
      let total = 0;
      for (const line of lines) {
        const [version, agent, num, rates, inputs, ipSrc, ipDst] = line.split('|');
        expect(version).toBe('5');
        expect(agent).toBe('192.0.2.1');
        total += Number(num);
        for (const x of rates!.split(',')) expect(x).toBe('3');
        for (const x of inputs!.split(',')) expect(x).toBe('1');
        // The outer datagram, then each sampled header decoded as IPv4: 10.0.0.2 → 198.18.0.k.
        const src = ipSrc!.split(',');
        const dst = ipDst!.split(',');
        expect(src[0]).toBe('192.0.2.1');
        expect(dst[0]).toBe('10.9.0.2');
        expect(src.slice(1).every((s) => s === '10.0.0.2')).toBe(true);
        expect(dst.slice(1).every((s) => /^198\.18\.0\.\d+$/.test(s))).toBe(true);
        expect(src.length - 1).toBe(Number(num));
      }
      expect(total).toBe(10);
      const v = spawnSync('tshark', ['-r', file, '-V'], { encoding: 'utf8' });
      expect(v.status).toBe(0);
      expect(v.stdout).toContain('InMon sFlow');
      expect(v.stdout).toContain('Datagram version: 5');
      expect(v.stdout).toMatch(/Sampling rate: 1 out of 3 packets/);
      expect(v.stdout).toContain('Header protocol: Ethernet');
      expect(v.stdout).not.toMatch(/Malformed|Expert Info \(Error|Bad checksum/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
