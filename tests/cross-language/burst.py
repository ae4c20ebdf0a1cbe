#!/usr/bin/env python3
"""One burst of 100 simultaneous wrong logins on one fresh `ups_site`
account, split across Python and Node processes sharing one store: at most
5 reach the password check, on SQLite, PostgreSQL and Redis.

Every worker is its own OS process with its own connection; they start,
connect, and wait for a barrier file, then all attempt at once. The store
is migrated once by this script through the Python store. PostgreSQL
allows 100 connections, so there each worker makes its attempts
concurrently over one connection (25 + 25 processes × 2 attempts).

    target/py-venv/bin/python tests/cross-language/burst.py   # after the python and node steps
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import regcore.store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PG = os.environ.get("REGCORE_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
REDIS = os.environ.get("REGCORE_TEST_REDIS", "redis://127.0.0.1:6379/0")
FREE_TRIES = 5  # ups_site: 4 free failures, the 5th locks


def plan(kind: str) -> tuple[int, int]:
    """(processes per language, attempts per process): 100 attempts in all."""
    if os.environ.get("REGCORE_BURST_SMALL"):
        return (3, 2)
    return (25, 2) if kind == "postgres" else (50, 1)


def burst(kind: str, target: str, folder: Path) -> dict[str, int]:
    prefix = "x" + uuid.uuid4().hex[:10]
    if kind == "sqlite":
        setup: regcore.store.SyncStore = regcore.store.SQLiteStore(target, prefix=prefix)
    elif kind == "postgres":
        import psycopg

        setup = regcore.store.PostgresStore(psycopg.connect(target, autocommit=True), prefix=prefix)
    else:
        import redis

        setup = regcore.store.RedisStore(redis.Redis.from_url(target), prefix=prefix)
    if kind != "redis":
        setup.migrate()
    barrier = folder / f"go-{prefix}"
    per_lang, attempts = plan(kind)
    key = f"account-{uuid.uuid4().hex[:8]}"
    args = [kind, target, prefix, key, str(barrier), str(attempts)]
    procs = []
    for _ in range(per_lang):
        procs.append(subprocess.Popen([sys.executable, str(HERE / "worker.py"), *args], stdout=subprocess.PIPE, text=True))
        procs.append(subprocess.Popen(["node", str(HERE / "worker.js"), *args], stdout=subprocess.PIPE, text=True))
    for p in procs:  # every worker has its store open
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"{kind}: a worker did not start: {line!r}")
    barrier.touch()
    results = []
    for p in procs:
        assert p.stdout is not None
        out = p.stdout.read().strip().splitlines()
        p.wait(timeout=120)
        results.append(json.loads(out[-1]))
    errors = [e for r in results for e in r["errors"]]
    checks = {lang: sum(r["checks"] for r in results if r["lang"] == lang) for lang in ("python", "node")}
    stored = setup.lockout_state(key).failures
    print(
        f"{kind}: {len(procs)} processes ({per_lang} Python, {per_lang} Node), {len(procs) * attempts} attempts: "
        f"password checks {checks['python']} Python + {checks['node']} Node = {sum(checks.values())}; "
        f"stored failures {stored}; errors {len(errors)}"
    )
    if errors:
        raise SystemExit(f"{kind}: worker errors: {errors[:5]}")
    total = sum(checks.values())
    if not 1 <= total <= FREE_TRIES:
        raise SystemExit(f"{kind}: {total} password checks (expected 1..{FREE_TRIES})")
    if stored != total:
        raise SystemExit(f"{kind}: {stored} failures stored for {total} admitted attempts")
    return checks


def main() -> None:
    kinds = sys.argv[1:] or ["sqlite", "postgres", "redis"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in kinds:
            target = {"sqlite": str(folder / "burst.db"), "postgres": PG, "redis": REDIS}[kind]
            started = time.monotonic()
            burst(kind, target, folder)
            print(f"{kind}: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
