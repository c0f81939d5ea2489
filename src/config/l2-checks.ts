// Bridging checks and defaults that both front ends get, run by finishDevice
// once interfaces are known and before IFLs are placed in instances:
// - which units are bridged: `encapsulation vlan-bridge` (needs a vlan-id),
//   an IFD's `encapsulation ethernet-bridge` (unit 0, untagged) or
//   `extended-vlan-bridge` (tagged units), besides `family bridge` /
//   `family ethernet-switching` set by the Junos builder; a bridged unit has
//   no family inet/inet6;
// - a virtual gateway is on an irb unit and has an address;
// - a bridge domain's interfaces exist, are bridged and are in one domain
//   only; they are placed in the domain's instance (so they get no routing
//   table of the default instance); an IFL placed with `interface` in a
//   layer-2 instance must be bridged too;
// - VNIs are unique in the device, vlan-ids unique in a vlan-aware instance
//   (a vlan-based domain may hold units of other VLANs: they are normalised);
// - a routing-interface is an existing irb unit of one domain only;
// - an instance with a VNI has a vtep-source-interface with an address.

import type { Device, Family, Ifl, InterfaceAddress, RoutingInstance, SourceLoc } from './model.js';
import type { FieldLocs, Placement, Problem } from './device-checks.js';
import { parseInterfaceAddress, parseIp, sameSubnet } from './values.js';

export const VNI_MAX = 16_777_215;
// Junos's ranges (the YAML form uses the same).
export const MAC_TABLE_SIZE = { lo: 16, hi: 1_048_575 };
export const INTERFACE_MAC_LIMIT = { lo: 1, hi: 131_071 };
/** Seconds. */
export const MAC_TABLE_AGING_TIME = { lo: 10, hi: 1_000_000 };

/** `lo0` → `lo0.0`, as iflName of device-checks.ts (not imported: that module imports this one). */
const unitName = (name: string): string => (/\.\d+$/.test(name) ? name : `${name}.0`);

function where(loc: SourceLoc | undefined): string {
  return loc ? ` (at ${loc.line}:${loc.col})` : '';
}

/**
 * Why V cannot be a virtual-gateway-address next to `addresses` (Junos: one
 * address A/L, YAML: the unit's addresses), or undefined when it can: V must be
 * an address of the family, inside a subnet of one of them, and none of them.
 */
export function virtualGatewayProblem(v: string, family: Family, addresses: Pick<InterfaceAddress, 'address' | 'prefixLength'>[]): string | undefined {
  const ip = parseIp(v);
  if (!ip || ip.family !== family) return `virtual-gateway-address '${v}' is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`;
  let inside = false;
  for (const a of addresses) {
    const own = parseInterfaceAddress(a.address);
    if (typeof own === 'string') continue;
    if (own.ip.value === ip.value) return `virtual-gateway-address ${v} is the unit's own address`;
    if (sameSubnet(own.ip, ip, a.prefixLength)) inside = true;
  }
  if (!inside) {
    const list = addresses.map((a) => `${a.address}/${a.prefixLength}`).join(', ') || 'none';
    return `virtual-gateway-address ${v} is not in the subnet of the unit's address (${list})`;
  }
  return undefined;
}

/** Marks the bridged units and checks their encapsulation and families. */
function bridgedUnits(device: Device, locs: FieldLocs, problems: Problem[]): void {
  for (const ifd of device.ifds) {
    for (const ifl of ifd.units) {
      if (ifl.encapsulation === 'vlan-bridge') {
        ifl.bridged = true;
        if (ifl.vlanId === undefined) problems.push({ loc: ifl.loc, message: `${ifl.name}: encapsulation vlan-bridge needs a vlan-id` });
      } else if (ifd.encapsulation === 'ethernet-bridge') {
        ifl.bridged = true;
        if (ifl.unit !== 0 || ifl.vlanId !== undefined) {
          problems.push({ loc: ifl.loc, message: `${ifl.name}: ${ifd.name} has encapsulation ethernet-bridge: only unit 0, untagged` });
        }
      } else if (ifd.encapsulation === 'extended-vlan-bridge') {
        ifl.bridged = true;
        if (ifl.vlanId === undefined) problems.push({ loc: ifl.loc, message: `${ifl.name}: ${ifd.name} has encapsulation extended-vlan-bridge: the unit needs a vlan-id` });
      }
      if (!ifl.bridged) continue;
      for (const f of ['inet', 'inet6'] as const) {
        if (ifl[f]) problems.push({ loc: locs.get(ifl, f), message: `${ifl.name}: a bridged unit cannot have family ${f} (route through the bridge domain's routing-interface)` });
      }
    }
  }
}

