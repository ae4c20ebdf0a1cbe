//! What a policy is made of ([`PolicyParts`]) and how parts are validated
//! ([`PolicyError`]).

use std::fmt;

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::quote::{QuotedText, quote_char};

#[cfg(doc)]
use super::{COMMON_PASSWORDS, CheckContext, PasswordPolicy, password_age};
use super::{DEFAULT_EXPIRY_WARNING_DAYS, MAX_POLICY_LENGTH, PRESET_NAMES};

/// A character class a policy can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CharClass {
    /// A lower-case letter.
    Lowercase,
    /// An upper-case letter.
    Uppercase,
    /// Any letter.
    Letter,
    /// A digit.
    Digit,
    /// A symbol: for an ASCII alphabet, one of its symbol set; for
    /// [`Alphabet::AnyUnicode`], any character that is not a letter, digit,
    /// white space or control character.
    Symbol,
}

impl CharClass {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Lowercase => "lowercase",
            Self::Uppercase => "uppercase",
            Self::Letter => "letter",
            Self::Digit => "digit",
            Self::Symbol => "symbol",
        }
    }

    pub(super) const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Lowercase, Lang::En) => "lower-case letter (a–z)",
            (Self::Lowercase, Lang::Ja) => "英小文字（a～z）",
            (Self::Uppercase, Lang::En) => "upper-case letter (A–Z)",
            (Self::Uppercase, Lang::Ja) => "英大文字（A～Z）",
            (Self::Letter, Lang::En) => "letter",
            (Self::Letter, Lang::Ja) => "英字",
            (Self::Digit, Lang::En) => "digit (0–9)",
            (Self::Digit, Lang::Ja) => "数字（0～9）",
            (Self::Symbol, Lang::En) => "symbol",
            (Self::Symbol, Lang::Ja) => "記号",
        }
    }
}

/// Which characters a password may contain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Alphabet {
    /// Any Unicode scalar value except control characters (NIST SP 800-63B).
    AnyUnicode,
    /// Half-width ASCII only: the enabled letter/digit classes plus an
    /// explicit symbol set (which may include the space).
    Ascii {
        /// `a–z` allowed.
        lowercase: bool,
        /// `A–Z` allowed.
        uppercase: bool,
        /// `0–9` allowed.
        digits: bool,
        /// Allowed symbols, each an ASCII non-alphanumeric printable
        /// character or the space, no duplicates.
        symbols: String,
    },
}

impl Alphabet {
    pub(super) fn allows(&self, c: char) -> bool {
        match self {
            Self::AnyUnicode => !c.is_control(),
            Self::Ascii {
                lowercase,
                uppercase,
                digits,
                symbols,
            } => {
                (*lowercase && c.is_ascii_lowercase())
                    || (*uppercase && c.is_ascii_uppercase())
                    || (*digits && c.is_ascii_digit())
                    || (c.is_ascii() && !c.is_ascii_alphanumeric() && symbols.contains(c))
            }
        }
    }

    pub(super) fn is_symbol(&self, c: char) -> bool {
        match self {
            Self::AnyUnicode => !(c.is_alphanumeric() || c.is_whitespace() || c.is_control()),
            Self::Ascii { symbols, .. } => {
                c.is_ascii() && !c.is_ascii_alphanumeric() && symbols.contains(c)
            }
        }
    }

    pub(super) fn is_in_class(&self, c: char, class: CharClass) -> bool {
        match class {
            CharClass::Lowercase => c.is_lowercase(),
            CharClass::Uppercase => c.is_uppercase(),
            CharClass::Letter => c.is_alphabetic(),
            CharClass::Digit => c.is_numeric(),
            CharClass::Symbol => self.is_symbol(c),
        }
    }

    /// Whether any allowed character belongs to `class`.
    pub(super) fn can_contain(&self, class: CharClass) -> bool {
        match self {
            Self::AnyUnicode => true,
            Self::Ascii {
                lowercase,
                uppercase,
                digits,
                symbols,
            } => match class {
                CharClass::Lowercase => *lowercase,
                CharClass::Uppercase => *uppercase,
                CharClass::Letter => *lowercase || *uppercase,
                CharClass::Digit => *digits,
                CharClass::Symbol => symbols.chars().any(|c| c != ' '),
            },
        }
    }
}

/// "At least `min_count` characters of `class`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The class.
    pub class: CharClass,
    /// How many characters of it, at least 1.
    pub min_count: u32,
}

impl Requirement {
    /// At least one character of `class`.
    #[must_use]
    pub const fn one(class: CharClass) -> Self {
        Self {
            class,
            min_count: 1,
        }
    }
}

fn default_warning_days() -> u32 {
    DEFAULT_EXPIRY_WARNING_DAYS
}

