// The comparison model: variants run in process (runVariant), compared by
// compareRuns. A variant that changes nothing differs in nothing; a packet
// that crosses a link is followed into the next device; frames that decode
// alike are told apart field by field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arpFrame, ping4 } from '../craft/craft.js';
import { derivedMac } from '../device/mac.js';
import { formatMac } from '../packet/addr.js';
import { PcapWriter } from '../pcap/writer.js';
import { SWITCHES } from '../profiles/catalog.js';
import { PROFILES, parseProfileSpec } from '../profiles/switch.js';
import { compareRuns, fieldDiff } from './diff.js';
import { countInputFrames, runVariant, variantDirName } from './variant.js';

const dir = mkdtempSync(join(tmpdir(), 'triode-compare-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEMO = 'examples/demo/scenario.yaml';
const DEMO_INPUTS = [
  { port: 'R1:et-0/0/0', file: 'examples/demo/host-a.pcap' },
  { port: 'R2:et-0/0/1', file: 'examples/demo/host-b.pcap' },
];

function compare(config: string, specs: string[], inputs: { port: string; file: string }[]) {
  const frames = countInputFrames(inputs);
  const runs = specs.map((s) => runVariant(config, parseProfileSpec(s, SWITCHES), inputs, { trace: frames }));
  return compareRuns(runs, frames);
}

describe('compareRuns', () => {
  it('a variant that sets a switch to its profile\'s default differs in nothing: no packet, every frame identical, no counter, no switch (every profile)', () => {
    const sw = SWITCHES[0];
    for (const p of PROFILES) {
      const c = compare(DEMO, [p, `${p},${sw.name}=${String(sw.defaults[p])}`], DEMO_INPUTS);
      expect(c.traced).toBe(14);
      expect(c.packets.filter((x) => x.differs)).toEqual([]);
      expect(c.ports.length).toBeGreaterThan(0);
      for (const port of c.ports) expect(port.frames, port.port).toEqual([port.identical, port.identical]);
      expect(c.counters.filter((r) => r.differs)).toEqual([]);
      expect(c.switches).toEqual([]);
      // Nothing was set away from the defaults, so nothing is listed as set.
      expect(c.variants.map((v) => v.devices.map((d) => d.overridden))).toEqual([[[], []], [[], []]]);
    }
  });

  it('follows a packet across a link: R2 (ios) answers an off-subnet ARP on the core port and R1 drops the reply; R2 as nxos drops the request', () => {
    const file = join(dir, 'core.pcap');
    const w = new PcapWriter(file);
    const req = arpFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:05' }, 1, '02:00:00:00:00:05', '10.9.9.5', '00:00:00:00:00:00', '10.12.0.2');
    w.write(req, 0, req.length, 1_700_000_000, 0);
    w.close();
    const c = compare(DEMO, ['R2:ios', 'R2:nxos'], [{ port: 'R2:et-0/0/0', file }]);
    expect(c.multiDevice).toBe(true);
    expect(c.variants.map((v) => v.devices.map((d) => `${d.name} ${d.profile}`))).toEqual([['R1 junos', 'R2 ios'], ['R1 junos', 'R2 nxos']]);
    const [p] = c.packets;
    expect(p.differs).toBe(true);
    expect(p.origin).toBe('R2:et-0/0/0');
    const r2 = formatMac(derivedMac('R2', 'et-0/0/0'));
    const [ios, nxos] = p.outcomes;
    expect(ios.why).toBe('R2:arp-input replied');
    expect(ios.events.map((e) => e.text)).toEqual(['out R2:et-0/0/0.0', 'dropped at R1:ethernet-input: l2_dmac_mismatch']);
    expect(ios.events[0].frame!.port).toBe('R2:et-0/0/0');
    expect(ios.events[0].frame!.traceId).toBe(0);
    const reply = arpFrame({ dst: '02:00:00:00:00:05', src: r2 }, 2, r2, '10.12.0.2', '02:00:00:00:00:05', '10.9.9.5');
    expect(Buffer.from(ios.events[0].frame!.data).toString('hex')).toBe(Buffer.from([...reply, ...new Uint8Array(60 - reply.length)]).toString('hex'));
    expect(nxos.why).toBe('dropped at R2:arp-input: arp_sender_not_on_subnet');
    expect(nxos.events).toEqual([]);
    expect(c.ports).toEqual([{ port: 'R2:et-0/0/0', frames: [1, 0], identical: 0 }]);
    const row = (n: string) => c.counters.find((r) => r.name === n);
    expect(row('drops.arp_sender_not_on_subnet')).toEqual({ name: 'drops.arp_sender_not_on_subnet', values: [0, 1], differs: true });
    expect(row('drops.l2_dmac_mismatch')).toEqual({ name: 'drops.l2_dmac_mismatch', values: [1, 0], differs: true });
    expect(row('accounting.in')).toEqual({ name: 'accounting.in', values: [1, 1], differs: false });
    // A device's own accounting is listed in a scenario of several.
    expect(row('devices.R2.accounting.dropped')).toEqual({ name: 'devices.R2.accounting.dropped', values: [0, 1], differs: true });
  });
});

describe('fieldDiff', () => {
  const a = ping4({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, { src: '10.0.0.1', dst: '10.0.0.2', ttl: 64 }, 7, 1);

  it('names the decoded fields whose values differ (a checksum status aside)', () => {
    const b = a.slice();
    b[22] = 63; // TTL, checksum left as it was
    expect(fieldDiff(b, a, 'ios')).toBe('ip.ttl 63 (ios 64)');
  });

  it('falls back to the first differing byte when the frames do not decode field for field alike', () => {
    const longer = Uint8Array.from([...a, 0xde, 0xad]);
    expect(fieldDiff(longer, a, 'ios')).toBe(`bytes from offset ${a.length} (${a.length + 2} bytes, ios ${a.length})`);
  });
});

describe('variantDirName', () => {
  it('keeps a spec readable as a directory name', () => {
    expect(variantDirName('nxos,arp-ignore=1')).toBe('nxos,arp-ignore=1');
    expect(variantDirName('R1:linux,proxy-arp=unrestricted')).toBe('R1_linux,proxy-arp=unrestricted');
    expect(variantDirName('a/b')).toBe('a_b');
  });
});
