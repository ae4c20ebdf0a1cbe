//! Login lockout (docs/lockout.md): policies, the per-account state value and the
//! misuse-resistant attempt flow.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use regcore::lockout::{
    Admission, Decision, Locked, LockoutError, LockoutPolicy, LockoutState, Refusal, Success, Tier,
};

use crate::errors::{FailuresItem, IntoPyResult, PyDiagnostic, Text, coded_err, int};
use crate::time::{Aware, Delta, DeltaOut, Utc_, now_or_system, secs_delta, whole_secs};

/// `regcore.LockoutPolicy`: threshold, schedule, cap and resets (plain data).
#[pyclass(frozen, eq, name = "LockoutPolicy", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyLockoutPolicy(pub LockoutPolicy);

#[pymethods]
impl PyLockoutPolicy {
    /// The UPS site's rule (AWS Cognito's); the schedule is core's
    /// `LockoutPolicy::ups_site` (docs/lockout.md has the table).
    #[staticmethod]
    fn ups_site() -> Self {
        Self(LockoutPolicy::ups_site())
    }

    /// Key-code entry on a device: core's `LockoutPolicy::device_entry`.
    #[staticmethod]
    fn device_entry() -> Self {
        Self(LockoutPolicy::device_entry())
    }

    /// ASP.NET Core Identity defaults.
    #[staticmethod]
    fn aspnet_identity() -> Self {
        Self(LockoutPolicy::aspnet_identity())
    }

    /// Devise `:lockable` defaults.
    #[staticmethod]
    fn devise() -> Self {
        Self(LockoutPolicy::devise())
    }

    /// Keycloak temporary-lockout defaults.
    #[staticmethod]
    fn keycloak() -> Self {
        Self(LockoutPolicy::keycloak())
    }

    /// Keycloak "By multiples" with the realm's settings.
    #[staticmethod]
    fn keycloak_multiple(
        #[pyo3(from_py_with = int::max_login_failures)] max_login_failures: u32,
        wait_increment: Delta,
        max_wait: Delta,
        failure_reset: Delta,
    ) -> PyResult<Self> {
        Ok(Self(LockoutPolicy::keycloak_multiple(
            max_login_failures,
            whole_secs(wait_increment, "wait_increment")?,
            whole_secs(max_wait, "max_wait")?,
            whole_secs(failure_reset, "failure_reset")?,
        )))
    }

    /// Keycloak "Linear" with the realm's settings.
    #[staticmethod]
    fn keycloak_linear(
        #[pyo3(from_py_with = int::max_login_failures)] max_login_failures: u32,
        wait_increment: Delta,
        max_wait: Delta,
        failure_reset: Delta,
    ) -> PyResult<Self> {
        Ok(Self(LockoutPolicy::keycloak_linear(
            max_login_failures,
            whole_secs(wait_increment, "wait_increment")?,
            whole_secs(max_wait, "max_wait")?,
            whole_secs(failure_reset, "failure_reset")?,
        )))
    }

    /// A fixed lock after `threshold` failures, counting again afterwards.
    #[staticmethod]
    fn fixed(#[pyo3(from_py_with = int::threshold)] threshold: u32, lock: Delta) -> PyResult<Self> {
        Ok(Self(LockoutPolicy::fixed(
            threshold,
            whole_secs(lock, "lock")?,
        )))
    }

    /// Stepped tiers: `[(failures, lock), …]` (django-axes style).
    #[staticmethod]
    fn tiers(tiers: Vec<(FailuresItem, Delta)>) -> PyResult<Self> {
        let tiers = tiers
            .into_iter()
            .map(|(failures, lock)| {
                Ok(Tier {
                    failures: failures.0,
                    lock_secs: whole_secs(lock, "lock")?,
                })
            })
            .collect::<PyResult<Vec<Tier>>>()?;
        Ok(Self(LockoutPolicy::tiers(tiers)))
    }

