// Special paths of the native forward convolution agree with tfjs's cpu backend: grouped convolutions (one oneDNN
// call with the native addon, split/concat without it: values, dx and dw, on odd sizes, stride 2, dilation,
// explicit asymmetric padding and channel multipliers), the packed-filter cache, and the matrix-vector product of a
// 1×1 convolution on a 1×1 input (with and without bias; fused activations go through oneDNN).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend } from '../../src/backend/index.js';
import { nativeKernelsEnabled } from '../../src/kernels/native/index.js';
import { groupConv2d, hasGroupConvKernel } from '../../src/ops/group_conv/group_conv.js';
import { randArray, relErr } from '../helpers/tensors.js';

type Shape4 = [number, number, number, number];
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: Shape4; k: [number, number]; out: number; groups: number; stride: [number, number];
  dilation: [number, number]; pad: 'valid' | Pad4 }

const P = (t: number, b: number, l: number, r: number): Pad4 => [[0, 0], [t, b], [l, r], [0, 0]];
const CASES: Case[] = [
  { x: [2, 7, 9, 4], k: [3, 3], out: 6, groups: 2, stride: [1, 1], dilation: [1, 1], pad: P(1, 1, 1, 1) },
  { x: [2, 9, 7, 8], k: [3, 3], out: 8, groups: 4, stride: [2, 2], dilation: [1, 1], pad: P(1, 1, 1, 1) },
  { x: [1, 11, 10, 6], k: [3, 2], out: 9, groups: 3, stride: [2, 1], dilation: [1, 1], pad: P(2, 0, 1, 2) },
  { x: [2, 10, 11, 4], k: [3, 3], out: 4, groups: 2, stride: [1, 1], dilation: [2, 3], pad: 'valid' },
  { x: [3, 6, 6, 12], k: [1, 1], out: 8, groups: 4, stride: [1, 1], dilation: [1, 1], pad: 'valid' },
  { x: [2, 8, 8, 16], k: [3, 3], out: 32, groups: 8, stride: [2, 2], dilation: [1, 1], pad: P(1, 1, 1, 1) },
];

interface Result { y: Float32Array; dx: Float32Array; dw: Float32Array }

/** tfjs's cpu conv gradients refuse dilation: dilated cases compare the forward only (the native backprop kernels
 *  with dilation are checked against a naive reference in native.test.ts). */
const hasGrads = (c: Case) => c.dilation[0] === 1 && c.dilation[1] === 1;

function label(c: Case): string {
  return `x=${c.x} k=${c.k} out=${c.out} groups=${c.groups} s=${c.stride} d=${c.dilation} pad=${JSON.stringify(c.pad)}`;
}

async function compute(c: Case, seed: number): Promise<Result> {
  const wShape: Shape4 = [c.k[0], c.k[1], c.x[3] / c.groups, c.out];
  const x = tf.tensor4d(randArray(c.x, seed), c.x);
  const w = tf.tensor4d(randArray(wShape, seed + 1), wShape);
  const f = (a: tf.Tensor, b: tf.Tensor) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, c.dilation, c.groups);
  const y = f(x, w);
  const v = (await y.data()) as Float32Array;
  if (!hasGrads(c)) {
    tf.dispose([x, w, y]);
    return { y: v, dx: new Float32Array(0), dw: new Float32Array(0) };
  }
  const r = tf.tensor(randArray(y.shape, seed + 2), y.shape);
  const [dx, dw] = tf.grads(f)([x, w], r);
  const out = { y: v, dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array };
  tf.dispose([x, w, y, r, dx!, dw!]);
  return out;
}

const reference: Result[] = [];

beforeAll(async () => {
  await useBackend('cpu');
  for (const [i, c] of CASES.entries()) reference.push(await compute(c, 10 * i));
  await useBackend('wasm');
});

afterAll(() => {
  releaseBackends();
});

