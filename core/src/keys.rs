//! Vendor master secrets, per-device keys and gateway printed passwords
//! (docs/algorithms.md §2.2, §2.4). The exact construction is in docs/algorithms.md §2.
//!
//! A [`MasterSecret`] stays on the vendor's servers. Every device gets its own
//! [`DeviceKey`], diversified from the master and the device's canonical
//! identity, so a device (or its factory programming station) holds only its
//! own key and every device-side check ([`crate::keycode::KeyCode::verify`],
//! [`crate::regkey::RegistrationKey::verify`], [`GatewayPassword::verify`])
//! needs nothing else.

use std::fmt;

use std::fmt::Write as _;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::ids::{GatewayId, MprId, UpsSerial};
use crate::normalize::compact;
use crate::quote::quote_char;

/// Label of the device-key diversification (`docs/algorithms.md` §2.2).
pub const DEVICE_KEY_LABEL: &[u8] = b"regcore/v1/device-key";
/// Label under which the demo master is derived from the master.
pub const DEMO_MASTER_LABEL: &[u8] = b"regcore/v1/demo-master";
/// Label of the gateway printed password.
pub const GATEWAY_PASSWORD_LABEL: &[u8] = b"gateway-password";
/// Alphabet of gateway printed passwords: 32 characters without the
/// look-alikes `l`, `o`, `0`, `1`; index = 5-bit value.
pub const GATEWAY_PASSWORD_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Length of a gateway printed password (65 bits).
pub const GATEWAY_PASSWORD_LEN: usize = 13;
/// Shortest accepted master secret, in bytes.
pub const MASTER_MIN_LEN: usize = 32;
/// Longest accepted master secret, in bytes (one SHA-256 block, so the HMAC
/// key is used as is and never pre-hashed).
pub const MASTER_MAX_LEN: usize = 64;

use crate::mac::{HmacKey, Keyed, hmac};

/// Why a key, key code, password or activation key was rejected.
///
/// One type for the four unlock-key modules (keys, key codes, activation,
/// registration keys), kept whole on purpose: the typed-value variants
/// (`Empty`, `InvalidCharacter`, `WrongLength`) are shared by key codes,
/// gateway passwords and registration keys through [`KeyKind`], every
/// binding maps this one type, and `typed.verify(&key)` has the same error
/// for every kind of key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Master secret outside 32–64 bytes. Code `keys.master_length`.
    MasterLength {
        /// Minimum length in bytes.
        min: usize,
        /// Maximum length in bytes.
        max: usize,
        /// Length given.
        actual: usize,
    },
    /// An imported device key is not 64 hex digits. Code `keys.device_key_format`.
    DeviceKeyFormat,
    /// Raw device-key bytes are not 32 long. Code `keys.device_key_length`,
    /// params `expected`, `actual`.
    DeviceKeyLength {
        /// Required length in bytes (32).
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// Nothing typed. Code `keycode.empty` / `gateway_password.empty` /
    /// `regkey.empty` depending on `what`.
    Empty {
        /// Which value.
        what: KeyKind,
    },
    /// A character that cannot appear. Code `<what>.invalid_character`.
    InvalidCharacter {
        /// Which value.
        what: KeyKind,
        /// The character as typed.
        character: char,
        /// 1-based position in the input as typed.
        position: usize,
    },
    /// Wrong number of characters. Code `<what>.wrong_length`.
    WrongLength {
        /// Which value.
        what: KeyKind,
        /// Accepted length(s), e.g. `4 or 10`.
        expected: &'static str,
        /// Length after normalisation.
        actual: usize,
    },
    /// A 4-digit decimal key code above 1023. Code `keycode.out_of_range`.
    KeyCodeOutOfRange {
        /// The decimal value typed.
        value: u16,
    },
    /// A 10-digit key code with a digit other than 0 or 1. Code
    /// `keycode.not_binary`.
    KeyCodeNotBinary {
        /// The character as typed.
        character: char,
        /// 1-based position in the input as typed.
        position: usize,
    },
    /// The key code does not unlock this UPS. Code `keycode.mismatch`.
    KeyCodeMismatch,
    /// The gateway ID and printed password do not belong together. Code
    /// `gateway_password.mismatch`.
    GatewayPasswordMismatch,
    /// A serial number above 48 bits. Code `activation.serial_out_of_range`.
    SerialOutOfRange {
        /// The serial given.
        serial: u64,
    },
    /// The registration ID does not belong to the activation number. Code
    /// `activation.authentication_failed`.
    ActivationAuthenticationFailed,
    /// A product code missing from the catalogue. Code `activation.unknown_product`.
    UnknownProduct {
        /// The product code.
        product: u16,
    },
    /// The registration key does not verify on this terminal. Code
    /// `regkey.authentication_failed`.
    RegistrationKeyAuthenticationFailed,
}

