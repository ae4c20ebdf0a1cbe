"""Store-layer throughput: ops/s, p50/p99 latency and retry rate per store at
1, 4 and 16 worker processes, for distinct keys and for one hot key.

One operation = a lockout attempt recorded as a failure (admit, which stores
the failure, then settle). Needs the servers of scripts/services.sh and the
venv of bindings-python/test.sh:

    /work/target-py/py-venv/bin/python benches/store/bench.py [--seconds 3] [--workers 1,4,16]

Not a test: prints a Markdown table. Peers (Python `limits`, django-axes) are
not measured yet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings-python", "tests", "store"))

import regcore  # noqa: E402
from store_workers import Spec, close_store, open_sql, open_store  # noqa: E402


def worker(spec: Spec, hot: bool, seconds: float, barrier: Any, out: Any) -> None:
    store = open_store(spec)
    policy = regcore.LockoutPolicy.fixed(1_000_000_000, dt.timedelta(seconds=1))
    lat: list[float] = []
    barrier.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        key = "hot" if hot else uuid.uuid4().hex
        t = time.perf_counter()
        admitted = store.lockout_admit(key, policy)
        assert not isinstance(admitted, regcore.Locked)
        store.lockout_settle(admitted, False)
        lat.append(time.perf_counter() - t)
    out.put((lat, store.stats.operations, store.stats.conflicts))
    close_store(store)


def run(ctx: Any, spec: Spec, workers: int, hot: bool, seconds: float) -> dict[str, float]:
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(spec, hot, seconds, barrier, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    lat: list[float] = []
    ops = conflicts = 0
    for _ in procs:
        got, n, c = out.get()
        lat += got
        ops += n
        conflicts += c
    for p in procs:
        p.join()
    lat.sort()
    return {
        "ops_s": len(lat) / seconds,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000,
        "retry": conflicts / ops if ops else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--workers", default="1,4,16")
    ap.add_argument("--stores", default="sqlite,postgres,redis,cluster")
    args = ap.parse_args()
    ctx = multiprocessing.get_context("forkserver")
    tmp = tempfile.mkdtemp()
    pg = os.environ.get("REGCORE_TEST_POSTGRES", "host=127.0.0.1 user=postgres dbname=postgres")
    targets = {
        "sqlite": os.path.join(tmp, "bench.sqlite3"),
        "postgres": pg,
        "redis": os.environ.get("REGCORE_TEST_REDIS", "redis://127.0.0.1:6379/0"),
        "cluster": os.environ.get("REGCORE_TEST_REDIS_CLUSTER", "redis://127.0.0.1:7001"),
    }
    print("| store | workers | key | ops/s | p50 ms | p99 ms | lost races per op |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.stores.split(","):
        for workers in [int(w) for w in args.workers.split(",")]:
            for hot in (False, True):
                spec = Spec(kind, targets[kind], f"bench_{uuid.uuid4().hex[:8]}")
                if kind in ("sqlite", "postgres"):
                    s = open_sql(spec)
                    s.migrate()
                    close_store(s)
                r = run(ctx, spec, workers, hot, args.seconds)
                print(
                    f"| {kind} | {workers} | {'hot' if hot else 'distinct'} | {r['ops_s']:.0f} | "
                    f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['retry']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
