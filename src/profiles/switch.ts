// Behaviour switches: the rules in which implementations differ, each with a
// default per profile and the evidence for it. A device's behaviour is its
// profile's defaults, then the scenario's `switches:` for the device, then
// the command line's (`--profile NAME,SWITCH=VALUE`). The catalog of every
// switch is in catalog.ts; `triode profiles` prints it, and so does the README.

export const PROFILES = ['junos', 'ios', 'nxos', 'linux', 'linux-frr'] as const;
export type ProfileName = (typeof PROFILES)[number];

export type SwitchValue = boolean | number | string;

export type SwitchType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] };

export interface SwitchDef {
  /** Kebab-case, as written in scenarios and on the command line: `arp-ignore`. */
  name: string;
  type: SwitchType;
  defaults: Readonly<Record<ProfileName, SwitchValue>>;
  /** What the switch does, one or two sentences. */
  what: string;
  /** Where each default comes from: vendor documentation, RFCs, kernel sources. */
  evidence: string;
}

/** One switch set for a device: by the scenario (with its location) or the command line. */
export interface SwitchSetting {
  name: string;
  value: SwitchValue;
  loc?: { file: string; line: number; col: number };
}

export function isProfile(name: string): name is ProfileName {
  return (PROFILES as readonly string[]).includes(name);
}

/**
 * A value given for a switch (YAML scalar or command-line text) → the
 * switch's value, or a one-line reason it is not one. Booleans take
 * true/false/on/off/yes/no.
 */
export function switchValue(def: SwitchDef, raw: unknown): SwitchValue | { error: string } {
  const t = def.type;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (t.kind === 'bool') {
    if (typeof text === 'boolean') return text;
    if (text === 'true' || text === 'on' || text === 'yes') return true;
    if (text === 'false' || text === 'off' || text === 'no') return false;
    return { error: `switch ${def.name} takes true or false, not '${String(raw)}'` };
  }
  if (t.kind === 'int') {
    const n = typeof text === 'number' ? text : typeof text === 'string' && /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < t.min || n > t.max) return { error: `switch ${def.name} takes a whole number from ${t.min} to ${t.max}, not '${String(raw)}'` };
    return n;
  }
  const s = String(text);
  if (!t.values.includes(s)) return { error: `switch ${def.name} takes one of ${t.values.join(', ')}, not '${String(raw)}'` };
  return s;
}

/**
 * The behaviour of one device: every switch's value. Read once, when a node
 * or table is built; the accessors throw on a name the catalog lacks or a
 * type mismatch, so a typo fails at construction, not silently.
 */
export class Behaviour {
  private readonly values = new Map<string, SwitchValue>();
  /** Switches set away from the profile's default, in the order set (shown by `--stats` and `triode compare`). */
  readonly overridden: SwitchSetting[] = [];

  constructor(readonly profile: ProfileName, private readonly catalog: readonly SwitchDef[], settings: readonly SwitchSetting[] = []) {
    for (const def of catalog) this.values.set(def.name, def.defaults[profile]);
    for (const s of settings) {
      const def = catalog.find((d) => d.name === s.name);
      if (!def) throw new Error(`unknown switch '${s.name}'`);
      this.values.set(s.name, s.value);
      const k = this.overridden.findIndex((o) => o.name === s.name);
      if (k >= 0) this.overridden.splice(k, 1);
      if (s.value !== def.defaults[profile]) this.overridden.push(s);
    }
  }

  private get(name: string, kind: SwitchType['kind']): SwitchValue {
    const def = this.catalog.find((d) => d.name === name);
    if (!def) throw new Error(`no behaviour switch '${name}'`);
    if (def.type.kind !== kind) throw new Error(`behaviour switch '${name}' is ${def.type.kind}, not ${kind}`);
    return this.values.get(name)!;
  }

  bool(name: string): boolean {
    return this.get(name, 'bool') as boolean;
  }

  int(name: string): number {
    return this.get(name, 'int') as number;
  }

  choice(name: string): string {
    return this.get(name, 'enum') as string;
  }

  /** Every switch and its value, in catalog order. */
  all(): { name: string; value: SwitchValue }[] {
    return this.catalog.map((d) => ({ name: d.name, value: this.values.get(d.name)! }));
  }
}

/** A command line's profile: `[DEVICE:]NAME[,SWITCH=VALUE...]`. */
export interface ProfileSpec {
  /** The device it applies to; absent: every device. */
  device?: string;
  profile: ProfileName;
  switches: SwitchSetting[];
  /** As written, for headings (`nxos,arp-ignore=1`). */
  text: string;
}

/** Parses `--profile` text against a catalog; throws an Error with a one-line reason. */
export function parseProfileSpec(text: string, catalog: readonly SwitchDef[]): ProfileSpec {
  let rest = text.trim();
  let device: string | undefined;
  const colon = rest.indexOf(':');
  if (colon > 0 && colon < (rest.indexOf(',') < 0 ? rest.length : rest.indexOf(','))) {
    device = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const [name, ...sets] = rest.split(',');
  if (!isProfile(name)) throw new Error(`--profile ${text}: unknown profile '${name}' (profiles: ${PROFILES.join(', ')})`);
  const switches: SwitchSetting[] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    const key = eq < 0 ? s : s.slice(0, eq);
    const def = catalog.find((d) => d.name === key);
    if (!def) throw new Error(`--profile ${text}: unknown switch '${key}' (see triode profiles)`);
    if (eq < 0) throw new Error(`--profile ${text}: switch ${key} needs a value (${key}=VALUE)`);
    const v = switchValue(def, s.slice(eq + 1));
    if (typeof v === 'object') throw new Error(`--profile ${text}: ${v.error}`);
    switches.push({ name: key, value: v });
  }
  return { device, profile: name, switches, text: text.trim() };
}
