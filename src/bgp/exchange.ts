// BGP between the scenario's devices: a session whose peer address is another
// device's, where that device has the session back (its neighbour is this
// side's local address), carries each side's advertisements to the other.
// BGP is not spoken, so the exchange runs to a fixed point at the start and
// after every change (a session event, a link event, a hold time running
// out): each side's adverts (speaker.advertise) replace what the other holds
// from it (speaker.receive), until nothing changes.
//
// Failure is a router's: a session event (Junos `deactivate ... neighbor`)
// closes the session on both sides at once; a link going down closes it at
// once on the side whose interface it is, while the other side, told
// nothing, keeps the session and its paths until its hold time runs out
// (BFD is not modelled).

import type { DeviceRt } from '../device/device.js';
import { formatIpv4, formatIpv6 } from '../packet/addr.js';
import type { BgpPath } from './path.js';
import { BgpSpeaker, SessionRt, VPN_TABLE } from './speaker.js';

/** Rounds of exchange after which the routes are taken as not converging (a MED oscillation, a policy loop). */
export const MAX_ROUNDS = 64;

interface End {
  dev: DeviceRt;
  s: SessionRt;
}

interface Pair {
  a: End;
  b: End;
}

/** A hold timer of one side: the session goes down at this input time unless the link comes back. */
interface Hold {
  end: End;
  sec: number;
  nsec: number;
}

export class BgpExchange {
  readonly pairs: Pair[] = [];
  private readonly holds: Hold[] = [];
  /** Set when the routes did not converge in MAX_ROUNDS (reported once as a warning). */
  unconverged = false;

  constructor(private readonly devices: readonly DeviceRt[]) {
    const owner = new Map<string, DeviceRt>();
    for (const d of devices) {
      for (const l of d.ifs.ifls) {
        for (const a of l.v4) if (!owner.has(formatIpv4(a.ip))) owner.set(formatIpv4(a.ip), d);
        for (const a of l.v6) if (!owner.has(formatIpv6(a.ip, 0))) owner.set(formatIpv6(a.ip, 0), d);
      }
    }
    const paired = new Set<SessionRt>();
    for (const d of devices) {
      for (const s of d.bgp?.sessions ?? []) {
        const o = owner.get(s.cfg.peer);
        if (!o || o === d || !o.bgp || paired.has(s)) continue;
        const back = o.bgp.sessions.find((t) => t.cfg.peer === s.localAddress && t.localAddress === s.cfg.peer && !paired.has(t));
        if (!back) continue;
        paired.add(s).add(back);
        this.pairs.push({ a: { dev: d, s }, b: { dev: o, s: back } });
      }
    }
    for (const d of devices) {
      if (!d.bgp) continue;
      d.bgpSessionListeners.push((instance, peer, up) => this.sessionEvent(d, instance, peer, up));
      d.linkListeners.push((ifd, up, sec, nsec) => this.linkEvent(d, ifd, up, sec, nsec));
      d.timers.push((sec, nsec) => this.expire(sec, nsec));
    }
    this.converge();
  }