/// Which typed value a [`KeyError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// UPS key code.
    KeyCode,
    /// Gateway printed password.
    GatewayPassword,
    /// Registration key.
    RegistrationKey,
}

impl KeyKind {
    /// Stable prefix of the error code.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::KeyCode => "keycode",
            Self::GatewayPassword => "gateway_password",
            Self::RegistrationKey => "regkey",
        }
    }

    /// Human label.
    #[must_use]
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::KeyCode, Lang::En) => "key code",
            (Self::KeyCode, Lang::Ja) => "キーコード",
            (Self::GatewayPassword, Lang::En) => "gateway password",
            (Self::GatewayPassword, Lang::Ja) => "ゲートウェイパスワード",
            (Self::RegistrationKey, Lang::En) => "registration key",
            (Self::RegistrationKey, Lang::Ja) => "レジストレーションキー",
        }
    }
}

impl Coded for KeyError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::MasterLength { .. } | Self::DeviceKeyLength { .. } | Self::DeviceKeyFormat => {
                ErrorKind::Configuration
            }
            Self::KeyCodeMismatch
            | Self::GatewayPasswordMismatch
            | Self::ActivationAuthenticationFailed
            | Self::RegistrationKeyAuthenticationFailed => ErrorKind::Rejected,
            Self::UnknownProduct { .. } => ErrorKind::Refused,
            Self::Empty { .. }
            | Self::InvalidCharacter { .. }
            | Self::WrongLength { .. }
            | Self::KeyCodeOutOfRange { .. }
            | Self::KeyCodeNotBinary { .. }
            | Self::SerialOutOfRange { .. } => ErrorKind::InvalidInput,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::MasterLength { .. } => "keys.master_length",
            Self::DeviceKeyFormat => "keys.device_key_format",
            Self::DeviceKeyLength { .. } => "keys.device_key_length",
            Self::Empty { what } => match what {
                KeyKind::KeyCode => "keycode.empty",
                KeyKind::GatewayPassword => "gateway_password.empty",
                KeyKind::RegistrationKey => "regkey.empty",
            },
            Self::InvalidCharacter { what, .. } => match what {
                KeyKind::KeyCode => "keycode.invalid_character",
                KeyKind::GatewayPassword => "gateway_password.invalid_character",
                KeyKind::RegistrationKey => "regkey.invalid_character",
            },
            Self::WrongLength { what, .. } => match what {
                KeyKind::KeyCode => "keycode.wrong_length",
                KeyKind::GatewayPassword => "gateway_password.wrong_length",
                KeyKind::RegistrationKey => "regkey.wrong_length",
            },
            Self::KeyCodeOutOfRange { .. } => "keycode.out_of_range",
            Self::KeyCodeNotBinary { .. } => "keycode.not_binary",
            Self::KeyCodeMismatch => "keycode.mismatch",
            Self::GatewayPasswordMismatch => "gateway_password.mismatch",
            Self::SerialOutOfRange { .. } => "activation.serial_out_of_range",
            Self::ActivationAuthenticationFailed => "activation.authentication_failed",
            Self::UnknownProduct { .. } => "activation.unknown_product",
            Self::RegistrationKeyAuthenticationFailed => "regkey.authentication_failed",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::MasterLength { min, max, actual } => vec![
                ("min", min.to_string()),
                ("max", max.to_string()),
                ("actual", actual.to_string()),
            ],
            Self::InvalidCharacter {
                character,
                position,
                ..
            }
            | Self::KeyCodeNotBinary {
                character,
                position,
            } => vec![
                ("character", character.to_string()),
                ("position", position.to_string()),
            ],
            Self::WrongLength {
                expected, actual, ..
            } => vec![
                ("expected", (*expected).to_owned()),
                ("actual", actual.to_string()),
            ],
            Self::DeviceKeyLength { expected, actual } => vec![
                ("expected", expected.to_string()),
                ("actual", actual.to_string()),
            ],
            Self::KeyCodeOutOfRange { value } => vec![("value", value.to_string())],
            Self::SerialOutOfRange { serial } => vec![("serial", serial.to_string())],
            Self::UnknownProduct { product } => vec![("product", format!("{product:04X}"))],
            Self::DeviceKeyFormat
            | Self::Empty { .. }
            | Self::KeyCodeMismatch
            | Self::GatewayPasswordMismatch
            | Self::ActivationAuthenticationFailed
            | Self::RegistrationKeyAuthenticationFailed => Vec::new(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        use Lang::{En, Ja};
        match self {
            Self::MasterLength { min, max, actual } => match lang {
                En => format!("the master secret must be {min}–{max} bytes (got {actual})"),
                Ja => format!("マスターシークレットは{min}〜{max}バイトが必要です（{actual}バイト）。"),
            },
            Self::DeviceKeyFormat => match lang {
                En => "a device key is 64 hex digits".to_owned(),
                Ja => "機器鍵は16進数64桁です。".to_owned(),
            },
            Self::DeviceKeyLength { expected, actual } => match lang {
                En => format!("a device key is {expected} bytes, got {actual}"),
                Ja => format!("機器鍵は{expected}バイトです（{actual}バイト）。"),
            },
            Self::Empty { what } => match lang {
                En => format!("the {} is empty", what.label(En)),
                Ja => format!("{}を入力してください。", what.label(Ja)),
            },
            Self::InvalidCharacter {
                what,
                character,
                position,
            } => {
                let c = quote_char(*character);
                match lang {
                    En => format!(
                        "the {} contains '{c}' at position {position}, which is not allowed",
                        what.label(En)
                    ),
                    Ja => format!(
                        "{}の{position}文字目「{c}」は使用できない文字です。",
                        what.label(Ja)
                    ),
                }
            }
            Self::WrongLength {
                what,
                expected,
                actual,
            } => match lang {
                En => format!(
                    "the {} must have {expected} characters (got {actual})",
                    what.label(En)
                ),
                Ja => format!(
                    "{}は{expected}文字で入力してください（入力は{actual}文字）。",
                    what.label(Ja)
                ),
            },
            Self::KeyCodeOutOfRange { value } => match lang {
                En => format!("a 4-digit key code is at most 1023 (got {value})"),
                Ja => format!("4桁のキーコードは1023以下です（入力は{value}）。"),
            },
            Self::KeyCodeNotBinary {
                character,
                position,
            } => {
                let c = quote_char(*character);
                match lang {
                    En => format!(
                        "a 10-digit key code is binary: '{c}' at position {position} is not 0 or 1"
                    ),
                    Ja => format!(
                        "10桁のキーコードは2進数です。{position}文字目「{c}」は0または1ではありません。"
                    ),
                }
            }
            Self::KeyCodeMismatch => match lang {
                En => "the key code does not match this UPS".to_owned(),
                Ja => "キーコードが一致しません。".to_owned(),
            },
            Self::GatewayPasswordMismatch => match lang {
                En => "the gateway ID and gateway password do not match".to_owned(),
                Ja => "ゲートウェイIDとゲートウェイパスワードの組み合わせが正しくありません。"
                    .to_owned(),
            },
            Self::SerialOutOfRange { serial } => match lang {
                En => format!("an activation serial number is at most 48 bits (got {serial})"),
                Ja => format!(
                    "アクティベーションキーのシリアル番号は48ビット以内です（{serial}）。"
                ),
            },
            Self::ActivationAuthenticationFailed => match lang {
                En => "the activation key number and registration ID do not match".to_owned(),
                Ja => "アクティベーションキーナンバーとレジストレーションIDの組み合わせが正しくありません。"
                    .to_owned(),
            },
            Self::UnknownProduct { product } => match lang {
                En => format!("unknown product code {product:#06x}"),
                Ja => format!("品番コード{product:04X}は登録されていません。"),
            },
            Self::RegistrationKeyAuthenticationFailed => match lang {
                En => "registration key authentication failed".to_owned(),
                Ja => "レジストレーションキーの認証に失敗しました。".to_owned(),
            },
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for KeyError {}

/// A vendor master secret (32–64 bytes) with the key id under which it is
/// stored. Zeroized on drop; `Debug` shows only the key id; equality is
/// constant-time.
#[derive(Clone)]
pub struct MasterSecret {
    bytes: Zeroizing<Vec<u8>>,
    key_id: u32,
    demo: bool,
    keyed: HmacKey,
}

impl MasterSecret {
    /// A master secret from its bytes.
    ///
    /// # Errors
    /// [`KeyError::MasterLength`] unless 32 ≤ `bytes.len()` ≤ 64.
    pub fn new(key_id: u32, bytes: &[u8]) -> Result<Self, KeyError> {
        if !(MASTER_MIN_LEN..=MASTER_MAX_LEN).contains(&bytes.len()) {
            return Err(KeyError::MasterLength {
                min: MASTER_MIN_LEN,
                max: MASTER_MAX_LEN,
                actual: bytes.len(),
            });
        }
        Ok(Self {
            bytes: Zeroizing::new(bytes.to_vec()),
            key_id,
            demo: false,
            keyed: HmacKey::new(bytes),
        })
    }

    /// The key id given at construction (shared by its demo master).
    #[must_use]
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// True for a master returned by [`MasterSecret::demo`].
    #[must_use]
    pub const fn is_demo(&self) -> bool {
        self.demo
    }

    /// The demo master: `HMAC(master, "regcore/v1/demo-master")`, 32 bytes.
    /// Everything derived from it looks real and verifies nowhere real.
    /// Calling `demo()` on a demo master returns it unchanged.
    #[must_use]
    pub fn demo(&self) -> Self {
        if self.demo {
            return self.clone();
        }
        let demo_master = hmac(self, &[DEMO_MASTER_LABEL]);
        Self {
            keyed: HmacKey::new(demo_master.bytes()),
            bytes: Zeroizing::new(demo_master.bytes().to_vec()),
            key_id: self.key_id,
            demo: true,
        }
    }

    /// The diversified key of one device (`docs/algorithms.md` §2.2).
    #[must_use]
    pub fn device_key(&self, device: Device<'_>) -> DeviceKey {
        // K_dev = HMAC(master, "regcore/v1/device-key" ‖ kind ‖ len ‖ id)
        let id = device.canonical_id();
        let len = u8::try_from(id.len())
            .expect("a canonical id is at most 32 bytes (the longest, a UPS serial)");
        let k_dev = hmac(
            self,
            &[
                DEVICE_KEY_LABEL,
                &[device.kind().byte()],
                &[len],
                id.as_bytes(),
            ],
        );
        DeviceKey::from_bytes(*k_dev.bytes())
    }

    /// The activation-key authority key `K_act` (device kind `activation`,
    /// empty identity).
    #[must_use]
    pub fn activation_key(&self) -> DeviceKey {
        self.device_key(Device::Activation)
    }
}

impl Keyed for MasterSecret {
    fn hmac_key(&self) -> &HmacKey {
        &self.keyed
    }
}

impl ConstantTimeEq for MasterSecret {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice())
            & self.key_id.ct_eq(&other.key_id)
            & Choice::from(u8::from(self.demo == other.demo))
    }
}

