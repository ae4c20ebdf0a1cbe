//! Conversions at the JavaScript boundary: errors, numbers, names, dates,
//! clock. Every refusal here is a core code (`regcore::BoundaryError`); the
//! binding defines no code or message of its own.

use napi::Env;
use napi::bindgen_prelude::*;
use regcore::boundary::{BoundedInteger, integer_from_f64, integer_from_f64_in};
use regcore::{BoundaryError, Coded};

/// Build a JavaScript `Error` carrying a regcore error's stable `code`, its
/// `kind`, its `params` (string values), the English `message` and the
/// Japanese `messageJa`; its `name` is `RegcoreError`.
pub(crate) fn coded_error<E: Coded + ?Sized>(env: &Env, err: &E) -> Error {
    coded_error_with(env, err, &[])
}

/// [`coded_error`] with extra parameters added by the binding (e.g. the
/// `index` of the failing item of a batch).
pub(crate) fn coded_error_with<E: Coded + ?Sized>(
    env: &Env,
    err: &E,
    extra: &[(&str, String)],
) -> Error {
    match build_coded_error(env, err, extra) {
        Ok(e) | Err(e) => e,
    }
}

fn build_coded_error<E: Coded + ?Sized>(
    env: &Env,
    err: &E,
    extra: &[(&str, String)],
) -> Result<Error> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, err.message_en()))?;
    obj.set("name", "RegcoreError")?;
    obj.set("code", err.code())?;
    obj.set("kind", err.kind().as_str())?;
    let mut params = Object::new(env)?;
    for (key, value) in err.params() {
        params.set(key, value)?;
    }
    for (key, value) in extra {
        params.set(key, value.as_str())?;
    }
    obj.set("params", params)?;
    obj.set("messageJa", err.message_ja())?;
    Ok(Error::from(obj.to_unknown()))
}

/// `?`-friendly conversion of core results into thrown JavaScript errors.
pub(crate) trait OrThrow<T> {
    /// Map a core error to a coded JavaScript `Error`.
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T, E: Coded> OrThrow<T> for std::result::Result<T, E> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| coded_error(env, &e))
    }
}

/// A JavaScript value where a number is expected. Named `JsNumber` so the
/// generated TypeScript says `number` (napi's type generator knows the name;
/// this is not napi's own `JsNumber`). Converting never fails: a value of any
/// other JavaScript type (a string, an object, a boolean, a BigInt,
/// `undefined`, `null`) is kept as "not a number", and reading it through
/// [`int`] / [`int_in`] / [`JsNumber::integer`] throws core's coded
/// `binding.invalid_integer` naming the parameter, never napi's uncoded
/// `NumberExpected`. The value is only readable through those checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JsNumber(Option<f64>);

impl JsNumber {
    /// The integer of `T` this is, or `binding.invalid_integer` (not a
    /// number, a fraction, NaN, ±Infinity) / `binding.integer_out_of_range`.
    pub(crate) fn integer<T: BoundedInteger>(
        self,
        name: &str,
    ) -> std::result::Result<T, BoundaryError> {
        integer_from_f64::<T>(name, self.number(name)?)
    }

    /// [`JsNumber::integer`] within `min..=max`.
    pub(crate) fn integer_in<T: BoundedInteger>(
        self,
        name: &str,
        min: i128,
        max: i128,
    ) -> std::result::Result<T, BoundaryError> {
        integer_from_f64_in::<T>(name, self.number(name)?, min, max)
    }

    /// The number as given (NaN and ±Infinity included), or `None` for a
    /// value of another JavaScript type: for checks that are not integer
    /// checks (store options, report offsets).
    pub(crate) fn value(self) -> Option<f64> {
        self.0
    }

    fn number(self, name: &str) -> std::result::Result<f64, BoundaryError> {
        self.0.ok_or_else(|| BoundaryError::InvalidInteger {
            name: name.to_owned(),
        })
    }
}

impl From<f64> for JsNumber {
    fn from(value: f64) -> Self {
        Self(Some(value))
    }
}

impl From<u32> for JsNumber {
    fn from(value: u32) -> Self {
        Self(Some(f64::from(value)))
    }
}

impl TypeName for JsNumber {
    fn type_name() -> &'static str {
        "number"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Number
    }
}

/// The JavaScript type of a value.
#[allow(unsafe_code)]
unsafe fn type_of(env: napi::sys::napi_env, value: napi::sys::napi_value) -> Result<ValueType> {
    let mut ty = 0;
    // SAFETY: `env` and `value` are forwarded unchanged from napi's caller.
    let status = unsafe { napi::sys::napi_typeof(env, value, &mut ty) };
    if status == napi::sys::Status::napi_ok {
        Ok(ValueType::from(ty))
    } else {
        Err(Error::new(Status::from(status), "napi_typeof failed"))
    }
}

