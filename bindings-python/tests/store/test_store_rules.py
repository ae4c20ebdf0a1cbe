"""Boundaries, clocks, schema, errors and Redis specifics of the stores."""

from __future__ import annotations

import datetime as dt
import multiprocessing.context
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import regcore
import store_workers as w
from store_fixtures import ALL_KINDS, CLUSTER, REDIS, SQL_KINDS, run_processes, unique_prefix, ctx, make_spec, pg_database, skip_unless_enabled
from regcore.store import Admitted, RetryPolicy, SQLiteStore
from store_workers import Spec

Ctx = multiprocessing.context.BaseContext
MakeSpec = Callable[[str], Spec]
MS = dt.timedelta(milliseconds=1)

pytestmark = skip_unless_enabled



def _coded(e: BaseException, code: str, kind: str | None = None) -> None:
    assert isinstance(e, regcore.RegcoreError), e
    assert e.code == code, e
    assert e.message_en and e.message_ja
    if kind is not None and hasattr(e, "kind"):
        assert getattr(e, "kind") == kind


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_code_expiry_at_the_boundary(kind: str, make_spec: MakeSpec) -> None:
    store = w.open_store(make_spec(kind))
    policy = regcore.CodePolicy.password_reset()
    code = store.code_issue(policy, w.SECRET, "s", now=w.T0)
    state = store.code_state("password_reset", "s")
    assert state is not None
    end = policy.expires_at(state)
    wrong = "000000" if code.expose() != "000000" else "111111"
    at_end = store.code_verify(policy, w.SECRET, "s", code.expose(), now=end)
    assert at_end is not None and at_end.rejection is not None and at_end.rejection.code == "code.expired"
    just_before = store.code_verify(policy, w.SECRET, "s", code.expose(), now=end - MS)
    assert just_before is not None and just_before.ok
    assert store.code_verify(policy, w.SECRET, "nobody", wrong, now=w.T0) is None


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_session_idle_boundary_and_revoke(kind: str, make_spec: MakeSpec) -> None:
    store = w.open_store(make_spec(kind))
    policy = regcore.SessionPolicy.ups_site()
    store.session_start("a", policy, now=w.T0)
    touched = store.session_touch("a", policy, now=w.T0 + policy.idle_timeout - MS)
    assert touched is not None and touched.active
    late = store.session_touch("a", policy, now=w.T0 + 2 * policy.idle_timeout - MS)
    assert late is not None and late.status == "idle_expired"
    assert store.session_touch("a", policy, now=w.T0) is None  # deleted when it expired
    store.session_start("b", policy, now=w.T0)
    assert store.session_revoke("b") and store.session_touch("b", policy, now=w.T0) is None


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_lockout_boundary_and_a_clock_going_backwards_between_servers(kind: str, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    server_a, server_b = w.open_store(spec), w.open_store(spec)
    policy = regcore.LockoutPolicy.ups_site()
    for _ in range(5):
        admitted = server_a.lockout_admit("k", policy, now=w.T0)
        assert isinstance(admitted, Admitted)
        server_a.lockout_settle(admitted, False, now=w.T0)
    # Locked for 1 s from T0: refused just before the end, admitted at it.
    assert isinstance(server_a.lockout_admit("k", policy, now=w.T0 + dt.timedelta(seconds=1) - MS), regcore.Locked)
    # Server B's clock is 10 minutes behind: never unlocked early there.
    behind = w.T0 - dt.timedelta(minutes=10)
    refused = server_b.lockout_admit("k", policy, now=behind)
    assert isinstance(refused, regcore.Locked) and refused.retry_after_secs == 1
    assert isinstance(server_b.lockout_admit("k", policy, now=behind + dt.timedelta(seconds=1) - MS), regcore.Locked)
    # ...and never locked forever on either clock: the lock ends 1 s after the
    # latest time a server passed in.
    assert isinstance(server_b.lockout_admit("k", policy, now=behind + dt.timedelta(seconds=1)), Admitted)
    assert server_a.lockout_state("k").failures == 6


@pytest.mark.parametrize("kind", SQL_KINDS)
def test_schema_is_explicit_and_versioned(kind: str, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    fresh = Spec(spec.kind, spec.target, unique_prefix())  # never migrated
    store = w.open_sql(fresh)
    assert store.schema_version() == 0
    with pytest.raises(regcore.RegcoreError) as err:
        store.lockout_state("x")
    _coded(err.value, "store.schema_mismatch", "configuration")
    assert err.value.params == {"found": "0", "expected": str(max(v for v, _ in regcore.store.migrations()))}
    assert store.schema_version() == 0  # nothing was created behind our back
    assert store.migrate() == store.schema_version() >= 1
    assert store.migrate() == store.schema_version()  # idempotent
    assert store.lockout_state("x").failures == 0


@pytest.mark.parametrize("prefix", ["", "1abc", "Abc", "a-b", "a;drop table x", "a b", "ａ", "a" * 33])
def test_invalid_prefix_is_refused_before_any_sql(prefix: str, tmp_path: Any) -> None:
    with pytest.raises(regcore.RegcoreError) as err:
        SQLiteStore(str(tmp_path / "x.db"), prefix=prefix)
    _coded(err.value, "store.invalid_prefix", "configuration")


def test_purge_expired_deletes_only_what_no_longer_matters(make_spec: MakeSpec) -> None:
    store = w.open_sql(make_spec("sqlite"))
    sessions = regcore.SessionPolicy.ups_site()
    store.session_start("old", sessions, now=w.T0)
    store.session_start("new", sessions, now=w.T0 + dt.timedelta(hours=1))
    store.code_issue(regcore.CodePolicy.password_reset(), w.SECRET, "u", now=w.T0)
    assert store.purge_expired(w.T0 + dt.timedelta(minutes=31)) == 1
    assert store.session_touch("new", sessions, now=w.T0 + dt.timedelta(hours=1)) is not None
    assert store.code_state("password_reset", "u") is not None
    assert store.purge_expired(w.T0 + dt.timedelta(days=3)) == 2


def test_postgres_connection_in_an_open_transaction_is_refused(make_spec: MakeSpec) -> None:
    import psycopg

    spec = make_spec("postgres")
    conn = psycopg.connect(spec.target)  # not autocommit
    conn.execute("SELECT 1")  # a transaction is now open
    with pytest.raises(regcore.RegcoreError) as err:
        regcore.store.PostgresStore(conn, prefix=spec.prefix).lockout_state("k")
    _coded(err.value, "store.transaction_open", "configuration")
    conn.rollback()
    # An idle non-autocommit connection works: each operation commits itself.
    store = regcore.store.PostgresStore(conn, prefix=spec.prefix)
    assert isinstance(store.lockout_admit("k", regcore.LockoutPolicy.ups_site(), now=w.T0), Admitted)
    other = w.open_store(spec)
    assert other.lockout_state("k").failures == 1  # committed, visible to others
    conn.close()


def test_sqlite_connection_in_an_open_transaction_is_refused(make_spec: MakeSpec) -> None:
    spec = make_spec("sqlite")
    conn = sqlite3.connect(spec.target)
    conn.execute(f"INSERT INTO {spec.prefix}_session (key, state) VALUES ('x', 'y')")  # implicit BEGIN
    with pytest.raises(regcore.RegcoreError) as err:
        SQLiteStore(conn, prefix=spec.prefix).lockout_state("k")
    _coded(err.value, "store.transaction_open")
    conn.rollback()


def test_unreachable_servers_are_store_unavailable(make_spec: MakeSpec) -> None:
    import psycopg
    import redis

    spec = make_spec("postgres")
    conn = psycopg.connect(spec.target, autocommit=True)
    store = regcore.store.PostgresStore(conn, prefix=spec.prefix)
    store.lockout_state("k")
    conn.close()  # the connection is gone
    with pytest.raises(regcore.RegcoreError) as err:
        store.lockout_admit("k", regcore.LockoutPolicy.ups_site(), now=w.T0)
    _coded(err.value, "store.unavailable", "store_unavailable")
    assert err.value.params == {"store": "postgres", "operation": "lockout.admit"}
    assert isinstance(err.value.__cause__, psycopg.Error)

    dead = regcore.store.RedisStore(redis.Redis(port=1, socket_connect_timeout=0.5), prefix="x")
    with pytest.raises(regcore.RegcoreError) as err:
        dead.code_issue(regcore.CodePolicy.password_reset(), w.SECRET, "u", now=w.T0)
    _coded(err.value, "store.unavailable", "store_unavailable")
    assert "redis://" not in str(err.value.params)


def test_contention_beyond_the_budget_is_store_contended_and_records_nothing(make_spec: MakeSpec) -> None:
    import redis

    spec = make_spec("redis")
    client = redis.Redis.from_url(spec.target)
    store = regcore.store.RedisStore(client, prefix=spec.prefix, retry=RetryPolicy(attempts=3))
    policy = w.never_locks()
    key = f"{spec.prefix}:lockout:{{k}}"

    class Interfering:
        """A second writer that always gets in between (a real Redis write)."""

        def __init__(self) -> None:
            self.n = 0

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            self.n += 1
            client.set(key, regcore.LockoutState(self.n).encode())
            return client.evalsha(*args, **kwargs)

    interfering = Interfering()
    store.client = type("C", (), {"get": client.get, "evalsha": interfering, "eval": client.eval})()
    with pytest.raises(regcore.RegcoreError) as err:
        store.lockout_admit("k", policy, now=w.T0)
    _coded(err.value, "store.contended", "store_contended")
    assert err.value.params == {"operation": "lockout.admit", "attempts": "3"}
    stored: Any = client.get(key)
    # Only the other writer's: its last write. The first try guessed the key
    # absent (one round trip on the common path) and lost that guess, which
    # is not counted; then 3 counted tries lost.
    assert interfering.n == 4
    assert regcore.LockoutState.decode(stored.decode()).failures == interfering.n


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(regcore.RegcoreError) as err:
        regcore.store.PostgresStore(object())
    _coded(err.value, "store.driver_missing", "configuration")
    assert err.value.params == {"driver": "psycopg", "extra": "postgres"}
    with pytest.raises(regcore.RegcoreError) as err:
        regcore.store.RedisStore(object())
    assert err.value.params == {"driver": "redis", "extra": "redis"}


@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_ledger_on_redis_is_refused(kind: str, make_spec: MakeSpec) -> None:
    store = w.open_store(make_spec(kind))
    with pytest.raises(regcore.RegcoreError) as err:
        key = regcore.ActivationAuthority(w.master()).mint(0x0101, 1)
        store.ledger_issue(w.master(), regcore.IssuanceRequest(w.terminal(0), [key]))
    _coded(err.value, "store.unsupported", "configuration")
    assert err.value.params == {"store": "redis", "feature": "ledger"}


@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_script_flush_mid_run_fails_no_request(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    import redis
    import redis.cluster

    spec = make_spec(kind)
    client: Any = (
        redis.cluster.RedisCluster.from_url(CLUSTER) if kind == "cluster" else redis.Redis.from_url(REDIS)
    )
    nodes: list[Any] = (
        [redis.Redis(host=n.host, port=n.port) for n in client.get_primaries()] if kind == "cluster" else [client]
    )
    stop = threading.Event()
    flushes = 0

    def flusher() -> None:
        nonlocal flushes
        while not stop.is_set():
            for node in nodes:
                node.script_flush()
            flushes += 1
            stop.wait(0.01)

    t = threading.Thread(target=flusher)
    t.start()
    try:
        done = run_processes(ctx, w.record_failures, lambda i: (spec, "flushed", 150), processes=4)
    finally:
        stop.set()
        t.join()
    assert sum(d[0] for d in done) == 600 and flushes > 5
    assert w.open_store(spec).lockout_state("flushed").failures == 600


def test_cluster_keys_carry_one_hash_tag(make_spec: MakeSpec) -> None:
    import redis.cluster

    spec = make_spec("cluster")
    store = w.open_store(spec)
    store.code_issue(regcore.CodePolicy.sign_up(), w.SECRET, "a{b}c@example.jp", now=w.T0)
    client = redis.cluster.RedisCluster.from_url(spec.target)
    keys = [k.decode() for k in client.scan_iter(match=f"{spec.prefix}:*")]
    assert len(keys) == 1 and keys[0].startswith(f"{spec.prefix}:code:{{sign_up")
    assert 0 < client.pttl(keys[0]) <= (24 + 24) * 3600 * 1000


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "redis"])
def test_stored_states_are_core_encodings_with_core_expiry(kind: str, make_spec: MakeSpec) -> None:
    """Sessions are stored as core's SessionState encoding (a malformed row is
    core's coded error), lockout expiry is core's forget_at, and a naive
    datetime is core's time.naive_datetime."""
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.SessionPolicy.ups_site()
    state = store.session_start("s", policy, now=w.T0)
    assert state == regcore.SessionState.start(w.T0)
    assert regcore.SessionState.decode(state.encode()) == state
    with pytest.raises(regcore.InvalidInputError) as naive:
        store.session_touch("s", policy, now=dt.datetime(2025, 4, 1))
    _coded(naive.value, "time.naive_datetime", "invalid_input")
    lockout = regcore.LockoutPolicy.ups_site()
    for _ in range(5):
        admitted = store.lockout_admit("k", lockout, now=w.T0)
        assert isinstance(admitted, Admitted)
        store.lockout_settle(admitted, False, now=w.T0)
    locked = store.lockout_state("k")
    forget = locked.forget_at(lockout)
    assert forget is not None and locked.locked_until is not None
    assert forget == locked.locked_until + dt.timedelta(minutes=15)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_lockout_reset_forgets_a_locked_key(kind: str, make_spec: MakeSpec) -> None:
    store = w.open_store(make_spec(kind))
    policy = regcore.LockoutPolicy.ups_site()
    for _ in range(5):
        admitted = store.lockout_admit("locked-out", policy, now=w.T0)
        assert isinstance(admitted, Admitted)
        store.lockout_settle(admitted, False, now=w.T0)
    assert isinstance(store.lockout_admit("locked-out", policy, now=w.T0), regcore.Locked)
    assert store.lockout_reset("locked-out") is True
    assert store.lockout_reset("locked-out") is False
    assert store.lockout_state("locked-out").failures == 0
    assert isinstance(store.lockout_admit("locked-out", policy, now=w.T0), Admitted)


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("key", ["", "a\0b", "x" * 513, "\ud800"])
def test_bad_keys_are_invalid_input_on_every_store(kind: str, key: str, make_spec: MakeSpec) -> None:
    """No I/O for attacker input: not an uncoded UnicodeEncodeError, not store.unavailable."""
    store = w.open_store(make_spec(kind))
    with pytest.raises(regcore.InvalidInputError) as err:
        store.lockout_admit(key, regcore.LockoutPolicy.ups_site(), now=w.T0)
    assert err.value.code in ("store.invalid_key", "binding.invalid_string")
    with pytest.raises(regcore.InvalidInputError):
        store.session_touch(key, regcore.SessionPolicy.ups_site(), now=w.T0)


@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_ledger_and_migrations_refused_the_same_way_on_redis(kind: str, make_spec: MakeSpec) -> None:
    store = w.open_store(make_spec(kind))
    for call in (store.migrate, store.schema_version, store.ledger_bindings, store.ledger_rebinds,
                 store.ledger_history, store.ledger_history_csv, store.ledger_daily_counts,
                 lambda: store.ledger_by_mpr_id(w.terminal(0)), lambda: store.purge_expired(w.T0)):
        with pytest.raises(regcore.ConfigurationError) as err:
            call()
        assert err.value.code == "store.unsupported"


@pytest.mark.parametrize("kind", ["cluster"])
def test_keys_with_braces_work_on_the_cluster(kind: str, make_spec: MakeSpec) -> None:
    """The hash tag is percent-encoded: keys starting with '}' or holding
    braces land on the slot the server computes (no endless redirects)."""
    import random

    store = w.open_store(make_spec(kind))
    policy = regcore.LockoutPolicy.ups_site()
    rng = random.Random(7)
    keys = ["}", "}{", "{}", "}abc", "a{b}c", "%7D", "{"] + [
        "".join(rng.choice("{}%ab") for _ in range(rng.randint(1, 6))) for _ in range(200)
    ]
    for key in keys:
        admitted = store.lockout_admit(key, policy, now=w.T0)
        assert isinstance(admitted, Admitted), key
        store.lockout_settle(admitted, True, now=w.T0)
    assert store.lockout_state("}").failures == 0


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "redis"])
def test_app_servers_whose_clocks_differ_act_on_the_stores_clock(kind: str, make_spec: MakeSpec) -> None:
    """Two application servers 10 minutes apart share one account. With
    their own clocks passed as `now` (explicit mode) the fast one admits an
    attacker during a lock; by default the store's clock decides: no attempt
    inside a lock in true time, and no lock past the cap."""
    spec = make_spec(kind)
    skew = dt.timedelta(minutes=10)

    def true_now() -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    fast = w.open_store(spec, clock=lambda: true_now() + skew)
    slow = w.open_store(spec, clock=lambda: true_now() - skew)
    policy = regcore.LockoutPolicy.ups_site()

    # The problem, shown with the servers' own clocks passed explicitly:
    # the slow server locks (1 s from its clock), the fast one admits at once.
    for _ in range(5):
        a = slow.lockout_admit("explicit", policy, now=true_now() - skew)
        assert isinstance(a, Admitted)
        slow.lockout_settle(a, False, now=true_now() - skew)
    assert isinstance(fast.lockout_admit("explicit", policy, now=true_now() + skew), Admitted)

    # The default: both take the store's clock. An attacker alternating
    # between the servers gets the free tries, then is refused on both.
    checks = 0
    for i in range(12):
        server = fast if i % 2 else slow
        r = server.login("default", policy, lambda: False)
        checks += r.locked is None
    assert checks == 5
    assert isinstance(fast.lockout_admit("default", policy), regcore.Locked)
    assert isinstance(slow.lockout_admit("default", policy), regcore.Locked)
    # The lock (1 s after the 5th failure) ends in true time on both servers:
    # never 10 minutes early on the fast one, never 10 minutes late on the slow one.
    state = slow.lockout_state("default")
    assert state.locked_until is not None
    assert abs(state.locked_until - (true_now() + dt.timedelta(seconds=1))) < dt.timedelta(seconds=3)
    time.sleep(max(0.0, (state.locked_until - true_now()).total_seconds()) + 0.2)
    assert isinstance(slow.lockout_admit("default", policy), Admitted)
