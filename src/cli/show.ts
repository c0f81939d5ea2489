import type { DeviceRt } from '../device/device.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { formatPrefix, parsePrefix, type Route } from '../l3/table.js';
import type { Sa, SaCounters } from '../ipsec/sa.js';

// Junos-style `show` output over a device after a run. The layouts follow
// what Junos prints, trimmed to the fields the emulator models.

/** Runs one `--show` command; throws with a one-line reason if it is not known. */
export function show(dev: DeviceRt, what: string): string {
  const w = what.trim().split(/\s+/);
  if (w[0] === 'interfaces' && w[1] === 'terse') return interfacesTerse(dev);
  if (w[0] === 'interfaces' && w[1] && (w[2] === 'extensive' || w[2] === 'detail' || w[2] === undefined)) return interfaceExtensive(dev, w[1]);
  if (w[0] === 'route') return route(dev, w[1]);
  if (w[0] === 'arp') return arp(dev);
  if (w[0] === 'ipv6' && w[1] === 'neighbors') return ndp(dev);
  if (w[0] === 'errors') return errors(dev);
  if (w[0] === 'security' && w[1] === 'ipsec' && w[2] === 'statistics') return ipsecStatistics(dev, w[3] === 'index' ? Number(w[4]) : undefined);
  if (w[0] === 'security' && w[1] === 'ipsec' && w[2] === 'security-associations') return ipsecSas(dev, w[3] === 'detail');
  throw new Error(`unknown show command "${what}" (known: interfaces terse, interfaces <name> extensive, route [<prefix>], arp, ipv6 neighbors, errors, security ipsec statistics [index N], security ipsec security-associations [detail])`);
}

function addressesOf(dev: DeviceRt, ifl: number): { proto: string; local: string }[] {
  const rt = dev.ifs.ifls[ifl];
  const out: { proto: string; local: string }[] = [];
  for (const a of rt.v4) out.push({ proto: 'inet', local: `${formatIpv4(a.ip)}/${a.len}` });
  if (rt.inet && rt.v4.length === 0) out.push({ proto: 'inet', local: '' });
  for (const a of rt.v6) out.push({ proto: 'inet6', local: `${formatIpv6(a.ip, 0)}/${a.len}` });
  if (rt.inet6) out.push({ proto: out.some((o) => o.proto === 'inet6') ? '' : 'inet6', local: `${formatIpv6(rt.linkLocal, 0)}/64` });
  return out;
}

function interfacesTerse(dev: DeviceRt): string {
  const lines = ['Interface               Admin Link Proto    Local                 Remote'];
  for (const ifd of dev.ifs.ifds) {
    const up = ifd.disabled ? 'down' : 'up';
    lines.push(`${ifd.name.padEnd(24)}${up.padEnd(6)}${up}`);
    for (const i of ifd.ifls) {
      const rt = dev.ifs.ifls[i];
      const addrs = addressesOf(dev, i);
      const first = addrs[0];
      lines.push(`${rt.name.padEnd(24)}${up.padEnd(6)}${up.padEnd(5)}${(first?.proto ?? '').padEnd(9)}${first?.local ?? ''}`);
      for (const a of addrs.slice(1)) lines.push(`${''.padEnd(35)}${a.proto.padEnd(9)}${a.local}`);
    }
  }
  return lines.join('\n');
}

function counter(label: string, v: number): string {
  return `     ${label.padEnd(15)}:${String(v).padStart(21)}`;
}

