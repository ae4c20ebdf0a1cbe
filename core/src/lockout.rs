//! Login lockout (SPEC §3): how long an account (or a device keypad) refuses
//! attempts after consecutive failures.
//!
//! The rules are data ([`LockoutPolicy`]); the per-account memory is a small
//! value ([`LockoutState`]) that the caller stores (SQL column, Redis key) and
//! passes back in. Nothing here reads a clock: `now` is always a parameter.
//!
//! # Using it
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use regcore::lockout::{LockoutPolicy, LockoutState};
//!
//! let policy = LockoutPolicy::ups_site();
//! let now = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
//! let stored = LockoutState::default(); // read from your store
//!
//! match stored.attempt(&policy, now) {
//!     Ok(attempt) => {
//!         let password_ok = false; // only now check the password
//!         let next = if password_ok { attempt.success() } else { attempt.failure() };
//!         let _ = next.encode(); // write back (compare-and-set, see docs/lockout.md)
//!     }
//!     Err(refusal) => {
//!         // Locked: do not check the password, even a correct one.
//!         println!("retry after {:?}", refusal.locked.retry_after);
//!     }
//! }
//! ```
//!
//! [`LockoutState::attempt`] is the misuse-resistant entry point: the
//! password may only be checked with an [`Attempt`] in hand, and an attempt
//! only exists while the account is not locked. The lower-level
//! [`LockoutState::record_failure`] and [`LockoutState::record_success`] are
//! safe too: called while locked they change nothing (a refused attempt never
//! counts and never unlocks).
//!
//! # Clock going backwards
//!
//! When `now` is earlier than the stored `last_attempt`, time "stands still":
//! the elapsed time is taken as zero and the state is rebased onto the new
//! clock, keeping the lock's remaining length as it was at the last attempt
//! (never more than the cap). So a lock never ends early, and it never lasts
//! longer than the cap measured from the latest time the caller reported
//! (a device whose clock resets to 1970 is not locked for 55 years).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Coded, ErrorKind, Lang, Param};

/// How the lock length grows with the number of consecutive failures `n`
/// (counted after the current failure). Every schedule gives 0 below the
/// policy's threshold and never exceeds the policy's cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Schedule {
    /// `base × factor^(n − threshold)` seconds (AWS Cognito / UPS site:
    /// base 1 s, factor 2, threshold 5).
    Exponential {
        /// Lock length at the threshold, in seconds.
        base_secs: u64,
        /// Growth factor per further failure (2 = doubling).
        factor: u32,
    },
    /// Keycloak "By multiples": `wait_increment × floor(n / threshold)`
    /// seconds, where the threshold is Keycloak's *Max Login Failures*.
    KeycloakMultiple {
        /// Keycloak *Wait Increment*, in seconds.
        wait_increment_secs: u64,
    },
    /// Keycloak "Linear": `wait_increment × (1 + n − threshold)` seconds.
    KeycloakLinear {
        /// Keycloak *Wait Increment*, in seconds.
        wait_increment_secs: u64,
    },
    /// A fixed lock once `n ≥ threshold` (ASP.NET Identity, Devise).
    Fixed {
        /// Lock length, in seconds.
        lock_secs: u64,
    },
    /// Stepped tiers (django-axes style cool-off table): the lock of the
    /// largest tier whose `failures ≤ n`.
    Tiers {
        /// The tiers; order does not matter (the largest applicable lock wins).
        tiers: Vec<Tier>,
    },
}

/// One step of a [`Schedule::Tiers`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// From this many consecutive failures on…
    pub failures: u32,
    /// …each failure locks for this many seconds.
    pub lock_secs: u64,
}

/// When the failure counter forgets on its own (besides a successful login).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum QuietReset {
    /// UPS site / Cognito: once a lock has been imposed, the counter resets
    /// when no attempt was made for `quiet_secs` after the lock ended
    /// (measured from the later of the last attempt and the lock's end).
    /// Failures below the threshold are not forgotten this way.
    AfterLockEnds {
        /// Quiet period in seconds (`≥` resets).
        quiet_secs: u64,
    },
    /// Keycloak *Failure Reset Time*: a failure more than `quiet_secs` after
    /// the previous one starts counting from zero again.
    SinceLastFailure {
        /// Quiet period in seconds (strictly more resets).
        quiet_secs: u64,
    },
}

