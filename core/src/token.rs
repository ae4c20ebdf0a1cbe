//! Signed links (docs/codes-and-links.md §2, docs/algorithms.md §1.2): self-contained, URL-safe tokens for e-mailed
//! links such as provisional registration and password reset.
//!
//! A token carries its claims (purpose, subject, issue and expiry time,
//! generation, key id) and a 128-bit truncated HMAC-SHA256 tag. Nothing is
//! stored per token; the caller keeps only a `generation` per subject and
//! purpose (raise it to revoke every earlier link) and may bind a token to
//! mutable state (e.g. the current password hash): the binding bytes are
//! mixed into the tag but not carried, so the link dies when that state
//! changes, as Django's password-reset tokens do.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use regcore::code::CodeSecret;
//! use regcore::token::{Keyring, LinkPolicy};
//!
//! let keyring = Keyring::new(1, CodeSecret::new(&[9u8; 32]).unwrap());
//! let policy = LinkPolicy::password_reset();
//! let now = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
//! let password_hash = b"$argon2id$v=19$...current hash...";
//!
//! let token = policy.issue(&keyring, "user-42", 3, password_hash, now).unwrap();
//! let subject = regcore::token::peek(&token).unwrap().subject; // untrusted, for lookup
//! let claims = policy.verify(&keyring, &token, 3, password_hash, now + Duration::minutes(10));
//! assert_eq!(claims.unwrap().subject, subject);
//! // After the password changes, the same link is refused:
//! assert!(policy.verify(&keyring, &token, 3, b"new hash", now).is_err());
//! ```
//!
//! Layout (docs/algorithms.md §1 has the byte-exact construction):
//! `token = base64url_nopad(payload ‖ tag)`, `tag = HMAC(secret[key_id],
//! LP("regcore/link/v1") ‖ payload ‖ LP(binding))[0..16]`.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::code::{CLOCK_SKEW_SECS, CodeSecret, update_lp};
use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::ids::PhoneNumber;
use crate::mac::{Keyed, finish};

const LINK_LABEL: &[u8] = b"regcore/link/v1";
const PHONE_LABEL: &[u8] = b"regcore/link-phone/v1";
const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
const FLAG_PHONE: u8 = 1;
/// Longest purpose or subject, in bytes (one length byte).
pub const MAX_CLAIM_LEN: usize = 255;
/// Longest token string accepted by verification.
pub const MAX_TOKEN_LEN: usize = 1024;
/// Bytes that [`MAX_TOKEN_LEN`] symbols decode to at most.
const MAX_TOKEN_BYTES: usize = MAX_TOKEN_LEN / 4 * 3;
/// Largest payload + tag a token can carry: header, two claims of at most
/// 255 bytes, phone tag, link tag.
const MAX_PAYLOAD_BYTES: usize = 27 + 2 * MAX_CLAIM_LEN + 2 * TAG_LEN;

/// Secrets by key id. The current key signs; every key verifies, so a
/// rotation keeps links already mailed working until they expire.
#[derive(Clone)]
pub struct Keyring {
    current: u32,
    keys: Vec<(u32, CodeSecret)>,
}

impl Keyring {
    /// A keyring whose current (signing) key is `secret` under `key_id`.
    #[must_use]
    pub fn new(key_id: u32, secret: CodeSecret) -> Self {
        Self {
            current: key_id,
            keys: vec![(key_id, secret)],
        }
    }

    /// Add a verify-only key (a retired one). A key id already present is
    /// replaced.
    #[must_use]
    pub fn with_key(mut self, key_id: u32, secret: CodeSecret) -> Self {
        self.keys.retain(|(id, _)| *id != key_id);
        self.keys.push((key_id, secret));
        self
    }

    /// Make `key_id` (already in the ring) the signing key.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] with reason `unknown_key` if absent.
    pub fn rotate_to(mut self, key_id: u32) -> Result<Self, TokenError> {
        if self.get(key_id).is_none() {
            return Err(TokenError::Invalid {
                reason: InvalidReason::UnknownKey,
            });
        }
        self.current = key_id;
        Ok(self)
    }

    /// The signing key's id.
    #[must_use]
    pub fn current_key_id(&self) -> u32 {
        self.current
    }

    fn get(&self, key_id: u32) -> Option<&CodeSecret> {
        self.keys
            .iter()
            .find(|(id, _)| *id == key_id)
            .map(|(_, s)| s)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<u32> = self.keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("key_ids", &ids)
            .finish_non_exhaustive()
    }
}

