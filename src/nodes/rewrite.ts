import { GraphNode } from '../graph/node.js';
import { F_LOCAL_ORIGIN, type Batch } from '../packet/batch.js';
import type { DeviceRt } from '../device/device.js';
import { ipv4HeaderChecksum } from '../packet/checksum.js';
import { icmpErrorAux } from './icmp4.js';

/** TTL + 1 with the RFC 1624 checksum update (the inverse of ipv4DecrementTtl). */
export function ipv4IncrementTtl(d: Uint8Array, l3: number): void {
  d[l3 + 8]++;
  let c = ((d[l3 + 10] << 8) | d[l3 + 11]) + 0xfeff; // − 0x0100 in ones' complement
  c = (c & 0xffff) + (c >>> 16);
  d[l3 + 10] = c >> 8;
  d[l3 + 11] = c & 0xff;
}

const NEXT_OUTPUT = 0;
const NEXT_ICMP_ERROR = 1;
const NEXT_FRAGMENT = 2;

/**
 * ip4-rewrite / ip6-rewrite (one body): checks the packet against the egress
 * IFL's family MTU, then puts the adjacency's L2 header (neighbour MAC, own
 * MAC, VLAN tags) in front of it. Too big: IPv4 with DF set gets ICMP
 * fragmentation needed with the MTU, IPv4 without DF goes to ip4-fragment,
 * IPv6 gets packet too big (routers do not fragment IPv6). The error quotes
 * the packet as received, so the lookup's TTL/hop-limit decrement is undone.
 */
export class IpRewrite extends GraphNode {
  readonly name: string;
  readonly nextNames: readonly string[];
  override readonly errorNames: readonly string[];

  constructor(private readonly dev: DeviceRt, private readonly family: 4 | 6) {
    super();
    this.name = `ip${family}-rewrite`;
    this.nextNames = family === 4 ? ['interface-output', 'ip4-icmp-error', 'ip4-fragment'] : ['interface-output', 'ip6-icmp-error'];
    this.errorNames = [family === 4 ? 'ip4_mtu_exceeded_df' : 'ip6_packet_too_big'];
  }

  process(b: Batch, frame: Uint16Array, n: number): void {
    const d = b.data;
    const adjs = this.dev.adjs.all;
    const ifls = this.dev.ifs.ifls;
    const v4 = this.family === 4;
    for (let i = 0; i < n; i++) {
      const slot = frame[i];
      const a = adjs[b.adj[slot]];
      const l3 = b.l3[slot];
      const l3len = b.off[slot] + b.len[slot] - l3;
      const mtu = v4 ? ifls[a.ifl].mtu4 : ifls[a.ifl].mtu6;
      if (l3len > mtu) {
        this.tooBig(b, slot, l3, mtu);
        continue;
      }
      const rw = a.rewrite;
      const rwLen = rw.length;
      const start = l3 - rwLen;
      // 14 to 22 bytes: a plain loop beats a native set() call.
      for (let k = 0; k < rwLen; k++) d[start + k] = rw[k];
      b.off[slot] = start;
      b.len[slot] = l3len + rwLen;
      b.txIfl[slot] = a.ifl;
      this.enqueue(NEXT_OUTPUT, slot);
    }
  }

  private tooBig(b: Batch, slot: number, l3: number, mtu: number): void {
    const d = b.data;
    if (this.family === 4 && (d[l3 + 6] & 0x40) === 0) {
      b.aux[slot] = mtu;
      this.enqueue(NEXT_FRAGMENT, slot);
      return;
    }
    if ((b.flags[slot] & F_LOCAL_ORIGIN) === 0) {
      if (this.family === 4) ipv4IncrementTtl(d, l3);
      else d[l3 + 7]++;
    }
    b.error[slot] = this.errorCodes[0];
    b.aux[slot] = this.family === 4 ? icmpErrorAux(3, 4, mtu) : icmpErrorAux(2, 0, mtu);
    this.enqueue(NEXT_ICMP_ERROR, slot);
  }
}

/**
 * ip4-fragment: splits a packet larger than the egress MTU (DF clear) into
 * fragments (RFC 791), the first in the packet's own slot, the others in new
 * slots, each back to ip4-rewrite. Options are copied into every fragment
 * only when their copy bit is set.
 */
