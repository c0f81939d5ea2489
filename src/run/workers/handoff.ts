// Handoff between pipeline replicas, as Trio hands a packet across the fabric
// to the PFE that anchors its tunnel: an SA belongs to one replica (saOwner
// of its SPI), so esp-encrypt and esp-decrypt keep the packets of SAs they
// own and ship the others, with their metadata, to the owner's ring. The
// owner takes them in at the same node. Neighbour news from replica 0 and
// resolution requests to it travel the same rings, in order with the packets.

import type { Batch } from '../../packet/batch.js';
import { F_TRACED, HEADROOM } from '../../packet/batch.js';
import type { DeviceRt } from '../../device/device.js';
import type { EspEncrypt } from '../../nodes/esp-encrypt.js';
import type { EspDecrypt } from '../../nodes/esp-decrypt.js';
import type { Neighbor } from '../../l3/neighbor.js';
import type { Ring } from './ring.js';
import { ByteCopier } from '../../packet/byte-copier.js';
import { saOwner } from './rss.js';

export const MSG_PACKET = 1;
export const MSG_LEARN = 2;
export const MSG_SOLICIT = 3;
export const NODE_ENCRYPT = 0;
export const NODE_DECRYPT = 1;

/** Every message: kind, device, node or family, 0, then the step (barriers passed) it was sent in. */
const MSG_EPOCH = 4;
/** Packet message: the header, 12 words, then the bytes. */
const PKT_HDR = 56;
/** Neighbour messages: the header, ifl, tsSec, tsNsec, IP (16), MAC (8). */
const NBR_LEN = 44;

/**
 * The control words replicas share: messages sent and not yet taken in; the
 * reader's end of input; the epoch barrier (arrivals, generation, and whether
 * messages are still in flight when all arrived); a doorbell per replica.
 */
export const CTRL_INFLIGHT = 0;
export const CTRL_INPUT_DONE = 1;
export const CTRL_ARRIVED = 2;
export const CTRL_GENERATION = 3;
export const CTRL_MORE = 4;
export const CTRL_WORDS = 5;
export const ctrlBell = (replica: number) => CTRL_WORDS + replica;

/** The step a message at `at` was sent in. */
export function messageEpoch(ring: Ring, at: number): number {
  return ring.dv.getUint32(at + MSG_EPOCH, true);
}

export class Mailbox {
  /** Barriers passed: stamped on every message, which its receiver takes in after the next barrier. */
  epoch = 0;
  /** Packets shipped to other replicas, per device (each is taken in by one: the run's accounting nets them out). */
  readonly shipped: number[];

  /** `out[r]`: this replica's ring to replica r (null for itself); `ctrl` the shared control words. */
  constructor(readonly me: number, readonly replicas: number, private readonly out: (Ring | null)[], private readonly ctrl: Int32Array, devices: number) {
    this.shipped = new Array<number>(devices).fill(0);
    this.unposted = new Array<number>(out.length).fill(0);
    this.copiers = out.map((r) => (r ? new ByteCopier(r.data) : null));
  }

  /** Records reserved per destination and not yet published. */
  private readonly unposted: number[];

  /** Room in the ring to `to`; when it is full, publishes what is reserved and waits while the owner drains it. */
  private reserve(to: number, n: number): { ring: Ring; at: number } {
    const ring = this.out[to]!;
    let at = ring.reserve(n);
    while (at < 0) {
      this.flush();
      Atomics.wait(this.ctrl, ctrlBell(this.me), Atomics.load(this.ctrl, ctrlBell(this.me)), 1);
      at = ring.reserve(n);
    }
    this.unposted[to]++;
    return { ring, at };
  }

  /**
   * Publishes every message reserved so far: counted in flight first (so the
   * count is never short of what a receiver may take), then committed, then
   * the receiver's doorbell rung. Once per round, not per packet: the shared
   * counters are one cache line every replica writes.
   */
  flush(): void {
    for (let to = 0; to < this.out.length; to++) {
      const k = this.unposted[to];
      if (k === 0) continue;
      Atomics.add(this.ctrl, CTRL_INFLIGHT, k);
      this.out[to]!.commit();
      this.unposted[to] = 0;
      Atomics.add(this.ctrl, ctrlBell(to), 1);
      Atomics.notify(this.ctrl, ctrlBell(to));
    }
  }