impl PartialEq for MasterSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for MasterSecret {}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterSecret")
            .field("key_id", &self.key_id)
            .field("demo", &self.demo)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

/// Kind of a keyed device; its byte is part of the diversification input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceKind {
    /// UPS, identified by its serial number. Byte `0x01`.
    Ups,
    /// Energy gateway, identified by its gateway ID. Byte `0x02`.
    Gateway,
    /// Video-conference terminal, identified by its MPR ID. Byte `0x03`.
    Terminal,
    /// The activation-key authority (no identity). Byte `0x04`.
    Activation,
}

impl DeviceKind {
    /// The byte fed to the diversification.
    #[must_use]
    pub const fn byte(self) -> u8 {
        match self {
            Self::Ups => 0x01,
            Self::Gateway => 0x02,
            Self::Terminal => 0x03,
            Self::Activation => 0x04,
        }
    }
}

/// A device identity to diversify a key for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Device<'a> {
    /// A UPS by serial number.
    Ups(&'a UpsSerial),
    /// A gateway by gateway ID.
    Gateway(&'a GatewayId),
    /// A video-conference terminal by MPR ID.
    Terminal(MprId),
    /// The activation-key authority.
    Activation,
}

impl Device<'_> {
    /// The kind.
    #[must_use]
    pub const fn kind(&self) -> DeviceKind {
        match self {
            Self::Ups(_) => DeviceKind::Ups,
            Self::Gateway(_) => DeviceKind::Gateway,
            Self::Terminal(_) => DeviceKind::Terminal,
            Self::Activation => DeviceKind::Activation,
        }
    }

    /// The canonical ASCII identity fed to the diversification: the serial
    /// or gateway ID in canonical form, the MPR ID as 16 upper-case hex
    /// digits without hyphens, empty for the activation authority.
    #[must_use]
    pub fn canonical_id(&self) -> String {
        match self {
            Self::Ups(s) => s.as_str().to_owned(),
            Self::Gateway(g) => g.as_str().to_owned(),
            Self::Terminal(m) => m.compact(),
            Self::Activation => String::new(),
        }
    }
}

