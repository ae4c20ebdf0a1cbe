//! Every SQL statement the store sends, rendered once per dialect and
//! placeholder style, from one text.
//!
//! Statements are written with `?` for each parameter and rendered for the
//! driver (`?` for SQLite, `$1…` for `pg`/sqlx, `%s` for psycopg). The store
//! writes only portable SQL (SQLite 3.24+, PostgreSQL 12+); where the
//! dialects differ (locking, the catalogue, advisory locks) the difference
//! is here and nowhere else. Golden copies of every statement are in
//! `store/tests/golden/`.

use regcore::ledger::HistoryEvent;

use crate::Prefix;
use crate::schema::SCHEMA_VERSION;

/// The SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite 3.24 or later.
    Sqlite,
    /// PostgreSQL 12 or later.
    Postgres,
}

impl Dialect {
    /// The store name used in errors (`sqlite`, `postgres`).
    #[must_use]
    pub const fn store_name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// How the driver marks parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placeholder {
    /// `?` (SQLite drivers).
    Question,
    /// `$1, $2, …` (`pg`, sqlx on PostgreSQL).
    Dollar,
    /// `%s` (psycopg, DB-API "format").
    Percent,
}

/// A state cell table: one text per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Lockout state per key.
    Lockout,
    /// One-time-code state per (purpose, subject).
    Code,
    /// Session state per id.
    Session,
}

impl Table {
    /// Every cell table.
    pub const ALL: [Self; 3] = [Self::Lockout, Self::Code, Self::Session];

    /// The table's short name (also the Redis key's kind).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Lockout => "lockout",
            Self::Code => "code",
            Self::Session => "session",
        }
    }

    const fn key_columns(self) -> &'static [&'static str] {
        match self {
            Self::Lockout | Self::Session => &["key"],
            Self::Code => &["purpose", "subject"],
        }
    }
}

const BINDING_COLUMNS: &str =
    "activation_number, mpr_id, product, registration_key, first_issued_at";
const HISTORY_COLUMNS: &str =
    "seq, at, event, mpr_id, activation_number, product, registration_key";

/// The statements of one store: its dialect, placeholder style and prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sql {
    dialect: Dialect,
    placeholder: Placeholder,
    prefix: Prefix,
}

impl Sql {
    /// Statements for `dialect` with `placeholder` parameters on tables
    /// named `<prefix>_…`.
    #[must_use]
    pub const fn new(dialect: Dialect, placeholder: Placeholder, prefix: Prefix) -> Self {
        Self {
            dialect,
            placeholder,
            prefix,
        }
    }

    /// The dialect.
    #[must_use]
    pub const fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The table prefix.
    #[must_use]
    pub const fn prefix(&self) -> &Prefix {
        &self.prefix
    }

    fn t(&self, name: &str) -> String {
        format!("{}_{name}", self.prefix.as_str())
    }

