#!/usr/bin/env bash
# Fetch the libav* headers of each FFmpeg release Debian carries (bullseye 4.3, trixie 7.1, sid
# 9.x) as -dev packages, unpacked without installing them, beside the installed 5.1 ones and any
# release branch point's headers put in the cache (6.1, 8.0), and regenerate ffi/libav-tables.ts
# from all of them. Cached in .cache/libav-headers.
# Usage: scripts/libav-headers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cache="$PWD/.cache/libav-headers"
apt="$cache/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs"
cat > "$apt/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
LIST
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update
args=()
for suite in bullseye trixie sid; do
  version="$(apt-cache "${opts[@]}" madison libavcodec-dev | awk -v s="$suite" '$0 ~ "debian " s "/main" {print $3; exit}')"
  [ -n "$version" ] || { echo "libav-headers: no libavcodec-dev in $suite" >&2; exit 1; }
  dir="$cache/$suite-${version//:/_}"
  if [ ! -d "$dir/usr/include" ]; then
    (cd "$cache/debs" && for p in libavutil-dev libavcodec-dev libavformat-dev; do apt-get "${opts[@]}" -qq download "$p=$version"; done)
    mkdir -p "$dir"
    for deb in "$cache"/debs/*"${version#*:}"_amd64.deb; do dpkg -x "$deb" "$dir"; done
  fi
  args+=("$dir=Debian $suite libavutil-dev/libavcodec-dev/libavformat-dev $version")
done
# Releases no Debian suite carries (6.1, 8.0): headers from FFmpeg's own history at the release
# branch point, put in $cache/ffmpeg-<release>-branch-point by scripts/branch-point-source.sh with a
# SOURCE file naming the commit.
for dir in "$cache"/ffmpeg-*-branch-point; do
  [ -f "$dir/SOURCE" ] && args+=("$dir=$(cat "$dir/SOURCE")")
done
installed="$(dpkg-query -W -f '${Version}' libavcodec-dev 2>/dev/null || true)"
[ -n "$installed" ] || { echo "libav-headers: install libavcodec-dev libavformat-dev libavutil-dev (the system's release)" >&2; exit 1; }
args+=("/=Debian 12 (bookworm) libavutil-dev/libavcodec-dev/libavformat-dev $installed, installed")
node_modules/.bin/bun run scripts/libav-tables.ts "${args[@]}"
