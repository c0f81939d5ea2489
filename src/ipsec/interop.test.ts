// Interop with independent ESP implementations from Debian: scapy (python3-scapy,
// run with /usr/bin/python3) and tshark. What triode encrypts, they decrypt with
// a good ICV and recover the input; what scapy encrypts, triode decrypts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeadBackends } from '../crypto/backend.js';
import { ping4, ping6, udp4Frame, pattern } from '../craft/craft.js';
import { formatEspSaLine, readEspSaFile, saConfigOf } from '../config/esp-sa-file.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { SaDatabase } from './sa.js';
import { espPcap } from './esp-pcap.js';
import { PY, scapyAvailable, tsharkAvailable } from '../craft/peers.js';

const haveScapy = scapyAvailable('interop.test: scapy interop');
const haveTshark = tsharkAvailable('interop.test: tshark interop');

const KEY = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const SALT = 'cafebabe';
const SA_LINE = `"IPv4","192.0.2.1","198.51.100.1","0x36c700ce","AES-GCM with 16 octet ICV [RFC4106]","0x${KEY}${SALT}","NULL",""`;
const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

/** Frames of different families, sizes and paddings. */
const inputs = [
  ping4(MACS, { src: '10.1.0.10', dst: '10.2.0.20' }, 1, 1),
  udp4Frame(MACS, { src: '10.1.0.10', dst: '10.2.0.20' }, 40000, 9, pattern(1)),
  udp4Frame(MACS, { src: '10.1.0.10', dst: '10.2.0.20' }, 40000, 9, pattern(2)),
  ping6(MACS, { src: '2001:db8:1::10', dst: '2001:db8:2::20' }, 1, 2, pattern(100)),
  udp4Frame(MACS, { src: '10.1.0.10', dst: '10.2.0.20', df: true }, 40000, 9, pattern(1400)),
];
const innerOf = (f: Uint8Array): string => Buffer.from(f.subarray(14)).toString('hex');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triode-interop-'));
  writeFileSync(join(dir, 'esp_sa'), `${SA_LINE}\n`);
  const w = new PcapWriter(join(dir, 'in.pcap'));
  inputs.forEach((f, i) => w.write(f, 0, f.length, 1000 + i, 0));
  w.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readFrames(file: string): Uint8Array[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Uint8Array[] = [];
  while (r.next(rec)) out.push(rec.buf.slice(rec.offset, rec.offset + rec.caplen));
  r.close();
  return out;
}

function encrypt(backend: (typeof backends)[number], out: string, esn: boolean, seq: bigint): void {
  const db = new SaDatabase(backend);
  const sa = db.add(saConfigOf(readEspSaFile(join(dir, 'esp_sa'))[0], { direction: 'outbound', mode: 'tunnel', esn, seq }));
  const { graph } = espPcap('encrypt', db, sa.index, join(dir, 'in.pcap'), out);
  expect(graph.acct).toEqual({ in: inputs.length, generated: 0, out: inputs.length, consumed: 0, dropped: 0 });
  db.close();
}

/** scapy decrypts each ESP packet of `file` (ESN high bits given per packet) and prints the inner packets as hex. */
function scapyDecrypt(file: string, esnHigh: number[] | null): string[] {
  const script = `
import sys
from scapy.all import rdpcap, Ether, IP, IPv6, raw
from scapy.layers.ipsec import SecurityAssociation, ESP
key = bytes.fromhex('${KEY}${SALT}')
highs = ${esnHigh ? JSON.stringify(esnHigh) : 'None'}
for i, p in enumerate(rdpcap(sys.argv[1])):
    sa = SecurityAssociation(ESP, spi=0x36c700ce, crypt_algo='AES-GCM', crypt_key=key, auth_algo='NULL',
                             tunnel_header=IP(src='192.0.2.1', dst='198.51.100.1'),
                             esn_en=highs is not None, esn=(highs[i] if highs else 0))
    inner = sa.decrypt(p[IP])  # raises on a bad ICV
    print(raw(inner).hex())
`;
  return execFileSync(PY, ['-c', script, file], { encoding: 'utf8' }).trim().split('\n');
}

const backends = aeadBackends();

