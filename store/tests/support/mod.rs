//! What the executor tests share: the servers of scripts/services.sh (the
//! same env vars and loopback defaults as bindings-python/test.sh), fresh
//! stores under a prefix of their own, the scenario file, and worker
//! processes (this test binary run again as a worker) released together by
//! a TCP barrier.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use regcore_store::{Prefix, Store};

pub const START_HINT: &str = "start the servers with: bash scripts/services.sh";

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap()
}

pub fn postgres_url() -> String {
    std::env::var("REGCORE_TEST_POSTGRES")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=postgres".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("REGCORE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned())
}

pub fn cluster_url() -> String {
    std::env::var("REGCORE_TEST_REDIS_CLUSTER")
        .unwrap_or_else(|_| "redis://127.0.0.1:7001".to_owned())
}

/// `REGCORE_STORE_TESTS=skip` skips the suites that need servers (never
/// silently: a server that cannot be reached fails).
pub fn skipped() -> bool {
    std::env::var("REGCORE_STORE_TESTS").as_deref() == Ok("skip")
}

pub fn scenarios() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/store-scenarios.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn unique_prefix() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let salt = regcore_store::exec::seed() % 0x1_0000;
    format!("rs{}_{n}_{salt:04x}", std::process::id())
}

/// The kinds of store this build can test.
pub fn kinds() -> Vec<&'static str> {
    let mut kinds = Vec::new();
    if cfg!(feature = "sqlite") {
        kinds.push("sqlite");
    }
    if cfg!(feature = "postgres") {
        kinds.push("postgres");
    }
    if cfg!(feature = "redis") {
        kinds.push("redis");
        kinds.push("cluster");
    }
    kinds
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Where a worker or test opens its store: kind, target, prefix.
#[derive(Debug, Clone)]
pub struct Spec {
    pub kind: String,
    pub target: String,
    pub prefix: String,
}

impl Spec {
    pub fn encode(&self) -> String {
        format!("{}\t{}\t{}", self.kind, self.target, self.prefix)
    }

    pub fn decode(text: &str) -> Self {
        let mut parts = text.splitn(3, '\t');
        Self {
            kind: parts.next().unwrap().to_owned(),
            target: parts.next().unwrap().to_owned(),
            prefix: parts.next().unwrap().to_owned(),
        }
    }

    pub fn sql(&self) -> bool {
        self.kind == "sqlite" || self.kind == "postgres"
    }
}

#[cfg(feature = "postgres")]
pub fn pg_options(conninfo: &str) -> sqlx::postgres::PgConnectOptions {
    if conninfo.contains("://") {
        return conninfo.parse().unwrap();
    }
    let mut options = sqlx::postgres::PgConnectOptions::new_without_pgpass();
    for pair in conninfo.split_whitespace() {
        let (k, v) = pair.split_once('=').unwrap();
        options = match k {
            "host" => options.host(v),
            "port" => options.port(v.parse().unwrap()),
            "user" => options.username(v),
            "password" => options.password(v),
            "dbname" => options.database(v),
            _ => options,
        };
    }
    options
}

/// Any store of the enabled kinds, behind one type.
#[derive(Clone)]
pub enum AnyStore {
    #[cfg(feature = "sqlite")]
    Sqlite(regcore_store::SqliteStore),
    #[cfg(feature = "postgres")]
    Postgres(regcore_store::PostgresStore),
    #[cfg(feature = "redis")]
    Redis(regcore_store::RedisStore),
    #[cfg(feature = "redis")]
    Cluster(regcore_store::RedisClusterStore),
}

/// Run `$body` with `$s` bound to the concrete store.
#[macro_export]
macro_rules! with_store {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            #[cfg(feature = "sqlite")]
            $crate::support::AnyStore::Sqlite($s) => $body,
            #[cfg(feature = "postgres")]
            $crate::support::AnyStore::Postgres($s) => $body,
            #[cfg(feature = "redis")]
            $crate::support::AnyStore::Redis($s) => $body,
            #[cfg(feature = "redis")]
            $crate::support::AnyStore::Cluster($s) => $body,
        }
    };
}

/// Run `$body` with `$s` bound to the concrete SQL store (panics on Redis).
#[macro_export]
macro_rules! with_sql_store {
    ($any:expr, $s:ident => $body:expr) => {
        match $any {
            #[cfg(feature = "sqlite")]
            $crate::support::AnyStore::Sqlite($s) => $body,
            #[cfg(feature = "postgres")]
            $crate::support::AnyStore::Postgres($s) => $body,
            #[allow(unreachable_patterns)]
            _ => panic!("a SQL store"),
        }
    };
}

