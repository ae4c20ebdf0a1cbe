//! One-time codes (docs/codes-and-links.md §1, docs/algorithms.md §1.1): the 6-digit codes mailed for sign-up, e-mail
//! change and password reset.
//!
//! Codes are **derived, not stored**: `code = HOTP(K, counter)` (RFC 4226,
//! HMAC-SHA-1, dynamic truncation, 6 digits) with
//!
//! ```text
//! K       = HMAC-SHA256(secret, LP("regcore/otp/v1") ‖ LP(purpose) ‖ LP(subject))
//! counter = BE64(series · 2^32 + generation)
//! LP(x)   = BE32(len(x)) ‖ x
//! ```
//!
//! The caller stores only a small [`CodeState`] per subject and purpose.
//! `generation` goes up by one at every issue, so each issue gives a new
//! code and an older code can be recognised as superseded by recomputing it
//! (no old code is stored). `series` is the issue time (Unix seconds mod
//! 2^32) of the first code of the chain, so that a caller who loses the
//! state and starts again at generation 1 does not mail the same codes again.
//! See docs/algorithms.md §1 for the byte-exact construction.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use regcore::code::{CodePolicy, CodeSecret};
//!
//! let secret = CodeSecret::new(&[7u8; 32]).unwrap(); // from your secret store
//! let policy = CodePolicy::password_reset();
//! let t0 = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
//!
//! let (state, code) = policy.issue(&secret, "user-42", None, t0).unwrap();
//! // mail code.as_str() to the user, store state.encode()
//! let typed = code.as_str().to_owned();
//! let check = policy.verify(&secret, "user-42", &typed, &state, t0 + Duration::minutes(5));
//! assert!(check.result.is_ok());
//! // store check.state: the code is now spent
//! let again = policy.verify(&secret, "user-42", &typed, &check.state, t0 + Duration::minutes(6));
//! assert!(again.result.is_err());
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::mac::{HmacKey, HmacSha256, Keyed, finish};
use crate::normalize::compact_string;
use crate::state_text;

/// Minimum secret length in bytes (256 bits).
pub const MIN_SECRET_LEN: usize = 32;
/// Longest subject, in bytes: the same cap as a link's subject
/// ([`crate::token::MAX_CLAIM_LEN`]), so one account identifier fits both.
pub const MAX_SUBJECT_LEN: usize = 255;
/// Digits in a code.
pub const CODE_DIGITS: usize = 6;
/// How many generations before the current one verification recomputes to
/// report [`CodeRejection::Superseded`] instead of [`CodeRejection::Wrong`].
pub const SUPERSEDED_LOOKBACK: u32 = 4;
/// A code or token stamped more than this many seconds in the future is
/// treated as expired (the clock went backwards beyond normal skew; fail
/// closed). Within it, elapsed time counts as zero.
pub const CLOCK_SKEW_SECS: i64 = 300;

const OTP_LABEL: &[u8] = b"regcore/otp/v1";
const DIGITS_MODULUS: u32 = 1_000_000;

/// A server-side secret for codes and link tokens: at least
/// [`MIN_SECRET_LEN`] bytes, wiped on drop, never printed.
#[derive(Clone)]
pub struct CodeSecret {
    /// Only the keyed HMAC-SHA256 state is kept (wiped on drop): every code
    /// and link under it clones it, and no copy of the raw bytes lingers.
    keyed: HmacKey,
}

/// The keyed state is the only field, and it wipes itself on drop.
impl ZeroizeOnDrop for CodeSecret {}

impl CodeSecret {
    /// Wrap secret bytes (copied).
    ///
    /// # Errors
    /// [`CodeError::SecretTooShort`] below [`MIN_SECRET_LEN`] bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, CodeError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(CodeError::SecretTooShort {
                min: MIN_SECRET_LEN,
                actual: bytes.len(),
            });
        }
        Ok(Self {
            keyed: HmacKey::new(bytes),
        })
    }
}

impl Keyed for CodeSecret {
    fn hmac_key(&self) -> &HmacKey {
        &self.keyed
    }
}

impl fmt::Debug for CodeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeSecret(<redacted>)")
    }
}

