// Masks of a conformance case: fields an implementation may fill differently
// without being wrong (an IPv4 identification, a checksum over it, a random
// ESP IV), named by field, never by byte offset. A masked field is located in
// each frame by the decoder's field tree (the tshark names of
// src/packet/decode.ts), at every depth it occurs, and its bytes are ignored
// when the frames are compared.

import { decodeFrameFields } from '../packet/decode.js';

interface MaskDef {
  /** What the mask covers, for the README and messages. */
  about: string;
  /** The decoder's field name, when the mask is one decoded field. */
  decoded?: string;
}

/**
 * The masks a case may name. `ipv4.*` are the decoder's `ip.*` fields (tshark
 * names both ways are accepted). `esp.iv` covers the IV and everything after
 * it: with AES-GCM the ciphertext and ICV change with the IV. `timestamp`
 * ignores the pcap record's time.
 */
export const MASK_FIELDS = {
  timestamp: { about: "the pcap record's timestamp" },
  'ipv4.id': { about: 'IPv4 identification', decoded: 'ip.id' },
  'ipv4.checksum': { about: 'IPv4 header checksum', decoded: 'ip.checksum' },
  'ipv4.ttl': { about: 'IPv4 time to live', decoded: 'ip.ttl' },
  'ipv4.dsfield': { about: 'IPv4 DSCP and ECN', decoded: 'ip.dsfield' },
  'ip.id': { about: 'IPv4 identification', decoded: 'ip.id' },
  'ip.checksum': { about: 'IPv4 header checksum', decoded: 'ip.checksum' },
  'ip.ttl': { about: 'IPv4 time to live', decoded: 'ip.ttl' },
  'ipv6.hlim': { about: 'IPv6 hop limit', decoded: 'ipv6.hlim' },
  'udp.checksum': { about: 'UDP checksum', decoded: 'udp.checksum' },
  'tcp.checksum': { about: 'TCP checksum', decoded: 'tcp.checksum' },
  'icmp.checksum': { about: 'ICMP checksum', decoded: 'icmp.checksum' },
  'icmpv6.checksum': { about: 'ICMPv6 checksum', decoded: 'icmpv6.checksum' },
  'esp.iv': { about: 'ESP IV, and with it the ciphertext and ICV (everything after the sequence number)' },
} satisfies Record<string, MaskDef>;

export type MaskField = keyof typeof MASK_FIELDS;

/** Byte ranges [offset, length] of the masked fields in a frame (timestamp covers none). */
export function maskedRanges(frame: Uint8Array, masks: readonly MaskField[]): [number, number][] {
  if (masks.length === 0) return [];
  const out: [number, number][] = [];
  const layers = decodeFrameFields(frame, 0, frame.length);
  for (const m of masks) {
    const def: MaskDef = MASK_FIELDS[m];
    if (def.decoded !== undefined) {
      for (const l of layers) for (const f of l.fields) if (f.name === def.decoded && f.length > 0) out.push([f.offset, f.length]);
    } else if (m === 'esp.iv') {
      for (const l of layers) {
        for (const f of l.fields) if (f.name === 'esp.sequence' && f.length > 0) out.push([f.offset + f.length, frame.length - f.offset - f.length]);
      }
    }
  }
  return out;
}

/** A copy of the frame with the masked fields' bytes zeroed (the frame itself when nothing is masked). */
export function applyMasks(frame: Uint8Array, masks: readonly MaskField[]): Uint8Array {
  const ranges = maskedRanges(frame, masks);
  if (ranges.length === 0) return frame;
  const c = Uint8Array.from(frame);
  for (const [off, len] of ranges) c.fill(0, off, Math.min(c.length, off + len));
  return c;
}
