//! Login lockout (SPEC §3): policies as data, the small per-account state
//! value, and its compact encodings for a SQL column or Redis.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::lockout::{self, Decision};

use crate::convert::{Date, Diagnostic, OrThrow, from_json, now_or, secs, to_json, u64_arg};

/// The per-account memory of consecutive failures. Store it (e.g. with
/// `encodeLockoutState`) and pass it back in; a new account starts from
/// `{ failures: 0, lockedUntil: null, lastAttempt: null }`.
#[napi(object, use_nullable = true)]
#[derive(Clone, Copy)]
pub struct LockoutState {
    /// Consecutive failures counted so far.
    pub failures: u32,
    /// End of the current or last lock, if the last counted failure locked.
    pub locked_until: Option<Date>,
    /// Time of the last counted attempt.
    pub last_attempt: Option<Date>,
}

impl From<LockoutState> for lockout::LockoutState {
    fn from(s: LockoutState) -> Self {
        Self {
            failures: s.failures,
            locked_until: s.locked_until.map(|d| d.0),
            last_attempt: s.last_attempt.map(|d| d.0),
        }
    }
}

impl From<lockout::LockoutState> for LockoutState {
    fn from(s: lockout::LockoutState) -> Self {
        Self {
            failures: s.failures,
            locked_until: s.locked_until.map(Date),
            last_attempt: s.last_attempt.map(Date),
        }
    }
}

/// The answer to "may this attempt check the password?".
#[napi(object)]
pub struct LockoutDecision {
    /// True: check the password, then record the outcome.
    pub allowed: bool,
    /// Seconds until an attempt will be allowed, rounded up (when locked).
    pub retry_after_secs: Option<f64>,
    /// When the lock ends (when locked).
    pub locked_until: Option<Date>,
    /// `lockout.locked` with `params.retry_after_secs` and both messages
    /// (when locked), ready for the login form.
    pub error: Option<Diagnostic>,
    /// A state to store even though the attempt was refused (only when the
    /// policy counts locked attempts or the clock went backwards); absent:
    /// store nothing.
    pub new_state: Option<LockoutState>,
}

fn locked_decision(
    locked: &lockout::Locked,
    new_state: Option<lockout::LockoutState>,
) -> LockoutDecision {
    LockoutDecision {
        allowed: false,
        retry_after_secs: Some(secs(locked.retry_after_secs())),
        locked_until: Some(Date(locked.until)),
        error: Some(Diagnostic::of(locked)),
        new_state: new_state.map(Into::into),
    }
}

const ALLOWED: LockoutDecision = LockoutDecision {
    allowed: true,
    retry_after_secs: None,
    locked_until: None,
    error: None,
    new_state: None,
};

/// One step of a tiered schedule (django-axes style).
#[napi(object)]
pub struct LockoutTier {
    /// From this many consecutive failures on…
    pub failures: u32,
    /// …each failure locks for this many seconds.
    pub lock_secs: f64,
}

/// A lockout policy (plain data; `toJSON()`/`fromJSON()` use core's serde
/// format so a backend can keep it in configuration).
#[napi]
pub struct LockoutPolicy {
    inner: lockout::LockoutPolicy,
}

#[napi]
impl LockoutPolicy {
    /// The UPS site / AWS Cognito rule: from the 5th failure lock 2^(n−5) s,
    /// capped at 900 s; reset after 15 quiet minutes following a lock.
    #[napi(factory)]
    pub fn ups_site() -> Self {
        Self {
            inner: lockout::LockoutPolicy::ups_site(),
        }
    }

    /// Key-code entry on a device: 3 failures, 30 s doubling, 1 h cap.
    #[napi(factory)]
    pub fn device_entry() -> Self {
        Self {
            inner: lockout::LockoutPolicy::device_entry(),
        }
    }

    /// ASP.NET Identity defaults: 5 attempts → 5 min.
    #[napi(factory)]
    pub fn aspnet_identity() -> Self {
        Self {
            inner: lockout::LockoutPolicy::aspnet_identity(),
        }
    }

    /// Devise defaults: 20 attempts → 1 h.
    #[napi(factory)]
    pub fn devise() -> Self {
        Self {
            inner: lockout::LockoutPolicy::devise(),
        }
    }

    /// Keycloak's brute-force detection defaults.
    #[napi(factory)]
    pub fn keycloak() -> Self {
        Self {
            inner: lockout::LockoutPolicy::keycloak(),
        }
    }

