"""Boundary tests of password policies and Argon2id hashing."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time

import pytest

import regcore
from regcore import (
    ConfigurationError,
    StoredStateError,
    Diagnostic,
    HashParams,
    InvalidInputError,
    PasswordPolicy,
    Pepper,
    PolicyRule,
    Violation,
)

FAST = HashParams(memory_kib=64, iterations=1, parallelism=1)


def test_presets_by_name_and_constructor() -> None:
    names = PasswordPolicy.preset_names()
    assert {"ups_site", "monitoring_service", "kms", "device_admin_pin", "nist_800_63b"} <= set(names)
    assert PasswordPolicy.nist_800_63b_mfa().check("eight ch").ok
    for name in names:
        assert PasswordPolicy.preset(name) == getattr(PasswordPolicy, name)()
    with pytest.raises(regcore.ConfigurationError, match="unknown password policy preset") as unknown:
        PasswordPolicy.preset("nope")
    assert unknown.value.code == "policy.unknown_preset" and unknown.value.params["name"] == "nope"


def test_check_reports_every_violation_with_japanese_messages() -> None:
    report = PasswordPolicy.ups_site().check("ａｂｃ")
    assert not report.ok and not report.acceptable and not report.must_change
    assert report.codes[0] == "password.too_short"
    assert "password.fullwidth_character" in report.codes
    assert len(report) == len(report.violations) == len(report.codes) >= 3
    v = report.violations[0]
    assert isinstance(v, Violation) and isinstance(v, Diagnostic)
    assert v.code == "password.too_short" and v.severity == "reject"
    assert v.params["min"] == "10" and v.params["actual"] == "3"
    assert "10" in v.message_en and "10" in v.message_ja
    assert v.message("ja") == v.message_ja
    wide = report.violations[report.codes.index("password.fullwidth_character")]
    assert "半角" in wide.message_ja
    assert repr(report).startswith("PasswordReport(codes=[")
    assert PasswordPolicy.ups_site().check("Abcdef12!x").ok


def test_context_user_id_blocklist_and_default_credential() -> None:
    nist = PasswordPolicy.nist_800_63b()
    report = nist.check("taro.yamada-is-my-name", user_id="taro.yamada")
    assert report.codes == ["password.contains_user_id"]
    report = nist.check("correct horse battery", blocklist=["correct horse battery"])
    assert report.codes == ["password.common_password"]
    pin = PasswordPolicy.device_admin_pin().check("00000000")
    assert pin.acceptable and pin.must_change and not pin.ok
    assert pin.violations[0].severity == "must_change"
    assert pin.codes == ["password.default_credential"]


def test_history_checks_previous_hashes_with_pepper() -> None:
    pepper = Pepper(b"p" * 16)
    old = regcore.hash_password("Abcdef12!old", params=FAST, pepper=pepper)
    policy = PasswordPolicy.from_dict({**PasswordPolicy.ups_site().to_dict(), "history_depth": 3})
    assert policy.check("Abcdef12!old", previous_hashes=[old], pepper=pepper).codes == [
        "password.reused_password"]
    assert policy.check("Abcdef12!new", previous_hashes=[old], pepper=pepper).ok
    skipped = policy.check("Abcdef12!new", previous_hashes=["garbage"])
    assert skipped.ok and skipped.skipped_history_entries == 1


def test_describe_for_help_text() -> None:
    rules = PasswordPolicy.ups_site().describe()
    assert all(isinstance(r, PolicyRule) for r in rules)
    first = rules[0]
    assert first.code == "password.rule.length" and first.params == {"min": "10", "max": "16"}
    assert "password.too_short" in first.violation_codes
    assert all(r.message_en and r.message_ja for r in rules)
    # A check-time blocklist is described too (core's describe_for).
    claims = [r for r in PasswordPolicy.ups_site().describe(blocklist=["Company-2026!"])
              if "password.common_password" in r.violation_codes]
    assert len(claims) == 1 and not any(
        "password.common_password" in r.violation_codes for r in rules)


def test_custom_policy_from_dict_and_json() -> None:
    parts = PasswordPolicy.kms().to_dict()
    assert parts["min_length"] == 8 and parts["alphabet"]["kind"] == "ascii"
    parts["min_length"] = 9
    custom = PasswordPolicy.from_dict(parts)
    assert custom.check("ab1c9d7e").codes == ["password.too_short"]
    assert PasswordPolicy.from_json(custom.to_json()) == custom
    assert json.loads(custom.to_json())["min_length"] == 9
    parts["min_length"] = 0
    with pytest.raises(ConfigurationError) as info:
        PasswordPolicy.from_dict(parts)
    assert info.value.code == "policy.invalid_length" and info.value.message_ja
    with pytest.raises(ValueError):
        PasswordPolicy.from_dict({"min_length": 8})


def test_batch_checks_equal_single_checks() -> None:
    policy = PasswordPolicy.ups_site()
    passwords = ["short", "Abcdef12!x", "ＡＢＣ", "abcdefghij", "Abcdef12!x" * 3] * 20
    batch = policy.check_many(passwords, user_id="taro")
    assert [r.codes for r in batch] == [policy.check(p, user_id="taro").codes for p in passwords]
    with pytest.raises(TypeError) as info:
        policy.check_many(["ok", 3])  # type: ignore[list-item]
    assert any("item 1" in n for n in info.value.__notes__)


def test_password_age_with_aware_datetimes() -> None:
    policy = PasswordPolicy.ups_site()
    changed = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    assert policy.age(changed, now=changed).state == "fresh"
    soon = policy.age(changed, now=changed + dt.timedelta(days=175))
    assert (soon.state, soon.days_left) == ("expires_soon", 5)
    assert soon == regcore.password_age(changed, policy, now=changed + dt.timedelta(days=175))
    expired = policy.age(changed, now=changed + dt.timedelta(days=180))
    assert (expired.state, expired.days_left) == ("expired", None)
    assert repr(expired) == "PasswordAge('expired')"
    with pytest.raises(regcore.InvalidInputError, match="timezone-aware"):
        policy.age(dt.datetime(2025, 1, 1))
    assert policy.age(dt.datetime.now(dt.timezone.utc)).state == "fresh"  # system clock


def test_hash_verify_rehash() -> None:
    phc = regcore.hash_password("secret password", params=FAST)
    assert phc.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert regcore.verify_password("secret password", phc)
    assert not regcore.verify_password("wrong", phc)
    assert regcore.hash_password("x", params=FAST) != regcore.hash_password("x", params=FAST)
    fixed = regcore.hash_password("x", salt=b"s" * 16, params=FAST)
    assert fixed == regcore.hash_password("x", salt=b"s" * 16, params=FAST)
    assert regcore.needs_rehash(phc) and not regcore.needs_rehash(phc, FAST)
    pepper = Pepper(b"k" * 32)
    peppered = regcore.hash_password("x", params=FAST, pepper=pepper)
    assert regcore.verify_password("x", peppered, pepper=pepper)
    assert not regcore.verify_password("x", peppered)
    assert repr(pepper) == "Pepper(<redacted>)"


def test_hash_errors() -> None:
    with pytest.raises(InvalidInputError) as too_long:
        regcore.hash_password("x" * (regcore.MAX_PASSWORD_BYTES + 1), params=FAST)
    assert too_long.value.code == "hash.input_too_long"
    with pytest.raises(regcore.ConfigurationError) as salt:
        regcore.hash_password("x", salt=b"short", params=FAST)
    assert salt.value.code == "hash.invalid_salt"
    with pytest.raises(StoredStateError) as phc:
        regcore.verify_password("x", "not a phc string")
    assert phc.value.code == "hash.malformed_phc"
    with pytest.raises(ConfigurationError) as params:
        HashParams(memory_kib=1)
    assert params.value.code == "hash.invalid_params"
    with pytest.raises(ConfigurationError) as pep:
        Pepper(b"short")
    assert pep.value.code == "hash.invalid_pepper"
    assert HashParams() == HashParams.OWASP
    assert (HashParams.OWASP.memory_kib, HashParams.OWASP.iterations, HashParams.OWASP.parallelism) == (
        19 * 1024, 2, 1)


def test_argon2_releases_the_gil_so_threads_overlap() -> None:
    """While Argon2 runs, other Python threads run.

    A pure-Python ticker thread counts while the main thread hashes at OWASP
    cost: if the GIL were held inside hash_password the ticker could not
    advance between the two reads around the call. Then four threads hash at
    once and their intervals overlap."""
    ticks = 0
    stop = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    salt = b"s" * 16  # explicit, so no Python call (os.urandom) runs inside
    costly = HashParams(memory_kib=64 * 1024, iterations=2, parallelism=1)
    # A short switch interval keeps what the ticker gets around the call
    # (when the main thread takes the GIL back) small next to the call itself.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    tick_thread = threading.Thread(target=ticker)
    tick_thread.start()
    try:
        before, t = ticks, time.perf_counter()
        time.sleep(0.05)
        free_rate = (ticks - before) / (time.perf_counter() - t)
        before, t = ticks, time.perf_counter()
        phc = regcore.hash_password("correct horse battery staple", salt=salt, params=costly)
        hash_rate = (ticks - before) / (time.perf_counter() - t)
        before, t = ticks, time.perf_counter()
        assert regcore.verify_password("correct horse battery staple", phc)
        verify_rate = (ticks - before) / (time.perf_counter() - t)
    finally:
        stop.set()
        tick_thread.join()
        sys.setswitchinterval(interval)
    # Holding the GIL would freeze the ticker (rate ~0) for the whole call.
    assert hash_rate > 0.2 * free_rate, (hash_rate, free_rate)
    assert verify_rate > 0.2 * free_rate, (verify_rate, free_rate)

    spans: list[tuple[float, float]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        start = time.perf_counter()
        regcore.hash_password("correct horse battery staple")
        end = time.perf_counter()
        with lock:
            spans.append((start, end))

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(spans) == 4
    spans.sort()
    assert any(s2 < e1 for (_, e1), (s2, _) in zip(spans, spans[1:])), spans
