import { ConfigError, type BridgeDomain, type Device, type SourceLoc } from '../config/model.js';
import { equal16, type Interfaces } from '../device/interfaces.js';
import type { DeviceRt } from '../device/device.js';
import type { Neighbor } from '../l3/neighbor.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6, parseMac } from '../packet/addr.js';
import { UDP_PORT_VXLAN } from '../packet/vxlan.js';
import { MacIpTable } from '../evpn/mac-ip.js';
import type { ReceivedRoute } from '../evpn/fabric.js';
import { bridgingProfile, type BridgingProfile } from '../profiles/bridging.js';
import type { Behaviour } from '../profiles/switch.js';
import { MAC_REMOTE, MacTable } from './mac-table.js';
import { VtepTable } from './vtep.js';

/** Junos's and Linux's default MAC aging time, seconds. */
export const DEFAULT_MAC_AGING_SEC = 300;
/** The anycast gateway MACs of Junos EVPN (virtual-gateway-v4-mac / -v6-mac defaults: the VRRP MACs of group 1). */
export const DEFAULT_VGA_MAC4 = '00:00:5e:00:01:01';
export const DEFAULT_VGA_MAC6 = '00:00:5e:00:02:01';

/** A bridge domain at run time. */
export interface BridgeDomainRt {
  index: number;
  name: string;
  /** The mac-vrf / virtual-switch instance it belongs to. */
  instance: string;
  /** VXLAN network identifier, or -1 (a local-only domain). */
  vni: number;
  vlanId: number;
  /** Access IFLs, in configuration order (flooding order). */
  members: number[];
  /** The IRB unit (-1: none). */
  irb: number;
  /** Remote VTEPs BUM traffic is replicated to (static list or EVPN type 3), by VTEP index. */
  floodVteps: number[];
  /** Source MACs are learned (no `no-mac-learning`). */
  learning: boolean;
  /** Remote MACs are learned from VXLAN packets (flood-and-learn); with EVPN they come from type-2 routes only. */
  learnRemote: boolean;
  evpn: boolean;
  /** ARP/ND suppression applies (configured on, and the profile's conditions hold). */
  suppress: boolean;
  udpPort: number;
  /** The VTEP's own address (IPv4 as a number, -1 if none; IPv6 bytes or null) and the table routing VXLAN packets. */
  src4: number;
  src6: Uint8Array | null;
  underlay4: number;
  underlay6: number;
  loc?: SourceLoc;
}

/** An IRB's anycast gateway at run time. */
export interface GatewayRt {
  v4: number[];
  v6: Uint8Array[];
  mac4: Uint8Array;
  mac6: Uint8Array;
  acceptData: boolean;
}

/**
 * The bridging side of a device: its bridge domains, which IFLs are access
 * ports or IRBs of which domain, the MAC table, the MAC+IP table, the remote
 * VTEPs and the VXLAN UDP ports it takes in.
 */
export class Bridge {
  readonly domains: BridgeDomainRt[] = [];
  /** Domain of an access IFL, by IFL index (-1: not bridged). */
  readonly bdOfIfl: Int32Array;
  /** Domain of an IRB IFL, by IFL index (-1: not an IRB of a domain). */
  readonly bdOfIrb: Int32Array;
  /** Anycast gateway of an IRB IFL, by IFL index. */
  readonly gateways: (GatewayRt | null)[];
  readonly bdOfVni = new Map<number, number>();
  readonly macs: MacTable;
  readonly macIp = new MacIpTable();
  readonly vteps = new VtepTable();
  /** UDP destination ports VXLAN is taken in on. */
  readonly udpPorts: number[] = [];
  readonly profile: BridgingProfile;
  /** Aging times by domain, seconds (0: never): of local entries, and of remote ones (EVPN's never age: they are withdrawn). */
  readonly agingLocal: Float64Array;
  readonly agingRemote: Float64Array;
  /** EVPN routes received (from peers in the scenario, or given by it), in arrival order: `show` commands list them. */
  readonly received: ReceivedRoute[] = [];
  /** Set by the scenario's EVPN control plane: a local MAC or MAC+IP was learned or moved (advertised as a type-2 route). */
  advertise: ((bd: number, mac: Uint8Array, ip: string | null) => void) | null = null;

