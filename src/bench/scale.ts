// `triode bench --scale`: what the tables cost and how fast the paths stay as
// they grow — memory per SA and per VPN and inline-IPsec throughput at many
// VPNs (scale-sas.ts), memory per route and lookups at 1,000,000 IPv4 and
// IPv6 routes plus forwarding through the whole graph with a 1,000,000-route
// FIB (scale-routes.ts, the l3 scenario), memory per entry and rates of the
// bridge MAC table at 1,000,000 MACs (scale-macs.ts). Each figure against its
// target where the product has one: ≤ 1 KB per SA, ≤ 64 B per IPv4 route.

import type { Clock } from './measure.js';
import { measureMacs, type ScaleMacsResult } from './scale-macs.js';
import { measureRoutes, type RouteScale } from './scale-routes.js';
import { measureSas, type ScaleSasResult } from './scale-sas.js';
import type { BenchResult } from './schema.js';
import { measureSpec } from './suite.js';
import { fmtRate } from './table.js';

export const SA_TARGET_BYTES = 1024;
export const ROUTE4_TARGET_BYTES = 64;

export interface ScaleOptions {
  /** VPN counts of the IPsec hub (2 SAs each). */
  vpns: number[];
  routes: number;
  macs: number;
  /** Seconds per rate measurement. */
  duration: number;
  clock: Clock;
  log?: (line: string) => void;
}

export interface ScaleReport {
  sas: ScaleSasResult[];
  routes: RouteScale[];
  /** The l3 scenario (64 B) with a FIB of `routes` IPv4 routes. */
  forwarding: BenchResult;
  macs: ScaleMacsResult;
  targets: { bytesPerSa: number; bytesPerIpv4Route: number };
}

export function runScale(o: ScaleOptions): ScaleReport {
  o.log?.(`SAs: hubs of ${o.vpns.join(', ')} VPNs`);
  const sas = measureSas({ counts: o.vpns, sizes: [1420], seconds: o.duration, passes: 3, clock: o.clock, log: o.log });
  o.log?.(`routes: ${o.routes} IPv4 and IPv6`);
  const routes = [4, 6].map((family) => measureRoutes({ routes: o.routes, family: family as 4 | 6, seconds: o.duration }));
  o.log?.(`forwarding: l3 64 B through a ${o.routes}-route FIB`);
  const forwarding = measureSpec({ scenario: 'l3', size: '64', backend: 'none', vpns: 1, routes: o.routes }, { reps: 3, duration: o.duration, clock: o.clock });
  o.log?.(`MACs: ${o.macs} entries`);
  const macs = measureMacs({ entries: o.macs, seconds: o.duration, clock: o.clock });
  return { sas, routes, forwarding, macs, targets: { bytesPerSa: SA_TARGET_BYTES, bytesPerIpv4Route: ROUTE4_TARGET_BYTES } };
}

const kb = (x: number) => (x / 1024).toFixed(2);
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The scale report as the terminal shows it. */
export function formatScale(r: ScaleReport): string {
  const out: string[] = [];
  out.push('SAs (route-based VPNs on one si- pair, AES-256-GCM, 1420 B frames to every VPN in round robin):');
  out.push('   VPNs      SAs  KB/SA (exact)  KB/VPN  build s  encrypt Mpps  /aes-gcm  decrypt Mpps  /aes-gcm');
  for (const s of r.sas) {
    out.push(`${String(s.vpns).padStart(7)}  ${String(s.sas).padStart(7)}  ${kb(s.bytesPerSa).padStart(5)} (${kb(s.bytesPerSaExact)})  ${kb(s.bytesPerVpn).padStart(6)}  ${s.buildSeconds.toFixed(2).padStart(7)}  ${fmtRate(s.encrypt.mpps).padStart(12)}  ${s.encrypt.ratioToCeiling.toFixed(3).padStart(8)}  ${fmtRate(s.decrypt.mpps).padStart(12)}  ${s.decrypt.ratioToCeiling.toFixed(3).padStart(8)}`);
  }
  // The larger of the measured and the exact figure: a few dozen SAs are within the GC's noise (even below zero).
  const worstSa = Math.max(...r.sas.map((s) => Math.max(s.bytesPerSa, s.bytesPerSaExact)));
  out.push(`  target ≤ ${r.targets.bytesPerSa} B per SA: ${mark(worstSa <= r.targets.bytesPerSa)} (at most ${worstSa.toFixed(0)} B, measured or counted)`);
  out.push('Routes:');
  out.push('  family   routes  B/route  build s  M lookups/s  /array read');
  for (const t of r.routes) {
    out.push(`  IPv${t.family}   ${String(t.routes).padStart(8)}  ${t.bytesPerRoute.toFixed(1).padStart(7)}  ${t.buildSeconds.toFixed(2).padStart(7)}  ${(t.lookupsPerSecond / 1e6).toFixed(1).padStart(11)}  ${t.lookupRatioToArrayRead.toFixed(3).padStart(11)}`);
  }
  const v4 = r.routes.find((t) => t.family === 4);
  if (v4) out.push(`  target ≤ ${r.targets.bytesPerIpv4Route} B per IPv4 route: ${mark(v4.bytesPerRoute <= r.targets.bytesPerIpv4Route)}`);
  const f = r.forwarding;
  out.push(`  forwarding through the whole graph, ${f.size} B, ${r.routes[0]?.routes ?? ''} IPv4 routes: ${fmtRate(f.mpps)} Mpps (${f.nsPerPacket.toFixed(0)} ns/packet), ${f.ratioToCeiling.toFixed(3)} of the memcpy ceiling`);
  const m = r.macs;
  out.push('MAC table:');
  out.push(`  ${m.entries} entries: ${m.bytesPerEntry.toFixed(1)} B per entry (${m.measuredBytesPerEntry.toFixed(1)} measured), learns ${(m.learnsPerSecond / 1e6).toFixed(1)} M/s, refreshes ${(m.refreshesPerSecond / 1e6).toFixed(1)} M/s, lookups ${(m.lookupsPerSecond / 1e6).toFixed(1)} M/s (${m.ratioToArrayRead.toFixed(3)} of an array read)`);
  return out.join('\n');
}
