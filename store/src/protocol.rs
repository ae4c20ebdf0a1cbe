//! The store protocol: every operation of the store layer, for one store
//! (its dialect or Redis, its prefix and retry policy), as an
//! [`Operation`] an executor drives.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use regcore::code::{CodePolicy, CodeSecret, CodeState, OneTimeCode, Verification};
use regcore::ids::{ActivationNumber, MprId};
use regcore::keys::MasterSecret;
use regcore::ledger::{
    DailyCount, DailyReport, DateRange, HistoryEvent, HistoryReport, HistoryRow, RebindRecord,
    issuance_history, plan_rebind,
};
use regcore::lockout::{LockoutPolicy, LockoutState, Success};
use regcore::pairing::{Binding, IssuancePlan, IssuanceRequest, Mode, plan_issuance};
use regcore::regkey::RegistrationKey;
use regcore::session::{SessionPolicy, SessionState, SessionStatus};

use crate::cell::{self, Admit, Change, Step};
use crate::machine::{Command, Failure, Io, OpError, Operation, RedisValue, Reply, Value, Want};
use crate::retry::{Jitter, READ_RETRIES, RetryPolicy};
use crate::schema::{MIGRATIONS, SCHEMA_VERSION, statements};
use crate::sql::{BindingFilter, Dialect, Placeholder, Sql, Table};
use crate::{MAX_KEY_BYTES, Prefix, StoreError, redis};

/// Whose clock an operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The caller's own `now`, used as given: tests, replays, and callers
    /// who keep one clock for all their servers themselves.
    Caller(DateTime<Utc>),
    /// The store server's clock (what executors use when the caller gives
    /// no `now`). The value is the application server's reading, a first
    /// estimate: every write carries it and the store refuses it when its
    /// own clock is more than [`redis::CLOCK_TOLERANCE_MS`] away, answering
    /// its time instead; the operation then decides again on that time and
    /// the store remembers the difference for its next operations. So
    /// application servers whose clocks differ act on one clock.
    Server(DateTime<Utc>),
}

impl From<DateTime<Utc>> for Clock {
    fn from(now: DateTime<Utc>) -> Self {
        Self::Caller(now)
    }
}

/// How a locked SQLite step ended.
enum Locked<T> {
    /// With the operation's result.
    Done(Result<T, OpError>),
    /// The write lock was busy (or a guarded write refused): retry.
    Busy,
    /// The read failed: retry under the read rule.
    ReadFailed,
}

/// How a guarded cell write ended.
enum Written {
    /// Stored.
    Yes,
    /// Not stored: the cell holds something else (what, when the store
    /// said: `Some(None)` absent).
    Lost(Option<Option<String>>),
    /// Not stored: the store's clock is this far (its ms) from `now`.
    Skewed(i64),
}

/// Run a transaction attempt (an expression awaiting a `TxFail` result)
/// until it does not lose a race: the retry rule for transactions.
macro_rules! transaction {
    ($run:ident, $attempt:expr) => {{
        let mut tries = 0u32;
        loop {
            match $attempt {
                Ok(value) => break Ok(value),
                Err(TxFail::Fatal(err)) => break Err(err),
                Err(TxFail::Conflict) => {
                    tries = tries.saturating_add(1);
                    if let Err(err) = $run.after_conflict(tries).await {
                        break Err(err);
                    }
                }
            }
        }
    }};
}

/// Where the state lives.
#[derive(Debug, Clone)]
enum Backend {
    Sql(Sql),
    Redis,
}

/// The protocol of one store. Cheap to clone; shared by every operation.
#[derive(Debug, Clone)]
pub struct Protocol {
    backend: Backend,
    prefix: Prefix,
    retry: RetryPolicy,
    /// Whether this store has seen the schema at the version it needs.
    schema_checked: Arc<AtomicBool>,
    /// The store server's clock minus the application's, in ms, as last
    /// learned (see [`Clock::Server`]).
    offset_ms: Arc<AtomicI64>,
}

/// Which cell an operation reads and writes.
#[derive(Debug, Clone)]
struct Target {
    table: Table,
    address: Vec<String>,
}

/// How a cell operation starts: guessing the cell is absent (the common
/// case for a first write: one round trip), knowing what it holds (a
/// settle knows what its admission stored), or reading it.
#[derive(Debug, Clone)]
enum Start {
    Absent,
    Known(String),
    Read,
}

/// Why a transaction attempt ended early.
enum TxFail {
    /// Lost a race; nothing was applied; run it again.
    Conflict,
    /// Give up with this error (the transaction was rolled back).
    Fatal(OpError),
}

impl<E: Into<OpError>> From<E> for TxFail {
    fn from(err: E) -> Self {
        Self::Fatal(err.into())
    }
}

/// Check an identifier the store uses as (part of) a key: not empty, no
/// NUL, at most [`MAX_KEY_BYTES`] bytes of UTF-8. Checked before any I/O,
/// so attacker input is `invalid_input`, never an outage.
///
/// # Errors
/// `store.invalid_key`.
pub fn check_key(what: &str, key: &str) -> Result<(), StoreError> {
    let reason = if key.is_empty() {
        "empty"
    } else if key.contains('\0') {
        "nul"
    } else if key.len() > MAX_KEY_BYTES {
        "too_long"
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidKey {
        what: what.to_owned(),
        reason: reason.to_owned(),
    })
}

/// A report offset, checked: whole minutes within ±23:59.
///
/// # Errors
/// `store.invalid_utc_offset`.
pub fn utc_offset(seconds: i64) -> Result<FixedOffset, StoreError> {
    let bad = || StoreError::InvalidUtcOffset { seconds };
    if seconds % 60 != 0 {
        return Err(bad());
    }
    i32::try_from(seconds)
        .ok()
        .and_then(FixedOffset::east_opt)
        .ok_or_else(bad)
}

/// The state of one running operation.
struct Run {
    io: Io,
    retry: RetryPolicy,
    jitter: Jitter,
    store: &'static str,
    operation: &'static str,
    /// The operation's `now`, in ms.
    now_ms: i64,
    /// `Some` in server-clock mode: the application's reading (ms) and the
    /// store's shared offset.
    server: Option<(i64, Arc<AtomicI64>)>,
    /// What this operation's Redis writes end in, so that a write the
    /// driver sends again after a lost reply is recognised as its own
    /// (see [`redis::CAS_SCRIPT`]).
    token: String,
}

