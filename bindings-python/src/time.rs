//! Exact conversion between timezone-aware `datetime`/`timedelta` and chrono.
//!
//! A naive `datetime` is refused with `TypeError`: guessing UTC (or local
//! time) silently would shift every expiry by the server's offset.
//! Conversion goes through `datetime - epoch` so it is exact to the
//! microsecond and works with any `tzinfo` (`timezone`, `zoneinfo`, …).

use chrono::{DateTime, TimeDelta, Utc};
use pyo3::exceptions::PyTypeError;
use regcore::BoundaryError;

use crate::errors::{IntoPyResult, coded_err};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static DATETIME_TYPE: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static TIMEDELTA_TYPE: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    EPOCH
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let m = py.import("datetime")?;
            let utc = m.getattr("timezone")?.getattr("utc")?;
            Ok(m.getattr("datetime")?
                .call1((1970, 1, 1, 0, 0, 0, 0, utc))?
                .unbind())
        })
        .map(|e| e.bind(py))
}

fn timedelta_parts(td: &Bound<'_, PyAny>) -> PyResult<TimeDelta> {
    let days: i64 = td.getattr("days")?.extract()?;
    let seconds: i64 = td.getattr("seconds")?.extract()?;
    let micros: i64 = td.getattr("microseconds")?.extract()?;
    // |days| <= 999_999_999 in Python, so these never overflow i64.
    TimeDelta::try_days(days)
        .and_then(|d| d.checked_add(&TimeDelta::try_seconds(seconds)?))
        .and_then(|d| d.checked_add(&TimeDelta::microseconds(micros)))
        .ok_or_else(|| coded_err(&BoundaryError::TimeOutOfRange))
}

/// A timezone-aware `datetime` as UTC.
pub fn to_utc(ob: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    let py = ob.py();
    let dt_type = DATETIME_TYPE.import(py, "datetime", "datetime")?;
    if !ob.is_instance(dt_type)? {
        return Err(PyTypeError::new_err(format!(
            "expected a timezone-aware datetime.datetime, got {}",
            ob.get_type().name()?
        )));
    }
    if ob.call_method0("utcoffset")?.is_none() {
        // regcore never guesses the zone of a naive datetime.
        return Err(coded_err(&BoundaryError::NaiveDateTime {
            name: "datetime".to_owned(),
        }));
    }
    let delta = timedelta_parts(&ob.sub(epoch(py)?)?)?;
    DateTime::<Utc>::UNIX_EPOCH
        .checked_add_signed(delta)
        .ok_or_else(|| coded_err(&BoundaryError::TimeOutOfRange))
}

/// A UTC instant as a `datetime` with `tzinfo=timezone.utc`.
pub fn from_utc<'py>(py: Python<'py>, t: DateTime<Utc>) -> PyResult<Bound<'py, PyAny>> {
    let delta = t.signed_duration_since(DateTime::<Utc>::UNIX_EPOCH);
    epoch(py)?.add(delta_to_py(py, delta)?)
}

/// A Python `timedelta` as chrono.
pub fn to_delta(ob: &Bound<'_, PyAny>) -> PyResult<TimeDelta> {
    let td_type = TIMEDELTA_TYPE.import(ob.py(), "datetime", "timedelta")?;
    if !ob.is_instance(td_type)? {
        return Err(PyTypeError::new_err(format!(
            "expected datetime.timedelta, got {}",
            ob.get_type().name()?
        )));
    }
    timedelta_parts(ob)
}

/// A chrono duration as a Python `timedelta`.
pub fn delta_to_py(py: Python<'_>, d: TimeDelta) -> PyResult<Bound<'_, PyAny>> {
    let td_type = TIMEDELTA_TYPE.import(py, "datetime", "timedelta")?;
    let secs = d.num_seconds();
    let micros = d.subsec_nanos() / 1000;
    td_type.call1((0, secs, micros))
}

/// The system clock: the binding's convenience default for `now=None`.
pub fn system_now() -> DateTime<Utc> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    TimeDelta::from_std(since)
        .ok()
        .and_then(|d| DateTime::<Utc>::UNIX_EPOCH.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Wrapper extracting a timezone-aware `datetime`.
#[derive(Clone, Copy, Debug)]
pub struct Aware(pub DateTime<Utc>);

impl<'a, 'py> FromPyObject<'a, 'py> for Aware {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        to_utc(&ob).map(Aware)
    }
}

/// `now` argument: the given aware datetime or the system clock.
pub fn now_or_system(now: Option<Aware>) -> DateTime<Utc> {
    now.map_or_else(system_now, |a| a.0)
}

/// Wrapper extracting a `timedelta`.
#[derive(Clone, Copy, Debug)]
pub struct Delta(pub TimeDelta);

impl<'a, 'py> FromPyObject<'a, 'py> for Delta {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        to_delta(&ob).map(Delta)
    }
}

/// Wrapper converting a UTC instant to an aware `datetime`.
#[derive(Clone, Copy, Debug)]
pub struct Utc_(pub DateTime<Utc>);

impl<'py> IntoPyObject<'py> for Utc_ {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        from_utc(py, self.0)
    }
}

/// A non-negative whole number of seconds from a `timedelta` (the unit core
/// keeps lifetimes and lock lengths in).
pub fn whole_secs(d: Delta, what: &str) -> PyResult<u64> {
    let td = d.0;
    if td.subsec_nanos() != 0 {
        return Err(coded_err(&BoundaryError::InvalidInteger {
            name: format!("{what} (seconds)"),
        }));
    }
    regcore::boundary::integer::<u64>(&format!("{what} (seconds)"), i128::from(td.num_seconds()))
        .py()
}

/// Seconds as a `timedelta` value.
pub fn secs_delta(secs: u64) -> DeltaOut {
    DeltaOut(
        TimeDelta::try_seconds(i64::try_from(secs).unwrap_or(i64::MAX)).unwrap_or(TimeDelta::MAX),
    )
}

/// Wrapper converting a chrono duration to `timedelta`.
#[derive(Clone, Copy, Debug)]
pub struct DeltaOut(pub TimeDelta);

impl<'py> IntoPyObject<'py> for DeltaOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        delta_to_py(py, self.0)
    }
}
