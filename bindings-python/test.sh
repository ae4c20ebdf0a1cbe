#!/usr/bin/env bash
# Build the regcore wheel from this checkout, install it into a private
# virtualenv and run the boundary tests, the stub check and mypy.
#
# Needs only Python >= 3.11 with pip (and the Rust toolchain); everything else
# is installed into target/py-venv, idempotently. Exits non-zero on any
# failure, including "pytest collected nothing" (exit 5).
#
#   bindings-python/test.sh            # release build (what users get)
#   PROFILE=debug bindings-python/test.sh
#   bindings-python/test.sh -k lockout # extra args go to pytest
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${REGCORE_PY_VENV:-$target/py-venv}"
profile="${PROFILE:-release}"
python="${PYTHON:-python3}"

log() { printf '==> %s\n' "$*" >&2; }

if [[ ! -x "$venv/bin/python" ]]; then
    log "creating virtualenv $venv"
    if ! "$python" -m venv "$venv"; then
        # Debian's python3 without python3-venv: fall back to virtualenv.
        rm -rf "$venv"
        "$python" -m pip install --quiet --user virtualenv
        "$python" -m virtualenv --quiet "$venv"
    fi
fi
py="$venv/bin/python"
"$py" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"Python >= 3.11 required, found {sys.version.split()[0]}")
PY

log "installing build and test tools"
"$py" -m pip install --quiet --disable-pip-version-check --upgrade \
    "maturin>=1.9.4,<2" "pytest>=8" "mypy>=1.10"
# The store layer's drivers (the regcore[postgres] and regcore[redis] extras)
# for tests/store, which run against the real servers of scripts/services.sh.
"$py" -m pip install --quiet --disable-pip-version-check \
    "psycopg[binary]>=3.1,<4" "psycopg-pool>=3.2,<4" "redis>=5,<9"

log "building wheel ($profile)"
wheels="$target/wheels/regcore-python"
rm -rf "$wheels"
build_args=(build --manifest-path "$here/Cargo.toml" --out "$wheels" --interpreter "$py")
if [[ "$profile" == "release" ]]; then
    build_args+=(--release)
fi
(cd "$here" && "$venv/bin/maturin" "${build_args[@]}")

wheel="$(ls "$wheels"/regcore-*.whl)"
log "installing $(basename "$wheel")"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# Store tests (tests/store) need PostgreSQL and Redis (scripts/services.sh
# starts them; it prints these defaults). Skipping the test-all.sh step
# python-store skips them too.
export REGCORE_TEST_POSTGRES="${REGCORE_TEST_POSTGRES:-host=127.0.0.1 port=5432 user=postgres dbname=postgres}"
export REGCORE_TEST_REDIS="${REGCORE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
export REGCORE_TEST_REDIS_CLUSTER="${REGCORE_TEST_REDIS_CLUSTER:-redis://127.0.0.1:7001}"
if [[ " ${REGCORE_SKIP:-} " == *" python-store "* ]]; then
    export REGCORE_STORE_TESTS=skip
fi

# Run from a directory without the source package so `import regcore` is
# the installed wheel, exactly as a user gets it.
cd "$here/tests"

log "pytest"
set +e
"$py" -m pytest -p no:cacheprovider "$here/tests" "$@"
status=$?
set -e
if [[ $status -eq 5 ]]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
elif [[ $status -ne 0 ]]; then
    exit $status
fi

log "stubtest"
"$py" -m mypy.stubtest regcore \
    --mypy-config-file "$here/pyproject.toml" \
    --allowlist "$here/tools/stubtest-allowlist.txt" --ignore-unused-allowlist

log "mypy --strict on the tests (the stubs as a user's type checker sees them)"
"$py" -m mypy --config-file "$here/pyproject.toml" --cache-dir "$target/py-mypy-cache" "$here/tests"

log "python binding: all checks passed"
