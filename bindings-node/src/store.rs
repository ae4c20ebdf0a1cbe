//! The store protocol (`regcore-store`) for the Node store layer
//! (`regcore/store`): a `StoreProtocol` per store hands out
//! `StoreOperation`s, state machines the JavaScript executor drives
//! (`resume(reply)` / `fail(kind)` give the next command as a plain object;
//! the result is read through a typed getter once it is `done`). Also the
//! store errors the executors throw themselves (`storeUnavailable`, …),
//! built by `regcore_store::StoreError`. Conversions only: every statement,
//! key, TTL, retry and rule is the protocol's. No I/O happens here.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::Coded;
use regcore::code::{CodeState as CoreCodeState, OneTimeCode, Verification};
use regcore::ledger::{DailyReport, HistoryReport, RebindRecord as CoreRebindRecord};
use regcore::lockout::LockoutState as CoreLockoutState;
use regcore::pairing::{Binding as CoreBinding, IssuancePlan as CoreIssuancePlan};
use regcore::session::{SessionState as CoreSessionState, SessionStatus as CoreSessionStatus};
use regcore_store::{
    Admit, Clock, Command, Dialect, Failure, LedgerFilter, OpError, Operation, Placeholder, Poll,
    Prefix, Protocol, RedisValue, Reply, RetryPolicy, StoreError, Value, Want, redis,
};

use crate::codes::{
    CodePolicy, CodeSecret, CodeState, CodeVerification, IssuedCode, SessionPolicy, SessionState,
    SessionStatus, SessionStatusKind,
};
use crate::convert::{
    Date, Diagnostic, JsNumber, JsString, OrThrow, coded_error, int, name_in, now_or, random_bytes,
};
use crate::ids::{ActivationNumber, MprId};
use crate::keys::{MasterSecret, mpr_arg, number_arg};
use crate::lockout::{
    LockoutAdmission, LockoutDecision, LockoutPolicy, LockoutState, LockoutSuccess, locked_decision,
};
use crate::pairing::{
    Binding, DailyCount, HistoryRow, IssuancePlan, IssuanceRequest, RebindRecord, ReportOptions,
    daily_rows, day_range, history_rows, rebind_record,
};

// --- the store errors an executor throws itself --------------------------------

fn error_object<'env>(env: &'env Env, err: &StoreError) -> Result<Object<'env>> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, err.message_en()))?;
    obj.set("name", "RegcoreError")?;
    obj.set("code", err.code())?;
    obj.set("kind", err.kind().as_str())?;
    let mut params = Object::new(env)?;
    for (key, value) in err.params() {
        params.set(key, value)?;
    }
    obj.set("params", params)?;
    obj.set("messageJa", err.message_ja())?;
    Ok(obj)
}

/// `store.contended` (kind `store_contended`): a compare-and-set kept losing
/// after `attempts` tries (an integer `0..=4294967295`); nothing was recorded.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_contended<'env>(
    env: &'env Env,
    operation: String,
    attempts: JsNumber,
) -> Result<Object<'env>> {
    let attempts = int::<u32>(env, "attempts", attempts)?;
    error_object(
        env,
        &StoreError::Contended {
            operation,
            attempts,
        },
    )
}

/// `store.unavailable` (kind `store_unavailable`): the `store` (`sqlite`,
/// `postgres`, `redis`) failed during `operation`; nothing was recorded.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_unavailable<'env>(
    env: &'env Env,
    store: String,
    operation: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::Unavailable { store, operation })
}

/// `store.driver_missing` (kind `configuration`): the `driver` package is
/// not installed; `extra` names what installs it (for npm: the package).
#[napi(ts_return_type = "RegcoreError")]
pub fn store_driver_missing<'env>(
    env: &'env Env,
    driver: String,
    extra: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::DriverMissing { driver, extra })
}

/// `store.unsupported` (kind `configuration`): e.g. the ledger on Redis.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_unsupported<'env>(
    env: &'env Env,
    store: String,
    feature: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::Unsupported { store, feature })
}

/// `store.schema_mismatch` (kind `configuration`): the database is at schema
/// version `found` (0: none), this release needs `expected`; run `migrate()`.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_schema_mismatch<'env>(
    env: &'env Env,
    found: JsNumber,
    expected: JsNumber,
) -> Result<Object<'env>> {
    let found = int::<u32>(env, "found", found)?;
    let expected = int::<u32>(env, "expected", expected)?;
    error_object(env, &StoreError::SchemaMismatch { found, expected })
}

/// `store.invalid_prefix` (kind `configuration`) for `prefix`.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_invalid_prefix<'env>(env: &'env Env, prefix: String) -> Result<Object<'env>> {
    let clipped: String = prefix.chars().take(64).collect();
    error_object(env, &StoreError::InvalidPrefix { prefix: clipped })
}

