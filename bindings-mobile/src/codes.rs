//! One-time codes, signed links and sessions (docs/codes-and-links.md).
//!
//! On a phone the usual need is the link side: read a deep link's claims
//! ([`peek_link`]) and show its expiry, and keep a local idle timeout
//! ([`touch_session`]). Issuing and verifying codes and links take a
//! [`Secret`]; they are here for app-local flows whose secret the app owns
//! (never ship a server's secret in an app) and so the shared golden vectors
//! can be reproduced on the JVM.

use std::sync::Arc;
use std::time::SystemTime;

use regcore::PhoneNumber;
use regcore::code::{
    CodePolicy as CorePolicy, CodePurpose as CorePurpose, CodeSecret, CodeState as CoreState,
};
use regcore::session::{
    SessionPolicy as CoreSessionPolicy, SessionState as CoreSession, SessionStatus as CoreStatus,
};
use regcore::token::{
    self, Keyring as CoreKeyring, LinkClaims as CoreClaims, LinkPolicy as CoreLinkPolicy,
    ProvisionalRegistration,
};

use crate::error::{Diagnostic, RegcoreError};
use crate::time::{from_chrono, to_chrono};

// --- Secrets -------------------------------------------------------------------

/// A secret for codes and links (at least 32 bytes). Held on the Rust side,
/// wiped when released, never printed.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Secret(CodeSecret);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[uniffi::export]
impl Secret {
    /// Wrap secret bytes.
    ///
    /// # Errors
    /// Kind configuration, `secret.too_short` (parameters `min`, `actual`).
    #[uniffi::constructor]
    pub fn new(bytes: Vec<u8>) -> Result<Arc<Self>, RegcoreError> {
        let bytes = zeroize::Zeroizing::new(bytes);
        Ok(Arc::new(Self(CodeSecret::new(&bytes)?)))
    }
}

// --- One-time codes --------------------------------------------------------------

/// What a one-time code is for (part of its derivation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CodePurpose {
    /// Sign-up e-mail verification.
    SignUp,
    /// New e-mail address verification.
    EmailChange,
    /// Password reset.
    PasswordReset,
}

/// Lifetime and attempt limit of one purpose's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct CodePolicy {
    /// What the codes are for.
    pub purpose: CodePurpose,
    /// Seconds from issue until a code expires.
    pub lifetime_secs: u64,
    /// Wrong entries after which the code is burned.
    pub max_attempts: u32,
}

impl CodePolicy {
    fn to_core(self) -> CorePolicy {
        let purpose = match self.purpose {
            CodePurpose::SignUp => CorePurpose::SignUp,
            CodePurpose::EmailChange => CorePurpose::EmailChange,
            CodePurpose::PasswordReset => CorePurpose::PasswordReset,
        };
        CorePolicy {
            purpose,
            lifetime_secs: self.lifetime_secs,
            max_attempts: self.max_attempts,
        }
    }
}

/// The policy core defines for `purpose` (sign-up and e-mail change 24 h,
/// password reset 1 h; 5 tries).
#[uniffi::export]
pub fn code_policy(purpose: CodePurpose) -> CodePolicy {
    let core = match purpose {
        CodePurpose::SignUp => CorePolicy::sign_up(),
        CodePurpose::EmailChange => CorePolicy::email_change(),
        CodePurpose::PasswordReset => CorePolicy::password_reset(),
    };
    CodePolicy {
        purpose,
        lifetime_secs: core.lifetime_secs,
        max_attempts: core.max_attempts,
    }
}

/// What the caller stores per subject and purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct CodeState {
    /// Unix seconds (mod 2^32) of the chain's first issue.
    pub series: u32,
    /// 1 for the first code, +1 at every issue.
    pub generation: u32,
    /// When the current code was issued (whole seconds).
    pub issued_at: SystemTime,
    /// Wrong entries of the current code so far.
    pub attempts: u32,
    /// The current code was accepted (single use).
    pub used: bool,
}

impl CodeState {
    fn to_core(self) -> Result<CoreState, RegcoreError> {
        Ok(CoreState {
            series: self.series,
            generation: self.generation,
            issued_at: to_chrono(self.issued_at)?,
            attempts: self.attempts,
            used: self.used,
        })
    }

