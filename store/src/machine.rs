//! Operations as state machines: each says what to send next and takes
//! what came back, until it is done.
//!
//! ```text
//! let mut op = protocol.lockout_admit(key, &policy, now, seed)?;
//! let mut reply = None;
//! loop {
//!     match op.resume(reply.take()) {
//!         Poll::Send(command) => reply = Some(executor.run(command)),
//!         Poll::Done(result) => break result,
//!     }
//! }
//! ```
//!
//! An executor runs [`Command`]s on the caller's driver (SQL statements,
//! Redis commands, sleeps) and answers each with a [`Reply`], mapping its
//! driver's errors to a [`Failure`]. It decides nothing: which statement
//! comes next, what a conflict means, when to retry and what to return are
//! the operation's. Internally an operation is written as straight-line
//! `async` code over a one-slot mailbox and polled with a no-op waker:
//! nothing asynchronous crosses the executor boundary, so sync and async
//! executors, foreign-function callers and the simulation drive the same
//! machine.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll as TaskPoll, Waker};

use regcore::Coded;

use crate::StoreError;

/// A SQL parameter or column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// NULL.
    Null,
    /// An integer (every integer the store writes fits an `i64`).
    Int(i64),
    /// Text.
    Text(String),
}

/// What a SQL command's reply must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The number of rows changed ([`Reply::Count`]).
    Count,
    /// The first row, if any ([`Reply::Row`]).
    Row,
    /// Every row ([`Reply::Rows`]).
    Rows,
}

/// What to send.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// Run one SQL statement (transaction control included), outside any
    /// transaction of the caller's, on the connection the operation holds.
    Sql {
        /// The statement, rendered for the driver.
        sql: String,
        /// Its parameters.
        params: Vec<Value>,
        /// What to answer.
        want: Want,
    },
    /// Redis `GET key`: answer [`Reply::Redis`] (nil or the text).
    RedisGet {
        /// The key.
        key: String,
    },
    /// Redis `EVALSHA <cas_sha()> 1 key args…`, or `EVAL CAS_SCRIPT 1 key
    /// args…` after a `NOSCRIPT`: answer [`Reply::Redis`] with the array.
    RedisCas {
        /// The key.
        key: String,
        /// Expected text, new text, TTL in ms, `now` in ms, clock tolerance
        /// in ms (empty: no guard).
        args: [String; 5],
    },
    /// Sleep this long, then answer [`Reply::Slept`].
    Sleep {
        /// Milliseconds (fractional).
        ms: f64,
    },
}

impl Command {
    /// Whether running the command may change stored data (its lost reply
    /// leaves the outcome unknown).
    #[must_use]
    pub fn writes(&self) -> bool {
        match self {
            Self::Sql { sql, .. } => {
                let head = sql.trim_start();
                !(head.starts_with("SELECT") || head.starts_with("BEGIN"))
                    || head.contains("pg_advisory")
            }
            Self::RedisCas { .. } => true,
            Self::RedisGet { .. } | Self::Sleep { .. } => false,
        }
    }
}

/// A Redis reply, as the driver decoded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisValue {
    /// Nil.
    Nil,
    /// An integer.
    Int(i64),
    /// A bulk or simple string.
    Text(String),
    /// An array.
    Array(Vec<RedisValue>),
}

/// Why a command failed, as the executor classifies its driver's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Lost to a concurrent writer (SQLite busy/locked; PostgreSQL
    /// serialization failure, deadlock, lock not available, unique
    /// violation). Nothing was applied.
    Conflict,
    /// A table the statement needs does not exist (no `migrate()` yet).
    MissingTable,
    /// The server refused the data or holds something of another type
    /// (Redis `WRONGTYPE`, a PostgreSQL data exception). Nothing was applied.
    Rejected,
    /// The connection failed, timed out or was closed after the command
    /// was sent: for a write, it may or may not have been applied.
    Unavailable,
    /// No connection could be made, so the command was never sent: nothing
    /// was applied.
    Unreachable,
}

/// The answer to a [`Command`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Rows changed.
    Count(u64),
    /// The first row, if any.
    Row(Option<Vec<Value>>),
    /// Every row.
    Rows(Vec<Vec<Value>>),
    /// A Redis reply.
    Redis(RedisValue),
    /// The sleep ended; `elapsed_ms` since the operation started (the
    /// executor's monotonic clock: the deadline is checked against it).
    Slept {
        /// Milliseconds since the first `resume`.
        elapsed_ms: f64,
    },
    /// The command failed.
    Failed(Failure),
}

/// Why an operation ended without a result: a store error or a domain
/// error from core (a stored state core cannot decode, a refused rebind),
/// each with its code, kind and messages.
pub struct OpError(Box<dyn Coded + Send + Sync>);

