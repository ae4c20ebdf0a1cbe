//! Lockout (docs/lockout.md) for local entry on the phone or the device: a PIN pad,
//! a key-code field (`device_entry`), or mirroring a server's policy. The
//! app stores the state (encoded string or bytes) and passes it back in.
//!
//! One way to attempt, `policy.attempt(state, now)`, giving core's owned,
//! single-use admission, settled in one of two ways:
//! - one device, one writer: check the PIN, then store
//!   `admission.failure()` or `admission.succeeded()`;
//! - a state shared by several writers (a server, several processes):
//!   store `admission.state()` *before* checking (compare-and-set against
//!   `admission.previous()`), then settle with `failure()` or
//!   `success().apply(current)`.
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

/// Outcome of [`LockoutPolicy::attempt`], the one way to attempt.
#[derive(Debug, uniffi::Enum)]
pub enum AttemptResult {
    /// Check the PIN or password once and settle the admission: one writer
    /// stores `failure()` or `succeeded()`; a state shared by several
    /// writers stores `admission.state()` *before* the check.
    Proceed {
        /// Permission to check once (the attempt already counted).
        admission: Arc<LockoutAdmission>,
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

/// Permission to check a PIN or password once, obtained only while not
/// locked. The attempt is already counted as a failure in
/// [`LockoutAdmission::state`]. One writer (a device) checks, then stores
/// `failure()` or `succeeded()`; a state shared by several writers stores
/// `state()` before checking (docs/lockout.md ("Several servers, one
/// account")). Settle exactly once: a second settle raises
/// `lockout.admission_used`.
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

    /// The PIN or password was right and this device is the state's only
    /// writer: the state to store (counter reset).
    ///
    /// # Errors
    /// `lockout.admission_used` if already settled.
    pub fn succeeded(&self) -> Result<LockoutState, RegcoreError> {
        LockoutState::from_core(settle(&self.slot)?.succeeded())
    }
}

impl LockoutAdmission {
    fn new(admission: CoreAdmission) -> Result<Arc<Self>, RegcoreError> {
        Ok(Arc::new(Self {
            previous: LockoutState::from_core(admission.previous())?,
            state: LockoutState::from_core(admission.state())?,
            admitted_at: from_chrono(admission.admitted_at())?,
            slot: Mutex::new(Some(admission)),
        }))
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
    /// do not check.
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`.
    pub fn attempt(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<AttemptResult, RegcoreError> {
        Ok(match state.to_core()?.attempt(&self.0, to_chrono(now)?) {
            Ok(admission) => AttemptResult::Proceed {
                admission: LockoutAdmission::new(admission)?,
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

    fn proceed(result: AttemptResult) -> Arc<LockoutAdmission> {
        match result {
            AttemptResult::Proceed { admission } => admission,
            AttemptResult::Refused { .. } => panic!("refused"),
        }
    }

    /// The one-device flow writes exactly the states of core's
    /// `record_failure` / `record_success` (the Cognito rule), including
    /// after a clock that went backwards.
    #[test]
    fn local_flow_matches_cores_record_functions() {
        let policy = LockoutPolicy(CorePolicy::ups_site());
        let mut state = LockoutState::default();
        for (i, secs) in [0_u64, 1, 2, 3, 10, 20, 5, 4000, 4001, 4001]
            .into_iter()
            .enumerate()
        {
            let now = at(secs);
            let core_state = state.to_core().unwrap();
            let chrono_now = to_chrono(now).unwrap();
            if core_state.attempt(&policy.0, chrono_now).is_err() {
                continue;
            }
            let admission = proceed(policy.attempt(state, now).unwrap());
            let expected = if i % 3 == 2 {
                let ok = core_state.record_success(&policy.0, chrono_now);
                assert_eq!(
                    admission.succeeded().unwrap(),
                    LockoutState::from_core(ok).unwrap()
                );
                ok
            } else {
                let bad = core_state.record_failure(&policy.0, chrono_now);
                assert_eq!(
                    admission.failure().unwrap(),
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
        let once = proceed(policy.attempt(LockoutState::default(), at(0)).unwrap());
        once.failure().unwrap();
        let e = once.succeeded().unwrap_err();
        assert_eq!(e.code(), "lockout.admission_used");

        let admission = proceed(policy.attempt(LockoutState::default(), at(0)).unwrap());
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