/// What happens to the counter once a lock has expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AfterLock {
    /// Keep counting: the next failure locks longer (Cognito, Keycloak).
    Continue,
    /// Start again from zero: another `threshold` free attempts
    /// (ASP.NET Identity, Devise with `unlock_strategy :time`).
    Restart,
}

/// A lockout policy: plain, serde-serialisable data.
///
/// The functions using it never panic whatever the values (all arithmetic
/// saturates; a zero threshold acts as 1); [`LockoutPolicy::validate`] tells
/// a configuration screen what makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// The `n`-th consecutive failure that first locks (UPS site: 5).
    pub threshold: u32,
    /// How the lock grows.
    pub schedule: Schedule,
    /// No single lock is longer than this, in seconds (UPS site: 900).
    pub max_lock_secs: u64,
    /// Automatic reset after a quiet period, if any.
    pub quiet_reset: Option<QuietReset>,
    /// Counter behaviour after a lock expires.
    pub after_lock: AfterLock,
    /// If true, an attempt made while locked is refused **and** counted as a
    /// failure (lengthening the lock). The UPS rule is `false`.
    pub count_locked_attempts: bool,
}

const MS_PER_SEC: u64 = 1000;

impl LockoutPolicy {
    /// UPS registration site \[000\] (= AWS Cognito): 4 free failures, then
    /// 1 s doubling per failure (`2^(n−5)` s), capped at 900 s; reset after
    /// 15 quiet minutes following a lock.
    #[must_use]
    pub fn ups_site() -> Self {
        Self {
            threshold: 5,
            schedule: Schedule::Exponential {
                base_secs: 1,
                factor: 2,
            },
            max_lock_secs: 900,
            quiet_reset: Some(QuietReset::AfterLockEnds { quiet_secs: 900 }),
            after_lock: AfterLock::Continue,
            count_locked_attempts: false,
        }
    }

    /// Key-code entry on a device (SPEC decision): 2 free failures, 30 s
    /// from the 3rd, doubling, capped at 1 h. Reset only after 24 quiet hours
    /// following a lock (decision, see docs/lockout.md: a 10-bit code must
    /// not get fresh free guesses every quarter of an hour).
    #[must_use]
    pub fn device_entry() -> Self {
        Self {
            threshold: 3,
            schedule: Schedule::Exponential {
                base_secs: 30,
                factor: 2,
            },
            max_lock_secs: 3600,
            quiet_reset: Some(QuietReset::AfterLockEnds { quiet_secs: 86_400 }),
            after_lock: AfterLock::Continue,
            count_locked_attempts: false,
        }
    }

    /// ASP.NET Core Identity defaults: 5 failures lock for 5 minutes, then
    /// the count starts again.
    #[must_use]
    pub fn aspnet_identity() -> Self {
        Self::fixed(5, 300)
    }

    /// Devise `:lockable` defaults with `unlock_strategy :time`: 20 failures
    /// lock for 1 hour, then the count starts again.
    #[must_use]
    pub fn devise() -> Self {
        Self::fixed(20, 3600)
    }

    /// Keycloak's temporary-lockout defaults: *Max Login Failures* 30,
    /// "By multiples", *Wait Increment* 60 s, *Max Wait* 15 min,
    /// *Failure Reset Time* 12 h.
    #[must_use]
    pub fn keycloak() -> Self {
        Self::keycloak_multiple(30, 60, 900, 43_200)
    }

    /// Keycloak "By multiples" with the realm's settings.
    #[must_use]
    pub fn keycloak_multiple(
        max_login_failures: u32,
        wait_increment_secs: u64,
        max_wait_secs: u64,
        failure_reset_secs: u64,
    ) -> Self {
        Self {
            threshold: max_login_failures,
            schedule: Schedule::KeycloakMultiple {
                wait_increment_secs,
            },
            max_lock_secs: max_wait_secs,
            quiet_reset: Some(QuietReset::SinceLastFailure {
                quiet_secs: failure_reset_secs,
            }),
            after_lock: AfterLock::Continue,
            count_locked_attempts: false,
        }
    }

