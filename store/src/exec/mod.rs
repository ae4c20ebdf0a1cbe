//! Rust executors of the store protocol: [`Store`] over the caller's sqlx
//! pool (features `sqlite`, `postgres`) or redis-rs connection (feature
//! `redis`, standalone or Cluster), on tokio.
//!
//! An executor only runs what an [`Operation`] says: it sends each SQL
//! statement or Redis command on the caller's connection, classifies the
//! driver's errors into a [`Failure`](crate::Failure), sleeps the backoffs the operation asks
//! for ([`drive`]) and seeds each operation's jitter from the OS. The SQL,
//! the Lua, the key format, the retry rule and every decision are the
//! protocol's, shared with the Python and Node stores: a Rust, a Python and
//! a Node server can share one database or one Redis.
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use regcore::lockout::LockoutPolicy;
//! use regcore_store::SqliteStore;
//!
//! let pool = sqlx::SqlitePool::connect("sqlite://regcore.db?mode=rwc").await?;
//! let store = SqliteStore::new(pool);
//! store.migrate().await?; // once, at deploy time
//! let policy = LockoutPolicy::ups_site();
//! let result = store
//!     .login("alice@example.jp", &policy, || async { false /* verify the password here */ })
//!     .await?;
//! if let Some(locked) = result.locked {
//!     println!("locked: retry after {} s", locked.retry_after_secs());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Available with any of the features `sqlite`, `postgres`, `redis`.

use std::future::Future;

use crate::Clock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use regcore::code::{CodePolicy, CodeSecret, CodeState, OneTimeCode, Verification};
use regcore::ids::{ActivationNumber, MprId};
use regcore::keys::MasterSecret;
use regcore::ledger::{DailyReport, DateRange, HistoryReport, RebindRecord};
use regcore::lockout::{Admission, Locked, LockoutPolicy, LockoutState};
use regcore::pairing::{Binding, IssuancePlan, IssuanceRequest};
use regcore::session::{SessionPolicy, SessionState, SessionStatus};

use crate::machine::{Command, OpError, Operation, Poll, Reply};
use crate::{Admit, LedgerFilter, Prefix, Protocol, RetryPolicy, StoreError};

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis_rs;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub mod sqlx;

/// Runs one [`Command`] on a driver: a SQL statement or a Redis command
/// (sleeps are [`drive`]'s). A driver error is answered as
/// [`Reply::Failed`] with its classification, never raised.
pub trait Execute: Send {
    /// The reply to `command`.
    fn execute(&mut self, command: Command) -> impl Future<Output = Reply> + Send;
}

/// Drive `op` to its end on `exec`: each command it sends is executed and
/// answered; a [`Command::Sleep`] is a `tokio::time::sleep`, answered with
/// the time elapsed since the operation started.
///
/// # Errors
/// The operation's: a [`StoreError`] or a domain error of core.
pub async fn drive<T: Send + 'static>(
    op: &mut Operation<T>,
    exec: &mut impl Execute,
) -> Result<T, OpError> {
    let started = Instant::now();
    let mut reply = None;
    loop {
        match op.resume(reply.take()) {
            Poll::Done(result) => return result,
            Poll::Send(Command::Sleep { ms }) => {
                let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
                tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await;
                reply = Some(Reply::Slept {
                    elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                });
            }
            Poll::Send(command) => reply = Some(exec.execute(command).await),
        }
    }
}