/// `LP(x) = BE32(len(x)) ‖ x` into an HMAC.
///
/// # Panics
/// If `x` is 4 GiB or longer (its length has no `BE32`). No input reaches
/// this: every caller bounds its field first (labels are constants, a code
/// subject is at most [`MAX_SUBJECT_LEN`] bytes, a phone number 11 digits,
/// and a link binding longer than `u32::MAX` bytes is refused with a coded
/// error before any HMAC), because a wrapped or clamped length would
/// silently give another derivation.
pub(crate) fn update_lp(mac: &mut HmacSha256, x: &[u8]) {
    let len = u32::try_from(x.len()).expect("LP fields are shorter than 4 GiB");
    mac.update(&len.to_be_bytes());
    mac.update(x);
}

/// What a code is for. Its name is part of the key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodePurpose {
    /// Sign-up e-mail verification \[000\] §2.
    SignUp,
    /// New e-mail address verification \[000\] §4-1.
    EmailChange,
    /// Password reset \[000\] §3-3.
    PasswordReset,
}

impl CodePurpose {
    /// Stable name (ASCII), used in the derivation.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::EmailChange => "email_change",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Lifetime and attempt limit for one purpose (serde data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodePolicy {
    /// What the codes are for.
    pub purpose: CodePurpose,
    /// Seconds from issue until a code expires.
    pub lifetime_secs: u64,
    /// Wrong entries after which the code is burned (decision: 5).
    pub max_attempts: u32,
}

impl CodePolicy {
    /// Sign-up verification: 24 h \[000\], 5 tries.
    #[must_use]
    pub const fn sign_up() -> Self {
        Self {
            purpose: CodePurpose::SignUp,
            lifetime_secs: 86_400,
            max_attempts: 5,
        }
    }

    /// E-mail change verification: 24 h \[000\], 5 tries.
    #[must_use]
    pub const fn email_change() -> Self {
        Self {
            purpose: CodePurpose::EmailChange,
            lifetime_secs: 86_400,
            max_attempts: 5,
        }
    }

    /// Password reset: 1 h (decision, Cognito's), 5 tries.
    #[must_use]
    pub const fn password_reset() -> Self {
        Self {
            purpose: CodePurpose::PasswordReset,
            lifetime_secs: 3_600,
            max_attempts: 5,
        }
    }

    /// The same policy with another lifetime.
    #[must_use]
    pub const fn with_lifetime_secs(mut self, lifetime_secs: u64) -> Self {
        self.lifetime_secs = lifetime_secs;
        self
    }

    /// Issue a new code for `subject` (a stable account identifier, the
    /// same bytes every time). `previous` is the stored state, if any: the
    /// new code supersedes every earlier one. Returns the state to store and
    /// the code to send.
    ///
    /// # Errors
    /// [`CodeError::SubjectTooLong`] if `subject` exceeds [`MAX_SUBJECT_LEN`]
    /// bytes.
    pub fn issue(
        &self,
        secret: &CodeSecret,
        subject: &str,
        previous: Option<&CodeState>,
        now: DateTime<Utc>,
    ) -> Result<(CodeState, OneTimeCode), CodeError> {
        let key = derive_key(secret, self.purpose, subject)?;
        // The next generation of the chain; past 2^32 − 1 (or with no
        // previous state) a new chain starts at generation 1.
        let next = previous.and_then(|p| Some((p.series, p.generation.checked_add(1)?)));
        let (series, generation) = next.unwrap_or_else(|| (series_of(now.timestamp()), 1));
        let state = CodeState {
            series,
            generation,
            issued_at: DateTime::from_timestamp(now.timestamp(), 0)
                .expect("the whole seconds of a representable time are representable"),
            attempts: 0,
            used: false,
        };
        let code = OneTimeCode::from_value(hotp6(key.as_slice(), state.counter()));
        Ok((state, code))
    }