/// The rule for a table or key prefix (1–32 of `a–z 0–9 _`, starting
/// with a letter; it is spliced into SQL identifiers and Redis keys).
/// Throws `store.invalid_prefix`.
#[napi]
pub fn check_store_prefix(env: &Env, prefix: JsString) -> Result<()> {
    let prefix = prefix.text(env, "prefix")?;
    StoreError::check_prefix(&prefix).map_err(|e| coded_error(env, &e))
}

/// `store.transaction_open` (kind `configuration`): the caller's connection
/// is inside a transaction, so an admission could not be committed before
/// the password check.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_transaction_open<'env>(env: &'env Env, store: String) -> Result<Object<'env>> {
    error_object(env, &StoreError::TransactionOpen { store })
}

/// `store.invalid_client` (kind `configuration`): the object given as a
/// connection, pool or client is not one the `store` can use; `expected`
/// says what it accepts.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_invalid_client<'env>(
    env: &'env Env,
    store: String,
    expected: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::InvalidClient { store, expected })
}

/// `store.invalid_option` (kind `configuration`): the store option `name`
/// is out of its range; `expected` says what it accepts.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_invalid_option<'env>(
    env: &'env Env,
    name: String,
    expected: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::InvalidOption { name, expected })
}

/// `store.invalid_admission` (kind `invalid_input`): `lockoutSettle` was
/// given something other than the `Admitted` of `lockoutAdmit`.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_invalid_admission(env: &Env) -> Result<Object<'_>> {
    error_object(env, &StoreError::InvalidAdmission)
}

/// The same `Date`, checked: anything that is not a valid `Date` throws
/// core's `binding.invalid_date` (the store layer's `now`).
#[napi]
pub fn checked_date(value: crate::convert::Date) -> crate::convert::Date {
    value
}

/// The Redis compare-and-set script the store runs (`EVALSHA`, or `EVAL`
/// after `NOSCRIPT`): `KEYS[1]`; `ARGV` expected text, new text, TTL in ms.
#[napi]
pub fn redis_cas_script() -> &'static str {
    redis::CAS_SCRIPT
}

/// The SHA-1 of `redisCasScript()` in hex, as `EVALSHA` wants it.
#[napi]
pub fn redis_cas_sha() -> String {
    redis::cas_sha()
}

/// A store's retry policy (milliseconds): bounded tries with full jitter.
#[napi(object)]
pub struct StoreRetryOptions {
    /// Most tries of one operation (an integer 1–100000).
    pub attempts: JsNumber,
    /// No new try starts after this many ms (above 0, at most one hour).
    pub deadline_ms: JsNumber,
    /// First backoff bound in ms (0–60000).
    pub base_delay_ms: JsNumber,
    /// Largest backoff bound in ms (0–60000, not below `baseDelayMs`).
    pub max_delay_ms: JsNumber,
}

/// The protocol's default retry policy.
#[napi]
pub fn store_retry_defaults() -> StoreRetryOptions {
    let d = RetryPolicy::default();
    StoreRetryOptions {
        attempts: d.attempts().into(),
        deadline_ms: d.deadline_ms().into(),
        base_delay_ms: d.base_delay_ms().into(),
        max_delay_ms: d.max_delay_ms().into(),
    }
}

fn invalid_option(env: &Env, name: &str, expected: &str) -> Error {
    coded_error(
        env,
        &StoreError::InvalidOption {
            name: name.to_owned(),
            expected: expected.to_owned(),
        },
    )
}

fn retry_policy(env: &Env, retry: &StoreRetryOptions) -> Result<RetryPolicy> {
    let attempts = retry
        .attempts
        .integer::<u32>("attempts")
        .map_err(|_| invalid_option(env, "attempts", "an integer from 1 to 100000"))?;
    let ms = |name: &str, value: JsNumber| {
        value
            .value()
            .ok_or_else(|| invalid_option(env, name, "a number of milliseconds"))
    };
    RetryPolicy::new(
        attempts,
        ms("deadlineMs", retry.deadline_ms)?,
        ms("baseDelayMs", retry.base_delay_ms)?,
        ms("maxDelayMs", retry.max_delay_ms)?,
    )
    .or_throw(env)
}

