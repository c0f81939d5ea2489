import { parseArgs } from 'node:util';
import { SWITCHES } from '../profiles/catalog.js';
import { PROFILES, type SwitchDef, type SwitchValue } from '../profiles/switch.js';

export const PROFILES_HELP = `Usage: triode profiles [--markdown] [SWITCH...]

Lists the behaviour switches of the profiles (${PROFILES.join(', ')}): what each
does, its default under each profile and the evidence for that default.
A run takes a profile per device (scenario "profile:", "switches:") or from the
command line: --profile [DEVICE:]NAME[,SWITCH=VALUE...].

  --markdown   the table as the README has it
  -h, --help   this text`;

const show = (v: SwitchValue): string => (v === true ? 'on' : v === false ? 'off' : String(v));

function typeText(d: SwitchDef): string {
  const t = d.type;
  return t.kind === 'bool' ? 'on/off' : t.kind === 'int' ? `${t.min}..${t.max}` : t.values.join(' | ');
}

/** The README's table of switches (one row per switch), generated so it cannot drift from the code. */
export function switchesMarkdown(defs: readonly SwitchDef[] = SWITCHES): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const head = `| switch | values | ${PROFILES.join(' | ')} | what it does | evidence for the defaults |`;
  const rule = `|${'---|'.repeat(PROFILES.length + 4)}`;
  const rows = defs.map((d) => `| \`${d.name}\` | ${esc(typeText(d))} | ${PROFILES.map((p) => show(d.defaults[p])).join(' | ')} | ${esc(d.what)} | ${esc(d.evidence)} |`);
  return [head, rule, ...rows].join('\n');
}

function switchText(d: SwitchDef): string {
  return [
    `${d.name} (${typeText(d)})`,
    `  ${PROFILES.map((p) => `${p}: ${show(d.defaults[p])}`).join('   ')}`,
    `  ${d.what}`,
    `  Evidence: ${d.evidence}`,
  ].join('\n');
}

export function profilesCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { markdown: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(PROFILES_HELP);
    return 0;
  }
  const unknown = positionals.filter((p) => !SWITCHES.some((d) => d.name === p));
  if (unknown.length) throw new Error(`profiles: unknown switch ${unknown.join(', ')} (triode profiles lists them all)`);
  const defs = positionals.length ? SWITCHES.filter((d) => positionals.includes(d.name)) : SWITCHES;
  console.log(values.markdown ? switchesMarkdown(defs) : defs.map(switchText).join('\n\n'));
  return 0;
}
