//! What a binding refuses at its boundary.
//!
//! A binding converts its language's values into core's; when a value cannot
//! be converted exactly (a number out of range or not an integer, a string
//! with a lone surrogate, malformed JSON) it raises one of these codes, with
//! both messages, instead of wrapping, truncating or letting a language
//! exception escape. The codes live here, once, so Python, Node and the
//! mobile binding refuse the same input the same way.
//! Nothing in this module performs I/O. (The store layer's errors live in
//! the `regcore-store` crate, with the store protocol.)

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::quote::QuotedText;

/// Largest integer a JavaScript number represents exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: i128 = 9_007_199_254_740_991;

/// Longest piece of caller text quoted back in a message (characters).
const MAX_QUOTED: usize = 64;

fn clipped(text: &str) -> String {
    text.chars().take(MAX_QUOTED).collect()
}

/// A value a binding could not convert exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BoundaryError {
    /// Not an integer: a fraction, NaN, ±Infinity or a non-number where an
    /// integer is expected. Code `binding.invalid_integer`; parameter `name`.
    #[error("{name} must be an integer")]
    InvalidInteger {
        /// The parameter's name as the binding documents it.
        name: String,
    },
    /// An integer outside the parameter's range. Code
    /// `binding.integer_out_of_range`; parameters `name`, `min`, `max`.
    #[error("{name} must be an integer from {min} to {max}")]
    IntegerOutOfRange {
        /// The parameter's name.
        name: String,
        /// Smallest accepted value.
        min: i128,
        /// Largest accepted value.
        max: i128,
    },
    /// Not text core can take: a string with a lone surrogate (which no
    /// UTF-8 can hold), or a value that is not a string at all (Node).
    /// Code `binding.invalid_string`; parameter `name`.
    #[error("{name} must be a string of valid Unicode text (no lone surrogates)")]
    InvalidString {
        /// The parameter's name.
        name: String,
    },
    /// A date/time that is not a valid instant (a JavaScript `Invalid
    /// Date`). Code `binding.invalid_date`.
    #[error("expected a valid Date")]
    InvalidDate,
    /// A date/time without a time zone, or one core cannot represent.
    /// Code `time.out_of_range`.
    #[error("the timestamp is outside the supported range")]
    TimeOutOfRange,
    /// A naive (time-zone-less) date/time where an instant is required.
    /// Code `time.naive_datetime`; parameter `name`.
    #[error("{name} must be a timezone-aware datetime")]
    NaiveDateTime {
        /// The parameter's name.
        name: String,
    },
    /// A calendar day that is not `YYYY-MM-DD`. Code `binding.invalid_day`;
    /// parameter `name`.
    #[error("{name} must be a day as YYYY-MM-DD")]
    InvalidDay {
        /// The parameter's name.
        name: String,
    },
    /// JSON that is not in core's serde format. Code
    /// `binding.malformed_json`; parameters `what` and `reason` (the parser's
    /// description; the JSON is configuration or stored state, never a
    /// secret).
    #[error("malformed {what} JSON: {}", QuotedText(reason))]
    MalformedJson {
        /// What the JSON should have been (`password_policy`, `ledger`, …).
        what: &'static str,
        /// The parser's description.
        reason: String,
    },
    /// A name outside a fixed set (a language, a mode, a purpose). Code
    /// `binding.unknown_name`; parameters `name`, `value`, `expected`.
    #[error("unknown {name} '{}' (expected one of {expected})", QuotedText(value))]
    UnknownName {
        /// The parameter's name.
        name: String,
        /// What was given (at most 64 characters of it).
        value: String,
        /// The accepted values, comma-separated.
        expected: String,
    },
    /// The operating system's random number generator failed. Code
    /// `binding.randomness_unavailable`.
    #[error("the operating system's random number generator failed")]
    RandomnessUnavailable,
}

