//! HMAC with the key's pad blocks absorbed once (RFC 2104).
//!
//! Derivations reuse one key for many messages (a master for every device, a
//! device key for every check). Keying costs two SHA-256 compressions; each
//! message of up to 55 bytes then costs exactly two more. This module keeps
//! the two precomputed chaining values and drives `sha2`'s block function
//! directly, which removes the buffering and copying of the generic
//! `hmac` state; [`KeyedMac::mac_pair`] runs two independent HMACs side by
//! side so their dependent compressions overlap. HOTP's HMAC-SHA-1 over an
//! 8-byte counter is driven the same way on `sha1`'s block function. Every
//! path is checked against the `hmac` crate (RFC 4231 vectors and property
//! tests), so it is HMAC and nothing else.

use sha2::Digest;
use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

const BLOCK: usize = 64;
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A SHA-256 computation in progress over whole blocks plus a tail.
#[derive(Clone, Zeroize)]
struct Stream {
    state: [u32; 8],
    block: [u8; BLOCK],
    fill: usize,
    /// Bytes absorbed so far, including the pad block.
    len: u64,
}

impl Stream {
    const fn resume(state: [u32; 8]) -> Self {
        Self {
            state,
            block: [0; BLOCK],
            fill: 0,
            len: BLOCK as u64,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len = self
            .len
            .wrapping_add(u64::try_from(data.len()).unwrap_or(u64::MAX));
        while !data.is_empty() {
            let take = BLOCK.saturating_sub(self.fill).min(data.len());
            let (head, rest) = data.split_at(take);
            let end = self.fill.saturating_add(take);
            if let Some(dst) = self.block.get_mut(self.fill..end) {
                dst.copy_from_slice(head);
            }
            self.fill = end;
            data = rest;
            if self.fill == BLOCK {
                compress256(&mut self.state, core::slice::from_ref(&self.block));
                self.fill = 0;
            }
        }
    }

    fn finalize(&mut self) -> MacValue {
        let bit_len = self.len.wrapping_mul(8);
        if let Some(b) = self.block.get_mut(self.fill) {
            *b = 0x80;
        }
        let after = self.fill.saturating_add(1);
        if after > BLOCK - 8 {
            if let Some(rest) = self.block.get_mut(after..) {
                rest.fill(0);
            }
            compress256(&mut self.state, core::slice::from_ref(&self.block));
            self.block.fill(0);
        } else if let Some(rest) = self.block.get_mut(after..BLOCK - 8) {
            rest.fill(0);
        }
        if let Some(tail) = self.block.get_mut(BLOCK - 8..) {
            tail.copy_from_slice(&bit_len.to_be_bytes());
        }
        compress256(&mut self.state, core::slice::from_ref(&self.block));
        let out = MacValue(self.state);
        // The final chaining value is the output, which may be a derived
        // key: wipe this copy. The block holds only the (public) message
        // tail or the inner digest, which reveals nothing without the key.
        self.state.zeroize();
        out
    }
}

/// An HMAC-SHA256 value as SHA-256 leaves it: the eight words of the final
/// chaining value, whose big-endian bytes are the digest. Kept as words so
/// the next compression or an integer prefix (a 2-byte mask, a 4-byte tag)
/// needs no byte round trip; wiped on drop, as it may be a derived key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct MacValue([u32; 8]);

impl MacValue {
    /// A value from its 32 digest bytes (a key given as bytes).
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Self {
        let mut words = [0u32; 8];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            let mut four = [0u8; 4];
            four.copy_from_slice(chunk);
            *word = u32::from_be_bytes(four);
        }
        Self(words)
    }

