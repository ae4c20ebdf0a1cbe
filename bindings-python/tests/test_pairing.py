"""Boundary tests of the issuance planner, the Ledger and its reports."""

from __future__ import annotations

import datetime as dt

import pytest

import regcore
from regcore import (
    ActivationAuthority,
    Binding,
    IssuanceRequest,
    Ledger,
    MasterSecret,
    MprId,
    RegcoreError,
    RegistrationKey,
)

from conftest import JST

MPR_A = "0123-4567-89AB-CDEF"
MPR_B = "FEDC-BA98-7654-3210"


def test_request_fields(master: MasterSecret) -> None:
    key = ActivationAuthority(master).mint(0x0101, 1)
    req = IssuanceRequest(MPR_A, [key])
    assert (req.mpr_id, req.keys, req.mode, req.viewer) == (MprId(MPR_A), [key], "real", "customer")
    assert IssuanceRequest(MPR_A, [key], mode="demo", viewer="admin").mode == "demo"
    with pytest.raises(ValueError):
        IssuanceRequest(MPR_A, [key], mode="fake")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        IssuanceRequest(MPR_A, [key], viewer="root")  # type: ignore[arg-type]


def test_plan_issue_reissue_refuse(master: MasterSecret, t0: dt.datetime) -> None:
    authority = ActivationAuthority(master)
    k1, k2 = authority.mint(0x0101, 1), authority.mint(0x0202, 2)
    plan = regcore.plan_issuance(master, IssuanceRequest(MPR_A, [k1, k2]), [], now=t0)
    assert isinstance(plan, regcore.IssuancePlan)
    assert all(isinstance(o, regcore.KeyOutcome) for o in plan.outcomes)
    assert [o.outcome for o in plan.outcomes] == ["issued", "issued"]
    first = plan.outcomes[0]
    assert first.activation_number == k1.number and first.product == 0x0101
    assert first.registration_key == RegistrationKey.issue(master, MPR_A, k1.number, 0x0101)
    assert first.refusal is None and first.first_issued_at is None
    assert [b.activation_number for b in plan.new_bindings] == [k1.number, k2.number]
    binding = plan.new_bindings[0]
    assert binding.first_issued_at == t0 and binding.first_issued_at.tzinfo is not None
    assert binding.mpr_id == MprId(MPR_A)

    later = t0 + dt.timedelta(days=3)
    again = regcore.plan_issuance(master, IssuanceRequest(MPR_A, [k1]), plan.new_bindings, now=later)
    (o,) = again.outcomes
    assert o.outcome == "reissued" and o.first_issued_at == t0 and again.new_bindings == []
    assert o.registration_key == first.registration_key

    elsewhere = regcore.plan_issuance(master, IssuanceRequest(MPR_B, [k1]), plan.new_bindings, now=later)
    refusal = elsewhere.outcomes[0].refusal
    assert refusal is not None and refusal.code == "issuance.bound_elsewhere"
    assert refusal.params == {} and MPR_A not in refusal.message_en
    assert refusal.message_ja and refusal.message("ja") == refusal.message_ja
    admin = regcore.plan_issuance(
        master, IssuanceRequest(MPR_B, [k1], viewer="admin"), plan.new_bindings, now=later
    )
    admin_refusal = admin.outcomes[0].refusal
    assert admin_refusal is not None and admin_refusal.params == {"bound_to": MPR_A}


def test_stored_binding_round_trip(master: MasterSecret, t0: dt.datetime) -> None:
    key = ActivationAuthority(master).mint(0x0101, 1)
    plan = regcore.plan_issuance(master, IssuanceRequest(MPR_A, [key]), now=t0)
    b = plan.new_bindings[0]
    row = (str(b.activation_number), str(b.mpr_id), b.product, str(b.registration_key),
           b.first_issued_at.astimezone(JST))
    assert Binding(*row) == b
    with pytest.raises(regcore.InvalidInputError, match="timezone-aware"):
        Binding(row[0], row[1], row[2], row[3], dt.datetime(2025, 4, 1))


def test_plan_errors_and_naive_now(master: MasterSecret, t0: dt.datetime) -> None:
    # A request is validated when it is built, not at plan time.
    with pytest.raises(regcore.InvalidInputError) as info:
        IssuanceRequest(MPR_A, [])
    assert info.value.code == "issuance.no_keys"
    authority = ActivationAuthority(master)
    key = authority.mint(1, 1)
    keys = [authority.mint(1, serial) for serial in range(9)]
    with pytest.raises(regcore.InvalidInputError) as many:
        IssuanceRequest(MPR_A, keys)
    assert many.value.code == "issuance.too_many_keys"
    assert many.value.params == {"max": "8", "actual": "9"}
    with pytest.raises(regcore.InvalidInputError) as dup:
        IssuanceRequest(MPR_A, [key, keys[2], key])
    assert dup.value.code == "issuance.duplicate_key"
    assert dup.value.params == {"activation_number": str(key.number)}
    with pytest.raises(regcore.InvalidInputError) as mode:
        IssuanceRequest(MPR_A, [key], mode="fake")  # type: ignore[arg-type]
    assert mode.value.code == "binding.unknown_name" and mode.value.params["name"] == "mode"
    with pytest.raises(regcore.InvalidInputError, match="timezone-aware"):
        regcore.plan_issuance(master, IssuanceRequest(MPR_A, [key]), now=dt.datetime(2025, 4, 1))
    plan = regcore.plan_issuance(master, IssuanceRequest(MPR_A, [key]))  # system clock
    now = dt.datetime.now(dt.timezone.utc)
    assert abs(plan.new_bindings[0].first_issued_at - now) < dt.timedelta(minutes=1)


