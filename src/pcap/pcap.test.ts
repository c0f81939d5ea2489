// Classic pcap: reader + writer round trips, Wireshark's tools as an
// independent peer, third-party captures, malformed input, constant memory.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError, CaptureReader, type CaptureReaderOptions, newCaptureRecord } from './reader.js';
import { encodePcap, type PcapPacket, PcapWriter } from './writer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedPcaps = path.resolve(repoRoot, '..', 'shared', 'pcaps');
const HAVE_TOOLS = ['tshark', 'editcap', 'mergecap'].every((t) => spawnSync(t, ['--version']).status === 0);
if (!HAVE_TOOLS) console.warn('pcap tests: tshark/editcap/mergecap not found (apt-get install tshark): tool cross-checks SKIPPED');
const itTools = HAVE_TOOLS ? it : it.skip;

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'triode-pcap-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});
const tmpFile = (name: string): string => path.join(tmp, name);

/** Deterministic packets: sizes 60..1514, increasing timestamps with nanosecond digits. */
function makePackets(n: number, seed = 1): PcapPacket[] {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const out: PcapPacket[] = [];
  let sec = 1_700_000_000;
  for (let i = 0; i < n; i++) {
    const len = 60 + Math.floor(rnd() * 1455);
    const data = new Uint8Array(len);
    for (let j = 0; j < len; j++) data[j] = (rnd() * 256) | 0;
    sec += Math.floor(rnd() * 3);
    out.push({ data, tsSec: sec, tsNsec: Math.floor(rnd() * 1e9) });
  }
  return out;
}

interface Rec {
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origLen: number;
  ifIndex: number;
  linkType: number;
}

function readAll(file: string, opts: CaptureReaderOptions = {}): Rec[] {
  const r = CaptureReader.open(file, opts);
  const rec = newCaptureRecord();
  const out: Rec[] = [];
  try {
    while (r.next(rec)) {
      const { tsSec, tsNsec, caplen, origLen, ifIndex, linkType } = rec;
      const data = new Uint8Array(rec.buf.subarray(rec.offset, rec.offset + caplen));
      out.push({ data, tsSec, tsNsec, caplen, origLen, ifIndex, linkType });
    }
    expect(r.position).toBe(r.size);
  } finally {
    r.close();
  }
  return out;
}

function captureError(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw new Error(`expected a CaptureError, got ${String(e)}`);
  }
  throw new Error('expected a CaptureError, nothing was thrown');
}

interface TsharkRow {
  tsSec: number;
  tsNsec: number;
  origLen: number;
  caplen: number;
  ifIndex: number;
}

function tshark(file: string): TsharkRow[] {
  const out = execFileSync(
    'tshark',
    ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [t, len, cap, ifid] = l.split('\t');
      const [s, frac = ''] = t.split('.');
      return { tsSec: Number(s), tsNsec: Number(frac.padEnd(9, '0')), origLen: Number(len), caplen: Number(cap), ifIndex: Number(ifid || 0) };
    });
}

/** One comparable line per record (toEqual on string arrays is fast and diffs readably). */
const lines = (recs: Rec[]): string[] =>
  recs.map((r) => `${r.tsSec}.${r.tsNsec} ${r.caplen}/${r.origLen} if${r.ifIndex} lt${r.linkType} ${Buffer.from(r.data).toString('base64')}`);

const rows = (recs: Rec[]): TsharkRow[] =>
  recs.map((r) => ({ tsSec: r.tsSec, tsNsec: r.tsNsec, origLen: r.origLen, caplen: r.caplen, ifIndex: r.ifIndex }));

function writeFile(file: string, pkts: PcapPacket[], opts: ConstructorParameters<typeof PcapWriter>[1] = {}): PcapWriter {
  const w = new PcapWriter(file, opts);
  for (const p of pkts) w.write(p.data, 0, p.data.length, p.tsSec, p.tsNsec, p.origLen);
  w.close();
  return w;
}