function interfaceExtensive(dev: DeviceRt, name: string): string {
  const ifdIndex = dev.ifs.ifd(name);
  const ifs = dev.ifs;
  const lines: string[] = [];
  const ifl = (i: number): void => {
    const rt = ifs.ifls[i];
    const ifd = ifs.ifds[rt.ifd];
    lines.push(`  Logical interface ${rt.name} (Index ${i + 1000})`);
    lines.push(`    Flags: ${ifd.disabled ? 'Down' : 'Up'} SNMP-Traps 0x4004000${rt.vlanId ? ` VLAN-Tag [ 0x8100.${rt.vlanId}${rt.vlanInner ? ` 0x8100.${rt.vlanInner}` : ''} ]` : ''}  Encapsulation: ENET2`);
    lines.push('    Traffic statistics:');
    lines.push(counter('Input  bytes', ifs.rxBytes[i]));
    lines.push(counter('Output bytes', ifs.txBytes[i]));
    lines.push(counter('Input  packets', ifs.rxPackets[i]));
    lines.push(counter('Output packets', ifs.txPackets[i]));
    if (rt.inet) {
      lines.push(`    Protocol inet, MTU: ${rt.mtu4}`);
      for (const a of rt.v4) {
        const net = formatPrefix({ family: 4, net4: (a.ip & (a.len ? (0xffffffff << (32 - a.len)) >>> 0 : 0)) >>> 0, net6: null, len: a.len });
        lines.push(`      Addresses, Flags: ${a.primary ? 'Is-Preferred Is-Primary' : 'Is-Preferred'}`);
        lines.push(`        Destination: ${net}, Local: ${formatIpv4(a.ip)}`);
      }
    }
    if (rt.inet6) {
      lines.push(`    Protocol inet6, MTU: ${rt.mtu6}`);
      for (const a of rt.v6) {
        lines.push(`      Addresses, Flags: ${a.primary ? 'Is-Preferred Is-Primary' : 'Is-Preferred'}`);
        lines.push(`        Destination: ${formatPrefix(parsePrefix(`${formatIpv6(a.ip, 0)}/${a.len}`))}, Local: ${formatIpv6(a.ip, 0)}`);
      }
      lines.push('      Addresses, Flags: Is-Preferred');
      lines.push(`        Destination: fe80::/64, Local: ${formatIpv6(rt.linkLocal, 0)}`);
    }
  };
  if (ifdIndex >= 0) {
    const ifd = ifs.ifds[ifdIndex];
    let rb = 0, tb = 0, rp = 0, tp = 0;
    for (const i of ifd.ifls) { rb += ifs.rxBytes[i]; tb += ifs.txBytes[i]; rp += ifs.rxPackets[i]; tp += ifs.txPackets[i]; }
    lines.push(`Physical interface: ${ifd.name}, ${ifd.disabled ? 'Administratively down' : 'Enabled'}, Physical link is ${ifd.disabled ? 'Down' : 'Up'}`);
    lines.push(`  Link-level type: Ethernet, MTU: ${ifd.mtu}`);
    lines.push(`  Current address: ${formatMac(ifd.mac, 0)}, Hardware address: ${formatMac(ifd.mac, 0)}`);
    lines.push('  Traffic statistics:');
    lines.push(counter('Input  bytes', rb).slice(2));
    lines.push(counter('Output bytes', tb).slice(2));
    lines.push(counter('Input  packets', rp).slice(2));
    lines.push(counter('Output packets', tp).slice(2));
    for (const i of ifd.ifls) ifl(i);
    return lines.join('\n');
  }
  const i = ifs.ifl(name);
  if (i < 0) throw new Error(`show interfaces: no interface ${name} on ${dev.name}`);
  ifl(i);
  return lines.join('\n');
}

function route(dev: DeviceRt, prefix?: string): string {
  const filter = prefix ? parsePrefix(prefix) : undefined;
  const out: string[] = [];
  for (const t of dev.tables) {
    // Junos keeps subnet broadcast routes out of `show route` (they are in the forwarding table).
    let lists = t.routes().filter((l) => l[0].protocol !== 'Broadcast');
    if (filter) {
      if (filter.family !== t.family) continue;
      // Junos `show route P`: the longest match for an address, or the exact prefix.
      const best = filter.family === 4 ? t.resolve4(filter.net4) : t.resolve6(filter.net6!);
      lists = lists.filter((l) => l[0] === best || formatPrefix(l[0]) === formatPrefix(filter));
    }
    if (lists.length === 0) continue;
    const n = lists.reduce((s, l) => s + l.length, 0);
    out.push(`${t.name}: ${lists.length} destinations, ${n} routes (${lists.length} active, 0 holddown, 0 hidden)`);
    out.push('+ = Active Route, - = Last Active, * = Both', '');
    for (const l of lists) l.forEach((r, k) => out.push(...routeLines(r, k === 0)));
    out.push('');
  }
  return out.join('\n').trimEnd();
}

function routeLines(r: Route, active: boolean): string[] {
  const head = `${(active ? formatPrefix(r) : '').padEnd(19)}${active ? '*' : ' '}[${r.protocol}/${r.preference}] 00:00:00`;
  const lines = [head];
  for (const v of r.via) lines.push(`${''.padEnd(20)}${v.startsWith('to ') || v.startsWith('via ') ? '>  ' : '   '}${v}`);
  return lines;
}

function arp(dev: DeviceRt): string {
  const lines = ['MAC Address       Address         Name                      Interface           Flags'];
  for (const n of dev.nbrs.all) {
    if (n.family !== 4 || !n.mac) continue;
    lines.push(`${formatMac(n.mac, 0)} ${formatIpv4(n.ip4).padEnd(15)} ${formatIpv4(n.ip4).padEnd(25)} ${dev.ifs.ifls[n.ifl].name.padEnd(19)} ${n.state === 'static' ? 'permanent' : 'none'}`);
  }
  lines.push(`Total entries: ${lines.length - 1}`);
  return lines.join('\n');
}

function ndp(dev: DeviceRt): string {
  const lines = ['IPv6 Address                 Linklayer Address  State       Exp   Rtr  Secure  Interface'];
  for (const n of dev.nbrs.all) {
    if (n.family !== 6) continue;
    const state = n.state === 'incomplete' ? 'incomplete' : n.state === 'static' ? 'permanent' : 'reachable';
    lines.push(`${n.ipText().padEnd(28)} ${n.macText().padEnd(18)} ${state.padEnd(11)} 0     no   no      ${dev.ifs.ifls[n.ifl].name}`);
  }
  lines.push(`Total entries: ${lines.length - 1}`);
  return lines.join('\n');
}

