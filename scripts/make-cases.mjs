// `npm run cases`: regenerates the whole pcaps/ library, area by area, each
// from its generator's descriptions (scripts/make-<area>-cases.mjs; how a
// case is built, checked against its intent and written: scripts/cases-lib.mjs).
//
//   node scripts/make-cases.mjs                 every area
//   node scripts/make-cases.mjs forwarding      one area
//   node scripts/make-cases.mjs ecmp            cases whose name contains "ecmp", in any area
//   node scripts/make-cases.mjs mtu/ipv4        cases of one area whose name contains "ipv4"

import { generate } from './cases-lib.mjs';
import * as arpNd from './make-arp-nd-cases.mjs';
import * as arpProfiles from './make-arp-profile-cases.mjs';
import { generateDecodeCases } from './make-decode-cases.mjs';
import * as evpn from './make-evpn-cases.mjs';
import * as forwarding from './make-forwarding-cases.mjs';
import * as ipsec from './make-ipsec-cases.mjs';
import * as ipvpn from './make-ipvpn-cases.mjs';
import * as mplsGre from './make-mpls-gre-cases.mjs';
import * as mtu from './make-mtu-cases.mjs';
import * as ixp from './make-ixp-cases.mjs';
import * as lagSflow from './make-lag-sflow-cases.mjs';
import * as vrrp from './make-vrrp-cases.mjs';

const AREAS = [
  [forwarding.AREA, () => [forwarding.GENERATOR, forwarding.CASES]],
  [arpNd.AREA, () => [arpNd.GENERATOR, arpNd.CASES]],
  [arpProfiles.AREA, () => [arpProfiles.GENERATOR, arpProfiles.CASES]],
  [mtu.AREA, () => [mtu.GENERATOR, mtu.CASES]],
  [mplsGre.AREA, () => [mplsGre.GENERATOR, mplsGre.CASES]],
  [ipsec.AREA, () => [ipsec.GENERATOR, ipsec.IPSEC_CASES]],
  [evpn.AREA, () => [evpn.GENERATOR, evpn.CASES]],
  [ixp.AREA, () => [ixp.GENERATOR, ixp.CASES]],
  [lagSflow.AREA, () => [lagSflow.GENERATOR, lagSflow.CASES]],
  [vrrp.AREA, () => [vrrp.GENERATOR, vrrp.CASES]],
  [ipvpn.AREA, () => [ipvpn.GENERATOR, ipvpn.CASES]],
  ['third-party', null],
];

const arg = process.argv[2] ?? '';
const [areaFilter, nameFilter] = arg.includes('/') ? arg.split('/', 2)
  : AREAS.some(([a]) => a === arg) ? [arg, ''] : ['', arg];
let failed = 0;
for (const [area, cases] of AREAS) {
  if (areaFilter && area !== areaFilter) continue;
  if (cases === null) failed += generateDecodeCases(nameFilter || undefined);
  else failed += generate(area, ...cases(), nameFilter || undefined);
}
if (failed) {
  console.error(`${failed} case(s) not written or not agreeing`);
  process.exit(1);
}
