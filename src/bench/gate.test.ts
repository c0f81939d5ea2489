// Gate logic on synthetic results and baselines (no measurement, no timing):
// floors, regressions against a baseline with the noise allowance, absolute
// figures only on the same machine, and bad gates files located.
import { describe, expect, it } from 'vitest';
import { evaluateGates, formatGateLines, gateExitStatus, noiseAllowance, readGates, type GatesFile } from './gate.js';
import { BenchInputError, parseJsonText } from './json-text.js';
import { readBenchReport, type BenchReport, type BenchResult } from './schema.js';

function result(over: Partial<BenchResult> & { rel?: number; mrel?: number }): BenchResult {
  const { rel = 0.02, mrel = 0.05, ...rest } = over;
  const s = (x: number, r: number) => ({ min: x * (1 - r / 2), max: x * (1 + r / 2), rel: r });
  const r: BenchResult = {
    scenario: 'esp-encrypt', size: '1420', backend: 'native', meanFrameBytes: 1420, mpps: 1, gbps: 11.36, nsPerPacket: 1000,
    ratioToCeiling: 0.5, ceiling: 'aes-gcm', ratios: { aesGcm: 0.5, memcpy: 0.1 }, ceilingMpps: { aesGcm: 2, memcpy: 10 },
    spread: { mpps: s(1, mrel), gbps: s(11.36, mrel), nsPerPacket: s(1000, mrel), ratioToCeiling: s(0.5, rel) }, reps: 5, packets: 1e6, ...rest,
  };
  r.spread.ratioToCeiling = s(r.ratioToCeiling, rel);
  r.spread.mpps = s(r.mpps, mrel);
  return r;
}

function report(results: BenchResult[], machineId = 'aaaaaaaaaaaaaaaa', options: Partial<BenchReport['options']> = {}): BenchReport {
  return {
    schema: 'triode-bench/1', triode: '0.1.0', date: '2026-01-01T00:00:00.000Z',
    machine: { id: machineId, cpu: 'Test CPU', cores: 2, node: 'v20', os: 'linux', loadavg: [0, 0, 0] },
    options: { scenarios: [], sizes: [], backends: [], reps: 5, duration: 0.5, clock: 'wall', vpns: 1, routes: 100000, gate: null, baseline: null, ...options },
    skipped: [], results,
  };
}

const GATES: GatesFile = { schema: 'triode-gates/1', gates: [{ scenario: 'esp-encrypt', size: '1420', backend: 'native', minRatio: 0.35, maxRegression: 0.15 }] };

