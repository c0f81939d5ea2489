import type { Device, Ifd, Ifl } from '../config/model.js';
import { parseIpv4, parseIpv6, parseMac } from '../packet/addr.js';
import { derivedMac } from './mac.js';

/** Default media MTU (frame length without FCS) of an Ethernet IFD, as Junos. */
export const DEFAULT_MEDIA_MTU = 1514;
/** Default MTU of a logical tunnel or service IFD (st0, si-, gr-, lo0): Junos shows `Protocol inet, MTU: 9192` on st0 units. */
export const DEFAULT_TUNNEL_MTU = 9192;
const ETH_HEADER = 14;
const VLAN_TAG = 4;

export interface Ipv4Address {
  ip: number;
  len: number;
  primary: boolean;
}
export interface Ipv6Address {
  ip: Uint8Array;
  len: number;
  primary: boolean;
}

/**
 * IFDs that carry no Ethernet frames of their own: loopback, secure tunnel,
 * service, GRE/IP-IP tunnel, logical tunnel interfaces.
 */
const NOT_ETHERNET = /^(lo\d|st\d|si-|gr-|ip-|lt-|ms-|sp-|vt-|pp\d|dsc|fti\d)/;

/** A port: one IFD, where frames are taken in and sent out. */
export interface IfdRt {
  index: number;
  name: string;
  /** An Ethernet port (et-, xe-, ge-, ae, eth...), as opposed to lo0, st0, si- and other logical IFDs. */
  ethernet: boolean;
  mac: Uint8Array;
  /** Largest frame taken in or sent, Ethernet header included. */
  mtu: number;
  disabled: boolean;
  /** The link is up (the timeline's link-down / link-up events; up at start). */
  linkUp: boolean;
  /** Error-disabled by flap dampening until `dampenedUntil` (input time, seconds). */
  dampened: boolean;
  /** Why the port takes in and sends nothing: PORT_UP (0), or one of PORT_DOWN_REASONS' index. Kept by setPortState. */
  down: number;
  /** Some of its units are bridged: frames to any MAC are taken in (the destination check is the routed units'). */
  bridged: boolean;
  /** IFL for untagged frames, or -1. */
  untagged: number;
  /** IFL by outer VLAN id (-1: none). */
  byVlan: Int32Array;
  /** IFL by (outer << 12 | inner) for QinQ units. */
  byVlanPair: Map<number, number>;
  ifls: number[];
  model: Ifd;
}

/** A logical interface at run time. */
export interface IflRt {
  index: number;
  name: string;
  ifd: number;
  vlanId: number; // 0: untagged
  vlanInner: number; // 0: single tag or none
  /** Bytes of the L2 header this IFL puts in front of L3: 14, 18 or 22. */
  l2Len: number;
  inet: boolean;
  inet6: boolean;
  /** Largest IPv4/IPv6 packet this IFL sends. */
  mtu4: number;
  mtu6: number;
  table4: number;
  table6: number;
  v4: Ipv4Address[];
  v6: Ipv6Address[];
  /** fe80::/64 address from the MAC (EUI-64), as Junos assigns it with family inet6. */
  linkLocal: Uint8Array;
  model: Ifl;
}

const NO_V4 = Object.freeze([]) as unknown as Ipv4Address[];
const NO_V6 = Object.freeze([]) as unknown as Ipv6Address[];

/** fe80::/64 with the EUI-64 interface ID of `mac` (RFC 4291 appendix A). */
function linkLocalOf(mac: Uint8Array): Uint8Array {
  const ll = new Uint8Array(16);
  ll[0] = 0xfe;
  ll[1] = 0x80;
  ll[8] = mac[0] ^ 0x02;
  ll[9] = mac[1];
  ll[10] = mac[2];
  ll[11] = 0xff;
  ll[12] = 0xfe;
  ll[13] = mac[3];
  ll[14] = mac[4];
  ll[15] = mac[5];
  return ll;
}

export const PORT_UP = 0;
/** Why a port is down, by IfdRt.down - 1: the drop reason of what it takes in or is given to send. */
export const PORT_DOWN_REASONS = ['interface_disabled', 'link_down', 'port_dampened'] as const;

/** Recomputes a port's `down` from its admin, link and dampening state. */
export function setPortState(ifd: IfdRt): void {
  ifd.down = ifd.disabled ? 1 : !ifd.linkUp ? 2 : ifd.dampened ? 3 : PORT_UP;
}

export class Interfaces {
  readonly ifds: IfdRt[] = [];
  readonly ifls: IflRt[] = [];
  private readonly iflByName = new Map<string, number>();
  private readonly ifdByName = new Map<string, number>();
  // Per-IFL counters, the hot path's view.
  rxPackets = new Float64Array(0);
  rxBytes = new Float64Array(0);
  txPackets = new Float64Array(0);
  txBytes = new Float64Array(0);

