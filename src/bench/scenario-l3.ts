// l3: IPv4 forwarding through the whole graph of one device, ethernet-input →
// ip4-input → ip4-lookup → ip4-rewrite → interface-output, with a FIB of
// spec.routes prefixes and destinations spread over them (as
// bench/forward.mjs, at any frame size).
import { loadJunosText } from '../config/junos-device.js';
import { pattern, udp4Frame } from '../craft/craft.js';
import { DeviceRt } from '../device/device.js';
import { derivedMac } from '../device/mac.js';
import { formatIpv4, formatMac } from '../packet/addr.js';
import { VECTOR_SIZE } from '../packet/batch.js';
import { portIndex } from './ipsec-hub.js';
import { packFrames } from './packed.js';
import { countOutput, FCS_BYTES, FRAME_SIZES, frameSizesOf, meanOf, type ScenarioSetup, type ScenarioSpec } from './setup.js';

// mtu 9192 on both ports so 9000 B frames are forwarded, not fragmented.
const CONF = `
interfaces {
  et-0/0/0 { mtu 9192; unit 0 { family inet { address 10.0.0.1/24; } } }
  et-0/0/1 { mtu 9192; unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac 02:00:00:00:01:02; } } } }
}`;

/** Input frames: 12 vectors, a whole number of IMIX patterns; each to a different random route. */
const FRAMES = VECTOR_SIZE * 12;

/** A small deterministic generator, so every run builds the same FIB. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * `routes` IPv4 prefixes in a realistic mix (60% /24, 25% /16–/23, 15%
 * /25–/32 over 11.0.0.0–222.255.255.255) into the FIB, all via one
 * neighbour; returns one destination host inside each of FRAMES random routes.
 */
function fillFib(dev: DeviceRt, routes: number): number[] {
  const t4 = dev.table('master', 4);
  const nh = dev.neighborAdj4(dev.ifs.ifl('et-0/0/1.0'), (10 << 24 | 1 << 16 | 2) >>> 0).index;
  const r = rng(1);
  const nets = new Uint32Array(routes);
  const lens = new Uint8Array(routes);
  for (let i = 0; i < routes; i++) {
    const u = r();
    const len = u < 0.6 ? 24 : u < 0.85 ? 16 + Math.floor(r() * 8) : 25 + Math.floor(r() * 8);
    const base = (0x0b000000 + Math.floor(r() * (0xdf000000 - 0x0b000000))) >>> 0;
    const net = (base & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
    t4.lpm4!.insert(net, len, nh);
    nets[i] = net;
    lens[i] = len;
  }
  const dsts: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const k = Math.floor(r() * routes);
    dsts.push((nets[k] | Math.floor(r() * 2 ** (32 - lens[k]))) >>> 0);
  }
  return dsts;
}

export function setupL3(spec: ScenarioSpec): ScenarioSetup {
  const model = loadJunosText(CONF, 'bench-l3.conf', { deviceName: 'R1' });
  const dev = new DeviceRt(model, { expectedRoutes: spec.routes });
  const dsts = fillFib(dev, spec.routes);
  const mac = { src: '02:00:00:00:00:01', dst: formatMac(derivedMac('R1', 'et-0/0/0')) };
  const frameSizes = frameSizesOf(FRAME_SIZES[spec.size], FRAMES);
  // UDP 40000 → 9 (discard); a 64 B frame is 14 + 20 + 8 + 18 bytes + FCS.
  const frames = packFrames(dsts.map((d, i) => udp4Frame(mac, { src: '10.0.0.100', dst: formatIpv4(d), id: i }, 40000, 9, pattern(frameSizes[i] - FCS_BYTES - 42))));
  const inPort = portIndex(dev, 'et-0/0/0');
  const outPort = portIndex(dev, 'et-0/0/1');
  return {
    spec,
    dev,
    inPort,
    outPort,
    frames,
    frameSizes,
    meanFrameBytes: meanOf(frameSizes),
    ceilingKind: 'memcpy',
    aead: null,
    ...countOutput(dev, outPort, `l3 ${spec.size}`),
    close: () => {},
  };
}