describe('grouped convolution on wasm vs cpu', () => {
  it('runs as one kernel exactly when the native kernels are active', () => {
    expect(hasGroupConvKernel()).toBe(nativeKernelsEnabled());
  });
  for (const [i, c] of CASES.entries()) {
    it(label(c), async () => {
      const got = await compute(c, 10 * i);
      const want = reference[i]!;
      expect(relErr(got.y, want.y), 'y').toBeLessThan(1e-5);
      expect(relErr(got.dx, want.dx), 'dx').toBeLessThan(1e-5);
      expect(relErr(got.dw, want.dw), 'dw').toBeLessThan(1e-5);
    });
  }
});

describe('forward convolution with a repeated filter (packed once, then reused) vs cpu', () => {
  it('gives the reference on every call, for two filters of one geometry and for a filter in two geometries', async () => {
    const wShape: Shape4 = [3, 3, 8, 16];
    const xs = [tf.tensor4d(randArray([1, 9, 9, 8], 1), [1, 9, 9, 8]), tf.tensor4d(randArray([2, 6, 7, 8], 2), [2, 6, 7, 8])];
    const wa = randArray(wShape, 3), wb = randArray(wShape, 4);
    const run = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, [1, 1], 'same');
    await useBackend('cpu');
    const ref = async (xi: number, w: Float32Array) => {
      const x = tf.tensor4d(await xs[xi]!.data() as Float32Array, xs[xi]!.shape);
      const t = tf.tensor4d(w, wShape);
      const y = run(x, t);
      const v = (await y.data()) as Float32Array;
      tf.dispose([x, t, y]);
      return v;
    };
    const want = [[await ref(0, wa), await ref(0, wb)], [await ref(1, wa), await ref(1, wb)]];
    await useBackend('wasm');
    const filters = [tf.tensor4d(wa, wShape), tf.tensor4d(wb, wShape)];
    const xw = xs.map((x) => tf.tensor4d(x.dataSync() as Float32Array, x.shape));
    for (const order of [[0, 0], [1, 0], [0, 0], [1, 1], [0, 1], [0, 1], [1, 0], [0, 0]]) {
      const [xi, wi] = order as [number, number];
      const y = run(xw[xi]!, filters[wi]!);
      expect(relErr((await y.data()) as Float32Array, want[xi]![wi]!), `x${xi} w${wi}`).toBeLessThan(1e-5);
      y.dispose();
    }
    tf.dispose([...xs, ...xw, ...filters]);
  });
});

describe('1×1 convolution of a 1×1 input (matrix-vector product) vs cpu', () => {
  const cases: Array<{ n: number; ci: number; co: number; bias: boolean; activation: 'linear' | 'relu' }> = [
    { n: 1, ci: 300, co: 700, bias: false, activation: 'linear' },
    { n: 3, ci: 37, co: 513, bias: true, activation: 'linear' },
    { n: 2, ci: 64, co: 16, bias: true, activation: 'relu' },
  ];
  for (const c of cases) {
    it(`n=${c.n} ${c.ci}→${c.co}${c.bias ? ' + bias' : ''} ${c.activation}`, async () => {
      const xv = randArray([c.n, 1, 1, c.ci], 7), wv = randArray([1, 1, c.ci, c.co], 8), bv = randArray([c.co], 9);
      const run = async () => {
        const x = tf.tensor4d(xv, [c.n, 1, 1, c.ci]), w = tf.tensor4d(wv, [1, 1, c.ci, c.co]), b = tf.tensor1d(bv);
        const outs: Float32Array[] = [];
        for (let i = 0; i < 3; i++) { // repeated: the filter cache must not change the result
          const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'valid', bias: c.bias ? b : undefined, activation: c.activation });
          outs.push((await y.data()) as Float32Array);
          y.dispose();
        }
        tf.dispose([x, w, b]);
        return outs;
      };
      await useBackend('cpu');
      const want = (await run())[0]!;
      await useBackend('wasm');
      for (const got of await run()) expect(relErr(got, want)).toBeLessThan(1e-5);
    });
  }
});
