//! One error type for every call, carrying core's stable code, kind,
//! parameters and both messages, so Kotlin and Swift callers branch on the
//! same codes and kinds as every other binding.
//!
//! Nothing here decides anything: the variant of [`RegcoreError`] is core's
//! [`regcore::Coded::kind`], and every code and message is core's (the
//! boundary's own refusals are [`regcore::BoundaryError`]).

use regcore::Coded;

/// Language of a human message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl From<Lang> for regcore::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::En => Self::En,
            Lang::Ja => Self::Ja,
        }
    }
}

/// What kind of failure a code is (core's `ErrorKind`, fixed per code):
/// the one thing a caller branches on, the same in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorKind {
    /// Malformed or out-of-range input (a typo, a number that does not
    /// fit): show it, do not count it.
    InvalidInput,
    /// A well-formed key, code or password that is wrong: count it as a
    /// failed attempt.
    Rejected,
    /// Refused without checking because of too many failures.
    Locked,
    /// Was valid once and no longer is (expired, superseded, used).
    Expired,
    /// A domain rule refuses the operation (e.g. a product missing from
    /// the catalogue).
    Refused,
    /// Stored state (an encoded lockout or code state) does not decode.
    StoredState,
    /// The caller's configuration is wrong (a policy, a secret, a device key).
    Configuration,
    /// A store kept losing a compare-and-set race (store layers only).
    StoreContended,
    /// A store could not be reached (store layers only).
    StoreUnavailable,
    /// The platform failed.
    Internal,
}

impl From<regcore::ErrorKind> for ErrorKind {
    fn from(kind: regcore::ErrorKind) -> Self {
        use regcore::ErrorKind as K;
        match kind {
            K::InvalidInput => Self::InvalidInput,
            K::Rejected => Self::Rejected,
            K::Locked => Self::Locked,
            K::Expired => Self::Expired,
            K::Refused => Self::Refused,
            K::StoredState => Self::StoredState,
            K::Configuration => Self::Configuration,
            K::StoreContended => Self::StoreContended,
            K::StoreUnavailable => Self::StoreUnavailable,
            // A kind added to core after this binding: the unit test
            // `every_core_kind_has_its_own_variant` fails until it is added.
            _ => Self::Internal,
        }
    }
}

impl From<ErrorKind> for regcore::ErrorKind {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidInput => Self::InvalidInput,
            ErrorKind::Rejected => Self::Rejected,
            ErrorKind::Locked => Self::Locked,
            ErrorKind::Expired => Self::Expired,
            ErrorKind::Refused => Self::Refused,
            ErrorKind::StoredState => Self::StoredState,
            ErrorKind::Configuration => Self::Configuration,
            ErrorKind::StoreContended => Self::StoreContended,
            ErrorKind::StoreUnavailable => Self::StoreUnavailable,
            ErrorKind::Internal => Self::Internal,
        }
    }
}

/// Core's stable snake_case name of a kind (`invalid_input`, `rejected`,
/// …), as the Python and Node bindings spell it.
#[uniffi::export]
pub fn error_kind_name(kind: ErrorKind) -> String {
    regcore::ErrorKind::from(kind).as_str().to_owned()
}

/// One named parameter of an error, violation or rule (e.g. `min` = `10`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Param {
    /// Stable parameter name.
    pub name: String,
    /// Its value, as text.
    pub value: String,
}

/// Code, kind, parameters and both messages of a coded value; the data form
/// of an error (used where a rejection is a result, not a failure: a lock in
/// force, a one-time code rejection).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Diagnostic {
    /// Stable dotted machine code, e.g. `lockout.locked`.
    pub code: String,
    /// Its kind (fixed per code).
    pub kind: ErrorKind,
    /// Named parameters in a stable order.
    pub params: Vec<Param>,
    /// English message.
    pub message_en: String,
    /// Japanese message.
    pub message_ja: String,
}

impl Diagnostic {
    /// Snapshot any core [`Coded`] value.
    pub fn from_coded<E: Coded + ?Sized>(coded: &E) -> Self {
        Self {
            code: coded.code().to_owned(),
            kind: coded.kind().into(),
            params: coded
                .params()
                .into_iter()
                .map(|(name, value)| Param {
                    name: name.to_owned(),
                    value,
                })
                .collect(),
            message_en: coded.message(regcore::Lang::En),
            message_ja: coded.message(regcore::Lang::Ja),
        }
    }
}

#[uniffi::export]
impl Diagnostic {
    /// The value of the named parameter, if present.
    pub fn param(&self, name: String) -> Option<String> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.clone())
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.message_en.clone(),
            Lang::Ja => self.message_ja.clone(),
        }
    }
}

