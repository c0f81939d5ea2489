/** Decoder walk for IPv4, IPv6 (extension headers), ICMP and ICMPv6/ND. See decode.ts. */
import { formatHex, formatIpv4, formatIpv6, readU32 } from './addr.js';
import { checksumAdd, checksumFold, checksumVerifies, pseudoHeaderSumFromIpv4, pseudoHeaderSumFromIpv6 } from './checksum.js';
import { type DecodeContext, hex } from './decode-context.js';
import { decodeIpPayload, type IpInfo } from './decode-transport.js';
import {
  ICMP_DEST_UNREACHABLE, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_HEADER_LEN, ICMP_PARAMETER_PROBLEM,
  ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_UNREACH_NEEDFRAG,
} from './icmp.js';
import {
  ICMP6_DEST_UNREACHABLE, ICMP6_ECHO_REPLY, ICMP6_ECHO_REQUEST, ICMP6_MLD_DONE, ICMP6_MLD_QUERY, ICMP6_MLD_REPORT,
  ICMP6_MLDV2_REPORT, ICMP6_PACKET_TOO_BIG, ICMP6_PARAMETER_PROBLEM, ICMP6_TIME_EXCEEDED, ND_NEIGHBOR_ADVERT,
  ND_NEIGHBOR_SOLICIT, ND_REDIRECT, ND_ROUTER_ADVERT, ND_ROUTER_SOLICIT, ndOptionsStart, type NdOption, parseNdOptions,
} from './icmp6.js';
import {
  checkIpv4Options, IP_PROTO_AH, IP_PROTO_DSTOPTS, IP_PROTO_FRAGMENT, IP_PROTO_HOPOPT, IP_PROTO_ROUTING,
  IPV4_BAD_IHL, IPV4_BAD_TOTAL_LENGTH, IPV4_BAD_VERSION, IPV4_ERRORS, IPV4_OK, IPV4_TRUNCATED,
} from './ipv4.js';
import { IPV6_ERRORS, IPV6_OK, IPV6_OUT_EXT_COUNT, IPV6_OUT_LEN, ipv6WalkExtensions } from './ipv6.js';

export function decodeIpv4(ctx: DecodeContext, b: Uint8Array, off: number, len: number, sep: string): void {
  const l = ctx.layer('ip');
  const fail = (e: number): void => {
    ctx.say('IPv4', sep);
    ctx.malformed('ipv4', IPV4_ERRORS[e]!, l, off);
  };
  if (len < 20) return fail(IPV4_TRUNCATED);
  if (b[off]! >>> 4 !== 4) return fail(IPV4_BAD_VERSION);
  const hlen = (b[off]! & 15) << 2;
  if (hlen < 20) return fail(IPV4_BAD_IHL);
  if (hlen > len) return fail(IPV4_TRUNCATED);
  const total = (b[off + 2]! << 8) | b[off + 3]!;
  if (total < hlen) return fail(IPV4_BAD_TOTAL_LENGTH);
  const ff = (b[off + 6]! << 8) | b[off + 7]!;
  const id = (b[off + 4]! << 8) | b[off + 5]!;
  const ttl = b[off + 8]!;
  const proto = b[off + 9]!;
  const src = formatIpv4(readU32(b, off + 12));
  const dst = formatIpv4(readU32(b, off + 16));
  const cksumOk = checksumVerifies(b, off, hlen);
  ctx.field(l, 'ip.version', 4, off, 1);
  ctx.field(l, 'ip.hdr_len', hlen, off, 1);
  ctx.field(l, 'ip.dsfield', hex(b[off + 1]!, 2), off + 1, 1);
  ctx.field(l, 'ip.len', total, off + 2, 2);
  ctx.field(l, 'ip.id', hex(id, 4), off + 4, 2);
  ctx.field(l, 'ip.flags', hex(ff >>> 13, 1), off + 6, 1);
  ctx.field(l, 'ip.frag_offset', (ff & 0x1fff) * 8, off + 6, 2);
  ctx.field(l, 'ip.ttl', ttl, off + 8, 1);
  ctx.field(l, 'ip.proto', proto, off + 9, 1);
  ctx.field(l, 'ip.checksum', hex((b[off + 10]! << 8) | b[off + 11]!, 4), off + 10, 2);
  ctx.field(l, 'ip.checksum.status', cksumOk ? 'good' : 'bad', off + 10, 0);
  ctx.field(l, 'ip.src', src, off + 12, 4);
  ctx.field(l, 'ip.dst', dst, off + 16, 4);
  let s = `IPv4 ${src} > ${dst} ttl ${ttl}`;
  const fragOff = (ff & 0x1fff) * 8;
  const more = (ff & 0x2000) !== 0;
  if (more || fragOff !== 0) s += ` frag id ${id} offset ${fragOff}${more ? ' [MF]' : ''}`;
  if (!cksumOk) s += ' [bad ipv4 cksum]';
  ctx.say(s, sep);
  if (hlen > 20) {
    if (checkIpv4Options(b, off) !== IPV4_OK) {
      ctx.malformed('ipv4', 'ipv4_bad_options', l, off + 20);
      return;
    }
    for (let p = off + 20; p < off + hlen;) {
      const t = b[p]!;
      if (t === 0) break;
      const ol = t === 1 ? 1 : b[p + 1]!;
      ctx.field(l, 'ip.opt.type', t, p, ol);
      p += ol;
    }
  }
  let end = off + total;
  if (total > len) {
    ctx.malformed('ipv4', 'ipv4_truncated', l, off);
    end = off + len;
  }
  if (fragOff !== 0) {
    ctx.say(`fragment ${end - off - hlen}`);
    return;
  }
  const info: IpInfo = {
    src, dst, version: 4, complete: total <= len,
    pseudoSum: (p, n) => pseudoHeaderSumFromIpv4(b, off, p, n),
  };
  decodeIpPayload(ctx, proto, b, off + hlen, end - off - hlen, info);
}

