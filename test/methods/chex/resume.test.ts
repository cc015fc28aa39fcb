// Exact resume of an exploring CHEX run: a child process is killed with SIGKILL twice — mid-epoch right after an
// exploration step, and at an epoch boundary just before one — and resumed each time in a new process. Final weights,
// optimiser state, masks, MRU snapshot, sampler RNG and the JSONL records (incl. the per-layer channel counts) must be
// bit-identical to an uninterrupted run (cpu backend).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readTrainCheckpoint } from '../../../src/checkpoint/training.js';
import type { TrainConfig } from '../../../src/train/config.js';
import { readSafetensors } from '../../../src/checkpoint/safetensors.js';

const tmp = mkdtempSync(join(tmpdir(), 'chanlab-chex-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONFIG: TrainConfig = {
  model: 'resnet8_small',
  modelConfig: { widths: [4, 8, 8] },
  data: {
    dataset: 'synthetic',
    synthetic: { trainSize: 48, testSize: 8, height: 8, width: 8, channels: 1, numClasses: 3 },
    augment: 'crop_flip', cropPadding: 1,
  },
  epochs: 4, batchSize: 8,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.01, weightDecayFilter: 'no_bn_name' },
  schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
  loss: { kind: 'ce', labelSmoothing: 0.1 },
  seed: 6, backend: 'cpu', logEvery: 1, checkpointEvery: 2,
  method: 'chex', chex: { channelSparsity: 0.5, initChannelRatio: 0.25, deltaT: 1, tMax: 3 },
};

const CHILD = ['--import', 'tsx', 'test/train/child_train.ts'];

function runChild(runDir: string, mode: 'new' | 'resume'): string {
  const r = spawnSync(process.execPath, [...CHILD, JSON.stringify(CONFIG), runDir, mode, '0'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Starts a slow child and SIGKILLs it once last.safetensors reaches `atStep`; returns the checkpoint state. */
async function killAt(runDir: string, mode: 'new' | 'resume', atStep: number) {
  const child = spawn(process.execPath, [...CHILD, JSON.stringify(CONFIG), runDir, mode, '250'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, signal) => res(signal)));
  const last = join(runDir, 'last.safetensors');
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 20));
    if (existsSync(last) && readTrainCheckpoint(last).state!.step >= atStep) break;
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return readTrainCheckpoint(last).state!;
}

const jsonl = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

it('SIGKILL of an exploring run (mid-epoch and at an epoch boundary) + --resume ends bit-identical', async () => {
  const ref = join(tmp, 'ref');
  expect(runChild(ref, 'new')).toMatch(/done \{"steps":24/);

  const run = join(tmp, 'killed');
  const a = await killAt(run, 'new', 8);
  expect(a.step).toBe(8);
  expect(a.loader).toEqual({ epoch: 1, position: 2 }); // just after the epoch-1 exploration step
  expect(a.extra).toBeDefined();
  const b = await killAt(run, 'resume', 12);
  expect(b.step).toBe(12);
  expect(b.loader).toEqual({ epoch: 2, position: 0 }); // the epoch-2 exploration is still to come
  expect(runChild(run, 'resume')).toMatch(/done \{"steps":24/);

  const fa = readSafetensors(join(ref, 'final.safetensors'));
  const fb = readSafetensors(join(run, 'final.safetensors'));
  expect([...fb.tensors.keys()]).toEqual([...fa.tensors.keys()]);
  const extra = [...fa.tensors.keys()].filter((k) => k.startsWith('extra.chex.'));
  expect(extra.some((k) => k.startsWith('extra.chex.mask.'))).toBe(true);
  expect(extra.some((k) => k.startsWith('extra.chex.snapshot.'))).toBe(true);
  for (const [k, t] of fa.tensors) expect(Buffer.from(fb.tensors.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  expect(JSON.parse(fb.metadata.chanlab!).extra).toEqual(JSON.parse(fa.metadata.chanlab!).extra);

  const ma = jsonl(ref);
  const mb = jsonl(run);
  const chexA = ma.filter((l) => l.type === 'chex');
  expect(chexA.map((l) => `${l.kind}${l.epoch}`)).toEqual(['init0', 'explore1', 'explore2', 'explore3']);
  expect(Object.keys(chexA[0].channels)).toEqual(['layer1.0.conv1', 'layer2.0.conv1', 'layer2.0.downsample.0', 'layer3.0.conv1', 'layer3.0.downsample.0']);
  const strip = (l: Record<string, unknown>) => ({ ...l, time: 0, imgPerSec: 0, trainImgPerSec: 0, evalImgPerSec: 0, dataWaitMs: 0, dataWaitFraction: 0 });
  expect(mb.map(strip)).toEqual(ma.map(strip));
  // the last step prunes to S exactly: floor(M·S) + 1 channels pruned (M = 4 + 8 + 8 + 8 + 8 = 36)
  const lastChex = chexA.at(-1);
  expect(lastChex.prunable).toBe(36);
  expect(lastChex.prunable - lastChex.active).toBeGreaterThanOrEqual(19);
}, 180_000);
