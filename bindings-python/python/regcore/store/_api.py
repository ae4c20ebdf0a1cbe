"""The store API over the native store protocol, written once.

Each public method asks the protocol for an operation (a state machine)
and says how to present its result; the store's executor drives it
(``_run``: sync or asyncio). The sync and asyncio classes are thin twins
over the same :class:`_Calls`: nothing is decided here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .. import _native
from .._errors import RegcoreError
from .._native import (
    ActivationNumber,
    Binding,
    CodePolicy,
    CodeSecret,
    CodeState,
    CodeVerification,
    HistoryReport,
    IssuancePlan,
    IssuanceRequest,
    Locked,
    LockoutPolicy,
    LockoutState,
    MasterSecret,
    MprId,
    OneTimeCode,
    RebindRecord,
    SessionPolicy,
    SessionState,
    SessionTouch,
)
from . import _errors

T = TypeVar("T")
_n: Any = _native
_DEFAULTS: tuple[int, float, float, float] = _n.STORE_RETRY_DEFAULTS


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with full jitter (the protocol's rule; defaults from it).

    At most ``attempts`` tries and ``deadline`` seconds in all. A try that
    lost a compare-and-set is retried at once on the value that won; the next
    one first sleeps a uniform random time in ``[0, min(max_delay,
    base_delay * 2**n))`` and reads afresh. Checked when a store is built
    (``store.invalid_option``).
    """

    attempts: int = _DEFAULTS[0]
    deadline: float = _DEFAULTS[1]
    base_delay: float = _DEFAULTS[2]
    max_delay: float = _DEFAULTS[3]


@dataclass
class StoreStats:
    """Counters for benchmarks and monitoring: operations and lost races."""

    operations: int = 0
    conflicts: int = 0
    contended: int = 0
    most_tries: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def count(self, conflicts: int, contended: bool) -> None:
        with self._lock:
            self.operations += 1
            self.conflicts += conflicts
            self.contended += int(contended)
            self.most_tries = max(self.most_tries, conflicts + 1)

    @property
    def retry_rate(self) -> float:
        """Lost races per operation."""
        return self.conflicts / self.operations if self.operations else 0.0


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
    stored: str = field(repr=False, default="")
    """The text stored on admission (the settle's compare-and-set token)."""
    settled: bool = False

    def failure(self) -> LockoutState:
        """The password was wrong: nothing more to write; the stored state."""
        self.settled = True
        result: LockoutState = self.admission.failure()
        return result


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :meth:`login`: ``locked`` (refused unchecked) or the password's verdict."""

    ok: bool
    locked: Locked | None
    state: LockoutState | None
    """The state stored after the attempt (None when refused without a write)."""


@dataclass(frozen=True)
class DayCount:
    """Issues on one calendar day of the report's offset (counted in SQL)."""

    date: dt.date
    issued: int
    """First issues and rebinds (as core's ``Ledger.daily_counts``)."""
    reissued: int


