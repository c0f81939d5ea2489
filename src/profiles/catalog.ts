// Every behaviour switch, by area. An area adds its own file's list here.

import { Behaviour, type ProfileName, type ProfileSpec, type SwitchDef, type SwitchSetting } from './switch.js';
import { BRIDGING_SWITCHES } from './bridging.js';
import { ARP_SWITCHES } from './arp.js';

export const SWITCHES: readonly SwitchDef[] = [...BRIDGING_SWITCHES, ...ARP_SWITCHES];

/** A device's behaviour: its profile's defaults, then its settings in order (scenario first, command line last). */
export function behaviourOf(profile: ProfileName, settings: readonly SwitchSetting[] = []): Behaviour {
  return new Behaviour(profile, SWITCHES, settings);
}

/**
 * Applies command-line profiles to a scenario's devices: a spec naming a
 * device applies to it, one naming none to every device. The profile
 * replaces the device's; its switches come after the device's own.
 */
export function applyProfiles(devices: { name: string; profile: string; switches?: SwitchSetting[] }[], specs: readonly ProfileSpec[]): void {
  for (const spec of specs) {
    const targets = spec.device === undefined ? devices : devices.filter((d) => d.name === spec.device);
    if (!targets.length) throw new Error(`--profile ${spec.text}: no device '${spec.device}' (devices: ${devices.map((d) => d.name).join(', ')})`);
    for (const d of targets) {
      d.profile = spec.profile;
      d.switches = [...(d.switches ?? []), ...spec.switches];
    }
  }
}
