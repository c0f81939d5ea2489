// A real remote VTEP for interop tests: a Linux kernel `vxlan` device in its
// own network namespace, bridged to a host in another one. Frames are put on
// the wire (veth `w0`, in a third namespace) with scapy's sendp, and what the
// kernel sends back is captured there with tcpdump:
//
//   ns wire          ns vtep                                    ns host
//   w0 ══ veth ══ u0 192.0.2.2/24 ── vxlan0 (VNI 100) ─┐
//                                         br0 ─────────┴─ h0 ══ veth ══ h1 10.1.1.2/24
//
// u0 reaches the remote VTEP (triode's lo0 address) through a permanent
// neighbour with triode's core-port MAC, and h1 knows the host behind triode
// through a permanent neighbour as well, so the kernel never ARPs on either
// side; IPv6 is off in every namespace, so nothing is sent unasked. The
// namespaces are named after this process (`triode-vtep-<pid>-<n>`) and are
// always removed, on failure too; ones left by a killed process are removed
// by the next run. Linux and root only: kernelVtepUnavailable() says why not.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PY } from './peers.js';

export interface KernelVtepOptions {
  /** The VNI of vxlan0 (default 100). */
  vni?: number;
  /** vxlan0's UDP destination port (default 4789, the IANA port; Linux's own default is 8472). */
  udpPort?: number;
  /** u0: the kernel VTEP's underlay address with prefix length (default 192.0.2.2/24) and MAC. */
  underlay?: { address?: string; mac?: string };
  /** The underlay gateway (triode's core port): its address (default 192.0.2.1) and MAC (a permanent neighbour on u0). */
  gateway: { address?: string; mac: string };
  /** The remote VTEP (triode's source address, routed via the gateway; vxlan0 floods BUM traffic to it). Default 10.255.0.1. */
  remoteVtep?: string;
  /** h1, the host bridged to vxlan0: address with prefix length (default 10.1.1.2/24) and MAC. */
  host?: { address?: string; mac?: string };
  /** Permanent neighbours of h1: the hosts behind the remote VTEP it talks to. */
  hostNeighbours?: { ip: string; mac: string }[];
}

/** A `bridge fdb show dev vxlan0` entry. */
export interface FdbEntry {
  mac: string;
  /** The remote VTEP of a vxlan entry; absent for the bridge's own entries (`master br0`). */
  dst?: string;
  /** `master br0` for the bridge's entries. */
  master?: string;
  state?: string;
  flags?: string[];
}

export interface ExchangeResult {
  /** Frames the kernel sent on the wire (u0 → w0) during the exchange. */
  captured: number;
  /** Frames injected into w0. */
  injected: number;
}

export interface KernelVtep {
  readonly namespaces: { wire: string; vtep: string; host: string };
  /** The settings in force (options with their defaults filled in). */
  readonly config: Required<Omit<KernelVtepOptions, 'underlay' | 'gateway' | 'host'>> & {
    underlay: { address: string; mac: string };
    gateway: { address: string; mac: string };
    host: { address: string; mac: string };
  };
  /** Sends every frame of a pcap into w0 (towards u0) with scapy's sendp, in order; returns how many. */
  inject(pcap: string): number;
  /**
   * Captures what the kernel sends on the wire (tcpdump -Q in on w0, into `file`) while `fn` runs,
   * then waits for the kernel to settle (see settle()) and for every frame u0 sent to be in the file.
   */
  capture<T>(file: string, fn: () => T | Promise<T>): Promise<{ result: T; captured: number }>;
  /**
   * capture() around inject(): frames in, the kernel's answers in `capturePcap`. With `answers`, waits
   * for at least that many before deciding that the kernel has gone quiet (more are captured too).
   */
  exchange(inPcap: string, capturePcap: string, opts?: { answers?: number }): Promise<ExchangeResult>;
  /**
   * Waits until u0 has taken in `rx` frames and sent at least `tx` more than at `since`, and its
   * transmit count has then stopped moving; throws when that takes longer than a few seconds.
   */
  settle(since: LinkCounters, rx: number, tx?: number): Promise<void>;
  /** u0's packet counters. */
  counters(): LinkCounters;
  /** `bridge fdb show dev vxlan0`. */
  fdb(): FdbEntry[];
  /** Runs a command in one of the namespaces; throws with its stderr when it fails. */
  exec(ns: 'wire' | 'vtep' | 'host', cmd: string, args: string[]): string;
}

