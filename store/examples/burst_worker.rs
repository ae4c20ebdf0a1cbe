//! One Rust worker of the cross-language burst (tests/cross-language/burst.py,
//! beside its worker.py and worker.js, with the same arguments and output):
//! opens its own store, prints `ready`, waits for the barrier file, makes
//! ATTEMPTS simultaneous wrong logins on KEY under `ups_site` (tasks sharing
//! the store, whose pool holds one connection) and prints one JSON line:
//! `{"lang": "rust", "checks": N, "errors": [...]}`.
//!
//! ```text
//! burst_worker sqlite|postgres|redis TARGET PREFIX KEY BARRIER ATTEMPTS
//! ```
//!
//! TARGET is the SQLite file, the PostgreSQL conninfo (`host=... port=...`)
//! or the Redis URL. The store is migrated by the orchestrator, not here.

// A test tool, not library code: counters add freely.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "a test worker: counts of a few hundred attempts"
)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use regcore::lockout::LockoutPolicy;
use regcore_store::{PostgresStore, Prefix, RedisStore, RetryPolicy, SqliteStore, Store};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone)]
enum Any {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
    Redis(RedisStore),
}

/// The libpq-style conninfo the other workers take (`host=… port=… user=…
/// dbname=…`), or a URL.
fn pg_options(conninfo: &str) -> Result<sqlx::postgres::PgConnectOptions, Error> {
    if conninfo.contains("://") {
        return Ok(conninfo.parse()?);
    }
    let mut options = sqlx::postgres::PgConnectOptions::new_without_pgpass();
    for pair in conninfo.split_whitespace() {
        let (k, v) = pair.split_once('=').ok_or("conninfo: key=value")?;
        options = match k {
            "host" => options.host(v),
            "port" => options.port(v.parse()?),
            "user" => options.username(v),
            "password" => options.password(v),
            "dbname" => options.database(v),
            _ => options,
        };
    }
    Ok(options)
}

async fn open(kind: &str, target: &str, prefix: &str) -> Result<Any, Error> {
    let prefix = Prefix::new(prefix)?;
    let retry = RetryPolicy::default();
    Ok(match kind {
        "sqlite" => {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
            // WAL and a 10 s busy timeout, as the Python and Node stores
            // open a path.
            let options = SqliteConnectOptions::new()
                .filename(target)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .connect_with(options)
                .await?;
            Any::Sqlite(Store::with_options(pool, prefix, retry))
        }
        "postgres" => {
            // One connection per process, as the Python and Node workers:
            // PostgreSQL allows 100 in all.
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(pg_options(target)?)
                .await?;
            Any::Postgres(Store::with_options(pool, prefix, retry))
        }
        "redis" => {
            let manager = redis::aio::ConnectionManager::new(redis::Client::open(target)?).await?;
            Any::Redis(Store::with_options(manager, prefix, retry))
        }
        other => return Err(format!("unknown store kind {other}").into()),
    })
}

/// One wrong login; counts the password checks it reached.
async fn attempt(store: Any, key: String, checks: Arc<AtomicU32>) -> Result<(), String> {
    let policy = LockoutPolicy::ups_site();
    let check = || async move {
        checks.fetch_add(1, Ordering::SeqCst);
        false
    };
    let result = match &store {
        Any::Sqlite(s) => s.login(&key, &policy, check).await,
        Any::Postgres(s) => s.login(&key, &policy, check).await,
        Any::Redis(s) => s.login(&key, &policy, check).await,
    };
    match result {
        Ok(r) if r.ok => Err("a wrong password logged in".to_owned()),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("{} {e}", e.code())),
    }
}

async fn run(args: &[String]) -> Result<(), Error> {
    let [kind, target, prefix, key, barrier, attempts] = args else {
        return Err("usage: burst_worker KIND TARGET PREFIX KEY BARRIER ATTEMPTS".into());
    };
    let attempts: usize = attempts.parse()?;
    let store = open(kind, target, prefix).await?;
    println!("ready");
    // The orchestrator died: do not linger.
    let give_up = Instant::now() + Duration::from_secs(120);
    while !Path::new(barrier).exists() {
        if Instant::now() > give_up {
            return Err("no barrier within 120 s".into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let checks = Arc::new(AtomicU32::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..attempts {
        tasks.spawn(attempt(store.clone(), key.clone(), checks.clone()));
    }
    let mut errors = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("task: {e}")),
        }
    }
    let line = serde_json::json!({
        "lang": "rust",
        "checks": checks.load(Ordering::SeqCst),
        "errors": errors,
    });
    println!("{line}");
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let done = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::from)
        .and_then(|rt| rt.block_on(run(&args)));
    match done {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The orchestrator reads stdout: one JSON line it can report.
            let line = serde_json::json!({"lang": "rust", "checks": 0, "errors": [e.to_string()]});
            println!("{line}");
            std::process::ExitCode::FAILURE
        }
    }
}
