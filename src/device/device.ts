import { ConfigError, type Device } from '../config/model.js';
import type { EspSaRecord } from '../config/esp-sa-file.js';
import type { AeadBackend } from '../crypto/aead.js';
import { getAeadBackend } from '../crypto/backend.js';
import { SaDatabase } from '../ipsec/sa.js';
import { buildVpns, type TsRt, type VpnRt } from '../ipsec/vpn.js';
import { formatIpv4 as fmt4, formatIpv6 as fmt6 } from '../packet/addr.js';
import { Graph } from '../graph/graph.js';
import { TraceBuffer } from '../graph/trace.js';
import { Batch, F_MPLS, F_TRACED, HEADROOM, MAX_FRAME } from '../packet/batch.js';
import { parseIpv4, parseIpv6, parseMac } from '../packet/addr.js';
import { ADJ_INCOMPLETE, ADJ_REWRITE, AdjacencyTable, type Adjacency } from '../l3/adjacency.js';
import { HOLD_QUEUE_LIMIT, NeighborTable, RESOLVE_INTERVAL_SEC, RESOLVE_TRIES, type HeldPacket, type Neighbor } from '../l3/neighbor.js';
import { RouteTable } from '../l3/table.js';
import { buildRoutes } from '../l3/routing.js';
import { buildGreTunnels, type GreTunnels } from '../l3/gre.js';
import { buildMpls, type MplsRt } from '../l3/mpls.js';
import { ETHERTYPE_MPLS, writeUnitTags } from '../packet/ethernet.js';
import { Interfaces, setPortState } from './interfaces.js';
import { behaviourOf } from '../profiles/catalog.js';
import { isProfile, type Behaviour } from '../profiles/switch.js';
import { Bridge, hasBridging } from '../l2/bridge.js';
import { addForwardingNodes } from '../nodes/index.js';
import { buildLag, type Lag } from '../l2/lag.js';
import { SflowAgent } from '../nodes/sflow.js';
import { buildVrrp, type VrrpRt } from '../vrrp/vrrp.js';
import { BgpSpeaker } from '../bgp/speaker.js';

/** Where a port's frames go: a pcap writer, a link to another device, or nowhere (benchmarks). */
export type PortSink = (data: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, b: Batch, slot: number) => void;

export interface DeviceOptions {
  /** Trace buffer shared by the devices of a run (its budget: the first N packets taken in). */
  trace?: TraceBuffer;
  /** How ports are named in traces: "" in a one-device run, "R1:" in a scenario of several. */
  portPrefix?: string;
  /** FIB size hint for the default tables (benchmarks with large tables). */
  expectedRoutes?: number;
  /** esp_sa records giving the keys of IKE VPNs (IKE is not emulated): `triode run --sa-file`. */
  saRecords?: readonly EspSaRecord[];
  /** AEAD backend of the device's SAs (default: getAeadBackend()). */
  aead?: AeadBackend;
}

/** Where a released packet goes: 4, 6 (ip4/ip6-rewrite) or 0 (labelled: mpls-output). */
const linkOf = (r: { held: HeldPacket; adj: Adjacency }): number => (r.held.flags & F_MPLS ? 0 : r.adj.family);

/**
 * What a device does differently as one pipeline replica of several
 * (`triode run --workers N`): replica 0 resolves neighbours for all and tells
 * the others what it learned; the others ask it instead of soliciting.
 */
export interface ReplicaHooks {
  readonly index: number;
  /** Replica 0: a neighbour was learned or confirmed (sent to the other replicas). */
  learned(n: Neighbor, tsSec: number, tsNsec: number): void;
  /** Replicas other than 0: packets wait for this neighbour (replica 0 is asked to resolve it). */
  solicit(family: 4 | 6, ifl: number, n: Neighbor, tsSec: number, tsNsec: number): void;
}

/** A BGP session's name in stats and state: the peer's address, after its VRF's name when not in the default instance ("ipvpn/4.0.0.21"). */
export function bgpSessionKey(instance: string, peer: string): string {
  return instance === 'master' ? peer : `${instance}/${peer}`;
}

