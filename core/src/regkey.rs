//! Registration keys (docs/algorithms.md §2.6, \[004\]): 16 hex digits that enable one
//! feature on one terminal, verified offline by the terminal with its own
//! `K_dev` only.
//!
//! Layout (64 bits, big-endian): `BE16(product ⊕ mask_dev) ‖ fp ‖ tag` where
//! `fp = HMAC(K_dev, "act-fp" ‖ BE64(number))[0..2]`,
//! `mask_dev = HMAC(K_dev, "mask" ‖ fp)[0..2]` and
//! `tag = HMAC(K_dev, "tag" ‖ BE16(product) ‖ fp)[0..4]`.
//! A forgery succeeds with probability 2^-32 per try.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::ids::{ActivationNumber, MprId};
use crate::keys::{Device, DeviceKey, KeyError, KeyKind, MasterSecret};
use crate::mac::hmac;
use crate::normalize::compact;

/// Label of the activation-number fingerprint.
pub const FINGERPRINT_LABEL: &[u8] = b"act-fp";
/// Label of the product mask inside a registration key.
pub const MASK_LABEL: &[u8] = b"mask";
/// Label of the authentication tag.
pub const TAG_LABEL: &[u8] = b"tag";

/// A registration key: 64 bits shown `XXXX-XXXX-XXXX-XXXX`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationKey(u64);

/// `fp = HMAC(K_dev, "act-fp" ‖ number)[0..2]`
fn fingerprint(k_dev: &DeviceKey, number: ActivationNumber) -> [u8; 2] {
    hmac(k_dev, &[FINGERPRINT_LABEL, &number.to_bytes()]).prefix()
}

/// `mask_dev = BE16(HMAC(K_dev, "mask" ‖ fp)[0..2])`
fn mask_dev(k_dev: &DeviceKey, fp: [u8; 2]) -> u16 {
    u16::from_be_bytes(hmac(k_dev, &[MASK_LABEL, &fp]).prefix())
}

/// `tag = HMAC(K_dev, "tag" ‖ BE16(product) ‖ fp)[0..4]`
fn tag(k_dev: &DeviceKey, product: u16, fp: [u8; 2]) -> [u8; 4] {
    hmac(k_dev, &[TAG_LABEL, &product.to_be_bytes(), &fp]).prefix()
}

impl RegistrationKey {
    /// Derive the key enabling `product` on the terminal whose key is
    /// `k_dev`, for activation number `number`. Deterministic.
    #[must_use]
    pub fn derive(k_dev: &DeviceKey, number: ActivationNumber, product: u16) -> Self {
        let fp = fingerprint(k_dev, number);
        // key = BE16(product ⊕ mask_dev) ‖ fp ‖ tag
        let [h0, h1] = (product ^ mask_dev(k_dev, fp)).to_be_bytes();
        let [f0, f1] = fp;
        let [t0, t1, t2, t3] = tag(k_dev, product, fp);
        Self(u64::from_be_bytes([h0, h1, f0, f1, t0, t1, t2, t3]))
    }

    /// Site side: the key for terminal `mpr_id` under `master` (real or demo).
    #[must_use]
    pub fn issue(
        master: &MasterSecret,
        mpr_id: MprId,
        number: ActivationNumber,
        product: u16,
    ) -> Self {
        Self::derive(
            &master.device_key(Device::Terminal(mpr_id)),
            number,
            product,
        )
    }

    /// Terminal side: authenticate the key with `K_dev` alone (the tag is
    /// compared in constant time) and learn which product to enable.
    ///
    /// # Errors
    /// [`KeyError::RegistrationKeyAuthenticationFailed`].
    pub fn verify(self, k_dev: &DeviceKey) -> Result<u16, KeyError> {
        let [h0, h1, f0, f1, typed_tag @ ..] = self.0.to_be_bytes();
        let fp = [f0, f1];
        let product = u16::from_be_bytes([h0, h1]) ^ mask_dev(k_dev, fp);
        if bool::from(tag(k_dev, product, fp).ct_eq(&typed_tag)) {
            Ok(product)
        } else {
            Err(KeyError::RegistrationKeyAuthenticationFailed)
        }
    }

    /// Parse 16 hex digits; hyphens, spaces, full-width and lower case allowed.
    ///
    /// # Errors
    /// `regkey.empty`, `regkey.invalid_character`, `regkey.wrong_length`.
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let what = KeyKind::RegistrationKey;
        let chars = compact(input);
        if let Some(bad) = chars.iter().find(|p| !p.ch.is_ascii_hexdigit()) {
            return Err(KeyError::InvalidCharacter {
                what,
                character: bad.original,
                position: bad.position,
            });
        }
        match chars.len() {
            0 => Err(KeyError::Empty { what }),
            16 => {
                let digits: String = chars.iter().map(|p| p.ch).collect();
                Ok(Self(
                    u64::from_str_radix(&digits, 16).expect("16 hex digits fit a u64"),
                ))
            }
            n => Err(KeyError::WrongLength {
                what,
                expected: "16",
                actual: n,
            }),
        }
    }

    /// From the numeric value.
    #[must_use]
    pub const fn from_u64(value: u64) -> Self {
        Self(value)
    }

    /// The numeric value.
    #[must_use]
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// 16 upper-case hex digits without hyphens.
    #[must_use]
    pub fn compact(self) -> String {
        format!("{:016X}", self.0)
    }
}

impl fmt::Display for RegistrationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:04X}-{:04X}-{:04X}-{:04X}",
            (v >> 48) & 0xFFFF,
            (v >> 32) & 0xFFFF,
            (v >> 16) & 0xFFFF,
            v & 0xFFFF
        )
    }
}

impl fmt::Debug for RegistrationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistrationKey({self})")
    }
}

text_form!(RegistrationKey, KeyError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    #[test]
    fn issue_verify_and_tamper() {
        let m = MasterSecret::new(1, &[9; 32]).unwrap();
        let mpr = MprId::parse("0123-4567-89AB-CDEF").unwrap();
        let number = ActivationNumber::parse("1111-2222-3333-4444").unwrap();
        let key = RegistrationKey::issue(&m, mpr, number, 0x0101);
        let k_dev = m.device_key(Device::Terminal(mpr));
        assert_eq!(key.verify(&k_dev), Ok(0x0101));
        for bit in 0..64 {
            let t = RegistrationKey::from_u64(key.as_u64() ^ (1 << bit));
            let err = t.verify(&k_dev).unwrap_err();
            assert_eq!(err.code(), "regkey.authentication_failed");
        }
        let demo = RegistrationKey::issue(&m.demo(), mpr, number, 0x0101);
        assert_ne!(demo, key);
        assert!(demo.verify(&k_dev).is_err());
    }

    #[test]
    fn parse_and_display() {
        let k = RegistrationKey::parse("ａｂｃｄ－0123 4567-89ef").unwrap();
        assert_eq!(k.to_string(), "ABCD-0123-4567-89EF");
        assert_eq!(k.compact(), "ABCD0123456789EF");
        assert_eq!(
            RegistrationKey::parse("ABCD-0123").unwrap_err().code(),
            "regkey.wrong_length"
        );
        assert_eq!(
            RegistrationKey::parse("ABCD-0123-4567-89EG").unwrap_err(),
            KeyError::InvalidCharacter {
                what: KeyKind::RegistrationKey,
                character: 'G',
                position: 19
            }
        );
    }
}
