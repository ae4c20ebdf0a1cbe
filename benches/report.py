#!/usr/bin/env python3
"""Print the benchmark table: operation, time per op, ops/s.

Run after `cargo bench -p regcore-benches` (reads target/criterion, or
$CARGO_TARGET_DIR/criterion). Times are criterion's medians: on a shared VM a
few preempted samples move the mean by 10-20 % while the median stays put.
To compare two builds in one run, use benches/compare.py.
"""
import json
import os
import pathlib
import platform
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "criterion"


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
    rows = []
    for group in sorted(p for p in CRITERION.iterdir() if p.is_dir() and p.name != "report"):
        for bench in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
            ns = median_ns(bench)
            if ns is not None:
                rows.append((f"{group.name}/{bench.name}", ns))
    print(f"Machine: {cpu_name()}, one core.")
    print()
    print("| operation | time per op | ops/s |")
    print("|---|---:|---:|")
    for name, ns in rows:
        print(f"| {name} | {fmt_time(ns)} | {1e9 / ns:,.0f} |")
    ours = median_ns(CRITERION / "argon2id" / "hash_owasp")
    peer = median_ns(CRITERION / "argon2id" / "peer_rustcrypto_hash_owasp")
    if ours and peer:
        print()
        print(f"Argon2id (OWASP m=19456 KiB, t=2, p=1): regcore {ours / 1e6:.1f} ms,"
              f" RustCrypto argon2 {peer / 1e6:.1f} ms ({peer / ours:.2f}x).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
