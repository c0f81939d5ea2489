// `security` (IKE gateways, IPsec proposals, policies, VPNs, manual SAs) and
// `services service-set` → Device.security / Device.services, for Trio-style
// inline IPsec (st0 secure-tunnel IFLs, si- service IFLs).
//
// IKE itself is not emulated: `security ike proposal` and `security ike policy`
// are accepted and listed in `device.ignored`; a gateway is modelled for its
// addresses (an IKE VPN's keys come from an esp_sa file at run time, matched by
// gateway addresses and SPI). Statements this file does not model (`security
// zones`, `security policies`, `services nat`, ...) are listed in
// `device.ignored` with their path. Checks that need the whole device
// (interfaces, references between VPNs, policies, proposals and service sets)
// are in security-checks.ts.
//
// Manual SAs, accepted forms:
//   manual { gateway A; external-interface IFL; protocol esp; spi N;
//            encryption { algorithm aes-256-gcm; key hexadecimal "..."; } }
// with `spi` and `encryption` shared by both directions, and optionally
//   inbound { spi N; encryption { ... } }  outbound { spi N; encryption { ... } }
// blocks that override the shared values for one direction (so inbound and
// outbound SPIs and keys may differ). The key is the RFC 4106 keying material:
// the AES key followed by the 4-byte salt (20, 28 or 36 bytes), as in an esp_sa
// file; `key hexadecimal H` (hex digits, optional 0x) or `key ascii-text T`
// (the text's bytes). Junos-encrypted `$9$` keys are refused with a message.

import type {
  IkeGateway,
  IpsecCipher,
  IpsecPolicy,
  IpsecProposal,
  IpsecVpn,
  ManualSa,
  ManualSaKeys,
  SecurityConfig,
  ServiceSet,
  SourceLoc,
  TrafficSelector,
} from './model.js';
import type { ConfNode } from './junos-tree.js';
import { dispatch, error, flag, ignore, single, word, wordLoc, type BuildContext, type HandlerTable } from './junos-build.js';
import { iflName } from './device-checks.js';
import { parseIntIn, parseIp, parsePrefix } from './values.js';

/** Junos `anti-replay-window-size` range under `security ipsec vpn` (the ESP engine itself takes 32..1048576). */
export const JUNOS_REPLAY_WINDOW_MIN = 64;
export const JUNOS_REPLAY_WINDOW_MAX = 65536;
/** Junos `lifetime-seconds` range of an IPsec proposal. */
export const IPSEC_LIFETIME_MIN = 180;
export const IPSEC_LIFETIME_MAX = 86400;
/** RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is never sent. */
export const MANUAL_SPI_MIN = 256;
export const MANUAL_SPI_MAX = 0xffffffff;

export const GCM_KEY_LEN: Readonly<Record<IpsecCipher, number>> = { 'aes-128-gcm': 16, 'aes-192-gcm': 24, 'aes-256-gcm': 32 };
export const GCM_SALT_LEN = 4;

export function isIpsecCipher(s: string | undefined): s is IpsecCipher {
  return s === 'aes-128-gcm' || s === 'aes-192-gcm' || s === 'aes-256-gcm';
}

const CIPHERS = 'aes-128-gcm, aes-192-gcm or aes-256-gcm';

function oneOf<T extends string>(ctx: BuildContext, n: ConfNode, p: string[], allowed: readonly T[]): T | undefined {
  const v = single(ctx, n, p, 'value');
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  error(ctx, wordLoc(n, 1), `${n.words[0]} '${v}' is not ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}`);
  return undefined;
}

function ipValue(ctx: BuildContext, n: ConfNode, i: number, what: string): string | undefined {
  const text = n.words[i];
  if (text === undefined) return undefined;
  if (!parseIp(text)) {
    error(ctx, wordLoc(n, i), `${what} '${text}' is not an IP address`);
    return undefined;
  }
  return text;
}

// ---- security ike ----