/// A report's UTC offset: minutes as given, checked by the protocol (whole
/// minutes within ±23:59, else `store.invalid_utc_offset`).
fn report_offset(env: &Env, minutes: Option<JsNumber>) -> Result<chrono::FixedOffset> {
    let Some(minutes) = minutes else {
        return regcore_store::utc_offset(0).or_throw(env);
    };
    let Some(minutes) = minutes.value() else {
        return Err(coded_error(
            env,
            &regcore::BoundaryError::InvalidInteger {
                name: "utcOffsetMinutes".to_owned(),
            },
        ));
    };
    let seconds = minutes * 60.0;
    // Saturating: NaN is 0 s, ±Infinity and huge values the extreme i64s
    // (all refused below, with the value in the message).
    #[allow(clippy::cast_possible_truncation)]
    let whole = seconds as i64;
    #[allow(clippy::cast_precision_loss)]
    let exact = seconds.is_finite() && whole as f64 == seconds;
    if !exact {
        return Err(coded_error(
            env,
            &StoreError::InvalidUtcOffset { seconds: whole },
        ));
    }
    regcore_store::utc_offset(whole).or_throw(env)
}

/// A `now` given: the caller's clock, used as given. None: the store
/// server's clock, starting from this machine's (see `regcore_store::Clock`).
fn clock(now: Option<Date>) -> Clock {
    match now {
        Some(now) => Clock::Caller(now.0),
        None => Clock::Server(now_or(None)),
    }
}

fn report_args(
    env: &Env,
    options: Option<ReportOptions>,
) -> Result<(Option<regcore::ledger::DateRange>, chrono::FixedOffset)> {
    let Some(options) = options else {
        return Ok((None, regcore_store::utc_offset(0).or_throw(env)?));
    };
    let range = day_range(env, options.days)?;
    Ok((range, report_offset(env, options.utc_offset_minutes)?))
}

// --- operations ---------------------------------------------------------------------

/// What an operation returns, before conversion to JavaScript.
enum Out {
    Admit(Admit),
    Lockout(CoreLockoutState),
    Issued((CoreCodeState, OneTimeCode)),
    Verified(Option<Verification>),
    Code(Option<CoreCodeState>),
    Session(CoreSessionState),
    Touch(Option<CoreSessionStatus>),
    Bool(bool),
    Version(u32),
    Count(u64),
    Plan(CoreIssuancePlan),
    Rebind(CoreRebindRecord),
    Bindings(Vec<CoreBinding>),
    Rebinds(Vec<CoreRebindRecord>),
    History(HistoryReport),
    Daily(DailyReport),
}

/// What the last command expects as its reply.
#[derive(Clone, Copy)]
enum Pending {
    Sql(Want),
    Redis,
    Sleep,
}

/// The next thing to do, as `StoreOperation.resume` and `fail` return it:
/// `{ kind: 'count' | 'row' | 'rows', sql, params }` (run the statement;
/// answer the number of rows changed, the first row as an array or null,
/// or every row as arrays), `{ kind: 'get', key }` (Redis `GET`), `{ kind:
/// 'cas', key, args }` (`EVALSHA redisCasSha() 1 key ...args`, `EVAL
/// redisCasScript() ...` after `NOSCRIPT`; answer the array), `{ kind:
/// 'sleep', ms }` (answer the ms elapsed since the operation started), or
/// `{ kind: 'done' }` (read the result with the getter of its type).
#[napi(object)]
pub struct StoreCommand {
    /// What to do.
    #[napi(ts_type = "'count' | 'row' | 'rows' | 'get' | 'cas' | 'sleep' | 'done'")]
    pub kind: String,
    /// The SQL statement (placeholders in the driver's style).
    pub sql: Option<String>,
    /// Its parameters.
    #[napi(ts_type = "Array<number | string | null>")]
    pub params: Option<Vec<Option<Either<f64, String>>>>,
    /// The Redis key.
    pub key: Option<String>,
    /// The compare-and-set's arguments: expected text, new text, TTL in ms.
    pub args: Option<Vec<String>>,
    /// How long to sleep, in milliseconds.
    pub ms: Option<f64>,
}

impl StoreCommand {
    fn of(kind: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            sql: None,
            params: None,
            key: None,
            args: None,
            ms: None,
        }
    }
}

fn js_value(value: Value) -> Option<Either<f64, String>> {
    match value {
        Value::Null => None,
        // Every integer the store writes (times in ms, counts) is far
        // below 2^53.
        #[allow(clippy::cast_precision_loss)]
        Value::Int(n) => Some(Either::A(n as f64)),
        Value::Text(t) => Some(Either::B(t)),
    }
}

fn sql_value(value: &serde_json::Value) -> Option<Value> {
    match value {
        serde_json::Value::Null => Some(Value::Null),
        serde_json::Value::String(s) => Some(Value::Text(s.clone())),
        serde_json::Value::Number(n) => n.as_i64().map(Value::Int),
        _ => None,
    }
}

fn sql_row(value: &serde_json::Value) -> Option<Vec<Value>> {
    value.as_array()?.iter().map(sql_value).collect()
}

