// BMv2/p4c STF ("simple test framework") files as conformance cases. An STF
// file lists packets sent into ports and the packets expected out of ports:
//
//   # comment
//   packet 0 0200000000aa 020000000001 0800 4500 ...     hex, spaces anywhere
//   expect 1 0200000000bb **************** 0800 45 ...   * = any nibble
//   expect 1 0200000000bb ... 0000$                      $ = the packet ends here
//   expect 2                                             any packets (or none) on port 2
//
// As p4c's bmv2stf.py compares them: an expected packet matches an output
// whose leading bytes agree nibble by nibble (`*` matches anything); the
// output may be longer unless the expectation ends in `$`. Expected packets
// of a port match its outputs in order; a port with no expect line must send
// nothing. Ports are triode port names (`et-0/0/1`, `PE1:et-0/0/0`) or, as
// in p4c, numbers mapped by case.yaml's `ports:`. Packets are fed in file
// order, 1 ms apart from STF_EPOCH_SEC. Table commands (`add`, `setdefault`,
// ...) program a P4 program's tables and mean nothing to a router configured
// from Junos: they are errors, not silently dropped; `wait` is accepted.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, type SourceLoc } from '../config/model.js';
import { PcapWriter } from '../pcap/writer.js';
import { findPort, portFileName } from '../run/ports.js';
import type { CasePortFile, CaseSpec } from './case.js';
import { checkCase, executeCase, type CapturedFrame, type CaseFailure, type CaseOutcome, type ExecuteOptions } from './run-case.js';

/** The first STF packet's timestamp (seconds); packet k is sent k ms later. */
export const STF_EPOCH_SEC = 1_700_000_000;

export interface StfPacket {
  port: string;
  data: Uint8Array;
  loc: SourceLoc;
}

export interface StfExpect {
  port: string;
  /** The expected bytes; wildcard nibbles are 0. */
  data: Uint8Array;
  /** Per byte, the bits that must match: 0xff, 0xf0, 0x0f or 0x00. */
  care: Uint8Array;
  /** Ended in `$`: the output must be exactly this long. */
  exact: boolean;
  loc: SourceLoc;
}

export interface StfFile {
  file: string;
  packets: StfPacket[];
  expects: StfExpect[];
  /** Ports given as `expect <port>` with no data: any number of packets may leave there. */
  anyPorts: Map<string, SourceLoc>;
}

const TABLE_COMMANDS = new Set(['add', 'setdefault', 'remove', 'check_counter', 'mirroring_add', 'mirroring_add_mc', 'mc_mgrp_create', 'mc_node_create', 'mc_node_associate', 'register_read', 'register_write', 'register_reset', 'no_packet']);

