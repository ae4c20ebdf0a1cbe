#!/usr/bin/env bash
# The long fuzz campaign: every target (or those named) until 10 million
# executions or 30 minutes, whichever comes first, then `cargo fuzz cmin`.
# Work goes under target/fuzz-campaign/ (corpora, logs, its own build, so the
# AddressSanitizer build that smoke.sh uses is left alone); the committed
# corpus is read, never written. A summary row per target goes to
# target/fuzz-campaign/summary.tsv. To keep a campaign's minimised corpora,
# copy target/fuzz-campaign/min/<t>/ over fuzz/corpus/<t>/ and `git add -f`.
#
# Usage: bash fuzz/campaign.sh [target ...]
#   FUZZ_RUNS         executions per target (default 10000000)
#   FUZZ_MAX_SECONDS  wall-clock cap per target (default 1800)
#   FUZZ_JOBS         targets fuzzed at once (default 1)
#   FUZZ_SANITIZER    cargo-fuzz sanitizer (default none: debug assertions and
#                     overflow checks stay on; `address` is about 2-3x slower)
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
runs=${FUZZ_RUNS:-10000000}
max_seconds=${FUZZ_MAX_SECONDS:-1800}
jobs=${FUZZ_JOBS:-1}
sanitizer=${FUZZ_SANITIZER:-none}
work=$(cd .. && pwd)/target/fuzz-campaign
build=(--sanitizer "$sanitizer" --debug-assertions --target-dir "$work/build")
mkdir -p "$work/corpus" "$work/min" "$work/logs" "$work/artifacts"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
cargo fuzz build "${build[@]}" 2>&1 | tail -2

one_target() {
    local t=$1 corpus="$work/corpus/$1" log="$work/logs/$1.log" start end
    mkdir -p "$corpus" "$work/artifacts/$t"
    [ -d "corpus/$t" ] && cp -n corpus/"$t"/* "$corpus/" 2>/dev/null || true
    [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "$corpus/" 2>/dev/null || true
    start=$(date +%s)
    local status=ok
    cargo fuzz run "${build[@]}" "$t" "$corpus" -- \
        -runs="$runs" -max_total_time="$max_seconds" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1 || status=CRASH
    end=$(date +%s)
    local execs rate cov entries
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    entries=$(find "$corpus" -type f | wc -l)
    rm -rf "$work/min/$t" && mkdir -p "$work/min/$t"
    cargo fuzz cmin "${build[@]}" "$t" "$corpus" >>"$log" 2>&1 || true
    cp "$corpus"/* "$work/min/$t/" 2>/dev/null || true
    local min_files min_bytes
    min_files=$(find "$work/min/$t" -type f | wc -l)
    min_bytes=$(du -sb "$work/min/$t" | cut -f1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$((end - start))" "$execs" "$rate" \
        "$cov" "$entries" "$min_files" "$min_bytes" "$status" >>"$work/summary.tsv"
    echo "$t: $status, $((end - start)) s, $execs execs, $rate execs/s, cov $cov"
}
export -f one_target
export work runs max_seconds
export build_flags="${build[*]}"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c \
    'build=($build_flags); one_target "$1"' _ {}
column -t -s $'\t' "$work/summary.tsv"
if grep -q CRASH "$work/summary.tsv"; then exit 1; fi
