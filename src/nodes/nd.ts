import { GraphNode } from '../graph/node.js';
import { F_TRACED, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import type { Neighbor } from '../l3/neighbor.js';
import { ADJ_GLEAN, ADJ_REWRITE } from '../l3/adjacency.js';
import { icmp6Checksum, writeIp6Header } from './icmp6.js';

// Neighbour discovery (RFC 4861) for the router side: answer NS for own
// addresses, resolve the cache from NA, solicit unresolved next hops.

const ND_HOP_LIMIT = 255;
const OPT_SLLA = 1;
const OPT_TLLA = 2;
const ALL_NODES = new Uint8Array([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

/** Offset of the first option of `type` in the ND options at [p, end), -1 if absent, -2 if malformed. */
function findOption(d: Uint8Array, p: number, end: number, type: number): number {
  let found = -1;
  while (p < end) {
    if (p + 2 > end) return -2;
    const len = d[p + 1] << 3;
    if (len === 0 || p + len > end) return -2;
    if (d[p] === type && found < 0) found = p;
    p += len;
  }
  return found;
}

function isUnspecified(d: Uint8Array, o: number): boolean {
  for (let k = 0; k < 16; k++) if (d[o + k] !== 0) return false;
  return true;
}

/**
 * A neighbour solicitation at ICMPv6 offset `p`. Returns 1 when the buffer now
 * holds the NA to send back (txIfl set), 0 when the NS is only taken in, -1
 * when it is invalid (RFC 4861 7.1.1).
 */
export function handleNs(dev: DeviceRt, b: Batch, slot: number, l3: number, p: number): number {
  const d = b.data;
  const off = b.off[slot];
  const end = off + b.len[slot];
  if (d[l3 + 7] !== ND_HOP_LIMIT || d[p + 1] !== 0 || end - p < 24 || d[p + 8] === 0xff) return -1;
  const slla = findOption(d, p + 24, end, OPT_SLLA);
  if (slla === -2) return -1;
  const dad = isUnspecified(d, l3 + 8);
  if (dad && slla >= 0) return -1;
  const ifl = b.rxIfl[slot];
  // An IRB answers for its anycast gateway addresses too, with the gateway's MAC.
  const gatewayMac = dev.bridge?.gatewayMac6(ifl, d, p + 8) ?? dev.vrrp?.mac6(ifl, d, p + 8) ?? null; // or a VRRP master's (src/vrrp)
  const ours = gatewayMac !== null || dev.ifs.isOwn6(ifl, d, p + 8);
  if (!dad && slla >= 0 && (ours || dev.nbrs.find6(ifl, d, l3 + 8))) {
    dev.resolve6(ifl, d, d.subarray(slla + 2, slla + 8), b.tsSec[slot], b.tsNsec[slot], false, l3 + 8);
  }
  if (!ours) return 0;
  const mac = gatewayMac ?? dev.ifs.ifds[dev.ifs.ifls[ifl].ifd].mac;
  // Ethernet: back to the solicitor (its SLLA, else the frame's source), or all nodes for DAD.
  if (dad) d.set([0x33, 0x33, 0, 0, 0, 1], off);
  else if (slla >= 0) d.copyWithin(off, slla + 2, slla + 8);
  else d.copyWithin(off, off + 6, off + 12);
  d.set(mac, off + 6);
  const q = l3 + 40;
  d.copyWithin(q + 8, p + 8, p + 24); // target stays the target
  if (dad) writeIp6Header(d, l3, 32, 58, ND_HOP_LIMIT, d, q + 8, ALL_NODES, 0);
  else {
    d.copyWithin(l3 + 24, l3 + 8, l3 + 24); // destination: the solicitor
    writeIp6Header(d, l3, 32, 58, ND_HOP_LIMIT, d, q + 8, d, l3 + 24);
  }
  d[q] = 136;
  d[q + 1] = 0;
  d[q + 4] = 0x80 | (dad ? 0 : 0x40) | 0x20; // router, solicited, override
  d[q + 5] = 0;
  d[q + 6] = 0;
  d[q + 7] = 0;
  d[q + 24] = OPT_TLLA;
  d[q + 25] = 1;
  d.set(mac, q + 26);
  b.len[slot] = l3 - off + 40 + 32;
  icmp6Checksum(d, l3);
  b.txIfl[slot] = ifl;
  return 1;
}

/** A neighbour advertisement: resolves an existing entry (and releases held packets). 0, or -1 if invalid. */
export function handleNa(dev: DeviceRt, b: Batch, slot: number, l3: number, p: number): number {
  const d = b.data;
  const off = b.off[slot];
  const end = off + b.len[slot];
  if (d[l3 + 7] !== ND_HOP_LIMIT || d[p + 1] !== 0 || end - p < 24 || d[p + 8] === 0xff) return -1;
  if (d[l3 + 24] === 0xff && (d[p + 4] & 0x40)) return -1; // solicited flag on a multicast NA
  const tlla = findOption(d, p + 24, end, OPT_TLLA);
  if (tlla === -2) return -1;
  const ifl = b.rxIfl[slot];
  if (dev.nbrs.find6(ifl, d, p + 8)) {
    const macOff = tlla >= 0 ? tlla + 2 : off + 6;
    dev.resolve6(ifl, d, d.subarray(macOff, macOff + 6), b.tsSec[slot], b.tsNsec[slot], false, p + 8);
  }
  return 0;
}

/**
 * ip6-nd: packets whose IPv6 next hop has no MAC yet. As ip4-arp: the packet
 * is held and a neighbour solicitation goes to the target's solicited-node
 * multicast address, again each second while packets keep coming.
 */
export class Ip6Nd extends GraphNode {
  readonly name = 'ip6-nd';
  readonly nextNames = ['ip6-rewrite', 'interface-output'];
  override readonly errorNames = ['nd_hold_queue_full'];
  override readonly counterNames = ['ns_sent', 'packets_held'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const dev = this.dev;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const a = dev.adjs.all[b.adj[slot]];
      const nb = a.kind === ADJ_GLEAN ? dev.neighbor6(a.ifl, b.data, b.l3[slot] + 24) : dev.nbrs.all[a.neighbor];
      if (dev.adjs.all[nb.adj].kind !== ADJ_REWRITE) dev.bridge?.resolveFromBinding6(dev, nb, b.tsSec[slot], b.tsNsec[slot]);
      if (dev.adjs.all[nb.adj].kind === ADJ_REWRITE) {
        b.adj[slot] = nb.adj;
        this.enqueue(0, slot);
        continue;
      }
      const now = b.tsSec[slot];
      if (dev.shouldSolicit(nb, now)) this.solicit(b, slot, nb.ifl, nb.ip6!, now, nb);
      if (!dev.hold(nb, b, slot)) { this.drop(b, slot, 0); continue; }
      this.counters[1]++;
      if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `held: NS for ${nb.ipText()} on ${dev.ifs.ifls[nb.ifl].name}`);
      b.release(slot);
    }
  }

  private solicit(b: Batch, from: number, ifl: number, target: Uint8Array, now: number, nb: Neighbor): void {
    const rep = this.dev.replica;
    if (rep !== null && rep.index !== 0) {
      // As ip4-arp: replica 0 resolves for every pipeline replica.
      rep.solicit(6, ifl, nb, b.tsSec[from], b.tsNsec[from]);
      nb.requests++;
      nb.lastRequestSec = now;
      return;
    }
    this.send(b, ifl, target, b.tsSec[from], b.tsNsec[from], now, nb);
  }

  /** Replica 0: as Ip4Arp.requestFor. */
  solicitFor(ifl: number, target: Uint8Array, tsSec: number, tsNsec: number): void {
    const dev = this.dev;
    const nb = dev.neighbor6(ifl, target);
    if (dev.adjs.all[nb.adj].kind === ADJ_REWRITE) {
      dev.replica?.learned(nb, tsSec, tsNsec);
      return;
    }
    if (dev.shouldSolicit(nb, tsSec)) this.send(this.g.batch, ifl, nb.ip6!, tsSec, tsNsec, tsSec, nb);
  }

  private send(b: Batch, ifl: number, target: Uint8Array, tsSec: number, tsNsec: number, now: number, nb: { requests: number; lastRequestSec: number }): void {
    const s = b.alloc();
    if (s < 0) return;
    this.g.generated(s);
    b.tsSec[s] = tsSec;
    b.tsNsec[s] = tsNsec;
    const d = b.data;
    const o = b.off[s];
    const l2 = this.dev.l2Header(ifl, Uint8Array.of(0x33, 0x33, 0xff, target[13], target[14], target[15]), 0x86dd);
    d.set(l2, o);
    const l3 = o + l2.length;
    const snm = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, target[13], target[14], target[15]);
    writeIp6Header(d, l3, 32, 58, ND_HOP_LIMIT, this.dev.ifs.sourceFor6(ifl, target), 0, snm, 0);
    const q = l3 + 40;
    d.fill(0, q, q + 8);
    d[q] = 135;
    d.set(target, q + 8);
    d[q + 24] = OPT_SLLA;
    d[q + 25] = 1;
    d.set(this.dev.ifs.ifds[this.dev.ifs.ifls[ifl].ifd].mac, q + 26);
    icmp6Checksum(d, l3);
    b.len[s] = l2.length + 40 + 32;
    b.txIfl[s] = ifl;
    nb.requests++;
    nb.lastRequestSec = now;
    this.counters[0]++;
    this.enqueue(1, s);
  }
}
