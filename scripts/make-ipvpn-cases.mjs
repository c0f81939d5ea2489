// Builds the cases of the seed's multihomed IP VPN under pcaps/ipvpn/ from the
// descriptions below (scripts/cases-lib.mjs builds, checks and writes them),
// and the example's input examples/multihomed-ipvpn/saturn.pcap. The network
// is examples/multihomed-ipvpn (its scenario.yaml draws it): Saturn's frames
// are the input on SW:ge-0/0/0 (VLAN 150), Genius is SW:ge-0/0/11 (VLAN 124).
// Every case traces every input packet (a golden expected-trace.txt) and its
// intent asserts, from the seed and the Junos documentation (not from what
// triode happens to do): which routers forwarded each echo in order, the TTL
// Genius receives it with, the labels in the core, and counters.
//
// TTLs: Saturn sends TTL 64; each IP hop decrements (Luna, Orcus, the
// ingress PE, the egress PE); the MPLS core does not (protocols mpls
// no-propagate-ttl on every PE and on Jupiter), as the seed's ping shows
// (ttl=61 through Luna, Juno and Liber).
//
//   node scripts/make-ipvpn-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arpFrame, ping4 } from '../dist/craft/craft.js';
import { formatMac } from '../dist/packet/addr.js';
import { isMain, main, writePcap } from './cases-lib.mjs';

export const AREA = 'ipvpn';
export const GENERATOR = 'scripts/make-ipvpn-cases.mjs';
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'multihomed-ipvpn');

export const SATURN_PORT = 'SW:ge-0/0/0';
export const GENIUS_PORT = 'SW:ge-0/0/11';
/** Saturn and Genius: hosts outside the lab, with the MACs the CPE and PE configs have as static ARP entries (RFC 7042 documentation range). */
export const SATURN_MAC = '00:00:5e:00:53:0c';
export const GENIUS_MAC = '00:00:5e:00:53:03';
const SATURN_IP = '192.168.1.254';
const VIP = '192.168.1.1';
/** VRRP group 1's virtual MAC (RFC 5798 section 7.3). */
const VMAC = '00:00:5e:00:01:01';
const BCAST = 'ff:ff:ff:ff:ff:ff';
/** VPN label of VRF ipvpn on each PE (vrf-table-label: the first label Junos allocates, as the seed's "VPN Label: 16"). */
const VPN_LABEL = 16;
/** The core's LDP stand-ins (static LSPs, see the configs' "# Added:" lines): Ceres's label toward Liber, swapped by Jupiter for Juno's. */
const CERES_TO_LIBER = 1000147;
const JUPITER_TO_LIBER = 1000160;

/** Saturn asks for the VIP's MAC. */
export const saturnArp = () => arpFrame({ dst: BCAST, src: SATURN_MAC, vlans: [150] }, 1, SATURN_MAC, SATURN_IP, '00:00:00:00:00:00', VIP);
/** Saturn's ping to Genius from its loopback, to the gateway's virtual MAC (what the ARP answers). */
export const saturnEcho = (seq) => ping4({ dst: VMAC, src: SATURN_MAC, vlans: [150] }, { src: '10.0.0.12', dst: '10.0.0.3', ttl: 64, id: seq }, 0x5a, seq);

/** The frames of a case: the ARP at 0, then an echo at each time (seq 1, 2, ...). */
const saturn = (times) => [[0, saturnArp()], ...times.map((t, i) => [t, saturnEcho(i + 1)])];

// ---------------------------------------------------------------- decoding what a port sent

const vlanOf = (f) => (((f[12] << 8) | f[13]) === 0x8100 ? ((f[14] << 8) | f[15]) & 0xfff : -1);
const typeAfterTag = (f) => (f[16] << 8) | f[17];
/** The IPv4 header of a single-tagged frame, or -1. */
const ipAt = (f) => (typeAfterTag(f) === 0x0800 ? 18 : -1);
/** The label stack of a single-tagged MPLS frame: [{ label, bos, ttl }], and where the payload starts. */
function labels(f) {
  if (typeAfterTag(f) !== 0x8847) return { stack: [], at: -1 };
  const stack = [];
  let o = 18;
  for (;;) {
    const label = (f[o] << 12) | (f[o + 1] << 4) | (f[o + 2] >> 4);
    const bos = (f[o + 2] & 1) === 1;
    stack.push({ label, bos, ttl: f[o + 3] });
    o += 4;
    if (bos) return { stack, at: o };
  }
}
/** The echo with this sequence number in an MPLS frame's payload (IPv4 after the stack). */
const mplsEcho = (f, seq) => {
  const { at } = labels(f);
  return at >= 0 && f[at + 9] === 1 && f[at + 20] === 8 && ((f[at + 26] << 8) | f[at + 27]) === seq;
};

