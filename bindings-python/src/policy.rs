//! Password policies (docs/passwords.md §1–§4) and Argon2id hashing (docs/passwords.md §5).
//!
//! Argon2 runs with the GIL released (`py.detach`), so a web server's other
//! threads keep running while a password is hashed.

use pyo3::prelude::*;
use regcore::policy::{
    CheckContext, PasswordAge, PasswordPolicy, PolicyParts, Report, Rule, Severity, Violation,
    password_age,
};
use regcore::{HashParams, Pepper, VerifyLimit};

use crate::errors::{IntoPyResult, PyDiagnostic, Text, int};
use crate::time::{Aware, now_or_system};

/// `regcore.Pepper`: a server-side Argon2 secret (16–64 bytes); redacted.
#[pyclass(frozen, from_py_object, name = "Pepper", module = "regcore")]
#[derive(Clone)]
pub struct PyPepper(pub Pepper);

#[pymethods]
impl PyPepper {
    #[new]
    fn py_new(secret: &[u8]) -> PyResult<Self> {
        Pepper::new(secret).py().map(Self)
    }

    fn __repr__(&self) -> &'static str {
        "Pepper(<redacted>)"
    }
}

/// `regcore.HashParams`: Argon2id cost parameters.
#[pyclass(
    frozen,
    eq,
    hash,
    from_py_object,
    name = "HashParams",
    module = "regcore"
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyHashParams(pub HashParams);

#[pymethods]
impl PyHashParams {
    /// Defaults are OWASP's: m = 19 MiB, t = 2, p = 1.
    #[new]
    #[pyo3(text_signature = "(memory_kib=19456, iterations=2, parallelism=1)")]
    #[pyo3(signature = (memory_kib = HashParams::OWASP.memory_kib, iterations = HashParams::OWASP.iterations, parallelism = HashParams::OWASP.parallelism))]
    fn py_new(
        #[pyo3(from_py_with = int::memory_kib)] memory_kib: u32,
        #[pyo3(from_py_with = int::iterations)] iterations: u32,
        #[pyo3(from_py_with = int::parallelism)] parallelism: u32,
    ) -> PyResult<Self> {
        let params = HashParams {
            memory_kib,
            iterations,
            parallelism,
        };
        params.validate().py()?;
        Ok(Self(params))
    }

    /// OWASP's recommended parameters (the default).
    #[classattr]
    #[allow(non_snake_case)]
    fn OWASP() -> Self {
        Self(HashParams::OWASP)
    }

    #[getter]
    fn memory_kib(&self) -> u32 {
        self.0.memory_kib
    }

    #[getter]
    fn iterations(&self) -> u32 {
        self.0.iterations
    }

    #[getter]
    fn parallelism(&self) -> u32 {
        self.0.parallelism
    }

    fn __repr__(&self) -> String {
        format!(
            "HashParams(memory_kib={}, iterations={}, parallelism={})",
            self.0.memory_kib, self.0.iterations, self.0.parallelism
        )
    }
}

/// Hash a password with Argon2id into a PHC string. `salt=None` draws 16
/// bytes from `os.urandom`. The GIL is released while hashing.
#[pyfunction]
#[pyo3(signature = (password, *, salt = None, params = None, pepper = None))]
fn hash_password(
    py: Python<'_>,
    password: Text,
    salt: Option<Vec<u8>>,
    params: Option<PyHashParams>,
    pepper: Option<PyPepper>,
) -> PyResult<String> {
    let password: &str = &password;
    let salt = match salt {
        Some(s) => s,
        None => crate::random::os_bytes(py, regcore::hash::SALT_LEN)?,
    };
    let params = params.map_or(HashParams::OWASP, |p| p.0);
    let password = password.to_owned();
    py.detach(move || {
        regcore::hash_password(&password, &salt, &params, pepper.as_ref().map(|p| &p.0))
    })
    .py()
}

