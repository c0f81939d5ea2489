// A device described directly in the YAML scenario (interfaces, routes,
// routing-instances) → Device. Same model, same checks as the Junos front end.
// Bridging (mac-vrf instances, bridge domains, virtual gateways) is read in
// scenario-l2.ts.

import type { Node } from 'yaml';
import type { Device, Family, FamilyConfig, Ifd, Ifl, RoutingInstance, SourceLoc, StaticNextHop, StaticRoute } from './model.js';
import { FieldLocs, finishDevice, type Placement } from './device-checks.js';
import type { YamlReader } from './yaml-reader.js';
import {
  FAMILY_MTU_MIN,
  MEDIA_MTU_MAX,
  MEDIA_MTU_MIN,
  UNIT_MAX,
  parseInterfaceAddress,
  parseIp,
  parseIpv4,
  parseMac,
  parsePrefix,
  isRouteDistinguisher,
} from './values.js';
import { L2_INSTANCE_KEYS, checkYamlVirtualGateway, yamlL2Instance, yamlVirtualGateway } from './scenario-l2.js';
import { LAG_IFD_KEYS, yamlLagKey, yamlSflow } from './scenario-lag.js';
import { yamlVrrp } from './vrrp-config.js';
import { VRF_BGP_KEYS, yamlBgp, yamlVrfBgpKey } from './scenario-bgp.js';

export const DEVICE_MODEL_KEYS = ['profile', 'router-id', 'autonomous-system', 'interfaces', 'routes', 'routing-instances', 'vrrp-version', 'sflow', 'bgp'] as const;
const UNIT_KEYS = ['description', 'vlan-id', 'vlan-tags', 'encapsulation', 'inet', 'inet6', 'inet-mtu', 'inet6-mtu', 'arp', 'ndp', 'virtual-gateway', 'proxy-arp', 'vrrp'];
const IFD_KEYS = ['mac', 'mtu', 'description', 'vlan-tagging', 'encapsulation', 'disable', 'units', ...LAG_IFD_KEYS];
const ROUTE_KEYS = ['prefix', 'next-hop', 'interface', 'discard', 'reject', 'next-table', 'preference'];
const INSTANCE_KEYS = ['type', 'interfaces', 'routes', 'route-distinguisher', 'vrf-target', ...VRF_BGP_KEYS, ...L2_INSTANCE_KEYS];
const INSTANCE_TYPES = ['vrf', 'virtual-router', 'forwarding', 'mac-vrf', 'virtual-switch'];
const TAGGING = ['vlan-tagging', 'flexible-vlan-tagging', 'stacked-vlan-tagging'] as const;

export interface Ctx {
  y: YamlReader;
  locs: FieldLocs;
  placements: Placement[];
}

function family(c: Ctx, ifl: Ifl, f: Family, node: Node | null): FamilyConfig {
  const fam: FamilyConfig = ifl[f] ?? { addresses: [], neighbors: [] };
  ifl[f] = fam;
  if (node === null) return fam;
  for (const item of c.y.seq(node, `${ifl.name} ${f}`, true)) {
    const text = c.y.str(item, `${ifl.name} ${f} address`);
    if (text === undefined) continue;
    const a = parseInterfaceAddress(text, f);
    if (typeof a === 'string') c.y.error(item, a);
    else fam.addresses.push({ address: a.address, prefixLength: a.prefixLength, primary: false, preferred: false, loc: c.y.loc(item) });
  }
  return fam;
}

