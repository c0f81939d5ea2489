// Junos configuration (curly or set form) → Device.
//
// parseJunos builds the statement tree (groups applied); the top-level handler
// table below walks it. Hierarchies with no handler (snmp, firewall, ...) are listed in
// `device.ignored` once per top-level statement ("protocols isis", "chassis");
// unmodelled statements inside modelled hierarchies are listed with their full
// path. Every problem is collected and thrown once as a ConfigError.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ConfigError, type Device, type RoutingInstance } from './model.js';
import { parseJunos } from './junos-parser.js';
import type { TextOrigin } from './junos-lexer.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, ignore, single, type BuildContext, type HandlerTable } from './junos-build.js';
import { interfaces } from './junos-interfaces.js';
import { ROUTING_OPTIONS_HANDLERS, routingInstances } from './junos-routing.js';
import { FieldLocs, finishDevice } from './device-checks.js';
import { security, services } from './junos-security.js';
import { protocols } from './junos-mpls.js';
import { chassis } from './junos-lag.js';
import { policyOptions } from './junos-policy.js';

/** `system arp { aging-timer MINUTES; }` (Junos: 1 through 240 minutes, default 20). */
const SYSTEM_ARP_HANDLERS: HandlerTable<Device> = {
  'aging-timer': (n, device, ctx, p) => {
    const text = single(ctx, n, p, 'minutes');
    if (text === undefined) return;
    const m = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(m >= 1 && m <= 240)) ctx.problems.push({ loc: n.wordLocs[1] ?? n.loc, message: `arp aging-timer '${text}' is not 1..240 minutes` });
    else device.arpAgingSec = m * 60;
  },
};

export const SYSTEM_HANDLERS: HandlerTable<Device> = {
  'host-name': (n, device, ctx, p) => {
    const name = single(ctx, n, p, 'host name');
    if (name !== undefined) device.name = name;
  },
  arp: (n, device, ctx, p) => dispatch(SYSTEM_ARP_HANDLERS, n, device, ctx, [...p, ...n.words]),
};

export const TOP_HANDLERS: HandlerTable<Device> = {
  system: (n, device, ctx, p) => dispatch(SYSTEM_HANDLERS, n, device, ctx, [...p, ...n.words]),
  interfaces,
  'routing-options': (n, device, ctx, p) =>
    dispatch(ROUTING_OPTIONS_HANDLERS, n, { instance: device.instances[0]!, master: true }, ctx, [...p, ...n.words]),
  'routing-instances': routingInstances,
  security, // inline IPsec: junos-security.ts
  services,
  groups: () => {}, // applied by the parser
  protocols, // mpls modelled (junos-mpls.ts), sflow (junos-sflow.ts), the others reported by name
  chassis, // aggregated-devices (junos-lag.ts), the rest reported as "chassis"
  'policy-options': policyOptions, // junos-policy.ts
  // Top-level statements without a handler are reported by their keyword alone.
};

function emptyDevice(name: string, file: string): Device {
  const master: RoutingInstance = { name: 'master', type: 'default', interfaces: [], routes: [] };
  return { name, profile: 'junos', ifds: [], instances: [master], ignored: [], evpnPeers: [], evpnRoutes: [], source: file };
}

export interface JunosLoadOptions {
  /** Device name; wins over `system host-name` (a scenario names its devices). */
  deviceName?: string;
  /** Where the text starts when it is embedded in another file (inline `junos:` in a scenario). */
  origin?: TextOrigin;
}

/** Builds a Device from a parsed tree. */
export function buildJunosDevice(tree: ConfNode, file: string, opts: JunosLoadOptions = {}): Device {
  const device = emptyDevice(basename(file, extname(file)), file);
  const ctx: BuildContext = { device, file, problems: [], placements: [], locs: new FieldLocs(), root: tree };
  for (const c of tree.children) {
    const kw = c.words[0]!;
    const h = Object.prototype.hasOwnProperty.call(TOP_HANDLERS, kw) ? TOP_HANDLERS[kw] : undefined;
    if (kw === 'apply-groups' || kw === 'apply-groups-except') continue;
    if (c.inactive) device.ignored.push({ path: `inactive: ${c.words.join(' ')}`, loc: c.loc });
    else if (h) h(c, device, ctx, []);
    else ignore(ctx, c, [], c.children.length ? c.words.slice(0, 1) : c.words);
  }
  if (opts.deviceName) device.name = opts.deviceName;
  finishDevice(device, ctx.placements, ctx.locs, ctx.problems);
  if (ctx.problems.length) {
    const sorted = [...ctx.problems].sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
    throw new ConfigError(sorted);
  }
  return device;
}

/** Junos text (curly-brace or set form, detected) → Device. Throws ConfigError. */
export function loadJunosText(text: string, file: string, opts: JunosLoadOptions = {}): Device {
  const { tree } = parseJunos(text, file, opts.origin);
  return buildJunosDevice(tree, file, opts);
}

export function loadJunosFile(path: string, opts: JunosLoadOptions = {}): Device {
  return loadJunosText(readFileSync(path, 'utf8'), path, opts);
}
