//! The store protocol (`regcore-store`) for the Python executors in
//! `regcore.store`: a `StoreProtocol` per store hands out `StoreOperation`s,
//! state machines the executor drives (`resume(reply)` / `fail(kind)` give
//! the next command as a tuple). Conversions only: every statement, key,
//! TTL, retry and rule is the protocol's. No I/O happens here.

use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};
use regcore::code::{CodeState, OneTimeCode, Verification};
use regcore::ids::{ActivationNumber, MprId};
use regcore::ledger::{DailyReport, HistoryReport, RebindRecord};
use regcore::lockout::LockoutState;
use regcore::pairing::{Binding, IssuancePlan};
use regcore::session::{SessionState, SessionStatus};
use regcore::{BoundaryError, ErrorKind};
use regcore_store::{
    Admit, Clock, Command, Dialect, Failure, Jitter, LedgerFilter, OpError, Operation, Placeholder,
    Poll, Prefix, Protocol, RedisValue, Reply, RetryPolicy, StoreError, Value, Want, redis, schema,
};

use crate::errors::{IntoPyResult, Text, coded_err, int_arg};
use crate::keys::PyMasterSecret;
use crate::lockout::{
    PyLockoutPolicy, PyLockoutState, PyLockoutSuccess, admission_object, refusal_object,
};
use crate::otp::{
    PyCodePolicy, PyCodeState, PyCodeVerification, PyOneTimeCode, PySessionPolicy, PySessionState,
    PySessionTouch, SecretArg,
};
use crate::pairing::{
    PyBinding, PyDailyReport, PyHistoryReport, PyIssuancePlan, PyIssuanceRequest, PyRebindRecord,
    date_range,
};
use crate::time::{Aware, Delta};

fn store_error(py: Python<'_>, err: &StoreError) -> Py<PyAny> {
    coded_err(err).into_value(py).into_any()
}

/// `store.contended`: the exception (returned, not raised).
#[pyfunction]
fn store_contended(py: Python<'_>, operation: Text, attempts: u32) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Contended {
            operation: operation.0,
            attempts,
        },
    )
}

/// `store.unsupported`: the exception (returned, not raised).
#[pyfunction]
fn store_unsupported(py: Python<'_>, store: Text, feature: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Unsupported {
            store: store.0,
            feature: feature.0,
        },
    )
}

/// `store.invalid_prefix`: the exception (returned, not raised).
#[pyfunction]
fn store_invalid_prefix(py: Python<'_>, prefix: Text) -> Py<PyAny> {
    let clipped: String = prefix.0.chars().take(64).collect();
    store_error(py, &StoreError::InvalidPrefix { prefix: clipped })
}

/// `store.unavailable`: the exception (returned, not raised).
#[pyfunction]
fn store_unavailable(py: Python<'_>, store: Text, operation: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Unavailable {
            store: store.0,
            operation: operation.0,
        },
    )
}

/// `store.driver_missing`: the exception (returned, not raised).
#[pyfunction]
fn store_driver_missing(py: Python<'_>, driver: Text, extra: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::DriverMissing {
            driver: driver.0,
            extra: extra.0,
        },
    )
}

/// `store.schema_mismatch`: the exception (returned, not raised).
#[pyfunction]
fn store_schema_mismatch(py: Python<'_>, found: u32, expected: u32) -> Py<PyAny> {
    store_error(py, &StoreError::SchemaMismatch { found, expected })
}

/// `store.transaction_open`: the exception (returned, not raised).
#[pyfunction]
fn store_transaction_open(py: Python<'_>, store: Text) -> Py<PyAny> {
    store_error(py, &StoreError::TransactionOpen { store: store.0 })
}

/// `store.invalid_client`: the exception (returned, not raised).
#[pyfunction]
fn store_invalid_client(py: Python<'_>, store: Text, expected: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::InvalidClient {
            store: store.0,
            expected: expected.0,
        },
    )
}

/// `store.invalid_admission`: the exception (returned, not raised).
#[pyfunction]
fn store_invalid_admission(py: Python<'_>) -> Py<PyAny> {
    store_error(py, &StoreError::InvalidAdmission)
}

/// `store.invalid_prefix` unless `prefix` is 1-32 of `a-z 0-9 _` starting
/// with a letter.
#[pyfunction]
fn check_store_prefix(prefix: &Bound<'_, PyAny>) -> PyResult<()> {
    let text = prefix.extract::<Text>().map_err(|_| {
        coded_err(&StoreError::InvalidPrefix {
            prefix: prefix.repr().map(|r| r.to_string()).unwrap_or_default(),
        })
    })?;
    StoreError::check_prefix(&text).py()
}

