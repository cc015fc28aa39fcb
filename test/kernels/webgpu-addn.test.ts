// AddN of many tensors on webgpu (the stock kernel binds one storage buffer per input and broke past 7 inputs under
// WebGPU's default limit of 8): the sum equals cpu's, for counts around the chunk boundaries, and a gradient that
// accumulates over many uses of one tensor is right. Runs on Mesa lavapipe on CPU-only machines.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend, webgpuErrors } from '../../src/backend/index.js';
import { randArray, relErr } from '../helpers/tensors.js';
import { valuesOn } from './conv_ref.js';

describe('webgpu AddN with many inputs', () => {
  beforeAll(async () => {
    await useBackend('webgpu');
  });
  afterAll(() => releaseBackends());

  for (const n of [2, 7, 8, 9, 15, 20, 33]) {
    it(`sums ${n} tensors like cpu`, async () => {
      const vals = Array.from({ length: n }, (_, i) => randArray([3, 5], 10 + i));
      const f = () => tf.addN(vals.map((v) => tf.tensor(v, [3, 5])));
      const gpu = await valuesOn('webgpu', f);
      const cpu = await valuesOn('cpu', f);
      expect(relErr(gpu, cpu)).toBeLessThan(1e-6);
    });
  }

  it('accumulates the gradient of one tensor used 20 times', async () => {
    const xv = randArray([4, 6], 1);
    const f = () => {
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.addN(Array.from({ length: 20 }, (_, i) => tf.mul(x, i + 1)))));
      return g(tf.tensor(xv, [4, 6]));
    };
    const gpu = await valuesOn('webgpu', f);
    expect(Array.from(gpu).every((v) => Math.abs(v - 210) < 1e-3)).toBe(true);
  });

  it('left no WebGPU error behind (Dawn would only print it)', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