/// One device's 32-byte key `K_dev`. Exportable for factory programming;
/// zeroized on drop; `Debug` redacted; equality constant-time.
#[derive(Clone)]
pub struct DeviceKey {
    key: Zeroizing<[u8; 32]>,
    keyed: HmacKey,
}

impl DeviceKey {
    /// A device key from its 32 bytes (as programmed into the device).
    #[must_use]
    #[inline]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let key = Zeroizing::new(bytes);
        Self {
            keyed: HmacKey::new(&*key),
            key,
        }
    }

    /// A device key from raw bytes of unchecked length (a binding's byte
    /// array, a file read by the caller).
    ///
    /// # Errors
    /// [`KeyError::DeviceKeyLength`] unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let array = <[u8; 32]>::try_from(bytes).map_err(|_| KeyError::DeviceKeyLength {
            expected: 32,
            actual: bytes.len(),
        })?;
        Ok(Self::from_bytes(array))
    }

    /// A device key from 64 hex digits (either case; spaces and hyphens
    /// ignored).
    ///
    /// # Errors
    /// [`KeyError::DeviceKeyFormat`]; the error never echoes the input.
    pub fn from_hex(hex: &str) -> Result<Self, KeyError> {
        let digits = Zeroizing::new(
            compact(hex)
                .into_iter()
                .map(|p| p.ch)
                .collect::<Vec<char>>(),
        );
        if digits.len() != 64 {
            return Err(KeyError::DeviceKeyFormat);
        }
        let mut out = Zeroizing::new([0u8; 32]);
        for (byte, pair) in out.iter_mut().zip(digits.as_chunks::<2>().0) {
            let [Some(hi), Some(lo)] = pair.map(|c| c.to_digit(16)) else {
                return Err(KeyError::DeviceKeyFormat);
            };
            *byte = u8::try_from(hi.wrapping_shl(4) | lo).expect("two hex digits make one byte");
        }
        Ok(Self::from_bytes(*out))
    }

    /// The 32 key bytes, for factory programming.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.key.clone()
    }

    /// The key as 64 lower-case hex digits, for factory programming.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex_lower(&*self.to_bytes()))
    }
}

