// What every case generator (scripts/make-*-cases.mjs) shares: packets from
// readable descriptions, views of a run for asserting a case's intent, and
// building a case directory aside, asserting its intent, writing its expected
// pcaps and case.yaml, loading it back and swapping it in.
//
// A case description is an object:
//
//   { name, description,
//     config: '<Junos text>'                         (written as r1.conf), or
//     files: { 'pe1.conf': ..., 'scenario.yaml': ... }, configFile: 'scenario.yaml',
//     sa: ['"IPv4","13.10.1.1",...'],                 (optional: written as esp_sa)
//     saState: { '0x36c700ce': { seq: 4294967294 } }, (optional: case.yaml sa_state, test-only)
//     inputs: { 'et-0/0/0': [[t, frame], ...] },     (t: seconds after T0)
//     intent(o) { ... },                              (asserts on views(execution); throws when the run is not what the description says)
//     record: ['devices.R1.nodes.ip4-arp.counters', 'devices.R1.interfaces.et-0/0/2.100'],  (optional: more counters for case.yaml)
//     trace: true,                                    (optional: every input packet traced, written as the golden
//                                                      expected-trace.txt and named by case.yaml `trace:`)
//   }
//
// Regenerating is deterministic: timestamps come from the descriptions,
// packets from src/craft, and the run is triode's, which is deterministic.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eth, icmp6, icmpEcho, ip4, ip6, pattern, udp } from '../dist/craft/craft.js';
import { PcapWriter } from '../dist/pcap/writer.js';
import { portFileName } from '../dist/run/ports.js';
import { loadCase } from '../dist/cases/case.js';
import { counterValue, executeCase, formatFailures, renderCaseTrace, runCase, TRACE_FILE } from '../dist/cases/run-case.js';

/** The pcaps/ library. */
export const PCAPS = join(dirname(fileURLToPath(import.meta.url)), '..', 'pcaps');
/** Every case's input starts here (2023-11-14T22:13:20Z); the descriptions give times relative to it. */
export const T0 = 1_700_000_000;

export const hex = (b) => Buffer.from(b).toString('hex');
export const u32 = (v) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
export const cat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));

// ---------------------------------------------------------------- packets

/** IPv4 packets (no Ethernet). */
export const icmp4 = (h, id, seq, n = 32) => ip4(h, 1, icmpEcho(8, id, seq, pattern(n)));
export const udp4 = (h, n, sport = 40000, dport = 9) => ip4(h, 17, udp(h.src, h.dst, sport, dport, pattern(n)));

/** An IPv6 packet with its traffic class set to `tc`. */
export function withTclass(p, tc) {
  const q = Uint8Array.from(p);
  q[0] = 0x60 | (tc >>> 4);
  q[1] = ((tc & 15) << 4) | (q[1] & 15);
  return q;
}
export const icmp6Echo = (h, id, seq, n = 32, tc = 0) =>
  withTclass(ip6(h, 58, icmp6(h.src, h.dst, { type: 128, code: 0, id, seq, payload: pattern(n) })), tc);
export const udp6 = (h, n, tc = 0, sport = 40000, dport = 9) => withTclass(ip6(h, 17, udp(h.src, h.dst, sport, dport, pattern(n))), tc);

/** An IP packet in an Ethernet frame, the ethertype by its version. */
export const ipFrame = (e, p) => eth(e, (p[0] >>> 4) === 4 ? 0x0800 : 0x86dd, p);

/** Ethernet pads short frames to 60 bytes on the wire. */
export const padded = (f) => (f.length >= 60 ? f : Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]));

