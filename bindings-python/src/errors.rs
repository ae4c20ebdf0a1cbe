//! Conversion of any [`regcore::Coded`] error into a Python exception.
//!
//! The exception classes live in `regcore/_errors.py`, one per core
//! [`regcore::ErrorKind`]; the class is chosen by the kind core gives the
//! code, so one generic function here serves every core error type and no
//! table in the binding decides anything.

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
    ctor.call1((
        err.code(),
        err.kind().as_str(),
        params,
        err.message_en(),
        err.message_ja(),
    ))
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

    /// What kind of failure or rule this is (core's `ErrorKind` name).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
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
            other => Err(coded_err(&regcore::BoundaryError::unknown_name(
                "lang",
                other,
                &["en", "ja"],
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

// --- values crossing the boundary -------------------------------------------

use pyo3::types::{PyInt, PyString};
use regcore::BoundaryError;
use regcore::boundary::{BoundedInteger, integer_in};

/// A Python int converted to `T` within `min..=max`, or a coded error
/// naming the parameter: `binding.invalid_integer` for anything that is not
/// an int (bools included), `binding.integer_out_of_range` for any int
/// outside the range, however large. Never wraps, never `OverflowError`.
pub fn int_in<T: BoundedInteger>(
    obj: &Bound<'_, PyAny>,
    name: &str,
    min: i128,
    max: i128,
) -> PyResult<T> {
    let invalid = || {
        coded_err(&BoundaryError::InvalidInteger {
            name: name.to_owned(),
        })
    };
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(invalid());
    }
    let int = obj.cast::<PyInt>().map_err(|_| invalid())?;
    // Beyond i128 the value is out of every range a parameter has.
    let value = int
        .extract::<i128>()
        .unwrap_or(if int.lt(0)? { i128::MIN } else { i128::MAX });
    integer_in(name, value, min, max).py()
}

/// [`int_in`] over `T`'s whole range.
pub fn int_arg<T: BoundedInteger>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<T> {
    int_in(obj, name, T::MIN, T::MAX)
}

/// `from_py_with` converters, one per documented parameter name, so the
/// coded error names the parameter the caller passed.
macro_rules! int_params {
    ($($fn_name:ident: $ty:ty = $name:literal;)*) => {$(
        pub fn $fn_name(obj: &Bound<'_, PyAny>) -> PyResult<$ty> {
            super::int_arg::<$ty>(obj, $name)
        }
    )*};
}

pub mod int {
    //! Integer parameters of the public API, by name.
    use pyo3::prelude::*;

    int_params! {
        value_u64: u64 = "value";
        value_u32: u32 = "value";
        value_u16: u16 = "value";
        product: u16 = "product";
        serial: u64 = "serial";
        code: u16 = "code";
        key_id: u32 = "key_id";
        length: usize = "length";
        failures: u32 = "failures";
        threshold: u32 = "threshold";
        max_login_failures: u32 = "max_login_failures";
        max_attempts: u32 = "max_attempts";
        generation: u32 = "generation";
        series: u32 = "series";
        attempts: u32 = "attempts";
        current_generation: u32 = "current_generation";
        memory_kib: u32 = "memory_kib";
        iterations: u32 = "iterations";
        parallelism: u32 = "parallelism";
        max_memory_kib: u32 = "max_memory_kib";
        max_work: u64 = "max_work";
    }
}

/// The UTF-8 text of a Python `str`, or coded `binding.invalid_string` (a
/// lone surrogate cannot be encoded) instead of a bare `UnicodeEncodeError`.
pub fn text_of<'a>(s: &'a Bound<'_, PyString>) -> PyResult<std::borrow::Cow<'a, str>> {
    s.to_cow().map_err(|_| {
        coded_err(&BoundaryError::InvalidString {
            name: "text".to_owned(),
        })
    })
}

/// A `str` argument as UTF-8, or coded `binding.invalid_string` (a lone
/// surrogate cannot be encoded) instead of a bare `UnicodeEncodeError`.
pub struct Text(pub String);

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let s = obj.cast::<PyString>().map_err(PyErr::from)?;
        text_of(&s).map(|text| Self(text.into_owned()))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Integers inside containers (tuples, dict keys), checked like parameters.
macro_rules! int_items {
    ($($(#[$doc:meta])* $ty:ident($int:ty) = $check:path;)*) => {$(
        $(#[$doc])*
        pub struct $ty(pub $int);

        impl<'a, 'py> FromPyObject<'a, 'py> for $ty {
            type Error = PyErr;
            fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                $check(&obj).map(Self)
            }
        }
    )*};
}

int_items! {
    /// A product code inside a batch item or a catalogue.
    ProductItem(u16) = int::product;
    /// A failure count inside a tier.
    FailuresItem(u32) = int::failures;
}