fn redis_value(value: &serde_json::Value) -> Option<RedisValue> {
    match value {
        serde_json::Value::Null => Some(RedisValue::Nil),
        serde_json::Value::String(s) => Some(RedisValue::Text(s.clone())),
        serde_json::Value::Number(n) => n.as_i64().map(RedisValue::Int),
        serde_json::Value::Array(items) => items
            .iter()
            .map(redis_value)
            .collect::<Option<Vec<_>>>()
            .map(RedisValue::Array),
        serde_json::Value::Bool(_) | serde_json::Value::Object(_) => None,
    }
}

/// The executor's reply (JSON text) as the protocol's; a reply of the
/// wrong shape is `Rejected`, which the protocol reports as
/// `store.unexpected_reply`.
fn reply_of(pending: Pending, json: Option<&str>) -> Reply {
    let value = match json.map(serde_json::from_str::<serde_json::Value>) {
        None => serde_json::Value::Null,
        Some(Ok(value)) => value,
        Some(Err(_)) => return Reply::Failed(Failure::Rejected),
    };
    let reply = match pending {
        Pending::Sql(Want::Count) => value
            .as_i64()
            .map(|n| Reply::Count(u64::try_from(n).unwrap_or(0))),
        Pending::Sql(Want::Row) => {
            if value.is_null() {
                Some(Reply::Row(None))
            } else {
                sql_row(&value).map(|r| Reply::Row(Some(r)))
            }
        }
        Pending::Sql(Want::Rows) => value
            .as_array()
            .and_then(|rows| rows.iter().map(sql_row).collect::<Option<Vec<_>>>())
            .map(Reply::Rows),
        Pending::Redis => redis_value(&value).map(Reply::Redis),
        Pending::Sleep => value.as_f64().map(|elapsed_ms| Reply::Slept { elapsed_ms }),
    };
    reply.unwrap_or(Reply::Failed(Failure::Rejected))
}

/// One store operation: run each command it names on the driver and pass
/// the reply back (`resume`) or say how it failed (`fail`), until it is
/// `done`; then read the result with the getter of its type.
#[napi]
pub struct StoreOperation {
    op: Operation<Out>,
    pending: Option<Pending>,
    result: Option<Out>,
}

fn wrong_result(env: &Env) -> Error {
    invalid_option(
        env,
        "result",
        "the result of a finished operation of this kind, read once",
    )
}

fn verification(v: Verification) -> CodeVerification {
    CodeVerification {
        ok: v.result.is_ok(),
        rejection: v.result.err().map(|r| Diagnostic::of(&r)),
        state: v.state.into(),
    }
}

fn session_status(status: CoreSessionStatus) -> SessionStatus {
    match status {
        CoreSessionStatus::Active(s) => SessionStatus {
            status: SessionStatusKind::Active,
            state: Some(s.into()),
        },
        CoreSessionStatus::IdleExpired => SessionStatus {
            status: SessionStatusKind::IdleExpired,
            state: None,
        },
        CoreSessionStatus::AbsoluteExpired => SessionStatus {
            status: SessionStatusKind::AbsoluteExpired,
            state: None,
        },
    }
}

impl StoreOperation {
    fn new(op: Operation<Out>) -> Self {
        Self {
            op,
            pending: None,
            result: None,
        }
    }

    fn step(&mut self, env: &Env, reply: Option<Reply>) -> Result<StoreCommand> {
        match self.op.resume(reply) {
            Poll::Done(Ok(out)) => {
                self.pending = None;
                self.result = Some(out);
                Ok(StoreCommand::of("done"))
            }
            Poll::Done(Err(err)) => {
                self.pending = None;
                Err(op_error(env, &err))
            }
            Poll::Send(command) => {
                let (pending, next) = match command {
                    Command::Sql { sql, params, want } => {
                        let kind = match want {
                            Want::Count => "count",
                            Want::Row => "row",
                            Want::Rows => "rows",
                        };
                        let mut next = StoreCommand::of(kind);
                        next.sql = Some(sql);
                        next.params = Some(params.into_iter().map(js_value).collect());
                        (Pending::Sql(want), next)
                    }
                    Command::RedisGet { key } => {
                        let mut next = StoreCommand::of("get");
                        next.key = Some(key);
                        (Pending::Redis, next)
                    }
                    Command::RedisCas { key, args } => {
                        let mut next = StoreCommand::of("cas");
                        next.key = Some(key);
                        next.args = Some(args.to_vec());
                        (Pending::Redis, next)
                    }
                    Command::Sleep { ms } => {
                        let mut next = StoreCommand::of("sleep");
                        next.ms = Some(ms);
                        (Pending::Sleep, next)
                    }
                    _ => return Err(Error::from_reason("unknown store command")),
                };
                self.pending = Some(pending);
                Ok(next)
            }
        }
    }