/// Open the store `spec` names with a pool of at most `connections`.
pub async fn open(spec: &Spec, connections: u32) -> AnyStore {
    let _ = connections;
    let prefix = Prefix::new(&spec.prefix).unwrap();
    let retry = regcore_store::RetryPolicy::default();
    match spec.kind.as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
            let options = SqliteConnectOptions::new()
                .filename(&spec.target)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(connections)
                .connect_with(options)
                .await
                .unwrap();
            AnyStore::Sqlite(Store::with_options(pool, prefix, retry))
        }
        #[cfg(feature = "postgres")]
        "postgres" => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(pg_options(&spec.target))
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {}: {e}; {START_HINT}", spec.target));
            AnyStore::Postgres(Store::with_options(pool, prefix, retry))
        }
        #[cfg(feature = "redis")]
        "redis" => {
            let client = redis::Client::open(spec.target.as_str()).unwrap();
            let manager = redis::aio::ConnectionManager::new(client)
                .await
                .unwrap_or_else(|e| panic!("Redis at {}: {e}; {START_HINT}", spec.target));
            AnyStore::Redis(Store::with_options(manager, prefix, retry))
        }
        #[cfg(feature = "redis")]
        "cluster" => {
            let client = redis::cluster::ClusterClient::new(vec![spec.target.as_str()]).unwrap();
            let conn = client
                .get_async_connection()
                .await
                .unwrap_or_else(|e| panic!("Redis Cluster at {}: {e}; {START_HINT}", spec.target));
            AnyStore::Cluster(Store::with_options(conn, prefix, retry))
        }
        other => panic!("store kind {other} not built"),
    }
}

/// A fresh store of `kind` under a prefix of its own, migrated if SQL.
pub async fn fresh(kind: &str, dir: &std::path::Path) -> Spec {
    let prefix = unique_prefix();
    let target = match kind {
        "sqlite" => dir.join(format!("{prefix}.sqlite3")).display().to_string(),
        "postgres" => postgres_url(),
        "redis" => redis_url(),
        "cluster" => cluster_url(),
        other => panic!("{other}"),
    };
    let spec = Spec {
        kind: kind.to_owned(),
        target,
        prefix,
    };
    if spec.sql() {
        let store = open(&spec, 1).await;
        with_sql_store!(&store, s => { s.migrate().await.unwrap(); });
    }
    spec
}

/// Drop what a test left: its tables (PostgreSQL), its file (SQLite).
/// Redis keys expire by TTL; tests delete the ones they made.
pub async fn cleanup(spec: &Spec) {
    match spec.kind.as_str() {
        #[cfg(feature = "postgres")]
        "postgres" => {
            let store = open(spec, 1).await;
            #[allow(irrefutable_let_patterns)]
            if let AnyStore::Postgres(s) = store {
                let p = &spec.prefix;
                let sql = format!(
                    "DROP TABLE IF EXISTS {p}_meta, {p}_lockout, {p}_code, {p}_session, \
                     {p}_binding, {p}_history, {p}_rebind"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(s.backend())
                    .await
                    .unwrap();
                s.backend().close().await;
            }
        }
        "sqlite" => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", spec.target));
            }
        }
        _ => {}
    }
}

/// A scratch directory for SQLite files.
pub fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regcore-store-rs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// --- worker processes ---------------------------------------------------------------

/// The env var that makes this test binary a worker.
pub const WORKER_ENV: &str = "REGCORE_STORE_WORKER";

/// A started group of worker processes and the barrier that releases them.
pub struct Workers {
    children: Vec<Child>,
    barrier: Vec<TcpStream>,
}

/// Start `n` workers running `job` (this binary's `worker` test) on `spec`,
/// each given its index; they connect to the barrier once ready.
pub fn spawn(spec: &Spec, job: &str, n: usize) -> Workers {
    spawn_with(n, |i, port| worker_command(spec, job, i, port))
}

/// This binary as worker `i` of `job` on `spec`, barrier on `port`.
pub fn worker_command(spec: &Spec, job: &str, i: usize, port: u16) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "worker", "--nocapture", "--test-threads=1", "-q"])
        .env(WORKER_ENV, format!("{}\n{job}\n{i}\n{port}", spec.encode()));
    command
}

/// Start `n` processes, `command(i, barrier_port)` each, and wait until
/// each has connected to the barrier.
pub fn spawn_with(n: usize, mut command: impl FnMut(usize, u16) -> Command) -> Workers {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let children: Vec<Child> = (0..n)
        .map(|i| {
            command(i, port)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut barrier = Vec::new();
    for _ in 0..n {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(150)))
            .unwrap();
        barrier.push(stream);
    }
    Workers { children, barrier }
}

