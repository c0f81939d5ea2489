// Builds the link aggregation and sFlow cases under pcaps/lag-sflow/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them).
// r1 routes 198.18.0.0/16 into the bundle ae0 (members et-0/0/1..4, in that
// order) towards 10.1.0.2; the flows come in on et-0/0/0 from 10.0.0.2. The
// intents decode the outputs here, independently of triode's own code: which
// member each flow left by, and (sFlow) every field of every datagram.
//
//   node scripts/make-lag-sflow-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { udp4Frame } from '../dist/craft/craft.js';
import { derivedMac } from '../dist/device/mac.js';
import { formatMac } from '../dist/packet/addr.js';
import { hop, main } from './cases-lib.mjs';

export const AREA = 'lag-sflow';
export const GENERATOR = 'scripts/make-lag-sflow-cases.mjs';

const ET0 = formatMac(derivedMac('r1', 'et-0/0/0'));
const AE0 = formatMac(derivedMac('r1', 'ae0'));
const NH = '02:00:00:00:01:02';

const config = ({ members = 2, sflow = '' } = {}) => `## r1: et-0/0/0 (10.0.0.1/24) towards the sources, ae0 (10.1.0.1/24, ${members} members) towards 198.18.0.0/16
chassis { aggregated-devices { ethernet { device-count 1; } } }
interfaces {
  et-0/0/0 { unit 0 { family inet { address 10.0.0.1/24 { arp 10.0.0.2 mac 02:00:00:00:00:02; } } } }
${Array.from({ length: members }, (_, i) => `  et-0/0/${i + 1} { gigether-options { 802.3ad ae0; } }`).join('\n')}
  ae0 {
    aggregated-ether-options { lacp { active; } minimum-links 1; }
    unit 0 { family inet { address 10.1.0.1/24 { arp 10.1.0.2 mac ${NH}; } } }
  }
  et-0/0/9 { unit 0 { family inet { address 10.9.0.1/24 { arp 10.9.0.2 mac 02:00:00:00:09:02; } } } }
  lo0 { unit 0 { family inet { address 192.0.2.1/32; } } }
}
routing-options { static { route 198.18.0.0/16 next-hop 10.1.0.2; } }
${sflow}`;

/** Flow k: UDP 10.0.0.2:(20000+k) → 198.18.(k>>8).(k&255):9 (discard), 40 bytes of payload. */
const flowFrame = (k) => udp4Frame({ dst: ET0, src: '02:00:00:00:00:02' }, { src: '10.0.0.2', dst: `198.18.${k >> 8}.${k & 0xff}` }, 20000 + k, 9, new Uint8Array(40).fill(k & 0xff));
/** The same frame routed: into ae0 towards the next hop, TTL down by one. */
const routed = (k) => {
  const f = flowFrame(k);
  return Uint8Array.from([...Buffer.from(NH.replaceAll(':', ''), 'hex'), ...Buffer.from(AE0.replaceAll(':', ''), 'hex'), 0x08, 0x00, ...hop(f.subarray(14))]);
};
const sport = (f) => (f[34] << 8) | f[35];
const hexOf = (b) => Buffer.from(b).toString('hex');

/** Flow → the member ports it left by (and checks every frame is the flow's routed frame). */
function membersOf(o, ports, from = -Infinity, to = Infinity) {
  const by = new Map();
  for (const p of ports) {
    for (const [t, f] of o.timed(p)) {
      if (t < from || t >= to) continue;
      const k = sport(f) - 20000;
      assert.equal(hexOf(f), hexOf(routed(k)), `${p}: flow ${k} leaves routed, unchanged otherwise`);
      if (!by.has(k)) by.set(k, new Set());
      by.get(k).add(p);
    }
  }
  return by;
}

/** Every flow left by one member only; each member took at least `min` flows. */
function spread(by, ports, flows, min) {
  assert.equal(by.size, flows, 'every flow left');
  const per = new Map(ports.map((p) => [p, 0]));
  for (const [k, s] of by) {
    assert.equal(s.size, 1, `flow ${k} left by one member, not ${[...s].join(' and ')}`);
    const [p] = s;
    per.set(p, per.get(p) + 1);
  }
  for (const [p, n] of per) assert.ok(n >= min, `${p} took ${n} flows, fewer than ${min}`);
  return per;
}

