// bench --workers: replicas in worker threads measure a scenario together. No
// figure is asserted (timing is the benchmark's business, not a test's); what
// is asserted is that every frame fed came out of the expected port, that RSS
// gave every replica a share, and that packets of SAs another replica owns
// were handed to it (esp-encrypt) or never needed to be (esp-decrypt: ESP
// lands on the SA's owner by its SPI).
import { afterAll, describe, expect, it } from 'vitest';
import { ParallelRig } from './parallel.js';
import { setupScenario } from './scenarios.js';
import type { ScenarioSetup } from './setup.js';

const setups: ScenarioSetup[] = [];
const rigs: ParallelRig[] = [];
afterAll(async () => {
  for (const r of rigs) await r.close();
  for (const s of setups) s.close();
});

function rig(scenario: string, size: string, vpns: number, replicas: number): ParallelRig {
  const s = setupScenario({ scenario, size, backend: scenario === 'l3' ? 'none' : 'native', vpns, routes: 2000 });
  setups.push(s);
  const r = new ParallelRig(s, replicas);
  rigs.push(r);
  return r;
}

describe('ParallelRig (triode bench --workers)', () => {
  it('l3 on 2 replicas: every frame forwarded, both replicas busy, nothing handed over', async () => {
    const r = rig('l3', '64', 1, 2);
    for (const share of r.shares) expect(share).toBeGreaterThan(0);
    const m = await r.measure(0.05);
    expect(m.replicas).toBe(2);
    expect(m.packets).toBeGreaterThan(0);
    for (const p of m.perReplica) {
      expect(p.packets).toBeGreaterThan(0);
      expect(p.shipped).toBe(0);
    }
    expect(m.perReplica.reduce((s, p) => s + p.delivered, 0)).toBe(m.packets);
  });

  it('esp-encrypt, 64 VPNs on 2 replicas: packets of the other replica\'s SAs are handed over and all are encrypted', async () => {
    const r = rig('esp-encrypt', 'imix', 64, 2);
    const m = await r.measure(0.05);
    expect(m.perReplica.reduce((s, p) => s + p.shipped, 0)).toBeGreaterThan(0);
    expect(m.perReplica.reduce((s, p) => s + p.delivered, 0)).toBe(m.packets);
    // Measured twice on the same rig: the second run starts clean.
    const again = await r.measure(0.05);
    expect(again.perReplica.reduce((s, p) => s + p.delivered, 0)).toBe(again.packets);
  });

  it('esp-decrypt, 64 VPNs on 3 replicas: ESP goes to its SA\'s owner, so nothing is handed over, and nothing is a replay', async () => {
    const r = rig('esp-decrypt', '64', 64, 3);
    const m = await r.measure(0.05);
    for (const p of m.perReplica) expect(p.shipped).toBe(0);
    expect(m.perReplica.reduce((s, p) => s + p.delivered, 0)).toBe(m.packets);
  });
});
