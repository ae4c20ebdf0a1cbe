"""What a store adds to one login, measured sequentially.

One login = ``store.login(key, LockoutPolicy.ups_site(), check)`` on a key
with no stored state (the common path: one round trip to admit, one to
settle), where ``check`` verifies a right password with Argon2id at OWASP
parameters. For each store the script interleaves, N times:

- the Argon2id check alone (``regcore.verify_password``),
- the login through the store with that check,
- the login through the store with an instant check (the store's own cost),

and prints p50/p99 of each and the store's cost as a share of the check.
Needs the servers of scripts/services.sh and the bench venv
(benches/store/venv.sh)::

    target/bench/venv/bin/python benches/store/login_cost.py [--n 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import regcore
import regcore.store

PG = os.environ.get("REGCORE_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
REDIS = os.environ.get("REGCORE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stores(prefix: str, folder: str) -> dict[str, Callable[[], Any]]:
    def sqlite() -> Any:
        s = regcore.store.SQLiteStore(os.path.join(folder, "login.db"), prefix=prefix)
        s.migrate()
        return s

    def postgres() -> Any:
        import psycopg

        s = regcore.store.PostgresStore(psycopg.connect(PG, autocommit=True), prefix=prefix)
        s.migrate()
        return s

    def redis() -> Any:
        import redis as redis_py

        return regcore.store.RedisStore(redis_py.Redis.from_url(REDIS), prefix=prefix)

    return {"sqlite": sqlite, "postgres": postgres, "redis": redis}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--stores", default="sqlite,postgres,redis")
    args = parser.parse_args()
    password = "Sakura-2026!"
    phc = regcore.hash_password(password)
    policy = regcore.LockoutPolicy.ups_site()

    def check() -> bool:
        return bool(regcore.verify_password(password, phc))

    prefix = "lc" + uuid.uuid4().hex[:8]
    print(f"regcore {regcore.__version__}; n = {args.n} per row; Argon2id m=19456 t=2 p=1\n")
    print("| store | check alone p50 / p99 | login with check p50 / p99 | store's own cost p50 / p99 | added at p50 |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        makers = stores(prefix, folder)
        for name in args.stores.split(","):
            store = makers[name]()
            alone: list[float] = []
            with_check: list[float] = []
            own: list[float] = []
            for i in range(args.n):
                t = time.perf_counter()
                check()
                alone.append(time.perf_counter() - t)
                t = time.perf_counter()
                r = store.login(f"user-{i}", policy, check)
                with_check.append(time.perf_counter() - t)
                assert r.ok
                t = time.perf_counter()
                r = store.login(f"fast-{i}", policy, lambda: True)
                own.append(time.perf_counter() - t)
                assert r.ok
            ms = 1000.0
            base = statistics.median(alone)
            added = statistics.median(own)
            print(
                f"| {name} | {base * ms:.2f} / {pct(alone, 0.99) * ms:.2f} ms "
                f"| {statistics.median(with_check) * ms:.2f} / {pct(with_check, 0.99) * ms:.2f} ms "
                f"| {added * ms:.2f} / {pct(own, 0.99) * ms:.2f} ms "
                f"| +{added * ms:.2f} ms (+{100 * added / base:.0f} %) |"
            )


if __name__ == "__main__":
    main()