/// Declares [`RegcoreError`] with one variant per [`ErrorKind`], each with
/// the same four fields, and the conversions between them.
macro_rules! regcore_error {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// Every failure of the mobile API (Kotlin `RegcoreException`, Swift
        /// `RegcoreError`). The variant is core's kind of the code (catch
        /// `Rejected` to count a failed attempt, `InvalidInput` to show a
        /// form error); `code()` is
        /// the stable code (`identifier.too_short`, `keycode.mismatch`, …),
        /// identical across the Rust, Python, Node and mobile APIs.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        pub enum RegcoreError {
            $(
                $(#[$doc])*
                #[error("{code}: {message_en}")]
                $variant {
                    /// Stable code.
                    code: String,
                    /// Named parameters in a stable order.
                    params: Vec<Param>,
                    /// English message.
                    message_en: String,
                    /// Japanese message.
                    message_ja: String,
                },
            )+
        }

        impl RegcoreError {
            /// The error for any core [`Coded`] value; its variant is the
            /// value's kind.
            pub(crate) fn from_coded<E: Coded + ?Sized>(coded: &E) -> Self {
                let Diagnostic { code, kind, params, message_en, message_ja } =
                    Diagnostic::from_coded(coded);
                match kind {
                    $(ErrorKind::$variant => Self::$variant { code, params, message_en, message_ja },)+
                }
            }

            fn diagnostic(&self) -> Diagnostic {
                match self {
                    $(Self::$variant { code, params, message_en, message_ja } => Diagnostic {
                        code: code.clone(),
                        kind: ErrorKind::$variant,
                        params: params.clone(),
                        message_en: message_en.clone(),
                        message_ja: message_ja.clone(),
                    },)+
                }
            }
        }
    };
}

regcore_error! {
    /// Malformed or out-of-range input: an identifier, a typed key, a
    /// number or time the API cannot take, malformed JSON. Show it; do not
    /// count it against a lockout.
    InvalidInput,
    /// A well-formed key, code or password that is wrong
    /// (`keycode.mismatch`, `gateway_password.mismatch`,
    /// `regkey.authentication_failed`, `token.invalid`, …): count it as a
    /// failed attempt.
    Rejected,
    /// Refused without checking because of too many failures.
    Locked,
    /// Valid once, no longer (`token.expired`, `token.superseded`).
    Expired,
    /// A domain rule refuses it (`activation.unknown_product`).
    Refused,
    /// A stored state that does not decode (`lockout.malformed_state`,
    /// `code.malformed_state`).
    StoredState,
    /// Wrong configuration: a policy (`policy.*`, `lockout.invalid_policy`),
    /// a secret (`secret.too_short`), a device key (`keys.device_key_*`).
    Configuration,
    /// A store kept losing a compare-and-set race (not raised by this API).
    StoreContended,
    /// A store could not be reached (not raised by this API).
    StoreUnavailable,
    /// The platform failed.
    Internal,
}

impl<E: Coded> From<E> for RegcoreError {
    fn from(e: E) -> Self {
        Self::from_coded(&e)
    }
}

#[uniffi::export]
impl RegcoreError {
    /// Stable dotted machine code, e.g. `identifier.too_short`.
    pub fn code(&self) -> String {
        self.diagnostic().code
    }

    /// Core's kind of the code (the same as the variant).
    pub fn kind(&self) -> ErrorKind {
        self.diagnostic().kind
    }

    /// The value of the named parameter, if present.
    pub fn param(&self, name: String) -> Option<String> {
        self.diagnostic().param(name)
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        self.diagnostic().message(lang)
    }

    /// Code, kind, parameters and both messages as one record.
    pub fn to_diagnostic(&self) -> Diagnostic {
        self.diagnostic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_own_variant() {
        for core in regcore::ErrorKind::ALL {
            let kind = ErrorKind::from(core);
            assert_eq!(regcore::ErrorKind::from(kind), core, "{core:?}");
            assert_eq!(error_kind_name(kind), core.as_str());
        }
    }

    #[test]
    fn the_variant_is_cores_kind() {
        let e = RegcoreError::from(regcore::keys::KeyError::KeyCodeMismatch);
        assert!(matches!(e, RegcoreError::Rejected { .. }), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.code(), "keycode.mismatch");
        let e = RegcoreError::from(regcore::BoundaryError::TimeOutOfRange);
        assert!(matches!(e, RegcoreError::InvalidInput { .. }), "{e:?}");
        assert_eq!(e.code(), "time.out_of_range");
        assert_eq!(e.to_diagnostic().kind, ErrorKind::InvalidInput);
    }
}