impl Keyed for DeviceKey {
    fn hmac_key(&self) -> &HmacKey {
        &self.keyed
    }
}

impl ConstantTimeEq for DeviceKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.key.as_slice().ct_eq(other.key.as_slice())
    }
}
impl PartialEq for DeviceKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for DeviceKey {}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKey(<redacted>)")
    }
}

/// Two lower-case hex digits per byte, into a string allocated once (so a
/// key's digits are not left behind in a reallocated buffer).
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        write!(s, "{b:02x}").expect("writing to a String cannot fail");
    }
    s
}

/// The printed password of one gateway: 13 characters of
/// [`GATEWAY_PASSWORD_ALPHABET`]. `Debug` is redacted; equality is
/// constant-time.
#[derive(Clone)]
pub struct GatewayPassword([u8; GATEWAY_PASSWORD_LEN]);

impl Drop for GatewayPassword {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl GatewayPassword {
    /// Derive the password of the gateway whose key is `device_key`.
    ///
    /// Bits: the first 65 bits of `HMAC(K_dev, "gateway-password")`, read
    /// most-significant bit first, five at a time; each 5-bit group indexes
    /// the alphabet.
    #[must_use]
    #[expect(
        clippy::indexing_slicing,
        reason = "a 5-bit index into the 32-letter alphabet"
    )]
    pub fn derive(device_key: &DeviceKey) -> Self {
        let h = hmac(device_key, &[GATEWAY_PASSWORD_LABEL]);
        // v = first 65 bits of h (they sit in its first 16 bytes)
        let v = Zeroizing::new(u128::from_be_bytes(h.prefix()) >> 63);
        // c_i = ALPHABET[(v >> (60 − 5·i)) & 31]   for i = 0..12
        let mut out = [0u8; GATEWAY_PASSWORD_LEN];
        for (ch, shift) in out.iter_mut().zip((0..=60).rev().step_by(5)) {
            let index = usize::try_from((*v >> shift) & 31).expect("5 bits fit a usize");
            *ch = GATEWAY_PASSWORD_ALPHABET[index];
        }
        Self(out)
    }

    /// The password of the gateway `gateway` under `master` (site side).
    #[must_use]
    pub fn for_gateway(master: &MasterSecret, gateway: &GatewayId) -> Self {
        Self::derive(&master.device_key(Device::Gateway(gateway)))
    }

    /// Normalise a typed password: full-width folded, spaces and hyphens
    /// dropped, upper case folded to lower case (the alphabet has no upper
    /// case, so this loses nothing).
    ///
    /// # Errors
    /// Empty, wrong length, or a character outside the alphabet (including
    /// the look-alikes `0 1 l o`, which never appear).
    pub fn parse(typed: &str) -> Result<Self, KeyError> {
        let what = KeyKind::GatewayPassword;
        let mut letters = Zeroizing::new(Vec::with_capacity(GATEWAY_PASSWORD_LEN));
        for p in compact(typed) {
            match u8::try_from(p.ch.to_ascii_lowercase()) {
                Ok(letter) if GATEWAY_PASSWORD_ALPHABET.contains(&letter) => letters.push(letter),
                _ => {
                    return Err(KeyError::InvalidCharacter {
                        what,
                        character: p.original,
                        position: p.position,
                    });
                }
            }
        }
        if letters.is_empty() {
            return Err(KeyError::Empty { what });
        }
        let password =
            <[u8; GATEWAY_PASSWORD_LEN]>::try_from(letters.as_slice()).map_err(|_| {
                KeyError::WrongLength {
                    what,
                    expected: "13",
                    actual: letters.len(),
                }
            })?;
        Ok(Self(password))
    }

    /// Check this typed password against the gateway's device key, in
    /// constant time (the one verification shape: `typed.verify(&key)`).
    ///
    /// # Errors
    /// [`KeyError::GatewayPasswordMismatch`] (kind rejected).
    pub fn verify(&self, device_key: &DeviceKey) -> Result<(), KeyError> {
        if bool::from(Self::derive(device_key).ct_eq(self)) {
            Ok(())
        } else {
            Err(KeyError::GatewayPasswordMismatch)
        }
    }

    /// Site side: check a typed (gateway ID, password) pair from the sheet.
    ///
    /// # Errors
    /// As [`GatewayPassword::verify`].
    pub fn verify_pair(
        master: &MasterSecret,
        gateway: &GatewayId,
        typed: &str,
    ) -> Result<(), KeyError> {
        Self::parse(typed)?.verify(&master.device_key(Device::Gateway(gateway)))
    }

    /// The 13 characters, for printing on the sheet.
    #[must_use]
    pub fn expose(&self) -> Zeroizing<String> {
        Zeroizing::new(self.0.iter().map(|b| char::from(*b)).collect())
    }
}