    fn from_core(s: CoreState) -> Result<Self, RegcoreError> {
        Ok(Self {
            series: s.series,
            generation: s.generation,
            issued_at: from_chrono(s.issued_at)?,
            attempts: s.attempts,
            used: s.used,
        })
    }
}

/// A freshly issued code and the state to store.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssuedCode {
    /// The six digits to send.
    pub code: String,
    /// The state to store (supersedes every earlier code).
    pub state: CodeState,
}

/// Outcome of [`verify_code`]. Always store `state`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeVerification {
    /// The code was right (and is now spent).
    pub accepted: bool,
    /// Why not: `code.wrong`, `code.superseded` (parameter
    /// `attempts_left`), `code.expired`, `code.too_many_attempts`,
    /// `code.already_used`, `code.malformed`, `code.subject_too_long`.
    pub rejection: Option<Diagnostic>,
    /// The state to store (attempts and single use live there).
    pub state: CodeState,
}

/// Issue a new code for `subject`, superseding `previous`.
///
/// # Errors
/// Kind invalid input: `time.out_of_range`, `code.subject_too_long` (a
/// subject over 255 bytes).
#[uniffi::export]
pub fn issue_code(
    policy: CodePolicy,
    secret: Arc<Secret>,
    subject: String,
    previous: Option<CodeState>,
    now: SystemTime,
) -> Result<IssuedCode, RegcoreError> {
    let previous = previous.map(CodeState::to_core).transpose()?;
    let (state, code) =
        policy
            .to_core()
            .issue(&secret.0, &subject, previous.as_ref(), to_chrono(now)?)?;
    Ok(IssuedCode {
        code: code.as_str().to_owned(),
        state: CodeState::from_core(state)?,
    })
}

/// Check a typed code (full-width digits, spaces and hyphens accepted) in
/// constant time.
///
/// # Errors
/// Kind invalid input, `time.out_of_range`; rejections are data in the result.
#[uniffi::export]
pub fn verify_code(
    policy: CodePolicy,
    secret: Arc<Secret>,
    subject: String,
    typed: String,
    state: CodeState,
    now: SystemTime,
) -> Result<CodeVerification, RegcoreError> {
    let v = policy.to_core().verify(
        &secret.0,
        &subject,
        &typed,
        &state.to_core()?,
        to_chrono(now)?,
    );
    Ok(CodeVerification {
        accepted: v.result.is_ok(),
        rejection: v.result.err().map(|r| Diagnostic::from_coded(&r)),
        state: CodeState::from_core(v.state)?,
    })
}

/// When the state's code expires (e.g. to show a countdown).
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn code_expires_at(policy: CodePolicy, state: CodeState) -> Result<SystemTime, RegcoreError> {
    Ok(from_chrono(policy.to_core().expires_at(&state.to_core()?))?)
}

/// Compact text form of a code state (`c1.…`).
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn encode_code_state(state: CodeState) -> Result<String, RegcoreError> {
    Ok(state.to_core()?.encode())
}

/// Parse [`encode_code_state`]'s form.
///
/// # Errors
/// Kind stored state, `code.malformed_state`.
#[uniffi::export]
pub fn decode_code_state(encoded: String) -> Result<CodeState, RegcoreError> {
    CodeState::from_core(CoreState::decode(&encoded)?)
}

// --- Signed links ------------------------------------------------------------------

/// Secrets by key id: the current key signs, every key verifies.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Keyring(CoreKeyring);

#[uniffi::export]
impl Keyring {
    /// A keyring whose signing key is `secret` under `key_id`.
    #[uniffi::constructor]
    pub fn new(key_id: u32, secret: Arc<Secret>) -> Arc<Self> {
        Arc::new(Self(CoreKeyring::new(key_id, secret.0.clone())))
    }

    /// A copy with a verify-only key added (replacing one with the same id).
    pub fn with_key(&self, key_id: u32, secret: Arc<Secret>) -> Arc<Self> {
        Arc::new(Self(self.0.clone().with_key(key_id, secret.0.clone())))
    }

