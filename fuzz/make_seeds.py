#!/usr/bin/env python3
"""Write seed corpora under fuzz/seeds/<target>/ from the golden vectors in
core/tests/vectors/*.json (plus a few hand-written canonical forms for the
decoders that have no vector file). Deterministic: re-running rewrites the
same files. Fields inside one seed are separated by the byte 0xFF, as
regcore_fuzz::fields expects."""

import hashlib
import json
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parent
VECTORS = ROOT.parent / "core" / "tests" / "vectors"
SEEDS = ROOT / "seeds"
SEP = b"\xff"


def load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def as_bytes(x):
    return x if isinstance(x, bytes) else str(x).encode("utf-8")


def joined(*fields):
    return SEP.join(as_bytes(f) for f in fields)


def write(target, items):
    out = SEEDS / target
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seen = set()
    for item in items:
        data = as_bytes(item)
        if data in seen:
            continue
        seen.add(data)
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{target}: {len(seen)} seeds")


keys = load("keys.json")
codes = load("codes.json")
tokens = load("tokens.json")
masters = keys["masters"]

# --- identifiers: every identifier string the vectors type in ------------
ids = set()
for row in keys["device_keys"]:
    ids.update([row["id"], row["input"]])
for row in keys["gateway_passwords"]:
    ids.update([row["gateway_id"], row["gateway_input"]])
for row in keys["key_codes"]:
    ids.update([row["serial"], row["serial_input"]])
for row in keys["registration_keys"]:
    ids.update([row["mpr_id"], row["mpr_input"], row["activation_number"]])
for row in keys["activation_check"]:
    ids.update([row["number_input"], row["registration_id_input"]])
for row in keys["activation_mint"]:
    ids.update([row["number"], row["registration_id"]])
ids.update(["090-1234-5678", "user@example.co.jp", "ＡＢＣ－１２３", "dealer-01"])
write("identifiers", sorted(ids))

# --- key codes ------------------------------------------------------------
kc = [row["input"] for row in keys["key_code_parse"]]
for row in keys["key_codes"]:
    kc += [row["decimal"], row["binary"]]
write("keycode", kc)

# --- registration keys ----------------------------------------------------
rk = [row["registration_key"] for row in keys["registration_keys"]]
rk += [row["typed"] for row in keys["registration_key_verify"]]
write("regkey", rk)

# --- device keys + gateway passwords: "<hex>\xff<typed password>" ----------
dk = []
for i, row in enumerate(keys["device_keys"]):
    gw = keys["gateway_passwords"][i % len(keys["gateway_passwords"])]["password"]
    dk.append(joined(row["k_dev"], gw))
for row in keys["gateway_password_checks"]:
    dk.append(joined("", row["typed"]))
dk.append(joined(masters["m32"]["hex"].upper(), "VN4D-B8HZ-UMGB-V"))
write("device_keys", dk)

# --- activation: "<number>\xff<registration id>" ---------------------------
act = [joined(r["number_input"], r["registration_id_input"]) for r in keys["activation_check"]]
act += [joined(r["number"], r["registration_id"]) for r in keys["activation_mint"]]
write("activation", act)
