#!/usr/bin/env python3
"""Print the benchmark table: operation, time per op, ops/s, % of the SHA-256 bound.

Run after `cargo bench -p regcore-benches` (reads target/criterion). The bound
for an operation is the number of SHA-256 compressions its construction needs
(docs/algorithms.md, with keyed HMAC states precomputed where a key is reused)
times the measured cost of one compression on this core in the same run.
"""
import json
import pathlib
import platform
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"

# SHA-256 compressions per operation. HMAC with a precomputed key state costs
# 2 (inner message block + outer block) when the message fits one block;
# keying a fresh HMAC costs 2 more (ipad and opad blocks).
COMPRESSIONS = {
    "keys/device_key": 4,               # mac 2 + keying the new device key 2
    "keys/keycode_from_device_key": 2,
    "keys/keycode_from_master": 6,      # device key 2 + keying K_dev 2 + keycode 2
    "keys/keycode_verify": 2,
    "keys/gateway_password_from_device_key": 2,
    "keys/gateway_password_from_master": 6,
    "keys/activation_mint": 4,          # mask 2 + regid 2
    "keys/activation_check": 4,
    "keys/registration_key_from_device_key": 6,  # fp 2 + tag 2 + mask 2
    "keys/registration_key_from_master": 10,     # + device key 2 + keying 2
    "keys/registration_key_verify": 4,  # mask 2 + tag 2
    "codes/issue": 6,                   # subject key 2 + keying 2 + HOTP 2
    "codes/verify": 6,
    "tokens/sign": 4,                   # keyed HMAC over ~1-2 blocks
    "tokens/verify": 4,
}


def mean_ns(bench_dir: pathlib.Path) -> float | None:
    est = bench_dir / "new" / "estimates.json"
    if not est.exists():
        return None
    return json.loads(est.read_text())["mean"]["point_estimate"]


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    if not CRITERION.exists():
        print("no criterion results: run `cargo bench -p regcore-benches` first", file=sys.stderr)
        return 1
    bound_ns = mean_ns(CRITERION / "bound" / "sha256_compress_1MiB")
    per_block = bound_ns / (16 * 1024) if bound_ns else None
    rows = []
    for group in sorted(p for p in CRITERION.iterdir() if p.is_dir() and p.name != "report"):
        for bench in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
            ns = mean_ns(bench)
            if ns is None:
                continue
            name = f"{group.name}/{bench.name}"
            comp = COMPRESSIONS.get(name)
            pct = f"{100 * comp * per_block / ns:.0f} %" if (comp and per_block) else "–"
            rows.append((name, ns, pct))
    cpu = cpu_name()
    print(f"Machine: {cpu}, 1 core. SHA-256 compression: "
          + (f"{per_block:.1f} ns ({1e3 / per_block:.1f} M/s)" if per_block else "not measured"))
    print()
    print("| operation | time per op | ops/s | % of SHA-256 bound |")
    print("|---|---:|---:|---:|")
    for name, ns, pct in rows:
        t = f"{ns / 1e6:.2f} ms" if ns >= 1e6 else (f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns")
        print(f"| {name} | {t} | {1e9 / ns:,.0f} | {pct} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
