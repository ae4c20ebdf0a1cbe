//! The SQL executors on sqlx: SQLite (feature `sqlite`) and PostgreSQL
//! (feature `postgres`), on the caller's pool.
//!
//! Each operation takes one connection from the pool and holds it to the
//! end (a ledger transaction's statements must share it). Statements run
//! outside any transaction of sqlx's (each is its own, atomic on its own;
//! the protocol sends `BEGIN`/`COMMIT`/`ROLLBACK` itself for the ledger). A
//! connection given back while a transaction of the protocol's is still
//! open (an operation cancelled mid-transaction, a failed `ROLLBACK`) is
//! closed, never returned to the pool.
//!
//! SQLite: open the pool with WAL and a busy timeout (writers wait their
//! turn rather than fail), e.g.
//! `SqliteConnectOptions::new().filename(path).create_if_missing(true)
//! .journal_mode(SqliteJournalMode::Wal).busy_timeout(Duration::from_secs(10))`.
//!
//! Available with the features `sqlite` or `postgres`.

use sqlx::pool::PoolConnection;
use sqlx::{Database, Row, TypeInfo, ValueRef};

use crate::machine::{Command, Failure, OpError, Operation, Reply, Value, Want};
use crate::{Dialect, Placeholder, Prefix, Protocol, RetryPolicy, StoreError};

use super::{Backend, Execute, SqlBackend, drive, sealed};

/// One connection of the pool, held for one operation.
struct Held<DB: Database> {
    conn: PoolConnection<DB>,
    /// A transaction the protocol opened is still open.
    in_tx: bool,
}

impl<DB: Database> Drop for Held<DB> {
    fn drop(&mut self) {
        if self.in_tx {
            // Never give the pool a connection inside a transaction.
            self.conn.close_on_drop();
        }
    }
}

/// Where a statement leaves the connection's transaction, if it moves it.
fn tx_effect(sql: &str) -> Option<bool> {
    let head = sql.trim_start();
    if head.starts_with("BEGIN") {
        Some(true)
    } else if head.starts_with("COMMIT") || head.starts_with("ROLLBACK") {
        Some(false)
    } else {
        None
    }
}

fn classify_common(err: &sqlx::Error) -> Failure {
    match err {
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::Encode(_) => Failure::Rejected,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Failure::Unreachable,
        _ => Failure::Unavailable,
    }
}

/// `text` decoded for the protocol, or a decode failure.
fn unreadable(column: usize) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: "a column of a type the store does not write".into(),
    }
}

macro_rules! sql_executor {
    (
        feature = $feature:literal,
        db = $db:ty,
        conn = $conn:ty,
        dialect = $dialect:expr,
        placeholder = $placeholder:expr,
        classify = $classify:path,
        decode = $decode:path $(,)?
    ) => {
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl sealed::Sealed for sqlx::Pool<$db> {}

        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl SqlBackend for sqlx::Pool<$db> {}

        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl Backend for sqlx::Pool<$db> {
            fn protocol(prefix: Prefix, retry: RetryPolicy) -> Protocol {
                Protocol::sql($dialect, $placeholder, prefix, retry)
            }

            async fn run<T: Send + 'static>(
                &self,
                op: &mut Operation<T>,
                store: &'static str,
                operation: &'static str,
            ) -> Result<T, OpError> {
                let conn = self.acquire().await.map_err(|_| StoreError::Unavailable {
                    store: store.to_owned(),
                    operation: operation.to_owned(),
                })?;
                let mut held = Held { conn, in_tx: false };
                let result = drive(op, &mut held).await;
                if held.in_tx {
                    let rollback = sqlx::query("ROLLBACK").execute(&mut *held.conn).await;
                    held.in_tx = rollback.is_err();
                }
                result
            }
        }

        impl Execute for Held<$db> {
            async fn execute(&mut self, command: Command) -> Reply {
                let Command::Sql { sql, params, want } = command else {
                    return Reply::Failed(Failure::Rejected);
                };
                let effect = tx_effect(&sql);
                let conn: &mut $conn = &mut self.conn;
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for param in params {
                    query = match param {
                        Value::Null => query.bind(None::<i64>),
                        Value::Int(n) => query.bind(n),
                        Value::Text(text) => query.bind(text),
                    };
                }
                let result = match want {
                    Want::Count => query
                        .execute(&mut *conn)
                        .await
                        .map(|done| Reply::Count(done.rows_affected())),
                    Want::Row => match query.fetch_optional(&mut *conn).await {
                        Ok(Some(row)) => $decode(&row).map(|r| Reply::Row(Some(r))),
                        Ok(None) => Ok(Reply::Row(None)),
                        Err(err) => Err(err),
                    },
                    Want::Rows => query.fetch_all(&mut *conn).await.and_then(|rows| {
                        rows.iter()
                            .map(|row| $decode(row))
                            .collect::<Result<Vec<_>, _>>()
                            .map(Reply::Rows)
                    }),
                };
                match result {
                    Ok(reply) => {
                        if let Some(open) = effect {
                            self.in_tx = open;
                        }
                        reply
                    }
                    // A failed COMMIT or ROLLBACK leaves `in_tx` set: the
                    // executor rolls back at the end or closes the connection.
                    Err(err) => Reply::Failed($classify(&err)),
                }
            }
        }
    };
}