    /// A copy signing with `key_id` (already in the ring).
    ///
    /// # Errors
    /// Kind rejected, `token.invalid` (reason `unknown_key`).
    pub fn rotate_to(&self, key_id: u32) -> Result<Arc<Self>, RegcoreError> {
        Ok(Arc::new(Self(self.0.clone().rotate_to(key_id)?)))
    }

    /// The signing key's id.
    pub fn current_key_id(&self) -> u32 {
        self.0.current_key_id()
    }
}

/// A link kind: purpose and lifetime.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct LinkPolicy {
    /// Purpose name (signed into the token).
    pub purpose: String,
    /// Seconds from issue to expiry.
    pub lifetime_secs: u64,
}

impl LinkPolicy {
    fn to_core(&self) -> CoreLinkPolicy {
        CoreLinkPolicy {
            purpose: self.purpose.clone(),
            lifetime_secs: self.lifetime_secs,
        }
    }

    fn from_core(p: CoreLinkPolicy) -> Self {
        Self {
            purpose: p.purpose,
            lifetime_secs: p.lifetime_secs,
        }
    }
}

/// Password-reset links: 1 h.
#[uniffi::export]
pub fn password_reset_link_policy() -> LinkPolicy {
    LinkPolicy::from_core(CoreLinkPolicy::password_reset())
}

/// Provisional-registration links: 72 h; completing needs the phone number.
#[uniffi::export]
pub fn provisional_registration_link_policy() -> LinkPolicy {
    LinkPolicy::from_core(CoreLinkPolicy::provisional_registration())
}

/// The claims a link carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct LinkClaims {
    /// What the link is for.
    pub purpose: String,
    /// Whom it is for.
    pub subject: String,
    /// Issue time.
    pub issued_at: SystemTime,
    /// Expired from this instant on.
    pub expires_at: SystemTime,
    /// The issuer's generation when issued.
    pub generation: u32,
    /// Id of the signing key.
    pub key_id: u32,
    /// Completing needs the phone number given at application.
    pub requires_phone: bool,
}

impl LinkClaims {
    fn from_core(c: CoreClaims) -> Result<Self, RegcoreError> {
        Ok(Self {
            purpose: c.purpose,
            subject: c.subject,
            issued_at: from_chrono(c.issued_at)?,
            expires_at: from_chrono(c.expires_at)?,
            generation: c.generation,
            key_id: c.key_id,
            requires_phone: c.requires_phone,
        })
    }
}

/// Read a link's claims **without** authenticating them (e.g. to show
/// "this link expires at …" when a deep link opens the app). Never trust
/// them for anything else.
///
/// # Errors
/// Kind invalid input, `token.malformed`.
#[uniffi::export]
pub fn peek_link(token: String) -> Result<LinkClaims, RegcoreError> {
    LinkClaims::from_core(token::peek(&token)?)
}

/// Sign a link for `subject`; `binding` (may be empty) is mixed into the tag
/// so the link dies when that state changes.
///
/// # Errors
/// Kind invalid input: `token.claim_too_long`, `time.out_of_range`.
#[uniffi::export]
pub fn issue_link(
    policy: LinkPolicy,
    keyring: Arc<Keyring>,
    subject: String,
    generation: u32,
    binding: Vec<u8>,
    now: SystemTime,
) -> Result<String, RegcoreError> {
    Ok(policy
        .to_core()
        .issue(&keyring.0, &subject, generation, &binding, to_chrono(now)?)?)
}

/// Verify a link against the current generation and binding.
///
/// # Errors
/// `token.malformed` (kind invalid input), `token.invalid` (kind rejected,
/// parameter `reason`), `token.superseded`, `token.expired` (kind
/// expired); `time.out_of_range` (kind invalid input).
#[uniffi::export]
pub fn verify_link(
    policy: LinkPolicy,
    keyring: Arc<Keyring>,
    token: String,
    current_generation: u32,
    binding: Vec<u8>,
    now: SystemTime,
) -> Result<LinkClaims, RegcoreError> {
    LinkClaims::from_core(policy.to_core().verify(
        &keyring.0,
        &token,
        current_generation,
        &binding,
        to_chrono(now)?,
    )?)
}

