// `interfaces` → Ifd / Ifl / FamilyConfig.

import type { Family, FamilyConfig, Ifd, Ifl, InterfaceAddress, StaticNeighbor } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, word, wordLoc, type BuildContext, type HandlerTable } from './junos-build.js';
import { familyMpls, tunnel } from './junos-mpls.js';
import { VIRTUAL_GATEWAY_IFL_HANDLERS, virtualGatewayAddress } from './junos-l2.js';
import { vrrpGroup } from './vrrp-config.js';
import { LAG_IFD_HANDLERS } from './junos-lag.js';
import {
  FAMILY_MTU_MIN,
  MEDIA_MTU_MAX,
  MEDIA_MTU_MIN,
  UNIT_MAX,
  parseIntIn,
  parseInterfaceAddress,
  parseIp,
  parseMac,
  sameSubnet,
} from './values.js';

export interface FamilyTarget {
  ifl: Ifl;
  family: Family;
  fam: FamilyConfig;
}

export interface AddressTarget extends FamilyTarget {
  addr: InterfaceAddress;
  /** The parsed address, for checking neighbours against its subnet. */
  text: string;
}

function vlanId(ctx: BuildContext, node: ConfNode, i: number): number | undefined {
  const text = node.words[i];
  if (text === undefined) {
    error(ctx, node.loc, `${node.words[0]}: missing VLAN id`);
    return undefined;
  }
  // `vlan-tags outer 0x8100.100`: a TPID prefix is accepted and dropped.
  const v = parseIntIn(text.replace(/^0x[0-9a-fA-F]{4}\./, ''), 1, 4094);
  if (v === undefined) error(ctx, wordLoc(node, i), `VLAN id '${text}' is not in 1..4094`);
  return v;
}

/** `arp 10.0.0.2 mac 00:11:22:33:44:55 [publish]`, `ndp 2001:db8::2 mac ...`. */
function neighbor(node: ConfNode, t: AddressTarget, ctx: BuildContext, path: string[]): void {
  const kw = node.words[0]!;
  const wantFamily: Family = kw === 'arp' ? 'inet' : 'inet6';
  if (t.family !== wantFamily) {
    error(ctx, node.loc, `${kw} is not valid under family ${t.family}`);
    return;
  }
  const ipText = word(ctx, node, 1, 'address');
  if (ipText === undefined) return;
  const ip = parseIp(ipText);
  if (!ip || ip.family !== wantFamily) {
    error(ctx, wordLoc(node, 1), `${kw}: '${ipText}' is not a valid ${wantFamily === 'inet' ? 'IPv4' : 'IPv6'} address`);
    return;
  }
  const macAt = node.words.findIndex((w, i) => i > 1 && (w === 'mac' || w === 'multicast-mac'));
  if (macAt < 0 || node.words[macAt + 1] === undefined) {
    error(ctx, node.loc, `${kw} ${ipText}: missing 'mac <address>'`);
    return;
  }
  const mac = parseMac(node.words[macAt + 1]!);
  if (!mac) {
    error(ctx, wordLoc(node, macAt + 1), `${kw} ${ipText}: '${node.words[macAt + 1]}' is not a valid MAC address`);
    return;
  }
  const own = parseInterfaceAddress(t.text);
  if (typeof own !== 'string' && !sameSubnet(own.ip, ip, own.prefixLength)) {
    error(ctx, wordLoc(node, 1), `${kw} ${ipText} is not in the subnet of address ${t.text}`);
    return;
  }
  const n: StaticNeighbor = { ip: ipText, mac, loc: node.loc };
  for (const [i, w] of node.words.entries()) {
    if (i <= 1 || i === macAt || i === macAt + 1) continue;
    if (w === 'publish') n.publish = true;
    else ignore(ctx, node, path, [kw, ipText, w]);
  }
  t.fam.neighbors.push(n);
}

export const ADDRESS_HANDLERS: HandlerTable<AddressTarget> = {
  primary: (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.addr.primary = true;
  },
  preferred: (n, t, ctx, p) => {
    flag(ctx, n, p);
    t.addr.preferred = true;
  },
  arp: neighbor,
  ndp: neighbor,
  'virtual-gateway-address': virtualGatewayAddress,
  'vrrp-group': vrrpGroup, // vrrp-config.ts
  'vrrp-inet6-group': vrrpGroup,
};

