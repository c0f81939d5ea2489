// YAML scenario (several devices and the links between them) → Scenario,
// and loadConfigFile, which takes either a scenario or one Junos file.
// The format is described in docs/configuration.md.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Node } from 'yaml';
import { ConfigError, type Device, type Link, type PortRef, type Scenario, type SourceLoc, type TimelineEvent } from './model.js';
import { loadJunosText } from './junos-device.js';
import { YamlReader } from './yaml-reader.js';
import { DEVICE_MODEL_KEYS, yamlDevice } from './scenario-device.js';
import { yamlEvpnRoutes } from './scenario-l2.js';
import { yamlSwitches, yamlTimeline } from './scenario-timeline.js';
import { yamlArpSponges, yamlEdge } from './scenario-edge.js';
import { fillPeerRouterIds, yamlBgpPaths } from './scenario-bgp.js';
import { PROFILES } from '../profiles/switch.js';

/** Behaviour profiles a device may name (src/profiles). */
export const KNOWN_PROFILES: readonly string[] = PROFILES;

const TOP_KEYS = ['devices', 'links', 'timeline'];
/** Keys a device may have whatever describes it (`config`, `junos` or the model keys). */
const ANY_DEVICE_KEYS = ['profile', 'evpn', 'switches', 'edge', 'arp-sponge', 'bgp-paths'];
const DEVICE_KEYS = ['config', 'junos', ...DEVICE_MODEL_KEYS, 'evpn', 'switches', 'edge', 'arp-sponge', 'bgp-paths'];

function sortProblems(problems: { loc?: SourceLoc; message: string }[]): ConfigError {
  const key = (l?: SourceLoc): string => (l ? `${l.file}\u0000${String(l.line).padStart(8, '0')}:${String(l.col).padStart(6, '0')}` : '');
  return new ConfigError([...problems].sort((a, b) => (key(a.loc) < key(b.loc) ? -1 : key(a.loc) > key(b.loc) ? 1 : 0)));
}

/** Runs a Junos load, turning its ConfigError into problems of the scenario. */
function junosDevice(y: YamlReader, load: () => Device): Device | undefined {
  try {
    return load();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    y.problems.push(...e.problems);
    return undefined;
  }
}

function device(y: YamlReader, name: string, keyNode: Node, value: Node | null): Device | undefined {
  const kloc = y.loc(keyNode);
  const entries = y.map(value, `device ${name}`, DEVICE_KEYS, kloc);
  const get = (k: string) => entries.find((e) => e.key === k);
  const config = get('config');
  const junos = get('junos');
  const model = entries.filter((e) => e.key !== 'config' && e.key !== 'junos' && !ANY_DEVICE_KEYS.includes(e.key));
  const sources = [config, junos, model[0]].filter(Boolean);
  if (sources.length !== 1) {
    const what = sources.length ? `${sources.map((s) => s!.key).join(' and ')} exclude each other` : 'needs config (a Junos file), junos (inline Junos text) or interfaces';
    y.error(sources[1]?.keyNode ?? keyNode, `device ${name}: ${what}`);
    return undefined;
  }
  const profileEntry = get('profile');
  const profile = profileEntry ? y.str(profileEntry.value, 'profile', y.loc(profileEntry.keyNode)) : undefined;
  if (profile !== undefined && !KNOWN_PROFILES.includes(profile)) {
    y.error(profileEntry!.value, `device ${name}: unknown profile '${profile}' (expected one of: ${KNOWN_PROFILES.join(', ')})`);
  }
  let d: Device | undefined;
  if (config) {
    const rel = y.str(config.value, 'config', y.loc(config.keyNode));
    if (rel === undefined) return undefined;
    const path = resolve(dirname(y.file), rel);
    if (!existsSync(path)) {
      y.error(config.value, `device ${name}: config file ${rel} not found (${path})`);
      return undefined;
    }
    d = junosDevice(y, () => loadJunosText(readFileSync(path, 'utf8'), path, { deviceName: name }));
  } else if (junos) {
    const text = y.str(junos.value, 'junos', y.loc(junos.keyNode));
    if (text === undefined) return undefined;
    const origin = y.blockOrigin(junos.value!);
    d = junosDevice(y, () => loadJunosText(text, y.file, { deviceName: name, origin }));
  } else {
    d = yamlDevice(y, name, model, kloc);
  }
  if (d && profile !== undefined) d.profile = profile;
  const evpn = get('evpn');
  const routes = evpn ? yamlEvpnRoutes(y, evpn.value, name, y.loc(evpn.keyNode)) : [];
  if (d) d.evpnRoutes = routes;
  const switches = get('switches');
  const settings = switches ? yamlSwitches(y, switches.value, name, y.loc(switches.keyNode)) : [];
  if (d && switches) d.switches = settings;
  // Internet-exchange edge rules and ARP sponges (scenario-edge.ts), checked against the device built above.
  const edge = get('edge');
  if (d && edge) d.edge = yamlEdge(y, edge.value, d, y.loc(edge.keyNode));
  const sponge = get('arp-sponge');
  if (d && sponge) d.arpSponges = yamlArpSponges(y, sponge.value, d, y.loc(sponge.keyNode));
  // Received BGP paths (scenario-bgp.ts), checked against the device's sessions.
  const paths = get('bgp-paths');
  if (d && paths) d.bgpPaths = yamlBgpPaths(y, paths.value, d, y.loc(paths.keyNode));
  return d;
}