/** A device at run time: its interfaces, tables, neighbour caches and node graph. */
export class DeviceRt {
  readonly name: string;
  readonly portPrefix: string;
  readonly ifs: Interfaces;
  readonly tables: RouteTable[] = [];
  readonly tableByName = new Map<string, RouteTable>();
  readonly adjs = new AdjacencyTable();
  readonly nbrs = new NeighborTable();
  readonly graph: Graph;
  readonly sinks: (PortSink | null)[];
  readonly warnings: string[];
  /** Held packets whose neighbour resolved, waiting for a free slot. */
  private readonly released: { held: HeldPacket; adj: Adjacency }[] = [];
  private readonly ethernetInput: number;
  /** The SA database of the device's VPNs (null: no VPN). */
  ipsec: SaDatabase | null = null;
  /** Route-based IPsec VPNs (st0 bound, served by a service set). */
  vpns: VpnRt[] = [];
  /** VPN index by st0 IFL index (-1: none), and by SA index. */
  vpnOfSt0 = new Int32Array(0);
  vpnOfSa = new Int32Array(0);
  /** The traffic selectors an inbound SA carries, by SA index (null: none, it takes what it decrypts). */
  tsOfSa: (TsRt[] | null)[] = [];
  /**
   * Traffic selectors by st0 IFL index: those of every VPN bound to the unit,
   * in configuration order (null: no VPN there has selectors — the unit's
   * VPN takes whatever is routed into it).
   */
  tsOfSt0: (TsRt[] | null)[] = [];
  /** GRE tunnels of gr- units (null: none). */
  gre: GreTunnels | null = null;
  /** Static MPLS: enabled IFLs, mpls.0, ingress LSPs (null: no MPLS configured). */
  mpls: MplsRt | null = null;
  /** BGP sessions, RIBs and the VPN table (null: no protocols bgp; src/bgp/speaker.ts). */
  bgp: BgpSpeaker | null = null;
  /** BGP sessions this side closed because the peer's hold time ran out (src/bgp/exchange.ts). */
  bgpHoldExpired = 0;
  /** Set when the device is one pipeline replica of several. */
  replica: ReplicaHooks | null = null;
  /** Bridge domains, MAC tables and VTEPs (null: no bridge domain configured). */
  bridge: Bridge | null = null;
  /** The behaviour switches of the device's profile, with its settings applied (src/profiles). */
  readonly behaviour: Behaviour;
  /** Link aggregation bundles with members (null: none; src/l2/lag.ts). */
  lag: Lag | null = null;
  /** The sFlow agent (null: no `protocols sflow`; src/nodes/sflow.ts). */
  sflow: SflowAgent | null = null;
  /** VRRP groups of the device's IFLs and the election they are in (null: none configured; src/vrrp). */
  readonly vrrp: VrrpRt | null;
  /**
   * Told when a port's link goes down or up (the timeline), after the port's
   * state changed: VRRP, flap dampening. Packets they send go into the batch.
   */
  readonly linkListeners: ((ifd: number, up: boolean, tsSec: number, tsNsec: number) => void)[] = [];
  /** Timers of input time that areas register (VRRP adverts, dampening release): run before each vector. */
  readonly timers: ((nowSec: number, nowNsec: number) => void)[] = [];
  /** Link transitions by port (the timeline's), for `--stats`. */
  readonly linkTransitions: Uint32Array;
  /** BGP sessions the timeline took down, by sessionKey(instance, peer); a session not listed is up. */
  readonly bgpSessionsDown = new Set<string>();
  /** BGP session transitions (the timeline's) by sessionKey, for `--stats`. */
  readonly bgpSessionTransitions = new Map<string, number>();
  /**
   * Told when a BGP session goes down or up (the timeline), after its state
   * changed: the RIB withdraws or restores the peer's paths. Packets they send go into the batch.
   */
  readonly bgpSessionListeners: ((instance: string, peer: string, up: boolean, tsSec: number, tsNsec: number) => void)[] = [];

