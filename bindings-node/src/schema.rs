//! The store layer's SQL schema, from the store protocol (`regcore_store::schema`), for the Node
//! store layer and for callers applying migrations themselves.

use napi_derive::napi;

/// The schema version this release of regcore expects.
#[napi]
pub const SCHEMA_VERSION: u32 = regcore_store::schema::SCHEMA_VERSION;

/// One schema migration: its version and SQL text (`{prefix}` stands for the
/// caller's table prefix).
#[napi(object)]
pub struct SchemaMigration {
    /// Version reached after applying it (1, 2, …).
    pub version: u32,
    /// The SQL (the same text runs on SQLite and PostgreSQL).
    pub sql: String,
}

/// Every migration, in order; the last one's version is `SCHEMA_VERSION`.
#[napi]
pub fn schema_migrations() -> Vec<SchemaMigration> {
    regcore_store::schema::MIGRATIONS
        .iter()
        .map(|(version, sql)| SchemaMigration {
            version: *version,
            sql: (*sql).to_owned(),
        })
        .collect()
}
