// VRRP end to end on the seed's multihomed site (src/vrrp/testing.ts): Saturn
// behind a switch, Luna (200) and Orcus (100) for 192.168.1.1 and
// 2001:db8:1::1. The timeline takes Luna's port down and up again; the test
// checks who answers ARP/ND and pings, when the backup takes over (after
// Master_Down_Interval, to the nanosecond), the gratuitous ARP, preemption,
// the counters and `show vrrp`. Then the configuration's mistakes, and a
// property: random link events and ARP floods never throw or lose count, and
// a group never has two masters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arpFrame, eth, ip4, nsFrame, ping4 } from '../craft/craft.js';
import { runFrames, type TimedFrame } from '../craft/frames-run.js';
import { loadJunosText } from '../config/junos-device.js';
import { loadScenarioText } from '../config/scenario.js';
import { ConfigError } from '../config/model.js';
import { formatMac } from '../packet/addr.js';
import { show } from '../cli/show.js';
import { SATURN_IP, SATURN_MAC, SATURN_PORT, VIP, VIP6, VMAC4, VMAC6, lab, labYaml } from './testing.js';
import { VRRP_MASTER, VrrpDomain } from './vrrp.js';

const BCAST = 'ff:ff:ff:ff:ff:ff';
const arp = (t: number, target = VIP): TimedFrame => ({ t, frame: arpFrame({ dst: BCAST, src: SATURN_MAC }, 1, SATURN_MAC, SATURN_IP, '00:00:00:00:00:00', target) });
const ping = (t: number, dst = VMAC4): TimedFrame => ({ t, frame: ping4({ dst, src: SATURN_MAC }, { src: SATURN_IP, dst: VIP }) });
const ns = (t: number): TimedFrame => ({ t, frame: nsFrame(SATURN_MAC, '2001:db8:1::10', VIP6) });

const type = (f: Uint8Array): number => (f[12] << 8) | f[13];
const isArpReply = (f: Uint8Array): boolean => type(f) === 0x0806 && f[21] === 2;
const isGarp = (f: Uint8Array): boolean => type(f) === 0x0806 && f[21] === 1 && formatMac(f, 0) === BCAST && f.subarray(28, 32).join() === f.subarray(38, 42).join();
const isAdvert4 = (f: Uint8Array): boolean => type(f) === 0x0800 && f[23] === 112;
const isEchoReply = (f: Uint8Array): boolean => type(f) === 0x0800 && f[23] === 1 && f[34] === 0;

