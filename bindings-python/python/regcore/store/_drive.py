"""Run a transaction script on a DB-API cursor (sync) or an async cursor."""

from __future__ import annotations

from typing import Any, TypeVar

from ._sql import All, Count, One, Query, Script

T = TypeVar("T")


def drive(script: Script[T], execute: Any) -> T:
    """``execute(query) -> cursor``; feeds each query's result back."""
    try:
        query: Query = next(script)
        while True:
            cur = execute(query)
            if isinstance(query, One):
                result: Any = cur.fetchone()
            elif isinstance(query, All):
                result = cur.fetchall()
            else:
                assert isinstance(query, Count)
                result = cur.rowcount
            query = script.send(result)
    except StopIteration as done:
        value: T = done.value
        return value


async def drive_async(script: Script[T], cursor: Any) -> T:
    """The same over a psycopg ``AsyncCursor``."""
    try:
        query: Query = next(script)
        while True:
            await cursor.execute(query.sql, query.params or None)
            if isinstance(query, One):
                result: Any = await cursor.fetchone()
            elif isinstance(query, All):
                result = await cursor.fetchall()
            else:
                result = cursor.rowcount
            query = script.send(result)
    except StopIteration as done:
        value: T = done.value
        return value
