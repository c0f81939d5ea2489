// Layer-2 instances (EVPN-VXLAN bridging) → L2Instance / BridgeDomain, and
// the anycast gateway of irb units → Ifl.virtualGateway:
//   routing-instances NAME { instance-type mac-vrf|virtual-switch;
//     protocols { evpn { encapsulation vxlan; default-gateway ...; no-arp-suppression; } }
//     vtep-source-interface lo0.0; service-type vlan-based|vlan-bundle|vlan-aware;
//     switch-options { mac-table-size N; interface-mac-limit N; mac-table-aging-time S; }
//     bridge-domains|vlans NAME { vlan-id N|none; interface IFL; routing-interface irb.N;
//       no-arp-suppression; vxlan { vni V; static-remote-vtep-list [ A ... ];
//       destination-udp-port N; ingress-node-replication; }
//       bridge-options { mac-table-size N; interface-mac-limit N; mac-table-aging-time S; no-mac-learning; } } }
//   interfaces irb unit N { virtual-gateway-accept-data; virtual-gateway-v4-mac M;
//     virtual-gateway-v6-mac M; family inet { address A/L { virtual-gateway-address V; } } }
//
// Checks that need the whole device (interfaces exist and are bridged, VNIs
// unique, the VTEP source has an address, ...) and the value ranges are in
// l2-checks.ts.

import type { BridgeDomain, Ifl, L2Instance, VirtualGateway } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, wordLoc, type BuildContext, type HandlerTable, type StatementHandler } from './junos-build.js';
import type { AddressTarget } from './junos-interfaces.js';
import type { RoutingTarget } from './junos-routing.js';
import { iflName } from './device-checks.js';
import { junosBgp } from './junos-bgp.js';
import { INTERFACE_MAC_LIMIT, MAC_TABLE_AGING_TIME, MAC_TABLE_SIZE, VNI_MAX, virtualGatewayProblem } from './l2-checks.js';
import { parseIntIn, parseIp, parseMac } from './values.js';

export const L2_INSTANCE_TYPES = new Set(['mac-vrf', 'virtual-switch']);


type MacOptions = Pick<L2Instance, 'macTableSize' | 'interfaceMacLimit' | 'macTableAgingTime'>;

/** A number in a range, from `kw N;` or (mac limits) `kw { limit N; packet-action ...; }`. */
function limit(n: ConfNode, ctx: BuildContext, p: string[], range: { lo: number; hi: number }): number | undefined {
  const kw = n.words[0]!;
  let at: ConfNode = n;
  for (const c of n.children) {
    if (c.words[0] === 'limit' && !c.inactive) at = c;
    else ignore(ctx, c, [...p, ...n.words]);
  }
  const text = at.words[1];
  if (text === undefined) {
    error(ctx, n.loc, `${kw}: missing value`);
    return undefined;
  }
  if (at.words.length > 2) ignore(ctx, at, p);
  const v = parseIntIn(text, range.lo, range.hi);
  if (v === undefined) error(ctx, wordLoc(at, 1), `${kw} '${text}' is not in ${range.lo}..${range.hi}`);
  return v;
}

const MAC_OPTION_HANDLERS: HandlerTable<MacOptions> = {
  'mac-table-size': (n, o, ctx, p) => void (o.macTableSize = limit(n, ctx, p, MAC_TABLE_SIZE) ?? o.macTableSize),
  'interface-mac-limit': (n, o, ctx, p) => void (o.interfaceMacLimit = limit(n, ctx, p, INTERFACE_MAC_LIMIT) ?? o.interfaceMacLimit),
  'mac-table-aging-time': (n, o, ctx, p) => void (o.macTableAgingTime = limit(n, ctx, p, MAC_TABLE_AGING_TIME) ?? o.macTableAgingTime),
};

const BRIDGE_OPTIONS_HANDLERS: HandlerTable<BridgeDomain> = {
  ...(MAC_OPTION_HANDLERS as HandlerTable<BridgeDomain>),
  'no-mac-learning': (n, bd, ctx, p) => {
    flag(ctx, n, p);
    bd.noMacLearning = true;
  },
};

