//! [`PasswordPolicy::describe`]: the policy as [`Rule`]s for a form's help
//! text.

use crate::error::{Coded, ErrorKind, Lang, Param};

use super::{Alphabet, CharClass, CheckContext, PasswordPolicy};

/// One line of a policy's help text (see [`PasswordPolicy::describe`]).
/// Codes are `password.rule.*`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code")]
#[non_exhaustive]
pub enum Rule {
    /// Code `password.rule.length`.
    #[serde(rename = "password.rule.length")]
    Length {
        /// Minimum length.
        min: u32,
        /// Maximum length.
        max: u32,
    },
    /// Code `password.rule.allowed_characters`.
    #[serde(rename = "password.rule.allowed_characters")]
    AllowedCharacters {
        /// `a–z`.
        lowercase: bool,
        /// `A–Z`.
        uppercase: bool,
        /// `0–9`.
        digits: bool,
        /// Allowed symbols.
        symbols: String,
    },
    /// Code `password.rule.any_characters`.
    #[serde(rename = "password.rule.any_characters")]
    AnyCharacters,
    /// Code `password.rule.require` (param `class`).
    #[serde(rename = "password.rule.require")]
    Require {
        /// Required class.
        class: CharClass,
        /// Minimum count.
        min: u32,
    },
    /// Code `password.rule.no_sequential_run`.
    #[serde(rename = "password.rule.no_sequential_run")]
    NoSequentialRun {
        /// Forbidden run length.
        run: u32,
    },
    /// Code `password.rule.no_repeated_run`.
    #[serde(rename = "password.rule.no_repeated_run")]
    NoRepeatedRun {
        /// Forbidden run length.
        run: u32,
    },
    /// Code `password.rule.no_user_id`.
    #[serde(rename = "password.rule.no_user_id")]
    NoUserId,
    /// Code `password.rule.not_common`.
    #[serde(rename = "password.rule.not_common")]
    NotCommon,
    /// Code `password.rule.not_reused`.
    #[serde(rename = "password.rule.not_reused")]
    NotReused {
        /// History depth.
        depth: u32,
    },
    /// Code `password.rule.max_age`.
    #[serde(rename = "password.rule.max_age")]
    MaxAge {
        /// Days until expiry.
        days: u32,
    },
    /// The factory default password works once but must then be changed.
    /// Code `password.rule.change_default`.
    #[serde(rename = "password.rule.change_default")]
    ChangeDefault,
}

impl Rule {
    /// Violation codes that break this rule.
    #[must_use]
    pub fn violation_codes(&self) -> &'static [&'static str] {
        match self {
            Self::Length { .. } => &["password.too_short", "password.too_long"],
            Self::AllowedCharacters { .. } => &[
                "password.disallowed_character",
                "password.fullwidth_character",
            ],
            Self::AnyCharacters => &["password.disallowed_character"],
            Self::Require { class, .. } => match class {
                CharClass::Lowercase => &["password.missing_lowercase"],
                CharClass::Uppercase => &["password.missing_uppercase"],
                CharClass::Letter => &["password.missing_letter"],
                CharClass::Digit => &["password.missing_digit"],
                CharClass::Symbol => &["password.missing_symbol"],
            },
            Self::NoSequentialRun { .. } => &["password.sequential_run"],
            Self::NoRepeatedRun { .. } => &["password.repeated_run"],
            Self::NoUserId => &["password.contains_user_id"],
            Self::NotCommon => &["password.common_password"],
            Self::NotReused { .. } => &["password.reused_password"],
            Self::MaxAge { .. } => &[],
            Self::ChangeDefault => &["password.default_credential"],
        }
    }
}

