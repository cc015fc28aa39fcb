#!/usr/bin/env bash
# The GPU validation of issue 16 in one short run, from the self-contained bundle (scripts/bundle.mjs) and a plain
# node: WebGPU through Dawn over Vulkan — the backend it found, the PiX op forward+backward GB/s against the GPU's
# copy bandwidth measured in the same run, PiX-ResNet-50 vs ResNet-50 latency by the official method (batch 1, 224²,
# 5 warm-ups, mean of 1000 runs), one training step of resnet50 at batch 64, 224² (img/s, against PyTorch on the same
# GPU when CHANLAB_TORCH_PYTHON has a CUDA torch), and the DGC layer rows. Every result goes to $OUT with the bundle's
# commit, the GPU, its driver and the Vulkan ICD; a step that fails records why and the next one runs.
#
#   prepare (here):  node scripts/bundle.mjs && scripts/gpu/pack.sh     → .gpu/ (node, bundle) and .gl/ (Vulkan loader)
#   run (there):     OUT=/some/dir bash scripts/gpu/validate.sh
#   rehearse on lavapipe (here): CHANLAB_GPU_REHEARSAL=1 OUT=/tmp/gpu-out bash scripts/gpu/validate.sh
set -u
OUT=${OUT:?set OUT to the folder that receives the results}
mkdir -p "$OUT"
LOG="$OUT/validate.log"
exec > >(tee -a "$LOG") 2>&1
W=${CHANLAB_GPU_WORK:-/tmp/chanlab-gpu}
rm -rf "$W"; mkdir -p "$W"
REHEARSAL=${CHANLAB_GPU_REHEARSAL:-0}
step() { echo; echo "== $(date -u +%H:%M:%S) $*"; }

step "unpack"
if [ -d .gl ] && ls .gl/*.deb >/dev/null 2>&1 && [ "$REHEARSAL" != 1 ]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
fi
NODE=$(command -v node || true)
if [ -f .gpu/node.xz ] && [ "$REHEARSAL" != 1 ]; then
  python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" .gpu/node.xz "$W/node"
  chmod +x "$W/node"; NODE="$W/node"
fi
[ -n "$NODE" ] || { echo "no node: put .gpu/node.xz (scripts/gpu/pack.sh)"; exit 2; }
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .gpu/chanlab-bundle.tar.xz "$W"
B="$W/chanlab/chanlab.mjs"
"$NODE" --version
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-$$}; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$ICD" ]; then export VK_DRIVER_FILES=$ICD; fi

step "device"
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || echo "nvidia-smi: none";
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/local/nvidia/share/vulkan/icd.d 2>&1; ldconfig -p | grep -i vulkan;
  uname -a; nproc; } > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"
cd "$W/chanlab"
"$NODE" "$B" backends 2>&1 | tee "$OUT/backends.txt"
grep -q '^webgpu *yes' "$OUT/backends.txt" || { echo "WebGPU did not come up: see backends.txt and device.txt"; exit 3; }

if [ "$REHEARSAL" = 1 ]; then
  PIX="--quick"; RUNS="--runs 3 --warmup 1 --input 64"; TRAIN="--model resnet8_small --batch 2 --size 32 --steps 1"
else
  PIX="--full"; RUNS=""; TRAIN="--model resnet50 --batch 64 --size 224 --steps 5"
fi

step "PiX op vs copy bandwidth (webgpu)"
timeout 120 "$NODE" "$B" bench --only pix --backends webgpu $PIX --out "$OUT" || echo "pix bench failed: $?"

step "latency, official method (webgpu)"
timeout 180 "$NODE" "$B" latency --model pix_resnet50_cs --baseline resnet50 --method official --backend webgpu $RUNS --json \
  > "$OUT/latency-webgpu.json" || echo "latency failed: $?"
cat "$OUT/latency-webgpu.json" | head -c 600; echo

step "training step (webgpu vs PyTorch on the same GPU)"
TORCH_PY=$(command -v python3)
CHANLAB_TORCH_PYTHON=${CHANLAB_TORCH_PYTHON:-$TORCH_PY} CHANLAB_TORCH_DEVICE=${CHANLAB_TORCH_DEVICE:-$([ "$REHEARSAL" = 1 ] && echo cpu || echo cuda)} \
  timeout 150 "$NODE" "$B" bench --only train --backends webgpu $TRAIN --out "$OUT" || echo "train bench failed: $?"

step "DGC layer (webgpu)"
timeout 80 "$NODE" "$B" bench --only dgc --backends webgpu $PIX --out "$OUT" || echo "dgc bench failed: $?"

cp "$W/chanlab/BUNDLE.json" "$OUT/BUNDLE.json"
step "done"
