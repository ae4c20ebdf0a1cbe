//! Mobile (Kotlin/Swift) binding of regcore, generated with uniffi.
//!
//! The API an Android or iOS app needs on the device: identifiers, password
//! policy checks with en/ja messages, lockout decisions for local PIN entry
//! (and core's owned admission for a shared state), device-side verification
//! of key codes, gateway passwords and registration keys from a device key
//! (`typed.verify(key)`), one-time code and link verification, and
//! demo detection. Minting with a vendor master secret and the pairing
//! ledger are server-side and deliberately absent (see `docs/mobile.md`).
//!
//! Every function is a thin conversion over `regcore`: no rule lives here,
//! and every error code, kind and message is core's.

#![forbid(unsafe_code)]

mod codes;
mod error;
mod identifiers;
mod keys;
mod lockout;
mod policy;
mod time;

pub use codes::{
    CodePolicy, CodePurpose, CodeState, CodeVerification, IssuedCode, Keyring, LinkClaims,
    LinkPolicy, Secret, SessionPolicy, SessionState, SessionStatus, code_expires_at, code_policy,
    complete_provisional_registration, decode_code_state, encode_code_state, issue_code,
    issue_link, issue_provisional_registration_link, password_reset_link_policy, peek_link,
    provisional_registration_link_policy, start_session, touch_session, ups_site_session_policy,
    verify_code, verify_link,
};
pub use error::{Diagnostic, ErrorKind, Lang, Param, RegcoreError, error_kind_name};
pub use identifiers::{Identifier, IdentifierKind, parse_identifier};
pub use keys::{DeviceKey, GatewayPassword, KeyCode, Product, RegistrationKey, lookup_product};
pub use lockout::{
    AttemptResult, Lock, LockoutAdmission, LockoutDecision, LockoutPolicy, LockoutState,
    LockoutSuccess, decode_lockout_state, encode_lockout_state, lockout_state_from_bytes,
    lockout_state_to_bytes,
};
pub use policy::{
    PasswordAge, PasswordContext, PasswordPolicy, PasswordReport, PasswordViolation, PolicyRule,
    ViolationSeverity, password_policy_presets,
};

uniffi::setup_scaffolding!();