describe('classic pcap round trip', () => {
  const pkts = makePackets(300);

  it('nanosecond: bytes, lengths and timestamps come back exactly', () => {
    const f = tmpFile('rt-ns.pcap');
    const w = writeFile(f, pkts, { nanosecond: true });
    expect(w.packets).toBe(300);
    expect(w.bytes).toBe(pkts.reduce((a, p) => a + p.data.length, 0));
    const r = CaptureReader.open(f);
    expect([r.format, r.nanosecond, r.littleEndian, r.linkType, r.snaplen]).toEqual(['pcap', true, true, 1, 262144]);
    r.close();
    const got = readAll(f);
    expect(got.length).toBe(300);
    got.forEach((g, i) => {
      expect(g.data).toEqual(pkts[i].data);
      expect([g.tsSec, g.tsNsec, g.caplen, g.origLen, g.ifIndex, g.linkType]).toEqual([
        pkts[i].tsSec, pkts[i].tsNsec, pkts[i].data.length, pkts[i].data.length, 0, 1,
      ]);
    });
  });

  it('microsecond: nanoseconds are truncated to µs', () => {
    const f = tmpFile('rt-us.pcap');
    writeFile(f, pkts);
    const got = readAll(f);
    expect(CaptureReader.open(f).nanosecond).toBe(false);
    got.forEach((g, i) => {
      expect(g.data).toEqual(pkts[i].data);
      expect(g.tsNsec).toBe(Math.floor(pkts[i].tsNsec / 1000) * 1000);
    });
    const edge = tmpFile('edge-us.pcap');
    writeFile(edge, [{ data: new Uint8Array(60), tsSec: 4294967295, tsNsec: 999_999_999 }]);
    expect(readAll(edge).map((g) => [g.tsSec, g.tsNsec])).toEqual([[4294967295, 999_999_000]]);
  });

  it('snaplen truncates and keeps origLen; encodePcap matches PcapWriter byte for byte', () => {
    const f = tmpFile('snap.pcap');
    writeFile(f, pkts, { snaplen: 128, nanosecond: true });
    const got = readAll(f);
    got.forEach((g, i) => {
      expect(g.caplen).toBe(Math.min(128, pkts[i].data.length));
      expect(g.origLen).toBe(pkts[i].data.length);
      expect(g.data).toEqual(pkts[i].data.subarray(0, 128));
    });
    expect(new Uint8Array(fs.readFileSync(f))).toEqual(encodePcap(pkts, { snaplen: 128, nanosecond: true }));
  });

  it('big-endian files (both magics) read the same', () => {
    for (const nanosecond of [false, true]) {
      const f = tmpFile(`be-${nanosecond}.pcap`);
      fs.writeFileSync(f, encodePcap(pkts, { littleEndian: false, nanosecond }));
      const r = CaptureReader.open(f);
      expect([r.littleEndian, r.nanosecond]).toEqual([false, nanosecond]);
      r.close();
      const got = readAll(f);
      got.forEach((g, i) => {
        expect(g.data).toEqual(pkts[i].data);
        expect(g.tsNsec).toBe(nanosecond ? pkts[i].tsNsec : Math.floor(pkts[i].tsNsec / 1000) * 1000);
      });
    }
  });

  it('tiny chunks (refills and growth at every record) give identical records', () => {
    const f = tmpFile('chunks.pcap');
    writeFile(f, pkts, { nanosecond: true });
    const ref = readAll(f);
    for (const chunkSize of [64, 1000, 1531, 4096, 65536]) expect(lines(readAll(f, { chunkSize }))).toEqual(lines(ref));
  });

  it('a record kept with slice() is a copy: editing it or reading on (chunk refills) leaves it and the chunk alone', () => {
    // The chunk is a plain Uint8Array, as CaptureRecord.buf is typed: a Node Buffer's slice() is a view, so a
    // "copy" would share bytes with the chunk (and with other "copies"), and the next refill would overwrite it.
    const f = tmpFile('kept.pcap');
    writeFile(f, pkts, { nanosecond: true });
    const r = CaptureReader.open(f, { chunkSize: 4096 });
    const rec = newCaptureRecord();
    const kept: Uint8Array[] = [];
    try {
      expect(r.next(rec)).toBe(true);
      const a = rec.buf.slice(rec.offset, rec.offset + rec.caplen);
      a[0] ^= 0xff;
      expect(rec.buf[rec.offset]).toBe(pkts[0].data[0]);
      expect(rec.buf.slice(rec.offset, rec.offset + rec.caplen)).toEqual(pkts[0].data);
      do kept.push(rec.buf.slice(rec.offset, rec.offset + rec.caplen)); while (r.next(rec));
    } finally {
      r.close();
    }
    expect(kept).toEqual(pkts.map((p) => p.data));
  });

  it('writer: flushes past its buffer, rejects bad timestamps, close is idempotent', () => {
    const f = tmpFile('big-writes.pcap');
    const many = makePackets(3000, 7); // ~2.3 MB, more than the 1 MiB buffer
    const w = writeFile(f, many, { nanosecond: true });
    w.close();
    expect(fs.statSync(f).size).toBe(24 + many.reduce((a, p) => a + 16 + p.data.length, 0));
    expect(readAll(f).length).toBe(3000);
    const w2 = new PcapWriter(tmpFile('bad.pcap'));
    expect(() => w2.write(new Uint8Array(60), 0, 60, -1, 0)).toThrow(RangeError);
    expect(() => w2.write(new Uint8Array(60), 0, 60, 0, 1e9)).toThrow(RangeError);
    expect(() => w2.write(new Uint8Array(60), 0, 60, 2 ** 32, 0)).toThrow(RangeError);
    w2.write(new Uint8Array(100).fill(7), 20, 60, 5, 6000, 1500);
    w2.close();
    expect(() => w2.write(new Uint8Array(60), 0, 60, 0, 0)).toThrow(/after close/);
    const g = readAll(tmpFile('bad.pcap'));
    expect(g.map((x) => [x.tsSec, x.tsNsec, x.caplen, x.origLen])).toEqual([[5, 6000, 60, 1500]]);
    expect(g[0].data).toEqual(new Uint8Array(60).fill(7));
  });
});

