// Bridging in YAML-described devices, and the EVPN routes a scenario gives a
// device. Same model and checks (l2-checks.ts) as the Junos front end:
//   interfaces: { eth1: { units: { 10: { vlan-id: 10, encapsulation: vlan-bridge } } },
//                 irb: { units: { 10: { inet: [10.0.10.2/24],
//                   virtual-gateway: { address: [10.0.10.1], mac: 00:00:5e:00:01:01, accept-data: true } } } } }
//   routing-instances: { MV: { type: mac-vrf, vtep-source: lo0.0, evpn: true, service-type: vlan-aware,
//     bridge-domains: { V10: { vlan-id: 10, vni: 10010, interfaces: [eth1.10], routing-interface: irb.10,
//       remote-vteps: [192.0.2.2], udp-port: 4789, mac-limit: 1000, interface-mac-limit: 100,
//       aging-time: 300, learning: true, arp-suppression: true } } } }
//   evpn: [ { type: 2, vni: 10010, mac: 02:00:00:00:00:02, ip: 10.0.10.20, vtep: 192.0.2.2 },
//           { type: 3, vni: 10010, vtep: 192.0.2.2 } ]

import type { Node } from 'yaml';
import type { BridgeDomain, EvpnRoute, Ifl, L2Instance, RoutingInstance, SourceLoc } from './model.js';
import type { MapEntry, YamlReader } from './yaml-reader.js';
import type { FieldLocs } from './device-checks.js';
import { iflName } from './device-checks.js';
import { INTERFACE_MAC_LIMIT, MAC_TABLE_AGING_TIME, MAC_TABLE_SIZE, VNI_MAX, virtualGatewayProblem } from './l2-checks.js';
import { parseIp, parseMac } from './values.js';

/** Keys of a routing instance that only a mac-vrf or virtual-switch may have. */
export const L2_INSTANCE_KEYS = ['vtep-source', 'evpn', 'service-type', 'bridge-domains'];
const BRIDGE_DOMAIN_KEYS = [
  'vlan-id',
  'vni',
  'interfaces',
  'routing-interface',
  'remote-vteps',
  'udp-port',
  'mac-limit',
  'interface-mac-limit',
  'aging-time',
  'learning',
  'arp-suppression',
];
const VIRTUAL_GATEWAY_KEYS = ['address', 'mac', 'accept-data'];
const EVPN_ROUTE_KEYS = ['type', 'vni', 'mac', 'ip', 'vtep'];
const SERVICE_TYPES = ['vlan-based', 'vlan-bundle', 'vlan-aware'] as const;

interface L2Ctx {
  y: YamlReader;
  locs: FieldLocs;
}

/** An IFL name (`eth1` → `eth1.0`), its location recorded as `field` of `obj`. */
function iflRef(c: L2Ctx, node: Node | null, what: string, obj: object, field: string): string | undefined {
  const text = c.y.str(node, what);
  if (text === undefined) return undefined;
  c.locs.set(obj, field, c.y.loc(node));
  return iflName(text);
}

