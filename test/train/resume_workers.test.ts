// Exact resume (wasm backend) with the data loader's worker threads on an ImageNet-style folder of real photos (RandomResizedCrop,
// RandAugment, RandomErasing): an uninterrupted run with 1 worker; a run with 2 workers killed with SIGKILL after a
// mid-epoch checkpoint and resumed with 3; a run stopped by SIGTERM (checkpointed, manifest 'interrupted', the process
// exits: the pool shuts down) and resumed. Final weights and optimiser state are bit-identical to the uninterrupted run.
import { spawn, spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readTrainCheckpoint } from '../../src/checkpoint/training.js';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import type { TrainConfig } from '../../src/train/config.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-resume-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = join(tmp, 'imagenet');
execFileSync('/usr/bin/python3', ['scripts/fixtures/make_image_fixtures.py', 'folder', join(data, 'train'), '24', '3']);
execFileSync('/usr/bin/python3', ['scripts/fixtures/make_image_fixtures.py', 'folder', join(data, 'val'), '6', '3']);

const CONFIG: TrainConfig = {
  model: 'resnet8_small',
  modelConfig: { widths: [4, 4, 8] },
  data: { dataset: 'imagenet', root: data, augment: 'random_resized_crop', inputSize: 32, randAugment: 'rand-m7-mstd0.5-inc1', randomErasing: 0.25 },
  epochs: 2, batchSize: 6,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
  schedule: { kind: 'cosine' },
  loss: { kind: 'ce', labelSmoothing: 0.1 },
  seed: 5, backend: 'wasm', logEvery: 1, checkpointEvery: 2,
};
const CHILD = ['--import', 'tsx', 'test/train/child_train.ts'];

function runChild(runDir: string, mode: 'new' | 'resume', workers: number): string {
  const r = spawnSync(process.execPath, [...CHILD, JSON.stringify(CONFIG), runDir, mode, '0', String(workers)], { encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Starts a run with `workers` that sleeps after each step; sends `signal` once the step-2 checkpoint exists. */
async function interrupted(runDir: string, workers: number, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [...CHILD, JSON.stringify(CONFIG), runDir, 'new', '400', String(workers)], { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, sig) => res({ code, signal: sig })));
  const last = join(runDir, 'last.safetensors');
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 25));
    if (existsSync(last) && readTrainCheckpoint(last).state!.step >= 2) break;
  }
  child.kill(signal);
  return exited;
}

function expectSameFinal(ref: string, run: string): void {
  const a = readSafetensors(join(ref, 'final.safetensors'));
  const b = readSafetensors(join(run, 'final.safetensors'));
  expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
  for (const [k, t] of a.tensors) expect(Buffer.from(b.tensors.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  expect(JSON.parse(b.metadata.chanlab!).optimizer).toEqual(JSON.parse(a.metadata.chanlab!).optimizer);
}

it('SIGKILL / SIGTERM with 2 workers, resume with 3 → bit-identical to an uninterrupted 1-worker run', async () => {
  const ref = join(tmp, 'ref');
  expect(runChild(ref, 'new', 1)).toMatch(/done \{"steps":8/);
  const steps = readFileSync(join(ref, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'step');
  expect(steps.length).toBe(8);
  for (const s of steps) expect(s.dataWaitMs).toBeGreaterThanOrEqual(0); // the time each step waited for data is logged
  for (const s of steps) expect(s.dataWaitFraction).toBeGreaterThanOrEqual(0);

  const killed = join(tmp, 'killed');
  expect((await interrupted(killed, 2, 'SIGKILL')).signal).toBe('SIGKILL');
  const at = readTrainCheckpoint(join(killed, 'last.safetensors')).state!;
  expect(at.step).toBeGreaterThanOrEqual(2);
  expect(at.step).toBeLessThan(8);
  expect(runChild(killed, 'resume', 3)).toMatch(/done \{"steps":8/);
  expectSameFinal(ref, killed);

  const stopped = join(tmp, 'sigterm');
  const r = await interrupted(stopped, 2, 'SIGTERM');
  expect(r.signal).toBeNull(); // handled: checkpointed, then the process ended by itself (the worker pool shut down)
  expect(r.code).not.toBe(0);
  const manifest = JSON.parse(readFileSync(join(stopped, 'manifest.json'), 'utf8'));
  expect(manifest.status).toBe('interrupted');
  expect(manifest.message).toMatch(/SIGTERM/);
  expect(runChild(stopped, 'resume', 2)).toMatch(/done \{"steps":8/);
  expectSameFinal(ref, stopped);
}, 300_000);
