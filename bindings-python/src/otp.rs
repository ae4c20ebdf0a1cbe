//! One-time codes, signed link tokens and sessions (docs/codes-and-links.md).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use regcore::code::{CodePolicy, CodePurpose, CodeSecret, CodeState, OneTimeCode, Verification};
use regcore::session::{SessionPolicy, SessionState, SessionStatus};
use regcore::token::{Keyring, LinkClaims, LinkPolicy, ProvisionalRegistration};

use crate::errors::{IntoPyResult, PyDiagnostic, Text, int};
use crate::ids::PhoneNumberArg;
use crate::time::{Aware, Delta, DeltaOut, Utc_, now_or_system, secs_delta, whole_secs};

/// `regcore.CodeSecret`: server secret for codes and links (≥ 32 bytes); redacted.
#[pyclass(frozen, from_py_object, name = "CodeSecret", module = "regcore")]
#[derive(Clone)]
pub struct PyCodeSecret(pub CodeSecret);

#[pymethods]
impl PyCodeSecret {
    #[new]
    fn py_new(secret: &[u8]) -> PyResult<Self> {
        CodeSecret::new(secret).py().map(Self)
    }

    /// A new secret from `os.urandom`.
    #[staticmethod]
    #[pyo3(signature = (length = 32))]
    fn generate(
        py: Python<'_>,
        #[pyo3(from_py_with = int::length)] length: usize,
    ) -> PyResult<Self> {
        CodeSecret::new(&crate::random::os_bytes(py, length)?)
            .py()
            .map(Self)
    }

    fn __repr__(&self) -> &'static str {
        "CodeSecret(<redacted>)"
    }
}

/// Accepts a `CodeSecret` or raw `bytes`.
pub struct SecretArg(pub CodeSecret);

impl<'a, 'py> FromPyObject<'a, 'py> for SecretArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(s) = ob.cast::<PyCodeSecret>() {
            return Ok(Self(s.get().0.clone()));
        }
        if let Ok(b) = ob.cast::<PyBytes>() {
            return CodeSecret::new(b.as_bytes()).py().map(Self);
        }
        Err(PyTypeError::new_err(format!(
            "expected CodeSecret or bytes, got {}",
            ob.get_type().name()?
        )))
    }
}

fn purpose_from(name: &str) -> PyResult<CodePurpose> {
    crate::serde_py::from_json(&format!("{name:?}")).map_err(|_| {
        crate::errors::coded_err(&regcore::BoundaryError::unknown_name(
            "purpose",
            name,
            &["sign_up", "email_change", "password_reset"],
        ))
    })
}

/// `regcore.OneTimeCode`: six digits to mail; repr is redacted.
#[pyclass(frozen, eq, name = "OneTimeCode", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyOneTimeCode(pub OneTimeCode);

#[pymethods]
impl PyOneTimeCode {
    /// The six digits, for the e-mail.
    fn expose(&self) -> String {
        self.0.as_str().to_owned()
    }

    fn __repr__(&self) -> &'static str {
        "OneTimeCode(<redacted>)"
    }
}

/// `regcore.CodeState`: what to store per subject and purpose.
#[pyclass(
    frozen,
    eq,
    hash,
    from_py_object,
    name = "CodeState",
    module = "regcore"
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyCodeState(pub CodeState);

#[pymethods]
impl PyCodeState {
    /// A state from its fields (e.g. columns of your own table). `issued_at`
    /// must be whole seconds (what the encoding keeps); nothing is rounded.
    #[new]
    #[pyo3(signature = (series, generation, issued_at, attempts = 0, used = false))]
    fn py_new(
        #[pyo3(from_py_with = int::series)] series: u32,
        #[pyo3(from_py_with = int::generation)] generation: u32,
        issued_at: Aware,
        #[pyo3(from_py_with = int::attempts)] attempts: u32,
        used: bool,
    ) -> PyResult<Self> {
        CodeState::new(series, generation, issued_at.0, attempts, used)
            .py()
            .map(Self)
    }

    #[getter]
    fn series(&self) -> u32 {
        self.0.series
    }