describe('evaluateGates', () => {
  it('passes a ratio above its floor, with no baseline', () => {
    const lines = evaluateGates(GATES, report([result({})]));
    expect(lines).toEqual([{ status: 'pass', check: 'esp-encrypt/1420/native', text: 'ratio to aes-gcm 0.500 ≥ minRatio 0.350' }]);
    expect(gateExitStatus(lines)).toBe(0);
  });

  it('fails a ratio under its floor, naming the check and by how much', () => {
    const lines = evaluateGates(GATES, report([result({ ratioToCeiling: 0.28 })]));
    expect(gateExitStatus(lines)).toBe(1);
    expect(formatGateLines(lines)).toBe('REGRESSED esp-encrypt/1420/native  ratio to aes-gcm 0.280 < minRatio 0.350: REGRESSED, 20.0% below the floor');
  });

  it('against a baseline: a drop within maxRegression + noise passes, one beyond it regresses with the amount and the allowance', () => {
    const base = report([result({ ratioToCeiling: 0.5, rel: 0.04 })]);
    const ok = evaluateGates(GATES, report([result({ ratioToCeiling: 0.45, rel: 0.02 })]), base);
    expect(ok.map((l) => l.status)).toEqual(['pass', 'pass', 'pass']);
    expect(ok[1].text).toBe('ratio to aes-gcm 0.450 vs baseline 0.500: 10.0% lower, within the allowance 18.0% = maxRegression 15.0% + noise 3.0% (spreads 2.0% now, 4.0% baseline)');
    const bad = evaluateGates(GATES, report([result({ ratioToCeiling: 0.36, rel: 0.02 })]), base);
    expect(bad.map((l) => l.status)).toEqual(['pass', 'REGRESSED', 'pass']);
    expect(bad[1].text).toBe('ratio to aes-gcm 0.360 vs baseline 0.500: REGRESSED by 28.0%, beyond the allowance 18.0% = maxRegression 15.0% + noise 3.0% (spreads 2.0% now, 4.0% baseline)');
    expect(gateExitStatus(bad)).toBe(1);
    expect(formatGateLines(bad)).toMatch(/^REGRESSED esp-encrypt\/1420\/native  ratio to aes-gcm 0\.360 vs baseline 0\.500: REGRESSED by 28\.0%/m);
  });

  it('the noise allowance widens with the spread of either run, up to its cap', () => {
    const gates: GatesFile = { schema: 'triode-gates/1', gates: [{ scenario: 'esp-encrypt', size: '1420', backend: 'native', maxRegression: 0.1 }] };
    const now = (rel: number) => report([result({ ratioToCeiling: 0.4, rel })]); // 20% below the baseline
    const quietBase = report([result({ rel: 0.01 })]);
    const noisyBase = report([result({ rel: 0.3 })]);
    expect(evaluateGates(gates, now(0.01), quietBase)[0].status).toBe('REGRESSED'); // allowance 11%
    expect(evaluateGates(gates, now(0.01), noisyBase)[0].status).toBe('pass'); // 10% + (1% + 30%) / 2 = 25.5%
    expect(evaluateGates(gates, now(0.3), quietBase)[0].status).toBe('pass');
    expect(noiseAllowance(0.01, 0.3)).toBeCloseTo(0.155, 12);
    // However noisy, the allowance stops at maxRegression + maxNoise: a 2× slowdown fails.
    expect(noiseAllowance(2, 2)).toBe(0.25);
    const half = report([result({ ratioToCeiling: 0.25, rel: 2 })]);
    const lines = evaluateGates(gates, half, report([result({ rel: 2 })]));
    expect(lines[0].status).toBe('REGRESSED');
    expect(lines[0].text).toContain('REGRESSED by 50.0%, beyond the allowance 35.0% = maxRegression 10.0% + noise 25.0%');
    const capped: GatesFile = { ...gates, defaults: { maxNoise: 0.05 } };
    expect(evaluateGates(capped, now(0.3), noisyBase)[0].status).toBe('REGRESSED');
  });

  it('compares absolute Mpps only with a baseline from the same machine (and clock)', () => {
    const slower = report([result({ mpps: 0.5 })], 'aaaaaaaaaaaaaaaa');
    const same = evaluateGates(GATES, slower, report([result({})], 'aaaaaaaaaaaaaaaa'));
    expect(same.map((l) => l.status)).toEqual(['pass', 'pass', 'REGRESSED']);
    expect(same[2].text).toMatch(/^Mpps 0\.500 vs baseline 1\.000: REGRESSED by 50\.0%/);
    const other = evaluateGates(GATES, slower, report([result({})], 'bbbbbbbbbbbbbbbb'));
    expect(other.map((l) => l.status)).toEqual(['pass', 'pass', 'note']);
    expect(other[2].text).toBe('Mpps not compared: the baseline is from another machine (id bbbbbbbbbbbbbbbb, Test CPU; this one aaaaaaaaaaaaaaaa)');
    expect(gateExitStatus(other)).toBe(0);
    const cpuClock = evaluateGates(GATES, slower, report([result({})], 'aaaaaaaaaaaaaaaa', { clock: 'cpu' }));
    expect(cpuClock[2]).toMatchObject({ status: 'note', text: expect.stringMatching(/timed with the cpu clock/) });
  });

  it('a gate whose result is missing fails with the reason; one missing from the baseline is only noted', () => {
    const lines = evaluateGates(GATES, report([]), undefined, new Map([['native', 'the native backend is not available here: no addon']]));
    expect(lines).toEqual([{ status: 'FAILED', check: 'esp-encrypt/1420/native', text: 'not measured: the native backend is not available here: no addon' }]);
    expect(gateExitStatus(lines)).toBe(1);
    const noBase = evaluateGates(GATES, report([result({})]), report([result({ size: '64' })]));
    expect(noBase[1]).toMatchObject({ status: 'note', text: 'no result for it in the baseline: nothing to compare' });
    expect(gateExitStatus(noBase)).toBe(0);
  });

  it('does not compare with a baseline measured on another topology (vpns, routes)', () => {
    const lines = evaluateGates(GATES, report([result({ ratioToCeiling: 0.36 })]), report([result({})], undefined, { vpns: 2000 }));
    expect(lines[1]).toMatchObject({ status: 'note', text: 'baseline not compared: it was measured with vpns 2000, this run with vpns 1' });
  });
});

