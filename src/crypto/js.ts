// The JS fallback of the AEAD interface: AES-GCM on @noble/ciphers' AES and
// GHASH primitives, driven directly over the slab.
//
// Why not `gcm(key, nonce, aad).encrypt(data)`: that public API expands the
// AES key, derives H, builds a GHASH table and allocates the output on every
// call. Here the key schedule (expandKeyLE), H = E_K(0^128) and the GHASH
// multiplication table are built once per key in addKey(); per packet only
// the counter words change. CTR and GHASH run over the slab in place, word by
// word. What still allocates per block is inside the library: `encrypt()`
// returns a small {s0..s3} object and GHASH's block update iterates over a
// 4-element array (V8 usually escape-analyses both away once optimised).
//
// On an authentication failure open() leaves the data zeroed (never
// unauthenticated plaintext); the native backend does the same, so the two
// produce byte-identical slabs in every case.

import { gcm, unsafe } from '@noble/ciphers/aes.js';
import { GHASH } from '@noble/ciphers/_polyval.js';
import {
  type AeadBackend,
  DESC_WORDS, D_KEY, D_NONCE, D_AAD, D_AAD_LEN, D_DATA, D_DATA_LEN, D_TAG, D_TAG_LEN,
  OPEN_OK, OPEN_AUTH_FAILED,
} from './aead.js';

const { expandKeyLE, encrypt } = unsafe;

/** GHASH with a reusable table: reset() per packet, fed 32-bit LE words. */
class BatchGhash extends GHASH {
  reset(): void {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
  }
  block(w0: number, w1: number, w2: number, w3: number): void {
    this._updateBlock(w0, w1, w2, w3);
  }
  /** Absorbs buf[off, off+len) zero-padded to whole blocks (GCM's AAD / C segments). */
  absorb(buf: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let p = off;
    for (; p + 16 <= end; p += 16) {
      this._updateBlock(le32(buf, p), le32(buf, p + 4), le32(buf, p + 8), le32(buf, p + 12));
    }
    if (p < end) {
      this._updateBlock(le32pad(buf, p, end), le32pad(buf, p + 4, end), le32pad(buf, p + 8, end), le32pad(buf, p + 12, end));
    }
  }
  word(i: 0 | 1 | 2 | 3): number {
    return i === 0 ? this.s0 : i === 1 ? this.s1 : i === 2 ? this.s2 : this.s3;
  }
}

interface JsKey {
  readonly xk: Uint32Array;
  readonly gh: BatchGhash;
}

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}
function le32pad(b: Uint8Array, p: number, end: number): number {
  let w = 0;
  for (let i = 3; i >= 0; i--) w = (w << 8) | (p + i < end ? b[p + i]! : 0);
  return w >>> 0;
}
function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
function put32(b: Uint8Array, p: number, w: number): void {
  b[p] = w;
  b[p + 1] = w >>> 8;
  b[p + 2] = w >>> 16;
  b[p + 3] = w >>> 24;
}

/**
 * Checks a whole batch before any byte is touched, so a bad descriptor throws
 * and leaves the slab as it was. Same rules and messages as the native addon.
 */
