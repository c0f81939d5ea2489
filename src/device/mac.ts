import { createHash } from 'node:crypto';

/**
 * A deterministic, locally administered unicast MAC for an interface that has
 * none configured: the first six bytes of SHA-256("<device>/<ifd>") with the
 * U/L bit set and the I/G bit clear. Same names, same MAC, every run.
 */
export function derivedMac(device: string, ifd: string): Uint8Array {
  const h = createHash('sha256').update(`${device}/${ifd}`).digest();
  const mac = Uint8Array.from(h.subarray(0, 6));
  mac[0] = (mac[0] & 0xfc) | 0x02;
  return mac;
}
