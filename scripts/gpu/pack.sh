#!/usr/bin/env bash
# Packs what a bare GPU machine (no npm, no network) needs to run chanlab from the bundle, into two ignored folders:
#   .gpu/node.xz                this machine's node
#   .gpu/chanlab-bundle.tar.xz  bundle/chanlab from scripts/bundle.mjs
#   .gl/*.deb                   the Vulkan loader and glvnd (unpacked there with dpkg -x; docs/gpu.md)
# and with --native: .gpu/lib/*.xz (libdnnl.so.2 and libgomp.so.1 for the native kernels); with --fashion-mnist:
# .gpu/fashion-mnist/*.xz (the data set, xz-compressed to fit the transfer limit). --no-dawn leaves WebGPU out.
set -euo pipefail
NATIVE=0; DATA=0; DAWN=1
for a in "$@"; do
  case "$a" in
    --native) NATIVE=1 ;; --fashion-mnist) DATA=1 ;; --no-dawn) DAWN=0 ;;
    *) echo "pack.sh: unknown option '$a' (expected --native, --fashion-mnist, --no-dawn)"; exit 2 ;;
  esac
done
[ -f bundle/chanlab/chanlab.mjs ] || { echo "run node scripts/bundle.mjs first"; exit 2; }
mkdir -p .gpu .gl   # both ignored (.gitignore): a device run carries them
[ -f .gpu/node.xz ] || xz -T0 -9e -c "$(readlink -f "$(command -v node)")" > .gpu/node.xz
if [ "$DAWN" = 1 ]; then tar -C bundle -cJf .gpu/chanlab-bundle.tar.xz chanlab
else tar -C bundle --exclude=dawn.node -cJf .gpu/chanlab-bundle.tar.xz chanlab; fi
rm -rf .gpu/lib .gpu/fashion-mnist
if [ "$NATIVE" = 1 ]; then
  mkdir -p .gpu/lib
  for l in libdnnl.so.2 libgomp.so.1; do
    f=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ { print $NF; exit }')
    [ -n "$f" ] || { echo "pack.sh: $l not found (apt-get install libdnnl-dev)"; exit 2; }
    xz -T0 -6 -c "$(readlink -f "$f")" > ".gpu/lib/$l.xz"
  done
fi
if [ "$DATA" = 1 ]; then
  mkdir -p .gpu/fashion-mnist
  for f in /usr/share/datasets/fashion-mnist/*.gz; do
    b=$(basename "$f" .gz); zcat "$f" | xz -T0 -9e -c > ".gpu/fashion-mnist/$b.xz"
  done
fi
if ! ls .gl/libvulkan1*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial; apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gl