  /** Runs the exchange to a fixed point. */
  converge(): void {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const p of this.pairs) {
        changed = this.send(p.a, p.b) || changed;
        changed = this.send(p.b, p.a) || changed;
      }
      if (!changed) return;
    }
    this.unconverged = true;
  }

  /** One side's adverts to the other, as the receiver sees them (its session's peer, AS and type; its tables). */
  private send(from: End, to: End): boolean {
    if (!from.s.up || !to.s.up) return false;
    const r = to.s.cfg;
    const unicast = r.instance === 'master' ? 'inet.0' : `${r.instance}.inet.0`;
    const advert: BgpPath[] = [];
    for (const p of from.dev.bgp!.advertise(from.s)) {
      const vpn = p.rd !== undefined;
      if (vpn ? !to.s.carries('inet-vpn-unicast') : !(to.s.carries('inet-unicast') || r.instance !== 'master')) continue;
      if (p.prefix.includes(':')) continue; // IPv6 unicast and 6VPE are not exchanged yet
      advert.push({ ...p, table: vpn ? VPN_TABLE : unicast, peer: r.peer, peerAs: r.peerAs ?? 0, internal: r.internal, peerRouterId: from.dev.bgp!.routerId, loc: undefined });
    }
    return to.dev.bgp!.receive(to.s, advert);
  }

  private pairOf(s: SessionRt): { me: End; other: End } | null {
    for (const p of this.pairs) {
      if (p.a.s === s) return { me: p.a, other: p.b };
      if (p.b.s === s) return { me: p.b, other: p.a };
    }
    return null;
  }

  /** Timeline `bgp-session-down|up`: the session closes (or opens) on both sides. */
  private sessionEvent(d: DeviceRt, instance: string, peer: string, up: boolean): void {
    const s = d.bgp!.session(instance, peer);
    if (!s) return;
    const pair = this.pairOf(s);
    d.bgp!.setUp(s, up);
    if (pair) {
      pair.other.dev.bgp!.setUp(pair.other.s, up);
      this.cancelHold(pair.other);
    }
    this.converge();
  }

  /**
   * A link of device d went down or up: sessions whose local address is on
   * that port close at once on d's side; the peer's side holds on for its
   * hold time. Up: both sides open again.
   */
  private linkEvent(d: DeviceRt, ifd: number, up: boolean, sec: number, nsec: number): void {
    let changed = false;
    for (const s of d.bgp!.sessions) {
      if (!this.onPort(d, s, ifd)) continue;
      const pair = this.pairOf(s);
      d.bgp!.setUp(s, up);
      changed = true;
      if (!pair) continue;
      if (up) {
        this.cancelHold(pair.other);
        pair.other.dev.bgp!.setUp(pair.other.s, true);
      } else if (pair.other.s.up && pair.other.s.cfg.holdTime > 0) {
        this.holds.push({ end: pair.other, sec: sec + pair.other.s.cfg.holdTime, nsec }); // whole seconds
      }
    }
    if (changed) {
      for (const dev of this.devices) for (const t of dev.bgp?.tables.values() ?? []) t.invalidate();
      this.converge();
    }
  }

  /** Whether session s of device d leaves by port ifd: its local address is on one of the port's units. */
  private onPort(d: DeviceRt, s: SessionRt, ifd: number): boolean {
    if (!s.localAddress) return false;
    for (const i of d.ifs.ifds[ifd]!.ifls) {
      const l = d.ifs.ifls[i]!;
      if (l.v4.some((a) => formatIpv4(a.ip) === s.localAddress) || l.v6.some((a) => formatIpv6(a.ip, 0) === s.localAddress)) return true;
    }
    return false;
  }

  private cancelHold(end: End): void {
    for (let i = this.holds.length - 1; i >= 0; i--) if (this.holds[i]!.end.s === end.s) this.holds.splice(i, 1);
  }

  /** Hold timers that ran out by input time sec/nsec: those sessions close. */
  private expire(sec: number, nsec: number): void {
    if (this.holds.length === 0) return;
    let changed = false;
    for (let i = 0; i < this.holds.length; ) {
      const h = this.holds[i]!;
      if (h.sec < sec || (h.sec === sec && h.nsec <= nsec)) {
        this.holds.splice(i, 1);
        h.end.dev.bgp!.setUp(h.end.s, false);
        h.end.dev.bgpHoldExpired++;
        changed = true;
      } else i++;
    }
    if (changed) this.converge();
  }
}

/** Connects the BGP of a run's devices (every run: a lone device's scenario paths are installed the same way). */
export function connectBgp(devices: readonly DeviceRt[]): BgpExchange | null {
  if (!devices.some((d) => d.bgp)) return null;
  return new BgpExchange(devices);
}

export { BgpSpeaker };
