#!/usr/bin/env bash
# The main job: set up, then decode a frame of the sample clip, import it into Vulkan without a
# CPU copy, convert it on the GPU and write frame.png. Extra arguments go to examples/stub.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/bun run examples/stub.ts .cache/sample.mp4 --out frame.png "$@"
