import { GraphNode } from '../graph/node.js';
import { F_TRACED, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { NeighborAging, forgetNeighbor, type Neighbor } from '../l3/neighbor.js';
import { ADJ_DROP, ADJ_GLEAN, ADJ_LOCAL, ADJ_MULTIPATH, ADJ_NEXT_TABLE, ADJ_REJECT, ADJ_REWRITE } from '../l3/adjacency.js';
import { PROXY_ARP_MODES, arpProfile } from '../profiles/arp.js';
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
const E_SENDER_SUBNET = 6;
const E_SENDER_TARGET_SUBNET = 7;
const E_TARGET_ELSEWHERE = 8;
const E_FILTERED = 9;

const C_REQUESTS = 0;
const C_REPLIES = 1;
const C_REPLIES_SENT = 2;
const C_LEARNED = 3;
const C_PROXY_SENT = 4;
const C_PROXY_REFUSED = 5;
const C_GARP = 6;
const C_GARP_UPDATED = 7;
const C_GARP_LEARNED = 8;
const C_GARP_IGNORED = 9;
const C_AGED = 10;

// Proxy ARP modes by their index in PROXY_ARP_MODES (1, restricted, is whatever is neither).
const PROXY_OFF = 0;
const PROXY_UNRESTRICTED = 2;

/** Where the route to an address leaves (egress()): no usable route, one of the device's own addresses, or a non-IFL path (tunnel, LSP). */
const NO_ROUTE = -1;
const LOCAL = -2;
const ELSEWHERE = -3;

/**
 * arp-input (RFC 826 for Ethernet/IPv4), with the vendor rules of the
 * device's profile (src/profiles/arp.ts), read once here: which requests
 * for its addresses it answers (arp-ignore, arp-sender-check, arp-filter),
 * proxy ARP per IFL, what gratuitous ARP (sender IP = target IP) may update
 * or create, and how long a learned entry lives (aged by a timer of input
 * time). The sender of an answered request is learned when it is on one of
 * the IFL's subnets (secondaries included: a learned entry is also a host
 * route); an entry is refreshed by any ARP from its owner; a reply nobody
 * asked for creates nothing. Refused requests are dropped under their
 * reason, so a comparison of profiles says why one answered and one did not.
 */
export class ArpInput extends GraphNode {
  readonly name = 'arp-input';
  readonly nextNames = ['interface-output'];
  override readonly errorNames = [
    'arp_truncated', 'arp_unsupported_format', 'arp_bad_opcode', 'arp_bad_sender_mac', 'arp_duplicate_address', 'arp_inet_not_configured',
    'arp_sender_not_on_subnet', 'arp_sender_not_on_target_subnet', 'arp_target_not_on_interface', 'arp_filtered',
  ];
  override readonly counterNames = [
    'arp_requests_received', 'arp_replies_received', 'arp_replies_sent', 'arp_entries_learned',
    'arp_proxy_replies_sent', 'arp_proxy_requests_not_proxied',
    'arp_garp_received', 'arp_garp_updated', 'arp_garp_learned', 'arp_garp_ignored', 'arp_entries_aged',
  ];

  private readonly ignore: number;
  private readonly senderCheck: boolean;
  private readonly filter: boolean;
  private readonly garpUpdateRequests: boolean;
  private readonly garpUpdateReplies: boolean;
  private readonly garpLearn: boolean;
  /** Proxy ARP by IFL index: the unit's own setting, else the profile's. */
  private readonly proxy: Uint8Array;
  /** Seconds a dynamic entry lives unconfirmed (0: forever): Junos `system arp aging-timer`, else the profile's arp-cache-timeout. */
  readonly cacheTimeoutSec: number;
  private readonly aging: NeighborAging | null;

  constructor(private readonly dev: DeviceRt) {
    super();
    const p = arpProfile(dev.behaviour);
    this.ignore = p.ignore;
    this.senderCheck = p.senderCheck;
    this.filter = p.filter;
    this.garpUpdateRequests = p.garpUpdateRequests;
    this.garpUpdateReplies = p.garpUpdateReplies;
    this.garpLearn = p.garpLearn;
    this.proxy = Uint8Array.from(dev.ifs.ifls, (l) => PROXY_ARP_MODES.indexOf(l.model.proxyArp ?? p.proxy));
    this.cacheTimeoutSec = dev.model.arpAgingSec ?? p.cacheTimeoutSec;
    this.aging = this.cacheTimeoutSec > 0 ? new NeighborAging(dev.nbrs, 4, this.cacheTimeoutSec, (n) => this.expire(n)) : null;
    if (this.aging !== null) dev.timers.push((nowSec) => this.aging!.run(nowSec));
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
      this.counters[op === 1 ? C_REQUESTS : C_REPLIES]++;
      if (spa !== 0 && ifs.isOwn4(ifl, spa)) { this.drop(b, slot, E_DUPLICATE); continue; }
      if (op === 1 && spa !== 0 && this.senderCheck && !onSubnet(this.dev, ifl, spa)) { this.drop(b, slot, E_SENDER_SUBNET); continue; }
      const sha = d.subarray(p + 8, p + 14);
      if (spa !== 0 && spa === tpa) {
        this.gratuitous(b, slot, ifl, op, spa, sha);
        continue;
      }
      const known = this.dev.nbrs.find4(ifl, spa);
      if (op === 2 || spa === 0) {
        // A reply (solicited: its entry is waiting) or a probe (RFC 5227, from 0.0.0.0): nothing to answer.
        if (known) this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
        this.g.consume(slot, op === 2 ? 'ARP reply' : 'ARP probe');
        continue;
      }
      // Virtual addresses answer with their own MAC: an IRB's anycast gateway.
      // ... and a VRRP master's virtual MAC (a backup's ignored requests are counted by src/vrrp).
      const virtualMac = this.dev.bridge?.gatewayMac4(ifl, tpa) ?? this.dev.vrrp?.mac4(ifl, tpa, true) ?? null;
      if (virtualMac !== null || ifs.isOwn4(ifl, tpa)) {
        if (virtualMac === null && this.ignore === 2 && !sharedSubnet(this.dev, ifl, spa, tpa)) { this.drop(b, slot, E_SENDER_TARGET_SUBNET); continue; }
        if (this.filter && this.egress(ifl, spa) !== ifl) { this.drop(b, slot, E_FILTERED); continue; }
        this.answer(b, slot, off, p, ifl, spa, sha, known, virtualMac, false);
        continue;
      }
      // (A VRRP backup's virtual address is on the IFL's own subnet: a connected route, neither local nor proxied.)
      const route = this.egress(ifl, tpa);
      if (route === LOCAL && this.ignore === 0) {
        // Linux arp_ignore=0: any address of the device in the IFL's routing instance.
        if (this.filter && this.egress(ifl, spa) !== ifl) { this.drop(b, slot, E_FILTERED); continue; }
        this.answer(b, slot, off, p, ifl, spa, sha, known, null, false);
        continue;
      }
      const mode = this.proxy[ifl];
      if (mode !== PROXY_OFF && route !== NO_ROUTE) {
        if (mode === PROXY_UNRESTRICTED || (route !== ifl && !sharedSubnet(this.dev, ifl, spa, tpa))) {
          this.answer(b, slot, off, p, ifl, spa, sha, known, null, true);
          continue;
        }
        this.counters[C_PROXY_REFUSED]++;
      }
      if (route === LOCAL) { this.drop(b, slot, E_TARGET_ELSEWHERE); continue; }
      if (known) this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
      this.g.consume(slot, 'ARP request, not for the device');
    }
  }

  /** Learns or refreshes the sender of a request it answers, then turns the request into the reply. */
  private answer(
    b: Batch, slot: number, off: number, p: number, ifl: number, spa: number, sha: Uint8Array,
    known: Neighbor | undefined, virtualMac: Uint8Array | null, proxied: boolean,
  ): void {
    if (known) this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
    else if (onSubnet(this.dev, ifl, spa)) {
      this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
      this.counters[C_LEARNED]++;
    }
    if (proxied) this.counters[C_PROXY_SENT]++;
    this.reply(b, slot, off, p, ifl, virtualMac);
  }

  /** A gratuitous ARP (sender IP = target IP): never answered; updates or creates an entry as the profile allows. */
  private gratuitous(b: Batch, slot: number, ifl: number, op: number, spa: number, sha: Uint8Array): void {
    this.counters[C_GARP]++;
    const known = this.dev.nbrs.find4(ifl, spa);
    let k = C_GARP_IGNORED;
    if (known) {
      if (known.state !== 'static' && (op === 1 ? this.garpUpdateRequests : this.garpUpdateReplies)) k = C_GARP_UPDATED;
    } else if (this.garpLearn && onSubnet(this.dev, ifl, spa)) k = C_GARP_LEARNED;
    if (k !== C_GARP_IGNORED) this.dev.resolve4(ifl, spa, sha, b.tsSec[slot], b.tsNsec[slot]);
    this.counters[k]++;
    this.g.consume(slot, 'gratuitous ARP');
  }

  /** Request → reply in the same buffer; the frame's VLAN tags are those of the IFL it goes back out of. */
  private reply(b: Batch, slot: number, off: number, p: number, ifl: number, virtualMac: Uint8Array | null): void {
    const d = b.data;
    const mac = virtualMac ?? this.dev.ifs.ifds[this.dev.ifs.ifls[ifl].ifd].mac;
    d.copyWithin(off, p + 8, p + 14); // Ethernet destination: the requester
    d.set(mac, off + 6);
    arpMakeReplyInPlace(d, p, mac, 0);
    b.len[slot] = p - off + ARP_LEN;
    b.txIfl[slot] = ifl;
    this.g.convert(slot);
    this.counters[C_REPLIES_SENT]++;
    this.enqueue(0, slot);
  }

  /**
   * Where the route to `ip` in the IFL's table leaves: an IFL index, LOCAL,
   * ELSEWHERE or NO_ROUTE (none, discard, reject). ECMP: its first member;
   * next-table: followed.
   */
  private egress(ifl: number, ip: number): number {
    const dev = this.dev;
    let t = dev.ifs.ifls[ifl].table4;
    for (let depth = 0; depth < 4; depth++) {
      const k = dev.tables[t].lpm4!.lookup(ip);
      if (k < 0) return NO_ROUTE;
      let a = dev.adjs.all[k];
      if (a.kind === ADJ_MULTIPATH && a.members.length) a = dev.adjs.all[a.members[0]];
      if (a.kind === ADJ_NEXT_TABLE) { t = a.table; continue; }
      if (a.kind === ADJ_LOCAL) return LOCAL;
      if (a.kind === ADJ_DROP || a.kind === ADJ_REJECT) return NO_ROUTE;
      return a.ifl >= 0 ? a.ifl : ELSEWHERE;
    }
    return NO_ROUTE;
  }

  /** An entry that aged out: incomplete again, so the next packet to it ARPs. */
  private expire(n: Neighbor): void {
    forgetNeighbor(n, this.dev.adjs);
    this.counters[C_AGED]++;
  }
}

/** Whether `ip` is in a subnet of the IFL, primary or secondary. */
function onSubnet(dev: DeviceRt, ifl: number, ip: number): boolean {
  for (const a of dev.ifs.ifls[ifl].v4) if (a.len > 0 && a.len < 32 && ((a.ip ^ ip) >>> (32 - a.len)) === 0) return true;
  return false;
}

/** Whether one subnet of the IFL holds both addresses. */
function sharedSubnet(dev: DeviceRt, ifl: number, x: number, y: number): boolean {
  for (const a of dev.ifs.ifls[ifl].v4) {
    if (a.len > 0 && a.len < 32 && ((a.ip ^ x) >>> (32 - a.len)) === 0 && ((a.ip ^ y) >>> (32 - a.len)) === 0) return true;
  }
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
      if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `held: ARP for ${nb.ipText()} on ${dev.ifs.ifls[nb.ifl].name}`);
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
