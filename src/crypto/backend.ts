// Choice of the AEAD backend: the native addon when it loads, else the JS
// fallback with a one-time notice on stderr. TRIODE_CRYPTO=native|js forces
// one; forcing native when it cannot load is an error that says why.

import type { AeadBackend } from './aead.js';
import { createJsBackend } from './js.js';
import { loadNativeBackend } from './native.js';

let jsBackend: AeadBackend | undefined;
let nativeBackend: AeadBackend | undefined;
let nativeError: string | undefined;
let chosen: AeadBackend | undefined;
let noticed = false;

function js(): AeadBackend {
  return (jsBackend ??= createJsBackend());
}

/** The native backend, or undefined with the reason in nativeUnavailableReason(). */
function native(): AeadBackend | undefined {
  if (nativeBackend === undefined && nativeError === undefined) {
    try {
      nativeBackend = loadNativeBackend();
    } catch (e) {
      nativeError = (e as Error).message;
    }
  }
  return nativeBackend;
}

/** Why the native backend is not available (undefined when it is). */
export function nativeUnavailableReason(): string | undefined {
  native();
  return nativeError;
}

/** The backend the dataplane uses (one instance per process; key handles belong to it). */
export function getAeadBackend(): AeadBackend {
  if (chosen) return chosen;
  const forced = process.env['TRIODE_CRYPTO'];
  if (forced === 'js') return (chosen = js());
  if (forced === 'native') {
    const be = native();
    if (!be) throw new Error(`TRIODE_CRYPTO=native: the native crypto addon cannot be loaded: ${nativeError}`);
    return (chosen = be);
  }
  if (forced !== undefined && forced !== '') {
    throw new Error(`TRIODE_CRYPTO=${forced}: expected "native" or "js"`);
  }
  const be = native();
  if (be) return (chosen = be);
  if (!noticed) {
    noticed = true;
    process.stderr.write(`triode: native crypto addon unavailable (${nativeError}); using the JS AES-GCM backend\n`);
  }
  return (chosen = js());
}

/** Every backend that works here, native first (tests run each case on all of them). */
export function aeadBackends(): AeadBackend[] {
  const be = native();
  return be ? [be, js()] : [js()];
}
