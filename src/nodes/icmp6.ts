import { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { pseudoHeaderSumFromIpv6, transportChecksum } from '../packet/checksum.js';
import { icmpErrorAux } from './icmp4.js';
import { handleNa, handleNs } from './nd.js';

/** RFC 4443 2.4(c): an ICMPv6 error fits in the minimum IPv6 MTU. */
const ICMP6_ERROR_MAX = 1280;
const IP6_ICMP_HDR = 48;
export const ORIGIN_HOP_LIMIT = 64;

/**
 * Writes an IPv6 header (version 6, no traffic class or flow label). Source
 * and destination are 16 bytes at `srcOff` / `dstOff` of their arrays, which
 * may be `d` itself (copied within, nothing allocated).
 */
export function writeIp6Header(
  d: Uint8Array, o: number, payloadLen: number, next: number, hopLimit: number,
  src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number,
): void {
  d[o] = 0x60;
  d[o + 1] = 0;
  d[o + 2] = 0;
  d[o + 3] = 0;
  d[o + 4] = payloadLen >> 8;
  d[o + 5] = payloadLen & 0xff;
  d[o + 6] = next;
  d[o + 7] = hopLimit;
  for (let k = 0; k < 16; k++) d[o + 8 + k] = src[srcOff + k];
  if (dst === d) d.copyWithin(o + 24, dstOff, dstOff + 16);
  else for (let k = 0; k < 16; k++) d[o + 24 + k] = dst[dstOff + k];
}

/** Fills in the ICMPv6 checksum of the message after the IPv6 header at `l3`. */
export function icmp6Checksum(d: Uint8Array, l3: number): void {
  const plen = (d[l3 + 4] << 8) | d[l3 + 5];
  const t = l3 + 40;
  d[t + 2] = 0;
  d[t + 3] = 0;
  const c = transportChecksum(d, t, plen, pseudoHeaderSumFromIpv6(d, l3, 58, plen));
  d[t + 2] = c >> 8;
  d[t + 3] = c & 0xff;
}

/**
 * ip6-icmp-error: destination unreachable, packet too big, time exceeded
 * (RFC 4443), in place, except where 2.4(e) forbids one: about an ICMPv6
 * error, or to/from a multicast or unspecified address (packet too big to a
 * multicast destination is allowed).
 */
export class Ip6IcmpError extends GraphNode {
  readonly name = 'ip6-icmp-error';
  readonly nextNames = ['ip6-lookup'];
  override readonly counterNames = ['icmp6_errors_sent', 'icmp6_errors_suppressed'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const aux = b.aux[slot];
      const type = aux >>> 24;
      const srcMulticast = d[l3 + 8] === 0xff;
      let srcUnspecified = true;
      for (let k = 8; k < 24; k++) if (d[l3 + k] !== 0) { srcUnspecified = false; break; }
      const dstMulticast = d[l3 + 24] === 0xff;
      const isError = d[l3 + 6] === 58 && d[l3 + 40] < 128;
      if (isError || srcMulticast || srcUnspecified || (dstMulticast && type !== 2) || (b.flags[slot] & F_LOCAL_ORIGIN)) {
        this.counters[1]++;
        if (b.error[slot] === 0) this.g.consume(slot, 'no ICMPv6 error allowed');
        else {
          const dn = this.g.dropNode;
          dn.frame[dn.count++] = slot;
        }
        continue;
      }
      const orig = b.off[slot] + b.len[slot] - l3;
      const keep = Math.min(orig, ICMP6_ERROR_MAX - IP6_ICMP_HDR);
      const h = l3 - IP6_ICMP_HDR;
      const src = this.dev.ifs.sourceFor6(b.rxIfl[slot], d, l3 + 8);
      // The original source becomes the destination: copy it before the header overwrites anything.
      d.copyWithin(h + 24, l3 + 8, l3 + 24);
      writeIp6Header(d, h, 8 + keep, 58, ORIGIN_HOP_LIMIT, src, 0, d, h + 24);
      const t = h + 40;
      d[t] = type;
      d[t + 1] = (aux >>> 16) & 0xff;
      const param = type === 2 ? aux & 0xffff : 0; // packet too big carries the MTU
      d[t + 4] = param >>> 24;
      d[t + 5] = (param >>> 16) & 0xff;
      d[t + 6] = (param >>> 8) & 0xff;
      d[t + 7] = param & 0xff;
      b.off[slot] = h;
      b.l3[slot] = h;
      b.len[slot] = IP6_ICMP_HDR + keep;
      icmp6Checksum(d, h);
      b.flags[slot] |= F_LOCAL_ORIGIN;
      b.table[slot] = this.dev.ifs.ifls[b.rxIfl[slot]].table6;
      this.g.convert(slot, b.error[slot]);
      b.error[slot] = 0;
      this.counters[0]++;
      this.enqueue(0, slot);
    }
  }
}

const NEXT_LOOKUP = 0;
const NEXT_ICMP_ERROR = 1;
const NEXT_OUTPUT = 2;

/**
 * ip6-local: packets for the device. Neighbour discovery (NS answered with
 * NA, NA resolves the cache), echo requests answered, UDP to a closed port
 * gets port unreachable, the rest is taken in. Extension headers are walked
 * to find the upper layer.
 */
