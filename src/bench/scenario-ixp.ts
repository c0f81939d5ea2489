// ixp and ixp-plain: an Internet exchange's switch (a virtual-switch
// instance, one peering LAN bridge domain) carrying member A's traffic to
// member B, known unicast.
//
//   ixp: A's port et-0/0/0 is an edge port (MAC allow-list with A's router,
//     the default ethertypes, the 1500-byte payload limit) sampled by sFlow
//     1 in 2000 (the default rate); B's port is ae0, a bundle of four members
//     (et-0/0/1–4) that sends each flow by one of them:
//     et-0/0/0 → ethernet-input → edge-input → bridge-input (learn A, look
//     B's router up) → l2-output → interface-output (LAG pick) → an ae0
//     member; sFlow's datagrams, routed out of et-0/0/9 to the collector
//     (static ARP), are the only other output.
//   ixp-plain: the same switch with none of that: A and B on plain bridged
//     ports, et-0/0/0 → ethernet-input → bridge-input → l2-output →
//     interface-output → et-0/0/1. The baseline ixp is compared with: ixp's
//     Mpps over ixp-plain's is what the edge features cost.
//
// The input: FLOWS UDP/IPv4 flows (5-tuples all different) from A's router to
// B's ROUTERS routers, whose MACs are learned on B's port before anything is
// sent, 3,072 frames (12 vectors, as the other scenarios; three per flow).
// Sizes up to 1420: a peering LAN's payload limit is 1500 bytes (IMIX's
// 1518-byte frames carry exactly 1500), so the 9000-byte size does not apply.
import { loadScenarioText } from '../config/scenario.js';
import { pattern, udp4Frame } from '../craft/craft.js';
import { DeviceRt } from '../device/device.js';
import { lagHash } from '../l2/lag.js';
import { LEARN_NEW } from '../l2/mac-table.js';
import { parseMac } from '../packet/addr.js';
import { SLOT_COUNT, VECTOR_SIZE } from '../packet/batch.js';
import { portIndex } from './ipsec-hub.js';
import { packFrames } from './packed.js';
import { AccountingError, FCS_BYTES, FRAME_SIZES, frameSizesOf, meanOf, type ScenarioSetup, type ScenarioSpec } from './setup.js';

/** UDP flows of the input, and frames (a whole number of vectors and of IMIX patterns). */
export const IXP_FLOWS = 1024;
const FRAMES = VECTOR_SIZE * 12;
/** Member A's router (the edge port's allow-list) and member B's routers (learned on B's port). */
export const SENDER_MAC = '02:00:00:00:00:0a';
export const ROUTERS = 4;
export const routerMac = (k: number): string => `02:00:00:00:0b:${(k + 1).toString(16).padStart(2, '0')}`;
/** ae0's members, in configuration order (the LAG picks among them by index). */
export const LAG_MEMBERS = ['et-0/0/1', 'et-0/0/2', 'et-0/0/3', 'et-0/0/4'];
export const IXP_SIZES = ['64', 'imix', '1420'];
const COLLECTOR = '10.9.0.2';
const DEVICE = 'IX';

/** The exchange switch as a YAML scenario device: with the edge features (ixp) or without (ixp-plain). */
export function ixpYaml(edge: boolean): string {
  const b = edge ? 'ae0' : 'et-0/0/1';
  const lag = edge ? `
      ${LAG_MEMBERS.map((m) => `${m}: { lag: ae0 }`).join('\n      ')}
      ae0: { encapsulation: ethernet-bridge }
      et-0/0/9: { inet: [10.9.0.1/24], arp: { ${COLLECTOR}: "02:00:00:00:09:02" } }` : `
      et-0/0/1: { encapsulation: ethernet-bridge }`;
  // Every member port is an edge port and sampled, as on an exchange; only A's sends here.
  const features = edge ? `
    edge:
      et-0/0/0: { mac: [${SENDER_MAC}] }
      ae0: { mac: [${Array.from({ length: ROUTERS }, (_, k) => routerMac(k)).join(', ')}] }
    sflow:
      agent-id: 10.9.0.1
      collectors: [${COLLECTOR}]
      interfaces: [et-0/0/0, ${LAG_MEMBERS.join(', ')}]` : '';
  return `devices:
  ${DEVICE}:
    interfaces:
      et-0/0/0: { encapsulation: ethernet-bridge }${lag}
    routing-instances:
      FABRIC:
        type: virtual-switch
        bridge-domains:
          PEERING: { vlan-id: 100, interfaces: [et-0/0/0, ${b}], arp-suppression: false }${features}
`;
}

/** Frame i: flow i mod FLOWS, A's router to B's router (flow mod ROUTERS), UDP, `size` with the FCS. */
export function ixpFrame(i: number, size: number): Uint8Array {
  const f = i % IXP_FLOWS;
  return udp4Frame(
    { dst: routerMac(f % ROUTERS), src: SENDER_MAC },
    { src: `198.18.${f >>> 8}.${f & 0xff}`, dst: `198.19.${(f * 37) & 0xff}.${1 + (f >>> 8)}`, id: i & 0xffff },
    1024 + f, 9, pattern(size - FCS_BYTES - 42),
  );
}

export interface IxpSetup extends ScenarioSetup {
  /** The ports frames may leave by: ae0's members (ixp), et-0/0/1 (ixp-plain). */
  readonly outPorts: readonly number[];
  /** sFlow datagrams sent to the collector (0 for ixp-plain). */
  datagrams(): number;
}

/**
 * Points the output ports' sinks at counters and returns the accounting
 * check: in + generated = out + consumed + dropped, nothing dropped or
 * consumed, every packet taken in sent by one of `outPorts`, and the only
 * packets generated (sFlow datagrams) sent by the collector's port.
 */
