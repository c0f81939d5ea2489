import { GraphNode } from '../graph/node.js';
import type { Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import type { Neighbor } from '../l3/neighbor.js';
import { ADJ_GLEAN, ADJ_REWRITE } from '../l3/adjacency.js';
import { readU32, writeU32 } from '../packet/addr.js';
import { arpMakeReplyInPlace } from '../packet/arp.js';

const ARP_LEN = 28;
const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

const E_TRUNCATED = 0;
const E_UNSUPPORTED = 1;
const E_OPCODE = 2;
const E_SENDER_MAC = 3;
const E_DUPLICATE = 4;
const E_NO_INET = 5;

/**
 * arp-input (RFC 826 for Ethernet/IPv4): answers requests for the receiving
 * IFL's own addresses, learns the sender of a request addressed to it when the
 * sender is on one of the IFL's subnets, refreshes existing entries from any
 * ARP packet (replies and gratuitous ARP included) and so resolves the
 * neighbours whose packets are held. A reply nobody asked for creates no entry.
 */
export class ArpInput extends GraphNode {
  readonly name = 'arp-input';
  readonly nextNames = ['interface-output'];
  override readonly errorNames = [
    'arp_truncated', 'arp_unsupported_format', 'arp_bad_opcode', 'arp_bad_sender_mac', 'arp_duplicate_address', 'arp_inet_not_configured',
  ];
  override readonly counterNames = ['arp_requests_received', 'arp_replies_received', 'arp_replies_sent', 'arp_entries_learned'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const ifs = this.dev.ifs;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const off = b.off[slot];
      const p = b.l3[slot];
      if (off + b.len[slot] - p < ARP_LEN) { this.drop(b, slot, E_TRUNCATED); continue; }
      if (d[p] !== 0 || d[p + 1] !== 1 || d[p + 2] !== 0x08 || d[p + 3] !== 0 || d[p + 4] !== 6 || d[p + 5] !== 4) {
        this.drop(b, slot, E_UNSUPPORTED);
        continue;
      }
      const op = (d[p + 6] << 8) | d[p + 7];
      if (op !== 1 && op !== 2) { this.drop(b, slot, E_OPCODE); continue; }
      if (d[p + 8] & 1) { this.drop(b, slot, E_SENDER_MAC); continue; }
      const ifl = b.rxIfl[slot];
      if (!ifs.ifls[ifl].inet) { this.drop(b, slot, E_NO_INET); continue; }
      const spa = readU32(d, p + 14);
      const tpa = readU32(d, p + 24);
      this.counters[op === 1 ? 0 : 1]++;
      if (spa !== 0 && ifs.isOwn4(ifl, spa)) { this.drop(b, slot, E_DUPLICATE); continue; }
      // An IRB answers for its anycast gateway addresses too, with the gateway's MAC.
      const gatewayMac = this.dev.bridge?.gatewayMac4(ifl, tpa) ?? null;
      const forUs = gatewayMac !== null || ifs.isOwn4(ifl, tpa);
      const known = this.dev.nbrs.find4(ifl, spa);
      const sha = d.subarray(p + 8, p + 14);
      if (known) this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
      else if (forUs && op === 1 && spa !== 0 && onSubnet(this.dev, ifl, spa)) {
        this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
        this.counters[3]++;
      }
      if (op === 1 && forUs && spa !== 0) {
        this.reply(b, slot, off, p, ifl, gatewayMac);
        continue;
      }
      this.g.consume(slot, op === 1 ? 'ARP request, not for the device' : 'ARP reply');
    }
  }

  /** Request → reply in the same buffer; the frame's VLAN tags are those of the IFL it goes back out of. */
  private reply(b: Batch, slot: number, off: number, p: number, ifl: number, gatewayMac: Uint8Array | null): void {
    const d = b.data;
    const mac = gatewayMac ?? this.dev.ifs.ifds[this.dev.ifs.ifls[ifl].ifd].mac;
    d.copyWithin(off, p + 8, p + 14); // Ethernet destination: the requester
    d.set(mac, off + 6);
    arpMakeReplyInPlace(d, p, mac, 0);
    b.len[slot] = p - off + ARP_LEN;
    b.txIfl[slot] = ifl;
    this.g.convert(slot);
    this.counters[2]++;
    this.enqueue(0, slot);
  }
}

function onSubnet(dev: DeviceRt, ifl: number, ip: number): boolean {
  for (const a of dev.ifs.ifls[ifl].v4) if (a.len > 0 && a.len < 32 && ((a.ip ^ ip) >>> (32 - a.len)) === 0) return true;
  return false;
}

