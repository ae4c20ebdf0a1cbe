//! Device-side checks from one device's key (SPEC §5.2–5.5): what a UPS, a
//! gateway or a terminal does offline, and what an installer app does on
//! site with the key of the device in front of it.
//!
//! Deliberately absent: the vendor master secret and everything minted with
//! it (device-key derivation, activation keys, registration-key issuance,
//! demo masters). Those belong on the vendor's servers, not in an app.

use std::collections::HashMap;
use std::sync::Arc;

use regcore::activation::{Product as CoreProduct, ProductCatalogue as CoreCatalogue};
use regcore::keycode::KeyCode as CoreKeyCode;
use regcore::keys::{DeviceKey as CoreDeviceKey, GatewayPassword};
use regcore::regkey::RegistrationKey as CoreRegistrationKey;

use crate::error::RegcoreError;

/// One device's 32-byte key (`K_dev`), as programmed at the factory. Held
/// on the Rust side, zeroized when released; its debug form is redacted and
/// equality is constant-time.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct DeviceKey(CoreDeviceKey);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq for DeviceKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for DeviceKey {}

#[uniffi::export]
impl DeviceKey {
    /// A device key from its 32 raw bytes.
    ///
    /// # Errors
    /// `InvalidKey` with code `keys.device_key_length` unless exactly 32 bytes.
    #[uniffi::constructor]
    pub fn new(bytes: Vec<u8>) -> Result<Arc<Self>, RegcoreError> {
        let bytes = zeroize::Zeroizing::new(bytes);
        Ok(Arc::new(Self(CoreDeviceKey::from_slice(&bytes)?)))
    }

    /// A device key from 64 hex digits (either case; spaces and hyphens
    /// ignored).
    ///
    /// # Errors
    /// `InvalidKey` with code `keys.device_key_format`; the error never
    /// echoes the input.
    #[uniffi::constructor]
    pub fn from_hex(hex: String) -> Result<Arc<Self>, RegcoreError> {
        let hex = zeroize::Zeroizing::new(hex);
        Ok(Arc::new(Self(CoreDeviceKey::from_hex(&hex)?)))
    }

    /// The 32 key bytes (e.g. to store in the platform keystore).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }

    /// UPS side: check a typed key code (4 decimal or 10 binary digits,
    /// full-width allowed) against this UPS's key, in constant time. Pair it
    /// with the `device_entry` lockout: a 10-bit code is guessable.
    ///
    /// # Errors
    /// `InvalidKey` (`keycode.empty`, `keycode.invalid_character`,
    /// `keycode.wrong_length`, `keycode.out_of_range`, `keycode.not_binary`)
    /// or `KeyRejected` (`keycode.mismatch`).
    pub fn verify_key_code(&self, typed: String) -> Result<KeyCode, RegcoreError> {
        let code = CoreKeyCode::parse(&typed)?;
        CoreKeyCode::verify(&self.0, code)?;
        Ok(code.into())
    }

    /// Gateway side: check a typed printed password against this gateway's
    /// key, in constant time (trimmed, full-width folded, case-insensitive).
    ///
    /// # Errors
    /// `InvalidKey` (`gateway_password.empty`, `.invalid_character`,
    /// `.wrong_length`) or `KeyRejected` (`gateway_password.mismatch`).
    pub fn verify_gateway_password(&self, typed: String) -> Result<(), RegcoreError> {
        let typed = zeroize::Zeroizing::new(typed);
        Ok(GatewayPassword::verify(&self.0, &typed)?)
    }

    /// Terminal side: authenticate a typed registration key with this
    /// terminal's key alone and learn which product it enables. A demo key
    /// (issued under the demo master) is rejected by a real terminal's key
    /// and accepted by the terminal's demo key.
    ///
    /// # Errors
    /// `InvalidKey` (`regkey.empty`, `regkey.invalid_character`,
    /// `regkey.wrong_length`) or `KeyRejected`
    /// (`regkey.authentication_failed`).
    pub fn verify_registration_key(
        &self,
        typed: String,
    ) -> Result<VerifiedRegistrationKey, RegcoreError> {
        let key = CoreRegistrationKey::parse(&typed)?;
        let product = key.verify(&self.0)?;
        Ok(VerifiedRegistrationKey {
            key: key.into(),
            product,
        })
    }
}

