//! The cell steps: from the text a cell holds (or none) and `now`, what
//! core decides and what to write. Pure functions; the operations run them
//! inside the compare-and-set loop, so a step may run more than once and
//! only the run whose write was stored counts.

use chrono::{DateTime, Utc};
use regcore::code::{CodePolicy, CodeSecret, CodeState, OneTimeCode, Verification};
use regcore::lockout::{Admission, LockoutError, LockoutPolicy, LockoutState, Refusal, Success};
use regcore::session::{SessionError, SessionPolicy, SessionState, SessionStatus};

/// What to write to the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Nothing.
    Keep,
    /// This text, kept until `expires_at` (SQL `expires_at`, Redis TTL).
    Put {
        /// The encoded state.
        text: String,
        /// When it no longer matters.
        expires_at: DateTime<Utc>,
    },
    /// Remove the cell.
    Delete,
}

/// A step's decision: what to write and what the operation returns if the
/// write is stored.
#[derive(Debug)]
pub struct Step<T> {
    /// What to write.
    pub change: Change,
    /// The result.
    pub result: T,
}

impl<T> Step<T> {
    fn put(text: String, expires_at: DateTime<Utc>, result: T) -> Self {
        Self {
            change: Change::Put { text, expires_at },
            result,
        }
    }

    const fn keep(result: T) -> Self {
        Self {
            change: Change::Keep,
            result,
        }
    }

    /// `text` unless it is what the cell already holds.
    fn put_if_changed(
        stored: Option<&str>,
        text: String,
        expires_at: DateTime<Utc>,
        result: T,
    ) -> Self {
        if stored == Some(text.as_str()) {
            Self::keep(result)
        } else {
            Self::put(text, expires_at, result)
        }
    }
}

/// The outcome of an admission.
#[derive(Debug)]
pub enum Admit {
    /// Admitted: the failure is stored in advance; check the password,
    /// then settle with [`lockout_settle`] (right) or nothing (wrong).
    Admitted {
        /// The admission (single use).
        admission: Admission,
        /// The text stored: the settle's compare-and-set token.
        stored: String,
    },
    /// Refused while locked; check nothing.
    Locked(Refusal),
}

fn lockout_of(stored: Option<&str>) -> Result<LockoutState, LockoutError> {
    stored.map_or(Ok(LockoutState::default()), LockoutState::decode)
}

/// Admit an attempt on the stored lockout state, or refuse it.
///
/// # Errors
/// `lockout.malformed_state` for a stored text core cannot read.
pub fn lockout_admit(
    stored: Option<&str>,
    policy: &LockoutPolicy,
    now: DateTime<Utc>,
) -> Result<Step<Admit>, LockoutError> {
    let state = lockout_of(stored)?;
    Ok(match state.attempt(policy, now) {
        Ok(admission) => {
            let next = admission.state();
            let text = next.encode();
            let expires = next.retain_until(policy, now);
            Step::put(
                text.clone(),
                expires,
                Admit::Admitted {
                    admission,
                    stored: text,
                },
            )
        }
        Err(refusal) => match refusal.new_state {
            Some(next) => Step::put_if_changed(
                stored,
                next.encode(),
                next.retain_until(policy, now),
                Admit::Locked(refusal),
            ),
            None => Step::keep(Admit::Locked(refusal)),
        },
    })
}

/// Settle a right password on whatever the cell holds by now.
///
/// # Errors
/// `lockout.malformed_state`.
pub fn lockout_settle(
    stored: Option<&str>,
    policy: &LockoutPolicy,
    success: Success,
    now: DateTime<Utc>,
) -> Result<Step<LockoutState>, LockoutError> {
    let settled = success.apply(lockout_of(stored)?);
    Ok(Step::put_if_changed(
        stored,
        settled.encode(),
        settled.retain_until(policy, now),
        settled,
    ))
}

/// The stored lockout state (the default one when nothing is stored).
///
/// # Errors
/// `lockout.malformed_state`.
pub fn lockout_read(stored: Option<&str>) -> Result<LockoutState, LockoutError> {
    lockout_of(stored)
}

/// Issue the next code (earlier ones die).
///
/// # Errors
/// `code.malformed_state`.
pub fn code_issue(
    stored: Option<&str>,
    policy: &CodePolicy,
    secret: &CodeSecret,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Step<(CodeState, OneTimeCode)>, regcore::code::CodeError> {
    let previous = stored.map(CodeState::decode).transpose()?;
    let (state, code) = policy.issue(secret, subject, previous.as_ref(), now)?;
    Ok(Step::put(
        state.encode(),
        policy.retain_until(&state),
        (state, code),
    ))
}

/// Verify a typed code against the stored state and record the outcome
/// (a success is used up, a wrong try counted). `None`: no code stored.
///
/// # Errors
/// `code.malformed_state`.
pub fn code_verify(
    stored: Option<&str>,
    policy: &CodePolicy,
    secret: &CodeSecret,
    subject: &str,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Step<Option<Verification>>, regcore::code::CodeError> {
    let Some(text) = stored else {
        return Ok(Step::keep(None));
    };
    let state = CodeState::decode(text)?;
    let verification = policy.verify(secret, subject, typed, &state, now);
    let next = verification.state;
    Ok(Step::put_if_changed(
        stored,
        next.encode(),
        policy.retain_until(&next),
        Some(verification),
    ))
}

/// The stored code state, if any.
///
/// # Errors
/// `code.malformed_state`.
pub fn code_read(stored: Option<&str>) -> Result<Option<CodeState>, regcore::code::CodeError> {
    stored.map(CodeState::decode).transpose()
}

/// Start a session (replacing whatever the id held).
#[must_use]
pub fn session_start(policy: &SessionPolicy, now: DateTime<Utc>) -> Step<SessionState> {
    let state = SessionState::start(now);
    Step::put(state.encode(), state.expires_at(policy), state)
}

/// Renew a session on activity; an expired one is deleted. `None`: no
/// session stored (unknown or revoked).
///
/// # Errors
/// `session.malformed_state`.
pub fn session_touch(
    stored: Option<&str>,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Step<Option<SessionStatus>>, SessionError> {
    let Some(text) = stored else {
        return Ok(Step::keep(None));
    };
    let status = SessionState::decode(text)?.touch(policy, now);
    Ok(match status {
        SessionStatus::Active(renewed) => Step::put_if_changed(
            stored,
            renewed.encode(),
            renewed.expires_at(policy),
            Some(status),
        ),
        SessionStatus::IdleExpired | SessionStatus::AbsoluteExpired => Step {
            change: Change::Delete,
            result: Some(status),
        },
    })
}

/// Remove a cell (end a session, reset a lockout key); true if one was
/// stored.
#[must_use]
pub fn forget(stored: Option<&str>) -> Step<bool> {
    if stored.is_some() {
        Step {
            change: Change::Delete,
            result: true,
        }
    } else {
        Step::keep(false)
    }
}