/// A fresh seed for one operation's jitter, from the OS (jitter only spreads
/// retries apart; if the OS source fails, the clock and a counter do).
#[must_use]
pub fn seed() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    getrandom::u64().unwrap_or_else(|_| {
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        u64::from_ne_bytes(nanos.to_ne_bytes())
            ^ COUNTER
                .fetch_add(1, Ordering::Relaxed)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

/// The system clock, for callers that pass no `now` of their own.
#[must_use]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

mod sealed {
    pub trait Sealed {}
}

/// A driver handle a [`Store`] runs on: an sqlx pool, or a redis-rs
/// connection wrapped in [`redis_rs::Redis`]. Sealed.
pub trait Backend: sealed::Sealed + Send + Sync + 'static {
    /// The protocol of this kind of store.
    #[doc(hidden)]
    fn protocol(prefix: Prefix, retry: RetryPolicy) -> Protocol;

    /// Run `op` to its end on a connection of this backend (for SQL: one
    /// connection held for the whole operation).
    #[doc(hidden)]
    fn run<T: Send + 'static>(
        &self,
        op: &mut Operation<T>,
        store: &'static str,
        operation: &'static str,
    ) -> impl Future<Output = Result<T, OpError>> + Send;
}

/// A [`Backend`] that holds the pairing ledger and a schema (SQL). Sealed.
pub trait SqlBackend: Backend {}

/// Counters for benchmarks and monitoring.
#[derive(Debug, Default)]
pub struct StoreStats {
    operations: AtomicU64,
    conflicts: AtomicU64,
    contended: AtomicU64,
    most_tries: AtomicU64,
}

impl StoreStats {
    fn count(&self, conflicts: u32, contended: bool) {
        self.operations.fetch_add(1, Ordering::Relaxed);
        self.conflicts
            .fetch_add(u64::from(conflicts), Ordering::Relaxed);
        self.contended
            .fetch_add(u64::from(contended), Ordering::Relaxed);
        self.most_tries
            .fetch_max(u64::from(conflicts).saturating_add(1), Ordering::Relaxed);
    }

    /// Operations run.
    pub fn operations(&self) -> u64 {
        self.operations.load(Ordering::Relaxed)
    }

    /// Compare-and-set races lost (each retried).
    pub fn conflicts(&self) -> u64 {
        self.conflicts.load(Ordering::Relaxed)
    }

    /// Operations that gave up with `store.contended`.
    pub fn contended(&self) -> u64 {
        self.contended.load(Ordering::Relaxed)
    }

    /// Most tries one operation took.
    pub fn most_tries(&self) -> u64 {
        self.most_tries.load(Ordering::Relaxed)
    }
}

/// Lockout, one-time-code, session and (SQL) pairing-ledger state on the
/// caller's driver. Cheap to clone: clones share the driver handle, the
/// protocol and the statistics.
#[derive(Debug)]
pub struct Store<B> {
    backend: B,
    protocol: Protocol,
    stats: Arc<StoreStats>,
}

impl<B: Clone> Clone for Store<B> {
    fn clone(&self) -> Self {
        Self {
            backend: self.backend.clone(),
            protocol: self.protocol.clone(),
            stats: self.stats.clone(),
        }
    }
}

/// The store on SQLite, on the caller's `sqlx::SqlitePool` (feature `sqlite`).
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub type SqliteStore = Store<::sqlx::SqlitePool>;

/// The store on PostgreSQL, on the caller's `sqlx::PgPool` (feature `postgres`).
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub type PostgresStore = Store<::sqlx::PgPool>;

/// The store on Redis: the caller's `ConnectionManager` (or any redis-rs
/// async connection, e.g. a `MultiplexedConnection`); feature `redis`.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub type RedisStore<C = ::redis::aio::ConnectionManager> = Store<redis_rs::Redis<C>>;

/// The store on a Redis Cluster: the caller's
/// `cluster_async::ClusterConnection` (feature `redis`).
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub type RedisClusterStore = Store<redis_rs::Redis<::redis::cluster_async::ClusterConnection>>;

/// An attempt the store admitted: its failure is already stored. Check the
/// password, then settle once with [`Store::lockout_settle`].
#[derive(Debug)]
pub struct Admitted {
    key: String,
    policy: LockoutPolicy,
    admission: Admission,
    stored: String,
}

