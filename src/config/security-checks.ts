// Checks of the inline IPsec model that need the whole device: st0 and si-
// units named by VPNs and service sets, references between VPNs, gateways,
// policies and proposals, service domains, and several VPNs on one st0 unit.
// Run by finishDevice once the interfaces are known.
//
// Junos's rule for one st0 unit and several VPNs, as modelled: a route-based
// VPN owns its st0 unit (Junos: "st0 unit is bound to another VPN") unless the
// VPNs use traffic selectors, which split the unit's traffic between them; so
// a unit may carry several VPNs only when every one of them has traffic
// selectors. (Junos also allows several VPNs on a point-to-multipoint st0 with
// next-hop tunnel binding; `multipoint` is not modelled.)

import type { Device, Ifl, IpsecVpn, SourceLoc } from './model.js';
import type { FieldLocs, Problem } from './device-checks.js';
import { parseIp } from './values.js';

/** Service IFDs whose units take `service-domain` (Trio inline si-, and MS-/SP-/vms- PIC interfaces). */
const SERVICE_IFD = /^(si|ms|sp|vms|ams)-/;
const ST0_UNIT = /^st0\.\d+$/;
const GCM_CIPHERS = new Set(['aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm']);

function at(loc: SourceLoc | undefined): string {
  return loc ? ` (at ${loc.line}:${loc.col})` : '';
}

function hasAddressOf(ifl: Ifl | undefined, family: 'inet' | 'inet6'): boolean {
  return !!ifl?.[family]?.addresses.length;
}

