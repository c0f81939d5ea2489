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
//   trace: expected-trace.txt    # optional: the golden trace (see below)
//
// With `trace:`, every input packet is traced (at most TRACE_CAP: a case
// with more inputs fails saying so) and the traces, rendered exactly as
// `triode run --trace N` prints them (formatTrace, the multi-device form for
// a scenario, each followed by a blank line), must equal the file line for
// line; a difference fails the case at the first differing line of the file
// (file:line) with the lines around it as a unified diff. `triode test
// --update` and the generators (cases-lib `trace: true`) rewrite the file.
//
// Or, instead of inputs and expected, a BMv2/p4c STF file (src/cases/stf.ts):
//   stf: case.stf                # `packet <port> <hex>` / `expect <port> <hex>`
//   ports: { 0: et-0/0/0 }       # optional: STF port numbers to triode ports
//   sa_state:                    # optional, test-only: where an SA's sequence numbers start, by SPI
//     "0x36c700ce": { seq: 4294967294 }      # outbound SAs of this SPI: the next number sent
//     "0x5a5a0001": { highest_seen: 4096 }   # inbound SAs of this SPI: the highest number received
//
// A decode case (`kind: decode`, src/cases/decode-case.ts) runs no device: it
// reads a capture and compares triode's decode of every packet with what
// another tool printed for it:
//
//   kind: decode
//   capture: ../../../../shared/pcaps/tcpdump/vxlan.pcap   # relative to case.yaml; absent: the case is skipped
//   expected_decode: ../../../../shared/pcaps/tcpdump/vxlan.out
//   format: tcpdump              # what expected_decode is: see DECODE_FORMATS
//   tool_args: "-e"              # optional: the arguments it was made with (tcpdump -# -n -tttt -r <capture> <args>)

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isScalar, type Node } from 'yaml';
import { ConfigError, type SourceLoc } from '../config/model.js';
import { KNOWN_PROFILES } from '../config/scenario.js';
import { YamlReader } from '../config/yaml-reader.js';
import { MASK_FIELDS, type MaskField } from './masks.js';

export const CASE_FILE = 'case.yaml';

const CASE_KEYS = ['kind', 'description', 'config', 'profile', 'sa_file', 'sa_state', 'inputs', 'expected', 'counters', 'masks', 'stf', 'ports', 'trace'] as const;
const DECODE_KEYS = ['kind', 'description', 'capture', 'expected_decode', 'format', 'tool_args'] as const;
/** What a decode case's expected_decode file is (see src/cases/decode-case.ts). */
export const DECODE_FORMATS = ['tcpdump', 'zeek-ipv6-esp', 'zeek-icmp6-events', 'zeek-icmp6-nd-options', 'zeek-conn-log', 'suricata-checks'] as const;
export type DecodeFormat = (typeof DECODE_FORMATS)[number];

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

/** Test-only starting state of the SAs with one SPI (case.yaml `sa_state`); a real router has no such knob. */
export interface CaseSaState {
  spi: number;
  /** Outbound SAs with this SPI: the next sequence number to send. */
  seq?: number;
  /** Inbound SAs with this SPI: the highest sequence number already received. */
  highestSeen?: number;
  loc: SourceLoc;
}

/** A decode case: a capture read and decoded, compared with another tool's output. Paths are absolute and need not exist. */
export interface DecodeSpec {
  capture: string;
  expectedDecode: string;
  format: DecodeFormat;
  toolArgs?: string;
  loc: SourceLoc;
}

