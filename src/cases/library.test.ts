// The pcaps/ case library, every area (forwarding, arp-nd, mtu, mpls-gre,
// ipsec: built by scripts/make-*-cases.mjs; third-party: decode cases over
// ../shared/pcaps): every case runs and matches its expected pcaps byte for
// byte, with its counters and the accounting identity; each decode case
// agrees with the other tool's output, or is skipped with the reason when its
// capture is absent. Independent peers check what the expected pcaps hold:
// Debian's tshark reads every one (all cases in one pass) with no malformed
// packet and decrypts every ESP packet with the case's esp_sa file (ICV good
// where the SA has no ESN: tshark 4.0 leaves the ESN high bits out of the
// AAD), and scapy decrypts triode's ESP to the packets the case put in, apart
// from TTL / hop limit and the IPv4 checksum (GRE and MPLS inside opened,
// fragments reassembled; ESN high halves followed across the wrap from the
// case's sa_state).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEspSaFile } from '../config/esp-sa-file.js';
import { PY, scapyAvailable, tsharkAvailable } from '../craft/peers.js';
import { PcapWriter } from '../pcap/writer.js';
import { loadCases, type CaseSpec } from './case.js';
import { formatFailures, readFrames, runCase } from './run-case.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pcaps');
const haveScapy = scapyAvailable('library.test: scapy checks');
const haveTshark = tsharkAvailable('library.test: tshark checks');

