/**
 * Frame decoder for humans and for the conformance harness:
 * `decodeFrame` gives a tcpdump-like one-line summary of a whole Ethernet
 * frame, walking VLAN tags, ARP, IPv4/IPv6 (with extension headers),
 * ICMP/ICMPv6/ND, UDP, TCP, ESP, and the tunnels VXLAN, GRE and MPLS;
 * `decodeFrameFields` gives the same walk as a field tree. Malformed layers
 * print a marker (`[truncated ipv4]`, `[malformed ipv6: ipv6_bad_extension_header]`)
 * and decoding stops there or continues on the captured bytes; nothing throws.
 * Off the hot path: allocates freely.
 */
import { formatIpv4, formatMac, readU32 } from './addr.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST } from './arp.js';
import { DECODE_MAX_DEPTH, DecodeContext, type DecodedLayer, hex } from './decode-context.js';
import { decodeIpv4, decodeIpv6 } from './decode-ip.js';
import {
  ETHERNET_HEADER_LEN, ETHERNET_MAX_VLANS, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_MPLS,
  ETHERTYPE_MPLS_MULTICAST, ETHERTYPE_TEB, isVlanTpid,
} from './ethernet.js';
import { MPLS_LABEL_IPV4_EXPLICIT_NULL, MPLS_LABEL_IPV6_EXPLICIT_NULL, MPLS_MAX_LABELS } from './mpls.js';

export { type DecodedField, type DecodedLayer } from './decode-context.js';

function clampLen(buf: Uint8Array, off: number, len: number): number {
  if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off > buf.length) return -1;
  return Math.min(len, buf.length - off);
}

function walk(buf: Uint8Array, off: number, len: number): DecodeContext {
  const ctx = new DecodeContext(Number.isInteger(off) && off >= 0 ? off : 0);
  const n = clampLen(buf, off, len);
  if (n < 0) ctx.malformed('ethernet', 'ethernet_truncated');
  else decodeEthernet(ctx, buf, off, n);
  return ctx;
}

/** One-line summary of the Ethernet frame at `buf[off .. off+len)`. */
export function decodeFrame(buf: Uint8Array, off: number, len: number): string {
  return walk(buf, off, len).summary();
}

/** Field tree of the Ethernet frame; field offsets are relative to `off`. */
export function decodeFrameFields(buf: Uint8Array, off: number, len: number): DecodedLayer[] {
  return walk(buf, off, len).layers;
}

export function etherTypeName(t: number): string {
  switch (t) {
    case ETHERTYPE_IPV4: return 'IPv4';
    case ETHERTYPE_IPV6: return 'IPv6';
    case ETHERTYPE_ARP: return 'ARP';
    case ETHERTYPE_MPLS: return 'MPLS';
    case ETHERTYPE_MPLS_MULTICAST: return 'MPLS multicast';
    case ETHERTYPE_TEB: return 'TEB';
    default: return isVlanTpid(t) ? '802.1Q' : hex(t, 4);
  }
}

