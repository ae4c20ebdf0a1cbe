#!/usr/bin/env bash
# Start the example portal on http://127.0.0.1:${PORT:-8000}/ (Django's
# development server, SQLite database and regcore store under data/).
# Uses target/py-venv (bindings-python/test.sh builds it) or PYTHON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${PYTHON:-${CARGO_TARGET_DIR:-$root/target}/py-venv/bin/python}"
"$py" -c 'import regcore, django' 2>/dev/null || "$py" -m pip install --quiet "django>=5.2,<7"
cd "$here"
"$py" manage.py migrate --verbosity 0
"$py" manage.py regcore_migrate
exec "$py" manage.py runserver --noreload "127.0.0.1:${PORT:-8000}"
