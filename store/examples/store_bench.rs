//! Throughput and login overhead of the Rust executors (driven by
//! benches/rust-store/run.sh; figures in docs/rust-store.md).
//!
//! ```text
//! store_bench throughput KIND TARGET WORKERS distinct|hot SECONDS
//! store_bench overhead KIND TARGET ITERATIONS
//! ```
//!
//! `throughput` runs WORKERS processes (this binary again), each with its own
//! pool or connection, released together by a TCP barrier; one operation =
//! one failed attempt recorded (`lockout_admit` + a wrong-password settle
//! under a policy that never locks), on a fresh key each time or one hot key,
//! as benches/store/bench.py does for the Python store. It prints one
//! Markdown row: ops/s, p50, p99, lost races per op.
//!
//! `overhead` times ITERATIONS logins with an Argon2id check (OWASP
//! parameters) with and without the store around it, one at a time, and
//! prints p50/p99 of each, and of the store alone (the same login with a
//! check that answers at once: admit + settle, two round trips).

// A measuring tool, not library code: statistics index and count freely.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regcore::hash::{HashParams, hash_password, verify_password};
use regcore::lockout::LockoutPolicy;
use regcore_store::exec::now;
use regcore_store::{
    Attempt, PostgresStore, Prefix, RedisClusterStore, RedisStore, RetryPolicy, SqliteStore, Store,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone)]
enum Any {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
    Redis(RedisStore),
    Cluster(RedisClusterStore),
}

macro_rules! with {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            Any::Sqlite($s) => $body,
            Any::Postgres($s) => $body,
            Any::Redis($s) => $body,
            Any::Cluster($s) => $body,
        }
    };
}

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
            let options = SqliteConnectOptions::new()
                .filename(target)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            Any::Sqlite(Store::with_options(pool, prefix, retry))
        }
        "postgres" => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect_with(pg_options(target)?)
                .await?;
            Any::Postgres(Store::with_options(pool, prefix, retry))
        }
        "redis" => {
            let manager = redis::aio::ConnectionManager::new(redis::Client::open(target)?).await?;
            Any::Redis(Store::with_options(manager, prefix, retry))
        }
        "cluster" => {
            let conn = redis::cluster::ClusterClient::new(vec![target])?
                .get_async_connection()
                .await?;
            Any::Cluster(Store::with_options(conn, prefix, retry))
        }
        other => return Err(format!("unknown store {other}").into()),
    })
}

async fn migrate(store: &Any) -> Result<(), Error> {
    match store {
        Any::Sqlite(s) => drop(s.migrate().await?),
        Any::Postgres(s) => drop(s.migrate().await?),
        Any::Redis(_) | Any::Cluster(_) => {}
    }
    Ok(())
}

fn never_locks() -> LockoutPolicy {
    LockoutPolicy::fixed(1_000_000_000, 1)
}

/// One failed attempt recorded.
async fn op(store: &Any, key: &str) -> Result<(), Error> {
    with!(store, s => {
        match s.lockout_admit(key, &never_locks(), now()).await? {
            Attempt::Admitted(a) => drop(s.lockout_settle(a, false, now()).await?),
            Attempt::Locked(_) => return Err("locked".into()),
        }
    });
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 * p) as usize).saturating_sub(1);
    sorted[i.min(sorted.len() - 1)]
}

fn label(kind: &str) -> &'static str {
    match kind {
        "sqlite" => "Rust SqliteStore",
        "postgres" => "Rust PostgresStore",
        "redis" => "Rust RedisStore",
        _ => "Rust RedisClusterStore",
    }
}

async fn worker(args: &[String]) -> Result<(), Error> {
    let [kind, target, prefix, hot, seconds, port, index] = args else {
        return Err("worker args".into());
    };
    let store = open(kind, target, prefix).await?;
    let mut barrier = TcpStream::connect(("127.0.0.1", port.parse::<u16>()?))?;
    barrier.write_all(b"r")?;
    let mut go = [0u8; 1];
    barrier.read_exact(&mut go)?;
    let seconds: f64 = seconds.parse()?;
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let mut lat = Vec::new();
    let mut n = 0u64;
    while Instant::now() < end {
        let key = if hot == "hot" {
            "hot".to_owned()
        } else {
            format!("k{index}-{n}")
        };
        n += 1;
        let t = Instant::now();
        op(&store, &key).await?;
        lat.push(t.elapsed().as_micros().to_string());
    }
    let (ops, conflicts) = with!(&store, s => (s.stats().operations(), s.stats().conflicts()));
    println!("STATS {ops} {conflicts}");
    println!("LAT {}", lat.join(" "));
    Ok(())
}

