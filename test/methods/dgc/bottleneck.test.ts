// The head-to-head's DGC variant of its small bottleneck ResNet: the plain ResNet's keys with each block's 3×3 conv2 a
// DGC layer (docs/methods/dgc.md §1.2, §8.4); parameters = the plain network's + per DGC layer h·(2·C·d + C) saliency
// weights and 2·C of its BN; it fits 32 fixed images as the plain network does (with every conv a DGC layer it did
// not). wasm backend.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { dgcHiddenWidth } from '../../../src/flops/formulas.js';
import { manualSeed } from '../../../src/nn/init.js';
import type { Module } from '../../../src/nn/module.js';
import { createModel } from '../../../src/zoo/index.js';

beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(2);
});

const PLAIN = { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet', numClasses: 10, inChannels: 1 };

it('dyresnet_bottleneck_small: the plain small ResNet with DGC 3×3 convs', () => {
  const dgc = createModel('dyresnet_bottleneck_small');
  const plain = createModel('resnet8_small', PLAIN);
  try {
    const dShapes = dgc.stateShapes();
    let extra = 0;
    let layers = 0;
    for (const [k, shape] of plain.stateShapes()) {
      const m = /^(layer\d\.\d\.conv2)\.weight$/.exec(k);
      if (!m) {
        expect(dShapes.get(k), k).toEqual(shape);
        continue;
      }
      const [out, C, kh] = shape as [number, number, number];
      for (let h = 0; h < 4; h++) expect(dShapes.get(`${m[1]}.headconv_${h}.conv.weight`), k).toEqual([out / 4, C, kh, kh]);
      expect(dShapes.has(`${m[1]}._inactive_channels`)).toBe(true);
      extra += 4 * (2 * C * dgcHiddenWidth(C, 16) + C) + 2 * C;
      layers++;
    }
    expect(layers).toBe(6);
    expect(dgc.numParameters()).toBe(plain.numParameters() + extra);
    const x = tf.randomNormal([2, 28, 28, 1]);
    dgc.train();
    expect(dgc.call(x).shape).toEqual([2, 10]);
    dgc.eval();
    expect(dgc.call(x).shape).toEqual([2, 10]);
  } finally {
    dgc.dispose();
    plain.dispose();
  }
});

it('fits 32 fixed random images in 40 SGD steps', () => {
  const m: Module = createModel('dyresnet_bottleneck_small');
  m.train();
  const x = tf.randomNormal([32, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10);
  const vars = m.parameters().map((p) => p.variable);
  const opt = tf.train.momentum(0.05, 0.9);
  let first = 0;
  let last = 0;
  for (let s = 0; s < 40; s++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.call(x) as tf.Tensor2D) as tf.Scalar, true, vars)!;
    if (s === 0) first = loss.dataSync()[0]!;
    last = loss.dataSync()[0]!;
    loss.dispose();
  }
  expect(first).toBeGreaterThan(2);
  expect(last).toBeLessThan(0.1);
  m.dispose();
}, 120_000);
