// SA scale: what one SA and one VPN cost in memory, how long a hub of N VPNs
// takes to build, and its encrypt / decrypt throughput with frames to all N
// VPNs in round robin (the hub of ipsec-hub.ts, as bench/ipsec.mjs runs it),
// as a ratio to raw AES-GCM of the same backend over the same inner sizes
// measured in the same run.
//
// Memory is counted two ways, and both are reported:
//  - measured: process.memoryUsage() after full GCs (heapUsed + external;
//    external includes arrayBuffers) plus the native addon's own count of its
//    key records (keyMemory(): process.memoryUsage() cannot see them). Per SA: an SaDatabase of N SA pairs, then N more (the
//    difference over 2N SAs, so fixed costs and growth slack cancel out). Per
//    VPN: the hub of N VPNs against a hub of BASE_VPNS (the device's fixed
//    costs: packet slab, tables, graph), split into the configuration model
//    (Junos parse) and the device at run time, SAs taken out.
//  - exact: the database's typed arrays, its names array, the addon's key
//    records and the device's per-SA maps, over the SAs.
//
// Throughput input is capped (`frames`, default 131,072 frames: 16 per VPN up
// to 8,192 VPNs) so that 100,000 VPNs do not need 1.6 million frames; frame i
// goes to VPN i mod N, so every VPN is visited in every pass through the
// input whatever N. Above 16,384 VPNs the hub uses traffic selectors (st0
// units are shared; see ipsec-hub.ts); `selectors: true` uses them at every N.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AeadBackend } from '../crypto/aead.js';
import { DESC_WORDS } from '../crypto/aead.js';
import { getAeadBackend } from '../crypto/backend.js';
import { loadJunosText } from '../config/junos-device.js';
import type { EspSaRecord } from '../config/esp-sa-file.js';
import { DeviceRt } from '../device/device.js';
import { SA_OUTBOUND, SaDatabase } from '../ipsec/sa.js';
import { SLOT_SIZE, VECTOR_SIZE } from '../packet/batch.js';
import { buildHub, hubCleartext, hubEspSa, hubJunos, hubSelectors, portIndex, type HubOptions } from './ipsec-hub.js';
import { packFrames, type PackedFrames } from './packed.js';

export interface ScaleSasOptions {
  /** VPN counts (a hub of N VPNs has 2N SAs). */
  counts: number[];
  /** Frame sizes with the FCS, the input's mix (default [1420]); the inner IP packet is size - 18 bytes. */
  sizes?: number[];
  /** Time per measurement (default 0.3 s); the best of `passes` alternating passes is kept. */
  seconds?: number;
  passes?: number;
  /** Most input frames (default 131,072). */
  frames?: number;
  /** 'cpu' times with the process's CPU time (a shared machine), 'wall' with the clock (default). */
  clock?: 'wall' | 'cpu';
  /** Traffic selectors at every N (default: only beyond 16,384 VPNs, where st0 units run out). */
  selectors?: boolean;
  /** AEAD backend (default: the process's). */
  aead?: AeadBackend;
  /** Memory only: no throughput (encrypt / decrypt are NaN). */
  memoryOnly?: boolean;
  /** Progress lines (building, measuring) as they happen. */
  log?: (line: string) => void;
}

export interface Rate {
  mpps: number;
  /** Mpps over the raw AES-GCM ceiling's. */
  ratioToCeiling: number;
  /** ns per packet. */
  ns: number;
  /** Packets sent in over all passes; every one came out of the hub's other port (checked). */
  packets: number;
}

