// The scenario's `timeline:` (events at times of the input) and a device's
// `switches:` (behaviour switches away from its profile's defaults).
// Link events name a port (DEVICE:INTERFACE); BGP session events a configured
// neighbour (DEVICE:PEER, or DEVICE:INSTANCE:PEER for a VRF's session when the
// address is a neighbour in more than one instance).

import { isScalar, type Node } from 'yaml';
import type { BgpSessionEvent, Device, PortRef, SourceLoc, TimelineEvent } from './model.js';
import type { YamlReader } from './yaml-reader.js';
import { SWITCHES } from '../profiles/catalog.js';
import { switchValue, type SwitchSetting } from '../profiles/switch.js';
import { bgpSessions } from '../bgp/session.js';
import { formatIp, parseIp } from './values.js';

/** Event kinds and what each names. */
const EVENT_KINDS = ['link-down', 'link-up', 'bgp-session-down', 'bgp-session-up'] as const;

/** `switches: { arp-ignore: 1, proxy-arp: true }` → settings, each checked against the catalog. */
export function yamlSwitches(y: YamlReader, node: Node | null, device: string, keyLoc?: SourceLoc): SwitchSetting[] {
  const out: SwitchSetting[] = [];
  for (const e of y.map(node, `device ${device} switches`, undefined, keyLoc)) {
    const def = SWITCHES.find((d) => d.name === e.key);
    if (!def) {
      y.error(e.keyNode, `device ${device}: unknown switch '${e.key}' (triode profiles lists them)`);
      continue;
    }
    const raw = e.value !== null && isScalar(e.value) ? e.value.value : undefined;
    const v = switchValue(def, raw);
    if (typeof v === 'object') y.error(e.value ?? e.keyNode, `device ${device}: ${v.error}`);
    else out.push({ name: e.key, value: v, loc: y.loc(e.keyNode) });
  }
  return out;
}

/**
 * `timeline: [ { at: 1.5, link-down: R1:et-0/0/1 }, ... ]` → events sorted by
 * time (stable: events at the same time keep their order). `at` is seconds
 * after the first input frame.
 */
export function yamlTimeline(y: YamlReader, node: Node | null, devices: Map<string, Device>, keyLoc?: SourceLoc): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const item of y.seq(node, 'timeline', false, keyLoc)) {
    const entries = y.map(item, 'timeline event', ['at', ...EVENT_KINDS]);
    const at = entries.find((e) => e.key === 'at');
    const kinds = entries.filter((e) => e.key !== 'at');
    if (!at) y.error(item, `timeline event: needs 'at' (seconds after the first input frame)`);
    if (kinds.length !== 1) {
      y.error(kinds[1]?.keyNode ?? item, `timeline event: needs exactly one of ${EVENT_KINDS.join(', ')}`);
      continue;
    }
    const v = at?.value && isScalar(at.value) ? at.value.value : undefined;
    if (at && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      y.error(at.value ?? at.keyNode, 'timeline event: at: expected a number of seconds, 0 or more');
      continue;
    }
    const k = kinds[0];
    if (k.key === 'bgp-session-down' || k.key === 'bgp-session-up') {
      const session = sessionRef(y, k.value, devices, k.key);
      if (at && session) out.push({ at: v as number, kind: k.key, session, loc: y.loc(item) });
      continue;
    }
    const port = portRef(y, k.value, devices, k.key);
    if (at && port) out.push({ at: v as number, kind: k.key as 'link-down' | 'link-up', port, loc: y.loc(item) });
  }
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
}

function portRef(y: YamlReader, node: Node | null, devices: Map<string, Device>, what: string): PortRef | undefined {
  const text = y.str(node, what);
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  let device: string;
  let ifd: string;
  if (colon > 0) {
    device = text.slice(0, colon);
    ifd = text.slice(colon + 1);
  } else if (devices.size === 1) {
    device = [...devices.keys()][0];
    ifd = text;
  } else {
    y.error(node, `${what} ${text}: name the port as DEVICE:INTERFACE in a scenario of several devices`);
    return undefined;
  }
  const d = devices.get(device);
  if (!d) y.error(node, `${what} ${text}: no device '${device}'`);
  else if (!d.ifds.some((i) => i.name === ifd)) y.error(node, `${what} ${text}: device ${device} has no interface '${ifd}'`);
  else return { device, ifd };
  return undefined;
}

/** `R1:4.0.0.21`, `R1:ipvpn:4.0.0.21` (a VRF's session), or `4.0.0.21` in a one-device scenario → a configured session. */
function sessionRef(y: YamlReader, node: Node | null, devices: Map<string, Device>, what: string): BgpSessionEvent['session'] | undefined {
  const text = y.str(node, what);
  if (text === undefined) return undefined;
  let device: string;
  let rest: string;
  if (parseIp(text) && devices.size === 1) {
    device = [...devices.keys()][0];
    rest = text;
  } else {
    const colon = text.indexOf(':');
    if (colon <= 0) {
      y.error(node, `${what} ${text}: name the session as DEVICE:PEER-ADDRESS`);
      return undefined;
    }
    device = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const d = devices.get(device);
  if (!d) {
    y.error(node, `${what} ${text}: no device '${device}'`);
    return undefined;
  }
  // The instance is named only when the rest is not an address itself (IPv6 addresses have colons too).
  let instance: string | undefined;
  let peerText = rest;
  const colon = rest.indexOf(':');
  if (!parseIp(rest) && colon > 0) {
    instance = rest.slice(0, colon);
    peerText = rest.slice(colon + 1);
  }
  const ip = parseIp(peerText);
  if (!ip) {
    y.error(node, `${what} ${text}: '${peerText}' is not an IP address`);
    return undefined;
  }
  const peer = formatIp(ip);
  const found = bgpSessions(d).filter((s) => s.peer === peer && (instance === undefined || s.instance === instance));
  if (found.length === 0) {
    const inInst = instance === undefined ? '' : ` in routing instance ${instance}`;
    y.error(node, `${what} ${text}: ${peer} is not a BGP neighbor of ${device}${inInst}`);
    return undefined;
  }
  if (found.length > 1) {
    y.error(node, `${what} ${text}: ${peer} is a neighbor in several instances of ${device} (${found.map((s) => s.instance).join(', ')}): name one as ${device}:INSTANCE:${peer}`);
    return undefined;
  }
  return { device, instance: found[0]!.instance, peer };
}
