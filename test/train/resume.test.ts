// Exact resume: a child process training with checkpoints every 2 steps is killed with SIGKILL mid-epoch after a
// checkpoint; a new process resumes the run; the final weights, EMA and optimiser state must be bit-identical to an
// uninterrupted run (cpu backend; augmentation and mixup randomness come from (seed, epoch, batch), the global generator from saved state).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readTrainCheckpoint } from '../../src/checkpoint/training.js';
import type { TrainConfig } from '../../src/train/config.js';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONFIG: TrainConfig = {
  model: 'resnet8_small',
  modelConfig: { widths: [4, 4, 8] },
  data: {
    dataset: 'synthetic',
    synthetic: { trainSize: 48, testSize: 8, height: 8, width: 8, channels: 1, numClasses: 3 },
    augment: 'crop_flip', cropPadding: 1, mixup: { mixupAlpha: 0.4, cutmixAlpha: 1.0 },
  },
  epochs: 2, batchSize: 8,
  optimizer: { kind: 'lamb', lr: 0.01, weightDecay: 0.05, weightDecayFilter: 'no_bias_1d', eps: 1e-8 },
  schedule: { kind: 'cosine', warmupEpochs: 0.5, minLr: 1e-4 },
  loss: { kind: 'bce', labelSmoothing: 0.1 },
  ema: { decay: 0.8 },
  seed: 4, backend: 'cpu', logEvery: 1, checkpointEvery: 2,
};

// `node --import tsx` runs the script in this one process (the tsx CLI would fork a grandchild that SIGKILL misses)
const CHILD = ['--import', 'tsx', 'test/train/child_train.ts'];

function runChild(runDir: string, mode: 'new' | 'resume'): string {
  const r = spawnSync(process.execPath, [...CHILD, JSON.stringify(CONFIG), runDir, mode, '0'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return r.stdout;
}

it('SIGKILL mid-epoch, resume in a new process → bit-identical to an uninterrupted run', async () => {
  const ref = join(tmp, 'ref');
  const out = runChild(ref, 'new');
  expect(out).toMatch(/done \{"steps":12/);

  // killed run: sleeps 300 ms after every step; killed once the step-4 checkpoint (epoch 0, batch 4 of 6) exists
  const run = join(tmp, 'killed');
  const child = spawn(process.execPath, [...CHILD, JSON.stringify(CONFIG), run, 'new', '300'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
  const last = join(run, 'last.safetensors');
  const t0 = Date.now();
  let step = 0;
  while (Date.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 25));
    if (!existsSync(last)) continue;
    step = readTrainCheckpoint(last).state!.step;
    if (step >= 4) break;
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const killedAt = readTrainCheckpoint(last).state!;
  expect(killedAt.step).toBe(4);
  expect(killedAt.loader).toEqual({ epoch: 0, position: 4 }); // mid-epoch
  expect(killedAt.finished).toBe(false);
  expect(existsSync(join(run, 'final.safetensors'))).toBe(false);
  const metricsBefore = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(Math.max(...metricsBefore.map((l) => l.step))).toBeGreaterThanOrEqual(4);

  const resumed = runChild(run, 'resume');
  expect(resumed).toMatch(/done \{"steps":12/);
  expect(resumed).not.toMatch(/^step [1-4]$/m); // continued after the checkpoint, not from the start

  const a = readSafetensors(join(ref, 'final.safetensors'));
  const b = readSafetensors(join(run, 'final.safetensors'));
  expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
  expect([...a.tensors.keys()].filter((k) => k.startsWith('optim.')).length).toBeGreaterThan(0);
  for (const [k, t] of a.tensors) {
    expect(Buffer.from(b.tensors.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  }
  const sa = JSON.parse(a.metadata.chanlab!);
  const sb = JSON.parse(b.metadata.chanlab!);
  expect(sb.rng).toEqual(sa.rng);
  expect(sb.optimizer).toEqual(sa.optimizer);
  // metrics: one line per step and epoch, as in the uninterrupted run
  const ma = readFileSync(join(ref, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const mb = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(mb.map((l) => `${l.type}${l.step}`)).toEqual(ma.map((l) => `${l.type}${l.step}`));
  expect(mb.filter((l) => l.type === 'step').map((l) => l.loss)).toEqual(ma.filter((l) => l.type === 'step').map((l) => l.loss));
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
  // the resume records what it ran on, and how the killed segment ended (found at the next start: failed, its pid)
  expect(manifest.resumes).toEqual([expect.objectContaining({ time: expect.any(String), step: 4, backend: manifest.backend })]);
  expect(manifest.resumes[0].previous).toMatch(/^failed: process \d+ .*ended without closing the run/);
  expect(manifest.status).toBe('finished');
  expect(readdirSync(run).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}, 120_000);