const all = loadCases(ROOT);
/** Cases that run a device (the decode cases have no expected pcaps). */
const cases = all.filter((c) => c.kind === 'run');
const decodeCases = all.filter((c) => c.kind === 'decode');
const absent = decodeCases.filter((c) => !existsSync(c.decode!.capture) || !existsSync(c.decode!.expectedDecode));
if (absent.length) {
  console.warn(`library.test: ${absent.length} decode case(s) SKIPPED: their captures are not here (${relative(ROOT, absent[0]!.dir)}: ${absent[0]!.decode!.capture})`);
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** An Ethernet frame's IP packet (VLAN tags skipped, padding cut by the IP length), or null. */
function ipOf(f: Uint8Array): Uint8Array | null {
  let o = 12;
  while (o + 4 <= f.length && ((f[o] << 8) | f[o + 1]) === 0x8100) o += 4;
  const et = (f[o] << 8) | f[o + 1];
  const ip = f.subarray(o + 2);
  if (et === 0x0800 && ip.length >= 20) return ip.subarray(0, (ip[2] << 8) | ip[3]);
  if (et === 0x86dd && ip.length >= 40) return ip.subarray(0, 40 + ((ip[4] << 8) | ip[5]));
  return null;
}

const isEsp = (ip: Uint8Array | null): boolean => ip !== null && (ip[0] >>> 4 === 4 ? ip[9] : ip[6]) === 50;

/** An IP packet with TTL / hop limit and the IPv4 header checksum zeroed. */
function normalised(ip: Uint8Array): string {
  const q = Uint8Array.from(ip);
  if (q[0] >>> 4 === 4) { q[8] = 0; q[10] = 0; q[11] = 0; } else q[7] = 0;
  return hex(q);
}

/** IPv4 fragments (consecutive, by identification) put back together; other packets as they are. */
function reassembled(packets: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  for (const p of packets) {
    const frag = p[0] >>> 4 === 4 && ((p[6] & 0x3f) | p[7]) !== 0;
    if (!frag) { out.push(p); continue; }
    parts.push(p);
    if ((p[6] & 0x20) !== 0) continue; // more to come
    const hl = (parts[0][0] & 15) * 4;
    const data = parts.flatMap((q) => [...q.subarray((q[0] & 15) * 4)]);
    const whole = Uint8Array.from([...parts[0].subarray(0, hl), ...data]);
    whole[2] = whole.length >>> 8;
    whole[3] = whole.length & 0xff;
    whole[6] &= 0x40;
    whole[7] = 0;
    out.push(whole);
    parts = [];
  }
  return out;
}

/** Each case is run once; the tests below share the outcome. */
const outcomes = new Map<string, ReturnType<typeof runCase>>();
function outcome(spec: CaseSpec): ReturnType<typeof runCase> {
  let o = outcomes.get(spec.name);
  if (o === undefined) outcomes.set(spec.name, (o = runCase(spec)));
  return o;
}

/** The packet a GRE tunnel (IPv4 protocol 47: IPv4, IPv6 or an MPLS label stack inside) carries; other packets as they are. */
function untunnelled(ip: Uint8Array): Uint8Array {
  // VXLAN (UDP 4789 / 8472): the inner frame's IP packet; empty for frames that are not IP (ARP: the generator's intent checks those).
  if (ip[0] >>> 4 === 4 && ip[9] === 17) {
    const u = ip.subarray((ip[0] & 15) * 4);
    const port = (u[2] << 8) | u[3];
    if (port === 4789 || port === 8472) return ipOf(u.subarray(16)) ?? new Uint8Array(0);
  }
  if (ip[0] >>> 4 !== 4 || ip[9] !== 47) return ip;
  const g = ip.subarray((ip[0] & 15) * 4);
  const proto = (g[2] << 8) | g[3];
  let o = 4 + ((g[0] & 0x80) ? 4 : 0) + ((g[0] & 0x20) ? 4 : 0) + ((g[0] & 0x10) ? 4 : 0);
  if (proto === 0x8847) {
    while (o + 4 <= g.length && (g[o + 2] & 1) === 0) o += 4;
    o += 4;
  } else if (proto !== 0x0800 && proto !== 0x86dd) return ip;
  return g.subarray(o);
}

/** SPI → whether its SA uses ESN, from the case's configuration (the VPN named in the run's SA list). */
function esnBySpi(spec: CaseSpec): Map<number, boolean> {
  const o = outcome(spec);
  if (o.execution === undefined) throw new Error(`${spec.name} does not run:\n${formatFailures(o)}`);
  const m = new Map<number, boolean>();
  for (const dev of o.execution!.scenario.devices) {
    const sas = o.execution!.stats.devices[dev.name]?.ipsec?.sas ?? [];
    for (const sa of sas) {
      const vpn = dev.security?.ipsecVpns.find((v) => v.name === sa.vpn);
      m.set(parseInt(sa.spi, 16), vpn?.esn ?? false);
    }
  }
  return m;
}

const run = promisify(execFile);

/**
 * tshark's view of every expected pcap, one row per frame: number,
 * _ws.malformed, and the ESP fields (decrypted with the case's esp_sa, so the
 * inner packets are dissected and checked too). tshark takes most of a second
 * to start, so the expected pcaps of all cases go through it together: their
 * frames in one scratch pcap, their esp_sa lines in one table (cases whose SAs
 * clash, the same SPI and addresses with other keys, go in another batch).
 * IP reassembly is off, so frames of different cases never meet.
 */
let tsharkViews: Promise<Map<string, string[][]>> | undefined;
function tsharkView(file: string): Promise<string[][]> {
  tsharkViews ??= (async () => {
    const batches: { sa: Map<string, string>; files: string[] }[] = [];
    for (const c of cases) {
      const lines = c.saFile === undefined ? [] : readFileSync(c.saFile, 'utf8').split('\n').filter((l) => l.startsWith('"'));
      const keyed = lines.map((l) => [l.split('","').slice(0, 4).join('","'), l] as const);
      let b = batches.find((x) => keyed.every(([k, l]) => (x.sa.get(k) ?? l) === l));
      if (b === undefined) batches.push((b = { sa: new Map(), files: [] }));
      for (const [k, l] of keyed) b.sa.set(k, l);
      b.files.push(...c.expected.map((e) => e.file));
    }
    const views = new Map<string, string[][]>();
    await Promise.all(batches.map(async (b, i) => {
      const merged = join(scratch, `expected-${i}.pcap`);
      const w = new PcapWriter(merged, { nanosecond: true });
      const counts = b.files.map((f) => {
        const frames = readFrames(f);
        for (const x of frames) w.write(x.data, 0, x.data.length, x.tsSec, x.tsNsec);
        return frames.length;
      });
      w.close();
      const { stdout } = await run('tshark', ['-r', merged, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
        '-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE',
        ...[...b.sa.values()].flatMap((l) => ['-o', `uat:esp_sa:${l}`]),
        '-T', 'fields', '-e', 'frame.number', '-e', '_ws.malformed', '-e', 'esp.spi', '-e', 'esp.icv_good', '-e', 'esp.protocol', '-e', 'esp.decrypted_data'],
      { encoding: 'utf8', maxBuffer: 256 << 20 });
      const rows = stdout.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      if (rows.length !== counts.reduce((x, y) => x + y, 0)) throw new Error(`tshark gave ${rows.length} rows for ${counts.reduce((x, y) => x + y, 0)} frames`);
      let at = 0;
      b.files.forEach((f, k) => {
        views.set(f, rows.slice(at, at + counts[k]).map((r, n) => [String(n + 1), ...r.slice(1)]));
        at += counts[k];
      });
    }));
    return views;
  })();
  return tsharkViews.then((v) => v.get(file)!);
}

const SCAPY_DECRYPT = `
import sys, json
from scapy.all import rdpcap, IP, IPv6, raw
from scapy.layers.ipsec import SecurityAssociation, ESP
out = {}
for job in json.load(open(sys.argv[1])):
    try:
        inner = []
        for p in rdpcap(job['file']):
            outer = p[IP] if IP in p else (p[IPv6] if IPv6 in p else None)
            if outer is None or ESP not in p:
                continue
            spi = p[ESP].spi
            s = next(s for s in job['sas'] if s['spi'] == spi and s['src'] == outer.src and s['dst'] == outer.dst)
            hdr = IP(src=s['src'], dst=s['dst']) if ':' not in s['src'] else IPv6(src=s['src'], dst=s['dst'])
            # ESN: the high half starts where the case's sa_state starts the SA (0 without one) and
            # goes up by one each time the low half on the wire wraps.
            low = p[ESP].seq
            if 'hi' not in s:
                s['hi'], s['last'] = s['start'] >> 32, -1
            if low < s['last']:
                s['hi'] += 1
            s['last'] = low
            sa = SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM', crypt_key=bytes.fromhex(s['key']), auth_algo='NULL',
                                     tunnel_header=hdr, esn_en=s['esn'], esn=s['hi'])
            inner.append(raw(sa.decrypt(outer)).hex())  # raises on a bad ICV
        out[job['file']] = {'inner': inner}
    except Exception as e:
        out[job['file']] = {'error': repr(e)}
print(json.dumps(out))
`;

const scratch = mkdtempSync(join(tmpdir(), 'triode-library-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let scapyResults: Promise<Record<string, { inner?: string[]; error?: string }>> | undefined;
/** One scapy process decrypts the ESP of every expected pcap of every case (Python and scapy take a second or two to start). */
function scapyDecryptAll(): Promise<Record<string, { inner?: string[]; error?: string }>> {
  scapyResults ??= (async () => {
    const jobs = cases.filter((c) => c.saFile !== undefined && outcome(c).execution !== undefined).flatMap((c) => {
      const esn = esnBySpi(c);
      const start = (spi: number): number => c.saState.find((s) => s.spi === spi)?.seq ?? 1;
      const sas = readEspSaFile(c.saFile!).map((r) => ({ spi: r.spi, src: r.src, dst: r.dst, key: hex(r.key) + hex(r.salt), esn: esn.get(r.spi) ?? false, start: start(r.spi) }));
      return c.expected.map((e) => ({ file: e.file, sas }));
    });
    const file = join(scratch, 'jobs.json');
    writeFileSync(file, JSON.stringify(jobs));
    const { stdout } = await run(PY, ['-c', SCAPY_DECRYPT, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return JSON.parse(stdout);
  })();
  return scapyResults;
}

/** The cases each area must hold: every behaviour built so far (issue 5). */
const REQUIRED: Record<string, string[]> = {
  forwarding: [
    'ipv4-forward', 'ipv6-forward', 'longest-prefix-match', 'ecmp', 'recursive-static', 'discard-reject', 'next-table-vrf',
    'vlan-qinq', 'ttl-expiry', 'no-route', 'echo-reply', 'ipv4-options', 'directed-broadcast', 'bad-headers',
  ],
  'arp-nd': [
    'arp-hold-release', 'arp-resolution-failed', 'arp-request-answered', 'gratuitous-arp', 'nd-resolution', 'ns-answered',
    'unsolicited-na', 'nd-resolution-failed',
  ],
  mtu: ['ipv4-fragment', 'ipv4-frag-needed', 'ipv6-packet-too-big', 'frame-too-long'],
  'mpls-gre': ['gre-v4-v6', 'gre-decap', 'mpls-lsp-uniform', 'mpls-lsp-pipe', 'mpls-transit'],
  ipsec: [
    'encrypt-v4-in-v4', 'encrypt-v6-in-v4', 'encrypt-v4-over-v6', 'encrypt-v6-over-v6', 'decrypt-v4', 'decrypt-v6', 'decrypt-over-v6',
    'esn-encrypt', 'esn-encrypt-wrap', 'seq-cycled', 'esn-decrypt-wrap', 'replay-window-64', 'replay-window-4096', 'ts-encrypt', 'ts-decrypt',
    'dscp-copy', 'df-bit-clear', 'df-bit-set', 'df-bit-copy', 'unknown-spi', 'auth-failure', 'st0-mtu-df', 'st0-mtu-v6', 'st0-mtu-fragment',
    'copy-outer-dscp', 'e2e-two-pe', 'mpls-gre-ipsec',
  ],
  'third-party': [
    'tcpdump-vxlan', 'tcpdump-esp0', 'tcpdump-arp-too-long-tha', 'tcpdump-icmpv6', 'zeek-ipv6-esp', 'zeek-icmp6-neighbor-advert',
    'zeek-icmp6-nd-options', 'zeek-tunnels-vxlan', 'suricata-decode-arp-2', 'suricata-eve-flow-esp', 'suricata-vxlan-decoder-02',
  ],
};

describe('the pcaps/ case library', () => {
  beforeAll(() => {
    if (haveTshark) void tsharkView('').catch(() => {});
    if (haveScapy) void scapyDecryptAll().catch(() => {});
  });

  it('holds a case for every behaviour, each described, each recording its accounting', () => {
    const names = all.map((c) => c.name);
    for (const [area, list] of Object.entries(REQUIRED)) for (const n of list) expect(names).toContain(`${area}/${n}`);
    for (const c of all) expect(c.description, c.name).toBeTruthy();
    for (const c of cases) {
      // Each records its accounting; every run also checks the identity itself.
      expect(c.counters.map((k) => k.key), c.name).toEqual(expect.arrayContaining(['accounting.in', 'accounting.out', 'accounting.dropped']));
    }
  });

  describe.each(decodeCases.map((c) => [c.name, c] as const))('%s', (_name, spec) => {
    const present = !absent.includes(spec);
    it.skipIf(!present)(`triode's decode agrees with ${spec.decode!.format}'s output`, () => {
      const o = runCase(spec);
      expect(o.skipped).toBeUndefined();
      expect(formatFailures(o)).toBe('');
      expect(o.passed).toBe(true);
    });
    if (!present) {
      it('is skipped with its reason when the capture is absent, never passed', () => {
        const o = runCase(spec);
        expect(o.passed).toBe(false);
        expect(o.skipped).toMatch(/is not here/);
      });
    }
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, spec) => {
    it('runs and matches its expected pcaps byte for byte; counters and the accounting hold', () => {
      const o = outcome(spec);
      expect(formatFailures(o)).toBe('');
      expect(o.passed).toBe(true);
      const a = o.execution!.stats.accounting;
      expect(a.in + a.generated).toBe(a.out + a.consumed + a.dropped);
    });

    it.skipIf(!haveTshark)('tshark: no malformed packet in any expected pcap; every ESP packet decrypts (ICV good without ESN)', async () => {
      const esn = spec.saFile !== undefined ? esnBySpi(spec) : new Map<number, boolean>();
      for (const e of spec.expected) {
        const rows = await tsharkView(e.file);
        const frames = readFrames(e.file);
        expect(rows, `${e.port}: a row per frame`).toHaveLength(frames.length);
        expect(rows.filter((r) => r[1] !== '').map((r) => `frame ${r[0]}: ${r[1]}`), `${e.port}: malformed`).toEqual([]);
        const esp = rows.filter((r) => r[2] !== '');
        expect(esp.length, `${e.port}: ESP frames`).toBe(frames.filter((f) => isEsp(ipOf(f.data))).length);
        if (esp.length === 0) continue;
        expect(spec.saFile, `${e.port} carries ESP: the case needs its esp_sa file`).toBeDefined();
        for (const [n, , spi, icvGood, proto, data] of esp) {
          expect(data, `${e.port} frame ${n} spi ${spi}: decrypted`).toMatch(/^[0-9a-f]+$/);
          expect(['0x04', '0x29'], `${e.port} frame ${n} spi ${spi}: next header`).toContain(proto);
          if (!esn.get(parseInt(spi, 16))) expect(icvGood, `${e.port} frame ${n} spi ${spi}: ICV`).toBe('1');
        }
      }
    });

    const espOut = spec.expected.filter((e) => readFrames(e.file).some((f) => isEsp(ipOf(f.data))));
    // Cases whose outputs carry no ESP (the decrypt side) have nothing for scapy to open.
    if (espOut.length > 0) it.skipIf(!haveScapy)('scapy decrypts the ESP triode sent to the packets put in (apart from TTL / hop limit and IPv4 checksum)', async () => {
      const all = await scapyDecryptAll();
      const inputs = spec.inputs.flatMap((i) => readFrames(i.file).map((f) => ipOf(f.data)).filter((p): p is Uint8Array => p !== null));
      const want = inputs.map(normalised);
      for (const e of espOut) {
        const r = all[e.file];
        expect(r.error, `${e.port}: scapy`).toBeUndefined();
        const got = reassembled(r.inner!.map((h) => untunnelled(Uint8Array.from(Buffer.from(h, 'hex')))).filter((p) => p.length > 0)).map(normalised);
        expect(r.inner!.length, e.port).toBeGreaterThan(0);
        // In order, each one an input packet.
        let k = 0;
        for (const g of got) {
          while (k < want.length && want[k] !== g) k++;
          expect(k, `${e.port}: decrypted ${g.slice(0, 80)}... is an input packet, in order`).toBeLessThan(want.length);
          k++;
        }
      }
    });
  });
});
