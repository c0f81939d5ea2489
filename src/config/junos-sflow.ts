// `protocols sflow` (Junos [edit protocols sflow]) → SflowConfig; the agent is src/nodes/sflow.ts.
//   sflow {
//     agent-id 192.0.2.1; source-ip 192.0.2.1;
//     collector 198.51.100.9 { udp-port 6343; }
//     sample-rate { ingress 1000; }          (or `sample-rate 1000;`, the EX form)
//     polling-interval 20;
//     interfaces et-0/0/1 { sample-rate { ingress 100; } }
//   }
// Egress sampling and counter samples are accepted and reported as not emulated.

import type { SflowConfig } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { error, ignore, single, wordLoc, type BuildContext } from './junos-build.js';
import { parseIntIn, parseIp } from './values.js';

/** Junos sample-rate range ("sample-rate (QFX Series)": 1 through 16,777,215). */
export const SAMPLE_RATE_MAX = 16_777_215;
/** Junos default: "If no global rate is configured, the device uses the default sample rate of 1 in 2000 packets" (sample-rate, QFX Series). */
export const DEFAULT_SAMPLE_RATE = 2000;
/** The sFlow collector port (sFlow v5, 'sFlow Datagram': UDP port 6343), Junos's default `udp-port`. */
export const SFLOW_PORT = 6343;

function ipv4(ctx: BuildContext, node: ConfNode, i: number, what: string): string | undefined {
  const text = node.words[i];
  if (text === undefined) {
    error(ctx, node.loc, `${node.words[0]}: missing ${what}`);
    return undefined;
  }
  const ip = parseIp(text);
  if (!ip || ip.family !== 'inet') {
    error(ctx, wordLoc(node, i), `sflow ${node.words[0]}: '${text}' is not an IPv4 address`);
    return undefined;
  }
  return text;
}

function rate(ctx: BuildContext, node: ConfNode, i: number): number | undefined {
  const text = node.words[i]!;
  const v = parseIntIn(text, 1, SAMPLE_RATE_MAX);
  if (v === undefined) error(ctx, wordLoc(node, i), `sflow sample-rate '${text}' is not in 1..${SAMPLE_RATE_MAX}`);
  return v;
}

/** `sample-rate N` or `sample-rate { ingress N; egress M; }`: the ingress rate (egress is reported, not emulated). */
function sampleRate(node: ConfNode, ctx: BuildContext, path: string[]): number | undefined {
  if (node.words.length === 2) return rate(ctx, node, 1);
  let ingress: number | undefined;
  for (const c of node.children) {
    if (c.words[0] === 'ingress' && c.words.length === 2 && !c.inactive) ingress = rate(ctx, c, 1);
    else ignore(ctx, c, [...path, ...node.words]);
  }
  return ingress;
}

/** `protocols sflow { ... }` (called by `protocols`, junos-mpls.ts). */
export function sflow(node: ConfNode, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  if (node.children.some((c) => c.words[0] === 'disable' && !c.inactive)) {
    ignore(ctx, node, path); // sFlow configured but disabled: nothing is sampled
    return;
  }
  const s: SflowConfig = ctx.device.sflow ?? { collectors: [], interfaces: [], loc: node.loc };
  ctx.device.sflow = s;
  for (const c of node.children) {
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const kw = c.words[0];
    if (kw === 'agent-id' || kw === 'source-ip') {
      if (single(ctx, c, here, 'address') === undefined) continue;
      const a = ipv4(ctx, c, 1, 'address');
      if (a !== undefined && kw === 'agent-id') s.agentId = a;
      else if (a !== undefined) s.sourceIp = a;
    } else if (kw === 'collector') {
      const a = ipv4(ctx, c, 1, 'collector address');
      if (a === undefined) continue;
      let udpPort = SFLOW_PORT;
      for (const o of c.children) {
        if (o.words[0] !== 'udp-port' || o.inactive) {
          ignore(ctx, o, [...here, ...c.words]);
          continue;
        }
        const text = single(ctx, o, [...here, ...c.words], 'UDP port');
        const v = text === undefined ? undefined : parseIntIn(text, 1, 65535);
        if (text !== undefined && v === undefined) error(ctx, wordLoc(o, 1), `sflow collector ${a}: udp-port '${text}' is not in 1..65535`);
        if (v !== undefined) udpPort = v;
      }
      if (s.collectors.some((x) => x.address === a && x.udpPort === udpPort)) error(ctx, wordLoc(c, 1), `sflow collector ${a} port ${udpPort} is given twice`);
      else s.collectors.push({ address: a, udpPort, loc: wordLoc(c, 1) });
    } else if (kw === 'sample-rate') {
      const v = sampleRate(c, ctx, here);
      if (v !== undefined) s.sampleRateIngress = v;
    } else if (kw === 'polling-interval') {
      const text = single(ctx, c, here, 'seconds');
      const v = text === undefined ? undefined : parseIntIn(text, 0, 3600);
      if (text !== undefined && v === undefined) error(ctx, wordLoc(c, 1), `sflow polling-interval '${text}' is not in 0..3600`);
      s.pollingInterval = v;
      if (v) ignore(ctx, c, here); // counter samples are not sent
    } else if (kw === 'interfaces' || kw === 'interface') {
      const name = c.words[1];
      if (name === undefined) {
        error(ctx, c.loc, 'sflow interfaces: missing interface name');
        continue;
      }
      const port = name.replace(/\.\d+$/, '');
      if (s.interfaces.some((x) => x.port === port)) {
        error(ctx, wordLoc(c, 1), `sflow interfaces ${name}: port ${port} is listed twice`);
        continue;
      }
      const entry: SflowConfig['interfaces'][number] = { port, loc: wordLoc(c, 1) };
      let disabled = false;
      for (const o of c.children) {
        if (o.inactive) continue;
        if (o.words[0] === 'sample-rate') entry.sampleRateIngress = sampleRate(o, ctx, [...here, ...c.words]);
        else if (o.words[0] === 'disable') disabled = true;
        else ignore(ctx, o, [...here, ...c.words]);
      }
      if (!disabled) s.interfaces.push(entry);
    } else ignore(ctx, c, here);
  }
}
