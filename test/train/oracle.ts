// Runs test/train/oracle.py (PyTorch 1.13 under /usr/bin/python3) with a JSON request.
import { spawnSync } from 'node:child_process';

export function oracle<T>(req: unknown): T {
  const r = spawnSync('/usr/bin/python3', ['test/train/oracle.py'], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
