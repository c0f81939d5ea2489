// Decode cases (`kind: decode` in case.yaml): a capture made by someone else,
// read by triode's capture reader and decoded by its decoder, compared with
// what another tool printed for the same capture. No device runs. The
// comparison is on the facts both state — addresses, protocols, ports, VNI,
// SPI, sequence numbers, ND targets and flags, flow packet counts — not on
// wording. Formats of the other tool's output (case.yaml `format`):
//
// - `tcpdump`: the `.out` of `tcpdump -# -n -tttt -r <capture> <tool_args>`
//   (tcpdump's own test suite). Per packet, every fact tcpdump printed that
//   triode's one-line decode (decodeFrame) also states must be in it: MACs,
//   IPv4 addresses and ports, IPv6 addresses, TTL / hop limit, VNI, SPI,
//   ESP sequence numbers, ARP who-has / is-at, ICMP echo id and seq, ICMPv6
//   message types and ND options.
// - `zeek-ipv6-esp`: zeek's printed IPv6 headers of ESP packets (btest
//   core.ipv6_esp): one record per ESP packet, in order: addresses, hop
//   limit, payload length, SPI and sequence number.
// - `zeek-icmp6-events`: zeek's ICMPv6 events (btest core.icmp.icmp6-events,
//   a baseline covering several captures): for every ICMPv6 packet of the
//   capture, an event of its type between its addresses with its hop limit,
//   whose target and router / solicited / override flags agree.
// - `zeek-icmp6-nd-options`: zeek's ND options (btest core.icmp.icmp6-nd-
//   options, a baseline covering several captures): each ND message of the
//   capture that carries options has, in order, a record of its type whose
//   options agree (type, length, link-layer address, MTU, prefix).
// - `zeek-conn-log`: zeek's conn.log: every connection (UDP, TCP, ICMP; inner
//   connections of tunnels too) with its endpoints, packets and IP bytes each
//   way, `vxlan` service and tunnel parents, and no flow zeek did not log.
// - `suricata-checks`: a suricata-verify test.yaml: its `filter` checks
//   counted over eve events derived from the decode (`flow` by 5-tuple, ESP
//   by SPI, ICMP echo by id, split after suricata's default idle timeouts;
//   `arp`; `stats` decoder counts) and its `stats`
//   checks. Checks of events triode does not derive (alerts, app-layer
//   events, netflow) or on fields it does not model are not compared and are
//   listed in the outcome's notes.
//
// A capture or expected file that is absent (a clean clone without
// ../shared) makes the case skipped, with the reason; never passed.

import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatIpv6, parseIpv6 } from '../packet/addr.js';
import { decodeFrame, decodeFrameFields, type DecodedLayer } from '../packet/decode.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import type { CaseSpec, DecodeFormat } from './case.js';
import type { CaseFailure, CaseOutcome } from './run-case.js';

/** Failures listed at most per case; the rest are counted in one line. */
const MAX_FAILURES = 10;

// ---------------------------------------------------------------- tcpdump

/** Splits a tcpdump `-#` .out file into one text block per packet. */
export function readTcpdumpOut(text: string): string[] {
  const blocks: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*\d+\s+\d{4}-\d\d-\d\d /.test(line)) blocks.push(line);
    else if (blocks.length > 0 && line.trim() !== '') blocks[blocks.length - 1] += '\n' + line;
  }
  return blocks;
}