interface SecurityTarget {
  sec: SecurityConfig;
  /** IKE policy names, for the gateways' `ike-policy` references. */
  ikePolicies: Set<string>;
}

export const IKE_GATEWAY_HANDLERS: HandlerTable<IkeGateway> = {
  'ike-policy': (n, gw, ctx, p) => {
    gw.ikePolicy = single(ctx, n, p, 'IKE policy name');
    ctx.locs.set(gw, 'ikePolicy', wordLoc(n, 1));
  },
  address: (n, gw, ctx, p) => {
    if (word(ctx, n, 1, 'address') === undefined) return;
    for (let i = 1; i < n.words.length; i++) {
      const a = ipValue(ctx, n, i, 'ike gateway address');
      if (a === undefined) continue;
      if (gw.addresses.length === 0) ctx.locs.set(gw, 'address', wordLoc(n, i));
      gw.addresses.push(a);
    }
    for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
  },
  'local-address': (n, gw, ctx, p) => {
    if (single(ctx, n, p, 'address') === undefined) return;
    gw.localAddress = ipValue(ctx, n, 1, 'local-address');
    ctx.locs.set(gw, 'localAddress', wordLoc(n, 1));
  },
  'external-interface': (n, gw, ctx, p) => {
    const v = single(ctx, n, p, 'interface name');
    if (v === undefined) return;
    gw.externalInterface = iflName(v);
    ctx.locs.set(gw, 'externalInterface', wordLoc(n, 1));
  },
  version: (n, gw, ctx, p) => {
    gw.version = oneOf(ctx, n, p, ['v1-only', 'v2-only'] as const);
  },
};

function ikeGateway(n: ConfNode, t: SecurityTarget, ctx: BuildContext, p: string[]): void {
  const name = word(ctx, n, 1, 'gateway name');
  if (name === undefined) return;
  const gw: IkeGateway = { name, addresses: [], loc: n.loc };
  t.sec.ikeGateways.push(gw);
  dispatch(IKE_GATEWAY_HANDLERS, n, gw, ctx, [...p, ...n.words]);
  // A gateway needs a peer: `address` (a rejected one is already reported) or `dynamic` (not modelled).
  const peer = n.children.some((c) => !c.inactive && (c.words[0] === 'dynamic' || c.words[0] === 'address'));
  if (!peer) error(ctx, n.loc, `ike gateway ${name}: missing address`);
  const local = gw.localAddress !== undefined ? parseIp(gw.localAddress) : undefined;
  if (local) {
    for (const a of gw.addresses) {
      if (parseIp(a)!.family !== local.family) {
        error(ctx, ctx.locs.get(gw, 'localAddress'), `ike gateway ${name}: local-address ${gw.localAddress} and address ${a} are not of the same family`);
        break;
      }
    }
  }
}

export const IKE_HANDLERS: HandlerTable<SecurityTarget> = {
  // Accepted, not emulated: listed as ignored, one entry per proposal/policy.
  proposal: (n, _t, ctx, p) => ignore(ctx, n, p),
  policy: (n, t, ctx, p) => {
    if (n.words[1] !== undefined) t.ikePolicies.add(n.words[1]);
    ignore(ctx, n, p);
  },
  gateway: ikeGateway,
};

// ---- security ipsec proposal / policy ----

export const IPSEC_PROPOSAL_HANDLERS: HandlerTable<IpsecProposal> = {
  protocol: (n, pr, ctx, p) => {
    pr.protocol = oneOf(ctx, n, p, ['esp', 'ah'] as const);
    ctx.locs.set(pr, 'protocol', wordLoc(n, 1));
  },
  'encryption-algorithm': (n, pr, ctx, p) => {
    pr.encryptionAlgorithm = single(ctx, n, p, 'algorithm');
    ctx.locs.set(pr, 'encryptionAlgorithm', wordLoc(n, 1));
  },
  'lifetime-seconds': (n, pr, ctx, p) => {
    const text = single(ctx, n, p, 'seconds');
    if (text === undefined) return;
    const v = parseIntIn(text, IPSEC_LIFETIME_MIN, IPSEC_LIFETIME_MAX);
    if (v === undefined) error(ctx, wordLoc(n, 1), `lifetime-seconds '${text}' is not in ${IPSEC_LIFETIME_MIN}..${IPSEC_LIFETIME_MAX}`);
    else pr.lifetimeSeconds = v;
  },
  'extended-sequence-number': (n, pr, ctx, p) => {
    flag(ctx, n, p);
    pr.extendedSequenceNumber = true;
  },
};