function address(node: ConfNode, t: FamilyTarget, ctx: BuildContext, path: string[]): void {
  const text = word(ctx, node, 1, 'address');
  if (text === undefined) return;
  const a = parseInterfaceAddress(text, t.family);
  if (typeof a === 'string') {
    error(ctx, wordLoc(node, 1), a);
    return;
  }
  const addr: InterfaceAddress = { address: a.address, prefixLength: a.prefixLength, primary: false, preferred: false, loc: node.loc };
  t.fam.addresses.push(addr);
  dispatch(ADDRESS_HANDLERS, node, { ...t, addr, text }, ctx, [...path, ...node.words]);
}

export const FAMILY_HANDLERS: HandlerTable<FamilyTarget> = {
  address,
  mtu: (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'MTU');
    if (text === undefined) return;
    const min = FAMILY_MTU_MIN[t.family];
    const v = parseIntIn(text, min, MEDIA_MTU_MAX);
    if (v === undefined) error(ctx, wordLoc(n, 1), `family ${t.family} mtu '${text}' is not in ${min}..${MEDIA_MTU_MAX}`);
    else {
      t.fam.mtu = v;
      ctx.locs.set(t.fam, 'mtu', wordLoc(n, 1));
    }
  },
};

/** `proxy-arp [restricted | unrestricted];` — bare, it is unrestricted (Junos: "automatically enabled in unrestricted mode"). */
function proxyArp(n: ConfNode, ifl: Ifl, ctx: BuildContext, p: string[]): void {
  const mode = n.words[1] ?? 'unrestricted';
  if (mode !== 'restricted' && mode !== 'unrestricted') error(ctx, wordLoc(n, 1), `proxy-arp '${mode}' is not restricted or unrestricted`);
  else ifl.proxyArp = mode;
  if (n.words.length > 2 || n.children.length) ignore(ctx, n, p);
}

export const IFL_HANDLERS: HandlerTable<Ifl> = {
  description: (n, ifl, ctx, p) => {
    ifl.description = single(ctx, n, p, 'description');
  },
  encapsulation: (n, ifl, ctx, p) => {
    ifl.encapsulation = single(ctx, n, p, 'encapsulation');
  },
  'vlan-id': (n, ifl, ctx, p) => {
    if (single(ctx, n, p, 'VLAN id') === undefined) return;
    ifl.vlanId = vlanId(ctx, n, 1);
    ctx.locs.set(ifl, 'vlanId', wordLoc(n, 1));
  },
  'vlan-tags': (n, ifl, ctx, p) => {
    const outer = n.words.indexOf('outer');
    const inner = n.words.indexOf('inner');
    if (outer < 0) {
      error(ctx, n.loc, "vlan-tags: missing 'outer <vlan-id>'");
      return;
    }
    ifl.vlanId = vlanId(ctx, n, outer + 1);
    if (inner >= 0) ifl.vlanIdInner = vlanId(ctx, n, inner + 1);
    ctx.locs.set(ifl, 'vlanId', wordLoc(n, outer + 1));
    const known = new Set([0, outer, outer + 1, inner, inner + 1]);
    if (n.words.some((_, i) => !known.has(i))) ignore(ctx, n, p);
  },
  'service-domain': (n, ifl, ctx, p) => {
    const v = single(ctx, n, p, 'service domain');
    if (v === 'inside' || v === 'outside') ifl.serviceDomain = v;
    else if (v !== undefined) error(ctx, wordLoc(n, 1), `service-domain '${v}' is not inside or outside`);
    ctx.locs.set(ifl, 'serviceDomain', wordLoc(n, 1));
  },
  tunnel,
  'proxy-arp': proxyArp,
  ...VIRTUAL_GATEWAY_IFL_HANDLERS, // irb units (junos-l2.ts)
  family: (n, ifl, ctx, p) => {
    const f = n.words[1];
    if (f === 'mpls' && n.words.length === 2) return familyMpls(n, ifl, ctx, p);
    if ((f === 'bridge' || f === 'ethernet-switching') && n.words.length === 2) {
      // A layer-2 unit; interface-mode, vlan-id-list, vlan members, ... are not modelled.
      ifl.bridged = true;
      for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
      return;
    }
    if (f !== 'inet' && f !== 'inet6') {
      ignore(ctx, n, p);
      return;
    }
    const fam: FamilyConfig = ifl[f] ?? { addresses: [], neighbors: [] };
    ifl[f] = fam;
    ctx.locs.set(ifl, f, n.loc);
    dispatch(FAMILY_HANDLERS, n, { ifl, family: f, fam }, ctx, [...p, ...n.words]);
  },
};

