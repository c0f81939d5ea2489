//! The few Node-API functions the addon calls, declared by hand (names and
//! layout as in node_api.h / js_native_api.h; napi-rs's `sys` module is the
//! model), with small wrappers that turn failures into `Error`s.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

pub type Env = *mut c_void;
pub type Value = *mut c_void;
pub type CallbackInfo = *mut c_void;
pub type Status = c_int;
pub type Callback = unsafe extern "C" fn(Env, CallbackInfo) -> Value;
pub type Finalize = unsafe extern "C" fn(Env, *mut c_void, *mut c_void);

const NAPI_OK: Status = 0;
// napi_typedarray_type
const UINT8_ARRAY: c_int = 1;
const UINT32_ARRAY: c_int = 6;

extern "C" {
    fn napi_create_function(env: Env, name: *const c_char, len: usize, cb: Callback, data: *mut c_void, result: *mut Value) -> Status;
    fn napi_set_named_property(env: Env, object: Value, name: *const c_char, value: Value) -> Status;
    fn napi_get_cb_info(env: Env, info: CallbackInfo, argc: *mut usize, argv: *mut Value, this: *mut Value, data: *mut *mut c_void) -> Status;
    fn napi_get_typedarray_info(env: Env, value: Value, ty: *mut c_int, length: *mut usize, data: *mut *mut c_void, arraybuffer: *mut Value, byte_offset: *mut usize) -> Status;
    fn napi_get_value_double(env: Env, value: Value, result: *mut f64) -> Status;
    fn napi_create_uint32(env: Env, value: u32, result: *mut Value) -> Status;
    fn napi_create_double(env: Env, value: f64, result: *mut Value) -> Status;
    fn napi_get_undefined(env: Env, result: *mut Value) -> Status;
    fn napi_create_string_utf8(env: Env, s: *const c_char, len: usize, result: *mut Value) -> Status;
    fn napi_throw_type_error(env: Env, code: *const c_char, msg: *const c_char) -> Status;
    fn napi_throw_range_error(env: Env, code: *const c_char, msg: *const c_char) -> Status;
    fn napi_throw_error(env: Env, code: *const c_char, msg: *const c_char) -> Status;
    fn napi_create_object(env: Env, result: *mut Value) -> Status;
    fn napi_create_array_with_length(env: Env, len: usize, result: *mut Value) -> Status;
    fn napi_set_element(env: Env, object: Value, index: u32, value: Value) -> Status;
    fn napi_get_value_string_utf8(env: Env, value: Value, buf: *mut c_char, bufsize: usize, result: *mut usize) -> Status;
    fn napi_set_instance_data(env: Env, data: *mut c_void, finalize: Finalize, hint: *mut c_void) -> Status;
}

pub enum Kind {
    Type,
    Range,
    Plain,
}

/// A JS exception to throw: TypeError, RangeError or Error with a message.
pub struct Error {
    pub kind: Kind,
    pub msg: String,
}

pub fn range(msg: String) -> Error {
    Error { kind: Kind::Range, msg }
}
pub fn type_err(msg: String) -> Error {
    Error { kind: Kind::Type, msg }
}
pub fn plain(msg: String) -> Error {
    Error { kind: Kind::Plain, msg }
}

fn check(s: Status, what: &str) -> Result<(), Error> {
    if s == NAPI_OK { Ok(()) } else { Err(plain(format!("triode aead: {what} failed (napi status {s})"))) }
}

/// Throws `e` in JS and returns the value a callback returns after throwing.
pub unsafe fn throw(env: Env, e: Error) -> Value {
    let mut msg = e.msg.replace('\0', " ");
    msg.push('\0');
    let m = msg.as_ptr() as *const c_char;
    match e.kind {
        Kind::Type => napi_throw_type_error(env, ptr::null(), m),
        Kind::Range => napi_throw_range_error(env, ptr::null(), m),
        Kind::Plain => napi_throw_error(env, ptr::null(), m),
    };
    ptr::null_mut()
}

/// The call's arguments (up to N; missing ones are `undefined`) and the function's data pointer.
pub unsafe fn args<const N: usize>(env: Env, info: CallbackInfo) -> Result<([Value; N], *mut c_void), Error> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    let mut data = ptr::null_mut();
    check(napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data), "napi_get_cb_info")?;
    Ok((argv, data))
}

unsafe fn typed_array(env: Env, v: Value, want: c_int, what: &str) -> Result<(*mut c_void, usize), Error> {
    let (mut ty, mut len, mut data) = (-1, 0usize, ptr::null_mut());
    let s = napi_get_typedarray_info(env, v, &mut ty, &mut len, &mut data, ptr::null_mut(), ptr::null_mut());
    if s != NAPI_OK || ty != want {
        return Err(type_err(format!("triode aead: {what} must be a {}", if want == UINT8_ARRAY { "Uint8Array" } else { "Uint32Array" })));
    }
    Ok((data, len))
}