export const IPSEC_POLICY_HANDLERS: HandlerTable<IpsecPolicy> = {
  proposals: (n, pol, ctx, p) => {
    if (word(ctx, n, 1, 'proposal name') === undefined) return;
    for (let i = 1; i < n.words.length; i++) {
      pol.proposals.push(n.words[i]!);
      ctx.locs.set(pol, `proposal ${n.words[i]}`, wordLoc(n, i));
    }
    for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
  },
};

// ---- security ipsec vpn ----

export const VPN_IKE_HANDLERS: HandlerTable<{ vpn: IpsecVpn; ike: { gateway?: string; ipsecPolicy?: string } }> = {
  gateway: (n, t, ctx, p) => {
    t.ike.gateway = single(ctx, n, p, 'gateway name');
    ctx.locs.set(t.vpn, 'gateway', wordLoc(n, 1));
  },
  'ipsec-policy': (n, t, ctx, p) => {
    t.ike.ipsecPolicy = single(ctx, n, p, 'policy name');
    ctx.locs.set(t.vpn, 'ipsecPolicy', wordLoc(n, 1));
  },
};

export const TRAFFIC_SELECTOR_HANDLERS: HandlerTable<TrafficSelector> = {
  'local-ip': (n, ts, ctx, p) => prefixField(n, ts, ctx, p, 'localIp'),
  'remote-ip': (n, ts, ctx, p) => prefixField(n, ts, ctx, p, 'remoteIp'),
};

function prefixField(n: ConfNode, ts: TrafficSelector, ctx: BuildContext, p: string[], field: 'localIp' | 'remoteIp'): void {
  const text = single(ctx, n, p, 'prefix');
  if (text === undefined) return;
  const v = parsePrefix(text);
  if (typeof v === 'string') {
    error(ctx, wordLoc(n, 1), `traffic-selector ${ts.name}: ${v}`);
    return;
  }
  ts[field] = v.prefix;
  ctx.locs.set(ts, field, wordLoc(n, 1));
}

function trafficSelector(n: ConfNode, vpn: IpsecVpn, ctx: BuildContext, p: string[]): void {
  const name = word(ctx, n, 1, 'traffic selector name');
  if (name === undefined) return;
  const ts: TrafficSelector = { name, loc: n.loc };
  dispatch(TRAFFIC_SELECTOR_HANDLERS, n, ts, ctx, [...p, ...n.words]);
  if (ts.localIp === undefined || ts.remoteIp === undefined) {
    error(ctx, n.loc, `vpn ${vpn.name} traffic-selector ${name}: needs local-ip and remote-ip`);
    return;
  }
  if (parseIp(ts.localIp.split('/')[0]!)?.family !== parseIp(ts.remoteIp.split('/')[0]!)?.family) {
    error(ctx, ctx.locs.get(ts, 'remoteIp'), `vpn ${vpn.name} traffic-selector ${name}: local-ip ${ts.localIp} and remote-ip ${ts.remoteIp} are not of the same family`);
    return;
  }
  vpn.trafficSelectors.push(ts);
}

// ---- manual SAs ----

interface DirectionDraft {
  spi?: number;
  cipher?: IpsecCipher;
  /** Keying material (key + salt), lower-case hex. */
  material?: string;
  keyLoc?: SourceLoc;
  /** Fields whose value was rejected (already reported): no further errors about them. */
  invalid?: Set<'spi' | 'cipher' | 'material'>;
  loc: SourceLoc;
}

