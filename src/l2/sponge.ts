import type { ArpSpongeConfig } from '../config/model.js';
import type { DeviceRt } from '../device/device.js';
import type { GraphNode } from '../graph/node.js';
import type { Batch } from '../packet/batch.js';
import { derivedMac } from '../device/mac.js';
import { formatIpv4, formatMac, parseIpv4, parseMac, readU32 } from '../packet/addr.js';

/** No reply generated (arp(), answer()). */
const NO_REPLY = -1;

const ALIVE = 0;
const PENDING = 1;
const DEAD = 2;
export const SPONGE_STATES = ['alive', 'pending', 'sponged'] as const;

const C_PENDING = 0;
const C_SPONGED = 1;
const C_REPLIES = 2;
const C_UNSPONGED = 3;
const C_CONSUMED = 4;
const C_NO_SLOT = 5;

/** An address the sponge has heard requests for. */
interface Watched {
  ip: number;
  state: number;
  /** When it went pending (s of input time since the sponge's first frame). */
  since: number;
  /** The last `queueDepth` requests for it: times (s) and sender addresses, a ring from `head`. */
  times: Float64Array;
  senders: Uint32Array;
  head: number;
  n: number;
}

/**
 * An ARP sponge on one bridge domain, as AMS-IX's arpsponge: it listens to
 * the domain and keeps, for every address asked for, the last `queueDepth`
 * requests. When that queue is full and its average rate is `rate` per
 * minute or more, the address goes pending (arpsponge's passive mode: a timer
 * of `pending` seconds, no probes sent); with no sign of life by then it is
 * sponged: every later request for it is answered with the sponge's MAC (a
 * reply sent back out of the port the request came in on; the request is
 * still flooded). Any ARP or IPv4 packet from the address, a gratuitous ARP
 * for it or a probe for it from 0.0.0.0 makes it alive again (unsponged).
 * With flood protection, requests from one sender closer together than
 * 1/`floodProtection` s are thinned out of a full queue before the rate is
 * judged (arpsponge's Queue::reduce). Nothing goes pending in the first
 * `learnSec` seconds. Frames to the sponge's MAC are taken in.
 */
export class ArpSponge {
  static readonly COUNTERS = ['arp_sponge_pending', 'arp_sponge_sponged', 'arp_sponge_replies', 'arp_sponge_unsponged', 'arp_sponge_consumed', 'arp_sponge_reply_no_slot'];
  readonly mac: Uint8Array;
  private readonly netIp: number;
  private readonly netMask: number;
  private readonly base: number;
  private readonly entries = new Map<number, Watched>();
  /** Addresses pending or sponged: IPv4 packets are looked at only while there are some. */
  private watched = 0;
  private startSec = -1;

  constructor(private readonly dev: DeviceRt, readonly cfg: ArpSpongeConfig, readonly bd: number, private readonly node: GraphNode) {
    this.mac = cfg.mac ? parseMac(cfg.mac) : derivedMac(dev.name, `arp-sponge/${cfg.domain}`);
    const [net, len] = (cfg.network ?? '0.0.0.0/0').split('/');
    this.netMask = Number(len) === 0 ? 0 : (0xffffffff << (32 - Number(len))) >>> 0;
    this.netIp = (parseIpv4(net) & this.netMask) >>> 0;
    this.base = node.counterNames.indexOf(ArpSponge.COUNTERS[0]);
    dev.timers.push((s, ns) => this.tick(this.now(s, ns)));
  }

  /** The state of an address: 'alive', 'pending' or 'sponged' (undefined: never asked for). */
  stateOf(ip: string): string | undefined {
    const e = this.entries.get(parseIpv4(ip) >>> 0);
    return e ? SPONGE_STATES[e.state] : undefined;
  }

  /** The addresses sponged now. */
  sponged(): string[] {
    return [...this.entries.values()].filter((e) => e.state === DEAD).map((e) => formatIpv4(e.ip));
  }

  private count(c: number): void {
    this.node.counters[this.base + c]++;
  }

  private now(sec: number, nsec: number): number {
    if (this.startSec < 0) this.startSec = sec;
    return sec - this.startSec + nsec / 1e9;
  }

