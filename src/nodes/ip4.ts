import { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, F_NO_L2, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import type { Bridge } from '../l2/bridge.js';
import {
  ADJ_DROP, ADJ_GLEAN, ADJ_GRE, ADJ_INCOMPLETE, ADJ_LOCAL, ADJ_MPLS, ADJ_MULTIPATH, ADJ_NEXT_TABLE, ADJ_REJECT, ADJ_REWRITE, ADJ_TUNNEL,
  type Adjacency,
} from '../l3/adjacency.js';
import { formatIpv4, readU32 } from '../packet/addr.js';
import { flowHash4 } from './flow-hash.js';
import { IPV4_ERRORS, checkIpv4, ipv4DecrementTtl } from '../packet/ipv4.js';
import { icmpErrorAux } from './icmp4.js';

/**
 * ip4-input: validates the IPv4 header and trims the frame to the IP total
 * length (Ethernet padding off). On a VTEP, VXLAN to its own address in the
 * underlay table goes straight to vxlan-input, as VPP's ip4-vxlan-bypass:
 * the lookup would only say "local" and ip4-local "UDP to a VXLAN port".
 */
export class Ip4Input extends GraphNode {
  readonly name = 'ip4-input';
  readonly nextNames: readonly string[];
  /** Indexed by checkIpv4's codes (0 is OK). */
  override readonly errorNames = IPV4_ERRORS;
  /** The VTEP's bridge (null: no VXLAN, no bypass). */
  private readonly vtep: Bridge | null;

  constructor(dev?: DeviceRt) {
    super();
    this.vtep = dev?.bridge?.udpPorts.length ? dev.bridge : null;
    this.nextNames = this.vtep ? ['ip4-lookup', 'vxlan-input'] : ['ip4-lookup'];
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const vtep = this.vtep;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const err = checkIpv4(d, l3, b.off[slot] + b.len[slot] - l3);
      if (err !== 0) { this.drop(b, slot, err); continue; }
      b.len[slot] = l3 - b.off[slot] + ((d[l3 + 2] << 8) | d[l3 + 3]);
      if (vtep !== null && d[l3 + 9] === 17 && (((d[l3 + 6] & 0x3f) << 8) | d[l3 + 7]) === 0) {
        const ihl = (d[l3] & 15) << 2;
        if (b.off[slot] + b.len[slot] - l3 >= ihl + 8 && vtep.isVtep4(readU32(d, l3 + 16), b.table[slot])
          && vtep.takesPort((d[l3 + ihl + 2] << 8) | d[l3 + ihl + 3])) {
          b.aux[slot] = ihl; // where UDP starts, as ip4-local gives it
          this.enqueue(1, slot);
          continue;
        }
      }
      this.enqueue(0, slot);
    }
  }
}

const NEXT_REWRITE = 0;
const NEXT_LOCAL = 1;
const NEXT_ARP = 2;
const NEXT_ICMP_ERROR = 3;
const NEXT_TUNNEL = 4;

const E_NO_ROUTE = 0;
const E_TTL = 1;
const E_LINK_BROADCAST = 2;

/**
 * ip4-lookup: longest-prefix match of the destination in the packet's table
 * and dispatch on the adjacency. Transit packets have their TTL checked and
 * decremented here (RFC 1624 checksum update), so held packets leave the
 * hold queue ready to send.
 */
