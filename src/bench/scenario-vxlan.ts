// vxlan-encap, vxlan-decap and vxlan-ipsec: EVPN-VXLAN bridging through the
// whole graph of one VTEP (a mac-vrf with one bridge domain, VNI 10010, an
// untagged access port et-0/0/1, the underlay on et-0/0/0, its VTEP address
// on lo0.0), with `spec.macs` entries in the MAC table and the frames'
// destination MACs spread over all of them.
//
//   vxlan-encap: access port → ethernet-input → bridge-input (learn the
//     source, look the destination up: behind a remote VTEP) → vxlan-encap →
//     ip4-lookup → ip4-rewrite → interface-output (core port)
//   vxlan-decap: VXLAN to the VTEP address → ethernet-input → ip4-input →
//     ip4-lookup → ip4-local → vxlan-input → bridge-input (a local MAC) →
//     l2-output → interface-output (access port)
//   vxlan-ipsec: vxlan-encap whose remote VTEPs are routed into st0.1, so
//     every frame is VXLAN then ESP (AES-256-GCM): … vxlan-encap →
//     ip4-lookup → st0-output → esp-encrypt → si-outside-input → outer
//     ip4-lookup → ip4-rewrite → interface-output (core port)
//
// The table: REMOTE_VTEPS remote VTEPs (EVPN type-3 routes, through
// connectEvpn), and `macs` entries in all. Encap: the frames' sources are a
// few local hosts (learned on the access port, as its first frames would
// teach them) and the rest are remote MACs (EVPN type-2 routes, installed
// with Bridge.addRemote, which is what connectEvpn does per route without the
// route objects a `show` command lists); decap the other way round. Sizes
// are the bridged (inner) frame's, as ESP scenarios count the cleartext; the
// decap input is 50 B longer (outer Ethernet, IPv4, UDP, VXLAN).
//
// 3,072 frames (12 vectors, like l3) are laid out once; every time the input
// starts over (untimed, the setup's `wrap`) their destination MACs are
// rewritten in place to the next ones of a fixed random sequence over the
// whole table, so lookups land all over it, as traffic to a million hosts
// would, while the input itself stays as small as the other scenarios'.
// (`--workers` replicas read a shared copy of the frames: they would see one
// pass's destinations only; bridging is not replicated anyway, see suite.ts.)
import { createDecipheriv } from 'node:crypto';
import { loadJunosText } from '../config/junos-device.js';
import { eth, ip4, pattern, udp4Frame } from '../craft/craft.js';
import { DeviceRt } from '../device/device.js';
import { derivedMac } from '../device/mac.js';
import { connectEvpn } from '../evpn/fabric.js';
import { LEARN_NEW, MAC_PORT_MAX, MAC_REMOTE } from '../l2/mac-table.js';
import { parseIpv4, parseMac } from '../packet/addr.js';
import { VECTOR_SIZE } from '../packet/batch.js';
import { UDP_PORT_VXLAN } from '../packet/vxlan.js';
import type { AeadBackend } from '../crypto/aead.js';
import { HUB, hubEspSa, portIndex, spoke, SPOKE_ROUTER } from './ipsec-hub.js';
import { packFrames } from './packed.js';
import { aeadByName, countOutput, FCS_BYTES, FRAME_SIZES, frameSizesOf, meanOf, type ScenarioSetup, type ScenarioSpec } from './setup.js';

/** MAC entries of the VXLAN scenarios when the spec does not say (`--macs`). */
export const DEFAULT_VXLAN_MACS = 1_000_000;
export const VNI = 10010;
/** The VTEP's own address (lo0.0). */
export const VTEP = '12.1.1.1';
/** Remote VTEPs: type-3 routes, and where the remote MACs live (remote MAC i behind VTEP i mod this). */
export const REMOTE_VTEPS = 256;
/** Remote VTEP k (0-based): 12.2.1.1 – 12.2.1.128, 12.2.2.1 – … */
export const remoteVtep = (k: number): string => `12.2.${1 + (k >>> 7)}.${1 + (k & 127)}`;
/** The underlay neighbour (plain VXLAN) and its MAC (static ARP). */
const CORE_PEER = '13.10.1.2';
const CORE_PEER_MAC = '02:00:00:00:01:02';
/** Outer bytes VXLAN adds to a frame: Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
const FRAMES = VECTOR_SIZE * 12;
const DEVICE = 'V';

/**
 * Where the table's entries come from: `few` hosts on the sending side (the
 * sources of the frames), the rest on the receiving side (their
 * destinations): at most 256 sources, and never more than a quarter.
 */