  /** The slot of the reply the last observe() generated (to be sent out of its b.txIfl by l2-output), or -1. */
  reply = NO_REPLY;

  /**
   * A frame bridged in the domain (not one the IRB sent). Returns true when
   * the frame was for the sponge's MAC and is taken in (its slot freed);
   * a reply it generated is in `reply`.
   */
  observe(b: Batch, slot: number, fromVxlan: boolean): boolean {
    const d = b.data;
    const off = b.off[slot];
    const l3 = b.l3[slot];
    const end = off + b.len[slot];
    const type = (d[l3 - 2] << 8) | d[l3 - 1];
    const now = this.now(b.tsSec[slot], b.tsNsec[slot]);
    this.reply = NO_REPLY;
    if (type === 0x0800) {
      if (this.watched > 0 && end - l3 >= 20) this.alive(readU32(d, l3 + 12) >>> 0, b, slot);
    } else if (type === 0x0806 && end - l3 >= 28 && d[l3] === 0 && d[l3 + 1] === 1 && d[l3 + 2] === 0x08 && d[l3 + 3] === 0 && d[l3 + 4] === 6 && d[l3 + 5] === 4) {
      this.reply = this.arp(b, slot, l3, now, fromVxlan);
    }
    const m = this.mac;
    if (d[off] === m[0] && d[off + 1] === m[1] && d[off + 2] === m[2] && d[off + 3] === m[3] && d[off + 4] === m[4] && d[off + 5] === m[5]) {
      this.count(C_CONSUMED);
      this.dev.graph.consume(slot, 'to the arp sponge');
      return true;
    }
    return false;
  }

  private arp(b: Batch, slot: number, p: number, now: number, fromVxlan: boolean): number {
    const d = b.data;
    const op = (d[p + 6] << 8) | d[p + 7];
    const spa = readU32(d, p + 14) >>> 0;
    const tpa = readU32(d, p + 24) >>> 0;
    if (spa !== 0) this.alive(spa, b, slot); // a gratuitous ARP (spa = tpa) included
    else if (op === 1) this.alive(tpa, b, slot); // a probe from 0.0.0.0 (RFC 5227, DHCP clients)
    if (op !== 1 || spa === 0 || spa === tpa || ((tpa & this.netMask) >>> 0) !== this.netIp) return NO_REPLY;
    let e = this.entries.get(tpa);
    if (e === undefined) {
      e = { ip: tpa, state: ALIVE, since: 0, times: new Float64Array(this.cfg.queueDepth), senders: new Uint32Array(this.cfg.queueDepth), head: 0, n: 0 };
      this.entries.set(tpa, e);
    }
    if (e.state === PENDING) this.expire(e, now);
    if (e.state === DEAD) return fromVxlan ? NO_REPLY : this.answer(b, slot, p, tpa, spa);
    this.queue(e, spa, now);
    if (e.state === ALIVE && now >= this.cfg.learnSec && this.overRate(e)) {
      e.state = PENDING;
      e.since = now;
      this.watched++;
      this.count(C_PENDING);
      this.note(b, slot, () => `arp sponge: ${formatIpv4(tpa)} pending (${e!.n} requests at ${this.rate(e!).toFixed(1)}/min)`);
      if (this.cfg.pendingSec === 0) this.expire(e, now);
      if (e.state === DEAD) return fromVxlan ? NO_REPLY : this.answer(b, slot, p, tpa, spa);
    }
    return NO_REPLY;
  }

  private queue(e: Watched, sender: number, now: number): void {
    const depth = e.times.length;
    e.times[(e.head + e.n) % depth] = now;
    e.senders[(e.head + e.n) % depth] = sender;
    if (e.n < depth) e.n++;
    else e.head = (e.head + 1) % depth;
  }

  /** Queue full and its rate at the threshold, after flood protection thinned it. */
  private overRate(e: Watched): boolean {
    if (e.n < e.times.length || this.rate(e) < this.cfg.rate) return false;
    if (this.cfg.floodProtection > 0) this.reduce(e);
    return e.n === e.times.length && this.rate(e) >= this.cfg.rate;
  }