/// The parts a [`PasswordPolicy`] is built from (docs/passwords.md §2). Plain data:
/// change a field and pass it to [`PasswordPolicy::new`], which validates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyParts {
    /// Minimum length in Unicode scalar values, at least 1.
    pub min_length: u32,
    /// Maximum length in Unicode scalar values, at most [`MAX_POLICY_LENGTH`].
    pub max_length: u32,
    /// Allowed characters.
    pub alphabet: Alphabet,
    /// Required classes, each with a minimum count.
    #[serde(default)]
    pub required: Vec<Requirement>,
    /// Forbid a run of this many (or more) consecutive ascending or
    /// descending characters (`1234`, `dcba`); at least 3.
    #[serde(default)]
    pub forbid_sequential_run: Option<u32>,
    /// Forbid this many (or more) identical characters in a row (`aaaa`);
    /// at least 2.
    #[serde(default)]
    pub forbid_repeated_run: Option<u32>,
    /// Reject a password containing the user ID or e-mail local part given
    /// in the [`CheckContext`] (case-insensitive).
    #[serde(default)]
    pub forbid_user_id: bool,
    /// Reject passwords on [`COMMON_PASSWORDS`] (case-insensitive).
    #[serde(default)]
    pub use_common_blocklist: bool,
    /// Further rejected passwords (case-insensitive, whole-password match),
    /// e.g. the site's or product's name.
    #[serde(default)]
    pub blocklist: Vec<String>,
    /// How many previous passwords a new one must differ from (0 = no
    /// history check).
    #[serde(default)]
    pub history_depth: u32,
    /// Days after a change when the password expires (`None` = never).
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// Days before expiry from which [`password_age`] warns.
    #[serde(default = "default_warning_days")]
    pub expiry_warning_days: u32,
    /// Factory default passwords: accepted, but reported as
    /// `password.default_credential` so the caller forces a change.
    #[serde(default)]
    pub default_credentials: Vec<String>,
}

pub(super) fn validate(p: &PolicyParts) -> Result<(), PolicyError> {
    if p.min_length == 0 || p.min_length > p.max_length || p.max_length > MAX_POLICY_LENGTH {
        return Err(PolicyError::InvalidLength {
            min: p.min_length,
            max: p.max_length,
        });
    }
    if let Alphabet::Ascii {
        lowercase,
        uppercase,
        digits,
        symbols,
    } = &p.alphabet
    {
        for (i, c) in symbols.chars().enumerate() {
            let valid = c == ' ' || (c.is_ascii_graphic() && !c.is_ascii_alphanumeric());
            let duplicate = symbols.chars().take(i).any(|seen| seen == c);
            if !valid || duplicate {
                return Err(PolicyError::InvalidSymbol { character: c });
            }
        }
        if !lowercase && !uppercase && !digits && symbols.is_empty() {
            return Err(PolicyError::EmptyAlphabet);
        }
    }
    let mut total = 0u32;
    for r in &p.required {
        if r.min_count == 0 || !p.alphabet.can_contain(r.class) {
            return Err(PolicyError::UnsatisfiableRequirement { class: r.class });
        }
        if p.required.iter().filter(|o| o.class == r.class).count() > 1 {
            return Err(PolicyError::UnsatisfiableRequirement { class: r.class });
        }
        total = total.saturating_add(r.min_count);
        if total > p.max_length {
            return Err(PolicyError::UnsatisfiableRequirement { class: r.class });
        }
    }
    if let Some(run) = p.forbid_sequential_run
        && run < 3
    {
        return Err(PolicyError::InvalidRunLength {
            rule: RunRule::Sequential,
            run,
        });
    }
    if let Some(run) = p.forbid_repeated_run
        && run < 2
    {
        return Err(PolicyError::InvalidRunLength {
            rule: RunRule::Repeated,
            run,
        });
    }
    if let Some(days) = p.max_age_days
        && (days == 0 || p.expiry_warning_days >= days)
    {
        return Err(PolicyError::InvalidExpiry {
            max_age_days: days,
            warning_days: p.expiry_warning_days,
        });
    }
    Ok(())
}

/// Which run rule a [`PolicyError::InvalidRunLength`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RunRule {
    /// `forbid_sequential_run`.
    Sequential,
    /// `forbid_repeated_run`.
    Repeated,
}

impl RunRule {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
            Self::Repeated => "repeated",
        }
    }
}

/// Longest preset name quoted back in `policy.unknown_preset` (characters).
pub(super) const MAX_QUOTED_NAME: usize = 64;

