//! The fast path: AES-GCM on OpenSSL's internal AES-NI and GCM128 functions,
//! bypassing EVP and its per-call provider/OSSL_PARAM overhead (about 200 ns
//! of the ~220 ns a 64-byte packet costs through EVP in OpenSSL 3).
//!
//! Per key: `aesni_set_encrypt_key` expands the key once into an `AES_KEY`
//! (OpenSSL 3 include/openssl/aes.h: `unsigned int rd_key[4 * (AES_MAXNR + 1)];
//! int rounds;` with AES_MAXNR = 14, AES_LONG unset on x86_64: 244 bytes; the
//! aesni asm keeps its round count, 9/11/13, at byte 240), and
//! `CRYPTO_gcm128_init` computes H and its GHASH table (picking the GHASH
//! code, CLMUL or AVX, itself); the schedule and the table are what a key
//! keeps (`FastKeys`: 448 bytes). Per packet, in one shared GCM128 context
//! holding the packet's key table: setiv, aad, encrypt_ctr32 / decrypt_ctr32
//! with `aesni_ctr32_encrypt_blocks`, then tag (seal) or finish (open: OpenSSL
//! compares the ICV with CRYPTO_memcmp, in constant time).
//!
//! These are internal, version-dependent OpenSSL symbols. So nothing here is
//! linked: each is looked up with `dlsym(RTLD_DEFAULT, ...)` when the addon
//! loads, all of them must come from the same object as the EVP functions
//! (their addresses lie in its segments), the CPU must have AES-NI, PCLMULQDQ and SSSE3, and the path is
//! used only after it passes known-answer tests and a comparison with the EVP
//! path on pseudo-random packets (`self_test`). Otherwise EVP stays in use.
//! Linux x86_64 only; elsewhere `Fns::resolve` always says why not.

use crate::evp::{self, Packet};
use std::cell::Cell;
use std::ffi::c_void;

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
use std::ffi::{c_char, c_int};

/// OpenSSL's AES_KEY (see the module comment), 16-byte aligned for the asm's sake.
#[repr(C, align(16))]
struct AesKey {
    rd_key: [u32; 60],
    rounds: i32,
}

#[repr(C)]
pub struct Gcm128Ctx {
    _opaque: [u8; 0],
}

type Block128 = unsafe extern "C" fn(inp: *const u8, out: *mut u8, key: *const c_void);
type Ctr128 = unsafe extern "C" fn(inp: *const u8, out: *mut u8, blocks: usize, key: *const c_void, ivec: *const u8);

/// The OpenSSL functions the fast path calls, resolved at load.
pub struct Fns {
    set_encrypt_key: unsafe extern "C" fn(user_key: *const u8, bits: i32, key: *mut AesKey) -> i32,
    encrypt: Block128,
    ctr32: Ctr128,
    gcm_new: unsafe extern "C" fn(key: *const c_void, block: Block128) -> *mut Gcm128Ctx,
    gcm_init: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, key: *mut c_void, block: Block128),
    gcm_setiv: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, iv: *const u8, len: usize),
    gcm_aad: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, aad: *const u8, len: usize) -> i32,
    gcm_encrypt_ctr32: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, inp: *const u8, out: *mut u8, len: usize, stream: Ctr128) -> i32,
    gcm_decrypt_ctr32: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, inp: *const u8, out: *mut u8, len: usize, stream: Ctr128) -> i32,
    gcm_finish: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, tag: *const u8, len: usize) -> i32,
    gcm_tag: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, tag: *mut u8, len: usize),
    gcm_release: unsafe extern "C" fn(ctx: *mut Gcm128Ctx),
    /// OpenSSL's stitched AES-NI + GHASH bulk functions, when this node has them (see `Stitched`).
    stitched: Option<Stitched>,
}

