import { Batch, SLOT_COUNT } from '../packet/batch.js';
import type { Graph } from './graph.js';

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

  // Wired by the graph.
  g!: Graph;
  next: GraphNode[] = [];
  /** Global drop-reason codes of errorNames, by local index. */
  errorCodes = new Uint16Array(0);
  counters = new Float64Array(0);
  /** Packets waiting to be processed (slot numbers), and a spare swapped in while processing. */
  frame = new Uint16Array(SLOT_COUNT);
  spare = new Uint16Array(SLOT_COUNT);
  count = 0;
  calls = 0;
  packets = 0;

  /** Processes `n` slots of `frame`. Every slot must be passed on: enqueued, dropped, consumed or output. */
  abstract process(b: Batch, frame: Uint16Array, n: number): void;

  /** Called once after the graph is wired, to resolve names to indexes. */
  init(): void {}

  enqueue(nextIndex: number, slot: number): void {
    const nx = this.next[nextIndex];
    nx.frame[nx.count++] = slot;
  }

  /** Sends the packet to error-drop under one of this node's declared reasons. */
  drop(b: Batch, slot: number, localError: number): void {
    b.error[slot] = this.errorCodes[localError];
    const d = this.g.dropNode;
    d.frame[d.count++] = slot;
  }

  /** Adds a note to a traced packet's current step (cheap to call: checks the flag first). */
  note(b: Batch, slot: number, text: () => string): void {
    if (b.flags[slot] & 1) this.g.trace.note(b.traceId[slot], text());
  }
}
