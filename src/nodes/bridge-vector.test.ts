// bridge-input looks a vector's destinations up together (MacTable.lookupVector)
// but must forward exactly as one lookup per packet after its own learn would:
// a MAC learned from one frame is known to the next frame of the same vector.
import { describe, expect, it } from 'vitest';
import { loadJunosText } from '../config/junos-device.js';
import { udp4Frame } from '../craft/craft.js';
import { DeviceRt } from '../device/device.js';

const CONF = `
interfaces {
  et-0/0/1 { encapsulation ethernet-bridge; unit 0; }
  et-0/0/2 { encapsulation ethernet-bridge; unit 0; }
  et-0/0/3 { encapsulation ethernet-bridge; unit 0; }
}
routing-instances { VS { instance-type virtual-switch; bridge-domains { BD { vlan-id none; interface et-0/0/1.0; interface et-0/0/2.0; interface et-0/0/3.0; } } } }`;

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const frame = (src: string, dst: string) => udp4Frame({ src, dst }, { src: '10.0.0.1', dst: '10.0.0.2' }, 1, 2, new Uint8Array(18));

describe('bridge-input: learning within one vector', () => {
  it('A→B (unknown: flooded), B→A (A just learned: to port 1 alone), A→B (B just learned: to port 2 alone), in one vector', () => {
    const dev = new DeviceRt(loadJunosText(CONF, 'bridge.conf', { deviceName: 'S' }));
    const port = (name: string) => dev.ifs.ifds.findIndex((d) => d.name === name);
    const sent: string[] = [];
    for (const p of ['et-0/0/1', 'et-0/0/2', 'et-0/0/3']) dev.sinks[port(p)] = (d, off) => { sent.push(`${p} ${d[off + 5].toString(16)}<-${d[off + 11].toString(16)}`); };
    for (const [p, f] of [['et-0/0/1', frame(A, B)], ['et-0/0/2', frame(B, A)], ['et-0/0/1', frame(A, B)]] as const) dev.inject(port(p), f, 0, f.length, 1, 0);
    dev.runBatch();
    expect(sent.sort()).toEqual(['et-0/0/1 a<-b', 'et-0/0/2 b<-a', 'et-0/0/2 b<-a', 'et-0/0/3 b<-a'].sort());
    const n = dev.graph.node('bridge-input');
    expect(n.counters[n.counterNames.indexOf('unknown_unicast_flooded')]).toBe(1);
    expect(n.counters[n.counterNames.indexOf('mac_learned')]).toBe(2);
  });
});
