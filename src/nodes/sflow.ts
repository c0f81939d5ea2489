// The sFlow agent of a device (`protocols sflow`): ingress packet sampling,
// 1 in N per port, exported as sFlow v5 datagrams (src/packet/sflow.ts) to
// each collector over UDP, routed by the device's own FIB.
//
// Sampling is deterministic: each port cuts its packets into blocks of N and
// samples one packet per block, at a position drawn from a fixed-seed
// xorshift32 sequence of its own (seeded by the port's ifIndex). Skips between
// samples thus vary from 1 to 2N-1 with mean N (sFlow asks for randomised
// skips, so periodic traffic is not aliased), the same input gives the same
// samples every run, and M packets give floor(M/N) or ceil(M/N) samples.
//
// A sample is taken as the frame is taken in (DeviceRt.inject: its first 128
// bytes, before the device changes them); its output interface is filled in
// when the packet leaves (interface-output: the port it left by, a LAG member
// for a bundle), else it is 0 (unknown: dropped, taken in by the device, or
// still held for ARP). After each run of the graph the vector's samples are
// written into the datagram being filled; a datagram is sent when the next
// sample does not fit in 1400 bytes, when its first sample is 1 s old (input
// time), and at the end of the input. Each collector gets a copy: IPv4 + UDP
// (source port 6343, destination the collector's udp-port) from source-ip,
// into ip4-lookup as a packet the device generates.

import { writeIpv4Header } from '../packet/ipv4.js';
import type { DeviceRt } from '../device/device.js';
import type { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, F_NO_L2, HEADROOM, SLOT_COUNT, type Batch } from '../packet/batch.js';
import { parseIpv4 } from '../packet/addr.js';
import { pseudoHeaderSumIpv4 } from '../packet/checksum.js';
import { udpSetChecksum } from '../packet/udp.js';
import {
  SFLOW_DATAGRAM_HEADER_LEN, SFLOW_IF_UNKNOWN, SFLOW_MAX_DATAGRAM, SFLOW_MAX_HEADER, flowSampleLen, writeFlowSample,
  writeSflowDatagramHeader, type FlowSampleFields,
} from '../packet/sflow.js';
import { DEFAULT_SAMPLE_RATE, SFLOW_PORT } from '../config/junos-sflow.js';
import { loopbackV4 } from '../config/lag-checks.js';

/** A datagram waits at most this long (input time) for more samples. */
export const SFLOW_FLUSH_NS = 1_000_000_000;
const UDP_IP_LEN = 28;
const TTL = 64;

export interface SflowCounters {
  /** Packets that could have been sampled (on sampled ports), samples taken, samples lost for want of room, datagrams sent (per collector). */
  pool: number;
  samples: number;
  drops: number;
  datagrams: number;
}

export class SflowAgent {
  readonly agent: number;
  readonly source: number;
  readonly collectors: { ip: number; port: number; text: string }[];
  /** Per port (IFD index): sampling rate N (0: not sampled), ifIndex, and the sampler's state. */
  readonly rate: Uint32Array;
  readonly ifIndex: Uint32Array;
  readonly pool: Float64Array;
  readonly samples: Float64Array;
  private readonly pos: Uint32Array;
  private readonly target: Uint32Array;
  private readonly rng: Uint32Array;
  private readonly seq: Uint32Array;
  private readonly drops: Uint32Array;

  // Samples of the vector being run (taken at inject, written after the run).
  private count = 0;
  private readonly pSlot = new Int32Array(SLOT_COUNT);
  private readonly pPort = new Uint32Array(SLOT_COUNT);
  private readonly pLen = new Uint32Array(SLOT_COUNT);
  private readonly pPool = new Float64Array(SLOT_COUNT);
  private readonly pSeq = new Uint32Array(SLOT_COUNT);
  private readonly pDrops = new Uint32Array(SLOT_COUNT);
  private readonly pOut = new Uint32Array(SLOT_COUNT);
  private readonly pSec = new Uint32Array(SLOT_COUNT);
  private readonly pNsec = new Uint32Array(SLOT_COUNT);
  private readonly pHdr = new Uint8Array(SLOT_COUNT * SFLOW_MAX_HEADER);
  /** The pending sample of a slot (-1: none). */
  private readonly entryOfSlot = new Int16Array(SLOT_COUNT).fill(-1);

