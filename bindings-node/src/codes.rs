//! One-time codes, signed links and sessions (docs/codes-and-links.md). Codes are derived,
//! not stored: the caller keeps a small `CodeState` per subject and purpose.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::{code, session, token};
use zeroize::Zeroizing;

use crate::convert::{
    Date, Diagnostic, JsNumber, JsString, OrThrow, from_json, int, name_in, now_or, num, secs,
    to_json,
};
use crate::ids::PhoneNumber;

/// A server-side secret for codes and link tokens (at least 32 bytes). The
/// bytes never cross back to JavaScript.
#[napi]
pub struct CodeSecret {
    pub(crate) inner: code::CodeSecret,
}

#[napi]
impl CodeSecret {
    /// Wrap secret bytes (copied). Throws `secret.too_short` below 32 bytes.
    #[napi(constructor)]
    pub fn new(env: &Env, bytes: Uint8Array) -> Result<Self> {
        code::CodeSecret::new(&bytes)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// Always `CodeSecret(<redacted>)`.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        "CodeSecret(<redacted>)".to_owned()
    }
}

/// What a code is for (part of its key derivation). Any other string throws
/// `binding.unknown_name`.
#[napi(string_enum = "snake_case")]
#[derive(Clone, Copy)]
pub enum CodePurpose {
    /// Sign-up e-mail verification (24 h).
    SignUp,
    /// New e-mail address verification (24 h).
    EmailChange,
    /// Password reset (1 h).
    PasswordReset,
}

fn purpose_arg(env: &Env, name: &str) -> Result<code::CodePurpose> {
    name_in(
        env,
        "purpose",
        name,
        &[
            ("sign_up", code::CodePurpose::SignUp),
            ("email_change", code::CodePurpose::EmailChange),
            ("password_reset", code::CodePurpose::PasswordReset),
        ],
    )
}

/// What the caller stores per subject and purpose (or its
/// `encodeCodeState` string).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct CodeState {
    /// Unix seconds (mod 2^32) of the chain's first issue (`0..=4294967295`).
    pub series: JsNumber,
    /// 1 for the first code, +1 at every issue (`0..=4294967295`).
    pub generation: JsNumber,
    /// When the current code was issued (whole seconds).
    pub issued_at: Date,
    /// Wrong entries of the current code so far (`0..=4294967295`).
    pub attempts: JsNumber,
    /// The current code was accepted (single use).
    pub used: bool,
}

impl CodeState {
    /// Core's state; the counters must be `u32`s.
    fn to_core(self, env: &Env) -> Result<code::CodeState> {
        Ok(code::CodeState {
            series: int(env, "series", self.series)?,
            generation: int(env, "generation", self.generation)?,
            issued_at: self.issued_at.0,
            attempts: int(env, "attempts", self.attempts)?,
            used: self.used,
        })
    }
}

impl From<code::CodeState> for CodeState {
    fn from(s: code::CodeState) -> Self {
        Self {
            series: s.series.into(),
            generation: s.generation.into(),
            issued_at: Date(s.issued_at),
            attempts: s.attempts.into(),
            used: s.used,
        }
    }
}

/// A freshly issued code and the state to store.
#[napi(object)]
pub struct IssuedCode {
    /// The six digits to send (e.g. `'036485'`).
    pub code: String,
    /// Store this (it supersedes every earlier code).
    pub state: CodeState,
}

/// The result of checking a typed code.
#[napi(object)]
pub struct CodeVerification {
    /// True if the code was right (it is now spent).
    pub ok: bool,
    /// Why not (`code.wrong`, `code.superseded` with `params.attempts_left`,
    /// `code.expired`, `code.too_many_attempts`, `code.already_used`,
    /// `code.malformed`, `code.subject_too_long`).
    pub rejection: Option<Diagnostic>,
    /// Always store this (attempts and single use live there).
    pub state: CodeState,
}

/// Lifetime and attempt limit of one code purpose.
#[napi]
pub struct CodePolicy {
    pub(crate) inner: code::CodePolicy,
}