/** sFlow v5 datagram decoded by hand (XDR), for the intent. */
function decodeSflow(f) {
  const u32 = (o) => ((f[o] << 24) | (f[o + 1] << 16) | (f[o + 2] << 8) | f[o + 3]) >>> 0;
  assert.equal((f[12] << 8) | f[13], 0x0800, 'IPv4');
  assert.equal(f[23], 17, 'UDP');
  assert.equal((f[36] << 8) | f[37], 6343, 'to the collector port 6343');
  const end = 34 + ((f[38] << 8) | f[39]);
  let p = 42;
  const dg = { version: u32(p), agentType: u32(p + 4), agent: [...f.subarray(p + 8, p + 12)].join('.'), seq: u32(p + 16), uptime: u32(p + 20), samples: [] };
  const n = u32(p + 24);
  p += 28;
  for (let i = 0; i < n; i++) {
    assert.equal(u32(p), 1, 'flow_sample (0,1)');
    const len = u32(p + 4);
    const b = p + 8;
    assert.equal(u32(b + 28), 1, 'one flow record');
    assert.equal(u32(b + 32), 1, 'raw packet header (0,1)');
    const hlen = u32(b + 52);
    dg.samples.push({
      seq: u32(b), source: u32(b + 4), rate: u32(b + 8), pool: u32(b + 12), drops: u32(b + 16), input: u32(b + 20), output: u32(b + 24),
      proto: u32(b + 40), frameLength: u32(b + 44), stripped: u32(b + 48), header: f.subarray(b + 56, b + 56 + hlen),
    });
    p = b + len;
  }
  assert.equal(p, end, 'the datagram ends with its last sample');
  return dg;
}

const FLOWS = 64;
const MEMBERS4 = ['et-0/0/1', 'et-0/0/2', 'et-0/0/3', 'et-0/0/4'];