def migrations() -> list[tuple[int, str]]:
    """The versioned SQL migrations (``regcore_store::schema::MIGRATIONS``)."""
    return [(int(v), str(sql)) for v, sql in _n.sql_migrations()]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One operation: the native state machine, its name, how to present it."""

    op: Any
    name: str
    present: Callable[[Any], T]


def _same(value: Any) -> Any:
    return value


def _first(found: list[Binding]) -> Binding | None:
    return found[0] if found else None


class _Calls:
    """Every operation, as a :class:`Call` (shared by the sync and async APIs).

    ``now`` given: the caller's clock, used as given. ``now`` None: the
    store server's clock; ``local()`` is this application server's reading
    (the system clock unless the store was given ``clock=``), the first
    estimate the store corrects (docs/storage.md, "Faults").
    """

    def __init__(
        self,
        store: str,
        prefix: str,
        retry: RetryPolicy,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.local: Callable[[], dt.datetime | None] = clock if clock is not None else (lambda: None)
        self.protocol: Any = _n.StoreProtocol(
            store,
            prefix,
            attempts=retry.attempts,
            deadline=retry.deadline,
            base_delay=retry.base_delay,
            max_delay=retry.max_delay,
        )

    def lockout_admit(self, key: str, policy: LockoutPolicy, now: dt.datetime | None) -> Call[Admitted | Locked]:
        def present(result: Any) -> Admitted | Locked:
            if isinstance(result, tuple):
                admission, stored = result
                return Admitted(key=key, policy=policy, state=admission.state, admission=admission, stored=stored)
            locked: Locked = result.locked
            return locked

        return Call(self.protocol.lockout_admit(key, policy, now, local=self.local()), "lockout.admit", present)

    def lockout_settle(self, admitted: Admitted, now: dt.datetime | None) -> Call[LockoutState]:
        if not isinstance(admitted, Admitted):
            raise _errors.invalid_admission()
        success = admitted.admission.success()  # core: lockout.admission_used on a second settle
        admitted.settled = True
        op = self.protocol.lockout_settle(admitted.key, admitted.policy, success, admitted.stored, now, local=self.local())
        return Call(op, "lockout.settle", _same)

    def lockout_reset(self, key: str) -> Call[bool]:
        return Call(self.protocol.lockout_reset(key), "lockout.reset", bool)

    def lockout_state(self, key: str) -> Call[LockoutState]:
        return Call(self.protocol.lockout_state(key), "lockout.read", _same)

    def code_issue(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime | None
    ) -> Call[OneTimeCode]:
        op = self.protocol.code_issue(policy, secret, subject, now, local=self.local())
        return Call(op, "code.issue", lambda issued: issued[1])

    def code_verify(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, typed: str, now: dt.datetime | None
    ) -> Call[CodeVerification | None]:
        op = self.protocol.code_verify(policy, secret, subject, typed, now, local=self.local())
        return Call(op, "code.verify", _same)

    def code_state(self, purpose: str, subject: str) -> Call[CodeState | None]:
        return Call(self.protocol.code_state(purpose, subject), "code.read", _same)

    def session_start(self, session_id: str, policy: SessionPolicy, now: dt.datetime | None) -> Call[SessionState]:
        return Call(self.protocol.session_start(session_id, policy, now, local=self.local()), "session.start", _same)

    def session_touch(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None
    ) -> Call[SessionTouch | None]:
        return Call(self.protocol.session_touch(session_id, policy, now, local=self.local()), "session.touch", _same)

    def session_revoke(self, session_id: str) -> Call[bool]:
        return Call(self.protocol.session_revoke(session_id), "session.revoke", bool)

    def migrate(self) -> Call[int]:
        return Call(self.protocol.migrate(), "migrate", int)

    def schema_version(self) -> Call[int]:
        return Call(self.protocol.schema_version(), "schema_version", int)

    def purge_expired(self, now: dt.datetime | None) -> Call[int]:
        return Call(self.protocol.purge_expired(now, local=self.local()), "purge_expired", int)

    def ledger_issue(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime | None
    ) -> Call[IssuancePlan]:
        return Call(self.protocol.ledger_issue(master, request, now, local=self.local()), "ledger.issue", _same)

    def ledger_rebind(
        self,
        master: MasterSecret,
        number: ActivationNumber | str,
        to: MprId | str,
        actor: str,
        reason: str,
        now: dt.datetime | None,
    ) -> Call[RebindRecord]:
        op = self.protocol.ledger_rebind(master, str(number), str(to), actor, reason, now, local=self.local())
        return Call(op, "ledger.rebind", _same)

    def ledger_bindings(self) -> Call[list[Binding]]:
        return Call(self.protocol.ledger_bindings(), "ledger.read", list)

    def ledger_by_mpr_id(self, mpr_id: MprId | str) -> Call[list[Binding]]:
        return Call(self.protocol.ledger_bindings(mpr_id=str(mpr_id)), "ledger.read", list)

    def ledger_by_activation_number(self, number: ActivationNumber | str) -> Call[Binding | None]:
        op = self.protocol.ledger_bindings(activation_number=str(number))
        return Call(op, "ledger.read", _first)

    def ledger_rebinds(self) -> Call[list[RebindRecord]]:
        return Call(self.protocol.ledger_rebinds(), "ledger.read", list)

    def ledger_history(
        self, days: tuple[dt.date, dt.date] | None, utc_offset: dt.timedelta | None
    ) -> Call[HistoryReport]:
        return Call(self.protocol.ledger_history(days, utc_offset), "ledger.read", _same)

    def ledger_history_csv(
        self, days: tuple[dt.date, dt.date] | None, utc_offset: dt.timedelta | None
    ) -> Call[str]:
        op = self.protocol.ledger_history(days, utc_offset)
        return Call(op, "ledger.read", lambda report: str(report.to_csv()))

    def ledger_daily_counts(
        self, days: tuple[dt.date, dt.date] | None, utc_offset: dt.timedelta | None
    ) -> Call[list[DayCount]]:
        def present(report: Any) -> list[DayCount]:
            return [DayCount(r.date, int(r.issued), int(r.reissued)) for r in report.rows]

        return Call(self.protocol.ledger_daily_counts(days, utc_offset), "ledger.read", present)


class _Base:
    retry: RetryPolicy
    stats: StoreStats
    _calls: _Calls

    def _init_base(
        self,
        store: str,
        prefix: Any,
        retry: RetryPolicy | None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.retry = retry if retry is not None else RetryPolicy()
        if not isinstance(self.retry, RetryPolicy):
            raise _errors.invalid_client(store, "retry=RetryPolicy(...)")
        if clock is not None and not callable(clock):
            raise _errors.invalid_client(store, "clock=a function returning an aware datetime")
        self.stats = StoreStats()
        self._calls = _Calls(store, prefix, self.retry, clock)

    @property
    def prefix(self) -> str:
        """The table or key prefix."""
        return str(self._calls.protocol.prefix)

    def _count(self, op: Any, error: BaseException | None) -> None:
        contended = isinstance(error, RegcoreError) and error.code == "store.contended"
        self.stats.count(int(op.conflicts), contended)


class SyncStore(_Base, ABC):
    """Lockout, one-time-code, session and (SQL) ledger state over a sync driver."""

    @abstractmethod
    def _drive(self, op: Any, operation: str) -> Any:
        """Run the operation's commands on the driver; its result."""

    def _call(self, call: Call[T]) -> T:
        try:
            result = self._drive(call.op, call.name)
        except BaseException as e:
            self._count(call.op, e)
            raise
        self._count(call.op, None)
        return call.present(result)

    # --- lockout ---------------------------------------------------------------------

    def lockout_admit(self, key: str, policy: LockoutPolicy, now: dt.datetime | None = None) -> Admitted | Locked:
        """Admit an attempt (its failure stored in advance) or refuse it as locked.

        Check the password only after an :class:`Admitted` came back; then call
        :meth:`lockout_settle`. A ``Locked`` means: refuse without checking.
        """
        return self._call(self._calls.lockout_admit(key, policy, now))

    def lockout_settle(self, admitted: Admitted, password_ok: bool, now: dt.datetime | None = None) -> LockoutState:
        """Settle an admitted attempt: a wrong password writes nothing more; a
        right one resets the stored state (compare-and-set, retried)."""
        if not password_ok and isinstance(admitted, Admitted):
            return admitted.failure()
        return self._call(self._calls.lockout_settle(admitted, now))

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
        if not isinstance(admitted, Admitted):
            return LoginResult(ok=False, locked=admitted, state=None)
        try:
            ok = bool(check_password())
        except BaseException:
            admitted.failure()  # counted on admission; the check's error goes to the caller
            raise
        return LoginResult(ok=ok, locked=None, state=self.lockout_settle(admitted, ok, now))

    def lockout_state(self, key: str) -> LockoutState:
        """The stored state (the default state when nothing is stored)."""
        return self._call(self._calls.lockout_state(key))

    def lockout_reset(self, key: str) -> bool:
        """Forget the stored state of ``key`` (an administrator's unlock);
        True if one was stored."""
        return self._call(self._calls.lockout_reset(key))

    # --- one-time codes --------------------------------------------------------------

    def code_issue(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime | None = None
    ) -> OneTimeCode:
        """Issue the next code for (policy.purpose, subject); earlier ones die."""
        return self._call(self._calls.code_issue(policy, secret, subject, now))

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
        return self._call(self._calls.code_verify(policy, secret, subject, typed, now))

    def code_state(self, purpose: str, subject: str) -> CodeState | None:
        """The stored code state, if any."""
        return self._call(self._calls.code_state(purpose, subject))

    # --- sessions ----------------------------------------------------------------------

    def session_start(self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None) -> SessionState:
        """Start a session under ``session_id``."""
        return self._call(self._calls.session_start(session_id, policy, now))

    def session_touch(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionTouch | None:
        """Renew on activity; ``None`` for an unknown or revoked session. An
        expired session is deleted and its ``SessionTouch`` says why."""
        return self._call(self._calls.session_touch(session_id, policy, now))

    def session_revoke(self, session_id: str) -> bool:
        """End a session; wins over any touch in flight. True if it existed."""
        return self._call(self._calls.session_revoke(session_id))

    # --- SQL stores: schema, purge, ledger (Redis: store.unsupported) ----------------

    def migrate(self) -> int:
        """Apply the migrations not yet applied (one transaction); the schema
        version now in force. Never runs by itself."""
        return self._call(self._calls.migrate())

    def schema_version(self) -> int:
        """The applied schema version (0 before ``migrate()``)."""
        return self._call(self._calls.schema_version())

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete lockout, code and session rows that no longer matter; how many."""
        return self._call(self._calls.purge_expired(now))

    def ledger_issue(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime | None = None
    ) -> IssuancePlan:
        """Plan with core and bind under the unique constraint (first writer
        wins; a lost race re-plans, so the loser sees reissued/refused)."""
        return self._call(self._calls.ledger_issue(master, request, now))

    def ledger_rebind(
        self,
        master: MasterSecret,
        number: ActivationNumber | str,
        to: MprId | str,
        actor: str,
        reason: str,
        now: dt.datetime | None = None,
    ) -> RebindRecord:
        """Audited administrative rebind, binding + history + audit in one transaction."""
        return self._call(self._calls.ledger_rebind(master, number, to, actor, reason, now))

    def ledger_bindings(self) -> list[Binding]:
        """Every binding, by activation number."""
        return self._call(self._calls.ledger_bindings())

    def ledger_by_mpr_id(self, mpr_id: MprId | str) -> list[Binding]:
        """The bindings of one terminal."""
        return self._call(self._calls.ledger_by_mpr_id(mpr_id))

    def ledger_by_activation_number(self, number: ActivationNumber | str) -> Binding | None:
        """The binding of one activation number, if any."""
        return self._call(self._calls.ledger_by_activation_number(number))

    def ledger_rebinds(self) -> list[RebindRecord]:
        """The rebind audit trail, in order."""
        return self._call(self._calls.ledger_rebinds())

    def ledger_history(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> HistoryReport:
        """Detail history over an optional inclusive range of days in ``utc_offset``
        (whole minutes within ±23:59)."""
        return self._call(self._calls.ledger_history(days, utc_offset))

    def ledger_history_csv(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> str:
        """:meth:`ledger_history` as core's CSV."""
        return self._call(self._calls.ledger_history_csv(days, utc_offset))

    def ledger_daily_counts(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> list[DayCount]:
        """Issues per calendar day in ``utc_offset``, counted in SQL."""
        return self._call(self._calls.ledger_daily_counts(days, utc_offset))


CheckPassword = Callable[[], "bool | Awaitable[bool]"]


class AsyncStore(_Base, ABC):
    """The asyncio twin of :class:`SyncStore`."""

    @abstractmethod
    async def _drive(self, op: Any, operation: str) -> Any:
        """Run the operation's commands on the driver; its result."""

    async def _call(self, call: Call[T]) -> T:
        try:
            result = await self._drive(call.op, call.name)
        except BaseException as e:
            self._count(call.op, e)
            raise
        self._count(call.op, None)
        return call.present(result)

    async def lockout_admit(
        self, key: str, policy: LockoutPolicy, now: dt.datetime | None = None
    ) -> Admitted | Locked:
        return await self._call(self._calls.lockout_admit(key, policy, now))

    async def lockout_settle(
        self, admitted: Admitted, password_ok: bool, now: dt.datetime | None = None
    ) -> LockoutState:
        if not password_ok and isinstance(admitted, Admitted):
            return admitted.failure()
        return await self._call(self._calls.lockout_settle(admitted, now))

    async def login(
        self,
        key: str,
        policy: LockoutPolicy,
        check_password: CheckPassword,
        now: dt.datetime | None = None,
    ) -> LoginResult:
        admitted = await self.lockout_admit(key, policy, now)
        if not isinstance(admitted, Admitted):
            return LoginResult(ok=False, locked=admitted, state=None)
        try:
            verdict = check_password()
            ok = bool(await verdict) if inspect.isawaitable(verdict) else bool(verdict)
        except BaseException:
            admitted.failure()
            raise
        return LoginResult(ok=ok, locked=None, state=await self.lockout_settle(admitted, ok, now))

    async def lockout_state(self, key: str) -> LockoutState:
        return await self._call(self._calls.lockout_state(key))

    async def lockout_reset(self, key: str) -> bool:
        return await self._call(self._calls.lockout_reset(key))

    async def code_issue(
        self, policy: CodePolicy, secret: CodeSecret | bytes, subject: str, now: dt.datetime | None = None
    ) -> OneTimeCode:
        return await self._call(self._calls.code_issue(policy, secret, subject, now))

    async def code_verify(
        self,
        policy: CodePolicy,
        secret: CodeSecret | bytes,
        subject: str,
        typed: str,
        now: dt.datetime | None = None,
    ) -> CodeVerification | None:
        return await self._call(self._calls.code_verify(policy, secret, subject, typed, now))

    async def code_state(self, purpose: str, subject: str) -> CodeState | None:
        return await self._call(self._calls.code_state(purpose, subject))

    async def session_start(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionState:
        return await self._call(self._calls.session_start(session_id, policy, now))

    async def session_touch(
        self, session_id: str, policy: SessionPolicy, now: dt.datetime | None = None
    ) -> SessionTouch | None:
        return await self._call(self._calls.session_touch(session_id, policy, now))

    async def session_revoke(self, session_id: str) -> bool:
        return await self._call(self._calls.session_revoke(session_id))

    async def migrate(self) -> int:
        return await self._call(self._calls.migrate())

    async def schema_version(self) -> int:
        return await self._call(self._calls.schema_version())

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        return await self._call(self._calls.purge_expired(now))

    async def ledger_issue(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime | None = None
    ) -> IssuancePlan:
        return await self._call(self._calls.ledger_issue(master, request, now))

    async def ledger_rebind(
        self,
        master: MasterSecret,
        number: ActivationNumber | str,
        to: MprId | str,
        actor: str,
        reason: str,
        now: dt.datetime | None = None,
    ) -> RebindRecord:
        return await self._call(self._calls.ledger_rebind(master, number, to, actor, reason, now))

    async def ledger_bindings(self) -> list[Binding]:
        return await self._call(self._calls.ledger_bindings())

    async def ledger_by_mpr_id(self, mpr_id: MprId | str) -> list[Binding]:
        return await self._call(self._calls.ledger_by_mpr_id(mpr_id))

    async def ledger_by_activation_number(self, number: ActivationNumber | str) -> Binding | None:
        return await self._call(self._calls.ledger_by_activation_number(number))

    async def ledger_rebinds(self) -> list[RebindRecord]:
        return await self._call(self._calls.ledger_rebinds())

    async def ledger_history(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> HistoryReport:
        return await self._call(self._calls.ledger_history(days, utc_offset))

    async def ledger_history_csv(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> str:
        return await self._call(self._calls.ledger_history_csv(days, utc_offset))

    async def ledger_daily_counts(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta | None = None
    ) -> list[DayCount]:
        return await self._call(self._calls.ledger_daily_counts(days, utc_offset))


# Names kept for callers that typed against the SQL stores.
SqlSyncStore = SyncStore
SqlAsyncStore = AsyncStore
