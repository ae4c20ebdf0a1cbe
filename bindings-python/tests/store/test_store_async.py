"""The asyncio twins: psycopg AsyncConnectionPool / AsyncConnection and
redis.asyncio (standalone and Cluster), under concurrent coroutines."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import regcore
import store_workers as w
from store_fixtures import ctx, make_spec, pg_database, skip_unless_enabled
from regcore.store import Admitted, AsyncPostgresStore, AsyncRedisStore, AsyncStore
from store_workers import Spec

MakeSpec = Callable[[str], Spec]

pytestmark = skip_unless_enabled



async def _burst(store: AsyncStore, key: str, n: int) -> int:
    checks = 0

    async def check() -> bool:
        nonlocal checks
        checks += 1
        await asyncio.sleep(0.01)  # the password check yields, as Argon2 off-thread would
        return False

    results = await asyncio.gather(
        *(store.login(key, regcore.LockoutPolicy.ups_site(), check, now=w.T0) for _ in range(n))
    )
    assert sum(r.locked is None for r in results) == checks
    return checks


async def _one_code(store: AsyncStore, n: int) -> Counter[str]:
    policy = regcore.CodePolicy.password_reset()
    code = await store.code_issue(policy, w.SECRET, "async-user", now=w.T0)
    results = await asyncio.gather(
        *(store.code_verify(policy, w.SECRET, "async-user", code.expose(), now=w.T0) for _ in range(n))
    )
    return Counter("ok" if v and v.ok else (v.rejection.code if v and v.rejection else "?") for v in results)


def test_async_postgres_pool_burst(make_spec: MakeSpec) -> None:
    import psycopg_pool

    spec = make_spec("postgres")

    async def main() -> None:
        async with psycopg_pool.AsyncConnectionPool(spec.target, min_size=8, max_size=8, open=False) as pool:
            store = AsyncPostgresStore(pool, prefix=spec.prefix)
            assert await _burst(store, "async-account", 100) == 5
            assert (await store.lockout_state("async-account")).failures == 5
            assert await _one_code(store, 20) == {"ok": 1, "code.already_used": 19}

    asyncio.run(main())


def test_async_postgres_connection_and_migrate(make_spec: MakeSpec) -> None:
    import psycopg

    spec = make_spec("postgres")
    fresh = f"{spec.prefix}_a"

    async def main() -> None:
        conn = await psycopg.AsyncConnection.connect(spec.target)
        store = AsyncPostgresStore(conn, prefix=fresh)
        assert await store.schema_version() == 0
        assert await store.migrate() >= 1
        admitted = await store.lockout_admit("k", regcore.LockoutPolicy.ups_site(), now=w.T0)
        assert isinstance(admitted, Admitted)
        settled = await store.lockout_settle(admitted, True, now=w.T0)
        assert settled.failures == 0
        master = w.master()
        key = regcore.ActivationAuthority(master).mint(0x0101, 1)
        request = regcore.IssuanceRequest(w.terminal(3), [key])
        plans = await asyncio.gather(*(store.ledger_issue(master, request, now=w.T0) for _ in range(5)))
        assert sorted(p.outcomes[0].outcome for p in plans) == ["issued"] + ["reissued"] * 4
        await conn.close()

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["redis", "cluster"])
def test_async_redis(kind: str, make_spec: MakeSpec) -> None:
    import redis.asyncio
    import redis.asyncio.cluster

    spec = make_spec(kind)

    async def main() -> None:
        client: Any = (
            redis.asyncio.cluster.RedisCluster.from_url(spec.target)
            if kind == "cluster"
            else redis.asyncio.Redis.from_url(spec.target)
        )
        store = AsyncRedisStore(client, prefix=spec.prefix)
        assert await _burst(store, "async-account", 100) == 5
        assert await _one_code(store, 20) == {"ok": 1, "code.already_used": 19}
        await client.aclose()

    asyncio.run(main())
