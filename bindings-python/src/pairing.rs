//! Pairing rules (docs/pairing.md §1): the issuance planner, the in-memory `Ledger`
//! and its reports.

use chrono::{FixedOffset, NaiveDate, Offset};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDate;
use regcore::ledger::{
    DailyCount, DailyReport, DateRange, HistoryReport, HistoryRow, Ledger, RebindRecord,
};
use regcore::pairing::{
    Binding, IssuancePlan, IssuanceRequest, KeyOutcome, Mode, Outcome, Viewer, plan_issuance,
};

use crate::errors::{IntoPyResult, PyDiagnostic, Text, coded_err, int};
use crate::ids::{ActivationNumberArg, MprIdArg, PyActivationNumber, PyMprId};
use crate::keys::{PyActivationKey, PyMasterSecret, PyRegistrationKey, RegistrationKeyArg};
use crate::time::{Aware, Utc_, now_or_system};
use regcore::BoundaryError;

fn mode_from(s: &str) -> PyResult<Mode> {
    match s {
        "real" => Ok(Mode::Real),
        "demo" => Ok(Mode::Demo),
        other => Err(coded_err(&BoundaryError::unknown_name(
            "mode",
            other,
            &["real", "demo"],
        ))),
    }
}

const fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Real => "real",
        Mode::Demo => "demo",
    }
}

fn viewer_from(s: &str) -> PyResult<Viewer> {
    match s {
        "customer" => Ok(Viewer::Customer),
        "admin" => Ok(Viewer::Admin),
        other => Err(coded_err(&BoundaryError::unknown_name(
            "viewer",
            other,
            &["customer", "admin"],
        ))),
    }
}

const fn viewer_name(v: Viewer) -> &'static str {
    match v {
        Viewer::Customer => "customer",
        Viewer::Admin => "admin",
    }
}

/// `regcore.IssuanceRequest`: 1–8 activation keys for one terminal.
#[pyclass(frozen, eq, name = "IssuanceRequest", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyIssuanceRequest(pub IssuanceRequest);

#[pymethods]
impl PyIssuanceRequest {
    #[new]
    #[pyo3(
        signature = (mpr_id, keys, mode = Text::from("real"), viewer = Text::from("customer")),
        text_signature = "(mpr_id, keys, mode='real', viewer='customer')"
    )]
    fn py_new(
        mpr_id: MprIdArg,
        keys: Vec<PyRef<'_, PyActivationKey>>,
        mode: Text,
        viewer: Text,
    ) -> PyResult<Self> {
        IssuanceRequest::new(
            mpr_id.0,
            keys.iter().map(|k| k.0).collect(),
            mode_from(&mode)?,
            viewer_from(&viewer)?,
        )
        .py()
        .map(Self)
    }

    #[getter]
    fn mpr_id(&self) -> PyMprId {
        PyMprId(self.0.mpr_id)
    }

    #[getter]
    fn keys(&self) -> Vec<PyActivationKey> {
        self.0.keys.iter().copied().map(PyActivationKey).collect()
    }

    #[getter]
    fn mode(&self) -> &'static str {
        mode_name(self.0.mode)
    }

    #[getter]
    fn viewer(&self) -> &'static str {
        viewer_name(self.0.viewer)
    }

    fn __repr__(&self) -> String {
        format!(
            "IssuanceRequest(mpr_id='{}', keys={}, mode='{}', viewer='{}')",
            self.0.mpr_id,
            self.0.keys.len(),
            mode_name(self.0.mode),
            viewer_name(self.0.viewer)
        )
    }
}

/// `regcore.Binding`: an activation number bound to one terminal.
#[pyclass(frozen, eq, name = "Binding", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyBinding(pub Binding);