impl BoundaryError {
    /// [`BoundaryError::UnknownName`] with the value clipped for quoting.
    #[must_use]
    pub fn unknown_name(name: &str, value: &str, expected: &[&str]) -> Self {
        Self::UnknownName {
            name: name.to_owned(),
            value: clipped(value),
            expected: expected.join(","),
        }
    }
}

impl Coded for BoundaryError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidInteger { .. } => "binding.invalid_integer",
            Self::IntegerOutOfRange { .. } => "binding.integer_out_of_range",
            Self::InvalidString { .. } => "binding.invalid_string",
            Self::InvalidDate => "binding.invalid_date",
            Self::TimeOutOfRange => "time.out_of_range",
            Self::NaiveDateTime { .. } => "time.naive_datetime",
            Self::InvalidDay { .. } => "binding.invalid_day",
            Self::MalformedJson { .. } => "binding.malformed_json",
            Self::UnknownName { .. } => "binding.unknown_name",
            Self::RandomnessUnavailable => "binding.randomness_unavailable",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::RandomnessUnavailable => ErrorKind::Internal,
            _ => ErrorKind::InvalidInput,
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::InvalidInteger { name }
            | Self::InvalidString { name }
            | Self::NaiveDateTime { name }
            | Self::InvalidDay { name } => vec![("name", name.clone())],
            Self::IntegerOutOfRange { name, min, max } => vec![
                ("name", name.clone()),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
            Self::MalformedJson { what, reason } => {
                vec![("what", (*what).to_owned()), ("reason", reason.clone())]
            }
            Self::UnknownName {
                name,
                value,
                expected,
            } => vec![
                ("name", name.clone()),
                ("value", value.clone()),
                ("expected", expected.clone()),
            ],
            Self::InvalidDate | Self::TimeOutOfRange | Self::RandomnessUnavailable => vec![],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => match self {
                Self::InvalidInteger { name } => format!("{name}は整数で指定してください。"),
                Self::IntegerOutOfRange { name, min, max } => {
                    format!("{name}は{min}以上{max}以下の整数で指定してください。")
                }
                Self::InvalidString { name } => {
                    format!(
                        "{name}は正しいUnicode文字列（対になっていないサロゲートを含まない文字列）で指定してください。"
                    )
                }
                Self::InvalidDate => "日時が正しくありません。".to_owned(),
                Self::TimeOutOfRange => "日時が扱える範囲外です。".to_owned(),
                Self::NaiveDateTime { name } => {
                    format!("{name}はタイムゾーン付きの日時で指定してください。")
                }
                Self::InvalidDay { name } => {
                    format!("{name}はYYYY-MM-DD形式の日付で指定してください。")
                }
                Self::MalformedJson { what, reason } => {
                    format!(
                        "{what}のJSONの形式が正しくありません（{}）。",
                        QuotedText(reason)
                    )
                }
                Self::UnknownName {
                    name,
                    value,
                    expected,
                } => format!(
                    "{name}「{}」は指定できません（{expected}のいずれかを指定してください）。",
                    QuotedText(value)
                ),
                Self::RandomnessUnavailable => "OSの乱数生成器を利用できません。".to_owned(),
            },
        }
    }
}

/// An integer type a binding converts into, with its range.
pub trait BoundedInteger: Copy + TryFrom<i128> {
    /// Smallest value.
    const MIN: i128;
    /// Largest value.
    const MAX: i128;
}

macro_rules! bounded {
    ($($t:ty),*) => {$(
        impl BoundedInteger for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
        }
    )*};
}
bounded!(u8, u16, u32, u64, usize, i32, i64);

/// An integer from a binding, checked against `min..=max` (which must lie
/// within `T`'s range).
///
/// # Errors
/// [`BoundaryError::IntegerOutOfRange`] naming `name`, `min` and `max`.
pub fn integer_in<T: BoundedInteger>(
    name: &str,
    value: i128,
    min: i128,
    max: i128,
) -> Result<T, BoundaryError> {
    let out_of_range = || BoundaryError::IntegerOutOfRange {
        name: name.to_owned(),
        min,
        max,
    };
    if value < min || value > max {
        return Err(out_of_range());
    }
    T::try_from(value).map_err(|_| out_of_range())
}