export function macSplit(macs: number): { sources: number; destinations: number } {
  if (!Number.isInteger(macs) || macs < 2) throw new Error(`macs must be a whole number ≥ 2, not ${macs}`);
  const sources = Math.max(1, Math.min(256, Math.floor(macs / 4)));
  return { sources, destinations: macs - sources };
}

/**
 * MAC i of a set (6 bytes at out[at..]): `tag` (a locally administered
 * unicast first byte: 0x02 remote, 0x06 local) then 40 bits from a bijection
 * of i, so no two collide and their bits look random to the hash.
 */
export function putMac(out: Uint8Array, at: number, tag: number, i: number): void {
  const x = Math.imul(i, 0x9e3779b1) >>> 0;
  out[at] = tag;
  out[at + 1] = (i / 2 ** 32) & 0xff;
  out[at + 2] = x >>> 24;
  out[at + 3] = (x >>> 16) & 0xff;
  out[at + 4] = (x >>> 8) & 0xff;
  out[at + 5] = x & 0xff;
}
export const TAG_REMOTE = 0x02;
export const TAG_LOCAL = 0x06;

function vtepJunos(ipsec: boolean): string {
  const vteps: string[] = [];
  for (let k = 0; k < REMOTE_VTEPS; k++) vteps.push(`route ${remoteVtep(k)}/32 next-hop ${ipsec ? 'st0.1' : CORE_PEER};`);
  // With IPsec the core port is the hub's (13.10.1.1/16, the tunnel peer behind 13.10.2.2), keys from hubEspSa(1).
  const core = ipsec
    ? `address ${HUB}/16 { arp ${SPOKE_ROUTER} mac ${CORE_PEER_MAC}; }`
    : `address 13.10.1.1/24 { arp ${CORE_PEER} mac ${CORE_PEER_MAC}; }`;
  const sec = ipsec
    ? `
  si-0/1/0 { unit 0 { family inet; service-domain inside; } unit 1 { family inet; service-domain outside; } }
  st0 { unit 1 { family inet { mtu 9192; } } }`
    : '';
  return `
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet { ${core} } } }
  et-0/0/1 { mtu 9192; encapsulation ethernet-bridge; unit 0; }
  lo0 { unit 0 { family inet { address ${VTEP}/32; } } }${sec}
}
routing-options { static {
  ${ipsec ? `route 13.0.0.0/8 next-hop ${SPOKE_ROUTER};` : ''}
  ${vteps.join('\n  ')}
} }
routing-instances {
  EVPN1 {
    instance-type mac-vrf;
    protocols { evpn { encapsulation vxlan; } }
    vtep-source-interface lo0.0;
    route-distinguisher ${VTEP}:1;
    vrf-target target:64512:1;
    bridge-domains { BD10 { vlan-id none; interface et-0/0/1.0; vxlan { vni ${VNI}; } } }
  }
}${ipsec ? `
services { service-set SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn V1; } }
security {
  ike { gateway GW1 { address ${spoke(1)}; local-address ${HUB}; external-interface et-0/0/0.0; version v2-only; } }
  ipsec {
    proposal P { protocol esp; encryption-algorithm aes-256-gcm; }
    policy POL { proposals P; }
    vpn V1 { bind-interface st0.1; df-bit copy; ike { gateway GW1; ipsec-policy POL; } }
  }
}` : ''}`;
}

export interface VtepBuild {
  dev: DeviceRt;
  /** Bridge domain index of VNI 10010, and the access IFL. */
  bd: number;
  access: number;
  /** Seconds: configuration (text, parse, DeviceRt), and installing the MAC entries. */
  configSeconds: number;
  macSeconds: number;
}

/**
 * The VTEP with `local` MACs learned on its access port (time 1: the frames'
 * time, so nothing ages) and `remote` MACs as type-2 routes spread over the
 * remote VTEPs (type-3 routes, through connectEvpn).
 */