export class Ip4Fragment extends GraphNode {
  readonly nextNames: readonly string[];

  /** `st0-fragment` → `st0-output` fragments before encryption; `ip4-fragment` → `ip4-rewrite` before Ethernet. */
  constructor(readonly name = 'ip4-fragment', next = 'ip4-rewrite') {
    super();
    this.nextNames = [next];
  }

  override readonly errorNames = ['ip4_fragment_no_buffer'];
  override readonly counterNames = ['fragments_created'];

  /** Slots of the fragments of one packet, last fragment first. */
  private readonly made: number[] = [];

  process(b: Batch, frame: Uint16Array, n: number): void {
    for (let i = 0; i < n; i++) {
      this.made.length = 0;
      this.fragment(b, frame[i]);
      // Fragments leave in offset order.
      for (let k = this.made.length - 1; k >= 0; k--) this.enqueue(0, this.made[k]);
    }
  }

  private fragment(b: Batch, slot: number): void {
    const d = b.data;
    const l3 = b.l3[slot];
    const mtu = b.aux[slot];
    const ihl = (d[l3] & 15) << 2;
    const total = b.off[slot] + b.len[slot] - l3;
    const payload = total - ihl;
    const chunk = (mtu - ihl) & ~7;
    const count = Math.ceil(payload / chunk);
    if (chunk <= 0 || count - 1 > b.free) { this.drop(b, slot, 0); return; }
    const origFrag = ((d[l3 + 6] & 0x1f) << 8) | d[l3 + 7];
    const origMf = d[l3 + 6] & 0x20;
    // Later fragments carry only the options whose copy bit is set.
    const opts = copiedOptions(d, l3 + 20, ihl - 20);
    const laterIhl = 20 + ((opts.length + 3) & ~3);
    for (let k = count - 1; k >= 1; k--) {
      const size = Math.min(chunk, payload - k * chunk);
      const s = b.alloc();
      this.g.generated(s, slot);
      const o = b.off[s];
      d.copyWithin(o, l3, l3 + 20);
      d.set(opts, o + 20);
      d.fill(1, o + 20 + opts.length, o + laterIhl); // pad with NOPs
      d.copyWithin(o + laterIhl, l3 + ihl + k * chunk, l3 + ihl + k * chunk + size);
      d[o] = 0x40 | (laterIhl >> 2);
      this.finish(d, o, laterIhl, laterIhl + size, origFrag + (k * chunk) / 8, k < count - 1 || origMf !== 0);
      b.l3[s] = o;
      b.len[s] = laterIhl + size;
      b.adj[s] = b.adj[slot];
      this.counters[0]++;
      this.made.push(s);
    }
    this.finish(d, l3, ihl, ihl + chunk, origFrag, true);
    b.len[slot] = l3 - b.off[slot] + ihl + chunk;
    this.counters[0]++;
    this.made.push(slot);
  }

  private finish(d: Uint8Array, o: number, ihl: number, total: number, fragOff: number, more: boolean): void {
    d[o + 2] = total >> 8;
    d[o + 3] = total & 0xff;
    d[o + 6] = (d[o + 6] & 0x40) | (more ? 0x20 : 0) | ((fragOff >> 8) & 0x1f);
    d[o + 7] = fragOff & 0xff;
    d[o + 10] = 0;
    d[o + 11] = 0;
    const c = ipv4HeaderChecksum(d, o, ihl);
    d[o + 10] = c >> 8;
    d[o + 11] = c & 0xff;
  }
}

/** The IPv4 options with the copy bit set (RFC 791), for fragments after the first. */
function copiedOptions(d: Uint8Array, off: number, len: number): Uint8Array {
  const out: number[] = [];
  let p = off;
  const end = off + len;
  while (p < end) {
    const type = d[p];
    if (type === 0) break;
    if (type === 1) { p++; continue; }
    const olen = p + 1 < end ? d[p + 1] : 0;
    if (olen < 2 || p + olen > end) break;
    if (type & 0x80) for (let k = 0; k < olen; k++) out.push(d[p + k]);
    p += olen;
  }
  return Uint8Array.from(out);
}