/// Verify a password against a stored PHC string (constant-time compare).
/// A stored cost above the limit (default: core's `VerifyLimit::DEFAULT`,
/// 256 MiB and m·t ≤ 2^20) is refused with `hash.cost_over_limit` before
/// any hashing. The GIL is released while hashing.
#[pyfunction]
#[pyo3(signature = (password, phc, *, pepper = None, max_memory_kib = None, max_work = None))]
fn verify_password(
    py: Python<'_>,
    password: Text,
    phc: Text,
    pepper: Option<PyPepper>,
    #[pyo3(from_py_with = opt_max_memory_kib)] max_memory_kib: Option<u32>,
    #[pyo3(from_py_with = opt_max_work)] max_work: Option<u64>,
) -> PyResult<bool> {
    let limit = VerifyLimit {
        max_memory_kib: max_memory_kib.unwrap_or(VerifyLimit::DEFAULT.max_memory_kib),
        max_work: max_work.unwrap_or(VerifyLimit::DEFAULT.max_work),
    };
    let (password, phc) = (password.0, phc.0);
    py.detach(move || {
        regcore::verify_password_within(&password, &phc, pepper.as_ref().map(|p| &p.0), &limit)
    })
    .py()
}

fn opt_max_memory_kib(obj: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    if obj.is_none() {
        return Ok(None);
    }
    int::max_memory_kib(obj).map(Some)
}

fn opt_max_work(obj: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    if obj.is_none() {
        return Ok(None);
    }
    int::max_work(obj).map(Some)
}

/// Whether a stored hash uses weaker parameters than `params` (default OWASP).
#[pyfunction]
#[pyo3(signature = (phc, params = None))]
fn needs_rehash(phc: Text, params: Option<PyHashParams>) -> PyResult<bool> {
    let phc: &str = &phc;
    regcore::needs_rehash(phc, &params.map_or(HashParams::OWASP, |p| p.0)).py()
}

fn severity_name(s: Severity) -> String {
    crate::serde_py::name_of(&s, None)
}

/// `regcore.Violation`: one unmet password rule (a `Diagnostic` with a severity).
#[pyclass(frozen, extends = PyDiagnostic, name = "Violation", module = "regcore")]
pub struct PyViolation {
    severity: String,
}

impl PyViolation {
    fn create(py: Python<'_>, v: &Violation) -> PyResult<Py<Self>> {
        let init = PyClassInitializer::from(PyDiagnostic::of(v)).add_subclass(Self {
            severity: severity_name(v.severity()),
        });
        Py::new(py, init)
    }
}

#[pymethods]
impl PyViolation {
    /// `"reject"` (refuse the password) or `"must_change"` (accepted, but
    /// the user must change it now, e.g. a factory default).
    #[getter]
    fn severity(&self) -> &str {
        &self.severity
    }

    fn __repr__(slf: PyRef<'_, Self>) -> String {
        let base = slf.as_super();
        format!("Violation({:?}, severity={:?})", base.0.code, slf.severity)
    }
}

/// `regcore.PolicyRule`: one line of a policy's help text.
#[pyclass(frozen, extends = PyDiagnostic, name = "PolicyRule", module = "regcore")]
pub struct PyPolicyRule {
    violation_codes: Vec<&'static str>,
}

impl PyPolicyRule {
    fn create(py: Python<'_>, r: &Rule) -> PyResult<Py<Self>> {
        let init = PyClassInitializer::from(PyDiagnostic::of(r)).add_subclass(Self {
            violation_codes: r.violation_codes().to_vec(),
        });
        Py::new(py, init)
    }
}

#[pymethods]
impl PyPolicyRule {
    /// Violation codes that break this rule (to tick rules off as the user types).
    #[getter]
    fn violation_codes(&self) -> Vec<&'static str> {
        self.violation_codes.clone()
    }

    fn __repr__(slf: PyRef<'_, Self>) -> String {
        format!("PolicyRule({:?})", slf.as_super().0.code)
    }
}

/// `regcore.PasswordReport`: every violation of one check.
#[pyclass(frozen, name = "PasswordReport", module = "regcore")]
pub struct PyPasswordReport(Report);

#[pymethods]
impl PyPasswordReport {
    /// Every violation, in rule order.
    #[getter]
    fn violations(&self, py: Python<'_>) -> PyResult<Vec<Py<PyViolation>>> {
        self.0
            .violations()
            .iter()
            .map(|v| PyViolation::create(py, v))
            .collect()
    }

    /// No violation at all.
    #[getter]
    fn ok(&self) -> bool {
        self.0.is_ok()
    }

    /// No violation of severity `"reject"`.
    #[getter]
    fn acceptable(&self) -> bool {
        self.0.is_acceptable()
    }

    /// Some violation is `"must_change"`.
    #[getter]
    fn must_change(&self) -> bool {
        self.0.must_change()
    }