  constructor(readonly model: Device, opts: DeviceOptions = {}) {
    this.name = model.name;
    if (!isProfile(model.profile)) throw new ConfigError([{ message: `device ${model.name}: unknown profile '${model.profile}'` }]);
    this.behaviour = behaviourOf(model.profile, model.switches);
    this.portPrefix = opts.portPrefix ?? '';
    this.ifs = new Interfaces(model);
    this.linkTransitions = new Uint32Array(this.ifs.ifds.length);
    this.graph = new Graph(model.name, opts.trace);
    this.sinks = this.ifs.ifds.map(() => null);
    const placed = new Map<string, string>();
    for (const inst of model.instances) for (const ifl of inst.interfaces) placed.set(ifl, inst.name);
    for (const inst of model.instances) {
      if (inst.l2) continue; // mac-vrf / virtual-switch: bridge domains, no routing tables
      const pre = inst.name === 'master' ? '' : `${inst.name}.`;
      const hint = inst.name === 'master' ? opts.expectedRoutes : 0;
      const t4 = this.addTable(`${pre}inet.0`, 4, hint);
      const t6 = this.addTable(`${pre}inet6.0`, 6, hint);
      for (const iflName of inst.interfaces) {
        const i = this.ifs.ifl(iflName);
        if (i >= 0) {
          this.ifs.ifls[i].table4 = t4.index;
          this.ifs.ifls[i].table6 = t6.index;
        }
      }
    }
    for (const ifl of this.ifs.ifls) {
      for (const n of ifl.model.inet?.neighbors ?? []) this.resolve4(ifl.index, parseIpv4(n.ip), parseMac(n.mac), 0, 0, true);
      for (const n of ifl.model.inet6?.neighbors ?? []) this.resolve6(ifl.index, parseIpv6(n.ip), parseMac(n.mac), 0, 0, true);
    }
    this.buildVpns(opts);
    if (hasBridging(model)) this.bridge = new Bridge(model, this.ifs, this.behaviour);
    this.gre = buildGreTunnels(this);
    this.mpls = buildMpls(this);
    this.warnings = buildRoutes(this);
    if (model.bgp || model.instances.some((i) => i.bgp)) this.bgp = new BgpSpeaker(this);
    this.lag = buildLag(this);
    if (model.sflow) this.sflow = new SflowAgent(this);
    this.vrrp = buildVrrp(this);
    const served = new Set<number>();
    for (const v of this.vpns) served.add(v.st0).add(v.siInside).add(v.siOutside);
    for (const t of this.gre?.all ?? []) served.add(t.ifl);
    const tunnels = this.ifs.ifls.filter((l) => !this.ifs.ifds[l.ifd].ethernet && !/^lo\d/.test(l.name) && !served.has(l.index)).map((l) => l.name);
    if (tunnels.length) {
      this.warnings.push(`${tunnels.join(', ')}: tunnel and service interfaces are not emulated yet: traffic routed into them is dropped as tunnel_not_emulated`);
    }
    addForwardingNodes(this);
    this.graph.wire();
    this.sflow?.wire();
    this.vrrp?.init((reason) => this.graph.reason(reason));
    this.ethernetInput = this.graph.nodes.indexOf(this.graph.node('ethernet-input'));
  }