function port(y: YamlReader, node: Node, devices: Map<string, Device>): PortRef | undefined {
  const text = y.str(node, 'link end');
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    y.error(node, `link end '${text}' is not DEVICE:INTERFACE`);
    return undefined;
  }
  const ref: PortRef = { device: text.slice(0, colon), ifd: text.slice(colon + 1) };
  const d = devices.get(ref.device);
  if (!d) y.error(node, `link end ${text}: no device '${ref.device}'`);
  else if (!d.ifds.some((i) => i.name === ref.ifd)) y.error(node, `link end ${text}: device ${ref.device} has no interface '${ref.ifd}'`);
  else return ref;
  return undefined;
}

function links(y: YamlReader, node: Node | null, devices: Map<string, Device>, keyLoc?: SourceLoc): Link[] {
  const out: Link[] = [];
  const used = new Map<string, SourceLoc | undefined>();
  for (const item of y.seq(node, 'links', false, keyLoc)) {
    const ends = y.seq(item, 'link');
    if (ends.length !== 2) {
      y.error(item, 'link: expected [DEVICE:INTERFACE, DEVICE:INTERFACE]');
      continue;
    }
    const refs = ends.map((n) => port(y, n, devices));
    let ok = refs.every(Boolean);
    refs.forEach((r, i) => {
      if (!r) return;
      const k = `${r.device}:${r.ifd}`;
      const prev = used.get(k);
      if (used.has(k)) {
        y.error(ends[i], `port ${k} is already in a link${prev ? ` (at ${prev.line}:${prev.col})` : ''}`);
        ok = false;
      } else used.set(k, y.loc(ends[i]));
    });
    if (ok) out.push({ a: refs[0]!, b: refs[1]!, loc: y.loc(item) });
  }
  return out;
}

/** YAML scenario text → Scenario. Throws ConfigError listing every problem. */
export function loadScenarioText(text: string, file: string): Scenario {
  const y = new YamlReader(text, file);
  const devices = new Map<string, Device>();
  let linkList: Link[] = [];
  let timeline: TimelineEvent[] = [];
  if (!y.problems.length) {
    const top = y.map(y.doc.contents as Node | null, 'scenario', TOP_KEYS, { file, line: 1, col: 1 });
    const devEntry = top.find((e) => e.key === 'devices');
    if (!devEntry) y.error(null, "scenario: missing 'devices'", { file, line: 1, col: 1 });
    for (const e of devEntry ? y.map(devEntry.value, 'devices', undefined, y.loc(devEntry.keyNode)) : []) {
      const d = device(y, e.key, e.keyNode, e.value);
      if (d) devices.set(e.key, d);
    }
    const linkEntry = top.find((e) => e.key === 'links');
    if (linkEntry && linkEntry.value !== null) linkList = links(y, linkEntry.value, devices, y.loc(linkEntry.keyNode));
    const timeEntry = top.find((e) => e.key === 'timeline');
    if (timeEntry && timeEntry.value !== null) timeline = yamlTimeline(y, timeEntry.value, devices, y.loc(timeEntry.keyNode));
  }
  if (y.problems.length) throw sortProblems(y.problems);
  fillPeerRouterIds([...devices.values()]);
  return { devices: [...devices.values()], links: linkList, timeline, source: file };
}

export function loadScenarioFile(path: string): Scenario {
  return loadScenarioText(readFileSync(path, 'utf8'), path);
}

/** Is this text a YAML scenario rather than Junos configuration? */
function looksLikeScenario(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#') && l.trim() !== '---');
  return first !== undefined && /^(devices|links|timeline)\s*:/.test(first);
}

/**
 * Any configuration file → Scenario: `.yaml`/`.yml` (or text starting with
 * `devices:`) is a scenario; anything else is Junos text (curly or set form),
 * which becomes a one-device scenario with no links.
 */
export function loadConfigFile(path: string): Scenario {
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml' || looksLikeScenario(text)) return loadScenarioText(text, path);
  return { devices: [loadJunosText(text, path)], links: [], source: path };
}