/// The authenticated content of a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkClaims {
    /// What the link is for, e.g. `password_reset`.
    pub purpose: String,
    /// Whom it is for (the caller's stable account or application id).
    pub subject: String,
    /// Issue time (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// Expiry time (whole seconds); expired from this instant on.
    pub expires_at: DateTime<Utc>,
    /// The caller's generation when issued.
    pub generation: u32,
    /// Id of the signing key.
    pub key_id: u32,
    /// True if completing needs the phone number (provisional registration).
    pub requires_phone: bool,
}

/// A link kind: purpose and lifetime (serde data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPolicy {
    /// Purpose name (≤ 255 bytes), part of the signed claims.
    pub purpose: String,
    /// Seconds from issue to expiry.
    pub lifetime_secs: u64,
}

impl LinkPolicy {
    /// Password-reset link: 1 h.
    #[must_use]
    pub fn password_reset() -> Self {
        Self {
            purpose: "password_reset".to_owned(),
            lifetime_secs: 3_600,
        }
    }

    /// Provisional-registration link: 72 h (decision, configurable).
    #[must_use]
    pub fn provisional_registration() -> Self {
        Self {
            purpose: "provisional_registration".to_owned(),
            lifetime_secs: 72 * 3_600,
        }
    }

    /// Sign a link for `subject` with the keyring's current key.
    /// `generation` is the caller's current generation for this subject and
    /// purpose; `binding` is mixed into the tag (empty for none).
    ///
    /// # Errors
    /// [`TokenError::ClaimTooLong`] if purpose or subject exceeds 255 bytes,
    /// or `binding` exceeds [`MAX_BINDING_LEN`] bytes.
    pub fn issue(
        &self,
        keyring: &Keyring,
        subject: &str,
        generation: u32,
        binding: &[u8],
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        self.issue_with(keyring, subject, generation, binding, None, now)
    }

    fn issue_with(
        &self,
        keyring: &Keyring,
        subject: &str,
        generation: u32,
        binding: &[u8],
        phone: Option<&PhoneNumber>,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let too_long = |field| TokenError::ClaimTooLong {
            field,
            max: MAX_CLAIM_LEN,
        };
        let purpose_len = u8::try_from(self.purpose.len()).map_err(|_| too_long("purpose"))?;
        let subject_len = u8::try_from(subject.len()).map_err(|_| too_long("subject"))?;
        if !binding_fits(binding) {
            return Err(TokenError::ClaimTooLong {
                field: "binding",
                max: MAX_BINDING_LEN,
            });
        }
        let key_id = keyring.current;
        let secret = keyring.get(key_id).ok_or(TokenError::Invalid {
            reason: InvalidReason::UnknownKey,
        })?;
        let issued = now.timestamp();
        let lifetime = i64::try_from(self.lifetime_secs).unwrap_or(i64::MAX);
        let expires = issued
            .saturating_add(lifetime)
            .min(DateTime::<Utc>::MAX_UTC.timestamp());

        let mut payload = Vec::with_capacity(MAX_PAYLOAD_BYTES);
        payload.push(VERSION);
        payload.extend_from_slice(&key_id.to_be_bytes());
        payload.extend_from_slice(&issued.to_be_bytes());
        payload.extend_from_slice(&expires.to_be_bytes());
        payload.extend_from_slice(&generation.to_be_bytes());
        payload.push(if phone.is_some() { FLAG_PHONE } else { 0 });
        payload.push(purpose_len);
        payload.extend_from_slice(self.purpose.as_bytes());
        payload.push(subject_len);
        payload.extend_from_slice(subject.as_bytes());
        if let Some(phone) = phone {
            payload.extend_from_slice(&phone_tag(secret, phone));
        }
        let tag = link_tag(secret, &payload, binding);
        payload.extend_from_slice(&tag);
        Ok(base64url_encode(&payload))
    }

    /// Verify a token for this purpose against the caller's current
    /// generation and binding.
    ///
    /// Checks, in order: well-formed → known key → tag (constant-time) →
    /// purpose → not a phone-bound token (use
    /// [`ProvisionalRegistration::complete`]) → generation → expiry.
    ///
    /// # Errors
    /// [`TokenError::Malformed`], [`TokenError::Invalid`],
    /// [`TokenError::Superseded`] (generation lower than `current_generation`),
    /// [`TokenError::Expired`]. Never panics on any string.
    pub fn verify(
        &self,
        keyring: &Keyring,
        token: &str,
        current_generation: u32,
        binding: &[u8],
        now: DateTime<Utc>,
    ) -> Result<LinkClaims, TokenError> {
        let verified = self.verify_inner(keyring, token, current_generation, binding, now)?;
        if verified.phone_tag.is_some() {
            return Err(TokenError::Invalid {
                reason: InvalidReason::PhoneRequired,
            });
        }
        Ok(verified.claims)
    }

