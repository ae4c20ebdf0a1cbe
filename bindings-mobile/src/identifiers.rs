//! Identifiers (docs/algorithms.md §2.1): parse what a user typed into its canonical form.

use regcore::{
    ActivationNumber, DealerId, EmailAddress, GatewayId, KmsLoginId, MprId, PhoneNumber,
    RegistrationId, UpsSerial,
};

use crate::error::RegcoreError;

/// Which identifier to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum IdentifierKind {
    /// E-mail address used as a user ID.
    Email,
    /// Dealer ID: 3–16 of `A–Z a–z 0–9 _ -`, case-sensitive.
    DealerId,
    /// KMS login ID: 8–10 of `A–Z a–z 0–9`.
    KmsLoginId,
    /// MPR ID of a video terminal: 16 hex digits.
    MprId,
    /// Activation key number: 16 hex digits.
    ActivationNumber,
    /// Registration ID printed with an activation key: 8 hex digits.
    RegistrationId,
    /// UPS serial number: 1–32 of `A–Z 0–9`.
    UpsSerial,
    /// Gateway ID: 12 of `A–Z 0–9`.
    GatewayId,
    /// Phone number: 10–11 digits.
    PhoneNumber,
}

/// A parsed identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Identifier {
    /// Which identifier this is.
    pub kind: IdentifierKind,
    /// Canonical form for storage and comparison (hex without hyphens,
    /// upper case; e-mail with the domain lower-cased).
    pub canonical: String,
    /// Form to show a user (`XXXX-XXXX-XXXX-XXXX` for MPR IDs and
    /// activation numbers; the canonical form otherwise; e-mail as typed).
    pub display: String,
}

fn hex16(kind: IdentifierKind, compact: String, display: String) -> Identifier {
    Identifier {
        kind,
        canonical: compact,
        display,
    }
}

fn same(kind: IdentifierKind, value: &str) -> Identifier {
    Identifier {
        kind,
        canonical: value.to_owned(),
        display: value.to_owned(),
    }
}

/// Parse an identifier as typed (full-width, hyphens and spaces tolerated
/// where docs/algorithms.md §2.1 allows them).
///
/// # Errors
/// Kind invalid input (`RegcoreError.InvalidInput`): `identifier.empty`,
/// `identifier.too_short`, `identifier.too_long`,
/// `identifier.invalid_character` or `identifier.invalid_email`.
#[uniffi::export]
pub fn parse_identifier(kind: IdentifierKind, input: String) -> Result<Identifier, RegcoreError> {
    use IdentifierKind as K;
    let input = input.as_str();
    Ok(match kind {
        K::Email => {
            let email = EmailAddress::parse(input)?;
            Identifier {
                kind,
                canonical: email.comparison_key(),
                display: email.to_string(),
            }
        }
        K::DealerId => same(kind, DealerId::parse(input)?.as_str()),
        K::KmsLoginId => same(kind, KmsLoginId::parse(input)?.as_str()),
        K::MprId => {
            let id = MprId::parse(input)?;
            hex16(kind, id.compact(), id.to_string())
        }
        K::ActivationNumber => {
            let id = ActivationNumber::parse(input)?;
            hex16(kind, id.compact(), id.to_string())
        }
        K::RegistrationId => same(kind, &RegistrationId::parse(input)?.to_string()),
        K::UpsSerial => same(kind, UpsSerial::parse(input)?.as_str()),
        K::GatewayId => same(kind, GatewayId::parse(input)?.as_str()),
        K::PhoneNumber => same(kind, PhoneNumber::parse(input)?.as_str()),
    })
}
