// STF files (BMv2/p4c): parsing with located errors, nibble wildcards and `$`
// as p4c's bmv2stf.py compares them, and the expected frame made against an
// output.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/model.js';
import { loadCase } from './case.js';
import { runCase } from './run-case.js';
import { materializeExpect, parseStf, stfMatches } from './stf.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

function problems(text: string): string[] {
  try {
    parseStf(text, 't.stf');
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('parseStf', () => {
  it('reads packet and expect lines: spaces anywhere in the hex, # comments, * nibbles, $ and expect with no data', () => {
    const s = parseStf([
      '# a comment',
      'packet 0 0102 03 04   # trailing comment',
      'expect et-0/0/1 01*2 **$',
      'wait',
      'EXPECT 2',
      '',
    ].join('\n'), 't.stf');
    expect(s.packets).toEqual([{ port: '0', data: bytes('01020304'), loc: { file: 't.stf', line: 2, col: 1 } }]);
    expect(s.expects).toHaveLength(1);
    const e = s.expects[0];
    expect(e.port).toBe('et-0/0/1');
    expect([...e.data]).toEqual([0x01, 0x02, 0x00]);
    expect([...e.care]).toEqual([0xff, 0x0f, 0x00]);
    expect(e.exact).toBe(true);
    expect([...s.anyPorts.keys()]).toEqual(['2']);
  });

  it('lists every problem with file:line:column: bad hex, odd length, table commands, unknown commands, a missing port', () => {
    expect(problems([
      'packet 0 01 0g',
      'expect 1 012',
      'add ipv4_lpm 10.0.0.0/8 forward(port:1)',
      '  frobnicate 3',
      'packet',
      'packet 0 01*2',
    ].join('\n'))).toEqual([
      "t.stf:1:14: STF packet: 'g' is not a hex digit",
      't.stf:2:10: STF expect: 3 hex digits: an odd number (whole bytes only)',
      "t.stf:3:1: STF 'add': not supported (triode's forwarding state comes from its configuration, not from STF table commands)",
      "t.stf:4:3: STF: unknown command 'frobnicate' (expected packet, expect or wait)",
      't.stf:5:1: STF packet: missing the port',
      "t.stf:6:12: STF packet: '*' is not a hex digit",
    ]);
  });
});

describe('STF comparison', () => {
  const e = parseStf('expect 0 0a*b **', 't.stf').expects[0];
  const exact = parseStf('expect 0 0a*b **$', 't.stf').expects[0];

  it('matches nibble by nibble, a longer output only without $', () => {
    expect(stfMatches(e, bytes('0a1b77'))).toBe(true);
    expect(stfMatches(e, bytes('0afb00ffff'))).toBe(true);
    expect(stfMatches(e, bytes('0a1c77'))).toBe(false);
    expect(stfMatches(e, bytes('0a1b'))).toBe(false); // shorter than expected
    expect(stfMatches(exact, bytes('0a1b77'))).toBe(true);
    expect(stfMatches(exact, bytes('0a1b7700'))).toBe(false);
  });

  it("makes the expected frame from the output: wildcards and (without $) the tail from it, fixed nibbles from the STF", () => {
    const got = { tsSec: 5, tsNsec: 7, data: bytes('0b1c77ee') };
    expect(materializeExpect(e, got, { tsSec: 0, tsNsec: 0 })).toEqual({ tsSec: 5, tsNsec: 7, data: bytes('0a1b77ee') });
    expect(materializeExpect(exact, got, { tsSec: 0, tsNsec: 0 }).data).toEqual(bytes('0a1b77'));
    expect(materializeExpect(e, undefined, { tsSec: 9, tsNsec: 1 })).toEqual({ tsSec: 9, tsNsec: 1, data: bytes('0a0b00') });
  });
});

describe('an STF case through runCase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'triode-stf-case-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(import.meta.dirname, '..', '..');
  cpSync(join(root, 'src', 'cli', 'testdata', 'demo-r1.stf'), join(dir, 'demo-r1.stf'));
  writeFileSync(join(dir, 'case.yaml'), `config: ${JSON.stringify(join(root, 'examples', 'demo', 'r1.conf'))}\nstf: demo-r1.stf\nports: { 0: et-0/0/0 }\ncounters:\n  drops.ip4_ttl_expired: 1\n`);

  it('runs the STF packets and checks its expectations and the counters (never passing vacuously)', () => {
    const ok = runCase(loadCase(dir));
    expect(ok.failures).toEqual([]);
    expect(ok.execution?.stats.accounting.in).toBe(3);
    const f = join(dir, 'demo-r1.stf');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^expect 0 020000000a0a 9efaa6af7515 0806 .*$/m, (l) => l.replace('0002 9efaa6af7515', '0001 9efaa6af7515')));
    const bad = runCase(loadCase(dir));
    expect(bad.passed).toBe(false);
    expect(bad.failures[0]).toMatchObject({ kind: 'output', port: 'et-0/0/0', index: 0, loc: { file: f, line: 9, col: 1 } });
    expect(bad.failures[0].message).toMatch(/^port et-0\/0\/0: packet 1 of 3 differs: byte 21 \(arp\.opcode\) is 0x02, expected 0x01/);
  });
});
