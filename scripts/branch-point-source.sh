#!/usr/bin/env bash
# FFmpeg releases no Debian suite carries (6.1: Ubuntu 24.04; 8.0: Arch and other rolling
# distributions), taken from FFmpeg's own history at the release branch point: the source tarball
# scripts/build-libav.sh builds (/var/cache/vaapi-vk-libav-<release>/src), and the headers
# scripts/libav-headers.sh reads (.cache/libav-headers/ffmpeg-<release>-branch-point, with a SOURCE
# file naming the commit). The same method applied to 7.1's branch point gives the table Debian's
# 7.1.5 headers give. Needs a clone of FFmpeg's repository (any mirror of its history).
# Usage: scripts/branch-point-source.sh <FFmpeg git dir> 6.1|8.0
set -euo pipefail
cd "$(dirname "$0")/.."
git_dir="${1:?usage: scripts/branch-point-source.sh <FFmpeg git dir> 6.1|8.0}"
release="${2:?give the release: 6.1 or 8.0}"
# The commit each release branch was cut from: where master's versions were bumped for it.
case "$release" in
  6.1) commit=9d3a7d30c46479aa2ab5a756392b67ddd1abe1b3 subject="Bump versions prior to 6.1" ;;
  8.0) commit=7eaa0f799ab30e723209cc64777f10063ae55a23 subject="Bump versions for release/8.0" ;;
  *) echo "branch-point-source: no branch point known for $release (6.1 or 8.0)" >&2; exit 2 ;;
esac
git -C "$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null || { echo "branch-point-source: $git_dir lacks $commit ($subject)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$git_dir" archive "$commit" --prefix="ffmpeg-$release/" | tar -x -C "$work"
echo "$release-branch-point-${commit:0:10}" > "$work/ffmpeg-$release/VERSION"
src="/var/cache/vaapi-vk-libav-$release/src"
mkdir -p "$src"
tar -C "$work" -cf - "ffmpeg-$release" | xz -T0 -0 > "$src/ffmpeg_$release.orig.tar.xz"
headers=".cache/libav-headers/ffmpeg-$release-branch-point"
include="$headers/usr/include/x86_64-linux-gnu"
rm -rf "$headers" && mkdir -p "$include"
for lib in libavutil libavcodec libavformat; do
  mkdir -p "$include/$lib" && cp "$work/ffmpeg-$release/$lib"/*.h "$include/$lib/"
done
# What configure generates for x86_64.
printf '#ifndef AVUTIL_AVCONFIG_H\n#define AVUTIL_AVCONFIG_H\n#define AV_HAVE_BIGENDIAN 0\n#define AV_HAVE_FAST_UNALIGNED 1\n#endif /* AVUTIL_AVCONFIG_H */\n' > "$include/libavutil/avconfig.h"
printf '#ifndef AVUTIL_FFVERSION_H\n#define AVUTIL_FFVERSION_H\n#define FFMPEG_VERSION "%s (release/%s branch point %s)"\n#endif /* AVUTIL_FFVERSION_H */\n' "$release" "$release" "${commit:0:10}" > "$include/libavutil/ffversion.h"
echo "FFmpeg's own tree at the release/$release branch point, commit $commit ('$subject'), headers as in the repository (avconfig.h and ffversion.h written as configure writes them for x86_64)" > "$headers/SOURCE"
echo "branch-point-source: $src/ffmpeg_$release.orig.tar.xz and $headers"
