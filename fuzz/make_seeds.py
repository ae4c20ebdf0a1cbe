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

# --- password policies: "<password>\xff<user id>\xff<e-mail>\xff<blocklist>" --
passwords = [
    "Passw0rd!2024", "password", "abcd1234", "1234", "0000", "ｐａｓｓ１２３４！",
    "Regcore#2025x", "aaaaaaaa1!", "taro.yamada", "パスワード123!", "KX-VCS101",
    "correct horse battery staple", "\t\u0000ctrl", "Ab1!" * 5,
]
users = ["taro.yamada@example.co.jp", "user-42", "ab", ""]
pol = []
for i, pw in enumerate(passwords):
    pol.append(joined(pw, users[i % len(users)], "taro.yamada@example.co.jp", ""))
pol.append(joined("KX-VCS101", "u", "", "kx-vcs101"))
pol.append(joined("user-42", "user-42", "", ""))
write("policy_presets", pol)

policy_json = [
    {"min_length": 10, "max_length": 16,
     "alphabet": {"kind": "ascii", "lowercase": True, "uppercase": True, "digits": True,
                  "symbols": "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+="},
     "required": [{"class": "letter", "min_count": 1}, {"class": "digit", "min_count": 1},
                  {"class": "symbol", "min_count": 1}],
     "max_age_days": 180},
    {"min_length": 15, "max_length": 64, "alphabet": {"kind": "any_unicode"},
     "use_common_blocklist": True, "forbid_user_id": True, "blocklist": ["regcore"]},
    {"min_length": 4, "max_length": 8,
     "alphabet": {"kind": "ascii", "lowercase": False, "uppercase": False, "digits": True, "symbols": ""},
     "forbid_sequential_run": 4, "forbid_repeated_run": 3, "default_credentials": ["1234"]},
    {"min_length": 8, "max_length": 4, "alphabet": {"kind": "any_unicode"}},
    {"min_length": 8, "max_length": 64,
     "alphabet": {"kind": "ascii", "lowercase": True, "uppercase": False, "digits": False, "symbols": " !"},
     "required": [{"class": "uppercase", "min_count": 1}], "history_depth": 3,
     "expiry_warning_days": 14},
]
pj = []
for i, p in enumerate(policy_json):
    pj.append(joined(json.dumps(p), passwords[i % len(passwords)], "user-42", ""))
write("policy_json", pj)

# --- lockout state: policy, form, now (i64 ms), op count, ops, state -----
T0 = 1743498000000
lock_texts = ["l1.0..", "l1.1..1743498000000", "l1.5.1743498001000.1743498000000",
              "l1.6.1743498002000.1743498000000", "l1.4294967295.9223372036854775807.0",
              "l1.3..-62135596800000"]


def lock_bytes(failures, locked_until, last):
    flags = (1 if locked_until is not None else 0) | (2 if last is not None else 0)
    out = bytes([1, flags]) + struct.pack(">I", failures)
    for t in (locked_until, last):
        if t is not None:
            out += struct.pack(">q", t)
    return out


lock_bins = [lock_bytes(0, None, None), lock_bytes(5, T0 + 1000, T0),
             lock_bytes(6, T0 + 2000, T0), lock_bytes(2, None, T0)]
