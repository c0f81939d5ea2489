// Benchmark input: frames laid out back to back in one buffer, as a pcap
// reader's chunk holds them, so feeding them costs what reading a capture does.

export interface PackedFrames {
  buf: Uint8Array;
  offs: Uint32Array;
  lens: Uint32Array;
  count: number;
  /** Sum of the frames' lengths (captured bytes, without the FCS). */
  bytes: number;
}

export function packFrames(frames: readonly Uint8Array[], buf?: Uint8Array): PackedFrames {
  const bytes = frames.reduce((s, f) => s + f.length, 0);
  const out = buf ?? new Uint8Array(bytes);
  if (out.length < bytes) throw new Error(`packFrames: ${bytes} bytes do not fit in ${out.length}`);
  const offs = new Uint32Array(frames.length);
  const lens = new Uint32Array(frames.length);
  let o = 0;
  frames.forEach((f, i) => { out.set(f, o); offs[i] = o; lens[i] = f.length; o += f.length; });
  return { buf: out, offs, lens, count: frames.length, bytes };
}
