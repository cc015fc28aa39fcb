// The ops on a ConvNet training path give the same values and gradients on wasm as on cpu: pooling gradients with
// padding, relu/step, batch norm (moments and FusedBatchNorm), softmax / log-softmax cross-entropy, matmul with
// transposes, mean/sum, pad, grouped convolution through split/concat, and a small end-to-end network.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { randArray, relErr } from '../helpers/tensors.js';

const TOL = 1e-4;

/** Values and gradients of f(...inputs) w.r.t. every input, on one backend. */
async function gradsOn(backend: string, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor):
  Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const inputs = shapes.map((s, i) => tf.tensor(randArray(s, 100 + i), s));
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
    const y = f(...xs);
    // A fixed random projection to a scalar, so every output element gets a distinct upstream gradient.
    return tf.sum(tf.mul(y, tf.tensor(randArray(y.shape, 7), y.shape)));
  })(inputs);
  const out = [(await value.data()) as Float32Array];
  for (const g of grads) out.push((await g.data()) as Float32Array);
  tf.dispose([value, ...grads, ...inputs]);
  return out;
}

async function expectParity(shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const wasm = await gradsOn('wasm', shapes, f);
  const cpu = await gradsOn('cpu', shapes, f);
  wasm.forEach((w, i) => expect(relErr(w, cpu[i]!), `output ${i}`).toBeLessThan(TOL));
}

type T4 = tf.Tensor4D;

beforeAll(async () => {
  await useBackend('cpu');
  await useBackend('wasm');
});
afterAll(() => releaseBackends());

describe('training-path ops: wasm vs cpu (value and gradients)', () => {
  it('maxPool with same padding, stride 2, odd size', () =>
    expectParity([[2, 7, 9, 3]], (x) => tf.maxPool(x as T4, 3, 2, 'same')));
  // Numeric padding with a square window and stride only: with a non-square one tfjs-core computes the output size
  // from the height alone, and wasm's XNNPACK MaxPool then writes past its output (heap corruption).
  it('maxPool with numeric padding', () => expectParity([[2, 8, 7, 4]], (x) => tf.maxPool(x as T4, 3, 2, 1)));
  it('avgPool with numeric padding', () => expectParity([[2, 8, 7, 4]], (x) => tf.avgPool(x as T4, 3, 2, 1)));
  it('maxPool after relu (ties: the first maximum of a window gets the gradient)', () =>
    expectParity([[2, 9, 9, 5]], (x) => tf.maxPool(tf.relu(tf.sub(x, 1)) as T4, 3, 2, 'same')));
  it('maxPool valid 2×2 stride 2', () => expectParity([[3, 8, 6, 16]], (x) => tf.maxPool(x as T4, 2, 2, 'valid')));
  it('avgPool with same padding, stride 2, odd size', () =>
    expectParity([[2, 7, 9, 3]], (x) => tf.avgPool(x as T4, 3, 2, 'same')));
  it('avgPool valid 2×2', () => expectParity([[3, 6, 8, 5]], (x) => tf.avgPool(x as T4, 2, 2, 'valid')));
  it('relu, relu6, leakyRelu, step (abs)', () =>
    expectParity([[4, 33]], (x) => tf.addN([tf.relu(x), tf.relu6(tf.mul(x, 4)), tf.leakyRelu(x, 0.1), tf.abs(x)])));
  it('batch norm from moments', () =>
    expectParity([[4, 5, 6, 7], [7], [7]], (x, g, b) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, b, g, 1e-5);
    }));
  it('FusedBatchNorm with given statistics', () =>
    expectParity([[3, 4, 5, 6], [6], [6]], (x, g, b) =>
      tf.batchNorm(x, tf.tensor1d(randArray([6], 9)), tf.abs(tf.tensor1d(randArray([6], 10))), b, g, 1e-3)));
  it('softmax cross-entropy and log-softmax', () =>
    expectParity([[6, 10]], (logits) => {
      const labels = tf.oneHot(tf.tensor1d([0, 3, 9, 2, 2, 7], 'int32'), 10);
      return tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.sum(tf.logSoftmax(logits)));
    }));
  it('softmax', () => expectParity([[5, 9]], (x) => tf.softmax(x)));
  it('matMul with every transpose combination', () =>
    expectParity([[7, 5], [5, 6], [6, 5], [6, 7], [6, 6]], (a, b, d, c, e) => tf.addN([
      tf.matMul(a, b), tf.transpose(tf.matMul(b, a, true, true)), tf.matMul(a, d, false, true),
      tf.matMul(c, e, true, false),
    ])));
  it('batched matMul', () => expectParity([[3, 4, 5], [3, 5, 2]], (a, b) => tf.matMul(a, b)));
  it('mean and sum over several axes', () =>
    expectParity([[3, 4, 5, 6]], (x) => tf.add(tf.mean(x, [1, 2]), tf.sum(tf.square(x), [1, 2]))));
  it('pad (asymmetric)', () => expectParity([[2, 3, 4, 5]], (x) => tf.pad(x, [[0, 0], [1, 2], [0, 3], [0, 0]])));
  it('grouped convolution through split/concat', () =>
    expectParity([[2, 7, 9, 6], [3, 3, 2, 4], [3, 3, 2, 4], [3, 3, 2, 4]], (x, w0, w1, w2) => {
      const xs = tf.split(x, 3, 3);
      const ws = [w0, w1, w2];
      return tf.concat(xs.map((xi, i) => tf.conv2d(xi as T4, ws[i] as T4, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])), 3);
    }));
  it('conv2d stride 2 with explicit asymmetric padding (Conv2DBackpropInput and Filter)', () =>
    expectParity([[2, 9, 8, 3], [3, 3, 3, 5]], (x, w) => tf.conv2d(x as T4, w as T4, 2, [[0, 0], [0, 1], [1, 0], [0, 0]])));
  it('depthwise conv with multiplier 2, stride 2', () =>
    expectParity([[2, 9, 8, 3], [3, 3, 3, 2]], (x, w) => tf.depthwiseConv2d(x as T4, w as T4, 2, 'same')));
});

