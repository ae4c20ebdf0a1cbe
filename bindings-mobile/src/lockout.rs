//! Lockout (docs/lockout.md) for local entry on the phone or the device: a PIN pad,
//! a key-code field (`device_entry`), or mirroring a server's policy. The
//! app stores the state (encoded string or bytes) and passes it back in.
//!
//! Two flows, both over core's owned, single-use admission:
//! - one device, one writer: `policy.attempt(state, now)`, check the PIN,
//!   then store `attempt.failure()` or `attempt.success()`;
//! - a state shared by several writers (a server, several processes):
//!   `state.admit(policy, now)`, store `admission.state()` *before* checking
//!   (compare-and-set against `admission.previous()`), then settle with
//!   `failure()` or `success().apply(current)`.
//!
//! Settling twice raises core's `lockout.admission_used`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use regcore::BoundaryError;
use regcore::lockout::{
    Admission as CoreAdmission, Decision, Locked as CoreLocked, LockoutError,
    LockoutPolicy as CorePolicy, LockoutState as CoreState, Refusal as CoreRefusal,
    Success as CoreSuccess,
};

use crate::error::{Diagnostic, RegcoreError};
use crate::time::{from_chrono, to_chrono};

/// The per-account (or per-keypad) memory of consecutive failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Record)]
pub struct LockoutState {
    /// Consecutive failures counted so far.
    #[uniffi(default = 0)]
    pub failures: u32,
    /// End of the current or last lock, if the last counted failure locked.
    #[uniffi(default)]
    pub locked_until: Option<SystemTime>,
    /// Time of the last counted attempt.
    #[uniffi(default)]
    pub last_attempt: Option<SystemTime>,
}

impl LockoutState {
    fn to_core(self) -> Result<CoreState, RegcoreError> {
        Ok(CoreState {
            failures: self.failures,
            locked_until: self.locked_until.map(to_chrono).transpose()?,
            last_attempt: self.last_attempt.map(to_chrono).transpose()?,
        })
    }

    fn from_core(s: CoreState) -> Result<Self, RegcoreError> {
        Ok(Self {
            failures: s.failures,
            locked_until: s.locked_until.map(from_chrono).transpose()?,
            last_attempt: s.last_attempt.map(from_chrono).transpose()?,
        })
    }
}

/// A lock in force: refuse without checking the PIN or password.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Lock {
    /// How long until an attempt will be allowed.
    pub retry_after: Duration,
    /// `retry_after` in whole seconds, rounded up (what to show).
    pub retry_after_secs: u64,
    /// When the lock ends.
    pub until: SystemTime,
    /// Code `lockout.locked` with `retry_after_secs` and en/ja messages.
    pub message: Diagnostic,
}

impl Lock {
    fn from_core(l: &CoreLocked) -> Result<Self, RegcoreError> {
        Ok(Self {
            retry_after: l.retry_after,
            retry_after_secs: l.retry_after_secs(),
            until: from_chrono(l.until)?,
            message: Diagnostic::from_coded(l),
        })
    }
}

/// May this attempt proceed to the PIN or password check?
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LockoutDecision {
    /// Check the PIN or password.
    Allowed,
    /// Refuse without checking it, even if it would be correct.
    Locked {
        /// The lock.
        lock: Lock,
    },
}

/// Outcome of [`LockoutPolicy::attempt`] (one device, one writer).
#[derive(Debug, uniffi::Enum)]
pub enum AttemptResult {
    /// Check the PIN or password once, then store what `attempt` returns.
    Proceed {
        /// Permission to check once.
        attempt: Arc<LockoutAttempt>,
    },
    /// Locked: refuse without checking.
    Refused {
        /// The lock.
        lock: Lock,
        /// A state to store if the refusal changed it (a policy counting
        /// locked attempts, or a clock that went backwards); otherwise none.
        new_state: Option<LockoutState>,
    },
}

/// Outcome of [`LockoutState::admit`] (a state shared by several writers).
#[derive(Debug, uniffi::Enum)]
pub enum AdmitResult {
    /// Store `admission.state()` (compare-and-set against
    /// `admission.previous()`), then check the password once and settle.
    Admitted {
        /// The admission.
        admission: Arc<LockoutAdmission>,
    },
    /// Locked: refuse without checking.
    Refused {
        /// The lock.
        lock: Lock,
        /// A state to store if the refusal changed it; otherwise none.
        new_state: Option<LockoutState>,
    },
}

/// Takes a core admission out of its slot exactly once; the second time is
/// core's `lockout.admission_used`.
fn settle(slot: &Mutex<Option<CoreAdmission>>) -> Result<CoreAdmission, RegcoreError> {
    slot.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .ok_or_else(|| LockoutError::AdmissionUsed.into())
}