describe('constant memory', () => {
  it('reads a 20 MB file through one chunk that is never reallocated', () => {
    const f = tmpFile('20mb.pcap');
    const w = new PcapWriter(f, { nanosecond: true });
    const src = new Uint8Array(1514);
    for (let i = 0; i < src.length; i++) src[i] = i & 0xff;
    let n = 0;
    let expectedSum = 0;
    while (w.bytes < 20_000_000) {
      const len = 64 + ((n * 7919) % 1451);
      src[0] = n & 0xff;
      w.write(src, 0, len, 1_700_000_000 + (n >>> 10), n % 1e9);
      expectedSum += (n & 0xff) + src[len - 1];
      n++;
    }
    w.close();
    const r = CaptureReader.open(f, { chunkSize: 1 << 20 });
    const capacity = r.bufferCapacity;
    expect(capacity).toBe(1 << 20);
    expect(r.size).toBeGreaterThan(16 * capacity);
    const rec = newCaptureRecord();
    const chunks = new Set<Uint8Array>();
    let count = 0;
    let sum = 0;
    while (r.next(rec)) {
      chunks.add(rec.buf);
      sum += rec.buf[rec.offset] + rec.buf[rec.offset + rec.caplen - 1];
      if (rec.tsNsec !== count % 1e9) throw new Error(`record ${count}: tsNsec ${rec.tsNsec}`);
      count++;
    }
    expect(r.bufferCapacity).toBe(capacity);
    expect(chunks.size).toBe(1);
    expect([count, sum, r.position]).toEqual([n, expectedSum, r.size]);
    r.close();
  });
});

