#![doc = include_str!("../README.md")]
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
mod state_text;
pub mod token;

// Every public domain type is reachable at the crate root (the one path the
// crate README uses); the modules stay as their homes and keep working (the
// binding helpers of `boundary` other than its errors stay there). The two
// `Refusal` enums are `LockoutRefusal` and `PairingRefusal` here.
pub use activation::{
    ActivationAuthority, ActivationInfo, ActivationKey, Product, ProductCatalogue,
};
pub use boundary::BoundaryError;
pub use code::{
    CodeError, CodePolicy, CodePurpose, CodeRejection, CodeSecret, CodeState, OneTimeCode,
    Verification,
};
pub use error::{Coded, Diagnostic, ErrorKind, Lang, Param};
pub use hash::{
    HashError, HashParams, Pepper, PhcPart, VerifyLimit, hash_password, needs_rehash,
    verify_password, verify_password_within,
};
pub use ids::{
    ActivationNumber, DealerId, EmailAddress, EmailProblem, GatewayId, IdError, IdKind, KmsLoginId,
    MprId, PhoneNumber, RegistrationId, UpsSerial,
};
pub use keycode::KeyCode;
pub use keys::{Device, DeviceKey, DeviceKind, GatewayPassword, KeyError, KeyKind, MasterSecret};
pub use ledger::{
    DailyCount, DailyReport, DateRange, HistoryEvent, HistoryReport, HistoryRow, Ledger,
    LedgerError, RebindPlan, RebindRecord, issuance_history, plan_rebind,
};
pub use lockout::Refusal as LockoutRefusal;
pub use lockout::{
    Admission, AfterLock, Decision, Locked, LockoutError, LockoutPolicy, LockoutState, QuietReset,
    Schedule, Success, Tier,
};
pub use maintenance::{Change, DealerAccount, GatewayMaintenance, MaintenanceError};
pub use normalize::Positioned;
pub use pairing::Refusal as PairingRefusal;
pub use pairing::{
    Binding, IssuanceError, IssuancePlan, IssuanceRequest, KeyOutcome, Mode, Outcome, Viewer,
    plan_issuance,
};
pub use policy::{
    Alphabet, CharClass, CheckContext, IdentityField, PasswordAge, PasswordPolicy, PolicyError,
    PolicyParts, Report, Requirement, Rule, RunRule, Severity, Violation, password_age,
};
pub use quote::{QuotedChar, QuotedText};
pub use regkey::RegistrationKey;
pub use session::{SessionError, SessionPolicy, SessionState, SessionStatus};
pub use token::{
    InvalidReason, Keyring, LinkClaims, LinkPolicy, ProvisionalRegistration, TokenError,
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
    /// The repository README's Rust examples (the crate README is the crate
    /// documentation itself).
    #[doc = include_str!("../../README.md")]
    struct RepositoryReadme;
}
