// chanlab's webgpu convolution kernels (implicit GEMM, src/kernels/webgpu/conv.ts) against a naive reference: the
// forward value and both gradients through the ops that reach them (tf.conv2d and tf.fused.conv2d under tfjs's kernel
// names, the grouped / dilated convolution under chanlab's), on odd shapes, stride 2, padding, dilation and groups,
// with every tile size forced in turn and the split-k filter gradient. Runs on Mesa lavapipe on CPU-only machines.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseBackends, useBackend, webgpuErrors } from '../../src/backend/index.js';
import { forceConvTile } from '../../src/kernels/webgpu/conv.js';
import { webgpuKernelsEnabled } from '../../src/kernels/webgpu/index.js';
import { ChanlabGroupConv2D } from '../../src/ops/group_conv/index.js';
import { ChanlabConvBnAct } from '../../src/ops/conv/kernel_names.js';
import { randArray, relErr } from '../helpers/tensors.js';
import { naiveConvGrads } from './conv_ref.js';

const TOL = 2e-5;
type Shape4 = [number, number, number, number];
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** The grouped-conv kernel itself (any groups, dilation), with its registered gradient. */
function groupConv2dKernel(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], pad: 'valid' | Pad4, dilations: [number, number],
  groups: number): tf.Tensor4D {
  return tf.engine().runKernel(ChanlabGroupConv2D, { x, filter: w }, { strides, pad, dilations, groups } as never) as tf.Tensor4D;
}

interface Case { x: Shape4; k: [number, number]; out: number; s: [number, number]; pad: 'valid' | 'same' | Pad4; d: [number, number]; g: number }

const CASES: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], out: 5, s: [1, 1], pad: 'same', d: [1, 1], g: 1 },             // odd everything
  { x: [2, 9, 7, 6], k: [3, 3], out: 10, s: [2, 2], pad: 'same', d: [1, 1], g: 1 },            // stride 2
  { x: [3, 9, 7, 4], k: [3, 2], out: 6, s: [2, 1], pad: [[0, 0], [2, 0], [1, 2], [0, 0]], d: [1, 1], g: 1 }, // explicit pads
  { x: [2, 8, 8, 16], k: [1, 1], out: 8, s: [1, 1], pad: 'valid', d: [1, 1], g: 1 },           // pointwise GEMM
  { x: [2, 8, 8, 12], k: [1, 1], out: 20, s: [2, 2], pad: 'valid', d: [1, 1], g: 1 },          // 1×1 stride 2
  { x: [1, 11, 10, 5], k: [7, 7], out: 70, s: [2, 2], pad: [[0, 0], [3, 3], [3, 3], [0, 0]], d: [1, 1], g: 1 }, // stem-like, N > tile
  { x: [2, 9, 9, 4], k: [3, 3], out: 6, s: [1, 1], pad: [[0, 0], [2, 2], [2, 2], [0, 0]], d: [2, 2], g: 1 }, // dilation
  { x: [2, 7, 8, 6], k: [3, 3], out: 9, s: [2, 2], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], d: [1, 1], g: 3 }, // groups, stride 2
  { x: [1, 9, 9, 8], k: [3, 3], out: 4, s: [1, 1], pad: [[0, 0], [2, 1], [1, 2], [0, 0]], d: [2, 1], g: 2 }, // groups + dilation
  { x: [4, 16, 16, 8], k: [3, 3], out: 8, s: [1, 1], pad: 'same', d: [1, 1], g: 1 },          // split-k filter gradient
];

function label(c: Case): string {
  return `x=${c.x} k=${c.k} out=${c.out} s=${c.s} pad=${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3))} d=${c.d} g=${c.g}`;
}

interface Data { xv: Float32Array; wv: Float32Array; dyv: Float32Array; wShape: Shape4; outShape: Shape4; ref: { y: Float32Array; dx: Float32Array; dw: Float32Array } }

function data(c: Case): Data {
  const wShape: Shape4 = [c.k[0], c.k[1], c.x[3] / c.g, c.out];
  const info = tf.backend_util.computeConv2DInfo(c.x, wShape, c.s, c.d, c.pad);
  const outShape = info.outShape as Shape4;
  const xv = randArray(c.x, 1), wv = randArray(wShape, 2), dyv = randArray(outShape, 3);
  return { xv, wv, dyv, wShape, outShape, ref: naiveConvGrads(xv, c.x, wv, wShape, dyv, info, c.g) };
}

