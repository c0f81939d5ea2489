//! triode-crypto: AES-GCM over a whole batch of packets in one N-API call.
//!
//! JS API (see src/crypto/aead.ts for the descriptor layout):
//!   addKey(key: Uint8Array) -> handle        16/24/32-byte AES key, expanded once
//!   removeKey(handle)
//!   keyMemory() -> { keys, bytes?, recordBytes? }  keys held and the bytes allocated for them
//!   seal(slab: Uint8Array, desc: Uint32Array, n)
//!   open(slab: Uint8Array, desc: Uint32Array, n, status: Uint8Array)
//!   path: "gcm128" | "evp-params" | "evp-init"  how OpenSSL is driven per packet:
//!                                            gcm128.rs (fast, internal API) or evp.rs
//!   evpPath: "params" | "init"               the EVP way in use or, under gcm128, the fallback
//!   bulk?: "stitched"                        gcm128 runs OpenSSL's stitched AES-NI+GHASH bulk
//!                                            functions on long packets (TRIODE_CRYPTO_NO_STITCH=1: not)
//!   paths: string[]                          every path that passed its self-tests here
//!   gcm128Unavailable?: string               why the fast path is not in `paths`
//!   withPath(path) -> { addKey, removeKey, seal, open, path, evpPath }
//!                                            the same API on a given path, with keys of its
//!                                            own (tests and benchmarks compare the paths)
//! The path is chosen once per process: gcm128 when it passes its self-tests,
//! else EVP params when it passes known-answer tests, else EVP init.
//! TRIODE_CRYPTO_EVP=init forces EVP init; any other non-empty value forces EVP
//! (params if it works, else init).
//! A batch is copied out of `desc` and checked whole against the slab before
//! any byte is touched; a bad descriptor throws a RangeError and leaves the
//! slab as it was.

mod evp;
mod gcm128;
mod napi;

use evp::{GcmKey, Packet, Path};
use gcm128::{FastKeys, Fns};
use napi::{range, CallbackInfo, Env, Error, Value};
use std::ffi::c_void;
use std::ptr;
use std::sync::OnceLock;

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

/// How OpenSSL is driven per packet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// aesni_* and CRYPTO_gcm128_* directly (gcm128.rs).
    Gcm128,
    /// EVP with prebuilt OSSL_PARAMs (evp.rs, Path::Params).
    EvpParams,
    /// EVP the textbook way (evp.rs, Path::Init).
    EvpInit,
}

