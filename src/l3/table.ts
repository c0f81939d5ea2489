import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import { Lpm4 } from './lpm4.js';
import { Lpm6 } from './lpm6.js';

/** Route preference per protocol, as Junos: lower wins. */
export const PREFERENCE = { Direct: 0, Local: 0, Static: 5 } as const;

/** A route in the RIB: what `show route` prints; the active one per prefix is programmed into the FIB. */
export interface Route {
  family: 4 | 6;
  /** Masked network: uint32 for IPv4, 16 bytes for IPv6. */
  net4: number;
  net6: Uint8Array | null;
  len: number;
  protocol: string;
  preference: number;
  adj: number;
  /** Next hops as `show route` prints them: "to 10.0.0.2 via et-0/0/0.0", "Discard". */
  via: string[];
}

export function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function maskBytes6(ip: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    out[i] = ip[i] & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** Parses "10.0.0.0/8" or "2001:db8::/32" (host bits cleared); throws on bad text. */
export function parsePrefix(text: string): { family: 4 | 6; net4: number; net6: Uint8Array | null; len: number } {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v6 = addr.includes(':');
  const max = v6 ? 128 : 32;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new Error(`bad prefix length in ${text}`);
  if (v6) return { family: 6, net4: 0, net6: maskBytes6(parseIpv6(addr), len), len };
  return { family: 4, net4: (parseIpv4(addr) & mask4(len)) >>> 0, net6: null, len };
}

export function formatPrefix(r: { family: 4 | 6; net4: number; net6: Uint8Array | null; len: number }): string {
  return `${r.family === 4 ? formatIpv4(r.net4) : formatIpv6(r.net6!, 0)}/${r.len}`;
}

/**
 * One routing table (inet.0, red.inet6.0): the RIB, every route per prefix,
 * and the FIB, the longest-prefix-match structure holding the active route's
 * adjacency. Neighbour host routes live in the FIB only, as VPP's adj-nbr
 * entries do, so resolved traffic needs a single lookup.
 */
export class RouteTable {
  readonly lpm4: Lpm4 | null;
  readonly lpm6: Lpm6 | null;
  private readonly rib = new Map<string, Route[]>();
  private readonly pref4 = new Map<number, number>();
  /**
   * Where BGP keeps this table's best paths (src/bgp/speaker.ts), which are
   * in the FIB but not in the route lists: the longest of their prefixes
   * holding an address (-1: none), for traces and `show route`.
   */
  bgpLongest4: ((addr: number) => number) | null = null;
  bgpLongest6: ((addr: Uint8Array) => number) | null = null;

  constructor(readonly index: number, readonly name: string, readonly family: 4 | 6, expectedRoutes = 0) {
    this.lpm4 = family === 4 ? new Lpm4({ expectedRoutes }) : null;
    this.lpm6 = family === 6 ? new Lpm6({ expectedRoutes }) : null;
  }

  add(route: Route): void {
    const key = formatPrefix(route);
    let list = this.rib.get(key);
    if (!list) this.rib.set(key, (list = []));
    list.push(route);
    // Stable: among equal preferences the first configured stays active.
    list.sort((a, b) => a.preference - b.preference);
    if (route.family === 4) this.pref4.set(route.net4 * 64 + route.len, list[0].preference);
    this.program(list[0]);
  }

  /** The active route's preference for an exact IPv4 prefix (-1: none): BGP's contest per changed prefix, no strings. */
  preference4(net: number, len: number): number {
    return this.pref4.get(net * 64 + len) ?? -1;
  }

  /** The active route for an exact prefix, if any. */
  active(family: 4 | 6, net4: number, net6: Uint8Array | null, len: number): Route | undefined {
    return this.rib.get(formatPrefix({ family, net4, net6, len }))?.[0];
  }

  /** The prefix the FIB matches for a traced packet: the longest of the route lists' and BGP's. */
  matched4(addr: number): string | undefined {
    const r = this.resolve4(addr);
    const b = this.bgpLongest4?.(addr) ?? -1;
    if (b > (r?.len ?? -1)) return `${formatIpv4((addr & mask4(b)) >>> 0)}/${b}`;
    return r ? formatPrefix(r) : undefined;
  }

  matched6(addr: Uint8Array): string | undefined {
    const r = this.resolve6(addr);
    const b = this.bgpLongest6?.(addr) ?? -1;
    if (b > (r?.len ?? -1)) return `${formatIpv6(maskBytes6(addr, b), 0)}/${b}`;
    return r ? formatPrefix(r) : undefined;
  }

  /** Longest-prefix match over the RIB's active routes (not host routes): for next-hop resolution. */
  resolve4(addr: number, exclude?: Route): Route | undefined {
    for (let len = 32; len >= 0; len--) {
      const r = this.active(4, (addr & mask4(len)) >>> 0, null, len);
      if (r && r !== exclude) return r;
    }
    return undefined;
  }

  resolve6(addr: Uint8Array, exclude?: Route): Route | undefined {
    for (let len = 128; len >= 0; len--) {
      const r = this.active(6, 0, maskBytes6(addr, len), len);
      if (r && r !== exclude) return r;
    }
    return undefined;
  }

  /** Installs a neighbour's host route unless the RIB has a route for that exact prefix. */
  addHost4(ip: number, adj: number): void {
    if (this.rib.has(`${formatIpv4(ip)}/32`)) return;
    this.lpm4!.insert(ip >>> 0, 32, adj);
  }

  addHost6(ip: Uint8Array, adj: number): void {
    if (this.rib.has(`${formatIpv6(ip, 0)}/128`)) return;
    this.lpm6!.insert(ip, 128, adj);
  }

  /** Routes in prefix order, each prefix's routes active first. */
  routes(): Route[][] {
    const lists = [...this.rib.values()];
    lists.sort((a, b) => comparePrefix(a[0], b[0]));
    return lists;
  }

  private program(r: Route): void {
    if (r.family === 4) this.lpm4!.insert(r.net4, r.len, r.adj);
    else this.lpm6!.insert(r.net6!, r.len, r.adj);
  }
}

function comparePrefix(a: Route, b: Route): number {
  if (a.family === 4) return a.net4 - b.net4 || a.len - b.len;
  for (let i = 0; i < 16; i++) if (a.net6![i] !== b.net6![i]) return a.net6![i] - b.net6![i];
  return a.len - b.len;
}
