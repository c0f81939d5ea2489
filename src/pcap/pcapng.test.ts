// pcapng: hand-built files (both byte orders, several sections and
// interfaces, every timestamp resolution path, SPB, obsolete PB, skipped
// blocks), Wireshark's tools as a peer, and malformed input.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError, CaptureReader, type CaptureReaderOptions, newCaptureRecord } from './reader.js';
import { PcapWriter } from './writer.js';

const HAVE_TOOLS = ['tshark', 'editcap', 'mergecap'].every((t) => spawnSync(t, ['--version']).status === 0);
if (!HAVE_TOOLS) console.warn('pcapng tests: tshark/editcap/mergecap not found (apt-get install tshark): tool cross-checks SKIPPED');
const itTools = HAVE_TOOLS ? it : it.skip;

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'triode-pcapng-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});
function fileOf(name: string, bytes: Uint8Array): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** Builds pcapng byte by byte; shb() switches the byte order of the blocks that follow. */
class Ng {
  private parts: Uint8Array[] = [];
  private le = true;
  /** File offset of each block appended, in order. */
  readonly offsets: number[] = [];
  private size = 0;

  block(type: number, body: Uint8Array, o: { len?: number; trailer?: number; le?: boolean } = {}): this {
    const le = o.le ?? this.le;
    const padded = (body.length + 3) & ~3;
    const b = new Uint8Array(12 + padded);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, le);
    dv.setUint32(4, o.len ?? b.length, le);
    b.set(body, 8);
    dv.setUint32(8 + padded, o.trailer ?? o.len ?? b.length, le);
    this.offsets.push(this.size);
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  shb(le: boolean, o: { magic?: number; major?: number } = {}): this {
    this.le = le;
    const body = new Uint8Array(16);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, o.magic ?? 0x1a2b3c4d, le);
    dv.setUint16(4, o.major ?? 1, le);
    dv.setInt32(8, -1, le); // section length unknown
    dv.setInt32(12, -1, le);
    return this.block(0x0a0d0d0a, body);
  }
  /** opts: [code, value bytes] pairs. */
  idb(linkType: number, snaplen: number, opts: [number, Uint8Array][] = []): this {
    const body = new Uint8Array(8 + opts.reduce((a, [, v]) => a + 4 + ((v.length + 3) & ~3), 0) + (opts.length ? 4 : 0));
    const dv = new DataView(body.buffer);
    dv.setUint16(0, linkType, this.le);
    dv.setUint32(4, snaplen, this.le);
    let q = 8;
    for (const [code, v] of opts) {
      dv.setUint16(q, code, this.le);
      dv.setUint16(q + 2, v.length, this.le);
      body.set(v, q + 4);
      q += 4 + ((v.length + 3) & ~3);
    }
    return this.block(1, body);
  }
  tsresol(v: number): [number, Uint8Array] {
    return [9, new Uint8Array([v])];
  }
  tsoffset(sec: bigint): [number, Uint8Array] {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, sec, this.le);
    return [14, v];
  }
  /** Enhanced (type 6) or obsolete (type 2) Packet Block. */
  epb(ifId: number, ticks: bigint, data: Uint8Array, o: { origLen?: number; caplen?: number; type?: 2 | 6 } = {}): this {
    const type = o.type ?? 6;
    const body = new Uint8Array(20 + data.length);
    const dv = new DataView(body.buffer);
    if (type === 6) dv.setUint32(0, ifId, this.le);
    else dv.setUint16(0, ifId, this.le);
    dv.setUint32(4, Number(ticks >> 32n), this.le);
    dv.setUint32(8, Number(ticks & 0xffffffffn), this.le);
    dv.setUint32(12, o.caplen ?? data.length, this.le);
    dv.setUint32(16, o.origLen ?? data.length, this.le);
    body.set(data, 20);
    return this.block(type, body);
  }
  spb(data: Uint8Array, origLen = data.length): this {
    const body = new Uint8Array(4 + data.length);
    new DataView(body.buffer).setUint32(0, origLen, this.le);
    body.set(data, 4);
    return this.block(3, body);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const b of this.parts) {
      out.set(b, p);
      p += b.length;
    }
    return out;
  }
}