impl Engine {
    const ALL: [Engine; 3] = [Engine::Gcm128, Engine::EvpParams, Engine::EvpInit];
    fn name(self) -> &'static str {
        match self {
            Engine::Gcm128 => "gcm128",
            Engine::EvpParams => "evp-params",
            Engine::EvpInit => "evp-init",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// What works in this process: found once, by self-tests, for every environment.
struct Avail {
    /// The fast path's functions, if it passed its self-tests; else why not.
    fast: Result<&'static Fns, String>,
    /// EVP params passed its known-answer tests.
    params: bool,
    /// The fast path's keys run OpenSSL's stitched AES-NI + GHASH bulk functions (gcm128.rs `Stitched`).
    stitched: bool,
}

static AVAIL: OnceLock<Result<Avail, String>> = OnceLock::new();

fn avail() -> Result<&'static Avail, Error> {
    let a = AVAIL.get_or_init(|| {
        if !evp::kat(Path::Init) {
            return Err("triode aead: OpenSSL AES-GCM fails its known-answer test".into());
        }
        let params = evp::kat(Path::Params);
        let fast = Fns::resolve().and_then(|f| {
            let f: &'static Fns = Box::leak(Box::new(f));
            gcm128::self_test(f, Path::Init).map(|()| f).map_err(|e| format!("self-test failed: {e}"))
        });
        let stitched = fast.as_ref().ok().and_then(|f| FastKeys::new(f)).is_some_and(|k| k.is_stitched());
        Ok(Avail { fast, params, stitched })
    });
    a.as_ref().map_err(|e| napi::plain(e.clone()))
}

impl Avail {
    fn has(&self, e: Engine) -> bool {
        match e {
            Engine::Gcm128 => self.fast.is_ok(),
            Engine::EvpParams => self.params,
            Engine::EvpInit => true,
        }
    }
    /// The best EVP way: the fallback, and what `evpPath` reports.
    fn evp(&self) -> Engine {
        if self.params { Engine::EvpParams } else { Engine::EvpInit }
    }
}

/// The keys of one context: on the fast path all in one compact store, on
/// EVP two EVP contexts each (handle h is evp[h - 1]; removed slots are None,
/// EVP handles are never reused).
enum Keys {
    Fast(FastKeys),
    Evp(Vec<Option<GcmKey>>),
}

/// Per-environment state (one per Node main thread / worker), owned by N-API;
/// withPath() contexts are more of them, owned by the environment's first.
struct State {
    keys: Keys,
    /// The current batch's descriptors, copied so the slab cannot change them mid-batch.
    desc: Vec<u32>,
    /// How OpenSSL is driven per packet, chosen at load (see the top of this file).
    engine: Engine,
    /// EVP's way, for Keys::Evp (also what `evpPath` says).
    evp_path: Path,
    /// withPath() contexts, one per engine, made on first use (Box::into_raw; freed on drop).
    children: [*mut State; 3],
}

impl State {
    fn new(a: &'static Avail, engine: Engine) -> State {
        let evp_path = if engine == Engine::EvpInit || a.evp() == Engine::EvpInit { Path::Init } else { Path::Params };
        let fns = if engine == Engine::Gcm128 { a.fast.as_ref().ok().copied() } else { None };
        // The store passed the self-tests when the path was chosen; should it fail now, EVP.
        let fast = fns.and_then(FastKeys::new);
        let engine = if engine == Engine::Gcm128 && fast.is_none() { a.evp() } else { engine };
        State {
            keys: match fast {
                Some(s) => Keys::Fast(s),
                None => Keys::Evp(Vec::new()),
            },
            desc: Vec::with_capacity(256 * DESC_WORDS),
            engine,
            evp_path,
            children: [ptr::null_mut(); 3],
        }
    }
    fn has(&self, h: u32) -> bool {
        match &self.keys {
            Keys::Fast(s) => s.has(h),
            Keys::Evp(v) => v.get(h.wrapping_sub(1) as usize).is_some_and(Option::is_some),
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        for c in self.children {
            if !c.is_null() {
                // SAFETY: made by Box::into_raw in with_path and owned only here.
                drop(unsafe { Box::from_raw(c) });
            }
        }
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
    let st = state(data);
    let h = match &mut st.keys {
        Keys::Fast(s) => s.add(&key[..n]),
        Keys::Evp(v) => match GcmKey::new(&key[..n]) {
            Some(k) if v.len() < u32::MAX as usize - 1 => {
                v.push(Some(k));
                Some(v.len() as u32)
            }
            _ => None,
        },
    };
    key.fill(0);
    let h = h.ok_or_else(|| napi::plain("triode aead: OpenSSL could not set up the AES-GCM key (or out of key handles)".into()))?;
    napi::uint32(env, h)
}

unsafe fn remove_key(env: Env, info: CallbackInfo) -> Result<Value, Error> {
    let ([h], data) = napi::args::<1>(env, info)?;
    let h = napi::u32_arg(env, h, "key handle")?;
    let st = state(data);
    let gone = match &mut st.keys {
        Keys::Fast(s) => s.remove(h),
        Keys::Evp(v) => match v.get_mut(h.wrapping_sub(1) as usize) {
            Some(slot @ Some(_)) => {
                *slot = None; // Drop frees the OpenSSL contexts
                true
            }
            _ => false,
        },
    };
    if !gone {
        return Err(range(format!("triode aead: unknown key handle {h}")));
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

/// Checks every descriptor before any byte is touched; meanwhile starts loading
/// each packet's key material (FastKeys::prefetch), so that with many SAs the
/// loads of all packets overlap instead of stalling each packet's crypto.
fn check_batch(st: &State, slab_len: usize) -> Result<(), Error> {
    for (i, d) in st.desc.chunks_exact(DESC_WORDS).enumerate() {
        if !st.has(d[D_KEY]) {
            return Err(range(format!("triode aead: packet {i}: unknown key handle {}", d[D_KEY])));
        }
        if let Keys::Fast(s) = &st.keys {
            s.prefetch(d[D_KEY]);
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
        // SAFETY: check_batch put every region inside the slab and checked every key handle.
        let p = Packet {
            nonce: slab.add(d[D_NONCE] as usize),
            aad: slab.add(d[D_AAD] as usize),
            aad_len: d[D_AAD_LEN] as usize,
            data: slab.add(d[D_DATA] as usize),
            data_len: d[D_DATA_LEN] as usize,
            tag: slab.add(d[D_TAG] as usize),
            tag_len: d[D_TAG_LEN] as usize,
        };
        let h = d[D_KEY];
        let ok = match (&st.keys, open) {
            (Keys::Fast(s), false) => s.seal(h, &p),
            (Keys::Fast(s), true) => s.open(h, &p),
            (Keys::Evp(v), false) => v[h as usize - 1].as_ref().is_some_and(|k| k.seal(&p, st.evp_path)),
            (Keys::Evp(v), true) => v[h as usize - 1].as_ref().is_some_and(|k| k.open(&p, st.evp_path)),
        };
        if open {
            *status.add(i) = if ok { OPEN_OK } else { OPEN_AUTH_FAILED };
        } else if !ok {
            return Err(napi::plain(format!("triode aead: packet {i}: OpenSSL AES-GCM encryption failed")));
        }
    }
    napi::undefined(env)
}

/// keyMemory(): { keys, bytes, recordBytes } — the keys held and the bytes
/// the addon has allocated for them (outside the JS heap, which
/// process.memoryUsage() does not see). On EVP paths `bytes` is absent:
/// OpenSSL's EVP contexts do not say their size.
unsafe fn key_memory(env: Env, info: CallbackInfo) -> Result<Value, Error> {
    let ([], data) = napi::args::<0>(env, info)?;
    let st = state(data);
    let obj = napi::object(env)?;
    match &st.keys {
        Keys::Fast(s) => {
            let (keys, bytes, record) = s.memory();
            napi::set_num(env, obj, "keys\0", keys as f64)?;
            napi::set_num(env, obj, "bytes\0", bytes as f64)?;
            napi::set_num(env, obj, "recordBytes\0", record as f64)?;
        }
        Keys::Evp(v) => napi::set_num(env, obj, "keys\0", v.iter().filter(|k| k.is_some()).count() as f64)?,
    }
    Ok(obj)
}

unsafe extern "C" fn key_memory_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, key_memory(env, info))
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

unsafe extern "C" fn with_path_cb(env: Env, info: CallbackInfo) -> Value {
    js(env, with_path(env, info))
}

/// withPath(name): the API on the given path, with a context (keys) of its own.
unsafe fn with_path(env: Env, info: CallbackInfo) -> Result<Value, Error> {
    let ([name], data) = napi::args::<1>(env, info)?;
    let name = napi::short_str_arg(env, name, "path")?;
    let a = avail()?;
    let Some(engine) = Engine::ALL.into_iter().find(|e| e.name() == name) else {
        return Err(range(format!("triode aead: unknown path {name:?} (gcm128, evp-params, evp-init)")));
    };
    if !a.has(engine) {
        let why = match (&a.fast, engine) {
            (Err(e), Engine::Gcm128) => e.clone(),
            _ => "it failed its known-answer tests".into(),
        };
        return Err(napi::plain(format!("triode aead: path {name} is not available here: {why}")));
    }
    let root = state(data);
    let slot = &mut root.children[engine.index()];
    if slot.is_null() {
        *slot = Box::into_raw(Box::new(State::new(a, engine)));
    }
    let child = *slot;
    let obj = napi::object(env)?;
    export_api(env, obj, child)?;
    Ok(obj)
}

/// addKey, removeKey, seal, open (bound to `st`), path and evpPath on `obj`.
unsafe fn export_api(env: Env, obj: Value, st: *mut State) -> Result<(), Error> {
    let fns: [(&str, napi::Callback); 5] = [
        ("addKey\0", add_key_cb),
        ("removeKey\0", remove_key_cb),
        ("seal\0", seal_cb),
        ("open\0", open_cb),
        ("keyMemory\0", key_memory_cb),
    ];
    for (name, cb) in fns {
        napi::export_fn(env, obj, name, cb, st as *mut c_void)?;
    }
    let (engine, evp_path) = ((*st).engine, (*st).evp_path);
    napi::export_str(env, obj, "path\0", engine.name())?;
    if engine == Engine::Gcm128 && avail()?.stitched {
        napi::export_str(env, obj, "bulk\0", "stitched")?;
    }
    napi::export_str(env, obj, "evpPath\0", if evp_path == Path::Params { "params" } else { "init" })
}

unsafe fn register(env: Env, exports: Value) -> Result<Value, Error> {
    let a = avail()?;
    let engine = match std::env::var("TRIODE_CRYPTO_EVP").unwrap_or_default().as_str() {
        "" if a.has(Engine::Gcm128) => Engine::Gcm128,
        "init" => Engine::EvpInit,
        _ => a.evp(),
    };
    let st = Box::into_raw(Box::new(State::new(a, engine)));
    if let Err(e) = napi::set_instance_data(env, st as *mut c_void, finalize_state) {
        drop(Box::from_raw(st));
        return Err(e);
    }
    export_api(env, exports, st)?;
    napi::export_fn(env, exports, "withPath\0", with_path_cb, st as *mut c_void)?;
    let paths: Vec<&str> = Engine::ALL.into_iter().filter(|&e| a.has(e)).map(Engine::name).collect();
    napi::export_strs(env, exports, "paths\0", &paths)?;
    if let Err(why) = &a.fast {
        napi::export_str(env, exports, "gcm128Unavailable\0", why)?;
    }
    Ok(exports)
}

/// Entry point Node looks up when it loads the addon (N-API module registration).
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: Env, exports: Value) -> Value {
    js(env, register(env, exports))
}