fn refused(refusal: &CoreRefusal) -> Result<(Lock, Option<LockoutState>), RegcoreError> {
    Ok((
        Lock::from_core(&refusal.locked)?,
        refusal.new_state.map(LockoutState::from_core).transpose()?,
    ))
}

/// Permission to check a PIN or password once on a device that is the only
/// writer of its state, obtained only while not locked. Record the outcome
/// with `failure()` or `success()` (once: a second call raises
/// `lockout.admission_used`) and store the returned state.
#[derive(Debug, uniffi::Object)]
pub struct LockoutAttempt(Mutex<Option<CoreAdmission>>);

#[uniffi::export]
impl LockoutAttempt {
    /// The PIN or password was wrong: the state to store.
    ///
    /// # Errors
    /// `lockout.admission_used` if already settled.
    pub fn failure(&self) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(settle(&self.0)?.failure())
    }

    /// The PIN or password was right: the state to store (counter reset).
    ///
    /// # Errors
    /// `lockout.admission_used` if already settled.
    pub fn success(&self) -> Result<LockoutState, RegcoreError> {
        let admission = settle(&self.0)?;
        // One writer: the current state is the one the admission counted.
        let counted = admission.state();
        LockoutState::from_core(admission.success().apply(counted))
    }
}

/// Permission to check a password once against a state shared by several
/// writers (docs/lockout.md ("Several servers, one account")). The attempt is already
/// counted as a failure in [`LockoutAdmission::state`]: store it before
/// checking the password, then settle exactly once (a second settle raises
/// `lockout.admission_used`).
#[derive(Debug, uniffi::Object)]
pub struct LockoutAdmission {
    slot: Mutex<Option<CoreAdmission>>,
    previous: LockoutState,
    state: LockoutState,
    admitted_at: SystemTime,
}

#[uniffi::export]
impl LockoutAdmission {
    /// The state this admission was computed from: the compare-and-set
    /// token (write [`LockoutAdmission::state`] only if the store still
    /// holds it).
    pub fn previous(&self) -> LockoutState {
        self.previous
    }

    /// The state to store before the password is checked: the attempt
    /// already counted as a failure.
    pub fn state(&self) -> LockoutState {
        self.state
    }

    /// When the attempt was admitted.
    pub fn admitted_at(&self) -> SystemTime {
        self.admitted_at
    }

    /// The password was wrong. The failure was counted on admission, so
    /// nothing more needs writing; returns that state.
    ///
    /// # Errors
    /// `lockout.admission_used` if already settled.
    pub fn failure(&self) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(settle(&self.slot)?.failure())
    }

    /// The password was right: the success to apply to whatever the store
    /// holds by the time it is written.
    ///
    /// # Errors
    /// `lockout.admission_used` if already settled.
    pub fn success(&self) -> Result<Arc<LockoutSuccess>, RegcoreError> {
        Ok(Arc::new(LockoutSuccess(settle(&self.slot)?.success())))
    }
}

/// A correct password, settled; from [`LockoutAdmission::success`]. Apply it
/// to the state current in the store (again on every compare-and-set retry).
#[derive(Debug, uniffi::Object)]
pub struct LockoutSuccess(CoreSuccess);

