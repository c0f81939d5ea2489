import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import { equal16 } from '../device/interfaces.js';

/** A remote VXLAN tunnel endpoint: where a MAC of the bridge table lives when it is not on a local port. */
export interface Vtep {
  index: number;
  family: 4 | 6;
  /** IPv4 address (family 4). */
  ip4: number;
  /** IPv6 address (family 6), else null. */
  ip6: Uint8Array | null;
  text: string;
  /** How the device knows it: a static list, an EVPN route, or a VXLAN packet it took in. */
  origin: 'static' | 'evpn' | 'data';
}

/** The device's remote VTEPs by index (the MAC table's remote ports) and by address. */
export class VtepTable {
  readonly all: Vtep[] = [];
  private readonly by4 = new Map<number, number>();
  private readonly by6 = new Map<string, number>();

  /** The VTEP of an address text, added when new. */
  of(text: string, origin: Vtep['origin']): Vtep {
    if (text.includes(':')) {
      const ip6 = parseIpv6(text);
      const key = formatIpv6(ip6);
      const k = this.by6.get(key);
      if (k !== undefined) return this.all[k];
      return this.push({ index: this.all.length, family: 6, ip4: 0, ip6, text: key, origin }, () => {
        this.by6.set(key, this.all.length);
        const h = hash16(ip6, 0);
        (this.by6Hash.get(h) ?? this.by6Hash.set(h, []).get(h)!).push(this.all.length);
      });
    }
    return this.of4(parseIpv4(text), origin);
  }

  /** The VTEP of an IPv4 address, added when new (a VXLAN packet from an unknown VTEP). */
  of4(ip: number, origin: Vtep['origin']): Vtep {
    const k = this.by4.get(ip >>> 0);
    if (k !== undefined) return this.all[k];
    return this.push({ index: this.all.length, family: 4, ip4: ip >>> 0, ip6: null, text: formatIpv4(ip), origin }, () => this.by4.set(ip >>> 0, this.all.length));
  }

  /** Index of the IPv4 VTEP, or -1: one Map lookup, nothing made. */
  find4(ip: number): number {
    return this.by4.get(ip >>> 0) ?? -1;
  }

  /** Index of the IPv6 VTEP at d[off, off + 16), or -1: a numeric key, nothing made (a VXLAN packet over IPv6). */
  find6(d: Uint8Array, off: number): number {
    const list = this.by6Hash.get(hash16(d, off));
    if (list) for (const k of list) if (equal16(this.all[k].ip6!, d, off)) return k;
    return -1;
  }

  /** The VTEP of the IPv6 address at d[off, off + 16), added when new. */
  of6At(d: Uint8Array, off: number, origin: Vtep['origin']): Vtep {
    const k = this.find6(d, off);
    return k >= 0 ? this.all[k] : this.of(formatIpv6(d, off), origin);
  }

  /** IPv6 VTEP indexes by a hash of the address. */
  private readonly by6Hash = new Map<number, number[]>();

  private push(v: Vtep, index: () => void): Vtep {
    index();
    this.all.push(v);
    return v;
  }
}

/** FNV-1a of the 16 bytes of an IPv6 address: numeric map keys, so lookups build nothing. */
export function hash16(d: Uint8Array, off: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ d[off + i], 0x01000193);
  return h >>> 0;
}