describe('VRRP failover on the multihomed site', () => {
  const T0 = 1000;
  const r = runFrames(lab({ timeline: ['{ at: 2, link-down: Luna:ge-0/0/0 }', '{ at: 10, link-up: Luna:ge-0/0/0 }'] }), {
    [SATURN_PORT]: [arp(T0), ping(T0 + 0.5), ns(T0 + 0.6), arp(T0 + 2.5), ping(T0 + 3), arp(T0 + 6), ping(T0 + 6.5), arp(T0 + 14), ping(T0 + 14.5)],
  });
  const saturn = r.out[SATURN_PORT];
  const [, luna, orcus] = r.devices;
  const at = (t0: number, t1: number) => saturn.filter((f) => f.t >= t0 && f.t < t1);

  it('the master (Luna) answers ARP with the virtual MAC and the ping to the VIP (accept-data); Orcus ignores the request, counted', () => {
    const reply = at(T0, T0 + 0.1).find((f) => isArpReply(f.frame))!;
    expect(formatMac(reply.frame, 6)).toBe(VMAC4);
    expect(formatMac(reply.frame, 22)).toBe(VMAC4); // sender hardware address
    expect(at(T0 + 0.5, T0 + 0.6).filter((f) => isEchoReply(f.frame))).toHaveLength(1);
    expect(orcus.vrrp!.instances[0].counters.arpIgnored).toBe(3); // at T0, T0 + 2.5 and T0 + 14: backup each time
  });

  it('the master answers ND for the IPv6 VIP with 00:00:5e:00:02:01, router flag set', () => {
    const na = at(T0 + 0.6, T0 + 0.7).find((f) => type(f.frame) === 0x86dd && f.frame[54] === 136)!;
    expect(formatMac(na.frame, 6)).toBe(VMAC6);
    expect(na.frame[58] & 0x80).toBe(0x80);
    expect(formatMac(na.frame, 80)).toBe(VMAC6); // target link-layer address option
  });

  it('Luna down at +2: nobody answers until Orcus takes over at +2 + 3 s + skew (156/256 s), with a gratuitous ARP and an advertisement', () => {
    expect(at(T0 + 2, T0 + 5.6).filter((f) => isArpReply(f.frame) || isEchoReply(f.frame))).toHaveLength(0);
    const garp = saturn.find((f) => isGarp(f.frame) && f.t > T0 + 2)!;
    expect(garp.t).toBeCloseTo(T0 + 2 + 3 + 156 / 256, 6);
    expect(formatMac(garp.frame, 6)).toBe(VMAC4);
    const adv = saturn.filter((f) => isAdvert4(f.frame) && Math.abs(f.t - garp.t) < 1e-6);
    expect(adv).toHaveLength(1);
    expect(adv[0].frame[14 + 20 + 2]).toBe(100); // Orcus's priority
    expect(formatMac(at(T0 + 6, T0 + 6.1).find((f) => isArpReply(f.frame))!.frame, 6)).toBe(VMAC4);
    expect(at(T0 + 6.5, T0 + 6.6).filter((f) => isEchoReply(f.frame))).toHaveLength(0); // Orcus has no accept-data
    expect(r.stats.devices.Orcus.drops.vrrp_no_accept_data).toBe(1);
  });

  it('Luna back at +10 preempts when its own Master_Down_Timer runs out (+10 + 3 s + 56/256 s); Orcus hears it and is backup again', () => {
    const garp = saturn.filter((f) => isGarp(f.frame)).at(-1)!;
    expect(garp.t).toBeCloseTo(T0 + 10 + 3 + 56 / 256, 6);
    expect(at(T0 + 14.5, T0 + 14.6).filter((f) => isEchoReply(f.frame))).toHaveLength(1);
    const l = luna.vrrp!.instances[0];
    const o = orcus.vrrp!.instances[0];
    expect([l.state, o.state]).toEqual([VRRP_MASTER, 1]);
    expect(l.counters).toMatchObject({ transitions: 3, becameMaster: 1, gratuitousSent: 1 });
    expect(o.counters).toMatchObject({ transitions: 2, becameMaster: 1, gratuitousSent: 1 });
    // Advertisements are taken in and consumed, not forwarded: every one Luna got was counted.
    expect(l.counters.advertisementsReceived).toBeGreaterThan(0);
    expect(r.stats.devices.Luna.vrrp!['ge-0/0/0.0 inet group 1']).toMatchObject({ state: 'master', priority: 200, transitions: 3 });
  });

  it('accounts for every packet, and show vrrp has the Junos layout', () => {
    expect(r.stats.balanced).toBe(true);
    const text = show(orcus, 'vrrp');
    expect(text.split('\n')[0]).toBe('Interface     State       Group   VR state       VR Mode    Timer    Type   Address');
    expect(text).toMatch(/^ge-0\/0\/0\.0    up              1   backup         Active     D  +\d\.\d{3} lcl    192\.168\.1\.3$/m);
    const col = text.indexOf('Type');
    expect(text).toContain(`\n${' '.repeat(col)}vip    192.168.1.1\n${' '.repeat(col)}mas    192.168.1.2\n`);
    expect(text).toContain(`lcl    2001:db8:1::3\n${' '.repeat(col)}vip    fe80::200:5eff:fe00:201\n${' '.repeat(col)}vip    2001:db8:1::1\n`);
  });
});

