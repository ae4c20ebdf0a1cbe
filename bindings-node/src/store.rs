//! Core's store errors (`regcore::StoreError`) for the Node store layer
//! (`regcore/store`): the pure-JavaScript stores build every coded error they
//! throw here, so codes, kinds, parameters and both messages come from core.
//! Each factory *returns* the error (the caller throws it, after attaching
//! the driver's error as `cause`).

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::Coded;
use regcore_store::StoreError;

use crate::convert::{JsNumber, JsString, coded_error, int};

fn error_object<'env>(env: &'env Env, err: &StoreError) -> Result<Object<'env>> {
    let mut obj = env.create_error(Error::new(Status::GenericFailure, err.message_en()))?;
    obj.set("name", "RegcoreError")?;
    obj.set("code", err.code())?;
    obj.set("kind", err.kind().as_str())?;
    let mut params = Object::new(env)?;
    for (key, value) in err.params() {
        params.set(key, value)?;
    }
    obj.set("params", params)?;
    obj.set("messageJa", err.message_ja())?;
    Ok(obj)
}

/// `store.contended` (kind `store_contended`): a compare-and-set kept losing
/// after `attempts` tries (an integer `0..=4294967295`); nothing was recorded.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_contended<'env>(
    env: &'env Env,
    operation: String,
    attempts: JsNumber,
) -> Result<Object<'env>> {
    let attempts = int::<u32>(env, "attempts", attempts)?;
    error_object(
        env,
        &StoreError::Contended {
            operation,
            attempts,
        },
    )
}

/// `store.unavailable` (kind `store_unavailable`): the `store` (`sqlite`,
/// `postgres`, `redis`) failed during `operation`; nothing was recorded.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_unavailable<'env>(
    env: &'env Env,
    store: String,
    operation: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::Unavailable { store, operation })
}

/// `store.driver_missing` (kind `configuration`): the `driver` package is
/// not installed; `extra` names what installs it (for npm: the package).
#[napi(ts_return_type = "RegcoreError")]
pub fn store_driver_missing<'env>(
    env: &'env Env,
    driver: String,
    extra: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::DriverMissing { driver, extra })
}

/// `store.unsupported` (kind `configuration`): e.g. the ledger on Redis.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_unsupported<'env>(
    env: &'env Env,
    store: String,
    feature: String,
) -> Result<Object<'env>> {
    error_object(env, &StoreError::Unsupported { store, feature })
}

/// `store.schema_mismatch` (kind `configuration`): the database is at schema
/// version `found` (0: none), this release needs `expected`; run `migrate()`.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_schema_mismatch<'env>(
    env: &'env Env,
    found: JsNumber,
    expected: JsNumber,
) -> Result<Object<'env>> {
    let found = int::<u32>(env, "found", found)?;
    let expected = int::<u32>(env, "expected", expected)?;
    error_object(env, &StoreError::SchemaMismatch { found, expected })
}

/// `store.invalid_prefix` (kind `configuration`) for `prefix`.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_invalid_prefix<'env>(env: &'env Env, prefix: String) -> Result<Object<'env>> {
    let clipped: String = prefix.chars().take(64).collect();
    error_object(env, &StoreError::InvalidPrefix { prefix: clipped })
}

/// Core's rule for a table or key prefix (1–32 of `a–z 0–9 _`, starting
/// with a letter; it is spliced into SQL identifiers and Redis keys).
/// Throws `store.invalid_prefix`.
#[napi]
pub fn check_store_prefix(env: &Env, prefix: JsString) -> Result<()> {
    let prefix = prefix.text(env, "prefix")?;
    StoreError::check_prefix(&prefix).map_err(|e| coded_error(env, &e))
}

/// `store.transaction_open` (kind `configuration`): the caller's connection
/// is inside a transaction, so an admission could not be committed before
/// the password check.
#[napi(ts_return_type = "RegcoreError")]
pub fn store_transaction_open<'env>(env: &'env Env, store: String) -> Result<Object<'env>> {
    error_object(env, &StoreError::TransactionOpen { store })
}

/// The same `Date`, checked: anything that is not a valid `Date` throws
/// core's `binding.invalid_date` (the store layer's `now`).
#[napi]
pub fn checked_date(value: crate::convert::Date) -> crate::convert::Date {
    value
}