    #[getter]
    fn generation(&self) -> u32 {
        self.0.generation
    }

    #[getter]
    fn issued_at(&self) -> Utc_ {
        Utc_(self.0.issued_at)
    }

    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    #[getter]
    fn used(&self) -> bool {
        self.0.used
    }

    /// The RFC 4226 counter of the current code.
    #[getter]
    fn counter(&self) -> u64 {
        self.0.counter()
    }

    /// Compact text form for a column or key-value store.
    fn encode(&self) -> String {
        self.0.encode()
    }

    /// Parse `encode()`'s form; `DecodeError` otherwise.
    #[staticmethod]
    fn decode(text: Text) -> PyResult<Self> {
        let text: &str = &text;
        CodeState::decode(text).py().map(Self)
    }

    #[pyo3(name = "to_bytes")]
    fn as_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        CodeState::from_bytes(data).py().map(Self)
    }

    fn __repr__(&self) -> String {
        format!("CodeState.decode('{}')", self.0.encode())
    }
}

/// `regcore.CodeVerification`: the result and the state to store.
#[pyclass(frozen, name = "CodeVerification", module = "regcore")]
pub struct PyCodeVerification(pub Verification);

#[pymethods]
impl PyCodeVerification {
    /// The code was right (and is now spent).
    #[getter]
    fn ok(&self) -> bool {
        self.0.result.is_ok()
    }

    /// Why not (`code.wrong`, `code.expired`, …), or `None`.
    #[getter]
    fn rejection(&self) -> Option<PyDiagnostic> {
        self.0.result.as_ref().err().map(PyDiagnostic::of)
    }

    /// Always store this state.
    #[getter]
    fn state(&self) -> PyCodeState {
        PyCodeState(self.0.state)
    }

    fn __repr__(&self) -> String {
        match &self.0.result {
            Ok(()) => "CodeVerification(ok=True)".to_owned(),
            Err(r) => format!(
                "CodeVerification(ok=False, rejection='{}')",
                regcore::Coded::code(r)
            ),
        }
    }
}

/// `regcore.CodePolicy`: purpose, lifetime and attempt limit.
#[pyclass(frozen, eq, name = "CodePolicy", module = "regcore")]
#[derive(Clone, Copy, PartialEq)]
pub struct PyCodePolicy(pub CodePolicy);

#[pymethods]
impl PyCodePolicy {
    #[new]
    #[pyo3(signature = (purpose, lifetime, max_attempts = 5))]
    fn py_new(
        purpose: Text,
        lifetime: Delta,
        #[pyo3(from_py_with = int::max_attempts)] max_attempts: u32,
    ) -> PyResult<Self> {
        let purpose: &str = &purpose;
        Ok(Self(CodePolicy {
            purpose: purpose_from(purpose)?,
            lifetime_secs: whole_secs(lifetime, "lifetime")?,
            max_attempts,
        }))
    }

    /// Sign-up verification: 24 h, 5 tries.
    #[staticmethod]
    fn sign_up() -> Self {
        Self(CodePolicy::sign_up())
    }

    /// E-mail change verification: 24 h, 5 tries.
    #[staticmethod]
    fn email_change() -> Self {
        Self(CodePolicy::email_change())
    }

    /// Password reset: 1 h, 5 tries.
    #[staticmethod]
    fn password_reset() -> Self {
        Self(CodePolicy::password_reset())
    }

    /// The same policy with another lifetime.
    fn with_lifetime(&self, lifetime: Delta) -> PyResult<Self> {
        Ok(Self(
            self.0.with_lifetime_secs(whole_secs(lifetime, "lifetime")?),
        ))
    }