/** Decodes an Ethernet frame (also used for VXLAN and GRE/TEB inner frames). */
export function decodeEthernet(ctx: DecodeContext, b: Uint8Array, off: number, len: number, sep = ' '): void {
  const l = ctx.layer('eth');
  if (len < ETHERNET_HEADER_LEN) {
    ctx.say('Ethernet', sep);
    ctx.malformed('ethernet', 'ethernet_truncated', l, off);
    return;
  }
  ctx.field(l, 'eth.dst', formatMac(b, off), off, 6);
  ctx.field(l, 'eth.src', formatMac(b, off + 6), off + 6, 6);
  ctx.say(`${formatMac(b, off + 6)} > ${formatMac(b, off)}`, sep);
  let p = off + 12;
  const end = off + len;
  let t = (b[p]! << 8) | b[p + 1]!;
  ctx.field(l, 'eth.type', hex(t, 4), p, 2);
  let tags = 0;
  while (isVlanTpid(t)) {
    const v = ctx.layer('vlan');
    if (tags === ETHERNET_MAX_VLANS) {
      ctx.malformed('vlan', 'ethernet_too_many_vlans', v, p);
      return;
    }
    if (p + 6 > end) {
      ctx.malformed('vlan', 'ethernet_truncated', v, p);
      return;
    }
    const tci = (b[p + 2]! << 8) | b[p + 3]!;
    ctx.field(v, 'vlan.tpid', hex(t, 4), p, 2);
    ctx.field(v, 'vlan.priority', tci >>> 13, p + 2, 0);
    ctx.field(v, 'vlan.dei', (tci >>> 12) & 1, p + 2, 0);
    ctx.field(v, 'vlan.id', tci & 0xfff, p + 2, 2);
    ctx.say(t === 0x8100 ? `vlan ${tci & 0xfff}` : `vlan ${tci & 0xfff} (${hex(t, 4)})`, ', ');
    tags++;
    p += 4;
    t = (b[p]! << 8) | b[p + 1]!;
    ctx.field(v, 'vlan.etype', hex(t, 4), p, 2);
  }
  decodeEtherType(ctx, t, b, p + 2, end - p - 2, ', ');
}

/** Dispatches on an EtherType (Ethernet, VLAN, GRE protocol type). */
export function decodeEtherType(ctx: DecodeContext, t: number, b: Uint8Array, off: number, len: number, sep: string): void {
  switch (t) {
    case ETHERTYPE_IPV4: decodeIpv4(ctx, b, off, len, sep); return;
    case ETHERTYPE_IPV6: decodeIpv6(ctx, b, off, len, sep); return;
    case ETHERTYPE_ARP: decodeArp(ctx, b, off, len, sep); return;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST: decodeMpls(ctx, b, off, len, sep); return;
    case ETHERTYPE_TEB:
      if (!enterTunnel(ctx)) return;
      decodeEthernet(ctx, b, off, len, sep);
      ctx.depth--;
      return;
    default:
      ctx.say(`ethertype ${hex(t, 4)} length ${len}`, sep);
  }
}

/** Increments the tunnel depth; false (with a marker) if too deep. */
export function enterTunnel(ctx: DecodeContext): boolean {
  if (ctx.depth >= DECODE_MAX_DEPTH) {
    ctx.say('[tunnel nesting too deep]');
    return false;
  }
  ctx.depth++;
  return true;
}

