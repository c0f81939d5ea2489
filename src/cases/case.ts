// A conformance case (the pcaps/ library, issue 5): a directory with a
// `case.yaml` naming the configuration or scenario, the input pcap of each
// port, the expected output pcap of each port (a port not listed must emit
// nothing), optional expected counters (keys as in `triode run --stats` JSON)
// and optional masks (fields allowed to differ, by name). Loading checks the
// whole file against the schema and reports every problem at once, each with
// file:line:column, as configuration errors are reported.
//
//   description: IPv4 routed into st0.1 leaves the core port as ESP
//   config: r1.conf              # Junos text (one device) or a scenario .yaml; relative to case.yaml
//   profile: junos               # optional: the behaviour profile of a one-device configuration
//   sa_file: esp_sa              # optional: esp_sa keys of IKE VPNs (triode run --sa-file), and tshark's
//   inputs:                      # port: pcap (pcap or pcapng)
//     et-0/0/1: in-et-0_0_1.pcap
//   expected:                    # port: pcap; every other port must emit nothing
//     et-0/0/0: expected-et-0_0_0.pcap
//   counters:                    # optional: dotted paths into the --stats JSON
//     ipsec.encrypted_packets: 3
//     drops.traffic_selector_mismatch: 1
//     devices.R1.interfaces.st0.1.outputPackets: 3
//   masks: [ipv4.id]             # optional: see MASK_FIELDS

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Node } from 'yaml';
import { ConfigError, type SourceLoc } from '../config/model.js';
import { KNOWN_PROFILES } from '../config/scenario.js';
import { YamlReader } from '../config/yaml-reader.js';
import { MASK_FIELDS, type MaskField } from './masks.js';

export const CASE_FILE = 'case.yaml';

const CASE_KEYS = ['description', 'config', 'profile', 'sa_file', 'inputs', 'expected', 'counters', 'masks'] as const;

/** A port and the pcap named for it. */
export interface CasePortFile {
  port: string;
  /** Absolute path. */
  file: string;
  loc: SourceLoc;
}

export interface CaseCounter {
  /** Dotted path into the `--stats` JSON: `ipsec.replay_errors`, `drops.unknown_spi`, `devices.R1.interfaces.st0.1.inputPackets`. */
  key: string;
  value: number;
  loc: SourceLoc;
}

export interface CaseMask {
  field: MaskField;
  loc: SourceLoc;
}

/** A loaded, schema-checked case. Paths are absolute. */
export interface CaseSpec {
  /** The case directory's name relative to the root it was found under (or its base name). */
  name: string;
  dir: string;
  /** The case.yaml file. */
  file: string;
  description?: string;
  config: string;
  configLoc: SourceLoc;
  profile?: string;
  saFile?: string;
  inputs: CasePortFile[];
  expected: CasePortFile[];
  counters: CaseCounter[];
  masks: CaseMask[];
}

/**
 * Loads `<dir>/case.yaml`. Throws ConfigError listing every problem (unknown
 * keys, wrong types, files that do not exist, a port named twice, unknown
 * masks), each with its file:line:column.
 */
export function loadCase(dir: string, name = basename(resolve(dir))): CaseSpec {
  const file = join(resolve(dir), CASE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ loc: { file, line: 1, col: 1 }, message: `cannot read the case: ${(e as Error).message}` }]);
  }
  return loadCaseText(text, file, name);
}