/// The bulk of a packet through `aesni_gcm_encrypt` / `aesni_gcm_decrypt`
/// (crypto/modes/asm/aesni-gcm-x86_64.pl: AES-CTR and GHASH interleaved, six
/// blocks at a time, one pass over the data), as OpenSSL's own GCM cipher
/// does for long enough input (providers/.../cipher_aes_gcm_hw.c: 288 bytes
/// and more on seal, 96 on open); the rest goes through the ctr32 functions.
/// They take the counter block (GCM128_CONTEXT.Yi) and the hash (Xi, with H
/// and the Htable right behind it) by pointer, so they depend on the context's
/// layout (OpenSSL 3.0 crypto/modes/modes_local.h: Yi, EKi, EK0, len, Xi, H
/// at 16-byte steps, Htable[16], gmult, ghash, mres, ares, block, key) and
/// on the Htable being the AVX one: FastKeys::new checks both on its context
/// (its ghash, block and key fields hold what they must) before using them.
#[derive(Clone, Copy)]
pub struct Stitched {
    enc: unsafe extern "C" fn(inp: *const u8, out: *mut u8, len: usize, key: *const c_void, ivec: *mut u8, xi: *mut u64) -> usize,
    dec: unsafe extern "C" fn(inp: *const u8, out: *mut u8, len: usize, key: *const c_void, ivec: *mut u8, xi: *mut u64) -> usize,
    /// CRYPTO_gcm128_encrypt / _decrypt, called with length 0 to fold the AAD into the hash first.
    gcm_encrypt: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, inp: *const u8, out: *mut u8, len: usize) -> i32,
    gcm_decrypt: unsafe extern "C" fn(ctx: *mut Gcm128Ctx, inp: *const u8, out: *mut u8, len: usize) -> i32,
    /// Address of gcm_ghash_avx: the context's ghash must be it.
    ghash_avx: usize,
}

// GCM128_CONTEXT offsets (OpenSSL 3.0, 64-bit; see `Stitched`).
const CTX_YI: usize = 0;
const CTX_LEN_MSG: usize = 56; // len.u[1]
const CTX_XI: usize = 64;
const CTX_HTABLE: usize = 96;
const CTX_GHASH: usize = 96 + 256 + 8;
const CTX_BLOCK: usize = CTX_GHASH + 8 + 8;
const CTX_KEY: usize = CTX_BLOCK + 8;
/// Shortest data the stitched functions are given (OpenSSL's AES_GCM_ENC_BYTES / AES_GCM_DEC_BYTES).
const STITCHED_MIN_SEAL: usize = 288;
const STITCHED_MIN_OPEN: usize = 96;

/// The leading fields of glibc's / musl's `struct dl_phdr_info` (<link.h>, 64-bit).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[repr(C)]
struct DlPhdrInfo {
    addr: usize,
    name: *const c_char,
    phdr: *const Elf64Phdr,
    phnum: u16,
}

/// `Elf64_Phdr` (<elf.h>).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[repr(C)]
struct Elf64Phdr {
    p_type: u32,
    p_flags: u32,
    p_offset: u64,
    p_vaddr: u64,
    p_paddr: u64,
    p_filesz: u64,
    p_memsz: u64,
    p_align: u64,
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
const PT_LOAD: u32 = 1;

// From libc (glibc >= 2.34, musl) or libdl, which node has loaded; like the
// OpenSSL and N-API symbols they resolve when node loads the addon.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dl_iterate_phdr(cb: unsafe extern "C" fn(*mut DlPhdrInfo, usize, *mut c_void) -> c_int, data: *mut c_void) -> c_int;
}