    /// Keycloak "Linear" with the realm's settings.
    #[must_use]
    pub fn keycloak_linear(
        max_login_failures: u32,
        wait_increment_secs: u64,
        max_wait_secs: u64,
        failure_reset_secs: u64,
    ) -> Self {
        Self {
            schedule: Schedule::KeycloakLinear {
                wait_increment_secs,
            },
            ..Self::keycloak_multiple(
                max_login_failures,
                wait_increment_secs,
                max_wait_secs,
                failure_reset_secs,
            )
        }
    }

    /// A fixed lock of `lock_secs` after `threshold` failures, counting
    /// again from zero once it expires (ASP.NET Identity, Devise).
    #[must_use]
    pub fn fixed(threshold: u32, lock_secs: u64) -> Self {
        Self {
            threshold,
            schedule: Schedule::Fixed { lock_secs },
            max_lock_secs: lock_secs,
            quiet_reset: None,
            after_lock: AfterLock::Restart,
            count_locked_attempts: false,
        }
    }

    /// Stepped tiers (django-axes style): threshold is the smallest tier,
    /// cap the largest lock; counting continues after a lock.
    #[must_use]
    pub fn tiers(tiers: Vec<Tier>) -> Self {
        let threshold = tiers.iter().map(|t| t.failures).min().unwrap_or(1);
        let cap = tiers.iter().map(|t| t.lock_secs).max().unwrap_or(0);
        Self {
            threshold,
            schedule: Schedule::Tiers { tiers },
            max_lock_secs: cap,
            quiet_reset: None,
            after_lock: AfterLock::Continue,
            count_locked_attempts: false,
        }
    }

    /// Check that the policy makes sense (positive threshold, lengths and
    /// factors; tiers sorted by failures with non-decreasing locks).
    ///
    /// # Errors
    /// [`LockoutError::InvalidPolicy`] naming the problem.
    pub fn validate(&self) -> Result<(), LockoutError> {
        let bad = |reason| Err(LockoutError::InvalidPolicy { reason });
        if self.threshold == 0 {
            return bad("threshold_zero");
        }
        if self.max_lock_secs == 0 {
            return bad("cap_zero");
        }
        match &self.schedule {
            Schedule::Exponential { base_secs, factor } => {
                if *base_secs == 0 {
                    return bad("base_zero");
                }
                if *factor == 0 {
                    return bad("factor_zero");
                }
            }
            Schedule::KeycloakMultiple {
                wait_increment_secs,
            }
            | Schedule::KeycloakLinear {
                wait_increment_secs,
            } => {
                if *wait_increment_secs == 0 {
                    return bad("wait_increment_zero");
                }
            }
            Schedule::Fixed { lock_secs } => {
                if *lock_secs == 0 {
                    return bad("lock_zero");
                }
            }
            Schedule::Tiers { tiers } => {
                if tiers.is_empty() {
                    return bad("tiers_empty");
                }
                if tiers
                    .windows(2)
                    .any(|w| matches!(w, [a, b] if a.failures >= b.failures || a.lock_secs > b.lock_secs))
                {
                    return bad("tiers_unsorted");
                }
            }
        }
        match self.quiet_reset {
            Some(
                QuietReset::AfterLockEnds { quiet_secs: 0 }
                | QuietReset::SinceLastFailure { quiet_secs: 0 },
            ) => bad("quiet_zero"),
            _ => Ok(()),
        }
    }

    fn effective_threshold(&self) -> u32 {
        self.threshold.max(1)
    }

    /// Lock length in whole seconds imposed by the `failures`-th consecutive
    /// failure (0 = no lock), already capped.
    #[must_use]
    pub fn lock_secs(&self, failures: u32) -> u64 {
        let threshold = self.effective_threshold();
        if failures < threshold {
            return 0;
        }
        let over = failures.saturating_sub(threshold);
        let raw = match &self.schedule {
            Schedule::Exponential { base_secs, factor } => {
                let growth = u64::from((*factor).max(1)).saturating_pow(over);
                base_secs.saturating_mul(growth)
            }
            Schedule::KeycloakMultiple {
                wait_increment_secs,
            } => wait_increment_secs.saturating_mul(u64::from(
                failures.checked_div(threshold).unwrap_or(failures),
            )),
            Schedule::KeycloakLinear {
                wait_increment_secs,
            } => wait_increment_secs.saturating_mul(u64::from(over).saturating_add(1)),
            Schedule::Fixed { lock_secs } => *lock_secs,
            Schedule::Tiers { tiers } => tiers
                .iter()
                .filter(|t| t.failures <= failures)
                .map(|t| t.lock_secs)
                .max()
                .unwrap_or(0),
        };
        raw.min(self.max_lock_secs)
    }

