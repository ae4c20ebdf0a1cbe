//! Admission: permission to check the password once, the attempt already
//! counted as a failure, and its settlement.

use chrono::{DateTime, Utc};

use super::{Locked, LockoutState};

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

/// Permission to check the password once, for callers whose state is shared
/// by several processes or servers (docs/lockout.md ("Several servers, one account")).
///
/// Obtained from [`LockoutState::attempt`]. The attempt is counted as a
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
    pub(super) previous: LockoutState,
    pub(super) state: LockoutState,
    pub(super) at: DateTime<Utc>,
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

    /// The password was right and this is the only writer of the state
    /// (one device, one process): the state to store. Shared state applies
    /// [`Admission::success`] to what the store holds by then instead.
    #[must_use]
    pub fn succeeded(self) -> LockoutState {
        let counted = self.state;
        self.success().apply(counted)
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
