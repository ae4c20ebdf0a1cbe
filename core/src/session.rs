//! Login sessions (docs/codes-and-links.md §3): an idle timeout (UPS site: 30 minutes \[000\]
//! §3-1) and an optional absolute cap (decision).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use regcore::session::{SessionPolicy, SessionState, SessionStatus};
//!
//! let policy = SessionPolicy::ups_site();
//! let t0 = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
//! let session = SessionState::start(t0);
//! match session.touch(&policy, t0 + Duration::minutes(29)) {
//!     SessionStatus::Active(renewed) => { let _ = renewed; /* store it */ }
//!     _ => unreachable!(),
//! }
//! assert_eq!(
//!     session.touch(&policy, t0 + Duration::minutes(30)),
//!     SessionStatus::IdleExpired
//! );
//! ```
//!
//! Clock going backwards: if `now` is before `last_seen`, no time has
//! passed (never negative idle time), and the renewed state is rebased onto
//! the new clock keeping the session's age as of its last activity, so the
//! absolute cap is never extended by a clock jump and never reached early.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::state_text;

/// Session timeouts (serde data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Inactivity after which the session ends, in seconds.
    pub idle_timeout_secs: u64,
    /// Age after which the session ends whatever the activity, if any.
    pub absolute_timeout_secs: Option<u64>,
}

impl SessionPolicy {
    /// UPS site \[000\]: 30 minutes idle, no absolute cap.
    #[must_use]
    pub const fn ups_site() -> Self {
        Self {
            idle_timeout_secs: 1_800,
            absolute_timeout_secs: None,
        }
    }

    /// The same policy with an absolute cap.
    #[must_use]
    pub const fn with_absolute_timeout_secs(mut self, secs: u64) -> Self {
        self.absolute_timeout_secs = Some(secs);
        self
    }
}

/// What the caller stores per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionState {
    /// When the session began (rebased if the clock went backwards).
    pub started_at: DateTime<Utc>,
    /// Last activity.
    pub last_seen: DateTime<Utc>,
}

/// Outcome of [`SessionState::touch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "store the renewed state or end the session"]
pub enum SessionStatus {
    /// Still valid; store the renewed state.
    Active(SessionState),
    /// No activity for the idle timeout.
    IdleExpired,
    /// Older than the absolute cap.
    AbsoluteExpired,
}

fn secs(s: u64) -> TimeDelta {
    TimeDelta::try_seconds(i64::try_from(s).unwrap_or(i64::MAX)).unwrap_or(TimeDelta::MAX)
}

impl SessionState {
    /// A session that starts (log-in) at `now`.
    #[must_use]
    pub const fn start(now: DateTime<Utc>) -> Self {
        Self {
            started_at: now,
            last_seen: now,
        }
    }

    /// Activity at `now`: is the session still valid, and if so its renewed
    /// state. Expiry is `≥`: at exactly 30 minutes idle the session is over.
    pub fn touch(&self, policy: &SessionPolicy, now: DateTime<Utc>) -> SessionStatus {
        let idle = now
            .signed_duration_since(self.last_seen)
            .max(TimeDelta::zero());
        // Age as of the last activity is never lost; time only adds to it.
        let age_at_last = self
            .last_seen
            .signed_duration_since(self.started_at)
            .max(TimeDelta::zero());
        let age = age_at_last.checked_add(&idle).unwrap_or(TimeDelta::MAX);
        if let Some(cap) = policy.absolute_timeout_secs
            && age >= secs(cap)
        {
            return SessionStatus::AbsoluteExpired;
        }
        if idle >= secs(policy.idle_timeout_secs) {
            return SessionStatus::IdleExpired;
        }
        let started_at = now
            .checked_sub_signed(age)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        SessionStatus::Active(Self {
            started_at,
            last_seen: now,
        })
    }

    /// When the session ends if nothing touches it (the earlier of the idle
    /// timeout and the absolute cap): the store's expiry.
    #[must_use]
    pub fn expires_at(&self, policy: &SessionPolicy) -> DateTime<Utc> {
        let idle_end = self
            .last_seen
            .checked_add_signed(secs(policy.idle_timeout_secs))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        match policy.absolute_timeout_secs {
            Some(cap) => idle_end.min(
                self.started_at
                    .checked_add_signed(secs(cap))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            ),
            None => idle_end,
        }
    }

    /// Compact text form for a SQL column or a Redis value:
    /// `s1.<started_at_ms>.<last_seen_ms>` (decimal milliseconds since the
    /// Unix epoch). Canonical: equal states encode to equal strings.
    #[must_use]
    pub fn encode(&self) -> String {
        state_text::join(
            "s1",
            &[
                self.started_at.timestamp_millis().to_string(),
                self.last_seen.timestamp_millis().to_string(),
            ],
        )
    }

    /// Parse [`SessionState::encode`]'s form (times are kept to the ms).
    ///
    /// # Errors
    /// [`SessionError::MalformedState`] for anything else.
    pub fn decode(input: &str) -> Result<Self, SessionError> {
        let malformed = |reason| SessionError::MalformedState { reason };
        let [started, last] =
            state_text::fields::<2>(input, "s1", 64).map_err(|m| malformed(m.reason()))?;
        let time = |text: &str| {
            state_text::canonical_i64(text)
                .and_then(DateTime::from_timestamp_millis)
                .ok_or(malformed("time"))
        };
        Ok(Self {
            started_at: time(started)?,
            last_seen: time(last)?,
        })
    }
}

/// A stored session state that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Not `encode()`'s form. Code `session.malformed_state`; parameter
    /// `reason`.
    #[error("stored session state is malformed ({reason})")]
    MalformedState {
        /// Stable snake_case reason.
        reason: &'static str,
    },
}

impl Coded for SessionError {
    fn code(&self) -> &'static str {
        match self {
            Self::MalformedState { .. } => "session.malformed_state",
        }
    }
    fn kind(&self) -> ErrorKind {
        ErrorKind::StoredState
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::MalformedState { reason } => vec![("reason", (*reason).to_owned())],
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::Ja, Self::MalformedState { reason }) => {
                format!("保存されたセッション状態が不正です（{reason}）。")
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}