impl Fns {
    /// The functions, or why the fast path cannot be used here.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    pub fn resolve() -> Result<Fns, String> {
        for f in ["aes", "pclmulqdq", "ssse3"] {
            let has = match f {
                "aes" => std::arch::is_x86_feature_detected!("aes"),
                "pclmulqdq" => std::arch::is_x86_feature_detected!("pclmulqdq"),
                _ => std::arch::is_x86_feature_detected!("ssse3"),
            };
            if !has {
                return Err(format!("the CPU lacks {f}"));
            }
        }
        if std::env::var_os("OPENSSL_ia32cap").is_some() {
            // Someone is steering OpenSSL's choice of CPU code; EVP honours it, the fast path would not.
            return Err("OPENSSL_ia32cap is set".into());
        }
        // The object the EVP functions come from: the internal ones must be its own.
        let evp_object = object_of(evp::anchor() as usize).ok_or("cannot find the object OpenSSL's EVP functions are in")?;
        let sym = |name: &str| -> Result<*mut c_void, String> {
            let c = format!("{name}\0");
            // SAFETY: a NUL-terminated name; RTLD_DEFAULT is the null handle on glibc and musl.
            let p = unsafe { dlsym(std::ptr::null_mut(), c.as_ptr() as *const c_char) };
            if p.is_null() {
                return Err(format!("{name} is not exported by this node"));
            }
            if !evp_object.iter().any(|&(lo, hi)| (lo..hi).contains(&(p as usize))) {
                return Err(format!("{name} does not come from the OpenSSL that EVP comes from"));
            }
            Ok(p)
        };
        // SAFETY: each pointer is the named OpenSSL function, whose C prototype
        // (include/openssl/modes.h, aes.h, crypto/aes_platform.h) the type spells out.
        unsafe {
            use std::mem::transmute as fnp;
            Ok(Fns {
                set_encrypt_key: fnp(sym("aesni_set_encrypt_key")?),
                encrypt: fnp(sym("aesni_encrypt")?),
                ctr32: fnp(sym("aesni_ctr32_encrypt_blocks")?),
                gcm_new: fnp(sym("CRYPTO_gcm128_new")?),
                gcm_init: fnp(sym("CRYPTO_gcm128_init")?),
                gcm_setiv: fnp(sym("CRYPTO_gcm128_setiv")?),
                gcm_aad: fnp(sym("CRYPTO_gcm128_aad")?),
                gcm_encrypt_ctr32: fnp(sym("CRYPTO_gcm128_encrypt_ctr32")?),
                gcm_decrypt_ctr32: fnp(sym("CRYPTO_gcm128_decrypt_ctr32")?),
                gcm_finish: fnp(sym("CRYPTO_gcm128_finish")?),
                gcm_tag: fnp(sym("CRYPTO_gcm128_tag")?),
                gcm_release: fnp(sym("CRYPTO_gcm128_release")?),
                stitched: (|| -> Result<Stitched, String> {
                    if std::env::var_os("TRIODE_CRYPTO_NO_STITCH").is_some() {
                        return Err("TRIODE_CRYPTO_NO_STITCH is set".into());
                    }
                    Ok(Stitched {
                        enc: fnp(sym("aesni_gcm_encrypt")?),
                        dec: fnp(sym("aesni_gcm_decrypt")?),
                        gcm_encrypt: fnp(sym("CRYPTO_gcm128_encrypt")?),
                        gcm_decrypt: fnp(sym("CRYPTO_gcm128_decrypt")?),
                        ghash_avx: sym("gcm_ghash_avx")? as usize,
                    })
                })()
                .ok(),
            })
        }
    }

    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    pub fn resolve() -> Result<Fns, String> {
        Err("the fast path is only built for Linux x86_64".into())
    }
}

/// The address ranges (PT_LOAD segments) of the loaded object that contains
/// `addr`. dl_iterate_phdr rather than dladdr: dladdr scans node's whole
/// symbol table, ~1 ms a call.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn object_of(addr: usize) -> Option<Vec<(usize, usize)>> {
    struct Find {
        addr: usize,
        ranges: Vec<(usize, usize)>,
    }
    unsafe extern "C" fn cb(info: *mut DlPhdrInfo, _size: usize, data: *mut c_void) -> c_int {
        // SAFETY: the loader hands a valid info whose phdr array has phnum entries; data is our Find.
        let (info, find) = (&*info, &mut *(data as *mut Find));
        let segs = std::slice::from_raw_parts(info.phdr, info.phnum as usize);
        let ranges: Vec<(usize, usize)> = segs
            .iter()
            .filter(|h| h.p_type == PT_LOAD)
            .map(|h| (info.addr.wrapping_add(h.p_vaddr as usize), info.addr.wrapping_add((h.p_vaddr + h.p_memsz) as usize)))
            .collect();
        if ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&find.addr)) {
            find.ranges = ranges;
            return 1; // found: stop
        }
        0
    }
    let mut find = Find { addr, ranges: Vec::new() };
    // SAFETY: cb only reads what the loader gives it and writes `find`.
    unsafe { dl_iterate_phdr(cb, &mut find as *mut Find as *mut c_void) };
    if find.ranges.is_empty() { None } else { Some(find.ranges) }
}

/// Records per arena chunk (a chunk is allocated whole and never moves, so
/// the AES_KEY pointers the contexts are given stay valid).
const CHUNK: usize = 256;
/// Bytes of the AES_KEY at the start of a record (244 used, 16-byte aligned).
const AES_BYTES: usize = std::mem::size_of::<AesKey>();
/// The whole Htable of a GCM128 context: 16 entries of 16 bytes.
const HTABLE_MAX: usize = 256;

