#!/usr/bin/env bash
# Benchmark the zero-copy path against the staging path on generated clips (720p, 1080p, 4K;
# 8-bit H.264 and 10-bit HEVC), and print one table of the ratios. Usage: scripts/bench.sh [frames] [bench flags...]
# Each path runs `frames` frames a round, 3 rounds alternating between paths (the median is shown).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
frames="${1:-30}"
shift || true
extra=("$@") # the loop below reuses the positional parameters
mkdir -p .cache/bench
clip() { # name size codec pixfmt extra...
  local out=".cache/bench/$1"; shift
  local size="$1" codec="$2" fmt="$3"; shift 3
  [ -s "$out" ] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v $((frames + 4)) -c:v "$codec" -pix_fmt "$fmt" "$@" "$out"
  echo "$out"
}
results=()
for spec in "720p 1280x720" "1080p 1920x1080" "4k 3840x2160"; do
  set -- $spec
  results+=("$(clip "h264_$1.mp4" "$2" libx264 yuv420p -g 30)")
  results+=("$(clip "hevc10_$1.mp4" "$2" libx265 yuv420p10le -x265-params log-level=error)")
done
for f in "${results[@]}"; do
  node_modules/.bin/bun run examples/bench.ts "$f" --frames "$frames" --reps 10 --json "${extra[@]}" 2>/dev/null
done | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const pad = (s, n) => String(s).padStart(n);
  console.log(`device: ${rows[0].device} (${rows[0].path} source, ${rows[0].importKind} import, ${rows[0].threads || "auto"} decoder threads, ${rows[0].decodeAhead} decoded ahead, batch ${rows[0].batch})`);
  console.log("clip                     frames  decoder fps  zero-copy fps  staging fps  zc/decoder  zc/staging  JS ms/frame  fresh/cached import  convert/copy  CPU B/frame zc | staging");
  for (const r of rows) {
    const name = `${r.width}x${r.height} ${r.pixelFormat}`;
    console.log(`${name.padEnd(24)} ${pad(r.frames, 6)}  ${pad(r.decoderOnlyFps.toFixed(1), 11)}  ${pad(r.fps.toFixed(1), 13)}  ${pad(r.staging.fps.toFixed(1), 11)}  ${pad(r.pipelineVsDecoder.toFixed(2), 10)}  ${pad(r.ratios.zeroCopyVsStagingFps.toFixed(2) + "x", 10)}  ${pad(r.jsMsPerFrame.toFixed(3), 11)}  ${pad(r.ratios.freshVsCachedImport.toFixed(0) + "x", 19)}  ${pad(r.ratios.convertVsCopyTime.toFixed(1) + "x", 12)}  ${pad(r.ratios.cpuBytesPerFrame.zeroCopy, 6)} | ${r.ratios.cpuBytesPerFrame.staging}`);
  }
'