  // The datagram being filled (its samples; the header is written when sent).
  private readonly dg = new Uint8Array(SFLOW_MAX_DATAGRAM);
  private dgLen = SFLOW_DATAGRAM_HEADER_LEN;
  private dgSamples = 0;
  private dgFirstSec = 0;
  private dgFirstNsec = 0;
  private dgSeq = 0;
  private lastSec = 0;
  private lastNsec = 0;
  private bootSec = -1;
  private bootNsec = 0;
  private readonly f: FlowSampleFields = {
    sequence: 0, sourceIfIndex: 0, samplingRate: 0, samplePool: 0, drops: 0, input: 0, output: 0, frameLength: 0, stripped: 4,
  };
  readonly counters: SflowCounters = { pool: 0, samples: 0, drops: 0, datagrams: 0 };
  private lookup: GraphNode | null = null;
  private table = 0;

  constructor(private readonly dev: DeviceRt) {
    const s = dev.model.sflow!;
    const m = dev.model;
    const fallback = s.agentId ?? s.sourceIp ?? m.routerId ?? loopbackV4(m)!;
    this.agent = parseIpv4(s.agentId ?? fallback) >>> 0;
    this.source = parseIpv4(s.sourceIp ?? fallback) >>> 0;
    this.collectors = s.collectors.map((c) => ({ ip: parseIpv4(c.address) >>> 0, port: c.udpPort, text: `${c.address}:${c.udpPort}` }));
    const n = dev.ifs.ifds.length;
    this.rate = new Uint32Array(n);
    this.ifIndex = new Uint32Array(n);
    this.pool = new Float64Array(n);
    this.samples = new Float64Array(n);
    this.pos = new Uint32Array(n);
    this.target = new Uint32Array(n);
    this.rng = new Uint32Array(n);
    this.seq = new Uint32Array(n);
    this.drops = new Uint32Array(n);
    for (const p of dev.ifs.ifds) this.ifIndex[p.index] = p.index + 1;
    for (const i of s.interfaces) {
      const p = dev.ifs.ifd(i.port);
      if (p < 0) continue;
      const r = i.sampleRateIngress ?? s.sampleRateIngress ?? DEFAULT_SAMPLE_RATE;
      this.rate[p] = r;
      this.rng[p] = (0x2545f491 ^ Math.imul(this.ifIndex[p], 0x9e3779b9)) >>> 0 || 1;
      this.target[p] = this.next(p) % r;
    }
    dev.timers.push((sec, nsec) => this.tick(sec, nsec));
  }

  /** Called once the graph is wired. */
  wire(): void {
    this.lookup = this.dev.graph.node('ip4-lookup');
    this.table = this.dev.table('master', 4).index;
  }

  /** xorshift32 (Marsaglia 2003): the port's next number. */
  private next(p: number): number {
    let x = this.rng[p];
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng[p] = x >>> 0;
    return x >>> 0;
  }

  /** A frame taken in on `port` into `slot` (DeviceRt.inject): counted in the pool, sampled once per block of N. */
  sample(port: number, slot: number, d: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number): void {
    const r = this.rate[port];
    if (r === 0) return;
    this.pool[port]++;
    this.counters.pool++;
    const hit = this.pos[port] === this.target[port];
    if (++this.pos[port] === r) {
      this.pos[port] = 0;
      this.target[port] = this.next(port) % r;
    }
    if (!hit) return;
    if (this.count === SLOT_COUNT) {
      this.drops[port]++;
      this.counters.drops++;
      return;
    }
    const k = this.count++;
    this.seq[port]++;
    this.samples[port]++;
    this.pSlot[k] = slot;
    this.pPort[k] = port;
    this.pLen[k] = len;
    this.pPool[k] = this.pool[port];
    this.pSeq[k] = this.seq[port];
    this.pDrops[k] = this.drops[port];
    this.pOut[k] = SFLOW_IF_UNKNOWN;
    this.pSec[k] = tsSec;
    this.pNsec[k] = tsNsec;
    const h = len < SFLOW_MAX_HEADER ? len : SFLOW_MAX_HEADER;
    this.pHdr.set(d.subarray(off, off + h), k * SFLOW_MAX_HEADER);
    this.entryOfSlot[slot] = k;
  }

  /**
   * interface-output: the packet in `slot` leaves by `port`. A sampled packet
   * gets its output interface; a reply the device made in the sampled packet's
   * buffer (sent back by the IFL it came in on, or marked as the device's own)
   * does not.
   */
  sent(b: Batch, slot: number, port: number): void {
    const k = this.entryOfSlot[slot];
    if (k < 0) return;
    this.entryOfSlot[slot] = -1;
    if ((b.flags[slot] & F_LOCAL_ORIGIN) !== 0 || b.txIfl[slot] === b.rxIfl[slot]) return;
    this.pOut[k] = this.ifIndex[port];
  }