ops = [(0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (2, 30), (1, 0), (0, -3600)]
op_bytes = bytes([len(ops)]) + b"".join(bytes([k]) + struct.pack(">i", d) for k, d in ops)
lk = []
for policy in range(8):
    for text in lock_texts:
        lk.append(bytes([policy, 0]) + struct.pack(">q", T0 + 500) + op_bytes + text.encode())
    for binary in lock_bins:
        lk.append(bytes([policy, 1]) + struct.pack(">q", T0 + 500) + op_bytes + binary)
write("lockout_state", lk)

# --- code state: form, policy, clock offset, typed, state ------------------
cs = []
for i, case in enumerate(codes["cases"]):
    series, generation = case["series"], case["generation"]
    text = f"c1.{series}.{generation}.{series}.0.0"
    binary = struct.pack(">BIIqIB", 1, series, generation, series, 0, 0)
    typed = case["code"].encode()
    for form, state in ((0, text.encode()), (1, binary)):
        cs.append(bytes([form, i % 3]) + struct.pack(">i", 60) + bytes([len(typed)]) + typed + state)
cs.append(bytes([0, 0]) + struct.pack(">i", 90000) + b"\x06123456" + b"c1.1.4294967295.-1.4.1")
write("code_state", cs)

# --- tokens: "<token>\xff<phone>\xff<binding bytes>" -----------------------
tk = []
for case in tokens["cases"]:
    tk.append(joined(case["token"], case["phone"] or "", bytes.fromhex(case["binding_hex"])))
write("token", tk)

# --- PHC strings: "<phc>\xff<password>" --------------------------------------
phc = [
    "$argon2id$v=19$m=32,t=3,p=4,data=BAQEBAQEBAQEBAQE$AgICAgICAgICAgICAgICAg$DWQN9Y14dmwIwDejSotTydAe8EUtdbZetSUg6WsB5lk",
    "$argon2i$m=4096,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$wrPVqqK94QBN2rB1yjytrNq18RbjLommI0M2YiVJm18",
    "$argon2i$v=16$m=4096,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$wrPVqqK94QBN2rB1yjytrNq18RbjLommI0M2YiVJm18",
    "$argon2id$v=19$m=19456,t=2,p=1$cmVnY29yZS1zYWx0LTE2Yg$PXoEILKx0C1rM7HQu09tbCFPfKghx2SVsRgfimXyboY",
    "$argon2id$v=19$m=64,t=2,p=1$cmVnY29yZS1zYWx0LTE2Yg$PXoEILKx0C1rM7HQu09tbCFPfKghx2SVsRgfimXyboY",
    "$argon2d$v=19$m=8,t=1,p=1,keyid=AAAA$c2FsdHNhbHRzYWx0c2FsdA$wrPVqqK94QBN2rB1yjytrNq18RbjLommI0M2YiVJm18",
    "$argon2id$v=19$m=16,t=1,p=2$c2FsdHNhbHQ$PXoEILKx0C1rM7HQu09tbCFPfKghx2SVsRgfimXyboY",
    "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
]
write("phc", [joined(p, pw) for p in phc for pw in ("password", "")])

# --- ledger: op bytes (see fuzz_targets/ledger.rs) -------------------------
def issue(mpr, flags, picks, minutes=1):
    return bytes([0, mpr, flags, len(picks)] + picks + [minutes])


def rebind(pick, to, audit=0):
    return bytes([2, pick, to, audit])


REPORT = bytes([4, 0, 0, 0x7E, 0x90])  # +09:00
ld = [
    issue(0, 0, [0, 1]) + issue(0, 0, [0]) + issue(1, 0, [1, 2]) + REPORT,
    issue(0, 0, [0]) + issue(1, 2, [0]) + rebind(0, 1) + issue(1, 0, [0]) + REPORT,
    issue(0, 1, [16, 17]) + issue(0, 0, [16, 32 + 3]) + issue(2, 0, [4, 4, 5]) + REPORT,
    issue(0, 0, list(range(9))) + issue(3, 0, []) + rebind(5, 3, 3) + REPORT,
    issue(0, 0, [7]) + bytes([3]) + struct.pack(">q", 8210266876799999) + issue(0, 0, [7, 8]) + REPORT,
]
write("ledger", ld)

# --- store_protocol: backend, operation, flags, time offset, then answers
# (see fuzz_targets/store_protocol.rs). Flags 0b0000_0111: schema already
# checked, 4 tries; 0b0010_0111 also picks the second variant (a wrong code,
# two keys, a date range). Answers: "natural" shapes with the first or
# second content choice.
sp = []
for backend in range(4):
    for op in range(19):
        for flags in (0b0000_0111, 0b0010_0111):
            head = bytes([backend, op, flags, 0x80, 0x00])
            sp.append(head + bytes([0, 1] * 32))
            sp.append(head + bytes([0, 2, 1] * 20))
write("store_protocol", sp)
