//! serde data ↔ Python `dict` through JSON, for the policies core defines
//! as plain serde data (so a Python dict has exactly core's field names).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A serde value as a Python object (dict, list, …).
pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let json = to_json(value)?;
    LOADS.import(py, "json", "loads")?.call1((json,))
}

/// A Python object (dict, …) as a serde value; a wrong shape is `ValueError`.
pub fn from_py<T: serde::de::DeserializeOwned>(ob: &Bound<'_, PyAny>) -> PyResult<T> {
    let json: String = DUMPS
        .import(ob.py(), "json", "dumps")?
        .call1((ob,))?
        .extract()?;
    from_json(&json)
}

/// Serialise to JSON.
pub fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Deserialise from JSON; a wrong shape is core's `binding.malformed_json`
/// naming what the JSON should have been.
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| {
        crate::errors::coded_err(&regcore::BoundaryError::MalformedJson {
            what: short_type_name::<T>(),
            reason: e.to_string(),
        })
    })
}

/// `regcore::lockout::LockoutPolicy` → `LockoutPolicy`.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// The serde name of a unit-like enum value (`rename_all = "snake_case"`),
/// or the value of its `tag` field for a tagged enum: the stable string a
/// Python caller compares against.
pub fn name_of<T: serde::Serialize>(value: &T, tag: Option<&str>) -> String {
    match (serde_json::to_value(value), tag) {
        (Ok(serde_json::Value::String(s)), _) => s,
        (Ok(serde_json::Value::Object(map)), Some(tag)) => match map.get(tag) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}