// Accepts every value: the check happens when the number is read, where the
// parameter's name is known (so `Either<BigInt, JsNumber>` sends every
// non-BigInt here, and a string there becomes `binding.invalid_integer`).
#[allow(unsafe_code)]
impl ValidateNapiValue for JsNumber {
    unsafe fn validate(
        _env: napi::sys::napi_env,
        _napi_val: napi::sys::napi_value,
    ) -> Result<napi::sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

#[allow(unsafe_code)]
impl FromNapiValue for JsNumber {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> Result<Self> {
        // SAFETY: forwarded unchanged from napi's caller.
        if unsafe { type_of(env, napi_val) }? != ValueType::Number {
            return Ok(Self(None));
        }
        // SAFETY: forwarded unchanged; the value is a number (checked above).
        unsafe { f64::from_napi_value(env, napi_val) }.map(|n| Self(Some(n)))
    }
}

#[allow(unsafe_code)]
impl ToNapiValue for JsNumber {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        // Only values built from Rust numbers are returned to JavaScript; a
        // refused input echoed back would read as NaN.
        // SAFETY: forwarded unchanged from napi's caller.
        unsafe { f64::to_napi_value(env, val.0.unwrap_or(f64::NAN)) }
    }
}

/// A JavaScript number that must be an integer of `T` (and at most
/// 2^53 − 1 in magnitude): not a number (`'1'`, `{}`, `true`, `1n`,
/// `undefined`), `1.5`, `NaN` and `±Infinity` throw
/// `binding.invalid_integer`, anything out of range
/// `binding.integer_out_of_range` (`params.name`, `min`, `max`). Never
/// wrapped, truncated or rounded.
pub(crate) fn int<T: BoundedInteger>(env: &Env, name: &str, value: JsNumber) -> Result<T> {
    value.integer::<T>(name).or_throw(env)
}

/// [`int`] within `min..=max`.
pub(crate) fn int_in<T: BoundedInteger>(
    env: &Env,
    name: &str,
    value: JsNumber,
    min: i128,
    max: i128,
) -> Result<T> {
    value.integer_in::<T>(name, min, max).or_throw(env)
}

/// A JavaScript value where a string is expected. Named `JsString` so the
/// generated TypeScript says `string` (not napi's own `JsString`).
/// Converting never fails; reading it with [`JsString::text`] throws core's
/// coded `binding.invalid_string` naming the parameter for a value that is
/// not a string (a number, an object, `undefined`, …) and for a string with a
/// lone surrogate (which napi's own conversion would silently replace with
/// U+FFFD: a plausible wrong value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsString(Option<String>);

impl JsString {
    /// The text, or `binding.invalid_string` naming `name`.
    pub(crate) fn into_text(self, name: &str) -> std::result::Result<String, BoundaryError> {
        self.0.ok_or_else(|| BoundaryError::InvalidString {
            name: name.to_owned(),
        })
    }

    /// [`JsString::into_text`], thrown as a coded JavaScript error.
    pub(crate) fn text(self, env: &Env, name: &str) -> Result<String> {
        self.into_text(name).or_throw(env)
    }
}

impl From<String> for JsString {
    fn from(value: String) -> Self {
        Self(Some(value))
    }
}

impl TypeName for JsString {
    fn type_name() -> &'static str {
        "string"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::String
    }
}

// Accepts every value, like `JsNumber`: put it last in an `Either`
// (`Either<&MprId, JsString>`), so a class instance is taken as such and
// anything else is checked as text where the parameter's name is known.
#[allow(unsafe_code)]
impl ValidateNapiValue for JsString {
    unsafe fn validate(
        _env: napi::sys::napi_env,
        _napi_val: napi::sys::napi_value,
    ) -> Result<napi::sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

#[allow(unsafe_code)]
impl FromNapiValue for JsString {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> Result<Self> {
        // SAFETY: forwarded unchanged from napi's caller.
        if unsafe { type_of(env, napi_val) }? != ValueType::String {
            return Ok(Self(None));
        }
        // SAFETY: forwarded unchanged; the value is a string (checked above).
        let units = unsafe { Utf16String::from_napi_value(env, napi_val) }?;
        Ok(Self(String::from_utf16(&units).ok()))
    }
}

#[allow(unsafe_code)]
impl ToNapiValue for JsString {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        // Only values built from Rust strings are returned to JavaScript.
        // SAFETY: forwarded unchanged from napi's caller.
        unsafe { String::to_napi_value(env, val.0.unwrap_or_default()) }
    }
}

/// A name from a fixed set (`expected`), or `binding.unknown_name`.
pub(crate) fn name_in<T: Copy>(
    env: &Env,
    param: &str,
    value: &str,
    choices: &[(&str, T)],
) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let expected: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            coded_error(env, &BoundaryError::unknown_name(param, value, &expected))
        })
}

