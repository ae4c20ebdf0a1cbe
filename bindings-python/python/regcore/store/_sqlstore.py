"""Ledger, migrations and purge for the SQL stores (sync and asyncio).

A driver implements ``_execute(script, write, operation)``: run one
transaction script in one transaction, map the driver's errors (a lost race
raises ``Conflict``, anything else a coded ``store.*`` error).
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .._native import (
    ActivationNumber,
    Binding,
    HistoryReport,
    IssuancePlan,
    IssuanceRequest,
    MasterSecret,
    MprId,
    RebindRecord,
)
from . import _retry
from ._api import AsyncStore, SyncStore
from ._model import Decide, resolve_now, to_ms
from ._sql import DayCount, Schema, Script, Sql

T = TypeVar("T")
_ZERO = dt.timedelta(0)


def _number(n: ActivationNumber | str) -> ActivationNumber:
    return n if isinstance(n, ActivationNumber) else ActivationNumber(n)


def _mpr(m: MprId | str) -> MprId:
    return m if isinstance(m, MprId) else MprId(m)


class SqlSyncStore(SyncStore):
    """What SQLite and PostgreSQL (sync) share."""

    sql: Sql
    schema: Schema
    _checked: bool = False

    def _init_sql(self, prefix: str, dialect: Any, retry: _retry.RetryPolicy | None) -> None:
        self._init_base(retry)
        self.sql = Sql(prefix, dialect)
        self.schema = Schema(self.sql)

    @abstractmethod
    def _execute(self, script: Script[T], write: bool, operation: str) -> T: ...

    def _run(self, make: Callable[[], Script[T]], operation: str, write: bool = True) -> T:
        self._ensure_schema(operation)
        return _retry.run(
            operation, lambda _c, _k: self._execute(make(), write, operation), self.retry, self.stats
        )

    def _ensure_schema(self, operation: str) -> None:
        if not self._checked:
            self._execute(self.schema.check_script(), False, operation)
            self._checked = True

    def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T:
        return self._run(lambda: self.sql.cell_script(table, address, decide), operation)

    def _read(self, table: str, address: Sequence[str], operation: str) -> str | None:
        return self._run(lambda: self.sql.read_script(table, address), operation, write=False)

    # --- schema -------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply core's migrations not yet applied (one transaction); the
        schema version now in force. Never runs by itself."""
        version = _retry.run(
            "migrate", lambda _c, _k: self._execute(self.schema.migrate_script(), True, "migrate"),
            self.retry, self.stats,
        )
        self._checked = True
        return version

    def schema_version(self) -> int:
        """The applied schema version (0 before ``migrate()``)."""
        return self._execute(self.schema.version_script(), False, "schema_version")

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete lockout, code and session rows that no longer matter; how many."""
        at = to_ms(resolve_now(now))
        return self._run(lambda: self.sql.purge_script(at), "purge_expired")

    # --- pairing ledger ------------------------------------------------------------------

    def ledger_issue(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime | None = None
    ) -> IssuancePlan:
        """Plan with core and bind under the unique constraint (first writer
        wins; a lost race re-plans, so the loser sees reissued/refused)."""
        at = resolve_now(now)
        return self._run(lambda: self.sql.issue_script(master, request, at), "ledger.issue")

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
        at, n, m = resolve_now(now), _number(number), _mpr(to)
        return self._run(lambda: self.sql.rebind_script(master, n, m, actor, reason, at), "ledger.rebind")

    def ledger_bindings(self) -> list[Binding]:
        return self._run(lambda: self.sql.bindings_script(), "ledger.read", write=False)

    def ledger_by_mpr_id(self, mpr_id: MprId | str) -> list[Binding]:
        m = _mpr(mpr_id).compact
        return self._run(
            lambda: self.sql.bindings_script("WHERE mpr_id = ?", (m,)), "ledger.read", write=False
        )

    def ledger_by_activation_number(self, number: ActivationNumber | str) -> Binding | None:
        n = _number(number).compact
        found = self._run(
            lambda: self.sql.bindings_script("WHERE activation_number = ?", (n,)), "ledger.read", write=False
        )
        return found[0] if found else None

    def ledger_rebinds(self) -> list[RebindRecord]:
        return self._run(self.sql.rebinds_script, "ledger.read", write=False)

    def ledger_history(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta = _ZERO
    ) -> HistoryReport:
        """Detail history over an optional inclusive range of days in ``utc_offset``."""
        return self._run(lambda: self.sql.history_script(days, utc_offset), "ledger.read", write=False)

    def ledger_daily_counts(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta = _ZERO
    ) -> list[DayCount]:
        """Issues per calendar day in ``utc_offset``, computed in SQL."""
        return self._run(lambda: self.sql.daily_script(days, utc_offset), "ledger.read", write=False)


class SqlAsyncStore(AsyncStore):
    """What PostgreSQL (asyncio) needs; the same scripts as the sync stores."""

    sql: Sql
    schema: Schema
    _checked: bool = False

    def _init_sql(self, prefix: str, dialect: Any, retry: _retry.RetryPolicy | None) -> None:
        self._init_base(retry)
        self.sql = Sql(prefix, dialect)
        self.schema = Schema(self.sql)

    @abstractmethod
    async def _execute(self, script: Script[T], write: bool, operation: str) -> T: ...

    async def _run(self, make: Callable[[], Script[T]], operation: str, write: bool = True) -> T:
        if not self._checked:
            await self._execute(self.schema.check_script(), False, operation)
            self._checked = True
        return await _retry.run_async(
            operation, lambda _c, _k: self._execute(make(), write, operation), self.retry, self.stats
        )

    async def _cell(self, table: str, address: Sequence[str], decide: Decide[T], operation: str) -> T:
        return await self._run(lambda: self.sql.cell_script(table, address, decide), operation)

    async def _read(self, table: str, address: Sequence[str], operation: str) -> str | None:
        return await self._run(lambda: self.sql.read_script(table, address), operation, write=False)

    async def migrate(self) -> int:
        version = await _retry.run_async(
            "migrate", lambda _c, _k: self._execute(self.schema.migrate_script(), True, "migrate"),
            self.retry, self.stats,
        )
        self._checked = True
        return version

    async def schema_version(self) -> int:
        return await self._execute(self.schema.version_script(), False, "schema_version")

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        at = to_ms(resolve_now(now))
        return await self._run(lambda: self.sql.purge_script(at), "purge_expired")

    async def ledger_issue(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime | None = None
    ) -> IssuancePlan:
        at = resolve_now(now)
        return await self._run(lambda: self.sql.issue_script(master, request, at), "ledger.issue")

    async def ledger_rebind(
        self,
        master: MasterSecret,
        number: ActivationNumber | str,
        to: MprId | str,
        actor: str,
        reason: str,
        now: dt.datetime | None = None,
    ) -> RebindRecord:
        at, n, m = resolve_now(now), _number(number), _mpr(to)
        return await self._run(
            lambda: self.sql.rebind_script(master, n, m, actor, reason, at), "ledger.rebind"
        )

    async def ledger_bindings(self) -> list[Binding]:
        return await self._run(lambda: self.sql.bindings_script(), "ledger.read", write=False)

    async def ledger_by_mpr_id(self, mpr_id: MprId | str) -> list[Binding]:
        m = _mpr(mpr_id).compact
        return await self._run(
            lambda: self.sql.bindings_script("WHERE mpr_id = ?", (m,)), "ledger.read", write=False
        )

    async def ledger_by_activation_number(self, number: ActivationNumber | str) -> Binding | None:
        n = _number(number).compact
        found = await self._run(
            lambda: self.sql.bindings_script("WHERE activation_number = ?", (n,)), "ledger.read", write=False
        )
        return found[0] if found else None

    async def ledger_rebinds(self) -> list[RebindRecord]:
        return await self._run(self.sql.rebinds_script, "ledger.read", write=False)

    async def ledger_history(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta = _ZERO
    ) -> HistoryReport:
        return await self._run(lambda: self.sql.history_script(days, utc_offset), "ledger.read", write=False)

    async def ledger_daily_counts(
        self, days: tuple[dt.date, dt.date] | None = None, utc_offset: dt.timedelta = _ZERO
    ) -> list[DayCount]:
        return await self._run(lambda: self.sql.daily_script(days, utc_offset), "ledger.read", write=False)
