#!/usr/bin/env bash
# Packs what scripts/gpu/validate.sh needs on a bare GPU machine (no npm, no network) into two ignored folders:
# .gpu/node.xz (this machine's node), .gpu/chanlab-bundle.tar.xz (bundle/chanlab from scripts/bundle.mjs) and
# .gl/*.deb (the Vulkan loader; unpacked there with dpkg -x).
set -euo pipefail
[ -f bundle/chanlab/chanlab.mjs ] || { echo "run node scripts/bundle.mjs first"; exit 2; }
mkdir -p .gpu .gl
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >> .git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >> .git/info/exclude
[ -f .gpu/node.xz ] || xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .gpu/node.xz
tar -C bundle -cJf .gpu/chanlab-bundle.tar.xz chanlab
if ! ls .gl/libvulkan1*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial; apt-get $o update -qq; (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gl