    /// Check a typed code against the stored state. Always returns the state
    /// to store (unchanged, one more attempt, or spent) with the result.
    ///
    /// Order: subject too long (a caller error, [`CodeRejection::SubjectTooLong`])
    /// → spent → burned → expired → malformed input → compare. Full-width
    /// digits, spaces and hyphens in `typed` are accepted. A wrong or
    /// superseded code costs one of [`CodePolicy::max_attempts`]; malformed
    /// input costs nothing. The comparison is constant-time.
    pub fn verify(
        &self,
        secret: &CodeSecret,
        subject: &str,
        typed: &str,
        state: &CodeState,
        now: DateTime<Utc>,
    ) -> Verification {
        let unchanged = |rejection| Verification {
            result: Err(rejection),
            state: *state,
        };
        if subject.len() > MAX_SUBJECT_LEN {
            return unchanged(CodeRejection::SubjectTooLong {
                max: MAX_SUBJECT_LEN,
            });
        }
        if state.used {
            return unchanged(CodeRejection::AlreadyUsed);
        }
        if state.attempts >= self.max_attempts {
            return unchanged(CodeRejection::TooManyAttempts);
        }
        if self.is_expired(state, now) {
            return unchanged(CodeRejection::Expired);
        }
        let Some(typed_value) = parse_typed(typed) else {
            return unchanged(CodeRejection::Malformed);
        };
        let Ok(key) = derive_key(secret, self.purpose, subject) else {
            return unchanged(CodeRejection::SubjectTooLong {
                max: MAX_SUBJECT_LEN,
            });
        };
        let current = hotp6(key.as_slice(), state.counter());
        if bool::from(current.ct_eq(&typed_value)) {
            return Verification {
                result: Ok(()),
                state: CodeState {
                    used: true,
                    ..*state
                },
            };
        }
        let mut superseded = subtle::Choice::from(0);
        for back in 1..=SUPERSEDED_LOOKBACK {
            if let Some(g) = state.generation.checked_sub(back).filter(|g| *g >= 1) {
                let old = hotp6(key.as_slice(), counter(state.series, g));
                superseded |= old.ct_eq(&typed_value);
            }
        }
        let attempts = state.attempts.saturating_add(1);
        let attempts_left = self.max_attempts.saturating_sub(attempts);
        Verification {
            result: Err(if bool::from(superseded) {
                CodeRejection::Superseded { attempts_left }
            } else {
                CodeRejection::Wrong { attempts_left }
            }),
            state: CodeState { attempts, ..*state },
        }
    }

    /// True once the state's code can no longer be used because of time.
    #[must_use]
    pub fn is_expired(&self, state: &CodeState, now: DateTime<Utc>) -> bool {
        let issued = state.issued_at.timestamp();
        let now = now.timestamp();
        if now < issued.saturating_sub(CLOCK_SKEW_SECS) {
            return true;
        }
        let elapsed = u64::try_from(now.saturating_sub(issued)).unwrap_or(0);
        elapsed >= self.lifetime_secs
    }

