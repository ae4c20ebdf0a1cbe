"""One Python worker of the cross-language burst: opens its own store, waits
for the barrier file, makes `attempts` simultaneous wrong logins (threads
sharing the store) and prints how many password checks ran."""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import regcore
import regcore.store


def open_store(kind: str, target: str, prefix: str) -> regcore.store.SyncStore:
    if kind == "sqlite":
        return regcore.store.SQLiteStore(target, prefix=prefix)
    if kind == "postgres":
        import psycopg

        return regcore.store.PostgresStore(psycopg.connect(target, autocommit=True), prefix=prefix)
    import redis

    return regcore.store.RedisStore(redis.Redis.from_url(target), prefix=prefix)


def main() -> None:
    kind, target, prefix, key, barrier, attempts = sys.argv[1:7]
    store = open_store(kind, target, prefix)
    policy = regcore.LockoutPolicy.ups_site()
    checks = 0
    lock = threading.Lock()
    errors: list[str] = []

    def check() -> bool:
        nonlocal checks
        with lock:
            checks += 1
        return False

    def one() -> None:
        try:
            result = store.login(key, policy, check)
            if result.ok:
                errors.append("a wrong password logged in")
        except Exception as e:  # reported to the orchestrator, which fails
            errors.append(f"{type(e).__name__}: {e}")

    print("ready", flush=True)
    give_up = time.monotonic() + 120  # the orchestrator died: do not linger
    while not os.path.exists(barrier):
        if time.monotonic() > give_up:
            sys.exit("no barrier within 120 s")
        time.sleep(0.001)
    threads = [threading.Thread(target=one) for _ in range(int(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"lang": "python", "checks": checks, "errors": errors}), flush=True)


if __name__ == "__main__":
    main()
