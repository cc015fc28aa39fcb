// Runs a snippet under Debian's PyTorch (/usr/bin/python3) with JSON in and JSON out: the independent oracle.
// The oracle must be present: tests that use it fail (never skip) when it is not.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** `code` reads `inp` (parsed JSON) and must assign a JSON-serialisable `out`. */
export function torchOracle<T = unknown>(code: string, input: unknown): T {
  const prelude = 'import json, sys\nimport torch\ntorch.set_num_threads(1)\ninp = json.loads(sys.stdin.read())\n';
  const r = spawnSync(PYTHON, ['-c', `${prelude}${code}\nprint(json.dumps(out))`], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`torch oracle: cannot run ${PYTHON}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`torch oracle failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
