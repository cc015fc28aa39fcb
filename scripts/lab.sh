#!/usr/bin/env bash
# Opens chanlab's notebooks interactively: Jupyter Notebook (Debian's jupyter-notebook, installed by
# scripts/setup-system.sh) with the repository's tslab kernel ("TypeScript (chanlab tslab)", tools/tslab), serving
# notebooks/. The kernel imports the compiled library (dist/): it is built first if missing.
#   npm run lab                       # prints the URL (with its token) to open in a browser
#   npm run lab -- --port 8899 --ip 0.0.0.0   # any further options go to `jupyter notebook`
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! jupyter notebook --version >/dev/null 2>&1; then
  echo "lab: Jupyter Notebook is not installed (Debian: apt-get install jupyter-notebook, or run scripts/setup-system.sh)" >&2
  exit 1
fi
if [ ! -f tools/tslab/node_modules/tslab/bin/tslab ]; then
  echo "lab: installing the notebook kernel (npm --prefix tools/tslab ci)"
  npm --prefix tools/tslab ci --no-audit --no-fund
fi
if [ ! -f dist/src/index.js ]; then
  echo "lab: building the library the notebooks import (npm run build)"
  npm run --silent build
fi
export JUPYTER_PATH="$root/tools/tslab${JUPYTER_PATH:+:$JUPYTER_PATH}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
extra=()
if [ "$(id -u)" = 0 ]; then extra+=(--allow-root); fi
case " $* " in *" --notebook-dir"*) ;; *) extra+=(--notebook-dir="$root/notebooks") ;; esac
exec jupyter notebook --no-browser "${extra[@]}" "$@"
