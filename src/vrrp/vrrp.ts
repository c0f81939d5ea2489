// VRRP at run time: each group instance's state (Initialize, Backup, Master),
// the election across the scenario's devices with RFC 3768 / RFC 5798 timing,
// and the dataplane's view (which virtual MACs and addresses this device
// answers for now). The protocol is not run from received packets: the
// instances of a group are joined over the scenario (connectVrrp), and what
// each would hear is delivered in input-time order, as EVPN routes are (see
// evpn/fabric.ts). The advertisements, gratuitous ARPs and NAs are still
// real packets on the wire, and the peer takes them in and counts them.

import type { DeviceRt } from '../device/device.js';
import type { VrrpGroup } from '../config/model.js';
import { VRRP_INTERVAL_DEFAULT_MS, VRRP_OWNER_PRIORITY, VRRP_PRIORITY_DEFAULT, isOwner } from '../config/vrrp-config.js';
import { ADJ_DROP, ADJ_GLEAN, ADJ_LOCAL, type Adjacency } from '../l3/adjacency.js';
import { PREFERENCE } from '../l3/table.js';
import { PORT_UP } from '../device/interfaces.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import type { Batch } from '../packet/batch.js';
import {
  ADVERT_ERRORS, ADVERT_OK, ADVERT_UNKNOWN_GROUP, checkAdvert, virtualLinkLocal, virtualMac,
  writeAdvert4, writeAdvert6, writeGratuitousArp, writeUnsolicitedNa, type AdvertFields,
} from './advert.js';

export const VRRP_INIT = 0;
export const VRRP_BACKUP = 1;
export const VRRP_MASTER = 2;
/** As Junos's `show vrrp` names the states. */
export const VRRP_STATE_NAMES = ['init', 'backup', 'master'] as const;
/** Drop reason of packets to a virtual address on a master without accept-data (not the owner). */
export const VRRP_NO_ACCEPT_DATA = 'vrrp_no_accept_data';

const NS_PER_SEC = 1e9;

export interface VrrpCounters {
  /** Advertisements sent as master. */
  advertisementsSent: number;
  /** Valid advertisements of the group taken in (from the peers, over the wire). */
  advertisementsReceived: number;
  /** Gratuitous ARPs / unsolicited NAs sent on becoming master. */
  gratuitousSent: number;
  /** State changes after the start (Backup → Master, Master → Backup, → Initialize on link down, ...). */
  transitions: number;
  becameMaster: number;
  /** ARP requests / neighbour solicitations for a virtual address not answered: this instance is not master. */
  arpIgnored: number;
  ndIgnored: number;
}

/** One group on one device's IFL. */
export class VrrpInstance {
  readonly family: 4 | 6;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly vmac: Uint8Array;
  readonly vip4: number[] = [];
  /** IPv6: the virtual link-local address first (RFC 5798 5.2.9), then the global ones. */
  readonly vip6: Uint8Array[] = [];
  readonly owner: boolean;
  /** 255 for the address owner, else the configured priority (default 100). */
  readonly priority: number;
  readonly preempt: boolean;
  readonly acceptData: boolean;
  /** Configured advertisement interval (VRRPv3: in whole centiseconds, as the packet carries it). */
  readonly intervalNs: number;
  /** Source of the advertisements: the interface address the group is under (IPv4), the IFL's link-local (IPv6). */
  readonly src4: number;
  readonly src6: Uint8Array;
  /** Orders equal priorities: the higher primary address wins (RFC 3768 6.4.3). */
  readonly tieKey: string;
  readonly ifd: number;
  state = VRRP_INIT;
  /** Input time (ns since the domain's start) of the next advertisement (master) or of Master_Down (backup). */
  nextAdvertAt = Infinity;
  masterDownAt = Infinity;
  /** VRRPv3's Master_Adver_Interval, learned from the master's advertisements. */
  masterAdverNs: number;
  /** The master's address as its advertisements give it (show vrrp's `mas`), '' when none heard. */
  masterAddress = '';
  /** The group across the scenario (set by VrrpDomain). */
  group: VrrpGroupRt | null = null;
  /** Time of the last state change (ns since the domain's start), for show vrrp. */
  changedAt = 0;
  readonly counters: VrrpCounters = {
    advertisementsSent: 0, advertisementsReceived: 0, gratuitousSent: 0, transitions: 0, becameMaster: 0, arpIgnored: 0, ndIgnored: 0,
  };
  /** The host routes of the virtual addresses (not the owner's own address): local, drop or glean as the state says. */
  readonly adjs: Adjacency[] = [];
  private ident = 0;