#[napi]
impl CodePolicy {
    /// Sign-up verification: 24 h, 5 tries.
    #[napi(factory)]
    pub fn sign_up() -> Self {
        Self {
            inner: code::CodePolicy::sign_up(),
        }
    }

    /// E-mail change verification: 24 h, 5 tries.
    #[napi(factory)]
    pub fn email_change() -> Self {
        Self {
            inner: code::CodePolicy::email_change(),
        }
    }

    /// Password reset: 1 h, 5 tries.
    #[napi(factory)]
    pub fn password_reset() -> Self {
        Self {
            inner: code::CodePolicy::password_reset(),
        }
    }

    /// A policy from core's JSON form. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        from_json(env, "code_policy", &json).map(|inner| Self { inner })
    }

    /// Core's JSON form (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "code_policy", &self.inner)
    }

    /// The same policy with another lifetime, in seconds.
    #[napi]
    pub fn with_lifetime_secs(&self, env: &Env, lifetime_secs: JsNumber) -> Result<CodePolicy> {
        Ok(Self {
            inner: self
                .inner
                .with_lifetime_secs(int(env, "lifetimeSecs", lifetime_secs)?),
        })
    }

    /// The purpose.
    #[napi(getter)]
    pub fn purpose(&self) -> String {
        self.inner.purpose.name().to_owned()
    }

    /// Seconds from issue until a code expires.
    #[napi(getter)]
    pub fn lifetime_secs(&self) -> f64 {
        secs(self.inner.lifetime_secs)
    }

    /// Wrong entries after which a code is burned.
    #[napi(getter)]
    pub fn max_attempts(&self) -> f64 {
        num(self.inner.max_attempts)
    }

    /// Issue a new code for `subject` (a stable account identifier).
    /// `previous` is the stored state, if any. `now` defaults to the system
    /// clock. Throws `code.subject_too_long` above 255 bytes.
    #[napi]
    pub fn issue(
        &self,
        env: &Env,
        secret: &CodeSecret,
        subject: JsString,
        previous: Option<CodeState>,
        now: Option<Date>,
    ) -> Result<IssuedCode> {
        let subject = subject.text(env, "subject")?;
        let previous = previous.map(|p| p.to_core(env)).transpose()?;
        let (state, code) = self
            .inner
            .issue(&secret.inner, &subject, previous.as_ref(), now_or(now))
            .or_throw(env)?;
        Ok(IssuedCode {
            code: code.as_str().to_owned(),
            state: state.into(),
        })
    }

    /// Check a typed code (full-width digits, spaces and hyphens accepted) in
    /// constant time. Always store the returned `state`.
    #[napi]
    pub fn verify(
        &self,
        env: &Env,
        secret: &CodeSecret,
        subject: JsString,
        typed: JsString,
        state: CodeState,
        now: Option<Date>,
    ) -> Result<CodeVerification> {
        let subject = subject.text(env, "subject")?;
        let typed = typed.text(env, "typed")?;
        let typed = Zeroizing::new(typed);
        let state = state.to_core(env)?;
        let v = self
            .inner
            .verify(&secret.inner, &subject, &typed, &state, now_or(now));
        Ok(CodeVerification {
            ok: v.result.is_ok(),
            rejection: v.result.err().map(|r| Diagnostic::of(&r)),
            state: v.state.into(),
        })
    }

    /// True once the state's code can no longer be used because of time.
    #[napi]
    pub fn is_expired(&self, env: &Env, state: CodeState, now: Option<Date>) -> Result<bool> {
        Ok(self.inner.is_expired(&state.to_core(env)?, now_or(now)))
    }

    /// When the state's code expires.
    #[napi]
    pub fn expires_at(&self, env: &Env, state: CodeState) -> Result<Date> {
        Ok(Date(self.inner.expires_at(&state.to_core(env)?)))
    }

    /// Until when a store keeps the state (a day past the code's expiry).
    #[napi]
    pub fn retain_until(&self, env: &Env, state: CodeState) -> Result<Date> {
        Ok(Date(self.inner.retain_until(&state.to_core(env)?)))
    }
}

