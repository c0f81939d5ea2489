// examples/multihomed-ipvpn (the seed's multihomed IP VPN): it loads with no
// configuration error, keeps the seed's statements, its saturn.pcap is what
// the README says, and what works before BGP best paths reach the forwarding
// table works: Luna, VRRP master, answers Saturn's ARP for the VIP through the
// lab switch. The end-to-end paths are the cases of scripts/make-ipvpn-cases.mjs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/scenario.js';
import { decodeFrame } from '../packet/decode.js';
import { Run } from '../run/runner.js';
import { runStats } from '../run/stats.js';
import { readFrames } from './run-case.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'multihomed-ipvpn');
const FIXTURES = join(ROOT, 'src', 'config', 'fixtures', 'seed-ipvpn');
const out = mkdtempSync(join(tmpdir(), 'triode-ipvpn-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/multihomed-ipvpn', () => {
  it('loads: seven devices, ten links, no configuration error', () => {
    const s = loadConfigFile(join(EXAMPLE, 'scenario.yaml'));
    expect(s.devices.map((d) => d.name)).toEqual(['SW', 'Luna', 'Orcus', 'Juno', 'Ceres', 'Liber', 'Jupiter']);
    expect(s.links).toHaveLength(10);
  });

  it("keeps every statement of the seed's fixtures, in order; every other statement follows an '# Added:' comment", () => {
    for (const name of ['juno', 'ceres', 'liber', 'luna', 'orcus']) {
      const fixture = readFileSync(join(FIXTURES, `${name}.set`), 'utf8').split('\n').filter((l) => l.startsWith('set '));
      const lines = readFileSync(join(EXAMPLE, `${name}.set`), 'utf8').split('\n');
      const sets = lines.filter((l) => l.startsWith('set '));
      expect(sets.slice(0, fixture.length), name).toEqual(fixture);
      const firstAdded = lines.findIndex((l) => l.startsWith('# Added:'));
      expect(firstAdded, name).toBeGreaterThan(0);
      expect(lines.slice(0, firstAdded).filter((l) => l.startsWith('set ')), name).toEqual(fixture);
    }
  });

  it("saturn.pcap: Saturn's ARP for the VIP, then its echo 10.0.0.12 → 10.0.0.3 with TTL 64, on VLAN 150", () => {
    const f = readFrames(join(EXAMPLE, 'saturn.pcap')).map((x) => decodeFrame(x.data, 0, x.data.length));
    expect(f).toEqual([
      '00:00:5e:00:53:0c > ff:ff:ff:ff:ff:ff, vlan 150, ARP who-has 192.168.1.1 tell 192.168.1.254',
      '00:00:5e:00:53:0c > 00:00:5e:00:01:01, vlan 150, IPv4 10.0.0.12 > 10.0.0.3 ttl 64 ICMP echo request id 90 seq 1',
    ]);
  });

  it("runs with saturn.pcap on SW:ge-0/0/0: Luna answers the ARP with the virtual MAC on VLAN 150; the accounting balances", () => {
    const run = new Run(loadConfigFile(join(EXAMPLE, 'scenario.yaml')), { outDir: out });
    const r = run.execute([{ port: 'SW:ge-0/0/0', file: join(EXAMPLE, 'saturn.pcap') }]);
    expect(runStats(r).balanced).toBe(true);
    const saturn = r.outputs.find((o) => o.port === 'SW:ge-0/0/0');
    const got = readFrames(saturn!.file).map((x) => decodeFrame(x.data, 0, x.data.length));
    expect(got).toContain('00:00:5e:00:01:01 > 00:00:5e:00:53:0c, vlan 150, ARP reply 192.168.1.1 is-at 00:00:5e:00:01:01');
  });
});
