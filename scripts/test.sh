#!/usr/bin/env bash
# The whole test suite: set up, check formatting and lint (Biome, biome.jsonc), type-check (tsc,
# strict options of tsconfig.json), then bun test with the Khronos validation layer on.
# Writes a JUnit report to .cache/junit.xml. Extra arguments go to bun test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node_modules/.bin/biome ci --reporter=summary . || { echo "biome: formatting or lint errors (above); node_modules/.bin/biome check --write . fixes the formatting" >&2; exit 1; }
node_modules/.bin/tsc --noEmit -p . || { echo "tsc: type errors (above)" >&2; exit 1; }
export VAAPI_VK_VALIDATION=1
exec node_modules/.bin/bun test --reporter=junit --reporter-outfile=.cache/junit.xml "$@"