function extName(nh: number): string {
  switch (nh) {
    case IP_PROTO_HOPOPT: return 'HBH';
    case IP_PROTO_ROUTING: return 'RH';
    case IP_PROTO_DSTOPTS: return 'DSTOPT';
    case IP_PROTO_FRAGMENT: return 'frag';
    default: return 'AH';
  }
}

export function decodeIpv6(ctx: DecodeContext, b: Uint8Array, off: number, len: number, sep: string): void {
  const l = ctx.layer('ipv6');
  if (len < 40 || b[off]! >>> 4 !== 6) {
    ctx.say('IPv6', sep);
    ctx.malformed('ipv6', len < 40 ? 'ipv6_truncated' : 'ipv6_bad_version', l, off);
    return;
  }
  const plen = (b[off + 4]! << 8) | b[off + 5]!;
  const src = formatIpv6(b, off + 8);
  const dst = formatIpv6(b, off + 24);
  const hlim = b[off + 7]!;
  ctx.field(l, 'ipv6.version', 6, off, 1);
  ctx.field(l, 'ipv6.tclass', hex(((b[off]! & 15) << 4) | (b[off + 1]! >>> 4), 2), off, 2);
  ctx.field(l, 'ipv6.flow', hex(((b[off + 1]! & 15) << 16) | (b[off + 2]! << 8) | b[off + 3]!, 5), off + 1, 3);
  ctx.field(l, 'ipv6.plen', plen, off + 4, 2);
  ctx.field(l, 'ipv6.nxt', b[off + 6]!, off + 6, 1);
  ctx.field(l, 'ipv6.hlim', hlim, off + 7, 1);
  ctx.field(l, 'ipv6.src', src, off + 8, 16);
  ctx.field(l, 'ipv6.dst', dst, off + 24, 16);
  ctx.say(`IPv6 ${src} > ${dst} hlim ${hlim}`, sep);
  let avail = 40 + plen;
  const complete = avail <= len;
  if (!complete) {
    ctx.malformed('ipv6', 'ipv6_truncated', l, off);
    avail = len;
  }
  const out = new Int32Array(IPV6_OUT_LEN);
  const code = ipv6WalkExtensions(b, off, avail, out);
  if (code !== IPV6_OK) {
    ctx.malformed('ipv6', IPV6_ERRORS[code]!, l, off + 40);
    return;
  }
  let nh = b[off + 6]!;
  let p = off + 40;
  let fragBody = false;
  for (let i = 0; i < out[IPV6_OUT_EXT_COUNT]!; i++) {
    const next = b[p]!;
    if (nh === IP_PROTO_FRAGMENT) {
      const fo = (b[p + 2]! << 8) | b[p + 3]!;
      const fid = readU32(b, p + 4);
      ctx.field(l, 'ipv6.fragment.offset', fo & 0xfff8, p + 2, 2);
      ctx.field(l, 'ipv6.fragment.more', fo & 1, p + 3, 0);
      ctx.field(l, 'ipv6.fragment.id', hex(fid, 8), p + 4, 4);
      ctx.say(`frag id ${fid} offset ${fo & 0xfff8}${fo & 1 ? ' [MF]' : ''}`);
      fragBody = (fo & 0xfff8) !== 0;
      p += 8;
    } else {
      const hl = nh === IP_PROTO_AH ? (b[p + 1]! + 2) << 2 : (b[p + 1]! + 1) << 3;
      if (nh === IP_PROTO_AH) {
        const a = ctx.layer('ah');
        ctx.field(a, 'ah.spi', hex(readU32(b, p + 4), 8), p + 4, 4);
        ctx.field(a, 'ah.sequence', readU32(b, p + 8), p + 8, 4);
        ctx.say(`AH spi ${hex(readU32(b, p + 4), 8)} seq ${readU32(b, p + 8)}`);
      } else {
        ctx.field(l, `ipv6.ext.${extName(nh).toLowerCase()}`, hl, p, hl);
        ctx.say(extName(nh));
      }
      p += hl;
    }
    nh = next;
  }
  if (fragBody) {
    ctx.say(`fragment ${off + avail - p}`);
    return;
  }
  const info: IpInfo = {
    src, dst, version: 6, complete,
    pseudoSum: (proto, n) => pseudoHeaderSumFromIpv6(b, off, proto, n),
  };
  decodeIpPayload(ctx, nh, b, p, off + avail - p, info);
}