    fn verify_inner<'k>(
        &self,
        keyring: &'k Keyring,
        token: &str,
        current_generation: u32,
        binding: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Verified<'k>, TokenError> {
        let invalid = |reason| TokenError::Invalid { reason };
        let mut buf = [0u8; MAX_TOKEN_BYTES];
        let decoded = decode(decode_base64url(token, &mut buf)?)?;
        let secret = keyring
            .get(decoded.key_id)
            .ok_or(invalid(InvalidReason::UnknownKey))?;
        if !binding_fits(binding) {
            // Issuing refuses such a binding, so no token carries it.
            return Err(invalid(InvalidReason::BadSignature));
        }
        let expected = link_tag(secret, decoded.payload, binding);
        if !bool::from(expected.ct_eq(&decoded.tag)) {
            return Err(invalid(InvalidReason::BadSignature));
        }
        if decoded.purpose != self.purpose {
            return Err(invalid(InvalidReason::WrongPurpose));
        }
        if decoded.generation > current_generation {
            return Err(invalid(InvalidReason::GenerationAhead));
        }
        if decoded.generation < current_generation {
            return Err(TokenError::Superseded);
        }
        let now_s = now.timestamp();
        if now_s >= decoded.expires_at.timestamp()
            || now_s
                < decoded
                    .issued_at
                    .timestamp()
                    .saturating_sub(CLOCK_SKEW_SECS)
        {
            return Err(TokenError::Expired {
                expired_at: decoded.expires_at,
            });
        }
        Ok(Verified {
            claims: decoded.claims(),
            phone_tag: decoded.phone_tag,
            secret,
        })
    }
}

/// An authenticated token: its claims, its phone tag if any, and the
/// secret that signed it (to check the phone with).
struct Verified<'k> {
    claims: LinkClaims,
    phone_tag: Option<[u8; TAG_LEN]>,
    secret: &'k CodeSecret,
}

/// Read a token's claims **without** authenticating them, e.g. to find the
/// subject whose generation and binding the caller must load before
/// [`LinkPolicy::verify`]. Never trust them for anything else.
///
/// # Errors
/// [`TokenError::Malformed`].
pub fn peek(token: &str) -> Result<LinkClaims, TokenError> {
    let mut buf = [0u8; MAX_TOKEN_BYTES];
    decode(decode_base64url(token, &mut buf)?).map(|d| d.claims())
}

/// A token's bytes: at most [`MAX_TOKEN_LEN`] symbols of strict base64url
/// (no padding, zero trailing bits), decoded onto the caller's stack.
fn decode_base64url<'b>(
    token: &str,
    buf: &'b mut [u8; MAX_TOKEN_BYTES],
) -> Result<&'b [u8], TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    Base64UrlUnpadded::decode(token, buf).map_err(|_| TokenError::Malformed)
}

/// A parsed (not yet authenticated) token, borrowing the decoded bytes:
/// nothing is allocated until the claims are returned.
struct Decoded<'a> {
    key_id: u32,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    generation: u32,
    purpose: &'a str,
    subject: &'a str,
    phone_tag: Option<[u8; TAG_LEN]>,
    /// Everything the link tag covers.
    payload: &'a [u8],
    tag: [u8; TAG_LEN],
}

impl Decoded<'_> {
    fn claims(&self) -> LinkClaims {
        LinkClaims {
            purpose: self.purpose.to_owned(),
            subject: self.subject.to_owned(),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            generation: self.generation,
            key_id: self.key_id,
            requires_phone: self.phone_tag.is_some(),
        }
    }
}

