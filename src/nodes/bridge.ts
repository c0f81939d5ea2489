import { GraphNode } from '../graph/node.js';
import { F_TRACED, F_FROM_IRB, F_FROM_VXLAN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import type { Bridge } from '../l2/bridge.js';
import { LEARN_MOVE, LEARN_NEW, LEARN_REFRESH, LEARN_STATIC, MAC_PORT_MAX, MAC_REMOTE } from '../l2/mac-table.js';
import { formatIpv4, formatIpv6, formatMac, readU32 } from '../packet/addr.js';
import { samePrefix6 } from '../device/interfaces.js';
import { Suppression, SUPPRESS_REPLIED, SUPPRESS_TO_IRB } from './suppress.js';
import { ArpSponge } from '../l2/sponge.js';

const NEXT_OUTPUT = 0;
const NEXT_FLOOD = 1;
const NEXT_ENCAP = 2;
const NEXT_IRB = 3;

const E_SOURCE_MAC = 0;
const E_SAME_IFL = 1;
const E_SPLIT_HORIZON = 2;

const C_LEARNED = 0;
const C_MOVED = 1;
const C_REFUSED = 2;
const C_UNKNOWN_UNICAST = 3;

/**
 * bridge-input: the bridge of a domain (b.aux) — learns the source MAC on the
 * access IFL or behind the VTEP it came from, snoops and suppresses ARP/ND
 * (suppress.ts), and forwards by destination MAC: to an access IFL
 * (l2-output), a remote VTEP (vxlan-encap), the IRB (irb-input), or floods
 * (l2-flood) what is broadcast, multicast or unknown. A frame for a MAC on
 * the IFL it came in on is filtered, as any bridge does; a frame from VXLAN
 * never goes back into VXLAN.
 */
export class BridgeInput extends GraphNode {
  readonly name = 'bridge-input';
  readonly nextNames = ['l2-output', 'l2-flood', 'vxlan-encap', 'irb-input'];
  override readonly errorNames = ['l2_bad_source_mac', 'l2_same_interface', 'vxlan_split_horizon'];
  override readonly counterNames = ['mac_learned', 'mac_moved', 'mac_learn_refused', 'unknown_unicast_flooded', ...ArpSponge.COUNTERS, ...Suppression.COUNTERS];
  private readonly br: Bridge;
  private readonly suppression: Suppression;
  /** ARP sponges by domain (l2/sponge.ts); null: none on the device. */
  readonly sponges: (ArpSponge | null)[] | null = null;

  constructor(private readonly dev: DeviceRt) {
    super();
    this.br = dev.bridge!;
    this.suppression = new Suppression(dev, this);
    if (dev.model.arpSponges?.length) {
      const sponges: (ArpSponge | null)[] = this.br.domains.map(() => null);
      for (const c of dev.model.arpSponges) {
        const bd = this.br.domains.findIndex((d) => d.name === c.domain);
        if (bd >= 0) sponges[bd] = new ArpSponge(dev, c, bd, this);
      }
      this.sponges = sponges;
    }
  }

  // Scratch of the vector lookup (grown to the largest vector seen, never per packet).
  private vDom = new Uint32Array(0);
  private vOff = new Uint32Array(0);
  private vDest = new Int32Array(0);

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const br = this.br;
    const macs = br.macs;
    const domains = br.domains;
    // Destinations are looked up for the whole vector first (lookupVector: with a table beyond the caches,
    // the misses overlap instead of queueing one per packet). A learn that adds or moves an entry makes
    // the later results of this vector stale: from then on each packet is looked up after its own learn,
    // exactly as one at a time.
    if (this.vDest.length < n) {
      this.vDom = new Uint32Array(n);
      this.vOff = new Uint32Array(n);
      this.vDest = new Int32Array(n);
    }
    const vDom = this.vDom, vOff = this.vOff, vDest = this.vDest;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      vDom[i] = b.aux[slot];
      vOff[i] = b.off[slot];
    }
    macs.lookupVector(n, vDom, d, vOff, vDest);
    let stale = false;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const off = b.off[slot];
      const bd = b.aux[slot];
      const dom = domains[bd];
      const flags = b.flags[slot];
      const fromVxlan = (flags & F_FROM_VXLAN) !== 0;
      if ((flags & F_FROM_IRB) === 0) {
        if (d[off + 6] & 1) { this.drop(b, slot, E_SOURCE_MAC); continue; }
        if (dom.learning && (!fromVxlan || dom.learnRemote)) {
          const r = macs.learn(bd, d, off + 6, fromVxlan ? MAC_REMOTE | b.adj[slot] : b.rxIfl[slot], b.tsSec[slot]);
          if (r !== LEARN_REFRESH) {
            if (r === LEARN_NEW || r === LEARN_MOVE) stale = true;
            this.learned(r, b, slot, bd, off, fromVxlan);
          }
        }
        if (this.sponges !== null) {
          const sp = this.sponges[bd];
          if (sp !== null) {
            const consumed = sp.observe(b, slot, fromVxlan);
            if (sp.reply >= 0) this.enqueue(NEXT_OUTPUT, sp.reply);
            if (consumed) continue;
          }
        }
        if (!fromVxlan) {
          const s = this.suppression.check(b, slot, dom);
          if (s === SUPPRESS_REPLIED) { this.enqueue(NEXT_OUTPUT, slot); continue; }
          if (s === SUPPRESS_TO_IRB) { this.enqueue(NEXT_IRB, slot); continue; }
        }
      }
      if (d[off] & 1) {
        b.sa[slot] = 0; // l2-flood's progress through its copies
        this.enqueue(NEXT_FLOOD, slot);
        continue;
      }
      const dest = stale ? macs.lookup(bd, d, off) : vDest[i];
      if (dest < 0) {
        this.counters[C_UNKNOWN_UNICAST]++;
        b.sa[slot] = 0;
        this.enqueue(NEXT_FLOOD, slot);
      } else if (dest & MAC_REMOTE) {
        if (fromVxlan) { this.drop(b, slot, E_SPLIT_HORIZON); continue; }
        b.adj[slot] = dest & MAC_PORT_MAX;
        this.enqueue(NEXT_ENCAP, slot);
      } else if (dest === dom.irb) {
        this.enqueue(NEXT_IRB, slot);
      } else if (dest === b.rxIfl[slot] && !fromVxlan) {
        this.drop(b, slot, E_SAME_IFL);
      } else {
        b.txIfl[slot] = dest;
        this.enqueue(NEXT_OUTPUT, slot);
      }
    }
  }

  /** Off the per-packet path: a new, moved or refused MAC (and its EVPN type-2 route). */
  private learned(r: number, b: Batch, slot: number, bd: number, off: number, fromVxlan: boolean): void {
    if (r === LEARN_STATIC) return;
    if (r === LEARN_NEW || r === LEARN_MOVE) {
      this.counters[r === LEARN_NEW ? C_LEARNED : C_MOVED]++;
      if (b.flags[slot] & F_TRACED) this.g.trace.note(b.traceId[slot], `learned ${formatMac(b.data, off + 6)} ${r === LEARN_MOVE ? 'moved ' : ''}on ${fromVxlan ? `vtep ${this.br.vteps.all[b.adj[slot]].text}` : this.dev.ifs.ifls[b.rxIfl[slot]].name}`);
      if (!fromVxlan && this.br.domains[bd].evpn) this.br.advertise?.(bd, b.data.subarray(off + 6, off + 12), null);
    } else {
      this.counters[C_REFUSED]++;
    }
  }
}

