// Test helpers: run the /usr/bin/python3 (torch 1.13) oracle, compare tensors exactly, fixture paths.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TorchTensor } from '../../src/interop/tensor.js';

export const FIX = join(process.cwd(), 'test', 'fixtures', 'interop');
export const PWNED_MARKER = '/tmp/chanlab_interop_pwned';

/** Run python code (argv available as sys.argv[1:]); throws with stderr when it fails. Returns stdout. */
export function py(code: string, ...args: string[]): string {
  const r = spawnSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'chanlab-interop-'));
}

/** Element-wise exact equality (NaN equals NaN, -0 differs from +0; bigint compared as bigint). */
export function expectSameValues(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Object.is(a, e)) {
      throw new Error(`${what}[${i}]: got ${String(a)}, expected ${String(e)}`);
    }
  }
}

export function expectTensorEqual(a: TorchTensor, b: TorchTensor, what: string): void {
  expect(a.dtype, `${what} dtype`).toBe(b.dtype);
  expect(a.shape, `${what} shape`).toEqual(b.shape);
  expectSameValues(a.data, b.data, what);
}
