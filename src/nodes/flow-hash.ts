/**
 * A flow hash over the IPv4/IPv6 addresses, protocol and ports (when the
 * packet is not a fragment: the first fragment hashes as the later ones, which
 * have no ports, so a datagram's fragments stay together), for ECMP, RSS
 * (src/run/workers/rss.ts) and, later, LAG member choice. The same flow always
 * gets the same hash.
 */
export function flowHash4(d: Uint8Array, l3: number): number {
  return flowHash4Bits(d, l3) >>> 0;
}

/**
 * flowHash4 and flowHash6 as signed 32-bit numbers, which V8 returns from a
 * call it did not inline as small integers: an unsigned hash of 2^31 or more
 * would leave as a heap number, 16 bytes for every other packet. The unsigned
 * forms above are wrappers small enough to be inlined wherever they are called.
 */
function flowHash4Bits(d: Uint8Array, l3: number): number {
  let h = mix(0x9e3779b9, (d[l3 + 12] << 24) | (d[l3 + 13] << 16) | (d[l3 + 14] << 8) | d[l3 + 15]);
  h = mix(h, (d[l3 + 16] << 24) | (d[l3 + 17] << 16) | (d[l3 + 18] << 8) | d[l3 + 19]);
  const proto = d[l3 + 9];
  h = mix(h, proto);
  const frag = ((d[l3 + 6] & 0x3f) << 8) | d[l3 + 7]; // MF and the offset
  if (frag === 0 && (proto === 6 || proto === 17)) {
    const t = l3 + (d[l3] & 15) * 4;
    h = mix(h, (d[t] << 24) | (d[t + 1] << 16) | (d[t + 2] << 8) | d[t + 3]);
  }
  return finish(h) | 0;
}

export function flowHash6(d: Uint8Array, l3: number): number {
  return flowHash6Bits(d, l3) >>> 0;
}

function flowHash6Bits(d: Uint8Array, l3: number): number {
  let h = 0x9e3779b9;
  for (let i = 8; i < 40; i += 4) h = mix(h, (d[l3 + i] << 24) | (d[l3 + i + 1] << 16) | (d[l3 + i + 2] << 8) | d[l3 + i + 3]);
  const next = d[l3 + 6];
  h = mix(h, next);
  if (next === 6 || next === 17) h = mix(h, (d[l3 + 40] << 24) | (d[l3 + 41] << 16) | (d[l3 + 42] << 8) | d[l3 + 43]);
  // The flow label names the flow too, when the sender sets one.
  h = mix(h, ((d[l3 + 1] & 0x0f) << 16) | (d[l3 + 2] << 8) | d[l3 + 3]);
  return finish(h) | 0;
}

/**
 * Final avalanche (MurmurHash3's fmix32): every input bit reaches the low
 * bits, which `hash % members` uses. Without it the low bits never depended on
 * the high half of the last word mixed in (the source port).
 */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca6b);
  return (h ^ (h >>> 13)) | 0;
}