export function buildVtep(local: number, remote: number, ipsec: boolean, aead?: AeadBackend): VtepBuild {
  const t0 = performance.now();
  const model = loadJunosText(vtepJunos(ipsec), 'bench-vxlan.conf', { deviceName: DEVICE });
  model.evpnRoutes = Array.from({ length: REMOTE_VTEPS }, (_, k) => ({ type: 3 as const, vni: VNI, vtep: remoteVtep(k) }));
  const dev = new DeviceRt(model, ipsec ? { saRecords: hubEspSa(1), aead } : {});
  connectEvpn([dev]);
  const br = dev.bridge!;
  const bd = br.bdOfVni.get(VNI)!;
  const access = dev.ifs.ifl('et-0/0/1.0');
  const vtepIndex = Array.from({ length: REMOTE_VTEPS }, (_, k) => br.vteps.find4(ipNum(remoteVtep(k))));
  if (vtepIndex.some((v) => v < 0) || br.domains[bd].floodVteps.length !== REMOTE_VTEPS) throw new Error('vxlan bench: the type-3 routes did not install');
  const t1 = performance.now();
  const mac = new Uint8Array(6);
  for (let i = 0; i < local; i++) {
    putMac(mac, 0, TAG_LOCAL, i);
    if (br.macs.learn(bd, mac, 0, access, 1) !== LEARN_NEW) throw new Error(`vxlan bench: local MAC ${i} not learned as new`);
  }
  for (let i = 0; i < remote; i++) {
    putMac(mac, 0, TAG_REMOTE, i);
    br.addRemote(bd, vtepIndex[i % REMOTE_VTEPS], mac, undefined, 0);
  }
  const t2 = performance.now();
  if (br.macs.size !== local + remote) throw new Error(`vxlan bench: ${br.macs.size} MAC entries, expected ${local + remote}`);
  return { dev, bd, access, configSeconds: (t1 - t0) / 1000, macSeconds: (t2 - t1) / 1000 };
}

const ipNum = (s: string): number => parseIpv4(s) >>> 0;

/**
 * The destinations' rewriter: each call writes the next FRAMES destination
 * MACs (a fixed pseudo-random sequence of indexes into the `n` MACs of `tag`)
 * at `at` bytes into each frame. Untimed (the setup's wrap).
 */
function destinations(frames: { buf: Uint8Array; offs: Uint32Array; count: number }, at: number, tag: number, n: number): () => void {
  let s = 0x2545f491;
  return () => {
    const { buf, offs, count } = frames;
    for (let k = 0; k < count; k++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      putMac(buf, offs[k] + at, tag, (s >>> 0) % n);
    }
  };
}

/** Inner frame i: to `dst` placeholder (rewritten by wrap), from `src`, IPv4/UDP, `size` with the FCS. */
function innerFrame(src: Uint8Array, i: number, size: number): Uint8Array {
  return udp4Frame({ dst: '02:00:00:00:00:00', src }, { src: `10.${(i >>> 8) & 0xff}.${i & 0xff}.1`, dst: `10.200.${(i >>> 8) & 0xff}.${i & 0xff}`, id: i & 0xffff }, 40000 + (i & 0xff), 9, pattern(size - FCS_BYTES - 42));
}

function macOf(tag: number, i: number): Uint8Array {
  const m = new Uint8Array(6);
  putMac(m, 0, tag, i);
  return m;
}

/** What a sample output of a setup must show; throws with what it is not. */
function fail(what: string, msg: string): never {
  throw new Error(`${what}: output check: ${msg}`);
}

/**
 * Runs one vector of the setup's input (untimed, as the warm-up would) with
 * its output port's frames copied, and hands the inputs and outputs to
 * `verify`; the setup's counting sink stays in place, so its accounting holds.
 */
function sampleVector(s: Omit<ScenarioSetup, 'close'>, what: string, verify: (input: Uint8Array[], output: Uint8Array[]) => void): void {
  const dev = s.dev;
  const count = dev.sinks[s.outPort]!;
  const out: Uint8Array[] = [];
  dev.sinks[s.outPort] = (d, off, len, sec, nsec, b, slot) => { out.push(d.slice(off, off + len)); count(d, off, len, sec, nsec, b, slot); };
  s.wrap?.();
  const f = s.frames;
  const input: Uint8Array[] = [];
  for (let i = 0; i < VECTOR_SIZE; i++) {
    input.push(f.buf.slice(f.offs[i], f.offs[i] + f.lens[i]));
    dev.inject(s.inPort, f.buf, f.offs[i], f.lens[i], 1, 0);
  }
  dev.runBatch();
  dev.sinks[s.outPort] = count;
  s.check();
  if (out.length !== VECTOR_SIZE) fail(what, `${out.length} frames out of ${VECTOR_SIZE}`);
  verify(input, out);
}

const u16 = (f: Uint8Array, o: number) => (f[o] << 8) | f[o + 1];
const u32 = (f: Uint8Array, o: number) => ((f[o] << 24) | (f[o + 1] << 16) | (f[o + 2] << 8) | f[o + 3]) >>> 0;
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/**
 * Checks a VXLAN packet at p (outer IPv4) of frame f: from our VTEP to a
 * remote one, UDP 4789 with a zero checksum, the I flag and VNI 10010; the
 * inner frame must be `inner`, the outer destination `vtep` (the remote VTEP
 * its destination MAC lives behind). Throws what differs.
 */