fn decode(bytes: &[u8]) -> Result<Decoded<'_>, TokenError> {
    // token bytes = payload ‖ tag
    let (payload, tag) = bytes
        .split_last_chunk::<TAG_LEN>()
        .ok_or(TokenError::Malformed)?;
    let mut r = Reader { rest: payload };
    let version = r.u8()?;
    if version != VERSION {
        return Err(TokenError::Malformed);
    }
    let key_id = u32::from_be_bytes(r.array()?);
    let issued = i64::from_be_bytes(r.array()?);
    let expires = i64::from_be_bytes(r.array()?);
    let generation = u32::from_be_bytes(r.array()?);
    let flags = r.u8()?;
    if flags & !FLAG_PHONE != 0 {
        return Err(TokenError::Malformed);
    }
    let purpose = r.str()?;
    let subject = r.str()?;
    let phone_tag = if flags & FLAG_PHONE != 0 {
        Some(r.array::<TAG_LEN>()?)
    } else {
        None
    };
    if !r.rest.is_empty() {
        return Err(TokenError::Malformed);
    }
    let time = |s| DateTime::from_timestamp(s, 0).ok_or(TokenError::Malformed);
    Ok(Decoded {
        key_id,
        issued_at: time(issued)?,
        expires_at: time(expires)?,
        generation,
        purpose,
        subject,
        phone_tag,
        payload,
        tag: *tag,
    })
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn array<const N: usize>(&mut self) -> Result<[u8; N], TokenError> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(TokenError::Malformed)?;
        self.rest = tail;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8, TokenError> {
        self.array::<1>().map(|[b]| b)
    }
    fn str(&mut self) -> Result<&'a str, TokenError> {
        let len = usize::from(self.u8()?);
        let (head, tail) = self
            .rest
            .split_at_checked(len)
            .ok_or(TokenError::Malformed)?;
        self.rest = tail;
        std::str::from_utf8(head).map_err(|_| TokenError::Malformed)
    }
}

/// Longest binding, in bytes: its length is a `BE32` in the tag.
pub const MAX_BINDING_LEN: usize = 0xFFFF_FFFF;

/// True if `LP(binding)` exists (its length fits a `BE32`).
fn binding_fits(binding: &[u8]) -> bool {
    u32::try_from(binding.len()).is_ok()
}

/// `tag = HMAC(secret, LP("regcore/link/v1") ‖ payload ‖ LP(binding))[0..16]`;
/// callers check [`binding_fits`] first.
fn link_tag(secret: &CodeSecret, payload: &[u8], binding: &[u8]) -> [u8; TAG_LEN] {
    let mut mac = secret.hmac_key().start();
    update_lp(&mut mac, LINK_LABEL);
    mac.update(payload);
    update_lp(&mut mac, binding);
    finish(mac).prefix()
}

/// `phone_tag = HMAC(secret, LP("regcore/link-phone/v1") ‖ LP(phone_digits))[0..16]`
fn phone_tag(secret: &CodeSecret, phone: &PhoneNumber) -> [u8; TAG_LEN] {
    let mut mac = secret.hmac_key().start();
    update_lp(&mut mac, PHONE_LABEL);
    update_lp(&mut mac, phone.as_str().as_bytes());
    finish(mac).prefix()
}

/// Provisional registration \[001\]\[002\]: the mailed link completes the
/// account only together with the phone number given at application.
///
/// Decision: the token carries a keyed phone tag
/// `HMAC(secret, LP("regcore/link-phone/v1") ‖ LP(digits))[0..16]`, so
/// completion needs no stored phone number, the link does not reveal the
/// number, and a wrong number is reported distinctly
/// ([`TokenError::PhoneMismatch`]). The tag is keyed, so it cannot be
/// brute-forced offline; online guesses must be limited by the caller (a
/// [`crate::lockout::LockoutState`] per application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionalRegistration {
    /// Purpose and lifetime (default: [`LinkPolicy::provisional_registration`]).
    pub link: LinkPolicy,
}

impl Default for ProvisionalRegistration {
    fn default() -> Self {
        Self {
            link: LinkPolicy::provisional_registration(),
        }
    }
}

impl ProvisionalRegistration {
    /// Sign the registration link for an application.
    ///
    /// # Errors
    /// [`TokenError::ClaimTooLong`].
    pub fn issue(
        &self,
        keyring: &Keyring,
        subject: &str,
        phone: &PhoneNumber,
        generation: u32,
        binding: &[u8],
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        self.link
            .issue_with(keyring, subject, generation, binding, Some(phone), now)
    }

