//! Login lockout (docs/lockout.md): how long an account (or a device keypad) refuses
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
//!     Ok(admission) => {
//!         let password_ok = false; // only now check the password
//!         let next = if password_ok { admission.succeeded() } else { admission.failure() };
//!         let _ = next.encode(); // write back (compare-and-set, see docs/lockout.md)
//!     }
//!     Err(refusal) => {
//!         // Locked: do not check the password, even a correct one.
//!         println!("retry after {:?}", refusal.locked.retry_after);
//!     }
//! }
//! ```
//!
//! [`LockoutState::attempt`] is the one entry point: the password may only
//! be checked with an [`Admission`] in hand, and an admission only exists
//! while the account is not locked; it is owned and single use, so it
//! crosses threads and FFI and cannot be settled twice. The lower-level
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

mod admission;
mod error;
mod policy;
mod state;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use admission::{Admission, Refusal, Success};
pub use error::LockoutError;
pub use policy::{AfterLock, LockoutPolicy, QuietReset, Schedule, Tier};
pub use state::{Decision, Locked, LockoutState, UNFORGOTTEN_RETENTION_SECS};

use policy::MS_PER_SEC;

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
