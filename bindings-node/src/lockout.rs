//! Login lockout (docs/lockout.md): policies as data, the small per-account state
//! value, and its compact encodings for a SQL column or Redis.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::lockout::{self, Decision};

use crate::convert::{
    Date, Diagnostic, JsNumber, JsString, OrThrow, coded_error, from_json, int, now_or, secs,
    to_json,
};

/// The per-account memory of consecutive failures. Store it (e.g. with
/// `encodeLockoutState`) and pass it back in; a new account starts from
/// `{ failures: 0, lockedUntil: null, lastAttempt: null }`.
#[napi(object, use_nullable = true)]
#[derive(Clone, Copy)]
pub struct LockoutState {
    /// Consecutive failures counted so far (an integer `0..=4294967295`;
    /// anything else throws `binding.invalid_integer` or
    /// `binding.integer_out_of_range`).
    pub failures: JsNumber,
    /// End of the current or last lock, if the last counted failure locked.
    pub locked_until: Option<Date>,
    /// Time of the last counted attempt.
    pub last_attempt: Option<Date>,
}

impl LockoutState {
    /// Core's state; `failures` must be a `u32`.
    pub(crate) fn to_core(self, env: &Env) -> Result<lockout::LockoutState> {
        Ok(lockout::LockoutState {
            failures: int(env, "failures", self.failures)?,
            locked_until: self.locked_until.map(|d| d.0),
            last_attempt: self.last_attempt.map(|d| d.0),
        })
    }
}

