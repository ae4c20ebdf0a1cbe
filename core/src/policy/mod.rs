//! Password policies (docs/passwords.md §1–§4): presets and custom policies as data,
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

//!
//! The module follows its sections: [`PasswordPolicy`] with its presets and
//! check (`check.rs`), the [`PolicyParts`] it is built from and their
//! validation (`parts.rs`), the [`Report`] of [`Violation`]s (`report.rs`),
//! the [`Rule`]s a form shows (`rules.rs`) and [`password_age`] (`age.rs`).
//! Every coded enum gives its English and Japanese text side by side in one
//! `match`.

mod age;
mod check;
mod parts;
mod report;
mod rules;

pub use age::{PasswordAge, password_age};
pub use check::{CheckContext, PasswordPolicy};
pub use parts::{Alphabet, CharClass, PolicyError, PolicyParts, Requirement, RunRule};
pub use report::{IdentityField, Report, Severity, Violation};
pub use rules::Rule;

#[cfg(doc)]
use crate::hash;

/// The common-password blocklist used when
/// [`PolicyParts::use_common_blocklist`] is set: one lower-case entry per
/// line, sorted by byte value (binary-searched). Source and licence: `core/data/common-passwords.NOTICE`
/// (Django's list, BSD 3-Clause; entries of 8+ characters).
pub const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

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

/// Default expiry warning window in days (decision, docs/passwords.md §4).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    /// One value of every [`Violation`] variant. The match below is
    /// exhaustive, so a new variant does not compile until it is listed.
    fn every_violation() -> Vec<Violation> {
        let all = vec![
            Violation::TooShort { min: 10, actual: 3 },
            Violation::TooLong {
                max: 16,
                actual: 20,
            },
            Violation::DisallowedCharacter {
                character: '\u{3042}',
                position: 1,
            },
            Violation::FullwidthCharacter {
                character: '\u{FF21}',
                position: 1,
                count: 1,
            },
            Violation::MissingLowercase { min: 1 },
            Violation::MissingUppercase { min: 1 },
            Violation::MissingLetter { min: 1 },
            Violation::MissingDigit { min: 1 },
            Violation::MissingSymbol {
                min: 1,
                symbols: "!#".to_owned(),
            },
            Violation::SequentialRun {
                run: 4,
                position: 1,
            },
            Violation::RepeatedRun {
                run: 4,
                position: 1,
            },
            Violation::ContainsUserId {
                field: IdentityField::UserId,
            },
            Violation::CommonPassword,
            Violation::ReusedPassword { depth: 3 },
            Violation::DefaultCredential,
        ];
        let mut seen = [false; 15];
        for v in &all {
            let i = match v {
                Violation::TooShort { .. } => 0,
                Violation::TooLong { .. } => 1,
                Violation::DisallowedCharacter { .. } => 2,
                Violation::FullwidthCharacter { .. } => 3,
                Violation::MissingLowercase { .. } => 4,
                Violation::MissingUppercase { .. } => 5,
                Violation::MissingLetter { .. } => 6,
                Violation::MissingDigit { .. } => 7,
                Violation::MissingSymbol { .. } => 8,
                Violation::SequentialRun { .. } => 9,
                Violation::RepeatedRun { .. } => 10,
                Violation::ContainsUserId { .. } => 11,
                Violation::CommonPassword => 12,
                Violation::ReusedPassword { .. } => 13,
                Violation::DefaultCredential => 14,
            };
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s), "every variant listed once");
        all
    }

    /// A policy that switches every rule on.
    fn every_rule() -> PasswordPolicy {
        let mut parts = PasswordPolicy::ups_site().into_parts();
        parts.required = [
            CharClass::Lowercase,
            CharClass::Uppercase,
            CharClass::Letter,
            CharClass::Digit,
            CharClass::Symbol,
        ]
        .map(Requirement::one)
        .to_vec();
        parts.forbid_sequential_run = Some(4);
        parts.forbid_repeated_run = Some(4);
        parts.forbid_user_id = true;
        parts.use_common_blocklist = true;
        parts.history_depth = 3;
        parts.default_credentials = vec!["Factory-Default-1".to_owned()];
        PasswordPolicy::new(parts).unwrap()
    }

    #[test]
    fn every_violation_serialises_with_its_code_and_a_rule_claims_it() {
        let rules = every_rule().describe();
        for v in every_violation() {
            let json = serde_json::to_value(&v).unwrap();
            assert_eq!(json["code"], v.code(), "{v:?}");
            assert_eq!(serde_json::from_value::<Violation>(json).unwrap(), v);
            assert!(
                rules
                    .iter()
                    .any(|r| r.violation_codes().contains(&v.code())),
                "no rule of describe() claims {}",
                v.code()
            );
            assert!(!v.message_en().is_empty() && !v.message_ja().is_empty());
            assert_eq!(v.message_en(), capitalised(&v.to_string()));
        }
        for rule in &rules {
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json["code"], rule.code(), "{rule:?}");
        }
    }

    fn capitalised(s: &str) -> String {
        let mut chars = s.chars();
        let first = chars.next().unwrap().to_uppercase();
        format!("{first}{}.", chars.as_str())
    }
}
