// SE-ResNet-50, the E4 baseline of PiX Table 1: torchvision keys plus `se.fc1/fc2` per block, in PyTorch's order and
// shapes, and PyTorch's parameter count (fixture: scripts/fixtures/make_se_resnet_keys.py, torchvision 0.14 with
// torchvision.ops.SqueezeExcitation); the gate sits on the bn3 output before the add. wasm backend.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { SEBottleneck } from '../../../src/methods/pix/se_resnet.js';
import { Bottleneck, conv1x1 } from '../../../src/models/resnet.js';
import { BatchNorm2d } from '../../../src/nn/batchnorm.js';
import { Sequential } from '../../../src/nn/container.js';
import { manualSeed } from '../../../src/nn/init.js';
import { createModel } from '../../../src/zoo/index.js';

beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(1);
});

it('se_resnet50: PyTorch keys in order, shapes, 28,088,024 parameters (paper: 28.0M)', () => {
  const fx = JSON.parse(readFileSync('test/fixtures/pix/se_resnet50_keys.json', 'utf8')) as { params: number; keys: Array<[string, number[], string]> };
  const m = createModel('se_resnet50');
  try {
    const shapes = m.stateShapes();
    expect([...shapes.keys()]).toEqual(fx.keys.map(([k]) => k));
    for (const [k, s] of fx.keys) expect(shapes.get(k), k).toEqual(s);
    expect(m.numParameters()).toBe(fx.params);
    expect(Math.trunc(m.numParameters() / 1e5) / 10).toBe(28.0);
  } finally {
    m.dispose();
  }
});

it('the SE gate scales the residual branch before the add: σ → 1 gives the plain block, σ → 0 relu(shortcut)', () => {
  const opts = () => ({ inplanes: 32, planes: 16, stride: 2, groups: 1, baseWidth: 64, downsample: new Sequential(conv1x1(32, 64, 2), new BatchNorm2d(64)) });
  const se = new SEBottleneck(opts());
  const plain = new Bottleneck(opts());
  const x = tf.randomNormal([2, 8, 8, 32]);
  const sd = se.stateDict();
  const setBias = (v: number) => {
    const b = sd.get('se.fc2.bias')!;
    sd.set('se.fc2.bias', tf.fill(b.shape, v));
    se.loadStateDict(sd);
  };
  plain.loadStateDict(new Map([...sd].filter(([k]) => !k.startsWith('se.'))));
  se.eval();
  plain.eval();
  setBias(50);
  const open = se.call(x);
  expect(tf.max(tf.abs(tf.sub(open, plain.call(x)))).dataSync()[0]).toBeLessThan(1e-5);
  setBias(-50);
  const shut = se.call(x);
  const shortcut = tf.relu(plain.downsample!.call(x));
  expect(tf.max(tf.abs(tf.sub(shut, shortcut))).dataSync()[0]).toBeLessThan(1e-5);
  expect(tf.max(tf.abs(tf.sub(open, shut))).dataSync()[0]).toBeGreaterThan(0.1);
});