/** conv → batchnorm (moments) → relu → maxpool → conv (stride 2) → mean → dense → softmax cross-entropy. */
function smallNet(x: tf.Tensor, w1: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w2: tf.Tensor, wd: tf.Tensor,
  bd: tf.Tensor): tf.Scalar {
  const labels = tf.oneHot(tf.tensor1d([1, 4, 0, 3], 'int32'), 5);
  const c1 = tf.conv2d(x as T4, w1 as T4, 1, 'same');
  const { mean, variance } = tf.moments(c1, [0, 1, 2]);
  const bn = tf.batchNorm(c1, mean, variance, beta, gamma, 1e-5);
  const p = tf.maxPool(tf.relu(bn) as T4, 2, 2, 'same');
  const c2 = tf.conv2d(p, w2 as T4, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const feat = tf.mean(c2, [1, 2]);
  const logits = tf.add(tf.matMul(feat, wd), bd);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

const NET_SHAPES = [[4, 9, 11, 3], [3, 3, 3, 8], [8], [8], [3, 3, 8, 12], [12, 5], [5]];

async function netOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const params = NET_SHAPES.map((s, i) => tf.tensor(randArray(s, 200 + i), s));
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) =>
    smallNet(ps[0]!, ps[1]!, ps[2]!, ps[3]!, ps[4]!, ps[5]!, ps[6]!))(params);
  const out = [(await value.data()) as Float32Array];
  for (const g of grads) out.push((await g.data()) as Float32Array);
  tf.dispose([value, ...grads, ...params]);
  return out;
}

describe('end-to-end training step', () => {
  it('loss and every gradient agree between wasm and cpu, without leaks', async () => {
    const cpu = await netOn('cpu');
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    await netOn('wasm'); // warm-up
    const tensors = tf.memory().numTensors, ids = backend.numDataIds();
    const wasm = await netOn('wasm');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    expect(wasm[0]![0]).toBeGreaterThan(0);
    wasm.forEach((w, i) => expect(relErr(w, cpu[i]!), `output ${i}`).toBeLessThan(TOL));
    // Gradients are not trivially zero.
    for (const g of wasm.slice(1)) expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-6);
  });
});
