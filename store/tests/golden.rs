//! Golden copies of every statement and script the protocol sends. A change
//! to any of them fails here until the golden file is regenerated
//! (`REGCORE_BLESS=1 cargo test -p regcore-store --test golden`) and the
//! diff is reviewed: a Python, a Node and a Rust server share one database,
//! so what goes on the wire is a contract.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::fmt::Write as _;
use std::path::PathBuf;

use regcore_store::sql::BindingFilter;
use regcore_store::{Dialect, Placeholder, Prefix, Sql, Table, redis, schema};

fn render(sql: &Sql) -> String {
    let mut out = String::new();
    let mut add = |name: &str, text: String| {
        writeln!(out, "-- {name}\n{text};\n").expect("writing to a String cannot fail");
    };
    add("begin_write", sql.begin_write());
    add("commit", sql.commit());
    add("rollback", sql.rollback());
    for table in Table::ALL {
        let t = table.name();
        add(&format!("{t}.select"), sql.cell_select(table));
        add(&format!("{t}.insert"), sql.cell_insert(table));
        add(&format!("{t}.update"), sql.cell_update(table));
        add(&format!("{t}.delete"), sql.cell_delete(table));
        add(&format!("{t}.purge"), sql.purge(table));
    }
    add("meta_exists", sql.meta_exists());
    add("schema_version", sql.schema_version());
    if let Some(lock) = sql.migration_lock() {
        add("migration_lock", lock);
    }
    add("insert_schema_version", sql.insert_schema_version());
    add("update_schema_version", sql.update_schema_version());
    add("bindings_of(2)", sql.bindings_of(2));
    add("binding_for_update", sql.binding_for_update());
    add("insert_bindings(2)", sql.insert_bindings(2));
    add("rebind_binding", sql.rebind_binding());
    add("reserve_seq", sql.reserve_seq());
    add("current_seq", sql.current_seq());
    add("insert_history(2)", sql.insert_history(2));
    add("insert_rebind", sql.insert_rebind());
    add("bindings(all)", sql.bindings(BindingFilter::All));
    add("bindings(mpr_id)", sql.bindings(BindingFilter::MprId));
    add(
        "bindings(activation_number)",
        sql.bindings(BindingFilter::ActivationNumber),
    );
    add("rebinds", sql.rebinds());
    add("history", sql.history(false));
    add("history(range)", sql.history(true));
    add("daily_counts", sql.daily_counts(false));
    add("daily_counts(range)", sql.daily_counts(true));
    for (version, migration) in schema::MIGRATIONS {
        for (i, statement) in schema::statements(migration, sql.prefix())
            .into_iter()
            .enumerate()
        {
            add(&format!("migration {version}.{i}"), statement);
        }
    }
    out
}

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("REGCORE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (REGCORE_BLESS=1 writes it)", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from the golden copy at line {}: review the change, then bless it\n  golden: {:?}\n  now:    {:?}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn sqlite_statements() {
    let sql = Sql::new(Dialect::Sqlite, Placeholder::Question, Prefix::default());
    check("sqlite.sql", &render(&sql));
}

#[test]
fn postgres_statements_for_pg_and_sqlx() {
    let sql = Sql::new(Dialect::Postgres, Placeholder::Dollar, Prefix::default());
    check("postgres-dollar.sql", &render(&sql));
}

#[test]
fn postgres_statements_for_psycopg() {
    let sql = Sql::new(Dialect::Postgres, Placeholder::Percent, Prefix::default());
    check("postgres-percent.sql", &render(&sql));
}

#[test]
fn redis_script_keys_and_sha() {
    let p = Prefix::default();
    let mut out = format!("-- sha1 {}\n{}", redis::cas_sha(), redis::CAS_SCRIPT);
    for (table, address) in [
        (Table::Lockout, vec!["alice"]),
        (Table::Lockout, vec!["}{%"]),
        (Table::Code, vec!["sign_up", "u@example.jp"]),
        (Table::Session, vec!["3f2a"]),
    ] {
        writeln!(out, "-- key {}", redis::key(&p, table, &address)).expect("String");
    }
    check("redis.lua", &out);
}
