/**
 * Copies byte ranges into one destination array. Small ranges go four bytes
 * at a time through DataViews: `set(subarray())`, the usual way, allocates a
 * view per call, which the hot path must not. The source's DataView is made
 * once per source buffer (a pcap reader's chunk, a batch slab).
 */
export class ByteCopier {
  private readonly dv: DataView;
  private src: Uint8Array | null = null;
  private sv: DataView | null = null;

  constructor(private readonly dst: Uint8Array) {
    this.dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  }

  copy(dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
    if (len > 512) {
      this.dst.set(src.subarray(srcOff, srcOff + len), dstOff);
      return;
    }
    if (src !== this.src) {
      this.src = src;
      this.sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    const sv = this.sv!;
    const dv = this.dv;
    let i = 0;
    for (; i + 4 <= len; i += 4) dv.setUint32(dstOff + i, sv.getUint32(srcOff + i));
    for (; i < len; i++) this.dst[dstOff + i] = src[srcOff + i];
  }
}
