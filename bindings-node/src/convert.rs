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
pub(crate) enum BoundaryError {
    /// A `Date` whose time value is `NaN` or outside chrono's range.
    InvalidDate,
    /// A number that must be a non-negative integer in range was not.
    InvalidInteger {
        /// Parameter name.
        name: &'static str,
    },
    /// The operating system's random number generator failed.
    RandomnessUnavailable,
}

impl Coded for BoundaryError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidDate => "binding.invalid_date",
            Self::InvalidInteger { .. } => "binding.invalid_integer",
            Self::RandomnessUnavailable => "binding.randomness_unavailable",
        }
    }

    fn params(&self) -> Vec<regcore::Param> {
        match self {
            Self::InvalidDate | Self::RandomnessUnavailable => vec![],
            Self::InvalidInteger { name } => vec![("name", (*name).to_owned())],
        }
    }

    fn message(&self, lang: regcore::Lang) -> String {
        match (self, lang) {
            (Self::InvalidDate, regcore::Lang::Ja) => "日時が正しくありません。".to_owned(),
            (Self::InvalidDate, _) => "invalid Date".to_owned(),
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
        }
    }
}

/// A JavaScript `Date` as UTC. `Invalid Date` throws `binding.invalid_date`
/// instead of silently becoming 1970.
pub(crate) fn utc(env: &Env, date: &napi::JsDate) -> Result<chrono::DateTime<chrono::Utc>> {
    let millis = date.value_of()?;
    if !millis.is_finite() || millis.fract() != 0.0 || millis.abs() > 8.64e15 {
        return Err(coded_error(env, &BoundaryError::InvalidDate));
    }
    // In range and integral (checked above), so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let millis = millis as i64;
    chrono::DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| coded_error(env, &BoundaryError::InvalidDate))
}

/// The caller's `now`, or the system clock when omitted (the only place the
/// binding reads the clock).
pub(crate) fn now_or(
    env: &Env,
    now: Option<&napi::JsDate>,
) -> Result<chrono::DateTime<chrono::Utc>> {
    match now {
        Some(date) => utc(env, date),
        None => Ok(chrono::Utc::now()),
    }
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