  /** VPNs and their SAs; a VPN without keys (or other VPN problems) throws one ConfigError. */
  private buildVpns(opts: DeviceOptions): void {
    const ifs = this.ifs;
    this.vpnOfSt0 = new Int32Array(ifs.ifls.length).fill(-1);
    this.tsOfSt0 = ifs.ifls.map(() => null);
    if (!this.model.security?.ipsecVpns.some((v) => v.bindInterface !== undefined)) return;
    const { vpns, problems } = buildVpns({
      device: this.model,
      ifl: (name) => ifs.ifl(name),
      tableOf: (ifl, family) => (ifl >= 0 ? (family === 4 ? ifs.ifls[ifl].table4 : ifs.ifls[ifl].table6) : this.table('master', family).index),
      iflOfAddress: (address) => {
        for (const l of ifs.ifls) {
          if (l.v4.some((a) => fmt4(a.ip) === address) || l.v6.some((a) => fmt6(a.ip, 0) === address)) return l.index;
        }
        return -1;
      },
      addressOf: (ifl, family) => {
        if (ifl < 0) return undefined;
        const l = ifs.ifls[ifl];
        if (family === 4) return l.v4.length ? fmt4((l.v4.find((a) => a.primary) ?? l.v4[0]).ip) : undefined;
        return l.v6.length ? fmt6((l.v6.find((a) => a.primary) ?? l.v6[0]).ip, 0) : undefined;
      },
    }, () => (this.ipsec ??= new SaDatabase(opts.aead ?? getAeadBackend())), opts.saRecords ?? []);
    if (problems.length) {
      this.ipsec?.close();
      this.ipsec = null;
      throw new ConfigError(problems);
    }
    this.vpns = vpns;
    this.ipsec?.trim();
    this.vpnOfSa = new Int32Array(this.ipsec?.count ?? 0).fill(-1);
    this.tsOfSa = new Array<TsRt[] | null>(this.ipsec?.count ?? 0).fill(null);
    for (const v of vpns) {
      if (this.vpnOfSt0[v.st0] < 0) this.vpnOfSt0[v.st0] = v.index;
      for (const t of v.tunnels) {
        this.vpnOfSa[t.outSa] = v.index;
        this.vpnOfSa[t.inSa] = v.index;
        this.tsOfSa[t.inSa] = t.selectors.length ? t.selectors : null;
      }
      if (v.selectors.length) (this.tsOfSt0[v.st0] ??= []).push(...v.selectors);
      const ip = this.ipsec!.dst4(v.inSa);
      if (ip >= 0 && !this.vpnOfLocal.has(ip)) this.vpnOfLocal.set(ip, v.index);
    }
  }

  /** IPv4 local gateway address → the first VPN using it: one lookup per ESP packet, whatever the number of VPNs. */
  private readonly vpnOfLocal = new Map<number, number>();

  /** The VPN whose local gateway address is the IPv4 address `ip`, or -1. */
  vpnOfLocal4(ip: number): number {
    return this.vpnOfLocal.get(ip >>> 0) ?? -1;
  }

  /** The VPN whose local gateway address is the IPv6 address at d[off, off + 16), or -1. */
  vpnOfLocal6(d: Uint8Array, off: number): number {
    for (let i = 0; i < this.vpns.length; i++) {
      if (this.ipsec!.dstAt(this.vpns[i].inSa, d, off, 16)) return this.vpns[i].index;
    }
    return -1;
  }

  private addTable(name: string, family: 4 | 6, expectedRoutes = 0): RouteTable {
    const t = new RouteTable(this.tables.length, name, family, expectedRoutes);
    this.tables.push(t);
    this.tableByName.set(name, t);
    return t;
  }

  table(instance: string, family: 4 | 6): RouteTable {
    const pre = instance === 'master' ? '' : `${instance}.`;
    return this.tableByName.get(family === 4 ? `${pre}inet.0` : `${pre}inet6.0`)!;
  }

  /** The adjacency for a neighbour on an IFL, created incomplete (with its host route) if new. */
  neighborAdj4(ifl: number, ip: number): Adjacency {
    return this.adjs.all[this.neighbor4(ifl, ip).adj];
  }

  neighborAdj6(ifl: number, ip: Uint8Array, off = 0): Adjacency {
    return this.adjs.all[this.neighbor6(ifl, ip, off).adj];
  }

  neighbor4(ifl: number, ip: number): Neighbor {
    let n = this.nbrs.find4(ifl, ip);
    if (!n) {
      n = this.nbrs.add4(ifl, ip);
      this.attach(n);
      this.tables[this.ifs.ifls[ifl].table4].addHost4(n.ip4, n.adj);
    }
    return n;
  }

  neighbor6(ifl: number, ip: Uint8Array, off = 0): Neighbor {
    let n = this.nbrs.find6(ifl, ip, off);
    if (!n) {
      n = this.nbrs.add6(ifl, ip, off);
      this.attach(n);
      this.tables[this.ifs.ifls[ifl].table6].addHost6(n.ip6!, n.adj);
    }
    return n;
  }