  constructor(readonly dev: DeviceRt, readonly ifl: number, readonly model: VrrpGroup) {
    this.family = model.family === 'inet' ? 4 : 6;
    this.vrid = model.group;
    this.version = this.family === 6 || dev.model.vrrpVersion3 ? 3 : 2;
    this.vmac = virtualMac(this.family, this.vrid);
    this.owner = isOwner(model);
    this.priority = this.owner ? VRRP_OWNER_PRIORITY : (model.priority ?? VRRP_PRIORITY_DEFAULT);
    this.preempt = model.preempt;
    this.acceptData = model.acceptData || this.owner;
    const ms = model.advertiseIntervalMs ?? VRRP_INTERVAL_DEFAULT_MS;
    this.intervalNs = this.version === 3 ? Math.max(1, Math.round(ms / 10)) * 10_000_000 : Math.max(1, Math.round(ms / 1000)) * NS_PER_SEC;
    this.masterAdverNs = this.intervalNs;
    const rt = dev.ifs.ifls[ifl];
    this.ifd = rt.ifd;
    this.src6 = rt.linkLocal;
    if (this.family === 4) {
      this.src4 = parseIpv4(model.address);
      for (const v of model.virtualAddresses) this.vip4.push(parseIpv4(v));
      this.tieKey = this.src4.toString(16).padStart(8, '0');
    } else {
      this.src4 = 0;
      this.vip6.push(model.virtualLinkLocal ? parseIpv6(model.virtualLinkLocal) : virtualLinkLocal(this.vrid));
      for (const v of model.virtualAddresses) this.vip6.push(parseIpv6(v));
      this.tieKey = Array.from(rt.linkLocal, (x) => x.toString(16).padStart(2, '0')).join('');
    }
  }

  get name(): string {
    return this.dev.ifs.ifls[this.ifl].name;
  }

  /** The group's identity across devices: family, VRID and the first virtual address. */
  get key(): string {
    return `${this.family}/${this.vrid}/${this.family === 4 ? formatIpv4(this.vip4[0]) : formatIpv6(this.vip6[1] ?? this.vip6[0])}`;
  }

  get linkUp(): boolean {
    return this.dev.ifs.ifds[this.ifd].down === PORT_UP;
  }

  /** Skew_Time (RFC 3768 6.1: (256 − Priority)/256 s; RFC 5798 6.1: ((256 − Priority) × Master_Adver_Interval)/256). */
  skewNs(): number {
    return Math.round(((256 - this.priority) * (this.version === 3 ? this.masterAdverNs : NS_PER_SEC)) / 256);
  }

  /** Master_Down_Interval: 3 × the (master's) advertisement interval + Skew_Time. */
  masterDownNs(): number {
    return 3 * (this.version === 3 ? this.masterAdverNs : this.intervalNs) + this.skewNs();
  }

  primaryText(): string {
    return this.family === 4 ? formatIpv4(this.src4) : formatIpv6(this.src6);
  }

  /** The advertisement this instance sends as master. */
  advertFields(): AdvertFields {
    return {
      version: this.version,
      vrid: this.vrid,
      priority: this.priority,
      interval: this.version === 3 ? Math.round(this.intervalNs / 10_000_000) : Math.round(this.intervalNs / NS_PER_SEC),
      addrs4: this.vip4,
      addrs6: this.vip6,
    };
  }

  /** Points the virtual addresses' routes at what the state makes of them. */
  applyState(): void {
    for (const a of this.adjs) {
      if (this.state === VRRP_MASTER) a.kind = this.acceptData ? ADJ_LOCAL : ADJ_DROP;
      else a.kind = ADJ_GLEAN; // not ours: on the link, ARP/ND finds the master
    }
  }

  nextIdent(): number {
    this.ident = (this.ident + 1) & 0xffff;
    return this.ident;
  }
}

/** A group as the scenario has it: its instances on every device, in device then configuration order. */
export interface VrrpGroupRt {
  key: string;
  members: VrrpInstance[];
}

/**
 * The VRRP of a device: its instances, by IFL, and what the dataplane asks
 * (virtual MACs and addresses answered now). `domain` runs the election.
 */
