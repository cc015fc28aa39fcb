#!/usr/bin/env bash
# The GPU validation of issue 24 in ONE call (about 5 minutes; a deadline stops it before 8): WebGPU through Dawn
# over Vulkan on an NVIDIA GPU, every number against a reference measured in the same run on the same GPU:
#   1. profile: a ResNet-50 and a PiX-ResNet-50 forward (batch 1, 224²) kernel by kernel with GPU timestamps, and the
#      dispatches, queue submits, read-backs and uploads per pass;
#   2. the ResNet-50 training step at batch 64, 224² (chanlab's kernels, with its kernel profile) against PyTorch on
#      the same GPU (CUDA, default settings) — OPTIONAL: it runs where python3 has a CUDA torch, else the row says so;
#   3. PiX-ResNet-50 / ResNet-50 latency by the official method (5 warm-ups, mean of 1000 runs) at batch 1, and the
#      same procedure at batch 64 (100 runs);
#   4. the PiX op forward + backward by GPU timestamps against a raw WGSL copy of x timed the same way;
#   5. the training step with tfjs's stock kernels (CHANLAB_WEBGPU_KERNELS=0): the "before" on the same GPU.
# Results and manifest.json (summary, targets, device, code) go to $OUT/gpu-<device>-<date>/ (copy that folder to
# bench/results/). A step that fails or runs out of time is recorded and the next one runs.
#
#   prepare (here):  npm run build && node scripts/bundle.mjs && bash scripts/gpu/pack.sh
#                    → .gpu/ (node, the bundle) and .gl/ (Vulkan loader, glvnd): carry those two folders
#   run (there):     OUT=/some/dir bash scripts/gpu/validate.sh
#   rehearse here:   CHANLAB_GPU_REHEARSAL=1 OUT=/tmp/gpu-out bash scripts/gpu/validate.sh   (lavapipe, small sizes)
# Without .gpu/ the script runs the checkout itself (node_modules and dist/ built here: `node bin/chanlab.js`).
set -u
OUT=${OUT:?set OUT to the folder that receives the results}
REHEARSAL=${CHANLAB_GPU_REHEARSAL:-0}
BUDGET_S=${CHANLAB_GPU_BUDGET_S:-450}
START=$(date +%s)
DEADLINE=$((START + BUDGET_S))
REPO=$PWD
mkdir -p "$OUT"
W=${CHANLAB_GPU_WORK:-/tmp/chanlab-gpu}
rm -rf "$W"; mkdir -p "$W"
LOG="$W/validate.log"
exec > >(tee -a "$LOG") 2>&1
step() { echo; echo "== $(date -u +%H:%M:%S) (+$(( $(date +%s) - START ))s) $*"; }
left() { echo $((DEADLINE - $(date +%s))); }
# run_step NAME TIMEOUT_S CMD...: runs CMD with the smaller of TIMEOUT_S and the time left; records its status
STATUS="$W/status.tsv"; : > "$STATUS"
run_step() {
  local name=$1 t=$2; shift 2
  local l; l=$(left)
  if [ "$l" -lt 20 ]; then echo "skipped: out of time"; printf '%s\tskipped (deadline)\n' "$name" >> "$STATUS"; return; fi
  [ "$t" -gt "$l" ] && t=$l
  timeout "$t" "$@"; local rc=$?
  if [ $rc -eq 0 ]; then printf '%s\tok\n' "$name" >> "$STATUS"; else echo "$name failed: exit $rc"; printf '%s\texit %s\n' "$name" "$rc" >> "$STATUS"; fi
}

