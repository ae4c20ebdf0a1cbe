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

/// One named parameter of an error or violation (e.g. `min = 10`).
pub type Param = (&'static str, String);

/// Stable machine code, parameters and bilingual messages.
///
/// Codes are API: once released a code is never renamed or reused.
pub trait Coded {
    /// Stable dotted machine code, e.g. `password.too_short`.
    fn code(&self) -> &'static str;
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