#[pymethods]
impl PyBinding {
    /// Rebuild a stored binding (e.g. a database row).
    #[new]
    fn py_new(
        activation_number: ActivationNumberArg,
        mpr_id: MprIdArg,
        #[pyo3(from_py_with = int::product)] product: u16,
        registration_key: RegistrationKeyArg,
        first_issued_at: Aware,
    ) -> Self {
        Self(Binding {
            activation_number: activation_number.0,
            mpr_id: mpr_id.0,
            product,
            registration_key: registration_key.0,
            first_issued_at: first_issued_at.0,
        })
    }

    #[getter]
    fn activation_number(&self) -> PyActivationNumber {
        PyActivationNumber(self.0.activation_number)
    }

    #[getter]
    fn mpr_id(&self) -> PyMprId {
        PyMprId(self.0.mpr_id)
    }

    #[getter]
    fn product(&self) -> u16 {
        self.0.product
    }

    #[getter]
    fn registration_key(&self) -> PyRegistrationKey {
        PyRegistrationKey(self.0.registration_key)
    }

    #[getter]
    fn first_issued_at(&self) -> Utc_ {
        Utc_(self.0.first_issued_at)
    }

    fn __repr__(&self) -> String {
        format!(
            "Binding(activation_number='{}', mpr_id='{}', product=0x{:04X}, registration_key='{}', first_issued_at={:?})",
            self.0.activation_number,
            self.0.mpr_id,
            self.0.product,
            self.0.registration_key,
            self.0.first_issued_at
        )
    }
}

/// `regcore.KeyOutcome`: what happened to one activation key of a request.
#[pyclass(frozen, eq, name = "KeyOutcome", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyKeyOutcome(pub KeyOutcome);

#[pymethods]
impl PyKeyOutcome {
    #[getter]
    fn activation_number(&self) -> PyActivationNumber {
        PyActivationNumber(self.0.activation_number)
    }

    /// `"issued"`, `"reissued"` or `"refused"`.
    #[getter]
    fn outcome(&self) -> &'static str {
        match self.0.outcome {
            Outcome::Issued { .. } => "issued",
            Outcome::Reissued { .. } => "reissued",
            Outcome::Refused(_) => "refused",
        }
    }

    #[getter]
    fn registration_key(&self) -> Option<PyRegistrationKey> {
        match self.0.outcome {
            Outcome::Issued {
                registration_key, ..
            }
            | Outcome::Reissued {
                registration_key, ..
            } => Some(PyRegistrationKey(registration_key)),
            Outcome::Refused(_) => None,
        }
    }

    #[getter]
    fn product(&self) -> Option<u16> {
        match self.0.outcome {
            Outcome::Issued { product, .. } | Outcome::Reissued { product, .. } => Some(product),
            Outcome::Refused(_) => None,
        }
    }

    /// First issue date, for `"reissued"`.
    #[getter]
    fn first_issued_at(&self) -> Option<Utc_> {
        match self.0.outcome {
            Outcome::Reissued {
                first_issued_at, ..
            } => Some(Utc_(first_issued_at)),
            _ => None,
        }
    }

    /// Why no key was issued (code `issuance.*`), for `"refused"`.
    #[getter]
    fn refusal(&self) -> Option<PyDiagnostic> {
        match &self.0.outcome {
            Outcome::Refused(r) => Some(PyDiagnostic::of(r)),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        let detail = match &self.0.outcome {
            Outcome::Issued {
                registration_key, ..
            }
            | Outcome::Reissued {
                registration_key, ..
            } => format!("registration_key='{registration_key}'"),
            Outcome::Refused(r) => format!("refusal='{}'", regcore::Coded::code(r)),
        };
        format!(
            "KeyOutcome(activation_number='{}', outcome='{}', {detail})",
            self.0.activation_number,
            self.outcome()
        )
    }
}

/// `regcore.IssuancePlan`: outcomes in request order and bindings to persist.
#[pyclass(frozen, eq, name = "IssuancePlan", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyIssuancePlan(pub IssuancePlan);

#[pymethods]
impl PyIssuancePlan {
    #[getter]
    fn outcomes(&self) -> Vec<PyKeyOutcome> {
        self.0.outcomes.iter().cloned().map(PyKeyOutcome).collect()
    }

