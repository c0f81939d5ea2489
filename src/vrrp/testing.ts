// The two-router VRRP lab the tests and golden cases share: the seed's
// multihomed site, Saturn (a host, frames given as input on the switch's
// port) behind a small bridging switch, with Luna (priority 200) and Orcus
// (default 100) running VRRP group 1 for the gateway 192.168.1.1 (and group 1
// of IPv6 for 2001:db8:1::1).

import type { Scenario } from '../config/model.js';
import { loadScenarioText } from '../config/scenario.js';

export const SATURN_MAC = '02:00:00:00:5a:01';
export const SATURN_IP = '192.168.1.10';
export const SATURN_IP6 = '2001:db8:1::10';
export const VIP = '192.168.1.1';
export const VIP6 = '2001:db8:1::1';
export const VMAC4 = '00:00:5e:00:01:01';
export const VMAC6 = '00:00:5e:00:02:01';
/** Saturn's port on the switch: inputs are given there, and what Saturn receives is its output. */
export const SATURN_PORT = 'SW:ge-0/0/0';

export interface LabOptions {
  /** Luna's extra group statements (e.g. `no-preempt;`), and Orcus's. */
  luna?: string;
  orcus?: string;
  /** `protocols vrrp { version-3; }` on both. */
  v3?: boolean;
  /** The scenario's timeline (YAML list items). */
  timeline?: string[];
}

function router(name: string, addr: string, addr6: string, extra: string, v3: boolean): string {
  return `  ${name}:
    junos: |
      interfaces {
          ge-0/0/0 {
              unit 0 {
                  family inet { address ${addr}/24 { vrrp-group 1 { virtual-address ${VIP}; ${extra} } } }
                  family inet6 { address ${addr6}/64 { vrrp-inet6-group 1 { virtual-inet6-address ${VIP6}; ${extra} } } }
              }
          }
          ge-0/0/1 { unit 0 { family inet { address 10.0.${name === 'Luna' ? 1 : 2}.1/30; } } }
      }
      routing-options { static { route 0.0.0.0/0 next-hop 10.0.${name === 'Luna' ? 1 : 2}.2; } }
${v3 ? '      protocols { vrrp { version-3; } }\n' : ''}`;
}

export function labYaml(o: LabOptions = {}): string {
  return `devices:
  SW:
    junos: |
      interfaces {
          ge-0/0/0 { encapsulation ethernet-bridge; unit 0; }
          ge-0/0/1 { encapsulation ethernet-bridge; unit 0; }
          ge-0/0/2 { encapsulation ethernet-bridge; unit 0; }
      }
      routing-instances {
          LAN { instance-type virtual-switch; bridge-domains { SITE { vlan-id 10; no-arp-suppression; interface ge-0/0/0.0; interface ge-0/0/1.0; interface ge-0/0/2.0; } } }
      }
${router('Luna', '192.168.1.2', '2001:db8:1::2', `priority 200; accept-data; ${o.luna ?? ''}`, o.v3 ?? false)}${router('Orcus', '192.168.1.3', '2001:db8:1::3', o.orcus ?? '', o.v3 ?? false)}links:
  - [SW:ge-0/0/1, Luna:ge-0/0/0]
  - [SW:ge-0/0/2, Orcus:ge-0/0/0]
${o.timeline?.length ? `timeline:\n${o.timeline.map((t) => `  - ${t}\n`).join('')}` : ''}`;
}

export function lab(o: LabOptions = {}): Scenario {
  return loadScenarioText(labYaml(o), 'vrrp-lab.yaml');
}
