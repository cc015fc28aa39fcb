// The head-to-head's DGC variant of its small bottleneck ResNet: the plain ResNet's keys with every block conv and
// downsample 1×1 a DGC layer (docs/methods/dgc.md §1.2, §3.3); parameters = the plain network's + per DGC layer
// h·(2·C·d + C) saliency weights and 2·C of its BN; a forward pass in both modes. wasm backend.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { dgcHiddenWidth } from '../../../src/flops/formulas.js';
import { manualSeed } from '../../../src/nn/init.js';
import { createModel } from '../../../src/zoo/index.js';

beforeAll(async () => {
  await useBackend('wasm');
  manualSeed(2);
});

it('dyresnet_bottleneck_small: the plain small ResNet with DGC block convs', () => {
  const dgc = createModel('dyresnet_bottleneck_small');
  const plain = createModel('resnet8_small', { block: 'bottleneck', layers: [2, 2, 2], widths: [16, 32, 64], stem: 'imagenet', numClasses: 10, inChannels: 1 });
  try {
    const dKeys = [...dgc.stateShapes().keys()];
    const pShapes = plain.stateShapes();
    const dgcConv = /^(layer\d\.\d\.(conv\d|downsample\.0))\.weight$/;
    let extra = 0;
    for (const [k, shape] of pShapes) {
      const m = dgcConv.exec(k);
      if (!m) {
        // BN, stem and fc keys are shared; the downsample BN sits under `norm` as in dyresnet18
        expect(dKeys, k).toContain(k.replace(/downsample\.1\./, 'downsample.1.norm.'));
        continue;
      }
      const [out, C, kh] = shape as [number, number, number];
      for (let h = 0; h < 4; h++) expect(dgc.stateShapes().get(`${m[1]}.headconv_${h}.conv.weight`), k).toEqual([out / 4, C, kh, kh]);
      expect(dKeys).toContain(`${m[1]}._inactive_channels`);
      const d = dgcHiddenWidth(C, 16);
      extra += 4 * (2 * C * d + C) + 2 * C;
    }
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