/** The unit numbers of an IFD's units, kept beside it so 10,000 units are not checked pairwise; rebuilt if the list changed elsewhere. */
const unitNumbers = new WeakMap<Ifd, { numbers: Set<number>; len: number }>();

function unitTaken(ifd: Ifd, u: number): boolean {
  let e = unitNumbers.get(ifd);
  if (e === undefined || e.len !== ifd.units.length) {
    e = { numbers: new Set(ifd.units.map((x) => x.unit)), len: ifd.units.length };
    unitNumbers.set(ifd, e);
  }
  return e.numbers.has(u);
}

function unit(node: ConfNode, ifd: Ifd, ctx: BuildContext, path: string[]): void {
  const text = word(ctx, node, 1, 'unit number');
  if (text === undefined) return;
  const u = parseIntIn(text, 0, UNIT_MAX);
  if (u === undefined) {
    error(ctx, wordLoc(node, 1), `unit '${text}' is not in 0..${UNIT_MAX}`);
    return;
  }
  const name = `${ifd.name}.${u}`;
  if (unitTaken(ifd, u)) {
    error(ctx, wordLoc(node, 1), `unit ${u} of ${ifd.name} is configured twice`);
    return;
  }
  const ifl: Ifl = { name, unit: u, loc: node.loc };
  ifd.units.push(ifl);
  const e = unitNumbers.get(ifd)!;
  e.numbers.add(u);
  e.len = ifd.units.length;
  dispatch(IFL_HANDLERS, node, ifl, ctx, [...path, ...node.words]);
}

function tagging(mode: Ifd['vlanTagging']) {
  return (n: ConfNode, ifd: Ifd, ctx: BuildContext, p: string[]): void => {
    flag(ctx, n, p);
    if (ifd.vlanTagging !== 'none' && ifd.vlanTagging !== mode) {
      error(ctx, n.loc, `${ifd.name}: ${mode} conflicts with ${ifd.vlanTagging}`);
    }
    ifd.vlanTagging = mode;
  };
}

export const IFD_HANDLERS: HandlerTable<Ifd> = {
  unit,
  description: (n, ifd, ctx, p) => {
    ifd.description = single(ctx, n, p, 'description');
  },
  encapsulation: (n, ifd, ctx, p) => {
    ifd.encapsulation = single(ctx, n, p, 'encapsulation');
  },
  mac: (n, ifd, ctx, p) => {
    const text = single(ctx, n, p, 'MAC address');
    if (text === undefined) return;
    const mac = parseMac(text);
    if (!mac) error(ctx, wordLoc(n, 1), `'${text}' is not a valid MAC address`);
    else ifd.mac = mac;
  },
  mtu: (n, ifd, ctx, p) => {
    // A secure tunnel IFD has no media MTU (set the family mtu of its units): reported, not modelled.
    if (ifd.name === 'st0') return ignore(ctx, n, p);
    const text = single(ctx, n, p, 'MTU');
    if (text === undefined) return;
    const v = parseIntIn(text, MEDIA_MTU_MIN, MEDIA_MTU_MAX);
    if (v === undefined) error(ctx, wordLoc(n, 1), `mtu '${text}' is not in ${MEDIA_MTU_MIN}..${MEDIA_MTU_MAX}`);
    else ifd.mtu = v;
  },
  disable: (n, ifd, ctx, p) => {
    flag(ctx, n, p);
    ifd.disabled = true;
  },
  'vlan-tagging': tagging('vlan-tagging'),
  'flexible-vlan-tagging': tagging('flexible-vlan-tagging'),
  'stacked-vlan-tagging': tagging('stacked-vlan-tagging'),
  ...LAG_IFD_HANDLERS, // 802.3ad membership, aggregated-ether-options (junos-lag.ts)
};

/** `interfaces { NAME { ... } }` */
export function interfaces(node: ConfNode, _device: unknown, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  for (const c of node.children) {
    if (c.words[0] === 'apply-groups' || c.words[0] === 'apply-groups-except') continue;
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    if (c.words.length !== 1 || c.words[0] === 'interface-range' || c.words[0] === 'traceoptions') {
      ignore(ctx, c, here);
      continue;
    }
    if (/[<>*]/.test(c.words[0]!)) {
      error(ctx, c.loc, `'${c.words[0]}' is not an interface name (wildcards belong in groups)`);
      continue;
    }
    const ifd: Ifd = { name: c.words[0]!, vlanTagging: 'none', disabled: false, units: [], loc: c.loc };
    ctx.device.ifds.push(ifd);
    dispatch(IFD_HANDLERS, c, ifd, ctx, [...here, ...c.words]);
  }
}
