import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Scenario, type TimelineEvent } from '../config/model.js';
import { connectEvpn } from '../evpn/fabric.js';
import { connectVrrp } from '../vrrp/vrrp.js';
import { connectBgp, MAX_ROUNDS } from '../bgp/exchange.js';
import type { EspSaRecord } from '../config/esp-sa-file.js';
import { DeviceRt } from '../device/device.js';
import { newAccounting, type Accounting } from '../graph/graph.js';
import { TraceBuffer } from '../graph/trace.js';
import { F_TRACED, VECTOR_SIZE } from '../packet/batch.js';
import { CaptureReader } from '../pcap/reader.js';
import { MergedCaptures } from '../pcap/merge.js';
import { PcapWriter } from '../pcap/writer.js';
import { LinkQueue } from './link-queue.js';
import { findPort, portFileName, portName, type Port } from './ports.js';

export interface RunInput {
  port: string;
  file: string;
}

export interface RunOptions {
  /** Where the output pcaps go; none: frames are counted, not written. */
  outDir?: string;
  /** Trace the first N packets taken in. */
  trace?: number;
  /** Called now and then with bytes read so far and in all (for a progress bar). */
  progress?: (read: number, total: number, packets: number) => void;
  expectedRoutes?: number;
  /** esp_sa records with the keys of IKE VPNs (IKE is not emulated): `--sa-file`. */
  saRecords?: readonly EspSaRecord[];
}

export interface PortOutput {
  port: string;
  file: string;
  packets: number;
  bytes: number;
}

export interface RunResult {
  devices: DeviceRt[];
  /** The run as a whole: `in` read from the input pcaps, `out` sent on ports no link joins; `linked` crossed a link. */
  accounting: Accounting & { linked: number };
  outputs: PortOutput[];
  trace: TraceBuffer;
  /** `--workers` > 1: per pipeline replica, the input frames RSS gave it and the packets it handed to SA owners. */
  replicas?: { frames: number; shipped: number }[];
}

/**
 * A vector spans at most this much input time, as a real dataplane's vector
 * holds what arrived within one poll: packets far apart in time are not
 * processed together (an ARP reply never answers a request made after it),
 * and what one device sends over a link (with no delay) is taken in by its
 * peer before that peer's later input. Dense captures still fill vectors.
 */
const VECTOR_SPAN_NS = 100_000;

/**
 * Where the inputs' vectors begin: a frame starts a new one when the current
 * holds VECTOR_SIZE frames or the frame lies more than VECTOR_SPAN_NS after
 * the current one's first. A run cuts its input with it, and so does the
 * reader of a parallel run, so that its replicas' epochs are these vectors.
 */
export class VectorCut {
  private count = -1;
  private startSec = 0;
  private startNsec = 0;

  /** The next frame starts a vector whatever its time (after a timeline event). */
  reset(): void {
    this.count = -1;
  }

  starts(tsSec: number, tsNsec: number): boolean {
    if (this.count >= 0 && this.count < VECTOR_SIZE && (tsSec - this.startSec) * 1e9 + tsNsec - this.startNsec <= VECTOR_SPAN_NS) {
      this.count++;
      return false;
    }
    this.count = 1;
    this.startSec = tsSec;
    this.startNsec = tsNsec;
    return true;
  }
}

/** Frames in flight on links more rounds than this are a forwarding loop between devices that TTL did not end. */
const MAX_LINK_ROUNDS = 4096;

/**
 * A run: devices built from the scenario, links wired, input pcaps merged by
 * timestamp and fed through in vectors, every port's output written to its
 * pcap. Frames sent on a linked port are written to that port's pcap too (a
 * tap on the wire) and arrive at the peer port in the next round.
 */
export class Run {
  readonly devices: DeviceRt[];
  readonly trace: TraceBuffer;
  private readonly writers = new Map<string, { w: PcapWriter; out: PortOutput }>();
  /** Frames sent on links this round, and those being delivered (swapped each round). */
  private linkQueue = new LinkQueue();
  private delivering = new LinkQueue();
  private linked = 0;
  private nanosecond = false;
  /** The other end of each linked port, by `${devIndex}/${ifd}`. */
  private readonly peers = new Map<string, Port>();
  /** The timeline's events (in time order), the next one due, and the first input frame's time they count from. */
  private readonly events: readonly TimelineEvent[];
  private nextEvent = 0;
  private baseSec = -1;
  private baseNsec = 0;

