#!/usr/bin/env python3
"""Independent reference for regcore's unlock keys (docs/algorithms.md §2).

Written from the document with the Python standard library only (hmac,
hashlib). Recomputes every case of core/tests/vectors/keys.json and exits
non-zero on any mismatch, proving the document is implementable.

Usage: python3 tests/reference/keys_reference.py [path/to/keys.json]
"""

import hashlib
import hmac
import json
import pathlib
import sys

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
HYPHENS = {"-", "\uff0d", "\u30fc", "\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\uff70"}
KINDS = {"ups": 0x01, "gateway": 0x02, "terminal": 0x03, "activation": 0x04}


def H(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def fold(c: str) -> str:
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFF01 + 0x21)
    if o == 0x3000:
        return " "
    return c


def compact(s: str) -> str:
    """§2.1: fold full-width, drop white space and hyphens, upper-case."""
    out = []
    for c in s:
        f = fold(c)
        if f.isspace() or f in HYPHENS or c in HYPHENS:
            continue
        out.append(f.upper() if f.isascii() else f)
    return "".join(out)


def hex_id(s: str, digits: int) -> int:
    c = compact(s)
    assert len(c) == digits and all(ch in "0123456789ABCDEF" for ch in c), s
    return int(c, 16)


def group16(v: int) -> str:
    h = "%016X" % v
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


def master_of(vec, name: str, demo: bool) -> bytes:
    m = bytes.fromhex(vec["masters"][name]["hex"])
    assert 32 <= len(m) <= 64
    return H(m, b"regcore/v1/demo-master") if demo else m


def device_key(master: bytes, kind: str, ident: str) -> bytes:
    i = ident.encode("ascii")
    return H(master, b"regcore/v1/device-key", bytes([KINDS[kind], len(i)]), i)


def key_code(k_dev: bytes) -> int:
    return int.from_bytes(H(k_dev, b"keycode")[0:2], "big") & 0x3FF


def parse_key_code(s: str):
    c = compact(s)
    if not c:
        return ("error", "keycode.empty")
    if not all(ch in "0123456789" for ch in c):
        return ("error", "keycode.invalid_character")
    if len(c) == 4:
        v = int(c, 10)
        return ("error", "keycode.out_of_range") if v > 1023 else ("ok", v)
    if len(c) == 10:
        if not all(ch in "01" for ch in c):
            return ("error", "keycode.not_binary")
        return ("ok", int(c, 2))
    return ("error", "keycode.wrong_length")


def gateway_password(k_dev: bytes) -> str:
    v = int.from_bytes(H(k_dev, b"gateway-password"), "big") >> (256 - 65)
    return "".join(ALPHABET[(v >> (60 - 5 * i)) & 31] for i in range(13))


def check_gateway(k_dev: bytes, typed: str):
    t = compact(typed).lower()
    if any(ch not in ALPHABET for ch in t):
        return "gateway_password.invalid_character"
    if not t:
        return "gateway_password.empty"
    if len(t) != 13:
        return "gateway_password.wrong_length"
    ok = hmac.compare_digest(t.encode(), gateway_password(k_dev).encode())
    return None if ok else "gateway_password.mismatch"


def act_mask(k_act: bytes, serial: int) -> int:
    return int.from_bytes(H(k_act, b"mask", serial.to_bytes(6, "big"))[0:2], "big")


def mint(k_act: bytes, product: int, serial: int):
    number = ((product ^ act_mask(k_act, serial)) << 48) | serial
    regid = H(k_act, b"regid", number.to_bytes(8, "big"))[0:4]
    return number, regid


def check_activation(k_act: bytes, number: int, regid: bytes):
    expected = H(k_act, b"regid", number.to_bytes(8, "big"))[0:4]
    if not hmac.compare_digest(expected, regid):
        return None
    serial = number & ((1 << 48) - 1)
    return (number >> 48) ^ act_mask(k_act, serial)


def reg_key(k_dev: bytes, number: int, product: int) -> int:
    fp = H(k_dev, b"act-fp", number.to_bytes(8, "big"))[0:2]
    mask = int.from_bytes(H(k_dev, b"mask", fp)[0:2], "big")
    tag = H(k_dev, b"tag", product.to_bytes(2, "big"), fp)[0:4]
    return int.from_bytes((product ^ mask).to_bytes(2, "big") + fp + tag, "big")


