"""Redis store (redis-py >= 5): lockout, code and session state at high rates,
on a standalone server or a Redis Cluster (``Redis``, ``RedisCluster``;
``AsyncRedisStore``: ``redis.asyncio.Redis`` / ``redis.asyncio.RedisCluster``).

Each operation reads one key, asks core for the next state and writes it
with one server-side compare-and-set (a Lua script run by its SHA, loaded
again after ``NOSCRIPT``, e.g. after ``SCRIPT FLUSH`` or a failover). A lost
race returns the current value, so the retry needs no extra read. Keys are
``<prefix>:<kind>:{<id>}``: one key per operation, its hash tag the id, and a
TTL derived from the policy. The pairing ledger is refused
(``store.unsupported``): asynchronous replication can lose a "forever"
binding. Needs ``pip install regcore[redis]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final, TypeVar

from .._errors import RegcoreError
from . import _errors, _retry
from ._api import AsyncStore, SyncStore
from ._model import DELETE, KEEP, Decide, Step
from ._retry import Conflict, RetryPolicy
from ._sql import check_prefix

T = TypeVar("T")

__all__ = ["RedisStore", "AsyncRedisStore", "CAS_SCRIPT"]

# KEYS[1]; ARGV: expected ('' = absent), new ('' = delete), TTL in ms. Returns {1} when written, {0, current} when not.
CAS_SCRIPT: Final = """\
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {1}
"""
CAS_SHA: Final = hashlib.sha1(CAS_SCRIPT.encode()).hexdigest()

READ_RETRIES: Final = 3
"""How many failed reads an operation retries before ``store.unavailable``
(a write that fails is never retried: it may have been applied)."""


def _redis() -> Any:
    try:
        import redis
    except ImportError as e:
        raise _errors.driver_missing("redis", "redis") from e
    return redis


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


class _Keys:
    def __init__(self, prefix: str) -> None:
        self.prefix = check_prefix(prefix)

    def key(self, table: str, address: Sequence[str]) -> str:
        # One hash tag per key: the whole id (a code's purpose and subject).
        ident = "\x1f".join(address).replace("{", "{{").replace("}", "}}")
        return f"{self.prefix}:{table}:{{{ident}}}"


def _cas_args(old: str | None, step: Step[Any]) -> list[str]:
    new = "" if step.write is DELETE else str(step.write)
    ttl = 86_400_000
    if step.expires_ms is not None and step.now_ms is not None:
        ttl = step.expires_ms - step.now_ms
    # A state already past its expiry (a caller's clock far behind) is kept a
    # second rather than written without a TTL.
    return [old or "", new, str(max(ttl, 1000))]


def _cas_result(reply: Any) -> tuple[bool, str | None]:
    items = list(reply)
    if int(items[0]) == 1:
        return True, None
    current = _text(items[1]) if len(items) > 1 else None
    return False, current or None


def _unavailable(redis: Any, e: BaseException, operation: str) -> RegcoreError:
    return _errors.unavailable("redis", operation)


class RedisStore(SyncStore):
    """Lockout, codes and sessions in Redis or a Redis Cluster (sync)."""

    def __init__(self, client: Any, *, prefix: str = "regcore", retry: RetryPolicy | None = None) -> None:
        self._redis = _redis()
        self._init_base(retry)
        self._keys = _Keys(prefix)
        self.client = client

    def _evalsha(self, key: str, args: list[str]) -> Any:
        try:
            return self.client.evalsha(CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            # Flushed or never loaded on this node: EVAL runs it and caches it.
            return self.client.eval(CAS_SCRIPT, 1, key, *args)

    def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T:
        key = self._keys.key(table, address)

        read_failures = 0

        def attempt(current: str | None, known: bool) -> T:
            nonlocal read_failures
            if not known:
                try:
                    current = _text(self.client.get(key))
                except Exception as e:  # RedisError or a driver bug
                    read_failures += 1
                    unavailable = _unavailable(self._redis, e, operation)
                    unavailable.__cause__ = e
                    if read_failures > READ_RETRIES:
                        raise unavailable from e
                    # A failed read wrote nothing and admits nothing: read
                    # again after the retry loop's jitter (redis-py's async
                    # cluster client can fail a fresh connection's handshake
                    # under a burst).
                    raise Conflict(instead=unavailable) from e
            try:
                old = current
                step = decide(old)
                if step.write is KEEP:
                    return step.result
                written, now_current = _cas_result(
                    self._evalsha(key, _cas_args(old, step))
                )
            except (RegcoreError, Conflict):
                raise
            except Exception as e:  # RedisError, or a driver bug (redis.asyncio
                # cluster has raised AttributeError on a dropped connection)
                raise _unavailable(self._redis, e, operation) from e
            if not written:
                raise Conflict(now_current, known=True)
            return step.result

        return _retry.run(operation, attempt, self.retry, self.stats)

    def _read(self, table: str, address: Sequence[str], operation: str) -> str | None:
        try:
            return _text(self.client.get(self._keys.key(table, address)))
        except self._redis.exceptions.RedisError as e:
            raise _unavailable(self._redis, e, operation) from e

    def ledger_issue(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: the pairing ledger needs SQLite or PostgreSQL."""
        raise _errors.unsupported("redis", "ledger")

    ledger_rebind = ledger_issue
    ledger_bindings = ledger_issue
    migrate = ledger_issue


class AsyncRedisStore(AsyncStore):
    """The asyncio twin: ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster``."""

    def __init__(self, client: Any, *, prefix: str = "regcore", retry: RetryPolicy | None = None) -> None:
        self._redis = _redis()
        self._init_base(retry)
        self._keys = _Keys(prefix)
        self.client = client

    async def _evalsha(self, key: str, args: list[str]) -> Any:
        try:
            return await self.client.evalsha(CAS_SHA, 1, key, *args)
        except self._redis.exceptions.NoScriptError:
            return await self.client.eval(CAS_SCRIPT, 1, key, *args)

    async def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T:
        key = self._keys.key(table, address)

        read_failures = 0

        async def attempt(current: str | None, known: bool) -> T:
            nonlocal read_failures
            if not known:
                try:
                    current = _text(await self.client.get(key))
                except Exception as e:  # RedisError or a driver bug
                    read_failures += 1
                    unavailable = _unavailable(self._redis, e, operation)
                    unavailable.__cause__ = e
                    if read_failures > READ_RETRIES:
                        raise unavailable from e
                    # A failed read wrote nothing and admits nothing: read
                    # again after the retry loop's jitter (redis-py's async
                    # cluster client can fail a fresh connection's handshake
                    # under a burst).
                    raise Conflict(instead=unavailable) from e
            try:
                old = current
                step = decide(old)
                if step.write is KEEP:
                    return step.result
                written, now_current = _cas_result(
                    await self._evalsha(key, _cas_args(old, step))
                )
            except (RegcoreError, Conflict):
                raise
            except Exception as e:  # RedisError, or a driver bug (redis.asyncio
                # cluster has raised AttributeError on a dropped connection)
                raise _unavailable(self._redis, e, operation) from e
            if not written:
                raise Conflict(now_current, known=True)
            return step.result

        return await _retry.run_async(operation, attempt, self.retry, self.stats)

    async def _read(self, table: str, address: Sequence[str], operation: str) -> str | None:
        try:
            return _text(await self.client.get(self._keys.key(table, address)))
        except self._redis.exceptions.RedisError as e:
            raise _unavailable(self._redis, e, operation) from e

    async def ledger_issue(self, *args: Any, **kwargs: Any) -> Any:
        raise _errors.unsupported("redis", "ledger")
