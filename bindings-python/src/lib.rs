//! Python binding of regcore: the extension module `regcore._native`.
//!
//! Conversions only: every rule is in the `regcore` crate. This crate turns
//! Python values into core values (aware `datetime` → UTC, `bytes` →
//! secrets, `str` → identifiers), core errors into `regcore.RegcoreError`
//! subclasses, and adds the two conveniences core leaves out on purpose: the
//! system clock as the default `now` and OS randomness for salts and minting.
#![forbid(unsafe_code)]

mod errors;
mod ids;
mod keys;
mod lockout;
mod maintenance;
mod otp;
mod pairing;
mod policy;
mod random;
mod serde_py;
mod store;
mod time;

use pyo3::prelude::*;

/// The native module; `regcore/__init__.py` re-exports it.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    ids::register(m)?;
    policy::register(m)?;
    lockout::register(m)?;
    otp::register(m)?;
    keys::register(m)?;
    pairing::register(m)?;
    maintenance::register(m)?;
    store::register(m)?;
    m.add_class::<errors::PyDiagnostic>()?;
    Ok(())
}
