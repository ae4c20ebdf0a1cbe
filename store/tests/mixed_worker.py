"""A Python worker of the mixed-language burst (store/tests/exec_mixed.rs):
opens the Python store on the server the Rust test names, waits at the
test's TCP barrier with its threads ready, then makes one wrong login per
thread at the same instant and prints how many reached the password check.

    python mixed_worker.py KIND TARGET PREFIX KEY THREADS PORT
"""

from __future__ import annotations

import datetime as dt
import socket
import sys
import threading

import regcore
from regcore.store import PostgresStore, RedisStore

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.timezone.utc)


def main() -> None:
    kind, target, prefix, key, threads, port = sys.argv[1:7]
    n = int(threads)
    if kind == "postgres":
        import psycopg_pool

        pool = psycopg_pool.ConnectionPool(target, min_size=3, max_size=3, open=True)
        store = PostgresStore(pool, prefix=prefix)
    elif kind == "redis":
        import redis

        store = RedisStore(redis.Redis.from_url(target), prefix=prefix)
    else:
        raise SystemExit(f"unknown kind {kind}")
    go = threading.Event()
    checks = [0] * n

    def one(i: int) -> None:
        go.wait()

        def check() -> bool:
            checks[i] += 1
            return False

        result = store.login(key, regcore.LockoutPolicy.ups_site(), check, now=T0)
        assert not result.ok
        assert (result.locked is None) == (checks[i] == 1)

    pool_threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in pool_threads:
        t.start()
    barrier = socket.create_connection(("127.0.0.1", int(port)))
    barrier.sendall(b"r")
    assert barrier.recv(1) == b"g"
    go.set()
    for t in pool_threads:
        t.join()
    print(f"RESULT checks={sum(checks)}", flush=True)


if __name__ == "__main__":
    main()
