// `show security ipsec statistics` and `show security ipsec
// security-associations [detail]` in the Junos layout: one tunnel ID per SA
// pair (a VPN with traffic selectors has one per selector), numbered from
// 131073 as Junos numbers route-based tunnels.
import type { DeviceRt } from '../device/device.js';
import { formatIpv4, formatIpv6 } from '../packet/addr.js';
import type { Sa, SaCounters } from '../ipsec/sa.js';
import type { TsRt, TunnelRt, VpnRt } from '../ipsec/vpn.js';

/** `show security ipsec statistics [index ID]`: over all SAs, or one tunnel's pair. */
export function ipsecStatistics(dev: DeviceRt, index?: number): string {
  const db = dev.ipsec;
  if (!db) return 'No IPsec VPNs configured';
  let t: SaCounters = db.totals();
  if (index !== undefined) {
    const tun = dev.vpns.flatMap((v) => v.tunnels).find((x) => x.id === index);
    if (!tun) throw new Error(`show security ipsec statistics: no tunnel index ${index} on ${dev.name} (see show security ipsec security-associations)`);
    const a = db.sas[tun.outSa].counters();
    const b = db.sas[tun.inSa].counters();
    t = Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof SaCounters] + b[k as keyof SaCounters]])) as SaCounters;
  }
  const row = (label: string, v: number): string => `  ${label.padEnd(29)}${v}`;
  return [
    'ESP Statistics:',
    row('Encrypted bytes:', t.encrypted_bytes),
    row('Decrypted bytes:', t.decrypted_bytes),
    row('Encrypted packets:', t.encrypted_packets),
    row('Decrypted packets:', t.decrypted_packets),
    'AH Statistics:',
    row('Input bytes:', 0),
    row('Output bytes:', 0),
    row('Input packets:', 0),
    row('Output packets:', 0),
    'Errors:',
    `  AH authentication failures: 0, Replay errors: ${t.replay_errors}`,
    `  ESP authentication failures: ${t.esp_authentication_failures}, ESP decryption failures: ${t.esp_decryption_failures}`,
    `  Bad headers: ${t.bad_headers}, Bad trailers: ${t.bad_trailers}`,
  ].join('\n');
}

const algo = (sa: Sa): string => `ESP:${sa.cipher.replace(/^aes-(\d+)-gcm$/, 'aes-gcm-$1')}/None`;
const spiHex = (sa: Sa): string => sa.spi.toString(16).padStart(8, '0');

/** The proposal's lifetime-seconds (Junos default 3600) for IKE SAs; manual SAs never expire. */
function lifetime(dev: DeviceRt, v: VpnRt): number | undefined {
  if (v.model.manual) return undefined;
  const sec = dev.model.security!;
  const pol = sec.ipsecPolicies.find((p) => p.name === v.model.ike?.ipsecPolicy);
  const pr = sec.ipsecProposals.find((p) => pol?.proposals.includes(p.name));
  return pr?.lifetimeSeconds ?? 3600;
}

/** `ipv4(10.1.0.0-10.1.0.255)`: an identity as the range Junos prints. */
function identity(t: TsRt | undefined, local: boolean, family: 4 | 6): string {
  if (t === undefined) return family === 4 ? 'ipv4(0.0.0.0-255.255.255.255)' : 'ipv6(::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff)';
  if (t.family === 4) {
    const net = local ? t.local4 : t.remote4;
    const mask = local ? t.localMask4 : t.remoteMask4;
    return `ipv4(${formatIpv4(net)}-${formatIpv4((net | ~mask) >>> 0)})`;
  }
  const net = local ? t.local6 : t.remote6;
  const len = local ? t.localLen : t.remoteLen;
  const last = Uint8Array.from(net, (b, k) => (k * 8 >= len ? 0xff : (k + 1) * 8 <= len ? b : b | (0xff >> (len - k * 8))));
  return `ipv6(${formatIpv6(net, 0)}-${formatIpv6(last, 0)})`;
}