/// The SQL migrations, `(version, sql)` in order; `{prefix}` stands for
/// the table prefix.
#[pyfunction]
fn sql_migrations() -> Vec<(u32, &'static str)> {
    schema::MIGRATIONS.to_vec()
}

/// `binding.unknown_name` for a message language (used by `RegcoreError.message`).
#[pyfunction]
fn unknown_language_error(py: Python<'_>, lang: Text) -> Py<PyAny> {
    coded_err(&BoundaryError::unknown_name("lang", &lang, &["en", "ja"]))
        .into_value(py)
        .into_any()
}

/// A timezone-aware datetime as UTC (millisecond-exact as given); a naive
/// one is core's `time.naive_datetime`, as everywhere in regcore.
#[pyfunction]
fn aware_utc(value: crate::time::Aware) -> crate::time::Utc_ {
    crate::time::Utc_(value.0)
}

/// Every error kind core defines, in core's order.
#[pyfunction]
fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// What an operation returns, before conversion to Python.
enum Out {
    Admit(Admit),
    Lockout(LockoutState),
    Issued((CodeState, OneTimeCode)),
    Verified(Option<Verification>),
    Code(Option<CodeState>),
    Session(SessionState),
    Touch(Option<SessionStatus>),
    Bool(bool),
    Version(u32),
    Count(u64),
    Plan(IssuancePlan),
    Rebind(RebindRecord),
    Bindings(Vec<Binding>),
    Rebinds(Vec<RebindRecord>),
    History(HistoryReport),
    Daily(DailyReport),
}

impl Out {
    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Self::Admit(Admit::Admitted { admission, stored }) => {
                (admission_object(py, admission)?, stored)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind()
            }
            Self::Admit(Admit::Locked(refusal)) => refusal_object(py, refusal)?,
            Self::Lockout(state) => Py::new(py, PyLockoutState(state))?.into_any(),
            Self::Issued((state, code)) => (PyCodeState(state), PyOneTimeCode(code))
                .into_pyobject(py)?
                .into_any()
                .unbind(),
            Self::Verified(v) => v
                .map(PyCodeVerification)
                .into_pyobject(py)?
                .into_any()
                .unbind(),
            Self::Code(c) => c.map(PyCodeState).into_pyobject(py)?.into_any().unbind(),
            Self::Session(s) => Py::new(py, PySessionState(s))?.into_any(),
            Self::Touch(t) => t.map(PySessionTouch).into_pyobject(py)?.into_any().unbind(),
            Self::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
            Self::Version(v) => v.into_pyobject(py)?.into_any().unbind(),
            Self::Count(n) => n.into_pyobject(py)?.into_any().unbind(),
            Self::Plan(p) => Py::new(py, PyIssuancePlan(p))?.into_any(),
            Self::Rebind(r) => Py::new(py, PyRebindRecord(r))?.into_any(),
            Self::Bindings(bs) => {
                let items: Vec<PyBinding> = bs.into_iter().map(PyBinding).collect();
                items.into_pyobject(py)?.into_any().unbind()
            }
            Self::Rebinds(rs) => {
                let items: Vec<PyRebindRecord> = rs.into_iter().map(PyRebindRecord).collect();
                items.into_pyobject(py)?.into_any().unbind()
            }
            Self::History(h) => Py::new(py, PyHistoryReport(h))?.into_any(),
            Self::Daily(d) => Py::new(py, PyDailyReport(d))?.into_any(),
        })
    }
}

/// What the last command expects as its reply.
#[derive(Clone, Copy)]
enum Pending {
    Sql(Want),
    Redis,
    Sleep,
}

struct Running {
    op: Operation<Out>,
    pending: Option<Pending>,
}

/// `regcore._native.StoreOperation`: one store operation; the executor
/// runs each command it names and passes back the reply.
#[pyclass(frozen, name = "StoreOperation", module = "regcore")]
pub struct PyStoreOperation(Mutex<Running>);

