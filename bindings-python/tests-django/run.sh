#!/usr/bin/env bash
# regcore.contrib.django tests: hasher, validator, lockout backend, codes,
# stores from settings, and the 100-process burst beside django-axes.
# Uses the virtualenv that bindings-python/test.sh built (target/py-venv,
# with the regcore wheel) and installs Django 5.2 LTS, argon2-cffi and
# django-axes into it (idempotent).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${REGCORE_PY_VENV:-$target/py-venv}"
py="$venv/bin/python"
if ! "$py" -c 'import regcore' 2>/dev/null; then
    echo "tests-django: no regcore wheel in $venv; run bindings-python/test.sh first" >&2
    exit 1
fi
# Django 6 needs Python >= 3.12; on 3.11 pip picks 5.2 LTS.
"$py" -m pip install --quiet --disable-pip-version-check \
    "django>=5.2,<7" "argon2-cffi>=23" "django-axes>=8,<9" "psycopg[binary]>=3.1,<4" "psycopg-pool>=3.2,<4" "redis>=5,<9"
# The package under test is the installed wheel; keep the source tree's
# regcore off sys.path.
cd "$here"
export REGCORE_BURST_RESULTS="$target/django-burst.jsonl"
rm -f "$REGCORE_BURST_RESULTS"
export REGCORE_TEST_POSTGRES="${REGCORE_TEST_POSTGRES:-host=127.0.0.1 port=5432 user=postgres dbname=postgres}"
export REGCORE_TEST_REDIS="${REGCORE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
if [[ " ${REGCORE_SKIP:-} " == *" python-store "* ]]; then
    export REGCORE_STORE_TESTS=skip   # no PostgreSQL/Redis: the store-from-settings tests skip
fi
set +e
"$py" -m pytest -p no:cacheprovider -q "$here" "$@"
status=$?
set -e
if [[ -f "$REGCORE_BURST_RESULTS" ]]; then
    echo "--- burst, 100 processes x 1 wrong login (password checks reached):"
    cat "$REGCORE_BURST_RESULTS"
fi
[[ $status -eq 5 ]] && { echo "tests-django: no tests collected" >&2; exit 1; }
exit $status
