#!/usr/bin/env bash
# regcore/express tests (node --test): needs the Node addon built by
# bindings-node/test.sh. Installs Express and Fastify here (committed lock).
set -euo pipefail
cd "$(dirname "$0")"
if ! ls ../../bindings-node/regcore.*.node >/dev/null 2>&1; then
    echo "express: no Node addon in bindings-node; run bindings-node/test.sh first" >&2
    exit 1
fi
bash setup.sh >/dev/null
# The Redis burst uses scripts/services.sh's Redis (test-all step python-store);
# skipping that step skips it.
if [[ " ${REGCORE_SKIP:-} " != *" python-store "* ]]; then
    export REGCORE_TEST_REDIS="${REGCORE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
fi
node --test test/