export class VrrpRt {
  readonly instances: VrrpInstance[] = [];
  /** Instances by IFL index (null: none), for the nodes' per-packet questions. */
  readonly byIfl: (VrrpInstance[] | null)[];
  domain: VrrpDomain;
  /** Drop reason codes of ADVERT_ERRORS in the device's graph (set by init). */
  private advertCodes: number[] = [];

  constructor(readonly dev: DeviceRt) {
    this.byIfl = dev.ifs.ifls.map(() => null);
    for (const ifl of dev.ifs.ifls) {
      for (const g of ifl.model.vrrp ?? []) {
        const inst = new VrrpInstance(dev, ifl.index, g);
        this.instances.push(inst);
        (this.byIfl[ifl.index] ??= []).push(inst);
        this.addRoutes(inst);
      }
    }
    this.domain = new VrrpDomain([this]);
    dev.timers.push((sec, nsec) => this.domain.advance(sec, nsec));
    dev.linkListeners.push((ifd, up, sec, nsec) => this.domain.linkChanged(this, ifd, up, sec, nsec));
  }

  /** Host routes for the virtual addresses that are not the device's own (those have their Local route). */
  private addRoutes(inst: VrrpInstance): void {
    const rt = this.dev.ifs.ifls[inst.ifl];
    const via = [`VRRP group ${inst.vrid} on ${rt.name}`];
    const add = (family: 4 | 6): Adjacency => {
      const a = this.dev.adjs.add(ADJ_GLEAN, family);
      a.ifl = inst.ifl;
      a.reason = VRRP_NO_ACCEPT_DATA; // used while master without accept-data (kind drop)
      inst.adjs.push(a);
      return a;
    };
    const t4 = this.dev.tables[rt.table4];
    const t6 = this.dev.tables[rt.table6];
    for (const v of inst.vip4) {
      if (this.dev.ifs.isOwn4(inst.ifl, v)) continue;
      t4.add({ family: 4, net4: v >>> 0, net6: null, len: 32, protocol: 'Local', preference: PREFERENCE.Local, adj: add(4).index, via });
    }
    for (const v of inst.vip6) {
      if (this.dev.ifs.isOwn6(inst.ifl, v, 0)) continue;
      t6.add({ family: 6, net4: 0, net6: v, len: 128, protocol: 'Local', preference: PREFERENCE.Local, adj: add(6).index, via });
    }
  }

  /** Called once the graph is wired: the drop reasons of received advertisements. */
  init(reason: (name: string) => number): void {
    this.advertCodes = ADVERT_ERRORS.map((e) => (e ? reason(e) : 0));
  }

  /**
   * ARP (arp-input): the virtual MAC when `ip` is a virtual address of a group
   * this device is master of on `ifl`; null otherwise — a request for one it
   * is backup for is counted (`countIgnored`) and left unanswered.
   */
  mac4(ifl: number, ip: number, countIgnored: boolean): Uint8Array | null {
    const list = this.byIfl[ifl];
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) {
      const inst = list[i];
      if (inst.family !== 4 || !inst.vip4.includes(ip)) continue;
      if (inst.state === VRRP_MASTER) return inst.vmac;
      if (countIgnored) inst.counters.arpIgnored++;
    }
    return null;
  }

  /** As mac4, for a neighbour solicitation's target at d[off, off + 16). */
  mac6(ifl: number, d: Uint8Array, off: number): Uint8Array | null {
    const list = this.byIfl[ifl];
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) {
      const inst = list[i];
      if (inst.family !== 6) continue;
      for (const v of inst.vip6) {
        let k = 0;
        while (k < 16 && v[k] === d[off + k]) k++;
        if (k < 16) continue;
        if (inst.state === VRRP_MASTER) return inst.vmac;
        inst.counters.ndIgnored++;
        return null;
      }
    }
    return null;
  }

  /**
   * ethernet-input: a unicast frame to 00:00:5e:00:01/02:XX on `ifl`: 1 when
   * this device is master of that group there (the frame is taken in), 0 when
   * it is configured but not master, -1 when no group of the IFL has that MAC.
   */
  virtualMacState(ifl: number, d: Uint8Array, off: number): number {
    const list = this.byIfl[ifl];
    if (list === null) return -1;
    for (let i = 0; i < list.length; i++) {
      const m = list[i].vmac;
      if (d[off + 4] === m[4] && d[off + 5] === m[5]) return list[i].state === VRRP_MASTER ? 1 : 0;
    }
    return -1;
  }

  /**
   * ip4-local / ip6-local: an advertisement (IP protocol 112) taken in on
   * `b.rxIfl`. Returns 0 when valid (counted on its group's instance: the
   * caller consumes it) or the drop reason's code (RFC 3768 7.1 / 5798 7.1).
   */
  advertIn(b: Batch, slot: number, family: 4 | 6): number {
    const d = b.data;
    const l3 = b.l3[slot];
    const code = checkAdvert(d, l3, b.off[slot] + b.len[slot], family);
    if (code !== ADVERT_OK) return this.advertCodes[code];
    const vrid = d[l3 + (family === 4 ? (d[l3] & 15) << 2 : 40) + 1];
    const list = this.byIfl[b.rxIfl[slot]];
    if (list !== null) {
      for (let i = 0; i < list.length; i++) {
        if (list[i].family === family && list[i].vrid === vrid) {
          list[i].counters.advertisementsReceived++;
          return 0;
        }
      }
    }
    return this.advertCodes[ADVERT_UNKNOWN_GROUP];
  }
}