/** VPP's `show errors`: every node counter and drop reason with a count. */
function errors(dev: DeviceRt): string {
  const lines = [`${'Count'.padStart(12)}  ${'Node'.padEnd(22)}Reason`];
  for (const n of dev.graph.nodes) n.counterNames.forEach((c, i) => { if (n.counters[i]) lines.push(`${String(n.counters[i]).padStart(12)}  ${n.name.padEnd(22)}${c}`); });
  for (const [reason, count] of Object.entries(dev.graph.dropsByReason())) lines.push(`${String(count).padStart(12)}  ${'error-drop'.padEnd(22)}${reason}`);
  return lines.join('\n');
}

/** `show security ipsec statistics [index N]`: the Junos layout, over all SAs or one VPN's (index = VPN index + 1). */
function ipsecStatistics(dev: DeviceRt, index?: number): string {
  const db = dev.ipsec;
  if (!db) return 'No IPsec VPNs configured';
  let t: SaCounters = db.totals();
  if (index !== undefined) {
    const v = dev.vpns[index - 1];
    if (!v) throw new Error(`show security ipsec statistics: no tunnel index ${index} on ${dev.name}`);
    const a = db.sas[v.outSa].counters();
    const b = db.sas[v.inSa].counters();
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

/** `show security ipsec security-associations [detail]`: one line (or block) per SA, `<` inbound, `>` outbound. */
function ipsecSas(dev: DeviceRt, detail: boolean): string {
  const db = dev.ipsec;
  if (!db) return 'Total active tunnels: 0';
  const algo = (sa: Sa): string => `ESP:${sa.cipher.replace(/^aes-(\d+)-gcm$/, 'aes-gcm-$1')}/None`;
  const spi = (sa: Sa): string => sa.spi.toString(16).padStart(8, '0');
  const gw = (sa: Sa): string => (sa.outbound ? sa.config.tunnelDst : sa.config.tunnelSrc) ?? '*';
  const lines = [`Total active tunnels: ${dev.vpns.length}     Total IPsec sas: ${db.sas.length}`];
  if (!detail) {
    lines.push('  ID    Algorithm             SPI      Life:sec/kb  Mon lsys Port  Gateway');
    dev.vpns.forEach((v, k) => {
      for (const sa of [db.sas[v.inSa], db.sas[v.outSa]]) {
        lines.push(`  ${sa.outbound ? '>' : '<'}${String(k + 1).padEnd(6)}${algo(sa).padEnd(22)}${spi(sa)} ${'-/ unlim'.padEnd(12)} -   root 500   ${gw(sa)}`);
      }
    });
    return lines.join('\n');
  }
  dev.vpns.forEach((v, k) => {
    const o = db.sas[v.outSa];
    lines.push('', `  ID: ${k + 1} Virtual-system: root, VPN Name: ${v.name}`);
    lines.push(`  Local Gateway: ${v.local}, Remote Gateway: ${v.remote}`);
    lines.push(`  Version: ${v.model.manual ? 'manual' : 'IKEv2'}`);
    lines.push(`  DF-bit: ${v.model.dfBit ?? 'copy'}, Copy-Outer-DSCP ${v.model.copyOuterDscp ? 'Enabled' : 'Disabled'}, Bind-interface: ${dev.ifs.ifls[v.st0].name}`);
    lines.push(`  Tunnel events: none (IKE is not emulated)`);
    for (const sa of [db.sas[v.inSa], o]) {
      lines.push(`    Direction: ${sa.direction}, SPI: 0x${spi(sa)}, AUX-SPI: 0`);
      lines.push(`                              , VPN Monitoring: -`);
      lines.push('    Hard lifetime: Unlimited');
      lines.push('    Lifesize Remaining:  Unlimited');
      lines.push('    Soft lifetime: Unlimited');
      lines.push(`    Mode: Tunnel(0 0), Type: ${v.model.manual ? 'manual' : 'dynamic'}, State: Up`);
      lines.push(`    Protocol: ESP, Authentication: None, Encryption: ${sa.cipher.replace(/^aes-(\d+)-gcm$/, 'aes-gcm ($1 bits)')}`);
      lines.push(`    Extended-Sequence-Number: ${sa.esn ? 'Enabled' : 'Disabled'}`);
      if (!sa.outbound) {
        lines.push(`    Anti-replay service: ${sa.replay.enabled ? `counter-based enabled, Replay window size: ${sa.replay.size}` : 'disabled'}`);
      }
      lines.push(`    Gateway: ${gw(sa)}, Port: 500`);
    }
  });
  return lines.join('\n');
}