/// The RFC 4226 counter of a state's current code (`series · 2^32 +
/// generation`), for reproducing it with any HOTP library and `deriveCodeKey`.
#[napi]
pub fn code_counter(env: &Env, state: CodeState) -> Result<BigInt> {
    Ok(BigInt::from(state.to_core(env)?.counter()))
}

/// Compact text form of a code state (`c1.<series>.<generation>.<issuedAt>.<attempts>.<used>`).
#[napi]
pub fn encode_code_state(env: &Env, state: CodeState) -> Result<String> {
    Ok(state.to_core(env)?.encode())
}

/// Parse `encodeCodeState`'s form. Throws `code.malformed_state`.
#[napi]
pub fn decode_code_state(env: &Env, encoded: JsString) -> Result<CodeState> {
    let encoded = encoded.text(env, "encoded")?;
    code::CodeState::decode(&encoded)
        .or_throw(env)
        .map(Into::into)
}

/// Compact binary form of a code state.
#[napi]
pub fn code_state_to_bytes(env: &Env, state: CodeState) -> Result<Buffer> {
    Ok(Buffer::from(state.to_core(env)?.to_bytes()))
}

/// Parse `codeStateToBytes`'s form. Throws `code.malformed_state`.
#[napi]
pub fn code_state_from_bytes(env: &Env, bytes: Uint8Array) -> Result<CodeState> {
    code::CodeState::from_bytes(&bytes)
        .or_throw(env)
        .map(Into::into)
}

/// The RFC 4226 key `K` of a purpose and subject (32 bytes): with it and the
/// state's counter any HOTP library reproduces the code (interop checks).
#[napi]
pub fn derive_code_key(
    env: &Env,
    secret: &CodeSecret,
    #[napi(ts_arg_type = "CodePurpose")] purpose: JsString,
    subject: JsString,
) -> Result<Buffer> {
    let purpose = purpose.text(env, "purpose")?;
    let subject = subject.text(env, "subject")?;
    let purpose = purpose_arg(env, &purpose)?;
    Ok(Buffer::from(
        code::derive_key(&secret.inner, purpose, &subject)
            .or_throw(env)?
            .to_vec(),
    ))
}

/// RFC 4226 HOTP value (6 digits, as a number) of `key` at `counter`
/// (`series · 2^32 + generation`: a `bigint` up to 2^64 − 1, or a number up
/// to 2^53 − 1; anything else throws `binding.integer_out_of_range` or
/// `binding.invalid_integer`).
#[napi]
pub fn hotp6(env: &Env, key: Uint8Array, counter: Either<BigInt, JsNumber>) -> Result<u32> {
    let counter: u64 = match counter {
        Either::A(big) => {
            let (value, lossless) = big.get_i128();
            let value = if lossless {
                value
            } else if big.sign_bit {
                i128::MIN
            } else {
                i128::MAX
            };
            regcore::boundary::integer::<u64>("counter", value).or_throw(env)?
        }
        Either::B(number) => int(env, "counter", number)?,
    };
    Ok(code::hotp6(&key, counter))
}

/// Link-signing secrets by key id: the current key signs, every key verifies
/// (so a rotation keeps mailed links working until they expire).
#[napi]
pub struct Keyring {
    inner: token::Keyring,
}

#[napi]
impl Keyring {
    /// A keyring whose signing key is `secret` under `keyId`.
    #[napi(constructor)]
    pub fn new(env: &Env, key_id: JsNumber, secret: &CodeSecret) -> Result<Self> {
        Ok(Self {
            inner: token::Keyring::new(int(env, "keyId", key_id)?, secret.inner.clone()),
        })
    }

    /// A copy with a verify-only (retired) key added; an id already present
    /// is replaced.
    #[napi]
    pub fn with_key(&self, env: &Env, key_id: JsNumber, secret: &CodeSecret) -> Result<Keyring> {
        Ok(Self {
            inner: self
                .inner
                .clone()
                .with_key(int(env, "keyId", key_id)?, secret.inner.clone()),
        })
    }