/** Whether the 6 bytes at d[off] are a VRRP virtual MAC (00:00:5e:00:01:XX or 00:00:5e:00:02:XX). */
export function isVirtualMac(d: Uint8Array, off: number): boolean {
  return d[off] === 0 && d[off + 1] === 0 && d[off + 2] === 0x5e && d[off + 3] === 0 && (d[off + 4] === 1 || d[off + 4] === 2);
}

/**
 * The election over a set of devices. Instances of one group (same family,
 * VRID and first virtual address) on different devices are on one LAN: what
 * the master advertises, the others hear at once while their interfaces are
 * up. Time is input time: `advance` runs every timer due up to now, in time
 * order, whichever device's timer calls it first.
 *
 * - At the first input frame the groups have converged: in each, the best
 *   instance whose port is up (highest priority, then highest primary
 *   address) is master and advertises at once; the others are backups.
 * - A master's port going down takes it to Initialize; it sends nothing more.
 *   The backups' Master_Down_Timer (3 × interval + skew) runs out, the
 *   highest priority first (its skew is the shortest): it becomes master,
 *   advertises, sends gratuitous ARP / unsolicited NA, and the others hear
 *   it and stay backups. In between, nobody answers for the virtual address.
 * - A port coming up: the owner (priority 255) becomes master at once; any
 *   other instance becomes backup and, with preempt, ignores advertisements
 *   of lower priority, so it takes over when its own Master_Down_Timer runs
 *   out (RFC 3768 6.4.2); the old master hears it and becomes backup.
 */
export class VrrpDomain {
  readonly groups: VrrpGroupRt[] = [];
  private readonly all: VrrpInstance[] = [];
  private baseSec = -1;
  private baseNsec = 0;
  private now = 0;

  constructor(readonly devices: VrrpRt[]) {
    const byKey = new Map<string, VrrpGroupRt>();
    for (const v of devices) {
      v.domain = this;
      for (const inst of v.instances) {
        let g = byKey.get(inst.key);
        if (!g) byKey.set(inst.key, (g = { key: inst.key, members: [] }));
        g.members.push(inst);
        inst.group = g;
        this.all.push(inst);
      }
    }
    this.groups = [...byKey.values()];
  }

  /** Input time (sec, nsec) → ns since the domain's start. */
  private at(sec: number, nsec: number): number {
    return (sec - this.baseSec) * NS_PER_SEC + (nsec - this.baseNsec);
  }

  /** The start: each group converged, its best up instance master. */
  private start(sec: number, nsec: number): void {
    this.baseSec = sec;
    this.baseNsec = nsec;
    for (const g of this.groups) {
      const up = g.members.filter((m) => m.linkUp);
      const best = up.reduce<VrrpInstance | null>((b, m) => (b === null || better(m, b) ? m : b), null);
      for (const m of g.members) {
        m.state = !m.linkUp ? VRRP_INIT : m === best ? VRRP_MASTER : VRRP_BACKUP;
        if (m.state === VRRP_MASTER) m.nextAdvertAt = 0;
        if (m.state === VRRP_BACKUP && best) {
          m.masterAdverNs = best.intervalNs;
          m.masterDownAt = m.masterDownNs();
          m.masterAddress = best.primaryText();
        }
        m.applyState();
      }
    }
  }

