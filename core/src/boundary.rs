//! What a binding refuses at its boundary, and the store layer's errors.
//!
//! A binding converts its language's values into core's; when a value cannot
//! be converted exactly (a number out of range or not an integer, a string
//! with a lone surrogate, malformed JSON) it raises one of these codes, with
//! both messages, instead of wrapping, truncating or letting a language
//! exception escape. The codes live here, once, so Python, Node and the
//! mobile binding refuse the same input the same way.
//!
//! The store layer (Python and Node packages) does the I/O; its failures are
//! defined here too ([`StoreError`]), so they carry core codes and kinds.
//! Nothing in this module performs I/O.

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

/// A failure of the store layer (Python and Node packages). Defined here so
/// it carries a core code, kind and both messages like every other error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A compare-and-set kept losing to concurrent writers; nothing was
    /// recorded and the attempt was not admitted. Code `store.contended`;
    /// parameters `operation`, `attempts`.
    #[error(
        "{operation}: the store stayed contended after {attempts} attempts; nothing was recorded"
    )]
    Contended {
        /// The store operation (`lockout.admit`, `code.verify`, …).
        operation: String,
        /// How many compare-and-set attempts were made.
        attempts: u32,
    },
    /// The store could not be reached or failed mid-operation; nothing was
    /// recorded. Code `store.unavailable`; parameters `store`, `operation`.
    #[error("{operation}: the {store} store is unavailable; nothing was recorded")]
    Unavailable {
        /// `sqlite`, `postgres`, `redis`.
        store: String,
        /// The store operation.
        operation: String,
    },
    /// The database driver is not installed. Code `store.driver_missing`;
    /// parameters `driver`, `extra` (the package extra that installs it).
    #[error("the {driver} driver is not installed; install the '{extra}' extra")]
    DriverMissing {
        /// Driver package name.
        driver: String,
        /// Package extra that installs it.
        extra: String,
    },
    /// This store cannot hold this kind of state (the pairing ledger on
    /// Redis). Code `store.unsupported`; parameters `store`, `feature`.
    #[error("the {store} store does not support {feature}")]
    Unsupported {
        /// The store.
        store: String,
        /// What was asked of it.
        feature: String,
    },
    /// The database schema is not the version this package expects (run
    /// `migrate()`). Code `store.schema_mismatch`; parameters `found`,
    /// `expected`.
    #[error(
        "the store schema is at version {found}, this version of regcore needs {expected}; run migrate()"
    )]
    SchemaMismatch {
        /// Version found in the database (0: none).
        found: u32,
        /// Version this package needs.
        expected: u32,
    },
    /// The caller's connection is inside a transaction: an admission must
    /// be committed before the password is checked, so the store refuses to
    /// run inside one. Code `store.transaction_open`; parameter `store`.
    #[error(
        "the {store} connection is inside a transaction; pass a connection without an open transaction (the store commits each step itself)"
    )]
    TransactionOpen {
        /// The store.
        store: String,
    },
    /// A table or key prefix that is not 1–32 of `a–z 0–9 _`, starting with
    /// a letter. Code `store.invalid_prefix`; parameter `prefix`.
    #[error(
        "invalid store prefix '{}': use 1-32 of a-z, 0-9 and _, starting with a letter",
        QuotedText(prefix)
    )]
    InvalidPrefix {
        /// The prefix given (at most 64 characters of it).
        prefix: String,
    },
}

impl StoreError {
    /// Validate a table or key prefix: 1–32 of `a–z 0–9 _`, starting with
    /// a letter (it is spliced into SQL identifiers and Redis keys).
    ///
    /// # Errors
    /// [`StoreError::InvalidPrefix`].
    pub fn check_prefix(prefix: &str) -> Result<(), Self> {
        let ok = (1..=32).contains(&prefix.len())
            && prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(Self::InvalidPrefix {
                prefix: clipped(prefix),
            })
        }
    }
}