impl ConstantTimeEq for GatewayPassword {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}
impl PartialEq for GatewayPassword {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for GatewayPassword {}

impl fmt::Debug for GatewayPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GatewayPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterSecret {
        MasterSecret::new(7, &[0x11; 32]).unwrap()
    }

    #[test]
    fn master_length_bounds() {
        assert!(MasterSecret::new(1, &[0; 31]).is_err());
        assert!(MasterSecret::new(1, &[0; 32]).is_ok());
        assert!(MasterSecret::new(1, &[0; 64]).is_ok());
        let err = MasterSecret::new(1, &[0; 65]).unwrap_err();
        assert_eq!(err.code(), "keys.master_length");
        assert_eq!(
            err.params(),
            vec![
                ("min", "32".into()),
                ("max", "64".into()),
                ("actual", "65".into())
            ]
        );
    }

    #[test]
    fn debug_is_redacted() {
        let m = master();
        let s = format!("{m:?}");
        assert!(s.contains("redacted") && !s.contains("17"));
        let k = m.activation_key();
        assert_eq!(format!("{k:?}"), "DeviceKey(<redacted>)");
    }

    #[test]
    fn device_key_from_slice_checks_length() {
        let k = master().activation_key();
        let bytes = k.to_bytes();
        assert_eq!(DeviceKey::from_slice(&bytes[..]).unwrap(), k);
        let err = DeviceKey::from_slice(&bytes[..31]).unwrap_err();
        assert_eq!(
            err,
            KeyError::DeviceKeyLength {
                expected: 32,
                actual: 31
            }
        );
        assert_eq!(err.code(), "keys.device_key_length");
        assert!(err.message(Lang::Ja).contains("31"));
        assert!(DeviceKey::from_slice(&[0u8; 33]).is_err());
    }