export class Ip4Lookup extends GraphNode {
  readonly name = 'ip4-lookup';
  readonly nextNames: readonly string[];
  /** Next indexes of gre-encap and mpls-output (GRE and MPLS adjacencies; -1 on devices without them). */
  private readonly nextGre: number;
  private readonly nextMpls: number;
  override readonly errorNames = ['ip4_no_route', 'ip4_ttl_expired', 'ip4_link_broadcast'];

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = [
      'ip4-rewrite', 'ip4-local', 'ip4-arp', 'ip4-icmp-error', ...(dev.vpns.length ? ['st0-output'] : []),
      ...(dev.gre || dev.mpls ? ['gre-encap', 'mpls-output'] : []),
    ];
    this.nextGre = this.nextNames.indexOf('gre-encap');
    this.nextMpls = this.nextNames.indexOf('mpls-output');
  }

  override init(): void {
    for (const a of this.dev.adjs.all) if (a.reason) a.reasonCode = this.g.reason(a.reason);
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const tables = this.dev.tables;
    const adjs = this.dev.adjs.all;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      // Signed 32-bit: an address of 128.0.0.0 and above as a uint32 is a heap number when passed to the FIB.
      const dst = (d[l3 + 16] << 24) | (d[l3 + 17] << 16) | (d[l3 + 18] << 8) | d[l3 + 19];
      // Multicast and limited broadcast are not routed: the device takes them.
      if (dst >>> 28 >= 0xe) { this.enqueue(NEXT_LOCAL, slot); continue; }
      // RFC 1812 5.3.4: a unicast packet received in a link-layer broadcast or multicast frame is not
      // forwarded (nor answered with an ICMP error, 4.3.2.7). A received packet's b.off is its Ethernet header.
      const l2group = (b.flags[slot] & (F_LOCAL_ORIGIN | F_NO_L2)) === 0 && (d[b.off[slot]] & 1) !== 0;
      let ai = tables[b.table[slot]].lpm4!.lookup(dst);
      if (ai < 0) {
        if (l2group) this.drop(b, slot, E_LINK_BROADCAST);
        else this.unreachable(b, slot, E_NO_ROUTE, 0);
        continue;
      }
      let a: Adjacency = adjs[ai];
      if (a.kind === ADJ_NEXT_TABLE) {
        b.table[slot] = a.table;
        ai = tables[a.table].lpm4!.lookup(dst);
        // One table hop only: a second next-table (a loop between tables) is no route, not a lost packet.
        if (ai < 0 || adjs[ai].kind === ADJ_NEXT_TABLE) { this.unreachable(b, slot, E_NO_ROUTE, 0); continue; }
        a = adjs[ai];
      }
      if (a.kind === ADJ_MULTIPATH) {
        ai = a.members[flowHash4(d, l3) % a.members.length];
        a = adjs[ai];
      }
      const kind = a.kind;
      if (kind === ADJ_LOCAL) { this.enqueue(NEXT_LOCAL, slot); continue; }
      if (l2group) { this.drop(b, slot, E_LINK_BROADCAST); continue; }
      if (kind === ADJ_DROP) {
        b.error[slot] = a.reasonCode;
        const dn = this.g.dropNode;
        dn.frame[dn.count++] = slot;
        continue;
      }
      if (kind === ADJ_REJECT) {
        b.error[slot] = a.reasonCode;
        b.aux[slot] = icmpErrorAux(3, 13, 0);
        this.enqueue(NEXT_ICMP_ERROR, slot);
        continue;
      }
      if ((b.flags[slot] & F_LOCAL_ORIGIN) === 0) {
        if (d[l3 + 8] <= 1) { this.unreachable(b, slot, E_TTL, icmpErrorAux(11, 0, 0)); continue; }
        ipv4DecrementTtl(d, l3);
      }
      b.adj[slot] = ai;
      if (b.flags[slot] & 1) this.noteRoute(b, slot, dst, a);
      if (kind === ADJ_REWRITE) this.enqueue(NEXT_REWRITE, slot);
      else if (kind === ADJ_INCOMPLETE || kind === ADJ_GLEAN) this.enqueue(NEXT_ARP, slot);
      else if (kind === ADJ_TUNNEL) this.enqueue(NEXT_TUNNEL, slot);
      else if (kind === ADJ_GRE) this.enqueue(this.nextGre, slot);
      else if (kind === ADJ_MPLS) this.enqueue(this.nextMpls, slot);
    }
  }

  /** To ip4-icmp-error: the packet is dropped under `err` and an ICMP error generated where RFC 1812 allows. */
  private unreachable(b: Batch, slot: number, err: number, aux: number): void {
    b.error[slot] = this.errorCodes[err];
    b.aux[slot] = err === E_NO_ROUTE ? icmpErrorAux(3, 0, 0) : aux;
    this.enqueue(NEXT_ICMP_ERROR, slot);
  }

  private noteRoute(b: Batch, slot: number, dst: number, a: Adjacency): void {
    const t = this.dev.tables[b.table[slot]];
    const r = t.matched4(dst >>> 0);
    const ifl = a.ifl >= 0 ? this.dev.ifs.ifls[a.ifl].name : '';
    const nb = a.neighbor >= 0 ? this.dev.nbrs.all[a.neighbor] : undefined;
    const via = nb ? `via ${nb.ipText()} ${ifl}` : a.kind === ADJ_GLEAN ? `via ${formatIpv4(dst >>> 0)} ${ifl} (connected)` : ifl;
    this.g.trace.note(b.traceId[slot], `${t.name} ${r ?? '?'} ${via}`.trim());
  }
}