  constructor(device: Device) {
    for (const ifd of device.ifds) {
      const ethernet = !NOT_ETHERNET.test(ifd.name);
      const rt: IfdRt = {
        index: this.ifds.length,
        name: ifd.name,
        ethernet,
        mac: ifd.mac ? parseMac(ifd.mac) : derivedMac(device.name, ifd.name),
        mtu: ifd.mtu ?? (ethernet ? DEFAULT_MEDIA_MTU : DEFAULT_TUNNEL_MTU),
        disabled: ifd.disabled,
        linkUp: true,
        dampened: false,
        down: ifd.disabled ? 1 : 0,
        bridged: ifd.units.some((u) => u.bridged),
        untagged: -1,
        byVlan: new Int32Array(4096).fill(-1),
        byVlanPair: new Map(),
        ifls: [],
        model: ifd,
      };
      this.ifds.push(rt);
      this.ifdByName.set(ifd.name, rt.index);
      const ll = linkLocalOf(rt.mac);
      for (const unit of ifd.units) this.addIfl(rt, unit, ll);
    }
    const n = this.ifls.length;
    this.rxPackets = new Float64Array(n);
    this.rxBytes = new Float64Array(n);
    this.txPackets = new Float64Array(n);
    this.txBytes = new Float64Array(n);
  }

  /** `ll`: the IFD's link-local address, which all its units share (read only). */
  private addIfl(ifd: IfdRt, u: Ifl, ll: Uint8Array): void {
    const vlanId = u.vlanId ?? 0;
    const vlanInner = u.vlanIdInner ?? 0;
    // Tunnel and service IFDs have no link header: their MTU is the family MTU.
    const l2Len = ifd.ethernet ? ETH_HEADER + (vlanId ? VLAN_TAG : 0) + (vlanInner ? VLAN_TAG : 0) : 0;
    const l3Max = ifd.mtu - l2Len;
    const rt: IflRt = {
      index: this.ifls.length,
      name: u.name,
      ifd: ifd.index,
      vlanId,
      vlanInner,
      l2Len,
      inet: !!u.inet,
      inet6: !!u.inet6,
      mtu4: Math.min(u.inet?.mtu ?? l3Max, l3Max),
      mtu6: Math.min(u.inet6?.mtu ?? l3Max, l3Max),
      table4: 0,
      table6: 0,
      // Units without addresses (thousands of st0 units) share one empty list.
      v4: u.inet?.addresses.length ? u.inet.addresses.map((a) => ({ ip: parseIpv4(a.address), len: a.prefixLength, primary: a.primary })) : NO_V4,
      v6: u.inet6?.addresses.length ? u.inet6.addresses.map((a) => ({ ip: parseIpv6(a.address), len: a.prefixLength, primary: a.primary })) : NO_V6,
      linkLocal: ll,
      model: u,
    };
    this.ifls.push(rt);
    this.iflByName.set(u.name, rt.index);
    ifd.ifls.push(rt.index);
    if (vlanInner) ifd.byVlanPair.set((vlanId << 12) | vlanInner, rt.index);
    else if (vlanId) ifd.byVlan[vlanId] = rt.index;
    else if (ifd.untagged < 0) ifd.untagged = rt.index;
  }

  ifl(name: string): number {
    return this.iflByName.get(name) ?? -1;
  }

  ifd(name: string): number {
    return this.ifdByName.get(name) ?? -1;
  }

  /** The IPv4 source address a device uses on an IFL for a destination: the address whose subnet holds it, else the primary. */
  sourceFor4(ifl: number, dst: number): number {
    const addrs = this.ifls[ifl].v4;
    for (const a of addrs) if (a.len === 0 || ((a.ip ^ dst) >>> (32 - a.len)) === 0) return a.ip;
    return addrs.length ? (addrs.find((a) => a.primary) ?? addrs[0]).ip : -1;
  }

  /** Whether an IPv4 address is one of the IFL's own. */
  isOwn4(ifl: number, ip: number): boolean {
    for (const a of this.ifls[ifl].v4) if (a.ip === ip) return true;
    return false;
  }

  /** The IPv6 source for a destination on an IFL: a global address whose prefix holds it, else the first global, else the link-local. */
  sourceFor6(ifl: number, dst: Uint8Array, dstOff = 0): Uint8Array {
    const rt = this.ifls[ifl];
    const linkLocalDst = dst[dstOff] === 0xfe && (dst[dstOff + 1] & 0xc0) === 0x80;
    if (!linkLocalDst) {
      for (const a of rt.v6) if (samePrefix6(a.ip, dst, dstOff, a.len)) return a.ip;
      if (rt.v6.length) return (rt.v6.find((a) => a.primary) ?? rt.v6[0]).ip;
    }
    return rt.linkLocal;
  }

  /** Whether an IPv6 address (at `off` in `buf`) is one of the IFL's own, link-local included. */
  isOwn6(ifl: number, buf: Uint8Array, off: number): boolean {
    const rt = this.ifls[ifl];
    if (equal16(rt.linkLocal, buf, off)) return true;
    for (const a of rt.v6) if (equal16(a.ip, buf, off)) return true;
    return false;
  }
}

export function equal16(a: Uint8Array, buf: Uint8Array, off: number): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== buf[off + i]) return false;
  return true;
}

export function samePrefix6(a: Uint8Array, buf: Uint8Array, off: number, len: number): boolean {
  let i = 0;
  for (; i < len >> 3; i++) if (a[i] !== buf[off + i]) return false;
  const rem = len & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (a[i] & m) === (buf[off + i] & m);
}