/** Parses STF text. Throws ConfigError listing every problem with file:line:column. */
export function parseStf(text: string, file: string): StfFile {
  const out: StfFile = { file, packets: [], expects: [], anyPorts: new Map() };
  const problems: { loc: SourceLoc; message: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    const at = (col: number): SourceLoc => ({ file, line: i + 1, col: col + 1 });
    const m = /^(\s*)(\S+)(\s+(\S+))?/.exec(line);
    if (!m || m[2] === undefined) return;
    const cmd = m[2].toLowerCase();
    const cmdCol = m[1].length;
    if (cmd === 'wait') return;
    if (TABLE_COMMANDS.has(cmd)) {
      problems.push({ loc: at(cmdCol), message: `STF '${m[2]}': not supported (triode's forwarding state comes from its configuration, not from STF table commands)` });
      return;
    }
    if (cmd !== 'packet' && cmd !== 'expect') {
      problems.push({ loc: at(cmdCol), message: `STF: unknown command '${m[2]}' (expected packet, expect or wait)` });
      return;
    }
    if (m[4] === undefined) {
      problems.push({ loc: at(cmdCol), message: `STF ${cmd}: missing the port` });
      return;
    }
    const port = m[4];
    const dataCol = m[0].length;
    let hex = line.slice(dataCol).replace(/\s+/g, '');
    let exact = false;
    if (cmd === 'expect' && hex.endsWith('$')) {
      exact = true;
      hex = hex.slice(0, -1);
    }
    const bad = cmd === 'packet' ? /[^0-9a-fA-F]/.exec(hex) : /[^0-9a-fA-F*]/.exec(hex);
    if (bad) {
      // The column of the offending character in the line as written.
      let col = dataCol;
      for (let seen = 0; col < line.length; col++) {
        if (/\s/.test(line[col])) continue;
        if (seen++ === bad.index) break;
      }
      problems.push({ loc: at(col), message: `STF ${cmd}: '${bad[0]}' is not ${cmd === 'packet' ? 'a hex digit' : 'a hex digit or *'}` });
      return;
    }
    if (hex.length % 2 !== 0) {
      problems.push({ loc: at(dataCol + (/^\s*/.exec(line.slice(dataCol))?.[0].length ?? 0)), message: `STF ${cmd}: ${hex.length} hex digits: an odd number (whole bytes only)` });
      return;
    }
    if (cmd === 'packet') {
      if (hex.length === 0) problems.push({ loc: at(cmdCol), message: 'STF packet: no data' });
      else out.packets.push({ port, data: Uint8Array.from(Buffer.from(hex, 'hex')), loc: at(cmdCol) });
      return;
    }
    if (hex.length === 0) {
      if (exact) problems.push({ loc: at(cmdCol), message: 'STF expect: $ with no data' });
      else out.anyPorts.set(port, at(cmdCol));
      return;
    }
    const n = hex.length / 2;
    const data = new Uint8Array(n);
    const care = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const hi = hex[2 * k];
      const lo = hex[2 * k + 1];
      data[k] = (hi === '*' ? 0 : parseInt(hi, 16) << 4) | (lo === '*' ? 0 : parseInt(lo, 16));
      care[k] = (hi === '*' ? 0 : 0xf0) | (lo === '*' ? 0 : 0x0f);
    }
    out.expects.push({ port, data, care, exact, loc: at(cmdCol) });
  });
  for (const [port, loc] of out.anyPorts) {
    if (out.expects.some((e) => e.port === port)) problems.push({ loc, message: `STF expect ${port}: both any packets (no data) and given packets` });
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

export function readStf(file: string): StfFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ loc: { file, line: 1, col: 1 }, message: `cannot read the STF file: ${(e as Error).message}` }]);
  }
  return parseStf(text, file);
}

/** Whether an output matches an STF expectation. */
export function stfMatches(e: StfExpect, got: Uint8Array): boolean {
  if (got.length < e.data.length || (e.exact && got.length !== e.data.length)) return false;
  for (let k = 0; k < e.data.length; k++) if ((got[k] & e.care[k]) !== e.data[k]) return false;
  return true;
}

/**
 * The expected packet as a whole frame: the wildcard nibbles (and, without
 * `$`, the bytes after the expectation) taken from the output it is compared
 * with, so that only what the STF line fixes can differ; the output's
 * timestamp (STF has none), or `ts` when there is no output to compare with.
 */
export function materializeExpect(e: StfExpect, got: CapturedFrame | undefined, ts: { tsSec: number; tsNsec: number }): CapturedFrame {
  const g = got?.data;
  const len = !e.exact && g !== undefined ? Math.max(e.data.length, g.length) : e.data.length;
  const data = new Uint8Array(len);
  for (let k = 0; k < len; k++) {
    const o = g !== undefined && k < g.length ? g[k] : 0;
    data[k] = k < e.data.length ? e.data[k] | (o & ~e.care[k] & 0xff) : o;
  }
  return { tsSec: got?.tsSec ?? ts.tsSec, tsNsec: got?.tsNsec ?? ts.tsNsec, data };
}

