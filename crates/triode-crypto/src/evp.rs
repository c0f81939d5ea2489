//! AES-GCM on OpenSSL's EVP API, declared by hand. The symbols are not linked
//! here: node links OpenSSL statically and exports it, so they resolve against
//! the node binary when the addon is loaded.
//!
//! One key = two EVP contexts (encrypt, decrypt) whose key schedule is set
//! once; per packet only the IV is set.
//!
//! Two ways to do the per-packet part (`Path`):
//! - `Init`: EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) and the GCM ctrls,
//!   the textbook sequence. In OpenSSL 3 each Init and ctrl goes through
//!   OSSL_PARAM conversion and lookups; about 40% of a 64-byte packet.
//! - `Params`: one EVP_CIPHER_CTX_set_params with prebuilt OSSL_PARAMs: the
//!   whole 12-byte IV through "tlsivfixed" with length -1 (GCM's "restore the
//!   whole IV", which buffers it exactly as Init does) plus, for open, the
//!   expected "tag"; the tag of seal comes back through one get_params.
//! `kat()` runs known-answer tests once at load (lib.rs) and `Params` is used
//! only when it gives the right answers on this OpenSSL; otherwise `Init`.
//! Both stay as the fallback of the faster gcm128.rs path, and its reference.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::ptr;

#[repr(C)]
pub struct EvpCipherCtx {
    _opaque: [u8; 0],
}
#[repr(C)]
pub struct EvpCipher {
    _opaque: [u8; 0],
}

const EVP_CTRL_GCM_SET_IVLEN: c_int = 0x9;
const EVP_CTRL_GCM_GET_TAG: c_int = 0x10;
const EVP_CTRL_GCM_SET_TAG: c_int = 0x11;

/// OpenSSL 3's OSSL_PARAM (core.h).
#[repr(C)]
struct OsslParam {
    key: *const c_char,
    data_type: c_uint,
    data: *mut c_void,
    data_size: usize,
    return_size: usize,
}
const OSSL_PARAM_OCTET_STRING: c_uint = 5;
const OSSL_PARAM_UNMODIFIED: usize = usize::MAX;
const PARAM_IV_FIXED: &[u8] = b"tlsivfixed\0"; // OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED
const PARAM_TAG: &[u8] = b"tag\0"; // OSSL_CIPHER_PARAM_AEAD_TAG

fn param(key: &[u8], data: *const u8, size: usize) -> OsslParam {
    OsslParam { key: key.as_ptr() as *const c_char, data_type: OSSL_PARAM_OCTET_STRING, data: data as *mut c_void, data_size: size, return_size: OSSL_PARAM_UNMODIFIED }
}
fn param_end() -> OsslParam {
    OsslParam { key: ptr::null(), data_type: 0, data: ptr::null_mut(), data_size: 0, return_size: 0 }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Init,
    Params,
}

extern "C" {
    fn EVP_CIPHER_CTX_new() -> *mut EvpCipherCtx;
    fn EVP_CIPHER_CTX_free(ctx: *mut EvpCipherCtx);
    fn EVP_aes_128_gcm() -> *const EvpCipher;
    fn EVP_aes_192_gcm() -> *const EvpCipher;
    fn EVP_aes_256_gcm() -> *const EvpCipher;
    fn EVP_EncryptInit_ex(ctx: *mut EvpCipherCtx, c: *const EvpCipher, engine: *mut c_void, key: *const u8, iv: *const u8) -> c_int;
    fn EVP_DecryptInit_ex(ctx: *mut EvpCipherCtx, c: *const EvpCipher, engine: *mut c_void, key: *const u8, iv: *const u8) -> c_int;
    fn EVP_CIPHER_CTX_ctrl(ctx: *mut EvpCipherCtx, ty: c_int, arg: c_int, ptr: *mut c_void) -> c_int;
    fn EVP_EncryptUpdate(ctx: *mut EvpCipherCtx, out: *mut u8, outl: *mut c_int, inp: *const u8, inl: c_int) -> c_int;
    fn EVP_DecryptUpdate(ctx: *mut EvpCipherCtx, out: *mut u8, outl: *mut c_int, inp: *const u8, inl: c_int) -> c_int;
    fn EVP_EncryptFinal_ex(ctx: *mut EvpCipherCtx, out: *mut u8, outl: *mut c_int) -> c_int;
    fn EVP_DecryptFinal_ex(ctx: *mut EvpCipherCtx, out: *mut u8, outl: *mut c_int) -> c_int;
    fn EVP_CIPHER_CTX_set_params(ctx: *mut EvpCipherCtx, params: *const OsslParam) -> c_int;
    fn EVP_CIPHER_CTX_get_params(ctx: *mut EvpCipherCtx, params: *mut OsslParam) -> c_int;
}

/// Largest chunk handed to one EVP_*Update call (its length is a C int).
const CHUNK: usize = 1 << 30;

