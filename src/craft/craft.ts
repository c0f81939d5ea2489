// Frames built from readable descriptions, as scapy builds them: for tests,
// the bundled demo and conformance cases. Off the hot path; allocates freely.

import { formatIpv6, parseIpv6 } from '../packet/addr.js';
import { writeArp } from '../packet/arp.js';
import { writeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../packet/ethernet.js';
import { writeIcmp } from '../packet/icmp.js';
import { writeIcmp6, type Icmp6Write } from '../packet/icmp6.js';
import { writeIpv4 } from '../packet/ipv4.js';
import { writeIpv6 } from '../packet/ipv6.js';
import { writeUdp } from '../packet/udp.js';

export interface EthSpec {
  dst: string | Uint8Array;
  src: string | Uint8Array;
  /** VLAN ids, outermost first. */
  vlans?: number[];
}

export function eth(h: EthSpec, etherType: number, payload: Uint8Array): Uint8Array {
  const tags = h.vlans?.length ?? 0;
  const out = new Uint8Array(14 + 4 * tags + payload.length);
  const n = writeEthernet(out, 0, { dst: h.dst, src: h.src, vlans: h.vlans?.map((vid) => ({ vid })), etherType });
  out.set(payload, n);
  return out;
}

export interface Ip4Spec {
  src: string;
  dst: string;
  ttl?: number;
  id?: number;
  df?: boolean;
  tos?: number;
  options?: { type: number; data?: Uint8Array }[];
}

export function ip4(h: Ip4Spec, protocol: number, payload: Uint8Array): Uint8Array {
  const tmp = new Uint8Array(60 + payload.length);
  const hl = writeIpv4(tmp, 0, {
    totalLength: 0, ttl: h.ttl ?? 64, protocol, src: h.src, dst: h.dst, id: h.id ?? 1, flags: h.df ? 2 : 0, tos: h.tos, options: h.options,
  });
  const out = new Uint8Array(hl + payload.length);
  writeIpv4(out, 0, {
    totalLength: hl + payload.length, ttl: h.ttl ?? 64, protocol, src: h.src, dst: h.dst, id: h.id ?? 1, flags: h.df ? 2 : 0, tos: h.tos, options: h.options,
  });
  out.set(payload, hl);
  return out;
}

export interface Ip6Spec {
  src: string;
  dst: string;
  hlim?: number;
  /** Traffic class (DSCP << 2 | ECN). */
  tc?: number;
}

export function ip6(h: Ip6Spec, next: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  writeIpv6(out, 0, { payloadLength: payload.length, hopLimit: h.hlim ?? 64, nextHeader: next, src: h.src, dst: h.dst, trafficClass: h.tc });
  out.set(payload, 40);
  return out;
}

/** Bytes 0, 1, 2, ... as a recognisable payload. */
export function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
}

export function icmpEcho(type: 8 | 0, id: number, seq: number, data: Uint8Array = pattern(32)): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  writeIcmp(out, 0, { type, code: 0, id, seq, payload: data });
  return out;
}

export function udp(src: string, dst: string, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  writeUdp(out, 0, { srcPort: sport, dstPort: dport, payload: data }, { src, dst });
  return out;
}

export function icmp6(src: string, dst: string, m: Icmp6Write): Uint8Array {
  const tmp = new Uint8Array(2048);
  const n = writeIcmp6(tmp, 0, m, { src, dst });
  return tmp.slice(0, n);
}

/** An IPv4 ICMP echo request in an Ethernet frame. */
export function ping4(e: EthSpec, ip: Ip4Spec, id = 1, seq = 1, data?: Uint8Array): Uint8Array {
  return eth(e, ETHERTYPE_IPV4, ip4(ip, 1, icmpEcho(8, id, seq, data)));
}

/** An IPv6 ICMPv6 echo request in an Ethernet frame. */
export function ping6(e: EthSpec, ip: Ip6Spec, id = 1, seq = 1, data: Uint8Array = pattern(32)): Uint8Array {
  return eth(e, ETHERTYPE_IPV6, ip6(ip, 58, icmp6(ip.src, ip.dst, { type: 128, code: 0, id, seq, payload: data })));
}

export function udp4Frame(e: EthSpec, ip: Ip4Spec, sport: number, dport: number, data: Uint8Array): Uint8Array {
  return eth(e, ETHERTYPE_IPV4, ip4(ip, 17, udp(ip.src, ip.dst, sport, dport, data)));
}

export function arpFrame(e: EthSpec, op: 1 | 2, senderMac: string, senderIp: string, targetMac: string, targetIp: string): Uint8Array {
  const a = new Uint8Array(28);
  writeArp(a, 0, { op, senderMac, senderIp, targetMac, targetIp });
  return eth(e, ETHERTYPE_ARP, a);
}

/** A neighbour solicitation for `target` from `src` (with its link-layer address), to the solicited-node group. */
export function nsFrame(srcMac: string, src: string, target: string, vlans?: number[]): Uint8Array {
  const t = parseIpv6(target);
  const snm = formatIpv6(Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, t[13], t[14], t[15]), 0);
  const mac = Uint8Array.of(0x33, 0x33, 0xff, t[13], t[14], t[15]);
  return eth({ dst: mac, src: srcMac, vlans }, ETHERTYPE_IPV6, ip6({ src, dst: snm, hlim: 255 }, 58,
    icmp6(src, snm, { type: 135, code: 0, target, options: [{ type: 1, linkLayerAddress: srcMac }] })));
}

/** A solicited neighbour advertisement for `target` to `dst`. */
export function naFrame(e: EthSpec, src: string, dst: string, target: string, mac: string, flags = 0x60): Uint8Array {
  return eth(e, ETHERTYPE_IPV6, ip6({ src, dst, hlim: 255 }, 58,
    icmp6(src, dst, { type: 136, code: 0, flags, target, options: [{ type: 2, linkLayerAddress: mac }] })));
}
