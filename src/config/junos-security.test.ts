import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadJunosFile, loadJunosText } from './junos-device.js';
import type { Device } from './model.js';
import { errors, strip } from './testing.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The model without source locations (and file names). */

/** A minimal valid underlay for the snippets below. */
const UNDERLAY = `set interfaces ae0 unit 0 family inet address 13.10.1.1/30
set interfaces ae0 unit 0 family inet6 address 2001:db8:13::1/126
set interfaces st0 unit 1 family inet
set interfaces st0 unit 2 family inet6
`;
/** The same in the curly form (4 lines too). */
const UNDERLAY_CURLY = `interfaces {
    ae0 { unit 0 { family inet { address 13.10.1.1/30; } family inet6 { address 2001:db8:13::1/126; } } }
    st0 { unit 1 { family inet; } unit 2 { family inet6; } }
}`;

describe('MX inline IPsec configuration (mx-ipsec.conf / .set)', () => {
  const curly = loadJunosFile(fixture('mx-ipsec.conf'));
  const set = loadJunosFile(fixture('mx-ipsec.set'));

  test('curly and set forms build deep-equal devices', () => {
    expect(strip(set)).toEqual(strip(curly));
    expect(set.ignored.map((i) => i.path)).toEqual(curly.ignored.map((i) => i.path));
  });

  test('the setup inside groups IPSec_Global_v4_v6 builds the same model as written flat', () => {
    const lines = readFileSync(fixture('mx-ipsec.set'), 'utf8').trim().split('\n');
    const prefix = 'set groups IPSec_Global_v4_v6 ';
    const flat = [
      ...lines.filter((l) => !l.startsWith(prefix) && l !== 'set apply-groups IPSec_Global_v4_v6'),
      ...lines.filter((l) => l.startsWith(prefix)).map((l) => `set ${l.slice(prefix.length)}`),
    ].join('\n');
    const d = loadJunosText(flat, fixture('mx-ipsec.set'));
    expect(strip(d)).toEqual(strip(set));
  });

  test('interfaces: si- units with service domains, st0 unit without media MTU', () => {
    const ifd = (name: string) => curly.ifds.find((i) => i.name === name)!;
    expect(curly.ifds.map((i) => [i.name, i.mtu])).toEqual([
      ['et-0/0/0', 1514],
      ['et-0/0/1', 1514],
      ['et-0/2/10', 9192],
      ['ae0', 9192],
      ['lo0', undefined],
      ['si-0/1/0', undefined],
      ['st0', undefined],
    ]);
    expect(ifd('si-0/1/0').units).toEqual([
      {
        name: 'si-0/1/0.0',
        unit: 0,
        inet: { addresses: [], neighbors: [] },
        inet6: { addresses: [], neighbors: [] },
        serviceDomain: 'inside',
        loc: { file: fixture('mx-ipsec.conf'), line: 7, col: 17 },
      },
      {
        name: 'si-0/1/0.1',
        unit: 1,
        inet: { addresses: [], neighbors: [] },
        inet6: { addresses: [], neighbors: [] },
        serviceDomain: 'outside',
        loc: { file: fixture('mx-ipsec.conf'), line: 12, col: 17 },
      },
    ]);
    expect(strip({ ...curly, ifds: [ifd('st0')] } as Device)).toMatchObject({
      ifds: [{ name: 'st0', units: [{ name: 'st0.1', unit: 1, inet: { addresses: [], mtu: 9000, neighbors: [] }, inet6: { addresses: [], neighbors: [] } }] }],
    });
    expect(ifd('ae0').units[0]!.inet!.addresses.map((a) => `${a.address}/${a.prefixLength}`)).toEqual(['13.10.1.1/30']);
    expect(curly.instances[0]!.interfaces).toEqual(['et-0/2/10.0', 'ae0.0', 'lo0.0', 'si-0/1/0.0', 'si-0/1/0.1', 'st0.1']);
  });

  test('static routes through the tunnel', () => {
    expect(curly.instances[0]!.routes.map((r) => [r.prefix, r.action, r.nextHops])).toEqual([
      ['0.0.0.0/0', 'forward', [{ address: '13.10.1.2' }]],
      ['12.1.1.2/32', 'forward', [{ interface: 'st0.1' }]],
      ['60.1.1.0/24', 'forward', [{ address: '12.1.1.2' }]],
      ['2001:db8:60::/64', 'forward', [{ interface: 'st0.1' }]],
    ]);
  });

  test('security and services: every value', () => {
    const s = strip(curly) as Device;
    expect(s.security).toEqual({
      ikeGateways: [
        { name: 'GW-R2', ikePolicy: 'IKE-POL', addresses: ['13.10.2.2'], localAddress: '13.10.1.1', externalInterface: 'ae0.0', version: 'v2-only' },
      ],
      ipsecProposals: [{ name: 'IPSEC-PROP', protocol: 'esp', encryptionAlgorithm: 'aes-256-gcm', lifetimeSeconds: 3600, extendedSequenceNumber: true }],
      ipsecPolicies: [{ name: 'IPSEC-POL', proposals: ['IPSEC-PROP'] }],
      ipsecVpns: [
        {
          name: 'VPN-R2',
          bindInterface: 'st0.1',
          copyOuterDscp: true,
          dfBit: 'copy',
          ike: { gateway: 'GW-R2', ipsecPolicy: 'IPSEC-POL' },
          antiReplay: true,
          antiReplayWindowSize: 4096,
          establishTunnels: 'immediately',
          trafficSelectors: [],
          extendedSequenceNumber: false,
          esn: true, // from the proposal
          hasManualKeys: false,
        },
      ],
    });
    expect(s.services).toEqual({
      serviceSets: [{ name: 'IPSEC-SS', insideServiceInterface: 'si-0/1/0.0', outsideServiceInterface: 'si-0/1/0.1', ipsecVpns: ['VPN-R2'] }],
    });
    // Locations point into the group.
    expect(curly.security!.ipsecVpns[0]!.loc).toEqual({ file: fixture('mx-ipsec.conf'), line: 77, col: 17 });
    expect(curly.services!.serviceSets[0]!.loc).toEqual({ file: fixture('mx-ipsec.conf'), line: 39, col: 13 });
  });

  test('statements not emulated are listed with their lines', () => {
    expect(curly.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '2:1 version 22.4R2.8',
      '96:1 chassis',
      '49:17 security ike proposal IKE-PROP',
      '55:17 security ike policy IKE-POL',
    ]);
  });
});

