// show route on the bundled seed scenario (examples/multihomed-ipvpn) compared
// line by line with the seed's outputs ("Juniper multihomed IP VPN location",
// saidvandeklundert.net). What differs, and why, is said at each place:
// - ages: triode prints 00:00:00; validation-state as the seed prints it;
// - table summary lines count the lab's routes (the seed's lab carries more
//   sites and IS-IS), so they are checked for their own numbers;
// - the transport label: 1000144 where the seed's LDP gave 300144 (a static
//   LSP's label is in Junos's static range, see ceres.set);
// - 10.0.0.4 (the seed's second route reflector) is not in the lab: the
//   seed's paths "from 10.0.0.4" have no counterpart.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/scenario.js';
import type { DeviceRt } from '../device/device.js';
import { Run } from '../run/runner.js';
import { runStats } from '../run/stats.js';
import { show } from './show.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'multihomed-ipvpn');

/** The seed's output text, its HTML (font tags, the author's "<-" notes) removed and its ages replaced by triode's 00:00:00. */
const seed = (text: string): string[] =>
  text.split('\n').map((l) => l.replace(/ (1w1d|1w2d|5d) \d\d:\d\d:\d\d,/, ' 00:00:00,').replace(/ 00:00:22,| 00:03:33,/, ' 00:00:00,').trimEnd());

/** A run of the lab (or of a golden case's copy of it, with its timeline) on Saturn's packets; the accounting balances. */
function lab(scenario = join(EXAMPLE, 'scenario.yaml')): Run {
  const run = new Run(loadConfigFile(scenario));
  const r = run.execute([{ port: 'SW:ge-0/0/0', file: join(EXAMPLE, 'saturn.pcap') }]);
  expect(runStats(r).balanced).toBe(true);
  return run;
}
const dev = (run: Run, name: string): DeviceRt => run.devices.find((d) => d.name === name)!;
/** `show route` minus its first line (the table summary, whose counts are the lab's). */
const body = (text: string): string[] => text.split('\n').slice(1);

