#!/usr/bin/env bash
# Run the test suite against another FFmpeg release than the system's, through VAAPI_VK_LIB_DIR:
# a minimal FFmpeg built from Debian's own source package (H.264/HEVC/FFV1/AAC decoders,
# mov/matroska/mpegts, libswscale): 7.1 (trixie) by the GPU kit's libav.sh, cached in
# /var/cache/gpu-libav-7.1; a Debian suite's (sid: 9.x) by scripts/build-libav.sh. A fresh machine
# builds it once (a few minutes). Clips are made with the system's ffmpeg CLI. The layout test is
# left out: it holds the installed headers' release.
# Usage: scripts/test-libav.sh [7.1|sid] [bun test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-7.1}"
shift || true
bash scripts/setup.sh
case "$version" in
  7.1)
    kit=../shared/gpu/libav.sh
    [ -f "$kit" ] || { echo "test-libav: $kit is missing (the project's GPU kit builds FFmpeg 7.1)" >&2; exit 1; }
    bash "$kit" 7.1 >&2
    dir="$PWD/.gpu/libav71" ;;
  *) dir="$PWD/$(bash scripts/build-libav.sh "$version")" ;;
esac
export VAAPI_VK_LIB_DIR="$dir" LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" VAAPI_VK_VALIDATION=1
files=$(ls test/*.test.ts | grep -v '^test/layout\.test\.ts$')
exec node_modules/.bin/bun test $files "$@"