export function checkVxlanPacket(what: string, f: Uint8Array, p: number, inner: Uint8Array, vtep: number): void {
  if (f[p] !== 0x45 || f[p + 9] !== 17) fail(what, 'not IPv4/UDP');
  if (u32(f, p + 12) !== ipNum(VTEP)) fail(what, `outer source ${u32(f, p + 12)}, not ${VTEP}`);
  const u = p + 20;
  if (u16(f, u + 2) !== UDP_PORT_VXLAN) fail(what, `UDP port ${u16(f, u + 2)}`);
  if (u16(f, u) < 49152) fail(what, `source port ${u16(f, u)} outside 49152-65535`);
  if (u16(f, u + 6) !== 0) fail(what, 'UDP checksum not zero');
  if (f[u + 8] !== 0x08 || ((f[u + 12] << 16) | (f[u + 13] << 8) | f[u + 14]) !== VNI) fail(what, `VXLAN flags ${f[u + 8]} VNI ${(f[u + 12] << 16) | (f[u + 13] << 8) | f[u + 14]}`);
  const got = f.subarray(u + 16, p + u16(f, p + 2));
  if (!same(got, inner)) fail(what, 'inner frame differs from the frame taken in');
  if (u32(f, p + 16) !== vtep) fail(what, `outer destination ${u32(f, p + 16)}, not ${vtep}: the VTEP the destination MAC is behind`);
}

function macsOf(spec: ScenarioSpec): number {
  return spec.macs ?? DEFAULT_VXLAN_MACS;
}

/** Shared by vxlan-encap and vxlan-ipsec: local sources on the access port, remote destinations. */
function encapSetup(spec: ScenarioSpec, aead: AeadBackend | null): ScenarioSetup & { build: VtepBuild } {
  const what = `${spec.scenario} ${spec.size}${aead ? ` ${spec.backend}` : ''}`;
  const { sources, destinations: remotes } = macSplit(macsOf(spec));
  const ipsec = aead !== null;
  const build = buildVtep(sources, remotes, ipsec, aead ?? undefined);
  const { dev } = build;
  const sizes = frameSizesOf(FRAME_SIZES[spec.size], FRAMES);
  const frames = packFrames(sizes.map((size, i) => innerFrame(macOf(TAG_LOCAL, i % sources), i, size)));
  const wrap = destinations(frames, 0, TAG_REMOTE, remotes);
  const inPort = portIndex(dev, 'et-0/0/1');
  const outPort = portIndex(dev, 'et-0/0/0');
  const base = {
    spec,
    dev,
    inPort,
    outPort,
    frames,
    // The AES-GCM ceiling seals size − 18: with VXLAN, what ESP seals is 50 B more than the bridged frame.
    frameSizes: ipsec ? sizes.map((x) => x + VXLAN_OVERHEAD) : sizes,
    meanFrameBytes: meanOf(sizes),
    ceilingKind: ipsec ? 'aes-gcm' as const : 'memcpy' as const,
    aead,
    wrap,
    ...countOutput(dev, outPort, what),
  };
  const keys = ipsec ? new Map(hubEspSa(1).map((r) => [r.spi, r])) : null;
  const peerMac = parseMac(CORE_PEER_MAC);
  const br = dev.bridge!;
  /** The address of the VTEP the frame's destination MAC lives behind, from the table itself. */
  const vtepOf = (frame: Uint8Array): number => {
    const dest = br.macs.lookup(build.bd, frame, 0);
    if (dest < 0 || (dest & MAC_REMOTE) === 0) fail(what, 'a destination MAC is not behind a remote VTEP');
    return br.vteps.all[dest & MAC_PORT_MAX].ip4;
  };
  sampleVector(base, what, (input, output) => {
    for (let i = 0; i < output.length; i++) {
      const f = output[i];
      if (!same(f.subarray(0, 6), peerMac) || u16(f, 12) !== 0x0800) fail(what, 'not to the underlay neighbour, or not IPv4');
      if (!ipsec) {
        checkVxlanPacket(what, f, 14, input[i], vtepOf(input[i]));
        continue;
      }
      // ESP from the hub to the tunnel peer, SPI of VPN 1; node:crypto opens it back to the VXLAN packet.
      if (f[14 + 9] !== 50 || u32(f, 26) !== ipNum(HUB) || u32(f, 30) !== ipNum(spoke(1))) fail(what, 'not ESP from the hub to the tunnel peer');
      const spi = u32(f, 34);
      const k = keys!.get(spi);
      if (spi !== 0x1000001 || !k) fail(what, `SPI 0x${spi.toString(16)}`);
      const inner = openEsp(f, 34, k.key, k.salt);
      checkVxlanPacket(what, inner, 0, input[i], vtepOf(input[i]));
    }
  });
  return { ...base, build, close: () => dev.ipsec?.close() };
}