describe.each(backends.map((b) => [b.name, b] as const))('interop on the %s backend', (_name, backend) => {
  it.skipIf(!haveScapy)('scapy decrypts what triode encrypts, with a good ICV, to the input packets', () => {
    const out = join(dir, `enc-${backend.name}.pcap`);
    encrypt(backend, out, false, 1n);
    expect(scapyDecrypt(out, null)).toEqual(inputs.map(innerOf));
  });

  it.skipIf(!haveScapy)('with ESN across 2^32: scapy needs the high bits triode never sent', () => {
    const out = join(dir, `esn-${backend.name}.pcap`);
    encrypt(backend, out, true, 0xfffffffen);
    const frames = readFrames(out);
    // Sequence field on the wire: fffffffe, ffffffff, 0, 1, 2.
    expect(frames.map((f) => Buffer.from(f.subarray(14 + 20 + 4, 14 + 20 + 8)).toString('hex'))).toEqual(['fffffffe', 'ffffffff', '00000000', '00000001', '00000002']);
    expect(scapyDecrypt(out, [0, 0, 1, 1, 1])).toEqual(inputs.map(innerOf));
    // With the wrong high bits the ICV fails: they really are in the AAD.
    expect(() => scapyDecrypt(out, [0, 0, 0, 0, 0])).toThrow();
  });

  it.skipIf(!haveScapy)('triode decrypts what scapy encrypts (with and without ESN), and counts a replay', () => {
    for (const esn of [false, true]) {
      const encFile = join(dir, `scapy-${esn}-${backend.name}.pcap`);
      const script = `
import sys
from scapy.all import Ether, IP, IPv6, wrpcap
from scapy.layers.ipsec import SecurityAssociation, ESP
key = bytes.fromhex('${KEY}${SALT}')
pkts = []
inner = [bytes.fromhex(h) for h in sys.argv[2:]]
for i, b in enumerate(inner):
    seq = 0xfffffffe + i if ${esn ? 'True' : 'False'} else 5 + i
    sa = SecurityAssociation(ESP, spi=0x36c700ce, crypt_algo='AES-GCM', crypt_key=key, auth_algo='NULL',
                             tunnel_header=IP(src='192.0.2.1', dst='198.51.100.1'),
                             esn_en=${esn ? 'True' : 'False'}, esn=seq >> 32, seq_num=seq & 0xffffffff)
    p = IP(b) if b[0] >> 4 == 4 else IPv6(b)
    # The sequence number comes from the SA: encrypt(seq_num=0) would be taken as "none given".
    e = sa.encrypt(p, iv=(seq * 7919).to_bytes(8, 'big'))
    pkts.append(Ether(src='02:00:00:00:00:03', dst='02:00:00:00:00:04') / e)
pkts.append(pkts[1])  # a replay
wrpcap(sys.argv[1], pkts)
`;
      execFileSync(PY, ['-c', script, encFile, ...inputs.map(innerOf)]);
      const db = new SaDatabase(backend);
      // A receiver that has seen nothing cannot place 0xfffffffe in epoch 0 (RFC 4303 Appendix A puts it
      // in epoch -1, as Linux does): seed it as if packets up to 0xfffffff0 had arrived.
      db.add(saConfigOf(readEspSaFile(join(dir, 'esp_sa'))[0], { direction: 'inbound', mode: 'tunnel', esn, highestSeen: esn ? 0xfffffff0 : 0 }));
      const out = join(dir, `dec-${esn}-${backend.name}.pcap`);
      const { graph } = espPcap('decrypt', db, 0, encFile, out);
      expect(readFrames(out).map(innerOf)).toEqual(inputs.map(innerOf));
      expect(graph.dropsByReason()).toEqual({ replay_errors: 1 });
      expect(db.totals().decrypted_packets).toBe(inputs.length);
      expect(db.totals().replay_errors).toBe(1);
      db.close();
    }
  });

  it.skipIf(!haveTshark)('tshark decrypts what triode encrypts with the esp_sa line: ICV good, next header, inner addresses', () => {
    const out = join(dir, `tshark-${backend.name}.pcap`);
    encrypt(backend, out, false, 1n);
    const text = execFileSync('tshark', ['-r', out, '-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE',
      '-o', `uat:esp_sa:${SA_LINE}`, '-T', 'fields', '-e', 'esp.sequence', '-e', 'esp.icv_good', '-e', 'esp.protocol', '-e', 'ip.dst', '-e', 'ipv6.dst'],
    { encoding: 'utf8' });
    const rows = text.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['1', '1', '0x04'], ['2', '1', '0x04'], ['3', '1', '0x04'], ['4', '1', '0x29'], ['5', '1', '0x04'],
    ]);
    expect(rows.map((r) => r[3])).toEqual(['198.51.100.1,10.2.0.20', '198.51.100.1,10.2.0.20', '198.51.100.1,10.2.0.20', '198.51.100.1', '198.51.100.1,10.2.0.20']);
    expect(rows[3][4]).toBe('2001:db8:2::20');
    expect(formatEspSaLine(readEspSaFile(join(dir, 'esp_sa'))[0])).toBe(SA_LINE);
  });
});