function unitBody(c: Ctx, ifd: Ifd, ifl: Ifl, entries: ReturnType<YamlReader['map']>): void {
  const y = c.y;
  for (const { key, keyNode, value } of entries) {
    const what = `${ifl.name} ${key}`;
    switch (key) {
      case 'description':
      case 'encapsulation':
        ifl[key] = y.str(value, what, y.loc(keyNode));
        break;
      case 'vlan-id':
      case 'vlan-tags': {
        const ids = key === 'vlan-id' ? [value] : y.seq(value, what, false, y.loc(keyNode));
        if (key === 'vlan-tags' && ids.length !== 2) y.error(value, `${what}: expected [outer, inner]`, y.loc(keyNode));
        const [outer, inner] = ids.map((n) => y.int(n ?? null, `${what}: VLAN id`, 1, 4094, y.loc(keyNode)));
        ifl.vlanId = outer;
        if (key === 'vlan-tags') ifl.vlanIdInner = inner;
        c.locs.set(ifl, 'vlanId', y.loc(value, y.loc(keyNode)));
        break;
      }
      case 'inet':
      case 'inet6':
        family(c, ifl, key, value);
        c.locs.set(ifl, key, y.loc(keyNode));
        break;
      case 'virtual-gateway':
        yamlVirtualGateway(c, ifl, value, y.loc(keyNode));
        break;
      case 'proxy-arp': {
        const mode = y.str(value, what, y.loc(keyNode));
        if (mode === 'off' || mode === 'restricted' || mode === 'unrestricted') ifl.proxyArp = mode;
        else if (mode !== undefined) y.error(value, `${what}: expected off, restricted or unrestricted, not '${mode}'`);
        break;
      }
      case 'inet-mtu':
      case 'inet6-mtu': {
        const f: Family = key === 'inet-mtu' ? 'inet' : 'inet6';
        const fam = family(c, ifl, f, null);
        fam.mtu = y.int(value, what, FAMILY_MTU_MIN[f], MEDIA_MTU_MAX, y.loc(keyNode));
        c.locs.set(fam, 'mtu', y.loc(value, y.loc(keyNode)));
        break;
      }
      case 'arp':
      case 'ndp': {
        const f: Family = key === 'arp' ? 'inet' : 'inet6';
        const fam = family(c, ifl, f, null);
        for (const e of y.map(value, what, undefined, y.loc(keyNode))) {
          const ip = parseIp(e.key);
          const mac = y.str(e.value, `${what} ${e.key}`, y.loc(e.keyNode));
          if (!ip || ip.family !== f) y.error(e.keyNode, `${what}: '${e.key}' is not an ${f === 'inet' ? 'IPv4' : 'IPv6'} address`);
          else if (mac !== undefined && !parseMac(mac)) y.error(e.value, `${what} ${e.key}: '${mac}' is not a valid MAC address`);
          else if (mac !== undefined) fam.neighbors.push({ ip: e.key, mac: parseMac(mac)!, loc: y.loc(e.keyNode) });
        }
        break;
      }
    }
  }
  checkYamlVirtualGateway(c, ifl);
  // After the loop: a group is placed under the unit's address whose subnet holds its virtual address.
  const vrrp = entries.find((e) => e.key === 'vrrp');
  if (vrrp) yamlVrrp(y, ifl, vrrp.value, y.loc(vrrp.keyNode));
  void ifd;
}

function ifdOf(c: Ctx, name: string, keyNode: Node, value: Node | null): Ifd {
  const y = c.y;
  const ifd: Ifd = { name, vlanTagging: 'none', disabled: false, units: [], loc: y.loc(keyNode) };
  if (value === null) return ifd;
  const entries = y.map(value, `interface ${name}`, [...new Set([...IFD_KEYS, ...UNIT_KEYS])]);
  const unit0 = entries.filter((e) => UNIT_KEYS.includes(e.key) && e.key !== 'description' && e.key !== 'encapsulation');
  for (const { key, keyNode: k, value: v } of entries) {
    const what = `${name} ${key}`;
    if (key === 'mac') {
      const text = y.str(v, what, y.loc(k));
      if (text !== undefined && !parseMac(text)) y.error(v, `${what}: '${text}' is not a valid MAC address`);
      else if (text !== undefined) ifd.mac = parseMac(text);
    } else if (key === 'mtu') ifd.mtu = y.int(v, what, MEDIA_MTU_MIN, MEDIA_MTU_MAX, y.loc(k));
    else if (key === 'description' || key === 'encapsulation') ifd[key] = y.str(v, what, y.loc(k));
    else if (key === 'disable') ifd.disabled = y.bool(v, what, y.loc(k)) ?? false;
    else if (key === 'vlan-tagging') {
      const t = v !== null && y.isMap(v) ? undefined : (v as { value?: unknown } | null)?.value;
      if (t === true) ifd.vlanTagging = 'vlan-tagging';
      else if (TAGGING.includes(t as (typeof TAGGING)[number])) ifd.vlanTagging = t as Ifd['vlanTagging'];
      else if (t !== false) y.error(v, `${what}: expected true, ${TAGGING.join(', ')}`, y.loc(k));
    } else if (LAG_IFD_KEYS.includes(key)) yamlLagKey(c, ifd, key, k, v);
    else if (key === 'units') {
      for (const u of y.map(v, `${name} units`, undefined, y.loc(k))) {
        const n = Number(u.key);
        if (!/^\d+$/.test(u.key) || n > UNIT_MAX) {
          y.error(u.keyNode, `${name}: unit '${u.key}' is not in 0..${UNIT_MAX}`);
          continue;
        }
        if (n === 0 && unit0.length) y.error(u.keyNode, `${name}: unit 0 is also given by the interface-level keys (${unit0[0]!.key})`);
        const ifl: Ifl = { name: `${name}.${n}`, unit: n, loc: y.loc(u.keyNode) };
        ifd.units.push(ifl);
        if (u.value !== null) unitBody(c, ifd, ifl, y.map(u.value, `${ifl.name}`, UNIT_KEYS));
      }
    }
  }
  // Interface-level inet/inet6/arp/ndp/vlan-id: shorthand for unit 0.
  if (unit0.length) {
    const ifl: Ifl = { name: `${name}.0`, unit: 0, loc: y.loc(unit0[0]!.keyNode) };
    ifd.units.unshift(ifl);
    unitBody(c, ifd, ifl, unit0);
  }
  // An untagged bridge port (`encapsulation: ethernet-bridge`) needs no `units`: it is its unit 0.
  if (ifd.encapsulation === 'ethernet-bridge' && !ifd.units.length) ifd.units.push({ name: `${name}.0`, unit: 0, loc: ifd.loc });
  ifd.units.sort((a, b) => a.unit - b.unit);
  return ifd;
}