export interface ScaleSasResult {
  vpns: number;
  sas: number;
  /** Measured bytes per SA (JS heap + external + native key store), inbound and outbound alike. */
  bytesPerSa: number;
  /** Exact count per SA: the database's arrays, names, native key records, the device's per-SA maps. */
  bytesPerSaExact: number;
  /** Exact, by direction (inbound carries the anti-replay window's bits and an SPI-table slot). */
  bytesPerSaInbound: number;
  bytesPerSaOutbound: number;
  /** Measured bytes per VPN beyond its two SAs: configuration model + device at run time. */
  bytesPerVpn: number;
  /** bytesPerVpn split: the Junos configuration model, and the device's own (st0 IFL, routes, VPN, tunnel). */
  bytesPerVpnModel: number;
  bytesPerVpnDevice: number;
  /** Seconds to build the hub: esp_sa parse, Junos text, Junos parse, DeviceRt. */
  buildSeconds: number;
  build: { espSa: number; text: number; parse: number; device: number };
  /** Whether the hub used traffic selectors (st0 units shared). */
  selectors: boolean;
  /** Input frames per pass and the frame-size mix. */
  frames: number;
  sizes: number[];
  encrypt: Rate;
  decrypt: Rate;
  /** The raw AES-GCM ceiling (one key, the same inner sizes, 256 per call). */
  ceiling: { mpps: number; ns: number };
}

/** Hub size whose memory is taken as the device's fixed part. */
const BASE_VPNS = 16;

let gcFn: (() => void) | undefined;
function fullGc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  // Twice: the first run's finalisers free what the second collects.
  gcFn();
  gcFn();
}

interface Mem {
  js: number;
  native: number;
}

function memory(aead: AeadBackend): Mem {
  fullGc();
  const m = process.memoryUsage();
  // Live keys' records: the addon's arena keeps freed records for reuse, so its
  // allocated bytes would not grow with keys added after others were removed.
  const k = aead.keyMemory();
  return { js: m.heapUsed + m.external, native: k.recordBytes !== undefined ? k.keys * k.recordBytes : k.bytes ?? 0 };
}

const total = (a: Mem, b: Mem): number => b.js - a.js + (b.native - a.native);

/** SA pairs like the hub's (hub → spoke i, spoke i → hub), keys made from i: no esp_sa text in the heap. */
function addPairs(db: SaDatabase, from: number, to: number): void {
  const key = new Uint8Array(32);
  const salt = new Uint8Array(4);
  for (let i = from; i <= to; i++) {
    key[0] = i;
    key[1] = i >>> 8;
    key[2] = i >>> 16;
    salt[3] = i;
    const spoke = `13.${20 + (i >>> 16)}.${(i >>> 8) & 0xff}.${i & 0xff}`;
    const common = { name: 'V', mode: 'tunnel', cipher: 'aes-256-gcm', key, salt } as const;
    db.add({ ...common, spi: 0x1000000 + i, direction: 'outbound', tunnelSrc: '13.10.1.1', tunnelDst: spoke });
    db.add({ ...common, spi: 0x2000000 + i, direction: 'inbound', tunnelSrc: spoke, tunnelDst: '13.10.1.1' });
  }
  db.trim();
}

/** Measured bytes per SA: N pairs, then N more, the difference over 2N SAs. */
function measureSaBytes(n: number, aead: AeadBackend): number {
  const db = new SaDatabase(aead);
  try {
    addPairs(db, 1, n);
    const m0 = memory(aead);
    addPairs(db, n + 1, 2 * n);
    const m1 = memory(aead);
    return total(m0, m1) / (2 * n);
  } finally {
    db.close();
  }
}

/** Exact bytes of a device's SAs: database arrays, names, native key records, device maps. */
function exactSaBytes(dev: DeviceRt, aead: AeadBackend): { all: number; inbound: number; outbound: number } {
  const db = dev.ipsec!;
  const km = aead.keyMemory();
  const perKey = km.recordBytes ?? (km.bytes !== undefined && km.keys > 0 ? km.bytes / km.keys : 0);
  const n = db.count;
  // Per SA in every SA: fixed-width rows; the inbound ones add their ring words and SPI-table slots.
  let inbound = 0;
  for (let i = 0; i < n; i++) if (!(db.flags[i]! & SA_OUTBOUND)) inbound++;
  const rows = db.arrayBytes() - db.rw.bits.byteLength;
  const spiTable = db.spiTableBytes();
  const shared = (rows - spiTable) / n + 8 /* names slot */ + 4 + 8 /* vpnOfSa, tsOfSa */ + perKey;
  const all = shared + (db.rw.bits.byteLength + spiTable) / n;
  return { all, inbound: shared + (db.rw.bits.byteLength + spiTable) / Math.max(1, inbound), outbound: shared };
}