pub struct GcmKey {
    enc: *mut EvpCipherCtx,
    dec: *mut EvpCipherCtx,
}

impl Drop for GcmKey {
    fn drop(&mut self) {
        // SAFETY: both come from EVP_CIPHER_CTX_new (or are null, which free accepts).
        unsafe {
            EVP_CIPHER_CTX_free(self.enc);
            EVP_CIPHER_CTX_free(self.dec);
        }
    }
}

/// The part of a packet's descriptor that GCM needs, as raw pointers into the
/// slab (checked against its length by the caller). Regions may alias one
/// another, so no Rust references are ever made from them.
pub struct Packet {
    pub nonce: *const u8,
    pub aad: *const u8,
    pub aad_len: usize,
    pub data: *mut u8,
    pub data_len: usize,
    pub tag: *mut u8,
    pub tag_len: usize,
}

impl GcmKey {
    /// Expands a 16-, 24- or 32-byte AES key into an encrypt and a decrypt context.
    pub fn new(key: &[u8]) -> Option<GcmKey> {
        // SAFETY: plain EVP calls on contexts we own; `key` has the cipher's key length.
        unsafe {
            let cipher = match key.len() {
                16 => EVP_aes_128_gcm(),
                24 => EVP_aes_192_gcm(),
                32 => EVP_aes_256_gcm(),
                _ => return None,
            };
            let k = GcmKey { enc: EVP_CIPHER_CTX_new(), dec: EVP_CIPHER_CTX_new() };
            if k.enc.is_null() || k.dec.is_null() {
                return None;
            }
            let ok = EVP_EncryptInit_ex(k.enc, cipher, ptr::null_mut(), ptr::null(), ptr::null()) == 1
                && EVP_CIPHER_CTX_ctrl(k.enc, EVP_CTRL_GCM_SET_IVLEN, 12, ptr::null_mut()) == 1
                && EVP_EncryptInit_ex(k.enc, ptr::null(), ptr::null_mut(), key.as_ptr(), ptr::null()) == 1
                && EVP_DecryptInit_ex(k.dec, cipher, ptr::null_mut(), ptr::null(), ptr::null()) == 1
                && EVP_CIPHER_CTX_ctrl(k.dec, EVP_CTRL_GCM_SET_IVLEN, 12, ptr::null_mut()) == 1
                && EVP_DecryptInit_ex(k.dec, ptr::null(), ptr::null_mut(), key.as_ptr(), ptr::null()) == 1;
            if ok { Some(k) } else { None }
        }
    }

    /// Encrypts the data in place and writes the (truncated) ICV. False if OpenSSL fails.
    ///
    /// # Safety
    /// Every region of `p` must be valid for its length (nonce: 12 bytes).
    pub unsafe fn seal(&self, p: &Packet, path: Path) -> bool {
        let ctx = self.enc;
        let mut outl: c_int = 0;
        let mut fin = [0u8; 16];
        let iv_set = match path {
            Path::Init => EVP_EncryptInit_ex(ctx, ptr::null(), ptr::null_mut(), ptr::null(), p.nonce) == 1,
            Path::Params => EVP_CIPHER_CTX_set_params(ctx, [param(PARAM_IV_FIXED, p.nonce, usize::MAX), param_end()].as_ptr()) == 1,
        };
        iv_set
            && update(ctx, EVP_EncryptUpdate, ptr::null_mut(), p.aad, p.aad_len)
            && update(ctx, EVP_EncryptUpdate, p.data, p.data, p.data_len)
            && EVP_EncryptFinal_ex(ctx, fin.as_mut_ptr(), &mut outl) == 1
            && match path {
                Path::Init => EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, p.tag_len as c_int, p.tag as *mut c_void) == 1,
                Path::Params => EVP_CIPHER_CTX_get_params(ctx, [param(PARAM_TAG, p.tag, p.tag_len), param_end()].as_mut_ptr()) == 1,
            }
    }

    /// Verifies the ICV and decrypts the data in place; on failure the data is zeroed.
    ///
    /// # Safety
    /// Every region of `p` must be valid for its length (nonce: 12 bytes).
    pub unsafe fn open(&self, p: &Packet, path: Path) -> bool {
        let ctx = self.dec;
        let mut outl: c_int = 0;
        let mut fin = [0u8; 16];
        // The expected ICV is copied into the context before the data is touched.
        let set = match path {
            Path::Init => {
                EVP_DecryptInit_ex(ctx, ptr::null(), ptr::null_mut(), ptr::null(), p.nonce) == 1
                    && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, p.tag_len as c_int, p.tag as *mut c_void) == 1
            }
            Path::Params => {
                let ps = [param(PARAM_IV_FIXED, p.nonce, usize::MAX), param(PARAM_TAG, p.tag, p.tag_len), param_end()];
                EVP_CIPHER_CTX_set_params(ctx, ps.as_ptr()) == 1
            }
        };
        let ok = set
            && update(ctx, EVP_DecryptUpdate, ptr::null_mut(), p.aad, p.aad_len)
            && update(ctx, EVP_DecryptUpdate, p.data, p.data, p.data_len)
            && EVP_DecryptFinal_ex(ctx, fin.as_mut_ptr(), &mut outl) > 0;
        if !ok && p.data_len > 0 {
            ptr::write_bytes(p.data, 0, p.data_len); // never hand out unauthenticated plaintext
        }
        ok
    }
}