interface ManualDraft {
  vpn: IpsecVpn;
  gateway?: string;
  externalInterface?: string;
  shared: DirectionDraft;
  inbound?: DirectionDraft;
  outbound?: DirectionDraft;
}

interface ManualTarget {
  m: ManualDraft;
  d: DirectionDraft;
}

/** `key hexadecimal H` / `key ascii-text T` → lower-case hex of the keying material. */
function keyMaterial(ctx: BuildContext, n: ConfNode, p: string[]): string | undefined {
  const form = word(ctx, n, 1, "'hexadecimal' or 'ascii-text'");
  if (form === undefined) return undefined;
  if (form !== 'hexadecimal' && form !== 'ascii-text') {
    error(ctx, wordLoc(n, 1), `key: '${form}' is not hexadecimal or ascii-text`);
    return undefined;
  }
  const text = word(ctx, n, 2, 'key');
  if (text === undefined) return undefined;
  if (n.words.length > 3) ignore(ctx, n, p);
  if (text.startsWith('$9$')) {
    error(ctx, wordLoc(n, 2), 'key: Junos-encrypted ($9$) keys are not supported: write the key in clear');
    return undefined;
  }
  if (form === 'ascii-text') return Buffer.from(text, 'utf8').toString('hex');
  const hex = text.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
    error(ctx, wordLoc(n, 2), 'key: hexadecimal key is not an even number of hex digits');
    return undefined;
  }
  return hex.toLowerCase();
}

export const MANUAL_ENCRYPTION_HANDLERS: HandlerTable<ManualTarget> = {
  algorithm: (n, t, ctx, p) => {
    const v = single(ctx, n, p, 'algorithm');
    if (v === undefined) return;
    if (isIpsecCipher(v)) t.d.cipher = v;
    else {
      error(ctx, wordLoc(n, 1), `encryption algorithm '${v}' is not supported (${CIPHERS})`);
      (t.d.invalid ??= new Set()).add('cipher');
    }
  },
  key: (n, t, ctx, p) => {
    t.d.material = keyMaterial(ctx, n, p);
    t.d.keyLoc = wordLoc(n, 2);
    if (t.d.material === undefined) (t.d.invalid ??= new Set()).add('material');
  },
};

export const MANUAL_DIRECTION_HANDLERS: HandlerTable<ManualTarget> = {
  spi: (n, t, ctx, p) => {
    const text = single(ctx, n, p, 'SPI');
    if (text === undefined) return;
    const v = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : parseIntIn(text, 0, MANUAL_SPI_MAX);
    if (v === undefined || v < MANUAL_SPI_MIN) {
      error(ctx, wordLoc(n, 1), `spi '${text}' is not in ${MANUAL_SPI_MIN}..${MANUAL_SPI_MAX}`);
      (t.d.invalid ??= new Set()).add('spi');
    } else t.d.spi = v;
  },
  encryption: (n, t, ctx, p) => dispatch(MANUAL_ENCRYPTION_HANDLERS, n, t, ctx, [...p, ...n.words]),
  protocol: (n, _t, ctx, p) => {
    oneOf(ctx, n, p, ['esp'] as const);
  },
};

export const MANUAL_HANDLERS: HandlerTable<ManualTarget> = {
  ...MANUAL_DIRECTION_HANDLERS,
  gateway: (n, t, ctx, p) => {
    if (single(ctx, n, p, 'address') === undefined) return;
    t.m.gateway = ipValue(ctx, n, 1, 'manual gateway');
    ctx.locs.set(t.m.vpn, 'manualGateway', wordLoc(n, 1));
  },
  'external-interface': (n, t, ctx, p) => {
    const v = single(ctx, n, p, 'interface name');
    if (v === undefined) return;
    t.m.externalInterface = iflName(v);
    ctx.locs.set(t.m.vpn, 'manualExternalInterface', wordLoc(n, 1));
  },
  inbound: (n, t, ctx, p) => {
    const d: DirectionDraft = { loc: n.loc };
    t.m.inbound = d;
    dispatch(MANUAL_DIRECTION_HANDLERS, n, { m: t.m, d }, ctx, [...p, ...n.words]);
  },
  outbound: (n, t, ctx, p) => {
    const d: DirectionDraft = { loc: n.loc };
    t.m.outbound = d;
    dispatch(MANUAL_DIRECTION_HANDLERS, n, { m: t.m, d }, ctx, [...p, ...n.words]);
  },
};