export const CASES = [
  {
    name: 'flows-over-2-members',
    description: `${FLOWS} UDP flows (three frames each) routed into ae0 (et-0/0/1, et-0/0/2): each flow leaves by one member only, chosen by the L3/L4 hash modulo 2; both members carry flows; member counters in --stats`,
    config: config(),
    inputs: { 'et-0/0/0': Array.from({ length: 3 * FLOWS }, (_, i) => [i * 0.001, flowFrame(i % FLOWS)]) },
    intent(o) {
      o.onlyPorts(['et-0/0/1', 'et-0/0/2']);
      const per = spread(membersOf(o, ['et-0/0/1', 'et-0/0/2']), ['et-0/0/1', 'et-0/0/2'], FLOWS, FLOWS / 4);
      o.counters({
        'devices.r1.lag.ae0.members.et-0/0/1.outputPackets': 3 * per.get('et-0/0/1'),
        'devices.r1.lag.ae0.members.et-0/0/2.outputPackets': 3 * per.get('et-0/0/2'),
        'devices.r1.interfaces.ae0.0.outputPackets': 3 * FLOWS,
      });
      o.drops({});
      assert.equal(o.stats.balanced, true);
    },
    record: ['devices.r1.lag.ae0.members.et-0/0/1.outputPackets', 'devices.r1.lag.ae0.members.et-0/0/2.outputPackets'],
  },
  {
    name: 'member-down-4-members',
    description: `${FLOWS} flows over ae0's four members; et-0/0/3's link goes down at 1 s: it sends nothing after, the modulo of 3 members moves flows, each flow still on one member and the three others all used; the bundle stays up`,
    files: {
      'r1.conf': config({ members: 4 }),
      'scenario.yaml': '# r1 alone; et-0/0/3, a member of ae0, loses its link 1 s after the first frame\ndevices:\n  r1:\n    config: r1.conf\ntimeline:\n  - { at: 1, link-down: r1:et-0/0/3 }\n',
    },
    configFile: 'scenario.yaml',
    inputs: { 'et-0/0/0': [...Array.from({ length: FLOWS }, (_, k) => [k * 0.001, flowFrame(k)]), ...Array.from({ length: FLOWS }, (_, k) => [2 + k * 0.001, flowFrame(k)])] },
    intent(o) {
      const ports = MEMBERS4;
      o.onlyPorts(ports);
      const was = membersOf(o, ports, -1, 1);
      const before = spread(was, ports, FLOWS, FLOWS / 8);
      const after = membersOf(o, ports, 1, 10);
      const live = ports.filter((p) => p !== 'et-0/0/3');
      spread(after, live, FLOWS, FLOWS / 6);
      assert.equal(o.timed('et-0/0/3').filter(([t]) => t >= 1).length, 0, 'nothing on the member whose link is down');
      const moved = [...after].filter(([k, s]) => ![...s].every((p) => was.get(k).has(p))).length;
      assert.ok(moved >= before.get('et-0/0/3'), 'at least the down member\'s flows moved');
      assert.equal(o.stats.devices.r1.lag.ae0.up, true, 'the bundle stays up on three members');
      assert.deepEqual(o.stats.devices.r1.lag.ae0.membersUp, ['et-0/0/1', 'et-0/0/2', 'et-0/0/4']);
      o.counters({ 'devices.r1.linkTransitions.et-0/0/3': 1 });
      o.drops({});
      assert.equal(o.stats.balanced, true);
    },
    record: ['devices.r1.lag.ae0.members.et-0/0/3.outputPackets'],
  },
  {
    name: 'sflow-1-in-8',
    description: 'sFlow samples et-0/0/0 1 in 8 (agent 192.0.2.1, collector 10.9.0.2:6343): 96 frames give 12 flow samples, sent as sFlow v5 datagrams out of et-0/0/9 (routed from source-ip); each sample carries its sequence, source and input ifIndex 1 (et-0/0/0), output the ifIndex of the ae0 member the packet left by, rate 8, the pool, frame length + 4 (FCS, stripped 4) and the frame\'s bytes; the sampled packets go on unchanged',
    config: config({
      sflow: 'protocols {\n  sflow {\n    agent-id 192.0.2.1;\n    source-ip 192.0.2.1;\n    collector 10.9.0.2 { udp-port 6343; }\n    sample-rate { ingress 8; }\n    interfaces et-0/0/0;\n  }\n}\n',
    }),
    inputs: { 'et-0/0/0': Array.from({ length: 96 }, (_, i) => [i * 0.002, flowFrame(i % FLOWS)]) },
    intent(o) {
      o.onlyPorts(['et-0/0/1', 'et-0/0/2', 'et-0/0/9']);
      const by = membersOf(o, ['et-0/0/1', 'et-0/0/2']);
      assert.equal(o.frames('et-0/0/1').length + o.frames('et-0/0/2').length, 96, 'every sampled packet forwarded');
      const dgs = o.frames('et-0/0/9').map(decodeSflow);
      assert.deepEqual(dgs.map((d) => d.seq), dgs.map((_, i) => i + 1), 'datagram sequence numbers');
      const samples = dgs.flatMap((d) => d.samples);
      assert.equal(samples.length, 12, '96 / 8 samples');
      for (const d of dgs) assert.deepEqual([d.version, d.agentType, d.agent], [5, 1, '192.0.2.1']);
      const ifIndex = { 'et-0/0/1': 2, 'et-0/0/2': 3 }; // configuration order, from 1
      samples.forEach((s, i) => {
        assert.equal(s.seq, i + 1, 'sample sequence');
        assert.ok(s.pool > 8 * i && s.pool <= 8 * (i + 1), `sample ${i + 1}: one per block of 8 (pool ${s.pool})`);
        const input = flowFrame((s.pool - 1) % FLOWS);
        assert.equal(hexOf(s.header), hexOf(input), 'the sampled frame as taken in');
        assert.deepEqual([s.source, s.input, s.rate, s.drops, s.proto, s.frameLength, s.stripped], [1, 1, 8, 0, 1, input.length + 4, 4]);
        const [member] = by.get((s.pool - 1) % FLOWS);
        assert.equal(s.output, ifIndex[member], 'output: the member the packet left by');
      });
      o.counters({ 'devices.r1.sflow.samples': 12, 'devices.r1.sflow.pool': 96, 'devices.r1.sflow.datagrams': dgs.length });
      o.accounting({ in: 96, generated: dgs.length, out: 96 + dgs.length, consumed: 0, dropped: 0 });
    },
  },
];

main(import.meta.url, AREA, GENERATOR, CASES);