    /// [`LockoutPolicy::lock_secs`] as a [`Duration`].
    #[must_use]
    pub fn lock_duration(&self, failures: u32) -> Duration {
        Duration::from_secs(self.lock_secs(failures))
    }

    fn lock_ms(&self, failures: u32) -> i64 {
        secs_to_ms(self.lock_secs(failures))
    }

    fn cap_ms(&self) -> i64 {
        secs_to_ms(self.max_lock_secs)
    }
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(MS_PER_SEC)).unwrap_or(i64::MAX)
}

/// Milliseconds since the Unix epoch (floor).
fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant `ms` after the epoch, clamped to chrono's range (whole
/// milliseconds, so every state survives the encodings).
fn from_ms(ms: i64) -> DateTime<Utc> {
    let clamped = ms.clamp(
        DateTime::<Utc>::MIN_UTC.timestamp_millis(),
        DateTime::<Utc>::MAX_UTC.timestamp_millis(),
    );
    DateTime::from_timestamp_millis(clamped).unwrap_or_default()
}

fn ms_to_duration(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// How long a store keeps a state core never forgets, after its last
/// attempt: 90 days (decision; see [`LockoutState::retain_until`]).
pub const UNFORGOTTEN_RETENTION_SECS: u64 = 90 * 86_400;

/// The per-account memory of consecutive failures. Store it (see
/// [`LockoutState::encode`]) and pass it back in.
///
/// Times are kept to the millisecond (what the encoding carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct LockoutState {
    /// Consecutive failures counted so far (saturates at `u32::MAX`).
    pub failures: u32,
    /// End of the current or last lock, if the last counted failure locked.
    pub locked_until: Option<DateTime<Utc>>,
    /// Time of the last counted attempt (failure or success).
    pub last_attempt: Option<DateTime<Utc>>,
}

/// The answer to "may this attempt proceed to the password check?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password.
    Allowed,
    /// Refuse without checking the password.
    Locked(Locked),
}

/// The account is locked: refuse without checking the password.
///
/// Code `lockout.locked`; parameter `retry_after_secs` (rounded up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed attempts; try again in {} seconds", self.retry_after_secs())]
pub struct Locked {
    /// How long until an attempt will be allowed.
    pub retry_after: Duration,
    /// When the lock ends (on the caller's clock as rebased; see module docs).
    pub until: DateTime<Utc>,
}

impl Locked {
    /// `retry_after` in whole seconds, rounded up (what a `Retry-After`
    /// header or a form should show).
    #[must_use]
    pub fn retry_after_secs(&self) -> u64 {
        let secs = self.retry_after.as_secs();
        if self.retry_after.subsec_nanos() > 0 {
            secs.saturating_add(1)
        } else {
            secs
        }
    }
}

impl Coded for Locked {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Locked
    }
    fn code(&self) -> &'static str {
        "lockout.locked"
    }
    fn params(&self) -> Vec<Param> {
        vec![("retry_after_secs", self.retry_after_secs().to_string())]
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => format!(
                "失敗が続いたため一時的にロックされています。{}秒後にもう一度お試しください。",
                self.retry_after_secs()
            ),
        }
    }
}

/// An attempt refused because the account is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The lock.
    pub locked: Locked,
    /// A state to store, when the refusal changed it: only if the policy
    /// counts locked attempts, or if the clock went backwards (rebase).
    /// `None`: store nothing.
    pub new_state: Option<LockoutState>,
}

/// Permission to check the password once; obtained from
/// [`LockoutState::attempt`] only while the account is not locked.
#[derive(Debug, Clone)]
#[must_use = "record the outcome with .failure() or .success() and store the state"]
pub struct Attempt<'p> {
    policy: &'p LockoutPolicy,
    state: LockoutState,
    now: DateTime<Utc>,
}

impl Attempt<'_> {
    /// The password was wrong: the state to store.
    #[must_use]
    pub fn failure(self) -> LockoutState {
        self.state.record_failure(self.policy, self.now)
    }

    /// The password was right: the state to store (counter reset).
    #[must_use]
    pub fn success(self) -> LockoutState {
        self.state.record_success(self.policy, self.now)
    }
}

