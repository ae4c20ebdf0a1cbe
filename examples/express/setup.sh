#!/usr/bin/env bash
# Install Express and Fastify (committed package-lock.json) and link regcore
# from this checkout (bindings-node, built by bindings-node/test.sh).
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --loglevel=error
ln -sfn ../../../bindings-node node_modules/regcore
