"""Redis store (redis-py >= 5): lockout, code and session state at high rates,
on a standalone server or a Redis Cluster (``Redis``, ``RedisCluster``;
``AsyncRedisStore``: ``redis.asyncio.Redis`` / ``redis.asyncio.RedisCluster``).

An executor of the store protocol: it runs the ``GET`` and the
compare-and-set script (by its SHA; ``EVAL`` again after ``NOSCRIPT``, e.g.
after ``SCRIPT FLUSH`` or a failover) that the protocol names, with the
keys, arguments and TTLs it names, and maps redis-py's errors. The pairing
ledger is refused (``store.unsupported``): asynchronous replication can
lose a "forever" binding. Needs ``pip install regcore[redis]``.

On a plain ``Redis`` client (not a cluster, not a single-connection
client) each command runs on a connection taken from the client's own pool
(``send_command`` / ``read_response``), without redis-py's command retry:
a reply lost after a write is reported at once (``store.outcome_unknown``)
instead of the command being sent again up to 10 times with backoff, so a
failure takes one driver call, and the round trip skips redis-py's
per-command machinery (docs/storage.md, "Faults"). Connecting still uses
the client's settings (AUTH, db, TLS, timeouts, its connect retries).
Clusters go through ``RedisCluster`` itself (slot routing, redirections);
a command it sends again is recognised by the value's write token.
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Callable
from typing import Any, Final

from .. import _native
from . import _errors
from ._api import AsyncStore, RetryPolicy, SyncStore
from ._drive import Step, drive, drive_async

__all__ = ["RedisStore", "AsyncRedisStore", "CAS_SCRIPT"]

_n: Any = _native
CAS_SCRIPT: Final[str] = _n.REDIS_CAS_SCRIPT
"""The compare-and-set script (the store protocol's; shown for operators)."""
_CAS_SHA: Final[str] = _n.REDIS_CAS_SHA


def _redis() -> Any:
    try:
        import redis
    except ImportError as e:
        raise _errors.driver_missing("redis", "redis") from e
    return redis


class _NotSent(Exception):
    """No connection could be had from the pool (none free in time, or
    connecting failed): the command was never sent."""


def _classifier(redis: Any) -> Any:
    def classify(e: BaseException) -> str | None:
        if isinstance(e, _NotSent):
            return "unreachable"
        if isinstance(e, redis.exceptions.ResponseError) and not isinstance(e, redis.exceptions.NoScriptError):
            return "rejected"  # WRONGTYPE and kin: the key holds something else
        if isinstance(e, redis.exceptions.ConnectionError) and "connecting to" in str(e):
            return "unreachable"  # refused or timed out connecting: nothing was sent
        # RedisError, or a driver bug (redis.asyncio cluster has raised
        # AttributeError on a dropped connection): the store is unreachable.
        return "unavailable"

    return classify


def _check_client(client: Any) -> None:
    if not all(callable(getattr(client, name, None)) for name in ("get", "evalsha", "eval")):
        raise _errors.invalid_client("redis", "a redis-py client or cluster")


def _own_pool(client: Any, plain: type) -> Any:
    """The client's connection pool when commands can run on its connections
    directly: a plain client (its class or a subclass that does not change
    how commands are executed), not a single-connection one."""
    if not isinstance(client, plain) or getattr(client, "connection", None) is not None:
        return None
    if getattr(type(client), "execute_command", None) is not getattr(plain, "execute_command", None):
        return None
    return getattr(client, "connection_pool", None)


class RedisStore(SyncStore):
    """Lockout, codes and sessions in Redis or a Redis Cluster (sync)."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._redis = _redis()
        self._plain: type = self._redis.Redis
        self._init_base("redis", prefix, retry, clock)
        _check_client(client)
        self.client = client
        self._classify = _classifier(self._redis)

    def _command(self, pool: Any, *args: Any) -> Any:
        try:
            conn = pool.get_connection()
        except Exception as e:
            raise _NotSent() from e
        try:
            conn.send_command(*args)
            return conn.read_response()
        except self._redis.exceptions.ResponseError:
            raise  # a whole reply (NOSCRIPT, WRONGTYPE): the connection is fine
        except BaseException:
            conn.disconnect()  # a reply may still be on its way: never reuse it
            raise
        finally:
            pool.release(conn)

    def _execute(self, step: Step) -> Any:
        pool = _own_pool(self.client, self._plain)
        if pool is None:
            return self._execute_on_client(step)
        if step[0] == "get":
            return self._command(pool, "GET", step[1])
        key, args = step[1], step[2]
        try:
            return self._command(pool, "EVALSHA", _CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            return self._command(pool, "EVAL", CAS_SCRIPT, 1, key, *args)

    def _execute_on_client(self, step: Step) -> Any:
        if step[0] == "get":
            return self.client.get(step[1])
        key, args = step[1], step[2]
        try:
            return self.client.evalsha(_CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            return self.client.eval(CAS_SCRIPT, 1, key, *args)

    def _drive(self, op: Any, operation: str) -> Any:
        return drive(op, self._execute, self._classify)


class AsyncRedisStore(AsyncStore):
    """The asyncio twin: ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster``."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "regcore",
        retry: RetryPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._redis = _redis()
        import redis.asyncio

        self._plain: type = redis.asyncio.Redis
        self._init_base("redis", prefix, retry, clock)
        _check_client(client)
        self.client = client
        self._classify = _classifier(self._redis)

    async def _command(self, pool: Any, *args: Any) -> Any:
        try:
            conn = await pool.get_connection()
        except Exception as e:
            raise _NotSent() from e
        try:
            await conn.send_command(*args)
            return await conn.read_response()
        except self._redis.exceptions.ResponseError:
            raise  # a whole reply (NOSCRIPT, WRONGTYPE): the connection is fine
        except BaseException:
            # Failed or cancelled mid-command: a reply may still be on its
            # way, so the connection is never reused.
            await conn.disconnect()
            raise
        finally:
            await pool.release(conn)

    async def _execute(self, step: Step) -> Any:
        pool = _own_pool(self.client, self._plain)
        if pool is None:
            return await self._execute_on_client(step)
        if step[0] == "get":
            return await self._command(pool, "GET", step[1])
        key, args = step[1], step[2]
        try:
            return await self._command(pool, "EVALSHA", _CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            return await self._command(pool, "EVAL", CAS_SCRIPT, 1, key, *args)

    async def _execute_on_client(self, step: Step) -> Any:
        if step[0] == "get":
            return await self.client.get(step[1])
        key, args = step[1], step[2]
        try:
            return await self.client.evalsha(_CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            return await self.client.eval(CAS_SCRIPT, 1, key, *args)

    async def _drive(self, op: Any, operation: str) -> Any:
        return await drive_async(op, self._execute, self._classify)