describe('VPN forms', () => {
  test('ESN in the vpn, no-anti-replay, df-bit, on-traffic, several addresses, v1-only, IPv6 gateway', () => {
    const d = loadJunosText(
      `${UNDERLAY}set security ike policy IKE-POL proposal-set standard
set security ike gateway G6 ike-policy IKE-POL
set security ike gateway G6 address [ 2001:db8:13::2 2001:db8:13::6 ]
set security ike gateway G6 local-address 2001:db8:13::1
set security ike gateway G6 external-interface ae0
set security ike gateway G6 version v1-only
set security ipsec proposal P protocol esp
set security ipsec proposal P encryption-algorithm aes-128-gcm
set security ipsec policy POL proposals P
set security ipsec vpn V bind-interface st0.2
set security ipsec vpn V ike gateway G6
set security ipsec vpn V ike ipsec-policy POL
set security ipsec vpn V no-anti-replay
set security ipsec vpn V df-bit clear
set security ipsec vpn V establish-tunnels on-traffic
set security ipsec vpn V extended-sequence-number
set services service-set EMPTY next-hop-service inside-service-interface si-0/1/0.0
set services service-set EMPTY next-hop-service outside-service-interface si-0/1/0.1
set interfaces si-0/1/0 unit 0 service-domain inside
set interfaces si-0/1/0 unit 1 service-domain outside`,
      'r.set',
    );
    expect(strip(d)).toMatchObject({
      security: {
        ikeGateways: [{ name: 'G6', addresses: ['2001:db8:13::2', '2001:db8:13::6'], localAddress: '2001:db8:13::1', externalInterface: 'ae0.0', version: 'v1-only' }],
        ipsecVpns: [{ name: 'V', antiReplay: false, dfBit: 'clear', establishTunnels: 'on-traffic', extendedSequenceNumber: true, esn: true, copyOuterDscp: false }],
      },
      services: { serviceSets: [{ name: 'EMPTY', ipsecVpns: [] }] },
    });
    expect(d.security!.ipsecVpns[0]!.antiReplayWindowSize).toBeUndefined();
  });

  test('st0 units with and without addresses; no media MTU on st0 (reported, not modelled)', () => {
    const d = loadJunosText(
      `set interfaces st0 mtu 9000
set interfaces st0 unit 0 family inet
set interfaces st0 unit 7 family inet mtu 1436
set interfaces st0 unit 7 family inet address 12.1.1.1/30
set interfaces st0 unit 7 family inet6 address 2001:db8:12::1/126`,
      's.set',
    );
    const st0 = d.ifds[0]!;
    expect(st0.mtu).toBeUndefined();
    expect(st0.units.map((u) => [u.name, u.inet?.mtu, u.inet?.addresses.map((a) => a.address), u.inet6?.addresses.map((a) => a.address)])).toEqual([
      ['st0.0', undefined, [], undefined],
      ['st0.7', 1436, ['12.1.1.1'], ['2001:db8:12::1']],
    ]);
    expect(d.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual(['1:20 interfaces st0 mtu 9000']);
    expect(d.security).toBeUndefined();
    expect(d.services).toBeUndefined();
  });

  test('traffic selectors: several VPNs on one st0 unit', () => {
    const curly = `${UNDERLAY_CURLY}
security {
    ike {
        gateway G { address 13.10.2.2; local-address 13.10.1.1; external-interface ae0.0; }
    }
    ipsec {
        vpn A {
            bind-interface st0.1;
            ike { gateway G; }
            traffic-selector TS1 { local-ip 10.10.10.0/24; remote-ip 60.1.1.0/24; }
            traffic-selector TS2 { local-ip 2001:db8:10::/64; remote-ip 2001:db8:60::1/64; }
        }
        vpn B {
            bind-interface st0.1;
            ike { gateway G; }
            traffic-selector TS3 { local-ip 10.10.20.0/24; remote-ip 60.1.2.0/24; }
        }
    }
}
services { service-set SS { next-hop-service { inside-service-interface si-0/1/0.0; outside-service-interface si-0/1/0.1; } ipsec-vpn [ A B ]; } }
interfaces { si-0/1/0 { unit 0 { service-domain inside; } unit 1 { service-domain outside; } } }`;
    const d = loadJunosText(curly, 'ts.conf');
    const [a, b] = d.security!.ipsecVpns;
    expect(strip({ ...d, ignored: [] } as Device)).toMatchObject({ services: { serviceSets: [{ ipsecVpns: ['A', 'B'] }] } });
    expect(a!.trafficSelectors.map((t) => [t.name, t.localIp, t.remoteIp])).toEqual([
      ['TS1', '10.10.10.0/24', '60.1.1.0/24'],
      ['TS2', '2001:db8:10::/64', '2001:db8:60::/64'],
    ]);
    expect(b!.trafficSelectors).toMatchObject([{ name: 'TS3', localIp: '10.10.20.0/24', remoteIp: '60.1.2.0/24' }]);
    expect([a!.bindInterface, b!.bindInterface, a!.hasManualKeys, a!.esn]).toEqual(['st0.1', 'st0.1', false, false]);
  });

  test('manual SA: one SPI and key for both directions (key = AES key + 4-byte salt)', () => {
    const key = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' + 'cafebabe';
    const d = loadJunosText(
      `${UNDERLAY}set security ipsec vpn M bind-interface st0.1
set security ipsec vpn M copy-outer-dscp
set security ipsec vpn M anti-replay-window-size 65536
set security ipsec vpn M manual gateway 13.10.2.2
set security ipsec vpn M manual external-interface ae0.0
set security ipsec vpn M manual protocol esp
set security ipsec vpn M manual spi 0x36c700ce
set security ipsec vpn M manual encryption algorithm aes-256-gcm
set security ipsec vpn M manual encryption key hexadecimal "0x${key.toUpperCase()}"`,
      'm.set',
    );
    const vpn = d.security!.ipsecVpns[0]!;
    const dir = { spi: 0x36c700ce, cipher: 'aes-256-gcm', key: key.slice(0, 64), salt: 'cafebabe' };
    expect(strip({ ...d, security: { ...d.security!, ipsecVpns: [vpn] } } as Device)).toMatchObject({
      security: {
        ipsecVpns: [
          {
            name: 'M',
            hasManualKeys: true,
            antiReplayWindowSize: 65536,
            manual: { gateway: '13.10.2.2', externalInterface: 'ae0.0', protocol: 'esp', inbound: dir, outbound: dir },
          },
        ],
      },
    });
    expect(vpn.ike).toBeUndefined();
  });

  test('manual SA: inbound and outbound blocks with their own SPIs and keys (curly = set)', () => {
    const inKey = '000102030405060708090a0b0c0d0e0f' + '10111213';
    const outKey = 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff' + 'a0a1a2a3';
    const curly = `${UNDERLAY_CURLY}
security {
    ipsec {
        vpn M6 {
            bind-interface st0.2;
            extended-sequence-number;
            manual {
                gateway 2001:db8:13::2;
                external-interface ae0.0;
                protocol esp;
                encryption {
                    algorithm aes-128-gcm;
                }
                inbound {
                    spi 4096;
                    encryption {
                        key hexadecimal "${inKey}";
                    }
                }
                outbound {
                    spi 8192;
                    encryption {
                        key hexadecimal "${outKey}";
                    }
                }
            }
        }
    }
}`;
    const set = `${UNDERLAY}set security ipsec vpn M6 bind-interface st0.2
set security ipsec vpn M6 extended-sequence-number
set security ipsec vpn M6 manual gateway 2001:db8:13::2
set security ipsec vpn M6 manual external-interface ae0.0
set security ipsec vpn M6 manual protocol esp
set security ipsec vpn M6 manual encryption algorithm aes-128-gcm
set security ipsec vpn M6 manual inbound spi 4096
set security ipsec vpn M6 manual inbound encryption key hexadecimal "${inKey}"
set security ipsec vpn M6 manual outbound spi 8192
set security ipsec vpn M6 manual outbound encryption key hexadecimal "${outKey}"`;
    const c = loadJunosText(curly, 'm.conf');
    expect(strip(loadJunosText(set, 'm.conf'))).toEqual(strip(c));
    expect(c.security!.ipsecVpns[0]).toMatchObject({
      esn: true,
      hasManualKeys: true,
      manual: {
        gateway: '2001:db8:13::2',
        inbound: { spi: 4096, cipher: 'aes-128-gcm', key: inKey.slice(0, 32), salt: '10111213' },
        outbound: { spi: 8192, cipher: 'aes-128-gcm', key: outKey.slice(0, 32), salt: 'a0a1a2a3' },
      },
    });
    expect(c.ignored).toEqual([]);
  });

  test('ascii-text keys are the text bytes', () => {
    const d = loadJunosText(
      `${UNDERLAY}set security ipsec vpn M bind-interface st0.1
set security ipsec vpn M manual gateway 13.10.2.2
set security ipsec vpn M manual external-interface ae0.0
set security ipsec vpn M manual spi 300
set security ipsec vpn M manual encryption algorithm aes-128-gcm
set security ipsec vpn M manual encryption key ascii-text "0123456789abcdefSALT"`,
      'a.set',
    );
    expect(d.security!.ipsecVpns[0]!.manual!.outbound).toEqual({
      spi: 300,
      cipher: 'aes-128-gcm',
      key: Buffer.from('0123456789abcdef').toString('hex'),
      salt: Buffer.from('SALT').toString('hex'),
    });
  });

  test('security and services statements not modelled are listed with their paths', () => {
    const d = loadJunosText(
      `${UNDERLAY}set security zones security-zone trust interfaces st0.1
set security policies default-policy permit-all
set security ike proposal IKE-P dh-group group14
set security ike traceoptions file ike.log
set security ipsec vpn V ike gateway G
set security ipsec vpn V ike proxy-identity local 10.0.0.0/8
set security ipsec vpn V vpn-monitor optimized
set security ike gateway G address 13.10.2.2
set security ike gateway G dead-peer-detection interval 10
set security ipsec proposal P authentication-algorithm hmac-sha-256-128
set services rpm probe P test T target address 1.1.1.1
set services service-set SS interface-service service-interface si-0/1/0
set services service-set SS next-hop-service inside-service-interface si-0/1/0.0
set services service-set SS next-hop-service outside-service-interface si-0/1/0.1
set interfaces si-0/1/0 unit 0 service-domain inside
set interfaces si-0/1/0 unit 1 service-domain outside`,
      'i.set',
    );
    expect(d.ignored.map((i) => `${i.loc.line}:${i.loc.col} ${i.path}`)).toEqual([
      '5:14 security zones',
      '6:14 security policies',
      '7:18 security ike proposal IKE-P',
      '8:18 security ike traceoptions',
      '13:28 security ike gateway G dead-peer-detection',
      '10:30 security ipsec vpn V ike proxy-identity',
      '11:26 security ipsec vpn V vpn-monitor optimized',
      '14:31 security ipsec proposal P authentication-algorithm hmac-sha-256-128',
      '15:14 services rpm',
      '16:29 services service-set SS interface-service',
    ]);
  });
});

describe('errors: all collected, each with file:line:column', () => {
  test('cross references: st0, si-, service domains, gateways, policies, proposals, families, window size, shared st0', () => {
    expect(
      errors(`set interfaces ae0 unit 0 family inet address 13.10.1.1/30
set interfaces si-0/1/0 unit 0 service-domain inside
set interfaces si-0/1/0 unit 1 service-domain inside
set interfaces st0 unit 1 family inet
set interfaces ge-0/0/0 unit 0 service-domain outside
set services service-set S1 next-hop-service inside-service-interface si-0/1/0.0
set services service-set S1 next-hop-service outside-service-interface si-0/1/0.1
set services service-set S2 next-hop-service inside-service-interface si-0/1/0.7
set services service-set S2 ipsec-vpn NOPE
set security ike gateway G1 address 13.10.2.2
set security ike gateway G1 local-address 2001:db8::1
set security ike gateway G1 external-interface ae9.0
set security ike gateway G1 ike-policy MISSING
set security ipsec proposal P1 encryption-algorithm aes-256-cbc
set security ipsec policy POL1 proposals P1
set security ipsec policy POL1 proposals P9
set security ipsec vpn V1 bind-interface st0.2
set security ipsec vpn V1 ike gateway G9
set security ipsec vpn V1 ike ipsec-policy POL9
set security ipsec vpn V1 anti-replay-window-size 32
set security ipsec vpn V2 bind-interface st0.1
set security ipsec vpn V2 ike gateway G1
set security ipsec vpn V2 ike ipsec-policy POL1
set security ipsec vpn V3 bind-interface st0.1
set security ipsec vpn V3 ike gateway G1
set security ipsec vpn V4 bind-interface ae0.0
set security ipsec vpn V4 ike gateway G1
set security ipsec vpn V4 anti-replay-window-size 65537`),
    ).toEqual([
      'r.conf:5:47: ge-0/0/0.0: service-domain is only valid on service interfaces (si-, ms-, sp-)',
      'r.conf:7:72: service set S1: outside-service-interface si-0/1/0.1 has service-domain inside (needs outside)',
      'r.conf:8:14: service set S2: missing next-hop-service outside-service-interface',
      'r.conf:8:71: service set S2: inside-service-interface si-0/1/0.7 does not exist',
      'r.conf:9:39: service set S2: ipsec-vpn NOPE is not defined',
      'r.conf:11:43: ike gateway G1: local-address 2001:db8::1 and address 13.10.2.2 are not of the same family',
      'r.conf:11:43: ike gateway G1: local-address 2001:db8::1 is not an address of this device',
      'r.conf:12:48: ike gateway G1: external-interface ae9.0 does not exist',
      'r.conf:13:40: ike gateway G1: ike-policy MISSING is not defined',
      'r.conf:14:53: ipsec proposal P1: encryption-algorithm aes-256-cbc is not supported (aes-128-gcm, aes-192-gcm or aes-256-gcm)',
      'r.conf:16:42: ipsec policy POL1: proposal P9 is not defined',
      'r.conf:17:42: vpn V1: bind-interface st0.2 does not exist',
      'r.conf:18:39: vpn V1: ike gateway G9 is not defined',
      'r.conf:19:44: vpn V1: ipsec-policy POL9 is not defined',
      "r.conf:20:51: anti-replay-window-size '32' is not in 64..65536",
      'r.conf:24:42: vpn V3: st0.1 is already bound to vpn V2 (at 21:42); several VPNs on one st0 unit need traffic selectors in each',
      'r.conf:26:42: vpn V4: bind-interface ae0.0 is not an st0 unit (st0.N)',
      "r.conf:28:51: anti-replay-window-size '65537' is not in 64..65536",
    ]);
  });

  test('values and shapes: gateways, VPNs, manual SAs, traffic selectors (curly)', () => {
    expect(
      errors(`interfaces {
    ae0 { unit 0 { family inet { address 13.10.1.1/30; } } }
    st0 { unit 1 { family inet; } }
    si-0/1/0 { unit 0 { service-domain both; } }
}
security {
    ike { gateway G { local-address 13.10.1.1; address 13.10.2.300; version v3; } }
    ipsec {
        proposal P { protocol gre; lifetime-seconds 60; }
        vpn A { bind-interface st0.1; df-bit maybe; establish-tunnels later; }
        vpn B { ike { ipsec-policy X; } no-anti-replay; anti-replay-window-size 128; }
        vpn C {
            ike { gateway G; }
            manual { gateway 13.10.2.2; external-interface ae0.0; spi 255; }
            traffic-selector T { local-ip 10.0.0.0/8; remote-ip 2001:db8::/32; }
            traffic-selector U { local-ip 10.0.0.0/8; }
        }
        vpn D {
            manual {
                gateway 2001:db8::2;
                external-interface ae0.0;
                spi 4096;
                encryption { algorithm aes-256-cbc; key hexadecimal abc; }
                outbound { encryption { algorithm aes-256-gcm; key hexadecimal "00112233445566778899aabbccddeeff"; } }
            }
        }
        vpn E { manual { spi 300; encryption { algorithm aes-128-gcm; key hexadecimal "$9$abc"; } } }
    }
}`),
    ).toEqual([
      "r.conf:4:40: service-domain 'both' is not inside or outside",
      "r.conf:7:56: ike gateway address '13.10.2.300' is not an IP address",
      "r.conf:7:77: version 'v3' is not v1-only or v2-only",
      "r.conf:9:31: protocol 'gre' is not esp or ah",
      "r.conf:9:53: lifetime-seconds '60' is not in 180..86400",
      'r.conf:10:9: vpn A: needs ike { gateway ...; } or manual { ... }',
      "r.conf:10:46: df-bit 'maybe' is not clear, set or copy",
      "r.conf:10:71: establish-tunnels 'later' is not immediately or on-traffic",
      'r.conf:11:17: vpn B ike: missing gateway',
      'r.conf:11:81: vpn B: anti-replay-window-size and no-anti-replay exclude each other',
      'r.conf:14:13: vpn C: ike and manual exclude each other',
      "r.conf:14:71: spi '255' is not in 256..4294967295",
      'r.conf:15:65: vpn C traffic-selector T: local-ip 10.0.0.0/8 and remote-ip 2001:db8::/32 are not of the same family',
      'r.conf:16:13: vpn C traffic-selector U: needs local-ip and remote-ip',
      "r.conf:23:40: encryption algorithm 'aes-256-cbc' is not supported (aes-128-gcm, aes-192-gcm or aes-256-gcm)",
      'r.conf:23:69: key: hexadecimal key is not an even number of hex digits',
      'r.conf:24:80: vpn D manual (outbound): aes-256-gcm needs 36 bytes of keying material (32-byte key + 4-byte salt), the key has 16',
      'r.conf:27:17: vpn E manual: missing gateway',
      'r.conf:27:17: vpn E manual: missing external-interface',
      'r.conf:27:87: key: Junos-encrypted ($9$) keys are not supported: write the key in clear',
    ]);
  });
});