describe("show route on the seed's lab, against the seed's outputs", () => {
  const run = lab();

  it("Luna> show route 10.0.0.3: Juno's path, MED 10", () => {
    const got = show(dev(run, 'Luna'), 'route 10.0.0.3');
    expect(got.split('\n')[0]).toBe('inet.0: 15 destinations, 17 routes (15 active, 0 holddown, 0 hidden)');
    expect(body(got)).toEqual(seed(`+ = Active Route, - = Last Active, * = Both

10.0.0.3/32        *[BGP/170] 1w1d 00:32:28, MED 10, localpref 100
                      AS path: 1 I, validation-state: unverified
                    > to 4.0.0.22 via xe-2/0/0.105`));
  });

  it("Orcus> show route 10.0.0.3: Luna's path (MED 10) active, Ceres's (MED 150) not", () => {
    expect(body(show(dev(run, 'Orcus'), 'route 10.0.0.3'))).toEqual(seed(`+ = Active Route, - = Last Active, * = Both

10.0.0.3/32        *[BGP/170] 00:00:22, MED 10, localpref 100
                      AS path: 1 I, validation-state: unverified
                    > to 192.168.1.3 via xe-2/0/0.150
                    [BGP/170] 1w1d 01:19:45, MED 150, localpref 100
                      AS path: 1 I, validation-state: unverified
                    > to 4.0.0.46 via xe-2/0/0.111`));
  });

  it('Liber> show route table ipvpn.inet.0 10.0.0.12 (active-path): local preference 150 from the reflector Ceres, Push 16', () => {
    expect(body(show(dev(run, 'Liber'), 'route table ipvpn.inet.0 10.0.0.12 active-path'))).toEqual(seed(`+ = Active Route, - = Last Active, * = Both

10.0.0.12/32       *[BGP/170] 1w1d 01:08:29, localpref 150, from 10.0.0.2
                      AS path: 65500 I, validation-state: unverified
                    > to 4.0.0.58 via xe-2/0/0.114, Push 16`));
  });

  it("Liber> ... detail: the seed's lines (originator Juno, communities, VPN label, local preference) in the seed's order", () => {
    const got = show(dev(run, 'Liber'), 'route table ipvpn.inet.0 10.0.0.12 active-path detail').split('\n');
    // The seed has 2 entries (10.0.0.4 reflects it too); the lab has one reflector.
    expect(got[1]).toBe('10.0.0.12/32 (1 entry, 1 announced)');
    const from = got.indexOf('                Originator ID: 10.0.0.5');
    expect(got.slice(from, from + 5)).toEqual(seed(`                Originator ID: 10.0.0.5
                Communities: target:1:1 origin:1000:1000
                Import Accepted
                VPN Label: 16
                Localpref: 150`));
    expect(got).toContain('                State: <Active Int Ext>');
    expect(got).toContain('                Label operation: Push 16');
  });

  it("Ceres> show route table ipvpn.inet.0 10.0.0.12: Juno's path through the LSP, Orcus's at local preference 10; nothing hidden", () => {
    const got = show(dev(run, 'Ceres'), 'route table ipvpn.inet.0 10.0.0.12');
    // The seed's "0 hidden": Orcus's paths through AS 1 are AS-path loops, which Junos does not keep.
    expect(got.split('\n')[0]).toMatch(/^ipvpn\.inet\.0: \d+ destinations, \d+ routes \(\d+ active, 0 holddown, 0 hidden\)$/);
    const want = seed(`+ = Active Route, - = Last Active, * = Both

10.0.0.12/32       *[BGP/170] 5d 22:29:55, localpref 150, from 10.0.0.5
                      AS path: 65500 I, validation-state: unverified
                    > to 4.0.0.18 via xe-2/0/0.104, Push 16, Push 300144(top)
                    [BGP/170] 5d 22:29:55, localpref 150, from 10.0.0.4
                      AS path: 65500 I, validation-state: unverified
                    > to 4.0.0.18 via xe-2/0/0.104, Push 16, Push 300144(top)
                    [BGP/170] 1w2d 20:49:46, localpref 10
                      AS path: 65500 I, validation-state: unverified
                    > to 4.0.0.45 via xe-2/0/1.111`).map((l) => l.replace('300144', '1000144'));
    expect(body(got)).toEqual([...want.slice(0, 5), ...want.slice(8)]);
  });

  it("Orcus> show route receive-protocol bgp 4.0.0.46: the seed's lines for the lab's prefixes, under the table's summary line", () => {
    const got = show(dev(run, 'Orcus'), 'route receive-protocol bgp 4.0.0.46').split('\n');
    const seedLines = seed(`inet.0: 19 destinations, 33 routes (19 active, 0 holddown, 0 hidden)
  Prefix                  Nexthop              MED     Lclpref    AS path
* 4.0.0.20/30             4.0.0.46             150                1 I
  4.0.0.40/30             4.0.0.46             150                1 I
  4.0.0.44/30             4.0.0.46             150                1 I
  4.0.0.76/30             4.0.0.46             150                1 I
  4.0.0.96/30             4.0.0.46             150                1 I
  4.0.0.100/30            4.0.0.46             150                1 I
  10.0.0.2/32             4.0.0.46             150                1 I
  10.0.0.3/32             4.0.0.46             150                1 I
  10.0.0.4/32             4.0.0.46             150                1 I
  10.0.0.5/32             4.0.0.46             150                1 I
  10.0.0.7/32             4.0.0.46             150                1 I
  10.0.0.10/32            4.0.0.46             150                1 I
  10.0.0.14/32            4.0.0.46             150                1 I
  10.0.0.15/32            4.0.0.46             150                1 I`);
    expect(got[0]).toBe(show(dev(run, 'Orcus'), 'route').split('\n')[0]);
    expect(got[1]).toBe(seedLines[1]);
    // The lab has fewer sites (no 10.0.0.4, 10.0.0.10, 10.0.0.14, 4.0.0.40/30, 4.0.0.100/30): every line it has is the seed's.
    expect(got.slice(2)).toEqual([
      '* 4.0.0.20/30             4.0.0.46             150                1 I',
      '  4.0.0.44/30             4.0.0.46             150                1 I',
      '  4.0.0.76/30             4.0.0.46             150                1 I',
      '  4.0.0.96/30             4.0.0.46             150                1 I',
      '  10.0.0.2/32             4.0.0.46             150                1 I',
      '  10.0.0.3/32             4.0.0.46             150                1 I',
      '  10.0.0.5/32             4.0.0.46             150                1 I',
      '  10.0.0.7/32             4.0.0.46             150                1 I',
      '  10.0.0.15/32            4.0.0.46             150                1 I',
    ]);
    for (const l of got.slice(2)) expect(seedLines).toContain(l);
  });
});

describe("after the Juno-Luna session goes down (the seed's `deactivate ... neighbor 4.0.0.21`)", () => {
  it("Luna> show route 10.0.0.3: Orcus's path, MED 150 via 192.168.1.2, as the seed shows it", () => {
    // pcaps/ipvpn/juno-luna-session-down: the lab with `bgp-session-down Juno:ipvpn:4.0.0.21` at 1 s; saturn.pcap spans no second, so the run is
    // driven past the event by the case's own input.
    const run = new Run(loadConfigFile(join(ROOT, 'pcaps', 'ipvpn', 'juno-luna-session-down', 'scenario.yaml')));
    const r = run.execute([{ port: 'SW:ge-0/0/0', file: join(ROOT, 'pcaps', 'ipvpn', 'juno-luna-session-down', 'in-SW_ge-0_0_0.pcap') }]);
    expect(runStats(r).balanced).toBe(true);
    const got = show(dev(run, 'Luna'), 'route 10.0.0.3');
    expect(got.split('\n')[0]).toMatch(/^inet\.0: \d+ destinations, \d+ routes \(\d+ active, 0 holddown, 0 hidden\)$/);
    expect(body(got)).toEqual(seed(`+ = Active Route, - = Last Active, * = Both

10.0.0.3/32        *[BGP/170] 00:03:33, MED 150, localpref 100
                      AS path: 1 I, validation-state: unverified
                    > to 192.168.1.2 via xe-2/0/1.150`));
  });
});
