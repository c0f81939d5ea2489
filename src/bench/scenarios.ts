// The registry of `triode bench` scenarios. A scenario is a name, the ceiling
// its ratio is taken against, whether it runs on a crypto backend, and a
// function building it from a plain ScenarioSpec. A new scenario is one more
// entry here.
import { setupEspDecrypt, setupEspEncrypt } from './scenario-esp.js';
import { IXP_SIZES, setupIxp, setupIxpPlain } from './scenario-ixp.js';
import { setupL3 } from './scenario-l3.js';
import { setupVxlanDecap, setupVxlanEncap, setupVxlanIpsec } from './scenario-vxlan.js';
import { FRAME_SIZES, SIZE_ORDER, type BackendName, type CeilingKind, type ScenarioSetup, type ScenarioSpec } from './setup.js';

export interface ScenarioDef {
  readonly name: string;
  /** One line for `triode bench --list` and the report. */
  readonly summary: string;
  readonly ceiling: CeilingKind;
  /** Runs on a crypto backend (native, js); false: measured once, backend "none". */
  readonly crypto: boolean;
  readonly setup: (spec: ScenarioSpec) => ScenarioSetup;
  /** Runs on `--workers` replicas; false: a bridging device, which runs on one replica only (as `triode run --workers`). */
  readonly replicable: boolean;
  /** The sizes it runs at, when not all, and why not the others (the other sizes are left out with a note). */
  readonly sizes?: { readonly names: readonly string[]; readonly why: string };
  /** The scenario it is compared with at each size (its Mpps over that one's, printed under the table). */
  readonly baseline?: string;
}

export const SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'l3',
    summary: 'IPv4 forwarding through the whole graph (ethernet-input → ip4-input → ip4-lookup → ip4-rewrite → interface-output), --routes prefixes',
    ceiling: 'memcpy',
    crypto: false,
    setup: setupL3,
    replicable: true,
  },
  {
    name: 'esp-encrypt',
    summary: 'inline IPsec encrypt: LAN → st0 → esp-encrypt (AES-256-GCM) → outer lookup → core port, --vpns VPNs in round robin',
    ceiling: 'aes-gcm',
    crypto: true,
    setup: setupEspEncrypt,
    replicable: true,
  },
  {
    name: 'esp-decrypt',
    summary: 'inline IPsec decrypt with anti-replay: core → si- → esp-decrypt → st0 → LAN port, --vpns VPNs in round robin',
    ceiling: 'aes-gcm',
    crypto: true,
    setup: setupEspDecrypt,
    replicable: true,
  },
  {
    name: 'vxlan-encap',
    summary: 'EVPN-VXLAN encapsulation: access port → bridge-input (learn, MAC lookup over --macs entries) → vxlan-encap → ip4-lookup → core port, 256 remote VTEPs',
    ceiling: 'memcpy',
    crypto: false,
    setup: setupVxlanEncap,
    replicable: false,
  },
  {
    name: 'vxlan-decap',
    summary: 'EVPN-VXLAN decapsulation: VXLAN to the VTEP → ip4-local → vxlan-input → bridge-input (MAC lookup over --macs entries) → l2-output → access port',
    ceiling: 'memcpy',
    crypto: false,
    setup: setupVxlanDecap,
    replicable: false,
  },
  {
    name: 'vxlan-ipsec',
    summary: 'vxlan-encap with the remote VTEPs routed into st0.1: VXLAN then ESP (AES-256-GCM) → core port',
    ceiling: 'aes-gcm',
    crypto: true,
    setup: setupVxlanIpsec,
    replicable: false,
  },
  {
    name: 'ixp',
    summary: 'Internet exchange, member to member: edge port (MAC allow-list, ethertypes, 1500-byte payload limit; sFlow 1 in 2000) → edge-input → bridge-input → l2-output → interface-output → ae0 (4 members, per-flow hash), 1024 UDP flows',
    ceiling: 'memcpy',
    crypto: false,
    setup: setupIxp,
    replicable: false,
    sizes: { names: IXP_SIZES, why: 'a peering LAN carries payloads of 1500 bytes at most (the edge rule)' },
    baseline: 'ixp-plain',
  },
  {
    name: 'ixp-plain',
    summary: 'ixp without the edge rules, the LAG and sFlow: plain bridged port → ethernet-input → bridge-input → l2-output → interface-output → plain port (the baseline of ixp)',
    ceiling: 'memcpy',
    crypto: false,
    setup: setupIxpPlain,
    replicable: false,
    sizes: { names: IXP_SIZES, why: 'measured at the sizes of ixp, whose baseline it is' },
  },
];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);
export const SIZE_NAMES: readonly string[] = SIZE_ORDER;
/** Backends a user can pick; "none" is what crypto-less scenarios report. */
export const BACKEND_NAMES: readonly BackendName[] = ['native', 'js'];

export function scenarioDef(name: string): ScenarioDef {
  const def = SCENARIOS.find((s) => s.name === name);
  if (!def) throw new Error(`unknown scenario "${name}" (scenarios: ${SCENARIO_NAMES.join(', ')})`);
  return def;
}

/** Builds a scenario from its spec (in this thread or a worker's). Checks the spec first. */
export function setupScenario(spec: ScenarioSpec): ScenarioSetup {
  const def = scenarioDef(spec.scenario);
  if (!FRAME_SIZES[spec.size]) throw new Error(`unknown size "${spec.size}" (sizes: ${SIZE_NAMES.join(', ')})`);
  if (def.sizes && !def.sizes.names.includes(spec.size)) throw new Error(`scenario ${spec.scenario} runs at sizes ${def.sizes.names.join(', ')}, not ${spec.size}: ${def.sizes.why}`);
  if (def.crypto ? spec.backend === 'none' : spec.backend !== 'none') {
    throw new Error(`scenario ${spec.scenario} runs with backend ${def.crypto ? 'native or js' : '"none"'}, not "${spec.backend}"`);
  }
  if (!Number.isInteger(spec.vpns) || spec.vpns < 1) throw new Error(`vpns must be a whole number ≥ 1, not ${spec.vpns}`);
  if (!Number.isInteger(spec.routes) || spec.routes < 1) throw new Error(`routes must be a whole number ≥ 1, not ${spec.routes}`);
  if (spec.macs !== undefined && (!Number.isInteger(spec.macs) || spec.macs < 2)) throw new Error(`macs must be a whole number ≥ 2, not ${spec.macs}`);
  return def.setup(spec);
}
