"""The pairing ledger on SQLite and PostgreSQL: first writer wins under
concurrency, no half-binding after SIGKILL, and the same answers as core's
in-memory Ledger on random operation sequences."""

from __future__ import annotations

import datetime as dt
import multiprocessing.context
import random
import time
from collections import Counter
from collections.abc import Callable

import pytest

import regcore
import store_workers as w
from store_fixtures import SQL_KINDS, run_processes, ctx, make_spec, pg_database, skip_unless_enabled
from store_workers import Spec

Ctx = multiprocessing.context.BaseContext
MakeSpec = Callable[[str], Spec]

pytestmark = skip_unless_enabled



@pytest.mark.parametrize("kind", SQL_KINDS)
def test_sixteen_terminals_race_for_one_key_fifty_times(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    per_process = run_processes(ctx, w.issue_rounds, lambda i: (spec, 50, i), processes=16)
    store = w.open_sql(spec)
    bindings = {b.activation_number.compact: b for b in store.ledger_bindings()}
    assert len(bindings) == 50
    for r in range(50):
        outcomes = [seen[r][0] for seen in per_process]
        readers = {seen[r][1] for seen in per_process}
        assert Counter(outcomes) == {"issued": 1, "refused": 15}, (r, outcomes)
        winner = per_process[outcomes.index("issued")][r][1]
        assert readers == {winner}  # every reader agrees on the one binding
        key = regcore.ActivationAuthority(w.master()).mint(0x0101, 10_000 + r)
        assert bindings[key.number.compact].mpr_id.compact == winner
    history = store.ledger_history()
    assert len(history) == 50 and {row.event for row in history.rows} == {"issued"}


def _consistent(store: regcore.store.SqlSyncStore) -> None:
    """Every binding has exactly its one 'issued' row and vice versa."""
    bindings = {b.activation_number.compact: b for b in store.ledger_bindings()}
    issued = [r for r in store.ledger_history().rows if r.event == "issued"]
    assert len(issued) == len(bindings)
    for row in issued:
        b = bindings[row.activation_number.compact]
        assert (row.mpr_id, row.registration_key) == (b.mpr_id, b.registration_key)


@pytest.mark.parametrize("kind", SQL_KINDS)
def test_sigkill_mid_transaction_leaves_no_half_binding(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    rng = random.Random(15)
    for round_no in range(4):
        p = ctx.Process(target=w.issue_forever, args=(spec, round_no * 100_000))  # type: ignore[attr-defined]
        p.start()
        time.sleep(0.6 + rng.random() * 0.4)
        p.kill()  # SIGKILL: no cleanup, the transaction is cut wherever it is
        p.join()
    store = w.open_sql(spec)
    assert len(store.ledger_bindings()) > 0
    _consistent(store)
    # The ledger still works after the crashes.
    key = regcore.ActivationAuthority(w.master()).mint(0x0101, 999_999)
    plan = store.ledger_issue(w.master(), regcore.IssuanceRequest(w.terminal(1), [key]), now=w.T0)
    assert plan.outcomes[0].outcome == "issued"
    _consistent(store)


def _outcome_view(plan: regcore.IssuancePlan) -> list[tuple[object, ...]]:
    return [
        (
            o.activation_number,
            o.outcome,
            o.registration_key,
            o.product,
            o.first_issued_at,
            o.refusal.code if o.refusal else None,
        )
        for o in plan.outcomes
    ]


@pytest.mark.parametrize("kind", SQL_KINDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_store_answers_equal_core_ledger(kind: str, seed: int, make_spec: MakeSpec) -> None:
    store = w.open_sql(make_spec(kind))
    ledger = regcore.Ledger()
    rng = random.Random(seed)
    master = w.master()
    authority = regcore.ActivationAuthority(master)
    keys = [authority.mint(rng.choice([0x0101, 0x0202]), 7_000 + i) for i in range(12)]
    terminals = [w.terminal(i) for i in range(5)]
    now = w.T0
    for _step in range(120):
        now += dt.timedelta(minutes=rng.choice([0, 1, 37, 240, 600]))
        op = rng.random()
        if op < 0.55:
            chosen = rng.sample(keys, rng.randint(1, 3))
            if rng.random() < 0.1:  # a wrong registration ID
                k = chosen[0]
                chosen[0] = regcore.ActivationKey(k.number, f"{(int(k.registration_id) ^ 1):08X}")
            request = regcore.IssuanceRequest(
                rng.choice(terminals), chosen, "real", rng.choice(["customer", "admin"])
            )
            assert _outcome_view(store.ledger_issue(master, request, now)) == _outcome_view(
                ledger.issue(master, request, now)
            )
        elif op < 0.7:
            number, to = rng.choice(keys).number, rng.choice(terminals)
            actor = rng.choice(["admin", "  ", "ops"])
            expected: object
            try:
                expected = ledger.rebind(master, number, to, actor, "customer moved", now)
            except regcore.RegcoreError as e:
                expected = e.code
            try:
                got: object = store.ledger_rebind(master, number, to, actor, "customer moved", now)
            except regcore.RegcoreError as e:
                got = e.code
            assert got == expected
        elif op < 0.8:
            t = rng.choice(terminals)
            assert store.ledger_by_mpr_id(t) == ledger.by_mpr_id(t)
        elif op < 0.9:
            n = rng.choice(keys).number
            assert store.ledger_by_activation_number(n) == ledger.by_activation_number(n)
        else:
            offset = dt.timedelta(hours=rng.choice([0, 9, -5]))
            days = None
            if rng.random() < 0.7:
                first = (w.T0 + dt.timedelta(days=rng.randint(-1, 4))).date()
                days = (first, first + dt.timedelta(days=rng.randint(0, 3)))
            assert store.ledger_history(days, offset).to_csv() == ledger.history(days, offset).to_csv()
            assert store.ledger_history_csv(days, offset) == ledger.history(days, offset).to_csv()
            got_days = [(d.date, d.issued, d.reissued) for d in store.ledger_daily_counts(days, offset)]
            want_days = [(d.date, d.issued, d.reissued) for d in ledger.daily_counts(days, offset).rows]
            assert got_days == want_days
    assert store.ledger_bindings() == ledger.bindings()
    assert store.ledger_rebinds() == ledger.rebinds()
    assert store.ledger_history().to_csv() == ledger.history().to_csv()
