#!/bin/sh
# Starts chanlab's tslab kernel at the repository root (tslab compiles cells and imports relative to its working
# directory). Used by tools/tslab/kernels/tslab/kernel.json; point JUPYTER_PATH at tools/tslab to select it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -x "$here/node_modules/tslab/bin/tslab" ] && [ ! -f "$here/node_modules/tslab/bin/tslab" ]; then
  echo "tslab is not installed: run \`npm --prefix tools/tslab ci\` in $root" >&2
  exit 1
fi
cd "$root"
exec node "$here/node_modules/tslab/bin/tslab" kernel --config-path "$1"
