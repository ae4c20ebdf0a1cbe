//! The per-account state: what is decided from it (check, attempt, forget)
//! and its encodings (versioned text, compact bytes).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Admission, AfterLock, LockoutError, LockoutPolicy, QuietReset, Refusal};
use super::{from_ms, ms_to_duration, secs_to_ms, to_ms};
use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::state_text;

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

impl LockoutState {
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
    /// once, an owned [`Admission`] with the attempt already counted as a
    /// failure ([`Admission::state`]); `Err` means refuse without checking
    /// it (even if correct). One writer stores the settled state
    /// ([`Admission::failure`] / [`Admission::succeeded`]); a state shared
    /// by several writers stores [`Admission::state`] *before* the check
    /// (see [`Admission`]).
    ///
    /// # Errors
    /// [`Refusal`] while the account is locked.
    pub fn attempt(
        &self,
        policy: &LockoutPolicy,
        now: DateTime<Utc>,
    ) -> Result<Admission, Refusal> {
        let now_ms = to_ms(now);
        let rebased = self.rebased(policy, now_ms);
        match rebased.locked_at(policy, now_ms) {
            None => Ok(Admission {
                previous: *self,
                state: self.record_failure(policy, now),
                at: from_ms(now_ms),
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
        state_text::join(
            "l1",
            &[
                self.failures.to_string(),
                t(self.locked_until),
                t(self.last_attempt),
            ],
        )
    }

    /// Parse [`LockoutState::encode`]'s form. Only the canonical form is
    /// accepted.
    ///
    /// # Errors
    /// [`LockoutError::MalformedState`] for anything else; never panics.
    pub fn decode(input: &str) -> Result<Self, LockoutError> {
        let malformed = |reason| LockoutError::MalformedState { reason };
        let [f, lu, la] =
            state_text::fields::<3>(input, "l1", 64).map_err(|m| malformed(m.reason()))?;
        let failures = state_text::canonical_u32(f).ok_or(malformed("failures"))?;
        let time = |s: &str| -> Result<Option<DateTime<Utc>>, LockoutError> {
            if s.is_empty() {
                return Ok(None);
            }
            state_text::canonical_i64(s)
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

impl fmt::Display for LockoutState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}
