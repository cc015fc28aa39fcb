// tfjs's stock webgpu conv kernels (forward, input gradient, filter gradient, depthwise) agree with cpu. Runs on
// Mesa lavapipe on CPU-only machines.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { type Pad, randArray, relDiff, valuesOn } from './conv_ref.js';

const TOL = 1e-4;
type Shape4 = [number, number, number, number];

interface Case { x: Shape4; k: [number, number]; out: number; strides: number | [number, number]; pad: Pad }

const REGULAR: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], out: 5, strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], out: 5, strides: 2, pad: 'same' },
  { x: [3, 9, 7, 4], k: [3, 2], out: 6, strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 5], k: [3, 3], out: 4, strides: [2, 1], pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [2, 8, 8, 16], k: [1, 1], out: 8, strides: 2, pad: 'valid' },
];
const DEPTHWISE: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], out: 1, strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], k: [3, 3], out: 2, strides: 2, pad: 'same' },
  { x: [2, 9, 7, 4], k: [3, 3], out: 2, strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

function label(c: Case): string {
  return `x=${c.x} k=${c.k} out=${c.out} s=${c.strides} pad=${JSON.stringify(c.pad)}`;
}

async function parity(f: () => tf.Tensor): Promise<number> {
  const gpu = await valuesOn('webgpu', () => tf.tidy(f));
  const cpu = await valuesOn('cpu', () => tf.tidy(f));
  return relDiff(gpu, cpu);
}

function kernels(c: Case, depthwise: boolean): [string, () => tf.Tensor][] {
  const filterShape: Shape4 = [c.k[0], c.k[1], c.x[3], c.out];
  const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.strides, 1, c.pad, undefined, depthwise);
  const xv = randArray(c.x, 1), wv = randArray(filterShape, 2), dyv = randArray(info.outShape, 3);
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

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('webgpu');
});
afterAll(() => releaseBackends());

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