    /// The 32 digest bytes.
    #[inline]
    pub(crate) fn to_bytes(&self) -> [u8; 32] {
        // Written to a whole 32-byte array, LLVM turns this into two
        // 16-byte shuffles and stores, which the next compression's
        // 16-byte loads can forward from (scattered 4-byte stores would
        // stall them).
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(&self.0) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    /// Digest bytes 0..2 as a big-endian integer.
    pub(crate) fn first_u16(&self) -> u16 {
        let [a, b, _, _] = self.first_u32().to_be_bytes();
        u16::from_be_bytes([a, b])
    }

    /// Digest bytes 0..4 as a big-endian integer.
    pub(crate) const fn first_u32(&self) -> u32 {
        let [w0, ..] = self.0;
        w0
    }

    /// Digest bytes 0..16 as a big-endian integer.
    pub(crate) fn first_u128(&self) -> u128 {
        let [w0, w1, w2, w3, ..] = self.0;
        (u128::from(w0) << 96) | (u128::from(w1) << 64) | (u128::from(w2) << 32) | u128::from(w3)
    }

    /// The words, for constant-time comparison.
    pub(crate) const fn words(&self) -> &[u32; 8] {
        &self.0
    }
}

/// One block that holds key material, stored as words: wiping it takes 8
/// volatile stores where a byte array takes 64 (`zeroize` writes element by
/// element, and the wipe sits on every keying's path).
#[derive(Default, Zeroize, ZeroizeOnDrop)]
struct SecretBlock([u64; BLOCK / 8]);

impl SecretBlock {
    /// RFC 2104's key block: the key zero-filled to a block, or, for a key
    /// longer than the block, its digest under `hash` (wiped after copying).
    fn key_pad<const D: usize>(key: &[u8], hash: impl FnOnce(&[u8]) -> [u8; D]) -> Self {
        let mut pad = Self::default();
        if key.len() > BLOCK {
            let mut digest = hash(key);
            if let Some(dst) = pad.bytes_mut().get_mut(..D) {
                dst.copy_from_slice(&digest);
            }
            digest.zeroize();
        } else if let Some(dst) = pad.bytes_mut().get_mut(..key.len()) {
            dst.copy_from_slice(key);
        }
        pad
    }

    fn bytes(&self) -> &[u8; BLOCK] {
        zerocopy::transmute_ref!(&self.0)
    }

    fn bytes_mut(&mut self) -> &mut [u8; BLOCK] {
        zerocopy::transmute_mut!(&mut self.0)
    }

    fn xor_each_byte(&mut self, byte: u8) {
        let mask = u64::from_ne_bytes([byte; 8]);
        self.0.iter_mut().for_each(|w| *w ^= mask);
    }
}

/// HMAC-SHA256 keyed once, ready for any number of messages.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeyedMac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl KeyedMac {
    /// Absorb the key's inner and outer pad blocks. A key longer than the
    /// block is first hashed, as RFC 2104 says.
    #[inline]
    pub(crate) fn new(key: &[u8]) -> Self {
        Self::from_pad(SecretBlock::key_pad(key, |long| {
            sha2::Sha256::digest(long).into()
        }))
    }

    /// Key with a derived 32-byte key straight from its words (a device
    /// key fresh out of [`KeyedMac::mac`]), without a byte copy of it.
    #[inline]
    pub(crate) fn from_key(key: &MacValue) -> Self {
        let mut pad = SecretBlock::default();
        if let Some(dst) = pad.bytes_mut().first_chunk_mut::<32>() {
            *dst = key.to_bytes();
        }
        Self::from_pad(pad)
    }

    /// Absorb `pad` (the key, zero-filled to a block) as ipad and opad. One
    /// buffer, flipped in place, so one copy of the key exists and one wipe
    /// (on drop) clears it.
    #[inline]
    fn from_pad(mut pad: SecretBlock) -> Self {
        pad.xor_each_byte(0x36);
        let mut inner = IV;
        compress256(&mut inner, core::slice::from_ref(pad.bytes()));
        pad.xor_each_byte(0x36 ^ 0x5c);
        let mut outer = IV;
        compress256(&mut outer, core::slice::from_ref(pad.bytes()));
        Self { inner, outer }
    }