impl OpError {
    /// The coded error.
    #[must_use]
    pub fn coded(&self) -> &(dyn Coded + Send + Sync) {
        &*self.0
    }

    /// Its code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

impl<E: Coded + Send + Sync + 'static> From<E> for OpError {
    fn from(err: E) -> Self {
        Self(Box::new(err))
    }
}

impl fmt::Debug for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpError({}: {})", self.0.code(), self.0.message_en())
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message_en())
    }
}

impl std::error::Error for OpError {}

/// What the machine says next.
#[derive(Debug)]
pub enum Poll<T> {
    /// Run this and `resume` with its reply.
    Send(Command),
    /// Finished.
    Done(Result<T, OpError>),
}

#[derive(Debug, Default)]
struct Mailbox {
    outgoing: Option<Command>,
    incoming: Option<Reply>,
    conflicts: u32,
    round_trips: u32,
}

/// The operation's side of the mailbox: `ask` sends one command and waits
/// for its reply.
#[derive(Debug, Clone, Default)]
pub(crate) struct Io(Arc<Mutex<Mailbox>>);

impl Io {
    fn with<R>(&self, f: impl FnOnce(&mut Mailbox) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Send `command`; the reply the executor gives back.
    pub(crate) fn ask(&self, command: Command) -> Ask {
        Ask {
            io: self.clone(),
            command: Some(command),
        }
    }

    /// Count a lost compare-and-set (for the executor's statistics).
    pub(crate) fn conflict(&self) {
        self.with(|m| m.conflicts = m.conflicts.saturating_add(1));
    }
}

/// The future of one [`Io::ask`].
pub(crate) struct Ask {
    io: Io,
    command: Option<Command>,
}

impl Future for Ask {
    type Output = Reply;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> TaskPoll<Reply> {
        if let Some(command) = self.command.take() {
            self.io.with(|m| {
                m.outgoing = Some(command);
                m.incoming = None;
            });
            return TaskPoll::Pending;
        }
        match self.io.with(|m| m.incoming.take()) {
            Some(reply) => TaskPoll::Ready(reply),
            None => TaskPoll::Pending,
        }
    }
}

type Task<T> = Pin<Box<dyn Future<Output = Result<T, OpError>> + Send>>;

/// One store operation as a state machine.
pub struct Operation<T> {
    task: Option<Task<T>>,
    io: Io,
}

impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("finished", &self.task.is_none())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Operation<T> {
    pub(crate) fn new<F>(io: Io, task: F) -> Self
    where
        F: Future<Output = Result<T, OpError>> + Send + 'static,
    {
        Self {
            task: Some(Box::pin(task)),
            io,
        }
    }

    /// The same operation with its result mapped (for executors that wrap
    /// every operation in one type).
    pub fn map<U: Send + 'static>(
        mut self,
        f: impl FnOnce(T) -> U + Send + 'static,
    ) -> Operation<U> {
        let io = self.io.clone();
        match self.task.take() {
            Some(task) => Operation::new(io, async move { task.await.map(f) }),
            None => Operation { task: None, io },
        }
    }

    /// Advance: `None` the first time, then the reply to the last command.
    /// After `Done`, every further call answers `store.invalid_option`
    /// (the operation is spent).
    pub fn resume(&mut self, reply: Option<Reply>) -> Poll<T> {
        let Some(task) = self.task.as_mut() else {
            return Poll::Done(Err(StoreError::InvalidOption {
                name: "operation".to_owned(),
                expected: "an operation not yet finished".to_owned(),
            }
            .into()));
        };
        if let Some(reply) = reply {
            self.io.with(|m| {
                m.incoming = Some(reply);
                m.round_trips = m.round_trips.saturating_add(1);
            });
        }
        let mut cx = Context::from_waker(Waker::noop());
        match task.as_mut().poll(&mut cx) {
            TaskPoll::Ready(result) => {
                self.task = None;
                Poll::Done(result)
            }
            TaskPoll::Pending => {
                let command = self.io.with(|m| m.outgoing.take());
                match command {
                    Some(command) => Poll::Send(command),
                    // Resumed without the reply it waits for: the executor
                    // broke the protocol. Refuse rather than guess.
                    None => {
                        self.task = None;
                        Poll::Done(Err(StoreError::InvalidOption {
                            name: "reply".to_owned(),
                            expected: "the reply to the last command".to_owned(),
                        }
                        .into()))
                    }
                }
            }
        }
    }

    /// Compare-and-set attempts lost so far.
    #[must_use]
    pub fn conflicts(&self) -> u32 {
        self.io.with(|m| m.conflicts)
    }

    /// Replies received so far (round trips, sleeps included).
    #[must_use]
    pub fn replies(&self) -> u32 {
        self.io.with(|m| m.round_trips)
    }

    /// Whether the operation has finished.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.task.is_none()
    }
}
