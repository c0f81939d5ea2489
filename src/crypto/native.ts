// Loader of the Rust N-API addon (crates/triode-crypto, built by
// scripts/build-native.mjs into native/triode_crypto.node). The addon's four
// functions are the backend's methods as they are: each call crosses into
// native code once per batch and validates the whole batch there.
//
// The addon drives OpenSSL in one of three ways (`path`), chosen once at load
// by self-tests: 'gcm128' (OpenSSL's AES-NI and GCM128 functions directly,
// crates/triode-crypto/src/gcm128.rs), else 'evp-params' or 'evp-init' (EVP,
// src/evp.rs). TRIODE_CRYPTO_EVP=init forces 'evp-init', any other non-empty
// value forces EVP. loadNativeBackends() gives one backend per working path.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AeadBackend, KeyMemory } from './aead.js';

/** How the addon drives OpenSSL per packet. */
export type NativePath = 'gcm128' | 'evp-params' | 'evp-init';

interface AddonApi {
  addKey(key: Uint8Array): number;
  removeKey(handle: number): void;
  keyMemory?(): KeyMemory; // absent in addons built before the compact key store
  seal(slab: Uint8Array, desc: Uint32Array, n: number): void;
  open(slab: Uint8Array, desc: Uint32Array, n: number, status: Uint8Array): void;
  path?: NativePath; // absent in addons built before the gcm128 path
  evpPath: 'params' | 'init';
  bulk?: 'stitched';
}

interface Addon extends AddonApi {
  paths?: NativePath[];
  gcm128Unavailable?: string;
  withPath?(path: NativePath): AddonApi;
}

export interface NativeAeadBackend extends AeadBackend {
  readonly name: 'native';
  /**
   * How this backend drives OpenSSL per packet: 'gcm128' (aesni_* and
   * CRYPTO_gcm128_* with the key schedule and GCM context made once per key;
   * used only when it passes its self-tests at load), 'evp-params' (EVP with
   * one set_params for IV and tag) or 'evp-init' (EVP_*Init_ex + ctrl, the
   * textbook sequence). See crates/triode-crypto/src/gcm128.rs and evp.rs.
   */
  readonly path: NativePath;
  /** The EVP way: the one in use on an EVP path, the fallback under gcm128. */
  readonly evpPath: 'params' | 'init';
  /** Every path that passed its self-tests in this process. */
  readonly paths: readonly NativePath[];
  /** Why 'gcm128' is not among `paths`, when it is not. */
  readonly gcm128Unavailable: string | undefined;
  /**
   * 'stitched' when the gcm128 path runs OpenSSL's stitched AES-NI + GHASH
   * bulk functions (aesni_gcm_encrypt/decrypt) on packets of 288 bytes and
   * more (96 on open), as OpenSSL's own GCM cipher does; undefined otherwise
   * (TRIODE_CRYPTO_NO_STITCH=1 turns it off).
   */
  readonly bulk: 'stitched' | undefined;
}

/** Where the addon is expected: <repo>/native/triode_crypto.node (same from src/ and dist/). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../native/triode_crypto.node', import.meta.url));

function loadAddon(): Addon {
  const require = createRequire(import.meta.url);
  let addon: Addon;
  try {
    addon = require(NATIVE_ADDON_PATH) as Addon;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'MODULE_NOT_FOUND'
      ? `${NATIVE_ADDON_PATH} not found (run \`npm install\` or \`node scripts/build-native.mjs\`; needs cargo)`
      : `${NATIVE_ADDON_PATH}: ${(e as Error).message}`;
    throw new Error(why);
  }
  check(addon);
  return addon;
}

function check(api: AddonApi): void {
  for (const f of ['addKey', 'removeKey', 'seal', 'open'] as const) {
    if (typeof api[f] !== 'function') throw new Error(`${NATIVE_ADDON_PATH}: addon has no ${f}()`);
  }
}

function backend(addon: Addon, api: AddonApi): NativeAeadBackend {
  const path = api.path ?? (api.evpPath === 'params' ? 'evp-params' : 'evp-init');
  return {
    name: 'native',
    addKey: api.addKey,
    removeKey: api.removeKey,
    keyMemory: api.keyMemory ?? (() => ({ keys: NaN })),
    seal: api.seal,
    open: api.open,
    path,
    evpPath: api.evpPath,
    paths: addon.paths ?? [path],
    gcm128Unavailable: addon.gcm128Unavailable,
    bulk: api.bulk,
  };
}

/** Loads the addon; throws an Error whose message says why it cannot be used. */
export function loadNativeBackend(): NativeAeadBackend {
  const addon = loadAddon();
  return backend(addon, addon);
}

/**
 * One backend per path that works here (each with keys of its own), the
 * addon's own choice first; for tests and benchmarks that compare the paths.
 * Throws like loadNativeBackend().
 */
export function loadNativeBackends(): NativeAeadBackend[] {
  const addon = loadAddon();
  const main = backend(addon, addon);
  const out = [main];
  if (typeof addon.withPath !== 'function') return out;
  for (const p of main.paths) {
    if (p === main.path) continue;
    const api = addon.withPath(p);
    check(api);
    out.push(backend(addon, api));
  }
  return out;
}