function virtualGateways(device: Device, problems: Problem[]): void {
  for (const ifl of device.ifds.flatMap((d) => d.units)) {
    const vg = ifl.virtualGateway;
    if (!vg) continue;
    if (!/^irb\.\d+$/.test(ifl.name)) problems.push({ loc: vg.loc, message: `${ifl.name}: a virtual gateway is only valid on an irb unit` });
    else if (!vg.v4.length && !vg.v6.length) problems.push({ loc: vg.loc, message: `${ifl.name}: the virtual gateway has no virtual-gateway-address` });
  }
}

function checkInstance(inst: RoutingInstance, ifls: Map<string, Ifl>, placements: Placement[], seen: Seen, locs: FieldLocs, problems: Problem[]): void {
  const l2 = inst.l2!;
  const vlanAware = l2.serviceType === 'vlan-aware' || inst.type === 'virtual-switch';
  const vlans = new Map<number, string>();
  const listed = new Set(placements.filter((p) => p.instance === inst).map((p) => unitName(p.ifl)));
  let vniWithoutVtep = false;
  for (const bd of l2.bridgeDomains) {
    const what = `bridge domain ${bd.name}`;
    for (const name of bd.interfaces) {
      const loc = locs.get(bd, `interface ${name}`);
      const ifl = ifls.get(name);
      const other = seen.interfaces.get(name);
      if (!ifl) problems.push({ loc, message: `${what}: interface ${name} does not exist` });
      else if (!ifl.bridged) problems.push({ loc, message: `${what}: interface ${name} is not bridged (encapsulation vlan-bridge or family bridge)` });
      else if (other) problems.push({ loc, message: `interface ${name} is in bridge domains ${other.bd}${where(other.loc)} and ${bd.name}` });
      else {
        seen.interfaces.set(name, { bd: bd.name, loc });
        if (!listed.has(name)) placements.push({ instance: inst, ifl: name, loc });
      }
    }
    if (bd.vni !== undefined) {
      const loc = locs.get(bd, 'vni');
      const other = seen.vnis.get(bd.vni);
      if (other) problems.push({ loc, message: `VNI ${bd.vni} is used by bridge domains ${other.bd}${where(other.loc)} and ${bd.name}` });
      else seen.vnis.set(bd.vni, { bd: bd.name, loc });
      if (!l2.vtepSource && !vniWithoutVtep) {
        vniWithoutVtep = true;
        problems.push({ loc, message: `routing instance ${inst.name}: ${what} has a VNI but the instance has no vtep-source-interface` });
      }
    }
    if (vlanAware && bd.vlanId !== undefined) {
      const other = vlans.get(bd.vlanId);
      if (other) problems.push({ loc: locs.get(bd, 'vlanId'), message: `routing instance ${inst.name}: vlan-id ${bd.vlanId} is used by bridge domains ${other} and ${bd.name}` });
      else vlans.set(bd.vlanId, bd.name);
    }
    if (bd.routingInterface !== undefined) {
      const loc = locs.get(bd, 'routingInterface');
      const name = bd.routingInterface;
      const other = seen.irbs.get(name);
      if (!/^irb\.\d+$/.test(name) || !ifls.has(name)) problems.push({ loc, message: `${what}: routing-interface ${name} is not an existing irb unit` });
      else if (other) problems.push({ loc, message: `routing-interface ${name} is used by bridge domains ${other.bd}${where(other.loc)} and ${bd.name}` });
      else seen.irbs.set(name, { bd: bd.name, loc });
    }
  }
  if (l2.vtepSource !== undefined) {
    const loc = locs.get(l2, 'vtepSource');
    const ifl = ifls.get(l2.vtepSource);
    if (!ifl) problems.push({ loc, message: `routing instance ${inst.name}: vtep-source-interface ${l2.vtepSource} does not exist` });
    else if (!ifl.inet?.addresses.length && !ifl.inet6?.addresses.length) {
      problems.push({ loc, message: `routing instance ${inst.name}: vtep-source-interface ${l2.vtepSource} has no address` });
    }
  }
  for (const p of placements) {
    const ifl = p.instance === inst ? ifls.get(unitName(p.ifl)) : undefined;
    if (ifl && !ifl.bridged) problems.push({ loc: p.loc, message: `routing instance ${inst.name}: interface ${ifl.name} is not bridged` });
  }
}

interface Seen {
  interfaces: Map<string, { bd: string; loc?: SourceLoc }>;
  vnis: Map<number, { bd: string; loc?: SourceLoc }>;
  irbs: Map<string, { bd: string; loc?: SourceLoc }>;
}

/** Bridging checks; adds the placements of bridge-domain interfaces into their instances. */
export function checkL2(device: Device, ifls: Map<string, Ifl>, placements: Placement[], locs: FieldLocs, problems: Problem[]): void {
  bridgedUnits(device, locs, problems);
  virtualGateways(device, problems);
  const seen: Seen = { interfaces: new Map(), vnis: new Map(), irbs: new Map() };
  for (const inst of device.instances) if (inst.l2) checkInstance(inst, ifls, placements, seen, locs, problems);
}
