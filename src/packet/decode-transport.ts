/** Decoder walk for the IP payload: UDP, TCP, ESP, and the tunnels VXLAN, GRE, IP-in-IP, MPLS-in-IP. See decode.ts. */
import { readU32 } from './addr.js';
import { checksumAdd, checksumFold } from './checksum.js';
import { type DecodeContext, hex } from './decode-context.js';
import { decodeEthernet, decodeEtherType, decodeMpls, enterTunnel, etherTypeName } from './decode.js';
import { decodeIcmp, decodeIcmp6, decodeIpv4, decodeIpv6 } from './decode-ip.js';
import { UDP_PORT_IPSEC_NAT_T } from './esp.js';
import { GRE_ERRORS, GRE_OK, checkGre } from './gre.js';
import {
  IP_PROTO_ESP, IP_PROTO_GRE, IP_PROTO_ICMP, IP_PROTO_ICMPV6, IP_PROTO_IPIP, IP_PROTO_IPV6, IP_PROTO_MPLS,
  IP_PROTO_NONE, IP_PROTO_TCP, IP_PROTO_UDP,
} from './ipv4.js';
import { formatTcpFlags } from './tcp.js';
import { UDP_PORT_VXLAN, UDP_PORT_VXLAN_LINUX } from './vxlan.js';

/** What the IP layer hands to its payload decoder. */
export interface IpInfo {
  src: string;
  dst: string;
  version: 4 | 6;
  /** False if the IP datagram was cut short by the capture (checksums are then not checked). */
  complete: boolean;
  pseudoSum(protocol: number, length: number): number;
}

/** tcpdump's address.port form (also for IPv6). */
function endpoint(addr: string, port: number): string {
  return `${addr}.${port}`;
}

export function decodeIpPayload(
  ctx: DecodeContext, proto: number, b: Uint8Array, off: number, len: number, info: IpInfo,
): void {
  switch (proto) {
    case IP_PROTO_ICMP: decodeIcmp(ctx, b, off, len, info); return;
    case IP_PROTO_ICMPV6: decodeIcmp6(ctx, b, off, len, info); return;
    case IP_PROTO_UDP: decodeUdp(ctx, b, off, len, info); return;
    case IP_PROTO_TCP: decodeTcp(ctx, b, off, len, info); return;
    case IP_PROTO_ESP: decodeEsp(ctx, b, off, len); return;
    case IP_PROTO_GRE: decodeGre(ctx, b, off, len); return;
    case IP_PROTO_NONE: ctx.say('no next header'); return;
    case IP_PROTO_IPIP:
    case IP_PROTO_IPV6:
    case IP_PROTO_MPLS:
      if (!enterTunnel(ctx)) return;
      if (proto === IP_PROTO_IPIP) decodeIpv4(ctx, b, off, len, ': ');
      else if (proto === IP_PROTO_IPV6) decodeIpv6(ctx, b, off, len, ': ');
      else decodeMpls(ctx, b, off, len, ': ');
      ctx.depth--;
      return;
    default:
      ctx.say(`ip-proto-${proto} length ${len}`);
  }
}

