//! Device-side checks from one device's key (docs/algorithms.md §2.3–§2.6): what a UPS, a
//! gateway or a terminal does offline, and what an installer app does on
//! site with the key of the device in front of it.
//!
//! One verification shape, as in core and every binding: parse what was
//! typed, then `typed.verify(key)` — `KeyCode.parse(typed).verify(deviceKey)`,
//! `GatewayPassword.parse(typed).verify(deviceKey)`,
//! `RegistrationKey.parse(typed).verify(deviceKey)` (returns the product).
//! A malformed entry is kind invalid input (a typo, not counted); a wrong
//! one is kind rejected (count it against the lockout).
//!
//! Deliberately absent: the vendor master secret and everything minted with
//! it (device-key derivation, activation keys and their authority,
//! registration-key issuance, demo masters). Those belong on the vendor's
//! servers, not in an app.

use std::collections::HashMap;
use std::sync::Arc;

use regcore::activation::{Product as CoreProduct, ProductCatalogue as CoreCatalogue};
use regcore::keycode::KeyCode as CoreKeyCode;
use regcore::keys::{DeviceKey as CoreDeviceKey, GatewayPassword as CoreGatewayPassword, KeyError};
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
    /// Kind configuration, code `keys.device_key_length`, unless exactly 32
    /// bytes.
    #[uniffi::constructor]
    pub fn new(bytes: Vec<u8>) -> Result<Arc<Self>, RegcoreError> {
        let bytes = zeroize::Zeroizing::new(bytes);
        Ok(Arc::new(Self(CoreDeviceKey::from_slice(&bytes)?)))
    }

    /// A device key from 64 hex digits (either case; spaces and hyphens
    /// ignored).
    ///
    /// # Errors
    /// Kind configuration, code `keys.device_key_format`; the error never
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
}

/// A UPS key code (0–1023), parsed from what was typed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct KeyCode(CoreKeyCode);

impl std::fmt::Debug for KeyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for KeyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[uniffi::export]
impl KeyCode {
    /// Parse a typed key code: exactly 4 decimal or exactly 10 binary
    /// digits; full-width digits, spaces and hyphens allowed.
    ///
    /// # Errors
    /// Kind invalid input: `keycode.empty`, `keycode.invalid_character`,
    /// `keycode.wrong_length`, `keycode.out_of_range`, `keycode.not_binary`.
    #[uniffi::constructor]
    pub fn parse(typed: String) -> Result<Arc<Self>, RegcoreError> {
        Ok(Arc::new(Self(CoreKeyCode::parse(&typed)?)))
    }

    /// A key code from its numeric value (e.g. a number picker).
    ///
    /// # Errors
    /// Kind invalid input, `keycode.out_of_range` (parameter `value`) above
    /// 1023: never masked or wrapped.
    #[uniffi::constructor]
    pub fn from_value(value: u16) -> Result<Arc<Self>, RegcoreError> {
        CoreKeyCode::from_u16(value)
            .map(|code| Arc::new(Self(code)))
            .ok_or_else(|| KeyError::KeyCodeOutOfRange { value }.into())
    }

    /// Numeric value, 0–1023.
    pub fn value(&self) -> u16 {
        self.0.value()
    }

    /// Four decimal digits, `0000`–`1023`.
    pub fn decimal(&self) -> String {
        self.0.decimal()
    }

    /// Ten binary digits, most significant bit first.
    pub fn binary(&self) -> String {
        self.0.binary()
    }

    /// UPS side: check this typed code against the UPS's key, in constant
    /// time. Pair it with the `device_entry` lockout: a 10-bit code is
    /// guessable.
    ///
    /// # Errors
    /// Kind rejected, `keycode.mismatch`.
    pub fn verify(&self, key: Arc<DeviceKey>) -> Result<(), RegcoreError> {
        Ok(self.0.verify(&key.0)?)
    }
}

/// A gateway's printed password as typed (13 characters of
/// `abcdefghijkmnpqrstuvwxyz23456789` after normalisation: trimmed,
/// full-width folded, case-insensitive). Held on the Rust side and wiped
/// when released; its debug form is redacted; equality is constant-time.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct GatewayPassword(CoreGatewayPassword);

impl std::fmt::Debug for GatewayPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq for GatewayPassword {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for GatewayPassword {}

#[uniffi::export]
impl GatewayPassword {
    /// Parse a typed password (checks its form before sending it anywhere;
    /// says nothing about whether it is the right one).
    ///
    /// # Errors
    /// Kind invalid input: `gateway_password.empty`,
    /// `gateway_password.invalid_character`, `gateway_password.wrong_length`.
    #[uniffi::constructor]
    pub fn parse(typed: String) -> Result<Arc<Self>, RegcoreError> {
        let typed = zeroize::Zeroizing::new(typed);
        Ok(Arc::new(Self(CoreGatewayPassword::parse(&typed)?)))
    }

    /// Gateway side: check this typed password against the gateway's key,
    /// in constant time.
    ///
    /// # Errors
    /// Kind rejected, `gateway_password.mismatch`.
    pub fn verify(&self, key: Arc<DeviceKey>) -> Result<(), RegcoreError> {
        Ok(self.0.verify(&key.0)?)
    }
}

/// A registration key as typed, in its two written forms.
#[derive(Clone, Copy, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct RegistrationKey(CoreRegistrationKey);

impl std::fmt::Debug for RegistrationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for RegistrationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[uniffi::export]
impl RegistrationKey {
    /// Parse a typed registration key (16 hex digits; hyphens, spaces,
    /// full-width and lower case allowed) without checking it.
    ///
    /// # Errors
    /// Kind invalid input: `regkey.empty`, `regkey.invalid_character`,
    /// `regkey.wrong_length`.
    #[uniffi::constructor]
    pub fn parse(typed: String) -> Result<Arc<Self>, RegcoreError> {
        Ok(Arc::new(Self(CoreRegistrationKey::parse(&typed)?)))
    }

    /// 16 upper-case hex digits without hyphens.
    pub fn canonical(&self) -> String {
        self.0.compact()
    }

    /// `XXXX-XXXX-XXXX-XXXX`.
    pub fn display(&self) -> String {
        self.0.to_string()
    }

    /// Terminal side: authenticate this key with the terminal's key alone
    /// and return the product code it enables. A demo key (issued under the
    /// demo master) is rejected by a real terminal's key and accepted by the
    /// terminal's demo key.
    ///
    /// # Errors
    /// Kind rejected, `regkey.authentication_failed`.
    pub fn verify(&self, key: Arc<DeviceKey>) -> Result<u16, RegcoreError> {
        Ok(self.0.verify(&key.0)?)
    }
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

/// Look a product code (e.g. from [`RegistrationKey::verify`]) up in the
/// caller's catalogue.
///
/// # Errors
/// Kind refused, `activation.unknown_product`.
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
