// Exact resume (wasm backend) with the data loader's worker threads on an ImageNet-style folder of real photos (RandomResizedCrop,
// RandAugment, RandomErasing): an uninterrupted run with 1 worker; a run with 2 workers killed with SIGKILL after a
// mid-epoch checkpoint and resumed with 3; a run stopped by SIGTERM (checkpointed, manifest 'interrupted', the process
// exits: the pool shuts down) and resumed. Final weights and optimiser state are bit-identical to the uninterrupted run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readTrainCheckpoint } from '../../src/checkpoint/training.js';
import type { TrainConfig } from '../../src/train/config.js';
import { tempDir } from '../helpers/tmp.js';
import { expectSameFinal, metricsOf, runChild, signalAt } from '../helpers/train_child.js';

const tmp = tempDir('chanlab-resume-workers-');
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

it('SIGKILL / SIGTERM with 2 workers, resume with 3 → bit-identical to an uninterrupted 1-worker run', async () => {
  const ref = join(tmp, 'ref');
  expect(runChild(CONFIG, ref, 'new', 1, 90_000)).toMatch(/done \{"steps":8/);
  const steps = metricsOf(ref).filter((r) => r.type === 'step');
  expect(steps.length).toBe(8);
  for (const s of steps) expect(s.dataWaitMs).toBeGreaterThanOrEqual(0); // the time each step waited for data is logged
  for (const s of steps) expect(s.dataWaitFraction).toBeGreaterThanOrEqual(0);

  const killed = join(tmp, 'killed');
  expect((await signalAt(CONFIG, killed, 'new', 2, 400, 'SIGKILL', 2)).signal).toBe('SIGKILL');
  const at = readTrainCheckpoint(join(killed, 'last.safetensors')).state!;
  expect(at.step).toBeGreaterThanOrEqual(2);
  expect(at.step).toBeLessThan(8);
  expect(runChild(CONFIG, killed, 'resume', 3, 90_000)).toMatch(/done \{"steps":8/);
  expectSameFinal(ref, killed);

  const stopped = join(tmp, 'sigterm');
  const r = await signalAt(CONFIG, stopped, 'new', 2, 400, 'SIGTERM', 2);
  expect(r.signal).toBeNull(); // handled: checkpointed, then the process ended by itself (the worker pool shut down)
  expect(r.code).not.toBe(0);
  const manifest = JSON.parse(readFileSync(join(stopped, 'manifest.json'), 'utf8'));
  expect(manifest.status).toBe('interrupted');
  expect(manifest.message).toMatch(/SIGTERM/);
  expect(runChild(CONFIG, stopped, 'resume', 2, 90_000)).toMatch(/done \{"steps":8/);
  expectSameFinal(ref, stopped);
}, 300_000);
