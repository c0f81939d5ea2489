// Internet-exchange edge rules (`edge:`) and ARP sponges (`arp-sponge:`) of a
// scenario device, checked against the device they apply to:
//   edge:
//     et-0/0/1: { mac: [02:00:00:00:00:01], mac-limit: 1, ethertypes: [0x0800, 0x0806, 0x86dd],
//                 max-payload: 1500, quarantine: QUARANTINE,
//                 dampening: { transitions: 3, window: 5, hold-down: 10 } }   # or dampening: false
//     et-0/0/2: {}                                                              # all defaults
//   arp-sponge:
//     PEERING: { network: 192.0.2.0/24, queue-depth: 1000, rate: 50, pending: 5, learn-time: 5,
//                flood-protection: 3, mac: 02:00:00:00:5f:01 }

import { isScalar, type Node } from 'yaml';
import type { ArpSpongeConfig, Device, EdgePort, SourceLoc } from './model.js';
import type { YamlReader } from './yaml-reader.js';
import { parseMac, parsePrefix } from './values.js';

/**
 * Defaults from the seed's IXP (irix, "Technical Details" / Port Security:
 * Layer 2 ACLs, one router per port; flap dampening more than 3 transitions in
 * 5 s, re-enabled after 10 s), the exchanges' common MAC-layer rules (Ethernet
 * II only: IPv4, ARP, IPv6) and the 1500-byte peering MTU.
 */
export const EDGE_DEFAULTS = {
  macLimit: 1,
  ethertypes: [0x0800, 0x0806, 0x86dd] as readonly number[],
  maxPayload: 1500,
  dampening: { transitions: 3, windowSec: 5, holdDownSec: 10 },
} as const;

/** AMS-IX arpsponge defaults (M6::ArpSponge::Defaults: QUEUE_DEPTH, MAX_ARP_RATE, MAX_PENDING, LEARN_TIME, FLOOD_PROTECTION). */
export const SPONGE_DEFAULTS = { queueDepth: 1000, rate: 50, pendingSec: 5, learnSec: 5, floodProtection: 3 } as const;

const EDGE_KEYS = ['mac', 'mac-limit', 'ethertypes', 'max-payload', 'quarantine', 'dampening'];
const DAMPENING_KEYS = ['transitions', 'window', 'hold-down'];
const SPONGE_KEYS = ['network', 'mac', 'queue-depth', 'rate', 'pending', 'learn-time', 'flood-protection'];

/** Bridge domains of the device by name, with the IFLs each lists. */
function domainsOf(d: Device): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const inst of d.instances) for (const bd of inst.l2?.bridgeDomains ?? []) m.set(bd.name, bd.interfaces);
  return m;
}

/** An ethertype: a number (YAML reads 0x0800 as one) or "0x0800" text, 0x0600..0xffff. */
function ethertype(y: YamlReader, n: Node, what: string): number | undefined {
  const v = isScalar(n) ? n.value : undefined;
  const num = typeof v === 'number' ? v : typeof v === 'string' && /^0x[0-9a-f]{1,4}$/i.test(v) ? parseInt(v, 16) : NaN;
  if (Number.isInteger(num) && num >= 0x600 && num <= 0xffff) return num;
  y.error(n, `${what}: expected an ethertype 0x0600..0xffff (802.3 lengths below 0x0600 are LLC frames, never allowed)`);
  return undefined;
}

/** A positive number of seconds (decimals allowed). */
function seconds(y: YamlReader, n: Node | null, what: string, fallback?: SourceLoc): number | undefined {
  const v = n !== null && isScalar(n) ? n.value : undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 86400) return v;
  y.error(n, `${what}: expected a number of seconds above 0 (at most 86400)`, fallback);
  return undefined;
}

