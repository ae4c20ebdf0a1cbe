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
