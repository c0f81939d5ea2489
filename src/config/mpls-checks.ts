// Checks of GRE tunnels and static MPLS that need the whole device, run by
// finishDevice once interfaces and instances are known:
// - a gr- unit has `tunnel { source; destination; }` of one family, its
//   source is an address of this device, its routing-instance exists, and no
//   two units have the same endpoints (a received GRE packet finds one unit);
// - `protocols mpls interface` names existing IFLs;
// - a static LSP's next hop resolves to an IFL: an address on a connected
//   IPv4 subnet (Junos: static LSP next hops are directly connected), or a
//   point-to-point interface (a gr- unit); that IFL has `family mpls` and is
//   enabled under `protocols mpls`; swap needs a next hop; an incoming label
//   belongs to one LSP only;
// - `static-lsp-next-hop NAME` names an LSP with an ingress.

import type { Device, Ifl, LspNextHop, SourceLoc } from './model.js';
import type { FieldLocs, Problem } from './device-checks.js';
import { formatIp, parseInterfaceAddress, parseIp, sameSubnet } from './values.js';

const GRE_IFD = /^gr-/;

/** Whether an IFL takes and sends labelled packets: `family mpls` and listed under `protocols mpls` (or `interface all`). */
export function mplsEnabled(device: Device, ifl: Ifl): boolean {
  const m = device.mpls;
  return !!ifl.mpls && !!m && (m.allInterfaces || m.interfaces.includes(ifl.name));
}

/** Whether an IFL is a GRE tunnel unit (a gr- unit with a tunnel). */
export function isGreUnit(ifl: Ifl): boolean {
  return GRE_IFD.test(ifl.name) && ifl.tunnel !== undefined;
}

/**
 * The IFL a static LSP's next hop leaves by, or a message saying why there is
 * none: an address must be on a connected IPv4 subnet (of the interface, when
 * one is given too); an interface alone must be point-to-point (a gr- unit).
 */
export function resolveLspNextHop(device: Device, nh: LspNextHop): Ifl | string {
  const all = device.ifds.flatMap((d) => d.units);
  if (nh.interface !== undefined) {
    const ifl = all.find((l) => l.name === nh.interface);
    if (!ifl) return `next-hop interface ${nh.interface} does not exist`;
    if (nh.address === undefined) {
      return isGreUnit(ifl) ? ifl : `next-hop ${nh.interface} is not a point-to-point interface: give the neighbour's address`;
    }
    return onSubnet(ifl, nh.address) ? ifl : `next-hop ${nh.address} is not on a subnet of ${nh.interface}`;
  }
  const master = new Set(device.instances[0]!.interfaces);
  const ifl = all.find((l) => master.has(l.name) && onSubnet(l, nh.address!));
  return ifl ?? `next-hop ${nh.address} is not on a directly connected subnet`;
}

function canonical(address: string): string {
  const ip = parseIp(address);
  return ip ? formatIp(ip) : address;
}

function onSubnet(ifl: Ifl, address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return (ifl.inet?.addresses ?? []).some((a) => {
    const own = parseInterfaceAddress(a.address);
    if (typeof own === 'string' || a.prefixLength >= 32 || own.ip.value === ip.value || !sameSubnet(own.ip, ip, a.prefixLength)) return false;
    // The subnet's network and broadcast addresses are no neighbour (as a static route's next hop there does not resolve).
    const hostBits = BigInt(32 - a.prefixLength);
    const host = ip.value & ((1n << hostBits) - 1n);
    return a.prefixLength >= 31 || (host !== 0n && host !== (1n << hostBits) - 1n);
  });
}

