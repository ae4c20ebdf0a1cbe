//! The shape every regcore error and rule violation shares.
//!
//! Each module owns its own `#[non_exhaustive]` error enum; every one of them
//! implements [`Coded`], so a binding converts all of them with one generic
//! function and a web form gets the same stable code in every language.

use std::fmt;

/// Language of a human message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// What kind of failure a coded value is: the one thing a caller branches on
/// (retry, count a failed attempt, show a form error, page an operator),
/// decided once here for every code, identically in every binding.
///
/// The kinds are API like the codes: a code never changes kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input is malformed or out of range (a typo, a wrong
    /// type, a number that does not fit): show it, do not count it.
    InvalidInput,
    /// A well-formed credential, key or code was checked and is wrong:
    /// count it as a failed attempt.
    Rejected,
    /// Refused without checking anything because of too many failures
    /// (a lockout, a burned code): tell the user when to retry.
    Locked,
    /// Was valid once and no longer is: expired, superseded or already used.
    Expired,
    /// A domain rule refuses the operation (a key bound to another
    /// terminal, a sixth dealer): not an attack, not a typo.
    Refused,
    /// Stored state (a lockout or code state, a PHC string) does not decode
    /// or is outside what this version accepts.
    StoredState,
    /// The caller's configuration is wrong (a policy, a secret, a schema
    /// that was never migrated, a missing driver).
    Configuration,
    /// A store kept losing a compare-and-set race; nothing was recorded.
    StoreContended,
    /// A store could not be reached; nothing was recorded.
    StoreUnavailable,
    /// The platform failed (OS randomness, an allocation in the hasher).
    Internal,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 10] = [
        Self::InvalidInput,
        Self::Rejected,
        Self::Locked,
        Self::Expired,
        Self::Refused,
        Self::StoredState,
        Self::Configuration,
        Self::StoreContended,
        Self::StoreUnavailable,
        Self::Internal,
    ];

    /// Stable snake_case name (`invalid_input`, `rejected`, …), the form
    /// every binding exposes.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Rejected => "rejected",
            Self::Locked => "locked",
            Self::Expired => "expired",
            Self::Refused => "refused",
            Self::StoredState => "stored_state",
            Self::Configuration => "configuration",
            Self::StoreContended => "store_contended",
            Self::StoreUnavailable => "store_unavailable",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named parameter of an error or violation (e.g. `min = 10`).
pub type Param = (&'static str, String);

/// Stable machine code, parameters and bilingual messages.
///
/// Codes are API: once released a code is never renamed or reused.
pub trait Coded {
    /// Stable dotted machine code, e.g. `password.too_short`.
    fn code(&self) -> &'static str;
    /// What kind of failure this is (fixed per code).
    fn kind(&self) -> ErrorKind;
    /// Named parameters, in a stable order. Never contains a secret.
    fn params(&self) -> Vec<Param>;
    /// Human message in the given language.
    fn message(&self, lang: Lang) -> String;

    /// English message.
    fn message_en(&self) -> String {
        self.message(Lang::En)
    }
    /// Japanese message.
    fn message_ja(&self) -> String {
        self.message(Lang::Ja)
    }
    /// A self-contained, serialisable copy of code, params and both messages.
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic {
            code: self.code().to_owned(),
            kind: self.kind(),
            params: self
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            message_en: self.message(Lang::En),
            message_ja: self.message(Lang::Ja),
        }
    }
}

/// Owned, serialisable form of any [`Coded`] value, for logs, JSON APIs and
/// bindings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Stable machine code.
    pub code: String,
    /// Its kind.
    pub kind: ErrorKind,
    /// Named parameters in a stable order.
    pub params: Vec<(String, String)>,
    /// English message.
    pub message_en: String,
    /// Japanese message.
    pub message_ja: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message_en)
    }
}
