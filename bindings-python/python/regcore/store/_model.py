"""What the stores persist, as pure steps: read value -> (write, result).

A *step* takes the stored text (``None`` when there is no row/key), asks
core what comes next and says what to write: a new text, ``DELETE``, or
``KEEP`` (write nothing). Every store runs the same steps inside its retry
loop, so the domain rules are called in one place and never restated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from .. import _native
from .._native import (
    CodePolicy,
    CodeSecret,
    CodeState,
    CodeVerification,
    Locked,
    LockoutPolicy,
    LockoutRefusal,
    LockoutState,
    OneTimeCode,
    SessionPolicy,
    SessionState,
    SessionTouch,
)

T = TypeVar("T")
_n: Any = _native

UTC: Final = dt.timezone.utc
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = dt.timedelta(milliseconds=1)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


KEEP: Final = _Keep()
DELETE: Final = _Delete()


@dataclass(frozen=True)
class Step(Generic[T]):
    """What to write (text, DELETE or KEEP), its expiry (ms), what to return."""

    write: str | _Keep | _Delete
    expires_ms: int | None
    result: T
    now_ms: int | None = None
    """The operation's clock (Redis derives a relative TTL from it, so a
    server whose clock differs does not expire the key early)."""


Decide = Callable[[str | None], Step[T]]


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """``now`` as given (aware; a naive one is core's ``time.naive_datetime``),
    or the system clock."""
    if now is None:
        return dt.datetime.now(UTC)
    return _native.aware_utc(now)


def to_ms(at: dt.datetime) -> int:
    return (at - _EPOCH) // _MS


def from_ms(ms: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(milliseconds=ms)


# --- lockout -----------------------------------------------------------------------


def lockout_expires_ms(policy: LockoutPolicy, state: LockoutState, now_ms: int) -> int:
    """When a stored lockout state may be dropped (Redis TTL, purge_expired):
    core's ``retain_until`` (its ``forget_at``, or 90 days after the last
    attempt where core never forgets)."""
    return to_ms(state.retain_until(policy, from_ms(now_ms)))


def decode_lockout(text: str | None) -> LockoutState:
    return LockoutState.decode(text) if text is not None else LockoutState()


@dataclass(eq=False)
class Admitted:
    """An attempt admitted by the store: its failure is already stored.

    Check the password now, then settle exactly once with the store's
    ``lockout_settle(admitted, password_ok)`` (or ``.failure()`` here, which
    writes nothing: the failure was counted when the attempt was admitted).
    """

    key: str
    policy: LockoutPolicy
    state: LockoutState
    """The state stored on admission (this attempt counted as a failure)."""
    admission: Any = field(repr=False)
    settled: bool = False

    def failure(self) -> LockoutState:
        """The password was wrong: nothing more to write; the stored state."""
        self.settled = True
        result: LockoutState = self.admission.failure()
        return result


def lockout_admit_step(
    key: str, policy: LockoutPolicy, now: dt.datetime
) -> Decide[Admitted | Locked]:
    now_ms = to_ms(now)

    def decide(old: str | None) -> Step[Admitted | Locked]:
        state = decode_lockout(old)
        outcome = _admit(state, policy, now)
        if isinstance(outcome, LockoutRefusal):
            new = outcome.new_state
            if new is None or new.encode() == old:
                return Step(KEEP, None, outcome.locked)
            return Step(new.encode(), lockout_expires_ms(policy, new, now_ms), outcome.locked, now_ms)
        stored: LockoutState = outcome.state
        return Step(
            stored.encode(),
            lockout_expires_ms(policy, stored, now_ms),
            Admitted(key=key, policy=policy, state=stored, admission=outcome),
            now_ms,
        )

    return decide


def _admit(state: LockoutState, policy: LockoutPolicy, now: dt.datetime) -> Any:
    return _n.LockoutState.admit(state, policy, now)


def lockout_success_step(admitted: Admitted, now: dt.datetime) -> Decide[LockoutState]:
    now_ms = to_ms(now)
    applier = success_applier(admitted.admission)

    def decide(old: str | None) -> Step[LockoutState]:
        new = applier(decode_lockout(old))
        if new.encode() == old:
            return Step(KEEP, None, new)
        return Step(new.encode(), lockout_expires_ms(admitted.policy, new, now_ms), new, now_ms)

    return decide


def success_applier(admission: Any) -> Callable[[LockoutState], LockoutState]:
    """``current -> settled state`` for a correct password, re-appliable on
    every compare-and-set retry (the admission itself is single-use: this
    settles it)."""
    success = admission.success()

    def apply(current: LockoutState) -> LockoutState:
        result: LockoutState = success.apply(current)
        return result

    return apply


# --- one-time codes ------------------------------------------------------------------


def code_expires_ms(policy: CodePolicy, state: CodeState) -> int:
    """Core's ``retain_until``: a day after the code expires, so a late try is
    told "expired"."""
    return to_ms(policy.retain_until(state))


def code_issue_step(
    policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime
) -> Decide[OneTimeCode]:
    def decide(old: str | None) -> Step[OneTimeCode]:
        previous = CodeState.decode(old) if old is not None else None
        state, code = policy.issue(secret, subject, previous, now)
        return Step(state.encode(), code_expires_ms(policy, state), code, to_ms(now))

    return decide


def code_verify_step(
    policy: CodePolicy, secret: CodeSecret | bytes, subject: str, typed: str, now: dt.datetime
) -> Decide[CodeVerification | None]:
    def decide(old: str | None) -> Step[CodeVerification | None]:
        if old is None:
            return Step(KEEP, None, None)
        state = CodeState.decode(old)
        verification = policy.verify(secret, subject, typed, state, now)
        new = verification.state.encode()
        if new == old:
            return Step(KEEP, None, verification)
        return Step(new, code_expires_ms(policy, verification.state), verification, to_ms(now))

    return decide


# --- sessions --------------------------------------------------------------------------


def encode_session(state: SessionState) -> str:
    return state.encode()


def decode_session(text: str) -> SessionState:
    return SessionState.decode(text)


def session_expires_ms(policy: SessionPolicy, state: SessionState) -> int:
    return to_ms(state.expires_at(policy))


def session_start_step(policy: SessionPolicy, now: dt.datetime) -> Decide[SessionState]:
    def decide(old: str | None) -> Step[SessionState]:
        state = SessionState.start(now)
        return Step(encode_session(state), session_expires_ms(policy, state), state, to_ms(now))

    return decide


def session_touch_step(policy: SessionPolicy, now: dt.datetime) -> Decide[SessionTouch | None]:
    def decide(old: str | None) -> Step[SessionTouch | None]:
        if old is None:
            return Step(KEEP, None, None)
        touch = decode_session(old).touch(policy, now)
        renewed = touch.state
        if renewed is None:
            return Step(DELETE, None, touch)
        new = encode_session(renewed)
        if new == old:
            return Step(KEEP, None, touch)
        return Step(new, session_expires_ms(policy, renewed), touch, to_ms(now))

    return decide


def session_revoke_step() -> Decide[bool]:
    def decide(old: str | None) -> Step[bool]:
        return Step(DELETE if old is not None else KEEP, None, old is not None)

    return decide