function bridgeDomain(c: L2Ctx, e: MapEntry): BridgeDomain {
  const y = c.y;
  const bd: BridgeDomain = { name: e.key, interfaces: [], staticRemoteVteps: [], noMacLearning: false, noArpSuppression: false, loc: y.loc(e.keyNode) };
  const what = `bridge domain ${e.key}`;
  for (const { key, keyNode, value } of y.map(e.value, what, BRIDGE_DOMAIN_KEYS, y.loc(e.keyNode))) {
    const kloc = y.loc(keyNode);
    const at = y.loc(value, kloc);
    switch (key) {
      case 'vlan-id':
        bd.vlanId = y.int(value, `${what} vlan-id`, 1, 4094, kloc);
        c.locs.set(bd, 'vlanId', at);
        break;
      case 'vni':
        bd.vni = y.int(value, `${what} vni`, 1, VNI_MAX, kloc);
        c.locs.set(bd, 'vni', at);
        break;
      case 'interfaces':
        for (const n of y.seq(value, `${what} interfaces`, true, kloc)) {
          const text = y.str(n, `${what} interface`);
          if (text === undefined) continue;
          bd.interfaces.push(iflName(text));
          c.locs.set(bd, `interface ${iflName(text)}`, y.loc(n));
        }
        break;
      case 'routing-interface':
        bd.routingInterface = iflRef(c, value, `${what} routing-interface`, bd, 'routingInterface');
        break;
      case 'remote-vteps':
        for (const n of y.seq(value, `${what} remote-vteps`, true, kloc)) {
          const text = y.str(n, `${what} remote-vtep`);
          if (text !== undefined && !parseIp(text)) y.error(n, `${what} remote-vteps: '${text}' is not an IP address`);
          else if (text !== undefined) bd.staticRemoteVteps.push(text);
        }
        break;
      case 'udp-port':
        bd.udpPort = y.int(value, `${what} udp-port`, 1, 65535, kloc);
        break;
      case 'mac-limit':
        bd.macTableSize = y.int(value, `${what} mac-limit`, MAC_TABLE_SIZE.lo, MAC_TABLE_SIZE.hi, kloc);
        break;
      case 'interface-mac-limit':
        bd.interfaceMacLimit = y.int(value, `${what} interface-mac-limit`, INTERFACE_MAC_LIMIT.lo, INTERFACE_MAC_LIMIT.hi, kloc);
        break;
      case 'aging-time':
        bd.macTableAgingTime = y.int(value, `${what} aging-time`, MAC_TABLE_AGING_TIME.lo, MAC_TABLE_AGING_TIME.hi, kloc);
        break;
      case 'learning':
        bd.noMacLearning = y.bool(value, `${what} learning`, kloc) === false;
        break;
      case 'arp-suppression':
        bd.noArpSuppression = y.bool(value, `${what} arp-suppression`, kloc) === false;
        break;
    }
  }
  return bd;
}

/** The layer-2 keys of a mac-vrf / virtual-switch entry of `routing-instances`. */
export function yamlL2Instance(c: L2Ctx, inst: RoutingInstance, e: Map<string, MapEntry>): void {
  const y = c.y;
  const l2: L2Instance = { evpn: false, noArpSuppression: false, bridgeDomains: [], loc: inst.loc };
  inst.l2 = l2;
  const vtep = e.get('vtep-source');
  if (vtep) l2.vtepSource = iflRef(c, vtep.value, `routing instance ${inst.name} vtep-source`, l2, 'vtepSource');
  const evpn = e.get('evpn');
  if (evpn) l2.evpn = y.bool(evpn.value, `routing instance ${inst.name} evpn`, y.loc(evpn.keyNode)) ?? false;
  const st = e.get('service-type');
  if (st) {
    const v = y.str(st.value, 'service-type', y.loc(st.keyNode));
    if (SERVICE_TYPES.includes(v as L2Instance['serviceType'] & string)) l2.serviceType = v as L2Instance['serviceType'];
    else if (v !== undefined) y.error(st.value, `service-type '${v}' is not vlan-based, vlan-bundle or vlan-aware`);
  }
  const bds = e.get('bridge-domains');
  for (const b of bds ? y.map(bds.value, `routing instance ${inst.name} bridge-domains`, undefined, y.loc(bds.keyNode)) : []) {
    l2.bridgeDomains.push(bridgeDomain(c, b));
  }
}

