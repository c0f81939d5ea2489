// Checks and defaults that both front ends apply to a Device once it is built:
// placement of IFLs in routing instances, static next-hop interfaces,
// duplicate addresses, MTUs, VLAN ids, static neighbours, primary addresses;
// bridging in l2-checks.ts, IPsec in security-checks.ts, MPLS in mpls-checks.ts.

import type { Device, FamilyConfig, Ifl, RoutingInstance, SourceLoc } from './model.js';
import {
  DEFAULT_ETHERNET_MTU,
  ETHERNET_HEADER_LEN,
  formatIp,
  isEthernetIfd,
  parseInterfaceAddress,
  parseIp,
  sameSubnet,
} from './values.js';
import { checkSecurity } from './security-checks.js';
import { checkMpls } from './mpls-checks.js';
import { checkL2 } from './l2-checks.js';
import { checkLag, checkSflow } from './lag-checks.js';
import { checkBgp } from './bgp-checks.js';

export interface Problem {
  loc?: SourceLoc;
  message: string;
}

/** Locations of individual fields of model objects (the model keeps one loc per object). */
export class FieldLocs {
  private readonly map = new WeakMap<object, Map<string, SourceLoc>>();
  set(obj: object, field: string, loc: SourceLoc | undefined): void {
    if (!loc) return;
    let m = this.map.get(obj);
    if (!m) this.map.set(obj, (m = new Map()));
    m.set(field, loc);
  }
  get(obj: object, field: string): SourceLoc | undefined {
    return this.map.get(obj)?.get(field) ?? (obj as { loc?: SourceLoc }).loc;
  }
}

/** An IFL named in a routing instance (`interface et-0/0/1.0`), before checking. */
export interface Placement {
  instance: RoutingInstance;
  ifl: string;
  loc?: SourceLoc;
}

/** `et-0/0/1` → `et-0/0/1.0` (Junos reads an IFD name as its unit 0 here). */
export function iflName(name: string): string {
  return /\.\d+$/.test(name) ? name : `${name}.0`;
}

function where(loc: SourceLoc | undefined): string {
  return loc ? ` (at ${loc.line}:${loc.col})` : '';
}

export function finishDevice(device: Device, placements: Placement[], locs: FieldLocs, problems: Problem[]): Device {
  const ifls = new Map<string, Ifl>();
  for (const ifd of device.ifds) {
    if (ifd.mtu === undefined && isEthernetIfd(ifd.name)) ifd.mtu = DEFAULT_ETHERNET_MTU;
    const vlans = new Map<string, Ifl>();
    for (const ifl of ifd.units) {
      ifls.set(ifl.name, ifl);
      if (ifl.vlanId !== undefined) {
        const vloc = locs.get(ifl, 'vlanId');
        if (ifd.vlanTagging === 'none') {
          problems.push({ loc: vloc, message: `${ifl.name}: a VLAN id needs vlan-tagging, flexible-vlan-tagging or stacked-vlan-tagging on ${ifd.name}` });
        }
        const key = `${ifl.vlanId}/${ifl.vlanIdInner ?? ''}`;
        const other = vlans.get(key);
        if (other) problems.push({ loc: vloc, message: `${ifl.name}: VLAN ${key.replace(/\/$/, '')} is already used by ${other.name}${where(locs.get(other, 'vlanId'))}` });
        else vlans.set(key, ifl);
      }
      for (const fam of [ifl.inet, ifl.inet6]) if (fam) checkFamily(ifl, fam, ifd.mtu, locs, problems);
    }
  }

  // Bridged units and bridge domains; a domain's interfaces become placements in its instance.
  checkL2(device, ifls, placements, locs, problems);

  // Routing instances: every IFL in at most one; the default instance gets the rest.
  const placedIn = new Map<string, Placement>();
  for (const p of placements) {
    const name = iflName(p.ifl);
    if (!ifls.has(name)) {
      problems.push({ loc: p.loc, message: `routing instance ${p.instance.name}: interface ${name} does not exist` });
      continue;
    }
    const prev = placedIn.get(name);
    if (prev) {
      const same = prev.instance === p.instance;
      problems.push({
        loc: p.loc,
        message: same
          ? `routing instance ${p.instance.name}: interface ${name} is listed twice`
          : `interface ${name} is in routing instance ${prev.instance.name}${where(prev.loc)} and ${p.instance.name}`,
      });
      continue;
    }
    placedIn.set(name, p);
    p.instance.interfaces.push(name);
  }
  const master = device.instances[0]!;
  const inMaster = new Set(master.interfaces);
  for (const name of ifls.keys()) if (!placedIn.has(name) && !inMaster.has(name)) master.interfaces.push(name);

  for (const inst of device.instances) {
    checkAddresses(inst, ifls, locs, problems);
    for (const r of inst.routes) {
      for (const nh of r.nextHops) {
        if (nh.interface === undefined) continue;
        nh.interface = iflName(nh.interface);
        if (!ifls.has(nh.interface)) {
          problems.push({ loc: locs.get(nh, 'interface') ?? r.loc, message: `static route ${r.prefix}: next-hop interface ${nh.interface} does not exist` });
        }
      }
    }
  }
  checkSecurity(device, ifls, locs, problems);
  checkMpls(device, ifls, locs, problems);
  checkLag(device, locs, problems);
  checkSflow(device, problems);
  checkBgp(device, locs, problems);
  return device;
}