impl Admitted {
    /// The state stored on admission (this attempt counted as a failure).
    #[must_use]
    pub fn state(&self) -> LockoutState {
        self.admission.state()
    }

    /// The lockout key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The password was wrong: nothing more to write (the failure was
    /// stored on admission); the stored state.
    #[must_use]
    pub fn failure(self) -> LockoutState {
        self.admission.failure()
    }
}

/// What [`Store::lockout_admit`] decided.
#[derive(Debug)]
pub enum Attempt {
    /// Check the password, then settle.
    Admitted(Admitted),
    /// Locked: refuse without checking the password.
    Locked(Locked),
}

/// The outcome of [`Store::login`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginResult {
    /// The password was checked and right.
    pub ok: bool,
    /// Refused without a check while locked (answer 429 with
    /// `Retry-After: locked.retry_after_secs()`).
    pub locked: Option<Locked>,
    /// The state stored after the attempt (`None` when refused).
    pub state: Option<LockoutState>,
}

impl<B: Backend> Store<B> {
    /// A store on `backend` with the default prefix (`regcore`) and retry
    /// policy.
    pub fn new(backend: impl Into<B>) -> Self {
        Self::with_options(backend, Prefix::default(), RetryPolicy::default())
    }

    /// A store with this table or key prefix and retry policy.
    pub fn with_options(backend: impl Into<B>, prefix: Prefix, retry: RetryPolicy) -> Self {
        Self {
            backend: backend.into(),
            protocol: B::protocol(prefix, retry),
            stats: Arc::default(),
        }
    }

    /// The driver handle.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The protocol this store runs.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// Operation and retry counters.
    pub fn stats(&self) -> &StoreStats {
        &self.stats
    }