export function decodeUdp(ctx: DecodeContext, b: Uint8Array, off: number, len: number, info: IpInfo): void {
  const l = ctx.layer('udp');
  if (len < 8) {
    ctx.say('UDP');
    ctx.malformed('udp', 'udp_truncated', l, off);
    return;
  }
  const sport = (b[off]! << 8) | b[off + 1]!;
  const dport = (b[off + 2]! << 8) | b[off + 3]!;
  const ulen = (b[off + 4]! << 8) | b[off + 5]!;
  const cksum = (b[off + 6]! << 8) | b[off + 7]!;
  ctx.field(l, 'udp.srcport', sport, off, 2);
  ctx.field(l, 'udp.dstport', dport, off + 2, 2);
  ctx.field(l, 'udp.length', ulen, off + 4, 2);
  ctx.field(l, 'udp.checksum', hex(cksum, 4), off + 6, 2);
  let s = `UDP ${endpoint(info.src, sport)} > ${endpoint(info.dst, dport)}`;
  if (ulen < 8) {
    ctx.say(s);
    ctx.malformed('udp', 'udp_bad_length', l, off + 4);
    return;
  }
  let end = off + ulen;
  let complete = info.complete;
  if (ulen > len) {
    if (info.complete) {
      ctx.say(s);
      ctx.malformed('udp', 'udp_bad_length', l, off + 4);
      return;
    }
    end = off + len;
    complete = false;
  }
  if (complete && cksum !== 0) {
    const ok = checksumFold(checksumAdd(b, off, ulen, info.pseudoSum(IP_PROTO_UDP, ulen))) === 0xffff;
    ctx.field(l, 'udp.checksum.status', ok ? 'good' : 'bad', off + 6, 0);
    if (!ok) s += ' [bad udp cksum]';
  }
  ctx.say(s);
  if (!complete) ctx.malformed('udp', 'udp_truncated', l, off);
  const p = off + 8;
  const plen = end - p;
  if (sport === UDP_PORT_IPSEC_NAT_T || dport === UDP_PORT_IPSEC_NAT_T) {
    if (plen === 1 && b[p] === 0xff) ctx.say('NAT-keepalive');
    else if (plen >= 4 && (b[p]! | b[p + 1]! | b[p + 2]! | b[p + 3]!) === 0) ctx.say(`IKE length ${plen - 4}`);
    else decodeEsp(ctx, b, p, plen);
    return;
  }
  if (dport === UDP_PORT_VXLAN || dport === UDP_PORT_VXLAN_LINUX) {
    decodeVxlan(ctx, b, p, plen);
    return;
  }
  ctx.say(`length ${plen}`);
}

export function decodeTcp(ctx: DecodeContext, b: Uint8Array, off: number, len: number, info: IpInfo): void {
  const l = ctx.layer('tcp');
  if (len < 20) {
    ctx.say('TCP');
    ctx.malformed('tcp', 'tcp_truncated', l, off);
    return;
  }
  const sport = (b[off]! << 8) | b[off + 1]!;
  const dport = (b[off + 2]! << 8) | b[off + 3]!;
  const seq = readU32(b, off + 4);
  const ack = readU32(b, off + 8);
  const doff = (b[off + 12]! >>> 4) << 2;
  const flags = b[off + 13]!;
  const win = (b[off + 14]! << 8) | b[off + 15]!;
  ctx.field(l, 'tcp.srcport', sport, off, 2);
  ctx.field(l, 'tcp.dstport', dport, off + 2, 2);
  ctx.field(l, 'tcp.seq_raw', seq, off + 4, 4);
  ctx.field(l, 'tcp.ack_raw', ack, off + 8, 4);
  ctx.field(l, 'tcp.hdr_len', doff, off + 12, 1);
  ctx.field(l, 'tcp.flags', hex(flags, 3), off + 13, 1);
  ctx.field(l, 'tcp.window_size_value', win, off + 14, 2);
  ctx.field(l, 'tcp.checksum', hex((b[off + 16]! << 8) | b[off + 17]!, 4), off + 16, 2);
  let s = `TCP ${endpoint(info.src, sport)} > ${endpoint(info.dst, dport)} flags [${formatTcpFlags(flags)}] seq ${seq}`;
  if (flags & 0x10) s += ` ack ${ack}`;
  s += ` win ${win}`;
  if (doff < 20 || doff > len) {
    ctx.say(s);
    ctx.malformed('tcp', doff < 20 ? 'tcp_bad_data_offset' : 'tcp_truncated', l, off + 12);
    return;
  }
  if (info.complete) {
    const ok = checksumFold(checksumAdd(b, off, len, info.pseudoSum(IP_PROTO_TCP, len))) === 0xffff;
    ctx.field(l, 'tcp.checksum.status', ok ? 'good' : 'bad', off + 16, 0);
    if (!ok) s += ' [bad tcp cksum]';
  }
  ctx.say(`${s} length ${len - doff}`);
}