/** `show security ipsec security-associations [detail]`: `<` inbound, `>` outbound, per tunnel. */
export function ipsecSas(dev: DeviceRt, detail: boolean): string {
  const db = dev.ipsec;
  if (!db) return 'Total active tunnels: 0     Total Ipsec sas: 0';
  const tunnels: [VpnRt, TunnelRt][] = dev.vpns.flatMap((v) => v.tunnels.map((t) => [v, t] as [VpnRt, TunnelRt]));
  const gw = (sa: Sa): string => (sa.outbound ? sa.config.tunnelDst : sa.config.tunnelSrc) ?? '*';
  const lines = [`  Total active tunnels: ${tunnels.length}     Total Ipsec sas: ${tunnels.length}`];
  if (!detail) {
    lines.push('  ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway   ');
    for (const [v, t] of tunnels) {
      const life = lifetime(dev, v);
      for (const sa of [db.sas[t.inSa], db.sas[t.outSa]]) {
        lines.push(`  ${sa.outbound ? '>' : '<'}${t.id} ${algo(sa)} ${spiHex(sa)} ${life === undefined ? '-' : life}/ unlim - root 500 ${gw(sa)}`);
      }
    }
    return lines.join('\n');
  }
  for (const [v, t] of tunnels) {
    const life = lifetime(dev, v);
    const ts = t.selectors[0];
    lines.push('', `  ID: ${t.id} Virtual-system: root, VPN Name: ${v.name}`);
    lines.push(`  Local Gateway: ${v.local}, Remote Gateway: ${v.remote}`);
    if (ts) lines.push(`  Traffic Selector Name: ${t.selectors.map((x) => x.name).join(', ')}`);
    lines.push(`  Local Identity: ${identity(ts, true, ts?.family ?? 4)}`);
    lines.push(`  Remote Identity: ${identity(ts, false, ts?.family ?? 4)}`);
    lines.push(`  Version: ${v.model.manual ? 'manual' : 'IKEv2'}`);
    lines.push(`  DF-bit: ${v.model.dfBit ?? 'copy'}, Copy-Outer-DSCP ${v.model.copyOuterDscp ? 'Enabled' : 'Disabled'}, Bind-interface: ${dev.ifs.ifls[v.st0].name}`);
    lines.push('  Port: 500, Nego#: 0, Fail#: 0, Def-Del#: 0 Flag: 0x0');
    lines.push('  Tunnel events: none (IKE is not emulated)');
    for (const sa of [db.sas[t.inSa], db.sas[t.outSa]]) {
      lines.push(`    Direction: ${sa.direction}, SPI: ${spiHex(sa)}, AUX-SPI: 0`);
      lines.push('                              , VPN Monitoring: -');
      lines.push(`    Hard lifetime: ${life === undefined ? 'Unlimited' : `Expires in ${life} seconds`}`);
      lines.push('    Lifesize Remaining:  Unlimited');
      lines.push(`    Soft lifetime: ${life === undefined ? 'Unlimited' : `Expires in ${Math.floor(life * 0.9)} seconds`}`);
      lines.push(`    Mode: Tunnel(0 0), Type: ${v.model.manual ? 'manual' : 'dynamic'}, State: installed`);
      lines.push(`    Protocol: ESP, Authentication: None, Encryption: ${sa.cipher.replace(/^aes-(\d+)-gcm$/, 'aes-gcm ($1 bits)')}`);
      lines.push(`    Extended-Sequence-Number: ${sa.esn ? 'Enabled' : 'Disabled'}`);
      if (!sa.outbound) {
        lines.push(`    Anti-replay service: ${sa.replay.enabled ? `counter-based enabled, Replay window size: ${sa.replay.size}` : 'disabled'}`);
      }
    }
  }
  return lines.join('\n');
}
