// Runs a snippet under Debian's Python (/usr/bin/python3: PyTorch, SciPy) with JSON in and JSON out: the independent
// oracle. The oracle must be present: tests that use it fail (never skip) when it is not.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** `code` (after `prelude`, e.g. imports) reads `inp` (parsed JSON) and must assign a JSON-serialisable `out`. */
export function pythonOracle<T = unknown>(code: string, input: unknown, prelude = ''): T {
  const head = `import json, sys\n${prelude}inp = json.loads(sys.stdin.read())\n`;
  const r = spawnSync(PYTHON, ['-c', `${head}${code}\nprint(json.dumps(out))`], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`python oracle: cannot run ${PYTHON}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`python oracle failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** `pythonOracle` with PyTorch imported as `torch` (one thread). */
export function torchOracle<T = unknown>(code: string, input: unknown): T {
  return pythonOracle<T>(code, input, 'import torch\ntorch.set_num_threads(1)\n');
}
