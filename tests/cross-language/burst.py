#!/usr/bin/env python3
"""One burst of 100 simultaneous wrong logins on one fresh `ups_site`
account, split across Python, Node and Rust processes sharing one store: at
most 5 reach the password check, on SQLite, PostgreSQL and Redis.

Every worker is its own OS process with its own connection (worker.py, the
Python store; worker.js, the Node store; store/examples/burst_worker.rs,
the Rust executors on sqlx and redis-rs); they start, connect, and wait for
a barrier file, then all attempt at once. The store is migrated once by
this script through the Python store. PostgreSQL allows 100 connections,
so there each worker makes its attempts concurrently over one connection
(17 Python + 17 Node + 16 Rust processes × 2 attempts); elsewhere each
makes one (34 + 33 + 33 processes).

The Rust worker is built here with cargo (`--locked`, the features
store/test.sh's `cargo test` uses, so after that step the build is already
done; CARGO_TARGET_DIR is honoured).

    target/py-venv/bin/python tests/cross-language/burst.py   # after the python, rust-store and node steps
    target/py-venv/bin/python tests/cross-language/burst.py postgres redis
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
LANGS = ("python", "node", "rust")
# The features store/test.sh's `cargo test` step builds the examples with:
# the same set, so this build reuses that one.
RUST_FEATURES = "sqlite,postgres,redis,axum-example"


def plan(kind: str) -> tuple[dict[str, int], int]:
    """(processes per language, attempts per process): 100 attempts in all."""
    if os.environ.get("REGCORE_BURST_SMALL"):
        return ({lang: 3 for lang in LANGS}, 2)
    if kind == "postgres":  # 50 connections
        return ({"python": 17, "node": 17, "rust": 16}, 2)
    return ({"python": 34, "node": 33, "rust": 33}, 1)


def rust_worker() -> Path:
    """The Rust worker binary, built (or found up to date) by cargo."""
    build = ["cargo", "build", "--locked", "-q", "-p", "regcore-store"]
    subprocess.run([*build, "--example", "burst_worker", "--features", RUST_FEATURES], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "examples" / "burst_worker"


def command(lang: str, rust: Path, args: list[str]) -> list[str]:
    if lang == "python":
        return [sys.executable, str(HERE / "worker.py"), *args]
    if lang == "node":
        return ["node", str(HERE / "worker.js"), *args]
    return [str(rust), *args]


def burst(kind: str, target: str, folder: Path, rust: Path) -> dict[str, int]:
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
    # Interleaved, so no language gets a head start on opening its store.
    order = [lang for i in range(max(per_lang.values())) for lang in LANGS if i < per_lang[lang]]
    if not os.environ.get("REGCORE_BURST_SMALL") and len(order) * attempts != 100:
        raise SystemExit(f"{kind}: the plan makes {len(order) * attempts} attempts, not 100")
    procs = [(lang, subprocess.Popen(command(lang, rust, args), stdout=subprocess.PIPE, text=True)) for lang in order]
    try:
        return run(kind, procs, attempts, barrier, setup, key, per_lang)
    finally:
        for _, p in procs:  # a failed burst leaves no worker waiting
            if p.poll() is None:
                p.kill()
                p.wait()


def run(
    kind: str,
    procs: list[tuple[str, subprocess.Popen[str]]],
    attempts: int,
    barrier: Path,
    setup: regcore.store.SyncStore,
    key: str,
    per_lang: dict[str, int],
) -> dict[str, int]:
    for lang, p in procs:  # every worker has its store open
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"{kind}: a {lang} worker did not start: {line!r}")
    barrier.touch()
    results = []
    for lang, p in procs:
        assert p.stdout is not None
        out = p.stdout.read().strip().splitlines()
        code = p.wait(timeout=120)
        result = json.loads(out[-1]) if out else {"lang": lang, "checks": 0, "errors": ["no output"]}
        if result["lang"] != lang:
            raise SystemExit(f"{kind}: a {lang} worker reported as {result['lang']}")
        if code != 0 and not result["errors"]:
            result["errors"].append(f"exit status {code}")
        results.append(result)
    errors = [f"{r['lang']}: {e}" for r in results for e in r["errors"]]
    checks = {lang: sum(r["checks"] for r in results if r["lang"] == lang) for lang in LANGS}
    # Each attempt is answered (checked, or refused as locked) or a worker
    # reports an error, which fails the burst below.
    answered = len(procs) * attempts - len(errors)
    stored = setup.lockout_state(key).failures
    print(
        f"{kind}: {len(procs)} processes ({per_lang['python']} Python, {per_lang['node']} Node, "
        f"{per_lang['rust']} Rust), {len(procs) * attempts} attempts, {answered} answered: password checks "
        f"{checks['python']} Python + {checks['node']} Node + {checks['rust']} Rust = {sum(checks.values())}; "
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
    rust = rust_worker()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in kinds:
            target = {"sqlite": str(folder / "burst.db"), "postgres": PG, "redis": REDIS}[kind]
            started = time.monotonic()
            burst(kind, target, folder, rust)
            print(f"{kind}: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
