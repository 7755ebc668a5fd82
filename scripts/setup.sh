#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (and CI): system packages, Bun, sample clip.
# Called by scripts/main.sh and scripts/test.sh; safe to run again (it skips what is there).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Debian packages. mesa-vulkan-drivers comes from bookworm-backports: its lavapipe (25.x) has
# VK_EXT_external_memory_dma_buf, bookworm's own 22.3 does not. libdrm-dev must then come from
# there too (it pins libdrm2's version), and so must libgbm-dev (libsdl2-dev's, pinned to libgbm1).
# SDL2, Xvfb and xwd: the preview window, and the test that screenshots it.
PKGS="libva2 libva-drm2 libavformat59 libavcodec59 libavutil57 libswscale6 libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
      libva-dev libvulkan1 libvulkan-dev vulkan-validationlayers glslang-tools ffmpeg gcc libc6-dev xz-utils
      libsdl2-2.0-0 libsdl2-dev xvfb x11-apps"
BACKPORTS_PKGS="mesa-vulkan-drivers libdrm-dev libgbm-dev"
have_all() {
  for p in $PKGS $BACKPORTS_PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1; done
  # lavapipe must be 23 or newer (dma_buf import).
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^[0-9]+://; s/\..*//')
  [ "${v:-0}" -ge 23 ]
}
if ! have_all; then
  echo "setup: installing system packages (once)"
  . /etc/os-release
  if [ "${VERSION_CODENAME:-}" = "bookworm" ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq -t bookworm-backports $BACKPORTS_PKGS >/dev/null
  $SUDO apt-get install -y -qq $PKGS >/dev/null
fi

# Bun, pinned in package.json / package-lock.json, from the npm registry.
if [ ! -x node_modules/.bin/bun ] || [ ! -d node_modules/zod ] || [ ! -x node_modules/.bin/biome ]; then
  echo "setup: installing Bun and packages from the npm registry (once)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The sample clip the main job decodes: 2 s of 720p H.264, generated locally.
mkdir -p .cache
if [ ! -s .cache/sample.mp4 ]; then
  echo "setup: generating .cache/sample.mp4 with ffmpeg (once)"
  ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t 2 -c:v libx264 -pix_fmt yuv420p -g 30 .cache/sample.mp4.tmp.mp4
  mv .cache/sample.mp4.tmp.mp4 .cache/sample.mp4
fi