export interface LinkCounters {
  rx: number;
  tx: number;
}

const DEFAULTS = {
  vni: 100,
  udpPort: 4789,
  underlay: { address: '192.0.2.2/24', mac: '02:00:00:c0:02:02' },
  gatewayAddress: '192.0.2.1',
  remoteVtep: '10.255.0.1',
  host: { address: '10.1.1.2/24', mac: '02:00:00:0a:01:02' },
};

/** How long the kernel has to settle after an injection before the exchange is declared stuck. */
const SETTLE_DEADLINE_MS = 5000;
/** The transmit counter must stay unchanged over this many consecutive samples... */
const QUIET_SAMPLES = 3;
/** ...taken this far apart. */
const SAMPLE_MS = 50;

const NS_RE = /^triode-(wire|vtep|host)-(\d+)-\d+$/;
let serial = 0;
let unavailable: string | null | undefined;

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  if (r.error) return { ok: false, out: '', err: String(r.error.message) };
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

function must(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')}: ${r.err.trim() || 'failed'}`);
  return r.out;
}

function inNs(ns: string, cmd: string, args: string[]): string {
  return must('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** `ip -n NS -batch -`: the commands in order; throws naming the first that fails. */
function ipBatch(ns: string, commands: string[]): void {
  const r = run('ip', ['-n', ns, '-batch', '-'], `${commands.join('\n')}\n`);
  if (!r.ok) throw new Error(`ip -n ${ns}: ${r.err.trim()}${batchLine(r.err, commands)}`);
}

function batchLine(err: string, commands: string[]): string {
  const m = /Command failed -:(\d+)/.exec(err);
  return m ? ` (${commands[Number(m[1]) - 1]})` : '';
}

/**
 * Why a kernel VTEP cannot be set up here, or null when it can: Linux, root, iproute2's `ip` and
 * `bridge`, network namespaces, veth and vxlan devices (the vxlan module loads on demand), tcpdump,
 * and scapy under /usr/bin/python3. Probed once per process.
 */
export function kernelVtepUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  unavailable = probe();
  return unavailable;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_SYS_ADMIN)';
  if (!run('ip', ['-V']).ok) return 'iproute2 `ip` not installed';
  if (!run('bridge', ['-V']).ok) return 'iproute2 `bridge` not installed';
  if (!run('tcpdump', ['--version']).ok) return 'tcpdump not installed';
  if (!run(PY, ['-c', 'import scapy.all']).ok) return `scapy not importable by ${PY} (python3-scapy)`;
  removeStale();
  const ns = `triode-vtep-${process.pid}-probe`;
  const add = run('ip', ['netns', 'add', ns]);
  if (!add.ok) return `ip netns add failed: ${add.err.trim()}`;
  try {
    const veth = run('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
    if (!veth.ok) return `no veth devices: ${veth.err.trim()}`;
    const vx = run('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '1', 'dstport', '4789', 'local', '192.0.2.2']);
    if (!vx.ok) return `no vxlan devices (kernel module vxlan): ${vx.err.trim()}`;
    const br = run('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'br0', 'type', 'bridge']);
    if (!br.ok) return `no bridge devices: ${br.err.trim()}`;
    return null;
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

/** Removes namespaces a killed run of this harness left behind (their pid is gone). */
function removeStale(): void {
  const r = run('ip', ['netns', 'list']);
  if (!r.ok) return;
  for (const line of r.out.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = NS_RE.exec(name) ?? /^triode-vtep-(\d+)-probe$/.exec(name);
    if (!m) continue;
    const pid = Number(m[m.length === 3 ? 2 : 1]);
    if (pid === process.pid || alive(pid)) continue;
    run('ip', ['netns', 'del', name]);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Complete records in a classic pcap being written (tcpdump -U): a torn last record is not counted. */
export function pcapRecordCount(file: string): number {
  if (!existsSync(file)) return 0;
  const b = readFileSync(file);
  if (b.length < 24) return 0;
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  let n = 0;
  for (let off = 24; off + 16 <= b.length; n++) {
    const incl = le ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
    if (off + 16 + incl > b.length) break;
    off += 16 + incl;
  }
  return n;
}

/**
 * Builds the topology, runs `fn` with it, and removes every namespace afterwards, whatever
 * happened (a capture still running is stopped first). Call only when kernelVtepUnavailable()
 * is null.
 */
export async function withKernelVtep<T>(opts: KernelVtepOptions, fn: (vtep: KernelVtep) => Promise<T> | T): Promise<T> {
  const why = kernelVtepUnavailable();
  if (why) throw new Error(`kernel VTEP unavailable: ${why}`);
  const n = serial++;
  const namespaces = {
    wire: `triode-wire-${process.pid}-${n}`,
    vtep: `triode-vtep-${process.pid}-${n}`,
    host: `triode-host-${process.pid}-${n}`,
  };
  const config = {
    vni: opts.vni ?? DEFAULTS.vni,
    udpPort: opts.udpPort ?? DEFAULTS.udpPort,
    underlay: { address: opts.underlay?.address ?? DEFAULTS.underlay.address, mac: opts.underlay?.mac ?? DEFAULTS.underlay.mac },
    gateway: { address: opts.gateway.address ?? DEFAULTS.gatewayAddress, mac: opts.gateway.mac },
    remoteVtep: opts.remoteVtep ?? DEFAULTS.remoteVtep,
    host: { address: opts.host?.address ?? DEFAULTS.host.address, mac: opts.host?.mac ?? DEFAULTS.host.mac },
    hostNeighbours: opts.hostNeighbours ?? [],
  };
  const children = new Map<ChildProcess, Promise<unknown>>();
  const created: string[] = [];
  try {
    const { wire, vtep, host } = namespaces;
    for (const ns of [wire, vtep, host]) {
      must('ip', ['netns', 'add', ns]);
      created.push(ns);
      // Nothing unasked on the wire: no IPv6 (router solicitations, MLD, DAD) anywhere.
      inNs(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    const local = config.underlay.address.split('/')[0]!;
    // The underlay wire: w0 (wire) ══ u0 (vtep).
    ipBatch(wire, [
      'link set lo up',
      `link add w0 type veth peer name u0 netns ${vtep}`,
      'link set w0 up',
    ]);
    ipBatch(vtep, [
      'link set lo up',
      `link set u0 address ${config.underlay.mac} up`,
      `addr add ${config.underlay.address} dev u0`,
      `neigh replace ${config.gateway.address} lladdr ${config.gateway.mac} nud permanent dev u0`,
      `route add ${config.remoteVtep}/32 via ${config.gateway.address} dev u0`,
      // The VTEP: vxlan0 flood-and-learn, bridged with h0. No STP, no IGMP snooping (its querier
      // and 224.0.0.106 reports would be flooded to the remote VTEP).
      `link add vxlan0 type vxlan id ${config.vni} local ${local} dstport ${config.udpPort} dev u0 learning`,
      'link add br0 type bridge stp_state 0 mcast_snooping 0',
      `link add h0 type veth peer name h1 netns ${host}`,
      'link set vxlan0 master br0 up',
      'link set h0 master br0 up',
      'link set br0 up',
    ]);
    // BUM traffic (ARP requests, unknown unicast) goes to the remote VTEP.
    must('bridge', ['-n', vtep, 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'vxlan0', 'dst', config.remoteVtep]);
    // The host behind the kernel VTEP.
    ipBatch(host, [
      'link set lo up',
      `link set h1 address ${config.host.mac} up`,
      `addr add ${config.host.address} dev h1`,
      ...config.hostNeighbours.map((nb) => `neigh replace ${nb.ip} lladdr ${nb.mac} nud permanent dev h1`),
    ]);

    const nsOf = (which: 'wire' | 'vtep' | 'host') => namespaces[which];
    const counters = (): LinkCounters => {
      const j = JSON.parse(must('ip', ['-n', vtep, '-s', '-j', 'link', 'show', 'u0'])) as { stats64: { rx: { packets: number }; tx: { packets: number } } }[];
      return { rx: j[0]!.stats64.rx.packets, tx: j[0]!.stats64.tx.packets };
    };
    const settle = async (since: LinkCounters, rx: number, tx = 0): Promise<void> => {
      const deadline = Date.now() + SETTLE_DEADLINE_MS;
      let last = counters();
      let quiet = 0;
      while (last.rx - since.rx < rx || last.tx - since.tx < tx || quiet < QUIET_SAMPLES) {
        if (Date.now() > deadline) {
          throw new Error(`kernel VTEP did not settle: u0 took in ${last.rx - since.rx} of ${rx} frames, sent ${last.tx - since.tx}${tx ? ` (waiting for ${tx})` : ''}`);
        }
        await sleep(SAMPLE_MS);
        const now = counters();
        quiet = now.tx === last.tx ? quiet + 1 : 0;
        last = now;
      }
    };
    const inject = (pcap: string): number => {
      const script = 'import sys\nfrom scapy.all import rdpcap, sendp\n'
        + 'p = rdpcap(sys.argv[1])\nsendp(p, iface="w0", verbose=False)\nprint(len(p))\n';
      return Number(inNs(wire, PY, ['-c', script, pcap]).trim());
    };
    const capture = async <R>(file: string, body: () => R | Promise<R>): Promise<{ result: R; captured: number }> => {
      const before = counters();
      const td = spawn('ip', ['netns', 'exec', wire, 'tcpdump', '-i', 'w0', '-Q', 'in', '-n', '-U', '--immediate-mode', '-s', '0', '-w', file],
        { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => td.on('close', (code) => { children.delete(td); resolve(code); }));
      children.set(td, exited);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tcpdump not listening after ${SETTLE_DEADLINE_MS} ms: ${stderr.trim()}`)), SETTLE_DEADLINE_MS);
        const onData = (d: Buffer) => {
          stderr += d.toString();
          if (/listening on w0/.test(stderr)) {
            td.stderr!.off('data', onData);
            clearTimeout(timer);
            resolve();
          }
        };
        td.stderr!.on('data', onData);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`tcpdump exited (${code}) before listening: ${stderr.trim()}`));
        });
      });
      td.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const result = await body();
      const deadline = Date.now() + SETTLE_DEADLINE_MS;
      // Every frame u0 sent (w0 received) is in the file before tcpdump stops.
      let sent = counters().tx - before.tx;
      while (pcapRecordCount(file) < sent) {
        if (Date.now() > deadline) throw new Error(`tcpdump wrote ${pcapRecordCount(file)} of the ${sent} frames u0 sent`);
        await sleep(SAMPLE_MS);
        sent = counters().tx - before.tx;
      }
      td.kill('SIGINT');
      const code = await exited;
      if (code !== 0) throw new Error(`tcpdump failed (${code}): ${stderr.trim()}`);
      return { result, captured: pcapRecordCount(file) };
    };
    const vtepApi: KernelVtep = {
      namespaces,
      config,
      inject,
      capture,
      settle,
      counters,
      async exchange(inPcap, capturePcap, opts = {}) {
        const { result: injected, captured } = await capture(capturePcap, async () => {
          const before = counters();
          const k = inject(inPcap);
          await settle(before, k, opts.answers ?? 0);
          return k;
        });
        return { injected, captured };
      },
      fdb() {
        return JSON.parse(must('bridge', ['-n', vtep, '-j', 'fdb', 'show', 'dev', 'vxlan0'])) as FdbEntry[];
      },
      exec(which, cmd, args) {
        return inNs(nsOf(which), cmd, args);
      },
    };
    return await fn(vtepApi);
  } finally {
    for (const [c, exited] of children) {
      c.kill('SIGKILL');
      await exited;
    }
    for (const ns of created.reverse()) run('ip', ['netns', 'del', ns]);
  }
}
