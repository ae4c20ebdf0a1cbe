//! Activation keys (docs/algorithms.md §2.5, \[004\]): what a customer buys for one software
//! feature, an activation number (16 hex) plus a registration ID (8 hex).
//!
//! The number carries its 48-bit serial in clear and its 16-bit product code
//! masked; the registration ID authenticates the number under `K_act`, so the
//! KMS checks a typed pair and learns the product without any database.

use std::collections::BTreeMap;

use subtle::ConstantTimeEq;

use crate::ids::{ActivationNumber, RegistrationId};
use crate::keys::{DeviceKey, KeyError, MasterSecret};
use crate::mac::hmac;

/// Label of the product mask inside an activation number.
pub const MASK_LABEL: &[u8] = b"mask";
/// Label of the registration ID.
pub const REGISTRATION_ID_LABEL: &[u8] = b"regid";
/// Largest activation serial (48 bits).
pub const MAX_SERIAL: u64 = (1 << 48) - 1;

/// An activation key as printed on the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ActivationKey {
    /// The activation key number.
    pub number: ActivationNumber,
    /// The registration ID printed next to it.
    pub registration_id: RegistrationId,
}

impl ActivationKey {
    /// Check this typed key against the vendor's authority (constant-time
    /// on the registration ID) and recover what it activates: the one
    /// verification shape, `typed.verify(&key)`, as for key codes, gateway
    /// passwords and registration keys.
    ///
    /// # Errors
    /// [`KeyError::ActivationAuthenticationFailed`] (kind rejected).
    pub fn verify(&self, authority: &ActivationAuthority) -> Result<ActivationInfo, KeyError> {
        authority.check(self)
    }
}

/// What a checked activation key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ActivationInfo {
    /// Product code recovered from the number.
    pub product: u16,
    /// The 48-bit serial.
    pub serial: u64,
}

/// Mints and checks activation keys with `K_act` (held precomputed).
#[derive(Clone, Debug)]
pub struct ActivationAuthority {
    k_act: DeviceKey,
}

impl ActivationAuthority {
    /// The authority of `master` (or of its demo master).
    #[must_use]
    pub fn new(master: &MasterSecret) -> Self {
        Self {
            k_act: master.activation_key(),
        }
    }

    /// `mask = BE16(HMAC(K_act, "mask" ‖ BE48(serial))[0..2])`
    fn mask(&self, serial: u64) -> u16 {
        let [_, _, be48 @ ..] = serial.to_be_bytes();
        u16::from_be_bytes(hmac(&self.k_act, &[MASK_LABEL, &be48]).prefix())
    }

    /// `registration_id = HMAC(K_act, "regid" ‖ number)[0..4]`
    fn registration_id(&self, number: ActivationNumber) -> RegistrationId {
        let regid = hmac(&self.k_act, &[REGISTRATION_ID_LABEL, &number.to_bytes()]);
        RegistrationId::from_u32(u32::from_be_bytes(regid.prefix()))
    }

    /// Mint the activation key for `product` and a 48-bit `serial`:
    /// `number = BE16(product ⊕ mask) ‖ BE48(serial)`.
    ///
    /// # Errors
    /// [`KeyError::SerialOutOfRange`] above 48 bits.
    pub fn mint(&self, product: u16, serial: u64) -> Result<ActivationKey, KeyError> {
        if serial > MAX_SERIAL {
            return Err(KeyError::SerialOutOfRange { serial });
        }
        let high = product ^ self.mask(serial);
        let number = ActivationNumber::from_u64((u64::from(high) << 48) | serial);
        Ok(ActivationKey {
            number,
            registration_id: self.registration_id(number),
        })
    }

    /// Check a typed pair (constant-time on the registration ID) and recover
    /// the product code; callers use [`ActivationKey::verify`].
    fn check(&self, key: &ActivationKey) -> Result<ActivationInfo, KeyError> {
        let expected = self.registration_id(key.number).to_bytes();
        if !bool::from(expected.ct_eq(&key.registration_id.to_bytes())) {
            return Err(KeyError::ActivationAuthenticationFailed);
        }
        // number = BE16(product ⊕ mask) ‖ BE48(serial)
        let [p0, p1, ..] = key.number.to_bytes();
        let serial = key.number.as_u64() & MAX_SERIAL;
        Ok(ActivationInfo {
            product: u16::from_be_bytes([p0, p1]) ^ self.mask(serial),
            serial,
        })
    }
}

/// Kind of feature an activation key unlocks, as the KMS shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Product {
    /// Model number, e.g. `KX-VCS101`.
    pub model: String,
    /// Activation key type, e.g. `Upgrade`.
    pub key_type: String,
    /// True for demo products (shown as `DEMO` by the KMS).
    pub demo: bool,
}

/// Caller data: product code → what the KMS screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProductCatalogue {
    /// Products by code.
    pub products: BTreeMap<u16, Product>,
}

impl ProductCatalogue {
    /// An empty catalogue.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add or replace a product.
    pub fn insert(&mut self, code: u16, product: Product) {
        self.products.insert(code, product);
    }

    /// The product with this code.
    ///
    /// # Errors
    /// [`KeyError::UnknownProduct`].
    pub fn get(&self, code: u16) -> Result<&Product, KeyError> {
        self.products
            .get(&code)
            .ok_or(KeyError::UnknownProduct { product: code })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mint_check_round_trip() {
        let m = MasterSecret::new(1, &[7; 48]).unwrap();
        let a = ActivationAuthority::new(&m);
        let k = a.mint(0x0101, 0x0000_1234_5678).unwrap();
        assert_eq!(k.number.as_u64() & MAX_SERIAL, 0x0000_1234_5678);
        let info = a.check(&k).unwrap();
        assert_eq!(info.product, 0x0101);
        let wrong = ActivationKey {
            registration_id: RegistrationId::from_u32(k.registration_id.as_u32() ^ 1),
            ..k
        };
        assert_eq!(
            a.check(&wrong),
            Err(KeyError::ActivationAuthenticationFailed)
        );
        assert_eq!(
            a.mint(1, MAX_SERIAL + 1),
            Err(KeyError::SerialOutOfRange {
                serial: MAX_SERIAL + 1
            })
        );
        let demo = ActivationAuthority::new(&m.demo());
        assert_eq!(
            demo.check(&k),
            Err(KeyError::ActivationAuthenticationFailed)
        );
    }

    #[test]
    fn catalogue_lookup() {
        let mut c = ProductCatalogue::new();
        c.insert(
            0x0101,
            Product {
                model: "KX-VCS101".into(),
                key_type: "Upgrade".into(),
                demo: false,
            },
        );
        assert_eq!(c.get(0x0101).unwrap().model, "KX-VCS101");
        assert_eq!(c.get(2), Err(KeyError::UnknownProduct { product: 2 }));
    }
}
