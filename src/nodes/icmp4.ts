import { writeIpv4Header } from '../packet/ipv4.js';
import { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { ipv4HeaderChecksum, internetChecksum } from '../packet/checksum.js';
import { readU32 } from '../packet/addr.js';
import { icmpEchoToReplyInPlace } from '../packet/icmp.js';

/** Packs an ICMP error's type, code and (for "fragmentation needed") next-hop MTU into `Batch.aux`. */
export function icmpErrorAux(type: number, code: number, mtu: number): number {
  return ((type << 24) | (code << 16) | (mtu & 0xffff)) >>> 0;
}

/** RFC 1812 4.3.2.3: an ICMP error carries as much of the datagram as fits in 576 bytes. */
const ICMP_ERROR_MAX = 576;
const IP_ICMP_HDR = 28;
/** TTL of packets the device originates (Junos's default). */
export const ORIGIN_TTL = 64;

/**
 * ip4-icmp-error: turns a packet that could not be forwarded into the ICMP
 * error a router sends back (time exceeded, unreachable, fragmentation
 * needed), in place, unless RFC 1812 4.3.2.7 forbids an error about it.
 * `Batch.error` holds the original's drop reason (0: taken in locally, as a
 * UDP datagram to a closed port), `Batch.aux` the type, code and MTU.
 */
export class Ip4IcmpError extends GraphNode {
  readonly name = 'ip4-icmp-error';
  readonly nextNames = ['ip4-lookup'];
  override readonly counterNames = ['icmp_errors_sent', 'icmp_errors_suppressed'];
  private ident = 0;

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const origSrc = readU32(d, l3 + 12);
      const origDst = readU32(d, l3 + 16);
      const ihl = (d[l3] & 15) << 2;
      const proto = d[l3 + 9];
      const fragOff = ((d[l3 + 6] & 0x1f) << 8) | d[l3 + 7];
      const icmpType = d[l3 + ihl];
      const isError = proto === 1 && (icmpType === 3 || icmpType === 4 || icmpType === 5 || icmpType === 11 || icmpType === 12);
      const src = this.dev.ifs.sourceFor4(b.rxIfl[slot], origSrc);
      if (isError || fragOff !== 0 || origSrc === 0 || origSrc >= 0xe0000000 || origDst >= 0xe0000000 || src < 0
        || (b.flags[slot] & F_LOCAL_ORIGIN)) {
        this.counters[1]++;
        this.suppress(b, slot);
        continue;
      }
      const origTotal = b.off[slot] + b.len[slot] - l3;
      const keep = Math.min(origTotal, ICMP_ERROR_MAX - IP_ICMP_HDR);
      const h = l3 - IP_ICMP_HDR;
      const aux = b.aux[slot];
      // IPv4 header.
      const total = IP_ICMP_HDR + keep;
      this.ident = (this.ident + 1) & 0xffff;
      writeIpv4Header(d, h, 0, total, this.ident, 0, ORIGIN_TTL, 1, src, origSrc);
      // ICMP header: type, code, checksum, then unused (or the next-hop MTU).
      const t = h + 20;
      d[t] = aux >>> 24;
      d[t + 1] = (aux >>> 16) & 0xff;
      d[t + 2] = 0;
      d[t + 3] = 0;
      d[t + 4] = 0;
      d[t + 5] = 0;
      d[t + 6] = (aux >>> 8) & 0xff;
      d[t + 7] = aux & 0xff;
      const ic = internetChecksum(d, t, 8 + keep);
      d[t + 2] = ic >> 8;
      d[t + 3] = ic & 0xff;
      b.off[slot] = h;
      b.l3[slot] = h;
      b.len[slot] = total;
      b.flags[slot] |= F_LOCAL_ORIGIN;
      b.table[slot] = this.dev.ifs.ifls[b.rxIfl[slot]].table4;
      this.g.convert(slot, b.error[slot]);
      b.error[slot] = 0;
      this.counters[0]++;
      this.enqueue(0, slot);
    }
  }

  private suppress(b: Batch, slot: number): void {
    if (b.error[slot] === 0) {
      this.g.consume(slot, 'no ICMP error allowed');
      return;
    }
    const dn = this.g.dropNode;
    dn.frame[dn.count++] = slot;
  }
}