fn value_of(obj: &Bound<'_, PyAny>) -> Option<Value> {
    if obj.is_none() {
        return Some(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().ok().map(|t| Value::Text(t.to_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok().map(Value::Int);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes())
            .ok()
            .map(|t| Value::Text(t.to_owned()));
    }
    None
}

fn row_of(obj: &Bound<'_, PyAny>) -> Option<Vec<Value>> {
    obj.try_iter()
        .ok()?
        .map(|item| item.ok().and_then(|v| value_of(&v)))
        .collect()
}

fn redis_of(obj: &Bound<'_, PyAny>) -> Option<RedisValue> {
    if obj.is_none() {
        return Some(RedisValue::Nil);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_str().ok().map(|t| RedisValue::Text(t.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes())
            .ok()
            .map(|t| RedisValue::Text(t.to_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok().map(RedisValue::Int);
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: Option<Vec<RedisValue>> = obj
            .try_iter()
            .ok()?
            .map(|item| item.ok().and_then(|v| redis_of(&v)))
            .collect();
        return items.map(RedisValue::Array);
    }
    None
}

/// The executor's reply as the protocol's (a reply of the wrong shape is
/// `Rejected`: the protocol reports `store.unexpected_reply`).
fn reply_of(pending: Pending, obj: &Bound<'_, PyAny>) -> Reply {
    let reply = match pending {
        Pending::Sql(Want::Count) => obj
            .extract::<i64>()
            .ok()
            .map(|n| Reply::Count(u64::try_from(n).unwrap_or(0))),
        Pending::Sql(Want::Row) => {
            if obj.is_none() {
                Some(Reply::Row(None))
            } else {
                row_of(obj).map(|r| Reply::Row(Some(r)))
            }
        }
        Pending::Sql(Want::Rows) => obj.try_iter().ok().and_then(|rows| {
            rows.map(|r| r.ok().and_then(|r| row_of(&r)))
                .collect::<Option<Vec<_>>>()
                .map(Reply::Rows)
        }),
        Pending::Redis => redis_of(obj).map(Reply::Redis),
        Pending::Sleep => obj
            .cast::<PyFloat>()
            .ok()
            .map(|f| f.value())
            .or_else(|| obj.extract::<f64>().ok())
            .map(|secs| Reply::Slept {
                elapsed_ms: secs * 1000.0,
            }),
    };
    reply.unwrap_or(Reply::Failed(Failure::Rejected))
}

fn op_error(err: &OpError) -> PyErr {
    coded_err(err.coded())
}

impl PyStoreOperation {
    fn new(op: Operation<Out>) -> Self {
        Self(Mutex::new(Running { op, pending: None }))
    }

    fn step(&self, py: Python<'_>, reply: Option<Reply>) -> PyResult<Py<PyAny>> {
        let mut running = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let poll = running.op.resume(reply);
        match poll {
            Poll::Done(Ok(out)) => {
                running.pending = None;
                let value = out.into_py(py)?;
                Ok(("done", value).into_pyobject(py)?.into_any().unbind())
            }
            Poll::Done(Err(err)) => {
                running.pending = None;
                Err(op_error(&err))
            }
            Poll::Send(command) => {
                let (pending, tuple) = match command {
                    Command::Sql { sql, params, want } => {
                        let kind = match want {
                            Want::Count => "count",
                            Want::Row => "row",
                            Want::Rows => "rows",
                        };
                        let values: Vec<Py<PyAny>> = params
                            .into_iter()
                            .map(|v| -> PyResult<Py<PyAny>> {
                                Ok(match v {
                                    Value::Null => py.None(),
                                    Value::Int(n) => n.into_pyobject(py)?.into_any().unbind(),
                                    Value::Text(t) => t.into_pyobject(py)?.into_any().unbind(),
                                })
                            })
                            .collect::<PyResult<_>>()?;
                        let params = PyTuple::new(py, values)?;
                        (
                            Pending::Sql(want),
                            (kind, sql, params).into_pyobject(py)?.into_any().unbind(),
                        )
                    }
                    Command::RedisGet { key } => (
                        Pending::Redis,
                        ("get", key).into_pyobject(py)?.into_any().unbind(),
                    ),
                    Command::RedisCas { key, args } => {
                        let [expected, new, ttl, now, tolerance] = args;
                        (
                            Pending::Redis,
                            ("cas", key, (expected, new, ttl, now, tolerance))
                                .into_pyobject(py)?
                                .into_any()
                                .unbind(),
                        )
                    }
                    Command::Sleep { ms } => (
                        Pending::Sleep,
                        ("sleep", ms / 1000.0)
                            .into_pyobject(py)?
                            .into_any()
                            .unbind(),
                    ),
                    _ => return Err(PyRuntimeError::new_err("unknown store command")),
                };
                running.pending = Some(pending);
                Ok(tuple)
            }
        }
    }
}

#[pymethods]
impl PyStoreOperation {
    /// Start (`reply` None) or pass the reply to the last command; the next
    /// command as a tuple (`("count"|"row"|"rows", sql, params)`, `("get",
    /// key)`, `("cas", key, args)`, `("sleep", seconds)`) or `("done",
    /// value)`. Raises the operation's coded error.
    #[pyo3(signature = (reply = None))]
    fn resume(&self, py: Python<'_>, reply: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let pending = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pending;
        let reply = match (pending, reply) {
            (None, _) => None,
            (Some(p), Some(obj)) => Some(reply_of(p, obj)),
            (Some(Pending::Sql(Want::Row)), None) => Some(Reply::Row(None)),
            (Some(Pending::Redis), None) => Some(Reply::Redis(RedisValue::Nil)),
            (Some(_), None) => Some(Reply::Failed(Failure::Rejected)),
        };
        self.step(py, reply)
    }

    /// The last command failed: `"conflict"` (lost a race), `"missing_table"`,
    /// `"rejected"` (the server refused the data), `"unreachable"` (no
    /// connection: nothing was sent) or `"unavailable"` (the connection
    /// failed after sending; a write's outcome is then unknown).
    fn fail(&self, py: Python<'_>, failure: &str) -> PyResult<Py<PyAny>> {
        let failure = match failure {
            "conflict" => Failure::Conflict,
            "missing_table" => Failure::MissingTable,
            "rejected" => Failure::Rejected,
            "unreachable" => Failure::Unreachable,
            _ => Failure::Unavailable,
        };
        self.step(py, Some(Reply::Failed(failure)))
    }

    /// Compare-and-set attempts this operation lost.
    #[getter]
    fn conflicts(&self) -> u32 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .op
            .conflicts()
    }

    /// Replies passed back so far (round trips and sleeps).
    #[getter]
    fn replies(&self) -> u32 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .op
            .replies()
    }
}

/// `regcore._native.StoreProtocol`: the store protocol of one store.
#[pyclass(frozen, name = "StoreProtocol", module = "regcore")]
pub struct PyStoreProtocol {
    protocol: Protocol,
    seeds: Mutex<Jitter>,
}

fn seconds_option(name: &str, value: &Bound<'_, PyAny>) -> PyResult<f64> {
    let bad = || {
        coded_err(&StoreError::InvalidOption {
            name: name.to_owned(),
            expected: "a number of seconds".to_owned(),
        })
    };
    if value.is_instance_of::<PyBool>() {
        return Err(bad());
    }
    if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        return value
            .extract::<f64>()
            .map(|s| s * 1000.0)
            .map_err(|_| bad());
    }
    Err(bad())
}

/// `now` given: the caller's clock, used as given. None: the store
/// server's clock, starting from `local` (the application's reading;
/// default the system clock); see `regcore_store::Clock`.
fn clock(now: Option<Aware>, local: Option<Aware>) -> Clock {
    match now {
        Some(now) => Clock::Caller(now.0),
        None => Clock::Server(crate::time::now_or_system(local)),
    }
}

fn offset_of(offset: Option<Delta>) -> PyResult<chrono::FixedOffset> {
    let Some(Delta(delta)) = offset else {
        return regcore_store::utc_offset(0).py();
    };
    if delta.subsec_nanos() != 0 {
        return Err(coded_err(&StoreError::InvalidUtcOffset {
            seconds: delta.num_seconds(),
        }));
    }
    regcore_store::utc_offset(delta.num_seconds()).py()
}

impl PyStoreProtocol {
    fn seed(&self) -> u64 {
        self.seeds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_u64()
    }

    fn wrap<T: Send + 'static>(
        op: Result<Operation<T>, StoreError>,
        out: fn(T) -> Out,
    ) -> PyResult<PyStoreOperation> {
        Ok(PyStoreOperation::new(op.py()?.map(out)))
    }
}

#[pymethods]
impl PyStoreProtocol {
    /// The protocol of a `store` (`"sqlite"`, `"postgres"` with psycopg's
    /// `%s` parameters, or `"redis"`) with tables or keys under `prefix`
    /// and the retry policy (deadline and delays in seconds).
    #[new]
    #[pyo3(signature = (store, prefix, *, attempts, deadline, base_delay, max_delay))]
    fn new(
        py: Python<'_>,
        store: &str,
        prefix: &Bound<'_, PyAny>,
        attempts: &Bound<'_, PyAny>,
        deadline: &Bound<'_, PyAny>,
        base_delay: &Bound<'_, PyAny>,
        max_delay: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        check_store_prefix(prefix)?;
        let prefix = Prefix::new(&prefix.extract::<Text>()?).py()?;
        let attempts = int_arg::<u32>(attempts, "attempts").map_err(|_| {
            coded_err(&StoreError::InvalidOption {
                name: "attempts".to_owned(),
                expected: "an integer from 1 to 100000".to_owned(),
            })
        })?;
        let retry = RetryPolicy::new(
            attempts,
            seconds_option("deadline", deadline)?,
            seconds_option("base_delay", base_delay)?,
            seconds_option("max_delay", max_delay)?,
        )
        .py()?;
        let protocol = match store {
            "sqlite" => Protocol::sql(Dialect::Sqlite, Placeholder::Question, prefix, retry),
            "postgres" => Protocol::sql(Dialect::Postgres, Placeholder::Percent, prefix, retry),
            _ => Protocol::redis(prefix, retry),
        };
        let seed: [u8; 8] = crate::random::os_bytes(py, 8)?
            .try_into()
            .map_err(|_| PyRuntimeError::new_err("os.urandom returned the wrong length"))?;
        Ok(Self {
            protocol,
            seeds: Mutex::new(Jitter::new(u64::from_le_bytes(seed))),
        })
    }

    /// The store's name in errors.
    #[getter]
    fn store(&self) -> &'static str {
        self.protocol.store_name()
    }

    /// The table or key prefix.
    #[getter]
    fn prefix(&self) -> String {
        self.protocol.prefix().as_str().to_owned()
    }

    #[pyo3(signature = (key, policy, now = None, local = None))]
    fn lockout_admit(
        &self,
        key: Text,
        policy: &PyLockoutPolicy,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        Self::wrap(
            self.protocol
                .lockout_admit(&key, &policy.0, clock(now, local), self.seed()),
            Out::Admit,
        )
    }

    #[pyo3(signature = (key, policy, success, admitted, now = None, local = None))]
    fn lockout_settle(
        &self,
        key: Text,
        policy: &PyLockoutPolicy,
        success: &PyLockoutSuccess,
        admitted: Text,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op = self.protocol.lockout_settle(
            &key,
            &policy.0,
            success.0,
            &admitted,
            clock(now, local),
            self.seed(),
        );
        Self::wrap(op, Out::Lockout)
    }

    fn lockout_reset(&self, key: Text) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.lockout_reset(&key, self.seed()), Out::Bool)
    }

    fn lockout_state(&self, key: Text) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.lockout_state(&key), Out::Lockout)
    }

    #[pyo3(signature = (policy, secret, subject, now = None, local = None))]
    fn code_issue(
        &self,
        policy: &PyCodePolicy,
        secret: SecretArg,
        subject: Text,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op = self.protocol.code_issue(
            &policy.0,
            &secret.0,
            &subject,
            clock(now, local),
            self.seed(),
        );
        Self::wrap(op, Out::Issued)
    }

    #[pyo3(signature = (policy, secret, subject, typed, now = None, local = None))]
    fn code_verify(
        &self,
        policy: &PyCodePolicy,
        secret: SecretArg,
        subject: Text,
        typed: Text,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op = self.protocol.code_verify(
            &policy.0,
            &secret.0,
            &subject,
            &typed,
            clock(now, local),
            self.seed(),
        );
        Self::wrap(op, Out::Verified)
    }

    fn code_state(&self, purpose: Text, subject: Text) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.code_state(&purpose, &subject), Out::Code)
    }

    #[pyo3(signature = (session_id, policy, now = None, local = None))]
    fn session_start(
        &self,
        session_id: Text,
        policy: &PySessionPolicy,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op =
            self.protocol
                .session_start(&session_id, &policy.0, clock(now, local), self.seed());
        Self::wrap(op, Out::Session)
    }

    #[pyo3(signature = (session_id, policy, now = None, local = None))]
    fn session_touch(
        &self,
        session_id: Text,
        policy: &PySessionPolicy,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op =
            self.protocol
                .session_touch(&session_id, &policy.0, clock(now, local), self.seed());
        Self::wrap(op, Out::Touch)
    }

    fn session_revoke(&self, session_id: Text) -> PyResult<PyStoreOperation> {
        Self::wrap(
            self.protocol.session_revoke(&session_id, self.seed()),
            Out::Bool,
        )
    }

    fn migrate(&self) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.migrate(self.seed()), Out::Version)
    }

    fn schema_version(&self) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.schema_version(), Out::Version)
    }

    #[pyo3(signature = (now = None, local = None))]
    fn purge_expired(
        &self,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        Self::wrap(
            self.protocol.purge_expired(clock(now, local), self.seed()),
            Out::Count,
        )
    }

    #[pyo3(signature = (master, request, now = None, local = None))]
    fn ledger_issue(
        &self,
        master: &PyMasterSecret,
        request: &PyIssuanceRequest,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let op = self
            .protocol
            .ledger_issue(&master.0, &request.0, clock(now, local), self.seed());
        Self::wrap(op, Out::Plan)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the rebind's inputs and the two clocks, each needed"
    )]
    #[pyo3(signature = (master, number, to, actor, reason, now = None, local = None))]
    fn ledger_rebind(
        &self,
        master: &PyMasterSecret,
        number: Text,
        to: Text,
        actor: Text,
        reason: Text,
        now: Option<Aware>,
        local: Option<Aware>,
    ) -> PyResult<PyStoreOperation> {
        let number = ActivationNumber::parse(&number).py()?;
        let to = MprId::parse(&to).py()?;
        let op = self.protocol.ledger_rebind(
            &master.0,
            number,
            to,
            &actor,
            &reason,
            clock(now, local),
            self.seed(),
        );
        Self::wrap(op, Out::Rebind)
    }

    #[pyo3(signature = (mpr_id = None, activation_number = None))]
    fn ledger_bindings(
        &self,
        mpr_id: Option<Text>,
        activation_number: Option<Text>,
    ) -> PyResult<PyStoreOperation> {
        let filter = match (mpr_id, activation_number) {
            (Some(m), _) => LedgerFilter::MprId(MprId::parse(&m).py()?),
            (None, Some(n)) => LedgerFilter::ActivationNumber(ActivationNumber::parse(&n).py()?),
            (None, None) => LedgerFilter::All,
        };
        Self::wrap(self.protocol.ledger_bindings(filter), Out::Bindings)
    }

    fn ledger_rebinds(&self) -> PyResult<PyStoreOperation> {
        Self::wrap(self.protocol.ledger_rebinds(), Out::Rebinds)
    }

    #[pyo3(signature = (days = None, utc_offset = None))]
    fn ledger_history(
        &self,
        days: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        utc_offset: Option<Delta>,
    ) -> PyResult<PyStoreOperation> {
        let op = self
            .protocol
            .ledger_history(date_range(days)?, offset_of(utc_offset)?);
        Self::wrap(op, Out::History)
    }

    #[pyo3(signature = (days = None, utc_offset = None))]
    fn ledger_daily_counts(
        &self,
        days: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        utc_offset: Option<Delta>,
    ) -> PyResult<PyStoreOperation> {
        let op = self
            .protocol
            .ledger_daily_counts(date_range(days)?, offset_of(utc_offset)?);
        Self::wrap(op, Out::Daily)
    }
}

