// Receive-side scaling: which pipeline replica (worker) takes a frame from an
// input, as a NIC's RSS hash picks a receive queue. Packets of one flow always
// land on one replica, in order. Two exceptions, both about state one replica
// must own:
//  - ESP goes by its SPI, to the replica that owns the SA (saOwner), so the
//    anti-replay window of an inbound SA sees its packets on one core, in order;
//  - ARP and IPv6 neighbour discovery go to replica 0, which plays the routing
//    engine's part: it resolves neighbours for every replica and tells them
//    what it learned.

import { finish, flowHash4, flowHash6 } from '../../nodes/flow-hash.js';

/** Replica that owns the SA with this SPI (its sequence numbers and replay window). */
export function saOwner(spi: number, replicas: number): number {
  return replicas <= 1 ? 0 : finish(spi >>> 0) % replicas;
}

/**
 * The replica for a captured Ethernet frame d[off, off + len): ECMP's flow
 * hash (addresses, protocol, TCP/UDP ports; a fragment without ports) after up
 * to two VLAN tags; ESP by its SPI; ARP, neighbour discovery, anything not IP
 * and anything too short to hash: replica 0.
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
  if (type === 0x0800) {
    if (p + 20 > end) return 0;
    const l4 = p + (d[p] & 0x0f) * 4;
    if (d[p + 9] === 50) return l4 + 4 <= end ? saOwner(rd32(d, l4), replicas) : 0;
    return l4 + 4 <= end ? flowHash4(d, p) % replicas : 0;
  }
  if (type === 0x86dd) {
    if (p + 44 > end) return 0;
    const next = d[p + 6];
    if (next === 50) return saOwner(rd32(d, p + 40), replicas);
    // Neighbour discovery (ICMPv6 133-137) is the routing engine's: replica 0.
    if (next === 58 && d[p + 40] >= 133 && d[p + 40] <= 137) return 0;
    return flowHash6(d, p) % replicas;
  }
  return 0; // ARP and anything not IP: replica 0
}

const rd32 = (d: Uint8Array, o: number) => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