  /** After a run of the graph: the vector's samples go into datagrams; true when datagrams were queued to ip4-lookup (run the graph again). */
  afterRun(): boolean {
    const n = this.count;
    if (n === 0) return false;
    let queued = false;
    const f = this.f;
    for (let k = 0; k < n; k++) {
      if (this.entryOfSlot[this.pSlot[k]] === k) this.entryOfSlot[this.pSlot[k]] = -1;
      const port = this.pPort[k];
      const len = this.pLen[k];
      const h = len < SFLOW_MAX_HEADER ? len : SFLOW_MAX_HEADER;
      if (this.dgLen + flowSampleLen(h) > SFLOW_MAX_DATAGRAM) queued = this.send(this.pSec[k], this.pNsec[k]) || queued;
      if (this.dgSamples === 0) {
        this.dgFirstSec = this.pSec[k];
        this.dgFirstNsec = this.pNsec[k];
      }
      f.sequence = this.pSeq[k];
      f.sourceIfIndex = this.ifIndex[port];
      f.samplingRate = this.rate[port];
      f.samplePool = this.pPool[k] % 4294967296;
      f.drops = this.pDrops[k];
      f.input = this.ifIndex[port];
      f.output = this.pOut[k];
      f.frameLength = len + 4; // on the wire, with its FCS ...
      f.stripped = 4; // ... which the capture does not hold
      this.dgLen += writeFlowSample(this.dg, this.dgLen, f, this.pHdr, k * SFLOW_MAX_HEADER, h);
      this.dgSamples++;
      this.counters.samples++;
      this.lastSec = this.pSec[k];
      this.lastNsec = this.pNsec[k];
    }
    this.count = 0;
    return queued;
  }

  /** Timer (input time): boots the agent's clock at the first input, sends a datagram whose first sample is 1 s old. */
  private tick(sec: number, nsec: number): void {
    if (this.bootSec < 0) {
      this.bootSec = sec;
      this.bootNsec = nsec;
    }
    if (this.dgSamples > 0 && (sec - this.dgFirstSec) * 1e9 + (nsec - this.dgFirstNsec) >= SFLOW_FLUSH_NS) this.send(sec, nsec);
  }

  /** End of the input: what is pending leaves, at the time of the last sample. True when something was queued. */
  flush(): boolean {
    this.afterRun();
    return this.dgSamples > 0 ? this.send(this.lastSec, this.lastNsec) : false;
  }

  /** Sends the datagram being filled to every collector, at input time sec/nsec; true when queued to ip4-lookup. */
  private send(sec: number, nsec: number): boolean {
    if (this.dgSamples === 0) return false;
    if (this.bootSec < 0) {
      this.bootSec = sec;
      this.bootNsec = nsec;
    }
    const uptime = Math.floor(((sec - this.bootSec) * 1e9 + (nsec - this.bootNsec)) / 1e6);
    writeSflowDatagramHeader(this.dg, 0, this.agent, 0, ++this.dgSeq, uptime, this.dgSamples);
    const payload = this.dgLen;
    let queued = false;
    const g = this.dev.graph;
    const b = g.batch;
    for (const c of this.collectors) {
      const slot = b.alloc();
      if (slot < 0) {
        this.counters.drops += this.dgSamples;
        continue;
      }
      const at = b.slotStart(slot) + HEADROOM;
      const d = b.data;
      const total = UDP_IP_LEN + payload;
      writeIpv4Header(d, at, 0, total, this.dgSeq, 0, TTL, 17, this.source, c.ip); // identification: the datagram's sequence
      const u = at + 20;
      d[u] = SFLOW_PORT >>> 8;
      d[u + 1] = SFLOW_PORT & 0xff;
      d[u + 2] = c.port >>> 8;
      d[u + 3] = c.port & 0xff;
      d[u + 4] = (8 + payload) >>> 8;
      d[u + 5] = (8 + payload) & 0xff;
      d.set(this.dg.subarray(0, payload), u + 8);
      udpSetChecksum(d, u, 8 + payload, pseudoHeaderSumIpv4(this.source, c.ip, 17, 8 + payload));
      b.off[slot] = at;
      b.l3[slot] = at;
      b.len[slot] = total;
      b.flags[slot] = F_LOCAL_ORIGIN | F_NO_L2;
      b.tsSec[slot] = sec;
      b.tsNsec[slot] = nsec;
      b.table[slot] = this.table;
      b.rxPort[slot] = 0;
      b.rxIfl[slot] = 0;
      g.generated(slot);
      const q = this.lookup!;
      q.frame[q.count++] = slot;
      this.counters.datagrams++;
      queued = true;
    }
    this.dgLen = SFLOW_DATAGRAM_HEADER_LEN;
    this.dgSamples = 0;
    return queued;
  }
}
