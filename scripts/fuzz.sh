#!/usr/bin/env bash
# A longer misuse walk than the suite's (test/misuse.test.ts): scripts/fuzz.sh [steps] [seed...]
# Each seed is one walk; a failure names its seed and step, and replays with the same seed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
steps="${1:-50000}"
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3 4 5)
for seed in "${seeds[@]}"; do
  VAAPI_VK_VALIDATION=1 VAAPI_VK_FUZZ_SEED="$seed" VAAPI_VK_FUZZ_STEPS="$steps" VAAPI_VK_FUZZ_REPORT=1 \
    node_modules/.bin/bun test test/misuse.test.ts -t "random walk"
done