/// Permission to check the password once, for callers whose state is shared
/// by several processes or servers (SPEC §3, "Admission under concurrency").
///
/// Obtained from [`LockoutState::admit`]. The attempt is counted as a
/// failure **in advance**: store [`Admission::state`] (compare-and-set
/// against [`Admission::previous`]) *before* checking the password, so N
/// simultaneous attempts get at most as many password checks as the policy
/// has free tries left. Then settle it exactly once:
/// - wrong password: [`Admission::failure`]; the stored state is already
///   right, nothing more to write;
/// - right password: [`Admission::success`], then store
///   [`Success::apply`] of the state stored *by then* (other attempts may
///   have written since), retrying the compare-and-set as needed.
///
/// Owned (no borrow of the policy), so it crosses FFI; settling consumes it,
/// so it cannot be settled twice. On one server with no concurrency the
/// states written are exactly those of [`LockoutState::attempt`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "store .state() before checking the password, then settle the admission"]
pub struct Admission {
    previous: LockoutState,
    state: LockoutState,
    at: DateTime<Utc>,
}

impl Admission {
    /// The state this admission was computed from: the compare-and-set
    /// token (write [`Admission::state`] only if the store still holds it).
    #[must_use]
    pub fn previous(&self) -> LockoutState {
        self.previous
    }

    /// The state to store before the password is checked: the attempt
    /// already counted as a failure.
    #[must_use]
    pub fn state(&self) -> LockoutState {
        self.state
    }

    /// When the attempt was admitted.
    #[must_use]
    pub fn admitted_at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The password was wrong. The failure was counted on admission, so the
    /// stored state needs no further write; returns that state.
    #[must_use]
    pub fn failure(self) -> LockoutState {
        self.state
    }

    /// The password was right: the success to apply to whatever the store
    /// holds by the time it is written (other attempts may have written
    /// since this one was admitted). Consumes the admission; the returned
    /// [`Success`] may be applied again on every compare-and-set retry.
    pub fn success(self) -> Success {
        Success { at: self.at }
    }
}

/// A correct password, settled; from [`Admission::success`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "store .apply(current) in place of the current state"]
pub struct Success {
    at: DateTime<Utc>,
}

impl Success {
    /// The state to store in place of `current`. The counter resets, as a
    /// success does in the Cognito rule, including a lock that failures
    /// admitted alongside this attempt imposed since: this attempt was
    /// admitted before them, so it is ordered first. `last_attempt` never
    /// moves backwards, so a later backwards clock still rebases correctly.
    #[must_use]
    pub fn apply(&self, current: LockoutState) -> LockoutState {
        let last = match current.last_attempt {
            Some(stored) if stored > self.at => stored,
            _ => self.at,
        };
        LockoutState {
            failures: 0,
            locked_until: None,
            last_attempt: Some(last),
        }
    }
}