export function decodeEsp(ctx: DecodeContext, b: Uint8Array, off: number, len: number): void {
  const l = ctx.layer('esp');
  if (len < 4) {
    ctx.say('ESP');
    ctx.malformed('esp', 'esp_truncated', l, off);
    return;
  }
  const spi = readU32(b, off);
  ctx.field(l, 'esp.spi', hex(spi, 8), off, 4);
  if (len < 8) {
    ctx.say(`ESP spi ${hex(spi, 8)}`);
    ctx.malformed('esp', 'esp_truncated', l, off);
    return;
  }
  const seq = readU32(b, off + 4);
  ctx.field(l, 'esp.sequence', seq, off + 4, 4);
  ctx.say(`ESP spi ${hex(spi, 8)} seq ${seq} length ${len}`);
}

export function decodeVxlan(ctx: DecodeContext, b: Uint8Array, off: number, len: number): void {
  const l = ctx.layer('vxlan');
  if (len < 8) {
    ctx.say('VXLAN');
    ctx.malformed('vxlan', 'vxlan_truncated', l, off);
    return;
  }
  const flags = b[off]!;
  const vni = (b[off + 4]! << 16) | (b[off + 5]! << 8) | b[off + 6]!;
  ctx.field(l, 'vxlan.flags', hex(flags, 2), off, 1);
  ctx.field(l, 'vxlan.reserved_24', hex((b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!, 6), off + 1, 3);
  ctx.field(l, 'vxlan.vni', vni, off + 4, 3);
  ctx.field(l, 'vxlan.reserved_8', hex(b[off + 7]!, 2), off + 7, 1);
  if ((flags & 0x08) === 0) {
    ctx.say(`VXLAN flags ${hex(flags, 2)}`);
    ctx.malformed('vxlan', 'vxlan_no_vni', l, off);
    return;
  }
  ctx.say(`VXLAN vni ${vni}`);
  if (!enterTunnel(ctx)) return;
  decodeEthernet(ctx, b, off + 8, len - 8, ': ');
  ctx.depth--;
}

export function decodeGre(ctx: DecodeContext, b: Uint8Array, off: number, len: number): void {
  const l = ctx.layer('gre');
  const code = checkGre(b, off, len, false);
  if (code !== GRE_OK) {
    ctx.say('GRE');
    ctx.malformed('gre', GRE_ERRORS[code]!, l, off);
    return;
  }
  const f = (b[off]! << 8) | b[off + 1]!;
  const proto = (b[off + 2]! << 8) | b[off + 3]!;
  ctx.field(l, 'gre.flags_and_version', hex(f, 4), off, 2);
  ctx.field(l, 'gre.proto', hex(proto, 4), off + 2, 2);
  let s = `GRE proto ${etherTypeName(proto)}`;
  let p = off + 4;
  if (f & 0x8000) {
    const c = (b[p]! << 8) | b[p + 1]!;
    ctx.field(l, 'gre.checksum', hex(c, 4), p, 2);
    const ok = checksumFold(checksumAdd(b, off, len)) === 0xffff;
    if (!ok) s += ' [bad gre cksum]';
    p += 4;
  }
  if (f & 0x2000) {
    const k = readU32(b, p);
    ctx.field(l, 'gre.key', k, p, 4);
    s += ` key ${hex(k, 8)}`;
    p += 4;
  }
  if (f & 0x1000) {
    const q = readU32(b, p);
    ctx.field(l, 'gre.sequence_number', q, p, 4);
    s += ` seq ${q}`;
    p += 4;
  }
  ctx.say(s);
  if (!enterTunnel(ctx)) return;
  decodeEtherType(ctx, proto, b, p, off + len - p, ': ');
  ctx.depth--;
}