impl From<lockout::LockoutState> for LockoutState {
    fn from(s: lockout::LockoutState) -> Self {
        Self {
            failures: s.failures.into(),
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

pub(crate) fn locked_decision(
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
    pub failures: JsNumber,
    /// …each failure locks for this many seconds.
    pub lock_secs: JsNumber,
}

/// A lockout policy (plain data; `toJSON()`/`fromJSON()` use core's serde
/// format so a backend can keep it in configuration).
#[napi]
pub struct LockoutPolicy {
    pub(crate) inner: lockout::LockoutPolicy,
}

#[napi]
impl LockoutPolicy {
    /// The UPS site's rule (AWS Cognito's): core's `LockoutPolicy::ups_site`
    /// (schedule in docs/lockout.md).
    #[napi(factory)]
    pub fn ups_site() -> Self {
        Self {
            inner: lockout::LockoutPolicy::ups_site(),
        }
    }

    /// Key-code entry on a device: core's `LockoutPolicy::device_entry`.
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
        max_login_failures: JsNumber,
        wait_increment_secs: JsNumber,
        max_wait_secs: JsNumber,
        failure_reset_secs: JsNumber,
    ) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::keycloak_multiple(
                int(env, "maxLoginFailures", max_login_failures)?,
                int(env, "waitIncrementSecs", wait_increment_secs)?,
                int(env, "maxWaitSecs", max_wait_secs)?,
                int(env, "failureResetSecs", failure_reset_secs)?,
            ),
        })
    }

    /// Keycloak "Linear" with the given settings (seconds).
    #[napi(factory)]
    pub fn keycloak_linear(
        env: &Env,
        max_login_failures: JsNumber,
        wait_increment_secs: JsNumber,
        max_wait_secs: JsNumber,
        failure_reset_secs: JsNumber,
    ) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::keycloak_linear(
                int(env, "maxLoginFailures", max_login_failures)?,
                int(env, "waitIncrementSecs", wait_increment_secs)?,
                int(env, "maxWaitSecs", max_wait_secs)?,
                int(env, "failureResetSecs", failure_reset_secs)?,
            ),
        })
    }

    /// A fixed lock of `lockSecs` once `threshold` failures are reached.
    #[napi(factory)]
    pub fn fixed(env: &Env, threshold: JsNumber, lock_secs: JsNumber) -> Result<Self> {
        Ok(Self {
            inner: lockout::LockoutPolicy::fixed(
                int(env, "threshold", threshold)?,
                int(env, "lockSecs", lock_secs)?,
            ),
        })
    }

    /// Stepped tiers: the lock of the largest tier whose `failures ≤ n`.
    #[napi(factory)]
    pub fn tiers(env: &Env, tiers: Vec<LockoutTier>) -> Result<Self> {
        let tiers = tiers
            .iter()
            .map(|t| {
                Ok(lockout::Tier {
                    failures: int(env, "failures", t.failures)?,
                    lock_secs: int(env, "lockSecs", t.lock_secs)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            inner: lockout::LockoutPolicy::tiers(tiers),
        })
    }

    /// A policy from core's JSON form. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        from_json(env, "lockout_policy", &json).map(|inner| Self { inner })
    }

    /// Core's JSON form (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "lockout_policy", &self.inner)
    }

    /// Throws `lockout.invalid_policy` (with `params.reason`) when the values
    /// make no sense; the other methods never fail whatever the values.
    #[napi]
    pub fn validate(&self, env: &Env) -> Result<()> {
        self.inner.validate().or_throw(env)
    }

    /// The failure count that first locks.
    #[napi(getter)]
    pub fn threshold(&self) -> f64 {
        f64::from(self.inner.threshold)
    }

    /// The cap on a single lock, in seconds.
    #[napi(getter)]
    pub fn max_lock_secs(&self) -> f64 {
        secs(self.inner.max_lock_secs)
    }

    /// Lock length in seconds after `failures` consecutive failures.
    #[napi]
    pub fn lock_secs(&self, env: &Env, failures: JsNumber) -> Result<f64> {
        Ok(secs(self.inner.lock_secs(int(env, "failures", failures)?)))
    }

    /// Read-only: may an attempt at `now` (default: system clock) check the
    /// password?
    #[napi]
    pub fn check(
        &self,
        env: &Env,
        state: LockoutState,
        now: Option<Date>,
    ) -> Result<LockoutDecision> {
        let state = state.to_core(env)?;
        Ok(match state.check(&self.inner, now_or(now)) {
            Decision::Allowed => ALLOWED,
            Decision::Locked(locked) => locked_decision(&locked, None),
        })
    }

    /// Begin an attempt, the one way to attempt. Allowed: a
    /// `LockoutAdmission` (`allowed: true`) whose `state` is the attempt
    /// already counted as a failure; one writer checks the password, then
    /// stores `failure()` or `succeeded()`; a state shared by several
    /// processes stores `state` (compare-and-set against `previous`)
    /// *before* the check, then settles once with `failure()` or
    /// `success().apply(current)` (docs/lockout.md). Refused: a
    /// `LockoutDecision` (`allowed: false`, `error`, maybe a `newState` to
    /// store); do not check the password.
    #[napi]
    pub fn attempt(
        &self,
        env: &Env,
        state: LockoutState,
        now: Option<Date>,
    ) -> Result<Either<LockoutAdmission, LockoutDecision>> {
        let state = state.to_core(env)?;
        Ok(match state.attempt(&self.inner, now_or(now)) {
            Ok(admission) => Either::A(LockoutAdmission::new(admission)),
            Err(refusal) => Either::B(locked_decision(&refusal.locked, refusal.new_state)),
        })
    }

    /// From when a store may forget `state`: after it, the state behaves
    /// exactly like no state at all. `null` when only a success forgets it
    /// (failures below the threshold under the Cognito rule).
    #[napi]
    pub fn forget_at(&self, env: &Env, state: LockoutState) -> Result<Option<Date>> {
        Ok(state.to_core(env)?.forget_at(&self.inner).map(Date))
    }

    /// Until when a store keeps `state`: `forgetAt`, or 90 days after the
    /// last attempt where only a success would forget it; never before `now`.
    #[napi]
    pub fn retain_until(&self, env: &Env, state: LockoutState, now: Option<Date>) -> Result<Date> {
        Ok(Date(
            state.to_core(env)?.retain_until(&self.inner, now_or(now)),
        ))
    }

    /// Record a wrong password; returns the state to store. While locked this
    /// changes nothing (a refused attempt never lengthens a lock).
    #[napi]
    pub fn record_failure(
        &self,
        env: &Env,
        state: LockoutState,
        now: Option<Date>,
    ) -> Result<LockoutState> {
        Ok(state
            .to_core(env)?
            .record_failure(&self.inner, now_or(now))
            .into())
    }

    /// Record a correct password; returns the state to store (counter reset,
    /// unless still locked: a correct password never unlocks early).
    #[napi]
    pub fn record_success(
        &self,
        env: &Env,
        state: LockoutState,
        now: Option<Date>,
    ) -> Result<LockoutState> {
        Ok(state
            .to_core(env)?
            .record_success(&self.inner, now_or(now))
            .into())
    }
}

/// Compact, versioned, canonical text form (`l1.<failures>.<lockedUntilMs>.<lastAttemptMs>`):
/// equal states encode equal, so the string can be the compare-and-set token.
#[napi]
pub fn encode_lockout_state(env: &Env, state: LockoutState) -> Result<String> {
    Ok(state.to_core(env)?.encode())
}