impl LockoutState {
    /// Begin an attempt whose state is shared: `Ok` carries an owned
    /// [`Admission`] whose [`state`](Admission::state) (the attempt counted
    /// as a failure) must be stored before the password is checked; `Err`
    /// means refuse without checking it, exactly as [`LockoutState::attempt`].
    ///
    /// # Errors
    /// [`Refusal`] while the account is locked.
    pub fn admit(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> Result<Admission, Refusal> {
        let attempt = self.attempt(policy, now)?;
        Ok(Admission {
            previous: *self,
            state: attempt.failure(),
            at: from_ms(to_ms(now)),
        })
    }

    /// From when a store may forget this state: the earliest instant after
    /// which it behaves exactly like no state at all for every later
    /// attempt (as long as the clock does not go backwards). `None` when
    /// it never does: under the Cognito rule, failures below the threshold
    /// are forgotten only by a success. The store layer derives Redis
    /// expiry and `purge_expired` from this.
    #[must_use]
    pub fn forget_at(&self, policy: &LockoutPolicy) -> Option<DateTime<Utc>> {
        if self.failures == 0 && self.locked_until.is_none() {
            return Some(self.last_attempt.unwrap_or(DateTime::<Utc>::UNIX_EPOCH));
        }
        let last = self.last_attempt.map(to_ms)?;
        let lock_end = self.lock_end_ms(policy, last).unwrap_or(last);
        let was_locked = policy.lock_secs(self.failures) > 0;
        if was_locked && policy.after_lock == AfterLock::Restart {
            return Some(from_ms(lock_end));
        }
        let at = match policy.quiet_reset? {
            QuietReset::AfterLockEnds { quiet_secs } if was_locked => {
                let from = last.max(self.locked_until.map_or(last, to_ms));
                from.saturating_add(secs_to_ms(quiet_secs))
            }
            QuietReset::AfterLockEnds { .. } => return None,
            // "More than quiet_secs since the last failure": one ms later.
            QuietReset::SinceLastFailure { quiet_secs } => last
                .saturating_add(secs_to_ms(quiet_secs))
                .saturating_add(1),
        };
        Some(from_ms(at.max(lock_end)))
    }

    /// Until when a store keeps this state (its Redis TTL and
    /// `purge_expired` horizon): [`LockoutState::forget_at`], or — where
    /// core never forgets (failures below the threshold, no success since)
    /// — [`UNFORGOTTEN_RETENTION_SECS`] after the last attempt, so keys
    /// sprayed at a login form do not accumulate forever. Never before `now`.
    #[must_use]
    pub fn retain_until(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> DateTime<Utc> {
        let now_ms = to_ms(now);
        let until = match self.forget_at(policy) {
            Some(at) => to_ms(at),
            None => self
                .last_attempt
                .map_or(now_ms, to_ms)
                .max(now_ms)
                .saturating_add(secs_to_ms(UNFORGOTTEN_RETENTION_SECS)),
        };
        from_ms(until.max(now_ms))
    }

    /// Rebase onto `now` if the clock went backwards (see module docs).
    fn rebased(&self, policy: &LockoutPolicy, now_ms: i64) -> Self {
        match self.last_attempt.map(to_ms) {
            Some(last) if now_ms < last => {
                let remaining = self
                    .locked_until
                    .map(|until| to_ms(until).saturating_sub(last).clamp(0, policy.cap_ms()))
                    .filter(|ms| *ms > 0);
                Self {
                    failures: self.failures,
                    locked_until: remaining.map(|ms| from_ms(now_ms.saturating_add(ms))),
                    last_attempt: Some(from_ms(now_ms)),
                }
            }
            _ => *self,
        }
    }

    /// End of the lock in ms, never more than the cap after the last attempt.
    fn lock_end_ms(&self, policy: &LockoutPolicy, now_ms: i64) -> Option<i64> {
        let until = to_ms(self.locked_until?);
        let start = self.last_attempt.map_or(now_ms, to_ms);
        Some(until.min(start.saturating_add(policy.cap_ms())))
    }

    fn locked_at(&self, policy: &LockoutPolicy, now_ms: i64) -> Option<Locked> {
        let end = self.lock_end_ms(policy, now_ms)?;
        (now_ms < end).then(|| Locked {
            retry_after: ms_to_duration(end.saturating_sub(now_ms)),
            until: from_ms(end),
        })
    }

    /// Is an attempt at `now` allowed to check the password? Read-only.
    #[must_use]
    pub fn check(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> Decision {
        let now_ms = to_ms(now);
        match self.rebased(policy, now_ms).locked_at(policy, now_ms) {
            Some(locked) => Decision::Locked(locked),
            None => Decision::Allowed,
        }
    }

    /// Begin an attempt: `Ok` carries the permission to check the password
    /// once; `Err` means refuse without checking it (even if correct).
    ///
    /// # Errors
    /// [`Refusal`] while the account is locked.
    pub fn attempt<'p>(
        &self,
        policy: &'p LockoutPolicy,
        now: DateTime<Utc>,
    ) -> Result<Attempt<'p>, Refusal> {
        let now_ms = to_ms(now);
        let rebased = self.rebased(policy, now_ms);
        match rebased.locked_at(policy, now_ms) {
            None => Ok(Attempt {
                policy,
                state: *self,
                now,
            }),
            Some(locked) => {
                let new_state = if policy.count_locked_attempts {
                    Some(self.record_failure(policy, now))
                } else if rebased != *self {
                    Some(rebased)
                } else {
                    None
                };
                let locked = match new_state.and_then(|s| s.locked_at(policy, now_ms)) {
                    Some(l) => l,
                    None => locked,
                };
                Err(Refusal { locked, new_state })
            }
        }
    }

    /// Record a wrong password at `now` and return the state to store.
    ///
    /// While locked this changes nothing (unless the policy counts locked
    /// attempts), so calling it for a refused attempt cannot lengthen a lock.
    #[must_use]
    pub fn record_failure(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> Self {
        let now_ms = to_ms(now);
        let mut s = self.rebased(policy, now_ms);
        if s.locked_at(policy, now_ms).is_some() {
            if !policy.count_locked_attempts {
                return s;
            }
        } else {
            s = s.forget_if_due(policy, now_ms);
        }
        s.failures = s.failures.saturating_add(1);
        let lock = policy.lock_ms(s.failures);
        s.locked_until = (lock > 0).then(|| from_ms(now_ms.saturating_add(lock)));
        s.last_attempt = Some(from_ms(now_ms));
        s
    }

    /// Record a correct password at `now` and return the state to store:
    /// the counter resets. While locked this changes nothing (a correct
    /// password never unlocks early).
    #[must_use]
    pub fn record_success(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> Self {
        let now_ms = to_ms(now);
        let s = self.rebased(policy, now_ms);
        if s.locked_at(policy, now_ms).is_some() {
            return s;
        }
        Self {
            failures: 0,
            locked_until: None,
            last_attempt: Some(from_ms(now_ms)),
        }
    }

    /// Apply the quiet-period and after-lock resets (only called when not locked).
    fn forget_if_due(self, policy: &LockoutPolicy, now_ms: i64) -> Self {
        let fresh = Self {
            failures: 0,
            locked_until: None,
            last_attempt: self.last_attempt,
        };
        let was_locked = policy.lock_secs(self.failures) > 0;
        if was_locked && policy.after_lock == AfterLock::Restart {
            return fresh;
        }
        let Some(last) = self.last_attempt.map(to_ms) else {
            return self;
        };
        let quiet_for = |from: i64| now_ms.saturating_sub(from).max(0);
        let due = match policy.quiet_reset {
            None => false,
            Some(QuietReset::AfterLockEnds { quiet_secs }) => {
                let from = last.max(self.locked_until.map_or(last, to_ms));
                was_locked && quiet_for(from) >= secs_to_ms(quiet_secs)
            }
            Some(QuietReset::SinceLastFailure { quiet_secs }) => {
                quiet_for(last) > secs_to_ms(quiet_secs)
            }
        };
        if due { fresh } else { self }
    }

    /// Compact, versioned text form for a SQL column or a Redis value:
    /// `l1.<failures>.<locked_until_ms>.<last_attempt_ms>` (decimal; an
    /// absent time is empty), e.g. `l1.5.1743498001000.1743498000000`.
    /// Canonical: equal states encode to equal strings, so the string can
    /// be the compare-and-set token.
    #[must_use]
    pub fn encode(&self) -> String {
        let t = |t: Option<DateTime<Utc>>| t.map(|t| to_ms(t).to_string()).unwrap_or_default();
        format!(
            "l1.{}.{}.{}",
            self.failures,
            t(self.locked_until),
            t(self.last_attempt)
        )
    }

    /// Parse [`LockoutState::encode`]'s form. Only the canonical form is
    /// accepted.
    ///
    /// # Errors
    /// [`LockoutError::MalformedState`] for anything else; never panics.
    pub fn decode(input: &str) -> Result<Self, LockoutError> {
        let malformed = |reason| LockoutError::MalformedState { reason };
        if input.len() > 64 {
            return Err(malformed("too_long"));
        }
        let mut parts = input.split('.');
        if parts.next() != Some("l1") {
            return Err(malformed("version"));
        }
        let (Some(f), Some(lu), Some(la), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("fields"));
        };
        let failures = parse_canonical_u64(f)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or(malformed("failures"))?;
        let time = |s: &str| -> Result<Option<DateTime<Utc>>, LockoutError> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_canonical_i64(s)
                .and_then(DateTime::from_timestamp_millis)
                .map(Some)
                .ok_or(malformed("time"))
        };
        Self::checked(failures, time(lu)?, time(la)?)
    }

    fn checked(
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        last_attempt: Option<DateTime<Utc>>,
    ) -> Result<Self, LockoutError> {
        if locked_until.is_some() && last_attempt.is_none() {
            return Err(LockoutError::MalformedState {
                reason: "lock_without_attempt",
            });
        }
        Ok(Self {
            failures,
            locked_until,
            last_attempt,
        })
    }

    /// Compact binary form: version `0x01`, flags (bit 0: `locked_until`
    /// present, bit 1: `last_attempt` present), `BE32(failures)`, then each
    /// present time as `BE64` signed milliseconds since the epoch. 6 to 22
    /// bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(22);
        out.push(1);
        out.push(
            u8::from(self.locked_until.is_some()) | (u8::from(self.last_attempt.is_some()) << 1),
        );
        out.extend_from_slice(&self.failures.to_be_bytes());
        for t in [self.locked_until, self.last_attempt].into_iter().flatten() {
            out.extend_from_slice(&to_ms(t).to_be_bytes());
        }
        out
    }