impl Run {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_ms).unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// The tolerance a write carries (`None`: the caller's clock, no guard).
    fn tolerance(&self) -> Option<i64> {
        self.server.as_ref().map(|_| redis::CLOCK_TOLERANCE_MS)
    }

    /// The SQL clock-guard parameters: tolerance, now, tolerance.
    fn guard_params(&self) -> [Value; 3] {
        let tolerance = self.tolerance().map_or(Value::Null, Value::Int);
        [tolerance.clone(), Value::Int(self.now_ms), tolerance]
    }

    /// In server-clock mode, take the store's clock when it is further from
    /// `now` than the tolerance (and remember the offset); true if taken.
    fn adopt(&mut self, server_ms: i64) -> bool {
        let Some((local_ms, offset)) = &self.server else {
            return false;
        };
        if server_ms.abs_diff(self.now_ms) <= redis::CLOCK_TOLERANCE_MS.unsigned_abs() {
            return false;
        }
        offset.store(server_ms.saturating_sub(*local_ms), Ordering::Relaxed);
        self.now_ms = server_ms;
        true
    }

    fn unavailable(&self) -> OpError {
        StoreError::Unavailable {
            store: self.store.to_owned(),
            operation: self.operation.to_owned(),
        }
        .into()
    }

    fn unknown(&self) -> OpError {
        StoreError::OutcomeUnknown {
            store: self.store.to_owned(),
            operation: self.operation.to_owned(),
        }
        .into()
    }

    fn unexpected(&self) -> OpError {
        StoreError::UnexpectedReply {
            store: self.store.to_owned(),
            operation: self.operation.to_owned(),
        }
        .into()
    }

    fn contended(&self, attempts: u32) -> OpError {
        StoreError::Contended {
            operation: self.operation.to_owned(),
            attempts,
        }
        .into()
    }

    /// The schema version a statement found (NULL: none recorded) is the
    /// one this build speaks, or `store.schema_mismatch`: a database
    /// migrated under a running store is noticed at its next operation.
    fn check_version(&self, version: &Value) -> Result<(), OpError> {
        let found = match version {
            Value::Null => Some(0),
            other => int(other).and_then(|v| u32::try_from(v).ok()),
        };
        match found {
            Some(SCHEMA_VERSION) => Ok(()),
            Some(found) => Err(StoreError::SchemaMismatch {
                found,
                expected: SCHEMA_VERSION,
            }
            .into()),
            None => Err(self.unexpected()),
        }
    }

    fn missing_schema() -> OpError {
        StoreError::SchemaMismatch {
            found: 0,
            expected: SCHEMA_VERSION,
        }
        .into()
    }

    async fn sql(&self, sql: String, params: Vec<Value>, want: Want) -> Reply {
        self.io.ask(Command::Sql { sql, params, want }).await
    }

    /// Sleep the `n`-th backoff; false when the deadline has passed.
    async fn backoff(&mut self, n: u32) -> Result<bool, OpError> {
        let ms = self.retry.delay_ms(n, self.jitter.next_uniform());
        match self.io.ask(Command::Sleep { ms }).await {
            Reply::Slept { elapsed_ms } => Ok(elapsed_ms <= self.retry.deadline_ms()),
            _ => Err(self.unexpected()),
        }
    }

    /// After the `tries`-th lost race: sleep, or give up.
    async fn after_conflict(&mut self, tries: u32) -> Result<(), OpError> {
        self.io.conflict();
        if tries >= self.retry.attempts() || !self.backoff(tries.saturating_sub(1) / 2).await? {
            return Err(self.contended(tries));
        }
        Ok(())
    }

    /// After the `failures`-th failed read: sleep, or give up.
    async fn after_read_failure(&mut self, failures: u32) -> Result<(), OpError> {
        if failures > READ_RETRIES || !self.backoff(failures).await? {
            return Err(self.unavailable());
        }
        Ok(())
    }

    // --- SQL reads and transactions ------------------------------------------------

    /// One read statement outside a transaction, failed reads retried.
    async fn read(
        &mut self,
        sql: String,
        params: Vec<Value>,
        want: Want,
    ) -> Result<Reply, OpError> {
        let mut failures = 0u32;
        loop {
            match self.sql(sql.clone(), params.clone(), want).await {
                Reply::Failed(Failure::MissingTable) => return Err(Self::missing_schema()),
                Reply::Failed(Failure::Rejected) => return Err(self.unexpected()),
                Reply::Failed(Failure::Unavailable | Failure::Unreachable | Failure::Conflict) => {
                    failures = failures.saturating_add(1);
                    self.after_read_failure(failures).await?;
                }
                reply => return Ok(reply),
            }
        }
    }

    async fn read_rows(
        &mut self,
        sql: String,
        params: Vec<Value>,
    ) -> Result<Vec<Vec<Value>>, OpError> {
        match self.read(sql, params, Want::Rows).await? {
            Reply::Rows(rows) => Ok(rows),
            _ => Err(self.unexpected()),
        }
    }

    async fn read_row(
        &mut self,
        sql: String,
        params: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, OpError> {
        match self.read(sql, params, Want::Row).await? {
            Reply::Row(row) => Ok(row),
            _ => Err(self.unexpected()),
        }
    }

    /// A statement inside a transaction; on failure the transaction is
    /// rolled back and the failure classified.
    async fn tx(
        &self,
        sql: &Sql,
        text: String,
        params: Vec<Value>,
        want: Want,
    ) -> Result<Reply, TxFail> {
        let reply = self.sql(text, params, want).await;
        let Reply::Failed(failure) = reply else {
            return Ok(reply);
        };
        // Nothing of an uncommitted transaction stays: the server rolls
        // it back when the connection drops, and ROLLBACK says so here.
        let _ = self.sql(sql.rollback(), Vec::new(), Want::Count).await;
        Err(match failure {
            Failure::Conflict => TxFail::Conflict,
            Failure::MissingTable => TxFail::Fatal(Self::missing_schema()),
            Failure::Rejected => TxFail::Fatal(self.unexpected()),
            Failure::Unavailable | Failure::Unreachable => TxFail::Fatal(self.unavailable()),
        })
    }

    async fn tx_count(&self, sql: &Sql, text: String, params: Vec<Value>) -> Result<u64, TxFail> {
        match self.tx(sql, text, params, Want::Count).await? {
            Reply::Count(n) => Ok(n),
            _ => Err(self.abort(sql, self.unexpected()).await),
        }
    }

    async fn tx_row(
        &self,
        sql: &Sql,
        text: String,
        params: Vec<Value>,
    ) -> Result<Option<Vec<Value>>, TxFail> {
        match self.tx(sql, text, params, Want::Row).await? {
            Reply::Row(row) => Ok(row),
            _ => Err(self.abort(sql, self.unexpected()).await),
        }
    }

    async fn tx_rows(
        &self,
        sql: &Sql,
        text: String,
        params: Vec<Value>,
    ) -> Result<Vec<Vec<Value>>, TxFail> {
        match self.tx(sql, text, params, Want::Rows).await? {
            Reply::Rows(rows) => Ok(rows),
            _ => Err(self.abort(sql, self.unexpected()).await),
        }
    }

    /// Roll back and give up with `err`.
    async fn abort(&self, sql: &Sql, err: OpError) -> TxFail {
        let _ = self.sql(sql.rollback(), Vec::new(), Want::Count).await;
        TxFail::Fatal(err)
    }

    /// Roll back after a lost race.
    async fn abort_conflict(&self, sql: &Sql) -> TxFail {
        let _ = self.sql(sql.rollback(), Vec::new(), Want::Count).await;
        TxFail::Conflict
    }

    /// Commit: a lost reply leaves the outcome unknown.
    async fn commit(&self, sql: &Sql) -> Result<(), TxFail> {
        match self.sql(sql.commit(), Vec::new(), Want::Count).await {
            Reply::Failed(Failure::Unavailable) => Err(TxFail::Fatal(self.unknown())),
            Reply::Failed(Failure::Unreachable) => Err(TxFail::Fatal(self.unavailable())),
            Reply::Failed(Failure::Conflict) => Err(self.abort_conflict(sql).await),
            Reply::Failed(_) => Err(self.abort(sql, self.unexpected()).await),
            _ => Ok(()),
        }
    }

    // --- cells ------------------------------------------------------------------------

    /// What the cell holds (and, on SQL, the store's clock, adopted when
    /// too far from `now` in server-clock mode).
    async fn cell_read(
        &mut self,
        backend: &Backend,
        prefix: &Prefix,
        target: &Target,
    ) -> Result<Option<String>, OpError> {
        let mut failures = 0u32;
        loop {
            let reply = match backend {
                Backend::Sql(sql) => {
                    self.sql(
                        sql.cell_select(target.table),
                        texts(&target.address),
                        Want::Row,
                    )
                    .await
                }
                Backend::Redis => {
                    let key = redis_key(prefix, target);
                    self.io.ask(Command::RedisGet { key }).await
                }
            };
            match reply {
                Reply::Redis(RedisValue::Nil) => return Ok(None),
                Reply::Row(Some(row)) => {
                    let [state, server, version] = row.as_slice() else {
                        return Err(self.unexpected());
                    };
                    let Some(server_ms) = int(server) else {
                        return Err(self.unexpected());
                    };
                    self.check_version(version)?;
                    self.adopt(server_ms);
                    return match state {
                        Value::Text(text) => Ok(Some(text.clone())),
                        Value::Null => Ok(None),
                        Value::Int(_) => Err(self.unexpected()),
                    };
                }
                Reply::Redis(RedisValue::Text(text)) => return Ok(Some(text)),
                Reply::Failed(Failure::MissingTable) => return Err(Self::missing_schema()),
                Reply::Failed(Failure::Unavailable | Failure::Unreachable | Failure::Conflict) => {
                    failures = failures.saturating_add(1);
                    self.after_read_failure(failures).await?;
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    /// Write `change` if the cell still holds `stored` and the clocks agree.
    async fn cell_write(
        &self,
        backend: &Backend,
        prefix: &Prefix,
        target: &Target,
        stored: Option<&str>,
        change: &Change,
    ) -> Result<Written, OpError> {
        let reply = match backend {
            Backend::Sql(sql) => {
                let mut params = Vec::new();
                let text = match (change, stored) {
                    (Change::Keep, _) | (Change::Delete, None) => return Ok(Written::Yes),
                    (Change::Put { text, expires_at }, None) => {
                        params.extend(texts(&target.address));
                        params.push(Value::Text(text.clone()));
                        params.push(Value::Int(expires_at.timestamp_millis()));
                        sql.cell_insert(target.table)
                    }
                    (Change::Put { text, expires_at }, Some(old)) => {
                        params.push(Value::Text(text.clone()));
                        params.push(Value::Int(expires_at.timestamp_millis()));
                        params.extend(texts(&target.address));
                        params.push(Value::Text(old.to_owned()));
                        sql.cell_update(target.table)
                    }
                    (Change::Delete, Some(old)) => {
                        params.extend(texts(&target.address));
                        params.push(Value::Text(old.to_owned()));
                        sql.cell_delete(target.table)
                    }
                };
                params.extend(self.guard_params());
                self.sql(text, params, Want::Count).await
            }
            Backend::Redis => {
                let (new, ttl) = match change {
                    Change::Keep => return Ok(Written::Yes),
                    Change::Put { text, expires_at } => (
                        redis::stored_value(Some(text), &self.token, stored),
                        redis::ttl_ms(expires_at.timestamp_millis(), self.now_ms),
                    ),
                    Change::Delete if visible(backend, stored).is_none() => {
                        return Ok(Written::Yes);
                    }
                    Change::Delete => (
                        redis::stored_value(None, &self.token, stored),
                        redis::TOMBSTONE_TTL_MS,
                    ),
                };
                let key = redis_key(prefix, target);
                let args = [
                    stored.unwrap_or("").to_owned(),
                    new,
                    ttl.to_string(),
                    self.now_ms.to_string(),
                    self.tolerance().map(|t| t.to_string()).unwrap_or_default(),
                ];
                self.io.ask(Command::RedisCas { key, args }).await
            }
        };
        match reply {
            Reply::Count(1) => Ok(Written::Yes),
            Reply::Count(_) | Reply::Failed(Failure::Conflict) => Ok(Written::Lost(None)),
            Reply::Redis(RedisValue::Array(items)) => match items.as_slice() {
                [RedisValue::Int(1)] => Ok(Written::Yes),
                [RedisValue::Int(0), RedisValue::Text(current)] => Ok(Written::Lost(Some(
                    Some(current.clone()).filter(|c| !c.is_empty()),
                ))),
                [RedisValue::Int(0), RedisValue::Nil] => Ok(Written::Lost(Some(None))),
                [RedisValue::Int(2), RedisValue::Int(server_ms)] => Ok(Written::Skewed(*server_ms)),
                _ => Err(self.unexpected()),
            },
            Reply::Failed(Failure::Unavailable) => Err(self.unknown()),
            Reply::Failed(Failure::Unreachable) => Err(self.unavailable()),
            Reply::Failed(Failure::MissingTable) => Err(Self::missing_schema()),
            _ => Err(self.unexpected()),
        }
    }

    /// One read-decide-write of a SQLite cell under the write lock.
    async fn sqlite_locked<T, F>(
        &mut self,
        sql: &Sql,
        backend: &Backend,
        prefix: &Prefix,
        target: &Target,
        decide: &mut F,
    ) -> Locked<T>
    where
        F: FnMut(Option<&str>, DateTime<Utc>) -> Result<Step<T>, OpError>,
    {
        match self.sql(sql.begin_write(), Vec::new(), Want::Count).await {
            Reply::Failed(Failure::Conflict) => return Locked::Busy,
            Reply::Failed(Failure::Unavailable | Failure::Unreachable) => {
                return Locked::Done(Err(self.unavailable()));
            }
            Reply::Failed(_) => return Locked::Done(Err(self.unexpected())),
            _ => {}
        }
        let rollback = |run: &Self| {
            let io = run.io.clone();
            let text = sql.rollback();
            async move {
                let _ = io
                    .ask(Command::Sql {
                        sql: text,
                        params: Vec::new(),
                        want: Want::Count,
                    })
                    .await;
            }
        };
        let reply = self
            .sql(
                sql.cell_select(target.table),
                texts(&target.address),
                Want::Row,
            )
            .await;
        let stored = match reply {
            Reply::Row(Some(row)) => match row.as_slice() {
                [state, server, version] if int(server).is_some() => {
                    if let Err(err) = self.check_version(version) {
                        rollback(self).await;
                        return Locked::Done(Err(err));
                    }
                    if let Some(server_ms) = int(server) {
                        self.adopt(server_ms);
                    }
                    match state {
                        Value::Text(text) => Some(text.clone()),
                        Value::Null => None,
                        Value::Int(_) => {
                            rollback(self).await;
                            return Locked::Done(Err(self.unexpected()));
                        }
                    }
                }
                _ => {
                    rollback(self).await;
                    return Locked::Done(Err(self.unexpected()));
                }
            },
            Reply::Failed(Failure::Conflict) => {
                rollback(self).await;
                return Locked::Busy;
            }
            Reply::Failed(Failure::MissingTable) => {
                rollback(self).await;
                return Locked::Done(Err(Self::missing_schema()));
            }
            Reply::Failed(Failure::Unavailable | Failure::Unreachable) => {
                rollback(self).await;
                return Locked::ReadFailed;
            }
            _ => {
                rollback(self).await;
                return Locked::Done(Err(self.unexpected()));
            }
        };
        let step = match decide(stored.as_deref(), self.now()) {
            Ok(step) => step,
            Err(err) => {
                rollback(self).await;
                return Locked::Done(Err(err));
            }
        };
        if step.change == Change::Keep {
            // Nothing to commit: release the lock.
            rollback(self).await;
            return Locked::Done(Ok(step.result));
        }
        match self
            .cell_write(backend, prefix, target, stored.as_deref(), &step.change)
            .await
        {
            Ok(Written::Yes) => {}
            Ok(Written::Lost(_) | Written::Skewed(_)) => {
                rollback(self).await;
                return Locked::Busy;
            }
            Err(err) => {
                rollback(self).await;
                // Not committed: a lost connection rolls the transaction
                // back, so a lost reply here recorded nothing.
                let err = if err.code() == "store.outcome_unknown" {
                    self.unavailable()
                } else {
                    err
                };
                return Locked::Done(Err(err));
            }
        }
        match self.sql(sql.commit(), Vec::new(), Want::Count).await {
            Reply::Failed(Failure::Conflict) => {
                rollback(self).await;
                Locked::Busy
            }
            Reply::Failed(Failure::Unavailable) => Locked::Done(Err(self.unknown())),
            Reply::Failed(Failure::Unreachable) => Locked::Done(Err(self.unavailable())),
            Reply::Failed(_) => Locked::Done(Err(self.unexpected())),
            _ => Locked::Done(Ok(step.result)),
        }
    }

    /// The value a written `change` left in the cell, where it differs from
    /// the decided text (Redis: the text and this operation's token).
    fn written_value(
        &self,
        backend: &Backend,
        change: &Change,
        previous: Option<&str>,
    ) -> Option<String> {
        match (backend, change) {
            (Backend::Redis, Change::Put { text, .. }) => {
                Some(redis::stored_value(Some(text), &self.token, previous))
            }
            _ => None,
        }
    }

    /// The compare-and-set loop of a cell: the result, and the value
    /// written where it differs from the decided text.
    async fn cell<T, F>(
        mut self,
        backend: Backend,
        prefix: Prefix,
        target: Target,
        start: Start,
        mut decide: F,
    ) -> Result<(T, Option<String>), OpError>
    where
        F: FnMut(Option<&str>, DateTime<Utc>) -> Result<Step<T>, OpError>,
    {
        // `Some(v)`: what the cell holds, known without a read; `guessed`:
        // that knowledge was a guess (losing it is no conflict).
        let (mut known, mut guessed) = match start {
            Start::Absent => (Some(None), true),
            Start::Known(text) => (Some(Some(text)), true),
            Start::Read => (None, false),
        };
        let mut tries = 0u32;
        let mut clock_corrections = 0u32;
        let mut read_failures = 0u32;
        let sqlite = match &backend {
            Backend::Sql(sql) if sql.dialect() == Dialect::Sqlite => Some(sql.clone()),
            _ => None,
        };
        loop {
            if let (None, Some(sql)) = (&known, &sqlite) {
                // SQLite, once the cell must be read: read, decide and write
                // under the write lock (BEGIN IMMEDIATE), so writers queue
                // on the busy timeout instead of losing compare-and-sets to
                // each other on a hot key (one process, no network: the
                // extra statements cost no round trip).
                match self
                    .sqlite_locked(sql, &backend, &prefix, &target, &mut decide)
                    .await
                {
                    // SQL cells hold the state alone: the value written is
                    // the text decided.
                    Locked::Done(result) => return result.map(|r| (r, None)),
                    Locked::Busy => {
                        tries = tries.saturating_add(1);
                        self.after_conflict(tries).await?;
                    }
                    Locked::ReadFailed => {
                        read_failures = read_failures.saturating_add(1);
                        self.after_read_failure(read_failures).await?;
                    }
                }
                continue;
            }
            let stored = match known.take() {
                Some(value) => value,
                None => self.cell_read(&backend, &prefix, &target).await?,
            };
            let step = decide(visible(&backend, stored.as_deref()), self.now())?;
            if step.change == Change::Keep {
                return Ok((step.result, None));
            }
            let written = self
                .cell_write(&backend, &prefix, &target, stored.as_deref(), &step.change)
                .await?;
            let current = match written {
                Written::Yes => {
                    let raw = self.written_value(&backend, &step.change, stored.as_deref());
                    return Ok((step.result, raw));
                }
                Written::Lost(current) => current,
                Written::Skewed(server_ms) => {
                    // The store's clock is not ours: decide again on its
                    // time (a clock that keeps jumping is given up on as
                    // contention, never written with a wrong time).
                    if self.server.is_none() {
                        // No guard was sent (the caller's clock): the store
                        // answered something the protocol never asked for.
                        return Err(self.unexpected());
                    }
                    clock_corrections = clock_corrections.saturating_add(1);
                    if clock_corrections > 3 || !self.adopt(server_ms) {
                        return Err(self.contended(tries.saturating_add(clock_corrections)));
                    }
                    known = Some(stored);
                    continue;
                }
            };
            if std::mem::take(&mut guessed) {
                // The guess was wrong, not a race: go on with what the
                // store said it holds, or read it.
                known = current;
                continue;
            }
            tries = tries.saturating_add(1);
            // A compare-and-set that lost returns the value that won: retry
            // on it at once (one round trip old); every other try sleeps
            // first and reads afresh.
            if let Some(current) = current.filter(|_| tries % 2 == 1) {
                if tries >= self.retry.attempts() {
                    self.io.conflict();
                    return Err(self.contended(tries));
                }
                self.io.conflict();
                known = Some(current);
                continue;
            }
            self.after_conflict(tries).await?;
        }
    }
}

/// The state a cell's stored value holds (Redis values end in their
/// write's token; SQL cells hold the state alone).
fn visible<'a>(backend: &Backend, stored: Option<&'a str>) -> Option<&'a str> {
    match backend {
        Backend::Sql(_) => stored,
        Backend::Redis => stored.and_then(redis::stored_state),
    }
}

fn texts(values: &[String]) -> Vec<Value> {
    values.iter().cloned().map(Value::Text).collect()
}

fn redis_key(prefix: &Prefix, target: &Target) -> String {
    let parts: Vec<&str> = target.address.iter().map(String::as_str).collect();
    redis::key(prefix, target.table, &parts)
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        // Drivers that return BIGINT as text (node-postgres).
        Value::Text(text) => text.parse().ok(),
        Value::Null => None,
    }
}

fn text(value: &Value) -> Option<&str> {
    match value {
        Value::Text(text) => Some(text),
        _ => None,
    }
}

fn at_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

fn binding_of(row: &[Value]) -> Option<Binding> {
    let [number, mpr_id, product, key, first] = row else {
        return None;
    };
    Some(Binding {
        activation_number: ActivationNumber::parse(text(number)?).ok()?,
        mpr_id: MprId::parse(text(mpr_id)?).ok()?,
        product: u16::try_from(int(product)?).ok()?,
        registration_key: RegistrationKey::parse(text(key)?).ok()?,
        first_issued_at: at_ms(int(first)?)?,
    })
}

fn binding_values(b: &Binding) -> [Value; 5] {
    [
        Value::Text(b.activation_number.compact()),
        Value::Text(b.mpr_id.compact()),
        Value::Int(i64::from(b.product)),
        Value::Text(b.registration_key.compact()),
        Value::Int(b.first_issued_at.timestamp_millis()),
    ]
}

fn history_values(seq: i64, row: &HistoryRow) -> [Value; 7] {
    [
        Value::Int(seq),
        Value::Int(row.at.timestamp_millis()),
        Value::Text(row.event.name().to_owned()),
        Value::Text(row.mpr_id.compact()),
        Value::Text(row.activation_number.compact()),
        Value::Int(i64::from(row.product)),
        Value::Text(row.registration_key.compact()),
    ]
}

fn history_of(row: &[Value]) -> Option<HistoryRow> {
    let [at, event, mpr_id, number, product, key] = row else {
        return None;
    };
    Some(HistoryRow {
        at: at_ms(int(at)?)?,
        event: HistoryEvent::from_name(text(event)?)?,
        mpr_id: MprId::parse(text(mpr_id)?).ok()?,
        activation_number: ActivationNumber::parse(text(number)?).ok()?,
        product: u16::try_from(int(product)?).ok()?,
        registration_key: RegistrationKey::parse(text(key)?).ok()?,
    })
}

fn rebind_of(row: &[Value]) -> Option<RebindRecord> {
    let [at, number, from, to, actor, reason] = row else {
        return None;
    };
    Some(RebindRecord {
        at: at_ms(int(at)?)?,
        activation_number: ActivationNumber::parse(text(number)?).ok()?,
        from: MprId::parse(text(from)?).ok()?,
        to: MprId::parse(text(to)?).ok()?,
        actor: text(actor)?.to_owned(),
        reason: text(reason)?.to_owned(),
    })
}

/// `[from 00:00, to + 1 day 00:00)` of `offset`, in ms.
fn day_bounds(range: DateRange, offset: FixedOffset) -> Option<(i64, i64)> {
    let start = |day: NaiveDate| {
        offset
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .map(|t| t.timestamp_millis())
    };
    Some((
        start(range.from)?,
        start(range.to.checked_add_days(Days::new(1))?)?,
    ))
}

impl Protocol {
    /// The protocol of a SQL store.
    #[must_use]
    pub fn sql(
        dialect: Dialect,
        placeholder: Placeholder,
        prefix: Prefix,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            backend: Backend::Sql(Sql::new(dialect, placeholder, prefix.clone())),
            prefix,
            retry,
            schema_checked: Arc::default(),
            offset_ms: Arc::default(),
        }
    }

    /// The protocol of a Redis (or Redis Cluster) store.
    #[must_use]
    pub fn redis(prefix: Prefix, retry: RetryPolicy) -> Self {
        Self {
            backend: Backend::Redis,
            prefix,
            retry,
            schema_checked: Arc::new(AtomicBool::new(true)),
            offset_ms: Arc::default(),
        }
    }

    /// The store's name in errors (`sqlite`, `postgres`, `redis`).
    #[must_use]
    pub fn store_name(&self) -> &'static str {
        match &self.backend {
            Backend::Sql(sql) => sql.dialect().store_name(),
            Backend::Redis => "redis",
        }
    }

    /// The SQL statements, for a SQL store.
    #[must_use]
    pub fn statements(&self) -> Option<&Sql> {
        match &self.backend {
            Backend::Sql(sql) => Some(sql),
            Backend::Redis => None,
        }
    }

    /// The retry policy.
    #[must_use]
    pub const fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The prefix.
    #[must_use]
    pub const fn prefix(&self) -> &Prefix {
        &self.prefix
    }

    fn run(&self, io: &Io, operation: &'static str, clock: Clock, seed: u64) -> Run {
        let (now_ms, server) = match clock {
            Clock::Caller(now) => (now.timestamp_millis(), None),
            Clock::Server(local) => {
                let local_ms = local.timestamp_millis();
                let offset = self.offset_ms.load(Ordering::Relaxed);
                (
                    local_ms.saturating_add(offset),
                    Some((local_ms, self.offset_ms.clone())),
                )
            }
        };
        let mut jitter = Jitter::new(seed);
        let token = format!("{:016x}", jitter.next_u64());
        Run {
            io: io.clone(),
            retry: self.retry,
            jitter,
            store: self.store_name(),
            operation,
            now_ms,
            server,
            token,
        }
    }

    /// The schema check the first operation of a SQL store makes.
    async fn ensure_schema(
        run: &mut Run,
        sql: Option<Sql>,
        checked: Arc<AtomicBool>,
    ) -> Result<(), OpError> {
        let Some(sql) = sql else { return Ok(()) };
        if checked.load(Ordering::Acquire) {
            return Ok(());
        }
        let found = Self::version_in(run, &sql).await?;
        if found != SCHEMA_VERSION {
            return Err(StoreError::SchemaMismatch {
                found,
                expected: SCHEMA_VERSION,
            }
            .into());
        }
        checked.store(true, Ordering::Release);
        Ok(())
    }

    async fn version_in(run: &mut Run, sql: &Sql) -> Result<u32, OpError> {
        let exists = run
            .read_row(sql.meta_exists(), vec![Value::Text(sql.meta_table())])
            .await?;
        let exists = exists.as_deref().and_then(|r| r.first()).and_then(int);
        match exists {
            Some(0) => return Ok(0),
            Some(_) => {}
            None => return Err(run.unexpected()),
        }
        let row = run.read_row(sql.schema_version(), Vec::new()).await?;
        match row {
            None => Ok(0),
            Some(row) => row
                .first()
                .and_then(int)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| run.unexpected()),
        }
    }

    fn cell_op<T, F>(
        &self,
        operation: &'static str,
        target: Target,
        start: Start,
        clock: Clock,
        seed: u64,
        decide: F,
    ) -> Operation<T>
    where
        T: Send + 'static,
        F: FnMut(Option<&str>, DateTime<Utc>) -> Result<Step<T>, OpError> + Send + 'static,
    {
        self.cell_op_written(operation, target, start, clock, seed, decide, |r, _| r)
    }

    /// [`Self::cell_op`], with `finish` given the value written where it
    /// differs from the decided text.
    #[expect(
        clippy::too_many_arguments,
        reason = "cell_op's arguments and the finish"
    )]
    fn cell_op_written<T, F, G>(
        &self,
        operation: &'static str,
        target: Target,
        start: Start,
        clock: Clock,
        seed: u64,
        decide: F,
        finish: G,
    ) -> Operation<T>
    where
        T: Send + 'static,
        F: FnMut(Option<&str>, DateTime<Utc>) -> Result<Step<T>, OpError> + Send + 'static,
        G: FnOnce(T, Option<String>) -> T + Send + 'static,
    {
        let io = Io::default();
        let mut run = self.run(&io, operation, clock, seed);
        let backend = self.backend.clone();
        let prefix = self.prefix.clone();
        let checked = self.schema_checked.clone();
        let sql = self.statements().cloned();
        Operation::new(io, async move {
            Self::ensure_schema(&mut run, sql, checked).await?;
            let (result, written) = run.cell(backend, prefix, target, start, decide).await?;
            Ok(finish(result, written))
        })
    }

    fn read_op<T, F>(&self, operation: &'static str, target: Target, decode: F) -> Operation<T>
    where
        T: Send + 'static,
        F: FnOnce(Option<&str>) -> Result<T, OpError> + Send + 'static,
    {
        let io = Io::default();
        let mut run = self.run(&io, operation, Clock::Caller(DateTime::UNIX_EPOCH), 0);
        let backend = self.backend.clone();
        let prefix = self.prefix.clone();
        let checked = self.schema_checked.clone();
        let sql = self.statements().cloned();
        Operation::new(io, async move {
            Self::ensure_schema(&mut run, sql, checked).await?;
            let stored = run.cell_read(&backend, &prefix, &target).await?;
            decode(visible(&backend, stored.as_deref()))
        })
    }

    // --- lockout --------------------------------------------------------------------

    /// Admit an attempt on `key` (its failure stored before the password is
    /// checked) or refuse it while locked. One round trip when the key has
    /// no stored state.
    ///
    /// # Errors
    /// `store.invalid_key` for a key the store refuses (before any I/O).
    pub fn lockout_admit(
        &self,
        key: &str,
        policy: &LockoutPolicy,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<Admit>, StoreError> {
        check_key("lockout key", key)?;
        let policy = policy.clone();
        let target = Target {
            table: Table::Lockout,
            address: vec![key.to_owned()],
        };
        Ok(self.cell_op_written(
            "lockout.admit",
            target,
            Start::Absent,
            now.into(),
            seed,
            move |stored, now| cell::lockout_admit(stored, &policy, now).map_err(OpError::from),
            // The settle compares with the value as stored (on Redis, with
            // this admission's token).
            |admit, written| match (admit, written) {
                (Admit::Admitted { admission, .. }, Some(stored)) => {
                    Admit::Admitted { admission, stored }
                }
                (admit, _) => admit,
            },
        ))
    }

    /// Settle a right password: reset the state stored by then. `admitted`
    /// is the text the admission stored (the first compare-and-set's
    /// token: one round trip when nothing was written since).
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn lockout_settle(
        &self,
        key: &str,
        policy: &LockoutPolicy,
        success: Success,
        admitted: &str,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<LockoutState>, StoreError> {
        check_key("lockout key", key)?;
        let policy = policy.clone();
        let target = Target {
            table: Table::Lockout,
            address: vec![key.to_owned()],
        };
        let start = Start::Known(admitted.to_owned());
        Ok(self.cell_op(
            "lockout.settle",
            target,
            start,
            now.into(),
            seed,
            move |stored, now| {
                cell::lockout_settle(stored, &policy, success, now).map_err(OpError::from)
            },
        ))
    }

    /// Forget the lockout state of `key` (an administrator's unlock); true
    /// if one was stored. Wins over attempts in flight: they re-read.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn lockout_reset(&self, key: &str, seed: u64) -> Result<Operation<bool>, StoreError> {
        check_key("lockout key", key)?;
        let target = Target {
            table: Table::Lockout,
            address: vec![key.to_owned()],
        };
        Ok(self.cell_op(
            "lockout.reset",
            target,
            Start::Read,
            Clock::Caller(DateTime::UNIX_EPOCH),
            seed,
            |stored, _| Ok(cell::forget(stored)),
        ))
    }

    /// The stored lockout state (the default state when none is stored).
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn lockout_state(&self, key: &str) -> Result<Operation<LockoutState>, StoreError> {
        check_key("lockout key", key)?;
        let target = Target {
            table: Table::Lockout,
            address: vec![key.to_owned()],
        };
        Ok(self.read_op("lockout.read", target, |stored| {
            cell::lockout_read(stored).map_err(OpError::from)
        }))
    }

    // --- one-time codes -----------------------------------------------------------

    fn code_target(purpose: &str, subject: &str) -> Result<Target, StoreError> {
        check_key("code purpose", purpose)?;
        check_key("code subject", subject)?;
        Ok(Target {
            table: Table::Code,
            address: vec![purpose.to_owned(), subject.to_owned()],
        })
    }

    /// Issue the next code for (policy's purpose, subject); earlier ones die.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn code_issue(
        &self,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: &str,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<(CodeState, OneTimeCode)>, StoreError> {
        let target = Self::code_target(policy.purpose.name(), subject)?;
        let (policy, secret, subject) = (*policy, secret.clone(), subject.to_owned());
        Ok(self.cell_op(
            "code.issue",
            target,
            Start::Absent,
            now.into(),
            seed,
            move |stored, now| {
                cell::code_issue(stored, &policy, &secret, &subject, now).map_err(OpError::from)
            },
        ))
    }

    /// Verify and record the outcome atomically; `None` when no code is
    /// stored for the subject.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn code_verify(
        &self,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: &str,
        typed: &str,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<Option<Verification>>, StoreError> {
        let target = Self::code_target(policy.purpose.name(), subject)?;
        let (policy, secret) = (*policy, secret.clone());
        let (subject, typed) = (subject.to_owned(), typed.to_owned());
        Ok(self.cell_op(
            "code.verify",
            target,
            Start::Read,
            now.into(),
            seed,
            move |stored, now| {
                cell::code_verify(stored, &policy, &secret, &subject, &typed, now)
                    .map_err(OpError::from)
            },
        ))
    }

    /// The stored code state of (purpose, subject), if any.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn code_state(
        &self,
        purpose: &str,
        subject: &str,
    ) -> Result<Operation<Option<CodeState>>, StoreError> {
        let target = Self::code_target(purpose, subject)?;
        Ok(self.read_op("code.read", target, |stored| {
            cell::code_read(stored).map_err(OpError::from)
        }))
    }

    // --- sessions ----------------------------------------------------------------------

    fn session_target(id: &str) -> Result<Target, StoreError> {
        check_key("session id", id)?;
        Ok(Target {
            table: Table::Session,
            address: vec![id.to_owned()],
        })
    }

    /// Start a session under `id`.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn session_start(
        &self,
        id: &str,
        policy: &SessionPolicy,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<SessionState>, StoreError> {
        let target = Self::session_target(id)?;
        let policy = *policy;
        Ok(self.cell_op(
            "session.start",
            target,
            Start::Absent,
            now.into(),
            seed,
            move |_, now| Ok(cell::session_start(&policy, now)),
        ))
    }

    /// Renew a session on activity; `None` for an unknown or revoked one.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn session_touch(
        &self,
        id: &str,
        policy: &SessionPolicy,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<Option<SessionStatus>>, StoreError> {
        let target = Self::session_target(id)?;
        let policy = *policy;
        Ok(self.cell_op(
            "session.touch",
            target,
            Start::Read,
            now.into(),
            seed,
            move |stored, now| cell::session_touch(stored, &policy, now).map_err(OpError::from),
        ))
    }

    /// End a session; true if it existed.
    ///
    /// # Errors
    /// `store.invalid_key`.
    pub fn session_revoke(&self, id: &str, seed: u64) -> Result<Operation<bool>, StoreError> {
        let target = Self::session_target(id)?;
        Ok(self.cell_op(
            "session.revoke",
            target,
            Start::Read,
            Clock::Caller(DateTime::UNIX_EPOCH),
            seed,
            |stored, _| Ok(cell::forget(stored)),
        ))
    }

    // --- SQL only: schema, purge, ledger ----------------------------------------------

    fn sql_only(&self, feature: &str) -> Result<Sql, StoreError> {
        match &self.backend {
            Backend::Sql(sql) => Ok(sql.clone()),
            Backend::Redis => Err(StoreError::Unsupported {
                store: "redis".to_owned(),
                feature: feature.to_owned(),
            }),
        }
    }

    /// Apply the migrations not yet applied, in one transaction; the
    /// version now in force.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn migrate(&self, seed: u64) -> Result<Operation<u32>, StoreError> {
        let sql = self.sql_only("migrations")?;
        let io = Io::default();
        let mut run = self.run(&io, "migrate", Clock::Caller(DateTime::UNIX_EPOCH), seed);
        let checked = self.schema_checked.clone();
        let prefix = self.prefix.clone();
        Ok(Operation::new(io, async move {
            let version: u32 = transaction!(run, migrate_once(&run, &sql, &prefix).await)?;
            checked.store(true, Ordering::Release);
            Ok(version)
        }))
    }

    /// The applied schema version (0 before `migrate()`).
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn schema_version(&self) -> Result<Operation<u32>, StoreError> {
        let sql = self.sql_only("migrations")?;
        let io = Io::default();
        let mut run = self.run(
            &io,
            "schema_version",
            Clock::Caller(DateTime::UNIX_EPOCH),
            0,
        );
        Ok(Operation::new(io, async move {
            Self::version_in(&mut run, &sql).await
        }))
    }

    /// Delete lockout, code and session rows that no longer matter; how many.
    ///
    /// # Errors
    /// `store.unsupported` on Redis (its keys expire by TTL).
    pub fn purge_expired(
        &self,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<u64>, StoreError> {
        let sql = self.sql_only("purge_expired")?;
        let io = Io::default();
        let clock = now.into();
        // Server clock: the statement compares with the database's own time.
        let at = match clock {
            Clock::Caller(now) => Value::Int(now.timestamp_millis()),
            Clock::Server(_) => Value::Null,
        };
        let mut run = self.run(&io, "purge_expired", clock, seed);
        let checked = self.schema_checked.clone();
        Ok(Operation::new(io, async move {
            Self::ensure_schema(&mut run, Some(sql.clone()), checked).await?;
            let mut total = 0u64;
            for table in Table::ALL {
                match run
                    .sql(sql.purge(table), vec![at.clone()], Want::Count)
                    .await
                {
                    Reply::Count(n) => total = total.saturating_add(n),
                    Reply::Failed(Failure::Unavailable) => return Err(run.unknown()),
                    Reply::Failed(Failure::Unreachable) => return Err(run.unavailable()),
                    Reply::Failed(Failure::MissingTable) => return Err(Run::missing_schema()),
                    Reply::Failed(Failure::Conflict) => return Err(run.contended(1)),
                    _ => return Err(run.unexpected()),
                }
            }
            Ok(total)
        }))
    }

    fn ledger_op<T, Fut>(
        &self,
        operation: &'static str,
        clock: Clock,
        seed: u64,
        body: impl FnOnce(Run, Sql) -> Fut + Send + 'static,
    ) -> Result<Operation<T>, StoreError>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = Result<T, OpError>> + Send + 'static,
    {
        let sql = self.sql_only("ledger")?;
        let io = Io::default();
        let mut run = self.run(&io, operation, clock, seed);
        let checked = self.schema_checked.clone();
        Ok(Operation::new(io, async move {
            Self::ensure_schema(&mut run, Some(sql.clone()), checked).await?;
            body(run, sql).await
        }))
    }

    /// Plan with core and bind under the unique key, first writer wins; a
    /// lost race re-plans, so the loser sees `reissued` or `refused`.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn ledger_issue(
        &self,
        master: &MasterSecret,
        request: &IssuanceRequest,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<IssuancePlan>, StoreError> {
        let (master, request) = (master.clone(), request.clone());
        let clock = now.into();
        let now = caller_time(clock);
        self.ledger_op(
            "ledger.issue",
            clock,
            seed,
            move |mut run, sql| async move {
                transaction!(run, issue_once(&run, &sql, &master, &request, now).await)
            },
        )
    }

    /// Audited administrative rebind: binding, history and audit record in
    /// one transaction.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    #[expect(
        clippy::too_many_arguments,
        reason = "the operation's inputs, each needed"
    )]
    pub fn ledger_rebind(
        &self,
        master: &MasterSecret,
        number: ActivationNumber,
        to: MprId,
        actor: &str,
        reason: &str,
        now: impl Into<Clock>,
        seed: u64,
    ) -> Result<Operation<RebindRecord>, StoreError> {
        let master = master.clone();
        let (actor, reason) = (actor.to_owned(), reason.to_owned());
        let clock = now.into();
        let now = caller_time(clock);
        self.ledger_op(
            "ledger.rebind",
            clock,
            seed,
            move |mut run, sql| async move {
                transaction!(
                    run,
                    rebind_once(&run, &sql, &master, number, to, &actor, &reason, now).await
                )
            },
        )
    }

    /// Bindings: all, one terminal's, or one number's, by number.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn ledger_bindings(
        &self,
        filter: LedgerFilter,
    ) -> Result<Operation<Vec<Binding>>, StoreError> {
        self.ledger_op(
            "ledger.read",
            Clock::Caller(DateTime::UNIX_EPOCH),
            0,
            move |mut run, sql| async move {
                let (which, params) = match filter {
                    LedgerFilter::All => (BindingFilter::All, Vec::new()),
                    LedgerFilter::MprId(m) => {
                        (BindingFilter::MprId, vec![Value::Text(m.compact())])
                    }
                    LedgerFilter::ActivationNumber(n) => (
                        BindingFilter::ActivationNumber,
                        vec![Value::Text(n.compact())],
                    ),
                };
                let rows = run.read_rows(sql.bindings(which), params).await?;
                rows.iter()
                    .map(|r| binding_of(r).ok_or_else(|| run.unexpected()))
                    .collect()
            },
        )
    }

    /// The rebind audit trail, in order.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn ledger_rebinds(&self) -> Result<Operation<Vec<RebindRecord>>, StoreError> {
        self.ledger_op(
            "ledger.read",
            Clock::Caller(DateTime::UNIX_EPOCH),
            0,
            |mut run, sql| async move {
                let rows = run.read_rows(sql.rebinds(), Vec::new()).await?;
                rows.iter()
                    .map(|r| rebind_of(r).ok_or_else(|| run.unexpected()))
                    .collect()
            },
        )
    }

    /// Detail history over an optional inclusive range of days in `offset`.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn ledger_history(
        &self,
        range: Option<DateRange>,
        offset: FixedOffset,
    ) -> Result<Operation<HistoryReport>, StoreError> {
        self.ledger_op(
            "ledger.read",
            Clock::Caller(DateTime::UNIX_EPOCH),
            0,
            move |mut run, sql| async move {
                let params = range_params(range, offset).ok_or_else(|| run.unexpected())?;
                let rows = run.read_rows(sql.history(range.is_some()), params).await?;
                let rows = rows
                    .iter()
                    .map(|r| history_of(r).ok_or_else(|| run.unexpected()))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(HistoryReport { offset, rows })
            },
        )
    }

    /// Issues per calendar day in `offset`, counted in SQL.
    ///
    /// # Errors
    /// `store.unsupported` on Redis.
    pub fn ledger_daily_counts(
        &self,
        range: Option<DateRange>,
        offset: FixedOffset,
    ) -> Result<Operation<DailyReport>, StoreError> {
        self.ledger_op(
            "ledger.read",
            Clock::Caller(DateTime::UNIX_EPOCH),
            0,
            move |mut run, sql| async move {
                let mut params = vec![Value::Int(
                    i64::from(offset.local_minus_utc()).saturating_mul(1000),
                )];
                params.extend(range_params(range, offset).ok_or_else(|| run.unexpected())?);
                let rows = run
                    .read_rows(sql.daily_counts(range.is_some()), params)
                    .await?;
                let day = |r: &[Value]| -> Option<DailyCount> {
                    let [day, issued, reissued] = r else {
                        return None;
                    };
                    let date = DateTime::UNIX_EPOCH
                        .date_naive()
                        .checked_add_days(Days::new(u64::try_from(int(day)?).ok()?))?;
                    Some(DailyCount {
                        date,
                        issued: u64::try_from(int(issued)?).ok()?,
                        reissued: u64::try_from(int(reissued)?).ok()?,
                    })
                };
                let rows = rows
                    .iter()
                    .map(|r| day(r).ok_or_else(|| run.unexpected()))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(DailyReport { rows })
            },
        )
    }
}

