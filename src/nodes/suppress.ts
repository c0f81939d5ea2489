import type { Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import type { BridgeDomainRt } from '../l2/bridge.js';
import type { GraphNode } from '../graph/node.js';
import { MACIP_SAME } from '../evpn/mac-ip.js';
import { arpMakeReplyInPlace } from '../packet/arp.js';
import { formatIpv4, formatIpv6, formatMac, readU32 } from '../packet/addr.js';
import { ndFindOption } from '../packet/nd-options.js';
import { equal16 } from '../device/interfaces.js';
import { icmp6Checksum, writeIp6Header } from './icmp6.js';

/** check(): bridge the frame as usual (flood or forward). */
export const SUPPRESS_FLOOD = 0;
/** check(): the buffer now holds the ARP reply / NA, to go back out of the IFL it came in on (txIfl set). */
export const SUPPRESS_REPLIED = 1;
/** check(): a request for the IRB's own or anycast gateway address: to the IRB alone, not flooded. */
export const SUPPRESS_TO_IRB = 2;

const ARP_LEN = 28;
const ND_HOP_LIMIT = 255;
const UNSPECIFIED = new Uint8Array(16);
const C_MACIP = 0;
const C_ARP_SUPPRESSED = 1;
const C_ARP_FLOODED = 2;
const C_ND_SUPPRESSED = 3;
const C_ND_FLOODED = 4;

/**
 * ARP/ND on an access port of a bridge domain: MAC+IP snooping (profiles
 * that learn so) and suppression. A request (ARP, or an NS that is not DAD)
 * whose target has a MAC+IP binding, local or from EVPN, is answered by the
 * device itself with the binding's MAC and not flooded; any other request is
 * flooded (counted). Gratuitous ARP and probes are never answered. Frames
 * from VXLAN are not looked at: the ingress device suppresses.
 */
export class Suppression {
  /** Counter names, appended to the owning node's counters. */
  static readonly COUNTERS = ['macip_learned', 'arp_suppressed', 'arp_flooded', 'nd_suppressed', 'nd_flooded'];
  private readonly base: number;
  private readonly src6 = new Uint8Array(16);
  private readonly target6 = new Uint8Array(16);

  constructor(private readonly dev: DeviceRt, private readonly node: GraphNode) {
    this.base = node.counterNames.length - Suppression.COUNTERS.length;
  }

  private count(c: number): void {
    this.node.counters[this.base + c]++;
  }

  check(b: Batch, slot: number, dom: BridgeDomainRt): number {
    const d = b.data;
    const l3 = b.l3[slot];
    const type = (d[l3 - 2] << 8) | d[l3 - 1];
    if (type === 0x0806) return this.arp(b, slot, dom, l3);
    if (type === 0x86dd && d[l3 + 6] === 58) return this.nd(b, slot, dom, l3);
    return SUPPRESS_FLOOD;
  }

  private arp(b: Batch, slot: number, dom: BridgeDomainRt, p: number): number {
    const d = b.data;
    const off = b.off[slot];
    if (off + b.len[slot] - p < ARP_LEN || d[p] !== 0 || d[p + 1] !== 1 || d[p + 2] !== 0x08 || d[p + 3] !== 0 || d[p + 4] !== 6 || d[p + 5] !== 4) return SUPPRESS_FLOOD;
    const op = (d[p + 6] << 8) | d[p + 7];
    const spa = readU32(d, p + 14);
    const tpa = readU32(d, p + 24);
    const br = this.dev.bridge!;
    if (br.profile.snoopArpNd && spa !== 0 && (d[p + 8] & 1) === 0 && (op === 1 || op === 2)) {
      const r = br.macIp.learn4(dom.index, spa, d, p + 8, true, b.rxIfl[slot], 'arp', b.tsSec[slot]);
      if (r !== MACIP_SAME) this.learned(b, slot, dom, p + 8, formatIpv4(spa));
    }
    if (op !== 1 || !dom.suppress) return SUPPRESS_FLOOD;
    if (spa === 0 || spa === tpa) { this.count(C_ARP_FLOODED); return SUPPRESS_FLOOD; } // probe or gratuitous
    if (dom.irb >= 0 && this.gateway4(dom.irb, tpa)) return SUPPRESS_TO_IRB;
    const e = br.macIp.find4(dom.index, tpa);
    if (e === undefined) {
      this.count(C_ARP_FLOODED);
      this.note(b, slot, () => `arp for ${formatIpv4(tpa)}: no MAC+IP binding, flooded`);
      return SUPPRESS_FLOOD;
    }
    d.copyWithin(off, off + 6, off + 12); // back to the requester
    d.set(e.mac, off + 6);
    arpMakeReplyInPlace(d, p, e.mac, 0);
    b.len[slot] = p - off + ARP_LEN;
    return this.replied(b, slot, C_ARP_SUPPRESSED, () => `arp for ${formatIpv4(tpa)} suppressed: answered with ${formatMac(e.mac)}`);
  }

  private nd(b: Batch, slot: number, dom: BridgeDomainRt, l3: number): number {
    const d = b.data;
    const off = b.off[slot];
    const p = l3 + 40;
    const end = Math.min(off + b.len[slot], p + ((d[l3 + 4] << 8) | d[l3 + 5]));
    if (end - p < 24 || d[l3 + 7] !== ND_HOP_LIMIT || d[p + 1] !== 0) return SUPPRESS_FLOOD;
    const type = d[p];
    if (type !== 135 && type !== 136) return SUPPRESS_FLOOD;
    const br = this.dev.bridge!;
    const dad = equal16(UNSPECIFIED, d, l3 + 8);
    if (br.profile.snoopArpNd) {
      // NS: its source and SLLA; NA: its target and TLLA (else the frame's source).
      const opt = ndFindOption(d, p + 24, end, type === 135 ? 1 : 2);
      const ipOff = type === 135 ? l3 + 8 : p + 8;
      const macOff = opt >= 0 ? opt + 2 : type === 136 ? off + 6 : -1;
      if (macOff >= 0 && !dad && (d[macOff] & 1) === 0 && d[ipOff] !== 0xff) {
        const r = br.macIp.learn6(dom.index, d, ipOff, d, macOff, true, b.rxIfl[slot], 'nd', b.tsSec[slot]);
        if (r !== MACIP_SAME) this.learned(b, slot, dom, macOff, formatIpv6(d, ipOff));
      }
    }
    if (type !== 135 || !dom.suppress) return SUPPRESS_FLOOD;
    if (dad) { this.count(C_ND_FLOODED); return SUPPRESS_FLOOD; }
    if (dom.irb >= 0 && this.gateway6(dom.irb, d, p + 8)) return SUPPRESS_TO_IRB;
    const e = br.macIp.find6(dom.index, d, p + 8);
    if (e === undefined) {
      this.count(C_ND_FLOODED);
      this.note(b, slot, () => `ns for ${formatIpv6(d, p + 8)}: no MAC+IP binding, flooded`);
      return SUPPRESS_FLOOD;
    }
    // The NA a host sends (RFC 4861 7.2.4): solicited and override set, to the solicitor, with the target's link-layer address.
    const slla = ndFindOption(d, p + 24, end, 1);
    if (slla >= 0) d.copyWithin(off, slla + 2, slla + 8);
    else d.copyWithin(off, off + 6, off + 12);
    d.set(e.mac, off + 6);
    this.src6.set(d.subarray(l3 + 8, l3 + 24));
    this.target6.set(d.subarray(p + 8, p + 24));
    writeIp6Header(d, l3, 32, 58, ND_HOP_LIMIT, this.target6, 0, this.src6, 0);
    d[p] = 136;
    d[p + 1] = 0;
    d[p + 4] = 0x60;
    d[p + 5] = 0;
    d[p + 6] = 0;
    d[p + 7] = 0;
    d.set(this.target6, p + 8);
    d[p + 24] = 2;
    d[p + 25] = 1;
    d.set(e.mac, p + 26);
    icmp6Checksum(d, l3);
    b.len[slot] = l3 - off + 40 + 32;
    return this.replied(b, slot, C_ND_SUPPRESSED, () => `ns for ${formatIpv6(this.target6)} suppressed: answered with ${formatMac(e.mac)}`);
  }

  private replied(b: Batch, slot: number, counter: number, why: () => string): number {
    this.note(b, slot, why);
    b.txIfl[slot] = b.rxIfl[slot];
    this.dev.graph.convert(slot);
    this.count(counter);
    return SUPPRESS_REPLIED;
  }

  private learned(b: Batch, slot: number, dom: BridgeDomainRt, macOff: number, ip: string): void {
    this.count(C_MACIP);
    this.note(b, slot, () => `mac+ip ${ip} ${formatMac(b.data, macOff)} learned`);
    if (dom.evpn) this.dev.bridge!.advertise?.(dom.index, b.data.subarray(macOff, macOff + 6), ip);
  }

  private note(b: Batch, slot: number, text: () => string): void {
    this.node.note(b, slot, text);
  }

  /** The IRB's own IPv4 address or one of its anycast gateway addresses. */
  private gateway4(irb: number, ip: number): boolean {
    return this.dev.ifs.isOwn4(irb, ip) || this.dev.bridge!.gatewayMac4(irb, ip) !== null;
  }

  private gateway6(irb: number, d: Uint8Array, off: number): boolean {
    return this.dev.ifs.isOwn6(irb, d, off) || this.dev.bridge!.gatewayMac6(irb, d, off) !== null;
  }
}
