"""Faults between the driver and a real server, made by a loopback proxy
(tests/store/loopback_proxy.py): a reply lost after the server ran the
write, and the server stopping mid-run.

- On a plain redis-py client the store runs its commands on the client's
  pooled connections without redis-py's command retry, and on PostgreSQL
  nothing re-sends: a lost reply is ``store.outcome_unknown`` at once and
  the attempt stays recorded.
- A client whose commands go through redis-py's retry (here a subclass
  that wraps ``execute_command``, as tracing wrappers do) sends the
  compare-and-set again; its write token is recognised and the failure is
  stored once, also with another server's write in between.
- ``store.unavailable`` comes back within the retry deadline plus one driver
  call after the server stops.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

import regcore
import store_workers as w
from loopback_proxy import LoopbackProxy
from regcore.store import Admitted, PostgresStore, RedisStore, RetryPolicy
from regcore.store.redis import CAS_SCRIPT
from store_fixtures import POSTGRES, REDIS, pg_database, skip_unless_enabled, unique_prefix

pytestmark = skip_unless_enabled

POLICY = regcore.LockoutPolicy.ups_site()


def _redis_address() -> tuple[str, int]:
    url = urllib.parse.urlparse(REDIS)
    return url.hostname or "127.0.0.1", url.port or 6379


def _pg_address() -> tuple[str, int]:
    params = psycopg.conninfo.conninfo_to_dict(POSTGRES)
    return str(params.get("host", "127.0.0.1")), int(str(params.get("port", 5432)))


def _coded(e: BaseException, code: str, kind: str) -> None:
    assert isinstance(e, regcore.RegcoreError), repr(e)
    assert (e.code, e.kind) == (code, kind), (e.code, e.kind, str(e))


@pytest.fixture
def redis_proxy() -> Iterator[LoopbackProxy]:
    proxy = LoopbackProxy(_redis_address())
    # The script in the server's cache, so the first EVALSHA runs it (a
    # NOSCRIPT answer would run nothing and test nothing).
    direct = redis.Redis(*_redis_address())
    direct.script_load(CAS_SCRIPT)
    direct.close()
    yield proxy
    proxy.stop()


@pytest.fixture
def pg_proxy(pg_database: str) -> Iterator[tuple[LoopbackProxy, str]]:
    proxy = LoopbackProxy(_pg_address())
    # Plain text on the wire, so the proxy can find the statement.
    conninfo = psycopg.conninfo.make_conninfo(pg_database, host="127.0.0.1", port=proxy.port, sslmode="disable")
    yield proxy, conninfo
    proxy.stop()


class WrappedRedis(redis.Redis):
    """A client whose ``execute_command`` is its own (an instrumented or
    tracing subclass): the store goes through it, and so through redis-py's
    command retry, which re-sends after a connection error."""

    def execute_command(self, *args: Any, **options: Any) -> Any:
        plain: Any = super()
        return plain.execute_command(*args, **options)


def _redis_via(proxy: LoopbackProxy, cls: type = redis.Redis, **options: Any) -> Any:
    return cls("127.0.0.1", proxy.port, **options)


def test_redis_a_write_the_driver_resends_after_a_lost_reply_counts_once(redis_proxy: LoopbackProxy) -> None:
    client = _redis_via(redis_proxy, WrappedRedis)  # redis-py's default retry: re-sends
    assert client.get_retry()._retries > 0
    prefix = unique_prefix()
    store = RedisStore(client, prefix=prefix)
    redis_proxy.drop_reply_after(b"EVALSHA")
    admitted = store.lockout_admit("alice", POLICY, now=w.T0)
    assert isinstance(admitted, Admitted)
    assert redis_proxy.dropped == 1
    # The write ran, its reply was lost, and the driver sent it again: the
    # script found its own token and answered "written".
    assert redis_proxy.count(b"EVALSHA") == 2
    direct = RedisStore(redis.Redis(*_redis_address()), prefix=prefix)
    assert direct.lockout_state("alice").failures == 1
    # The next attempt counts from there.
    assert isinstance(store.lockout_admit("alice", POLICY, now=w.T0), Admitted)
    assert direct.lockout_state("alice").failures == 2


def test_redis_a_resent_write_counts_once_after_other_writes_came_between(redis_proxy: LoopbackProxy) -> None:
    # Another server's attempt lands between the lost reply and the re-send:
    # the re-sent write still finds its token (kept with the newer value).
    prefix = unique_prefix()
    other = RedisStore(redis.Redis(*_redis_address()), prefix=prefix)
    resends: list[int] = []

    class Between(Retry):
        """Re-sends once, after another server's attempt got in."""

        def call_with_retry(self, do: Any, fail: Any, *args: Any, with_failure_count: bool = False, **kw: Any) -> Any:
            try:
                return do()
            except redis.exceptions.ConnectionError as e:
                if with_failure_count:
                    fail(e, 1)
                else:
                    fail(e)
                resends.append(1)
                assert isinstance(other.lockout_admit("alice", POLICY, now=w.T0), Admitted)
                return do()

    client = _redis_via(redis_proxy, WrappedRedis, retry=Between(NoBackoff(), 1))
    store = RedisStore(client, prefix=prefix)
    redis_proxy.drop_reply_after(b"EVALSHA")
    assert isinstance(store.lockout_admit("alice", POLICY, now=w.T0), Admitted)
    assert resends == [1] and redis_proxy.dropped == 1
    # Two attempts (this one and the other server's), two failures.
    assert other.lockout_state("alice").failures == 2