describe('readGates', () => {
  it('reads a file with defaults; l3 gates need no backend', () => {
    const g = readGates(JSON.stringify({ schema: 'triode-gates/1', defaults: { maxRegression: 0.2 }, gates: [{ scenario: 'l3', size: '64', minRatio: 0.1 }, { scenario: 'esp-decrypt', size: 'imix', backend: 'js' }] }), 'g.json');
    expect(g.gates[0].backend).toBe('none');
    expect(g.gates[1]).toEqual({ scenario: 'esp-decrypt', size: 'imix', backend: 'js' });
  });

  const err = (text: string): string => {
    try { readGates(text, 'bench/gates.json'); } catch (e) { expect(e).toBeInstanceOf(BenchInputError); return (e as Error).message; }
    throw new Error('no error');
  };

  it('a syntax error at its line and column', () => {
    expect(err('{\n  "schema": "triode-gates/1",\n  "gates": [ }\n')).toBe('bench/gates.json:3:14: not valid JSON: expected a value, found "}"');
    expect(err('{ "schema": "triode-gates/1", "gates": [] ')).toBe('bench/gates.json:1:43: not valid JSON: expected "," or "}" in an object, found the end of the file');
    expect(err('{ "schema": \'x\' }')).toBe('bench/gates.json:1:13: not valid JSON: expected a value, found "\'"');
  });

  it('every problem at once, each at the line and column of its value with its path', () => {
    const text = `{
  "schema": "triode-gates/1",
  "gates": [
    { "scenario": "esp-encrypt", "size": "1420", "backend": "native", "minRatio": 0.3 },
    { "scenario": "vxlan-gre", "size": "64", "backend": "native", "minRatio": 0.3 },
    { "scenario": "l3", "size": "128", "minRatoi": 0.2 },
    { "scenario": "esp-decrypt", "size": "64", "minRatio": "high" }
  ]
}`;
    expect(err(text).split('\n')).toEqual([
      'bench/gates.json:5:19: gates[1].scenario: "vxlan-gre" is not a scenario (l3, esp-encrypt, esp-decrypt, vxlan-encap, vxlan-decap, vxlan-ipsec, ixp, ixp-plain)',
      'bench/gates.json:6:33: gates[2].size: "128" is not a size (64, imix, 1420, 9000)',
      'bench/gates.json:6:52: gates[2].minRatoi: unknown field (fields: scenario, size, backend, minRatio, maxRegression, maxNoise)',
      'bench/gates.json:7:60: gates[3].minRatio: expected a number, not "high"',
    ]);
  });

  it('checks that make no sense: wrong backend for the scenario, none given, duplicates, nothing checked, no gates', () => {
    const f = (gates: unknown[]) => JSON.stringify({ schema: 'triode-gates/1', gates }, null, 1);
    expect(err(f([{ scenario: 'l3', size: '64', backend: 'native', minRatio: 0.1 }]))).toMatch(/gates\[0\]\.backend: scenario l3 has no crypto backend/);
    expect(err(f([{ scenario: 'esp-encrypt', size: '64', minRatio: 0.1 }]))).toMatch(/gates\[0\]: scenario esp-encrypt needs "backend": "native" or "js"/);
    expect(err(f([{ scenario: 'l3', size: '64', minRatio: 0.1 }, { scenario: 'l3', size: '64', backend: 'none', minRatio: 0.2 }]))).toMatch(/gates\[1\]: same check as gates\[0\] \(l3\/64\/none\)/);
    expect(err(f([{ scenario: 'l3', size: '64' }]))).toMatch(/gates\[0\]: checks nothing: give minRatio or maxRegression/);
    expect(err(f([]))).toMatch(/^bench\/gates\.json:\d+:\d+: gates: is empty$/);
    expect(err('{"schema":"triode-gates/2","gates":[]}')).toMatch(/schema: expected "triode-gates\/1", not "triode-gates\/2"/);
    expect(err('[]')).toBe('bench/gates.json:1:1: (top level): expected an object, not []');
  });
});

describe('baselines and JSON locations', () => {
  it('a baseline that is not a triode-bench/1 document is refused with its problems located', () => {
    const text = JSON.stringify(report([result({})]), null, 2).replace('"mpps": 1,', '"mpps": "fast",');
    expect(() => readBenchReport(text, 'base.json')).toThrow(/^base\.json:\d+:\d+: results\[0\]\.mpps: expected a number, not "fast"$/);
    expect(readBenchReport(JSON.stringify(report([result({})])), 'base.json').results).toHaveLength(1);
  });

  it('the JSON parser agrees with JSON.parse and records where every value starts', () => {
    const text = '{"a": "x\\"}\\u00e9", "b": [1, {"c": [true, null, -1.5e3]}, "z"], "d": {}}';
    const { value, positions } = parseJsonText(text, 't.json');
    expect(value).toEqual(JSON.parse(text));
    expect(text.slice(positions.get('b[1].c[1]')).startsWith('null')).toBe(true);
    expect(text.slice(positions.get('b[2]')).startsWith('"z"')).toBe(true);
    expect(text.slice(positions.get('d')).startsWith('{}')).toBe(true);
    for (const bad of ['{"a": 01}', '{"a": 1,}', '[1 2]', '{"a" 1}', '"\\x"', 'nul', '{"a": "x\n"}', '[] []']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(() => parseJsonText(bad, 't.json')).toThrow(/^t\.json:1:\d+: not valid JSON: expected /);
    }
  });
});
