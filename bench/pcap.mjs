// pcap read/write throughput against ceilings measured in the same run.
//
//   npm run build && node bench/pcap.mjs            (PCAP_BENCH_MB=300 by default)
//
// Writes a classic pcap of mixed packet sizes (64..1500 B, uniform) into
// os.tmpdir() with PcapWriter (timed: write MB/s), then reads it with
// CaptureReader touching the first and last byte of every packet (timed:
// read MB/s). Ceilings over the same bytes: a raw fs.readSync loop into one
// 4 MiB buffer (what any reader must pay for the syscalls and page-cache
// copy) and Buffer.copy in memory (memcpy). The file is read from the page
// cache, as it was just written. MB = 10^6 bytes; the temp files are deleted.
// When editcap (Debian package tshark) is installed, the same packets are
// also converted to pcapng (ns if_tsresol) and read (PCAP_BENCH_PCAPNG=0 skips).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CaptureReader, newCaptureRecord } from '../dist/pcap/reader.js';
import { PcapWriter } from '../dist/pcap/writer.js';

const TARGET_BYTES = Number(process.env.PCAP_BENCH_MB ?? 300) * 1e6;
const ROUNDS = Number(process.env.PCAP_BENCH_ROUNDS ?? 3);
const CHUNK = 4 << 20;
const file = path.join(os.tmpdir(), `triode-bench-${process.pid}.pcap`);
const ngFile = path.join(os.tmpdir(), `triode-bench-${process.pid}.pcapng`);

let seed = 0x9e3779b9;
function rnd() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

const payload = Buffer.allocUnsafe(1 << 20);
for (let i = 0; i < payload.length; i++) payload[i] = rnd() & 0xff;

function writeFile() {
  const w = new PcapWriter(file, { nanosecond: true });
  let n = 0;
  let sum = 0;
  let fileBytes = 24;
  const t0 = process.hrtime.bigint();
  while (fileBytes < TARGET_BYTES) {
    const r = rnd();
    const len = 64 + (r % 1437);
    const off = (r >>> 11) % (payload.length - 1500);
    w.write(payload, off, len, 1_700_000_000 + (n >>> 16), n % 1_000_000_000);
    sum += payload[off] + payload[off + len - 1];
    fileBytes += 16 + len;
    n++;
  }
  w.close();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { n, sum, fileBytes, s };
}

function readFile(f = file) {
  const r = CaptureReader.open(f);
  const rec = newCaptureRecord();
  let n = 0;
  let sum = 0;
  const t0 = process.hrtime.bigint();
  while (r.next(rec)) {
    sum += rec.buf[rec.offset] + rec.buf[rec.offset + rec.caplen - 1];
    n++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  r.close();
  return { n, sum, s };
}

function rawReadSync() {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafeSlow(CHUNK);
  let pos = 0;
  let x = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    const got = fs.readSync(fd, buf, 0, CHUNK, pos);
    if (got === 0) break;
    x += buf[0];
    pos += got;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  return { bytes: pos, s, x };
}

function memcpy(total) {
  const src = Buffer.allocUnsafeSlow(64 << 20);
  src.fill(1);
  const dst = Buffer.allocUnsafeSlow(CHUNK);
  let done = 0;
  let off = 0;
  const t0 = process.hrtime.bigint();
  while (done < total) {
    const n = Math.min(CHUNK, total - done);
    if (off + n > src.length) off = 0;
    src.copy(dst, 0, off, off + n);
    off += n;
    done += n;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, x: dst[0] };
}

const mbps = (bytes, s) => bytes / 1e6 / s;
const best = (xs) => Math.min(...xs);
const fmt = (x) => x.toFixed(0).padStart(6);

try {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`);
  const wr = [];
  let gen;
  for (let i = 0; i < ROUNDS; i++) {
    seed = 0x9e3779b9;
    gen = writeFile();
    wr.push(gen.s);
  }
  const size = fs.statSync(file).size;
  if (size !== gen.fileBytes) throw new Error(`file is ${size} bytes, expected ${gen.fileBytes}`);
  console.log(`file ${file}: ${(size / 1e6).toFixed(1)} MB, ${gen.n} packets (mean ${((size - 24) / gen.n - 16).toFixed(0)} B)`);

  const rd = [];
  const raw = [];
  const cpy = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = readFile();
    if (r.n !== gen.n || r.sum !== gen.sum) throw new Error(`read ${r.n} packets sum ${r.sum}, wrote ${gen.n} sum ${gen.sum}`);
    rd.push(r.s);
    raw.push(rawReadSync().s);
    cpy.push(memcpy(size).s);
  }
  const read = mbps(size, best(rd));
  const write = mbps(size, best(wr));
  const rawRead = mbps(size, best(raw));
  const copy = mbps(size, best(cpy));
  console.log(`best of ${ROUNDS}            MB/s   Mpps   ns/pkt  ratio to readSync  ratio to memcpy`);
  const line = (name, v, s) =>
    console.log(
      `${name.padEnd(22)}${fmt(v)}  ${(gen.n / s / 1e6).toFixed(2).padStart(5)}  ${((s * 1e9) / gen.n).toFixed(1).padStart(7)}` +
        `  ${(v / rawRead).toFixed(2).padStart(17)}  ${(v / copy).toFixed(2).padStart(15)}`,
    );
  line('CaptureReader.next', read, best(rd));
  line('PcapWriter.write', write, best(wr));
  if (process.env.PCAP_BENCH_PCAPNG !== '0' && spawnSync('editcap', ['-F', 'pcapng', file, ngFile]).status === 0) {
    const ngSize = fs.statSync(ngFile).size;
    const ng = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = readFile(ngFile);
      if (r.n !== gen.n || r.sum !== gen.sum) throw new Error(`pcapng: read ${r.n} packets sum ${r.sum}, wrote ${gen.n} sum ${gen.sum}`);
      ng.push(r.s);
    }
    line(`CaptureReader pcapng`, mbps(ngSize, best(ng)), best(ng));
  }
  console.log(`${'ceiling: fs.readSync'.padEnd(22)}${fmt(rawRead)}`);
  console.log(`${'ceiling: Buffer.copy'.padEnd(22)}${fmt(copy)}`);
} finally {
  fs.rmSync(file, { force: true });
  fs.rmSync(ngFile, { force: true });
}