/** `virtual-gateway: { address: [...], mac: M, accept-data: true }` of a unit. */
export function yamlVirtualGateway(c: L2Ctx, ifl: Ifl, value: Node | null, keyLoc?: SourceLoc): void {
  const y = c.y;
  const vg = { v4: [] as string[], v6: [] as string[], acceptData: false, loc: y.loc(value, keyLoc) };
  ifl.virtualGateway = vg;
  for (const { key, keyNode, value: v } of y.map(value, `${ifl.name} virtual-gateway`, VIRTUAL_GATEWAY_KEYS, keyLoc)) {
    const what = `${ifl.name} virtual-gateway ${key}`;
    if (key === 'address') {
      for (const n of y.seq(v, what, true, y.loc(keyNode))) {
        const text = y.str(n, what);
        const ip = text === undefined ? undefined : parseIp(text);
        if (text !== undefined && !ip) y.error(n, `${what}: '${text}' is not an IP address`);
        if (text === undefined || !ip) continue;
        (ip.family === 'inet' ? vg.v4 : vg.v6).push(text);
        c.locs.set(vg, `address ${text}`, y.loc(n));
      }
    } else if (key === 'mac') {
      const text = y.str(v, what, y.loc(keyNode));
      const mac = text === undefined ? undefined : parseMac(text);
      if (text !== undefined && !mac) y.error(v, `${what}: '${text}' is not a valid MAC address`);
      // One MAC for both families (Linux and FRR have one anycast MAC per SVI).
      else if (mac) Object.assign(vg, { v4Mac: mac, v6Mac: mac });
    } else vg.acceptData = y.bool(v, what, y.loc(keyNode)) ?? false;
  }
}

/** Each gateway address must be in a subnet of the unit's addresses of its family (run once the unit is read). */
export function checkYamlVirtualGateway(c: L2Ctx, ifl: Ifl): void {
  const vg = ifl.virtualGateway;
  if (!vg) return;
  for (const [family, list] of [['inet', vg.v4], ['inet6', vg.v6]] as const) {
    for (const v of list) {
      const problem = virtualGatewayProblem(v, family, ifl[family]?.addresses ?? []);
      if (problem) c.y.problems.push({ loc: c.locs.get(vg, `address ${v}`), message: `${ifl.name}: ${problem}` });
    }
  }
}

/** `evpn:` of a scenario device: EVPN routes it receives as if from BGP. */
export function yamlEvpnRoutes(y: YamlReader, node: Node | null, device: string, keyLoc?: SourceLoc): EvpnRoute[] {
  const out: EvpnRoute[] = [];
  for (const item of y.seq(node, `device ${device} evpn`, false, keyLoc)) {
    const e = new Map(y.map(item, 'evpn route', EVPN_ROUTE_KEYS).map((x) => [x.key, x]));
    const loc = y.loc(item);
    const value = (k: string) => e.get(k)?.value ?? null;
    for (const k of ['type', 'vni', 'vtep']) if (!e.has(k)) y.error(item, `evpn route: missing '${k}'`);
    const type = e.has('type') ? y.int(value('type'), 'evpn route type', 2, 3) : undefined;
    const vni = e.has('vni') ? y.int(value('vni'), 'evpn route vni', 1, VNI_MAX) : undefined;
    const vtep = e.has('vtep') ? y.str(value('vtep'), 'evpn route vtep') : undefined;
    if (vtep !== undefined && !parseIp(vtep)) y.error(value('vtep'), `evpn route: vtep '${vtep}' is not an IP address`);
    // Any problem fails the load, so a route is kept as read.
    const route: EvpnRoute = { type: type === 3 ? 3 : 2, vni: vni ?? 0, vtep: vtep ?? '', loc };
    if (type === 2 && !e.has('mac')) y.error(item, 'evpn route: type 2 needs a mac');
    if (type === 3) for (const k of ['mac', 'ip']) if (e.has(k)) y.error(e.get(k)!.keyNode, `evpn route: type 3 has no ${k}`);
    if (type === 2 && e.has('mac')) {
      const text = y.str(value('mac'), 'evpn route mac');
      const mac = text === undefined ? undefined : parseMac(text);
      if (text !== undefined && !mac) y.error(value('mac'), `evpn route: mac '${text}' is not a valid MAC address`);
      else if (mac) route.mac = mac;
    }
    if (type === 2 && e.has('ip')) {
      const text = y.str(value('ip'), 'evpn route ip');
      if (text !== undefined && !parseIp(text)) y.error(value('ip'), `evpn route: ip '${text}' is not an IP address`);
      else if (text !== undefined) route.ip = text;
    }
    out.push(route);
  }
  return out;
}
