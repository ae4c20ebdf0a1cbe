"""Boundary tests of the unlock-key API: types in and out, errors, batches, redaction."""

from __future__ import annotations

import pickle

import pytest

import regcore
from regcore import (
    ActivationAuthority,
    ActivationKey,
    ConfigurationError,
    DeviceKey,
    GatewayId,
    GatewayPassword,
    InvalidInputError,
    KeyCode,
    RejectedError,
    MasterSecret,
    MprId,
    Product,
    ProductCatalogue,
    RegistrationKey,
    UpsSerial,
)


def test_master_secret_is_bytes_in_and_redacted(master: MasterSecret) -> None:
    assert master.key_id == 1 and not master.is_demo
    text = repr(master)
    assert "redacted" in text and "00010203" not in text and "\\x00" not in text
    assert master == MasterSecret(1, bytes(range(32)))
    assert master != MasterSecret(2, bytes(range(32)))
    demo = master.demo()
    assert demo.is_demo and demo.key_id == 1 and demo != master
    assert demo.demo() == demo
    with pytest.raises(TypeError):
        hash(master)


def test_master_secret_length_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        MasterSecret(1, b"short")
    assert info.value.code == "keys.master_length"
    assert info.value.params == {"min": "32", "max": "64", "actual": "5"}
    assert "short" not in str(info.value)
    with pytest.raises(TypeError):
        MasterSecret(1, "not bytes" * 8)  # type: ignore[arg-type]


def test_generated_master_uses_os_randomness() -> None:
    a, b = MasterSecret.generate(7), MasterSecret.generate(7, length=64)
    assert a.key_id == 7 and a != b
    assert MasterSecret.generate(7) != a
    with pytest.raises(ConfigurationError):
        MasterSecret.generate(7, length=16)


def test_device_keys_by_identifier_type(master: MasterSecret) -> None:
    ups = master.device_key(UpsSerial("S123ABC"))
    gw = master.device_key(GatewayId("01AB12345678"))
    term = master.device_key(MprId("0123456789ABCDEF"))
    act = master.activation_key()
    assert len({ups.to_hex(), gw.to_hex(), term.to_hex(), act.to_hex()}) == 4
    assert len(ups.to_bytes()) == 32 and ups.to_bytes().hex() == ups.to_hex()
    assert DeviceKey(ups.to_bytes()) == ups
    assert DeviceKey.from_hex(ups.to_hex().upper()) == ups
    assert repr(ups) == "DeviceKey(<redacted>)"
    with pytest.raises(TypeError):
        master.device_key("S123ABC")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as info:
        DeviceKey.from_hex("zz")
    assert info.value.code == "keys.device_key_format"
    with pytest.raises(ConfigurationError) as length:
        DeviceKey(b"\x00" * 31)
    assert length.value.code == "keys.device_key_length"
    assert length.value.params == {"expected": "32", "actual": "31"}