/**
 * ip4-local: packets for the device itself. Echo requests are answered;
 * UDP to a port nothing listens on gets port unreachable; everything else
 * (routing protocols, TCP to the RE, replies) is taken in and counted.
 */
export class Ip4Local extends GraphNode {
  readonly name = 'ip4-local';
  readonly nextNames: readonly string[];
  private readonly nextGre: number;
  override readonly counterNames = ['echo_requests', 'echo_replies_sent', 'udp_port_unreachable', 'local_delivered'];

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = ['ip4-lookup', 'ip4-icmp-error', ...(dev.vpns.length ? ['si-outside-input'] : []), ...(dev.gre ? ['gre-input'] : []),
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
      const ihl = (d[l3] & 15) << 2;
      const proto = d[l3 + 9];
      const total = b.off[slot] + b.len[slot] - l3;
      const fragmented = (((d[l3 + 6] & 0x3f) << 8) | d[l3 + 7]) !== 0;
      const dst = readU32(d, l3 + 16);
      const unicast = dst < 0xe0000000;
      if (proto === 1 && !fragmented && unicast && total >= ihl + 8 && d[l3 + ihl] === 8) {
        this.counters[0]++;
        this.echoReply(b, slot, l3, ihl);
        continue;
      }
      if (proto === 50 && this.dev.vpns.length) {
        // ESP to a VPN's local gateway address: to the outside si IFL and esp-decrypt (b.aux = VPN + 1).
        const vpn = this.dev.vpnOfLocal4(dst);
        if (vpn >= 0) {
          b.aux[slot] = vpn + 1;
          this.enqueue(2, slot);
          continue;
        }
      }
      if (proto === 47 && this.nextGre >= 0) {
        // GRE to an own address: gre-input finds its gr- unit (b.aux: where GRE starts).
        b.aux[slot] = ihl;
        this.enqueue(this.nextGre, slot);
        continue;
      }
      if (proto === 17 && !fragmented && unicast && this.nextVxlan >= 0 && total >= ihl + 8 && this.dev.bridge!.takesPort((d[l3 + ihl + 2] << 8) | d[l3 + ihl + 3])) {
        b.aux[slot] = ihl; // where UDP starts
        this.enqueue(this.nextVxlan, slot);
        continue;
      }
      if (proto === 17 && !fragmented && unicast) {
        this.counters[2]++;
        b.error[slot] = 0;
        b.aux[slot] = icmpErrorAux(3, 3, 0);
        this.enqueue(1, slot);
        continue;
      }
      if (proto === 112 && this.dev.vrrp !== null) {
        // A VRRP advertisement (src/vrrp): checked and counted, or dropped under its reason (RFC 3768 7.1).
        const e = this.dev.vrrp.advertIn(b, slot, 4);
        if (e === 0) this.g.consume(slot, 'VRRP advertisement');
        else { b.error[slot] = e; const dn = this.g.dropNode; dn.frame[dn.count++] = slot; }
        continue;
      }
      this.counters[3]++;
      this.g.consume(slot, 'local delivery');
    }
  }

  /** Echo request → echo reply in the same buffer: addresses swapped, type 0, fresh TTL. */
  private echoReply(b: Batch, slot: number, l3: number, ihl: number): void {
    const d = b.data;
    for (let k = 0; k < 4; k++) {
      const s = d[l3 + 12 + k];
      d[l3 + 12 + k] = d[l3 + 16 + k];
      d[l3 + 16 + k] = s;
    }
    d[l3 + 8] = ORIGIN_TTL;
    d[l3 + 10] = 0;
    d[l3 + 11] = 0;
    const hc = ipv4HeaderChecksum(d, l3, ihl);
    d[l3 + 10] = hc >> 8;
    d[l3 + 11] = hc & 0xff;
    icmpEchoToReplyInPlace(d, l3 + ihl);
    b.flags[slot] |= F_LOCAL_ORIGIN;
    this.g.convert(slot);
    this.counters[1]++;
    this.enqueue(0, slot);
  }
}