    /// When the state's code expires.
    #[must_use]
    pub fn expires_at(&self, state: &CodeState) -> DateTime<Utc> {
        let lifetime = i64::try_from(self.lifetime_secs).unwrap_or(i64::MAX);
        DateTime::from_timestamp(state.issued_at.timestamp().saturating_add(lifetime), 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Until when a store keeps the state: one day past the code's expiry
    /// (decision), so a late try is still told `code.expired` rather than
    /// finding nothing.
    #[must_use]
    pub fn retain_until(&self, state: &CodeState) -> DateTime<Utc> {
        self.expires_at(state)
            .checked_add_signed(chrono::TimeDelta::days(1))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

fn series_of(unix_secs: i64) -> u32 {
    // Unix seconds mod 2^32: the low word of the two's complement (pre-1970
    // wraps too).
    let [_, _, _, _, low @ ..] = unix_secs.to_be_bytes();
    u32::from_be_bytes(low)
}

fn counter(series: u32, generation: u32) -> u64 {
    (u64::from(series) << 32) | u64::from(generation)
}

/// Parse 6 digits after folding full-width and dropping spaces/hyphens.
fn parse_typed(typed: &str) -> Option<u32> {
    if typed.len() > 64 {
        return None;
    }
    let compact = compact_string(typed);
    if compact.len() != CODE_DIGITS || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    compact.parse().ok()
}

/// The per-code key `K = HMAC-SHA256(secret, LP("regcore/otp/v1") ‖
/// LP(purpose) ‖ LP(subject))` (32 bytes, wiped on drop).
///
/// # Errors
/// [`CodeError::SubjectTooLong`] if `subject` exceeds [`MAX_SUBJECT_LEN`]
/// bytes (docs/algorithms.md §1.1).
pub fn derive_key(
    secret: &CodeSecret,
    purpose: CodePurpose,
    subject: &str,
) -> Result<Zeroizing<[u8; 32]>, CodeError> {
    if subject.len() > MAX_SUBJECT_LEN {
        return Err(CodeError::SubjectTooLong {
            max: MAX_SUBJECT_LEN,
        });
    }
    let mut mac = secret.hmac_key().start();
    update_lp(&mut mac, OTP_LABEL);
    update_lp(&mut mac, purpose.name().as_bytes());
    update_lp(&mut mac, subject.as_bytes());
    Ok(Zeroizing::new(*finish(mac).bytes()))
}

/// RFC 4226 HOTP before the decimal reduction: HMAC-SHA-1 of `BE64(counter)`
/// under `key`, dynamically truncated to 31 bits.
#[must_use]
pub fn hotp_truncated(key: &[u8], counter: u64) -> u32 {
    let hs: [u8; 20] = Hmac::<sha1::Sha1>::new_from_slice(key)
        .expect("HMAC accepts keys of every length")
        .chain_update(counter.to_be_bytes())
        .finalize()
        .into_bytes()
        .into();
    // Dynamic truncation (RFC 4226 §5.3): 4 bytes from offset = low nibble
    // of the last byte.
    let [.., last] = hs;
    let (_, from_offset) = hs.split_at(usize::from(last & 0x0f));
    let word = from_offset
        .first_chunk::<4>()
        .expect("an offset of at most 15 leaves 5 of 20 bytes");
    u32::from_be_bytes(*word) & 0x7fff_ffff
}

/// RFC 4226 HOTP with 6 digits, as a number (`0..1_000_000`).
#[must_use]
pub fn hotp6(key: &[u8], counter: u64) -> u32 {
    hotp_truncated(key, counter) % DIGITS_MODULUS
}

/// A code to send: six ASCII digits. Wiped on drop; `Debug` redacts.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct OneTimeCode {
    digits: String,
}

impl OneTimeCode {
    /// Six digits, zero-padded, of a [`hotp6`] value (below 10^6).
    fn from_value(value: u32) -> Self {
        debug_assert!(value < DIGITS_MODULUS, "hotp6 reduces mod 10^6");
        Self {
            digits: format!("{value:06}"),
        }
    }

    /// The six digits (zero-padded), for the e-mail.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

/// What the caller stores per subject and purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeState {
    /// Unix seconds (mod 2^32) of the chain's first issue.
    pub series: u32,
    /// 1 for the first code, +1 at every issue.
    pub generation: u32,
    /// When the current code was issued (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// Wrong entries of the current code so far.
    pub attempts: u32,
    /// The current code was accepted (single use).
    pub used: bool,
}

impl CodeState {
    /// The RFC 4226 counter of the current code: `series · 2^32 + generation`.
    #[must_use]
    pub fn counter(&self) -> u64 {
        counter(self.series, self.generation)
    }

    /// Compact text form: `c1.<series>.<generation>.<issued_at_secs>.<attempts>.<used 0|1>`.
    #[must_use]
    pub fn encode(&self) -> String {
        state_text::join(
            "c1",
            &[
                self.series.to_string(),
                self.generation.to_string(),
                self.issued_at.timestamp().to_string(),
                self.attempts.to_string(),
                u8::from(self.used).to_string(),
            ],
        )
    }

    /// Parse [`CodeState::encode`]'s canonical form.
    ///
    /// # Errors
    /// [`CodeError::MalformedState`]; never panics.
    pub fn decode(input: &str) -> Result<Self, CodeError> {
        let bad = |reason| CodeError::MalformedState { reason };
        let [series, generation, issued, attempts, used] =
            state_text::fields::<5>(input, "c1", 80).map_err(|m| bad(m.reason()))?;
        let u32_field = |s: &str, reason| state_text::canonical_u32(s).ok_or(bad(reason));
        let issued_secs = state_text::canonical_i64(issued).ok_or(bad("issued_at"))?;
        let used = match used {
            "0" => false,
            "1" => true,
            _ => return Err(bad("used")),
        };
        Self::checked(
            u32_field(series, "series")?,
            u32_field(generation, "generation")?,
            issued_secs,
            u32_field(attempts, "attempts")?,
            used,
        )
    }

    /// A state from its fields (e.g. columns of the caller's own table),
    /// checked as [`CodeState::decode`] checks the text form: generation ≥ 1
    /// and `issued_at` in whole seconds (nothing is rounded).
    ///
    /// # Errors
    /// [`CodeError::MalformedState`] (`generation`, `issued_at`).
    pub fn new(
        series: u32,
        generation: u32,
        issued_at: DateTime<Utc>,
        attempts: u32,
        used: bool,
    ) -> Result<Self, CodeError> {
        if issued_at.timestamp_subsec_nanos() != 0 {
            return Err(CodeError::MalformedState {
                reason: "issued_at",
            });
        }
        Self::checked(series, generation, issued_at.timestamp(), attempts, used)
    }

    fn checked(
        series: u32,
        generation: u32,
        issued_secs: i64,
        attempts: u32,
        used: bool,
    ) -> Result<Self, CodeError> {
        let bad = |reason| CodeError::MalformedState { reason };
        if generation == 0 {
            return Err(bad("generation"));
        }
        let issued_at = DateTime::from_timestamp(issued_secs, 0).ok_or(bad("issued_at"))?;
        Ok(Self {
            series,
            generation,
            issued_at,
            attempts,
            used,
        })
    }

    /// Binary form (22 bytes): `0x01 ‖ BE32(series) ‖ BE32(generation) ‖
    /// BE64(issued_at_secs, signed) ‖ BE32(attempts) ‖ used (0x00/0x01)`.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(22);
        out.push(1);
        out.extend_from_slice(&self.series.to_be_bytes());
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(&self.issued_at.timestamp().to_be_bytes());
        out.extend_from_slice(&self.attempts.to_be_bytes());
        out.push(u8::from(self.used));
        out
    }

    /// Parse [`CodeState::to_bytes`]'s form.
    ///
    /// # Errors
    /// [`CodeError::MalformedState`]; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodeError> {
        let bad = |reason| CodeError::MalformedState { reason };
        let fixed: [u8; 22] = bytes.try_into().map_err(|_| bad("length"))?;
        #[rustfmt::skip]
        let [
            version,
            s0, s1, s2, s3,
            g0, g1, g2, g3,
            i0, i1, i2, i3, i4, i5, i6, i7,
            a0, a1, a2, a3,
            used,
        ] = fixed;
        if version != 1 {
            return Err(bad("version"));
        }
        let used = match used {
            0 => false,
            1 => true,
            _ => return Err(bad("used")),
        };
        Self::checked(
            u32::from_be_bytes([s0, s1, s2, s3]),
            u32::from_be_bytes([g0, g1, g2, g3]),
            i64::from_be_bytes([i0, i1, i2, i3, i4, i5, i6, i7]),
            u32::from_be_bytes([a0, a1, a2, a3]),
            used,
        )
    }
}

/// Result of [`CodePolicy::verify`]: what to tell the user, and the state
/// to store (always store it: attempts and single use live there).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "store the returned state"]
pub struct Verification {
    /// `Ok(())` if the code was right (it is now spent).
    pub result: Result<(), CodeRejection>,
    /// The state to store.
    pub state: CodeState,
}

/// Why a typed code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeRejection {
    /// Not the current code. Code `code.wrong`; parameter `attempts_left`.
    #[error("the code is not correct ({attempts_left} attempts left)")]
    Wrong {
        /// Tries left before the code is burned.
        attempts_left: u32,
    },
    /// An earlier code of this chain (within [`SUPERSEDED_LOOKBACK`]
    /// generations); a newer one was sent. Counts as a wrong try. Code
    /// `code.superseded`; parameter `attempts_left`.
    #[error(
        "this code was replaced by a newer one; use the latest code ({attempts_left} attempts left)"
    )]
    Superseded {
        /// Tries left before the code is burned.
        attempts_left: u32,
    },
    /// The code's lifetime has passed. Code `code.expired`.
    #[error("the code has expired; request a new one")]
    Expired,
    /// Too many wrong tries; the code is burned. Code `code.too_many_attempts`.
    #[error("too many wrong attempts; request a new code")]
    TooManyAttempts,
    /// The code was already used. Code `code.already_used`.
    #[error("the code has already been used")]
    AlreadyUsed,
    /// Not six digits. Code `code.malformed`.
    #[error("enter the {CODE_DIGITS}-digit code")]
    Malformed,
    /// The caller's subject is longer than [`MAX_SUBJECT_LEN`] bytes, so no
    /// code can have been issued for it (a caller error; costs nothing).
    /// Code `code.subject_too_long`; parameter `max`.
    #[error("the subject is longer than {max} bytes")]
    SubjectTooLong {
        /// Maximum bytes.
        max: usize,
    },
}