def test_key_code_forms_and_parsing(master: MasterSecret) -> None:
    code = KeyCode.for_serial(master, "S123ABC")
    assert code == KeyCode.for_serial(master, UpsSerial("s123-abc"))
    assert code == KeyCode.derive(master.device_key(UpsSerial("S123ABC")))
    assert 0 <= code.value <= 1023 and int(code) == code.value
    assert code.decimal == f"{code.value:04d}" and str(code) == code.decimal
    assert code.binary == f"{code.value:010b}"
    assert KeyCode(code.decimal) == code == KeyCode(code.binary)
    assert KeyCode("１０２３").value == 1023
    assert repr(KeyCode.from_int(5)) == "KeyCode('0005')"
    assert pickle.loads(pickle.dumps(code)) == code
    assert len({KeyCode.from_int(5), KeyCode("0005")}) == 1


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", "keycode.empty"), ("12a4", "keycode.invalid_character"), ("123", "keycode.wrong_length"),
     ("1024", "keycode.out_of_range"), ("0120000000", "keycode.not_binary")],
)
def test_key_code_parse_errors(typed: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        KeyCode(typed)
    assert info.value.code == code and info.value.message_ja


def test_key_code_from_int_range() -> None:
    with pytest.raises(InvalidInputError) as info:
        KeyCode.from_int(1024)
    assert info.value.code == "keycode.out_of_range"
    assert info.value.params == {"value": "1024"}


def test_key_code_verify_on_device(master: MasterSecret) -> None:
    k_dev = master.device_key(UpsSerial("S123ABC"))
    code = KeyCode.derive(k_dev)
    code.verify(k_dev)  # returns nothing; raises when wrong
    KeyCode(code.binary).verify(k_dev)
    wrong = KeyCode.from_int((code.value + 1) % 1024)
    with pytest.raises(RejectedError) as info:
        wrong.verify(k_dev)
    assert info.value.code == "keycode.mismatch" and info.value.kind == "rejected"
    with pytest.raises(InvalidInputError):
        KeyCode("x")
    with pytest.raises(TypeError):
        code.verify(5)  # type: ignore[arg-type]


def test_batch_key_codes_equal_single_calls(master: MasterSecret) -> None:
    serials = [f"SN{i:06d}" for i in range(500)]
    batch = regcore.key_codes(master, serials)
    assert batch == [KeyCode.for_serial(master, s) for s in serials]
    assert regcore.key_codes(master, (UpsSerial(s) for s in serials[:3])) == batch[:3]
    assert regcore.key_codes(master, []) == []


def test_batch_reports_the_bad_item(master: MasterSecret) -> None:
    with pytest.raises(regcore.InvalidInputError) as info:
        regcore.key_codes(master, ["SN1", "SN2", "bad_serial"])
    assert info.value.code == "identifier.invalid_character"
    assert any("item 2" in note for note in info.value.__notes__)
    with pytest.raises(TypeError):
        regcore.key_codes(master, ["SN1", 2])  # type: ignore[list-item]


def test_gateway_password(master: MasterSecret) -> None:
    pw = GatewayPassword.for_gateway(master, "01AB-1234-5678")
    printed = pw.expose()
    assert len(printed) == 13 and set(printed) <= set("abcdefghijkmnpqrstuvwxyz23456789")
    assert repr(pw) == "GatewayPassword(<redacted>)" and printed not in repr(pw)
    assert GatewayPassword(printed.upper()) == pw
    k_dev = master.device_key(GatewayId("01AB12345678"))
    assert GatewayPassword.derive(k_dev) == pw
    GatewayPassword(printed).verify(k_dev)
    assert GatewayPassword.verify_pair(master, "01AB12345678", printed) is None
    other = GatewayPassword.for_gateway(master, "01AB12345679").expose()
    with pytest.raises(RejectedError) as info:
        GatewayPassword.verify_pair(master, "01AB12345678", other)
    assert info.value.code == "gateway_password.mismatch"
    with pytest.raises(InvalidInputError) as bad:
        GatewayPassword("abc")
    assert bad.value.code == "gateway_password.wrong_length"


def test_activation_keys_and_catalogue(master: MasterSecret) -> None:
    authority = ActivationAuthority(master)
    key = authority.mint(0x0101, 1)
    assert isinstance(key, ActivationKey)
    assert key == ActivationKey(str(key.number), str(key.registration_id))
    assert key == ActivationKey(key.number, key.registration_id)
    info = key.verify(authority)
    assert (info.product, info.serial) == (0x0101, 1)
    assert repr(info) == "ActivationInfo(product=0x0101, serial=1)"
    forged = ActivationKey(key.number, regcore.RegistrationId.from_int(int(key.registration_id) ^ 1))
    with pytest.raises(RejectedError) as info_err:
        forged.verify(authority)
    assert info_err.value.code == "activation.authentication_failed"
    with pytest.raises(InvalidInputError) as serial_err:
        authority.mint(1, 2**48)
    assert serial_err.value.code == "activation.serial_out_of_range"
    with pytest.raises(InvalidInputError) as product_err:
        authority.mint(0x10000, 1)
    assert product_err.value.params == {"name": "product", "min": "0", "max": "65535"}
    assert "redacted" in repr(authority)

    catalogue = ProductCatalogue({0x0101: Product("KX-VCS101", "Upgrade")})
    catalogue.insert(0x0000, Product("KX-VCS101", "Upgrade", demo=True))
    assert len(catalogue) == 2 and 0x0101 in catalogue and 0x0202 not in catalogue
    product = catalogue.get(info.product)
    assert (product.model, product.key_type, product.demo) == ("KX-VCS101", "Upgrade", False)
    with pytest.raises(regcore.RefusedError) as unknown:
        catalogue.get(0x0202)
    assert unknown.value.code == "activation.unknown_product"
    assert unknown.value.params == {"product": "0202"}


def test_registration_keys(master: MasterSecret) -> None:
    mpr = MprId("0123-4567-89AB-CDEF")
    key = RegistrationKey.issue(master, mpr, "1111-1111-1111-1111", 0x0101)
    assert key == RegistrationKey.issue(master, "0123456789abcdef", "1111111111111111", 0x0101)
    k_dev = master.device_key(mpr)
    assert key == RegistrationKey.derive(k_dev, "1111-1111-1111-1111", 0x0101)
    assert key.verify(k_dev) == 0x0101
    assert RegistrationKey(str(key).lower()) == key == RegistrationKey.from_int(int(key))
    assert len(key.compact) == 16 and str(key) == "-".join(key.compact[i:i + 4] for i in range(0, 16, 4))
    assert key.value == int(key)
    assert repr(key) == f"RegistrationKey('{key}')"
    demo_key = RegistrationKey.issue(master.demo(), mpr, "1111-1111-1111-1111", 0x0101)
    with pytest.raises(RejectedError) as info:
        demo_key.verify(k_dev)
    assert info.value.code == "regkey.authentication_failed"
    with pytest.raises(InvalidInputError) as bad:
        RegistrationKey("12")
    assert bad.value.code == "regkey.wrong_length"


def test_batch_registration_keys_equal_single_calls(master: MasterSecret) -> None:
    items = [(MprId.from_int(i), regcore.ActivationNumber.from_int(i * 7), i % 3) for i in range(200)]
    items_str: list[tuple[MprId | str, regcore.ActivationNumber | str, int]] = [
        (str(m), str(n), p) for m, n, p in items
    ]
    batch = regcore.registration_keys(master, items)
    assert batch == [RegistrationKey.issue(master, m, n, p) for m, n, p in items]
    assert regcore.registration_keys(master, items_str) == batch
    with pytest.raises(regcore.InvalidInputError) as info:
        regcore.registration_keys(master, [("0123456789ABCDEF", "nothex", 1)])
    assert any("item 0" in n for n in info.value.__notes__)