    async fn call<T: Send + 'static>(
        &self,
        op: Result<Operation<T>, StoreError>,
        operation: &'static str,
    ) -> Result<T, OpError> {
        let mut op = op?;
        let result = self
            .backend
            .run(&mut op, self.protocol.store_name(), operation)
            .await;
        let contended = matches!(&result, Err(e) if e.code() == "store.contended");
        self.stats.count(op.conflicts(), contended);
        result
    }

    // --- lockout ---------------------------------------------------------------

    /// Admit an attempt on `key` (its failure stored before the password is
    /// checked) or refuse it while locked.
    ///
    /// # Errors
    /// `store.*` (the attempt is then not admitted: fail closed) or
    /// `lockout.malformed_state`.
    pub async fn lockout_admit(
        &self,
        key: &str,
        policy: &LockoutPolicy,
        now: impl Into<Clock>,
    ) -> Result<Attempt, OpError> {
        let op = self.protocol.lockout_admit(key, policy, now, seed());
        Ok(match self.call(op, "lockout.admit").await? {
            Admit::Admitted { admission, stored } => Attempt::Admitted(Admitted {
                key: key.to_owned(),
                policy: policy.clone(),
                admission,
                stored,
            }),
            Admit::Locked(refusal) => Attempt::Locked(refusal.locked),
        })
    }

    /// Settle an admitted attempt: a wrong password writes nothing more; a
    /// right one resets the state stored by then (compare-and-set, retried).
    ///
    /// # Errors
    /// `store.*`.
    pub async fn lockout_settle(
        &self,
        admitted: Admitted,
        password_ok: bool,
        now: impl Into<Clock>,
    ) -> Result<LockoutState, OpError> {
        if !password_ok {
            return Ok(admitted.failure());
        }
        let Admitted {
            key,
            policy,
            admission,
            stored,
        } = admitted;
        let op =
            self.protocol
                .lockout_settle(&key, &policy, admission.success(), &stored, now, seed());
        self.call(op, "lockout.settle").await
    }

    /// Admit, check the password only if admitted, settle; on the store
    /// server's clock (see [`Clock::Server`]). `check` runs at most once and never while the key is locked.
    ///
    /// # Errors
    /// `store.*` (fail closed: the password is not checked).
    pub async fn login<F, Fut>(
        &self,
        key: &str,
        policy: &LockoutPolicy,
        check: F,
    ) -> Result<LoginResult, OpError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = bool>,
    {
        self.login_at(key, policy, Clock::Server(now()), check)
            .await
    }

    /// [`Store::login`] at `now`.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn login_at<F, Fut>(
        &self,
        key: &str,
        policy: &LockoutPolicy,
        now: impl Into<Clock>,
        check: F,
    ) -> Result<LoginResult, OpError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = bool>,
    {
        let now: Clock = now.into();
        match self.lockout_admit(key, policy, now).await? {
            Attempt::Locked(locked) => Ok(LoginResult {
                ok: false,
                locked: Some(locked),
                state: None,
            }),
            Attempt::Admitted(admitted) => {
                let ok = check().await;
                let state = self.lockout_settle(admitted, ok, now).await?;
                Ok(LoginResult {
                    ok,
                    locked: None,
                    state: Some(state),
                })
            }
        }
    }

    /// The stored lockout state (the default state when none is stored).
    ///
    /// # Errors
    /// `store.*`.
    pub async fn lockout_state(&self, key: &str) -> Result<LockoutState, OpError> {
        self.call(self.protocol.lockout_state(key), "lockout.read")
            .await
    }

    /// Forget the lockout state of `key` (an administrator's unlock); true
    /// if one was stored.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn lockout_reset(&self, key: &str) -> Result<bool, OpError> {
        self.call(self.protocol.lockout_reset(key, seed()), "lockout.reset")
            .await
    }

    // --- one-time codes -----------------------------------------------------------

    /// Issue the next code for (policy's purpose, subject); earlier ones die.
    ///
    /// # Errors
    /// `store.*`, `code.*`.
    pub async fn code_issue(
        &self,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: &str,
        now: impl Into<Clock>,
    ) -> Result<OneTimeCode, OpError> {
        let op = self
            .protocol
            .code_issue(policy, secret, subject, now, seed());
        Ok(self.call(op, "code.issue").await?.1)
    }

    /// Verify and store the outcome atomically (a success is used up, a
    /// wrong try counted); `None` when no code is stored for the subject.
    ///
    /// # Errors
    /// `store.*`, `code.*`.
    pub async fn code_verify(
        &self,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: &str,
        typed: &str,
        now: impl Into<Clock>,
    ) -> Result<Option<Verification>, OpError> {
        let op = self
            .protocol
            .code_verify(policy, secret, subject, typed, now, seed());
        self.call(op, "code.verify").await
    }

    /// The stored code state of (purpose, subject), if any.
    ///
    /// # Errors
    /// `store.*`, `code.*`.
    pub async fn code_state(
        &self,
        purpose: &str,
        subject: &str,
    ) -> Result<Option<CodeState>, OpError> {
        self.call(self.protocol.code_state(purpose, subject), "code.read")
            .await
    }

    // --- sessions ---------------------------------------------------------------------

    /// Start a session under `id`.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn session_start(
        &self,
        id: &str,
        policy: &SessionPolicy,
        now: impl Into<Clock>,
    ) -> Result<SessionState, OpError> {
        let op = self.protocol.session_start(id, policy, now, seed());
        self.call(op, "session.start").await
    }

    /// Renew a session on activity; `None` for an unknown or revoked one.
    ///
    /// # Errors
    /// `store.*`, `session.*`.
    pub async fn session_touch(
        &self,
        id: &str,
        policy: &SessionPolicy,
        now: impl Into<Clock>,
    ) -> Result<Option<SessionStatus>, OpError> {
        let op = self.protocol.session_touch(id, policy, now, seed());
        self.call(op, "session.touch").await
    }

    /// End a session (wins over any touch in flight); true if it existed.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn session_revoke(&self, id: &str) -> Result<bool, OpError> {
        self.call(self.protocol.session_revoke(id, seed()), "session.revoke")
            .await
    }
}

