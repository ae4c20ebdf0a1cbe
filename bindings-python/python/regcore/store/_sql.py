"""What the SQL stores (SQLite, PostgreSQL; sync and asyncio) share.

Every operation is written once, as a generator that yields queries and
receives their results (a *transaction script*); each driver runs the script
inside one transaction of its own and maps its errors. So the SQL text, the
compare-and-set and the ledger's first-writer-wins insert are the same for
every SQL store, and the domain decisions come from core only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar, Union

from .. import _native
from .._native import (
    ActivationNumber,
    Binding,
    HistoryReport,
    IssuancePlan,
    IssuanceRequest,
    Ledger,
    MasterSecret,
    MprId,
    RebindRecord,
    plan_issuance,
)
from . import _errors
from ._model import DELETE, KEEP, Decide, from_ms, to_ms
from ._retry import Conflict

T = TypeVar("T")
_n: Any = _native

Dialect = str  # "sqlite" or "postgres"
Params = Sequence[Union[str, int, None]]


@dataclass(frozen=True)
class One:
    """Run ``sql`` and send back the first row (or None)."""

    sql: str
    params: Params = ()


@dataclass(frozen=True)
class All:
    """Run ``sql`` and send back every row."""

    sql: str
    params: Params = ()


@dataclass(frozen=True)
class Count:
    """Run ``sql`` and send back the number of rows it changed."""

    sql: str
    params: Params = ()


Query = Union[One, All, Count]
Script = Generator[Query, Any, T]

_CELL_KEYS: Final = {
    "lockout": ("key",),
    "session": ("key",),
    "code": ("purpose", "subject"),
}


def check_prefix(prefix: str) -> str:
    """Core's rule for a table/key prefix (1-32 of a-z 0-9 _, from a letter)."""
    if not isinstance(prefix, str):
        raise _errors.invalid_prefix(repr(prefix))
    _n.check_store_prefix(prefix)
    return prefix


def migrations() -> list[tuple[int, str]]:
    """Core's versioned migrations (``regcore::store::MIGRATIONS``)."""
    found: list[tuple[int, str]] = [(int(v), str(sql)) for v, sql in _n.sql_migrations()]
    return found


def expected_version() -> int:
    return max(v for v, _ in migrations())