impl Coded for Rule {
    fn kind(&self) -> ErrorKind {
        // A rule describes what input must satisfy (help text, not a failure).
        ErrorKind::InvalidInput
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "password.rule.length",
            Self::AllowedCharacters { .. } => "password.rule.allowed_characters",
            Self::AnyCharacters => "password.rule.any_characters",
            Self::Require { .. } => "password.rule.require",
            Self::NoSequentialRun { .. } => "password.rule.no_sequential_run",
            Self::NoRepeatedRun { .. } => "password.rule.no_repeated_run",
            Self::NoUserId => "password.rule.no_user_id",
            Self::NotCommon => "password.rule.not_common",
            Self::NotReused { .. } => "password.rule.not_reused",
            Self::MaxAge { .. } => "password.rule.max_age",
            Self::ChangeDefault => "password.rule.change_default",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::Length { min, max } => vec![("min", min.to_string()), ("max", max.to_string())],
            Self::AllowedCharacters {
                lowercase,
                uppercase,
                digits,
                symbols,
            } => vec![
                ("lowercase", lowercase.to_string()),
                ("uppercase", uppercase.to_string()),
                ("digits", digits.to_string()),
                ("symbols", symbols.clone()),
            ],
            Self::AnyCharacters | Self::NoUserId | Self::NotCommon | Self::ChangeDefault => {
                Vec::new()
            }
            Self::Require { class, min } => {
                vec![("class", class.name().into()), ("min", min.to_string())]
            }
            Self::NoSequentialRun { run } | Self::NoRepeatedRun { run } => {
                vec![("run", run.to_string())]
            }
            Self::NotReused { depth } => vec![("depth", depth.to_string())],
            Self::MaxAge { days } => vec![("days", days.to_string())],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Length { min, max }, Lang::En) if min == max => {
                format!("Exactly {min} characters")
            }
            (Self::Length { min, max }, Lang::En) => format!("{min}–{max} characters"),
            (Self::Length { min, max }, Lang::Ja) if min == max => format!("{min}文字"),
            (Self::Length { min, max }, Lang::Ja) => format!("{min}文字以上{max}文字以下"),
            (
                Self::AllowedCharacters {
                    lowercase,
                    uppercase,
                    digits,
                    symbols,
                },
                _,
            ) => allowed_text(*lowercase, *uppercase, *digits, symbols, lang),
            (Self::AnyCharacters, Lang::En) => {
                "Any characters, including spaces and Japanese, may be used".to_owned()
            }
            (Self::AnyCharacters, Lang::Ja) => {
                "スペースや日本語を含め、どの文字でも使用できます".to_owned()
            }
            (Self::Require { class, min }, Lang::En) => {
                format!("At least {min} {}", class.label(Lang::En))
            }
            (Self::Require { class, min }, Lang::Ja) => {
                format!("{}を{min}文字以上含む", class.label(Lang::Ja))
            }
            (Self::NoSequentialRun { run }, Lang::En) => {
                format!("No {run} or more characters in sequence (such as 1234 or dcba)")
            }
            (Self::NoSequentialRun { run }, Lang::Ja) => {
                format!("「1234」「dcba」のような{run}文字以上の連続した文字を含まない")
            }
            (Self::NoRepeatedRun { run }, Lang::En) => {
                format!("No character repeated {run} or more times in a row")
            }
            (Self::NoRepeatedRun { run }, Lang::Ja) => {
                format!("同じ文字を{run}文字以上続けない")
            }
            (Self::NoUserId, Lang::En) => {
                "Must not contain your user ID or e-mail address".to_owned()
            }
            (Self::NoUserId, Lang::Ja) => "ユーザIDやメールアドレスを含まない".to_owned(),
            (Self::NotCommon, Lang::En) => "Must not be a commonly used password".to_owned(),
            (Self::NotCommon, Lang::Ja) => "よく使われるパスワードではない".to_owned(),
            (Self::NotReused { depth }, Lang::En) => {
                format!("Must differ from your last {depth} passwords")
            }
            (Self::NotReused { depth }, Lang::Ja) => {
                format!("過去{depth}回分のパスワードと異なる")
            }
            (Self::MaxAge { days }, Lang::En) => {
                format!("Expires after {days} days; you will then be asked to change it")
            }
            (Self::MaxAge { days }, Lang::Ja) => {
                format!("有効期限は{days}日です。期限が切れたら変更が必要です")
            }
            (Self::ChangeDefault, Lang::En) => {
                "The factory default password must be changed at first use".to_owned()
            }
            (Self::ChangeDefault, Lang::Ja) => {
                "初期設定のパスワードは最初の使用時に変更が必要です".to_owned()
            }
        }
    }
}

