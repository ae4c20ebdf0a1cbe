"""The peers bench.py measures next to regcore's stores, on the same servers.

- Python ``limits`` (Redis storage): ``MovingWindowRateLimiter`` (a Lua
  script per hit, the strategy limits documents as the strict one) and
  ``FixedWindowRateLimiter`` (``INCR`` + ``EXPIRE`` in one Lua call).
- django-axes (database handler, lock by username, ``AXES_FAILURE_LIMIT = 5``)
  in a minimal Django project this module writes to a temporary directory,
  on a PostgreSQL database it creates and drops.

Imported by bench.py and by its worker processes; not a test.
"""

from __future__ import annotations

import hashlib
import os
import sys
import random
import textwrap
import time
from typing import Any, Callable, TypeVar

# --- the password check every contender runs ----------------------------------------

# "pbkdf2": Django's default hasher at its default cost (PBKDF2-SHA256, the
# iterations of the installed Django), the work a real wrong guess costs a
# Django site. "instant": only the counter, the narrowest race window.
CHECK_SALT = b"regcore-bench-salt"


def pbkdf2_iterations() -> int:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return int(PBKDF2PasswordHasher.iterations)


def make_check(mode: str, counter: Any, iterations: int) -> Callable[[], bool]:
    """A wrong-password check that counts how often it is reached."""

    def check() -> bool:
        with counter.get_lock():
            counter.value += 1
        if mode == "pbkdf2":
            hashlib.pbkdf2_hmac("sha256", b"wrong password", CHECK_SALT, iterations)
        return False

    return check


# --- PostgreSQL connection slots ----------------------------------------------------

T = TypeVar("T")


def with_slot(connect: Callable[[], T], patience: float = 90.0) -> T:
    """``connect()``, waiting while the shared server has no connection slot free
    (other engineers' test runs share its max_connections)."""
    end = time.monotonic() + patience
    while True:
        try:
            return connect()
        except Exception as e:  # noqa: BLE001 - only "too many clients" is waited out
            if "too many clients" not in str(e) or time.monotonic() > end:
                raise
            time.sleep(0.2 + random.random() * 0.3)


# --- limits ------------------------------------------------------------------------


def limits_limiter(url: str, strategy: str) -> Any:
    from limits.storage import RedisStorage
    from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

    storage = RedisStorage(url)
    return (MovingWindowRateLimiter if strategy == "moving" else FixedWindowRateLimiter)(storage)


def limits_item(amount: int) -> Any:
    """``amount`` per 15 minutes (the window of the ups_site reset)."""
    from limits import RateLimitItemPerMinute

    return RateLimitItemPerMinute(amount, 15)


# --- django-axes -------------------------------------------------------------------

SETTINGS = """\
SECRET_KEY = "regcore-bench-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "axes"]
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": {name!r},
        "HOST": {host!r},
        "PORT": {port!r},
        "USER": {user!r},
        "PASSWORD": {password!r},
    }}
}}
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, as axes documents
    "peers.CountingBackend",  # the real password check, counted
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = None
AXES_IPWARE_PROXY_COUNT = None
AXES_VERBOSE = False
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {{"axes": {{"handlers": [], "level": "CRITICAL", "propagate": False}}}},
}}
"""


def pg_params(conninfo: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    d = conninfo_to_dict(conninfo)
    return {
        "host": str(d.get("host", "127.0.0.1")),
        "port": str(d.get("port", "5432")),
        "user": str(d.get("user", "postgres")),
        "password": str(d.get("password", "")),
    }


def django_project(tmp: str, conninfo: str, dbname: str) -> str:
    """Write the settings module into ``tmp``; returns the directory for sys.path."""
    path = os.path.join(tmp, "django_bench")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "bench_settings.py"), "w") as f:
        f.write(textwrap.dedent(SETTINGS.format(name=dbname, **pg_params(conninfo))))
    return path


def django_setup(project_dir: str) -> None:
    """Configure Django in this process (idempotent)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (project_dir, here):
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()


def create_database(conninfo: str, dbname: str) -> None:
    import psycopg

    with with_slot(lambda: psycopg.connect(conninfo, autocommit=True)) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{dbname}"')


def drop_database(conninfo: str, dbname: str) -> None:
    import psycopg

    with with_slot(lambda: psycopg.connect(conninfo, autocommit=True)) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def django_migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def axes_attempt(username: str, password: str = "wrong password") -> bool:
    """One login through ``django.contrib.auth.authenticate`` with axes' backend first."""
    from django.contrib.auth import authenticate
    from django.http import HttpRequest

    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/login/"
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    request.META["HTTP_USER_AGENT"] = "regcore-bench"
    return authenticate(request=request, username=username, password=password) is not None


class CountingBackend:
    """Placed after axes' backend: every call is an attempt that reached the
    password check. ``CHECK`` is "instant" (count only) or "pbkdf2" (count,
    then Django's ModelBackend checks the real user's password)."""

    COUNTER: Any = None
    CHECK = "instant"

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kw: Any) -> Any:
        if CountingBackend.COUNTER is not None:
            with CountingBackend.COUNTER.get_lock():
                CountingBackend.COUNTER.value += 1
        if CountingBackend.CHECK == "pbkdf2":
            from django.contrib.auth.backends import ModelBackend

            return ModelBackend().authenticate(request, username=username, password=password, **kw)
        return None

    def get_user(self, user_id: int) -> Any:
        return None


def axes_failures(username: str) -> int:
    from axes.models import AccessAttempt
    from django.db.models import Sum

    django_connect()
    return int(AccessAttempt.objects.filter(username=username).aggregate(s=Sum("failures_since_start"))["s"] or 0)


def create_user(username: str) -> None:
    from django.contrib.auth.models import User

    django_connect()
    User.objects.create_user(username, password="the right password")


def django_connect() -> None:
    from django.db import connection

    with_slot(connection.ensure_connection)


def close_django() -> None:
    from django.db import connections

    connections.close_all()


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {}
    for name in ("regcore", "limits", "django-axes", "Django", "redis", "psycopg"):
        try:
            out[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing peer is reported, not fatal
            out[name] = "missing"
    return out
