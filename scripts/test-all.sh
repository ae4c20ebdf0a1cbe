#!/usr/bin/env bash
# Every test regcore has, in the order a failure is cheapest to find.
# Installs what it needs (idempotently), so it runs on a fresh machine:
# Rust stable, Python 3.11 + pip, Node 20 + npm, Java 17, root with apt.
# The last step, dist (scripts/dist.sh), builds the packages users install
# and installs each without Rust; its tools (maturin, zig, cargo-zigbuild,
# twine, auditwheel, actionlint, kotlinc) go under target/.
#
# Usage: bash scripts/test-all.sh            # everything
#        REGCORE_SKIP="node mobile" bash scripts/test-all.sh   # skip steps by name
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=never
# The dist step checks that the whole command left the checkout as it found
# it (lock files, generated files): on a clean clone, `git status --porcelain`
# stays empty.
REGCORE_STATUS_AT_START=$(git status --porcelain 2>/dev/null || true)
export REGCORE_STATUS_AT_START

passed=()
failed=()
skip=" ${REGCORE_SKIP:-} "

step() {
    local name=$1
    shift
    if [[ "$skip" == *" $name "* ]]; then
        echo "=== $name: skipped by REGCORE_SKIP"
        return
    fi
    echo
    echo "=================================================================="
    echo "=== $name: $*"
    echo "=================================================================="
    local start=$SECONDS
    if "$@"; then
        passed+=("$name")
        echo "=== $name: ok ($((SECONDS - start)) s)"
    else
        failed+=("$name")
        echo "=== $name: FAILED ($((SECONDS - start)) s)"
    fi
}

reference_scripts() {
    local rc=0 f
    for f in tests/reference/*.py; do
        [ -e "$f" ] || continue
        echo "--- python3 $f"
        python3 "$f" || rc=1
    done
    return $rc
}

step fmt cargo fmt --all --check
step clippy cargo clippy --workspace --all-targets --locked -- -D warnings
# The workspace build unifies features (the bindings turn on argon2-simd), so
# lint and test core once more as a Rust user gets it by default.
step clippy-core-default cargo clippy -p regcore --all-targets --locked -- -D warnings
step core cargo test --locked -p regcore
# The SIMD Argon2 backend: RFC 9106 KAT, PHC tests and the property test that
# both backends give the same tag.
step core-argon2-simd cargo test --locked -p regcore --features argon2-simd --lib --test hash_argon2
# The store protocol, pure (no servers): state machines with scripted
# replies, golden SQL and Lua.
step store-protocol cargo test --locked -p regcore-store
step doc env RUSTDOCFLAGS="-D warnings" cargo doc --locked -p regcore -p regcore-store --no-deps
[ -d benches/benches ] && step benches-smoke cargo test --locked -p regcore-benches --benches
step reference reference_scripts
# PostgreSQL 15, Redis 7 and a 3-master Redis Cluster for the store tests in
# the python step (skipping this step skips those tests).
[ -f scripts/services.sh ] && step python-store bash scripts/services.sh
[ -f bindings-python/test.sh ] && step python bash bindings-python/test.sh
# The Rust store executors (sqlx, redis-rs) on the same servers; its
# mixed-language burst uses the wheel the python step installed.
[ -f store/test.sh ] && step rust-store bash store/test.sh
[ -f bindings-node/test.sh ] && step node bash bindings-node/test.sh
# One burst of 100 wrong logins split across Python, Node and Rust processes
# on one SQLite file, one PostgreSQL and one Redis: at most 5 password checks
# (the Rust worker is the example rust-store's `cargo test` already built).
cross_language() {
    local name value
    while IFS='=' read -r name value; do
        [[ "$name" == REGCORE_TEST_* ]] && export "$name=$value"
    done < <(bash scripts/services.sh) || return 1
    target/py-venv/bin/python tests/cross-language/burst.py
}
step cross-language cross_language
# Framework drop-ins on the wheel and addon the two steps above built:
# regcore.contrib.django (with the 100-process burst beside django-axes)
# on Django 5.2 LTS (Python 3.11) and Django 6.x (CPython 3.13, built once by
# scripts/python313.sh from Debian's source tarball into ~/.cache/regcore:
# about 5½ minutes and apt's -dev packages the first time on a machine),
# regcore/express (node:cluster burst), then both in headless Chromium
# (Debian's chromium + chromium-driver, installed when missing).
[ -f bindings-python/tests-django/run.sh ] && step django bash bindings-python/tests-django/run.sh
[ -f examples/express/test.sh ] && step express bash examples/express/test.sh
[ -f examples/portal/test.sh ] && step browser bash examples/portal/test.sh
[ -f bindings-mobile/test.sh ] && step mobile bash bindings-mobile/test.sh
[ -f fuzz/smoke.sh ] && step fuzz bash fuzz/smoke.sh
# The artifacts users install (wheel, sdist, npm packages, JVM jar), checked
# and installed each in a clean place with no Rust toolchain on PATH; last,
# so it also checks that the steps above left the checkout clean.
[ -f scripts/dist.sh ] && step dist bash scripts/dist.sh

echo
echo "=================================================================="
echo "steps passed: ${passed[*]:-none}"
echo "steps failed: ${failed[*]:-none}"
echo "steps: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
