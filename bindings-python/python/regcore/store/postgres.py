"""PostgreSQL store (psycopg 3): the system of record when users outgrow one
machine. Pass your own ``psycopg.Connection`` or ``psycopg_pool.ConnectionPool``
(``AsyncPostgresStore``: ``AsyncConnection`` / ``AsyncConnectionPool``).

Each operation is one short transaction: the state row is read ``FOR UPDATE``,
core decides, the row is written (a first insert races under the primary
key and retries); the ledger binds under the activation number's primary key
(first writer wins, the loser re-plans). Needs ``pip install regcore[postgres]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from . import _errors
from ._drive import drive, drive_async
from ._retry import Conflict, RetryPolicy
from ._sql import Query, Script
from ._sqlstore import SqlAsyncStore, SqlSyncStore

T = TypeVar("T")

__all__ = ["PostgresStore", "AsyncPostgresStore"]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as e:
        raise _errors.driver_missing("psycopg", "postgres") from e
    return psycopg


def _map(psycopg: Any, e: BaseException, operation: str) -> BaseException:
    errors = psycopg.errors
    if isinstance(
        e,
        (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable, errors.UniqueViolation),
    ):
        return Conflict()
    if isinstance(e, errors.UndefinedTable):
        from ._sql import expected_version

        return _errors.schema_mismatch(0, expected_version())
    return _errors.unavailable("postgres", operation)


def _in_transaction(pg: Any, conn: Any) -> bool:
    """The caller's connection is inside a transaction of its own (our writes
    would commit only with it): refused. A broken connection is not, so its
    failure surfaces as store.unavailable."""
    status = pg.pq.TransactionStatus
    return bool(conn.info.transaction_status in (status.INTRANS, status.INERROR, status.ACTIVE))


def _is_pool(obj: Any) -> bool:
    return hasattr(obj, "connection") and hasattr(obj, "getconn")


class PostgresStore(SqlSyncStore):
    """Lockout, codes, sessions and the ledger in PostgreSQL (sync)."""

    def __init__(self, connection: Any, *, prefix: str = "regcore", retry: RetryPolicy | None = None) -> None:
        self._pg = _psycopg()
        self._init_sql(prefix, "postgres", retry)
        self._source = connection
        self._pool = _is_pool(connection)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._pool:
            with self._source.connection() as conn:
                yield conn
        else:
            with self._lock:
                yield self._source

    def _execute(self, script: Script[T], write: bool, operation: str) -> T:
        pg = self._pg
        try:
            with self._connection() as conn:
                if _in_transaction(pg, conn):
                    raise _errors.transaction_open("postgres")
                with conn.transaction(), conn.cursor() as cur:

                    def execute(q: Query) -> Any:
                        return cur.execute(q.sql, q.params or None)

                    return drive(script, execute)
        except pg.Error as e:
            raise _map(pg, e, operation) from e
        except Exception as e:
            if type(e).__module__.startswith("psycopg_pool"):
                raise _errors.unavailable("postgres", operation) from e
            raise


class AsyncPostgresStore(SqlAsyncStore):
    """The asyncio twin: ``AsyncConnection`` or ``AsyncConnectionPool``."""

    def __init__(self, connection: Any, *, prefix: str = "regcore", retry: RetryPolicy | None = None) -> None:
        self._pg = _psycopg()
        self._init_sql(prefix, "postgres", retry)
        self._source = connection
        self._pool = _is_pool(connection)
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        if self._pool:
            async with self._source.connection() as conn:
                yield conn
        else:
            async with self._lock:
                yield self._source

    async def _execute(self, script: Script[T], write: bool, operation: str) -> T:
        pg = self._pg
        try:
            async with self._connection() as conn:
                if _in_transaction(pg, conn):
                    raise _errors.transaction_open("postgres")
                async with conn.transaction(), conn.cursor() as cur:
                    return await drive_async(script, cur)
        except pg.Error as e:
            raise _map(pg, e, operation) from e
        except Exception as e:
            if type(e).__module__.startswith("psycopg_pool"):
                raise _errors.unavailable("postgres", operation) from e
            raise
