#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod activation;
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
pub mod regkey;
pub mod session;
pub mod token;

pub use error::{Coded, Diagnostic, Lang, Param};
pub use hash::{HashError, HashParams, Pepper, hash_password, needs_rehash, verify_password};
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
}