const ICMP_NAMES: Record<number, string> = {
  [ICMP_ECHO_REPLY]: 'echo reply', [ICMP_DEST_UNREACHABLE]: 'destination unreachable', 4: 'source quench',
  [ICMP_REDIRECT]: 'redirect', [ICMP_ECHO_REQUEST]: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', [ICMP_TIME_EXCEEDED]: 'time exceeded', [ICMP_PARAMETER_PROBLEM]: 'parameter problem',
  13: 'timestamp request', 14: 'timestamp reply',
};

export function decodeIcmp(ctx: DecodeContext, b: Uint8Array, off: number, len: number, info: IpInfo): void {
  const l = ctx.layer('icmp');
  if (len < ICMP_HEADER_LEN) {
    ctx.say('ICMP');
    ctx.malformed('icmp', 'icmp_truncated', l, off);
    return;
  }
  const type = b[off]!;
  const code = b[off + 1]!;
  ctx.field(l, 'icmp.type', type, off, 1);
  ctx.field(l, 'icmp.code', code, off + 1, 1);
  ctx.field(l, 'icmp.checksum', hex((b[off + 2]! << 8) | b[off + 3]!, 4), off + 2, 2);
  let s = `ICMP ${ICMP_NAMES[type] ?? `type ${type}`}`;
  if (type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY) {
    const id = (b[off + 4]! << 8) | b[off + 5]!;
    const seq = (b[off + 6]! << 8) | b[off + 7]!;
    ctx.field(l, 'icmp.ident', id, off + 4, 2);
    ctx.field(l, 'icmp.seq', seq, off + 6, 2);
    s += ` id ${id} seq ${seq}`;
  } else {
    if (code !== 0 || type === ICMP_DEST_UNREACHABLE) s += ` code ${code}`;
    if (type === ICMP_DEST_UNREACHABLE && code === ICMP_UNREACH_NEEDFRAG) {
      const mtu = (b[off + 6]! << 8) | b[off + 7]!;
      ctx.field(l, 'icmp.mtu', mtu, off + 6, 2);
      s += ` mtu ${mtu}`;
    }
  }
  if (info.complete) {
    const ok = checksumVerifies(b, off, len);
    ctx.field(l, 'icmp.checksum.status', ok ? 'good' : 'bad', off + 2, 0);
    if (!ok) s += ' [bad icmp cksum]';
  }
  ctx.say(s);
}