/// Why a custom policy is inconsistent, or a preset name unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// A preset name that is not one of
    /// [`PasswordPolicy::preset_names`]. Code `policy.unknown_preset`;
    /// parameters `name` (the first 64 characters) and `expected`.
    UnknownPreset {
        /// The name given (at most 64 characters of it).
        name: String,
    },
    /// `min_length` is 0 or above `max_length`, or `max_length` exceeds
    /// [`MAX_POLICY_LENGTH`]. Code `policy.invalid_length`.
    InvalidLength {
        /// Given minimum.
        min: u32,
        /// Given maximum.
        max: u32,
    },
    /// An ASCII alphabet allows nothing. Code `policy.empty_alphabet`.
    EmptyAlphabet,
    /// A symbol that is not an ASCII non-alphanumeric printable character or
    /// space, or is listed twice. Code `policy.invalid_symbol`.
    InvalidSymbol {
        /// The offending character.
        character: char,
    },
    /// A required class the alphabet cannot supply, a zero or duplicate
    /// requirement, or requirements that add up to more than `max_length`.
    /// Code `policy.unsatisfiable_requirement`.
    UnsatisfiableRequirement {
        /// The class.
        class: CharClass,
    },
    /// A sequential run below 3 or a repeated run below 2. Code
    /// `policy.invalid_run_length`.
    InvalidRunLength {
        /// Which rule.
        rule: RunRule,
        /// Given length.
        run: u32,
    },
    /// `max_age_days` is 0 or not above the warning window. Code
    /// `policy.invalid_expiry`.
    InvalidExpiry {
        /// Given maximum age.
        max_age_days: u32,
        /// Given warning window.
        warning_days: u32,
    },
}

impl Coded for PolicyError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Configuration
    }
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownPreset { .. } => "policy.unknown_preset",
            Self::InvalidLength { .. } => "policy.invalid_length",
            Self::EmptyAlphabet => "policy.empty_alphabet",
            Self::InvalidSymbol { .. } => "policy.invalid_symbol",
            Self::UnsatisfiableRequirement { .. } => "policy.unsatisfiable_requirement",
            Self::InvalidRunLength { .. } => "policy.invalid_run_length",
            Self::InvalidExpiry { .. } => "policy.invalid_expiry",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::InvalidLength { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Self::UnknownPreset { name } => {
                vec![("name", name.clone()), ("expected", PRESET_NAMES.join(","))]
            }
            Self::EmptyAlphabet => Vec::new(),
            Self::InvalidSymbol { character } => vec![("character", character.to_string())],
            Self::UnsatisfiableRequirement { class } => vec![("class", class.name().into())],
            Self::InvalidRunLength { rule, run } => {
                vec![("rule", rule.name().into()), ("run", run.to_string())]
            }
            Self::InvalidExpiry {
                max_age_days,
                warning_days,
            } => vec![
                ("max_age_days", max_age_days.to_string()),
                ("warning_days", warning_days.to_string()),
            ],
        }
    }

    fn message(&self, lang: Lang) -> String {
        use Lang::{En, Ja};
        match self {
            Self::UnknownPreset { name } => match lang {
                En => format!(
                    "unknown password policy preset '{}' (expected one of {})",
                    QuotedText(name),
                    PRESET_NAMES.join(", ")
                ),
                Ja => format!(
                    "パスワードポリシーのプリセット「{}」はありません（{}のいずれかを指定してください）。",
                    QuotedText(name),
                    PRESET_NAMES.join("、")
                ),
            },
            Self::InvalidLength { min, max } => match lang {
                En => format!(
                    "invalid length range {min}-{max} (need 1 <= min <= max <= {MAX_POLICY_LENGTH})"
                ),
                Ja => format!(
                    "文字数の範囲{min}〜{max}が不正です（1 ≦ 最小 ≦ 最大 ≦ {MAX_POLICY_LENGTH}）。"
                ),
            },
            Self::EmptyAlphabet => match lang {
                En => "the alphabet allows no characters".to_owned(),
                Ja => "使用できる文字が1つもありません。".to_owned(),
            },
            Self::InvalidSymbol { character } => {
                let c = quote_char(*character);
                match lang {
                    En => format!("invalid or duplicate symbol '{c}' in the symbol set"),
                    Ja => format!("記号の指定「{c}」が不正または重複しています。"),
                }
            }
            Self::UnsatisfiableRequirement { class } => match lang {
                En => format!("requirement for class {} cannot be met", class.name()),
                Ja => format!(
                    "「{}」の必須条件を満たすことができません。",
                    class.label(Ja)
                ),
            },
            Self::InvalidRunLength { rule, run } => match lang {
                En => format!("{} run length {run} is too small", rule.name()),
                Ja => format!(
                    "連続文字の規則（{}）の長さ{run}が小さすぎます。",
                    rule.name()
                ),
            },
            Self::InvalidExpiry {
                max_age_days,
                warning_days,
            } => match lang {
                En => format!(
                    "max age {max_age_days} days must be above the warning window of {warning_days} days"
                ),
                Ja => format!(
                    "有効期限{max_age_days}日は事前通知期間{warning_days}日より長くしてください。"
                ),
            },
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for PolicyError {}
