"""The boundary decided in core (issue 13): every numeric parameter refuses
what it cannot hold with a coded error of kind invalid_input (never a bare
OverflowError, never a wrapped value), strings the language cannot pass are
coded, error kinds come from core, the owned lockout admission is single use,
costly stored hashes are refused before hashing, messages never carry raw
invisible characters, and the store layer's codes come from core."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest

import regcore
from regcore import (
    ActivationAuthority,
    ActivationNumber,
    Binding,
    CodePolicy,
    CodeSecret,
    CodeState,
    HashParams,
    InvalidInputError,
    KeyCode,
    Keyring,
    LinkPolicy,
    LockoutAdmission,
    LockoutPolicy,
    LockoutRefusal,
    LockoutState,
    LockoutSuccess,
    MasterSecret,
    MprId,
    Product,
    ProductCatalogue,
    ProvisionalRegistration,
    RegistrationId,
    RegistrationKey,
)

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
MASTER = MasterSecret(1, bytes(range(32)))
SECRET = CodeSecret(bytes(range(32)))
MPR = "0123-4567-89AB-CDEF"
NUMBER = ActivationAuthority(MASTER).mint(1, 1).number
HOUR = dt.timedelta(hours=1)

U16, U32, U64 = 2**16 - 1, 2**32 - 1, 2**64 - 1

# (name, largest value the parameter's type holds, call with the value in
# that parameter). Values inside the type but outside a domain rule get the
# domain's own code (tested where the rule is).
NUMERIC: list[tuple[str, int, Callable[[Any], object]]] = [
    ("MprId.from_int(value)", U64, lambda v: MprId.from_int(v)),
    ("ActivationNumber.from_int(value)", U64, lambda v: ActivationNumber.from_int(v)),
    ("RegistrationId.from_int(value)", U32, lambda v: RegistrationId.from_int(v)),
    ("KeyCode.from_int(value)", 1023, lambda v: KeyCode.from_int(v)),
    ("RegistrationKey.from_int(value)", U64, lambda v: RegistrationKey.from_int(v)),
    ("MasterSecret(key_id)", U32, lambda v: MasterSecret(v, bytes(32))),
    ("MasterSecret.generate(key_id)", U32, lambda v: MasterSecret.generate(v)),
    ("MasterSecret.generate(length)", U64, lambda v: MasterSecret.generate(1, v)),
    ("ActivationAuthority.mint(product)", U16, lambda v: ActivationAuthority(MASTER).mint(v, 1)),
    ("ActivationAuthority.mint(serial)", 2**48 - 1, lambda v: ActivationAuthority(MASTER).mint(1, v)),
    ("ProductCatalogue.insert(code)", U16, lambda v: ProductCatalogue().insert(v, Product("M", "T"))),
    ("ProductCatalogue.get(code)", U16, lambda v: ProductCatalogue({v: Product("M", "T")}).get(v)),
    ("ProductCatalogue(code)", U16, lambda v: ProductCatalogue({v: Product("M", "T")})),
    ("ProductCatalogue.__contains__(code)", U16, lambda v: ProductCatalogue().__contains__(v)),
    ("RegistrationKey.issue(product)", U16, lambda v: RegistrationKey.issue(MASTER, MPR, NUMBER, v)),
    (
        "RegistrationKey.derive(product)",
        U16,
        lambda v: RegistrationKey.derive(MASTER.device_key(MprId(MPR)), NUMBER, v),
    ),
    ("registration_keys(product)", U16, lambda v: regcore.registration_keys(MASTER, [(MPR, NUMBER, v)])),
    (
        "Binding(product)",
        U16,
        lambda v: Binding(NUMBER, MPR, v, RegistrationKey.issue(MASTER, MPR, NUMBER, 1), T0),
    ),
    ("LockoutPolicy.keycloak_multiple(max_login_failures)", U32,
     lambda v: LockoutPolicy.keycloak_multiple(v, HOUR, HOUR, HOUR)),
    ("LockoutPolicy.keycloak_linear(max_login_failures)", U32,
     lambda v: LockoutPolicy.keycloak_linear(v, HOUR, HOUR, HOUR)),
    ("LockoutPolicy.fixed(threshold)", U32, lambda v: LockoutPolicy.fixed(v, HOUR)),
    ("LockoutPolicy.tiers(failures)", U32, lambda v: LockoutPolicy.tiers([(v, HOUR)])),
    ("LockoutPolicy.lock_duration(failures)", U32, lambda v: LockoutPolicy.ups_site().lock_duration(v)),
    ("LockoutState(failures)", U32, lambda v: LockoutState(v)),
    ("CodeSecret.generate(length)", U64, lambda v: CodeSecret.generate(v)),
    ("CodePolicy(max_attempts)", U32, lambda v: CodePolicy("sign_up", HOUR, v)),
    ("CodeState(series)", U32, lambda v: CodeState(v, 1, T0)),
    ("CodeState(generation)", U32, lambda v: CodeState(1, v, T0)),
    ("CodeState(attempts)", U32, lambda v: CodeState(1, 1, T0, v)),
    ("Keyring(key_id)", U32, lambda v: Keyring(v, SECRET)),
    ("Keyring.with_key(key_id)", U32, lambda v: Keyring(1, SECRET).with_key(v, SECRET)),
    ("Keyring.rotate_to(key_id)", U32, lambda v: Keyring(1, SECRET).with_key(v, SECRET).rotate_to(v)),
    ("LinkPolicy.issue(generation)", U32,
     lambda v: LinkPolicy.password_reset().issue(Keyring(1, SECRET), "u", v, now=T0)),
    ("LinkPolicy.verify(current_generation)", U32,
     lambda v: LinkPolicy.password_reset().verify(
         Keyring(1, SECRET), LinkPolicy.password_reset().issue(Keyring(1, SECRET), "u", v, now=T0), v, now=T0)),
    ("ProvisionalRegistration.issue(generation)", U32,
     lambda v: ProvisionalRegistration().issue(Keyring(1, SECRET), "u", "09012345678", v, now=T0)),
    ("ProvisionalRegistration.complete(current_generation)", U32,
     lambda v: ProvisionalRegistration().complete(
         Keyring(1, SECRET),
         ProvisionalRegistration().issue(Keyring(1, SECRET), "u", "09012345678", v, now=T0),
         "09012345678", v, now=T0)),
    ("HashParams(memory_kib)", U32, lambda v: HashParams(v, 2, 1)),
    ("HashParams(iterations)", U32, lambda v: HashParams(19456, v, 1)),
    ("HashParams(parallelism)", U32, lambda v: HashParams(19456, 2, v)),
    ("verify_password(max_memory_kib)", U32,
     lambda v: regcore.verify_password("x", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
                                       "eO9bW4JZ8RZ2uWv4qTPAvhf2Mh5x4xVn0Qlyt3hN6LE", max_memory_kib=v)),
    ("verify_password(max_work)", U64,
     lambda v: regcore.verify_password("x", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
                                       "eO9bW4JZ8RZ2uWv4qTPAvhf2Mh5x4xVn0Qlyt3hN6LE", max_work=v)),
]


@pytest.mark.parametrize(("name", "largest", "call"), NUMERIC, ids=[n[0] for n in NUMERIC])
def test_every_numeric_parameter_refuses_what_it_cannot_hold(
    name: str, largest: int, call: Callable[[Any], object]
) -> None:
    for bad in (-1, largest + 1, 2**32, 2**64, 2**200, -(2**200), 1.5, "1", True):
        if isinstance(bad, int) and not isinstance(bad, bool) and 0 <= bad <= largest:
            continue
        with pytest.raises(InvalidInputError) as info:
            call(bad)
        err = info.value
        assert err.kind == "invalid_input", (name, bad, err.code)
        assert err.code.startswith(("binding.", "keycode.", "activation.", "hash.", "secret.", "keys.")), (
            name, bad, err.code)
        assert err.message_en and err.message_ja


def test_the_findings_of_issue_13() -> None:
    authority = ActivationAuthority(MASTER)
    for call in (
        lambda: MprId.from_int(2**64),
        lambda: ActivationNumber.from_int(-1),
        lambda: RegistrationId.from_int(2**32),
        lambda: KeyCode.from_int(2**32),
        lambda: LockoutState(failures=2**64),
        lambda: authority.mint(product=2**16, serial=1),
        lambda: authority.mint(product=1, serial=2**64),
    ):
        with pytest.raises(InvalidInputError) as info:
            call()
        assert not isinstance(info.value, OverflowError)
        assert info.value.code in {"binding.integer_out_of_range", "keycode.out_of_range"}
    with pytest.raises(InvalidInputError) as product:
        authority.mint(2**16, 1)
    assert product.value.params == {"name": "product", "min": "0", "max": "65535"}


@pytest.mark.parametrize(
    "parse",
    [MprId, regcore.UpsSerial, KeyCode, RegistrationKey, regcore.GatewayPassword, regcore.EmailAddress,
     regcore.PasswordPolicy.preset, LockoutState.decode, CodeState.decode, regcore.peek_token],
)
def test_a_lone_surrogate_is_a_coded_error(parse: Callable[[str], object]) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse("12\ud800")
    assert info.value.code == "binding.invalid_string"
    assert not isinstance(info.value, UnicodeError)


def test_kinds_come_from_core_and_pick_the_class() -> None:
    k_dev = MASTER.device_key(regcore.UpsSerial("S1"))
    wrong = KeyCode.from_int((KeyCode.derive(k_dev).value + 1) % 1024)
    with pytest.raises(regcore.RejectedError) as rejected:
        wrong.verify(k_dev)
    assert rejected.value.kind == "rejected"
    with pytest.raises(regcore.StoredStateError) as stored:
        LockoutState.decode("l9")
    assert stored.value.kind == "stored_state" and stored.value.code == "lockout.malformed_state"
    with pytest.raises(InvalidInputError) as config:
        LockoutPolicy.from_json("[]")
    assert config.value.code == "binding.malformed_json"
    assert config.value.params["what"] == "LockoutPolicy"
    with pytest.raises(regcore.LockedError):
        raise regcore.exception_class_for_kind("locked")("lockout.locked", "locked", {}, "en", "ja")
    assert regcore.exception_class_for_kind("internal") is regcore.InternalError
    with pytest.raises(InvalidInputError) as malformed:
        regcore.PasswordPolicy.from_json("{")
    assert malformed.value.code == "binding.malformed_json"
    assert malformed.value.params["what"] == "PolicyParts"
    with pytest.raises(InvalidInputError) as lang:
        malformed.value.message("fr")
    assert lang.value.code == "binding.unknown_name" and lang.value.params["value"] == "fr"
    assert regcore.unknown_language_error("de").params["expected"] == "en,ja"
    report = regcore.PasswordPolicy.ups_site().check("short")
    assert {v.kind for v in report.violations} == {"invalid_input"}


def test_admission_is_owned_single_use_and_counts_in_advance() -> None:
    policy = LockoutPolicy.ups_site()
    admitted = LockoutState().attempt(policy, now=T0)
    assert isinstance(admitted, LockoutAdmission)
    assert admitted.previous == LockoutState()
    assert admitted.state.failures == 1  # counted before the password is checked
    assert admitted.admitted_at == T0
    success = admitted.success()
    assert isinstance(success, LockoutSuccess)
    for settle in (admitted.failure, admitted.success):
        with pytest.raises(InvalidInputError) as used:
            settle()
        assert used.value.code == "lockout.admission_used"
    # Applied to whatever is stored by then: a lock others caused is lifted.
    burst = admitted.state
    for _ in range(5):
        burst = burst.record_failure(policy, now=T0)
    assert burst.check(policy, now=T0) is not None
    settled = success.apply(burst)
    assert settled.failures == 0 and settled.check(policy, now=T0) is None
    # While locked, the attempt is refused.
    refused = burst.attempt(policy, now=T0)
    assert isinstance(refused, LockoutRefusal) and refused.locked.code == "lockout.locked"


def test_admission_through_a_compare_and_set_cell_gives_five_checks() -> None:
    policy = LockoutPolicy.ups_site()
    cell = LockoutState().encode()
    checks = 0
    for _ in range(100):
        while True:
            stored = cell
            outcome = LockoutState.decode(stored).attempt(policy, now=T0)
            if isinstance(outcome, LockoutRefusal):
                break
            if cell == stored:  # compare-and-set
                cell = outcome.state.encode()
                checks += 1
                outcome.failure()
                break
    assert checks == 5 and LockoutState.decode(cell).failures == 5


def test_a_tampered_hash_cost_is_refused_before_hashing() -> None:
    phc = ("$argon2id$v=19$m=1048576,t=64,p=1$cmVnY29yZS1zYWx0LTE2Yg$"
           "PXoEILKx0C1rM7HQu09tbCFPfKghx2SVsRgfimXyboY")
    started = time.perf_counter()
    with pytest.raises(regcore.StoredStateError) as info:
        regcore.verify_password("x", phc)
    assert time.perf_counter() - started < 1.0
    assert info.value.code == "hash.cost_over_limit" and info.value.kind == "stored_state"
    assert info.value.params["memory_kib"] == "1048576"
    # A caller who means it can raise the limit (here: lower, to show it applies).
    owasp = regcore.hash_password("pw", salt=bytes(16))
    assert regcore.verify_password("pw", owasp)
    with pytest.raises(regcore.StoredStateError):
        regcore.verify_password("pw", owasp, max_memory_kib=1024)


def test_messages_escape_invisible_characters_in_both_languages() -> None:
    with pytest.raises(InvalidInputError) as info:
        MprId("0123\u202e4567")
    for message in (info.value.message_en, info.value.message_ja):
        assert "\u202e" not in message and "U+202E" in message
    with pytest.raises(InvalidInputError) as visible:
        MprId("0123-4567-89AB-CDEＧ")
    assert "「Ｇ」" in visible.value.message_ja


def test_code_state_from_its_fields() -> None:
    state, _ = CodePolicy.sign_up().issue(SECRET, "u", now=T0)
    rebuilt = CodeState(state.series, state.generation, state.issued_at, state.attempts, state.used)
    assert rebuilt == state
    with pytest.raises(regcore.StoredStateError) as frac:
        CodeState(1, 1, T0 + dt.timedelta(milliseconds=5))
    assert frac.value.code == "code.malformed_state" and frac.value.params == {"reason": "issued_at"}
    with pytest.raises(regcore.StoredStateError) as zero:
        CodeState(1, 0, T0)
    assert zero.value.params == {"reason": "generation"}


def test_store_errors_and_schema_come_from_core() -> None:
    contended = regcore.store_contended("lockout.admit", 10)
    assert isinstance(contended, regcore.StoreContendedError)
    assert (contended.code, contended.kind) == ("store.contended", "store_contended")
    assert contended.params == {"operation": "lockout.admit", "attempts": "10"}
    down = regcore.store_unavailable("postgres", "code.verify")
    assert isinstance(down, regcore.StoreUnavailableError) and down.message_ja
    assert regcore.store_driver_missing("psycopg", "postgres").params["extra"] == "postgres"
    assert regcore.store_unsupported("redis", "ledger").kind == "configuration"
    assert regcore.store_schema_mismatch(0, regcore.SCHEMA_VERSION).code == "store.schema_mismatch"
    assert regcore.store_invalid_prefix("a;b").code == "store.invalid_prefix"
    regcore.check_store_prefix("regcore_")
    with pytest.raises(regcore.ConfigurationError):
        regcore.check_store_prefix("Robert'); DROP TABLE")
    migrations = regcore.sql_migrations()
    assert [v for v, _ in migrations] == list(range(1, regcore.SCHEMA_VERSION + 1))
    assert all("{prefix}" in sql for _, sql in migrations)


def test_store_support_from_core() -> None:
    opened = regcore.store_transaction_open("sqlite")
    assert (opened.code, opened.kind) == ("store.transaction_open", "configuration")
    tokyo = dt.datetime(2025, 4, 1, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert regcore.aware_utc(tokyo) == T0 and regcore.aware_utc(tokyo).tzinfo == UTC
    with pytest.raises(InvalidInputError) as naive:
        regcore.aware_utc(dt.datetime(2025, 4, 1))
    assert naive.value.code == "time.naive_datetime"
    session = regcore.SessionState.start(T0)
    assert session.encode() == "s1.1743498000000.1743498000000"
    assert regcore.SessionState.decode(session.encode()) == session
    assert session.expires_at(regcore.SessionPolicy.ups_site()) == T0 + dt.timedelta(minutes=30)
    with pytest.raises(regcore.StoredStateError) as bad:
        regcore.SessionState.decode("s1.x")
    assert bad.value.code == "session.malformed_state"
    policy = LockoutPolicy.ups_site()
    state = LockoutState()
    for _ in range(5):
        state = state.record_failure(policy, now=T0)
    assert state.forget_at(policy) == T0 + dt.timedelta(seconds=1, minutes=15)
    assert LockoutState().record_failure(policy, now=T0).forget_at(policy) is None
    two = LockoutState().record_failure(policy, now=T0)
    assert two.retain_until(policy, now=T0) == T0 + dt.timedelta(days=90)
    assert state.retain_until(policy, now=T0) == state.forget_at(policy)
    code_state, _ = CodePolicy.password_reset().issue(SECRET, "u", now=T0)
    assert CodePolicy.password_reset().retain_until(code_state) == T0 + dt.timedelta(hours=1, days=1)