  /** The adjacency that sends labelled packets (ethertype 0x8847) to an IPv4 neighbour: incomplete until ARP resolves it. */
  neighborMplsAdj4(ifl: number, ip: number): Adjacency {
    const n = this.neighbor4(ifl, ip);
    if (n.mplsAdj < 0) {
      const a = this.adjs.add(ADJ_INCOMPLETE, 4);
      a.ifl = ifl;
      a.neighbor = n.index;
      n.mplsAdj = a.index;
      if (n.mac) {
        a.kind = ADJ_REWRITE;
        a.rewrite = this.l2Header(ifl, n.mac, ETHERTYPE_MPLS);
      }
    }
    return this.adjs.all[n.mplsAdj];
  }

  private attach(n: Neighbor): void {
    const adj = this.adjs.add(ADJ_INCOMPLETE, n.family);
    adj.ifl = n.ifl;
    adj.neighbor = n.index;
    n.adj = adj.index;
  }

  /** Learns or confirms a neighbour's MAC; held packets are released. A static entry is never overwritten. */
  resolve4(ifl: number, ip: number, mac: Uint8Array, tsSec: number, tsNsec: number, isStatic = false): Neighbor {
    return this.resolve(this.neighbor4(ifl, ip), mac, tsSec, tsNsec, isStatic);
  }

  resolve6(ifl: number, ip: Uint8Array, mac: Uint8Array, tsSec: number, tsNsec: number, isStatic = false, off = 0): Neighbor {
    return this.resolve(this.neighbor6(ifl, ip, off), mac, tsSec, tsNsec, isStatic);
  }

  /** Held packets leave when the answer arrives: at its time, or their own if later. */
  private resolve(n: Neighbor, mac: Uint8Array, tsSec: number, tsNsec: number, isStatic: boolean): Neighbor {
    if (n.state === 'static' && !isStatic) return n;
    n.mac = mac.slice(0, 6);
    n.state = isStatic ? 'static' : 'reachable';
    n.updatedSec = tsSec;
    n.requests = 0;
    const adj = this.adjs.all[n.adj];
    adj.kind = ADJ_REWRITE;
    adj.rewrite = this.l2Header(n.ifl, n.mac, n.family === 4 ? 0x0800 : 0x86dd);
    const mplsAdj = n.mplsAdj >= 0 ? this.adjs.all[n.mplsAdj] : adj;
    if (n.mplsAdj >= 0) {
      mplsAdj.kind = ADJ_REWRITE;
      mplsAdj.rewrite = this.l2Header(n.ifl, n.mac, ETHERTYPE_MPLS);
    }
    for (const held of n.held) {
      const later = held.tsSec > tsSec || (held.tsSec === tsSec && held.tsNsec > tsNsec);
      // A labelled packet (held by mpls-output) leaves by the neighbour's MPLS adjacency.
      this.released.push({ held: later ? held : { ...held, tsSec, tsNsec }, adj: held.flags & F_MPLS ? mplsAdj : adj });
    }
    n.held = [];
    if (!isStatic) this.replica?.learned(n, tsSec, tsNsec);
    return n;
  }

  /** The L2 header an IFL puts in front of a packet for a destination MAC. */
  l2Header(ifl: number, dstMac: Uint8Array, ethertype: number): Uint8Array {
    const rt = this.ifs.ifls[ifl];
    const h = new Uint8Array(rt.l2Len);
    h.set(dstMac.subarray(0, 6), 0);
    h.set(this.ifs.ifds[rt.ifd].mac, 6);
    const o = 12 + writeUnitTags(h, 12, rt.vlanId, rt.vlanInner);
    h[o] = ethertype >> 8;
    h[o + 1] = ethertype & 0xff;
    return h;
  }

  /** Holds a packet (its L3 bytes) until the neighbour resolves; false when the queue is full. */
  hold(n: Neighbor, b: Batch, slot: number): boolean {
    if (n.held.length >= HOLD_QUEUE_LIMIT) return false;
    const l3 = b.l3[slot];
    const end = b.off[slot] + b.len[slot];
    if (n.held.length === 0) n.firstHeldSec = b.tsSec[slot];
    n.held.push({
      bytes: b.data.slice(l3, end),
      tsSec: b.tsSec[slot], tsNsec: b.tsNsec[slot], flags: b.flags[slot], traceId: b.traceId[slot],
      rxPort: b.rxPort[slot], rxIfl: b.rxIfl[slot], table: b.table[slot],
    });
    return true;
  }

