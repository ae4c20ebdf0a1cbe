"""regcore's store layer: core's state values persisted atomically (SPEC §8).

Pure Python over the native module. Each store takes the caller's own
connection, pool or client and never opens one behind its back:

- :class:`SQLiteStore` (stdlib ``sqlite3``): lockout, codes, sessions, ledger;
- :class:`PostgresStore` / :class:`AsyncPostgresStore` (``regcore[postgres]``:
  psycopg 3, connections or pools): the same, for several servers;
- :class:`RedisStore` / :class:`AsyncRedisStore` (``regcore[redis]``:
  standalone or Cluster): lockout, codes and sessions; the ledger is refused.

Every operation reads the stored value, asks core for the next one and
writes it only if the store still holds what was read; a lost race is
retried (bounded, jittered), then ``store.contended``; a connection failure
is ``store.unavailable``. Neither ever admits an attempt that was not
recorded. SQL stores need an explicit :meth:`~SQLiteStore.migrate` once.
See docs/storage.md.
"""

from __future__ import annotations

from ._api import AsyncStore, LoginResult, SyncStore
from ._model import Admitted
from ._retry import RetryPolicy, StoreStats
from ._sql import DayCount, migrations
from ._sqlstore import SqlAsyncStore, SqlSyncStore
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