/// Sign a provisional-registration link bound to the applicant's phone
/// number.
///
/// # Errors
/// Kind invalid input for the phone number (`identifier.*`), the subject
/// (`token.claim_too_long`) or `now` (`time.out_of_range`).
#[uniffi::export]
pub fn issue_provisional_registration_link(
    policy: LinkPolicy,
    keyring: Arc<Keyring>,
    subject: String,
    phone: String,
    generation: u32,
    binding: Vec<u8>,
    now: SystemTime,
) -> Result<String, RegcoreError> {
    let registration = ProvisionalRegistration {
        link: policy.to_core(),
    };
    Ok(registration.issue(
        &keyring.0,
        &subject,
        &PhoneNumber::parse(&phone)?,
        generation,
        &binding,
        to_chrono(now)?,
    )?)
}

/// Complete a provisional registration: verify the link and the phone
/// number typed now (normalised, compared in constant time).
///
/// # Errors
/// Kind invalid input for the phone number (`identifier.*`); as
/// [`verify_link`] plus `token.phone_mismatch` (kind rejected).
#[uniffi::export]
pub fn complete_provisional_registration(
    policy: LinkPolicy,
    keyring: Arc<Keyring>,
    token: String,
    typed_phone: String,
    current_generation: u32,
    binding: Vec<u8>,
    now: SystemTime,
) -> Result<LinkClaims, RegcoreError> {
    let registration = ProvisionalRegistration {
        link: policy.to_core(),
    };
    LinkClaims::from_core(registration.complete(
        &keyring.0,
        &token,
        &PhoneNumber::parse(&typed_phone)?,
        current_generation,
        &binding,
        to_chrono(now)?,
    )?)
}

// --- Sessions ----------------------------------------------------------------------

/// Session timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct SessionPolicy {
    /// Inactivity after which the session ends, in seconds.
    pub idle_timeout_secs: u64,
    /// Age after which the session ends whatever the activity, if any.
    #[uniffi(default)]
    pub absolute_timeout_secs: Option<u64>,
}

/// UPS site: 30 minutes idle, no absolute cap.
#[uniffi::export]
pub fn ups_site_session_policy() -> SessionPolicy {
    let p = CoreSessionPolicy::ups_site();
    SessionPolicy {
        idle_timeout_secs: p.idle_timeout_secs,
        absolute_timeout_secs: p.absolute_timeout_secs,
    }
}

/// What the caller stores per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct SessionState {
    /// When the session began.
    pub started_at: SystemTime,
    /// Last activity.
    pub last_seen: SystemTime,
}

impl SessionState {
    fn from_core(s: CoreSession) -> Result<Self, RegcoreError> {
        Ok(Self {
            started_at: from_chrono(s.started_at)?,
            last_seen: from_chrono(s.last_seen)?,
        })
    }
}

/// Outcome of [`touch_session`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SessionStatus {
    /// Still valid; store the renewed state.
    Active {
        /// The renewed state.
        state: SessionState,
    },
    /// No activity for the idle timeout.
    IdleExpired,
    /// Older than the absolute cap.
    AbsoluteExpired,
}

/// A session that starts (log-in) at `now`.
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn start_session(now: SystemTime) -> Result<SessionState, RegcoreError> {
    SessionState::from_core(CoreSession::start(to_chrono(now)?))
}

/// Activity at `now`: still valid (with the renewed state), or expired.
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn touch_session(
    policy: SessionPolicy,
    state: SessionState,
    now: SystemTime,
) -> Result<SessionStatus, RegcoreError> {
    let core_policy = CoreSessionPolicy {
        idle_timeout_secs: policy.idle_timeout_secs,
        absolute_timeout_secs: policy.absolute_timeout_secs,
    };
    let core_state = CoreSession {
        started_at: to_chrono(state.started_at)?,
        last_seen: to_chrono(state.last_seen)?,
    };
    Ok(match core_state.touch(&core_policy, to_chrono(now)?) {
        CoreStatus::Active(renewed) => SessionStatus::Active {
            state: SessionState::from_core(renewed)?,
        },
        CoreStatus::IdleExpired => SessionStatus::IdleExpired,
        CoreStatus::AbsoluteExpired => SessionStatus::AbsoluteExpired,
    })
}
