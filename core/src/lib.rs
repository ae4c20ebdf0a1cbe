#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// One text form for a type with `parse(&str) -> Result<Self, $err>` and
/// `Display`: `FromStr`, `TryFrom<&str>`, and serde as that string (so JSON,
/// forms and bindings all read and write what a person types).
macro_rules! text_form {
    ($ty:ident, $err:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }
        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub mod activation;
pub mod boundary;
pub mod code;
pub mod error;
pub mod hash;
pub mod ids;
pub mod keycode;
pub mod keys;
pub mod ledger;
pub mod lockout;
mod mac;
pub mod maintenance;
pub mod normalize;
pub mod pairing;
pub mod policy;
pub mod quote;
pub mod regkey;
pub mod session;
pub mod token;

pub use boundary::BoundaryError;
pub use error::{Coded, Diagnostic, ErrorKind, Lang, Param};
pub use hash::{
    HashError, HashParams, Pepper, VerifyLimit, hash_password, needs_rehash, verify_password,
    verify_password_within,
};
pub use ids::{
    ActivationNumber, DealerId, EmailAddress, GatewayId, IdError, IdKind, KmsLoginId, MprId,
    PhoneNumber, RegistrationId, UpsSerial,
};
pub use policy::{
    CheckContext, PasswordAge, PasswordPolicy, PolicyError, Report, Rule, Violation, password_age,
};

/// The examples in `docs/` compile and run as doctests, so the documents
/// cannot drift from the API.
#[cfg(doctest)]
mod doc_examples {
    #[doc = include_str!("../../docs/passwords.md")]
    struct Passwords;
    #[doc = include_str!("../../docs/keys.md")]
    struct Keys;
    #[doc = include_str!("../../docs/pairing.md")]
    struct Pairing;
    #[doc = include_str!("../../docs/lockout.md")]
    struct Lockout;
}