    /// A copy whose signing key is `keyId` (already in the ring). Throws
    /// `token.invalid` (`unknown_key`).
    #[napi]
    pub fn rotate_to(&self, env: &Env, key_id: JsNumber) -> Result<Keyring> {
        self.inner
            .clone()
            .rotate_to(int(env, "keyId", key_id)?)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// The signing key's id.
    #[napi(getter)]
    pub fn current_key_id(&self) -> f64 {
        num(self.inner.current_key_id())
    }
}

/// The authenticated content of a link token.
#[napi(object)]
pub struct LinkClaims {
    /// What the link is for.
    pub purpose: String,
    /// Whom it is for.
    pub subject: String,
    /// Issue time.
    pub issued_at: Date,
    /// Expiry time (expired from this instant on).
    pub expires_at: Date,
    /// The caller's generation when issued.
    pub generation: f64,
    /// Id of the signing key.
    pub key_id: f64,
    /// True if completing needs the phone number.
    pub requires_phone: bool,
}

impl From<token::LinkClaims> for LinkClaims {
    fn from(c: token::LinkClaims) -> Self {
        Self {
            purpose: c.purpose,
            subject: c.subject,
            issued_at: Date(c.issued_at),
            expires_at: Date(c.expires_at),
            generation: num(c.generation),
            key_id: num(c.key_id),
            requires_phone: c.requires_phone,
        }
    }
}

/// Options shared by link issue and verification.
#[napi(object, object_to_js = false)]
pub struct LinkOptions {
    /// The caller's current generation for this subject and purpose (0 when
    /// omitted; `0..=4294967295`); raise it to revoke every earlier link.
    pub generation: Option<JsNumber>,
    /// Bytes mixed into the tag but not carried (e.g. the current password
    /// hash), so the link dies when that state changes.
    pub binding: Option<Either<Uint8Array, JsString>>,
    /// The time (system clock when omitted).
    pub now: Option<Date>,
}

struct LinkArgs {
    generation: u32,
    binding: Zeroizing<Vec<u8>>,
    now: chrono::DateTime<chrono::Utc>,
}

fn link_args(env: &Env, options: Option<LinkOptions>) -> Result<LinkArgs> {
    let (generation, binding, now) =
        options.map_or((None, None, None), |o| (o.generation, o.binding, o.now));
    Ok(LinkArgs {
        generation: generation.map_or(Ok(0), |g| int(env, "generation", g))?,
        binding: Zeroizing::new(match binding {
            None => Vec::new(),
            Some(Either::A(b)) => b.to_vec(),
            Some(Either::B(s)) => s.text(env, "binding")?.into_bytes(),
        }),
        now: now_or(now),
    })
}

/// A link kind: purpose and lifetime.
#[napi]
pub struct LinkPolicy {
    inner: token::LinkPolicy,
}

#[napi]
impl LinkPolicy {
    /// A link kind with a purpose name (≤ 255 bytes) and lifetime in seconds.
    #[napi(constructor)]
    pub fn new(env: &Env, purpose: JsString, lifetime_secs: JsNumber) -> Result<Self> {
        let purpose = purpose.text(env, "purpose")?;
        Ok(Self {
            inner: token::LinkPolicy {
                purpose,
                lifetime_secs: int(env, "lifetimeSecs", lifetime_secs)?,
            },
        })
    }

    /// Password-reset link: 1 h.
    #[napi(factory)]
    pub fn password_reset() -> Self {
        Self {
            inner: token::LinkPolicy::password_reset(),
        }
    }

    /// Provisional-registration link: 72 h.
    #[napi(factory)]
    pub fn provisional_registration() -> Self {
        Self {
            inner: token::LinkPolicy::provisional_registration(),
        }
    }

    /// The purpose name.
    #[napi(getter)]
    pub fn purpose(&self) -> String {
        self.inner.purpose.clone()
    }

    /// Seconds from issue to expiry.
    #[napi(getter)]
    pub fn lifetime_secs(&self) -> f64 {
        secs(self.inner.lifetime_secs)
    }