function resolveDirection(ctx: BuildContext, m: ManualDraft, dir: 'inbound' | 'outbound', at: SourceLoc): ManualSaKeys | undefined {
  const own = m[dir];
  /** The direction's own value, else the shared one; the draft it came from (for locations and rejected values). */
  const pick = <K extends 'spi' | 'cipher' | 'material'>(k: K): [DirectionDraft[K], DirectionDraft] =>
    own && (own[k] !== undefined || own.invalid?.has(k)) ? [own[k], own] : [m.shared[k], m.shared];
  const [spi, spiFrom] = pick('spi');
  const [cipher, cipherFrom] = pick('cipher');
  const [material, keyFrom] = pick('material');
  if (spiFrom.invalid?.has('spi') || cipherFrom.invalid?.has('cipher') || keyFrom.invalid?.has('material')) return undefined;
  const keyLoc = keyFrom.keyLoc ?? at;
  const where = `vpn ${m.vpn.name} manual (${dir})`;
  const missing = [spi === undefined && 'spi', cipher === undefined && 'encryption algorithm', material === undefined && 'encryption key'].filter(Boolean);
  if (missing.length) {
    error(ctx, own?.loc ?? at, `${where}: missing ${missing.join(', ')}`);
    return undefined;
  }
  const keyLen = GCM_KEY_LEN[cipher!];
  const bytes = material!.length / 2;
  if (bytes !== keyLen + GCM_SALT_LEN) {
    error(
      ctx,
      keyLoc,
      `${where}: ${cipher} needs ${keyLen + GCM_SALT_LEN} bytes of keying material (${keyLen}-byte key + ${GCM_SALT_LEN}-byte salt), the key has ${bytes}`,
    );
    return undefined;
  }
  return { spi: spi!, cipher: cipher!, key: material!.slice(0, keyLen * 2), salt: material!.slice(keyLen * 2) };
}

function manual(n: ConfNode, vpn: IpsecVpn, ctx: BuildContext, p: string[]): void {
  const m: ManualDraft = { vpn, shared: { loc: n.loc } };
  dispatch(MANUAL_HANDLERS, n, { m, d: m.shared }, ctx, [...p, ...n.words]);
  let ok = true;
  if (m.gateway === undefined) {
    error(ctx, n.loc, `vpn ${vpn.name} manual: missing gateway`);
    ok = false;
  }
  if (m.externalInterface === undefined) {
    error(ctx, n.loc, `vpn ${vpn.name} manual: missing external-interface`);
    ok = false;
  }
  const inbound = resolveDirection(ctx, m, 'inbound', n.loc);
  const outbound = resolveDirection(ctx, m, 'outbound', n.loc);
  if (!ok || !inbound || !outbound) return;
  const sa: ManualSa = { gateway: m.gateway, externalInterface: m.externalInterface, protocol: 'esp', inbound, outbound, loc: n.loc };
  vpn.manual = sa;
  vpn.hasManualKeys = true;
}

