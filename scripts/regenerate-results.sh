#!/usr/bin/env bash
# Regenerates the committed results of a tier (repro/results/<tier>/) from real runs of the code at HEAD, on this
# machine: every table that has the tier, every row and seed, started over (--fresh). Run it on an idle machine after
# the last code commit, then commit repro/results alone (the results name the code commit they come from).
#
#   bash scripts/regenerate-results.sh quick            # npm run quick -- --fresh --update-reference (~1 min)
#   bash scripts/regenerate-results.sh small [PROCS]    # run-table.mjs, PROCS processes (default 2), one native
#                                                       # thread each; about 4 h on 2 cores (README "Reproduction")
set -euo pipefail
cd "$(dirname "$0")/.."
tier=${1:-}
procs=${2:-2}
case "$tier" in
  quick | small) ;;
  *) echo "usage: bash scripts/regenerate-results.sh quick|small [PROCS]" >&2; exit 2 ;;
esac
if ! [[ "$procs" =~ ^[1-9][0-9]*$ ]]; then echo "PROCS must be an integer ≥ 1, got '$procs'" >&2; exit 2; fi
# results must come from a commit: no uncommitted change outside repro/results
if [[ -n "$(git status --porcelain -- . ':!repro/results')" ]]; then
  echo "uncommitted changes outside repro/results: commit them first (a result names the code commit it comes from)" >&2
  exit 1
fi
start=$(date +%s)
if [[ "$tier" == quick ]]; then
  npm run -s quick -- --fresh --update-reference
else
  npm run -s build
  # every table with a small tier (chanlab repro --list: "<id>  [tiers] …")
  mapfile -t tables < <(node bin/chanlab.js repro --list | awk '/^[a-z0-9-]+  \[[^]]*small[^]]*\]/ { print $1 }')
  echo "small tier of: ${tables[*]} — $procs process(es), one native thread each"
  CHANLAB_NATIVE_THREADS=1 node scripts/run-table.mjs "${tables[@]}" --tier small --procs "$procs" --fresh --update-reference
fi
echo "regenerated repro/results/$tier in $(( ($(date +%s) - start) / 60 )) min; review and commit repro/results alone"