    /// Insert these under a unique constraint on the activation number.
    #[getter]
    fn new_bindings(&self) -> Vec<PyBinding> {
        self.0.new_bindings.iter().cloned().map(PyBinding).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "IssuancePlan(outcomes={}, new_bindings={})",
            self.0.outcomes.len(),
            self.0.new_bindings.len()
        )
    }
}

/// Decide a request against the bindings loaded for its activation numbers.
#[pyfunction]
#[pyo3(name = "plan_issuance", signature = (master, request, existing = Vec::new(), now = None))]
fn py_plan_issuance(
    master: &PyMasterSecret,
    request: &PyIssuanceRequest,
    existing: Vec<PyRef<'_, PyBinding>>,
    now: Option<Aware>,
) -> PyResult<PyIssuancePlan> {
    let existing: Vec<Binding> = existing.iter().map(|b| b.0.clone()).collect();
    plan_issuance(&master.0, &request.0, &existing, now_or_system(now))
        .py()
        .map(PyIssuancePlan)
}

fn to_naive_date(d: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if !d.is_instance_of::<PyDate>() {
        return Err(PyTypeError::new_err("expected datetime.date"));
    }
    let y: i32 = d.getattr("year")?.extract()?;
    let m: u32 = d.getattr("month")?.extract()?;
    let day: u32 = d.getattr("day")?.extract()?;
    NaiveDate::from_ymd_opt(y, m, day).ok_or_else(|| {
        coded_err(&BoundaryError::InvalidDay {
            name: "days".to_owned(),
        })
    })
}