function routes(c: Ctx, node: Node | null, inst: RoutingInstance, keyLoc?: SourceLoc): void {
  const y = c.y;
  for (const item of y.seq(node, `${inst.name} routes`, false, keyLoc)) {
    const e = new Map(y.map(item, 'route', ROUTE_KEYS).map((x) => [x.key, x]));
    const loc = y.loc(item);
    const prefixText = e.has('prefix') ? y.str(e.get('prefix')!.value, 'route prefix', loc) : undefined;
    if (!e.has('prefix')) y.error(item, "route: missing 'prefix'");
    if (prefixText === undefined) continue;
    const p = parsePrefix(prefixText);
    if (typeof p === 'string') {
      y.error(e.get('prefix')!.value, `route: ${p}`);
      continue;
    }
    const r: StaticRoute = { family: p.family, prefix: p.prefix, action: 'forward', nextHops: [], loc };
    const nhNode = e.get('next-hop')?.value ?? null;
    for (const n of e.has('next-hop') ? y.seq(nhNode, 'route next-hop', true) : []) {
      const text = y.str(n, 'route next-hop');
      if (text === undefined) continue;
      const ip = parseIp(text);
      let nh: StaticNextHop;
      if (ip && ip.family !== p.family) {
        y.error(n, `route ${r.prefix}: next-hop ${text} is not an ${p.family === 'inet' ? 'IPv4' : 'IPv6'} address`);
        continue;
      } else if (ip) nh = { address: text };
      else {
        nh = { interface: text };
        c.locs.set(nh, 'interface', y.loc(n));
      }
      r.nextHops.push(nh);
    }
    if (e.has('interface')) {
      const name = y.str(e.get('interface')!.value, 'route interface');
      if (name !== undefined) {
        if (r.nextHops.length === 0) r.nextHops.push({});
        for (const nh of r.nextHops) {
          nh.interface = name;
          c.locs.set(nh, 'interface', y.loc(e.get('interface')!.value));
        }
      }
    }
    const discard = e.has('discard') && y.bool(e.get('discard')!.value, 'route discard') === true;
    const reject = e.has('reject') && y.bool(e.get('reject')!.value, 'route reject') === true;
    if (e.has('next-table')) r.nextTable = y.str(e.get('next-table')!.value, 'route next-table');
    if (e.has('preference')) r.preference = y.int(e.get('preference')!.value, 'route preference', 0, 0xffffffff);
    const n = [r.nextHops.length > 0, discard, reject, r.nextTable !== undefined].filter(Boolean).length;
    if (n !== 1) {
      y.error(item, `route ${r.prefix}: needs exactly one of next-hop/interface, discard, reject, next-table`);
      continue;
    }
    r.action = discard ? 'discard' : reject ? 'reject' : r.nextTable !== undefined ? 'next-table' : 'forward';
    if (inst.routes.some((x) => x.prefix === r.prefix)) y.error(item, `route ${r.prefix} is given twice`);
    else inst.routes.push(r);
  }
}

