// The AEAD interface of the hot crypto path: AES-GCM over a whole batch in
// one call. The native addon (crates/triode-crypto) and the JS fallback
// (@noble/ciphers) implement it alike; tests demand byte-identical output.

/** Words per packet in a descriptor array (Uint32Array). */
export const DESC_WORDS = 8;
/** Word offsets within one packet's descriptor. */
export const D_KEY = 0; // key handle from addKey()
export const D_NONCE = 1; // offset in the slab of the 12-byte nonce (salt || IV)
export const D_AAD = 2; // offset of the AAD ...
export const D_AAD_LEN = 3; // ... and its length (8 or 12 for ESP)
export const D_DATA = 4; // offset of the data, encrypted or decrypted in place ...
export const D_DATA_LEN = 5; // ... and its length
export const D_TAG = 6; // offset of the ICV: written by seal, checked by open ...
export const D_TAG_LEN = 7; // ... and its length (8, 12 or 16)

/** Per-packet result of open(). */
export const OPEN_OK = 0;
export const OPEN_AUTH_FAILED = 1;

export interface KeyMemory {
  keys: number;
  bytes?: number;
  /** Native fast path: bytes of one key's record (AES key schedule + GHASH table). */
  recordBytes?: number;
}

export interface AeadBackend {
  readonly name: 'native' | 'js';
  /**
   * Expands an AES-128 or AES-256 key once (the key schedule is never redone
   * per packet) and returns its handle.
   */
  addKey(key: Uint8Array): number;
  removeKey(handle: number): void;
  /**
   * The keys held and the bytes held for them outside the JS heap (what
   * process.memoryUsage() cannot see): the native addon's own count of its
   * allocations; 0 for the JS backend (its keys are in the heap); absent when
   * the backend cannot tell (the native addon's EVP paths).
   */
  keyMemory(): KeyMemory;
  /** Encrypts `n` packets in place and writes their ICVs, as described by `desc`. */
  seal(slab: Uint8Array, desc: Uint32Array, n: number): void;
  /**
   * Verifies and decrypts `n` packets in place; `status[i]` is OPEN_OK or
   * OPEN_AUTH_FAILED (then the data is unspecified).
   */
  open(slab: Uint8Array, desc: Uint32Array, n: number, status: Uint8Array): void;
}