export class Ip6Local extends GraphNode {
  readonly name = 'ip6-local';
  readonly nextNames: readonly string[];
  private readonly nextGre: number;
  override readonly errorNames = ['ipv6_bad_extension_header', 'icmp6_bad_checksum', 'nd_invalid'];
  override readonly counterNames = ['echo_requests', 'echo_replies_sent', 'udp_port_unreachable', 'local_delivered', 'ns_received', 'na_sent', 'na_received'];

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = ['ip6-lookup', 'ip6-icmp-error', 'interface-output', ...(dev.vpns.length ? ['si-outside-input'] : []), ...(dev.gre ? ['gre-input'] : []),
      ...(dev.bridge?.udpPorts.length ? ['vxlan-input'] : [])];
    this.nextGre = this.nextNames.indexOf('gre-input');
    this.nextVxlan = this.nextNames.indexOf('vxlan-input');
  }

  /** Next index of vxlan-input (UDP to a VXLAN port), -1 on devices without VXLAN. */
  private readonly nextVxlan: number;

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const end = b.off[slot] + b.len[slot];
      let next = d[l3 + 6];
      let p = l3 + 40;
      // Hop-by-hop, routing and destination options: skip to the upper layer.
      while (next === 0 || next === 43 || next === 60) {
        if (p + 8 > end) break;
        const hlen = (d[p + 1] + 1) << 3;
        next = d[p];
        p += hlen;
      }
      if (p > end) { this.drop(b, slot, 0); continue; }
      const multicast = d[l3 + 24] === 0xff;
      if (next === 58 && p + 4 <= end) {
        const plen = end - p;
        if (transportChecksum(d, p, plen, pseudoHeaderSumFromIpv6(d, l3, 58, plen)) !== 0) { this.drop(b, slot, 1); continue; }
        const type = d[p];
        if (type === 135 || type === 136) {
          const r = type === 135 ? handleNs(this.dev, b, slot, l3, p) : handleNa(this.dev, b, slot, l3, p);
          if (type === 135) this.counters[4]++;
          else this.counters[6]++;
          if (r < 0) { this.drop(b, slot, 2); continue; }
          if (r === 1) {
            this.counters[5]++;
            this.g.convert(slot);
            this.enqueue(NEXT_OUTPUT, slot);
            continue;
          }
          this.g.consume(slot, type === 135 ? 'neighbor solicitation' : 'neighbor advertisement');
          continue;
        }
        if (type === 128 && !multicast && p === l3 + 40) {
          this.counters[0]++;
          this.echoReply(b, slot, l3);
          continue;
        }
        this.counters[3]++;
        this.g.consume(slot, 'ICMPv6 to the device');
        continue;
      }
      if (next === 50 && !multicast && this.dev.vpns.length) {
        // ESP to a VPN's local gateway address: to the outside si IFL and esp-decrypt (b.aux = VPN + 1).
        const vpn = this.dev.vpnOfLocal6(d, l3 + 24);
        if (vpn >= 0) {
          b.aux[slot] = vpn + 1;
          this.enqueue(3, slot);
          continue;
        }
      }
      if (next === 47 && !multicast && this.nextGre >= 0) {
        // GRE to an own address: gre-input finds its gr- unit (b.aux: where GRE starts).
        b.aux[slot] = p - l3;
        this.enqueue(this.nextGre, slot);
        continue;
      }
      if (next === 17 && !multicast && this.nextVxlan >= 0 && p + 8 <= end && this.dev.bridge!.takesPort((d[p + 2] << 8) | d[p + 3])) {
        b.aux[slot] = p - l3; // where UDP starts
        this.enqueue(this.nextVxlan, slot);
        continue;
      }
      if (next === 17 && !multicast) {
        this.counters[2]++;
        b.error[slot] = 0;
        b.aux[slot] = icmpErrorAux(1, 4, 0);
        this.enqueue(NEXT_ICMP_ERROR, slot);
        continue;
      }
      if (next === 112 && p === l3 + 40 && this.dev.vrrp !== null) {
        // A VRRPv3 advertisement (src/vrrp): checked and counted, or dropped under its reason (RFC 5798 7.1).
        const e = this.dev.vrrp.advertIn(b, slot, 6);
        if (e === 0) this.g.consume(slot, 'VRRP advertisement');
        else { b.error[slot] = e; const dn = this.g.dropNode; dn.frame[dn.count++] = slot; }
        continue;
      }
      this.counters[3]++;
      this.g.consume(slot, 'local delivery');
    }
  }

  private echoReply(b: Batch, slot: number, l3: number): void {
    const d = b.data;
    for (let k = 0; k < 16; k++) {
      const s = d[l3 + 8 + k];
      d[l3 + 8 + k] = d[l3 + 24 + k];
      d[l3 + 24 + k] = s;
    }
    d[l3 + 7] = ORIGIN_HOP_LIMIT;
    d[l3 + 40] = 129;
    icmp6Checksum(d, l3);
    b.flags[slot] |= F_LOCAL_ORIGIN;
    this.g.convert(slot);
    this.counters[1]++;
    this.enqueue(NEXT_LOOKUP, slot);
  }
}
