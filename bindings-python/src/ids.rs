//! Typed identifiers (docs/algorithms.md §2.1) as immutable, hashable Python values.
//!
//! Each class parses with the core rule on construction; `str()` gives the
//! canonical display form. Functions that take an identifier accept either
//! the typed value or a string (parsed by core).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{IntoPyResult, Text, int};

/// Define a frozen Python class wrapping a core identifier, plus an
/// argument extractor accepting the class or a `str`.
macro_rules! py_id {
    ($py:ident, $core:ty, $name:literal, $arg:ident { $($extra:tt)* }) => {
        #[doc = concat!("Python `regcore.", $name, "`.")]
        #[pyclass(frozen, eq, hash, ord, str, name = $name, module = "regcore")]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $py(pub $core);

        impl std::fmt::Display for $py {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        #[pymethods]
        impl $py {
            /// Parse with the core rule (full-width, hyphens, case as docs/algorithms.md §2.1).
            #[new]
            fn py_new(value: Text) -> PyResult<Self> {
                let value: &str = &value;
                <$core>::parse(value).py().map(Self)
            }

            fn __repr__(&self) -> String {
                format!("{}('{}')", $name, self.0)
            }

            fn __getnewargs__(&self) -> (String,) {
                (self.0.to_string(),)
            }

            $($extra)*
        }

        /// Argument accepting the typed value or a string to parse.
        #[derive(Clone)]
        #[allow(dead_code, reason = "not every identifier is an argument of a function yet")]
        pub struct $arg(pub $core);

        impl<'a, 'py> FromPyObject<'a, 'py> for $arg {
            type Error = PyErr;
            fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                if let Ok(v) = ob.cast::<$py>() {
                    return Ok(Self(v.get().0.clone()));
                }
                if let Ok(s) = ob.cast::<PyString>() {
                    return <$core>::parse(&crate::errors::text_of(&s)?).py().map(Self);
                }
                Err(PyTypeError::new_err(format!(
                    concat!("expected ", $name, " or str, got {}"),
                    ob.get_type().name()?
                )))
            }
        }
    };
}

py_id!(PyMprId, regcore::MprId, "MprId", MprIdArg {
/// From the numeric value (0 ≤ value < 2**64).
#[staticmethod]
fn from_int(#[pyo3(from_py_with = int::value_u64)] value: u64) -> Self {
    Self(regcore::MprId::from_u64(value))
}
/// The numeric value.
fn __int__(&self) -> u64 {
    self.0.as_u64()
}
/// The numeric value.
#[getter]
fn value(&self) -> u64 {
    self.0.as_u64()
}
/// 16 upper-case hex digits without hyphens.
#[getter]
fn compact(&self) -> String {
    self.0.compact()
}
/// Big-endian bytes (8).
fn __bytes__(&self) -> [u8; 8] {
    self.0.to_bytes()
}
});
py_id!(PyActivationNumber, regcore::ActivationNumber, "ActivationNumber", ActivationNumberArg {
/// From the numeric value (0 ≤ value < 2**64).
#[staticmethod]
fn from_int(#[pyo3(from_py_with = int::value_u64)] value: u64) -> Self {
    Self(regcore::ActivationNumber::from_u64(value))
}
/// The numeric value.
fn __int__(&self) -> u64 {
    self.0.as_u64()
}
/// The numeric value.
#[getter]
fn value(&self) -> u64 {
    self.0.as_u64()
}
/// 16 upper-case hex digits without hyphens.
#[getter]
fn compact(&self) -> String {
    self.0.compact()
}
/// Big-endian bytes (8).
fn __bytes__(&self) -> [u8; 8] {
    self.0.to_bytes()
}
});
py_id!(PyRegistrationId, regcore::RegistrationId, "RegistrationId", RegistrationIdArg {
    /// From the numeric value (0 ≤ value < 2**32).
    #[staticmethod]
    fn from_int(#[pyo3(from_py_with = int::value_u32)] value: u32) -> Self {
        Self(regcore::RegistrationId::from_u32(value))
    }
    /// The numeric value.
    fn __int__(&self) -> u32 {
        self.0.as_u32()
    }
    /// The numeric value.
    #[getter]
    fn value(&self) -> u32 {
        self.0.as_u32()
    }
    /// Big-endian bytes (4).
    fn __bytes__(&self) -> [u8; 4] {
        self.0.to_bytes()
    }
});
py_id!(
    PyUpsSerial,
    regcore::UpsSerial,
    "UpsSerial",
    UpsSerialArg {}
);
py_id!(
    PyGatewayId,
    regcore::GatewayId,
    "GatewayId",
    GatewayIdArg {}
);
py_id!(
    PyPhoneNumber,
    regcore::PhoneNumber,
    "PhoneNumber",
    PhoneNumberArg {}
);
py_id!(PyDealerId, regcore::DealerId, "DealerId", DealerIdArg {});
py_id!(
    PyKmsLoginId,
    regcore::KmsLoginId,
    "KmsLoginId",
    KmsLoginIdArg {}
);
py_id!(PyEmailAddress, regcore::EmailAddress, "EmailAddress", EmailAddressArg {
    /// The part before `@`.
    #[getter]
    fn local_part(&self) -> &str {
        self.0.local_part()
    }
    /// The part after `@`.
    #[getter]
    fn domain(&self) -> &str {
        self.0.domain()
    }
    /// Key for uniqueness checks: the domain lower-cased.
    fn comparison_key(&self) -> String {
        self.0.comparison_key()
    }
});

/// Register the identifier classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMprId>()?;
    m.add_class::<PyActivationNumber>()?;
    m.add_class::<PyRegistrationId>()?;
    m.add_class::<PyUpsSerial>()?;
    m.add_class::<PyGatewayId>()?;
    m.add_class::<PyPhoneNumber>()?;
    m.add_class::<PyDealerId>()?;
    m.add_class::<PyKmsLoginId>()?;
    m.add_class::<PyEmailAddress>()?;
    Ok(())
}
