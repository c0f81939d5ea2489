// Checks of link aggregation and sFlow that both front ends share (called by finishDevice).

import type { Device } from './model.js';
import type { FieldLocs, Problem } from './device-checks.js';
import { BUNDLE_NAME } from './junos-lag.js';

export function checkLag(device: Device, locs: FieldLocs, problems: Problem[]): void {
  const byName = new Map(device.ifds.map((i) => [i.name, i]));
  for (const ifd of device.ifds) {
    const m = BUNDLE_NAME.exec(ifd.name);
    if (m && device.aggregatedDevices && Number(m[1]) >= device.aggregatedDevices.count) {
      const c = device.aggregatedDevices;
      problems.push({ loc: ifd.loc, message: `${ifd.name}: chassis aggregated-devices ethernet device-count ${c.count} allows ae0..ae${c.count - 1} (at ${c.loc?.line}:${c.loc?.col})` });
    }
    if (ifd.aggregatedEther && !m) problems.push({ loc: ifd.aggregatedEther.loc, message: `${ifd.name}: aggregated-ether-options belong on an aggregated Ethernet interface (aeN)` });
    if (ifd.lag === undefined) continue;
    const loc = locs.get(ifd, 'lag');
    const bundle = byName.get(ifd.lag);
    if (m) problems.push({ loc, message: `${ifd.name}: a bundle cannot be a member of another (${ifd.lag})` });
    else if (!BUNDLE_NAME.test(ifd.lag)) problems.push({ loc, message: `${ifd.name}: lag '${ifd.lag}' is not an aggregated Ethernet interface (aeN)` });
    else if (!bundle) problems.push({ loc, message: `${ifd.name}: member of ${ifd.lag}, which is not configured under interfaces` });
    if (ifd.units.length) {
      const u = ifd.units[0]!;
      problems.push({ loc: u.loc, message: `${ifd.name}: a member of ${ifd.lag} has no units of its own (unit ${u.unit}): configure them on ${ifd.lag}` });
    }
  }
}

export function checkSflow(device: Device, problems: Problem[]): void {
  const s = device.sflow;
  if (!s) return;
  const ports = new Set(device.ifds.map((i) => i.name));
  if (s.collectors.length === 0) problems.push({ loc: s.loc, message: 'sflow: no collector (collector A { udp-port P; })' });
  if (s.interfaces.length === 0) problems.push({ loc: s.loc, message: 'sflow: no interfaces to sample (interfaces NAME)' });
  for (const i of s.interfaces) {
    if (!ports.has(i.port)) problems.push({ loc: i.loc, message: `sflow interfaces ${i.port}: no such interface` });
    else if (BUNDLE_NAME.test(i.port)) problems.push({ loc: i.loc, message: `sflow interfaces ${i.port}: sample the bundle's member ports (sFlow samples physical ports)` });
  }
  if (s.agentId === undefined && s.sourceIp === undefined && device.routerId === undefined && loopbackV4(device) === undefined) {
    problems.push({ loc: s.loc, message: 'sflow: no agent address: set agent-id or source-ip (or routing-options router-id, or an lo0.0 inet address)' });
  }
}

/** The first IPv4 address of lo0.0, the agent address when nothing else names one. */
export function loopbackV4(device: Device): string | undefined {
  return device.ifds.find((i) => i.name === 'lo0')?.units.find((u) => u.unit === 0)?.inet?.addresses[0]?.address;
}
