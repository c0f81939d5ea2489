import type { DeviceRt } from '../device/device.js';
import { PORT_UP } from '../device/interfaces.js';
import { formatIpv4, formatIpv6, formatMac } from '../packet/addr.js';
import { formatPrefix, parsePrefix } from '../l3/table.js';
import { ipsecSas, ipsecStatistics } from './show-ipsec.js';
import { greIpHeader, mplsStaticLsps, mplsTable } from './show-mpls.js';
import { bgpEvpnRoutes, evpnDatabase, evpnRouteType, macIpTable, macTable } from './show-evpn.js';
import { showVrrp } from './show-vrrp.js';
import { receiveProtocol, showRoute } from './show-route.js';
import { VPN_TABLE } from '../bgp/speaker.js';

// Junos-style `show` output over a device after a run. The layouts follow
// what Junos prints, trimmed to the fields the emulator models.

/** Runs one `--show` command; throws with a one-line reason if it is not known. */
export function show(dev: DeviceRt, what: string): string {
  const w = what.trim().split(/\s+/);
  if (w[0] === 'interfaces' && w[1] === 'terse') return interfacesTerse(dev);
  if (w[0] === 'interfaces' && w[1] && (w[2] === 'extensive' || w[2] === 'detail' || w[2] === undefined)) return interfaceExtensive(dev, w[1]);
  if (w[0] === 'route' && w[1] === 'table' && w[2] === 'mpls.0') return mplsTable(dev);
  if (w[0] === 'route' && w[1] === 'receive-protocol' && w[2] === 'bgp' && w[3]) {
    const t = w.indexOf('table');
    return receiveProtocol(dev, w[3], t > 0 ? w[t + 1] : undefined);
  }
  if (w[0] === 'route') {
    // `route [P] [table NAME] [detail]`: one table by name (red.inet.0), in any order as Junos takes them.
    const t = w.indexOf('table');
    const table = t > 0 ? w[t + 1] : undefined;
    if (t > 0 && (!table || (!dev.tableByName.has(table) && table !== VPN_TABLE))) throw new Error(`show route: no table ${table ?? ''} on ${dev.name}`);
    const words = w.filter((x, i) => i > 0 && x !== 'table' && i !== t + 1 && x !== 'detail' && x !== 'active-path');
    if (words.length > 1) throw new Error(`show route: unexpected '${words[1]}'`);
    return showRoute(dev, { prefix: words[0], table, detail: w.includes('detail') });
  }
  if (w[0] === 'mpls' && (w[1] === 'static-lsp' || w[1] === 'lsp')) return mplsStaticLsps(dev);
  if (w[0] === 'arp') return arp(dev);
  if (w[0] === 'ipv6' && w[1] === 'neighbors') return ndp(dev);
  if (w[0] === 'errors') return errors(dev);
  if (w[0] === 'vrrp' && (w[1] === undefined || w[1] === 'brief')) return showVrrp(dev);
  if (w[0] === 'security' && w[1] === 'ipsec' && w[2] === 'statistics') return ipsecStatistics(dev, w[3] === 'index' ? Number(w[4]) : undefined);
  if (w[0] === 'security' && w[1] === 'ipsec' && w[2] === 'security-associations') return ipsecSas(dev, w[3] === 'detail');
  if ((w[0] === 'mac-vrf' && w[1] === 'forwarding' && w[2] === 'mac-table') || (w[0] === 'ethernet-switching' && w[1] === 'table')) return macTable(dev);
  if ((w[0] === 'mac-vrf' && w[1] === 'forwarding' && w[2] === 'mac-ip-table') || (w[0] === 'ethernet-switching' && w[1] === 'mac-ip-table')) return macIpTable(dev);
  if ((w[0] === 'evpn' && w[1] === 'database') || (w[0] === 'mac-vrf' && w[1] === 'routing' && w[2] === 'database')) return evpnDatabase(dev);
  if (w[0] === 'bgp' && (w[1] === 'l2vpn' ? w[2] === 'evpn' : w[1] === 'evpn')) {
    const r = w.slice(w[1] === 'l2vpn' ? 3 : 2);
    if (r.length === 0 || (r[0] === 'route' && r.length === 1)) return bgpEvpnRoutes(dev);
    if (r[0] === 'route' && r[1] === 'type' && r[2] && r.length === 3) return bgpEvpnRoutes(dev, evpnRouteType(r[2]));
  }
  throw new Error(`unknown show command "${what}" (known: interfaces terse, interfaces <name> extensive, route [<prefix>] [table <name>] [detail], route table mpls.0, route table bgp.l3vpn.0, route receive-protocol bgp <peer>, mpls static-lsp, arp, ipv6 neighbors, errors, vrrp, security ipsec statistics [index N], security ipsec security-associations [detail], mac-vrf forwarding mac-table (ethernet-switching table), mac-vrf forwarding mac-ip-table, evpn database, bgp l2vpn evpn route [type macip|multicast] (bgp evpn route type 2|3))`);
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
    const link = ifd.down === PORT_UP ? 'up' : 'down';
    lines.push(`${ifd.name.padEnd(24)}${up.padEnd(6)}${link}`);
    for (const i of ifd.ifls) {
      const rt = dev.ifs.ifls[i];
      const addrs = addressesOf(dev, i);
      const first = addrs[0];
      lines.push(`${rt.name.padEnd(24)}${up.padEnd(6)}${link.padEnd(5)}${(first?.proto ?? '').padEnd(9)}${first?.local ?? ''}`);
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
    const gre = greIpHeader(dev, i);
    if (gre) lines.push(`    Flags: ${ifd.disabled ? 'Down' : 'Up'} Point-To-Point SNMP-Traps 0x4000 ${gre} Encapsulation: GRE-NULL`);
    else lines.push(`    Flags: ${ifd.disabled ? 'Down' : 'Up'} SNMP-Traps 0x4004000${rt.vlanId ? ` VLAN-Tag [ 0x8100.${rt.vlanId}${rt.vlanInner ? ` 0x8100.${rt.vlanInner}` : ''} ]` : ''}  Encapsulation: ENET2`);
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
    if (rt.model.mpls) lines.push(`    Protocol mpls, MTU: ${rt.mtu4}`);
  };
  if (ifdIndex >= 0) {
    const ifd = ifs.ifds[ifdIndex];
    let rb = 0, tb = 0, rp = 0, tp = 0;
    for (const i of ifd.ifls) { rb += ifs.rxBytes[i]; tb += ifs.txBytes[i]; rp += ifs.rxPackets[i]; tp += ifs.txPackets[i]; }
    lines.push(`Physical interface: ${ifd.name}, ${ifd.disabled ? 'Administratively down' : 'Enabled'}, Physical link is ${ifd.down === PORT_UP ? 'Up' : 'Down'}`);
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
