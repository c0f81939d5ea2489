// The inline-IPsec benchmark topology, shared by `triode bench` and the scale
// measurements: a hub (device A) with N route-based VPNs (st0.1 .. st0.N on
// one si- pair, IKE gateways to N spoke addresses, N routes into the st0
// units, keys from an esp_sa file of 2N records) and its mirror (device B,
// the N spokes), which makes the hub's decrypt input.
//
// Beyond 16,384 VPNs (st0 units go up to 16385) the VPNs share st0 units
// with traffic selectors, as a Junos hub of that size would: VPN i binds
// st0.((i - 1) mod 16384 + 1) with one selector, local-ip its hub-side /24,
// remote-ip its spoke-side /24, whose auto route insertion (ARI-TS) routes
// the spoke's /24 into the unit; the packets a unit receives are matched
// against the selectors of the VPNs bound there. `selectors: true` does the
// same at any N (one VPN per unit up to 16,384).
import type { AeadBackend } from '../crypto/aead.js';
import { loadJunosText } from '../config/junos-device.js';
import { parseEspSaFile } from '../config/esp-sa-file.js';
import type { EspSaRecord } from '../config/esp-sa-file.js';
import { DeviceRt } from '../device/device.js';
import { derivedMac } from '../device/mac.js';
import { pattern, udp4Frame } from '../craft/craft.js';
import { formatMac } from '../packet/addr.js';

export const HUB = '13.10.1.1';
export const SPOKE_ROUTER = '13.10.2.2';
export type HubRole = 'A' | 'B';

const q = (i: number) => `${(i >>> 8) & 0xff}.${i & 0xff}`;
/** Remote gateway (spoke) i, 1-based: 13.x.y.z from 13.20.0.1 up (room for 2^20 spokes). */
export const spoke = (i: number) => `13.${20 + (i >>> 16)}.${q(i & 0xffff)}`;
const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
/** Prefix of VPN i's routes, 1-based: 20.x.y.0/24 on the hub, 30.x.y.0/24 on the spokes (20 + i / 2^16 beyond 2^16). */
const vpnNet = (role: HubRole, i: number) => `${(role === 'A' ? 20 : 30) + (i >>> 16)}.${q(i & 0xffff)}`;
const otherRole = (role: HubRole): HubRole => (role === 'A' ? 'B' : 'A');

/** st0 units a hub uses at most (Junos units go up to 16385). */
export const MAX_ST0_UNITS = 16384;

export interface HubOptions {
  /**
   * Traffic selectors (VPNs share st0 units, ARI-TS routes): default when N >
   * MAX_ST0_UNITS, where one unit per VPN is impossible. In selector mode the
   * hub's frames to VPN i come from 30.x.y.1 (its hub-side /24) and the
   * spokes' from 20.x.y.1.
   */
  selectors?: boolean;
}

/** Whether a hub of n VPNs uses traffic selectors. */
export function hubSelectors(n: number, opts: HubOptions = {}): boolean {
  return opts.selectors ?? n > MAX_ST0_UNITS;
}

/** 2N esp_sa records: hub → spoke i (SPI 0x1000000 + i) and spoke i → hub (0x2000000 + i), AES-256-GCM. */
export function hubEspSaText(n: number): string {
  const lines: string[] = [];
  const rec = (src: string, dst: string, spi: number, k: number) =>
    `"IPv4","${src}","${dst}","0x${hex(spi, 4)}","AES-GCM with 16 octet ICV [RFC4106]","0x${hex(k, 4).repeat(8)}${hex((k ^ 0x5a5a5a5a) >>> 0, 4)}","NULL",""`;
  for (let i = 1; i <= n; i++) {
    lines.push(rec(HUB, spoke(i), 0x1000000 + i, (0x11100000 + i) >>> 0));
    lines.push(rec(spoke(i), HUB, 0x2000000 + i, (0x22200000 + i) >>> 0));
  }
  return lines.join('\n') + '\n';
}

export function hubEspSa(n: number): EspSaRecord[] {
  return parseEspSaFile(hubEspSaText(n), 'esp_sa');
}

/**
 * Junos text of the hub (A) or of the spokes (B) with n VPNs. A: routes
 * 20.x.y.0/24 → st0.i, the spokes behind 13.10.2.2, decrypted traffic
 * (30.0.0.0/8 and up) to its LAN. B: owns the n spoke addresses (lo0), routes
 * 30.x.y.0/24 → st0.i. Core ports have mtu 9192 so 9000 B frames are not
 * fragmented once encrypted.
 */
