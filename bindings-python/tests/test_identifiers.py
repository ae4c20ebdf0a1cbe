"""Boundary tests of the identifier classes: parse, str, repr, eq, hash, errors."""

from __future__ import annotations

import pickle

import pytest

import regcore
from regcore import (
    ActivationNumber,
    DealerId,
    EmailAddress,
    GatewayId,
    InvalidInputError,
    KmsLoginId,
    MprId,
    PhoneNumber,
    RegcoreError,
    RegistrationId,
    UpsSerial,
)

CASES: list[tuple[type[object], str, str]] = [
    (MprId, "０１２３－４５６７-89ab cdef", "0123-4567-89AB-CDEF"),
    (ActivationNumber, "fedc ba98 7654 3210", "FEDC-BA98-7654-3210"),
    (RegistrationId, "ab12-cd34", "AB12CD34"),
    (UpsSerial, "ｓ１２３-abc", "S123ABC"),
    (GatewayId, "01ab-1234-5678", "01AB12345678"),
    (PhoneNumber, "０９０－１２３４－５６７８", "09012345678"),
    (DealerId, " Shop_A-1 ", "Shop_A-1"),
    (KmsLoginId, "abcd1234", "abcd1234"),
    (EmailAddress, " Taro@Example.JP ", "Taro@Example.JP"),
]


@pytest.mark.parametrize(("cls", "typed", "canonical"), CASES)
def test_parse_str_repr_eq_hash(cls: type[object], typed: str, canonical: str) -> None:
    value = cls(typed)  # type: ignore[call-arg]
    assert str(value) == canonical
    assert repr(value) == f"{cls.__name__}('{canonical}')"
    again = cls(canonical)  # type: ignore[call-arg]
    assert value == again
    assert hash(value) == hash(again)
    assert len({value, again}) == 1
    assert value != canonical  # a typed value is not its string
    assert type(value).__module__ == "regcore"
    assert pickle.loads(pickle.dumps(value)) == value


@pytest.mark.parametrize(("cls", "typed", "canonical"), CASES)
def test_immutable(cls: type[object], typed: str, canonical: str) -> None:
    value = cls(typed)  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        value.anything = 1  # type: ignore[attr-defined]


def test_hex_identifiers_expose_numbers_and_bytes() -> None:
    mpr = MprId("0123456789abcdef")
    assert int(mpr) == mpr.value == 0x0123456789ABCDEF
    assert mpr.compact == "0123456789ABCDEF"
    assert bytes(mpr) == bytes.fromhex("0123456789abcdef")
    assert MprId.from_int(0x0123456789ABCDEF) == mpr
    number = ActivationNumber.from_int(1)
    assert str(number) == "0000-0000-0000-0001"
    assert number.compact == "0000000000000001"
    assert bytes(number) == b"\x00" * 7 + b"\x01"
    rid = RegistrationId.from_int(0xAB12CD34)
    assert str(rid) == "AB12CD34" and int(rid) == rid.value == 0xAB12CD34
    assert bytes(rid) == bytes.fromhex("ab12cd34")
    with pytest.raises(InvalidInputError) as too_big:
        MprId.from_int(2**64)
    assert too_big.value.code == "binding.integer_out_of_range"
    with pytest.raises(InvalidInputError):
        RegistrationId.from_int(-1)


def test_ordering() -> None:
    assert MprId.from_int(1) < MprId.from_int(2)
    assert sorted([UpsSerial("B"), UpsSerial("A")]) == [UpsSerial("A"), UpsSerial("B")]


def test_email_parts() -> None:
    e = EmailAddress(" Taro.Yamada@Example.CO.JP ")
    assert e.local_part == "Taro.Yamada"
    assert e.domain == "Example.CO.JP"
    assert e.comparison_key() == "Taro.Yamada@example.co.jp"


def test_error_carries_code_params_and_both_messages() -> None:
    with pytest.raises(InvalidInputError) as info:
        MprId("0123-4567-89AB-CDEG")
    err = info.value
    assert isinstance(err, RegcoreError) and isinstance(err, ValueError)
    assert err.code == "identifier.invalid_character"
    assert err.params == {"kind": "mpr_id", "character": "G", "position": "19"}
    assert "not allowed" in err.message_en
    assert "19文字目" in err.message_ja
    assert err.message("ja") == err.message_ja
    assert str(err) == f"{err.code}: {err.message_en}"
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InvalidInputError and copy.params == err.params


@pytest.mark.parametrize(
    ("cls", "typed", "code", "params"),
    [
        (MprId, "0123-4567-89AB-CDE", "identifier.too_short", {"kind": "mpr_id", "min": "16", "actual": "15"}),
        (UpsSerial, "A" * 33, "identifier.too_long", {"kind": "ups_serial", "max": "32", "actual": "33"}),
        (GatewayId, " - ", "identifier.empty", {"kind": "gateway_id"}),
        (EmailAddress, "taro", "identifier.invalid_email", {"kind": "email", "reason": "missing_at"}),
    ],
)
def test_each_identifier_error_code(
    cls: type[object], typed: str, code: str, params: dict[str, str]
) -> None:
    with pytest.raises(InvalidInputError) as info:
        cls(typed)  # type: ignore[call-arg]
    assert info.value.code == code
    assert info.value.params == params
    assert info.value.message_ja


def test_wrong_python_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        MprId(1234)  # type: ignore[arg-type]


def test_every_core_kind_has_its_exception_class() -> None:
    kinds = regcore.error_kinds()
    assert "invalid_input" in kinds and "store_unavailable" in kinds
    for kind in kinds:
        cls = regcore.exception_class_for_kind(kind)
        assert cls is not RegcoreError and issubclass(cls, RegcoreError), kind
    assert len({regcore.exception_class_for_kind(k) for k in kinds}) == len(kinds)
    assert regcore.exception_class_for_kind("no_such_kind") is RegcoreError
    assert issubclass(regcore.StoreContendedError, regcore.StoreError)
    assert issubclass(regcore.StoreUnavailableError, regcore.StoreError)
    assert issubclass(regcore.InvalidInputError, ValueError)