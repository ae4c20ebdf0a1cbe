//! A login handler on axum with the SQLite store: a burst of wrong guesses
//! reaches the password check at most as often as the lockout policy allows,
//! across every process that shares the database; while the account is
//! locked the handler answers 429 with `Retry-After` and checks nothing.
//!
//! ```text
//! cargo run -p regcore-store --features axum-example --example axum_login
//! curl -i -d 'user=alice&password=wrong' http://127.0.0.1:3000/login
//! ```
//!
//! PostgreSQL and Redis Cluster differ only in the store built in `main`
//! (docs/rust-store.md). With `--selftest` it serves on a free port, sends
//! itself six wrong logins and exits non-zero unless the sixth is a 429
//! with `Retry-After`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use regcore::hash::{HashParams, hash_password, verify_password};
use regcore::lockout::LockoutPolicy;
use regcore_store::SqliteStore;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

struct App {
    store: SqliteStore,
    policy: LockoutPolicy,
    /// The demo's one user (a real site looks the hash up by user).
    alice_hash: String,
}

#[derive(serde::Deserialize)]
struct Login {
    user: String,
    password: String,
}

async fn login(State(app): State<Arc<App>>, Form(form): Form<Login>) -> Response {
    let hash = (form.user == "alice").then(|| app.alice_hash.clone());
    let check = || async move {
        // Argon2id is CPU-bound: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            hash.is_some_and(|h| verify_password(&form.password, &h, None).unwrap_or(false))
        })
        .await
        .unwrap_or(false)
    };
    match app.store.login(&form.user, &app.policy, check).await {
        Ok(result) if result.ok => (StatusCode::OK, "welcome\n").into_response(),
        Ok(result) => match result.locked {
            Some(locked) => {
                let mut response =
                    (StatusCode::TOO_MANY_REQUESTS, "locked: try again later\n").into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(locked.retry_after_secs()),
                );
                response
            }
            None => (StatusCode::UNAUTHORIZED, "wrong user or password\n").into_response(),
        },
        // Fail closed: a store that cannot record the attempt admits nobody.
        Err(err) => {
            eprintln!("login: {} ({err})", err.code());
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let selftest = std::env::args().any(|a| a == "--selftest");
    let path = std::env::temp_dir().join(format!("regcore-axum-{}.db", std::process::id()));
    let pool = SqlitePoolOptions::new()
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10)),
        )
        .await?;
    let store = SqliteStore::new(pool);
    store.migrate().await?; // once, at deploy time

    // Cheap parameters for the demo only; use HashParams::OWASP.
    let params = HashParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    let app = Arc::new(App {
        store,
        policy: LockoutPolicy::ups_site(),
        alice_hash: hash_password("correct horse", &[7u8; 16], &params, None)?,
    });
    let router = Router::new().route("/login", post(login)).with_state(app);

    let addr = if selftest {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:3000"
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    if !selftest {
        println!("listening on http://{local}/login");
        axum::serve(listener, router).await?;
        return Ok(());
    }
    tokio::spawn(async move { axum::serve(listener, router).await });
    let mut last = String::new();
    for _ in 0..6 {
        last = post_form(local, "user=alice&password=wrong").await?;
    }
    let _ = std::fs::remove_file(&path);
    println!("{}", last.lines().next().unwrap_or_default());
    let retry = last
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("retry-after:"));
    if last.starts_with("HTTP/1.1 429") && retry.is_some() {
        println!("{}", retry.unwrap_or_default());
        Ok(())
    } else {
        Err(format!("expected 429 with Retry-After, got:\n{last}").into())
    }
}

/// A bare HTTP/1.1 POST (keeps the example free of a client dependency).
async fn post_form(
    addr: std::net::SocketAddr,
    body: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response)
}
