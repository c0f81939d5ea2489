// The route-based inline IPsec pipeline of an MX (Trio inline IPsec), around
// the ESP engine nodes:
//
//   encrypt: ip4/ip6-lookup (tunnel adjacency: a route via st0.N)
//            → st0-output        the st0 MTU; traffic selectors pick the VPN and SA pair (if any);
//                                st0.N output, b.sa = the outbound SA, si inside input
//            → esp-encrypt       tunnel mode, outer local-address → gateway
//            → si-outside-input  si outside input; outer looked up in the external interface's table
//            → ip4/ip6-lookup (F_LOCAL_ORIGIN) → rewrite → interface-output
//   decrypt: ip4/ip6-local (ESP to a VPN's local gateway address)
//            → si-outside-input  si outside input
//            → esp-decrypt       inbound SA by SPI and destination
//            → st0-input         traffic selector check; st0.N input; the inner packet enters st0's table
//            → ip4/ip6-input → lookup (TTL / hop limit decremented as transit) → ...
//
// Interface counters follow `show interfaces extensive` on a real MX: on the
// encrypting router st0.N output = si inside input = si outside input
// (packets); on the decrypting one si outside input counts the ESP packets and
// st0.N input the decrypted ones; the inside si sees nothing inbound.

import { GraphNode } from '../graph/node.js';
import { F_ENCAPSULATED, F_LOCAL_ORIGIN, F_NO_L2, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { inPrefix6, tsMatchOut4, tsMatchOut6, type TsRt } from '../ipsec/vpn.js';
import { readU32 } from '../packet/addr.js';
import { icmpErrorAux } from './icmp4.js';
import { ipv4IncrementTtl } from './rewrite.js';

/** Drop reason of a packet that matches no traffic selector (into the tunnel) or is outside its VPN's selectors (out of it). */
export const TS_MISMATCH = 'traffic_selector_mismatch';

/**
 * The selector (of the VPNs bound to an st0 unit, in order) an outbound
 * packet matches: source within local-ip, destination within remote-ip; null
 * when none does.
 */
function matchOut(sel: TsRt[], d: Uint8Array, l3: number): TsRt | null {
  if (d[l3] >>> 4 === 4) {
    const src = readU32(d, l3 + 12);
    const dst = readU32(d, l3 + 16);
    for (let k = 0; k < sel.length; k++) {
      const t = sel[k];
      if (t.family === 4 && tsMatchOut4(t, src, dst)) return t;
    }
  } else {
    for (let k = 0; k < sel.length; k++) {
      const t = sel[k];
      if (t.family === 6 && tsMatchOut6(t, d, l3 + 8)) return t;
    }
  }
  return null;
}

/** Whether a decrypted packet is within one of the selectors its SA carries: source within remote-ip, destination within local-ip. */
function matchIn(sel: TsRt[], d: Uint8Array, l3: number): boolean {
  if (d[l3] >>> 4 === 4) {
    const src = readU32(d, l3 + 12);
    const dst = readU32(d, l3 + 16);
    for (let k = 0; k < sel.length; k++) {
      const t = sel[k];
      if (t.family === 4 && ((src & t.remoteMask4) >>> 0) === t.remote4 && ((dst & t.localMask4) >>> 0) === t.local4) return true;
    }
  } else {
    for (let k = 0; k < sel.length; k++) {
      const t = sel[k];
      if (t.family === 6 && inPrefix6(d, l3 + 8, t.remote6, t.remoteLen) && inPrefix6(d, l3 + 24, t.local6, t.localLen)) return true;
    }
  }
  return false;
}

/** b.aux of an ESP packet sent from ip4-local / ip6-local to si-outside-input: VPN index + 1 (0: an encrypted packet). */
export const AUX_DECRYPT_BASE = 1;

/**
 * st0-output: the packet routed into st0.N is counted there and on the inside
 * si IFL, and given its VPN's outbound SA. When the VPNs bound to st0.N have
 * traffic selectors, the first selector (in configuration order) the packet
 * matches picks the VPN; a packet matching none is dropped
 * (traffic_selector_mismatch) before st0 counts it.
 */
export class St0Output extends GraphNode {
  readonly name = 'st0-output';
  readonly nextNames = ['esp-encrypt', 'ip4-icmp-error', 'ip6-icmp-error', 'st0-fragment'];
  override readonly errorNames = ['ipsec_tunnel_loop', TS_MISMATCH, 'st0_mtu_exceeded_df', 'st0_packet_too_big'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const ifs = this.dev.ifs;
    const adjs = this.dev.adjs.all;
    const vpns = this.dev.vpns;
    const tsOfSt0 = this.dev.tsOfSt0;
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      // An ESP packet of ours routed into a tunnel again (the gateway routed via st0): never loop.
      if (b.flags[slot] & F_ENCAPSULATED) { this.drop(b, slot, 0); continue; }
      let v = vpns[adjs[b.adj[slot]].vpn];
      const sel = tsOfSt0[v.st0];
      if (sel !== null) {
        const t = matchOut(sel, d, b.l3[slot]);
        if (t === null) {
          if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${ifs.ifls[v.st0].name}: no traffic selector matches`);
          this.drop(b, slot, 1);
          continue;
        }
        v = vpns[t.vpn];
        b.sa[slot] = t.outSa;
      } else b.sa[slot] = v.outSa;
      const l3 = b.l3[slot];
      const len = b.off[slot] + b.len[slot] - l3;
      const st0 = ifs.ifls[v.st0];
      const v4 = d[l3] >>> 4 === 4;
      const mtu = v4 ? st0.mtu4 : st0.mtu6;
      if (len > mtu) { this.tooBig(b, slot, l3, v4, mtu); continue; }
      ifs.txPackets[v.st0]++;
      ifs.txBytes[v.st0] += len;
      ifs.rxPackets[v.siInside]++;
      ifs.rxBytes[v.siInside] += len;
      b.aux[slot] = 0;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${ifs.ifls[v.st0].name} → ${ifs.ifls[v.siInside].name} (inside) vpn ${v.name}`);
      this.enqueue(0, slot);
    }
  }

  /**
   * The st0 MTU applies to the inner packet, before encryption: IPv4 without
   * DF is fragmented (the fragments come back here), IPv4 with DF gets ICMP
   * fragmentation needed and IPv6 packet too big, both with the st0 MTU, so
   * the sender's path MTU discovery learns the tunnel's MTU. The error quotes
   * the packet as received: the lookup's TTL / hop-limit decrement is undone.
   */
  private tooBig(b: Batch, slot: number, l3: number, v4: boolean, mtu: number): void {
    const d = b.data;
    if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${this.dev.ifs.ifls[this.dev.vpns[this.dev.adjs.all[b.adj[slot]].vpn].st0].name}: ${b.off[slot] + b.len[slot] - l3} bytes > mtu ${mtu}`);
    if (v4 && (d[l3 + 6] & 0x40) === 0) {
      b.aux[slot] = mtu;
      this.enqueue(3, slot);
      return;
    }
    if ((b.flags[slot] & F_LOCAL_ORIGIN) === 0) {
      if (v4) ipv4IncrementTtl(d, l3);
      else d[l3 + 7]++;
    }
    b.error[slot] = this.errorCodes[v4 ? 2 : 3];
    b.aux[slot] = v4 ? icmpErrorAux(3, 4, mtu) : icmpErrorAux(2, 0, mtu);
    this.enqueue(v4 ? 1 : 2, slot);
  }
}

const NEXT_LOOKUP4 = 0;
const NEXT_LOOKUP6 = 1;
const NEXT_DECRYPT = 2;

/**
 * si-outside-input: the outside si IFL counts what it takes in, both ways.
 * From esp-encrypt (b.aux 0): the outer packet goes to the lookup of its
 * family in the external interface's table, as the device's own packet. From
 * ip4/ip6-local (b.aux = VPN + 1): the ESP packet goes to esp-decrypt.
 */
export class SiOutsideInput extends GraphNode {
  readonly name = 'si-outside-input';
  readonly nextNames = ['ip4-lookup', 'ip6-lookup', 'esp-decrypt'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const ifs = this.dev.ifs;
    const vpns = this.dev.vpns;
    const vpnOfSa = this.dev.vpnOfSa;
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const aux = b.aux[slot];
      const decrypt = aux >= AUX_DECRYPT_BASE;
      const v = vpns[decrypt ? aux - AUX_DECRYPT_BASE : vpnOfSa[b.sa[slot]]];
      const l3 = b.l3[slot];
      ifs.rxPackets[v.siOutside]++;
      ifs.rxBytes[v.siOutside] += b.off[slot] + b.len[slot] - l3;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${ifs.ifls[v.siOutside].name} (outside)`);
      if (decrypt) { this.enqueue(NEXT_DECRYPT, slot); continue; }
      b.table[slot] = v.outerTable;
      b.flags[slot] |= F_LOCAL_ORIGIN | F_ENCAPSULATED;
      this.enqueue(d[l3] >>> 4 === 4 ? NEXT_LOOKUP4 : NEXT_LOOKUP6, slot);
    }
  }
}

