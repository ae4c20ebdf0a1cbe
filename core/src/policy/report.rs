//! The [`Report`] of a check: every unmet rule as a [`Violation`].

use std::fmt;

use crate::error::{Coded, Diagnostic, ErrorKind, Lang, Param};
use crate::quote::quote_char;

use super::CharClass;
#[cfg(doc)]
use super::PasswordPolicy;

/// Which identity a password contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentityField {
    /// The user ID (or its local part).
    UserId,
    /// The e-mail address (or its local part).
    Email,
}

impl IdentityField {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::UserId => "user_id",
            Self::Email => "email",
        }
    }
}

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// The password must not be set or accepted.
    Reject,
    /// The password works, but the user must change it now.
    MustChange,
}

/// One unmet rule. Serialises with its code as tag, e.g.
/// `{"code":"password.too_short","min":10,"actual":3}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code")]
#[non_exhaustive]
pub enum Violation {
    /// Fewer characters than `min`. Code `password.too_short`.
    #[serde(rename = "password.too_short")]
    TooShort {
        /// Minimum length.
        min: u32,
        /// Length entered, in Unicode scalar values.
        actual: u32,
    },
    /// More characters than `max`. Code `password.too_long`.
    #[serde(rename = "password.too_long")]
    TooLong {
        /// Maximum length.
        max: u32,
        /// Length entered.
        actual: u32,
    },
    /// A character the policy does not allow (one violation per distinct
    /// character, at its first position). Code `password.disallowed_character`.
    #[serde(rename = "password.disallowed_character")]
    DisallowedCharacter {
        /// The character as typed.
        character: char,
        /// 1-based position, in characters.
        position: u32,
    },
    /// Full-width characters whose half-width forms are allowed (one
    /// violation for all of them). Code `password.fullwidth_character`.
    #[serde(rename = "password.fullwidth_character")]
    FullwidthCharacter {
        /// The first full-width character.
        character: char,
        /// Its 1-based position.
        position: u32,
        /// How many full-width characters there are.
        count: u32,
    },
    /// Code `password.missing_lowercase`.
    #[serde(rename = "password.missing_lowercase")]
    MissingLowercase {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_uppercase`.
    #[serde(rename = "password.missing_uppercase")]
    MissingUppercase {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_letter`.
    #[serde(rename = "password.missing_letter")]
    MissingLetter {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_digit`.
    #[serde(rename = "password.missing_digit")]
    MissingDigit {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_symbol`.
    #[serde(rename = "password.missing_symbol")]
    MissingSymbol {
        /// Required count.
        min: u32,
        /// The allowed symbols (empty for "any symbol").
        symbols: String,
    },
    /// `run` or more consecutive ascending/descending characters. Code
    /// `password.sequential_run`.
    #[serde(rename = "password.sequential_run")]
    SequentialRun {
        /// Forbidden run length.
        run: u32,
        /// 1-based position where the first such run starts.
        position: u32,
    },
    /// `run` or more identical characters in a row. Code
    /// `password.repeated_run`.
    #[serde(rename = "password.repeated_run")]
    RepeatedRun {
        /// Forbidden run length.
        run: u32,
        /// 1-based position where the first such run starts.
        position: u32,
    },
    /// Contains the user ID or e-mail local part. Code
    /// `password.contains_user_id`.
    #[serde(rename = "password.contains_user_id")]
    ContainsUserId {
        /// Which identity was found.
        field: IdentityField,
    },
    /// On the common-password list or a blocklist. Code
    /// `password.common_password`.
    #[serde(rename = "password.common_password")]
    CommonPassword,
    /// Equal to one of the last `depth` passwords. Code
    /// `password.reused_password`.
    #[serde(rename = "password.reused_password")]
    ReusedPassword {
        /// History depth of the policy.
        depth: u32,
    },
    /// The factory default: accepted but must be changed
    /// ([`Severity::MustChange`]). Code `password.default_credential`.
    #[serde(rename = "password.default_credential")]
    DefaultCredential,
}

/// "1 digit", "2 digits".
pub(super) fn counted(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn symbols_suffix(symbols: &str) -> String {
    if symbols.is_empty() {
        String::new()
    } else {
        format!(" from {symbols}")
    }
}

const fn identity_label(field: IdentityField, lang: Lang) -> &'static str {
    match (field, lang) {
        (IdentityField::UserId, Lang::En) => "user ID",
        (IdentityField::UserId, Lang::Ja) => "ユーザID",
        (IdentityField::Email, Lang::En) => "e-mail address",
        (IdentityField::Email, Lang::Ja) => "メールアドレス",
    }
}

impl Violation {
    /// [`Severity::MustChange`] for `default_credential`, otherwise
    /// [`Severity::Reject`].
    #[must_use]
    pub const fn severity(&self) -> Severity {
        match self {
            Self::DefaultCredential => Severity::MustChange,
            _ => Severity::Reject,
        }
    }
}

impl Coded for Violation {
    fn kind(&self) -> ErrorKind {
        // A password that breaks the policy is the user's input to correct.
        ErrorKind::InvalidInput
    }
    fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password.too_short",
            Self::TooLong { .. } => "password.too_long",
            Self::DisallowedCharacter { .. } => "password.disallowed_character",
            Self::FullwidthCharacter { .. } => "password.fullwidth_character",
            Self::MissingLowercase { .. } => "password.missing_lowercase",
            Self::MissingUppercase { .. } => "password.missing_uppercase",
            Self::MissingLetter { .. } => "password.missing_letter",
            Self::MissingDigit { .. } => "password.missing_digit",
            Self::MissingSymbol { .. } => "password.missing_symbol",
            Self::SequentialRun { .. } => "password.sequential_run",
            Self::RepeatedRun { .. } => "password.repeated_run",
            Self::ContainsUserId { .. } => "password.contains_user_id",
            Self::CommonPassword => "password.common_password",
            Self::ReusedPassword { .. } => "password.reused_password",
            Self::DefaultCredential => "password.default_credential",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::TooShort { min, actual } => {
                vec![("min", min.to_string()), ("actual", actual.to_string())]
            }
            Self::TooLong { max, actual } => {
                vec![("max", max.to_string()), ("actual", actual.to_string())]
            }
            Self::DisallowedCharacter {
                character,
                position,
            } => vec![
                ("character", character.to_string()),
                ("position", position.to_string()),
            ],
            Self::FullwidthCharacter {
                character,
                position,
                count,
            } => vec![
                ("character", character.to_string()),
                ("position", position.to_string()),
                ("count", count.to_string()),
            ],
            Self::MissingLowercase { min }
            | Self::MissingUppercase { min }
            | Self::MissingLetter { min }
            | Self::MissingDigit { min } => vec![("min", min.to_string())],
            Self::MissingSymbol { min, symbols } => {
                vec![("min", min.to_string()), ("symbols", symbols.clone())]
            }
            Self::SequentialRun { run, position } | Self::RepeatedRun { run, position } => {
                vec![("run", run.to_string()), ("position", position.to_string())]
            }
            Self::ContainsUserId { field } => vec![("field", field.name().into())],
            Self::CommonPassword | Self::DefaultCredential => Vec::new(),
            Self::ReusedPassword { depth } => vec![("depth", depth.to_string())],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => capitalise(&self.text(lang)),
            Lang::Ja => self.text(lang),
        }
    }
}