fn from_naive_date(py: Python<'_>, d: NaiveDate) -> PyResult<Bound<'_, PyDate>> {
    use chrono::Datelike;
    PyDate::new(
        py,
        d.year(),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

pub fn date_range(
    range: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
) -> PyResult<Option<DateRange>> {
    range
        .map(|(from, to)| {
            Ok(DateRange {
                from: to_naive_date(&from)?,
                to: to_naive_date(&to)?,
            })
        })
        .transpose()
}

pub fn fixed_offset(offset: Option<crate::time::Delta>) -> PyResult<FixedOffset> {
    const NAME: &str = "utc_offset (seconds)";
    let Some(offset) = offset else {
        return Ok(chrono::Utc.fix());
    };
    if offset.0.subsec_nanos() != 0 {
        return Err(coded_err(&BoundaryError::InvalidInteger {
            name: NAME.to_owned(),
        }));
    }
    let secs = regcore::boundary::integer_in::<i32>(
        NAME,
        i128::from(offset.0.num_seconds()),
        -86_399,
        86_399,
    )
    .py()?;
    #[expect(clippy::expect_used, reason = "the range is checked just above")]
    let offset = FixedOffset::east_opt(secs).expect("within ±24 h, checked above");
    Ok(offset)
}

/// `regcore.HistoryRow`: one issue event.
#[pyclass(frozen, eq, name = "HistoryRow", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyHistoryRow(pub HistoryRow);

#[pymethods]
impl PyHistoryRow {
    #[getter]
    fn at(&self) -> Utc_ {
        Utc_(self.0.at)
    }

    /// `"issued"`, `"reissued"` or `"rebound"`.
    #[getter]
    fn event(&self) -> &'static str {
        self.0.event.name()
    }

    #[getter]
    fn mpr_id(&self) -> PyMprId {
        PyMprId(self.0.mpr_id)
    }

    #[getter]
    fn activation_number(&self) -> PyActivationNumber {
        PyActivationNumber(self.0.activation_number)
    }

    #[getter]
    fn product(&self) -> u16 {
        self.0.product
    }

    #[getter]
    fn registration_key(&self) -> PyRegistrationKey {
        PyRegistrationKey(self.0.registration_key)
    }

    fn __repr__(&self) -> String {
        format!(
            "HistoryRow(at={:?}, event='{}', mpr_id='{}', activation_number='{}')",
            self.0.at,
            self.0.event.name(),
            self.0.mpr_id,
            self.0.activation_number
        )
    }
}

/// `regcore.HistoryReport`: detail history rows in time order.
#[pyclass(frozen, name = "HistoryReport", module = "regcore")]
pub struct PyHistoryReport(pub HistoryReport);

#[pymethods]
impl PyHistoryReport {
    #[getter]
    fn rows(&self) -> Vec<PyHistoryRow> {
        self.0.rows.iter().cloned().map(PyHistoryRow).collect()
    }

    /// CSV `at,event,mpr_id,activation_number,product,registration_key`.
    fn to_csv(&self) -> String {
        self.0.to_csv()
    }

    fn __len__(&self) -> usize {
        self.0.rows.len()
    }

    fn __repr__(&self) -> String {
        format!("HistoryReport({} rows)", self.0.rows.len())
    }
}

/// `regcore.DailyCount`: issues on one day.
#[pyclass(frozen, eq, name = "DailyCount", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyDailyCount(pub DailyCount);

#[pymethods]
impl PyDailyCount {
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDate>> {
        from_naive_date(py, self.0.date)
    }

    #[getter]
    fn issued(&self) -> u64 {
        self.0.issued
    }

    #[getter]
    fn reissued(&self) -> u64 {
        self.0.reissued
    }

    fn __repr__(&self) -> String {
        format!(
            "DailyCount(date={}, issued={}, reissued={})",
            self.0.date, self.0.issued, self.0.reissued
        )
    }
}

/// `regcore.DailyReport`: issues per day.
#[pyclass(frozen, name = "DailyReport", module = "regcore")]
pub struct PyDailyReport(pub DailyReport);

#[pymethods]
impl PyDailyReport {
    #[getter]
    fn rows(&self) -> Vec<PyDailyCount> {
        self.0.rows.iter().copied().map(PyDailyCount).collect()
    }

    /// CSV `date,issued,reissued`.
    fn to_csv(&self) -> String {
        self.0.to_csv()
    }

    fn __len__(&self) -> usize {
        self.0.rows.len()
    }

    fn __repr__(&self) -> String {
        format!("DailyReport({} days)", self.0.rows.len())
    }
}

/// `regcore.RebindRecord`: an audited administrative rebind.
#[pyclass(frozen, eq, name = "RebindRecord", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyRebindRecord(pub RebindRecord);

#[pymethods]
impl PyRebindRecord {
    #[getter]
    fn at(&self) -> Utc_ {
        Utc_(self.0.at)
    }

    #[getter]
    fn activation_number(&self) -> PyActivationNumber {
        PyActivationNumber(self.0.activation_number)
    }

    /// The terminal it was bound to before.
    #[getter(from_mpr_id)]
    fn previous_mpr_id(&self) -> PyMprId {
        PyMprId(self.0.from)
    }

    /// The terminal it is bound to now.
    #[getter]
    fn to_mpr_id(&self) -> PyMprId {
        PyMprId(self.0.to)
    }

    #[getter]
    fn actor(&self) -> &str {
        &self.0.actor
    }

    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    fn __repr__(&self) -> String {
        format!(
            "RebindRecord(activation_number='{}', from_mpr_id='{}', to_mpr_id='{}', actor={:?})",
            self.0.activation_number, self.0.from, self.0.to, self.0.actor
        )
    }
}

/// `regcore.Ledger`: in-memory bindings, history and rebind audit trail.
#[pyclass(eq, name = "Ledger", module = "regcore")]
#[derive(Clone, Default, PartialEq)]
pub struct PyLedger(Ledger);

#[pymethods]
impl PyLedger {
    #[new]
    fn py_new() -> Self {
        Self::default()
    }

    /// Plan `request` against the current bindings and apply the plan.
    #[pyo3(signature = (master, request, now = None))]
    fn issue(
        &mut self,
        master: &PyMasterSecret,
        request: &PyIssuanceRequest,
        now: Option<Aware>,
    ) -> PyResult<PyIssuancePlan> {
        self.0
            .issue(&master.0, &request.0, now_or_system(now))
            .py()
            .map(PyIssuancePlan)
    }

    /// Every binding, by activation number.
    fn bindings(&self) -> Vec<PyBinding> {
        self.0.bindings().cloned().map(PyBinding).collect()
    }

    /// Every activation key issued for a terminal.
    fn by_mpr_id(&self, mpr_id: MprIdArg) -> Vec<PyBinding> {
        self.0
            .by_mpr_id(mpr_id.0)
            .into_iter()
            .cloned()
            .map(PyBinding)
            .collect()
    }

    /// The binding of an activation number, if issued.
    fn by_activation_number(&self, number: ActivationNumberArg) -> Option<PyBinding> {
        self.0
            .by_activation_number(number.0)
            .cloned()
            .map(PyBinding)
    }

    /// The rebind audit trail.
    fn rebinds(&self) -> Vec<PyRebindRecord> {
        self.0
            .rebinds()
            .iter()
            .cloned()
            .map(PyRebindRecord)
            .collect()
    }

    /// Detail history over an optional `(first_day, last_day)` range of
    /// calendar days at `utc_offset` (e.g. `timedelta(hours=9)` for Japan).
    #[pyo3(signature = (days = None, utc_offset = None))]
    fn history(
        &self,
        days: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        utc_offset: Option<crate::time::Delta>,
    ) -> PyResult<PyHistoryReport> {
        Ok(PyHistoryReport(
            self.0.history(date_range(days)?, fixed_offset(utc_offset)?),
        ))
    }

    /// Issues per day over an optional range (see `history`).
    #[pyo3(signature = (days = None, utc_offset = None))]
    fn daily_counts(
        &self,
        days: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        utc_offset: Option<crate::time::Delta>,
    ) -> PyResult<PyDailyReport> {
        Ok(PyDailyReport(self.0.daily_counts(
            date_range(days)?,
            fixed_offset(utc_offset)?,
        )))
    }

    /// Administrative rebind, recorded with actor and reason.
    #[pyo3(signature = (master, number, to, actor, reason, now = None))]
    fn rebind(
        &mut self,
        master: &PyMasterSecret,
        number: ActivationNumberArg,
        to: MprIdArg,
        actor: Text,
        reason: Text,
        now: Option<Aware>,
    ) -> PyResult<PyRebindRecord> {
        let (actor, reason): (&str, &str) = (&actor, &reason);
        self.0
            .rebind(&master.0, number.0, to.0, actor, reason, now_or_system(now))
            .py()
            .map(PyRebindRecord)
    }

    /// Serialise (serde JSON) for a script's state file.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Load what `to_json` wrote.
    #[staticmethod]
    fn from_json(json: Text) -> PyResult<Self> {
        let json: &str = &json;
        serde_json::from_str(json).map(Self).map_err(|e| {
            coded_err(&BoundaryError::MalformedJson {
                what: "ledger",
                reason: e.to_string(),
            })
        })
    }

    fn __len__(&self) -> usize {
        self.0.bindings().count()
    }

    fn __repr__(&self) -> String {
        format!("Ledger({} bindings)", self.0.bindings().count())
    }
}

/// Register the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIssuanceRequest>()?;
    m.add_class::<PyBinding>()?;
    m.add_class::<PyKeyOutcome>()?;
    m.add_class::<PyIssuancePlan>()?;
    m.add_class::<PyHistoryRow>()?;
    m.add_class::<PyHistoryReport>()?;
    m.add_class::<PyDailyCount>()?;
    m.add_class::<PyDailyReport>()?;
    m.add_class::<PyRebindRecord>()?;
    m.add_class::<PyLedger>()?;
    m.add_function(wrap_pyfunction!(py_plan_issuance, m)?)?;
    Ok(())
}