  /** Runs every VRRP timer due up to input time sec/nsec, in time order. */
  advance(sec: number, nsec: number): void {
    if (this.baseSec < 0) this.start(sec, nsec);
    const now = this.at(sec, nsec);
    for (;;) {
      let next: VrrpInstance | null = null;
      let t = Infinity;
      for (const m of this.all) {
        const due = m.state === VRRP_MASTER ? m.nextAdvertAt : m.state === VRRP_BACKUP ? m.masterDownAt : Infinity;
        if (due < t) {
          t = due;
          next = m;
        }
      }
      if (next === null || t > now) break;
      this.now = t;
      if (next.state === VRRP_MASTER) this.advertise(next, t);
      else this.becomeMaster(next, t);
    }
    this.now = Math.max(this.now, now);
  }

  /** A port of `v`'s device went down or up (the timeline), at input time sec/nsec. */
  linkChanged(v: VrrpRt, ifd: number, up: boolean, sec: number, nsec: number): void {
    if (this.baseSec < 0) this.start(sec, nsec);
    this.advance(sec, nsec);
    const t = this.at(sec, nsec);
    for (const m of v.instances) {
      if (m.ifd !== ifd) continue;
      if (!up) {
        if (m.state !== VRRP_INIT) this.setState(m, VRRP_INIT, t);
        m.nextAdvertAt = Infinity;
        m.masterDownAt = Infinity;
        m.masterAddress = '';
      } else if (m.state === VRRP_INIT && m.linkUp) {
        // RFC 3768 6.4.1: the owner becomes master at once, any other instance backup.
        if (m.priority === VRRP_OWNER_PRIORITY) this.becomeMaster(m, t);
        else {
          this.setState(m, VRRP_BACKUP, t);
          m.masterAdverNs = m.intervalNs;
          m.masterDownAt = t + m.masterDownNs();
        }
      }
    }
  }

  private setState(m: VrrpInstance, state: number, t: number): void {
    m.state = state;
    m.changedAt = t;
    m.counters.transitions++;
    m.applyState();
  }

  /** Backup → Master (RFC 3768 6.4.2): advertise, gratuitous ARP / unsolicited NA for each virtual address. */
  private becomeMaster(m: VrrpInstance, t: number): void {
    this.setState(m, VRRP_MASTER, t);
    m.counters.becameMaster++;
    m.masterDownAt = Infinity;
    m.masterAddress = '';
    this.advertise(m, t);
    for (const v of m.family === 4 ? m.vip4 : m.vip6) {
      this.emit(m, t, (d, o, l2) => (m.family === 4
        ? writeGratuitousArp(d, o, l2, m.vmac, v as number)
        : writeUnsolicitedNa(d, o, l2, m.vmac, m.src6, v as Uint8Array)), m.family === 4 ? 0x0806 : 0x86dd);
      m.counters.gratuitousSent++;
    }
  }

  /** The master's advertisement: sent on its port and heard by the group's other instances that are up. */
  private advertise(m: VrrpInstance, t: number): void {
    const f = m.advertFields();
    this.emit(m, t, (d, o, l2) => (m.family === 4
      ? writeAdvert4(d, o, l2, m.vmac, m.src4, m.nextIdent(), f)
      : writeAdvert6(d, o, l2, m.vmac, m.src6, f)), m.family === 4 ? 0x0800 : 0x86dd);
    m.counters.advertisementsSent++;
    m.nextAdvertAt = t + m.intervalNs;
    for (const o of m.group!.members) {
      if (o === m || o.state === VRRP_INIT) continue;
      this.hear(o, m, t);
    }
  }

  /** `o` hears `from`'s advertisement (RFC 3768 6.4.2 / 6.4.3, RFC 5798 6.4.2 / 6.4.3). */
  private hear(o: VrrpInstance, from: VrrpInstance, t: number): void {
    if (o.state === VRRP_BACKUP) {
      if (!o.preempt || from.priority >= o.priority) {
        o.masterAdverNs = from.intervalNs;
        o.masterDownAt = t + o.masterDownNs();
        o.masterAddress = from.primaryText();
      }
      // else: preempting, the lower-priority advertisement is discarded and the timer runs on.
    } else if (o.state === VRRP_MASTER && better(from, o)) {
      this.setState(o, VRRP_BACKUP, t);
      o.nextAdvertAt = Infinity;
      o.masterAdverNs = from.intervalNs;
      o.masterDownAt = t + o.masterDownNs();
      o.masterAddress = from.primaryText();
    }
  }

