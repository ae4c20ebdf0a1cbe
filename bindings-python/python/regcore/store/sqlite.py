"""SQLite store (stdlib ``sqlite3``): the embedded default for scripts,
tools, one-server sites and tests.

Every write runs in ``BEGIN IMMEDIATE`` (one writer at a time, others wait
up to the busy timeout), so the read-decide-write of an operation is
atomic across processes sharing the file. Open with a path (WAL mode and the
busy timeout are set) or pass your own connection (``isolation_level=None``
or Python 3.12's ``autocommit=True``; put the file in WAL mode yourself).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import TypeVar

from . import _errors
from ._drive import drive
from ._retry import Conflict, RetryPolicy
from ._sql import Query, Script
from ._sqlstore import SqlSyncStore

T = TypeVar("T")

__all__ = ["SQLiteStore"]


class SQLiteStore(SqlSyncStore):
    """Lockout, codes, sessions and the pairing ledger in one SQLite file."""

    def __init__(
        self,
        database: str | os.PathLike[str] | sqlite3.Connection,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        busy_timeout: float = 10.0,
    ) -> None:
        self._init_sql(prefix, "sqlite", retry)
        self._lock = threading.Lock()
        if isinstance(database, sqlite3.Connection):
            self.connection = database
        else:
            try:
                self.connection = sqlite3.connect(
                    database, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
                self.connection.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error as e:
                raise _errors.unavailable("sqlite", "open") from e
        self.connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")

    def close(self) -> None:
        self.connection.close()

    def _execute(self, script: Script[T], write: bool, operation: str) -> T:
        conn = self.connection

        def execute(q: Query) -> sqlite3.Cursor:
            return conn.execute(q.sql, tuple(q.params))

        with self._lock:
            try:
                if conn.in_transaction:
                    raise _errors.transaction_open("sqlite")
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    result = drive(script, execute)
                    conn.execute("COMMIT")
                    return result
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as e:
                text = str(e).lower()
                if "locked" in text or "busy" in text:
                    raise Conflict() from e
                raise _errors.unavailable("sqlite", operation) from e
            except sqlite3.Error as e:
                raise _errors.unavailable("sqlite", operation) from e
