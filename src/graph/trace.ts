// Per-packet tracing, as VPP's `trace add`: a traced packet carries one flag
// bit; each node it passes records a small step (node, a copy of the leading
// bytes, a note). Decoding to text happens only when the trace is printed.

export interface TraceStep {
  device: string;
  node: string;
  bytes: Uint8Array;
  /** The bytes start at the L3 header (a packet the device built, before its L2 header is written). */
  l3Only: boolean;
  note: string;
}

export interface PacketTrace {
  id: number;
  /** Where and when the packet came in, e.g. "et-0/2/10". */
  origin: string;
  tsSec: number;
  tsNsec: number;
  steps: TraceStep[];
  /** How it ended: "out ae0.0", "dropped: ip4_ttl_expired", "consumed". */
  fates: string[];
  /** Per fate, the number of steps recorded when it came: steps[fateAt[k] - 1] is the node that decided fate k. */
  fateAt: number[];
}

/** Bytes of the packet kept per step: enough for every header a decode shows. */
const TRACE_BYTES = 256;

export class TraceBuffer {
  readonly traces: PacketTrace[] = [];
  constructor(public budget: number) {}

  /** Starts a trace if the budget allows; returns its id or -1. */
  start(origin: string, tsSec: number, tsNsec: number): number {
    if (this.traces.length >= this.budget) return -1;
    const id = this.traces.length;
    this.traces.push({ id, origin, tsSec, tsNsec, steps: [], fates: [], fateAt: [] });
    return id;
  }

  step(id: number, device: string, node: string, data: Uint8Array, off: number, len: number, l3Only: boolean): void {
    const n = Math.min(len, TRACE_BYTES);
    this.traces[id].steps.push({ device, node, bytes: data.slice(off, off + n), l3Only, note: '' });
  }

  note(id: number, text: string): void {
    const steps = this.traces[id].steps;
    if (steps.length === 0) return;
    const last = steps[steps.length - 1];
    last.note = last.note ? `${last.note}; ${text}` : text;
  }

  fate(id: number, text: string): void {
    const t = this.traces[id];
    t.fates.push(text);
    t.fateAt.push(t.steps.length);
  }
}