@pytest.mark.parametrize("client_options", ["default", "retry off, wrapped"])
def test_redis_a_lost_reply_without_resends_is_outcome_unknown_and_recorded(
    redis_proxy: LoopbackProxy, client_options: str
) -> None:
    if client_options == "default":
        # A plain client with redis-py's defaults: the store runs the
        # command on a pooled connection, outside redis-py's retry.
        client = _redis_via(redis_proxy)
    else:
        client = _redis_via(redis_proxy, WrappedRedis, retry=Retry(NoBackoff(), 0))
    prefix = unique_prefix()
    store = RedisStore(client, prefix=prefix)
    redis_proxy.drop_reply_after(b"EVALSHA")
    with pytest.raises(regcore.RegcoreError) as err:
        store.lockout_admit("bob", POLICY, now=w.T0)
    _coded(err.value, "store.outcome_unknown", "store_unavailable")
    assert "may have been recorded" in str(err.value)
    assert redis_proxy.count(b"EVALSHA") == 1
    # Failed closed: the attempt was not admitted, and it was recorded.
    direct = RedisStore(redis.Redis(*_redis_address()), prefix=prefix)
    assert direct.lockout_state("bob").failures == 1


def test_postgres_a_lost_reply_after_the_write_is_outcome_unknown_and_recorded(
    pg_proxy: tuple[LoopbackProxy, str], pg_database: str
) -> None:
    proxy, conninfo = pg_proxy
    prefix = unique_prefix()
    direct = PostgresStore(psycopg.connect(pg_database), prefix=prefix)
    direct.migrate()
    store = PostgresStore(psycopg.connect(conninfo), prefix=prefix)
    assert store.lockout_state("carol").failures == 0  # the schema check, before the fault
    # A fresh key: the admission's one statement is the guarded INSERT.
    proxy.drop_reply_after(b"INSERT INTO")
    with pytest.raises(regcore.RegcoreError) as err:
        store.lockout_admit("carol", POLICY, now=w.T0)
    _coded(err.value, "store.outcome_unknown", "store_unavailable")
    assert proxy.dropped == 1 and proxy.count(b"INSERT INTO") == 1
    assert direct.lockout_state("carol").failures == 1
    # An update's lost reply, the same.
    store2 = PostgresStore(psycopg.connect(conninfo), prefix=prefix)
    assert store2.lockout_state("carol").failures == 1
    proxy.drop_reply_after(b"UPDATE")
    with pytest.raises(regcore.RegcoreError) as err:
        store2.lockout_admit("carol", POLICY, now=w.T0)
    _coded(err.value, "store.outcome_unknown", "store_unavailable")
    assert direct.lockout_state("carol").failures == 2