/** y, dx, dw on webgpu through the op a model would use for this case. */
async function run(c: Case, d: Data): Promise<{ y: Float32Array; dx: Float32Array; dw: Float32Array }> {
  const x = tf.tensor4d(d.xv, c.x);
  const w = tf.tensor4d(d.wv, d.wShape);
  const dy = tf.tensor4d(d.dyv, d.outShape);
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => (c.g > 1 || c.d[0] > 1 || c.d[1] > 1
    ? groupConv2dKernel(a, b, c.s, c.pad === 'same' ? samePad(c, d) : c.pad, c.d, c.g)
    : tf.conv2d(a, b, c.s, c.pad));
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => conv(a as tf.Tensor4D, b as tf.Tensor4D))([x, w], dy);
  const out = { y: (await value.data()) as Float32Array, dx: (await grads[0]!.data()) as Float32Array, dw: (await grads[1]!.data()) as Float32Array };
  tf.dispose([x, w, dy, value, ...grads]);
  return out;
}

function samePad(c: Case, d: Data): Pad4 {
  const p = tf.backend_util.computeConv2DInfo(c.x, d.wShape, c.s, c.d, 'same').padInfo;
  return [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

function expectClose(got: { y: Float32Array; dx: Float32Array; dw: Float32Array }, ref: Data['ref']): void {
  expect(relErr(got.y, ref.y), 'y').toBeLessThan(TOL);
  expect(relErr(got.dx, ref.dx), 'dx').toBeLessThan(TOL);
  expect(relErr(got.dw, ref.dw), 'dw').toBeLessThan(TOL);
}

beforeAll(async () => {
  await useBackend('webgpu');
});
afterAll(() => {
  forceConvTile(undefined);
  releaseBackends();
});

describe('chanlab webgpu convolutions vs a naive reference', () => {
  it('are on', () => expect(webgpuKernelsEnabled()).toBe(true));

  for (const c of CASES) {
    it(`value, dx and dw: ${label(c)}`, async () => {
      const d = data(c);
      expectClose(await run(c, d), d.ref);
    });
  }

  it('every tile size gives the same result', async () => {
    const c = CASES[7]!; // grouped, strided: exercises loaders and edges
    const d = data(c);
    try {
      for (let t = 0; t < 8; t++) {
        forceConvTile(t);
        expectClose(await run(c, d), d.ref);
      }
    } finally {
      forceConvTile(undefined);
    }
  }, 300_000);

  it('fused conv2d: bias + relu and their gradients', async () => {
    const c = CASES[1]!;
    const d = data(c);
    const bv = randArray([c.out], 4);
    const f = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.fused.conv2d({ x, filter: w, strides: c.s, pad: c.pad as 'same', bias: b, activation: 'relu' });
    const go = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(d.xv, c.x), w = tf.tensor4d(d.wv, d.wShape), b = tf.tensor1d(bv), dy = tf.tensor4d(d.dyv, d.outShape);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, k: tf.Tensor, bb: tf.Tensor) => f(a as tf.Tensor4D, k as tf.Tensor4D, bb as tf.Tensor1D))([x, w, b], dy);
      const out = await Promise.all([value, ...grads].map(async (t) => (await t.data()) as Float32Array));
      tf.dispose([x, w, b, dy, value, ...grads]);
      return out;
    };
    const gpu = await go('webgpu');
    const cpu = await go('cpu');
    await tf.setBackend('webgpu');
    for (let i = 0; i < 4; i++) expect(relErr(gpu[i]!, cpu[i]!), ['y', 'dx', 'dw', 'db'][i]).toBeLessThan(TOL);
  });

  it('conv + batch norm + residual + relu in one kernel equals the stock ops', async () => {
    const c = CASES[7]!;
    const d = data(c);
    const C = c.out;
    const [mv, vv, gv, bv] = [randArray([C], 5), randArray([C], 6).map((v) => Math.abs(v) + 0.5), randArray([C], 7), randArray([C], 8)];
    const rv = randArray(d.outShape, 9);
    const go = async (fused: boolean) => {
      const x = tf.tensor4d(d.xv, c.x), w = tf.tensor4d(d.wv, d.wShape), r = tf.tensor4d(rv, d.outShape);
      const [m, v, g, b] = [mv, vv, gv, bv].map((a) => tf.tensor1d(a));
      const pad = c.pad as Pad4;
      const y = fused
        ? tf.engine().runKernel(ChanlabConvBnAct, { x, filter: w, mean: m!, variance: v!, gamma: g!, beta: b!, residual: r },
          { strides: c.s, pad, dilations: c.d, groups: c.g, activation: 'relu', eps: 1e-5 } as never) as tf.Tensor
        : tf.relu(tf.add(tf.batchNorm(groupConv2dKernel(x, w, c.s, pad, c.d, c.g), m!, v!, b!, g!, 1e-5), r));
      const out = (await y.data()) as Float32Array;
      tf.dispose([x, w, r, m!, v!, g!, b!, y]);
      return out;
    };
    expect(relErr(await go(true), await go(false))).toBeLessThan(TOL);
  });

  it('left no WebGPU error behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuErrors()).toEqual([]);
  });
});