describe('VRRP dataplane details', () => {
  it('a backup drops frames to the virtual MAC as vrrp_not_master; a VMAC of no group is l2_dmac_mismatch', () => {
    const r = runFrames(lab(), { 'Orcus:ge-0/0/0': [ping(1), ping(1.1, '00:00:5e:00:01:09')] });
    expect(r.stats.devices.Orcus.drops).toMatchObject({ vrrp_not_master: 1, l2_dmac_mismatch: 1 });
  });

  it('the address owner (virtual address = its own) has priority 255 and takes over at once when its port comes back', () => {
    const text = labYaml({ timeline: ['{ at: 1, link-down: Luna:ge-0/0/0 }', '{ at: 6, link-up: Luna:ge-0/0/0 }'] })
      .replace('address 192.168.1.2/24 { vrrp-group 1 { virtual-address 192.168.1.1; priority 200;', 'address 192.168.1.1/24 { vrrp-group 1 { virtual-address 192.168.1.1;');
    const r = runFrames(loadScenarioText(text, 'owner.yaml'), { [SATURN_PORT]: [arp(100), arp(108)] });
    expect(r.devices[1].vrrp!.instances[0].priority).toBe(255);
    const garps = r.out[SATURN_PORT].filter((f) => isGarp(f.frame));
    expect(garps.map((f) => f.t)).toEqual([100 + 1 + 3 + 156 / 256, 106]); // Orcus after Master_Down; Luna at once
  });

  it('with no-preempt on Luna, Orcus keeps mastership after Luna returns', () => {
    const r = runFrames(lab({ luna: 'no-preempt;', timeline: ['{ at: 1, link-down: Luna:ge-0/0/0 }', '{ at: 6, link-up: Luna:ge-0/0/0 }'] }), {
      [SATURN_PORT]: [arp(100), arp(115)],
    });
    expect(r.devices[2].vrrp!.instances[0].state).toBe(VRRP_MASTER);
    expect(formatMac(r.out[SATURN_PORT].filter((f) => isArpReply(f.frame)).at(-1)!.frame, 6)).toBe(VMAC4);
    expect(r.devices[1].vrrp!.instances[0].counters.arpIgnored).toBe(1);
  });

  it('version-3 sends VRRPv3 over IPv4 (Max Adver Int 100 cs); adverts of an unknown group or bad TTL are dropped by reason', () => {
    const r = runFrames(lab({ v3: true }), { [SATURN_PORT]: [arp(1)] });
    const adv = r.out[SATURN_PORT].find((f) => isAdvert4(f.frame))!;
    expect(adv.frame[34]).toBe(0x31);
    expect(adv.frame[39]).toBe(100);
    const bad = adv.frame.slice();
    bad[35] = 9; // VRID 9: not configured
    const v = bad.subarray(34, 46);
    v[6] = 0; v[7] = 0;
    // With a copy of the good one after it: only the bad one is dropped (the copy once shared the bad one's bytes).
    const r2 = runFrames(lab({ v3: true }), { 'Orcus:ge-0/0/0': [{ t: 1.1, frame: fixV3(bad) }, { t: 1.2, frame: adv.frame.slice() }] });
    expect(adv.frame[35]).toBe(1);
    expect(r2.stats.devices.Orcus.drops.vrrp_unknown_group).toBe(1);
    expect(r2.devices[2].vrrp!.instances[0].counters.advertisementsReceived).toBe(2); // Luna's, heard on the LAN, and the good copy
    const ttl = eth({ dst: '01:00:5e:00:00:12', src: VMAC4 }, 0x0800, ip4({ src: '192.168.1.2', dst: '224.0.0.18', ttl: 64 }, 112, adv.frame.slice(34, 46)));
    const r3 = runFrames(lab({ v3: true }), { 'Orcus:ge-0/0/0': [{ t: 1, frame: ttl }] });
    expect(r3.stats.devices.Orcus.drops.vrrp_bad_ttl).toBe(1);
  });
});