export function checkSecurity(device: Device, ifls: Map<string, Ifl>, locs: FieldLocs, problems: Problem[]): void {
  const bad = (loc: SourceLoc | undefined, message: string): void => void problems.push({ loc, message });

  for (const ifd of device.ifds) {
    for (const ifl of ifd.units) {
      if (ifl.serviceDomain !== undefined && !SERVICE_IFD.test(ifd.name)) {
        bad(locs.get(ifl, 'serviceDomain'), `${ifl.name}: service-domain is only valid on service interfaces (si-, ms-, sp-)`);
      }
    }
  }

  const sec = device.security;
  const localAddresses = new Set<string>();
  for (const ifl of ifls.values()) for (const fam of [ifl.inet, ifl.inet6]) for (const a of fam?.addresses ?? []) localAddresses.add(a.address);

  if (sec) {
    const gateways = new Map(sec.ikeGateways.map((g) => [g.name, g]));
    const policies = new Map(sec.ipsecPolicies.map((p) => [p.name, p]));
    const proposals = new Map(sec.ipsecProposals.map((p) => [p.name, p]));

    for (const gw of sec.ikeGateways) {
      if (gw.externalInterface !== undefined && !ifls.has(gw.externalInterface)) {
        bad(locs.get(gw, 'externalInterface'), `ike gateway ${gw.name}: external-interface ${gw.externalInterface} does not exist`);
      }
      if (gw.localAddress !== undefined && !localAddresses.has(gw.localAddress)) {
        bad(locs.get(gw, 'localAddress'), `ike gateway ${gw.name}: local-address ${gw.localAddress} is not an address of this device`);
      }
    }
    for (const pol of sec.ipsecPolicies) {
      for (const name of pol.proposals) {
        if (!proposals.has(name)) bad(locs.get(pol, `proposal ${name}`), `ipsec policy ${pol.name}: proposal ${name} is not defined`);
      }
    }

    // Proposals in use must be ones the ESP engine runs (AES-GCM over ESP); unused ones may be anything.
    const checked = new Set<string>();
    const byUnit = new Map<string, IpsecVpn[]>();
    for (const vpn of sec.ipsecVpns) {
      if (vpn.bindInterface !== undefined) {
        const loc = locs.get(vpn, 'bindInterface');
        if (!ST0_UNIT.test(vpn.bindInterface)) bad(loc, `vpn ${vpn.name}: bind-interface ${vpn.bindInterface} is not an st0 unit (st0.N)`);
        else if (!ifls.has(vpn.bindInterface)) bad(loc, `vpn ${vpn.name}: bind-interface ${vpn.bindInterface} does not exist`);
        else byUnit.set(vpn.bindInterface, [...(byUnit.get(vpn.bindInterface) ?? []), vpn]);
      }
      let esn = vpn.extendedSequenceNumber;
      if (vpn.ike) {
        if (!gateways.has(vpn.ike.gateway)) bad(locs.get(vpn, 'gateway'), `vpn ${vpn.name}: ike gateway ${vpn.ike.gateway} is not defined`);
        const pol = vpn.ike.ipsecPolicy === undefined ? undefined : policies.get(vpn.ike.ipsecPolicy);
        if (vpn.ike.ipsecPolicy !== undefined && !pol) {
          bad(locs.get(vpn, 'ipsecPolicy'), `vpn ${vpn.name}: ipsec-policy ${vpn.ike.ipsecPolicy} is not defined`);
        }
        for (const name of pol?.proposals ?? []) {
          const pr = proposals.get(name);
          if (!pr) continue;
          if (pr.extendedSequenceNumber) esn = true;
          if (checked.has(name)) continue;
          checked.add(name);
          if (pr.encryptionAlgorithm !== undefined && !GCM_CIPHERS.has(pr.encryptionAlgorithm)) {
            bad(locs.get(pr, 'encryptionAlgorithm'), `ipsec proposal ${name}: encryption-algorithm ${pr.encryptionAlgorithm} is not supported (aes-128-gcm, aes-192-gcm or aes-256-gcm)`);
          }
          if (pr.protocol === 'ah') bad(locs.get(pr, 'protocol'), `ipsec proposal ${name}: protocol ah is not supported (esp only)`);
        }
      }
      vpn.esn = esn;
      const m = vpn.manual;
      if (m?.externalInterface !== undefined) {
        const ifl = ifls.get(m.externalInterface);
        const loc = locs.get(vpn, 'manualExternalInterface');
        const family = m.gateway !== undefined ? parseIp(m.gateway)?.family : undefined;
        if (!ifl) bad(loc, `vpn ${vpn.name} manual: external-interface ${m.externalInterface} does not exist`);
        else if (family && !hasAddressOf(ifl, family)) {
          bad(loc, `vpn ${vpn.name} manual: external-interface ${m.externalInterface} has no ${family === 'inet' ? 'IPv4' : 'IPv6'} address for gateway ${m.gateway}`);
        }
      }
    }
    for (const [unit, vpns] of byUnit) {
      if (vpns.length < 2 || vpns.every((v) => v.trafficSelectors.length > 0)) continue;
      for (const v of vpns.slice(1)) {
        bad(
          locs.get(v, 'bindInterface'),
          `vpn ${v.name}: ${unit} is already bound to vpn ${vpns[0]!.name}${at(locs.get(vpns[0]!, 'bindInterface'))}; several VPNs on one st0 unit need traffic selectors in each`,
        );
      }
    }
  }

  const vpnNames = new Set(sec?.ipsecVpns.map((v) => v.name) ?? []);
  for (const ss of device.services?.serviceSets ?? []) {
    for (const [field, domain] of [
      ['insideServiceInterface', 'inside'],
      ['outsideServiceInterface', 'outside'],
    ] as const) {
      const name = ss[field];
      const kw = `${domain}-service-interface`;
      if (name === undefined) {
        bad(ss.loc, `service set ${ss.name}: missing next-hop-service ${kw}`);
        continue;
      }
      const loc = locs.get(ss, field);
      const ifl = ifls.get(name);
      if (!SERVICE_IFD.test(name)) bad(loc, `service set ${ss.name}: ${kw} ${name} is not a service interface (si-F/P/N.U)`);
      else if (!ifl) bad(loc, `service set ${ss.name}: ${kw} ${name} does not exist`);
      else if (ifl.serviceDomain !== domain) {
        bad(loc, `service set ${ss.name}: ${kw} ${name} has ${ifl.serviceDomain ? `service-domain ${ifl.serviceDomain}` : 'no service-domain'} (needs ${domain})`);
      }
    }
    for (const v of ss.ipsecVpns) {
      if (!vpnNames.has(v)) bad(locs.get(ss, `vpn ${v}`), `service set ${ss.name}: ipsec-vpn ${v} is not defined`);
    }
  }
}