    /// Parse [`LockoutState::to_bytes`]'s form.
    ///
    /// # Errors
    /// [`LockoutError::MalformedState`]; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LockoutError> {
        let malformed = |reason| LockoutError::MalformedState { reason };
        let (head, rest) = bytes.split_first_chunk::<2>().ok_or(malformed("length"))?;
        let [version, flags] = *head;
        if version != 1 {
            return Err(malformed("version"));
        }
        if flags > 3 {
            return Err(malformed("flags"));
        }
        let (failures, mut rest) = rest.split_first_chunk::<4>().ok_or(malformed("length"))?;
        let mut time = |present: bool| -> Result<Option<DateTime<Utc>>, LockoutError> {
            if !present {
                return Ok(None);
            }
            let (ms, tail) = rest.split_first_chunk::<8>().ok_or(malformed("length"))?;
            rest = tail;
            DateTime::from_timestamp_millis(i64::from_be_bytes(*ms))
                .map(Some)
                .ok_or(malformed("time"))
        };
        let locked_until = time(flags & 1 != 0)?;
        let last_attempt = time(flags & 2 != 0)?;
        if !rest.is_empty() {
            return Err(malformed("length"));
        }
        Self::checked(u32::from_be_bytes(*failures), locked_until, last_attempt)
    }
}