export function checkMpls(device: Device, ifls: Map<string, Ifl>, locs: FieldLocs, problems: Problem[]): void {
  const bad = (loc: SourceLoc | undefined, message: string): void => void problems.push({ loc, message });
  const local = new Set<string>();
  for (const ifl of ifls.values()) for (const fam of [ifl.inet, ifl.inet6]) for (const a of fam?.addresses ?? []) local.add(canonical(a.address));

  // GRE units.
  const endpoints = new Map<string, Ifl>();
  for (const ifd of device.ifds) {
    for (const ifl of ifd.units) {
      const t = ifl.tunnel;
      if (!GRE_IFD.test(ifd.name)) {
        if (t) device.ignored.push({ path: `interfaces ${ifd.name} unit ${ifl.unit} tunnel`, loc: t.loc! });
        continue;
      }
      const missing = !t ? ['tunnel'] : [t.source === undefined ? 'source' : '', t.destination === undefined ? 'destination' : ''].filter(Boolean);
      if (!t || missing.length) {
        bad(t?.loc ?? ifl.loc, `${ifl.name}: a GRE unit needs tunnel { source; destination; } (missing ${missing.join(' and ')})`);
        continue;
      }
      const src = parseIp(t.source!)!;
      const dst = parseIp(t.destination!)!;
      if (src.family !== dst.family) {
        bad(locs.get(t, 'destination'), `${ifl.name}: tunnel source ${t.source} and destination ${t.destination} are not of the same family`);
      }
      if (!local.has(canonical(t.source!))) bad(locs.get(t, 'source'), `${ifl.name}: tunnel source ${t.source} is not an address of this device`);
      if (t.destinationInstance !== undefined && !device.instances.some((i) => i.name === t.destinationInstance)) {
        bad(locs.get(t, 'destinationInstance'), `${ifl.name}: tunnel routing-instance destination ${t.destinationInstance} is not a routing instance`);
      }
      const key = `${t.source} ${t.destination} ${t.destinationInstance ?? ''}`;
      const other = endpoints.get(key);
      if (other) bad(t.loc, `${ifl.name}: tunnel ${t.source} → ${t.destination} is also ${other.name}'s`);
      else endpoints.set(key, ifl);
    }
  }

  const m = device.mpls;
  if (m) {
    for (const name of m.interfaces) {
      if (!ifls.has(name)) bad(locs.get(m, `interface ${name}`), `protocols mpls: interface ${name} does not exist`);
    }
    const inLabels = new Map<number, string>();
    const hop = (lsp: string, nh: LspNextHop | undefined, loc: SourceLoc | undefined): void => {
      if (!nh) return;
      const ifl = resolveLspNextHop(device, nh);
      if (typeof ifl === 'string') return bad(nh.loc ?? loc, `static-label-switched-path ${lsp}: ${ifl}`);
      if (!ifl.mpls) return bad(nh.loc ?? loc, `static-label-switched-path ${lsp}: family mpls is not configured on ${ifl.name}`);
      if (!mplsEnabled(device, ifl)) bad(nh.loc ?? loc, `static-label-switched-path ${lsp}: ${ifl.name} is not under protocols mpls (interface ${ifl.name}; or interface all;)`);
    };
    for (const lsp of m.staticLsps) {
      if (lsp.ingress) hop(lsp.name, lsp.ingress.nextHop, lsp.ingress.loc);
      for (const t of lsp.transit) {
        const prev = inLabels.get(t.inLabel);
        if (prev !== undefined) bad(t.loc, `static-label-switched-path ${lsp.name}: transit label ${t.inLabel} is also used by ${prev}`);
        else inLabels.set(t.inLabel, lsp.name);
        if (t.swap !== undefined && !t.nextHop) bad(t.loc, `static-label-switched-path ${lsp.name} transit ${t.inLabel}: swap needs a next-hop`);
        hop(lsp.name, t.nextHop, t.loc);
      }
    }
  }

  for (const inst of device.instances) {
    for (const r of inst.routes) {
      if (r.action !== 'static-lsp') continue;
      const lsp = m?.staticLsps.find((l) => l.name === r.lsp);
      if (!lsp) bad(locs.get(r, 'lsp'), `static route ${r.prefix}: static-lsp-next-hop ${r.lsp} is not a static-label-switched-path`);
      else if (!lsp.ingress) bad(locs.get(r, 'lsp'), `static route ${r.prefix}: static-label-switched-path ${r.lsp} has no ingress`);
    }
  }
}
