//! Lockout policies: the schedule of lock lengths, the threshold, the cap
//! and the presets from the manuals and other systems.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{LockoutError, secs_to_ms};

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

pub(super) const MS_PER_SEC: u64 = 1000;

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

    /// Key-code entry on a device (a decision of this project, see docs/lockout.md ("Policies and presets")): 2 free failures, 30 s
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

    pub(super) fn lock_ms(&self, failures: u32) -> i64 {
        secs_to_ms(self.lock_secs(failures))
    }

    pub(super) fn cap_ms(&self) -> i64 {
        secs_to_ms(self.max_lock_secs)
    }
}
