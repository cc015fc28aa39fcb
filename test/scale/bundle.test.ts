// The self-contained bundle (scripts/bundle.mjs) runs a quick-tier table with a plain `node` from a directory outside
// the repository, with no node_modules anywhere above it, and its WebGPU (Dawn) and wasm binaries load from the folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'chanlab-bundle-'));
const bundle = path.join(tmp, 'dist-bundle', 'chanlab');
const work = path.join(tmp, 'work');

function node(args: string[], cwd: string) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp }, timeout: 240_000 });
}

describe('bundle', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds one folder with the module, the wasm binaries and Dawn', () => {
    const r = node([path.join(repo, 'scripts/bundle.mjs'), '--out', bundle], repo);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['chanlab.mjs', 'tfjs-backend-wasm-simd.wasm', 'dawn.node', 'BUNDLE.json']) expect(existsSync(path.join(bundle, f))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'BUNDLE.json'), 'utf8')) as { commit: string; files: string[] };
    expect(manifest.commit).toMatch(/^[0-9a-f]{40}$/);
  }, 120_000);

  it('runs a quick-tier table with plain node outside the repository', () => {
    mkdirSync(work, { recursive: true });
    const r = node([path.join(bundle, 'chanlab.mjs'), 'repro', 'pix-supp-table1', '--tier', 'quick', '--quiet'], work);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(readFileSync(path.join(work, 'runs/repro/results/quick/pix-supp-table1.json'), 'utf8')) as {
      commit: string | null; cells: Array<{ target: boolean; status: string }>;
    };
    // outside any checkout the result records the code the bundle was built from
    const built = JSON.parse(readFileSync(path.join(bundle, 'BUNDLE.json'), 'utf8')) as { codeCommit: string };
    expect(result.commit).toBe(built.codeCommit);
    const exact = result.cells.filter((c) => c.target);
    expect(exact.length).toBeGreaterThan(10);
    expect(exact.every((c) => c.status === 'within')).toBe(true);
  }, 240_000);

  it('starts WebGPU from the folder (lavapipe here, a GPU elsewhere)', () => {
    const r = node([path.join(bundle, 'chanlab.mjs'), 'backends'], work);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^webgpu\s+yes/m);
    expect(r.stdout).toMatch(/^wasm\s+yes/m);
  }, 120_000);
});
