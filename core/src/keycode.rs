//! UPS key codes (docs/algorithms.md §2.3, \[000\]): 10 bits that unlock a UPS's power output,
//! shown as 4 decimal digits and as 10 binary digits.
//!
//! **A 10-bit code is guessable (1 in 1024 per try).** Its security rests
//! entirely on the device limiting attempts: firmware must pair
//! [`KeyCode::verify`] with the `device_entry` lockout preset (3 failures,
//! then 30 s doubling to a 1 h cap), which makes guessing all 1024 codes take
//! weeks instead of minutes.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::ids::UpsSerial;
use crate::keys::{Device, DeviceKey, KeyError, KeyKind, MasterSecret};
use crate::mac::hmac;
use crate::normalize::compact;

/// Label of the key-code derivation.
pub const KEY_CODE_LABEL: &[u8] = b"keycode";

/// A UPS key code, `0..=1023`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyCode(u16);

impl KeyCode {
    /// Largest key code.
    pub const MAX: u16 = 0x3FF;

    /// `BE16(HMAC(K_dev, "keycode")[0..2]) & 0x3FF`.
    #[must_use]
    pub fn derive(device_key: &DeviceKey) -> Self {
        Self(u16::from_be_bytes(hmac(device_key, &[KEY_CODE_LABEL]).prefix()) & Self::MAX)
    }

    /// Site side: the key code of the UPS with this serial number.
    #[must_use]
    pub fn for_serial(master: &MasterSecret, serial: &UpsSerial) -> Self {
        Self::derive(&master.device_key(Device::Ups(serial)))
    }

    /// From a value, if it is at most 1023.
    #[must_use]
    pub const fn from_u16(value: u16) -> Option<Self> {
        if value <= Self::MAX {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The numeric value.
    #[must_use]
    pub const fn value(self) -> u16 {
        self.0
    }

    /// Four decimal digits, `0000`–`1023`.
    #[must_use]
    pub fn decimal(self) -> String {
        format!("{:04}", self.0)
    }

    /// Ten binary digits, most significant bit first.
    #[must_use]
    pub fn binary(self) -> String {
        format!("{:010b}", self.0)
    }

    /// Parse what a user typed: exactly 4 decimal digits or exactly 10 binary
    /// digits, after folding full-width digits and dropping spaces and
    /// hyphens. A 4-digit string of 0s and 1s is decimal (`0101` is 101);
    /// any other length is refused rather than guessed (`101` could be a
    /// short decimal or a truncated binary code).
    ///
    /// # Errors
    /// `keycode.empty`, `keycode.invalid_character`, `keycode.wrong_length`,
    /// `keycode.out_of_range` (decimal above 1023), `keycode.not_binary`.
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let what = KeyKind::KeyCode;
        let chars = compact(input);
        if let Some(bad) = chars.iter().find(|p| !p.ch.is_ascii_digit()) {
            return Err(KeyError::InvalidCharacter {
                what,
                character: bad.original,
                position: bad.position,
            });
        }
        let digits: String = chars.iter().map(|p| p.ch).collect();
        match chars.len() {
            0 => Err(KeyError::Empty { what }),
            4 => {
                let value = digits.parse().expect("4 ASCII digits fit a u16");
                Self::from_u16(value).ok_or(KeyError::KeyCodeOutOfRange { value })
            }
            10 => {
                if let Some(bad) = chars.iter().find(|p| !matches!(p.ch, '0' | '1')) {
                    return Err(KeyError::KeyCodeNotBinary {
                        character: bad.original,
                        position: bad.position,
                    });
                }
                let value = u16::from_str_radix(&digits, 2).expect("10 binary digits fit a u16");
                Ok(Self::from_u16(value).expect("10 binary digits are at most 1023"))
            }
            n => Err(KeyError::WrongLength {
                what,
                expected: "4 or 10",
                actual: n,
            }),
        }
    }

    /// Device side: check this typed code against the UPS's device key, in
    /// constant time (the one verification shape: `typed.verify(&key)`).
    ///
    /// Pair with the `device_entry` lockout: see the module documentation.
    ///
    /// # Errors
    /// [`KeyError::KeyCodeMismatch`] (kind rejected).
    pub fn verify(self, device_key: &DeviceKey) -> Result<(), KeyError> {
        if bool::from(Self::derive(device_key).0.ct_eq(&self.0)) {
            Ok(())
        } else {
            Err(KeyError::KeyCodeMismatch)
        }
    }
}

impl fmt::Display for KeyCode {
    /// The decimal form; use [`KeyCode::binary`] for the other column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl fmt::Debug for KeyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyCode({:04} / {:010b})", self.0, self.0)
    }
}

text_form!(KeyCode, KeyError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    #[test]
    fn parse_forms() {
        assert_eq!(KeyCode::parse("0123").unwrap().value(), 123);
        assert_eq!(KeyCode::parse("１０２３").unwrap().value(), 1023);
        assert_eq!(KeyCode::parse("0101").unwrap().value(), 101);
        assert_eq!(KeyCode::parse("00000 00101").unwrap().value(), 5);
        assert_eq!(KeyCode::parse("11111-11111").unwrap().value(), 1023);
        assert_eq!(
            KeyCode::parse("1024").unwrap_err(),
            KeyError::KeyCodeOutOfRange { value: 1024 }
        );
        assert_eq!(
            KeyCode::parse("101").unwrap_err().code(),
            "keycode.wrong_length"
        );
        assert_eq!(
            KeyCode::parse("0000000002").unwrap_err(),
            KeyError::KeyCodeNotBinary {
                character: '2',
                position: 10
            }
        );
        assert_eq!(
            KeyCode::parse("12a4").unwrap_err().code(),
            "keycode.invalid_character"
        );
        assert_eq!(KeyCode::parse("　").unwrap_err().code(), "keycode.empty");
    }

    #[test]
    fn display_forms() {
        let k = KeyCode::from_u16(5).unwrap();
        assert_eq!(k.decimal(), "0005");
        assert_eq!(k.binary(), "0000000101");
        assert!(KeyCode::from_u16(1024).is_none());
    }
}