  constructor(model: Device, ifs: Interfaces, behaviour: Behaviour) {
    this.profile = bridgingProfile(behaviour);
    this.bdOfIfl = new Int32Array(ifs.ifls.length).fill(-1);
    this.bdOfIrb = new Int32Array(ifs.ifls.length).fill(-1);
    this.gateways = ifs.ifls.map((l) => gatewayOf(l.model.virtualGateway));
    this.macs = new MacTable(1024);
    const problems: { loc?: SourceLoc; message: string }[] = [];
    const agingLocal: number[] = [];
    const agingRemote: number[] = [];
    for (const inst of model.instances) {
      const l2 = inst.l2;
      if (!l2) continue;
      const srcIfl = l2.vtepSource ? ifs.ifl(l2.vtepSource) : -1;
      for (const bd of l2.bridgeDomains) {
        const rt = this.addDomain(inst.name, l2, bd, srcIfl, ifs, problems);
        const aging = bd.macTableAgingTime ?? l2.macTableAgingTime ?? DEFAULT_MAC_AGING_SEC;
        agingLocal.push(aging);
        agingRemote.push(rt.evpn ? 0 : aging);
        const size = bd.macTableSize ?? l2.macTableSize ?? 0;
        if (size) this.macs.setDomainLimit(rt.index, size);
        const perPort = bd.interfaceMacLimit ?? l2.interfaceMacLimit ?? 0;
        if (perPort) for (const m of rt.members) this.macs.setPortLimit(m, perPort);
      }
    }
    if (problems.length) throw new ConfigError(problems);
    this.agingLocal = Float64Array.from(agingLocal);
    this.agingRemote = Float64Array.from(agingRemote);
    for (const d of this.domains) {
      if (d.vni < 0 || d.src4 < 0) continue;
      if (!this.vtepSrc4.some((ip, i) => ip === d.src4 && this.vtepTable4[i] === d.underlay4)) {
        this.vtepSrc4.push(d.src4);
        this.vtepTable4.push(d.underlay4);
      }
    }
    // The IRB's own MAC and its anycast gateway MACs are the domain's, statically: frames to them are routed, never flooded.
    for (const d of this.domains) {
      if (d.irb < 0) continue;
      this.macs.addStatic(d.index, ifs.ifds[ifs.ifls[d.irb].ifd].mac, 0, d.irb);
      const gw = this.gateways[d.irb];
      if (gw?.v4.length) this.macs.addStatic(d.index, gw.mac4, 0, d.irb);
      if (gw?.v6.length) this.macs.addStatic(d.index, gw.mac6, 0, d.irb);
    }
  }

