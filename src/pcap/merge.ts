// Several captures read as one stream in timestamp order (ties go to the
// capture listed first), as a run merges its inputs and a parallel run its
// replicas' outputs.
import { newCaptureRecord, type CaptureReader, type CaptureRecord } from './reader.js';

export class MergedCaptures {
  private readonly recs: (CaptureRecord | null)[];

  constructor(readonly readers: readonly CaptureReader[]) {
    this.recs = readers.map((r) => {
      const rec = newCaptureRecord();
      return r.next(rec) ? rec : null;
    });
  }

  /** Index of the reader whose next record is the earliest, or -1 when all are done. */
  earliest(): number {
    const recs = this.recs;
    let k = -1;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      if (r && (k < 0 || r.tsSec < recs[k]!.tsSec || (r.tsSec === recs[k]!.tsSec && r.tsNsec < recs[k]!.tsNsec))) k = i;
    }
    return k;
  }

  /** The next record of reader k (valid until advance(k)). */
  record(k: number): CaptureRecord {
    return this.recs[k]!;
  }

  /** Moves reader k on to its next record. Throws CaptureError for a corrupt capture. */
  advance(k: number): void {
    if (!this.readers[k].next(this.recs[k]!)) this.recs[k] = null;
  }
}
