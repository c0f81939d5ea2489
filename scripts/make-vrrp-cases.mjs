// Builds the VRRP cases under pcaps/vrrp/ from the descriptions below
// (scripts/cases-lib.mjs builds, checks and writes them). The network is the
// seed's multihomed site (src/vrrp/testing.ts): Saturn behind a switch SW,
// Luna (priority 200, accept-data) and Orcus (priority 100) sharing
// 192.168.1.1 and 2001:db8:1::1 as VRRP group 1. Saturn's frames are the
// input on SW:ge-0/0/0; what it receives is that port's output. Every intent
// decodes who answered, with which MAC and when, before anything is written.
//
//   node scripts/make-vrrp-cases.mjs [name-filter]

import assert from 'node:assert/strict';
import { arpFrame, nsFrame, ping4 } from '../dist/craft/craft.js';
import { formatMac } from '../dist/packet/addr.js';
import { labYaml, SATURN_IP, SATURN_MAC, SATURN_PORT, VIP, VIP6, VMAC4, VMAC6 } from '../dist/vrrp/testing.js';
import { main } from './cases-lib.mjs';

export const AREA = 'vrrp';
export const GENERATOR = 'scripts/make-vrrp-cases.mjs';

const BCAST = 'ff:ff:ff:ff:ff:ff';
const arp = () => arpFrame({ dst: BCAST, src: SATURN_MAC }, 1, SATURN_MAC, SATURN_IP, '00:00:00:00:00:00', VIP);
const ping = () => ping4({ dst: VMAC4, src: SATURN_MAC }, { src: SATURN_IP, dst: VIP });
const ns = () => nsFrame(SATURN_MAC, '2001:db8:1::10', VIP6);

const type = (f) => (f[12] << 8) | f[13];
const isArpReply = (f) => type(f) === 0x0806 && f[21] === 2;
const isGarp = (f) => type(f) === 0x0806 && f[21] === 1 && formatMac(f, 0) === BCAST;
const isAdvert4 = (f) => type(f) === 0x0800 && f[23] === 112;
const isEchoReply = (f) => type(f) === 0x0800 && f[23] === 1 && f[34] === 0;
const isNa = (f) => type(f) === 0x86dd && f[20] === 58 && f[54] === 136;

/** Saturn's view: [t, frame] received, and those in [t0, t1). */
function saturn(o) {
  const all = o.timed(SATURN_PORT);
  return { all, in: (t0, t1) => all.filter(([t]) => t >= t0 && t < t1) };
}

const scenario = (opts) => ({ 'scenario.yaml': `# The seed's multihomed site: Saturn — SW — Luna (VRRP 200) / Orcus (VRRP 100), group 1 for ${VIP} and ${VIP6}\n${labYaml(opts)}` });

