"""Boundary tests of one-time codes, signed links and sessions."""

from __future__ import annotations

import datetime as dt

import pytest

import regcore
from regcore import (
    CodePolicy,
    CodeSecret,
    CodeState,
    ConfigurationError,
    StoredStateError,
    Keyring,
    LinkPolicy,
    ProvisionalRegistration,
    SessionPolicy,
    SessionState,
    ExpiredError,
    RejectedError,
    InvalidInputError,
    RejectedError,
    ExpiredError,
)

SECRET = bytes(range(32))


def test_code_secret() -> None:
    s = CodeSecret(SECRET)
    assert repr(s) == "CodeSecret(<redacted>)"
    with pytest.raises(ConfigurationError) as info:
        CodeSecret(b"short")
    assert info.value.code == "secret.too_short" and info.value.params == {"min": "32", "actual": "5"}
    assert CodeSecret.generate() is not None
    with pytest.raises(ConfigurationError):
        CodeSecret.generate(8)


def test_code_issue_verify_single_use(t0: dt.datetime) -> None:
    policy = CodePolicy.password_reset()
    assert (policy.purpose, policy.lifetime, policy.max_attempts) == ("password_reset", dt.timedelta(hours=1), 5)
    state, code = policy.issue(SECRET, "user-42", now=t0)
    assert isinstance(code, regcore.OneTimeCode)
    digits = code.expose()
    assert len(digits) == 6 and digits.isdigit() and digits not in repr(code)
    assert (state.generation, state.attempts, state.used) == (1, 0, False)
    assert state.issued_at == t0 and policy.expires_at(state) == t0 + dt.timedelta(hours=1)
    assert not policy.is_expired(state, now=t0) and policy.is_expired(state, now=t0 + dt.timedelta(hours=1))
    wrong = policy.verify(CodeSecret(SECRET), "user-42", "000000" if digits != "000000" else "111111", state, now=t0)
    assert not wrong.ok and wrong.rejection is not None
    assert wrong.rejection.code == "code.wrong" and wrong.rejection.params == {"attempts_left": "4"}
    assert wrong.state.attempts == 1
    good = policy.verify(SECRET, "user-42", f"{digits[:3]}-{digits[3:]}", wrong.state, now=t0)
    assert good.ok and good.rejection is None and good.state.used
    again = policy.verify(SECRET, "user-42", digits, good.state, now=t0)
    assert again.rejection is not None and again.rejection.code == "code.already_used"
    assert repr(again) == "CodeVerification(ok=False, rejection='code.already_used')"


def test_newer_code_supersedes(t0: dt.datetime) -> None:
    policy = CodePolicy.sign_up()
    first, old = policy.issue(SECRET, "u", now=t0)
    second, new = policy.issue(SECRET, "u", previous=first, now=t0 + dt.timedelta(minutes=1))
    assert second.generation == 2 and second.series == first.series
    check = policy.verify(SECRET, "u", old.expose(), second, now=t0 + dt.timedelta(minutes=2))
    assert check.rejection is not None and check.rejection.code == "code.superseded"
    expired = policy.verify(SECRET, "u", new.expose(), second, now=t0 + dt.timedelta(days=2))
    assert expired.rejection is not None and expired.rejection.code == "code.expired"


def test_code_state_encodings_and_policy_data(t0: dt.datetime) -> None:
    state, _ = CodePolicy.email_change().issue(SECRET, "u", now=t0)
    assert CodeState.decode(state.encode()) == state
    assert CodeState.from_bytes(state.to_bytes()) == state
    assert state.counter == (state.series << 32) | state.generation
    with pytest.raises(StoredStateError) as info:
        CodeState.decode("c1.garbage")
    assert info.value.code == "code.malformed_state"
    custom = CodePolicy("sign_up", dt.timedelta(minutes=10), max_attempts=3)
    assert CodePolicy.from_dict(custom.to_dict()) == custom
    assert custom.with_lifetime(dt.timedelta(hours=2)).lifetime == dt.timedelta(hours=2)
    with pytest.raises(ValueError):
        CodePolicy("login", dt.timedelta(minutes=10))  # type: ignore[arg-type]
    assert len(regcore.code_key(SECRET, "sign_up", "u")) == 32


