// Exact resume: a child process training with checkpoints every 2 steps is killed with SIGKILL mid-epoch after a
// checkpoint; a new process resumes the run; the final weights, EMA and optimiser state must be bit-identical to an
// uninterrupted run (cpu backend; augmentation and mixup randomness come from (seed, epoch, batch), the global generator from saved state).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { TrainConfig } from '../../src/train/config.js';
import { smallResnetRun } from '../helpers/small_resnet_run.js';
import { tempDir } from '../helpers/tmp.js';
import { expectSameFinal, killAt, metricsOf, runChild } from '../helpers/train_child.js';

const tmp = tempDir('chanlab-resume-');

const CONFIG: TrainConfig = smallResnetRun([4, 4, 8], [48, 8, 8],
  { augment: 'crop_flip', cropPadding: 1, mixup: { mixupAlpha: 0.4, cutmixAlpha: 1.0 } }, {
    optimizer: { kind: 'lamb', lr: 0.01, weightDecay: 0.05, weightDecayFilter: 'no_bias_1d', eps: 1e-8 },
    schedule: { kind: 'cosine', warmupEpochs: 0.5, minLr: 1e-4 },
    loss: { kind: 'bce', labelSmoothing: 0.1 },
    ema: { decay: 0.8 },
    seed: 4,
  });

it('SIGKILL mid-epoch, resume in a new process → bit-identical to an uninterrupted run', async () => {
  const ref = join(tmp, 'ref');
  const out = runChild(CONFIG, ref, 'new');
  expect(out).toMatch(/done \{"steps":12/);

  // killed run: sleeps 300 ms after every step; killed once the step-4 checkpoint (epoch 0, batch 4 of 6) exists
  const run = join(tmp, 'killed');
  const killedAt = await killAt(CONFIG, run, 'new', 4, 300);
  expect(killedAt.step).toBe(4);
  expect(killedAt.loader).toEqual({ epoch: 0, position: 4 }); // mid-epoch
  expect(killedAt.finished).toBe(false);
  expect(existsSync(join(run, 'final.safetensors'))).toBe(false);
  const metricsBefore = metricsOf(run);
  expect(Math.max(...metricsBefore.map((l) => l.step))).toBeGreaterThanOrEqual(4);

  const resumed = runChild(CONFIG, run, 'resume');
  expect(resumed).toMatch(/done \{"steps":12/);
  expect(resumed).not.toMatch(/^step [1-4]$/m); // continued after the checkpoint, not from the start

  const [a, b] = expectSameFinal(ref, run);
  expect([...a.tensors.keys()].filter((k) => k.startsWith('optim.')).length).toBeGreaterThan(0);
  expect(JSON.parse(b.metadata.chanlab!).rng).toEqual(JSON.parse(a.metadata.chanlab!).rng);
  // metrics: one line per step and epoch, as in the uninterrupted run
  const ma = metricsOf(ref);
  const mb = metricsOf(run);
  expect(mb.map((l) => `${l.type}${l.step}`)).toEqual(ma.map((l) => `${l.type}${l.step}`));
  expect(mb.filter((l) => l.type === 'step').map((l) => l.loss)).toEqual(ma.filter((l) => l.type === 'step').map((l) => l.loss));
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
  // the resume records what it ran on, and how the killed segment ended (found at the next start: failed, its pid)
  expect(manifest.resumes).toEqual([expect.objectContaining({ time: expect.any(String), step: 4, backend: manifest.backend })]);
  expect(manifest.resumes[0].previous).toMatch(/^failed: process \d+ .*ended without closing the run/);
  expect(manifest.status).toBe('finished');
  expect(readdirSync(run).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}, 120_000);
