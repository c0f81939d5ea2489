// case.yaml sa_state, the test-only knob that starts an SA's sequence numbers
// where a case needs them (next to the 2^32 wrap): the loader's checks, and
// the runner's errors for an SPI no SA has or a number an SA cannot take.
// What it does to ESP is shown by pcaps/ipsec/esn-encrypt-wrap and seq-cycled.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/model.js';
import { loadCase } from './case.js';
import { formatFailures, runCase } from './run-case.js';

const LIBRARY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pcaps', 'ipsec');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A copy of a library case with its sa_state lines replaced by `state` (YAML under `sa_state:`). */
function withState(name: string, state: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'triode-sa-state-')), name);
  dirs.push(dirname(dir));
  cpSync(join(LIBRARY, name), dir, { recursive: true });
  const f = join(dir, 'case.yaml');
  const text = readFileSync(f, 'utf8').replace(/^sa_state:.*\n(  .*\n)*/m, '');
  writeFileSync(f, text.replace(/^inputs:/m, `sa_state:\n${state}inputs:`));
  return dir;
}

describe('case.yaml sa_state', () => {
  it('loads seq and highest_seen by SPI', () => {
    const spec = loadCase(withState('esn-encrypt-wrap', '  "0x36c700ce": { seq: 4294967294 }\n  "0x5a5a0001": { highest_seen: 7 }\n'));
    expect(spec.saState.map(({ spi, seq, highestSeen }) => ({ spi, seq, highestSeen }))).toEqual([
      { spi: 0x36c700ce, seq: 4294967294, highestSeen: undefined },
      { spi: 0x5a5a0001, seq: undefined, highestSeen: 7 },
    ]);
  });

  it('reports a key that is not an SPI, an unknown field, seq 0 and an empty entry', () => {
    const dir = withState('esn-encrypt-wrap', '  spi1: { seq: 5 }\n  "0x36c700ce": { seq: 0, window: 3 }\n  "0x5a5a0001": {}\n');
    let msgs: string[] = [];
    try { loadCase(dir); } catch (e) { msgs = (e as ConfigError).problems.map((p) => p.message); }
    expect(msgs).toEqual([
      "sa_state: 'spi1' is not an SPI (0x1 .. 0xffffffff, in hex)",
      "sa_state: 0x36c700ce: unknown key 'window' (expected one of: seq, highest_seen)",
      'sa_state: 0x36c700ce: seq: expected an integer in 1..9007199254740991',
      'sa_state: 0x5a5a0001: give seq (outbound) or highest_seen (inbound)',
    ]);
  });

  it('a case whose sa_state names an SPI no SA has, or needs ESN its SA lacks, fails at setup with the line', () => {
    const none = runCase(loadCase(withState('esn-encrypt-wrap', '  "0x0badf00d": { seq: 5 }\n')));
    expect(none.passed).toBe(false);
    expect(formatFailures(none)).toMatch(/case\.yaml:\d+:3: sa_state: no outbound SA has SPI 0x0badf00d/);
    const big = runCase(loadCase(withState('seq-cycled', '  "0x36c700ce": { seq: 4294967296 }\n')));
    expect(formatFailures(big)).toMatch(/sa_state: 0x36c700ce: 4294967296 needs more than 32 bits, and VPN-1 has no extended sequence numbers/);
  });

  it('without it the wrap case does not hold: the sequence numbers start at 1', () => {
    const o = runCase(loadCase(withState('esn-encrypt-wrap', '')));
    expect(o.passed).toBe(false);
    expect(formatFailures(o)).toMatch(/port et-0\/0\/0: packet 1 of 4 differs: .*\(4 packets differ\)/);
  });
});
