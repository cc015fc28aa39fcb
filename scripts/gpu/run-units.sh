#!/usr/bin/env bash
# Runs reproduction tables' units (row × seed) as parallel CPU processes from the bundle on a bare machine without
# npm (a lent GPU box's 16 cores, say), then collects them — the same units and collect step as
# scripts/run-table.mjs (docs/runs.md "Scale-out"), in plain bash because zx is not there.
#
#   prepare (here): node scripts/bundle.mjs && bash scripts/gpu/pack.sh --native --fashion-mnist --no-dawn
#   run (there):    OUT=/dir TABLES="pix-ablations head-to-head" TIER=small PROCS=16 BUDGET_S=480 bash scripts/gpu/run-units.sh
# Each process runs its unit on the native kernels with one thread (CHANLAB_NATIVE_THREADS=1). Units still running
# when BUDGET_S is spent are stopped (SIGTERM: their checkpoint stays) and reported; the collect step then shows them
# as not run. Results: $OUT/<table>.json and .md (with every seed's manifest), $OUT/units.log.
set -u
OUT=${OUT:?set OUT}; TABLES=${TABLES:?set TABLES}; TIER=${TIER:-small}; PROCS=${PROCS:-$(nproc)}; BUDGET_S=${BUDGET_S:-480}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run-units.log") 2>&1
REPO=$PWD
W=${CHANLAB_GPU_WORK:-/tmp/chanlab-units}
rm -rf "$W"; mkdir -p "$W/lib" "$W/work"
unxz_to() { python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"; }
NODE=$(command -v node || true)
if [ -f .gpu/node.xz ]; then unxz_to .gpu/node.xz "$W/node"; chmod +x "$W/node"; NODE="$W/node"; fi
[ -n "$NODE" ] || { echo "no node"; exit 2; }
for f in .gpu/lib/*.xz; do [ -f "$f" ] && unxz_to "$f" "$W/lib/$(basename "$f" .xz)"; done
export LD_LIBRARY_PATH="$W/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -d .gpu/fashion-mnist ]; then
  D=/usr/share/datasets/fashion-mnist; mkdir -p "$D"
  for f in .gpu/fashion-mnist/*.xz; do unxz_to "$f" "$D/$(basename "$f" .xz)"; done
fi
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .gpu/chanlab-bundle.tar.xz "$W"
B="$W/chanlab/chanlab.mjs"
cd "$W/work"
export CHANLAB_NATIVE_THREADS=1 OMP_NUM_THREADS=1
"$NODE" "$B" backends | head -3
echo "== $(date -u +%T) plan ($(nproc --all) cores, $PROCS processes, budget ${BUDGET_S}s)"
"$NODE" "$B" repro $TABLES --tier "$TIER" --plan --out results > "$W/plan.json"
# one line per unit to run: "<table>/<row> <seed> <out>"; DGC rows first (the slowest), then the plan's order
python3 - "$W/plan.json" > "$W/units.txt" <<'PY'
import json, sys
units = [u for t in json.load(open(sys.argv[1])) for u in t["units"] if not u["done"]]
units.sort(key=lambda u: 0 if "dgc" in u["row"] else 1)
for u in units:
    print(f'{u["table"]}/{u["row"]} {u["seed"]} {u["out"]}')
PY
echo "$(wc -l < "$W/units.txt") units"
run_unit() {
  local sel=$1 seed=$2 out=$3 t=${1%%/*} r=${1#*/}
  local log="$W/logs/${t}__${r}__$seed.log"
  mkdir -p "$W/logs"
  "$NODE" "$B" repro "$sel" --tier "$TIER" --seed "$seed" --out "$out" --work runs/repro > "$log" 2>&1
  echo "$(date -u +%T) unit $sel seed $seed exit $? $(grep -v '^ *$' "$log" | tail -1)"
}
export -f run_unit; export NODE B TIER W
timeout -s TERM "$BUDGET_S" xargs -P "$PROCS" -L 1 bash -c 'run_unit "$0" "$1" "$2"' < "$W/units.txt" | tee "$OUT/units.log"
pkill -TERM -f "$B repro" 2>/dev/null && sleep 5   # units still running past the budget save a checkpoint and stop
echo "== $(date -u +%T) collect"
"$NODE" "$B" repro $TABLES --tier "$TIER" --collect --units runs/repro/units --out results
for t in $TABLES; do cp "results/$TIER/$t.json" "results/$TIER/$t.md" "$OUT/" 2>/dev/null || echo "no result for $t"; done
tar -C "$W" -czf "$OUT/logs.tgz" logs 2>/dev/null
cp "$W/chanlab/BUNDLE.json" "$OUT/"
echo "== $(date -u +%T) done"