/** `edge:` of device `d` → its edge ports, every mistake reported with its location. */
export function yamlEdge(y: YamlReader, node: Node | null, d: Device, keyLoc?: SourceLoc): EdgePort[] {
  const out: EdgePort[] = [];
  const domains = domainsOf(d);
  for (const e of y.map(node, `device ${d.name} edge`, undefined, keyLoc)) {
    const what = `edge ${e.key}`;
    const kloc = y.loc(e.keyNode);
    const ifd = d.ifds.find((i) => i.name === e.key);
    const port: EdgePort = {
      ifd: e.key, macs: [], macLimit: EDGE_DEFAULTS.macLimit, ethertypes: [...EDGE_DEFAULTS.ethertypes],
      maxPayload: EDGE_DEFAULTS.maxPayload, dampening: { ...EDGE_DEFAULTS.dampening }, loc: kloc,
    };
    if (!ifd) y.error(e.keyNode, `${what}: device ${d.name} has no interface '${e.key}'`);
    else if (!ifd.units.length || ifd.units.some((u) => !u.bridged)) {
      y.error(e.keyNode, `${what}: an edge port's units must all be bridged (encapsulation ethernet-bridge or vlan-bridge units)`);
    } else {
      for (const u of ifd.units) {
        if (![...domains.values()].some((l) => l.includes(u.name))) y.error(e.keyNode, `${what}: unit ${u.name} is in no bridge domain`);
      }
    }
    if (out.some((p) => p.ifd === e.key)) y.error(e.keyNode, `${what} is given twice`);
    let limitGiven = false;
    const entries = e.value === null ? [] : y.map(e.value, what, EDGE_KEYS, kloc);
    for (const { key, keyNode, value } of entries) {
      const at = y.loc(keyNode);
      switch (key) {
        case 'mac':
          for (const n of y.seq(value, `${what} mac`, true, at)) {
            const text = y.str(n, `${what} mac`);
            const mac = text === undefined ? undefined : parseMac(text);
            if (text !== undefined && (!mac || parseInt(mac.slice(0, 2), 16) & 1)) y.error(n, `${what} mac: '${text}' is not a unicast MAC address`);
            else if (mac && port.macs.includes(mac)) y.error(n, `${what} mac: ${mac} is listed twice`);
            else if (mac) port.macs.push(mac);
          }
          break;
        case 'mac-limit': {
          const v = y.int(value, `${what} mac-limit`, 1, 64, at);
          if (v !== undefined) { port.macLimit = v; limitGiven = true; }
          break;
        }
        case 'ethertypes': {
          port.ethertypes = [];
          for (const n of y.seq(value, `${what} ethertypes`, true, at)) {
            const t = ethertype(y, n, `${what} ethertypes`);
            if (t !== undefined && !port.ethertypes.includes(t)) port.ethertypes.push(t);
          }
          break;
        }
        case 'max-payload': {
          const v = y.int(value, `${what} max-payload`, 46, 9192, at);
          if (v !== undefined) port.maxPayload = v;
          break;
        }
        case 'quarantine': {
          const name = y.str(value, `${what} quarantine`, at);
          if (name === undefined) break;
          if (!domains.has(name)) y.error(value, `${what} quarantine: no bridge domain '${name}' (expected one of: ${[...domains.keys()].join(', ') || 'none'})`);
          else if (ifd && ifd.units.some((u) => domains.get(name)!.includes(u.name))) y.error(value, `${what} quarantine: ${name} is the domain the port is already in`);
          else port.quarantine = name;
          break;
        }
        case 'dampening':
          port.dampening = dampening(y, value, what, at);
          break;
      }
    }
    if (!limitGiven) port.macLimit = Math.max(port.macLimit, port.macs.length);
    else if (port.macs.length > port.macLimit) y.error(e.keyNode, `${what}: ${port.macs.length} MACs listed but mac-limit is ${port.macLimit}`);
    out.push(port);
  }
  return out;
}

function dampening(y: YamlReader, value: Node | null, what: string, at?: SourceLoc): EdgePort['dampening'] {
  const v = value !== null && isScalar(value) ? value.value : undefined;
  if (v === false) return null;
  if (v === true) return { ...EDGE_DEFAULTS.dampening };
  const d: NonNullable<EdgePort['dampening']> = { ...EDGE_DEFAULTS.dampening };
  for (const { key, keyNode, value: n } of y.map(value, `${what} dampening`, DAMPENING_KEYS, at)) {
    const kat = y.loc(keyNode);
    if (key === 'transitions') d.transitions = y.int(n, `${what} dampening transitions`, 1, 1000, kat) ?? d.transitions;
    else if (key === 'window') d.windowSec = seconds(y, n, `${what} dampening window`, kat) ?? d.windowSec;
    else d.holdDownSec = seconds(y, n, `${what} dampening hold-down`, kat) ?? d.holdDownSec;
  }
  return d;
}

/** `arp-sponge:` of device `d`: bridge domain name → sponge settings. */
export function yamlArpSponges(y: YamlReader, node: Node | null, d: Device, keyLoc?: SourceLoc): ArpSpongeConfig[] {
  const out: ArpSpongeConfig[] = [];
  const domains = domainsOf(d);
  for (const e of y.map(node, `device ${d.name} arp-sponge`, undefined, keyLoc)) {
    const what = `arp-sponge ${e.key}`;
    const kloc = y.loc(e.keyNode);
    if (!domains.has(e.key)) y.error(e.keyNode, `${what}: no bridge domain '${e.key}' (expected one of: ${[...domains.keys()].join(', ') || 'none'})`);
    const s: ArpSpongeConfig = { domain: e.key, ...SPONGE_DEFAULTS, loc: kloc };
    for (const { key, keyNode, value } of e.value === null ? [] : y.map(e.value, what, SPONGE_KEYS, kloc)) {
      const at = y.loc(keyNode);
      switch (key) {
        case 'network': {
          const text = y.str(value, `${what} network`, at);
          const p = text === undefined ? undefined : parsePrefix(text, 'inet');
          if (typeof p === 'string') y.error(value, `${what} network: ${p}`);
          else if (p) s.network = p.prefix;
          break;
        }
        case 'mac': {
          const text = y.str(value, `${what} mac`, at);
          const mac = text === undefined ? undefined : parseMac(text);
          if (text !== undefined && (!mac || parseInt(mac.slice(0, 2), 16) & 1)) y.error(value, `${what} mac: '${text}' is not a unicast MAC address`);
          else if (mac) s.mac = mac;
          break;
        }
        case 'queue-depth': s.queueDepth = y.int(value, `${what} queue-depth`, 2, 100000, at) ?? s.queueDepth; break;
        case 'rate': s.rate = y.int(value, `${what} rate`, 0, 1000000, at) ?? s.rate; break;
        case 'pending': s.pendingSec = y.int(value, `${what} pending`, 0, 3600, at) ?? s.pendingSec; break;
        case 'learn-time': s.learnSec = y.int(value, `${what} learn-time`, 0, 86400, at) ?? s.learnSec; break;
        case 'flood-protection': s.floodProtection = y.int(value, `${what} flood-protection`, 0, 100000, at) ?? s.floodProtection; break;
      }
    }
    out.push(s);
  }
  return out;
}
