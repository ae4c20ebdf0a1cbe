from __future__ import annotations

import io
import itertools
from typing import Any
from unittest import mock

from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

import regcore
from regcore.contrib.django import conf
from regcore.contrib.django.signals import user_locked_out

PW = "Sakura-2026!"
_n = itertools.count()


def new_user() -> str:
    name = f"user{next(_n)}-{id(object())}"
    User.objects.create_user(name, password=PW)
    return name


def post(client: Client, username: str, password: str, lang: str = "en", ip: str = "10.0.0.1") -> Any:
    return client.post(
        "/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE=lang, REMOTE_ADDR=ip
    )


def test_five_wrong_then_429_with_retry_after_in_the_users_language() -> None:
    name, c = new_user(), Client()
    seen: list[dict[str, Any]] = []

    def on_locked(**kw: Any) -> None:
        seen.append(kw)

    user_locked_out.connect(on_locked)
    try:
        for _ in range(5):
            assert post(c, name, "wrong").status_code == 401
        r = post(c, name, PW, lang="ja")  # right, but locked: never checked
        assert r.status_code == 429
        assert int(r["Retry-After"]) >= 1
        assert r["Content-Language"] == "ja"
        body = r.content.decode()
        locked = conf.store().lockout_state(f"username:{name}").check(conf.lockout_policy())
        assert locked is not None and body == locked.message_ja
        r = post(c, name, "wrong", lang="en")
        assert r.status_code == 429 and r.content.decode() == locked.message_en
    finally:
        user_locked_out.disconnect(on_locked)
    assert len(seen) == 2 and seen[0]["username"] == name and isinstance(seen[0]["locked"], regcore.Locked)
    assert conf.store().lockout_state(f"username:{name}").failures == 5  # locked attempts not counted


def test_locked_no_backend_runs() -> None:
    name, c = new_user(), Client()
    calls: list[object] = []
    original = ModelBackend.authenticate

    def counting(self: ModelBackend, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(self, *args, **kwargs)

    with mock.patch.object(ModelBackend, "authenticate", counting):
        for _ in range(5):
            post(c, name, "wrong")
        assert len(calls) == 5
        for _ in range(3):
            assert post(c, name, PW).status_code == 429
        assert len(calls) == 5  # refused before any password backend


def test_reset_command_unlocks() -> None:
    name, c = new_user(), Client()
    for _ in range(5):
        post(c, name, "wrong")
    assert post(c, name, PW).status_code == 429
    out = io.StringIO()
    call_command("regcore_reset", username=name, stdout=out)
    assert "1 lockout state" in out.getvalue()
    assert post(c, name, PW).status_code == 200


def test_success_settles_and_resets_the_counter() -> None:
    name, c = new_user(), Client()
    for _ in range(3):
        post(c, name, "wrong")
    assert conf.store().lockout_state(f"username:{name}").failures == 3
    assert post(c, name, PW).status_code == 200
    assert conf.store().lockout_state(f"username:{name}").failures == 0


def test_authenticate_without_login_leaves_the_admission_as_failure() -> None:
    name = new_user()
    assert authenticate(username=name, password=PW) is not None  # no login(): not settled
    assert conf.store().lockout_state(f"username:{name}").failures == 1


@override_settings(REGCORE_LOCKOUT_PARAMETERS=["ip_address"])
def test_key_by_ip() -> None:
    a, b, c = new_user(), new_user(), Client()
    for _ in range(5):
        post(c, a, "wrong", ip="10.9.9.9")
    assert post(c, b, PW, ip="10.9.9.9").status_code == 429  # another user, same IP
    assert post(c, b, PW, ip="10.9.9.8").status_code == 200
    call_command("regcore_reset", ip_address="10.9.9.9", stdout=io.StringIO())
    assert post(c, b, PW, ip="10.9.9.9").status_code == 200


@override_settings(REGCORE_LOCKOUT_PARAMETERS=[["username", "ip_address"]])
def test_key_by_username_and_ip() -> None:
    a, c = new_user(), Client()
    for _ in range(5):
        post(c, a, "wrong", ip="10.7.7.7")
    assert post(c, a, PW, ip="10.7.7.7").status_code == 429
    assert post(c, a, PW, ip="10.7.7.6").status_code == 200  # same user elsewhere
    assert conf.store().lockout_state(f"username:{a}|ip_address:10.7.7.7").failures == 5