type UpdateFn = unsafe extern "C" fn(*mut EvpCipherCtx, *mut u8, *mut c_int, *const u8, c_int) -> c_int;

/// One EVP_*Update over `len` bytes (`out` null = AAD), in C-int-sized chunks.
unsafe fn update(ctx: *mut EvpCipherCtx, f: UpdateFn, out: *mut u8, inp: *const u8, len: usize) -> bool {
    let mut done = 0usize;
    while done < len {
        let n = (len - done).min(CHUNK);
        let o = if out.is_null() { out } else { out.add(done) };
        let mut outl: c_int = 0;
        if f(ctx, o, &mut outl, inp.add(done), n as c_int) != 1 {
            return false;
        }
        done += n;
    }
    true
}

/// Seal and open of one packet, whichever way OpenSSL is driven (for the self-tests).
pub trait Aead {
    /// # Safety
    /// As `GcmKey::seal`.
    unsafe fn seal(&self, p: &Packet) -> bool;
    /// # Safety
    /// As `GcmKey::open`.
    unsafe fn open(&self, p: &Packet) -> bool;
}

/// An EVP key driven by one `Path`.
pub struct WithPath<'a>(pub &'a GcmKey, pub Path);

impl Aead for WithPath<'_> {
    unsafe fn seal(&self, p: &Packet) -> bool {
        self.0.seal(p, self.1)
    }
    unsafe fn open(&self, p: &Packet) -> bool {
        self.0.open(p, self.1)
    }
}

/// The address of an EVP function, to tell which loaded object OpenSSL lives in.
pub fn anchor() -> *const c_void {
    EVP_aes_128_gcm as *const c_void
}

/// Known answer: McGrew & Viega GCM test case 4 (AES-128, 12-byte IV, 20-byte
/// AAD, 60 bytes), for each ICV length and then once more (so a failed open
/// must not leave the contexts unusable).
pub fn kat(path: Path) -> bool {
    let Some(k) = GcmKey::new(&KAT_KEY) else { return false };
    kat_with(&WithPath(&k, path), &KAT_CT, &KAT_TAG)
}

/// The known-answer test on `k`, which holds the test case's key: KAT_PT with
/// KAT_IV and KAT_AAD must seal to `ct` and `tag` (each ICV length), open back,
/// and a forged ICV must be refused.
pub fn kat_with(k: &impl Aead, ct: &[u8; 60], tag: &[u8; 16]) -> bool {
    for tag_len in [16usize, 8, 12, 16] {
        let (mut data, mut t) = (KAT_PT, [0u8; 16]);
        let p = Packet { nonce: KAT_IV.as_ptr(), aad: KAT_AAD.as_ptr(), aad_len: 20, data: data.as_mut_ptr(), data_len: 60, tag: t.as_mut_ptr(), tag_len };
        // SAFETY: every region is a local array of the stated length; all writes go through `p`.
        unsafe {
            if !k.seal(&p) || *p.data.cast::<[u8; 60]>() != *ct || *p.tag.cast::<[u8; 16]>() != tag16(tag, tag_len) {
                return false;
            }
            if !k.open(&p) || *p.data.cast::<[u8; 60]>() != KAT_PT {
                return false;
            }
            k.seal(&p);
            *p.tag ^= 1;
            if k.open(&p) {
                return false;
            }
        }
    }
    true
}

/// The expected ICV field: the leading `n` bytes of the full tag, the rest untouched (zero).
fn tag16(tag: &[u8; 16], n: usize) -> [u8; 16] {
    core::array::from_fn(|i| if i < n { tag[i] } else { 0 })
}

pub const KAT_KEY: [u8; 16] = [
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
];
pub const KAT_IV: [u8; 12] = [
    0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88,
];
pub const KAT_AAD: [u8; 20] = [
    0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
];
pub const KAT_TAG: [u8; 16] = [
    0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a, 0xe7, 0x12, 0x1a, 0x47,
];
pub const KAT_PT: [u8; 60] = [
    0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53,
    0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53,
    0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
];
pub const KAT_CT: [u8; 60] = [
    0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0, 0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f,
    0x2c, 0x02, 0xa4, 0xe0, 0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c,
    0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05, 0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97, 0x3d, 0x58, 0xe0, 0x91,
];