/** Facts tcpdump printed for one packet that triode's one-line decode must also state, in triode's wording. */
export function tcpdumpFacts(block: string): string[] {
  const facts: string[] = [];
  const body = block.replace(/^\s*\d+\s+\S+ \S+ /, '');
  for (const m of body.matchAll(/\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g)) {
    // Skip MACs tcpdump prints inside ARP's over-long addresses.
    if (!/[0-9a-f]{2}(:[0-9a-f]{2}){6}/.test(body.slice(m.index! - 3, m.index! + 20))) facts.push(m[0]);
  }
  for (const m of body.matchAll(/(?<![\d.:])(\d{1,3}(?:\.\d{1,3}){3})(\.\d+)?(?=[:,)\s]|$)/g)) facts.push(m[0]);
  for (const m of body.matchAll(/IP6 (?:\((?:[^()]|\([^()]*\))*\) )?(\S+) > (\S+?):/g)) facts.push(m[1]!, m[2]!);
  for (const m of body.matchAll(/\bttl (\d+)/g)) facts.push(`ttl ${m[1]}`);
  for (const m of body.matchAll(/\bhlim (\d+)/g)) facts.push(`hlim ${m[1]}`);
  for (const m of body.matchAll(/\bvni (\d+)/g)) facts.push(`VXLAN vni ${m[1]}`);
  for (const m of body.matchAll(/spi=0x([0-9a-f]+)/g)) facts.push(`ESP spi 0x${m[1]!.padStart(8, '0')}`);
  for (const m of body.matchAll(/spi=0x[0-9a-f]+,seq=0x([0-9a-f]+)/g)) facts.push(`seq ${parseInt(m[1]!, 16)}`);
  for (const m of body.matchAll(/who-has (\S+)(?: \([^)]*\))? tell (\S+?),/g)) facts.push(`who-has ${m[1]} tell ${m[2]}`);
  for (const m of body.matchAll(/Reply (\S+) is-at (\S+?),/g)) facts.push(`reply ${m[1]} is-at ${m[2]}`);
  for (const m of body.matchAll(/Unknown Hardware \((\d+)\) \(len (\d+)\)/g)) facts.push(`hw ${m[1]} (len ${m[2]})`);
  for (const m of body.matchAll(/ICMP echo (request|reply), id (\d+), seq (\d+)/g)) facts.push(`ICMP echo ${m[1]} id ${m[2]} seq ${m[3]}`);
  for (const m of body.matchAll(/ICMP6, (router advertisement|router solicitation|neighbor solicitation|neighbor advertisement|multicast listener report v2|multicast listener query)/g)) facts.push(`ICMPv6 ${m[1]}`);
  for (const m of body.matchAll(/who has (\S+?),/g)) facts.push(`who has ${m[1]}`);
  for (const m of body.matchAll(/prefix info option \(3\), length 32 \(4\): (\S+),/g)) facts.push(`[prefix ${m[1]}]`);
  for (const m of body.matchAll(/pref64 option \(38\), length 16 \(2\): (\S+\/\d+)/g)) facts.push(`[pref64 ${m[1]}]`);
  for (const m of body.matchAll(/mtu option \(5\), length 8 \(1\):\s+(\d+)/g)) facts.push(`[mtu ${m[1]}]`);
  for (const m of body.matchAll(/source link-address option \(1\), length 8 \(1\): (\S+)/g)) facts.push(`[slla ${m[1]}]`);
  for (const m of body.matchAll(/rdnss option \(25\), length \d+ \(\d+\):\s+lifetime \d+s, ((?:addr: \S+ ?)+)/g)) {
    facts.push(`[rdnss ${m[1]!.trim().split(/\s*addr: /).filter(Boolean).join(' ')}]`);
  }
  for (const m of body.matchAll(/domain\(s\): ((?:\S+\. ?)+)/g)) facts.push(`[dnssl ${m[1]!.trim()}]`);
  return facts;
}

// ---------------------------------------------------------------- what triode sees in a capture

interface Decoded {
  /** 1-based frame number. */
  n: number;
  /** Capture time, seconds. */
  t: number;
  frame: Uint8Array;
  line: string;
  layers: DecodedLayer[];
}

function readCapture(file: string): Decoded[] {
  const r = CaptureReader.open(file);
  const rec = newCaptureRecord();
  const out: Decoded[] = [];
  try {
    while (r.next(rec)) {
      const frame = rec.buf.slice(rec.offset, rec.offset + rec.caplen);
      out.push({ n: out.length + 1, t: rec.tsSec + rec.tsNsec / 1e9, frame, line: decodeFrame(frame, 0, frame.length), layers: decodeFrameFields(frame, 0, frame.length) });
    }
  } finally {
    r.close();
  }
  return out;
}

const field = (l: DecodedLayer | undefined, name: string): string | undefined => l?.fields.find((f) => f.name === name)?.value;

/** An address in one spelling (IPv6 compressed, lower case), for comparing other tools' text. */
function canonAddr(a: string): string {
  if (!a.includes(':')) return a;
  try {
    return formatIpv6(parseIpv6(a), 0);
  } catch {
    return a.toLowerCase();
  }
}

/** One transport-level packet of a flow: an IP layer (at tunnel depth `depth`) and what follows it. */
interface FlowPacket {
  n: number;
  t: number;
  depth: number;
  src: string;
  dst: string;
  /** 'udp' | 'tcp' | 'icmp' | 'icmpv6' | 'esp' */
  proto: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  spi?: number;
  ipLen: number;
  frameLen: number;
  /** The packet carries VXLAN (its UDP payload). */
  vxlan: boolean;
}