const VXLAN_HANDLERS: HandlerTable<BridgeDomain> = {
  vni: (n, bd, ctx, p) => {
    const text = single(ctx, n, p, 'VNI');
    if (text === undefined) return;
    const v = parseIntIn(text, 1, VNI_MAX);
    if (v === undefined) return error(ctx, wordLoc(n, 1), `vni '${text}' is not in 1..${VNI_MAX}`);
    bd.vni = v;
    ctx.locs.set(bd, 'vni', wordLoc(n, 1));
  },
  'static-remote-vtep-list': (n, bd, ctx, p) => {
    if (n.words.length < 2) return error(ctx, n.loc, 'static-remote-vtep-list: missing address');
    for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
    for (let i = 1; i < n.words.length; i++) {
      if (parseIp(n.words[i]!)) bd.staticRemoteVteps.push(n.words[i]!);
      else error(ctx, wordLoc(n, i), `static-remote-vtep-list: '${n.words[i]}' is not an IP address`);
    }
  },
  'destination-udp-port': (n, bd, ctx, p) => {
    const text = single(ctx, n, p, 'UDP port');
    if (text === undefined) return;
    const v = parseIntIn(text, 1, 65535);
    if (v === undefined) error(ctx, wordLoc(n, 1), `destination-udp-port '${text}' is not in 1..65535`);
    else bd.udpPort = v;
  },
  // Head-end replication is what the emulator does for BUM traffic anyway.
  'ingress-node-replication': (n, _bd, ctx, p) => flag(ctx, n, p),
};

const BRIDGE_DOMAIN_HANDLERS: HandlerTable<BridgeDomain> = {
  'vlan-id': (n, bd, ctx, p) => {
    const text = single(ctx, n, p, 'VLAN id');
    if (text === undefined || text === 'none') return;
    const v = parseIntIn(text, 1, 4094);
    if (v === undefined) return error(ctx, wordLoc(n, 1), `vlan-id '${text}' is not in 1..4094 or none`);
    bd.vlanId = v;
    ctx.locs.set(bd, 'vlanId', wordLoc(n, 1));
  },
  interface: (n, bd, ctx, p) => {
    const name = single(ctx, n, p, 'interface name');
    if (name === undefined) return;
    bd.interfaces.push(iflName(name));
    ctx.locs.set(bd, `interface ${iflName(name)}`, wordLoc(n, 1));
  },
  'routing-interface': (n, bd, ctx, p) => {
    const name = single(ctx, n, p, 'interface name');
    if (name === undefined) return;
    bd.routingInterface = iflName(name);
    ctx.locs.set(bd, 'routingInterface', wordLoc(n, 1));
  },
  'no-arp-suppression': (n, bd, ctx, p) => {
    flag(ctx, n, p);
    bd.noArpSuppression = true;
  },
  vxlan: (n, bd, ctx, p) => dispatch(VXLAN_HANDLERS, n, bd, ctx, [...p, ...n.words]),
  'bridge-options': (n, bd, ctx, p) => dispatch(BRIDGE_OPTIONS_HANDLERS, n, bd, ctx, [...p, ...n.words]),
};

/** The instance's L2 part, or an error when the statement is in a routed instance. */
function l2Of(n: ConfNode, t: RoutingTarget, ctx: BuildContext): L2Instance | undefined {
  if (!t.instance.l2) error(ctx, n.loc, `${n.words[0]} is only valid in a mac-vrf or virtual-switch instance (${t.instance.name} is ${t.instance.type})`);
  return t.instance.l2;
}

