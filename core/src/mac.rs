//! HMAC (RFC 2104) from RustCrypto's vetted `hmac` crate, in the notation of
//! docs/algorithms.md: `hmac(k, &[a, b, c])` is `HMAC-SHA256(k, a ‖ b ‖ c)`.
//!
//! A key used for many messages (a master for every device, a device key
//! for every check, a code secret for every code) is an [`HmacKey`]: an
//! `Hmac<Sha256>` keyed once, cloned per message, so its two pad blocks are
//! absorbed once per key. Keyed states and outputs are wiped on drop.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// HMAC-SHA256 in progress (a clone of a keyed state).
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 key, keyed once. Wiped on drop (the `hmac` crate's
/// `zeroize` feature); never printed.
#[derive(Clone)]
pub(crate) struct HmacKey(HmacSha256);

impl HmacKey {
    /// Key HMAC-SHA256 with `key` (a key longer than the 64-byte block is
    /// hashed first, as RFC 2104 says).
    pub(crate) fn new(key: &[u8]) -> Self {
        Self(HmacSha256::new_from_slice(key).expect("HMAC accepts keys of every length"))
    }

    /// A fresh HMAC under this key, to feed piece by piece.
    pub(crate) fn start(&self) -> HmacSha256 {
        self.0.clone()
    }
}

/// Something that holds an [`HmacKey`]: a master secret, a device key, a
/// code secret.
pub(crate) trait Keyed {
    /// The keyed HMAC state.
    fn hmac_key(&self) -> &HmacKey;
}

impl Keyed for HmacKey {
    fn hmac_key(&self) -> &HmacKey {
        self
    }
}

/// `HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …)`.
pub(crate) fn hmac(key: &impl Keyed, parts: &[&[u8]]) -> Digest {
    let mut mac = key.hmac_key().start();
    for part in parts {
        mac.update(part);
    }
    finish(mac)
}

/// The output of an HMAC fed piece by piece.
pub(crate) fn finish(mac: HmacSha256) -> Digest {
    // Copied straight from the tag (which wipes itself on drop) into wiped
    // storage: no unwiped temporary.
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(mac.finalize().as_bytes());
    Digest(out)
}

/// A 32-byte HMAC-SHA256 output, wiped on drop (it may be a derived key).
pub(crate) struct Digest(Zeroizing<[u8; 32]>);

impl Digest {
    /// The whole output.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `x[0..N]`: the first `N` bytes (a 2-byte mask, a 4-byte tag).
    pub(crate) fn prefix<const N: usize>(&self) -> [u8; N] {
        const { assert!(N <= 32, "a prefix of a 32-byte HMAC") };
        *self
            .0
            .first_chunk::<N>()
            .expect("N <= 32, checked at compile time")
    }
}

#[cfg(test)]
mod tests {
    use super::{HmacKey, hmac};

    #[test]
    fn rfc4231_case_2() {
        let out = hmac(
            &HmacKey::new(b"Jefe"),
            &[b"what do ya want ", b"for nothing?"],
        );
        let expected: [u8; 32] = [
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
            0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
            0x64, 0xec, 0x38, 0x43,
        ];
        assert_eq!(out.bytes(), &expected);
        assert_eq!(out.prefix::<2>(), [0x5b, 0xdc]);
    }

    #[test]
    fn rfc4231_case_6_long_key() {
        // 131-byte key: hashed first.
        let out = hmac(
            &HmacKey::new(&[0xaa_u8; 131]),
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        let expected: [u8; 32] = [
            0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26, 0xaa, 0xcb, 0xf5,
            0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28, 0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f,
            0x0e, 0xe3, 0x7f, 0x54,
        ];
        assert_eq!(out.bytes(), &expected);
    }

    #[test]
    fn a_cloned_key_is_reusable() {
        let key = HmacKey::new(&[0x0b; 20]);
        let first = hmac(&key, &[b"Hi There"]);
        let again = hmac(&key, &[b"Hi ", b"There"]);
        assert_eq!(first.bytes(), again.bytes());
        assert_eq!(
            first.prefix::<4>(),
            [0xb0, 0x34, 0x4c, 0x61],
            "RFC 4231 case 1"
        );
    }
}