/** Every IP packet with a transport header, in every frame, outer first (a tunnel's inner packets at depth 1, 2, ...). */
function flowPackets(caps: Decoded[]): FlowPacket[] {
  const out: FlowPacket[] = [];
  for (const c of caps) {
    let depth = -1;
    let ip: { src: string; dst: string; len: number } | undefined;
    let last: FlowPacket | undefined;
    for (const l of c.layers) {
      if (l.layer === 'ip' || l.layer === 'ipv6') {
        depth++;
        const v4 = l.layer === 'ip';
        const fragment = v4 ? Number(field(l, 'ip.frag_offset') ?? 0) !== 0 : false;
        ip = fragment ? undefined : {
          src: canonAddr(field(l, v4 ? 'ip.src' : 'ipv6.src') ?? ''),
          dst: canonAddr(field(l, v4 ? 'ip.dst' : 'ipv6.dst') ?? ''),
          len: v4 ? Number(field(l, 'ip.len') ?? 0) : 40 + Number(field(l, 'ipv6.plen') ?? 0),
        };
        continue;
      }
      if (l.layer === 'vxlan' && last) { last.vxlan = true; continue; }
      if (!ip || !['udp', 'tcp', 'icmp', 'icmpv6', 'esp'].includes(l.layer)) continue;
      const p: FlowPacket = { n: c.n, t: c.t, depth, src: ip.src, dst: ip.dst, proto: l.layer, ipLen: ip.len, frameLen: c.frame.length, vxlan: false };
      if (l.layer === 'udp' || l.layer === 'tcp') {
        p.sport = Number(field(l, `${l.layer}.srcport`));
        p.dport = Number(field(l, `${l.layer}.dstport`));
      } else if (l.layer === 'icmp' || l.layer === 'icmpv6') {
        p.icmpType = Number(field(l, `${l.layer}.type`));
        p.icmpCode = Number(field(l, `${l.layer}.code`) ?? 0);
        const id = field(l, l.layer === 'icmp' ? 'icmp.ident' : 'icmpv6.echo.identifier');
        if (id !== undefined) p.icmpId = Number(id);
      } else {
        // ESP in UDP (NAT-T) stays a UDP flow.
        if (last && last.proto === 'udp' && last.depth === depth) continue;
        p.spi = Number(field(l, 'esp.spi'));
      }
      out.push(p);
      last = p;
      ip = undefined; // one transport header per IP layer
    }
  }
  return out;
}

/** The ICMP type answering an echo request (and the other way round), or undefined. */
const ECHO_PAIR: Record<number, number> = { 8: 0, 0: 8, 128: 129, 129: 128 };

/** A bidirectional flow: the first packet's source is the originator. */
interface Flow {
  key: string;
  first: FlowPacket;
  fwd: FlowPacket[];
  rev: FlowPacket[];
}

/** How long a flow may be idle before its next packet starts a new one: by protocol, and whether it has seen both ways. */
type FlowTimeout = (proto: string, established: boolean) => number;
/** Suricata's default flow-timeouts (suricata.yaml): tcp new 60 s / established 600 s, others 30 s / 300 s. */
const SURICATA_TIMEOUT: FlowTimeout = (proto, est) => (proto === 'tcp' ? (est ? 600 : 60) : (est ? 300 : 30));
/** Zeek's inactivity timeouts: tcp 5 min, udp and icmp 1 min. */
const ZEEK_TIMEOUT: FlowTimeout = (proto) => (proto === 'tcp' ? 300 : 60);

/**
 * Packets grouped into bidirectional flows, as zeek and suricata group them:
 * UDP/TCP by addresses and ports, ICMP echo by addresses and identifier,
 * other ICMP by addresses and type, ESP by addresses and SPI; each tunnel
 * depth on its own; a flow idle for longer than its timeout ends, and the
 * next packet of its key starts another.
 */
function flows(packets: FlowPacket[], timeout: FlowTimeout): Flow[] {
  const all: Flow[] = [];
  const byKey = new Map<string, Flow>();
  for (const p of packets) {
    const a = `${p.src}|${p.sport ?? ''}`;
    const b = `${p.dst}|${p.dport ?? ''}`;
    const ends = a < b ? `${a}|${b}` : `${b}|${a}`;
    const sub = p.proto === 'esp' ? `spi ${p.spi}`
      : p.icmpType !== undefined ? (ECHO_PAIR[p.icmpType] !== undefined && p.icmpId !== undefined ? `echo ${p.icmpId}` : `type ${p.icmpType}`) : '';
    const key = `${p.depth}|${p.proto}|${ends}|${sub}`;
    const f = byKey.get(key);
    const last = f ? Math.max(f.fwd[f.fwd.length - 1]!.t, f.rev.length ? f.rev[f.rev.length - 1]!.t : 0) : 0;
    if (!f || p.t - last > timeout(p.proto, f.rev.length > 0)) {
      const g: Flow = { key, first: p, fwd: [p], rev: [] };
      byKey.set(key, g);
      all.push(g);
    } else (p.src === f.first.src && p.sport === f.first.sport ? f.fwd : f.rev).push(p);
  }
  return all;
}