    /// HMAC of the concatenation of `parts`.
    #[inline]
    pub(crate) fn mac<const N: usize>(&self, parts: &[&[u8]; N]) -> MacValue {
        let mut block = [0u8; BLOCK];
        if fill_padded(&mut block, parts) {
            // The common case (every derivation label + id): the message and
            // its padding fit one block, built in place.
            self.outer(&finish(self.inner, &block))
        } else {
            self.mac_long(parts)
        }
    }

    /// A message longer than one block: streamed (never on a derivation's
    /// path, so kept out of line).
    #[cold]
    #[inline(never)]
    fn mac_long(&self, parts: &[&[u8]]) -> MacValue {
        let mut inner = Stream::resume(self.inner);
        for part in parts {
            inner.update(part);
        }
        self.outer(&inner.finalize())
    }

    /// The HMACs of two independent messages, computed side by side: both
    /// inner compressions, then both outer ones. Neither chain waits for
    /// the other, so the CPU overlaps them (a lone HMAC is a chain of
    /// dependent compressions that leaves the SHA unit half idle).
    #[inline]
    pub(crate) fn mac_pair<const A: usize, const B: usize>(
        &self,
        a: &[&[u8]; A],
        b: &[&[u8]; B],
    ) -> (MacValue, MacValue) {
        let mut block_a = [0u8; BLOCK];
        let mut block_b = [0u8; BLOCK];
        if !(fill_padded(&mut block_a, a) && fill_padded(&mut block_b, b)) {
            return (self.mac(a), self.mac(b));
        }
        let inner_a = finish(self.inner, &block_a);
        let inner_b = finish(self.inner, &block_b);
        // Both outer blocks are written before either is compressed: the
        // CPU's reorder window then holds the second chain's work while the
        // first compression runs.
        let outer_a = outer_block(&inner_a);
        let outer_b = outer_block(&inner_b);
        (finish(self.outer, &outer_a), finish(self.outer, &outer_b))
    }

    /// Start an HMAC whose message is fed piece by piece (length-prefixed
    /// fields of a code or link), still without re-keying.
    #[inline]
    pub(crate) fn stream(&self) -> MacStream<'_> {
        MacStream {
            key: self,
            inner: Stream::resume(self.inner),
        }
    }

    /// The outer hash: one block holding the inner digest, then the fixed
    /// padding.
    #[inline]
    fn outer(&self, inner_digest: &MacValue) -> MacValue {
        finish(self.outer, &outer_block(inner_digest))
    }
}

/// The outer hash's one block: the inner digest, then fixed padding.
#[inline]
fn outer_block(inner_digest: &MacValue) -> [u8; BLOCK] {
    let mut block = OUTER_PADDING;
    if let Some(dst) = block.first_chunk_mut::<32>() {
        *dst = inner_digest.to_bytes();
    }
    block
}

/// The outer block's fixed half: `0x80` after the 32-byte digest, then the
/// bit length of pad block + digest (96 bytes = 768 bits).
const OUTER_PADDING: [u8; BLOCK] = {
    let mut block = [0u8; BLOCK];
    block[32] = 0x80;
    block[BLOCK - 2] = 0x03;
    block
};

/// Compress one last block into `state`: the chaining value is the digest.
#[inline]
fn finish(mut state: [u32; 8], block: &[u8; BLOCK]) -> MacValue {
    compress256(&mut state, core::slice::from_ref(block));
    MacValue(state)
}

/// Longest message that fits the block after the key pad with its padding.
const ONE_BLOCK_MESSAGE: usize = BLOCK - 9;