/** What Genius received: the echo requests with their sequence numbers, TTLs and times. */
function genius(o) {
  return o.timed(GENIUS_PORT).filter(([, f]) => ipAt(f) >= 0 && f[ipAt(f) + 9] === 1 && f[ipAt(f) + 20] === 8).map(([t, f]) => {
    const ip = ipAt(f);
    assert.equal(vlanOf(f), 124, 'Genius receives on VLAN 124');
    assert.equal(formatMac(f, 0), GENIUS_MAC, "to Genius's MAC (Liber's static ARP entry)");
    return { t, seq: (f[ip + 26] << 8) | f[ip + 27], ttl: f[ip + 8] };
  });
}

/** The routers (not the switch) input packet `i` went through, in order. */
const routers = (o, i) => o.devicesOf(i).filter((d) => d !== 'SW');

/** Saturn's ARP for the VIP is answered by the master with the virtual MAC. */
function arpAnswered(o) {
  const r = o.frames(SATURN_PORT).filter((f) => vlanOf(f) === 150 && typeAfterTag(f) === 0x0806 && f[25] === 2);
  assert.equal(r.length, 1, 'one ARP reply to Saturn');
  assert.equal(formatMac(r[0], 6), VMAC, 'from the virtual MAC');
}

/** Echo `seq` went through these routers and reached Genius with this TTL. */
function delivered(o, seq, path, ttl) {
  assert.deepEqual(routers(o, seq), path, `echo ${seq}: the routers that forwarded it`);
  const g = genius(o).filter((e) => e.seq === seq);
  assert.equal(g.length, 1, `echo ${seq}: Genius receives it once`);
  assert.equal(g[0].ttl, ttl, `echo ${seq}: TTL at Genius`);
}

/** Echo `seq` never reached Genius. */
function lost(o, seq) {
  assert.equal(genius(o).filter((e) => e.seq === seq).length, 0, `echo ${seq}: Genius does not receive it`);
  assert.ok(o.traces[seq].fates.some((f) => f.startsWith('dropped') || f === 'consumed'), `echo ${seq}: its trace ends in a drop`);
}

/** Juno → Liber: only the VPN label (LDP's implicit null on xe-2/0/1.114: the seed's "Push 16" alone), VLAN 114. */
function junoToLiber(o, seq) {
  const f = o.frames('Juno:xe-2/0/1').filter((x) => vlanOf(x) === 114 && mplsEcho(x, seq));
  assert.equal(f.length, 1, `echo ${seq}: Juno sends it to Liber labelled`);
  assert.deepEqual(labels(f[0]).stack.map((l) => [l.label, l.bos]), [[VPN_LABEL, true]], `echo ${seq}: Juno → Liber carries the VPN label alone`);
}

/** Ceres → Jupiter: the VPN label under the transport label toward Liber (the seed's "Push 16, Push 300144(top)"). */
function ceresPushes(o, seq) {
  const f = o.frames('Ceres:xe-2/0/0').filter((x) => vlanOf(x) === 104 && mplsEcho(x, seq));
  assert.equal(f.length, 1, `echo ${seq}: Ceres sends it to Jupiter labelled`);
  assert.deepEqual(labels(f[0]).stack.map((l) => [l.label, l.bos]), [[CERES_TO_LIBER, false], [VPN_LABEL, true]], `echo ${seq}: Ceres pushes the VPN label and the transport label`);
  const j = o.frames('Jupiter:xe-2/0/0').filter((x) => vlanOf(x) === 102 && mplsEcho(x, seq));
  assert.deepEqual(j.map((x) => labels(x).stack.map((l) => l.label)), [[JUPITER_TO_LIBER, VPN_LABEL]], `echo ${seq}: Jupiter swaps the transport label`);
}

/** The IFLs whose packets each case records: Genius's, the PE–PE hops into Liber and out of Ceres into the core. */
const RECORD = ['devices.Liber.interfaces.xe-2/0/1.124', 'devices.Juno.interfaces.xe-2/0/1.114', 'devices.Ceres.interfaces.xe-2/0/0.104'];
/**
 * Echoes out of Liber to Genius, of Juno to Liber, of Ceres into the core. No routing protocol runs on the
 * wire; the PEs ARP once for the core neighbour the first echo goes to (Genius's entry is static).
 */
function hops(o, liber, juno, ceres) {
  const arp = (n) => n + (n > 0 ? 1 : 0);
  o.counters({
    'devices.Liber.interfaces.xe-2/0/1.124.outputPackets': liber,
    'devices.Juno.interfaces.xe-2/0/1.114.outputPackets': arp(juno),
    'devices.Ceres.interfaces.xe-2/0/0.104.outputPackets': arp(ceres),
  });
}