export function checkBatch(
  slab: Uint8Array, desc: Uint32Array, n: number, hasKey: (h: number) => boolean, status?: Uint8Array,
): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`triode aead: bad packet count ${n}`);
  if (n * DESC_WORDS > desc.length) {
    throw new RangeError(`triode aead: ${n} packets need ${n * DESC_WORDS} descriptor words, got ${desc.length}`);
  }
  if (status !== undefined && status.length < n) {
    throw new RangeError(`triode aead: status array has ${status.length} entries for ${n} packets`);
  }
  const len = slab.length;
  for (let i = 0; i < n; i++) {
    const d = i * DESC_WORDS;
    if (!hasKey(desc[d + D_KEY]!)) throw new RangeError(`triode aead: packet ${i}: unknown key handle ${desc[d + D_KEY]}`);
    const tagLen = desc[d + D_TAG_LEN]!;
    if (tagLen !== 8 && tagLen !== 12 && tagLen !== 16) {
      throw new RangeError(`triode aead: packet ${i}: ICV length ${tagLen} (expected 8, 12 or 16)`);
    }
    region(i, 'nonce', desc[d + D_NONCE]!, 12, len);
    region(i, 'AAD', desc[d + D_AAD]!, desc[d + D_AAD_LEN]!, len);
    region(i, 'data', desc[d + D_DATA]!, desc[d + D_DATA_LEN]!, len);
    region(i, 'ICV', desc[d + D_TAG]!, tagLen, len);
  }
}
function region(i: number, what: string, off: number, n: number, slabLen: number): void {
  if (off + n > slabLen) {
    throw new RangeError(`triode aead: packet ${i}: ${what} [${off}, ${off + n}) is outside the slab (${slabLen} bytes)`);
  }
}

/**
 * GCM over one packet's descriptor: CTR over the data (when `crypt`) and the
 * tag words into `tagOut`. For seal, GHASH absorbs each block after it is
 * encrypted; for open, GHASH runs over the ciphertext first and decryption
 * happens only once the tag verifies.
 */
function gcmPacket(k: JsKey, slab: Uint8Array, desc: Uint32Array, d: number, seal: boolean): boolean {
  const { xk, gh } = k;
  const nonce = desc[d + D_NONCE]!;
  const n0 = le32(slab, nonce), n1 = le32(slab, nonce + 4), n2 = le32(slab, nonce + 8);
  const aadLen = desc[d + D_AAD_LEN]!;
  const data = desc[d + D_DATA]!, dataLen = desc[d + D_DATA_LEN]!;
  const tag = desc[d + D_TAG]!, tagLen = desc[d + D_TAG_LEN]!;

  gh.reset();
  gh.absorb(slab, desc[d + D_AAD]!, aadLen);
  if (seal) ctrXor(xk, n0, n1, n2, slab, data, dataLen, gh);
  else gh.absorb(slab, data, dataLen);
  const aadBits = aadLen * 8, dataBits = dataLen * 8;
  gh.block(
    bswap32(Math.floor(aadBits / 0x100000000)), bswap32(aadBits >>> 0),
    bswap32(Math.floor(dataBits / 0x100000000)), bswap32(dataBits >>> 0),
  );
  const m = encrypt(xk, n0, n1, n2, 0x01000000); // E_K(J0), J0 = nonce || 0^31 1
  const t0 = (gh.word(0) ^ m.s0) >>> 0, t1 = (gh.word(1) ^ m.s1) >>> 0;
  const t2 = (gh.word(2) ^ m.s2) >>> 0, t3 = (gh.word(3) ^ m.s3) >>> 0;
  if (seal) {
    put32(slab, tag, t0);
    put32(slab, tag + 4, t1);
    if (tagLen >= 12) put32(slab, tag + 8, t2);
    if (tagLen === 16) put32(slab, tag + 12, t3);
    return true;
  }
  let diff = (le32(slab, tag) ^ t0) | (le32(slab, tag + 4) ^ t1);
  if (tagLen >= 12) diff |= le32(slab, tag + 8) ^ t2;
  if (tagLen === 16) diff |= le32(slab, tag + 12) ^ t3;
  if (diff !== 0) {
    slab.fill(0, data, data + dataLen);
    return false;
  }
  ctrXor(xk, n0, n1, n2, slab, data, dataLen, undefined);
  return true;
}

