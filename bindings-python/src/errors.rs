//! Conversion of any [`regcore::Coded`] error into a Python exception.
//!
//! The exception classes live in `regcore/_errors.py`; which subclass a code
//! maps to is decided there, from the code's prefix, so one generic function
//! here serves every core error type.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use regcore::Coded;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Build the `regcore.RegcoreError` subclass instance for a coded error.
pub fn coded_err<E: Coded + ?Sized>(err: &E) -> PyErr {
    Python::attach(|py| match build(py, err) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    })
}

fn build<'py, E: Coded + ?Sized>(py: Python<'py>, err: &E) -> PyResult<Bound<'py, PyAny>> {
    let ctor = FROM_NATIVE.import(py, "regcore._errors", "_from_native")?;
    let params = PyDict::new(py);
    for (k, v) in err.params() {
        params.set_item(k, v)?;
    }
    ctor.call1((err.code(), params, err.message_en(), err.message_ja()))
}

/// `Result<T, E: Coded>` → `PyResult<T>`.
pub trait IntoPyResult<T> {
    /// Convert the error side into a Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T, E: Coded> IntoPyResult<T> for Result<T, E> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| coded_err(&e))
    }
}

/// Add a note naming the failing item of a batch (`add_note`, Python 3.11+).
pub fn with_item_note(py: Python<'_>, err: PyErr, index: usize) -> PyErr {
    let value = err.value(py);
    // A failure to add the note must not hide the original error.
    let _ = value.call_method1("add_note", (format!("in item {index} of the batch"),));
    err
}

/// `regcore.Diagnostic`: code, parameters and both messages of a rule
/// violation or refusal that is data rather than an exception.
#[pyclass(frozen, eq, subclass, name = "Diagnostic", module = "regcore")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyDiagnostic(pub regcore::Diagnostic);

impl PyDiagnostic {
    /// From any coded value.
    pub fn of<E: Coded + ?Sized>(value: &E) -> Self {
        Self(value.to_diagnostic())
    }
}

#[pymethods]
impl PyDiagnostic {
    /// Stable machine code.
    #[getter]
    fn code(&self) -> &str {
        &self.0.code
    }

    /// Named parameters (string values, in core's order).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.0.params {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    #[getter]
    fn message_en(&self) -> &str {
        &self.0.message_en
    }

    #[getter]
    fn message_ja(&self) -> &str {
        &self.0.message_ja
    }

    /// The message in `"en"` or `"ja"`.
    #[pyo3(signature = (lang = "en"))]
    fn message(&self, lang: &str) -> PyResult<&str> {
        match lang {
            "en" => Ok(&self.0.message_en),
            "ja" => Ok(&self.0.message_ja),
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown language {other:?}; expected 'en' or 'ja'"
            ))),
        }
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        let params: Vec<String> = self
            .0
            .params
            .iter()
            .map(|(k, v)| format!("{k:?}: {v:?}"))
            .collect();
        format!("Diagnostic({:?}, {{{}}})", self.0.code, params.join(", "))
    }
}