// ---------------------------------------------------------------- the formats

interface Comparison {
  failures: CaseFailure[];
  notes: string[];
  /** Facts compared (a comparison that compared nothing is a failure: the format does not fit the file). */
  compared: number;
}

const fail = (c: Comparison, message: string, index?: number): void => {
  c.failures.push({ kind: 'output', message, index });
};

function compareTcpdump(caps: Decoded[], text: string, c: Comparison): void {
  const blocks = readTcpdumpOut(text);
  if (blocks.length !== caps.length) fail(c, `tcpdump printed ${blocks.length} packets, triode read ${caps.length}`);
  for (let i = 0; i < Math.min(blocks.length, caps.length); i++) {
    const missing = tcpdumpFacts(blocks[i]!).filter((f) => {
      c.compared++;
      return !caps[i]!.line.includes(f);
    });
    if (missing.length) fail(c, `packet ${i + 1}: tcpdump says ${missing.map((m) => `"${m}"`).join(', ')}; triode decodes: ${caps[i]!.line}\n  tcpdump: ${blocks[i]!.split('\n').join('\n           ')}`, i);
  }
}

function compareZeekIpv6Esp(caps: Decoded[], text: string, c: Comparison): void {
  const records = text.split('\n').filter((l) => l.startsWith('[class='));
  const esp = caps.filter((d) => d.layers.some((l) => l.layer === 'esp'));
  if (records.length !== esp.length) fail(c, `zeek printed ${records.length} ESP packets, triode decodes ${esp.length}`);
  for (let i = 0; i < Math.min(records.length, esp.length); i++) {
    const r = records[i]!;
    const m = /len=(\d+), nxt=(\d+), hlim=(\d+), src=([^,]+), dst=([^,]+),.*esp=\[spi=(\d+), seq=(\d+)\]/.exec(r);
    if (!m) { fail(c, `zeek record ${i + 1} not understood: ${r}`); continue; }
    const facts = [
      `IPv6 ${canonAddr(m[4]!)} > ${canonAddr(m[5]!)} hlim ${m[3]}`,
      `ESP spi 0x${Number(m[6]).toString(16).padStart(8, '0')} seq ${m[7]}`,
    ];
    if (m[2] === '50') facts.push(`length ${m[1]}`); // ESP right after the header: its length is the payload length
    c.compared += facts.length;
    const missing = facts.filter((f) => !esp[i]!.line.includes(f));
    if (missing.length) fail(c, `ESP packet ${i + 1} (frame ${esp[i]!.n}): zeek says ${missing.map((x) => `"${x}"`).join(', ')}; triode decodes: ${esp[i]!.line}`, esp[i]!.n - 1);
  }
}

const ND_NAMES: Record<number, string> = {
  1: 'unreachable', 2: 'packet_too_big', 3: 'time_exceeded', 4: 'parameter_problem', 128: 'echo_request', 129: 'echo_reply',
  133: 'router_solicitation', 134: 'router_advertisement', 135: 'neighbor_solicitation', 136: 'neighbor_advertisement', 137: 'redirect',
};