#[uniffi::export]
impl LockoutSuccess {
    /// The state to store in place of `current` (counter reset).
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`, for a state time chrono
    /// cannot represent.
    pub fn apply(&self, current: LockoutState) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(self.0.apply(current.to_core()?))
    }
}

#[uniffi::export]
impl LockoutState {
    /// Begin an attempt whose state is shared by several writers: `Admitted`
    /// carries the owned, single-use admission; `Refused` means refuse
    /// without checking the password.
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn admit(
        &self,
        policy: Arc<LockoutPolicy>,
        now: SystemTime,
    ) -> Result<AdmitResult, RegcoreError> {
        Ok(match self.to_core()?.admit(&policy.0, to_chrono(now)?) {
            Ok(admission) => AdmitResult::Admitted {
                admission: Arc::new(LockoutAdmission {
                    previous: LockoutState::from_core(admission.previous())?,
                    state: LockoutState::from_core(admission.state())?,
                    admitted_at: from_chrono(admission.admitted_at())?,
                    slot: Mutex::new(Some(admission)),
                }),
            },
            Err(refusal) => {
                let (lock, new_state) = refused(&refusal)?;
                AdmitResult::Refused { lock, new_state }
            }
        })
    }
}

/// A lockout policy: a preset or the same JSON a server keeps.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct LockoutPolicy(CorePolicy);

impl PartialEq for LockoutPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for LockoutPolicy {}

fn wrap(policy: CorePolicy) -> Arc<LockoutPolicy> {
    Arc::new(LockoutPolicy(policy))
}

/// Longest lock the API can report: `lock_duration` returns a Kotlin
/// `java.time.Duration`, which holds at most 2^63 − 1 seconds.
const MAX_LOCK_SECS: i128 = i64::MAX as i128;

/// A lock length in seconds from the caller, within what the API can
/// report (core's `binding.integer_out_of_range` otherwise, never clamped).
fn lock_secs(name: &str, secs: u64) -> Result<u64, BoundaryError> {
    regcore::boundary::integer_in(name, i128::from(secs), 0, MAX_LOCK_SECS)
}

#[uniffi::export]
impl LockoutPolicy {
    /// The UPS site's rule (= AWS Cognito's): core's
    /// `LockoutPolicy::ups_site` (schedule in docs/lockout.md).
    #[uniffi::constructor]
    pub fn ups_site() -> Arc<Self> {
        wrap(CorePolicy::ups_site())
    }

    /// Key-code or PIN entry on a device: core's
    /// `LockoutPolicy::device_entry` (schedule in docs/lockout.md). Use it
    /// with every key-code check.
    #[uniffi::constructor]
    pub fn device_entry() -> Arc<Self> {
        wrap(CorePolicy::device_entry())
    }

    /// ASP.NET Core Identity defaults: 5 failures lock for 5 minutes.
    #[uniffi::constructor]
    pub fn aspnet_identity() -> Arc<Self> {
        wrap(CorePolicy::aspnet_identity())
    }

    /// Devise defaults: 20 failures lock for 1 hour.
    #[uniffi::constructor]
    pub fn devise() -> Arc<Self> {
        wrap(CorePolicy::devise())
    }

    /// Keycloak's temporary-lockout defaults.
    #[uniffi::constructor]
    pub fn keycloak() -> Arc<Self> {
        wrap(CorePolicy::keycloak())
    }

    /// A fixed lock of `lock_secs` after `threshold` failures, validated.
    ///
    /// # Errors
    /// Kind invalid input, `binding.integer_out_of_range` for `lock_secs`
    /// above 2^63 − 1 (a `java.time.Duration` holds no more); kind
    /// configuration, `lockout.invalid_policy` (`threshold_zero`; a zero
    /// lock is `cap_zero`).
    #[uniffi::constructor]
    pub fn fixed(threshold: u32, lock_secs: u64) -> Result<Arc<Self>, RegcoreError> {
        let policy = CorePolicy::fixed(threshold, self::lock_secs("lock_secs", lock_secs)?);
        policy.validate()?;
        Ok(wrap(policy))
    }

    /// A policy from its JSON form (as [`LockoutPolicy::to_json`] writes),
    /// validated.
    ///
    /// # Errors
    /// Kind invalid input, `binding.malformed_json` (`what` =
    /// `lockout_policy`) and `binding.integer_out_of_range` for a
    /// `max_lock_secs` above 2^63 − 1; kind configuration,
    /// `lockout.invalid_policy`.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>, RegcoreError> {
        let policy: CorePolicy =
            serde_json::from_str(&json).map_err(|e| BoundaryError::MalformedJson {
                what: "lockout_policy",
                reason: e.to_string(),
            })?;
        policy.validate()?;
        lock_secs("max_lock_secs", policy.max_lock_secs)?;
        Ok(wrap(policy))
    }

    /// The policy as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The lock imposed by the `failures`-th consecutive failure (zero below
    /// the threshold), e.g. for a help screen.
    pub fn lock_duration(&self, failures: u32) -> Duration {
        self.0.lock_duration(failures)
    }

    /// Read-only: may an attempt at `now` check the PIN or password?
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn check(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<LockoutDecision, RegcoreError> {
        Ok(match state.to_core()?.check(&self.0, to_chrono(now)?) {
            Decision::Allowed => LockoutDecision::Allowed,
            Decision::Locked(l) => LockoutDecision::Locked {
                lock: Lock::from_core(&l)?,
            },
        })
    }

    /// Begin an attempt on a device that is the only writer of its state:
    /// `Proceed` carries the one-time permission to check; `Refused` means
    /// do not check. (Several writers: [`LockoutState::admit`].)
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn attempt(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<AttemptResult, RegcoreError> {
        Ok(match state.to_core()?.admit(&self.0, to_chrono(now)?) {
            Ok(admission) => AttemptResult::Proceed {
                attempt: Arc::new(LockoutAttempt(Mutex::new(Some(admission)))),
            },
            Err(refusal) => {
                let (lock, new_state) = refused(&refusal)?;
                AttemptResult::Refused { lock, new_state }
            }
        })
    }

    /// Record a wrong PIN or password at `now`; returns the state to store.
    /// While locked this changes nothing (a refused attempt never counts).
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn record_failure(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(state.to_core()?.record_failure(&self.0, to_chrono(now)?))
    }

    /// Record a correct PIN or password at `now`; returns the state to store.
    /// While locked this changes nothing (never unlocks early).
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn record_success(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(state.to_core()?.record_success(&self.0, to_chrono(now)?))
    }
}

/// Compact, versioned text form of a state (`l1.<failures>.<until>.<last>`),
/// canonical, for SharedPreferences / UserDefaults or a server column.
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn encode_lockout_state(state: LockoutState) -> Result<String, RegcoreError> {
    Ok(state.to_core()?.encode())
}

/// Parse [`encode_lockout_state`]'s form.
///
/// # Errors
/// Kind stored state, `lockout.malformed_state` (parameter `reason`).
#[uniffi::export]
pub fn decode_lockout_state(encoded: String) -> Result<LockoutState, RegcoreError> {
    LockoutState::from_core(CoreState::decode(&encoded)?)
}

/// Compact byte form of a state.
///
/// # Errors
/// Kind invalid input, `time.out_of_range`.
#[uniffi::export]
pub fn lockout_state_to_bytes(state: LockoutState) -> Result<Vec<u8>, RegcoreError> {
    Ok(state.to_core()?.to_bytes())
}

/// Parse [`lockout_state_to_bytes`]'s form.
///
/// # Errors
/// Kind stored state, `lockout.malformed_state`.
#[uniffi::export]
pub fn lockout_state_from_bytes(bytes: Vec<u8>) -> Result<LockoutState, RegcoreError> {
    LockoutState::from_core(CoreState::from_bytes(&bytes)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::arithmetic_side_effects)]
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_743_498_000 + secs)
    }

    fn proceed(result: AttemptResult) -> Arc<LockoutAttempt> {
        match result {
            AttemptResult::Proceed { attempt } => attempt,
            AttemptResult::Refused { .. } => panic!("refused"),
        }
    }

    /// The one-device flow, built on core's admission, writes exactly the
    /// states of core's borrowed `attempt()` (the Cognito rule), including
    /// after a clock that went backwards.
    #[test]
    fn local_flow_matches_cores_attempt() {
        let policy = LockoutPolicy(CorePolicy::ups_site());
        let mut state = LockoutState::default();
        for (i, secs) in [0_u64, 1, 2, 3, 10, 20, 5, 4000, 4001, 4001]
            .into_iter()
            .enumerate()
        {
            let now = at(secs);
            let core_state = state.to_core().unwrap();
            let chrono_now = to_chrono(now).unwrap();
            let Ok(core_attempt) = core_state.attempt(&policy.0, chrono_now) else {
                continue;
            };
            let attempt = proceed(policy.attempt(state, now).unwrap());
            let expected = if i % 3 == 2 {
                let ok = core_attempt.success();
                assert_eq!(
                    attempt.success().unwrap(),
                    LockoutState::from_core(ok).unwrap()
                );
                ok
            } else {
                let bad = core_attempt.failure();
                assert_eq!(
                    attempt.failure().unwrap(),
                    LockoutState::from_core(bad).unwrap()
                );
                bad
            };
            state = LockoutState::from_core(expected).unwrap();
        }
    }

    #[test]
    fn settling_twice_is_admission_used() {
        let policy = Arc::new(LockoutPolicy(CorePolicy::device_entry()));
        let attempt = proceed(policy.attempt(LockoutState::default(), at(0)).unwrap());
        attempt.failure().unwrap();
        let e = attempt.success().unwrap_err();
        assert_eq!(e.code(), "lockout.admission_used");

        let AdmitResult::Admitted { admission } =
            LockoutState::default().admit(policy, at(0)).unwrap()
        else {
            panic!("refused");
        };
        assert_eq!(admission.state().failures, 1);
        let success = admission.success().unwrap();
        assert_eq!(
            admission.failure().unwrap_err().code(),
            "lockout.admission_used"
        );
        let applied = success.apply(admission.state()).unwrap();
        assert_eq!(applied.failures, 0);
        // Applying again (a compare-and-set retry) is allowed.
        assert_eq!(success.apply(admission.state()).unwrap(), applied);
    }
}
