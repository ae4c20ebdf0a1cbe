"""SQLite store (stdlib ``sqlite3``): the embedded default for scripts,
tools, one-server sites and tests.

An executor of the store protocol: it runs the statements the protocol
names on one connection and maps ``sqlite3`` errors. A cell operation is a
single statement (atomic on its own; writers wait up to the busy timeout);
a ledger operation is one ``BEGIN IMMEDIATE`` transaction. Open with a path
(WAL mode and the busy timeout are set) or pass your own connection
(``isolation_level=None`` or Python 3.12's ``autocommit=True``; put the
file in WAL mode yourself).
"""

from __future__ import annotations

import datetime as dt

import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from . import _errors
from ._api import RetryPolicy, SyncStore
from ._drive import Step, drive

__all__ = ["SQLiteStore"]


def _classify(e: BaseException) -> str | None:
    if isinstance(e, sqlite3.OperationalError):
        text = str(e).lower()
        if "locked" in text or "busy" in text:
            return "conflict"
        if "no such table" in text:
            return "missing_table"
        return "unavailable"
    if isinstance(e, sqlite3.IntegrityError):
        return "conflict"
    if isinstance(e, (sqlite3.DataError, sqlite3.InterfaceError)):
        return "rejected"
    if isinstance(e, sqlite3.Error):
        return "unavailable"
    return None


class SQLiteStore(SyncStore):
    """Lockout, codes, sessions and the pairing ledger in one SQLite file."""

    def __init__(
        self,
        database: str | os.PathLike[str] | sqlite3.Connection,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        busy_timeout: float = 10.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._init_base("sqlite", prefix, retry, clock)
        self._lock = threading.Lock()
        if isinstance(database, sqlite3.Connection):
            self.connection = database
        elif isinstance(database, (str, os.PathLike)):
            try:
                self.connection = sqlite3.connect(
                    database, timeout=busy_timeout, isolation_level=None, check_same_thread=False
                )
                self.connection.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error as e:
                raise _errors.unavailable("sqlite", "open") from e
        else:
            raise _errors.invalid_client("sqlite", "a file path or a sqlite3.Connection")
        self.connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")

    def close(self) -> None:
        self.connection.close()

    def _execute(self, step: Step) -> Any:
        kind, sql, params = step
        cur = self.connection.execute(sql, params)
        if kind == "count":
            return cur.rowcount
        if kind == "row":
            return cur.fetchone()
        return cur.fetchall()

    def _drive(self, op: Any, operation: str) -> Any:
        conn = self.connection
        with self._lock:
            try:
                if conn.in_transaction:
                    raise _errors.transaction_open("sqlite")
            except sqlite3.ProgrammingError as e:  # closed
                raise _errors.unavailable("sqlite", operation) from e
            try:
                return drive(op, self._execute, _classify)
            finally:
                try:
                    if conn.in_transaction:  # an exception escaped mid-transaction
                        conn.rollback()
                except sqlite3.Error:
                    pass