    /// Sign a URL-safe link token for `subject` with the keyring's current
    /// key. Throws `token.claim_too_long`.
    #[napi]
    pub fn issue(
        &self,
        env: &Env,
        keyring: &Keyring,
        subject: JsString,
        options: Option<LinkOptions>,
    ) -> Result<String> {
        let subject = subject.text(env, "subject")?;
        let a = link_args(env, options)?;
        self.inner
            .issue(&keyring.inner, &subject, a.generation, &a.binding, a.now)
            .or_throw(env)
    }

    /// Verify a token (constant-time tag check); returns its claims. Throws
    /// `token.malformed`, `token.invalid` (`params.reason`), `token.expired`
    /// or `token.superseded`.
    #[napi]
    pub fn verify(
        &self,
        env: &Env,
        keyring: &Keyring,
        token: JsString,
        options: Option<LinkOptions>,
    ) -> Result<LinkClaims> {
        let token = token.text(env, "token")?;
        let a = link_args(env, options)?;
        self.inner
            .verify(&keyring.inner, &token, a.generation, &a.binding, a.now)
            .or_throw(env)
            .map(Into::into)
    }
}

/// Read a token's claims without checking it (untrusted: only to look up the
/// subject's generation before `verify`). Throws `token.malformed`.
#[napi]
pub fn peek_link(env: &Env, token: JsString) -> Result<LinkClaims> {
    let token = token.text(env, "token")?;
    token::peek(&token).or_throw(env).map(Into::into)
}

/// Provisional registration (dealer/customer applications): the link is bound
/// to the phone number given at application, which must be typed again to
/// complete.
#[napi]
pub struct ProvisionalRegistration {
    inner: token::ProvisionalRegistration,
}

#[napi]
impl ProvisionalRegistration {
    /// With the default link policy (72 h), or `link` if given.
    #[napi(constructor)]
    pub fn new(link: Option<&LinkPolicy>) -> Self {
        Self {
            inner: token::ProvisionalRegistration {
                link: link.map_or_else(token::LinkPolicy::provisional_registration, |l| {
                    l.inner.clone()
                }),
            },
        }
    }

    /// Sign the registration link for an application. Throws
    /// `token.claim_too_long` or `identifier.*` for the phone number.
    #[napi]
    pub fn issue(
        &self,
        env: &Env,
        keyring: &Keyring,
        subject: JsString,
        phone: Either<&PhoneNumber, JsString>,
        options: Option<LinkOptions>,
    ) -> Result<String> {
        let subject = subject.text(env, "subject")?;
        let phone = phone_arg(env, "phone", phone)?;
        let a = link_args(env, options)?;
        self.inner
            .issue(
                &keyring.inner,
                &subject,
                &phone,
                a.generation,
                &a.binding,
                a.now,
            )
            .or_throw(env)
    }

    /// Verify the link and the phone number typed at completion. Throws as
    /// `LinkPolicy.verify`, then `token.phone_mismatch`.
    #[napi]
    pub fn complete(
        &self,
        env: &Env,
        keyring: &Keyring,
        token: JsString,
        typed_phone: Either<&PhoneNumber, JsString>,
        options: Option<LinkOptions>,
    ) -> Result<LinkClaims> {
        let token = token.text(env, "token")?;
        let phone = phone_arg(env, "typedPhone", typed_phone)?;
        let a = link_args(env, options)?;
        self.inner
            .complete(
                &keyring.inner,
                &token,
                &phone,
                a.generation,
                &a.binding,
                a.now,
            )
            .or_throw(env)
            .map(Into::into)
    }
}

fn phone_arg(
    env: &Env,
    name: &str,
    value: Either<&PhoneNumber, JsString>,
) -> Result<regcore::PhoneNumber> {
    match value {
        Either::A(p) => Ok(p.inner.clone()),
        Either::B(s) => regcore::PhoneNumber::parse(&s.text(env, name)?).or_throw(env),
    }
}

/// What the caller stores per session.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct SessionState {
    /// When the session began.
    pub started_at: Date,
    /// Last activity.
    pub last_seen: Date,
}

impl SessionState {
    fn to_core(self) -> session::SessionState {
        session::SessionState {
            started_at: self.started_at.0,
            last_seen: self.last_seen.0,
        }
    }
}