const ICMP6_NAMES: Record<number, string> = {
  [ICMP6_DEST_UNREACHABLE]: 'destination unreachable', [ICMP6_PACKET_TOO_BIG]: 'packet too big',
  [ICMP6_TIME_EXCEEDED]: 'time exceeded', [ICMP6_PARAMETER_PROBLEM]: 'parameter problem',
  [ICMP6_ECHO_REQUEST]: 'echo request', [ICMP6_ECHO_REPLY]: 'echo reply',
  [ICMP6_MLD_QUERY]: 'multicast listener query', [ICMP6_MLD_REPORT]: 'multicast listener report',
  [ICMP6_MLD_DONE]: 'multicast listener done', [ND_ROUTER_SOLICIT]: 'router solicitation',
  [ND_ROUTER_ADVERT]: 'router advertisement', [ND_NEIGHBOR_SOLICIT]: 'neighbor solicitation',
  [ND_NEIGHBOR_ADVERT]: 'neighbor advertisement', [ND_REDIRECT]: 'redirect',
  [ICMP6_MLDV2_REPORT]: 'multicast listener report v2',
};

function ndOptionSummary(o: NdOption): string {
  switch (o.type) {
    case 1: return `[slla ${o.linkLayerAddress ?? 'len ' + o.length}]`;
    case 2: return `[tlla ${o.linkLayerAddress ?? 'len ' + o.length}]`;
    case 3: return `[prefix ${o.prefix}/${o.prefixLength}]`;
    case 4: return `[redirected header ${o.redirectedPacket!.length}]`;
    case 5: return `[mtu ${o.mtu}]`;
    case 14: return `[nonce ${formatHex(o.nonce!, 0, o.nonce!.length)}]`;
    case 25: return `[rdnss ${o.addresses!.join(' ')}]`;
    case 31: return `[dnssl ${o.domains!.map((d) => d + '.').join(' ')}]`;
    case 38: return `[pref64 ${o.prefix}/${o.prefixLength}]`;
    default: return `[opt ${o.type} len ${o.length}]`;
  }
}