const PRIMARY = ['Luna', 'Juno', 'Liber'];
const VIA_ORCUS = ['Luna', 'Orcus', 'Ceres', 'Jupiter', 'Juno', 'Liber'];
const ORCUS_DIRECT = ['Orcus', 'Ceres', 'Jupiter', 'Juno', 'Liber'];

/** The example's configs, copied into each case. */
function exampleFiles(timeline = []) {
  const files = {};
  for (const f of readdirSync(EXAMPLE)) if (/\.(set|conf)$/.test(f)) files[f] = readFileSync(join(EXAMPLE, f), 'utf8');
  let yaml = readFileSync(join(EXAMPLE, 'scenario.yaml'), 'utf8');
  if (timeline.length) yaml += `timeline:\n${timeline.map((e) => `  - ${e}\n`).join('')}`;
  files['scenario.yaml'] = yaml;
  return files;
}

export const CASES = [
  {
    name: 'all-up',
    description: "All sessions up: Saturn's echo to Genius goes Luna (VRRP master) → Juno (MED 10 beats Ceres's 150 on the CPEs) → Liber with the VPN label alone, and reaches Genius with TTL 61 (the core does not decrement: no-propagate-ttl)",
    files: exampleFiles(),
    configFile: 'scenario.yaml',
    trace: true,
    inputs: { [SATURN_PORT]: saturn([0.1]) },
    intent(o) {
      arpAnswered(o);
      delivered(o, 1, PRIMARY, 61);
      junoToLiber(o, 1);
      assert.deepEqual(o.frames('Orcus:xe-2/0/0').filter((f) => vlanOf(f) === 111), [], 'Orcus forwards nothing to Ceres');
      hops(o, 1, 1, 0);
    },
    record: RECORD,
  },
  {
    name: 'juno-luna-session-down',
    description: "Juno's session with Luna goes down at 1 s: the echo at 0.5 s goes Luna → Juno → Liber (TTL 61); the one at 2 s goes Luna → Orcus (iBGP, next hop self, MED 150) → Ceres (VPN label under the transport label) → Jupiter → Juno (penultimate hop pops) → Liber, TTL 60 at Genius (Luna, Orcus, Ceres, Liber decrement)",
    files: exampleFiles(['{ at: 1, bgp-session-down: Juno:ipvpn:4.0.0.21 }']),
    configFile: 'scenario.yaml',
    trace: true,
    inputs: { [SATURN_PORT]: saturn([0.5, 2]) },
    intent(o) {
      arpAnswered(o);
      delivered(o, 1, PRIMARY, 61);
      delivered(o, 2, VIA_ORCUS, 60);
      ceresPushes(o, 2);
      junoToLiber(o, 2);
      hops(o, 2, 2, 1);
    },
    record: RECORD,
  },
  {
    name: 'luna-link-down',
    description: "Luna's LAN port (xe-2/0/1) goes down at 1 s: the echo at 0.5 s goes Luna → Juno → Liber; at 3 s nobody is VRRP master yet (Orcus waits Master_Down_Interval, 3 × 1 s + (256 − 150)/256 s, from Luna's last advertisement) and it is lost; at 6 s Orcus is master but its best path is still Luna's (iBGP, MED 10) until the session's hold time (10 s) runs out, and it is lost; at 15 s it goes Orcus → Ceres → Jupiter → Juno → Liber, TTL 61",
    files: exampleFiles(['{ at: 1, link-down: Luna:xe-2/0/1 }']),
    configFile: 'scenario.yaml',
    trace: true,
    inputs: { [SATURN_PORT]: saturn([0.5, 3, 6, 15]) },
    intent(o) {
      arpAnswered(o);
      delivered(o, 1, PRIMARY, 61);
      lost(o, 2);
      assert.ok(!routers(o, 2).includes('Luna'), 'echo 2: Luna (port down) never sees it');
      lost(o, 3);
      assert.equal(routers(o, 3)[0], 'Orcus', 'echo 3: Orcus, the new master, takes it');
      delivered(o, 4, ORCUS_DIRECT, 61);
      ceresPushes(o, 4);
      junoToLiber(o, 4);
      o.counters({ 'devices.Orcus.vrrp.xe-2/0/0.150 inet group 1.becameMaster': 1 });
      hops(o, 2, 2, 1);
    },
    record: RECORD,
  },
];

if (isMain(import.meta.url)) {
  // The example's input: the ARP, then one echo.
  writePcap(join(EXAMPLE, 'saturn.pcap'), saturn([0.1]));
}
main(import.meta.url, AREA, GENERATOR, CASES);