/// A UPS key code in both forms the site lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct KeyCode {
    /// Numeric value, 0–1023.
    pub value: u16,
    /// Four decimal digits, `0000`–`1023`.
    pub decimal: String,
    /// Ten binary digits, most significant bit first.
    pub binary: String,
}

impl From<CoreKeyCode> for KeyCode {
    fn from(code: CoreKeyCode) -> Self {
        Self {
            value: code.value(),
            decimal: code.decimal(),
            binary: code.binary(),
        }
    }
}

/// Parse a typed key code (exactly 4 decimal or exactly 10 binary digits;
/// full-width digits, spaces and hyphens allowed) without checking it.
///
/// # Errors
/// `InvalidKey` with a `keycode.*` code.
#[uniffi::export]
pub fn parse_key_code(input: String) -> Result<KeyCode, RegcoreError> {
    Ok(CoreKeyCode::parse(&input)?.into())
}

/// A registration key in its two written forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct RegistrationKey {
    /// 16 upper-case hex digits without hyphens.
    pub canonical: String,
    /// `XXXX-XXXX-XXXX-XXXX`.
    pub display: String,
}

impl From<CoreRegistrationKey> for RegistrationKey {
    fn from(key: CoreRegistrationKey) -> Self {
        Self {
            canonical: key.compact(),
            display: key.to_string(),
        }
    }
}

/// Parse a typed registration key (16 hex digits; hyphens, spaces,
/// full-width and lower case allowed) without checking it.
///
/// # Errors
/// `InvalidKey` with a `regkey.*` code.
#[uniffi::export]
pub fn parse_registration_key(input: String) -> Result<RegistrationKey, RegcoreError> {
    Ok(CoreRegistrationKey::parse(&input)?.into())
}

/// A registration key that authenticated on this terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct VerifiedRegistrationKey {
    /// The key, normalised.
    pub key: RegistrationKey,
    /// The product code to enable.
    pub product: u16,
}

/// Check the form of a typed gateway password (13 characters of
/// `abcdefghijkmnpqrstuvwxyz23456789` after normalisation) before sending it
/// anywhere; says nothing about whether it is the right one.
///
/// # Errors
/// `InvalidKey` with a `gateway_password.*` code.
#[uniffi::export]
pub fn validate_gateway_password(typed: String) -> Result<(), RegcoreError> {
    let typed = zeroize::Zeroizing::new(typed);
    GatewayPassword::parse(&typed).map(drop)?;
    Ok(())
}

/// What the KMS shows for a product code (caller data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Product {
    /// Model number, e.g. `KX-VCS101`.
    pub model: String,
    /// Activation key type, e.g. `Upgrade`.
    pub key_type: String,
    /// True for demo products (shown as `DEMO`).
    pub demo: bool,
}

/// Look a product code (e.g. from [`DeviceKey::verify_registration_key`]) up
/// in the caller's catalogue.
///
/// # Errors
/// `UnknownProduct` with code `activation.unknown_product`.
#[uniffi::export]
pub fn lookup_product(
    catalogue: HashMap<u16, Product>,
    code: u16,
) -> Result<Product, RegcoreError> {
    let mut core = CoreCatalogue::new();
    for (c, p) in catalogue {
        core.insert(
            c,
            CoreProduct {
                model: p.model,
                key_type: p.key_type,
                demo: p.demo,
            },
        );
    }
    let found = core.get(code)?;
    Ok(Product {
        model: found.model.clone(),
        key_type: found.key_type.clone(),
        demo: found.demo,
    })
}
