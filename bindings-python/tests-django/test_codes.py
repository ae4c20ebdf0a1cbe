from __future__ import annotations

from django.utils import translation

from regcore.contrib.django import codes


def test_sign_up_code_round_trip() -> None:
    mailed = codes.issue("sign_up", "taro@example.com")
    assert len(mailed) == 6 and mailed.isdigit()
    wrong = "000000" if mailed != "000000" else "111111"
    with translation.override("ja"):
        r = codes.verify("sign_up", "taro@example.com", wrong)
    assert not r.ok and r.code == "code.wrong" and r.message
    assert codes.verify("sign_up", "taro@example.com", mailed).ok
    assert not codes.verify("sign_up", "taro@example.com", mailed).ok  # used up


def test_reset_code_latest_only_and_unknown_subject() -> None:
    first = codes.issue("password_reset", "hana@example.com")
    second = codes.issue("password_reset", "hana@example.com")
    if first != second:
        assert not codes.verify("password_reset", "hana@example.com", first).ok
    assert codes.verify("password_reset", "hana@example.com", second).ok
    r = codes.verify("password_reset", "nobody@example.com", "123456")
    assert not r.ok and r.code == "code.not_issued" and r.message