function compareZeekIcmp6Events(caps: Decoded[], text: string, c: Comparison): void {
  // Events: a header line `icmp_<name> (...)`, then indented lines.
  const events: { name: string; head: string; body: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^icmp_(\w+)(.*)$/.exec(line);
    if (m) events.push({ name: m[1]!, head: m[2]!, body: '' });
    else if (events.length && line.startsWith(' ')) events[events.length - 1]!.body += `${line}\n`;
  }
  for (const d of caps) {
    const ip = d.layers.find((l) => l.layer === 'ipv6');
    const icmp = d.layers.find((l) => l.layer === 'icmpv6');
    if (!ip || !icmp) continue;
    const type = Number(field(icmp, 'icmpv6.type'));
    const src = canonAddr(field(ip, 'ipv6.src')!);
    const dst = canonAddr(field(ip, 'ipv6.dst')!);
    const hlim = field(ip, 'ipv6.hlim');
    const name = ND_NAMES[type];
    const cands = events.filter((e) => e.name === name
      && e.body.includes(`orig_h=${src},`) && e.body.includes(`resp_h=${dst},`) && e.body.includes(`itype=${type},`));
    c.compared++;
    const ev = cands.find((e) => e.body.includes(`ttl=${hlim}]`));
    if (!ev) {
      fail(c, `frame ${d.n}: zeek logged no icmp_${name ?? type} event ${src} -> ${dst} with ttl ${hlim}${cands.length ? ` (it has one with ${/ttl=\d+/.exec(cands[0]!.body)?.[0]})` : ''}; triode decodes: ${d.line}`, d.n - 1);
      continue;
    }
    const facts: string[] = [];
    const tgt = /tgt=([^,)]+)/.exec(ev.head)?.[1];
    if (tgt !== undefined) {
      const ours = field(icmp, 'icmpv6.nd.ns.target_address') ?? field(icmp, 'icmpv6.nd.na.target_address') ?? field(icmp, 'icmpv6.nd.rd.target_address');
      facts.push(`target ${canonAddr(tgt)}=${ours !== undefined ? canonAddr(ours) : 'none'}`);
    }
    const dest = /dest=([^,)]+)/.exec(ev.head)?.[1];
    if (dest !== undefined) {
      const ours = field(icmp, 'icmpv6.nd.rd.destination_address');
      facts.push(`destination ${canonAddr(dest)}=${ours !== undefined ? canonAddr(ours) : 'none'}`);
    }
    if (type === 136) {
      const flags = Number(field(icmp, 'icmpv6.nd.na.flag') ?? 0); // the flags byte: R 0x80, S 0x40, O 0x20
      for (const [flag, bit] of [['router', 0x80], ['solicited', 0x40], ['override', 0x20]] as const) {
        const z = new RegExp(`${flag}=([TF])`).exec(ev.body)?.[1];
        if (z !== undefined) facts.push(`${flag} ${z}=${(flags & bit) !== 0 ? 'T' : 'F'}`);
      }
    }
    for (const f of facts) {
      c.compared++;
      const [k, v] = f.split('=');
      const want = k!.split(' ').slice(1).join(' ');
      if (want !== v) fail(c, `frame ${d.n}: zeek's icmp_${name} has ${k!.split(' ')[0]} ${want}, triode decodes ${v}: ${d.line}`, d.n - 1);
    }
  }
  if (c.compared === 0) fail(c, 'the capture holds no ICMPv6 packet to compare');
}