export const IPSEC_VPN_HANDLERS: HandlerTable<IpsecVpn> = {
  'bind-interface': (n, vpn, ctx, p) => {
    vpn.bindInterface = single(ctx, n, p, 'interface name');
    ctx.locs.set(vpn, 'bindInterface', wordLoc(n, 1));
  },
  'copy-outer-dscp': (n, vpn, ctx, p) => {
    flag(ctx, n, p);
    vpn.copyOuterDscp = true;
  },
  'df-bit': (n, vpn, ctx, p) => {
    vpn.dfBit = oneOf(ctx, n, p, ['clear', 'set', 'copy'] as const);
  },
  ike: (n, vpn, ctx, p) => {
    const ike: { gateway?: string; ipsecPolicy?: string } = {};
    dispatch(VPN_IKE_HANDLERS, n, { vpn, ike }, ctx, [...p, ...n.words]);
    if (ike.gateway === undefined) {
      error(ctx, n.loc, `vpn ${vpn.name} ike: missing gateway`);
      return;
    }
    vpn.ike = { gateway: ike.gateway };
    if (ike.ipsecPolicy !== undefined) vpn.ike.ipsecPolicy = ike.ipsecPolicy;
  },
  'anti-replay-window-size': (n, vpn, ctx, p) => {
    const text = single(ctx, n, p, 'window size');
    if (text === undefined) return;
    const v = parseIntIn(text, JUNOS_REPLAY_WINDOW_MIN, JUNOS_REPLAY_WINDOW_MAX);
    if (v === undefined) error(ctx, wordLoc(n, 1), `anti-replay-window-size '${text}' is not in ${JUNOS_REPLAY_WINDOW_MIN}..${JUNOS_REPLAY_WINDOW_MAX}`);
    else vpn.antiReplayWindowSize = v;
    ctx.locs.set(vpn, 'antiReplayWindowSize', wordLoc(n, 1));
  },
  'no-anti-replay': (n, vpn, ctx, p) => {
    flag(ctx, n, p);
    vpn.antiReplay = false;
    ctx.locs.set(vpn, 'antiReplay', n.loc);
  },
  'establish-tunnels': (n, vpn, ctx, p) => {
    vpn.establishTunnels = oneOf(ctx, n, p, ['immediately', 'on-traffic'] as const);
  },
  'traffic-selector': trafficSelector,
  'extended-sequence-number': (n, vpn, ctx, p) => {
    flag(ctx, n, p);
    vpn.extendedSequenceNumber = true;
  },
  manual,
};

function ipsecVpn(n: ConfNode, t: SecurityTarget, ctx: BuildContext, p: string[]): void {
  const name = word(ctx, n, 1, 'vpn name');
  if (name === undefined) return;
  const vpn: IpsecVpn = {
    name,
    copyOuterDscp: false,
    antiReplay: true,
    trafficSelectors: [],
    extendedSequenceNumber: false,
    esn: false,
    hasManualKeys: false,
    loc: n.loc,
  };
  t.sec.ipsecVpns.push(vpn);
  dispatch(IPSEC_VPN_HANDLERS, n, vpn, ctx, [...p, ...n.words]);
  const has = (kw: string) => n.children.find((c) => !c.inactive && c.words[0] === kw);
  const ike = has('ike');
  const man = has('manual');
  if (ike && man) error(ctx, man.loc, `vpn ${name}: ike and manual exclude each other`);
  else if (!ike && !man) error(ctx, n.loc, `vpn ${name}: needs ike { gateway ...; } or manual { ... }`);
  if (!vpn.antiReplay && vpn.antiReplayWindowSize !== undefined) {
    error(ctx, ctx.locs.get(vpn, 'antiReplayWindowSize'), `vpn ${name}: anti-replay-window-size and no-anti-replay exclude each other`);
  }
}

export const IPSEC_HANDLERS: HandlerTable<SecurityTarget> = {
  proposal: (n, t, ctx, p) => {
    const name = word(ctx, n, 1, 'proposal name');
    if (name === undefined) return;
    const pr: IpsecProposal = { name, extendedSequenceNumber: false, loc: n.loc };
    t.sec.ipsecProposals.push(pr);
    dispatch(IPSEC_PROPOSAL_HANDLERS, n, pr, ctx, [...p, ...n.words]);
  },
  policy: (n, t, ctx, p) => {
    const name = word(ctx, n, 1, 'policy name');
    if (name === undefined) return;
    const pol: IpsecPolicy = { name, proposals: [], loc: n.loc };
    t.sec.ipsecPolicies.push(pol);
    dispatch(IPSEC_POLICY_HANDLERS, n, pol, ctx, [...p, ...n.words]);
  },
  vpn: ipsecVpn,
};

