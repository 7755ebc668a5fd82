#!/usr/bin/env bash
# Build a minimal software-only FFmpeg (H.264/HEVC/FFV1/AAC decoders, mov/matroska/mpegts, libswscale)
# from the source package of a Debian suite (trixie: FFmpeg 7.1, sid: 9.x), or from a release branch
# point's tarball put in the cache by scripts/branch-point-source.sh (6.1, 8.0), into .gpu/libav-<suite>,
# to run the suite against it with scripts/test-libav.sh. Cached in /var/cache/vaapi-vk-libav-<suite>.
# Usage: scripts/build-libav.sh trixie|sid|6.1|8.0
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:?usage: scripts/build-libav.sh <debian suite, e.g. sid>}"
cache="/var/cache/vaapi-vk-libav-$suite"
if [ ! -f "$cache/.done" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nasm xz-utils >/dev/null
  mkdir -p "$cache/lists/partial" "$cache/src"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$suite" > "$cache/src.sources"
  o=(-o "Dir::Etc::SourceList=$cache/src.sources" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$cache/lists" -o APT::Sandbox::User=root)
  # Only the upstream tarball is used (a mirror may lag on the Debian diff of a new upload). A
  # release Debian does not carry (6.1, 8.0) has its tarball put in $cache/src by
  # scripts/branch-point-source.sh.
  if ! ls "$cache"/src/ffmpeg_*.orig.tar.xz >/dev/null 2>&1; then
    apt-get "${o[@]}" update -qq
    (cd "$cache/src" && apt-get "${o[@]}" source --download-only -qq ffmpeg || true)
  fi
  ls "$cache"/src/ffmpeg_*.orig.tar.xz >/dev/null || { echo "build-libav: could not download FFmpeg's source from $suite" >&2; exit 1; }
  rm -rf "$cache/build" && mkdir -p "$cache/build"
  tar -xf "$cache"/src/ffmpeg_*.orig.tar.xz -C "$cache/build"
  cd "$cache"/build/ffmpeg-*
  echo "build-libav: building FFmpeg $(cat VERSION 2>/dev/null || basename "$PWD") (a few minutes)" >&2
  ./configure --prefix="$cache/prefix" --enable-shared --disable-static --disable-programs --disable-doc --disable-everything \
    --enable-decoder=h264,hevc,ffv1,aac --enable-demuxer=mov,matroska,mpegts,h264,hevc --enable-parser=h264,hevc,aac \
    --enable-protocol=file,pipe --enable-swscale --disable-avdevice --disable-avfilter --disable-swresample \
    --disable-xlib --disable-libxcb --disable-vdpau --disable-vaapi --disable-vulkan > "$cache/configure.log" 2>&1 || { tail -20 "$cache/configure.log" >&2; exit 1; }
  make -j"$(nproc)" > "$cache/make.log" 2>&1 || { tail -20 "$cache/make.log" >&2; exit 1; }
  make install > /dev/null
  touch "$cache/.done"
  cd - > /dev/null
fi
out=".gpu/libav-$suite"
rm -rf "$out" && mkdir -p "$out"
cp -a "$cache"/prefix/lib/*.so* "$out"/
echo "$out"
