#!/usr/bin/env bash
# Build every fuzz target and run each briefly (FUZZ_SECONDS, default 20).
# A crash leaves an artefact and fails this script.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
export RUSTC_BOOTSTRAP=1   # cargo-fuzz passes -Z flags; stable accepts them only with this
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
targets=$(cargo fuzz list)
# One build for every target (`cargo fuzz build` takes at most one name).
cargo fuzz build 2>&1 | tail -3
rm -rf artifacts
summary=()
# libFuzzer writes new inputs into, and deletes inputs it has reduced from,
# the first corpus directory it is given. The committed corpus (corpus/, seeds/)
# is therefore read-only input here, and the first directory is a scratch one
# under target/, so a run never changes the checkout.
scratch_root=../target/fuzz-smoke-corpus
for t in $targets; do
    scratch="$scratch_root/$t"
    mkdir -p "$scratch"
    inputs=("$scratch")
    [ -d "corpus/$t" ] && inputs+=("corpus/$t")
    [ -d "seeds/$t" ] && inputs+=("seeds/$t")
    log=$(mktemp)
    if cargo fuzz run "$t" "${inputs[@]}" -- -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        summary+=("$t: ok, $execs execs, $rate execs/s")
    else
        tail -40 "$log"
        summary+=("$t: CRASH")
    fi
    rm -f "$log"
done
printf '%s\n' "${summary[@]}"
if [ -d artifacts ] && [ -n "$(find artifacts -type f 2>/dev/null)" ]; then
    echo "fuzz: crash artefacts found:"; find artifacts -type f
    exit 1
fi
if printf '%s\n' "${summary[@]}" | grep -q CRASH; then exit 1; fi
