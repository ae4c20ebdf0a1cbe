from __future__ import annotations

from django.contrib.auth import hashers as dj
from django.test import override_settings

import regcore
from regcore.contrib.django.hashers import Argon2PasswordHasher, PepperedArgon2PasswordHasher

PW = "Sakura-2026!"


def test_ours_verify_djangos_and_ask_for_an_update() -> None:
    theirs = dj.Argon2PasswordHasher()
    encoded = theirs.encode(PW, theirs.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    ours = Argon2PasswordHasher()
    assert ours.verify(PW, encoded)
    assert not ours.verify(PW + "x", encoded)
    assert ours.must_update(encoded)  # Django's 100 MiB, p=8 -> OWASP (core's needs_rehash)


def test_djangos_verify_ours() -> None:
    ours = Argon2PasswordHasher()
    encoded = ours.encode(PW, ours.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert dj.Argon2PasswordHasher().verify(PW, encoded)
    assert not dj.Argon2PasswordHasher().verify(PW + "x", encoded)
    assert not ours.must_update(encoded)
    d = ours.decode(encoded)
    assert (d["memory_cost"], d["time_cost"], d["parallelism"]) == (19456, 2, 1)
    assert set(ours.safe_summary(encoded)) >= {"algorithm", "salt", "hash"}


def test_check_password_upgrades_a_django_hash() -> None:
    theirs = dj.Argon2PasswordHasher()
    old = theirs.encode(PW, theirs.salt())
    saved: list[str] = []
    assert dj.check_password(PW, old, setter=lambda raw: saved.append(dj.make_password(raw)))
    assert len(saved) == 1 and saved[0].startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert dj.check_password(PW, saved[0])
    assert dj.identify_hasher(saved[0]).__class__ is Argon2PasswordHasher


@override_settings(
    REGCORE_PASSWORD_PEPPER=b"p" * 32,
    PASSWORD_HASHERS=[
        "regcore.contrib.django.hashers.PepperedArgon2PasswordHasher",
        "regcore.contrib.django.hashers.Argon2PasswordHasher",
    ],
)
def test_pepper_upgrade() -> None:
    plain = Argon2PasswordHasher().encode(PW, "saltsaltsaltsalt")
    saved: list[str] = []
    assert dj.check_password(PW, plain, setter=lambda raw: saved.append(dj.make_password(raw)))
    assert saved[0].startswith("regcore_argon2$argon2id$")
    assert dj.check_password(PW, saved[0])
    phc = saved[0].removeprefix("regcore_argon2")
    assert regcore.verify_password(PW, phc, pepper=regcore.Pepper(b"p" * 32))
    assert not regcore.verify_password(PW, phc)  # useless without the pepper
    assert dj.make_password(PW).startswith("regcore_argon2$")
    assert PepperedArgon2PasswordHasher().verify(PW, dj.make_password(PW))
