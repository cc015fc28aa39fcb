// One file-naming convention under src/ (docs/CONTRIBUTING.md): lower-case snake_case, except the per-backend kernel
// files, which keep their tfjs kernel's name.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(process.cwd(), 'src');
const KERNEL_DIR = /^kernels\/(cpu|wasm|webgpu)\//;
const SNAKE = /^[a-z0-9]+(_[a-z0-9]+)*(\.d)?\.(ts|cts|cjs|json)$/;
const KERNEL = /^[A-Z][A-Za-z0-9]*\.ts$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

function misnamed(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    const name = p.split('/').pop()!;
    return !(SNAKE.test(name) || (KERNEL_DIR.test(p) && KERNEL.test(name)));
  });
}

describe('file names under src/', () => {
  it('are snake_case, or a tfjs kernel name in a backend kernel folder', () => {
    expect(misnamed(files(SRC).map((f) => relative(SRC, f)))).toEqual([]);
  });
  it('the rule catches kebab-case, camelCase and a kernel name outside the kernel folders', () => {
    expect(misnamed(['interop/torch-load.ts', 'bench/trainStep.ts', 'nn/Conv2D.ts', 'kernels/wasm/Conv2D.ts', 'core/rng.ts']))
      .toEqual(['interop/torch-load.ts', 'bench/trainStep.ts', 'nn/Conv2D.ts']);
  });
});
