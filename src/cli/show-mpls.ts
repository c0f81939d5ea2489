import type { DeviceRt } from '../device/device.js';
import { STATIC_LSP_PREFERENCE } from '../l3/mpls.js';

// Junos-style output for GRE tunnels and static MPLS: `show route table
// mpls.0`, `show mpls static-lsp` (also as `show mpls lsp`), and the gr- lines
// of `show interfaces <ifl> extensive`. Trimmed to what the emulator models.

/** `show route table mpls.0`: the transit static LSPs and the VRF labels (vrf-table-label) by incoming label. */
export function mplsTable(dev: DeviceRt): string {
  const labels = [...(dev.mpls?.labels.values() ?? [])].sort((a, b) => a.label - b.label);
  const n = labels.length;
  const out = [`mpls.0: ${n} destinations, ${n} routes (${n} active, 0 holddown, 0 hidden)`, '+ = Active Route, - = Last Active, * = Both', ''];
  for (const e of labels) {
    if (e.vrf) {
      // vrf-table-label: Junos shows the VRF's label as a VPN route to its LSI unit, without a metric.
      out.push(`${String(e.label).padEnd(19)}*[VPN/0] 00:00:00`, `${''.padEnd(20)}>  ${e.via}, Pop`);
      continue;
    }
    out.push(`${String(e.label).padEnd(19)}*[MPLS/${STATIC_LSP_PREFERENCE}] 00:00:00, metric 1`);
    const op = e.pop ? 'Pop' : `Swap ${e.outLabel}`;
    out.push(e.via ? `${''.padEnd(20)}>  ${e.via}, ${op}` : `${''.padEnd(23)}${op}`);
  }
  return out.join('\n');
}

/** `show mpls static-lsp`: ingress LSPs (to, pushed label) and transit entries (incoming label, operation). */
export function mplsStaticLsps(dev: DeviceRt): string {
  const ingress = [...(dev.mpls?.ingress.values() ?? [])];
  const transit = [...(dev.mpls?.labels.values() ?? [])].filter((e) => !e.vrf);
  const total = (k: number): string => `Total ${k}, displayed ${k}, Up ${k}, Down 0`;
  return [
    'Ingress LSPs:',
    `${'LSPname'.padEnd(24)} ${'To'.padEnd(16)} State   Label`,
    ...ingress.map((l) => `${l.name.padEnd(24)} ${l.to.padEnd(16)} Up      ${l.push}`),
    total(ingress.length),
    '',
    'Transit LSPs:',
    `${'LSPname'.padEnd(24)} ${'Incoming-label'.padEnd(16)} State   Label-operation`,
    ...transit.map((e) => `${e.lsp.padEnd(24)} ${String(e.label).padEnd(16)} Up      ${e.pop ? 'Pop' : `Swap ${e.outLabel}`}`),
    total(transit.length),
  ].join('\n');
}

/** The `IP-Header dst:src:47:df:ttl:key` flags of a gr- unit, as Junos prints them, or '' for other IFLs. */
export function greIpHeader(dev: DeviceRt, ifl: number): string {
  const k = dev.gre?.ofIfl[ifl] ?? -1;
  if (k < 0) return '';
  const t = dev.gre!.all[k];
  const [src, dst] = t.text.split(' → ');
  return `IP-Header ${dst}:${src}:47:${t.df ? 'df' : ''}:${t.ttl}:0000000000000000`;
}
