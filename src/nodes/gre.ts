// GRE tunnels on gr- units (RFC 2784; no key, checksum or sequence number sent):
//
//   encap: ip4/ip6-lookup (a route via gr-N.U) or mpls-output (a labelled packet via gr-N.U)
//          → gre-encap   gr- output counted; GRE header (protocol 0x0800, 0x86DD or 0x8847),
//                        outer IPv4/IPv6 from tunnel source → destination, TTL 64, DF set
//          → ip4/ip6-lookup of the outer destination, as the device's own packet, in the
//            table of the tunnel's routing-instance destination (so it may go into st0: IPsec)
//   decap: ip4/ip6-local (IP protocol 47 to an own address)
//          → gre-input   the unit by outer source/destination; gr- input counted
//          → ip4/ip6-input in the unit's instance (no L2 header, as from st0-input), or mpls-input
//
// A GRE packet of ours whose outer destination routes back into the same unit
// is dropped (gre_tunnel_loop); nesting through other units ends, at the
// latest, when the headroom is used up (gre_no_buffer_space).

import { writeIpv4Header } from '../packet/ipv4.js';
import { GraphNode } from '../graph/node.js';
import { F_ENCAPSULATED, F_GRE, F_LOCAL_ORIGIN, F_MPLS, F_NO_L2, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { readU32 } from '../packet/addr.js';
import { GRE_FLAG_K, GRE_HEADER_LEN, checkGre, greFlags, greHeaderLen, greProtocol } from '../packet/gre.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_MPLS } from '../packet/ethernet.js';

const IP_PROTO_GRE = 47;

const E_LOOP = 0;
const E_NO_SPACE = 1;

/** gre-encap: the packet at b.l3 (IP, or a label stack with F_MPLS) into GRE and the tunnel's outer header. */
export class GreEncap extends GraphNode {
  readonly name = 'gre-encap';
  readonly nextNames = ['ip4-lookup', 'ip6-lookup'];
  override readonly errorNames = ['gre_tunnel_loop', 'gre_no_buffer_space'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const ifs = this.dev.ifs;
    const adjs = this.dev.adjs.all;
    const tunnels = this.dev.gre!.all;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const t = tunnels[adjs[b.adj[slot]].tunnel];
      const ifl = t.ifl;
      const flags = b.flags[slot];
      if ((flags & F_GRE) !== 0 && b.txIfl[slot] === ifl) {
        if (flags & 1) this.g.trace.note(b.traceId[slot], `${ifs.ifls[ifl].name}: tunnel destination routed into the tunnel itself`);
        this.drop(b, slot, E_LOOP);
        continue;
      }
      const l3 = b.l3[slot];
      const inner = b.off[slot] + b.len[slot] - l3;
      const proto = flags & F_MPLS ? ETHERTYPE_MPLS : d[l3] >>> 4 === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
      const v4 = t.family === 4;
      const outer = v4 ? 20 : 40;
      const start = l3 - GRE_HEADER_LEN - outer;
      if (start < b.slotStart(slot)) { this.drop(b, slot, E_NO_SPACE); continue; }
      const g = l3 - GRE_HEADER_LEN;
      d[g] = 0;
      d[g + 1] = 0;
      d[g + 2] = proto >>> 8;
      d[g + 3] = proto & 0xff;
      const total = outer + GRE_HEADER_LEN + inner;
      if (v4) {
        const id = t.ident;
        t.ident = (id + 1) & 0xffff;
        writeIpv4Header(d, start, 0, total, id, t.df ? 0x4000 : 0, t.ttl, IP_PROTO_GRE, t.src4, t.dst4);
      } else {
        const plen = GRE_HEADER_LEN + inner;
        d[start] = 0x60;
        d[start + 1] = 0;
        d[start + 2] = 0;
        d[start + 3] = 0;
        d[start + 4] = plen >>> 8;
        d[start + 5] = plen & 0xff;
        d[start + 6] = IP_PROTO_GRE;
        d[start + 7] = t.ttl;
        const s6 = t.src6;
        const d6 = t.dst6;
        for (let k = 0; k < 16; k++) { d[start + 8 + k] = s6[k]; d[start + 24 + k] = d6[k]; }
      }
      ifs.txPackets[ifl]++;
      ifs.txBytes[ifl] += inner;
      b.off[slot] = start;
      b.l3[slot] = start;
      b.len[slot] = total;
      b.txIfl[slot] = ifl;
      b.table[slot] = t.outerTable;
      b.flags[slot] = (flags & ~F_MPLS) | F_GRE | F_LOCAL_ORIGIN;
      if (flags & 1) this.g.trace.note(b.traceId[slot], `${ifs.ifls[ifl].name} ${t.text} proto 0x${proto.toString(16).padStart(4, '0')}`);
      this.enqueue(v4 ? 0 : 1, slot);
    }
  }
}