class Sql:
    """The SQL text of one store (dialect and validated prefix)."""

    def __init__(self, prefix: str, dialect: Dialect) -> None:
        self.prefix = check_prefix(prefix)
        self.dialect = dialect
        self._lock = " FOR UPDATE" if dialect == "postgres" else ""

    def t(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def q(self, sql: str) -> str:
        """``?`` placeholders in the driver's style."""
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def migration_text(self, sql: str) -> str:
        return sql.replace("{prefix}", self.prefix)

    def version_query(self) -> str:
        return self.q(f"SELECT value FROM {self.t('meta')} WHERE name = 'schema_version'")

    # --- state cells (lockout, code, session) ------------------------------------

    def cell_script(self, table: str, address: Sequence[str], decide: Decide[T]) -> Script[T]:
        """Read the cell (locked for writing), decide, write if unchanged."""
        cols = _CELL_KEYS[table]
        where = " AND ".join(f"{c} = ?" for c in cols)
        t = self.t(table)
        addr = tuple(address)
        row = yield One(self.q(f"SELECT state FROM {t} WHERE {where}{self._lock}"), addr)
        old: str | None = row[0] if row is not None else None
        step = decide(old)
        if step.write is KEEP:
            return step.result
        if step.write is DELETE:
            changed = yield Count(self.q(f"DELETE FROM {t} WHERE {where} AND state = ?"), (*addr, old))
        elif old is None:
            names = ", ".join(cols)
            marks = ", ".join("?" for _ in cols)
            changed = yield Count(
                self.q(
                    f"INSERT INTO {t} ({names}, state, expires_at) VALUES ({marks}, ?, ?) "
                    f"ON CONFLICT DO NOTHING"
                ),
                (*addr, str(step.write), step.expires_ms),
            )
        else:
            changed = yield Count(
                self.q(f"UPDATE {t} SET state = ?, expires_at = ? WHERE {where} AND state = ?"),
                (str(step.write), step.expires_ms, *addr, old),
            )
        if changed != 1:
            raise Conflict()
        return step.result

    def read_script(self, table: str, address: Sequence[str]) -> Script[str | None]:
        where = " AND ".join(f"{c} = ?" for c in _CELL_KEYS[table])
        row = yield One(self.q(f"SELECT state FROM {self.t(table)} WHERE {where}"), tuple(address))
        return row[0] if row is not None else None

    def purge_script(self, now_ms: int) -> Script[int]:
        total = 0
        for table in ("lockout", "code", "session"):
            n = yield Count(
                self.q(f"DELETE FROM {self.t(table)} WHERE expires_at IS NOT NULL AND expires_at <= ?"),
                (now_ms,),
            )
            total += int(n)
        return total

    # --- pairing ledger ---------------------------------------------------------------

    _BINDING_COLS: Final = "activation_number, mpr_id, product, registration_key, first_issued_at"

    def _next_seq(self, n: int) -> Script[int]:
        """Reserve ``n`` history sequence numbers; holds the ledger's write lock
        until commit, so history is in commit order."""
        meta = self.t("meta")
        yield Count(self.q(f"UPDATE {meta} SET value = value + ? WHERE name = 'history_seq'"), (n,))
        row = yield One(self.q(f"SELECT value FROM {meta} WHERE name = 'history_seq'"))
        return int(row[0]) - n + 1

    def issue_script(
        self, master: MasterSecret, request: IssuanceRequest, now: dt.datetime
    ) -> Script[IssuancePlan]:
        numbers = sorted({k.number.compact for k in request.keys})
        binding = self.t("binding")
        marks = ", ".join("?" for _ in numbers)
        rows = yield All(
            self.q(f"SELECT {self._BINDING_COLS} FROM {binding} WHERE activation_number IN ({marks})"),
            tuple(numbers),
        )
        existing = [binding_from_row(r) for r in rows]
        plan = plan_issuance(master, request, existing, now)
        if request.mode == "demo":
            return plan
        for b in sorted(plan.new_bindings, key=lambda b: b.activation_number.compact):
            inserted = yield Count(
                self.q(
                    f"INSERT INTO {binding} ({self._BINDING_COLS}) VALUES (?, ?, ?, ?, ?) "
                    f"ON CONFLICT DO NOTHING"
                ),
                (
                    b.activation_number.compact,
                    b.mpr_id.compact,
                    b.product,
                    b.registration_key.compact,
                    to_ms(b.first_issued_at),
                ),
            )
            if inserted != 1:
                raise Conflict()  # another request bound it first: re-plan
        events = [
            o for o in plan.outcomes if o.outcome in ("issued", "reissued") and o.registration_key is not None
        ]
        if events:
            seq = yield from self._next_seq(len(events))
            for i, o in enumerate(events):
                assert o.registration_key is not None and o.product is not None
                yield Count(
                    self.q(
                        f"INSERT INTO {self.t('history')} (seq, at, event, mpr_id, activation_number, "
                        f"product, registration_key) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    ),
                    (
                        seq + i,
                        to_ms(now),
                        o.outcome,
                        request.mpr_id.compact,
                        o.activation_number.compact,
                        o.product,
                        o.registration_key.compact,
                    ),
                )
        return plan

    def rebind_script(
        self,
        master: MasterSecret,
        number: ActivationNumber,
        to: MprId,
        actor: str,
        reason: str,
        now: dt.datetime,
    ) -> Script[RebindRecord]:
        binding = self.t("binding")
        row = yield One(
            self.q(f"SELECT {self._BINDING_COLS} FROM {binding} WHERE activation_number = ?{self._lock}"),
            (number.compact,),
        )
        current = binding_from_row(row) if row is not None else None
        # Core's rules (audit fields, not bound, same terminal, the new key)
        # on a one-binding in-memory ledger.
        ledger = Ledger.from_json(
            json.dumps({"bindings": {str(b.activation_number): binding_json(b) for b in [current] if b},
                        "history": [], "rebinds": []})
        )
        record = ledger.rebind(master, number, to, actor, reason, now)
        moved = ledger.by_activation_number(number)
        assert current is not None and moved is not None
        changed = yield Count(
            self.q(
                f"UPDATE {binding} SET mpr_id = ?, registration_key = ?, first_issued_at = ? "
                f"WHERE activation_number = ? AND mpr_id = ?"
            ),
            (
                moved.mpr_id.compact,
                moved.registration_key.compact,
                to_ms(moved.first_issued_at),
                number.compact,
                current.mpr_id.compact,
            ),
        )
        if changed != 1:
            raise Conflict()
        seq = yield from self._next_seq(1)
        yield Count(
            self.q(
                f"INSERT INTO {self.t('history')} (seq, at, event, mpr_id, activation_number, "
                f"product, registration_key) VALUES (?, ?, 'rebound', ?, ?, ?, ?)"
            ),
            (seq, to_ms(now), moved.mpr_id.compact, number.compact, moved.product, moved.registration_key.compact),
        )
        yield Count(
            self.q(
                f"INSERT INTO {self.t('rebind')} (seq, at, activation_number, from_mpr_id, to_mpr_id, "
                f"actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"
            ),
            (seq, to_ms(now), number.compact, record.from_mpr_id.compact, record.to_mpr_id.compact,
             record.actor, record.reason),
        )
        return record

    def bindings_script(self, where: str = "", params: Params = ()) -> Script[list[Binding]]:
        rows = yield All(
            self.q(f"SELECT {self._BINDING_COLS} FROM {self.t('binding')} {where} ORDER BY activation_number"),
            params,
        )
        return [binding_from_row(r) for r in rows]

    def rebinds_script(self) -> Script[list[RebindRecord]]:
        rows = yield All(
            self.q(
                f"SELECT at, activation_number, from_mpr_id, to_mpr_id, actor, reason "
                f"FROM {self.t('rebind')} ORDER BY seq"
            )
        )
        records = [
            {"at": _iso(r[0]), "activation_number": _dash(r[1]), "from": _dash(r[2]), "to": _dash(r[3]),
             "actor": r[4], "reason": r[5]}
            for r in rows
        ]
        ledger = Ledger.from_json(json.dumps({"bindings": {}, "history": [], "rebinds": records}))
        return ledger.rebinds()

    def history_script(
        self, days: tuple[dt.date, dt.date] | None, utc_offset: dt.timedelta
    ) -> Script[HistoryReport]:
        where, params = _day_range(days, utc_offset)
        rows = yield All(
            self.q(
                f"SELECT at, event, mpr_id, activation_number, product, registration_key "
                f"FROM {self.t('history')} {where} ORDER BY at, seq"
            ),
            params,
        )
        history = [
            {"at": _iso(r[0]), "event": r[1], "mpr_id": _dash(r[2]), "activation_number": _dash(r[3]),
             "product": int(r[4]), "registration_key": _dash(r[5])}
            for r in rows
        ]
        ledger = Ledger.from_json(json.dumps({"bindings": {}, "history": history, "rebinds": []}))
        # The rows are already filtered and ordered in SQL; core renders them.
        return ledger.history(None, utc_offset)

    def daily_script(
        self, days: tuple[dt.date, dt.date] | None, utc_offset: dt.timedelta
    ) -> Script[list[DayCount]]:
        where, params = _day_range(days, utc_offset)
        off = utc_offset // dt.timedelta(milliseconds=1)
        rows = yield All(
            self.q(
                f"SELECT (at + CAST(? AS BIGINT)) / 86400000, "
                f"SUM(CASE WHEN event = 'reissued' THEN 0 ELSE 1 END), "
                f"SUM(CASE WHEN event = 'reissued' THEN 1 ELSE 0 END) "
                f"FROM {self.t('history')} {where} GROUP BY 1 ORDER BY 1"
            ),
            (off, *params),
        )
        epoch = dt.date(1970, 1, 1)
        return [DayCount(epoch + dt.timedelta(days=int(r[0])), int(r[1]), int(r[2])) for r in rows]


@dataclass(frozen=True)
class DayCount:
    """Issues on one calendar day of the report's offset (SQL ``GROUP BY``)."""

    date: dt.date
    issued: int
    """First issues and rebinds (as core's ``Ledger.daily_counts``)."""
    reissued: int


def _day_range(days: tuple[dt.date, dt.date] | None, offset: dt.timedelta) -> tuple[str, tuple[int, ...]]:
    if days is None:
        return "", ()
    zone = dt.timezone(offset)
    lo = dt.datetime.combine(days[0], dt.time(), zone)
    hi = dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(), zone)
    return "WHERE at >= ? AND at < ?", (to_ms(lo), to_ms(hi))


def _dash(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def _iso(ms: int) -> str:
    return from_ms(int(ms)).isoformat().replace("+00:00", "Z")


def binding_from_row(row: Sequence[Any]) -> Binding:
    return Binding(row[0], row[1], int(row[2]), row[3], from_ms(int(row[4])))


def binding_json(b: Binding) -> dict[str, Any]:
    return {
        "activation_number": str(b.activation_number),
        "mpr_id": str(b.mpr_id),
        "product": b.product,
        "registration_key": str(b.registration_key),
        "first_issued_at": _iso(to_ms(b.first_issued_at)),
    }


def _statements(sql: str) -> list[str]:
    """Statements of a migration: whole-line ``--`` comments dropped, split at ``;``
    (the schema files keep ``;`` out of comments and literals)."""
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]


class Schema:
    """Versioned migrations and the version check, as transaction scripts."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def version_script(self) -> Script[int]:
        meta = self.sql.t("meta")
        if self.sql.dialect == "postgres":
            row = yield One("SELECT to_regclass(%s) IS NOT NULL", (meta,))
            exists = bool(row[0])
        else:
            row = yield One("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (meta,))
            exists = int(row[0]) > 0
        if not exists:
            return 0
        row = yield One(self.sql.version_query())
        return int(row[0]) if row is not None else 0

    def migrate_script(self) -> Script[int]:
        if self.sql.dialect == "postgres":
            # Two processes migrating at once: the second waits, then finds it done.
            yield One("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.sql.t("meta"),))
        found = yield from self.version_script()
        steps = migrations()
        expected = max(v for v, _ in steps)
        if found > expected:
            raise _errors.schema_mismatch(found, expected)
        for version, text in steps:
            if version <= found:
                continue
            for statement in _statements(self.sql.migration_text(text)):
                yield Count(statement)
        if found < expected:
            meta = self.sql.t("meta")
            if found == 0:
                yield Count(self.sql.q(f"INSERT INTO {meta} (name, value) VALUES ('schema_version', ?)"), (expected,))
            else:
                yield Count(self.sql.q(f"UPDATE {meta} SET value = ? WHERE name = 'schema_version'"), (expected,))
        return expected

    def check_script(self) -> Script[None]:
        found = yield from self.version_script()
        expected = expected_version()
        if found != expected:
            raise _errors.schema_mismatch(found, expected)