function writePcap(file: string, frames: readonly CapturedFrame[], nanosecond = false): void {
  const w = new PcapWriter(file, { nanosecond });
  try {
    for (const f of frames) w.write(f.data, 0, f.data.length, f.tsSec, f.tsNsec);
  } finally {
    w.close();
  }
}

/** A case's STF port (number or name) as a triode port name. */
const mapPort = (spec: CaseSpec, port: string): string => spec.stfPorts?.get(port) ?? port;

/** An STF case run: its outcome (spec: the case with the STF's packets as pcaps in workDir) and the expected frames compared, by port. */
export interface StfRun {
  outcome: CaseOutcome;
  expected: Map<string, CapturedFrame[]>;
}

/**
 * Runs a case whose case.yaml names an `stf` file. Writes the STF's input
 * packets as pcaps into `workDir` (`in-<port>.pcap`), runs them, makes each
 * expected packet a frame against the output it is compared with
 * (materializeExpect) and writes those as `expected-<port>.pcap`, then checks
 * the case as any other (outputs, silent ports, counters, accounting).
 * Output failures point at the STF line of the packet. Never throws.
 */
export function runStfCase(spec: CaseSpec, workDir: string, opts: Omit<ExecuteOptions, 'outDir'> = {}): StfRun {
  const expected = new Map<string, CapturedFrame[]>();
  const setup = (e: unknown): StfRun => {
    const failures: CaseFailure[] = e instanceof ConfigError
      ? e.problems.map((p) => ({ kind: 'setup', loc: p.loc, message: p.message }))
      : [{ kind: 'setup', loc: (e as { loc?: SourceLoc }).loc, message: (e as Error).message }];
    return { outcome: { spec, passed: false, failures }, expected };
  };
  if (!spec.stf) return setup(new Error('not an STF case'));
  let stf: StfFile;
  try {
    stf = readStf(spec.stf.file);
  } catch (e) {
    return setup(e);
  }
  mkdirSync(workDir, { recursive: true });
  // Inputs: one pcap per port, packets 1 ms apart in file order.
  const byPort = new Map<string, { frames: CapturedFrame[]; loc: SourceLoc }>();
  stf.packets.forEach((p, k) => {
    const port = mapPort(spec, p.port);
    let e = byPort.get(port);
    if (!e) byPort.set(port, (e = { frames: [], loc: p.loc }));
    e.frames.push({ tsSec: STF_EPOCH_SEC + Math.floor(k / 1000), tsNsec: (k % 1000) * 1_000_000, data: p.data });
  });
  const inputs: CasePortFile[] = [];
  for (const [port, { frames, loc }] of byPort) {
    const file = join(workDir, `in-${portFileName(port)}`);
    writePcap(file, frames);
    inputs.push({ port, file, loc });
  }
  const derived: CaseSpec = { ...spec, inputs, expected: [] };
  let ex;
  try {
    ex = executeCase(derived, opts);
  } catch (e) {
    return setup(e);
  }
  const n = stf.packets.length;
  const lastTs = { tsSec: STF_EPOCH_SEC + Math.floor(Math.max(0, n - 1) / 1000), tsNsec: (Math.max(0, n - 1) % 1000) * 1_000_000 };
  const expectLocs = new Map<string, SourceLoc[]>();
  const failures: CaseFailure[] = [];
  const canonical = (port: string, loc: SourceLoc): string | undefined => {
    try {
      return findPort(ex.result.devices, mapPort(spec, port)).name;
    } catch (e) {
      failures.push({ kind: 'setup', loc, message: (e as Error).message });
      return undefined;
    }
  };
  const wanted = new Map<string, StfExpect[]>();
  for (const e of stf.expects) {
    const port = canonical(e.port, e.loc);
    if (port === undefined) continue;
    if (!wanted.has(port)) wanted.set(port, []);
    wanted.get(port)!.push(e);
    if (!expectLocs.has(port)) expectLocs.set(port, []);
    expectLocs.get(port)!.push(e.loc);
  }
  for (const [p, loc] of stf.anyPorts) {
    const port = canonical(p, loc);
    if (port === undefined) continue;
    // Any packets: what it sent is what is expected.
    const got = ex.outputs.get(port) ?? [];
    expected.set(port, got);
    const file = join(workDir, `expected-${portFileName(port)}`);
    writePcap(file, got, true);
    derived.expected.push({ port, file, loc });
  }
  if (failures.length) return { outcome: { spec: derived, passed: false, failures, execution: ex }, expected };
  for (const [port, list] of wanted) {
    const got = ex.outputs.get(port) ?? [];
    const frames = list.map((e, k) => materializeExpect(e, got[k], lastTs));
    expected.set(port, frames);
    const file = join(workDir, `expected-${portFileName(port)}`);
    writePcap(file, frames, true);
    derived.expected.push({ port, file, loc: list[0].loc });
  }
  for (const f of checkCase(derived, ex)) {
    if (f.kind === 'output' && f.port !== undefined) {
      const locs = expectLocs.get(f.port);
      f.loc = locs ? locs[Math.min(f.index ?? 0, locs.length - 1)] : spec.stf.loc;
    }
    failures.push(f);
  }
  return { outcome: { spec: derived, passed: failures.length === 0, failures, execution: ex }, expected };
}

