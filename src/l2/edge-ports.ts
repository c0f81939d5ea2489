import type { DeviceRt } from '../device/device.js';
import type { GraphNode } from '../graph/node.js';
import { setPortState } from '../device/interfaces.js';
import { parseMac } from '../packet/addr.js';

/** checkMac(): the source MAC may send. */
export const MAC_OK = 0;
/** checkMac(): not one of the port's MACs, and every one of them is configured (none left to learn). */
export const MAC_NOT_ALLOWED = 1;
/** checkMac(): not one of the port's MACs, and the port has learned as many as its limit. */
export const MAC_LIMIT = 2;
/** checkMac(): a new MAC, locked in as one of the port's (the limit had room). */
export const MAC_LOCKED = 3;

/** Flap dampening of one port at run time (times in ns of input time since the first event seen). */
interface DampeningRt {
  transitions: number;
  windowNs: number;
  holdDownNs: number;
  /** The last `transitions + 1` transition times, a ring. */
  history: Float64Array;
  head: number;
  count: number;
  until: number;
}

/**
 * The Internet-exchange edge rules of a device's ports at run time, by IFD
 * index (struct of arrays: edge-input reads them per packet by index), the
 * quarantine of ports (their units moved to the quarantine domain once, here)
 * and flap dampening (a link listener and a timer of input time).
 */
export class EdgePorts {
  /** 1: an edge port (ethernet-input sends its frames to edge-input). */
  readonly isEdge: Uint8Array;
  readonly maxPayload: Uint16Array;
  /** Allowed ethertypes by port. */
  readonly ethertypes: Uint16Array[];
  /** The port's MACs as 48-bit numbers: the configured ones, then those locked in as seen; `macCount` used of `macLimit`. */
  readonly macs: Float64Array[];
  readonly macCount: Uint8Array;
  readonly macConfigured: Uint8Array;
  readonly dampening: (DampeningRt | null)[];
  /** Times a port was disabled by dampening, and re-enabled, by port. */
  readonly dampenedEvents: Uint32Array;
  readonly reenabledEvents: Uint32Array;
  private dampenedNow = 0;
  /** Input time (s) the dampening clock counts from: the first link event or timer run. */
  private baseSec = -1;

  /** `node`: edge-input, whose counters `port_dampening_disabled` / `port_dampening_reenabled` this counts in. */
  constructor(private readonly dev: DeviceRt, private readonly node: GraphNode) {
    const ifs = dev.ifs;
    const n = ifs.ifds.length;
    this.isEdge = new Uint8Array(n);
    this.maxPayload = new Uint16Array(n);
    this.ethertypes = ifs.ifds.map(() => new Uint16Array(0));
    this.macs = ifs.ifds.map(() => new Float64Array(0));
    this.macCount = new Uint8Array(n);
    this.macConfigured = new Uint8Array(n);
    this.dampening = ifs.ifds.map(() => null);
    this.dampenedEvents = new Uint32Array(n);
    this.reenabledEvents = new Uint32Array(n);
    const br = dev.bridge;
    for (const p of dev.model.edge ?? []) {
      const i = ifs.ifd(p.ifd);
      if (i < 0) continue; // the configuration checks reported it
      this.isEdge[i] = 1;
      this.maxPayload[i] = p.maxPayload;
      this.ethertypes[i] = Uint16Array.from(p.ethertypes);
      this.macs[i] = new Float64Array(p.macLimit);
      for (const m of p.macs) this.macs[i][this.macCount[i]++] = macNumber(parseMac(m), 0);
      this.macConfigured[i] = this.macCount[i];
      const dm = p.dampening;
      if (dm) {
        this.dampening[i] = {
          transitions: dm.transitions, windowNs: dm.windowSec * 1e9, holdDownNs: dm.holdDownSec * 1e9,
          history: new Float64Array(dm.transitions + 1), head: 0, count: 0, until: 0,
        };
      }
      // Quarantine: the port's units bridge in the quarantine domain, and only its floods reach them.
      const q = p.quarantine !== undefined && br ? br.domains.findIndex((d) => d.name === p.quarantine) : -1;
      if (q >= 0 && br) {
        for (const ifl of ifs.ifds[i].ifls) {
          const from = br.bdOfIfl[ifl];
          if (from >= 0) br.domains[from].members = br.domains[from].members.filter((m) => m !== ifl);
          br.bdOfIfl[ifl] = q;
          br.domains[q].members.push(ifl);
        }
      }
    }
    if (this.dampening.some((d) => d !== null)) {
      dev.linkListeners.push((ifd, _up, s, ns) => this.transition(ifd, s, ns));
      dev.timers.push((s, ns) => this.release(s, ns));
    }
  }

  /**
   * Whether the source MAC at d[at, at + 6) may send on `port`: one of its
   * MACs, or a new one while the port has room (locked in from then on).
   */
  checkMac(port: number, d: Uint8Array, at: number): number {
    const mac = macNumber(d, at);
    const list = this.macs[port];
    const n = this.macCount[port];
    for (let k = 0; k < n; k++) if (list[k] === mac) return MAC_OK;
    if (n < list.length) {
      list[n] = mac;
      this.macCount[port] = n + 1;
      return MAC_LOCKED;
    }
    return this.macConfigured[port] === list.length ? MAC_NOT_ALLOWED : MAC_LIMIT;
  }

  private ns(sec: number, nsec: number): number {
    if (this.baseSec < 0) this.baseSec = sec;
    return (sec - this.baseSec) * 1e9 + nsec;
  }

  /** A link transition of `ifd`: more than `transitions` within the window disables the port for the hold-down. */
  private transition(ifd: number, sec: number, nsec: number): void {
    const dm = this.dampening[ifd];
    if (dm === null) return;
    const t = this.ns(sec, nsec);
    const size = dm.history.length;
    dm.history[dm.head] = t;
    dm.head = (dm.head + 1) % size;
    if (dm.count < size) dm.count++;
    const port = this.dev.ifs.ifds[ifd];
    // The ring holds the last transitions + 1: its oldest (at head) is the first of them.
    if (port.dampened || dm.count < size || t - dm.history[dm.head] > dm.windowNs) return;
    port.dampened = true;
    setPortState(port);
    dm.until = t + dm.holdDownNs;
    this.dampenedEvents[ifd]++;
    this.node.counters[this.node.counterNames.indexOf('port_dampening_disabled')]++;
    this.dampenedNow++;
  }

  /** The timer: ports whose hold-down is over are enabled again, their flap history forgotten. */
  private release(sec: number, nsec: number): void {
    if (this.dampenedNow === 0) return;
    const t = this.ns(sec, nsec);
    for (let i = 0; i < this.dampening.length; i++) {
      const dm = this.dampening[i];
      const port = this.dev.ifs.ifds[i];
      if (dm === null || !port.dampened || t < dm.until) continue;
      port.dampened = false;
      setPortState(port);
      dm.count = 0;
      dm.head = 0;
      this.reenabledEvents[i]++;
      this.node.counters[this.node.counterNames.indexOf('port_dampening_reenabled')]++;
      this.dampenedNow--;
    }
  }
}

/** A MAC at d[at, at + 6) as one 48-bit number (exact in a double). */
export function macNumber(d: Uint8Array, at: number): number {
  return (((d[at] << 8) | d[at + 1]) * 0x100000000) + (((d[at + 2] << 24) | (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5]) >>> 0);
}
