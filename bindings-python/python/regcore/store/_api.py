"""The store API, written once over two primitives per store.

A store implements ``_cell(table, address, decide, operation)`` (read one
state cell, run the pure step, compare-and-set, inside the retry loop) and
``_read(table, address, operation)``; everything a caller uses is here.
"""

from __future__ import annotations

import datetime as dt
import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .._native import (
    CodePolicy,
    CodeSecret,
    CodeState,
    CodeVerification,
    Locked,
    LockoutPolicy,
    LockoutState,
    OneTimeCode,
    SessionPolicy,
    SessionState,
    SessionTouch,
)
from . import _model
from ._model import Admitted, Decide, resolve_now
from ._retry import RetryPolicy, StoreStats

T = TypeVar("T")


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :meth:`login`: ``locked`` (refused unchecked) or the password's verdict."""

    ok: bool
    locked: Locked | None
    state: LockoutState | None
    """The state stored after the attempt (None when refused without a write)."""


class _Base:
    retry: RetryPolicy
    stats: StoreStats

    def _init_base(self, retry: RetryPolicy | None) -> None:
        self.retry = retry or RetryPolicy()
        self.stats = StoreStats()


class SyncStore(_Base, ABC):
    """Lockout, one-time-code and session state (every store)."""

    @abstractmethod
    def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T: ...

    @abstractmethod
    def _read(self, table: str, address: Sequence[str], operation: str) -> str | None: ...

    # --- lockout ----------------------------------------------------------------------

    def lockout_admit(
        self, key: str, policy: LockoutPolicy, now: dt.datetime | None = None
    ) -> Admitted | Locked:
        """Admit an attempt (its failure stored in advance) or refuse it as locked.

        Check the password only after an :class:`Admitted` came back; then call
        :meth:`lockout_settle`. A ``Locked`` means: refuse without checking.
        """
        at = resolve_now(now)
        return self._cell("lockout", (key,), _model.lockout_admit_step(key, policy, at), "lockout.admit")

    def lockout_settle(
        self, admitted: Admitted, password_ok: bool, now: dt.datetime | None = None
    ) -> LockoutState:
        """Settle an admitted attempt: a wrong password writes nothing more; a
        right one resets the stored state (compare-and-set, retried)."""
        if not password_ok:
            return admitted.failure()
        admitted.settled = True
        step = _model.lockout_success_step(admitted, resolve_now(now))
        return self._cell("lockout", (admitted.key,), step, "lockout.settle")

    def login(
        self,
        key: str,
        policy: LockoutPolicy,
        check_password: Callable[[], bool],
        now: dt.datetime | None = None,
    ) -> LoginResult:
        """Admit, check the password only if admitted, settle. ``check_password``
        runs at most once and never while the key is locked."""
        admitted = self.lockout_admit(key, policy, now)
        if isinstance(admitted, Locked):
            return LoginResult(ok=False, locked=admitted, state=None)
        ok = bool(check_password())
        return LoginResult(ok=ok, locked=None, state=self.lockout_settle(admitted, ok, now))

    def lockout_state(self, key: str) -> LockoutState:
        """The stored state (the default state when nothing is stored)."""
        return _model.decode_lockout(self._read("lockout", (key,), "lockout.read"))

    # --- one-time codes -----------------------------------------------------------------

    def code_issue(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime | None = None
    ) -> OneTimeCode:
        """Issue the next code for (policy.purpose, subject); earlier ones die."""
        step = _model.code_issue_step(policy, secret, subject, resolve_now(now))
        return self._cell("code", (policy.purpose, subject), step, "code.issue")

    def code_verify(
        self,
        policy: CodePolicy,
        secret: CodeSecret | bytes,
        subject: str,
        typed: str,
        now: dt.datetime | None = None,
    ) -> CodeVerification | None:
        """Verify and store the outcome atomically (a success is used up, a wrong
        try counted). ``None`` when no code is stored for the subject."""
        step = _model.code_verify_step(policy, secret, subject, typed, resolve_now(now))
        return self._cell("code", (policy.purpose, subject), step, "code.verify")

    def code_state(self, purpose: str, subject: str) -> CodeState | None:
        text = self._read("code", (purpose, subject), "code.read")
        return CodeState.decode(text) if text is not None else None

    # --- sessions ---------------------------------------------------------------------------

    def session_start(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionState:
        step = _model.session_start_step(policy, resolve_now(now))
        return self._cell("session", (session_id,), step, "session.start")

    def session_touch(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionTouch | None:
        """Renew on activity; ``None`` for an unknown or revoked session. An
        expired session is deleted and its ``SessionTouch`` says why."""
        step = _model.session_touch_step(policy, resolve_now(now))
        return self._cell("session", (session_id,), step, "session.touch")

    def session_revoke(self, session_id: str) -> bool:
        """End a session; wins over any touch in flight. True if it existed."""
        return self._cell("session", (session_id,), _model.session_revoke_step(), "session.revoke")


CheckPassword = Callable[[], "bool | Awaitable[bool]"]


class AsyncStore(_Base, ABC):
    """The asyncio twin of :class:`SyncStore`."""

    @abstractmethod
    async def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T: ...

    @abstractmethod
    async def _read(self, table: str, address: Sequence[str], operation: str) -> str | None: ...

    async def lockout_admit(
        self, key: str, policy: LockoutPolicy, now: dt.datetime | None = None
    ) -> Admitted | Locked:
        at = resolve_now(now)
        return await self._cell(
            "lockout", (key,), _model.lockout_admit_step(key, policy, at), "lockout.admit"
        )

    async def lockout_settle(
        self, admitted: Admitted, password_ok: bool, now: dt.datetime | None = None
    ) -> LockoutState:
        if not password_ok:
            return admitted.failure()
        admitted.settled = True
        step = _model.lockout_success_step(admitted, resolve_now(now))
        return await self._cell("lockout", (admitted.key,), step, "lockout.settle")

    async def login(
        self,
        key: str,
        policy: LockoutPolicy,
        check_password: CheckPassword,
        now: dt.datetime | None = None,
    ) -> LoginResult:
        admitted = await self.lockout_admit(key, policy, now)
        if isinstance(admitted, Locked):
            return LoginResult(ok=False, locked=admitted, state=None)
        verdict = check_password()
        ok = bool(await verdict) if inspect.isawaitable(verdict) else bool(verdict)
        return LoginResult(ok=ok, locked=None, state=await self.lockout_settle(admitted, ok, now))

    async def lockout_state(self, key: str) -> LockoutState:
        return _model.decode_lockout(await self._read("lockout", (key,), "lockout.read"))

    async def code_issue(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime | None = None
    ) -> OneTimeCode:
        step = _model.code_issue_step(policy, secret, subject, resolve_now(now))
        return await self._cell("code", (policy.purpose, subject), step, "code.issue")

    async def code_verify(
        self,
        policy: CodePolicy,
        secret: CodeSecret | bytes,
        subject: str,
        typed: str,
        now: dt.datetime | None = None,
    ) -> CodeVerification | None:
        step = _model.code_verify_step(policy, secret, subject, typed, resolve_now(now))
        return await self._cell("code", (policy.purpose, subject), step, "code.verify")

    async def code_state(self, purpose: str, subject: str) -> CodeState | None:
        text = await self._read("code", (purpose, subject), "code.read")
        return CodeState.decode(text) if text is not None else None

    async def session_start(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionState:
        step = _model.session_start_step(policy, resolve_now(now))
        return await self._cell("session", (session_id,), step, "session.start")

    async def session_touch(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionTouch | None:
        step = _model.session_touch_step(policy, resolve_now(now))
        return await self._cell("session", (session_id,), step, "session.touch")

    async def session_revoke(self, session_id: str) -> bool:
        return await self._cell("session", (session_id,), _model.session_revoke_step(), "session.revoke")