/// Every key of one environment on the fast path, as compact as OpenSSL's
/// functions allow (crates/triode-crypto README in src/crypto: what a key costs).
///
/// Per key only what depends on the key is kept: its AES_KEY schedule (244
/// bytes) and the part of the GCM128 context's Htable that OpenSSL's GHASH
/// code fills (H^1..H^8 and their Karatsuba halves for the AVX code: 192
/// bytes; probed, see `new`): one 448-byte, 64-byte-aligned record (7 cache
/// lines) in an arena, instead of a boxed AES_KEY plus a 440-byte
/// CRYPTO_gcm128_new context per key (~800 bytes with malloc's headers and
/// the handle table). The rest of a context (counter block, EK0, lengths, Xi,
/// the function pointers) is per-operation state or the same for every key,
/// so all packets run in one `scratch` context: when a packet's key is not
/// the one loaded, its table is copied in (192 bytes, from the cache lines
/// the batch prefetched) and the context's key pointer set. Packets of the
/// same key in a row (one SA, or a vector of one VPN's packets) skip the copy.
pub struct FastKeys {
    fns: &'static Fns,
    /// The stitched bulk functions apply to the scratch context (`Stitched`).
    stitched: Option<Stitched>,
    /// Leading bytes of a context's Htable that OpenSSL fills (the rest stays zero).
    htable_len: usize,
    /// Bytes per record: AES_KEY + htable_len, rounded up to a cache line.
    stride: usize,
    chunks: Vec<*mut u8>,
    /// Record i holds a key (handle i + 1).
    live: Vec<bool>,
    /// Removed records, reused first.
    free: Vec<u32>,
    /// The context every packet runs in; its Htable and key pointer are `loaded`'s.
    scratch: *mut Gcm128Ctx,
    /// The zero key `scratch` was made with and points at when no key is loaded.
    idle: Box<AesKey>,
    /// The record whose table is in `scratch` (u32::MAX: none).
    loaded: Cell<u32>,
}

impl Drop for FastKeys {
    fn drop(&mut self) {
        // SAFETY: each chunk came from alloc_zeroed with this layout; scratch from
        // CRYPTO_gcm128_new (release clears and frees it). Key material is wiped
        // with volatile writes so the compiler keeps them.
        unsafe {
            let layout = Self::chunk_layout(self.stride);
            for &c in &self.chunks {
                wipe(c, layout.size());
                std::alloc::dealloc(c, layout);
            }
            (self.fns.gcm_release)(self.scratch);
        }
    }
}

/// Zeroes `n` bytes at `p` in a way the optimiser cannot drop.
unsafe fn wipe(p: *mut u8, n: usize) {
    for i in 0..n {
        std::ptr::write_volatile(p.add(i), 0);
    }
}

