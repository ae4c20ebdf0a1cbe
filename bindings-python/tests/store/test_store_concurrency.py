"""The store guarantees (docs/storage.md) under real concurrency: several OS processes, each with
its own connection, meeting at a barrier, against every store.

Sizes and expectations come from tests/store-scenarios.json, the file the
Node store suite reads too, so the two languages run the same contract."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing.context
import pathlib
from collections import Counter
from collections.abc import Callable

import pytest

import regcore
import store_workers as w
from store_fixtures import ALL_KINDS, run_processes, ctx, make_spec, pg_database, skip_unless_enabled
from regcore.store import Admitted
from store_workers import Spec

Ctx = multiprocessing.context.BaseContext
MakeSpec = Callable[[str], Spec]

pytestmark = skip_unless_enabled

SCENARIOS = json.loads(
    (pathlib.Path(__file__).resolve().parents[3] / "tests" / "store-scenarios.json").read_text(encoding="utf-8")
)


def _scenario(name: str, kind: str) -> dict[str, object]:
    scenario: dict[str, object] = SCENARIOS[name]
    assert kind in scenario["stores"]  # type: ignore[operator]
    return scenario


def _int(scenario: dict[str, object], field: str) -> int:
    value = scenario[field]
    assert isinstance(value, int)
    return value



@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_failure_is_lost(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    """8 processes x 200 failures on one key: exactly 1,600 stored."""
    sc = _scenario("lockout_no_lost_update", kind)
    assert sc["policy"] == {"fixed": [1_000_000, 1]}  # what w.record_failures uses
    key, per = str(sc["key"]), _int(sc, "failures_per_process")
    spec = make_spec(kind)
    done = run_processes(ctx, w.record_failures, lambda i: (spec, key, per), processes=_int(sc, "processes"))
    assert sum(d[0] for d in done) == _int(sc, "expect_failures")
    print(f"{kind}: lost races {sum(d[1] for d in done)}, most tries {max(d[2] for d in done)}")
    store = w.open_store(spec)
    assert store.lockout_state(key).failures == _int(sc, "expect_failures")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_burst_of_wrong_guesses_gets_at_most_five_checks(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    """100 simultaneous wrong attempts on a fresh ups_site account (no row
    yet: a first-insert race): at most 5 reach the password check, and every
    check was stored as a failure."""
    sc = _scenario("lockout_burst", kind)
    assert sc["policy"] == "ups_site"  # what w.wrong_guesses uses
    key, threads, processes = str(sc["key"]), _int(sc, "concurrent_per_process"), _int(sc, "processes")
    spec = make_spec(kind)
    checks = run_processes(ctx, w.wrong_guesses, lambda i: (spec, key, threads), processes=processes, threads=threads)
    assert len(checks) == processes * threads
    assert sum(checks) == _int(sc, "expect_password_checks")  # one instant: 4 free tries, the 5th locks
    state = w.open_store(spec).lockout_state(key)
    assert state.failures == _int(sc, "expect_failures")
    assert (state.check(regcore.LockoutPolicy.ups_site(), w.T0) is not None) == sc["expect_locked_after"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_correct_password_admitted_during_a_burst_settles_as_success(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    sc = _scenario("lockout_success_during_burst", kind)
    assert sc["policy"] == "ups_site"
    key, threads = str(sc["key"]), _int(sc, "concurrent_per_process")
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.LockoutPolicy.ups_site()
    admitted = store.lockout_admit(key, policy, now=w.T0)  # the right password, being checked
    assert isinstance(admitted, Admitted)
    # Meanwhile 30 wrong guesses arrive: 4 more are admitted, the 5th locks.
    checks = run_processes(ctx, w.wrong_guesses, lambda i: (spec, key, threads), processes=_int(sc, "processes"), threads=threads)
    assert sum(checks) == _int(sc, "expect_wrong_checks")
    assert store.lockout_state(key).check(policy, w.T0) is not None  # locked now
    settled = store.lockout_settle(admitted, True, now=w.T0)
    assert settled.failures == _int(sc, "expect_failures_after_settle") and settled.locked_until is None
    assert store.lockout_state(key) == settled
    assert isinstance(store.lockout_admit(key, policy, now=w.T0), Admitted)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_one_correct_code_verified_at_once_succeeds_exactly_once(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    sc = _scenario("code_one_success", kind)
    assert sc["policy"] == "password_reset"
    subject, threads = str(sc["subject"]), _int(sc, "concurrent_per_process")
    spec = make_spec(kind)
    code = w.open_store(spec).code_issue(regcore.CodePolicy.password_reset(), w.SECRET, subject, now=w.T0)
    outcomes = run_processes(
        ctx, w.verify_code, lambda i: (spec, subject, code.expose(), threads), processes=_int(sc, "processes"), threads=threads
    )
    assert Counter(outcomes) == sc["expect"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_wrong_codes_at_once_burn_after_exactly_five(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    sc = _scenario("code_wrong_burns_after_max", kind)
    assert sc["policy"] == "password_reset"
    subject, threads = str(sc["subject"]), _int(sc, "concurrent_per_process")
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.CodePolicy.password_reset()
    code = store.code_issue(policy, w.SECRET, subject, now=w.T0)
    wrong = "000000" if code.expose() != "000000" else "111111"
    outcomes = run_processes(ctx, w.verify_code, lambda i: (spec, subject, wrong, threads), processes=_int(sc, "processes"), threads=threads)
    assert Counter(outcomes) == sc["expect"]
    state = store.code_state("password_reset", subject)
    assert state is not None and state.attempts == _int(sc, "expect_attempts")
    late = store.code_verify(policy, w.SECRET, subject, code.expose(), now=w.T0)
    assert late is not None and not late.ok
    assert late.rejection is not None and late.rejection.code == "code.too_many_attempts"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_simultaneous_issues_are_each_counted_and_only_the_last_code_works(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    """First-insert race on a code: 12 issues at once for a subject with no
    state; each is a new generation, and only the stored one verifies."""
    sc = _scenario("code_first_insert_race", kind)
    subject, threads = str(sc["subject"]), _int(sc, "concurrent_per_process")
    spec = make_spec(kind)
    codes = run_processes(ctx, w.issue_code, lambda i: (spec, subject, threads), processes=_int(sc, "processes"), threads=threads)
    store = w.open_store(spec)
    state = store.code_state("password_reset", subject)
    assert state is not None and state.generation == _int(sc, "expect_generation")
    policy = regcore.CodePolicy.password_reset()
    oks = [c for c in set(codes) if policy.verify(w.SECRET, subject, c, state, w.T0).ok]
    assert len(oks) == _int(sc, "expect_codes_that_verify")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_revoke_wins_over_touches_in_flight(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    sc = _scenario("session_revoke_wins", kind)
    sid, processes = str(sc["session"]), _int(sc, "processes")
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.SessionPolicy.ups_site()
    store.session_start(sid, policy, now=w.T0)
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=w.touch_session, args=(spec, sid, _int(sc, "touches_per_process"), barrier, results, i))  # type: ignore[attr-defined]
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)
    assert store.session_revoke(sid)
    for p in procs:
        p.join(timeout=120)
    touched = [results.get(timeout=10) for _ in procs]
    assert all(r[1][0][0] == "ok" for r in touched), touched
    # Whatever the interleaving, no touch brought the session back.
    assert store.session_touch(sid, policy, now=w.T0 + dt.timedelta(minutes=1)) is None
    assert not store.session_revoke(sid)
