#!/usr/bin/env bash
# Installs the Debian packages chanlab's tests and quick tier rely on (run as root on Debian 12).
#   - mesa-vulkan-drivers from bookworm-backports: lavapipe, the CPU Vulkan driver Dawn needs for WebGPU tests
#   - dataset-fashion-mnist: the quick tier's real dataset
#   - python3-torch / python3-torchvision: the independent oracle for tests and .pth fixtures
#   - libdnnl-dev, g++, make: the optional native addon (oneDNN kernels for the wasm backend; the same oneDNN 2.6.3
#     Debian's PyTorch uses), built by `npm ci` with the node-gyp bundled in npm (`npm run build:native` rebuilds it)
#   - chromium (+ fonts-dejavu-core): offline PNG/SVG export of Plotly figures (src/viz/plot/render.ts)
#   - jupyter-nbconvert, jupyter-client, python3-nbclient, python3-ipykernel: headless notebook execution
#     (npm run notebooks, tools/run-notebooks.py) with the tslab kernel kept in tools/tslab; jupyter-notebook: the
#     interactive server of `npm run lab` (test/notebooks/lab.test.ts drives it in Chromium)
#   - slurm-wlm, munge: the Slurm mode of scripts/run-table.mjs is tested against a real single-node cluster that
#     test/scale/slurm.test.ts starts (munged, slurmctld, slurmd) and stops itself
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [[ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]]; then
  cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  dataset-fashion-mnist python3-torch python3-torchvision ca-certificates libdnnl-dev g++ make python3 \
  chromium fonts-dejavu-core jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel jupyter-notebook slurm-wlm munge >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null
echo "system packages ready: $(dpkg-query -W -f='${Package} ${Version}\n' mesa-vulkan-drivers dataset-fashion-mnist python3-torch libdnnl-dev chromium jupyter-nbconvert slurm-wlm munge | tr '\n' ';')"