/**
 * ip4-arp: packets whose next hop has no MAC yet (an incomplete neighbour, or
 * a destination on a connected subnet). The packet is held; an ARP request is
 * sent at once and again each second while packets keep coming (three at
 * most). Held packets leave when the reply arrives, or are dropped as
 * arp_resolution_failed when none comes.
 */
export class Ip4Arp extends GraphNode {
  readonly name = 'ip4-arp';
  readonly nextNames = ['ip4-rewrite', 'interface-output'];
  override readonly errorNames = ['arp_hold_queue_full', 'arp_no_source_address'];
  override readonly counterNames = ['arp_requests_sent', 'packets_held'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const dev = this.dev;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const a = dev.adjs.all[b.adj[slot]];
      const l3 = b.l3[slot];
      const dst = readU32(d, l3 + 16);
      const nb = a.kind === ADJ_GLEAN ? dev.neighbor4(a.ifl, dst) : dev.nbrs.all[a.neighbor];
      if (dev.adjs.all[nb.adj].kind !== ADJ_REWRITE) dev.bridge?.resolveFromBinding4(dev, nb, b.tsSec[slot], b.tsNsec[slot]);
      if (dev.adjs.all[nb.adj].kind === ADJ_REWRITE) {
        b.adj[slot] = nb.adj;
        this.enqueue(0, slot);
        continue;
      }
      const src = dev.ifs.sourceFor4(nb.ifl, nb.ip4);
      if (src < 0) { this.drop(b, slot, 1); continue; }
      const now = b.tsSec[slot];
      if (dev.shouldSolicit(nb, now)) this.request(b, slot, nb.ifl, src, nb.ip4, now, nb);
      if (!dev.hold(nb, b, slot)) { this.drop(b, slot, 0); continue; }
      this.counters[1]++;
      this.note(b, slot, () => `held: ARP for ${nb.ipText()} on ${dev.ifs.ifls[nb.ifl].name}`);
      b.release(slot);
    }
  }

  private request(b: Batch, from: number, ifl: number, src: number, target: number, now: number, nb: Neighbor): void {
    const rep = this.dev.replica;
    if (rep !== null && rep.index !== 0) {
      // A pipeline replica leaves resolution to replica 0 (the routing engine), which tells every replica the answer.
      rep.solicit(4, ifl, nb, b.tsSec[from], b.tsNsec[from]);
      nb.requests++;
      nb.lastRequestSec = now;
      return;
    }
    this.send(b, ifl, src, target, b.tsSec[from], b.tsNsec[from], now, nb);
  }

  /**
   * Replica 0: another replica holds packets for this neighbour. Sends a
   * request when one is due, or repeats the answer when it is known already.
   */
  requestFor(ifl: number, target: number, tsSec: number, tsNsec: number): void {
    const dev = this.dev;
    const nb = dev.neighbor4(ifl, target);
    if (dev.adjs.all[nb.adj].kind === ADJ_REWRITE) {
      dev.replica?.learned(nb, tsSec, tsNsec);
      return;
    }
    const src = dev.ifs.sourceFor4(ifl, target);
    if (src >= 0 && dev.shouldSolicit(nb, tsSec)) this.send(this.g.batch, ifl, src, target, tsSec, tsNsec, tsSec, nb);
  }

  private send(b: Batch, ifl: number, src: number, target: number, tsSec: number, tsNsec: number, now: number, nb: { requests: number; lastRequestSec: number }): void {
    const s = b.alloc();
    if (s < 0) return; // no room in this batch: the next held packet asks again
    this.g.generated(s);
    b.tsSec[s] = tsSec;
    b.tsNsec[s] = tsNsec;
    const d = b.data;
    const o = b.off[s];
    const l2 = this.dev.l2Header(ifl, BROADCAST, 0x0806);
    d.set(l2, o);
    const p = o + l2.length;
    d.set([0, 1, 0x08, 0, 6, 4, 0, 1], p);
    d.set(this.dev.ifs.ifds[this.dev.ifs.ifls[ifl].ifd].mac, p + 8);
    writeU32(d, p + 14, src);
    d.fill(0, p + 18, p + 24);
    writeU32(d, p + 24, target);
    b.len[s] = l2.length + ARP_LEN;
    b.txIfl[s] = ifl;
    nb.requests++;
    nb.lastRequestSec = now;
    this.counters[0]++;
    this.enqueue(1, s);
  }
}