  constructor(readonly scenario: Scenario, private readonly opts: RunOptions = {}) {
    this.trace = new TraceBuffer(opts.trace ?? 0);
    this.events = scenario.timeline ?? [];
    const multi = scenario.devices.length > 1;
    // Configuration problems found while building the devices (VPN keys) are thrown together.
    const problems: ConfigError['problems'] = [];
    const built: (DeviceRt | null)[] = scenario.devices.map((m) => {
      try {
        return new DeviceRt(m, {
          trace: this.trace, expectedRoutes: opts.expectedRoutes, portPrefix: multi ? `${m.name}:` : '', saRecords: opts.saRecords,
        });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
        return null;
      }
    });
    if (problems.length) {
      for (const d of built) d?.ipsec?.close();
      throw new ConfigError(problems);
    }
    this.devices = built as DeviceRt[];
    connectEvpn(this.devices);
    connectVrrp(this.devices);
    const bgp = connectBgp(this.devices);
    if (bgp?.unconverged) this.devices[0].warnings.push(`BGP: the routes did not settle in ${MAX_ROUNDS} rounds of exchange (a MED or policy oscillation?): the last round's are used`);
    const peers = this.peers;
    for (const l of scenario.links) {
      const a = findPort(this.devices, `${l.a.device}:${l.a.ifd}`);
      const b = findPort(this.devices, `${l.b.device}:${l.b.ifd}`);
      peers.set(`${a.devIndex}/${a.ifd}`, b);
      peers.set(`${b.devIndex}/${b.ifd}`, a);
      // A link on a bundle itself (ae0, not its members): the bundle is one wire and sends on its own port.
      for (const p of [a, b]) p.dev.lag?.wholeBundle(p.ifd);
    }
    this.devices.forEach((dev, devIndex) => {
      dev.ifs.ifds.forEach((_ifd, ifd) => {
        const name = portName(this.devices, dev, ifd);
        const peer = peers.get(`${devIndex}/${ifd}`);
        let writer: PcapWriter | null = null;
        let out: PortOutput | null = null;
        dev.sinks[ifd] = (data, off, len, tsSec, tsNsec, b, slot) => {
          if (this.opts.outDir !== undefined) {
            if (writer === null) ({ w: writer, out } = this.openOutput(name));
            writer.write(data, off, len, tsSec, tsNsec);
            out!.packets++;
            out!.bytes += len;
          }
          if (peer) {
            this.linked++;
            const traced = (b.flags[slot] & F_TRACED) !== 0;
            this.linkQueue.push(peer, data, off, len, tsSec, tsNsec, traced ? b.traceId[slot] : -1);
          }
        };
      });
    });
  }

  /** The output pcap of a port, opened when it first sends. */
  private openOutput(port: string): { w: PcapWriter; out: PortOutput } {
    const file = join(this.opts.outDir!, portFileName(port));
    const w = { w: new PcapWriter(file, { nanosecond: this.nanosecond }), out: { port, file, packets: 0, bytes: 0 } };
    this.writers.set(port, w);
    return w;
  }

  /** Runs the inputs through to the end. Throws CaptureError on a corrupt input file. */
  execute(inputs: RunInput[]): RunResult {
    if (this.opts.outDir !== undefined) mkdirSync(this.opts.outDir, { recursive: true });
    const ports = inputs.map((i) => findPort(this.devices, i.port));
    const readers: CaptureReader[] = [];
    try {
      for (const i of inputs) readers.push(CaptureReader.open(i.file));
      this.nanosecond = readers.some((r) => r.nanosecond);
      this.feed(readers, ports);
    } finally {
      for (const r of readers) r.close();
      this.closeOutputs();
    }
    return this.result();
  }

  private feed(readers: CaptureReader[], ports: Port[]): void {
    const inputs = new MergedCaptures(readers);
    const total = readers.reduce((s, r) => s + r.size, 0);
    let taken = 0;
    for (let k = inputs.earliest(); k >= 0; k = inputs.earliest()) {
      const rec = inputs.record(k);
      this.take(ports[k], rec.buf, rec.offset, rec.caplen, rec.tsSec, rec.tsNsec, rec.origLen);
      taken++;
      inputs.advance(k);
      if (this.opts.progress && (taken & 0xffff) === 0) this.opts.progress(readers.reduce((s, r) => s + r.position, 0), total, taken);
    }
    this.finish();
    this.opts.progress?.(total, total, taken);
  }

  private readonly vectors = new VectorCut();

  /**
   * Takes one input frame (in timestamp order) into the vector being filled;
   * runs the vector first when the frame starts a new one (VectorCut), and
   * after it when it is full.
   */
  take(port: Port, buf: Uint8Array, off: number, caplen: number, tsSec: number, tsNsec: number, origLen: number): void {
    if (this.baseSec < 0) {
      this.baseSec = tsSec;
      this.baseNsec = tsNsec;
    }
    if (this.nextEvent < this.events.length && this.eventDue(tsSec, tsNsec)) {
      // What came before the event is processed before it; the frame starts a new vector after it.
      if (this.inRound > 0) this.endRound();
      this.fireEvents(tsSec, tsNsec);
      this.vectors.reset();
    }
    if (this.vectors.starts(tsSec, tsNsec)) {
      if (this.inRound > 0) this.endRound();
      for (const d of this.devices) d.runTimers(tsSec, tsNsec);
      // What timers sent over links (VRRP advertisements due since the last frame) arrives before this frame.
      if (this.linkQueue.count > 0) this.round();
    }
    port.dev.inject(port.ifd, buf, off, caplen, tsSec, tsNsec, undefined, origLen);
    if (++this.inRound === VECTOR_SIZE) this.endRound();
  }