    /// `text` with each `?` replaced by the driver's placeholder (the
    /// statements hold no `?` inside literals).
    #[must_use]
    pub fn render(&self, text: &str) -> String {
        match self.placeholder {
            Placeholder::Question => text.to_owned(),
            Placeholder::Percent => text.replace('?', "%s"),
            Placeholder::Dollar => {
                let mut out = String::new();
                let mut n = 0u32;
                for c in text.chars() {
                    if c == '?' {
                        n = n.saturating_add(1);
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    fn marks(n: usize) -> String {
        vec!["?"; n].join(", ")
    }

    fn cell_where(table: Table) -> String {
        table
            .key_columns()
            .iter()
            .map(|c| format!("{c} = ?"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    // --- transactions ---------------------------------------------------------

    /// Start a transaction that will write (SQLite takes the write lock at
    /// once, so two writers never deadlock on an upgrade).
    #[must_use]
    pub fn begin_write(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => "BEGIN IMMEDIATE".to_owned(),
            Dialect::Postgres => "BEGIN".to_owned(),
        }
    }

    /// Commit.
    #[must_use]
    pub fn commit(&self) -> String {
        "COMMIT".to_owned()
    }

    /// Roll back.
    #[must_use]
    pub fn rollback(&self) -> String {
        "ROLLBACK".to_owned()
    }

    // --- state cells ------------------------------------------------------------

    /// The database server's clock, in milliseconds since the Unix epoch
    /// (SQLite: the one machine's clock).
    #[must_use]
    pub const fn server_ms(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        }
    }

    /// The clock guard every cell write carries: true when no tolerance is
    /// given (the caller's own `now`), or when the server's clock is within
    /// the tolerance of the operation's `now`. Parameters: tolerance (ms or
    /// NULL), now (ms), tolerance again.
    fn clock_guard(&self) -> String {
        format!(
            "(CAST(? AS BIGINT) IS NULL OR ABS({} - CAST(? AS BIGINT)) <= CAST(? AS BIGINT))",
            self.server_ms()
        )
    }

    /// The schema version the database holds now, as a scalar subquery
    /// (NULL when it records none).
    fn version_now(&self) -> String {
        format!(
            "(SELECT value FROM {} WHERE name = 'schema_version')",
            self.t("meta")
        )
    }

    /// The schema guard every cell write carries: the database still holds
    /// the schema version this build speaks, so a store running while the
    /// database was migrated under it writes nothing (and its next read
    /// says `store.schema_mismatch`).
    fn version_guard(&self) -> String {
        format!("{} = {SCHEMA_VERSION}", self.version_now())
    }

    /// Read a cell's text, the server's clock and the schema version:
    /// always one row, the text NULL when the cell is absent. Parameters:
    /// the address.
    #[must_use]
    pub fn cell_select(&self, table: Table) -> String {
        self.render(&format!(
            "SELECT (SELECT state FROM {} WHERE {}), {}, {}",
            self.t(table.name()),
            Self::cell_where(table),
            self.server_ms(),
            self.version_now()
        ))
    }

    /// Insert a cell if absent (one round trip for the common first write),
    /// under the clock guard. Parameters: the address, state, expires_at,
    /// then the guard's; changes 1 row, or 0 (present, or clocks apart).
    #[must_use]
    pub fn cell_insert(&self, table: Table) -> String {
        let cols = table.key_columns();
        let keys = vec!["CAST(? AS TEXT)"; cols.len()].join(", ");
        self.render(&format!(
            "INSERT INTO {} ({}, state, expires_at) SELECT {keys}, CAST(? AS TEXT), CAST(? AS BIGINT) \
             WHERE {} AND {} ON CONFLICT DO NOTHING",
            self.t(table.name()),
            cols.join(", "),
            self.clock_guard(),
            self.version_guard()
        ))
    }

    /// Replace a cell's text only if it still holds the expected text,
    /// under the clock guard. Parameters: new state, expires_at, the
    /// address, expected state, then the guard's.
    #[must_use]
    pub fn cell_update(&self, table: Table) -> String {
        self.render(&format!(
            "UPDATE {} SET state = ?, expires_at = ? WHERE {} AND state = ? AND {} AND {}",
            self.t(table.name()),
            Self::cell_where(table),
            self.clock_guard(),
            self.version_guard()
        ))
    }

    /// Delete a cell only if it still holds the expected text, under the
    /// clock guard. Parameters: the address, expected state, the guard's.
    #[must_use]
    pub fn cell_delete(&self, table: Table) -> String {
        self.render(&format!(
            "DELETE FROM {} WHERE {} AND state = ? AND {} AND {}",
            self.t(table.name()),
            Self::cell_where(table),
            self.clock_guard(),
            self.version_guard()
        ))
    }

    /// Delete a table's cells that expired by `now`, or by the server's
    /// clock when `now` is NULL. Parameter: now (ms or NULL).
    #[must_use]
    pub fn purge(&self, table: Table) -> String {
        self.render(&format!(
            "DELETE FROM {} WHERE expires_at IS NOT NULL AND expires_at <= COALESCE(CAST(? AS BIGINT), {})",
            self.t(table.name()),
            self.server_ms()
        ))
    }

    /// The server's clock alone (ms): one row.
    #[must_use]
    pub fn server_now(&self) -> String {
        format!("SELECT {}", self.server_ms())
    }

    /// The first statement of every ledger write transaction: the server's
    /// clock (ms) and the schema version the database holds (NULL when it
    /// records none); one row.
    #[must_use]
    pub fn transaction_check(&self) -> String {
        format!("SELECT {}, {}", self.server_ms(), self.version_now())
    }

    // --- schema ---------------------------------------------------------------------

    /// Whether the meta table exists: one row, one integer (0 or 1).
    /// Parameter: the meta table's name.
    #[must_use]
    pub fn meta_exists(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => {
                self.render("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
            }
            Dialect::Postgres => self.render("SELECT CAST(to_regclass(?) IS NOT NULL AS INTEGER)"),
        }
    }

    /// The meta table's name (the parameter of [`Sql::meta_exists`]).
    #[must_use]
    pub fn meta_table(&self) -> String {
        self.t("meta")
    }

    /// The applied schema version: one row or none.
    #[must_use]
    pub fn schema_version(&self) -> String {
        format!(
            "SELECT value FROM {} WHERE name = 'schema_version'",
            self.t("meta")
        )
    }

    /// Serialise two processes migrating at once (PostgreSQL: a transaction
    /// advisory lock on the meta table's name; SQLite: `BEGIN IMMEDIATE`
    /// already does). Parameter: the meta table's name.
    #[must_use]
    pub fn migration_lock(&self) -> Option<String> {
        match self.dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(self.render("SELECT pg_advisory_xact_lock(hashtext(?))")),
        }
    }

    /// Record the schema version the first time. Parameter: the version.
    #[must_use]
    pub fn insert_schema_version(&self) -> String {
        self.render(&format!(
            "INSERT INTO {} (name, value) VALUES ('schema_version', ?)",
            self.t("meta")
        ))
    }

    /// Record a new schema version. Parameter: the version.
    #[must_use]
    pub fn update_schema_version(&self) -> String {
        self.render(&format!(
            "UPDATE {} SET value = ? WHERE name = 'schema_version'",
            self.t("meta")
        ))
    }

    // --- pairing ledger -------------------------------------------------------------

    /// The bindings of `n` activation numbers. Parameters: the numbers.
    #[must_use]
    pub fn bindings_of(&self, n: usize) -> String {
        self.render(&format!(
            "SELECT {BINDING_COLUMNS} FROM {} WHERE activation_number IN ({})",
            self.t("binding"),
            Self::marks(n)
        ))
    }

    /// The binding of one activation number, locked until commit where the
    /// dialect allows (SQLite's `BEGIN IMMEDIATE` already holds the lock).
    /// Parameter: the number.
    #[must_use]
    pub fn binding_for_update(&self) -> String {
        let lock = match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        };
        self.render(&format!(
            "SELECT {BINDING_COLUMNS} FROM {} WHERE activation_number = ?{lock}",
            self.t("binding")
        ))
    }

    /// Bind `n` activation numbers, first writer wins: changes `n` rows, or
    /// fewer when another request bound one first. Parameters: 5 per row.
    #[must_use]
    pub fn insert_bindings(&self, n: usize) -> String {
        let rows = vec![format!("({})", Self::marks(5)); n].join(", ");
        self.render(&format!(
            "INSERT INTO {} ({BINDING_COLUMNS}) VALUES {rows} ON CONFLICT DO NOTHING",
            self.t("binding")
        ))
    }

    /// Move a binding, only if still bound to the terminal read. Parameters:
    /// new mpr_id, registration_key, first_issued_at; number, old mpr_id.
    #[must_use]
    pub fn rebind_binding(&self) -> String {
        self.render(&format!(
            "UPDATE {} SET mpr_id = ?, registration_key = ?, first_issued_at = ? \
             WHERE activation_number = ? AND mpr_id = ?",
            self.t("binding")
        ))
    }

    /// Reserve history sequence numbers (holds the ledger's write lock until
    /// commit, so history is in commit order). Parameter: how many.
    #[must_use]
    pub fn reserve_seq(&self) -> String {
        self.render(&format!(
            "UPDATE {} SET value = value + ? WHERE name = 'history_seq'",
            self.t("meta")
        ))
    }

    /// The last reserved sequence number: one row.
    #[must_use]
    pub fn current_seq(&self) -> String {
        format!(
            "SELECT value FROM {} WHERE name = 'history_seq'",
            self.t("meta")
        )
    }

    /// Append `n` history rows. Parameters: 7 per row.
    #[must_use]
    pub fn insert_history(&self, n: usize) -> String {
        let rows = vec![format!("({})", Self::marks(7)); n].join(", ");
        self.render(&format!(
            "INSERT INTO {} ({HISTORY_COLUMNS}) VALUES {rows}",
            self.t("history")
        ))
    }

    /// Append a rebind audit record. Parameters: seq, at, number, from,
    /// to, actor, reason.
    #[must_use]
    pub fn insert_rebind(&self) -> String {
        self.render(&format!(
            "INSERT INTO {} (seq, at, activation_number, from_mpr_id, to_mpr_id, actor, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.t("rebind")
        ))
    }

    /// Every binding (or those of one terminal or number), by number.
    /// Parameters: none, the mpr_id, or the number.
    #[must_use]
    pub fn bindings(&self, filter: BindingFilter) -> String {
        let filter = match filter {
            BindingFilter::All => "",
            BindingFilter::MprId => " WHERE mpr_id = ?",
            BindingFilter::ActivationNumber => " WHERE activation_number = ?",
        };
        self.render(&format!(
            "SELECT {BINDING_COLUMNS} FROM {}{filter} ORDER BY activation_number",
            self.t("binding")
        ))
    }

    /// Every rebind record, in order.
    #[must_use]
    pub fn rebinds(&self) -> String {
        format!(
            "SELECT at, activation_number, from_mpr_id, to_mpr_id, actor, reason FROM {} ORDER BY seq",
            self.t("rebind")
        )
    }

    /// History rows, in time then commit order; with a range, parameters
    /// from (ms, inclusive) and to (ms, exclusive).
    #[must_use]
    pub fn history(&self, ranged: bool) -> String {
        let range = if ranged {
            " WHERE at >= ? AND at < ?"
        } else {
            ""
        };
        self.render(&format!(
            "SELECT at, event, mpr_id, activation_number, product, registration_key FROM {}{range} ORDER BY at, seq",
            self.t("history")
        ))
    }

    /// Issues per day of the report's offset, grouped in SQL: day number
    /// since the epoch, issues, reissues. Which events count as issues is
    /// core's rule ([`HistoryEvent::counts_as_issue`]). Parameters: the
    /// offset (ms), then from/to (ms) with a range.
    #[must_use]
    pub fn daily_counts(&self, ranged: bool) -> String {
        let reissues: Vec<String> = HistoryEvent::ALL
            .into_iter()
            .filter(|e| !e.counts_as_issue())
            .map(|e| format!("'{}'", e.name()))
            .collect();
        let reissue = reissues.join(", ");
        let range = if ranged {
            " WHERE at >= ? AND at < ?"
        } else {
            ""
        };
        self.render(&format!(
            "SELECT (at + CAST(? AS BIGINT)) / 86400000, \
             SUM(CASE WHEN event IN ({reissue}) THEN 0 ELSE 1 END), \
             SUM(CASE WHEN event IN ({reissue}) THEN 1 ELSE 0 END) \
             FROM {}{range} GROUP BY 1 ORDER BY 1",
            self.t("history")
        ))
    }
}

/// Which bindings [`Sql::bindings`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingFilter {
    /// All.
    All,
    /// One terminal's.
    MprId,
    /// One activation number's.
    ActivationNumber,
}
