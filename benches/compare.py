#!/usr/bin/env python3
"""Run two builds of the criterion benchmark side by side and print medians.

    python3 benches/compare.py BEFORE_BIN AFTER_BIN [--prefix keys/ ...] [--rounds 5]

BEFORE_BIN and AFTER_BIN are bench executables (`cargo bench -p
regcore-benches --bench regcore --no-run` prints the path; build the old
commit in a copy of the tree to get the first). The two are run alternately,
benchmark by benchmark and round by round (which goes first alternates), so
the drift of a shared VM moves both columns alike. Each cell is the median
over rounds of criterion's median, with the minimum over rounds (the least
disturbed run) in brackets.
Results go to target/compare/{before,after} (criterion's CRITERION_HOME).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "compare"


def medians(home: pathlib.Path) -> dict[str, float]:
    found = {}
    for est in home.glob("*/*/new/estimates.json"):
        name = f"{est.parent.parent.parent.name}/{est.parent.parent.name}"
        found[name] = json.loads(est.read_text())["median"]["point_estimate"]
    return found


def fmt(ns: float) -> str:
    return f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.0f} ns"


def listed(binary: str) -> list[str]:
    out = subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout
    return [line.split(": ")[0] for line in out.splitlines() if line.endswith(": benchmark")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--prefix", action="append",
                    help="benchmark id prefix (default: keys/ codes/ tokens/ identifiers/)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--measurement-time", default="1.5")
    args = ap.parse_args()
    prefixes = tuple(args.prefix or ["keys/", "codes/", "tokens/", "identifiers/"])
    common = [b for b in listed(args.after) if b.startswith(prefixes) and b in listed(args.before)]
    runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    builds = [("before", args.before), ("after", args.after)]
    for r in range(args.rounds):
        for bench in common:
            # Alternate which build goes first, bench by bench and round by round.
            for label, binary in (builds if r % 2 == 0 else builds[::-1]):
                home = OUT / label
                subprocess.run(
                    [binary, "--bench", bench, "--exact", "--warm-up-time", "0.5",
                     "--measurement-time", args.measurement_time, "--noplot"],
                    env={**os.environ, "CRITERION_HOME": str(home)},
                    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
                runs[label].setdefault(bench, []).append(medians(home)[bench])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{args.rounds} rounds; each cell: median over rounds of criterion's median"
          " (minimum over rounds in brackets).")
    print()
    print("| operation | before | after | after / before | ops/s after |")
    print("|---|---:|---:|---:|---:|")
    for bench in common:
        b, a = runs["before"][bench], runs["after"][bench]
        mb, ma = statistics.median(b), statistics.median(a)
        print(f"| {bench} | {fmt(mb)} ({fmt(min(b))}) | {fmt(ma)} ({fmt(min(a))}) |"
              f" {ma / mb:.2f}× ({min(a) / min(b):.2f}×) | {1e9 / ma:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