def _seconds_to_fail(call: Any) -> tuple[float, BaseException]:
    start = time.monotonic()
    try:
        call()
    except BaseException as e:  # noqa: BLE001 - the caller checks it
        return time.monotonic() - start, e
    raise AssertionError("no error with the server stopped")


DEADLINE = 1.5
RETRY = RetryPolicy(attempts=8, deadline=DEADLINE)


@pytest.mark.parametrize("driver", ["plain client", "wrapped client, redis-py's retry"])
def test_redis_a_stopped_server_fails_within_the_deadline_plus_one_driver_call(
    redis_proxy: LoopbackProxy, driver: str
) -> None:
    options: dict[str, Any] = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
    cls = redis.Redis if driver == "plain client" else WrappedRedis
    client = _redis_via(redis_proxy, cls, **options)
    store = RedisStore(client, prefix=unique_prefix(), retry=RETRY)
    assert isinstance(store.lockout_admit("dave", POLICY, now=w.T0), Admitted)
    redis_proxy.stop()
    # One driver call against the stopped server, its own re-sends included.
    driver_call, _ = _seconds_to_fail(lambda: client.get("x"))
    elapsed, err = _seconds_to_fail(lambda: store.lockout_admit("dave", POLICY, now=w.T0))
    _coded(err, "store.unavailable", "store_unavailable")
    print(f"redis ({driver}): one driver call {driver_call:.2f} s, store.unavailable after {elapsed:.2f} s")
    assert elapsed <= DEADLINE + driver_call + 0.5, (elapsed, driver_call)