step "unpack"
if [ -d .gl ] && ls .gl/*.deb >/dev/null 2>&1 && [ "$REHEARSAL" != 1 ]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
fi
NODE=$(command -v node || true)
if [ -f .gpu/node.xz ] && [ "$REHEARSAL" != 1 ]; then
  python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" .gpu/node.xz "$W/node"
  chmod +x "$W/node"; NODE="$W/node"
fi
[ -n "$NODE" ] || { echo "no node: carry .gpu/node.xz (scripts/gpu/pack.sh)"; exit 2; }
if [ -f .gpu/chanlab-bundle.tar.xz ]; then
  python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .gpu/chanlab-bundle.tar.xz "$W"
  B="$W/chanlab/chanlab.mjs"; RUNDIR="$W/chanlab"; CODE="$W/chanlab/BUNDLE.json"
elif [ -f dist/src/cli/main.js ] && [ -d node_modules/webgpu ]; then
  B="$REPO/bin/chanlab.js"; RUNDIR="$REPO"; CODE=""
else
  echo "neither .gpu/chanlab-bundle.tar.xz (scripts/gpu/pack.sh) nor a built checkout (npm ci) is here"; exit 2
fi
"$NODE" --version
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-$$}; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$ICD" ]; then export VK_DRIVER_FILES=$ICD; fi

step "device"
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || echo "nvidia-smi: none";
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/local/nvidia/share/vulkan/icd.d 2>&1; ldconfig -p | grep -i vulkan;
  uname -a; nproc; } > "$W/device.txt" 2>&1
cat "$W/device.txt"
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
SLUG=$(echo "${GPU:-}" | tr 'A-Z' 'a-z' | grep -oE '\b[a-z]?[0-9]{2,4}[a-z]?\b' | head -1)
[ "$REHEARSAL" = 1 ] && SLUG=lavapipe-rehearsal
R="$OUT/gpu-${SLUG:-unknown}-$(date -u +%F)"
mkdir -p "$R"; cp "$W/device.txt" "$R/"
cd "$RUNDIR"
"$NODE" "$B" backends 2>&1 | tee "$R/backends.txt"
grep -q '^webgpu *yes' "$R/backends.txt" || { echo "WebGPU did not come up: see backends.txt and device.txt"; cp "$LOG" "$R/"; exit 3; }

step "0. what Dawn offers here (features, limits, subgroup-matrix configurations: tensor cores)"
DAWN_NODE=""; [ -f "$W/chanlab/dawn.node" ] && DAWN_NODE="$W/chanlab/dawn.node"
(cd "$REPO" && run_step adapter 60 "$NODE" scripts/gpu/adapter.mjs $DAWN_NODE > "$R/adapter.json")
grep -E '"(shader-f16|subgroups|chromium-experimental-subgroup-matrix|timestamp-query)"|"M":' "$R/adapter.json" | sort | uniq -c

step "PyTorch reference (optional)"
# the first interpreter that imports torch: CHANLAB_TORCH_PYTHON, Debian's /usr/bin/python3, then python3 on PATH
TORCH_PY=""; TORCH="no python3 with torch"
for py in ${CHANLAB_TORCH_PYTHON:-} /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -x "$py" ] || continue
  if t=$("$py" -c "import torch; print(torch.__version__, 'cuda' if torch.cuda.is_available() else 'no-cuda')" 2>/dev/null); then
    TORCH_PY=$py; TORCH=$t; break
  fi
done
echo "torch: $TORCH${TORCH_PY:+ ($TORCH_PY)}" | tee "$R/torch.txt"
if [ "$REHEARSAL" = 1 ] && [ -n "$TORCH_PY" ]; then TORCH_DEVICE=cpu
elif [ -n "$TORCH_PY" ] && echo "$TORCH" | grep -q ' cuda$'; then TORCH_DEVICE=cuda
else
  TORCH_DEVICE=none
  echo "no CUDA torch on this machine (optional): the training step is measured without its PyTorch CUDA reference (× PyTorch = —)" | tee -a "$R/torch.txt"
fi

if [ "$REHEARSAL" = 1 ]; then
  INPUT=64; PROFRUNS=1; TRAIN="--model resnet8_small --batch 2 --size 32 --steps 1 --quick"; STOCKTRAIN="$TRAIN"
  LAT1="--method official --runs 3 --warmup 1 --input 64"; LAT64="--method official --runs 2 --warmup 1 --input 64 --batch 2"; PIX="--quick"
else
  INPUT=224; PROFRUNS=3; TRAIN="--model resnet50 --batch 64 --size 224 --steps 5 --full"; STOCKTRAIN="--model resnet50 --batch 64 --size 224 --steps 2 --full"
  LAT1="--method official"; LAT64="--method official --runs 100 --batch 64"; PIX="--full"
fi
torch_env() { if [ "$TORCH_DEVICE" = none ]; then echo "CHANLAB_TORCH_PYTHON=/nonexistent/python3"; else echo "CHANLAB_TORCH_PYTHON=$TORCH_PY CHANLAB_TORCH_DEVICE=$TORCH_DEVICE"; fi; }

step "1. profile: ResNet-50 and PiX-ResNet-50 forward, batch 1, ${INPUT}² (GPU timestamps, counts)"
run_step profile-forward 120 "$NODE" "$B" latency --model pix_resnet50_cs --baseline resnet50 --profile --backend webgpu \
  --runs $PROFRUNS --warmup 2 --input $INPUT > "$R/profile-forward.txt"
grep -E ' on webgpu:|^per pass' "$R/profile-forward.txt" || true
run_step profile-forward-json 120 "$NODE" "$B" latency --model pix_resnet50_cs --baseline resnet50 --profile --backend webgpu \
  --runs 1 --warmup 1 --input $INPUT --json > "$R/profile-forward.json"

step "2. training step (chanlab kernels, profile) vs PyTorch on the same GPU ($TORCH_DEVICE)"
run_step train 200 env $(torch_env) "$NODE" "$B" bench --only train --backends webgpu --profile $TRAIN --out "$R/train"
[ -d "$R/train" ] && ls "$R/train"

step "3a. latency, official method, batch 1"
run_step latency-b1 150 "$NODE" "$B" latency --model pix_resnet50_cs --baseline resnet50 --backend webgpu $LAT1 --json > "$R/latency-b1.json"
head -c 400 "$R/latency-b1.json"; echo

step "4. PiX op forward + backward vs a raw WGSL copy (GPU timestamps)"
run_step pix 150 "$NODE" "$B" bench --only pix --backends webgpu $PIX --out "$R/pix"

step "3b. latency, official procedure, batch 64"
run_step latency-b64 150 "$NODE" "$B" latency --model pix_resnet50_cs --baseline resnet50 --backend webgpu $LAT64 --json > "$R/latency-b64.json"
head -c 400 "$R/latency-b64.json"; echo

step "5. training step with tfjs's stock kernels (the before, same GPU)"
run_step train-stock 150 env CHANLAB_WEBGPU_KERNELS=0 CHANLAB_TORCH_PYTHON=/nonexistent/python3 "$NODE" "$B" bench --only train \
  --backends webgpu $STOCKTRAIN --out "$R/train-stock"

step "manifest"
[ -n "$CODE" ] && cp "$CODE" "$R/BUNDLE.json"
cp "$STATUS" "$R/status.tsv"
"$NODE" "$REPO/scripts/gpu/manifest.mjs" "$R" "$([ "$REHEARSAL" = 1 ] && echo rehearsal || echo gpu)" "$TORCH_DEVICE" \
  "$(cd "$REPO" && git rev-parse HEAD 2>/dev/null || echo unknown)"
cp "$LOG" "$R/validate.log"
step "done: $R ($(( $(date +%s) - START )) s)"
