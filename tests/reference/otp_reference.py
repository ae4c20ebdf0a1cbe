#!/usr/bin/env python3
"""Independent reference for regcore one-time codes and signed link tokens.

Uses only the Python standard library (hmac, hashlib, base64, struct) and
follows docs/algorithms.md section 1, not the Rust code. Recomputes every
vector in core/tests/vectors/codes.json and tokens.json plus the RFC 4226
Appendix D values, and exits non-zero on any mismatch.

    python3 tests/reference/otp_reference.py
"""

import base64
import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors"


def lp(data: bytes) -> bytes:
    """BE32 length prefix followed by the bytes."""
    return struct.pack(">I", len(data)) + data


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    """RFC 4226 HOTP (HMAC-SHA-1, dynamic truncation)."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[19] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_key(secret: bytes, purpose: str, subject: str) -> bytes:
    msg = lp(b"regcore/otp/v1") + lp(purpose.encode()) + lp(subject.encode("utf-8"))
    return hmac.new(secret, msg, hashlib.sha256).digest()


def code_counter(series: int, generation: int) -> int:
    return (series << 32) | generation


def token(secret: bytes, key_id: int, purpose: str, subject: str, issued_at: int,
          lifetime: int, generation: int, binding: bytes, phone) -> str:
    purpose_b = purpose.encode("utf-8")
    subject_b = subject.encode("utf-8")
    payload = (
        bytes([1])
        + struct.pack(">I", key_id)
        + struct.pack(">q", issued_at)
        + struct.pack(">q", issued_at + lifetime)
        + struct.pack(">I", generation)
        + bytes([1 if phone is not None else 0])
        + bytes([len(purpose_b)]) + purpose_b
        + bytes([len(subject_b)]) + subject_b
    )
    if phone is not None:
        payload += hmac.new(secret, lp(b"regcore/link-phone/v1") + lp(phone.encode()),
                            hashlib.sha256).digest()[:16]
    tag = hmac.new(secret, lp(b"regcore/link/v1") + payload + lp(binding),
                   hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(payload + tag).rstrip(b"=").decode("ascii")


def main() -> int:
    failures = []

    rfc_key = b"12345678901234567890"
    rfc = ["755224", "287082", "359152", "969429", "338314",
           "254676", "287922", "162583", "399871", "520489"]
    for counter, expected in enumerate(rfc):
        if hotp(rfc_key, counter) != expected:
            failures.append(f"RFC 4226 counter {counter}")

    codes = json.loads((VECTORS / "codes.json").read_text(encoding="utf-8"))["cases"]
    for i, case in enumerate(codes):
        key = code_key(bytes.fromhex(case["secret_hex"]), case["purpose"], case["subject"])
        counter = code_counter(case["series"], case["generation"])
        if key.hex() != case["key_hex"]:
            failures.append(f"codes[{i}] key")
        if f"{counter:016x}" != case["counter_hex"]:
            failures.append(f"codes[{i}] counter")
        if hotp(key, counter) != case["code"]:
            failures.append(f"codes[{i}] code")

    doc = json.loads((VECTORS / "tokens.json").read_text(encoding="utf-8"))
    secrets = {k["key_id"]: bytes.fromhex(k["secret_hex"]) for k in doc["keys"]}
    for i, case in enumerate(doc["cases"]):
        got = token(secrets[case["key_id"]], case["key_id"], case["purpose"], case["subject"],
                    case["issued_at"], case["lifetime_secs"], case["generation"],
                    bytes.fromhex(case["binding_hex"]), case["phone"])
        if got != case["token"]:
            failures.append(f"tokens[{i}]")

    if len(codes) < 20 or len(doc["cases"]) < 20:
        failures.append("fewer than 20 vectors")
    for f in failures:
        print(f"MISMATCH: {f}", file=sys.stderr)
    print(f"otp_reference: {len(rfc)} RFC 4226, {len(codes)} code and "
          f"{len(doc['cases'])} token vectors checked, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