def test_links_issue_verify_and_each_error(t0: dt.datetime) -> None:
    ring = Keyring(1, SECRET)
    assert ring.current_key_id == 1 and "redacted" in repr(ring)
    link = LinkPolicy.password_reset()
    assert (link.purpose, link.lifetime) == ("password_reset", dt.timedelta(hours=1))
    token = link.issue(ring, "user-42", generation=3, binding=b"hash-v1", now=t0)
    claims = link.verify(ring, token, current_generation=3, binding=b"hash-v1", now=t0)
    assert isinstance(claims, regcore.LinkClaims)
    assert (claims.purpose, claims.subject, claims.generation, claims.key_id) == ("password_reset", "user-42", 3, 1)
    assert claims.issued_at == t0 and claims.expires_at == t0 + dt.timedelta(hours=1)
    assert not claims.requires_phone and regcore.peek_token(token) == claims
    with pytest.raises(ExpiredError) as expired:
        link.verify(ring, token, 3, b"hash-v1", now=t0 + dt.timedelta(hours=2))
    assert expired.value.code == "token.expired" and "expired_at" in expired.value.params
    with pytest.raises(ExpiredError):
        link.verify(ring, token, 4, b"hash-v1", now=t0)
    with pytest.raises(RejectedError) as invalid:
        link.verify(ring, token, 3, b"hash-v2", now=t0)
    assert invalid.value.code == "token.invalid" and isinstance(invalid.value, regcore.RegcoreError)
    with pytest.raises(InvalidInputError) as malformed:
        link.verify(ring, "not a token", now=t0)
    assert malformed.value.code == "token.malformed" and malformed.value.kind == "invalid_input"
    with pytest.raises(InvalidInputError):
        regcore.peek_token("%%%")
    with pytest.raises(regcore.InvalidInputError) as long:
        LinkPolicy("x" * 300, dt.timedelta(hours=1)).issue(ring, "u", now=t0)
    assert long.value.code == "token.claim_too_long"
    assert LinkPolicy.from_dict(link.to_dict()) == link


def test_keyring_rotation(t0: dt.datetime) -> None:
    old = Keyring(1, SECRET)
    token = LinkPolicy.password_reset().issue(old, "u", now=t0)
    rotated = old.with_key(2, CodeSecret(bytes(32))).rotate_to(2)
    assert rotated.current_key_id == 2 and old.current_key_id == 1
    assert LinkPolicy.password_reset().verify(rotated, token, now=t0).key_id == 1
    with pytest.raises(RejectedError) as info:
        old.rotate_to(9)
    assert info.value.params == {"reason": "unknown_key"}


def test_provisional_registration(t0: dt.datetime) -> None:
    ring = Keyring(1, SECRET)
    reg = ProvisionalRegistration()
    assert reg.link == LinkPolicy.provisional_registration()
    token = reg.issue(ring, "app-7", "090-1234-5678", now=t0)
    claims = reg.complete(ring, token, "０９０１２３４５６７８", now=t0 + dt.timedelta(hours=1))
    assert claims.requires_phone and claims.subject == "app-7"
    with pytest.raises(RejectedError) as info:
        reg.complete(ring, token, regcore.PhoneNumber("09000000000"), now=t0)
    assert info.value.code == "token.phone_mismatch"
    with pytest.raises(RejectedError):
        reg.link.verify(ring, token, now=t0)  # a phone-bound link needs complete()


def test_sessions(t0: dt.datetime) -> None:
    policy = SessionPolicy.ups_site()
    assert policy.idle_timeout == dt.timedelta(minutes=30) and policy.absolute_timeout is None
    session = SessionState.start(now=t0)
    assert session.started_at == session.last_seen == t0
    touch = session.touch(policy, now=t0 + dt.timedelta(minutes=29))
    assert isinstance(touch, regcore.SessionTouch)
    assert touch.active and touch.status == "active" and touch.state is not None
    assert touch.state.last_seen == t0 + dt.timedelta(minutes=29)
    idle = session.touch(policy, now=t0 + dt.timedelta(minutes=30))
    assert (idle.status, idle.active, idle.state) == ("idle_expired", False, None)
    capped = SessionPolicy(dt.timedelta(minutes=30), dt.timedelta(hours=8))
    assert capped == policy.with_absolute_timeout(dt.timedelta(hours=8))
    old = SessionState(t0, t0 + dt.timedelta(hours=7, minutes=59))
    assert old.touch(capped, now=t0 + dt.timedelta(hours=8)).status == "absolute_expired"
    assert SessionState.start().touch(policy).active  # system clock
    with pytest.raises(regcore.InvalidInputError, match="timezone-aware"):
        SessionState.start(now=dt.datetime(2025, 4, 1))