impl Violation {
    /// The message in `lang`, English and Japanese side by side. English is
    /// as [`fmt::Display`] shows it (lower case, no full stop);
    /// [`Coded::message`] capitalises it into a sentence.
    fn text(&self, lang: Lang) -> String {
        use Lang::{En, Ja};
        match self {
            Self::TooShort { min, actual } => match lang {
                En => format!("use at least {min} characters (you entered {actual})"),
                Ja => format!("{min}文字以上で入力してください（入力は{actual}文字）。"),
            },
            Self::TooLong { max, actual } => match lang {
                En => format!("use at most {max} characters (you entered {actual})"),
                Ja => format!("{max}文字以内で入力してください（入力は{actual}文字）。"),
            },
            Self::DisallowedCharacter {
                character,
                position,
            } => {
                let c = quote_char(*character);
                match lang {
                    En => format!("the character '{c}' at position {position} cannot be used"),
                    Ja => format!("{position}文字目の「{c}」は使用できない文字です。"),
                }
            }
            Self::FullwidthCharacter {
                character,
                position,
                count,
            } => {
                let c = quote_char(*character);
                match lang {
                    En => format!(
                        "enter half-width characters: '{c}' at position {position} is full-width ({count} full-width in total)"
                    ),
                    Ja => {
                        format!("半角で入力してください（{position}文字目の「{c}」が全角です）。")
                    }
                }
            }
            Self::MissingLowercase { min } => match lang {
                En => format!(
                    "include at least {} (a–z)",
                    counted(*min, "lower-case letter")
                ),
                Ja => missing_ja(CharClass::Lowercase, *min, ""),
            },
            Self::MissingUppercase { min } => match lang {
                En => format!(
                    "include at least {} (A–Z)",
                    counted(*min, "upper-case letter")
                ),
                Ja => missing_ja(CharClass::Uppercase, *min, ""),
            },
            Self::MissingLetter { min } => match lang {
                En => format!("include at least {}", counted(*min, "letter")),
                Ja => missing_ja(CharClass::Letter, *min, ""),
            },
            Self::MissingDigit { min } => match lang {
                En => format!("include at least {} (0–9)", counted(*min, "digit")),
                Ja => missing_ja(CharClass::Digit, *min, ""),
            },
            Self::MissingSymbol { min, symbols } => match lang {
                En => format!(
                    "include at least {}{}",
                    counted(*min, "symbol"),
                    symbols_suffix(symbols)
                ),
                Ja => missing_ja(CharClass::Symbol, *min, symbols),
            },
            Self::SequentialRun { run, position } => match lang {
                En => format!(
                    "avoid {run} or more characters in sequence such as 1234 or dcba (found at position {position})"
                ),
                Ja => format!(
                    "「1234」「dcba」のように{run}文字以上続く連続した文字は使えません（{position}文字目から）。"
                ),
            },
            Self::RepeatedRun { run, position } => match lang {
                En => format!(
                    "avoid repeating the same character {run} or more times in a row (found at position {position})"
                ),
                Ja => format!(
                    "同じ文字を{run}文字以上続けて使うことはできません（{position}文字目から）。"
                ),
            },
            Self::ContainsUserId { field } => match lang {
                En => format!(
                    "the password must not contain your {}",
                    identity_label(*field, En)
                ),
                Ja => format!(
                    "パスワードに{}を含めることはできません。",
                    identity_label(*field, Ja)
                ),
            },
            Self::CommonPassword => match lang {
                En => "this password is too common and easy to guess; choose another".to_owned(),
                Ja => {
                    "よく使われていて推測されやすいパスワードです。別のパスワードにしてください。"
                        .to_owned()
                }
            },
            Self::ReusedPassword { depth } => match lang {
                En => format!("choose a password different from your last {depth}"),
                Ja => format!("過去{depth}回分のパスワードとは異なるパスワードにしてください。"),
            },
            Self::DefaultCredential => match lang {
                En => "this is the factory default password; change it now".to_owned(),
                Ja => "初期設定のパスワードのままです。今すぐ変更してください。".to_owned(),
            },
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for Violation {}

fn missing_ja(class: CharClass, min: u32, symbols: &str) -> String {
    let detail = if symbols.is_empty() {
        String::new()
    } else {
        format!("（{symbols}）")
    };
    format!(
        "{}{detail}を{min}文字以上含めてください。",
        class.label(Lang::Ja)
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            out.push('.');
            out
        }
        None => String::new(),
    }
}

/// Result of [`PasswordPolicy::check`].
///
/// - [`is_ok`](Self::is_ok): no violation at all. Require this when a
///   password is **set** (sign-up, change, reset).
/// - [`is_acceptable`](Self::is_acceptable): no `Reject` violation; the
///   password may be used to log in. If [`must_change`](Self::must_change)
///   is also true (e.g. the factory default PIN), force a change first.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub(super) violations: Vec<Violation>,
    /// Previous hashes that could not be checked (malformed PHC, other
    /// algorithm, other pepper length…); they are skipped, not failed.
    pub(super) skipped_history_entries: u32,
}

impl Report {
    /// Every violation, in rule order.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// No violation at all.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    /// No violation of severity [`Severity::Reject`].
    #[must_use]
    pub fn is_acceptable(&self) -> bool {
        self.violations
            .iter()
            .all(|v| v.severity() != Severity::Reject)
    }

    /// Some violation is [`Severity::MustChange`].
    #[must_use]
    pub fn must_change(&self) -> bool {
        self.violations
            .iter()
            .any(|v| v.severity() == Severity::MustChange)
    }

    /// Codes of all violations, in order.
    #[must_use]
    pub fn codes(&self) -> Vec<&'static str> {
        self.violations.iter().map(Coded::code).collect()
    }

    /// Violations as [`Diagnostic`]s (code, params, en/ja messages).
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.violations.iter().map(Coded::to_diagnostic).collect()
    }

    /// Number of previous hashes that could not be checked.
    #[must_use]
    pub const fn skipped_history_entries(&self) -> u32 {
        self.skipped_history_entries
    }
}
