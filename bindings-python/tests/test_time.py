"""The datetime boundary: exact, zone-independent, naive refused."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

import regcore

from regcore import LockoutPolicy, LockoutState, SessionState

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2025, 4, 1, 9, 0, 0, 123_000, tzinfo=UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC),
        dt.datetime(2100, 1, 1, tzinfo=UTC),
    ],
)
def test_round_trip_is_exact_and_utc(instant: dt.datetime) -> None:
    s = SessionState(instant, instant)
    assert s.started_at == instant
    assert s.started_at.tzinfo is UTC
    assert s.started_at.microsecond == instant.microsecond


def test_any_tzinfo_including_zoneinfo() -> None:
    tokyo = dt.datetime(2025, 4, 1, 18, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    s = SessionState(tokyo, tokyo)
    assert s.started_at == dt.datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


def test_naive_is_a_clear_type_error() -> None:
    with pytest.raises(regcore.InvalidInputError, match="timezone-aware") as naive:
        SessionState(dt.datetime(2025, 4, 1), dt.datetime(2025, 4, 1))
    assert naive.value.code == "time.naive_datetime"
    with pytest.raises(TypeError, match="expected a timezone-aware datetime.datetime, got date"):
        SessionState.start(now=dt.date(2025, 4, 1))  # type: ignore[arg-type]
    with pytest.raises(regcore.InvalidInputError) as not_int:
        LockoutPolicy.ups_site().lock_duration("5")  # type: ignore[arg-type]
    assert not_int.value.code == "binding.invalid_integer"


def test_millisecond_state_keeps_the_instant() -> None:
    t = dt.datetime(2025, 4, 1, 9, 0, 0, 250_000, tzinfo=UTC)
    state = LockoutState().record_failure(LockoutPolicy.ups_site(), now=t)
    assert state.last_attempt == t
