"""Fixtures of the store contract suite: real servers, several OS processes.

(Imported by each test module rather than a conftest.py, so mypy sees one
module named conftest in tests/.)

Servers come from scripts/services.sh (REGCORE_TEST_POSTGRES,
REGCORE_TEST_REDIS, REGCORE_TEST_REDIS_CLUSTER; loopback defaults). A server
that cannot be reached fails the tests that need it, with the command to
start it; REGCORE_STORE_TESTS=skip skips the whole suite explicitly.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.context
import os
import queue as queue_mod
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from store_workers import Spec

POSTGRES = os.environ.get("REGCORE_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
REDIS = os.environ.get("REGCORE_TEST_REDIS", "redis://127.0.0.1:6379/0")
CLUSTER = os.environ.get("REGCORE_TEST_REDIS_CLUSTER", "redis://127.0.0.1:7001")
START_HINT = "start the servers with: bash scripts/services.sh (or set REGCORE_STORE_TESTS=skip)"

ALL_KINDS = ["sqlite", "postgres", "redis", "cluster"]
SQL_KINDS = ["sqlite", "postgres"]

_counter = itertools.count()


# Explicit, never silent: only REGCORE_STORE_TESTS=skip skips the suite.
skip_unless_enabled = pytest.mark.skipif(
    os.environ.get("REGCORE_STORE_TESTS") == "skip", reason="REGCORE_STORE_TESTS=skip"
)


def unique_prefix() -> str:
    return f"t{os.getpid()}_{next(_counter)}_{secrets.token_hex(3)}"


@pytest.fixture(scope="session")
def ctx() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["regcore", "regcore.store", "store_workers", "psycopg", "redis"])
    return context


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of our own for the session, dropped at the end."""
    import psycopg

    name = f"regcore_test_{os.getpid()}"
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL not reachable at {POSTGRES!r}: {e}; {START_HINT}")
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    conninfo = psycopg.conninfo.make_conninfo(POSTGRES, dbname=name)
    try:
        yield conninfo
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _redis_ok(url: str, cluster: bool) -> None:
    import redis
    import redis.cluster

    try:
        client: Any = redis.cluster.RedisCluster.from_url(url) if cluster else redis.Redis.from_url(url)
        client.ping()
        client.close()
    except redis.RedisError as e:
        pytest.fail(f"Redis {'Cluster ' if cluster else ''}not reachable at {url}: {e}; {START_HINT}")


def _cleanup_redis(spec: Spec) -> None:
    import redis
    import redis.cluster

    client: Any = (
        redis.cluster.RedisCluster.from_url(spec.target) if spec.kind == "cluster" else redis.Redis.from_url(spec.target)
    )
    for key in client.scan_iter(match=f"{spec.prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def make_spec(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Callable[[str], Spec]]:
    """``make_spec(kind)``: a fresh, migrated store of that kind (own prefix)."""
    made: list[Spec] = []

    def make(kind: str) -> Spec:
        prefix = unique_prefix()
        if kind == "sqlite":
            spec = Spec(kind, str(tmp_path / f"{prefix}.sqlite3"), prefix)
        elif kind == "postgres":
            spec = Spec(kind, request.getfixturevalue("pg_database"), prefix)
        elif kind == "redis":
            _redis_ok(REDIS, False)
            spec = Spec(kind, REDIS, prefix)
        elif kind == "cluster":
            _redis_ok(CLUSTER, True)
            spec = Spec(kind, CLUSTER, prefix)
        else:
            raise ValueError(kind)
        if kind in SQL_KINDS:
            from store_workers import close_store, open_sql

            store = open_sql(spec)
            assert store.migrate() >= 1
            close_store(store)
        made.append(spec)
        return spec

    yield make
    for spec in made:
        if spec.kind in ("redis", "cluster"):
            _cleanup_redis(spec)


Target = Callable[..., None]


def run_processes(
    ctx: multiprocessing.context.BaseContext,
    target: Target,
    args: Callable[[int], tuple[Any, ...]],
    processes: int,
    threads: int = 1,
    timeout: float = 150.0,
) -> list[Any]:
    """Start ``processes`` children running ``target(*args(i), barrier, queue, i)``
    (each with ``threads`` threads behind one barrier of processes*threads);
    return every thread's result; fail on any child's error."""
    barrier = ctx.Barrier(processes * threads)
    results_q = ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(*args(i), barrier, results_q, i))  # type: ignore[attr-defined]
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    collected: list[Any] = []
    try:
        for _ in procs:
            _pid, results = results_q.get(timeout=timeout)
            collected.extend(results)
    except queue_mod.Empty:
        pytest.fail("a worker process did not report in time")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    errors = [r[1] for r in collected if r is None or r[0] != "ok"]
    assert not errors, errors[0]
    return [r[1] for r in collected]
