//! Lockout (SPEC §3) for local entry on the phone or the device: a PIN pad,
//! a key-code field (`device_entry`), or mirroring a server's policy. The
//! app stores the state (encoded string or bytes) and passes it back in.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use regcore::lockout::{
    Decision, Locked as CoreLocked, LockoutError, LockoutPolicy as CorePolicy,
    LockoutState as CoreState,
};

use crate::error::{Area, Diagnostic, RegcoreError};
use crate::time::{from_chrono, to_chrono};

impl From<LockoutError> for RegcoreError {
    fn from(e: LockoutError) -> Self {
        let area = match e {
            LockoutError::MalformedState { .. } => Area::InvalidState,
            _ => Area::InvalidPolicy,
        };
        Self::from_coded(area, &e)
    }
}

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

/// Outcome of [`LockoutPolicy::attempt`].
#[derive(Debug, uniffi::Enum)]
pub enum AttemptResult {
    /// Check the PIN or password once, then record the outcome on `attempt`.
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

/// Permission to check a PIN or password once, obtained only while not
/// locked. Record the outcome with `failure()` or `success()` and store the
/// returned state.
#[derive(Debug, uniffi::Object)]
pub struct LockoutAttempt {
    policy: CorePolicy,
    state: CoreState,
    now: chrono::DateTime<chrono::Utc>,
}

#[uniffi::export]
impl LockoutAttempt {
    /// The PIN or password was wrong: the state to store.
    ///
    /// # Errors
    /// `InvalidArgument` only if the resulting lock end is unrepresentable.
    pub fn failure(&self) -> Result<LockoutState, RegcoreError> {
        let next = match self.state.attempt(&self.policy, self.now) {
            Ok(attempt) => attempt.failure(),
            // Unreachable: this object exists only for an allowed attempt,
            // and the decision is a pure function of the same inputs.
            Err(refusal) => refusal.new_state.unwrap_or(self.state),
        };
        LockoutState::from_core(next)
    }

    /// The PIN or password was right: the state to store (counter reset).
    ///
    /// # Errors
    /// As [`LockoutAttempt::failure`].
    pub fn success(&self) -> Result<LockoutState, RegcoreError> {
        let next = match self.state.attempt(&self.policy, self.now) {
            Ok(attempt) => attempt.success(),
            Err(refusal) => refusal.new_state.unwrap_or(self.state),
        };
        LockoutState::from_core(next)
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

#[uniffi::export]
impl LockoutPolicy {
    /// UPS site (= AWS Cognito): 4 free failures, then 1 s doubling, capped
    /// at 900 s; reset after 15 quiet minutes following a lock.
    #[uniffi::constructor]
    pub fn ups_site() -> Arc<Self> {
        wrap(CorePolicy::ups_site())
    }

    /// Key-code or PIN entry on a device: 2 free failures, 30 s from the
    /// 3rd, doubling, capped at 1 h. Use it with every key-code check.
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

    /// A fixed lock of `lock_secs` after `threshold` failures.
    #[uniffi::constructor]
    pub fn fixed(threshold: u32, lock_secs: u64) -> Arc<Self> {
        wrap(CorePolicy::fixed(threshold, lock_secs))
    }

    /// A policy from its JSON form (as [`LockoutPolicy::to_json`] writes),
    /// validated.
    ///
    /// # Errors
    /// `InvalidPolicy`: `policy.invalid_json` or `lockout.invalid_policy`.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>, RegcoreError> {
        let policy: CorePolicy = serde_json::from_str(&json).map_err(|e| {
            RegcoreError::from_coded(
                Area::InvalidPolicy,
                &crate::policy::InvalidJson(e.to_string()),
            )
        })?;
        policy.validate()?;
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
    /// `InvalidArgument` (`time.out_of_range`).
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

    /// Begin an attempt (the misuse-resistant entry point): `Proceed` carries
    /// the one-time permission to check; `Refused` means do not check.
    ///
    /// # Errors
    /// `InvalidArgument` (`time.out_of_range`).
    pub fn attempt(
        &self,
        state: LockoutState,
        now: SystemTime,
    ) -> Result<AttemptResult, RegcoreError> {
        let core_state = state.to_core()?;
        let now = to_chrono(now)?;
        Ok(match core_state.attempt(&self.0, now) {
            Ok(_) => AttemptResult::Proceed {
                attempt: Arc::new(LockoutAttempt {
                    policy: self.0.clone(),
                    state: core_state,
                    now,
                }),
            },
            Err(refusal) => AttemptResult::Refused {
                lock: Lock::from_core(&refusal.locked)?,
                new_state: refusal.new_state.map(LockoutState::from_core).transpose()?,
            },
        })
    }

    /// Record a wrong PIN or password at `now`; returns the state to store.
    /// While locked this changes nothing (a refused attempt never counts).
    ///
    /// # Errors
    /// `InvalidArgument` (`time.out_of_range`).
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
    /// `InvalidArgument` (`time.out_of_range`).
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
/// `InvalidArgument` (`time.out_of_range`).
#[uniffi::export]
pub fn encode_lockout_state(state: LockoutState) -> Result<String, RegcoreError> {
    Ok(state.to_core()?.encode())
}

/// Parse [`encode_lockout_state`]'s form.
///
/// # Errors
/// `InvalidState` (`lockout.malformed_state`, parameter `reason`).
#[uniffi::export]
pub fn decode_lockout_state(encoded: String) -> Result<LockoutState, RegcoreError> {
    LockoutState::from_core(CoreState::decode(&encoded)?)
}

/// Compact byte form of a state.
///
/// # Errors
/// `InvalidArgument` (`time.out_of_range`).
#[uniffi::export]
pub fn lockout_state_to_bytes(state: LockoutState) -> Result<Vec<u8>, RegcoreError> {
    Ok(state.to_core()?.to_bytes())
}

/// Parse [`lockout_state_to_bytes`]'s form.
///
/// # Errors
/// `InvalidState` (`lockout.malformed_state`).
#[uniffi::export]
pub fn lockout_state_from_bytes(bytes: Vec<u8>) -> Result<LockoutState, RegcoreError> {
    LockoutState::from_core(CoreState::from_bytes(&bytes)?)
}