    /// Codes of all violations, in order.
    #[getter]
    fn codes(&self) -> Vec<&'static str> {
        self.0.codes()
    }

    /// Previous hashes that could not be checked (skipped, not failed).
    #[getter]
    fn skipped_history_entries(&self) -> u32 {
        self.0.skipped_history_entries()
    }

    fn __len__(&self) -> usize {
        self.0.violations().len()
    }

    fn __repr__(&self) -> String {
        format!("PasswordReport(codes={:?})", self.0.codes())
    }
}

/// `regcore.PasswordAge`: how close a password is to expiry.
#[pyclass(frozen, eq, hash, name = "PasswordAge", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyPasswordAge(PasswordAge);

#[pymethods]
impl PyPasswordAge {
    /// `"fresh"`, `"expires_soon"` or `"expired"`.
    #[getter]
    fn state(&self) -> String {
        crate::serde_py::name_of(&self.0, Some("state"))
    }

    /// Whole days left (rounded up) for `"expires_soon"`, else `None`.
    #[getter]
    fn days_left(&self) -> Option<u32> {
        match self.0 {
            PasswordAge::ExpiresSoon { days_left } => Some(days_left),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match self.days_left() {
            Some(d) => format!("PasswordAge('expires_soon', days_left={d})"),
            None => format!("PasswordAge('{}')", self.state()),
        }
    }
}

/// Owned check context (the core one borrows).
struct Context {
    user_id: Option<String>,
    email: Option<String>,
    previous_hashes: Vec<String>,
    pepper: Option<Pepper>,
    blocklist: Vec<String>,
}

impl Context {
    fn check(&self, policy: &PasswordPolicy, password: &str) -> Report {
        let mut ctx = CheckContext::new()
            .with_history(&self.previous_hashes, self.pepper.as_ref())
            .with_blocklist(&self.blocklist);
        if let Some(u) = &self.user_id {
            ctx = ctx.with_user_id(u);
        }
        if let Some(e) = &self.email {
            ctx = ctx.with_email(e);
        }
        policy.check(password, &ctx)
    }
}

/// `regcore.PasswordPolicy`: a validated password policy (presets or custom).
#[pyclass(frozen, eq, name = "PasswordPolicy", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyPasswordPolicy(pub PasswordPolicy);

#[pymethods]
impl PyPasswordPolicy {
    /// A preset by name, e.g. `"ups_site"` (see `preset_names()`).
    #[staticmethod]
    fn preset(name: Text) -> PyResult<Self> {
        let name: &str = &name;
        PasswordPolicy::preset(name).py().map(Self)
    }

    /// Names accepted by `preset()`.
    #[staticmethod]
    fn preset_names() -> Vec<&'static str> {
        PasswordPolicy::preset_names().to_vec()
    }

    #[staticmethod]
    fn ups_site() -> Self {
        Self(PasswordPolicy::ups_site())
    }

    #[staticmethod]
    fn monitoring_service() -> Self {
        Self(PasswordPolicy::monitoring_service())
    }

    #[staticmethod]
    fn kms() -> Self {
        Self(PasswordPolicy::kms())
    }

    #[staticmethod]
    fn device_admin_pin() -> Self {
        Self(PasswordPolicy::device_admin_pin())
    }

    #[staticmethod]
    fn nist_800_63b() -> Self {
        Self(PasswordPolicy::nist_800_63b())
    }

    #[staticmethod]
    fn nist_800_63b_mfa() -> Self {
        Self(PasswordPolicy::nist_800_63b_mfa())
    }

    /// A custom policy from its parts (the same keys as `to_dict()`);
    /// inconsistent parts raise `ConfigError` (`policy.*`).
    #[staticmethod]
    fn from_dict(parts: &Bound<'_, PyAny>) -> PyResult<Self> {
        let parts: PolicyParts = crate::serde_py::from_py(parts)?;
        PasswordPolicy::new(parts).py().map(Self)
    }

    /// `from_dict` from a JSON string.
    #[staticmethod]
    fn from_json(json: Text) -> PyResult<Self> {
        let json: &str = &json;
        let parts: PolicyParts = crate::serde_py::from_json(json)?;
        PasswordPolicy::new(parts).py().map(Self)
    }