    /// Keycloak "By multiples" with the given settings (seconds).
    #[napi(factory)]
    pub fn keycloak_multiple(
        env: &Env,
        max_login_failures: u32,
        wait_increment_secs: f64,
        max_wait_secs: f64,
        failure_reset_secs: f64,
    ) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::keycloak_multiple(
                max_login_failures,
                u64_arg(env, wait_increment_secs, "waitIncrementSecs")?,
                u64_arg(env, max_wait_secs, "maxWaitSecs")?,
                u64_arg(env, failure_reset_secs, "failureResetSecs")?,
            ),
        })
    }

    /// Keycloak "Linear" with the given settings (seconds).
    #[napi(factory)]
    pub fn keycloak_linear(
        env: &Env,
        max_login_failures: u32,
        wait_increment_secs: f64,
        max_wait_secs: f64,
        failure_reset_secs: f64,
    ) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::keycloak_linear(
                max_login_failures,
                u64_arg(env, wait_increment_secs, "waitIncrementSecs")?,
                u64_arg(env, max_wait_secs, "maxWaitSecs")?,
                u64_arg(env, failure_reset_secs, "failureResetSecs")?,
            ),
        })
    }

    /// A fixed lock of `lockSecs` once `threshold` failures are reached.
    #[napi(factory)]
    pub fn fixed(env: &Env, threshold: u32, lock_secs: f64) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::fixed(threshold, u64_arg(env, lock_secs, "lockSecs")?),
        })
    }

    /// Stepped tiers: the lock of the largest tier whose `failures ≤ n`.
    #[napi(factory)]
    pub fn tiers(env: &Env, tiers: Vec<LockoutTier>) -> Result<Self> {
        let tiers = tiers
            .iter()
            .map(|t| {
                Ok(lockout::Tier {
                    failures: t.failures,
                    lock_secs: u64_arg(env, t.lock_secs, "lockSecs")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            inner: lockout::LockoutPolicy::tiers(tiers),
        })
    }

    /// A policy from core's JSON form. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: String) -> Result<Self> {
        from_json(env, &json).map(|inner| Self { inner })
    }

    /// Core's JSON form (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, &self.inner)
    }

    /// Throws `lockout.invalid_policy` (with `params.reason`) when the values
    /// make no sense; the other methods never fail whatever the values.
    #[napi]
    pub fn validate(&self, env: &Env) -> Result<()> {
        self.inner.validate().or_throw(env)
    }

    /// The failure count that first locks.
    #[napi(getter)]
    pub fn threshold(&self) -> u32 {
        self.inner.threshold
    }

    /// The cap on a single lock, in seconds.
    #[napi(getter)]
    pub fn max_lock_secs(&self) -> f64 {
        secs(self.inner.max_lock_secs)
    }

    /// Lock length in seconds after `failures` consecutive failures.
    #[napi]
    pub fn lock_secs(&self, failures: u32) -> f64 {
        secs(self.inner.lock_secs(failures))
    }

    /// Read-only: may an attempt at `now` (default: system clock) check the
    /// password?
    #[napi]
    pub fn check(&self, state: LockoutState, now: Option<Date>) -> LockoutDecision {
        let state: lockout::LockoutState = state.into();
        match state.check(&self.inner, now_or(now)) {
            Decision::Allowed => ALLOWED,
            Decision::Locked(locked) => locked_decision(&locked, None),
        }
    }

    /// Begin an attempt: like `check`, but a refusal may carry a `newState`
    /// to store (policies counting locked attempts; clock rebase). When
    /// allowed, check the password and call `recordFailure` or
    /// `recordSuccess` with the same `now`.
    #[napi]
    pub fn attempt(&self, state: LockoutState, now: Option<Date>) -> LockoutDecision {
        let state: lockout::LockoutState = state.into();
        match state.attempt(&self.inner, now_or(now)) {
            Ok(_) => ALLOWED,
            Err(refusal) => locked_decision(&refusal.locked, refusal.new_state),
        }
    }

    /// Record a wrong password; returns the state to store. While locked this
    /// changes nothing (a refused attempt never lengthens a lock).
    #[napi]
    pub fn record_failure(&self, state: LockoutState, now: Option<Date>) -> LockoutState {
        lockout::LockoutState::from(state)
            .record_failure(&self.inner, now_or(now))
            .into()
    }

    /// Record a correct password; returns the state to store (counter reset,
    /// unless still locked: a correct password never unlocks early).
    #[napi]
    pub fn record_success(&self, state: LockoutState, now: Option<Date>) -> LockoutState {
        lockout::LockoutState::from(state)
            .record_success(&self.inner, now_or(now))
            .into()
    }
}

/// Compact, versioned, canonical text form (`l1.<failures>.<lockedUntilMs>.<lastAttemptMs>`):
/// equal states encode equal, so the string can be the compare-and-set token.
#[napi]
pub fn encode_lockout_state(state: LockoutState) -> String {
    lockout::LockoutState::from(state).encode()
}

/// Parse `encodeLockoutState`'s form. Throws `lockout.malformed_state`.
#[napi]
pub fn decode_lockout_state(env: &Env, encoded: String) -> Result<LockoutState> {
    lockout::LockoutState::decode(&encoded)
        .or_throw(env)
        .map(Into::into)
}

/// Compact binary form of a lockout state (for a BYTEA/BLOB column).
#[napi]
pub fn lockout_state_to_bytes(state: LockoutState) -> Buffer {
    Buffer::from(lockout::LockoutState::from(state).to_bytes())
}

/// Parse `lockoutStateToBytes`'s form. Throws `lockout.malformed_state`.
#[napi]
pub fn lockout_state_from_bytes(env: &Env, bytes: Uint8Array) -> Result<LockoutState> {
    lockout::LockoutState::from_bytes(&bytes)
        .or_throw(env)
        .map(Into::into)
}