export function hubJunos(role: HubRole, n: number, opts: HubOptions = {}): string {
  const hub = role === 'A';
  const ts = hubSelectors(n, opts);
  const nUnits = ts ? Math.min(n, MAX_ST0_UNITS) : n;
  const units: string[] = [];
  const gws: string[] = [];
  const vpns: string[] = [];
  const routes: string[] = [];
  const ssVpns: string[] = [];
  const lo: string[] = [];
  for (let i = 1; i <= nUnits; i++) units.push(`unit ${i} { family inet; }`);
  for (let i = 1; i <= n; i++) {
    gws.push(hub
      ? `gateway GW${i} { address ${spoke(i)}; local-address ${HUB}; external-interface et-0/0/0.0; version v2-only; }`
      : `gateway GW${i} { address ${HUB}; local-address ${spoke(i)}; external-interface et-0/0/0.0; version v2-only; }`);
    if (ts) {
      const sel = `traffic-selector TS { local-ip ${vpnNet(otherRole(role), i)}.0/24; remote-ip ${vpnNet(role, i)}.0/24; }`;
      vpns.push(`vpn V${i} { bind-interface st0.${((i - 1) % nUnits) + 1}; df-bit copy; ${sel} ike { gateway GW${i}; ipsec-policy POL; } }`);
    } else {
      vpns.push(`vpn V${i} { bind-interface st0.${i}; df-bit copy; ike { gateway GW${i}; ipsec-policy POL; } }`);
      routes.push(`route ${vpnNet(role, i)}.0/24 next-hop st0.${i};`);
    }
    ssVpns.push(`ipsec-vpn V${i};`);
    if (!hub) lo.push(`address ${spoke(i)}/32;`);
  }
  const me = hub ? HUB : SPOKE_ROUTER;
  const peer = hub ? SPOKE_ROUTER : HUB;
  const peerMac = formatMac(derivedMac(hub ? 'B' : 'A', 'et-0/0/0'));
  const lan = hub ? '10.0.0' : '10.9.0';
  return `
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet { address ${me}/16 { arp ${peer} mac ${peerMac}; } } } }
  et-0/0/1 { mtu 9192; unit 0 { family inet { address ${lan}.1/24 { arp ${lan}.2 mac 02:00:00:00:c1:02; } } } }
  si-0/1/0 { unit 0 { family inet; service-domain inside; } unit 1 { family inet; service-domain outside; } }
  st0 { ${units.join(' ')} }
  ${hub ? '' : `lo0 { unit 0 { family inet { ${lo.join(' ')} } } }`}
}
routing-options { static {
  ${hub ? `route 13.0.0.0/8 next-hop ${SPOKE_ROUTER}; route 30.0.0.0/6 next-hop 10.0.0.2;` : ''}
  ${routes.join('\n  ')}
} }
services { service-set IPSEC-SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ${ssVpns.join(' ')} } }
security {
  ike { ${gws.join('\n    ')} }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    ${vpns.join('\n    ')}
  }
}`;
}

export interface BuiltHub {
  dev: DeviceRt;
  /** Seconds spent making the Junos text, parsing it, and building the DeviceRt. */
  gen: number;
  parse: number;
  device: number;
}

export function buildHub(role: HubRole, n: number, records: readonly EspSaRecord[], aead?: AeadBackend, opts: HubOptions = {}): BuiltHub {
  const t0 = performance.now();
  const text = hubJunos(role, n, opts);
  const t1 = performance.now();
  const model = loadJunosText(text, `${role}.conf`, { deviceName: role });
  const t2 = performance.now();
  const dev = new DeviceRt(model, { saRecords: records, aead });
  const t3 = performance.now();
  if (dev.vpns.length !== n) throw new Error(`${role}: ${dev.vpns.length} VPNs built, expected ${n}`);
  return { dev, gen: (t1 - t0) / 1000, parse: (t2 - t1) / 1000, device: (t3 - t2) / 1000 };
}

/**
 * `count` LAN frames of a hub (A) or of the spokes (B): frame i goes to VPN
 * (i mod n) + 1 and is sizes[i mod sizes.length] bytes long with the FCS (so
 * 4 bytes shorter captured), UDP 40000 → 9, IP ID i.
 */
export function hubCleartext(role: HubRole, n: number, sizes: readonly number[], count: number, opts: HubOptions = {}): Uint8Array[] {
  const mac = { src: '02:00:00:00:c1:02', dst: formatMac(derivedMac(role, 'et-0/0/1')) };
  const lan = role === 'A' ? '10.0.0.2' : '10.9.0.2';
  const ts = hubSelectors(n, opts);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = sizes[i % sizes.length];
    const v = (i % n) + 1;
    // With selectors the source must be within the VPN's local-ip.
    const src = ts ? `${vpnNet(otherRole(role), v)}.1` : lan;
    out.push(udp4Frame(mac, { src, dst: `${vpnNet(role, v)}.2`, id: i & 0xffff }, 40000, 9, pattern(size - 4 - 42)));
  }
  return out;
}

/** Index of a device's port by IFD name. */
export function portIndex(dev: DeviceRt, name: string): number {
  const k = dev.ifs.ifds.findIndex((d) => d.name === name);
  if (k < 0) throw new Error(`${dev.name}: no port ${name}`);
  return k;
}
