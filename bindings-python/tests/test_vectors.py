"""The shared golden vectors of core (core/tests/vectors/*.json), reproduced
through Python: the same files every binding loads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

import regcore
from regcore import (
    ActivationAuthority,
    ActivationKey,
    GatewayId,
    GatewayPassword,
    KeyCode,
    MasterSecret,
    MprId,
    RegcoreError,
    RegistrationKey,
    UpsSerial,
)

from conftest import VECTORS_DIR

Vec = dict[str, Any]


def _master(vec: Vec, name: str, demo: bool) -> MasterSecret:
    spec = vec["masters"][name]
    m = MasterSecret(spec["key_id"], bytes.fromhex(spec["hex"]))
    return m.demo() if demo else m


def _code_of(call: Callable[[], object]) -> tuple[bool, object, str | None]:
    try:
        return True, call(), None
    except RegcoreError as e:
        return False, None, e.code


def check_keys(vec: Vec) -> int:
    n = 0
    for c in vec["device_keys"]:
        m = _master(vec, c["master"], c["demo"])
        kind = c["kind"]
        if kind == "ups":
            k_dev = m.device_key(UpsSerial(c["input"]))
        elif kind == "gateway":
            k_dev = m.device_key(GatewayId(c["input"]))
        elif kind == "terminal":
            k_dev = m.device_key(MprId(c["input"]))
        else:
            assert kind == "activation", c
            k_dev = m.activation_key()
        assert k_dev.to_hex() == c["k_dev"], c
        n += 1
    by_master: dict[tuple[str, bool], list[Vec]] = {}
    for c in vec["key_codes"]:
        m = _master(vec, c["master"], c["demo"])
        code = KeyCode.for_serial(m, c["serial_input"])
        assert (code.value, code.decimal, code.binary) == (c["value"], c["decimal"], c["binary"]), c
        by_master.setdefault((c["master"], c["demo"]), []).append(c)
        n += 1
    for (name, demo), cases in by_master.items():
        batch = regcore.key_codes(_master(vec, name, demo), [c["serial_input"] for c in cases])
        assert [k.value for k in batch] == [c["value"] for c in cases]
    for c in vec["key_code_parse"]:
        ok, value, err = _code_of(lambda: KeyCode(c["input"]).value)
        assert (value, err) == (c.get("value"), c.get("error")), c
        n += 1
    for c in vec["gateway_passwords"]:
        m = _master(vec, c["master"], c["demo"])
        assert GatewayPassword.for_gateway(m, c["gateway_input"]).expose() == c["password"], c
        n += 1
    for c in vec["gateway_password_checks"]:
        m = _master(vec, c["master"], False)
        ok, _, err = _code_of(lambda: GatewayPassword.verify_pair(m, c["gateway_id"], c["typed"]))
        assert (ok, err) == (c["ok"], c["error"]), c
        n += 1
    for c in vec["activation_mint"]:
        minted = ActivationAuthority(_master(vec, c["master"], c["demo"])).mint(c["product"], c["serial"])
        assert (str(minted.number), str(minted.registration_id)) == (c["number"], c["registration_id"]), c
        n += 1
    for c in vec["activation_check"]:
        authority = ActivationAuthority(_master(vec, c["master"], c["demo"]))
        typed = ActivationKey(c["number_input"], c["registration_id_input"])
        ok, info, _ = _code_of(lambda: typed.verify(authority))
        assert ok == c["ok"], c
        assert (info.product if isinstance(info, regcore.ActivationInfo) else None) == c["product"], c
        n += 1
    items = []
    for c in vec["registration_keys"]:
        m = _master(vec, c["master"], c["demo"])
        key = RegistrationKey.issue(m, c["mpr_input"], c["activation_number"], c["product"])
        assert str(key) == c["registration_key"], c
        if (c["master"], c["demo"]) == ("m32", False):
            items.append(c)
        n += 1
    reg_batch = regcore.registration_keys(
        _master(vec, "m32", False), [(c["mpr_input"], c["activation_number"], c["product"]) for c in items]
    )
    assert [str(k) for k in reg_batch] == [c["registration_key"] for c in items]
    for c in vec["registration_key_verify"]:
        k_dev = _master(vec, c["master"], c["demo_device"]).device_key(MprId(c["mpr_id"]))
        ok, product, err = _code_of(lambda: RegistrationKey(c["typed"]).verify(k_dev))
        assert (ok, product, err) == (c["ok"], c["product"], c["error"]), c
        n += 1
    return n


def _at(unix_secs: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix_secs, dt.timezone.utc)


def check_codes(vec: Vec) -> int:
    n = 0
    for c in vec["cases"]:
        secret = regcore.CodeSecret(bytes.fromhex(c["secret_hex"]))
        assert regcore.code_key(secret, c["purpose"], c["subject"]).hex() == c["key_hex"], c
        policy = regcore.CodePolicy(c["purpose"], dt.timedelta(hours=1))
        t = _at(c["series"])
        previous = None
        if c["generation"] > 1:
            previous = regcore.CodeState.decode(f"c1.{c['series']}.{c['generation'] - 1}.{c['series']}.0.0")
        state, code = policy.issue(secret, c["subject"], previous, now=t)
        assert (state.series, state.generation) == (c["series"], c["generation"]), c
        assert f"{state.counter:016x}" == c["counter_hex"], c
        assert code.expose() == c["code"], c
        assert policy.verify(secret, c["subject"], c["code"], state, now=t).ok, c
        n += 1
    return n


def check_tokens(vec: Vec) -> int:
    secrets = {k["key_id"]: bytes.fromhex(k["secret_hex"]) for k in vec["keys"]}
    n = 0
    for c in vec["cases"]:
        keyring = regcore.Keyring(c["key_id"], secrets[c["key_id"]])
        link = regcore.LinkPolicy(c["purpose"], dt.timedelta(seconds=c["lifetime_secs"]))
        binding = bytes.fromhex(c["binding_hex"])
        t = _at(c["issued_at"])
        if c["phone"] is None:
            token = link.issue(keyring, c["subject"], c["generation"], binding, now=t)
            claims = link.verify(keyring, token, c["generation"], binding, now=t)
        else:
            reg = regcore.ProvisionalRegistration(link)
            token = reg.issue(keyring, c["subject"], c["phone"], c["generation"], binding, now=t)
            claims = reg.complete(keyring, token, c["phone"], c["generation"], binding, now=t)
        assert token == c["token"], c
        assert claims == regcore.peek_token(token)
        assert (claims.subject, claims.issued_at, claims.key_id) == (c["subject"], t, c["key_id"]), c
        assert claims.requires_phone == (c["phone"] is not None)
        n += 1
    return n


def check_code_outcomes(vec: Vec) -> int:
    n = 0
    for c in vec["cases"]:
        secret = regcore.CodeSecret(bytes.fromhex(c["secret_hex"]))
        policy = regcore.CodePolicy(c["purpose"], dt.timedelta(seconds=c["lifetime_secs"]), c["max_attempts"])
        v = policy.verify(secret, c["subject"], c["typed"], regcore.CodeState.decode(c["state"]), now=_at(c["now"]))
        assert v.state.encode() == c["state_after"], c["name"]
        assert v.ok == c["ok"], c["name"]
        if not c["ok"]:
            assert v.rejection is not None
            assert v.rejection.code == c["error"], c["name"]
            left = v.rejection.params.get("attempts_left")
            assert left == (None if c["attempts_left"] is None else str(c["attempts_left"])), c["name"]
        n += 1
    for c in vec["issues"]:
        secret = regcore.CodeSecret(bytes.fromhex(c["secret_hex"]))
        policy = regcore.CodePolicy(c["purpose"], dt.timedelta(hours=1))
        previous = None if c["previous"] is None else regcore.CodeState.decode(c["previous"])
        state, code = policy.issue(secret, c["subject"], previous, now=_at(c["now"]))
        assert state.encode() == c["state"], c["name"]
        assert f"{state.counter:016x}" == c["counter_hex"], c["name"]
        assert code.expose() == c["code"], c["name"]
        assert regcore.code_key(secret, c["purpose"], c["subject"]).hex() == c["key_hex"], c["name"]
        n += 1
    return n


def check_token_failures(vec: Vec) -> int:
    first, *rest = vec["keys"]
    keyring = regcore.Keyring(first["key_id"], bytes.fromhex(first["secret_hex"]))
    for k in rest:
        keyring = keyring.with_key(k["key_id"], bytes.fromhex(k["secret_hex"]))
    n = 0
    for c in vec["cases"]:
        link = regcore.LinkPolicy(c["purpose"], dt.timedelta(hours=1))
        binding = bytes.fromhex(c["binding_hex"])
        now = _at(c["now"])
        if c["check"] == "verify":
            call: Callable[[], object] = lambda: link.verify(keyring, c["token"], c["current_generation"], binding, now=now)
        else:
            reg = regcore.ProvisionalRegistration(link)
            call = lambda: reg.complete(keyring, c["token"], c["phone"], c["current_generation"], binding, now=now)
        try:
            call()
        except RegcoreError as e:
            assert not c["ok"], (c["name"], e)
            assert e.code == c["error"], c["name"]
            assert e.params.get("reason") == c["reason"], c["name"]
        else:
            assert c["ok"], c["name"]
        n += 1
    return n


HANDLERS: dict[str, Callable[[Vec], int]] = {
    "keys.json": check_keys,
    "codes.json": check_codes,
    "tokens.json": check_tokens,
    "code_outcomes.json": check_code_outcomes,
    "token_failures.json": check_token_failures,
}


def test_vectors_directory_exists() -> None:
    assert VECTORS_DIR.is_dir(), VECTORS_DIR
    assert sorted(p.name for p in VECTORS_DIR.glob("*.json")), "no vectors files"


def test_every_vectors_file_has_a_python_reproduction() -> None:
    files = sorted(p.name for p in VECTORS_DIR.glob("*.json"))
    missing = [f for f in files if f not in HANDLERS]
    assert not missing, f"vectors files not reproduced through Python: {missing}"


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_vectors_reproduced(name: str) -> None:
    path = VECTORS_DIR / name
    assert path.is_file(), f"{path} is gone"
    vec = json.loads(path.read_text(encoding="utf-8"))
    count = HANDLERS[name](vec)
    assert count > 0