/// A JavaScript `Date` crossing the boundary as a UTC instant (millisecond
/// precision, like `Date` itself). Named `Date` so the generated TypeScript
/// says `Date`. Converting an `Invalid Date` throws `binding.invalid_date`
/// instead of silently becoming 1970 (what a bare `as i64` cast would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub chrono::DateTime<chrono::Utc>);

impl Date {
    fn from_millis(env: &Env, millis: f64) -> Result<Self> {
        // ECMAScript time values are integral and within ±8.64e15 ms.
        if !millis.is_finite() || millis.fract() != 0.0 || millis.abs() > 8.64e15 {
            return Err(coded_error(env, &BoundaryError::InvalidDate));
        }
        // Integral and in range (checked above), so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let millis = millis as i64;
        chrono::DateTime::from_timestamp_millis(millis)
            .map(Self)
            .ok_or_else(|| coded_error(env, &BoundaryError::InvalidDate))
    }
}

impl From<chrono::DateTime<chrono::Utc>> for Date {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        Self(t)
    }
}

impl TypeName for Date {
    fn type_name() -> &'static str {
        "Date"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

// The napi value traits are `unsafe` by signature; these impls only delegate
// to napi's own checked conversions.
#[allow(unsafe_code)]
impl ValidateNapiValue for Date {
    unsafe fn validate(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> Result<napi::sys::napi_value> {
        // SAFETY: forwarded unchanged from napi's caller.
        unsafe { <napi::JsDate as ValidateNapiValue>::validate(env, napi_val) }
    }
}

#[allow(unsafe_code)]
impl FromNapiValue for Date {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        napi_val: napi::sys::napi_value,
    ) -> Result<Self> {
        let wrapped = Env::from_raw(env);
        // SAFETY: forwarded unchanged from napi's caller.
        let date = unsafe { <napi::JsDate as ValidateNapiValue>::validate(env, napi_val) }
            .and_then(|_| unsafe { napi::JsDate::from_napi_value(env, napi_val) })
            .map_err(|_| coded_error(&wrapped, &BoundaryError::InvalidDate))?;
        Self::from_millis(&wrapped, date.value_of()?)
    }
}

#[allow(unsafe_code)]
impl ToNapiValue for Date {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        // SAFETY: forwarded unchanged from napi's caller.
        unsafe { chrono::DateTime::<chrono::Utc>::to_napi_value(env, val.0) }
    }
}

/// The caller's `now`, or the system clock when omitted (the only place the
/// binding reads the clock).
pub(crate) fn now_or(now: Option<Date>) -> chrono::DateTime<chrono::Utc> {
    now.map_or_else(chrono::Utc::now, |d| d.0)
}

/// `len` bytes from the operating system's CSPRNG (the only place the binding
/// reads OS randomness).
pub(crate) fn random_bytes(len: usize) -> std::result::Result<Vec<u8>, BoundaryError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|_| BoundaryError::RandomnessUnavailable)?;
    Ok(bytes)
}

/// A rule violation or refusal returned as data (not thrown): stable `code`,
/// `kind`, `params`, English `message` and Japanese `messageJa` — the same
/// fields a thrown `RegcoreError` carries.
#[napi_derive::napi(object)]
pub struct Diagnostic {
    /// Stable dotted machine code.
    pub code: String,
    /// What kind of failure (`invalid_input`, `rejected`, `locked`, …),
    /// fixed per code by core.
    #[napi(ts_type = "ErrorKind")]
    pub kind: String,
    /// Named parameters (string values).
    pub params: indexmap::IndexMap<String, String>,
    /// English message.
    pub message: String,
    /// Japanese message.
    pub message_ja: String,
}

impl Diagnostic {
    /// From any coded core value.
    pub(crate) fn of<E: Coded + ?Sized>(value: &E) -> Self {
        Self {
            code: value.code().to_owned(),
            kind: value.kind().as_str().to_owned(),
            params: value
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            message: value.message_en(),
            message_ja: value.message_ja(),
        }
    }
}

/// Parse JSON in core's serde format, throwing `binding.malformed_json` with
/// `params.what` naming what it should have been.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    env: &Env,
    what: &'static str,
    json: &str,
) -> Result<T> {
    serde_json::from_str(json).map_err(|e| {
        coded_error(
            env,
            &BoundaryError::MalformedJson {
                what,
                reason: e.to_string(),
            },
        )
    })
}

/// Serialise to JSON in core's serde format.
pub(crate) fn to_json<T: serde::Serialize>(
    env: &Env,
    what: &'static str,
    value: &T,
) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        coded_error(
            env,
            &BoundaryError::MalformedJson {
                what,
                reason: e.to_string(),
            },
        )
    })
}

/// A count of seconds as a JavaScript number (exact up to 2^53 s).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn secs(value: u64) -> f64 {
    value as f64
}

/// A `u32` or `u16` result as a JavaScript number (always exact).
pub(crate) fn num(value: impl Into<u32>) -> f64 {
    f64::from(value.into())
}