/** Builds a Device from the model keys of a scenario device entry. */
export function yamlDevice(y: YamlReader, name: string, entries: ReturnType<YamlReader['map']>, loc?: SourceLoc): Device {
  const master: RoutingInstance = { name: 'master', type: 'default', interfaces: [], routes: [] };
  const device: Device = { name, profile: 'junos', ifds: [], instances: [master], ignored: [], evpnPeers: [], evpnRoutes: [], source: y.file };
  const c: Ctx = { y, locs: new FieldLocs(), placements: [] };
  for (const { key, keyNode, value } of entries) {
    const kloc = y.loc(keyNode);
    if (key === 'router-id') {
      const t = y.str(value, 'router-id', kloc);
      if (t !== undefined && parseIpv4(t) === undefined) y.error(value, `router-id '${t}' is not an IPv4 address`);
      else device.routerId = t;
    } else if (key === 'autonomous-system') device.autonomousSystem = y.int(value, key, 1, 0xffffffff, kloc);
    else if (key === 'vrrp-version') device.vrrpVersion3 = y.int(value, 'vrrp-version (2 or 3)', 2, 3, kloc) === 3;
    else if (key === 'interfaces') {
      for (const i of y.map(value, `${name} interfaces`, undefined, kloc)) device.ifds.push(ifdOf(c, i.key, i.keyNode, i.value));
    } else if (key === 'routes') routes(c, value, master, kloc);
    else if (key === 'sflow') device.sflow = yamlSflow(c, value, kloc);
    else if (key === 'bgp') device.bgp = yamlBgp(y, c.locs, value, name, kloc);
    else if (key === 'routing-instances') {
      for (const i of y.map(value, `${name} routing-instances`, undefined, kloc)) {
        const e = new Map(y.map(i.value, `routing instance ${i.key}`, INSTANCE_KEYS, y.loc(i.keyNode)).map((x) => [x.key, x]));
        const type = e.has('type') ? y.str(e.get('type')!.value, 'type') : undefined;
        if (type === undefined || !INSTANCE_TYPES.includes(type)) {
          y.error(e.get('type')?.value ?? i.keyNode, `routing instance ${i.key}: type must be ${INSTANCE_TYPES.slice(0, -1).join(', ')} or virtual-switch`);
          continue;
        }
        if (i.key === 'master' || i.key === 'default') y.error(i.keyNode, `routing instance name '${i.key}' is reserved`);
        const inst: RoutingInstance = { name: i.key, type: type as RoutingInstance['type'], interfaces: [], routes: [], loc: y.loc(i.keyNode) };
        device.instances.push(inst);
        if (e.has('interfaces')) {
          for (const n of y.seq(e.get('interfaces')!.value, 'interfaces', true)) {
            const ifl = y.str(n, 'interface');
            if (ifl !== undefined) c.placements.push({ instance: inst, ifl, loc: y.loc(n) });
          }
        }
        if (e.has('routes')) routes(c, e.get('routes')!.value, inst, y.loc(e.get('routes')!.keyNode));
        const rd = e.get('route-distinguisher');
        if (rd) {
          const t = y.str(rd.value, 'route-distinguisher');
          if (t !== undefined && !isRouteDistinguisher(t)) y.error(rd.value, `route-distinguisher '${t}' is not ASN:number or IPv4:number`);
          else inst.routeDistinguisher = t;
        }
        if (e.has('vrf-target')) inst.vrfTarget = y.str(e.get('vrf-target')!.value, 'vrf-target');
        for (const k of VRF_BGP_KEYS) if (e.has(k)) yamlVrfBgpKey(y, c.locs, inst, e.get(k)!);
        if (type === 'mac-vrf' || type === 'virtual-switch') yamlL2Instance(c, inst, e);
        else for (const k of L2_INSTANCE_KEYS) if (e.has(k)) y.error(e.get(k)!.keyNode, `routing instance ${i.key}: ${k} is only valid in a mac-vrf or virtual-switch instance`);
      }
    }
  }
  void loc;
  return finishDevice(device, c.placements, c.locs, y.problems);
}
