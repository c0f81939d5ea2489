import { Batch, F_TRACED } from '../packet/batch.js';
import { GraphNode, NodeQueue } from './node.js';
import { TraceBuffer } from './trace.js';

/** in + generated = out + consumed + dropped, per device and per run. */
export interface Accounting {
  in: number;
  generated: number;
  out: number;
  consumed: number;
  dropped: number;
}

export function newAccounting(): Accounting {
  return { in: 0, generated: 0, out: 0, consumed: 0, dropped: 0 };
}

/** Counts drops by reason and frees the slots: VPP's error-drop. */
class ErrorDropNode extends GraphNode {
  readonly name = 'error-drop';
  readonly nextNames = [];
  process(b: Batch, frame: Uint16Array, n: number): void {
    const g = this.g;
    const drops = g.drops;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const reason = b.error[slot];
      drops[reason]++;
      if (b.flags[slot] & F_TRACED) g.trace.fate(b.traceId[slot], `dropped: ${g.reasonNames[reason]}`);
      b.release(slot);
    }
    g.acct.dropped += n;
  }
}

/**
 * The node graph of one device and its scheduler. Nodes run in the order they
 * were added; the scheduler sweeps that order until no frame holds packets, so
 * a packet sent back to an earlier node (an ICMP error to ip4-lookup) runs in
 * the next sweep.
 */
export class Graph {
  readonly batch = new Batch();
  readonly nodes: GraphNode[] = [];
  /** nodes[k].q, so the scheduler's loop reads one class of object (monomorphic). */
  private readonly queues: NodeQueue[] = [];
  readonly byName = new Map<string, GraphNode>();
  readonly dropNode: GraphNode;
  readonly acct = newAccounting();
  /** Drop counts by global reason code; reasonNames[code] is the name. */
  drops = new Float64Array(64);
  readonly reasonNames: string[] = ['none'];
  private readonly reasonCodes = new Map<string, number>([['none', 0]]);
  private wired = false;
  /**
   * VPP's `show runtime`: when enabled, the wall-clock milliseconds spent in
   * each node's process() (by node index), for benchmarks to say where the
   * time goes per packet. Off (null) by default: two clock reads per node call.
   */
  runtime: Float64Array | null = null;

  /** `trace` is shared by the devices of a run, so a packet's trace follows it across links. */
  constructor(readonly deviceName: string, readonly trace: TraceBuffer = new TraceBuffer(0)) {
    this.dropNode = this.add(new ErrorDropNode());
  }

  add<T extends GraphNode>(node: T): T {
    if (this.byName.has(node.name)) throw new Error(`graph: duplicate node ${node.name}`);
    node.g = this;
    this.nodes.push(node);
    this.queues.push(node.q);
    this.byName.set(node.name, node);
    return node;
  }

  node(name: string): GraphNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`graph: no node ${name}`);
    return n;
  }

  /** The code of a drop reason, registering it on first use. */
  reason(name: string): number {
    let code = this.reasonCodes.get(name);
    if (code === undefined) {
      code = this.reasonNames.length;
      this.reasonNames.push(name);
      this.reasonCodes.set(name, code);
      if (code >= this.drops.length) {
        const d = new Float64Array(this.drops.length * 2);
        d.set(this.drops);
        this.drops = d;
      }
    }
    return code;
  }

  /** Resolves next-node names and error codes; call once after all nodes are added. */
  wire(): void {
    for (const n of this.nodes) {
      n.wireQueues(n.nextNames.map((name) => this.node(name)), this.dropNode.q, Uint16Array.from(n.errorNames, (e) => this.reason(e)));
      n.counters = new Float64Array(n.counterNames.length);
    }
    for (const n of this.nodes) n.init();
    this.wired = true;
  }

  /** Runs the nodes until every packet of the batch has left the graph. */
  run(): void {
    if (!this.wired) this.wire();
    const b = this.batch;
    const nodes = this.nodes;
    const queues = this.queues;
    let busy = true;
    while (busy) {
      busy = false;
      for (let k = 0; k < queues.length; k++) {
        const q = queues[k];
        const n = q.count;
        if (n === 0) continue;
        busy = true;
        // Swap frames so the node may enqueue into itself while it runs.
        const frame = q.frame;
        q.frame = q.spare;
        q.spare = frame;
        q.count = 0;
        q.calls++;
        q.packets += n;
        const node = nodes[k];
        if (this.trace.budget > 0) this.recordSteps(node, b, frame, n);
        if (this.runtime === null) node.process(b, frame, n);
        else this.timed(k, node, b, frame, n);
      }
    }
  }

  /** Enables (or resets) the per-node clocks of `runtime`. */
  enableRuntime(): void {
    this.runtime = new Float64Array(this.nodes.length);
  }

  private timed(k: number, node: GraphNode, b: Batch, frame: Uint16Array, n: number): void {
    const t0 = performance.now();
    node.process(b, frame, n);
    this.runtime![k] += performance.now() - t0;
  }

  private recordSteps(node: GraphNode, b: Batch, frame: Uint16Array, n: number): void {
    if (node === this.dropNode) return;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      if (b.flags[slot] & F_TRACED) {
        this.trace.step(b.traceId[slot], this.deviceName, node.name, b.data, b.off[slot], b.len[slot], b.off[slot] === b.l3[slot]);
      }
    }
  }

  /**
   * A packet the device took in locally (ARP for us, an echo request): frees
   * the slot. `why` is a constant string, so the hot path builds nothing.
   */
  consume(slot: number, why: string): void {
    const b = this.batch;
    if (b.flags[slot] & F_TRACED) this.trace.fate(b.traceId[slot], `consumed: ${why}`);
    this.acct.consumed++;
    b.release(slot);
  }

  /**
   * The packet in `slot` is taken in (consumed, or dropped under `dropReason`)
   * and the same slot is reused for a packet the device generates in reply.
   */
  convert(slot: number, dropReason = 0): void {
    const b = this.batch;
    if (dropReason === 0) this.acct.consumed++;
    else {
      this.drops[dropReason]++;
      this.acct.dropped++;
    }
    this.acct.generated++;
    if (b.flags[slot] & F_TRACED) {
      this.trace.fate(b.traceId[slot], dropReason ? `dropped: ${this.reasonNames[dropReason]}` : 'consumed');
      this.trace.note(b.traceId[slot], 'reply generated');
    }
  }

  /** Accounts for a packet the device creates in a new slot (an ARP request, a fragment). */
  generated(slot: number, fromSlot = -1): void {
    this.acct.generated++;
    const b = this.batch;
    if (fromSlot >= 0) b.inherit(slot, fromSlot);
  }

  /** Total drops by reason name, for stats. */
  dropsByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 1; i < this.reasonNames.length; i++) if (this.drops[i] > 0) out[this.reasonNames[i]] = this.drops[i];
    return out;
  }
}
