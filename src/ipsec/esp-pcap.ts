// `triode esp encrypt|decrypt`: ESP over the IP packets of a capture, through
// a small graph of its own: esp-frame-input → esp-encrypt|esp-decrypt →
// esp-frame-output. The Ethernet header (MACs, VLAN tags) of each frame is
// kept; only the ethertype follows the new outer (or inner) IP version.

import { Graph } from '../graph/graph.js';
import { GraphNode } from '../graph/node.js';
import { type Batch, MAX_FRAME, SLOT_COUNT, VECTOR_SIZE } from '../packet/batch.js';
import { CaptureReader, newCaptureRecord } from '../pcap/reader.js';
import { PcapWriter } from '../pcap/writer.js';
import { EspDecrypt } from '../nodes/esp-decrypt.js';
import { EspEncrypt } from '../nodes/esp-encrypt.js';
import type { SaDatabase } from './sa.js';

/** Room per slot for the saved Ethernet header: two MACs and two tags. */
const L2_SAVE = 20;

/** The Ethernet headers of the frames in flight, by slot (without the ethertype). */
class L2Save {
  readonly bytes = new Uint8Array(SLOT_COUNT * L2_SAVE);
  readonly len = new Uint8Array(SLOT_COUNT);
}

/**
 * esp-frame-input: finds the IP packet in an Ethernet frame (after up to two
 * VLAN tags), saves the Ethernet header, trims the Ethernet padding, and picks
 * the SA. Encrypting takes any IPv4/IPv6 packet; decrypting takes ESP only.
 */
class EspFrameInput extends GraphNode {
  readonly name = 'esp-frame-input';
  readonly nextNames = ['esp'];
  override readonly errorNames = ['not_ip', 'not_esp', 'ip_truncated'];

  constructor(private readonly l2: L2Save, private readonly decrypt: boolean, private readonly sa: number) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const off = b.off[slot];
      const end = off + b.len[slot];
      let p = off + 12;
      let type = end - off >= 14 ? (d[p] << 8) | d[p + 1] : 0;
      for (let tags = 0; tags < 2 && (type === 0x8100 || type === 0x88a8) && p + 6 <= end; tags++) {
        p += 4;
        type = (d[p] << 8) | d[p + 1];
      }
      const l3 = p + 2;
      const v4 = type === 0x0800 && l3 + 20 <= end && d[l3] >> 4 === 4 && (d[l3] & 15) >= 5 && ((d[l3 + 2] << 8) | d[l3 + 3]) >= (d[l3] & 15) * 4;
      const v6 = type === 0x86dd && l3 + 40 <= end && d[l3] >> 4 === 6;
      if (!v4 && !v6) { this.drop(b, slot, 0); continue; }
      const ipLen = v4 ? (d[l3 + 2] << 8) | d[l3 + 3] : 40 + ((d[l3 + 4] << 8) | d[l3 + 5]);
      if (l3 + ipLen > end) { this.drop(b, slot, 2); continue; }
      if (this.decrypt && (v4 ? d[l3 + 9] : d[l3 + 6]) !== 50) { this.drop(b, slot, 1); continue; }
      const l2len = l3 - 2 - off;
      this.l2.len[slot] = l2len;
      const save = this.l2.bytes;
      for (let k = 0, o = slot * L2_SAVE; k < l2len; k++) save[o + k] = d[off + k];
      b.l3[slot] = l3;
      b.len[slot] = l3 + ipLen - off;
      b.sa[slot] = this.sa;
      this.enqueue(0, slot);
    }
  }
}

/** esp-frame-output: puts the saved Ethernet header back in front of the IP packet and writes the frame. */
class EspFrameOutput extends GraphNode {
  readonly name = 'esp-frame-output';
  readonly nextNames = [];

  constructor(private readonly l2: L2Save, private readonly out: PcapWriter) {
    super();
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const l3 = b.l3[slot];
      const end = b.off[slot] + b.len[slot];
      const l2len = this.l2.len[slot];
      const start = l3 - 2 - l2len;
      const save = this.l2.bytes;
      for (let k = 0, o = slot * L2_SAVE; k < l2len; k++) d[start + k] = save[o + k];
      const type = d[l3] >> 4 === 6 ? 0x86dd : 0x0800;
      d[l3 - 2] = type >> 8;
      d[l3 - 1] = type & 0xff;
      this.out.write(d, start, end - start, b.tsSec[slot], b.tsNsec[slot]);
      b.release(slot);
    }
    this.g.acct.out += n;
  }
}

export interface EspPcapResult {
  graph: Graph;
}

/**
 * Runs a capture through ESP encryption (every IP packet tunnelled by the
 * outbound SA `sa`) or decryption (every ESP packet by the inbound SAs of
 * `db`), writing the frames that come out to `outFile`.
 */
export function espPcap(mode: 'encrypt' | 'decrypt', db: SaDatabase, sa: number, inFile: string, outFile: string): EspPcapResult {
  const g = new Graph('esp');
  const l2 = new L2Save();
  const reader = CaptureReader.open(inFile);
  const writer = new PcapWriter(outFile, { nanosecond: reader.nanosecond });
  try {
    const input = g.add(new EspFrameInput(l2, mode === 'decrypt', sa));
    const esp = mode === 'encrypt'
      ? new EspEncrypt(db, { name: 'esp', next4: 'esp-frame-output', next6: 'esp-frame-output' })
      : new EspDecrypt(db, { name: 'esp', next4: 'esp-frame-output', next6: 'esp-frame-output' });
    g.add(esp);
    g.add(new EspFrameOutput(l2, writer));
    g.wire();
    const b = g.batch;
    const rec = newCaptureRecord();
    let k = 0;
    while (reader.next(rec)) {
      g.acct.in++;
      if (rec.origLen > rec.caplen || rec.caplen > MAX_FRAME) {
        g.acct.dropped++;
        g.drops[g.reason(rec.caplen > MAX_FRAME ? 'frame_too_long' : 'capture_truncated')]++;
        continue;
      }
      const slot = b.alloc();
      b.copyIn(slot, rec.buf, rec.offset, rec.caplen);
      b.len[slot] = rec.caplen;
      b.tsSec[slot] = rec.tsSec;
      b.tsNsec[slot] = rec.tsNsec;
      input.frame[input.count++] = slot;
      if (++k === VECTOR_SIZE) {
        g.run();
        k = 0;
      }
    }
    g.run();
  } finally {
    reader.close();
    writer.close();
  }
  return { graph: g };
}
