#!/usr/bin/env bash
# Run the test suite against another FFmpeg release than the system's, through VAAPI_VK_LIB_DIR:
# a minimal FFmpeg built by scripts/build-libav.sh from a Debian suite's own source package
# (H.264/HEVC/FFV1/AAC decoders, mov/matroska/mpegts, libswscale): 7.1 (trixie) or 9.x (sid),
# cached in /var/cache/vaapi-vk-libav-<suite>. A fresh machine builds each once (a few minutes).
# Clips are made with the system's ffmpeg CLI. The layout test is left out: it holds the
# installed headers' release.
# 6.1 and 8.0 (no Debian suite carries them) build from FFmpeg's own tree at their release branch
# point, once scripts/branch-point-source.sh has put its tarball in the cache.
# Usage: scripts/test-libav.sh [7.1|sid|6.1|8.0] [bun test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-7.1}"
shift || true
bash scripts/setup.sh
case "$version" in
  7.1) suite=trixie ;;
  *) suite="$version" ;;
esac
dir="$PWD/$(bash scripts/build-libav.sh "$suite")"
export VAAPI_VK_LIB_DIR="$dir" LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" VAAPI_VK_VALIDATION=1
files=$(ls test/*.test.ts | grep -v '^test/layout\.test\.ts$')
exec node_modules/.bin/bun test $files "$@"