    /// Verify the link and the phone number typed at completion (parse it
    /// with [`PhoneNumber::parse`] first; compared in constant time after
    /// normalisation).
    ///
    /// # Errors
    /// As [`LinkPolicy::verify`], then [`TokenError::PhoneMismatch`];
    /// a token without a phone tag is [`TokenError::Invalid`].
    pub fn complete(
        &self,
        keyring: &Keyring,
        token: &str,
        typed_phone: &PhoneNumber,
        current_generation: u32,
        binding: &[u8],
        now: DateTime<Utc>,
    ) -> Result<LinkClaims, TokenError> {
        let verified = self
            .link
            .verify_inner(keyring, token, current_generation, binding, now)?;
        let Some(expected) = verified.phone_tag else {
            return Err(TokenError::Invalid {
                reason: InvalidReason::PhoneMissing,
            });
        };
        let typed = phone_tag(verified.secret, typed_phone);
        if bool::from(expected.ct_eq(&typed)) {
            Ok(verified.claims)
        } else {
            Err(TokenError::PhoneMismatch)
        }
    }
}

/// URL-safe base64 without padding (RFC 4648 §5), by RustCrypto's
/// constant-time `base64ct`.
#[must_use]
pub fn base64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decode [`base64url_encode`]'s form; `None` for any other input
/// (padding, other alphabets, non-zero trailing bits, impossible lengths).
#[must_use]
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// Why a link token was refused or could not be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a token of this format. Code `token.malformed`.
    #[error("the link is broken or incomplete")]
    Malformed,
    /// Well-formed but not authentic or not for this use. Code
    /// `token.invalid`; parameter `reason`.
    #[error("the link is not valid ({})", reason.name())]
    Invalid {
        /// What failed (for logs; show users one generic message).
        reason: InvalidReason,
    },
    /// Past its expiry. Code `token.expired`; parameter `expired_at` (`YYYY-MM-DD hh:mm:ss UTC`).
    #[error("the link expired at {expired_at}")]
    Expired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// A newer link was issued (or this one was used). Code `token.superseded`.
    #[error("a newer link has been sent; use the latest one")]
    Superseded,
    /// The phone number does not match the one given at application. Code
    /// `token.phone_mismatch`.
    #[error("the phone number does not match the one given at application")]
    PhoneMismatch,
    /// Purpose or subject too long to issue. Code `token.claim_too_long`;
    /// parameters `field`, `max`.
    #[error("{field} is longer than {max} bytes")]
    ClaimTooLong {
        /// `purpose` or `subject`.
        field: &'static str,
        /// Maximum bytes.
        max: usize,
    },
}

/// Detail of [`TokenError::Invalid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidReason {
    /// No key with the token's key id.
    UnknownKey,
    /// The tag does not match (forged, altered, or binding changed).
    BadSignature,
    /// Authentic, but issued for another purpose.
    WrongPurpose,
    /// The token's generation is above the caller's current one.
    GenerationAhead,
    /// A phone-bound token presented to plain verification.
    PhoneRequired,
    /// A token without phone tag presented to registration completion.
    PhoneMissing,
}

impl InvalidReason {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongPurpose => "wrong_purpose",
            Self::GenerationAhead => "generation_ahead",
            Self::PhoneRequired => "phone_required",
            Self::PhoneMissing => "phone_missing",
        }
    }
}

impl Coded for TokenError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Malformed | Self::ClaimTooLong { .. } => ErrorKind::InvalidInput,
            Self::Invalid { .. } | Self::PhoneMismatch => ErrorKind::Rejected,
            Self::Expired { .. } | Self::Superseded => ErrorKind::Expired,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "token.malformed",
            Self::Invalid { .. } => "token.invalid",
            Self::Expired { .. } => "token.expired",
            Self::Superseded => "token.superseded",
            Self::PhoneMismatch => "token.phone_mismatch",
            Self::ClaimTooLong { .. } => "token.claim_too_long",
        }
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::Invalid { reason } => vec![("reason", reason.name().to_owned())],
            Self::Expired { expired_at } => vec![("expired_at", expired_at.to_string())],
            Self::ClaimTooLong { field, max } => {
                vec![("field", (*field).to_owned()), ("max", max.to_string())]
            }
            _ => Vec::new(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::Malformed | Self::Invalid { .. }) => "このURLは無効です。".to_owned(),
            (Lang::Ja, Self::Expired { .. }) => "このURLの有効期限が切れています。".to_owned(),
            (Lang::Ja, Self::Superseded) => {
                "新しいURLが発行されています。最新のメールのURLを使用してください。".to_owned()
            }
            (Lang::Ja, Self::PhoneMismatch) => {
                "電話番号が申込時に入力された番号と一致しません。".to_owned()
            }
            (Lang::Ja, Self::ClaimTooLong { field, max }) => {
                format!("{field}は{max}バイト以内にしてください。")
            }
        }
    }
}
