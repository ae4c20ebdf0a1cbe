"""Login lockout as the first authentication backend.

    AUTHENTICATION_BACKENDS = [
        "regcore.contrib.django.backends.LockoutBackend",   # first
        "django.contrib.auth.backends.ModelBackend",
    ]

For every ``authenticate()`` with a password, :class:`LockoutBackend` stores
the attempt *as a failure* in the store before any later backend checks the
password (core's admission). While the key is locked it raises
``PermissionDenied`` so that no backend runs, marks the request
(``request.regcore_locked``, answered with 429 by the middleware) and sends
``user_locked_out``. When the login succeeds, Django's ``user_logged_in``
settles the admission as a success (the counter resets). A wrong password
writes nothing more: its failure is already stored.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

import regcore
from regcore.store import Admitted

from . import conf
from .signals import user_locked_out

_ADMISSIONS = "_regcore_admissions"
# authenticate() without a request (scripts, tests): keep the admissions per context.
_pending: contextvars.ContextVar[list[Admitted] | None] = contextvars.ContextVar("regcore_admissions", default=None)


class LockoutBackend(BaseBackend):
    """Admits or refuses; never authenticates anyone itself (returns None)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials: Any) -> None:
        if "password" not in credentials:
            return None
        if username is None:
            username = credentials.get(get_user_model().USERNAME_FIELD)
        keys = conf.lockout_keys(None if username is None else str(username), request)
        if not keys:
            return None
        store = conf.store()
        policy = conf.lockout_policy()
        admitted: list[Admitted] = []
        for key in keys:
            outcome = store.lockout_admit(key, policy)
            if isinstance(outcome, regcore.Locked):
                if request is not None:
                    request.regcore_locked = outcome  # type: ignore[attr-defined]
                user_locked_out.send(
                    sender=type(self), request=request, username=username, keys=keys, locked=outcome
                )
                _remember(request, [])
                raise PermissionDenied(outcome.message_en)
            admitted.append(outcome)
        _remember(request, admitted)
        return None


def _remember(request: HttpRequest | None, admitted: list[Admitted]) -> None:
    if request is not None:
        setattr(request, _ADMISSIONS, admitted)
    else:
        _pending.set(admitted)


def _take(request: HttpRequest | None) -> list[Admitted]:
    admitted: list[Admitted] | None
    if request is not None:
        admitted = getattr(request, _ADMISSIONS, None)
        if admitted is not None:
            delattr(request, _ADMISSIONS)
    else:
        admitted = _pending.get()
        _pending.set(None)
    return admitted or []


def settle_success(sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any) -> None:
    """``user_logged_in`` receiver: the admitted attempt was right."""
    admitted = _take(request)
    if not admitted:
        return
    store = conf.store()
    for a in admitted:
        store.lockout_settle(a, True)


def forget_admissions(sender: Any, credentials: Any = None, request: HttpRequest | None = None, **_: Any) -> None:
    """``user_login_failed`` receiver: nothing to write (the failure is stored)."""
    _take(request)


def lockout_reset(username: str | None = None, ip_address: str | None = None, key: str | None = None) -> int:
    """Forget stored lockout state (management command ``regcore_reset``).

    Deletes the keys made of the given username and/or IP under the configured
    ``REGCORE_LOCKOUT_PARAMETERS`` (or one raw ``key``); returns how many rows
    or Redis keys were deleted.
    """
    if key is not None:
        keys = [key]
    else:
        keys = []
        values = {"username": username, "ip_address": ip_address}
        for parts in conf.lockout_parameters():
            if all(values[p] is not None for p in parts):
                keys.append("|".join(f"{p}:{values[p]}" for p in parts))
    handle = conf.store_handle()
    deleted = 0
    for k in keys:
        deleted += _delete(handle, k)
    return deleted


def _delete(handle: conf.StoreHandle, key: str) -> int:
    return int(handle.store.lockout_reset(key))


def current_lock(username: str | None, request: HttpRequest | None = None) -> regcore.Locked | None:
    """Is this login locked right now (read-only)? For a view that wants to say
    so after the failure that locked it, not only at the next attempt."""
    store = conf.store()
    policy = conf.lockout_policy()
    for key in conf.lockout_keys(username, request):
        locked = store.lockout_state(key).check(policy)
        if locked is not None:
            return locked
    return None
