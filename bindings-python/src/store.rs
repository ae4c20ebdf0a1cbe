//! What the pure-Python store layer (`regcore.store`) needs from core: its
//! error codes (built here so they carry core's code, kind and messages),
//! the SQL migrations and the prefix rule. No I/O happens here.

use pyo3::prelude::*;
use regcore::{BoundaryError, ErrorKind, StoreError};

use crate::errors::{Text, coded_err};

fn store_error(py: Python<'_>, err: &StoreError) -> Py<PyAny> {
    coded_err(err).into_value(py).into_any()
}

/// `store.contended`: the exception (returned, not raised).
#[pyfunction]
fn store_contended(py: Python<'_>, operation: Text, attempts: u32) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Contended {
            operation: operation.0,
            attempts,
        },
    )
}

/// `store.unavailable`: the exception (returned, not raised).
#[pyfunction]
fn store_unavailable(py: Python<'_>, store: Text, operation: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Unavailable {
            store: store.0,
            operation: operation.0,
        },
    )
}

/// `store.driver_missing`: the exception (returned, not raised).
#[pyfunction]
fn store_driver_missing(py: Python<'_>, driver: Text, extra: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::DriverMissing {
            driver: driver.0,
            extra: extra.0,
        },
    )
}

/// `store.unsupported`: the exception (returned, not raised).
#[pyfunction]
fn store_unsupported(py: Python<'_>, store: Text, feature: Text) -> Py<PyAny> {
    store_error(
        py,
        &StoreError::Unsupported {
            store: store.0,
            feature: feature.0,
        },
    )
}

/// `store.schema_mismatch`: the exception (returned, not raised).
#[pyfunction]
fn store_schema_mismatch(py: Python<'_>, found: u32, expected: u32) -> Py<PyAny> {
    store_error(py, &StoreError::SchemaMismatch { found, expected })
}

/// `store.transaction_open`: the exception (returned, not raised).
#[pyfunction]
fn store_transaction_open(py: Python<'_>, store: Text) -> Py<PyAny> {
    store_error(py, &StoreError::TransactionOpen { store: store.0 })
}

/// `store.invalid_prefix`: the exception (returned, not raised).
#[pyfunction]
fn store_invalid_prefix(py: Python<'_>, prefix: Text) -> Py<PyAny> {
    store_error(py, &StoreError::InvalidPrefix { prefix: prefix.0 })
}

/// Raise `store.invalid_prefix` unless `prefix` is 1-32 of `a-z 0-9 _`
/// starting with a letter (core's rule).
#[pyfunction]
fn check_store_prefix(prefix: Text) -> PyResult<()> {
    StoreError::check_prefix(&prefix).map_err(|e| coded_err(&e))
}

/// The store layer's SQL migrations, `(version, sql)` in order; `{prefix}`
/// stands for the table prefix.
#[pyfunction]
fn sql_migrations() -> Vec<(u32, &'static str)> {
    regcore::schema::MIGRATIONS.to_vec()
}

/// `binding.unknown_name` for a message language (used by `RegcoreError.message`).
#[pyfunction]
fn unknown_language_error(py: Python<'_>, lang: Text) -> Py<PyAny> {
    coded_err(&BoundaryError::unknown_name("lang", &lang, &["en", "ja"]))
        .into_value(py)
        .into_any()
}

/// A timezone-aware datetime as UTC (millisecond-exact as given); a naive
/// one is core's `time.naive_datetime`, as everywhere in regcore.
#[pyfunction]
fn aware_utc(value: crate::time::Aware) -> crate::time::Utc_ {
    crate::time::Utc_(value.0)
}

/// Every error kind core defines, in core's order.
#[pyfunction]
fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Register the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(store_contended, m)?)?;
    m.add_function(wrap_pyfunction!(store_unavailable, m)?)?;
    m.add_function(wrap_pyfunction!(store_driver_missing, m)?)?;
    m.add_function(wrap_pyfunction!(store_unsupported, m)?)?;
    m.add_function(wrap_pyfunction!(store_schema_mismatch, m)?)?;
    m.add_function(wrap_pyfunction!(store_invalid_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(store_transaction_open, m)?)?;
    m.add_function(wrap_pyfunction!(check_store_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(sql_migrations, m)?)?;
    m.add_function(wrap_pyfunction!(unknown_language_error, m)?)?;
    m.add_function(wrap_pyfunction!(error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(aware_utc, m)?)?;
    m.add("SCHEMA_VERSION", regcore::schema::SCHEMA_VERSION)?;
    Ok(())
}