function countIxpOutput(dev: DeviceRt, outPorts: readonly number[], collector: number, what: string): Pick<IxpSetup, 'delivered' | 'check' | 'datagrams'> {
  let delivered = 0;
  let datagrams = 0;
  for (let p = 0; p < dev.sinks.length; p++) dev.sinks[p] = null;
  for (const p of outPorts) dev.sinks[p] = () => { delivered++; };
  if (collector >= 0) dev.sinks[collector] = () => { datagrams++; };
  const check = (): void => {
    const a = dev.graph.acct;
    const problems: string[] = [];
    if (a.in + a.generated !== a.out + a.consumed + a.dropped) problems.push('in + generated != out + consumed + dropped');
    if (a.dropped !== 0) problems.push(`${a.dropped} dropped ${JSON.stringify(dev.graph.dropsByReason())}`);
    if (a.consumed !== 0) problems.push(`${a.consumed} consumed`);
    if (a.generated !== datagrams) problems.push(`${a.generated} generated but ${datagrams} sFlow datagrams sent to the collector`);
    if (delivered !== a.in) problems.push(`${a.in} taken in but ${delivered} sent by ${outPorts.map((p) => dev.ifs.ifds[p].name).join(', ')}`);
    if (a.out !== delivered + datagrams) problems.push(`${a.out - delivered - datagrams} sent by other ports`);
    if (dev.graph.batch.free !== SLOT_COUNT) problems.push(`${SLOT_COUNT - dev.graph.batch.free} slots not released`);
    if (problems.length) throw new AccountingError(`${what}: ${problems.join('; ')} (accounting ${JSON.stringify(a)})`);
  };
  return { delivered: () => delivered, check, datagrams: () => datagrams };
}

function build(spec: ScenarioSpec, edge: boolean): IxpSetup {
  const what = `${spec.scenario} ${spec.size}`;
  const model = loadScenarioText(ixpYaml(edge), `bench-${spec.scenario}.yaml`).devices[0];
  const dev = new DeviceRt(model);
  const br = dev.bridge!;
  const bd = br.domains.findIndex((d) => d.name === 'PEERING');
  const bPort = dev.ifs.ifl(edge ? 'ae0.0' : 'et-0/0/1.0');
  for (let k = 0; k < ROUTERS; k++) {
    if (br.macs.learn(bd, parseMac(routerMac(k)), 0, bPort, 1) !== LEARN_NEW) throw new Error(`${what}: router MAC ${k} not learned as new`);
  }
  if (edge && (dev.lag === null || dev.sflow === null)) throw new Error(`${what}: no LAG or no sFlow agent`);
  const sizes = frameSizesOf(FRAME_SIZES[spec.size], FRAMES);
  const frames = packFrames(sizes.map((size, i) => ixpFrame(i, size)));
  const outPorts = edge ? LAG_MEMBERS.map((m) => portIndex(dev, m)) : [portIndex(dev, 'et-0/0/1')];
  const setup: IxpSetup = {
    spec,
    dev,
    inPort: portIndex(dev, 'et-0/0/0'),
    outPort: portIndex(dev, edge ? 'ae0' : 'et-0/0/1'),
    outPorts,
    frames,
    frameSizes: sizes,
    meanFrameBytes: meanOf(sizes),
    ceilingKind: 'memcpy',
    aead: null,
    ...countIxpOutput(dev, outPorts, edge ? portIndex(dev, 'et-0/0/9') : -1, what),
    close: () => {},
  };
  checkVector(setup, what);
  return setup;
}

/**
 * Before anything is timed: one vector of the input, untimed, every frame
 * out unchanged, by the member of ae0 the flow hash picks (ixp), from A's
 * router to one of B's; then the accounting. Throws with what is not so.
 */
function checkVector(s: IxpSetup, what: string): void {
  const dev = s.dev;
  const counters = s.outPorts.map((p) => dev.sinks[p]!);
  const out: { port: number; frame: Uint8Array }[] = [];
  s.outPorts.forEach((p, k) => {
    dev.sinks[p] = (d, off, len, sec, nsec, b, slot) => { out.push({ port: p, frame: d.slice(off, off + len) }); counters[k](d, off, len, sec, nsec, b, slot); };
  });
  const { buf, offs, lens } = s.frames;
  for (let i = 0; i < VECTOR_SIZE; i++) dev.inject(s.inPort, buf, offs[i], lens[i], 1, 0);
  dev.runBatch();
  s.outPorts.forEach((p, k) => { dev.sinks[p] = counters[k]; });
  const fail = (msg: string): never => { throw new Error(`${what}: output check: ${msg}`); };
  if (out.length !== VECTOR_SIZE) fail(`${out.length} frames out of ${VECTOR_SIZE}`);
  const used = new Set<number>();
  for (let i = 0; i < VECTOR_SIZE; i++) {
    const f = out[i].frame;
    const input = buf.subarray(offs[i], offs[i] + lens[i]);
    if (!Buffer.from(f).equals(Buffer.from(input))) fail(`frame ${i} changed on its way`);
    const member = s.outPorts.length === 1 ? s.outPorts[0] : s.outPorts[lagHash(f, 0, f.length) % s.outPorts.length];
    if (out[i].port !== member) fail(`frame ${i} left by ${dev.ifs.ifds[out[i].port].name}, not the member its flow hashes to`);
    used.add(out[i].port);
  }
  if (used.size !== s.outPorts.length) fail(`${used.size} of ${s.outPorts.length} members used by ${VECTOR_SIZE} flows`);
  s.check();
}

export function setupIxp(spec: ScenarioSpec): ScenarioSetup {
  return build(spec, true);
}

export function setupIxpPlain(spec: ScenarioSpec): ScenarioSetup {
  return build(spec, false);
}
