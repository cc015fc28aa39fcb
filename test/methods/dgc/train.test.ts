// A DGC network through chanlab's training loop (synthetic data, wasm): setProgress drives every layer's schedule so
// that the saved `_inactive_channels` reach round(C·(1 − gf)) after 3/4 of the steps, the lasso term enters the loss
// (auxLossWeight), and the run ends with the report line (kept fraction per layer, FLOPs spent / nominal).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { DyDenseNet, dgcLayers } from '../../../src/methods/dgc/index.js';
import { checkpointStateDict, readTrainCheckpoint } from '../../../src/checkpoint/training.js';
import { train } from '../../../src/train/loop.js';
import { tmp } from '../../checkpoint/helpers.js';
import { smallDgcRun } from '../../helpers/dgc_run.js';

const config = smallDgcRun(64, 32, { evalEvery: 0 });

it('trains a DGC DenseNet: schedule into _inactive_channels, lasso in the loss, report line', async () => {
  const dir = join(tmp(), 'run');
  const r = await train({ config, runDir: dir });
  expect(r.steps).toBe(8); // progress of the last step: 7/8 ≥ 3/4 → final counts
  const ck = readTrainCheckpoint(join(dir, 'final.safetensors'));
  const sd = checkpointStateDict(ck, 'model');
  const probe = new DyDenseNet({ numClasses: 10, inChannels: 1, stages: [2, 2], growth: [8, 16], bottleneck: 4, group3x3: 4, stemStride: 2, poolSize: 7, heads: 4, gateFactor: 0.25, squeezeRate: 16 });
  const want = Object.fromEntries(dgcLayers(probe).map(([n, l]) => [`${n}._inactive_channels`, Math.round(l.inChannels * 0.75)]));
  probe.dispose();
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, sd.get(k)!.dataSync()[0]]));
  expect(got).toEqual(want);
  tf.dispose([...sd.values()]);
  expect(r.report).toMatch(/^DGC kept fraction per layer \[(0\.\d\d ?){4}\]; FLOPs\/image [\d.]+ M spent \(measured kept channels\), [\d.]+ M nominal \(dgc convention\)$/);
  const kept = /\[([^\]]+)\]/.exec(r.report!)![1]!.split(' ').map(Number);
  for (const k of kept) expect(k).toBeLessThanOrEqual(0.25 + 1e-9); // ties and zeros may drop more, never fewer
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  expect(lines.some((l) => l.type === 'report')).toBe(true);
}, 300_000);

it('the lasso term is the model auxiliary loss after a training-mode forward', () => {
  const m = new DyDenseNet({ numClasses: 10, inChannels: 1, stages: [1], growth: [8], bottleneck: 4, group3x3: 4, stemStride: 1, poolSize: 8, heads: 4, gateFactor: 0.25, squeezeRate: 16 });
  expect(m.auxiliaryLoss()).toBeNull();
  m.train();
  m.call(tf.randomNormal([2, 8, 8, 1])).dispose();
  const lasso = m.auxiliaryLoss()!;
  const [, layer] = dgcLayers(m)[0]!;
  expect(lasso.dataSync()[0]).toBeCloseTo(layer.lasso!.dataSync()[0]!, 6);
  expect(lasso.dataSync()[0]).toBeGreaterThan(0);
  expect(() => m.setProgress(2)).toThrow(/progress must be in \[0, 1\]/);
  m.dispose();
});
