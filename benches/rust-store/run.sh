#!/usr/bin/env bash
# Throughput of the Rust store executors at 1, 4 and 16 worker processes,
# distinct keys and one hot key, in the same run as the Python store on the
# same servers; and the cost the store adds to one login around an Argon2id
# check. Prints Markdown tables (docs/rust-store.md holds a run's figures).
#
#   bash benches/rust-store/run.sh                 # everything
#   SECONDS_PER_ROW=2 WORKERS="1 4 16" STORES="sqlite postgres redis cluster" \
#   PYTHON_STORE=0 SKIP_THROUGHPUT=0 OVERHEAD_ITERATIONS=200 bash benches/rust-store/run.sh
#
# Needs the servers of scripts/services.sh. The Python rows need the regcore
# wheel in target/py-venv (bindings-python/test.sh builds it; PYTHON sets
# another interpreter); they are left out, saying so, when it is missing.
# For release Python rows (docs/rust-store.md's figures):
#   bash benches/store/venv.sh && PYTHON=target/bench/venv/bin/python bash benches/rust-store/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

seconds="${SECONDS_PER_ROW:-2}"
workers="${WORKERS:-1 4 16}"
stores="${STORES:-sqlite postgres redis cluster}"
iterations="${OVERHEAD_ITERATIONS:-200}"
python="${PYTHON:-$root/target/py-venv/bin/python}"

while IFS='=' read -r k v; do
    [[ "$k" == REGCORE_TEST_* ]] && export "$k=$v"
done < <(bash scripts/services.sh 2>/dev/null)

echo "==> building the bench (release)" >&2
cargo build --release --locked -q -p regcore-store --features sqlite,postgres,redis --example store_bench
bench="${CARGO_TARGET_DIR:-$root/target}/release/examples/store_bench"

target_of() {
    case "$1" in
        sqlite) echo "-" ;;
        postgres) echo "$REGCORE_TEST_POSTGRES" ;;
        redis) echo "$REGCORE_TEST_REDIS" ;;
        cluster) echo "$REGCORE_TEST_REDIS_CLUSTER" ;;
    esac
}

echo "### Machine"
echo
echo "$(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%d); PostgreSQL $(psql -h 127.0.0.1 -U postgres -Atqc 'show server_version' 2>/dev/null || echo '?'), Redis $(redis-cli info server 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/{print $2}')"
echo
if [[ "${SKIP_THROUGHPUT:-0}" != 1 ]]; then
echo "### Throughput, Rust executors (${seconds} s per row; one op = one failed attempt recorded)"
echo
echo "| store | workers | key | ops/s | p50 ms | p99 ms | lost races per op |"
echo "|---|---|---|---|---|---|---|"
for kind in $stores; do
    for w in $workers; do
        for key in distinct hot; do
            "$bench" throughput "$kind" "$(target_of "$kind")" "$w" "$key" "$seconds"
        done
    done
done

if [[ "${PYTHON_STORE:-1}" == 1 ]]; then
    if [[ -x "$python" ]] && "$python" -c 'import regcore.store' 2>/dev/null; then
        kinds=$(echo "$stores" | tr ' ' ',')
        "$python" benches/store/bench.py --skip-burst --seconds "$seconds" \
            --workers "$(echo "$workers" | tr ' ' ',')" --stores "$kinds" \
            | sed 's/^### Throughput/### Throughput, Python store/'
    else
        echo
        echo "(Python store rows left out: no regcore wheel at $python)"
    fi
fi
fi

echo
echo "### Login overhead ($iterations logins one at a time, Argon2id m=19 MiB t=2 p=1, right password, fresh key each)"
echo
echo "| store | logins | Argon2id check alone p50 ms | p99 ms | login with store p50 ms | p99 ms | store alone p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|---|"
for kind in $stores; do
    "$bench" overhead "$kind" "$(target_of "$kind")" "$iterations"
done