/** As loadCase, from the text of a case.yaml at `file` (relative paths resolve against its directory). */
export function loadCaseText(text: string, file: string, name = basename(dirname(resolve(file)))): CaseSpec {
  const y = new YamlReader(text, file);
  const dir = dirname(resolve(file));
  const top: SourceLoc = { file, line: 1, col: 1 };
  const spec: CaseSpec = {
    name, dir, file, config: '', configLoc: top, inputs: [], expected: [], counters: [], masks: [],
  };
  if (y.problems.length) throw new ConfigError(y.problems);
  const entries = y.map(y.doc.contents as Node | null, 'case', CASE_KEYS, top);
  const get = (k: string) => entries.find((e) => e.key === k);

  /** A file named relative to the case, which must exist. */
  const existing = (node: Node | null, what: string, fallback?: SourceLoc): string | undefined => {
    const rel = y.str(node, what, fallback);
    if (rel === undefined) return undefined;
    const path = resolve(dir, rel);
    if (!existsSync(path) || !statSync(path).isFile()) {
      y.error(node, `${what}: no file ${rel} in ${dir}`, fallback);
      return undefined;
    }
    return path;
  };

  const desc = get('description');
  if (desc) spec.description = y.str(desc.value, 'description', y.loc(desc.keyNode));

  const cfg = get('config');
  if (!cfg) y.error(null, "case: missing 'config' (a Junos configuration or a scenario .yaml)", top);
  else {
    spec.configLoc = y.loc(cfg.value, y.loc(cfg.keyNode))!;
    spec.config = existing(cfg.value, 'config', y.loc(cfg.keyNode)) ?? '';
  }

  const prof = get('profile');
  if (prof) {
    const p = y.str(prof.value, 'profile', y.loc(prof.keyNode));
    if (p !== undefined && !KNOWN_PROFILES.includes(p)) {
      y.error(prof.value, `profile: unknown profile '${p}' (expected one of: ${KNOWN_PROFILES.join(', ')})`);
    } else spec.profile = p;
  }

  const sa = get('sa_file');
  if (sa) spec.saFile = existing(sa.value, 'sa_file', y.loc(sa.keyNode));

  const ports = (key: 'inputs' | 'expected', required: boolean): CasePortFile[] => {
    const e = get(key);
    if (!e) {
      if (required) y.error(null, `case: missing '${key}' (port: pcap file)`, top);
      return [];
    }
    if (e.value === null && !required) return []; // `expected:` with nothing: no port may emit
    const out: CasePortFile[] = [];
    for (const p of y.map(e.value, key, undefined, y.loc(e.keyNode))) {
      const f = existing(p.value, `${key}: ${p.key}`, y.loc(p.keyNode));
      if (f !== undefined) out.push({ port: p.key, file: f, loc: y.loc(p.keyNode)! });
    }
    return out;
  };
  spec.inputs = ports('inputs', true);
  spec.expected = ports('expected', true);

  const ctr = get('counters');
  if (ctr && ctr.value !== null) {
    for (const c of y.map(ctr.value, 'counters', undefined, y.loc(ctr.keyNode))) {
      if (!/^[A-Za-z0-9_]+(\.[^.\s]+)+$/.test(c.key)) {
        y.error(c.keyNode, `counters: '${c.key}' is not a dotted path into the --stats JSON (e.g. ipsec.replay_errors, drops.unknown_spi)`);
        continue;
      }
      const v = y.int(c.value, `counters: ${c.key}`, 0, Number.MAX_SAFE_INTEGER, y.loc(c.keyNode));
      if (v !== undefined) spec.counters.push({ key: c.key, value: v, loc: y.loc(c.keyNode)! });
    }
  }

  const masks = get('masks');
  if (masks && masks.value !== null) {
    for (const m of y.seq(masks.value, 'masks', true, y.loc(masks.keyNode))) {
      const f = y.str(m, 'masks');
      if (f === undefined) continue;
      if (!(f in MASK_FIELDS)) {
        y.error(m, `masks: unknown field '${f}' (expected one of: ${Object.keys(MASK_FIELDS).join(', ')})`);
        continue;
      }
      spec.masks.push({ field: f as MaskField, loc: y.loc(m)! });
    }
  }

  // A port named twice in one list.
  for (const list of [spec.inputs, spec.expected]) {
    const seen = new Map<string, SourceLoc>();
    for (const p of list) {
      const prev = seen.get(p.port);
      if (prev) y.problems.push({ loc: p.loc, message: `port ${p.port} is named twice (first at ${prev.line}:${prev.col})` });
      else seen.set(p.port, p.loc);
    }
  }
  if (y.problems.length) throw new ConfigError(y.problems);
  return spec;
}

/** Every directory under `root` (itself included) that holds a case.yaml, sorted by path. */
export function findCases(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === CASE_FILE)) out.push(d);
    for (const e of entries) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(resolve(root));
  return out.sort();
}

/** Loads every case under `root`, named by their path relative to it (`ipsec/encrypt-v4-in-v4`). */
export function loadCases(root: string): CaseSpec[] {
  const base = resolve(root);
  return findCases(base).map((d) => loadCase(d, d === base ? basename(d) : d.slice(base.length + 1).split('\\').join('/')));
}