    #[getter]
    fn purpose(&self) -> &'static str {
        self.0.purpose.name()
    }

    #[getter]
    fn lifetime(&self) -> DeltaOut {
        secs_delta(self.0.lifetime_secs)
    }

    #[getter]
    fn max_attempts(&self) -> u32 {
        self.0.max_attempts
    }

    /// Issue a new code (superseding every earlier one): `(state, code)`.
    #[pyo3(signature = (secret, subject, previous = None, now = None))]
    fn issue(
        &self,
        secret: SecretArg,
        subject: Text,
        previous: Option<PyCodeState>,
        now: Option<Aware>,
    ) -> PyResult<(PyCodeState, PyOneTimeCode)> {
        let subject: &str = &subject;
        let (state, code) = self
            .0
            .issue(
                &secret.0,
                subject,
                previous.as_ref().map(|p| &p.0),
                now_or_system(now),
            )
            .py()?;
        Ok((PyCodeState(state), PyOneTimeCode(code)))
    }

    /// Check a typed code; always store the returned state.
    #[pyo3(signature = (secret, subject, typed, state, now = None))]
    fn verify(
        &self,
        secret: SecretArg,
        subject: Text,
        typed: Text,
        state: PyCodeState,
        now: Option<Aware>,
    ) -> PyCodeVerification {
        let (subject, typed): (&str, &str) = (&subject, &typed);
        PyCodeVerification(
            self.0
                .verify(&secret.0, subject, typed, &state.0, now_or_system(now)),
        )
    }

    #[pyo3(signature = (state, now = None))]
    fn is_expired(&self, state: PyCodeState, now: Option<Aware>) -> bool {
        self.0.is_expired(&state.0, now_or_system(now))
    }

    fn expires_at(&self, state: PyCodeState) -> Utc_ {
        Utc_(self.0.expires_at(&state.0))
    }

    /// Until when a store keeps the state (a day past the code's expiry).
    fn retain_until(&self, state: PyCodeState) -> Utc_ {
        Utc_(self.0.retain_until(&state.0))
    }

    #[pyo3(name = "to_dict")]
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::serde_py::to_py(py, &self.0)
    }

    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::serde_py::from_py(data).map(Self)
    }

    fn __repr__(&self) -> String {
        format!(
            "CodePolicy('{}', lifetime_secs={}, max_attempts={})",
            self.0.purpose.name(),
            self.0.lifetime_secs,
            self.0.max_attempts
        )
    }
}

/// The per-code HOTP key `K` (32 bytes): any RFC 4226 library given `K` and
/// `CodeState.counter` reproduces the code.
#[pyfunction]
fn code_key<'py>(
    py: Python<'py>,
    secret: SecretArg,
    purpose: Text,
    subject: Text,
) -> PyResult<Bound<'py, PyBytes>> {
    let (purpose, subject): (&str, &str) = (&purpose, &subject);
    let key = regcore::code::derive_key(&secret.0, purpose_from(purpose)?, subject).py()?;
    Ok(PyBytes::new(py, key.as_slice()))
}

/// `regcore.Keyring`: link-signing secrets by key id (current key signs).
#[pyclass(frozen, name = "Keyring", module = "regcore")]
#[derive(Clone)]
pub struct PyKeyring(Keyring);

#[pymethods]
impl PyKeyring {
    #[new]
    fn py_new(#[pyo3(from_py_with = int::key_id)] key_id: u32, secret: SecretArg) -> Self {
        Self(Keyring::new(key_id, secret.0))
    }

    /// A copy with a verify-only (retired) key added.
    fn with_key(&self, #[pyo3(from_py_with = int::key_id)] key_id: u32, secret: SecretArg) -> Self {
        Self(self.0.clone().with_key(key_id, secret.0))
    }

    /// A copy signing with `key_id` (already in the ring).
    fn rotate_to(&self, #[pyo3(from_py_with = int::key_id)] key_id: u32) -> PyResult<Self> {
        self.0.clone().rotate_to(key_id).py().map(Self)
    }

    #[getter]
    fn current_key_id(&self) -> u32 {
        self.0.current_key_id()
    }

    fn __repr__(&self) -> String {
        format!(
            "Keyring(current_key_id={}, <redacted>)",
            self.0.current_key_id()
        )
    }
}

/// `regcore.LinkClaims`: the authenticated content of a token.
#[pyclass(frozen, eq, hash, name = "LinkClaims", module = "regcore")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyLinkClaims(LinkClaims);