// --- SQLite -----------------------------------------------------------------------

#[cfg(feature = "sqlite")]
fn classify_sqlite(err: &sqlx::Error) -> Failure {
    let sqlx::Error::Database(db) = err else {
        return classify_common(err);
    };
    let code: i64 = db.code().and_then(|c| c.parse().ok()).unwrap_or(-1);
    // The primary result code is the extended code's low byte.
    match code & 0xff {
        // SQLITE_BUSY, SQLITE_LOCKED: another writer holds the lock;
        // SQLITE_CONSTRAINT: another writer inserted first.
        5 | 6 | 19 => Failure::Conflict,
        // SQLITE_TOOBIG, SQLITE_MISMATCH, SQLITE_RANGE.
        18 | 20 | 25 => Failure::Rejected,
        _ if db.message().contains("no such table") => Failure::MissingTable,
        _ => Failure::Unavailable,
    }
}

#[cfg(feature = "sqlite")]
fn decode_sqlite(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Value>, sqlx::Error> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = raw.type_info().name().to_ascii_uppercase();
            match kind.as_str() {
                "INTEGER" | "INT" | "BIGINT" | "INT8" | "BOOLEAN" => {
                    row.try_get::<i64, _>(i).map(Value::Int)
                }
                "TEXT" => row.try_get::<String, _>(i).map(Value::Text),
                _ => row
                    .try_get::<i64, _>(i)
                    .map(Value::Int)
                    .or_else(|_| row.try_get::<String, _>(i).map(Value::Text))
                    .map_err(|_| unreadable(i)),
            }
        })
        .collect()
}

#[cfg(feature = "sqlite")]
sql_executor! {
    feature = "sqlite",
    db = sqlx::Sqlite,
    conn = sqlx::SqliteConnection,
    dialect = Dialect::Sqlite,
    placeholder = Placeholder::Question,
    classify = classify_sqlite,
    decode = decode_sqlite,
}

// --- PostgreSQL -------------------------------------------------------------------

#[cfg(feature = "postgres")]
fn classify_postgres(err: &sqlx::Error) -> Failure {
    let sqlx::Error::Database(db) = err else {
        return classify_common(err);
    };
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    match code.as_str() {
        // serialization_failure, deadlock_detected, lock_not_available,
        // unique_violation: lost to a concurrent writer.
        "40001" | "40P01" | "55P03" | "23505" => Failure::Conflict,
        // undefined_table.
        "42P01" => Failure::MissingTable,
        // data_exception (class 22), program_limit_exceeded.
        c if c.starts_with("22") || c == "54000" => Failure::Rejected,
        _ => Failure::Unavailable,
    }
}

#[cfg(feature = "postgres")]
fn decode_postgres(row: &sqlx::postgres::PgRow) -> Result<Vec<Value>, sqlx::Error> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = raw.type_info().name().to_owned();
            match kind.as_str() {
                "INT8" => row.try_get::<i64, _>(i).map(Value::Int),
                "INT4" => row.try_get::<i32, _>(i).map(|n| Value::Int(n.into())),
                "INT2" => row.try_get::<i16, _>(i).map(|n| Value::Int(n.into())),
                "BOOL" => row.try_get::<bool, _>(i).map(|b| Value::Int(b.into())),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                    row.try_get::<String, _>(i).map(Value::Text)
                }
                // `SELECT pg_advisory_xact_lock(…)`.
                "VOID" => Ok(Value::Null),
                _ => Err(unreadable(i)),
            }
        })
        .collect()
}

#[cfg(feature = "postgres")]
sql_executor! {
    feature = "postgres",
    db = sqlx::Postgres,
    conn = sqlx::PgConnection,
    dialect = Dialect::Postgres,
    placeholder = Placeholder::Dollar,
    classify = classify_postgres,
    decode = decode_postgres,
}
