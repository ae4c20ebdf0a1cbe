//! The store layer's errors: every failure an executor reports, with a
//! stable code, a kind, parameters and English and Japanese messages.

use regcore::quote::QuotedText;
use regcore::{Coded, ErrorKind, Lang, Param};

/// Longest piece of caller text quoted back in a message (characters).
const MAX_QUOTED: usize = 64;

fn clipped(text: &str) -> String {
    text.chars().take(MAX_QUOTED).collect()
}

fn key_reason_en(reason: &str) -> String {
    match reason {
        "empty" => "it is empty".to_owned(),
        "nul" => "it contains NUL".to_owned(),
        _ => format!("it is longer than {} bytes", crate::MAX_KEY_BYTES),
    }
}

fn key_reason_ja(reason: &str) -> String {
    match reason {
        "empty" => "空です。".to_owned(),
        "nul" => "NUL文字を含んでいます。".to_owned(),
        _ => format!("{}バイトを超えています。", crate::MAX_KEY_BYTES),
    }
}

fn what_ja(what: &str) -> &'static str {
    match what {
        "lockout key" => "ロックアウトのキー",
        "code subject" => "コードの対象",
        "code purpose" => "コードの用途",
        _ => "セッションID",
    }
}

/// A failure of the store layer (in every language: the Rust executors and
/// the Python and Node packages raise these). It carries a code, kind and
/// both messages like every error of regcore.
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
    /// A write was sent but its reply was lost (connection dropped, timeout):
    /// it may or may not have been stored. Never retried blindly; for a
    /// login the attempt stays refused (fail closed). Code
    /// `store.outcome_unknown`; parameters `store`, `operation`.
    #[error(
        "{operation}: the {store} store did not confirm a write; it may have been recorded (the attempt was not admitted)"
    )]
    OutcomeUnknown {
        /// `sqlite`, `postgres`, `redis`.
        store: String,
        /// The store operation.
        operation: String,
    },
    /// A lockout key, code subject or purpose, or session id the store
    /// refuses before any I/O: empty, holding NUL, or longer than
    /// [`MAX_KEY_BYTES`](crate::MAX_KEY_BYTES) bytes of UTF-8. Code
    /// `store.invalid_key`; parameters `what`, `reason` (`empty`, `nul`,
    /// `too_long`), `max`.
    #[error("invalid {what}: {}", key_reason_en(reason))]
    InvalidKey {
        /// `lockout key`, `code subject`, `code purpose`, `session id`.
        what: String,
        /// `empty`, `nul` or `too_long`.
        reason: String,
    },
    /// The store answered something the protocol cannot read (a Redis key
    /// holding another type, a row of the wrong shape): the stored state is
    /// not regcore's. Code `store.unexpected_reply`; parameters `store`,
    /// `operation`.
    #[error("{operation}: the {store} store holds or returned data regcore did not write")]
    UnexpectedReply {
        /// The store.
        store: String,
        /// The store operation.
        operation: String,
    },
    /// A store option out of its range (retry attempts, deadline, delays,
    /// timeouts). Code `store.invalid_option`; parameters `name`,
    /// `expected`.
    #[error("invalid store option {name}: expected {expected}")]
    InvalidOption {
        /// The option.
        name: String,
        /// What it accepts.
        expected: String,
    },
    /// The object passed as a connection, pool or client is not one the
    /// store can use. Code `store.invalid_client`; parameters `store`,
    /// `expected`.
    #[error("the {store} store needs {expected}")]
    InvalidClient {
        /// The store.
        store: String,
        /// What it accepts.
        expected: String,
    },
    /// `lockout_settle` was given something other than the admission this
    /// store returned, or one already settled. Code `store.invalid_admission`.
    #[error("settle the admission returned by lockout_admit, once")]
    InvalidAdmission,
    /// A report's UTC offset that is not whole minutes within ±23:59.
    /// Code `store.invalid_utc_offset`; parameter `seconds`.
    #[error("invalid UTC offset of {seconds} s: use whole minutes within ±23:59")]
    InvalidUtcOffset {
        /// The offset given, in seconds.
        seconds: i64,
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
            Self::OutcomeUnknown { .. } => "store.outcome_unknown",
            Self::InvalidKey { .. } => "store.invalid_key",
            Self::UnexpectedReply { .. } => "store.unexpected_reply",
            Self::InvalidOption { .. } => "store.invalid_option",
            Self::InvalidClient { .. } => "store.invalid_client",
            Self::InvalidAdmission => "store.invalid_admission",
            Self::InvalidUtcOffset { .. } => "store.invalid_utc_offset",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Contended { .. } => ErrorKind::StoreContended,
            Self::Unavailable { .. } | Self::OutcomeUnknown { .. } => ErrorKind::StoreUnavailable,
            Self::InvalidKey { .. } | Self::InvalidAdmission | Self::InvalidUtcOffset { .. } => {
                ErrorKind::InvalidInput
            }
            Self::UnexpectedReply { .. } => ErrorKind::StoredState,
            Self::InvalidOption { .. } | Self::InvalidClient { .. } => ErrorKind::Configuration,
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
            Self::OutcomeUnknown { store, operation }
            | Self::UnexpectedReply { store, operation } => {
                vec![("store", store.clone()), ("operation", operation.clone())]
            }
            Self::InvalidKey { what, reason } => vec![
                ("what", what.clone()),
                ("reason", reason.clone()),
                ("max", crate::MAX_KEY_BYTES.to_string()),
            ],
            Self::InvalidOption { name, expected } => {
                vec![("name", name.clone()), ("expected", expected.clone())]
            }
            Self::InvalidClient { store, expected } => {
                vec![("store", store.clone()), ("expected", expected.clone())]
            }
            Self::InvalidAdmission => Vec::new(),
            Self::InvalidUtcOffset { seconds } => vec![("seconds", seconds.to_string())],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
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
                Self::OutcomeUnknown { store, operation } => format!(
                    "{operation}: {store}ストアから書き込みの応答がありませんでした。記録された可能性があります（この試行は許可されていません）。"
                ),
                Self::InvalidKey { what, reason } => {
                    format!("{}: {}", what_ja(what), key_reason_ja(reason))
                }
                Self::UnexpectedReply { store, operation } => format!(
                    "{operation}: {store}ストアにregcoreが書き込んでいないデータがあります。"
                ),
                Self::InvalidOption { name, expected } => {
                    format!("ストアの設定{name}が不正です（{expected}）。")
                }
                Self::InvalidClient { store, expected } => {
                    format!("{store}ストアには{expected}を渡してください。")
                }
                Self::InvalidAdmission => {
                    "lockout_admitが返した許可を一度だけ確定してください。".to_owned()
                }
                Self::InvalidUtcOffset { seconds } => {
                    format!("UTCオフセット{seconds}秒は使用できません（±23:59以内の分単位）。")
                }
            },
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn new_codes_have_honest_kinds() {
        let unknown = StoreError::OutcomeUnknown {
            store: "redis".into(),
            operation: "lockout.admit".into(),
        };
        assert_eq!(unknown.kind(), ErrorKind::StoreUnavailable);
        assert!(unknown.message_en().contains("may have been recorded"));
        let key = StoreError::InvalidKey {
            what: "lockout key".into(),
            reason: "nul".into(),
        };
        assert_eq!(key.kind(), ErrorKind::InvalidInput);
        assert!(key.message_ja().contains("NUL"));
        let reply = StoreError::UnexpectedReply {
            store: "redis".into(),
            operation: "code.verify".into(),
        };
        assert_eq!(reply.kind(), ErrorKind::StoredState);
    }
}
