"""Boundary tests of lockout: policies in and out, the attempt flow, encodings, time types."""

from __future__ import annotations

import datetime as dt

import pytest

from regcore import (
    ConfigurationError,
    InvalidInputError,
    StoredStateError,
    Diagnostic,
    Locked,
    LockoutAdmission,
    LockoutPolicy,
    LockoutRefusal,
    LockoutState,
)

from conftest import JST

UTC = dt.timezone.utc


def test_policy_presets_and_data() -> None:
    ups = LockoutPolicy.ups_site()
    assert ups.threshold == 5 and ups.max_lock == dt.timedelta(seconds=900)
    assert not ups.count_locked_attempts
    assert ups.lock_duration(4) == dt.timedelta(0)
    assert ups.lock_duration(5) == dt.timedelta(seconds=1)
    assert ups.lock_duration(7) == dt.timedelta(seconds=4)
    assert ups.lock_duration(100) == dt.timedelta(seconds=900)
    for preset in (LockoutPolicy.device_entry(), LockoutPolicy.aspnet_identity(), LockoutPolicy.devise(),
                   LockoutPolicy.keycloak()):
        preset.validate()
        assert LockoutPolicy.from_dict(preset.to_dict()) == preset
        assert LockoutPolicy.from_json(preset.to_json()) == preset
    assert ups.to_dict()["schedule"] == {"kind": "exponential", "base_secs": 1, "factor": 2}


def test_policy_constructors_take_timedeltas() -> None:
    m = LockoutPolicy.keycloak_multiple(3, dt.timedelta(minutes=1), dt.timedelta(minutes=15), dt.timedelta(hours=12))
    assert m.threshold == 3 and m.lock_duration(3) == dt.timedelta(minutes=1)
    lin = LockoutPolicy.keycloak_linear(3, dt.timedelta(minutes=1), dt.timedelta(minutes=15), dt.timedelta(hours=12))
    assert lin.lock_duration(4) == dt.timedelta(minutes=2)
    assert LockoutPolicy.fixed(5, dt.timedelta(minutes=5)).lock_duration(5) == dt.timedelta(minutes=5)
    tiers = LockoutPolicy.tiers([(3, dt.timedelta(seconds=10)), (6, dt.timedelta(minutes=5))])
    assert tiers.lock_duration(4) == dt.timedelta(seconds=10) and tiers.lock_duration(6) == dt.timedelta(minutes=5)
    with pytest.raises(InvalidInputError, match="lock \\(seconds\\) must be an integer"):
        LockoutPolicy.fixed(5, dt.timedelta(milliseconds=1500))
    with pytest.raises(InvalidInputError, match="from 0 to"):
        LockoutPolicy.fixed(5, dt.timedelta(seconds=-1))
    with pytest.raises(TypeError):
        LockoutPolicy.fixed(5, 300)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as info:
        LockoutPolicy.fixed(0, dt.timedelta(seconds=1)).validate()
    assert info.value.code == "lockout.invalid_policy" and info.value.params == {"reason": "threshold_zero"}
    bad = LockoutPolicy.ups_site().to_dict()
    bad["threshold"] = 0
    with pytest.raises(ConfigurationError):
        LockoutPolicy.from_dict(bad)


def test_attempt_flow_locks_and_refuses(t0: dt.datetime) -> None:
    policy = LockoutPolicy.ups_site()
    state = LockoutState()
    assert state.failures == 0 and state.locked_until is None and state.last_attempt is None
    now = t0
    for _ in range(5):
        attempt = state.attempt(policy, now=now)
        assert isinstance(attempt, LockoutAdmission)
        state = attempt.failure()
        with pytest.raises(InvalidInputError) as used:
            attempt.failure()  # an attempt records one outcome only
        assert used.value.code == "lockout.admission_used"
    assert state.failures == 5
    assert state.locked_until == t0 + dt.timedelta(seconds=1)
    assert state.last_attempt == t0 and state.last_attempt.tzinfo is not None
    refusal = state.attempt(policy, now=now)
    assert isinstance(refusal, LockoutRefusal) and refusal.new_state is None
    locked = refusal.locked
    assert isinstance(locked, Locked) and isinstance(locked, Diagnostic)
    assert locked.code == "lockout.locked" and locked.params == {"retry_after_secs": "1"}
    assert locked.retry_after == dt.timedelta(seconds=1) and locked.retry_after_secs == 1
    assert locked.until == t0 + dt.timedelta(seconds=1)
    assert "1" in locked.message_ja
    checked = state.check(policy, now=now.astimezone(JST))
    assert checked is not None and checked.until == locked.until
    assert state.check(policy, now=now + dt.timedelta(seconds=1)) is None
    later = state.attempt(policy, now=now + dt.timedelta(seconds=2))
    assert isinstance(later, LockoutAdmission)
    assert later.succeeded().failures == 0


def test_record_functions_and_encodings(t0: dt.datetime) -> None:
    policy = LockoutPolicy.device_entry()
    state = LockoutState().record_failure(policy, now=t0).record_failure(policy, now=t0)
    state = state.record_failure(policy, now=t0)
    assert state.failures == 3 and state.locked_until == t0 + dt.timedelta(seconds=30)
    assert state.record_success(policy, now=t0) == state  # a correct password never unlocks early
    text = state.encode()
    assert text.startswith("l1.3.")
    assert LockoutState.decode(text) == state
    assert LockoutState.from_bytes(state.to_bytes()) == state
    assert repr(state) == f"LockoutState.decode('{text}')"
    assert hash(state) == hash(LockoutState.decode(text))
    with pytest.raises(StoredStateError) as info:
        LockoutState.decode("l9.x")
    assert info.value.code == "lockout.malformed_state"
    with pytest.raises(StoredStateError):
        LockoutState.from_bytes(b"\xff")
    rebuilt = LockoutState(3, state.locked_until, state.last_attempt)
    assert rebuilt == state


def test_naive_and_wrong_types_are_refused(t0: dt.datetime) -> None:
    policy = LockoutPolicy.ups_site()
    with pytest.raises(InvalidInputError, match="timezone-aware") as naive:
        LockoutState().record_failure(policy, now=dt.datetime(2025, 4, 1))
    assert naive.value.code == "time.naive_datetime"
    with pytest.raises(TypeError):
        LockoutState().check(policy, now="2025-04-01T00:00:00Z")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        LockoutState(1, dt.datetime(2025, 4, 1))
    # Aware datetimes in any zone are the same instant.
    a = LockoutState().record_failure(policy, now=t0)
    b = LockoutState().record_failure(policy, now=t0.astimezone(JST))
    assert a == b
    # System clock default.
    now_state = LockoutState().record_failure(policy)
    assert now_state.last_attempt is not None
    assert abs(now_state.last_attempt - dt.datetime.now(UTC)) < dt.timedelta(minutes=1)