/** A loaded, schema-checked case. Paths are absolute. */
export interface CaseSpec {
  /** `run` (a device runs the inputs; the default) or `decode` (then only `decode` is set, and config is ''). */
  kind: 'run' | 'decode';
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
  saState: CaseSaState[];
  inputs: CasePortFile[];
  expected: CasePortFile[];
  counters: CaseCounter[];
  masks: CaseMask[];
  decode?: DecodeSpec;
  /** An STF file giving the input and expected packets instead of `inputs` / `expected` (absolute path). */
  stf?: { file: string; loc: SourceLoc };
  /** STF port names (numbers) to triode ports: `ports: { 0: et-0/0/0 }`. */
  stfPorts?: Map<string, string>;
  /** The golden trace of every input packet (`trace: expected-trace.txt`; absolute path). */
  trace?: { file: string; loc: SourceLoc };
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
    kind: 'run', name, dir, file, config: '', configLoc: top, saState: [], inputs: [], expected: [], counters: [], masks: [],
  };
  if (y.problems.length) throw new ConfigError(y.problems);
  const kindEntry = y.isMap(y.doc.contents as Node | null) ? y.map(y.doc.contents as Node | null, 'case').find((e) => e.key === 'kind') : undefined;
  if (kindEntry) {
    const k = y.str(kindEntry.value, 'kind', y.loc(kindEntry.keyNode));
    if (k === 'decode') return loadDecodeCase(y, spec, top);
    if (k !== undefined && k !== 'run') y.error(kindEntry.value, `kind: unknown kind '${k}' (expected run or decode)`);
  }
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

  const st = get('sa_state');
  if (st && st.value !== null && !(isScalar(st.value) && st.value.value === null)) { // `sa_state:` with nothing: none
    for (const e of y.map(st.value, 'sa_state', undefined, y.loc(st.keyNode))) {
      const spi = /^0x[0-9a-f]{1,8}$/i.test(e.key) ? parseInt(e.key, 16) : NaN;
      if (!(spi > 0)) {
        y.error(e.keyNode, `sa_state: '${e.key}' is not an SPI (0x1 .. 0xffffffff, in hex)`);
        continue;
      }
      const s: CaseSaState = { spi, loc: y.loc(e.keyNode)! };
      const fields = y.map(e.value, `sa_state: ${e.key}`, ['seq', 'highest_seen'], y.loc(e.keyNode));
      for (const f of fields) {
        const v = y.int(f.value, `sa_state: ${e.key}: ${f.key}`, f.key === 'seq' ? 1 : 0, Number.MAX_SAFE_INTEGER, y.loc(f.keyNode));
        if (f.key === 'seq') s.seq = v;
        else s.highestSeen = v;
      }
      if (fields.length === 0) y.error(e.value, `sa_state: ${e.key}: give seq (outbound) or highest_seen (inbound)`, y.loc(e.keyNode));
      spec.saState.push(s);
    }
  }

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
  const stf = get('stf');
  if (stf) {
    const f = existing(stf.value, 'stf', y.loc(stf.keyNode));
    if (f !== undefined) spec.stf = { file: f, loc: y.loc(stf.value, y.loc(stf.keyNode))! };
    for (const k of ['inputs', 'expected'] as const) {
      const e = get(k);
      if (e) y.error(e.keyNode, `${k}: not with stf (the STF file gives the input and expected packets)`);
    }
    const pm = get('ports');
    if (pm && pm.value !== null) {
      spec.stfPorts = new Map();
      for (const p of y.map(pm.value, 'ports', undefined, y.loc(pm.keyNode))) {
        const v = y.str(p.value, `ports: ${p.key}`, y.loc(p.keyNode));
        if (v !== undefined) spec.stfPorts.set(p.key, v);
      }
    }
  } else {
    const pm = get('ports');
    if (pm) y.error(pm.keyNode, 'ports: maps STF ports and needs stf');
    spec.inputs = ports('inputs', true);
    spec.expected = ports('expected', true);
  }

  const tr = get('trace');
  if (tr) {
    const f = existing(tr.value, 'trace', y.loc(tr.keyNode));
    if (f !== undefined) spec.trace = { file: f, loc: y.loc(tr.value, y.loc(tr.keyNode))! };
    if (stf) y.error(tr.keyNode, 'trace: not with stf (an STF case has no golden trace)');
  }

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

/** The rest of a `kind: decode` case: its capture, the other tool's output and its format (files may be absent: the case is then skipped). */
function loadDecodeCase(y: YamlReader, spec: CaseSpec, top: SourceLoc): CaseSpec {
  spec.kind = 'decode';
  const entries = y.map(y.doc.contents as Node | null, 'case (kind: decode)', DECODE_KEYS, top);
  const get = (k: string) => entries.find((e) => e.key === k);
  const desc = get('description');
  if (desc) spec.description = y.str(desc.value, 'description', y.loc(desc.keyNode));
  const path = (key: string): string => {
    const e = get(key);
    if (!e) { y.error(null, `case: missing '${key}' (a decode case names its capture and the other tool's output)`, top); return ''; }
    const rel = y.str(e.value, key, y.loc(e.keyNode));
    return rel === undefined ? '' : resolve(spec.dir, rel);
  };
  const capture = path('capture');
  const expectedDecode = path('expected_decode');
  let format: DecodeFormat = 'tcpdump';
  const f = get('format');
  if (!f) y.error(null, `case: missing 'format' (one of: ${DECODE_FORMATS.join(', ')})`, top);
  else {
    const v = y.str(f.value, 'format', y.loc(f.keyNode));
    if (v !== undefined && !(DECODE_FORMATS as readonly string[]).includes(v)) y.error(f.value, `format: unknown format '${v}' (expected one of: ${DECODE_FORMATS.join(', ')})`);
    else if (v !== undefined) format = v as DecodeFormat;
  }
  const a = get('tool_args');
  const toolArgs = a && a.value !== null ? y.str(a.value, 'tool_args', y.loc(a.keyNode)) : undefined;
  spec.configLoc = y.loc(get('capture')?.value, top)!;
  spec.decode = { capture, expectedDecode, format, toolArgs, loc: spec.configLoc };
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