def verify_reg_key(k_dev: bytes, key: int):
    b = key.to_bytes(8, "big")
    fp = b[2:4]
    product = int.from_bytes(b[0:2], "big") ^ int.from_bytes(H(k_dev, b"mask", fp)[0:2], "big")
    tag = H(k_dev, b"tag", product.to_bytes(2, "big"), fp)[0:4]
    return product if hmac.compare_digest(tag, b[4:8]) else None


def main() -> int:
    default = pathlib.Path(__file__).resolve().parents[2] / "core/tests/vectors/keys.json"
    vec = json.loads(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else default).read_text("utf-8"))
    failures = []
    counts = {}

    def expect(section, got, want, case):
        counts[section] = counts.get(section, 0) + 1
        if got != want:
            failures.append(f"{section}: got {got!r}, want {want!r} in {case}")

    for c in vec["device_keys"]:
        m = master_of(vec, c["master"], c["demo"])
        kind = c["kind"]
        ident = {"ups": compact, "gateway": compact,
                 "terminal": lambda s: "%016X" % hex_id(s, 16),
                 "activation": lambda s: ""}[kind](c["input"])
        expect("device_keys", (ident, device_key(m, kind, ident).hex()), (c["id"], c["k_dev"]), c)

    for c in vec["key_codes"]:
        m = master_of(vec, c["master"], c["demo"])
        serial = compact(c["serial_input"])
        v = key_code(device_key(m, "ups", serial))
        expect("key_codes", (serial, v, "%04d" % v, format(v, "010b")),
               (c["serial"], c["value"], c["decimal"], c["binary"]), c)

    for c in vec["key_code_parse"]:
        want = ("error", c["error"]) if "error" in c else ("ok", c["value"])
        expect("key_code_parse", parse_key_code(c["input"]), want, c)

    for c in vec["gateway_passwords"]:
        m = master_of(vec, c["master"], c["demo"])
        gw = compact(c["gateway_input"])
        expect("gateway_passwords", (gw, gateway_password(device_key(m, "gateway", gw))),
               (c["gateway_id"], c["password"]), c)

    for c in vec["gateway_password_checks"]:
        m = master_of(vec, c["master"], False)
        err = check_gateway(device_key(m, "gateway", c["gateway_id"]), c["typed"])
        expect("gateway_password_checks", (err is None, err), (c["ok"], c["error"]), c)

    for c in vec["activation_mint"]:
        k_act = device_key(master_of(vec, c["master"], c["demo"]), "activation", "")
        number, regid = mint(k_act, c["product"], c["serial"])
        expect("activation_mint", (group16(number), regid.hex().upper()),
               (c["number"], c["registration_id"]), c)

    for c in vec["activation_check"]:
        k_act = device_key(master_of(vec, c["master"], c["demo"]), "activation", "")
        number = hex_id(c["number_input"], 16)
        regid = hex_id(c["registration_id_input"], 8).to_bytes(4, "big")
        product = check_activation(k_act, number, regid)
        expect("activation_check", (product is not None, product), (c["ok"], c["product"]), c)

    for c in vec["registration_keys"]:
        m = master_of(vec, c["master"], c["demo"])
        mpr = hex_id(c["mpr_input"], 16)
        k_dev = device_key(m, "terminal", "%016X" % mpr)
        key = reg_key(k_dev, hex_id(c["activation_number"], 16), c["product"])
        expect("registration_keys", (group16(mpr), group16(key)),
               (c["mpr_id"], c["registration_key"]), c)

    for c in vec["registration_key_verify"]:
        m = master_of(vec, c["master"], c["demo_device"])
        k_dev = device_key(m, "terminal", "%016X" % hex_id(c["mpr_id"], 16))
        product = verify_reg_key(k_dev, hex_id(c["typed"], 16))
        err = None if product is not None else "regkey.authentication_failed"
        expect("registration_key_verify", (product is not None, product, err),
               (c["ok"], c["product"], c["error"]), c)

    for section, n in sorted(counts.items()):
        print(f"{section}: {n} cases")
    if failures:
        for f in failures:
            print("MISMATCH", f, file=sys.stderr)
        print(f"{len(failures)} mismatches", file=sys.stderr)
        return 1
    print("all vectors reproduced")
    return 0


if __name__ == "__main__":
    sys.exit(main())
