#!/usr/bin/env bash
# regcore.contrib.django tests: hasher, validator, lockout backend, codes,
# stores from settings, and the 100-process burst beside django-axes.
#
# The same suite runs twice, on one regcore wheel file (abi3: one file for
# 3.11 and 3.13): the one test.sh's virtualenv was installed from
# (bindings-python/test.sh builds target/wheels/regcore-python/regcore-*.whl):
#   1. Django 5.2 LTS on Python 3.11, in test.sh's virtualenv (target/py-venv);
#   2. Django 6.x on Python 3.13 (Django 6 needs Python >= 3.12), in
#      target/py313-django-venv, made with the interpreter that
#      scripts/python313.sh provides (a cached build, or built once from
#      Debian's CPython source). No Rust build here: the same wheel file is
#      installed with pip.
# Each run asserts its Django major (and 5.2 for the LTS) before any test, so
# pip cannot silently pick another. The 100-process burst of regcore's backend
# (asserted: at most 5 password checks) runs in both; django-axes' burst
# beside it (reported, not asserted) only in the 5.2 run, where it is the
# documented figure: it costs more than the rest of a run. Both runs always execute; the script
# fails if either fails, or if the 3.13 interpreter cannot be had.
# Packages are installed idempotently. Extra arguments go to both pytest runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${REGCORE_PY_VENV:-$target/py-venv}"
venv6="${REGCORE_PY313_DJANGO_VENV:-$target/py313-django-venv}"
pip_install=(-m pip install --quiet --disable-pip-version-check)
common=("argon2-cffi>=23" "django-axes>=8,<9" "psycopg[binary]>=3.1,<4" "psycopg-pool>=3.2,<4" "redis>=5,<9")

log() { printf 'tests-django: %s\n' "$*" >&2; }

py="$venv/bin/python"
if ! "$py" -c 'import regcore' 2>/dev/null; then
    log "no regcore wheel in $venv; run bindings-python/test.sh first"
    exit 1
fi
# The wheel file the 3.11 virtualenv's regcore was installed from (pip's
# direct_url.json: bindings-python/test.sh installs
# target/wheels/regcore-python/regcore-*.whl), and the sha256 pip recorded.
installed_wheel() {
    "$1" - <<'PY' 2>/dev/null || true
import json
from importlib.metadata import distribution
from urllib.parse import unquote, urlparse
info = json.loads(distribution("regcore").read_text("direct_url.json") or "{}")
url = urlparse(info.get("url", ""))
print(unquote(url.path) if url.scheme == "file" else "", info.get("archive_info", {}).get("hashes", {}).get("sha256", ""))
PY
}
read -r wheel wheel_sha < <(installed_wheel "$py") || true
if [[ -z "${wheel:-}" || ! -f "$wheel" || "$(sha256sum "$wheel" | cut -d' ' -f1)" != "${wheel_sha:-}" ]]; then
    log "the regcore in $venv was not installed from a wheel file that is still there unchanged (${wheel:-none}); run bindings-python/test.sh"
    exit 1
fi

# --- 1. Django 5.2 LTS on the 3.11 virtualenv
"$py" "${pip_install[@]}" "django>=5.2,<5.3" "${common[@]}"

# --- 2. Django 6.x on Python 3.13
if ! py313="$(bash "$root/scripts/python313.sh")"; then
    log "FAILED: no Python 3.13 (scripts/python313.sh), so Django 6 cannot be tested"
    exit 1
fi
py6="$venv6/bin/python"
if [[ ! -x "$py6" ]] || ! grep -qxF "home = $(dirname "$py313")" "$venv6/pyvenv.cfg" 2>/dev/null \
    || ! "$py6" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
    log "creating virtualenv $venv6 with $py313"
    rm -rf "$venv6"
    "$py313" -m venv "$venv6"
fi
"$py6" "${pip_install[@]}" "django>=6.0,<7" "pytest>=8" "${common[@]}"
# The same wheel file in the 3.13 virtualenv: both runs test one build.
if [[ "$(installed_wheel "$py6")" != "$wheel $wheel_sha" ]]; then
    log "installing $wheel into $venv6"
    "$py6" "${pip_install[@]}" --force-reinstall --no-deps "$wheel"
fi
if [[ "$(installed_wheel "$py6")" != "$wheel $wheel_sha" ]]; then
    log "$venv6 does not hold $wheel after installing it"
    exit 1
fi

# The package under test is the installed wheel; keep the source tree's
# regcore off sys.path.
cd "$here"
export REGCORE_TEST_POSTGRES="${REGCORE_TEST_POSTGRES:-host=127.0.0.1 port=5432 user=postgres dbname=postgres}"
export REGCORE_TEST_REDIS="${REGCORE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
if [[ " ${REGCORE_SKIP:-} " == *" python-store "* ]]; then
    export REGCORE_STORE_TESTS=skip   # no PostgreSQL/Redis: the store-from-settings tests skip
fi

summary=()
failed=0
# run_suite LABEL PYTHON EXPECTED_DJANGO BURST_RESULTS AXES_BURST(run|skip) [pytest args...]
run_suite() {
    local label=$1 python=$2 expect=$3 results=$4 axes=$5 start=$SECONDS status versions
    shift 5
    versions="$("$python" -c 'import django, platform; print(f"Django {django.get_version()} on Python {platform.python_version()}")')"
    echo "=== tests-django [$label]: $versions, regcore wheel sha256 ${wheel_sha:0:12}"
    export REGCORE_BURST_RESULTS="$results" REGCORE_DJANGO_EXPECT="$expect" REGCORE_DJANGO_AXES_BURST="$axes"
    rm -f "$REGCORE_BURST_RESULTS"
    set +e
    "$python" -m pytest -p no:cacheprovider -q "$here" "$@"
    status=$?
    set -e
    if [[ -f "$REGCORE_BURST_RESULTS" ]]; then
        echo "--- burst, 100 processes x 1 wrong login (password checks reached), $versions:"
        cat "$REGCORE_BURST_RESULTS"
    fi
    if [[ $status -eq 5 ]]; then
        echo "tests-django [$label]: no tests collected" >&2
        status=1
    fi
    if [[ $status -eq 0 ]]; then
        summary+=("$versions: passed ($((SECONDS - start)) s)")
    else
        summary+=("$versions: FAILED (pytest exit $status, $((SECONDS - start)) s)")
        failed=1
    fi
}

run_suite "5.2 LTS" "$py" 5.2 "$target/django-burst.jsonl" run "$@"
run_suite "6.x" "$py6" 6 "$target/django6-burst.jsonl" skip "$@"

echo "=== tests-django summary:"
printf '    %s\n' "${summary[@]}"
exit $failed
