//! Registration keys (SPEC §5.5, \[004\]): 16 hex digits that enable one
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
use crate::mac::MacValue;
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

/// The tag's message: `"tag" ‖ BE16(product) ‖ fp`.
fn tag_message<'a>(product_be: &'a [u8; 2], fp: &'a [u8; 2]) -> [&'a [u8]; 3] {
    [TAG_LABEL, product_be, fp]
}

/// The mask's message: `"mask" ‖ fp`.
fn mask_message(fp: &[u8; 2]) -> [&[u8]; 2] {
    [MASK_LABEL, fp]
}

fn tag(k_dev: &DeviceKey, product: u16, fp: [u8; 2]) -> [u8; 4] {
    tag_bytes(&k_dev.mac(&tag_message(&product.to_be_bytes(), &fp)))
}

fn mask(k_dev: &DeviceKey, fp: [u8; 2]) -> u16 {
    mask_value(&k_dev.mac(&mask_message(&fp)))
}

/// The tag: the first 4 bytes of its HMAC.
fn tag_bytes(mac: &MacValue) -> [u8; 4] {
    mac.first_u32().to_be_bytes()
}

/// The mask: the first 2 bytes of its HMAC, big-endian.
fn mask_value(mac: &MacValue) -> u16 {
    mac.first_u16()
}

impl RegistrationKey {
    /// Derive the key enabling `product` on the terminal whose key is
    /// `k_dev`, for activation number `number`. Deterministic.
    #[must_use]
    pub fn derive(k_dev: &DeviceKey, number: ActivationNumber, product: u16) -> Self {
        let fp = k_dev
            .mac(&[FINGERPRINT_LABEL, &number.to_bytes()])
            .first_u16()
            .to_be_bytes();
        // Tag and mask both depend on fp only: computed side by side.
        let (tag_mac, mask_mac) = k_dev.mac_pair(
            &tag_message(&product.to_be_bytes(), &fp),
            &mask_message(&fp),
        );
        let t = tag_bytes(&tag_mac);
        let high = (product ^ mask_value(&mask_mac)).to_be_bytes();
        Self(u64::from_be_bytes([
            high[0], high[1], fp[0], fp[1], t[0], t[1], t[2], t[3],
        ]))
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
        let b = self.0.to_be_bytes();
        let fp = [b[2], b[3]];
        let product = u16::from_be_bytes([b[0], b[1]]) ^ mask(k_dev, fp);
        let expected = tag(k_dev, product, fp);
        if bool::from(expected.ct_eq(&[b[4], b[5], b[6], b[7]])) {
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
            16 => Ok(Self(chars.iter().fold(0u64, |acc, p| {
                acc.wrapping_shl(4) | u64::from(p.ch.to_digit(16).unwrap_or(0))
            }))),
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