impl Workers {
    /// Wait until every worker is at the barrier, then release them all.
    pub fn release(&mut self) {
        for s in &mut self.barrier {
            let mut b = [0u8; 1];
            s.read_exact(&mut b).expect("a worker reached the barrier");
        }
        for s in &mut self.barrier {
            s.write_all(b"g").unwrap();
        }
    }

    /// Release `rounds` times, then collect each worker's `RESULT` line.
    pub fn run(mut self, rounds: usize) -> Vec<String> {
        for _ in 0..rounds {
            self.release();
        }
        self.finish()
    }

    /// Each worker's `RESULT` line (fails on a worker that failed).
    pub fn finish(self) -> Vec<String> {
        drop(self.barrier);
        self.children
            .into_iter()
            .map(|child| {
                let output = child.wait_with_output().unwrap();
                let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
                assert!(output.status.success(), "a worker failed: {stdout}");
                stdout
                    .lines()
                    .find_map(|l| l.strip_prefix("RESULT ").map(str::to_owned))
                    .unwrap_or_else(|| panic!("no RESULT from a worker: {stdout}"))
            })
            .collect()
    }

    /// Kill every worker (SIGKILL) and reap it.
    pub fn kill(self) {
        for mut child in self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The worker processes.
    pub fn children(&mut self) -> &mut Vec<Child> {
        &mut self.children
    }
}

/// The worker's side: its spec, job, index and barrier.
pub struct WorkerArgs {
    pub spec: Spec,
    pub job: Vec<String>,
    pub index: usize,
    barrier: TcpStream,
}

impl WorkerArgs {
    /// `None` unless this process was started as a worker.
    pub fn from_env() -> Option<Self> {
        let text = std::env::var(WORKER_ENV).ok()?;
        let mut lines = text.lines();
        let spec = Spec::decode(lines.next().unwrap());
        let job = lines
            .next()
            .unwrap()
            .split(' ')
            .map(str::to_owned)
            .collect();
        let index = lines.next().unwrap().parse().unwrap();
        let port: u16 = lines.next().unwrap().parse().unwrap();
        let barrier = TcpStream::connect(("127.0.0.1", port)).unwrap();
        Some(Self {
            spec,
            job,
            index,
            barrier,
        })
    }

    /// Wait at the barrier until the parent releases every worker.
    pub fn wait(&mut self) {
        self.barrier.write_all(b"r").unwrap();
        let mut b = [0u8; 1];
        self.barrier.read_exact(&mut b).unwrap();
    }
}

/// A line a worker prints for the parent.
pub fn report(result: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "RESULT {result}").unwrap();
    out.flush().unwrap();
}

/// Read a line of `key=value` pairs.
pub fn fields(line: &str) -> std::collections::HashMap<String, String> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

pub fn read_lines(reader: impl Read) -> Vec<String> {
    BufReader::new(reader)
        .lines()
        .map_while(Result::ok)
        .collect()
}

/// Delete one Redis key a test made (standalone or Cluster).
#[cfg(feature = "redis")]
pub fn delete_redis_key(spec: &Spec, key: &str) {
    runtime().block_on(delete_redis_key_async(spec, key));
}

/// [`delete_redis_key`] inside a runtime.
#[cfg(feature = "redis")]
pub async fn delete_redis_key_async(spec: &Spec, key: &str) {
    redis_command(spec, &["DEL", key]).await;
}

/// Run one Redis command on the server `spec` names (Cluster: routed by
/// redis-rs; `SCRIPT FLUSH` goes to every master).
#[cfg(feature = "redis")]
pub async fn redis_command(spec: &Spec, args: &[&str]) {
    let store = open(spec, 1).await;
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    match store {
        #[cfg(feature = "redis")]
        AnyStore::Redis(s) => {
            let mut c = s.backend().0.clone();
            let _: redis::Value = cmd.query_async(&mut c).await.unwrap();
        }
        #[cfg(feature = "redis")]
        AnyStore::Cluster(s) => {
            let mut c = s.backend().0.clone();
            let _: redis::Value = cmd.query_async(&mut c).await.unwrap();
        }
        #[allow(unreachable_patterns)]
        _ => panic!("a Redis store"),
    }
}

/// Delete a code's Redis key a test made (SQL stores: their tables go).
pub async fn forget_code(spec: &Spec, purpose: &str, subject: &str) {
    if spec.sql() {
        return;
    }
    #[cfg(feature = "redis")]
    {
        let key = regcore_store::redis::key(
            &Prefix::new(&spec.prefix).unwrap(),
            regcore_store::Table::Code,
            &[purpose, subject],
        );
        delete_redis_key_async(spec, &key).await;
    }
    let _ = (purpose, subject);
}