/** CTR in place from counter 2; when `gh` is given it absorbs the ciphertext. */
function ctrXor(
  xk: Uint32Array, n0: number, n1: number, n2: number,
  b: Uint8Array, off: number, len: number, gh: BatchGhash | undefined,
): void {
  const end = off + len;
  let ctr = 2;
  let p = off;
  for (; p + 16 <= end; p += 16, ctr++) {
    const ks = encrypt(xk, n0, n1, n2, bswap32(ctr));
    const c0 = le32(b, p) ^ ks.s0, c1 = le32(b, p + 4) ^ ks.s1;
    const c2 = le32(b, p + 8) ^ ks.s2, c3 = le32(b, p + 12) ^ ks.s3;
    put32(b, p, c0);
    put32(b, p + 4, c1);
    put32(b, p + 8, c2);
    put32(b, p + 12, c3);
    if (gh) gh.block(c0 >>> 0, c1 >>> 0, c2 >>> 0, c3 >>> 0);
  }
  if (p < end) {
    const ks = encrypt(xk, n0, n1, n2, bswap32(ctr));
    for (let i = 0; p + i < end; i++) {
      const w = i < 4 ? ks.s0 : i < 8 ? ks.s1 : i < 12 ? ks.s2 : ks.s3;
      b[p + i] ^= w >>> ((i & 3) * 8);
    }
    if (gh) gh.absorb(b, p, end - p);
  }
}

/** Checks once that noble's internals still behave as this file assumes. */
function selfTest(be: AeadBackend): void {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
  const slab = Uint8Array.from({ length: 12 + 12 + 37 + 16 }, (_, i) => (i * 31 + 5) & 0xff);
  const nonce = slab.slice(0, 12), aad = slab.slice(12, 24), pt = slab.slice(24, 61);
  const want = gcm(key, nonce, aad).encrypt(pt);
  const h = be.addKey(key);
  be.seal(slab, Uint32Array.of(h, 0, 12, 12, 24, 37, 61, 16), 1);
  be.removeKey(h);
  if (want.some((v, i) => v !== slab[24 + i])) {
    throw new Error('triode: @noble/ciphers internals changed; the JS AES-GCM backend no longer matches gcm()');
  }
}

export function createJsBackend(): AeadBackend {
  const keys = new Map<number, JsKey>();
  let next = 1;
  const hasKey = (h: number): boolean => keys.has(h);
  const be: AeadBackend = {
    name: 'js',
    addKey(key: Uint8Array): number {
      if (!(key instanceof Uint8Array) || (key.length !== 16 && key.length !== 24 && key.length !== 32)) {
        throw new RangeError(`triode aead: AES key must be 16, 24 or 32 bytes, got ${key?.length}`);
      }
      const xk = expandKeyLE(key);
      const h = encrypt(xk, 0, 0, 0, 0);
      const hBytes = new Uint8Array(16);
      put32(hBytes, 0, h.s0);
      put32(hBytes, 4, h.s1);
      put32(hBytes, 8, h.s2);
      put32(hBytes, 12, h.s3);
      // expectedLength > 64 KiB selects noble's 8-bit window: 16 lookups per block.
      const gh = new BatchGhash(hBytes, 65 * 1024);
      hBytes.fill(0);
      const handle = next++;
      keys.set(handle, { xk, gh });
      return handle;
    },
    keyMemory() {
      return { keys: keys.size, bytes: 0 };
    },
    removeKey(handle: number): void {
      const k = keys.get(handle);
      if (!k) throw new RangeError(`triode aead: unknown key handle ${handle}`);
      k.xk.fill(0);
      k.gh.destroy();
      keys.delete(handle);
    },
    seal(slab: Uint8Array, desc: Uint32Array, n: number): void {
      checkBatch(slab, desc, n, hasKey);
      for (let i = 0; i < n; i++) {
        const d = i * DESC_WORDS;
        gcmPacket(keys.get(desc[d + D_KEY]!)!, slab, desc, d, true);
      }
    },
    open(slab: Uint8Array, desc: Uint32Array, n: number, status: Uint8Array): void {
      checkBatch(slab, desc, n, hasKey, status);
      for (let i = 0; i < n; i++) {
        const d = i * DESC_WORDS;
        status[i] = gcmPacket(keys.get(desc[d + D_KEY]!)!, slab, desc, d, false) ? OPEN_OK : OPEN_AUTH_FAILED;
      }
    },
  };
  selfTest(be);
  return be;
}