export interface StfConversion {
  /** The case.yaml written. */
  caseFile: string;
  /** Whether triode's output met the STF file's expectations. */
  passed: boolean;
}

/**
 * `triode test --from-stf`: makes a pcap case directory from an STF file and
 * a configuration: input pcaps, expected pcaps (each expected packet with its
 * wildcards and unspecified tail filled from triode's output and its
 * timestamp, see materializeExpect; a port given as `expect <port>` with no
 * data gets what triode sent) and a case.yaml naming the configuration and
 * esp_sa file by relative path. Throws ConfigError on a bad STF file or
 * configuration.
 */
export function convertStf(stfFile: string, config: string, outDir: string, opts: { saFile?: string; ports?: Map<string, string> } = {}): StfConversion {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const caseFile = join(dir, 'case.yaml');
  const spec: CaseSpec = {
    kind: 'run', name: 'stf', dir, file: caseFile, config: resolve(config), configLoc: { file: caseFile, line: 1, col: 1 },
    saFile: opts.saFile !== undefined ? resolve(opts.saFile) : undefined, saState: [],
    inputs: [], expected: [], counters: [], masks: [], stf: { file: resolve(stfFile), loc: { file: resolve(stfFile), line: 1, col: 1 } }, stfPorts: opts.ports,
  };
  const { outcome } = runStfCase(spec, dir);
  const setup = outcome.failures.filter((f) => f.kind === 'setup');
  if (setup.length) throw new ConfigError(setup.map((f) => ({ loc: f.loc, message: f.message })));
  const rel = (p: string): string => relative(dir, p).split('\\').join('/');
  const q = (s: string): string => JSON.stringify(s);
  const portMap = (list: readonly CasePortFile[]): string[] => list.map((p) => `  ${q(p.port)}: ${q(rel(p.file))}`);
  const yaml = [
    `# Made by triode test --from-stf from ${rel(resolve(stfFile))}: inputs 1 ms apart; expected packets with their * nibbles`,
    "# (and any bytes after an expectation without $) taken from triode's output when converted.",
    `description: ${q(`Converted from ${rel(resolve(stfFile))}`)}`,
    `config: ${q(rel(resolve(config)))}`,
    ...(opts.saFile !== undefined ? [`sa_file: ${q(rel(resolve(opts.saFile)))}`] : []),
    'inputs:',
    ...portMap(outcome.spec.inputs),
    ...(outcome.spec.expected.length ? ['expected:', ...portMap(outcome.spec.expected)] : ['expected: {}']),
    '',
  ].join('\n');
  writeFileSync(caseFile, yaml);
  return { caseFile, passed: outcome.passed };
}
