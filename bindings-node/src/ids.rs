//! Typed identifiers (docs/algorithms.md §2.1). Each class is created only by its
//! static `parse`, which applies core's tolerant normalisation and throws a
//! coded error (`identifier.*`) for invalid input.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{JsString, OrThrow};

/// Shared members of every identifier class: `parse`, `toString`, `toJSON`,
/// `equals`.
macro_rules! id_class {
    ($doc:literal, $name:ident, $core:ty) => {
        #[doc = $doc]
        #[napi]
        #[derive(Clone)]
        pub struct $name {
            pub(crate) inner: $core,
        }

        #[napi]
        impl $name {
            /// Parse user input (full-width characters, hyphens and spaces as
            /// the identifier's rule allows). Throws a `RegcoreError` with an
            /// `identifier.*` code naming the length or the offending character.
            #[napi(factory)]
            pub fn parse(env: &Env, input: JsString) -> Result<Self> {
                let input = input.text(env, "input")?;
                <$core>::parse(&input)
                    .or_throw(env)
                    .map(|inner| Self { inner })
            }

            /// The canonical display form.
            #[napi(js_name = "toString")]
            pub fn to_js_string(&self) -> String {
                self.inner.to_string()
            }

            /// The canonical display form (used by `JSON.stringify`).
            #[napi(js_name = "toJSON")]
            pub fn to_json(&self) -> String {
                self.inner.to_string()
            }

            /// True when both denote the same identifier.
            #[napi]
            pub fn equals(&self, other: &$name) -> bool {
                self.inner == other.inner
            }
        }
    };
}

id_class!(
    "MPR ID of a video-conference terminal: 16 hex digits, shown `XXXX-XXXX-XXXX-XXXX`.",
    MprId,
    regcore::MprId
);
id_class!(
    "Activation key number: 16 hex digits, shown `XXXX-XXXX-XXXX-XXXX`.",
    ActivationNumber,
    regcore::ActivationNumber
);
id_class!(
    "Registration ID printed with an activation key: 8 hex digits.",
    RegistrationId,
    regcore::RegistrationId
);
id_class!(
    "UPS serial number: 1–32 of `A–Z 0–9` after normalisation.",
    UpsSerial,
    regcore::UpsSerial
);
id_class!(
    "Gateway ID: 12 of `A–Z 0–9`, e.g. `01AB12345678`.",
    GatewayId,
    regcore::GatewayId
);
id_class!(
    "Phone number: 10–11 digits after dropping hyphens and spaces.",
    PhoneNumber,
    regcore::PhoneNumber
);
id_class!(
    "Dealer ID: 3–16 of `A–Z a–z 0–9 _ -`, case-sensitive.",
    DealerId,
    regcore::DealerId
);
id_class!(
    "KMS login ID: 8–10 of `A–Z a–z 0–9`, case-sensitive.",
    KmsLoginId,
    regcore::KmsLoginId
);
id_class!(
    "E-mail address used as a user ID (dot-atom form, ASCII, ≤ 254 bytes).",
    EmailAddress,
    regcore::EmailAddress
);

#[napi]
impl MprId {
    /// 16 upper-case hex digits without hyphens (the form derivations use).
    #[napi(getter)]
    pub fn compact(&self) -> String {
        self.inner.compact()
    }
}

#[napi]
impl ActivationNumber {
    /// 16 upper-case hex digits without hyphens (the form derivations use).
    #[napi(getter)]
    pub fn compact(&self) -> String {
        self.inner.compact()
    }
}

#[napi]
impl EmailAddress {
    /// The part before `@`.
    #[napi(getter)]
    pub fn local_part(&self) -> String {
        self.inner.local_part().to_owned()
    }

    /// The part after `@`.
    #[napi(getter)]
    pub fn domain(&self) -> String {
        self.inner.domain().to_owned()
    }

    /// Key for uniqueness checks and look-ups: the domain lower-cased.
    #[napi(getter)]
    pub fn comparison_key(&self) -> String {
        self.inner.comparison_key()
    }
}

/// Fold full-width ASCII (U+FF01–U+FF5E, U+3000) to ASCII and trim surrounding
/// white space: the normalisation free-form identifiers get.
#[napi]
pub fn fold_and_trim(env: &Env, input: JsString) -> Result<String> {
    Ok(regcore::normalize::fold_and_trim(
        &input.text(env, "input")?,
    ))
}

/// Compact form of a hex identifier, serial number, gateway ID, key code or
/// phone number: full-width folded, spaces and hyphen variants dropped, letters
/// upper-cased.
#[napi]
pub fn compact_input(env: &Env, input: JsString) -> Result<String> {
    Ok(regcore::normalize::compact_string(
        &input.text(env, "input")?,
    ))
}