function pkt(len: number, fill: number): Uint8Array {
  const d = new Uint8Array(len).fill(fill);
  d[0] = len & 0xff;
  return d;
}

interface Row {
  tsSec: number;
  tsNsec: number;
  origLen: number;
  caplen: number;
  ifIndex: number;
}
interface Rec extends Row {
  data: Uint8Array;
  linkType: number;
}

function readAll(file: string, opts: CaptureReaderOptions = {}): Rec[] {
  const r = CaptureReader.open(file, opts);
  const rec = newCaptureRecord();
  const out: Rec[] = [];
  try {
    while (r.next(rec)) {
      const { tsSec, tsNsec, caplen, origLen, ifIndex, linkType } = rec;
      out.push({ data: new Uint8Array(rec.buf.subarray(rec.offset, rec.offset + caplen)), tsSec, tsNsec, caplen, origLen, ifIndex, linkType });
    }
    expect(r.position).toBe(r.size);
  } finally {
    r.close();
  }
  return out;
}
const rows = (recs: Rec[]): Row[] =>
  recs.map(({ tsSec, tsNsec, origLen, caplen, ifIndex }) => ({ tsSec, tsNsec, origLen, caplen, ifIndex }));

function tshark(file: string): Row[] {
  const out = execFileSync(
    'tshark',
    ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
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

function captureError(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw new Error(`expected a CaptureError, got ${String(e)}`);
  }
  throw new Error('expected a CaptureError, nothing was thrown');
}

/** Reference conversion with BigInt: ticks at `units` per second → [sec, nsec], truncating. */
function refTs(ticks: bigint, units: bigint, offset = 0n): [number, number] {
  return [Number(ticks / units + offset), Number(((ticks % units) * 1_000_000_000n) / units)];
}

/** A two-section file: LE section with two interfaces (µs, ns) and skippable blocks (custom, ISB, local use), then a BE section. */
function twoSections(unknownType = 0x0bad): { bytes: Uint8Array; expected: Row[]; ng: Ng } {
  const ng = new Ng().shb(true).idb(1, 0).idb(1, 96, [new Ng().tsresol(9)]);
  const expected: Row[] = [];
  const usTicks = 1_700_000_000_123_456n;
  const nsTicks = 1_700_000_000_987_654_321n;
  ng.epb(0, usTicks, pkt(60, 1)).block(unknownType, new Uint8Array(20)).epb(1, nsTicks, pkt(96, 2), { origLen: 1500 });
  expected.push({ tsSec: 1_700_000_000, tsNsec: 123_456_000, origLen: 60, caplen: 60, ifIndex: 0 });
  expected.push({ tsSec: 1_700_000_000, tsNsec: 987_654_321, origLen: 1500, caplen: 96, ifIndex: 1 });
  ng.block(5, new Uint8Array(24)).block(0x80000001, new Uint8Array(5)); // ISB, local-use block
  ng.shb(false).idb(1, 0, [ng.tsresol(3)]).epb(0, 1_700_000_001_999n, pkt(61, 3)).spb(pkt(62, 4));
  expected.push({ tsSec: 1_700_000_001, tsNsec: 999_000_000, origLen: 61, caplen: 61, ifIndex: 2 });
  expected.push({ tsSec: 0, tsNsec: 0, origLen: 62, caplen: 62, ifIndex: 2 });
  return { bytes: ng.bytes(), expected, ng };
}

describe('pcapng reading', () => {
  it('two sections of opposite byte order: interfaces, resolutions, skipped blocks, SPB', () => {
    const { bytes, expected } = twoSections();
    const f = fileOf('two.pcapng', bytes);
    const r = CaptureReader.open(f);
    expect([r.format, r.nanosecond, r.littleEndian]).toEqual(['pcapng', true, true]);
    r.close();
    const got = readAll(f);
    expect(rows(got)).toEqual(expected);
    expect(got.map((g) => g.data)).toEqual([pkt(60, 1), pkt(96, 2), pkt(61, 3), pkt(62, 4)]);
    expect(got.map((g) => g.linkType)).toEqual([1, 1, 1, 1]);
    for (const chunkSize of [64, 100, 333]) expect(readAll(f, { chunkSize })).toEqual(got);
  });

  itTools('tshark reads the hand-built two-section file the same (interface ids per section in tshark 4.0)', () => {
    // tshark shows a Custom Block (0xbad) as a record of its own; use an unassigned type here.
    const { bytes, expected } = twoSections(0x99);
    const t = tshark(fileOf('two-t.pcapng', bytes));
    // tshark 4.0 reports frame.interface_id relative to the section; we number interfaces across the file.
    expect(t).toEqual(expected.map((e, i) => ({ ...e, ifIndex: i < 2 ? e.ifIndex : e.ifIndex - 2 })));
  });

  it('timestamps convert exactly for every resolution path (decimal, binary, BigInt, if_tsoffset)', () => {
    const cases: { resol: number; units: bigint; offset?: bigint }[] = [
      { resol: 0, units: 1n },
      { resol: 3, units: 1000n },
      { resol: 6, units: 1_000_000n },
      { resol: 9, units: 1_000_000_000n },
      { resol: 9, units: 1_000_000_000n, offset: -86400n },
      { resol: 6, units: 1_000_000n, offset: 1_000_000n },
      { resol: 0x80, units: 1n },
      { resol: 0x8a, units: 1024n },
      { resol: 0x94, units: 1n << 20n },
      { resol: 0x9e, units: 1n << 30n },
      { resol: 0xa0, units: 1n << 32n },
      { resol: 0xa8, units: 1n << 40n },
      { resol: 12, units: 1_000_000_000_000n },
    ];
    const ng = new Ng().shb(true);
    for (const c of cases) ng.idb(1, 0, c.offset === undefined ? [ng.tsresol(c.resol)] : [ng.tsresol(c.resol), ng.tsoffset(c.offset)]);
    const expected: [number, number, number][] = [];
    let s = 99n;
    cases.forEach((c, i) => {
      // Present-day instants, the largest counts below 2^53 and 2^64, and carries at every digit.
      const samples = [c.units * 1_700_000_000n + c.units - 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n, 0n, 0xffffffffn, 0x1_0000_ffffn];
      for (let k = 0; k < 40; k++) {
        s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
        samples.push(k < 20 ? s % (c.units * 4_000_000_000n) : s);
      }
      for (const t of samples) {
        if (t >> 64n) continue;
        ng.epb(i, t, pkt(60, i));
        const [sec, nsec] = refTs(t, c.units, c.offset);
        if (Number.isSafeInteger(sec)) expected.push([i, sec, nsec]);
        else expected.push([i, NaN, nsec]);
      }
    });
    const got = readAll(fileOf('resol.pcapng', ng.bytes()));
    expect(got.length).toBe(expected.length);
    got.forEach((g, k) => {
      const [i, sec, nsec] = expected[k];
      expect(g.ifIndex).toBe(i);
      expect(g.tsNsec, `case ${k}`).toBe(nsec);
      // Seconds beyond 2^53 cannot be exact in a number; below that they must be.
      if (!Number.isNaN(sec)) expect(g.tsSec, `case ${k}`).toBe(sec);
    });
  });

  itTools('tshark converts every if_tsresol 10^-0..10^-9 and 2^-0..2^-32 as we do', () => {
    const resols = [...Array(10).keys(), ...[0, 1, 7, 10, 16, 20, 24, 29, 30, 31, 32].map((k) => 0x80 | k)];
    const ng = new Ng().shb(true);
    for (const v of resols) ng.idb(1, 0, [ng.tsresol(v)]);
    let s = 5n;
    resols.forEach((v, i) => {
      const units = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
      for (let k = 0; k < 8; k++) {
        s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
        ng.epb(i, units * 1_700_000_000n + (s % (units * 100_000_000n)), pkt(60, k));
      }
    });
    const f = fileOf('resol-t.pcapng', ng.bytes());
    expect(rows(readAll(f))).toEqual(tshark(f));
  });

  it('obsolete Packet Block (type 2), SPB clipped by snaplen and block, nanosecond flag', () => {
    const ng = new Ng().shb(true).idb(1, 100).epb(0, 5_000_001n, pkt(70, 9), { type: 2 }).spb(pkt(120, 8)).spb(pkt(40, 7), 1000);
    const f = fileOf('pb.pcapng', ng.bytes());
    expect(CaptureReader.open(f).nanosecond).toBe(false);
    const got = readAll(f);
    expect(rows(got)).toEqual([
      { tsSec: 5, tsNsec: 1000, origLen: 70, caplen: 70, ifIndex: 0 },
      { tsSec: 0, tsNsec: 0, origLen: 120, caplen: 100, ifIndex: 0 },
      { tsSec: 0, tsNsec: 0, origLen: 1000, caplen: 40, ifIndex: 0 },
    ]);
    expect(got[1].data).toEqual(pkt(120, 8).subarray(0, 100));
  });

  it('skips an unknown block larger than the chunk without buffering it', () => {
    const ng = new Ng().shb(true).idb(1, 0).epb(0, 1n, pkt(60, 1)).block(0x0bad, new Uint8Array(50_000)).epb(0, 2n, pkt(60, 2));
    const f = fileOf('bigskip.pcapng', ng.bytes());
    const r = CaptureReader.open(f, { chunkSize: 4096 });
    const rec = newCaptureRecord();
    let n = 0;
    while (r.next(rec)) n++;
    expect([n, r.bufferCapacity, r.position]).toEqual([2, 4096, r.size]);
    r.close();
    const bad = ng.bytes();
    new DataView(bad.buffer).setUint32(ng.offsets[3] + 50_000 + 8, 4, true);
    const e = captureError(() => readAll(fileOf('bigskip-bad.pcapng', bad), { chunkSize: 4096 }));
    expect([e.offset, e.reason]).toEqual([ng.offsets[3], 'block type 0x00000bad: trailing length 4 does not match leading length 50012']);
  });

  it('requireEthernet rejects a non-Ethernet IDB at its offset; off, link types come per record', () => {
    const ng = new Ng().shb(true).idb(1, 0).epb(0, 1n, pkt(60, 1)).idb(113, 0).epb(1, 2n, pkt(60, 2));
    const f = fileOf('sll.pcapng', ng.bytes());
    const e = captureError(() => readAll(f));
    expect(e.message).toBe(`${f}: byte ${ng.offsets[3]}: link type 113 (LINUX_SLL) is not supported: triode reads Ethernet (link type 1) captures`);
    expect(readAll(f, { requireEthernet: false }).map((g) => g.linkType)).toEqual([1, 113]);
  });
});

describe('Wireshark tools as a peer (pcapng)', () => {
  function sourcePcap(name: string, nanosecond: boolean, n: number, seed: number): string {
    const f = path.join(tmp, name);
    const w = new PcapWriter(f, { nanosecond });
    for (let i = 0; i < n; i++) {
      const len = 60 + ((i * 7919 + seed * 31) % 1455);
      w.write(pkt(len, (i + seed) & 0xff), 0, len, 1_600_000_000 + seed * 1000 + i, (i * 987_654_321 + seed) % 1e9, len + (i % 3));
    }
    w.close();
    return f;
  }

  itTools('editcap -F pcapng (µs and ns sources): same packets and timestamps, as tshark reads them', () => {
    for (const nanosecond of [false, true]) {
      const src = sourcePcap(`src-${nanosecond}.pcap`, nanosecond, 150, 1);
      const ng = path.join(tmp, `conv-${nanosecond}.pcapng`);
      execFileSync('editcap', ['-F', 'pcapng', src, ng], { stdio: 'ignore' });
      const r = CaptureReader.open(ng);
      expect([r.format, r.nanosecond]).toEqual(['pcapng', nanosecond]);
      r.close();
      const got = readAll(ng);
      expect(got).toEqual(readAll(src));
      expect(rows(got)).toEqual(tshark(ng));
    }
  });

  itTools('mergecap -F pcapng -I none: several IDBs (µs, ns, another link type) as tshark numbers them', () => {
    const a = sourcePcap('a.pcap', false, 40, 2);
    const b = sourcePcap('b.pcap', true, 40, 3);
    const c = path.join(tmp, 'c.pcap');
    execFileSync('editcap', ['-F', 'pcap', '-T', 'rawip', sourcePcap('c-src.pcap', false, 20, 4), c], { stdio: 'ignore' });
    const m = path.join(tmp, 'merged.pcapng');
    execFileSync('mergecap', ['-F', 'pcapng', '-I', 'none', '-w', m, a, b, c], { stdio: 'ignore' });
    const got = readAll(m, { requireEthernet: false });
    expect(got.length).toBe(100);
    expect(rows(got)).toEqual(tshark(m));
    expect(new Set(got.map((g) => `${g.ifIndex}:${g.linkType}`))).toEqual(new Set(['0:1', '1:1', '2:101']));
    expect(captureError(() => readAll(m)).reason).toMatch(/^link type 101 \(RAW\) is not supported/);
  });

  itTools('concatenated pcapng files are one multi-section file', () => {
    const parts = [1, 2, 3].map((k) => {
      const f = path.join(tmp, `sec-${k}.pcapng`);
      execFileSync('editcap', ['-F', 'pcapng', sourcePcap(`sec-${k}.pcap`, k === 2, 30, 10 + k), f], { stdio: 'ignore' });
      return f;
    });
    const cat = fileOf('cat.pcapng', Buffer.concat(parts.map((p) => fs.readFileSync(p))));
    const got = readAll(cat);
    expect(got.map((g) => g.ifIndex)).toEqual([...Array(30).fill(0), ...Array(30).fill(1), ...Array(30).fill(2)]);
    expect(got).toEqual(parts.flatMap((p, k) => readAll(p).map((g) => ({ ...g, ifIndex: k }))));
    expect(rows(got).map((g) => ({ ...g, ifIndex: 0 }))).toEqual(tshark(cat)); // tshark 4.0: ids per section
  });
});

describe('malformed pcapng', () => {
  const base = (): Ng => new Ng().shb(true).idb(1, 0).epb(0, 1n, pkt(60, 1)).epb(0, 2n, pkt(61, 2));
  const good = base();
  const goodBytes = good.bytes();
  const [, idbOff, epb1, epb2] = good.offsets;
  const errorOf = (bytes: Uint8Array, opts: CaptureReaderOptions = {}): CaptureError =>
    captureError(() => readAll(fileOf('bad.pcapng', bytes), opts));
  const patch32 = (off: number, v: number): Uint8Array => {
    const b = goodBytes.slice();
    new DataView(b.buffer).setUint32(off, v, true);
    return b;
  };
  const expectError = (e: CaptureError, offset: number, reason: string | RegExp): void => {
    expect(e.offset).toBe(offset);
    if (typeof reason === 'string') expect(e.reason).toBe(reason);
    else expect(e.reason).toMatch(reason);
    expect(e.message.startsWith(`${e.file}: byte ${offset}: `)).toBe(true);
  };

  it('SHB with a bad byte-order magic, first or later in the file; unsupported version', () => {
    expectError(errorOf(new Ng().shb(true, { magic: 0x11223344 }).bytes()), 0, 'section header block has bad byte-order magic 0x44332211');
    const two = base().shb(false, { magic: 0x01020304 });
    expectError(errorOf(two.bytes()), two.offsets[4], 'section header block has bad byte-order magic 0x01020304');
    expectError(errorOf(new Ng().shb(true, { major: 2 }).bytes()), 0, 'unsupported pcapng version 2.0 (expected 1.x)');
  });

  it('bad block lengths and trailer mismatches name the block', () => {
    expectError(errorOf(patch32(epb1 + 4, 47)), epb1, 'block type 0x00000006 has bad length 47 (must be a multiple of 4 and at least 12)');
    expectError(errorOf(patch32(epb2 + 4, 8)), epb2, /has bad length 8/);
    const trailerOff = epb1 + new DataView(goodBytes.buffer).getUint32(epb1 + 4, true) - 4;
    expectError(errorOf(patch32(trailerOff, 12)), epb1, 'block type 0x00000006: trailing length 12 does not match leading length 92');
    expectError(errorOf(patch32(4, 1 << 30)), 0, 'section header block has bad length 1073741824');
    expectError(errorOf(patch32(epb1 + 4, 1 << 30)), epb1, 'block type 0x00000006 length 1073741824 exceeds the maximum for its type');
  });

  it('packet blocks for undefined interfaces, before any IDB, with bad caplens', () => {
    expectError(errorOf(patch32(epb2 + 8, 1)), epb2, 'packet block for interface 1, but its section defines 1 interface(s)');
    const noIdb = new Ng().shb(true).epb(0, 1n, pkt(60, 1));
    expectError(errorOf(noIdb.bytes()), noIdb.offsets[1], 'packet block for interface 0, but its section defines 0 interface(s)');
    const spb = new Ng().shb(true).spb(pkt(60, 1));
    expectError(errorOf(spb.bytes()), spb.offsets[1], 'simple packet block, but its section defines no interface');
    // A later section's EPB may not use the earlier section's interfaces.
    const sec2 = base().shb(true).epb(0, 1n, pkt(60, 1));
    expectError(errorOf(sec2.bytes()), sec2.offsets[5], /interface 0, but its section defines 0/);
    expectError(errorOf(patch32(epb1 + 20, 64)), epb1, 'packet caplen 64 overruns its block of 92 bytes');
    expectError(errorOf(patch32(epb1 + 20, 0x7ffffff0)), epb1, 'packet caplen 2147483632 exceeds the maximum of 262144 bytes');
  });

  it('IDB options overrunning the block and unsupported if_tsresol', () => {
    const ng = new Ng().shb(true).idb(1, 0, [[2, new Uint8Array(8)]]);
    const bytes = ng.bytes();
    new DataView(bytes.buffer).setUint16(ng.offsets[1] + 16 + 2, 200, true);
    expectError(errorOf(bytes), ng.offsets[1], 'interface description block: option 2 overruns the block');
    const r = new Ng().shb(true);
    r.idb(1, 0, [r.tsresol(0x7f)]);
    expectError(errorOf(r.bytes()), r.offsets[1], 'interface description block: unsupported if_tsresol 0x7f');
  });

  it('truncation: clean EOF only at block boundaries; a cut block or header is named', () => {
    for (const end of [epb1, epb2, goodBytes.length]) expect(() => readAll(fileOf('cut.pcapng', goodBytes.subarray(0, end)))).not.toThrow();
    expectError(errorOf(goodBytes.subarray(0, epb2 + 40)), epb2, 'truncated block type 0x00000006 (40 of 96 bytes)');
    expectError(errorOf(goodBytes.subarray(0, epb2 + 6)), epb2, 'truncated block header (6 bytes left; a block has at least 12)');
    expectError(errorOf(goodBytes.subarray(0, 20)), 0, 'truncated section header block (20 of 28 bytes)');
    expectError(errorOf(goodBytes.subarray(0, idbOff + 16)), idbOff, /^truncated block type 0x00000001/);
  });

  it('every truncation and random corruption gives records or a CaptureError, nothing else', () => {
    const bounds = new Set([...good.offsets.slice(1), goodBytes.length]);
    for (let n = 0; n <= goodBytes.length; n++) {
      try {
        readAll(fileOf('trunc.pcapng', goodBytes.subarray(0, n)), { chunkSize: 64 });
        expect(bounds.has(n), `length ${n}`).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
      }
    }
    const rich = twoSections().bytes;
    let s = 777;
    for (let k = 0; k < 1000; k++) {
      const bad = rich.slice();
      for (let j = 0; j < 2; j++) {
        s = (s * 1103515245 + 12345) >>> 0;
        bad[s % bad.length] = s >>> 24;
      }
      try {
        readAll(fileOf('fuzz.pcapng', bad), { requireEthernet: false, chunkSize: 128 });
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
      }
    }
  });
});