/**
 * irb-input: a bridged frame for the domain's IRB (its MAC, the anycast
 * gateway MAC, or a broadcast copy) enters routing on the IRB unit, in the
 * IRB's routing instance. With the linux-frr profile, the IP packets the IRB
 * takes in as a host are what MAC+IP bindings are learned from (the kernel
 * neighbour table): those sent to its MAC or the gateway MAC, and NS for one
 * of its addresses. A flooded broadcast or multicast copy (another host's NS)
 * teaches nothing, as the kernel makes no neighbour entry from it.
 */
export class IrbInput extends GraphNode {
  readonly name = 'irb-input';
  readonly nextNames = ['ip4-input', 'ip6-input', 'arp-input'];
  override readonly errorNames = ['inet_not_configured', 'inet6_not_configured', 'unknown_ethertype'];
  override readonly counterNames = ['macip_learned_from_ip'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const br = this.dev.bridge!;
    const ifs = this.dev.ifs;
    const learnIp = br.profile.learnFromIrbIp;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const bd = b.aux[slot];
      const irb = br.domains[bd].irb;
      const l3 = b.l3[slot];
      const rxIfl = b.rxIfl[slot];
      b.rxIfl[slot] = irb;
      b.flags[slot] &= ~F_FROM_VXLAN;
      ifs.rxPackets[irb]++;
      ifs.rxBytes[irb] += b.len[slot];
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], ifs.ifls[irb].name);
      const type = (d[l3 - 2] << 8) | d[l3 - 1];
      const rt = ifs.ifls[irb];
      if (type === 0x0800) {
        if (!rt.inet) { this.drop(b, slot, 0); continue; }
        if (learnIp) this.learn4(b, slot, bd, irb, rxIfl);
        b.table[slot] = rt.table4;
        this.enqueue(0, slot);
      } else if (type === 0x86dd) {
        if (!rt.inet6) { this.drop(b, slot, 1); continue; }
        if (learnIp) this.learn6(b, slot, bd, irb, rxIfl);
        b.table[slot] = rt.table6;
        this.enqueue(1, slot);
      } else if (type === 0x0806) {
        this.enqueue(2, slot);
      } else {
        this.drop(b, slot, 2);
      }
    }
  }

  /** linux-frr: an IPv4 packet from a host on the IRB's subnet teaches its MAC+IP (the frame's source). */
  private learn4(b: Batch, slot: number, bd: number, irb: number, rxIfl: number): void {
    const d = b.data;
    const l3 = b.l3[slot];
    if (b.off[slot] + b.len[slot] - l3 < 20 || (d[b.off[slot] + 6] & 1) || (d[b.off[slot]] & 1)) return;
    const src = readU32(d, l3 + 12);
    let on = false;
    for (const a of this.dev.ifs.ifls[irb].v4) if (a.len > 0 && a.len < 32 && ((a.ip ^ src) >>> (32 - a.len)) === 0 && a.ip !== src) on = true;
    if (!on) return;
    this.record(this.dev.bridge!.macIp.learn4(bd, src, d, b.off[slot] + 6, true, rxIfl, 'ip', b.tsSec[slot]), bd, b, slot);
  }

  /**
   * linux-frr: IPv6 from a host: link-local sources (the IRB has inet6 here), or sources in one of the IRB's prefixes;
   * unicast to the IRB, or an NS (multicast) whose target is the IRB's own or gateway address.
   */
  private learn6(b: Batch, slot: number, bd: number, irb: number, rxIfl: number): void {
    const d = b.data;
    const l3 = b.l3[slot];
    const end = b.off[slot] + b.len[slot];
    if (end - l3 < 40 || (d[b.off[slot] + 6] & 1)) return;
    if (d[b.off[slot]] & 1) {
      const forUs = d[l3 + 6] === 58 && end - l3 >= 64 && d[l3 + 40] === 135
        && (this.dev.ifs.isOwn6(irb, d, l3 + 48) || this.dev.bridge!.gatewayMac6(irb, d, l3 + 48) !== null);
      if (!forUs) return;
    }
    const s = l3 + 8;
    const linkLocal = d[s] === 0xfe && (d[s + 1] & 0xc0) === 0x80;
    let on = linkLocal;
    if (!linkLocal) for (const a of this.dev.ifs.ifls[irb].v6) if (samePrefix6(a.ip, d, s, a.len)) on = true;
    if (!on || this.dev.ifs.isOwn6(irb, d, s)) return;
    this.record(this.dev.bridge!.macIp.learn6(bd, d, s, d, b.off[slot] + 6, true, rxIfl, 'ip', b.tsSec[slot]), bd, b, slot);
  }

  /** A new or changed binding is counted and, in an EVPN domain, advertised as a type-2 MAC+IP route. */
  private record(r: number, bd: number, b: Batch, slot: number): void {
    if (r === 0) return;
    this.counters[0]++;
    const br = this.dev.bridge!;
    if (br.domains[bd].evpn && br.advertise) {
      const e = b.data;
      const l3 = b.l3[slot];
      const v4 = e[l3] >> 4 === 4;
      br.advertise(bd, e.subarray(b.off[slot] + 6, b.off[slot] + 12), v4 ? formatIpv4(readU32(e, l3 + 12)) : formatIpv6(e, l3 + 8));
    }
  }
}
