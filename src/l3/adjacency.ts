// Adjacencies: what a FIB entry resolves to (VPP's adjacency/DPO). A FIB leaf
// holds an adjacency index; the lookup node dispatches on its kind.

export const ADJ_DROP = 0; // discard route, or an address nobody may route to
export const ADJ_LOCAL = 1; // one of the device's own addresses
export const ADJ_REWRITE = 2; // a resolved neighbour: prepend the L2 header and send
export const ADJ_INCOMPLETE = 3; // a neighbour not yet resolved: hold the packet, ask ARP/ND
export const ADJ_GLEAN = 4; // a connected subnet: the destination itself is the neighbour
export const ADJ_REJECT = 5; // reject route: drop and send ICMP unreachable
export const ADJ_MULTIPATH = 6; // ECMP: one of `members`, by flow hash
export const ADJ_NEXT_TABLE = 7; // look up again in `table`
export const ADJ_TUNNEL = 8; // an st0 IFL bound by a route-based IPsec VPN: to st0-output, VPN `vpn`
export const ADJ_GRE = 9; // a gr- IFL: to gre-encap, GRE tunnel `tunnel`
export const ADJ_MPLS = 10; // an ingress static LSP: to mpls-output, push `label`, then adjacency `via`

export const ADJ_KIND_NAMES = ['drop', 'local', 'rewrite', 'incomplete', 'glean', 'reject', 'multipath', 'next-table', 'tunnel', 'gre', 'mpls'];

export class Adjacency {
  kind: number;
  /** Egress IFL (rewrite, incomplete, glean), or -1. */
  ifl = -1;
  /** Neighbour index (rewrite, incomplete), or -1. */
  neighbor = -1;
  /** L2 header put in front of the L3 packet (rewrite): destination MAC, source MAC, tags, ethertype. */
  rewrite: Uint8Array = new Uint8Array(0);
  /** ECMP members (multipath). */
  members: Int32Array = new Int32Array(0);
  /** Table to look up again in (next-table). */
  table = -1;
  /** VPN index in the device (tunnel). */
  vpn = -1;
  /** GRE tunnel index in the device (gre). */
  tunnel = -1;
  /** Label pushed (mpls), and the adjacency the labelled packet leaves by: a neighbour's MPLS adjacency or a gre one. */
  label = -1;
  via = -1;
  /** Drop reason name (drop, reject) and its code in the device's graph, set when the graph is wired. */
  reason = '';
  reasonCode = 0;

  constructor(readonly index: number, kind: number, readonly family: 4 | 6) {
    this.kind = kind;
  }
}

export class AdjacencyTable {
  readonly all: Adjacency[] = [];

  add(kind: number, family: 4 | 6): Adjacency {
    const a = new Adjacency(this.all.length, kind, family);
    this.all.push(a);
    return a;
  }
}
