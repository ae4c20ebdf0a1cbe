"""Code the store tests run in child processes (imported by spawn/forkserver).

Each child opens its own store (its own connection) from a picklable spec,
waits on a shared barrier so the attempts really overlap, and reports what
it saw through a queue. No database is mocked.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regcore
from regcore.store import Admitted, SQLiteStore, SqlSyncStore, SyncStore

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRET = bytes(range(32))
MASTER_BYTES = bytes(range(100, 132))


@dataclass(frozen=True)
class Spec:
    """How a process opens the store under test (picklable)."""

    kind: str  # sqlite | postgres | redis | cluster
    target: str  # file path, conninfo or URL
    prefix: str


_POOL: Any = None


def open_store(spec: Spec, clock: Callable[[], dt.datetime] | None = None) -> SyncStore:
    """A store of the spec; ``clock`` stands for the application server's
    clock (tests give one that is wrong)."""
    if spec.kind == "sqlite":
        return SQLiteStore(spec.target, prefix=spec.prefix, clock=clock)
    if spec.kind == "postgres":
        import psycopg

        from regcore.store import PostgresStore

        return PostgresStore(psycopg.connect(spec.target, autocommit=True), prefix=spec.prefix, clock=clock)
    if spec.kind == "postgres-pool":
        # One small pool per process shared by its threads (a web worker's
        # shape; keeps 100 attempts under the server's max_connections).
        global _POOL
        if _POOL is None:
            import psycopg_pool

            from regcore.store import PostgresStore

            _POOL = psycopg_pool.ConnectionPool(spec.target, min_size=3, max_size=3, open=True)
        from regcore.store import PostgresStore

        return PostgresStore(_POOL, prefix=spec.prefix)
    if spec.kind == "redis":
        import redis

        from regcore.store import RedisStore

        return RedisStore(redis.Redis.from_url(spec.target), prefix=spec.prefix, clock=clock)
    if spec.kind == "cluster":
        import redis.cluster

        from regcore.store import RedisStore

        return RedisStore(redis.cluster.RedisCluster.from_url(spec.target), prefix=spec.prefix)
    raise ValueError(spec.kind)


def open_sql(spec: Spec) -> SqlSyncStore:
    store = open_store(spec)
    assert isinstance(store, SqlSyncStore)
    return store


def close_store(store: SyncStore) -> None:
    if getattr(store, "_pool", False):
        return  # the process's shared pool outlives its threads
    for name in ("connection", "_source", "client"):
        obj = getattr(store, name, None)
        if obj is not None and hasattr(obj, "close"):
            obj.close()
            return


def threaded(spec: Spec) -> Spec:
    """The spec the threads of one process use (PostgreSQL: a shared pool)."""
    return Spec("postgres-pool", spec.target, spec.prefix) if spec.kind == "postgres" else spec


def run_threads(
    spec: Spec, threads: int, barrier: Any, body: Callable[[SyncStore, int], Any], queue: Any, tag: int
) -> None:
    """Open one store per thread, meet at the barrier, run ``body``, report."""
    results: list[Any] = [None] * threads
    if threads > 1:
        spec = threaded(spec)

    def one(i: int) -> None:
        try:
            store = open_store(spec)
            try:
                barrier.wait(timeout=120)
                results[i] = ("ok", body(store, tag * threads + i))
            finally:
                close_store(store)
        except BaseException as e:  # reported to the parent, which fails the test
            results[i] = ("error", f"{type(e).__name__}: {getattr(e, 'code', '')} {e}\n{traceback.format_exc()}")

    pool = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put((os.getpid(), results))


# --- bodies (module-level so they pickle by reference) ------------------------------


def never_locks() -> regcore.LockoutPolicy:
    return regcore.LockoutPolicy.fixed(1_000_000, dt.timedelta(seconds=1))


def record_failures(spec: Spec, key: str, n: int, barrier: Any, queue: Any, tag: int) -> None:
    def body(store: SyncStore, _i: int) -> tuple[int, int, int]:
        policy = never_locks()
        done = 0
        for _ in range(n):
            admitted = store.lockout_admit(key, policy)
            assert isinstance(admitted, Admitted), admitted
            store.lockout_settle(admitted, False)
            done += 1
        return done, store.stats.conflicts, store.stats.most_tries

    run_threads(spec, 1, barrier, body, queue, tag)


def wrong_guesses(spec: Spec, key: str, threads: int, barrier: Any, queue: Any, tag: int) -> None:
    """One wrong attempt per thread at the same instant; returns how many
    reached the password check."""

    def body(store: SyncStore, _i: int) -> int:
        checks = 0

        def check() -> bool:
            nonlocal checks
            checks += 1
            return False

        result = store.login(key, regcore.LockoutPolicy.ups_site(), check, now=T0)
        assert not result.ok
        assert (result.locked is None) == (checks == 1)
        return checks

    run_threads(spec, threads, barrier, body, queue, tag)


def verify_code(spec: Spec, subject: str, typed: str, threads: int, barrier: Any, queue: Any, tag: int) -> None:
    def body(store: SyncStore, _i: int) -> str:
        v = store.code_verify(regcore.CodePolicy.password_reset(), SECRET, subject, typed, now=T0)
        assert v is not None
        return "ok" if v.ok else (v.rejection.code if v.rejection else "?")

    run_threads(spec, threads, barrier, body, queue, tag)


def issue_code(spec: Spec, subject: str, threads: int, barrier: Any, queue: Any, tag: int) -> None:
    def body(store: SyncStore, _i: int) -> str:
        return store.code_issue(regcore.CodePolicy.password_reset(), SECRET, subject, now=T0).expose()

    run_threads(spec, threads, barrier, body, queue, tag)


def touch_session(spec: Spec, sid: str, rounds: int, barrier: Any, queue: Any, tag: int) -> None:
    def body(store: SyncStore, _i: int) -> int:
        policy = regcore.SessionPolicy.ups_site()
        active = 0
        for r in range(rounds):
            touched = store.session_touch(sid, policy, now=T0 + dt.timedelta(seconds=r))
            if touched is not None and touched.active:
                active += 1
        return active

    run_threads(spec, 1, barrier, body, queue, tag)


def master() -> regcore.MasterSecret:
    return regcore.MasterSecret(1, MASTER_BYTES)


def terminal(i: int) -> str:
    return f"{0x0123456789AB0000 + i:016X}"


def issue_rounds(spec: Spec, rounds: int, terminal_no: int, barrier: Any, queue: Any, tag: int) -> None:
    """Each round: every process issues the same fresh activation key to its
    own terminal at once; then reads back who holds it."""

    def body(any_store: SyncStore, _i: int) -> list[tuple[str, str]]:
        assert isinstance(any_store, SqlSyncStore)
        store = any_store
        authority = regcore.ActivationAuthority(master())
        seen: list[tuple[str, str]] = []
        for r in range(rounds):
            key = authority.mint(0x0101, 10_000 + r)
            request = regcore.IssuanceRequest(terminal(terminal_no), [key])
            if r:
                barrier.wait(timeout=120)
            outcome = store.ledger_issue(master(), request, now=T0).outcomes[0]
            barrier.wait(timeout=120)
            bound = store.ledger_by_activation_number(key.number)
            seen.append((outcome.outcome, bound.mpr_id.compact if bound else "none"))
        return seen

    run_threads(spec, 1, barrier, body, queue, tag)


def issue_forever(spec: Spec, start: int) -> None:
    """Issue new keys (and some re-issues) until killed."""
    store = open_sql(spec)
    authority = regcore.ActivationAuthority(master())
    i = start
    while True:
        keys = [authority.mint(0x0101, 50_000 + i + j) for j in range(3)]
        store.ledger_issue(master(), regcore.IssuanceRequest(terminal(i % 7), keys), now=T0)
        i += 3