function nowFn(clock: 'wall' | 'cpu'): () => number {
  return clock === 'cpu'
    ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
    : () => performance.now();
}

/** Feeds the frames one vector at a time for `seconds`; `wrap` runs untimed each time the input starts over. */
function pump(dev: DeviceRt, p: PackedFrames, inPort: number, seconds: number, now: () => number, wrap?: () => void): { mpps: number; ns: number; packets: number } {
  const { buf, offs, lens, count } = p;
  let n = 0;
  let k = 0;
  let busy = 0;
  const wallEnd = performance.now() + seconds * 1000 * 10;
  while (busy < seconds * 1000 && performance.now() < wallEnd) {
    const t0 = now();
    for (let rep = 0; rep < 8; rep++) {
      for (let i = 0; i < VECTOR_SIZE; i++) dev.inject(inPort, buf, offs[k + i]!, lens[k + i]!, 1, 0);
      dev.runBatch();
      n += VECTOR_SIZE;
      k += VECTOR_SIZE;
      if (k === count) {
        k = 0;
        if (wrap) {
          const t1 = now();
          wrap();
          busy -= now() - t1;
        }
      }
    }
    busy += now() - t0;
  }
  return { mpps: n / busy / 1e3, ns: (busy * 1e6) / n, packets: n };
}

/** The ceiling: the backend sealing the inner sizes (frame - 18 B) with an 8-byte AAD, laid out like ESP, 256 per call. */
export function rawAesGcm(aead: AeadBackend, sizes: readonly number[], seconds: number, now: () => number): { mpps: number; ns: number } {
  const h = aead.addKey(Uint8Array.from({ length: 32 }, (_, i) => i));
  const slab = new Uint8Array(SLOT_SIZE * VECTOR_SIZE);
  const vectors = Math.max(1, Math.ceil(sizes.length / VECTOR_SIZE));
  const descs: Uint32Array[] = [];
  for (let v = 0; v < vectors; v++) {
    const desc = new Uint32Array(VECTOR_SIZE * DESC_WORDS);
    for (let i = 0; i < VECTOR_SIZE; i++) {
      const o = i * SLOT_SIZE;
      const size = sizes[(v * VECTOR_SIZE + i) % sizes.length]! - 18;
      desc.set([h, o, o + 16, 8, o + 64, size, o + 64 + size, 16], i * DESC_WORDS);
    }
    descs.push(desc);
  }
  let n = 0;
  let v = 0;
  const t0 = now();
  const end = t0 + seconds * 1000;
  while (now() < end) {
    aead.seal(slab, descs[v]!, VECTOR_SIZE);
    v = v + 1 === vectors ? 0 : v + 1;
    n += VECTOR_SIZE;
  }
  const ms = now() - t0;
  aead.removeKey(h);
  return { mpps: n / ms / 1e3, ns: (ms * 1e6) / n };
}

function checkAcct(dev: DeviceRt, what: string): void {
  const a = dev.graph.acct;
  if (a.in + a.generated !== a.out + a.consumed + a.dropped || a.dropped !== 0) {
    throw new Error(`${what}: ${dev.name} lost packets: ${JSON.stringify(a)} ${JSON.stringify(dev.graph.dropsByReason())}`);
  }
}

/** Memory of a hub of n VPNs: after the model, after the device (both kept). */
function hubMemory(n: number, records: readonly EspSaRecord[], aead: AeadBackend, opts: HubOptions): { model: number; device: number; dev: DeviceRt } {
  const text = hubJunos('A', n, opts);
  const m0 = memory(aead);
  const model = loadJunosText(text, 'A.conf', { deviceName: 'A' });
  const m1 = memory(aead);
  const dev = new DeviceRt(model, { saRecords: records, aead });
  const m2 = memory(aead);
  return { model: total(m0, m1), device: total(m1, m2), dev };
}

