#!/usr/bin/python3
"""Executes chanlab's notebooks headlessly with the repository's tslab kernel (tools/tslab) and writes them back in
place with their outputs, stamped with the hash of what the outputs come from (metadata.chanlab.source_sha256:
the cells and the files the notebook declares it reads, scripts/notebook-hash.mjs), so the committed notebooks show
their results on a code host and test/notebooks/fresh.test.ts fails when they are stale. Figures are stored as PNG
(CHANLAB_FIGURE_HTML=0; interactive Plotly HTML would carry plotly.js, ~5 MB, into every chart). A failing notebook
is not written back (its executed copy goes to notebooks/executed/): the run prints the notebook, the cell and the
cell's real error message (nbconvert shows only `<Error>:`) and exits 1.

usage: /usr/bin/python3 tools/run-notebooks.py [NOTEBOOK.ipynb ...] [--out DIR] [--timeout SECONDS] [--no-build]
Default: every notebooks/*.ipynb and notebooks/tables/*.ipynb (one per reproduction table), in place; --out DIR writes
the executed copies there instead. It runs `npm run build` first (notebooks import the compiled library from dist/)
unless --no-build. Environment: CHANLAB_TIER=quick and CHANLAB_TABLE_SOURCE=committed (the table notebooks show the
committed results) unless set.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, 'notebooks')
TSLAB = os.path.join(ROOT, 'tools', 'tslab')
ERROR_LINE = re.compile(r'^([A-Za-z]*Error|error TS\d+|\d+:\d+ - error)\b')


def ensure_kernel(build):
    if not os.path.isfile(os.path.join(TSLAB, 'node_modules', 'tslab', 'bin', 'tslab')):
        print('installing tslab: npm --prefix tools/tslab ci', flush=True)
        subprocess.run(['npm', '--prefix', TSLAB, 'ci', '--no-audit', '--no-fund'], check=True)
    if build:
        print('building the library: npm run build', flush=True)
        subprocess.run(['npm', 'run', '--silent', 'build'], cwd=ROOT, check=True)
    os.environ['JUPYTER_PATH'] = TSLAB + os.pathsep + os.environ.get('JUPYTER_PATH', '')
    os.environ.setdefault('CHANLAB_TIER', 'quick')
    os.environ.setdefault('CHANLAB_TABLE_SOURCE', 'committed')
    os.environ.setdefault('CHANLAB_FIGURE_HTML', '0')
    os.environ.setdefault('XDG_RUNTIME_DIR', '/tmp')


def cell_error(cell):
    """The failing cell's real message: its error output, else its stderr stream."""
    parts = []
    for out in cell.get('outputs', []):
        if out.get('output_type') == 'error':
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}".strip())
            parts.extend(out.get('traceback', [])[-5:])
        elif out.get('output_type') == 'stream' and out.get('name') == 'stderr':
            parts.append(out.get('text', ''))
    return '\n'.join(p for p in parts if p).strip()


def source_hash(path):
    r = subprocess.run(['node', os.path.join(ROOT, 'scripts', 'notebook-hash.mjs'), path], capture_output=True, text=True,
                       check=True)
    return r.stdout.strip()


def write(nb, dest):
    import nbformat
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + '.tmp'
    nbformat.write(nb, tmp)
    os.replace(tmp, dest)


def run(path, out_dir, timeout):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(path, as_version=4)
    stamp = source_hash(path)
    client = NotebookClient(nb, kernel_name='tslab', timeout=timeout, resources={'metadata': {'path': ROOT}},
                            allow_errors=False)
    t0 = time.time()
    error = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = e
    except Exception as e:  # the kernel died, a timeout, a kernel that cannot start
        error = e
        nb.cells.append(nbformat.v4.new_markdown_cell(f'**run-notebooks: {type(e).__name__}: {e}**'))
    # in place (or under --out, keeping the layout under notebooks/: tables/x.ipynb → OUT/tables/x.ipynb); a failed
    # run goes to notebooks/executed/ and leaves the committed notebook as it was
    rel = os.path.relpath(os.path.abspath(path), NOTEBOOKS)
    rel = os.path.basename(path) if rel.startswith('..') else rel
    if error is None:
        nb.metadata.setdefault('chanlab', {})['source_sha256'] = stamp
        dest = os.path.join(out_dir, rel) if out_dir else path
    else:
        dest = os.path.join(out_dir or os.path.join(NOTEBOOKS, 'executed'), rel)
    write(nb, dest)
    if error is None:
        print(f'ok    {path} ({time.time() - t0:.1f} s) → {dest}', flush=True)
        return True
    # execution stops at the failing cell: it is the last code cell that ran (has a count or outputs)
    ran = [(i, c) for i, c in enumerate(nb.cells) if c.get('cell_type') == 'code' and
           (c.get('execution_count') is not None or c.get('outputs'))]
    idx, cell = ran[-1] if ran else (-1, {'source': '', 'outputs': []})
    message = cell_error(cell) if isinstance(error, CellExecutionError) else ''
    message = message or f'{type(error).__name__}: {error}'
    headline = next((line.strip() for line in message.splitlines() if ERROR_LINE.match(line.strip())), '')
    src = cell.get('source', '')
    print(f'FAIL  {path}: cell {idx + 1} failed: {headline or message.splitlines()[0] if message else "?"}', file=sys.stderr)
    print(f'  ({time.time() - t0:.1f} s; executed copy with outputs: {dest})', file=sys.stderr)
    print('  cell source:\n' + '\n'.join('    ' + line for line in src.splitlines()[:15]), file=sys.stderr)
    print('  error:\n' + '\n'.join('    ' + line for line in message.splitlines()), file=sys.stderr, flush=True)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*')
    ap.add_argument('--out', default=None, help='write the executed copies under DIR instead of in place')
    ap.add_argument('--timeout', type=int, default=1200, help='seconds per cell')
    ap.add_argument('--no-build', action='store_true', help='use dist/ as it is')
    a = ap.parse_args()
    paths = a.notebooks or (sorted(glob.glob(os.path.join(NOTEBOOKS, '*.ipynb'))) +
                            sorted(glob.glob(os.path.join(NOTEBOOKS, 'tables', '*.ipynb'))))
    if not paths:
        sys.exit('no notebooks found under notebooks/')
    ensure_kernel(not a.no_build)
    ok = [run(p, a.out, a.timeout) for p in paths]
    if not all(ok):
        print(f'{ok.count(False)} of {len(ok)} notebooks failed', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