  /** Replica 0: another replica waits for an IPv4 neighbour (ip4-arp asks, or repeats the known answer). */
  solicitFor4(ifl: number, ip: number, tsSec: number, tsNsec: number): void {
    (this.graph.node('ip4-arp') as unknown as { requestFor(ifl: number, ip: number, s: number, ns: number): void }).requestFor(ifl, ip, tsSec, tsNsec);
  }

  /** Replica 0: as solicitFor4, by ip6-nd. */
  solicitFor6(ifl: number, ip: Uint8Array, tsSec: number, tsNsec: number): void {
    (this.graph.node('ip6-nd') as unknown as { solicitFor(ifl: number, ip: Uint8Array, s: number, ns: number): void }).solicitFor(ifl, ip, tsSec, tsNsec);
  }

  /** Whether it is time to send (another) ARP request / NS for a neighbour. */
  shouldSolicit(n: Neighbor, nowSec: number): boolean {
    if (n.requests === 0) return true;
    return n.requests < RESOLVE_TRIES && nowSec - n.lastRequestSec >= RESOLVE_INTERVAL_SEC;
  }

  /**
   * Copies a frame into the batch and queues it to ethernet-input; false if
   * the batch is full (run it and try again). A frame larger than a slot
   * holds, or one the capture cut short (`origLen` > `len`), is taken in and
   * dropped at once under its reason. A frame from an input starts a trace
   * while the budget lasts (`traceId` undefined); one that crossed a link
   * carries its sender's trace on (`traceId` >= 0) or none (-1).
   */
  inject(port: number, data: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, traceId?: number, origLen = len): boolean {
    const g = this.graph;
    const b = g.batch;
    if (len > MAX_FRAME || origLen > len) {
      this.dropOnArrival(len > MAX_FRAME ? 'frame_too_long' : 'capture_truncated');
      return true;
    }
    const slot = b.alloc();
    if (slot < 0) return false;
    // The frame keeps its source's alignment mod 8: a copy out of shared memory (a capture read by
    // `--workers`) is several times slower when the two sides are not aligned alike.
    b.off[slot] += (data.byteOffset + off) & 7;
    b.copyIn(slot, data, off, len);
    b.len[slot] = len;
    b.rxPort[slot] = port;
    b.tsSec[slot] = tsSec;
    b.tsNsec[slot] = tsNsec;
    g.acct.in++;
    if (this.sflow !== null) this.sflow.sample(port, slot, data, off, len, tsSec, tsNsec);
    if (traceId === undefined) traceId = g.trace.budget > 0 ? g.trace.start(`${this.portPrefix}${this.ifs.ifds[port].name}`, tsSec, tsNsec) : -1;
    if (traceId >= 0) {
      b.flags[slot] |= F_TRACED;
      b.traceId[slot] = traceId;
    }
    const eth = g.nodes[this.ethernetInput];
    eth.frame[eth.count++] = slot;
    return true;
  }

  /** Takes a frame in and drops it at once, before the graph (it cannot enter a slot). */
  dropOnArrival(reason: string): void {
    const g = this.graph;
    g.acct.in++;
    g.acct.dropped++;
    g.drops[g.reason(reason)]++;
  }