async fn throughput(args: &[String]) -> Result<(), Error> {
    let [kind, target, workers, hot, seconds] = args else {
        return Err("throughput KIND TARGET WORKERS distinct|hot SECONDS".into());
    };
    let workers: usize = workers.parse()?;
    let prefix = format!("bench_{:08x}", regcore_store::exec::seed() as u32);
    let target = if kind == "sqlite" {
        std::env::temp_dir()
            .join(format!("{prefix}.sqlite3"))
            .display()
            .to_string()
    } else {
        target.clone()
    };
    let store = open(kind, &target, &prefix).await?;
    migrate(&store).await?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port().to_string();
    let exe = std::env::current_exe()?;
    let children = (0..workers)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "worker",
                    kind,
                    &target,
                    &prefix,
                    hot,
                    seconds,
                    &port,
                    &i.to_string(),
                ])
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut ready = Vec::new();
    for _ in 0..workers {
        let (mut s, _) = listener.accept()?;
        let mut b = [0u8; 1];
        s.read_exact(&mut b)?;
        ready.push(s);
    }
    for s in &mut ready {
        s.write_all(b"g")?;
    }
    let (mut lat, mut ops, mut conflicts) = (Vec::<f64>::new(), 0u64, 0u64);
    for child in children {
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(format!("{kind} worker failed").into());
        }
        for line in BufReader::new(&output.stdout[..]).lines() {
            let line = line?;
            if let Some(rest) = line.strip_prefix("LAT ") {
                lat.extend(
                    rest.split_whitespace()
                        .map(|v| v.parse::<f64>().unwrap_or(f64::NAN) / 1000.0),
                );
            } else if let Some(rest) = line.strip_prefix("STATS ") {
                let mut it = rest.split_whitespace();
                ops += it.next().unwrap_or("0").parse::<u64>()?;
                conflicts += it.next().unwrap_or("0").parse::<u64>()?;
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    let seconds: f64 = seconds.parse()?;
    #[allow(clippy::cast_precision_loss)]
    let (rate, retry) = (
        lat.len() as f64 / seconds,
        conflicts as f64 / ops.max(1) as f64,
    );
    println!(
        "| {} | {workers} | {hot} | {rate:.0} | {:.2} | {:.2} | {retry:.2} |",
        label(kind),
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    if kind == "sqlite" {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{target}{suffix}"));
        }
    }
    Ok(())
}

async fn overhead(args: &[String]) -> Result<(), Error> {
    let [kind, target, iterations] = args else {
        return Err("overhead KIND TARGET ITERATIONS".into());
    };
    let iterations: usize = iterations.parse()?;
    let prefix = format!("bench_{:08x}", regcore_store::exec::seed() as u32);
    let target = if kind == "sqlite" {
        std::env::temp_dir()
            .join(format!("{prefix}.sqlite3"))
            .display()
            .to_string()
    } else {
        target.clone()
    };
    let store = open(kind, &target, &prefix).await?;
    migrate(&store).await?;
    let phc = hash_password(
        "correct horse battery",
        &[5u8; 16],
        &HashParams::OWASP,
        None,
    )?;
    let check = |pw: &str| verify_password(pw, &phc, None).unwrap_or(false);
    let policy = LockoutPolicy::ups_site();
    let (mut bare, mut wrapped, mut alone) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..iterations {
        // The store alone: a login whose check answers at once.
        let key = format!("instant{i}");
        let t = Instant::now();
        let result = with!(&store, s => s.login(&key, &policy, || async { true }).await?);
        alone.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(result.ok);
        let t = Instant::now();
        assert!(check("correct horse battery"));
        bare.push(t.elapsed().as_secs_f64() * 1000.0);
        let key = format!("user{i}");
        let t = Instant::now();
        let result = with!(&store, s => s
            .login(&key, &policy, || async { check("correct horse battery") })
            .await?);
        wrapped.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(result.ok);
    }
    bare.sort_by(f64::total_cmp);
    wrapped.sort_by(f64::total_cmp);
    alone.sort_by(f64::total_cmp);
    let (b50, b99, w50, w99) = (
        pct(&bare, 0.5),
        pct(&bare, 0.99),
        pct(&wrapped, 0.5),
        pct(&wrapped, 0.99),
    );
    println!(
        "| {} | {iterations} | {b50:.2} | {b99:.2} | {w50:.2} | {w99:.2} | {:.2} | {:.2} |",
        label(kind),
        pct(&alone, 0.5),
        pct(&alone, 0.99)
    );
    if kind == "sqlite" {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{target}{suffix}"));
        }
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mode, rest) = args
        .split_first()
        .ok_or("store_bench throughput|overhead ...")?;
    rt.block_on(async {
        match mode.as_str() {
            "worker" => worker(rest).await,
            "throughput" => throughput(rest).await,
            "overhead" => overhead(rest).await,
            other => Err(format!("unknown mode {other}").into()),
        }
    })
}