    /// From the serde form (`to_dict()`'s keys); validated.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let policy: LockoutPolicy = crate::serde_py::from_py(data)?;
        policy.validate().py()?;
        Ok(Self(policy))
    }

    /// `from_dict` from a JSON string.
    #[staticmethod]
    fn from_json(json: Text) -> PyResult<Self> {
        let json: &str = &json;
        let policy: LockoutPolicy = crate::serde_py::from_json(json)?;
        policy.validate().py()?;
        Ok(Self(policy))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::serde_py::to_py(py, &self.0)
    }

    fn to_json(&self) -> PyResult<String> {
        crate::serde_py::to_json(&self.0)
    }

    /// Raise `ConfigError` (`lockout.invalid_policy`) if the values make no sense.
    fn validate(&self) -> PyResult<()> {
        self.0.validate().py()
    }

    /// The `failures`-th consecutive failure first locks at this count.
    #[getter]
    fn threshold(&self) -> u32 {
        self.0.threshold
    }

    /// No single lock is longer than this.
    #[getter]
    fn max_lock(&self) -> DeltaOut {
        secs_delta(self.0.max_lock_secs)
    }

    /// Whether attempts made while locked count as failures.
    #[getter]
    fn count_locked_attempts(&self) -> bool {
        self.0.count_locked_attempts
    }

    /// Lock imposed by the `failures`-th consecutive failure (zero = none).
    fn lock_duration(&self, #[pyo3(from_py_with = int::failures)] failures: u32) -> DeltaOut {
        secs_delta(self.0.lock_secs(failures))
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!(
            "LockoutPolicy({})",
            crate::serde_py::to_json(&self.0)?
        ))
    }
}

/// `regcore.Locked`: refuse without checking the password (`lockout.locked`).
#[pyclass(frozen, extends = PyDiagnostic, name = "Locked", module = "regcore")]
pub struct PyLocked(Locked);

impl PyLocked {
    fn create(py: Python<'_>, locked: Locked) -> PyResult<Py<Self>> {
        Py::new(
            py,
            PyClassInitializer::from(PyDiagnostic::of(&locked)).add_subclass(Self(locked)),
        )
    }
}

#[pymethods]
impl PyLocked {
    /// How long until an attempt will be allowed.
    #[getter]
    fn retry_after(&self) -> DeltaOut {
        DeltaOut(TimeDelta::from_std(self.0.retry_after).unwrap_or(TimeDelta::MAX))
    }

    /// `retry_after` in whole seconds, rounded up (for a `Retry-After` header).
    #[getter]
    fn retry_after_secs(&self) -> u64 {
        self.0.retry_after_secs()
    }

    /// When the lock ends.
    #[getter]
    fn until(&self) -> Utc_ {
        Utc_(self.0.until)
    }

    fn __repr__(&self) -> String {
        format!("Locked(retry_after_secs={})", self.0.retry_after_secs())
    }
}

/// `regcore.LockoutRefusal`: an attempt refused because the account is locked.
#[pyclass(frozen, name = "LockoutRefusal", module = "regcore")]
pub struct PyLockoutRefusal {
    locked: Py<PyLocked>,
    new_state: Option<LockoutState>,
}

#[pymethods]
impl PyLockoutRefusal {
    #[getter]
    fn locked(&self, py: Python<'_>) -> Py<PyLocked> {
        self.locked.clone_ref(py)
    }

    /// A state to store, or `None` (store nothing).
    #[getter]
    fn new_state(&self) -> Option<PyLockoutState> {
        self.new_state.map(PyLockoutState)
    }

    fn __repr__(&self) -> String {
        format!(
            "LockoutRefusal(retry_after_secs={}, new_state={})",
            self.locked.get().0.retry_after_secs(),
            self.new_state
                .map_or_else(|| "None".to_owned(), |s| format!("'{}'", s.encode()))
        )
    }
}

/// An owned admission that Python may try to settle twice: the second
/// settle raises core's `lockout.admission_used`.
struct SingleUse(Mutex<Option<Admission>>);

impl SingleUse {
    fn new(admission: Admission) -> Self {
        Self(Mutex::new(Some(admission)))
    }

