// enableWasmThreads(): tfjs's threaded-SIMD wasm build runs in Node, with a 2-thread XNNPACK pool, and computes the
// same convolutions (forward and chanlab's gradient kernels) as cpu.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { enableWasmThreads } from '../../src/kernels/wasm/threads.js';
import { randArray, relErr } from '../helpers/tensors.js';
import { valuesOn } from './conv_ref.js';

afterAll(() => releaseBackends());

describe('wasm with threads', () => {
  it('rejects a bad thread count', () => {
    expect(() => enableWasmThreads(0)).toThrow(/threads/);
  });
  it('starts the threaded build with 2 threads and matches cpu', async () => {
    enableWasmThreads(2);
    await useBackend('cpu');
    await useBackend('wasm');
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(true);
    expect(getThreadsCount()).toBe(2);
    const xs: [number, number, number, number] = [4, 12, 10, 16];
    const fs: [number, number, number, number] = [3, 3, 16, 24];
    const xv = randArray(xs, 1), wv = randArray(fs, 2);
    const info = tf.backend_util.computeConv2DInfo(xs, fs, 2, 1, 'same');
    const dyv = randArray(info.outShape, 3);
    const fwd = () => tf.conv2d(tf.tensor4d(xv, xs), tf.tensor4d(wv, fs), 2, 'same');
    const bpf = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xv, xs), dy: tf.tensor(dyv, info.outShape) },
      { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: fs } as never) as tf.Tensor;
    const bpi = () => tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dyv, info.outShape), filter: tf.tensor4d(wv, fs) },
      { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: xs } as never) as tf.Tensor;
    for (const f of [fwd, bpf, bpi]) {
      const w = await valuesOn('wasm', () => tf.tidy(f));
      const c = await valuesOn('cpu', () => tf.tidy(f));
      expect(relErr(w, c)).toBeLessThan(1e-4);
    }
  });
});
