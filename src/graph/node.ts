import { Batch, SLOT_COUNT } from '../packet/batch.js';
import type { Graph } from './graph.js';

/**
 * A node's input: the slots waiting for it, and a spare array swapped in while
 * it runs (so it may enqueue into itself). Every node's queue is of this one
 * class, so the per-packet accesses (`q.frame[q.count++] = slot`) stay
 * monomorphic however many node classes there are; counts of calls and
 * packets live here for the same reason.
 */
export class NodeQueue {
  frame: Uint16Array = new Uint16Array(SLOT_COUNT);
  spare: Uint16Array = new Uint16Array(SLOT_COUNT);
  count = 0;
  calls = 0;
  packets = 0;
}

/**
 * A graph node (VPP's graph node, Click's element): does one thing to a vector
 * of packets and hands each to one of its declared next nodes. Drop reasons
 * and counters are declared up front so `show errors` can list them all.
 */
export abstract class GraphNode {
  abstract readonly name: string;
  /** Next nodes by name; the index into this list is the next index. */
  abstract readonly nextNames: readonly string[];
  /** Drop reasons this node may set (snake_case). */
  readonly errorNames: readonly string[] = [];
  /** Event counters that are not drops (snake_case). */
  readonly counterNames: readonly string[] = [];

  /** Packets waiting to be processed. */
  readonly q = new NodeQueue();
  // Wired by the graph.
  g!: Graph;
  next: GraphNode[] = [];
  /** The next nodes' queues, by next index. */
  nextQ: NodeQueue[] = [];
  /** Global drop-reason codes of errorNames, by local index. */
  errorCodes: Uint16Array = new Uint16Array(0);
  counters: Float64Array = new Float64Array(0);

  /** Processes `n` slots of `frame`. Every slot must be passed on: enqueued, dropped, consumed or output. */
  abstract process(b: Batch, frame: Uint16Array, n: number): void;

  /** Called once after the graph is wired, to resolve names to indexes. */
  init(): void {}

  get frame(): Uint16Array {
    return this.q.frame;
  }
  get count(): number {
    return this.q.count;
  }
  set count(n: number) {
    this.q.count = n;
  }
  get calls(): number {
    return this.q.calls;
  }
  get packets(): number {
    return this.q.packets;
  }

  /**
   * Sends the packet in `slot` to next node `nextIndex`. A closure made per
   * node by wireQueues() rather than a method: a base-class method reading
   * `this.next` would see every node class's shape at one site (a megamorphic
   * load per packet per node); the closure holds the queues in its context.
   */
  enqueue: (nextIndex: number, slot: number) => void = unwired;
  /** Sends the packet to error-drop under one of this node's declared reasons (a closure, as enqueue). */
  drop: (b: Batch, slot: number, localError: number) => void = unwired;

  /** Resolves the next nodes and error codes (the graph calls this once). */
  wireQueues(next: GraphNode[], drop: NodeQueue, errorCodes: Uint16Array): void {
    this.next = next;
    this.errorCodes = errorCodes;
    const nq = next.map((n) => n.q);
    this.nextQ = nq;
    this.enqueue = (nextIndex: number, slot: number): void => {
      const q = nq[nextIndex]!;
      q.frame[q.count++] = slot;
    };
    this.drop = (b: Batch, slot: number, localError: number): void => {
      b.error[slot] = errorCodes[localError]!;
      drop.frame[drop.count++] = slot;
    };
  }

  /** Adds a note to a traced packet's current step (cheap to call: checks the flag first). */
  note(b: Batch, slot: number, text: () => string): void {
    if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], text());
  }
}

function unwired(): void {
  throw new Error('graph: node used before the graph was wired');
}