#[pymethods]
impl PyLinkClaims {
    #[getter]
    fn purpose(&self) -> &str {
        &self.0.purpose
    }

    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }

    #[getter]
    fn issued_at(&self) -> Utc_ {
        Utc_(self.0.issued_at)
    }

    #[getter]
    fn expires_at(&self) -> Utc_ {
        Utc_(self.0.expires_at)
    }

    #[getter]
    fn generation(&self) -> u32 {
        self.0.generation
    }

    #[getter]
    fn key_id(&self) -> u32 {
        self.0.key_id
    }

    #[getter]
    fn requires_phone(&self) -> bool {
        self.0.requires_phone
    }

    fn __repr__(&self) -> String {
        format!(
            "LinkClaims(purpose={:?}, subject={:?}, generation={}, key_id={})",
            self.0.purpose, self.0.subject, self.0.generation, self.0.key_id
        )
    }
}

/// `regcore.LinkPolicy`: purpose and lifetime of a signed link.
#[pyclass(frozen, eq, from_py_object, name = "LinkPolicy", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyLinkPolicy(LinkPolicy);

#[pymethods]
impl PyLinkPolicy {
    #[new]
    fn py_new(purpose: String, lifetime: Delta) -> PyResult<Self> {
        Ok(Self(LinkPolicy {
            purpose,
            lifetime_secs: whole_secs(lifetime, "lifetime")?,
        }))
    }

    /// Password-reset link: 1 h.
    #[staticmethod]
    fn password_reset() -> Self {
        Self(LinkPolicy::password_reset())
    }

    /// Provisional-registration link: 72 h.
    #[staticmethod]
    fn provisional_registration() -> Self {
        Self(LinkPolicy::provisional_registration())
    }

    #[getter]
    fn purpose(&self) -> &str {
        &self.0.purpose
    }

    #[getter]
    fn lifetime(&self) -> DeltaOut {
        secs_delta(self.0.lifetime_secs)
    }

    /// Sign a link token for `subject`; `binding` (e.g. the current password
    /// hash) is mixed into the tag so the token dies when it changes.
    #[pyo3(signature = (keyring, subject, generation = 0, binding = b"".as_slice(), now = None))]
    #[pyo3(text_signature = "($self, keyring, subject, generation=0, binding=b'', now=None)")]
    fn issue(
        &self,
        keyring: &PyKeyring,
        subject: Text,
        #[pyo3(from_py_with = int::generation)] generation: u32,
        binding: &[u8],
        now: Option<Aware>,
    ) -> PyResult<String> {
        let subject: &str = &subject;
        self.0
            .issue(&keyring.0, subject, generation, binding, now_or_system(now))
            .py()
    }

    /// Verify a token; raises a `TokenError` subclass (expired, superseded,
    /// invalid, malformed) otherwise.
    #[pyo3(signature = (keyring, token, current_generation = 0, binding = b"".as_slice(), now = None))]
    #[pyo3(text_signature = "($self, keyring, token, current_generation=0, binding=b'', now=None)")]
    fn verify(
        &self,
        keyring: &PyKeyring,
        token: Text,
        #[pyo3(from_py_with = int::current_generation)] current_generation: u32,
        binding: &[u8],
        now: Option<Aware>,
    ) -> PyResult<PyLinkClaims> {
        let token: &str = &token;
        self.0
            .verify(
                &keyring.0,
                token,
                current_generation,
                binding,
                now_or_system(now),
            )
            .py()
            .map(PyLinkClaims)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::serde_py::to_py(py, &self.0)
    }

    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::serde_py::from_py(data).map(Self)
    }

    fn __repr__(&self) -> String {
        format!(
            "LinkPolicy({:?}, lifetime_secs={})",
            self.0.purpose, self.0.lifetime_secs
        )
    }
}

/// Read a token's claims WITHOUT authenticating them (to find whose
/// generation and binding to load before `verify`).
#[pyfunction]
fn peek_token(token: &Bound<'_, PyString>) -> PyResult<PyLinkClaims> {
    regcore::token::peek(&crate::errors::text_of(token)?)
        .py()
        .map(PyLinkClaims)
}