describe('Wireshark tools as a peer (classic pcap)', () => {
  const pkts = makePackets(200, 3).map((p, i) => (i % 5 === 0 ? { ...p, origLen: p.data.length + 40 } : p));

  itTools('tshark reads what we write (µs and ns) as we read it', () => {
    for (const nanosecond of [false, true]) {
      const f = tmpFile(`tshark-${nanosecond}.pcap`);
      writeFile(f, pkts, { nanosecond });
      const ours = readAll(f);
      expect(ours.length).toBe(200);
      expect(tshark(f)).toEqual(rows(ours));
    }
  });

  itTools('editcap conversions (ns pcap, µs pcap, big/little) read identically, bytes included', () => {
    const src = tmpFile('editcap-src.pcap');
    writeFile(src, pkts, { nanosecond: true });
    const ref = readAll(src);
    const nsec = tmpFile('editcap-nsec.pcap');
    execFileSync('editcap', ['-F', 'nsecpcap', src, nsec], { stdio: 'ignore' });
    expect(lines(readAll(nsec))).toEqual(lines(ref));
    expect(tshark(nsec)).toEqual(rows(ref));
    const usec = tmpFile('editcap-usec.pcap');
    execFileSync('editcap', ['-F', 'pcap', src, usec], { stdio: 'ignore' });
    const got = readAll(usec);
    expect(got.map((g) => g.data)).toEqual(ref.map((g) => g.data));
    expect(got.map((g) => g.tsNsec)).toEqual(ref.map((g) => Math.floor(g.tsNsec / 1000) * 1000));
    expect(tshark(usec)).toEqual(rows(got));
  });

  itTools('a non-Ethernet capture gets the clear link-type error at its header or IDB', () => {
    const src = tmpFile('eth.pcap');
    writeFile(src, pkts.slice(0, 3));
    const sll = tmpFile('sll.pcap');
    execFileSync('editcap', ['-F', 'pcap', '-T', 'linux-sll', src, sll], { stdio: 'ignore' });
    const e = captureError(() => CaptureReader.open(sll));
    expect(e.message).toBe(`${sll}: byte 0: link type 113 (LINUX_SLL) is not supported: triode reads Ethernet (link type 1) captures`);
    expect(readAll(sll, { requireEthernet: false }).map((g) => g.linkType)).toEqual([113, 113, 113]);
    const sllng = tmpFile('sll.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', '-T', 'linux-sll', src, sllng], { stdio: 'ignore' });
    const shbLen = fs.readFileSync(sllng).readUInt32LE(4);
    const e2 = captureError(() => CaptureReader.open(sllng));
    expect([e2.offset, e2.reason]).toEqual([shbLen, e.reason]);
    expect(readAll(sllng, { requireEthernet: false }).map((g) => g.linkType)).toEqual([113, 113, 113]);
  });
});

describe('third-party captures (../shared/pcaps)', () => {
  const files: string[] = [];
  if (fs.existsSync(sharedPcaps)) {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.pcap(ng)?$/.test(e.name)) files.push(p);
      }
    };
    walk(sharedPcaps);
    files.sort();
  } else {
    console.warn(`pcap tests: ${sharedPcaps} is absent: third-party capture checks SKIPPED`);
  }
  const itShared = files.length > 0 ? it : it.skip;

  itShared(`every capture reads as tshark reads it (${files.length} files)`, () => {
    for (const f of files) {
      const any = readAll(f, { requireEthernet: false });
      if (any.some((g) => g.linkType !== 1)) {
        expect(captureError(() => readAll(f)).reason).toMatch(/^link type \d+ \(.*\) is not supported: triode reads Ethernet/);
      } else {
        expect(lines(readAll(f))).toEqual(lines(any));
      }
      expect(any.length, f).toBeGreaterThan(0);
      if (HAVE_TOOLS) expect(rows(any), f).toEqual(tshark(f));
    }
  });

  itShared('re-encoding a little-endian µs capture with PcapWriter reproduces its records byte for byte', () => {
    for (const f of files) {
      const orig = fs.readFileSync(f);
      if (orig.readUInt32LE(0) !== 0xa1b2c3d4) continue;
      const out = tmpFile('reencode.pcap');
      const w = new PcapWriter(out, { linkType: orig.readUInt32LE(20) });
      for (const g of readAll(f, { requireEthernet: false })) w.write(g.data, 0, g.caplen, g.tsSec, g.tsNsec, g.origLen);
      w.close();
      expect(fs.readFileSync(out).subarray(24).equals(orig.subarray(24)), f).toBe(true);
    }
  });
});