  /** Runs the graph over what was injected, then over released held packets until all have left. */
  runBatch(): void {
    const g = this.graph;
    g.run();
    if (this.sflow !== null && this.sflow.afterRun()) g.run(); // datagrams full of this vector's samples
    if (this.released.length === 0) return; // the common case: nothing made per vector
    const rewrite4 = g.node('ip4-rewrite');
    const rewrite6 = g.node('ip6-rewrite');
    const mplsOutput = g.byName.get('mpls-output');
    let next = 0;
    while (next < this.released.length) {
      const b = g.batch;
      const start = next;
      // One link type per run, so released packets leave in the order their neighbours resolved.
      const link = linkOf(this.released[next]);
      const node = link === 4 ? rewrite4 : link === 6 ? rewrite6 : mplsOutput!;
      while (next < this.released.length && b.free > 0 && linkOf(this.released[next]) === link) {
        const { held, adj } = this.released[next++];
        const slot = b.alloc();
        const at = b.slotStart(slot) + HEADROOM;
        b.data.set(held.bytes, at);
        b.off[slot] = at;
        b.l3[slot] = at;
        b.len[slot] = held.bytes.length;
        b.tsSec[slot] = held.tsSec;
        b.tsNsec[slot] = held.tsNsec;
        b.flags[slot] = held.flags;
        b.traceId[slot] = held.traceId;
        b.rxPort[slot] = held.rxPort;
        b.rxIfl[slot] = held.rxIfl;
        b.table[slot] = held.table;
        b.adj[slot] = adj.index;
        if (held.flags & F_TRACED) g.trace.fate(held.traceId, 'released from hold queue');
        node.frame[node.count++] = slot;
      }
      if (next === start) break;
      g.run();
    }
    this.released.splice(0, next);
  }

  /**
   * The timers of input time, run before each input vector: drops packets
   * held for neighbours that did not answer within the resolution time
   * (RESOLVE_TRIES × RESOLVE_INTERVAL_SEC), or all of them at the end of the
   * run (`nowSec` = Infinity), ages the bridge MAC table a slice at a time and
   * runs the timers areas registered (`timers`).
   */
  runTimers(nowSec: number, nowNsec = 0): void {
    if (nowSec !== Infinity) {
      if (this.bridge !== null) this.bridge.age(nowSec);
      for (const t of this.timers) t(nowSec, nowNsec);
    }
    const g = this.graph;
    for (const n of this.nbrs.all) {
      if (n.held.length === 0) continue;
      if (nowSec - n.firstHeldSec < RESOLVE_TRIES * RESOLVE_INTERVAL_SEC) continue;
      const reason = n.family === 4 ? 'arp_resolution_failed' : 'nd_resolution_failed';
      const code = g.reason(reason);
      for (const h of n.held) if (h.flags & F_TRACED) g.trace.fate(h.traceId, `dropped: ${reason}`);
      g.drops[code] += n.held.length;
      g.acct.dropped += n.held.length;
      n.held = [];
      n.requests = 0;
    }
  }

  /**
   * A port's link goes down or up (a timeline event) at input time
   * tsSec/tsNsec. Frames it takes in or is given to send while down are
   * dropped as link_down. A change that is no change is ignored.
   */
  setLink(ifd: number, up: boolean, tsSec: number, tsNsec: number): void {
    const port = this.ifs.ifds[ifd];
    if (port.linkUp === up) return;
    port.linkUp = up;
    setPortState(port);
    this.linkTransitions[ifd]++;
    for (const l of this.linkListeners) l(ifd, up, tsSec, tsNsec);
  }

  /**
   * A BGP session (routing instance `instance`, peer address `peer`) goes down
   * or up (a timeline event) at input time tsSec/tsNsec. A change that is no
   * change is ignored.
   */
  setBgpSession(instance: string, peer: string, up: boolean, tsSec: number, tsNsec: number): void {
    const key = bgpSessionKey(instance, peer);
    if (this.bgpSessionsDown.has(key) !== up) return;
    if (up) this.bgpSessionsDown.delete(key);
    else this.bgpSessionsDown.add(key);
    this.bgpSessionTransitions.set(key, (this.bgpSessionTransitions.get(key) ?? 0) + 1);
    for (const l of this.bgpSessionListeners) l(instance, peer, up, tsSec, tsNsec);
  }

  /** The end of the input: exports still pending (sFlow samples) are queued; the runner runs the devices once more. */
  endInput(): void {
    this.sflow?.flush();
  }

  /** Packets still held (in flight) — zero once the run has ended. */
  heldCount(): number {
    let k = this.released.length;
    for (const n of this.nbrs.all) k += n.held.length;
    return k;
  }
}
