import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { ADJ_INCOMPLETE, type AdjacencyTable } from './adjacency.js';

/** A packet held while its next hop is resolved (L3 bytes only: the L2 header is written on release). */
export interface HeldPacket {
  bytes: Uint8Array;
  tsSec: number;
  tsNsec: number;
  flags: number;
  traceId: number;
  rxPort: number;
  rxIfl: number;
  table: number;
}

/** Packets held per unresolved neighbour (Linux's unres_qlen is of this order). */
export const HOLD_QUEUE_LIMIT = 64;
/** ARP requests / NS sent for one resolution attempt, one per second of input time. */
export const RESOLVE_TRIES = 3;
export const RESOLVE_INTERVAL_SEC = 1;

export type NeighborState = 'static' | 'reachable' | 'incomplete';

export class Neighbor {
  mac: Uint8Array | null = null;
  state: NeighborState = 'incomplete';
  held: HeldPacket[] = [];
  requests = 0;
  lastRequestSec = 0;
  firstHeldSec = 0;
  /** Adjacency that forwards to this neighbour (incomplete until resolved). */
  adj = -1;
  /** Adjacency that sends it labelled packets (ethertype 0x8847), when a static LSP uses it; -1: none. */
  mplsAdj = -1;
  /** Input time the entry was last confirmed. */
  updatedSec = 0;

  constructor(
    readonly index: number,
    readonly family: 4 | 6,
    readonly ifl: number,
    readonly ip4: number,
    readonly ip6: Uint8Array | null,
  ) {}

  ipText(): string {
    return this.family === 4 ? formatIpv4(this.ip4) : formatIpv6(this.ip6!, 0);
  }

  macText(): string {
    return this.mac ? formatMac(this.mac, 0) : '(incomplete)';
  }
}

/** Neighbour entries (ARP and ND caches) by IFL and address. Off the hot path: resolved traffic never looks here. */
export class NeighborTable {
  readonly all: Neighbor[] = [];
  private readonly v4 = new Map<number, Neighbor>();
  private readonly v6 = new Map<string, Neighbor>();

  find4(ifl: number, ip: number): Neighbor | undefined {
    return this.v4.get(ifl * 0x100000000 + ip);
  }

  find6(ifl: number, ip: Uint8Array, off = 0): Neighbor | undefined {
    return this.v6.get(key6(ifl, ip, off));
  }

  add4(ifl: number, ip: number): Neighbor {
    const n = new Neighbor(this.all.length, 4, ifl, ip >>> 0, null);
    this.all.push(n);
    this.v4.set(ifl * 0x100000000 + n.ip4, n);
    return n;
  }

  add6(ifl: number, ip: Uint8Array, off = 0): Neighbor {
    const n = new Neighbor(this.all.length, 6, ifl, 0, ip.slice(off, off + 16));
    this.all.push(n);
    this.v6.set(key6(ifl, ip, off), n);
    return n;
  }
}

function key6(ifl: number, ip: Uint8Array, off: number): string {
  let s = `${ifl}/`;
  for (let i = 0; i < 16; i++) s += ip[off + i].toString(16).padStart(2, '0');
  return s;
}

/**
 * A learned entry back to incomplete (aged out): its adjacencies (IP and
 * MPLS) stop rewriting, so the next packet to it is held and ARP / ND asks
 * again. Its host route stays, pointing at the now incomplete adjacency.
 */
export function forgetNeighbor(n: Neighbor, adjs: AdjacencyTable): void {
  n.mac = null;
  n.state = 'incomplete';
  n.requests = 0;
  for (const k of [n.adj, n.mplsAdj]) {
    if (k < 0) continue;
    adjs.all[k].kind = ADJ_INCOMPLETE;
    adjs.all[k].rewrite = new Uint8Array(0);
  }
}

/**
 * Ages the dynamic entries of one family: an entry not confirmed for
 * `timeoutSec` of input time is handed to `expire`. Run before each vector,
 * it costs one comparison until the earliest entry can be due; only then is
 * the table walked (once for every entry due by then), and the next due time
 * taken from what remains. Static entries never age.
 */
export class NeighborAging {
  /** Input time (s) before which nothing can be due; 0: walk at the first run. */
  private nextSec = 0;

  constructor(
    private readonly table: NeighborTable,
    private readonly family: 4 | 6,
    readonly timeoutSec: number,
    private readonly expire: (n: Neighbor) => void,
  ) {}

  /** Expires what is due at input time `nowSec`; returns how many. */
  run(nowSec: number): number {
    if (nowSec < this.nextSec) return 0;
    // An entry learned from now on is due no earlier than now + timeout.
    let next = nowSec + this.timeoutSec;
    let aged = 0;
    for (const n of this.table.all) {
      if (n.family !== this.family || n.state !== 'reachable') continue;
      const due = n.updatedSec + this.timeoutSec;
      if (due <= nowSec) {
        this.expire(n);
        aged++;
      } else if (due < next) next = due;
    }
    this.nextSec = next;
    return aged;
  }
}
