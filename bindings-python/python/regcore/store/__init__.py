"""regcore's store layer: core's state values persisted atomically.

The store protocol (``regcore-store``, in Rust) decides every statement,
key, TTL, retry and rule; these classes are its executors over the
caller's own connection, pool or client, never one opened behind its back:

- :class:`SQLiteStore` (stdlib ``sqlite3``): lockout, codes, sessions, ledger;
- :class:`PostgresStore` / :class:`AsyncPostgresStore` (``regcore[postgres]``:
  psycopg 3, connections or pools): the same, for several servers;
- :class:`RedisStore` / :class:`AsyncRedisStore` (``regcore[redis]``:
  standalone or Cluster): lockout, codes and sessions; the ledger is refused.

Every operation writes only if the store still holds what it decided on
(a compare-and-set, or a transaction for the ledger); a lost race is
retried (bounded, jittered), then ``store.contended``; a connection failure
is ``store.unavailable`` (or ``store.outcome_unknown`` when a write may have
been applied). Neither ever admits an attempt that was not recorded. SQL
stores need an explicit :meth:`~SyncStore.migrate` once. See docs/storage.md.
"""

from __future__ import annotations

from ._api import (
    Admitted,
    AsyncStore,
    DayCount,
    LoginResult,
    RetryPolicy,
    SqlAsyncStore,
    SqlSyncStore,
    StoreStats,
    SyncStore,
    migrations,
)
from .postgres import AsyncPostgresStore, PostgresStore
from .redis import AsyncRedisStore, RedisStore
from .sqlite import SQLiteStore

__all__ = [
    "Admitted",
    "AsyncPostgresStore",
    "AsyncRedisStore",
    "AsyncStore",
    "DayCount",
    "LoginResult",
    "PostgresStore",
    "RedisStore",
    "RetryPolicy",
    "SQLiteStore",
    "SqlAsyncStore",
    "SqlSyncStore",
    "StoreStats",
    "SyncStore",
    "migrations",
]
