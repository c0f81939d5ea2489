// Link aggregation (IEEE 802.1AX / 802.3ad bundles, Junos aeN) at run time.
//
// A bundle is an IFD with the units; its members are ports without units.
// A frame taken in on a member is the bundle's (ethernet-input maps the port
// to its bundle: the bundle's MAC, MTU, VLANs and IFLs). A frame the bundle
// sends leaves by ONE member chosen per flow: the flow hash modulo the number
// of members up, as an exchange's switches do ("the load-balancing algorithm
// ... uses a modulo operation ... source and destination IPv4 or IPv6 address,
// TCP or UDP source and destination port number": AMS-IX, Link aggregation).
// The same flow always takes the same member, so a flow is never reordered;
// when a member's link goes down it leaves the set and the modulo moves flows.
// LACP is not spoken: a member is in the bundle while its port is up.

import type { DeviceRt } from '../device/device.js';
import { PORT_UP, setPortState } from '../device/interfaces.js';
import { finish, flowHash4, flowHash6 } from '../nodes/flow-hash.js';

export interface BundleRt {
  /** The bundle's IFD index and name (ae0). */
  ifd: number;
  name: string;
  /** Member ports (IFD indexes), in configuration order. */
  members: number[];
  /** The members up now, in configuration order: the first `upCount` entries. */
  up: Int32Array;
  upCount: number;
  /** Members that must be up for the bundle to be up (`minimum-links`, default 1). */
  minimumLinks: number;
}

/** Mixed into the LAG hash so the member choice does not repeat an ECMP choice made with the same flow hash (no polarisation). */
const LAG_SEED = 0x5bd1e995;

export class Lag {
  readonly bundles: BundleRt[] = [];
  /** By IFD: the bundle index of a bundle IFD (-1: not a bundle). */
  readonly bundleOfIfd: Int32Array;
  /** By IFD: the bundle IFD a member port belongs to (-1: not a member). */
  readonly bundleIfdOfPort: Int32Array;
  /** Per member port (by IFD): frames taken in and sent, and their bytes. */
  readonly rxPackets: Float64Array;
  readonly rxBytes: Float64Array;
  readonly txPackets: Float64Array;
  readonly txBytes: Float64Array;

  constructor(private readonly dev: DeviceRt) {
    const ifds = dev.ifs.ifds;
    const n = ifds.length;
    this.bundleOfIfd = new Int32Array(n).fill(-1);
    this.bundleIfdOfPort = new Int32Array(n).fill(-1);
    this.rxPackets = new Float64Array(n);
    this.rxBytes = new Float64Array(n);
    this.txPackets = new Float64Array(n);
    this.txBytes = new Float64Array(n);
    for (const ifd of ifds) {
      const members = ifds.filter((p) => p.model.lag === ifd.name).map((p) => p.index);
      // An aeN with no member configured is a port of its own (captures given straight to ae0).
      if (members.length === 0) continue;
      const b: BundleRt = {
        ifd: ifd.index, name: ifd.name, members, up: new Int32Array(members.length), upCount: 0,
        minimumLinks: ifd.model.aggregatedEther?.minimumLinks ?? 1,
      };
      this.bundleOfIfd[ifd.index] = this.bundles.length;
      this.bundles.push(b);
      for (const m of members) this.bundleIfdOfPort[m] = ifd.index;
      this.refresh(b);
      ifd.linkUp = b.upCount >= b.minimumLinks;
      setPortState(ifd);
    }
    dev.linkListeners.push((port, _up, tsSec, tsNsec) => {
      const bi = this.bundleIfdOfPort[port];
      if (bi < 0) return;
      const b = this.bundles[this.bundleOfIfd[bi]];
      this.refresh(b);
      // The bundle's own link follows its members (its listeners, VRRP and the like, hear of it).
      dev.setLink(b.ifd, b.upCount >= b.minimumLinks, tsSec, tsNsec);
    });
  }

  /**
   * A scenario links the bundle `ifd` itself rather than its members: it is
   * one wire, and sends on its own port (its members' links are not modelled).
   */
  wholeBundle(ifd: number): void {
    this.bundleOfIfd[ifd] = -1;
  }

  /** Recomputes the members up (configuration order). */
  private refresh(b: BundleRt): void {
    const ifds = this.dev.ifs.ifds;
    let k = 0;
    for (const m of b.members) if (ifds[m].down === PORT_UP) b.up[k++] = m;
    b.upCount = k;
  }

  /**
   * The member port a frame of bundle `bundle` leaves by: its flow hash
   * modulo the members up (-1 when none is). Counts the member's output.
   */
  pick(bundle: number, d: Uint8Array, off: number, len: number): number {
    const b = this.bundles[bundle];
    if (b.upCount === 0) return -1;
    const port = b.up[(lagHashBits(d, off, len) >>> 0) % b.upCount];
    this.txPackets[port]++;
    this.txBytes[port] += len;
    return port;
  }
}

/**
 * The hash a bundle spreads frames with: IPv4/IPv6 source and destination,
 * protocol and TCP/UDP ports (flow-hash.ts, the ECMP hash; fragments hash
 * without ports so a datagram's fragments stay together), re-mixed with
 * LAG_SEED; frames that are not IP (ARP, MPLS) or too short to hold the
 * fields hash by their destination and source MACs. Up to two VLAN tags are
 * skipped.
 */
export function lagHash(d: Uint8Array, off: number, len: number): number {
  return lagHashBits(d, off, len) >>> 0;
}

/**
 * lagHash's 32 bits as a signed number, which V8 returns as a small integer:
 * an unsigned one of 2^31 or more leaves a call not inlined as a heap number,
 * 16 bytes allocated for every other packet.
 */
function lagHashBits(d: Uint8Array, off: number, len: number): number {
  const end = off + len;
  let p = off + 12;
  let type = end >= p + 2 ? (d[p] << 8) | d[p + 1] : 0;
  for (let tags = 0; tags < 2 && (type === 0x8100 || type === 0x88a8 || type === 0x9100) && end >= p + 6; tags++) {
    p += 4;
    type = (d[p] << 8) | d[p + 1];
  }
  const l3 = p + 2;
  if (type === 0x0800 && end >= l3 + 20) {
    const ports = l3 + (d[l3] & 15) * 4;
    const proto = d[l3 + 9];
    // flowHash4 reads the ports of unfragmented TCP/UDP: they must be in the frame.
    if ((proto !== 6 && proto !== 17) || end >= ports + 4 || (((d[l3 + 6] & 0x3f) | d[l3 + 7]) !== 0)) return finish(flowHash4(d, l3) ^ LAG_SEED) | 0;
  } else if (type === 0x86dd && end >= l3 + 40) {
    const next = d[l3 + 6];
    if ((next !== 6 && next !== 17) || end >= l3 + 44) return finish(flowHash6(d, l3) ^ LAG_SEED) | 0;
  }
  return macHash(d, off, len) | 0;
}

function macHash(d: Uint8Array, off: number, len: number): number {
  if (len < 12) return 0;
  let h = LAG_SEED;
  for (let i = 0; i < 12; i += 4) h = Math.imul(h ^ ((d[off + i] << 24) | (d[off + i + 1] << 16) | (d[off + i + 2] << 8) | d[off + i + 3]), 0x85ebca6b);
  return finish(h);
}

/** The device's bundles (aeN with members), or null when it has none. */
export function buildLag(dev: DeviceRt): Lag | null {
  return dev.model.ifds.some((i) => i.lag !== undefined) ? new Lag(dev) : null;
}
