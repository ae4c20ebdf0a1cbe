//! OS randomness: a binding convenience (core takes randomness as input).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static URANDOM: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `n` bytes from `os.urandom` (the operating system's CSPRNG).
pub fn os_bytes(py: Python<'_>, n: usize) -> PyResult<Vec<u8>> {
    URANDOM.import(py, "os", "urandom")?.call1((n,))?.extract()
}
