"""Settings of regcore.contrib.django, read once per process and cached.

``REGCORE_STORE``              where lockout and code state live (see :func:`store`)
``REGCORE_LOCKOUT_POLICY``     a preset name (``"ups_site"``) or core's policy dict
``REGCORE_LOCKOUT_PARAMETERS`` what a lockout key is made of, like axes'
                               ``AXES_LOCKOUT_PARAMETERS``: ``["username"]``,
                               ``["ip_address"]``, ``["username", "ip_address"]``
                               (two keys) or ``[["username", "ip_address"]]`` (one
                               key of both)
``REGCORE_CLIENT_IP``          dotted path of ``f(request) -> str`` (default REMOTE_ADDR)
``REGCORE_CODE_SECRET``        >= 32 bytes for one-time codes (default: derived from SECRET_KEY)
``REGCORE_PASSWORD_PEPPER``    16-64 bytes for ``PepperedArgon2PasswordHasher``
``REGCORE_HASH_PARAMS``        ``{"memory_kib", "iterations", "parallelism"}`` (default OWASP)
``REGCORE_LOCKOUT_TEMPLATE``   template for the 429 page (default: plain text)
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import import_string

import regcore
import regcore.store

_lock = threading.Lock()
_cache: dict[str, Any] = {}
_pid = os.getpid()

LockoutParameter = str | Sequence[str]


def on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting.startswith("REGCORE_") or setting == "SECRET_KEY":
        reset_cache()


def reset_cache() -> None:
    """Forget the cached store and policies (tests; after a fork)."""
    with _lock:
        old = _cache.pop("store_handle", None)
        _cache.clear()
    if old is not None:
        old.close()


def _cached(name: str, make: Callable[[], Any]) -> Any:
    global _pid
    if os.getpid() != _pid:  # a forked worker must not share its parent's connections
        _cache.clear()
        _pid = os.getpid()
    with _lock:
        if name not in _cache:
            _cache[name] = make()
        return _cache[name]


class StoreHandle:
    """A store with the connection, pool or client this app opened for it."""

    def __init__(self, store: regcore.store.SyncStore, kind: str, prefix: str, resource: Any) -> None:
        self.store = store
        self.kind = kind
        self.prefix = prefix
        self.resource = resource

    def close(self) -> None:
        close = getattr(self.resource, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # pragma: no cover - closing on shutdown
                pass


def _make_store() -> StoreHandle:
    cfg: Mapping[str, Any] = getattr(settings, "REGCORE_STORE", None) or {}
    cfg = {k.lower(): v for k, v in cfg.items()}
    backend = str(cfg.get("backend", "sqlite")).lower()
    prefix = str(cfg.get("prefix", "regcore"))
    if "factory" in cfg:  # your own store: a callable (or its dotted path) returning a SyncStore
        factory = cfg["factory"]
        made = (import_string(factory) if isinstance(factory, str) else factory)()
        return StoreHandle(made, backend, prefix, None)
    if backend == "sqlite":
        path = cfg.get("path")
        if path is None:
            base = getattr(settings, "BASE_DIR", os.getcwd())
            path = os.path.join(str(base), "regcore.sqlite3")
        sqlite_store = regcore.store.SQLiteStore(str(path), prefix=prefix)
        return StoreHandle(sqlite_store, "sqlite", prefix, sqlite_store.connection)
    if backend in ("postgres", "postgresql"):
        # A pool of its own: Django's connection may be inside ATOMIC_REQUESTS,
        # and an admission must be committed before the password is checked.
        try:
            import psycopg_pool
        except ImportError as e:
            raise regcore.store_driver_missing("psycopg_pool", "postgres") from e
        pool = psycopg_pool.ConnectionPool(
            str(cfg["conninfo"]),
            min_size=int(cfg.get("pool_min_size", 1)),
            max_size=int(cfg.get("pool_max_size", 4)),
            kwargs={"autocommit": True},
            open=True,
        )
        return StoreHandle(regcore.store.PostgresStore(pool, prefix=prefix), "postgres", prefix, pool)
    if backend == "redis":
        try:
            import redis
        except ImportError as e:
            raise regcore.store_driver_missing("redis", "redis") from e
        url = str(cfg.get("url", "redis://127.0.0.1:6379/0"))
        client: Any
        if cfg.get("cluster"):
            client = redis.cluster.RedisCluster.from_url(url)
        else:
            client = redis.Redis.from_url(url)
        return StoreHandle(regcore.store.RedisStore(client, prefix=prefix), "redis", prefix, client)
    raise ImproperlyConfigured(f"REGCORE_STORE backend {backend!r}: use sqlite, postgres or redis")


def store_handle() -> StoreHandle:
    handle: StoreHandle = _cached("store_handle", _make_store)
    return handle


def store() -> regcore.store.SyncStore:
    """The store configured by ``REGCORE_STORE`` (one per process)."""
    return store_handle().store


def lockout_policy() -> regcore.LockoutPolicy:
    def make() -> regcore.LockoutPolicy:
        value = getattr(settings, "REGCORE_LOCKOUT_POLICY", "ups_site")
        if isinstance(value, regcore.LockoutPolicy):
            return value
        if isinstance(value, Mapping):
            return regcore.LockoutPolicy.from_dict(value)
        factory = getattr(regcore.LockoutPolicy, str(value), None)
        if factory is None or str(value).startswith("_") or str(value) in ("from_dict", "from_json"):
            raise ImproperlyConfigured(f"REGCORE_LOCKOUT_POLICY: unknown preset {value!r}")
        policy: regcore.LockoutPolicy = factory()
        return policy

    policy: regcore.LockoutPolicy = _cached("lockout_policy", make)
    return policy


def lockout_parameters() -> list[list[str]]:
    raw = getattr(settings, "REGCORE_LOCKOUT_PARAMETERS", ["username"])
    out: list[list[str]] = []
    for item in raw:
        parts = [item] if isinstance(item, str) else list(item)
        for p in parts:
            if p not in ("username", "ip_address"):
                raise ImproperlyConfigured(f"REGCORE_LOCKOUT_PARAMETERS: unknown parameter {p!r}")
        out.append(parts)
    if not out:
        raise ImproperlyConfigured("REGCORE_LOCKOUT_PARAMETERS is empty")
    return out


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    getter = getattr(settings, "REGCORE_CLIENT_IP", None)
    if getter:
        fn = import_string(getter) if isinstance(getter, str) else getter
        return str(fn(request))
    addr = request.META.get("REMOTE_ADDR")
    return str(addr) if addr else None


def lockout_keys(username: str | None, request: HttpRequest | None) -> list[str]:
    """The store keys of one attempt, e.g. ``["username:alice"]``."""
    values = {"username": username, "ip_address": client_ip(request)}
    keys = []
    for parts in lockout_parameters():
        if any(values[p] is None for p in parts):
            continue
        keys.append("|".join(f"{p}:{values[p]}" for p in parts))
    return keys


def _bytes_setting(name: str) -> bytes | None:
    value = getattr(settings, name, None)
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)


def code_secret() -> regcore.CodeSecret:
    def make() -> regcore.CodeSecret:
        raw = _bytes_setting("REGCORE_CODE_SECRET")
        if raw is None:
            # 32 bytes of the site's SECRET_KEY, separated from its other uses.
            raw = hashlib.sha256(b"regcore.contrib.django.code:" + settings.SECRET_KEY.encode()).digest()
        return regcore.CodeSecret(raw)

    secret: regcore.CodeSecret = _cached("code_secret", make)
    return secret


def pepper() -> regcore.Pepper | None:
    raw = _bytes_setting("REGCORE_PASSWORD_PEPPER")
    return regcore.Pepper(raw) if raw is not None else None


def hash_params() -> regcore.HashParams:
    value = getattr(settings, "REGCORE_HASH_PARAMS", None)
    if value is None:
        return regcore.HashParams()
    if isinstance(value, regcore.HashParams):
        return value
    return regcore.HashParams(**dict(value))
