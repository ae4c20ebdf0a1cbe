//! The SQL schema, as versioned migrations.
//!
//! Executors apply these (by an explicit `migrate()`, never at first use) on
//! SQLite and PostgreSQL; the same text runs on both. `{prefix}` stands for
//! the caller's table prefix, checked by [`Prefix::new`](crate::Prefix::new)
//! before it is substituted. A released migration is never edited; a change
//! is a new one.

/// `(version, SQL)` in order; the schema version is the last one's.
pub const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("../schema/0001_initial.sql"))];

/// The schema version this release expects.
pub const SCHEMA_VERSION: u32 = 1;

/// The statements of a migration for `prefix`: whole-line `--` comments
/// dropped, split at `;` (the schema files keep `;` out of comments and
/// literals).
#[must_use]
pub fn statements(migration: &str, prefix: &crate::Prefix) -> Vec<String> {
    let code: Vec<&str> = migration
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect();
    code.join("\n")
        .replace("{prefix}", prefix.as_str())
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_end_at_the_schema_version() {
        for (i, (version, sql)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(usize::try_from(*version).ok(), Some(i + 1));
            assert!(sql.contains("{prefix}"));
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
    }
}
