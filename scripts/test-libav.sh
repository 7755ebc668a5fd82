#!/usr/bin/env bash
# Run the test suite against another FFmpeg release than the system's, through VAAPI_VK_LIB_DIR:
# a minimal FFmpeg built from Debian's own source package by the GPU kit's libav.sh (trixie's 7.1;
# H.264/HEVC/FFV1/AAC decoders, mov/matroska/mpegts, libswscale), cached in
# /var/cache/gpu-libav-<version> (a fresh machine rebuilds it: a few minutes). Clips are made with
# the system's ffmpeg CLI. The layout test is left out: it holds the installed headers' release.
# Usage: scripts/test-libav.sh [7.1] [bun test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-7.1}"
shift || true
kit=../shared/gpu/libav.sh
[ -f "$kit" ] || { echo "test-libav: $kit is missing (the project's GPU kit builds the FFmpeg under test)" >&2; exit 1; }
bash scripts/setup.sh
bash "$kit" "$version" >&2
dir="$PWD/.gpu/libav${version//./}"
[ "$version" = 5.1 ] && dir="$PWD/.gpu/libav"
export VAAPI_VK_LIB_DIR="$dir" LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" VAAPI_VK_VALIDATION=1
files=$(ls test/*.test.ts | grep -v '^test/layout\.test\.ts$')
exec node_modules/.bin/bun test $files "$@"
