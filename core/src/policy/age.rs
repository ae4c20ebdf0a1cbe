//! [`password_age`]: how close a password is to expiry.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::PasswordPolicy;
use super::report::counted;

/// How close a password is to expiry (docs/passwords.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PasswordAge {
    /// Not expiring within the warning window (or the policy has no max age).
    Fresh,
    /// Expires within the warning window; `days_left` is rounded up (1 =
    /// expires within the next 24 h).
    ExpiresSoon {
        /// Whole days left, rounded up, at least 1.
        days_left: u32,
    },
    /// Expired: the user must change the password before logging in.
    Expired,
}

impl fmt::Display for PasswordAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fresh => f.write_str("fresh"),
            Self::ExpiresSoon { days_left } => {
                write!(f, "expires in {}", counted(*days_left, "day"))
            }
            Self::Expired => f.write_str("expired"),
        }
    }
}

/// Age of a password changed at `changed_at`, seen at `now`.
///
/// Expired exactly `max_age_days × 24 h` after the change. A clock that went
/// backwards (`now` before `changed_at`) gives [`PasswordAge::Fresh`]: it
/// never expires a password early and never panics.
#[must_use]
pub fn password_age(
    changed_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &PasswordPolicy,
) -> PasswordAge {
    let parts = policy.parts();
    let Some(max_age) = parts.max_age_days else {
        return PasswordAge::Fresh;
    };
    let Some(expires_at) =
        Duration::try_days(i64::from(max_age)).and_then(|age| changed_at.checked_add_signed(age))
    else {
        // Expiry beyond the representable calendar.
        return PasswordAge::Fresh;
    };
    if now >= expires_at {
        return PasswordAge::Expired;
    }
    let remaining = expires_at.signed_duration_since(now);
    let window = Duration::try_days(i64::from(parts.expiry_warning_days)).unwrap_or(Duration::MAX);
    if remaining > window {
        return PasswordAge::Fresh;
    }
    let whole_days = remaining.num_days();
    let partial = remaining > Duration::try_days(whole_days).unwrap_or(Duration::MAX);
    let days_left = if partial {
        whole_days.saturating_add(1)
    } else {
        whole_days
    };
    PasswordAge::ExpiresSoon {
        days_left: u32::try_from(days_left.max(1)).unwrap_or(u32::MAX),
    }
}
