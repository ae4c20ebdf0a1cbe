//! The SQL schema of the store layer, as versioned migrations.
//!
//! The Python and Node store layers apply these (by an explicit `migrate()`
//! call, never at first use) on SQLite and PostgreSQL; the same text runs on
//! both. `{prefix}` stands for the caller's table prefix, checked by
//! [`StoreError::check_prefix`](crate::StoreError::check_prefix) before it
//! is substituted. Exposed here so Rust users and both bindings read one
//! definition; a released migration is never edited, a change is a new one.

/// `(version, SQL)` in order; the schema version is the last one's.
pub const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("../schema/0001_initial.sql"))];

/// The schema version this release of regcore expects.
pub const SCHEMA_VERSION: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_end_at_the_schema_version() {
        for (i, (version, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(usize::try_from(*version).unwrap(), i + 1);
            assert!(sql.contains("{prefix}"));
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
    }
}
