import { ByteCopier } from './byte-copier.js';

// One batch = one preallocated slab of packet slots plus struct-of-arrays
// metadata. Nothing here is allocated per packet: slots are recycled through a
// free list and every per-packet field is a typed-array element.

/** Packets taken from the input per batch (a VPP frame). */
export const VECTOR_SIZE = 256;
/** Room in front of a packet for encapsulation: outer Ethernet + VLAN + IPv6 + UDP + VXLAN + ESP and more. */
export const HEADROOM = 256;
/** Largest frame taken in or sent (the seed's MTU 9192 plus tags fits). */
export const MAX_FRAME = 9216;
/** Room behind a packet for the ESP trailer and ICV. */
export const TAILROOM = 64;
export const SLOT_SIZE = HEADROOM + MAX_FRAME + TAILROOM;
/** Slots per batch: a full input vector plus as many for packets generated while it runs. */
export const SLOT_COUNT = 2 * VECTOR_SIZE;

/** Per-packet flag bits. */
export const F_TRACED = 1;
/** Originated by this device (ICMP errors, replies): not subject to TTL decrement. */
export const F_LOCAL_ORIGIN = 2;
/** Arrived without an Ethernet header (decrypted from a tunnel): b.off is not a MAC header. */
export const F_NO_L2 = 4;
/** Already encapsulated in ESP by this device (guards a tunnel routed into itself). */
export const F_ENCAPSULATED = 8;
/** b.l3 is an MPLS label stack, not an IP header (a held labelled packet is released to mpls-output). */
export const F_MPLS = 16;
/** GRE-encapsulated by this device, by the gr- IFL in b.txIfl (guards a tunnel routed into itself). */
export const F_GRE = 32;
/** A bridged frame decapsulated from VXLAN (b.adj: the VTEP it came from): never flooded back into VXLAN (split horizon). */
export const F_FROM_VXLAN = 64;
/** A frame the IRB sent into its bridge domain (b.rxIfl: the IRB): nothing is learned from it, no copy goes back to the IRB. */
export const F_FROM_IRB = 128;

export class Batch {
  readonly data = new Uint8Array(SLOT_COUNT * SLOT_SIZE);
  /** Absolute offset in `data` of the packet's first byte (its current outermost header). */
  readonly off = new Uint32Array(SLOT_COUNT);
  readonly len = new Uint16Array(SLOT_COUNT);
  /** Absolute offset of the L3 header, set by ethernet-input. */
  readonly l3 = new Uint32Array(SLOT_COUNT);
  /** Port (IFD index) the frame arrived on. */
  readonly rxPort = new Uint16Array(SLOT_COUNT);
  /** Receiving and transmitting IFL indexes. */
  readonly rxIfl = new Uint32Array(SLOT_COUNT);
  readonly txIfl = new Uint32Array(SLOT_COUNT);
  /** Routing table index the packet is looked up in. */
  readonly table = new Uint16Array(SLOT_COUNT);
  /** Adjacency chosen by the lookup. */
  readonly adj = new Uint32Array(SLOT_COUNT);
  /** Security association the packet is processed by (ESP nodes). */
  readonly sa = new Uint32Array(SLOT_COUNT);
  /** Scratch value a node passes to its next node (ICMP type/code, MTU ...). */
  readonly aux = new Uint32Array(SLOT_COUNT);
  /** Drop reason code, meaningful on the way to error-drop. */
  readonly error = new Uint16Array(SLOT_COUNT);
  readonly flags = new Uint8Array(SLOT_COUNT);
  readonly tsSec = new Uint32Array(SLOT_COUNT);
  readonly tsNsec = new Uint32Array(SLOT_COUNT);
  /** Index of the packet's trace in the device's trace buffer (traced packets only). */
  readonly traceId = new Uint32Array(SLOT_COUNT);

  private readonly freeList = new Uint16Array(SLOT_COUNT);
  private freeCount = SLOT_COUNT;

  constructor() {
    // Hand slots out in ascending order so outputs are laid out predictably.
    for (let i = 0; i < SLOT_COUNT; i++) this.freeList[i] = SLOT_COUNT - 1 - i;
  }

  get free(): number {
    return this.freeCount;
  }

  /** Takes a slot and places an empty packet at its headroom mark; -1 when none is left. */
  alloc(): number {
    if (this.freeCount === 0) return -1;
    const slot = this.freeList[--this.freeCount];
    this.off[slot] = slot * SLOT_SIZE + HEADROOM;
    this.len[slot] = 0;
    this.l3[slot] = 0;
    this.flags[slot] = 0;
    this.error[slot] = 0;
    this.aux[slot] = 0;
    return slot;
  }

  private readonly copier = new ByteCopier(this.data);

  /** Copies a frame into a slot's packet position (no allocation for frames up to 512 bytes). */
  copyIn(slot: number, src: Uint8Array, off: number, len: number): void {
    this.copier.copy(this.off[slot], src, off, len);
  }

  release(slot: number): void {
    this.freeList[this.freeCount++] = slot;
  }

  /** Absolute offset of the slot's first byte: the packet may start no earlier. */
  slotStart(slot: number): number {
    return slot * SLOT_SIZE;
  }

  /** Absolute offset one past the slot's last byte. */
  slotEnd(slot: number): number {
    return (slot + 1) * SLOT_SIZE;
  }

  /** Copies metadata that travels with a packet (time, trace, flags) from one slot to another. */
  inherit(to: number, from: number): void {
    this.tsSec[to] = this.tsSec[from];
    this.tsNsec[to] = this.tsNsec[from];
    this.flags[to] = this.flags[from];
    this.traceId[to] = this.traceId[from];
    this.rxPort[to] = this.rxPort[from];
    this.rxIfl[to] = this.rxIfl[from];
    this.table[to] = this.table[from];
  }
}