    fn take(&mut self, env: &Env) -> Result<Out> {
        self.result.take().ok_or_else(|| wrong_result(env))
    }

    /// Take the result if `pick` accepts it (else leave it and throw).
    fn pick<T>(
        &mut self,
        env: &Env,
        pick: impl FnOnce(Out) -> std::result::Result<T, Out>,
    ) -> Result<T> {
        match pick(self.take(env)?) {
            Ok(value) => Ok(value),
            Err(out) => {
                self.result = Some(out);
                Err(wrong_result(env))
            }
        }
    }
}

fn op_error(env: &Env, err: &OpError) -> Error {
    coded_error(env, err.coded())
}

#[napi]
impl StoreOperation {
    /// Start (no reply) or pass the reply to the last command as JSON text
    /// (a count, a row array or null, an array of rows, a Redis reply, or
    /// the ms elapsed after a sleep); the next command. Throws the
    /// operation's coded error.
    #[napi]
    pub fn resume(&mut self, env: &Env, reply: Option<String>) -> Result<StoreCommand> {
        let reply = self.pending.map(|p| reply_of(p, reply.as_deref()));
        self.step(env, reply)
    }

    /// The last command failed: `'conflict'` (lost a race),
    /// `'missing_table'`, `'rejected'` (the server refused the data),
    /// `'unreachable'` (no connection: nothing was sent) or
    /// `'unavailable'` (the connection failed after sending; a write's
    /// outcome is then unknown). The next command.
    #[napi]
    pub fn fail(
        &mut self,
        env: &Env,
        #[napi(
            ts_arg_type = "'conflict' | 'missing_table' | 'rejected' | 'unreachable' | 'unavailable'"
        )]
        failure: String,
    ) -> Result<StoreCommand> {
        let failure = match failure.as_str() {
            "conflict" => Failure::Conflict,
            "missing_table" => Failure::MissingTable,
            "rejected" => Failure::Rejected,
            "unreachable" => Failure::Unreachable,
            _ => Failure::Unavailable,
        };
        self.step(env, Some(Reply::Failed(failure)))
    }

    /// Compare-and-set attempts this operation lost.
    #[napi(getter)]
    pub fn conflicts(&self) -> u32 {
        self.op.conflicts()
    }

    /// Replies passed back so far (round trips and sleeps).
    #[napi(getter)]
    pub fn replies(&self) -> u32 {
        self.op.replies()
    }

    /// `lockoutAdmit`: the text stored on admission (the settle's
    /// compare-and-set token), or null when refused. Read it before
    /// `admitResult()`.
    #[napi]
    pub fn admit_stored(&self, env: &Env) -> Result<Option<String>> {
        match &self.result {
            Some(Out::Admit(Admit::Admitted { stored, .. })) => Ok(Some(stored.clone())),
            Some(Out::Admit(Admit::Locked(_))) => Ok(None),
            _ => Err(wrong_result(env)),
        }
    }

    /// `lockoutAdmit`: the admission, or the refusal (`allowed: false`).
    #[napi]
    pub fn admit_result(&mut self, env: &Env) -> Result<Either<LockoutAdmission, LockoutDecision>> {
        self.pick(env, |out| match out {
            Out::Admit(Admit::Admitted { admission, .. }) => {
                Ok(Either::A(LockoutAdmission::new(admission)))
            }
            Out::Admit(Admit::Locked(refusal)) => Ok(Either::B(locked_decision(
                &refusal.locked,
                refusal.new_state,
            ))),
            other => Err(other),
        })
    }

    /// `lockoutSettle`, `lockoutState`: the state.
    #[napi]
    pub fn lockout_result(&mut self, env: &Env) -> Result<LockoutState> {
        self.pick(env, |out| match out {
            Out::Lockout(state) => Ok(state.into()),
            other => Err(other),
        })
    }

    /// `codeIssue`: the code to send and the state stored.
    #[napi]
    pub fn issued_result(&mut self, env: &Env) -> Result<IssuedCode> {
        self.pick(env, |out| match out {
            Out::Issued((state, code)) => Ok(IssuedCode {
                code: code.as_str().to_owned(),
                state: state.into(),
            }),
            other => Err(other),
        })
    }

    /// `codeVerify`: the verification stored, or null when no code is stored.
    #[napi]
    pub fn verify_result(&mut self, env: &Env) -> Result<Option<CodeVerification>> {
        self.pick(env, |out| match out {
            Out::Verified(v) => Ok(v.map(verification)),
            other => Err(other),
        })
    }

    /// `codeState`: the stored state, if any.
    #[napi]
    pub fn code_state_result(&mut self, env: &Env) -> Result<Option<CodeState>> {
        self.pick(env, |out| match out {
            Out::Code(state) => Ok(state.map(Into::into)),
            other => Err(other),
        })
    }

    /// `sessionStart`: the session stored.
    #[napi]
    pub fn session_result(&mut self, env: &Env) -> Result<SessionState> {
        self.pick(env, |out| match out {
            Out::Session(state) => Ok(state.into()),
            other => Err(other),
        })
    }

    /// `sessionTouch`: the status, or null for an unknown or revoked session.
    #[napi]
    pub fn touch_result(&mut self, env: &Env) -> Result<Option<SessionStatus>> {
        self.pick(env, |out| match out {
            Out::Touch(status) => Ok(status.map(session_status)),
            other => Err(other),
        })
    }

    /// `lockoutReset`, `sessionRevoke`: whether something was stored.
    #[napi]
    pub fn bool_result(&mut self, env: &Env) -> Result<bool> {
        self.pick(env, |out| match out {
            Out::Bool(b) => Ok(b),
            other => Err(other),
        })
    }

    /// `migrate`, `schemaVersion`: the version; `purgeExpired`: rows deleted.
    #[napi]
    pub fn number_result(&mut self, env: &Env) -> Result<f64> {
        self.pick(env, |out| match out {
            Out::Version(v) => Ok(f64::from(v)),
            #[allow(clippy::cast_precision_loss)]
            Out::Count(n) => Ok(n as f64),
            other => Err(other),
        })
    }

    /// `ledgerIssue`: the plan stored.
    #[napi]
    pub fn plan_result(&mut self, env: &Env) -> Result<IssuancePlan> {
        self.pick(env, |out| match out {
            Out::Plan(plan) => Ok((&plan).into()),
            other => Err(other),
        })
    }

    /// `ledgerRebind`: the audit record stored.
    #[napi]
    pub fn rebind_result(&mut self, env: &Env) -> Result<RebindRecord> {
        self.pick(env, |out| match out {
            Out::Rebind(r) => Ok(rebind_record(&r)),
            other => Err(other),
        })
    }

    /// `ledgerBindings`: the bindings, by activation number.
    #[napi]
    pub fn bindings_result(&mut self, env: &Env) -> Result<Vec<Binding>> {
        self.pick(env, |out| match out {
            Out::Bindings(bs) => Ok(bs.iter().map(Into::into).collect()),
            other => Err(other),
        })
    }

    /// `ledgerRebinds`: the audit trail, in order.
    #[napi]
    pub fn rebinds_result(&mut self, env: &Env) -> Result<Vec<RebindRecord>> {
        self.pick(env, |out| match out {
            Out::Rebinds(rs) => Ok(rs.iter().map(rebind_record).collect()),
            other => Err(other),
        })
    }

    /// `ledgerHistory`: the rows.
    #[napi]
    pub fn history_result(&mut self, env: &Env) -> Result<Vec<HistoryRow>> {
        self.pick(env, |out| match out {
            Out::History(report) => Ok(history_rows(&report)),
            other => Err(other),
        })
    }

    /// `ledgerHistory`: core's CSV of the report.
    #[napi]
    pub fn history_csv_result(&mut self, env: &Env) -> Result<String> {
        self.pick(env, |out| match out {
            Out::History(report) => Ok(report.to_csv()),
            other => Err(other),
        })
    }

    /// `ledgerDailyCounts`: issues per day.
    #[napi]
    pub fn daily_result(&mut self, env: &Env) -> Result<Vec<DailyCount>> {
        self.pick(env, |out| match out {
            Out::Daily(report) => Ok(daily_rows(&report)),
            other => Err(other),
        })
    }
}

