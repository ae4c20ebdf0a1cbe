//! Password policies (SPEC §2.1–2.3): presets and custom policies as data,
//! a check that reports every unmet rule at once, a rule list for sign-up
//! forms, and password age.
//!
//! | preset | length | characters | must contain | other |
//! |---|---|---|---|---|
//! | [`ups_site`](PasswordPolicy::ups_site) | 10–16 | ASCII letters, digits, the 32 ASCII symbols | a letter, a digit, a symbol | expires after 180 days |
//! | [`monitoring_service`](PasswordPolicy::monitoring_service) | 8–16 | ASCII letters, digits, the 32 ASCII symbols | lower-case, upper-case, digit | |
//! | [`kms`](PasswordPolicy::kms) | 8–10 | `A–Z a–z 0–9` | | no run of 4 sequential or 4 identical characters |
//! | [`device_admin_pin`](PasswordPolicy::device_admin_pin) | 4–10 | `0–9` | | factory default `00000000` reported as `default_credential` |
//! | [`nist_800_63b`](PasswordPolicy::nist_800_63b) | 15–64 | any Unicode except control characters | | common-password blocklist, no user ID |
//! | [`nist_800_63b_mfa`](PasswordPolicy::nist_800_63b_mfa) | 8–64 | as above | | as above; for passwords used with a second factor |
//!
//! Passwords are never normalised: a full-width character where only ASCII
//! is allowed is reported as `password.fullwidth_character`, so a Japanese
//! user reads "enter half-width characters" rather than "invalid character".
//!
//! A [`Report`] containing a violation with code `password.*` and
//! diagnostics may contain single characters of the password (the
//! disallowed or full-width character the user typed): show it to that user,
//! do not log it.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::error::{Coded, Diagnostic, ErrorKind, Lang, Param};
use crate::hash::{self, Pepper};
use crate::normalize::{fold_width_char, is_fullwidth};
use crate::quote::{QuotedText, quote_char};

/// The common-password blocklist used when
/// [`PolicyParts::use_common_blocklist`] is set: one lower-case entry per
/// line, sorted by byte value (binary-searched). Source and licence: `core/data/common-passwords.NOTICE`
/// (Django's list, BSD 3-Clause; entries of 8+ characters).
pub const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// The 32 ASCII symbols (printable, non-alphanumeric, non-space), in ASCII
/// order.
pub const ASCII_SYMBOLS: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// The 32 symbols of the UPS site, in the order its manual lists them
/// (the same set as [`ASCII_SYMBOLS`]).
pub const UPS_SITE_SYMBOLS: &str = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+=";

/// Longest `max_length` a policy may set: 1024 scalar values are at most
/// 4096 UTF-8 bytes, so every acceptable password can be hashed
/// ([`hash::MAX_PASSWORD_BYTES`]).
pub const MAX_POLICY_LENGTH: u32 = 1024;

/// Default expiry warning window in days (decision, SPEC §2.3).
pub const DEFAULT_EXPIRY_WARNING_DAYS: u32 = 14;

/// Names accepted by [`PasswordPolicy::preset`].
const PRESET_NAMES: [&str; 6] = [
    "ups_site",
    "monitoring_service",
    "kms",
    "device_admin_pin",
    "nist_800_63b",
    "nist_800_63b_mfa",
];

/// Shortest user ID or e-mail local part looked for inside a password;
/// shorter ones are only compared for equality (a one-letter ID would
/// otherwise forbid that letter).
const MIN_CONTAINED_ID_CHARS: usize = 3;