def test_ledger_reports_and_rebind(master: MasterSecret) -> None:
    authority = ActivationAuthority(master)
    keys = [authority.mint(0x0101, i) for i in range(1, 4)]
    ledger = Ledger()
    # 23:30 UTC on 31 March is 08:30 JST on 1 April.
    t1 = dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.timezone.utc)
    t2 = dt.datetime(2025, 4, 2, 1, 0, tzinfo=JST)
    ledger.issue(master, IssuanceRequest(MPR_A, keys[:2]), now=t1)
    plan = ledger.issue(master, IssuanceRequest(MPR_A, keys), now=t2)
    assert [o.outcome for o in plan.outcomes] == ["reissued", "reissued", "issued"]
    assert len(ledger) == 3 and len(ledger.bindings()) == 3
    assert [b.activation_number for b in ledger.by_mpr_id(MPR_A)] == sorted(k.number for k in keys)
    found = ledger.by_activation_number(keys[0].number)
    assert found is not None and found.mpr_id == MprId(MPR_A)
    assert ledger.by_activation_number("0000-0000-0000-0000") is None

    utc_days = ledger.daily_counts()
    assert isinstance(utc_days, regcore.DailyReport) and len(utc_days) == 2
    assert all(isinstance(r, regcore.DailyCount) for r in utc_days.rows)
    jst_days = ledger.daily_counts(utc_offset=dt.timedelta(hours=9))
    assert [(r.date, r.issued, r.reissued) for r in utc_days.rows] == [
        (dt.date(2025, 3, 31), 2, 0), (dt.date(2025, 4, 1), 1, 2)]
    assert [(r.date, r.issued, r.reissued) for r in jst_days.rows] == [
        (dt.date(2025, 4, 1), 2, 0), (dt.date(2025, 4, 2), 1, 2)]
    assert jst_days.to_csv().splitlines()[0] == "date,issued,reissued"
    only_second = ledger.history(days=(dt.date(2025, 4, 2), dt.date(2025, 4, 2)), utc_offset=dt.timedelta(hours=9))
    assert isinstance(only_second, regcore.HistoryReport)
    assert all(isinstance(r, regcore.HistoryRow) for r in only_second.rows)
    assert only_second.rows[0].mpr_id == MprId(MPR_A) and only_second.rows[0].product == 0x0101
    row_binding = ledger.by_activation_number(only_second.rows[0].activation_number)
    assert row_binding is not None and only_second.rows[0].registration_key == row_binding.registration_key
    assert len(only_second) == 3 and {r.event for r in only_second.rows} == {"issued", "reissued"}
    assert only_second.rows[0].at == t2
    assert "+09:00" in only_second.to_csv()
    with pytest.raises(regcore.InvalidInputError) as offset:
        ledger.history(utc_offset=dt.timedelta(days=2))
    assert offset.value.code == "binding.integer_out_of_range"
    assert offset.value.params["max"] == "86399"
    with pytest.raises(regcore.InvalidInputError) as fraction:
        ledger.daily_counts(utc_offset=dt.timedelta(hours=9, microseconds=1))
    assert fraction.value.code == "binding.invalid_integer"
    with pytest.raises(TypeError):
        ledger.history(range=None)  # type: ignore[call-arg]  # renamed: no longer shadows range()
    with pytest.raises(TypeError):
        ledger.history(("2025-04-01", "2025-04-02"))  # type: ignore[arg-type]

    record = ledger.rebind(master, keys[0].number, MPR_B, "admin", "terminal replaced", now=t2)
    assert isinstance(record, regcore.RebindRecord)
    assert (record.from_mpr_id, record.to_mpr_id, record.actor) == (MprId(MPR_A), MprId(MPR_B), "admin")
    assert record.reason == "terminal replaced" and record.at == t2
    assert record.activation_number == keys[0].number
    assert ledger.rebinds() == [record]
    with pytest.raises(RegcoreError) as info:
        ledger.rebind(master, keys[0].number, MPR_B, "admin", "again", now=t2)
    assert info.value.code == "ledger.rebind_same_terminal"
    with pytest.raises(RegcoreError) as unaudited:
        ledger.rebind(master, keys[1].number, MPR_B, " ", "", now=t2)
    assert unaudited.value.code == "ledger.rebind_unaudited"

    restored = Ledger.from_json(ledger.to_json())
    assert restored == ledger and restored is not ledger
    with pytest.raises(ValueError):
        Ledger.from_json("{}")
