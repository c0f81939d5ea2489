import { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import {
  ADJ_DROP, ADJ_GLEAN, ADJ_GRE, ADJ_INCOMPLETE, ADJ_LOCAL, ADJ_MPLS, ADJ_MULTIPATH, ADJ_NEXT_TABLE, ADJ_REJECT, ADJ_REWRITE, ADJ_TUNNEL,
  type Adjacency,
} from '../l3/adjacency.js';
import { formatIpv6 } from '../packet/addr.js';
import { flowHash6 } from './flow-hash.js';
import { icmpErrorAux } from './icmp4.js';

const E_TRUNCATED = 0;
const E_VERSION = 1;
const E_PAYLOAD_LENGTH = 2;
const E_SOURCE = 3;
const E_LINK_LOCAL = 4;

/**
 * ip6-input: validates the fixed header, trims Ethernet padding, and keeps
 * link-local destinations on their link: one addressed to this IFL's
 * link-local address is the device's, any other is not routed.
 */
export class Ip6Input extends GraphNode {
  readonly name = 'ip6-input';
  readonly nextNames = ['ip6-lookup', 'ip6-local'];
  override readonly errorNames = ['ipv6_truncated', 'ipv6_bad_version', 'ipv6_bad_payload_length', 'ipv6_bad_source', 'ipv6_link_local_not_ours'];

  constructor(private readonly dev: DeviceRt) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const ifls = this.dev.ifs.ifls;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const avail = b.off[slot] + b.len[slot] - l3;
      if (avail < 40) { this.drop(b, slot, E_TRUNCATED); continue; }
      if (d[l3] >> 4 !== 6) { this.drop(b, slot, E_VERSION); continue; }
      const plen = (d[l3 + 4] << 8) | d[l3 + 5];
      if (40 + plen > avail || plen === 0) { this.drop(b, slot, E_PAYLOAD_LENGTH); continue; }
      if (d[l3 + 8] === 0xff) { this.drop(b, slot, E_SOURCE); continue; }
      b.len[slot] = l3 - b.off[slot] + 40 + plen;
      const dst0 = d[l3 + 24];
      if (dst0 === 0xff) { this.enqueue(1, slot); continue; }
      if (dst0 === 0xfe && (d[l3 + 25] & 0xc0) === 0x80) {
        const ll = ifls[b.rxIfl[slot]].linkLocal;
        let own = true;
        for (let k = 0; k < 16; k++) if (ll[k] !== d[l3 + 24 + k]) { own = false; break; }
        if (own) this.enqueue(1, slot);
        else this.drop(b, slot, E_LINK_LOCAL);
        continue;
      }
      this.enqueue(0, slot);
    }
  }
}

const NEXT_REWRITE = 0;
const NEXT_LOCAL = 1;
const NEXT_ND = 2;
const NEXT_ICMP_ERROR = 3;
const NEXT_TUNNEL = 4;

/** ip6-lookup: longest-prefix match and dispatch, hop limit checked and decremented for transit packets. */
export class Ip6Lookup extends GraphNode {
  readonly name = 'ip6-lookup';
  readonly nextNames: readonly string[];
  /** Next indexes of gre-encap and mpls-output (GRE and MPLS adjacencies; -1 on devices without them). */
  private readonly nextGre: number;
  private readonly nextMpls: number;
  override readonly errorNames = ['ip6_no_route', 'ip6_hop_limit_expired'];

  constructor(private readonly dev: DeviceRt) {
    super();
    this.nextNames = [
      'ip6-rewrite', 'ip6-local', 'ip6-nd', 'ip6-icmp-error', ...(dev.vpns.length ? ['st0-output'] : []),
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
      let ai = tables[b.table[slot]].lpm6!.lookup(d, l3 + 24);
      if (ai < 0) { this.toIcmp(b, slot, this.errorCodes[0], icmpErrorAux(1, 0, 0)); continue; }
      let a: Adjacency = adjs[ai];
      if (a.kind === ADJ_NEXT_TABLE) {
        b.table[slot] = a.table;
        ai = tables[a.table].lpm6!.lookup(d, l3 + 24);
        // One table hop only: a second next-table (a loop between tables) is no route, not a lost packet.
        if (ai < 0 || adjs[ai].kind === ADJ_NEXT_TABLE) { this.toIcmp(b, slot, this.errorCodes[0], icmpErrorAux(1, 0, 0)); continue; }
        a = adjs[ai];
      }
      if (a.kind === ADJ_MULTIPATH) {
        ai = a.members[flowHash6(d, l3) % a.members.length];
        a = adjs[ai];
      }
      const kind = a.kind;
      if (kind === ADJ_LOCAL) { this.enqueue(NEXT_LOCAL, slot); continue; }
      if (kind === ADJ_DROP) {
        b.error[slot] = a.reasonCode;
        const dn = this.g.dropNode;
        dn.frame[dn.count++] = slot;
        continue;
      }
      if (kind === ADJ_REJECT) { this.toIcmp(b, slot, a.reasonCode, icmpErrorAux(1, 1, 0)); continue; }
      if ((b.flags[slot] & F_LOCAL_ORIGIN) === 0) {
        const hl = d[l3 + 7];
        if (hl <= 1) { this.toIcmp(b, slot, this.errorCodes[1], icmpErrorAux(3, 0, 0)); continue; }
        d[l3 + 7] = hl - 1;
      }
      b.adj[slot] = ai;
      if (b.flags[slot] & 1) this.noteRoute(b, slot, a);
      if (kind === ADJ_REWRITE) this.enqueue(NEXT_REWRITE, slot);
      else if (kind === ADJ_INCOMPLETE || kind === ADJ_GLEAN) this.enqueue(NEXT_ND, slot);
      else if (kind === ADJ_TUNNEL) this.enqueue(NEXT_TUNNEL, slot);
      else if (kind === ADJ_GRE) this.enqueue(this.nextGre, slot);
      else if (kind === ADJ_MPLS) this.enqueue(this.nextMpls, slot);
    }
  }

  private toIcmp(b: Batch, slot: number, reason: number, aux: number): void {
    b.error[slot] = reason;
    b.aux[slot] = aux;
    this.enqueue(NEXT_ICMP_ERROR, slot);
  }

  private noteRoute(b: Batch, slot: number, a: Adjacency): void {
    const t = this.dev.tables[b.table[slot]];
    const dst = b.data.slice(b.l3[slot] + 24, b.l3[slot] + 40);
    const r = t.matched6(dst);
    const ifl = a.ifl >= 0 ? this.dev.ifs.ifls[a.ifl].name : '';
    const nb = a.neighbor >= 0 ? this.dev.nbrs.all[a.neighbor] : undefined;
    const via = nb ? `via ${nb.ipText()} ${ifl}` : a.kind === ADJ_GLEAN ? `via ${formatIpv6(dst, 0)} ${ifl} (connected)` : ifl;
    this.g.trace.note(b.traceId[slot], `${t.name} ${r ?? '?'} ${via}`.trim());
  }
}