impl Coded for CodeRejection {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Wrong { .. } => ErrorKind::Rejected,
            Self::Superseded { .. } | Self::Expired | Self::AlreadyUsed => ErrorKind::Expired,
            Self::TooManyAttempts => ErrorKind::Locked,
            Self::Malformed | Self::SubjectTooLong { .. } => ErrorKind::InvalidInput,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Wrong { .. } => "code.wrong",
            Self::Superseded { .. } => "code.superseded",
            Self::Expired => "code.expired",
            Self::TooManyAttempts => "code.too_many_attempts",
            Self::AlreadyUsed => "code.already_used",
            Self::Malformed => "code.malformed",
            Self::SubjectTooLong { .. } => "code.subject_too_long",
        }
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::Wrong { attempts_left } | Self::Superseded { attempts_left } => {
                vec![("attempts_left", attempts_left.to_string())]
            }
            Self::Malformed => vec![("digits", CODE_DIGITS.to_string())],
            Self::SubjectTooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::Wrong { attempts_left }) => {
                format!("認証コードが正しくありません（残り{attempts_left}回）。")
            }
            (Lang::Ja, Self::Superseded { attempts_left }) => format!(
                "この認証コードは無効です。最新の認証コードを入力してください（残り{attempts_left}回）。"
            ),
            (Lang::Ja, Self::Expired) => {
                "認証コードの有効期限が切れています。再度発行してください。".to_owned()
            }
            (Lang::Ja, Self::TooManyAttempts) => {
                "入力の誤りが多すぎます。認証コードを再度発行してください。".to_owned()
            }
            (Lang::Ja, Self::AlreadyUsed) => "この認証コードは使用済みです。".to_owned(),
            (Lang::Ja, Self::Malformed) => {
                format!("{CODE_DIGITS}桁の数字で入力してください。")
            }
            (Lang::Ja, Self::SubjectTooLong { max }) => {
                format!("対象の識別子は{max}バイト以内にしてください。")
            }
        }
    }
}