  private addDomain(instance: string, l2: NonNullable<Device['instances'][number]['l2']>, bd: BridgeDomain, srcIfl: number, ifs: Interfaces,
    problems: { loc?: SourceLoc; message: string }[]): BridgeDomainRt {
    const index = this.domains.length;
    const irb = bd.routingInterface ? ifs.ifl(bd.routingInterface) : -1;
    const src = srcIfl >= 0 ? ifs.ifls[srcIfl] : undefined;
    const evpn = l2.evpn && bd.staticRemoteVteps.length === 0;
    const gwAddress = irb >= 0 && (ifs.ifls[irb].v4.length > 0 || ifs.ifls[irb].v6.length > 0);
    const rt: BridgeDomainRt = {
      index,
      name: bd.name,
      instance,
      vni: bd.vni ?? -1,
      vlanId: bd.vlanId ?? 0,
      members: [],
      irb,
      floodVteps: [],
      learning: !bd.noMacLearning,
      learnRemote: !evpn,
      evpn,
      suppress: !bd.noArpSuppression && !l2.noArpSuppression && (gwAddress || !this.profile.suppressNeedsGateway),
      udpPort: bd.udpPort ?? UDP_PORT_VXLAN,
      src4: src?.v4.length ? (src.v4.find((a) => a.primary) ?? src.v4[0]).ip : -1,
      src6: src?.v6.length ? (src.v6.find((a) => a.primary) ?? src.v6[0]).ip : null,
      underlay4: src ? src.table4 : 0,
      underlay6: src ? src.table6 : 0,
      loc: bd.loc,
    };
    for (const name of bd.interfaces) {
      const i = ifs.ifl(name);
      if (i < 0) continue; // the config checks reported it
      this.bdOfIfl[i] = index;
      rt.members.push(i);
    }
    if (irb >= 0) this.bdOfIrb[irb] = index;
    if (rt.vni >= 0) {
      if (rt.src4 < 0 && rt.src6 === null) problems.push({ loc: bd.loc, message: `bridge domain ${bd.name}: VNI ${rt.vni} needs a vtep-source-interface with an address` });
      this.bdOfVni.set(rt.vni, index);
      if (!this.udpPorts.includes(rt.udpPort)) this.udpPorts.push(rt.udpPort);
      for (const a of bd.staticRemoteVteps) rt.floodVteps.push(this.vteps.of(a, 'static').index);
    }
    this.domains.push(rt);
    return rt;
  }

  /** A remote VTEP joins a domain's flooding list (a static entry, or an EVPN type-3 route). */
  addFloodVtep(bd: number, vtep: number): void {
    const list = this.domains[bd].floodVteps;
    if (!list.includes(vtep)) list.push(vtep);
  }

  /** An EVPN type-2 route: the MAC (and its IP) lives behind a remote VTEP. */
  addRemote(bd: number, vtep: number, mac: Uint8Array, ip: string | undefined, now: number): void {
    this.macs.learn(bd, mac, 0, MAC_REMOTE | vtep, now);
    if (ip === undefined) return;
    if (ip.includes(':')) this.macIp.learn6(bd, parseIpv6(ip), 0, mac, 0, false, vtep, 'evpn', now);
    else this.macIp.learn4(bd, parseIpv4(ip), mac, 0, false, vtep, 'evpn', now);
  }

  /** The anycast gateway MAC an IRB answers ARP with for `ip`, or null when `ip` is not one of its gateway addresses. */
  gatewayMac4(ifl: number, ip: number): Uint8Array | null {
    const gw = this.gateways[ifl];
    return gw !== null && gw.v4.includes(ip >>> 0) ? gw.mac4 : null;
  }

  /** As gatewayMac4, for an NS target at d[off, off + 16). */
  gatewayMac6(ifl: number, d: Uint8Array, off: number): Uint8Array | null {
    const gw = this.gateways[ifl];
    if (gw !== null) for (const a of gw.v6) if (equal16(a, d, off)) return gw.mac6;
    return null;
  }

  /**
   * An IRB's neighbour with a MAC+IP binding in its domain (snooped, learned
   * from the IRB's traffic, or an EVPN type-2 MAC+IP route) is resolved from
   * it, without ARP: Junos installs the ARP entries of EVPN MAC+IP routes on
   * the IRB (and its snooped bindings are its ARP entries), FRR's zebra
   * installs remote ones as neighbours of the SVI. A linux-frr binding learned
   * from the SVI's own traffic is not one: the kernel still resolves its
   * neighbour by ARP/ND.
   */
  resolveFromBinding4(dev: DeviceRt, nb: Neighbor, tsSec: number, tsNsec: number): void {
    const bd = this.bdOfIrb[nb.ifl];
    const e = bd >= 0 ? this.macIp.find4(bd, nb.ip4) : undefined;
    if (e && e.source !== 'ip') dev.resolve4(nb.ifl, nb.ip4, e.mac, tsSec, tsNsec);
  }

  resolveFromBinding6(dev: DeviceRt, nb: Neighbor, tsSec: number, tsNsec: number): void {
    const bd = this.bdOfIrb[nb.ifl];
    const e = bd >= 0 ? this.macIp.find6(bd, nb.ip6!, 0) : undefined;
    if (e && e.source !== 'ip') dev.resolve6(nb.ifl, nb.ip6!, e.mac, tsSec, tsNsec);
  }