export const CASES = [
  {
    name: 'master-answers',
    description: 'Luna, master of group 1, answers Saturn\'s ARP and ND for the virtual addresses with 00:00:5e:00:01:01 / 00:00:5e:00:02:01 and its ping (accept-data); Orcus, backup, ignores them; both advertise only from the master',
    files: scenario({}),
    configFile: 'scenario.yaml',
    inputs: { [SATURN_PORT]: [[0, arp()], [0.1, ns()], [0.2, ping()], [1.5, arp()]] },
    intent(o) {
      const s = saturn(o);
      const replies = s.all.filter(([, f]) => isArpReply(f));
      assert.equal(replies.length, 2, 'two ARP replies');
      for (const [, f] of replies) assert.equal(formatMac(f, 6), VMAC4, 'ARP reply from the virtual MAC');
      const na = s.all.find(([, f]) => isNa(f));
      assert.ok(na && formatMac(na[1], 6) === VMAC6 && (na[1][58] & 0x80), 'NA from the IPv6 virtual MAC, router flag set');
      assert.equal(s.all.filter(([, f]) => isEchoReply(f)).length, 1, 'the ping to the VIP is answered');
      const adverts = s.all.filter(([, f]) => isAdvert4(f));
      assert.deepEqual(adverts.map(([t]) => t), [0, 1], 'IPv4 advertisements every second, from the start');
      for (const [, f] of adverts) assert.equal(f[36], 200, 'advertised by Luna (priority 200)');
      o.counters({ 'devices.Orcus.vrrp.ge-0/0/0.0 inet group 1.arpIgnored': 2, 'devices.Orcus.vrrp.ge-0/0/0.0 inet6 group 1.ndIgnored': 1 });
      assert.equal(o.stats.balanced, true);
    },
  },
  {
    name: 'failover-and-preempt',
    description: 'Luna\'s port goes down at 2 s: nobody answers for the VIP until Orcus\'s Master_Down_Timer runs out (2 + 3 + 156/256 s), then Orcus sends gratuitous ARP / NA and answers ARP with the virtual MAC (its ping is dropped: no accept-data); Luna comes back at 10 s and preempts at 10 + 3 + 56/256 s',
    files: scenario({ timeline: ['{ at: 2, link-down: Luna:ge-0/0/0 }', '{ at: 10, link-up: Luna:ge-0/0/0 }'] }),
    configFile: 'scenario.yaml',
    inputs: { [SATURN_PORT]: [[0, arp()], [2.5, arp()], [3, ping()], [6, arp()], [6.5, ping()], [14, arp()], [14.5, ping()]] },
    intent(o) {
      const s = saturn(o);
      assert.equal(s.in(2, 5.6).filter(([, f]) => isArpReply(f) || isEchoReply(f)).length, 0, 'silence while nobody is master');
      const garps = s.all.filter(([, f]) => isGarp(f));
      assert.deepEqual(garps.map(([t]) => t), [5.609375, 13.21875], 'gratuitous ARP at each takeover');
      for (const [, f] of garps) assert.equal(formatMac(f, 6), VMAC4);
      assert.equal(s.in(6, 6.1).filter(([, f]) => isArpReply(f)).length, 1, 'Orcus answers at 6 s');
      assert.equal(s.in(6.5, 6.6).filter(([, f]) => isEchoReply(f)).length, 0, 'Orcus does not answer the ping (no accept-data)');
      assert.equal(s.in(14.5, 14.6).filter(([, f]) => isEchoReply(f)).length, 1, 'Luna answers again after preempting');
      const prio = s.all.filter(([, f]) => isAdvert4(f)).map(([t, f]) => [t, f[36]]);
      assert.ok(prio.some(([t, p]) => t === 5.609375 && p === 100) && prio.some(([t, p]) => t === 13.21875 && p === 200), 'each new master advertises at once');
      o.counters({
        'devices.Orcus.drops.vrrp_no_accept_data': 1,
        'devices.Luna.vrrp.ge-0/0/0.0 inet group 1.transitions': 3,
        'devices.Orcus.vrrp.ge-0/0/0.0 inet group 1.becameMaster': 1,
      });
      assert.equal(o.stats.balanced, true);
    },
  },
  {
    name: 'vrrpv3',
    description: 'protocols vrrp version-3: the IPv4 advertisements are VRRPv3 (RFC 5798: Max Adver Int 100 centiseconds, pseudo-header checksum); the answers are the same',
    files: scenario({ v3: true }),
    configFile: 'scenario.yaml',
    inputs: { [SATURN_PORT]: [[0, arp()], [2, arp()]] },
    intent(o) {
      const s = saturn(o);
      const adverts = s.all.filter(([, f]) => isAdvert4(f));
      assert.equal(adverts.length, 3, 'advertisements at 0, 1, 2 s');
      for (const [, f] of adverts) {
        assert.equal(f[34], 0x31, 'version 3, type 1');
        assert.equal((f[38] << 8) | f[39], 100, 'Max Adver Int 100 cs');
      }
      assert.equal(s.all.filter(([, f]) => isArpReply(f) && formatMac(f, 6) === VMAC4).length, 2);
    },
  },
];

main(import.meta.url, AREA, GENERATOR, CASES);