impl From<session::SessionState> for SessionState {
    fn from(s: session::SessionState) -> Self {
        Self {
            started_at: Date(s.started_at),
            last_seen: Date(s.last_seen),
        }
    }
}

/// Compact, canonical text form of a session state
/// (`s1.<startedAtMs>.<lastSeenMs>`), what a SQL column or Redis holds.
#[napi]
pub fn encode_session_state(state: SessionState) -> String {
    state.to_core().encode()
}

/// Parse `encodeSessionState`'s form. Throws `session.malformed_state`.
#[napi]
pub fn decode_session_state(env: &Env, encoded: JsString) -> Result<SessionState> {
    let encoded = encoded.text(env, "encoded")?;
    session::SessionState::decode(&encoded)
        .or_throw(env)
        .map(Into::into)
}

/// `'active'`, `'idle_expired'` or `'absolute_expired'`.
#[napi(string_enum = "snake_case")]
pub enum SessionStatusKind {
    /// Still valid; store `state`.
    Active,
    /// No activity for the idle timeout.
    IdleExpired,
    /// Older than the absolute cap.
    AbsoluteExpired,
}

/// Outcome of `SessionPolicy.touch`.
#[napi(object)]
pub struct SessionStatus {
    /// Whether the session is still valid.
    pub status: SessionStatusKind,
    /// The renewed state to store (when active).
    pub state: Option<SessionState>,
}

/// Session timeouts.
#[napi]
pub struct SessionPolicy {
    pub(crate) inner: session::SessionPolicy,
}

#[napi]
impl SessionPolicy {
    /// Idle timeout in seconds, optional absolute cap in seconds.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        idle_timeout_secs: JsNumber,
        absolute_timeout_secs: Option<JsNumber>,
    ) -> Result<Self> {
        Ok(Self {
            inner: session::SessionPolicy {
                idle_timeout_secs: int(env, "idleTimeoutSecs", idle_timeout_secs)?,
                absolute_timeout_secs: absolute_timeout_secs
                    .map(|s| int(env, "absoluteTimeoutSecs", s))
                    .transpose()?,
            },
        })
    }

    /// The UPS site: 30 minutes idle, no absolute cap.
    #[napi(factory)]
    pub fn ups_site() -> Self {
        Self {
            inner: session::SessionPolicy::ups_site(),
        }
    }

    /// Idle timeout in seconds.
    #[napi(getter)]
    pub fn idle_timeout_secs(&self) -> f64 {
        secs(self.inner.idle_timeout_secs)
    }

    /// Absolute cap in seconds, if any.
    #[napi(getter)]
    pub fn absolute_timeout_secs(&self) -> Option<f64> {
        self.inner.absolute_timeout_secs.map(secs)
    }

    /// When `state` ends if nothing touches it (the earlier of the idle
    /// timeout and the absolute cap): a store's expiry.
    #[napi]
    pub fn expires_at(&self, state: SessionState) -> Date {
        Date(state.to_core().expires_at(&self.inner))
    }

    /// A session that starts (log-in) at `now` (system clock when omitted).
    #[napi]
    pub fn start(&self, now: Option<Date>) -> SessionState {
        let s = session::SessionState::start(now_or(now));
        SessionState {
            started_at: Date(s.started_at),
            last_seen: Date(s.last_seen),
        }
    }

    /// Activity at `now`: still valid (with the renewed state to store) or
    /// expired.
    #[napi]
    pub fn touch(&self, state: SessionState, now: Option<Date>) -> SessionStatus {
        match state.to_core().touch(&self.inner, now_or(now)) {
            session::SessionStatus::Active(s) => SessionStatus {
                status: SessionStatusKind::Active,
                state: Some(SessionState {
                    started_at: Date(s.started_at),
                    last_seen: Date(s.last_seen),
                }),
            },
            session::SessionStatus::IdleExpired => SessionStatus {
                status: SessionStatusKind::IdleExpired,
                state: None,
            },
            session::SessionStatus::AbsoluteExpired => SessionStatus {
                status: SessionStatusKind::AbsoluteExpired,
                state: None,
            },
        }
    }
}
