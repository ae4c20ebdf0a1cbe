#!/usr/bin/env python3
"""Python-side benchmarks of regcore (a script, not a test).

1. UPS key codes for N serial numbers (the factory CSV case):
   regcore.key_codes (one call) vs KeyCode.for_serial per item vs a pure-Python
   hmac/hashlib implementation of the same construction (docs/algorithms.md
   §2), all checked to agree; optionally Rust's own per-item time from the
   criterion bench `keys/keycode_from_master` (--rust).
2. Argon2id at OWASP parameters (m=19 MiB, t=2, p=1, 32-byte tag):
   regcore.hash_password vs argon2-cffi's hash_secret_raw (the C reference).

Usage (after bindings-python/test.sh has built and installed the wheel):
    target/py-venv/bin/pip install argon2-cffi
    target/py-venv/bin/python benches/python/bench_python.py [--n 100000] [--rust]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import regcore

MASTER = bytes([0x42]) * 32
LABEL = b"regcore/v1/device-key"
KIND_UPS = 0x01


def pure_python_key_code(master: bytes, serial: str) -> int:
    """docs/algorithms.md §2: K_dev = HMAC(master, label ‖ kind ‖ len ‖ id);
    code = BE16(HMAC(K_dev, "keycode")[0..2]) & 0x3FF (serial already canonical)."""
    ident = serial.encode("ascii")
    k_dev = hmac.new(master, LABEL + bytes([KIND_UPS, len(ident)]) + ident, hashlib.sha256).digest()
    mac = hmac.new(k_dev, b"keycode", hashlib.sha256).digest()
    return int.from_bytes(mac[:2], "big") & 0x3FF


HYPHENS = {"-", "\uff0d", "\u30fc", "\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\uff70"}


def pure_python_parse_serial(typed: str) -> str:
    """docs/algorithms.md §2.1 normalisation and the UPS serial rule (1-32 of A-Z 0-9), as
    regcore.UpsSerial does it, so the string comparison is like for like."""
    out = []
    for c in typed:
        o = ord(c)
        f = chr(o - 0xFF01 + 0x21) if 0xFF01 <= o <= 0xFF5E else (" " if o == 0x3000 else c)
        if f.isspace() or f in HYPHENS or c in HYPHENS:
            continue
        f = f.upper()
        if not ("A" <= f <= "Z" or "0" <= f <= "9"):
            raise ValueError(f"invalid character {c!r}")
        out.append(f)
    if not 1 <= len(out) <= 32:
        raise ValueError("length")
    return "".join(out)


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def rust_per_item_ns(root: Path) -> float | None:
    """Median of criterion's keys/keycode_from_master, in ns."""
    cmd = ["cargo", "bench", "-p", "regcore-benches", "--bench", "regcore", "--", "keys/keycode_from_master"]
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    text = out.stdout + out.stderr
    m = re.search(r"keys/keycode_from_master\s+time:\s+\[\S+ \S+ (\S+) (\S+)", text)
    if not m:
        print(text[-2000:], file=sys.stderr)
        return None
    value, unit = float(m.group(1)), m.group(2)
    return value * {"ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6}[unit]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rust", action="store_true", help="also run the criterion bench for Rust's per-item time")
    args = ap.parse_args()
    n = args.n
    master = regcore.MasterSecret(1, MASTER)
    serials = [f"BX50F{i:08d}" for i in range(n)]
    typed = [regcore.UpsSerial(s) for s in serials]

    batch = regcore.key_codes(master, serials)
    assert [k.value for k in batch[:1000]] == [pure_python_key_code(MASTER, s) for s in serials[:1000]]
    assert pure_python_parse_serial("ｂｘ５０ｆ－0001") == str(regcore.UpsSerial("ｂｘ５０ｆ－0001"))

    # Interleaved rounds, best of each: a machine shared with other work
    # slows all methods alike within a round.
    methods: dict[str, Callable[[], object]] = {
        "batch": lambda: regcore.key_codes(master, serials),
        "batch_typed": lambda: regcore.key_codes(master, typed),
        "items": lambda: [regcore.KeyCode.for_serial(master, s) for s in serials],
        "pure": lambda: [pure_python_key_code(MASTER, s) for s in serials],
        "pure_parse": lambda: [pure_python_key_code(MASTER, pure_python_parse_serial(s)) for s in serials],
    }
    best = {name: float("inf") for name in methods}
    for _ in range(args.runs):
        for name, fn in methods.items():
            best[name] = min(best[name], best_of(1, fn))
    t_batch, t_batch_typed, t_items = best["batch"], best["batch_typed"], best["items"]
    t_pure, t_pure_parse = best["pure"], best["pure_parse"]
    per = lambda t: t / n * 1e9  # noqa: E731
    print(f"key codes, n = {n} (best of {args.runs}), python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"  regcore.key_codes(list[str])        {t_batch * 1e3:9.1f} ms  {per(t_batch):7.0f} ns/code")
    print(f"  regcore.key_codes(list[UpsSerial])  {t_batch_typed * 1e3:9.1f} ms  {per(t_batch_typed):7.0f} ns/code")
    print(f"  KeyCode.for_serial per item         {t_items * 1e3:9.1f} ms  {per(t_items):7.0f} ns/code")
    print(f"  pure-Python hmac/hashlib            {t_pure * 1e3:9.1f} ms  {per(t_pure):7.0f} ns/code")
    print(f"  pure-Python parse + hmac/hashlib    {t_pure_parse * 1e3:9.1f} ms  {per(t_pure_parse):7.0f} ns/code")
    print(f"  batch(str) vs pure parse+hmac       {t_pure_parse / t_batch:9.1f} x")
    print(f"  batch(UpsSerial) vs pure hmac       {t_pure / t_batch_typed:9.1f} x")
    print(f"  batch(str) vs pure hmac (no parse)  {t_pure / t_batch:9.1f} x")
    print(f"  batch speed-up vs per-item calls    {t_items / t_batch:9.1f} x")
    if args.rust:
        root = Path(__file__).resolve().parents[2]
        rust = rust_per_item_ns(root)
        if rust is not None:
            print(f"  Rust KeyCode::for_serial (criterion) {rust:8.0f} ns/code")
            print(f"  batch (str) speed as % of Rust      {100 * rust / per(t_batch):9.0f} %")
            print(f"  batch (UpsSerial) as % of Rust      {100 * rust / per(t_batch_typed):9.0f} %")

    try:
        from argon2.low_level import Type, hash_secret_raw  # type: ignore[import-not-found]
    except ImportError:
        print("argon2-cffi not installed: skipping the Argon2id comparison (pip install argon2-cffi)")
        return 0
    salt = b"s" * 16
    password = "correct horse battery staple"
    p = regcore.HashParams.OWASP
    runs = max(5, args.runs * 2)

    def ours() -> object:
        return regcore.hash_password(password, salt=salt, params=p)

    def cffi() -> object:
        return hash_secret_raw(password.encode(), salt, time_cost=p.iterations, memory_cost=p.memory_kib,
                               parallelism=p.parallelism, hash_len=32, type=Type.ID)

    ours()
    cffi()
    # Same construction: the PHC tag of ours equals argon2-cffi's raw output.
    import base64
    phc_tag = ours().split("$")[-1]  # type: ignore[attr-defined]
    assert base64.b64decode(phc_tag + "=" * (-len(phc_tag) % 4)) == cffi()
    t_ours = [best_of(1, ours) for _ in range(runs)]
    t_cffi = [best_of(1, cffi) for _ in range(runs)]
    mo, mc = statistics.median(t_ours), statistics.median(t_cffi)
    print(f"Argon2id m={p.memory_kib} KiB t={p.iterations} p={p.parallelism}, median of {runs}")
    print(f"  regcore.hash_password               {mo * 1e3:9.1f} ms")
    print(f"  argon2-cffi hash_secret_raw         {mc * 1e3:9.1f} ms")
    print(f"  regcore / argon2-cffi               {mo / mc:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
