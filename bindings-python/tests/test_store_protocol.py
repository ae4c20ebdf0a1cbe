"""The store protocol at the binding boundary, with scripted replies (no
server): what each operation sends, how many round trips the common path
costs, and how bad input, bad options and failures come back coded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

import regcore
import regcore._native as native

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.timezone.utc)
POLICY = regcore.LockoutPolicy.ups_site()
SECRET = regcore.CodeSecret(b"k" * 32)


def protocol(store: str = "redis", **retry: Any) -> native.StoreProtocol:
    options: dict[str, Any] = {"attempts": 200, "deadline": 5.0, "base_delay": 0.0005, "max_delay": 0.02}
    options.update(retry)
    return native.StoreProtocol(store, "t", **options)


def migrated_sqlite() -> native.StoreProtocol:
    """A SQLite protocol that has seen the schema (its first operation checks it)."""
    p = protocol("sqlite")
    op = p.lockout_state("warm")
    step = op.resume()
    assert step[0] == "row" and "sqlite_master" in step[1] and step[2] == ("t_meta",)
    step = op.resume((1,))
    assert step[0] == "row" and "schema_version" in step[1]
    step = op.resume((regcore.SCHEMA_VERSION,))
    assert step[0] == "row" and "SELECT state FROM t_lockout" in step[1]
    assert op.resume((None, 0, regcore.SCHEMA_VERSION)) == ("done", regcore.LockoutState())  # state, server clock, schema version
    return p


def test_redis_login_on_a_fresh_key_is_one_round_trip_to_admit_and_one_to_settle() -> None:
    p = protocol()
    assert (p.store, p.prefix) == ("redis", "t")
    admit = p.lockout_admit("alice", POLICY, T0)
    step = admit.resume()
    assert step[0] == "cas" and step[1] == "t:lockout:{alice}"
    expected, new, ttl, now_ms, tolerance = step[2]
    # The value is the state and this write's token (a re-sent write finds
    # its token and counts once).
    state, token = new.split("\x1f")
    assert expected == "" and regcore.LockoutState.decode(state).failures == 1 and int(ttl) >= 1000
    assert len(token) == 16 and int(token, 16) >= 0
    assert int(now_ms) == int(T0.timestamp() * 1000) and tolerance == ""  # the caller's own clock
    kind, (admission, stored) = admit.resume([1])
    assert kind == "done" and stored == new and admit.replies == 1 and admit.conflicts == 0
    settle = p.lockout_settle("alice", POLICY, admission.success(), stored, T0)
    step = settle.resume()
    assert step[0] == "cas" and step[2][0] == stored
    kind, state = settle.resume([1])
    assert kind == "done" and state.failures == 0 and settle.replies == 1


def test_sql_login_on_a_fresh_key_is_one_statement_each_way() -> None:
    p = migrated_sqlite()
    admit = p.lockout_admit("bob", POLICY, T0)
    step = admit.resume()
    assert step[0] == "count" and step[1].startswith("INSERT INTO t_lockout") and "ON CONFLICT DO NOTHING" in step[1]
    kind, (admission, stored) = admit.resume(1)
    assert kind == "done" and admit.replies == 1
    settle = p.lockout_settle("bob", POLICY, admission.success(), stored, T0)
    step = settle.resume()
    assert step[0] == "count" and step[1].startswith("UPDATE t_lockout") and stored in step[2]
    assert settle.resume(1)[0] == "done" and settle.replies == 1


def test_sql_lost_guess_reads_then_compares_and_sets() -> None:
    p = migrated_sqlite()
    admit = p.lockout_admit("carol", POLICY, T0)
    admit.resume()
    step = admit.resume(0)  # the row exists: the guess "absent" was wrong
    assert step == ("count", "BEGIN IMMEDIATE", ())  # SQLite: read and write under the write lock
    step = admit.resume(0)
    assert step[0] == "row" and "SELECT state FROM t_lockout" in step[1]
    held = regcore.LockoutState(2).encode()
    step = admit.resume((held, 0, regcore.SCHEMA_VERSION))
    assert step[0] == "count" and step[1].startswith("UPDATE") and held in step[2]
    assert admit.resume(1) == ("count", "COMMIT", ())
    kind, (admission, _) = admit.resume(0)
    assert kind == "done" and admission.state.failures == 3 and admit.conflicts == 0


def test_postgres_statements_use_psycopg_placeholders() -> None:
    p = protocol("postgres")
    step = p.session_start("s", regcore.SessionPolicy.ups_site(), T0).resume()
    assert step[0] == "row" and step[1] == "SELECT CAST(to_regclass(%s) IS NOT NULL AS INTEGER)"


def test_a_write_whose_reply_was_lost_is_outcome_unknown_and_never_resent() -> None:
    p = protocol()
    op = p.lockout_admit("dave", POLICY, T0)
    op.resume()
    with pytest.raises(regcore.StoreUnavailableError) as err:
        op.fail("unavailable")
    assert err.value.code == "store.outcome_unknown"
    assert "may have been recorded" in err.value.message_en
    # Nothing could be sent: nothing was recorded.
    op = p.lockout_admit("dave", POLICY, T0)
    op.resume()
    with pytest.raises(regcore.StoreUnavailableError) as err:
        op.fail("unreachable")
    assert err.value.code == "store.unavailable"


def test_a_failed_read_is_retried_three_times_then_unavailable() -> None:
    p = protocol()
    op = p.code_verify(regcore.CodePolicy.sign_up(), SECRET, "u@example.jp", "123456", T0)
    step = op.resume()
    assert step[0] == "get"
    for _ in range(3):
        step = op.fail("unavailable")
        assert step[0] == "sleep" and 0 <= step[1] <= 0.02
        step = op.resume(0.001)
        assert step[0] == "get"
    with pytest.raises(regcore.StoreUnavailableError) as err:
        op.fail("unavailable")
    assert err.value.code == "store.unavailable"


def test_a_lost_compare_and_set_retries_on_the_winner_then_gives_up_contended() -> None:
    p = protocol(attempts=3)
    op = p.session_touch("s", regcore.SessionPolicy.ups_site(), T0 + dt.timedelta(minutes=1))
    assert op.resume()[0] == "get"
    live = regcore.SessionState.start(T0).encode()
    step = op.resume(live)
    assert step[0] == "cas"
    for _ in range(2):
        step = op.resume([0, live])  # another writer got in: retry on its value
        if step[0] == "sleep":
            step = op.resume(0.001)
            assert step[0] == "get"
            step = op.resume(live)
        assert step[0] == "cas"
    with pytest.raises(regcore.StoreContendedError) as err:
        op.resume([0, live])
    assert err.value.params == {"operation": "session.touch", "attempts": "3"}
    assert op.conflicts == 3


def test_the_deadline_ends_the_retries() -> None:
    p = protocol(deadline=0.01)
    op = p.session_revoke("s")
    op.resume()
    step = op.resume(b"s1.1.1")
    step = op.resume([0, "s1.1.2"])  # lost; retried at once on the winner
    step = op.resume([0, "s1.1.3"])  # lost again: backoff
    assert step[0] == "sleep"
    with pytest.raises(regcore.StoreContendedError):
        op.resume(0.02)  # slept past the deadline


@pytest.mark.parametrize(
    ("key", "code"),
    [("", "store.invalid_key"), ("a\0b", "store.invalid_key"), ("é" * 257, "store.invalid_key"), ("\ud800", "binding.invalid_string")],
)
def test_bad_keys_are_invalid_input_before_any_io(key: str, code: str) -> None:
    p = protocol()
    calls: list[Callable[[], object]] = [
        lambda: p.lockout_admit(key, POLICY, T0),
        lambda: p.lockout_reset(key),
        lambda: p.lockout_state(key),
        lambda: p.code_issue(regcore.CodePolicy.sign_up(), SECRET, key, T0),
        lambda: p.code_state("sign_up", key),
        lambda: p.session_start(key, regcore.SessionPolicy.ups_site(), T0),
        lambda: p.session_revoke(key),
    ]
    for call in calls:
        with pytest.raises(regcore.InvalidInputError) as err:
            call()
        assert err.value.code == code


def test_distinct_keys_never_share_a_redis_key() -> None:
    p = protocol()
    keys = {p.lockout_state(k).resume()[1] for k in ["{", "}", "%7B", "%7D", "{}", "a}b{c", "\ufffd"]}
    assert len(keys) == 7
    assert p.lockout_state("}x{").resume()[1] == "t:lockout:{%7Dx%7B}"


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0},
        {"attempts": float("nan")},
        {"attempts": "3"},
        {"attempts": 2**64},
        {"deadline": float("inf")},
        {"deadline": -1.0},
        {"deadline": "5"},
        {"base_delay": float("nan")},
        {"max_delay": True},
        {"base_delay": 0.5, "max_delay": 0.1},
    ],
)
def test_bad_retry_options_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(regcore.ConfigurationError) as err:
        protocol(**options)
    assert err.value.code == "store.invalid_option"


def test_the_ledger_and_migrations_on_redis_are_refused_the_same_way() -> None:
    p = protocol()
    master = regcore.MasterSecret(1, b"m" * 32)
    key = regcore.ActivationAuthority(master).mint(0x0101, 1)
    refused: list[Callable[[], object]] = [
        lambda: p.migrate(),
        lambda: p.schema_version(),
        lambda: p.purge_expired(T0),
        lambda: p.ledger_issue(master, regcore.IssuanceRequest("0123-4567-89AB-CDEF", [key]), T0),
        lambda: p.ledger_rebind(master, str(key.number), "0123-4567-89AB-CDEF", "a", "r", T0),
        lambda: p.ledger_bindings(),
        lambda: p.ledger_rebinds(),
        lambda: p.ledger_history(),
        lambda: p.ledger_daily_counts(),
    ]
    for call in refused:
        with pytest.raises(regcore.ConfigurationError) as err:
            call()
        assert err.value.code == "store.unsupported"


def test_report_offsets_are_whole_minutes() -> None:
    p = protocol("sqlite")
    p.ledger_history(utc_offset=dt.timedelta(hours=9))
    p.ledger_daily_counts(utc_offset=dt.timedelta(hours=-5, minutes=-30))
    for bad in [dt.timedelta(seconds=30), dt.timedelta(hours=24), dt.timedelta(milliseconds=1)]:
        with pytest.raises(regcore.InvalidInputError) as err:
            p.ledger_history(utc_offset=bad)
        assert err.value.code == "store.invalid_utc_offset"


def test_a_reply_of_the_wrong_shape_is_stored_state() -> None:
    p = protocol()
    op = p.code_state("sign_up", "u")
    op.resume()
    with pytest.raises(regcore.StoredStateError) as err:
        op.resume(3.5)  # neither nil nor text
    assert err.value.code == "store.unexpected_reply"
    op = p.code_state("sign_up", "u")
    op.resume()
    with pytest.raises(regcore.StoredStateError):
        op.fail("rejected")  # WRONGTYPE


def test_code_issue_and_verify_through_the_protocol() -> None:
    p = protocol()
    policy = regcore.CodePolicy.sign_up()
    issue = p.code_issue(policy, SECRET, "u@example.jp", T0)
    step = issue.resume()
    assert step[0] == "cas" and step[1] == "t:code:{sign_up\x1fu@example.jp}"
    kind, (state, code) = issue.resume([1])
    verify = p.code_verify(policy, SECRET, "u@example.jp", code.expose(), T0)
    assert verify.resume()[0] == "get"
    step = verify.resume(state.encode())
    assert step[0] == "cas" and regcore.CodeState.decode(step[2][1].split("\x1f")[0]).used
    kind, verification = verify.resume([1])
    assert verification.ok
    assert p.code_state("sign_up", "u@example.jp").resume()[0] == "get"


def test_lockout_reset_deletes_only_what_it_read() -> None:
    p = protocol()
    op = p.lockout_reset("erin")
    assert op.resume() == ("get", "t:lockout:{erin}")
    held = regcore.LockoutState(5).encode()
    step = op.resume(held)
    # A deletion leaves a tombstone: no state, this write's token, a minute
    # (a re-sent deletion is recognised, not read as "nothing to delete").
    kind, key, (expected, tombstone, ttl, now_ms, tolerance) = step
    assert (kind, key, expected, ttl, now_ms, tolerance) == ("cas", "t:lockout:{erin}", held, "60000", "0", "")
    assert tombstone.startswith("\x1f") and len(tombstone) == 17
    assert op.resume([1]) == ("done", True)
    absent = p.lockout_reset("erin")
    absent.resume()
    assert absent.resume(None) == ("done", False)


def test_without_now_the_store_servers_clock_is_used() -> None:
    """No `now`: the write carries this machine's reading and a tolerance;
    the store answers its own time when they differ, and the operation
    decides again on it (docs/storage.md, "Faults")."""
    p = protocol()
    op = p.lockout_admit("frank", POLICY)  # no now: the server's clock
    step = op.resume()
    assert step[0] == "cas" and step[2][4] == "1000"
    server_ms = int(T0.timestamp() * 1000)  # the store's clock is far from ours
    step = op.resume([2, server_ms])
    assert step[0] == "cas" and step[2][3] == str(server_ms)
    kind, (admission, _) = op.resume([1])
    assert admission.admitted_at == T0 and op.conflicts == 0
