#!/usr/bin/env python3
"""Print the benchmark table: operation, time per op, ops/s, % of the SHA-256 bound.

Run after `cargo bench -p regcore-benches` (reads target/criterion). The bound
for an operation is the number of SHA-256 compressions its construction needs
(docs/algorithms.md, with keyed HMAC states precomputed where a key is reused)
times the measured cost of one compression on this core in the same run.
Times are criterion's medians: on a shared VM a few preempted samples move
the mean by 10-20 % while the median stays put.
"""
import json
import pathlib
import platform
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"

# Compressions per operation as (SHA-256, SHA-1), from the constructions in
# docs/algorithms.md with keyed HMAC states precomputed where a key is reused:
# HMAC under a precomputed key costs 1 inner block per 64 bytes of
# (message + 9 bytes of padding) plus 1 outer block; keying a fresh HMAC key
# costs 2 more (its ipad and opad blocks).
COMPRESSIONS = {
    "keys/device_key": (4, 0),               # mac 2 + keying the new device key 2
    "keys/keycode_from_device_key": (2, 0),
    "keys/keycode_from_master": (6, 0),      # device key 2 + keying K_dev 2 + keycode 2
    "keys/keycode_verify": (2, 0),
    "keys/gateway_password_from_device_key": (2, 0),
    "keys/gateway_password_from_master": (6, 0),
    "keys/activation_mint": (4, 0),          # mask 2 + regid 2
    "keys/activation_check": (4, 0),
    "keys/registration_key_from_device_key": (6, 0),  # fp 2 + tag 2 + mask 2
    "keys/registration_key_from_master": (10, 0),     # + device key 2 + keying 2
    "keys/registration_key_verify": (4, 0),  # mask 2 + tag 2
    # subject key: 48-byte message under the precomputed secret (2), then
    # RFC 4226 HMAC-SHA-1 under that fresh 32-byte key: keying 2 + 1 + 1.
    "codes/issue": (2, 4),
    "codes/verify": (2, 4),
    # link tag: 4+15 label + 52-byte payload + 4-byte binding = 75 bytes,
    # 2 inner blocks + 1 outer.
    "tokens/sign": (3, 0),
    "tokens/verify": (3, 0),
}

SHA256_STREAM = ("bound", "sha256_compress_1MiB")
SHA256_SINGLE = ("bound", "sha256_compress_single_block")
SHA1_STREAM = ("bound", "sha1_compress_1MiB")
BLOCKS_PER_MIB = 16 * 1024


def median_ns(bench_dir: pathlib.Path) -> float | None:
    est = bench_dir / "new" / "estimates.json"
    if not est.exists():
        return None
    return json.loads(est.read_text())["median"]["point_estimate"]


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_time(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main() -> int:
    if not CRITERION.exists():
        print("no criterion results: run `cargo bench -p regcore-benches` first", file=sys.stderr)
        return 1
    sha256_mib = median_ns(CRITERION.joinpath(*SHA256_STREAM))
    sha256 = sha256_mib / BLOCKS_PER_MIB if sha256_mib else None
    sha256_single = median_ns(CRITERION.joinpath(*SHA256_SINGLE))
    sha1_mib = median_ns(CRITERION.joinpath(*SHA1_STREAM))
    sha1 = sha1_mib / BLOCKS_PER_MIB if sha1_mib else None
    rows = []
    for group in sorted(p for p in CRITERION.iterdir() if p.is_dir() and p.name != "report"):
        for bench in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
            ns = median_ns(bench)
            if ns is None:
                continue
            name = f"{group.name}/{bench.name}"
            counts = COMPRESSIONS.get(name)
            bound = pct = floor_pct = "–"
            comp = "–"
            if counts and sha256 and (sha1 or counts[1] == 0):
                n256, n1 = counts
                bound_ns = n256 * sha256 + n1 * (sha1 or 0.0)
                bound = fmt_time(bound_ns)
                pct = f"{100 * bound_ns / ns:.0f} %"
                comp = f"{n256}" + (f" + {n1} SHA-1" if n1 else "")
                if sha256_single:
                    # Same count, each compression priced as a lone one-block call.
                    floor_ns = n256 * sha256_single + n1 * (sha1 or 0.0)
                    floor_pct = f"{100 * floor_ns / ns:.0f} %"
            rows.append((name, ns, comp, bound, pct, floor_pct))
    print(f"Machine: {cpu_name()}, one core.")
    if sha256:
        print(f"SHA-256 compression (sha2 block function, 1 MiB stream): {sha256:.1f} ns"
              f" ({1e3 / sha256:.1f} M/s)"
              + (f"; as a lone one-block call: {sha256_single:.1f} ns" if sha256_single else "")
              + (f". SHA-1 compression: {sha1:.1f} ns." if sha1 else "."))
    print()
    print("| operation | time per op | ops/s | compressions | bound | % of bound | % of one-block-call floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, ns, comp, bound, pct, floor_pct in rows:
        print(f"| {name} | {fmt_time(ns)} | {1e9 / ns:,.0f} | {comp} | {bound} | {pct} | {floor_pct} |")
    ours = median_ns(CRITERION / "argon2id" / "hash_owasp")
    peer = median_ns(CRITERION / "argon2id" / "peer_rustcrypto_hash_owasp")
    if ours and peer:
        print()
        print(f"Argon2id (OWASP m=19456 KiB, t=2, p=1): regcore {ours / 1e6:.1f} ms,"
              f" RustCrypto argon2 {peer / 1e6:.1f} ms ({peer / ours:.2f}x).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
