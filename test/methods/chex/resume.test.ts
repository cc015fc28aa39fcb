// Exact resume of an exploring CHEX run: a child process is killed with SIGKILL twice — mid-epoch right after an
// exploration step, and at an epoch boundary just before one — and resumed each time in a new process. Final weights,
// optimiser state, masks, MRU snapshot, sampler RNG and the JSONL records (incl. the per-layer channel counts) must be
// bit-identical to an uninterrupted run (cpu backend).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/train/config.js';
import { smallResnetRun } from '../../helpers/small_resnet_run.js';
import { tempDir } from '../../helpers/tmp.js';
import { expectSameFinal, killAt, type MetricRecord, metricsOf, runChild } from '../../helpers/train_child.js';

const tmp = tempDir('chanlab-chex-resume-');

const CONFIG: TrainConfig = smallResnetRun([4, 8, 8], [48, 8, 8], { augment: 'crop_flip', cropPadding: 1 }, {
  epochs: 4,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.01, weightDecayFilter: 'no_bn_name' },
  schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
  loss: { kind: 'ce', labelSmoothing: 0.1 },
  seed: 6,
  method: 'chex', chex: { channelSparsity: 0.5, initChannelRatio: 0.25, deltaT: 1, tMax: 3 },
});

/** The fields of the CHEX records this test reads. */
type ChexRecord = MetricRecord & { kind: string; epoch: number; channels: Record<string, number>; prunable: number; active: number };

it('SIGKILL of an exploring run (mid-epoch and at an epoch boundary) + --resume ends bit-identical', async () => {
  const ref = join(tmp, 'ref');
  expect(runChild(CONFIG, ref, 'new')).toMatch(/done \{"steps":24/);

  const run = join(tmp, 'killed');
  const a = await killAt(CONFIG, run, 'new', 8, 250);
  expect(a.step).toBe(8);
  expect(a.loader).toEqual({ epoch: 1, position: 2 }); // just after the epoch-1 exploration step
  expect(a.extra).toBeDefined();
  const b = await killAt(CONFIG, run, 'resume', 12, 250);
  expect(b.step).toBe(12);
  expect(b.loader).toEqual({ epoch: 2, position: 0 }); // the epoch-2 exploration is still to come
  expect(runChild(CONFIG, run, 'resume')).toMatch(/done \{"steps":24/);

  const [fa, fb] = expectSameFinal(ref, run);
  const extra = [...fa.tensors.keys()].filter((k) => k.startsWith('extra.chex.'));
  expect(extra.some((k) => k.startsWith('extra.chex.mask.'))).toBe(true);
  expect(extra.some((k) => k.startsWith('extra.chex.snapshot.'))).toBe(true);
  expect(JSON.parse(fb.metadata.chanlab!).extra).toEqual(JSON.parse(fa.metadata.chanlab!).extra);

  const ma = metricsOf<ChexRecord>(ref);
  const mb = metricsOf<ChexRecord>(run);
  const chexA = ma.filter((l) => l.type === 'chex');
  expect(chexA.map((l) => `${l.kind}${l.epoch}`)).toEqual(['init0', 'explore1', 'explore2', 'explore3']);
  expect(Object.keys(chexA[0].channels)).toEqual(['layer1.0.conv1', 'layer2.0.conv1', 'layer2.0.downsample.0', 'layer3.0.conv1', 'layer3.0.downsample.0']);
  const strip = (l: Record<string, unknown>) => ({ ...l, time: 0, imgPerSec: 0, trainImgPerSec: 0, evalImgPerSec: 0, dataWaitMs: 0, dataWaitFraction: 0 });
  expect(mb.map(strip)).toEqual(ma.map(strip));
  // the last step prunes to S exactly: floor(M·S) + 1 channels pruned (M = 4 + 8 + 8 + 8 + 8 = 36)
  const lastChex = chexA.at(-1)!;
  expect(lastChex.prunable).toBe(36);
  expect(lastChex.prunable - lastChex.active).toBeGreaterThanOrEqual(19);
}, 180_000);