function checkFamily(ifl: Ifl, fam: FamilyConfig, mediaMtu: number | undefined, locs: FieldLocs, problems: Problem[]): void {
  const family = fam === ifl.inet ? 'inet' : 'inet6';
  if (fam.mtu !== undefined && mediaMtu !== undefined && fam.mtu > mediaMtu - ETHERNET_HEADER_LEN) {
    problems.push({
      loc: locs.get(fam, 'mtu'),
      message: `${ifl.name}: family ${family} mtu ${fam.mtu} is larger than the media mtu ${mediaMtu} minus the ${ETHERNET_HEADER_LEN}-byte Ethernet header (${mediaMtu - ETHERNET_HEADER_LEN})`,
    });
  }
  const primaries = fam.addresses.filter((a) => a.primary);
  for (const extra of primaries.slice(1)) {
    problems.push({ loc: extra.loc, message: `${ifl.name}: more than one primary ${family} address (also ${primaries[0]!.address}${where(primaries[0]!.loc)})` });
  }
  if (primaries.length === 0 && fam.addresses[0]) fam.addresses[0].primary = true;
  for (const n of fam.neighbors) {
    const ip = parseIp(n.ip);
    const ok = ip && fam.addresses.some((a) => {
      const av = parseInterfaceAddress(a.address);
      return typeof av !== 'string' && sameSubnet(av.ip, ip, a.prefixLength);
    });
    if (!ok) problems.push({ loc: n.loc, message: `${ifl.name}: static ${family === 'inet' ? 'ARP' : 'NDP'} entry ${n.ip} is not in a subnet of the interface` });
  }
}

function checkAddresses(inst: RoutingInstance, ifls: Map<string, Ifl>, locs: FieldLocs, problems: Problem[]): void {
  const seen = new Map<string, { ifl: string; loc?: SourceLoc }>();
  for (const name of inst.interfaces) {
    const ifl = ifls.get(name)!;
    for (const fam of [ifl.inet, ifl.inet6]) {
      for (const a of fam?.addresses ?? []) {
        const v = parseInterfaceAddress(a.address);
        if (typeof v === 'string') continue;
        const key = formatIp(v.ip);
        const prev = seen.get(key);
        if (prev) {
          const scope = inst.type === 'default' ? '' : ` in routing instance ${inst.name}`;
          problems.push({ loc: a.loc, message: `duplicate address ${key}${scope}: already on ${prev.ifl}${where(prev.loc)}` });
        } else seen.set(key, { ifl: name, loc: a.loc });
      }
    }
  }
  void locs;
}