/// Errors building a secret or decoding a stored code state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The secret is too short. Code `secret.too_short`; parameters `min`,
    /// `actual` (lengths only, never the secret).
    #[error("secret must be at least {min} bytes (got {actual})")]
    SecretTooShort {
        /// Minimum length in bytes.
        min: usize,
        /// Given length in bytes.
        actual: usize,
    },
    /// A stored state that is not a canonical encoding. Code
    /// `code.malformed_state`; parameter `reason`.
    #[error("stored code state is malformed ({reason})")]
    MalformedState {
        /// Stable snake_case reason.
        reason: &'static str,
    },
    /// The subject is longer than [`MAX_SUBJECT_LEN`] bytes. Code
    /// `code.subject_too_long`; parameter `max`.
    #[error("the subject is longer than {max} bytes")]
    SubjectTooLong {
        /// Maximum bytes.
        max: usize,
    },
}

impl Coded for CodeError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::SecretTooShort { .. } => ErrorKind::Configuration,
            Self::MalformedState { .. } => ErrorKind::StoredState,
            Self::SubjectTooLong { .. } => ErrorKind::InvalidInput,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::SecretTooShort { .. } => "secret.too_short",
            Self::MalformedState { .. } => "code.malformed_state",
            Self::SubjectTooLong { .. } => "code.subject_too_long",
        }
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::SecretTooShort { min, actual } => {
                vec![("min", min.to_string()), ("actual", actual.to_string())]
            }
            Self::MalformedState { reason } => vec![("reason", (*reason).to_owned())],
            Self::SubjectTooLong { max } => vec![("max", max.to_string())],
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::SecretTooShort { min, actual }) => {
                format!("秘密鍵は{min}バイト以上必要です（{actual}バイト）。")
            }
            (Lang::Ja, Self::MalformedState { reason }) => {
                format!("保存された認証コードの状態が不正です（{reason}）。")
            }
            (Lang::Ja, Self::SubjectTooLong { max }) => {
                format!("対象の識別子は{max}バイト以内にしてください。")
            }
        }
    }
}

/// The examples in docs/codes-and-links.md compile and pass as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/codes-and-links.md")]
struct CodesAndLinksMdExamples;

#[cfg(test)]
mod tests {
    use super::OneTimeCode;

    #[test]
    fn codes_render_as_six_zero_padded_digits() {
        for (value, text) in [
            (0, "000000"),
            (7, "000007"),
            (42_017, "042017"),
            (999_999, "999999"),
        ] {
            assert_eq!(OneTimeCode::from_value(value).as_str(), text);
        }
    }
}