def test_postgres_a_stopped_server_fails_within_the_deadline_plus_one_driver_call(
    pg_proxy: tuple[LoopbackProxy, str], pg_database: str
) -> None:
    from psycopg_pool import ConnectionPool

    proxy, conninfo = pg_proxy
    prefix = unique_prefix()
    PostgresStore(psycopg.connect(pg_database), prefix=prefix).migrate()
    pool = ConnectionPool(conninfo, min_size=1, max_size=2, timeout=1.0, kwargs={"connect_timeout": 1}, open=True)
    pool.wait()
    store = PostgresStore(pool, prefix=prefix, retry=RETRY)
    assert isinstance(store.lockout_admit("erin", POLICY, now=w.T0), Admitted)
    proxy.stop()
    elapsed, err = _seconds_to_fail(lambda: store.lockout_admit("erin", POLICY, now=w.T0))
    # The pooled connection died with the server: the first write sent on it
    # may or may not have reached the server, so either code, one kind.
    assert isinstance(err, regcore.RegcoreError), repr(err)
    assert err.kind == "store_unavailable" and err.code in ("store.unavailable", "store.outcome_unknown"), err
    print(f"postgres: store.unavailable after {elapsed:.2f} s (pool timeout 1 s)")
    assert elapsed <= DEADLINE + 1.0 + 0.5, elapsed
    pool.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_database_migrated_under_a_running_store_is_noticed_at_the_next_operation(
    kind: str, pg_database: str, tmp_path: Any
) -> None:
    """Another deployment moves the schema version on while this store runs:
    its next cell operation and its next ledger transaction say
    store.schema_mismatch and write nothing; no restart needed."""
    import sqlite3

    from regcore.store import SQLiteStore

    prefix = unique_prefix()
    key = regcore.ActivationAuthority(w.master()).mint(0x0101, 7)
    request = regcore.IssuanceRequest(w.terminal(1), [key])
    if kind == "sqlite":
        path = str(tmp_path / "drift.db")
        store: Any = SQLiteStore(path, prefix=prefix)
        admin: Any = sqlite3.connect(path, isolation_level=None)
    else:
        store = PostgresStore(psycopg.connect(pg_database), prefix=prefix)
        admin = psycopg.connect(pg_database, autocommit=True)
    store.migrate()
    assert isinstance(store.lockout_admit("frank", POLICY, now=w.T0), Admitted)  # schema checked, in use

    def set_version(v: int) -> None:
        admin.execute(f"UPDATE {prefix}_meta SET value = {v} WHERE name = 'schema_version'")

    def failures() -> int:
        row = admin.execute(f"SELECT state FROM {prefix}_lockout WHERE key = 'frank'").fetchone()
        return int(regcore.LockoutState.decode(row[0]).failures)

    set_version(regcore.SCHEMA_VERSION + 1)
    calls: list[Callable[[], object]] = [
        lambda: store.lockout_admit("frank", POLICY, now=w.T0),  # a known key: read first
        lambda: store.lockout_admit("grace", POLICY, now=w.T0),  # a fresh key: the guarded insert
        lambda: store.lockout_state("frank"),
        lambda: store.ledger_issue(w.master(), request, now=w.T0),
    ]
    for call in calls:
        with pytest.raises(regcore.RegcoreError) as err:
            call()
        _coded(err.value, "store.schema_mismatch", "configuration")
        assert err.value.params["found"] == str(regcore.SCHEMA_VERSION + 1)
    assert failures() == 1
    assert admin.execute(f"SELECT count(*) FROM {prefix}_lockout").fetchone()[0] == 1
    assert admin.execute(f"SELECT count(*) FROM {prefix}_binding").fetchone()[0] == 0
    set_version(regcore.SCHEMA_VERSION)  # rolled back: the same store works again
    assert isinstance(store.lockout_admit("frank", POLICY, now=w.T0), Admitted)
    assert failures() == 2
    admin.close()


@pytest.mark.parametrize("asyncio_client", [False, True])
def test_redis_no_free_connection_is_unavailable_not_outcome_unknown(asyncio_client: bool) -> None:
    """The pool has no connection to give within its timeout: the write was
    never sent, so store.unavailable (nothing recorded), not "may have been
    recorded"."""
    import asyncio

    import redis.asyncio

    from regcore.store import AsyncRedisStore

    host, port = _redis_address()
    prefix = unique_prefix()

    def sync_attempt() -> BaseException | None:
        blocking: Any = redis.BlockingConnectionPool
        pool: Any = blocking(host=host, port=port, max_connections=1, timeout=0.2)
        held = pool.get_connection()  # the only connection, in use elsewhere
        try:
            RedisStore(redis.Redis(connection_pool=pool), prefix=prefix).lockout_admit("heidi", POLICY, now=w.T0)
        except BaseException as e:  # noqa: BLE001 - checked below
            return e
        finally:
            pool.release(held)
            pool.disconnect()
        return None

    async def async_attempt() -> BaseException | None:
        pool: Any = redis.asyncio.BlockingConnectionPool(host=host, port=port, max_connections=1, timeout=0.2)
        held = await pool.get_connection()
        store = AsyncRedisStore(redis.asyncio.Redis(connection_pool=pool), prefix=prefix)
        try:
            await store.lockout_admit("heidi", POLICY, now=w.T0)
        except BaseException as e:  # noqa: BLE001 - checked below
            return e
        finally:
            await pool.release(held)
            await pool.disconnect()
        return None

    err = asyncio.run(async_attempt()) if asyncio_client else sync_attempt()
    assert err is not None, "admitted without a connection"
    _coded(err, "store.unavailable", "store_unavailable")
    assert RedisStore(redis.Redis(host, port), prefix=prefix).lockout_state("heidi").failures == 0
