// `protocols bgp` → Device.evpnPeers. BGP itself is not emulated (issue 9):
// only the neighbours that would exchange EVPN routes are read, those of a
// group with `family evpn` and those with their own `family evpn`:
//   protocols bgp { group G { type internal; local-address A;
//     family evpn { signaling; } neighbor N [{ family evpn { signaling; } }] } }
// The caller still reports `protocols bgp` as ignored (not emulated).

import type { ConfNode } from './junos-tree.js';
import { error, wordLoc, type BuildContext } from './junos-build.js';
import { parseIp } from './values.js';

const active = (n: ConfNode, kw: string): ConfNode[] => n.children.filter((c) => c.words[0] === kw && !c.inactive);
const hasEvpn = (n: ConfNode): boolean => active(n, 'family').some((f) => f.words[1] === 'evpn');

/** Reads the EVPN neighbours of `protocols bgp` (node: the bgp statement). */
export function bgpEvpnPeers(bgp: ConfNode, ctx: BuildContext): void {
  const peers = ctx.device.evpnPeers;
  for (const group of active(bgp, 'group')) {
    const groupEvpn = hasEvpn(group);
    for (const nb of active(group, 'neighbor')) {
      const address = nb.words[1];
      if (address === undefined || !(groupEvpn || hasEvpn(nb))) continue;
      const loc = wordLoc(nb, 1);
      const prev = peers.find((x) => x.address === address);
      if (!parseIp(address)) error(ctx, loc, `bgp group ${group.words[1]}: neighbor '${address}' is not an IP address`);
      else if (prev) error(ctx, loc, `bgp neighbor ${address} is configured twice (also at ${prev.loc?.line}:${prev.loc?.col})`);
      else peers.push({ address, loc });
    }
  }
}