export const SECURITY_HANDLERS: HandlerTable<SecurityTarget> = {
  ike: (n, t, ctx, p) => dispatch(IKE_HANDLERS, n, t, ctx, [...p, ...n.words]),
  ipsec: (n, t, ctx, p) => dispatch(IPSEC_HANDLERS, n, t, ctx, [...p, ...n.words]),
  // zones, policies, address-book, flow, ...: reported by the dispatcher as `security <keyword>`.
};

/** Top-level `security { ... }`. */
export function security(node: ConfNode, _d: unknown, ctx: BuildContext, path: string[]): void {
  const here = [...path, ...node.words];
  if (node.children.length === 0) return ignore(ctx, node, path);
  const sec: SecurityConfig = (ctx.device.security ??= { ikeGateways: [], ipsecProposals: [], ipsecPolicies: [], ipsecVpns: [] });
  const t: SecurityTarget = { sec, ikePolicies: new Set() };
  dispatch(SECURITY_HANDLERS, node, t, ctx, here);
  for (const gw of sec.ikeGateways) {
    if (gw.ikePolicy !== undefined && !t.ikePolicies.has(gw.ikePolicy)) {
      error(ctx, ctx.locs.get(gw, 'ikePolicy'), `ike gateway ${gw.name}: ike-policy ${gw.ikePolicy} is not defined`);
    }
  }
}

// ---- services ----

export const NEXT_HOP_SERVICE_HANDLERS: HandlerTable<ServiceSet> = {
  'inside-service-interface': (n, ss, ctx, p) => {
    const v = single(ctx, n, p, 'interface name');
    if (v === undefined) return;
    ss.insideServiceInterface = iflName(v);
    ctx.locs.set(ss, 'insideServiceInterface', wordLoc(n, 1));
  },
  'outside-service-interface': (n, ss, ctx, p) => {
    const v = single(ctx, n, p, 'interface name');
    if (v === undefined) return;
    ss.outsideServiceInterface = iflName(v);
    ctx.locs.set(ss, 'outsideServiceInterface', wordLoc(n, 1));
  },
};

export const SERVICE_SET_HANDLERS: HandlerTable<ServiceSet> = {
  'next-hop-service': (n, ss, ctx, p) => dispatch(NEXT_HOP_SERVICE_HANDLERS, n, ss, ctx, [...p, ...n.words]),
  'ipsec-vpn': (n, ss, ctx, p) => {
    for (const c of n.children) ignore(ctx, c, [...p, ...n.words]);
    for (let i = 1; i < n.words.length; i++) {
      ss.ipsecVpns.push(n.words[i]!);
      ctx.locs.set(ss, `vpn ${n.words[i]}`, wordLoc(n, i));
    }
  },
};

export const SERVICES_HANDLERS: HandlerTable<{ serviceSets: ServiceSet[] }> = {
  'service-set': (n, t, ctx, p) => {
    const name = word(ctx, n, 1, 'service set name');
    if (name === undefined) return;
    const ss: ServiceSet = { name, ipsecVpns: [], loc: n.loc };
    t.serviceSets.push(ss);
    dispatch(SERVICE_SET_HANDLERS, n, ss, ctx, [...p, ...n.words]);
  },
};

/** Top-level `services { ... }`. */
export function services(node: ConfNode, _d: unknown, ctx: BuildContext, path: string[]): void {
  if (node.children.length === 0) return ignore(ctx, node, path);
  const svc = (ctx.device.services ??= { serviceSets: [] });
  dispatch(SERVICES_HANDLERS, node, svc, ctx, [...path, ...node.words]);
}