    fn take(&self) -> PyResult<Admission> {
        self.0
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or_else(|| coded_err(&LockoutError::AdmissionUsed))
    }

    fn spent(&self) -> bool {
        self.0.lock().map_or(true, |slot| slot.is_none())
    }
}

/// `regcore.LockoutAdmission`: permission to check the password once, for a
/// state shared by several processes (docs/lockout.md). Store `.state` (compare-and-
/// set against `.previous`) *before* checking the password; then settle once
/// with `.failure()` or `.success()`.
#[pyclass(frozen, name = "LockoutAdmission", module = "regcore")]
pub struct PyLockoutAdmission {
    previous: LockoutState,
    state: LockoutState,
    admitted_at: DateTime<Utc>,
    slot: SingleUse,
}

#[pymethods]
impl PyLockoutAdmission {
    /// The state to store before the password is checked (this attempt
    /// already counted as a failure).
    #[getter]
    fn state(&self) -> PyLockoutState {
        PyLockoutState(self.state)
    }

    /// The state it was computed from: the compare-and-set token.
    #[getter]
    fn previous(&self) -> PyLockoutState {
        PyLockoutState(self.previous)
    }

    /// When the attempt was admitted.
    #[getter]
    fn admitted_at(&self) -> Utc_ {
        Utc_(self.admitted_at)
    }

    /// The password was wrong: the failure was counted on admission; returns
    /// that state (nothing more to write).
    fn failure(&self) -> PyResult<PyLockoutState> {
        Ok(PyLockoutState(self.slot.take()?.failure()))
    }

    /// The password was right: a `LockoutSuccess` to apply to whatever the
    /// store holds by then (on every compare-and-set retry).
    fn success(&self) -> PyResult<PyLockoutSuccess> {
        Ok(PyLockoutSuccess(self.slot.take()?.success()))
    }

    /// The password was right and this process is the state's only writer:
    /// the state to store (counter reset).
    fn succeeded(&self) -> PyResult<PyLockoutState> {
        Ok(PyLockoutState(self.slot.take()?.succeeded()))
    }

    fn __repr__(&self) -> String {
        format!(
            "LockoutAdmission(state='{}', spent={})",
            self.state.encode(),
            if self.slot.spent() { "True" } else { "False" }
        )
    }
}

/// `regcore.LockoutSuccess`: a correct password, settled.
#[pyclass(frozen, name = "LockoutSuccess", module = "regcore")]
pub struct PyLockoutSuccess(pub Success);

#[pymethods]
impl PyLockoutSuccess {
    /// The state to store in place of `current` (the counter resets).
    fn apply(&self, current: &PyLockoutState) -> PyLockoutState {
        PyLockoutState(self.0.apply(current.0))
    }

    fn __repr__(&self) -> &'static str {
        "LockoutSuccess()"
    }
}

/// A `regcore.LockoutAdmission` owning `admission` (single use).
pub fn admission_object(py: Python<'_>, admission: Admission) -> PyResult<Py<PyLockoutAdmission>> {
    Py::new(
        py,
        PyLockoutAdmission {
            previous: admission.previous(),
            state: admission.state(),
            admitted_at: admission.admitted_at(),
            slot: SingleUse::new(admission),
        },
    )
}

pub fn refusal_object(py: Python<'_>, refusal: Refusal) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        PyLockoutRefusal {
            locked: PyLocked::create(py, refusal.locked)?,
            new_state: refusal.new_state,
        },
    )?
    .into_any())
}

/// `regcore.LockoutState`: consecutive failures; store `encode()`.
#[pyclass(frozen, eq, hash, name = "LockoutState", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyLockoutState(pub LockoutState);

#[pymethods]
impl PyLockoutState {
    #[new]
    #[pyo3(signature = (failures = 0, locked_until = None, last_attempt = None))]
    fn py_new(
        #[pyo3(from_py_with = int::failures)] failures: u32,
        locked_until: Option<Aware>,
        last_attempt: Option<Aware>,
    ) -> Self {
        Self(LockoutState {
            failures,
            locked_until: locked_until.map(|a| a.0),
            last_attempt: last_attempt.map(|a| a.0),
        })
    }