/// Which bindings [`Protocol::ledger_bindings`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFilter {
    /// Every binding.
    All,
    /// The bindings of one terminal.
    MprId(MprId),
    /// The binding of one activation number (at most one).
    ActivationNumber(ActivationNumber),
}

fn range_params(range: Option<DateRange>, offset: FixedOffset) -> Option<Vec<Value>> {
    match range {
        None => Some(Vec::new()),
        Some(range) => {
            let (lo, hi) = day_bounds(range, offset)?;
            Some(vec![Value::Int(lo), Value::Int(hi)])
        }
    }
}

async fn migrate_once(run: &Run, sql: &Sql, prefix: &Prefix) -> Result<u32, TxFail> {
    run.tx_count(sql, sql.begin_write(), Vec::new()).await?;
    if let Some(lock) = sql.migration_lock() {
        run.tx_row(sql, lock, vec![Value::Text(sql.meta_table())])
            .await?;
    }
    let exists = run
        .tx_row(sql, sql.meta_exists(), vec![Value::Text(sql.meta_table())])
        .await?
        .as_deref()
        .and_then(|r| r.first())
        .and_then(int);
    let found = match exists {
        Some(0) => 0,
        Some(_) => {
            let row = run.tx_row(sql, sql.schema_version(), Vec::new()).await?;
            match row
                .as_deref()
                .map(|r| r.first().and_then(int).and_then(|v| u32::try_from(v).ok()))
            {
                None => 0,
                Some(Some(v)) => v,
                Some(None) => return Err(run.abort(sql, run.unexpected()).await),
            }
        }
        None => return Err(run.abort(sql, run.unexpected()).await),
    };
    if found > SCHEMA_VERSION {
        let err = StoreError::SchemaMismatch {
            found,
            expected: SCHEMA_VERSION,
        };
        return Err(run.abort(sql, err.into()).await);
    }
    for (version, migration) in MIGRATIONS {
        if *version <= found {
            continue;
        }
        for statement in statements(migration, prefix) {
            run.tx_count(sql, statement, Vec::new()).await?;
        }
    }
    if found < SCHEMA_VERSION {
        let version = vec![Value::Int(i64::from(SCHEMA_VERSION))];
        let text = if found == 0 {
            sql.insert_schema_version()
        } else {
            sql.update_schema_version()
        };
        run.tx_count(sql, text, version).await?;
    }
    run.commit(sql).await?;
    Ok(SCHEMA_VERSION)
}