    #[test]
    fn device_key_hex_round_trip_and_errors() {
        let k = master().activation_key();
        let hex = k.to_hex();
        assert_eq!(DeviceKey::from_hex(&hex).unwrap(), k);
        assert_eq!(DeviceKey::from_hex(&hex.to_uppercase()).unwrap(), k);
        assert_eq!(
            DeviceKey::from_hex(&hex[..62]),
            Err(KeyError::DeviceKeyFormat)
        );
        let bad = format!("{}g", &hex[..63]);
        assert_eq!(DeviceKey::from_hex(&bad), Err(KeyError::DeviceKeyFormat));
    }

    #[test]
    fn demo_master_differs_and_is_idempotent() {
        let m = master();
        let d = m.demo();
        assert!(d.is_demo() && !m.is_demo());
        assert_ne!(d, m);
        assert_eq!(d.demo(), d);
        assert_ne!(d.activation_key(), m.activation_key());
    }

    #[test]
    fn gateway_password_shape_and_verify() {
        let m = master();
        let gw = GatewayId::parse("01AB12345678").unwrap();
        let pw = GatewayPassword::for_gateway(&m, &gw);
        let text = pw.expose();
        assert_eq!(text.len(), 13);
        assert!(text.bytes().all(|b| GATEWAY_PASSWORD_ALPHABET.contains(&b)));
        assert!(GatewayPassword::verify_pair(&m, &gw, &text).is_ok());
        let spaced = format!(" {} {} ", &text[..6], text[6..].to_uppercase());
        assert!(GatewayPassword::verify_pair(&m, &gw, &spaced).is_ok());
        let other = GatewayId::parse("01AB12345679").unwrap();
        assert_eq!(
            GatewayPassword::verify_pair(&m, &other, &text),
            Err(KeyError::GatewayPasswordMismatch)
        );
        let e = GatewayPassword::parse("abc0defghijkm").unwrap_err();
        assert_eq!(e.code(), "gateway_password.invalid_character");
        assert_eq!(
            GatewayPassword::parse("abcdefghijkm").unwrap_err().code(),
            "gateway_password.wrong_length"
        );
        assert_eq!(
            GatewayPassword::parse(" ").unwrap_err().code(),
            "gateway_password.empty"
        );
    }
}