/// Write `parts` into `block` (zeroed) and pad it as the second block of a
/// hash, the first being the key pad. False, with `block` untouched, if
/// they do not fit. Inlined with the caller's fixed list of parts, the
/// copies have constant lengths and need no `memcpy` call.
#[inline(always)]
fn fill_padded(block: &mut [u8; BLOCK], parts: &[&[u8]]) -> bool {
    let total = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
    if total > ONE_BLOCK_MESSAGE {
        return false;
    }
    let mut at = 0usize;
    for part in parts {
        let end = at.saturating_add(part.len());
        if let Some(dst) = block.get_mut(at..end) {
            dst.copy_from_slice(part);
        }
        at = end;
    }
    if let Some(b) = block.get_mut(at) {
        *b = 0x80;
    }
    let bits = u64::try_from(at.saturating_add(BLOCK))
        .unwrap_or(u64::MAX)
        .wrapping_mul(8);
    if let Some(dst) = block.get_mut(BLOCK - 8..) {
        dst.copy_from_slice(&bits.to_be_bytes());
    }
    true
}

/// HMAC-SHA-1 of one 8-byte message (RFC 4226's counter), driving `sha1`'s
/// block function as [`KeyedMac`] drives SHA-256's: four compressions,
/// the ipad and opad ones side by side, one wipe of the pad. Checked
/// against the `hmac` crate and RFC 4226's vectors.
pub(crate) fn hmac_sha1_counter(key: &[u8], counter: u64) -> [u8; 20] {
    const SHA1_IV: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    let mut pad = SecretBlock::key_pad(key, |long| {
        use sha1::Digest as _;
        sha1::Sha1::digest(long).into()
    });
    pad.xor_each_byte(0x36);
    let mut inner = SHA1_IV;
    sha1::block_api::compress(&mut inner, core::slice::from_ref(pad.bytes()));
    pad.xor_each_byte(0x36 ^ 0x5c);
    let mut outer = SHA1_IV;
    sha1::block_api::compress(&mut outer, core::slice::from_ref(pad.bytes()));
    drop(pad);

    // Inner: the counter, 0x80, zeros, bit length of pad + 8 bytes.
    let mut block = [0u8; BLOCK];
    if let Some(dst) = block.first_chunk_mut::<8>() {
        *dst = counter.to_be_bytes();
    }
    if let Some(b) = block.get_mut(8) {
        *b = 0x80;
    }
    if let Some(dst) = block.last_chunk_mut::<8>() {
        *dst = 576_u64.to_be_bytes(); // (64 + 8) bytes in bits
    }
    sha1::block_api::compress(&mut inner, core::slice::from_ref(&block));

    // Outer: the 20-byte inner digest, 0x80, zeros, bit length of pad + 20.
    let mut block = [0u8; BLOCK];
    for (chunk, word) in block.chunks_exact_mut(4).zip(&inner) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    if let Some(b) = block.get_mut(20) {
        *b = 0x80;
    }
    if let Some(dst) = block.last_chunk_mut::<8>() {
        *dst = 672_u64.to_be_bytes(); // (64 + 20) bytes in bits
    }
    sha1::block_api::compress(&mut outer, core::slice::from_ref(&block));
    inner.zeroize();
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(&outer) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    outer.zeroize();
    out
}

/// An HMAC in progress under a [`KeyedMac`]; its chaining value is wiped on
/// drop.
pub(crate) struct MacStream<'k> {
    key: &'k KeyedMac,
    inner: Stream,
}

impl MacStream<'_> {
    /// Absorb more message bytes.
    #[inline]
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The HMAC of everything absorbed.
    #[inline]
    pub(crate) fn finalize(mut self) -> MacValue {
        let inner_digest = self.inner.finalize();
        self.key.outer(&inner_digest)
    }
}

