// Route distinguishers and targets of a device's EVPN routes, as FRR and Junos
// derive them: what `show` prints and what the scenario's peers receive.
import type { DeviceRt } from '../device/device.js';
import type { BridgeDomainRt } from '../l2/bridge.js';
import { formatIpv4 } from '../packet/addr.js';

/** The router ID routes are originated with: `router-id`, else the VTEP source address (as FRR takes the loopback). */
export function routerId(dev: DeviceRt): string {
  if (dev.model.routerId) return dev.model.routerId;
  const d = dev.bridge?.domains.find((x) => x.src4 >= 0);
  return d ? formatIpv4(d.src4) : '0.0.0.0';
}

/**
 * The RD of a domain's routes: its instance's `route-distinguisher`, else
 * FRR's automatic one, router-id:N with N = 2, 3, ... per VNI in order (FRR
 * gives 1 to the default VRF).
 */
export function routeDistinguisher(dev: DeviceRt, d: BridgeDomainRt, originator = routerId(dev)): string {
  const inst = dev.model.instances.find((i) => i.name === d.instance);
  if (inst?.routeDistinguisher) return inst.routeDistinguisher;
  const evpn = dev.bridge!.domains.filter((x) => x.evpn && x.vni >= 0);
  return `${originator}:${evpn.indexOf(d) + 2}`;
}

/** The route target of a domain's routes: its instance's `vrf-target` (target:AS:N), else FRR's automatic AS:VNI. */
export function routeTarget(dev: DeviceRt, d: BridgeDomainRt): string {
  const inst = dev.model.instances.find((i) => i.name === d.instance);
  if (inst?.vrfTarget) return inst.vrfTarget.replace(/^target:/, '');
  return `${dev.model.autonomousSystem ?? 0}:${d.vni}`;
}