/// The caller's `now`, or `None` to read the server's in the transaction.
const fn caller_time(clock: Clock) -> Option<DateTime<Utc>> {
    match clock {
        Clock::Caller(now) => Some(now),
        Clock::Server(_) => None,
    }
}

/// `now` as given, or the database server's clock read inside the
/// transaction (server-clock mode: every server stamps the ledger alike).
/// The first statement of a ledger write transaction: the schema version
/// checked (a database migrated under a running store is noticed here),
/// and `now`, or the server's clock when the caller gave none.
async fn server_time_in(
    run: &Run,
    sql: &Sql,
    now: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, TxFail> {
    let row = run.tx_row(sql, sql.transaction_check(), Vec::new()).await?;
    let Some([server, version]) = row.as_deref() else {
        return Err(run.abort(sql, run.unexpected()).await);
    };
    if let Err(err) = run.check_version(version) {
        return Err(run.abort(sql, err).await);
    }
    match now.or_else(|| int(server).and_then(DateTime::from_timestamp_millis)) {
        Some(now) => Ok(now),
        None => Err(run.abort(sql, run.unexpected()).await),
    }
}

/// Reserve `n` history sequence numbers; the first.
async fn reserve(run: &Run, sql: &Sql, n: usize) -> Result<i64, TxFail> {
    let n = i64::try_from(n).map_err(|_| TxFail::Fatal(run.unexpected()))?;
    run.tx_count(sql, sql.reserve_seq(), vec![Value::Int(n)])
        .await?;
    let row = run.tx_row(sql, sql.current_seq(), Vec::new()).await?;
    match row.as_deref().and_then(|r| r.first()).and_then(int) {
        Some(last) => Ok(last.saturating_sub(n).saturating_add(1)),
        None => Err(run.abort(sql, run.unexpected()).await),
    }
}

async fn insert_history(run: &Run, sql: &Sql, rows: &[HistoryRow]) -> Result<(), TxFail> {
    if rows.is_empty() {
        return Ok(());
    }
    let first = reserve(run, sql, rows.len()).await?;
    let mut params = Vec::new();
    for (seq, row) in (first..).zip(rows) {
        params.extend(history_values(seq, row));
    }
    run.tx_count(sql, sql.insert_history(rows.len()), params)
        .await?;
    Ok(())
}

async fn issue_once(
    run: &Run,
    sql: &Sql,
    master: &MasterSecret,
    request: &IssuanceRequest,
    now: Option<DateTime<Utc>>,
) -> Result<IssuancePlan, TxFail> {
    let mut numbers: Vec<String> = request.keys.iter().map(|k| k.number.compact()).collect();
    numbers.sort();
    numbers.dedup();
    let demo = request.mode == Mode::Demo;
    if !demo {
        run.tx_count(sql, sql.begin_write(), Vec::new()).await?;
    } else {
        run.tx_count(sql, "BEGIN".to_owned(), Vec::new()).await?;
    }
    let now = server_time_in(run, sql, now).await?;
    let params = numbers.iter().cloned().map(Value::Text).collect();
    let rows = run
        .tx_rows(sql, sql.bindings_of(numbers.len()), params)
        .await?;
    let Some(existing) = rows
        .iter()
        .map(|r| binding_of(r))
        .collect::<Option<Vec<_>>>()
    else {
        return Err(run.abort(sql, run.unexpected()).await);
    };
    let plan = match plan_issuance(master, request, &existing, now) {
        Ok(plan) => plan,
        Err(err) => return Err(run.abort(sql, err.into()).await),
    };
    if demo {
        run.commit(sql).await?;
        return Ok(plan);
    }
    if !plan.new_bindings.is_empty() {
        let mut fresh = plan.new_bindings.clone();
        fresh.sort_by_key(|b| b.activation_number.compact());
        let params = fresh.iter().flat_map(binding_values).collect();
        let inserted = run
            .tx_count(sql, sql.insert_bindings(fresh.len()), params)
            .await?;
        if inserted != u64::try_from(fresh.len()).unwrap_or(u64::MAX) {
            // Another request bound one first: re-plan on what it stored.
            return Err(run.abort_conflict(sql).await);
        }
    }
    insert_history(run, sql, &issuance_history(request, &plan, now)).await?;
    run.commit(sql).await?;
    Ok(plan)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the rebind's inputs, each needed"
)]
async fn rebind_once(
    run: &Run,
    sql: &Sql,
    master: &MasterSecret,
    number: ActivationNumber,
    to: MprId,
    actor: &str,
    reason: &str,
    now: Option<DateTime<Utc>>,
) -> Result<RebindRecord, TxFail> {
    run.tx_count(sql, sql.begin_write(), Vec::new()).await?;
    let now = server_time_in(run, sql, now).await?;
    let row = run
        .tx_row(
            sql,
            sql.binding_for_update(),
            vec![Value::Text(number.compact())],
        )
        .await?;
    let current = match row {
        None => None,
        Some(row) => match binding_of(&row) {
            Some(b) => Some(b),
            None => return Err(run.abort(sql, run.unexpected()).await),
        },
    };
    let plan = match plan_rebind(master, current.as_ref(), number, to, actor, reason, now) {
        Ok(plan) => plan,
        Err(err) => return Err(run.abort(sql, err.into()).await),
    };
    let from = plan.record.from;
    let moved = &plan.binding;
    let changed = run
        .tx_count(
            sql,
            sql.rebind_binding(),
            vec![
                Value::Text(moved.mpr_id.compact()),
                Value::Text(moved.registration_key.compact()),
                Value::Int(moved.first_issued_at.timestamp_millis()),
                Value::Text(number.compact()),
                Value::Text(from.compact()),
            ],
        )
        .await?;
    if changed != 1 {
        return Err(run.abort_conflict(sql).await);
    }
    let seq = reserve(run, sql, 1).await?;
    run.tx_count(
        sql,
        sql.insert_history(1),
        history_values(seq, &plan.history).to_vec(),
    )
    .await?;
    let r = &plan.record;
    run.tx_count(
        sql,
        sql.insert_rebind(),
        vec![
            Value::Int(seq),
            Value::Int(r.at.timestamp_millis()),
            Value::Text(number.compact()),
            Value::Text(r.from.compact()),
            Value::Text(r.to.compact()),
            Value::Text(r.actor.clone()),
            Value::Text(r.reason.clone()),
        ],
    )
    .await?;
    run.commit(sql).await?;
    Ok(plan.record)
}
