// Checks of the BGP sessions that need the whole device (both front ends), and
// Device.evpnPeers derived from them: the default instance's neighbours whose
// session carries `family evpn signaling`.

import type { BgpConfig, BgpGroup, BgpNeighbor, Device } from './model.js';
import type { FieldLocs, Problem } from './device-checks.js';
import { resolveSession } from '../bgp/session.js';

function check(device: Device, instance: string, b: BgpConfig, g: BgpGroup, n: BgpNeighbor, locs: FieldLocs, problems: Problem[]): void {
  const s = resolveSession(device, instance, b, g, n);
  const where = `bgp group ${g.name} neighbor ${n.address}${instance === 'master' ? '' : ` (routing instance ${instance})`}`;
  const given = n.peerAs !== undefined ? n : g.peerAs !== undefined ? g : b.peerAs !== undefined ? b : undefined;
  if (!s.internal && s.peerAs === undefined) {
    problems.push({ loc: n.loc, message: `${where}: an external session needs peer-as (on the neighbor or its group)` });
  } else if (!s.internal && s.localAs !== undefined && s.peerAs === s.localAs) {
    problems.push({ loc: locs.get(given!, 'peerAs'), message: `${where}: type external, but peer-as ${s.peerAs} is the local AS` });
  } else if (s.internal && given && s.localAs !== undefined && given.peerAs !== s.localAs) {
    // Junos: the peers of an internal group are in the local AS.
    problems.push({ loc: locs.get(given, 'peerAs'), message: `${where}: type internal, but peer-as ${given.peerAs} is not the local AS ${s.localAs}` });
  }
  if (instance !== 'master' && s.families.includes('evpn-signaling')) {
    problems.push({ loc: n.loc, message: `${where}: family evpn is configured in the default instance's protocols bgp, not in a VRF's` });
  }
}

/** Checks every session; sets Device.evpnPeers (EVPN routes are exchanged with these neighbours). */
export function checkBgp(device: Device, locs: FieldLocs, problems: Problem[]): void {
  const evpn: Device['evpnPeers'] = [];
  const each = (instance: string, b: BgpConfig | undefined): void => {
    for (const g of b?.groups ?? []) {
      for (const n of g.neighbors) {
        check(device, instance, b!, g, n, locs, problems);
        if (instance === 'master' && resolveSession(device, instance, b!, g, n).families.includes('evpn-signaling')) evpn.push({ address: n.address, loc: n.loc });
      }
    }
  };
  each('master', device.bgp);
  for (const inst of device.instances) if (inst.name !== 'master') each(inst.name, inst.bgp);
  if (device.bgp || device.instances.some((i) => i.bgp)) device.evpnPeers = evpn;
}