  /** Whether `ip` is a VTEP source address of a domain whose underlay is `table` (VXLAN to it is ours). */
  isVtep4(ip: number, table: number): boolean {
    const a = this.vtepSrc4;
    for (let i = 0; i < a.length; i++) if (a[i] === ip && this.vtepTable4[i] === table) return true;
    return false;
  }

  /** The distinct (IPv4 VTEP source, underlay table) pairs of the domains with a VNI: one, mostly. */
  private readonly vtepSrc4: number[] = [];
  private readonly vtepTable4: number[] = [];

  /** Is VXLAN to this UDP port ours? */
  takesPort(port: number): boolean {
    const p = this.udpPorts;
    for (let i = 0; i < p.length; i++) if (p[i] === port) return true;
    return false;
  }

  /** Input time of the last aging call, seconds. */
  private agedAt = -Infinity;

  /**
   * Ages the MAC table a slice at a time (called once per input vector with
   * its time). A router's aging timer runs whether traffic comes or not: a
   * vector a second or more after the previous call sweeps the whole table,
   * so what expired in a quiet gap is gone before the vector is bridged (not
   * some vectors later, depending on where in the table its slot is).
   */
  age(nowSec: number): void {
    const quiet = nowSec - this.agedAt >= 1;
    this.agedAt = nowSec;
    if (this.macs.size > 0) this.macs.age(nowSec, this.agingLocal, quiet ? this.macs.capacity : AGE_SLOTS_PER_VECTOR, this.agingRemote, this.withdraw ? this.aged : null);
  }

  /** Set by the scenario's EVPN control plane: a local MAC of an EVPN domain aged out (its type-2 routes are withdrawn). */
  withdraw: ((bd: number, mac: Uint8Array) => void) | null = null;
  private readonly agedMac = new Uint8Array(6);
  private readonly aged = (domain: number, hi: number, lo: number, dest: number): void => {
    if (dest & MAC_REMOTE || !this.domains[domain].evpn) return;
    const m = this.agedMac;
    m[0] = hi >> 8; m[1] = hi & 0xff; m[2] = lo >>> 24; m[3] = (lo >> 16) & 0xff; m[4] = (lo >> 8) & 0xff; m[5] = lo & 0xff;
    this.withdraw!(domain, m);
  };

  /** A peer withdrew the type-2 routes of a MAC behind `vtep`: it and its bindings go (a MAC that moved elsewhere since stays). */
  removeRemote(bd: number, vtep: number, mac: Uint8Array): void {
    if (this.macs.lookup(bd, mac, 0) === (MAC_REMOTE | vtep)) this.macs.remove(bd, mac, 0);
    this.macIp.removeMac(bd, mac, false, vtep);
  }
}

/** MAC table slots looked at per input vector: a 1M-entry table is swept in ~5,000 vectors (or at once after a second without input). */
const AGE_SLOTS_PER_VECTOR = 256;

function gatewayOf(g: Device['ifds'][number]['units'][number]['virtualGateway']): GatewayRt | null {
  if (!g) return null;
  return {
    v4: g.v4.map(parseIpv4),
    v6: g.v6.map(parseIpv6),
    mac4: parseMac(g.v4Mac ?? DEFAULT_VGA_MAC4),
    mac6: parseMac(g.v6Mac ?? DEFAULT_VGA_MAC6),
    acceptData: g.acceptData,
  };
}

/** A domain's VTEP source address as text (what its EVPN routes carry as next hop). */
export function vtepAddress(d: BridgeDomainRt): string {
  return d.src4 >= 0 ? formatIpv4(d.src4) : d.src6 ? formatIpv6(d.src6) : '0.0.0.0';
}

/** Does the model configure any bridge domain? */
export function hasBridging(model: Device): boolean {
  return model.instances.some((i) => (i.l2?.bridgeDomains.length ?? 0) > 0);
}
