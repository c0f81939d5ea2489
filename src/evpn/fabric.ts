import type { DeviceRt } from '../device/device.js';
import { vtepAddress, type Bridge, type BridgeDomainRt } from '../l2/bridge.js';
import { formatIpv4, formatIpv6, formatMac, parseMac } from '../packet/addr.js';
import { routeDistinguisher } from './rd.js';

/** An EVPN route a device holds: received (from a peer or the scenario), for `show` commands. */
export interface ReceivedRoute {
  type: 2 | 3;
  vni: number;
  vtep: string;
  mac?: string;
  ip?: string;
  /** The device it came from, or "scenario". */
  from: string;
  /** The sender's route distinguisher (routes from peers in the scenario). */
  rd?: string;
}

/**
 * The EVPN control plane of a run. BGP is not spoken: routes a device would
 * receive are installed directly — those the scenario gives (`evpn:` of a
 * device), and those of its EVPN peers in the scenario (a BGP neighbour with
 * family evpn that is another device's address, configured on both sides).
 * At start a peer's type-3 routes put its VTEP in the flood list of each VNI
 * both have, and its IRB MACs are type-2 routes; while the run goes on, each
 * MAC or MAC+IP a device learns locally is a type-2 route its peers install
 * at once (convergence takes no time here), and a local MAC that ages out
 * is withdrawn: its peers remove it and its MAC+IP bindings. Peers and
 * routes that connect to nothing are reported in the device's warnings.
 */
export function connectEvpn(devices: readonly DeviceRt[]): void {
  for (const dev of devices) {
    const br = dev.bridge;
    if (!br) continue;
    for (const r of dev.model.evpnRoutes) {
      const bd = br.bdOfVni.get(r.vni);
      if (bd === undefined) {
        dev.warnings.push(`EVPN type-${r.type} route for VNI ${r.vni} from ${r.vtep}: no bridge domain has that VNI; ignored`);
        continue;
      }
      const vtep = br.vteps.of(r.vtep, 'evpn').index;
      if (r.type === 3) br.addFloodVtep(bd, vtep);
      else br.addRemote(bd, vtep, parseMac(r.mac!), r.ip, 0);
      br.received.push({ type: r.type, vni: r.vni, vtep: r.vtep, mac: r.mac, ip: r.ip, from: 'scenario' });
    }
  }
  const owner = new Map<string, DeviceRt>();
  for (const dev of devices) {
    for (const l of dev.ifs.ifls) {
      for (const a of l.v4) owner.set(formatIpv4(a.ip), dev);
      for (const a of l.v6) owner.set(formatIpv6(a.ip), dev);
    }
  }
  const receivers = new Map<DeviceRt, DeviceRt[]>();
  for (const dev of devices) {
    for (const p of dev.model.evpnPeers) {
      const peer = owner.get(p.address);
      if (!peer || peer === dev) continue; // a peer outside the scenario: its routes, if any, are given as evpn: routes
      if (!dev.bridge || !peer.bridge) continue;
      if (!peer.model.evpnPeers.some((q) => owner.get(q.address) === dev)) {
        dev.warnings.push(`EVPN peer ${p.address} (${peer.name}) has no BGP session back to ${dev.name}: no routes exchanged`);
        continue;
      }
      (receivers.get(peer) ?? receivers.set(peer, []).get(peer)!).push(dev);
    }
  }
  for (const [from, tos] of receivers) {
    for (const to of tos) initialRoutes(from, to);
    const src = from.bridge!;
    src.advertise = (bd, mac, ip) => {
      const dom = src.domains[bd];
      for (const to of tos) install(to, dom, vtepAddress(dom), mac, ip ?? undefined, from);
    };
    src.withdraw = (bd, mac) => {
      const dom = src.domains[bd];
      for (const to of tos) withdraw(to, dom, vtepAddress(dom), mac);
    };
  }
}

/** A peer's type-3 routes (one per VNI) and its IRB MACs (type 2), as a session comes up. */
function initialRoutes(from: DeviceRt, to: DeviceRt): void {
  for (const dom of from.bridge!.domains) {
    if (!dom.evpn || dom.vni < 0) continue;
    const bd = to.bridge!.bdOfVni.get(dom.vni);
    if (bd === undefined || !to.bridge!.domains[bd].evpn) continue;
    const vtep = to.bridge!.vteps.of(vtepAddress(dom), 'evpn').index;
    to.bridge!.addFloodVtep(bd, vtep);
    to.bridge!.received.push({ type: 3, vni: dom.vni, vtep: vtepAddress(dom), from: from.name, rd: routeDistinguisher(from, dom) });
    if (dom.irb >= 0) install(to, dom, vtepAddress(dom), from.ifs.ifds[from.ifs.ifls[dom.irb].ifd].mac, undefined, from);
  }
}

function install(to: DeviceRt, from: BridgeDomainRt, vtepText: string, mac: Uint8Array, ip: string | undefined, sender: DeviceRt): void {
  const br: Bridge = to.bridge!;
  const bd = br.bdOfVni.get(from.vni);
  if (bd === undefined || !br.domains[bd].evpn) return;
  const vtep = br.vteps.of(vtepText, 'evpn').index;
  br.addRemote(bd, vtep, mac, ip, 0);
  br.received.push({ type: 2, vni: from.vni, vtep: vtepText, mac: formatMac(mac), ip, from: sender.name, rd: routeDistinguisher(sender, from) });
}

/** A MAC aged out at its PE: the peer drops its type-2 routes (MAC and MAC+IP) and what they installed. */
function withdraw(to: DeviceRt, from: BridgeDomainRt, vtepText: string, mac: Uint8Array): void {
  const br = to.bridge!;
  const bd = br.bdOfVni.get(from.vni);
  if (bd === undefined || !br.domains[bd].evpn) return;
  br.removeRemote(bd, br.vteps.of(vtepText, 'evpn').index, mac);
  const text = formatMac(mac);
  for (let i = br.received.length - 1; i >= 0; i--) {
    const r = br.received[i];
    if (r.type === 2 && r.vni === from.vni && r.vtep === vtepText && r.mac === text) br.received.splice(i, 1);
  }
}