/** The Internet checksum of b (0 when b holds a valid checksum). */
export function inetSum(b) {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** The same IP packet one hop later: TTL / hop limit down by `n`, IPv4 checksum redone. */
export function hop(p, n = 1) {
  const q = Uint8Array.from(p);
  if ((q[0] >>> 4) === 6) { q[7] -= n; return q; }
  q[8] -= n;
  q[10] = 0; q[11] = 0;
  const c = inetSum(q.subarray(0, (q[0] & 15) * 4));
  q[10] = c >>> 8; q[11] = c & 0xff;
  return q;
}

export function ipv6Text(b) {
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
  return words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

/** Frames `step` seconds apart from `start`: [[t, frame], ...]. */
export const at = (frames, step = 0.001, start = 0) => frames.map((f, i) => [start + i * step, f]);

// ---------------------------------------------------------------- views of a run, for intents

/** Views of a case's execution for its intent. */
export function views(ex) {
  const frames = (port) => (ex.outputs.get(port) ?? []).map((f) => f.data);
  return {
    frames,
    /** The port's frames with their times relative to T0: [[t, frame], ...]. */
    timed: (port) => (ex.outputs.get(port) ?? []).map((f) => [Math.round((f.tsSec - T0) * 1e6 + f.tsNsec / 1e3) / 1e6, f.data]),
    silent(port) {
      assert.equal(frames(port).length, 0, `port ${port} must emit nothing, sent ${frames(port).length}`);
    },
    /** The port sent exactly these frames (bytes), in order. */
    sends(port, want, what = `port ${port}`) {
      assert.deepEqual(frames(port).map(hex), want.map(padded).map(hex), `${what}: frames differ`);
    },
    /** The port sent exactly these [t, frame] pairs, in order. */
    sendsAt(port, want, what = `port ${port}`) {
      assert.deepEqual(this.timed(port).map(([t, f]) => [t, hex(f)]), want.map(([t, f]) => [t, hex(padded(f))]), `${what}: frames or times differ`);
    },
    /** Only these ports sent anything. */
    onlyPorts(ports) {
      assert.deepEqual([...ex.outputs].filter(([, f]) => f.length).map(([p]) => p).sort(), [...ports].sort(), 'the ports that sent anything');
    },
    counter(key) {
      const v = counterValue(ex.stats, key);
      assert.notEqual(v, undefined, `no counter ${key}`);
      return v;
    },
    counters(want) {
      for (const [k, v] of Object.entries(want)) assert.equal(this.counter(k), v, `counter ${k}`);
    },
    drops(want) {
      assert.deepEqual(ex.stats.drops, want, 'drops by reason');
    },
    accounting(want) {
      const { linked: _linked, ...a } = ex.stats.accounting;
      assert.deepEqual(a, want, 'accounting');
    },
    stats: ex.stats,
    /** The traced input packets (a case with `trace: true` traces every one), in input order. */
    traces: ex.result.trace.traces,
    /** The devices input packet `i` (from 0) went through, in order, each once per visit: ['SW', 'Luna', 'SW', 'Juno']. */
    devicesOf(i) {
      const t = ex.result.trace.traces[i];
      assert.ok(t, `input packet ${i + 1} was not traced (give the case trace: true)`);
      const out = [];
      for (const s of t.steps) if (out[out.length - 1] !== s.device) out.push(s.device);
      return out;
    },
  };
}

// ---------------------------------------------------------------- writing a case

export function writePcap(file, frames) {
  const w = new PcapWriter(file);
  for (const [t, f] of frames) {
    const us = Math.round(t * 1e6);
    w.write(f, 0, f.length, T0 + Math.floor(us / 1e6), (us % 1e6) * 1000);
  }
  w.close();
}

/** The object at a dotted path of the --stats JSON (names with dots matched whole, longest first), or undefined. */
function statsAt(stats, key) {
  const parts = key.split('.');
  let cur = stats;
  let i = 0;
  while (i < parts.length) {
    if (cur === null || typeof cur !== 'object') return undefined;
    let j = parts.length;
    for (; j > i; j--) if (Object.hasOwn(cur, parts.slice(i, j).join('.'))) break;
    if (j === i) return undefined;
    cur = cur[parts.slice(i, j).join('.')];
    i = j;
  }
  return cur;
}

/**
 * Counters a case records: the accounting, drops by reason, non-zero IPsec
 * totals, st0 IFLs' packets in and out, si- IFLs' packets in, and every
 * number under the paths the case names in `record` (an IFL's packets and
 * bytes, a node's counters).
 */
export function recordedCounters(stats, record = []) {
  const c = {};
  for (const k of ['in', 'generated', 'out', 'consumed', 'dropped']) c[`accounting.${k}`] = stats.accounting[k];
  for (const [k, v] of Object.entries(stats.drops).sort()) c[`drops.${k}`] = v;
  for (const [k, v] of Object.entries(stats.ipsec ?? {})) if (v) c[`ipsec.${k}`] = v;
  for (const [dev, d] of Object.entries(stats.devices)) {
    for (const [ifl, s] of Object.entries(d.interfaces)) {
      if (!/^(st0|si-)/.test(ifl)) continue;
      c[`devices.${dev}.interfaces.${ifl}.inputPackets`] = s.inputPackets;
      if (ifl.startsWith('st0')) c[`devices.${dev}.interfaces.${ifl}.outputPackets`] = s.outputPackets;
    }
  }
  for (const path of record) {
    const v = statsAt(stats, path);
    assert.ok(v !== undefined && v !== null, `record: no ${path} in the --stats JSON`);
    if (typeof v === 'number') c[path] = v;
    else for (const [k, x] of Object.entries(v)) if (typeof x === 'number') c[`${path}.${k}`] = x;
  }
  return c;
}

const yamlStr = (s) => JSON.stringify(s);

function caseYaml(c, generator, configFile, inputs, expected, counters) {
  const lines = [
    `# Generated by ${generator} from its description of this case: do not edit; regenerate with \`npm run cases\`.`,
    `description: ${yamlStr(c.description)}`,
    `config: ${configFile}`,
  ];
  if (c.sa) lines.push('sa_file: esp_sa');
  if (c.trace) lines.push(`trace: ${TRACE_FILE}   # every input packet's trace, as triode run --trace prints it`);
  if (c.saState) {
    lines.push('sa_state:   # test-only: where these SAs\' sequence numbers start (no router has this knob)');
    for (const [spi, s] of Object.entries(c.saState)) {
      lines.push(`  "${spi}": { ${Object.entries(s).map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
    }
  }
  lines.push('inputs:', ...Object.entries(inputs).map(([p, f]) => `  ${p}: ${f}`));
  lines.push(Object.keys(expected).length ? 'expected:' : 'expected: {}   # no port may send anything', ...Object.entries(expected).map(([p, f]) => `  ${p}: ${f}`));
  lines.push('counters:', ...Object.entries(counters).map(([k, v]) => `  ${k}: ${v}`));
  return `${lines.join('\n')}\n`;
}

/** Builds a case in a scratch directory beside its own and puts it in place only when its intent holds and it passes loaded back. */
function build(c, root, generator) {
  const final = join(root, c.name);
  const dir = join(root, `.${c.name}.new`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const configFile = c.configFile ?? 'r1.conf';
    for (const [f, text] of Object.entries(c.files ?? { 'r1.conf': c.config })) writeFileSync(join(dir, f), text);
    if (c.sa) writeFileSync(join(dir, 'esp_sa'), `${c.sa.join('\n')}\n`);
    const inputs = {};
    for (const [port, frames] of Object.entries(c.inputs)) {
      inputs[port] = `in-${portFileName(port)}`;
      writePcap(join(dir, inputs[port]), frames);
    }
    // Run it, as the case will be run, with no expectations yet.
    const here = { file: join(dir, 'case.yaml'), line: 1, col: 1 };
    const spec = {
      kind: 'run', name: c.name, dir, file: here.file, description: c.description, config: join(dir, configFile), configLoc: here,
      saFile: c.sa ? join(dir, 'esp_sa') : undefined,
      saState: Object.entries(c.saState ?? {}).map(([spi, s]) => ({
        spi: parseInt(spi, 16), seq: s.seq, highestSeen: s.highest_seen, loc: here,
      })),
      inputs: Object.entries(inputs).map(([port, f]) => ({ port, file: join(dir, f), loc: here })),
      expected: [], counters: [], masks: [],
      trace: c.trace ? { file: join(dir, TRACE_FILE), loc: here } : undefined,
    };
    const tmp = mkdtempSync(join(tmpdir(), 'triode-cases-'));
    try {
      const ex = executeCase(spec, { outDir: tmp });
      // The description's intent, before anything is written.
      try {
        assert.ok(ex.stats.balanced, 'accounting balances');
        const o = views(ex);
        c.intent(o);
        c.extraIntent?.(o);
      } catch (e) {
        throw new Error(`the output does not do what the description says:\n  ${e.message}`);
      }
      const expected = {};
      for (const [port, file] of [...ex.outputFiles].sort()) {
        expected[port] = `expected-${portFileName(port)}`;
        copyFileSync(file, join(dir, expected[port]));
      }
      if (c.trace) writeFileSync(join(dir, TRACE_FILE), renderCaseTrace(ex));
      writeFileSync(join(dir, 'case.yaml'), caseYaml(c, generator, configFile, inputs, expected, recordedCounters(ex.stats, c.record)));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // Round trip: the written case loads and passes as `triode test` will run it.
    const outcome = runCase(loadCase(dir, c.name));
    if (!outcome.passed) throw new Error(`written, but does not pass when loaded back:\n${formatFailures(outcome)}`);
    rmSync(final, { recursive: true, force: true });
    renameSync(dir, final);
    return outcome;
  } catch (e) {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Builds every case of an area (`pcaps/<area>/<name>`), or those whose name
 * contains `filter`; without a filter, case directories no longer described
 * are removed. Returns the number of cases not written (each reported).
 */
export function generate(area, generator, cases, filter) {
  const root = join(PCAPS, area);
  const names = new Set(cases.map((c) => c.name));
  assert.equal(names.size, cases.length, `${area}: case names are unique`);
  mkdirSync(root, { recursive: true });
  if (!filter) {
    for (const d of readdirSync(root)) if (!names.has(d) && existsSync(join(root, d, 'case.yaml'))) rmSync(join(root, d), { recursive: true });
  }
  let failed = 0;
  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    let o;
    try {
      o = build(c, root, generator);
    } catch (e) {
      failed++;
      console.error(`${area}/${c.name}: NOT WRITTEN (the case as it was is kept): ${e.message}`);
      continue;
    }
    const sent = [...o.execution.outputs].map(([p, f]) => `${p} ${f.length}`).join(', ') || 'nothing';
    const drops = Object.entries(o.execution.stats.drops).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`${`${area}/${c.name}`.padEnd(34)} sent: ${sent}${drops ? `; dropped: ${drops}` : ''}`);
  }
  return failed;
}

/** True when the module at `url` is the script node was started with. */
export const isMain = (url) => process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1];

/** A generator's main: builds its area (filter from argv[2]) and exits non-zero when a case was not written. */
export function main(url, area, generator, cases) {
  if (!isMain(url)) return;
  const failed = generate(area, generator, cases, process.argv[2]);
  if (failed) {
    console.error(`${failed} case(s) not written`);
    process.exit(1);
  }
}