  private inRound = 0;

  /** Runs what is left, fires the timeline's remaining events, then drops whatever is still held for a neighbour that never answered. */
  finish(): void {
    if (this.inRound > 0) this.endRound();
    if (this.baseSec >= 0) this.fireEvents(Infinity, 0);
    for (const d of this.devices) d.endInput(); // what exports still hold (sFlow) leaves, and is delivered
    this.round();
    for (const d of this.devices) d.runTimers(Infinity);
  }

  /** Whether the next timeline event is at or before input time tsSec/tsNsec. */
  private eventDue(tsSec: number, tsNsec: number): boolean {
    const at = this.events[this.nextEvent].at;
    return tsSec - this.baseSec + (tsNsec - this.baseNsec) / 1e9 >= at;
  }

  /**
   * Fires the events due at input time tsSec/tsNsec, each at its own time:
   * devices run their timers to it, take the event, and what they send
   * because of it (VRRP adverts, gratuitous ARP) is run at once.
   */
  private fireEvents(tsSec: number, tsNsec: number): void {
    while (this.nextEvent < this.events.length && (tsSec === Infinity || this.eventDue(tsSec, tsNsec))) {
      const ev = this.events[this.nextEvent++];
      const ns = Math.round(this.baseNsec + (ev.at % 1) * 1e9);
      const sec = this.baseSec + Math.floor(ev.at) + Math.floor(ns / 1e9);
      const nsec = ns % 1e9;
      for (const d of this.devices) d.runTimers(sec, nsec);
      this.round(); // what the timers sent before the event (VRRP advertisements) leaves before the link changes
      if ('port' in ev) {
        const port = findPort(this.devices, `${ev.port.device}:${ev.port.ifd}`);
        const peer = this.peers.get(`${port.devIndex}/${port.ifd}`);
        const up = ev.kind === 'link-up';
        // A link event is the wire's: both its ends see it.
        for (const p of peer ? [port, peer] : [port]) p.dev.setLink(p.ifd, up, sec, nsec);
      } else {
        // A session event is the one device's (the peer's end is not told: it may not be in the scenario).
        const { device, instance, peer } = ev.session;
        this.devices.find((d) => d.name === device)!.setBgpSession(instance, peer, ev.kind === 'bgp-session-up', sec, nsec);
      }
      this.round();
    }
  }

  /** Closes the output pcaps (execute() does it; a replica fed frame by frame calls it at the end). */
  closeOutputs(): void {
    for (const { w } of this.writers.values()) w.close();
  }

  /** Output pcaps of ports sent on: timestamps in ns when any input had them (set before the first frame). */
  set nanosecondOutput(ns: boolean) {
    this.nanosecond = ns;
  }

  private endRound(): void {
    this.round();
    this.inRound = 0;
  }

  /**
   * Runs every device over its vector, then delivers link traffic until none
   * is in flight. Frames still crossing links after MAX_LINK_ROUNDS rounds (a
   * loop TTL does not end) are dropped at the receiving device as
   * `link_loop_limit`.
   */
  round(): void {
    for (const d of this.devices) d.runBatch();
    for (let rounds = 0; this.linkQueue.count > 0; rounds++) {
      const q = this.linkQueue;
      this.linkQueue = this.delivering;
      this.delivering = q;
      for (let k = 0; k < q.count; k++) {
        const dev = q.to[k].dev;
        if (rounds >= MAX_LINK_ROUNDS) {
          dev.dropOnArrival('link_loop_limit');
          continue;
        }
        const ifd = q.to[k].ifd;
        if (!dev.inject(ifd, q.bytes, q.off[k], q.len[k], q.tsSec[k], q.tsNsec[k], q.traceId[k])) {
          dev.runBatch();
          dev.inject(ifd, q.bytes, q.off[k], q.len[k], q.tsSec[k], q.tsNsec[k], q.traceId[k]);
        }
      }
      q.clear();
      for (const d of this.devices) d.runBatch();
    }
  }

  result(): RunResult {
    const acct = { ...newAccounting(), linked: this.linked };
    for (const d of this.devices) {
      const a = d.graph.acct;
      acct.in += a.in;
      acct.generated += a.generated;
      acct.out += a.out;
      acct.consumed += a.consumed;
      acct.dropped += a.dropped;
    }
    // A frame that crossed a link left one device and entered another: count it neither in nor out of the run.
    acct.in -= this.linked;
    acct.out -= this.linked;
    return {
      devices: this.devices,
      accounting: acct,
      outputs: [...this.writers.values()].map((w) => w.out),
      trace: this.trace,
    };
  }
}

/** Loads nothing: runs a scenario over inputs (the library entry point of `triode run`). */
export function runScenario(scenario: Scenario, inputs: RunInput[], opts: RunOptions = {}): RunResult {
  return new Run(scenario, opts).execute(inputs);
}
