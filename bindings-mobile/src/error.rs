//! One error type for every call, carrying core's stable code, parameters and
//! both messages, so Kotlin and Swift callers branch on the same codes as
//! every other binding.

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

/// One named parameter of an error, violation or rule (e.g. `min` = `10`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Param {
    /// Stable parameter name.
    pub name: String,
    /// Its value, as text.
    pub value: String,
}

/// Code, parameters and both messages of a violation or rule; the data form
/// of an error (used where a rejection is a result, not a failure, such as a
/// password policy report).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Diagnostic {
    /// Stable dotted machine code, e.g. `password.too_short`.
    pub code: String,
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

/// Declares [`RegcoreError`] with the same four fields in every variant, the
/// matching [`Area`] and the conversions between them.
macro_rules! regcore_error {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// Every failure of the mobile API. The variant says which area
        /// rejected the input; `code()` is the stable code
        /// (`identifier.too_short`, `keycode.mismatch`, …), identical across
        /// the Rust, Python, Node and mobile APIs.
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

        /// Which variant of [`RegcoreError`] a core error becomes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Area {
            $($variant,)+
        }

        impl RegcoreError {
            pub(crate) fn from_coded<E: Coded + ?Sized>(area: Area, coded: &E) -> Self {
                let Diagnostic { code, params, message_en, message_ja } =
                    Diagnostic::from_coded(coded);
                match area {
                    $(Area::$variant => Self::$variant { code, params, message_en, message_ja },)+
                }
            }

            fn diagnostic(&self) -> Diagnostic {
                match self {
                    $(Self::$variant { code, params, message_en, message_ja } => Diagnostic {
                        code: code.clone(),
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
    /// An identifier (MPR ID, serial number, e-mail, …) did not parse
    /// (`identifier.*`).
    InvalidIdentifier,
    /// A typed key code, registration key, gateway password or device key is
    /// malformed (`keycode.*`, `regkey.*`, `gateway_password.*` format codes,
    /// `keys.device_key_format`): a typo, not a wrong key.
    InvalidKey,
    /// A well-formed key, code or password that does not belong to this
    /// device (`keycode.mismatch`, `gateway_password.mismatch`,
    /// `regkey.authentication_failed`): count it as a failed attempt.
    KeyRejected,
    /// A product code missing from the caller's catalogue
    /// (`activation.unknown_product`).
    UnknownProduct,
    /// A password or lockout policy that makes no sense, or cannot be
    /// loaded (`policy.*`, `lockout.invalid_policy`).
    InvalidPolicy,
    /// A stored state string or byte form that is not a canonical encoding
    /// (`lockout.malformed_state`, `code.malformed_state`).
    InvalidState,
    /// A secret that is too short (`secret.too_short`).
    InvalidSecret,
    /// A link token refused (`token.malformed`, `token.invalid`,
    /// `token.expired`, `token.superseded`, `token.phone_mismatch`) or not
    /// issuable (`token.claim_too_long`).
    LinkRejected,
    /// A value passed to the binding is outside what core can represent
    /// (`time.out_of_range`).
    InvalidArgument,
}

#[uniffi::export]
impl RegcoreError {
    /// Stable dotted machine code, e.g. `identifier.too_short`.
    pub fn code(&self) -> String {
        self.diagnostic().code
    }

    /// The value of the named parameter, if present.
    pub fn param(&self, name: String) -> Option<String> {
        self.diagnostic().param(name)
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        self.diagnostic().message(lang)
    }

    /// Code, parameters and both messages as one record.
    pub fn to_diagnostic(&self) -> Diagnostic {
        self.diagnostic()
    }
}

impl From<regcore::IdError> for RegcoreError {
    fn from(e: regcore::IdError) -> Self {
        Self::from_coded(Area::InvalidIdentifier, &e)
    }
}

impl From<regcore::keys::KeyError> for RegcoreError {
    fn from(e: regcore::keys::KeyError) -> Self {
        use regcore::keys::KeyError as K;
        // Wrong-key outcomes are told apart from typos so an app counts only
        // the former against its lockout.
        let area = match e {
            K::KeyCodeMismatch
            | K::GatewayPasswordMismatch
            | K::RegistrationKeyAuthenticationFailed
            | K::ActivationAuthenticationFailed => Area::KeyRejected,
            K::UnknownProduct { .. } => Area::UnknownProduct,
            _ => Area::InvalidKey,
        };
        Self::from_coded(area, &e)
    }
}