impl FastKeys {
    /// The store, or None if a GCM128 context is not laid out as this file
    /// assumes (then the fast path is not used).
    pub fn new(fns: &'static Fns) -> Option<FastKeys> {
        let mut idle = Box::new(AesKey { rd_key: [0; 60], rounds: 0 });
        // SAFETY: a 32-byte key into our AES_KEY; the context keeps a pointer to
        // `idle`, which lives in the same struct and outlives it.
        unsafe {
            if (fns.set_encrypt_key)([0u8; 32].as_ptr(), 256, &mut *idle) != 0 {
                return None;
            }
            let scratch = (fns.gcm_new)(&*idle as *const AesKey as *const c_void, fns.encrypt);
            if scratch.is_null() {
                return None;
            }
            let mut s = FastKeys {
                fns,
                stitched: None,
                htable_len: HTABLE_MAX,
                stride: 0,
                chunks: Vec::new(),
                live: Vec::new(),
                free: Vec::new(),
                scratch,
                idle,
                loaded: Cell::new(u32::MAX),
            };
            // The fields this file reads and writes must be where it thinks: the
            // block function and key pointer just given to CRYPTO_gcm128_new.
            if !usable_size_at_least(scratch as *mut c_void, CTX_KEY + 8)
                || s.at(CTX_BLOCK) != fns.encrypt as usize
                || s.at(CTX_KEY) != &*s.idle as *const AesKey as usize
            {
                return None;
            }
            // How much of the Htable OpenSSL's GHASH code fills: the context is
            // zeroed before init, so with a random-looking key the entries past
            // the last non-zero one are never written (AVX: 12, CLMUL: 6, the
            // 4-bit tables: all 16).
            let mut probe = AesKey { rd_key: [0; 60], rounds: 0 };
            let k: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29).wrapping_add(0x5b));
            if (fns.set_encrypt_key)(k.as_ptr(), 256, &mut probe) != 0 {
                return None;
            }
            (fns.gcm_init)(scratch, &mut probe as *mut AesKey as *mut c_void, fns.encrypt);
            let table = (scratch as *const u8).add(CTX_HTABLE);
            let used = (0..HTABLE_MAX / 16).rev().find(|&e| (0..16).any(|b| *table.add(e * 16 + b) != 0))?;
            s.htable_len = (used + 1) * 16;
            s.stride = (AES_BYTES + s.htable_len).div_ceil(64) * 64;
            s.unload();
            if let Some(st) = fns.stitched {
                if s.at(CTX_GHASH) == st.ghash_avx {
                    s.stitched = Some(st);
                }
            }
            Some(s)
        }
    }

    unsafe fn at(&self, off: usize) -> usize {
        std::ptr::read_unaligned((self.scratch as *const u8).add(off) as *const usize)
    }

    fn chunk_layout(stride: usize) -> std::alloc::Layout {
        std::alloc::Layout::from_size_align(stride * CHUNK, 64).expect("chunk layout")
    }

    /// Record `i` (which must exist).
    #[inline]
    fn rec(&self, i: u32) -> *mut u8 {
        let i = i as usize;
        // SAFETY: i < live.len() <= chunks.len() * CHUNK (callers check), so inside a chunk.
        unsafe { self.chunks[i / CHUNK].add((i % CHUNK) * self.stride) }
    }

    /// Whether handle `h` names a key.
    #[inline]
    pub fn has(&self, h: u32) -> bool {
        self.live.get(h.wrapping_sub(1) as usize).copied().unwrap_or(false)
    }

    /// Expands a 16-, 24- or 32-byte key into a record; its handle, or None if OpenSSL refuses it.
    pub fn add(&mut self, key: &[u8]) -> Option<u32> {
        if !matches!(key.len(), 16 | 24 | 32) || self.live.len() >= u32::MAX as usize - 2 {
            return None;
        }
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = self.live.len();
                if i % CHUNK == 0 {
                    // SAFETY: a non-zero-sized layout.
                    let c = unsafe { std::alloc::alloc_zeroed(Self::chunk_layout(self.stride)) };
                    if c.is_null() {
                        return None;
                    }
                    self.chunks.push(c);
                }
                self.live.push(false);
                i as u32
            }
        };
        let rec = self.rec(i);
        let aes = rec as *mut AesKey;
        let f = self.fns;
        // SAFETY: the record is ours, 64-byte aligned and `stride` bytes long; the
        // scratch context is re-made for this key and then holds its table.
        let ok = unsafe {
            (f.set_encrypt_key)(key.as_ptr(), (key.len() * 8) as i32, aes) == 0
                // aesni's schedule stores rounds - 1 (9, 11, 13) at byte 240, where its
                // asm loops read it; anything else means the layout is not what we think.
                && (*aes).rounds == key.len() as i32 / 4 + 5
                && {
                    (f.gcm_init)(self.scratch, aes as *mut c_void, f.encrypt);
                    std::ptr::copy_nonoverlapping((self.scratch as *const u8).add(CTX_HTABLE), rec.add(AES_BYTES), self.htable_len);
                    true
                }
        };
        if !ok {
            // SAFETY: the record is ours.
            unsafe { wipe(rec, self.stride) };
            self.unload();
            self.free.push(i);
            return None;
        }
        self.loaded.set(i);
        self.live[i as usize] = true;
        Some(i + 1)
    }

    /// Frees a key (its record is wiped and reused); false if `h` names none.
    pub fn remove(&mut self, h: u32) -> bool {
        if !self.has(h) {
            return false;
        }
        let i = h - 1;
        // SAFETY: the record is ours.
        unsafe { wipe(self.rec(i), self.stride) };
        self.live[i as usize] = false;
        self.free.push(i);
        if self.loaded.get() == i {
            self.unload();
        }
        true
    }

    /// The scratch context holds no key's table (and points at the zero key).
    fn unload(&self) {
        // SAFETY: the Htable and key fields lie inside the context (checked in `new`).
        unsafe {
            wipe((self.scratch as *mut u8).add(CTX_HTABLE), HTABLE_MAX);
            std::ptr::write_unaligned((self.scratch as *mut u8).add(CTX_KEY) as *mut usize, &*self.idle as *const AesKey as usize);
        }
        self.loaded.set(u32::MAX);
    }

    /// Makes handle `h`'s key the scratch context's; returns its AES_KEY.
    #[inline]
    unsafe fn load(&self, h: u32) -> *const AesKey {
        let i = h - 1;
        let rec = self.rec(i);
        if self.loaded.get() != i {
            let c = self.scratch as *mut u8;
            std::ptr::copy_nonoverlapping(rec.add(AES_BYTES), c.add(CTX_HTABLE), self.htable_len);
            std::ptr::write_unaligned(c.add(CTX_KEY) as *mut usize, rec as usize);
            self.loaded.set(i);
        }
        rec as *const AesKey
    }

    /// Asks the CPU to start loading key `h`'s record (7 cache lines; with
    /// thousands of SAs in round robin they are in no cache), so a batch has
    /// these loads of all its packets in flight up front instead of stalling on
    /// them one packet at a time (VPP prefetches the same way). Measured with
    /// 10,000 VPNs: esp-encrypt 30-55% faster per packet.
    #[inline]
    pub fn prefetch(&self, h: u32) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetches never fault; the record is our allocation.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let r = self.rec(h - 1) as *const i8;
            for off in (0..self.stride).step_by(64) {
                _mm_prefetch::<_MM_HINT_T0>(r.add(off));
            }
        }
    }

    /// Whether the scratch context runs the stitched bulk functions.
    pub fn is_stitched(&self) -> bool {
        self.stitched.is_some()
    }

    /// Keys held, and every byte the store has allocated for them (arena
    /// chunks, the handle table, the free list, the scratch context).
    pub fn memory(&self) -> (usize, usize, usize) {
        let keys = self.live.iter().filter(|&&l| l).count();
        let bytes = self.chunks.len() * CHUNK * self.stride
            + self.chunks.capacity() * std::mem::size_of::<*mut u8>()
            + self.live.capacity()
            + self.free.capacity() * 4
            + usable_size(self.scratch as *mut c_void)
            + AES_BYTES;
        (keys, bytes, self.stride)
    }

    /// Encrypts the data in place and writes the (truncated) ICV. False if OpenSSL refuses.
    ///
    /// # Safety
    /// `h` must name a key (`has`); every region of `p` must be valid for its length
    /// (nonce: 12 bytes, tag_len <= 16).
    #[inline]
    pub unsafe fn seal(&self, h: u32, p: &Packet) -> bool {
        let f = self.fns;
        let aes = self.load(h);
        let ctx = self.scratch;
        (f.gcm_setiv)(ctx, p.nonce, 12);
        if (f.gcm_aad)(ctx, p.aad, p.aad_len) != 0 {
            return false;
        }
        let mut done = 0;
        if let Some(st) = self.stitched {
            if p.data_len >= STITCHED_MIN_SEAL {
                done = self.bulk(aes, st.gcm_encrypt, st.enc, p);
                if done == usize::MAX {
                    return false;
                }
            }
        }
        if (f.gcm_encrypt_ctr32)(ctx, p.data.add(done), p.data.add(done), p.data_len - done, f.ctr32) != 0 {
            return false;
        }
        (f.gcm_tag)(ctx, p.tag, p.tag_len);
        true
    }

    /// The stitched part of a packet (a multiple of 96 bytes from its start), as
    /// OpenSSL's GCM cipher does it: fold the AAD into the hash (a zero-length
    /// update), run the bulk function on the counter block and hash in the
    /// context, count what it did in the message length. Returns the bytes done,
    /// or usize::MAX if OpenSSL refused the zero-length update.
    #[inline]
    unsafe fn bulk(
        &self,
        aes: *const AesKey,
        update: unsafe extern "C" fn(*mut Gcm128Ctx, *const u8, *mut u8, usize) -> i32,
        f: unsafe extern "C" fn(*const u8, *mut u8, usize, *const c_void, *mut u8, *mut u64) -> usize,
        p: &Packet,
    ) -> usize {
        if update(self.scratch, p.data, p.data, 0) != 0 {
            return usize::MAX;
        }
        let c = self.scratch as *mut u8;
        let done = f(p.data, p.data, p.data_len, aes as *const c_void, c.add(CTX_YI), c.add(CTX_XI) as *mut u64);
        let len = c.add(CTX_LEN_MSG) as *mut u64;
        std::ptr::write_unaligned(len, std::ptr::read_unaligned(len) + done as u64);
        done
    }

    /// Verifies the ICV and decrypts the data in place; on failure the data is zeroed.
    ///
    /// # Safety
    /// As `seal`.
    #[inline]
    pub unsafe fn open(&self, h: u32, p: &Packet) -> bool {
        let f = self.fns;
        // The expected ICV is copied before the data is touched (the regions may overlap).
        let mut want = [0u8; 16];
        std::ptr::copy(p.tag, want.as_mut_ptr(), p.tag_len.min(16));
        let aes = self.load(h);
        let ctx = self.scratch;
        (f.gcm_setiv)(ctx, p.nonce, 12);
        let mut ok = (f.gcm_aad)(ctx, p.aad, p.aad_len) == 0;
        let mut done = 0;
        if let Some(st) = self.stitched {
            if ok && p.data_len >= STITCHED_MIN_OPEN {
                done = self.bulk(aes, st.gcm_decrypt, st.dec, p);
                ok = done != usize::MAX;
            }
        }
        ok = ok
            && (f.gcm_decrypt_ctr32)(ctx, p.data.add(done), p.data.add(done), p.data_len - done, f.ctr32) == 0
            && (f.gcm_finish)(ctx, want.as_ptr(), p.tag_len) == 0;
        if !ok && p.data_len > 0 {
            std::ptr::write_bytes(p.data, 0, p.data_len); // never hand out unauthenticated plaintext
        }
        ok
    }

    /// Key `h` as an `evp::Aead` (the self-tests').
    pub fn key(&self, h: u32) -> KeyRef<'_> {
        KeyRef(self, h)
    }
}