describe('malformed classic pcap', () => {
  const good = encodePcap(makePackets(4, 9), { nanosecond: true });
  const recEnd: number[] = [];
  for (let p = 24; p < good.length; ) {
    p += 16 + new DataView(good.buffer).getUint32(p + 8, true);
    recEnd.push(p);
  }
  const fileOf = (name: string, bytes: Uint8Array): string => {
    const f = tmpFile(name);
    fs.writeFileSync(f, bytes);
    return f;
  };
  const errorOf = (bytes: Uint8Array, opts: CaptureReaderOptions = {}): CaptureError =>
    captureError(() => readAll(fileOf('bad.pcap', bytes), opts));

  it('truncated or absent global header, bad magic, gzip, bad version', () => {
    expect(errorOf(new Uint8Array(0)).message).toMatch(/bad\.pcap: byte 0: truncated file header \(0 bytes\)/);
    expect(errorOf(good.subarray(0, 10)).message).toMatch(/: byte 0: truncated pcap file header \(10 of 24 bytes\)$/);
    expect(errorOf(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])).reason).toBe('bad magic 0x01020304: not a pcap or pcapng file');
    expect(errorOf(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])).reason).toMatch(/gzip-compressed/);
    const v3 = good.slice();
    v3[4] = 3;
    expect(errorOf(v3).reason).toBe('unsupported pcap version 3.4 (expected 2.x)');
  });

  it('a file ending exactly at a record boundary is clean EOF; anything else names the record', () => {
    for (let i = 0; i < recEnd.length; i++) expect(readAll(fileOf('cut.pcap', good.subarray(0, recEnd[i]))).length).toBe(i + 1);
    expect(readAll(fileOf('hdr-only.pcap', good.subarray(0, 24))).length).toBe(0);
    const e1 = errorOf(good.subarray(0, recEnd[1] + 10));
    expect([e1.offset, e1.reason]).toEqual([recEnd[1], 'truncated record header (10 of 16 bytes)']);
    const e2 = errorOf(good.subarray(0, recEnd[1] + 16 + 5));
    expect(e2.offset).toBe(recEnd[1]);
    expect(e2.reason).toMatch(/^truncated record body \(5 of \d+ bytes\)$/);
  });

  it('an absurd caplen is corrupt, not an allocation', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(recEnd[0] + 8, 0x7fffffff, true);
    const e = errorOf(bad);
    expect([e.offset, e.reason]).toEqual([recEnd[0], 'record caplen 2147483647 exceeds the maximum of 262144 bytes']);
  });

  it('every truncation and random corruption gives records or a CaptureError, nothing else', () => {
    for (let n = 0; n <= good.length; n++) {
      const f = fileOf('trunc.pcap', good.subarray(0, n));
      try {
        readAll(f, { chunkSize: 64 });
        expect(n === 24 || recEnd.includes(n)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
      }
    }
    let s = 12345;
    for (let k = 0; k < 500; k++) {
      const bad = good.slice();
      for (let j = 0; j < 3; j++) {
        s = (s * 1103515245 + 12345) >>> 0;
        bad[s % 80] = s >>> 24;
      }
      try {
        readAll(fileOf('fuzz.pcap', bad), { requireEthernet: false });
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
      }
    }
  });
});