/** `bridge-domains { NAME { ... } }` or `vlans { NAME { ... } }`. */
const bridgeDomains: StatementHandler<RoutingTarget> = (n, t, ctx, p) => {
  const l2 = l2Of(n, t, ctx);
  if (!l2) return;
  const here = [...p, ...n.words];
  for (const c of n.children) {
    if (c.words[0] === 'apply-groups' || c.words[0] === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    if (c.words.length !== 1) {
      ignore(ctx, c, here);
      continue;
    }
    const name = c.words[0]!;
    if (l2.bridgeDomains.some((b) => b.name === name)) {
      error(ctx, c.loc, `routing instance ${t.instance.name}: bridge domain ${name} is configured twice (bridge-domains and vlans share names)`);
      continue;
    }
    const bd: BridgeDomain = { name, interfaces: [], staticRemoteVteps: [], noMacLearning: false, noArpSuppression: false, loc: c.loc };
    l2.bridgeDomains.push(bd);
    dispatch(BRIDGE_DOMAIN_HANDLERS, c, bd, ctx, [...here, name]);
  }
};

const vtepSource: StatementHandler<L2Instance> = (n, l2, ctx, p) => {
  const name = single(ctx, n, p, 'interface name');
  if (name === undefined) return;
  l2.vtepSource = iflName(name);
  ctx.locs.set(l2, 'vtepSource', wordLoc(n, 1));
};

const SWITCH_OPTIONS_HANDLERS: HandlerTable<L2Instance> = { ...MAC_OPTION_HANDLERS, 'vtep-source-interface': vtepSource };

/** `protocols evpn { ... }` of a layer-2 instance. */
const EVPN_HANDLERS: HandlerTable<{ l2: L2Instance; encapsulation?: string }> = {
  encapsulation: (n, t, ctx, p) => {
    const v = single(ctx, n, p, 'encapsulation');
    if (v === undefined) return;
    t.encapsulation = v;
    if (v === 'mpls') error(ctx, wordLoc(n, 1), 'encapsulation mpls: EVPN-MPLS is not emulated (use encapsulation vxlan)');
    else if (v !== 'vxlan') error(ctx, wordLoc(n, 1), `encapsulation '${v}' is not vxlan or mpls`);
    else t.l2.evpn = true;
  },
  // Whether the gateway MAC is advertised changes nothing here: every PE has the same anycast gateway.
  'default-gateway': (n, _t, ctx, p) => void single(ctx, n, p, 'default-gateway option'),
  'no-arp-suppression': (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.l2.noArpSuppression = true;
  },
};

const evpn: StatementHandler<L2Instance> = (n, l2, ctx, p) => {
  const t: { l2: L2Instance; encapsulation?: string } = { l2 };
  dispatch(EVPN_HANDLERS, n, t, ctx, [...p, ...n.words]);
  if (n.words.length > 1) ignore(ctx, n, p);
  if (t.encapsulation === undefined) error(ctx, n.loc, 'protocols evpn: missing encapsulation vxlan (the default, MPLS, is not emulated)');
};

/** Statements of mac-vrf / virtual-switch instances (INSTANCE_HANDLERS). */
export const L2_INSTANCE_HANDLERS: HandlerTable<RoutingTarget> = {
  'bridge-domains': bridgeDomains,
  vlans: bridgeDomains,
  'vtep-source-interface': (n, t, ctx, p) => {
    const l2 = l2Of(n, t, ctx);
    if (l2) vtepSource(n, l2, ctx, p);
  },
  'service-type': (n, t, ctx, p) => {
    const l2 = l2Of(n, t, ctx);
    const v = l2 && single(ctx, n, p, 'service type');
    if (!l2 || v === undefined) return;
    if (v === 'vlan-based' || v === 'vlan-bundle' || v === 'vlan-aware') l2.serviceType = v;
    else error(ctx, wordLoc(n, 1), `service-type '${v}' is not vlan-based, vlan-bundle or vlan-aware`);
  },
  'switch-options': (n, t, ctx, p) => {
    const l2 = l2Of(n, t, ctx);
    if (l2) dispatch(SWITCH_OPTIONS_HANDLERS, n, l2, ctx, [...p, ...n.words]);
  },
};

/** `protocols { ... }` of an instance: evpn is modelled in layer-2 instances; the rest is reported as ignored. */
export const instanceProtocols: StatementHandler<RoutingTarget> = (n, t, ctx, p) => {
  const here = [...p, ...n.words];
  if (!n.children.length) ignore(ctx, n, p);
  for (const c of n.children) {
    if (c.words[0] === 'evpn' && t.instance.l2 && !c.inactive) evpn(c, t.instance.l2, ctx, here);
    else if (c.words[0] === 'bgp' && !t.instance.l2 && !c.inactive) t.instance.bgp = junosBgp(c, ctx, here); // PE–CE sessions of a VRF
    else ignore(ctx, c, here);
  }
};

// ---- interfaces irb unit N: the anycast gateway ----

function gatewayOf(ifl: Ifl, loc: ConfNode['loc']): VirtualGateway {
  ifl.virtualGateway ??= { v4: [], v6: [], acceptData: false, loc };
  return ifl.virtualGateway;
}

function gatewayMac(field: 'v4Mac' | 'v6Mac'): StatementHandler<Ifl> {
  return (n, ifl, ctx, p) => {
    const text = single(ctx, n, p, 'MAC address');
    if (text === undefined) return;
    const mac = parseMac(text);
    if (!mac) error(ctx, wordLoc(n, 1), `${n.words[0]}: '${text}' is not a valid MAC address`);
    else gatewayOf(ifl, n.loc)[field] = mac;
  };
}

/** Unit-level statements (IFL_HANDLERS). */
export const VIRTUAL_GATEWAY_IFL_HANDLERS: HandlerTable<Ifl> = {
  'virtual-gateway-accept-data': (n, ifl, ctx, p) => {
    flag(ctx, n, p);
    gatewayOf(ifl, n.loc).acceptData = true;
  },
  'virtual-gateway-v4-mac': gatewayMac('v4Mac'),
  'virtual-gateway-v6-mac': gatewayMac('v6Mac'),
};

/** `address A/L { virtual-gateway-address V; }` (ADDRESS_HANDLERS): V must be in A/L's subnet. */
export const virtualGatewayAddress: StatementHandler<AddressTarget> = (n, t, ctx, p) => {
  const text = single(ctx, n, p, 'address');
  if (text === undefined) return;
  const problem = virtualGatewayProblem(text, t.family, [t.addr]);
  if (problem) return error(ctx, wordLoc(n, 1), `${t.ifl.name}: ${problem}`);
  const vg = gatewayOf(t.ifl, n.loc);
  (t.family === 'inet' ? vg.v4 : vg.v6).push(text);
  ctx.locs.set(vg, `address ${text}`, wordLoc(n, 1));
};