export function decodeIcmp6(ctx: DecodeContext, b: Uint8Array, off: number, len: number, info: IpInfo): void {
  const l = ctx.layer('icmpv6');
  if (len < 4) {
    ctx.say('ICMPv6');
    ctx.malformed('icmp6', 'icmp6_truncated', l, off);
    return;
  }
  const type = b[off]!;
  const code = b[off + 1]!;
  ctx.field(l, 'icmpv6.type', type, off, 1);
  ctx.field(l, 'icmpv6.code', code, off + 1, 1);
  ctx.field(l, 'icmpv6.checksum', hex((b[off + 2]! << 8) | b[off + 3]!, 4), off + 2, 2);
  let s = `ICMPv6 ${ICMP6_NAMES[type] ?? `type ${type} code ${code}`}`;
  let cksumNote = '';
  if (info.complete) {
    const ok = checksumFold(checksumAdd(b, off, len, info.pseudoSum(58, len))) === 0xffff;
    ctx.field(l, 'icmpv6.checksum.status', ok ? 'good' : 'bad', off + 2, 0);
    if (!ok) cksumNote = ' [bad icmp6 cksum]';
  }
  const start = ndOptionsStart(type);
  if (start !== 0) {
    if (len < start) {
      ctx.say(s + cksumNote);
      ctx.malformed('icmp6', 'icmp6_truncated', l, off);
      return;
    }
    if (type === ND_ROUTER_ADVERT) {
      ctx.field(l, 'icmpv6.nd.ra.cur_hop_limit', b[off + 4]!, off + 4, 1);
      ctx.field(l, 'icmpv6.nd.ra.flag', hex(b[off + 5]!, 2), off + 5, 1);
      ctx.field(l, 'icmpv6.nd.ra.router_lifetime', (b[off + 6]! << 8) | b[off + 7]!, off + 6, 2);
      ctx.field(l, 'icmpv6.nd.ra.reachable_time', readU32(b, off + 8), off + 8, 4);
      ctx.field(l, 'icmpv6.nd.ra.retrans_timer', readU32(b, off + 12), off + 12, 4);
      s += ` hop limit ${b[off + 4]} lifetime ${(b[off + 6]! << 8) | b[off + 7]!}s`;
    } else if (type === ND_NEIGHBOR_ADVERT) {
      const f = b[off + 4]!;
      ctx.field(l, 'icmpv6.nd.na.flag', hex(f, 2), off + 4, 1);
      const t = formatIpv6(b, off + 8);
      ctx.field(l, 'icmpv6.nd.na.target_address', t, off + 8, 16);
      const flags = [f & 0x80 ? 'router' : '', f & 0x40 ? 'solicited' : '', f & 0x20 ? 'override' : ''].filter(Boolean);
      s += ` tgt is ${t}${flags.length ? ` [${flags.join(', ')}]` : ''}`;
    } else if (type === ND_NEIGHBOR_SOLICIT) {
      const t = formatIpv6(b, off + 8);
      ctx.field(l, 'icmpv6.nd.ns.target_address', t, off + 8, 16);
      s += ` who has ${t}`;
    } else if (type === ND_REDIRECT) {
      const t = formatIpv6(b, off + 8);
      const d = formatIpv6(b, off + 24);
      ctx.field(l, 'icmpv6.nd.rd.target_address', t, off + 8, 16);
      ctx.field(l, 'icmpv6.nd.rd.destination_address', d, off + 24, 16);
      s += ` ${d} to ${t}`;
    }
    // Option by option, so the options before a malformed one are still shown.
    for (let p = off + start; p < off + len;) {
      const olen = p + 2 <= off + len ? b[p + 1]! << 3 : 0;
      const one = olen === 0 || p + olen > off + len ? null : parseNdOptions(b, p, p + olen);
      if (one === null) {
        ctx.say(s + cksumNote);
        ctx.malformed('icmp6', 'icmp6_bad_nd_option', l, p);
        return;
      }
      const o = one[0]!;
      ctx.field(l, 'icmpv6.opt.type', o.type, p, 1);
      ctx.field(l, 'icmpv6.opt.length', olen >>> 3, p + 1, 1);
      if (o.linkLayerAddress) ctx.field(l, 'icmpv6.opt.linkaddr', o.linkLayerAddress, p + 2, 6);
      if (o.type === 3) ctx.field(l, 'icmpv6.opt.prefix', o.prefix!, p + 16, 16);
      if (o.type === 5) ctx.field(l, 'icmpv6.opt.mtu', o.mtu!, p + 4, 4);
      if (o.nonce) ctx.field(l, 'icmpv6.opt.nonce', formatHex(o.nonce, 0, o.nonce.length), p + 2, o.nonce.length);
      if (o.addresses) o.addresses.forEach((a, i) => ctx.field(l, 'icmpv6.opt.rdnss', a, p + 8 + 16 * i, 16));
      if (o.domains) o.domains.forEach((d) => ctx.field(l, 'icmpv6.opt.dnssl', d, p + 8, 0));
      if (o.type === 38) ctx.field(l, 'icmpv6.opt.pref64.prefix', `${o.prefix}/${o.prefixLength}`, p + 4, 12);
      s += ' ' + ndOptionSummary(o);
      p += olen;
    }
    ctx.say(s + cksumNote);
    return;
  }
  if (len < 8) {
    ctx.say(s + cksumNote);
    ctx.malformed('icmp6', 'icmp6_truncated', l, off);
    return;
  }
  if (type === ICMP6_ECHO_REQUEST || type === ICMP6_ECHO_REPLY) {
    const id = (b[off + 4]! << 8) | b[off + 5]!;
    const seq = (b[off + 6]! << 8) | b[off + 7]!;
    ctx.field(l, 'icmpv6.echo.identifier', id, off + 4, 2);
    ctx.field(l, 'icmpv6.echo.sequence_number', seq, off + 6, 2);
    s += ` id ${id} seq ${seq}`;
  } else if (type === ICMP6_PACKET_TOO_BIG) {
    ctx.field(l, 'icmpv6.mtu', readU32(b, off + 4), off + 4, 4);
    s += ` mtu ${readU32(b, off + 4)}`;
  } else if (type < 128) {
    s += ` code ${code}`;
  }
  ctx.say(s + cksumNote);
}
