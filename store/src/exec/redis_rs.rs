//! The Redis executor on redis-rs (feature `redis`): a standalone server
//! through the caller's `ConnectionManager` (or any async connection), or a
//! Redis Cluster through the caller's `cluster_async::ClusterConnection`.
//!
//! It runs the `GET` and the compare-and-set script the protocol names
//! (`EVALSHA` by [`crate::redis::cas_sha`], `EVAL` again after
//! `NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a failover), with the keys,
//! arguments and TTLs it names. Every key holds its id as the hash tag, so
//! each command goes to one slot of a Cluster. The pairing ledger is not
//! offered on Redis (asynchronous replication can lose a "forever"
//! binding): [`RedisStore`](super::RedisStore) has no ledger methods.
//!
//! Available with the feature `redis`.

use std::sync::OnceLock;

use redis::aio::ConnectionLike;
use redis::{ErrorKind, RedisError, ServerErrorKind};

use crate::machine::{Command, Failure, OpError, Operation, RedisValue, Reply};
use crate::redis::{CAS_SCRIPT, cas_sha};
use crate::{Prefix, Protocol, RetryPolicy};

use super::{Backend, Execute, drive, sealed};

/// A redis-rs async connection as a store [`Backend`]: a
/// `ConnectionManager`, a `MultiplexedConnection` or a Cluster's
/// `ClusterConnection`. Cloned once per operation (each of those is a
/// cheap handle onto shared connections).
#[derive(Debug, Clone)]
pub struct Redis<C>(pub C);

impl<C> From<C> for Redis<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn from(conn: C) -> Self {
        Self(conn)
    }
}

impl<C> sealed::Sealed for Redis<C> {}

impl<C> Backend for Redis<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn protocol(prefix: Prefix, retry: RetryPolicy) -> Protocol {
        Protocol::redis(prefix, retry)
    }

    async fn run<T: Send + 'static>(
        &self,
        op: &mut Operation<T>,
        _store: &'static str,
        _operation: &'static str,
    ) -> Result<T, OpError> {
        let mut exec = Exec(self.0.clone());
        drive(op, &mut exec).await
    }
}

struct Exec<C>(C);

fn sha() -> &'static str {
    static SHA: OnceLock<String> = OnceLock::new();
    SHA.get_or_init(cas_sha)
}

impl<C: ConnectionLike + Send> Execute for Exec<C> {
    async fn execute(&mut self, command: Command) -> Reply {
        let result = match command {
            Command::RedisGet { key } => {
                redis::cmd("GET")
                    .arg(&key)
                    .query_async::<redis::Value>(&mut self.0)
                    .await
            }
            Command::RedisCas { key, args } => {
                let by_sha = redis::cmd("EVALSHA")
                    .arg(sha())
                    .arg(1)
                    .arg(&key)
                    .arg(&args[..])
                    .query_async::<redis::Value>(&mut self.0)
                    .await;
                match by_sha {
                    Err(err) if err.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                        redis::cmd("EVAL")
                            .arg(CAS_SCRIPT)
                            .arg(1)
                            .arg(&key)
                            .arg(&args[..])
                            .query_async::<redis::Value>(&mut self.0)
                            .await
                    }
                    other => other,
                }
            }
            _ => return Reply::Failed(Failure::Rejected),
        };
        match result {
            Ok(value) => convert(value).map_or(Reply::Failed(Failure::Rejected), Reply::Redis),
            Err(err) => Reply::Failed(classify(&err)),
        }
    }
}

/// The reply as the protocol reads it; `None` for what regcore never writes.
fn convert(value: redis::Value) -> Option<RedisValue> {
    Some(match value {
        redis::Value::Nil => RedisValue::Nil,
        redis::Value::Int(n) => RedisValue::Int(n),
        redis::Value::BulkString(bytes) => RedisValue::Text(String::from_utf8(bytes).ok()?),
        redis::Value::SimpleString(text) | redis::Value::VerbatimString { text, .. } => {
            RedisValue::Text(text)
        }
        redis::Value::Okay => RedisValue::Text("OK".to_owned()),
        redis::Value::Array(items) | redis::Value::Set(items) => {
            RedisValue::Array(items.into_iter().map(convert).collect::<Option<_>>()?)
        }
        _ => return None,
    })
}

/// The protocol's name for a redis-rs error.
fn classify(err: &RedisError) -> Failure {
    if err.is_connection_refusal() {
        // Refused while connecting: nothing was sent.
        return Failure::Unreachable;
    }
    match err.kind() {
        // The server refused the command or the key holds another type
        // (WRONGTYPE): nothing was applied.
        ErrorKind::Server(ServerErrorKind::ResponseError | ServerErrorKind::NoScript)
        | ErrorKind::Extension
        | ErrorKind::UnexpectedReturnType => Failure::Rejected,
        // I/O, timeouts, a Cluster reconfiguring (CLUSTERDOWN, TRYAGAIN,
        // MASTERDOWN, LOADING, READONLY): the command may have run.
        _ => Failure::Unavailable,
    }
}