/// `regcore.ProvisionalRegistration`: a link that completes only with the
/// phone number given at application.
#[pyclass(frozen, name = "ProvisionalRegistration", module = "regcore")]
pub struct PyProvisionalRegistration(ProvisionalRegistration);

#[pymethods]
impl PyProvisionalRegistration {
    #[new]
    #[pyo3(signature = (link = None))]
    fn py_new(link: Option<PyLinkPolicy>) -> Self {
        Self(link.map_or_else(ProvisionalRegistration::default, |l| {
            ProvisionalRegistration { link: l.0 }
        }))
    }

    #[getter]
    fn link(&self) -> PyLinkPolicy {
        PyLinkPolicy(self.0.link.clone())
    }

    /// Sign the registration link for an application.
    #[pyo3(signature = (keyring, subject, phone, generation = 0, binding = b"".as_slice(), now = None))]
    #[pyo3(
        text_signature = "($self, keyring, subject, phone, generation=0, binding=b'', now=None)"
    )]
    fn issue(
        &self,
        keyring: &PyKeyring,
        subject: Text,
        phone: PhoneNumberArg,
        #[pyo3(from_py_with = int::generation)] generation: u32,
        binding: &[u8],
        now: Option<Aware>,
    ) -> PyResult<String> {
        let subject: &str = &subject;
        self.0
            .issue(
                &keyring.0,
                subject,
                &phone.0,
                generation,
                binding,
                now_or_system(now),
            )
            .py()
    }

    /// Verify the link and the phone number typed at completion.
    #[pyo3(signature = (keyring, token, typed_phone, current_generation = 0, binding = b"".as_slice(), now = None))]
    #[pyo3(
        text_signature = "($self, keyring, token, typed_phone, current_generation=0, binding=b'', now=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &self,
        keyring: &PyKeyring,
        token: Text,
        typed_phone: PhoneNumberArg,
        #[pyo3(from_py_with = int::current_generation)] current_generation: u32,
        binding: &[u8],
        now: Option<Aware>,
    ) -> PyResult<PyLinkClaims> {
        let token: &str = &token;
        self.0
            .complete(
                &keyring.0,
                token,
                &typed_phone.0,
                current_generation,
                binding,
                now_or_system(now),
            )
            .py()
            .map(PyLinkClaims)
    }

    fn __repr__(&self) -> String {
        format!(
            "ProvisionalRegistration(LinkPolicy({:?}, lifetime_secs={}))",
            self.0.link.purpose, self.0.link.lifetime_secs
        )
    }
}

/// `regcore.SessionPolicy`: idle timeout and optional absolute cap.
#[pyclass(frozen, eq, name = "SessionPolicy", module = "regcore")]
#[derive(Clone, Copy, PartialEq)]
pub struct PySessionPolicy(pub SessionPolicy);

#[pymethods]
impl PySessionPolicy {
    #[new]
    #[pyo3(signature = (idle_timeout, absolute_timeout = None))]
    fn py_new(idle_timeout: Delta, absolute_timeout: Option<Delta>) -> PyResult<Self> {
        Ok(Self(SessionPolicy {
            idle_timeout_secs: whole_secs(idle_timeout, "idle_timeout")?,
            absolute_timeout_secs: absolute_timeout
                .map(|d| whole_secs(d, "absolute_timeout"))
                .transpose()?,
        }))
    }

    /// UPS site: 30 minutes idle, no absolute cap.
    #[staticmethod]
    fn ups_site() -> Self {
        Self(SessionPolicy::ups_site())
    }

    /// The same policy with an absolute cap.
    fn with_absolute_timeout(&self, timeout: Delta) -> PyResult<Self> {
        Ok(Self(self.0.with_absolute_timeout_secs(whole_secs(
            timeout,
            "absolute_timeout",
        )?)))
    }

    #[getter]
    fn idle_timeout(&self) -> DeltaOut {
        secs_delta(self.0.idle_timeout_secs)
    }

    #[getter]
    fn absolute_timeout(&self) -> Option<DeltaOut> {
        self.0.absolute_timeout_secs.map(secs_delta)
    }

