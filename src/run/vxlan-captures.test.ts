// Third-party VXLAN captures through triode's VTEP: tcpdump's vxlan.pcap (and
// its copy on Linux's port 8472) and Zeek's tunnels_vxlan.pcap, recorded
// between two real VTEPs. triode stands in for one of them: what the other
// VTEP sent is taken in on the core port and must come out of the access port
// as the inner frame, byte for byte (and as tcpdump's .out describes it);
// the inner frames the replaced VTEP sent are taken in on the access port and
// must leave encapsulated as in the capture (same outer addresses, VNI,
// destination port and inner frame; the source port is triode's own hash).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { formatIpv4, formatMac, readU32 } from '../packet/addr.js';
import { junosScenario, runFrames, type TimedFrame } from '../craft/frames-run.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');
const haveShared = existsSync(join(SHARED, 'tcpdump', 'vxlan.pcap'));
if (!haveShared) console.warn(`vxlan-captures.test: ${SHARED} not found: the third-party VXLAN captures are SKIPPED`);

const OUTER = 14 + 20 + 8 + 8;

interface Captured extends TimedFrame {
  src: string;
  dst: string;
  dport: number;
  vni: number;
  inner: Uint8Array;
}

function readVxlan(file: string): Captured[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Captured[] = [];
  while (r.next(rec)) {
    const f = rec.buf.slice(rec.offset, rec.offset + rec.caplen);
    expect((f[12] << 8) | f[13]).toBe(0x0800);
    out.push({
      t: rec.tsSec + rec.tsNsec / 1e9, frame: f,
      src: formatIpv4(readU32(f, 26)), dst: formatIpv4(readU32(f, 30)), dport: (f[36] << 8) | f[37],
      vni: (f[46] << 16) | (f[47] << 8) | f[48], inner: f.subarray(OUTER),
    });
  }
  r.close();
  return out;
}

/**
 * A VTEP standing in for `self` (its address on lo0): the core port with its
 * MAC, the other VTEP routed via a next hop whose MAC is the capture's, one
 * access port.
 */
function vtepConfig(o: { selfMac: string; selfIp: string; peerMac: string; peerIp: string; vni: number; port: number }): string {
  return `
interfaces {
    et-0/0/0 { mac ${o.selfMac}; unit 0 { family inet { address 198.51.100.1/24 { arp 198.51.100.2 mac ${o.peerMac}; } } } }
    et-0/0/1 { encapsulation ethernet-bridge; unit 0; }
    lo0 { unit 0 { family inet { address ${o.selfIp}/32; } } }
}
routing-options { static { route ${o.peerIp}/32 next-hop 198.51.100.2; } }
routing-instances {
    EVI {
        instance-type virtual-switch;
        vtep-source-interface lo0.0;
        bridge-domains BD { vlan-id none; interface et-0/0/1.0; vxlan { vni ${o.vni}; static-remote-vtep-list ${o.peerIp}; destination-udp-port ${o.port}; } }
    }
}`;
}

/** tcpdump -e's inner line of packet k: "SRC > DST, ethertype NAME (0xXXXX), length N: ..." */
function innerLines(outFile: string): { src: string; dst: string; type: number; length: number }[] {
  return readFileSync(outFile, 'utf8').split('\n').filter((l) => /^[0-9a-f]{2}:/.test(l)).map((l) => {
    const m = /^(\S+) > (\S+), ethertype \S+ \(0x([0-9a-f]{4})\), length (\d+):/.exec(l)!;
    return { src: m[1], dst: m[2], type: parseInt(m[3], 16), length: Number(m[4]) };
  });
}