/// Decimal digits without sign or leading zeros.
fn parse_canonical_u64(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

/// Canonical decimal `i64` (optional `-`, no `+`, no leading zeros, no `-0`).
fn parse_canonical_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    parse_canonical_u64(digits)?;
    if s == "-0" {
        return None;
    }
    s.parse().ok()
}

/// Why a lockout policy or stored state was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockoutError {
    /// A stored state that is not a canonical encoding. Code
    /// `lockout.malformed_state`; parameter `reason`.
    #[error("stored lockout state is malformed ({reason})")]
    MalformedState {
        /// Stable snake_case reason.
        reason: &'static str,
    },
    /// A policy whose values make no sense. Code `lockout.invalid_policy`;
    /// parameter `reason`.
    #[error("lockout policy is invalid ({reason})")]
    InvalidPolicy {
        /// Stable snake_case reason.
        reason: &'static str,
    },
    /// An admission was settled twice. Rust makes this impossible (settling
    /// consumes the [`Admission`]); the bindings, whose values can be used
    /// again, raise it. Code `lockout.admission_used`.
    #[error("this lockout admission was already settled")]
    AdmissionUsed,
}

impl Coded for LockoutError {
    fn code(&self) -> &'static str {
        match self {
            Self::MalformedState { .. } => "lockout.malformed_state",
            Self::InvalidPolicy { .. } => "lockout.invalid_policy",
            Self::AdmissionUsed => "lockout.admission_used",
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            Self::MalformedState { .. } => ErrorKind::StoredState,
            Self::InvalidPolicy { .. } => ErrorKind::Configuration,
            Self::AdmissionUsed => ErrorKind::InvalidInput,
        }
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::MalformedState { reason } | Self::InvalidPolicy { reason } => {
                vec![("reason", (*reason).to_owned())]
            }
            Self::AdmissionUsed => vec![],
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::MalformedState { reason }) => {
                format!("保存されたロックアウト状態が不正です（{reason}）。")
            }
            (Lang::Ja, Self::InvalidPolicy { reason }) => {
                format!("ロックアウトの設定が不正です（{reason}）。")
            }
            (Lang::Ja, Self::AdmissionUsed) => {
                "このログイン試行の結果はすでに記録されています。".to_owned()
            }
        }
    }
}

impl fmt::Display for LockoutState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

/// The examples in docs/lockout.md compile and pass as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/lockout.md")]
struct LockoutMdExamples;
