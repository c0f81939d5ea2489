// Loader of the Rust N-API addon (crates/triode-crypto, built by
// scripts/build-native.mjs into native/triode_crypto.node). The addon's four
// functions are the backend's methods as they are: each call crosses into
// native code once per batch and validates the whole batch there.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AeadBackend } from './aead.js';

interface Addon {
  addKey(key: Uint8Array): number;
  removeKey(handle: number): void;
  seal(slab: Uint8Array, desc: Uint32Array, n: number): void;
  open(slab: Uint8Array, desc: Uint32Array, n: number, status: Uint8Array): void;
  evpPath: 'params' | 'init';
}

export interface NativeAeadBackend extends AeadBackend {
  readonly name: 'native';
  /**
   * How the addon drives OpenSSL per packet: 'params' (one set_params for IV
   * and tag, chosen when it passes known-answer tests at load) or 'init'
   * (EVP_*Init_ex + ctrl, the textbook sequence). See crates/triode-crypto/src/evp.rs.
   */
  readonly evpPath: 'params' | 'init';
}

/** Where the addon is expected: <repo>/native/triode_crypto.node (same from src/ and dist/). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../native/triode_crypto.node', import.meta.url));

/** Loads the addon; throws an Error whose message says why it cannot be used. */
export function loadNativeBackend(): NativeAeadBackend {
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
  for (const f of ['addKey', 'removeKey', 'seal', 'open'] as const) {
    if (typeof addon[f] !== 'function') throw new Error(`${NATIVE_ADDON_PATH}: addon has no ${f}()`);
  }
  return {
    name: 'native',
    addKey: addon.addKey,
    removeKey: addon.removeKey,
    seal: addon.seal,
    open: addon.open,
    evpPath: addon.evpPath,
  };
}
