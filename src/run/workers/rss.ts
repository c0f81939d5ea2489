// Receive-side scaling: which pipeline replica (worker) takes a frame from an
// input, as a NIC's RSS hash picks a receive queue. Packets of one flow always
// land on one replica, in order. Two exceptions, both about state one replica
// must own:
//  - ESP goes by its SPI, to the replica that owns the SA (saOwner), so the
//    anti-replay window of an inbound SA sees its packets on one core, in order;
//  - ARP and IPv6 neighbour discovery go to replica 0, which plays the routing
//    engine's part: it resolves neighbours for every replica and tells them
//    what it learned.

/** Replica that owns the SA with this SPI (its sequence numbers and replay window). */
export function saOwner(spi: number, replicas: number): number {
  return replicas <= 1 ? 0 : mix(spi >>> 0) % replicas;
}

/** A 32-bit finaliser (murmur3's fmix32): every input bit moves every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const rd32 = (d: Uint8Array, o: number) => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;

/**
 * The replica for a captured Ethernet frame d[off, off + len). Skips up to two
 * VLAN tags. IPv4 fragments hash on addresses, protocol and ID (a later
 * fragment has no ports); other IP packets on the 5-tuple (ports for TCP, UDP,
 * SCTP; ICMP type and id otherwise zero); anything else on nothing (replica 0).
 */
export function rssReplica(d: Uint8Array, off: number, len: number, replicas: number): number {
  if (replicas <= 1) return 0;
  const end = off + len;
  let p = off + 12;
  if (p + 2 > end) return 0;
  let type = (d[p] << 8) | d[p + 1];
  for (let tags = 0; tags < 2 && (type === 0x8100 || type === 0x88a8) && p + 6 <= end; tags++) {
    p += 4;
    type = (d[p] << 8) | d[p + 1];
  }
  p += 2;
  let h: number;
  let proto: number;
  let l4: number;
  if (type === 0x0800) {
    if (p + 20 > end) return 0;
    proto = d[p + 9];
    h = mix(rd32(d, p + 12) ^ mix(rd32(d, p + 16) ^ proto));
    const frag = ((d[p + 6] << 8) | d[p + 7]) & 0x3fff;
    if (frag !== 0) return mix(h ^ ((d[p + 4] << 8) | d[p + 5])) % replicas;
    l4 = p + (d[p] & 0x0f) * 4;
  } else if (type === 0x86dd) {
    if (p + 40 > end) return 0;
    proto = d[p + 6];
    h = proto;
    for (let k = 8; k < 40; k += 4) h = mix(h ^ rd32(d, p + k));
    l4 = p + 40;
    // Neighbour discovery (ICMPv6 133-137) is the routing engine's: replica 0.
    if (proto === 58 && l4 < end && d[l4] >= 133 && d[l4] <= 137) return 0;
  } else {
    return 0; // ARP and anything not IP: replica 0
  }
  if (proto === 50) return l4 + 4 <= end ? saOwner(rd32(d, l4), replicas) : 0;
  if ((proto === 6 || proto === 17 || proto === 132) && l4 + 4 <= end) h = mix(h ^ rd32(d, l4));
  else if ((proto === 1 || proto === 58) && l4 + 6 <= end) h = mix(h ^ ((d[l4] << 16) | (d[l4 + 4] << 8) | d[l4 + 5]));
  return h % replicas;
}