    #[getter]
    fn failures(&self) -> u32 {
        self.0.failures
    }

    #[getter]
    fn locked_until(&self) -> Option<Utc_> {
        self.0.locked_until.map(Utc_)
    }

    #[getter]
    fn last_attempt(&self) -> Option<Utc_> {
        self.0.last_attempt.map(Utc_)
    }

    /// Read-only: `None` if an attempt may check the password, else `Locked`.
    #[pyo3(signature = (policy, now = None))]
    fn check(
        &self,
        py: Python<'_>,
        policy: &PyLockoutPolicy,
        now: Option<Aware>,
    ) -> PyResult<Option<Py<PyLocked>>> {
        match self.0.check(&policy.0, now_or_system(now)) {
            Decision::Allowed => Ok(None),
            Decision::Locked(locked) => PyLocked::create(py, locked).map(Some),
        }
    }

    /// Begin an attempt: a `LockoutAdmission` (the attempt already counted
    /// as a failure in `.state`: one writer stores `.failure()` or
    /// `.succeeded()` after the check; a shared store stores `.state` before
    /// it, see docs/lockout.md), or a `LockoutRefusal` (refuse without
    /// checking the password, even a correct one).
    #[pyo3(signature = (policy, now = None))]
    fn attempt(
        &self,
        py: Python<'_>,
        policy: &PyLockoutPolicy,
        now: Option<Aware>,
    ) -> PyResult<Py<PyAny>> {
        match self.0.attempt(&policy.0, now_or_system(now)) {
            Ok(admission) => Ok(admission_object(py, admission)?.into_any()),
            Err(refusal) => refusal_object(py, refusal),
        }
    }

    /// Record a wrong password; returns the state to store.
    #[pyo3(signature = (policy, now = None))]
    fn record_failure(&self, policy: &PyLockoutPolicy, now: Option<Aware>) -> Self {
        Self(self.0.record_failure(&policy.0, now_or_system(now)))
    }

    /// Record a correct password; returns the state to store.
    #[pyo3(signature = (policy, now = None))]
    fn record_success(&self, policy: &PyLockoutPolicy, now: Option<Aware>) -> Self {
        Self(self.0.record_success(&policy.0, now_or_system(now)))
    }

    /// From when a store may forget this state (it then behaves like no
    /// state at all), or `None` if only a success forgets it.
    fn forget_at(&self, policy: &PyLockoutPolicy) -> Option<Utc_> {
        self.0.forget_at(&policy.0).map(Utc_)
    }

    /// Until when a store keeps this state: `forget_at`, or 90 days after
    /// the last attempt where only a success would forget it; never before `now`.
    #[pyo3(signature = (policy, now = None))]
    fn retain_until(&self, policy: &PyLockoutPolicy, now: Option<Aware>) -> Utc_ {
        Utc_(self.0.retain_until(&policy.0, now_or_system(now)))
    }

    /// Compact, versioned, canonical text (a compare-and-set token).
    fn encode(&self) -> String {
        self.0.encode()
    }

    /// Parse `encode()`'s form; `DecodeError` otherwise.
    #[staticmethod]
    fn decode(text: Text) -> PyResult<Self> {
        let text: &str = &text;
        LockoutState::decode(text).py().map(Self)
    }

    /// Binary form.
    #[pyo3(name = "to_bytes")]
    fn as_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_bytes())
    }

    /// Parse `to_bytes()`'s form; `DecodeError` otherwise.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        LockoutState::from_bytes(data).py().map(Self)
    }

    fn __repr__(&self) -> String {
        format!("LockoutState.decode('{}')", self.0.encode())
    }
}

/// Register the classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLockoutPolicy>()?;
    m.add_class::<PyLocked>()?;
    m.add_class::<PyLockoutRefusal>()?;
    m.add_class::<PyLockoutAdmission>()?;
    m.add_class::<PyLockoutSuccess>()?;
    m.add_class::<PyLockoutState>()?;
    Ok(())
}
