//! Conversions at the JavaScript boundary: errors, dates, clock.

use napi::Env;
use napi::bindgen_prelude::*;
use regcore::Coded;

/// Build a JavaScript `Error` carrying a regcore error's stable `code`, its
/// `params` (string values), the English `message` and the Japanese
/// `messageJa`; its `name` is `RegcoreError`.
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

/// Conversion failures detected by the binding itself (never a domain rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryError {
    /// Not a `Date`, or one whose time value is `NaN` (`Invalid Date`).
    InvalidDate,
    /// A number that must be a non-negative integer in range was not.
    InvalidInteger {
        /// Parameter name.
        name: &'static str,
    },
    /// The operating system's random number generator failed.
    RandomnessUnavailable,
    /// A calendar day that is not `YYYY-MM-DD`.
    InvalidDay {
        /// Parameter name.
        name: &'static str,
    },
    /// JSON that is not in core's serde format.
    MalformedJson {
        /// The parser's description (never contains secrets: the JSON is
        /// configuration or stored state).
        reason: String,
    },
}

impl Coded for BoundaryError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidDate => "binding.invalid_date",
            Self::InvalidInteger { .. } => "binding.invalid_integer",
            Self::RandomnessUnavailable => "binding.randomness_unavailable",
            Self::MalformedJson { .. } => "binding.malformed_json",
            Self::InvalidDay { .. } => "binding.invalid_day",
        }
    }

    fn params(&self) -> Vec<regcore::Param> {
        match self {
            Self::InvalidDate | Self::RandomnessUnavailable => vec![],
            Self::InvalidInteger { name } => vec![("name", (*name).to_owned())],
            Self::MalformedJson { reason } => vec![("reason", reason.clone())],
            Self::InvalidDay { name } => vec![("name", (*name).to_owned())],
        }
    }

    fn message(&self, lang: regcore::Lang) -> String {
        match (self, lang) {
            (Self::InvalidDate, regcore::Lang::Ja) => "日時が正しくありません。".to_owned(),
            (Self::InvalidDate, _) => "expected a valid Date".to_owned(),
            (Self::InvalidInteger { name }, regcore::Lang::Ja) => {
                format!("{name}は0以上の整数で指定してください。")
            }
            (Self::InvalidInteger { name }, _) => {
                format!("{name} must be a non-negative integer in range")
            }
            (Self::RandomnessUnavailable, regcore::Lang::Ja) => {
                "OSの乱数生成器を利用できません。".to_owned()
            }
            (Self::RandomnessUnavailable, _) => {
                "the operating system's random number generator failed".to_owned()
            }
            (Self::MalformedJson { reason }, regcore::Lang::Ja) => {
                format!("JSONの形式が正しくありません（{reason}）。")
            }
            (Self::MalformedJson { reason }, _) => format!("malformed JSON: {reason}"),
            (Self::InvalidDay { name }, regcore::Lang::Ja) => {
                format!("{name}はYYYY-MM-DD形式の日付で指定してください。")
            }
            (Self::InvalidDay { name }, _) => format!("{name} must be a day as YYYY-MM-DD"),
        }
    }
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

/// A JavaScript number that must fit a `u16` (product codes).
pub(crate) fn u16_arg(env: &Env, value: u32, name: &'static str) -> Result<u16> {
    u16::try_from(value).map_err(|_| coded_error(env, &BoundaryError::InvalidInteger { name }))
}

/// A JavaScript number that must be a non-negative safe integer.
pub(crate) fn u64_arg(env: &Env, value: f64, name: &'static str) -> Result<u64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&value) {
        // Integral and within 2^53, so the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(coded_error(env, &BoundaryError::InvalidInteger { name }))
    }
}

/// A rule violation or refusal returned as data (not thrown): stable `code`,
/// `params`, English `message` and Japanese `messageJa` — the same fields a
/// thrown `RegcoreError` carries.
#[napi_derive::napi(object)]
pub struct Diagnostic {
    /// Stable dotted machine code.
    pub code: String,
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

/// Parse JSON in core's serde format, throwing `binding.malformed_json`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(env: &Env, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| {
        coded_error(
            env,
            &BoundaryError::MalformedJson {
                reason: e.to_string(),
            },
        )
    })
}

/// Serialise to JSON in core's serde format.
pub(crate) fn to_json<T: serde::Serialize>(env: &Env, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        coded_error(
            env,
            &BoundaryError::MalformedJson {
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
