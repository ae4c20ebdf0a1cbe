//! Mobile (Kotlin/Swift) binding of regcore, generated with uniffi.
//!
//! The API an Android or iOS app needs on the device: identifiers, password
//! policy checks with en/ja messages, lockout decisions for local PIN entry,
//! device-side verification of key codes and registration keys from a device
//! key, gateway password checks, one-time code and link verification, and
//! demo detection. Minting with a vendor master secret and the pairing
//! ledger are server-side and deliberately absent (see `docs/mobile.md`).
//!
//! Every function is a thin conversion over `regcore`: no rule lives here.

#![forbid(unsafe_code)]

mod error;
mod identifiers;
mod keys;
mod time;

pub use error::{Diagnostic, Lang, Param, RegcoreError};
pub use identifiers::{Identifier, IdentifierKind, parse_identifier};
pub use keys::{
    DeviceKey, KeyCode, Product, RegistrationKey, VerifiedRegistrationKey, lookup_product,
    parse_key_code, parse_registration_key, validate_gateway_password,
};

uniffi::setup_scaffolding!();