const E_NO_TUNNEL = 0;
// 1..4: checkGre's codes (truncated, bad version, bad flags, bad checksum).
const E_KEY = 5;
const E_FRAGMENT = 6;
const E_PROTOCOL = 7;
const E_NO_INET = 8;
const E_NO_INET6 = 9;

/**
 * gre-input: a GRE packet to one of the device's addresses (b.aux: offset of
 * the GRE header from b.l3, set by ip4/ip6-local). The unit is the one whose
 * tunnel destination and source are the packet's outer source and
 * destination, in the table the packet was looked up in; none →
 * gre_no_tunnel. Outer fragments are not reassembled (Junos needs
 * `reassemble-packets` for that) and keyed packets match no unit (no `key` is
 * modelled). The payload is received on the gr- unit.
 */
export class GreInput extends GraphNode {
  readonly name = 'gre-input';
  readonly nextNames = ['ip4-input', 'ip6-input', 'mpls-input'];
  override readonly errorNames = [
    'gre_no_tunnel', 'gre_truncated', 'gre_bad_version', 'gre_bad_flags', 'gre_bad_checksum', 'gre_key_mismatch',
    'gre_fragment_not_reassembled', 'gre_unknown_protocol', 'inet_not_configured', 'inet6_not_configured',
  ];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const ifs = this.dev.ifs;
    const gre = this.dev.gre!;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const v4 = d[l3] >>> 4 === 4;
      const t = v4 ? gre.find4(readU32(d, l3 + 12), readU32(d, l3 + 16), b.table[slot]) : gre.find6(d, l3 + 8, b.table[slot]);
      if (t === null) { this.drop(b, slot, E_NO_TUNNEL); continue; }
      if (v4 && (((d[l3 + 6] & 0x3f) << 8) | d[l3 + 7]) !== 0) { this.drop(b, slot, E_FRAGMENT); continue; }
      const g = l3 + b.aux[slot];
      const end = b.off[slot] + b.len[slot];
      const code = checkGre(d, g, end - g, true);
      if (code !== 0) { this.drop(b, slot, code); continue; }
      if (greFlags(d, g) & GRE_FLAG_K) { this.drop(b, slot, E_KEY); continue; }
      const proto = greProtocol(d, g);
      const p = g + greHeaderLen(d, g);
      const ifl = t.ifl;
      const rt = ifs.ifls[ifl];
      ifs.rxPackets[ifl]++;
      ifs.rxBytes[ifl] += end - p;
      b.rxIfl[slot] = ifl;
      b.off[slot] = p;
      b.l3[slot] = p;
      b.len[slot] = end - p;
      b.flags[slot] = (b.flags[slot] & ~(F_LOCAL_ORIGIN | F_ENCAPSULATED | F_GRE | F_MPLS)) | F_NO_L2;
      if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], `${rt.name} ${t.text.split(' → ').reverse().join(' → ')} proto 0x${proto.toString(16).padStart(4, '0')}`);
      if (proto === ETHERTYPE_IPV4) {
        if (!rt.inet) { this.drop(b, slot, E_NO_INET); continue; }
        b.table[slot] = rt.table4;
        this.enqueue(0, slot);
      } else if (proto === ETHERTYPE_IPV6) {
        if (!rt.inet6) { this.drop(b, slot, E_NO_INET6); continue; }
        b.table[slot] = rt.table6;
        this.enqueue(1, slot);
      } else if (proto === ETHERTYPE_MPLS) {
        b.flags[slot] |= F_MPLS;
        this.enqueue(2, slot);
      } else this.drop(b, slot, E_PROTOCOL);
    }
  }
}