  /** Requests per minute over the queue: (n - 1) / (newest - oldest), as arpsponge's Queue::rate. */
  private rate(e: Watched): number {
    if (e.n < 2) return 0;
    const depth = e.times.length;
    const span = e.times[(e.head + e.n - 1) % depth] - e.times[e.head];
    return ((e.n - 1) / (span > 0 ? span : 1)) * 60;
  }

  /** Drops a sender's request when its next one came within 1/floodProtection s (arpsponge's Queue::reduce). Off the per-packet path. */
  private reduce(e: Watched): void {
    const depth = e.times.length;
    const items: { s: number; t: number; k: number }[] = [];
    for (let k = 0; k < e.n; k++) items.push({ s: e.senders[(e.head + k) % depth], t: e.times[(e.head + k) % depth], k });
    items.sort((a, c) => a.s - c.s || a.t - c.t || a.k - c.k);
    const minDelta = 1 / this.cfg.floodProtection;
    const kept = items.filter((it, i) => i + 1 >= items.length || items[i + 1].s !== it.s || items[i + 1].t - it.t >= minDelta);
    kept.sort((a, c) => a.t - c.t || a.k - c.k);
    e.head = 0;
    e.n = kept.length;
    kept.forEach((it, i) => { e.times[i] = it.t; e.senders[i] = it.s; });
  }

  /** A pending address whose time is up is sponged. */
  private expire(e: Watched, now: number): void {
    if (e.state !== PENDING || now - e.since < this.cfg.pendingSec) return;
    e.state = DEAD;
    this.count(C_SPONGED);
  }

  /** Sign of life from `ip`: its queue is cleared; pending or sponged, it is alive again. */
  private alive(ip: number, b: Batch, slot: number): void {
    const e = this.entries.get(ip);
    if (e === undefined) return;
    e.n = 0;
    e.head = 0;
    if (e.state === ALIVE) return;
    if (e.state === DEAD) {
      this.count(C_UNSPONGED);
      this.note(b, slot, () => `arp sponge: ${formatIpv4(ip)} unsponged`);
    }
    e.state = ALIVE;
    this.watched--;
  }

  /** The timer (input time): pending addresses whose time is up are sponged, whether or not anyone asks. */
  private tick(now: number): void {
    if (this.watched === 0) return;
    for (const e of this.entries.values()) if (e.state === PENDING) this.expire(e, now);
  }

  /** A reply for `tpa` with the sponge's MAC, to the requester, in a new slot; its slot, or NO_REPLY when the batch is full. */
  private answer(b: Batch, slot: number, p: number, tpa: number, spa: number): number {
    const s = b.alloc();
    if (s < 0) { this.count(C_NO_SLOT); return NO_REPLY; }
    const d = b.data;
    const o = b.off[s];
    const m = this.mac;
    d.copyWithin(o, p + 8, p + 14); // to the requester's hardware address
    d.set(m, o + 6);
    d[o + 12] = 0x08; d[o + 13] = 0x06;
    const q = o + 14;
    d[q] = 0; d[q + 1] = 1; d[q + 2] = 0x08; d[q + 3] = 0; d[q + 4] = 6; d[q + 5] = 4; d[q + 6] = 0; d[q + 7] = 2;
    d.set(m, q + 8);
    d[q + 14] = tpa >>> 24; d[q + 15] = (tpa >>> 16) & 0xff; d[q + 16] = (tpa >>> 8) & 0xff; d[q + 17] = tpa & 0xff;
    d.copyWithin(q + 18, p + 8, p + 14);
    d[q + 24] = spa >>> 24; d[q + 25] = (spa >>> 16) & 0xff; d[q + 26] = (spa >>> 8) & 0xff; d[q + 27] = spa & 0xff;
    b.len[s] = 42;
    b.l3[s] = q;
    b.aux[s] = b.aux[slot];
    b.txIfl[s] = b.rxIfl[slot];
    this.dev.graph.generated(s, slot);
    this.count(C_REPLIES);
    this.note(b, slot, () => `arp sponge: ${formatIpv4(tpa)} is-at ${formatMac(m)} sent`);
    return s;
  }

  private note(b: Batch, slot: number, text: () => string): void {
    this.node.note(b, slot, text);
  }
}