/** Recomputes a VRRPv3-over-IPv4 checksum (pseudo-header included) of a frame whose VRRP part was edited. */
function fixV3(f: Uint8Array): Uint8Array {
  const v = 34;
  const len = ((f[16] << 8) | f[17]) - 20; // the IP total length: the frame is padded to 60 bytes
  let s = 0;
  for (let i = 26; i < 34; i += 2) s += (f[i] << 8) | f[i + 1];
  s += 112 + len;
  for (let i = 0; i < len; i += 2) s += (f[v + i] << 8) | (f[v + i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  f[v + 6] = c >> 8;
  f[v + 7] = c & 0xff;
  return f;
}

describe('VRRP configuration mistakes', () => {
  const conf = (group: string) => `interfaces {
    ge-0/0/0 {
        unit 0 {
            family inet {
                address 192.168.1.2/24 {
                    ${group}
                }
            }
        }
    }
}`;
  const problems = (text: string): string[] => {
    try {
      loadJunosText(text, 'r.conf');
    } catch (e) {
      if (e instanceof ConfigError) return e.message.split('\n');
      throw e;
    }
    return [];
  };

  it('reports each mistake with file:line:column', () => {
    expect(problems(conf('vrrp-group 1 { virtual-address 10.9.9.9; }'))).toEqual(['r.conf:6:21: ge-0/0/0.0 vrrp-group 1: virtual address 10.9.9.9 is not in the subnet of 192.168.1.2/24']);
    expect(problems(conf('vrrp-group 256 { virtual-address 192.168.1.1; }'))).toEqual(["r.conf:6:32: vrrp-group '256' is not in 0..255"]);
    expect(problems(conf('vrrp-group 1 { virtual-address 192.168.1.1; priority 0; }'))).toEqual(["r.conf:6:74: priority '0' is not in 1..255"]);
    expect(problems(conf('vrrp-group 1 { virtual-address 192.168.1.1; priority 255; }'))[0]).toMatch(/^r\.conf:6:21: .*priority 255 is the address owner's/);
    expect(problems(conf('vrrp-group 1 { priority 150; }'))).toEqual(['r.conf:6:21: ge-0/0/0.0 vrrp-group 1: no virtual-address']);
    expect(problems(conf('vrrp-inet6-group 1 { virtual-inet6-address 2001:db8::1; }'))).toEqual(['r.conf:6:21: vrrp-inet6-group is not valid under family inet']);
    expect(problems(conf('vrrp-group 1 { virtual-address 192.168.1.1; advertise-interval 0; }'))).toEqual(["r.conf:6:84: advertise-interval '0' is not in 1..255"]);
  });

  it('YAML: the unit key vrrp:, its group placed under the address whose subnet holds the virtual address', () => {
    const ok = loadScenarioText(`devices:
  R1:
    interfaces:
      eth0: { inet: [10.0.0.2/24], vrrp: [{ group: 5, virtual-address: 10.0.0.1, priority: 150, accept-data: true }] }
`, 's.yaml');
    expect(ok.devices[0].ifds[0].units[0].vrrp).toEqual([expect.objectContaining({ family: 'inet', group: 5, address: '10.0.0.2', virtualAddresses: ['10.0.0.1'], priority: 150, acceptData: true, preempt: true })]);
    expect(() => loadScenarioText(`devices:
  R1:
    interfaces:
      eth0: { inet: [10.0.0.2/24], vrrp: [{ group: 5, virtual-address: 10.9.0.1 }] }
`, 's.yaml')).toThrow(/s\.yaml:4:\d+: eth0\.0 vrrp 5: virtual address 10\.9\.0\.1 is not in the subnet of any inet address of the unit/);
  });
});

describe('VRRP property', () => {
  it('random link events on the VRRP ports and random ARP for the VIP never throw or lose count, and a group never has two masters', () => {
    // Checked whenever the election has run (each timer pass and each link event).
    const proto = VrrpDomain.prototype as unknown as Record<string, (...a: unknown[]) => void>;
    const saved = { advance: proto.advance, linkChanged: proto.linkChanged };
    let worst = 0;
    const check = function (this: VrrpDomain): void {
      for (const g of this.groups) worst = Math.max(worst, g.members.filter((m) => m.state === VRRP_MASTER).length);
    };
    proto.advance = function (this: VrrpDomain, ...a: unknown[]) { saved.advance.apply(this, a); check.call(this); };
    proto.linkChanged = function (this: VrrpDomain, ...a: unknown[]) { saved.linkChanged.apply(this, a); check.call(this); };
    try {
      fc.assert(fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), port: fc.constantFrom('Luna', 'Orcus', 'SW'), up: fc.boolean() }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 20 }),
        (events, arps) => {
          const ports: Record<string, string> = { Luna: 'Luna:ge-0/0/0', Orcus: 'Orcus:ge-0/0/0', SW: 'SW:ge-0/0/1' };
          const timeline = events.sort((a, b) => a.at - b.at).map((e) => `{ at: ${e.at / 10}, ${e.up ? 'link-up' : 'link-down'}: ${ports[e.port]} }`);
          const frames = arps.sort((a, b) => a - b).map((t, i) => (i % 3 === 2 ? ping(50 + t / 10) : arp(50 + t / 10)));
          const r = runFrames(lab({ timeline }), { [SATURN_PORT]: frames });
          expect(r.stats.balanced).toBe(true);
          expect(worst).toBeLessThanOrEqual(1);
        },
      ), { numRuns: 25 });
    } finally {
      proto.advance = saved.advance;
      proto.linkChanged = saved.linkChanged;
    }
  });
});