export function measureSas(opts: ScaleSasOptions): ScaleSasResult[] {
  const aead = opts.aead ?? getAeadBackend();
  const sizes = opts.sizes ?? [1420];
  const seconds = opts.seconds ?? 0.3;
  const passes = opts.passes ?? 3;
  const maxFrames = opts.frames ?? 131072;
  const now = nowFn(opts.clock ?? 'wall');
  const log = opts.log ?? (() => {});
  const out: ScaleSasResult[] = [];
  for (const n of opts.counts) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`measureSas: VPN count ${n} is not a positive integer`);
    const hubOpts: HubOptions = { selectors: hubSelectors(n, { selectors: opts.selectors }) };

    // Memory: per SA on a database of its own; per VPN as the hub against a small hub.
    const bytesPerSa = measureSaBytes(n, aead);
    const { vpnModel, vpnDevice, exact } = ((): { vpnModel: number; vpnDevice: number; exact: ReturnType<typeof exactSaBytes> } => {
      const base = Math.min(BASE_VPNS, n);
      const records = hubEspSa(n);
      const small = hubMemory(base, records.slice(0, 2 * base), aead, hubOpts);
      small.dev.ipsec?.close();
      const big = hubMemory(n, records, aead, hubOpts);
      const perVpn = (x: number, y: number): number => (n > base ? (x - y) / (n - base) : x / n);
      const r = { vpnModel: perVpn(big.model, small.model), vpnDevice: perVpn(big.device, small.device) - 2 * bytesPerSa, exact: exactSaBytes(big.dev, aead) };
      big.dev.ipsec?.close();
      return r;
    })();
    log(`${n} VPNs: ${bytesPerSa.toFixed(0)} B per SA (exact ${exact.all.toFixed(0)}: inbound ${exact.inbound.toFixed(0)}, outbound ${exact.outbound.toFixed(0)}), ${(vpnModel + vpnDevice).toFixed(0)} B per VPN beyond its SAs (model ${vpnModel.toFixed(0)}, device ${vpnDevice.toFixed(0)})`);
    fullGc(); // the measured hubs are garbage now: not the timed build's to collect

    // Build time (the hub as a run builds it, memory figures aside).
    const t0 = performance.now();
    const recs = hubEspSa(n);
    const espSa = (performance.now() - t0) / 1000;
    const A = buildHub('A', n, recs, aead, hubOpts);
    const build = { espSa, text: A.gen, parse: A.parse, device: A.device };
    const buildSeconds = espSa + A.gen + A.parse + A.device;
    log(`${n} VPNs: built in ${buildSeconds.toFixed(2)} s (esp_sa ${espSa.toFixed(2)}, text ${A.gen.toFixed(2)}, parse ${A.parse.toFixed(2)}, device ${A.device.toFixed(2)})`);

    const frames = Math.max(VECTOR_SIZE, Math.min(maxFrames, VECTOR_SIZE * Math.ceil((16 * n) / VECTOR_SIZE)));
    const count = Math.ceil(frames / VECTOR_SIZE) * VECTOR_SIZE;
    const nan: Rate = { mpps: NaN, ratioToCeiling: NaN, ns: NaN, packets: 0 };
    let encrypt = nan;
    let decrypt = nan;
    let ceiling = { mpps: NaN, ns: NaN };
    if (!opts.memoryOnly) {
      const a = A.dev;
      const aLan = portIndex(a, 'et-0/0/1');
      const aCore = portIndex(a, 'et-0/0/0');
      let coreOut = 0;
      let lanOut = 0;
      a.sinks[aCore] = () => void coreOut++;
      a.sinks[aLan] = () => void lanOut++;
      const enc = packFrames(hubCleartext('A', n, sizes, count, hubOpts));
      // Decrypt input: the spokes encrypt their frames once (untimed), rising sequence numbers per SA.
      const dec = ((): PackedFrames => {
        const B = buildHub('B', n, recs, aead, hubOpts).dev;
        const bLan = portIndex(B, 'et-0/0/1');
        const bCore = portIndex(B, 'et-0/0/0');
        const esp: Uint8Array[] = [];
        B.sinks[bCore] = (d, off, len) => void esp.push(d.slice(off, off + len));
        const clear = packFrames(hubCleartext('B', n, sizes, count, hubOpts));
        for (let k = 0; k < count; k += VECTOR_SIZE) {
          for (let i = 0; i < VECTOR_SIZE; i++) B.inject(bLan, clear.buf, clear.offs[k + i]!, clear.lens[k + i]!, 1, 0);
          B.runBatch();
        }
        checkAcct(B, `${n} VPNs, decrypt input`);
        if (esp.length !== count) throw new Error(`${n} VPNs: the spokes made ${esp.length} ESP frames of ${count}`);
        B.ipsec?.close();
        return packFrames(esp);
      })();
      fullGc(); // the spokes are garbage now
      const db = a.ipsec!;
      // Each time the decrypt input starts over, the windows start over too (untimed).
      const reseed = (): void => {
        for (let i = 0; i < db.count; i++) if (db.rw.on[i]) db.rw.seed(i, 0, 0);
      };
      const inner = Array.from({ length: Math.min(count, 3 * VECTOR_SIZE) }, (_, i) => sizes[i % sizes.length]!);
      let encIn = 0;
      let decIn = 0;
      const best = { enc: 0, dec: 0, raw: 0, encNs: NaN, decNs: NaN, rawNs: NaN };
      for (let p = 0; p < passes; p++) {
        const r = rawAesGcm(aead, inner, seconds, now);
        if (r.mpps > best.raw) [best.raw, best.rawNs] = [r.mpps, r.ns];
        const e = pump(a, enc, aLan, seconds, now);
        encIn += e.packets;
        if (e.mpps > best.enc) [best.enc, best.encNs] = [e.mpps, e.ns];
        reseed();
        const d = pump(a, dec, aCore, seconds, now, reseed);
        decIn += d.packets;
        if (d.mpps > best.dec) [best.dec, best.decNs] = [d.mpps, d.ns];
        reseed();
      }
      checkAcct(a, `${n} VPNs`);
      if (coreOut !== encIn || lanOut !== decIn) {
        throw new Error(`${n} VPNs: encrypt ${encIn} in / ${coreOut} out, decrypt ${decIn} in / ${lanOut} out`);
      }
      ceiling = { mpps: best.raw, ns: best.rawNs };
      encrypt = { mpps: best.enc, ratioToCeiling: best.enc / best.raw, ns: best.encNs, packets: encIn };
      decrypt = { mpps: best.dec, ratioToCeiling: best.dec / best.raw, ns: best.decNs, packets: decIn };
      log(`${n} VPNs, ${sizes.join('/')} B: encrypt ${encrypt.mpps.toFixed(2)} Mpps (${encrypt.ratioToCeiling.toFixed(2)} of raw), decrypt ${decrypt.mpps.toFixed(2)} Mpps (${decrypt.ratioToCeiling.toFixed(2)}), raw ${ceiling.mpps.toFixed(2)} Mpps`);
    }
    A.dev.ipsec?.close();
    out.push({
      vpns: n,
      sas: 2 * n,
      bytesPerSa,
      bytesPerSaExact: exact.all,
      bytesPerSaInbound: exact.inbound,
      bytesPerSaOutbound: exact.outbound,
      bytesPerVpn: vpnModel + vpnDevice,
      bytesPerVpnModel: vpnModel,
      bytesPerVpnDevice: vpnDevice,
      buildSeconds,
      build,
      selectors: hubOpts.selectors!,
      frames: count,
      sizes,
      encrypt,
      decrypt,
      ceiling,
    });
  }
  return out;
}