  /** Copies into each ring's payload area (small packets without a view per copy), by destination. */
  private readonly copiers: (ByteCopier | null)[];

  /**
   * Ships the packet in `slot` of device `dev` to replica `to`, entering there
   * at `node`; frees the slot. The bytes land at the same alignment mod 8 as
   * in the slab (byte 3 of the message says how far they are padded), and
   * the receiver keeps it: copies to and from shared memory are several times
   * slower between differently aligned addresses.
   */
  ship(to: number, dev: number, node: number, b: Batch, slot: number): void {
    const off = b.off[slot];
    const len = b.len[slot];
    const { ring, at } = this.reserve(to, PKT_HDR + 7 + len);
    const pad = (b.data.byteOffset + off - (ring.data.byteOffset + at + PKT_HDR)) & 7;
    const v = ring.dv;
    ring.data[at] = MSG_PACKET;
    ring.data[at + 1] = dev;
    ring.data[at + 2] = node;
    ring.data[at + 3] = pad;
    v.setUint32(at + MSG_EPOCH, this.epoch, true);
    v.setUint32(at + 8, b.tsSec[slot], true);
    v.setUint32(at + 12, b.tsNsec[slot], true);
    v.setUint32(at + 16, b.flags[slot] & ~F_TRACED, true);
    v.setUint32(at + 20, b.rxPort[slot], true);
    v.setUint32(at + 24, b.rxIfl[slot], true);
    v.setUint32(at + 28, b.txIfl[slot], true);
    v.setUint32(at + 32, b.table[slot], true);
    v.setUint32(at + 36, b.adj[slot], true);
    v.setUint32(at + 40, b.sa[slot], true);
    v.setUint32(at + 44, b.aux[slot], true);
    v.setUint32(at + 48, b.l3[slot] - off, true);
    v.setUint32(at + 52, len, true);
    this.copiers[to]!.copy(at + PKT_HDR + pad, b.data, off, len);
    this.shipped[dev]++;
    b.release(slot);
  }

  /** Tells replica `to` about a neighbour (replica 0's news, or a request to resolve it). */
  neighbor(to: number, kind: number, dev: number, n: Neighbor, tsSec: number, tsNsec: number): void {
    const { ring, at } = this.reserve(to, NBR_LEN);
    const d = ring.data;
    d[at] = kind;
    d[at + 1] = dev;
    d[at + 2] = n.family;
    ring.dv.setUint32(at + MSG_EPOCH, this.epoch, true);
    ring.dv.setUint32(at + 8, n.ifl, true);
    ring.dv.setUint32(at + 12, tsSec, true);
    ring.dv.setUint32(at + 16, tsNsec, true);
    if (n.family === 4) ring.dv.setUint32(at + 20, n.ip4, true);
    else d.set(n.ip6!, at + 20);
    if (n.mac) d.set(n.mac, at + 36);
  }
}

/**
 * Takes in one message from another replica: a packet into the queue of the
 * node it left at, in the same device here (false when the batch has no free
 * slot: run it and try again), or neighbour news for the device.
 */
