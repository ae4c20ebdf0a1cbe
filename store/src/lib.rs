//! The store protocol of regcore, written once and sans-I/O.
//!
//! regcore's rules are pure: a lockout state, a code state or a session
//! state is a value. This crate persists those values so the guarantees
//! hold when several processes and servers share one account, one code and
//! one activation key, on SQLite, PostgreSQL or Redis (standalone or
//! Cluster). It does no I/O itself: every operation is a state machine
//! ([`Operation`]) that says what to send (a SQL statement, a Redis
//! command, a sleep) and consumes the reply. Executors (the Python and Node
//! packages, and Rust executors behind cargo features) run those commands
//! on the caller's own connection, pool or client and present an API; they
//! hold no SQL, no Lua, no key format, no retry constant and no rule.
//!
//! What the protocol guarantees, on every store:
//! - **lockout**: an attempt is admitted only after its failure is stored,
//!   so a burst of simultaneous guesses gets at most the policy's free
//!   tries; a right password then resets what is stored by then;
//! - **codes**: verifying is one compare-and-set, so a code succeeds at
//!   most once and wrong tries are counted exactly;
//! - **ledger** (SQL): an activation number binds under its primary key,
//!   first writer wins, and the loser re-plans with core;
//! - **never fail open**: a lost race is retried (bounded, jittered), then
//!   `store.contended`; a failed read is retried, then `store.unavailable`;
//!   a write whose reply was lost is never re-sent (`store.outcome_unknown`).
//!
//! The common path is cheap: a login on a key with no stored state costs
//! one round trip to admit and one to settle a success.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cell;
pub mod error;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "redis")))
)]
pub mod exec;
pub mod machine;
pub mod protocol;
pub mod redis;
pub mod retry;
pub mod schema;
pub mod sql;

pub use cell::{Admit, Change, Step};
pub use error::StoreError;
#[cfg(feature = "postgres")]
pub use exec::PostgresStore;
#[cfg(feature = "sqlite")]
pub use exec::SqliteStore;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
pub use exec::{Admitted, Attempt, LoginResult, Store, StoreStats};
#[cfg(feature = "redis")]
pub use exec::{RedisClusterStore, RedisStore};
pub use machine::{Command, Failure, OpError, Operation, Poll, RedisValue, Reply, Value, Want};
pub use protocol::{Clock, LedgerFilter, Protocol, check_key, utc_offset};
pub use retry::{Jitter, RetryPolicy};
pub use sql::{Dialect, Placeholder, Sql, Table};

/// The README's example compiles and runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Longest lockout key, code subject or purpose, or session id the store
/// accepts, in bytes of UTF-8 (within every store's index limits; hash a
/// longer identifier yourself).
pub const MAX_KEY_BYTES: usize = 512;

/// A table or key prefix: 1–32 of `a–z 0–9 _`, starting with a letter (it
/// is spliced into SQL identifiers and Redis keys).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix(String);

impl Prefix {
    /// A checked prefix.
    ///
    /// # Errors
    /// `store.invalid_prefix`.
    pub fn new(prefix: &str) -> Result<Self, StoreError> {
        StoreError::check_prefix(prefix)?;
        Ok(Self(prefix.to_owned()))
    }

    /// The prefix.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Prefix {
    fn default() -> Self {
        Self("regcore".to_owned())
    }
}