function compareZeekNdOptions(caps: Decoded[], text: string, c: Comparison): void {
  // Records: `icmp_<name> options`, then one `[otype=..., len=..., ...]` line per option (and `MAC: ...` lines).
  const records: { name: string; opts: string[] }[] = [];
  for (const line of text.split('\n')) {
    const m = /^icmp_(\w+) options$/.exec(line);
    if (m) records.push({ name: m[1]!, opts: [] });
    else if (records.length && /^\s+\[otype=/.test(line)) records[records.length - 1]!.opts.push(line.trim());
  }
  let next = 0;
  for (const d of caps) {
    const icmp = d.layers.find((l) => l.layer === 'icmpv6');
    const type = Number(field(icmp, 'icmpv6.type'));
    if (!icmp || type < 133 || type > 137) continue;
    const f = icmp.fields;
    const types = f.filter((x) => x.name === 'icmpv6.opt.type').map((x) => Number(x.value));
    if (types.length === 0) continue;
    const name = ND_NAMES[type]!;
    let k = next;
    while (k < records.length && records[k]!.name !== name) k++;
    c.compared++;
    if (k === records.length) { fail(c, `frame ${d.n}: ${name} with options ${types.join(', ')}: zeek printed no further ${name} options`, d.n - 1); continue; }
    next = k + 1;
    const z = records[k]!.opts;
    // triode's options in order, each with its own fields: split the field list at each option type.
    const ours: Record<string, string>[] = [];
    for (const x of f) {
      if (x.name === 'icmpv6.opt.type') ours.push({});
      else if (x.name.startsWith('icmpv6.opt.') && ours.length) ours[ours.length - 1]![x.name] = x.value;
    }
    if (z.length !== types.length) { fail(c, `frame ${d.n}: zeek's ${name} has ${z.length} options, triode decodes ${types.length}: ${d.line}`, d.n - 1); continue; }
    z.forEach((line, i) => {
      const want: [string, string | undefined, string | undefined][] = [['type', /otype=(\d+)/.exec(line)?.[1], String(types[i])]];
      const len = /len=(\d+)/.exec(line)?.[1];
      if (len !== undefined && ours[i]!['icmpv6.opt.length'] !== undefined) want.push(['length', len, ours[i]!['icmpv6.opt.length']]);
      const mac = /link_address=((?:\\x[0-9a-f]{2}|[^\\,])+),/.exec(line)?.[1];
      if (mac !== undefined && mac !== '<uninitialized>') {
        // zeek prints the six bytes as a string with \xNN escapes.
        const bytes: number[] = [];
        for (let p = 0; p < mac.length;) {
          if (mac[p] === '\\' && mac[p + 1] === 'x') { bytes.push(parseInt(mac.slice(p + 2, p + 4), 16)); p += 4; } else bytes.push(mac.charCodeAt(p++));
        }
        want.push(['link-layer address', bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'), ours[i]!['icmpv6.opt.linkaddr']]);
      }
      const mtu = /mtu=(\d+)/.exec(line)?.[1];
      if (mtu !== undefined) want.push(['mtu', mtu, ours[i]!['icmpv6.opt.mtu']]);
      const pfx = /prefix=\[prefix_len=(\d+),.*prefix=([^\]]+)\]/.exec(line);
      if (pfx) {
        // The prefix address is a field; its length is in the one-line decode's `[prefix P/L]`.
        const theirs = `${canonAddr(pfx[2]!)}/${pfx[1]}`;
        const addr = ours[i]!['icmpv6.opt.prefix'];
        want.push(['prefix', theirs, addr !== undefined && d.line.includes(`[prefix ${canonAddr(addr)}/${pfx[1]}]`) ? theirs : addr]);
      }
      for (const [what, theirs, mine] of want) {
        c.compared++;
        if (theirs !== mine) fail(c, `frame ${d.n}: ${name} option ${i + 1}: zeek has ${what} ${theirs}, triode ${mine ?? 'none'}: ${d.line}`, d.n - 1);
      }
    });
  }
}

function compareZeekConnLog(caps: Decoded[], text: string, c: Comparison): void {
  const lines = text.split('\n');
  const fieldsLine = lines.find((l) => l.startsWith('#fields'));
  if (!fieldsLine) { fail(c, 'no #fields line: not a zeek log'); return; }
  const names = fieldsLine.split('\t').slice(1);
  const rows = lines.filter((l) => l && !l.startsWith('#')).map((l) => {
    const v = l.split('\t');
    return Object.fromEntries(names.map((n, i) => [n, v[i] ?? '']));
  });
  const ours = flows(flowPackets(caps), ZEEK_TIMEOUT).filter((f) => f.first.proto !== 'esp');
  const matched = new Set<Flow>();
  const port = (p: FlowPacket, orig: boolean): number =>
    p.icmpType !== undefined ? (orig ? p.icmpType : ECHO_PAIR[p.icmpType] ?? p.icmpCode!) : (orig ? p.sport! : p.dport!);
  for (const r of rows) {
    const want = `${r['id.orig_h']}:${r['id.orig_p']} > ${r['id.resp_h']}:${r['id.resp_p']} ${r['proto']}`;
    const f = ours.find((x) => !matched.has(x) && x.first.src === canonAddr(r['id.orig_h']!) && x.first.dst === canonAddr(r['id.resp_h']!)
      && (x.first.proto === r['proto'] || (x.first.proto === 'icmpv6' && r['proto'] === 'icmp'))
      && port(x.first, true) === Number(r['id.orig_p']) && port(x.first, false) === Number(r['id.resp_p']));
    c.compared++;
    if (!f) { fail(c, `zeek logged ${want}; triode finds no such flow`); continue; }
    matched.add(f);
    const sum = (ps: FlowPacket[]) => ps.reduce((s, p) => s + p.ipLen, 0);
    const checks: [string, string, string][] = [
      ['orig_pkts', r['orig_pkts']!, String(f.fwd.length)],
      ['resp_pkts', r['resp_pkts']!, String(f.rev.length)],
      ['orig_ip_bytes', r['orig_ip_bytes']!, String(sum(f.fwd))],
      ['resp_ip_bytes', r['resp_ip_bytes']!, String(sum(f.rev))],
      ['service vxlan', String(r['service'] === 'vxlan'), String([...f.fwd, ...f.rev].every((p) => p.vxlan))],
      ['in a tunnel', String(r['tunnel_parents'] !== '-' && r['tunnel_parents'] !== '(empty)'), String(f.first.depth > 0)],
    ];
    for (const [what, z, t] of checks) {
      c.compared++;
      if (z !== t) fail(c, `${want}: zeek has ${what} ${z}, triode ${t} (frames ${[...f.fwd, ...f.rev].map((p) => p.n).join(', ')})`);
    }
  }
  for (const f of ours) {
    if (!matched.has(f)) fail(c, `triode finds a flow zeek did not log: ${f.first.src}:${f.first.sport ?? f.first.icmpType} > ${f.first.dst}:${f.first.dport ?? ''} ${f.first.proto} (frames ${f.fwd.map((p) => p.n).join(', ')})`);
  }
}

// ---------------------------------------------------------------- suricata-verify checks

/** The suricata version whose `requires` are honoured: the newest, 9. */
const SURICATA_VERSION = 9;
type EveEvent = Record<string, unknown>;

const SURICATA_PROTO: Record<string, string> = { udp: 'UDP', tcp: 'TCP', icmp: 'ICMP', icmpv6: 'IPv6-ICMP', esp: 'ESP' };

/** The eve events triode can derive from a decode: flows, ARP, and one stats event of decoder counts. */
function eveEvents(caps: Decoded[]): EveEvent[] {
  const events: EveEvent[] = [];
  for (const f of flows(flowPackets(caps), SURICATA_TIMEOUT)) {
    const p = f.first;
    const e: EveEvent = {
      event_type: 'flow', src_ip: p.src, dest_ip: p.dst, proto: SURICATA_PROTO[p.proto],
      'flow.pkts_toserver': f.fwd.length, 'flow.pkts_toclient': f.rev.length,
      'flow.bytes_toserver': f.fwd.reduce((s, x) => s + x.frameLen, 0), 'flow.bytes_toclient': f.rev.reduce((s, x) => s + x.frameLen, 0),
    };
    if (p.sport !== undefined) { e['src_port'] = p.sport; e['dest_port'] = p.dport; }
    if (p.spi !== undefined) e['spi'] = p.spi;
    if (p.icmpType !== undefined) { e['icmp_type'] = p.icmpType; e['icmp_code'] = p.icmpCode; }
    events.push(e);
  }
  const stats: Record<string, number> = { 'decoder.pkts': caps.length };
  const bump = (k: string): void => void (stats[k] = (stats[k] ?? 0) + 1);
  for (const d of caps) {
    for (const l of d.layers) {
      const name = { eth: 'ethernet', ip: 'ipv4', ipv6: 'ipv6', udp: 'udp', tcp: 'tcp', icmp: 'icmpv4', icmpv6: 'icmpv6', vxlan: 'vxlan', arp: 'arp', gre: 'gre', esp: 'esp', vlan: 'vlan', mpls: 'mpls' }[l.layer];
      if (name) bump(`decoder.${name}`);
      if (l.layer !== 'arp') continue;
      const op = Number(field(l, 'arp.opcode'));
      events.push({
        event_type: 'arp', pcap_cnt: d.n,
        'arp.hw_type': field(l, 'arp.hw.type') === '1' ? 'ethernet' : field(l, 'arp.hw.type'),
        'arp.proto_type': field(l, 'arp.proto.type') === '0x0800' ? 'ipv4' : field(l, 'arp.proto.type'),
        'arp.opcode': op === 1 ? 'request' : op === 2 ? 'reply' : String(op),
        'arp.src_mac': field(l, 'arp.src.hw_mac'), 'arp.src_ip': field(l, 'arp.src.proto_ipv4'),
        'arp.dest_mac': field(l, 'arp.dst.hw_mac'), 'arp.dest_ip': field(l, 'arp.dst.proto_ipv4'),
      });
    }
  }
  events.push({ event_type: 'stats', ...Object.fromEntries(Object.entries(stats).map(([k, v]) => [`stats.${k}`, v])) });
  return events;
}

/** Fields of each derived event type that a check may match on. */
const EVE_FIELDS: Record<string, RegExp> = {
  flow: /^(src_ip|dest_ip|src_port|dest_port|proto|spi|flow\.(pkts|bytes)_to(server|client))$/,
  arp: /^(pcap_cnt|arp\.(hw_type|proto_type|opcode|src_mac|src_ip|dest_mac|dest_ip))$/,
  stats: /^stats\.decoder\.\w+$/,
};

function eveEqual(ours: unknown, theirs: unknown): boolean {
  if (ours === undefined) return false;
  if (typeof theirs === 'string' && /[.:]/.test(theirs) && typeof ours === 'string') return canonAddr(ours) === canonAddr(theirs);
  return String(ours) === String(theirs);
}

const applies = (req: { 'min-version'?: unknown; 'lt-version'?: unknown } | undefined): boolean =>
  !req || ((req['min-version'] === undefined || Number(req['min-version']) <= SURICATA_VERSION)
    && (req['lt-version'] === undefined || SURICATA_VERSION < Number(req['lt-version'])));

function compareSuricataChecks(caps: Decoded[], text: string, c: Comparison): void {
  const t = parseYaml(text) as { requires?: Record<string, unknown>; checks?: Record<string, unknown>[] };
  const events = eveEvents(caps);
  const stats = events.find((e) => e['event_type'] === 'stats')!;
  for (const [i, check] of (t.checks ?? []).entries()) {
    const label = `check ${i + 1}`;
    if (check['stats'] !== undefined) {
      for (const [k, v] of Object.entries(check['stats'] as Record<string, unknown>)) {
        if (!EVE_FIELDS['stats']!.test(`stats.${k}`)) { c.notes.push(`${label}: stats ${k}: not compared (triode derives decoder counts only)`); continue; }
        c.compared++;
        const ours = stats[`stats.${k}`] ?? 0;
        if (String(ours) !== String(v)) fail(c, `${label}: suricata counts stats ${k} = ${v}, triode's decode gives ${ours}`);
      }
      continue;
    }
    const filter = check['filter'] as { count?: number; match?: Record<string, unknown>; requires?: Record<string, unknown> } | undefined;
    if (!filter) { c.notes.push(`${label}: ${Object.keys(check).join(', ')}: not compared`); continue; }
    if (!applies(filter.requires as never)) { c.notes.push(`${label}: for suricata versions other than ${SURICATA_VERSION}: not compared`); continue; }
    const match = filter.match ?? {};
    const type = String(match['event_type'] ?? '');
    const re = EVE_FIELDS[type];
    const unknown = Object.keys(match).filter((k) => k !== 'event_type' && !(re?.test(k) ?? false));
    if (!re || unknown.length) {
      c.notes.push(`${label}: ${type} events${unknown.length && re ? ` on ${unknown.join(', ')}` : ''}: not compared (not derived from a decode)`);
      continue;
    }
    c.compared++;
    const hits = events.filter((e) => e['event_type'] === type && Object.entries(match).every(([k, v]) => k === 'event_type' || eveEqual(e[k], v)));
    const want = filter.count ?? 1;
    if (hits.length !== want) {
      const desc = Object.entries(match).map(([k, v]) => `${k}: ${v}`).join(', ');
      fail(c, `${label}: suricata expects ${want} events {${desc}}, triode's decode gives ${hits.length}${type === 'flow' ? `; its flows: ${events.filter((e) => e['event_type'] === 'flow').map((e) => `${e['src_ip']}:${e['src_port'] ?? ''} > ${e['dest_ip']}:${e['dest_port'] ?? ''} ${e['proto']} ${e['flow.pkts_toserver']}/${e['flow.pkts_toclient']}`).join('; ')}` : ''}`);
    }
  }
}

const COMPARE: Record<DecodeFormat, (caps: Decoded[], text: string, c: Comparison) => void> = {
  tcpdump: compareTcpdump,
  'zeek-ipv6-esp': compareZeekIpv6Esp,
  'zeek-icmp6-events': compareZeekIcmp6Events,
  'zeek-icmp6-nd-options': compareZeekNdOptions,
  'zeek-conn-log': compareZeekConnLog,
  'suricata-checks': compareSuricataChecks,
};

/** Runs a decode case: reads its capture, decodes every packet and compares with the other tool's output. Never throws. */
export function runDecodeCase(spec: CaseSpec): CaseOutcome & { notes?: string[] } {
  const d = spec.decode!;
  for (const [what, f] of [['capture', d.capture], ['expected_decode', d.expectedDecode]] as const) {
    if (!existsSync(f)) {
      return { spec, passed: false, failures: [], skipped: `${what} ${relative(spec.dir, f)} is not here (third-party captures live in ../shared/pcaps, outside the repository)` };
    }
  }
  const c: Comparison = { failures: [], notes: [], compared: 0 };
  let caps: Decoded[];
  try {
    caps = readCapture(d.capture);
  } catch (e) {
    return { spec, passed: false, failures: [{ kind: 'setup', loc: d.loc, message: `capture: ${(e as Error).message}` }] };
  }
  try {
    COMPARE[d.format](caps, readFileSync(d.expectedDecode, 'utf8'), c);
  } catch (e) {
    fail(c, `${d.format}: ${(e as Error).message}`);
  }
  if (c.compared === 0 && c.failures.length === 0) fail(c, `nothing compared: ${relative(spec.dir, d.expectedDecode)} holds nothing the ${d.format} comparison understands`);
  const failures = c.failures.length > MAX_FAILURES
    ? [...c.failures.slice(0, MAX_FAILURES), { kind: 'output' as const, message: `... and ${c.failures.length - MAX_FAILURES} more` }]
    : c.failures;
  return { spec, passed: failures.length === 0, failures, notes: c.notes.length ? c.notes : undefined };
}