/// Register the functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(store_contended, m)?)?;
    m.add_function(wrap_pyfunction!(store_unsupported, m)?)?;
    m.add_function(wrap_pyfunction!(store_invalid_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(store_unavailable, m)?)?;
    m.add_function(wrap_pyfunction!(store_driver_missing, m)?)?;
    m.add_function(wrap_pyfunction!(store_schema_mismatch, m)?)?;
    m.add_function(wrap_pyfunction!(store_transaction_open, m)?)?;
    m.add_function(wrap_pyfunction!(store_invalid_client, m)?)?;
    m.add_function(wrap_pyfunction!(store_invalid_admission, m)?)?;
    m.add_function(wrap_pyfunction!(check_store_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(sql_migrations, m)?)?;
    m.add_function(wrap_pyfunction!(unknown_language_error, m)?)?;
    m.add_function(wrap_pyfunction!(error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(aware_utc, m)?)?;
    m.add_class::<PyStoreProtocol>()?;
    m.add_class::<PyStoreOperation>()?;
    m.add("SCHEMA_VERSION", schema::SCHEMA_VERSION)?;
    m.add("REDIS_CAS_SCRIPT", redis::CAS_SCRIPT)?;
    m.add("REDIS_CAS_SHA", redis::cas_sha())?;
    let retry = RetryPolicy::default();
    m.add(
        "STORE_RETRY_DEFAULTS",
        (
            retry.attempts(),
            retry.deadline_ms() / 1000.0,
            retry.base_delay_ms() / 1000.0,
            retry.max_delay_ms() / 1000.0,
        ),
    )?;
    Ok(())
}