fn allowed_text(
    lowercase: bool,
    uppercase: bool,
    digits: bool,
    symbols: &str,
    lang: Lang,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let (lo, up, dg) = match lang {
        Lang::En => ("a–z", "A–Z", "0–9"),
        Lang::Ja => ("英小文字", "英大文字", "数字"),
    };
    if lowercase {
        parts.push(lo.to_owned());
    }
    if uppercase {
        parts.push(up.to_owned());
    }
    if digits {
        parts.push(dg.to_owned());
    }
    let shown_symbols: String = symbols.replace(' ', "");
    if !shown_symbols.is_empty() {
        parts.push(match lang {
            Lang::En => format!("symbols {shown_symbols}"),
            Lang::Ja => format!("記号 {shown_symbols}"),
        });
    }
    if symbols.contains(' ') {
        parts.push(match lang {
            Lang::En => "space".to_owned(),
            Lang::Ja => "スペース".to_owned(),
        });
    }
    match lang {
        Lang::En => format!("Half-width characters only: {}", parts.join(", ")),
        Lang::Ja => format!("半角の{}のみ使用可能", parts.join("、")),
    }
}

impl PasswordPolicy {
    /// The policy as a list of rules for a form's help text, in display
    /// order. Each [`Rule`] names the violation codes that break it, so a
    /// form can tick rules off as the user types.
    ///
    /// Checks made with a [`CheckContext`] that carries its own blocklist
    /// can also fail `password.common_password` under a policy without
    /// one: describe those with [`PasswordPolicy::describe_for`].
    #[must_use]
    pub fn describe(&self) -> Vec<Rule> {
        self.describe_with(false)
    }

    /// [`PasswordPolicy::describe`] for checks made with `ctx`: a context
    /// blocklist adds [`Rule::NotCommon`] when the policy has none, so every
    /// violation `check(password, ctx)` can report is claimed by a rule.
    #[must_use]
    pub fn describe_for(&self, ctx: &CheckContext<'_>) -> Vec<Rule> {
        self.describe_with(!ctx.blocklist.is_empty())
    }

    fn describe_with(&self, context_blocklist: bool) -> Vec<Rule> {
        let p = self.parts();
        let mut rules = vec![Rule::Length {
            min: p.min_length,
            max: p.max_length,
        }];
        rules.push(match &p.alphabet {
            Alphabet::AnyUnicode => Rule::AnyCharacters,
            Alphabet::Ascii {
                lowercase,
                uppercase,
                digits,
                symbols,
            } => Rule::AllowedCharacters {
                lowercase: *lowercase,
                uppercase: *uppercase,
                digits: *digits,
                symbols: symbols.clone(),
            },
        });
        for requirement in &p.required {
            rules.push(Rule::Require {
                class: requirement.class,
                min: requirement.min_count,
            });
        }
        if let Some(run) = p.forbid_sequential_run {
            rules.push(Rule::NoSequentialRun { run });
        }
        if let Some(run) = p.forbid_repeated_run {
            rules.push(Rule::NoRepeatedRun { run });
        }
        if p.forbid_user_id {
            rules.push(Rule::NoUserId);
        }
        if p.use_common_blocklist || !p.blocklist.is_empty() || context_blocklist {
            rules.push(Rule::NotCommon);
        }
        if p.history_depth > 0 {
            rules.push(Rule::NotReused {
                depth: p.history_depth,
            });
        }
        if let Some(days) = p.max_age_days {
            rules.push(Rule::MaxAge { days });
        }
        if !p.default_credentials.is_empty() {
            rules.push(Rule::ChangeDefault);
        }
        rules
    }
}
