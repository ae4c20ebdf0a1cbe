#!/usr/bin/env bash
# Build the Node addon from a clean checkout and run its boundary tests, the
# TypeScript check and the store layer's contract suite (real servers from
# scripts/services.sh; REGCORE_STORE_TESTS=skip skips that part).
# Needs Rust (cargo), Node >= 20 and npm; installs the npm
# dev dependencies itself. Exits non-zero on any failure.
#
#   bash bindings-node/test.sh            # release build (what users get)
#   REGCORE_NODE_DEBUG=1 bash bindings-node/test.sh   # faster debug build
set -euo pipefail
cd "$(dirname "$0")"

# The committed package-lock.json is what npm 11 writes (every platform's
# optional packages included), so `npm install` uses it as it is and leaves it
# unchanged (scripts/dist.sh checks); `npm install` rather than `npm ci` so
# node_modules (better-sqlite3 builds from source here) is kept between runs.
npm install --no-audit --no-fund --loglevel=error

if [[ "${REGCORE_NODE_DEBUG:-}" == 1 ]]; then
  npm run --silent build:debug
else
  npm run --silent build
fi

# The loader and the declarations are committed; a build must not change them
# (otherwise the committed index.d.ts is stale).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git diff --quiet -- index.js index.d.ts; then
    echo "bindings-node: committed index.js/index.d.ts differ from the generated ones:" >&2
    git --no-pager diff --stat -- index.js index.d.ts >&2
    exit 1
  fi
fi

# The binding's own tests (no server needed), then the TypeScript check
# (index.d.ts and store/index.d.ts).
mapfile -t binding_tests < <(ls __test__/*.test.js | grep -v '/store-')
node --test "${binding_tests[@]}"
npx tsc --noEmit -p __test__/ts/tsconfig.json

# The store layer's contract suite against real servers: PostgreSQL 15, Redis 7
# and a 3-master Redis Cluster on loopback, made available by
# scripts/services.sh (idempotent: uses running servers, starts or installs
# them). REGCORE_STORE_TESTS=skip skips it explicitly (never silently).
if [[ "${REGCORE_STORE_TESTS:-}" == skip ]]; then
  echo "bindings-node: store tests skipped (REGCORE_STORE_TESTS=skip)"
else
  while IFS='=' read -r name value; do
    [[ "$name" == REGCORE_TEST_* ]] && export "$name=$value"
  done < <(bash ../scripts/services.sh)
  node --test __test__/store-*.test.js
fi
echo "bindings-node: all tests passed"