export function takeMessage(ring: Ring, at: number, devices: readonly DeviceRt[]): boolean {
  const d = ring.data;
  const v = ring.dv;
  const dev = devices[d[at + 1]];
  const kind = d[at];
  if (kind === MSG_PACKET) {
    const g = dev.graph;
    const b = g.batch;
    const slot = b.alloc();
    if (slot < 0) return false;
    const len = v.getUint32(at + 52, true);
    const src = at + PKT_HDR + d[at + 3];
    // Into the slot at the bytes' alignment mod 8 in the ring (see ship()).
    const o = b.slotStart(slot) + HEADROOM + ((d.byteOffset + src - b.data.byteOffset) & 7);
    b.off[slot] = o;
    b.copyIn(slot, d, src, len);
    b.len[slot] = len;
    b.l3[slot] = o + v.getUint32(at + 48, true);
    b.tsSec[slot] = v.getUint32(at + 8, true);
    b.tsNsec[slot] = v.getUint32(at + 12, true);
    b.flags[slot] = v.getUint32(at + 16, true);
    b.rxPort[slot] = v.getUint32(at + 20, true);
    b.rxIfl[slot] = v.getUint32(at + 24, true);
    b.txIfl[slot] = v.getUint32(at + 28, true);
    b.table[slot] = v.getUint32(at + 32, true);
    b.adj[slot] = v.getUint32(at + 36, true);
    b.sa[slot] = v.getUint32(at + 40, true);
    b.aux[slot] = v.getUint32(at + 44, true);
    g.acct.in++;
    const q = g.node(d[at + 2] === NODE_ENCRYPT ? 'esp-encrypt' : 'esp-decrypt').q;
    q.frame[q.count++] = slot;
    return true;
  }
  const family = d[at + 2];
  const ifl = v.getUint32(at + 8, true);
  const tsSec = v.getUint32(at + 12, true);
  const tsNsec = v.getUint32(at + 16, true);
  if (kind === MSG_LEARN) {
    const mac = d.slice(at + 36, at + 42);
    if (family === 4) dev.resolve4(ifl, v.getUint32(at + 20, true), mac, tsSec, tsNsec);
    else dev.resolve6(ifl, d.slice(at + 20, at + 36), mac, tsSec, tsNsec);
  } else if (family === 4) {
    dev.solicitFor4(ifl, v.getUint32(at + 20, true), tsSec, tsNsec);
  } else {
    dev.solicitFor6(ifl, d.slice(at + 20, at + 36), tsSec, tsNsec);
  }
  return true;
}

/** Replica owning each SA of a device, by SA index. */
export function ownersOf(dev: DeviceRt, replicas: number): Uint8Array {
  const sas = dev.ipsec?.sas ?? [];
  const owner = new Uint8Array(sas.length);
  for (let i = 0; i < sas.length; i++) owner[i] = saOwner(sas[i].spi, replicas);
  return owner;
}

/** The SPI of the ESP packet at b.l3 (IPv4, or IPv6 with ESP as its first next header); -1 when it has none. */
export function espSpi(b: Batch, slot: number): number {
  const d = b.data;
  const l3 = b.l3[slot];
  const end = b.off[slot] + b.len[slot];
  const v = d[l3] >>> 4;
  const esp = v === 4 ? l3 + (d[l3] & 15) * 4 : v === 6 && d[l3 + 6] === 50 ? l3 + 40 : -1;
  if (esp < 0 || esp + 4 > end) return -1;
  return ((d[esp] << 24) | (d[esp + 1] << 16) | (d[esp + 2] << 8) | d[esp + 3]) >>> 0;
}

/** Makes a device one replica of several: neighbour resolution through replica 0, SAs owned by one replica each. */
export function attachReplica(dev: DeviceRt, k: number, me: number, n: number, mail: Mailbox, owner: Uint8Array): void {
  dev.replica = {
    index: me,
    learned: me === 0 ? (nb, s, ns) => { for (let r = 1; r < n; r++) mail.neighbor(r, MSG_LEARN, k, nb, s, ns); } : () => {},
    solicit: (_family, _ifl, nb, s, ns) => mail.neighbor(0, MSG_SOLICIT, k, nb, s, ns),
  };
  if (!dev.ipsec) return;
  const acct = dev.graph.acct;
  (dev.graph.node('esp-encrypt') as EspEncrypt).handoff = (b, frame, count) => {
    let m = 0;
    for (let i = 0; i < count; i++) {
      const slot = frame[i];
      const o = b.sa[slot] < owner.length ? owner[b.sa[slot]] : me;
      if (o === me) frame[m++] = slot;
      else { acct.out++; mail.ship(o, k, NODE_ENCRYPT, b, slot); }
    }
    return m;
  };
  (dev.graph.node('esp-decrypt') as EspDecrypt).handoff = (b, frame, count) => {
    let m = 0;
    for (let i = 0; i < count; i++) {
      const slot = frame[i];
      const spi = espSpi(b, slot);
      const o = spi < 0 ? me : saOwner(spi, n);
      if (o === me) frame[m++] = slot;
      else { acct.out++; mail.ship(o, k, NODE_DECRYPT, b, slot); }
    }
    return m;
  };
}