    /// The parts as a dict (edit and pass to `from_dict` for a custom policy).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::serde_py::to_py(py, self.0.parts())
    }

    fn to_json(&self) -> PyResult<String> {
        crate::serde_py::to_json(self.0.parts())
    }

    /// Check a password; every violation is reported (data, not exceptions).
    /// `previous_hashes` are PHC strings, newest first. The GIL is released
    /// (history checks run Argon2).
    #[pyo3(signature = (password, *, user_id = None, email = None, previous_hashes = Vec::new(), pepper = None, blocklist = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        py: Python<'_>,
        password: Text,
        user_id: Option<String>,
        email: Option<String>,
        previous_hashes: Vec<String>,
        pepper: Option<PyPepper>,
        blocklist: Vec<String>,
    ) -> PyPasswordReport {
        let password: &str = &password;
        let ctx = Context {
            user_id,
            email,
            previous_hashes,
            pepper: pepper.map(|p| p.0),
            blocklist,
        };
        let password = password.to_owned();
        PyPasswordReport(py.detach(|| ctx.check(&self.0, &password)))
    }

    /// `check` for many passwords with the same context, in one call.
    #[pyo3(signature = (passwords, *, user_id = None, email = None, previous_hashes = Vec::new(), pepper = None, blocklist = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn check_many(
        &self,
        py: Python<'_>,
        passwords: &Bound<'_, PyAny>,
        user_id: Option<String>,
        email: Option<String>,
        previous_hashes: Vec<String>,
        pepper: Option<PyPepper>,
        blocklist: Vec<String>,
    ) -> PyResult<Vec<PyPasswordReport>> {
        let passwords = crate::keys::extract_all(passwords, |p: String| p)?;
        let ctx = Context {
            user_id,
            email,
            previous_hashes,
            pepper: pepper.map(|p| p.0),
            blocklist,
        };
        Ok(py.detach(|| {
            passwords
                .iter()
                .map(|p| PyPasswordReport(ctx.check(&self.0, p)))
                .collect()
        }))
    }

    /// The rules for a form's help text, in display order. Pass the same
    /// `blocklist` as to `check` so its `password.common_password` is
    /// claimed by a rule even under a policy without a list of its own.
    #[pyo3(signature = (*, blocklist = Vec::new()))]
    fn describe(&self, py: Python<'_>, blocklist: Vec<String>) -> PyResult<Vec<Py<PyPolicyRule>>> {
        self.0
            .describe_for(&CheckContext::new().with_blocklist(&blocklist))
            .iter()
            .map(|r| PyPolicyRule::create(py, r))
            .collect()
    }

    /// Age of a password changed at `changed_at`, seen at `now` (default: the system clock).
    #[pyo3(signature = (changed_at, now = None))]
    fn age(&self, changed_at: Aware, now: Option<Aware>) -> PyPasswordAge {
        PyPasswordAge(password_age(changed_at.0, now_or_system(now), &self.0))
    }

    fn __repr__(&self) -> String {
        let p = self.0.parts();
        format!(
            "PasswordPolicy(min_length={}, max_length={}, rules={})",
            p.min_length,
            p.max_length,
            self.0.describe().len()
        )
    }
}

/// Age of a password (function form of `PasswordPolicy.age`).
#[pyfunction(name = "password_age")]
#[pyo3(signature = (changed_at, policy, now = None))]
fn py_password_age(
    changed_at: Aware,
    policy: &PyPasswordPolicy,
    now: Option<Aware>,
) -> PyPasswordAge {
    PyPasswordAge(password_age(changed_at.0, now_or_system(now), &policy.0))
}

/// Register the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPepper>()?;
    m.add_class::<PyHashParams>()?;
    m.add_class::<PyViolation>()?;
    m.add_class::<PyPolicyRule>()?;
    m.add_class::<PyPasswordReport>()?;
    m.add_class::<PyPasswordAge>()?;
    m.add_class::<PyPasswordPolicy>()?;
    m.add_function(wrap_pyfunction!(hash_password, m)?)?;
    m.add_function(wrap_pyfunction!(verify_password, m)?)?;
    m.add_function(wrap_pyfunction!(needs_rehash, m)?)?;
    m.add_function(wrap_pyfunction!(py_password_age, m)?)?;
    m.add("MAX_PASSWORD_BYTES", regcore::hash::MAX_PASSWORD_BYTES)?;
    Ok(())
}