/// The store protocol of one store: its dialect (or Redis), table or key
/// prefix and retry policy. Each method checks its input (`store.invalid_key`,
/// `store.unsupported`, … before any I/O) and returns the operation to drive.
#[napi]
pub struct StoreProtocol {
    protocol: Protocol,
}

fn wrap<T: Send + 'static>(
    env: &Env,
    op: std::result::Result<Operation<T>, StoreError>,
    out: fn(T) -> Out,
) -> Result<StoreOperation> {
    Ok(StoreOperation::new(op.or_throw(env)?.map(out)))
}

/// A fresh jitter seed from the OS (one per operation).
fn seed(env: &Env) -> Result<u64> {
    let bytes = random_bytes(8).or_throw(env)?;
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&bytes);
    Ok(u64::from_le_bytes(seed))
}

#[napi]
impl StoreProtocol {
    /// The protocol of a `store` (`'sqlite'` with `?` parameters,
    /// `'postgres'` with `$1…` parameters as `pg` wants them, or `'redis'`)
    /// with tables or keys under `prefix` and the retry policy. Throws
    /// `store.invalid_prefix`, `store.invalid_option` (naming the option) or
    /// `binding.unknown_name`.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        #[napi(ts_arg_type = "'sqlite' | 'postgres' | 'redis'")] store: JsString,
        prefix: JsString,
        retry: StoreRetryOptions,
    ) -> Result<Self> {
        let store = store.text(env, "store")?;
        #[derive(Clone, Copy)]
        enum Kind {
            Sqlite,
            Postgres,
            Redis,
        }
        let kind = name_in(
            env,
            "store",
            &store,
            &[
                ("sqlite", Kind::Sqlite),
                ("postgres", Kind::Postgres),
                ("redis", Kind::Redis),
            ],
        )?;
        let prefix = prefix.into_text("prefix").map_err(|_| {
            coded_error(
                env,
                &StoreError::InvalidPrefix {
                    prefix: String::new(),
                },
            )
        })?;
        let prefix = Prefix::new(&prefix).or_throw(env)?;
        let retry = retry_policy(env, &retry)?;
        let protocol = match kind {
            Kind::Sqlite => Protocol::sql(Dialect::Sqlite, Placeholder::Question, prefix, retry),
            Kind::Postgres => Protocol::sql(Dialect::Postgres, Placeholder::Dollar, prefix, retry),
            Kind::Redis => Protocol::redis(prefix, retry),
        };
        Ok(Self { protocol })
    }

    /// The store's name in errors (`sqlite`, `postgres`, `redis`).
    #[napi(getter)]
    pub fn store(&self) -> String {
        self.protocol.store_name().to_owned()
    }

    /// The table or key prefix.
    #[napi(getter)]
    pub fn prefix(&self) -> String {
        self.protocol.prefix().as_str().to_owned()
    }

    /// Admit an attempt on `key` (its failure stored first) or refuse it.
    #[napi]
    pub fn lockout_admit(
        &self,
        env: &Env,
        key: JsString,
        policy: &LockoutPolicy,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let key = key.text(env, "key")?;
        let op = self
            .protocol
            .lockout_admit(&key, &policy.inner, clock(now), seed(env)?);
        wrap(env, op, Out::Admit)
    }

    /// Settle a right password: `success` from the admission, `admitted`
    /// the text its admission stored (`admitStored()`).
    #[napi]
    pub fn lockout_settle(
        &self,
        env: &Env,
        key: JsString,
        policy: &LockoutPolicy,
        success: &LockoutSuccess,
        admitted: JsString,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let key = key.text(env, "key")?;
        let admitted = admitted.text(env, "admitted")?;
        let op = self.protocol.lockout_settle(
            &key,
            &policy.inner,
            success.inner,
            &admitted,
            clock(now),
            seed(env)?,
        );
        wrap(env, op, Out::Lockout)
    }

    /// Forget the lockout state of `key`; true if one was stored.
    #[napi]
    pub fn lockout_reset(&self, env: &Env, key: JsString) -> Result<StoreOperation> {
        let key = key.text(env, "key")?;
        wrap(
            env,
            self.protocol.lockout_reset(&key, seed(env)?),
            Out::Bool,
        )
    }

    /// The stored lockout state of `key`.
    #[napi]
    pub fn lockout_state(&self, env: &Env, key: JsString) -> Result<StoreOperation> {
        let key = key.text(env, "key")?;
        wrap(env, self.protocol.lockout_state(&key), Out::Lockout)
    }

    /// Issue the next code for (policy's purpose, subject).
    #[napi]
    pub fn code_issue(
        &self,
        env: &Env,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: JsString,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let subject = subject.text(env, "subject")?;
        let op = self.protocol.code_issue(
            &policy.inner,
            &secret.inner,
            &subject,
            clock(now),
            seed(env)?,
        );
        wrap(env, op, Out::Issued)
    }

    /// Verify a typed code and record the outcome.
    #[napi]
    pub fn code_verify(
        &self,
        env: &Env,
        policy: &CodePolicy,
        secret: &CodeSecret,
        subject: JsString,
        typed: JsString,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let subject = subject.text(env, "subject")?;
        let typed = zeroize::Zeroizing::new(typed.text(env, "typed")?);
        let op = self.protocol.code_verify(
            &policy.inner,
            &secret.inner,
            &subject,
            &typed,
            clock(now),
            seed(env)?,
        );
        wrap(env, op, Out::Verified)
    }

    /// The stored code state of (purpose, subject).
    #[napi]
    pub fn code_state(
        &self,
        env: &Env,
        purpose: JsString,
        subject: JsString,
    ) -> Result<StoreOperation> {
        let purpose = purpose.text(env, "purpose")?;
        let subject = subject.text(env, "subject")?;
        wrap(env, self.protocol.code_state(&purpose, &subject), Out::Code)
    }

    /// Start a session under `sessionId`.
    #[napi]
    pub fn session_start(
        &self,
        env: &Env,
        session_id: JsString,
        policy: &SessionPolicy,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let id = session_id.text(env, "sessionId")?;
        let op = self
            .protocol
            .session_start(&id, &policy.inner, clock(now), seed(env)?);
        wrap(env, op, Out::Session)
    }

    /// Renew a session on activity (an expired one is deleted).
    #[napi]
    pub fn session_touch(
        &self,
        env: &Env,
        session_id: JsString,
        policy: &SessionPolicy,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let id = session_id.text(env, "sessionId")?;
        let op = self
            .protocol
            .session_touch(&id, &policy.inner, clock(now), seed(env)?);
        wrap(env, op, Out::Touch)
    }

    /// End a session; true if it existed.
    #[napi]
    pub fn session_revoke(&self, env: &Env, session_id: JsString) -> Result<StoreOperation> {
        let id = session_id.text(env, "sessionId")?;
        wrap(
            env,
            self.protocol.session_revoke(&id, seed(env)?),
            Out::Bool,
        )
    }

    /// Apply the migrations not yet applied (SQL stores).
    #[napi]
    pub fn migrate(&self, env: &Env) -> Result<StoreOperation> {
        wrap(env, self.protocol.migrate(seed(env)?), Out::Version)
    }

    /// The applied schema version (SQL stores).
    #[napi]
    pub fn schema_version(&self, env: &Env) -> Result<StoreOperation> {
        wrap(env, self.protocol.schema_version(), Out::Version)
    }

    /// Delete rows that no longer matter (SQL stores).
    #[napi]
    pub fn purge_expired(&self, env: &Env, now: Option<Date>) -> Result<StoreOperation> {
        let op = self.protocol.purge_expired(clock(now), seed(env)?);
        wrap(env, op, Out::Count)
    }

    /// Plan with core and bind (SQL stores).
    #[napi]
    pub fn ledger_issue(
        &self,
        env: &Env,
        master: &MasterSecret,
        request: &IssuanceRequest,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let op = self
            .protocol
            .ledger_issue(&master.inner, &request.inner, clock(now), seed(env)?);
        wrap(env, op, Out::Plan)
    }

    /// Audited administrative rebind (SQL stores).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn ledger_rebind(
        &self,
        env: &Env,
        master: &MasterSecret,
        number: Either<&ActivationNumber, JsString>,
        to: Either<&MprId, JsString>,
        actor: JsString,
        reason: JsString,
        now: Option<Date>,
    ) -> Result<StoreOperation> {
        let number = number_arg(env, "number", number)?;
        let to = mpr_arg(env, "to", to)?;
        let actor = actor.text(env, "actor")?;
        let reason = reason.text(env, "reason")?;
        let op = self.protocol.ledger_rebind(
            &master.inner,
            number,
            to,
            &actor,
            &reason,
            clock(now),
            seed(env)?,
        );
        wrap(env, op, Out::Rebind)
    }

    /// Bindings: all, one terminal's (`mprId`), or one number's.
    #[napi]
    pub fn ledger_bindings(
        &self,
        env: &Env,
        mpr_id: Option<Either<&MprId, JsString>>,
        activation_number: Option<Either<&ActivationNumber, JsString>>,
    ) -> Result<StoreOperation> {
        let filter = match (mpr_id, activation_number) {
            (Some(m), _) => LedgerFilter::MprId(mpr_arg(env, "mprId", m)?),
            (None, Some(n)) => LedgerFilter::ActivationNumber(number_arg(env, "number", n)?),
            (None, None) => LedgerFilter::All,
        };
        wrap(env, self.protocol.ledger_bindings(filter), Out::Bindings)
    }

    /// The rebind audit trail (SQL stores).
    #[napi]
    pub fn ledger_rebinds(&self, env: &Env) -> Result<StoreOperation> {
        wrap(env, self.protocol.ledger_rebinds(), Out::Rebinds)
    }

    /// Detail history over optional days in the report's UTC offset.
    #[napi]
    pub fn ledger_history(
        &self,
        env: &Env,
        options: Option<ReportOptions>,
    ) -> Result<StoreOperation> {
        let (range, offset) = report_args(env, options)?;
        wrap(
            env,
            self.protocol.ledger_history(range, offset),
            Out::History,
        )
    }

    /// Issues per calendar day in the report's UTC offset.
    #[napi]
    pub fn ledger_daily_counts(
        &self,
        env: &Env,
        options: Option<ReportOptions>,
    ) -> Result<StoreOperation> {
        let (range, offset) = report_args(env, options)?;
        wrap(
            env,
            self.protocol.ledger_daily_counts(range, offset),
            Out::Daily,
        )
    }
}