impl Drop for MacStream<'_> {
    fn drop(&mut self) {
        self.inner.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyedMac, MacValue};
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;

    fn reference(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().into()
    }

    #[test]
    fn rfc4231_case_2() {
        let out = KeyedMac::new(b"Jefe").mac(&[b"what do ya want ", b"for nothing?"]);
        let expected: [u8; 32] = [
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
            0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
            0x64, 0xec, 0x38, 0x43,
        ];
        assert_eq!(out.to_bytes(), expected);
    }

    #[test]
    fn rfc4231_case_6_long_key() {
        // 131-byte key: hashed first.
        let key = [0xaa_u8; 131];
        let out =
            KeyedMac::new(&key).mac(&[b"Test Using Larger Than Block-Size Key - Hash Key First"]);
        let expected: [u8; 32] = [
            0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26, 0xaa, 0xcb, 0xf5,
            0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28, 0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f,
            0x0e, 0xe3, 0x7f, 0x54,
        ];
        assert_eq!(out.to_bytes(), expected);
    }

    #[test]
    fn stream_equals_one_shot_and_hmac_crate() {
        let key = [0x0bu8; 20];
        let keyed = KeyedMac::new(&key);
        for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 200] {
            let msg: Vec<u8> = (0..len).map(|i| u8::try_from(i % 256).unwrap()).collect();
            let mut stream = keyed.stream();
            let (head, tail) = msg.split_at(len / 3);
            stream.update(head);
            stream.update(tail);
            assert_eq!(
                stream.finalize().to_bytes(),
                reference(&key, &msg),
                "len {len}"
            );
        }
    }

    #[test]
    fn every_padding_boundary_matches_hmac_crate() {
        let key = [0x0b_u8; 20];
        let msg: Vec<u8> = (0..=200u8).collect();
        for len in 0..msg.len() {
            let (a, b) = msg[..len].split_at(len / 3);
            assert_eq!(
                KeyedMac::new(&key).mac(&[a, b]).to_bytes(),
                reference(&key, &msg[..len]),
                "len {len}"
            );
        }
    }

    proptest! {
        #[test]
        fn matches_hmac_crate(key in proptest::collection::vec(any::<u8>(), 0..150),
                              parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..60), 4)) {
            // Four parts of 0-59 bytes: totals from empty to past two
            // blocks, so the one-block path and the streamed one both run.
            let joined: Vec<u8> = parts.concat();
            let refs = [&parts[0][..], &parts[1][..], &parts[2][..], &parts[3][..]];
            prop_assert_eq!(KeyedMac::new(&key).mac(&refs).to_bytes(), reference(&key, &joined));
        }

        #[test]
        fn keying_from_words_equals_keying_from_bytes(key in any::<[u8; 32]>(),
                                                      msg in proptest::collection::vec(any::<u8>(), 0..70)) {
            let from_words = KeyedMac::from_key(&MacValue::from_bytes(&key));
            prop_assert_eq!(from_words.mac(&[&msg]).to_bytes(), reference(&key, &msg));
        }

        #[test]
        fn prefixes_read_the_digest_bytes(key in any::<[u8; 32]>()) {
            let value = MacValue::from_bytes(&key);
            prop_assert_eq!(value.to_bytes(), key);
            prop_assert_eq!(value.first_u16(), u16::from_be_bytes([key[0], key[1]]));
            prop_assert_eq!(value.first_u32(), u32::from_be_bytes([key[0], key[1], key[2], key[3]]));
            prop_assert_eq!(value.first_u128(), u128::from_be_bytes(key[..16].try_into().unwrap()));
        }

        #[test]
        fn hmac_sha1_counter_matches_hmac_crate(key in proptest::collection::vec(any::<u8>(), 0..150),
                                                counter in any::<u64>()) {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
            m.update(&counter.to_be_bytes());
            let expected: [u8; 20] = m.finalize().into_bytes().into();
            prop_assert_eq!(super::hmac_sha1_counter(&key, counter), expected);
        }

        #[test]
        fn pair_equals_two_single_macs(key in proptest::collection::vec(any::<u8>(), 0..80),
                                       a in proptest::collection::vec(any::<u8>(), 0..90),
                                       b in proptest::collection::vec(any::<u8>(), 0..90)) {
            // Lengths straddle the one-block limit (55 bytes), so both the
            // side-by-side path and its fallback are exercised.
            let keyed = KeyedMac::new(&key);
            let (pa, pb) = keyed.mac_pair(&[&a], &[&b]);
            prop_assert_eq!(pa.to_bytes(), reference(&key, &a));
            prop_assert_eq!(pb.to_bytes(), reference(&key, &b));
        }
    }
}
