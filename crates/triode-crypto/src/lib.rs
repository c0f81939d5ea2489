//! triode-crypto: AES-GCM over a whole batch of packets in one N-API call.
//!
//! JS API (see src/crypto/aead.ts for the descriptor layout):
//!   addKey(key: Uint8Array) -> handle        16/24/32-byte AES key, expanded once
//!   removeKey(handle)
//!   seal(slab: Uint8Array, desc: Uint32Array, n)
//!   open(slab: Uint8Array, desc: Uint32Array, n, status: Uint8Array)
//!   evpPath: "params" | "init"                how OpenSSL is driven (evp.rs)
//! A batch is copied out of `desc` and checked whole against the slab before
//! any byte is touched; a bad descriptor throws a RangeError and leaves the
//! slab as it was.

mod evp;
mod napi;

use evp::{GcmKey, Packet, Path};
use napi::{range, type_err, CallbackInfo, Env, Error, Value};
use std::ffi::c_void;
use std::ptr;

const DESC_WORDS: usize = 8;
// Word offsets within one packet's descriptor (as in aead.ts).
const D_KEY: usize = 0;
const D_NONCE: usize = 1;
const D_AAD: usize = 2;
const D_AAD_LEN: usize = 3;
const D_DATA: usize = 4;
const D_DATA_LEN: usize = 5;
const D_TAG: usize = 6;
const D_TAG_LEN: usize = 7;
const OPEN_OK: u8 = 0;
const OPEN_AUTH_FAILED: u8 = 1;

/// Per-environment state (one per Node main thread / worker), owned by N-API.
struct State {
    /// Handle h is keys[h - 1]; handles are never reused, removed slots are None.
    keys: Vec<Option<GcmKey>>,
    /// The current batch's descriptors, copied so the slab cannot change them mid-batch.
    desc: Vec<u32>,
    /// How OpenSSL is driven per packet (see evp.rs), chosen by known-answer tests at load.
    path: Path,
}

impl State {
    fn key(&self, h: u32) -> Option<&GcmKey> {
        self.keys.get(h.wrapping_sub(1) as usize).and_then(Option::as_ref)
    }
}

unsafe fn state<'a>(data: *mut c_void) -> &'a mut State {
    // SAFETY: `data` is the Box<State> given to every function at registration;
    // JS runs one call at a time per environment, so this borrow is unique.
    &mut *(data as *mut State)
}

unsafe fn add_key(env: Env, info: CallbackInfo) -> Result<Value, Error> {
    let ([k], data) = napi::args::<1>(env, info)?;
    let (p, n) = napi::u8_array(env, k, "key")?;
    if n != 16 && n != 24 && n != 32 {
        return Err(range(format!("triode aead: AES key must be 16, 24 or 32 bytes, got {n}")));
    }
    let mut key = [0u8; 32];
    ptr::copy_nonoverlapping(p, key.as_mut_ptr(), n);
    let k = GcmKey::new(&key[..n]);
    key.fill(0);
    let k = k.ok_or_else(|| napi::plain("triode aead: OpenSSL could not set up the AES-GCM key".into()))?;
    let st = state(data);
    if st.keys.len() >= u32::MAX as usize - 1 {
        return Err(range("triode aead: out of key handles".into()));
    }
    st.keys.push(Some(k));
    napi::uint32(env, st.keys.len() as u32)
}

unsafe fn remove_key(env: Env, info: CallbackInfo) -> Result<Value, Error> {
    let ([h], data) = napi::args::<1>(env, info)?;
    let h = napi::u32_arg(env, h, "key handle")?;
    let st = state(data);
    match st.keys.get_mut(h.wrapping_sub(1) as usize) {
        Some(slot @ Some(_)) => *slot = None, // Drop frees both EVP contexts
        _ => return Err(range(format!("triode aead: unknown key handle {h}"))),
    }
    napi::undefined(env)
}

/// Checks that [off, off + len) lies in the slab.
fn region(i: usize, what: &str, off: u32, len: u32, slab_len: usize) -> Result<(), Error> {
    let end = off as u64 + len as u64;
    if end > slab_len as u64 {
        return Err(range(format!("triode aead: packet {i}: {what} [{off}, {end}) is outside the slab ({slab_len} bytes)")));
    }
    Ok(())
}