    fn __repr__(&self) -> String {
        format!(
            "SessionPolicy(idle_timeout_secs={}, absolute_timeout_secs={:?})",
            self.0.idle_timeout_secs, self.0.absolute_timeout_secs
        )
    }
}

/// `regcore.SessionState`: when a session began and was last active.
#[pyclass(frozen, eq, hash, name = "SessionState", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PySessionState(pub SessionState);

#[pymethods]
impl PySessionState {
    #[new]
    fn py_new(started_at: Aware, last_seen: Aware) -> Self {
        Self(SessionState {
            started_at: started_at.0,
            last_seen: last_seen.0,
        })
    }

    /// A session that starts (log-in) at `now`.
    #[staticmethod]
    #[pyo3(signature = (now = None))]
    fn start(now: Option<Aware>) -> Self {
        Self(SessionState::start(now_or_system(now)))
    }

    #[getter]
    fn started_at(&self) -> Utc_ {
        Utc_(self.0.started_at)
    }

    #[getter]
    fn last_seen(&self) -> Utc_ {
        Utc_(self.0.last_seen)
    }

    /// Activity at `now`: a `SessionTouch` with the status and, if still
    /// active, the renewed state to store.
    #[pyo3(signature = (policy, now = None))]
    fn touch(&self, policy: &PySessionPolicy, now: Option<Aware>) -> PySessionTouch {
        PySessionTouch(self.0.touch(&policy.0, now_or_system(now)))
    }

    /// When the session ends if nothing touches it (the store's expiry).
    fn expires_at(&self, policy: &PySessionPolicy) -> Utc_ {
        Utc_(self.0.expires_at(&policy.0))
    }

    /// Compact, canonical text: `s1.<started_ms>.<last_seen_ms>`.
    fn encode(&self) -> String {
        self.0.encode()
    }

    /// Parse `encode()`'s form; `StoredStateError` (`session.malformed_state`) otherwise.
    #[staticmethod]
    fn decode(text: Text) -> PyResult<Self> {
        SessionState::decode(&text).py().map(Self)
    }

    fn __repr__(&self) -> String {
        format!(
            "SessionState(started_at={:?}, last_seen={:?})",
            self.0.started_at, self.0.last_seen
        )
    }
}

/// `regcore.SessionTouch`: outcome of `SessionState.touch`.
#[pyclass(frozen, eq, name = "SessionTouch", module = "regcore")]
#[derive(Clone, Copy, PartialEq)]
pub struct PySessionTouch(pub SessionStatus);

#[pymethods]
impl PySessionTouch {
    /// `"active"`, `"idle_expired"` or `"absolute_expired"`.
    #[getter]
    fn status(&self) -> &'static str {
        match self.0 {
            SessionStatus::Active(_) => "active",
            SessionStatus::IdleExpired => "idle_expired",
            SessionStatus::AbsoluteExpired => "absolute_expired",
        }
    }

    /// Still valid.
    #[getter]
    fn active(&self) -> bool {
        matches!(self.0, SessionStatus::Active(_))
    }

    /// The renewed state to store, if active.
    #[getter]
    fn state(&self) -> Option<PySessionState> {
        match self.0 {
            SessionStatus::Active(s) => Some(PySessionState(s)),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        format!("SessionTouch('{}')", self.status())
    }
}

/// Register the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodeSecret>()?;
    m.add_class::<PyOneTimeCode>()?;
    m.add_class::<PyCodeState>()?;
    m.add_class::<PyCodeVerification>()?;
    m.add_class::<PyCodePolicy>()?;
    m.add_class::<PyKeyring>()?;
    m.add_class::<PyLinkClaims>()?;
    m.add_class::<PyLinkPolicy>()?;
    m.add_class::<PyProvisionalRegistration>()?;
    m.add_class::<PySessionPolicy>()?;
    m.add_class::<PySessionState>()?;
    m.add_class::<PySessionTouch>()?;
    m.add_function(wrap_pyfunction!(code_key, m)?)?;
    m.add_function(wrap_pyfunction!(peek_token, m)?)?;
    Ok(())
}