/// One key of a store, for the self-tests.
pub struct KeyRef<'a>(&'a FastKeys, u32);

impl evp::Aead for KeyRef<'_> {
    unsafe fn seal(&self, p: &Packet) -> bool {
        self.0.seal(self.1, p)
    }
    unsafe fn open(&self, p: &Packet) -> bool {
        self.0.open(self.1, p)
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" {
    fn malloc_usable_size(p: *mut c_void) -> usize;
}

/// What malloc gave for `p` (0 where that cannot be asked).
fn usable_size(p: *mut c_void) -> usize {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    // SAFETY: p came from OpenSSL's malloc (CRYPTO_gcm128_new), node's default allocator.
    return unsafe { malloc_usable_size(p) };
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    return 0;
}

/// Whether the allocation at `p` holds at least `n` bytes (we write into the context at fixed offsets).
fn usable_size_at_least(p: *mut c_void, n: usize) -> bool {
    usable_size(p) >= n
}

/// Everything the fast path must get right before it is used: the GCM
/// known-answer tests (AES-128 and AES-256, ICVs of 16/8/12 bytes, forged ICVs
/// refused), then seal and open of pseudo-random packets of many lengths
/// (0, 1, 15, 16, 17, ..., 64, ..., 1420, 9000), AAD of 0/8/12/20 bytes, ICVs
/// of 8/12/16 bytes and AES-128/192/256, compared byte for byte with the EVP
/// path (`reference`), each side opening the other's output and refusing a
/// tampered copy. Every packet is done with two keys of one store in turn, so
/// switching the scratch context between keys is tested as the batches use it.
/// Ok(()) or the first thing that went wrong.
pub fn self_test(fns: &'static Fns, reference: evp::Path) -> Result<(), String> {
    let mut store = FastKeys::new(fns).ok_or("a GCM128 context is not laid out as expected")?;
    for (key, ct, tag) in [(&evp::KAT_KEY[..], &evp::KAT_CT, &evp::KAT_TAG), (&KAT256_KEY[..], &KAT256_CT, &KAT256_TAG)] {
        let h = store.add(key).ok_or("key setup failed")?;
        if !evp::kat_with(&store.key(h), ct, tag) {
            return Err(format!("AES-{} known-answer test failed", key.len() * 8));
        }
        store.remove(h);
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    // 95/96/97, 287/288/289 and up: either side of where the stitched bulk functions take over.
    const LENS: [usize; 32] = [
        0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 95, 96, 97, 127, 191, 192, 255, 256, 287, 288, 289, 383, 384, 576, 1404, 1420, 1500, 9000,
    ];
    let mut buf = vec![0u8; 12 + 20 + 9000 + 16];
    let mut fast = vec![0u8; buf.len()];
    let mut slow = vec![0u8; buf.len()];
    for key_len in [16usize, 24, 32] {
        let mut pairs = Vec::new();
        for _ in 0..2 {
            let mut key = [0u8; 32];
            rng.fill(&mut key);
            let h = store.add(&key[..key_len]).ok_or("key setup failed")?;
            pairs.push((h, evp::GcmKey::new(&key[..key_len]).ok_or("EVP key setup failed")?));
        }
        for (i, &len) in LENS.iter().enumerate() {
            let aad_len = [0usize, 8, 12, 20][i % 4];
            for tag_len in [16usize, 12, 8] {
                for (h, ke) in &pairs {
                    let (kf, ke) = (store.key(*h), evp::WithPath(ke, reference));
                    rng.fill(&mut buf);
                    fast.copy_from_slice(&buf);
                    slow.copy_from_slice(&buf);
                    let what = || format!("AES-{} {len} B, AAD {aad_len} B, ICV {tag_len} B", key_len * 8);
                    // SAFETY: the packets lie inside the local buffers, which are long enough.
                    unsafe {
                        let pf = packet(&mut fast, aad_len, len, tag_len);
                        let ps = packet(&mut slow, aad_len, len, tag_len);
                        if !evp::Aead::seal(&kf, &pf) || !evp::Aead::seal(&ke, &ps) {
                            return Err(format!("seal refused: {}", what()));
                        }
                        if fast != slow {
                            return Err(format!("seal differs from EVP: {}", what()));
                        }
                        // Each opens the other's output (identical bytes, so: its own copy).
                        let end = 12 + aad_len + len;
                        if !evp::Aead::open(&kf, &pf) || !evp::Aead::open(&ke, &ps) || fast[..end] != buf[..end] || fast != slow {
                            return Err(format!("open failed: {}", what()));
                        }
                        evp::Aead::seal(&kf, &pf);
                        evp::Aead::seal(&ke, &ps);
                        // One flipped bit in the ICV, the AAD or the data: both refuse, both zero the data.
                        let at = match rng.next() % 3 {
                            0 => 12 + aad_len + len + (rng.next() as usize % tag_len),
                            1 if aad_len > 0 => 12 + (rng.next() as usize % aad_len),
                            _ if len > 0 => 12 + aad_len + (rng.next() as usize % len),
                            _ => 12 + aad_len + len,
                        };
                        let bit = 1u8 << (rng.next() % 8);
                        fast[at] ^= bit;
                        slow[at] ^= bit;
                        if evp::Aead::open(&kf, &pf) || evp::Aead::open(&ke, &ps) {
                            return Err(format!("a tampered packet was accepted: {}", what()));
                        }
                        if fast != slow || fast[12 + aad_len..12 + aad_len + len].iter().any(|&b| b != 0) {
                            return Err(format!("a refused packet was not zeroed as EVP does: {}", what()));
                        }
                    }
                }
            }
        }
        for (h, _) in pairs {
            store.remove(h);
        }
    }
    Ok(())
}

/// nonce 12 | AAD | data | ICV, packed from the start of `b`.
fn packet(b: &mut [u8], aad_len: usize, len: usize, tag_len: usize) -> Packet {
    assert!(12 + aad_len + len + tag_len <= b.len());
    let p = b.as_mut_ptr();
    // SAFETY: all offsets are inside `b` (checked above).
    unsafe {
        Packet { nonce: p, aad: p.add(12), aad_len, data: p.add(12 + aad_len), data_len: len, tag: p.add(12 + aad_len + len), tag_len }
    }
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill(&mut self, b: &mut [u8]) {
        for c in b.chunks_mut(8) {
            let x = self.next().to_le_bytes();
            c.copy_from_slice(&x[..c.len()]);
        }
    }
}

// McGrew & Viega GCM test case 16: AES-256, the same IV, AAD and plaintext as test case 4.
const KAT256_KEY: [u8; 32] = [
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
];
const KAT256_TAG: [u8; 16] = [
    0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53, 0xbb, 0x2d, 0x55, 0x1b,
];
const KAT256_CT: [u8; 60] = [
    0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42, 0x7d, 0x64, 0x3a, 0x8c, 0xdc,
    0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d,
    0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38, 0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62,
];
