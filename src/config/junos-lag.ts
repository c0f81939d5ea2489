// Link aggregation in Junos text (the runtime is src/l2/lag.ts):
//   interfaces et-0/0/1 { gigether-options { 802.3ad ae0; } }   (or ether-options)
//   interfaces ae0 { aggregated-ether-options { lacp { active; periodic fast; } minimum-links 1; } unit 0 { ... } }
//   chassis { aggregated-devices { ethernet { device-count 4; } } }
// LACP is accepted, not spoken: a member carries traffic while its link is up.

import type { AggregatedEther, Device, Ifd } from './model.js';
import type { ConfNode } from './junos-tree.js';
import { error, ignore, single, wordLoc, type BuildContext, type HandlerTable } from './junos-build.js';
import { parseIntIn } from './values.js';

/** `aeN` as Junos names bundles. */
export const BUNDLE_NAME = /^ae(\d+)$/;
/** Junos `device-count` range (MX: 1..1000 aggregated Ethernet interfaces). */
export const DEVICE_COUNT_MAX = 1000;
/** `minimum-links` range (Junos: 1..64 members, platform dependent). */
export const MINIMUM_LINKS_MAX = 64;

/** `gigether-options { 802.3ad ae0; }`: the port is a member of ae0 (`802.3ad { ae0; primary; }` forms keep the bundle name). */
function etherOptions(node: ConfNode, ifd: Ifd, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  for (const c of node.children) {
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    if (c.words[0] !== '802.3ad') {
      ignore(ctx, c, here);
      continue;
    }
    const bundle = c.words[1] ?? c.children.find((x) => BUNDLE_NAME.test(x.words[0]!))?.words[0];
    if (bundle === undefined) {
      error(ctx, c.loc, `${ifd.name}: 802.3ad needs the bundle it joins (802.3ad aeN)`);
      continue;
    }
    if (!BUNDLE_NAME.test(bundle)) {
      error(ctx, wordLoc(c, 1), `${ifd.name}: 802.3ad '${bundle}' is not an aggregated Ethernet interface (aeN)`);
      continue;
    }
    if (ifd.lag !== undefined && ifd.lag !== bundle) error(ctx, wordLoc(c, 1), `${ifd.name}: already a member of ${ifd.lag}`);
    ifd.lag = bundle;
    ctx.locs.set(ifd, 'lag', wordLoc(c, 1));
    for (const x of c.children) if (x.words[0] !== bundle) ignore(ctx, x, [...here, ...c.words]);
  }
}

function aggregatedEtherOptions(node: ConfNode, ifd: Ifd, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  const ae: AggregatedEther = ifd.aggregatedEther ?? { loc: node.loc };
  ifd.aggregatedEther = ae;
  for (const c of node.children) {
    if (c.inactive) {
      ctx.device.ignored.push({ path: `inactive: ${[...here, ...c.words].join(' ')}`, loc: c.loc });
      continue;
    }
    const kw = c.words[0];
    if (kw === 'lacp') {
      // `lacp active;` or `lacp { active; periodic fast; }`: the mode is kept, the timers are not modelled.
      const words = [...c.words.slice(1), ...c.children.map((x) => x.words[0]!)];
      for (const w of words) if (w === 'active' || w === 'passive') ae.lacp = w;
      for (const x of c.children) if (x.words[0] !== 'active' && x.words[0] !== 'passive') ignore(ctx, x, [...here, ...c.words]);
      if (!ae.lacp) ae.lacp = 'active';
    } else if (kw === 'minimum-links') {
      const text = single(ctx, c, here, 'number of links');
      if (text === undefined) continue;
      const v = parseIntIn(text, 1, MINIMUM_LINKS_MAX);
      if (v === undefined) error(ctx, wordLoc(c, 1), `minimum-links '${text}' is not in 1..${MINIMUM_LINKS_MAX}`);
      else ae.minimumLinks = v;
      ctx.locs.set(ae, 'minimumLinks', wordLoc(c, 1));
    } else ignore(ctx, c, here);
  }
}

/** Spread into IFD_HANDLERS (junos-interfaces.ts). */
export const LAG_IFD_HANDLERS: HandlerTable<Ifd> = {
  'gigether-options': etherOptions,
  'ether-options': etherOptions,
  'aggregated-ether-options': aggregatedEtherOptions,
};

/**
 * `chassis { aggregated-devices { ethernet { device-count N; } } }`; the rest of
 * chassis (fpc, network-services, ...) is reported once as "chassis", as before.
 */
export function chassis(node: ConfNode, device: Device, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  const agg = node.children.filter((c) => c.words[0] === 'aggregated-devices' && !c.inactive);
  if (agg.length < node.children.length) ignore(ctx, node, path, node.words.slice(0, 1));
  for (const c of agg) {
    for (const e of c.children) {
      if (e.words[0] !== 'ethernet') {
        ignore(ctx, e, [...here, ...c.words]);
        continue;
      }
      for (const d of e.children) {
        if (d.words[0] !== 'device-count') {
          ignore(ctx, d, [...here, ...c.words, ...e.words]);
          continue;
        }
        const text = single(ctx, d, [...here, ...c.words, ...e.words], 'device count');
        if (text === undefined) continue;
        const v = parseIntIn(text, 1, DEVICE_COUNT_MAX);
        if (v === undefined) error(ctx, wordLoc(d, 1), `device-count '${text}' is not in 1..${DEVICE_COUNT_MAX}`);
        else device.aggregatedDevices = { count: v, loc: wordLoc(d, 1) };
      }
    }
  }
}
