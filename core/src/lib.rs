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
pub mod error;
pub mod ids;
pub mod keycode;
pub mod keys;
pub mod ledger;
pub mod maintenance;
pub mod normalize;
pub mod pairing;
pub mod regkey;

pub use error::{Coded, Diagnostic, Lang, Param};
pub use ids::{
    ActivationNumber, DealerId, EmailAddress, GatewayId, IdError, IdKind, KmsLoginId, MprId,
    PhoneNumber, RegistrationId, UpsSerial,
};
