// addNChunked: the exact sum for any count, also on webgpu (lavapipe), where one AddN of more than 7 tensors fails
// pipeline validation (8 storage buffers per stage).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { addNChunked } from '../../src/core/add_n.js';

afterAll(() => releaseBackends());

describe('addNChunked', () => {
  for (const backend of ['cpu', 'webgpu']) {
    it(`sums 1, 7, 8 and 42 tensors on ${backend}`, async () => {
      await useBackend(backend);
      for (const n of [1, 7, 8, 42]) {
        const ts = Array.from({ length: n }, (_, i) => tf.tensor1d([i, 2 * i + 1]));
        const s = addNChunked(ts);
        expect(Array.from(await s.data())).toEqual([n * (n - 1) / 2, n * (n - 1) + n]);
        tf.dispose([...ts, s]);
      }
    });
  }
  it('rejects an empty list and a bad chunk size', () => {
    expect(() => addNChunked([])).toThrow(/at least one tensor/);
    expect(() => addNChunked([tf.scalar(1)], 1)).toThrow(/maxInputs must be an integer ≥ 2/);
  });
});