/// An integer from a binding, checked against `T`'s whole range.
///
/// # Errors
/// [`BoundaryError::IntegerOutOfRange`].
pub fn integer<T: BoundedInteger>(name: &str, value: i128) -> Result<T, BoundaryError> {
    integer_in(name, value, T::MIN, T::MAX)
}

/// A JavaScript number that must be an integer of `T` within `min..=max`
/// and exactly representable (|n| ≤ 2^53 − 1).
///
/// # Errors
/// [`BoundaryError::InvalidInteger`] for fractions, NaN and infinities;
/// [`BoundaryError::IntegerOutOfRange`] otherwise out of range.
pub fn integer_from_f64_in<T: BoundedInteger>(
    name: &str,
    value: f64,
    min: i128,
    max: i128,
) -> Result<T, BoundaryError> {
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(BoundaryError::InvalidInteger {
            name: name.to_owned(),
        });
    }
    // A number beyond 2^53 − 1 stands for several integers at once, so no
    // parameter accepts it, whatever its type's range.
    let min = min.max(-MAX_SAFE_INTEGER);
    let max = max.min(MAX_SAFE_INTEGER);
    #[expect(
        clippy::cast_precision_loss,
        reason = "the bounds are within ±2^53, where f64 is exact"
    )]
    let in_range = value >= min as f64 && value <= max as f64;
    if !in_range {
        return Err(BoundaryError::IntegerOutOfRange {
            name: name.to_owned(),
            min,
            max,
        });
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "integral and within ±2^53, checked above"
    )]
    let exact = value as i128;
    integer_in(name, exact, min, max)
}

/// [`integer_from_f64_in`] over `T`'s whole range (clipped to ±2^53 − 1).
///
/// # Errors
/// As [`integer_from_f64_in`].
pub fn integer_from_f64<T: BoundedInteger>(name: &str, value: f64) -> Result<T, BoundaryError> {
    integer_from_f64_in(name, value, T::MIN, T::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_range_checked_never_wrapped() {
        assert_eq!(integer::<u16>("product", 65_535), Ok(65_535));
        let err = integer::<u16>("product", 65_536).unwrap_err();
        assert_eq!(err.code(), "binding.integer_out_of_range");
        assert_eq!(
            err.params(),
            vec![
                ("name", "product".to_owned()),
                ("min", "0".to_owned()),
                ("max", "65535".to_owned())
            ]
        );
        assert!(integer::<u32>("n", -1).is_err());
        assert!(integer::<u64>("n", 1 << 64).is_err());
        assert_eq!(integer_in::<u64>("serial", 7, 0, 10), Ok(7));
        assert!(integer_in::<u64>("serial", 11, 0, 10).is_err());
    }

    #[test]
    fn javascript_numbers_must_be_exact_integers() {
        assert_eq!(integer_from_f64::<u32>("n", 1.0), Ok(1));
        for bad in [1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = integer_from_f64::<u32>("n", bad).unwrap_err();
            assert_eq!(err.code(), "binding.invalid_integer");
        }
        for out in [-1.0, 4_294_967_296.0, 4_294_967_297.0] {
            let err = integer_from_f64::<u32>("n", out).unwrap_err();
            assert_eq!(err.code(), "binding.integer_out_of_range");
        }
        // 2^53 is an integer but also stands for 2^53 + 1: refused for u64.
        let err = integer_from_f64::<u64>("n", 9_007_199_254_740_992.0).unwrap_err();
        assert_eq!(err.code(), "binding.integer_out_of_range");
        assert_eq!(err.params()[2], ("max", MAX_SAFE_INTEGER.to_string()));
        assert_eq!(
            integer_from_f64::<u64>("n", 9_007_199_254_740_991.0),
            Ok(9_007_199_254_740_991)
        );
    }
}