/// Schema, purge and the pairing ledger: SQL stores only.
impl<B: SqlBackend> Store<B> {
    /// Apply the migrations not yet applied (one transaction); the schema
    /// version now in force. Never runs by itself.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn migrate(&self) -> Result<u32, OpError> {
        self.call(self.protocol.migrate(seed()), "migrate").await
    }

    /// The applied schema version (0 before [`Store::migrate`]).
    ///
    /// # Errors
    /// `store.*`.
    pub async fn schema_version(&self) -> Result<u32, OpError> {
        self.call(self.protocol.schema_version(), "schema_version")
            .await
    }

    /// Delete lockout, code and session rows that no longer matter at
    /// `now`; how many.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn purge_expired(&self, now: impl Into<Clock>) -> Result<u64, OpError> {
        self.call(self.protocol.purge_expired(now, seed()), "purge_expired")
            .await
    }

    /// Plan with core and bind under the primary key, first writer wins (a
    /// lost race re-plans, so the loser sees `reissued` or `refused`).
    ///
    /// # Errors
    /// `store.*`, `pairing.*`.
    pub async fn ledger_issue(
        &self,
        master: &MasterSecret,
        request: &IssuanceRequest,
        now: impl Into<Clock>,
    ) -> Result<IssuancePlan, OpError> {
        let op = self.protocol.ledger_issue(master, request, now, seed());
        self.call(op, "ledger.issue").await
    }

    /// Audited administrative rebind: binding, history and audit record in
    /// one transaction.
    ///
    /// # Errors
    /// `store.*`, `ledger.*`.
    pub async fn ledger_rebind(
        &self,
        master: &MasterSecret,
        number: ActivationNumber,
        to: MprId,
        actor: &str,
        reason: &str,
        now: impl Into<Clock>,
    ) -> Result<RebindRecord, OpError> {
        let op = self
            .protocol
            .ledger_rebind(master, number, to, actor, reason, now, seed());
        self.call(op, "ledger.rebind").await
    }

    /// Every binding, by activation number.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_bindings(&self) -> Result<Vec<Binding>, OpError> {
        self.call(
            self.protocol.ledger_bindings(LedgerFilter::All),
            "ledger.read",
        )
        .await
    }

    /// The bindings of one terminal.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_by_mpr_id(&self, mpr_id: MprId) -> Result<Vec<Binding>, OpError> {
        let op = self.protocol.ledger_bindings(LedgerFilter::MprId(mpr_id));
        self.call(op, "ledger.read").await
    }

    /// The binding of one activation number, if any.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_by_activation_number(
        &self,
        number: ActivationNumber,
    ) -> Result<Option<Binding>, OpError> {
        let op = self
            .protocol
            .ledger_bindings(LedgerFilter::ActivationNumber(number));
        Ok(self.call(op, "ledger.read").await?.into_iter().next())
    }

    /// The rebind audit trail, in order.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_rebinds(&self) -> Result<Vec<RebindRecord>, OpError> {
        self.call(self.protocol.ledger_rebinds(), "ledger.read")
            .await
    }

    /// Detail history over an optional inclusive range of days in `offset`.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_history(
        &self,
        range: Option<DateRange>,
        offset: FixedOffset,
    ) -> Result<HistoryReport, OpError> {
        self.call(self.protocol.ledger_history(range, offset), "ledger.read")
            .await
    }

    /// Issues per calendar day in `offset`, counted in SQL.
    ///
    /// # Errors
    /// `store.*`.
    pub async fn ledger_daily_counts(
        &self,
        range: Option<DateRange>,
        offset: FixedOffset,
    ) -> Result<DailyReport, OpError> {
        let op = self.protocol.ledger_daily_counts(range, offset);
        self.call(op, "ledger.read").await
    }
}
