"""The store from settings: PostgreSQL on a pool of its own, and Redis."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from regcore.contrib.django import conf

PW = "Sakura-2026!"


def _login_flow(prefix_note: str) -> None:
    name = f"store-{uuid.uuid4().hex[:8]}"
    User.objects.create_user(name, password=PW)
    for _ in range(5):
        assert authenticate(RequestFactory().post("/"), username=name, password="wrong") is None
    request = RequestFactory().post("/")
    assert authenticate(request, username=name, password=PW) is None
    assert getattr(request, "regcore_locked", None) is not None, prefix_note
    out = io.StringIO()
    call_command("regcore_reset", username=name, stdout=out)
    assert "1 lockout state" in out.getvalue()
    assert authenticate(RequestFactory().post("/"), username=name, password=PW) is not None


@pytest.fixture
def pg_prefix() -> Iterator[str]:
    dsn = os.environ.get("REGCORE_TEST_POSTGRES")
    if not dsn or os.environ.get("REGCORE_STORE_TESTS") == "skip":
        pytest.skip("REGCORE_TEST_POSTGRES not set")
    psycopg = pytest.importorskip("psycopg")
    prefix = f"djt_{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        conf.reset_cache()
        with psycopg.connect(dsn, autocommit=True) as c:
            rows = c.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE %s", (prefix + "\\_%",)
            ).fetchall()
            for (t,) in rows:
                c.execute(f'DROP TABLE IF EXISTS "{t}" CASCADE')


def test_postgres_store_on_its_own_pool(pg_prefix: str) -> None:
    dsn = os.environ["REGCORE_TEST_POSTGRES"]
    store = {"backend": "postgres", "conninfo": dsn, "prefix": pg_prefix, "pool_max_size": 2}
    with override_settings(REGCORE_STORE=store):
        call_command("regcore_migrate", stdout=io.StringIO())
        assert conf.store_handle().kind == "postgres"
        _login_flow("postgres")


def test_redis_store() -> None:
    url = os.environ.get("REGCORE_TEST_REDIS")
    if not url or os.environ.get("REGCORE_STORE_TESTS") == "skip":
        pytest.skip("REGCORE_TEST_REDIS not set")
    pytest.importorskip("redis")
    with override_settings(REGCORE_STORE={"backend": "redis", "url": url, "prefix": f"djt{uuid.uuid4().hex[:8]}"}):
        try:
            _login_flow("redis")
        finally:
            conf.reset_cache()
