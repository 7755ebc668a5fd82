#!/usr/bin/env bash
# The whole test suite: set up, type-check (tsc, strict options of tsconfig.json), then bun test
# with the Khronos validation layer on.
# Writes a JUnit report to .cache/junit.xml. Extra arguments go to bun test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node_modules/.bin/tsc --noEmit -p . || { echo "tsc: type errors (above)" >&2; exit 1; }
export VAAPI_VK_VALIDATION=1
exec node_modules/.bin/bun test --reporter=junit --reporter-outfile=.cache/junit.xml "$@"