// --- Parts ------------------------------------------------------------------

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

    const fn label(self, lang: Lang) -> &'static str {
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
    fn allows(&self, c: char) -> bool {
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

    fn is_symbol(&self, c: char) -> bool {
        match self {
            Self::AnyUnicode => !(c.is_alphanumeric() || c.is_whitespace() || c.is_control()),
            Self::Ascii { symbols, .. } => {
                c.is_ascii() && !c.is_ascii_alphanumeric() && symbols.contains(c)
            }
        }
    }

    fn is_in_class(&self, c: char, class: CharClass) -> bool {
        match class {
            CharClass::Lowercase => c.is_lowercase(),
            CharClass::Uppercase => c.is_uppercase(),
            CharClass::Letter => c.is_alphabetic(),
            CharClass::Digit => c.is_numeric(),
            CharClass::Symbol => self.is_symbol(c),
        }
    }

    /// Whether any allowed character belongs to `class`.
    fn can_contain(&self, class: CharClass) -> bool {
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

/// The parts a [`PasswordPolicy`] is built from (SPEC §2.1). Plain data:
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

// --- Policy -----------------------------------------------------------------

/// A validated password policy. Serialises as its [`PolicyParts`];
/// deserialising validates, so an invalid policy cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PolicyParts", into = "PolicyParts")]
pub struct PasswordPolicy {
    parts: PolicyParts,
}

impl TryFrom<PolicyParts> for PasswordPolicy {
    type Error = PolicyError;

    fn try_from(parts: PolicyParts) -> Result<Self, Self::Error> {
        Self::new(parts)
    }
}

impl From<PasswordPolicy> for PolicyParts {
    fn from(policy: PasswordPolicy) -> Self {
        policy.parts
    }
}

impl PasswordPolicy {
    /// Validate parts into a policy.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the first inconsistent part.
    pub fn new(parts: PolicyParts) -> Result<Self, PolicyError> {
        validate(&parts)?;
        Ok(Self { parts })
    }

    /// The parts, for inspection.
    #[must_use]
    pub const fn parts(&self) -> &PolicyParts {
        &self.parts
    }

    /// The parts, to derive a custom policy from a preset.
    #[must_use]
    pub fn into_parts(self) -> PolicyParts {
        self.parts
    }

    /// UPS registration site \[000\]: 10–16 characters of ASCII letters,
    /// digits and the 32 ASCII symbols (no space); at least one letter, one
    /// digit and one symbol; expires after 180 days.
    #[must_use]
    pub fn ups_site() -> Self {
        Self {
            parts: PolicyParts {
                min_length: 10,
                max_length: 16,
                alphabet: ascii(true, true, true, UPS_SITE_SYMBOLS),
                required: vec![
                    Requirement::one(CharClass::Letter),
                    Requirement::one(CharClass::Digit),
                    Requirement::one(CharClass::Symbol),
                ],
                max_age_days: Some(180),
                ..base(10, 16)
            },
        }
    }

    /// Remote monitoring service \[001\]\[002\]: 8–16 characters of ASCII
    /// letters, digits and ASCII symbols (decision: symbols allowed, space
    /// not); at least one lower-case letter, one upper-case letter and one
    /// digit; case-sensitive.
    #[must_use]
    pub fn monitoring_service() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(true, true, true, ASCII_SYMBOLS),
                required: vec![
                    Requirement::one(CharClass::Lowercase),
                    Requirement::one(CharClass::Uppercase),
                    Requirement::one(CharClass::Digit),
                ],
                ..base(8, 16)
            },
        }
    }

    /// Key management system \[004\]: 8–10 of `A–Z a–z 0–9`; no run of 4
    /// sequential (`1234`, `dcba`) or 4 identical characters (decision).
    #[must_use]
    pub fn kms() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(true, true, true, ""),
                forbid_sequential_run: Some(4),
                forbid_repeated_run: Some(4),
                ..base(8, 10)
            },
        }
    }

    /// Video terminal administrator PIN \[004\]: 4–10 digits; the factory
    /// default `00000000` is accepted but reported as `default_credential`.
    #[must_use]
    pub fn device_admin_pin() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(false, false, true, ""),
                default_credentials: vec!["00000000".to_owned()],
                ..base(4, 10)
            },
        }
    }

    /// NIST SP 800-63B-4 single-factor password: 15–64 characters of any
    /// Unicode; no composition rules; common-password blocklist; must not
    /// contain the user ID; no periodic expiry.
    #[must_use]
    pub fn nist_800_63b() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: Alphabet::AnyUnicode,
                forbid_user_id: true,
                use_common_blocklist: true,
                ..base(15, 64)
            },
        }
    }

    /// [`nist_800_63b`](Self::nist_800_63b) with the 8-character minimum
    /// NIST allows when the password is used together with a second factor.
    #[must_use]
    pub fn nist_800_63b_mfa() -> Self {
        Self {
            parts: PolicyParts {
                min_length: 8,
                ..Self::nist_800_63b().parts
            },
        }
    }

    /// A preset by name (see [`preset_names`](Self::preset_names)).
    ///
    /// # Errors
    /// [`PolicyError::UnknownPreset`] (`policy.unknown_preset`) for any
    /// other name; names are case-sensitive.
    pub fn preset(name: &str) -> Result<Self, PolicyError> {
        match name {
            "ups_site" => Ok(Self::ups_site()),
            "monitoring_service" => Ok(Self::monitoring_service()),
            "kms" => Ok(Self::kms()),
            "device_admin_pin" => Ok(Self::device_admin_pin()),
            "nist_800_63b" => Ok(Self::nist_800_63b()),
            "nist_800_63b_mfa" => Ok(Self::nist_800_63b_mfa()),
            _ => Err(PolicyError::UnknownPreset {
                name: name.chars().take(MAX_QUOTED_NAME).collect(),
            }),
        }
    }

    /// Names accepted by [`preset`](Self::preset).
    #[must_use]
    pub const fn preset_names() -> &'static [&'static str] {
        &PRESET_NAMES
    }

    /// Check a candidate password; every violation is reported.
    ///
    /// History (Argon2 verification against each previous hash, newest
    /// first, up to `history_depth`) runs only when no other rule rejected
    /// the password, so a rejected guess never costs Argon2 work.
    #[must_use]
    pub fn check(&self, password: &str, context: &CheckContext<'_>) -> Report {
        let p = &self.parts;
        let mut violations = Vec::new();

        let length = password.chars().count();
        if length < to_usize(p.min_length) {
            violations.push(Violation::TooShort {
                min: p.min_length,
                actual: to_u32(length),
            });
        }
        if length > to_usize(p.max_length) {
            violations.push(Violation::TooLong {
                max: p.max_length,
                actual: to_u32(length),
            });
        }

        self.check_characters(password, &mut violations);
        check_runs(p, password, &mut violations);

        if p.forbid_user_id
            && let Some(field) = contained_identity(password, context)
        {
            violations.push(Violation::ContainsUserId { field });
        }

        let lowered = password.to_lowercase();
        let common = p.use_common_blocklist && sorted_lines_contain(COMMON_PASSWORDS, &lowered);
        let listed = p
            .blocklist
            .iter()
            .chain(context.blocklist.iter())
            .any(|entry| entry.to_lowercase() == lowered);
        if common || listed {
            violations.push(Violation::CommonPassword);
        }

        let mut skipped_history_entries = 0u32;
        if p.history_depth > 0 && violations.is_empty() {
            for phc in context
                .previous_hashes
                .iter()
                .take(to_usize(p.history_depth))
            {
                match hash::verify_password(password, phc, context.pepper) {
                    Ok(true) => {
                        violations.push(Violation::ReusedPassword {
                            depth: p.history_depth,
                        });
                        break;
                    }
                    Ok(false) => {}
                    Err(_) => skipped_history_entries = skipped_history_entries.saturating_add(1),
                }
            }
        }

        if p.default_credentials.iter().any(|d| d == password) {
            violations.push(Violation::DefaultCredential);
        }

        Report {
            violations,
            skipped_history_entries,
        }
    }

    fn check_characters(&self, password: &str, violations: &mut Vec<Violation>) {
        let alphabet = &self.parts.alphabet;
        let mut counts = [0u32; 5];
        let mut fullwidth: Option<(char, u32, u32)> = None;
        let mut disallowed: Vec<(char, u32)> = Vec::new();

        for (index, c) in password.chars().enumerate() {
            let position = to_u32(index.saturating_add(1));
            let counted = if alphabet.allows(c) {
                Some(c)
            } else {
                let folded = fold_width_char(c);
                if is_fullwidth(c) && alphabet.allows(folded) {
                    // Counted as its half-width form, so the only message
                    // is "enter half-width characters".
                    match &mut fullwidth {
                        Some((_, _, count)) => *count = count.saturating_add(1),
                        None => fullwidth = Some((c, position, 1)),
                    }
                    Some(folded)
                } else {
                    if !disallowed.iter().any(|(seen, _)| *seen == c) {
                        disallowed.push((c, position));
                    }
                    None
                }
            };
            if let Some(ch) = counted {
                for (slot, class) in counts.iter_mut().zip(CLASSES) {
                    if alphabet.is_in_class(ch, class) {
                        *slot = slot.saturating_add(1);
                    }
                }
            }
        }

        for (character, position) in disallowed {
            violations.push(Violation::DisallowedCharacter {
                character,
                position,
            });
        }
        if let Some((character, position, count)) = fullwidth {
            violations.push(Violation::FullwidthCharacter {
                character,
                position,
                count,
            });
        }
        for requirement in &self.parts.required {
            let actual = CLASSES
                .iter()
                .zip(counts)
                .find(|(class, _)| **class == requirement.class)
                .map_or(0, |(_, n)| n);
            if actual < requirement.min_count {
                let min = requirement.min_count;
                violations.push(match requirement.class {
                    CharClass::Lowercase => Violation::MissingLowercase { min },
                    CharClass::Uppercase => Violation::MissingUppercase { min },
                    CharClass::Letter => Violation::MissingLetter { min },
                    CharClass::Digit => Violation::MissingDigit { min },
                    CharClass::Symbol => Violation::MissingSymbol {
                        min,
                        symbols: symbol_list(alphabet),
                    },
                });
            }
        }
    }

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
        let p = &self.parts;
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
        rules
    }
}