function through(file: string, vni: number, port: number, selfIp: string, outFile?: string): void {
  const cap = readVxlan(file);
  const self = cap.find((c) => c.dst === selfIp)!;
  const peer = cap.find((c) => c.src === selfIp)!;
  const cfg = vtepConfig({
    selfMac: formatMac(self.frame, 0), selfIp, peerMac: formatMac(self.frame, 6), peerIp: self.src, vni, port,
  });
  const toSelf = cap.filter((c) => c.dst === selfIp);
  const fromSelf = cap.filter((c) => c.src === selfIp);
  expect(toSelf.length + fromSelf.length).toBe(cap.length);
  const r = runFrames(junosScenario(cfg, 'VTEP'), {
    'et-0/0/0': toSelf.map((c) => ({ t: c.t, frame: c.frame })),
    'et-0/0/1': fromSelf.map((c) => ({ t: c.t, frame: c.inner.slice() })),
  });
  // Decapsulated: the inner frames, padded to the Ethernet minimum as a port sends them.
  const access = r.out['et-0/0/1'] ?? [];
  expect(access).toHaveLength(toSelf.length);
  access.forEach((o, k) => {
    const inner = toSelf[k].inner;
    expect(o.frame.length).toBe(Math.max(60, inner.length));
    expect(Buffer.from(o.frame.subarray(0, inner.length)).equals(Buffer.from(inner))).toBe(true);
  });
  if (outFile) {
    // And as tcpdump printed the inner frames of the packets sent to this VTEP.
    const lines = innerLines(outFile).filter((_, k) => cap[k].dst === selfIp);
    expect(lines).toHaveLength(access.length);
    access.forEach((o, k) => {
      expect({ src: formatMac(o.frame, 6), dst: formatMac(o.frame, 0), type: (o.frame[12] << 8) | o.frame[13] })
        .toEqual({ src: lines[k].src, dst: lines[k].dst, type: lines[k].type });
      expect(toSelf[k].inner.length).toBe(lines[k].length);
    });
  }
  // Encapsulated: as the replaced VTEP sent them, but for the IP ID, checksum and UDP source port.
  const core = r.out['et-0/0/0'] ?? [];
  expect(core).toHaveLength(fromSelf.length);
  core.forEach((o, k) => {
    const c = readVxlan1(o.frame);
    expect({ src: c.src, dst: c.dst, dport: c.dport, vni: c.vni, flags: o.frame[42] })
      .toEqual({ src: selfIp, dst: peer.dst, dport: port, vni, flags: 0x08 });
    expect(Buffer.from(o.frame.subarray(0, 12)).equals(Buffer.from(fromSelf[k].frame.subarray(0, 12)))).toBe(true);
    expect(Buffer.from(c.inner).equals(Buffer.from(fromSelf[k].inner))).toBe(true);
    const sport = (o.frame[34] << 8) | o.frame[35];
    expect(sport).toBeGreaterThanOrEqual(49152);
  });
  const a = r.stats.accounting;
  expect(a).toMatchObject({ in: cap.length, out: cap.length, dropped: 0 });
}

function readVxlan1(f: Uint8Array): { src: string; dst: string; dport: number; vni: number; inner: Uint8Array } {
  return {
    src: formatIpv4(readU32(f, 26)), dst: formatIpv4(readU32(f, 30)), dport: (f[36] << 8) | f[37],
    vni: (f[46] << 16) | (f[47] << 8) | f[48], inner: f.subarray(OUTER),
  };
}

describe.skipIf(!haveShared)('third-party VXLAN captures through triode as one of the VTEPs', () => {
  it("tcpdump's vxlan.pcap (VNI 100, port 4789): triode as 192.168.202.1", () => {
    through(join(SHARED, 'tcpdump', 'vxlan.pcap'), 100, 4789, '192.168.202.1', join(SHARED, 'tcpdump', 'vxlan.out'));
  });

  it("tcpdump's vxlan_port_8472.pcap (Linux's port): triode as 192.168.203.1", () => {
    through(join(SHARED, 'tcpdump', 'vxlan_port_8472.pcap'), 100, 8472, '192.168.203.1', join(SHARED, 'tcpdump', 'vxlan_port_8472.out'));
  });

  it("Zeek's tunnels_vxlan.pcap (VNI 123, ARP and ICMP inside): triode as 192.168.56.12", () => {
    through(join(SHARED, 'zeek', 'tunnels_vxlan.pcap'), 123, 4789, '192.168.56.12');
  });
});
