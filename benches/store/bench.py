"""Store-layer throughput and burst admission, regcore next to its peers.

Part 1, throughput: ops/s, p50/p99 latency and retry rate per store at 1, 4
and 16 worker processes, for distinct keys and for one hot key. One operation
= one login attempt recorded as a failure:
  - regcore stores: ``lockout_admit`` (stores the failure) + ``lockout_settle``
    under a policy that never locks (every operation writes);
  - ``limits`` on the same Redis: one ``hit()`` under a limit never reached
    (every hit records), moving window and fixed window;
  - django-axes on the same PostgreSQL: one ``authenticate()`` with a wrong
    password (axes checks, the counting backend answers instantly, axes'
    ``user_login_failed`` handler records).

Part 2, burst: of 100 simultaneous wrong attempts on one fresh account
(100 processes released together at a barrier; then 5 processes doing 20
each) how many reach the password check, for regcore's SQLiteStore,
PostgresStore and RedisStore (``store.login(key, LockoutPolicy.ups_site(),
check)``), ``limits`` (5 per 15 minutes, moving window) used two ways, and
django-axes (``AXES_FAILURE_LIMIT = 5``, lock by username). Each burst is
repeated (default 3 times; min/median/max), with an instant check and with
Django's default PBKDF2 password check.

Needs the servers of scripts/services.sh and a venv holding the regcore wheel
and the peers, made by benches/store/venv.sh (by default in target/bench of
this checkout; BENCH_DIR sets another folder):

    target/bench/venv/bin/python benches/store/bench.py

Options: --seconds 2 --workers 1,4,16 --stores sqlite,postgres,axes,redis,
limits-moving,limits-fixed,cluster --bursts sqlite,postgres,redis,
limits-hit,limits-test,axes --reps 3 --checks instant,pbkdf2
--skip-throughput --skip-burst. Not a test: prints Markdown tables.
Re-runnable: regcore tables get a fresh prefix per run, axes a database it
creates and drops, Redis keys are fresh and expire.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings-python", "tests", "store"))

import peers  # noqa: E402
import regcore  # noqa: E402
from store_workers import Spec, close_store, open_sql, open_store  # noqa: E402

REGCORE_KINDS = ("sqlite", "postgres", "redis", "cluster")
NEVER_REACHED = 1_000_000_000


# --- part 1: throughput ------------------------------------------------------------


def open_op(spec: Spec, project: str) -> tuple[Callable[[str], None], Callable[[], tuple[int, int]], Callable[[], None]]:
    """(operation on a key, (operations, lost races), close) for one contender."""
    if spec.kind in REGCORE_KINDS:
        store = peers.with_slot(lambda: open_store(spec))
        policy = regcore.LockoutPolicy.fixed(NEVER_REACHED, dt.timedelta(seconds=1))

        def op(key: str) -> None:
            admitted = store.lockout_admit(key, policy)
            assert not isinstance(admitted, regcore.Locked)
            store.lockout_settle(admitted, False)

        return op, lambda: (store.stats.operations, store.stats.conflicts), lambda: close_store(store)
    if spec.kind.startswith("limits-"):
        limiter = peers.limits_limiter(spec.target, spec.kind.removeprefix("limits-"))
        item = peers.limits_item(NEVER_REACHED)

        def hit(key: str) -> None:
            assert limiter.hit(item, spec.prefix, key)

        return hit, lambda: (0, 0), lambda: None
    if spec.kind == "axes":
        peers.django_setup(project)
        peers.django_connect()

        def login(key: str) -> None:
            assert not peers.axes_attempt(f"{spec.prefix}-{key}")

        return login, lambda: (0, 0), peers.close_django
    raise ValueError(spec.kind)


def worker(spec: Spec, project: str, hot: bool, seconds: float, barrier: Any, out: Any) -> None:
    try:
        op, stats, close = open_op(spec, project)
        lat: list[float] = []
        barrier.wait(timeout=120)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            key = "hot" if hot else uuid.uuid4().hex
            t = time.perf_counter()
            op(key)
            lat.append(time.perf_counter() - t)
        ops, conflicts = stats()
        close()
        out.put(("ok", lat, ops, conflicts))
    except BaseException:
        out.put(("error", traceback.format_exc(), 0, 0))


def run(ctx: Any, spec: Spec, project: str, workers: int, hot: bool, seconds: float) -> dict[str, float]:
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(spec, project, hot, seconds, barrier, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    lat: list[float] = []
    ops = conflicts = 0
    for _ in procs:
        status, got, n, c = out.get()
        if status != "ok":
            raise RuntimeError(f"{spec.kind} worker failed:\n{got}")
        lat += got
        ops += n
        conflicts += c
    for p in procs:
        p.join()
    lat.sort()
    return {
        "ops_s": len(lat) / seconds,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[max(0, int(len(lat) * 0.99) - 1)] * 1000,
        "retry": conflicts / ops if ops else float("nan"),
    }


LABEL = {
    "sqlite": "regcore SQLiteStore",
    "postgres": "regcore PostgresStore",
    "axes": "django-axes (PostgreSQL)",
    "redis": "regcore RedisStore",
    "limits-moving": "limits moving window (Redis)",
    "limits-fixed": "limits fixed window (Redis)",
    "cluster": "regcore RedisStore (Cluster)",
}


def throughput(args: argparse.Namespace, targets: dict[str, str], project: str) -> None:
    ctx = multiprocessing.get_context("forkserver")
    print(f"\n### Throughput ({args.seconds:g} s per row; one op = one failed attempt recorded)\n")
    print("| store | workers | key | ops/s | p50 ms | p99 ms | lost races per op |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.stores.split(","):
        for workers in [int(w) for w in args.workers.split(",")]:
            for hot in (False, True):
                spec = Spec(kind, targets[kind], f"bench_{uuid.uuid4().hex[:8]}")
                if kind in ("sqlite", "postgres"):
                    s = peers.with_slot(lambda: open_sql(spec))
                    s.migrate()
                    close_store(s)
                r = run(ctx, spec, project, workers, hot, args.seconds)
                retry = "—" if r["retry"] != r["retry"] else f"{r['retry']:.2f}"
                print(
                    f"| {LABEL[kind]} | {workers} | {'hot' if hot else 'distinct'} | {r['ops_s']:.0f} | "
                    f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {retry} |",
                    flush=True,
                )


# --- part 2: burst of wrong attempts on one fresh account --------------------------


def open_attempt(kind: str, target: str, prefix: str, key: str, check: Callable[[], bool], at: dt.datetime) -> tuple[Callable[[], None], Callable[[], None]]:
    """(one wrong attempt on ``key``, close), connected before the barrier."""
    if kind in REGCORE_KINDS:
        store = peers.with_slot(lambda: open_store(Spec(kind, target, prefix)))
        policy = regcore.LockoutPolicy.ups_site()

        def login() -> None:
            # Every attempt carries the burst's instant: they are simultaneous.
            r = store.login(key, policy, check, now=at)
            assert not r.ok

        return login, lambda: close_store(store)
    if kind in ("limits-hit", "limits-test"):
        limiter = peers.limits_limiter(target, "moving")
        item = peers.limits_item(5)
        limiter.storage.get_connection().ping()

        def hit_then_check() -> None:
            # limits' documented use: hit() consumes, proceed only if True.
            if limiter.hit(item, prefix, key):
                check()

        def test_check_hit() -> None:
            # Count failures only (like axes): test(), check, hit() on failure.
            if limiter.test(item, prefix, key) and not check():
                limiter.hit(item, prefix, key)

        return (hit_then_check if kind == "limits-hit" else test_check_hit), lambda: None
    if kind == "axes":
        peers.django_connect()

        def login_axes() -> None:
            assert not peers.axes_attempt(key)

        return login_axes, peers.close_django
    raise ValueError(kind)


def burst_child(kind: str, target: str, prefix: str, key: str, per_proc: int, mode: str, iterations: int, at: dt.datetime, counter: Any, barrier: Any, out: Any) -> None:
    try:
        check = peers.make_check(mode, counter, iterations)
        peers.CountingBackend.COUNTER = counter
        peers.CountingBackend.CHECK = mode
        attempt, close = open_attempt(kind, target, prefix, key, check, at)
        barrier.wait(timeout=120)
        for _ in range(per_proc):
            attempt()
        close()
        out.put(("ok", ""))
    except BaseException:
        out.put(("error", traceback.format_exc()))


def burst_once(ctx: Any, kind: str, target: str, prefix: str, procs: int, per_proc: int, mode: str, iterations: int) -> tuple[int, int | None]:
    """(attempts that reached the password check, failures axes stored)."""
    key = f"victim-{uuid.uuid4().hex[:12]}"
    if kind == "axes":
        peers.create_user(key)
        peers.close_django()  # the children open their own connections
    counter = ctx.Value("i", 0)
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    at = dt.datetime.now(dt.timezone.utc)
    ps = [ctx.Process(target=burst_child, args=(kind, target, prefix, key, per_proc, mode, iterations, at, counter, barrier, out)) for _ in range(procs)]
    for p in ps:
        p.start()
    errors = [got for status, got in (out.get(timeout=600) for _ in ps) if status != "ok"]
    for p in ps:
        p.join()
    if errors:
        raise RuntimeError(f"{kind}: {len(errors)} of {procs} processes failed; first:\n{errors[0]}")
    stored = None
    if kind == "axes":
        stored = peers.axes_failures(key)
        peers.close_django()
    return int(counter.value), stored


BURST_LABEL = {
    "sqlite": "regcore SQLiteStore (`store.login`, admission stored first)",
    "postgres": "regcore PostgresStore (`store.login`)",
    "redis": "regcore RedisStore (`store.login`)",
    "limits-hit": "limits on Redis, `hit()` then check (its documented use; counts every attempt)",
    "limits-test": "limits on Redis, `test()`, check, `hit()` on failure (counts failures only)",
    "axes": "django-axes on PostgreSQL (database handler)",
}


def burst(args: argparse.Namespace, targets: dict[str, str], project: str) -> None:
    ctx = multiprocessing.get_context("fork")  # 100 processes: fork from a prepared parent
    iterations = peers.pbkdf2_iterations()
    kinds = args.bursts.split(",")
    prefix = f"burst_{uuid.uuid4().hex[:8]}"
    if "sqlite" in kinds or "postgres" in kinds:
        for k in ("sqlite", "postgres"):
            if k in kinds:
                s = peers.with_slot(lambda: open_sql(Spec(k, targets[k], prefix)))
                s.migrate()
                close_store(s)
    print(
        f"\n### Burst: wrong attempts on one fresh account reaching the password check "
        f"(policy: 5 free failures; min / median / max of {args.reps} runs)\n"
    )
    print(f"Check \"instant\": the check only counts. Check \"pbkdf2\": Django's default hasher, {iterations:,} iterations.\n")
    print("| contender | check | 100 processes × 1 | 5 processes × 20 |")
    print("|---|---|---|---|")
    axes_stored: set[int] = set()
    for kind in kinds:
        target = targets.get(kind, targets["redis"])
        for mode in args.checks.split(","):
            cells = []
            for procs, per_proc in ((100, 1), (5, 20)):
                got = []
                for _ in range(args.reps):
                    for attempt in range(3):  # another engineer's run may hold PostgreSQL connections
                        try:
                            reached, stored = burst_once(ctx, kind, target, prefix, procs, per_proc, mode, iterations)
                            got.append(reached)
                            if stored is not None:
                                axes_stored.add(stored)
                            break
                        except RuntimeError as e:
                            if attempt == 2:
                                raise
                            print(f"<!-- {kind}: retrying a burst: {str(e).splitlines()[0]} -->", file=sys.stderr)
                            time.sleep(5)
                cells.append(f"{min(got)} / {statistics.median(got):g} / {max(got)}")
            print(f"| {BURST_LABEL[kind]} | {mode} | {cells[0]} | {cells[1]} |", flush=True)
    if axes_stored:
        print(f"\nFailures django-axes stored per burst of 100 (its counter): {sorted(axes_stored)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--workers", default="1,4,16")
    ap.add_argument("--stores", default="sqlite,postgres,axes,redis,limits-moving,limits-fixed,cluster")
    ap.add_argument("--bursts", default="sqlite,postgres,redis,limits-hit,limits-test,axes")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--checks", default="instant,pbkdf2")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-burst", action="store_true")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="regcore-bench-")
    pg = os.environ.get("REGCORE_TEST_POSTGRES", "host=127.0.0.1 user=postgres dbname=postgres")
    redis_url = os.environ.get("REGCORE_TEST_REDIS", "redis://127.0.0.1:6379/0")
    targets = {
        "sqlite": os.path.join(tmp, "bench.sqlite3"),
        "postgres": pg,
        "redis": redis_url,
        "cluster": os.environ.get("REGCORE_TEST_REDIS_CLUSTER", "redis://127.0.0.1:7001"),
        "limits-moving": redis_url,
        "limits-fixed": redis_url,
        "limits-hit": redis_url,
        "limits-test": redis_url,
    }
    uses_axes = (not args.skip_throughput and "axes" in args.stores.split(",")) or (
        not args.skip_burst and "axes" in args.bursts.split(",")
    )
    dbname = f"regcore_bench_axes_{os.getpid()}"
    targets["axes"] = dbname
    project = peers.django_project(tmp, pg, dbname)
    v = peers.versions()
    print(
        f"<!-- {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        + ", ".join(f"{k} {x}" for k, x in v.items())
        + f", {time.strftime('%Y-%m-%d %H:%M:%S %Z')} -->"
    )
    try:
        if uses_axes:
            peers.create_database(pg, dbname)
            peers.django_setup(project)
            peers.django_migrate()
            peers.close_django()
        if not args.skip_throughput:
            throughput(args, targets, project)
        if not args.skip_burst:
            burst(args, targets, project)
    finally:
        if uses_axes:
            peers.close_django()
            peers.drop_database(pg, dbname)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
