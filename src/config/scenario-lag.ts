// Link aggregation and sFlow in the YAML scenario (same model as junos-lag.ts / junos-sflow.ts):
//   interfaces:
//     et-0/0/1: { lag: ae0 }
//     ae0: { lacp: active, minimum-links: 1, inet: [10.0.0.1/24] }
//   sflow:
//     agent-id: 192.0.2.1          # and/or source-ip
//     collectors: [198.51.100.9, { address: 198.51.100.10, udp-port: 9999 }]
//     sample-rate: 1000            # ingress, every listed port
//     interfaces: [et-0/0/1, { et-0/0/2: { sample-rate: 10 } }]

import type { Node } from 'yaml';
import type { Ifd, SflowConfig, SourceLoc } from './model.js';
import type { Ctx } from './scenario-device.js';
import { MINIMUM_LINKS_MAX } from './junos-lag.js';
import { SAMPLE_RATE_MAX, SFLOW_PORT } from './junos-sflow.js';
import { parseIp } from './values.js';

/** IFD keys of link aggregation. */
export const LAG_IFD_KEYS = ['lag', 'lacp', 'minimum-links'];

export function yamlLagKey(c: Ctx, ifd: Ifd, key: string, keyNode: Node, value: Node | null): void {
  const y = c.y;
  const what = `${ifd.name} ${key}`;
  if (key === 'lag') {
    ifd.lag = y.str(value, what, y.loc(keyNode));
    c.locs.set(ifd, 'lag', y.loc(value, y.loc(keyNode)));
    return;
  }
  const ae = (ifd.aggregatedEther ??= { loc: y.loc(keyNode) });
  if (key === 'lacp') {
    const v = y.str(value, what, y.loc(keyNode));
    if (v === 'active' || v === 'passive') ae.lacp = v;
    else if (v !== undefined) y.error(value, `${what}: expected active or passive`);
  } else ae.minimumLinks = y.int(value, what, 1, MINIMUM_LINKS_MAX, y.loc(keyNode));
}

const SFLOW_KEYS = ['agent-id', 'source-ip', 'collectors', 'sample-rate', 'polling-interval', 'interfaces'];

function ipv4(c: Ctx, node: Node | null, what: string, fallback?: SourceLoc): string | undefined {
  const t = c.y.str(node, what, fallback);
  if (t === undefined) return undefined;
  if (parseIp(t)?.family !== 'inet') {
    c.y.error(node, `${what}: '${t}' is not an IPv4 address`, fallback);
    return undefined;
  }
  return t;
}

/** The device key `sflow:`. */
export function yamlSflow(c: Ctx, value: Node | null, keyLoc?: SourceLoc): SflowConfig {
  const y = c.y;
  const s: SflowConfig = { collectors: [], interfaces: [], loc: keyLoc };
  for (const { key, keyNode, value: v } of y.map(value, 'sflow', SFLOW_KEYS, keyLoc)) {
    const kloc = y.loc(keyNode);
    if (key === 'agent-id') s.agentId = ipv4(c, v, 'sflow agent-id', kloc);
    else if (key === 'source-ip') s.sourceIp = ipv4(c, v, 'sflow source-ip', kloc);
    else if (key === 'sample-rate') s.sampleRateIngress = y.int(v, 'sflow sample-rate', 1, SAMPLE_RATE_MAX, kloc);
    else if (key === 'polling-interval') s.pollingInterval = y.int(v, 'sflow polling-interval', 0, 3600, kloc);
    else if (key === 'collectors') {
      for (const item of y.seq(v, 'sflow collectors', true, kloc)) {
        let address: string | undefined;
        let udpPort = SFLOW_PORT;
        if (y.isMap(item)) {
          for (const e of y.map(item, 'sflow collector', ['address', 'udp-port'])) {
            if (e.key === 'address') address = ipv4(c, e.value, 'sflow collector address', y.loc(e.keyNode));
            else udpPort = y.int(e.value, 'sflow collector udp-port', 1, 65535, y.loc(e.keyNode)) ?? SFLOW_PORT;
          }
          if (address === undefined && !y.map(item, 'sflow collector').some((e) => e.key === 'address')) y.error(item, "sflow collector: missing 'address'");
        } else address = ipv4(c, item, 'sflow collector');
        if (address === undefined) continue;
        if (s.collectors.some((x) => x.address === address && x.udpPort === udpPort)) y.error(item, `sflow collector ${address} port ${udpPort} is given twice`);
        else s.collectors.push({ address, udpPort, loc: y.loc(item) });
      }
    } else if (key === 'interfaces') {
      for (const item of y.seq(v, 'sflow interfaces', true, kloc)) {
        const entries = y.isMap(item) ? y.map(item, 'sflow interface') : [{ key: y.str(item, 'sflow interface'), keyNode: item, value: null }];
        for (const e of entries) {
          if (e.key === undefined) continue;
          const port = e.key.replace(/\.\d+$/, '');
          const entry: SflowConfig['interfaces'][number] = { port, loc: y.loc(e.keyNode) };
          if (e.value !== null) {
            for (const o of y.map(e.value, `sflow interface ${port}`, ['sample-rate'])) {
              entry.sampleRateIngress = y.int(o.value, `sflow interface ${port} sample-rate`, 1, SAMPLE_RATE_MAX, y.loc(o.keyNode));
            }
          }
          if (s.interfaces.some((x) => x.port === port)) y.error(e.keyNode, `sflow interfaces ${port}: listed twice`);
          else s.interfaces.push(entry);
        }
      }
    }
  }
  return s;
}