impl Coded for StoreError {
    fn code(&self) -> &'static str {
        match self {
            Self::Contended { .. } => "store.contended",
            Self::Unavailable { .. } => "store.unavailable",
            Self::DriverMissing { .. } => "store.driver_missing",
            Self::Unsupported { .. } => "store.unsupported",
            Self::SchemaMismatch { .. } => "store.schema_mismatch",
            Self::InvalidPrefix { .. } => "store.invalid_prefix",
            Self::TransactionOpen { .. } => "store.transaction_open",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Contended { .. } => ErrorKind::StoreContended,
            Self::Unavailable { .. } => ErrorKind::StoreUnavailable,
            Self::DriverMissing { .. }
            | Self::Unsupported { .. }
            | Self::SchemaMismatch { .. }
            | Self::InvalidPrefix { .. }
            | Self::TransactionOpen { .. } => ErrorKind::Configuration,
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::Contended {
                operation,
                attempts,
            } => vec![
                ("operation", operation.clone()),
                ("attempts", attempts.to_string()),
            ],
            Self::Unavailable { store, operation } => {
                vec![("store", store.clone()), ("operation", operation.clone())]
            }
            Self::DriverMissing { driver, extra } => {
                vec![("driver", driver.clone()), ("extra", extra.clone())]
            }
            Self::Unsupported { store, feature } => {
                vec![("store", store.clone()), ("feature", feature.clone())]
            }
            Self::SchemaMismatch { found, expected } => vec![
                ("found", found.to_string()),
                ("expected", expected.to_string()),
            ],
            Self::InvalidPrefix { prefix } => vec![("prefix", prefix.clone())],
            Self::TransactionOpen { store } => vec![("store", store.clone())],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => match self {
                Self::Contended {
                    operation,
                    attempts,
                } => format!(
                    "{operation}: 同時更新が続いたため{attempts}回試行しても記録できませんでした（何も記録されていません）。"
                ),
                Self::Unavailable { store, operation } => format!(
                    "{operation}: {store}ストアに接続できません（何も記録されていません）。"
                ),
                Self::DriverMissing { driver, extra } => format!(
                    "{driver}ドライバがインストールされていません。追加パッケージ「{extra}」をインストールしてください。"
                ),
                Self::Unsupported { store, feature } => {
                    format!("{store}ストアは{feature}に対応していません。")
                }
                Self::SchemaMismatch { found, expected } => format!(
                    "ストアのスキーマはバージョン{found}ですが、バージョン{expected}が必要です。migrate()を実行してください。"
                ),
                Self::TransactionOpen { store } => format!(
                    "{store}の接続はトランザクションの途中です。トランザクションを開始していない接続を渡してください（ストアが各操作をコミットします）。"
                ),
                Self::InvalidPrefix { prefix } => format!(
                    "ストアの接頭辞「{}」は使用できません（英小文字で始まる、英小文字・数字・_の1〜32文字）。",
                    QuotedText(prefix)
                ),
            },
        }
    }
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

    #[test]
    fn prefixes_are_sql_and_key_safe() {
        for ok in ["regcore", "r", "app_1", "a234567890123456789012345678901"] {
            assert!(StoreError::check_prefix(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1abc",
            "Abc",
            "a-b",
            "a;drop",
            "a b",
            "ａ",
            &"a".repeat(33),
        ] {
            let err = StoreError::check_prefix(bad).unwrap_err();
            assert_eq!(err.code(), "store.invalid_prefix");
            assert_eq!(err.kind(), ErrorKind::Configuration);
        }
    }

    #[test]
    fn store_errors_have_store_kinds() {
        let contended = StoreError::Contended {
            operation: "lockout.admit".into(),
            attempts: 10,
        };
        assert_eq!(contended.kind(), ErrorKind::StoreContended);
        assert!(contended.message_ja().contains("10回"));
        let down = StoreError::Unavailable {
            store: "postgres".into(),
            operation: "code.verify".into(),
        };
        assert_eq!(down.kind(), ErrorKind::StoreUnavailable);
    }
}
