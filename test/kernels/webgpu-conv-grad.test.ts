// tfjs's stock webgpu conv kernels (forward, input gradient, filter gradient, depthwise) agree with cpu. Runs on
// Mesa lavapipe on CPU-only machines.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { withBackends } from '../helpers/backends.js';
import { type ConvCase as Case, convData, convLabel as label, FIRST_DEPTHWISE, FIRST_REGULAR, parityWithCpu,
  valuesOn } from './conv_ref.js';

const TOL = 1e-4;

const REGULAR: Case[] = [
  ...FIRST_REGULAR,
  { x: [2, 8, 8, 16], k: [1, 1], outC: 8, strides: 2, dilations: 1, pad: 'valid' },
];
const DEPTHWISE: Case[] = [
  ...FIRST_DEPTHWISE,
  { x: [2, 9, 7, 4], k: [3, 3], outC: 2, strides: 1, dilations: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

const parity = (f: () => tf.Tensor) => parityWithCpu('webgpu', f);

function kernels(c: Case, depthwise: boolean): [string, () => tf.Tensor][] {
  const { filterShape, info, xv, wv, dyv } = convData(c, depthwise);
  const x = () => tf.tensor(xv, c.x) as tf.Tensor4D;
  const w = () => tf.tensor(wv, filterShape) as tf.Tensor4D;
  const dy = () => tf.tensor(dyv, info.outShape);
  const e = tf.engine();
  if (depthwise) {
    return [
      ['forward', () => tf.depthwiseConv2d(x(), w(), c.strides, c.pad)],
      ['input grad', () => e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: w() },
        { strides: c.strides, pad: c.pad, dilations: 1, inputShape: c.x } as never) as tf.Tensor],
      ['filter grad', () => e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() },
        { strides: c.strides, pad: c.pad, dilations: 1, filterShape } as never) as tf.Tensor],
    ];
  }
  return [
    ['forward', () => tf.conv2d(x(), w(), c.strides, c.pad)],
    ['input grad', () => e.runKernel('Conv2DBackpropInput', { dy: dy(), filter: w() },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as never) as tf.Tensor],
    ['filter grad', () => e.runKernel('Conv2DBackpropFilter', { x: x(), dy: dy() },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor],
  ];
}

withBackends('cpu', 'webgpu');

describe('webgpu conv kernels vs cpu', () => {
  for (const c of REGULAR) {
    it(`conv2d ${label(c)}`, async () => {
      for (const [name, f] of kernels(c, false)) expect(await parity(f), name).toBeLessThan(TOL);
    });
  }
  for (const c of DEPTHWISE) {
    it(`depthwise ${label(c)}`, async () => {
      for (const [name, f] of kernels(c, true)) expect(await parity(f), name).toBeLessThan(TOL);
    });
  }
  it('does not leak tensors', async () => {
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    for (const [, f] of kernels(REGULAR[1]!, false)) await valuesOn('webgpu', () => tf.tidy(f));
    expect(tf.memory().numTensors).toBe(before);
  });
});
