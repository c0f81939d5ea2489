import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { profilesCommand, switchesMarkdown } from './profiles.js';
import { SWITCHES } from '../profiles/catalog.js';

const root = join(import.meta.dirname, '..', '..');

function output(argv: string[]): string {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => { lines.push(s); });
  try {
    expect(profilesCommand(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describe('triode profiles', () => {
  it("the README's table of switches is the catalog's, row for row", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const m = /<!-- switches:begin -->\n([\s\S]*?)\n<!-- switches:end -->/.exec(readme);
    expect(m, 'README has the switches table between its markers').not.toBeNull();
    expect(m![1]).toBe(switchesMarkdown());
    for (const d of SWITCHES) expect(m![1]).toContain(`| \`${d.name}\` |`);
  });

  it('lists a switch with its values, each profile default, what it does and the evidence', () => {
    const d = SWITCHES.find((s) => s.name === 'arp-sender-check')!;
    expect(output(['arp-sender-check']).split('\n')).toEqual([
      'arp-sender-check (none | interface-subnets)',
      `  junos: ${d.defaults.junos}   ios: ${d.defaults.ios}   nxos: ${d.defaults.nxos}   linux: ${d.defaults.linux}   linux-frr: ${d.defaults['linux-frr']}`,
      `  ${d.what}`,
      `  Evidence: ${d.evidence}`,
    ]);
    expect(output([]).split('\n\n').length).toBe(SWITCHES.length);
    expect(() => profilesCommand(['arp-frobnicate'])).toThrow('profiles: unknown switch arp-frobnicate (triode profiles lists them all)');
  });
});
