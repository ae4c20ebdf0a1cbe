"""PostgreSQL store (psycopg 3): the system of record when users outgrow one
machine. Pass your own ``psycopg.Connection`` or ``psycopg_pool.ConnectionPool``
(``AsyncPostgresStore``: ``AsyncConnection`` / ``AsyncConnectionPool``).

An executor of the store protocol: it holds one connection per operation
(from the pool, or the one given, one operation at a time), runs the
statements the protocol names in autocommit mode (a cell operation is a
single statement: one round trip on the common path; a ledger operation
is one transaction the protocol opens and commits) and maps psycopg's
errors. Needs ``pip install regcore[postgres]``.
"""

from __future__ import annotations

import datetime as dt

import asyncio
import contextlib
import threading
from collections.abc import Callable, AsyncIterator, Iterator
from typing import Any

from . import _errors
from ._api import AsyncStore, RetryPolicy, SyncStore
from ._drive import Step, drive, drive_async

__all__ = ["PostgresStore", "AsyncPostgresStore"]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as e:
        raise _errors.driver_missing("psycopg", "postgres") from e
    return psycopg


class _Unreachable(Exception):
    """The connection was closed before a command was sent."""


def _classifier(psycopg: Any) -> Any:
    errors = psycopg.errors

    def classify(e: BaseException) -> str | None:
        if isinstance(e, _Unreachable):
            return "unreachable"
        if isinstance(
            e,
            (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable, errors.UniqueViolation),
        ):
            return "conflict"
        if isinstance(e, errors.UndefinedTable):
            return "missing_table"
        if isinstance(e, (psycopg.DataError, errors.ProgramLimitExceeded)):
            return "rejected"
        if isinstance(e, psycopg.Error):
            return "unavailable"
        return None

    return classify


def _in_transaction(pg: Any, conn: Any) -> bool:
    """The caller's connection is inside a transaction of its own (our writes
    would commit only with it): refused. A broken connection is not, so its
    failure surfaces as store.unavailable."""
    status = pg.pq.TransactionStatus
    return bool(conn.info.transaction_status in (status.INTRANS, status.INERROR, status.ACTIVE))


def _is_pool(obj: Any) -> bool:
    return hasattr(obj, "connection") and hasattr(obj, "getconn")


def _check_source(connection: Any, pg: Any) -> None:
    if not (_is_pool(connection) or isinstance(connection, (pg.Connection, pg.AsyncConnection))):
        raise _errors.invalid_client("postgres", "a psycopg connection or psycopg_pool pool")


class PostgresStore(SyncStore):
    """Lockout, codes, sessions and the ledger in PostgreSQL (sync)."""

    def __init__(
        self,
        connection: Any,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._pg = _psycopg()
        self._init_base("postgres", prefix, retry, clock)
        _check_source(connection, self._pg)
        self._source = connection
        self._pool = _is_pool(connection)
        self._lock = threading.Lock()
        self._classify = _classifier(self._pg)

    @contextlib.contextmanager
    def _connection(self, operation: str) -> Iterator[Any]:
        if self._pool:
            try:
                ctx = self._source.connection()
                conn = ctx.__enter__()
            except Exception as e:  # PoolTimeout, PoolClosed, a failed connect
                raise _errors.unavailable("postgres", operation) from e
            try:
                yield conn
            except BaseException as e:
                if not ctx.__exit__(type(e), e, e.__traceback__):
                    raise
            else:
                ctx.__exit__(None, None, None)
        else:
            with self._lock:
                yield self._source

    def _drive(self, op: Any, operation: str) -> Any:
        pg = self._pg
        with self._connection(operation) as conn:
            if _in_transaction(pg, conn):
                raise _errors.transaction_open("postgres")
            try:
                manual = not conn.autocommit
                if manual:
                    conn.autocommit = True
            except pg.Error as e:
                raise _errors.unavailable("postgres", operation) from e
            try:
                with conn.cursor() as cur:

                    def execute(step: Step) -> Any:
                        kind, sql, params = step
                        if conn.closed:
                            raise _Unreachable()
                        cur.execute(sql, params or None)
                        if kind == "count":
                            return cur.rowcount
                        if kind == "row":
                            return cur.fetchone()
                        return cur.fetchall()

                    return drive(op, execute, self._classify)
            except pg.Error as e:  # the cursor itself (a closed connection)
                raise _errors.unavailable("postgres", operation) from e
            finally:
                with contextlib.suppress(pg.Error):
                    if conn.info.transaction_status != pg.pq.TransactionStatus.IDLE:
                        conn.rollback()
                    if manual:
                        conn.autocommit = False


class AsyncPostgresStore(AsyncStore):
    """The asyncio twin: ``AsyncConnection`` or ``AsyncConnectionPool``."""

    def __init__(
        self,
        connection: Any,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._pg = _psycopg()
        self._init_base("postgres", prefix, retry, clock)
        _check_source(connection, self._pg)
        self._source = connection
        self._pool = _is_pool(connection)
        self._lock = asyncio.Lock()
        self._classify = _classifier(self._pg)

    @contextlib.asynccontextmanager
    async def _connection(self, operation: str) -> AsyncIterator[Any]:
        if self._pool:
            try:
                ctx = self._source.connection()
                conn = await ctx.__aenter__()
            except Exception as e:
                raise _errors.unavailable("postgres", operation) from e
            try:
                yield conn
            except BaseException as e:
                if not await ctx.__aexit__(type(e), e, e.__traceback__):
                    raise
            else:
                await ctx.__aexit__(None, None, None)
        else:
            async with self._lock:
                yield self._source

    async def _drive(self, op: Any, operation: str) -> Any:
        pg = self._pg
        async with self._connection(operation) as conn:
            if _in_transaction(pg, conn):
                raise _errors.transaction_open("postgres")
            try:
                manual = not conn.autocommit
                if manual:
                    await conn.set_autocommit(True)
            except pg.Error as e:
                raise _errors.unavailable("postgres", operation) from e
            try:
                async with conn.cursor() as cur:

                    async def execute(step: Step) -> Any:
                        kind, sql, params = step
                        if conn.closed:
                            raise _Unreachable()
                        await cur.execute(sql, params or None)
                        if kind == "count":
                            return cur.rowcount
                        if kind == "row":
                            return await cur.fetchone()
                        return await cur.fetchall()

                    return await drive_async(op, execute, self._classify)
            except pg.Error as e:
                raise _errors.unavailable("postgres", operation) from e
            finally:
                with contextlib.suppress(pg.Error):
                    if conn.info.transaction_status != pg.pq.TransactionStatus.IDLE:
                        await conn.rollback()
                    if manual:
                        await conn.set_autocommit(False)