/** ARP with any hardware/protocol lengths (tcpdump-like), e.g. `ARP who-has 10.0.0.1 tell 10.0.0.2`. */
export function decodeArp(ctx: DecodeContext, b: Uint8Array, off: number, len: number, sep: string): void {
  const l = ctx.layer('arp');
  if (len < 8) {
    ctx.say('ARP', sep);
    ctx.malformed('arp', 'arp_truncated', l, off);
    return;
  }
  const htype = (b[off]! << 8) | b[off + 1]!;
  const ptype = (b[off + 2]! << 8) | b[off + 3]!;
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  const op = (b[off + 6]! << 8) | b[off + 7]!;
  ctx.field(l, 'arp.hw.type', htype, off, 2);
  ctx.field(l, 'arp.proto.type', hex(ptype, 4), off + 2, 2);
  ctx.field(l, 'arp.hw.size', hlen, off + 4, 1);
  ctx.field(l, 'arp.proto.size', plen, off + 5, 1);
  ctx.field(l, 'arp.opcode', op, off + 6, 2);
  let s = 'ARP';
  if (htype !== 1 || hlen !== 6) s += ` hw ${htype} (len ${hlen})`;
  if (ptype !== ETHERTYPE_IPV4 || plen !== 4) s += ` proto ${hex(ptype, 4)} (len ${plen})`;
  const sha = off + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  if (tpa + plen > off + len) {
    ctx.say(`${s} op ${op}`, sep);
    ctx.malformed('arp', 'arp_truncated', l, off);
    return;
  }
  const hw = (p: number): string => {
    if (hlen === 6) return formatMac(b, p);
    const parts: string[] = [];
    for (let i = 0; i < hlen; i++) parts.push(b[p + i]!.toString(16).padStart(2, '0'));
    return parts.join(':');
  };
  const pa = (p: number): string => {
    if (plen === 4) return formatIpv4(readU32(b, p));
    const parts: string[] = [];
    for (let i = 0; i < plen; i++) parts.push(b[p + i]!.toString(16).padStart(2, '0'));
    return parts.join(':');
  };
  ctx.field(l, hlen === 6 ? 'arp.src.hw_mac' : 'arp.src.hw', hw(sha), sha, hlen);
  ctx.field(l, plen === 4 ? 'arp.src.proto_ipv4' : 'arp.src.proto', pa(spa), spa, plen);
  ctx.field(l, hlen === 6 ? 'arp.dst.hw_mac' : 'arp.dst.hw', hw(tha), tha, hlen);
  ctx.field(l, plen === 4 ? 'arp.dst.proto_ipv4' : 'arp.dst.proto', pa(tpa), tpa, plen);
  if (op === ARP_OP_REQUEST) s += ` who-has ${pa(tpa)} tell ${pa(spa)}`;
  else if (op === ARP_OP_REPLY) s += ` reply ${pa(spa)} is-at ${hw(sha)}`;
  else s += ` op ${op} sender ${pa(spa)} (${hw(sha)}) target ${pa(tpa)} (${hw(tha)})`;
  ctx.say(s, sep);
}

/** MPLS label stack, then the payload guessed from explicit-null labels or the first nibble. */
export function decodeMpls(ctx: DecodeContext, b: Uint8Array, off: number, len: number, sep: string): void {
  const l = ctx.layer('mpls');
  const entries: string[] = [];
  let p = off;
  const end = off + len;
  let last = -1;
  for (let n = 0; ; n++) {
    if (n === MPLS_MAX_LABELS) {
      ctx.say('MPLS ' + entries.join(', '), sep);
      ctx.malformed('mpls', 'mpls_stack_too_deep', l, p);
      return;
    }
    if (p + 4 > end) {
      ctx.say(entries.length ? 'MPLS ' + entries.join(', ') : 'MPLS', sep);
      ctx.malformed('mpls', 'mpls_truncated', l, p);
      return;
    }
    const label = (b[p]! << 12) | (b[p + 1]! << 4) | (b[p + 2]! >>> 4);
    const tc = (b[p + 2]! >>> 1) & 7;
    const bos = (b[p + 2]! & 1) === 1;
    const ttl = b[p + 3]!;
    ctx.field(l, 'mpls.label', label, p, 3);
    ctx.field(l, 'mpls.exp', tc, p + 2, 0);
    ctx.field(l, 'mpls.bottom', bos ? 1 : 0, p + 2, 0);
    ctx.field(l, 'mpls.ttl', ttl, p + 3, 1);
    entries.push(`label ${label} exp ${tc} ttl ${ttl}${bos ? ' [S]' : ''}`);
    last = label;
    p += 4;
    if (bos) break;
  }
  ctx.say('MPLS ' + entries.join(', '), sep);
  const rest = end - p;
  if (rest <= 0) return;
  const nibble = b[p]! >>> 4;
  if (last === MPLS_LABEL_IPV4_EXPLICIT_NULL || (last !== MPLS_LABEL_IPV6_EXPLICIT_NULL && nibble === 4)) {
    decodeIpv4(ctx, b, p, rest, ', ');
  } else if (last === MPLS_LABEL_IPV6_EXPLICIT_NULL || nibble === 6) {
    decodeIpv6(ctx, b, p, rest, ', ');
  } else {
    ctx.say(`data ${rest}`, ', ');
  }
}
