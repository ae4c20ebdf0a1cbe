#!/usr/bin/env bash
# The venv benches/store/bench.py runs in: a release regcore wheel built from
# this checkout plus the peers, pinned to the versions docs/storage.md reports.
#   bash benches/store/venv.sh            # -> $BENCH_DIR/venv (default target/bench in this checkout)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${BENCH_DIR:-$root/target/bench}"
mkdir -p "$dir"
[ -x "$dir/venv/bin/python" ] || python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install -q --upgrade pip
"$dir/venv/bin/pip" install -q maturin \
  'psycopg[binary]==3.3.9' psycopg-pool==3.3.3 redis==8.1.0 \
  limits==5.8.0 Django==5.2.19 django-axes==8.3.1
rm -rf "$dir/wheels"
CARGO_TARGET_DIR="$dir" "$dir/venv/bin/maturin" build --release \
  -m "$root/bindings-python/Cargo.toml" --out "$dir/wheels"
"$dir/venv/bin/pip" install -q --force-reinstall --no-deps "$dir"/wheels/regcore-*.whl
echo "venv ready: $dir/venv/bin/python $root/benches/store/bench.py"