/// Parse `encodeLockoutState`'s form. Throws `lockout.malformed_state`.
#[napi]
pub fn decode_lockout_state(env: &Env, encoded: JsString) -> Result<LockoutState> {
    let encoded = encoded.text(env, "encoded")?;
    lockout::LockoutState::decode(&encoded)
        .or_throw(env)
        .map(Into::into)
}

/// Compact binary form of a lockout state (for a BYTEA/BLOB column).
#[napi]
pub fn lockout_state_to_bytes(env: &Env, state: LockoutState) -> Result<Buffer> {
    Ok(Buffer::from(state.to_core(env)?.to_bytes()))
}

/// Parse `lockoutStateToBytes`'s form. Throws `lockout.malformed_state`.
#[napi]
pub fn lockout_state_from_bytes(env: &Env, bytes: Uint8Array) -> Result<LockoutState> {
    lockout::LockoutState::from_bytes(&bytes)
        .or_throw(env)
        .map(Into::into)
}

/// Permission to check the password once, from `LockoutPolicy.attempt`. The
/// attempt is already counted as a failure in `state`: store it
/// (compare-and-set against `previous`) before checking the password, then
/// settle exactly once — `failure()` (nothing more to write) or `success()`
/// (store `apply(current)` of whatever is stored by then). A second
/// settlement throws `lockout.admission_used`.
#[napi]
pub struct LockoutAdmission {
    previous: lockout::LockoutState,
    state: lockout::LockoutState,
    admitted_at: chrono::DateTime<chrono::Utc>,
    /// `None` once settled.
    admission: Option<lockout::Admission>,
}

impl LockoutAdmission {
    pub(crate) fn new(admission: lockout::Admission) -> Self {
        Self {
            previous: admission.previous(),
            state: admission.state(),
            admitted_at: admission.admitted_at(),
            admission: Some(admission),
        }
    }

    fn take(&mut self, env: &Env) -> Result<lockout::Admission> {
        self.admission
            .take()
            .ok_or_else(|| coded_error(env, &lockout::LockoutError::AdmissionUsed))
    }
}

#[napi]
impl LockoutAdmission {
    /// Always `true` (a refusal is a `LockoutDecision` with `allowed: false`).
    #[napi(getter, ts_return_type = "true")]
    pub fn allowed(&self) -> bool {
        true
    }

    /// The state this admission was computed from: the compare-and-set
    /// token (store `state` only if the store still holds this).
    #[napi(getter)]
    pub fn previous(&self) -> LockoutState {
        self.previous.into()
    }

    /// The state to store before checking the password (the attempt counted
    /// as a failure in advance).
    #[napi(getter)]
    pub fn state(&self) -> LockoutState {
        self.state.into()
    }

    /// When the attempt was admitted.
    #[napi(getter)]
    pub fn admitted_at(&self) -> Date {
        Date(self.admitted_at)
    }

    /// True once `failure()` or `success()` was called.
    #[napi(getter)]
    pub fn settled(&self) -> bool {
        self.admission.is_none()
    }

    /// The password was wrong: returns the state already stored (nothing
    /// more to write). Throws `lockout.admission_used` if already settled.
    #[napi]
    pub fn failure(&mut self, env: &Env) -> Result<LockoutState> {
        Ok(self.take(env)?.failure().into())
    }

    /// The password was right: a `LockoutSuccess` to apply to the state
    /// stored by then. Throws `lockout.admission_used` if already settled.
    #[napi]
    pub fn success(&mut self, env: &Env) -> Result<LockoutSuccess> {
        Ok(LockoutSuccess {
            inner: self.take(env)?.success(),
        })
    }

    /// The password was right and this process is the state's only writer:
    /// the state to store (counter reset). Throws `lockout.admission_used`
    /// if already settled.
    #[napi]
    pub fn succeeded(&mut self, env: &Env) -> Result<LockoutState> {
        Ok(self.take(env)?.succeeded().into())
    }
}

/// A correct password, settled (from `LockoutAdmission.success()`). `apply`
/// may be called again on every compare-and-set retry.
#[napi]
pub struct LockoutSuccess {
    pub(crate) inner: lockout::Success,
}

#[napi]
impl LockoutSuccess {
    /// The state to store in place of `current` (what the store holds now):
    /// the counter reset, `lastAttempt` never moved backwards.
    #[napi]
    pub fn apply(&self, env: &Env, current: LockoutState) -> Result<LockoutState> {
        Ok(self.inner.apply(current.to_core(env)?).into())
    }
}
