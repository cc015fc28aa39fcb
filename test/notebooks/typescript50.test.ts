// tslab compiles what a notebook imports with its bundled TypeScript 5.0 to CommonJS (docs/CONTRIBUTING.md): src/
// must type-check there too — no import.meta, no syntax or inference newer than 5.0. (Seen: `tf.tidy(() => [a, b]
// as const)` compiles with the root's TypeScript and fails under 5.0.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'tools', 'tslab', 'node_modules', '@tslab', 'typescript-for-tslab', 'bin', 'tsc');

function compile(include: string[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'chanlab-ts50-'));
  const config = join(dir, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { noEmit: true, module: 'commonjs', moduleResolution: 'node', typeRoots: [join(ROOT, 'node_modules', '@types')] },
    include,
  }));
  const r = spawnSync(process.execPath, [TSC, '-p', config], { encoding: 'utf8', timeout: 300_000 });
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("tslab's TypeScript 5.0 (CommonJS)", () => {
  it('type-checks src/', () => {
    const r = compile([join(ROOT, 'src', '**', '*.ts')]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);

  it('rejects what it must: import.meta and a readonly tuple returned to tf.tidy', () => {
    // inside the repository (rootDir; its node_modules resolve), in npm's ignored cache folder
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'chanlab-ts50-'));
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, [
      "import * as tf from '@tensorflow/tfjs-core';",
      'export const here = import.meta.url;',
      'export const pair = tf.tidy(() => [tf.scalar(1), tf.scalar(2)] as const);',
    ].join('\n'));
    const r = compile([bad]);
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(2,\d+\): error TS1343/);
    expect(r.out).toMatch(/bad\.ts\(3,\d+\): error TS2345/);
  }, 300_000);
});