/**
 * st0-input: a decrypted inner packet arrives on its SA's VPN's st0 IFL and
 * is routed in st0's instance like any packet received (TTL / hop limit
 * decremented). It has no Ethernet header: F_NO_L2.
 */
export class St0Input extends GraphNode {
  readonly name = 'st0-input';
  readonly nextNames = ['ip4-input', 'ip6-input'];
  override readonly errorNames = ['st0_no_vpn', 'inet_not_configured', 'inet6_not_configured', TS_MISMATCH];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const ifs = this.dev.ifs;
    const vpns = this.dev.vpns;
    const vpnOfSa = this.dev.vpnOfSa;
    const tsOfSa = this.dev.tsOfSa;
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const vi = vpnOfSa[b.sa[slot]] ?? -1;
      if (vi < 0) { this.drop(b, slot, 0); continue; }
      const v = vpns[vi];
      const st0 = ifs.ifls[v.st0];
      const l3 = b.l3[slot];
      // An SA negotiated for a traffic selector takes in only what that selector covers.
      const ts = tsOfSa[b.sa[slot]];
      if (ts !== null && !matchIn(ts, d, l3)) {
        if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${st0.name} vpn ${v.name}: outside traffic selector ${ts.map((t) => t.name).join(', ')}`);
        this.drop(b, slot, 3);
        continue;
      }
      ifs.rxPackets[v.st0]++;
      ifs.rxBytes[v.st0] += b.off[slot] + b.len[slot] - l3;
      b.rxIfl[slot] = v.st0;
      b.flags[slot] = (b.flags[slot] & ~(F_LOCAL_ORIGIN | F_ENCAPSULATED)) | F_NO_L2;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${st0.name} vpn ${v.name}`);
      if (d[l3] >>> 4 === 4) {
        if (!st0.inet) { this.drop(b, slot, 1); continue; }
        b.table[slot] = st0.table4;
        this.enqueue(0, slot);
      } else {
        if (!st0.inet6) { this.drop(b, slot, 2); continue; }
        b.table[slot] = st0.table6;
        this.enqueue(1, slot);
      }
    }
  }
}
