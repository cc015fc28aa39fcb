// scripts/run-table.mjs on this machine: the two-row toy table with two CPU processes, one row killed (kill -9) after
// its first checkpoint and resumed by a retry; bad input refused before anything runs; a row that keeps failing is
// retried a bounded number of times and reported with its log, and the results already collected stay.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultFile } from '../../repro/results.js';
import { firstCheckpoint, runTable, scaleEnv, startTable } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-scale-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const work = join(tmp, 'work');
const out = join(tmp, 'results');
const dirs = ['--work', work, '--out', out];
const result = () => JSON.parse(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')) as ResultFile;

describe('bad input is refused before anything runs', () => {
  it('an unknown table lists the known ones', () => {
    const r = runTable(['nope', '--tier', 'quick', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown table 'nope' \(known tables: pix-supp-table1, .*scale-toy/);
  });
  it('a GPU list with duplicates or non-integers', () => {
    let r = runTable(['scale-toy', '--tier', 'quick', '--gpus', '0,1,1', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--gpus lists GPU 1 more than once ('0,1,1')");
    r = runTable(['scale-toy', '--tier', 'quick', '--gpus', '0,1.5,a', ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--gpus must be a comma-separated list of GPU indices (integers ≥ 0), got '0,1.5,a' (not an index: '1.5', 'a')");
    r = runTable(['scale-toy', '--tier', 'quick', '--gpus', '0', '--procs', '2', ...dirs]);
    expect(r.stderr).toContain('--gpus and --procs exclude each other');
  });
  it('--slurm where sbatch is absent says how to get it', () => {
    // a PATH with node and bash only
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/bin/bash', join(bin, 'bash'));
    chmodSync(bin, 0o755);
    const r = runTable(['scale-toy', '--tier', 'quick', '--slurm', ...dirs], scaleEnv({ PATH: bin }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--slurm: `sbatch` is not on PATH');
    expect(r.stderr).toContain('apt-get install slurm-client');
  });
  it('the dry run prints the plan: one unit per row × seed, a slot each, then the collect', () => {
    const r = runTable(['scale-toy', '--tier', 'quick', '--gpus', '3,5', '--seeds', '2', '--dry-run', ...dirs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('scale-toy (quick, 2 seed(s)): 4 unit(s), 0 done, 4 to run');
    expect(r.stdout).toMatch(/scale-toy\/a seed 0 +gpu 3 +CUDA_VISIBLE_DEVICES=3 CHANLAB_WEBGPU_ADAPTER=3 .* repro scale-toy\/a --tier quick --seeds 2 .* --seed 0/);
    expect(r.stdout).toMatch(/scale-toy\/a seed 1 +gpu 5 /);
    expect(r.stdout).toMatch(/scale-toy\/b seed 0 +queued \(#1\)/);
    expect(r.stdout).toMatch(/then: .* repro scale-toy .*--collect/);
    expect(existsSync(work)).toBe(false);
  });
});

describe('two CPU processes, one row killed and resumed', () => {
  it('runs the toy table to completion and collects it', async () => {
    const run = startTable(['scale-toy', '--tier', 'quick', '--procs', '2', '--backend', 'cpu', '--retries', '1', ...dirs]);
    let text = '';
    run.done.then((f) => (text = `${f.stdout}\n${f.stderr}`));
    // kill -9 row b once it has a checkpoint: the runner starts it again and it resumes from there
    const pid = await firstCheckpoint(join(work, 'quick', 'scale-toy', 'b', 'seed-0'), 180_000, () => text);
    process.kill(pid, 'SIGKILL');
    const f = await run.done;
    expect(f.code, `${f.stdout}\n${f.stderr}`).toBe(0);
    expect(f.stdout).toMatch(/↻ scale-toy\/b seed 0: (killed by SIGKILL|exit status 137); starting it again .* attempt 2 of 2/);
    const file = result();
    expect(Object.keys(file.rows).sort()).toEqual(['a', 'b']);
    expect(file.rows.a!.computed!.metrics.count).toBe(7);
    const [a] = file.rows.a!.seeds;
    const [b] = file.rows.b!.seeds;
    expect(a!.manifest.resumes).toHaveLength(0);
    expect(b!.manifest.resumes).toHaveLength(1);
    expect(b!.manifest.resumes[0]!.step).toBeGreaterThanOrEqual(4);
    expect(b!.manifest.status).toBe('finished');
    const log = readFileSync(join(work, 'logs', 'quick', 'scale-toy', 'b', 'seed-0.log'), 'utf8');
    expect(log).toMatch(/attempt 2 on proc \d/);
    expect(log).toMatch(/resuming .*seed-0 at step \d+/);
    // the collect wrote the table (both rows) in one process
    expect(readFileSync(join(out, 'quick', 'scale-toy.md'), 'utf8')).toMatch(/lr 0.02 `b` \| top-1 \(%\) \| — \| 100\.00|lr 0.02 `b` \| top-1 \(%\) \| — \| \d/);
  }, 300_000);

  it('a second run finds every unit done and runs nothing', () => {
    const before = readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8');
    const r = runTable(['scale-toy', '--tier', 'quick', '--procs', '2', ...dirs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 unit(s), 2 done, 0 to run');
    expect(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')).toBe(before);
  });

  it('a row that keeps failing: bounded retries, then reported with its log path; other results stay', () => {
    const before = readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8');
    const r = runTable(['scale-toy', 'scale-failing', '--tier', 'quick', '--procs', '2', '--retries', '1', ...dirs]);
    expect(r.code).toBe(1);
    const log = join(work, 'logs', 'quick', 'scale-failing', 'broken', 'seed-0.log');
    expect(r.stderr).toContain('1 unit(s) failed');
    expect(r.stderr).toContain(`scale-failing/broken seed 0: exit status 1 after 2 attempt(s)\n    log: ${log}`);
    const text = readFileSync(log, 'utf8');
    expect(text.match(/^=== .* attempt \d on proc \d/gm)).toHaveLength(2);
    expect(text).toContain('scale-failing/broken fails on purpose');
    expect(readFileSync(join(out, 'quick', 'scale-toy.json'), 'utf8')).toBe(before);
  }, 120_000);

  it('--fresh starts the selected row over (its run removed first); the other row\'s result stays', () => {
    const old = result();
    const r = runTable(['scale-toy/a', '--tier', 'quick', '--procs', '2', '--backend', 'cpu', '--fresh', ...dirs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 unit(s), 0 done, 1 to run');
    const file = result();
    const [a] = file.rows.a!.seeds;
    expect(a!.manifest.startTime).not.toBe(old.rows.a!.seeds[0]!.manifest.startTime);
    expect(a!.manifest.resumes).toHaveLength(0);
    expect(file.rows.a!.computed!.metrics.count).toBe(7);
    expect(file.rows.b).toEqual(old.rows.b);
  }, 180_000);
});