/** The IPv4 packet inside ESP (AES-GCM, tunnel mode) at esp of frame f. */
export function openEsp(f: Uint8Array, esp: number, key: Uint8Array, salt: Uint8Array): Uint8Array {
  const d = createDecipheriv(key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, Buffer.concat([salt, f.subarray(esp + 8, esp + 16)]));
  d.setAAD(f.subarray(esp, esp + 8));
  d.setAuthTag(f.subarray(f.length - 16));
  const plain = Buffer.concat([d.update(f.subarray(esp + 16, f.length - 16)), d.final()]);
  if (plain[plain.length - 1] !== 4) throw new Error(`ESP next header ${plain[plain.length - 1]}, not IPv4`);
  return new Uint8Array(plain.subarray(0, plain.length - 2 - plain[plain.length - 2]));
}

export function setupVxlanEncap(spec: ScenarioSpec): ScenarioSetup {
  return encapSetup(spec, null);
}

export function setupVxlanIpsec(spec: ScenarioSpec): ScenarioSetup {
  if (spec.backend === 'none') throw new Error('vxlan-ipsec needs a crypto backend (native or js)');
  return encapSetup(spec, aeadByName(spec.backend));
}

/**
 * vxlan-decap: VXLAN from the remote VTEPs (round robin) to the VTEP address,
 * inner frames from remote hosts to local MACs spread over the table.
 */
export function setupVxlanDecap(spec: ScenarioSpec): ScenarioSetup {
  const what = `vxlan-decap ${spec.size}`;
  const { sources: remotes, destinations: locals } = macSplit(macsOf(spec));
  const build = buildVtep(locals, remotes, false);
  const { dev } = build;
  const sizes = frameSizesOf(FRAME_SIZES[spec.size], FRAMES);
  const coreMac = derivedMac(DEVICE, 'et-0/0/0');
  const outer = { dst: coreMac, src: CORE_PEER_MAC };
  const frames = packFrames(sizes.map((size, i) => {
    const inner = innerFrame(macOf(TAG_REMOTE, i % remotes), i, size);
    const vx = new Uint8Array(16 + inner.length);
    const sport = 49152 + ((i * 7919) & 0x3fff);
    vx[0] = sport >> 8; vx[1] = sport & 0xff;
    vx[2] = UDP_PORT_VXLAN >> 8; vx[3] = UDP_PORT_VXLAN & 0xff;
    vx[4] = vx.length >> 8; vx[5] = vx.length & 0xff; // checksum 0, as VTEPs send over IPv4
    vx[8] = 0x08;
    vx[12] = VNI >> 16; vx[13] = (VNI >> 8) & 0xff; vx[14] = VNI & 0xff;
    vx.set(inner, 16);
    return eth(outer, 0x0800, ip4({ src: remoteVtep((i % remotes) % REMOTE_VTEPS), dst: VTEP, ttl: 64, df: true, id: i & 0xffff }, 17, vx));
  }));
  const wrap = destinations(frames, VXLAN_OVERHEAD, TAG_LOCAL, locals);
  const inPort = portIndex(dev, 'et-0/0/0');
  const outPort = portIndex(dev, 'et-0/0/1');
  const base = {
    spec,
    dev,
    inPort,
    outPort,
    frames,
    frameSizes: sizes,
    meanFrameBytes: meanOf(sizes),
    ceilingKind: 'memcpy' as const,
    aead: null,
    wrap,
    ...countOutput(dev, outPort, what),
  };
  sampleVector(base, what, (input, output) => {
    for (let i = 0; i < output.length; i++) {
      if (!same(output[i], input[i].subarray(VXLAN_OVERHEAD))) fail(what, `frame ${i} out of the access port is not the inner frame`);
      if (dev.bridge!.macs.lookup(build.bd, output[i], 0) !== build.access) fail(what, `frame ${i} is not to a MAC of the access port`);
    }
  });
  return { ...base, close: () => {} };
}

/** For reports: MAC table bytes and entries of a setup's device. */
export function macTableOf(s: ScenarioSetup): { entries: number; bytes: number } {
  const m = s.dev.bridge!.macs;
  return { entries: m.size, bytes: m.bytes() };
}