  /** Builds a packet in the instance's device's batch at input time t (ns since the start) and sends it out of its IFL. */
  private emit(m: VrrpInstance, t: number, write: (d: Uint8Array, o: number, l2: Uint8Array) => number, ethertype: number): void {
    const dev = m.dev;
    const g = dev.graph;
    const b = g.batch;
    const slot = b.alloc();
    if (slot < 0) return; // not reached: timers run between vectors, and each packet is sent at once (below)
    g.generated(slot);
    const ns = this.baseNsec + (t % NS_PER_SEC);
    b.tsSec[slot] = this.baseSec + Math.floor(t / NS_PER_SEC) + Math.floor(ns / NS_PER_SEC);
    b.tsNsec[slot] = ns % NS_PER_SEC;
    const l2 = dev.l2Header(m.ifl, m.vmac, ethertype);
    b.len[slot] = write(b.data, b.off[slot], l2);
    b.txIfl[slot] = m.ifl;
    const out = g.node('interface-output');
    out.frame[out.count++] = slot;
    // Sent now: after a long gap of input, the packets of several devices leave in time order, not device by device.
    dev.runBatch();
  }

  /** For show vrrp: seconds until the instance's next timer (advertisement or master down), from the last time run. */
  timerSec(m: VrrpInstance): number {
    const due = m.state === VRRP_MASTER ? m.nextAdvertAt : m.state === VRRP_BACKUP ? m.masterDownAt : Infinity;
    return due === Infinity ? 0 : Math.max(0, (due - this.now) / NS_PER_SEC);
  }
}

/** `a` wins over `b`: higher priority, then higher primary address (RFC 3768 6.4.3). */
function better(a: VrrpInstance, b: VrrpInstance): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.tieKey > b.tieKey);
}

/** The device's VRRP (null: no group configured); built before its graph, whose nodes ask it. */
export function buildVrrp(dev: DeviceRt): VrrpRt | null {
  if (!dev.ifs.ifls.some((l) => l.model.vrrp?.length)) return null;
  const irbs = dev.ifs.ifls.filter((l) => l.model.vrrp?.length && (dev.bridge?.bdOfIrb[l.index] ?? -1) >= 0).map((l) => l.name);
  if (irbs.length) dev.warnings.push(`${irbs.join(', ')}: VRRP on irb units is not emulated (frames to the virtual MAC are bridged, not routed)`);
  return new VrrpRt(dev);
}

/**
 * Joins the VRRP instances of a run's devices into one election (the Run
 * constructor calls it): instances of the same group on several devices see
 * each other's advertisements. Groups whose instances disagree on version or
 * virtual addresses are reported in the devices' warnings.
 */
export function connectVrrp(devices: readonly DeviceRt[]): void {
  const vs = devices.map((d) => d.vrrp).filter((v): v is VrrpRt => v !== null);
  if (vs.length < 2) return;
  const domain = new VrrpDomain(vs);
  for (const g of domain.groups) {
    const first = g.members[0];
    for (const m of g.members.slice(1)) {
      const same = m.version === first.version && m.vip4.join() === first.vip4.join() && m.vip6.map((a) => formatIpv6(a)).join() === first.vip6.map((a) => formatIpv6(a)).join();
      if (!same) m.dev.warnings.push(`VRRP group ${m.vrid} on ${m.name}: version or virtual addresses differ from ${first.dev.name} ${first.name}`);
    }
  }
}

export { VRRP_STATE_NAMES as STATE_NAMES };

/** `--stats`: per group instance (`IFL inet|inet6 group N`), its state at the end and its counters. */
export interface VrrpStats {
  [instance: string]: { state: string; priority: number; master: boolean } & VrrpCounters;
}

export function vrrpStats(v: VrrpRt): VrrpStats {
  const out: VrrpStats = {};
  for (const m of v.instances) {
    out[`${m.name} ${m.family === 4 ? 'inet' : 'inet6'} group ${m.vrid}`] = {
      state: VRRP_STATE_NAMES[m.state], priority: m.priority, master: m.state === VRRP_MASTER, ...m.counters,
    };
  }
  return out;
}
