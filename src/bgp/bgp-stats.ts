// The `--stats` section of a device's BGP: per session its state and what it
// took in, per table its destinations and paths (src/bgp/speaker.ts).

import type { BgpSpeaker } from './speaker.js';

export interface BgpSessionStats {
  /** Junos's names: Established, or Idle after a session event, a link down or the hold time running out. */
  state: 'Established' | 'Idle';
  /** Paths in the last advertisement (and the scenario's bgp-paths), accepted by import policy, rejected by it, hidden as loops. */
  received: number;
  accepted: number;
  rejected: number;
  looped: number;
}

export interface BgpStats {
  /** By session: the peer's address, after its VRF's name outside the default instance ("ipvpn/4.0.0.21"). */
  sessions: Record<string, BgpSessionStats>;
  /** Sessions this side closed because the peer's hold time ran out. */
  holdExpired: number;
  /** By routing table: prefixes with a BGP path, paths, prefixes with a usable best. */
  tables: Record<string, { destinations: number; paths: number; active: number }>;
  /** bgp.l3vpn.0: VPN routes (RD:prefix) received. */
  vpnRoutes: number;
}

export function bgpStats(b: BgpSpeaker, holdExpired: number): BgpStats {
  const sessions: Record<string, BgpSessionStats> = {};
  for (const s of b.sessions) {
    sessions[s.key] = { state: s.up ? 'Established' : 'Idle', received: s.received, accepted: s.accepted, rejected: s.rejected, looped: s.looped };
  }
  const tables: BgpStats['tables'] = {};
  for (const [name, t] of b.tables) {
    const active = t.rib.bestPaths().length;
    tables[name] = { destinations: t.rib.prefixes, paths: t.rib.pathCount, active };
  }
  return { sessions, holdExpired, tables, vpnRoutes: b.vpn.size };
}