fn check_batch(st: &State, slab_len: usize) -> Result<(), Error> {
    for (i, d) in st.desc.chunks_exact(DESC_WORDS).enumerate() {
        if st.key(d[D_KEY]).is_none() {
            return Err(range(format!("triode aead: packet {i}: unknown key handle {}", d[D_KEY])));
        }
        let tag_len = d[D_TAG_LEN];
        if tag_len != 8 && tag_len != 12 && tag_len != 16 {
            return Err(range(format!("triode aead: packet {i}: ICV length {tag_len} (expected 8, 12 or 16)")));
        }
        region(i, "nonce", d[D_NONCE], 12, slab_len)?;
        region(i, "AAD", d[D_AAD], d[D_AAD_LEN], slab_len)?;
        region(i, "data", d[D_DATA], d[D_DATA_LEN], slab_len)?;
        region(i, "ICV", d[D_TAG], tag_len, slab_len)?;
    }
    Ok(())
}

unsafe fn batch(env: Env, info: CallbackInfo, open: bool) -> Result<Value, Error> {
    let ([slab, desc, n, status], data) = napi::args::<4>(env, info)?;
    let (slab, slab_len) = napi::u8_array(env, slab, "slab")?;
    let (desc, desc_len) = napi::u32_array(env, desc, "desc")?;
    let n = napi::u32_arg(env, n, "packet count")? as usize;
    let words = n * DESC_WORDS;
    if words > desc_len {
        return Err(range(format!("triode aead: {n} packets need {words} descriptor words, got {desc_len}")));
    }
    let status = if open {
        let (s, len) = napi::u8_array(env, status, "status")?;
        if len < n {
            return Err(range(format!("triode aead: status array has {len} entries for {n} packets")));
        }
        s
    } else {
        ptr::null_mut()
    };
    if n == 0 {
        return napi::undefined(env);
    }
    let st = state(data);
    st.desc.clear();
    st.desc.reserve(words);
    ptr::copy_nonoverlapping(desc, st.desc.as_mut_ptr(), words);
    st.desc.set_len(words);
    check_batch(st, slab_len)?;

    for (i, d) in st.desc.chunks_exact(DESC_WORDS).enumerate() {
        let Some(key) = st.key(d[D_KEY]) else { return Err(type_err("triode aead: key vanished during a batch".into())) };
        // SAFETY: check_batch put every region inside the slab.
        let p = Packet {
            nonce: slab.add(d[D_NONCE] as usize),
            aad: slab.add(d[D_AAD] as usize),
            aad_len: d[D_AAD_LEN] as usize,
            data: slab.add(d[D_DATA] as usize),
            data_len: d[D_DATA_LEN] as usize,
            tag: slab.add(d[D_TAG] as usize),
            tag_len: d[D_TAG_LEN] as usize,
        };
        if open {
            *status.add(i) = if key.open(&p, st.path) { OPEN_OK } else { OPEN_AUTH_FAILED };
        } else if !key.seal(&p, st.path) {
            return Err(napi::plain(format!("triode aead: packet {i}: OpenSSL AES-GCM encryption failed")));
        }
    }
    napi::undefined(env)
}

unsafe fn js(env: Env, r: Result<Value, Error>) -> Value {
    r.unwrap_or_else(|e| napi::throw(env, e))
}
unsafe extern "C" fn add_key_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, add_key(env, info))
}
unsafe extern "C" fn remove_key_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, remove_key(env, info))
}
unsafe extern "C" fn seal_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, batch(env, info, false))
}
unsafe extern "C" fn open_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, batch(env, info, true))
}

unsafe extern "C" fn finalize_state(_env: Env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data as *mut State));
}

unsafe fn register(env: Env, exports: Value) -> Result<Value, Error> {
    // TRIODE_CRYPTO_EVP=init forces the textbook path (to test and compare it).
    let path = if std::env::var_os("TRIODE_CRYPTO_EVP").is_some_and(|v| v == "init") { Path::Init } else { Path::detect() };
    if path == Path::Init && !evp::kat(Path::Init) {
        return Err(napi::plain("triode aead: OpenSSL AES-GCM fails its known-answer test".into()));
    }
    let st = Box::into_raw(Box::new(State { keys: Vec::new(), desc: Vec::with_capacity(256 * DESC_WORDS), path }));
    if let Err(e) = napi::set_instance_data(env, st as *mut c_void, finalize_state) {
        drop(Box::from_raw(st));
        return Err(e);
    }
    let fns: [(&str, napi::Callback); 4] =
        [("addKey\0", add_key_cb), ("removeKey\0", remove_key_cb), ("seal\0", seal_cb), ("open\0", open_cb)];
    for (name, cb) in fns {
        napi::export_fn(env, exports, name, cb, st as *mut c_void)?;
    }
    napi::export_str(env, exports, "evpPath\0", if path == Path::Params { "params" } else { "init" })?;
    Ok(exports)
}

/// Entry point Node looks up when it loads the addon (N-API module registration).
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: Env, exports: Value) -> Value {
    js(env, register(env, exports))
}