/// Pointer to the first byte and the length of a Uint8Array (or Buffer).
pub unsafe fn u8_array(env: Env, v: Value, what: &str) -> Result<(*mut u8, usize), Error> {
    typed_array(env, v, UINT8_ARRAY, what).map(|(p, n)| (p as *mut u8, n))
}

/// Pointer to the first element and the element count of a Uint32Array.
pub unsafe fn u32_array(env: Env, v: Value, what: &str) -> Result<(*const u32, usize), Error> {
    typed_array(env, v, UINT32_ARRAY, what).map(|(p, n)| (p as *const u32, n))
}

/// A number argument that must be an integer in 0..=u32::MAX.
pub unsafe fn u32_arg(env: Env, v: Value, what: &str) -> Result<u32, Error> {
    let mut d = f64::NAN;
    if napi_get_value_double(env, v, &mut d) != NAPI_OK {
        return Err(type_err(format!("triode aead: {what} must be a number")));
    }
    if !(d >= 0.0 && d <= u32::MAX as f64 && d.fract() == 0.0) {
        return Err(range(format!("triode aead: bad {what} {d}")));
    }
    Ok(d as u32)
}

pub unsafe fn uint32(env: Env, x: u32) -> Result<Value, Error> {
    let mut v = ptr::null_mut();
    check(napi_create_uint32(env, x, &mut v), "napi_create_uint32")?;
    Ok(v)
}

pub unsafe fn undefined(env: Env) -> Result<Value, Error> {
    let mut v = ptr::null_mut();
    check(napi_get_undefined(env, &mut v), "napi_get_undefined")?;
    Ok(v)
}

/// Sets `exports[name]` to a native function called with `data`. `name` ends in NUL.
pub unsafe fn export_fn(env: Env, exports: Value, name: &str, cb: Callback, data: *mut c_void) -> Result<(), Error> {
    let mut f = ptr::null_mut();
    let c = name.as_ptr() as *const c_char;
    check(napi_create_function(env, c, name.len() - 1, cb, data, &mut f), "napi_create_function")?;
    check(napi_set_named_property(env, exports, c, f), "napi_set_named_property")
}

/// Sets `exports[name]` to the string `value`. `name` ends in NUL.
pub unsafe fn export_str(env: Env, exports: Value, name: &str, value: &str) -> Result<(), Error> {
    let mut v = ptr::null_mut();
    check(napi_create_string_utf8(env, value.as_ptr() as *const c_char, value.len(), &mut v), "napi_create_string_utf8")?;
    check(napi_set_named_property(env, exports, name.as_ptr() as *const c_char, v), "napi_set_named_property")
}

/// Sets `obj[name]` to the number `value`. `name` ends in NUL.
pub unsafe fn set_num(env: Env, obj: Value, name: &str, value: f64) -> Result<(), Error> {
    let mut v = ptr::null_mut();
    check(napi_create_double(env, value, &mut v), "napi_create_double")?;
    check(napi_set_named_property(env, obj, name.as_ptr() as *const c_char, v), "napi_set_named_property")
}

/// Hands `data` to the environment, which calls `finalize` when it is torn down.
pub unsafe fn set_instance_data(env: Env, data: *mut c_void, finalize: Finalize) -> Result<(), Error> {
    check(napi_set_instance_data(env, data, finalize, ptr::null_mut()), "napi_set_instance_data")
}

/// A new empty JS object.
pub unsafe fn object(env: Env) -> Result<Value, Error> {
    let mut v = ptr::null_mut();
    check(napi_create_object(env, &mut v), "napi_create_object")?;
    Ok(v)
}

/// Sets `exports[name]` to an array of the strings `values`. `name` ends in NUL.
pub unsafe fn export_strs(env: Env, exports: Value, name: &str, values: &[&str]) -> Result<(), Error> {
    let mut arr = ptr::null_mut();
    check(napi_create_array_with_length(env, values.len(), &mut arr), "napi_create_array_with_length")?;
    for (i, s) in values.iter().enumerate() {
        let mut v = ptr::null_mut();
        check(napi_create_string_utf8(env, s.as_ptr() as *const c_char, s.len(), &mut v), "napi_create_string_utf8")?;
        check(napi_set_element(env, arr, i as u32, v), "napi_set_element")?;
    }
    check(napi_set_named_property(env, exports, name.as_ptr() as *const c_char, arr), "napi_set_named_property")
}

/// A short string argument (at most 63 bytes of UTF-8; longer ones are cut).
pub unsafe fn short_str_arg(env: Env, v: Value, what: &str) -> Result<String, Error> {
    let mut buf = [0u8; 64];
    let mut len = 0usize;
    if napi_get_value_string_utf8(env, v, buf.as_mut_ptr() as *mut c_char, buf.len(), &mut len) != NAPI_OK {
        return Err(type_err(format!("triode aead: {what} must be a string")));
    }
    Ok(String::from_utf8_lossy(&buf[..len.min(63)]).into_owned())
}
