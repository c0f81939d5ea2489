/**
 * Shared state of one frame decode: the one-line summary being built and the
 * field tree (`tshark -V`-like). Both are produced by a single walk so they
 * cannot disagree. Field offsets are relative to the start of the frame.
 */

export interface DecodedField {
  /** tshark-style field name, e.g. `ip.ttl`, `vxlan.vni`. */
  name: string;
  value: string;
  /** Byte offset from the start of the frame. */
  offset: number;
  /** Bytes covered (0 for derived values and bit fields sharing a byte). */
  length: number;
}

export interface DecodedLayer {
  /** tshark-style protocol name: eth, vlan, arp, ip, ipv6, icmp, icmpv6, udp, tcp, esp, vxlan, gre, mpls. */
  layer: string;
  fields: DecodedField[];
}

/** Tunnels nested deeper than this are not decoded further. */
export const DECODE_MAX_DEPTH = 8;

export class DecodeContext {
  readonly layers: DecodedLayer[] = [];
  private text = '';
  /** Tunnel nesting depth. */
  depth = 0;

  constructor(readonly base: number) {}

  /** Starts a new layer in the field tree. */
  layer(name: string): DecodedLayer {
    const l: DecodedLayer = { layer: name, fields: [] };
    this.layers.push(l);
    return l;
  }

  /** Adds a field at absolute buffer offset `off`. */
  field(l: DecodedLayer, name: string, value: string | number | boolean, off: number, length: number): void {
    l.fields.push({ name, value: String(value), offset: off - this.base, length });
  }

  /** Appends to the summary, separated by `sep` unless it is the first piece. */
  say(s: string, sep = ' '): void {
    this.text = this.text.length === 0 ? s : this.text + sep + s;
  }

  /** Appends a malformed-layer marker: `[truncated ipv4]` or `[malformed ipv4: ipv4_bad_ihl]`. */
  malformed(proto: string, error: string, l?: DecodedLayer, off = 0): void {
    const m = error.endsWith('_truncated') ? `[truncated ${proto}]` : `[malformed ${proto}: ${error}]`;
    this.say(m);
    if (l) this.field(l, '_ws.malformed', error, off, 0);
  }

  summary(): string {
    return this.text;
  }
}

export function hex(v: number, digits: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}
