#!/usr/bin/env bash
# The Rust store: the pure protocol's tests, then the executors against the
# real servers of scripts/services.sh (started when missing), the axum
# example built and run against itself, clippy on each feature alone and
# all together, and the feature-labelled docs.
#
#   bash store/test.sh
#   REGCORE_STORE_TESTS=skip bash store/test.sh   # no servers: executor
#                                                 # tests return at once
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '==> %s\n' "$*" >&2; }

if [[ "${REGCORE_STORE_TESTS:-}" != skip ]]; then
    log "services"
    while IFS='=' read -r k v; do
        [[ "$k" == REGCORE_TEST_* ]] && export "$k=$v"
    done < <(bash scripts/services.sh)
fi
export REGCORE_TEST_POSTGRES="${REGCORE_TEST_POSTGRES:-host=127.0.0.1 port=5432 user=postgres dbname=postgres}"
export REGCORE_TEST_REDIS="${REGCORE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
export REGCORE_TEST_REDIS_CLUSTER="${REGCORE_TEST_REDIS_CLUSTER:-redis://127.0.0.1:7001}"

all=sqlite,postgres,redis,axum-example

log "pure protocol (no features)"
cargo test --locked -p regcore-store

log "executors on SQLite, PostgreSQL, Redis and the Cluster (builds the examples)"
cargo test --locked -p regcore-store --features "$all"

log "axum example: six wrong logins, the last one 429 with Retry-After"
"${CARGO_TARGET_DIR:-$root/target}/debug/examples/axum_login" --selftest

for features in "" sqlite postgres redis "$all"; do
    log "clippy ${features:-(no features)}"
    cargo clippy --locked -q -p regcore-store --all-targets ${features:+--features "$features"} -- -D warnings
done

log "docs (every executor feature)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked -q -p regcore-store --no-deps --features sqlite,postgres,redis

log "rust store: all checks passed"
