import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { equal16 } from '../device/interfaces.js';
import { hash16 } from '../l2/vtep.js';

/**
 * One MAC+IP binding of a bridge domain: what ARP/ND suppression answers
 * from, and what an EVPN type-2 MAC+IP route carries.
 */
export interface MacIpEntry {
  bd: number;
  family: 4 | 6;
  ip4: number;
  ip6: Uint8Array | null;
  mac: Uint8Array;
  /** Learned here (on a local IFL) or received from a remote VTEP. */
  local: boolean;
  /** IFL index (local) or VTEP index (remote). */
  port: number;
  /** What taught it: ARP or ND snooping, IP traffic the IRB saw (linux-frr), an EVPN route. */
  source: 'arp' | 'nd' | 'ip' | 'evpn';
  updatedSec: number;
}

/** Returned by learn(): nothing changed, a new binding, or one whose MAC or place changed. */
export const MACIP_SAME = 0;
export const MACIP_NEW = 1;
export const MACIP_CHANGED = 2;

/**
 * The MAC+IP table of a device's bridge domains (Junos `show mac-vrf
 * forwarding mac-ip-table`, Linux's neighbour table behind FRR's type-2
 * MAC+IP routes). Keys are numbers, so the IPv4 lookup a suppressed ARP
 * request makes builds nothing.
 */
export class MacIpTable {
  private readonly v4 = new Map<number, MacIpEntry>();
  private readonly v6 = new Map<number, MacIpEntry[]>();

  get size(): number {
    let n = this.v4.size;
    for (const l of this.v6.values()) n += l.length;
    return n;
  }

  find4(bd: number, ip: number): MacIpEntry | undefined {
    return this.v4.get(bd * 0x100000000 + (ip >>> 0));
  }

  find6(bd: number, d: Uint8Array, off: number): MacIpEntry | undefined {
    const list = this.v6.get(key6(bd, d, off));
    if (list) for (const e of list) if (equal16(e.ip6!, d, off)) return e;
    return undefined;
  }

  /** Learns or refreshes ip → mac at d[macOff, +6); a MACIP_* result. */
  learn4(bd: number, ip: number, d: Uint8Array, macOff: number, local: boolean, port: number, source: MacIpEntry['source'], now: number): number {
    const e = this.find4(bd, ip);
    if (e) return update(e, d, macOff, local, port, source, now);
    this.v4.set(bd * 0x100000000 + (ip >>> 0), { bd, family: 4, ip4: ip >>> 0, ip6: null, mac: d.slice(macOff, macOff + 6), local, port, source, updatedSec: now });
    return MACIP_NEW;
  }

  learn6(bd: number, d: Uint8Array, ipOff: number, mac: Uint8Array, macOff: number, local: boolean, port: number, source: MacIpEntry['source'], now: number): number {
    const e = this.find6(bd, d, ipOff);
    if (e) return update(e, mac, macOff, local, port, source, now);
    const k = key6(bd, d, ipOff);
    const list = this.v6.get(k) ?? [];
    list.push({ bd, family: 6, ip4: 0, ip6: d.slice(ipOff, ipOff + 16), mac: mac.slice(macOff, macOff + 6), local, port, source, updatedSec: now });
    this.v6.set(k, list);
    return MACIP_NEW;
  }

  /** Removes the bindings of a MAC at one place (a withdrawn EVPN route); not on the packet path. */
  removeMac(bd: number, mac: Uint8Array, local: boolean, port: number): void {
    const gone = (e: MacIpEntry): boolean => e.bd === bd && e.local === local && e.port === port && e.mac.every((x, i) => x === mac[i]);
    for (const [k, e] of this.v4) if (gone(e)) this.v4.delete(k);
    for (const [k, list] of this.v6) {
      const keep = list.filter((e) => !gone(e));
      if (keep.length === 0) this.v6.delete(k);
      else if (keep.length !== list.length) this.v6.set(k, keep);
    }
  }

  /** Every entry, by domain then address, for show commands and tests. */
  entries(): MacIpEntry[] {
    const all = [...this.v4.values(), ...[...this.v6.values()].flat()];
    return all.sort((a, b) => a.bd - b.bd || a.family - b.family || ipText(a).localeCompare(ipText(b), 'en', { numeric: true }));
  }
}

export function ipText(e: MacIpEntry): string {
  return e.family === 4 ? formatIpv4(e.ip4) : formatIpv6(e.ip6!);
}

export function macText(e: MacIpEntry): string {
  return formatMac(e.mac);
}

function update(e: MacIpEntry, d: Uint8Array, macOff: number, local: boolean, port: number, source: MacIpEntry['source'], now: number): number {
  e.updatedSec = now;
  const m = e.mac;
  if (m[0] === d[macOff] && m[1] === d[macOff + 1] && m[2] === d[macOff + 2] && m[3] === d[macOff + 3] && m[4] === d[macOff + 4] && m[5] === d[macOff + 5]
    && e.local === local && e.port === port) return MACIP_SAME;
  m.set(d.subarray(macOff, macOff + 6));
  e.local = local;
  e.port = port;
  e.source = source;
  return MACIP_CHANGED;
}

function key6(bd: number, d: Uint8Array, off: number): number {
  return bd * 0x100000000 + hash16(d, off);
}
