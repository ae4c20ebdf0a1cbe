"""SPEC §8 guarantees under real concurrency: several OS processes, each with
its own connection, meeting at a barrier, against every store."""

from __future__ import annotations

import datetime as dt
import multiprocessing.context
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



@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_failure_is_lost(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    """8 processes x 200 failures on one key: exactly 1,600 stored."""
    spec = make_spec(kind)
    done = run_processes(ctx, w.record_failures, lambda i: (spec, "hot-account", 200), processes=8)
    assert sum(d[0] for d in done) == 1600
    print(f"{kind}: lost races {sum(d[1] for d in done)}, most tries {max(d[2] for d in done)}")
    store = w.open_store(spec)
    assert store.lockout_state("hot-account").failures == 1600


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_burst_of_wrong_guesses_gets_at_most_five_checks(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    """100 simultaneous wrong attempts on a fresh ups_site account (no row
    yet: a first-insert race): at most 5 reach the password check, and every
    check was stored as a failure."""
    spec = make_spec(kind)
    checks = run_processes(ctx, w.wrong_guesses, lambda i: (spec, "fresh@example.jp", 10), processes=10, threads=10)
    assert len(checks) == 100
    assert sum(checks) == 5  # all at one instant: 4 free tries, the 5th locks
    state = w.open_store(spec).lockout_state("fresh@example.jp")
    assert state.failures == 5
    assert state.check(regcore.LockoutPolicy.ups_site(), w.T0) is not None


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_correct_password_admitted_during_a_burst_settles_as_success(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.LockoutPolicy.ups_site()
    admitted = store.lockout_admit("taro", policy, now=w.T0)  # the right password, being checked
    assert isinstance(admitted, Admitted)
    # Meanwhile 30 wrong guesses arrive: 4 more are admitted, the 5th locks.
    checks = run_processes(ctx, w.wrong_guesses, lambda i: (spec, "taro", 10), processes=3, threads=10)
    assert sum(checks) == 4
    assert store.lockout_state("taro").check(policy, w.T0) is not None  # locked now
    settled = store.lockout_settle(admitted, True, now=w.T0)
    assert settled.failures == 0 and settled.locked_until is None
    assert store.lockout_state("taro") == settled
    assert isinstance(store.lockout_admit("taro", policy, now=w.T0), Admitted)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_one_correct_code_verified_at_once_succeeds_exactly_once(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    spec = make_spec(kind)
    code = w.open_store(spec).code_issue(regcore.CodePolicy.password_reset(), w.SECRET, "hanako", now=w.T0)
    outcomes = run_processes(
        ctx, w.verify_code, lambda i: (spec, "hanako", code.expose(), 5), processes=4, threads=5
    )
    assert Counter(outcomes) == {"ok": 1, "code.already_used": 19}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_wrong_codes_at_once_burn_after_exactly_five(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.CodePolicy.password_reset()
    code = store.code_issue(policy, w.SECRET, "jiro", now=w.T0)
    wrong = "000000" if code.expose() != "000000" else "111111"
    outcomes = run_processes(ctx, w.verify_code, lambda i: (spec, "jiro", wrong, 5), processes=4, threads=5)
    assert Counter(outcomes) == {"code.wrong": 5, "code.too_many_attempts": 15}
    state = store.code_state("password_reset", "jiro")
    assert state is not None and state.attempts == 5
    late = store.code_verify(policy, w.SECRET, "jiro", code.expose(), now=w.T0)
    assert late is not None and not late.ok
    assert late.rejection is not None and late.rejection.code == "code.too_many_attempts"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_simultaneous_issues_are_each_counted_and_only_the_last_code_works(
    kind: str, ctx: Ctx, make_spec: MakeSpec
) -> None:
    """First-insert race on a code: 12 issues at once for a subject with no
    state; each is a new generation, and only the stored one verifies."""
    spec = make_spec(kind)
    codes = run_processes(ctx, w.issue_code, lambda i: (spec, "new-user", 3), processes=4, threads=3)
    store = w.open_store(spec)
    state = store.code_state("password_reset", "new-user")
    assert state is not None and state.generation == 12
    policy = regcore.CodePolicy.password_reset()
    oks = [c for c in set(codes) if policy.verify(w.SECRET, "new-user", c, state, w.T0).ok]
    assert len(oks) == 1


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_revoke_wins_over_touches_in_flight(kind: str, ctx: Ctx, make_spec: MakeSpec) -> None:
    spec = make_spec(kind)
    store = w.open_store(spec)
    policy = regcore.SessionPolicy.ups_site()
    store.session_start("sid-1", policy, now=w.T0)
    barrier = ctx.Barrier(5)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=w.touch_session, args=(spec, "sid-1", 150, barrier, results, i))  # type: ignore[attr-defined]
        for i in range(4)
    ]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)
    assert store.session_revoke("sid-1")
    for p in procs:
        p.join(timeout=120)
    touched = [results.get(timeout=10) for _ in procs]
    assert all(r[1][0][0] == "ok" for r in touched), touched
    # Whatever the interleaving, no touch brought the session back.
    assert store.session_touch("sid-1", policy, now=w.T0 + dt.timedelta(minutes=1)) is None
    assert not store.session_revoke("sid-1")