const CLASSES: [CharClass; 5] = [
    CharClass::Lowercase,
    CharClass::Uppercase,
    CharClass::Letter,
    CharClass::Digit,
    CharClass::Symbol,
];

fn base(min_length: u32, max_length: u32) -> PolicyParts {
    PolicyParts {
        min_length,
        max_length,
        alphabet: Alphabet::AnyUnicode,
        required: Vec::new(),
        forbid_sequential_run: None,
        forbid_repeated_run: None,
        forbid_user_id: false,
        use_common_blocklist: false,
        blocklist: Vec::new(),
        history_depth: 0,
        max_age_days: None,
        expiry_warning_days: DEFAULT_EXPIRY_WARNING_DAYS,
        default_credentials: Vec::new(),
    }
}

fn ascii(lowercase: bool, uppercase: bool, digits: bool, symbols: &str) -> Alphabet {
    Alphabet::Ascii {
        lowercase,
        uppercase,
        digits,
        symbols: symbols.to_owned(),
    }
}

fn symbol_list(alphabet: &Alphabet) -> String {
    match alphabet {
        Alphabet::AnyUnicode => String::new(),
        Alphabet::Ascii { symbols, .. } => symbols.clone(),
    }
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Step between two characters of a sequential run: ASCII digits among
/// digits, ASCII letters among letters ignoring case. `None` otherwise.
fn sequence_key(c: char) -> Option<(u8, u8)> {
    if c.is_ascii_digit() {
        Some((0, u8::try_from(c).ok()?))
    } else if c.is_ascii_alphabetic() {
        Some((1, u8::try_from(c.to_ascii_lowercase()).ok()?))
    } else {
        None
    }
}

fn step(a: char, b: char) -> Option<i8> {
    let (ka, va) = sequence_key(a)?;
    let (kb, vb) = sequence_key(b)?;
    if ka != kb {
        return None;
    }
    if vb.checked_sub(va) == Some(1) {
        Some(1)
    } else if va.checked_sub(vb) == Some(1) {
        Some(-1)
    } else {
        None
    }
}

fn check_runs(p: &PolicyParts, password: &str, violations: &mut Vec<Violation>) {
    if p.forbid_sequential_run.is_none() && p.forbid_repeated_run.is_none() {
        return;
    }
    let chars: Vec<char> = password.chars().collect();
    if let Some(run) = p.forbid_sequential_run {
        // Run length counts characters: `1234` is 4 characters, 3 steps.
        let mut start = 0usize;
        let mut len = 1usize;
        let mut dir = 0i8;
        let mut found = None;
        for (i, pair) in chars.windows(2).enumerate() {
            let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            match step(a, b) {
                Some(d) if d == dir && len > 1 => len = len.saturating_add(1),
                Some(d) => {
                    dir = d;
                    start = i;
                    len = 2;
                }
                None => {
                    dir = 0;
                    len = 1;
                }
            }
            if len >= to_usize(run) {
                found = Some(start);
                break;
            }
        }
        if let Some(start) = found {
            violations.push(Violation::SequentialRun {
                run,
                position: to_u32(start.saturating_add(1)),
            });
        }
    }
    if let Some(run) = p.forbid_repeated_run {
        let mut start = 0usize;
        let mut len = 1usize;
        let mut found = None;
        for (i, pair) in chars.windows(2).enumerate() {
            let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            if a == b {
                len = len.saturating_add(1);
            } else {
                start = i.saturating_add(1);
                len = 1;
            }
            if len >= to_usize(run) {
                found = Some(start);
                break;
            }
        }
        if let Some(start) = found {
            violations.push(Violation::RepeatedRun {
                run,
                position: to_u32(start.saturating_add(1)),
            });
        }
    }
}

/// Whether `needle` is one of the lines of `sorted` (lines sorted by byte
/// value, `\n`-separated): a binary search over the text itself, so the
/// blocklist needs no table built at run time.
fn sorted_lines_contain(sorted: &str, needle: &str) -> bool {
    let text = sorted.as_bytes();
    let needle = needle.as_bytes();
    // Invariant: `lo` is a line start; the needle, if present, starts in
    // `lo..hi`.
    let (mut lo, mut hi) = (0usize, text.len());
    while lo < hi {
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        let before = text.get(lo..mid).unwrap_or_default();
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo.saturating_add(i).saturating_add(1));
        let rest = text.get(start..).unwrap_or_default();
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = rest.get(..len).unwrap_or_default();
        match line.cmp(needle) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = start.saturating_add(len).saturating_add(1),
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

fn contained_identity(password: &str, context: &CheckContext<'_>) -> Option<IdentityField> {
    let haystack = password.to_lowercase();
    let matches = |needle: &str| {
        let needle = needle.trim().to_lowercase();
        let n = needle.chars().count();
        if n == 0 {
            false
        } else if n < MIN_CONTAINED_ID_CHARS {
            haystack == needle
        } else {
            haystack.contains(&needle)
        }
    };
    let local_part = |address: &str| address.rsplit_once('@').map(|(local, _)| local.to_owned());
    if let Some(id) = context.user_id
        && (matches(id) || local_part(id).is_some_and(|l| matches(&l)))
    {
        return Some(IdentityField::UserId);
    }
    if let Some(email) = context.email
        && (matches(email) || local_part(email).is_some_and(|l| matches(&l)))
    {
        return Some(IdentityField::Email);
    }
    None
}

fn validate(p: &PolicyParts) -> Result<(), PolicyError> {
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

// --- Context ----------------------------------------------------------------

/// What a check knows about the account. All optional; build with
/// [`CheckContext::new`] and the `with_*` methods.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct CheckContext<'a> {
    /// The user ID (if it is an e-mail address, its local part is also
    /// looked for).
    pub user_id: Option<&'a str>,
    /// The e-mail address (the whole address and its local part are looked
    /// for).
    pub email: Option<&'a str>,
    /// PHC strings of previous passwords, newest first.
    pub previous_hashes: &'a [String],
    /// The pepper the previous hashes were made with.
    pub pepper: Option<&'a Pepper>,
    /// Site-specific passwords to reject (e.g. the product name).
    pub blocklist: &'a [String],
}

impl<'a> CheckContext<'a> {
    /// An empty context.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the user ID.
    #[must_use]
    pub const fn with_user_id(mut self, user_id: &'a str) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Set the e-mail address.
    #[must_use]
    pub const fn with_email(mut self, email: &'a str) -> Self {
        self.email = Some(email);
        self
    }

    /// Set previous password hashes (PHC strings, newest first) and the
    /// pepper they were made with.
    #[must_use]
    pub const fn with_history(
        mut self,
        previous_hashes: &'a [String],
        pepper: Option<&'a Pepper>,
    ) -> Self {
        self.previous_hashes = previous_hashes;
        self.pepper = pepper;
        self
    }

    /// Add site-specific rejected passwords.
    #[must_use]
    pub const fn with_blocklist(mut self, blocklist: &'a [String]) -> Self {
        self.blocklist = blocklist;
        self
    }
}

// --- Report -----------------------------------------------------------------

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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(tag = "code")]
#[non_exhaustive]
pub enum Violation {
    /// Fewer characters than `min`. Code `password.too_short`.
    #[serde(rename = "password.too_short")]
    #[error("use at least {min} characters (you entered {actual})")]
    TooShort {
        /// Minimum length.
        min: u32,
        /// Length entered, in Unicode scalar values.
        actual: u32,
    },
    /// More characters than `max`. Code `password.too_long`.
    #[serde(rename = "password.too_long")]
    #[error("use at most {max} characters (you entered {actual})")]
    TooLong {
        /// Maximum length.
        max: u32,
        /// Length entered.
        actual: u32,
    },
    /// A character the policy does not allow (one violation per distinct
    /// character, at its first position). Code `password.disallowed_character`.
    #[serde(rename = "password.disallowed_character")]
    #[error("the character '{}' at position {position} cannot be used", quote_char(*character))]
    DisallowedCharacter {
        /// The character as typed.
        character: char,
        /// 1-based position, in characters.
        position: u32,
    },
    /// Full-width characters whose half-width forms are allowed (one
    /// violation for all of them). Code `password.fullwidth_character`.
    #[serde(rename = "password.fullwidth_character")]
    #[error(
        "enter half-width characters: '{}' at position {position} is full-width ({count} full-width in total)",
        quote_char(*character)
    )]
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
    #[error("include at least {} (a–z)", counted(*min, "lower-case letter"))]
    MissingLowercase {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_uppercase`.
    #[serde(rename = "password.missing_uppercase")]
    #[error("include at least {} (A–Z)", counted(*min, "upper-case letter"))]
    MissingUppercase {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_letter`.
    #[serde(rename = "password.missing_letter")]
    #[error("include at least {}", counted(*min, "letter"))]
    MissingLetter {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_digit`.
    #[serde(rename = "password.missing_digit")]
    #[error("include at least {} (0–9)", counted(*min, "digit"))]
    MissingDigit {
        /// Required count.
        min: u32,
    },
    /// Code `password.missing_symbol`.
    #[serde(rename = "password.missing_symbol")]
    #[error("include at least {}{}", counted(*min, "symbol"), symbols_suffix(symbols))]
    MissingSymbol {
        /// Required count.
        min: u32,
        /// The allowed symbols (empty for "any symbol").
        symbols: String,
    },
    /// `run` or more consecutive ascending/descending characters. Code
    /// `password.sequential_run`.
    #[serde(rename = "password.sequential_run")]
    #[error(
        "avoid {run} or more characters in sequence such as 1234 or dcba (found at position {position})"
    )]
    SequentialRun {
        /// Forbidden run length.
        run: u32,
        /// 1-based position where the first such run starts.
        position: u32,
    },
    /// `run` or more identical characters in a row. Code
    /// `password.repeated_run`.
    #[serde(rename = "password.repeated_run")]
    #[error(
        "avoid repeating the same character {run} or more times in a row (found at position {position})"
    )]
    RepeatedRun {
        /// Forbidden run length.
        run: u32,
        /// 1-based position where the first such run starts.
        position: u32,
    },
    /// Contains the user ID or e-mail local part. Code
    /// `password.contains_user_id`.
    #[serde(rename = "password.contains_user_id")]
    #[error("the password must not contain your {}", identity_label(*field, Lang::En))]
    ContainsUserId {
        /// Which identity was found.
        field: IdentityField,
    },
    /// On the common-password list or a blocklist. Code
    /// `password.common_password`.
    #[serde(rename = "password.common_password")]
    #[error("this password is too common and easy to guess; choose another")]
    CommonPassword,
    /// Equal to one of the last `depth` passwords. Code
    /// `password.reused_password`.
    #[serde(rename = "password.reused_password")]
    #[error("choose a password different from your last {depth}")]
    ReusedPassword {
        /// History depth of the policy.
        depth: u32,
    },
    /// The factory default: accepted but must be changed
    /// ([`Severity::MustChange`]). Code `password.default_credential`.
    #[serde(rename = "password.default_credential")]
    #[error("this is the factory default password; change it now")]
    DefaultCredential,
}

/// "1 digit", "2 digits".
fn counted(n: u32, noun: &str) -> String {
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
            Lang::En => capitalise(&self.to_string()),
            Lang::Ja => match self {
                Self::TooShort { min, actual } => {
                    format!("{min}文字以上で入力してください（入力は{actual}文字）。")
                }
                Self::TooLong { max, actual } => {
                    format!("{max}文字以内で入力してください（入力は{actual}文字）。")
                }
                Self::DisallowedCharacter {
                    character,
                    position,
                } => format!(
                    "{position}文字目の「{}」は使用できない文字です。",
                    quote_char(*character)
                ),
                Self::FullwidthCharacter {
                    character,
                    position,
                    ..
                } => format!(
                    "半角で入力してください（{position}文字目の「{}」が全角です）。",
                    quote_char(*character)
                ),
                Self::MissingLowercase { min } => missing_ja(CharClass::Lowercase, *min, ""),
                Self::MissingUppercase { min } => missing_ja(CharClass::Uppercase, *min, ""),
                Self::MissingLetter { min } => missing_ja(CharClass::Letter, *min, ""),
                Self::MissingDigit { min } => missing_ja(CharClass::Digit, *min, ""),
                Self::MissingSymbol { min, symbols } => {
                    missing_ja(CharClass::Symbol, *min, symbols)
                }
                Self::SequentialRun { run, position } => format!(
                    "「1234」「dcba」のように{run}文字以上続く連続した文字は使えません（{position}文字目から）。"
                ),
                Self::RepeatedRun { run, position } => format!(
                    "同じ文字を{run}文字以上続けて使うことはできません（{position}文字目から）。"
                ),
                Self::ContainsUserId { field } => format!(
                    "パスワードに{}を含めることはできません。",
                    identity_label(*field, Lang::Ja)
                ),
                Self::CommonPassword => {
                    "よく使われていて推測されやすいパスワードです。別のパスワードにしてください。"
                        .to_owned()
                }
                Self::ReusedPassword { depth } => {
                    format!("過去{depth}回分のパスワードとは異なるパスワードにしてください。")
                }
                Self::DefaultCredential => {
                    "初期設定のパスワードのままです。今すぐ変更してください。".to_owned()
                }
            },
        }
    }
}

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
    violations: Vec<Violation>,
    /// Previous hashes that could not be checked (malformed PHC, other
    /// algorithm, other pepper length…); they are skipped, not failed.
    skipped_history_entries: u32,
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

// --- Rules ------------------------------------------------------------------

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
            Self::AnyCharacters | Self::NoUserId | Self::NotCommon => Vec::new(),
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

// --- Errors -----------------------------------------------------------------

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
const MAX_QUOTED_NAME: usize = 64;

/// Why a custom policy is inconsistent, or a preset name unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A preset name that is not one of
    /// [`PasswordPolicy::preset_names`]. Code `policy.unknown_preset`;
    /// parameters `name` (the first 64 characters) and `expected`.
    #[error("unknown password policy preset '{}' (expected one of {})", QuotedText(name), PRESET_NAMES.join(", "))]
    UnknownPreset {
        /// The name given (at most 64 characters of it).
        name: String,
    },
    /// `min_length` is 0 or above `max_length`, or `max_length` exceeds
    /// [`MAX_POLICY_LENGTH`]. Code `policy.invalid_length`.
    #[error("invalid length range {min}-{max} (need 1 <= min <= max <= {MAX_POLICY_LENGTH})")]
    InvalidLength {
        /// Given minimum.
        min: u32,
        /// Given maximum.
        max: u32,
    },
    /// An ASCII alphabet allows nothing. Code `policy.empty_alphabet`.
    #[error("the alphabet allows no characters")]
    EmptyAlphabet,
    /// A symbol that is not an ASCII non-alphanumeric printable character or
    /// space, or is listed twice. Code `policy.invalid_symbol`.
    #[error("invalid or duplicate symbol '{}' in the symbol set", quote_char(*character))]
    InvalidSymbol {
        /// The offending character.
        character: char,
    },
    /// A required class the alphabet cannot supply, a zero or duplicate
    /// requirement, or requirements that add up to more than `max_length`.
    /// Code `policy.unsatisfiable_requirement`.
    #[error("requirement for class {} cannot be met", class.name())]
    UnsatisfiableRequirement {
        /// The class.
        class: CharClass,
    },
    /// A sequential run below 3 or a repeated run below 2. Code
    /// `policy.invalid_run_length`.
    #[error("{} run length {run} is too small", rule.name())]
    InvalidRunLength {
        /// Which rule.
        rule: RunRule,
        /// Given length.
        run: u32,
    },
    /// `max_age_days` is 0 or not above the warning window. Code
    /// `policy.invalid_expiry`.
    #[error("max age {max_age_days} days must be above the warning window of {warning_days} days")]
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
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => match self {
                Self::UnknownPreset { name } => format!(
                    "パスワードポリシーのプリセット「{}」はありません（{}のいずれかを指定してください）。",
                    QuotedText(name),
                    PRESET_NAMES.join("、")
                ),
                Self::InvalidLength { min, max } => format!(
                    "文字数の範囲{min}〜{max}が不正です（1 ≦ 最小 ≦ 最大 ≦ {MAX_POLICY_LENGTH}）。"
                ),
                Self::EmptyAlphabet => "使用できる文字が1つもありません。".to_owned(),
                Self::InvalidSymbol { character } => {
                    format!(
                        "記号の指定「{}」が不正または重複しています。",
                        quote_char(*character)
                    )
                }
                Self::UnsatisfiableRequirement { class } => {
                    format!(
                        "「{}」の必須条件を満たすことができません。",
                        class.label(lang)
                    )
                }
                Self::InvalidRunLength { rule, run } => {
                    format!(
                        "連続文字の規則（{}）の長さ{run}が小さすぎます。",
                        rule.name()
                    )
                }
                Self::InvalidExpiry {
                    max_age_days,
                    warning_days,
                } => format!(
                    "有効期限{max_age_days}日は事前通知期間{warning_days}日より長くしてください。"
                ),
            },
        }
    }
}

// --- Age --------------------------------------------------------------------

/// How close a password is to expiry (SPEC §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PasswordAge {
    /// Not expiring within the warning window (or the policy has no max age).
    Fresh,
    /// Expires within the warning window; `days_left` is rounded up (1 =
    /// expires within the next 24 h).
    ExpiresSoon {
        /// Whole days left, rounded up, at least 1.
        days_left: u32,
    },
    /// Expired: the user must change the password before logging in.
    Expired,
}

impl fmt::Display for PasswordAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fresh => f.write_str("fresh"),
            Self::ExpiresSoon { days_left } => {
                write!(f, "expires in {}", counted(*days_left, "day"))
            }
            Self::Expired => f.write_str("expired"),
        }
    }
}

/// Age of a password changed at `changed_at`, seen at `now`.
///
/// Expired exactly `max_age_days × 24 h` after the change. A clock that went
/// backwards (`now` before `changed_at`) gives [`PasswordAge::Fresh`]: it
/// never expires a password early and never panics.
#[must_use]
pub fn password_age(
    changed_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &PasswordPolicy,
) -> PasswordAge {
    let parts = policy.parts();
    let Some(max_age) = parts.max_age_days else {
        return PasswordAge::Fresh;
    };
    let Some(expires_at) =
        Duration::try_days(i64::from(max_age)).and_then(|age| changed_at.checked_add_signed(age))
    else {
        // Expiry beyond the representable calendar.
        return PasswordAge::Fresh;
    };
    if now >= expires_at {
        return PasswordAge::Expired;
    }
    let remaining = expires_at.signed_duration_since(now);
    let window = Duration::try_days(i64::from(parts.expiry_warning_days)).unwrap_or(Duration::MAX);
    if remaining > window {
        return PasswordAge::Fresh;
    }
    let whole_days = remaining.num_days();
    let partial = remaining > Duration::try_days(whole_days).unwrap_or(Duration::MAX);
    let days_left = if partial {
        whole_days.saturating_add(1)
    } else {
        whole_days
    };
    PasswordAge::ExpiresSoon {
        days_left: u32::try_from(days_left.max(1)).unwrap_or(u32::MAX),
    }
}
